//! The sync against both simulators over real HTTP: what gets created, and what does not.

mod sync_support;

use icims_namely_core::api::SyncPhase;
use icims_namely_core::domain::{OutcomeKind, RunErrorCode};
use icims_namely_core::store::RunStatus;
use icims_namely_core::sync::{SyncOptions, run_sync};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Mutex;
use sync_support::*;

/// Keys a create may carry: the drafted fields and nothing else (no job title, phone, salary,
/// or iCIMS custom fields such as `rcf1234`).
const ALLOWED_KEYS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "user_status",
    "start_date",
    "gender",
    "home",
    FIELD,
];

#[tokio::test]
async fn first_sync_creates_exactly_the_expected_profiles_and_the_next_ones_none() {
    let h = Harness::start(without_invalid_states(world())).await;
    let expected = expected_creates(&h.world);
    assert!(expected.len() >= 5, "the seeded world has hires to create");

    let phases = Mutex::new(Vec::new());
    let progress = |p: &icims_namely_core::api::SyncProgress| {
        let mut v = phases.lock().unwrap();
        if v.last() != Some(&p.phase) {
            v.push(p.phase);
        }
    };
    let ctx = h.ctx();
    let options = SyncOptions::default();
    let fut = run_sync(&ctx, &options, &progress);
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&fut);
    let out = fut.await.unwrap();

    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_eq!(out.error, None);
    assert_eq!(
        phases.into_inner().unwrap(),
        vec![
            SyncPhase::Searching,
            SyncPhase::ReadingHires,
            SyncPhase::IndexingNamely,
            SyncPhase::Planning,
            SyncPhase::AddingToNamely,
            SyncPhase::Done
        ]
    );

    // Exactly the expected people, once each.
    let created = h.created_ids();
    assert_eq!(created.len(), expected.len(), "{created:?}");
    assert_eq!(ids(&created), ids(expected.keys()));
    h.assert_posts(&once_each(expected.keys()));
    assert_eq!(out.counts.created, expected.len() as u64);

    // With exactly the expected fields.
    for profile in h.namely_sim.created_profiles() {
        let id: u64 = profile[FIELD].as_str().unwrap().parse().unwrap();
        let p = &expected[&id];
        assert_eq!(profile["first_name"], p.firstname.as_str());
        assert_eq!(profile["last_name"], p.lastname.as_str());
        assert_eq!(profile["email"], p.email.as_deref().unwrap());
        assert_eq!(profile["user_status"], "active");
        let start = p.startdate.as_deref().or(p.hiredate.as_deref()).unwrap();
        assert_eq!(profile["start_date"], start, "start date of {id}");
        match p.gender.as_deref() {
            Some(g @ ("Male" | "Female")) => assert_eq!(profile["gender"], g),
            _ => assert_eq!(profile["gender"], Value::Null, "gender of {id}"),
        }
        let a = home(p).expect("seeded hires have a home address");
        let home = &profile["home"];
        assert_eq!(home["address1"], a.street1.as_str());
        assert_eq!(
            home["address2"].as_str().filter(|s| !s.is_empty()),
            a.street2.as_deref(),
            "address2 of {id}"
        );
        assert_eq!(home["city"], a.city.as_str());
        assert_eq!(home["state_id"], a.state_abbrev.as_deref().unwrap());
        assert_eq!(home["country_id"], a.country_abbrev.as_str());
        assert_eq!(home["zip"], a.zip.as_str());
    }
    for post in h.posts() {
        let body = post_profile(&post);
        let extra: Vec<&String> = body
            .keys()
            .filter(|k| !ALLOWED_KEYS.contains(&k.as_str()))
            .collect();
        assert!(extra.is_empty(), "unexpected keys sent: {extra:?}");
    }

    // Every hire is recorded with its outcome.
    let records = h.records(out.run_id);
    assert_eq!(
        with_outcome(&records, OutcomeKind::Created),
        ids(expected.keys())
    );
    let hired = h.world.hired_person_ids(&[HIRED]);
    assert_eq!(
        records
            .iter()
            .map(|r| r.person_id.0)
            .collect::<BTreeSet<_>>(),
        hired
    );
    assert_eq!(out.counts.read, hired.len() as u64);
    for r in records.iter().filter(|r| r.outcome == OutcomeKind::Created) {
        assert!(r.reason.starts_with("Added as "), "{}", r.reason);
        assert!(r.reason.contains("(start "), "{}", r.reason);
        assert!(r.namely_profile_id.is_some());
    }
    let run = h.store.run(out.run_id).unwrap().unwrap();
    assert!(run.icims_calls > hired.len() as u64, "calls were counted");
    assert!(run.namely_calls > expected.len() as u64);
    assert!(h.watermark().is_some(), "the watermark moved");
    assert!(h.store.open_intents(&h.settings.name).unwrap().is_empty());

    // A second sync creates nobody: nothing new in the window.
    let posts_before = h.posts().len();
    let second = h.sync(SyncOptions::default()).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(second.counts.created, 0);
    assert_eq!(h.posts().len(), posts_before, "no POST on the second sync");

    // Even re-reading every hire creates nobody: the index knows them all.
    h.store.clear_watermark(&h.settings.name).unwrap();
    let listings = h.listing_pages();
    let third = h.sync(SyncOptions::default()).await;
    assert_eq!(third.status, RunStatus::Succeeded, "{:?}", third.error);
    assert_eq!(third.counts.created, 0);
    let seeded_synced = h
        .world
        .employees
        .iter()
        .filter(|e| e.icims_id.is_some())
        .count();
    assert!(seeded_synced >= 1);
    assert_eq!(
        third.counts.already_in_namely,
        (expected.len() + seeded_synced) as u64
    );
    assert_eq!(h.posts().len(), posts_before, "no POST on the third sync");
    assert_eq!(
        h.listing_pages(),
        listings,
        "the fresh index was not listed again"
    );
    h.assert_no_duplicates();
}

#[tokio::test]
async fn dry_run_writes_nothing_and_reports_would_create_for_the_same_set() {
    let h = Harness::start(without_invalid_states(world())).await;
    let expected = expected_creates(&h.world);

    let dry = h
        .sync(SyncOptions {
            dry_run: true,
            ..SyncOptions::default()
        })
        .await;
    assert_eq!(dry.status, RunStatus::Succeeded, "{:?}", dry.error);
    assert!(h.writes().is_empty(), "a dry run wrote: {:?}", h.writes());
    assert!(h.namely_sim.created_profiles().is_empty());
    let records = h.records(dry.run_id);
    assert_eq!(
        with_outcome(&records, OutcomeKind::WouldCreate),
        ids(expected.keys())
    );
    assert!(with_outcome(&records, OutcomeKind::Created).is_empty());
    assert_eq!(dry.counts.would_create, expected.len() as u64);
    assert_eq!(dry.counts.created, 0);
    for r in records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::WouldCreate)
    {
        assert!(r.reason.starts_with("Will be added as "), "{}", r.reason);
    }
    assert_eq!(h.watermark(), None, "a dry run does not move the watermark");
    assert!(h.store.open_intents(&h.settings.name).unwrap().is_empty());
    let run = h.store.run(dry.run_id).unwrap().unwrap();
    assert!(run.dry_run);

    // The real run then creates exactly what the dry run showed.
    let real = h.sync(SyncOptions::default()).await;
    assert_eq!(real.status, RunStatus::Succeeded, "{:?}", real.error);
    assert_eq!(
        with_outcome(&h.records(real.run_id), OutcomeKind::Created),
        with_outcome(&records, OutcomeKind::WouldCreate)
    );
    h.assert_posts(&once_each(expected.keys()));
}

#[tokio::test]
async fn invalid_hires_are_reported_with_the_missing_field_and_not_sent() {
    let mut w = without_invalid_states(world());
    // One more hire, with an email and dates but no last name.
    let added = w.add_hire("Nolast", " ", Some("nolast@example.com"), 1_793_000_000);
    if let Some(p) = w.people.iter_mut().find(|p| p.id == added.person_id) {
        p.startdate = Some("2026-12-01".into());
    }
    let hired = w.hired_people(&[HIRED]);
    let no_email: BTreeSet<u64> = hired
        .iter()
        .filter(|p| p.email.is_none())
        .map(|p| p.id)
        .collect();
    let no_dates: BTreeSet<u64> = hired
        .iter()
        .filter(|p| p.email.is_some() && p.startdate.is_none() && p.hiredate.is_none())
        .map(|p| p.id)
        .collect();
    assert!(
        !no_email.is_empty() && !no_dates.is_empty(),
        "the world has both cases"
    );
    let h = Harness::start(w).await;

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    let records = h.records(out.run_id);
    let invalid = with_outcome(&records, OutcomeKind::Invalid);
    for id in no_email.iter().chain(&no_dates).chain([&added.person_id]) {
        assert!(invalid.contains(id), "person {id} is invalid");
    }
    for r in records.iter().filter(|r| r.outcome == OutcomeKind::Invalid) {
        assert!(r.reason.starts_with("Invalid: "), "{}", r.reason);
        if no_email.contains(&r.person_id.0) {
            assert!(r.reason.contains("no email"), "{}", r.reason);
        }
        if no_dates.contains(&r.person_id.0) {
            assert!(r.reason.contains("start date"), "{}", r.reason);
        }
        if r.person_id.0 == added.person_id {
            assert!(r.reason.contains("last name"), "{}", r.reason);
            assert!(!r.reason.contains("email"), "{}", r.reason);
        }
    }
    assert_eq!(out.counts.invalid, invalid.len() as u64);
    let sent: BTreeSet<u64> = h
        .posts()
        .iter()
        .map(|p| post_profile(p)[FIELD].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        sent.is_disjoint(&invalid),
        "invalid hires were sent: {sent:?}"
    );
    assert!(!sent.is_empty());
}

#[tokio::test]
async fn person_hired_on_two_jobs_becomes_one_profile() {
    let w = without_invalid_states(world());
    let hired = w.workflows_in_status(&[HIRED]);
    let two_jobs: Vec<u64> = w
        .hired_person_ids(&[HIRED])
        .into_iter()
        .filter(|id| hired.iter().filter(|wf| wf.person_id == *id).count() >= 2)
        .filter(|id| expected_creates(&w).contains_key(id))
        .collect();
    assert!(!two_jobs.is_empty(), "the world has a person hired twice");
    let person = two_jobs[0];
    let workflows: Vec<u64> = hired
        .iter()
        .filter(|wf| wf.person_id == person)
        .map(|wf| wf.id)
        .collect();
    let h = Harness::start(w).await;

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_eq!(
        h.created_ids().iter().filter(|id| **id == person).count(),
        1,
        "one profile for person {person}"
    );
    let posts_for_person = h
        .posts()
        .iter()
        .filter(|p| post_profile(p)[FIELD] == person.to_string().as_str())
        .count();
    assert_eq!(posts_for_person, 1);
    let records: Vec<_> = h
        .records(out.run_id)
        .into_iter()
        .filter(|r| r.person_id.0 == person)
        .collect();
    assert_eq!(records.len(), 1, "one record for the person");
    assert_eq!(records[0].outcome, OutcomeKind::Created);
    assert_eq!(records[0].workflow_ids, workflows);
    h.assert_no_duplicates();
}

/// Issue 8, item 7: Namely refuses only an optional part (a home state it does not accept):
/// the hire arrives on time without it, recorded as added with a warning and the reason.
#[tokio::test]
async fn a_home_state_namely_refuses_is_dropped_and_the_hire_arrives_on_time() {
    let mut w = without_invalid_states(world());
    let bad: Vec<u64> = expected_creates(&w).keys().copied().take(2).collect();
    for p in w.people.iter_mut().filter(|p| bad.contains(&p.id)) {
        for a in p.addresses.iter_mut().filter(|a| a.kind == "Home") {
            a.state_abbrev = Some("XX".into());
        }
    }
    assert_eq!(bad.len(), 2);
    let want = expected_creates(&without_invalid_states(w.clone()));
    let h = Harness::start(w).await;

    let first = h.sync(SyncOptions::default()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    assert_eq!(first.counts.failed, 0);
    assert_eq!(
        first.counts.created,
        want.len() as u64,
        "every hire arrives"
    );
    let records = h.records(first.run_id);
    assert_eq!(
        with_outcome(&records, OutcomeKind::CreatedWithWarning),
        ids(&bad)
    );
    for r in records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::CreatedWithWarning)
    {
        assert!(
            r.reason.starts_with("Added as ")
                && r.reason.ends_with(
                    "— without the home address: Namely refused it (home state_id 'XX' is not \
                     valid). Add it in Namely by hand."
                ),
            "{}",
            r.reason
        );
        let profile = h
            .namely_sim
            .profile_by_icims_id(&r.person_id.0.to_string())
            .expect("created");
        assert!(
            profile.get("home").is_none_or(|home| home.is_null()
                || home.get("state_id").is_none_or(serde_json::Value::is_null)),
            "sent without the refused address: {profile}"
        );
    }
    // One refused POST and one accepted POST for each of them; one POST for everyone else.
    let mut posts = once_each(want.keys());
    for b in &bad {
        posts.insert(*b, 2);
    }
    h.assert_posts(&posts);
    assert!(
        h.store.open_intents(&h.settings.name).unwrap().is_empty(),
        "every intent closed"
    );
}

#[tokio::test]
async fn budget_stop_keeps_a_margin_and_the_next_run_resumes() {
    let h = Harness::start(without_invalid_states(world())).await;
    let expected = expected_creates(&h.world);
    h.icims_sim.set_remaining(12);

    let options = SyncOptions {
        budget_margin: 5,
        ..SyncOptions::default()
    };
    let first = h.sync(options.clone()).await;
    assert_eq!(first.status, RunStatus::StoppedBudget);
    assert_eq!(first.error_code, Some(RunErrorCode::IcimsBudget));
    assert_eq!(
        first.error.as_deref(),
        Some(
            "iCIMS allowed only 4 more calls today (limit 10000); the sync stopped to keep a \
             safety margin and will resume on the next run after the reset at midnight UTC."
        )
    );
    assert_eq!(
        h.icims_sim.remaining(),
        4,
        "no call was made below the margin"
    );
    let today = time::OffsetDateTime::now_utc().date();
    let budget = h
        .store
        .icims_budget(&h.settings.name, today)
        .unwrap()
        .unwrap();
    assert_eq!(budget.remaining, Some(4));
    assert_eq!(budget.limit, Some(10_000));
    assert_eq!(budget.calls_spent, 8);
    assert_eq!(h.watermark(), None, "no watermark past unread work");
    // What was read before the stop was handled (and only that).
    let records = h.records(first.run_id);
    assert!(
        !records.is_empty(),
        "hires read before the stop are recorded"
    );
    assert!(records.len() < h.world.hired_person_ids(&[HIRED]).len());
    let created_first = with_outcome(&records, OutcomeKind::Created);
    assert!(created_first.is_subset(&ids(expected.keys())));
    assert_eq!(ids(&h.created_ids()), created_first);

    // The budget resets; the next run completes.
    h.icims_sim.set_remaining(10_000);
    let second = h.sync(options).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(ids(&h.created_ids()), ids(expected.keys()));
    assert_eq!(h.created_ids().len(), expected.len());
    h.assert_posts(&once_each(expected.keys()));
    assert!(h.watermark().is_some());
}

#[tokio::test]
async fn icims_429_stops_cleanly_and_the_next_run_completes() {
    let h = Harness::start(without_invalid_states(world())).await;
    let expected = expected_creates(&h.world);
    h.icims_sim.set_remaining(7);

    let options = SyncOptions {
        budget_margin: 0,
        ..SyncOptions::default()
    };
    let first = h.sync(options.clone()).await;
    assert_eq!(first.status, RunStatus::StoppedBudget);
    assert_eq!(first.error_code, Some(RunErrorCode::IcimsBudget));
    let error = first.error.unwrap();
    assert!(
        error.starts_with("iCIMS allowed only 0 more calls today (limit 10000)"),
        "{error}"
    );
    assert!(
        h.icims_sim.request_log().iter().any(|r| r.status == 429),
        "iCIMS answered 429"
    );
    assert_eq!(h.watermark(), None);

    h.icims_sim.set_remaining(10_000);
    let second = h.sync(options).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(ids(&h.created_ids()), ids(expected.keys()));
    h.assert_posts(&once_each(expected.keys()));
}
