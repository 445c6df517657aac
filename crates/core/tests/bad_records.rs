//! Hostile records from iCIMS and Namely, through the engine (as the app and the command line
//! use it) against the simulators over real HTTP: a start date of 30 February, an email
//! without `@`, names with control characters or of 10,000 characters, a missing last name, a
//! record of the wrong JSON type or cut short, a hand-typed Namely profile with odd values;
//! and a sync whose iCIMS cannot be reached.
//!
//! Each hostile hire gets a record of its own with a plain reason that quotes what iCIMS holds
//! cut short; the good hires of the same run are still added; and nothing half-written
//! reaches Namely (no profile carries the hostile hire's iCIMS id, one POST per good hire).

mod quick;

use icims_namely_core::api::{
    CheckCode, Field, IcimsInput, OutcomeKind, RecordView, RunDetails, RunErrorCode, RunStatus,
};
use icims_namely_core::domain::Trigger;
use icims_namely_core::engine::{Engine, SyncRequest};
use icims_namely_core::paths::DataDir;
use icims_namely_core::secrets::Secrets;
use sandbox::raw::RawAnswer;
use sandbox::seed::{AddedHire, Employee, SeedConfig};
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;

const NAME: &str = "Acme";

struct Company {
    engine: Engine,
    sb: Sandbox,
    _dir: tempfile::TempDir,
}

/// Simulators with no seeded hires, a connection to them with its secrets saved and checked.
async fn company() -> Company {
    let sb = Sandbox::start(SandboxConfig {
        anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
        seed: SeedConfig {
            hires: 0,
            employees: 3,
            ..SeedConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let dir = quick::data_dir("bad_records");
    let engine = Engine::open(
        DataDir::new(dir.path()),
        Secrets::mock(),
        None,
        quick::engine_options(),
    )
    .unwrap();
    engine
        .add_connection(quick::connection_to(&sb, NAME))
        .unwrap();
    quick::save_secrets(&engine, &sb, NAME, &sb.demo_credentials().namely_token).await;
    assert!(engine.check_namely_field(NAME).await.is_ok());
    Company {
        engine,
        sb,
        _dir: dir,
    }
}

impl Company {
    /// Two ordinary hires (starting in two weeks) and the one a test makes hostile.
    fn hires(&self) -> (AddedHire, AddedHire, AddedHire) {
        let good1 = self.sb.icims.add_new_hire("Grace", "Hopper");
        let bad = self.sb.icims.add_new_hire("Hostile", "Record");
        let good2 = self.sb.icims.add_new_hire("Alan", "Turing");
        (good1, bad, good2)
    }

    /// Changes the hostile person as `change` says.
    fn change(&self, person: u64, change: impl FnOnce(&mut sandbox::seed::Person)) {
        self.sb.icims.with_world(|w| {
            let p = w.people.iter_mut().find(|p| p.id == person).unwrap();
            change(p);
        });
    }

    async fn sync(&self) -> RunDetails {
        self.engine
            .sync(NAME, SyncRequest::sync(Trigger::Cli), &|_| {}, None)
            .await
            .unwrap()
    }

    /// The good hires were added, once each; the hostile one got `reason` and nothing of it
    /// reached Namely.
    fn assert_only_the_good_were_added(
        &self,
        run: &RunDetails,
        good: [&AddedHire; 2],
        bad: &AddedHire,
        reason: &str,
    ) {
        for hire in good {
            let r = record(run, hire.person_id);
            assert_eq!(r.outcome, OutcomeKind::Created, "{r:?}");
            assert!(
                self.sb
                    .namely
                    .profile_by_icims_id(&hire.person_id.to_string())
                    .is_some()
            );
        }
        let r = record(run, bad.person_id);
        assert_eq!(r.outcome, OutcomeKind::Invalid, "{r:?}");
        assert_eq!(r.reason, reason);
        assert!(
            self.sb
                .namely
                .profile_by_icims_id(&bad.person_id.to_string())
                .is_none(),
            "a profile was made for the hostile hire"
        );
        assert_eq!(self.sb.namely.created_profiles().len(), 2);
        assert_eq!(self.sb.namely.calls_to("POST", "/profiles"), 2);
        assert_eq!(run.summary.counts.created, 2, "{:?}", run.summary);
        assert_eq!(run.summary.counts.invalid, 1, "{:?}", run.summary);
        assert_ne!(run.summary.status, RunStatus::Failed, "{:?}", run.summary);
    }
}

fn record(run: &RunDetails, person: u64) -> &RecordView {
    run.records
        .iter()
        .find(|r| r.person_id == person)
        .unwrap_or_else(|| panic!("no record of person {person}: {:?}", run.records))
}

#[tokio::test]
async fn a_start_date_of_february_30th_is_invalid_and_the_others_are_added() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    c.change(bad.person_id, |p| p.startdate = Some("2024-02-30".into()));
    let run = c.sync().await;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        "Invalid: the start date \"2024-02-30\" in iCIMS is not a real date (YYYY-MM-DD) — \
         correct it on the candidate",
    );
}

#[tokio::test]
async fn an_email_without_an_at_sign_is_invalid_and_the_others_are_added() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    c.change(bad.person_id, |p| {
        p.email = Some("hostile.record.sandbox.example".into());
    });
    let run = c.sync().await;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        "Invalid: the email \"hostile.record.sandbox.example\" in iCIMS is not a valid address — \
         correct it on the candidate",
    );
}

#[tokio::test]
async fn a_name_with_control_characters_is_invalid_and_quoted_escaped() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    c.change(bad.person_id, |p| {
        p.firstname = "Hos\ttile\u{1b}[31m".into()
    });
    let run = c.sync().await;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        "Invalid: the first name \"Hos\\ttile\\u{1b}[31m\" in iCIMS contains a control character \
         (such as a line break or a tab) — correct it on the candidate",
    );
    let kept = record(&run, bad.person_id);
    assert!(!kept.reason.contains('\u{1b}'), "{:?}", kept.reason);
    // Nor does the name the history shows carry a terminal's escape sequence.
    assert_eq!(kept.name, "Hos\\ttile\\u{1b}[31m Record");
}

#[tokio::test]
async fn a_name_of_10000_characters_is_invalid_and_quoted_cut_short() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    let long = "X".repeat(10_000);
    c.change(bad.person_id, |p| p.lastname = long.clone());
    let run = c.sync().await;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        &format!(
            "Invalid: the last name \"{}…\" (10000 characters) in iCIMS is longer than the 255 \
             characters a name may have — correct it on the candidate",
            "X".repeat(40)
        ),
    );
    // The history keeps the name cut short, so that a table of runs stays readable.
    let name = &record(&run, bad.person_id).name;
    assert!(name.chars().count() <= 130, "{} characters", name.len());
    assert!(
        name.starts_with("Hostile XXX") && name.ends_with('…'),
        "{name}"
    );
}

#[tokio::test]
async fn a_hire_without_a_last_name_is_invalid_and_the_others_are_added() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    // iCIMS sends the field as null.
    assert!(
        c.sb.icims
            .set_person_raw_field(bad.person_id, "lastname", serde_json::Value::Null)
    );
    let run = c.sync().await;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        "Invalid: no last name in iCIMS — add one to the candidate",
    );
}

#[tokio::test]
async fn a_person_record_with_a_field_of_the_wrong_type_is_invalid_and_the_others_are_added() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    assert!(c.sb.icims.set_person_raw_field(
        bad.person_id,
        "addresses",
        serde_json::json!({"addresscity": "New York"})
    ));
    let run = c.sync().await;
    let id = bad.person_id;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        &format!(
            "Invalid: iCIMS's record of person {id} could not be read (addresses: expected a \
             list, got an object) — correct it in iCIMS; it is read again daily"
        ),
    );
}

#[tokio::test]
async fn a_person_record_cut_short_is_invalid_and_the_others_are_added() {
    let c = company().await;
    let (good1, bad, good2) = c.hires();
    let body = r#"{"firstname":"Hostile","lastname":"Rec"#;
    c.sb.icims.answer_next_raw(
        &format!("/people/{}", bad.person_id),
        1,
        RawAnswer::json_text(200, body),
    );
    let run = c.sync().await;
    let id = bad.person_id;
    c.assert_only_the_good_were_added(
        &run,
        [&good1, &good2],
        &bad,
        &format!(
            "Invalid: iCIMS's record of person {id} could not be read (lastname: the reply ended \
             early, after {} bytes) — correct it in iCIMS; it is read again daily",
            body.len()
        ),
    );
}

/// Profiles HR typed by hand into Namely with an email without `@` and empty fields (null in
/// the listing) do not break the run: the index is built and the hires are added.
#[tokio::test]
async fn hand_typed_namely_profiles_with_odd_values_do_not_break_the_run() {
    let c = company().await;
    for (i, email) in ["grace.hopper.sandbox.example", "", "   "]
        .into_iter()
        .enumerate()
    {
        c.sb.namely.add_employee(&Employee {
            id: format!("5a4db0c5-0000-4000-8000-00000000009{i}"),
            first_name: String::new(),
            last_name: if i == 0 {
                "Hopper".into()
            } else {
                String::new()
            },
            email: email.into(),
            personal_email: None,
            user_status: "active".into(),
            access_role: "Employee".into(),
            start_date: Some("not a date".into()),
            icims_id: None,
        });
    }
    let good1 = c.sb.icims.add_new_hire("Grace", "Hopper");
    let good2 = c.sb.icims.add_new_hire("Alan", "Turing");
    let run = c.sync().await;
    assert_eq!(
        run.summary.status,
        RunStatus::Succeeded,
        "{:?}",
        run.summary
    );
    for hire in [&good1, &good2] {
        assert_eq!(record(&run, hire.person_id).outcome, OutcomeKind::Created);
    }
    assert_eq!(c.sb.namely.calls_to("POST", "/profiles"), 2);
}

/// iCIMS cannot be reached (nothing listens at its address): the sync does not start, says
/// why, and no iCIMS call is counted as spent — none left this machine.
#[tokio::test]
async fn a_sync_while_icims_cannot_be_reached_spends_no_icims_calls() {
    let c = company().await;
    c.sb.icims.add_new_hire("Grace", "Hopper");
    let Company { engine, sb, _dir } = c;
    let Sandbox { icims, namely, .. } = sb;
    icims.shutdown().await;
    let run = engine
        .sync(NAME, SyncRequest::sync(Trigger::Cli), &|_| {}, None)
        .await
        .unwrap();
    assert_eq!(run.summary.icims_calls, 0, "{:?}", run.summary);
    assert_eq!(
        run.summary.error_code,
        Some(RunErrorCode::IcimsUnavailable),
        "{:?}",
        run.summary
    );
    let error = run.summary.error.as_deref().unwrap_or_default();
    assert!(error.contains("the request was not sent"), "{error}");
    assert!(run.records.is_empty());
    assert_eq!(namely.calls_to("POST", "/profiles"), 0);
}

/// The permalink leads to a website (a login page answering 200): the setup check says a web
/// page answered, not Namely's API, and points at the permalink — not "an unexpected answer".
#[tokio::test]
async fn a_web_page_answering_the_namely_sign_in_check_points_at_the_permalink() {
    let c = company().await;
    c.sb.namely
        .answer_next_raw("GET", "", 10, RawAnswer::html(200, "Log in | Acme"));
    let checked = c.engine.check_namely_sign_in(NAME).await.unwrap().check;
    assert!(!checked.passed, "{checked:?}");
    assert_eq!(checked.code, CheckCode::CompanyNotFound, "{checked:?}");
    assert_eq!(checked.field, Some(Field::NamelyPermalink), "{checked:?}");
    assert!(
        checked.summary.contains("A web page answered"),
        "{}",
        checked.summary
    );
}

/// The iCIMS address answers with a website's page: the test of the iCIMS part says so and
/// points at the region (where the address comes from), with the secrets never repeated.
#[tokio::test]
async fn a_web_page_answering_the_icims_test_points_at_the_region() {
    let c = company().await;
    c.sb.icims
        .answer_next_raw("", 10, RawAnswer::html(200, "Sign in to Acme Careers"));
    let checked = c
        .engine
        .test_icims(NAME, &quick::demo_icims(&c.sb))
        .await
        .unwrap();
    assert!(!checked.passed, "{checked:?}");
    assert_eq!(checked.code, CheckCode::SettingsInvalid, "{checked:?}");
    assert_eq!(checked.field, Some(Field::IcimsRegion), "{checked:?}");
    assert!(
        checked.summary.contains("A web page answered"),
        "{}",
        checked.summary
    );
    let all = format!("{checked:?}");
    let key = c.sb.demo_credentials().icims_hmac_key;
    assert!(!all.contains(&key), "the key was repeated");
}

/// What the wizard sends when a whole file is pasted as the token, or a token with a line
/// break inside: refused under the token's field before anything reaches Namely, the value
/// never repeated, the working token kept.
#[tokio::test]
async fn a_pasted_file_or_a_token_with_a_line_break_is_refused_before_namely_hears_of_it() {
    let c = company().await;
    let before = c.sb.namely.calls();
    for pasted in ["t".repeat(1 << 20), "first-half\nsecond-half".to_string()] {
        let refused = c
            .engine
            .save_namely_token(NAME, SecretString::from(pasted.clone()))
            .await
            .expect_err("a pasted file or a broken token is refused");
        let ipc = refused.to_ipc();
        assert_eq!(ipc.field, Some(Field::NamelyToken), "{ipc:?}");
        assert!(ipc.message.len() < 300, "{}", ipc.message);
        assert!(!ipc.message.contains("ttttttttttt") && !ipc.message.contains("half"));
    }
    assert_eq!(
        c.sb.namely.calls(),
        before,
        "Namely was asked about a refused token"
    );
    let checks = c.engine.check_all(NAME).await.unwrap();
    assert!(
        checks.iter().all(|r| r.passed),
        "the saved token stopped working: {checks:?}"
    );
}

/// A 5,000-character HMAC key typed into part 4 is refused under its field; nothing is signed
/// with it and nothing is saved.
#[tokio::test]
async fn an_hmac_key_longer_than_any_key_is_refused_under_its_field() {
    let c = company().await;
    let refused = c
        .engine
        .test_icims(
            NAME,
            &IcimsInput {
                hmac_key: Some("k".repeat(5_000).into()),
                ..quick::demo_icims(&c.sb)
            },
        )
        .await
        .expect_err("a key of 5,000 characters is refused");
    let ipc = refused.to_ipc();
    assert_eq!(ipc.field, Some(Field::IcimsHmacKey), "{ipc:?}");
    assert!(ipc.message.contains("4096"), "{}", ipc.message);
    assert!(!ipc.message.contains("kkkkkkkkkk"), "{}", ipc.message);
}
