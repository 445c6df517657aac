//! The data folder and the files the app writes, through the engine as the shells open it:
//! private modes, the CSV export (no planted link followed, nothing replaced unasked, nothing
//! half-written), log rotation, and the folder's faults — a damaged or locked database, a
//! folder that cannot be written, a full disk — each said for people, losing nothing. Also:
//! a sandbox connection is always checked at the simulators running now.
//!
//! The full disk and the read-only folder mount a small tmpfs, so they need root (CI runs as
//! root); elsewhere they print `SKIPPED …` with the reason and pass.

mod quick;
#[path = "../../../tests/support/tmpfs.rs"]
mod tmpfs;

use icims_namely_core::api::{ErrorCode, IcimsInput, IcimsRegion, SyncSettingsInput};
use icims_namely_core::connection::ConnectionName;
use icims_namely_core::domain::{IcimsPersonId, OutcomeKind, Trigger};
use icims_namely_core::engine::{Engine, EngineError, EngineOptions, SANDBOX_CONNECTION};
use icims_namely_core::paths::{self, DataDir};
use icims_namely_core::schedule::Schedule;
use icims_namely_core::secrets::Secrets;
use icims_namely_core::store::{RecordRow, RunId, StoreError};
use icims_namely_sandbox_host::InProcessSandbox;
use secrecy::SecretString;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tmpfs::{LockableHome, Tmpfs, fill};

fn open(dir: &Path) -> Result<Engine, EngineError> {
    Engine::open(
        DataDir::new(dir),
        Secrets::mock(),
        None,
        quick::engine_options(),
    )
}

/// A connection to nothing in particular (`n` makes its customer its own).
fn add(engine: &Engine, name: &str, n: usize) -> Result<(), EngineError> {
    let mut input = quick::connection_at(name, "http://127.0.0.1:9", "http://127.0.0.1:9");
    input.icims_customer_id = format!("{}", 1000 + n);
    engine.add_connection(input).map(|_| ())
}

/// A run of `name` with one record, as a sync leaves it.
fn a_run(engine: &Engine, name: &str) -> RunId {
    let conn = ConnectionName::new(name).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let store = engine.store();
    let run = store.start_run(&conn, Trigger::Manual, false, now).unwrap();
    store
        .add_record(
            run,
            &RecordRow {
                person_id: IcimsPersonId(7),
                workflow_ids: vec![70],
                name: "Jane Doe".into(),
                email: Some("jane@example.com".into()),
                outcome: OutcomeKind::Created,
                reason: "Created in Namely".into(),
                namely_profile_id: None,
                detail: None,
                at: now,
                start_date: Some("2026-01-05".into()),
                permanent: false,
            },
        )
        .unwrap();
    run
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// The error opening `dir` (fails the test when it opens).
fn open_err(dir: &Path) -> EngineError {
    match open(dir) {
        Ok(_) => panic!("{} opened", dir.display()),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// Private files
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[tokio::test]
async fn every_file_the_app_writes_is_private_and_so_is_a_data_folder_it_makes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("new").join("home");
    let host = Arc::new(InProcessSandbox::new());
    let engine = Engine::open(
        DataDir::new(&root),
        Secrets::mock(),
        None,
        EngineOptions {
            sandbox: Some(host.clone()),
            ..quick::engine_options()
        },
    )
    .unwrap();
    add(&engine, "Acme", 1).unwrap();
    let run = a_run(&engine, "Acme");
    engine.start_sandbox().await.unwrap();

    assert_eq!(mode(&root), 0o700, "the data folder");
    assert_eq!(mode(&root.join("logs")), 0o700, "its logs");
    for db in [
        "icims-namely.db",
        "icims-namely.db-wal",
        "icims-namely.db-shm",
    ] {
        assert_eq!(mode(&root.join(db)), 0o600, "{db}");
    }
    assert_eq!(mode(&root.join("sandbox")), 0o700, "the sandbox's folder");
    assert_eq!(
        mode(&root.join("sandbox").join("state.json")),
        0o600,
        "the sandbox's data"
    );

    let csv = tmp.path().join("run.csv");
    engine.write_run_csv(run, &csv, false).unwrap();
    assert_eq!(mode(&csv), 0o600, "a CSV export");
    let exports = tmp.path().join("exports");
    let exported = engine.export_run_csv(run, Some(&exports)).unwrap();
    assert_eq!(mode(Path::new(&exported.path)), 0o600, "the app's export");
    assert_eq!(mode(&exports), 0o700, "a folder the export made");

    let log = root.join("logs").join("scheduler.log");
    let mut file = paths::open_log(&log).unwrap();
    std::io::Write::write_all(&mut file, b"a line\n").unwrap();
    assert_eq!(mode(&log), 0o600, "the log");
}

// ---------------------------------------------------------------------------------------------
// The CSV export
// ---------------------------------------------------------------------------------------------

#[test]
fn a_csv_export_refuses_an_existing_file_unless_told_and_never_half_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = open(&tmp.path().join("home")).unwrap();
    add(&engine, "Acme", 1).unwrap();
    let run = a_run(&engine, "Acme");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let csv = out.join("run.csv");

    let written = engine.write_run_csv(run, &csv, false).unwrap();
    assert_eq!(written.rows, 1);
    let first = std::fs::read_to_string(&csv).unwrap();
    assert!(first.contains("Jane Doe"), "{first}");

    std::fs::write(&csv, "kept by the person").unwrap();
    let err = engine.write_run_csv(run, &csv, false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::AlreadyExists, "{err}");
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(err.to_string().contains("run.csv"), "{err}");
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "kept by the person");

    engine.write_run_csv(run, &csv, true).unwrap();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        first,
        "replaced when told"
    );

    let missing = out.join("no-such-folder").join("run.csv");
    let err = engine.write_run_csv(run, &missing, false).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(err.to_string().contains("no-such-folder"), "{err}");

    assert!(temp_files(&out).is_empty(), "{:?}", temp_files(&out));
}

#[cfg(unix)]
#[test]
fn a_csv_export_never_writes_through_a_planted_link() {
    let tmp = tempfile::tempdir().unwrap();
    let engine = open(&tmp.path().join("home")).unwrap();
    add(&engine, "Acme", 1).unwrap();
    let run = a_run(&engine, "Acme");
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let link = out.join("run.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();

    for overwrite in [false, true] {
        let err = engine.write_run_csv(run, &link, overwrite).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        assert!(err.to_string().contains("symbolic link"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // The app's export picks its own name: a link planted there is passed by, as is an
    // earlier export, which stays as it was.
    let first = engine.export_run_csv(run, Some(&out)).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("icims-namely-Acme-run-1 (2).csv")).unwrap();
    let second = engine.export_run_csv(run, Some(&out)).unwrap();
    assert!(
        first.path.ends_with("icims-namely-Acme-run-1.csv"),
        "{first:?}"
    );
    assert!(
        second.path.ends_with("icims-namely-Acme-run-1 (3).csv"),
        "{second:?}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(
        std::fs::read(&first.path).unwrap(),
        std::fs::read(&second.path).unwrap()
    );
    assert!(temp_files(&out).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

#[test]
fn a_log_file_rotates_by_size_and_keeps_a_few() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("logs").join("scheduler.log");
    let mut log = paths::open_log_with(&path, 300, 2).unwrap();
    for i in 0..40 {
        // One line per write, as a logger writes each event.
        log.write_all(format!("line {i:03} {}\n", "x".repeat(40)).as_bytes())
            .unwrap();
    }
    log.flush().unwrap();
    let dir = path.parent().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["scheduler.log", "scheduler.log.1", "scheduler.log.2"],
        "the current file and the two newest old ones"
    );
    let current = std::fs::read_to_string(&path).unwrap();
    assert!(current.ends_with(&format!("line 039 {}\n", "x".repeat(40))));
    assert!(!current.contains("line 000"), "{current}");
    for name in &names {
        let file = dir.join(name);
        let size = std::fs::metadata(&file).unwrap().len();
        // A file grows past the limit by one line at most.
        assert!(size <= 300 + 50, "{name}: {size} bytes");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.lines().all(|l| l.len() == 49),
            "no line is split: {text}"
        );
        #[cfg(unix)]
        assert_eq!(mode(&file), 0o600, "{name}");
    }
    // Reopened (the next start), it carries on in the same file.
    drop(log);
    let mut again = paths::open_log_with(&path, 300, 2).unwrap();
    again.write_all(b"after a restart\n").unwrap();
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("after a restart")
    );
}

// ---------------------------------------------------------------------------------------------
// Faults of the data folder
// ---------------------------------------------------------------------------------------------

#[test]
fn a_damaged_database_is_named_with_what_to_do_and_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let db = home.join("icims-namely.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();

    for _ in 0..2 {
        let err = open_err(&home);
        assert_eq!(err.code(), ErrorCode::Storage, "{err}");
        assert!(
            matches!(err, EngineError::Storage(StoreError::Damaged { .. })),
            "{err:?}"
        );
        let said = err.to_string();
        assert!(said.contains(&db.display().to_string()), "{said}");
        assert!(said.contains("Move it aside"), "{said}");
        assert!(said.contains("leaves it as it is"), "{said}");
        assert_eq!(std::fs::read(&db).unwrap(), garbage, "not a byte changed");
    }

    // Done as told, a new database starts.
    std::fs::rename(&db, home.join("icims-namely.db.damaged")).unwrap();
    let engine = open(&home).unwrap();
    assert!(engine.list_connections().unwrap().is_empty());
}

#[test]
fn a_database_another_process_holds_is_waited_for_then_named() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    {
        let engine = open(&home).unwrap();
        add(&engine, "Acme", 1).unwrap();
    }
    let holder = rusqlite::Connection::open(home.join("icims-namely.db")).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let started = Instant::now();
    let err = open_err(&home);
    let waited = started.elapsed();
    assert!(
        matches!(err, EngineError::Storage(StoreError::InUse { .. })),
        "{err:?}"
    );
    let said = err.to_string();
    assert!(said.contains("another icims-namely"), "{said}");
    assert!(said.contains("Wait for it to finish"), "{said}");
    assert!(said.contains("icims-namely.db"), "{said}");
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(30),
        "waited {waited:?}"
    );

    // Let go, and everything is there.
    holder.execute_batch("ROLLBACK").unwrap();
    let engine = open(&home).unwrap();
    assert_eq!(engine.list_connections().unwrap().len(), 1);
}

#[test]
fn a_data_folder_that_is_a_file_is_said_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("home");
    std::fs::write(&file, "not a folder").unwrap();
    let err = open_err(&file);
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    let said = err.to_string();
    assert!(said.contains("is not a folder"), "{said}");
    assert!(said.contains("ICIMS_NAMELY_HOME"), "{said}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

#[cfg(unix)]
#[test]
fn a_data_folder_that_cannot_be_written_is_said_plainly_and_keeps_its_data() {
    // Root writes through any mode, so as root the folder is a read-only mount instead.
    let lockable = match LockableHome::new() {
        Ok(l) => l,
        Err(why) => {
            eprintln!("SKIPPED a_data_folder_that_cannot_be_written…: {why}");
            return;
        }
    };
    let home = lockable.path.clone();
    {
        let engine = open(&home).unwrap();
        add(&engine, "Acme", 1).unwrap();
    }
    let db = home.join("icims-namely.db");
    let before = std::fs::read(&db).unwrap();
    let err = lockable.read_only(std::slice::from_ref(&db), || open_err(&home));
    assert_eq!(err.code(), ErrorCode::Storage, "{err}");
    assert!(
        matches!(err, EngineError::Storage(StoreError::NotWritable { .. })),
        "{err:?}"
    );
    let said = err.to_string();
    assert!(said.contains("cannot be written"), "{said}");
    assert!(said.contains("ICIMS_NAMELY_HOME"), "{said}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let engine = open(&home).unwrap();
    assert_eq!(engine.list_connections().unwrap().len(), 1);
}

#[test]
fn a_full_disk_is_said_plainly_and_loses_nothing() {
    let disk = match Tmpfs::mount("1m") {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED a_full_disk_is_said_plainly_and_loses_nothing: {why}");
            return;
        }
    };
    let home = disk.path().join("home");
    let engine = open(&home).unwrap();
    add(&engine, "Kept", 0).unwrap();
    let run = a_run(&engine, "Kept");
    let filler = fill(disk.path());

    // While it runs: writes fail one after another as the disk fills, each whole or not at
    // all, and each says the disk is full.
    let mut added = vec!["Kept".to_string()];
    let mut refused = None;
    for n in 1..500 {
        let name = format!("Later {n}");
        match add(&engine, &name, n) {
            Ok(()) => added.push(name),
            Err(e) => {
                refused = Some((name, e));
                break;
            }
        }
    }
    let (lost, err) = refused.expect("a full disk refuses a write");
    assert!(
        matches!(err, EngineError::Storage(StoreError::DiskFull { .. })),
        "{err:?}"
    );
    let said = err.to_string();
    assert!(said.contains("the disk is full"), "{said}");
    assert!(said.contains("Free some space"), "{said}");

    // A CSV to that disk: refused whole, nothing left behind.
    let csv = disk.path().join("run.csv");
    let err = engine.write_run_csv(run, &csv, false).unwrap_err();
    assert!(err.to_string().starts_with("The disk is full"), "{err}");
    assert!(!csv.exists());
    assert!(temp_files(disk.path()).is_empty());
    drop(engine);

    // Starting on a full disk says so too.
    match open(&home) {
        Err(e) => assert!(e.to_string().contains("the disk is full"), "{e}"),
        Ok(engine) => assert!(
            add(&engine, "Another", 900)
                .unwrap_err()
                .to_string()
                .contains("the disk is full")
        ),
    }

    // Space again: what was saved is there, what was refused is not.
    std::fs::remove_file(filler).unwrap();
    let engine = open(&home).unwrap();
    let names: Vec<String> = engine
        .list_connections()
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    for name in &added {
        assert!(names.contains(name), "{name} in {names:?}");
    }
    assert!(!names.contains(&lost), "{lost} in {names:?}");
    assert_eq!(engine.run_details(run).unwrap().records.len(), 1);
    add(&engine, &lost, 999).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The sandbox after a restart
// ---------------------------------------------------------------------------------------------

fn with_host(dir: &Path, secrets: &Secrets) -> (Engine, Arc<InProcessSandbox>) {
    let host = Arc::new(InProcessSandbox::new());
    let engine = Engine::open(
        DataDir::new(dir),
        secrets.clone(),
        None,
        EngineOptions {
            sandbox: Some(host.clone()),
            ..quick::engine_options()
        },
    )
    .unwrap();
    (engine, host)
}

#[tokio::test]
async fn a_sandbox_connection_is_checked_at_the_simulators_running_now() {
    let tmp = tempfile::tempdir().unwrap();
    let secrets = Secrets::mock();
    let name = SANDBOX_CONNECTION;
    let (engine, host) = with_host(tmp.path(), &secrets);
    let info = engine.start_sandbox().await.unwrap();
    let signed_in = engine
        .save_namely_token(name, SecretString::from(info.namely_token.clone()))
        .await
        .unwrap();
    assert!(signed_in.check.passed, "{:?}", signed_in.check);
    assert!(engine.check_namely_field(name).await.unwrap().passed);
    assert!(engine.owner_step(name).await.unwrap().check.passed);
    let icims = IcimsInput {
        customer_id: info.icims_customer_id.clone(),
        username: info.icims_username.clone(),
        region: IcimsRegion::Us,
        hmac_key: Some(info.icims_hmac_key.clone().into()),
    };
    assert!(engine.save_icims(name, &icims).await.unwrap().passed);
    engine
        .update_sync_settings(
            name,
            SyncSettingsInput {
                hired_statuses: vec!["Hired".into()],
                schedule: Schedule::Off,
                start_from: None,
                icims_concurrency: None,
            },
        )
        .unwrap();
    // The app closes: its simulators stop, and their ports answer no more.
    drop(engine);
    drop(host);
    let old = reqwest::Client::new()
        .get(&info.namely_url)
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(old.is_err(), "the old simulators still answer: {old:?}");

    // Reopened: the saved connection still names the old ports, and nothing started the
    // sandbox yet. Every check starts it and goes to its new ports.
    let (engine, host) = with_host(tmp.path(), &secrets);
    let saved = engine.settings(name).unwrap();
    assert_eq!(saved.namely_url.as_deref(), Some(info.namely_url.as_str()));
    let checks = engine.check_all(name).await.unwrap();
    for check in &checks {
        assert!(check.passed, "{check:?}");
    }
    let now_at = host.with(|sb| sb.namely.url()).await.expect("started");
    assert_ne!(now_at, info.namely_url);
    let settings = engine.settings(name).unwrap();
    assert_eq!(settings.namely_url.as_deref(), Some(now_at.as_str()));
    let icims_now = host.with(|sb| sb.icims.url()).await.unwrap();
    assert_eq!(settings.icims_url.as_deref(), Some(icims_now.as_str()));
    // Each check on its own, too (the wizard calls them one by one).
    drop(engine);
    drop(host);
    let (engine, _host) = with_host(tmp.path(), &secrets);
    assert!(
        engine
            .check_namely_sign_in(name)
            .await
            .unwrap()
            .check
            .passed
    );
    let (engine, _host) = {
        drop(engine);
        with_host(tmp.path(), &secrets)
    };
    let mut typed = icims.clone();
    typed.hmac_key = None;
    assert!(engine.test_icims(name, &typed).await.unwrap().passed);
}
