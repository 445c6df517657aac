use super::*;
use crate::connection::{ConnectionName, ConnectionSettings, IcimsRegion, Schedule};
use crate::domain::{
    CheckCode, Counts, IcimsPersonId, IndexEntry, NamelyProfileId, OutcomeKind, SecretKind,
    SetupStep, Trigger,
};
use time::OffsetDateTime;
use time::macros::{date, datetime};

const T0: OffsetDateTime = datetime!(2026-11-27 09:00 UTC);

fn name(s: &str) -> ConnectionName {
    ConnectionName::new(s).unwrap()
}

fn settings(n: &str) -> ConnectionSettings {
    let mut s = ConnectionSettings::new(name(n), "acme", "1234", "api-user", IcimsRegion::Us, T0);
    s.hired_statuses = vec!["Hired".into(), "Offer Accepted".into()];
    s.schedule = Schedule::DailyAt { hour: 7, minute: 0 };
    s
}

fn store_with(names: &[&str]) -> Store {
    let store = Store::open_in_memory().unwrap();
    for n in names {
        store.add_connection(&settings(n)).unwrap();
    }
    store
}

fn record(person: u64, outcome: OutcomeKind, name: &str) -> RecordRow {
    RecordRow {
        person_id: IcimsPersonId(person),
        workflow_ids: vec![person * 10, person * 10 + 1],
        name: name.into(),
        email: Some(format!("p{person}@acme.com")),
        outcome,
        reason: format!("{} for {name}", outcome.as_str()),
        namely_profile_id: (outcome == OutcomeKind::Created)
            .then(|| NamelyProfileId(format!("prof-{person}"))),
        detail: None,
        at: T0,
    }
}

fn end(status: RunStatus, counts: Counts) -> RunEnd {
    RunEnd {
        ended_at: T0 + time::Duration::minutes(3),
        status,
        counts,
        icims_calls: 42,
        namely_calls: 7,
        error_code: None,
        error: None,
    }
}

/// A check result as the engine records it: passed, or failed with some failure code.
fn check(step: SetupStep, passed: bool, message: &str, at: OffsetDateTime) -> CheckRecord {
    CheckRecord {
        step,
        passed,
        code: Some(if passed {
            CheckCode::Passed
        } else {
            CheckCode::IcimsCredentialsRefused
        }),
        message: message.into(),
        checked_at: at,
    }
}

// ----- opening, migrations, schema version --------------------------------------------------

#[test]
fn migrates_from_empty_file_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("icims-namely.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), known_version());
    assert!(known_version() >= 1);
    assert_eq!(store.journal_mode().unwrap(), "wal");
    let fk: i64 = store
        .read(|c| Ok(c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?))
        .unwrap();
    assert_eq!(fk, 1);
    assert_eq!(store.path(), Some(path.as_path()));
}

#[test]
fn reopen_keeps_data_and_does_not_migrate_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let store = Store::open(&path).unwrap();
        store.add_connection(&settings("Acme")).unwrap();
        let run = store
            .start_run(&name("Acme"), Trigger::Manual, false, T0)
            .unwrap();
        store
            .add_record(run, &record(1, OutcomeKind::Created, "Jane"))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.get_connection(&name("Acme")).unwrap(),
        Some(settings("Acme"))
    );
    let runs = store.runs(&name("Acme"), 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(store.records(runs[0].id).unwrap().len(), 1);
    assert_eq!(store.schema_version().unwrap(), known_version());
}

#[test]
fn version_1_index_meta_gets_the_time_of_its_full_listing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(super::schema::MIGRATIONS[0]).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        for (n, full) in [("Acme", 1), ("Other", 0)] {
            c.execute(
                "INSERT INTO connections (name, name_key, namely_permalink, icims_customer_id, \
                 icims_username, icims_region, hired_statuses, schedule, sandbox, created_at, \
                 updated_at) VALUES (?1, lower(?1), 'acme', '1', 'u', 'us', '[]', 'off', 0, \
                 '2026-11-27T09:00:00Z', '2026-11-27T09:00:00Z')",
                [n],
            )
            .unwrap();
            c.execute(
                "INSERT INTO namely_index_meta (connection, refreshed_at, profile_count, full) \
                 VALUES (?1, '2026-11-27T09:00:00Z', 3, ?2)",
                rusqlite::params![n, full],
            )
            .unwrap();
        }
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), known_version());
    let at = datetime!(2026-11-27 09:00 UTC);
    let acme = store.index_meta(&name("Acme")).unwrap().unwrap();
    assert_eq!((acme.refreshed_at, acme.listed_at), (at, Some(at)));
    let other = store.index_meta(&name("Other")).unwrap().unwrap();
    assert_eq!((other.full, other.listed_at), (false, None));
}

#[test]
fn newer_schema_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", known_version() + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("this data was written by a newer version of icims-namely"),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not sqlite, just some text that is long enough ".repeat(20),
    )
    .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
}

#[test]
fn store_is_clone_send_sync_and_shared() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Store>();
    let store = store_with(&["Acme"]);
    let other = store.clone();
    std::thread::spawn(move || {
        other
            .record_check(
                &name("Acme"),
                &check(SetupStep::NamelyField, true, "ok", T0),
            )
            .unwrap();
    })
    .join()
    .unwrap();
    assert_eq!(store.checks(&name("Acme")).unwrap().len(), 1);
}

#[test]
fn times_are_readable_utc_text() {
    let store = store_with(&[]);
    let mut s = settings("Acme");
    s.created_at = datetime!(2026-11-27 10:30:15.123456 +1);
    store.add_connection(&s).unwrap();
    let raw: String = store
        .read(|c| Ok(c.query_row("SELECT created_at FROM connections", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(raw, "2026-11-27T09:30:15.123Z");
    let back = store.get_connection(&name("Acme")).unwrap().unwrap();
    assert_eq!(back.created_at, datetime!(2026-11-27 09:30:15.123 UTC));
}

// ----- connections ---------------------------------------------------------------------------

#[test]
fn connection_round_trip_update_list() {
    let store = store_with(&[]);
    let mut s = settings("Zeta");
    s.namely_url = Some("http://127.0.0.1:4001".into());
    s.icims_url = Some("http://127.0.0.1:4002".into());
    s.icims_region = IcimsRegion::Eu;
    s.sandbox = true;
    store.add_connection(&s).unwrap();
    store.add_connection(&settings("acme")).unwrap();
    store.add_connection(&settings("Beta")).unwrap();
    assert_eq!(store.get_connection(&name("Zeta")).unwrap().unwrap(), s);
    assert_eq!(store.get_connection(&name("Nope")).unwrap(), None);

    let names: Vec<String> = store
        .list_connections()
        .unwrap()
        .into_iter()
        .map(|c| c.name.to_string())
        .collect();
    assert_eq!(names, ["acme", "Beta", "Zeta"]);

    s.schedule = Schedule::EveryHours(2);
    s.icims_field_name = Some("icims_id".into());
    s.owner_profile_id = Some(NamelyProfileId("owner-1".into()));
    s.hired_statuses = vec!["Hired".into()];
    let original_created = s.created_at;
    s.created_at = T0 + time::Duration::days(5);
    store.update_connection(&s).unwrap();
    let got = store.get_connection(&name("Zeta")).unwrap().unwrap();
    assert_eq!(got.schedule, Schedule::EveryHours(2));
    assert_eq!(
        got.owner_profile_id,
        Some(NamelyProfileId("owner-1".into()))
    );
    assert_eq!(got.icims_field_name.as_deref(), Some("icims_id"));
    assert_eq!(got.hired_statuses, vec!["Hired"]);
    assert_eq!(got.created_at, original_created, "created_at is kept");

    let err = store.update_connection(&settings("Ghost")).unwrap_err();
    assert_eq!(err.to_string(), "there is no connection named Ghost");

    assert_eq!(
        store.find_connection("  ZETA ").unwrap().map(|c| c.name),
        Some(name("Zeta"))
    );
}

#[test]
fn duplicate_connection_names_are_refused_ignoring_case() {
    let store = store_with(&["Acme Corp"]);
    let err = store.add_connection(&settings("Acme Corp")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a connection named Acme Corp already exists"
    );
    let err = store.add_connection(&settings("ACME corp")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a connection named Acme Corp already exists"
    );
    assert_eq!(store.list_connections().unwrap().len(), 1);
}

fn populate(store: &Store, n: &ConnectionName) -> RunId {
    store
        .record_check(n, &check(SetupStep::NamelyField, true, "Found", T0))
        .unwrap();
    store
        .set_secret_meta(n, SecretKind::IcimsHmacKey, T0)
        .unwrap();
    store
        .upsert_owner_candidate(
            n,
            &OwnerCandidate {
                profile_id: NamelyProfileId("o1".into()),
                full_name: "Olivia Owner".into(),
                email: Some("olivia@acme.com".into()),
                access_role: Some("Administrator".into()),
                user_status: "active".into(),
                verified_at: T0,
            },
        )
        .unwrap();
    let run = store.start_run(n, Trigger::Manual, false, T0).unwrap();
    store
        .add_record(run, &record(5, OutcomeKind::Failed, "Jo"))
        .unwrap();
    store
        .begin_intent(n, IcimsPersonId(5), run, "jo@acme.com", T0)
        .unwrap();
    store
        .index_upsert(n, &[index_entry("p1", Some("5"), Some("jo@acme.com"))])
        .unwrap();
    store
        .set_index_meta(
            n,
            &IndexMeta {
                refreshed_at: T0,
                profile_count: 1,
                full: true,
                listed_at: Some(T0),
            },
        )
        .unwrap();
    store
        .set_watermark(n, &Watermark { hired_since: T0 })
        .unwrap();
    store
        .record_icims_budget(n, date!(2026 - 11 - 27), 10, Some(90), Some(100))
        .unwrap();
    run
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .read(|c| Ok(c.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?))
        .unwrap()
}

const SCOPED_TABLES: [&str; 8] = [
    "setup_checks",
    "secret_meta",
    "owner_candidates",
    "intents",
    "namely_index",
    "namely_index_meta",
    "watermarks",
    "icims_budget",
];

#[test]
fn remove_connection_keeps_history_when_asked() {
    let store = store_with(&["Acme", "Other"]);
    let acme = name("Acme");
    let run = populate(&store, &acme);
    populate(&store, &name("Other"));
    store.remove_connection(&acme, true).unwrap();

    assert_eq!(store.get_connection(&acme).unwrap(), None);
    for table in SCOPED_TABLES {
        assert_eq!(count(&store, table), 1, "{table}: only Other's row is left");
    }
    assert!(store.open_intents(&acme).unwrap().is_empty());
    assert_eq!(store.watermark(&acme).unwrap(), None);
    assert!(store.index_all(&acme).unwrap().is_empty());
    // History stays, and is still readable by name.
    assert_eq!(store.runs(&acme, 10).unwrap().len(), 1);
    assert_eq!(store.records(run).unwrap().len(), 1);
    assert_eq!(
        store.failed_person_ids(&acme).unwrap(),
        vec![IcimsPersonId(5)]
    );
    // The name is free again; the kept history shows under it.
    store.add_connection(&settings("Acme")).unwrap();
    assert_eq!(store.last_run(&acme).unwrap().unwrap().id, run);

    let err = store.remove_connection(&name("Ghost"), true).unwrap_err();
    assert!(matches!(err, StoreError::NoSuchConnection(_)));
}

#[test]
fn remove_connection_clears_history_when_asked() {
    let store = store_with(&["Acme", "Other"]);
    let acme = name("Acme");
    let run = populate(&store, &acme);
    populate(&store, &name("Other"));
    store.remove_connection(&acme, false).unwrap();
    for table in SCOPED_TABLES {
        assert_eq!(count(&store, table), 1, "{table}");
    }
    assert!(store.runs(&acme, 10).unwrap().is_empty());
    assert_eq!(store.run(run).unwrap(), None);
    assert!(store.records(run).unwrap().is_empty());
    assert_eq!(count(&store, "runs"), 1, "Other's run stays");
    assert_eq!(count(&store, "records"), 1, "Other's record stays");
}

#[test]
fn scoped_writes_need_an_existing_connection() {
    let store = store_with(&[]);
    let ghost = name("Ghost");
    let errs = [
        store
            .record_check(&ghost, &check(SetupStep::Owner, true, "", T0))
            .unwrap_err(),
        store
            .set_secret_meta(&ghost, SecretKind::NamelyToken, T0)
            .unwrap_err(),
        store
            .start_run(&ghost, Trigger::Cli, false, T0)
            .unwrap_err(),
        store
            .set_watermark(&ghost, &Watermark { hired_since: T0 })
            .unwrap_err(),
        store.index_upsert(&ghost, &[]).unwrap_err(),
    ];
    for err in errs {
        assert_eq!(err.to_string(), "there is no connection named Ghost");
    }
}

// ----- setup progress, secrets, owners -------------------------------------------------------

#[test]
fn checks_record_latest_and_resume_point() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    assert_eq!(
        store.resume_step(&acme).unwrap(),
        Some(SetupStep::NamelyField)
    );

    store
        .record_check(
            &acme,
            &check(SetupStep::NamelySignIn, true, "Signed in", T0),
        )
        .unwrap();
    store
        .record_check(&acme, &check(SetupStep::NamelyField, false, "No field", T0))
        .unwrap();
    assert_eq!(
        store.resume_step(&acme).unwrap(),
        Some(SetupStep::NamelyField)
    );

    let later = T0 + time::Duration::minutes(5);
    store
        .record_check(
            &acme,
            &check(SetupStep::NamelyField, true, "Found the field", later),
        )
        .unwrap();
    assert_eq!(store.resume_step(&acme).unwrap(), Some(SetupStep::Owner));

    let checks = store.checks(&acme).unwrap();
    assert_eq!(
        checks,
        vec![
            check(SetupStep::NamelyField, true, "Found the field", later),
            check(SetupStep::NamelySignIn, true, "Signed in", T0),
        ],
        "one row per step, latest wins, wizard order"
    );

    for step in [SetupStep::Owner, SetupStep::Icims, SetupStep::Review] {
        store
            .record_check(&acme, &check(step, true, "ok", T0))
            .unwrap();
    }
    assert_eq!(store.resume_step(&acme).unwrap(), None);
    store
        .record_check(&acme, &check(SetupStep::Icims, false, "Wrong key", T0))
        .unwrap();
    assert_eq!(store.resume_step(&acme).unwrap(), Some(SetupStep::Icims));

    // The code is kept beside the words; a row from before version 3 has none.
    let failed = store.checks(&acme).unwrap();
    let icims = failed.iter().find(|c| c.step == SetupStep::Icims).unwrap();
    assert_eq!(icims.code, Some(CheckCode::IcimsCredentialsRefused));
    store
        .write(|tx| {
            tx.execute(
                "UPDATE setup_checks SET code = NULL WHERE step = 'icims'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let old = store.checks(&acme).unwrap();
    let icims = old.iter().find(|c| c.step == SetupStep::Icims).unwrap();
    assert_eq!((icims.code, icims.passed), (None, false));
}

#[test]
fn secret_meta_dates_only() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    store
        .set_secret_meta(&acme, SecretKind::NamelyToken, T0)
        .unwrap();
    store
        .set_secret_meta(&acme, SecretKind::IcimsHmacKey, T0)
        .unwrap();
    let later = T0 + time::Duration::days(1);
    store
        .set_secret_meta(&acme, SecretKind::IcimsHmacKey, later)
        .unwrap();
    assert_eq!(
        store.secret_meta(&acme).unwrap(),
        vec![
            SecretMeta {
                kind: SecretKind::IcimsHmacKey,
                saved_at: later
            },
            SecretMeta {
                kind: SecretKind::NamelyToken,
                saved_at: T0
            },
        ]
    );
    assert!(
        store
            .remove_secret_meta(&acme, SecretKind::NamelyToken)
            .unwrap()
    );
    assert!(
        !store
            .remove_secret_meta(&acme, SecretKind::NamelyToken)
            .unwrap()
    );
    assert_eq!(store.secret_meta(&acme).unwrap().len(), 1);
    // A kind this version does not know, written by hand, is refused on reading.
    store
        .write(|tx| {
            tx.execute(
                "UPDATE secret_meta SET kind = 'Bearer abc.def' WHERE connection = 'Acme'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    assert!(store.secret_meta(&acme).is_err());
}

#[test]
fn no_table_has_a_column_for_a_secret() {
    let store = store_with(&[]);
    let columns: Vec<String> = store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT m.name || '.' || p.name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert!(columns.len() > 40, "{columns:?}");
    for col in &columns {
        for word in ["secret_value", "token", "hmac", "password", "key_value"] {
            assert!(!col.contains(word), "{col}");
        }
    }
}

#[test]
fn owner_candidates_upsert_and_sort() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    let mut olivia = OwnerCandidate {
        profile_id: NamelyProfileId("o1".into()),
        full_name: "Olivia Owner".into(),
        email: Some("olivia@acme.com".into()),
        access_role: Some("Employee".into()),
        user_status: "active".into(),
        verified_at: T0,
    };
    let adam = OwnerCandidate {
        profile_id: NamelyProfileId("a1".into()),
        full_name: "Adam Admin".into(),
        email: None,
        access_role: None,
        user_status: "inactive".into(),
        verified_at: T0,
    };
    store.upsert_owner_candidate(&acme, &olivia).unwrap();
    store.upsert_owner_candidate(&acme, &adam).unwrap();
    olivia.access_role = Some("Administrator".into());
    olivia.verified_at = T0 + time::Duration::hours(1);
    store.upsert_owner_candidate(&acme, &olivia).unwrap();
    assert_eq!(store.owner_candidates(&acme).unwrap(), vec![adam, olivia]);
}

// ----- runs and records ----------------------------------------------------------------------

#[test]
fn run_lifecycle_with_counts() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    let run = store
        .start_run(&acme, Trigger::Schedule, false, T0)
        .unwrap();
    let row = store.run(run).unwrap().unwrap();
    assert_eq!(row.status, RunStatus::Running);
    assert_eq!(row.ended_at, None);
    assert_eq!(row.trigger, Trigger::Schedule);
    assert_eq!(row.connection, acme);

    let mut counts = Counts {
        read: 4,
        ..Counts::default()
    };
    for k in [
        OutcomeKind::Created,
        OutcomeKind::Created,
        OutcomeKind::NeedsReview,
        OutcomeKind::Failed,
    ] {
        counts.add(k);
    }
    let mut e = end(RunStatus::FinishedWithFailures, counts);
    e.error = Some("1 hire failed".into());
    store.finish_run(run, &e).unwrap();
    let row = store.run(run).unwrap().unwrap();
    assert_eq!(row.status, RunStatus::FinishedWithFailures);
    assert_eq!(row.counts, counts);
    assert_eq!(row.counts.created, 2);
    assert_eq!(row.icims_calls, 42);
    assert_eq!(row.namely_calls, 7);
    assert_eq!(row.ended_at, Some(e.ended_at));
    assert_eq!(row.error.as_deref(), Some("1 hire failed"));

    let err = store.finish_run(run, &e).unwrap_err();
    assert!(matches!(err, StoreError::RunAlreadyEnded(_)), "{err:?}");
    let err = store.finish_run(RunId(999), &e).unwrap_err();
    assert!(matches!(err, StoreError::NoSuchRun(_)), "{err:?}");
    let run2 = store.start_run(&acme, Trigger::Manual, true, T0).unwrap();
    assert!(
        store
            .finish_run(run2, &end(RunStatus::Running, counts))
            .is_err()
    );

    let runs = store.runs(&acme, 10).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![run2, run]
    );
    assert!(runs[0].dry_run);
    assert_eq!(store.runs(&acme, 1).unwrap().len(), 1);
    assert_eq!(store.last_run(&acme).unwrap().unwrap().id, run2);
    assert_eq!(store.last_run(&name("Other")).unwrap(), None);
    // Readable words in the file.
    let (trigger, status): (String, String) = store
        .read(|c| {
            Ok(c.query_row(
                "SELECT triggered_by, status FROM runs WHERE id = ?1",
                [run.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(
        (trigger.as_str(), status.as_str()),
        ("schedule", "finished_with_failures")
    );
}

#[test]
fn interrupted_runs_are_recovered_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let acme = name("Acme");
    let (done, killed) = {
        let store = Store::open(&path).unwrap();
        store.add_connection(&settings("Acme")).unwrap();
        let done = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
        store
            .finish_run(done, &end(RunStatus::Succeeded, Counts::default()))
            .unwrap();
        let killed = store
            .start_run(&acme, Trigger::Schedule, false, T0)
            .unwrap();
        (done, killed)
        // dropped without finishing: the process "died"
    };
    let store = Store::open(&path).unwrap();
    let later = T0 + time::Duration::hours(1);
    assert_eq!(store.recover_interrupted(later).unwrap(), vec![killed]);
    let row = store.run(killed).unwrap().unwrap();
    assert_eq!(row.status, RunStatus::Interrupted);
    assert_eq!(row.ended_at, Some(later));
    assert!(row.error.unwrap().contains("stopped before it finished"));
    assert_eq!(
        store.run(done).unwrap().unwrap().status,
        RunStatus::Succeeded
    );
    assert!(
        store.recover_interrupted(later).unwrap().is_empty(),
        "idempotent"
    );
    // A run that was in fact still alive may still report its real end.
    store
        .finish_run(killed, &end(RunStatus::Succeeded, Counts::default()))
        .unwrap();
    assert_eq!(
        store.run(killed).unwrap().unwrap().status,
        RunStatus::Succeeded
    );
}

#[test]
fn records_round_trip_in_order() {
    let store = store_with(&["Acme"]);
    let run = store
        .start_run(&name("Acme"), Trigger::Manual, false, T0)
        .unwrap();
    let mut a = record(1, OutcomeKind::Created, "Jane Doe");
    a.detail = Some("POST /profiles 200".into());
    let mut b = record(2, OutcomeKind::Invalid, "John");
    b.email = None;
    b.workflow_ids = vec![];
    let c = record(3, OutcomeKind::AlreadyInNamely, "Zoë Müller");
    store.add_record(run, &a).unwrap();
    store.add_records(run, &[b.clone(), c.clone()]).unwrap();
    assert_eq!(store.records(run).unwrap(), vec![a, b, c]);
    let outcome: String = store
        .read(|c| {
            Ok(
                c.query_row("SELECT outcome FROM records ORDER BY id LIMIT 1", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap();
    assert_eq!(outcome, "created");
    assert!(matches!(
        store
            .add_record(RunId(77), &record(1, OutcomeKind::Failed, "x"))
            .unwrap_err(),
        StoreError::NoSuchRun(RunId(77))
    ));
}

#[test]
fn failed_person_ids_uses_the_latest_real_outcome_only() {
    let store = store_with(&["Acme", "Other"]);
    let acme = name("Acme");
    let r1 = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
    store
        .add_records(
            r1,
            &[
                record(1, OutcomeKind::Failed, "a"), // later created -> not failed
                record(2, OutcomeKind::Failed, "b"), // still failed
                record(3, OutcomeKind::Created, "c"), // later failed -> failed
                record(4, OutcomeKind::Failed, "d"), // later only in a dry run -> still failed
                record(6, OutcomeKind::Failed, "f"), // later needs review -> not failed
            ],
        )
        .unwrap();
    let r2 = store.start_run(&acme, Trigger::Retry, false, T0).unwrap();
    store
        .add_records(
            r2,
            &[
                record(1, OutcomeKind::Created, "a"),
                record(3, OutcomeKind::Failed, "c"),
                record(6, OutcomeKind::NeedsReview, "f"),
            ],
        )
        .unwrap();
    let dry = store.start_run(&acme, Trigger::Manual, true, T0).unwrap();
    store
        .add_record(dry, &record(4, OutcomeKind::WouldCreate, "d"))
        .unwrap();
    let other = store
        .start_run(&name("Other"), Trigger::Manual, false, T0)
        .unwrap();
    store
        .add_record(other, &record(2, OutcomeKind::Created, "b"))
        .unwrap();
    store
        .add_record(other, &record(9, OutcomeKind::Failed, "z"))
        .unwrap();

    let ids: Vec<u64> = store
        .failed_person_ids(&acme)
        .unwrap()
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(ids, vec![2, 3, 4]);
    assert_eq!(
        store.failed_person_ids(&name("Other")).unwrap(),
        vec![IcimsPersonId(9)]
    );
}

#[test]
fn latest_outcomes_filters_by_kind_and_gives_the_record_time() {
    let store = store_with(&["Acme", "Other"]);
    let acme = name("Acme");
    let at = |minutes: i64, person: u64, outcome: OutcomeKind| RecordRow {
        at: T0 + time::Duration::minutes(minutes),
        ..record(person, outcome, "x")
    };
    let r1 = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
    store
        .add_records(
            r1,
            &[
                at(0, 1, OutcomeKind::Invalid),     // later needs review
                at(0, 2, OutcomeKind::Invalid),     // still invalid
                at(0, 3, OutcomeKind::NeedsReview), // later created
                at(0, 4, OutcomeKind::Failed),      // still failed
                at(0, 5, OutcomeKind::Invalid),     // later only in a dry run
                at(0, 6, OutcomeKind::AlreadyInNamely),
            ],
        )
        .unwrap();
    let r2 = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
    store
        .add_records(
            r2,
            &[
                at(60, 1, OutcomeKind::NeedsReview),
                at(60, 3, OutcomeKind::Created),
            ],
        )
        .unwrap();
    let dry = store.start_run(&acme, Trigger::Manual, true, T0).unwrap();
    store
        .add_record(dry, &at(90, 5, OutcomeKind::WouldCreate))
        .unwrap();
    let other = store
        .start_run(&name("Other"), Trigger::Manual, false, T0)
        .unwrap();
    store
        .add_record(other, &at(0, 7, OutcomeKind::Invalid))
        .unwrap();

    let kinds = [OutcomeKind::Invalid, OutcomeKind::NeedsReview];
    assert_eq!(
        store.latest_outcomes(&acme, &kinds).unwrap(),
        vec![
            (
                IcimsPersonId(1),
                OutcomeKind::NeedsReview,
                T0 + time::Duration::minutes(60)
            ),
            (IcimsPersonId(2), OutcomeKind::Invalid, T0),
            (IcimsPersonId(5), OutcomeKind::Invalid, T0),
        ]
    );
    assert_eq!(
        store
            .latest_outcomes(&acme, &[OutcomeKind::Failed])
            .unwrap(),
        vec![(IcimsPersonId(4), OutcomeKind::Failed, T0)]
    );
    assert!(store.latest_outcomes(&acme, &[]).unwrap().is_empty());
    assert_eq!(
        store.latest_outcomes(&name("Other"), &kinds).unwrap(),
        vec![(IcimsPersonId(7), OutcomeKind::Invalid, T0)]
    );
    assert_eq!(
        store.failed_person_ids(&acme).unwrap(),
        vec![IcimsPersonId(4)]
    );
}

#[test]
fn csv_export_quotes_and_keeps_unicode() {
    let store = store_with(&["Acme"]);
    let run = store
        .start_run(&name("Acme"), Trigger::Manual, false, T0)
        .unwrap();
    let mut tricky = record(7, OutcomeKind::NeedsReview, "Doe, Jane \"JJ\"");
    tricky.reason =
        "Needs review: jane@acme.com already belongs to Jane D. Doe,\nwho has no icims_id".into();
    let zoe = record(8, OutcomeKind::Created, "Zoë Müller");
    let mut evil = record(9, OutcomeKind::Invalid, "=HYPERLINK(\"http://x\")");
    evil.email = None;
    store.add_records(run, &[tricky, zoe, evil]).unwrap();

    let csv = store.record_csv(run).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "time,icims_person_id,icims_workflow_ids,name,email,outcome,reason,namely_profile_id,detail"
    );
    assert!(
        csv.contains(
            "2026-11-27T09:00:00.000Z,7,70 71,\"Doe, Jane \"\"JJ\"\"\",p7@acme.com,needs_review,\
             \"Needs review: jane@acme.com already belongs to Jane D. Doe,\nwho has no icims_id\",,\r\n"
        ),
        "{csv}"
    );
    assert!(
        csv.contains(",8,80 81,Zoë Müller,p8@acme.com,created,created for Zoë Müller,prof-8,\r\n"),
        "{csv}"
    );
    assert!(
        csv.contains(",9,90 91,\"'=HYPERLINK(\"\"http://x\"\")\",,invalid,"),
        "{csv}"
    );
    assert!(csv.ends_with("\r\n"));
    // Header + 3 records; one record spans two physical lines.
    assert_eq!(csv.matches("\r\n").count(), 4);

    assert!(matches!(
        store.record_csv(RunId(404)).unwrap_err(),
        StoreError::NoSuchRun(_)
    ));
    let empty = store
        .start_run(&name("Acme"), Trigger::Manual, true, T0)
        .unwrap();
    assert_eq!(store.record_csv(empty).unwrap().matches("\r\n").count(), 1);
}

// ----- intents -------------------------------------------------------------------------------

#[test]
fn intents_lifecycle() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    let run = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
    let p = |n| IcimsPersonId(n);

    let a = store
        .begin_intent(&acme, p(1), run, "a@acme.com", T0)
        .unwrap();
    let b = store
        .begin_intent(&acme, p(2), run, "b@acme.com", T0)
        .unwrap();
    let c = store
        .begin_intent(&acme, p(3), run, "c@acme.com", T0)
        .unwrap();
    assert_eq!(store.open_intents(&acme).unwrap().len(), 3);

    // A second create for someone with an open intent is refused.
    let err = store
        .begin_intent(&acme, p(1), run, "a@acme.com", T0)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::IntentOpen { intent, .. } if intent == a),
        "{err:?}"
    );
    assert!(err.to_string().contains("look them up in Namely"), "{err}");

    let later = T0 + time::Duration::seconds(2);
    store
        .complete_intent(a, &NamelyProfileId("prof-1".into()), later)
        .unwrap();
    store.fail_intent(b, true, later).unwrap();
    store.fail_intent(c, false, later).unwrap();

    let ia = store.intent(a).unwrap().unwrap();
    assert_eq!(ia.state, IntentState::Done);
    assert_eq!(ia.namely_profile_id, Some(NamelyProfileId("prof-1".into())));
    assert_eq!(ia.ended_at, Some(later));
    assert_eq!(store.intent(b).unwrap().unwrap().state, IntentState::Failed);
    let ic = store.intent(c).unwrap().unwrap();
    assert_eq!(ic.state, IntentState::Unknown);
    assert_eq!(ic.ended_at, None);

    let open = store.open_intents(&acme).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].id, open[0].person_id, open[0].run_id),
        (c, p(3), run)
    );
    assert_eq!(open[0].email, "c@acme.com");

    // Closed intents cannot change again.
    assert!(matches!(
        store
            .complete_intent(b, &NamelyProfileId("x".into()), later)
            .unwrap_err(),
        StoreError::IntentClosed {
            state: "failed",
            ..
        }
    ));
    assert!(matches!(
        store.fail_intent(IntentId(999), true, later).unwrap_err(),
        StoreError::NoSuchIntent(_)
    ));

    // A person whose create definitely failed may be tried again.
    store
        .begin_intent(&acme, p(2), run, "b@acme.com", later)
        .unwrap();

    // The unknown one is resolved after a lookup finds the profile.
    store
        .resolve_intent(
            c,
            &IntentResolution::Created(NamelyProfileId("prof-3".into())),
            later,
        )
        .unwrap();
    assert_eq!(store.intent(c).unwrap().unwrap().state, IntentState::Done);
    assert_eq!(
        store.open_intents(&acme).unwrap().len(),
        1,
        "only person 2's retry"
    );
}

#[test]
fn open_intents_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let acme = name("Acme");
    let (run, intent) = {
        let store = Store::open(&path).unwrap();
        store.add_connection(&settings("Acme")).unwrap();
        let run = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
        let intent = store
            .begin_intent(&acme, IcimsPersonId(42), run, "x@acme.com", T0)
            .unwrap();
        (run, intent)
        // POST sent, then the process died before complete_intent.
    };
    let store = Store::open(&path).unwrap();
    let open = store.open_intents(&acme).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, intent);
    assert_eq!(open[0].person_id, IcimsPersonId(42));
    assert_eq!(open[0].state, IntentState::Pending);

    store.recover_interrupted(T0).unwrap();
    let open = store.open_intents(&acme).unwrap();
    assert_eq!(open.len(), 1, "still open after recovery");
    assert_eq!(open[0].state, IntentState::Unknown);
    assert_eq!(
        store.run(run).unwrap().unwrap().status,
        RunStatus::Interrupted
    );

    // The next run looks person 42 up, finds nothing, resolves; only then creates again.
    let run2 = store.start_run(&acme, Trigger::Manual, false, T0).unwrap();
    assert!(
        store
            .begin_intent(&acme, IcimsPersonId(42), run2, "x@acme.com", T0)
            .is_err()
    );
    store
        .resolve_intent(intent, &IntentResolution::NotCreated, T0)
        .unwrap();
    store
        .begin_intent(&acme, IcimsPersonId(42), run2, "x@acme.com", T0)
        .unwrap();
}

// ----- Namely index, watermark, budget -------------------------------------------------------

fn index_entry(id: &str, icims: Option<&str>, email: Option<&str>) -> IndexEntry {
    IndexEntry {
        profile_id: NamelyProfileId(id.into()),
        icims_id: icims.map(Into::into),
        email: email.map(Into::into),
        personal_email: None,
        full_name: format!("Person {id}"),
        user_status: "active".into(),
    }
}

#[test]
fn index_lookups_by_icims_id_and_email_ignoring_case() {
    let store = store_with(&["Acme", "Other"]);
    let acme = name("Acme");
    let mut p3 = index_entry("p3", None, Some("Jane.Doe@Acme.com"));
    p3.personal_email = Some("jane@home.example".into());
    let zoe = index_entry("p4", Some("77"), Some("ZOË@ACME.COM"));
    store
        .index_upsert(
            &acme,
            &[
                index_entry("p1", Some("9012"), Some("a@acme.com")),
                index_entry("p2", Some(" 9013 "), None),
                p3.clone(),
                zoe.clone(),
            ],
        )
        .unwrap();
    store
        .index_upsert(
            &name("Other"),
            &[index_entry("q1", Some("9012"), Some("a@acme.com"))],
        )
        .unwrap();

    let ids = |v: Vec<IndexEntry>| v.into_iter().map(|e| e.profile_id.0).collect::<Vec<_>>();
    assert_eq!(ids(store.index_by_icims_id(&acme, "9012").unwrap()), ["p1"]);
    assert_eq!(ids(store.index_by_icims_id(&acme, "9013").unwrap()), ["p2"]);
    assert!(store.index_by_icims_id(&acme, "901").unwrap().is_empty());
    assert!(store.index_by_icims_id(&acme, " ").unwrap().is_empty());
    assert_eq!(
        store.index_by_email(&acme, "jane.doe@acme.COM").unwrap(),
        vec![p3.clone()]
    );
    assert_eq!(
        store.index_by_email(&acme, " JANE@home.example").unwrap(),
        vec![p3]
    );
    assert_eq!(
        store.index_by_email(&acme, "zoë@acme.com").unwrap(),
        vec![zoe]
    );
    assert!(
        store
            .index_by_email(&acme, "nobody@acme.com")
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.index_all(&acme).unwrap().len(), 4);

    // Upsert by profile id: the icims_id gets set later.
    store
        .index_upsert(
            &acme,
            &[index_entry("p3", Some("555"), Some("jane.doe@acme.com"))],
        )
        .unwrap();
    assert_eq!(ids(store.index_by_icims_id(&acme, "555").unwrap()), ["p3"]);
    assert_eq!(store.index_all(&acme).unwrap().len(), 4);

    // Duplicates in Namely are all returned.
    store
        .index_upsert(&acme, &[index_entry("p9", Some("9012"), None)])
        .unwrap();
    assert_eq!(
        ids(store.index_by_icims_id(&acme, "9012").unwrap()),
        ["p1", "p9"]
    );

    // A full refresh replaces everything and records freshness.
    assert_eq!(store.index_meta(&acme).unwrap(), None);
    let meta = IndexMeta {
        refreshed_at: T0,
        profile_count: 1,
        full: true,
        listed_at: Some(T0),
    };
    store
        .index_replace_all(&acme, &[index_entry("p1", Some("9012"), None)], &meta)
        .unwrap();
    assert_eq!(ids(store.index_all(&acme).unwrap()), ["p1"]);
    assert_eq!(store.index_meta(&acme).unwrap(), Some(meta));
    let meta2 = IndexMeta {
        refreshed_at: T0 + time::Duration::hours(1),
        profile_count: 2,
        full: false,
        listed_at: None,
    };
    store.set_index_meta(&acme, &meta2).unwrap();
    assert_eq!(store.index_meta(&acme).unwrap(), Some(meta2));
    assert_eq!(store.index_all(&name("Other")).unwrap().len(), 1);

    // An incremental refresh upserts (keeping the others) and records freshness together.
    let meta3 = IndexMeta {
        refreshed_at: T0 + time::Duration::hours(2),
        profile_count: 2,
        full: true,
        listed_at: Some(T0),
    };
    store
        .index_refresh(
            &acme,
            &[
                index_entry("p1", Some("777"), None),
                index_entry("p2", None, None),
            ],
            &meta3,
        )
        .unwrap();
    assert_eq!(ids(store.index_all(&acme).unwrap()), ["p1", "p2"]);
    assert_eq!(ids(store.index_by_icims_id(&acme, "777").unwrap()), ["p1"]);
    assert!(store.index_by_icims_id(&acme, "9012").unwrap().is_empty());
    assert_eq!(store.index_meta(&acme).unwrap(), Some(meta3));
    assert!(store.index_refresh(&name("Nobody"), &[], &meta3).is_err());
}

#[test]
fn watermark_set_and_clear() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    assert_eq!(store.watermark(&acme).unwrap(), None);
    store
        .set_watermark(&acme, &Watermark { hired_since: T0 })
        .unwrap();
    let later = datetime!(2026-11-28 03:00 -5);
    store
        .set_watermark(&acme, &Watermark { hired_since: later })
        .unwrap();
    assert_eq!(
        store.watermark(&acme).unwrap(),
        Some(Watermark { hired_since: later })
    );
    store.clear_watermark(&acme).unwrap();
    assert_eq!(store.watermark(&acme).unwrap(), None);
}

#[test]
fn icims_budget_per_utc_day() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    let day = date!(2026 - 11 - 27);
    assert_eq!(store.icims_budget(&acme, day).unwrap(), None);
    assert_eq!(store.add_icims_calls(&acme, day, 5).unwrap(), 5);
    assert_eq!(store.add_icims_calls(&acme, day, 3).unwrap(), 8);
    store
        .record_icims_budget(&acme, day, 120, Some(9880), Some(10_000))
        .unwrap();
    assert_eq!(store.add_icims_calls(&acme, day, 1).unwrap(), 121);
    assert_eq!(
        store.icims_budget(&acme, day).unwrap(),
        Some(IcimsBudget {
            day,
            calls_spent: 121,
            remaining: Some(9880),
            limit: Some(10_000)
        })
    );
    let next = date!(2026 - 11 - 28);
    assert_eq!(store.icims_budget(&acme, next).unwrap(), None);
    let raw: String = store
        .read(|c| Ok(c.query_row("SELECT day FROM icims_budget", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(raw, "2026-11-27");
    let json = serde_json::to_string(&store.icims_budget(&acme, day).unwrap().unwrap()).unwrap();
    assert!(json.contains("\"day\":\"2026-11-27\""), "{json}");
}
