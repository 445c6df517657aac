//! A randomized soak of the exactly-once guarantee (issue 9): many runs against the simulators
//! over real HTTP, each with a random mix of a gateway answering 502 after Namely saved, a
//! POST failing before Namely saved, reads lagging behind writes, the iCIMS daily budget
//! running out, and the process killed at a random point (the run's future dropped between
//! two awaits — where a SIGKILL leaves the store, whose every write is one SQLite
//! transaction — then the start-up recovery a new process runs). Namely enforces no email
//! uniqueness, so a second create would show. New hires arrive in iCIMS as it goes.
//!
//! It ends with every valid hire in Namely exactly once and every other hired person recorded
//! with the reason, and prints its counts. `SOAK_CYCLES` (default 50) and `SOAK_SEED` set
//! the size and the seed: `SOAK_CYCLES=500 cargo test -p icims-namely-core --test
//! soak_exactly_once -- --nocapture` for the full size.

mod sync_support;

use icims_namely_core::domain::{IcimsPersonId, OutcomeKind};
use icims_namely_core::store::RunStatus;
use icims_namely_core::sync::{SyncOptions, run_sync};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sandbox::namely::{AfterCommit, NamelySimConfig};
use sandbox::seed::{SeedConfig, World};
use std::collections::BTreeMap;
use std::time::Duration;
use sync_support::*;

/// Longest read lag a cycle draws; the settle time is above it, as the real one (15
/// minutes) is above any lag the references allow for.
const MAX_LAG_MS: u64 = 1200;
const SETTLE: Duration = Duration::from_millis(2000);
const MARGIN: u64 = 200;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Default)]
struct Tally {
    cycles: u64,
    kills: u64,
    saved_then_502: u64,
    failed_before_save: u64,
    lagging_cycles: u64,
    budget_stops: u64,
    hires_added_midway: u64,
    statuses: BTreeMap<&'static str, u64>,
}

#[tokio::test]
async fn randomized_faults_and_kills_end_with_every_valid_hire_exactly_once() {
    let cycles = env_or("SOAK_CYCLES", 50);
    let seed = env_or("SOAK_SEED", 20_261_129);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let world = World::generate(&SeedConfig {
        seed,
        hires: 40,
        employees: 10,
        ..SeedConfig::default()
    });
    let h = Harness::start_with(
        world,
        Setup {
            namely: NamelySimConfig {
                email_unique: false,
                profiles_get_per_minute: 100_000,
                ..NamelySimConfig::default()
            },
            namely_timeout: Duration::from_secs(10),
            ..Setup::default()
        },
    )
    .await;
    let options = || SyncOptions {
        settle_time: SETTLE,
        budget_margin: MARGIN,
        ..SyncOptions::default()
    };
    let mut t = Tally::default();

    for cycle in 0..cycles {
        t.cycles += 1;
        // New hires keep arriving.
        if rng.gen_bool(0.3) {
            let n = format!("Soak{cycle}");
            let added = h
                .icims_sim
                .add_hire(&n, "Hire", Some(&format!("{n}@example.com")));
            h.icims_sim.with_world(|w| {
                if let Some(p) = w.people.iter_mut().find(|p| p.id == added.person_id) {
                    p.startdate = Some("2030-03-02".into());
                }
            });
            t.hires_added_midway += 1;
        }
        let lag = if rng.gen_bool(0.5) {
            t.lagging_cycles += 1;
            Duration::from_millis(rng.gen_range(100..=MAX_LAG_MS))
        } else {
            Duration::ZERO
        };
        h.namely_sim.set_read_lag(lag);
        if rng.gen_bool(0.3) {
            h.namely_sim
                .fail_next_post_after_commit(1, AfterCommit::Status(502));
            t.saved_then_502 += 1;
        }
        if rng.gen_bool(0.2) {
            h.namely_sim.fail_next_on("POST", "/profiles", 1, 503);
            t.failed_before_save += 1;
        }
        // The day's budget: most days plenty, some days a handful of calls above the margin.
        let remaining = if rng.gen_bool(0.25) {
            MARGIN + rng.gen_range(0..4)
        } else {
            10_000
        };
        h.icims_sim.set_remaining(remaining);

        let kill_after = rng
            .gen_bool(0.4)
            .then(|| Duration::from_millis(rng.gen_range(0..120)));
        let o = options();
        let ctx = h.ctx();
        let run = run_sync(&ctx, &o, &|_| {});
        match kill_after {
            Some(after) => {
                tokio::select! {
                    out = run => count(&mut t, out.unwrap().status),
                    () = tokio::time::sleep(after) => {
                        t.kills += 1;
                        // What the next process does first.
                        h.store
                            .recover_interrupted(time::OffsetDateTime::now_utc())
                            .unwrap();
                    }
                }
            }
            None => count(&mut t, run.await.unwrap().status),
        }
        h.assert_no_profile_twice();
        if rng.gen_bool(0.2) {
            tokio::time::sleep(SETTLE).await;
        }
    }

    // Faults off; runs until everything is settled (every open create resolved).
    h.namely_sim.set_read_lag(Duration::ZERO);
    h.icims_sim.set_remaining(10_000);
    let mut quiet_runs = 0;
    loop {
        quiet_runs += 1;
        assert!(quiet_runs <= 12, "never settled: {t:?}");
        tokio::time::sleep(SETTLE).await;
        let out = h.sync(options()).await;
        let open = h.store.open_intents(&h.settings.name).unwrap();
        if out.status == RunStatus::Succeeded && open.is_empty() {
            break;
        }
    }

    // Every valid hire in Namely exactly once; every other hired person recorded with why.
    let world = h.icims_sim.world();
    let expected = expected_creates(&World {
        employees: h.world.employees.clone(),
        ..world.clone()
    });
    h.assert_no_profile_twice();
    let in_namely = h.icims_ids_in_namely();
    let mut others = BTreeMap::new();
    for p in world.hired_people(&[HIRED]) {
        let key = p.id.to_string();
        if expected.contains_key(&p.id) {
            assert_eq!(
                in_namely.get(&key),
                Some(&1),
                "{} ({}) {t:?}",
                p.id,
                p.email.as_deref().unwrap_or("")
            );
            continue;
        }
        if in_namely.get(&key) == Some(&1) {
            continue; // added with a warning (an optional part Namely refused)
        }
        let rec = h
            .store
            .latest_record(&h.settings.name, IcimsPersonId(p.id))
            .unwrap()
            .unwrap_or_else(|| panic!("hired person {} has no record", p.id));
        assert!(
            matches!(
                rec.outcome,
                OutcomeKind::Invalid | OutcomeKind::NeedsReview | OutcomeKind::LeftOut
            ) || (rec.outcome == OutcomeKind::Failed && rec.permanent),
            "person {} ended {:?}: {}",
            p.id,
            rec.outcome,
            rec.reason
        );
        assert!(!rec.reason.is_empty());
        *others.entry(rec.outcome.as_str()).or_insert(0) += 1;
    }
    let posts = h.posts().len();
    println!(
        "soak seed {seed}: {} cycles, {} kills, {} saved-then-502, {} failed-before-save, {} \
         cycles with lagging reads, {} budget stops, {} hires added midway; run endings {:?}; \
         {} quiet runs to settle; {} hires in Namely exactly once, others {:?}; {posts} POSTs",
        t.cycles,
        t.kills,
        t.saved_then_502,
        t.failed_before_save,
        t.lagging_cycles,
        t.budget_stops,
        t.hires_added_midway,
        t.statuses,
        quiet_runs,
        expected.len(),
        others
    );
    assert!(
        t.kills > 0 && t.budget_stops > 0 && t.saved_then_502 > 0,
        "{t:?}"
    );
}

fn count(t: &mut Tally, status: RunStatus) {
    if status == RunStatus::StoppedBudget {
        t.budget_stops += 1;
    }
    *t.statuses.entry(status.as_str()).or_insert(0) += 1;
}
