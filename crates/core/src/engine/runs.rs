//! Running a sync: one at a time per connection (in this process and across processes), and
//! a record of every run, even one that could not start.

use super::{Engine, EngineError, Inner, Result, SyncRequest, now, views};
use crate::api::{
    CheckCode, CheckResult, RunDetails, RunErrorCode, RunStatus, SetupStep, SyncProgress,
};
use crate::connection::ConnectionName;
use crate::domain::{IcimsPersonId, Trigger};
use crate::paths::DataDir;
use crate::store::{self, RunId};
use crate::sync::{self, SyncContext, SyncOptions};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Removes the connection from the running set when the sync ends, however it ends, and
/// releases the lock file that keeps other processes (the app, the CLI) from syncing it too.
pub(super) struct RunGuard {
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
pub(super) fn lock_path(data: &DataDir, name: &ConnectionName) -> std::path::PathBuf {
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
pub(super) fn try_lock_file(path: &std::path::Path) -> Result<Option<std::fs::File>> {
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

impl Engine {
    pub(super) fn running_keys(&self) -> HashSet<String> {
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

    pub(super) fn claim(&self, name: &ConnectionName) -> Result<RunGuard> {
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
            cancel,
            create_anyway: request.create_anyway.into_iter().collect(),
            run: Some((run, started_at)),
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
}
