//! Declares the app's own commands so that each needs an explicit permission
//! (granted in capabilities/default.json): the window gets exactly these and nothing else.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_connections",
    "get_connection",
    "create_connection",
    "remove_connection",
    "start_sandbox",
    "normalize_permalink",
    "save_namely_token",
    "check_namely_sign_in",
    "check_namely_field",
    "owner_step",
    "choose_owner",
    "test_icims",
    "save_icims",
    "remove_secret",
    "update_sync_settings",
    "preview_sync",
    "sync_now",
    "retry_failed",
    "list_runs",
    "get_run",
    "export_run_csv",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
