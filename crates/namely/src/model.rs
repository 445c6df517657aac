//! Namely's resources as Rust types. Reading is tolerant (missing keys, `null`, `""`, numbers
//! where strings are expected); writing omits every field that is `None`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::assumptions;

/// A Namely profile id (a UUID string). Read from text, or from a whole number printed as
/// text; anything else (`null`, an object, an empty text) is an error naming what came.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ProfileId(String);

impl<'de> Deserialize<'de> for ProfileId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        match Value::deserialize(d)? {
            Value::String(s) if !s.trim().is_empty() => Ok(Self(s)),
            Value::Number(n) if n.is_u64() || n.is_i64() => Ok(Self(n.to_string())),
            other => Err(D::Error::custom(format!(
                "expected a profile id, got {}",
                match other {
                    Value::Null => "nothing (null)",
                    Value::String(_) => "an empty text",
                    Value::Number(_) => "a fraction",
                    Value::Bool(_) => "true or false",
                    Value::Array(_) => "a list",
                    Value::Object(_) => "an object",
                }
            ))),
        }
    }
}

impl ProfileId {
    /// Wraps an id as received from Namely or stored locally.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for ProfileId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for ProfileId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// A profile's `user_status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// `active`: an employee.
    Active,
    /// `pending`: an onboarding draft.
    Pending,
    /// `inactive`: a former employee (or, before 2018, a pending one).
    Inactive,
    /// Any other value Namely may send.
    Other(String),
}

impl UserStatus {
    /// The wire value, e.g. `active`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Inactive => "inactive",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for UserStatus {
    fn from(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Self::Active,
            "pending" => Self::Pending,
            "inactive" => Self::Inactive,
            _ => Self::Other(s.to_owned()),
        }
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for UserStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UserStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Self::from(s.as_str()))
    }
}

/// A date exactly as Namely sent it (`2011-01-15`, `01/15/2011`, …); see
/// [`NamelyDate::date`] for the parsed value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NamelyDate(String);

impl NamelyDate {
    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The calendar date, if the text is in one of the formats Namely is known to use
    /// ([`assumptions::parse_date`]).
    pub fn date(&self) -> Option<time::Date> {
        assumptions::parse_date(&self.0)
    }
}

/// A home address. On writes, every part is checked by Namely and any invalid part gives a 422
/// (`docs/namely-api.md` §5.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street line 1.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub address1: Option<String>,
    /// Street line 2.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub address2: Option<String>,
    /// City.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub city: Option<String>,
    /// Subdivision id from `/countries/{id}` (the 2-letter code for US states).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub state_id: Option<String>,
    /// ISO 3166 alpha-2 country code.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub country_id: Option<String>,
    /// Postal code.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub zip: Option<String>,
}

/// A Namely profile as read from `/profiles`, `/profiles/{id}` or `/profiles/me`.
///
/// Every key not modelled here — custom fields such as `icims_id`, `job_title`, `links`, … —
/// is kept in [`Profile::extra`] under its field `name`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Profile {
    /// The profile id.
    pub id: ProfileId,
    /// Company email.
    #[serde(default, deserialize_with = "lenient_string")]
    pub email: Option<String>,
    /// Personal email.
    #[serde(default, deserialize_with = "lenient_string")]
    pub personal_email: Option<String>,
    /// First name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub last_name: Option<String>,
    /// Derived full name (read-only).
    #[serde(default, deserialize_with = "lenient_string")]
    pub full_name: Option<String>,
    /// `active`, `pending` or `inactive`.
    #[serde(default, deserialize_with = "lenient")]
    pub user_status: Option<UserStatus>,
    /// The access role, e.g. `Administrator`. **May be absent** (`docs/namely-api.md` §8):
    /// `None` means "could not verify", not "no role".
    #[serde(default, deserialize_with = "lenient_string")]
    pub access_role: Option<String>,
    /// Start date as sent (ISO or US format; `docs/namely-api.md` §6).
    #[serde(default, deserialize_with = "lenient_date")]
    pub start_date: Option<NamelyDate>,
    /// Home address.
    #[serde(default, deserialize_with = "lenient")]
    pub home: Option<Address>,
    /// Gender (`Male`, `Female`, `Not specified`).
    #[serde(default, deserialize_with = "lenient_string")]
    pub gender: Option<String>,
    /// When the profile last changed, in epoch seconds (read-only; `docs/namely-api.md` §6).
    /// Read tolerantly: a number or a numeric string; absent, `null` or anything else → `None`.
    #[serde(default, deserialize_with = "lenient_epoch")]
    pub updated_at: Option<i64>,
    /// All other keys, including custom fields by their `name`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Profile {
    /// The value of a custom text field by its field `name` (e.g. `icims_id`), trimmed;
    /// `None` when absent, `null`, `""` or whitespace.
    pub fn custom_text(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(assumptions::custom_text)
    }

    /// Like [`Profile::custom_text`], but also renders a number or boolean as text, so a match
    /// key that Namely happened to send as a number is not missed.
    pub fn custom_value(&self, name: &str) -> Option<String> {
        match self.extra.get(name)? {
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => assumptions::custom_text(other).map(str::to_owned),
        }
    }

    /// The job title's text, from `job_title.title`.
    pub fn job_title(&self) -> Option<&str> {
        self.extra
            .get("job_title")
            .and_then(|j| j.get("title"))
            .and_then(assumptions::custom_text)
    }
}

/// Paging information of a `GET /profiles` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PageMeta {
    /// Profiles on this page.
    #[serde(default, deserialize_with = "lenient_count")]
    pub count: Option<u64>,
    /// Profiles in total across all pages.
    #[serde(default, deserialize_with = "lenient_count")]
    pub total_count: Option<u64>,
    /// The legacy cursor echoed back (`meta.after`, [`crate::assumptions::CURSOR_PARAM`]):
    /// the `after` id the request carried, read as text whether Namely sends a string or a
    /// number; `None` when absent, `null` or `""`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub after: Option<String>,
}

/// One page of `GET /profiles`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProfilesPage {
    /// The profiles on this page; empty past the last page.
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// Counts.
    #[serde(default)]
    pub meta: PageMeta,
}

/// Filters and order for `GET /profiles` (exact values, `docs/namely-api.md` §5.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileFilter {
    /// `filter[email]`: company email.
    pub email: Option<String>,
    /// `filter[personal_email]`.
    pub personal_email: Option<String>,
    /// `filter[user_status]`.
    pub user_status: Option<UserStatus>,
    /// `sort`: `first_name`, `last_name`, `created_at` or `updated_at`, prefixed with `-` for
    /// descending, e.g. [`ProfileFilter::SORT_RECENTLY_UPDATED`]. Sent as given.
    pub sort: Option<String>,
}

impl ProfileFilter {
    /// `sort=-updated_at`: the most recently changed profiles first.
    pub const SORT_RECENTLY_UPDATED: &'static str = "-updated_at";

    /// Every profile, the most recently changed first (`sort=-updated_at`).
    pub fn recently_updated_first() -> Self {
        Self::default().sorted_by(Self::SORT_RECENTLY_UPDATED)
    }

    /// The same filter with this `sort` value.
    pub fn sorted_by(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// Only profiles with this company email.
    pub fn email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// Only profiles with this personal email.
    pub fn personal_email(email: impl Into<String>) -> Self {
        Self {
            personal_email: Some(email.into()),
            ..Self::default()
        }
    }

    pub(crate) fn query_pairs(&self) -> Vec<(&'static str, &str)> {
        let mut pairs = Vec::new();
        if let Some(v) = &self.email {
            pairs.push(("filter[email]", v.as_str()));
        }
        if let Some(v) = &self.personal_email {
            pairs.push(("filter[personal_email]", v.as_str()));
        }
        if let Some(v) = &self.user_status {
            pairs.push(("filter[user_status]", v.as_str()));
        }
        if let Some(v) = &self.sort {
            pairs.push(("sort", v.as_str()));
        }
        pairs
    }
}

/// Where `all_profiles` has got to, reported after each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageProgress {
    /// The page just read (1-based).
    pub page: u32,
    /// Profiles read so far.
    pub fetched: usize,
    /// Namely's `meta.total_count`, when given.
    pub total_count: Option<u64>,
}

/// `GET /companies/info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CompanyInfo {
    /// Company name.
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// The permalink Namely reports ("the subdomain before namely.com").
    #[serde(default, deserialize_with = "lenient_string")]
    pub permalink: Option<String>,
}

/// A profile field from `GET /profiles/fields`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Field {
    /// Field id.
    pub id: String,
    /// The immutable API key (e.g. `icims_id`); custom values appear under this key.
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub name: String,
    /// The label shown in Namely (e.g. `icims_id`).
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub label: String,
    /// `text`, `longtext`, `date`, `select`, … (kept as text).
    #[serde(rename = "type", default, deserialize_with = "lenient_string_or_empty")]
    pub field_type: String,
    /// Whether the field can be deleted (custom fields usually can).
    #[serde(default, deserialize_with = "lenient")]
    pub deletable: Option<bool>,
    /// Namely's description of the accepted format.
    #[serde(default, deserialize_with = "lenient_string")]
    pub valid_format_info: Option<String>,
}

impl Field {
    /// Is this a plain text field (`type == "text"`)?
    pub fn is_text(&self) -> bool {
        self.field_type.eq_ignore_ascii_case("text")
    }
}

/// Finds a field as `docs/namely-api.md` §7 describes: the first whose label equals `wanted`
/// (trimmed, case-insensitive), else the one whose `name` equals `wanted`.
pub fn find_field<'a>(fields: &'a [Field], wanted: &str) -> Option<&'a Field> {
    let wanted = wanted.trim();
    fields
        .iter()
        .find(|f| f.label.trim().eq_ignore_ascii_case(wanted))
        .or_else(|| fields.iter().find(|f| f.name == wanted))
}

/// A job title from `GET /job_titles`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JobTitle {
    /// Job title id.
    pub id: String,
    /// The title text (case-sensitive on writes).
    #[serde(default, deserialize_with = "lenient_string_or_empty")]
    pub title: String,
}

/// How to name a job title on a write: by id or by its exact (case-sensitive) title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobTitleRef {
    /// `{"id": "…"}`.
    Id(String),
    /// `{"title": "…"}`.
    Title(String),
}

/// A new profile for `POST /profiles`. `None` fields are not sent.
///
/// Custom fields go in [`NewProfile::custom`], keyed by the field's `name` from
/// `/profiles/fields`, and are sent as top-level keys (see [`crate::assumptions`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewProfile {
    /// First name (required).
    pub first_name: String,
    /// Last name (required).
    pub last_name: String,
    /// Company email (required).
    pub email: String,
    /// Always `active` for this sync.
    pub user_status: UserStatus,
    /// Start date, sent as `YYYY-MM-DD`.
    #[serde(serialize_with = "serialize_iso_date")]
    pub start_date: time::Date,
    /// Personal email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_email: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Preferred name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_name: Option<String>,
    /// An existing job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<JobTitleRef>,
    /// The manager's profile id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_to: Option<ProfileId>,
    /// Mobile phone, free text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// Home address; any invalid part makes Namely reject the whole create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home: Option<Address>,
    /// Gender (`Male`, `Female`, `Not specified`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Custom fields by field `name`, e.g. `{"icims_id": "12345"}`.
    #[serde(flatten)]
    pub custom: BTreeMap<String, String>,
}

impl NewProfile {
    /// An active profile with the required fields and nothing else.
    pub fn active(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
        start_date: time::Date,
    ) -> Self {
        Self {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            user_status: UserStatus::Active,
            start_date,
            personal_email: None,
            middle_name: None,
            preferred_name: None,
            job_title: None,
            reports_to: None,
            mobile_phone: None,
            home: None,
            gender: None,
            custom: BTreeMap::new(),
        }
    }

    /// Sets a custom text field by its field `name`.
    #[must_use]
    pub fn with_custom_text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.insert(name.into(), value.into());
        self
    }
}

/// The fields to change with `PUT /profiles/{id}`; fields left `None` are kept by Namely.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileUpdate {
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Company email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Personal email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_email: Option<String>,
    /// User status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_status: Option<UserStatus>,
    /// Start date, sent as `YYYY-MM-DD`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_iso_date"
    )]
    pub start_date: Option<time::Date>,
    /// An existing job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<JobTitleRef>,
    /// The manager's profile id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports_to: Option<ProfileId>,
    /// Home address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home: Option<Address>,
    /// Gender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Custom fields by field `name`, e.g. `{"icims_id": "12345"}`.
    #[serde(flatten)]
    pub custom: BTreeMap<String, String>,
}

impl ProfileUpdate {
    /// An update that only sets one custom text field (e.g. backfilling `icims_id`).
    pub fn custom_text(name: impl Into<String>, value: impl Into<String>) -> Self {
        let mut update = Self::default();
        update.custom.insert(name.into(), value.into());
        update
    }
}

/// Standard profile keys a custom field must not shadow (the flattened map would otherwise
/// send the key twice).
pub(crate) const RESERVED_KEYS: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "middle_name",
    "preferred_name",
    "full_name",
    "email",
    "personal_email",
    "user_status",
    "start_date",
    "job_title",
    "reports_to",
    "mobile_phone",
    "home",
    "gender",
    "access_role",
    "links",
];

/// Checks custom keys before a write.
pub(crate) fn check_custom_keys(custom: &BTreeMap<String, String>) -> Result<(), String> {
    for key in custom.keys() {
        if key.trim().is_empty() {
            return Err("a custom field has an empty name".to_owned());
        }
        if RESERVED_KEYS.contains(&key.as_str()) {
            return Err(format!(
                "the custom field name `{key}` is a standard profile field; set it through its own field instead"
            ));
        }
    }
    Ok(())
}

fn serialize_iso_date<S: Serializer>(date: &time::Date, s: S) -> Result<S::Ok, S::Error> {
    let text = format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    );
    s.serialize_str(&text)
}

fn serialize_opt_iso_date<S: Serializer>(
    date: &Option<time::Date>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => serialize_iso_date(d, s),
        None => s.serialize_none(),
    }
}

/// Any value that does not fit `T` (or `null`) becomes `None` instead of failing the page.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(d)?;
    Ok(serde_json::from_value(value).ok())
}

/// A count: a whole number, or a string holding one (`"40"`); anything else `None`.
fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Strings as given (`""` → `None`), numbers and booleans as text, anything else `None`.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// Epoch seconds: an integer, a float (truncated), or a string holding either; anything
/// else (absent, `null`, `""`, an ISO date, out of range) → `None`.
fn lenient_epoch<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    fn from_f64(f: f64) -> Option<i64> {
        // `as` saturates; the range check keeps out-of-range values from being clamped.
        (f.is_finite() && f.abs() < 9.0e15).then(|| f.trunc() as i64)
    }
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(from_f64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(from_f64))
        }
        _ => None,
    })
}

fn lenient_string_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient_string(d)?.unwrap_or_default())
}

fn lenient_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NamelyDate>, D::Error> {
    Ok(lenient_string(d)?
        .filter(|s| !s.trim().is_empty())
        .map(NamelyDate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    #[test]
    fn profile_reads_tolerantly() {
        let p: Profile = serde_json::from_value(json!({
            "id": "p1",
            "email": "a@acme.com",
            "first_name": "Ann",
            "last_name": "",
            "user_status": "active",
            "start_date": "01/15/2011",
            "home": "",
            "icims_id": " 12345 ",
            "greenhouse_id": null,
            "jobvite_id": "",
            "numeric_id": 77,
            "job_title": {"id": "j1", "title": "Engineer"},
            "created_at": 1_400_000_000
        }))
        .expect("profile");
        assert_eq!(p.id.as_str(), "p1");
        assert_eq!(p.last_name, None);
        assert_eq!(p.access_role, None);
        assert_eq!(p.home, None);
        assert_eq!(p.user_status, Some(UserStatus::Active));
        assert_eq!(
            p.start_date.as_ref().and_then(NamelyDate::date),
            Some(date!(2011 - 01 - 15))
        );
        assert_eq!(p.custom_text("icims_id"), Some("12345"));
        assert_eq!(p.custom_text("greenhouse_id"), None);
        assert_eq!(p.custom_text("jobvite_id"), None);
        assert_eq!(p.custom_text("missing"), None);
        assert_eq!(p.custom_text("numeric_id"), None);
        assert_eq!(p.custom_value("numeric_id").as_deref(), Some("77"));
        assert_eq!(p.job_title(), Some("Engineer"));
        assert_eq!(p.updated_at, None, "absent");
        assert!(
            p.extra.contains_key("created_at"),
            "other timestamps stay in extra"
        );
    }

    #[test]
    fn updated_at_is_epoch_seconds_read_tolerantly() {
        let read = |v: Value| -> Option<i64> {
            serde_json::from_value::<Profile>(json!({"id": "p1", "updated_at": v}))
                .expect("profile")
                .updated_at
        };
        assert_eq!(read(json!(1_700_000_000)), Some(1_700_000_000));
        assert_eq!(read(json!("1700000000")), Some(1_700_000_000));
        assert_eq!(read(json!(" 1700000000 ")), Some(1_700_000_000));
        assert_eq!(read(json!(1_700_000_000.75)), Some(1_700_000_000));
        assert_eq!(read(json!("1700000000.5")), Some(1_700_000_000));
        assert_eq!(read(json!(null)), None);
        assert_eq!(read(json!("")), None);
        assert_eq!(read(json!("2024-01-02T03:04:05Z")), None);
        assert_eq!(read(json!(1e300)), None);
        assert_eq!(read(json!({"at": 1})), None);
        let p: Profile = serde_json::from_value(json!({"id": "p1", "updated_at": 5})).unwrap();
        assert!(!p.extra.contains_key("updated_at"), "modelled, not extra");
    }

    #[test]
    fn sort_is_a_query_pair() {
        assert_eq!(
            ProfileFilter::recently_updated_first().query_pairs(),
            vec![("sort", "-updated_at")]
        );
        assert_eq!(
            ProfileFilter::email("a@b.c")
                .sorted_by("last_name")
                .query_pairs(),
            vec![("filter[email]", "a@b.c"), ("sort", "last_name")]
        );
        assert!(ProfileFilter::default().query_pairs().is_empty());
    }

    #[test]
    fn dates_in_every_known_shape() {
        let cases = [
            ("2011-01-15", Some(date!(2011 - 01 - 15))),
            ("01/15/2011", Some(date!(2011 - 01 - 15))),
            ("1986/8/05", Some(date!(1986 - 08 - 05))),
            ("1986-8-5", Some(date!(1986 - 08 - 05))),
            (" 2020-02-29 ", Some(date!(2020 - 02 - 29))),
            ("2021-02-29", None),
            ("15/01/2011", None),
            ("2011-01", None),
            ("", None),
            ("soon", None),
            ("01-15-2011", None),
        ];
        for (text, want) in cases {
            assert_eq!(assumptions::parse_date(text), want, "{text:?}");
        }
    }

    #[test]
    fn new_profile_omits_none_and_flattens_custom() {
        let p = NewProfile::active("Ann", "Lee", "ann@acme.com", date!(2024 - 03 - 04))
            .with_custom_text("icims_id", "12345");
        let v = serde_json::to_value(&p).expect("json");
        assert_eq!(
            v,
            json!({
                "first_name": "Ann",
                "last_name": "Lee",
                "email": "ann@acme.com",
                "user_status": "active",
                "start_date": "2024-03-04",
                "icims_id": "12345"
            })
        );
        let mut p = p;
        p.home = Some(Address {
            city: Some("New York".into()),
            ..Address::default()
        });
        p.job_title = Some(JobTitleRef::Title("Engineer".into()));
        let v = serde_json::to_value(&p).expect("json");
        assert_eq!(v["home"], json!({"city": "New York"}));
        assert_eq!(v["job_title"], json!({"title": "Engineer"}));
    }

    #[test]
    fn update_omits_none() {
        let u = ProfileUpdate::custom_text("icims_id", "9");
        assert_eq!(
            serde_json::to_value(&u).expect("json"),
            json!({"icims_id": "9"})
        );
        let u = ProfileUpdate {
            start_date: Some(date!(2024 - 12 - 01)),
            ..ProfileUpdate::default()
        };
        assert_eq!(
            serde_json::to_value(&u).expect("json"),
            json!({"start_date": "2024-12-01"})
        );
    }

    #[test]
    fn reserved_custom_keys_are_refused() {
        let mut custom = BTreeMap::new();
        custom.insert("icims_id".to_owned(), "1".to_owned());
        assert!(check_custom_keys(&custom).is_ok());
        custom.insert("email".to_owned(), "x".to_owned());
        assert!(check_custom_keys(&custom).is_err());
    }

    #[test]
    fn finds_field_by_label_then_name() {
        let fields: Vec<Field> = serde_json::from_value(json!([
            {"id": "1", "name": "first_name", "label": "First name", "type": "text"},
            {"id": "2", "name": "icims_id_1", "label": " ICIMS_ID ", "type": "text", "default": false},
            {"id": "3", "name": "icims_id", "label": "Old", "type": "longtext"}
        ]))
        .expect("fields");
        let f = find_field(&fields, "icims_id").expect("found");
        assert_eq!(f.name, "icims_id_1");
        assert!(f.is_text());
        assert_eq!(
            find_field(&fields[2..], "icims_id").map(|f| f.id.as_str()),
            Some("3")
        );
        assert!(find_field(&fields, "nope").is_none());
    }

    #[test]
    fn page_meta_reads_counts_sent_as_text() {
        let meta: PageMeta =
            serde_json::from_value(serde_json::json!({"count": "40", "total_count": " 368 "}))
                .unwrap();
        assert_eq!((meta.count, meta.total_count), (Some(40), Some(368)));
        let odd: PageMeta =
            serde_json::from_value(serde_json::json!({"count": -1, "total_count": "many"}))
                .unwrap();
        assert_eq!((odd.count, odd.total_count), (None, None));
    }

    #[test]
    fn page_meta_reads_the_echoed_cursor_as_text() {
        let meta = |v: serde_json::Value| -> PageMeta {
            serde_json::from_value::<ProfilesPage>(json!({ "profiles": [], "meta": v }))
                .expect("page")
                .meta
        };
        let m = meta(json!({"count": 2, "total_count": 40, "after": "a1b2"}));
        assert_eq!(m.after.as_deref(), Some("a1b2"));
        assert_eq!((m.count, m.total_count), (Some(2), Some(40)));
        assert_eq!(
            meta(json!({"after": 12345})).after.as_deref(),
            Some("12345")
        );
        for none in [json!({}), json!({"after": null}), json!({"after": ""})] {
            assert_eq!(meta(none.clone()).after, None, "{none}");
        }
        assert_eq!(
            meta(json!({"after": {"id": 1}})).after,
            None,
            "not a cursor"
        );
    }
}
