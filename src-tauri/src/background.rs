//! The app's life without its window: the tray icon and its menu, closing to the tray while a
//! schedule is on, notifications of what scheduled runs did, start at login.
//!
//! Only shell glue lives here. What a run has to tell is decided in the core
//! (`icims_namely_core::notices`); when schedules run is the core's scheduler.

use crate::AppState;
use icims_namely_core::api::{BackgroundState, NoticeRoute, RunDetails};
use icims_namely_core::engine::EngineError;
use icims_namely_core::notices::{Notice, NoticeMemory};
use icims_namely_core::scheduler::SchedulerHandle;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WindowEvent};
use tauri_plugin_autostart::ManagerExt;

/// The main window's label (tauri.conf.json).
pub const MAIN: &str = "main";

/// The argument the login item starts the app with: start in the tray, window hidden.
pub const HIDDEN_ARG: &str = "--hidden";

/// How long Quit waits for a scheduled run to finish its record in flight.
const QUIT_GRACE: Duration = Duration::from_secs(30);

/// The background part of the app's state.
#[derive(Default)]
pub struct Background {
    pub scheduler: tokio::sync::Mutex<Option<SchedulerHandle>>,
    notices: Mutex<NoticeMemory>,
    quitting: AtomicBool,
    /// Whether the tray icon exists: without one, closing the window quits as before, for
    /// nothing would be left to reopen it from.
    pub tray: AtomicBool,
    pause_item: Mutex<Option<PauseMark>>,
}

/// Sets the tray menu's "Pause schedules" check mark.
type PauseMark = Box<dyn Fn(bool) + Send + Sync>;

/// Shows, unminimises and focuses the main window.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Shows the window on the screen a notice points at.
pub fn open_screen<R: Runtime>(app: &AppHandle<R>, route: &NoticeRoute) {
    show_main(app);
    crate::ipc::emit::open_screen(app, route);
}

/// The state Settings and the dashboard show.
pub fn state<R: Runtime>(app: &AppHandle<R>) -> BackgroundState {
    let engine = &app.state::<AppState>().engine;
    let (start_at_login, start_at_login_problem) = match app.autolaunch().is_enabled() {
        Ok(on) => (on, None),
        Err(e) => (
            false,
            Some(format!(
                "This system did not let the app check its start-at-login setting ({e})."
            )),
        ),
    };
    BackgroundState {
        schedules_paused: engine.schedules_paused(),
        start_at_login,
        start_at_login_problem,
    }
}

/// Turns start at login on or off.
pub fn set_start_at_login<R: Runtime>(
    app: &AppHandle<R>,
    enabled: bool,
) -> Result<BackgroundState, EngineError> {
    let launcher = app.autolaunch();
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    result.map_err(|e| {
        EngineError::Internal(format!(
            "The app could not {} start at login ({e}). Check that your session allows \
             login items, then try again.",
            if enabled { "turn on" } else { "turn off" }
        ))
    })?;
    let state = state(app);
    crate::ipc::emit::background_changed(app, &state);
    Ok(state)
}

/// Pauses or resumes every schedule (the tray's check mark follows).
pub fn set_schedules_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) -> BackgroundState {
    app.state::<AppState>().engine.set_schedules_paused(paused);
    if let Some(update) = app
        .state::<Background>()
        .pause_item
        .lock()
        .unwrap()
        .as_ref()
    {
        update(paused);
    }
    let state = state(app);
    crate::ipc::emit::background_changed(app, &state);
    state
}

/// The tray icon: Open, Sync all now, Pause schedules, Quit.
pub fn create_tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open icims-namely", true, None::<&str>)?;
    let sync_all = MenuItem::with_id(app, "sync_all", "Sync all now", true, None::<&str>)?;
    let paused = app.state::<AppState>().engine.schedules_paused();
    let pause =
        CheckMenuItem::with_id(app, "pause", "Pause schedules", true, paused, None::<&str>)?;
    let quit_item = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &sync_all, &pause, &separator, &quit_item])?;
    {
        let pause = pause.clone();
        *app.state::<Background>().pause_item.lock().unwrap() = Some(Box::new(move |on| {
            let _ = pause.set_checked(on);
        }));
    }
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("icims-namely")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main(app),
            "sync_all" => sync_all_now(app),
            "pause" => {
                let paused = !app.state::<AppState>().engine.schedules_paused();
                set_schedules_paused(app, paused);
            }
            "quit" => quit(app),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    app.state::<Background>().tray.store(true, Ordering::SeqCst);
    Ok(())
}

fn sync_all_now<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let background = app.state::<Background>();
        let guard = background.scheduler.lock().await;
        if let Some(handle) = guard.as_ref() {
            handle.sync_all_now();
        }
    });
}

/// Quit from the tray: a scheduled run in flight stops after its record, then the app exits.
pub fn quit<R: Runtime>(app: &AppHandle<R>) {
    let background = app.state::<Background>();
    if background.quitting.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let handle = app.state::<Background>().scheduler.lock().await.take();
        if let Some(handle) = handle
            && tokio::time::timeout(QUIT_GRACE, handle.shutdown())
                .await
                .is_err()
        {
            tracing::warn!("a scheduled run did not stop within 30 s; quitting anyway");
        }
        app.exit(0);
    });
}

/// The main window's close button: with a schedule on, the window hides and the app stays in
/// the tray (told once); with none, the app quits.
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    // Only the main window stays in the tray; others (Namely's sign-in page) just close.
    if window.label() != MAIN {
        return;
    }
    let app = window.app_handle();
    if app.state::<Background>().quitting.load(Ordering::SeqCst) {
        return;
    }
    let engine = &app.state::<AppState>().engine;
    if !engine.any_schedule_on().unwrap_or(false)
        || !app.state::<Background>().tray.load(Ordering::SeqCst)
    {
        return;
    }
    api.prevent_close();
    let _ = window.hide();
    let marker = hint_marker(app);
    if !marker.exists() {
        let _ = icims_namely_core::paths::write_private(
            &marker,
            b"shown\n",
            icims_namely_core::paths::IfExists::Replace,
        );
        notify(
            app,
            Notice {
                kind: icims_namely_core::notices::NoticeKind::Added,
                title: "icims-namely is still running".into(),
                body: "Scheduled syncs go on in the background. Open the app or quit it from \
                       its icon in the system tray."
                    .into(),
                route: NoticeRoute::Dashboard,
            },
        );
    }
}

fn hint_marker<R: Runtime>(app: &AppHandle<R>) -> PathBuf {
    let engine = &app.state::<AppState>().engine;
    PathBuf::from(engine.app_info().data_dir).join("tray-hint-shown")
}

/// Whether the person is looking at the window (then the dashboard already shows the run).
fn watching<R: Runtime>(window: Option<WebviewWindow<R>>) -> bool {
    window.is_some_and(|w| {
        w.is_visible().unwrap_or(false)
            && w.is_focused().unwrap_or(false)
            && !w.is_minimized().unwrap_or(false)
    })
}

/// A scheduled run ended: tell the person when there is news and they are not watching.
pub fn run_finished<R: Runtime>(
    app: &AppHandle<R>,
    connection: &str,
    result: &Result<RunDetails, EngineError>,
) {
    let notice = app
        .state::<Background>()
        .notices
        .lock()
        .unwrap()
        .filter(connection, result);
    if let Some(notice) = notice
        && !watching(app.get_webview_window(MAIN))
    {
        notify(app, notice);
    }
}

/// Shows a desktop notification; a click opens the screen it points at.
fn notify<R: Runtime>(app: &AppHandle<R>, notice: Notice) {
    let app = app.clone();
    // Showing (and, on Linux, waiting for the click) blocks: its own thread.
    let spawned = std::thread::Builder::new()
        .name("notification".into())
        .spawn(move || {
            let mut n = notify_rust::Notification::new();
            n.appname("icims-namely")
                .summary(&notice.title)
                .body(&notice.body)
                .icon("icims-namely-app");
            #[cfg(all(unix, not(target_os = "macos")))]
            {
                n.action("default", "Open");
                match n.show() {
                    Ok(handle) => handle.wait_for_action(|action| {
                        if action == "default" {
                            open_screen(&app, &notice.route);
                        }
                    }),
                    Err(e) => tracing::warn!(error = %e, "could not show a notification"),
                }
            }
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            {
                let _ = &app;
                if let Err(e) = n.show() {
                    tracing::warn!(error = %e, "could not show a notification");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start the notification thread");
    }
}
