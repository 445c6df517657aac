//! The engine's side of the keychain: saving, reading and removing a connection's secrets
//! (always off the async threads), and the clients built from them.

use super::{Engine, EngineError, Result, now};
use crate::api::{ConnectionDetails, Field};
use crate::clients;
use crate::connection::ConnectionSettings;
use crate::secrets::{SecretKind, Secrets};
use secrecy::{ExposeSecret, SecretString};

impl Engine {
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
                Some(Field::from(kind)),
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
            .set_secret_meta(&settings.name, kind, now())?;
        Ok(())
    }

    /// Removes a secret from the keychain.
    pub async fn remove_secret(&self, name: &str, kind: SecretKind) -> Result<ConnectionDetails> {
        let settings = self.settings(name)?;
        self.keychain(&settings, move |s, conn| s.delete(conn, kind))
            .await?;
        self.inner.store.remove_secret_meta(&settings.name, kind)?;
        self.details(&settings)
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
        let token = self
            .require_secret(settings, SecretKind::NamelyToken)
            .await?;
        Ok(clients::namely_client(
            settings,
            token,
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
