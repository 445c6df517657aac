// The only place the interface talks to the backend. Every command of src-tauri/src/commands.rs
// has one typed function here; features import these, never `invoke` directly.
// Argument names are camelCase: Tauri maps them to the Rust snake_case parameters.
import { invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  CheckResult,
  ConnectionDetails,
  ConnectionSummary,
  ExportedFile,
  IcimsInput,
  IpcError,
  NewConnectionInput,
  OwnerStep,
  PermalinkView,
  RunDetails,
  RunSummary,
  SandboxInfo,
  SecretKind,
  SignInResult,
  SyncSettingsInput,
} from "./bindings";

/** Every command rejects with an IpcError; anything else is a bug, shown as an internal error. */
export function asIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const err = e as IpcError;
    return { code: err.code, message: err.message, field: err.field ?? null };
  }
  return { code: "internal", message: String(e), field: null };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asIpcError(e);
  }
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listConnections: () => call<ConnectionSummary[]>("list_connections"),
  getConnection: (name: string) => call<ConnectionDetails>("get_connection", { name }),
  createConnection: (input: NewConnectionInput) =>
    call<ConnectionDetails>("create_connection", { input }),
  removeConnection: (name: string, keepHistory: boolean) =>
    call<void>("remove_connection", { name, keepHistory }),
  /** Starts the built-in simulators and creates (or reopens) the "Sandbox" connection. */
  startSandbox: () => call<SandboxInfo>("start_sandbox"),
  normalizePermalink: (input: string) => call<PermalinkView>("normalize_permalink", { input }),

  // Part 1 and 2 (Namely)
  saveNamelyToken: (name: string, token: string) =>
    call<SignInResult>("save_namely_token", { name, token }),
  checkNamelySignIn: (name: string) => call<SignInResult>("check_namely_sign_in", { name }),
  checkNamelyField: (name: string) => call<CheckResult>("check_namely_field", { name }),

  // Part 3 (owner)
  ownerStep: (name: string) => call<OwnerStep>("owner_step", { name }),
  chooseOwner: (name: string, profileId: string) =>
    call<OwnerStep>("choose_owner", { name, profileId }),

  // Part 4 (iCIMS)
  testIcims: (name: string, input: IcimsInput) => call<CheckResult>("test_icims", { name, input }),
  saveIcims: (name: string, input: IcimsInput) => call<CheckResult>("save_icims", { name, input }),
  removeSecret: (name: string, kind: SecretKind) =>
    call<ConnectionDetails>("remove_secret", { name, kind }),

  // Stop 5 and settings
  updateSyncSettings: (name: string, input: SyncSettingsInput) =>
    call<ConnectionDetails>("update_sync_settings", { name, input }),
  /** Dry run: the plan, nothing written to Namely. */
  previewSync: (name: string) => call<RunDetails>("preview_sync", { name }),
  /** Real sync; progress arrives as `sync-progress` events (SyncProgress). */
  syncNow: (name: string) => call<RunDetails>("sync_now", { name }),
  retryFailed: (name: string) => call<RunDetails>("retry_failed", { name }),

  // History
  listRuns: (name: string, limit: number) => call<RunSummary[]>("list_runs", { name, limit }),
  getRun: (runId: number) => call<RunDetails>("get_run", { runId }),
  exportRunCsv: (runId: number) => call<ExportedFile>("export_run_csv", { runId }),
};

export type Api = typeof api;
