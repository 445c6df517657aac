//! The only place secrets are kept: the OS keychain, through `keyring-core` and one store per
//! OS (Linux: Secret Service over zbus; macOS: the login Keychain; Windows: Credential
//! Manager). Never a file, never the local database.
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

use keyring_core::api::{Credential, CredentialApi, CredentialPersistence, CredentialStoreApi};
use keyring_core::{CredentialStore, Entry};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// The keychain `service` of every entry this app writes.
pub const SERVICE: &str = "icims-namely";

/// Which secret of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretKind {
    /// The iCIMS API HMAC key.
    IcimsHmacKey,
    /// The Namely personal access token or OAuth access token.
    NamelyToken,
}

impl SecretKind {
    pub const ALL: [SecretKind; 2] = [SecretKind::IcimsHmacKey, SecretKind::NamelyToken];

    /// The stable name used in the keychain and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::IcimsHmacKey => "icims-hmac-key",
            SecretKind::NamelyToken => "namely-token",
        }
    }

    /// What people call it: "iCIMS HMAC key", "Namely token".
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::IcimsHmacKey => "iCIMS HMAC key",
            SecretKind::NamelyToken => "Namely token",
        }
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown secret name, e.g. on the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown secret \"{0}\": use icims-hmac-key or namely-token")]
pub struct UnknownSecretKind(pub String);

impl FromStr for SecretKind {
    type Err = UnknownSecretKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        SecretKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownSecretKind(s.to_string()))
    }
}

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
    /// Any other keychain failure.
    #[error(
        "The system keychain refused the request ({detail}). Try again; if it keeps failing, restart the keychain or log out and back in."
    )]
    Keychain { detail: String },
}

fn no_keychain_message() -> &'static str {
    if cfg!(target_os = "macos") {
        "The macOS Keychain could not be reached. Log in to the Mac as this user and try again, or continue with secrets kept for this session only."
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager could not be reached. Log in to Windows as this user and try again, or continue with secrets kept for this session only."
    } else if cfg!(target_os = "linux") {
        "No system keychain is running (Secret Service). Install and unlock GNOME Keyring or KWallet, or continue with secrets kept for this session only."
    } else {
        "This system has no supported keychain. Secrets can be kept for this session only."
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
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secrets")
            .field("backend", &self.backend)
            .field("store", &self.store.vendor())
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
        }
    }

    /// An in-memory `keyring_core::mock::Store`, for tests only (its own `Debug` output, which
    /// `keyring-core` logs at debug level, includes stored bytes).
    pub fn mock() -> Self {
        let store = keyring_core::mock::Store::new().expect("the mock store cannot fail");
        Secrets {
            store,
            backend: Backend::Mock,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether secrets survive the end of this process.
    pub fn is_persistent(&self) -> bool {
        matches!(self.backend, Backend::System | Backend::Mock)
    }

    /// Save (or replace) a secret. Blocking.
    pub fn set(&self, connection: &str, kind: SecretKind, value: &SecretString) -> Result<()> {
        let entry = self.entry(connection, kind)?;
        entry
            .set_password(value.expose_secret())
            .map_err(|e| SecretsError::from_keyring(e, connection, kind))
    }

    /// Read a secret; `Ok(None)` when it was never saved or was removed. Blocking.
    pub fn get(&self, connection: &str, kind: SecretKind) -> Result<Option<SecretString>> {
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

    /// Whether a secret is saved, without handing out its value. Blocking.
    pub fn is_set(&self, connection: &str, kind: SecretKind) -> Result<bool> {
        Ok(self.get(connection, kind)?.is_some())
    }

    /// Remove a secret; `Ok(false)` when there was nothing to remove. Blocking.
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
        for kind in SecretKind::ALL {
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

/// The session-only store: a map in process memory. Values are zeroized when replaced,
/// removed or dropped, and no `Debug` output shows them.
/// `(service, user)` → value.
type SessionItems = Mutex<HashMap<(String, String), SecretSlice<u8>>>;

#[derive(Default)]
struct SessionStore {
    items: Arc<SessionItems>,
}

struct SessionCred {
    items: Arc<SessionItems>,
    key: (String, String),
}

fn locked_items(
    items: &SessionItems,
) -> std::sync::MutexGuard<'_, HashMap<(String, String), SecretSlice<u8>>> {
    // A panic while holding the lock leaves the map itself consistent.
    items
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionStore").finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionCred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCred")
            .field("service", &self.key.0)
            .field("user", &self.key.1)
            .finish_non_exhaustive()
    }
}

impl CredentialStoreApi for SessionStore {
    fn vendor(&self) -> String {
        "icims-namely session-only store (process memory)".to_string()
    }

    fn id(&self) -> String {
        format!("session-{:p}", Arc::as_ptr(&self.items))
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> keyring_core::Result<Entry> {
        if modifiers.is_some_and(|m| !m.is_empty()) {
            return Err(keyring_core::Error::NotSupportedByStore(
                "the session-only store takes no modifiers".to_string(),
            ));
        }
        let cred: Arc<Credential> = Arc::new(SessionCred {
            items: Arc::clone(&self.items),
            key: (service.to_string(), user.to_string()),
        });
        Ok(Entry::new_with_credential(cred))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn persistence(&self) -> CredentialPersistence {
        CredentialPersistence::ProcessOnly
    }

    fn debug_fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl CredentialApi for SessionCred {
    fn set_secret(&self, secret: &[u8]) -> keyring_core::Result<()> {
        locked_items(&self.items).insert(self.key.clone(), SecretSlice::from(secret.to_vec()));
        Ok(())
    }

    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        locked_items(&self.items)
            .get(&self.key)
            .map(|s| s.expose_secret().to_vec())
            .ok_or(keyring_core::Error::NoEntry)
    }

    fn delete_credential(&self) -> keyring_core::Result<()> {
        locked_items(&self.items)
            .remove(&self.key)
            .map(drop)
            .ok_or(keyring_core::Error::NoEntry)
    }

    fn get_credential(&self) -> keyring_core::Result<Option<Arc<Credential>>> {
        if locked_items(&self.items).contains_key(&self.key) {
            Ok(None)
        } else {
            Err(keyring_core::Error::NoEntry)
        }
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some(self.key.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn debug_fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    fn value(v: Option<SecretString>) -> Option<String> {
        v.map(|s| s.expose_secret().to_string())
    }

    fn round_trip(secrets: &Secrets) {
        let k = SecretKind::NamelyToken;
        assert_eq!(value(secrets.get("acme", k).unwrap()), None);
        assert!(!secrets.is_set("acme", k).unwrap());

        secrets.set("acme", k, &secret("tok-1")).unwrap();
        assert_eq!(
            value(secrets.get("acme", k).unwrap()).as_deref(),
            Some("tok-1")
        );
        assert!(secrets.is_set("acme", k).unwrap());

        secrets.set("acme", k, &secret("tok-2 ✓ naïve")).unwrap();
        assert_eq!(
            value(secrets.get("acme", k).unwrap()).as_deref(),
            Some("tok-2 ✓ naïve")
        );

        assert!(secrets.delete("acme", k).unwrap());
        assert!(
            !secrets.delete("acme", k).unwrap(),
            "second delete finds nothing"
        );
        assert_eq!(value(secrets.get("acme", k).unwrap()), None);
        assert!(!secrets.is_set("acme", k).unwrap());
    }

    fn namespacing(secrets: &Secrets) {
        use SecretKind::*;
        secrets
            .set("acme", IcimsHmacKey, &secret("acme-hmac"))
            .unwrap();
        secrets
            .set("acme", NamelyToken, &secret("acme-token"))
            .unwrap();
        secrets
            .set("globex", IcimsHmacKey, &secret("globex-hmac"))
            .unwrap();

        assert_eq!(
            value(secrets.get("acme", IcimsHmacKey).unwrap()).as_deref(),
            Some("acme-hmac")
        );
        assert_eq!(
            value(secrets.get("acme", NamelyToken).unwrap()).as_deref(),
            Some("acme-token")
        );
        assert_eq!(
            value(secrets.get("globex", IcimsHmacKey).unwrap()).as_deref(),
            Some("globex-hmac")
        );
        assert!(!secrets.is_set("globex", NamelyToken).unwrap());

        assert_eq!(secrets.delete_all("acme").unwrap(), 2);
        assert_eq!(secrets.delete_all("acme").unwrap(), 0);
        assert!(!secrets.is_set("acme", IcimsHmacKey).unwrap());
        assert!(
            secrets.is_set("globex", IcimsHmacKey).unwrap(),
            "other connections untouched"
        );
    }

    #[test]
    fn mock_round_trip() {
        round_trip(&Secrets::mock());
    }

    #[test]
    fn mock_namespacing_and_delete_all() {
        namespacing(&Secrets::mock());
    }

    #[test]
    fn session_only_round_trip_and_namespacing() {
        let s = Secrets::session_only();
        assert!(!s.is_persistent());
        assert_eq!(s.backend(), Backend::SessionOnly);
        round_trip(&s);
        namespacing(&s);
        // Clones share the same session.
        let clone = s.clone();
        clone
            .set("shared", SecretKind::NamelyToken, &secret("x"))
            .unwrap();
        assert!(s.is_set("shared", SecretKind::NamelyToken).unwrap());
        // A new session starts empty.
        assert!(
            !Secrets::session_only()
                .is_set("shared", SecretKind::NamelyToken)
                .unwrap()
        );
    }

    #[test]
    fn mock_counts_as_persistent() {
        let s = Secrets::mock();
        assert!(s.is_persistent());
        assert_eq!(s.backend(), Backend::Mock);
    }

    #[test]
    fn entries_are_namespaced_by_connection() {
        assert_eq!(
            Secrets::account("acme", SecretKind::NamelyToken),
            "acme/namely-token"
        );
        assert_eq!(
            Secrets::account("acme", SecretKind::IcimsHmacKey),
            "acme/icims-hmac-key"
        );
        // The entry the mock store holds has exactly this service and user.
        let s = Secrets::mock();
        s.set("acme", SecretKind::NamelyToken, &secret("v"))
            .unwrap();
        let e = s.entry("acme", SecretKind::NamelyToken).unwrap();
        assert_eq!(
            e.get_specifiers(),
            Some(("icims-namely".to_string(), "acme/namely-token".to_string()))
        );
    }

    #[test]
    fn blank_connection_is_refused() {
        let s = Secrets::mock();
        for bad in ["", "  ", "a\nb"] {
            let err = s
                .set(bad, SecretKind::NamelyToken, &secret("v"))
                .unwrap_err();
            assert_eq!(err, SecretsError::InvalidConnection);
            assert_eq!(err.code(), "invalid_connection");
        }
    }

    #[test]
    fn debug_never_shows_values() {
        for s in [Secrets::mock(), Secrets::session_only()] {
            let v = secret("hunter2-very-secret");
            s.set("acme", SecretKind::IcimsHmacKey, &v).unwrap();
            let got = s.get("acme", SecretKind::IcimsHmacKey).unwrap().unwrap();
            for shown in [format!("{s:?}"), format!("{v:?}"), format!("{got:?}")] {
                assert!(!shown.contains("hunter2"), "{shown}");
            }
        }
        // The session store's own entries and credentials print no value either.
        let store = SessionStore::default();
        let entry = store.build(SERVICE, "acme/namely-token", None).unwrap();
        entry.set_password("hunter2-very-secret").unwrap();
        assert!(!format!("{entry:?} {store:?}").contains("hunter2"));
    }

    #[test]
    fn kinds_parse_and_print() {
        for k in SecretKind::ALL {
            assert_eq!(k.as_str().parse::<SecretKind>().unwrap(), k);
            assert_eq!(k.to_string(), k.as_str());
        }
        assert_eq!(
            " Namely-Token ".parse::<SecretKind>().unwrap(),
            SecretKind::NamelyToken
        );
        assert_eq!(
            "password".parse::<SecretKind>().unwrap_err().to_string(),
            "unknown secret \"password\": use icims-hmac-key or namely-token"
        );
    }

    /// Errors from the store become plain words with a fix, and never include stored bytes.
    #[test]
    fn keyring_errors_are_mapped_to_plain_words() {
        use keyring_core::Error as K;
        let s = Secrets::mock();
        let k = SecretKind::NamelyToken;
        s.set("acme", k, &secret("v")).unwrap();
        let entry = s.entry("acme", k).unwrap();
        let mock: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        let boxed = |m: &str| -> keyring_core::error::PlatformError { m.to_string().into() };

        mock.set_error(K::PlatformFailure(boxed(
            "no secret service provider or dbus session found",
        )));
        let e = s.get("acme", k).unwrap_err();
        assert_eq!(e.code(), "keychain_unavailable");
        if cfg!(target_os = "linux") {
            assert!(
                e.to_string()
                    .starts_with("No system keychain is running (Secret Service). Install and unlock GNOME Keyring or KWallet"),
                "{e}"
            );
        }
        assert_eq!(
            e.detail(),
            Some("no secret service provider or dbus session found")
        );

        mock.set_error(K::NoStorageAccess(boxed("SS Error: object locked")));
        let e = s.set("acme", k, &secret("w")).unwrap_err();
        assert_eq!(e.code(), "keychain_locked");
        assert_eq!(
            e.to_string(),
            "The system keychain is locked. Unlock it and try again."
        );

        mock.set_error(K::PlatformFailure(boxed("SS error: prompt dismissed")));
        assert_eq!(
            s.set("acme", k, &secret("w")).unwrap_err().code(),
            "keychain_locked"
        );

        mock.set_error(K::BadEncoding(b"hunter2\xff".to_vec()));
        let e = s.get("acme", k).unwrap_err();
        assert_eq!(e.code(), "secret_unreadable");
        assert_eq!(
            e.to_string(),
            "The Namely token saved for \"acme\" could not be read back. Replace it with a new one."
        );
        assert!(!format!("{e:?}").contains("hunter2"));

        mock.set_error(K::Ambiguous(vec![]));
        let e = s.delete("acme", k).unwrap_err();
        assert_eq!(e.code(), "keychain_ambiguous");
        assert!(e.to_string().contains("account acme/namely-token"), "{e}");

        mock.set_error(K::TooLong("user".into(), 255));
        assert_eq!(s.get("acme", k).unwrap_err().code(), "keychain_failed");

        // The injected errors did not disturb the stored value; NoEntry is simply "not set".
        assert_eq!(value(s.get("acme", k).unwrap()).as_deref(), Some("v"));
        mock.set_error(K::NoEntry);
        assert_eq!(value(s.get("acme", k).unwrap()), None);
    }

    #[test]
    fn non_utf8_value_is_unreadable_not_leaked() {
        let s = Secrets::mock();
        let k = SecretKind::IcimsHmacKey;
        s.entry("acme", k)
            .unwrap()
            .set_secret(b"hunter2\xff\xfe")
            .unwrap();
        let e = s.get("acme", k).unwrap_err();
        assert_eq!(e.code(), "secret_unreadable");
        assert!(!format!("{e:?} {e}").contains("hunter2"));
    }
}
