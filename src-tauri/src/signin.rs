//! Sign in with Namely from the window (`docs/namely-api.md` §2.2): the engine listens on
//! 127.0.0.1 and exchanges the code; this module only shows Namely's sign-in page to the
//! person and closes it again.
//!
//! A real company's page opens in the system browser (where the person is signed in to
//! Namely already). The sandbox's page opens in a window of the app (`namely-sign-in`), so the
//! demo never leaves the app and WebDriver can click Accept there. That window shows a page
//! of the simulator over `http://127.0.0.1:…`: the capability file grants the app's commands
//! to the `main` window only, so the page can call none of them.

use crate::AppState;
use icims_namely_core::api::{SignInResult, SignInStart};
use icims_namely_core::engine::{Engine, EngineError};
use icims_namely_core::secrets::SecretInput;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

/// The label of the window that shows the sandbox's sign-in page.
pub const WINDOW: &str = "namely-sign-in";
/// Its title.
pub const WINDOW_TITLE: &str = "Namely (sandbox) — Sign in";
/// How long the app waits for the person to click Accept (or Deny).
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The sign-ins waiting for an answer, by connection: what to open again when asked.
#[derive(Default)]
pub struct SignIns {
    waiting: Mutex<HashMap<String, SignInStart>>,
}

impl SignIns {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SignInStart>> {
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Begins the sign-in for `name` and shows Namely's page: the engine listens for the answer
/// first, so the page can never answer before the app listens.
pub async fn begin<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    name: &str,
    client_id: &str,
    client_secret: SecretInput,
    port: Option<u16>,
) -> Result<SignInStart, EngineError> {
    let start = engine
        .begin_namely_sign_in(name, client_id, client_secret.into_secret(), port)
        .await?;
    app.state::<SignIns>()
        .lock()
        .insert(name.to_string(), start.clone());
    show(app, name, &start);
    Ok(start)
}

/// Shows the page of the sign-in waiting for `name` again (the browser tab was closed, the
/// window got lost). False when none is waiting.
pub fn reopen<R: Runtime>(app: &AppHandle<R>, name: &str) -> bool {
    let start = app.state::<SignIns>().lock().get(name).cloned();
    match start {
        Some(start) => {
            show(app, name, &start);
            true
        }
        None => false,
    }
}

/// Waits for Namely's answer, then closes the sandbox's window and brings the app forward,
/// whatever the answer.
pub async fn finish<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    name: &str,
) -> Result<SignInResult, EngineError> {
    let result = engine.finish_namely_sign_in(name, ANSWER_TIMEOUT).await;
    ended(app, name);
    result
}

/// Stops the sign-in waiting for `name` (its `finish` then answers that it was cancelled).
pub fn cancel<R: Runtime>(app: &AppHandle<R>, engine: &Engine, name: &str) -> bool {
    let waiting = engine.cancel_namely_sign_in(name);
    ended(app, name);
    waiting
}

/// The sign-in of `name` is over: forget it and close its window.
fn ended<R: Runtime>(app: &AppHandle<R>, name: &str) {
    app.state::<SignIns>().lock().remove(name);
    if let Some(window) = app.get_webview_window(WINDOW) {
        let _ = window.destroy();
        crate::background::show_main(app);
    }
}

/// Opens the sign-in page: in the app for the sandbox, else in the system browser. Not being
/// able to open it is no error: the window shows the address to open by hand.
fn show<R: Runtime>(app: &AppHandle<R>, name: &str, start: &SignInStart) {
    if start.sandbox {
        if let Err(e) = sandbox_window(app, name, &start.authorize_url) {
            tracing::warn!(error = %e, "could not open the sandbox's sign-in window");
        }
    } else if let Err(e) = webbrowser::open(&start.authorize_url) {
        tracing::warn!(error = %e, "could not open the browser for Sign in with Namely");
    }
}

/// The sandbox's sign-in page in a window of the app; one at a time. Closing it by hand
/// cancels the sign-in.
fn sandbox_window<R: Runtime>(app: &AppHandle<R>, name: &str, url: &str) -> tauri::Result<()> {
    let url = tauri::Url::parse(url).map_err(tauri::Error::InvalidUrl)?;
    if let Some(window) = app.get_webview_window(WINDOW) {
        window.navigate(url)?;
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    let window = WebviewWindowBuilder::new(app, WINDOW, WebviewUrl::External(url))
        .title(WINDOW_TITLE)
        .inner_size(720.0, 620.0)
        .center()
        .focused(true)
        .build()?;
    let handle = app.clone();
    let name = name.to_string();
    window.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { .. } = event {
            // Closed by the person before answering: nobody will click Accept now.
            if handle
                .state::<AppState>()
                .engine
                .cancel_namely_sign_in(&name)
            {
                tracing::info!("the sandbox's sign-in window was closed: sign-in cancelled");
            }
            handle.state::<SignIns>().lock().remove(&name);
        }
    });
    Ok(())
}

/// The main window is gone: the sign-in window goes with it (the app would live on for it).
pub fn on_window_event<R: Runtime>(window: &tauri::Window<R>, event: &WindowEvent) {
    if window.label() == crate::background::MAIN
        && matches!(event, WindowEvent::Destroyed)
        && let Some(sign_in) = window.app_handle().get_webview_window(WINDOW)
    {
        let _ = sign_in.destroy();
    }
}
