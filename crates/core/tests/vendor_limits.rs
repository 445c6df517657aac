//! At the vendors' limits: the calls a sync makes, counted on the simulators over real HTTP.
//! Call counts are deterministic, so they are asserted here; wall times live in the benchmark
//! (`cargo bench -p icims-namely-core --bench sync`, `docs/benchmarks.md`).
//!
//! - A first sync costs one listing of Namely plus each hire's own calls: a workflow GET and
//!   a person GET in iCIMS (the job's title comes with the workflow), a POST in Namely — no
//!   lookup by email before each create.
//! - In a company with many employees and many past hires, ten new hires later cost at most
//!   40 calls in all.
//! - A tenant that ignores `page` is listed with `after=<last id>`, and synced.
//! - A profile HR adds by hand while a long run is creating holds its hire back: the index
//!   is refreshed between batches of creates.

mod sync_support;

use icims_namely_core::api::{SyncPhase, SyncProgress};
use icims_namely_core::domain::OutcomeKind;
use icims_namely_core::store::RunStatus;
use icims_namely_core::sync::{CREATE_BATCH, SyncOptions, run_sync};
use sandbox::namely::NamelySimConfig;
use sandbox::seed::{Employee, HIRED, SeedConfig, World};
use std::time::Duration;
use sync_support::*;

/// iCIMS requests by kind: (searches, workflow GETs, person GETs, job GETs).
fn icims_calls(h: &Harness) -> (usize, usize, usize, usize) {
    let log = h.icims_sim.request_log();
    let count = |f: &dyn Fn(&str) -> bool| log.iter().filter(|r| f(&r.path)).count();
    (
        count(&|p| p.contains("/search/")),
        count(&|p| p.contains("/applicantworkflows/")),
        count(&|p| p.contains("/people/")),
        count(&|p| p.contains("/jobs/")),
    )
}

/// Namely GET /profiles with an email filter: a live lookup.
fn lookups(h: &Harness) -> usize {
    h.namely_sim
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && api_path(&r.path) == "/profiles")
        .filter(|r| r.query.contains("filter%5Bemail%5D") || r.query.contains("filter[email]"))
        .count()
}

/// A hire added in iCIMS now, starting in the future.
fn add_hire(h: &Harness, first: &str, last: &str, email: &str) {
    h.add_hire_starting(first, last, email, "2030-01-15");
}

fn unthrottled() -> NamelySimConfig {
    NamelySimConfig {
        profiles_get_per_minute: 100_000,
        ..NamelySimConfig::default()
    }
}

#[tokio::test]
async fn a_first_sync_costs_one_listing_plus_each_hires_own_calls() {
    let world = without_invalid_states(World::generate(&SeedConfig {
        seed: 21,
        hires: 120,
        employees: 260,
        ..SeedConfig::default()
    }));
    let h = Harness::start_unthrottled(world).await;
    let expected = expected_creates(&h.world);
    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_eq!(out.counts.created, expected.len() as u64, "{out:?}");

    let (searches, workflows, persons, jobs) = icims_calls(&h);
    let hired_workflows: Vec<_> = h
        .world
        .workflows
        .iter()
        .filter(|w| w.status_id == HIRED.id)
        .collect();
    let hired = hired_workflows.len();
    let people: std::collections::BTreeSet<u64> =
        hired_workflows.iter().map(|w| w.person_id).collect();
    assert_eq!(searches, 1, "one page of search results");
    assert_eq!(workflows, hired, "each workflow once");
    assert_eq!(persons, people.len(), "each person once");
    assert_eq!(jobs, 0, "job titles come with the workflows");

    let employees = h.world.employees.len() + 1; // and the token's owner
    let listing = employees.div_ceil(50) + 1;
    assert_eq!(h.listing_pages(), listing);
    assert_eq!(
        lookups(&h),
        0,
        "no lookup before a create: the index answers"
    );
    assert_eq!(h.posts().len(), expected.len());
    let run = h.store.run(out.run_id).unwrap().unwrap();
    assert_eq!(
        run.namely_calls as usize,
        listing + expected.len(),
        "one listing plus one POST per hire"
    );
    assert_eq!(run.icims_calls as usize, 1 + hired + people.len());
    h.assert_no_duplicates();
}

#[tokio::test]
async fn ten_new_hires_in_a_large_company_cost_at_most_40_calls() {
    // 2,000 employees and 900 past hires (hired over the last five years), a start-from date
    // of today: the first sync lists Namely once and reads only the hires of its window.
    let world = without_invalid_states(World::generate(&SeedConfig {
        seed: 5,
        hires: 30,
        employees: 2_000,
        history: 900,
        ..SeedConfig::default()
    }));
    let mut h = Harness::start_unthrottled(world).await;
    // The connection starts from a month before the world's today: past hires are left out.
    h.settings.start_from = time::macros::date!(2026 - 10 - 02);
    h.store.update_connection(&h.settings).unwrap();
    let first = h.sync(SyncOptions::default()).await;
    assert_eq!(first.status, RunStatus::Succeeded, "{:?}", first.error);
    let listing = (h.world.employees.len() + 1).div_ceil(50) + 1;
    assert_eq!(h.listing_pages(), listing, "one listing");
    assert_eq!(lookups(&h), 0);
    assert!(first.counts.left_out > 0, "{first:?}");
    assert!(first.counts.created < 50, "{first:?}");

    let icims_before = h.icims_sim.request_log().len();
    let namely_before = h.namely_sim.request_log().len();
    for i in 0..10 {
        add_hire(
            &h,
            "New",
            &format!("Hire{i}"),
            &format!("new.hire{i}@example.com"),
        );
    }
    let next = h.sync(SyncOptions::default()).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_eq!(next.counts.created, 10, "{next:?}");
    let icims = h.icims_sim.request_log().len() - icims_before;
    let namely = h.namely_sim.request_log().len() - namely_before;
    // iCIMS: one search page, ten workflows, ten persons. Namely: one page of recent
    // changes, ten POSTs.
    assert_eq!(
        icims,
        21,
        "{:#?}",
        &h.icims_sim.request_log()[icims_before..]
    );
    assert_eq!(
        namely,
        11,
        "{:#?}",
        h.namely_sim.request_log()[namely_before..]
            .iter()
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect::<Vec<_>>()
    );
    assert!(icims + namely <= 40);
    h.assert_no_duplicates();
}

#[tokio::test]
async fn a_tenant_that_ignores_page_is_listed_with_after_and_synced() {
    let world = without_invalid_states(World::generate(&SeedConfig {
        seed: 9,
        hires: 20,
        employees: 140,
        ..SeedConfig::default()
    }));
    let h = Harness::start_with(
        world,
        Setup {
            namely: NamelySimConfig {
                page_ignored: true,
                ..unthrottled()
            },
            ..Setup::default()
        },
    )
    .await;
    let expected = expected_creates(&h.world);
    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    assert_eq!(out.counts.created, expected.len() as u64);
    // Every employee was listed: page 1, page 2 (which repeated page 1), then by cursor.
    let index = h.store.index_all(&h.settings.name).unwrap();
    assert!(index.len() > h.world.employees.len(), "{}", index.len());
    let cursor_pages = h
        .namely_sim
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.query.contains("after="))
        .count();
    assert!(cursor_pages >= 3, "{cursor_pages}");
    h.assert_no_duplicates();

    // The next run's refresh of recent changes pages the same way.
    add_hire(&h, "Cursor", "Late", "cursor.late@example.com");
    let next = h.sync(SyncOptions::default()).await;
    assert_eq!(next.status, RunStatus::Succeeded, "{:?}", next.error);
    assert_eq!(next.counts.created, 1);
    h.assert_no_duplicates();
}

#[tokio::test]
async fn a_profile_added_by_hand_during_a_long_run_holds_its_hire_back() {
    let world = without_invalid_states(World::generate(&SeedConfig {
        seed: 13,
        hires: CREATE_BATCH + 40,
        employees: 10,
        ..SeedConfig::default()
    }));
    let h = Harness::start_unthrottled(world).await;
    let expected = expected_creates(&h.world);
    assert!(expected.len() > CREATE_BATCH, "{}", expected.len());
    // The last hire to be created; HR types them into Namely while the first batch is sent.
    let (&last_id, last) = expected.iter().next_back().unwrap();
    let email = last.email.clone().expect("the hire has an email");
    let hand_made = Employee {
        id: "0f3c2d8e-6a57-4c61-9b7e-2d1f5c9a8b70".into(),
        first_name: last.firstname.clone(),
        last_name: last.lastname.clone(),
        email: email.clone(),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: None,
        icims_id: None,
    };
    let namely_sim = &h.namely_sim;
    let progress = |p: &SyncProgress| {
        if p.phase == SyncPhase::AddingToNamely && p.done == 10 {
            namely_sim.add_employee_now(&hand_made);
        }
    };
    let options = SyncOptions {
        // Every batch after the first refreshes the index first.
        index_fresh_for: Duration::ZERO,
        ..SyncOptions::default()
    };
    let out = run_sync(&h.ctx(), &options, &progress).await.unwrap();
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    let rec = h.record(out.run_id, last_id);
    assert_eq!(rec.outcome, OutcomeKind::NeedsReview, "{rec:?}");
    assert!(!h.posts_per_person().contains_key(&last_id.to_string()));
    assert_eq!(h.posts().len(), expected.len() - 1);
    assert!(h.refresh_pages() >= 1, "refreshed between the batches");
    assert_eq!(lookups(&h), 0);
}
