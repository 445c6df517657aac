//! When the scheduler loop runs, on a clock the test moves: every N minutes, daily across
//! daylight-saving changes in New York, no overlap when a run outlasts its interval, and an
//! interval stretched to fit the iCIMS daily limit.

mod scheduler_support;

use icims_namely_core::api::{RunStatus, Schedule};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::SANDBOX_CONNECTION;
use icims_namely_core::schedule::{from_timestamp, to_timestamp};
use icims_namely_core::store::RunStatus as StoreStatus;
use jiff::tz::TimeZone;
use scheduler_support::*;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn new_york() -> TimeZone {
    TimeZone::get("America/New_York").expect("the bundled time zone database has New York")
}

/// The next change of the clocks in `zone` after `after`: forward (spring) or back (fall).
fn next_change(zone: &TimeZone, after: OffsetDateTime, forward: bool) -> OffsetDateTime {
    zone.following(to_timestamp(after))
        .map(|t| from_timestamp(t.timestamp()))
        .find(|t| {
            let before = zone.to_offset(to_timestamp(*t - Duration::seconds(1)));
            let after = zone.to_offset(to_timestamp(*t));
            (after.seconds() > before.seconds()) == forward
        })
        .expect("New York changes its clocks every year")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_n_minutes_runs_that_long_after_the_last_start() {
    let engine = engine();
    let slot = complete_sandbox(&engine, Schedule::EveryMinutes(30)).await;
    let t0 = slot + Duration::hours(2);
    let clock = TestClock::at(t0);
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);

    // Two hours since the first sync: one catch-up run, not four.
    events.wait_for(1).await;
    assert_eq!(
        events.last(),
        (
            SANDBOX_CONNECTION.to_string(),
            Ok((Trigger::Schedule, RunStatus::Succeeded))
        )
    );
    assert_eq!(events.settle().await, 1);
    clock.set(t0 + Duration::minutes(29));
    assert_eq!(events.settle().await, 1);
    clock.set(t0 + Duration::minutes(30) + Duration::seconds(1));
    events.wait_for(2).await;
    assert_eq!(events.settle().await, 2);
    // Counted from that run's start, not from the slot.
    clock.set(t0 + Duration::minutes(59));
    assert_eq!(events.settle().await, 2);
    clock.set(t0 + Duration::minutes(60) + Duration::seconds(1));
    events.wait_for(3).await;
    assert_eq!(events.settle().await, 3);
    assert_eq!(runs_by(&engine, Trigger::Schedule).len(), 3);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_across_spring_forward_runs_once_when_the_clocks_jump() {
    let ny = new_york();
    let engine = engine_in(ny.clone());
    // 02:30 does not exist on the day the clocks spring forward.
    complete_sandbox(
        &engine,
        Schedule::DailyAt {
            hour: 2,
            minute: 30,
        },
    )
    .await;
    let jump = next_change(&ny, OffsetDateTime::now_utc() + Duration::days(2), true);
    assert_eq!(
        ny.to_datetime(to_timestamp(jump)).hour(),
        3,
        "02:00 → 03:00"
    );
    let clock = TestClock::at(jump - Duration::hours(20));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    // The first sync was months of days ago: one catch-up run.
    events.wait_for(1).await;
    assert_eq!(events.settle().await, 1);

    clock.set(jump - Duration::seconds(1));
    assert_eq!(events.settle().await, 1, "not before 02:30 exists");
    clock.set(jump + Duration::seconds(1));
    events.wait_for(2).await;
    assert_eq!(events.settle().await, 2, "once, at 03:00");
    // The next day's 02:30 (daylight time): 23.5 hours after the jump.
    clock.set(jump + Duration::minutes(23 * 60 + 29));
    assert_eq!(events.settle().await, 2);
    clock.set(jump + Duration::minutes(23 * 60 + 30) + Duration::seconds(1));
    events.wait_for(3).await;
    assert_eq!(events.settle().await, 3);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_across_fall_back_runs_once_at_the_earlier_time() {
    let ny = new_york();
    let engine = engine_in(ny.clone());
    // 01:30 happens twice on the day the clocks fall back.
    complete_sandbox(
        &engine,
        Schedule::DailyAt {
            hour: 1,
            minute: 30,
        },
    )
    .await;
    let back = next_change(&ny, OffsetDateTime::now_utc() + Duration::days(2), false);
    let first = back - Duration::minutes(30); // 01:30 daylight time
    let again = back + Duration::minutes(30); // 01:30 standard time
    assert_eq!(
        ny.to_datetime(to_timestamp(first)),
        ny.to_datetime(to_timestamp(again))
    );
    let clock = TestClock::at(back - Duration::hours(20));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    events.wait_for(1).await; // catch-up
    assert_eq!(events.settle().await, 1);

    clock.set(first - Duration::seconds(1));
    assert_eq!(events.settle().await, 1);
    clock.set(first + Duration::seconds(1));
    events.wait_for(2).await;
    clock.set(again + Duration::seconds(1));
    assert_eq!(
        events.settle().await,
        2,
        "01:30 the second time is not run again"
    );
    // The next day's 01:30 (standard time): 24 hours after the second 01:30.
    clock.set(again + Duration::hours(24) - Duration::minutes(1));
    assert_eq!(events.settle().await, 2);
    clock.set(again + Duration::hours(24) + Duration::seconds(1));
    events.wait_for(3).await;
    assert_eq!(events.settle().await, 3);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_outlasts_its_interval_is_not_followed_at_once() {
    let engine = engine();
    let slot = complete_sandbox(&engine, Schedule::EveryMinutes(30)).await;
    // Every iCIMS call takes 400 ms: the run lasts while the test moves the clock.
    engine
        .sandbox
        .with(|sb| sb.icims.set_latency(StdDuration::from_millis(400)))
        .await
        .expect("the sandbox runs");
    let t0 = slot + Duration::hours(2);
    let clock = TestClock::at(t0);
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    wait_until(10, "the run to start", || events.started_count() == 1).await;
    // The run goes on for 45 minutes of the loop's clock: past its 30-minute slot.
    clock.advance(Duration::minutes(45));
    assert_eq!(
        events.count(),
        0,
        "the run was still going when the clock moved"
    );
    events.wait_for(1).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::Succeeded))
    );
    engine
        .sandbox
        .with(|sb| sb.icims.set_latency(StdDuration::ZERO))
        .await;

    // The slot that passed during the run is dropped: nothing at once…
    assert_eq!(
        events.settle().await,
        1,
        "no second run right after the first"
    );
    assert_eq!(events.started_count(), 1);
    // …and the next is 30 minutes after the run ended (t0 + 75 min).
    clock.set(t0 + Duration::minutes(74));
    assert_eq!(events.settle().await, 1);
    clock.set(t0 + Duration::minutes(75) + Duration::seconds(1));
    events.wait_for(2).await;
    assert_eq!(events.settle().await, 2);
    stop(handle).await;

    // And the history shows runs one after another, never two at once.
    let mut runs = runs_by(&engine, Trigger::Schedule);
    runs.reverse();
    let at = |s: &str| OffsetDateTime::parse(s, &Rfc3339).unwrap();
    for pair in runs.windows(2) {
        let ended = at(pair[0].ended_at.as_deref().expect("ended"));
        assert!(at(&pair[1].started_at) >= ended, "{runs:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_budget_stretches_the_interval_the_loop_runs_on() {
    let engine = engine();
    let slot = complete_sandbox(&engine, Schedule::EveryMinutes(5)).await;
    // Recent runs spent about 100 iCIMS calls each: 288 runs a day would spend 28,800, and
    // iCIMS allows 10,000 (200 kept in reserve).
    for i in 0..9 {
        record_run(
            &engine,
            slot - Duration::minutes(50 - i),
            StoreStatus::Succeeded,
            100,
        );
    }
    let want = "Every 5 minutes would use about 28,800 iCIMS calls a day; iCIMS allows \
                10,000, so syncs run every 15 minutes.";
    let c = card(&engine);
    assert_eq!(c.schedule_note.as_deref(), Some(want), "{c:?}");
    assert!(
        c.next_sync_at.is_some() && c.next_sync_text.is_some(),
        "{c:?}"
    );
    let d = engine.connection(SANDBOX_CONNECTION).unwrap();
    assert_eq!(d.schedule_note.as_deref(), Some(want));
    assert_eq!(d.next_sync_at, c.next_sync_at);

    let t0 = slot + Duration::hours(1);
    let clock = TestClock::at(t0);
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    events.wait_for(1).await;
    // Not every 5 minutes…
    clock.set(t0 + Duration::minutes(5) + Duration::seconds(1));
    assert_eq!(events.settle().await, 1);
    clock.set(t0 + Duration::minutes(14) + Duration::seconds(59));
    assert_eq!(events.settle().await, 1);
    // …every 15.
    clock.set(t0 + Duration::minutes(15) + Duration::seconds(1));
    events.wait_for(2).await;
    assert_eq!(events.settle().await, 2);
    stop(handle).await;
}
