//! Webhook alerts after runs, received by a small HTTP server on 127.0.0.1: what is posted,
//! when (a broken state once, a quiet run never), delivery tried twice, and the webhook's
//! address never in a log line, an error or an outcome.

mod quick;

use icims_namely_core::alerts::{AlertEvent, AlertOutcome};
use icims_namely_core::api::{RunDetails, RunErrorCode, RunStatus, SecretKind};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{Engine, EngineError, EngineOptions, SyncRequest};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use secrecy::SecretString;
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

const NAME: &str = "Acme";

mod webhook_support;
use webhook_support::{Receiver, SECRET_PATH};

// ---- logs -------------------------------------------------------------------------------

/// Everything logged on this thread (the tests run on one) until dropped.
struct Logs {
    buf: Arc<Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn capture() -> Logs {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(buf.clone());
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        Logs {
            buf,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap()).into_owned()
    }
}

// ---- the engine -------------------------------------------------------------------------

fn options() -> EngineOptions {
    quick::engine_options()
}

async fn set(engine: &Engine, kind: SecretKind, value: &str) {
    engine
        .set_secret(NAME, kind, SecretString::from(value.to_string()))
        .await
        .unwrap();
}

async fn sync(engine: &Engine, dry_run: bool) -> Result<RunDetails, EngineError> {
    let request = if dry_run {
        SyncRequest::dry_run(Trigger::Schedule)
    } else {
        SyncRequest::sync(Trigger::Schedule)
    };
    engine.sync(NAME, request, &|_| {}, None).await
}

/// Runs a sync, then what the scheduler and `sync` do after it.
async fn sync_and_alert(engine: &Engine, dry_run: bool) -> (RunDetails, AlertOutcome) {
    let result = sync(engine, dry_run).await;
    let outcome = engine.send_alerts(NAME, &result).await;
    (result.unwrap(), outcome)
}

fn assert_never_shown(texts: &[&str]) {
    for t in texts {
        assert!(
            !t.contains(SECRET_PATH),
            "the webhook's address leaked: {t}"
        );
    }
}

// ---- tests ------------------------------------------------------------------------------

#[tokio::test]
async fn a_broken_state_alerts_once_a_quiet_run_never_and_failed_records_alert() {
    let logs = Logs::capture();
    let hook = Receiver::start().await;
    let sb = quick::simulators().await;
    let demo = sb.demo_credentials();
    let data = quick::data_dir("data");
    let secrets = Secrets::mock();
    let engine = Engine::open(DataDir::new(data.path()), secrets.clone(), None, options()).unwrap();
    let e = &engine;
    e.add_connection(quick::connection_to(&sb, NAME)).unwrap();
    set(e, SecretKind::IcimsHmacKey, &demo.icims_hmac_key).await;
    assert!(
        e.save_namely_token(NAME, SecretString::from(demo.namely_token.clone()))
            .await
            .unwrap()
            .check
            .passed
    );
    e.check_namely_field(NAME).await.unwrap();
    // `secret set Acme alert-webhook` with the receiver's address.
    set(e, SecretKind::AlertWebhook, &hook.url).await;

    // A quiet run sends nothing.
    let (run, outcome) = sync_and_alert(e, true).await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    assert_eq!(outcome, AlertOutcome::Quiet);
    assert_eq!(hook.hits(), 0);

    // The iCIMS key stops working: the run does not start, and one alert says so.
    set(e, SecretKind::IcimsHmacKey, "a-key-iCIMS-refuses").await;
    let (run, outcome) = sync_and_alert(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::NotStarted,
        "{:?}",
        run.summary
    );
    assert_eq!(
        run.summary.error_code,
        Some(RunErrorCode::IcimsCredentials),
        "{:?}",
        run.summary
    );
    assert_eq!(outcome, AlertOutcome::Sent(AlertEvent::SetupBroken));
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let body = &bodies[0];
    assert_eq!(body["app"], "icims-namely");
    assert_eq!(body["connection"], NAME);
    assert_eq!(body["event"], "setup_broken");
    assert_eq!(body["run_id"], run.summary.id);
    let text = body["text"].as_str().unwrap();
    assert!(text.contains("\"Acme\""), "{text}");
    assert!(text.contains("icims-namely check Acme"), "{text}");
    assert!(!text.contains("a-key-iCIMS-refuses"), "{text}");

    // The same broken state on the next ticks: no second alert, also from another process
    // on the same data folder (a `sync` run by cron).
    let (_, outcome) = sync_and_alert(e, false).await;
    assert_eq!(
        outcome,
        AlertOutcome::AlreadyAlerted(AlertEvent::SetupBroken)
    );
    let cron = Engine::open(DataDir::new(data.path()), secrets.clone(), None, options()).unwrap();
    let (_, outcome) = sync_and_alert(&cron, false).await;
    assert_eq!(
        outcome,
        AlertOutcome::AlreadyAlerted(AlertEvent::SetupBroken)
    );
    drop(cron);
    assert_eq!(hook.hits(), 1);

    // Fixed; Namely refuses one hire: the records that failed are the news.
    set(e, SecretKind::IcimsHmacKey, &demo.icims_hmac_key).await;
    sb.namely.fail_next_on("POST", "/profiles", 1, 422);
    let (run, outcome) = sync_and_alert(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::FinishedWithFailures,
        "{:?}",
        run.summary
    );
    assert_eq!(outcome, AlertOutcome::Sent(AlertEvent::RecordsFailed));
    let body = hook.bodies()[1].clone();
    assert_eq!(body["event"], "records_failed");
    assert_eq!(body["run_id"], run.summary.id);
    let text = body["text"].as_str().unwrap();
    assert!(text.contains("could not add 1 hire"), "{text}");
    assert!(
        text.contains(&format!(
            "icims-namely history Acme --run {}",
            run.summary.id
        )),
        "{text}"
    );

    // The next run adds that hire: all well, nothing sent; nor on a quiet run after it.
    let (run, outcome) = sync_and_alert(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    assert_eq!(outcome, AlertOutcome::Quiet);
    let (_, outcome) = sync_and_alert(e, false).await;
    assert_eq!(outcome, AlertOutcome::Quiet);
    assert_eq!(hook.hits(), 2);

    // Broken again after being well: that is news again.
    set(e, SecretKind::IcimsHmacKey, "a-key-iCIMS-refuses").await;
    let (_, outcome) = sync_and_alert(e, false).await;
    assert_eq!(outcome, AlertOutcome::Sent(AlertEvent::SetupBroken));
    assert_eq!(hook.hits(), 3);

    let logs = logs.text();
    assert!(logs.contains("alert sent"), "{logs}");
    assert_never_shown(&[&logs]);
}

/// A connection whose simulators are not needed: the outcomes are given as a run's result.
fn engine_without_simulators(dir: &Path, secrets: Secrets) -> Engine {
    let engine = Engine::open(DataDir::new(dir), secrets, None, options()).unwrap();
    engine
        .add_connection(quick::connection_at(
            NAME,
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/api/v1",
        ))
        .unwrap();
    engine
}

fn refused() -> Result<RunDetails, EngineError> {
    Err(EngineError::Credentials(
        "Namely refused the saved token.".into(),
    ))
}

#[tokio::test]
async fn delivery_is_tried_twice_and_its_failures_never_show_the_address() {
    let logs = Logs::capture();
    let hook = Receiver::start().await;
    let data = quick::data_dir("data");
    let e = engine_without_simulators(data.path(), Secrets::mock());

    // No webhook: nothing to do, nothing remembered.
    assert_eq!(
        e.send_alerts(NAME, &refused()).await,
        AlertOutcome::NoWebhook(AlertEvent::SetupBroken)
    );

    // The first attempt fails, the second is delivered.
    set(&e, SecretKind::AlertWebhook, &hook.url).await;
    hook.fail_next(1);
    assert_eq!(
        e.send_alerts(NAME, &refused()).await,
        AlertOutcome::Sent(AlertEvent::SetupBroken)
    );
    assert_eq!(hook.hits(), 2);
    let body = &hook.bodies()[0];
    assert_eq!(body["run_id"], Value::Null, "the run could not be recorded");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("Namely refused the saved token."),
        "{body}"
    );

    // Both attempts fail: not delivered, logged with the host only, and tried again at the
    // next failed run (nothing remembered).
    let other = Err(EngineError::Network("iCIMS could not be reached.".into()));
    hook.fail_next(2);
    let outcome = e.send_alerts(NAME, &other).await;
    let AlertOutcome::NotDelivered { event, reason } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(*event, AlertEvent::RunFailed);
    assert!(
        reason.contains("500") && reason.contains("127.0.0.1"),
        "{reason}"
    );
    assert_eq!(hook.hits(), 4);
    assert_eq!(
        e.send_alerts(NAME, &other).await,
        AlertOutcome::Sent(AlertEvent::RunFailed)
    );
    assert_eq!(hook.hits(), 5);

    // Nobody listening at the address.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    set(
        &e,
        SecretKind::AlertWebhook,
        &format!("http://{closed}/hooks/{SECRET_PATH}"),
    )
    .await;
    let outcome = e.send_alerts(NAME, &refused()).await;
    let AlertOutcome::NotDelivered { reason, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(reason.contains("could not connect"), "{reason}");

    // A plain-http address elsewhere is refused when saved, and never shown.
    let err = e
        .set_secret(
            NAME,
            SecretKind::AlertWebhook,
            SecretString::from(format!("http://hooks.example.com/{SECRET_PATH}")),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("https://"), "{err}");

    let logs = logs.text();
    assert!(logs.contains("could not deliver the alert"), "{logs}");
    assert!(logs.contains("127.0.0.1"), "the host is logged: {logs}");
    assert_never_shown(&[&logs, &format!("{outcome:?}"), &err.to_string()]);
}

#[cfg(unix)]
#[tokio::test]
async fn the_webhook_can_come_from_the_secrets_folder() {
    use std::os::unix::fs::PermissionsExt;
    let logs = Logs::capture();
    let hook = Receiver::start().await;
    let data = quick::data_dir("data");
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("acme.alert-webhook");
    let write = |text: &str| {
        std::fs::write(&file, format!("{text}\n")).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    };
    // No keychain at all: the folder alone.
    let secrets = Secrets::session_only().with_folder(Some(folder.path().to_path_buf()));
    let e = engine_without_simulators(data.path(), secrets);

    write(&format!("http://hooks.example.com/{SECRET_PATH}"));
    let outcome = e.send_alerts(NAME, &refused()).await;
    let AlertOutcome::NotDelivered { reason, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(reason.contains("https://"), "{reason}");

    write(&hook.url);
    assert_eq!(
        e.send_alerts(NAME, &refused()).await,
        AlertOutcome::Sent(AlertEvent::SetupBroken)
    );
    assert_eq!(hook.bodies().len(), 1);
    let d = e.connection(NAME).unwrap();
    let listed = d
        .secrets
        .iter()
        .find(|s| s.kind == SecretKind::AlertWebhook)
        .expect("the webhook is listed once set");
    assert_eq!(listed.path.as_deref(), Some(&*file.display().to_string()));

    // A webhook file others can read is refused like any secret file.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let outcome = e
        .send_alerts(NAME, &Err(EngineError::Network("down".into())))
        .await;
    let AlertOutcome::NotDelivered { reason, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(reason.contains("chmod 600"), "{reason}");
    assert_eq!(hook.hits(), 1);

    let logs = logs.text();
    assert_never_shown(&[&logs, &format!("{outcome:?} {d:?}")]);
}
