//! Which outcomes alert, the webhook's address checks, and the memory of what was alerted.

use super::*;
use crate::api::{Counts, RunSummary, Trigger};

fn run(status: RunStatus, code: Option<RunErrorCode>, failed: u64) -> RunDetails {
    RunDetails {
        summary: RunSummary {
            id: 7,
            connection: "Acme Corp".into(),
            trigger: Trigger::Schedule,
            dry_run: false,
            status,
            started_at: "2026-01-01T00:00:00Z".into(),
            ended_at: None,
            counts: Counts {
                failed,
                ..Counts::default()
            },
            icims_calls: 0,
            namely_calls: 0,
            error_code: code,
            error: code.map(|_| "Namely refused the saved token.".to_string()),
        },
        records: Vec::new(),
    }
}

fn alert(v: Verdict) -> Alert {
    match v {
        Verdict::Alert(a) => a,
        other => panic!("no alert: {other:?}"),
    }
}

#[test]
fn outcomes_map_to_events() {
    let ok = |r: RunDetails| judge("Acme Corp", &Ok(r));
    assert_eq!(ok(run(RunStatus::Succeeded, None, 0)), Verdict::Healthy);
    for quiet in [
        RunStatus::Cancelled,
        RunStatus::Interrupted,
        RunStatus::Running,
    ] {
        assert_eq!(ok(run(quiet, None, 0)), Verdict::Neutral);
    }
    let broken = alert(ok(run(
        RunStatus::NotStarted,
        Some(RunErrorCode::NamelyCredentials),
        0,
    )));
    assert_eq!(broken.event, AlertEvent::SetupBroken);
    assert_eq!(broken.state, "setup_broken:namely_credentials");
    assert_eq!(broken.run_id, Some(7));
    assert!(broken.text.contains("\"Acme Corp\""), "{}", broken.text);
    assert!(
        broken.text.contains("icims-namely check 'Acme Corp'"),
        "{}",
        broken.text
    );
    assert!(broken.text.contains("Namely refused the saved token."));
    let failed = alert(ok(run(
        RunStatus::Failed,
        Some(RunErrorCode::IcimsUnavailable),
        0,
    )));
    assert_eq!(failed.event, AlertEvent::RunFailed);
    let budget = alert(ok(run(
        RunStatus::StoppedBudget,
        Some(RunErrorCode::IcimsBudget),
        0,
    )));
    assert_eq!(budget.event, AlertEvent::SetupBroken);
    let records = alert(ok(run(RunStatus::FinishedWithFailures, None, 3)));
    assert_eq!(records.event, AlertEvent::RecordsFailed);
    assert!(
        records.text.contains("could not add 3 hires"),
        "{}",
        records.text
    );
    let body = serde_json::to_value(&records).unwrap();
    assert_eq!(body["event"], "records_failed");
    assert_eq!(body["app"], "icims-namely");
    assert_eq!(body["connection"], "Acme Corp");
    assert!(body.get("state").is_none(), "internal: {body}");

    let busy = judge("Acme", &Err(EngineError::Busy("Acme".into())));
    assert_eq!(busy, Verdict::Neutral);
    let missing = alert(judge(
        "Acme",
        &Err(EngineError::secret_missing(
            "Acme",
            crate::domain::SecretKind::NamelyToken,
        )),
    ));
    assert_eq!(missing.event, AlertEvent::SetupBroken);
    assert_eq!(missing.state, "setup_broken:secret_missing");
    assert_eq!(missing.run_id, None);
}

#[test]
fn webhooks_are_https_or_this_computer_and_never_shown() {
    for ok in [
        "https://hooks.slack.com/services/T0/B0/abc",
        "http://127.0.0.1:9000/hook",
        "http://[::1]:9000/",
        "http://localhost/x",
    ] {
        let hook = Webhook::parse(ok).unwrap();
        assert!(!format!("{hook:?}").contains("/hook"));
    }
    assert_eq!(
        Webhook::parse("https://hooks.slack.com/services/T0/B0/abc")
            .unwrap()
            .host(),
        "hooks.slack.com"
    );
    for (bad, err) in [
        (
            "http://hooks.example.com/secret-path",
            WebhookError::NotHttps,
        ),
        ("ftp://127.0.0.1/secret-path", WebhookError::NotAnAddress),
        ("secret-path", WebhookError::NotAnAddress),
        ("http://10.0.0.1/secret-path", WebhookError::NotHttps),
    ] {
        let e = Webhook::parse(bad).unwrap_err();
        assert_eq!(e, err, "{bad}");
        assert!(!e.to_string().contains("secret-path"), "{e}");
    }
}

#[test]
fn memory_remembers_and_forgets() {
    let dir = tempfile::tempdir().unwrap();
    let m = AlertMemory::in_data_dir(dir.path());
    assert_eq!(m.last("acme"), None);
    m.set("acme", Some("setup_broken:x"));
    m.set("globex", Some("run_failed:y"));
    let again = AlertMemory::in_data_dir(dir.path());
    assert_eq!(again.last("acme").as_deref(), Some("setup_broken:x"));
    again.set("acme", None);
    assert_eq!(m.last("acme"), None);
    assert_eq!(m.last("globex").as_deref(), Some("run_failed:y"));
    // A damaged file counts as empty and is replaced.
    std::fs::write(dir.path().join("alert-state.json"), b"{not json").unwrap();
    assert_eq!(m.last("globex"), None);
    m.set("acme", Some("s"));
    assert_eq!(m.last("acme").as_deref(), Some("s"));
}
