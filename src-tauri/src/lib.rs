//! The desktop shell: Tauri commands adapt the core; nothing else lives here.

mod background;
mod ipc;

use icims_namely_core::api::{RunDetails, SyncProgress};
use icims_namely_core::engine::{Engine, EngineError, EngineOptions};
use icims_namely_core::scheduler::{self, SchedulerEvents};
use icims_namely_sandbox_host::InProcessSandbox;
use std::sync::Arc;
use tauri::{AppHandle, Manager, Runtime};

/// What every command can reach.
pub struct AppState {
    pub engine: Engine,
}

/// Forwards scheduled runs' progress and results to the window.
struct WindowEvents<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> SchedulerEvents for WindowEvents<R> {
    fn progress(&self, progress: &SyncProgress) {
        ipc::emit::sync_progress(&self.app, progress);
    }

    fn finished(&self, connection: &str, result: &Result<RunDetails, EngineError>) {
        if let Err(e) = result {
            tracing::warn!(connection, error = %e, "scheduled sync did not run");
        }
        ipc::finished(&self.app, connection, result);
        background::run_finished(&self.app, connection, result);
    }
}

fn init_logging(dir: std::path::PathBuf) {
    use tracing_subscriber::EnvFilter;
    let _ = std::fs::create_dir_all(&dir);
    let filter =
        EnvFilter::try_from_env("ICIMS_NAMELY_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("icims-namely.log"));
    match file {
        Ok(file) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
        }
        Err(_) => {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
        }
    }
}

/// Builds the app on any Tauri runtime (tests can use the mock runtime).
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>, engine: Engine) -> tauri::Builder<R> {
    builder
        // First: a second launch hands over to this one, which shows its window.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            background::show_main(app);
        }))
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![background::HIDDEN_ARG]),
        ))
        .manage(AppState { engine })
        .manage(background::Background::default())
        .setup(|app| {
            let handle = app.handle().clone();
            let engine = app.state::<AppState>().engine.clone();
            // Without a tray (no StatusNotifier host, no appindicator library) the app
            // still works; closing the window then quits it.
            if let Err(e) = background::create_tray(&handle) {
                tracing::warn!(error = %e, "no tray icon: closing the window will quit the app");
            }
            // Started at login: stay in the tray when a schedule is on.
            let hidden = std::env::args().any(|a| a == background::HIDDEN_ARG);
            if !(hidden && engine.any_schedule_on().unwrap_or(false)) {
                background::show_main(&handle);
            }
            let events = Arc::new(WindowEvents {
                app: handle.clone(),
            });
            // The scheduler runs on Tauri's tokio runtime for the life of the app.
            let scheduler = {
                let _enter = tauri::async_runtime::handle().inner().enter();
                scheduler::spawn(engine, events, None)
            };
            if let Ok(mut slot) = app.state::<background::Background>().scheduler.try_lock() {
                *slot = Some(scheduler);
            }
            Ok(())
        })
        .on_window_event(background::on_window_event)
        .invoke_handler(ipc::handler())
}

/// Builds and runs the app.
pub fn run() {
    // Read the UTC offset before any thread starts (some systems allow it only then).
    let local_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    // Logging first, so that what opening the engine finds (runs left interrupted, no
    // keychain) is in the log file too.
    if let Ok(data) = icims_namely_core::paths::DataDir::locate() {
        let _ = data.ensure();
        init_logging(data.log_dir());
    }
    let engine = match Engine::open_default(EngineOptions {
        local_offset,
        // "Try the sandbox": the simulators start in this process on first use.
        sandbox: Some(Arc::new(InProcessSandbox::new())),
        ..EngineOptions::default()
    }) {
        Ok(engine) => engine,
        Err(e) => {
            eprintln!("icims-namely could not start: {e}");
            std::process::exit(1);
        }
    };
    if std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
        && cfg!(target_os = "linux")
    {
        eprintln!(
            "icims-namely needs a graphical display to open its window, and none was found \
             (DISPLAY and WAYLAND_DISPLAY are unset). Run it from a desktop session, or \
             without a screen: xvfb-run -a icims-namely-app. For the command line, use icims-namely."
        );
        std::process::exit(2);
    }
    build_app(tauri::Builder::default(), engine)
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("icims-namely stopped with an error: {e}");
            std::process::exit(1);
        });
}
