//! Real HTTP against the simulator with reqwest (never the `namely` client crate).

use std::collections::BTreeSet;
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use super::*;
use crate::seed::Employee;

pub(super) fn employee(i: usize) -> Employee {
    Employee {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        first_name: format!("First{i}"),
        last_name: format!("Last{i}"),
        email: format!("person{i}@example.com"),
        personal_email: None,
        user_status: "active".into(),
        access_role: "Employee".into(),
        start_date: Some("2020-01-15".into()),
        icims_id: None,
    }
}

pub(super) fn employees(n: usize) -> Vec<Employee> {
    (0..n).map(employee).collect()
}

pub(super) async fn sim_with(config: NamelySimConfig, n: usize) -> NamelySim {
    start(config, &employees(n))
        .await
        .expect("simulator starts")
}

pub(super) async fn sim(n: usize) -> NamelySim {
    sim_with(NamelySimConfig::default(), n).await
}

pub(super) struct Call {
    pub status: StatusCode,
    pub body: Value,
}

pub(super) async fn call(
    sim: &NamelySim,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Call {
    let mut req = Client::new().request(method, format!("{}{path}", sim.url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    Call { status, body }
}

pub(super) async fn get(sim: &NamelySim, path: &str) -> Call {
    call(sim, Method::GET, path, Some(TOKEN_OLIVIA_OWNER), None).await
}

pub(super) async fn post(sim: &NamelySim, profile: Value) -> Call {
    call(
        sim,
        Method::POST,
        "/profiles",
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [profile] })),
    )
    .await
}

pub(super) fn hire(icims_id: &str, email: &str) -> Value {
    json!({
        "first_name": "Jane", "last_name": "Hire", "email": email,
        "user_status": "active", "start_date": "2025-02-03",
        "home": { "address1": "195 Broadway", "city": "New York", "state_id": "NY",
                  "country_id": "US", "zip": "10007" },
        "job_title": { "title": "Software Engineer" },
        "icims_id": icims_id,
    })
}

pub(super) fn errors(c: &Call) -> Vec<String> {
    serde_json::from_value(c.body["errors"].clone()).expect("errors array")
}

#[tokio::test]
async fn unauthorized_without_bad_revoked_or_query_token() {
    let sim = sim(2).await;
    for token in [None, Some("not-a-token"), Some(TOKEN_REVOKED)] {
        let c = call(&sim, Method::GET, "/profiles", token, None).await;
        assert_eq!(c.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(c.body, json!({ "error": "" }));
    }
    let c = call(
        &sim,
        Method::GET,
        &format!("/profiles?access_token={TOKEN_OLIVIA_OWNER}"),
        None,
        None,
    )
    .await;
    assert_eq!(c.status, StatusCode::UNAUTHORIZED);
    let resp = Client::new()
        .get(format!("{}/profiles/me", sim.url()))
        .header("Authorization", format!("Token {TOKEN_OLIVIA_OWNER}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    sim.revoke_token(TOKEN_OLIVIA_OWNER);
    assert_eq!(
        get(&sim, "/profiles/me").await.status,
        StatusCode::UNAUTHORIZED
    );

    // the log never holds a token
    let log = format!("{:?}", sim.request_log());
    assert!(
        !log.contains(TOKEN_OLIVIA_OWNER) && !log.contains(TOKEN_REVOKED),
        "{log}"
    );
    assert!(log.contains("access_token=REDACTED"));
    sim.shutdown().await;
}

#[tokio::test]
async fn inactive_owner_and_deleted_owner_are_forbidden() {
    let sim = sim(1).await;
    let c = call(
        &sim,
        Method::GET,
        "/profiles/me",
        Some(TOKEN_INACTIVE_ADMIN),
        None,
    )
    .await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);
    assert_eq!(c.body, assumptions::inactive_owner_body());

    sim.add_token(TokenGrant::new("sandbox-token-ghost", "no-such-profile"));
    let c = call(
        &sim,
        Method::GET,
        "/profiles",
        Some("sandbox-token-ghost"),
        None,
    )
    .await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);

    // an owner who leaves loses access
    assert!(sim.set_user_status(OLIVIA_OWNER_ID, "inactive"));
    assert_eq!(
        get(&sim, "/profiles/me").await.status,
        StatusCode::FORBIDDEN
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn companies_info_needs_no_token() {
    let config = NamelySimConfig {
        permalink: "acme-sandbox".into(),
        ..NamelySimConfig::default()
    };
    let sim = sim_with(config, 0).await;
    for path in ["/companies/info", "/companies/info.json"] {
        let c = call(&sim, Method::GET, path, None, None).await;
        assert_eq!(c.status, StatusCode::OK);
        assert_eq!(c.body["name"], "Acme Corp (Sandbox)");
        assert_eq!(c.body["permalink"], "acme-sandbox");
        assert!(c.body["logo_url"].is_string() && c.body["background_url"].is_string());
        assert_eq!(c.body["authentications"][0]["type"], "email_password");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn me_has_access_role_and_user_status_unless_configured_away() {
    let sim = sim(1).await;
    let c = get(&sim, "/profiles/me.json").await;
    assert_eq!(c.status, StatusCode::OK);
    let me = &c.body["profiles"][0];
    assert_eq!(me["id"], OLIVIA_OWNER_ID);
    assert_eq!(me["full_name"], "Olivia Owner");
    assert_eq!(me["access_role"], "Administrator");
    assert_eq!(me["user_status"], "active");

    let c = call(
        &sim,
        Method::GET,
        "/profiles/me",
        Some(TOKEN_EMPLOYEE),
        None,
    )
    .await;
    assert_eq!(c.body["profiles"][0]["access_role"], "Employee");

    sim.set_include_access_role_on_me(false);
    let me = get(&sim, "/profiles/me").await.body["profiles"][0].clone();
    assert!(me.get("access_role").is_none(), "{me}");
    assert_eq!(me["user_status"], "active");
    sim.shutdown().await;
}

#[tokio::test]
async fn seeded_olivia_owner_gets_the_owner_token() {
    let mut seeded = employee(1);
    seeded.id = "11111111-2222-4333-8444-555555555555".into();
    seeded.first_name = "Olivia".into();
    seeded.last_name = "Owner".into();
    seeded.email = "olivia.owner@example.com".into();
    seeded.access_role = "Administrator".into();
    let sim = start(NamelySimConfig::default(), &[seeded]).await.unwrap();
    assert_eq!(
        sim.profiles().len(),
        3,
        "seeded Olivia + inactive admin + employee"
    );
    assert_eq!(
        sim.token_owner_id(TOKEN_OLIVIA_OWNER).as_deref(),
        Some("11111111-2222-4333-8444-555555555555")
    );
    assert_eq!(
        get(&sim, "/profiles/me").await.body["profiles"][0]["id"],
        "11111111-2222-4333-8444-555555555555"
    );
    sim.shutdown().await;
}

pub(super) fn field_named<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
}

#[tokio::test]
async fn fields_for_each_icims_field_variant() {
    let sim = sim(0).await;
    let c = get(&sim, "/profiles/fields").await;
    assert_eq!(c.status, StatusCode::OK);
    let b = &c.body;
    assert_eq!(
        b["meta"]["count"].as_u64().unwrap() as usize,
        b["fields"].as_array().unwrap().len()
    );
    assert_eq!(b["meta"]["status"], 200);
    assert!(b["links"]["fields.sections"].is_object());
    for (name, ty) in [
        ("first_name", "text"),
        ("user_status", "referenceselect"),
        ("start_date", "date"),
        ("job_title", "referencehistory"),
        ("home", "address"),
        ("gender", "select"),
        ("email", "email"),
    ] {
        let f = field_named(b, name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(f["type"], ty);
        assert_eq!(f["default"], true);
        let section = f["links"]["section"].as_str().unwrap();
        let sec = b["linked"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == section)
            .unwrap();
        assert!(
            sec["links"]["fields"]
                .as_array()
                .unwrap()
                .contains(&f["id"])
        );
    }
    let icims = field_named(b, "icims_id").unwrap();
    assert_eq!(
        (icims["label"].as_str(), icims["type"].as_str()),
        (Some("icims_id"), Some("text"))
    );
    assert_eq!(icims["deletable"], true);
    assert!(icims["id"].as_str().unwrap().len() == 36);

    let labelled = |b: &Value, label: &str| {
        b["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["label"] == label)
            .cloned()
            .collect::<Vec<_>>()
    };

    sim.set_field(IcimsField::Missing);
    let b = get(&sim, "/profiles/fields").await.body;
    assert!(labelled(&b, "icims_id").is_empty() && field_named(&b, "icims_id").is_none());
    assert!(field_named(&b, "greenhouse_id").is_some());

    sim.set_field(IcimsField::misspelt());
    let b = get(&sim, "/profiles/fields").await.body;
    assert!(labelled(&b, "icims_id").is_empty());
    assert_eq!(field_named(&b, "icmis_id").unwrap()["label"], "icmis_id");

    sim.set_field(IcimsField::WrongType {
        type_name: "number".into(),
    });
    let b = get(&sim, "/profiles/fields").await.body;
    assert_eq!(field_named(&b, "icims_id").unwrap()["type"], "number");

    sim.set_field(IcimsField::Custom(vec![
        CustomField::text("icims_id", "icims_id"),
        CustomField::text("icmis_id", "icmis_id"),
    ]));
    let b = get(&sim, "/profiles/fields").await.body;
    assert!(field_named(&b, "icims_id").is_some() && field_named(&b, "icmis_id").is_some());

    // a non-admin token sees no custom field
    sim.set_field(IcimsField::Present);
    let b = call(
        &sim,
        Method::GET,
        "/profiles/fields",
        Some(TOKEN_EMPLOYEE),
        None,
    )
    .await
    .body;
    assert!(field_named(&b, "icims_id").is_none() && field_named(&b, "first_name").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn pages_120_profiles_at_50() {
    // 117 employees + the 3 default token owners
    let sim = sim(117).await;
    let mut seen = std::collections::HashSet::new();
    for (page, expected) in [(1, 50), (2, 50), (3, 20), (4, 0)] {
        let c = get(&sim, &format!("/profiles?page={page}&per_page=50")).await;
        assert_eq!(c.status, StatusCode::OK);
        let list = c.body["profiles"].as_array().unwrap();
        assert_eq!(list.len(), expected, "page {page}");
        assert_eq!(c.body["meta"]["count"], expected);
        assert_eq!(c.body["meta"]["total_count"], 120);
        assert_eq!(c.body["meta"]["status"], 200);
        assert!(c.body["links"].is_object() && c.body["linked"].is_object());
        for p in list {
            assert!(seen.insert(p["id"].as_str().unwrap().to_string()));
            assert!(p.get("icims_id").is_some_and(Value::is_null), "{p}");
            assert!(p["created_at"].is_i64());
        }
    }
    assert_eq!(seen.len(), 120);
    sim.shutdown().await;
}

#[tokio::test]
async fn per_page_defaults_to_30_and_clamps_to_50() {
    let sim = sim(60).await;
    let count = |c: &Call| c.body["profiles"].as_array().unwrap().len();
    assert_eq!(count(&get(&sim, "/profiles").await), 30);
    assert_eq!(count(&get(&sim, "/profiles?per_page=500").await), 50);
    assert_eq!(
        count(&get(&sim, "/profiles.json?per_page=abc&page=0").await),
        30
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn filters_and_sort() {
    let sim = sim(10).await;
    let c = get(&sim, "/profiles?filter%5Bemail%5D=PERSON3%40example.com").await;
    let list = c.body["profiles"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["email"], "person3@example.com");
    assert_eq!(c.body["meta"]["total_count"], 1);

    let c = get(&sim, "/profiles?filter[email]=nobody@example.com").await;
    assert_eq!(c.body["meta"]["count"], 0);

    let c = get(&sim, "/profiles?filter[user_status]=inactive").await;
    assert_eq!(c.body["meta"]["total_count"], 1, "the inactive admin");

    let c = get(
        &sim,
        "/profiles?filter[first_name]=First4&filter[last_name]=Last4",
    )
    .await;
    assert_eq!(c.body["meta"]["total_count"], 1);

    // undocumented custom-field filter: ignored, everything comes back
    let c = get(&sim, "/profiles?filter[icims_id]=123").await;
    assert_eq!(c.body["meta"]["total_count"], 13);

    let c = get(&sim, "/profiles?sort=-first_name&per_page=50").await;
    let firsts: Vec<&str> = c.body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["first_name"].as_str().unwrap())
        .collect();
    let mut sorted = firsts.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(firsts, sorted);
    sim.shutdown().await;
}

#[tokio::test]
async fn updated_at_is_stamped_by_writes_and_sorts_newest_first() {
    let sim = sim(5).await;
    let stamp = |id: &str| sim.profile(id).unwrap()["updated_at"].as_i64().unwrap();
    let seeded = stamp(&employee(2).id);
    assert!(
        seeded < 1_600_000_000,
        "seeded profiles are back-dated: {seeded}"
    );
    let id = employee(2).id;
    let c = call(
        &sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{ "icims_id": "42" }] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::OK);
    let put_at = stamp(&id);
    assert!(put_at > 1_700_000_000, "a PUT stamps now: {put_at}");
    let created = post(&sim, hire("43", "new.hire@example.com")).await;
    let new_id = created.body["profiles"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(stamp(&new_id) >= put_at);
    let mut by_hand = employee(90);
    by_hand.email = "by.hand@example.com".into();
    sim.add_employee_now(&by_hand);
    assert!(stamp(&by_hand.id) >= put_at, "added now");
    sim.add_employee(&employee(91));
    assert!(stamp(&employee(91).id) < 1_600_000_000, "added back-dated");

    let c = get(&sim, "/profiles?sort=-updated_at&per_page=50").await;
    let list = c.body["profiles"].as_array().unwrap();
    let stamps: Vec<i64> = list
        .iter()
        .map(|p| p["updated_at"].as_i64().unwrap())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "{stamps:?}");
    let newest: BTreeSet<&str> = list[..3]
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        newest,
        BTreeSet::from([id.as_str(), new_id.as_str(), by_hand.id.as_str()])
    );
    let c = get(&sim, "/profiles?sort=updated_at&per_page=50").await;
    let oldest_first: Vec<i64> = c.body["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["updated_at"].as_i64().unwrap())
        .collect();
    assert!(oldest_first.windows(2).all(|w| w[0] <= w[1]));

    sim.set_include_updated_at(false);
    let c = get(&sim, "/profiles?sort=-updated_at&per_page=1").await;
    let first = &c.body["profiles"][0];
    assert!(first.get("updated_at").is_none(), "{first}");
    assert!(
        newest.contains(first["id"].as_str().unwrap()),
        "still sorted"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn throttles_get_profiles_with_406_until_the_window_passes() {
    let config = NamelySimConfig {
        profiles_get_per_minute: 5,
        ..NamelySimConfig::default()
    };
    let sim = sim_with(config, 3).await;
    for _ in 0..5 {
        assert_eq!(get(&sim, "/profiles").await.status, StatusCode::OK);
    }
    let c = get(&sim, "/profiles?page=2").await;
    assert_eq!(c.status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(c.body, assumptions::throttled_body());
    // only the list is throttled
    assert_eq!(
        get(&sim, &format!("/profiles/{OLIVIA_OWNER_ID}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(get(&sim, "/profiles/me").await.status, StatusCode::OK);
    sim.advance_clock(Duration::from_secs(59));
    assert_eq!(
        get(&sim, "/profiles").await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    sim.advance_clock(Duration::from_secs(2));
    assert_eq!(get(&sim, "/profiles").await.status, StatusCode::OK);

    // a tiny real window works too
    sim.set_throttle_limit(1);
    sim.set_throttle_window(Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(get(&sim, "/profiles").await.status, StatusCode::OK);
    assert_eq!(
        get(&sim, "/profiles").await.status,
        StatusCode::NOT_ACCEPTABLE
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(get(&sim, "/profiles").await.status, StatusCode::OK);
    assert_eq!(sim.calls_to("GET", "/profiles"), 11);
    sim.shutdown().await;
}

#[tokio::test]
async fn post_422_lists_every_missing_field() {
    let sim = sim(0).await;
    let c = post(&sim, json!({ "user_status": "active", "first_name": "" })).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(c.body["message"], "error creating profile");
    assert_eq!(
        errors(&c),
        [
            "first_name is a required field",
            "last_name is a required field",
            "email is a required field",
            "start_date is a required field",
        ]
    );
    // absent user_status counts as active
    let c = post(
        &sim,
        json!({ "first_name": "A", "last_name": "B", "email": "a@example.com" }),
    )
    .await;
    assert_eq!(errors(&c), ["start_date is a required field"]);
    // pending needs personal_email
    let c = post(
        &sim,
        json!({ "first_name": "A", "last_name": "B", "user_status": "pending", "start_date": "2025-01-01" }),
    )
    .await;
    assert_eq!(errors(&c), ["personal_email is a required field"]);
    let c = post(&sim, json!({ "first_name": "A", "last_name": "B", "email": "a@example.com", "start_date": "2025-01-01", "user_status": "hired" })).await;
    assert_eq!(errors(&c), ["user_status 'hired' is not valid"]);
    assert!(sim.created_profiles().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_address_date_gender_and_job_title_are_422() {
    let sim = sim(0).await;
    let mut p = hire("1", "jane@example.com");
    p["home"]["state_id"] = json!("XX");
    let c = post(&sim, p).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&c), ["home state_id 'XX' is not valid"]);

    let mut p = hire("1", "jane@example.com");
    p["home"]["country_id"] = json!("Narnia");
    assert_eq!(
        errors(&post(&sim, p).await),
        ["home country_id 'Narnia' is not valid"]
    );

    let mut p = hire("1", "jane@example.com");
    p["start_date"] = json!("2025-13-01");
    p["gender"] = json!("M");
    p["job_title"] = json!({ "title": "software engineer" });
    let mut errs = errors(&post(&sim, p).await);
    errs.sort();
    assert_eq!(
        errs,
        [
            "gender 'M' is not valid",
            "job_title 'software engineer' is not a valid job title",
            "start_date '2025-13-01' is not a valid date",
        ]
    );

    // other accepted date spellings are stored as YYYY-MM-DD
    let mut p = hire("1", "jane@example.com");
    p["start_date"] = json!("2025/2/3");
    let c = post(&sim, p).await;
    assert_eq!(c.status, StatusCode::CREATED);
    assert_eq!(c.body["profiles"][0]["start_date"], "2025-02-03");
    assert_eq!(
        c.body["profiles"][0]["job_title"]["title"],
        "Software Engineer"
    );
    assert_eq!(c.body["profiles"][0]["home"]["state_id"], "NY");
    sim.shutdown().await;
}

#[tokio::test]
async fn duplicate_company_email_is_422() {
    let sim = sim(3).await;
    let c = post(&sim, hire("42", "Person1@Example.com")).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&c), [assumptions::DUPLICATE_EMAIL]);
    assert!(sim.created_profiles().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn post_stores_icims_id_only_when_the_field_exists() {
    let sim = sim(2).await;
    let c = post(&sim, hire("12345", "jane.hire@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let created = &c.body["profiles"][0];
    assert_eq!(created["icims_id"], "12345");
    assert_eq!(created["user_status"], "active");
    assert_eq!(created["full_name"], "Jane Hire");
    assert_eq!(created["access_role"], assumptions::DEFAULT_ROLE);
    let id = created["id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert_eq!(sim.created_profiles(), vec![created.clone()]);
    assert_eq!(sim.profile_by_icims_id("12345").unwrap()["id"], id);
    assert_eq!(
        get(&sim, &format!("/profiles/{id}.json")).await.body["profiles"][0]["icims_id"],
        "12345"
    );
    // a non-admin reader does not see custom fields
    let c = call(
        &sim,
        Method::GET,
        &format!("/profiles/{id}"),
        Some(TOKEN_EMPLOYEE),
        None,
    )
    .await;
    assert!(c.body["profiles"][0].get("icims_id").is_none());

    sim.set_field(IcimsField::Missing);
    let c = post(&sim, hire("777", "john.hire@example.com")).await;
    assert_eq!(c.status, StatusCode::CREATED);
    assert!(c.body["profiles"][0].get("icims_id").is_none());
    assert!(sim.profile_by_icims_id("777").is_none());
    sim.set_field(IcimsField::Present);
    assert!(
        sim.profile_by_icims_id("777").is_none(),
        "nothing was stored"
    );
    assert_eq!(sim.created_profiles().len(), 2);

    // WrongType number: a numeric string is stored as a number, text is refused
    sim.set_field(IcimsField::WrongType {
        type_name: "number".into(),
    });
    let c = post(&sim, hire("888", "jim.hire@example.com")).await;
    assert_eq!(c.body["profiles"][0]["icims_id"], 888);
    let c = post(&sim, hire("P-9", "jo.hire@example.com")).await;
    assert_eq!(errors(&c), ["icims_id 'P-9' is not a valid number"]);
    sim.shutdown().await;
}

#[tokio::test]
async fn non_admin_cannot_write() {
    let sim = sim(0).await;
    let c = call(
        &sim,
        Method::POST,
        "/profiles",
        Some(TOKEN_EMPLOYEE),
        Some(json!({ "profiles": [hire("1", "a@example.com")] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);
    assert_eq!(c.body, assumptions::forbidden_body());
    assert!(sim.created_profiles().is_empty());
    // an HR Admin may write
    let mut hr = employee(50);
    hr.access_role = "HR Admin".into();
    sim.add_employee(&hr);
    sim.add_token(TokenGrant::new("sandbox-token-hr-admin", hr.id.clone()));
    let c = call(
        &sim,
        Method::POST,
        "/profiles",
        Some("sandbox-token-hr-admin"),
        Some(json!({ "profiles": [hire("1", "a@example.com")] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::CREATED);
    sim.shutdown().await;
}

#[tokio::test]
async fn put_updates_partially_and_404s_unknown_ids() {
    let sim = sim(2).await;
    let id = employee(1).id;
    let c = call(
        &sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{ "icims_id": "555", "job_title": "Recruiter" }] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::OK);
    let p = &c.body["profiles"][0];
    assert_eq!(
        (p["icims_id"].as_str(), p["first_name"].as_str()),
        (Some("555"), Some("First1"))
    );
    assert_eq!(p["job_title"]["title"], "Recruiter");
    assert_eq!(sim.profile_by_icims_id("555").unwrap()["id"], id.as_str());
    assert!(sim.created_profiles().is_empty());

    let c = call(
        &sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{ "email": "person0@example.com" }] })),
    )
    .await;
    assert_eq!(c.body["message"], "error updating profile");
    assert_eq!(errors(&c), [assumptions::DUPLICATE_EMAIL]);
    let c = call(
        &sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{ "last_name": "" }] })),
    )
    .await;
    assert_eq!(errors(&c), ["last_name is a required field"]);

    let c = call(
        &sim,
        Method::PUT,
        "/profiles/nope",
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{}] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::NOT_FOUND);
    let c = get(&sim, "/profiles/nope").await;
    assert_eq!(c.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.body,
        json!({ "message": "Profile not found", "errors": [] })
    );
    let c = call(
        &sim,
        Method::HEAD,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        None,
    )
    .await;
    assert_eq!(c.status, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn after_commit_failures_still_create_the_profile() {
    let sim = sim(0).await;
    sim.fail_next_post_after_commit(1, AfterCommit::Status(500));
    let c = post(&sim, hire("9001", "late.hire@example.com")).await;
    assert_eq!(c.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sim.created_profiles().len(), 1);
    let found = get(&sim, "/profiles?filter[email]=late.hire@example.com").await;
    assert_eq!(found.body["profiles"][0]["icims_id"], "9001");
    // a retry without re-querying makes... a 422 here, because the email is taken
    assert_eq!(
        errors(&post(&sim, hire("9001", "late.hire@example.com")).await),
        [assumptions::DUPLICATE_EMAIL]
    );

    sim.fail_next_post_after_commit(1, AfterCommit::Delay(Duration::from_secs(2)));
    let err = Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .post(format!("{}/profiles", sim.url()))
        .bearer_auth(TOKEN_OLIVIA_OWNER)
        .json(&json!({ "profiles": [hire("9002", "slow.hire@example.com")] }))
        .send()
        .await
        .expect_err("client times out");
    assert!(err.is_timeout());
    assert!(sim.profile_by_icims_id("9002").is_some());
    assert_eq!(sim.created_profiles().len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_faults_knobs_and_request_log() {
    let sim = sim(1).await;
    sim.fail_next(1, 503);
    let c = get(&sim, "/profiles/me").await;
    assert_eq!(c.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(get(&sim, "/profiles/me").await.status, StatusCode::OK);

    sim.fail_next_on("POST", "/profiles", 2, 504);
    assert_eq!(get(&sim, "/profiles").await.status, StatusCode::OK);
    assert_eq!(
        post(&sim, hire("1", "x@example.com")).await.status,
        StatusCode::GATEWAY_TIMEOUT
    );
    assert_eq!(
        post(&sim, hire("1", "x@example.com")).await.status,
        StatusCode::GATEWAY_TIMEOUT
    );
    assert!(sim.created_profiles().is_empty());

    sim.set_error_rate(1.0);
    let s = get(&sim, "/profiles").await.status.as_u16();
    assert!(s == 500 || s == 503, "{s}");
    sim.set_error_rate(0.0);

    sim.set_latency(Duration::from_millis(150));
    let t = std::time::Instant::now();
    assert_eq!(get(&sim, "/job_titles").await.status, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(150));
    sim.set_latency(Duration::ZERO);

    let log = sim.request_log();
    assert_eq!(sim.calls(), log.len());
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/api/v1/profiles/me");
    assert_eq!(log[0].status, 503);
    let posted = log.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(
        posted.body.as_ref().unwrap()["profiles"][0]["icims_id"],
        "1"
    );
    assert_eq!(sim.calls_to("POST", "/profiles"), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn job_titles_countries_and_unknown_routes() {
    let sim = sim(0).await;
    let c = get(&sim, "/job_titles").await;
    let titles = c.body["job_titles"].as_array().unwrap();
    assert!(titles.iter().any(|t| t["title"] == "Unknown Job Title"));
    let tier = titles[0]["links"]["job_tier"].as_str().unwrap();
    assert!(
        c.body["linked"]["job_tiers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == tier)
    );
    let id = titles[1]["id"].as_str().unwrap();
    assert_eq!(
        get(&sim, &format!("/job_titles/{id}")).await.body["job_titles"][0]["id"],
        id
    );

    let us = get(&sim, "/countries/US").await.body;
    assert!(
        us["countries"][0]["links"]["subdivisions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "NY")
    );
    assert_eq!(
        get(&sim, "/countries/XX").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&sim, "/nothing").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(
            &sim,
            Method::DELETE,
            "/profiles/x",
            Some(TOKEN_OLIVIA_OWNER),
            None
        )
        .await
        .status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let c = call(
        &sim,
        Method::POST,
        "/profiles",
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profile": {} })),
    )
    .await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    sim.shutdown().await;
}

#[tokio::test]
async fn serves_a_generated_world() {
    let world = crate::seed::World::generate(&crate::seed::SeedConfig::default());
    let sim = start(NamelySimConfig::default(), &world.employees)
        .await
        .unwrap();
    let olivia = world
        .employees
        .iter()
        .find(|e| e.email == "olivia.owner@example.com")
        .unwrap();
    let me = get(&sim, "/profiles/me").await.body["profiles"][0].clone();
    assert_eq!(me["id"], olivia.id.as_str());
    assert_eq!(
        sim.profiles().len(),
        world.employees.len() + 2,
        "Olivia is not added twice"
    );
    for e in world.employees.iter().filter(|e| e.icims_id.is_some()) {
        let found = sim
            .profile_by_icims_id(e.icims_id.as_deref().unwrap())
            .unwrap();
        assert_eq!(found["id"], e.id.as_str());
    }
    let c = get(&sim, "/profiles?per_page=50").await;
    assert_eq!(c.body["meta"]["total_count"], world.employees.len() + 2);
    sim.shutdown().await;
}
