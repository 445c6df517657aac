//! iCIMS records as this crate reads them: ids, workflows, people, jobs, search queries.
//!
//! Parsing is tolerant throughout (`docs/icims-api.md` §8, "schema drift"): unknown keys are
//! ignored (or kept in `extra`), ids may be numbers or strings, every field may be missing or
//! `null`, list-node fields may be plain strings.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use time::OffsetDateTime;

/// Maximum ids returned by one search call; a shorter page is the last one
/// (`docs/icims-api.md` §4.3).
pub const PAGE_SIZE: usize = 1000;

/// Person fields requested by default (`docs/icims-api.md` §5.2, §9).
pub const DEFAULT_PERSON_FIELDS: &[&str] = &[
    "firstname",
    "middlename",
    "lastname",
    "email",
    "hiredate",
    "startdate",
    "gender",
    "addresses",
    "phones",
];

/// Job fields requested by [`crate::Client::job`].
pub const JOB_FIELDS: &[&str] = &["jobtitle", "jobid"];

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                de::u64_flex(d).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<u64> for $name {
            fn from(v: u64) -> Self {
                $name(v)
            }
        }
    };
}

id_type!(
    /// iCIMS system id of a person profile (`/people/{id}`); the value Namely stores in `icims_id`.
    PersonId
);
id_type!(
    /// iCIMS system id of a recruiting (applicant) workflow (`/applicantworkflows/{id}`).
    WorkflowId
);
id_type!(
    /// iCIMS system id of a job profile (`/jobs/{id}`).
    JobId
);

/// A list-node value such as a status, address type, state or country:
/// `{"id":"C38356","value":"Hired","formattedvalue":"Hired","abbrev":"NY"}`.
///
/// A plain string (or number) in its place is accepted as `value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListNode {
    /// List-node id, e.g. `C12345` / `D84002`.
    pub id: Option<String>,
    /// Text value, e.g. `Home`.
    pub value: Option<String>,
    /// Display value.
    pub formattedvalue: Option<String>,
    /// Abbreviation (states, countries), e.g. `NY`, `US`.
    pub abbrev: Option<String>,
}

impl ListNode {
    /// `value`, else `formattedvalue`.
    pub fn text(&self) -> Option<&str> {
        self.value.as_deref().or(self.formattedvalue.as_deref())
    }
}

impl<'de> Deserialize<'de> for ListNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Object(map) => {
                let get = |k: &str| map.get(k).and_then(de::value_to_string);
                ListNode {
                    id: get("id"),
                    value: get("value"),
                    formattedvalue: get("formattedvalue"),
                    abbrev: get("abbrev"),
                }
            }
            other => ListNode {
                value: de::value_to_string(&other),
                ..ListNode::default()
            },
        })
    }
}

/// A link to another profile: `{"profile":"https://…/people/1","id":1,"value":"Shari Davis"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "I: Deserialize<'de>"))]
pub struct ProfileRef<I> {
    /// The linked profile's id.
    #[serde(default)]
    pub id: Option<I>,
    /// Display name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub value: Option<String>,
    /// URL of the linked profile.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub profile: Option<String>,
}

/// A recruiting workflow: the person ↔ job link and its status (`docs/icims-api.md` §5.1).
///
/// `associatedprofile`/`baseprofile` may be absent when the integration user's security rules
/// hide them (`docs/icims-api.md` §8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    /// The candidate (person).
    #[serde(default)]
    pub associatedprofile: Option<ProfileRef<PersonId>>,
    /// The job.
    #[serde(default)]
    pub baseprofile: Option<ProfileRef<JobId>>,
    /// Current status.
    #[serde(default)]
    pub status: Option<ListNode>,
    /// Last update, `yyyy-mm-dd hh:mm a` UTC as iCIMS writes it.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub updateddate: Option<String>,
    /// Every other key of the reply.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Workflow {
    /// The candidate's person id, when visible.
    pub fn person_id(&self) -> Option<PersonId> {
        self.associatedprofile.as_ref().and_then(|p| p.id)
    }

    /// The job id, when visible.
    pub fn job_id(&self) -> Option<JobId> {
        self.baseprofile.as_ref().and_then(|p| p.id)
    }
}

/// One entry of a person's `addresses` (`docs/icims-api.md` §5.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// `Home`, `Work`, ...
    #[serde(default)]
    pub addresstype: Option<ListNode>,
    /// Street line 1.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub addressstreet1: Option<String>,
    /// Street line 2.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub addressstreet2: Option<String>,
    /// City.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub addresscity: Option<String>,
    /// State (`abbrev` e.g. `NY`).
    #[serde(default)]
    pub addressstate: Option<ListNode>,
    /// Country (`abbrev` e.g. `US`).
    #[serde(default)]
    pub addresscountry: Option<ListNode>,
    /// Postal code.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub addresszip: Option<String>,
    /// Every other key (`entry`, `addresscounty`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry of a person's `phones` (`docs/icims-api.md` §5.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    /// `Home`, `Work`, `Mobile`, ...
    #[serde(default)]
    pub phonetype: Option<ListNode>,
    /// The number as entered.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub phonenumber: Option<String>,
    /// Every other key (`entry`, `phoneextension`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A person profile (`docs/icims-api.md` §5.2). Fields not requested, or hidden by security
/// rules, are `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// First name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub firstname: Option<String>,
    /// Middle name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub middlename: Option<String>,
    /// Last name.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub lastname: Option<String>,
    /// E-mail address.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub email: Option<String>,
    /// Hire date, `yyyy-mm-dd`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub hiredate: Option<String>,
    /// Start date, `yyyy-mm-dd`.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub startdate: Option<String>,
    /// Gender: a string or a list node; read it with [`ListNode::text`].
    #[serde(default)]
    pub gender: Option<ListNode>,
    /// Addresses.
    #[serde(default, deserialize_with = "de::vec_or_null")]
    pub addresses: Vec<Address>,
    /// Phone numbers.
    #[serde(default, deserialize_with = "de::vec_or_null")]
    pub phones: Vec<Phone>,
    /// Every other key (custom `fieldNNNNN`/`rcfNNNN` fields, `links`, `folder`, ...).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Person {
    /// First address whose type text equals `kind` (case-insensitive), e.g. `"Home"`.
    pub fn address_of_type(&self, kind: &str) -> Option<&Address> {
        self.addresses.iter().find(|a| {
            a.addresstype
                .as_ref()
                .and_then(ListNode::text)
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
    }

    /// First phone whose type text equals `kind` (case-insensitive), e.g. `"Mobile"`.
    pub fn phone_of_type(&self, kind: &str) -> Option<&Phone> {
        self.phones.iter().find(|p| {
            p.phonetype
                .as_ref()
                .and_then(ListNode::text)
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
    }
}

/// A job profile (`docs/icims-api.md` §5.3), only the fields this crate requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Job title.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub jobtitle: Option<String>,
    /// The tenant's human job id, e.g. `2016-1123` (not the system id).
    #[serde(default, deserialize_with = "de::opt_string")]
    pub jobid: Option<String>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What to search for in `applicantworkflows` (`docs/icims-api.md` §4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Statuses that mean "hired": list-node ids (`C12345`) or text values (`Hired`). At least
    /// one is required.
    pub statuses: Vec<String>,
    /// Only workflows updated at or after this instant (sent in UTC, minute precision, rounded
    /// down).
    pub updated_since: Option<OffsetDateTime>,
    /// Only workflows with an id greater than this (paging position).
    pub after: Option<WorkflowId>,
    /// Only the workflows of this person (`applicantworkflow.person.id`).
    pub person: Option<PersonId>,
}

impl SearchQuery {
    /// A query for workflows in any of `statuses`.
    pub fn statuses<S: Into<String>>(statuses: impl IntoIterator<Item = S>) -> Self {
        SearchQuery {
            statuses: statuses.into_iter().map(Into::into).collect(),
            ..SearchQuery::default()
        }
    }

    /// Adds the "updated since" constraint.
    pub fn updated_since(mut self, since: OffsetDateTime) -> Self {
        self.updated_since = Some(since);
        self
    }

    /// Sets the paging position.
    pub fn after(mut self, id: WorkflowId) -> Self {
        self.after = Some(id);
        self
    }

    /// Only the workflows of one person.
    pub fn person(mut self, id: PersonId) -> Self {
        self.person = Some(id);
        self
    }
}

/// One page of search results: workflow ids, ascending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPage {
    /// The ids found.
    pub ids: Vec<WorkflowId>,
}

impl SearchPage {
    /// Whether this is the last page (fewer than [`PAGE_SIZE`] ids).
    pub fn is_last(&self) -> bool {
        self.ids.len() < PAGE_SIZE
    }
}

/// Small deserialisation helpers for iCIMS's loosely typed JSON.
pub(crate) mod de {
    use serde::{Deserialize, Deserializer, de::Error as _};
    use serde_json::Value;

    /// The largest id read: iCIMS ids are far smaller, and the history keeps ids as SQLite's
    /// signed 64-bit integers, so a larger one is refused as not an id rather than failing
    /// later in the store.
    pub const MAX_ID: u64 = i64::MAX as u64;

    /// An unsigned id given as a JSON number (`19288`) or string (`"19288"`), at most
    /// [`MAX_ID`].
    pub fn u64_flex<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = Value::deserialize(d)?;
        value_to_u64(&v).ok_or_else(|| {
            D::Error::custom(format!(
                "expected an id (a whole number or a string of digits), got {}",
                describe(&v)
            ))
        })
    }

    pub fn value_to_u64(v: &Value) -> Option<u64> {
        value_to_any_u64(v).filter(|&id| id <= MAX_ID)
    }

    fn value_to_any_u64(v: &Value) -> Option<u64> {
        match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => {
                let s = s.trim();
                if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                    s.parse().ok()
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// Text of a scalar (strings as-is, numbers and booleans printed); `None` otherwise.
    pub fn value_to_string(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// An optional text field: string/number/bool → text; null, missing or a structure → `None`.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(value_to_string(&Value::deserialize(d)?))
    }

    /// An optional integer given as a number or a numeric string.
    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
    }

    /// A list that may be `null`.
    pub fn vec_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }

    fn describe(v: &Value) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(_) => "a boolean".into(),
            Value::Number(n) => format!("the number {n}"),
            Value::String(s) => format!("the string {:?}", s.chars().take(40).collect::<String>()),
            Value::Array(_) => "a list".into(),
            Value::Object(_) => "an object".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_parse_from_number_or_string() {
        assert_eq!(
            serde_json::from_value::<WorkflowId>(json!(19288)).unwrap(),
            WorkflowId(19288)
        );
        assert_eq!(
            serde_json::from_value::<WorkflowId>(json!("19288")).unwrap(),
            WorkflowId(19288)
        );
        assert_eq!(
            serde_json::from_value::<PersonId>(json!(" 7 ")).unwrap(),
            PersonId(7)
        );
        for bad in [
            json!(-1),
            json!(1.5),
            json!("C123"),
            json!(""),
            json!(null),
            json!({}),
        ] {
            assert!(
                serde_json::from_value::<JobId>(bad.clone()).is_err(),
                "{bad} should not parse as an id"
            );
        }
        let e = serde_json::from_value::<JobId>(json!("abc")).unwrap_err();
        assert!(e.to_string().contains("\"abc\""), "{e}");
    }

    #[test]
    fn workflow_parses_reference_example() {
        let w: Workflow = serde_json::from_value(json!({
          "associatedprofile": { "profile": "https://api.icims.com/customers/1234/people/1", "id": 1, "value": "Shari Davis" },
          "baseprofile": { "profile": "https://api.icims.com/customers/1234/jobs/1346", "id": "1346", "value": "Harbor Discoveries Junior Counselor" },
          "status": { "id": "C38356", "formattedvalue": "Lottery:Placed", "value": "Lottery:Placed" },
          "source": "Other (Please Specify)",
          "links": [ { "rel": "self", "url": "https://api.icims.com/customers/1234/applicantworkflows/19288" } ]
        }))
        .unwrap();
        assert_eq!(w.person_id(), Some(PersonId(1)));
        assert_eq!(w.job_id(), Some(JobId(1346)));
        let status = w.status.as_ref().unwrap();
        assert_eq!(status.id.as_deref(), Some("C38356"));
        assert_eq!(status.text(), Some("Lottery:Placed"));
        assert_eq!(w.updateddate, None);
        assert!(w.extra.contains_key("source"));
    }

    #[test]
    fn workflow_without_visible_profiles() {
        let w: Workflow = serde_json::from_value(json!({"status": null})).unwrap();
        assert_eq!(w.person_id(), None);
        assert_eq!(w.job_id(), None);
        assert_eq!(w.status, None);
    }

    #[test]
    fn person_parses_reference_example_tolerantly() {
        let p: Person = serde_json::from_value(json!({
          "firstname": "Jane", "lastname": "Doe", "email": "jtiberiusd@example.com",
          "hiredate": "2013-04-30", "startdate": "2013-05-03", "middlename": null,
          "gender": "Female",
          "folder": { "id": "D32006", "value": "Cand:Unreviewed" },
          "addresses": [ { "entry": 4128,
              "addresstype": { "id": "D84002", "value": "Home", "formattedvalue": "Home" },
              "addressstreet1": "123 Abc St", "addresscity": "New York",
              "addressstate": { "id": "D41001035", "value": "New York", "abbrev": "NY" },
              "addresszip": 10001,
              "addresscountry": { "id": "D41001", "value": "United States", "abbrev": "US" } } ],
          "phones": [ { "entry": 5305, "phonetype": { "value": "Mobile" }, "phonenumber": "302-555-5555" } ],
          "field12345": "custom"
        }))
        .unwrap();
        assert_eq!(p.firstname.as_deref(), Some("Jane"));
        assert_eq!(p.middlename, None);
        assert_eq!(p.gender.as_ref().and_then(ListNode::text), Some("Female"));
        let home = p.address_of_type("home").unwrap();
        assert_eq!(
            home.addressstate.as_ref().unwrap().abbrev.as_deref(),
            Some("NY")
        );
        assert_eq!(home.addresszip.as_deref(), Some("10001"));
        assert_eq!(home.extra.get("entry"), Some(&json!(4128)));
        assert_eq!(
            p.phone_of_type("MOBILE").unwrap().phonenumber.as_deref(),
            Some("302-555-5555")
        );
        assert!(p.phone_of_type("Home").is_none());
        assert_eq!(p.extra.get("field12345"), Some(&json!("custom")));
        assert!(p.extra.contains_key("folder"));
    }

    #[test]
    fn gender_as_list_node_and_null_lists() {
        let p: Person = serde_json::from_value(json!({
            "gender": {"id": "D1", "value": "Male"}, "addresses": null
        }))
        .unwrap();
        assert_eq!(p.gender.unwrap().text(), Some("Male"));
        assert!(p.addresses.is_empty());
        assert!(p.phones.is_empty());
        assert_eq!(p.email, None);
    }

    #[test]
    fn job_parses() {
        let j: Job = serde_json::from_value(json!({
            "jobid": "2016-1123", "jobtitle": "Mentor", "folder": {"id": "D31001"}
        }))
        .unwrap();
        assert_eq!(j.jobtitle.as_deref(), Some("Mentor"));
        assert_eq!(j.jobid.as_deref(), Some("2016-1123"));
    }
}
