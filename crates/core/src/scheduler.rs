//! Scheduled syncs: one task, `select!` over a timer, a command channel and settings changes
//! (the shape of Atuin's daemon loop).
//!
//! - Manual and scheduled runs never overlap: both go through [`Engine::sync`], which refuses
//!   a second run of the same connection (`Busy`); a busy connection is simply tried later.
//! - Missed ticks are skipped: the next due time is computed from the last run, so a computer
//!   that slept through three hourly slots runs once when it wakes, not three times.
//! - Catch up after sleep: the loop never sleeps more than a minute at a time and re-reads the
//!   wall clock, so a laptop waking from suspend notices a due sync within a minute.
//! - Failures back off exponentially (1, 2, 4 … 60 minutes) with jitter: a failed run does not
//!   count as the last run, so it is retried once the backoff passes, not only at the next slot.

use crate::api::{RunDetails, RunStatus, SyncProgress};
use crate::domain::Trigger;
use crate::engine::{Engine, EngineError, SyncRequest};
use crate::store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// What the scheduler tells its owner (the desktop app forwards it to the window).
pub trait SchedulerEvents: Send + Sync + 'static {
    fn progress(&self, progress: &SyncProgress);
    fn finished(&self, connection: &str, result: &Result<RunDetails, EngineError>);
}

/// The wall clock, replaceable in tests.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

enum Command {
    Stop,
}

/// A running scheduler. Dropping it does not stop the task; call [`SchedulerHandle::stop`].
pub struct SchedulerHandle {
    tx: mpsc::Sender<Command>,
    task: JoinHandle<()>,
}

impl SchedulerHandle {
    /// Stops the loop after any run in progress ends.
    pub async fn stop(self) {
        let _ = self.tx.send(Command::Stop).await;
        let _ = self.task.await;
    }
}

/// Longest sleep between two looks at the wall clock.
const MAX_NAP: Duration = Duration::from_secs(60);

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Longest real-time sleep between two looks at the clock (60 s). Tests that move an
    /// injected clock make it short.
    pub max_nap: Duration,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        Self { max_nap: MAX_NAP }
    }
}

/// Starts the scheduler loop on the current tokio runtime.
pub fn spawn(
    engine: Engine,
    events: Arc<dyn SchedulerEvents>,
    clock: Option<Clock>,
) -> SchedulerHandle {
    spawn_with_options(engine, events, clock, SchedulerOptions::default())
}

/// [`spawn`] with explicit options.
pub fn spawn_with_options(
    engine: Engine,
    events: Arc<dyn SchedulerEvents>,
    clock: Option<Clock>,
    options: SchedulerOptions,
) -> SchedulerHandle {
    let clock: Clock = clock.unwrap_or_else(|| Arc::new(OffsetDateTime::now_utc));
    let (tx, rx) = mpsc::channel(8);
    let task = tokio::spawn(run_loop(engine, events, clock, options, rx));
    SchedulerHandle { tx, task }
}

#[derive(Default, Clone, Copy)]
struct Backoff {
    failures: u32,
    until: Option<OffsetDateTime>,
}

fn backoff_delay(failures: u32, jitter_seed: u64) -> time::Duration {
    let minutes = 1u64 << failures.saturating_sub(1).min(6); // 1, 2, 4 … 64
    let minutes = minutes.min(60) as i64;
    // Up to 30 s of jitter, so many connections failing together do not retry together.
    let jitter = (jitter_seed % 30) as i64;
    time::Duration::minutes(minutes) + time::Duration::seconds(jitter)
}

/// When each connection is next due, at the earliest. `started` holds when this loop started
/// each connection's last run that did not fail, read on the loop's own clock.
fn due_times(
    engine: &Engine,
    now: OffsetDateTime,
    backoff: &HashMap<String, Backoff>,
    started: &HashMap<String, OffsetDateTime>,
) -> Vec<(String, OffsetDateTime)> {
    let offset = engine.options().local_offset;
    let Ok(connections) = engine.store().list_connections() else {
        return Vec::new();
    };
    let mut due = Vec::new();
    for settings in connections {
        let setup_complete = engine
            .connection(settings.name.as_str())
            .map(|d| d.health.setup_complete)
            .unwrap_or(false);
        if !setup_complete {
            continue;
        }
        // A failed run is not an anchor: it is retried after its backoff.
        let last_real_run = engine
            .store()
            .runs(&settings.name, 20)
            .ok()
            .and_then(|runs| {
                runs.into_iter().find(|r| {
                    !r.dry_run
                        && !matches!(
                            r.status,
                            store::RunStatus::Failed | store::RunStatus::NotStarted
                        )
                })
            })
            .map(|r| r.started_at);
        // The store's times are the real clock's; the loop's own record is on `clock`, which
        // tests replace. Without it a run under an injected clock never moves the anchor.
        let anchor = last_real_run
            .into_iter()
            .chain(started.get(&settings.name.key()).copied())
            .max()
            .unwrap_or(settings.created_at)
            .to_offset(offset);
        let Some(mut at) = settings.schedule.next_after(anchor) else {
            continue;
        };
        if let Some(b) = backoff.get(&settings.name.key()).and_then(|b| b.until) {
            at = at.max(b);
        }
        let _ = now;
        due.push((settings.name.to_string(), at));
    }
    due
}

async fn run_loop(
    engine: Engine,
    events: Arc<dyn SchedulerEvents>,
    clock: Clock,
    options: SchedulerOptions,
    mut rx: mpsc::Receiver<Command>,
) {
    let mut changes = engine.schedule_changes();
    let mut backoff: HashMap<String, Backoff> = HashMap::new();
    let mut started: HashMap<String, OffsetDateTime> = HashMap::new();
    loop {
        let now = clock();
        let due = due_times(&engine, now, &backoff, &started);
        if let Some((name, _)) = due
            .iter()
            .filter(|(_, at)| *at <= now)
            .min_by_key(|(_, at)| *at)
        {
            let name = name.clone();
            let progress = |p: &SyncProgress| events.progress(p);
            let request = SyncRequest::sync(Trigger::Schedule);
            let result = engine.sync(&name, request, &progress, None).await;
            if let Err(e) = &result
                && !matches!(e, EngineError::Busy(_))
                && let Err(store_err) = engine.record_failed_start(&name, Trigger::Schedule, e)
            {
                tracing::warn!(connection = %name, error = %store_err, "could not record a failed scheduled sync");
            }
            let key = name.to_lowercase();
            let failed = match &result {
                Ok(d) => matches!(d.summary.status, RunStatus::Failed | RunStatus::NotStarted),
                Err(EngineError::Busy(_)) => false,
                Err(_) => true,
            };
            if matches!(result, Err(EngineError::Busy(_))) {
                // A manual run is going on; look again in a minute.
                let b = backoff.entry(key).or_default();
                b.until = Some(clock() + time::Duration::minutes(1));
            } else if failed {
                let b = backoff.entry(key).or_default();
                b.failures += 1;
                let seed = clock().unix_timestamp_nanos() as u64;
                b.until = Some(clock() + backoff_delay(b.failures, seed));
                tracing::warn!(connection = %name, failures = b.failures, "scheduled sync failed; backing off");
            } else {
                backoff.remove(&key);
                started.insert(key, now);
            }
            events.finished(&name, &result);
            continue;
        }
        let nap = due
            .iter()
            .map(|(_, at)| *at - now)
            .min()
            .and_then(|d| Duration::try_from(d).ok())
            .unwrap_or(options.max_nap)
            .min(options.max_nap);
        tokio::select! {
            _ = tokio::time::sleep(nap) => {}
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            cmd = rx.recv() => match cmd {
                Some(Command::Stop) | None => return,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_at_an_hour_plus_jitter() {
        assert_eq!(backoff_delay(1, 0), time::Duration::minutes(1));
        assert_eq!(backoff_delay(2, 0), time::Duration::minutes(2));
        assert_eq!(backoff_delay(3, 0), time::Duration::minutes(4));
        assert_eq!(backoff_delay(7, 0), time::Duration::minutes(60));
        assert_eq!(backoff_delay(30, 0), time::Duration::minutes(60));
        let j = backoff_delay(1, 29);
        assert_eq!(j, time::Duration::minutes(1) + time::Duration::seconds(29));
    }
}
