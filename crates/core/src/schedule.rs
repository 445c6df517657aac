//! When a connection syncs by itself: off, every N hours on the clock, or daily at a local
//! time. One type for the store, the command line (`off`, `every:2h`, `daily@07:00`) and the
//! interface (a tagged object, whose TypeScript binding is derived from it).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Duration, OffsetDateTime, Time};
use ts_rs::TS;

/// When a connection syncs by itself.
///
/// Serialised tagged, for the UI: `{"kind":"off"}`, `{"kind":"every_hours","hours":2}`,
/// `{"kind":"daily_at","hour":7,"minute":0}`. The CLI form (`FromStr`, [`Schedule::spec`]) is
/// `off`, `hourly`, `every:2h`, `daily@07:00`; that is also how the store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(try_from = "ScheduleRepr", into = "ScheduleRepr")]
#[ts(as = "ScheduleRepr")]
pub enum Schedule {
    #[default]
    Off,
    /// Every N hours (1..=24), on the clock: at the top of each hour whose number is a
    /// multiple of N (every 6 hours = 00:00, 06:00, 12:00, 18:00).
    EveryHours(u32),
    /// Once a day at this local time.
    DailyAt { hour: u8, minute: u8 },
}

/// How a [`Schedule`] is written in JSON (and in TypeScript).
#[derive(Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ScheduleRepr {
    Off,
    EveryHours { hours: u32 },
    DailyAt { hour: u8, minute: u8 },
}

impl From<Schedule> for ScheduleRepr {
    fn from(s: Schedule) -> Self {
        match s {
            Schedule::Off => ScheduleRepr::Off,
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
            ScheduleRepr::EveryHours { hours } => Schedule::every_hours(hours),
            ScheduleRepr::DailyAt { hour, minute } => Schedule::daily_at(hour, minute),
        }
    }
}

/// A schedule that cannot be understood; the message lists the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{problem}. Use \"off\", \"hourly\", \"every:2h\" (1 to 24 hours) or \"daily@07:00\" \
     (24-hour clock)."
)]
pub struct InvalidSchedule {
    pub problem: String,
}

impl Schedule {
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

    /// The CLI / stored form: `off`, `every:2h`, `daily@07:00`. Parses back with `FromStr`.
    pub fn spec(&self) -> String {
        match *self {
            Schedule::Off => "off".into(),
            Schedule::EveryHours(h) => format!("every:{h}h"),
            Schedule::DailyAt { hour, minute } => format!("daily@{hour:02}:{minute:02}"),
        }
    }

    /// The next time a sync is due strictly after `now`, in `now`'s offset (pass local time
    /// for a schedule people read in local time). `None` when the schedule is off.
    ///
    /// The offset is fixed for the computation, so across a daylight-saving change a daily
    /// sync may land an hour off once; callers recompute after every run, which corrects it.
    pub fn next_after(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        match *self {
            Schedule::Off => None,
            Schedule::EveryHours(n) => {
                let n = n.clamp(1, 24);
                let top = now.replace_time(Time::from_hms(now.hour(), 0, 0).ok()?);
                (1..=24)
                    .map(|i| top + Duration::hours(i))
                    .find(|t| u32::from(t.hour()) % n == 0)
            }
            Schedule::DailyAt { hour, minute } => {
                let at = Time::from_hms(hour, minute, 0).ok()?;
                let today = now.replace_time(at);
                Some(if today > now {
                    today
                } else {
                    today + Duration::days(1)
                })
            }
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Schedule::Off => f.write_str("Off"),
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
            problem: format!("\"{}\" is not a schedule", s.trim()),
        };
        match text.as_str() {
            "off" | "never" | "none" => return Ok(Schedule::Off),
            "hourly" => return Ok(Schedule::EveryHours(1)),
            _ => {}
        }
        if let Some(rest) = text.strip_prefix("every:") {
            let digits = rest.strip_suffix('h').unwrap_or(rest);
            let hours: u32 = digits.parse().map_err(|_| bad())?;
            return Schedule::every_hours(hours);
        }
        if let Some(rest) = text.strip_prefix("daily@") {
            let (h, m) = rest.split_once(':').ok_or_else(bad)?;
            let two_digits = |p: &str| p.len() <= 2 && !p.is_empty();
            if !two_digits(h) || m.len() != 2 {
                return Err(bad());
            }
            let hour: u8 = h.parse().map_err(|_| bad())?;
            let minute: u8 = m.parse().map_err(|_| bad())?;
            return Schedule::daily_at(hour, minute);
        }
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn schedule_parse_display_spec_table() {
        for (input, want, display, spec) in [
            ("off", Schedule::Off, "Off", "off"),
            (" OFF ", Schedule::Off, "Off", "off"),
            ("hourly", Schedule::EveryHours(1), "Every hour", "every:1h"),
            (
                "every:1h",
                Schedule::EveryHours(1),
                "Every hour",
                "every:1h",
            ),
            (
                "every:2h",
                Schedule::EveryHours(2),
                "Every 2 hours",
                "every:2h",
            ),
            (
                "every:24h",
                Schedule::EveryHours(24),
                "Every 24 hours",
                "every:24h",
            ),
            (
                "every:6",
                Schedule::EveryHours(6),
                "Every 6 hours",
                "every:6h",
            ),
            (
                "daily@07:00",
                Schedule::DailyAt { hour: 7, minute: 0 },
                "Daily at 07:00",
                "daily@07:00",
            ),
            (
                "daily@7:05",
                Schedule::DailyAt { hour: 7, minute: 5 },
                "Daily at 07:05",
                "daily@07:05",
            ),
            (
                "Daily@23:59",
                Schedule::DailyAt {
                    hour: 23,
                    minute: 59,
                },
                "Daily at 23:59",
                "daily@23:59",
            ),
        ] {
            let got: Schedule = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(got, want, "{input}");
            assert_eq!(got.to_string(), display, "{input}");
            assert_eq!(got.spec(), spec, "{input}");
            assert_eq!(spec.parse::<Schedule>().unwrap(), got, "round trip {spec}");
        }
    }

    #[test]
    fn schedule_parse_rejects() {
        for input in [
            "",
            "sometimes",
            "every:0h",
            "every:25h",
            "every:-1h",
            "every:h",
            "every:2m",
            "daily@24:00",
            "daily@07:60",
            "daily@0700",
            "daily@07:0",
            "daily@:00",
            "daily@007:00",
        ] {
            let err = input.parse::<Schedule>().expect_err(input);
            assert!(err.to_string().contains("daily@07:00"), "{input}: {err}");
        }
    }

    #[test]
    fn schedule_serde_tagged_and_validated() {
        for (s, json) in [
            (Schedule::Off, r#"{"kind":"off"}"#),
            (
                Schedule::EveryHours(2),
                r#"{"kind":"every_hours","hours":2}"#,
            ),
            (
                Schedule::DailyAt { hour: 7, minute: 0 },
                r#"{"kind":"daily_at","hour":7,"minute":0}"#,
            ),
        ] {
            assert_eq!(serde_json::to_string(&s).unwrap(), json);
            assert_eq!(serde_json::from_str::<Schedule>(json).unwrap(), s);
        }
        assert!(serde_json::from_str::<Schedule>(r#"{"kind":"every_hours","hours":0}"#).is_err());
        assert!(
            serde_json::from_str::<Schedule>(r#"{"kind":"daily_at","hour":25,"minute":0}"#)
                .is_err()
        );
    }

    #[test]
    fn schedule_next_after_table() {
        let daily7 = Schedule::DailyAt { hour: 7, minute: 0 };
        for (schedule, now, want) in [
            (Schedule::Off, datetime!(2026-11-27 09:30 UTC), None),
            (
                Schedule::EveryHours(1),
                datetime!(2026-11-27 09:30 UTC),
                Some(datetime!(2026-11-27 10:00 UTC)),
            ),
            (
                Schedule::EveryHours(1),
                datetime!(2026-11-27 10:00 UTC),
                Some(datetime!(2026-11-27 11:00 UTC)),
            ),
            (
                Schedule::EveryHours(2),
                datetime!(2026-11-27 09:30 UTC),
                Some(datetime!(2026-11-27 10:00 UTC)),
            ),
            (
                Schedule::EveryHours(2),
                datetime!(2026-11-27 10:00 UTC),
                Some(datetime!(2026-11-27 12:00 UTC)),
            ),
            (
                Schedule::EveryHours(6),
                datetime!(2026-11-27 19:00 UTC),
                Some(datetime!(2026-11-28 00:00 UTC)),
            ),
            (
                Schedule::EveryHours(5),
                datetime!(2026-11-27 21:10 UTC),
                Some(datetime!(2026-11-28 00:00 UTC)),
            ),
            (
                Schedule::EveryHours(24),
                datetime!(2026-11-27 00:00 UTC),
                Some(datetime!(2026-11-28 00:00 UTC)),
            ),
            (
                daily7,
                datetime!(2026-11-27 06:59:59 UTC),
                Some(datetime!(2026-11-27 07:00 UTC)),
            ),
            (
                daily7,
                datetime!(2026-11-27 07:00 UTC),
                Some(datetime!(2026-11-28 07:00 UTC)),
            ),
            (
                daily7,
                datetime!(2026-12-31 08:00 UTC),
                Some(datetime!(2027-01-01 07:00 UTC)),
            ),
            // Local time is honoured: 07:00 at +02:00 is 05:00 UTC.
            (
                daily7,
                datetime!(2026-11-27 06:00 +2),
                Some(datetime!(2026-11-27 07:00 +2)),
            ),
            (
                Schedule::EveryHours(3),
                datetime!(2026-11-27 04:15 -5),
                Some(datetime!(2026-11-27 06:00 -5)),
            ),
        ] {
            let got = schedule.next_after(now);
            assert_eq!(got, want, "{schedule} after {now}");
            if let Some(t) = got {
                assert_eq!(t.offset(), now.offset(), "stays in the caller's offset");
                assert!(t > now);
            }
        }
    }
}
