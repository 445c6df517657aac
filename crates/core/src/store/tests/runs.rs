//! Runs and records: their lifecycle, recovery after a crash, retry-failed, CSV export.

use super::*;

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
