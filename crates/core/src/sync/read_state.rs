//! What reading gathers as it goes — per person, the workflows and whether their record
//! could be read — and how that becomes hires and Invalid records at the end.

use crate::domain::{Hire, IcimsPersonId, OutcomeKind};
use crate::store::RecordRow;
use icims::{JobId, WorkflowId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;

#[derive(Debug, Default)]
pub(super) enum PersonRead {
    #[default]
    NotYet,
    /// A read of this person is in flight (another workflow of theirs started it).
    Reading,
    Read(Box<Hire>),
    NotShown(String),
    /// iCIMS sent the person with a field of the wrong type: what and which.
    Unreadable(String),
    /// Looked at again outside the window, and no longer in a hired status.
    NoLongerHired,
}

#[derive(Debug, Default)]
pub(super) struct PersonEntry {
    pub(super) workflows: BTreeSet<u64>,
    pub(super) first_job: Option<JobId>,
    pub(super) read: PersonRead,
}

#[derive(Debug, Default)]
pub(super) struct ReadState {
    pub(super) persons: BTreeMap<u64, PersonEntry>,
    pub(super) job_titles: HashMap<u64, Option<String>>,
    pub(super) invalid: Vec<RecordRow>,
    /// The person of each workflow read (workflow id → person id).
    pub(super) workflow_person: HashMap<u64, u64>,
    /// Status ids and values (lowercased) of every workflow read.
    pub(super) statuses_seen: BTreeSet<String>,
    pub(super) done: usize,
    pub(super) total: usize,
}

impl ReadState {
    /// The last of `handled` (workflows in search order, each read or skipped) up to which
    /// every workflow's person was read too: a workflow whose person another workflow was
    /// still reading when reading stopped is not handled yet.
    pub(super) fn handled_prefix(&self, handled: &[WorkflowId]) -> Option<WorkflowId> {
        let mut up_to = None;
        for id in handled {
            let pending = self.workflow_person.get(&id.0).is_some_and(|person| {
                self.persons
                    .get(person)
                    .is_none_or(|e| matches!(e.read, PersonRead::NotYet | PersonRead::Reading))
            });
            if pending {
                break;
            }
            up_to = Some(*id);
        }
        up_to
    }

    /// Hires of every person read; persons iCIMS would not show become Invalid records.
    pub(super) fn hires(&mut self) -> Vec<Hire> {
        let mut hires = Vec::new();
        for (person, entry) in std::mem::take(&mut self.persons) {
            let workflow_ids: Vec<u64> = entry.workflows.into_iter().collect();
            match entry.read {
                PersonRead::NotYet | PersonRead::Reading => {}
                PersonRead::Read(hire) => {
                    let mut hire = *hire;
                    hire.workflow_ids = workflow_ids;
                    hire.job_title = entry
                        .first_job
                        .and_then(|j| self.job_titles.get(&j.0).cloned().flatten());
                    hires.push(hire);
                }
                PersonRead::NoLongerHired => self.invalid.push(invalid_person(
                    person,
                    workflow_ids,
                    "Not added: no longer in a hired status in iCIMS, so nothing was sent to \
                     Namely"
                        .to_string(),
                    None,
                )),
                PersonRead::NotShown(detail) => self.invalid.push(invalid_person(
                    person,
                    workflow_ids,
                    format!(
                        "Invalid: iCIMS did not show person {person} (not found, or hidden from \
                         the integration user) — check the Security Rules of the integration user"
                    ),
                    Some(detail),
                )),
                PersonRead::Unreadable(problem) => self.invalid.push(invalid_person(
                    person,
                    workflow_ids,
                    format!(
                        "Invalid: iCIMS's record of person {person} could not be read \
                         ({problem}) — correct it in iCIMS; it is read again daily"
                    ),
                    Some(problem),
                )),
            }
        }
        hires
    }
}

/// An Invalid record for a person whose record could not be used.
pub(super) fn invalid_person(
    person: u64,
    workflow_ids: Vec<u64>,
    reason: String,
    detail: Option<String>,
) -> RecordRow {
    RecordRow {
        person_id: IcimsPersonId(person),
        workflow_ids,
        name: format!("iCIMS person {person}"),
        email: None,
        outcome: OutcomeKind::Invalid,
        reason,
        namely_profile_id: None,
        detail,
        at: OffsetDateTime::now_utc(),
        start_date: None,
        permanent: false,
    }
}

/// An Invalid record for a workflow whose person is unknown (person id 0).
pub(super) fn unlinked(workflow: WorkflowId, reason: String, detail: String) -> RecordRow {
    RecordRow {
        workflow_ids: vec![workflow.0],
        name: format!("iCIMS workflow {workflow}"),
        ..invalid_person(0, Vec::new(), reason, Some(detail))
    }
}
