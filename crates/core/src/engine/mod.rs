//! The engine's facade: the one entry point the desktop app and the command line use.
//!
//! It ties the store (non-secret settings, history), the keychain (secrets), the vendor
//! clients, the setup checks and the sync together, and answers in the view types of
//! [`crate::api`]. Keychain calls are blocking (a locked keychain may prompt), so they run on
//! tokio's blocking pool; everything else is async or fast.

mod error;
mod views;

pub use error::{EngineError, Result};

use crate::api::{
    AppInfo, CheckResult, ConnectionDetails, ConnectionSummary, ExportedFile, Field, IcimsInput,
    KeychainStatus, NewConnectionInput, OwnerStep, PermalinkView, RegionView, RunDetails,
    RunSummary, SandboxInfo, SetupStep, SignInResult, SyncProgress, SyncSettingsInput,
};
use crate::checks;
use crate::clients::{self, ClientOptions};
use crate::connection::{ConnectionName, ConnectionSettings, IcimsRegion, Schedule};
use crate::domain::{IcimsPersonId, NamelyProfileId, Trigger};
use crate::paths::DataDir;
use crate::secrets::{SecretKind, Secrets};
use crate::store::{self, RunId, Store};
use crate::sync::{self, SyncContext, SyncOptions};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// iCIMS calls kept in reserve: a sync stops when fewer remain today.
    pub budget_margin: u64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            clients: ClientOptions::default(),
            local_offset: UtcOffset::UTC,
            budget_margin: 200,
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
    /// Connection keys (lowercased names) with a sync in progress.
    running: Mutex<HashSet<String>>,
    sandbox: tokio::sync::Mutex<Option<sandbox::Sandbox>>,
    /// Whether the running sandbox was restored from `<data>/sandbox/state.json` (its data is
    /// what the sandbox connection last saw) rather than started afresh.
    sandbox_restored: AtomicBool,
    /// Bumped when settings that affect the schedule change.
    schedule_changed: tokio::sync::watch::Sender<u64>,
}

/// Removes the connection from the running set when the sync ends, however it ends, and
/// releases the lock file that keeps other processes (the app, the CLI) from syncing it too.
struct RunGuard {
    inner: Arc<Inner>,
    key: String,
    _lock: std::fs::File,
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if let Ok(mut running) = self.inner.running.lock() {
            running.remove(&self.key);
        }
    }
}

/// `<data>/locks/<connection>.lock`: held (flock) by the process syncing that connection.
fn lock_path(data: &DataDir, name: &ConnectionName) -> std::path::PathBuf {
    let file: String = name
        .key()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // The readable part may map two names to one ("a b", "a_b"): a hash of the exact key
    // keeps every connection's lock its own. FNV-1a: stable across runs and versions.
    let hash = name.key().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    data.root()
        .join("locks")
        .join(format!("{file}-{hash:016x}.lock"))
}

/// The lock file, locked; `None` when another process holds it.
fn try_lock_file(path: &std::path::Path) -> Result<Option<std::fs::File>> {
    let io = |e: std::io::Error| {
        EngineError::Internal(format!(
            "Could not use the lock file {}: {e}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The kind names the store keeps secret metadata under.
fn meta_kind(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::IcimsHmacKey => "icims_hmac_key",
        SecretKind::NamelyToken => "namely_token",
    }
}

fn region_of(view: RegionView) -> IcimsRegion {
    match view {
        RegionView::Us => IcimsRegion::Us,
        RegionView::Eu => IcimsRegion::Eu,
    }
}

impl Engine {
    /// Opens the data folder (`ICIMS_NAMELY_HOME` or the platform's app-data folder) and the
    /// system keychain; without a keychain, secrets are kept for this session only (and
    /// [`Engine::app_info`] says so).
    pub fn open_default(options: EngineOptions) -> Result<Engine> {
        let data = DataDir::locate().map_err(|e| EngineError::invalid(e.to_string(), None))?;
        let (secrets, warning) = Secrets::system_or_session_only();
        let note = warning.map(|w| {
            format!("{w} Secrets are kept for this session only and must be entered again after a restart.")
        });
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
            .filter(|s| matches!(try_lock_file(&lock_path(&data, &s.name)), Ok(None)))
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
        Ok(Engine {
            inner: Arc::new(Inner {
                data,
                store,
                secrets,
                keychain_note,
                options,
                running: Mutex::new(HashSet::new()),
                sandbox: tokio::sync::Mutex::new(None),
                sandbox_restored: AtomicBool::new(false),
                schedule_changed,
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

    pub fn app_info(&self) -> AppInfo {
        let persistent = self.inner.secrets.is_persistent();
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.inner.data.root().display().to_string(),
            keychain: KeychainStatus {
                persistent,
                message: match (&self.inner.keychain_note, persistent) {
                    (Some(note), _) => note.clone(),
                    (None, true) => "Secrets are kept in the system keychain.".to_string(),
                    (None, false) => {
                        "No system keychain: secrets are kept for this session only.".to_string()
                    }
                },
            },
        }
    }

    // ----------------------------------------------------------------------------------
    // Connections
    // ----------------------------------------------------------------------------------

    /// The connection a person named (case-insensitive).
    pub fn settings(&self, name: &str) -> Result<ConnectionSettings> {
        self.inner.store.find_connection(name)?.ok_or_else(|| {
            EngineError::NotFound(format!(
                "There is no connection named \"{}\". List them with `icims-namely connection \
                 list`, or add it first.",
                name.trim()
            ))
        })
    }

    fn parse_name(name: &str) -> Result<ConnectionName> {
        ConnectionName::new(name)
            .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::ConnectionName)))
    }

    /// Normalises a permalink as typed, for showing the resolved address under the input.
    pub fn normalize_permalink(input: &str) -> Result<PermalinkView> {
        let permalink = namely::Permalink::parse(input)
            .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::NamelyPermalink)))?;
        Ok(PermalinkView {
            permalink: permalink.as_str().to_string(),
            web_url: permalink
                .web_url()
                .as_str()
                .trim_end_matches('/')
                .to_string(),
        })
    }

    fn check_hired_statuses(statuses: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for s in statuses {
            let s = s.trim();
            if s.is_empty() {
                continue;
            }
            if s.chars().any(char::is_control) || s.len() > 100 {
                return Err(EngineError::invalid(
                    format!(
                        "\"{s}\" is not a status iCIMS could have: use its name (e.g. Hired) or its id (e.g. C12345)."
                    ),
                    Some(Field::HiredStatuses),
                ));
            }
            if !out.iter().any(|o| o.eq_ignore_ascii_case(s)) {
                out.push(s.to_string());
            }
        }
        if out.is_empty() {
            return Err(EngineError::invalid(
                "Give at least one iCIMS status that counts as hired (for example Hired).",
                Some(Field::HiredStatuses),
            ));
        }
        Ok(out)
    }

    fn check_customer_id(id: &str) -> Result<String> {
        let id = id.trim();
        if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EngineError::invalid(
                format!(
                    "\"{id}\" is not an iCIMS Customer ID: it is a number, like 1234, given by \
                     your iCIMS integration specialist."
                ),
                Some(Field::IcimsCustomerId),
            ));
        }
        Ok(id.to_string())
    }

    /// Adds a connection with everything at once (the command line).
    pub fn add_connection(&self, input: AddConnection) -> Result<ConnectionDetails> {
        let name = Self::parse_name(&input.name)?;
        let permalink = Self::normalize_permalink(&input.namely_permalink)?.permalink;
        let customer_id = Self::check_customer_id(&input.icims_customer_id)?;
        let username = input.icims_username.trim().to_string();
        if username.is_empty()
            || username.contains(',')
            || username.chars().any(char::is_whitespace)
        {
            return Err(EngineError::invalid(
                "Give the iCIMS integration Username (no spaces or commas).",
                Some(Field::IcimsUsername),
            ));
        }
        let mut settings = ConnectionSettings::new(
            name,
            permalink,
            customer_id,
            username,
            input.icims_region,
            now(),
        );
        settings.hired_statuses = if input.hired_statuses.is_empty() {
            crate::connection::default_hired_statuses()
        } else {
            Self::check_hired_statuses(&input.hired_statuses)?
        };
        settings.namely_url = input.namely_url.map(|u| u.trim().to_string());
        settings.icims_url = input.icims_url.map(|u| u.trim().to_string());
        if let Some(schedule) = input.schedule {
            settings.schedule = schedule;
        }
        // Both URLs must be acceptable to the clients (plain http only on loopback).
        clients::namely_endpoint(&settings).map_err(|e| match EngineError::from(e) {
            EngineError::InvalidInput { message, .. } => EngineError::invalid(
                format!("--namely-url: {message}"),
                Some(Field::NamelyPermalink),
            ),
            other => other,
        })?;
        let probe = SecretString::from("probe");
        if let Err(e) = clients::icims_client(&settings, probe, &self.inner.options.clients) {
            return Err(EngineError::invalid(
                format!("--icims-url: {}", EngineError::from(e)),
                Some(Field::IcimsCustomerId),
            ));
        }
        self.insert_connection(&settings)?;
        self.details(&settings)
    }

    fn insert_connection(&self, settings: &ConnectionSettings) -> Result<()> {
        self.inner
            .store
            .add_connection(settings)
            .map_err(|e| match e {
                store::StoreError::ConnectionExists(existing) => {
                    EngineError::AlreadyExists(format!(
                        "A connection named \"{existing}\" already exists. Choose another name, or \
                     remove it first."
                    ))
                }
                other => other.into(),
            })?;
        self.schedule_changed();
        Ok(())
    }

    /// Starts a connection from the wizard: a name and the Namely permalink. The iCIMS part
    /// comes in part 4.
    pub fn create_connection(&self, input: NewConnectionInput) -> Result<ConnectionDetails> {
        let name = Self::parse_name(&input.name)?;
        let permalink = Self::normalize_permalink(&input.namely_permalink)?.permalink;
        let settings = ConnectionSettings::new(name, permalink, "", "", IcimsRegion::Us, now());
        self.insert_connection(&settings)?;
        self.details(&settings)
    }

    /// Every connection as a dashboard card, sorted by name.
    pub fn list_connections(&self) -> Result<Vec<ConnectionSummary>> {
        let running = self.running_keys();
        self.inner
            .store
            .list_connections()?
            .iter()
            .map(|s| self.summary(s, &running))
            .collect()
    }

    /// Everything about one connection.
    pub fn connection(&self, name: &str) -> Result<ConnectionDetails> {
        let settings = self.settings(name)?;
        self.details(&settings)
    }

    /// Removes a connection and its secrets. History stays unless `keep_history` is false.
    pub async fn remove_connection(&self, name: &str, keep_history: bool) -> Result<()> {
        let settings = self.settings(name)?;
        // Held to the end: no sync (here or in another process) may start while the
        // connection, its intents and its secrets are being removed.
        let _guard = self.claim(&settings.name)?;
        self.keychain(&settings, |s, conn| s.delete_all(conn))
            .await?;
        self.inner
            .store
            .remove_connection(&settings.name, keep_history)?;
        self.schedule_changed();
        Ok(())
    }

    /// Hired statuses and schedule.
    pub fn update_sync_settings(
        &self,
        name: &str,
        input: SyncSettingsInput,
    ) -> Result<ConnectionDetails> {
        let mut settings = self.settings(name)?;
        settings.hired_statuses = Self::check_hired_statuses(&input.hired_statuses)?;
        settings.schedule = views::schedule_from_view(&input.schedule)?;
        self.inner.store.update_connection(&settings)?;
        self.schedule_changed();
        self.details(&settings)
    }

    // ----------------------------------------------------------------------------------
    // Secrets
    // ----------------------------------------------------------------------------------

    /// Saves a secret in the keychain (never anywhere else) and notes when.
    pub async fn set_secret(
        &self,
        name: &str,
        kind: SecretKind,
        value: SecretString,
    ) -> Result<()> {
        let settings = self.settings(name)?;
        let trimmed = value.expose_secret().trim();
        if trimmed.is_empty() {
            return Err(EngineError::invalid(
                format!("The {} is empty. Paste it again.", kind.label()),
                Some(match kind {
                    SecretKind::IcimsHmacKey => Field::IcimsHmacKey,
                    SecretKind::NamelyToken => Field::NamelyToken,
                }),
            ));
        }
        // A token pasted with a trailing newline is still the token; an HMAC key is kept
        // byte for byte (the iCIMS client refuses surrounding white space with its own message).
        let value = match kind {
            SecretKind::NamelyToken => SecretString::from(trimmed.to_string()),
            SecretKind::IcimsHmacKey => value,
        };
        self.keychain(&settings, move |s, conn| s.set(conn, kind, &value))
            .await?;
        self.inner
            .store
            .set_secret_meta(&settings.name, meta_kind(kind), now())?;
        Ok(())
    }

    /// Removes a secret from the keychain.
    pub async fn remove_secret(&self, name: &str, kind: SecretKind) -> Result<ConnectionDetails> {
        let settings = self.settings(name)?;
        self.keychain(&settings, move |s, conn| s.delete(conn, kind))
            .await?;
        self.inner
            .store
            .remove_secret_meta(&settings.name, meta_kind(kind))?;
        self.details(&settings)
    }

    /// Runs a keychain call for this connection on tokio's blocking pool: a locked keychain
    /// on a desktop may prompt and block, and must never hold up an async thread.
    async fn keychain<T: Send + 'static>(
        &self,
        settings: &ConnectionSettings,
        call: impl FnOnce(&Secrets, &str) -> crate::secrets::Result<T> + Send + 'static,
    ) -> Result<T> {
        let secrets = self.inner.secrets.clone();
        let conn = settings.name.to_string();
        Ok(tokio::task::spawn_blocking(move || call(&secrets, &conn))
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))??)
    }

    async fn secret(
        &self,
        settings: &ConnectionSettings,
        kind: SecretKind,
    ) -> Result<Option<SecretString>> {
        self.keychain(settings, move |s, conn| s.get(conn, kind))
            .await
    }

    async fn require_secret(
        &self,
        settings: &ConnectionSettings,
        kind: SecretKind,
    ) -> Result<SecretString> {
        self.secret(settings, kind)
            .await?
            .ok_or_else(|| EngineError::secret_missing(settings.name.as_str(), kind))
    }

    async fn namely_client(&self, settings: &ConnectionSettings) -> Result<namely::Client> {
        let token = self
            .require_secret(settings, SecretKind::NamelyToken)
            .await?;
        Ok(clients::namely_client(
            settings,
            token,
            &self.inner.options.clients,
        )?)
    }

    async fn icims_client(&self, settings: &ConnectionSettings) -> Result<icims::Client> {
        let key = self
            .require_secret(settings, SecretKind::IcimsHmacKey)
            .await?;
        Ok(clients::icims_client(
            settings,
            key,
            &self.inner.options.clients,
        )?)
    }

    // ----------------------------------------------------------------------------------
    // Setup checks (each verified live, each result remembered)
    // ----------------------------------------------------------------------------------

    fn remember(&self, settings: &ConnectionSettings, result: &CheckResult) -> Result<()> {
        let message = match &result.fix {
            Some(fix) if !result.passed => format!("{} {}", result.summary, fix),
            _ => result.summary.clone(),
        };
        self.inner.store.record_check(
            &settings.name,
            result.step.as_str(),
            result.passed,
            &message,
            now(),
        )?;
        Ok(())
    }

    fn missing_secret_result(step: SetupStep, kind: SecretKind) -> CheckResult {
        CheckResult {
            step,
            passed: false,
            summary: format!("No {} is saved for this company yet.", kind.label()),
            fix: Some(match kind {
                SecretKind::NamelyToken => "Paste a Namely personal access token (Namely › API › Personal Access Tokens) to sign in.".to_string(),
                SecretKind::IcimsHmacKey => "Enter the iCIMS Customer ID, Username and HMAC key, then Test connection.".to_string(),
            }),
            field: Some(match kind {
                SecretKind::NamelyToken => Field::NamelyToken,
                SecretKind::IcimsHmacKey => Field::IcimsHmacKey,
            }),
            detail: None,
            checked_at: views::rfc3339(now()),
        }
    }

    /// Saves a Namely token, then signs in with it (part 2).
    pub async fn save_namely_token(&self, name: &str, token: SecretString) -> Result<SignInResult> {
        let settings = self.settings(name)?;
        if token.expose_secret().trim().is_empty() {
            return Err(EngineError::invalid(
                "The Namely token is empty. Paste it again.",
                Some(Field::NamelyToken),
            ));
        }
        let token = SecretString::from(token.expose_secret().trim().to_string());
        // Sign in with the new token first: a wrong or expired token must not replace one
        // that works (scheduled syncs would start failing).
        let result = self.sign_in_with(settings, token.clone()).await?;
        if result.check.passed {
            self.set_secret(name, SecretKind::NamelyToken, token)
                .await?;
        }
        Ok(result)
    }

    /// Part 2: the Namely credential works for this permalink.
    pub async fn check_namely_sign_in(&self, name: &str) -> Result<SignInResult> {
        let settings = self.settings(name)?;
        let Some(token) = self.secret(&settings, SecretKind::NamelyToken).await? else {
            let check =
                Self::missing_secret_result(SetupStep::NamelySignIn, SecretKind::NamelyToken);
            self.remember(&settings, &check)?;
            return Ok(SignInResult {
                check,
                company_name: None,
                signed_in_as: None,
            });
        };
        self.sign_in_with(settings, token).await
    }

    /// Signs in with `token` and remembers the result (and, when it passes, the company name
    /// and the person as a possible owner). Does not store the token.
    async fn sign_in_with(
        &self,
        mut settings: ConnectionSettings,
        token: SecretString,
    ) -> Result<SignInResult> {
        let client = clients::namely_client(&settings, token, &self.inner.options.clients)?;
        let result = checks::namely_sign_in(&client, now()).await;
        self.remember(&settings, &result.check)?;
        if result.check.passed {
            if let Some(company) = &result.company_name {
                settings.namely_company_name = Some(company.clone());
            }
            if let Some(me) = &result.signed_in_as {
                self.inner.store.upsert_owner_candidate(
                    &settings.name,
                    &store::OwnerCandidate {
                        profile_id: NamelyProfileId(me.profile_id.clone()),
                        full_name: me.full_name.clone(),
                        email: me.email.clone(),
                        access_role: me.access_role.clone(),
                        user_status: me.user_status.clone(),
                        verified_at: now(),
                    },
                )?;
                // The person who signs in is the natural owner when none is chosen yet.
                if settings.owner_profile_id.is_none()
                    && me.verdict == crate::api::OwnerVerdict::CanOwn
                {
                    settings.owner_profile_id = Some(NamelyProfileId(me.profile_id.clone()));
                }
            }
            self.inner.store.update_connection(&settings)?;
        }
        Ok(result)
    }

    /// Part 1: the Namely field `icims_id` exists and is Text.
    pub async fn check_namely_field(&self, name: &str) -> Result<CheckResult> {
        let mut settings = self.settings(name)?;
        let Some(token) = self.secret(&settings, SecretKind::NamelyToken).await? else {
            let check =
                Self::missing_secret_result(SetupStep::NamelyField, SecretKind::NamelyToken);
            self.remember(&settings, &check)?;
            return Ok(check);
        };
        let client = clients::namely_client(&settings, token, &self.inner.options.clients)?;
        let found = checks::namely_field(&client, now()).await;
        self.remember(&settings, &found.result)?;
        if found.result.passed && found.field_name != settings.icims_field_name {
            settings.icims_field_name = found.field_name.clone();
            self.inner.store.update_connection(&settings)?;
        }
        Ok(found.result)
    }

    /// Part 3: the people who signed in for this company, each verified live now.
    pub async fn owner_step(&self, name: &str) -> Result<OwnerStep> {
        let settings = self.settings(name)?;
        let stored = self.inner.store.owner_candidates(&settings.name)?;
        let client = match self.secret(&settings, SecretKind::NamelyToken).await? {
            Some(token) => Some(clients::namely_client(
                &settings,
                token,
                &self.inner.options.clients,
            )?),
            None => None,
        };
        let mut candidates = Vec::with_capacity(stored.len());
        for c in &stored {
            let live = match &client {
                Some(client) => {
                    client
                        .profile(&namely::ProfileId::new(c.profile_id.0.clone()))
                        .await
                }
                None => Err(namely::Error::Unauthorized),
            };
            let candidate = match live {
                Ok(profile) => {
                    let v = checks::owner_verdict(&profile, now());
                    self.inner.store.upsert_owner_candidate(
                        &settings.name,
                        &store::OwnerCandidate {
                            profile_id: c.profile_id.clone(),
                            full_name: v.full_name.clone(),
                            email: v.email.clone(),
                            access_role: v.access_role.clone(),
                            user_status: v.user_status.clone(),
                            verified_at: now(),
                        },
                    )?;
                    v
                }
                // Could not re-verify: judge the last verified state, and say when it was.
                Err(_) => views::owner_from_store(c),
            };
            candidates.push(candidate);
        }
        let chosen = settings.owner_profile_id.as_ref().map(|p| p.0.clone());
        let check = checks::owner_check(&candidates, chosen.as_deref(), now());
        self.remember(&settings, &check)?;
        Ok(OwnerStep {
            candidates,
            chosen_profile_id: chosen,
            check,
        })
    }

    /// Part 3: choose the owner among the people who signed in.
    pub async fn choose_owner(&self, name: &str, profile_id: &str) -> Result<OwnerStep> {
        let mut settings = self.settings(name)?;
        let known = self.inner.store.owner_candidates(&settings.name)?;
        if !known.iter().any(|c| c.profile_id.0 == profile_id) {
            return Err(EngineError::NotFound(
                "That person has not signed in for this company. They must sign in once before they can own the integration.".to_string(),
            ));
        }
        settings.owner_profile_id = Some(NamelyProfileId(profile_id.to_string()));
        self.inner.store.update_connection(&settings)?;
        self.owner_step(name).await
    }

    fn icims_settings_from(
        settings: &ConnectionSettings,
        input: &IcimsInput,
    ) -> ConnectionSettings {
        let mut s = settings.clone();
        s.icims_customer_id = input.customer_id.trim().to_string();
        s.icims_username = input.username.trim().to_string();
        s.icims_region = region_of(input.region);
        s
    }

    /// Part 4: tests the iCIMS connection as typed, without saving anything.
    pub async fn test_icims(&self, name: &str, input: &IcimsInput) -> Result<CheckResult> {
        let settings = self.settings(name)?;
        if let Err(result) = checks::validate_icims_input(
            &input.customer_id,
            &input.username,
            input.hmac_key.as_deref(),
            now(),
        ) {
            return Ok(result);
        }
        let key = match &input.hmac_key {
            Some(k) => SecretString::from(k.clone()),
            None => match self.secret(&settings, SecretKind::IcimsHmacKey).await? {
                Some(k) => k,
                None => {
                    return Ok(Self::missing_secret_result(
                        SetupStep::Icims,
                        SecretKind::IcimsHmacKey,
                    ));
                }
            },
        };
        let candidate = Self::icims_settings_from(&settings, input);
        let opts = &self.inner.options.clients;
        let client = clients::icims_client(&candidate, key.clone(), opts)?;
        // With the vendor's hosts, the other region tells "wrong region" from "no such customer".
        let alternate = if candidate.icims_url.is_none() {
            let mut other = candidate.clone();
            other.icims_region = match candidate.icims_region {
                IcimsRegion::Us => IcimsRegion::Eu,
                IcimsRegion::Eu => IcimsRegion::Us,
            };
            clients::icims_client(&other, key, opts).ok()
        } else {
            None
        };
        Ok(checks::icims(&client, input.region, alternate.as_ref(), now()).await)
    }

    /// Part 4: tests, and only when the test passes saves the settings and the key.
    pub async fn save_icims(&self, name: &str, input: &IcimsInput) -> Result<CheckResult> {
        let settings = self.settings(name)?;
        let result = self.test_icims(name, input).await?;
        if !result.passed {
            // Nothing saved, nothing lost: the form keeps what was typed.
            return Ok(result);
        }
        let updated = Self::icims_settings_from(&settings, input);
        if let Some(key) = &input.hmac_key {
            self.set_secret(
                name,
                SecretKind::IcimsHmacKey,
                SecretString::from(key.clone()),
            )
            .await?;
        }
        self.inner.store.update_connection(&updated)?;
        self.remember(&updated, &result)?;
        Ok(result)
    }

    /// Re-checks parts 1–4 live (the command line's `check`).
    pub async fn check_all(&self, name: &str) -> Result<Vec<CheckResult>> {
        let sign_in = self.check_namely_sign_in(name).await?.check;
        let field = self.check_namely_field(name).await?;
        let owner = self.owner_step(name).await?.check;
        let settings = self.settings(name)?;
        let icims = match self.secret(&settings, SecretKind::IcimsHmacKey).await? {
            None => Self::missing_secret_result(SetupStep::Icims, SecretKind::IcimsHmacKey),
            Some(_) => {
                let input = IcimsInput {
                    customer_id: settings.icims_customer_id.clone(),
                    username: settings.icims_username.clone(),
                    region: views::region_view(settings.icims_region),
                    hmac_key: None,
                };
                let r = self.test_icims(name, &input).await?;
                self.remember(&settings, &r)?;
                r
            }
        };
        Ok(vec![field, sign_in, owner, icims])
    }

    // ----------------------------------------------------------------------------------
    // Sync
    // ----------------------------------------------------------------------------------

    fn running_keys(&self) -> HashSet<String> {
        self.inner
            .running
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// A sync is running for this connection.
    pub fn is_running(&self, name: &ConnectionName) -> bool {
        self.running_keys().contains(&name.key())
    }

    fn claim(&self, name: &ConnectionName) -> Result<RunGuard> {
        let mut running = self
            .inner
            .running
            .lock()
            .map_err(|_| EngineError::Internal("the run registry is poisoned".into()))?;
        if running.contains(&name.key()) {
            return Err(EngineError::Busy(name.to_string()));
        }
        let lock = try_lock_file(&lock_path(&self.inner.data, name))?.ok_or_else(|| {
            EngineError::Busy(format!(
                "{name} (in another icims-namely window or command)"
            ))
        })?;
        running.insert(name.key());
        Ok(RunGuard {
            inner: self.inner.clone(),
            key: name.key(),
            _lock: lock,
        })
    }

    /// Runs one sync (or dry run) and returns it with every record. Never two at once for
    /// the same connection: a second call while one runs fails with `Busy`.
    pub async fn sync(
        &self,
        name: &str,
        request: SyncRequest,
        progress: &(dyn Fn(&SyncProgress) + Send + Sync),
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<RunDetails> {
        let mut settings = self.settings(name)?;
        let _guard = self.claim(&settings.name)?;
        if settings.sandbox {
            settings = self.ensure_sandbox_for(&settings).await?;
        }
        let namely = self.namely_client(&settings).await?;
        let icims = self.icims_client(&settings).await?;
        let only_persons: Option<Vec<IcimsPersonId>> = if request.retry_failed {
            let failed = self.inner.store.failed_person_ids(&settings.name)?;
            if failed.is_empty() {
                return Err(EngineError::invalid(
                    "There are no failed records to retry.",
                    None,
                ));
            }
            Some(failed)
        } else {
            None
        };
        let ctx = SyncContext {
            store: &self.inner.store,
            settings: &settings,
            icims: &icims,
            namely: &namely,
        };
        let options = SyncOptions {
            trigger: request.trigger,
            dry_run: request.dry_run,
            only_persons,
            budget_margin: self.inner.options.budget_margin,
            cancel,
            ..SyncOptions::default()
        };
        let outcome = sync::run_sync(&ctx, &options, progress).await;
        if settings.sandbox {
            // Keep what the run changed in the simulators, whatever its outcome.
            self.save_sandbox_state().await;
        }
        let outcome = outcome.map_err(|e| EngineError::Internal(e.to_string()))?;
        let details = self.run_details(outcome.run_id)?;
        if !request.dry_run
            && matches!(
                details.summary.status,
                crate::api::RunStatus::Succeeded | crate::api::RunStatus::FinishedWithFailures
            )
        {
            let c = &details.summary.counts;
            let review = CheckResult {
                step: SetupStep::Review,
                passed: true,
                summary: format!(
                    "First sync done: {} added, {} already in Namely, {} need review, {} invalid, {} failed.",
                    c.created, c.already_in_namely, c.needs_review, c.invalid, c.failed
                ),
                fix: None,
                field: None,
                detail: None,
                checked_at: views::rfc3339(now()),
            };
            let already = self
                .inner
                .store
                .checks(&settings.name)?
                .iter()
                .any(|c| c.step == SetupStep::Review.as_str() && c.passed);
            if !already {
                self.remember(&settings, &review)?;
            }
        }
        Ok(details)
    }

    /// Records a run that could not even start (a secret missing, the keychain locked…), so
    /// that a scheduled sync failing quietly shows in the history and on the dashboard.
    pub fn record_failed_start(
        &self,
        name: &str,
        trigger: Trigger,
        error: &EngineError,
    ) -> Result<RunId> {
        let settings = self.settings(name)?;
        let at = now();
        let run = self
            .inner
            .store
            .start_run(&settings.name, trigger, false, at)?;
        self.inner.store.finish_run(
            run,
            &store::RunEnd {
                ended_at: at,
                status: store::RunStatus::Failed,
                counts: Default::default(),
                icims_calls: 0,
                namely_calls: 0,
                error: Some(format!("The sync could not start: {error}")),
            },
        )?;
        Ok(run)
    }

    // ----------------------------------------------------------------------------------
    // History
    // ----------------------------------------------------------------------------------

    /// Runs of a connection, newest first.
    pub fn runs(&self, name: &str, limit: usize) -> Result<Vec<RunSummary>> {
        let settings = self.settings(name)?;
        Ok(self
            .inner
            .store
            .runs(&settings.name, limit)?
            .iter()
            .map(views::run_summary)
            .collect())
    }

    /// One run with every record.
    pub fn run_details(&self, run_id: RunId) -> Result<RunDetails> {
        let run =
            self.inner.store.run(run_id)?.ok_or_else(|| {
                EngineError::NotFound(format!("There is no run number {run_id}."))
            })?;
        let records = self.inner.store.records(run_id)?;
        Ok(RunDetails {
            summary: views::run_summary(&run),
            records: records.iter().map(views::record_view).collect(),
        })
    }

    /// Writes a run as CSV into `folder` (the user's Downloads folder when None).
    pub fn export_run_csv(
        &self,
        run_id: RunId,
        folder: Option<&std::path::Path>,
    ) -> Result<ExportedFile> {
        let details = self.run_details(run_id)?;
        let csv = self.inner.store.record_csv(run_id)?;
        let folder = match folder {
            Some(f) => f.to_path_buf(),
            None => directories::UserDirs::new()
                .and_then(|d| d.download_dir().map(|p| p.to_path_buf()))
                .unwrap_or_else(|| self.inner.data.root().join("exports")),
        };
        std::fs::create_dir_all(&folder).map_err(|e| {
            EngineError::Internal(format!(
                "Could not create the folder {}: {e}",
                folder.display()
            ))
        })?;
        let safe: String = details
            .summary
            .connection
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let path = folder.join(format!("icims-namely-{safe}-run-{}.csv", run_id.0));
        std::fs::write(&path, csv).map_err(|e| {
            EngineError::Internal(format!("Could not write {}: {e}", path.display()))
        })?;
        Ok(ExportedFile {
            path: path.display().to_string(),
            rows: details.records.len() as u32,
        })
    }

    // ----------------------------------------------------------------------------------
    // Sandbox
    // ----------------------------------------------------------------------------------

    /// Starts the built-in simulators (once per process) and makes sure the "Sandbox"
    /// connection exists and points at them. Returns the demo values the wizard fills in.
    pub async fn start_sandbox(&self) -> Result<SandboxInfo> {
        let (demo, restored) = self.sandbox_demo().await?;
        let existing = self.inner.store.find_connection(SANDBOX_CONNECTION)?;
        match existing {
            // A connection of the person's own that happens to be called "Sandbox" (say, for
            // their Namely sandbox tenant) must not be repointed at the simulators.
            Some(settings) if !settings.sandbox => {
                return Err(EngineError::AlreadyExists(format!(
                    "A connection named \"{}\" already exists and is not the built-in \
                     sandbox. Remove it, or add it again under another name, to try the sandbox.",
                    settings.name
                )));
            }
            Some(settings) => {
                self.point_at_sandbox(settings, &demo, restored)?;
            }
            None => {
                let name = Self::parse_name(SANDBOX_CONNECTION)?;
                let mut settings = ConnectionSettings::new(
                    name,
                    demo.namely_permalink.clone(),
                    "",
                    "",
                    IcimsRegion::Us,
                    now(),
                );
                settings.sandbox = true;
                settings.namely_url = Some(demo.namely_url.clone());
                settings.icims_url = Some(demo.icims_url.clone());
                self.insert_connection(&settings)?;
            }
        }
        Ok(SandboxInfo {
            icims_url: demo.icims_url,
            namely_url: demo.namely_url,
            namely_permalink: demo.namely_permalink,
            namely_token: demo.namely_token,
            icims_customer_id: demo.icims_customer_id,
            icims_username: demo.icims_username,
            icims_hmac_key: demo.icims_hmac_key,
        })
    }

    /// The running sandbox's demo values, starting it first (once per process): restored
    /// from `<data>/sandbox/state.json` when that holds a readable snapshot, else afresh.
    /// Also says whether it was restored.
    async fn sandbox_demo(&self) -> Result<(sandbox::DemoCredentials, bool)> {
        let mut guard = self.inner.sandbox.lock().await;
        if guard.is_none() {
            let config = sandbox::SandboxConfig {
                anchor_unix: Some(now().unix_timestamp()),
                ..sandbox::SandboxConfig::default()
            };
            let path = self.sandbox_state_path();
            let mut restored = None;
            if let Some(snapshot) = read_sandbox_state(&path) {
                match sandbox::Sandbox::start_from(config.clone(), snapshot).await {
                    Ok(sb) => restored = Some(sb),
                    Err(e) => tracing::warn!(
                        path = %path.display(), error = %e,
                        "could not restore the sandbox's data; starting it afresh"
                    ),
                }
            }
            let was_restored = restored.is_some();
            let sb = match restored {
                Some(sb) => sb,
                None => sandbox::Sandbox::start(config).await.map_err(|e| {
                    EngineError::Internal(format!(
                        "Could not start the sandbox on this computer: {e}"
                    ))
                })?,
            };
            tracing::info!(
                icims = %sb.icims.url(), namely = %sb.namely.url(), restored = was_restored,
                "sandbox started"
            );
            if !was_restored {
                write_sandbox_state_logged(&path, &sb.snapshot());
            }
            self.inner
                .sandbox_restored
                .store(was_restored, Ordering::SeqCst);
            *guard = Some(sb);
        }
        let demo = guard
            .as_ref()
            .map(|s| s.demo_credentials())
            .expect("started above");
        Ok((demo, self.inner.sandbox_restored.load(Ordering::SeqCst)))
    }

    /// `<data>/sandbox/state.json`: the sandbox's data, kept across restarts.
    fn sandbox_state_path(&self) -> std::path::PathBuf {
        self.inner.data.root().join("sandbox").join("state.json")
    }

    /// Saves the running sandbox's data (if one runs); a failure is only logged.
    async fn save_sandbox_state(&self) {
        let guard = self.inner.sandbox.lock().await;
        if let Some(sb) = guard.as_ref() {
            write_sandbox_state_logged(&self.sandbox_state_path(), &sb.snapshot());
        }
    }

    /// A sandbox connection after a restart: the simulators are new (new ports), so point
    /// the connection at them. When they were started afresh (new data), also forget what
    /// was learnt of the old ones; when restored, their data is what it was, so keep it.
    fn point_at_sandbox(
        &self,
        mut settings: ConnectionSettings,
        demo: &sandbox::DemoCredentials,
        restored: bool,
    ) -> Result<ConnectionSettings> {
        if settings.namely_url.as_deref() != Some(demo.namely_url.as_str())
            || settings.icims_url.as_deref() != Some(demo.icims_url.as_str())
        {
            settings.namely_url = Some(demo.namely_url.clone());
            settings.icims_url = Some(demo.icims_url.clone());
            settings.sandbox = true;
            self.inner.store.update_connection(&settings)?;
            if restored {
                return Ok(settings);
            }
            self.inner.store.clear_watermark(&settings.name)?;
            self.inner.store.index_replace_all(
                &settings.name,
                &[],
                &store::IndexMeta {
                    refreshed_at: OffsetDateTime::UNIX_EPOCH,
                    profile_count: 0,
                    full: false,
                    listed_at: None,
                },
            )?;
        }
        Ok(settings)
    }

    async fn ensure_sandbox_for(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<ConnectionSettings> {
        let (demo, restored) = self.sandbox_demo().await?;
        self.point_at_sandbox(settings.clone(), &demo, restored)
    }

    /// The running sandbox, for tests and demos that inspect it.
    pub async fn with_sandbox<T>(&self, f: impl FnOnce(&sandbox::Sandbox) -> T) -> Option<T> {
        self.inner.sandbox.lock().await.as_ref().map(f)
    }

    // ----------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------

    fn details(&self, settings: &ConnectionSettings) -> Result<ConnectionDetails> {
        let checks = self.inner.store.checks(&settings.name)?;
        let meta = self.inner.store.secret_meta(&settings.name)?;
        let steps = views::steps(&checks);
        let health = views::health(&checks, &meta);
        let resume_step = self
            .inner
            .store
            .resume_step(&settings.name)?
            .and_then(SetupStep::parse)
            .unwrap_or(SetupStep::Review);
        Ok(ConnectionDetails {
            settings: views::settings_view(settings),
            company_name: settings.namely_company_name.clone(),
            secrets: views::secret_infos(&meta),
            steps,
            resume_step,
            health,
        })
    }

    fn summary(
        &self,
        settings: &ConnectionSettings,
        running: &HashSet<String>,
    ) -> Result<ConnectionSummary> {
        let checks = self.inner.store.checks(&settings.name)?;
        let meta = self.inner.store.secret_meta(&settings.name)?;
        let last_run = self.inner.store.last_run(&settings.name)?;
        let local_now = now().to_offset(self.inner.options.local_offset);
        Ok(ConnectionSummary {
            name: settings.name.to_string(),
            company_name: settings.namely_company_name.clone(),
            namely_permalink: settings.namely_permalink.clone(),
            sandbox: settings.sandbox,
            health: views::health(&checks, &meta),
            last_run: last_run.as_ref().map(views::run_summary),
            next_sync_at: settings.schedule.next_after(local_now).map(views::rfc3339),
            schedule: views::schedule_view(&settings.schedule),
            running: running.contains(&settings.name.key()),
        })
    }

    /// Whether a stop flag was raised (for long loops outside the sync).
    pub fn cancelled(flag: &Option<Arc<AtomicBool>>) -> bool {
        flag.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

/// The snapshot kept at `path`, if there is a readable one; an unreadable one is logged and
/// ignored (the sandbox then starts afresh and overwrites it).
fn read_sandbox_state(path: &std::path::Path) -> Option<sandbox::SandboxSnapshot> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "could not read the sandbox's saved data; starting it afresh");
            return None;
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(snapshot) => Some(snapshot),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "the sandbox's saved data is damaged; starting it afresh");
            None
        }
    }
}

/// Writes the snapshot atomically (a temporary file in the same folder, then a rename).
/// It holds demo data only, never a credential.
fn write_sandbox_state(
    path: &std::path::Path,
    snapshot: &sandbox::SandboxSnapshot,
) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("the sandbox state path has no folder"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("state.json.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&serde_json::to_vec(snapshot)?)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_sandbox_state_logged(path: &std::path::Path, snapshot: &sandbox::SandboxSnapshot) {
    if let Err(e) = write_sandbox_state(path, snapshot) {
        tracing::warn!(path = %path.display(), error = %e, "could not save the sandbox's data");
    }
}

#[cfg(test)]
mod lock_tests {
    use super::*;

    #[test]
    fn names_that_look_alike_get_their_own_lock_files() {
        let data = DataDir::new("/data");
        let path = |n: &str| lock_path(&data, &ConnectionName::new(n).unwrap());
        assert_ne!(path("a b"), path("a_b"));
        assert_eq!(path("Acme"), path("ACME"), "names are unique ignoring case");
        assert_eq!(path("Acme"), path("Acme"), "stable");
        let file = path("Acme Corp");
        let file = file.file_name().unwrap().to_string_lossy();
        assert!(
            file.starts_with("acme_corp-") && file.ends_with(".lock"),
            "{file}"
        );
    }
}
