//! When a connection syncs by itself: off, every N minutes (counted from the last run), every
//! N hours on the local clock, or daily at a local wall-clock time. One type for the store,
//! the command line (`off`, `every:30m`, `every:2h`, `daily:07:00`) and the interface (a
//! tagged object, whose TypeScript binding is derived from it).
//!
//! | file       | owns                                                                        |
//! |------------|-----------------------------------------------------------------------------|
//! | `mod.rs`   | [`Schedule`]: its forms, parsing, words                                     |
//! | `zone.rs`  | the slots of a schedule in a time zone, across daylight-saving changes      |
//! | `plan.rs`  | [`plan_next`]: when a connection runs next (overlap, catch-up, back-off, budget) |

mod plan;
mod zone;

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod tests;

pub use plan::{
    Backoff, BudgetFit, DEFAULT_CALLS_PER_RUN, NextRun, PlanInput, Stretch,
    USUAL_ICIMS_DAILY_LIMIT, backoff_delay, calls_per_run, plan_next, stretch,
};
pub use zone::{from_timestamp, next_run_words, to_timestamp};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use ts_rs::TS;

/// Minutes in a day: the longest "every N minutes".
pub const MINUTES_A_DAY: u32 = 24 * 60;

/// When a connection syncs by itself.
///
/// Serialised tagged, for the UI: `{"kind":"off"}`, `{"kind":"every_minutes","minutes":30}`,
/// `{"kind":"every_hours","hours":2}`, `{"kind":"daily_at","hour":7,"minute":0}`. The CLI
/// form (`FromStr`, [`Schedule::spec`]) is `off`, `every:30m`, `every:2h`, `daily:07:00`;
/// that is also how the store keeps it. Older forms still parse: `never`, `none`, `hourly`,
/// `every:6` (hours), `daily@07:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(try_from = "ScheduleRepr", into = "ScheduleRepr")]
#[ts(as = "ScheduleRepr")]
pub enum Schedule {
    #[default]
    Off,
    /// Every N minutes (1..=1440), counted from the start of the last run (not on the clock).
    EveryMinutes(u32),
    /// Every N hours (1..=24), on the local clock: at the top of each hour whose number is a
    /// multiple of N (every 6 hours = 00:00, 06:00, 12:00, 18:00 local time).
    EveryHours(u32),
    /// Once a day at this local wall-clock time.
    DailyAt { hour: u8, minute: u8 },
}

/// How a [`Schedule`] is written in JSON (and in TypeScript).
#[derive(Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ScheduleRepr {
    Off,
    EveryMinutes { minutes: u32 },
    EveryHours { hours: u32 },
    DailyAt { hour: u8, minute: u8 },
}

impl From<Schedule> for ScheduleRepr {
    fn from(s: Schedule) -> Self {
        match s {
            Schedule::Off => ScheduleRepr::Off,
            Schedule::EveryMinutes(minutes) => ScheduleRepr::EveryMinutes { minutes },
            Schedule::EveryHours(hours) => ScheduleRepr::EveryHours { hours },
            Schedule::DailyAt { hour, minute } => ScheduleRepr::DailyAt { hour, minute },
        }
    }
}

impl TryFrom<ScheduleRepr> for Schedule {
    type Error = InvalidSchedule;
    fn try_from(r: ScheduleRepr) -> Result<Self, Self::Error> {
        match r {
            ScheduleRepr::Off => Ok(Schedule::Off),
            ScheduleRepr::EveryMinutes { minutes } => Schedule::every_minutes(minutes),
            ScheduleRepr::EveryHours { hours } => Schedule::every_hours(hours),
            ScheduleRepr::DailyAt { hour, minute } => Schedule::daily_at(hour, minute),
        }
    }
}

/// A schedule that cannot be understood; the message lists the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{problem}. Use \"off\", \"every:30m\" (1 to 1440 minutes), \"every:2h\" (1 to 24 hours) \
     or \"daily:07:00\" (24-hour clock, local time)."
)]
pub struct InvalidSchedule {
    pub problem: String,
}

impl Schedule {
    pub fn every_minutes(minutes: u32) -> Result<Self, InvalidSchedule> {
        if (1..=MINUTES_A_DAY).contains(&minutes) {
            Ok(Schedule::EveryMinutes(minutes))
        } else {
            Err(InvalidSchedule {
                problem: format!("Every {minutes} minutes is outside 1 to 1440 minutes"),
            })
        }
    }

    pub fn every_hours(hours: u32) -> Result<Self, InvalidSchedule> {
        if (1..=24).contains(&hours) {
            Ok(Schedule::EveryHours(hours))
        } else {
            Err(InvalidSchedule {
                problem: format!("Every {hours} hours is outside 1 to 24 hours"),
            })
        }
    }

    pub fn daily_at(hour: u8, minute: u8) -> Result<Self, InvalidSchedule> {
        if hour < 24 && minute < 60 {
            Ok(Schedule::DailyAt { hour, minute })
        } else {
            Err(InvalidSchedule {
                problem: format!("{hour:02}:{minute:02} is not a time of day"),
            })
        }
    }

    /// The CLI / stored form: `off`, `every:30m`, `every:2h`, `daily:07:00`. Parses back with
    /// `FromStr`.
    pub fn spec(&self) -> String {
        match *self {
            Schedule::Off => "off".into(),
            Schedule::EveryMinutes(m) => format!("every:{m}m"),
            Schedule::EveryHours(h) => format!("every:{h}h"),
            Schedule::DailyAt { hour, minute } => format!("daily:{hour:02}:{minute:02}"),
        }
    }

    /// Runs a day on this schedule as set: 48 for every 30 minutes, 5 for every 5 hours on
    /// the clock (00, 05, 10, 15, 20), 1 for daily, 0 when off.
    pub fn runs_a_day(&self) -> u64 {
        match *self {
            Schedule::Off => 0,
            Schedule::EveryMinutes(m) => u64::from(MINUTES_A_DAY.div_ceil(m.max(1))),
            Schedule::EveryHours(h) => u64::from(24u32.div_ceil(h.max(1))),
            Schedule::DailyAt { .. } => 1,
        }
    }

    /// Minutes between two runs as set (a day for a daily schedule); `None` when off.
    pub fn interval_minutes(&self) -> Option<u32> {
        match *self {
            Schedule::Off => None,
            Schedule::EveryMinutes(m) => Some(m),
            Schedule::EveryHours(h) => Some(h * 60),
            Schedule::DailyAt { .. } => Some(MINUTES_A_DAY),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Schedule::Off => f.write_str("Off"),
            Schedule::EveryMinutes(1) => f.write_str("Every minute"),
            Schedule::EveryMinutes(m) => write!(f, "Every {m} minutes"),
            Schedule::EveryHours(1) => f.write_str("Every hour"),
            Schedule::EveryHours(h) => write!(f, "Every {h} hours"),
            Schedule::DailyAt { hour, minute } => write!(f, "Daily at {hour:02}:{minute:02}"),
        }
    }
}

impl FromStr for Schedule {
    type Err = InvalidSchedule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim().to_ascii_lowercase();
        let bad = || InvalidSchedule {
            problem: format!("{} is not a schedule", crate::quote::quoted(s.trim())),
        };
        let number = |digits: &str| -> Result<u32, InvalidSchedule> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            digits.parse().map_err(|_| bad())
        };
        match text.as_str() {
            "off" | "never" | "none" => return Ok(Schedule::Off),
            "hourly" => return Ok(Schedule::EveryHours(1)),
            _ => {}
        }
        if let Some(rest) = text.strip_prefix("every:") {
            if let Some(minutes) = rest.strip_suffix('m') {
                return Schedule::every_minutes(number(minutes)?);
            }
            // `every:6` is hours: the form before minutes existed.
            let hours = rest.strip_suffix('h').unwrap_or(rest);
            return Schedule::every_hours(number(hours)?);
        }
        if let Some(rest) = text
            .strip_prefix("daily:")
            .or_else(|| text.strip_prefix("daily@"))
        {
            let (h, m) = rest.split_once(':').ok_or_else(bad)?;
            if h.is_empty() || h.len() > 2 || m.len() != 2 {
                return Err(bad());
            }
            let hour = u8::try_from(number(h)?).map_err(|_| bad())?;
            let minute = u8::try_from(number(m)?).map_err(|_| bad())?;
            return Schedule::daily_at(hour, minute);
        }
        Err(bad())
    }
}
