//! Connections: round trips, unique names, removing with or without history.

use super::*;

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
