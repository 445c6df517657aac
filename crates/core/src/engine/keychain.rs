//! The engine's side of the keychain: saving, reading and removing a connection's secrets
//! (always off the async threads), and the clients built from them. Reads go to the secrets
//! folder first when there is one (see [`crate::secrets`]); saves always go to the keychain.

use super::{Engine, EngineError, Result, now, views};
use crate::api::{ConnectionDetails, Field, SecretInfo, SecretStore};
use crate::clients;
use crate::connection::ConnectionSettings;
use crate::secrets::{SecretKind, SecretSource, Secrets};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;

impl Engine {
    /// Saves a secret in the keychain (never anywhere else) and notes when. Refused when the
    /// secrets folder holds a file for it: that file would still be the one used.
    pub async fn set_secret(
        &self,
        name: &str,
        kind: SecretKind,
        value: SecretString,
    ) -> Result<()> {
        let settings = self.settings(name)?;
        let value = Self::check_secret_value(kind, value)?;
        if let Some(file) = self.secret_file(name, kind)?
            && std::fs::symlink_metadata(&file).is_ok()
        {
            return Err(EngineError::invalid(
                format!(
                    "The secrets folder already holds the {} for \"{}\" in {}, and that file is \
                     used before the keychain: change the file instead (or remove it to use \
                     the keychain).",
                    kind.label(),
                    settings.name,
                    file.display()
                ),
                Some(Field::from(kind)),
            ));
        }
        self.keychain(&settings, move |s, conn| s.set(conn, kind, &value))
            .await?;
        self.inner
            .store
            .set_secret_meta(&settings.name, kind, now())?;
        Ok(())
    }

    /// The most characters a secret may have: far more than any token, key or webhook
    /// address, far less than a file pasted by mistake.
    pub const MAX_SECRET_LEN: usize = 4096;

    /// A secret as pasted, checked before it is saved anywhere (the command line checks it
    /// before it says there is no keychain to save it in): not empty, at most
    /// [`Engine::MAX_SECRET_LEN`] characters, a Namely token one word, an HMAC key one line,
    /// a webhook an address. Returns the value to keep. The messages never repeat the value.
    pub fn check_secret_value(kind: SecretKind, value: SecretString) -> Result<SecretString> {
        let invalid = |message: String| EngineError::invalid(message, Some(Field::from(kind)));
        let label = kind.label();
        let trimmed = value.expose_secret().trim();
        if trimmed.is_empty() {
            return Err(invalid(format!("The {label} is empty. Paste it again.")));
        }
        if trimmed.chars().count() > Self::MAX_SECRET_LEN {
            return Err(invalid(format!(
                "The {label} is longer than {} characters, the most a secret here may be: \
                 paste only the {label}, nothing around it.",
                Self::MAX_SECRET_LEN
            )));
        }
        let inside = |bad: fn(char) -> bool| trimmed.chars().any(bad);
        match kind {
            SecretKind::NamelyToken
            | SecretKind::NamelyClientSecret
            | SecretKind::NamelyRefreshToken
                if inside(char::is_whitespace) =>
            {
                return Err(invalid(format!(
                    "The {label} has a space or a line break inside it; it is one word. Paste \
                     only the {label}."
                )));
            }
            SecretKind::IcimsHmacKey if inside(char::is_control) => {
                return Err(invalid(
                    "The iCIMS HMAC key has a line break (or another control character) inside \
                     it; a key is one line. Paste only the key."
                        .to_string(),
                ));
            }
            _ => {}
        }
        // A token pasted with a trailing newline is still the token; an HMAC key is kept
        // byte for byte (the iCIMS client refuses surrounding white space with its own message).
        Ok(match kind {
            SecretKind::NamelyToken
            | SecretKind::NamelyClientSecret
            | SecretKind::NamelyRefreshToken => SecretString::from(trimmed.to_string()),
            SecretKind::IcimsHmacKey => value,
            SecretKind::AlertWebhook => {
                crate::alerts::Webhook::parse(trimmed)
                    .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::AlertWebhook)))?;
                SecretString::from(trimmed.to_string())
            }
        })
    }

    /// Removes a secret from the keychain.
    pub async fn remove_secret(&self, name: &str, kind: SecretKind) -> Result<ConnectionDetails> {
        let settings = self.settings(name)?;
        self.keychain(&settings, move |s, conn| s.delete(conn, kind))
            .await?;
        self.inner.store.remove_secret_meta(&settings.name, kind)?;
        self.details(&settings)
    }

    /// The file of the secrets folder this secret of the connection is read from when it
    /// exists; `None` when there is no secrets folder.
    pub fn secret_file(&self, name: &str, kind: SecretKind) -> Result<Option<PathBuf>> {
        let settings = self.settings(name)?;
        Ok(self
            .inner
            .secrets
            .folder_file(settings.name.as_str(), kind)?)
    }

    /// Each secret of a connection: whether it is set and where it is read from, never its
    /// value. The optional ones (the alert webhook) only when set or refused. Reads no secret:
    /// the keychain's are known from the notes of when they were saved, the folder's from
    /// its files' metadata.
    pub(super) fn secret_infos(&self, settings: &ConnectionSettings) -> Result<Vec<SecretInfo>> {
        let meta = self.inner.store.secret_meta(&settings.name)?;
        let secrets = &self.inner.secrets;
        let stored = match secrets.store_source() {
            SecretSource::Session => SecretStore::Session,
            _ => SecretStore::Keychain,
        };
        let mut infos = Vec::new();
        // Signed in with Namely, the sign-in's secrets take the token's place.
        let namely: &[SecretKind] = if settings.namely_oauth.is_some() {
            &SecretKind::SIGN_IN
        } else {
            &[SecretKind::NamelyToken]
        };
        for kind in namely
            .iter()
            .copied()
            .chain([SecretKind::IcimsHmacKey, SecretKind::AlertWebhook])
        {
            let saved = meta.iter().find(|m| m.kind == kind).map(|m| m.saved_at);
            let mut info = SecretInfo {
                kind,
                set: saved.is_some(),
                saved_at: saved.map(views::rfc3339),
                store: saved.map(|_| stored),
                path: None,
                problem: None,
            };
            match secrets.folder_provides(settings.name.as_str(), kind) {
                Ok(None) => {}
                Ok(Some(path)) => {
                    let changed = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .map(|t| views::rfc3339(time::OffsetDateTime::from(t)));
                    info.set = true;
                    info.saved_at = changed;
                    info.store = Some(SecretStore::Folder);
                    info.path = Some(path.display().to_string());
                }
                Err(e) => {
                    info.set = false;
                    info.saved_at = None;
                    info.store = None;
                    if let crate::secrets::SecretsError::File { path, .. } = &e {
                        info.path = Some(path.display().to_string());
                    }
                    info.problem = Some(e.to_string());
                }
            }
            if !kind.is_optional() || info.set || info.problem.is_some() {
                infos.push(info);
            }
        }
        Ok(infos)
    }

    /// Runs a keychain call for this connection on tokio's blocking pool: a locked keychain
    /// on a desktop may prompt and block, and must never hold up an async thread.
    pub(super) async fn keychain<T: Send + 'static>(
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

    pub(super) async fn secret(
        &self,
        settings: &ConnectionSettings,
        kind: SecretKind,
    ) -> Result<Option<SecretString>> {
        self.keychain(settings, move |s, conn| s.get(conn, kind))
            .await
    }

    pub(super) async fn require_secret(
        &self,
        settings: &ConnectionSettings,
        kind: SecretKind,
    ) -> Result<SecretString> {
        self.secret(settings, kind)
            .await?
            .ok_or_else(|| EngineError::secret_missing(settings.name.as_str(), kind))
    }

    pub(super) async fn namely_client(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<namely::Client> {
        let credential = self.require_namely_credential(settings).await?;
        Ok(clients::namely_client(
            settings,
            credential,
            &self.inner.options.clients,
        )?)
    }

    pub(super) async fn icims_client(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<icims::Client> {
        let key = self
            .require_secret(settings, SecretKind::IcimsHmacKey)
            .await?;
        Ok(clients::icims_client(
            settings,
            key,
            &self.inner.options.clients,
        )?)
    }
}
