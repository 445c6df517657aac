//! The scheduler loop under a clock the test moves, against the in-app sandbox: hourly slots,
//! missed slots, back-off, schedules off or unfinished setups, waking on a change, stopping,
//! the history after a restart, a run that cannot start. More in `scheduler_*.rs`.

mod scheduler_support;

use icims_namely_core::api::{RunStatus, Schedule};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::SANDBOX_CONNECTION;
use icims_namely_core::secrets::SecretKind;
use scheduler_support::*;
use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hourly_connection_runs_once_per_slot_and_skips_missed_ones() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let clock = TestClock::at(slot - time::Duration::seconds(5));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);

    // Before the slot: nothing.
    assert_eq!(events.settle().await, 0);
    assert!(runs_by(&engine, Trigger::Schedule).is_empty());

    // Past it: exactly one scheduled run.
    clock.set(slot + time::Duration::seconds(1));
    events.wait_for(1).await;
    assert_eq!(
        events.last(),
        (
            SANDBOX_CONNECTION.to_string(),
            Ok((Trigger::Schedule, RunStatus::Succeeded))
        )
    );
    assert!(events.progress.load(Ordering::SeqCst) > 0);
    assert_eq!(events.settle().await, 1, "once per slot");
    let scheduled = runs_by(&engine, Trigger::Schedule);
    assert_eq!(scheduled.len(), 1);
    assert!(!scheduled[0].dry_run);
    assert_eq!(engine.runs(SANDBOX_CONNECTION, 1).unwrap()[0], scheduled[0]);

    // Still within the hour: nothing more.
    clock.advance(time::Duration::minutes(58));
    assert_eq!(events.settle().await, 1);

    // Three slots slept through: one run, not three.
    clock.advance(time::Duration::hours(3));
    events.wait_for(2).await;
    assert_eq!(events.settle().await, 2, "missed slots are skipped");
    assert_eq!(runs_by(&engine, Trigger::Schedule).len(), 2);

    // And the next slot runs again.
    clock.advance(time::Duration::hours(1));
    events.wait_for(3).await;
    assert_eq!(events.settle().await, 3);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_connection_backs_off_then_recovers() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let right_key = engine.start_sandbox().await.unwrap().icims_hmac_key;
    // A wrong key: every run fails at the first iCIMS call.
    engine
        .set_secret(
            SANDBOX_CONNECTION,
            SecretKind::IcimsHmacKey,
            SecretString::from("not-the-key"),
        )
        .await
        .unwrap();
    let clock = TestClock::at(slot + time::Duration::seconds(1));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);

    events.wait_for(1).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::NotStarted)),
        "{:?}",
        engine.runs(SANDBOX_CONNECTION, 1)
    );
    // First backoff: 1 minute plus up to 30 s of jitter.
    assert_eq!(events.settle().await, 1, "no retry at once");
    clock.advance(time::Duration::seconds(55));
    assert_eq!(
        events.settle().await,
        1,
        "no retry within the first backoff"
    );
    clock.advance(time::Duration::seconds(40));
    events.wait_for(2).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::NotStarted))
    );

    // Second backoff: 2 minutes plus jitter.
    clock.advance(time::Duration::seconds(100));
    assert_eq!(events.settle().await, 2, "the backoff grows");
    clock.advance(time::Duration::seconds(60));
    events.wait_for(3).await;
    assert_eq!(events.settle().await, 3);

    // Fixed: the next retry succeeds, and then the schedule is back to hourly.
    engine
        .set_secret(
            SANDBOX_CONNECTION,
            SecretKind::IcimsHmacKey,
            SecretString::from(right_key),
        )
        .await
        .unwrap();
    clock.advance(time::Duration::minutes(5));
    events.wait_for(4).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::Succeeded))
    );
    clock.advance(time::Duration::minutes(5));
    assert_eq!(events.settle().await, 4, "a success is not retried");
    let scheduled = runs_by(&engine, Trigger::Schedule);
    assert_eq!(
        scheduled.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![
            RunStatus::Succeeded,
            RunStatus::NotStarted,
            RunStatus::NotStarted,
            RunStatus::NotStarted
        ]
    );
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_with_the_schedule_off_or_unfinished_setup_never_runs() {
    let engine = engine();
    let slot = complete_sandbox(&engine, Schedule::Off).await;
    // Another connection, hourly, but its setup never finished.
    engine
        .create_connection(icims_namely_core::api::NewConnectionInput {
            name: "Acme".into(),
            namely_permalink: "acme".into(),
        })
        .unwrap();
    engine
        .update_sync_settings("Acme", settings(HOURLY))
        .unwrap();
    assert!(!engine.connection("Acme").unwrap().health.setup_complete);

    let clock = TestClock::at(slot + time::Duration::seconds(1));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    assert_eq!(events.settle().await, 0);
    clock.advance(time::Duration::days(2));
    assert_eq!(events.settle().await, 0);
    assert!(runs_by(&engine, Trigger::Schedule).is_empty());
    assert!(engine.runs("Acme", 10).unwrap().is_empty());

    // Turning the schedule on is what makes the sandbox run.
    engine
        .update_sync_settings(SANDBOX_CONNECTION, settings(HOURLY))
        .unwrap();
    events.wait_for(1).await;
    assert_eq!(events.last().0, SANDBOX_CONNECTION);
    assert_eq!(events.settle().await, 1);
    assert!(engine.runs("Acme", 10).unwrap().is_empty());
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settings_change_wakes_a_loop_napping_for_a_minute() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let clock = TestClock::at(slot - time::Duration::minutes(30));
    let events = Arc::new(Recorder::default());
    // The default nap: up to 60 s of real time.
    let handle = spawn_napping(&engine, &events, &clock);
    // Its first look at the clock: nothing due for 30 minutes, so it naps for 60 s.
    events.wait_passes(1).await;
    assert_eq!(events.count(), 0);

    // Due now, but the loop is napping: it has not looked at the clock again.
    clock.set(slot + time::Duration::seconds(1));
    assert_eq!(events.passes(), 1, "still napping");
    assert_eq!(events.count(), 0);
    engine
        .update_sync_settings(SANDBOX_CONNECTION, settings(HOURLY))
        .unwrap();
    events.wait_for(1).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::Succeeded))
    );
    // Woken well within its nap (the wait above gives up after 10 s).
    assert_eq!(events.idle_after_last_run().await, 1);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_the_loop() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let clock = TestClock::at(slot - time::Duration::seconds(5));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    assert_eq!(events.settle().await, 0);
    // `stop` returns once the loop's task has ended.
    stop(handle).await;
    let passes = events.passes();

    clock.set(slot + time::Duration::hours(2));
    engine
        .update_sync_settings(SANDBOX_CONNECTION, settings(HOURLY))
        .unwrap();
    assert_eq!(
        events.passes(),
        passes,
        "nothing looks at the clock any more"
    );
    assert_eq!(events.count(), 0, "a stopped scheduler runs nothing");
    assert!(runs_by(&engine, Trigger::Schedule).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_run_in_history_sets_the_next_slot_unless_it_failed() {
    use icims_namely_core::store::RunStatus as StoreStatus;
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    // A run as an earlier process of the app left it in the history.
    let record = |at: OffsetDateTime, status: StoreStatus| record_run(&engine, at, status, 0);

    // This slot's run failed before the restart: it is retried, not skipped to the next slot.
    record(slot + time::Duration::seconds(10), StoreStatus::Failed);
    let clock = TestClock::at(slot + time::Duration::seconds(20));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    events.wait_for(1).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::Succeeded))
    );
    assert_eq!(events.settle().await, 1);
    stop(handle).await;

    // The next slot's run succeeded before the restart: nothing until the slot after.
    record(slot + time::Duration::minutes(61), StoreStatus::Succeeded);
    clock.set(slot + time::Duration::minutes(62));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    assert_eq!(events.settle().await, 0);
    clock.set(slot + time::Duration::minutes(121));
    events.wait_for(1).await;
    assert_eq!(events.settle().await, 1);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_sync_that_cannot_start_shows_as_a_failed_run() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    // The key disappears from the keychain (removed by hand, or another machine's keychain).
    engine
        .remove_secret(
            SANDBOX_CONNECTION,
            icims_namely_core::secrets::SecretKind::IcimsHmacKey,
        )
        .await
        .unwrap();
    let clock = TestClock::at(slot + time::Duration::seconds(1));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    events.wait_for(1).await;
    stop(handle).await;

    let scheduled = runs_by(&engine, Trigger::Schedule);
    assert_eq!(scheduled.len(), 1, "{scheduled:?}");
    assert_eq!(scheduled[0].status, RunStatus::NotStarted);
    let error = scheduled[0].error.as_deref().unwrap_or_default();
    assert!(error.starts_with("The sync could not start"), "{error}");
    assert!(
        error.contains("iCIMS HMAC key"),
        "says which secret: {error}"
    );
    assert_eq!(
        scheduled[0].error_code,
        Some(icims_namely_core::api::RunErrorCode::SecretMissing),
        "a code the app branches on to show where to enter it"
    );
}
