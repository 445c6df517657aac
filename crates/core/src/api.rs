//! The engine's public view types: what the desktop app and the CLI show and send.
//!
//! These are the IPC contract of the desktop app. TypeScript declarations are generated from
//! them into `ui/src/ipc/bindings.ts` (see `tests/bindings.rs`; a test fails when that file is
//! stale). They never carry a secret: the interface only learns *whether* a secret is set and
//! when it was saved. Times are RFC 3339 strings in UTC; the interface formats them locally.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::connection::IcimsRegion;
pub use crate::domain::{
    CheckCode, Counts, OutcomeKind, RunErrorCode, RunStatus, SetupStep, Trigger,
};
pub use crate::notices::NoticeRoute;
pub use crate::schedule::Schedule;
pub use crate::secrets::{SecretInput, SecretKind};

/// Where a wizard stop stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    NotStarted,
    Passed,
    Failed,
}

/// The last live check of one wizard stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StepStatus {
    pub step: SetupStep,
    pub state: StepState,
    /// What the last check found (None when never checked, or checked by an older version).
    pub code: Option<CheckCode>,
    /// What the check found, in plain words (None when never checked).
    pub message: Option<String>,
    /// RFC 3339, UTC.
    pub checked_at: Option<String>,
}

/// An input field a check result points at, so the interface shows the error next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ConnectionName,
    NamelyPermalink,
    NamelyToken,
    /// Sign in with Namely: the client id of the application registered in Namely.
    NamelyClientId,
    /// Sign in with Namely: its client secret.
    NamelyClientSecret,
    IcimsCustomerId,
    IcimsUsername,
    IcimsHmacKey,
    IcimsRegion,
    HiredStatuses,
    Schedule,
    /// An explicit Namely address in place of the permalink's (sandbox, tests).
    NamelyUrl,
    /// An explicit iCIMS address in place of the region's (sandbox, tests).
    IcimsUrl,
    /// The start-from date.
    StartFrom,
    /// iCIMS reads kept in flight at once.
    IcimsConcurrency,
    /// The address alerts are posted to.
    AlertWebhook,
}

impl From<SecretKind> for Field {
    /// The input a secret is typed into.
    fn from(kind: SecretKind) -> Field {
        match kind {
            SecretKind::IcimsHmacKey => Field::IcimsHmacKey,
            SecretKind::NamelyToken => Field::NamelyToken,
            SecretKind::AlertWebhook => Field::AlertWebhook,
            SecretKind::NamelyClientSecret => Field::NamelyClientSecret,
            SecretKind::NamelyRefreshToken => Field::NamelyClientId,
        }
    }
}

/// The result of one live setup check: what happened, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CheckResult {
    pub step: SetupStep,
    /// What the check found, to branch on. `passed` is `code == passed`.
    pub code: CheckCode,
    pub passed: bool,
    /// One line: "Found the field `icims_id` (Text)." / "Found `icmis_id`, which looks like a typo."
    pub summary: String,
    /// What to do about it, when it failed.
    pub fix: Option<String>,
    /// The input the problem concerns, if any.
    pub field: Option<Field>,
    /// Technical detail, one click away ("Details"). Never contains a secret.
    pub detail: Option<String>,
    /// RFC 3339, UTC.
    pub checked_at: String,
}

/// Where a secret is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretStore {
    /// The system keychain.
    Keychain,
    /// This session's memory (no system keychain): gone when the app or command ends.
    Session,
    /// A file of the secrets folder (`ICIMS_NAMELY_SECRETS_DIR`); it wins over the keychain.
    Folder,
}

/// Whether a secret is set, where it is read from, and since when. Never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecretInfo {
    pub kind: SecretKind,
    pub set: bool,
    /// RFC 3339, UTC, when it was saved (for a file of the secrets folder: last changed).
    pub saved_at: Option<String>,
    /// Where it is read from; `None` when it is not set.
    pub store: Option<SecretStore>,
    /// The file it is read from, when `store` is `folder` (or the refused file, with
    /// `problem`).
    pub path: Option<String>,
    /// Why the secrets folder's file for it is not used (readable by others, empty…), and
    /// what to run; `set` is then false.
    pub problem: Option<String>,
}

/// The non-secret settings of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SettingsView {
    pub name: String,
    /// Normalised permalink, e.g. `acme`.
    pub namely_permalink: String,
    /// `https://acme.namely.com` (or the sandbox address).
    pub namely_web_url: String,
    pub icims_customer_id: Option<String>,
    pub icims_username: Option<String>,
    pub icims_region: IcimsRegion,
    pub hired_statuses: Vec<String>,
    pub schedule: Schedule,
    /// The Namely field `name` found for `icims_id` by the field check.
    pub icims_field_name: Option<String>,
    pub owner_profile_id: Option<String>,
    pub sandbox: bool,
    /// `YYYY-MM-DD`: hires who started (else were hired) before it are never created.
    pub start_from: String,
    /// Why the next run reads again from the start-from date, when it will.
    pub read_again_reason: Option<String>,
    /// Hired statuses that matched no workflow since the start-from date.
    pub unmatched_statuses: Vec<String>,
    /// Who confirmed the owner's access role, when Namely did not report it.
    pub owner_role_confirmation: Option<RoleConfirmationView>,
    /// iCIMS reads a sync keeps in flight at once.
    pub icims_concurrency: u32,
    /// Whether that is the app's default (not set for this connection).
    pub icims_concurrency_default: bool,
    /// Signed in with Namely through the application with this client id; `None`: a
    /// personal access token.
    pub namely_client_id: Option<String>,
    /// The redirect URI to register with the application in Namely, exactly as shown:
    /// `http://127.0.0.1:47600/namely/callback`.
    pub namely_redirect_uri: String,
}

/// Health chips of a connection card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Health {
    /// Every wizard stop passed.
    pub setup_complete: bool,
    pub owner_valid: bool,
    pub icims_key_set: bool,
    /// A Namely credential is saved: a personal access token, or a sign-in with Namely.
    pub namely_token_set: bool,
}

/// One card of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionSummary {
    pub name: String,
    /// The company name Namely reported, once signed in.
    pub company_name: Option<String>,
    pub namely_permalink: String,
    pub sandbox: bool,
    pub health: Health,
    pub last_run: Option<RunSummary>,
    /// When the next scheduled sync is (RFC 3339, UTC; now when due); None when the schedule
    /// is off or paused, or setup is not finished.
    pub next_sync_at: Option<String>,
    /// The same for a person, in the computer's time zone: "14:30 today", "07:00 tomorrow",
    /// "now".
    pub next_sync_text: Option<String>,
    /// Why the schedule runs otherwise than set, if it does: stretched to fit the iCIMS daily
    /// limit ("Every 5 minutes would use about 28,800 iCIMS calls a day; …"), "Schedules are
    /// paused.", or waiting for setup to finish.
    pub schedule_note: Option<String>,
    pub schedule: Schedule,
    /// A sync is running now.
    pub running: bool,
    /// What needs attention besides setup: a hired status that matched nothing, a read that
    /// will start again from the start-from date.
    pub warnings: Vec<String>,
}

/// Everything the wizard and the settings page need about one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionDetails {
    pub settings: SettingsView,
    pub company_name: Option<String>,
    pub secrets: Vec<SecretInfo>,
    pub steps: Vec<StepStatus>,
    /// The first stop that is not verified: where the wizard resumes.
    pub resume_step: SetupStep,
    pub health: Health,
    /// As in [`ConnectionSummary`]: the next scheduled sync (RFC 3339, UTC), in words, and
    /// why the schedule runs otherwise than set.
    pub next_sync_at: Option<String>,
    pub next_sync_text: Option<String>,
    pub schedule_note: Option<String>,
}

/// What the user typed to start a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewConnectionInput {
    pub name: String,
    /// `acme`, `acme.namely.com` or `https://acme.namely.com/...`.
    pub namely_permalink: String,
}

/// A permalink as the backend understood it, to show under the input as the user types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PermalinkView {
    pub permalink: String,
    pub web_url: String,
}

/// The iCIMS connection as typed in part 4. The key is sent once, to be tested or saved, and
/// is never sent back: it is read straight into memory wiped on drop ([`SecretInput`]).
#[derive(Clone, Deserialize, TS)]
pub struct IcimsInput {
    pub customer_id: String,
    pub username: String,
    pub region: IcimsRegion,
    /// None: keep (or test) the key already in the keychain.
    pub hmac_key: Option<SecretInput>,
}

impl std::fmt::Debug for IcimsInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IcimsInput")
            .field("customer_id", &self.customer_id)
            .field("username", &self.username)
            .field("region", &self.region)
            .field("hmac_key", &self.hmac_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Sign in with Namely has begun: the address to open in the browser, and where Namely's
/// answer will come back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInStart {
    /// `https://acme.namely.com/api/v1/oauth2/authorize?…`: open it in the browser.
    pub authorize_url: String,
    /// The redirect URI registered with the application, where the app listens.
    pub redirect_uri: String,
    /// The Namely sign-in runs in the built-in sandbox.
    pub sandbox: bool,
}

/// Part 2: signed in to Namely.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInResult {
    pub check: CheckResult,
    pub company_name: Option<String>,
    /// The person the credential belongs to.
    pub signed_in_as: Option<OwnerCandidate>,
}

/// Why a person can or cannot own the integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OwnerVerdict {
    /// Active and Administrator.
    CanOwn,
    NotAdministrator,
    Inactive,
    /// Namely did not say which access role this person has.
    RoleUnknown,
}

/// A Namely user who has signed in for this company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OwnerCandidate {
    pub profile_id: String,
    pub full_name: String,
    pub email: Option<String>,
    pub access_role: Option<String>,
    pub user_status: String,
    pub verdict: OwnerVerdict,
    /// "✓ can own", "✗ not an Administrator", "✗ inactive in Namely", …
    pub reason: String,
    /// RFC 3339, UTC.
    pub verified_at: String,
}

/// Part 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OwnerStep {
    pub candidates: Vec<OwnerCandidate>,
    pub chosen_profile_id: Option<String>,
    /// The Namely profile the saved token belongs to.
    pub signed_in_profile_id: Option<String>,
    /// Who confirmed the chosen owner's access role, when Namely did not report it.
    pub role_confirmation: Option<RoleConfirmationView>,
    pub check: CheckResult,
}

/// "Administrator confirmed by Riley Roe on 29 Nov 2026".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RoleConfirmationView {
    pub profile_id: String,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// Hired statuses and schedule (stop 5 and settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncSettingsInput {
    pub hired_statuses: Vec<String>,
    pub schedule: Schedule,
    /// `YYYY-MM-DD`; `None` keeps the current start-from date.
    pub start_from: Option<String>,
    /// iCIMS reads kept in flight at once, 1 to 8; 0 goes back to the default (4); `None`
    /// keeps the current setting.
    #[serde(default)]
    pub icims_concurrency: Option<u8>,
}

/// One row of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunSummary {
    pub id: i64,
    pub connection: String,
    pub trigger: Trigger,
    pub dry_run: bool,
    pub status: RunStatus,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub ended_at: Option<String>,
    pub counts: Counts,
    pub icims_calls: u64,
    pub namely_calls: u64,
    /// Why the run as a whole failed or stopped early, to branch on.
    pub error_code: Option<RunErrorCode>,
    /// Plain words, when the run as a whole failed or stopped early.
    pub error: Option<String>,
}

/// One hire in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecordView {
    pub person_id: u64,
    pub name: String,
    pub email: Option<String>,
    pub outcome: OutcomeKind,
    /// "Added as Jane Doe (start 2 Dec 2026)", "Needs review: …", "Failed: …"
    pub reason: String,
    pub namely_profile_id: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
    /// The hire's start date (else hire date), `YYYY-MM-DD`, when known.
    pub start_date: Option<String>,
}

/// Why a hire waits for review, which says what the resolutions can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// A profile without `icims_id` has the same name and start date: Link it, or Create
    /// anyway.
    PossibleMatch,
    /// The hire's email belongs to a Namely profile: Link it; Create anyway is held back (one
    /// mailbox, one profile) until the email is changed in iCIMS or Namely.
    EmailTaken,
    /// Another hire of the same run has the same email: fix the email in iCIMS.
    SameEmailInRun,
}

/// A hire waiting for a person's decision ("needs review"), with the Namely profile it may
/// already be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewItem {
    /// The iCIMS person id.
    pub person_id: u64,
    pub name: String,
    pub email: Option<String>,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    /// "Needs review: possibly already in Namely as …"
    pub reason: String,
    /// The Namely profile it may be, when one was found.
    pub namely_profile_id: Option<String>,
    pub namely_name: Option<String>,
    pub namely_email: Option<String>,
    /// `YYYY-MM-DD`: the Namely profile's start date, when known.
    pub namely_start_date: Option<String>,
    pub kind: ReviewKind,
    /// RFC 3339, UTC: when the record was made.
    pub since: String,
}

/// One start-from date on offer in stop 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StartFromChoice {
    /// `YYYY-MM-DD`
    pub date: String,
    /// "30 days ago (recommended) — 30 Oct 2026"
    pub label: String,
    /// Hires the latest dry run says this date would add; `None` before any dry run.
    pub would_add: Option<u32>,
    /// `would_add` is a lower bound: the date is earlier than the one the dry run read from.
    pub at_least: bool,
    /// This is the connection's start-from date now.
    pub chosen: bool,
}

/// The start-from dates on offer, latest first, counted from the latest dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StartFromChoices {
    /// `YYYY-MM-DD`: the connection's start-from date.
    pub start_from: String,
    /// The dry run the counts come from.
    pub preview_run_id: Option<i64>,
    pub choices: Vec<StartFromChoice>,
}

/// A run with every record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RunDetails {
    pub summary: RunSummary,
    pub records: Vec<RecordView>,
}

/// Phase of a running sync, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Searching iCIMS for hired workflows.
    Searching,
    /// "Reading hires from iCIMS… 120 of 340"
    ReadingHires,
    /// Refreshing what the app knows of Namely profiles.
    IndexingNamely,
    Planning,
    /// "Adding to Namely… 3 of 9"
    AddingToNamely,
    Done,
}

/// Live progress of a sync (a Tauri event `sync-progress`; a progress bar in the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncProgress {
    pub connection: String,
    pub run_id: i64,
    pub phase: SyncPhase,
    pub done: u32,
    pub total: Option<u32>,
    pub counts: Counts,
    /// About how many seconds this phase still takes, when it can be told: listing every
    /// Namely profile of a large company is paced by Namely's limit of 100 pages a minute.
    pub seconds_left: Option<u32>,
}

/// A run ended (a Tauri event `sync-finished`): manual or scheduled, or a scheduled run that
/// could not start. Lists and history reload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncFinished {
    pub connection: String,
    /// The run as history shows it; `None` when the sync could not run or be recorded.
    pub run: Option<RunSummary>,
}

/// Where the built-in simulators listen, and their demo credentials. These are public demo
/// values, not secrets: they open nothing outside this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SandboxInfo {
    pub icims_url: String,
    pub namely_url: String,
    pub namely_permalink: String,
    pub namely_token: String,
    pub icims_customer_id: String,
    pub icims_username: String,
    pub icims_hmac_key: String,
    /// The demo application for Sign in with Namely.
    pub namely_client_id: String,
    pub namely_client_secret: String,
}

/// Whether secrets survive a restart on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeychainStatus {
    /// False when no system keychain is available and secrets are kept for this session only.
    pub persistent: bool,
    pub message: String,
}

/// About the running app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub keychain: KeychainStatus,
}

/// The desktop app's life in the background (tray, start at login), for Settings and the
/// dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BackgroundState {
    /// Scheduled syncs are paused (from the tray or the dashboard) until resumed or the app
    /// restarts.
    pub schedules_paused: bool,
    /// The app starts (in the tray) when the person logs in.
    pub start_at_login: bool,
    /// Whether this system lets the app start at login; when not, `start_at_login_problem`
    /// says why.
    pub start_at_login_problem: Option<String>,
}

/// A CSV file written for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportedFile {
    pub path: String,
    pub rows: u32,
}

/// What the interface branches on when a command fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Bad input; `field` says which.
    InvalidInput,
    NotFound,
    AlreadyExists,
    /// A sync is already running for this connection.
    Busy,
    /// A secret is missing from the keychain.
    SecretMissing,
    /// The keychain refused or is unavailable.
    Keychain,
    /// Credentials were refused by iCIMS or Namely.
    Credentials,
    /// The vendor could not be reached.
    Network,
    /// The local store failed.
    Storage,
    Internal,
}

/// The error every command returns: a code to branch on and a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    /// What happened and what to do, in plain words. Never contains a secret.
    pub message: String,
    pub field: Option<Field>,
}
