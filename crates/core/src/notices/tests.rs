use super::*;
use crate::api::{Counts, RecordView, RunSummary};
use crate::domain::{OutcomeKind, Trigger};

fn run(
    status: RunStatus,
    error: Option<RunErrorCode>,
    records: &[(&str, OutcomeKind)],
) -> RunDetails {
    let mut counts = Counts::default();
    let records: Vec<RecordView> = records
        .iter()
        .enumerate()
        .map(|(i, (name, outcome))| {
            counts.add(*outcome);
            RecordView {
                person_id: i as u64 + 1,
                name: name.to_string(),
                email: None,
                outcome: *outcome,
                reason: String::new(),
                namely_profile_id: None,
                at: "2026-11-30T09:00:00Z".into(),
                start_date: None,
            }
        })
        .collect();
    RunDetails {
        summary: RunSummary {
            id: 42,
            connection: "Acme".into(),
            trigger: Trigger::Schedule,
            dry_run: false,
            status,
            started_at: "2026-11-30T09:00:00Z".into(),
            ended_at: None,
            counts,
            icims_calls: 10,
            namely_calls: 3,
            error_code: error,
            error: error.map(|_| "Namely refused the token.".to_string()),
        },
        records,
    }
}

fn history() -> NoticeRoute {
    NoticeRoute::History {
        connection: "Acme".into(),
        run_id: 42,
    }
}

#[test]
fn a_quiet_run_says_nothing() {
    let quiet = run(
        RunStatus::Succeeded,
        None,
        &[
            ("Ann Old", OutcomeKind::AlreadyInNamely),
            ("Bo Past", OutcomeKind::LeftOut),
        ],
    );
    assert_eq!(notice_for("Acme", &Ok(quiet)), None);
    assert_eq!(
        notice_for("Acme", &Ok(run(RunStatus::Succeeded, None, &[]))),
        None
    );
    assert_eq!(
        notice_for("Acme", &Err(EngineError::Busy("Acme".into()))),
        None
    );
}

#[test]
fn people_added_are_counted_and_named() {
    let one = run(
        RunStatus::Succeeded,
        None,
        &[("Jane Doe", OutcomeKind::Created)],
    );
    let n = notice_for("Acme", &Ok(one)).unwrap();
    assert_eq!(n.kind, NoticeKind::Added);
    assert_eq!(n.title, "1 new hire added to Namely (Acme)");
    assert_eq!(n.body, "Jane Doe.");
    assert_eq!(n.route, history());

    let five = run(
        RunStatus::Succeeded,
        None,
        &[
            ("A One", OutcomeKind::Created),
            ("B Two", OutcomeKind::CreatedWithWarning),
            ("C Three", OutcomeKind::Created),
            ("D Four", OutcomeKind::Created),
            ("E Five", OutcomeKind::Created),
            ("Old Hand", OutcomeKind::AlreadyInNamely),
        ],
    );
    let n = notice_for("Acme", &Ok(five)).unwrap();
    assert_eq!(n.title, "5 new hires added to Namely (Acme)");
    assert_eq!(n.body, "A One, B Two, C Three and 2 more.");

    let three = run(
        RunStatus::Succeeded,
        None,
        &[
            ("A One", OutcomeKind::Created),
            ("B Two", OutcomeKind::Created),
            ("C Three", OutcomeKind::Created),
        ],
    );
    assert_eq!(
        notice_for("Acme", &Ok(three)).unwrap().body,
        "A One, B Two and C Three."
    );
}

#[test]
fn failed_records_come_before_added_ones() {
    let mixed = run(
        RunStatus::FinishedWithFailures,
        None,
        &[
            ("Jane Doe", OutcomeKind::Created),
            ("Max Fail", OutcomeKind::Failed),
            ("Mo Fail", OutcomeKind::Failed),
        ],
    );
    let n = notice_for("Acme", &Ok(mixed)).unwrap();
    assert_eq!(n.kind, NoticeKind::RecordsFailed);
    assert_eq!(
        n.title,
        "2 hires could not be added (Acme) — open the history"
    );
    assert!(n.body.contains("Retry failed"), "{}", n.body);
    assert!(n.body.contains("Added: Jane Doe."), "{}", n.body);
    assert_eq!(n.route, history());
}

#[test]
fn a_broken_setup_opens_the_wizard_and_budget_opens_the_run() {
    let owner = run(RunStatus::NotStarted, Some(RunErrorCode::OwnerInvalid), &[]);
    let n = notice_for("Acme", &Ok(owner)).unwrap();
    assert_eq!(n.kind, NoticeKind::SetupBroken);
    assert_eq!(
        n.title,
        "Acme's integration owner is no longer valid — fix the setup"
    );
    assert_eq!(n.body, "Namely refused the token.");
    assert_eq!(
        n.route,
        NoticeRoute::Wizard {
            connection: "Acme".into()
        }
    );

    let key = run(
        RunStatus::NotStarted,
        Some(RunErrorCode::IcimsCredentials),
        &[],
    );
    let n = notice_for("Acme", &Ok(key)).unwrap();
    assert_eq!(n.title, "Acme needs attention — fix the setup");
    assert_eq!(
        n.route,
        NoticeRoute::Wizard {
            connection: "Acme".into()
        }
    );

    let budget = run(RunStatus::Failed, Some(RunErrorCode::IcimsBudget), &[]);
    let n = notice_for("Acme", &Ok(budget)).unwrap();
    assert_eq!(n.kind, NoticeKind::SetupBroken);
    assert_eq!(n.title, "Acme: today's iCIMS calls are used up");
    assert_eq!(n.route, history());

    let missing = Err(EngineError::secret_missing(
        "Acme",
        crate::secrets::SecretKind::NamelyToken,
    ));
    let n = notice_for("Acme", &missing).unwrap();
    assert_eq!(n.kind, NoticeKind::SetupBroken);
    assert_eq!(n.body, "No Namely token is saved for \"Acme\" yet.");
}

#[test]
fn a_passing_failure_opens_the_run_and_a_cancel_is_quiet() {
    let down = run(
        RunStatus::Failed,
        Some(RunErrorCode::NamelyUnavailable),
        &[],
    );
    let n = notice_for("Acme", &Ok(down)).unwrap();
    assert_eq!(n.kind, NoticeKind::RunFailed);
    assert_eq!(n.title, "Acme: the sync failed");
    assert_eq!(n.route, history());

    let cancelled = run(RunStatus::Cancelled, Some(RunErrorCode::Cancelled), &[]);
    assert_eq!(notice_for("Acme", &Ok(cancelled)), None);
    let cancelled_after_one = run(
        RunStatus::Cancelled,
        Some(RunErrorCode::Cancelled),
        &[("Jane Doe", OutcomeKind::Created)],
    );
    let n = notice_for("Acme", &Ok(cancelled_after_one)).unwrap();
    assert_eq!(n.kind, NoticeKind::Added);
}

#[test]
fn dry_runs_and_reviews() {
    let mut dry = run(
        RunStatus::Succeeded,
        None,
        &[("Jane Doe", OutcomeKind::WouldCreate)],
    );
    dry.summary.dry_run = true;
    assert_eq!(notice_for("Acme", &Ok(dry)), None);
    let review = run(
        RunStatus::Succeeded,
        None,
        &[("Jo Maybe", OutcomeKind::NeedsReview)],
    );
    let n = notice_for("Acme", &Ok(review)).unwrap();
    assert_eq!(n.kind, NoticeKind::NeedsReview);
    assert_eq!(n.title, "1 hire needs your review (Acme)");
}

#[test]
fn a_broken_setup_is_told_once_until_it_changes_or_is_fixed() {
    let mut memory = NoticeMemory::default();
    let broken = || {
        Ok(run(
            RunStatus::NotStarted,
            Some(RunErrorCode::OwnerInvalid),
            &[],
        ))
    };
    assert!(memory.filter("Acme", &broken()).is_some());
    assert!(
        memory.filter("Acme", &broken()).is_none(),
        "the retry says nothing new"
    );
    assert!(
        memory.filter("acme", &broken()).is_none(),
        "names match without case"
    );
    assert!(
        memory.filter("Other", &broken()).is_some(),
        "per connection"
    );
    let budget = Ok(run(RunStatus::Failed, Some(RunErrorCode::IcimsBudget), &[]));
    assert!(
        memory.filter("Acme", &budget).is_some(),
        "a different problem is told"
    );
    // A busy connection neither tells nor forgets.
    assert!(
        memory
            .filter("Acme", &Err(EngineError::Busy("Acme".into())))
            .is_none()
    );
    assert!(memory.filter("Acme", &budget).is_none());
    // Fixed, then broken again: told again.
    assert!(
        memory
            .filter("Acme", &Ok(run(RunStatus::Succeeded, None, &[])))
            .is_none()
    );
    assert!(memory.filter("Acme", &broken()).is_some());
    // Added people are always told.
    let added = || {
        Ok(run(
            RunStatus::Succeeded,
            None,
            &[("Jane Doe", OutcomeKind::Created)],
        ))
    };
    assert!(memory.filter("Acme", &added()).is_some());
    assert!(memory.filter("Acme", &added()).is_some());
}
