//! Issue 8, "only the right people", at the engine's level (as the app and the command line use
//! it), against simulators that answer like a real company over real HTTP on 127.0.0.1: a
//! tenant answering like Namely's recorded traffic, an Employee's token, a hiring history,
//! profiles HR typed by hand. Each test is named after its scenario.

mod quick;

use icims_namely_core::api::{CheckCode, OutcomeKind, RunErrorCode, RunStatus};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{AddConnection, EditConnection, Engine, EngineError, SyncRequest};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use sandbox::namely::{NamelySimConfig, TOKEN_EMPLOYEE, TOKEN_OLIVIA_OWNER};
use sandbox::seed::SeedConfig;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use time::Date;

const NAME: &str = "Acme";

struct Company {
    engine: Engine,
    sb: Sandbox,
    _dir: tempfile::TempDir,
}

/// A company whose simulators start from `config` (anchored today), with a connection added
/// from the command line's point of view and the iCIMS key and `token` saved.
async fn company(config: SandboxConfig, start_from: Option<Date>, token: &str) -> Company {
    let sb = Sandbox::start(SandboxConfig {
        anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
        ..config
    })
    .await
    .unwrap();
    let dir = quick::data_dir("data");
    let engine = Engine::open(
        DataDir::new(dir.path()),
        Secrets::mock(),
        None,
        quick::engine_options(),
    )
    .unwrap();
    engine
        .add_connection(AddConnection {
            start_from,
            ..quick::connection_to(&sb, NAME)
        })
        .unwrap();
    quick::save_secrets(&engine, &sb, NAME, token).await;
    assert!(engine.check_namely_field(NAME).await.is_ok());
    Company {
        engine,
        sb,
        _dir: dir,
    }
}

async fn sync(e: &Engine, dry_run: bool) -> icims_namely_core::api::RunDetails {
    let request = if dry_run {
        SyncRequest::dry_run(Trigger::Cli)
    } else {
        SyncRequest::sync(Trigger::Cli)
    };
    e.sync(NAME, request, &|_| {}, None).await.unwrap()
}

fn days_ago(n: i64) -> Date {
    time::OffsetDateTime::now_utc().date() - time::Duration::days(n)
}

// ---- 0. Recorded traffic: no access_role, no /companies/info ---------------------------------

#[tokio::test]
async fn recorded_traffic_tenant_completes_setup_once_a_person_confirms_the_owners_role() {
    let c = company(
        SandboxConfig {
            namely: NamelySimConfig::recorded(),
            ..SandboxConfig::default()
        },
        None,
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    // Signed in without /companies/info, by /profiles/me.
    let sign_in = e.check_namely_sign_in(NAME).await.unwrap();
    assert!(sign_in.check.passed, "{:?}", sign_in.check);
    assert_eq!(sign_in.company_name, None);
    let olivia = sign_in.signed_in_as.unwrap();
    assert_eq!(olivia.access_role, None);

    // Part 3 cannot pass on what Namely says, and says how to finish.
    let step = e.owner_step(NAME).await.unwrap();
    assert_eq!(
        step.check.code,
        CheckCode::OwnerUnverified,
        "{:?}",
        step.check
    );
    assert!(
        step.check
            .fix
            .as_deref()
            .unwrap()
            .contains("confirm it here"),
        "{:?}",
        step.check.fix
    );
    // A sync before the confirmation does not start.
    let early = sync(e, false).await;
    assert_eq!(early.summary.status, RunStatus::NotStarted);
    assert_eq!(early.summary.error_code, Some(RunErrorCode::OwnerInvalid));
    assert_eq!(early.summary.icims_calls, 0, "Namely is checked first");

    // The person confirms: recorded with who and when, and part 3 passes.
    let step = e
        .choose_owner(NAME, &olivia.profile_id, true)
        .await
        .unwrap();
    assert!(step.check.passed, "{:?}", step.check);
    let confirmation = step.role_confirmation.expect("recorded");
    assert_eq!(confirmation.profile_id, olivia.profile_id);
    assert!(!confirmation.by.is_empty());
    assert!(
        step.check.summary.contains("confirmed by"),
        "{}",
        step.check.summary
    );
    assert!(
        e.connection(NAME)
            .unwrap()
            .settings
            .owner_role_confirmation
            .is_some()
    );
    let run = sync(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
}

#[tokio::test]
async fn a_role_namely_reports_cannot_be_confirmed_away() {
    let c = company(SandboxConfig::default(), None, TOKEN_EMPLOYEE).await;
    let e = &c.engine;
    let emma = e.owner_step(NAME).await.unwrap().candidates[0].clone();
    assert_eq!(emma.access_role.as_deref(), Some("Employee"));
    let err = e
        .choose_owner(NAME, &emma.profile_id, true)
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::InvalidInput { .. }), "{err:?}");
    assert!(
        e.connection(NAME)
            .unwrap()
            .settings
            .owner_role_confirmation
            .is_none()
    );
}

// ---- 2. An Employee's token, offline: the pre-flight -----------------------------------------

#[tokio::test]
async fn an_employees_token_fails_the_owner_check_and_no_run_starts() {
    let c = company(SandboxConfig::default(), None, TOKEN_OLIVIA_OWNER).await;
    let e = &c.engine;
    assert!(e.owner_step(NAME).await.unwrap().check.passed);
    // Emma Employee's token is saved over Olivia's (it signs in: it is a valid token).
    let r = e
        .save_namely_token(NAME, SecretString::from(TOKEN_EMPLOYEE))
        .await
        .unwrap();
    assert!(r.check.passed);
    let owner = e.owner_step(NAME).await.unwrap();
    assert_eq!(
        owner.check.code,
        CheckCode::TokenNotOwner,
        "{:?}",
        owner.check
    );
    assert!(
        owner.check.summary.contains("Emma Employee"),
        "{}",
        owner.check.summary
    );
    assert!(
        owner.check.summary.contains("Olivia Owner"),
        "{}",
        owner.check.summary
    );

    let icims_before = c.sb.icims.calls();
    let posts_before = c.sb.namely.calls_to("POST", "/profiles");
    for dry_run in [true, false] {
        let run = sync(e, dry_run).await;
        assert_eq!(
            run.summary.status,
            RunStatus::NotStarted,
            "{:?}",
            run.summary
        );
        assert_eq!(run.summary.error_code, Some(RunErrorCode::OwnerInvalid));
        assert!(run.records.is_empty());
        let error = run.summary.error.unwrap();
        assert!(error.starts_with("The sync did not start:"), "{error}");
        assert!(error.contains("Emma Employee"), "{error}");
    }
    assert_eq!(c.sb.icims.calls(), icims_before, "no iCIMS call at all");
    assert_eq!(c.sb.namely.calls_to("POST", "/profiles"), posts_before);
    // The owner alert shows on the dashboard.
    assert!(!e.connection(NAME).unwrap().health.owner_valid);
}

#[tokio::test]
async fn offline_namely_means_the_run_does_not_start_and_spends_no_icims_search() {
    let c = company(SandboxConfig::default(), None, TOKEN_OLIVIA_OWNER).await;
    let e = &c.engine;
    let icims_before = c.sb.icims.calls();
    c.sb.namely.fail_next(50, 503);
    let run = sync(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::NotStarted,
        "{:?}",
        run.summary
    );
    assert_eq!(
        run.summary.error_code,
        Some(RunErrorCode::NamelyUnavailable)
    );
    assert_eq!(c.sb.icims.calls(), icims_before);
}

// ---- 1. Start-from date, 3. hand-made profiles ---------------------------------------------

#[tokio::test]
async fn first_sync_leaves_out_the_hiring_history_and_reads_little_of_it() {
    let c = company(
        SandboxConfig {
            seed: SeedConfig {
                hires: 10,
                employees: 5,
                history: 150,
                ..SeedConfig::default()
            },
            ..SandboxConfig::default()
        },
        None,
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    let start_from = e.connection(NAME).unwrap().settings.start_from;
    assert_eq!(start_from, days_ago(30).to_string(), "the default");

    let icims_before = c.sb.icims.calls();
    let dry = sync(e, true).await;
    assert_eq!(
        dry.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        dry.summary
    );
    let run = sync(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );

    // Nobody who started before the start-from date was created.
    let history: Vec<u64> = c.sb.world.history.clone();
    assert_eq!(history.len(), 150);
    for id in &history {
        assert!(
            c.sb.namely.profile_by_icims_id(&id.to_string()).is_none(),
            "past hire {id} was created"
        );
    }
    let left_out: Vec<_> = run
        .records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::LeftOut)
        .collect();
    assert_eq!(run.summary.counts.left_out, left_out.len() as u64);
    assert_eq!(dry.summary.counts.left_out, run.summary.counts.left_out);
    for r in &left_out {
        assert!(r.reason.starts_with("Left out: started "), "{}", r.reason);
        assert!(r.start_date.as_deref().unwrap() < start_from.as_str());
    }
    for r in run
        .records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::Created)
    {
        assert!(
            r.start_date.as_deref().unwrap() >= start_from.as_str(),
            "{r:?}"
        );
    }
    // The read reached back only a margin before the start-from date: most of the five years
    // of history was never read (each hire read costs a workflow and a person GET at least).
    let spent = c.sb.icims.calls() - icims_before;
    let read = run.summary.counts.read;
    assert!(read < 10 + 150 / 2, "read {read} of 160 hires");
    assert!(spent < 2 * (10 + 150), "{spent} iCIMS calls for two runs");
    eprintln!(
        "history 150 + 10 current hires: dry run + sync read {read} hires with {spent} iCIMS \
         calls; {} created, {} left out",
        run.summary.counts.created, run.summary.counts.left_out
    );
}

#[tokio::test]
async fn a_hire_whose_workflow_changed_long_before_their_start_is_not_missed() {
    let c = company(SandboxConfig::default(), None, TOKEN_OLIVIA_OWNER).await;
    // Hired 300 days ago, starting in 40 days: the workflow has not changed since.
    let added =
        c.sb.icims
            .add_hire("Early", "Offer", Some("early.offer@example.com"));
    let hired_at = time::OffsetDateTime::now_utc() - time::Duration::days(300);
    c.sb.icims.with_world(|w| {
        let p = w
            .people
            .iter_mut()
            .find(|p| p.id == added.person_id)
            .unwrap();
        p.startdate =
            Some((time::OffsetDateTime::now_utc().date() + time::Duration::days(40)).to_string());
        let wf = w
            .workflows
            .iter_mut()
            .find(|wf| wf.id == added.workflow_id)
            .unwrap();
        wf.updated_unix = hired_at.unix_timestamp();
    });
    let run = sync(&c.engine, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    assert!(
        c.sb.namely
            .profile_by_icims_id(&added.person_id.to_string())
            .is_some(),
        "{:?}",
        run.records
    );
}

#[tokio::test]
async fn hand_made_profiles_become_possible_matches_and_are_resolved_by_link_or_create_anyway() {
    // Namely without email uniqueness: a second create of the same person would be stored,
    // so counting profiles and POSTs below can see it.
    let c = company(
        SandboxConfig {
            seed: SeedConfig {
                hand_made: 2,
                ..SeedConfig::default()
            },
            namely: NamelySimConfig {
                email_unique: false,
                ..NamelySimConfig::default()
            },
            ..SandboxConfig::default()
        },
        Some(days_ago(3650)),
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    let hand_made = c.sb.world.hand_made.clone();
    assert_eq!(hand_made.len(), 2);
    let run = sync(e, false).await;
    for (person, employee) in &hand_made {
        let rec = run
            .records
            .iter()
            .find(|r| r.person_id == *person)
            .expect("read");
        assert_eq!(rec.outcome, OutcomeKind::NeedsReview, "{rec:?}");
        assert!(
            rec.reason.contains("possibly already in Namely as"),
            "{}",
            rec.reason
        );
        assert_eq!(rec.namely_profile_id.as_deref(), Some(employee.as_str()));
        assert!(
            c.sb.namely
                .profile_by_icims_id(&person.to_string())
                .is_none()
        );
    }
    let reviews = e.open_reviews(NAME).unwrap();
    let ids: Vec<u64> = reviews.iter().map(|r| r.person_id).collect();
    for (person, _) in &hand_made {
        assert!(ids.contains(person), "{ids:?}");
    }

    // Link the first: icims_id is written onto the hand-made profile; nobody is created.
    let (linked, employee) = &hand_made[0];
    let posts = c.sb.namely.calls_to("POST", "/profiles");
    let link = e.link_review(NAME, *linked, employee).await.unwrap();
    assert_eq!(link.summary.trigger, Trigger::Review);
    assert_eq!(link.records[0].outcome, OutcomeKind::AlreadyInNamely);
    let profile = c.sb.namely.profile(employee).unwrap();
    assert_eq!(profile["icims_id"], linked.to_string());
    assert_eq!(c.sb.namely.calls_to("POST", "/profiles"), posts);

    // Create the second anyway: one new profile carrying its icims_id.
    let (created, _) = &hand_made[1];
    let posts = c.sb.namely.calls_to("POST", "/profiles");
    let anyway = e.create_anyway(NAME, *created).await.unwrap();
    assert_eq!(c.sb.namely.calls_to("POST", "/profiles"), posts + 1);
    assert_eq!(anyway.summary.trigger, Trigger::Review);
    assert_eq!(
        anyway
            .records
            .iter()
            .map(|r| (r.person_id, r.outcome))
            .collect::<Vec<_>>(),
        vec![(*created, OutcomeKind::Created)]
    );
    assert!(
        c.sb.namely
            .profile_by_icims_id(&created.to_string())
            .is_some()
    );
    assert!(
        e.open_reviews(NAME)
            .unwrap()
            .iter()
            .all(|r| !hand_made.iter().any(|(p, _)| *p == r.person_id))
    );

    // Neither is touched again by the next run; reviewing again is refused.
    let next = sync(e, false).await;
    assert_eq!(next.summary.counts.created, 0, "{:?}", next.records);
    assert!(e.link_review(NAME, *linked, employee).await.is_err());
    assert!(e.create_anyway(NAME, *created).await.is_err());
    // Each of the two on exactly one profile, and the one created anyway POSTed exactly once.
    for (person, _) in &hand_made {
        let carrying =
            c.sb.namely
                .profiles()
                .iter()
                .filter(|p| p["icims_id"] == person.to_string().as_str())
                .count();
        assert_eq!(carrying, 1, "profiles carrying {person}");
    }
    let posted = |person: u64| {
        c.sb.namely
            .request_log()
            .iter()
            .filter(|r| r.method == "POST" && r.path.contains("/profiles"))
            .filter(|r| {
                r.body
                    .as_ref()
                    .and_then(|b| b.pointer("/profiles/0/icims_id"))
                    == Some(&serde_json::Value::String(person.to_string()))
            })
            .count()
    };
    assert_eq!(posted(*created), 1, "POSTs for {created}");
    assert_eq!(posted(*linked), 0, "POSTs for {linked}");
}

// ---- 5. An unreadable record ----------------------------------------------------------------

#[tokio::test]
async fn an_unreadable_record_is_recorded_and_every_later_hire_still_arrives() {
    let c = company(
        SandboxConfig::default(),
        Some(days_ago(3650)),
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    // The first hired person in id order gets `addresses` as an object.
    let dry = sync(e, true).await;
    let would: Vec<u64> = dry
        .records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::WouldCreate)
        .map(|r| r.person_id)
        .collect();
    let broken = *would.iter().min().unwrap();
    assert!(
        c.sb.icims
            .set_person_raw_field(broken, "addresses", serde_json::json!({"entry": 1}))
    );

    let run = sync(e, false).await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    let rec = run.records.iter().find(|r| r.person_id == broken).unwrap();
    assert_eq!(rec.outcome, OutcomeKind::Invalid);
    assert!(
        rec.reason
            .contains("addresses: expected a list, got an object"),
        "{}",
        rec.reason
    );
    for id in would.iter().filter(|id| **id != broken) {
        assert!(
            c.sb.namely.profile_by_icims_id(&id.to_string()).is_some(),
            "{id}"
        );
    }
}

// ---- 6. Changing statuses, customer or date widens the next read ----------------------------

#[tokio::test]
async fn changing_the_hired_statuses_reads_again_and_a_status_that_matches_nothing_warns() {
    let c = company(
        SandboxConfig::default(),
        Some(days_ago(3650)),
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    let first = sync(e, false).await;
    assert_eq!(first.summary.status, RunStatus::Succeeded);
    // The company decides an accepted offer ("Offer") counts as hired. Olga's offer was
    // accepted 20 days ago — before the watermark: nothing would read her unless the next read starts again from the start-from date.
    let added =
        c.sb.icims
            .add_hire("Olga", "Accepted", Some("olga.accepted@example.com"));
    c.sb.icims.with_world(|w| {
        let p = w
            .people
            .iter_mut()
            .find(|p| p.id == added.person_id)
            .unwrap();
        p.startdate =
            Some((time::OffsetDateTime::now_utc().date() + time::Duration::days(14)).to_string());
        let wf = w
            .workflows
            .iter_mut()
            .find(|wf| wf.id == added.workflow_id)
            .unwrap();
        wf.status_id = sandbox::seed::OFFER.id.to_string();
        wf.status_value = sandbox::seed::OFFER.value.into();
        wf.updated_unix =
            (time::OffsetDateTime::now_utc() - time::Duration::days(20)).unix_timestamp();
    });
    let edit = e
        .edit_connection(
            NAME,
            EditConnection {
                hired_statuses: Some(vec!["Hired".into(), "Offer".into(), "Hird".into()]),
                ..EditConnection::default()
            },
        )
        .unwrap();
    let why = edit.read_again.expect("reads again");
    assert!(why.contains("(\"Offer\", \"Hird\" added)"), "{why}");
    let warnings = &e.list_connections().unwrap()[0].warnings;
    assert!(
        warnings.iter().any(|w| w.contains("reads iCIMS again")),
        "{warnings:?}"
    );

    let next = sync(e, false).await;
    assert_eq!(
        next.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        next.summary
    );
    assert!(
        c.sb.namely
            .profile_by_icims_id(&added.person_id.to_string())
            .is_some(),
        "{:?}",
        next.records
    );
    let settings = e.connection(NAME).unwrap().settings;
    assert_eq!(settings.read_again_reason, None, "said once, then done");
    assert_eq!(settings.unmatched_statuses, vec!["Hird".to_string()]);
    let warnings = &e.list_connections().unwrap()[0].warnings;
    assert!(
        warnings.iter().any(|w| w.contains("\"Hird\"")),
        "{warnings:?}"
    );

    // A later start-from date reads nothing more; an earlier one, or another iCIMS address,
    // reads again — and a status is judged again over the new window.
    let later = EditConnection {
        start_from: Some(days_ago(30)),
        ..EditConnection::default()
    };
    assert_eq!(e.edit_connection(NAME, later).unwrap().read_again, None);
    assert!(
        e.connection(NAME)
            .unwrap()
            .settings
            .unmatched_statuses
            .is_empty()
    );
    let earlier = EditConnection {
        start_from: Some(days_ago(400)),
        ..EditConnection::default()
    };
    let why = e
        .edit_connection(NAME, earlier)
        .unwrap()
        .read_again
        .unwrap();
    assert!(
        why.starts_with("the start-from date moved back to "),
        "{why}"
    );
    sync(e, false).await;
    let moved = EditConnection {
        icims_url: Some(format!("{}/", c.sb.icims.url())),
        ..EditConnection::default()
    };
    let why = e.edit_connection(NAME, moved).unwrap().read_again.unwrap();
    assert_eq!(why, "the iCIMS address changed");
}

// ---- 8. Failures that will not fix themselves back off --------------------------------------

#[tokio::test]
async fn refused_required_data_is_tried_again_next_run_then_after_a_back_off() {
    let c = company(
        SandboxConfig::default(),
        Some(days_ago(3650)),
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    let dry = sync(e, true).await;
    let person = dry
        .records
        .iter()
        .filter(|r| r.outcome == OutcomeKind::WouldCreate)
        .map(|r| r.person_id)
        .min()
        .unwrap();
    let person_path = format!("/people/{person}");
    let person_reads = || {
        c.sb.icims
            .request_log()
            .iter()
            .filter(|r| r.path.ends_with(&person_path))
            .count()
    };
    // Namely refuses the first create of the run (the lowest person id) twice.
    c.sb.namely.fail_next_on("POST", "/profiles", 1, 422);
    let first = sync(e, false).await;
    assert_eq!(first.summary.counts.failed, 1, "{:?}", first.records);
    c.sb.namely.fail_next_on("POST", "/profiles", 1, 422);
    let reads = person_reads();
    let second = sync(e, false).await;
    assert_eq!(person_reads(), reads + 1, "read again on the next run");
    assert_eq!(second.summary.counts.failed, 1, "{:?}", second.records);
    let reads = person_reads();
    let third = sync(e, false).await;
    assert_eq!(person_reads(), reads, "backing off for 6 hours");
    assert_eq!(third.summary.counts.failed, 0);
    assert!(
        c.sb.namely
            .profile_by_icims_id(&person.to_string())
            .is_none()
    );
}

#[tokio::test]
async fn a_create_refused_with_403_stops_the_run_and_voids_a_confirmed_role() {
    let c = company(
        SandboxConfig {
            namely: NamelySimConfig::recorded(),
            ..SandboxConfig::default()
        },
        Some(days_ago(3650)),
        TOKEN_OLIVIA_OWNER,
    )
    .await;
    let e = &c.engine;
    let olivia = e.owner_step(NAME).await.unwrap().candidates[0].clone();
    assert!(
        e.choose_owner(NAME, &olivia.profile_id, true)
            .await
            .unwrap()
            .check
            .passed
    );
    // Namely does not treat her as an Administrator after all: creates are forbidden.
    c.sb.namely.fail_next_on("POST", "/profiles", 1, 403);
    let run = sync(e, false).await;
    assert_eq!(run.summary.status, RunStatus::Failed, "{:?}", run.summary);
    assert_eq!(
        run.summary.error_code,
        Some(RunErrorCode::NamelyCredentials)
    );
    // Stopped at once: only a create already in flight beside the refused one was sent.
    assert!(
        c.sb.namely.calls_to("POST", "/profiles")
            <= icims_namely_core::sync::NAMELY_CREATE_CONCURRENCY,
        "stopped at once"
    );
    let details = e.connection(NAME).unwrap();
    assert!(!details.health.owner_valid, "the owner alert");
    assert_eq!(details.settings.owner_role_confirmation, None);
    let next = sync(e, false).await;
    assert_eq!(
        next.summary.status,
        RunStatus::NotStarted,
        "{:?}",
        next.summary
    );
    assert_eq!(next.summary.error_code, Some(RunErrorCode::OwnerInvalid));
}
