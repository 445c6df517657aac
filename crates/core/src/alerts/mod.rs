//! Alerts for unattended machines: after a run that failed, failed records, or found the
//! setup broken, one JSON POST to the connection's webhook.
//!
//! # The webhook
//!
//! Optional, one per connection: the secret [`SecretKind::AlertWebhook`], kept where the other
//! secrets are (the keychain, or the secrets folder's `<connection>.alert-webhook`). Its
//! address is a secret — whoever has it can post to the channel — so it is never logged,
//! shown or put in an error: only its host is. `https://` only; `http://` only to this
//! computer (127.0.0.1, `::1`, `localhost`), for tests and a local relay.
//!
//! # The message
//!
//! ```json
//! {"text": "icims-namely: …", "connection": "Acme", "event": "setup_broken",
//!  "run_id": 42, "app": "icims-namely"}
//! ```
//!
//! `text` is one readable sentence or two with the connection's name and what to do, so the
//! body suits a Slack or Microsoft Teams incoming webhook as is; the other fields are for
//! other receivers. `event` is `run_failed`, `records_failed` or `setup_broken`; `run_id` is
//! `null` when the run could not even be recorded.
//!
//! # When
//!
//! [`judge`] reads a run's outcome. A successful run sends nothing and clears what was alerted;
//! a cancelled or interrupted one, or a busy connection, says nothing about its health and
//! changes nothing. A failure alerts only when it differs from the last one alerted for that
//! connection ([`AlertMemory`], kept in the data folder so that a `sync` run by cron does not
//! alert the same broken state every hour). Delivery waits at most 5 s, is tried twice, and a
//! failure to deliver is logged and never fails the run; the next failed run tries again.
//!
//! [`SecretKind::AlertWebhook`]: crate::domain::SecretKind::AlertWebhook

use crate::api::{RunDetails, RunErrorCode, RunStatus};
use crate::engine::EngineError;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The `app` of every alert.
pub const APP: &str = "icims-namely";
/// Longest one delivery attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The pause before the second (last) attempt.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertEvent {
    /// The run as a whole failed, or could not start for a reason that is not the setup.
    RunFailed,
    /// The run finished, but some hires could not be added.
    RecordsFailed,
    /// The setup is broken (a credential refused or missing, the owner no longer valid, the
    /// iCIMS daily budget used up): runs stop until someone acts.
    SetupBroken,
}

impl AlertEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertEvent::RunFailed => "run_failed",
            AlertEvent::RecordsFailed => "records_failed",
            AlertEvent::SetupBroken => "setup_broken",
        }
    }
}

impl fmt::Display for AlertEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One alert: the JSON body posted to the webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// For people (and for Slack and Teams, which show only this).
    pub text: String,
    pub connection: String,
    pub event: AlertEvent,
    pub run_id: Option<i64>,
    pub app: &'static str,
    /// The broken state, as remembered to alert it once: `setup_broken:namely_credentials`.
    #[serde(skip)]
    pub state: String,
}

/// What a run's outcome means for alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// All went well: nothing to send, and the next failure alerts again.
    Healthy,
    /// Says nothing about the connection's health (cancelled, interrupted, busy): nothing to
    /// send, nothing forgotten.
    Neutral,
    /// Worth an alert, unless this state was the last alerted.
    Alert(Alert),
}

/// What [`crate::engine::Engine::send_alerts`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertOutcome {
    /// Nothing to alert.
    Quiet,
    /// The same state was already alerted for this connection.
    AlreadyAlerted(AlertEvent),
    /// Worth an alert, but the connection has no webhook.
    NoWebhook(AlertEvent),
    /// Posted, and answered with a success.
    Sent(AlertEvent),
    /// Not delivered (logged with the webhook's host only); the next failed run tries again.
    NotDelivered { event: AlertEvent, reason: String },
}

/// Reads a run's outcome: whether it calls for an alert, and which.
pub fn judge(connection: &str, result: &Result<RunDetails, EngineError>) -> Verdict {
    match result {
        Ok(details) => judge_run(connection, details),
        Err(e) => judge_error(connection, e),
    }
}

fn judge_run(connection: &str, details: &RunDetails) -> Verdict {
    let s = &details.summary;
    let id = s.id;
    let who = shell_word(connection);
    let why = s
        .error
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .unwrap_or("No reason was recorded.");
    let (event, code, text) = match s.status {
        RunStatus::Succeeded => return Verdict::Healthy,
        RunStatus::Running | RunStatus::Cancelled | RunStatus::Interrupted => {
            return Verdict::Neutral;
        }
        RunStatus::FinishedWithFailures => {
            let n = s.counts.failed;
            let hires = if n == 1 { "hire" } else { "hires" };
            (
                AlertEvent::RecordsFailed,
                "records".to_string(),
                format!(
                    "icims-namely: the sync of \"{connection}\" (run {id}) could not add {n} \
                     {hires} to Namely; they are tried again at the next run. See why with \
                     `icims-namely history {who} --run {id}`."
                ),
            )
        }
        RunStatus::StoppedBudget => (
            AlertEvent::SetupBroken,
            RunErrorCode::IcimsBudget.as_str().to_string(),
            format!(
                "icims-namely: the sync of \"{connection}\" (run {id}) stopped early because \
                 the iCIMS daily API budget is used up. {why} It goes on at the next run once \
                 iCIMS resets the budget; ask iCIMS for a larger one if this keeps happening."
            ),
        ),
        RunStatus::Failed | RunStatus::NotStarted => {
            let code = s.error_code.unwrap_or(RunErrorCode::NotStarted);
            if is_setup(code) {
                (
                    AlertEvent::SetupBroken,
                    code.as_str().to_string(),
                    format!(
                        "icims-namely: the setup of \"{connection}\" needs attention, so its \
                         syncs stop (run {id}). {why} Run `icims-namely check {who}` (or open \
                         the app) to see what to fix."
                    ),
                )
            } else {
                (
                    AlertEvent::RunFailed,
                    code.as_str().to_string(),
                    format!(
                        "icims-namely: the sync of \"{connection}\" failed (run {id}). {why} It \
                         is tried again at the next scheduled run; see \
                         `icims-namely history {who}` if it keeps failing."
                    ),
                )
            }
        }
    };
    Verdict::Alert(Alert {
        state: format!("{event}:{code}"),
        text,
        connection: connection.to_string(),
        event,
        run_id: Some(id),
        app: APP,
    })
}

/// A run that could not start or be recorded.
fn judge_error(connection: &str, e: &EngineError) -> Verdict {
    let who = shell_word(connection);
    let event = match e {
        EngineError::Busy(_)
        | EngineError::ConnectionNotFound { .. }
        | EngineError::NotFound(_)
        | EngineError::AlreadyExists(_) => return Verdict::Neutral,
        EngineError::InvalidInput { .. }
        | EngineError::SecretMissing { .. }
        | EngineError::Keychain(_)
        | EngineError::Credentials(_)
        | EngineError::SignInRefused { .. } => AlertEvent::SetupBroken,
        EngineError::Network(_) | EngineError::Storage(_) | EngineError::Internal(_) => {
            AlertEvent::RunFailed
        }
    };
    let text = match event {
        AlertEvent::SetupBroken => format!(
            "icims-namely: the sync of \"{connection}\" could not start: {e} Run \
             `icims-namely check {who}` (or open the app) to see what to fix."
        ),
        _ => format!(
            "icims-namely: the sync of \"{connection}\" could not run: {e} It is tried again at \
             the next scheduled run."
        ),
    };
    let code = serde_json::to_value(e.code())
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Verdict::Alert(Alert {
        state: format!("{event}:{code}"),
        text,
        connection: connection.to_string(),
        event,
        run_id: None,
        app: APP,
    })
}

/// A failure someone must fix in the setup, not one that passes by itself (alerts and the
/// desktop's notifications judge alike).
pub(crate) fn is_setup(code: RunErrorCode) -> bool {
    matches!(
        code,
        RunErrorCode::IcimsBudget
            | RunErrorCode::IcimsCredentials
            | RunErrorCode::IcimsAccess
            | RunErrorCode::NamelyCredentials
            | RunErrorCode::SecretMissing
            | RunErrorCode::Keychain
            | RunErrorCode::OwnerInvalid
    )
}

/// A connection name as a shell reads it in a suggested command.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A webhook address found unusable. Never repeats the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error(
        "The alert webhook is not a web address. Use the full address the chat tool gave, \
         starting with https://."
    )]
    NotAnAddress,
    #[error(
        "The alert webhook must start with https:// (plain http:// is allowed only to this \
         computer, e.g. http://127.0.0.1:8080/)."
    )]
    NotHttps,
}

/// A checked webhook address. Its `Debug` shows the host only.
#[derive(Clone)]
pub struct Webhook {
    url: SecretString,
    host: String,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// Checks an address: `https://`, or `http://` to this computer.
    pub fn parse(text: &str) -> Result<Webhook, WebhookError> {
        let text = text.trim();
        let url = url::Url::parse(text).map_err(|_| WebhookError::NotAnAddress)?;
        let host = url.host().ok_or(WebhookError::NotAnAddress)?;
        let loopback = match &host {
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
            url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(WebhookError::NotHttps),
            _ => return Err(WebhookError::NotAnAddress),
        }
        let host = host.to_string();
        Ok(Webhook {
            url: SecretString::from(text.to_string()),
            host,
        })
    }

    /// The host, the only part of the address that may be logged or shown.
    pub fn host(&self) -> &str {
        &self.host
    }
}

/// Why an alert was not delivered, without the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeliveryError(pub String);

/// Posts the alert: at most [`TIMEOUT`] per attempt, two attempts, no redirects followed (a
/// redirect could lead to plain http). A 2xx answer is a delivery.
pub async fn deliver(hook: &Webhook, alert: &Alert) -> Result<(), DeliveryError> {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("icims-namely/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| DeliveryError(e.without_url().to_string()))?;
    let mut last = DeliveryError("not tried".to_string());
    for attempt in 0..2 {
        if attempt > 0 {
            tokio::time::sleep(RETRY_PAUSE).await;
        }
        let sent = client
            .post(hook.url.expose_secret())
            .json(alert)
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => return Ok(()),
            Ok(answer) => {
                last = DeliveryError(format!("the webhook answered {}", answer.status()));
            }
            Err(e) => last = DeliveryError(reason(e)),
        }
    }
    Err(last)
}

/// A transport error in words, never with the address (reqwest's own text includes it).
fn reason(e: reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        e.without_url().to_string()
    }
}

/// The last state alerted per connection: `<data>/alert-state.json`, `{"acme":
/// "setup_broken:namely_credentials"}` (keys are connection keys, lowercase). Shared by the
/// app and the command line of one data folder; an unreadable file counts as empty.
#[derive(Debug, Clone)]
pub struct AlertMemory {
    path: PathBuf,
}

/// Serializes reads and writes of the memory within this process.
static MEMORY_LOCK: Mutex<()> = Mutex::new(());

impl AlertMemory {
    /// The memory of the data folder at `root`.
    pub fn in_data_dir(root: &Path) -> AlertMemory {
        AlertMemory {
            path: root.join("alert-state.json"),
        }
    }

    fn load(&self) -> BTreeMap<String, String> {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    fn store(&self, map: &BTreeMap<String, String>) {
        // Private (0600) and replaced in one step, as every file of the data folder.
        let written = serde_json::to_vec_pretty(map)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                crate::paths::write_private(&self.path, &bytes, crate::paths::IfExists::Replace)
                    .map_err(|e| e.to_string())
            });
        if let Err(e) = written {
            tracing::warn!(error = %e, "could not remember which alerts were sent");
        }
    }

    /// The state last alerted for this connection key.
    pub fn last(&self, key: &str) -> Option<String> {
        let _lock = MEMORY_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        self.load().remove(key)
    }

    /// Remembers `state` as alerted for this key; `None` forgets (the connection is healthy).
    pub fn set(&self, key: &str, state: Option<&str>) {
        let _lock = MEMORY_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut map = self.load();
        let changed = match state {
            Some(s) => map.insert(key.to_string(), s.to_string()).as_deref() != Some(s),
            None => map.remove(key).is_some(),
        };
        if changed {
            self.store(&map);
        }
    }
}

#[cfg(test)]
mod tests;
