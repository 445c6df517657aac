//! The words of a run's records: what happened to one hire, and why, in plain words for the
//! history (`Added as Jane Doe (start 2 Dec 2026)`, `Needs review: …`, `Failed: …`).

use crate::domain::{Hire, IndexEntry, NamelyProfileId, OutcomeKind, ProfileDraft};
use crate::mapping::human_date;
use crate::plan::{name_of, whose};
use crate::store::RecordRow;
use time::OffsetDateTime;

/// Appended to the reason of a hire whose create an earlier run left unconfirmed.
pub(crate) const FOUND_AFTER_EARLIER_RUN: &str =
    " — found after an earlier run stopped before it could record adding this person";

/// The most characters of a name or email the history keeps of what iCIMS sent.
const MAX_SHOWN: usize = 120;

/// Text from iCIMS as the history shows it: control characters escaped (a record is one line),
/// cut after [`MAX_SHOWN`] characters with "…". The record's reason says what was wrong.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_SHOWN {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds the record of one hire.
pub(crate) fn record(
    hire: &Hire,
    outcome: OutcomeKind,
    reason: impl Into<String>,
    profile: Option<NamelyProfileId>,
    detail: Option<String>,
) -> RecordRow {
    RecordRow {
        person_id: hire.person_id,
        workflow_ids: hire.workflow_ids.clone(),
        name: shown(&hire.display_name()),
        email: hire
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(shown),
        outcome,
        reason: reason.into(),
        namely_profile_id: profile,
        detail,
        at: OffsetDateTime::now_utc(),
        start_date: hire
            .start_date
            .as_deref()
            .or(hire.hire_date.as_deref())
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        permanent: false,
    }
}

/// "Added as Jane Doe (start 2 Dec 2026)".
pub(crate) fn added_reason(draft: &ProfileDraft) -> String {
    format!(
        "Added as {} (start {})",
        draft.display_name(),
        human_date(draft.start_date)
    )
}

/// "Already in Namely as Jane Doe (icims_id 9012)", saying so when an earlier run left the
/// create unconfirmed.
pub(crate) fn already_reason(entry: &IndexEntry, icims_id: &str, earlier_intent: bool) -> String {
    let mut reason = format!(
        "Already in Namely as {} (icims_id {icims_id})",
        name_of(entry)
    );
    if earlier_intent {
        reason.push_str(FOUND_AFTER_EARLIER_RUN);
    }
    reason
}

/// The record of a create Namely did not confirm: nothing is sent again until Namely has
/// shown nobody for `settle` after it.
pub(crate) fn unconfirmed_reason(settle: std::time::Duration) -> String {
    let minutes = settle.as_secs().div_ceil(60).max(1);
    format!(
        "Unconfirmed — Namely may have created it; checking again next run. Nothing is sent \
         again until Namely has shown no such profile for {minutes} minute{} after the \
         attempt.",
        if minutes == 1 { "" } else { "s" }
    )
}

/// "Needs review: jane@acme.com already belongs to Jane D. Doe, who has no icims_id".
pub(crate) fn review_reason(entry: &IndexEntry, email: &str) -> String {
    format!(
        "Needs review: {} already belongs to {}, {}",
        email.trim().to_lowercase(),
        name_of(entry),
        whose(entry)
    )
}

/// Namely's complaint in a few words, for a record's reason.
pub(crate) fn short(e: &namely::Error) -> String {
    match e {
        namely::Error::Validation { message, errors } if errors.is_empty() => message.clone(),
        namely::Error::Validation { errors, .. } => errors.join("; "),
        namely::Error::Server { status, message }
        | namely::Error::UnexpectedStatus { status, message } => {
            format!("HTTP {}: {message}", status.as_u16())
        }
        namely::Error::NotFound { message } => format!("HTTP 404: {message}"),
        namely::Error::Transport {
            timed_out: true, ..
        } => "Namely did not answer in time".into(),
        namely::Error::Transport { .. } => "Namely could not be reached".into(),
        namely::Error::Decode { .. } => "Namely's answer could not be read".into(),
        namely::Error::Throttled => "Namely is limiting requests".into(),
        namely::Error::Unauthorized | namely::Error::Forbidden => {
            "Namely refused the credential — sign in again".into()
        }
        namely::Error::InvalidInput { message } => message.clone(),
        other => other.to_string(),
    }
}

/// What to fix for a 422, by what Namely complained about.
pub(crate) fn fix_advice(text: &str) -> &'static str {
    let t = text.to_ascii_lowercase();
    if ["home", "address", "state", "zip", "country", "city"]
        .iter()
        .any(|w| t.contains(w))
    {
        "Fix the address in iCIMS"
    } else if t.contains("email") {
        "Fix the email in iCIMS"
    } else if t.contains("start_date") || t.contains("date") {
        "Fix the start date in iCIMS"
    } else if t.contains("name") {
        "Fix the name in iCIMS"
    } else {
        "Fix the candidate in iCIMS"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::IcimsPersonId;

    #[test]
    fn reasons_read_well() {
        let draft = ProfileDraft {
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            email: "jane@example.com".into(),
            user_status: "active".into(),
            start_date: time::macros::date!(2026 - 12 - 02),
            gender: None,
            home: None,
            icims_id: "9012".into(),
        };
        assert_eq!(added_reason(&draft), "Added as Jane Doe (start 2 Dec 2026)");
        let e = namely::Error::Validation {
            message: "error creating profile".into(),
            errors: vec!["home state_id 'XX' is not valid".into()],
        };
        assert_eq!(short(&e), "home state_id 'XX' is not valid");
        assert_eq!(fix_advice(&short(&e)), "Fix the address in iCIMS");
        assert_eq!(
            fix_advice("email has already been taken"),
            "Fix the email in iCIMS"
        );
        let hire = Hire {
            person_id: IcimsPersonId(5),
            workflow_ids: vec![1, 2],
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            email: Some(" jane@example.com ".into()),
            start_date: None,
            hire_date: None,
            gender: None,
            home: None,
            job_title: None,
        };
        let r = record(&hire, OutcomeKind::Created, "x", None, None);
        assert_eq!(r.name, "Jane Doe");
        assert_eq!(r.email.as_deref(), Some("jane@example.com"));
        assert_eq!(r.workflow_ids, vec![1, 2]);
    }
}
