//! Hosts the built-in simulators of iCIMS and Namely for the engine: the sandbox of the
//! desktop app and of the command line.
//!
//! The engine (`crates/core`) never links a simulator; it sees the sandbox only through its
//! `SandboxHost` interface (`crates/core/src/engine/sandbox.rs`). The shells create one
//! [`InProcessSandbox`] per process and pass it in `EngineOptions::sandbox`. The simulators
//! start on first use, on free ports of 127.0.0.1, and their data — the seeded company and
//! every profile the app created — is kept in `<data>/sandbox/state.json` between sessions,
//! so a demo or a training carries on where it stopped and a sync after reopening adds
//! nobody twice. That file holds demo data only, never a credential.

use icims_namely_core::api::SandboxInfo;
use icims_namely_core::engine::{BoxFuture, HostedSandbox, SandboxHost};
use sandbox::{Sandbox, SandboxConfig, SandboxSnapshot};
use std::path::{Path, PathBuf};
use tokio::sync::Mutex;

/// The name of the file in the sandbox folder that keeps the simulators' data.
pub const STATE_FILE: &str = "state.json";

/// Both simulators in this process, started once, on first use.
#[derive(Default)]
pub struct InProcessSandbox {
    running: Mutex<Option<Running>>,
}

struct Running {
    sandbox: Sandbox,
    restored: bool,
}

impl std::fmt::Debug for InProcessSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessSandbox").finish_non_exhaustive()
    }
}

impl InProcessSandbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// The running simulators, for tests and demos that look inside or turn a knob (latency,
    /// faults); `None` before the first start.
    pub async fn with<T>(&self, f: impl FnOnce(&Sandbox) -> T) -> Option<T> {
        self.running.lock().await.as_ref().map(|r| f(&r.sandbox))
    }

    async fn start_in(&self, folder: &Path) -> std::io::Result<HostedSandbox> {
        let mut running = self.running.lock().await;
        if running.is_none() {
            let config = SandboxConfig {
                // Seeded dates around today, so that a demo's hires start soon.
                anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
                // Like a real company: years of hiring history that a first sync must leave
                // out, and one new hire HR already typed into Namely by hand (a possible match
                // to review).
                seed: sandbox::seed::SeedConfig {
                    history: 30,
                    hand_made: 1,
                    ..sandbox::seed::SeedConfig::default()
                },
                ..SandboxConfig::default()
            };
            let path = state_path(folder);
            let mut restored = None;
            if let Some(snapshot) = read_state(&path) {
                match Sandbox::start_from(config.clone(), snapshot).await {
                    Ok(sb) => restored = Some(sb),
                    Err(e) => tracing::warn!(
                        path = %path.display(), error = %e,
                        "could not restore the sandbox's data; starting it afresh"
                    ),
                }
            }
            let was_restored = restored.is_some();
            let sandbox = match restored {
                Some(sb) => sb,
                None => Sandbox::start(config).await?,
            };
            tracing::info!(
                icims = %sandbox.icims.url(), namely = %sandbox.namely.url(),
                restored = was_restored, "sandbox started"
            );
            if !was_restored {
                write_state_logged(&path, &sandbox.snapshot());
            }
            *running = Some(Running {
                sandbox,
                restored: was_restored,
            });
        }
        let r = running.as_ref().expect("started above");
        Ok(HostedSandbox {
            info: info_of(&r.sandbox),
            restored: r.restored,
        })
    }

    async fn save_in(&self, folder: &Path) {
        if let Some(r) = self.running.lock().await.as_ref() {
            write_state_logged(&state_path(folder), &r.sandbox.snapshot());
        }
    }
}

impl SandboxHost for InProcessSandbox {
    fn start<'a>(&'a self, folder: &'a Path) -> BoxFuture<'a, std::io::Result<HostedSandbox>> {
        Box::pin(self.start_in(folder))
    }

    fn save<'a>(&'a self, folder: &'a Path) -> BoxFuture<'a, ()> {
        Box::pin(self.save_in(folder))
    }
}

fn info_of(sandbox: &Sandbox) -> SandboxInfo {
    let demo = sandbox.demo_credentials();
    SandboxInfo {
        icims_url: demo.icims_url,
        namely_url: demo.namely_url,
        namely_permalink: demo.namely_permalink,
        namely_token: demo.namely_token,
        icims_customer_id: demo.icims_customer_id,
        icims_username: demo.icims_username,
        icims_hmac_key: demo.icims_hmac_key,
        namely_client_id: demo.namely_client_id,
        namely_client_secret: demo.namely_client_secret,
    }
}

fn state_path(folder: &Path) -> PathBuf {
    folder.join(STATE_FILE)
}

/// The snapshot kept at `path`, if there is a readable one; an unreadable one is logged and
/// ignored (the sandbox then starts afresh and overwrites it).
fn read_state(path: &Path) -> Option<SandboxSnapshot> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(
                path = %path.display(), error = %e,
                "could not read the sandbox's saved data; starting it afresh"
            );
            return None;
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(snapshot) => Some(snapshot),
        Err(e) => {
            tracing::warn!(
                path = %path.display(), error = %e,
                "the sandbox's saved data is damaged; starting it afresh"
            );
            None
        }
    }
}

/// Writes the snapshot atomically (a temporary file in the same folder, then a rename),
/// readable by the user only, in a folder private to the user when it creates it.
fn write_state(path: &Path, snapshot: &SandboxSnapshot) -> std::io::Result<()> {
    use icims_namely_core::paths;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("the sandbox state path has no folder"))?;
    paths::create_private_dir(dir).map_err(std::io::Error::other)?;
    paths::write_private(
        path,
        &serde_json::to_vec(snapshot)?,
        paths::IfExists::Replace,
    )
    .map_err(std::io::Error::other)
}

fn write_state_logged(path: &Path, snapshot: &SandboxSnapshot) {
    if let Err(e) = write_state(path, snapshot) {
        tracing::warn!(path = %path.display(), error = %e, "could not save the sandbox's data");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn starts_once_keeps_its_data_and_restores_it_in_a_new_process() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("sandbox");

        let host = InProcessSandbox::new();
        assert!(
            host.with(|_| ()).await.is_none(),
            "nothing runs before the first start"
        );
        let first = host.start(&folder).await.unwrap();
        assert!(!first.restored, "nothing was kept yet: a fresh start");
        assert!(first.info.namely_url.starts_with("http://127.0.0.1:"));
        assert_eq!(host.start(&folder).await.unwrap(), first, "started once");
        assert!(
            folder.join(STATE_FILE).exists(),
            "a fresh start is saved at once"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&folder.join(STATE_FILE)), 0o600, "private to the user");
            assert_eq!(mode(&folder), 0o700, "private to the user");
        }

        let added = host
            .with(|sb| {
                sb.icims
                    .add_hire("Kept", "Across", Some("kept@example.com"))
            })
            .await
            .unwrap();
        host.save(&folder).await;
        let saved = std::fs::read_to_string(folder.join(STATE_FILE)).unwrap();
        assert!(
            !saved.contains(&first.info.icims_hmac_key),
            "no credential in the file"
        );
        assert!(
            !saved.contains(&first.info.namely_token),
            "no credential in the file"
        );

        // Another process: new ports, the same data.
        let again = InProcessSandbox::new();
        let second = again.start(&folder).await.unwrap();
        assert!(second.restored);
        assert_ne!(second.info.icims_url, first.info.icims_url);
        let world = again.with(|sb| sb.icims.world()).await.unwrap();
        let before = host.with(|sb| sb.icims.world()).await.unwrap();
        assert_eq!(
            world, before,
            "the hire added before saving is back: {added:?}"
        );

        // Damaged data: a fresh start, which overwrites it.
        std::fs::write(folder.join(STATE_FILE), "{ not json").unwrap();
        let third = InProcessSandbox::new().start(&folder).await.unwrap();
        assert!(!third.restored);
        let fixed = std::fs::read(folder.join(STATE_FILE)).unwrap();
        assert!(serde_json::from_slice::<SandboxSnapshot>(&fixed).is_ok());
    }
}
