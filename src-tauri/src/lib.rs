//! The desktop shell: Tauri commands adapt the core; nothing else lives here.

/// Builds and runs the app.
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the icims-namely app");
}
