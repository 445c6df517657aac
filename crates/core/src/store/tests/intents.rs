//! Create intents: their lifecycle, and open ones surviving a crash.

use super::*;

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
