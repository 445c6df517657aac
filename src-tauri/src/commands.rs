//! Tauri commands: each deserialises, calls one engine function, maps the error. Nothing else.
//! The TypeScript side of every command is in `ui/src/ipc/commands.ts`.

use crate::AppState;
use icims_namely_core::api::{
    AppInfo, CheckResult, ConnectionDetails, ConnectionSummary, ExportedFile, IcimsInput, IpcError,
    NewConnectionInput, OwnerStep, PermalinkView, RunDetails, RunSummary, SandboxInfo, SecretKind,
    SignInResult, SyncProgress, SyncSettingsInput,
};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{Engine, SyncRequest};
use icims_namely_core::store::RunId;
use secrecy::SecretString;
use tauri::{AppHandle, Emitter, Runtime, State};

type Reply<T> = Result<T, IpcError>;

/// The event that carries live sync progress to the window.
pub const SYNC_PROGRESS_EVENT: &str = "sync-progress";

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    state.engine.app_info()
}

#[tauri::command]
pub fn list_connections(state: State<'_, AppState>) -> Reply<Vec<ConnectionSummary>> {
    Ok(state.engine.list_connections()?)
}

#[tauri::command]
pub fn get_connection(state: State<'_, AppState>, name: String) -> Reply<ConnectionDetails> {
    Ok(state.engine.connection(&name)?)
}

#[tauri::command]
pub fn create_connection(
    state: State<'_, AppState>,
    input: NewConnectionInput,
) -> Reply<ConnectionDetails> {
    Ok(state.engine.create_connection(input)?)
}

#[tauri::command]
pub async fn remove_connection(
    state: State<'_, AppState>,
    name: String,
    keep_history: bool,
) -> Reply<()> {
    Ok(state.engine.remove_connection(&name, keep_history).await?)
}

#[tauri::command]
pub async fn start_sandbox(state: State<'_, AppState>) -> Reply<SandboxInfo> {
    Ok(state.engine.start_sandbox().await?)
}

#[tauri::command]
pub fn normalize_permalink(input: String) -> Reply<PermalinkView> {
    Ok(Engine::normalize_permalink(&input)?)
}

#[tauri::command]
pub async fn save_namely_token(
    state: State<'_, AppState>,
    name: String,
    token: String,
) -> Reply<SignInResult> {
    Ok(state
        .engine
        .save_namely_token(&name, SecretString::from(token))
        .await?)
}

#[tauri::command]
pub async fn check_namely_sign_in(state: State<'_, AppState>, name: String) -> Reply<SignInResult> {
    Ok(state.engine.check_namely_sign_in(&name).await?)
}

#[tauri::command]
pub async fn check_namely_field(state: State<'_, AppState>, name: String) -> Reply<CheckResult> {
    Ok(state.engine.check_namely_field(&name).await?)
}

#[tauri::command]
pub async fn owner_step(state: State<'_, AppState>, name: String) -> Reply<OwnerStep> {
    Ok(state.engine.owner_step(&name).await?)
}

#[tauri::command]
pub async fn choose_owner(
    state: State<'_, AppState>,
    name: String,
    profile_id: String,
) -> Reply<OwnerStep> {
    Ok(state.engine.choose_owner(&name, &profile_id).await?)
}

#[tauri::command]
pub async fn test_icims(
    state: State<'_, AppState>,
    name: String,
    input: IcimsInput,
) -> Reply<CheckResult> {
    Ok(state.engine.test_icims(&name, &input).await?)
}

#[tauri::command]
pub async fn save_icims(
    state: State<'_, AppState>,
    name: String,
    input: IcimsInput,
) -> Reply<CheckResult> {
    Ok(state.engine.save_icims(&name, &input).await?)
}

#[tauri::command]
pub async fn remove_secret(
    state: State<'_, AppState>,
    name: String,
    kind: SecretKind,
) -> Reply<ConnectionDetails> {
    Ok(state.engine.remove_secret(&name, kind).await?)
}

#[tauri::command]
pub fn update_sync_settings(
    state: State<'_, AppState>,
    name: String,
    input: SyncSettingsInput,
) -> Reply<ConnectionDetails> {
    Ok(state.engine.update_sync_settings(&name, input)?)
}

async fn sync<R: Runtime>(
    app: &AppHandle<R>,
    engine: &Engine,
    name: &str,
    request: SyncRequest,
) -> Reply<RunDetails> {
    let emit = |p: &SyncProgress| {
        let _ = app.emit(SYNC_PROGRESS_EVENT, p);
    };
    Ok(engine.sync(name, request, &emit, None).await?)
}

#[tauri::command]
pub async fn preview_sync<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Reply<RunDetails> {
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: true,
        retry_failed: false,
    };
    sync(&app, &state.engine, &name, request).await
}

#[tauri::command]
pub async fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Reply<RunDetails> {
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        retry_failed: false,
    };
    sync(&app, &state.engine, &name, request).await
}

#[tauri::command]
pub async fn retry_failed<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> Reply<RunDetails> {
    let request = SyncRequest {
        trigger: Trigger::Retry,
        dry_run: false,
        retry_failed: true,
    };
    sync(&app, &state.engine, &name, request).await
}

#[tauri::command]
pub fn list_runs(state: State<'_, AppState>, name: String, limit: u32) -> Reply<Vec<RunSummary>> {
    Ok(state.engine.runs(&name, limit as usize)?)
}

#[tauri::command]
pub fn get_run(state: State<'_, AppState>, run_id: i64) -> Reply<RunDetails> {
    Ok(state.engine.run_details(RunId(run_id))?)
}

#[tauri::command]
pub fn export_run_csv(state: State<'_, AppState>, run_id: i64) -> Reply<ExportedFile> {
    Ok(state.engine.export_run_csv(RunId(run_id), None)?)
}
