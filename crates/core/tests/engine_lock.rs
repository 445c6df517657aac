//! Issue 9, items 3 and 7, at the engine's level (as the app and the command line use it),
//! against the simulators over real HTTP on 127.0.0.1: one sync at a time per Namely company
//! and iCIMS customer, whichever connection, window or data folder runs it (the sandbox
//! aside); a second connection to the same pair refused; a running sync cancelled on request.
//! Each test is named after its scenario.
//!
//! The pair lock lives in the per-user folder every data folder shares (no override here, as
//! a person runs it); tests in parallel do not collide, since every test's simulators listen
//! on ports of their own.

mod quick;

use icims_namely_core::api::{
    ErrorCode, IcimsInput, IcimsRegion, OutcomeKind, RunDetails, RunErrorCode, RunStatus,
    SyncPhase, SyncProgress,
};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{
    AddConnection, EditConnection, Engine, EngineError, EngineOptions, SANDBOX_CONNECTION,
    SyncRequest,
};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use icims_namely_sandbox_host::InProcessSandbox;
use sandbox::Sandbox;
use sandbox::namely::TOKEN_OLIVIA_OWNER;
use secrecy::SecretString;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

fn options(sandbox: Option<Arc<InProcessSandbox>>) -> EngineOptions {
    EngineOptions {
        clients: quick::clients(),
        sandbox: sandbox.map(|s| s as Arc<dyn icims_namely_core::engine::SandboxHost>),
        ..EngineOptions::default()
    }
}

/// An engine on a data folder of its own, with a mock keychain.
struct Folder {
    engine: Engine,
    _dir: tempfile::TempDir,
}

fn folder(sandbox: Option<Arc<InProcessSandbox>>) -> Folder {
    let dir = quick::data_dir("data");
    let engine = Engine::open(
        DataDir::new(dir.path()),
        Secrets::mock(),
        None,
        options(sandbox),
    )
    .unwrap();
    Folder { engine, _dir: dir }
}

/// A connection to `sb`, added as the command line adds it, its key and token saved.
async fn connect(engine: &Engine, sb: &Sandbox, name: &str) {
    engine
        .add_connection(quick::connection_to(sb, name))
        .unwrap();
    quick::save_secrets(engine, sb, name, TOKEN_OLIVIA_OWNER).await;
}

async fn sync(engine: &Engine, name: &str, dry_run: bool) -> Result<RunDetails, EngineError> {
    let request = if dry_run {
        SyncRequest::dry_run(Trigger::Cli)
    } else {
        SyncRequest::sync(Trigger::Cli)
    };
    engine.sync(name, request, &|_| {}, None).await
}

/// The `icims_id`s of the profiles the simulator created, each once, or the test fails.
fn created_once(sb: &Sandbox) -> usize {
    // Counted from the POSTs Namely received, per iCIMS person: the tests that use this run
    // Namely with email uniqueness off, so a second POST for a person would be a second
    // profile, not a refusal that hides it.
    let mut posts: std::collections::BTreeMap<String, usize> = Default::default();
    for r in sb.namely.request_log() {
        if r.method != "POST" || !r.path.trim_end_matches(".json").ends_with("/profiles") {
            continue;
        }
        let id = r
            .body
            .as_ref()
            .and_then(|b| b["profiles"][0]["icims_id"].as_str())
            .unwrap_or_else(|| panic!("a POST without an icims_id: {r:?}"))
            .to_string();
        *posts.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = posts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "a person was POSTed twice: {twice:?}");
    let created = sb.namely.created_profiles();
    let ids: HashSet<&str> = created
        .iter()
        .map(|p| p["icims_id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids.len(), created.len(), "a person is in Namely twice");
    assert_eq!(created.len(), posts.len(), "every POST made one profile");
    created.len()
}

// ---- 3. One company, one sync at a time -------------------------------------------------

#[tokio::test]
async fn two_data_folders_with_connections_to_one_company_and_customer_sync_one_at_a_time() {
    let sb = quick::simulators().await;
    sb.namely.set_email_unique(false);
    // Two data folders (two ICIMS_NAMELY_HOME values), each with its own connection to the
    // same Namely company and iCIMS customer.
    let first = folder(None);
    let second = folder(None);
    connect(&first.engine, &sb, "Acme").await;
    connect(&second.engine, &sb, "Acme laptop").await;
    sb.namely.set_latency(Duration::from_millis(150));

    let running = sync(&first.engine, "Acme", false);
    let refused = async {
        // Let the first sync start and take its locks.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(first.engine.list_connections().unwrap()[0].running);
        sync(&second.engine, "Acme laptop", false).await
    };
    let (done, refused) = tokio::join!(running, refused);
    let done = done.unwrap();
    assert_eq!(
        done.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        done.summary
    );
    assert!(done.summary.counts.created > 0, "{:?}", done.summary);

    let err = refused.expect_err("the second folder's sync is refused while the first runs");
    assert_eq!(err.code(), ErrorCode::Busy, "{err:?}");
    let message = err.to_string();
    let customer = sb.demo_credentials().icims_customer_id;
    for part in [
        "the Namely company sandbox at 127.0.0.1:".to_string(),
        format!("iCIMS customer {customer}"),
        "another connection, window or data folder".to_string(),
    ] {
        assert!(message.contains(&part), "{part:?} in {message}");
    }
    assert!(
        second.engine.runs("Acme laptop", 10).unwrap().is_empty(),
        "the refused sync recorded no run: nothing was read or sent"
    );

    // Once the first has ended, the other folder syncs, and finds everyone already there.
    sb.namely.set_latency(Duration::ZERO);
    let after = sync(&second.engine, "Acme laptop", false).await.unwrap();
    assert_eq!(
        after.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        after.summary
    );
    assert_eq!(after.summary.counts.created, 0, "{:?}", after.summary);
    assert_eq!(created_once(&sb) as u64, done.summary.counts.created);
    sb.shutdown().await;
}

#[tokio::test]
async fn another_customer_at_the_same_namely_company_is_not_held_up() {
    // Same Namely company, another iCIMS customer (and address): another pair, no wait.
    let sb = quick::simulators().await;
    let other = quick::simulators().await;
    let first = folder(None);
    let second = folder(None);
    connect(&first.engine, &sb, "Acme").await;
    let mut input = quick::connection_to(&other, "Acme other iCIMS");
    input.namely_url = Some(sb.namely.url());
    second.engine.add_connection(input).unwrap();
    sb.namely.set_latency(Duration::from_millis(100));
    let running = sync(&first.engine, "Acme", true);
    let meanwhile = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Not Busy: it goes on, and stops only later, for want of a saved token.
        sync(&second.engine, "Acme other iCIMS", true).await
    };
    let (done, meanwhile) = tokio::join!(running, meanwhile);
    assert_eq!(done.unwrap().summary.status, RunStatus::Succeeded);
    if let Err(EngineError::Busy(m)) = meanwhile {
        panic!("held up by another pair: {m}");
    }
    sb.shutdown().await;
    other.shutdown().await;
}

#[tokio::test]
async fn sandbox_connections_of_two_data_folders_are_not_locked_against_each_other() {
    // One host, so both folders' "Sandbox" connections point at the same simulators.
    let host = Arc::new(InProcessSandbox::new());
    let first = folder(Some(host.clone()));
    let second = folder(Some(host.clone()));
    let info = first.engine.start_sandbox().await.unwrap();
    assert_eq!(second.engine.start_sandbox().await.unwrap(), info);
    for f in [&first, &second] {
        let e = &f.engine;
        e.save_namely_token(
            SANDBOX_CONNECTION,
            SecretString::from(info.namely_token.clone()),
        )
        .await
        .unwrap();
        let saved = e
            .save_icims(
                SANDBOX_CONNECTION,
                &IcimsInput {
                    customer_id: info.icims_customer_id.clone(),
                    username: info.icims_username.clone(),
                    region: IcimsRegion::Us,
                    hmac_key: Some(info.icims_hmac_key.clone().into()),
                },
            )
            .await
            .unwrap();
        assert!(saved.passed, "{saved:?}");
    }
    host.with(|sb| {
        sb.namely.set_latency(Duration::from_millis(100));
        sb.icims.set_latency(Duration::from_millis(20));
    })
    .await
    .unwrap();
    let (a, b) = tokio::join!(sync(&first.engine, SANDBOX_CONNECTION, true), async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        // They overlap: the second starts while the first runs.
        assert!(first.engine.list_connections().unwrap()[0].running);
        sync(&second.engine, SANDBOX_CONNECTION, true).await
    });
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.summary.status, RunStatus::Succeeded, "{:?}", a.summary);
    assert_eq!(b.summary.status, RunStatus::Succeeded, "{:?}", b.summary);
}

#[tokio::test]
async fn adding_a_second_connection_to_the_same_company_and_customer_is_refused() {
    let sb = quick::simulators().await;
    let f = folder(None);
    let e = &f.engine;
    e.add_connection(quick::connection_to(&sb, "Acme")).unwrap();

    // The same pair under another name, with the Namely address written another way.
    let mut again = quick::connection_to(&sb, "Acme again");
    again.namely_url = Some(sb.namely.url().replace("/api/v1", "/"));
    let err = e.add_connection(again).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists, "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("\"Acme\""),
        "names the existing one: {message}"
    );
    assert!(
        message.contains("Edit that connection") && message.contains("remove it"),
        "says what to do: {message}"
    );
    assert!(
        !message.contains("icims-namely "),
        "no command syntax in the engine's words: {message}"
    );
    assert_eq!(e.list_connections().unwrap().len(), 1);

    // Another customer at the same company is another pair.
    let mut other = quick::connection_to(&sb, "Acme other customer");
    other.icims_customer_id = "987654".into();
    e.add_connection(other).unwrap();

    // An edit that points a connection at the pair of another is refused too, and changes
    // nothing; one that keeps its pair is not.
    let mut elsewhere = quick::connection_to(&sb, "Elsewhere");
    elsewhere.namely_url = Some("http://127.0.0.1:9/".into());
    e.add_connection(elsewhere).unwrap();
    let err = e
        .edit_connection(
            "Elsewhere",
            EditConnection {
                namely_url: Some(sb.namely.url()),
                ..EditConnection::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists, "{err:?}");
    assert_eq!(
        e.settings("Elsewhere").unwrap().namely_url.as_deref(),
        Some("http://127.0.0.1:9/")
    );
    e.edit_connection(
        "Acme",
        EditConnection {
            hired_statuses: Some(vec!["Hired".into(), "Onboarded".into()]),
            ..EditConnection::default()
        },
    )
    .unwrap();
    sb.shutdown().await;
}

// ---- 7. Cancel -------------------------------------------------------------------------------

#[tokio::test]
async fn cancel_stops_a_running_sync_after_the_record_in_flight_and_the_next_run_adds_the_rest() {
    let sb = quick::simulators().await;
    sb.namely.set_email_unique(false);
    let f = folder(None);
    let e = f.engine.clone();
    connect(&e, &sb, "Acme").await;
    assert!(!e.cancel_sync("Acme").unwrap(), "nothing runs yet");
    assert!(matches!(
        e.cancel_sync("Nobody"),
        Err(EngineError::ConnectionNotFound { .. })
    ));
    let everyone = sync(&e, "Acme", true)
        .await
        .unwrap()
        .summary
        .counts
        .would_create;
    assert!(everyone >= 3, "enough hires to stop among them: {everyone}");
    sb.namely.set_latency(Duration::from_millis(50));

    // No flag given: the caller stops it through the engine, after the first profile.
    let asked = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let progress = {
        let e = e.clone();
        let asked = asked.clone();
        move |p: &SyncProgress| {
            if p.phase == SyncPhase::AddingToNamely
                && p.counts.created >= 1
                && !asked.swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                assert!(e.cancel_sync("Acme").unwrap(), "a sync runs");
            }
        }
    };
    let stopped = e
        .sync("Acme", SyncRequest::sync(Trigger::Manual), &progress, None)
        .await
        .unwrap();
    assert!(asked.load(std::sync::atomic::Ordering::SeqCst));
    let s = &stopped.summary;
    assert_eq!(s.status, RunStatus::Cancelled, "{s:?}");
    assert_eq!(s.error_code, Some(RunErrorCode::Cancelled), "{s:?}");
    assert!(s.error.as_deref().is_some_and(|m| !m.is_empty()), "{s:?}");
    assert!(
        s.counts.created >= 1 && s.counts.created < everyone,
        "stopped after the record in flight: {s:?}"
    );
    assert_eq!(
        e.runs("Acme", 1).unwrap()[0].status,
        RunStatus::Cancelled,
        "history shows it cancelled"
    );
    assert!(!e.cancel_sync("Acme").unwrap(), "nothing runs any more");

    // The next run adds the rest, and nobody twice.
    sb.namely.set_latency(Duration::ZERO);
    let rest = sync(&e, "Acme", false).await.unwrap();
    assert_eq!(
        rest.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        rest.summary
    );
    assert_eq!(
        s.counts.created + rest.summary.counts.created,
        everyone,
        "{:?}",
        rest.summary
    );
    assert!(
        rest.records
            .iter()
            .all(|r| r.outcome != OutcomeKind::Failed),
        "{:?}",
        rest.records
    );
    assert_eq!(created_once(&sb) as u64, everyone);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_flag_given_by_the_caller_is_the_one_cancel_sync_sets() {
    let sb = quick::simulators().await;
    let f = folder(None);
    let e = f.engine.clone();
    connect(&e, &sb, "Acme").await;
    sb.namely.set_latency(Duration::from_millis(100));
    let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let run = e.sync(
        "Acme",
        SyncRequest::dry_run(Trigger::Cli),
        &|_| {},
        Some(flag.clone()),
    );
    let cancel = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        e.cancel_sync("Acme").unwrap()
    };
    let (run, cancelled) = tokio::join!(run, cancel);
    assert!(cancelled);
    assert!(flag.load(std::sync::atomic::Ordering::SeqCst));
    let s = run.unwrap().summary;
    assert_eq!(s.status, RunStatus::Cancelled, "{s:?}");
    assert_eq!(s.error_code, Some(RunErrorCode::Cancelled), "{s:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn the_wizard_refuses_a_second_connection_to_the_same_company_and_customer() {
    let f = folder(None);
    let e = &f.engine;
    // A connection added from the command line to acme.namely.com and customer 1234.
    e.add_connection(AddConnection {
        name: "Acme".into(),
        namely_permalink: "acme".into(),
        icims_customer_id: "1234".into(),
        icims_username: "api_user".into(),
        icims_region: IcimsRegion::Us,
        hired_statuses: vec!["Hired".into()],
        icims_url: None,
        namely_url: None,
        schedule: None,
        start_from: None,
    })
    .unwrap();
    // The wizard starts another for the same company, then stop 4 names the same customer:
    // refused before anything is tested or saved.
    e.create_connection(icims_namely_core::api::NewConnectionInput {
        name: "Acme wizard".into(),
        namely_permalink: "acme.namely.com".into(),
    })
    .unwrap();
    let err = e
        .save_icims(
            "Acme wizard",
            &IcimsInput {
                customer_id: "1234".into(),
                username: "api_user".into(),
                region: IcimsRegion::Us,
                hmac_key: Some("k".repeat(32).into()),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists, "{err:?}");
    assert!(err.to_string().contains("\"Acme\""), "{err}");
    let kept = e.settings("Acme wizard").unwrap();
    assert_eq!(kept.icims_customer_id, "", "nothing was saved");
}
