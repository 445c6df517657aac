//! The client against the project's own Namely simulator (`sandbox::namely`) over real HTTP on
//! 127.0.0.1: bearer auth, paging, the 406 throttle, Namely's 422 bodies and a create that
//! fails after it was stored. The simulator parses requests with code of its own.

use std::collections::BTreeSet;
use std::time::Duration;

use namely::{
    Address, Client, Config, Endpoint, Error, NewProfile, PER_PAGE_MAX, ProfileFilter, ProfileId,
    ProfileUpdate, ThrottlePolicy, UserStatus, find_field,
};
use sandbox::namely::{
    self as sim, AfterCommit, NamelySim, NamelySimConfig, TOKEN_EMPLOYEE, TOKEN_INACTIVE_ADMIN,
    TOKEN_OLIVIA_OWNER, TOKEN_REVOKED,
};
use sandbox::seed::Employee;
use secrecy::SecretString;
use time::macros::date;

async fn start() -> NamelySim {
    sim::start(NamelySimConfig::default(), &[])
        .await
        .expect("simulator")
}

fn client_with(sim: &NamelySim, token: &str, throttle: ThrottlePolicy) -> Client {
    let config = Config::new(
        Endpoint::base_url(&sim.url()).expect("loopback base"),
        SecretString::from(token),
    )
    .expect("config")
    .with_timeout(Duration::from_secs(10))
    .with_throttle(throttle);
    Client::new(config).expect("client")
}

fn fast_throttle(max_retries: u32) -> ThrottlePolicy {
    ThrottlePolicy {
        wait: Duration::from_millis(5),
        max_retries,
    }
}

fn owner(sim: &NamelySim) -> Client {
    client_with(sim, TOKEN_OLIVIA_OWNER, fast_throttle(3))
}

/// Statuses of the list requests (`GET /profiles`) the simulator saw, in order.
fn list_statuses(sim: &NamelySim) -> Vec<u16> {
    sim.request_log()
        .into_iter()
        .filter(|r| {
            r.method == "GET"
                && r.path
                    .trim_end_matches(".json")
                    .ends_with("/api/v1/profiles")
        })
        .map(|r| r.status)
        .collect()
}

fn employee(i: usize) -> Employee {
    Employee {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        first_name: "Paged".into(),
        last_name: format!("Person {i}"),
        email: format!("paged.{i}@example.com"),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: Some("2024-01-02".into()),
        icims_id: None,
    }
}

#[tokio::test]
async fn the_bearer_token_is_accepted() {
    let sim = start().await;
    let c = owner(&sim);
    let me = c.me().await.expect("me");
    assert_eq!(me.id.as_str(), sim::OLIVIA_OWNER_ID);
    assert_eq!(me.first_name.as_deref(), Some("Olivia"));
    assert_eq!(me.access_role.as_deref(), Some("Administrator"));
    assert_eq!(me.user_status, Some(UserStatus::Active));
    let log = sim.request_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, 200);
    // The token travels in the header only, never in the URL.
    assert!(!log[0].query.contains(TOKEN_OLIVIA_OWNER), "{:?}", log[0]);
}

#[tokio::test]
async fn a_revoked_or_unknown_token_is_unauthorized() {
    let sim = start().await;
    for token in [TOKEN_REVOKED, "not-a-namely-token-0000"] {
        let e = client_with(&sim, token, fast_throttle(0))
            .me()
            .await
            .expect_err("refused");
        assert!(matches!(e, Error::Unauthorized), "{token}: {e:?}");
        assert!(e.is_auth());
        assert!(!format!("{e} {e:?}").contains(token));
    }
    let statuses: Vec<u16> = sim.request_log().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 401]);
}

#[tokio::test]
async fn an_inactive_admins_token_is_forbidden() {
    let sim = start().await;
    let e = client_with(&sim, TOKEN_INACTIVE_ADMIN, fast_throttle(0))
        .me()
        .await
        .expect_err("inactive owner");
    assert!(matches!(e, Error::Forbidden), "{e:?}");
    assert_eq!(sim.request_log()[0].status, 403);
    // An active owner without a write role may read but not create.
    let reader = client_with(&sim, TOKEN_EMPLOYEE, fast_throttle(0));
    reader.me().await.expect("employee reads");
    let e = reader
        .create_profile(&NewProfile::active(
            "No",
            "Write",
            "no.write@example.com",
            date!(2026 - 12 - 01),
        ))
        .await
        .expect_err("employee cannot create");
    assert!(matches!(e, Error::Forbidden), "{e:?}");
    assert!(sim.created_profiles().is_empty());
}

#[tokio::test]
async fn all_profiles_reads_every_page() {
    let sim = start().await;
    for i in 0..120 {
        sim.add_employee(&employee(i));
    }
    let expected: BTreeSet<String> = sim
        .profiles()
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(expected.len(), 123, "120 added + the 3 token owners");

    let mut progress = Vec::new();
    let all = owner(&sim)
        .all_profiles(PER_PAGE_MAX, |p| progress.push((p.page, p.fetched)))
        .await
        .expect("all profiles");
    let got: BTreeSet<String> = all.iter().map(|p| p.id.as_str().to_string()).collect();
    assert_eq!(all.len(), 123, "no profile read twice");
    assert_eq!(got, expected);
    assert_eq!(progress, [(1, 50), (2, 100), (3, 123)]);
    // Three full or partial pages of 50, then the empty page that ends the listing.
    assert_eq!(sim.calls_to("GET", "/profiles"), 4);
    let queries: Vec<String> = sim.request_log().into_iter().map(|r| r.query).collect();
    for (i, q) in queries.iter().enumerate() {
        assert!(
            q.contains(&format!("page={}", i + 1)) && q.contains("per_page=50"),
            "{queries:?}"
        );
    }
}

#[tokio::test]
async fn sort_by_updated_at_descending_lists_the_latest_change_first() {
    let sim = start().await;
    for i in 0..60 {
        sim.add_employee(&employee(i));
    }
    let c = owner(&sim);
    let changed = ProfileId::new(employee(37).id);
    c.update_profile(&changed, &ProfileUpdate::custom_text("icims_id", "4242"))
        .await
        .expect("put");
    let filter = ProfileFilter::recently_updated_first();
    let first = c
        .profiles_page(1, PER_PAGE_MAX, &filter)
        .await
        .expect("page 1");
    let second = c
        .profiles_page(2, PER_PAGE_MAX, &filter)
        .await
        .expect("page 2");
    assert_eq!(first.profiles[0].id, changed, "the PUT made it the newest");
    assert_eq!(first.profiles[0].custom_text("icims_id"), Some("4242"));
    let stamps: Vec<i64> = first
        .profiles
        .iter()
        .chain(&second.profiles)
        .map(|p| p.updated_at.expect("the simulator sends updated_at"))
        .collect();
    assert_eq!(stamps.len(), 63);
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "{stamps:?}");
    assert!(
        sim.request_log()
            .iter()
            .all(|r| r.method != "GET" || r.query.contains("sort=-updated_at")),
        "sort was sent"
    );
}

#[tokio::test]
async fn throttling_is_waited_out_and_reported_when_it_persists() {
    let sim = start().await;
    // Two list reads per 400 ms; the client waits 25 ms between tries, up to 80 times.
    sim.set_throttle_limit(2);
    sim.set_throttle_window(Duration::from_millis(400));
    let patient = client_with(
        &sim,
        TOKEN_OLIVIA_OWNER,
        ThrottlePolicy {
            wait: Duration::from_millis(25),
            max_retries: 80,
        },
    );
    let filter = ProfileFilter::default();
    for _ in 0..3 {
        let page = patient
            .profiles_page(1, 10, &filter)
            .await
            .expect("throttle waited out transparently");
        assert_eq!(page.profiles.len(), 3);
    }
    let statuses = list_statuses(&sim);
    assert_eq!(statuses[..2], [200, 200], "{statuses:?}");
    assert!(
        statuses[2..].contains(&406),
        "the third read was throttled first: {statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&200));
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3);

    // Held: nothing is allowed for an hour. 1 try + 3 retries, then Throttled.
    sim.set_throttle_limit(0);
    sim.set_throttle_window(Duration::from_secs(3600));
    let before = list_statuses(&sim).len();
    let e = client_with(&sim, TOKEN_OLIVIA_OWNER, fast_throttle(3))
        .profiles_page(1, 10, &filter)
        .await
        .expect_err("still throttled");
    assert!(matches!(e, Error::Throttled), "{e:?}");
    assert_eq!(list_statuses(&sim)[before..], [406, 406, 406, 406]);
    // Only the list is throttled.
    owner(&sim).me().await.expect("me is not throttled");
}

#[tokio::test]
async fn a_create_missing_required_fields_keeps_namelys_message_and_errors() {
    // `NewProfile` cannot leave out `start_date` (a required `time::Date`), so the 422 is
    // provoked with the other required fields sent blank.
    let sim = start().await;
    let e = owner(&sim)
        .create_profile(&NewProfile::active(
            "",
            " ",
            "blank.names@example.com",
            date!(2026 - 12 - 01),
        ))
        .await
        .expect_err("422");
    match &e {
        Error::Validation { message, errors } => {
            assert_eq!(message, "error creating profile");
            assert_eq!(
                errors,
                &[
                    "first_name is a required field".to_string(),
                    "last_name is a required field".to_string()
                ]
            );
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("error creating profile") && text.contains("first_name is a required field"),
        "{text}"
    );
    assert!(!e.may_have_been_applied());
    assert_eq!(sim.request_log().last().map(|r| r.status), Some(422));
    assert!(sim.created_profiles().is_empty());
}

#[tokio::test]
async fn an_invalid_state_is_a_validation_error_with_namelys_text() {
    let sim = start().await;
    let mut p = NewProfile::active(
        "Stateless",
        "Person",
        "stateless@example.com",
        date!(2026 - 12 - 01),
    );
    p.home = Some(Address {
        address1: Some("1 Main St".into()),
        city: Some("Springfield".into()),
        state_id: Some("XX".into()),
        country_id: Some("US".into()),
        zip: Some("12345".into()),
        ..Address::default()
    });
    let e = owner(&sim).create_profile(&p).await.expect_err("422");
    match &e {
        Error::Validation { errors, .. } => assert!(
            errors
                .iter()
                .any(|m| m.contains("state_id") && m.contains("XX")),
            "{errors:?}"
        ),
        other => panic!("expected Validation, got {other:?}"),
    }
    assert!(e.to_string().contains("'XX'"), "{e}");
    assert!(sim.created_profiles().is_empty());
}

#[tokio::test]
async fn create_profile_stores_the_icims_id_custom_field() {
    let sim = start().await;
    let c = owner(&sim);
    let fields = c.fields().await.expect("fields");
    let field = find_field(&fields, "icims_id").expect("the icims_id field");
    assert!(field.is_text());
    let hire = NewProfile::active(
        "Zoë",
        "Müller",
        "zoe.mueller@example.com",
        date!(2026 - 12 - 07),
    )
    .with_custom_text(&field.name, "424242");
    let created = c.create_profile(&hire).await.expect("created");
    assert_eq!(created.custom_text(&field.name), Some("424242"));

    let stored = sim
        .profile_by_icims_id("424242")
        .expect("stored with icims_id");
    assert_eq!(stored["id"].as_str(), Some(created.id.as_str()));
    assert_eq!(stored["first_name"], "Zoë");
    assert_eq!(stored["user_status"], "active");
    assert_eq!(stored["start_date"], "2026-12-07");
    assert_eq!(sim.created_profiles().len(), 1);
    let read = c.profile(&created.id).await.expect("read back");
    assert_eq!(read.custom_text(&field.name), Some("424242"));
    assert!(sim.profile_by_icims_id("424243").is_none());
}

#[tokio::test]
async fn a_server_error_after_the_commit_may_have_been_applied() {
    let sim = start().await;
    let c = owner(&sim);
    sim.fail_next_post_after_commit(1, AfterCommit::Status(500));
    let hire = NewProfile::active(
        "Ambi",
        "Guous",
        "ambi.guous@example.com",
        date!(2026 - 12 - 07),
    )
    .with_custom_text("icims_id", "777001");
    let e = c.create_profile(&hire).await.expect_err("500 after commit");
    assert!(
        matches!(&e, Error::Server { status, .. } if status.as_u16() == 500),
        "{e:?}"
    );
    assert!(e.may_have_been_applied());
    assert_eq!(sim.request_log().last().map(|r| r.status), Some(500));
    // It was applied: the profile exists, and a lookup finds it before any retry.
    let stored = sim
        .profile_by_icims_id("777001")
        .expect("the profile exists");
    let found = c
        .find_by_email("ambi.guous@example.com")
        .await
        .expect("lookup");
    assert_eq!(found.len(), 1);
    assert_eq!(stored["id"].as_str(), Some(found[0].id.as_str()));
}
