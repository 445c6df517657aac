//! The only places secrets are kept: the OS keychain, through `keyring-core` and one store per
//! OS (Linux: Secret Service over zbus; macOS: the login Keychain; Windows: Credential
//! Manager); and, where there is no desktop keychain (a server, a container), a secrets folder
//! someone else fills (`ICIMS_NAMELY_SECRETS_DIR`, see [`folder`]). This app never writes a
//! secret to a file, and never to the local database.
//!
//! # Read order
//!
//! For each secret: the folder's file `<connection>.<kind>` when the folder is set and the
//! file exists (a file that is refused — readable by others, empty — is an error, never a
//! silent fallback); else the keychain (or, with no keychain, this session's memory).
//! [`Secrets::get_with_source`] says which. Saving always goes to the keychain; nothing is ever
//! copied from one to the other.
//!
//! # Layout in the keychain
//!
//! One entry per secret, namespaced by connection:
//!
//! | attribute | value                                              |
//! |-----------|----------------------------------------------------|
//! | service   | `icims-namely` ([`SERVICE`])                       |
//! | user      | `{connection}/{kind}`, e.g. `acme/namely-token`    |
//!
//! `kind` never contains `/`, so the last `/` splits the user unambiguously. On Linux the
//! Secret Service item has the attributes `service` and `username` with those values (find
//! it with `secret-tool search service icims-namely`) and a readable label such as
//! "icims-namely: Namely token for acme".
//!
//! # Blocking
//!
//! Every call is blocking: it talks to the keychain over IPC, and on a desktop a locked keychain
//! shows an unlock prompt and waits for the person. Async callers use
//! `tokio::task::spawn_blocking` (a [`Secrets`] is cheap to clone and `Send + Sync`), and never
//! call it on the UI thread.
//!
//! # Redaction
//!
//! Values travel as [`SecretString`] (zeroized on drop, `Debug` prints `[REDACTED]`, no
//! `Serialize`). Nothing in this module serializes a secret, no error carries one, and
//! `Debug` of [`Secrets`] shows only which backend is in use.

use keyring_core::{CredentialStore, Entry};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod folder;
#[cfg(test)]
mod folder_tests;
mod input;
mod session;
#[cfg(test)]
mod tests;

use folder::Folder;
pub use folder::{FileProblem, SECRETS_DIR_ENV, SecretSource};
pub use input::SecretInput;
use session::SessionStore;

/// The keychain `service` of every entry this app writes.
pub const SERVICE: &str = "icims-namely";

pub use crate::domain::{SecretKind, UnknownSecretKind};

/// Where secrets go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The OS keychain: survives restarts.
    System,
    /// Process memory only: gone when the app or CLI exits.
    SessionOnly,
    /// `keyring_core::mock::Store`, for tests. Behaves like the system keychain (it reports
    /// itself persistent) so code under test takes the same paths as with a real keychain.
    Mock,
}

/// What went wrong with the keychain, in words that say what to do. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    /// No keychain to talk to (no D-Bus session, no Secret Service provider, unsupported OS).
    #[error("{}", no_keychain_message())]
    NoKeychain { detail: String },
    /// The keychain is there but locked, or has no default collection and could not make one.
    #[error("The system keychain is locked. Unlock it and try again.")]
    Locked { detail: String },
    /// More than one keychain entry matches one secret (made by hand or another tool).
    #[error(
        "The system keychain holds {count} entries for the {} of \"{connection}\". Remove the extra ones (service icims-namely, account {connection}/{}) in your keychain app, then save the secret again.",
        .kind.label(),
        .kind.as_str()
    )]
    Ambiguous {
        connection: String,
        kind: SecretKind,
        count: usize,
    },
    /// The stored value is not text (or not in the form this app wrote). Replace it.
    #[error(
        "The {} saved for \"{connection}\" could not be read back. Replace it with a new one.",
        .kind.label()
    )]
    Unreadable {
        connection: String,
        kind: SecretKind,
    },
    /// The connection name cannot name a keychain entry.
    #[error("A connection needs a name before a secret can be saved for it.")]
    InvalidConnection,
    /// The secrets folder holds a file for this secret, but it is refused (readable by
    /// others, empty, not a file…). Says what to run; never shows the contents.
    #[error("{}", folder::file_message(path, problem, *kind))]
    File {
        path: PathBuf,
        problem: FileProblem,
        kind: SecretKind,
    },
    /// `ICIMS_NAMELY_SECRETS_DIR` names a folder that does not exist.
    #[error(
        "The secrets folder {} (ICIMS_NAMELY_SECRETS_DIR) does not exist or is not a folder. Create it, or point ICIMS_NAMELY_SECRETS_DIR at the folder that holds the secrets.",
        .dir.display()
    )]
    FolderMissing { dir: PathBuf },
    /// Any other keychain failure.
    #[error(
        "The system keychain refused the request ({detail}). Try again; if it keeps failing, restart the keychain or log out and back in."
    )]
    Keychain { detail: String },
}

/// What happened and how to get a keychain, in words true for the app and the command line
/// alike: what each does without one (the app keeps secrets for its session, the command line
/// reads a secrets folder) is for each to say.
fn no_keychain_message() -> &'static str {
    if cfg!(target_os = "macos") {
        "The macOS Keychain could not be reached. Log in to the Mac as this user, then try again."
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager could not be reached. Log in to Windows as this user, then try again."
    } else if cfg!(target_os = "linux") {
        "No system keychain is running (Secret Service). Install and unlock GNOME Keyring or KWallet, then try again."
    } else {
        "This system has no keychain this app can use."
    }
}

impl SecretsError {
    /// A stable code the UI and CLI branch on.
    pub fn code(&self) -> &'static str {
        match self {
            SecretsError::NoKeychain { .. } => "keychain_unavailable",
            SecretsError::Locked { .. } => "keychain_locked",
            SecretsError::Ambiguous { .. } => "keychain_ambiguous",
            SecretsError::Unreadable { .. } => "secret_unreadable",
            SecretsError::InvalidConnection => "invalid_connection",
            SecretsError::File { problem, .. } => problem.code(),
            SecretsError::FolderMissing { .. } => "secrets_folder_missing",
            SecretsError::Keychain { .. } => "keychain_failed",
        }
    }

    /// The technical detail for a "Details" disclosure or a log line, if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            SecretsError::NoKeychain { detail }
            | SecretsError::Locked { detail }
            | SecretsError::Keychain { detail } => Some(detail),
            _ => None,
        }
    }

    /// Map a keychain error. Only the platform message is kept; variants that carry stored
    /// bytes (`BadEncoding`, `BadDataFormat`) are reduced to [`SecretsError::Unreadable`]
    /// without them.
    fn from_keyring(err: keyring_core::Error, connection: &str, kind: SecretKind) -> Self {
        use keyring_core::Error as K;
        match err {
            K::PlatformFailure(e) => {
                let detail = e.to_string();
                // The Secret Service store reports a locked collection or a dismissed unlock
                // prompt as a platform failure when creating an item.
                if detail.contains("object locked") || detail.contains("prompt dismissed") {
                    SecretsError::Locked { detail }
                } else {
                    SecretsError::NoKeychain { detail }
                }
            }
            K::NoStorageAccess(e) => SecretsError::Locked {
                detail: e.to_string(),
            },
            K::Ambiguous(entries) => SecretsError::Ambiguous {
                connection: connection.to_string(),
                kind,
                count: entries.len(),
            },
            K::BadEncoding(_) | K::BadDataFormat(..) => SecretsError::Unreadable {
                connection: connection.to_string(),
                kind,
            },
            K::NoDefaultStore => SecretsError::NoKeychain {
                detail: "no credential store".to_string(),
            },
            // NoEntry is handled by callers; the rest name attributes or limits, never values.
            other => SecretsError::Keychain {
                detail: other.to_string(),
            },
        }
    }
}

pub type Result<T, E = SecretsError> = std::result::Result<T, E>;

/// The keychain, with the store passed explicitly (no global default store).
///
/// Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Secrets {
    store: Arc<CredentialStore>,
    backend: Backend,
    /// The secrets folder, read before the keychain.
    folder: Option<Folder>,
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("backend", &self.backend)
            .field("store", &self.store.vendor())
            .field("folder", &self.folder.as_ref().map(Folder::dir))
            .finish_non_exhaustive()
    }
}

impl Secrets {
    /// The OS keychain, or [`SecretsError::NoKeychain`] when there is none to talk to (on
    /// Linux: no D-Bus session bus or no Secret Service provider). A *locked* keychain is
    /// only noticed on the first read or write. Blocking.
    pub fn system() -> Result<Self> {
        let store = system_store()?;
        Ok(Secrets {
            store,
            backend: Backend::System,
            folder: None,
        })
    }

    /// The OS keychain if there is one, else [`Secrets::session_only`] together with the
    /// reason, so the caller can say "no system keychain: secrets are kept for this session
    /// only".
    pub fn system_or_session_only() -> (Self, Option<SecretsError>) {
        match Secrets::system() {
            Ok(s) => (s, None),
            Err(e) => (Secrets::session_only(), Some(e)),
        }
    }

    /// Secrets kept in this process's memory only, for machines with no keychain.
    /// [`Secrets::is_persistent`] is `false`: tell the person their secrets last for this
    /// session only.
    pub fn session_only() -> Self {
        Secrets {
            store: Arc::new(SessionStore::default()),
            backend: Backend::SessionOnly,
            folder: None,
        }
    }

    /// An in-memory `keyring_core::mock::Store`, for tests only (its own `Debug` output, which
    /// `keyring-core` logs at debug level, includes stored bytes).
    pub fn mock() -> Self {
        let store = keyring_core::mock::Store::new().expect("the mock store cannot fail");
        Secrets {
            store,
            backend: Backend::Mock,
            folder: None,
        }
    }

    /// The same store, reading secrets from the files of `dir` first (see [`folder`]); `None`
    /// reads the store alone.
    pub fn with_folder(mut self, dir: Option<PathBuf>) -> Self {
        self.folder = dir.map(Folder::new);
        self
    }

    /// The folder `ICIMS_NAMELY_SECRETS_DIR` names, if set and not empty. Read once, where
    /// the engine opens its secrets.
    pub fn folder_from_env() -> Option<PathBuf> {
        std::env::var_os(SECRETS_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }

    /// The secrets folder, when there is one.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_ref().map(Folder::dir)
    }

    /// The file of the secrets folder this secret is read from when it exists; `None`
    /// without a folder.
    pub fn folder_file(&self, connection: &str, kind: SecretKind) -> Result<Option<PathBuf>> {
        self.folder
            .as_ref()
            .map(|f| f.path(connection, kind))
            .transpose()
    }

    /// Whether the secrets folder provides this secret, judged without reading it:
    /// `Ok(Some(file))` when its file would be used, `Ok(None)` when there is no folder or no
    /// file, an error when the file is there but refused. Blocking (file metadata).
    pub fn folder_provides(&self, connection: &str, kind: SecretKind) -> Result<Option<PathBuf>> {
        match &self.folder {
            Some(f) => f.inspect(connection, kind),
            None => Ok(None),
        }
    }

    /// Where a secret saved with [`Secrets::set`] is read from.
    pub fn store_source(&self) -> SecretSource {
        if self.is_persistent() {
            SecretSource::Keychain
        } else {
            SecretSource::Session
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether secrets survive the end of this process.
    pub fn is_persistent(&self) -> bool {
        matches!(self.backend, Backend::System | Backend::Mock)
    }

    /// Save (or replace) a secret in the keychain (never in the secrets folder). Blocking.
    pub fn set(&self, connection: &str, kind: SecretKind, value: &SecretString) -> Result<()> {
        let entry = self.entry(connection, kind)?;
        entry
            .set_password(value.expose_secret())
            .map_err(|e| SecretsError::from_keyring(e, connection, kind))
    }

    /// Read a secret, from the secrets folder first, then the keychain; `Ok(None)` when
    /// neither holds it. Blocking.
    pub fn get(&self, connection: &str, kind: SecretKind) -> Result<Option<SecretString>> {
        Ok(self.get_with_source(connection, kind)?.map(|(v, _)| v))
    }

    /// [`Secrets::get`], and where the secret came from. Blocking.
    pub fn get_with_source(
        &self,
        connection: &str,
        kind: SecretKind,
    ) -> Result<Option<(SecretString, SecretSource)>> {
        if let Some(folder) = &self.folder
            && let Some((value, path)) = folder.read(connection, kind)?
        {
            return Ok(Some((value, SecretSource::Folder(path))));
        }
        let source = self.store_source();
        Ok(self.get_stored(connection, kind)?.map(|v| (v, source)))
    }

    /// Read a secret from the keychain (or the session store) alone. Blocking.
    pub fn get_stored(&self, connection: &str, kind: SecretKind) -> Result<Option<SecretString>> {
        let entry = self.entry(connection, kind)?;
        match entry.get_secret() {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Ok(Some(SecretString::from(text))),
                Err(e) => {
                    // Zeroize the bytes on the way out.
                    drop(SecretSlice::from(e.into_bytes()));
                    Err(SecretsError::Unreadable {
                        connection: connection.to_string(),
                        kind,
                    })
                }
            },
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretsError::from_keyring(e, connection, kind)),
        }
    }

    /// Whether a secret is saved (in the folder or the keychain), without handing out its
    /// value. Blocking.
    pub fn is_set(&self, connection: &str, kind: SecretKind) -> Result<bool> {
        Ok(self.get(connection, kind)?.is_some())
    }

    /// Remove a secret from the keychain (a file of the secrets folder stays); `Ok(false)`
    /// when there was nothing to remove. Blocking.
    pub fn delete(&self, connection: &str, kind: SecretKind) -> Result<bool> {
        let entry = self.entry(connection, kind)?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring_core::Error::NoEntry) => Ok(false),
            Err(e) => Err(SecretsError::from_keyring(e, connection, kind)),
        }
    }

    /// Remove every secret of a connection; returns how many were removed. Blocking.
    pub fn delete_all(&self, connection: &str) -> Result<usize> {
        let mut removed = 0;
        for kind in SecretKind::KEPT {
            removed += usize::from(self.delete(connection, kind)?);
        }
        Ok(removed)
    }

    /// The keychain `user` of a secret: `{connection}/{kind}`.
    pub fn account(connection: &str, kind: SecretKind) -> String {
        format!("{connection}/{}", kind.as_str())
    }

    fn entry(&self, connection: &str, kind: SecretKind) -> Result<Entry> {
        if connection.trim().is_empty() || connection.chars().any(char::is_control) {
            return Err(SecretsError::InvalidConnection);
        }
        let user = Secrets::account(connection, kind);
        let built = if self.backend == Backend::System && cfg!(target_os = "linux") {
            // A label people recognise in Passwords and Keys (Seahorse) or KWallet.
            let label = format!("{SERVICE}: {} for {connection}", kind.label());
            let modifiers = HashMap::from([("label", label.as_str())]);
            Entry::new_in_store_with_modifiers(&self.store, SERVICE, &user, &modifiers)
        } else {
            Entry::new_in_store(&self.store, SERVICE, &user)
        };
        built.map_err(|e| SecretsError::from_keyring(e, connection, kind))
    }
}

#[cfg(target_os = "linux")]
fn system_store() -> Result<Arc<CredentialStore>> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(no_keychain)?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn system_store() -> Result<Arc<CredentialStore>> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(no_keychain)?;
    Ok(store)
}

#[cfg(target_os = "windows")]
fn system_store() -> Result<Arc<CredentialStore>> {
    let store = windows_native_keyring_store::Store::new().map_err(no_keychain)?;
    Ok(store)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn system_store() -> Result<Arc<CredentialStore>> {
    Err(SecretsError::NoKeychain {
        detail: format!("no keychain support for {}", std::env::consts::OS),
    })
}

/// Opening a store fails only when there is no keychain to reach.
#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn no_keychain(err: keyring_core::Error) -> SecretsError {
    let detail = match err {
        keyring_core::Error::PlatformFailure(e) | keyring_core::Error::NoStorageAccess(e) => {
            e.to_string()
        }
        other => other.to_string(),
    };
    SecretsError::NoKeychain { detail }
}
