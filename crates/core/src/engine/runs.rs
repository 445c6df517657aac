//! Running a sync: one at a time per connection (in this process and across processes), one
//! at a time per Namely company and iCIMS customer (across connections, windows, commands and
//! data folders; the sandbox aside), stopped cleanly when asked, and a record of every run,
//! even one that could not start.

use super::{Engine, EngineError, Inner, Result, SyncRequest, now, views};
use crate::api::{
    CheckCode, CheckResult, RunDetails, RunErrorCode, RunStatus, SetupStep, SyncProgress,
};
use crate::clients;
use crate::connection::{ConnectionName, ConnectionSettings};
use crate::domain::{IcimsPersonId, Trigger};
use crate::paths::DataDir;
use crate::store::{self, RunId};
use crate::sync::{self, SyncContext, SyncOptions};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Removes the connection from the running set when the sync ends, however it ends, and
/// releases the lock files that keep other processes (the app, the CLI) from syncing it, or
/// its Namely company and iCIMS customer, too.
pub(super) struct RunGuard {
    inner: Arc<Inner>,
    key: String,
    _lock: std::fs::File,
    /// The lock of the connection's [`Pair`], shared by every data folder (a sync only).
    _pair: Option<std::fs::File>,
}

impl RunGuard {
    /// The flag that stops this sync, for [`Engine::cancel_sync`].
    fn register_cancel(&self, flag: Arc<AtomicBool>) {
        if let Ok(mut running) = self.inner.running.lock() {
            running.insert(self.key.clone(), Some(flag));
        }
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if let Ok(mut running) = self.inner.running.lock() {
            running.remove(&self.key);
        }
    }
}

/// `<data>/locks/<connection>.lock`: held (flock) by the process syncing that connection.
pub(super) fn lock_path(data: &DataDir, name: &ConnectionName) -> std::path::PathBuf {
    data.root()
        .join("locks")
        .join(lock_file_name(&name.key(), &name.key()))
}

/// `<readable>-<hash>.lock`: the readable part keeps letters, digits, `-` and `.`; it may map
/// two keys to one ("a b", "a_b"), so a hash of the exact key keeps every lock its own.
/// FNV-1a: stable across runs and versions.
fn lock_file_name(readable: &str, exact: &str) -> String {
    let file: String = readable
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = exact.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{file}-{hash:016x}.lock")
}

/// The Namely company and the iCIMS customer a connection syncs between, as the addresses
/// its clients call: two connections with the same pair would read and add the same people,
/// so only one of them syncs at a time, whichever data folder holds it.
#[derive(Debug, Clone)]
pub(super) struct Pair {
    /// `namely=<host[:port]> icims=<host[:port]> customer=<id>`, lowercase: what is locked.
    key: String,
    /// The Namely host (and port) alone, for the readable part of the lock file's name.
    namely: String,
    /// The Namely company as a person knows it: the permalink, and the address when another
    /// than the permalink's is used (a simulator).
    company: String,
    customer: String,
}

impl Pair {
    /// `None` for a sandbox connection (its simulators are its own), and for one whose iCIMS
    /// part is not set yet or whose addresses the clients refuse (such a sync fails before
    /// its first call).
    pub(super) fn of(settings: &ConnectionSettings) -> Option<Pair> {
        if settings.sandbox {
            return None;
        }
        let customer = settings.icims_customer_id.trim().to_lowercase();
        if customer.is_empty() {
            return None;
        }
        let (namely, company) = match clients::namely_endpoint(settings).ok()? {
            namely::Endpoint::Permalink(p) => (host_port(&p.base_url())?, p.as_str().to_string()),
            namely::Endpoint::BaseUrl(url) => {
                let host = host_port(&url)?;
                let company = format!("{} at {host}", settings.namely_permalink);
                (host, company)
            }
        };
        let icims = match clients::icims_endpoint(settings) {
            icims::Endpoint::Region(region) => url::Url::parse(region.base_url()).ok()?,
            icims::Endpoint::BaseUrl(url) => url::Url::parse(url.trim()).ok()?,
        };
        let icims = host_port(&icims)?;
        Some(Pair {
            key: format!("namely={namely} icims={icims} customer={customer}"),
            namely,
            company,
            customer,
        })
    }

    /// Both connections sync between the same company and customer.
    pub(super) fn same(&self, other: &Pair) -> bool {
        self.key == other.key
    }

    /// "the Namely company acme and iCIMS customer 1234"
    pub(super) fn describe(&self) -> String {
        format!(
            "the Namely company {} and iCIMS customer {}",
            self.company, self.customer
        )
    }

    /// The lock file of this pair in the shared lock folder.
    fn lock_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        dir.join(lock_file_name(
            &format!("{}-{}", self.namely, self.customer),
            &self.key,
        ))
    }
}

/// `host[:port]` of a URL, lowercase; the port only when it is not the scheme's default.
fn host_port(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The lock file, locked; `None` when another process holds it.
pub(super) fn try_lock_file(path: &std::path::Path) -> Result<Option<std::fs::File>> {
    let io = |e: std::io::Error| {
        EngineError::Internal(format!(
            "Could not use the lock file {}: {e}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        // 0700: the lock files name no secret, but who syncs what is nobody else's business.
        crate::paths::create_private_dir(dir)
            .map_err(|e| EngineError::Internal(format!("Could not use the lock folder: {e}")))?;
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

impl Engine {
    pub(super) fn running_keys(&self) -> HashSet<String> {
        self.inner
            .running
            .lock()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// A sync is running for this connection.
    pub fn is_running(&self, name: &ConnectionName) -> bool {
        self.running_keys().contains(&name.key())
    }

    pub(super) fn claim(&self, name: &ConnectionName) -> Result<RunGuard> {
        let mut running = self
            .inner
            .running
            .lock()
            .map_err(|_| EngineError::Internal("the run registry is poisoned".into()))?;
        if running.contains_key(&name.key()) {
            return Err(EngineError::Busy(name.to_string()));
        }
        let lock = try_lock_file(&lock_path(&self.inner.data, name))?.ok_or_else(|| {
            EngineError::Busy(format!(
                "{name} (in another icims-namely window or command)"
            ))
        })?;
        running.insert(name.key(), None);
        Ok(RunGuard {
            inner: self.inner.clone(),
            key: name.key(),
            _lock: lock,
            _pair: None,
        })
    }

    /// [`Engine::claim`] for a sync: the connection, then its Namely company and iCIMS
    /// customer, in the lock folder shared by every data folder (the sandbox aside).
    pub(super) fn claim_sync(&self, settings: &ConnectionSettings) -> Result<RunGuard> {
        let mut guard = self.claim(&settings.name)?;
        if let Some(pair) = Pair::of(settings) {
            let dir = &self.inner.pair_lock_dir;
            crate::paths::create_private_dir(dir).map_err(|e| {
                EngineError::Internal(format!("Could not use the lock folder: {e}"))
            })?;
            let lock = try_lock_file(&pair.lock_file(dir))?.ok_or_else(|| {
                EngineError::Busy(format!(
                    "{} (another connection, window or data folder)",
                    pair.describe()
                ))
            })?;
            guard._pair = Some(lock);
        }
        Ok(guard)
    }

    /// Asks the sync of this connection that runs in this engine to stop after the record in
    /// flight: the run ends recorded as cancelled, and the next run picks up where it
    /// stopped. `false` when no sync of it runs here.
    pub fn cancel_sync(&self, name: &str) -> Result<bool> {
        let settings = self.settings(name)?;
        let running = self
            .inner
            .running
            .lock()
            .map_err(|_| EngineError::Internal("the run registry is poisoned".into()))?;
        Ok(match running.get(&settings.name.key()) {
            Some(Some(flag)) => {
                flag.store(true, Ordering::Relaxed);
                tracing::info!(connection = %settings.name, "sync asked to stop");
                true
            }
            _ => false,
        })
    }

    /// Runs one sync (or dry run) and returns it with every record. Never two at once for
    /// the same connection, nor for the same Namely company and iCIMS customer: a second call
    /// while one runs fails with `Busy`. Setting `cancel` (or [`Engine::cancel_sync`]) stops
    /// the run after the record in flight.
    pub async fn sync(
        &self,
        name: &str,
        request: SyncRequest,
        progress: &(dyn Fn(&SyncProgress) + Send + Sync),
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<RunDetails> {
        let mut settings = self.settings(name)?;
        let guard = self.claim_sync(&settings)?;
        let cancel = cancel.unwrap_or_default();
        guard.register_cancel(cancel.clone());
        if settings.sandbox {
            settings = self.prepare_sandbox_run(settings).await?;
        }
        let only_persons: Option<Vec<IcimsPersonId>> = if let Some(person) = request.create_anyway {
            Some(vec![person])
        } else if request.retry_failed {
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
        let namely = self.namely_client(&settings).await?;
        let icims = self.icims_client(&settings).await?;
        let icims_before = icims.calls_made();
        // The run is recorded (running) before the pre-flight, so that it shows at once.
        let started_at = now();
        let run = self.inner.store.start_run(
            &settings.name,
            request.trigger,
            request.dry_run,
            started_at,
        )?;
        if let Some(stop) = self.preflight(&settings, &namely, &icims).await? {
            if settings.sandbox {
                self.finish_sandbox_run().await;
            }
            if let Some(check) = &stop.check {
                // The owner alert: the dashboard and the wizard show the broken part.
                self.remember(&settings, check)?;
            }
            self.finish_not_started(
                run,
                stop.code,
                format!("The sync did not start: {}", stop.message),
                icims.calls_made().saturating_sub(icims_before),
                stop.namely_calls,
            )?;
            return self.run_details(run);
        }
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
            cancel: Some(cancel),
            create_anyway: request.create_anyway.into_iter().collect(),
            run: Some((run, started_at)),
            icims_concurrency: settings.icims_reads_at_once(),
            ..SyncOptions::default()
        };
        let outcome = sync::run_sync(&ctx, &options, progress).await;
        if settings.sandbox {
            // Keep what the run changed in the simulators, whatever its outcome.
            self.finish_sandbox_run().await;
        }
        let outcome = outcome.map_err(|sync::SyncError::Store(e)| EngineError::Storage(e))?;
        let details = self.run_details(outcome.run_id)?;
        if details.summary.error_code == Some(RunErrorCode::NamelyCredentials) {
            self.owner_refused(&settings)?;
        }
        if !request.dry_run
            && matches!(
                details.summary.status,
                RunStatus::Succeeded | RunStatus::FinishedWithFailures
            )
        {
            let c = &details.summary.counts;
            let review = CheckResult {
                step: SetupStep::Review,
                code: CheckCode::Passed,
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
                .any(|c| c.step == SetupStep::Review && c.passed);
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
        let code = match error {
            EngineError::SecretMissing { .. } => RunErrorCode::SecretMissing,
            EngineError::Keychain(_) => RunErrorCode::Keychain,
            _ => RunErrorCode::NotStarted,
        };
        self.record_not_started(
            &settings,
            trigger,
            false,
            code,
            format!("The sync could not start: {error}"),
            0,
        )
    }

    /// Namely refused the owner's token during a run (a create answered 401/403): the owner
    /// alert. A confirmation of the owner's role is void — Namely just contradicted it.
    fn owner_refused(&self, settings: &crate::connection::ConnectionSettings) -> Result<()> {
        let mut fresh = self.settings(settings.name.as_str())?;
        let confirmed = fresh.owner_role_confirmation.take().is_some();
        if confirmed {
            self.inner.store.update_connection(&fresh)?;
        }
        let check = CheckResult {
            step: SetupStep::Owner,
            code: CheckCode::OwnerNotAdministrator,
            passed: false,
            summary: "Namely refused to add people with the owner's token during the last sync."
                .to_string(),
            fix: Some(if confirmed {
                "The owner was confirmed as an Administrator by hand, but Namely does not treat \
                 them as one: choose an active Administrator as the owner and sign in as them."
                    .to_string()
            } else {
                "Check in Namely that the owner is still an active Administrator, then sign in \
                 again."
                    .to_string()
            }),
            field: None,
            detail: None,
            checked_at: views::rfc3339(now()),
        };
        self.remember(&fresh, &check)
    }

    /// A run that did not start, with why: nothing read, nothing sent.
    pub(super) fn record_not_started(
        &self,
        settings: &crate::connection::ConnectionSettings,
        trigger: Trigger,
        dry_run: bool,
        code: RunErrorCode,
        error: String,
        icims_calls: u64,
    ) -> Result<RunId> {
        let run = self
            .inner
            .store
            .start_run(&settings.name, trigger, dry_run, now())?;
        self.finish_not_started(run, code, error, icims_calls, 0)?;
        Ok(run)
    }

    fn finish_not_started(
        &self,
        run: RunId,
        code: RunErrorCode,
        error: String,
        icims_calls: u64,
        namely_calls: u64,
    ) -> Result<()> {
        self.inner.store.finish_run(
            run,
            &store::RunEnd {
                ended_at: now(),
                status: RunStatus::NotStarted,
                counts: Default::default(),
                icims_calls,
                namely_calls,
                error_code: Some(code),
                error: Some(error),
            },
        )?;
        Ok(())
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

    fn settings(
        namely_url: Option<&str>,
        icims_url: Option<&str>,
        customer: &str,
    ) -> ConnectionSettings {
        let mut s = ConnectionSettings::new(
            ConnectionName::new("A").unwrap(),
            "acme",
            customer,
            "api",
            crate::connection::IcimsRegion::Us,
            time::OffsetDateTime::UNIX_EPOCH,
        );
        s.namely_url = namely_url.map(str::to_string);
        s.icims_url = icims_url.map(str::to_string);
        s
    }

    #[test]
    fn a_pair_is_the_hosts_the_clients_call_and_the_customer() {
        let pair = |n, i, c| Pair::of(&settings(n, i, c)).unwrap();
        let real = pair(None, None, "1234");
        assert_eq!(
            real.key,
            "namely=acme.namely.com icims=api.icims.com customer=1234"
        );
        assert_eq!(
            real.describe(),
            "the Namely company acme and iCIMS customer 1234"
        );
        // The same hosts written another way: the same pair.
        assert!(real.same(&pair(
            Some("https://ACME.namely.com/api/v1"),
            Some("https://api.icims.com:443/"),
            " 1234 "
        )));
        // Another port, host or customer: another pair, another lock file.
        let sim = pair(
            Some("http://127.0.0.1:4010"),
            Some("http://127.0.0.1:4011"),
            "1234",
        );
        let other_port = pair(
            Some("http://127.0.0.1:4012"),
            Some("http://127.0.0.1:4011"),
            "1234",
        );
        assert!(!sim.same(&other_port) && !sim.same(&real));
        assert!(!real.same(&pair(None, None, "1235")));
        let dir = std::path::Path::new("/locks");
        assert_ne!(sim.lock_file(dir), other_port.lock_file(dir));
        let file = sim.lock_file(dir);
        let file = file.file_name().unwrap().to_string_lossy();
        assert!(file.starts_with("127.0.0.1_4010-1234-"), "{file}");
        assert_eq!(
            sim.describe(),
            "the Namely company acme at 127.0.0.1:4010 and iCIMS customer 1234"
        );
    }

    #[test]
    fn the_sandbox_and_a_connection_without_its_icims_part_have_no_pair() {
        let mut sandbox = settings(
            Some("http://127.0.0.1:4010"),
            Some("http://127.0.0.1:4011"),
            "1234",
        );
        sandbox.sandbox = true;
        assert!(Pair::of(&sandbox).is_none());
        assert!(Pair::of(&settings(None, None, "")).is_none());
    }
}
