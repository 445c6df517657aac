//! A connection's next scheduled run, from what the store knows (and, in the loop, what the
//! loop itself remembers): the one place that feeds [`crate::schedule::plan_next`], for the
//! loop and for the views alike.

use crate::api::{RunStatus, SetupStep};
use crate::connection::ConnectionSettings;
use crate::engine::{Engine, Result};
use crate::schedule::{self, BudgetFit, NextRun, PlanInput, Schedule};
use crate::store::{RunRow, Store};
use jiff::tz::TimeZone;
use time::OffsetDateTime;

/// A run the loop made, on the loop's own clock (which tests replace; the store's times are
/// the real clock's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LastRun {
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

/// What the dashboard and `connection show` say of a connection's next scheduled run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NextSyncView {
    /// RFC 3339, UTC; `now` when the run is due.
    pub at: Option<String>,
    /// "14:30 today", in the engine's time zone.
    pub text: Option<String>,
    /// The budget's stretch, "Schedules are paused.", or why a schedule does not run yet.
    pub note: Option<String>,
}

/// RFC 3339 in UTC, to the second, as every view writes times.
fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Every wizard stop passed: only such a connection runs by itself.
pub(crate) fn setup_complete(store: &Store, settings: &ConnectionSettings) -> bool {
    store.checks(&settings.name).is_ok_and(|checks| {
        SetupStep::ALL
            .iter()
            .all(|step| checks.iter().any(|c| c.step == *step && c.passed))
    })
}

/// A run that counts as the schedule's last: real, and not failed or failed to start (those
/// are retried after their back-off).
fn counts_as_last(r: &RunRow) -> bool {
    !r.dry_run && !matches!(r.status, RunStatus::Failed | RunStatus::NotStarted)
}

/// What a run's iCIMS calls say of the next: real runs that ended on their own.
fn counts_for_calls(r: &RunRow) -> bool {
    !r.dry_run
        && matches!(
            r.status,
            RunStatus::Succeeded | RunStatus::FinishedWithFailures | RunStatus::StoppedBudget
        )
}

/// The iCIMS daily limit the connection's last replies said (the newest of the last week of
/// UTC days), else iCIMS's usual one.
fn daily_limit(store: &Store, settings: &ConnectionSettings, now: OffsetDateTime) -> u64 {
    let today = now.to_offset(time::UtcOffset::UTC).date();
    (0..7)
        .filter_map(|d| today.checked_sub(time::Duration::days(d)))
        .find_map(|day| {
            store
                .icims_budget(&settings.name, day)
                .ok()
                .flatten()
                .and_then(|b| b.limit)
        })
        .unwrap_or(schedule::USUAL_ICIMS_DAILY_LIMIT)
}

/// The next run of one connection; `None` when its schedule is off.
pub(crate) fn plan_for(
    engine: &Engine,
    settings: &ConnectionSettings,
    zone: &TimeZone,
    now: OffsetDateTime,
    memory: Option<LastRun>,
    backoff_until: Option<OffsetDateTime>,
) -> Result<Option<NextRun>> {
    if settings.schedule == Schedule::Off {
        return Ok(None);
    }
    let runs = engine.store().runs(&settings.name, 50)?;
    let from_store = runs.iter().find(|r| counts_as_last(r)).map(|r| LastRun {
        start: r.started_at,
        // Still running (here or in another process): it ends no sooner than now.
        end: r.ended_at.unwrap_or(now),
    });
    let last = match (from_store, memory) {
        (Some(s), Some(m)) => Some(if m.start >= s.start { m } else { s }),
        (s, m) => s.or(m),
    };
    let calls: Vec<u64> = runs
        .iter()
        .filter(|r| counts_for_calls(r))
        .map(|r| r.icims_calls)
        .collect();
    let budget = BudgetFit {
        calls_per_run: schedule::calls_per_run(&calls),
        daily_limit: daily_limit(engine.store(), settings, now),
        margin: engine.options().budget_margin,
    };
    Ok(schedule::plan_next(&PlanInput {
        schedule: settings.schedule,
        zone,
        anchor: last.map_or(settings.created_at, |l| l.start),
        anchor_end: last.map(|l| l.end),
        now,
        backoff_until,
        budget,
    }))
}

impl Engine {
    /// When the connection syncs next by itself, as the scheduler of this engine sees it now
    /// (without the back-off of failures, which only the running scheduler knows); `None`
    /// when its schedule is off. Paused schedules and unfinished setups are not considered:
    /// see the views' `schedule_note`.
    pub fn next_scheduled_run(&self, name: &str) -> Result<Option<NextRun>> {
        let settings = self.settings(name)?;
        let zone = self.options().time_zone.clone();
        plan_for(
            self,
            &settings,
            &zone,
            OffsetDateTime::now_utc(),
            None,
            None,
        )
    }

    /// Some connection syncs by itself: its schedule is on and its setup finished. (Whether
    /// schedules are paused is [`Engine::schedules_paused`].)
    pub fn any_schedule_on(&self) -> Result<bool> {
        Ok(self
            .store()
            .list_connections()?
            .iter()
            .any(|s| s.schedule != Schedule::Off && setup_complete(self.store(), s)))
    }

    /// The next run, in the views' words.
    pub(crate) fn next_sync_view(&self, settings: &ConnectionSettings) -> NextSyncView {
        if settings.schedule == Schedule::Off {
            return NextSyncView::default();
        }
        if !setup_complete(self.store(), settings) {
            return NextSyncView {
                note: Some("Syncs on this schedule start once setup is finished.".to_string()),
                ..NextSyncView::default()
            };
        }
        if self.schedules_paused() {
            return NextSyncView {
                note: Some("Schedules are paused.".to_string()),
                ..NextSyncView::default()
            };
        }
        let zone = &self.options().time_zone;
        let now = OffsetDateTime::now_utc();
        match plan_for(self, settings, zone, now, None, None) {
            Ok(Some(next)) => {
                let at = next.at.max(now);
                NextSyncView {
                    at: Some(rfc3339(at)),
                    text: Some(schedule::next_run_words(next.at, now, zone)),
                    note: next.stretched.map(|s| s.message),
                }
            }
            Ok(None) => NextSyncView::default(),
            Err(e) => {
                tracing::warn!(connection = %settings.name, error = %e, "could not plan the next scheduled sync");
                NextSyncView::default()
            }
        }
    }
}
