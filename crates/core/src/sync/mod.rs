//! One sync run: iCIMS hires → exactly one active Namely profile each.
//!
//! The engine (`crate::engine`) calls [`run_sync`] and nothing else. The run follows "How one
//! hire travels" in `docs/ARCHITECTURE.md`:
//!
//! 0. **Pre-flight** (in the engine, `engine/preflight.rs`, before this module runs): the token
//!    is the owner's, the owner an active Administrator who sees `icims_id`, the iCIMS
//!    credentials sign; otherwise the run is recorded as not started.
//! 1. **Read** ([`read`]): search the hired recruiting workflows updated since the watermark
//!    minus an overlap of [`icims::assumptions::UPDATED_SINCE_OVERLAP_HOURS`] (13 hours: safe
//!    even if iCIMS reads the date in a local time zone; on the first run, since the
//!    connection's start-from date minus [`icims::assumptions::HIRED_BEFORE_START_MAX_DAYS`]:
//!    never the whole hiring history), paged by id. Workflows whose person is already in
//!    Namely are skipped without a call; a window an earlier run stopped inside goes on after the last
//!    workflow it handled (`Store::read_position`). GET each other workflow and
//!    each person once — [`SyncOptions::icims_concurrency`] reads in flight at once (4 by
//!    default, a setting of the connection) — and a job only when no workflow names its
//!    title (`baseprofile.value`), once per run. Some persons are looked at
//!    again even outside the date window (editing a person in iCIMS does not change the
//!    workflow's `updateddate`, so a fixed email would otherwise never be seen): those with an
//!    open create intent, those whose latest outcome is `failed` (every run), and those whose
//!    latest outcome is `invalid` or `needs_review` recorded at least
//!    [`SyncOptions::reread_after`] ago (default a day, to spare the iCIMS daily budget). At
//!    most [`MAX_REREADS_PER_RUN`] per run: open intents first, then the oldest records; the
//!    rest wait for the next runs. Each of them, and each person of "Retry failed", costs one
//!    search for *their* hired workflows first: someone no longer hired (offer rescinded) is
//!    not read, not created and not recorded. Every iCIMS call is checked against the daily
//!    budget
//!    (`x-ratelimit-remaining`, saved with `Store::record_icims_budget`); below the margin, or
//!    on a 429, reading stops cleanly and the run ends `stopped_budget`.
//! 2. **Index** ([`index`]): what we know of Namely's profiles (`icims_id` and emails → profile)
//!    lives in the local store. It is built from a full listing of `GET /profiles` (every
//!    status counts) the first time and whenever that listing is older than
//!    [`FULL_INDEX_MAX_AGE`] (7 days); on every other run it is refreshed *incrementally*
//!    from the profiles Namely lists as changed since the last refresh (`sort=-updated_at`,
//!    usually one GET), and it also learns from this app's own creates and lookups.
//! 3. **Plan**: [`crate::plan::plan`] decides Create / AlreadyInNamely / LeftOut (started before
//!    the start-from date) / NeedsReview (email taken, or a possible match) / Invalid.
//!    A dry run records the plan (Create as `would_create`) and stops: nothing is written to
//!    Namely and the watermark does not move.
//! 4. **Apply** ([`apply_all`], [`apply`]), [`SyncOptions::namely_concurrency`] creates in
//!    flight at once (2), in batches of [`CREATE_BATCH`] with the index refreshed between
//!    batches when it is older than [`SyncOptions::index_fresh_for`]: a create intent in the
//!    store, the POST, and after any answer that leaves open whether Namely created the
//!    profile, a lookup before anything else. A live *guard lookup* by email before the POST
//!    only where the fresh index cannot tell (an open intent; or always, with
//!    [`GuardLookups::Always`]).
//! 5. **Record**: every hire's outcome, the run's counts and calls, and the watermark —
//!    advanced, when every hire of the date window was read and handled, to iCIMS's clock
//!    (the `Date` header) at the window's first search; when the window was not finished
//!    (budget, iCIMS failing), the position inside it instead.
//!
//! # Why the index may be stale, and why that is harmless
//!
//! Listing every profile costs one throttled `GET /profiles` per 50 profiles (100 a minute),
//! so it is done weekly, not on every run; the incremental refresh in between sees what
//! changed in Namely since the last run. The index can still miss a profile changed *during*
//! the run, or a change that did not move the profile's `updated_at`. The plan uses the index
//! only to *avoid* work (AlreadyInNamely) or to *hold back* (NeedsReview); a stale index can
//! only turn such a case into a `Create`. The index is refreshed right before planning and
//! again between batches of creates once it is [`SyncOptions::index_fresh_for`] old (10
//! minutes), so what it cannot show is a change made in Namely in the last minutes, or
//! one that did not move the profile's `updated_at`
//! (`namely::assumptions::UPDATED_AT_MOVES_ON_EVERY_CHANGE`, unverified; with it false, every
//! create is looked up live by company and personal email first, as before). The intent
//! table adds what Namely's reads may not show yet: a person whose create Namely confirmed
//! (a `done` intent) counts as in Namely even when a run died before recording them. A
//! duplicate could therefore only arise for a profile HR made for this hire in the minutes
//! before the create; Namely refusing a taken company email (422) is then looked up and
//! becomes NeedsReview. The weekly full listing shows what a change without a new
//! `updated_at` would hide. The dry run uses the index alone, like a real run.
//!
//! # Exactly once, even across crashes and ambiguous answers
//!
//! A create intent is written *before* each POST and closed after it
//! (`done` / `failed` / `unknown`). An answer that leaves open whether Namely created the
//! profile (timeout, 5xx, reset, unreadable 2xx) is looked up once; if the profile does not
//! show, the intent stays open and the hire is recorded *unconfirmed*. An open intent — that,
//! or a process that died during the POST — is cleared by absence only once Namely has shown
//! nobody, by `icims_id` (the index refresh) and by email, at least
//! [`SyncOptions::settle_time`] (15 minutes) after the POST: reads may lag behind writes, and
//! the store refuses a new intent while one is open, so there is no path to a second POST
//! without that. The email lookup fails closed: an answer listing other people's profiles
//! (the filter ignored) stops the creates. And one sync at a time runs per Namely company and
//! iCIMS customer (the engine's lock).

// One file per step: `read.rs` (1, with `budget.rs`, iCIMS's daily call budget, and
// `person.rs`, an iCIMS person as a `Hire`), `index.rs` (2, with `paging.rs`, how listings
// page), `crate::plan` (3), `apply_all.rs` and `apply.rs` (4, the plan and one create, with
// `halt.rs`, why applying stops, and `optional.rs`, parts Namely may refuse),
// `record.rs` (the words of every record), and `runner.rs`, which runs them in order.
mod apply;
mod apply_all;
mod budget;
mod halt;
mod index;
mod lookup;
mod optional;
mod paging;
mod person;
mod read;
mod read_state;
mod read_stop;
mod record;
mod reread;
mod runner;

use crate::api::{SyncPhase, SyncProgress};
use crate::connection::ConnectionSettings;
use crate::domain::{Counts, IcimsPersonId, RunErrorCode, Trigger};
use crate::store::{RunId, RunStatus, Store, StoreError};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub use apply_all::{CREATE_BATCH, GuardLookups, INDEX_FRESH_FOR};
pub use index::entry_from_profile;
pub use runner::run_sync;

/// A full listing of Namely profiles older than this (7 days) is redone before planning;
/// younger, the index is refreshed incrementally (see [`index`]).
pub const FULL_INDEX_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How far before the last refresh an incremental refresh of the index reads back (5
/// minutes): Namely's `updated_at` comes from Namely's clock, the refresh time from ours.
pub const INDEX_REFRESH_OVERLAP: Duration = Duration::from_secs(5 * 60);

/// Most persons looked at again outside the date window in one run (each costs up to two
/// iCIMS calls: a search of their hired workflows and the person).
pub const MAX_REREADS_PER_RUN: usize = 200;

/// How long an `invalid` or `needs_review` outcome stands before the person is read again
/// (the default of [`SyncOptions::reread_after`]).
pub const DEFAULT_REREAD_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a create Namely did not confirm must stay unseen before it is sent again (15
/// minutes): reads can lag behind writes, and a gateway may answer 5xx after Namely saved.
pub const UNCONFIRMED_SETTLE_TIME: Duration = Duration::from_secs(15 * 60);

/// The Namely custom field name used when setup has not recorded one.
pub const DEFAULT_ICIMS_FIELD_NAME: &str = "icims_id";

/// What a run works with. Built by the engine for one connection.
#[derive(Clone, Copy)]
pub struct SyncContext<'a> {
    pub store: &'a Store,
    pub settings: &'a ConnectionSettings,
    pub icims: &'a icims::Client,
    pub namely: &'a namely::Client,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub trigger: Trigger,
    /// Record the plan only: nothing is written to Namely, the watermark stays.
    pub dry_run: bool,
    /// "Retry failed": read just these iCIMS persons — those still hired (no date-window
    /// search, no watermark change).
    pub only_persons: Option<Vec<IcimsPersonId>>,
    /// Stop reading iCIMS when fewer calls than this are left today. Default 200.
    pub budget_margin: u64,
    /// How far before the watermark the search starts: iCIMS search results may lag, and the
    /// time zone iCIMS reads the date in is unverified. Default
    /// [`icims::assumptions::UPDATED_SINCE_OVERLAP_HOURS`] (13 hours).
    pub overlap: Duration,
    /// How long after an unconfirmed create (timeout, 5xx, reset, unreadable answer) Namely
    /// must keep showing nobody — by `icims_id` and by email — before the person is sent
    /// again. Default [`UNCONFIRMED_SETTLE_TIME`].
    pub settle_time: Duration,
    /// A person whose latest outcome is `invalid` or `needs_review` is read again, outside the
    /// date window, once that record is at least this old. Default [`DEFAULT_REREAD_AFTER`].
    pub reread_after: Duration,
    /// Set to `true` to stop the run between two calls.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Hires a person reviewed and chose to create although a possible match exists.
    pub create_anyway: BTreeSet<IcimsPersonId>,
    /// The run already recorded as started (by the pre-flight), and when; `None` starts one.
    pub run: Option<(RunId, time::OffsetDateTime)>,
    /// iCIMS reads kept in flight at once. Default
    /// [`icims::assumptions::READ_CONCURRENCY`] (4); a connection may set its own.
    pub icims_concurrency: usize,
    /// Namely creates kept in flight at once. Default [`NAMELY_CREATE_CONCURRENCY`] (2).
    pub namely_concurrency: usize,
    /// When a create is preceded by a live lookup by email (see [`GuardLookups`]).
    pub guard_lookups: GuardLookups,
    /// How old the index may be when a batch of creates starts; older, it is refreshed
    /// first. Default [`INDEX_FRESH_FOR`] (10 minutes).
    pub index_fresh_for: Duration,
}

/// Namely creates kept in flight at once (2): Namely documents no limit on `POST /profiles`,
/// and each create carries its own intent, so two at a time are as exact as one; more would
/// mostly add load on a tenant's only write path.
pub const NAMELY_CREATE_CONCURRENCY: usize = 2;

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            trigger: Trigger::Manual,
            dry_run: false,
            only_persons: None,
            budget_margin: 200,
            overlap: Duration::from_secs(icims::assumptions::UPDATED_SINCE_OVERLAP_HOURS * 3600),
            settle_time: UNCONFIRMED_SETTLE_TIME,
            reread_after: DEFAULT_REREAD_AFTER,
            cancel: None,
            create_anyway: BTreeSet::new(),
            run: None,
            icims_concurrency: icims::assumptions::READ_CONCURRENCY,
            namely_concurrency: NAMELY_CREATE_CONCURRENCY,
            guard_lookups: GuardLookups::default(),
            index_fresh_for: INDEX_FRESH_FOR,
        }
    }
}

/// How a run ended. Vendor failures end up here (status and `error`), not in [`SyncError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    /// The run in the store's history.
    pub run_id: RunId,
    pub status: RunStatus,
    pub counts: Counts,
    /// Why the run failed or stopped early, as a code.
    pub error_code: Option<RunErrorCode>,
    /// What went wrong and what to do, in plain words, when the run failed or stopped early.
    pub error: Option<String>,
}

/// A run that could not even be recorded: the local database failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "The sync could not be recorded because the local database failed ({0}). Nothing was \
         sent to Namely after the failure; check that the disk is not full and try again."
    )]
    Store(#[from] StoreError),
}

// ---------------------------------------------------------------------------------------------
// Shared helpers of the submodules
// ---------------------------------------------------------------------------------------------

/// Attempts for one iCIMS read that fails with a 5xx or on the network.
const ICIMS_ATTEMPTS: u32 = 3;
/// Attempts for one Namely lookup (GET) that fails with a 5xx, on the network or unreadably.
const NAMELY_LOOKUP_ATTEMPTS: u32 = 3;

/// Pause before retry number `attempt` (1-based) of a failed call: 200 ms, 600 ms, 1.8 s…
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200 * 3u64.saturating_pow(attempt.saturating_sub(1)))
}

/// Whether the caller asked the run to stop.
fn cancelled(cancel: Option<&AtomicBool>) -> bool {
    cancel.is_some_and(|c| c.load(Ordering::Relaxed))
}

/// Live progress and the running counts.
pub(crate) struct Reporter<'a> {
    connection: String,
    run_id: i64,
    callback: &'a (dyn Fn(&SyncProgress) + Send + Sync),
    counts: Counts,
}

impl<'a> Reporter<'a> {
    fn new(
        connection: String,
        run_id: i64,
        callback: &'a (dyn Fn(&SyncProgress) + Send + Sync),
    ) -> Self {
        Self {
            connection,
            run_id,
            callback,
            counts: Counts::default(),
        }
    }

    fn report(&self, phase: SyncPhase, done: usize, total: Option<usize>) {
        self.report_with_eta(phase, done, total, None);
    }

    /// Progress with an estimate of the seconds left in this phase.
    fn report_with_eta(
        &self,
        phase: SyncPhase,
        done: usize,
        total: Option<usize>,
        seconds_left: Option<u32>,
    ) {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (self.callback)(&SyncProgress {
            connection: self.connection.clone(),
            run_id: self.run_id,
            phase,
            done: clamp(done),
            total: total.map(clamp),
            counts: self.counts,
            seconds_left,
        });
    }
}

/// The Namely client with a count of the requests this run made (throttle retries inside the
/// client are not counted).
pub(crate) struct Namely<'a> {
    client: &'a namely::Client,
    calls: AtomicU64,
}

impl<'a> Namely<'a> {
    fn new(client: &'a namely::Client) -> Self {
        Self {
            client,
            calls: AtomicU64::new(0),
        }
    }

    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}
