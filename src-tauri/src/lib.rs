//! The desktop shell: Tauri commands adapt the core; nothing else lives here.

mod background;
mod ipc;
mod signin;

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

/// The app's log file in the data folder's `logs`.
pub const LOG_FILE: &str = "icims-namely.log";

/// Logs to `logs/icims-namely.log`: private to the user (0600), rotated by size keeping the
/// last few (`icims-namely.log.1` …), so an app that stays in the tray for months never fills
/// the disk. Without the file, standard error.
fn init_logging(dir: std::path::PathBuf) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("ICIMS_NAMELY_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let file = icims_namely_core::paths::open_log(&dir.join(LOG_FILE));
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
        .manage(signin::SignIns::default())
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
        .on_window_event(|window, event| {
            background::on_window_event(window, event);
            signin::on_window_event(window, event);
        })
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn repo(path: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
    }

    /// The window's content security policy: nothing inline, no `<base>`, no forms sent
    /// anywhere, no plugins.
    #[test]
    fn the_content_security_policy_allows_nothing_inline() {
        let text = std::fs::read_to_string(repo("src-tauri/tauri.conf.json")).unwrap();
        let conf: serde_json::Value = serde_json::from_str(&text).unwrap();
        let csp = conf["app"]["security"]["csp"].as_str().expect("a CSP");
        let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
        for wanted in [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        ] {
            assert!(directives.contains(&wanted), "{wanted} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
    }

    /// The built interface needs no inline style (the CSP above refuses one): no `<style>`
    /// element and no `style` attribute in the page or the templates of the script.
    #[test]
    fn the_built_interface_has_no_inline_style() {
        let dist = repo("ui/dist");
        let Ok(entries) = std::fs::read_dir(dist.join("assets")) else {
            eprintln!(
                "SKIPPED the_built_interface_has_no_inline_style: ui/dist is not built (run \
                 `cd ui && npm run build`)"
            );
            return;
        };
        let mut texts = vec![std::fs::read_to_string(dist.join("index.html")).unwrap()];
        for entry in entries {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "js" || e == "html") {
                texts.push(std::fs::read_to_string(&path).unwrap());
            }
        }
        for text in &texts {
            for inline in ["<style", "style=\"", "style='", "setAttribute(\"style\""] {
                assert!(!text.contains(inline), "the built interface has {inline}");
            }
        }
    }
}
