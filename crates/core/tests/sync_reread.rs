//! Persons looked at again outside the date window: an `invalid` hire fixed in iCIMS reaches
//! Namely, someone no longer hired is never created, and the daily interval costs nothing.

mod sync_support;

use icims_namely_core::domain::{IcimsPersonId, OutcomeKind, Trigger};
use icims_namely_core::store::RunStatus;
use icims_namely_core::sync::SyncOptions;
use sandbox::seed::{SEED_ANCHOR_UNIX, World};
use std::time::Duration;
use sync_support::*;

/// Options that look at every `invalid` / `needs_review` person again, however recent.
fn reread_now() -> SyncOptions {
    SyncOptions {
        reread_after: Duration::ZERO,
        ..SyncOptions::default()
    }
}

/// `GET /people/{person}` requests the iCIMS simulator received.
fn person_reads(h: &Harness, person: u64) -> usize {
    let p = format!("/customers/1234/people/{person}");
    h.icims_sim
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path == p)
        .count()
}

/// Workflow searches the iCIMS simulator received.
fn searches(h: &Harness) -> usize {
    h.icims_sim
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/search/applicantworkflows"))
        .count()
}

fn icims_calls(h: &Harness, out: &icims_namely_core::sync::SyncOutcome) -> u64 {
    h.store.run(out.run_id).unwrap().unwrap().icims_calls
}

/// The seeded world plus one hire without an email, updated well before the first run.
fn world_with_emailless_hire() -> (World, u64) {
    let mut w = without_invalid_states(world());
    let added = w.add_hire("Noemail", "Person", None, SEED_ANCHOR_UNIX);
    let p = w
        .people
        .iter_mut()
        .find(|p| p.id == added.person_id)
        .unwrap();
    p.startdate = Some("2026-12-01".into());
    (w, added.person_id)
}

#[tokio::test]
async fn invalid_hire_fixed_in_icims_is_created_once_its_record_is_old_enough() {
    let (w, person) = world_with_emailless_hire();
    let h = Harness::start(w).await;

    let first = h.sync(SyncOptions::default()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    let rec = h
        .records(first.run_id)
        .into_iter()
        .find(|r| r.person_id.0 == person)
        .expect("the emailless hire is recorded");
    assert_eq!(rec.outcome, OutcomeKind::Invalid);
    assert!(rec.reason.contains("no email"), "{}", rec.reason);

    // HR adds the email in iCIMS. Editing a person does not touch the workflow's updateddate,
    // so the date window never sees the hire again.
    h.icims_sim.with_world(|w| {
        w.people.iter_mut().find(|p| p.id == person).unwrap().email =
            Some("noemail.person@example.com".into());
    });

    // Within the interval (default a day) the invalid record stands: only the window search.
    let reads_before = person_reads(&h, person);
    let second = h.sync(SyncOptions::default()).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(icims_calls(&h, &second), 1, "the window search only");
    assert!(h.records(second.run_id).is_empty());
    assert_eq!(person_reads(&h, person), reads_before);
    assert!(!h.icims_ids_in_namely().contains_key(&person.to_string()));

    // Once the record is old enough (here: at once), every invalid / needs-review person is
    // looked at again: one search of their hired workflows and one GET each.
    let due: Vec<u64> = h
        .store
        .latest_outcomes(
            &h.settings.name,
            &[OutcomeKind::Invalid, OutcomeKind::NeedsReview],
        )
        .unwrap()
        .into_iter()
        .map(|(p, _, _)| p.0)
        .filter(|p| *p != 0)
        .collect();
    assert!(due.contains(&person) && due.len() >= 2, "{due:?}");
    let searches_before = searches(&h);
    let third = h.sync(reread_now()).await;
    assert_eq!(third.status, RunStatus::Succeeded, "{:?}", third.error);
    assert_eq!(icims_calls(&h, &third), 1 + 2 * due.len() as u64);
    assert_eq!(searches(&h), searches_before + 1 + due.len());
    let records = h.records(third.run_id);
    assert_eq!(with_outcome(&records, OutcomeKind::Created), ids(&[person]));
    assert_eq!(
        records.len(),
        due.len(),
        "one record per person looked at again"
    );
    let created = records.iter().find(|r| r.person_id.0 == person).unwrap();
    assert_eq!(created.email.as_deref(), Some("noemail.person@example.com"));
    assert!(
        !created.workflow_ids.is_empty(),
        "workflows from the search"
    );
    assert_eq!(h.icims_ids_in_namely().get(&person.to_string()), Some(&1));

    // Created is final: never looked at again.
    let reads_before = person_reads(&h, person);
    let fourth = h.sync(reread_now()).await;
    assert_eq!(fourth.status, RunStatus::Succeeded, "{:?}", fourth.error);
    assert_eq!(person_reads(&h, person), reads_before);
    assert_eq!(fourth.counts.created, 0);
    let mut posts = once_each(expected_creates(&h.world).keys());
    posts.insert(person, 1);
    h.assert_posts(&posts);
}

#[tokio::test]
async fn failed_hire_no_longer_hired_is_never_created() {
    // The first hire to be created; Namely refuses its profile (422) once.
    let w = without_invalid_states(world());
    let hired = w.workflows_in_status(&[HIRED]);
    let person = *expected_creates(&w)
        .keys()
        .next()
        .expect("a hire to create");
    let workflows: Vec<u64> = hired
        .iter()
        .filter(|wf| wf.person_id == person)
        .map(|wf| wf.id)
        .collect();
    let h = Harness::start(w).await;
    h.namely_sim.fail_next_on("POST", "/profiles", 1, 422);

    let first = h.sync(SyncOptions::default()).await;
    assert_eq!(first.status, RunStatus::FinishedWithFailures);
    assert_eq!(
        with_outcome(&h.records(first.run_id), OutcomeKind::Failed),
        ids(&[person])
    );

    // The offer is rescinded.
    for workflow in &workflows {
        assert!(h.icims_sim.set_workflow_status(*workflow, "Rejected"));
    }

    // The next run searches their hired workflows, finds none: it neither reads nor creates
    // them, and records why.
    let reads_before = person_reads(&h, person);
    let posts_before = h.posts().len();
    let next = h.sync(SyncOptions::default()).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_eq!(
        icims_calls(&h, &next),
        2,
        "window search + the person's search"
    );
    assert_eq!(person_reads(&h, person), reads_before);
    let records = h.records(next.run_id);
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].outcome, OutcomeKind::Invalid);
    assert!(
        records[0].reason.contains("no longer in a hired status"),
        "{}",
        records[0].reason
    );
    assert_eq!(h.posts().len(), posts_before);
    assert!(
        h.store
            .failed_person_ids(&h.settings.name)
            .unwrap()
            .is_empty(),
        "no longer offered for Retry failed"
    );

    // An explicit retry of that person does not create them either.
    let retry = h
        .sync(SyncOptions {
            trigger: Trigger::Retry,
            only_persons: Some(vec![IcimsPersonId(person)]),
            ..SyncOptions::default()
        })
        .await;
    assert_eq!(retry.status, RunStatus::Succeeded, "{:?}", retry.error);
    assert_eq!(icims_calls(&h, &retry), 1, "the person's search only");
    assert_eq!(person_reads(&h, person), reads_before);
    assert_eq!(
        with_outcome(&h.records(retry.run_id), OutcomeKind::Invalid),
        ids(&[person])
    );
    assert_eq!(h.posts().len(), posts_before);
    assert!(!h.icims_ids_in_namely().contains_key(&person.to_string()));

    // Hired again: the changed workflow is in the window, and the person is created once.
    assert!(h.icims_sim.set_workflow_status(workflows[0], HIRED));
    let rehired = h.sync(SyncOptions::default()).await;
    assert_eq!(rehired.status, RunStatus::Succeeded, "{:?}", rehired.error);
    assert_eq!(
        with_outcome(&h.records(rehired.run_id), OutcomeKind::Created),
        ids(&[person])
    );
    assert_eq!(h.icims_ids_in_namely().get(&person.to_string()), Some(&1));
    // Refused once (422, nothing saved), then sent once more when hired again; everyone
    // else once.
    let mut posts = once_each(expected_creates(&h.world).keys());
    posts.insert(person, 2);
    h.assert_posts(&posts);
}
