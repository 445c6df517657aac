//! The exit codes of the contract (0 success · 1 record failures or stopped early · 2 bad
//! usage or configuration · 3 credentials or connection failure), from the real values the
//! engine returns: errors it raises, checks it runs and runs it records against the
//! simulators of crate `sandbox` in this process, a mock keychain — never from results or
//! sentences a test wrote itself. (130, a second Ctrl-C, is a signal; tests/cli_bad_input.rs
//! proves it end to end, with every other code.)

use crate::output::run_exit_code;
use crate::{
    EXIT_CREDENTIALS, EXIT_OK, EXIT_RECORD_FAILURES, EXIT_USAGE, check_code_exit, check_exit,
    exit_code,
};
use icims_namely_core::api::{CheckCode, RunStatus, SyncProgress};
use icims_namely_core::clients::ClientOptions;
use icims_namely_core::connection::IcimsRegion;
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{AddConnection, Engine, EngineOptions, SyncRequest};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::{SecretKind, Secrets, SecretsError};
use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// An engine on a fresh data folder with a mock keychain, quick to give up on a vendor.
fn engine(dir: &std::path::Path) -> Engine {
    Engine::open(
        DataDir::new(dir.join("data")),
        Secrets::mock(),
        None,
        EngineOptions {
            clients: ClientOptions {
                timeout: Duration::from_secs(5),
                namely_throttle_wait: Duration::from_millis(5),
                namely_throttle_retries: 3,
            },
            lock_dir: Some(dir.join("locks")),
            ..EngineOptions::default()
        },
    )
    .expect("open the engine")
}

/// `connection add NAME` as the command line sends it, to these addresses.
fn connection(name: &str, icims_url: &str, namely_url: &str) -> AddConnection {
    AddConnection {
        name: name.into(),
        namely_permalink: "sandbox".into(),
        icims_customer_id: sandbox::icims::DEFAULT_CUSTOMER_ID.into(),
        icims_username: sandbox::icims::DEFAULT_USERNAME.into(),
        icims_region: IcimsRegion::Us,
        hired_statuses: vec!["Hired".into()],
        icims_url: Some(icims_url.into()),
        namely_url: Some(namely_url.into()),
        schedule: None,
        start_from: Some(time::macros::date!(2000 - 01 - 01)),
    }
}

async fn set(engine: &Engine, name: &str, kind: SecretKind, value: &str) {
    engine
        .set_secret(name, kind, SecretString::from(value.to_string()))
        .await
        .expect("save the secret in the mock keychain");
}

async fn sync(engine: &Engine, name: &str) -> icims_namely_core::api::RunDetails {
    let quiet = |_: &SyncProgress| {};
    engine
        .sync(name, SyncRequest::sync(Trigger::Cli), &quiet, None)
        .await
        .expect("a run is recorded")
}

#[tokio::test(flavor = "multi_thread")]
async fn real_errors_checks_and_runs_lead_to_the_exit_codes_of_the_contract() {
    let sb = sandbox::Sandbox::start(sandbox::SandboxConfig {
        anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
        ..sandbox::SandboxConfig::default()
    })
    .await
    .expect("start the simulators");
    let demo = sb.demo_credentials();
    let dir = tempfile::tempdir().expect("temp folder");
    let engine = engine(dir.path());

    // 2: what a person typed or set up wrong.
    let unknown = engine.settings("nobody").expect_err("no such connection");
    assert_eq!(exit_code(&unknown), EXIT_USAGE, "{unknown}");
    let bad_date = Engine::parse_start_from("2024-02-30").expect_err("no such day");
    assert_eq!(exit_code(&bad_date), EXIT_USAGE, "{bad_date}");
    let bad_id = engine
        .add_connection(AddConnection {
            icims_customer_id: "12 34".into(),
            ..connection("acme", &demo.icims_url, &demo.namely_url)
        })
        .expect_err("not a customer id");
    assert_eq!(exit_code(&bad_id), EXIT_USAGE, "{bad_id}");
    engine
        .add_connection(connection("acme", &demo.icims_url, &demo.namely_url))
        .expect("add acme");
    let twice = engine
        .add_connection(connection("acme", &demo.icims_url, &demo.namely_url))
        .expect_err("acme again");
    assert_eq!(exit_code(&twice), EXIT_USAGE, "{twice}");
    let secret_missing = engine
        .sync("acme", SyncRequest::sync(Trigger::Cli), &|_| {}, None)
        .await
        .expect_err("no secrets yet");
    assert_eq!(exit_code(&secret_missing), EXIT_USAGE, "{secret_missing}");

    // 3: a credential missing or refused, a vendor out of reach, no keychain.
    let checks = engine.check_all("acme").await.expect("checks run");
    assert!(
        checks.iter().any(|c| c.code == CheckCode::SecretMissing),
        "{checks:?}"
    );
    // Nobody signed in yet is a setup matter (2); the missing secret (3) outweighs it.
    assert!(
        checks.iter().any(|c| check_code_exit(c.code) == EXIT_USAGE),
        "{checks:?}"
    );
    assert_eq!(check_exit(&checks), EXIT_CREDENTIALS, "{checks:?}");
    set(
        &engine,
        "acme",
        SecretKind::NamelyToken,
        "sandbox-token-wrong",
    )
    .await;
    set(
        &engine,
        "acme",
        SecretKind::IcimsHmacKey,
        &demo.icims_hmac_key,
    )
    .await;
    let checks = engine.check_all("acme").await.expect("checks run");
    assert!(
        checks.iter().any(|c| c.code == CheckCode::TokenRefused),
        "{checks:?}"
    );
    assert_eq!(check_exit(&checks), EXIT_CREDENTIALS, "{checks:?}");
    let refused = sync(&engine, "acme").await;
    assert_eq!(refused.summary.status, RunStatus::NotStarted, "{refused:?}");
    assert_eq!(run_exit_code(&refused), EXIT_CREDENTIALS, "{refused:?}");
    let no_keychain = SecretsError::NoKeychain {
        detail: "no D-Bus session".into(),
    }
    .into();
    assert_eq!(exit_code(&no_keychain), EXIT_CREDENTIALS, "{no_keychain}");
    let offline = "offline";
    engine
        .add_connection(connection(
            offline,
            "http://127.0.0.1:9",
            "http://127.0.0.1:9/api/v1",
        ))
        .expect("add a connection to nothing");
    set(
        &engine,
        offline,
        SecretKind::NamelyToken,
        &demo.namely_token,
    )
    .await;
    set(
        &engine,
        offline,
        SecretKind::IcimsHmacKey,
        &demo.icims_hmac_key,
    )
    .await;
    let checks = engine.check_all(offline).await.expect("checks run");
    assert!(
        checks
            .iter()
            .any(|c| c.code == CheckCode::VendorUnreachable),
        "{checks:?}"
    );
    assert_eq!(check_exit(&checks), EXIT_CREDENTIALS, "{checks:?}");
    let unreachable = sync(&engine, offline).await;
    assert_eq!(
        run_exit_code(&unreachable),
        EXIT_CREDENTIALS,
        "{unreachable:?}"
    );

    // 0: everything set up; a sync that adds everyone.
    set(&engine, "acme", SecretKind::NamelyToken, &demo.namely_token).await;
    let checks = engine.check_all("acme").await.expect("checks run");
    assert_eq!(check_exit(&checks), EXIT_OK, "{checks:?}");

    // 1: a run that finishes with a record that failed (Namely refuses one create), and a
    // run stopped by Ctrl-C.
    sb.namely.fail_next_on("POST", "/profiles", 1, 422);
    let failures = sync(&engine, "acme").await;
    assert_eq!(
        failures.summary.status,
        RunStatus::FinishedWithFailures,
        "{failures:?}"
    );
    assert!(failures.summary.counts.failed >= 1, "{failures:?}");
    assert_eq!(
        run_exit_code(&failures),
        EXIT_RECORD_FAILURES,
        "{failures:?}"
    );
    let stop = Arc::new(AtomicBool::new(true));
    let cancelled = engine
        .sync("acme", SyncRequest::sync(Trigger::Cli), &|_| {}, Some(stop))
        .await
        .expect("a run is recorded");
    assert_eq!(
        cancelled.summary.status,
        RunStatus::Cancelled,
        "{cancelled:?}"
    );
    assert_eq!(
        run_exit_code(&cancelled),
        EXIT_RECORD_FAILURES,
        "{cancelled:?}"
    );
    let retried = engine
        .sync("acme", SyncRequest::retry_failed(), &|_| {}, None)
        .await
        .expect("a run is recorded");
    assert_eq!(retried.summary.status, RunStatus::Succeeded, "{retried:?}");
    assert_eq!(run_exit_code(&retried), EXIT_OK, "{retried:?}");
}

/// No failed check lets `check` exit 0 or 1 (those say "it worked" and "some records
/// failed"): each of the engine's check codes leads to 2 or 3, and only a pass to 0.
#[test]
fn every_failed_check_exits_2_or_3() {
    for &code in CheckCode::ALL {
        let exit = check_code_exit(code);
        if code.passed() {
            assert_eq!(exit, EXIT_OK, "{code}");
        } else {
            assert!([EXIT_USAGE, EXIT_CREDENTIALS].contains(&exit), "{code}");
        }
    }
}
