//! The rows the store reads and writes.

use crate::connection::ConnectionName;
pub use crate::domain::RunStatus;
use crate::domain::{
    CheckCode, Counts, IcimsPersonId, NamelyProfileId, OutcomeKind, RunErrorCode, SecretKind,
    SetupStep, Trigger,
};
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, OffsetDateTime};

/// Id of a sync run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Id of a create intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IntentId(pub i64);

impl fmt::Display for IntentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The latest result of one setup step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    pub step: SetupStep,
    pub passed: bool,
    /// What the check found; `None` for results recorded before codes were kept (version 3).
    pub code: Option<CheckCode>,
    pub message: String,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
}

/// That a secret is saved, and since when. Never the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretMeta {
    pub kind: SecretKind,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
}

/// A Namely user who signed in for this company, as last verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerCandidate {
    pub profile_id: NamelyProfileId,
    pub full_name: String,
    pub email: Option<String>,
    /// e.g. "Administrator"; `None` when Namely did not say.
    pub access_role: Option<String>,
    /// "active", "pending", "inactive".
    pub user_status: String,
    #[serde(with = "time::serde::rfc3339")]
    pub verified_at: OffsetDateTime,
}

/// How a run ended, given to [`super::Store::finish_run`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunEnd {
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    /// Any status but `Running`.
    pub status: RunStatus,
    pub counts: Counts,
    pub icims_calls: u64,
    pub namely_calls: u64,
    /// Why the run failed or stopped early, as a code; `None` when it did not.
    pub error_code: Option<RunErrorCode>,
    /// What went wrong, in plain words, when the run failed or stopped early.
    pub error: Option<String>,
}

/// One run as history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRow {
    pub id: RunId,
    pub connection: ConnectionName,
    pub trigger: Trigger,
    pub dry_run: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub status: RunStatus,
    pub counts: Counts,
    pub icims_calls: u64,
    pub namely_calls: u64,
    /// `None` when the run did not fail (and for runs recorded before version 3).
    pub error_code: Option<RunErrorCode>,
    pub error: Option<String>,
}

/// What happened to one hire in one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRow {
    pub person_id: IcimsPersonId,
    pub workflow_ids: Vec<u64>,
    /// Display name ("Jane Doe").
    pub name: String,
    pub email: Option<String>,
    pub outcome: OutcomeKind,
    /// Plain-words reason, e.g. "Already in Namely (icims_id 9012)".
    pub reason: String,
    pub namely_profile_id: Option<NamelyProfileId>,
    /// Technical detail, one click away in the UI.
    pub detail: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The hire's start date (else hire date), `YYYY-MM-DD`, when known.
    #[serde(default)]
    pub start_date: Option<String>,
    /// A failure that will not fix itself (Namely refused required data): read again after a
    /// back-off, not on every run.
    #[serde(default)]
    pub permanent: bool,
}

/// Where a create intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentState {
    /// Written just before the POST; still so if the process died during it.
    Pending,
    /// The POST ended in a way that leaves open whether a profile was created.
    Unknown,
    /// The profile was created.
    Done,
    /// Certainly not created.
    Failed,
}

impl IntentState {
    pub fn as_str(self) -> &'static str {
        match self {
            IntentState::Pending => "pending",
            IntentState::Unknown => "unknown",
            IntentState::Done => "done",
            IntentState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => IntentState::Pending,
            "unknown" => IntentState::Unknown,
            "done" => IntentState::Done,
            "failed" => IntentState::Failed,
            _ => return None,
        })
    }

    /// Pending or unknown: look the person up in Namely before creating again.
    pub fn is_open(self) -> bool {
        matches!(self, IntentState::Pending | IntentState::Unknown)
    }
}

/// A create intent: "about to create a Namely profile for this iCIMS person".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    pub id: IntentId,
    pub connection: ConnectionName,
    pub person_id: IcimsPersonId,
    pub run_id: RunId,
    pub email: String,
    pub state: IntentState,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub ended_at: Option<OffsetDateTime>,
    pub namely_profile_id: Option<NamelyProfileId>,
}

/// What a later lookup in Namely found for an open intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentResolution {
    /// The profile exists after all.
    Created(NamelyProfileId),
    /// No profile: it was not created, and may be created now.
    NotCreated,
}

/// How fresh the local Namely index is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// When the index was last brought up to date, by a full listing or an incremental
    /// refresh: the start of the run that did it. The next incremental refresh reads the
    /// changes made since shortly before this.
    #[serde(with = "time::serde::rfc3339")]
    pub refreshed_at: OffsetDateTime,
    /// Profiles Namely reported at the refresh.
    pub profile_count: u64,
    /// True when the index was built from a listing of every profile that read to the end
    /// (incremental refreshes since then keep it so).
    pub full: bool,
    /// When the last full listing was made (the start of its run); `None` if there was none.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub listed_at: Option<OffsetDateTime>,
}

/// iCIMS hires updated at or after this time are read on the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    #[serde(with = "time::serde::rfc3339")]
    pub hired_since: OffsetDateTime,
}

/// How far a run read a date window it could not finish; the next run goes on from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadPosition {
    /// The window's lower bound (`None`: no bound).
    #[serde(with = "time::serde::rfc3339::option")]
    pub window_since: Option<OffsetDateTime>,
    /// iCIMS's clock when the window's first search ran: the watermark once the window is
    /// read to its end.
    #[serde(with = "time::serde::rfc3339")]
    pub window_started_at: OffsetDateTime,
    /// Every workflow of the window up to and including this id was handled.
    pub after_workflow: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
}

time::serde::format_description!(iso_day, Date, "[year]-[month]-[day]");

/// iCIMS calls spent on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcimsBudget {
    /// The UTC day, serialised "2026-11-27".
    #[serde(with = "iso_day")]
    pub day: Date,
    pub calls_spent: u64,
    /// Last `x-ratelimit-remaining` seen, if any.
    pub remaining: Option<u64>,
    /// The daily limit, if known.
    pub limit: Option<u64>,
}
