//! Tests of the local store, one file per part of it; the fixtures they share are here.

use super::*;

mod connections;
mod index;
mod intents;
mod opening;
mod runs;
mod setup;

use crate::connection::{ConnectionName, ConnectionSettings, IcimsRegion, Schedule};
use crate::domain::{
    CheckCode, Counts, IcimsPersonId, IndexEntry, NamelyProfileId, OutcomeKind, SecretKind,
    SetupStep, Trigger,
};
use time::OffsetDateTime;
use time::macros::{date, datetime};

const T0: OffsetDateTime = datetime!(2026-11-27 09:00 UTC);

pub(super) fn name(s: &str) -> ConnectionName {
    ConnectionName::new(s).unwrap()
}

pub(super) fn settings(n: &str) -> ConnectionSettings {
    let mut s = ConnectionSettings::new(name(n), "acme", "1234", "api-user", IcimsRegion::Us, T0);
    s.hired_statuses = vec!["Hired".into(), "Offer Accepted".into()];
    s.schedule = Schedule::DailyAt { hour: 7, minute: 0 };
    s
}

pub(super) fn store_with(names: &[&str]) -> Store {
    let store = Store::open_in_memory().unwrap();
    for n in names {
        store.add_connection(&settings(n)).unwrap();
    }
    store
}

pub(super) fn record(person: u64, outcome: OutcomeKind, name: &str) -> RecordRow {
    RecordRow {
        person_id: IcimsPersonId(person),
        workflow_ids: vec![person * 10, person * 10 + 1],
        name: name.into(),
        email: Some(format!("p{person}@acme.com")),
        outcome,
        reason: format!("{} for {name}", outcome.as_str()),
        namely_profile_id: (outcome == OutcomeKind::Created)
            .then(|| NamelyProfileId(format!("prof-{person}"))),
        detail: None,
        at: T0,
        start_date: Some("2026-12-01".into()),
        permanent: false,
    }
}

pub(super) fn end(status: RunStatus, counts: Counts) -> RunEnd {
    RunEnd {
        ended_at: T0 + time::Duration::minutes(3),
        status,
        counts,
        icims_calls: 42,
        namely_calls: 7,
        error_code: None,
        error: None,
    }
}

/// A check result as the engine records it: passed, or failed with some failure code.
pub(super) fn check(
    step: SetupStep,
    passed: bool,
    message: &str,
    at: OffsetDateTime,
) -> CheckRecord {
    CheckRecord {
        step,
        passed,
        code: Some(if passed {
            CheckCode::Passed
        } else {
            CheckCode::IcimsCredentialsRefused
        }),
        message: message.into(),
        checked_at: at,
    }
}

pub(super) fn index_entry(id: &str, icims: Option<&str>, email: Option<&str>) -> IndexEntry {
    IndexEntry {
        profile_id: NamelyProfileId(id.into()),
        icims_id: icims.map(Into::into),
        email: email.map(Into::into),
        personal_email: None,
        full_name: format!("Person {id}"),
        user_status: "active".into(),
        first_name: Some("Person".into()),
        last_name: Some(id.into()),
        start_date: Some("2026-12-01".into()),
    }
}
