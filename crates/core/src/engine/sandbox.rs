//! The built-in sandbox as the engine sees it.

use super::*;

impl Engine {
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
    pub(super) async fn sandbox_demo(&self) -> Result<(::sandbox::DemoCredentials, bool)> {
        let mut guard = self.inner.sandbox.lock().await;
        if guard.is_none() {
            let config = ::sandbox::SandboxConfig {
                anchor_unix: Some(now().unix_timestamp()),
                ..::sandbox::SandboxConfig::default()
            };
            let path = self.sandbox_state_path();
            let mut restored = None;
            if let Some(snapshot) = read_sandbox_state(&path) {
                match ::sandbox::Sandbox::start_from(config.clone(), snapshot).await {
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
                None => ::sandbox::Sandbox::start(config).await.map_err(|e| {
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
    pub(super) fn sandbox_state_path(&self) -> std::path::PathBuf {
        self.inner.data.root().join("sandbox").join("state.json")
    }

    /// Saves the running sandbox's data (if one runs); a failure is only logged.
    pub(super) async fn save_sandbox_state(&self) {
        let guard = self.inner.sandbox.lock().await;
        if let Some(sb) = guard.as_ref() {
            write_sandbox_state_logged(&self.sandbox_state_path(), &sb.snapshot());
        }
    }

    /// A sandbox connection after a restart: the simulators are new (new ports), so point
    /// the connection at them. When they were started afresh (new data), also forget what
    /// was learnt of the old ones; when restored, their data is what it was, so keep it.
    pub(super) fn point_at_sandbox(
        &self,
        mut settings: ConnectionSettings,
        demo: &::sandbox::DemoCredentials,
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

    pub(super) async fn ensure_sandbox_for(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<ConnectionSettings> {
        let (demo, restored) = self.sandbox_demo().await?;
        self.point_at_sandbox(settings.clone(), &demo, restored)
    }

    /// The running sandbox, for tests and demos that inspect it.
    pub async fn with_sandbox<T>(&self, f: impl FnOnce(&::sandbox::Sandbox) -> T) -> Option<T> {
        self.inner.sandbox.lock().await.as_ref().map(f)
    }
}

/// The snapshot kept at `path`, if there is a readable one; an unreadable one is logged and
/// ignored (the sandbox then starts afresh and overwrites it).
fn read_sandbox_state(path: &std::path::Path) -> Option<::sandbox::SandboxSnapshot> {
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
    snapshot: &::sandbox::SandboxSnapshot,
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

fn write_sandbox_state_logged(path: &std::path::Path, snapshot: &::sandbox::SandboxSnapshot) {
    if let Err(e) = write_sandbox_state(path, snapshot) {
        tracing::warn!(path = %path.display(), error = %e, "could not save the sandbox's data");
    }
}
