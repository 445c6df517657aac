//! Exactly once under the faults real networks and budgets produce (issue 9), each against
//! the simulators over real HTTP: a gateway answering 5xx after Namely saved, reads lagging
//! behind writes, no email uniqueness at all, a lookup filter Namely ignores, a date window
//! larger than a day's iCIMS budget, iCIMS's clock instead of this machine's, and error pages
//! that quote the token. (One sync per company: `engine_lock.rs`; cancel: `sync_faults.rs`
//! and the command-line tests.)

mod sync_support;

use icims_namely_core::domain::{OutcomeKind, RunErrorCode};
use icims_namely_core::store::RunStatus;
use icims_namely_core::sync::{GuardLookups, SyncOptions};
use sandbox::icims::IcimsSimConfig;
use sandbox::namely::{AfterCommit, NamelySimConfig};
use sandbox::seed::{SeedConfig, World};
use std::time::Duration;
use sync_support::*;

fn clean_world() -> World {
    without_invalid_states(world())
}

/// Namely at its worst: new profiles invisible to reads for `lag`, no email uniqueness (as
/// in every test of the harness).
fn lagging_namely(lag: Duration) -> NamelySimConfig {
    NamelySimConfig {
        read_lag: lag,
        ..namely_config()
    }
}

fn settle(secs: u64) -> SyncOptions {
    SyncOptions {
        settle_time: Duration::from_secs(secs),
        ..SyncOptions::default()
    }
}

/// Every expected hire is in Namely exactly once, was POSTed exactly once, and nobody else
/// was POSTed.
fn assert_each_posted_once(h: &Harness) {
    let expected = expected_creates(&h.world);
    let in_namely = h.icims_ids_in_namely();
    for id in expected.keys() {
        assert_eq!(in_namely.get(&id.to_string()), Some(&1), "person {id}");
    }
    h.assert_posts(&once_each(expected.keys()));
}

#[tokio::test]
async fn gateway_502_after_save_with_lagging_reads_and_no_email_uniqueness_posts_nobody_twice() {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            namely: lagging_namely(Duration::from_millis(1500)),
            ..Setup::default()
        },
    )
    .await;
    let expected = expected_creates(&h.world);
    // The first two creates are saved by Namely, then the gateway answers 502; the saved
    // profiles show in reads only 1.5 s later.
    h.namely_sim
        .fail_next_post_after_commit(2, AfterCommit::Status(502));

    let first = h.sync(settle(3)).await;
    assert_eq!(first.counts.failed, 2, "{:?}", first);
    let records = h.records(first.run_id);
    let unconfirmed: Vec<_> = records
        .iter()
        .filter(|r| {
            r.reason
                .starts_with("Unconfirmed — Namely may have created it")
        })
        .collect();
    assert_eq!(unconfirmed.len(), 2, "{records:#?}");
    assert_eq!(h.posts().len(), expected.len(), "one POST per hire");
    assert_eq!(h.store.open_intents(&h.settings.name).unwrap().len(), 2);

    // At once again, while the saved profiles may still be invisible: nothing is re-sent.
    let again = h.sync(settle(3)).await;
    assert_eq!(h.posts().len(), expected.len(), "{again:?}");

    // Once the reads caught up, the next run finds both and closes their intents.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let last = h.sync(settle(3)).await;
    assert_eq!(last.status, RunStatus::Succeeded, "{:?}", last.error);
    assert!(h.store.open_intents(&h.settings.name).unwrap().is_empty());
    assert_each_posted_once(&h);
    assert_eq!(h.created_ids().len(), expected.len());
}

#[tokio::test]
async fn run_dropped_mid_create_and_started_again_at_once_with_lagging_reads_sends_nothing_twice() {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            namely: lagging_namely(Duration::from_secs(2)),
            namely_timeout: Duration::from_secs(20),
            ..Setup::default()
        },
    )
    .await;
    let expected = expected_creates(&h.world);
    h.namely_sim
        .fail_next_post_after_commit(1, AfterCommit::Delay(Duration::from_secs(10)));
    // One create at a time while the run is dropped (its future, not a process), so that
    // exactly the victim's POST is in flight (with creates overlapping, a POST dropped before
    // Namely saved it may be sent again later, which this test's count of POSTs would take
    // for a duplicate; the soak drops runs with creates overlapping and counts profiles).
    let dropped = SyncOptions {
        namely_concurrency: 1,
        ..settle(4)
    };
    h.drop_the_run_once_the_first_create_is_stored(&dropped)
        .await;
    let victim = h.created_ids()[0];
    h.store
        .recover_interrupted(time::OffsetDateTime::now_utc())
        .unwrap();

    // Started again at once: Namely does not show the victim yet, and an open intent is not
    // cleared by one "not found".
    let again = h.sync(settle(4)).await;
    let rec = h.record(again.run_id, victim);
    assert_eq!(rec.outcome, OutcomeKind::Failed, "{rec:?}");
    assert!(rec.reason.starts_with("Unconfirmed"), "{}", rec.reason);
    assert_eq!(h.posts_per_person()[&victim.to_string()], 1);
    let open = h.store.open_intents(&h.settings.name).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].person_id.0, victim);
    assert!(open[0].state.is_open(), "{:?}", open[0].state);

    tokio::time::sleep(Duration::from_secs(4)).await;
    let last = h.sync(settle(4)).await;
    assert_eq!(last.status, RunStatus::Succeeded, "{:?}", last.error);
    let rec = h.record(last.run_id, victim);
    assert_eq!(rec.outcome, OutcomeKind::AlreadyInNamely, "{rec:?}");
    assert_each_posted_once(&h);
    assert_eq!(h.created_ids().len(), expected.len());
}

fn filter_ignoring_namely() -> Setup {
    Setup {
        namely: NamelySimConfig {
            ignore_email_filter: true,
            ..namely_config()
        },
        ..Setup::default()
    }
}

#[tokio::test]
async fn email_lookup_that_ignores_its_filter_creates_nobody_when_every_create_is_looked_up() {
    let h = Harness::start_with(clean_world(), filter_ignoring_namely()).await;
    let expected = expected_creates(&h.world);
    assert!(
        !h.world.employees.is_empty(),
        "the tenant has people to show"
    );

    let always = SyncOptions {
        guard_lookups: GuardLookups::Always,
        ..SyncOptions::default()
    };
    let out = h.sync(always.clone()).await;
    assert_eq!(out.status, RunStatus::Failed, "{:?}", out);
    assert_eq!(out.error_code, Some(RunErrorCode::NamelyUnexpected));
    assert!(out.error.as_deref().unwrap().contains("ignored the filter"));
    assert_eq!(
        h.posts().len(),
        0,
        "nothing is created while lookups prove nothing"
    );
    assert_eq!(out.counts.failed, expected.len() as u64);
    assert_eq!(h.watermark(), None);

    // Once lookups work again, everyone is added.
    h.namely_sim.set_ignore_email_filter(false);
    let next = h.sync(always).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_each_posted_once(&h);
    assert_eq!(h.created_ids().len(), expected.len());
}

#[tokio::test]
async fn email_lookup_that_ignores_its_filter_after_an_unconfirmed_create_stops_the_creates() {
    let h = Harness::start_with(clean_world(), filter_ignoring_namely()).await;
    let expected = expected_creates(&h.world);
    // The fresh index answers for every hire, so no lookup is made before a create; the first
    // create is saved but answered 502, and the lookup that must settle it proves nothing.
    h.namely_sim
        .fail_next_post_after_commit(1, AfterCommit::Status(502));
    let one_at_a_time = SyncOptions {
        namely_concurrency: 1,
        ..SyncOptions::default()
    };
    let out = h.sync(one_at_a_time.clone()).await;
    assert_eq!(out.status, RunStatus::Failed, "{:?}", out);
    assert_eq!(out.error_code, Some(RunErrorCode::NamelyUnexpected));
    assert_eq!(
        h.posts().len(),
        1,
        "no create after the lookup failed closed"
    );
    assert_eq!(out.counts.failed, expected.len() as u64);
    assert_eq!(h.store.open_intents(&h.settings.name).unwrap().len(), 1);

    // Once lookups work again, the saved one is found and everyone else added, once.
    h.namely_sim.set_ignore_email_filter(false);
    let next = h.sync(one_at_a_time).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_each_posted_once(&h);
    assert_eq!(h.created_ids().len(), expected.len());
}

/// 300 hires, 450 iCIMS calls a day with the default margin of 200.
fn big_world() -> World {
    without_invalid_states(World::generate(&SeedConfig {
        seed: 11,
        hires: 300,
        employees: 8,
        ..SeedConfig::default()
    }))
}

#[tokio::test]
async fn window_larger_than_a_days_budget_completes_over_several_runs_at_the_cost_of_one() {
    // What one uninterrupted run costs.
    let baseline = Harness::start_with(
        big_world(),
        Setup {
            namely: unthrottled(),
            ..Setup::default()
        },
    )
    .await;
    let one = baseline.sync(SyncOptions::default()).await;
    assert_eq!(one.status, RunStatus::Succeeded, "{:?}", one.error);
    let one_run_calls = baseline.icims_sim.calls();
    let expected = expected_creates(&baseline.world).len();
    drop(baseline);

    const DAILY: u64 = 450;
    let h = Harness::start_with(
        big_world(),
        Setup {
            icims: IcimsSimConfig {
                daily_limit: DAILY,
                ..IcimsSimConfig::default()
            },
            namely: unthrottled(),
            ..Setup::default()
        },
    )
    .await;
    let mut days = 0;
    let mut created = Vec::new();
    loop {
        days += 1;
        assert!(days <= 6, "the window never completed: {created:?}");
        h.icims_sim.set_remaining(DAILY); // midnight UTC
        let out = h.sync(SyncOptions::default()).await;
        created.push(out.counts.created);
        if out.status == RunStatus::Succeeded {
            break;
        }
        assert_eq!(out.status, RunStatus::StoppedBudget, "{:?}", out.error);
        assert!(out.counts.created > 0, "day {days} made no progress");
        assert!(
            h.store.read_position(&h.settings.name).unwrap().is_some(),
            "the position inside the window is kept"
        );
    }
    let total_calls = h.icims_sim.calls();
    println!(
        "{expected} hires, {DAILY} calls a day: {days} runs created {created:?}; {total_calls} \
         iCIMS calls in all, one uninterrupted run {one_run_calls}"
    );
    assert!(days >= 3, "the budget did stop the runs: {created:?}");
    assert_eq!(created.iter().sum::<u64>(), expected as u64);
    assert_each_posted_once(&h);
    assert!(
        h.watermark().is_some(),
        "the complete window moved the watermark"
    );
    assert!(h.store.read_position(&h.settings.name).unwrap().is_none());
    // Close to one uninterrupted run: each later day repeats at most a search page and the
    // job titles it had read the day before.
    let allowance = one_run_calls / 20 + 4 * days as u64;
    assert!(
        total_calls <= one_run_calls + allowance,
        "{total_calls} calls, one run {one_run_calls}"
    );
}

#[tokio::test]
async fn overlap_finds_settled_workflows_again_at_the_cost_of_the_search_page_only() {
    let h = Harness::start(clean_world()).await;
    let first = h.sync(SyncOptions::default()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    assert!(first.counts.created > 0);

    // Every workflow was updated within the 13-hour overlap: the next search finds them
    // all again, and the run reads none of those whose person is in Namely.
    for wf in h.world.workflows.clone() {
        h.icims_sim.with_world(|w| {
            if let Some(x) = w.workflows.iter_mut().find(|x| x.id == wf.id) {
                x.updated_unix = time::OffsetDateTime::now_utc().unix_timestamp() - 3600;
            }
        });
    }
    let log_before = h.icims_sim.request_log().len();
    let second = h.sync(SyncOptions::default()).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(second.counts.created, 0);
    assert_eq!(second.counts.already_in_namely, 0, "{second:?}");
    // Only the hires not in Namely (invalid, needs review) were read again.
    let unsettled = first.counts.read - first.counts.created - first.counts.already_in_namely;
    assert_eq!(second.counts.read, unsettled, "{second:?}");
    let in_namely: Vec<u64> = h
        .records(first.run_id)
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                OutcomeKind::Created | OutcomeKind::AlreadyInNamely
            )
        })
        .flat_map(|r| r.workflow_ids.clone())
        .collect();
    assert!(!in_namely.is_empty());
    let log = h.icims_sim.request_log();
    let fetched: Vec<&str> = log[log_before..].iter().map(|r| r.path.as_str()).collect();
    for wf in &in_namely {
        let path = format!("/applicantworkflows/{wf}");
        assert!(
            !fetched.iter().any(|p| p.ends_with(&path)),
            "workflow {wf} of a person in Namely was read again: {fetched:?}"
        );
    }
    assert_eq!(
        fetched
            .iter()
            .filter(|p| p.ends_with("/search/applicantworkflows"))
            .count(),
        1,
        "one search page: {fetched:?}"
    );
    assert_each_posted_once(&h);
}

#[tokio::test]
async fn watermark_follows_the_icims_clock_not_this_machines() {
    // iCIMS's clock is 4 minutes behind this machine's (within its signature tolerance).
    let h = Harness::start_with(
        clean_world(),
        Setup {
            icims: IcimsSimConfig {
                clock_offset_secs: -240,
                ..IcimsSimConfig::default()
            },
            ..Setup::default()
        },
    )
    .await;
    let no_overlap = || SyncOptions {
        overlap: Duration::ZERO,
        ..SyncOptions::default()
    };
    let before = h.icims_sim.now();
    let first = h.sync(no_overlap()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    let watermark = h.watermark().unwrap();
    let local = time::OffsetDateTime::now_utc();
    assert!(
        watermark >= before - time::Duration::seconds(1)
            && watermark < local - time::Duration::minutes(3),
        "watermark {watermark} is iCIMS's clock (then {before}), not this machine's ({local})"
    );

    // A hire iCIMS stamps after the search but before this machine's start of the run would
    // be skipped by a local-clock watermark; even without any overlap it is read.
    let hire = h
        .icims_sim
        .add_hire("Late", "Stamp", Some("late.stamp@example.com"));
    h.icims_sim.with_world(|w| {
        let wf = w
            .workflows
            .iter_mut()
            .find(|x| x.id == hire.workflow_id)
            .unwrap();
        wf.updated_unix = watermark.unix_timestamp() + 60;
        let p = w
            .people
            .iter_mut()
            .find(|p| p.id == hire.person_id)
            .unwrap();
        p.startdate = Some("2030-01-15".into());
    });
    let second = h.sync(no_overlap()).await;
    assert_eq!(second.status, RunStatus::Succeeded, "{:?}", second.error);
    assert_eq!(
        with_outcome(&h.records(second.run_id), OutcomeKind::Created),
        [hire.person_id].into()
    );
}

#[tokio::test]
async fn namely_errors_quoting_the_token_reach_history_scrubbed_and_bounded() {
    let h = Harness::start_with(
        clean_world(),
        Setup {
            namely: NamelySimConfig {
                echo_authorization_in_faults: true,
                ..NamelySimConfig::default()
            },
            ..Setup::default()
        },
    )
    .await;
    let token = sandbox::namely::TOKEN_OLIVIA_OWNER;
    // A listing that keeps failing, then a create refused with 422 and one answered 500:
    // each error page quotes "Authorization: Bearer <token>".
    h.namely_sim.fail_next_on("GET", "/profiles", 3, 500);
    let listing = h.sync(SyncOptions::default()).await;
    assert_eq!(listing.status, RunStatus::Failed, "{listing:?}");
    h.namely_sim.fail_next_on("POST", "/profiles", 1, 422);
    h.namely_sim.fail_next_on("POST", "/profiles", 1, 500);
    let out = h.sync(SyncOptions::default()).await;
    assert!(out.counts.failed >= 2, "{out:?}");
    let records = h.records(out.run_id);
    let mut texts: Vec<String> = records
        .iter()
        .flat_map(|r| [Some(r.reason.clone()), r.detail.clone()])
        .flatten()
        .collect();
    texts.extend(listing.error.clone());
    texts.extend(out.error.clone());
    let scrubbed = texts.iter().filter(|t| t.contains("[redacted]")).count();
    assert!(
        scrubbed >= 3,
        "the echoed header reached history, scrubbed: {texts:#?}"
    );
    for t in &texts {
        assert!(!t.contains(token), "token in history: {t}");
        assert!(t.chars().count() < 2_000, "unbounded: {t}");
    }
}
