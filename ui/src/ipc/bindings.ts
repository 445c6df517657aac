// Generated from crates/core/src/api.rs by crates/core/tests/bindings.rs. Do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p icims-namely-core --test bindings

export type Counts = { 
/**
 * Hires read from iCIMS.
 */
read: number, created: number, would_create: number, already_in_namely: number, needs_review: number, invalid: number, failed: number, 
/**
 * Left out: started before the start-from date.
 */
left_out: number, };

export type OutcomeKind = "created" | "created_with_warning" | "would_create" | "already_in_namely" | "needs_review" | "invalid" | "failed" | "left_out";

export type Trigger = "manual" | "schedule" | "cli" | "retry" | "review";

export type CheckCode = "passed" | "secret_missing" | "field_missing" | "field_misspelt" | "field_wrong_type" | "field_hidden" | "token_refused" | "token_forbidden" | "token_owner_unknown" | "company_not_found" | "nobody_signed_in" | "no_eligible_owner" | "owner_not_chosen" | "owner_not_signed_in" | "owner_not_administrator" | "owner_inactive" | "owner_unverified" | "token_not_owner" | "icims_input_invalid" | "icims_credentials_refused" | "icims_customer_not_found" | "icims_wrong_region" | "icims_not_integration_user" | "icims_budget_exhausted" | "clock_skew" | "vendor_unreachable" | "vendor_timeout" | "vendor_throttled" | "vendor_unavailable" | "settings_invalid" | "unexpected_answer";

export type RunErrorCode = "cancelled" | "interrupted" | "icims_budget" | "icims_credentials" | "icims_access" | "icims_unavailable" | "icims_unexpected" | "namely_credentials" | "namely_throttled" | "namely_unavailable" | "namely_unexpected" | "local_storage" | "secret_missing" | "keychain" | "not_started" | "owner_invalid";

export type SetupStep = "namely_field" | "namely_sign_in" | "owner" | "icims" | "review";

export type StepState = "not_started" | "passed" | "failed";

export type StepStatus = { step: SetupStep, state: StepState, 
/**
 * What the last check found (None when never checked, or checked by an older version).
 */
code: CheckCode | null, 
/**
 * What the check found, in plain words (None when never checked).
 */
message: string | null, 
/**
 * RFC 3339, UTC.
 */
checked_at: string | null, };

export type Field = "connection_name" | "namely_permalink" | "namely_token" | "namely_client_id" | "namely_client_secret" | "icims_customer_id" | "icims_username" | "icims_hmac_key" | "icims_region" | "hired_statuses" | "schedule" | "namely_url" | "icims_url" | "start_from" | "icims_concurrency" | "alert_webhook";

export type CheckResult = { step: SetupStep, 
/**
 * What the check found, to branch on. `passed` is `code == passed`.
 */
code: CheckCode, passed: boolean, 
/**
 * One line: "Found the field `icims_id` (Text)." / "Found `icmis_id`, which looks like a typo."
 */
summary: string, 
/**
 * What to do about it, when it failed.
 */
fix: string | null, 
/**
 * The input the problem concerns, if any.
 */
field: Field | null, 
/**
 * Technical detail, one click away ("Details"). Never contains a secret.
 */
detail: string | null, 
/**
 * RFC 3339, UTC.
 */
checked_at: string, };

export type Schedule = { "kind": "off" } | { "kind": "every_minutes", minutes: number, } | { "kind": "every_hours", hours: number, } | { "kind": "daily_at", hour: number, minute: number, };

export type IcimsRegion = "us" | "eu";

export type SecretKind = "icims_hmac_key" | "namely_token" | "alert_webhook" | "namely_client_secret" | "namely_refresh_token";

export type SecretStore = "keychain" | "session" | "folder";

export type SecretInfo = { kind: SecretKind, set: boolean, 
/**
 * RFC 3339, UTC, when it was saved (for a file of the secrets folder: last changed).
 */
saved_at: string | null, 
/**
 * Where it is read from; `None` when it is not set.
 */
store: SecretStore | null, 
/**
 * The file it is read from, when `store` is `folder` (or the refused file, with
 * `problem`).
 */
path: string | null, 
/**
 * Why the secrets folder's file for it is not used (readable by others, empty…), and
 * what to run; `set` is then false.
 */
problem: string | null, };

export type SettingsView = { name: string, 
/**
 * Normalised permalink, e.g. `acme`.
 */
namely_permalink: string, 
/**
 * `https://acme.namely.com` (or the sandbox address).
 */
namely_web_url: string, icims_customer_id: string | null, icims_username: string | null, icims_region: IcimsRegion, hired_statuses: Array<string>, schedule: Schedule, 
/**
 * The Namely field `name` found for `icims_id` by the field check.
 */
icims_field_name: string | null, owner_profile_id: string | null, sandbox: boolean, 
/**
 * `YYYY-MM-DD`: hires who started (else were hired) before it are never created.
 */
start_from: string, 
/**
 * Why the next run reads again from the start-from date, when it will.
 */
read_again_reason: string | null, 
/**
 * Hired statuses that matched no workflow since the start-from date.
 */
unmatched_statuses: Array<string>, 
/**
 * Who confirmed the owner's access role, when Namely did not report it.
 */
owner_role_confirmation: RoleConfirmationView | null, 
/**
 * iCIMS reads a sync keeps in flight at once.
 */
icims_concurrency: number, 
/**
 * Whether that is the app's default (not set for this connection).
 */
icims_concurrency_default: boolean, 
/**
 * Signed in with Namely through the application with this client id; `None`: a
 * personal access token.
 */
namely_client_id: string | null, 
/**
 * The redirect URI to register with the application in Namely, exactly as shown:
 * `http://127.0.0.1:47600/namely/callback`.
 */
namely_redirect_uri: string, };

export type Health = { 
/**
 * Every wizard stop passed.
 */
setup_complete: boolean, owner_valid: boolean, icims_key_set: boolean, 
/**
 * A Namely credential is saved: a personal access token, or a sign-in with Namely.
 */
namely_token_set: boolean, };

export type ConnectionSummary = { name: string, 
/**
 * The company name Namely reported, once signed in.
 */
company_name: string | null, namely_permalink: string, sandbox: boolean, health: Health, last_run: RunSummary | null, 
/**
 * When the next scheduled sync is (RFC 3339, UTC; now when due); None when the schedule
 * is off or paused, or setup is not finished.
 */
next_sync_at: string | null, 
/**
 * The same for a person, in the computer's time zone: "14:30 today", "07:00 tomorrow",
 * "now".
 */
next_sync_text: string | null, 
/**
 * Why the schedule runs otherwise than set, if it does: stretched to fit the iCIMS daily
 * limit ("Every 5 minutes would use about 28,800 iCIMS calls a day; …"), "Schedules are
 * paused.", or waiting for setup to finish.
 */
schedule_note: string | null, schedule: Schedule, 
/**
 * A sync is running now.
 */
running: boolean, 
/**
 * What needs attention besides setup: a hired status that matched nothing, a read that
 * will start again from the start-from date.
 */
warnings: Array<string>, };

export type ConnectionDetails = { settings: SettingsView, company_name: string | null, secrets: Array<SecretInfo>, steps: Array<StepStatus>, 
/**
 * The first stop that is not verified: where the wizard resumes.
 */
resume_step: SetupStep, health: Health, 
/**
 * As in [`ConnectionSummary`]: the next scheduled sync (RFC 3339, UTC), in words, and
 * why the schedule runs otherwise than set.
 */
next_sync_at: string | null, next_sync_text: string | null, schedule_note: string | null, };

export type NewConnectionInput = { name: string, 
/**
 * `acme`, `acme.namely.com` or `https://acme.namely.com/...`.
 */
namely_permalink: string, };

export type PermalinkView = { permalink: string, web_url: string, };

export type IcimsInput = { customer_id: string, username: string, region: IcimsRegion, 
/**
 * None: keep (or test) the key already in the keychain.
 */
hmac_key: string | null, };

export type SignInStart = { 
/**
 * `https://acme.namely.com/api/v1/oauth2/authorize?…`: open it in the browser.
 */
authorize_url: string, 
/**
 * The redirect URI registered with the application, where the app listens.
 */
redirect_uri: string, 
/**
 * The Namely sign-in runs in the built-in sandbox.
 */
sandbox: boolean, };

export type SignInResult = { check: CheckResult, company_name: string | null, 
/**
 * The person the credential belongs to.
 */
signed_in_as: OwnerCandidate | null, };

export type OwnerVerdict = "can_own" | "not_administrator" | "inactive" | "role_unknown";

export type OwnerCandidate = { profile_id: string, full_name: string, email: string | null, access_role: string | null, user_status: string, verdict: OwnerVerdict, 
/**
 * "✓ can own", "✗ not an Administrator", "✗ inactive in Namely", …
 */
reason: string, 
/**
 * RFC 3339, UTC.
 */
verified_at: string, };

export type RoleConfirmationView = { profile_id: string, by: string, 
/**
 * RFC 3339, UTC.
 */
at: string, };

export type OwnerStep = { candidates: Array<OwnerCandidate>, chosen_profile_id: string | null, 
/**
 * The Namely profile the saved token belongs to.
 */
signed_in_profile_id: string | null, 
/**
 * Who confirmed the chosen owner's access role, when Namely did not report it.
 */
role_confirmation: RoleConfirmationView | null, check: CheckResult, };

export type SyncSettingsInput = { hired_statuses: Array<string>, schedule: Schedule, 
/**
 * `YYYY-MM-DD`; `None` keeps the current start-from date.
 */
start_from: string | null, 
/**
 * iCIMS reads kept in flight at once, 1 to 8; 0 goes back to the default (4); `None`
 * keeps the current setting.
 */
icims_concurrency: number | null, };

export type RunStatus = "running" | "succeeded" | "finished_with_failures" | "failed" | "stopped_budget" | "interrupted" | "cancelled" | "not_started";

export type RunSummary = { id: number, connection: string, trigger: Trigger, dry_run: boolean, status: RunStatus, 
/**
 * RFC 3339, UTC.
 */
started_at: string, ended_at: string | null, counts: Counts, icims_calls: number, namely_calls: number, 
/**
 * Why the run as a whole failed or stopped early, to branch on.
 */
error_code: RunErrorCode | null, 
/**
 * Plain words, when the run as a whole failed or stopped early.
 */
error: string | null, };

export type RecordView = { person_id: number, name: string, email: string | null, outcome: OutcomeKind, 
/**
 * "Added as Jane Doe (start 2 Dec 2026)", "Needs review: …", "Failed: …"
 */
reason: string, namely_profile_id: string | null, 
/**
 * RFC 3339, UTC.
 */
at: string, 
/**
 * The hire's start date (else hire date), `YYYY-MM-DD`, when known.
 */
start_date: string | null, };

export type RunDetails = { summary: RunSummary, records: Array<RecordView>, };

export type ReviewKind = "possible_match" | "email_taken" | "same_email_in_run";

export type ReviewItem = { 
/**
 * The iCIMS person id.
 */
person_id: number, name: string, email: string | null, 
/**
 * `YYYY-MM-DD`
 */
start_date: string | null, 
/**
 * "Needs review: possibly already in Namely as …"
 */
reason: string, 
/**
 * The Namely profile it may be, when one was found.
 */
namely_profile_id: string | null, namely_name: string | null, namely_email: string | null, 
/**
 * `YYYY-MM-DD`: the Namely profile's start date, when known.
 */
namely_start_date: string | null, kind: ReviewKind, 
/**
 * RFC 3339, UTC: when the record was made.
 */
since: string, };

export type StartFromChoice = { 
/**
 * `YYYY-MM-DD`
 */
date: string, 
/**
 * "30 days ago (recommended) — 30 Oct 2026"
 */
label: string, 
/**
 * Hires the latest dry run says this date would add; `None` before any dry run.
 */
would_add: number | null, 
/**
 * `would_add` is a lower bound: the date is earlier than the one the dry run read from.
 */
at_least: boolean, 
/**
 * This is the connection's start-from date now.
 */
chosen: boolean, };

export type StartFromChoices = { 
/**
 * `YYYY-MM-DD`: the connection's start-from date.
 */
start_from: string, 
/**
 * The dry run the counts come from.
 */
preview_run_id: number | null, choices: Array<StartFromChoice>, };

export type SyncPhase = "searching" | "reading_hires" | "indexing_namely" | "planning" | "adding_to_namely" | "done";

export type SyncProgress = { connection: string, run_id: number, phase: SyncPhase, done: number, total: number | null, counts: Counts, 
/**
 * About how many seconds this phase still takes, when it can be told: listing every
 * Namely profile of a large company is paced by Namely's limit of 100 pages a minute.
 */
seconds_left: number | null, };

export type SyncFinished = { connection: string, 
/**
 * The run as history shows it; `None` when the sync could not run or be recorded.
 */
run: RunSummary | null, };

export type SandboxInfo = { icims_url: string, namely_url: string, namely_permalink: string, namely_token: string, icims_customer_id: string, icims_username: string, icims_hmac_key: string, 
/**
 * The demo application for Sign in with Namely.
 */
namely_client_id: string, namely_client_secret: string, };

export type KeychainStatus = { 
/**
 * False when no system keychain is available and secrets are kept for this session only.
 */
persistent: boolean, message: string, };

export type AppInfo = { version: string, data_dir: string, keychain: KeychainStatus, };

export type BackgroundState = { 
/**
 * Scheduled syncs are paused (from the tray or the dashboard) until resumed or the app
 * restarts.
 */
schedules_paused: boolean, 
/**
 * The app starts (in the tray) when the person logs in.
 */
start_at_login: boolean, 
/**
 * Whether this system lets the app start at login; when not, `start_at_login_problem`
 * says why.
 */
start_at_login_problem: string | null, };

export type NoticeRoute = { "name": "history", connection: string, runId: number, } | { "name": "wizard", connection: string, } | { "name": "dashboard" };

export type ExportedFile = { path: string, rows: number, };

export type ErrorCode = "invalid_input" | "not_found" | "already_exists" | "busy" | "secret_missing" | "keychain" | "credentials" | "network" | "storage" | "internal";

export type IpcError = { code: ErrorCode, 
/**
 * What happened and what to do, in plain words. Never contains a secret.
 */
message: string, field: Field | null, };

/** The setup wizard's stops, in order. */
export const SETUP_STEPS: readonly SetupStep[] = ["namely_field", "namely_sign_in", "owner", "icims", "review"];
