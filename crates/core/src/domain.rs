//! Domain words of the engine: hires, plans, outcomes, runs. No I/O here.
//!
//! Vendor words (person, workflow, profile) stay in the client crates; the engine speaks of
//! `Hire`s that become Namely profiles exactly once.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// The iCIMS person id (system id of the person profile). The dedupe key written to Namely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IcimsPersonId(pub u64);

impl fmt::Display for IcimsPersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A Namely profile id (UUID string).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NamelyProfileId(pub String);

impl fmt::Display for NamelyProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A home address as read from iCIMS, in Namely's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct HomeAddress {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    /// Subdivision id, e.g. "NY".
    pub state_id: Option<String>,
    /// ISO alpha-2, e.g. "US".
    pub country_id: Option<String>,
    pub zip: Option<String>,
}

/// One hired candidate as read from iCIMS: the person plus the hired workflows that point at
/// them (a person hired on two jobs is one `Hire` with two workflow ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hire {
    pub person_id: IcimsPersonId,
    /// Hired recruiting workflows of this person, ascending.
    pub workflow_ids: Vec<u64>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// `YYYY-MM-DD`
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`
    pub hire_date: Option<String>,
    /// As iCIMS gives it ("Male", "Female", "Decline to State", …).
    pub gender: Option<String>,
    pub home: Option<HomeAddress>,
    /// Job title of the (first) hired job, for display only.
    pub job_title: Option<String>,
}

impl Hire {
    /// "Jane Doe", or "iCIMS person 123" when the names are missing.
    pub fn display_name(&self) -> String {
        match (self.first_name.as_deref(), self.last_name.as_deref()) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (Some(n), None) | (None, Some(n)) => n.to_string(),
            (None, None) => format!("iCIMS person {}", self.person_id),
        }
    }
}

/// What a sync decides for one hire (pure planning; see `plan`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not in Namely yet: create an active profile.
    Create,
    /// A Namely profile already carries this `icims_id`.
    AlreadyInNamely,
    /// The email belongs to a Namely profile without an `icims_id`: a person must decide.
    NeedsReview,
    /// Required data is missing or malformed in iCIMS; nothing is sent.
    Invalid,
}

/// The final outcome of one record in a run (what history shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// Created in Namely by this run.
    Created,
    /// Would be created (dry run only).
    WouldCreate,
    AlreadyInNamely,
    NeedsReview,
    Invalid,
    /// Namely or the network refused it; it will be retried next run.
    Failed,
}

impl OutcomeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutcomeKind::Created => "created",
            OutcomeKind::WouldCreate => "would_create",
            OutcomeKind::AlreadyInNamely => "already_in_namely",
            OutcomeKind::NeedsReview => "needs_review",
            OutcomeKind::Invalid => "invalid",
            OutcomeKind::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => OutcomeKind::Created,
            "would_create" => OutcomeKind::WouldCreate,
            "already_in_namely" => OutcomeKind::AlreadyInNamely,
            "needs_review" => OutcomeKind::NeedsReview,
            "invalid" => OutcomeKind::Invalid,
            "failed" => OutcomeKind::Failed,
            _ => return None,
        })
    }
}

/// How a run was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Manual,
    Schedule,
    Cli,
    Retry,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Schedule => "schedule",
            Trigger::Cli => "cli",
            Trigger::Retry => "retry",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "manual" => Trigger::Manual,
            "schedule" => Trigger::Schedule,
            "cli" => Trigger::Cli,
            "retry" => Trigger::Retry,
            _ => return None,
        })
    }
}

/// Per-outcome counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Counts {
    /// Hires read from iCIMS.
    pub read: u64,
    pub created: u64,
    pub would_create: u64,
    pub already_in_namely: u64,
    pub needs_review: u64,
    pub invalid: u64,
    pub failed: u64,
}

impl Counts {
    pub fn add(&mut self, kind: OutcomeKind) {
        match kind {
            OutcomeKind::Created => self.created += 1,
            OutcomeKind::WouldCreate => self.would_create += 1,
            OutcomeKind::AlreadyInNamely => self.already_in_namely += 1,
            OutcomeKind::NeedsReview => self.needs_review += 1,
            OutcomeKind::Invalid => self.invalid += 1,
            OutcomeKind::Failed => self.failed += 1,
        }
    }
}

/// What the engine remembers of one Namely profile, to match hires without listing every
/// profile on every run. Kept in the local store and refreshed incrementally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub profile_id: NamelyProfileId,
    /// Value of the `icims_id` custom field, if set.
    pub icims_id: Option<String>,
    /// Company email, lowercased.
    pub email: Option<String>,
    /// Personal email, lowercased.
    pub personal_email: Option<String>,
    pub full_name: String,
    /// "active", "pending", "inactive".
    pub user_status: String,
}

/// The Namely profile a hire becomes: exactly the fields this app sends, nothing else
/// (no job title, phone, salary or custom fields other than `icims_id`). Built by
/// [`crate::mapping::map_hire`].
///
/// `icims_id` is the value of the Namely custom field; the JSON key it is sent under is the
/// field `name` discovered from `GET /profiles/fields`, so the Namely client builds the request
/// body and this type's own serialization is for previews and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDraft {
    pub first_name: String,
    pub last_name: String,
    /// Company email, as given in iCIMS (trimmed).
    pub email: String,
    /// Always `"active"` ([`ProfileDraft::ACTIVE`]): hires sync only as active profiles.
    pub user_status: String,
    /// `YYYY-MM-DD`: the iCIMS start date, else the hire date.
    pub start_date: String,
    /// `"Male"` or `"Female"`; anything else is not sent.
    pub gender: Option<String>,
    /// Home address with empty parts dropped; `None` when there is none.
    pub home: Option<HomeAddress>,
    /// The iCIMS person id as a decimal string.
    pub icims_id: String,
}

impl ProfileDraft {
    /// The only `user_status` this app writes.
    pub const ACTIVE: &'static str = "active";

    /// "Jane Doe".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}
