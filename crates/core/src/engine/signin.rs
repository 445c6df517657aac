//! Sign in with Namely (OAuth, `docs/namely-api.md` §2.2): begin (a listener on 127.0.0.1
//! and the address to open), finish (the answer, the code exchanged, the sign-in checked,
//! then kept), cancel; and the credential every later call signs with: the personal access
//! token, or a session that refreshes the access token from the kept refresh token.
//!
//! Nothing is saved until the whole sign-in has worked: a denial, a wrong state, a refused
//! exchange, a time-out or a person who cannot use the API leave the connection as it was.

use super::{Engine, EngineError, Result};
use crate::api::{Field, SignInResult, SignInStart};
use crate::clients;
use crate::connection::{ConnectionSettings, NamelyOAuth};
use crate::secrets::{SecretKind, Secrets};
use crate::signin::{Callback, Listener, NoAnswer};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;

/// A sign-in waiting for Namely's answer.
pub(super) struct PendingSignIn {
    oauth: namely::OAuth,
    app: NamelyOAuth,
    client_secret: SecretString,
    listener: Option<Listener>,
    cancel: Arc<tokio::sync::Notify>,
}

/// The signed-in sessions of this process, by connection: one access token each, shared by
/// every call, refreshed when it runs out.
pub(super) type Sessions = std::collections::HashMap<String, (String, namely::OAuthSession)>;

impl Engine {
    /// Starts Sign in with Namely for `name`: listens on 127.0.0.1 at the redirect URI's port
    /// (`port`, else the one used before, else 47600) and gives the address to open in the
    /// browser. A sign-in already waiting for this connection is cancelled.
    pub async fn begin_namely_sign_in(
        &self,
        name: &str,
        client_id: &str,
        client_secret: SecretString,
        port: Option<u16>,
    ) -> Result<SignInStart> {
        let settings = self.live_settings(name).await?;
        let client_id = client_id.trim();
        if client_id.is_empty() || !client_id.chars().all(|c| c.is_ascii_graphic()) {
            return Err(EngineError::invalid(
                "Enter the client ID of the application registered in Namely (Namely › API): \
                 one word, without spaces.",
                Some(Field::NamelyClientId),
            ));
        }
        let client_secret =
            Self::check_secret_value(SecretKind::NamelyClientSecret, client_secret)?;
        let port = port
            .or(settings.namely_oauth.as_ref().map(|o| o.port))
            .unwrap_or(namely::assumptions::DEFAULT_REDIRECT_PORT);
        let app = NamelyOAuth {
            client_id: client_id.to_string(),
            port,
        };
        let oauth = namely::OAuth::new(
            &clients::namely_endpoint(&settings)?,
            namely::OAuthApp {
                client_id: app.client_id.clone(),
                client_secret: client_secret.clone(),
            },
            app.redirect_uri(),
            self.inner.options.clients.timeout,
        )
        .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::NamelyClientId)))?;
        self.cancel_namely_sign_in(name);
        let authorization = oauth.authorize();
        let listener = Listener::bind(port, authorization.state.clone())
            .await
            .map_err(|e| port_taken(port, &e))?;
        let start = SignInStart {
            authorize_url: authorization.url.to_string(),
            redirect_uri: app.redirect_uri().to_string(),
            sandbox: settings.sandbox,
        };
        self.lock_sign_ins().insert(
            settings.name.key(),
            PendingSignIn {
                oauth,
                app,
                client_secret,
                listener: Some(listener),
                cancel: Arc::new(tokio::sync::Notify::new()),
            },
        );
        Ok(start)
    }

    /// Waits (at most `timeout`) for Namely's answer to the sign-in begun for `name`, then
    /// exchanges the code, checks the sign-in like a pasted token (part 2) and, when it
    /// passes, keeps the client secret and refresh token in the keychain (replacing a
    /// personal access token). Denial, a wrong state, a refused exchange, a time-out or a
    /// cancel are errors with the next step, and save nothing.
    pub async fn finish_namely_sign_in(
        &self,
        name: &str,
        timeout: Duration,
    ) -> Result<SignInResult> {
        let settings = self.live_settings(name).await?;
        let key = settings.name.key();
        let (listener, cancel) = {
            let mut pending = self.lock_sign_ins();
            let Some(p) = pending.get_mut(&key) else {
                return Err(EngineError::invalid(
                    "No sign-in with Namely is waiting for this connection. Start it again.",
                    Some(Field::NamelyClientId),
                ));
            };
            let Some(listener) = p.listener.take() else {
                return Err(EngineError::Busy(settings.name.to_string()));
            };
            (listener, p.cancel.clone())
        };
        let answer = listener.wait(timeout, cancel.notified()).await;
        let Some(pending) = self.lock_sign_ins().remove(&key) else {
            return Err(EngineError::Credentials(
                "The sign-in was cancelled.".into(),
            ));
        };
        let redirect = pending.app.redirect_uri();
        let code = match answer {
            Ok(Callback::Code(code)) => code,
            Ok(Callback::Refused { error, description }) => {
                return Err(EngineError::Credentials(refused_text(&error, description)));
            }
            Ok(Callback::WrongState) => {
                return Err(EngineError::Credentials(format!(
                    "The answer that reached {redirect} did not belong to this sign-in (its \
                     state did not match), so it was refused and nothing was saved. Sign in \
                     again, and finish in the browser window this sign-in opened."
                )));
            }
            Ok(Callback::Malformed) => {
                return Err(EngineError::Credentials(format!(
                    "{redirect} was opened without Namely's answer (no code, no error), so \
                     nothing was saved. Sign in again."
                )));
            }
            Err(NoAnswer::Cancelled) => {
                return Err(EngineError::Credentials(
                    "The sign-in was cancelled; nothing was saved.".into(),
                ));
            }
            Err(NoAnswer::TimedOut) => {
                return Err(EngineError::Credentials(format!(
                    "Namely's answer did not arrive within {}, so nothing was saved. Sign in \
                     again and click Accept in the browser. If the browser showed an error \
                     about the redirect URI, register exactly {redirect} with the application \
                     in Namely (Namely › API).",
                    minutes(timeout)
                )));
            }
        };
        let tokens = pending
            .oauth
            .exchange_code(code.expose_secret())
            .await
            .map_err(namely_refusal)?;
        let session = namely::OAuthSession::signed_in(
            pending.oauth.clone(),
            tokens,
            Some(self.refresh_token_saver(&settings)),
        )
        .map_err(namely_refusal)?;
        let result = self
            .sign_in_with(settings.clone(), session.clone().into(), false)
            .await?;
        if !result.check.passed {
            return Ok(result);
        }
        let refresh = session.refresh_token().await;
        self.keep_sign_in(&settings, &pending.app, pending.client_secret, refresh)
            .await?;
        self.lock_sessions()
            .insert(key, (session_key(&settings, &pending.app), session));
        Ok(result)
    }

    /// Stops the sign-in waiting for `name`, if any; true when one was waiting.
    pub fn cancel_namely_sign_in(&self, name: &str) -> bool {
        let Ok(name) = crate::connection::ConnectionName::new(name) else {
            return false;
        };
        let mut pending = self.lock_sign_ins();
        match pending.get(&name.key()) {
            Some(p) if p.listener.is_none() => {
                // Someone waits on it: wake them; they remove it.
                p.cancel.notify_one();
                true
            }
            Some(_) => pending.remove(&name.key()).is_some(),
            None => false,
        }
    }

    /// Saves what a successful sign-in needs for later, then points the connection at it:
    /// the keychain first, so a failure there leaves the connection as it was.
    async fn keep_sign_in(
        &self,
        settings: &ConnectionSettings,
        app: &NamelyOAuth,
        client_secret: SecretString,
        refresh: SecretString,
    ) -> Result<()> {
        let name = settings.name.as_str();
        self.set_secret(name, SecretKind::NamelyClientSecret, client_secret)
            .await?;
        self.set_secret(name, SecretKind::NamelyRefreshToken, refresh)
            .await?;
        self.inner
            .store
            .set_namely_oauth(&settings.name, Some(app))?;
        // The personal access token is replaced: one credential per connection.
        self.remove_secret(name, SecretKind::NamelyToken).await?;
        tracing::info!(connection = name, "signed in with Namely");
        Ok(())
    }

    /// The credential the connection signs Namely calls with, when one is saved.
    pub(super) async fn namely_credential(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<Option<namely::Credential>> {
        let Some(app) = &settings.namely_oauth else {
            return Ok(self
                .secret(settings, SecretKind::NamelyToken)
                .await?
                .map(namely::Credential::Token));
        };
        let key = session_key(settings, app);
        if let Some((k, session)) = self.lock_sessions().get(&settings.name.key())
            && *k == key
        {
            return Ok(Some(session.clone().into()));
        }
        let Some(client_secret) = self
            .secret(settings, SecretKind::NamelyClientSecret)
            .await?
        else {
            return Ok(None);
        };
        let Some(refresh) = self
            .secret(settings, SecretKind::NamelyRefreshToken)
            .await?
        else {
            return Ok(None);
        };
        let oauth = namely::OAuth::new(
            &clients::namely_endpoint(settings)?,
            namely::OAuthApp {
                client_id: app.client_id.clone(),
                client_secret,
            },
            app.redirect_uri(),
            self.inner.options.clients.timeout,
        )
        .map_err(|e| EngineError::invalid(e.to_string(), Some(Field::NamelyClientId)))?;
        let session =
            namely::OAuthSession::new(oauth, refresh, Some(self.refresh_token_saver(settings)));
        self.lock_sessions()
            .insert(settings.name.key(), (key, session.clone()));
        Ok(Some(session.into()))
    }

    /// The credential, or the error saying which secret is missing.
    pub(super) async fn require_namely_credential(
        &self,
        settings: &ConnectionSettings,
    ) -> Result<namely::Credential> {
        self.namely_credential(settings).await?.ok_or_else(|| {
            EngineError::secret_missing(settings.name.as_str(), Self::namely_secret_kind(settings))
        })
    }

    /// The secret a missing Namely credential is named by: the sign-in's refresh token, or
    /// the personal access token.
    pub(super) fn namely_secret_kind(settings: &ConnectionSettings) -> SecretKind {
        if settings.namely_oauth.is_some() {
            SecretKind::NamelyRefreshToken
        } else {
            SecretKind::NamelyToken
        }
    }

    /// Forgets the signed-in session of `name` (the sign-in changed or was removed).
    pub(super) fn forget_namely_session(&self, settings: &ConnectionSettings) {
        self.lock_sessions().remove(&settings.name.key());
    }

    /// Stores a refresh token Namely handed out in place of the old one.
    fn refresh_token_saver(&self, settings: &ConnectionSettings) -> namely::RefreshTokenSaver {
        let secrets: Secrets = self.inner.secrets.clone();
        let store = self.inner.store.clone();
        let name = settings.name.clone();
        Arc::new(move |token: SecretString| {
            let secrets = secrets.clone();
            let store = store.clone();
            let name = name.clone();
            Box::pin(async move {
                let conn = name.to_string();
                let saved = tokio::task::spawn_blocking(move || {
                    secrets.set(&conn, SecretKind::NamelyRefreshToken, &token)
                })
                .await;
                match saved {
                    Ok(Ok(())) => {
                        let _ = store.set_secret_meta(
                            &name,
                            SecretKind::NamelyRefreshToken,
                            super::now(),
                        );
                    }
                    Ok(Err(e)) => tracing::warn!(
                        connection = %name,
                        error = %e,
                        "could not save the new Namely refresh token; the next sign-in may be needed"
                    ),
                    Err(e) => tracing::warn!(error = %e, "saving the refresh token stopped"),
                }
            })
        })
    }

    fn lock_sign_ins(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, PendingSignIn>> {
        self.inner
            .sign_ins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn lock_sessions(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.inner
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Which application and address a cached session belongs to.
fn session_key(settings: &ConnectionSettings, app: &NamelyOAuth) -> String {
    format!(
        "{}|{}|{}|{}",
        app.client_id,
        app.port,
        settings.namely_url.as_deref().unwrap_or_default(),
        settings.namely_permalink
    )
}

fn namely_refusal(e: namely::Error) -> EngineError {
    match e {
        namely::Error::Transport { .. } => EngineError::Network(e.to_string()),
        namely::Error::InvalidInput { .. } => {
            EngineError::invalid(e.to_string(), Some(Field::NamelyClientId))
        }
        namely::Error::SignIn(namely::SignInError::ClientRejected) => EngineError::SignInRefused {
            message: e.to_string(),
            field: Field::NamelyClientSecret,
        },
        _ => EngineError::Credentials(e.to_string()),
    }
}

fn port_taken(port: u16, e: &std::io::Error) -> EngineError {
    EngineError::invalid(
        format!(
            "icims-namely cannot listen on 127.0.0.1 port {port} for Namely's answer ({e}). \
             Another program (or another sign-in) is using it: close it and sign in again, or \
             register the redirect URI with another port in Namely and sign in with that port."
        ),
        Some(Field::NamelyClientId),
    )
}

fn refused_text(error: &str, description: Option<String>) -> String {
    if error == "access_denied" {
        return "Namely says the sign-in was denied (Deny was clicked), so nothing was saved. \
                Sign in again and click Accept, or paste a personal access token instead."
            .into();
    }
    let description = description
        .map(|d| format!(": {}", crate::quote::quoted(&d)))
        .unwrap_or_default();
    format!(
        "Namely did not sign you in ({}{description}), so nothing was saved. Check the client \
         ID and the redirect URI registered with the application in Namely, then sign in again.",
        crate::quote::quoted(error)
    )
}

fn minutes(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 && secs.is_multiple_of(60) {
        let m = secs / 60;
        format!("{m} minute{}", if m == 1 { "" } else { "s" })
    } else {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    }
}
