//! The engine facade as the desktop app and the CLI use it: the setup wizard, syncs, history,
//! errors and secrets, against the simulators over real HTTP on 127.0.0.1.

mod quick;

use icims_namely_core::api::{
    CheckResult, ConnectionDetails, ErrorCode, Field, IcimsInput, IcimsRegion, IpcError,
    OutcomeKind, OwnerVerdict, RunDetails, RunStatus, SandboxInfo, Schedule, SecretKind, SetupStep,
    StepState, SyncProgress, SyncSettingsInput,
};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{
    AddConnection, Engine, EngineError, EngineOptions, SANDBOX_CONNECTION, SyncRequest,
};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use icims_namely_core::store::RunId;
use icims_namely_sandbox_host::InProcessSandbox;
use sandbox::icims::IcimsSimConfig;
use sandbox::namely::{TOKEN_OLIVIA_OWNER, TOKEN_REVOKED, TokenGrant};
use sandbox::{Sandbox, SandboxConfig};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

fn engine_options() -> EngineOptions {
    quick::engine_options()
}

/// An engine as a shell opens it: with the in-process sandbox host, which the tests keep to
/// look inside the simulators and turn their knobs.
struct App {
    engine: Engine,
    sandbox: Arc<InProcessSandbox>,
}

impl std::ops::Deref for App {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

impl App {
    /// The running simulators (`None` before the sandbox was first started).
    async fn with_sandbox<T>(&self, f: impl FnOnce(&Sandbox) -> T) -> Option<T> {
        self.sandbox.with(f).await
    }
}

/// An engine on a fresh data folder with a mock keychain (kept, to look inside).
struct Harness {
    engine: App,
    secrets: Secrets,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Self {
        let dir = quick::data_dir("data");
        let secrets = Secrets::mock();
        let engine = open_engine(dir.path(), &secrets);
        Self {
            engine,
            secrets,
            dir,
        }
    }

    fn secret(&self, connection: &str, kind: SecretKind) -> Option<String> {
        self.secrets
            .get(connection, kind)
            .unwrap()
            .map(|s| s.expose_secret().to_string())
    }
}

fn open_engine(dir: &Path, secrets: &Secrets) -> App {
    let sandbox = Arc::new(InProcessSandbox::new());
    let options = EngineOptions {
        sandbox: Some(sandbox.clone()),
        ..engine_options()
    };
    let engine = Engine::open(DataDir::new(dir), secrets.clone(), None, options).unwrap();
    App { engine, sandbox }
}

fn no_progress(_: &SyncProgress) {}

fn request(dry_run: bool) -> SyncRequest {
    SyncRequest {
        trigger: Trigger::Manual,
        dry_run,
        retry_failed: false,
        create_anyway: None,
    }
}

async fn sync(engine: &Engine, name: &str, dry_run: bool) -> Result<RunDetails, EngineError> {
    engine
        .sync(name, request(dry_run), &no_progress, None)
        .await
}

fn icims_input(info: &SandboxInfo, key: Option<&str>) -> IcimsInput {
    IcimsInput {
        customer_id: info.icims_customer_id.clone(),
        username: info.icims_username.clone(),
        region: IcimsRegion::Us,
        hmac_key: key.map(Into::into),
    }
}

fn hired_daily_at_seven() -> SyncSettingsInput {
    SyncSettingsInput {
        hired_statuses: vec!["Hired".into()],
        schedule: Schedule::DailyAt { hour: 7, minute: 0 },
        start_from: None,
        icims_concurrency: None,
    }
}

fn step(details: &ConnectionDetails, step: SetupStep) -> &icims_namely_core::api::StepStatus {
    details.steps.iter().find(|s| s.step == step).unwrap()
}

fn secret_set(details: &ConnectionDetails, kind: SecretKind) -> bool {
    details.secrets.iter().find(|s| s.kind == kind).unwrap().set
}

/// Parts 1–4 and the sync settings of the in-app sandbox, with the demo values.
async fn wizard_parts(engine: &Engine, info: &SandboxInfo) {
    let name = SANDBOX_CONNECTION;
    let signed_in = engine
        .save_namely_token(name, SecretString::from(info.namely_token.clone()))
        .await
        .unwrap();
    assert!(signed_in.check.passed, "{:?}", signed_in.check);
    let field = engine.check_namely_field(name).await.unwrap();
    assert!(field.passed, "{field:?}");
    let owner = engine.owner_step(name).await.unwrap();
    assert!(owner.check.passed, "{:?}", owner.check);
    let icims = engine
        .save_icims(name, &icims_input(info, Some(&info.icims_hmac_key)))
        .await
        .unwrap();
    assert!(icims.passed, "{icims:?}");
    engine
        .update_sync_settings(name, hired_daily_at_seven())
        .unwrap();
}

/// The whole wizard on the in-app sandbox, ending with the first real sync.
async fn complete_sandbox(engine: &App) -> (SandboxInfo, RunDetails) {
    let info = engine.start_sandbox().await.unwrap();
    wizard_parts(engine, &info).await;
    let run = sync(engine, SANDBOX_CONNECTION, false).await.unwrap();
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    assert!(run.summary.counts.created > 0, "{:?}", run.summary.counts);
    (info, run)
}

/// Olivia Owner's profile id in the in-app sandbox (the seeded employees may hold her).
async fn olivia_id(engine: &App) -> String {
    engine
        .with_sandbox(|sb| sb.namely.token_owner_id(TOKEN_OLIVIA_OWNER))
        .await
        .flatten()
        .expect("the demo token has an owner")
}

async fn created_in_sandbox(engine: &App) -> usize {
    engine
        .with_sandbox(|sb| sb.namely.created_profiles().len())
        .await
        .expect("the sandbox runs")
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn start_sandbox_is_idempotent_and_listens_on_loopback() {
    let h = Harness::new();
    let info = h.engine.start_sandbox().await.unwrap();
    for url in [&info.icims_url, &info.namely_url] {
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    }
    assert_eq!(info.namely_token, sandbox::namely::TOKEN_OLIVIA_OWNER);
    assert_eq!(info.icims_hmac_key, sandbox::icims::DEFAULT_HMAC_KEY);
    assert_eq!(info.icims_customer_id, "1234");

    let list = h.engine.list_connections().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, SANDBOX_CONNECTION);
    assert!(list[0].sandbox);
    let details = h.engine.connection(SANDBOX_CONNECTION).unwrap();
    assert!(details.settings.sandbox);
    assert_eq!(details.resume_step, SetupStep::NamelyField);
    let settings = h.engine.settings(SANDBOX_CONNECTION).unwrap();
    assert_eq!(
        settings.namely_url.as_deref(),
        Some(info.namely_url.as_str())
    );
    assert_eq!(settings.icims_url.as_deref(), Some(info.icims_url.as_str()));

    let again = h.engine.start_sandbox().await.unwrap();
    assert_eq!(again, info, "same simulators, same values");
    assert_eq!(h.engine.list_connections().unwrap().len(), 1);
    assert_eq!(h.engine.connection(SANDBOX_CONNECTION).unwrap(), details);
}

#[tokio::test]
async fn start_sandbox_does_not_take_over_a_connection_of_the_users_named_sandbox() {
    let h = Harness::new();
    h.engine
        .create_connection(icims_namely_core::api::NewConnectionInput {
            name: "sandbox".into(),
            namely_permalink: "acme-sandbox".into(),
        })
        .unwrap();
    let before = h.engine.settings("Sandbox").unwrap();
    let err = h.engine.start_sandbox().await.unwrap_err();
    assert!(matches!(err, EngineError::AlreadyExists(_)), "{err:?}");
    assert!(
        err.to_string().contains("not the built-in sandbox"),
        "{err}"
    );
    assert_eq!(h.engine.settings("Sandbox").unwrap(), before, "left alone");
}

// ---------------------------------------------------------------------------------------------
// The wizard
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_whole_wizard_then_a_dry_run_and_a_real_sync() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let info = e.start_sandbox().await.unwrap();
    let olivia_id = olivia_id(e).await;

    // Part 2: sign in.
    let signed_in = e
        .save_namely_token(name, SecretString::from(info.namely_token.clone()))
        .await
        .unwrap();
    assert!(signed_in.check.passed, "{:?}", signed_in.check);
    assert_eq!(
        signed_in.company_name.as_deref(),
        Some("Acme Corp (Sandbox)")
    );
    let me = signed_in.signed_in_as.as_ref().unwrap();
    assert_eq!(me.full_name, "Olivia Owner");
    assert_eq!(me.profile_id, olivia_id);
    assert_eq!(me.verdict, OwnerVerdict::CanOwn);
    let d = e.connection(name).unwrap();
    assert_eq!(d.company_name.as_deref(), Some("Acme Corp (Sandbox)"));
    assert!(secret_set(&d, SecretKind::NamelyToken));
    assert!(!secret_set(&d, SecretKind::IcimsHmacKey));
    assert_eq!(
        h.secret(name, SecretKind::NamelyToken).as_deref(),
        Some(info.namely_token.as_str())
    );

    // Part 1: the field.
    assert_eq!(d.settings.icims_field_name, None);
    let field = e.check_namely_field(name).await.unwrap();
    assert!(field.passed, "{field:?}");
    assert_eq!(field.step, SetupStep::NamelyField);
    let d = e.connection(name).unwrap();
    assert_eq!(d.settings.icims_field_name.as_deref(), Some("icims_id"));

    // Part 3: the owner, chosen when she signed in.
    let owner = e.owner_step(name).await.unwrap();
    assert!(owner.check.passed, "{:?}", owner.check);
    let olivia = owner
        .candidates
        .iter()
        .find(|c| c.full_name == "Olivia Owner")
        .expect("Olivia is a candidate");
    assert_eq!(olivia.verdict, OwnerVerdict::CanOwn);
    assert_eq!(olivia.profile_id, olivia_id);
    assert_eq!(owner.chosen_profile_id.as_deref(), Some(olivia_id.as_str()));
    assert_eq!(
        e.connection(name).unwrap().settings.owner_profile_id,
        Some(olivia_id.clone())
    );

    // Part 4: a test saves nothing.
    let before = e.connection(name).unwrap();
    assert_eq!(before.settings.icims_customer_id, None);
    let tested = e
        .test_icims(name, &icims_input(&info, Some(&info.icims_hmac_key)))
        .await
        .unwrap();
    assert!(tested.passed, "{tested:?}");
    assert_eq!(tested.step, SetupStep::Icims);
    let shown = serde_json::to_string(&tested).unwrap();
    assert!(!shown.contains(&info.icims_hmac_key), "{shown}");
    assert_eq!(
        e.connection(name).unwrap(),
        before,
        "a test changes nothing"
    );
    assert_eq!(h.secret(name, SecretKind::IcimsHmacKey), None);

    // A wrong key fails and saves nothing.
    let wrong = e
        .save_icims(name, &icims_input(&info, Some("not-the-sandbox-key")))
        .await
        .unwrap();
    assert!(!wrong.passed, "{wrong:?}");
    assert_eq!(wrong.field, Some(Field::IcimsHmacKey), "{wrong:?}");
    assert_eq!(e.connection(name).unwrap(), before, "nothing saved");
    assert_eq!(h.secret(name, SecretKind::IcimsHmacKey), None);

    // The right key is saved, with the settings.
    let saved = e
        .save_icims(name, &icims_input(&info, Some(&info.icims_hmac_key)))
        .await
        .unwrap();
    assert!(saved.passed, "{saved:?}");
    let d = e.connection(name).unwrap();
    let key_info = d
        .secrets
        .iter()
        .find(|s| s.kind == SecretKind::IcimsHmacKey)
        .unwrap();
    assert!(key_info.set);
    assert!(key_info.saved_at.is_some());
    assert!(d.health.icims_key_set && d.health.namely_token_set);
    assert_eq!(d.settings.icims_customer_id.as_deref(), Some("1234"));
    assert_eq!(d.settings.icims_username.as_deref(), Some("sandbox-api"));
    assert_eq!(step(&d, SetupStep::Icims).state, StepState::Passed);
    assert_eq!(
        h.secret(name, SecretKind::IcimsHmacKey).as_deref(),
        Some(info.icims_hmac_key.as_str())
    );
    assert_eq!(d.resume_step, SetupStep::Review, "parts 1–4 done");
    assert!(!d.health.setup_complete, "no first sync yet");

    // Stop 5: statuses and schedule.
    let d = e
        .update_sync_settings(name, hired_daily_at_seven())
        .unwrap();
    assert_eq!(d.settings.hired_statuses, vec!["Hired".to_string()]);
    assert_eq!(
        d.settings.schedule,
        Schedule::DailyAt { hour: 7, minute: 0 }
    );
    assert_eq!(e.connection(name).unwrap().settings, d.settings);
    assert_eq!(
        (
            d.settings.icims_concurrency,
            d.settings.icims_concurrency_default
        ),
        (4, true)
    );
    // iCIMS reads at once: 1 to 8, kept by later saves that do not name it; 9 is refused
    // naming the field; 0 goes back to the default.
    let two = SyncSettingsInput {
        icims_concurrency: Some(2),
        ..hired_daily_at_seven()
    };
    let d = e.update_sync_settings(name, two).unwrap();
    assert_eq!(d.settings.icims_concurrency, 2);
    let d = e
        .update_sync_settings(name, hired_daily_at_seven())
        .unwrap();
    assert_eq!(d.settings.icims_concurrency, 2, "kept");
    let nine = SyncSettingsInput {
        icims_concurrency: Some(9),
        ..hired_daily_at_seven()
    };
    let err = e.update_sync_settings(name, nine).unwrap_err();
    assert_eq!(err.field(), Some(Field::IcimsConcurrency), "{err:?}");
    assert_eq!(e.connection(name).unwrap().settings.icims_concurrency, 2);
    let back = SyncSettingsInput {
        icims_concurrency: Some(0),
        ..hired_daily_at_seven()
    };
    let d = e.update_sync_settings(name, back).unwrap();
    assert_eq!(
        (
            d.settings.icims_concurrency,
            d.settings.icims_concurrency_default
        ),
        (4, true)
    );

    // The dry run writes nothing.
    let dry = sync(e, name, true).await.unwrap();
    assert!(dry.summary.dry_run);
    assert_eq!(
        dry.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        dry.summary
    );
    assert_eq!(dry.summary.trigger, Trigger::Manual);
    let would = dry.summary.counts.would_create;
    assert!(would > 0, "{:?}", dry.summary.counts);
    assert_eq!(dry.summary.counts.created, 0);
    assert_eq!(created_in_sandbox(e).await, 0);
    assert!(!e.connection(name).unwrap().health.setup_complete);

    // The real sync creates what the dry run announced.
    let real = sync(e, name, false).await.unwrap();
    assert!(!real.summary.dry_run);
    assert_eq!(
        real.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        real.summary
    );
    assert_eq!(real.summary.counts.created, would);
    assert_eq!(real.summary.counts.failed, 0);
    assert_eq!(created_in_sandbox(e).await as u64, would);
    let created_records = real
        .records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::Created)
        .count();
    assert_eq!(created_records as u64, would);

    let d = e.connection(name).unwrap();
    assert!(d.health.setup_complete, "{d:?}");
    assert_eq!(d.resume_step, SetupStep::Review);
    let review = step(&d, SetupStep::Review);
    assert_eq!(review.state, StepState::Passed);
    assert!(
        review
            .message
            .as_deref()
            .is_some_and(|m| m.contains(&format!("{would} added"))),
        "{review:?}"
    );

    // History, newest first.
    let runs = e.runs(name, 10).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![real.summary.id, dry.summary.id]
    );
    assert_eq!(runs[0], real.summary);
    assert_eq!(e.run_details(RunId(real.summary.id)).unwrap(), real);
    assert_eq!(e.run_details(RunId(dry.summary.id)).unwrap(), dry);
    let card = e.list_connections().unwrap().remove(0);
    assert_eq!(card.last_run.as_ref().map(|r| r.id), Some(real.summary.id));
    assert!(card.next_sync_at.is_some(), "daily schedule: {card:?}");
    assert!(!card.running);

    // Export.
    let folder = quick::data_dir("export");
    let exported = e
        .export_run_csv(RunId(real.summary.id), Some(folder.path()))
        .unwrap();
    assert_eq!(exported.rows as usize, real.records.len());
    assert!(Path::new(&exported.path).starts_with(folder.path()));
    let csv = std::fs::read_to_string(&exported.path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("time,icims_person_id,"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), real.records.len() + 1, "{csv}");
    assert_eq!(
        lines.iter().filter(|l| l.contains(",created,")).count() as u64,
        would
    );
}

#[tokio::test]
async fn the_wizard_resumes_at_the_first_unfinished_step() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let info = e.start_sandbox().await.unwrap();
    let d = e.connection(name).unwrap();
    assert_eq!(d.resume_step, SetupStep::NamelyField);
    assert!(d.steps.iter().all(|s| s.state == StepState::NotStarted));
    assert!(d.steps.iter().all(|s| s.message.is_none()));

    // Part 1 with no token yet: failed, and says why.
    let field = e.check_namely_field(name).await.unwrap();
    assert!(!field.passed);
    let d = e.connection(name).unwrap();
    let s = step(&d, SetupStep::NamelyField);
    assert_eq!(s.state, StepState::Failed);
    assert!(
        s.message.as_deref().unwrap().contains("No Namely token"),
        "{s:?}"
    );
    assert!(s.checked_at.is_some());
    assert_eq!(d.resume_step, SetupStep::NamelyField);

    // Part 1 passes: resume at part 2.
    e.set_secret(
        name,
        SecretKind::NamelyToken,
        SecretString::from(info.namely_token.clone()),
    )
    .await
    .unwrap();
    assert!(e.check_namely_field(name).await.unwrap().passed);
    let d = e.connection(name).unwrap();
    assert_eq!(d.resume_step, SetupStep::NamelySignIn);
    let s = step(&d, SetupStep::NamelyField);
    assert_eq!(s.state, StepState::Passed);
    assert!(s.message.as_deref().unwrap().contains("icims_id"), "{s:?}");
    for later in &SetupStep::ALL[1..] {
        assert_eq!(step(&d, *later).state, StepState::NotStarted, "{later:?}");
    }

    // Part 2 fails with a revoked token: still part 2, with the reason.
    let refused = e
        .save_namely_token(name, SecretString::from(TOKEN_REVOKED))
        .await
        .unwrap();
    assert!(!refused.check.passed);
    let d = e.connection(name).unwrap();
    assert_eq!(d.resume_step, SetupStep::NamelySignIn);
    let s = step(&d, SetupStep::NamelySignIn);
    assert_eq!(s.state, StepState::Failed);
    assert!(!s.message.as_deref().unwrap().is_empty());
    assert_eq!(step(&d, SetupStep::NamelyField).state, StepState::Passed);

    // Part 2 passes: part 3 next, then part 4.
    let ok = e
        .save_namely_token(name, SecretString::from(info.namely_token.clone()))
        .await
        .unwrap();
    assert!(ok.check.passed);
    let d = e.connection(name).unwrap();
    assert_eq!(d.resume_step, SetupStep::Owner);
    assert_eq!(step(&d, SetupStep::NamelySignIn).state, StepState::Passed);
    assert!(e.owner_step(name).await.unwrap().check.passed);
    assert_eq!(e.connection(name).unwrap().resume_step, SetupStep::Icims);
}

// ---------------------------------------------------------------------------------------------
// Concurrency and errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn two_syncs_of_one_connection_at_once_one_is_busy() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let info = e.start_sandbox().await.unwrap();
    wizard_parts(e, &info).await;
    e.with_sandbox(|sb| sb.namely.set_latency(Duration::from_millis(150)))
        .await
        .unwrap();

    let (a, b) = tokio::join!(sync(e, name, true), sync(e, name, true));
    let (done, busy) = match (a, b) {
        (Ok(d), Err(err)) | (Err(err), Ok(d)) => (d, err),
        other => panic!("expected one run and one Busy: {other:?}"),
    };
    assert_eq!(
        done.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        done.summary
    );
    assert!(
        matches!(busy, EngineError::Busy(ref n) if n == name),
        "{busy:?}"
    );
    assert_eq!(busy.code(), ErrorCode::Busy);
    assert_eq!(
        e.runs(name, 10).unwrap().len(),
        1,
        "the refused call ran nothing"
    );

    // The guard is released: the next sync runs.
    e.with_sandbox(|sb| sb.namely.set_latency(Duration::ZERO))
        .await
        .unwrap();
    assert!(sync(e, name, true).await.is_ok());
    assert!(!e.list_connections().unwrap()[0].running);
}

fn ipc_json(err: &EngineError) -> serde_json::Value {
    serde_json::to_value(err.to_ipc()).unwrap()
}

#[tokio::test]
async fn errors_say_what_went_wrong_with_a_code_and_a_field_in_words_free_of_commands() {
    use icims_namely_core::api::NewConnectionInput;
    let h = Harness::new();
    let e = &h.engine;

    // Unknown connection.
    let err = e.connection("Nobody").unwrap_err();
    assert!(
        matches!(&err, EngineError::ConnectionNotFound { name } if name == "Nobody"),
        "{err:?}"
    );
    assert_eq!(ipc_json(&err)["code"], "not_found");
    assert_eq!(err.to_string(), "There is no connection named \"Nobody\".");
    let err = e.remove_connection("Nobody", true).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    // A permalink that names another host.
    let err = e
        .create_connection(NewConnectionInput {
            name: "Acme".into(),
            namely_permalink: "acme.namely.com.evil.com".into(),
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            EngineError::InvalidInput {
                field: Some(Field::NamelyPermalink),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(ipc_json(&err)["field"], "namely_permalink");
    assert!(e.list_connections().unwrap().is_empty());

    // Duplicate names, whatever the case.
    e.create_connection(NewConnectionInput {
        name: "Acme".into(),
        namely_permalink: "acme".into(),
    })
    .unwrap();
    let err = e
        .create_connection(NewConnectionInput {
            name: "ACME".into(),
            namely_permalink: "other".into(),
        })
        .unwrap_err();
    assert!(matches!(err, EngineError::AlreadyExists(_)), "{err:?}");
    assert_eq!(ipc_json(&err)["code"], "already_exists");
    assert_eq!(e.list_connections().unwrap().len(), 1);
    assert_eq!(
        e.connection("acme").unwrap().settings.namely_permalink,
        "acme"
    );

    // Plain http to a non-loopback iCIMS.
    let err = e
        .add_connection(AddConnection {
            name: "Globex".into(),
            namely_permalink: "globex".into(),
            icims_customer_id: "1234".into(),
            icims_username: "api-user".into(),
            icims_region: IcimsRegion::Us,
            hired_statuses: vec![],
            icims_url: Some("http://10.1.2.3".into()),
            namely_url: None,
            schedule: None,
            start_from: None,
        })
        .unwrap_err();
    assert_eq!(err.field(), Some(Field::IcimsUrl), "{err:?}");
    assert!(err.to_string().contains("http://10.1.2.3"), "{err}");
    assert!(e.connection("Globex").is_err(), "nothing added");

    // A sync without secrets.
    let err = sync(e, "Acme", false).await.unwrap_err();
    assert!(
        matches!(
            &err,
            EngineError::SecretMissing { connection, kind: SecretKind::NamelyToken }
                if connection == "Acme"
        ),
        "{err:?}"
    );
    assert_eq!(ipc_json(&err)["code"], "secret_missing");
    assert_eq!(
        err.to_string(),
        "No Namely token is saved for \"Acme\" yet."
    );
    assert!(e.runs("Acme", 10).unwrap().is_empty(), "no run recorded");

    // Retry failed, with nothing failed.
    let (_, first) = complete_sandbox(e).await;
    assert_eq!(first.summary.counts.failed, 0);
    let retry = SyncRequest {
        trigger: Trigger::Retry,
        dry_run: false,
        retry_failed: true,
        create_anyway: None,
    };
    let err = e
        .sync(SANDBOX_CONNECTION, retry, &no_progress, None)
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("no failed records"), "{err}");
    assert_eq!(e.runs(SANDBOX_CONNECTION, 10).unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Removing a connection
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn removing_a_connection_keeping_its_history() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let (_, run) = complete_sandbox(e).await;
    assert!(h.secret(name, SecretKind::NamelyToken).is_some());
    assert!(h.secret(name, SecretKind::IcimsHmacKey).is_some());

    e.remove_connection(name, true).await.unwrap();
    assert_eq!(h.secret(name, SecretKind::NamelyToken), None);
    assert_eq!(h.secret(name, SecretKind::IcimsHmacKey), None);
    assert!(matches!(
        e.connection(name),
        Err(EngineError::ConnectionNotFound { .. })
    ));
    assert!(e.list_connections().unwrap().is_empty());
    assert_eq!(e.run_details(RunId(run.summary.id)).unwrap(), run);
    // The history survives a restart too.
    let reopened = open_engine(h.dir.path(), &h.secrets);
    assert_eq!(reopened.run_details(RunId(run.summary.id)).unwrap(), run);
}

#[tokio::test]
async fn removing_a_connection_with_its_history() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let (_, run) = complete_sandbox(e).await;

    e.remove_connection(name, false).await.unwrap();
    assert_eq!(h.secret(name, SecretKind::NamelyToken), None);
    assert_eq!(h.secret(name, SecretKind::IcimsHmacKey), None);
    assert!(e.connection(name).is_err());
    let err = e.run_details(RunId(run.summary.id)).unwrap_err();
    assert!(matches!(err, EngineError::NotFound(_)), "{err:?}");
    let key = icims_namely_core::connection::ConnectionName::new(name).unwrap();
    assert!(e.store().runs(&key, 10).unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// No secret in any view
// ---------------------------------------------------------------------------------------------

/// Every view and error the flow returned, as the interface would receive it.
#[derive(Default)]
struct Shown(Vec<String>);

impl Shown {
    fn view(&mut self, v: &impl Serialize) {
        self.0.push(serde_json::to_string(v).unwrap());
    }

    fn error(&mut self, e: &EngineError) {
        let ipc: IpcError = e.to_ipc();
        self.view(&ipc);
        self.0.push(format!("{e:?}"));
        self.0.push(e.to_string());
    }

    fn check(&mut self, c: &CheckResult) {
        self.view(c);
    }

    fn assert_none_contains(&self, secrets: &[&str]) {
        assert!(
            self.0.len() > 20,
            "too few views collected: {}",
            self.0.len()
        );
        for shown in &self.0 {
            for secret in secrets {
                assert!(!shown.contains(secret), "a view shows a secret: {shown}");
            }
            // The app shows these words too: command-line syntax is the CLI's to add.
            for syntax in [
                "`icims-namely",
                "icims-namely secret",
                "icims-namely connection",
            ] {
                assert!(!shown.contains(syntax), "a view names a command: {shown}");
            }
            assert!(
                !shown.contains("--"),
                "a view names a command-line option: {shown}"
            );
        }
    }
}

const CUSTOM_TOKEN: &str = "tok-SECRET-7f3a9c1e2b5d";
const CUSTOM_KEY: &str = "hmac-SECRET-d41d8cd98f00";

#[tokio::test]
async fn no_view_carries_the_namely_token() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let mut shown = Shown::default();
    let info = e.start_sandbox().await.unwrap();
    let olivia_id = olivia_id(e).await;
    e.with_sandbox(|sb| {
        sb.namely
            .add_token(TokenGrant::new(CUSTOM_TOKEN, olivia_id.clone()))
    })
    .await
    .unwrap();

    // The canary: a view that does carry it is caught.
    let mut canary = Shown::default();
    canary.view(&SandboxInfo {
        namely_token: CUSTOM_TOKEN.into(),
        ..info.clone()
    });
    assert!(canary.0[0].contains(CUSTOM_TOKEN));

    shown.view(&e.connection(name).unwrap());
    let r = e
        .save_namely_token(name, SecretString::from(format!("{CUSTOM_TOKEN}\n")))
        .await
        .unwrap();
    assert!(r.check.passed, "{:?}", r.check);
    shown.view(&r);
    shown.check(&e.check_namely_field(name).await.unwrap());
    shown.view(&e.owner_step(name).await.unwrap());
    shown.view(&e.choose_owner(name, &olivia_id, false).await.unwrap());
    shown.check(
        &e.save_icims(name, &icims_input(&info, Some(&info.icims_hmac_key)))
            .await
            .unwrap(),
    );
    shown.view(
        &e.update_sync_settings(name, hired_daily_at_seven())
            .unwrap(),
    );
    for c in e.check_all(name).await.unwrap() {
        assert!(c.passed, "{c:?}");
        shown.check(&c);
    }
    let dry = sync(e, name, true).await.unwrap();
    shown.view(&dry);
    let real = sync(e, name, false).await.unwrap();
    shown.view(&real);
    shown.view(&e.runs(name, 10).unwrap());
    shown.view(&e.run_details(RunId(real.summary.id)).unwrap());
    shown.view(&e.list_connections().unwrap());
    shown.view(&e.connection(name).unwrap());
    shown.view(&e.app_info());
    let folder = quick::data_dir("export");
    let file = e
        .export_run_csv(RunId(real.summary.id), Some(folder.path()))
        .unwrap();
    shown.0.push(std::fs::read_to_string(&file.path).unwrap());

    // Errors.
    shown.error(
        &e.sync(
            name,
            SyncRequest {
                trigger: Trigger::Retry,
                dry_run: false,
                retry_failed: true,
                create_anyway: None,
            },
            &no_progress,
            None,
        )
        .await
        .unwrap_err(),
    );
    // The token revoked: every Namely check fails, and says so without the token.
    e.with_sandbox(|sb| sb.namely.revoke_token(CUSTOM_TOKEN))
        .await
        .unwrap();
    let refused = e.check_namely_sign_in(name).await.unwrap();
    assert!(!refused.check.passed);
    shown.view(&refused);
    let field = e.check_namely_field(name).await.unwrap();
    assert!(!field.passed);
    shown.check(&field);
    shown.view(&e.owner_step(name).await.unwrap());
    shown.view(&e.connection(name).unwrap());
    e.with_sandbox(|sb| {
        let added = sb
            .icims
            .add_hire("Late", "Hire", Some("late.hire@example.com"));
        let start = time::OffsetDateTime::now_utc().date() + time::Duration::days(10);
        sb.icims.with_world(|w| {
            let p = w.people.iter_mut().find(|p| p.id == added.person_id);
            p.unwrap().startdate = Some(start.to_string());
        });
    })
    .await
    .unwrap();
    let failed = sync(e, name, false).await.unwrap();
    assert_eq!(
        failed.summary.status,
        RunStatus::NotStarted,
        "{:?}",
        failed.summary
    );
    shown.view(&failed);
    // No secret at all.
    e.remove_secret(name, SecretKind::NamelyToken)
        .await
        .unwrap();
    shown.error(&sync(e, name, true).await.unwrap_err());

    shown.assert_none_contains(&[CUSTOM_TOKEN]);
}

#[tokio::test]
async fn no_view_carries_the_icims_key_or_the_namely_token() {
    let sb = Sandbox::start(SandboxConfig {
        icims: IcimsSimConfig {
            hmac_key: CUSTOM_KEY.into(),
            ..IcimsSimConfig::default()
        },
        anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let olivia_id = sb.namely.token_owner_id(TOKEN_OLIVIA_OWNER).unwrap();
    sb.namely
        .add_token(TokenGrant::new(CUSTOM_TOKEN, olivia_id));
    let h = Harness::new();
    let e = &h.engine;
    let name = "Acme";
    let mut shown = Shown::default();

    let added = e
        // Every seeded hire, however long ago they started.
        .add_connection(quick::connection_to(&sb, name))
        .unwrap();
    assert!(!added.settings.sandbox);
    shown.view(&added);
    let r = e
        .save_namely_token(name, SecretString::from(CUSTOM_TOKEN))
        .await
        .unwrap();
    assert!(r.check.passed, "{:?}", r.check);
    shown.view(&r);
    shown.check(&e.check_namely_field(name).await.unwrap());
    shown.view(&e.owner_step(name).await.unwrap());

    let input = |key: Option<&str>| IcimsInput {
        customer_id: "1234".into(),
        username: "sandbox-api".into(),
        region: IcimsRegion::Us,
        hmac_key: key.map(Into::into),
    };
    // A test, a wrong key that contains the right one, one with spaces, then the right one.
    let tested = e.test_icims(name, &input(Some(CUSTOM_KEY))).await.unwrap();
    assert!(tested.passed, "{tested:?}");
    shown.check(&tested);
    let wrong_key = format!("{CUSTOM_KEY}-wrong");
    let wrong = e.save_icims(name, &input(Some(&wrong_key))).await.unwrap();
    assert!(!wrong.passed, "{wrong:?}");
    shown.check(&wrong);
    let spaced_key = format!(" {CUSTOM_KEY} ");
    let spaced = e.save_icims(name, &input(Some(&spaced_key))).await.unwrap();
    assert!(!spaced.passed, "{spaced:?}");
    shown.check(&spaced);
    assert!(!e.connection(name).unwrap().health.icims_key_set);
    let saved = e.save_icims(name, &input(Some(CUSTOM_KEY))).await.unwrap();
    assert!(saved.passed, "{saved:?}");
    shown.check(&saved);
    shown.check(&e.test_icims(name, &input(None)).await.unwrap());
    for c in e.check_all(name).await.unwrap() {
        assert!(c.passed, "{c:?}");
        shown.check(&c);
    }

    let dry = sync(e, name, true).await.unwrap();
    assert!(dry.summary.counts.would_create > 0, "{:?}", dry.summary);
    shown.view(&dry);
    let real = sync(e, name, false).await.unwrap();
    assert_eq!(
        real.summary.counts.created, dry.summary.counts.would_create,
        "{:?}",
        real.summary
    );
    assert_eq!(
        sb.namely.created_profiles().len() as u64,
        real.summary.counts.created
    );
    shown.view(&real);
    let d = e.connection(name).unwrap();
    assert!(d.health.setup_complete, "{d:?}");
    shown.view(&d);
    shown.view(&e.list_connections().unwrap());
    shown.view(&e.runs(name, 10).unwrap());
    let folder = quick::data_dir("export");
    let file = e
        .export_run_csv(RunId(real.summary.id), Some(folder.path()))
        .unwrap();
    shown.view(&file);
    shown.0.push(std::fs::read_to_string(&file.path).unwrap());

    // Errors that involve the key: one kept byte for byte with spaces, then none.
    e.set_secret(
        name,
        SecretKind::IcimsHmacKey,
        SecretString::from(spaced_key.clone()),
    )
    .await
    .unwrap();
    match sync(e, name, true).await {
        Err(err) => shown.error(&err),
        Ok(run) => {
            assert_ne!(
                run.summary.status,
                RunStatus::Succeeded,
                "{:?}",
                run.summary
            );
            shown.view(&run);
        }
    }
    match e.test_icims(name, &input(None)).await {
        Ok(c) => {
            assert!(!c.passed, "{c:?}");
            shown.check(&c);
        }
        Err(err) => shown.error(&err),
    }
    // A wrong key saved directly: the run fails, and says so without it.
    e.set_secret(
        name,
        SecretKind::IcimsHmacKey,
        SecretString::from(wrong_key.clone()),
    )
    .await
    .unwrap();
    let refused = sync(e, name, false).await.unwrap();
    assert_eq!(
        refused.summary.status,
        RunStatus::NotStarted,
        "{:?}",
        refused.summary
    );
    assert_eq!(
        refused.summary.error_code,
        Some(icims_namely_core::api::RunErrorCode::IcimsCredentials)
    );
    shown.view(&refused);
    for c in e.check_all(name).await.unwrap() {
        shown.check(&c);
    }
    shown.view(
        &e.remove_secret(name, SecretKind::IcimsHmacKey)
            .await
            .unwrap(),
    );
    shown.error(&sync(e, name, false).await.unwrap_err());
    shown.error(
        &e.create_connection(icims_namely_core::api::NewConnectionInput {
            name: name.into(),
            namely_permalink: "sandbox".into(),
        })
        .unwrap_err(),
    );

    shown.assert_none_contains(&[CUSTOM_KEY, CUSTOM_TOKEN]);
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Restarting with a sandbox connection
// ---------------------------------------------------------------------------------------------

async fn posts_in_sandbox(engine: &App) -> usize {
    engine
        .with_sandbox(|sb| sb.namely.calls_to("POST", "/profiles"))
        .await
        .expect("the sandbox runs")
}

#[tokio::test]
async fn after_a_restart_the_sandbox_keeps_its_data_and_a_sync_adds_nobody_again() {
    let h = Harness::new();
    let (first_info, first) = complete_sandbox(&h.engine).await;
    let created = first.summary.counts.created;
    let first_created = h
        .engine
        .with_sandbox(|sb| sb.namely.created_profiles())
        .await
        .unwrap();
    assert_eq!(first_created.len() as u64, created);
    drop(h.engine);

    // The sandbox's data is kept in the data folder, without the demo secrets.
    let state = h.dir.path().join("sandbox").join("state.json");
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(!saved.contains(TOKEN_OLIVIA_OWNER));
    assert!(!saved.contains(sandbox::icims::DEFAULT_HMAC_KEY));

    // A second engine on the same data and keychain: new simulators (new ports), same data.
    let e2 = open_engine(h.dir.path(), &h.secrets);
    assert!(
        e2.connection(SANDBOX_CONNECTION)
            .unwrap()
            .health
            .setup_complete
    );
    let info = e2.start_sandbox().await.unwrap();
    assert_ne!(
        (&info.icims_url, &info.namely_url),
        (&first_info.icims_url, &first_info.namely_url)
    );
    let settings = e2.settings(SANDBOX_CONNECTION).unwrap();
    assert_eq!(
        settings.namely_url.as_deref(),
        Some(info.namely_url.as_str())
    );
    assert_eq!(settings.icims_url.as_deref(), Some(info.icims_url.as_str()));
    assert_eq!(e2.list_connections().unwrap().len(), 1);
    assert_eq!(
        e2.with_sandbox(|sb| sb.namely.created_profiles())
            .await
            .unwrap(),
        first_created,
        "the profiles the app created are back, exactly"
    );

    let again = sync(&e2, SANDBOX_CONNECTION, false).await.unwrap();
    assert_eq!(
        again.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        again.summary
    );
    assert_eq!(again.summary.counts.created, 0, "{:?}", again.summary);
    assert_eq!(again.summary.counts.failed, 0);
    assert_eq!(posts_in_sandbox(&e2).await, 0);
    assert_eq!(created_in_sandbox(&e2).await as u64, created);
    drop(e2);

    // A third start goes straight to a sync: the sync starts (restores) the sandbox itself.
    let e3 = open_engine(h.dir.path(), &h.secrets);
    let third = sync(&e3, SANDBOX_CONNECTION, false).await.unwrap();
    assert_eq!(
        third.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        third.summary
    );
    assert_eq!(third.summary.counts.created, 0, "{:?}", third.summary);
    assert_eq!(posts_in_sandbox(&e3).await, 0);
    assert_eq!(created_in_sandbox(&e3).await as u64, created);
    assert_eq!(e3.runs(SANDBOX_CONNECTION, 10).unwrap().len(), 3);
    drop(e3);

    // Damaged saved data: the sandbox starts afresh, and the connection forgets what it
    // learnt of the old one, so the hires are added to the new one.
    std::fs::write(&state, "{ not json").unwrap();
    let e4 = open_engine(h.dir.path(), &h.secrets);
    let fourth = sync(&e4, SANDBOX_CONNECTION, false).await.unwrap();
    assert_eq!(
        fourth.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        fourth.summary
    );
    assert_eq!(
        fourth.summary.counts.created, created,
        "{:?}",
        fourth.summary
    );
    assert_eq!(created_in_sandbox(&e4).await as u64, created);
    drop(e4);
    let repaired: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert!(repaired["namely_profiles"].is_array());
}

/// Two processes (the app and the CLI) on one data folder: modelled by two engines, whose
/// lock files conflict exactly as two processes' would (flock is per open file).
#[tokio::test]
async fn another_process_syncing_the_same_connection_is_busy_and_its_run_is_not_marked_interrupted()
{
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let info = e.start_sandbox().await.unwrap();
    wizard_parts(e, &info).await;
    e.with_sandbox(|sb| sb.namely.set_latency(Duration::from_millis(300)))
        .await
        .unwrap();

    let first = sync(e, name, true);
    let second = async {
        // Let the first run start and take its lock.
        tokio::time::sleep(Duration::from_millis(150)).await;
        // A second "process" opening the same data folder must not mark the live run
        // interrupted...
        let other = open_engine(h.dir.path(), &h.secrets);
        let runs = other.runs(name, 10).unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].status, RunStatus::Running, "{:?}", runs[0]);
        // ...and must not start an overlapping run.
        let err = other.sync(name, request(true), &no_progress, None).await;
        (err, other)
    };
    let (done, (err, other)) = tokio::join!(first, second);
    let done = done.unwrap();
    assert_eq!(done.summary.status, RunStatus::Succeeded);
    let err = err.expect_err("the second process is refused");
    assert!(
        matches!(err, EngineError::Busy(ref m) if m.contains("another icims-namely")),
        "{err:?}"
    );
    // Once the first run ends, the other process may sync.
    e.with_sandbox(|sb| sb.namely.set_latency(Duration::ZERO))
        .await
        .unwrap();
    drop(other);
    let again = open_engine(h.dir.path(), &h.secrets);
    let runs = again.runs(name, 10).unwrap();
    assert!(
        runs.iter().all(|r| r.status != RunStatus::Interrupted),
        "{runs:?}"
    );
}

#[tokio::test]
async fn a_refused_namely_token_does_not_replace_one_that_works() {
    let h = Harness::new();
    let e = &h.engine;
    let name = SANDBOX_CONNECTION;
    let info = e.start_sandbox().await.unwrap();
    let good = e
        .save_namely_token(name, SecretString::from(info.namely_token.clone()))
        .await
        .unwrap();
    assert!(good.check.passed, "{:?}", good.check);
    let saved_at = e.connection(name).unwrap().secrets;

    let bad = e
        .save_namely_token(
            name,
            SecretString::from("not-a-token-namely-knows".to_string()),
        )
        .await
        .unwrap();
    assert!(!bad.check.passed);
    assert_eq!(bad.check.field, Some(Field::NamelyToken));
    assert_eq!(
        h.secret(name, SecretKind::NamelyToken).as_deref(),
        Some(info.namely_token.as_str()),
        "the working token is kept"
    );
    assert_eq!(
        e.connection(name).unwrap().secrets,
        saved_at,
        "its saved date too"
    );
}
