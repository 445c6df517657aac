// Generated from src-tauri/src/ipc/surface.rs by src-tauri/src/ipc/mod.rs. Do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p icims-namely-app ipc
//
// The only way the interface reaches the backend: features call `api`, never `invoke`.

import type { AppInfo, BackgroundState, CheckResult, ConnectionDetails, ConnectionSummary, ExportedFile, IcimsInput, NewConnectionInput, NoticeRoute, OwnerStep, PermalinkView, ReviewItem, RunDetails, RunSummary, SandboxInfo, SecretKind, SignInResult, SignInStart, StartFromChoices, SyncFinished, SyncProgress, SyncSettingsInput } from "./bindings";
import { call, listen, type UnlistenFn } from "./invoke";

/** Every command of the backend: its arguments, as the window sends them, and its answer. */
export type Commands = {
  /** About the running app: version, data folder, whether secrets survive a restart. */
  app_info: { args: Record<string, never>; returns: AppInfo };
  /** Every connection as a dashboard card, sorted by name. */
  list_connections: { args: Record<string, never>; returns: Array<ConnectionSummary> };
  /** Everything about one connection. */
  get_connection: { args: { name: string }; returns: ConnectionDetails };
  /** Starts a connection from the wizard: a name and the Namely permalink. */
  create_connection: { args: { input: NewConnectionInput }; returns: ConnectionDetails };
  /** Removes a connection and its secrets; its history too unless `keep_history`. */
  remove_connection: { args: { name: string; keepHistory: boolean }; returns: null };
  /** Starts the built-in simulators and creates (or reopens) the "Sandbox" connection. */
  start_sandbox: { args: Record<string, never>; returns: SandboxInfo };
  /** A permalink as typed, resolved to the company's Namely address. */
  normalize_permalink: { args: { input: string }; returns: PermalinkView };
  /** Part 2: saves a Namely token when signing in with it works. */
  save_namely_token: { args: { name: string; token: string }; returns: SignInResult };
  /** Part 2, checked again with the saved token. */
  check_namely_sign_in: { args: { name: string }; returns: SignInResult };
  /** Part 2, Sign in with Namely: listens on 127.0.0.1 for Namely's answer (at `port`, else the one used before, else 47600), then opens Namely's sign-in page: in the system browser, or for the sandbox in a window of the app. Call `finish_namely_sign_in` next. */
  begin_namely_sign_in: { args: { name: string; clientId: string; clientSecret: string; port: number | null }; returns: SignInStart };
  /** Waits (5 minutes at most) for the person to click Accept, then exchanges the code, checks the sign-in and keeps it; closes the sandbox's sign-in window either way. */
  finish_namely_sign_in: { args: { name: string }; returns: SignInResult };
  /** Shows Namely's sign-in page of the waiting sign-in again; false when none waits. */
  reopen_namely_sign_in: { args: { name: string }; returns: boolean };
  /** Stops the waiting sign-in (its `finish_namely_sign_in` answers that it was cancelled); false when none waits. */
  cancel_namely_sign_in: { args: { name: string }; returns: boolean };
  /** Part 1: the Namely field `icims_id` (Text). */
  check_namely_field: { args: { name: string }; returns: CheckResult };
  /** Part 3: the people who signed in, each verified live. */
  owner_step: { args: { name: string }; returns: OwnerStep };
  /** Part 3: chooses the owner among the people who signed in; with `confirm_administrator`, confirms the access role Namely did not report. */
  choose_owner: { args: { name: string; profileId: string; confirmAdministrator: boolean }; returns: OwnerStep };
  /** Part 4: tests the iCIMS connection as typed; saves nothing. */
  test_icims: { args: { name: string; input: IcimsInput }; returns: CheckResult };
  /** Part 4: tests, and only when the test passes saves the settings and the key. */
  save_icims: { args: { name: string; input: IcimsInput }; returns: CheckResult };
  /** Removes a secret from the keychain. */
  remove_secret: { args: { name: string; kind: SecretKind }; returns: ConnectionDetails };
  /** Hired statuses and schedule (stop 5 and Settings). */
  update_sync_settings: { args: { name: string; input: SyncSettingsInput }; returns: ConnectionDetails };
  /** The start-from dates on offer, counted from the latest dry run. */
  start_from_choices: { args: { name: string }; returns: StartFromChoices };
  /** A dry run: the plan, nothing written to Namely. Progress as `sync-progress`. */
  preview_sync: { args: { name: string }; returns: RunDetails };
  /** A real sync. Progress as `sync-progress`, the end as `sync-finished`. */
  sync_now: { args: { name: string }; returns: RunDetails };
  /** Sends again the hires whose last attempt failed. */
  retry_failed: { args: { name: string }; returns: RunDetails };
  /** Stops the running sync (manual or scheduled) after the record in flight; it ends recorded as cancelled, announced as `sync-finished`. False when none runs here. */
  cancel_sync: { args: { name: string }; returns: boolean };
  /** Hires waiting for a person's decision ("needs review"), oldest first. */
  open_reviews: { args: { name: string }; returns: Array<ReviewItem> };
  /** Link: writes the hire's `icims_id` onto the Namely profile that is already them. */
  link_review: { args: { name: string; personId: number; profileId: string }; returns: RunDetails };
  /** Create anyway: adds the hire although a possible match exists. */
  create_anyway: { args: { name: string; personId: number }; returns: RunDetails };
  /** The newest runs of a connection. */
  list_runs: { args: { name: string; limit: number }; returns: Array<RunSummary> };
  /** One run with every record. */
  get_run: { args: { runId: number }; returns: RunDetails };
  /** Writes a run as CSV into the Downloads folder. */
  export_run_csv: { args: { runId: number }; returns: ExportedFile };
  /** Whether schedules are paused and the app starts at login. */
  background_state: { args: Record<string, never>; returns: BackgroundState };
  /** Pauses or resumes every schedule (as the tray's "Pause schedules" does). */
  set_schedules_paused: { args: { paused: boolean }; returns: BackgroundState };
  /** Turns starting the app (in the tray) at login on or off. */
  set_start_at_login: { args: { enabled: boolean }; returns: BackgroundState };
};

/** Every event the backend sends, by name, with its payload. */
export type Events = {
  /** Live progress of every sync, manual or scheduled. */
  "sync-progress": SyncProgress;
  /** A run ended, manual or scheduled, or a scheduled one could not start. */
  "sync-finished": SyncFinished;
  /** Schedules were paused or resumed, or start at login changed (tray or Settings). */
  "background-changed": BackgroundState;
  /** A notification was clicked: show this screen. */
  "open-screen": NoticeRoute;
};

/** The backend, one typed function per command. */
export const api = {
  /** About the running app: version, data folder, whether secrets survive a restart. */
  appInfo: (): Promise<AppInfo> => call("app_info", {}),
  /** Every connection as a dashboard card, sorted by name. */
  listConnections: (): Promise<Array<ConnectionSummary>> => call("list_connections", {}),
  /** Everything about one connection. */
  getConnection: (name: string): Promise<ConnectionDetails> => call("get_connection", { name }),
  /** Starts a connection from the wizard: a name and the Namely permalink. */
  createConnection: (input: NewConnectionInput): Promise<ConnectionDetails> => call("create_connection", { input }),
  /** Removes a connection and its secrets; its history too unless `keep_history`. */
  removeConnection: (name: string, keepHistory: boolean): Promise<null> => call("remove_connection", { name, keepHistory }),
  /** Starts the built-in simulators and creates (or reopens) the "Sandbox" connection. */
  startSandbox: (): Promise<SandboxInfo> => call("start_sandbox", {}),
  /** A permalink as typed, resolved to the company's Namely address. */
  normalizePermalink: (input: string): Promise<PermalinkView> => call("normalize_permalink", { input }),
  /** Part 2: saves a Namely token when signing in with it works. */
  saveNamelyToken: (name: string, token: string): Promise<SignInResult> => call("save_namely_token", { name, token }),
  /** Part 2, checked again with the saved token. */
  checkNamelySignIn: (name: string): Promise<SignInResult> => call("check_namely_sign_in", { name }),
  /** Part 2, Sign in with Namely: listens on 127.0.0.1 for Namely's answer (at `port`, else the one used before, else 47600), then opens Namely's sign-in page: in the system browser, or for the sandbox in a window of the app. Call `finish_namely_sign_in` next. */
  beginNamelySignIn: (name: string, clientId: string, clientSecret: string, port: number | null): Promise<SignInStart> => call("begin_namely_sign_in", { name, clientId, clientSecret, port }),
  /** Waits (5 minutes at most) for the person to click Accept, then exchanges the code, checks the sign-in and keeps it; closes the sandbox's sign-in window either way. */
  finishNamelySignIn: (name: string): Promise<SignInResult> => call("finish_namely_sign_in", { name }),
  /** Shows Namely's sign-in page of the waiting sign-in again; false when none waits. */
  reopenNamelySignIn: (name: string): Promise<boolean> => call("reopen_namely_sign_in", { name }),
  /** Stops the waiting sign-in (its `finish_namely_sign_in` answers that it was cancelled); false when none waits. */
  cancelNamelySignIn: (name: string): Promise<boolean> => call("cancel_namely_sign_in", { name }),
  /** Part 1: the Namely field `icims_id` (Text). */
  checkNamelyField: (name: string): Promise<CheckResult> => call("check_namely_field", { name }),
  /** Part 3: the people who signed in, each verified live. */
  ownerStep: (name: string): Promise<OwnerStep> => call("owner_step", { name }),
  /** Part 3: chooses the owner among the people who signed in; with `confirm_administrator`, confirms the access role Namely did not report. */
  chooseOwner: (name: string, profileId: string, confirmAdministrator: boolean): Promise<OwnerStep> => call("choose_owner", { name, profileId, confirmAdministrator }),
  /** Part 4: tests the iCIMS connection as typed; saves nothing. */
  testIcims: (name: string, input: IcimsInput): Promise<CheckResult> => call("test_icims", { name, input }),
  /** Part 4: tests, and only when the test passes saves the settings and the key. */
  saveIcims: (name: string, input: IcimsInput): Promise<CheckResult> => call("save_icims", { name, input }),
  /** Removes a secret from the keychain. */
  removeSecret: (name: string, kind: SecretKind): Promise<ConnectionDetails> => call("remove_secret", { name, kind }),
  /** Hired statuses and schedule (stop 5 and Settings). */
  updateSyncSettings: (name: string, input: SyncSettingsInput): Promise<ConnectionDetails> => call("update_sync_settings", { name, input }),
  /** The start-from dates on offer, counted from the latest dry run. */
  startFromChoices: (name: string): Promise<StartFromChoices> => call("start_from_choices", { name }),
  /** A dry run: the plan, nothing written to Namely. Progress as `sync-progress`. */
  previewSync: (name: string): Promise<RunDetails> => call("preview_sync", { name }),
  /** A real sync. Progress as `sync-progress`, the end as `sync-finished`. */
  syncNow: (name: string): Promise<RunDetails> => call("sync_now", { name }),
  /** Sends again the hires whose last attempt failed. */
  retryFailed: (name: string): Promise<RunDetails> => call("retry_failed", { name }),
  /** Stops the running sync (manual or scheduled) after the record in flight; it ends recorded as cancelled, announced as `sync-finished`. False when none runs here. */
  cancelSync: (name: string): Promise<boolean> => call("cancel_sync", { name }),
  /** Hires waiting for a person's decision ("needs review"), oldest first. */
  openReviews: (name: string): Promise<Array<ReviewItem>> => call("open_reviews", { name }),
  /** Link: writes the hire's `icims_id` onto the Namely profile that is already them. */
  linkReview: (name: string, personId: number, profileId: string): Promise<RunDetails> => call("link_review", { name, personId, profileId }),
  /** Create anyway: adds the hire although a possible match exists. */
  createAnyway: (name: string, personId: number): Promise<RunDetails> => call("create_anyway", { name, personId }),
  /** The newest runs of a connection. */
  listRuns: (name: string, limit: number): Promise<Array<RunSummary>> => call("list_runs", { name, limit }),
  /** One run with every record. */
  getRun: (runId: number): Promise<RunDetails> => call("get_run", { runId }),
  /** Writes a run as CSV into the Downloads folder. */
  exportRunCsv: (runId: number): Promise<ExportedFile> => call("export_run_csv", { runId }),
  /** Whether schedules are paused and the app starts at login. */
  backgroundState: (): Promise<BackgroundState> => call("background_state", {}),
  /** Pauses or resumes every schedule (as the tray's "Pause schedules" does). */
  setSchedulesPaused: (paused: boolean): Promise<BackgroundState> => call("set_schedules_paused", { paused }),
  /** Turns starting the app (in the tray) at login on or off. */
  setStartAtLogin: (enabled: boolean): Promise<BackgroundState> => call("set_start_at_login", { enabled }),
};

export type Api = typeof api;

/** The backend's events, one typed subscription per event. */
export const on = {
  /** Live progress of every sync, manual or scheduled. */
  syncProgress: (handler: (payload: SyncProgress) => void): Promise<UnlistenFn> => listen("sync-progress", handler),
  /** A run ended, manual or scheduled, or a scheduled one could not start. */
  syncFinished: (handler: (payload: SyncFinished) => void): Promise<UnlistenFn> => listen("sync-finished", handler),
  /** Schedules were paused or resumed, or start at login changed (tray or Settings). */
  backgroundChanged: (handler: (payload: BackgroundState) => void): Promise<UnlistenFn> => listen("background-changed", handler),
  /** A notification was clicked: show this screen. */
  openScreen: (handler: (payload: NoticeRoute) => void): Promise<UnlistenFn> => listen("open-screen", handler),
};
