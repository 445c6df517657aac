//! The local Namely index across runs: one full listing, then an incremental refresh
//! (`sort=-updated_at`) on every run that sees HR's changes in Namely, and a full listing
//! again once the last one is a week old.

mod sync_support;

use icims_namely_core::domain::OutcomeKind;
use icims_namely_core::store::{IndexMeta, RunStatus};
use icims_namely_core::sync::{FULL_INDEX_MAX_AGE, SyncOptions, SyncOutcome};
use sandbox::seed::Employee;
use sync_support::*;

/// Profiles added to the tenant besides the seeded ones, so a full listing takes pages.
const BULK: usize = 200;

fn bulk_employee(i: usize) -> Employee {
    Employee {
        id: format!("b0b0b0b0-0000-4000-8000-{i:012}"),
        first_name: "Bulk".into(),
        last_name: format!("Person {i}"),
        email: format!("bulk.{i}@example.org"),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: Some("2021-03-01".into()),
        icims_id: None,
    }
}

/// A harness whose Namely tenant holds the seeded employees plus [`BULK`] back-dated ones.
async fn harness() -> Harness {
    let h = Harness::start(without_invalid_states(world())).await;
    for i in 0..BULK {
        h.namely_sim.add_employee(&bulk_employee(i));
    }
    h
}

/// GET /profiles requests (`listing`, `refresh`, all) a closure's runs made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gets {
    listing: usize,
    refresh: usize,
    all: usize,
}

fn gets(h: &Harness) -> Gets {
    Gets {
        listing: h.listing_pages(),
        refresh: h.refresh_pages(),
        all: h.profile_gets(),
    }
}

fn since(h: &Harness, before: Gets) -> Gets {
    let now = gets(h);
    Gets {
        listing: now.listing - before.listing,
        refresh: now.refresh - before.refresh,
        all: now.all - before.all,
    }
}

/// Pages of a full listing of `profiles` profiles: full pages of 50, then the empty one.
fn full_listing_pages(profiles: usize) -> usize {
    profiles.div_ceil(50) + 1
}

fn namely_calls(h: &Harness, out: &SyncOutcome) -> u64 {
    h.store.run(out.run_id).unwrap().unwrap().namely_calls
}

fn outcome_of(h: &Harness, out: &SyncOutcome, person: u64) -> OutcomeKind {
    h.records(out.run_id)
        .iter()
        .find(|r| r.person_id.0 == person)
        .unwrap_or_else(|| panic!("no record of {person}"))
        .outcome
}

/// Runs a sync that reads every hire again (the watermark cleared), so the index is needed.
async fn sync_all(h: &Harness) -> SyncOutcome {
    h.store.clear_watermark(&h.settings.name).unwrap();
    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    out
}

/// The seeded employee sharing a hire's email without an `icims_id`, and that hire's id.
fn needs_review_pair(h: &Harness) -> (Employee, u64) {
    let hires = h.world.hired_people(&[HIRED]);
    h.world
        .employees
        .iter()
        .filter(|e| e.icims_id.is_none())
        .find_map(|e| {
            hires
                .iter()
                .find(|p| {
                    p.email
                        .as_deref()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&e.email))
                })
                .map(|p| (e.clone(), p.id))
        })
        .expect("the seeded world has a needs-review employee")
}

#[tokio::test]
async fn after_a_full_listing_an_unchanged_tenant_costs_one_get() {
    let h = harness().await;
    let before = gets(&h);
    let first = sync_all(&h).await;
    let profiles = h.namely_sim.profiles().len();
    assert!(profiles > BULK);
    let created = first.counts.created as usize;
    assert!(created >= 5);
    let run1 = since(&h, before);
    // The listing saw the tenant before this run's creates.
    assert_eq!(
        run1.listing,
        full_listing_pages(profiles - created),
        "{run1:?}"
    );
    assert_eq!(run1.refresh, 0);
    let meta = h.store.index_meta(&h.settings.name).unwrap().unwrap();
    assert!(meta.full);
    assert_eq!(meta.listed_at, Some(meta.refreshed_at));

    // Nothing changed in Namely: one page of recent changes (this app's own creates, then an
    // older profile), no listing, no lookup.
    let before = gets(&h);
    let second = sync_all(&h).await;
    let run2 = since(&h, before);
    assert_eq!(
        run2,
        Gets {
            listing: 0,
            refresh: 1,
            all: 1
        }
    );
    assert_eq!(namely_calls(&h, &second), 1);
    assert_eq!(second.counts.created, 0);
    let after = h.store.index_meta(&h.settings.name).unwrap().unwrap();
    assert!(after.full);
    assert_eq!(after.listed_at, meta.listed_at, "still the first listing");
    assert!(
        after.refreshed_at > meta.refreshed_at,
        "refreshed by the second run"
    );
    assert_eq!(after.profile_count, profiles as u64, "Namely's total count");
    assert_eq!(h.store.index_all(&h.settings.name).unwrap().len(), profiles);

    // Measured: a full listing vs an incremental refresh of this tenant.
    eprintln!(
        "{profiles} profiles: full listing {} GET /profiles (namely_calls of run 1: {}), \
         incremental refresh {} (namely_calls of run 2: {})",
        run1.listing,
        namely_calls(&h, &first),
        run2.refresh,
        namely_calls(&h, &second)
    );
    h.assert_no_duplicates();
}

#[tokio::test]
async fn an_icims_id_set_by_hand_in_namely_is_seen_on_the_next_run() {
    let h = harness().await;
    let (employee, person) = needs_review_pair(&h);
    let first = sync_all(&h).await;
    assert_eq!(outcome_of(&h, &first, person), OutcomeKind::NeedsReview);

    // HR reviews the profile and types the hire's iCIMS id into it (a PUT over HTTP).
    h.namely
        .update_profile(
            &namely::ProfileId::new(employee.id.clone()),
            &namely::ProfileUpdate::custom_text(FIELD, person.to_string()),
        )
        .await
        .unwrap();

    let before = gets(&h);
    let posts = h.posts().len();
    let second = sync_all(&h).await;
    let run = since(&h, before);
    assert_eq!(
        outcome_of(&h, &second, person),
        OutcomeKind::AlreadyInNamely
    );
    assert_eq!(run.listing, 0, "no full listing: {run:?}");
    assert_eq!(run.refresh, 1, "{run:?}");
    assert_eq!(h.posts().len(), posts, "nobody was created");
    let record = h
        .records(second.run_id)
        .into_iter()
        .find(|r| r.person_id.0 == person)
        .unwrap();
    assert_eq!(
        record.namely_profile_id.map(|p| p.0),
        Some(employee.id.clone())
    );
    assert_eq!(
        h.store
            .index_by_icims_id(&h.settings.name, &person.to_string())
            .unwrap()
            .len(),
        1
    );
    h.assert_no_duplicates();
}

#[tokio::test]
async fn a_profile_added_by_hand_with_a_hires_email_is_caught_without_a_listing() {
    let h = harness().await;
    sync_all(&h).await;

    // A new hire in iCIMS, whom HR also adds to Namely by hand (no icims_id) before the sync.
    let hire = h.add_hire_starting("Grace", "Hopper", "grace.hopper@example.com", "2026-12-07");
    h.namely_sim.add_employee_now(&Employee {
        id: "9f1c2d3e-0000-4000-8000-0000000000aa".into(),
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        email: "Grace.Hopper@example.com".into(),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: Some("2026-12-07".into()),
        icims_id: None,
    });

    let before = gets(&h);
    let posts = h.posts().len();
    let out = h.sync(SyncOptions::default()).await;
    assert_eq!(out.status, RunStatus::Succeeded, "{:?}", out.error);
    let run = since(&h, before);
    let record = h
        .records(out.run_id)
        .into_iter()
        .find(|r| r.person_id.0 == hire.person_id)
        .unwrap();
    assert_eq!(record.outcome, OutcomeKind::NeedsReview, "{record:?}");
    assert!(record.reason.contains("Grace Hopper"), "{}", record.reason);
    // The plan knew it from the refresh: one page, no listing and no lookup by email.
    assert_eq!(
        run,
        Gets {
            listing: 0,
            refresh: 1,
            all: 1
        }
    );
    assert_eq!(h.posts().len(), posts, "nobody was created");
    assert_eq!(
        h.store
            .index_by_email(&h.settings.name, "grace.hopper@example.com")
            .unwrap()
            .len(),
        1
    );
    h.assert_no_duplicates();
}

#[tokio::test]
async fn a_week_after_the_last_full_listing_everything_is_listed_again() {
    let h = harness().await;
    sync_all(&h).await;
    let profiles = h.namely_sim.profiles().len();

    // Refreshed an hour ago, but listed in full just over a week ago.
    let now = time::OffsetDateTime::now_utc();
    let old = now - FULL_INDEX_MAX_AGE - time::Duration::hours(1);
    h.store
        .set_index_meta(
            &h.settings.name,
            &IndexMeta {
                refreshed_at: now - time::Duration::hours(1),
                profile_count: profiles as u64,
                full: true,
                listed_at: Some(old),
            },
        )
        .unwrap();
    let before = gets(&h);
    let out = sync_all(&h).await;
    let run = since(&h, before);
    assert_eq!(run.listing, full_listing_pages(profiles), "{run:?}");
    assert_eq!(run.refresh, 0, "{run:?}");
    assert_eq!(namely_calls(&h, &out), run.all as u64);
    let meta = h.store.index_meta(&h.settings.name).unwrap().unwrap();
    assert!(meta.listed_at.unwrap() > old + time::Duration::days(7));
    assert_eq!(meta.listed_at, Some(meta.refreshed_at));

    // Six days after the listing: still incremental.
    h.store
        .set_index_meta(
            &h.settings.name,
            &IndexMeta {
                listed_at: Some(now - time::Duration::days(6)),
                ..meta
            },
        )
        .unwrap();
    let before = gets(&h);
    sync_all(&h).await;
    assert_eq!(since(&h, before).listing, 0);
    assert_eq!(since(&h, before).refresh, 1);
}

#[tokio::test]
async fn without_updated_at_the_refresh_falls_back_to_a_full_listing() {
    let h = harness().await;
    let (employee, person) = needs_review_pair(&h);
    sync_all(&h).await;
    h.namely
        .update_profile(
            &namely::ProfileId::new(employee.id.clone()),
            &namely::ProfileUpdate::custom_text(FIELD, person.to_string()),
        )
        .await
        .unwrap();
    h.namely_sim.set_include_updated_at(false);

    let profiles = h.namely_sim.profiles().len();
    let before = gets(&h);
    let out = sync_all(&h).await;
    let run = since(&h, before);
    // One page that cannot be placed in time, then every page.
    assert_eq!(run.refresh, 1, "{run:?}");
    assert_eq!(run.listing, full_listing_pages(profiles), "{run:?}");
    assert_eq!(namely_calls(&h, &out), run.all as u64);
    assert_eq!(outcome_of(&h, &out, person), OutcomeKind::AlreadyInNamely);
    let meta = h.store.index_meta(&h.settings.name).unwrap().unwrap();
    assert_eq!(meta.profile_count, profiles as u64);
    h.assert_no_duplicates();
}
