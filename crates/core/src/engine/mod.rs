//! The engine's facade: the one entry point the desktop app and the command line use.
//!
//! It ties the store (non-secret settings, history), the keychain (secrets), the vendor
//! clients, the setup checks and the sync together, and answers in the view types of
//! [`crate::api`]. Keychain calls are blocking (a locked keychain may prompt), so they run on
//! tokio's blocking pool; everything else is async or fast.
//!
//! This file holds the [`Engine`] itself: opening it, its options, what every part shares.
//! The rest is one file per concern, each an `impl Engine` block:
//!
//! | file             | owns                                                              |
//! |------------------|-------------------------------------------------------------------|
//! | `connections.rs` | add, list, show, change and remove connections                    |
//! | `keychain.rs`    | a connection's secrets, and the vendor clients built from them    |
//! | `alerts.rs`      | the webhook alert after a failed run (see [`crate::alerts`])      |
//! | `setup.rs`       | the four live setup checks and what they remember                 |
//! | `signin.rs`      | Sign in with Namely (OAuth), and the credential Namely calls use  |
//! | `runs.rs`        | a sync: one at a time per company, cancelled on request, recorded |
//! | `history.rs`     | past runs, their records, CSV export                              |
//! | `sandbox.rs`     | the built-in sandbox, through the shell's [`SandboxHost`]          |
//! | `views.rs`       | store rows → the view types of [`crate::api`]                     |
//! | `error.rs`       | [`EngineError`]: a code to branch on, words for a person          |

mod alerts;
mod connections;
mod error;
mod history;
mod keychain;
mod preflight;
mod review;
mod runs;
mod sandbox;
mod setup;
mod signin;
mod start_from;
mod views;

pub use error::{EngineError, Result};
pub use sandbox::{BoxFuture, HostedSandbox, SandboxHost};

use crate::api::{AppInfo, KeychainStatus};
use crate::clients::ClientOptions;
use crate::connection::{ConnectionName, IcimsRegion, Schedule};
use crate::domain::Trigger;
use crate::paths::DataDir;
use crate::secrets::Secrets;
use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use time::{OffsetDateTime, UtcOffset};

/// The name of the connection the built-in sandbox uses.
pub const SANDBOX_CONNECTION: &str = "Sandbox";

/// How the engine is set up.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub clients: ClientOptions,
    /// The computer's UTC offset, read once at start-up (before threads exist, where the OS
    /// allows reading it): schedules like "daily at 07:00" mean local time.
    pub local_offset: UtcOffset,
    /// The computer's time zone (`TZ`, else the system's): a daily sync at 07:00 runs at
    /// 07:00 wall-clock time, daylight saving or not. Default: [`jiff::tz::TimeZone::system`].
    pub time_zone: jiff::tz::TimeZone,
    /// iCIMS calls kept in reserve: a sync stops when fewer remain today.
    pub budget_margin: u64,
    /// The built-in simulators, when the shell hosts them (see [`SandboxHost`]). Without
    /// them, the "Sandbox" connection cannot be started or synced.
    pub sandbox: Option<Arc<dyn SandboxHost>>,
    /// The folder of the locks every data folder shares: one sync at a time per Namely
    /// company and iCIMS customer. `None`: `ICIMS_NAMELY_LOCK_DIR`, else the per-user
    /// default of [`crate::paths::shared_lock_dir`].
    pub lock_dir: Option<PathBuf>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            clients: ClientOptions::default(),
            local_offset: UtcOffset::UTC,
            time_zone: jiff::tz::TimeZone::system(),
            budget_margin: 200,
            sandbox: None,
            lock_dir: None,
        }
    }
}

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub trigger: Trigger,
    /// Plan only: write nothing to Namely.
    pub dry_run: bool,
    /// Only the persons whose latest outcome failed.
    pub retry_failed: bool,
    /// Only this person, created although a possible match exists ("Create anyway").
    pub create_anyway: Option<crate::domain::IcimsPersonId>,
}

impl SyncRequest {
    /// A real sync.
    pub fn sync(trigger: Trigger) -> Self {
        Self {
            trigger,
            dry_run: false,
            retry_failed: false,
            create_anyway: None,
        }
    }

    /// A dry run: the plan, nothing written to Namely.
    pub fn dry_run(trigger: Trigger) -> Self {
        Self {
            dry_run: true,
            ..Self::sync(trigger)
        }
    }

    /// The hires whose last attempt failed, sent again.
    pub fn retry_failed() -> Self {
        Self {
            retry_failed: true,
            ..Self::sync(Trigger::Retry)
        }
    }
}

/// A connection as the command line adds it: everything at once.
#[derive(Debug, Clone)]
pub struct AddConnection {
    pub name: String,
    pub namely_permalink: String,
    pub icims_customer_id: String,
    pub icims_username: String,
    pub icims_region: IcimsRegion,
    pub hired_statuses: Vec<String>,
    pub icims_url: Option<String>,
    pub namely_url: Option<String>,
    pub schedule: Option<Schedule>,
    /// `None`: 30 days before today.
    pub start_from: Option<time::Date>,
}

/// What the command line's `connection edit` changes; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct EditConnection {
    pub start_from: Option<time::Date>,
    pub hired_statuses: Option<Vec<String>>,
    /// An empty text goes back to the address of the region.
    pub icims_url: Option<String>,
    /// An empty text goes back to the address of the permalink.
    pub namely_url: Option<String>,
    /// iCIMS reads kept in flight at once, 1 to 8; `Some(0)` goes back to the default.
    pub icims_concurrency: Option<u8>,
    /// When the connection syncs by itself.
    pub schedule: Option<crate::schedule::Schedule>,
}

/// A change saved, and why the next run reads iCIMS again from the start-from date, if it
/// does.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    pub details: crate::api::ConnectionDetails,
    pub read_again: Option<String>,
}

/// The engine. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    data: DataDir,
    store: Store,
    secrets: Secrets,
    keychain_note: Option<String>,
    options: EngineOptions,
    /// Where the locks shared by all data folders live (see [`EngineOptions::lock_dir`]).
    pair_lock_dir: PathBuf,
    /// Connection keys (lowercased names) with a sync (or a removal, a link) in progress,
    /// each with the flag that stops its sync, once the sync registered one.
    running: Mutex<HashMap<String, Option<Arc<AtomicBool>>>>,
    /// Bumped when settings that affect the schedule change.
    schedule_changed: tokio::sync::watch::Sender<u64>,
    /// Scheduled syncs are paused (in memory: a restart resumes them).
    schedules_paused: AtomicBool,
    /// Sign-ins with Namely waiting for the browser, by connection key.
    sign_ins: Mutex<HashMap<String, signin::PendingSignIn>>,
    /// Signed-in Namely sessions (access tokens in memory), by connection key.
    sessions: Mutex<signin::Sessions>,
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

impl Engine {
    /// Opens the data folder (`ICIMS_NAMELY_HOME` or the platform's app-data folder) and the
    /// system keychain; without a keychain, secrets are kept for this session only (and
    /// [`Engine::app_info`] says so). Secrets are read first from the secrets folder
    /// `ICIMS_NAMELY_SECRETS_DIR` names, when set (see [`crate::secrets::folder`]).
    pub fn open_default(options: EngineOptions) -> Result<Engine> {
        let data = DataDir::locate().map_err(|e| EngineError::invalid(e.to_string(), None))?;
        let folder = Secrets::folder_from_env();
        let (secrets, warning) = Secrets::system_or_session_only();
        let secrets = secrets.with_folder(folder);
        let note = keychain_note(&secrets, warning.as_ref());
        Engine::open(data, secrets, note, options)
    }

    /// Opens the engine on an explicit data folder and secret store (tests use a mock store).
    pub fn open(
        data: DataDir,
        secrets: Secrets,
        keychain_note: Option<String>,
        options: EngineOptions,
    ) -> Result<Engine> {
        // A data folder that cannot be created (a bad ICIMS_NAMELY_HOME, no permission) is a
        // configuration problem the person can fix.
        data.ensure()
            .map_err(|e| EngineError::invalid(e.to_string(), None))?;
        let store = Store::open(data.db_path())?;
        // Runs left "running" by a process that died are marked interrupted — but not those
        // of connections another live process (the app or the CLI) is syncing right now.
        let busy: Vec<ConnectionName> = store
            .list_connections()?
            .into_iter()
            .filter(|s| {
                matches!(
                    runs::try_lock_file(&runs::lock_path(&data, &s.name)),
                    Ok(None)
                )
            })
            .map(|s| s.name)
            .collect();
        let interrupted = store.recover_interrupted_except(now(), &busy)?;
        if !interrupted.is_empty() {
            tracing::info!(
                runs = interrupted.len(),
                "marked runs left unfinished as interrupted"
            );
        }
        let (schedule_changed, _) = tokio::sync::watch::channel(0);
        // Without a per-user folder (no home), the locks shared by data folders stay in this
        // one: a second connection to the same company here is still refused.
        let pair_lock_dir = options
            .lock_dir
            .clone()
            .or_else(crate::paths::shared_lock_dir)
            .unwrap_or_else(|| data.root().join("locks").join("shared"));
        Ok(Engine {
            inner: Arc::new(Inner {
                data,
                store,
                secrets,
                keychain_note,
                options,
                pair_lock_dir,
                running: Mutex::new(HashMap::new()),
                schedule_changed,
                schedules_paused: AtomicBool::new(false),
                sign_ins: Mutex::new(HashMap::new()),
                sessions: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn options(&self) -> &EngineOptions {
        &self.inner.options
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.inner.data
    }

    /// Woken whenever a schedule or the set of connections changes.
    pub fn schedule_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.schedule_changed.subscribe()
    }

    fn schedule_changed(&self) {
        self.inner.schedule_changed.send_modify(|n| *n += 1);
    }

    /// Pauses (or resumes) every scheduled sync of this engine until resumed or the process
    /// ends; manual syncs and "Sync all now" still run. Wakes the scheduler.
    pub fn set_schedules_paused(&self, paused: bool) {
        let was = self
            .inner
            .schedules_paused
            .swap(paused, std::sync::atomic::Ordering::SeqCst);
        if was != paused {
            tracing::info!(paused, "scheduled syncs paused or resumed");
            self.schedule_changed();
        }
    }

    /// Scheduled syncs are paused ([`Engine::set_schedules_paused`]).
    pub fn schedules_paused(&self) -> bool {
        self.inner
            .schedules_paused
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn app_info(&self) -> AppInfo {
        let persistent = self.inner.secrets.is_persistent();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.inner.data.root().display().to_string(),
            keychain: KeychainStatus {
                persistent,
                message: match (&self.inner.keychain_note, persistent) {
                    (Some(note), _) => note.clone(),
                    (None, _) => keychain_note(&self.inner.secrets, None).unwrap_or_else(|| {
                        if persistent {
                            "Secrets are kept in the system keychain.".to_string()
                        } else {
                            "No system keychain: secrets are kept for this session only."
                                .to_string()
                        }
                    }),
                },
            },
        }
    }
}

/// What to tell people about where secrets are kept, when there is something to tell: no
/// keychain (`why`), or a secrets folder read first. With a folder, the missing keychain is
/// no warning: the folder's secrets last.
fn keychain_note(secrets: &Secrets, why: Option<&crate::secrets::SecretsError>) -> Option<String> {
    match (secrets.folder(), why) {
        (Some(dir), None) if secrets.is_persistent() => Some(format!(
            "Secrets are read from the secrets folder {} (ICIMS_NAMELY_SECRETS_DIR) when it holds \
             them, else from the system keychain.",
            dir.display()
        )),
        (Some(dir), _) => Some(format!(
            "Secrets are read from the secrets folder {} (ICIMS_NAMELY_SECRETS_DIR). A secret \
             saved here instead lasts for this session only: put it in that folder.",
            dir.display()
        )),
        (None, Some(w)) => Some(format!(
            "{w} Until then, secrets are kept for this session only and must be entered again \
             after a restart."
        )),
        (None, None) => None,
    }
}
