//! Named connections: one company's non-secret settings (which Namely company, which iCIMS
//! customer, which statuses count as hired, when to sync).
//!
//! Secrets (the iCIMS HMAC key, Namely tokens) are deliberately absent: they live in the OS
//! keychain (see `secrets`), and there is no field here that could hold one.

use crate::domain::NamelyProfileId;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::{Duration, OffsetDateTime, Time};

// ---------------------------------------------------------------------------------------------
// ConnectionName
// ---------------------------------------------------------------------------------------------

const NAME_RULE: &str = "A connection name is 1 to 64 characters: letters, digits, spaces, \
                         '-', '_' and '.', starting with a letter or digit";

/// The name a person gives a connection ("Acme Corp"). Trimmed and validated: 1–64
/// characters, starting with a letter or digit, then letters, digits, spaces, `-`, `_`, `.`.
/// Letters and digits include non-ASCII ones ("Müller GmbH").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConnectionName(String);

/// Why a connection name was refused; the message says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}. {NAME_RULE}.")]
pub struct InvalidConnectionName {
    pub problem: String,
}

impl ConnectionName {
    pub fn new(raw: &str) -> Result<Self, InvalidConnectionName> {
        let bad = |problem: String| Err(InvalidConnectionName { problem });
        let name = raw.trim();
        let Some(first) = name.chars().next() else {
            return bad("The connection name is empty".into());
        };
        let len = name.chars().count();
        if len > 64 {
            return bad(format!("\"{name}\" is {len} characters long"));
        }
        if !first.is_alphanumeric() {
            return bad(format!("\"{name}\" starts with '{first}'"));
        }
        if let Some(c) = name
            .chars()
            .find(|&c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')))
        {
            let shown = if c.is_control() || c.is_whitespace() {
                format!("{c:?}")
            } else {
                format!("'{c}'")
            };
            return bad(format!("\"{}\" contains {shown}", name.escape_debug()));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key two names collide on: "Acme" and "ACME" may not both exist.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for ConnectionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ConnectionName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ConnectionName {
    type Err = InvalidConnectionName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for ConnectionName {
    type Error = InvalidConnectionName;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<ConnectionName> for String {
    fn from(n: ConnectionName) -> String {
        n.0
    }
}

// ---------------------------------------------------------------------------------------------
// IcimsRegion
// ---------------------------------------------------------------------------------------------

/// Which iCIMS data centre hosts the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IcimsRegion {
    #[default]
    Us,
    Eu,
}

impl IcimsRegion {
    /// "us" / "eu": the stored and serialised form.
    pub fn as_str(self) -> &'static str {
        match self {
            IcimsRegion::Us => "us",
            IcimsRegion::Eu => "eu",
        }
    }
}

impl fmt::Display for IcimsRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IcimsRegion::Us => "US",
            IcimsRegion::Eu => "EU",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an iCIMS region; use \"us\" or \"eu\"")]
pub struct InvalidRegion(pub String);

impl FromStr for IcimsRegion {
    type Err = InvalidRegion;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "us" | "US" | "Us" => Ok(IcimsRegion::Us),
            "eu" | "EU" | "Eu" => Ok(IcimsRegion::Eu),
            other => Err(InvalidRegion(other.to_string())),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Schedule
// ---------------------------------------------------------------------------------------------

/// When a connection syncs by itself.
///
/// Serialised tagged, for the UI: `{"kind":"off"}`, `{"kind":"every_hours","hours":2}`,
/// `{"kind":"daily_at","hour":7,"minute":0}`. The CLI form (`FromStr`, [`Schedule::spec`]) is
/// `off`, `hourly`, `every:2h`, `daily@07:00`; that is also how the store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "ScheduleRepr", into = "ScheduleRepr")]
pub enum Schedule {
    #[default]
    Off,
    /// Every N hours (1..=24), on the clock: at the top of each hour whose number is a
    /// multiple of N (every 6 hours = 00:00, 06:00, 12:00, 18:00).
    EveryHours(u32),
    /// Once a day at this local time.
    DailyAt { hour: u8, minute: u8 },
}

#[derive(Serialize, Deserialize)]
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

// ---------------------------------------------------------------------------------------------
// ConnectionSettings
// ---------------------------------------------------------------------------------------------

/// One company's settings, none of them secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSettings {
    pub name: ConnectionName,
    /// Already normalised by the caller (`namely::Permalink`); stored as given.
    pub namely_permalink: String,
    /// Explicit Namely base URL (tests, sandbox); `None` derives it from the permalink.
    pub namely_url: Option<String>,
    pub icims_customer_id: String,
    pub icims_username: String,
    pub icims_region: IcimsRegion,
    /// Explicit iCIMS base URL (tests, sandbox); `None` derives it from the region.
    pub icims_url: Option<String>,
    /// iCIMS workflow statuses that count as hired.
    pub hired_statuses: Vec<String>,
    pub schedule: Schedule,
    /// The Namely field `name` the setup check found for `icims_id`.
    pub icims_field_name: Option<String>,
    /// The chosen integration owner.
    pub owner_profile_id: Option<NamelyProfileId>,
    /// True for connections to the built-in simulators.
    pub sandbox: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The company name Namely reported at the last successful sign-in.
    #[serde(default)]
    pub namely_company_name: Option<String>,
}

impl ConnectionSettings {
    /// Settings with the defaults: hired status "Hired", schedule off, nothing verified yet.
    pub fn new(
        name: ConnectionName,
        namely_permalink: impl Into<String>,
        icims_customer_id: impl Into<String>,
        icims_username: impl Into<String>,
        icims_region: IcimsRegion,
        created_at: OffsetDateTime,
    ) -> Self {
        Self {
            name,
            namely_permalink: namely_permalink.into(),
            namely_url: None,
            icims_customer_id: icims_customer_id.into(),
            icims_username: icims_username.into(),
            icims_region,
            icims_url: None,
            hired_statuses: default_hired_statuses(),
            schedule: Schedule::Off,
            icims_field_name: None,
            owner_profile_id: None,
            sandbox: false,
            created_at,
            namely_company_name: None,
        }
    }
}

/// `["Hired"]`
pub fn default_hired_statuses() -> Vec<String> {
    vec!["Hired".to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn connection_names_good() {
        for (raw, want) in [
            ("Acme", "Acme"),
            ("  Acme Corp  ", "Acme Corp"),
            ("acme-corp_2.eu", "acme-corp_2.eu"),
            ("1st Choice", "1st Choice"),
            ("Müller GmbH", "Müller GmbH"),
            ("a", "a"),
            (&"x".repeat(64), &"x".repeat(64)),
        ] {
            let name = ConnectionName::new(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            assert_eq!(name.as_str(), want);
            assert_eq!(name.to_string(), want);
            assert_eq!(name.as_ref(), want);
        }
    }

    #[test]
    fn connection_names_bad() {
        for (raw, problem) in [
            ("", "empty"),
            ("   ", "empty"),
            ("-acme", "starts with '-'"),
            (".hidden", "starts with '.'"),
            ("_x", "starts with '_'"),
            ("acme/corp", "contains '/'"),
            ("acme\\corp", "contains '\\'"),
            ("acme:prod", "contains ':'"),
            ("acme\tcorp", "contains '\\t'"),
            ("acme\ncorp", "contains '\\n'"),
            ("Acme's", "contains '''"),
            (&"x".repeat(65), "65 characters long"),
        ] {
            let err = ConnectionName::new(raw).expect_err(raw);
            let msg = err.to_string();
            assert!(msg.contains(problem), "{raw:?}: {msg}");
            assert!(
                msg.contains("letters, digits, spaces, '-', '_' and '.'"),
                "{raw:?}: {msg}"
            );
        }
    }

    #[test]
    fn connection_name_serde_validates() {
        let n: ConnectionName = serde_json::from_str("\" Acme \"").unwrap();
        assert_eq!(n.as_str(), "Acme");
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"Acme\"");
        assert!(serde_json::from_str::<ConnectionName>("\"a/b\"").is_err());
        assert_eq!(
            ConnectionName::new("ACME").unwrap().key(),
            ConnectionName::new("acme").unwrap().key()
        );
    }

    #[test]
    fn regions() {
        for (s, r) in [
            ("us", IcimsRegion::Us),
            ("US", IcimsRegion::Us),
            ("eu", IcimsRegion::Eu),
            ("EU", IcimsRegion::Eu),
            (" eu ", IcimsRegion::Eu),
        ] {
            assert_eq!(s.parse::<IcimsRegion>().unwrap(), r);
        }
        assert!("uk".parse::<IcimsRegion>().is_err());
        assert_eq!(serde_json::to_string(&IcimsRegion::Eu).unwrap(), "\"eu\"");
        assert_eq!(
            serde_json::from_str::<IcimsRegion>("\"us\"").unwrap(),
            IcimsRegion::Us
        );
        assert_eq!(IcimsRegion::Eu.to_string(), "EU");
    }

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

    #[test]
    fn settings_defaults_and_no_secret_words() {
        let mut s = ConnectionSettings::new(
            ConnectionName::new("Acme").unwrap(),
            "acme",
            "1234",
            "api-user",
            IcimsRegion::Eu,
            datetime!(2026-11-27 09:00 UTC),
        );
        assert_eq!(s.hired_statuses, vec!["Hired"]);
        assert_eq!(s.schedule, Schedule::Off);
        s.owner_profile_id = Some(NamelyProfileId("p-1".into()));
        s.icims_field_name = Some("icims_id".into());
        s.namely_url = Some("http://127.0.0.1:9/".into());
        let json = serde_json::to_string(&s).unwrap();
        let lower = json.to_lowercase();
        for word in ["hmac", "token", "secret", "password"] {
            assert!(!lower.contains(word), "{word} in {json}");
        }
        assert!(
            json.contains(r#""created_at":"2026-11-27T09:00:00Z""#),
            "{json}"
        );
        let back: ConnectionSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
