//! The consistency fault knobs (read lag, email uniqueness, dropped email filters) and the
//! "stored, then 502" answer. Real HTTP with reqwest, helpers of `tests.rs`.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::tests::{self, call, employee, errors, get, hire, post, sim, sim_with};
use super::*;

fn ids(c: &tests::Call) -> Vec<String> {
    c.body["profiles"]
        .as_array()
        .expect("profiles array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

fn hire_with_personal(icims_id: &str, email: &str, personal: &str) -> Value {
    let mut h = hire(icims_id, email);
    h["personal_email"] = json!(personal);
    h
}

async fn put(sim: &NamelySim, id: &str, profile: Value) -> tests::Call {
    call(
        sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [profile] })),
    )
    .await
}

#[tokio::test]
async fn fault_knob_defaults_keep_todays_behaviour() {
    let config = NamelySimConfig::default();
    assert_eq!(config.read_lag, Duration::ZERO);
    assert!(config.email_unique);
    assert!(!config.ignore_email_filter);
    let recorded = NamelySimConfig::recorded();
    assert_eq!(recorded.read_lag, Duration::ZERO);
    assert!(recorded.email_unique && !recorded.ignore_email_filter);

    // with the defaults a created profile is found at once, by id and by email
    let sim = sim(2).await;
    let c = post(&sim, hire("700", "now.seen@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let id = c.body["profiles"][0]["id"].as_str().unwrap().to_string();
    let found = get(&sim, "/profiles?filter[email]=now.seen@example.com").await;
    assert_eq!(ids(&found), [id.as_str()]);
    assert_eq!(
        get(&sim, &format!("/profiles/{id}")).await.status,
        StatusCode::OK
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn read_lag_hides_a_created_profile_from_every_read_until_it_passes() {
    let lag = Duration::from_secs(2);
    let config = NamelySimConfig {
        read_lag: lag,
        ..NamelySimConfig::default()
    };
    let sim = sim_with(config, 3).await;
    let before = get(&sim, "/profiles?per_page=50").await;
    assert_eq!(
        before.body["meta"]["total_count"], 6,
        "3 employees + 3 owners"
    );

    let c = post(
        &sim,
        hire_with_personal("801", "lagged.hire@example.com", "lagged@home.example"),
    )
    .await;
    let posted_at = Instant::now();
    assert_eq!(c.status, StatusCode::CREATED);
    let id = c.body["profiles"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(c.body["profiles"][0]["email"], "lagged.hire@example.com");

    // right after the POST: invisible to every read
    let by_email = get(&sim, "/profiles?filter[email]=lagged.hire@example.com").await;
    assert_eq!(by_email.status, StatusCode::OK);
    assert_eq!(by_email.body["meta"]["count"], 0);
    assert_eq!(by_email.body["meta"]["total_count"], 0);
    let by_personal = get(&sim, "/profiles?filter[personal_email]=lagged@home.example").await;
    assert_eq!(by_personal.body["meta"]["total_count"], 0);
    let listing = get(&sim, "/profiles?per_page=50").await;
    assert_eq!(listing.body["meta"]["count"], 6);
    assert_eq!(listing.body["meta"]["total_count"], 6);
    assert!(!ids(&listing).contains(&id));
    let newest = get(&sim, "/profiles?sort=-updated_at&per_page=5").await;
    assert!(!ids(&newest).contains(&id));
    let single = get(&sim, &format!("/profiles/{id}")).await;
    assert_eq!(single.status, StatusCode::NOT_FOUND);
    assert_eq!(single.body["message"], "Profile not found");

    // the ground truth shows it all along
    assert!(sim.profiles().iter().any(|p| p["id"] == id.as_str()));
    assert_eq!(sim.created_profiles().len(), 1);
    assert_eq!(sim.profile_by_icims_id("801").unwrap()["id"], id.as_str());
    assert!(sim.profile(&id).is_some());
    assert!(sim.export_profiles().iter().any(|p| p["id"] == id.as_str()));

    // a profile HR adds meanwhile is not lagged
    let mut by_hand = employee(50);
    by_hand.email = "by.hand@example.com".into();
    sim.add_employee_now(&by_hand);
    let hand = get(&sim, "/profiles?filter[email]=by.hand@example.com").await;
    assert_eq!(ids(&hand), [by_hand.id.clone()]);

    // writes are not lagged: the uniqueness check sees it, a PUT by id works
    let retry = post(&sim, hire("801", "lagged.hire@example.com")).await;
    assert_eq!(retry.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&retry), [assumptions::DUPLICATE_EMAIL]);
    let c = put(&sim, &id, json!({ "job_title": "Recruiter" })).await;
    assert_eq!(c.status, StatusCode::OK);
    assert_eq!(c.body["profiles"][0]["job_title"]["title"], "Recruiter");
    assert_eq!(
        get(&sim, &format!("/profiles/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "still lagged after the PUT"
    );

    // once the lag has passed (real time), every read finds it
    tokio::time::sleep((posted_at + lag).saturating_duration_since(Instant::now())).await;
    let by_email = get(&sim, "/profiles?filter[email]=lagged.hire@example.com").await;
    assert_eq!(ids(&by_email), [id.as_str()]);
    assert_eq!(by_email.body["meta"]["total_count"], 1);
    let by_personal = get(&sim, "/profiles?filter[personal_email]=lagged@home.example").await;
    assert_eq!(ids(&by_personal), [id.as_str()]);
    let listing = get(&sim, "/profiles?per_page=50").await;
    assert_eq!(listing.body["meta"]["total_count"], 8);
    assert!(ids(&listing).contains(&id));
    let newest = get(&sim, "/profiles?sort=-updated_at&per_page=5").await;
    assert!(ids(&newest).contains(&id));
    let single = get(&sim, &format!("/profiles/{id}")).await;
    assert_eq!(single.status, StatusCode::OK);
    assert_eq!(single.body["profiles"][0]["icims_id"], "801");
    sim.shutdown().await;
}

#[tokio::test]
async fn read_lag_set_at_runtime_covers_earlier_creates_and_zero_lifts_it() {
    let sim = sim(2).await;
    let c = post(&sim, hire("802", "runtime.lag@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let id = c.body["profiles"][0]["id"].as_str().unwrap().to_string();

    sim.set_read_lag(Duration::from_secs(60));
    assert_eq!(
        get(&sim, &format!("/profiles/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let c = get(&sim, "/profiles?filter[email]=runtime.lag@example.com").await;
    assert_eq!(c.body["meta"]["total_count"], 0);
    // seeded profiles and ones added directly stay visible
    let seeded = employee(1);
    assert_eq!(
        get(&sim, &format!("/profiles/{}", seeded.id)).await.status,
        StatusCode::OK
    );
    let added = employee(9);
    sim.add_employee(&added);
    assert_eq!(
        get(&sim, &format!("/profiles/{}", added.id)).await.status,
        StatusCode::OK
    );
    // HEAD on the same route is lagged too
    let head = call(
        &sim,
        Method::HEAD,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        None,
    )
    .await;
    assert_eq!(head.status, StatusCode::NOT_FOUND);

    sim.set_read_lag(Duration::ZERO);
    assert_eq!(
        get(&sim, &format!("/profiles/{id}")).await.status,
        StatusCode::OK
    );
    let c = get(&sim, "/profiles?filter[email]=runtime.lag@example.com").await;
    assert_eq!(ids(&c), [id]);
    sim.shutdown().await;
}

#[tokio::test]
async fn email_uniqueness_off_accepts_a_second_profile_with_the_same_email() {
    let config = NamelySimConfig {
        email_unique: false,
        ..NamelySimConfig::default()
    };
    let sim = sim_with(config, 3).await;
    let c = post(&sim, hire("901", "Person1@Example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let dup = c.body["profiles"][0]["id"].as_str().unwrap().to_string();
    let c = post(&sim, hire("902", "person1@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    assert_eq!(sim.created_profiles().len(), 2);
    let found = get(&sim, "/profiles?filter[email]=person1@example.com").await;
    assert_eq!(found.body["meta"]["total_count"], 3);
    assert!(ids(&found).contains(&employee(1).id) && ids(&found).contains(&dup));
    // PUT onto another profile's email is accepted too
    let c = put(
        &sim,
        &employee(2).id,
        json!({ "email": "person0@example.com" }),
    )
    .await;
    assert_eq!(c.status, StatusCode::OK);

    // switched back on at runtime: refused again
    sim.set_email_unique(true);
    let c = post(&sim, hire("903", "person1@example.com")).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&c), [assumptions::DUPLICATE_EMAIL]);
    assert_eq!(sim.created_profiles().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn email_uniqueness_switched_off_at_runtime() {
    let sim = sim(2).await;
    let c = post(&sim, hire("904", "person0@example.com")).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    sim.set_email_unique(false);
    let c = post(&sim, hire("904", "person0@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    assert_eq!(sim.created_profiles().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn ignored_email_filter_answers_the_unfiltered_first_page() {
    let config = NamelySimConfig {
        ignore_email_filter: true,
        ..NamelySimConfig::default()
    };
    let mut people = tests::employees(40);
    people[35].personal_email = Some("p35@home.example".into());
    let sim = start(config, &people).await.unwrap();
    let unfiltered = get(&sim, "/profiles").await;
    assert_eq!(unfiltered.body["meta"]["count"], 30);

    for path in [
        "/profiles?filter[email]=person35@example.com",
        "/profiles?filter[personal_email]=p35@home.example",
        "/profiles?filter[email]=nobody@example.com",
    ] {
        let c = get(&sim, path).await;
        assert_eq!(c.status, StatusCode::OK, "{path}");
        assert_eq!(c.body["meta"]["count"], 30, "{path}");
        assert_eq!(c.body["meta"]["total_count"], 43, "{path}");
        assert_eq!(ids(&c), ids(&unfiltered), "{path}");
        assert_ne!(c.body["profiles"][0]["email"], "person35@example.com");
    }
    // other filters still apply
    let c = get(
        &sim,
        "/profiles?filter[email]=person35@example.com&filter[user_status]=inactive",
    )
    .await;
    assert_eq!(ids(&c), [INACTIVE_ADMIN_ID.to_string()]);

    sim.set_ignore_email_filter(false);
    let c = get(&sim, "/profiles?filter[email]=person35@example.com").await;
    assert_eq!(ids(&c), [people[35].id.clone()]);
    let c = get(&sim, "/profiles?filter[personal_email]=p35@home.example").await;
    assert_eq!(ids(&c), [people[35].id.clone()]);
    sim.set_ignore_email_filter(true);
    let c = get(&sim, "/profiles?filter[email]=person35@example.com").await;
    assert_eq!(c.body["meta"]["count"], 30);
    sim.shutdown().await;
}

#[tokio::test]
async fn post_after_commit_502_stores_the_profile_then_answers_502() {
    let sim = sim(1).await;
    sim.fail_next_post_after_commit(2, AfterCommit::Status(502));
    let c = post(&sim, hire("1001", "gateway.one@example.com")).await;
    assert_eq!(c.status, StatusCode::BAD_GATEWAY);
    assert_eq!(c.body, json!({ "message": "Bad Gateway", "errors": [] }));
    let stored = sim
        .profile_by_icims_id("1001")
        .expect("stored despite the 502");
    assert_eq!(stored["email"], "gateway.one@example.com");
    let found = get(&sim, "/profiles?filter[email]=gateway.one@example.com").await;
    assert_eq!(ids(&found), [stored["id"].as_str().unwrap().to_string()]);

    let c = post(&sim, hire("1002", "gateway.two@example.com")).await;
    assert_eq!(c.status, StatusCode::BAD_GATEWAY);
    assert!(sim.profile_by_icims_id("1002").is_some());

    // only the next two: the third answers 201
    let c = post(&sim, hire("1003", "gateway.three@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    assert_eq!(sim.created_profiles().len(), 3);
    assert_eq!(sim.calls_to("POST", "/profiles"), 3);
    // a refused POST does not use up an after-commit fault
    sim.fail_next_post_after_commit(1, AfterCommit::Status(502));
    let c = post(&sim, hire("1004", "gateway.one@example.com")).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    let c = post(&sim, hire("1004", "gateway.four@example.com")).await;
    assert_eq!(c.status, StatusCode::BAD_GATEWAY);
    assert_eq!(sim.created_profiles().len(), 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn lost_201_with_read_lag_and_no_uniqueness_makes_a_duplicate() {
    // The worst case together: the create succeeds but the answer is a 502, the lookup that
    // follows cannot see the new profile yet, and Namely does not refuse the same email.
    let config = NamelySimConfig {
        read_lag: Duration::from_secs(60),
        email_unique: false,
        ..NamelySimConfig::default()
    };
    let sim = sim_with(config, 1).await;
    sim.fail_next_post_after_commit(1, AfterCommit::Status(502));
    let c = post(&sim, hire("1101", "twice.hired@example.com")).await;
    assert_eq!(c.status, StatusCode::BAD_GATEWAY);
    let c = get(&sim, "/profiles?filter[email]=twice.hired@example.com").await;
    assert_eq!(c.body["meta"]["total_count"], 0);
    let c = post(&sim, hire("1101", "twice.hired@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let created = sim.created_profiles();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0]["email"], created[1]["email"]);
    assert_ne!(created[0]["id"], created[1]["id"]);
    sim.shutdown().await;
}
