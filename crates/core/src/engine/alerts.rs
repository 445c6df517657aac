//! The engine's side of alerts (see [`crate::alerts`]): after a run, judge it, and post to the
//! connection's webhook when the state is new.

use super::{Engine, EngineError, Result};
use crate::alerts::{self, AlertMemory, AlertOutcome, Verdict, Webhook};
use crate::api::RunDetails;
use crate::secrets::{SecretKind, SecretsError};
use secrecy::ExposeSecret;

impl Engine {
    /// After a run (scheduled, from the command line, from the app): posts an alert to the
    /// connection's webhook when the run failed, failed records, or found the setup broken —
    /// once per broken state, not on every run. Never fails: a webhook that cannot be read or
    /// reached is logged (its host only, never the address) and the next failed run tries
    /// again.
    pub async fn send_alerts(
        &self,
        name: &str,
        result: &Result<RunDetails, EngineError>,
    ) -> AlertOutcome {
        let Ok(settings) = self.settings(name) else {
            return AlertOutcome::Quiet;
        };
        let connection = settings.name.as_str();
        let memory = AlertMemory::in_data_dir(self.inner.data.root());
        let key = settings.name.key();
        let alert = match alerts::judge(connection, result) {
            Verdict::Healthy => {
                memory.set(&key, None);
                return AlertOutcome::Quiet;
            }
            Verdict::Neutral => return AlertOutcome::Quiet,
            Verdict::Alert(alert) => alert,
        };
        let event = alert.event;
        if memory.last(&key).as_deref() == Some(alert.state.as_str()) {
            tracing::debug!(connection, %event, "already alerted");
            return AlertOutcome::AlreadyAlerted(event);
        }
        let not_delivered = |reason: String| AlertOutcome::NotDelivered { event, reason };
        let url = match self.secret(&settings, SecretKind::AlertWebhook).await {
            Ok(Some(url)) => url,
            Ok(None) => return AlertOutcome::NoWebhook(event),
            // No keychain to ask (a server using the secrets folder): no webhook there.
            Err(EngineError::Keychain(SecretsError::NoKeychain { .. })) => {
                tracing::debug!(connection, "no keychain to read an alert webhook from");
                return AlertOutcome::NoWebhook(event);
            }
            Err(e) => {
                tracing::warn!(connection, %event, error = %e, "could not read the alert webhook");
                return not_delivered(e.to_string());
            }
        };
        let hook = match Webhook::parse(url.expose_secret()) {
            Ok(hook) => hook,
            Err(e) => {
                tracing::warn!(connection, %event, error = %e, "alert webhook refused");
                return not_delivered(e.to_string());
            }
        };
        match alerts::deliver(&hook, &alert).await {
            Ok(()) => {
                memory.set(&key, Some(&alert.state));
                tracing::info!(connection, %event, host = hook.host(), "alert sent");
                AlertOutcome::Sent(event)
            }
            Err(e) => {
                tracing::warn!(
                    connection,
                    %event,
                    host = hook.host(),
                    reason = %e,
                    "could not deliver the alert"
                );
                not_delivered(format!("{} (webhook at {})", e, hook.host()))
            }
        }
    }
}
