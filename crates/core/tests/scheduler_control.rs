//! Steering the scheduler: pausing schedules, "Sync all now", only some connections, and a
//! shutdown in the middle of a run.

mod scheduler_support;
mod webhook_support;

use icims_namely_core::api::{ErrorCode, NewConnectionInput, RunStatus, Schedule};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::SANDBOX_CONNECTION;
use icims_namely_core::scheduler::{SchedulerOptions, check_connections};
use scheduler_support::*;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};

fn add_unfinished(engine: &icims_namely_core::engine::Engine, schedule: Schedule) {
    engine
        .create_connection(NewConnectionInput {
            name: "Acme".into(),
            namely_permalink: "acme".into(),
        })
        .unwrap();
    engine
        .update_sync_settings("Acme", settings(schedule))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paused_schedules_run_nothing_until_resumed() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    assert!(engine.any_schedule_on().unwrap());
    assert!(!engine.schedules_paused());
    engine.set_schedules_paused(true);
    assert!(engine.schedules_paused());
    let c = card(&engine);
    assert_eq!(c.next_sync_at, None, "{c:?}");
    assert_eq!(c.schedule_note.as_deref(), Some("Schedules are paused."));
    let d = engine.connection(SANDBOX_CONNECTION).unwrap();
    assert_eq!(d.schedule_note.as_deref(), Some("Schedules are paused."));

    // The default nap (up to 60 s): resuming must wake the loop.
    let clock = TestClock::at(slot + Duration::seconds(1));
    let events = Arc::new(Recorder::default());
    let handle = spawn_napping(&engine, &events, &clock);
    // Its first look at the clock.
    events.wait_passes(1).await;
    assert_eq!(events.count(), 0, "due, but paused");
    // Five slots later, a settings change wakes it: it looks at the moved clock, still paused.
    clock.advance(Duration::hours(5));
    engine
        .update_sync_settings(SANDBOX_CONNECTION, settings(HOURLY))
        .unwrap();
    events.wait_passes(2).await;
    assert_eq!(events.count(), 0);
    assert!(runs_by(&engine, Trigger::Schedule).is_empty());

    engine.set_schedules_paused(false);
    events.wait_for(1).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::Succeeded))
    );
    assert_eq!(
        events.idle_after_last_run().await,
        1,
        "one catch-up run after the pause"
    );
    let c = card(&engine);
    assert_eq!(c.schedule_note, None);
    assert!(c.next_sync_at.is_some());
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_all_now_runs_each_set_up_connection_once() {
    let engine = engine();
    complete_sandbox(&engine, Schedule::Off).await;
    add_unfinished(&engine, HOURLY);
    // Neither the schedules nor pausing them matter to "Sync all now".
    engine.set_schedules_paused(true);
    assert!(
        !engine.any_schedule_on().unwrap(),
        "the sandbox's is off, Acme is not set up"
    );
    let acme = engine.connection("Acme").unwrap();
    assert_eq!(acme.next_sync_at, None);
    assert_eq!(
        acme.schedule_note.as_deref(),
        Some("Syncs on this schedule start once setup is finished.")
    );

    let clock = TestClock::at(OffsetDateTime::now_utc());
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    assert_eq!(events.settle().await, 0);
    assert!(handle.sync_all_now());
    events.wait_for(1).await;
    assert_eq!(
        events.last(),
        (
            SANDBOX_CONNECTION.to_string(),
            Ok((Trigger::Manual, RunStatus::Succeeded))
        )
    );
    assert_eq!(*events.started.lock().unwrap(), vec![SANDBOX_CONNECTION]);
    assert!(events.progress.load(Ordering::SeqCst) > 0);
    assert_eq!(events.settle().await, 1, "once");
    assert!(engine.runs("Acme", 10).unwrap().is_empty());

    // Asked again: again.
    assert!(handle.sync_all_now());
    events.wait_for(2).await;
    assert_eq!(events.settle().await, 2);
    // Asked twice at once (a double click): one round.
    assert!(handle.sync_all_now());
    assert!(handle.sync_all_now());
    events.wait_for(3).await;
    assert_eq!(events.settle().await, 3);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_connections_asked_for_run() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    add_unfinished(&engine, HOURLY);

    let err = check_connections(&engine, &["Sandbox".into(), "Nope".into()]).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert!(err.to_string().contains("Nope"), "{err}");
    assert_eq!(
        check_connections(
            &engine,
            &["sandbox".into(), "SANDBOX".into(), " acme ".into()]
        )
        .unwrap(),
        vec!["Sandbox".to_string(), "Acme".to_string()]
    );

    let clock = TestClock::at(slot + Duration::seconds(1));
    let events = Arc::new(Recorder::default());
    let only_acme = SchedulerOptions {
        connections: Some(vec!["Acme".into()]),
        ..quick()
    };
    let handle = spawn_with(&engine, &events, &clock, only_acme);
    assert_eq!(
        events.settle().await,
        0,
        "the sandbox is due, but not asked for"
    );
    assert!(handle.sync_all_now());
    assert_eq!(events.settle().await, 0, "nor by Sync all now");
    stop(handle).await;

    let only_sandbox = SchedulerOptions {
        connections: Some(vec!["sandbox".into()]),
        ..quick()
    };
    let handle = spawn_with(&engine, &events, &clock, only_sandbox);
    events.wait_for(1).await;
    assert_eq!(events.last().0, SANDBOX_CONNECTION);
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_stops_the_run_in_flight_and_records_it_cancelled() {
    let engine = engine();
    complete_sandbox(&engine, Schedule::Off).await;
    // New hires to add, and a slow Namely: the run is still going when the shutdown comes.
    engine
        .sandbox
        .with(|sb| {
            for i in 0..8 {
                let email = format!("late{i}@example.com");
                sb.icims.add_hire(&format!("Late{i}"), "Hire", Some(&email));
            }
            sb.namely.set_latency(StdDuration::from_millis(300));
        })
        .await
        .expect("the sandbox runs");
    let clock = TestClock::at(OffsetDateTime::now_utc());
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    assert!(handle.sync_all_now());
    wait_until(10, "the run to make progress", || {
        events.progress.load(Ordering::SeqCst) > 0
    })
    .await;
    assert_eq!(events.count(), 0, "still running");

    tokio::time::timeout(StdDuration::from_secs(20), handle.shutdown())
        .await
        .expect("the shutdown ends the loop after the record in flight");
    assert_eq!(events.count(), 1, "{:?}", events.finished.lock().unwrap());
    assert_eq!(
        events.last(),
        (
            SANDBOX_CONNECTION.to_string(),
            Ok((Trigger::Manual, RunStatus::Cancelled))
        )
    );
    let last = &engine.runs(SANDBOX_CONNECTION, 1).unwrap()[0];
    assert_eq!(last.status, RunStatus::Cancelled, "{last:?}");
    assert!(last.ended_at.is_some());
    assert!(last.counts.created < 8, "stopped before the end: {last:?}");
    assert!(!engine.is_running(
        &icims_namely_core::connection::ConnectionName::new(SANDBOX_CONNECTION).unwrap()
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_of_an_idle_loop_is_immediate_and_runs_nothing_after() {
    let engine = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let clock = TestClock::at(slot - Duration::minutes(5));
    let events = Arc::new(Recorder::default());
    let handle = spawn_napping(&engine, &events, &clock);
    events.wait_passes(1).await;
    tokio::time::timeout(StdDuration::from_secs(2), handle.shutdown())
        .await
        .expect("an idle loop shuts down at once, even mid-nap");
    // The loop's task has ended: moving the clock and waking it does nothing.
    let passes = events.passes();
    clock.set(slot + Duration::hours(1));
    engine.set_schedules_paused(true);
    engine.set_schedules_paused(false);
    assert_eq!(events.passes(), passes);
    assert_eq!(events.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_run_that_finds_setup_broken_alerts_the_webhook_once() {
    use icims_namely_core::secrets::SecretKind;
    let engine = engine();
    complete_sandbox(&engine, Schedule::EveryMinutes(1)).await;
    let hook = webhook_support::Receiver::start().await;
    engine
        .set_secret(
            SANDBOX_CONNECTION,
            SecretKind::AlertWebhook,
            secrecy::SecretString::from(hook.url.clone()),
        )
        .await
        .unwrap();
    // The iCIMS key stops working between two ticks.
    engine
        .set_secret(
            SANDBOX_CONNECTION,
            SecretKind::IcimsHmacKey,
            secrecy::SecretString::from("a-key-iCIMS-refuses".to_string()),
        )
        .await
        .unwrap();
    let clock = TestClock::at(OffsetDateTime::now_utc());
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    // (The first sync's calls stretch a one-minute schedule to fit iCIMS's 10,000 a day.)
    clock.advance(Duration::minutes(15));
    events.wait_for(1).await;
    wait_until(10, "the alert", || hook.bodies().len() == 1).await;
    let body = &hook.bodies()[0];
    assert_eq!(body["event"], "setup_broken", "{body}");
    assert_eq!(body["connection"], SANDBOX_CONNECTION, "{body}");
    // The retry after the back-off finds the same state: no second alert.
    clock.advance(Duration::minutes(15));
    events.wait_for(2).await;
    stop(handle).await;
    assert_eq!(hook.hits(), 1, "{:?}", hook.bodies());
}
