//! Opening the database: migrations, the schema version, sharing, how times are written.

use super::*;

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
fn a_file_that_is_not_a_database_is_damaged_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    let text = "this is not sqlite, just some text that is long enough ".repeat(20);
    std::fs::write(&path, &text).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Damaged { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert!(err.to_string().contains("Move it aside"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[cfg(unix)]
#[test]
fn a_new_database_and_the_files_beside_it_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("icims-namely.db");
    let store = Store::open(&path).unwrap();
    store.add_connection(&settings("Acme")).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.path().join(format!("icims-namely.db{suffix}"));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    drop(store);
    // A file an older version made with the umask's mode is narrowed when opened.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(Store::open(&path).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
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
