//! The scheduler loop under a clock the test moves, against the in-app sandbox.
//!
//! The loop naps at most `max_nap` of real time between two looks at its clock; the tests make
//! that short so that moving the clock is noticed at once (one test keeps the 60 s nap and
//! relies on a settings change to wake the loop).

use icims_namely_core::api::{
    ErrorCode, IcimsInput, IcimsRegion, RunDetails, RunStatus, Schedule, SyncProgress,
    SyncSettingsInput,
};
use icims_namely_core::clients::ClientOptions;
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{
    Engine, EngineError, EngineOptions, SANDBOX_CONNECTION, SyncRequest,
};
use icims_namely_core::paths::DataDir;
use icims_namely_core::scheduler::{
    self, Clock, SchedulerEvents, SchedulerHandle, SchedulerOptions,
};
use icims_namely_core::secrets::{SecretKind, Secrets};
use icims_namely_sandbox_host::InProcessSandbox;
use secrecy::SecretString;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

/// One finished run as the scheduler reported it: the connection, and how the run went or
/// the error's code.
type Finished = (String, Result<(Trigger, RunStatus), ErrorCode>);

/// What the scheduler reported.
#[derive(Default)]
struct Recorder {
    finished: Mutex<Vec<Finished>>,
    progress: AtomicUsize,
}

impl SchedulerEvents for Recorder {
    fn progress(&self, _: &SyncProgress) {
        self.progress.fetch_add(1, Ordering::SeqCst);
    }

    fn finished(&self, connection: &str, result: &Result<RunDetails, EngineError>) {
        let r = match result {
            Ok(d) => Ok((d.summary.trigger, d.summary.status)),
            Err(e) => Err(e.code()),
        };
        self.finished
            .lock()
            .unwrap()
            .push((connection.to_string(), r));
    }
}

impl Recorder {
    fn count(&self) -> usize {
        self.finished.lock().unwrap().len()
    }

    fn last(&self) -> Finished {
        self.finished.lock().unwrap().last().cloned().unwrap()
    }

    /// Waits (up to 3 s) until `n` runs have finished.
    async fn wait_for(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        while self.count() < n {
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} finished runs, saw {}: {:?}",
                self.count(),
                self.finished.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Gives the loop many looks at its clock (with a 10 ms nap), then says how many ran.
    async fn settle(&self) -> usize {
        tokio::time::sleep(Duration::from_millis(250)).await;
        self.count()
    }
}

/// A clock the test sets, in unix seconds.
struct TestClock(Arc<AtomicI64>);

impl TestClock {
    fn at(t: OffsetDateTime) -> Self {
        Self(Arc::new(AtomicI64::new(t.unix_timestamp())))
    }

    fn clock(&self) -> Clock {
        let secs = self.0.clone();
        Arc::new(move || OffsetDateTime::from_unix_timestamp(secs.load(Ordering::SeqCst)).unwrap())
    }

    fn set(&self, t: OffsetDateTime) {
        self.0.store(t.unix_timestamp(), Ordering::SeqCst);
    }

    fn advance(&self, by: time::Duration) {
        self.0.fetch_add(by.whole_seconds(), Ordering::SeqCst);
    }
}

fn engine() -> (Engine, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let options = EngineOptions {
        clients: ClientOptions {
            timeout: Duration::from_secs(5),
            namely_throttle_wait: Duration::from_millis(5),
            namely_throttle_retries: 3,
        },
        sandbox: Some(Arc::new(InProcessSandbox::new())),
        ..EngineOptions::default()
    };
    let engine = Engine::open(DataDir::new(dir.path()), Secrets::mock(), None, options).unwrap();
    (engine, dir)
}

fn settings(schedule: Schedule) -> SyncSettingsInput {
    SyncSettingsInput {
        hired_statuses: vec!["Hired".into()],
        schedule,
        start_from: None,
        icims_concurrency: None,
    }
}

const HOURLY: Schedule = Schedule::EveryHours(1);

/// The in-app sandbox, set up completely (first real sync included) with `schedule`.
/// Returns when the next hourly slot after that first sync is.
async fn complete_sandbox(engine: &Engine, schedule: Schedule) -> OffsetDateTime {
    let name = SANDBOX_CONNECTION;
    let info = engine.start_sandbox().await.unwrap();
    let r = engine
        .save_namely_token(name, SecretString::from(info.namely_token.clone()))
        .await
        .unwrap();
    assert!(r.check.passed, "{:?}", r.check);
    assert!(engine.check_namely_field(name).await.unwrap().passed);
    assert!(engine.owner_step(name).await.unwrap().check.passed);
    let input = IcimsInput {
        customer_id: info.icims_customer_id.clone(),
        username: info.icims_username.clone(),
        region: IcimsRegion::Us,
        hmac_key: Some(info.icims_hmac_key.clone()),
    };
    assert!(engine.save_icims(name, &input).await.unwrap().passed);
    engine
        .update_sync_settings(name, settings(schedule))
        .unwrap();
    let request = SyncRequest {
        trigger: Trigger::Manual,
        dry_run: false,
        retry_failed: false,
        create_anyway: None,
    };
    let first = engine
        .sync(name, request, &|_: &SyncProgress| {}, None)
        .await
        .unwrap();
    assert_eq!(
        first.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        first.summary
    );
    assert!(engine.connection(name).unwrap().health.setup_complete);
    let started = OffsetDateTime::parse(&first.summary.started_at, &Rfc3339).unwrap();
    top_of_next_hour(started)
}

fn top_of_next_hour(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_time(time::Time::from_hms(t.hour(), 0, 0).unwrap()) + time::Duration::HOUR
}

fn spawn(engine: &Engine, events: &Arc<Recorder>, clock: &TestClock) -> SchedulerHandle {
    scheduler::spawn_with_options(
        engine.clone(),
        events.clone(),
        Some(clock.clock()),
        SchedulerOptions {
            max_nap: Duration::from_millis(10),
        },
    )
}

fn runs_by(engine: &Engine, trigger: Trigger) -> Vec<icims_namely_core::api::RunSummary> {
    engine
        .runs(SANDBOX_CONNECTION, 100)
        .unwrap()
        .into_iter()
        .filter(|r| r.trigger == trigger)
        .collect()
}

async fn stop(handle: SchedulerHandle) {
    tokio::time::timeout(Duration::from_secs(3), handle.stop())
        .await
        .expect("the scheduler stops");
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hourly_connection_runs_once_per_slot_and_skips_missed_ones() {
    let (engine, _dir) = engine();
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
    let (engine, _dir) = engine();
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
    let (engine, _dir) = engine();
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
    let (engine, _dir) = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let clock = TestClock::at(slot - time::Duration::minutes(30));
    let events = Arc::new(Recorder::default());
    // The default nap: up to 60 s of real time.
    let handle = scheduler::spawn(engine.clone(), events.clone(), Some(clock.clock()));
    assert_eq!(events.settle().await, 0);

    clock.set(slot + time::Duration::seconds(1));
    assert_eq!(events.settle().await, 0, "still napping");
    engine
        .update_sync_settings(SANDBOX_CONNECTION, settings(HOURLY))
        .unwrap();
    events.wait_for(1).await;
    assert_eq!(
        events.last().1,
        Ok((Trigger::Schedule, RunStatus::Succeeded))
    );
    stop(handle).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_the_loop() {
    let (engine, _dir) = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let clock = TestClock::at(slot - time::Duration::seconds(5));
    let events = Arc::new(Recorder::default());
    let handle = spawn(&engine, &events, &clock);
    assert_eq!(events.settle().await, 0);
    stop(handle).await;

    clock.set(slot + time::Duration::hours(2));
    engine
        .update_sync_settings(SANDBOX_CONNECTION, settings(HOURLY))
        .unwrap();
    assert_eq!(events.settle().await, 0, "a stopped scheduler runs nothing");
    assert!(runs_by(&engine, Trigger::Schedule).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_run_in_history_sets_the_next_slot_unless_it_failed() {
    use icims_namely_core::connection::ConnectionName;
    use icims_namely_core::domain::Counts;
    use icims_namely_core::store::{RunEnd, RunStatus as StoreStatus};
    let (engine, _dir) = engine();
    let slot = complete_sandbox(&engine, HOURLY).await;
    let name = ConnectionName::new(SANDBOX_CONNECTION).unwrap();
    // A run as an earlier process of the app left it in the history.
    let record = |at: OffsetDateTime, status: StoreStatus| {
        let id = engine
            .store()
            .start_run(&name, Trigger::Schedule, false, at)
            .unwrap();
        let end = RunEnd {
            ended_at: at,
            status,
            counts: Counts::default(),
            icims_calls: 0,
            namely_calls: 0,
            error_code: None,
            error: None,
        };
        engine.store().finish_run(id, &end).unwrap();
    };

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
    let (engine, _dir) = engine();
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
