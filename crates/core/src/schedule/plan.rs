//! When a connection runs next: one pure function, [`plan_next`], used by the scheduler loop
//! and by the views (the dashboard's "Next sync", `connection show`), so both say the same.
//!
//! - **Catch-up**: the next run is counted from the last run that counts (the anchor), so a
//!   computer that slept through many slots finds one run due when it wakes — one, not one
//!   per missed slot — and the run after it is counted from that catch-up run.
//! - **No overlap**: a run that outlasts its interval never has a second one started beside
//!   it (the loop runs one at a time). When the run was still going at the slot after its
//!   start, that slot is dropped and the next is counted from when the run *ended*: every N
//!   minutes, N minutes after the end; on the clock, the first slot after the end. Runs never
//!   pile up back to back.
//! - **Back-off**: a failed run is no anchor; the retry waits 1, 2, 4 … 60 minutes (plus up
//!   to 30 s of jitter) after each failure in a row.
//! - **Budget**: when the runs of a day would spend more iCIMS calls than iCIMS allows (less
//!   the engine's margin), the interval stretches to fit, in whole minutes, and [`Stretch`]
//!   says why in words. A daily schedule never stretches; when one run alone does not fit,
//!   the words say so.

use super::{MINUTES_A_DAY, Schedule};
use jiff::tz::TimeZone;
use time::{Duration, OffsetDateTime};

/// iCIMS's usual daily limit of API calls, when no reply has told the connection its own.
pub const USUAL_ICIMS_DAILY_LIMIT: u64 = 10_000;

/// iCIMS calls a run is expected to make before any run has said: modest (a search and the
/// reading of a few dozen hires).
pub const DEFAULT_CALLS_PER_RUN: u64 = 100;

/// What the planner needs to know of one connection.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    pub schedule: Schedule,
    /// The computer's time zone: daily times and the hours of "every N hours" are its
    /// wall-clock times.
    pub zone: &'a TimeZone,
    /// When the last run that counts started: the newest real (not dry) run that did not fail
    /// or fail to start; without one, when the connection was added.
    pub anchor: OffsetDateTime,
    /// When that run ended (`now` while it still runs); `None` when unknown.
    pub anchor_end: Option<OffsetDateTime>,
    pub now: OffsetDateTime,
    /// No run before this: failures in a row are backing off.
    pub backoff_until: Option<OffsetDateTime>,
    pub budget: BudgetFit,
}

/// What the iCIMS budget allows a connection's schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetFit {
    /// iCIMS calls one run is expected to make (see [`calls_per_run`]).
    pub calls_per_run: u64,
    /// iCIMS's daily limit, as the connection's last reply said, else the usual 10,000.
    pub daily_limit: u64,
    /// Calls kept in reserve (the engine's `budget_margin`): a run stops when fewer remain.
    pub margin: u64,
}

impl BudgetFit {
    /// Calls a day the schedule may spend.
    pub fn allowed(&self) -> u64 {
        self.daily_limit.saturating_sub(self.margin).max(1)
    }
}

/// When a connection runs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextRun {
    /// When the run is due, in UTC; in the past (or `now`) when it is due now.
    pub at: OffsetDateTime,
    /// Set when the iCIMS budget stretched the schedule, or cannot fit it.
    pub stretched: Option<Stretch>,
    /// The run waits for a failure's back-off.
    pub backing_off: bool,
}

impl NextRun {
    pub fn is_due(&self, now: OffsetDateTime) -> bool {
        self.at <= now
    }
}

/// A schedule the iCIMS budget does not allow as set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    /// Minutes between two runs after stretching; `None` when the schedule keeps its times
    /// (a daily schedule, whose one run does not fit).
    pub every_minutes: Option<u32>,
    /// iCIMS calls a day the schedule as set would make.
    pub calls_a_day: u64,
    pub daily_limit: u64,
    /// Why, for a person: "Every 5 minutes would use about 28,800 iCIMS calls a day; iCIMS
    /// allows 10,000, so syncs run every 15 minutes."
    pub message: String,
}

/// The iCIMS calls a run is expected to make, from the calls of recent finished runs (newest
/// first; only the first ten count): their lower median. A typical run, not the largest: the
/// first sync of a connection reads everyone from the start-from date (often thousands of
/// calls) once, and counting it as typical would stretch the schedule for days, until ten
/// small runs outweighed it; from the second run on, the median is a small run. A day that
/// costs more than planned is still safe: a sync stops at the budget margin. Without history,
/// [`DEFAULT_CALLS_PER_RUN`].
pub fn calls_per_run(recent: &[u64]) -> u64 {
    let mut calls: Vec<u64> = recent.iter().copied().take(10).collect();
    if calls.is_empty() {
        return DEFAULT_CALLS_PER_RUN;
    }
    calls.sort_unstable();
    calls[(calls.len() - 1) / 2]
}

/// How the budget stretches `schedule`, if it must.
pub fn stretch(schedule: Schedule, budget: BudgetFit) -> Option<Stretch> {
    let runs = schedule.runs_a_day();
    let per_run = budget.calls_per_run;
    let calls_a_day = runs.saturating_mul(per_run);
    let allowed = budget.allowed();
    if runs == 0 || calls_a_day <= allowed {
        return None;
    }
    let limit = thousands(budget.daily_limit);
    let too_big = format!(
        "One sync uses about {} iCIMS calls, more than the {limit} iCIMS allows in a day",
        thousands(per_run)
    );
    let nominal = schedule.interval_minutes().unwrap_or(MINUTES_A_DAY);
    let (every_minutes, message) = if per_run > allowed {
        // Not even one run a day fits: at most once a day, each run stopping at the margin.
        let every = (nominal < MINUTES_A_DAY).then_some(MINUTES_A_DAY);
        let message = match every {
            Some(_) => format!(
                "{too_big}, so syncs run once a day; each may stop early, and the next goes on \
                 where it stopped."
            ),
            None => format!(
                "{too_big}: each sync may stop early, and the next goes on where it stopped."
            ),
        };
        (every, message)
    } else {
        // Whole minutes such that a day's runs fit: ceil(1440 × calls per run / allowed),
        // at most a day since one run fits.
        let needed = u64::from(MINUTES_A_DAY)
            .saturating_mul(per_run)
            .div_ceil(allowed);
        let minutes = u32::try_from(needed)
            .unwrap_or(MINUTES_A_DAY)
            .min(MINUTES_A_DAY);
        if minutes <= nominal {
            return None;
        }
        let would = format!(
            "{schedule} would use about {} iCIMS calls a day; iCIMS allows {limit}",
            thousands(calls_a_day)
        );
        (
            Some(minutes),
            format!("{would}, so syncs run {}.", every_words(minutes)),
        )
    };
    Some(Stretch {
        every_minutes,
        calls_a_day,
        daily_limit: budget.daily_limit,
        message,
    })
}

/// When the connection runs next; `None` when its schedule is off. Pure: the same input
/// always gives the same answer (see the module for the rules).
pub fn plan_next(input: &PlanInput<'_>) -> Option<NextRun> {
    if input.schedule == Schedule::Off {
        return None;
    }
    let stretched = stretch(input.schedule, input.budget);
    let every = stretched.as_ref().and_then(|s| s.every_minutes);
    let slot_after = |t: OffsetDateTime| match every {
        Some(m) => Some(t + Duration::minutes(i64::from(m))),
        None => input.schedule.next_slot(t, input.zone),
    };
    let mut at = slot_after(input.anchor)?;
    if let Some(end) = input.anchor_end
        && end >= at
    {
        // The run outlasted its interval: the slot that came while it ran is dropped.
        at = slot_after(end)?;
    }
    let mut backing_off = false;
    if let Some(until) = input.backoff_until
        && until > at
    {
        at = until;
        backing_off = true;
    }
    Some(NextRun {
        at,
        stretched,
        backing_off,
    })
}

/// Failures in a row of one connection's scheduled runs, and when the next try may be.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub failures: u32,
    pub until: Option<OffsetDateTime>,
}

impl Backoff {
    /// Counts one more failure at `now`; the next try waits [`backoff_delay`].
    pub fn failed(&mut self, now: OffsetDateTime, jitter_seed: u64) {
        self.failures = self.failures.saturating_add(1);
        self.until = Some(now + backoff_delay(self.failures, jitter_seed));
    }
}

/// 1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure in a row, at most 60, plus up to 30 s
/// of jitter (so that many connections failing together do not retry together).
pub fn backoff_delay(failures: u32, jitter_seed: u64) -> Duration {
    let minutes = 1u64 << failures.saturating_sub(1).min(6); // 1, 2, 4 … 64
    let minutes = minutes.min(60) as i64;
    let jitter = (jitter_seed % 30) as i64;
    Duration::minutes(minutes) + Duration::seconds(jitter)
}

/// "every minute", "every 15 minutes", "every hour", "every 3 hours", "every 2 hours 5
/// minutes", "once a day".
pub(crate) fn every_words(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let hours = |h: u32| match h {
        1 => "1 hour".to_string(),
        h => format!("{h} hours"),
    };
    match (h, m) {
        _ if minutes >= MINUTES_A_DAY => "once a day".to_string(),
        (0, 1) => "every minute".to_string(),
        (0, m) => format!("every {m} minutes"),
        (1, 0) => "every hour".to_string(),
        (h, 0) => format!("every {}", hours(h)),
        (h, 1) => format!("every {} 1 minute", hours(h)),
        (h, m) => format!("every {} {m} minutes", hours(h)),
    }
}

/// 28800 → "28,800".
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
