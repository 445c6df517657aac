//! The slots of a schedule in a time zone: local wall-clock times, with daylight saving.
//!
//! A daily time and the hours of "every N hours" are wall-clock times in the computer's time
//! zone (a [`jiff::tz::TimeZone`], not a fixed offset), so "daily at 07:00" stays at 07:00
//! when the clocks change. Across a change:
//!
//! - **Spring forward** (02:30 does not exist): the run is at the first valid time after it,
//!   the moment the clocks jump (03:00 in New York).
//! - **Fall back** (01:30 happens twice): the run is once, at the earlier 01:30.
//!
//! The rest of the crate keeps `time::OffsetDateTime`; [`to_timestamp`] and
//! [`from_timestamp`] cross over for the computation.

use super::Schedule;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, Offset, TimeZone};
use jiff::{Timestamp, ToSpan};
use time::OffsetDateTime;

/// The same instant as a jiff timestamp (saturating at jiff's range, years -9999 to 9999).
pub fn to_timestamp(t: OffsetDateTime) -> Timestamp {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).unwrap_or(if t.year() < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// The same instant in UTC.
pub fn from_timestamp(t: Timestamp) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(t.as_nanosecond())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The instant a local wall-clock time names: the earlier one when it happens twice (fall
/// back), the moment the clocks jump when it does not exist (spring forward).
pub(super) fn resolve(zone: &TimeZone, local: DateTime) -> Option<Timestamp> {
    match zone.to_ambiguous_timestamp(local).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(local).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(local).ok(),
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, the time falls before the jump; the first valid
            // time after it is the jump itself.
            let before_jump = after.to_timestamp(local).ok()?;
            zone.following(before_jump).next().map(|t| t.timestamp())
        }
    }
}

impl Schedule {
    /// The first slot of this schedule strictly after `after`, in `zone` (UTC out). `None`
    /// when off.
    ///
    /// - Every N minutes: `after` + N minutes (an interval, not on the clock).
    /// - Every N hours: the next top of a local hour whose number is a multiple of N. An hour
    ///   the clocks skip is run when they jump; an hour that happens twice is run once.
    /// - Daily: the next local HH:MM, as the module says across a change.
    pub fn next_slot(&self, after: OffsetDateTime, zone: &TimeZone) -> Option<OffsetDateTime> {
        let after_ts = to_timestamp(after);
        let local = zone.to_datetime(after_ts);
        let found = match *self {
            Schedule::Off => None,
            Schedule::EveryMinutes(m) => {
                return Some(after + time::Duration::minutes(i64::from(m.max(1))));
            }
            Schedule::EveryHours(n) => {
                let n = i8::try_from(n.clamp(1, 24)).unwrap_or(1);
                let top = local.date().at(local.hour(), 0, 0, 0);
                (0..=50).find_map(|i: i64| {
                    let at = top.checked_add(i.hours()).ok()?;
                    if at.hour() % n != 0 {
                        return None;
                    }
                    resolve(zone, at).filter(|t| *t > after_ts)
                })
            }
            Schedule::DailyAt { hour, minute } => {
                let (hour, minute) = (i8::try_from(hour).ok()?, i8::try_from(minute).ok()?);
                (0..=2).find_map(|d: i64| {
                    let day = local.date().checked_add(d.days()).ok()?;
                    resolve(zone, day.at(hour, minute, 0, 0)).filter(|t| *t > after_ts)
                })
            }
        };
        found.map(from_timestamp)
    }

    /// [`Schedule::next_slot`] at the fixed offset of `now`, returned in that offset.
    ///
    /// A fixed offset knows no daylight saving: prefer [`Schedule::next_slot`] with the
    /// computer's time zone ([`crate::engine::EngineOptions::time_zone`]).
    pub fn next_after(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let offset = Offset::from_seconds(now.offset().whole_seconds()).ok()?;
        self.next_slot(now, &TimeZone::fixed(offset))
            .map(|t| t.to_offset(now.offset()))
    }
}

/// When the next run is, for a person, in `zone`: "now" when due, "14:30 today",
/// "07:00 tomorrow", "07:00 on Tue 1 Dec".
pub fn next_run_words(at: OffsetDateTime, now: OffsetDateTime, zone: &TimeZone) -> String {
    if at <= now {
        return "now".to_string();
    }
    let at = zone.to_datetime(to_timestamp(at));
    let today = zone.to_datetime(to_timestamp(now)).date();
    let clock = at.strftime("%H:%M").to_string();
    match at.date().since(today).map(|d| d.get_days()) {
        Ok(0) => format!("{clock} today"),
        Ok(1) => format!("{clock} tomorrow"),
        _ => format!("{clock} on {}", at.strftime("%a %-d %b")),
    }
}
