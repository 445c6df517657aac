//! The store for computers without a keychain: secrets in this process's memory only, gone
//! when it exits. [`super::Secrets::is_persistent`] is false for it, so the app says so.

use keyring_core::Entry;
use keyring_core::api::{Credential, CredentialApi, CredentialPersistence, CredentialStoreApi};
use secrecy::{ExposeSecret, SecretSlice};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The session-only store: a map in process memory. Values are zeroized when replaced,
/// removed or dropped, and no `Debug` output shows them.
/// `(service, user)` → value.
type SessionItems = Mutex<HashMap<(String, String), SecretSlice<u8>>>;

#[derive(Default)]
pub(super) struct SessionStore {
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
