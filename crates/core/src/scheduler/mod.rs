//! Scheduled syncs: one task, `select!` over a timer, a command channel and settings changes
//! (the shape of Atuin's daemon loop). When each connection runs is decided by one pure
//! function, [`crate::schedule::plan_next`], which the views use too; see there for
//! catch-up, no overlap, back-off and the iCIMS budget.
//!
//! - Runs never overlap: the loop runs one sync at a time, and manual runs go through
//!   [`Engine::sync`] too, which refuses a second run of the same connection (`Busy`); a busy
//!   connection is tried again a minute later.
//! - Catch up after sleep: the loop never naps more than a minute at a time and re-reads the
//!   wall clock, so a laptop waking from suspend notices a due sync within a minute, and runs
//!   it once.
//! - Paused schedules ([`Engine::set_schedules_paused`]) run nothing by themselves; "Sync all
//!   now" ([`SchedulerHandle::sync_all_now`]) still runs.
//! - [`SchedulerHandle::shutdown`] (SIGTERM, SIGINT, Quit) stops the run in flight after the
//!   record in flight — it is recorded as cancelled, and the next run goes on from there — and
//!   waits for the loop to end.

mod next;

use next::LastRun;

use crate::api::{RunDetails, RunStatus, SyncProgress};
use crate::domain::Trigger;
use crate::engine::{Engine, EngineError, SyncRequest};
use crate::schedule::{Backoff, NextRun};
use jiff::tz::TimeZone;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::task::JoinHandle;

/// What the scheduler tells its owner (the desktop app forwards it to the window; the
/// headless `run-scheduler` prints it).
pub trait SchedulerEvents: Send + Sync + 'static {
    /// A run of `connection` begins (scheduled, or "Sync all now").
    fn started(&self, connection: &str) {
        let _ = connection;
    }
    fn progress(&self, progress: &SyncProgress);
    fn finished(&self, connection: &str, result: &Result<RunDetails, EngineError>);
}

/// The wall clock, replaceable in tests.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

enum Command {
    Stop,
    SyncAll,
}

/// What the handle and the loop share.
#[derive(Default)]
struct Shared {
    /// Set by [`SchedulerHandle::shutdown`]: start nothing more.
    stopping: AtomicBool,
    /// The flag that stops the run in flight, while one runs.
    in_flight: Mutex<Option<Arc<AtomicBool>>>,
}

impl Shared {
    fn set_in_flight(&self, flag: Option<Arc<AtomicBool>>) {
        if let Ok(mut slot) = self.in_flight.lock() {
            *slot = flag;
        }
    }
}

/// A running scheduler. Dropping it stops the loop after the run in progress; prefer
/// [`SchedulerHandle::stop`] or [`SchedulerHandle::shutdown`], which also wait for it.
pub struct SchedulerHandle {
    tx: mpsc::UnboundedSender<Command>,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl SchedulerHandle {
    /// Stops the loop after any run in progress ends, and waits for it.
    pub async fn stop(self) {
        let _ = self.tx.send(Command::Stop);
        let _ = self.task.await;
    }

    /// Stops the loop now: the run in flight, if any, stops after the record in flight and is
    /// recorded as cancelled (the next run picks up where it stopped). Waits for the loop to
    /// end.
    pub async fn shutdown(self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Ok(slot) = self.shared.in_flight.lock()
            && let Some(flag) = slot.as_ref()
        {
            flag.store(true, Ordering::SeqCst);
        }
        let _ = self.tx.send(Command::Stop);
        let _ = self.task.await;
    }

    /// Runs every connection whose setup is finished once, now, one after another (after the
    /// run in progress, if any), paused schedules or not; each run is reported through
    /// [`SchedulerEvents`]. Asked again before that round has begun, or while it runs, it
    /// is not repeated. `false` when the loop has ended.
    pub fn sync_all_now(&self) -> bool {
        self.tx.send(Command::SyncAll).is_ok()
    }

    /// The loop has ended (stopped, shut down, or the engine went away).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

/// Longest sleep between two looks at the wall clock.
const MAX_NAP: Duration = Duration::from_secs(60);

/// How the loop runs.
#[derive(Debug, Clone)]
pub struct SchedulerOptions {
    /// Longest real-time sleep between two looks at the clock (60 s). Tests that move an
    /// injected clock make it short.
    pub max_nap: Duration,
    /// Only these connections (as [`check_connections`] returns them); `None`: every one.
    pub connections: Option<Vec<String>>,
    /// The time zone of daily times and of "every N hours"; `None`: the engine's
    /// ([`crate::engine::EngineOptions::time_zone`]).
    pub time_zone: Option<TimeZone>,
    /// Counts the loop's idle passes: each time it has looked at its clock, found nothing
    /// due (or schedules paused) and is about to nap. A test that moves an injected clock
    /// waits for this to grow instead of sleeping; `None` (the app) counts nothing.
    pub idle_passes: Option<Arc<AtomicU64>>,
}

impl Default for SchedulerOptions {
    fn default() -> Self {
        Self {
            max_nap: MAX_NAP,
            connections: None,
            time_zone: None,
            idle_passes: None,
        }
    }
}

/// The connections named, as the store spells them; an error naming the first that does not
/// exist. For [`SchedulerOptions::connections`].
pub fn check_connections(engine: &Engine, names: &[String]) -> Result<Vec<String>, EngineError> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let settings = engine.settings(name)?;
        let name = settings.name.to_string();
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
    Ok(out)
}

/// Starts the scheduler loop on the current tokio runtime.
pub fn spawn(
    engine: Engine,
    events: Arc<dyn SchedulerEvents>,
    clock: Option<Clock>,
) -> SchedulerHandle {
    spawn_with_options(engine, events, clock, SchedulerOptions::default())
}

/// [`spawn`] with explicit options.
pub fn spawn_with_options(
    engine: Engine,
    events: Arc<dyn SchedulerEvents>,
    clock: Option<Clock>,
    options: SchedulerOptions,
) -> SchedulerHandle {
    let clock: Clock = clock.unwrap_or_else(|| Arc::new(OffsetDateTime::now_utc));
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared::default());
    let zone = options
        .time_zone
        .clone()
        .unwrap_or_else(|| engine.options().time_zone.clone());
    let only = options
        .connections
        .as_ref()
        .map(|names| names.iter().map(|n| n.trim().to_lowercase()).collect());
    let sched = Loop {
        engine,
        events,
        clock,
        zone,
        only,
        max_nap: options.max_nap,
        idle_passes: options.idle_passes,
        shared: shared.clone(),
        backoff: HashMap::new(),
        last: HashMap::new(),
    };
    let task = tokio::spawn(sched.run(rx));
    SchedulerHandle { tx, shared, task }
}

/// The loop and what it remembers, per connection key (lowercased name).
struct Loop {
    engine: Engine,
    events: Arc<dyn SchedulerEvents>,
    clock: Clock,
    zone: TimeZone,
    only: Option<HashSet<String>>,
    max_nap: Duration,
    idle_passes: Option<Arc<AtomicU64>>,
    shared: Arc<Shared>,
    backoff: HashMap<String, Backoff>,
    /// The last run this loop made that counts, on its clock.
    last: HashMap<String, LastRun>,
}

/// What to do after looking at the commands.
enum Next {
    Go,
    SyncAll,
    Stop,
}

impl Loop {
    /// Reads the commands that came in without waiting.
    fn poll(&self, rx: &mut mpsc::UnboundedReceiver<Command>) -> Next {
        let mut next = Next::Go;
        loop {
            match rx.try_recv() {
                Ok(Command::Stop) | Err(TryRecvError::Disconnected) => return Next::Stop,
                Ok(Command::SyncAll) => next = Next::SyncAll,
                Err(TryRecvError::Empty) => break,
            }
        }
        if self.shared.stopping.load(Ordering::SeqCst) {
            return Next::Stop;
        }
        next
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Command>) {
        let mut changes = self.engine.schedule_changes();
        let mut sync_all = false;
        loop {
            match self.poll(&mut rx) {
                Next::Stop => return,
                Next::SyncAll => sync_all = true,
                Next::Go => {}
            }
            if std::mem::take(&mut sync_all) {
                if !self.sync_all(&mut rx).await {
                    return;
                }
                continue;
            }
            let now = (self.clock)();
            let plans = if self.engine.schedules_paused() {
                Vec::new()
            } else {
                self.plans(now)
            };
            if let Some((name, _)) = plans
                .iter()
                .filter(|(_, next)| next.is_due(now))
                .min_by_key(|(_, next)| next.at)
            {
                let name = name.clone();
                self.run_one(&name, Trigger::Schedule).await;
                continue;
            }
            let nap = plans
                .iter()
                .map(|(_, next)| next.at - now)
                .min()
                .and_then(|d| Duration::try_from(d).ok())
                .unwrap_or(self.max_nap)
                .min(self.max_nap);
            if let Some(passes) = &self.idle_passes {
                passes.fetch_add(1, Ordering::SeqCst);
            }
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                changed = changes.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                cmd = rx.recv() => match cmd {
                    Some(Command::SyncAll) => sync_all = true,
                    Some(Command::Stop) | None => return,
                },
            }
        }
    }

    /// The connections this loop runs: set up, and among those asked for.
    fn connections(&self) -> Vec<crate::connection::ConnectionSettings> {
        let list = match self.engine.store().list_connections() {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(error = %e, "the scheduler could not list the connections");
                return Vec::new();
            }
        };
        list.into_iter()
            .filter(|s| self.only.as_ref().is_none_or(|o| o.contains(&s.name.key())))
            .filter(|s| next::setup_complete(self.engine.store(), s))
            .collect()
    }

    /// When each connection with a schedule is next due.
    fn plans(&self, now: OffsetDateTime) -> Vec<(String, NextRun)> {
        let mut out = Vec::new();
        for settings in self.connections() {
            let key = settings.name.key();
            let backoff = self.backoff.get(&key).and_then(|b| b.until);
            let memory = self.last.get(&key).copied();
            match next::plan_for(&self.engine, &settings, &self.zone, now, memory, backoff) {
                Ok(Some(next)) => out.push((settings.name.to_string(), next)),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(connection = %settings.name, error = %e, "could not plan the next scheduled sync");
                }
            }
        }
        out
    }

    /// "Sync all now": each set-up connection once, in turn. `false` when asked to stop.
    async fn sync_all(&mut self, rx: &mut mpsc::UnboundedReceiver<Command>) -> bool {
        for settings in self.connections() {
            if matches!(self.poll(rx), Next::Stop) {
                return false;
            }
            self.run_one(settings.name.as_str(), Trigger::Manual).await;
        }
        // Asked again while this round ran: that is this round.
        !matches!(self.poll(rx), Next::Stop)
    }

    /// One run, reported, remembered; a failed scheduled run backs off.
    async fn run_one(&mut self, name: &str, trigger: Trigger) {
        let flag = Arc::new(AtomicBool::new(false));
        self.shared.set_in_flight(Some(flag.clone()));
        // Checked after the flag is visible to `shutdown`, so that no run starts unseen.
        if self.shared.stopping.load(Ordering::SeqCst) {
            self.shared.set_in_flight(None);
            return;
        }
        let started = (self.clock)();
        self.events.started(name);
        let events = self.events.clone();
        let progress = move |p: &SyncProgress| events.progress(p);
        let request = SyncRequest::sync(trigger);
        let result = self.engine.sync(name, request, &progress, Some(flag)).await;
        self.shared.set_in_flight(None);
        let ended = (self.clock)();
        let busy = matches!(result, Err(EngineError::Busy(_)));
        if let Err(e) = &result
            && !busy
            && let Err(store_err) = self.engine.record_failed_start(name, trigger, e)
        {
            tracing::warn!(connection = %name, error = %store_err, "could not record a sync that could not start");
        }
        let failed = match &result {
            Ok(d) => matches!(d.summary.status, RunStatus::Failed | RunStatus::NotStarted),
            Err(_) => !busy,
        };
        let key = name.to_lowercase();
        if busy {
            if trigger == Trigger::Schedule {
                // A manual run (or another process) is syncing it; look again in a minute.
                let b = self.backoff.entry(key).or_default();
                b.until = Some(ended + time::Duration::minutes(1));
            }
        } else if failed {
            if trigger == Trigger::Schedule {
                let b = self.backoff.entry(key).or_default();
                b.failed(ended, ended.unix_timestamp_nanos() as u64);
                tracing::warn!(connection = %name, failures = b.failures, "scheduled sync failed; backing off");
            }
        } else {
            self.backoff.remove(&key);
            self.last.insert(
                key,
                LastRun {
                    start: started,
                    end: ended,
                },
            );
        }
        self.events.finished(name, &result);
        // Unattended machines: the connection's webhook hears of failed runs and broken setup
        // (once per state; delivery problems are logged, never fail the run).
        self.engine.send_alerts(name, &result).await;
    }
}
