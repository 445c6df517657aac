//! The built-in sandbox as the engine sees it: simulators of both APIs that the *shell* hosts
//! (the desktop app and the command line, through `crates/sandbox-host`) and hands to the
//! engine as a [`SandboxHost`]. The engine never links a simulator; it only keeps the
//! "Sandbox" connection pointed at wherever the host's simulators listen, and asks the host to
//! keep their data after a run.

use super::{Engine, EngineError, Result, SANDBOX_CONNECTION, now};
use crate::api::SandboxInfo;
use crate::connection::{ConnectionSettings, IcimsRegion};
use crate::store;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use time::OffsetDateTime;

/// A boxed future, so that [`SandboxHost`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the hosted simulators listen, and whether they hold the data they had last time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedSandbox {
    /// Their addresses and demo values (public, they open nothing outside this computer).
    pub info: SandboxInfo,
    /// True when the simulators were restored from the data kept in the data folder (their
    /// data is what the "Sandbox" connection last saw); false when they started afresh with
    /// new seeded data.
    pub restored: bool,
}

/// Simulators hosted by the shell for the engine.
pub trait SandboxHost: Send + Sync + std::fmt::Debug {
    /// Starts the simulators unless they already run (at most once per process), with the
    /// data kept in `folder` when there is any, and says where they listen. Every later call
    /// answers the same.
    fn start<'a>(&'a self, folder: &'a Path) -> BoxFuture<'a, std::io::Result<HostedSandbox>>;

    /// Keeps what the simulators hold now in `folder`, for the next session (called after every
    /// run of the "Sandbox" connection). A failure only costs the next session its data, so
    /// the host logs it and carries on.
    fn save<'a>(&'a self, folder: &'a Path) -> BoxFuture<'a, ()>;
}

impl Engine {
    /// Starts the built-in simulators (once per process) and makes sure the "Sandbox"
    /// connection exists and points at them. Returns the demo values the wizard fills in.
    pub async fn start_sandbox(&self) -> Result<SandboxInfo> {
        let hosted = self.hosted_sandbox().await?;
        match self.inner.store.find_connection(SANDBOX_CONNECTION)? {
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
                self.point_at_sandbox(settings, &hosted)?;
            }
            None => {
                let name = Self::parse_name(SANDBOX_CONNECTION)?;
                let mut settings = ConnectionSettings::new(
                    name,
                    hosted.info.namely_permalink.clone(),
                    "",
                    "",
                    IcimsRegion::Us,
                    now(),
                );
                settings.sandbox = true;
                settings.namely_url = Some(hosted.info.namely_url.clone());
                settings.icims_url = Some(hosted.info.icims_url.clone());
                self.insert_connection(&settings)?;
            }
        }
        Ok(hosted.info)
    }

    /// `<data>/sandbox`: where the host keeps the simulators' data between sessions.
    fn sandbox_folder(&self) -> PathBuf {
        self.inner.data.root().join("sandbox")
    }

    fn sandbox_host(&self) -> Result<&dyn SandboxHost> {
        self.inner.options.sandbox.as_deref().ok_or_else(|| {
            EngineError::invalid(
                "This program has no built-in sandbox, so the \"Sandbox\" connection cannot be \
                 used here. Open it in the icims-namely desktop app.",
                None,
            )
        })
    }

    /// The host's simulators, started first when they do not run yet.
    async fn hosted_sandbox(&self) -> Result<HostedSandbox> {
        let host = self.sandbox_host()?;
        host.start(&self.sandbox_folder()).await.map_err(|e| {
            EngineError::Internal(format!("Could not start the sandbox on this computer: {e}"))
        })
    }

    /// A sandbox connection after a restart: the simulators are new (new ports), so point
    /// the connection at them. When they were started afresh (new data), also forget what
    /// was learnt of the old ones; when restored, their data is what it was, so keep it.
    fn point_at_sandbox(
        &self,
        mut settings: ConnectionSettings,
        hosted: &HostedSandbox,
    ) -> Result<ConnectionSettings> {
        let info = &hosted.info;
        if settings.namely_url.as_deref() != Some(info.namely_url.as_str())
            || settings.icims_url.as_deref() != Some(info.icims_url.as_str())
        {
            settings.namely_url = Some(info.namely_url.clone());
            settings.icims_url = Some(info.icims_url.clone());
            settings.sandbox = true;
            self.inner.store.update_connection(&settings)?;
            if hosted.restored {
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

    /// The settings of `name` as a check or a sync uses them: a sandbox connection points at
    /// the simulators running now (started first when they do not run yet), never at the
    /// ports an earlier session saved.
    pub(super) async fn live_settings(&self, name: &str) -> Result<ConnectionSettings> {
        let settings = self.settings(name)?;
        self.at_running_sandbox(settings).await
    }

    /// `settings` unchanged, or, for a sandbox connection, pointed at the running simulators.
    pub(super) async fn at_running_sandbox(
        &self,
        settings: ConnectionSettings,
    ) -> Result<ConnectionSettings> {
        if settings.sandbox {
            self.prepare_sandbox_run(settings).await
        } else {
            Ok(settings)
        }
    }

    /// Before a run of a sandbox connection: the simulators run, and the connection points
    /// at them.
    pub(super) async fn prepare_sandbox_run(
        &self,
        settings: ConnectionSettings,
    ) -> Result<ConnectionSettings> {
        let hosted = self.hosted_sandbox().await?;
        self.point_at_sandbox(settings, &hosted)
    }

    /// After a run of a sandbox connection, however it ended: keep what it changed.
    pub(super) async fn finish_sandbox_run(&self) {
        if let Ok(host) = self.sandbox_host() {
            host.save(&self.sandbox_folder()).await;
        }
    }
}
