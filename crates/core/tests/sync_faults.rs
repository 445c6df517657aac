//! The sync when things go wrong: ambiguous creates, a run dropped mid-create, throttling,
//! 5xx, timeouts, refused credentials, cancellation, a stale index. Never a duplicate, never a
//! lost hire: Namely runs without email uniqueness (the harness's default), so a second create
//! would be stored and seen, and the POSTs are counted per person.

mod sync_support;

use icims_namely_core::api::{SyncPhase, SyncProgress};
use icims_namely_core::domain::{OutcomeKind, RunErrorCode};
use icims_namely_core::store::{IndexMeta, IntentState, RunStatus};
use icims_namely_core::sync::{SyncOptions, run_sync};
use sandbox::icims::IcimsSimConfig;
use sandbox::namely::AfterCommit;
use sandbox::seed::Employee;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use sync_support::*;

fn clean_world() -> sandbox::seed::World {
    without_invalid_states(world())
}

/// After the run: every expected hire exists exactly once, nothing else was created, and
/// each was POSTed exactly once.
fn assert_exactly_once(h: &Harness) {
    assert_exactly_once_with(h, &once_each(expected_creates(&h.world).keys()));
}

/// [`assert_exactly_once`] where some POSTs were refused before Namely saved them and sent
/// again: `posts` is person → POSTs sent.
fn assert_exactly_once_with(h: &Harness, posts: &std::collections::BTreeMap<u64, usize>) {
    let expected = expected_creates(&h.world);
    let created = h.created_ids();
    assert_eq!(created.len(), expected.len(), "created {created:?}");
    assert_eq!(ids(&created), ids(expected.keys()));
    h.assert_posts(posts);
    assert!(
        h.store.open_intents(&h.settings.name).unwrap().is_empty(),
        "no create is left unresolved"
    );
}

#[tokio::test]
async fn create_answered_500_after_commit_is_recorded_once() {
    let h = Harness::start(clean_world()).await;
    let expected = expected_creates(&h.world);
    h.namely_sim
        .fail_next_post_after_commit(1, AfterCommit::Status(500));

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_exactly_once(&h);
    assert_eq!(h.posts().len(), expected.len(), "no second POST");
    assert_eq!(h.posts()[0].status, 500);
    let records = h.records(out.run_id);
    assert_eq!(
        with_outcome(&records, OutcomeKind::Created),
        ids(expected.keys())
    );
    let first = h.created_ids()[0];
    let rec = records.iter().find(|r| r.person_id.0 == first).unwrap();
    assert!(
        rec.detail.as_deref().unwrap().contains("found afterwards"),
        "{rec:?}"
    );
}

#[tokio::test]
async fn create_timing_out_after_commit_is_recorded_once() {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            namely_timeout: Duration::from_secs(1),
            ..Setup::default()
        },
    )
    .await;
    let expected = expected_creates(&h.world);
    h.namely_sim
        .fail_next_post_after_commit(1, AfterCommit::Delay(Duration::from_secs(3)));

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_exactly_once(&h);
    assert_eq!(h.posts().len(), expected.len(), "no second POST");
    assert_eq!(out.counts.created, expected.len() as u64);
}

#[tokio::test]
async fn create_failing_before_commit_is_unconfirmed_until_the_settle_time_then_sent_again() {
    let h = Harness::start(clean_world()).await;
    let expected = expected_creates(&h.world);
    // Namely answers 503 without storing anything — which the app cannot tell from a 503
    // after storing.
    h.namely_sim.fail_next_on("POST", "/profiles", 1, 503);
    let options = || SyncOptions {
        settle_time: Duration::from_secs(2),
        ..SyncOptions::default()
    };

    let out = h.sync(options()).await;
    assert_eq!(
        out.status,
        RunStatus::FinishedWithFailures,
        "{:?}",
        out.error
    );
    assert_eq!(out.error_code, None, "records failed, the run did not");
    assert_eq!(out.counts.failed, 1);
    assert_eq!(h.posts().len(), expected.len(), "no second POST in the run");
    let records = h.records(out.run_id);
    let person = *with_outcome(&records, OutcomeKind::Failed)
        .iter()
        .next()
        .unwrap();
    let rec = records.iter().find(|r| r.person_id.0 == person).unwrap();
    assert!(
        rec.reason
            .starts_with("Unconfirmed — Namely may have created it; checking again next run."),
        "{}",
        rec.reason
    );
    let open = h.store.open_intents(&h.settings.name).unwrap();
    assert_eq!(open.len(), 1, "the unconfirmed create stays open");
    assert_eq!(open[0].person_id.0, person);
    assert_eq!(open[0].state, IntentState::Unknown);

    // At once again: Namely shows nobody, but not yet for the settle time: nothing is sent.
    let again = h.sync(options()).await;
    assert_eq!(again.counts.failed, 1, "{:?}", again.error);
    assert_eq!(h.posts().len(), expected.len(), "still no second POST");
    assert_eq!(h.store.open_intents(&h.settings.name).unwrap().len(), 1);

    // After the settle time Namely has shown nobody long enough: sent once more.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let next = h.sync(options()).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    let mut posts = once_each(expected.keys());
    posts.insert(person, 2);
    assert_exactly_once_with(&h, &posts);
    assert_eq!(h.posts().len(), expected.len() + 1);
    assert_eq!(
        with_outcome(&h.records(next.run_id), OutcomeKind::Created),
        [person].into()
    );
}

/// The run's future is dropped while a create Namely already saved waits for its answer —
/// what a run cancelled at an await leaves behind, and, since every store write is one SQLite
/// transaction, what a killed process leaves in the store too; no process is killed here.
/// Then the start-up recovery, and a run that neither sends the create again nor loses anyone.
#[tokio::test]
async fn run_dropped_while_a_saved_create_awaits_its_answer_then_rerun_has_no_duplicate_and_loses_nobody()
 {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            namely_timeout: Duration::from_secs(20),
            ..Setup::default()
        },
    )
    .await;
    let expected = expected_creates(&h.world);
    // The first create is stored by Namely, but its answer takes long: the run's future is
    // dropped while waiting for it.
    h.namely_sim
        .fail_next_post_after_commit(1, AfterCommit::Delay(Duration::from_secs(10)));
    // One create at a time while the run is dropped, so that exactly the victim's POST is in
    // flight (with creates overlapping, a POST dropped before Namely saved it stays
    // unconfirmed for the settle time; the soak drops runs with creates overlapping).
    let dropped = SyncOptions {
        namely_concurrency: 1,
        ..SyncOptions::default()
    };
    h.drop_the_run_once_the_first_create_is_stored(&dropped)
        .await;
    let victim = h.created_ids()[0];
    let open = h.store.open_intents(&h.settings.name).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].person_id.0, victim);
    assert_eq!(open[0].state, IntentState::Pending);
    assert_eq!(h.watermark(), None);

    // The app starts again.
    let interrupted = h
        .store
        .recover_interrupted(time::OffsetDateTime::now_utc())
        .unwrap();
    assert_eq!(interrupted.len(), 1);
    let posts_before = h.posts().len();

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_exactly_once(&h);
    let records = h.records(out.run_id);
    let rec = records.iter().find(|r| r.person_id.0 == victim).unwrap();
    assert_eq!(rec.outcome, OutcomeKind::AlreadyInNamely, "{rec:?}");
    assert!(rec.reason.contains("earlier run"), "{}", rec.reason);
    assert_eq!(
        h.posts().len(),
        posts_before + expected.len() - 1,
        "the victim was not posted again"
    );
    assert_eq!(
        h.store.intent(open[0].id).unwrap().unwrap().state,
        IntentState::Done
    );
}

#[tokio::test]
async fn post_sent_but_never_recorded_then_rerun_has_no_duplicate() {
    let h = Harness::start(clean_world()).await;
    let expected = expected_creates(&h.world);
    let (&victim, person) = expected.iter().next().unwrap();
    // A dry run first, so the local index is fresh and will not be listed again: only the
    // intent and what Namely shows (the incremental refresh, or the lookup) can save the day.
    let dry = h
        .sync(SyncOptions {
            dry_run: true,
            ..SyncOptions::default()
        })
        .await;
    assert_eq!(dry.counts.would_create, expected.len() as u64);
    let listings = h.listing_pages();
    // What a run that died right after its POST leaves behind: a pending intent, a profile.
    let crashed = h
        .store
        .start_run(
            &h.settings.name,
            icims_namely_core::domain::Trigger::Manual,
            false,
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    h.store
        .begin_intent(
            &h.settings.name,
            icims_namely_core::domain::IcimsPersonId(victim),
            crashed,
            person.email.as_deref().unwrap(),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
    let start = person
        .startdate
        .as_deref()
        .or(person.hiredate.as_deref())
        .unwrap();
    let draft = namely::NewProfile::active(
        person.firstname.clone(),
        person.lastname.clone(),
        person.email.clone().unwrap(),
        time::Date::parse(
            start,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap(),
    )
    .with_custom_text(FIELD, victim.to_string());
    h.namely.create_profile(&draft).await.unwrap();
    let intent = h.store.open_intents(&h.settings.name).unwrap()[0].id;

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_exactly_once(&h);
    let records = h.records(out.run_id);
    let rec = records.iter().find(|r| r.person_id.0 == victim).unwrap();
    assert_eq!(rec.outcome, OutcomeKind::AlreadyInNamely);
    assert!(rec.reason.contains("earlier run"), "{}", rec.reason);
    assert_eq!(
        h.listing_pages(),
        listings,
        "the index was not listed again"
    );
    assert_eq!(
        h.posts().len(),
        expected.len(),
        "one POST per person in all"
    );
    assert_eq!(
        h.store.intent(intent).unwrap().unwrap().state,
        IntentState::Done
    );
    assert_eq!(
        with_outcome(&records, OutcomeKind::Created).len(),
        expected.len() - 1
    );
}

#[tokio::test]
async fn throttled_listing_is_waited_out() {
    let h = Harness::start(clean_world()).await;
    h.namely_sim.fail_next_on("GET", "/profiles", 2, 406);

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_exactly_once(&h);
    let throttled = h
        .namely_sim
        .request_log()
        .iter()
        .filter(|r| r.status == 406)
        .count();
    assert_eq!(throttled, 2);
}

#[tokio::test]
async fn vendor_5xx_and_timeouts_are_survived() {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            icims: IcimsSimConfig {
                hang_duration: Duration::from_secs(3),
                ..IcimsSimConfig::default()
            },
            icims_timeout: Duration::from_millis(500),
            ..Setup::default()
        },
    )
    .await;
    h.icims_sim.fail_next(1, 503);
    h.icims_sim.hang_next(1);
    h.namely_sim.fail_next_on("GET", "/profiles", 2, 500);

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_exactly_once(&h);
    assert!(h.icims_sim.request_log().iter().any(|r| r.status == 503));
    assert_eq!(
        h.namely_sim
            .request_log()
            .iter()
            .filter(|r| r.status == 500)
            .count(),
        2
    );
}

#[tokio::test]
async fn random_faults_on_both_sides_converge_without_duplicates() {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            icims: IcimsSimConfig {
                error_rate: 0.1,
                seed: 3,
                ..IcimsSimConfig::default()
            },
            ..Setup::default()
        },
    )
    .await;
    h.namely_sim.set_error_rate(0.1);

    // A create answered 5xx is unconfirmed until Namely has shown nobody for the settle
    // time: here at once, so that six quick runs can converge.
    let quick = SyncOptions {
        settle_time: Duration::ZERO,
        ..SyncOptions::default()
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let out = h.sync(quick.clone()).await;
        h.assert_no_profile_twice();
        statuses.push(out.status);
        if out.status == RunStatus::Succeeded {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&RunStatus::Succeeded), "{statuses:?}");
    // A POST failed by the error rate was refused before Namely did anything, and is sent
    // again by a later run: per person, every POST but the last answered 5xx, the last 201.
    let mut answers: std::collections::BTreeMap<u64, Vec<u16>> = Default::default();
    for r in h.posts() {
        let id = post_profile(&r)[FIELD].as_str().unwrap().parse().unwrap();
        answers.entry(id).or_default().push(r.status);
    }
    for (person, statuses) in &answers {
        let (last, before) = statuses.split_last().unwrap();
        assert!(
            *last == 201 && before.iter().all(|s| *s >= 500),
            "person {person}: POSTs answered {statuses:?}"
        );
    }
    let posts = answers.iter().map(|(p, s)| (*p, s.len())).collect();
    assert_exactly_once_with(&h, &posts);
    assert!(
        h.namely_sim.request_log().iter().any(|r| r.status >= 500),
        "faults were injected"
    );
}

#[tokio::test]
async fn refused_namely_credential_stops_the_run_and_nothing_is_lost() {
    let h = Harness::start(clean_world()).await;
    let expected = expected_creates(&h.world);
    h.namely_sim.fail_next_on("POST", "/profiles", 1, 401);

    // One create at a time, so that the refusal meets the first POST and nothing else is in
    // flight (with creates overlapping, the one already sent finishes and is recorded).
    let one_at_a_time = SyncOptions {
        namely_concurrency: 1,
        ..SyncOptions::default()
    };
    let out = h.sync(one_at_a_time).await;
    assert_eq!(out.status, RunStatus::Failed);
    assert_eq!(out.error_code, Some(RunErrorCode::NamelyCredentials));
    assert!(
        out.error
            .as_deref()
            .unwrap()
            .starts_with("Namely refused the credential — sign in again"),
        "{:?}",
        out.error
    );
    assert!(h.namely_sim.created_profiles().is_empty());
    assert_eq!(h.posts().len(), 1, "no POST after the refusal");
    let refused = *h.post_counts().keys().next().unwrap();
    let records = h.records(out.run_id);
    assert_eq!(
        with_outcome(&records, OutcomeKind::Failed),
        ids(expected.keys())
    );
    assert!(
        records
            .iter()
            .filter(|r| r.outcome == OutcomeKind::Failed)
            .all(|r| r.reason.contains("sign in again")),
    );
    assert_eq!(h.watermark(), None);

    let next = h.sync(SyncOptions::default()).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    let mut posts = once_each(expected.keys());
    posts.insert(refused, 2);
    assert_exactly_once_with(&h, &posts);
}

#[tokio::test]
async fn cancelling_stops_between_calls_and_the_next_run_finishes() {
    let h = Harness::start(clean_world()).await;
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let progress = move |p: &SyncProgress| {
        if p.phase == SyncPhase::AddingToNamely && p.done == 1 {
            flag.store(true, Ordering::Relaxed);
        }
    };
    let options = SyncOptions {
        cancel: Some(cancel.clone()),
        ..SyncOptions::default()
    };
    let out = run_sync(&h.ctx(), &options, &progress).await.unwrap();
    assert_eq!(out.status, RunStatus::Cancelled, "{:?}", out.error);
    assert_eq!(out.error_code, Some(RunErrorCode::Cancelled));
    // Stopped after the first create: a create already in flight beside it finishes.
    let created = h.created_ids().len();
    assert!(
        (1..=icims_namely_core::sync::NAMELY_CREATE_CONCURRENCY).contains(&created),
        "stopped after the first create, got {created}"
    );
    assert_eq!(
        h.records(out.run_id)
            .iter()
            .filter(|r| r.outcome == OutcomeKind::Created)
            .count(),
        created,
        "what was created is recorded"
    );
    assert_eq!(h.watermark(), None);

    let next = h.sync(SyncOptions::default()).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_exactly_once(&h);
}

#[tokio::test]
async fn stale_index_is_guarded_by_the_email_lookup_and_listed_again_after_a_week() {
    let h = Harness::start(clean_world()).await;
    let first = h.sync(SyncOptions::default()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    let listings = h.listing_pages();

    // Three new hires. HR adds them to Namely by hand before the next sync: one without an
    // icims_id, one with it, one with the candidate's address as personal email. The local
    // index knows none of them.
    let a = h
        .icims_sim
        .add_hire("Ada", "Lovelace", Some("ada@example.com"));
    let b = h
        .icims_sim
        .add_hire("Bob", "Babbage", Some("bob.b@example.com"));
    let c = h
        .icims_sim
        .add_hire("Cy", "Young", Some("cy.home@example.net"));
    for who in [&a, &b, &c] {
        h.icims_sim.with_world(|w| {
            let p = w.people.iter_mut().find(|p| p.id == who.person_id).unwrap();
            p.startdate = Some("2026-12-07".into());
        });
    }
    let by_hand = |id: &str, first: &str, last: &str, email: &str, icims: Option<u64>| Employee {
        id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: email.into(),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: Some("2026-12-07".into()),
        icims_id: icims.map(|i| i.to_string()),
    };
    h.namely_sim.add_employee(&by_hand(
        "9f1c2d3e-0000-4000-8000-00000000000a",
        "Ada",
        "Lovelace",
        "ada@example.com",
        None,
    ));
    h.namely_sim.add_employee(&by_hand(
        "9f1c2d3e-0000-4000-8000-00000000000b",
        "Bob",
        "Babbage",
        "bob.b@example.com",
        Some(b.person_id),
    ));
    // The third was added with a work email; the candidate's own address is the personal one.
    h.namely_sim.add_employee(&Employee {
        personal_email: Some("Cy.Home@example.net".into()),
        ..by_hand(
            "9f1c2d3e-0000-4000-8000-00000000000c",
            "Cy",
            "Young",
            "cy.young@example.com",
            None,
        )
    });
    let posts_before = h.posts().len();

    let second = h.sync(SyncOptions::default()).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(h.listing_pages(), listings, "no full listing within a week");
    assert_eq!(h.posts().len(), posts_before, "nobody was created");
    let records = h.records(second.run_id);
    let ra = records
        .iter()
        .find(|r| r.person_id.0 == a.person_id)
        .unwrap();
    assert_eq!(ra.outcome, OutcomeKind::NeedsReview, "{ra:?}");
    assert!(ra.reason.contains("ada@example.com"), "{}", ra.reason);
    let rb = records
        .iter()
        .find(|r| r.person_id.0 == b.person_id)
        .unwrap();
    assert_eq!(rb.outcome, OutcomeKind::AlreadyInNamely, "{rb:?}");
    let rc = records
        .iter()
        .find(|r| r.person_id.0 == c.person_id)
        .unwrap();
    assert_eq!(rc.outcome, OutcomeKind::NeedsReview, "{rc:?}");
    assert!(rc.reason.contains("Cy Young"), "{}", rc.reason);
    h.assert_no_duplicates();
    // What the lookups found is now in the local index.
    assert_eq!(
        h.store
            .index_by_icims_id(&h.settings.name, &b.person_id.to_string())
            .unwrap()
            .len(),
        1
    );

    // A week after the last full listing the index is listed again in full.
    let now = time::OffsetDateTime::now_utc();
    h.store
        .set_index_meta(
            &h.settings.name,
            &IndexMeta {
                refreshed_at: now - time::Duration::hours(1),
                profile_count: 0,
                full: true,
                listed_at: Some(now - time::Duration::days(8)),
            },
        )
        .unwrap();
    h.store.clear_watermark(&h.settings.name).unwrap();
    let third = h.sync(SyncOptions::default()).await;
    assert_eq!(third.status, RunStatus::Succeeded, "{:?}", third.error);
    assert!(
        h.listing_pages() > listings,
        "the old index was listed again"
    );
    assert_eq!(h.posts().len(), posts_before);
    let meta = h.store.index_meta(&h.settings.name).unwrap().unwrap();
    assert!(meta.full);
    assert_eq!(meta.profile_count, h.namely_sim.profiles().len() as u64);
}

#[tokio::test]
async fn icims_failing_persistently_fails_the_run_without_sending_anything() {
    let h = Harness::start(clean_world()).await;
    h.icims_sim.fail_next(3, 500);

    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Failed);
    assert_eq!(out.error_code, Some(RunErrorCode::IcimsUnavailable));
    let error = out.error.unwrap();
    assert!(
        error.starts_with("Could not read the hired workflows from iCIMS after 3 attempts:"),
        "{error}"
    );
    assert!(!error.contains("read before"), "nothing was read: {error}");
    assert!(h.records(out.run_id).is_empty());
    assert!(h.writes().is_empty(), "nothing was sent to Namely");
    // The first listing of Namely ran alongside the reading; it is kept, so the next run
    // does not list again.
    let listed = h.listing_pages();
    assert!(listed > 0);
    assert_eq!(h.watermark(), None);

    let next = h.sync(SyncOptions::default()).await;
    assert_eq!(h.listing_pages(), listed, "listed once");
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_exactly_once(&h);
}
