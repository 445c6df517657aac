//! `icims-namely run-scheduler`: the desktop app's schedules, without a window, for an
//! always-on machine or a server (under systemd, launchd, a container).
//!
//! Logs go to standard error and to `scheduler.log` in the data folder's `logs` (private to
//! the user, rotated at 5 MB, the last 5 kept as `scheduler.log.1` … `.5`). SIGTERM or Ctrl-C
//! stops after the record in flight (the run is recorded as cancelled; the next run picks up
//! where it stopped) and exits 0; a second one quits at once with 130.

use clap::Args;
use icims_namely_core::api::{RunDetails, SyncProgress};
use icims_namely_core::engine::{Engine, EngineError};
use icims_namely_core::scheduler::{self, SchedulerEvents, SchedulerOptions};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct RunSchedulerArgs {
    /// Run only this connection's schedule (repeat for several; default: every connection).
    #[arg(long = "connection", value_name = "NAME")]
    connections: Vec<String>,
}

/// The log file's name in the data folder's `logs`.
pub const LOG_FILE: &str = "scheduler.log";

/// Logs to standard error and to the data folder's `logs/scheduler.log` (info and above, or
/// `ICIMS_NAMELY_LOG`). When the file cannot be opened, standard error alone, and says so.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter =
        || EnvFilter::try_from_env("ICIMS_NAMELY_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // Private to the user (0600) and rotated by size, keeping the last few files
    // (`scheduler.log.1` …): a scheduler that runs for months never fills the disk.
    let file = icims_namely_core::paths::DataDir::locate()
        .map_err(|e| e.to_string())
        .and_then(|data| {
            let path = data.log_dir().join(LOG_FILE);
            icims_namely_core::paths::open_log(&path)
                .map(|f| (f, path))
                .map_err(|e| e.to_string())
        });
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(false)
        .with_filter(filter());
    match file {
        Ok((file, _)) => {
            let to_file = tracing_subscriber::fmt::layer()
                .with_writer(std::sync::Mutex::new(file))
                .with_target(false)
                .with_ansi(false)
                .with_filter(filter());
            let _ = tracing_subscriber::registry()
                .with(stderr)
                .with(to_file)
                .try_init();
        }
        Err(e) => {
            let _ = tracing_subscriber::registry().with(stderr).try_init();
            tracing::warn!(
                "logging to standard error only: the log file could not be opened ({e})"
            );
        }
    }
}

use tracing_subscriber::Layer;

/// Writes each scheduled run's end to the log.
struct LogEvents;

impl SchedulerEvents for LogEvents {
    fn progress(&self, _: &SyncProgress) {}

    fn finished(&self, connection: &str, result: &Result<RunDetails, EngineError>) {
        match result {
            Ok(d) => {
                let s = &d.summary;
                let c = &s.counts;
                let why = s.error.as_deref().unwrap_or("");
                tracing::info!(
                    "{connection}: run {} {}: {} added, {} already in Namely, {} need review, \
                     {} failed, {} left out ({} iCIMS calls, {} Namely calls). {why}",
                    s.id,
                    s.status.as_str().replace('_', " "),
                    c.created,
                    c.already_in_namely,
                    c.needs_review,
                    c.failed,
                    c.left_out,
                    s.icims_calls,
                    s.namely_calls,
                );
            }
            Err(EngineError::Busy(_)) => {
                tracing::info!("{connection}: a sync is already running; trying again later");
            }
            Err(e) => tracing::warn!("{connection}: the scheduled sync did not run: {e}"),
        }
    }
}

/// Runs until SIGTERM or Ctrl-C; returns the exit code.
pub async fn run(engine: Engine, args: RunSchedulerArgs) -> u8 {
    let only = if args.connections.is_empty() {
        None
    } else {
        match scheduler::check_connections(&engine, &args.connections) {
            Ok(names) => Some(names),
            Err(e) => return crate::fail(&e, None),
        }
    };
    announce(&engine, only.as_deref());
    let options = SchedulerOptions {
        connections: only,
        ..SchedulerOptions::default()
    };
    let handle = scheduler::spawn_with_options(engine, Arc::new(LogEvents), None, options);
    stop_signal().await;
    tracing::info!("stopping: a sync in progress ends after the record in flight");
    tokio::select! {
        _ = handle.shutdown() => {
            tracing::info!("stopped");
            crate::EXIT_OK
        }
        _ = stop_signal() => {
            tracing::warn!("stopped at once: the interrupted run is recorded as such at the next start");
            130
        }
    }
}

/// One line per connection: its schedule and next run, or why it does not run.
fn announce(engine: &Engine, only: Option<&[String]>) {
    let Ok(list) = engine.list_connections() else {
        return;
    };
    let chosen: Vec<_> = list
        .iter()
        .filter(|c| only.is_none_or(|names| names.iter().any(|n| n == &c.name)))
        .collect();
    if chosen.is_empty() {
        tracing::warn!(
            "no connections yet: add one with `icims-namely connection add`; the scheduler \
             looks again every minute"
        );
    }
    for c in chosen {
        let Ok(details) = engine.connection(&c.name) else {
            continue;
        };
        let s = &details.settings;
        if s.schedule == icims_namely_core::connection::Schedule::Off {
            tracing::info!(
                "{}: schedule off (set one with `icims-namely connection edit {} --schedule every:1h`)",
                s.name,
                crate::output::shell_quote(&s.name)
            );
        } else if !details.health.setup_complete {
            tracing::warn!(
                "{}: {} — setup is not complete, so it does not run (see `icims-namely check {}`)",
                s.name,
                s.schedule.to_string().to_lowercase(),
                crate::output::shell_quote(&s.name)
            );
        } else {
            let note = details
                .schedule_note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            tracing::info!(
                "{}: {}, next sync {}{note}",
                s.name,
                s.schedule.to_string().to_lowercase(),
                details.next_sync_text.as_deref().unwrap_or("not planned")
            );
        }
    }
}

/// SIGTERM, SIGINT (Ctrl-C) or, where there is no SIGTERM, Ctrl-C alone.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
