//! Named connections: one company's non-secret settings (which Namely company, which iCIMS
//! customer, which statuses count as hired, when to sync).
//!
//! Secrets (the iCIMS HMAC key, Namely tokens) are deliberately absent: they live in the OS
//! keychain (see `secrets`), and there is no field here that could hold one.

pub use crate::schedule::{InvalidSchedule, Schedule};

use crate::domain::NamelyProfileId;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::quote::quoted;

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
            return bad(format!("{} is {len} characters long", quoted(name)));
        }
        if !first.is_alphanumeric() {
            return bad(format!("{} starts with {first:?}", quoted(name)));
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
            return bad(format!("{} contains {shown}", quoted(name)));
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

/// Which iCIMS data centre hosts the customer. The one region type of the engine, the store,
/// the command line (`--icims-region us|eu`) and the interface; the iCIMS client has its own
/// (`icims::Region`), reached through `clients::icims_endpoint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
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

    /// Both regions, for choices in a form or on the command line.
    pub const ALL: [IcimsRegion; 2] = [IcimsRegion::Us, IcimsRegion::Eu];

    /// The region that is not this one.
    pub fn other(self) -> IcimsRegion {
        match self {
            IcimsRegion::Us => IcimsRegion::Eu,
            IcimsRegion::Eu => IcimsRegion::Us,
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
#[error("{} is not an iCIMS region; use \"us\" or \"eu\"", quoted(.0))]
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
    /// Hires who started (else were hired) before this day are never created. Default: 30
    /// days before the connection was added ([`default_start_from`]).
    #[serde(with = "start_day")]
    pub start_from: Date,
    /// Namely did not report the owner's access role, so a person confirmed that the owner is
    /// an Administrator: for whom, by whom, when.
    #[serde(default)]
    pub owner_role_confirmation: Option<RoleConfirmation>,
    /// The Namely profile the saved token belongs to (`GET /profiles/me` at the last sign-in).
    #[serde(default)]
    pub signed_in_profile_id: Option<NamelyProfileId>,
    /// Why the next run reads again from the start-from date ("the hired statuses changed").
    #[serde(default)]
    pub read_again_reason: Option<String>,
    /// Hired statuses that matched no workflow in the last complete read from the start-from
    /// date (a typo, or a status this tenant does not use).
    #[serde(default)]
    pub unmatched_statuses: Vec<String>,
    /// iCIMS reads kept in flight at once; `None`: [`icims::assumptions::READ_CONCURRENCY`].
    #[serde(default)]
    pub icims_concurrency: Option<u8>,
    /// Signed in with Namely (OAuth) through this application; `None`: a personal access
    /// token. Saved only by a successful sign-in ([`crate::store::Store::set_namely_oauth`]).
    #[serde(default)]
    pub namely_oauth: Option<NamelyOAuth>,
}

/// The application registered in the company's Namely that this connection signed in
/// through. Its client secret and the refresh token are in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamelyOAuth {
    pub client_id: String,
    /// The port of the redirect URI `http://127.0.0.1:{port}/namely/callback`.
    pub port: u16,
}

impl NamelyOAuth {
    /// The redirect URI registered with the application.
    pub fn redirect_uri(&self) -> url::Url {
        namely::redirect_uri(self.port)
    }
}

time::serde::format_description!(start_day, Date, "[year]-[month]-[day]");

/// "Riley Roe is an Administrator in Namely", confirmed by a person because Namely did not
/// say (`docs/namely-api.md` §9 item 13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleConfirmation {
    /// The owner whose role was confirmed; void once another owner is chosen.
    pub profile_id: NamelyProfileId,
    /// Who confirmed: the Namely user signed in at the time, and this computer's user.
    pub by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// How many days before the day a connection is added its start-from date is, by default.
pub const DEFAULT_START_FROM_DAYS: i64 = 30;

/// The default start-from date: [`DEFAULT_START_FROM_DAYS`] before `added` (UTC day).
pub fn default_start_from(added: OffsetDateTime) -> Date {
    added.to_offset(time::UtcOffset::UTC).date() - time::Duration::days(DEFAULT_START_FROM_DAYS)
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
            start_from: default_start_from(created_at),
            owner_role_confirmation: None,
            signed_in_profile_id: None,
            read_again_reason: None,
            unmatched_statuses: Vec::new(),
            icims_concurrency: None,
            namely_oauth: None,
        }
    }
}

impl ConnectionSettings {
    /// iCIMS reads this connection keeps in flight at once.
    pub fn icims_reads_at_once(&self) -> usize {
        self.icims_concurrency
            .map_or(icims::assumptions::READ_CONCURRENCY, usize::from)
            .clamp(1, icims::assumptions::READ_CONCURRENCY_MAX)
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
