//! The scheduler tests' harness: an engine over the in-app sandbox, a clock the test moves,
//! and a recorder of what the scheduler reports.
//!
//! The loop naps at most `max_nap` of real time between two looks at its clock; the tests
//! make that short so that moving the clock is noticed at once (some keep the 60 s nap and
//! rely on a change to wake the loop). No test sleeps a fixed time: waits are on conditions
//! (polled every 10 ms, with a deadline), and "nothing more happens" is the loop's own count
//! of idle passes ([`SchedulerOptions::idle_passes`]): two since the clock was moved means it
//! has looked at the moved clock and found nothing due ([`Recorder::settle`]).

#![allow(dead_code)]

#[path = "../quick/mod.rs"]
mod quick;

use icims_namely_core::api::{
    ErrorCode, IcimsInput, IcimsRegion, RunDetails, RunStatus, RunSummary, Schedule, SyncProgress,
    SyncSettingsInput,
};
use icims_namely_core::connection::ConnectionName;
use icims_namely_core::domain::{Counts, Trigger};
use icims_namely_core::engine::{
    Engine, EngineError, EngineOptions, SANDBOX_CONNECTION, SyncRequest,
};
use icims_namely_core::paths::DataDir;
use icims_namely_core::scheduler::{
    self, Clock, SchedulerEvents, SchedulerHandle, SchedulerOptions,
};
use icims_namely_core::secrets::Secrets;
use icims_namely_core::store::{RunEnd, RunStatus as StoreStatus};
use icims_namely_sandbox_host::InProcessSandbox;
use secrecy::SecretString;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// One finished run as the scheduler reported it: the connection, and how the run went or
/// the error's code.
pub type Finished = (String, Result<(Trigger, RunStatus), ErrorCode>);

/// What the scheduler reported.
#[derive(Default)]
pub struct Recorder {
    pub finished: Mutex<Vec<Finished>>,
    pub started: Mutex<Vec<String>>,
    pub progress: AtomicUsize,
    /// The loop's idle passes ([`SchedulerOptions::idle_passes`]), when spawned by this
    /// harness.
    pub passes: Arc<AtomicU64>,
    /// [`Recorder::passes`] when the last run finished.
    pub passes_at_finish: AtomicU64,
}

impl SchedulerEvents for Recorder {
    fn started(&self, connection: &str) {
        self.started.lock().unwrap().push(connection.to_string());
    }

    fn progress(&self, _: &SyncProgress) {
        self.progress.fetch_add(1, Ordering::SeqCst);
    }

    fn finished(&self, connection: &str, result: &Result<RunDetails, EngineError>) {
        self.passes_at_finish
            .store(self.passes.load(Ordering::SeqCst), Ordering::SeqCst);
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

/// Waits (up to `secs` seconds) until `done` holds.
pub async fn wait_until(secs: u64, what: &str, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {secs} s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl Recorder {
    pub fn count(&self) -> usize {
        self.finished.lock().unwrap().len()
    }

    pub fn started_count(&self) -> usize {
        self.started.lock().unwrap().len()
    }

    pub fn last(&self) -> Finished {
        self.finished.lock().unwrap().last().cloned().unwrap()
    }

    /// Waits (up to 10 s) until `n` runs have finished.
    pub async fn wait_for(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
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

    /// Idle passes of the loop so far.
    pub fn passes(&self) -> u64 {
        self.passes.load(Ordering::SeqCst)
    }

    /// Waits (up to 10 s) until the loop has made `n` idle passes in all.
    pub async fn wait_passes(&self, n: u64) {
        wait_until(10, &format!("{n} idle passes of the loop"), || {
            self.passes() >= n
        })
        .await;
    }

    /// Waits until the loop has made an idle pass since the last run finished — it looked at
    /// its clock after that run and found nothing due — then says how many runs finished. For
    /// a loop napping 60 s, which makes one such pass after a run and then naps.
    pub async fn idle_after_last_run(&self) -> usize {
        wait_until(10, "an idle pass of the loop after the last run", || {
            self.passes() > self.passes_at_finish.load(Ordering::SeqCst)
        })
        .await;
        self.count()
    }

    /// Waits until the loop has made two more idle passes, then says how many runs finished.
    /// The second of them looked at the clock after this call began — after any move of the
    /// clock before it — found nothing due, and napped; a run that was due has finished
    /// before it. For a loop with the short nap of [`quick`]; a loop napping 60 s makes its
    /// next pass only when woken ([`Recorder::wait_passes`]).
    pub async fn settle(&self) -> usize {
        let from = self.passes();
        self.wait_passes(from + 2).await;
        self.count()
    }
}

/// A clock the test sets, in unix seconds.
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn at(t: OffsetDateTime) -> Self {
        Self(Arc::new(AtomicI64::new(t.unix_timestamp())))
    }

    pub fn clock(&self) -> Clock {
        let secs = self.0.clone();
        Arc::new(move || OffsetDateTime::from_unix_timestamp(secs.load(Ordering::SeqCst)).unwrap())
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0.load(Ordering::SeqCst)).unwrap()
    }

    pub fn set(&self, t: OffsetDateTime) {
        self.0.store(t.unix_timestamp(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: time::Duration) {
        self.0.fetch_add(by.whole_seconds(), Ordering::SeqCst);
    }
}

/// An engine over a fresh data folder and the in-app sandbox, its schedules in UTC.
pub struct TestEngine {
    pub engine: Engine,
    pub sandbox: Arc<InProcessSandbox>,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestEngine {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

pub fn engine() -> TestEngine {
    engine_in(jiff::tz::TimeZone::UTC)
}

pub fn engine_in(time_zone: jiff::tz::TimeZone) -> TestEngine {
    let dir = quick::data_dir("data");
    let sandbox = Arc::new(InProcessSandbox::new());
    let options = EngineOptions {
        clients: quick::clients(),
        sandbox: Some(sandbox.clone()),
        time_zone,
        ..EngineOptions::default()
    };
    let engine = Engine::open(DataDir::new(dir.path()), Secrets::mock(), None, options).unwrap();
    TestEngine {
        engine,
        sandbox,
        _dir: dir,
    }
}

pub fn settings(schedule: Schedule) -> SyncSettingsInput {
    SyncSettingsInput {
        hired_statuses: vec!["Hired".into()],
        schedule,
        start_from: None,
        icims_concurrency: None,
    }
}

pub const HOURLY: Schedule = Schedule::EveryHours(1);

/// The in-app sandbox, set up completely (first real sync included) with `schedule`.
/// Returns when the next hourly slot (UTC) after that first sync is.
pub async fn complete_sandbox(engine: &Engine, schedule: Schedule) -> OffsetDateTime {
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
        hmac_key: Some(info.icims_hmac_key.clone().into()),
    };
    assert!(engine.save_icims(name, &input).await.unwrap().passed);
    engine
        .update_sync_settings(name, settings(schedule))
        .unwrap();
    let first = engine
        .sync(
            name,
            SyncRequest::sync(Trigger::Manual),
            &|_: &SyncProgress| {},
            None,
        )
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

pub fn top_of_next_hour(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_time(time::Time::from_hms(t.hour(), 0, 0).unwrap()) + time::Duration::HOUR
}

/// Options with a 10 ms nap.
pub fn quick() -> SchedulerOptions {
    SchedulerOptions {
        max_nap: Duration::from_millis(10),
        ..SchedulerOptions::default()
    }
}

pub fn spawn(engine: &Engine, events: &Arc<Recorder>, clock: &TestClock) -> SchedulerHandle {
    spawn_with(engine, events, clock, quick())
}

/// The loop as the app runs it: up to 60 s of real time between two looks at the clock.
pub fn spawn_napping(
    engine: &Engine,
    events: &Arc<Recorder>,
    clock: &TestClock,
) -> SchedulerHandle {
    spawn_with(engine, events, clock, SchedulerOptions::default())
}

/// Spawns the loop with `options`, its idle passes counted into `events`.
pub fn spawn_with(
    engine: &Engine,
    events: &Arc<Recorder>,
    clock: &TestClock,
    options: SchedulerOptions,
) -> SchedulerHandle {
    let options = SchedulerOptions {
        idle_passes: Some(events.passes.clone()),
        ..options
    };
    scheduler::spawn_with_options(engine.clone(), events.clone(), Some(clock.clock()), options)
}

pub fn runs_by(engine: &Engine, trigger: Trigger) -> Vec<RunSummary> {
    engine
        .runs(SANDBOX_CONNECTION, 100)
        .unwrap()
        .into_iter()
        .filter(|r| r.trigger == trigger)
        .collect()
}

pub async fn stop(handle: SchedulerHandle) {
    tokio::time::timeout(Duration::from_secs(10), handle.stop())
        .await
        .expect("the scheduler stops");
}

/// A real run of the sandbox connection in the history, as an earlier process left it.
pub fn record_run(engine: &Engine, at: OffsetDateTime, status: StoreStatus, icims_calls: u64) {
    let name = ConnectionName::new(SANDBOX_CONNECTION).unwrap();
    let id = engine
        .store()
        .start_run(&name, Trigger::Schedule, false, at)
        .unwrap();
    let end = RunEnd {
        ended_at: at + time::Duration::seconds(30),
        status,
        counts: Counts::default(),
        icims_calls,
        namely_calls: 0,
        error_code: None,
        error: None,
    };
    engine.store().finish_run(id, &end).unwrap();
}

/// The sandbox's dashboard card.
pub fn card(engine: &Engine) -> icims_namely_core::api::ConnectionSummary {
    engine
        .list_connections()
        .unwrap()
        .into_iter()
        .find(|c| c.name == SANDBOX_CONNECTION)
        .unwrap()
}
