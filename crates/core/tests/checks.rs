//! The four setup checks against the sandbox simulators over real HTTP on 127.0.0.1.

use icims_namely_core::api::{
    CheckCode, CheckResult, Field, IcimsRegion, OwnerCandidate, OwnerVerdict, SetupStep,
};
use icims_namely_core::checks::{
    self, ICIMS_FIELD, OwnerFacts, looks_like_misspelt_icims_id, owner_check, owner_verdict,
    validate_icims_input,
};
use sandbox::icims::{self as icims_sim, IcimsSim, IcimsSimConfig};
use sandbox::namely::{
    self as namely_sim, CustomField, IcimsField, NamelySim, NamelySimConfig, TOKEN_EMPLOYEE,
    TOKEN_INACTIVE_ADMIN, TOKEN_OLIVIA_OWNER, TOKEN_REVOKED,
};
use sandbox::seed::{SeedConfig, World};
use secrecy::SecretString;
use std::time::Duration as StdDuration;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const CREATE_FIX: &str = "Create it in Namely: Company › Settings › Profile Fields › Add New \
                          Field, Label `icims_id`, Type Text. Then Check again.";
const TYPO_FIX: &str = "Delete it and create `icims_id` — renaming keeps the old internal name, \
                        so it would still not match.";
const NEW_TOKEN_FIX: &str =
    "Paste a new personal access token (Namely › API › Personal Access Tokens), or sign in again.";
const NOBODY_FIX: &str =
    "An active Administrator must sign in once. Send them this app, or ask them to sign in here.";

fn world() -> World {
    World::generate(&SeedConfig::default())
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// RFC 3339, UTC, second precision (`…Z`).
fn assert_checked_at(r: &CheckResult) {
    let t = OffsetDateTime::parse(
        &r.checked_at,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap_or_else(|e| panic!("checked_at {:?}: {e}", r.checked_at));
    assert!(r.checked_at.ends_with('Z'), "{}", r.checked_at);
    assert!((now() - t).abs() < Duration::minutes(1), "{}", r.checked_at);
}

/// No secret in anything a person or a log could see.
fn assert_no_secret(r: &CheckResult, secrets: &[&str]) {
    let json = serde_json::to_string(r).unwrap();
    for s in secrets {
        assert!(!json.contains(s), "secret {s:?} in {json}");
    }
    let lower = json.to_lowercase();
    assert!(!lower.contains("authorization"), "{json}");
    assert!(!lower.contains("bearer "), "{json}");
    assert!(!lower.contains("signature="), "{json}");
}

/// A loopback port nobody listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

// ---------------------------------------------------------------------------------------------
// Namely
// ---------------------------------------------------------------------------------------------

async fn namely_sim(field: IcimsField) -> NamelySim {
    let config = NamelySimConfig {
        company_name: "Acme Corp".into(),
        field,
        ..NamelySimConfig::default()
    };
    namely_sim::start(config, &world().employees).await.unwrap()
}

fn namely_client_at(base: &str, token: &str) -> namely::Client {
    let config = namely::Config::new(
        namely::Endpoint::base_url(base).unwrap(),
        SecretString::from(token.to_string()),
    )
    .unwrap()
    .with_timeout(StdDuration::from_secs(5))
    .with_throttle(namely::ThrottlePolicy {
        wait: StdDuration::from_millis(10),
        max_retries: 1,
    });
    namely::Client::new(config).unwrap()
}

fn namely_client(sim: &NamelySim, token: &str) -> namely::Client {
    namely_client_at(&sim.url(), token)
}

#[tokio::test]
async fn field_present_passes_with_its_name() {
    let sim = namely_sim(IcimsField::Present).await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    let r = &check.result;
    assert!(r.passed, "{r:?}");
    assert_eq!(r.step, SetupStep::NamelyField);
    assert_eq!(r.summary, "Found the field `icims_id` (Text).");
    assert_eq!(r.code, CheckCode::Passed);
    assert_eq!(r.fix, None);
    assert_eq!(check.field_name.as_deref(), Some("icims_id"));
    assert_checked_at(r);
    assert_no_secret(r, &[TOKEN_OLIVIA_OWNER]);
    assert_eq!(sim.calls_to("GET", "/profiles/fields"), 1);
}

#[tokio::test]
async fn field_missing_says_how_to_create_it() {
    let sim = namely_sim(IcimsField::Missing).await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    let r = &check.result;
    assert!(!r.passed);
    assert_eq!(r.summary, "No field named `icims_id` yet.");
    assert_eq!(r.code, CheckCode::FieldMissing);
    assert_eq!(r.fix.as_deref(), Some(CREATE_FIX));
    assert_eq!(r.field, None);
    assert_eq!(check.field_name, None);
    assert_checked_at(r);
}

#[tokio::test]
async fn field_misspelt_is_a_typo_to_delete() {
    let sim = namely_sim(IcimsField::misspelt()).await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    let r = &check.result;
    assert!(!r.passed);
    assert_eq!(r.summary, "Found `icmis_id`, which looks like a typo.");
    assert_eq!(r.code, CheckCode::FieldMisspelt);
    assert_eq!(r.fix.as_deref(), Some(TYPO_FIX));
    assert_eq!(check.field_name, None);
    assert!(r.detail.as_deref().unwrap().contains("icmis_id"), "{r:?}");
}

#[tokio::test]
async fn field_with_stray_spaces_and_dash_is_a_typo() {
    let sim = namely_sim(IcimsField::Misspelt {
        label: " iCIMS-ID ".into(),
        name: "icims_id_1".into(),
    })
    .await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    assert!(!check.result.passed);
    assert_eq!(
        check.result.summary,
        "Found `iCIMS-ID`, which looks like a typo."
    );
}

#[tokio::test]
async fn field_of_wrong_type_must_be_recreated_as_text() {
    let sim = namely_sim(IcimsField::WrongType {
        type_name: "number".into(),
    })
    .await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    let r = &check.result;
    assert!(!r.passed);
    assert_eq!(r.summary, "Found `icims_id` but it is a Number field.");
    assert_eq!(r.code, CheckCode::FieldWrongType);
    assert_eq!(
        r.fix.as_deref(),
        Some("Delete it and create it again as Text.")
    );
    assert_eq!(check.field_name, None);
}

#[tokio::test]
async fn field_renamed_to_icims_id_passes_and_writes_the_old_name() {
    // Label fixed by renaming: the frozen name is still the typo, which is what we write.
    let sim = namely_sim(IcimsField::Custom(vec![CustomField::text(
        "icims_id", "icmis_id",
    )]))
    .await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    let r = &check.result;
    assert!(r.passed, "{r:?}");
    assert_eq!(r.summary, "Found the field `icims_id` (Text).");
    assert_eq!(r.code, CheckCode::Passed);
    assert_eq!(check.field_name.as_deref(), Some("icmis_id"));
    let detail = r.detail.as_deref().unwrap();
    assert!(detail.contains("internal name is `icmis_id`"), "{detail}");
}

#[tokio::test]
async fn field_right_one_wins_over_a_typo_next_to_it() {
    let sim = namely_sim(IcimsField::Custom(vec![
        CustomField::text("icmis_id", "icmis_id"),
        CustomField::text("ICIMS_ID ", "icims_id"),
    ]))
    .await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    assert!(check.result.passed, "{:?}", check.result);
    assert_eq!(check.field_name.as_deref(), Some(ICIMS_FIELD));
    let detail = check.result.detail.unwrap();
    assert!(detail.contains("also a field `icmis_id`"), "{detail}");
}

#[tokio::test]
async fn field_hidden_from_an_employee_token_says_sign_in_as_admin() {
    // The simulator shows custom fields only to Administrators and HR Admins.
    let sim = namely_sim(IcimsField::Present).await;
    let check = checks::namely_field(&namely_client(&sim, TOKEN_EMPLOYEE), now()).await;
    let r = &check.result;
    assert!(!r.passed);
    assert_eq!(
        r.summary,
        "No field named `icims_id` is visible to Emma Employee (Employee)."
    );
    assert_eq!(r.code, CheckCode::FieldHidden);
    assert_eq!(r.field, Some(Field::NamelyToken));
    assert!(r.fix.as_deref().unwrap().contains("Administrator"), "{r:?}");
}

#[tokio::test]
async fn field_check_with_a_bad_token_points_at_the_token() {
    let sim = namely_sim(IcimsField::Present).await;
    let check = checks::namely_field(&namely_client(&sim, "not-a-token"), now()).await;
    let r = &check.result;
    assert!(!r.passed);
    assert_eq!(r.summary, "Namely did not accept this token.");
    assert_eq!(r.code, CheckCode::TokenRefused);
    assert_eq!(r.fix.as_deref(), Some(NEW_TOKEN_FIX));
    assert_eq!(r.field, Some(Field::NamelyToken));
    assert_no_secret(r, &["not-a-token"]);
}

#[test]
fn near_miss_detector_table() {
    // (text, is a near miss of icims_id). Non-matches are deliberate: a near miss tells the
    // person to *delete* the field, so real, different fields must never be flagged.
    for (text, want) in [
        // one edit or a different separator
        ("icims id", true),
        ("icims-id", true),
        ("icmis_id", true),
        ("icims_idd", true),
        ("icimsid", true),
        ("icim_id", true),
        ("icms_id", true),
        ("icims_di", true),
        (" iCIMS ID ", true),
        ("ICMIS_ID", true),
        // two edits, but no shorter than icimsid
        ("icmis_idd", true),
        ("icims_jd1", true),
        // the field itself is not a near miss of itself
        ("icims_id", false),
        (" ICIMS_ID ", false),
        // other ids: a different ATS, iCIMS's job id, short words two edits away
        ("greenhouse_id", false),
        ("jobvite_id", false),
        ("lever_id", false),
        ("icims_job_id", false),
        ("icims_person_id", false),
        ("cms_id", false),
        ("sims_id", false),
        ("icims", false),
        ("employee_id", false),
        ("id", false),
        ("", false),
        ("   ", false),
    ] {
        assert_eq!(looks_like_misspelt_icims_id(text), want, "{text:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Namely sign-in
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sign_in_as_the_admin_names_company_and_person() {
    let sim = namely_sim(IcimsField::Present).await;
    let r = checks::namely_sign_in(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    assert!(r.check.passed, "{:?}", r.check);
    assert_eq!(r.check.step, SetupStep::NamelySignIn);
    assert_eq!(
        r.check.summary,
        "Signed in to Acme Corp as Olivia Owner (Administrator)"
    );
    assert_eq!(r.company_name.as_deref(), Some("Acme Corp"));
    let me = r.signed_in_as.expect("signed in as someone");
    assert_eq!(me.full_name, "Olivia Owner");
    assert_eq!(
        Some(me.profile_id.as_str()),
        sim.token_owner_id(TOKEN_OLIVIA_OWNER).as_deref()
    );
    assert_eq!(me.email.as_deref(), Some("olivia.owner@example.com"));
    assert_eq!(me.verdict, OwnerVerdict::CanOwn);
    assert_eq!(me.reason, "✓ can own");
    assert_checked_at(&r.check);
    assert_no_secret(&r.check, &[TOKEN_OLIVIA_OWNER]);
}

#[tokio::test]
async fn sign_in_without_access_role_on_me_cannot_verify_the_role() {
    let sim = namely_sim(IcimsField::Present).await;
    sim.set_include_access_role_on_me(false);
    let r = checks::namely_sign_in(&namely_client(&sim, TOKEN_OLIVIA_OWNER), now()).await;
    assert!(r.check.passed, "{:?}", r.check);
    assert_eq!(
        r.check.summary,
        "Signed in to Acme Corp as Olivia Owner (access role not shown by Namely)"
    );
    let me = r.signed_in_as.unwrap();
    assert_eq!(me.verdict, OwnerVerdict::RoleUnknown);
    assert_eq!(me.access_role, None);
    assert!(!me.reason.contains("not an Administrator"), "{}", me.reason);
}

#[tokio::test]
async fn sign_in_with_a_bad_or_revoked_token_is_401() {
    let sim = namely_sim(IcimsField::Present).await;
    for token in ["wrong-token", TOKEN_REVOKED] {
        let r = checks::namely_sign_in(&namely_client(&sim, token), now()).await;
        assert!(!r.check.passed, "{token}");
        assert_eq!(r.check.summary, "Namely did not accept this token.");
        assert_eq!(r.check.code, CheckCode::TokenRefused);
        assert_eq!(r.check.fix.as_deref(), Some(NEW_TOKEN_FIX));
        assert_eq!(r.check.field, Some(Field::NamelyToken));
        assert_eq!(r.signed_in_as, None);
        assert_eq!(
            r.company_name.as_deref(),
            Some("Acme Corp"),
            "info needs no token"
        );
        assert_no_secret(&r.check, &[token]);
    }
}

#[tokio::test]
async fn sign_in_with_the_inactive_admins_token_is_403() {
    let sim = namely_sim(IcimsField::Present).await;
    let r = checks::namely_sign_in(&namely_client(&sim, TOKEN_INACTIVE_ADMIN), now()).await;
    assert!(!r.check.passed);
    assert_eq!(
        r.check.summary,
        "Namely refused this token: its owner may be inactive or lack permission."
    );
    assert_eq!(r.check.code, CheckCode::TokenForbidden);
    assert_eq!(r.check.field, Some(Field::NamelyToken));
    assert!(
        r.check
            .fix
            .as_deref()
            .unwrap()
            .contains("active Administrator")
    );
    assert_eq!(r.signed_in_as, None);
}

#[tokio::test]
async fn sign_in_to_an_unknown_company_points_at_the_permalink() {
    // A host that answers, but has no company there: 404 on /companies/info.
    let sim = namely_sim(IcimsField::Present).await;
    let base = format!("http://{}/nobody/api/v1", sim.addr());
    let r = checks::namely_sign_in(&namely_client_at(&base, TOKEN_OLIVIA_OWNER), now()).await;
    assert!(!r.check.passed);
    assert_eq!(
        r.check.summary,
        format!("No Namely company at {} — check the permalink.", sim.addr())
    );
    assert_eq!(r.check.code, CheckCode::CompanyNotFound);
    assert_eq!(r.check.field, Some(Field::NamelyPermalink));
    assert!(r.check.fix.as_deref().unwrap().contains(".namely.com"));

    // Nobody listening at all.
    let port = closed_port().await;
    let base = format!("http://127.0.0.1:{port}");
    let r = checks::namely_sign_in(&namely_client_at(&base, TOKEN_OLIVIA_OWNER), now()).await;
    assert!(!r.check.passed);
    assert_eq!(
        r.check.summary,
        format!("Could not reach Namely at 127.0.0.1:{port} — check the permalink.")
    );
    assert_eq!(r.check.code, CheckCode::VendorUnreachable);
    assert_eq!(r.check.field, Some(Field::NamelyPermalink));
    assert_no_secret(&r.check, &[TOKEN_OLIVIA_OWNER]);
}

// ---------------------------------------------------------------------------------------------
// Owner
// ---------------------------------------------------------------------------------------------

fn profile(id: &str, first: &str, status: &str, role: Option<&str>) -> namely::Profile {
    let mut v = serde_json::json!({
        "id": id,
        "first_name": first,
        "last_name": "Tester",
        "full_name": format!("{first} Tester"),
        "email": format!("{}@acme.com", first.to_lowercase()),
        "user_status": status,
    });
    if let Some(role) = role {
        v["access_role"] = serde_json::json!(role);
    }
    serde_json::from_value(v).unwrap()
}

#[test]
fn owner_verdict_table() {
    let at = datetime!(2026-11-27 10:42 UTC);
    for (status, role, verdict, reason) in [
        (
            "active",
            Some("Administrator"),
            OwnerVerdict::CanOwn,
            "✓ can own",
        ),
        (
            "active",
            Some(" administrator "),
            OwnerVerdict::CanOwn,
            "✓ can own",
        ),
        (
            "inactive",
            Some("Administrator"),
            OwnerVerdict::Inactive,
            "✗ inactive in Namely",
        ),
        (
            "active",
            Some("HR Admin"),
            OwnerVerdict::NotAdministrator,
            "✗ not an Administrator (HR Admin)",
        ),
        (
            "active",
            Some("Employee"),
            OwnerVerdict::NotAdministrator,
            "✗ not an Administrator (Employee)",
        ),
        (
            "active",
            None,
            OwnerVerdict::RoleUnknown,
            "? could not verify the access role — confirm in Namely that this user is an \
             Administrator",
        ),
        (
            "active",
            Some("  "),
            OwnerVerdict::RoleUnknown,
            "? could not verify the access role — confirm in Namely that this user is an \
             Administrator",
        ),
        (
            "pending",
            Some("Administrator"),
            OwnerVerdict::Inactive,
            "✗ not active in Namely yet (pending)",
        ),
    ] {
        let p = profile("p-1", "Olivia", status, role);
        let c = owner_verdict(&p, at);
        assert_eq!(c.verdict, verdict, "{status} {role:?}");
        assert_eq!(c.reason, reason, "{status} {role:?}");
        assert_eq!(c.user_status, status);
        assert_eq!(c.full_name, "Olivia Tester");
        assert_eq!(c.profile_id, "p-1");
        assert_eq!(c.verified_at, "2026-11-27T10:42:00Z");
        if verdict == OwnerVerdict::RoleUnknown {
            assert!(!c.reason.contains("not an Administrator"));
        }
    }
}

fn candidates() -> Vec<OwnerCandidate> {
    let at = datetime!(2026-11-27 10:42 UTC);
    vec![
        owner_verdict(
            &profile("p-olivia", "Olivia", "active", Some("Administrator")),
            at,
        ),
        owner_verdict(
            &profile("p-ivan", "Ivan", "inactive", Some("Administrator")),
            at,
        ),
        owner_verdict(&profile("p-hana", "Hana", "active", Some("HR Admin")), at),
        owner_verdict(&profile("p-rory", "Rory", "active", None), at),
    ]
}

#[test]
fn owner_check_passes_for_an_active_administrator() {
    let at = datetime!(2026-11-27 10:45 UTC);
    let r = owner_check(&candidates(), Some("p-olivia"), OwnerFacts::default(), at);
    assert!(r.passed, "{r:?}");
    assert_eq!(r.step, SetupStep::Owner);
    assert_eq!(
        r.summary,
        "Olivia Tester owns the integration: an active Administrator."
    );
    assert_eq!(r.checked_at, "2026-11-27T10:45:00Z");
}

#[test]
fn owner_check_says_why_the_chosen_one_cannot_own() {
    let at = datetime!(2026-11-27 10:45 UTC);
    let all = candidates();
    for (chosen, summary) in [
        (
            "p-ivan",
            "Ivan Tester cannot own the integration: inactive in Namely.",
        ),
        (
            "p-hana",
            "Hana Tester cannot own the integration: not an Administrator (HR Admin).",
        ),
        (
            "p-rory",
            "Could not verify that Rory Tester is an active Administrator: Namely did not say.",
        ),
        (
            "p-nobody",
            "The chosen owner has not signed in for this company.",
        ),
    ] {
        let r = owner_check(&all, Some(chosen), OwnerFacts::default(), at);
        assert!(!r.passed, "{chosen}");
        assert_eq!(r.summary, summary, "{chosen}");
        assert!(
            r.fix.as_deref().unwrap().contains("Olivia Tester"),
            "{chosen}: {r:?}"
        );
    }
}

#[test]
fn owner_check_when_nobody_qualifies() {
    let at = datetime!(2026-11-27 10:45 UTC);
    let nobody: Vec<OwnerCandidate> = candidates()
        .into_iter()
        .filter(|c| c.verdict != OwnerVerdict::CanOwn && c.verdict != OwnerVerdict::RoleUnknown)
        .collect();
    assert_eq!(nobody.len(), 2);
    for chosen in [None, Some("p-ivan")] {
        let r = owner_check(&nobody, chosen, OwnerFacts::default(), at);
        assert!(!r.passed);
        assert_eq!(r.fix.as_deref(), Some(NOBODY_FIX), "{chosen:?}");
    }
    let r = owner_check(&nobody, None, OwnerFacts::default(), at);
    assert_eq!(
        r.summary,
        "Nobody who has signed in is an active Administrator."
    );
    let r = owner_check(&[], None, OwnerFacts::default(), at);
    assert_eq!(r.summary, "Nobody has signed in for this company yet.");
    assert_eq!(r.code, CheckCode::NobodySignedIn);
    assert_eq!(r.fix.as_deref(), Some(NOBODY_FIX));
    // Someone qualifies but nobody was chosen yet.
    let r = owner_check(&candidates(), None, OwnerFacts::default(), at);
    assert!(!r.passed);
    assert_eq!(
        r.fix.as_deref(),
        Some("Choose Olivia Tester, who can own it.")
    );
}

// ---------------------------------------------------------------------------------------------
// iCIMS
// ---------------------------------------------------------------------------------------------

async fn icims_sim_with(config: IcimsSimConfig) -> IcimsSim {
    icims_sim::start(config, &world()).await.unwrap()
}

fn icims_client_at(base: &str, customer: &str, key: &str) -> icims::Client {
    let config = icims::Config::new(
        icims::Endpoint::BaseUrl(base.to_string()),
        customer,
        icims_sim::DEFAULT_USERNAME,
        SecretString::from(key.to_string()),
    )
    .unwrap()
    .with_timeout(StdDuration::from_secs(5));
    icims::Client::new(config).unwrap()
}

fn icims_client(sim: &IcimsSim, key: &str) -> icims::Client {
    icims_client_at(&sim.url(), icims_sim::DEFAULT_CUSTOMER_ID, key)
}

#[tokio::test]
async fn icims_good_key_connects_and_counts_calls_left() {
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    sim.set_remaining(9_951);
    let client = icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY);
    let r = checks::icims(&client, IcimsRegion::Us, None, now()).await;
    assert!(r.passed, "{r:?}");
    assert_eq!(r.step, SetupStep::Icims);
    assert_eq!(
        r.summary,
        "Connected to iCIMS customer 1234 as sandbox-api (9,950 calls left today)."
    );
    assert_eq!(sim.remaining(), 9_950, "one call spent");
    assert_checked_at(&r);
    assert_no_secret(&r, &[icims_sim::DEFAULT_HMAC_KEY]);
}

#[tokio::test]
async fn icims_wrong_key_blames_username_or_key() {
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    let key = "Sandbox-HMAC-Key-Not-A-Secret";
    let r = checks::icims(&icims_client(&sim, key), IcimsRegion::Us, None, now()).await;
    assert!(!r.passed);
    assert_eq!(r.summary, "iCIMS did not accept the Username or HMAC key.");
    assert_eq!(r.code, CheckCode::IcimsCredentialsRefused);
    assert_eq!(r.field, Some(Field::IcimsHmacKey));
    assert!(
        r.fix.as_deref().unwrap().starts_with(
            "Check both with your iCIMS integration specialist; the key is case-sensitive."
        ),
        "{r:?}"
    );
    assert_no_secret(&r, &[key, icims_sim::DEFAULT_HMAC_KEY]);
}

#[tokio::test]
async fn icims_unknown_customer_points_at_the_customer_id() {
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    let client = icims_client_at(&sim.url(), "5678", icims_sim::DEFAULT_HMAC_KEY);
    let r = checks::icims(&client, IcimsRegion::Us, None, now()).await;
    assert!(!r.passed);
    assert_eq!(r.summary, "iCIMS has no customer 5678 in the US region.");
    assert_eq!(r.code, CheckCode::IcimsCustomerNotFound);
    assert_eq!(r.field, Some(Field::IcimsCustomerId));
}

#[tokio::test]
async fn icims_customer_found_in_the_other_region_says_choose_it() {
    // "US" does not host customer 1234; "EU" does.
    let us = icims_sim_with(IcimsSimConfig {
        customer_id: "9999".into(),
        region: icims_sim::Region::Us,
        ..IcimsSimConfig::default()
    })
    .await;
    let eu = icims_sim_with(IcimsSimConfig {
        region: icims_sim::Region::Eu,
        ..IcimsSimConfig::default()
    })
    .await;
    let key = icims_sim::DEFAULT_HMAC_KEY;
    let primary = icims_client(&us, key);
    let alternate = icims_client(&eu, key);
    let r = checks::icims(&primary, IcimsRegion::Us, Some(&alternate), now()).await;
    assert!(!r.passed);
    assert_eq!(r.summary, "iCIMS has no customer 1234 in the US region.");
    assert_eq!(r.code, CheckCode::IcimsWrongRegion);
    assert_eq!(
        r.fix.as_deref(),
        Some("This looks like an EU customer — choose the EU region.")
    );
    assert_eq!(r.field, Some(Field::IcimsRegion));
    assert_eq!(eu.calls(), 1, "the EU host was asked once");

    // The other way round: set up as EU, but the customer is in the US.
    let r = checks::icims(
        &alternate_for(&us),
        IcimsRegion::Eu,
        Some(&alternate),
        now(),
    )
    .await;
    assert_eq!(r.summary, "iCIMS has no customer 1234 in the EU region.");
    assert_eq!(r.code, CheckCode::IcimsWrongRegion);
    assert_eq!(
        r.fix.as_deref(),
        Some("This looks like a US customer — choose the US region.")
    );
    assert_eq!(r.field, Some(Field::IcimsRegion));

    // Neither region knows the customer: it is the Customer ID.
    let eu_other = icims_client_at(&eu.url(), "4321", key);
    let us_other = icims_client_at(&us.url(), "4321", key);
    let r = checks::icims(&us_other, IcimsRegion::Us, Some(&eu_other), now()).await;
    assert_eq!(r.summary, "iCIMS has no customer 4321 in the US region.");
    assert_eq!(r.code, CheckCode::IcimsCustomerNotFound);
    assert_eq!(r.field, Some(Field::IcimsCustomerId));
}

fn alternate_for(sim: &IcimsSim) -> icims::Client {
    icims_client(sim, icims_sim::DEFAULT_HMAC_KEY)
}

#[tokio::test]
async fn icims_clock_off_by_seven_minutes_is_reported() {
    // iCIMS (the simulator, 15 minutes tolerance) still accepts the request; its Date header
    // shows this computer's clock is 7 minutes ahead.
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    let offset = Duration::minutes(7);
    let client = icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY).with_clock_offset(offset);
    let r = checks::icims(&client, IcimsRegion::Us, None, now() + offset).await;
    assert!(!r.passed, "{r:?}");
    assert_eq!(
        r.summary,
        "Your computer's clock is 7 minutes off; iCIMS rejects signed requests when clocks differ."
    );
    assert_eq!(r.code, CheckCode::ClockSkew);
    assert_eq!(
        r.fix.as_deref(),
        Some("Turn on automatic date & time, then Test again.")
    );

    // Within five minutes is fine.
    let offset = Duration::minutes(2);
    let client = icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY).with_clock_offset(offset);
    let r = checks::icims(&client, IcimsRegion::Us, None, now() + offset).await;
    assert!(r.passed, "{r:?}");
}

#[tokio::test]
async fn icims_wrong_key_with_a_right_clock_still_mentions_the_clock() {
    // A 401 whose Date agrees with this computer's clock is the Username or key; the fix still
    // names the clock, and the detail says iCIMS's clock agreed.
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    let key = "Sandbox-HMAC-Key-Not-A-Secret";
    let r = checks::icims(&icims_client(&sim, key), IcimsRegion::Us, None, now()).await;
    assert!(!r.passed);
    assert!(
        r.fix
            .as_deref()
            .unwrap()
            .contains("date & time automatically"),
        "{r:?}"
    );
    assert!(
        r.detail.as_deref().unwrap().contains("iCIMS's clock reads"),
        "{r:?}"
    );
    assert_eq!(sim.request_log().last().map(|l| l.status), Some(401));
}

#[tokio::test]
async fn icims_stale_date_refused_reports_minutes_off() {
    // The simulator refuses a date 7 minutes stale (tolerance 5); the 401's Date header shows
    // this computer's clock is behind, so the clock is blamed, not the key.
    let sim = icims_sim_with(IcimsSimConfig {
        clock_skew_tolerance: StdDuration::from_secs(5 * 60),
        ..IcimsSimConfig::default()
    })
    .await;
    let offset = Duration::minutes(-7);
    let client = icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY).with_clock_offset(offset);
    let r = checks::icims(&client, IcimsRegion::Us, None, now() + offset).await;
    assert!(!r.passed);
    assert_eq!(
        r.summary,
        "Your computer's clock is 7 minutes off; iCIMS rejects signed requests when clocks differ."
    );
    assert_eq!(r.code, CheckCode::ClockSkew);
    assert_eq!(
        r.fix.as_deref(),
        Some("Turn on automatic date & time, then Test again.")
    );
    assert_eq!(r.field, None);
    assert!(r.detail.as_deref().unwrap().contains("behind"), "{r:?}");
    assert_eq!(sim.request_log().last().map(|l| l.status), Some(401));
    assert_no_secret(&r, &[icims_sim::DEFAULT_HMAC_KEY]);
}

#[tokio::test]
async fn icims_budget_spent_says_when_it_resets() {
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    sim.set_remaining(0);
    let r = checks::icims(
        &icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY),
        IcimsRegion::Us,
        None,
        now(),
    )
    .await;
    assert!(!r.passed);
    assert_eq!(
        r.summary,
        "iCIMS allowed no more calls today (limit 10,000); it resets at midnight UTC."
    );
    assert_eq!(sim.request_log().last().map(|l| l.status), Some(429));
    assert_eq!(r.code, CheckCode::IcimsBudgetExhausted);
}

#[tokio::test]
async fn icims_budget_spent_shows_the_customers_own_daily_limit() {
    let sim = icims_sim_with(IcimsSimConfig {
        daily_limit: 500,
        ..IcimsSimConfig::default()
    })
    .await;
    sim.set_remaining(0);
    let r = checks::icims(
        &icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY),
        IcimsRegion::Us,
        None,
        now(),
    )
    .await;
    assert!(!r.passed);
    assert_eq!(
        r.summary,
        "iCIMS allowed no more calls today (limit 500); it resets at midnight UTC."
    );
    assert_eq!(sim.request_log().last().map(|l| l.status), Some(429));
    assert_eq!(r.code, CheckCode::IcimsBudgetExhausted);

    // A limit in the thousands is grouped.
    let sim = icims_sim_with(IcimsSimConfig {
        daily_limit: 25_000,
        ..IcimsSimConfig::default()
    })
    .await;
    sim.set_remaining(0);
    let r = checks::icims(
        &icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY),
        IcimsRegion::Us,
        None,
        now(),
    )
    .await;
    assert!(r.summary.contains("(limit 25,000)"), "{r:?}");
}

#[tokio::test]
async fn icims_search_refused_points_at_the_integration_user_group() {
    let sim = icims_sim_with(IcimsSimConfig::default()).await;
    sim.fail_next(1, 400);
    let r = checks::icims(
        &icims_client(&sim, icims_sim::DEFAULT_HMAC_KEY),
        IcimsRegion::Us,
        None,
        now(),
    )
    .await;
    assert!(!r.passed);
    assert!(
        r.summary.contains("must be in the Integration User group"),
        "{r:?}"
    );
    assert_eq!(r.field, Some(Field::IcimsUsername));
    assert_eq!(r.code, CheckCode::IcimsNotIntegrationUser);
}

#[tokio::test]
async fn icims_unreachable_names_the_host() {
    let port = closed_port().await;
    let client = icims_client_at(
        &format!("http://127.0.0.1:{port}"),
        "1234",
        icims_sim::DEFAULT_HMAC_KEY,
    );
    let r = checks::icims(&client, IcimsRegion::Us, None, now()).await;
    assert!(!r.passed);
    assert_eq!(
        r.summary,
        format!("Could not reach iCIMS at 127.0.0.1:{port}.")
    );
    assert_eq!(r.code, CheckCode::VendorUnreachable);
    assert_no_secret(&r, &[icims_sim::DEFAULT_HMAC_KEY]);
}

#[test]
fn icims_form_validation_table() {
    let at = datetime!(2026-11-27 10:42 UTC);
    let ok = |c: &str, u: &str, k: Option<&str>| validate_icims_input(c, u, k, at);
    assert_eq!(ok("1234", "api-user", Some("Key-123")), Ok(()));
    assert_eq!(
        ok(" 1234 ", " api-user ", None),
        Ok(()),
        "None keeps the saved key"
    );
    for (c, u, k, field) in [
        ("", "api-user", Some("k"), Field::IcimsCustomerId),
        ("12a4", "api-user", Some("k"), Field::IcimsCustomerId),
        ("acme", "api-user", Some("k"), Field::IcimsCustomerId),
        ("-1", "api-user", Some("k"), Field::IcimsCustomerId),
        ("1234", "", Some("k"), Field::IcimsUsername),
        ("1234", "   ", Some("k"), Field::IcimsUsername),
        ("1234", "a,b", Some("k"), Field::IcimsUsername),
        ("1234", "api-user", Some(""), Field::IcimsHmacKey),
        ("1234", "api-user", Some(" s3cret"), Field::IcimsHmacKey),
        ("1234", "api-user", Some("s3cret\n"), Field::IcimsHmacKey),
    ] {
        let r = ok(c, u, k).expect_err(&format!("{c:?} {u:?}"));
        assert_eq!(r.field, Some(field.clone()), "{c:?} {u:?}");
        assert!(!r.passed);
        assert_eq!(r.step, SetupStep::Icims);
        assert!(r.fix.is_some());
        assert_eq!(r.checked_at, "2026-11-27T10:42:00Z");
        assert_no_secret(&r, &["s3cret"]);
    }
}
