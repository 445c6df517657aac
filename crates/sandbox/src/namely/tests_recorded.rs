//! The recorded-traffic knobs, the employee token's view, and the 422 bodies a client uses to
//! tell "only an optional part was refused". Real HTTP with reqwest, helpers of `tests.rs`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::tests::{
    call, employee, employees, errors, field_named, get, hire, post, sim, sim_with,
};
use super::*;

fn not_found() -> Value {
    json!({ "message": "Not found", "errors": [] })
}

/// Every key `access_role` in `v`, at any depth.
fn has_access_role(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("access_role") || m.values().any(has_access_role),
        Value::Array(a) => a.iter().any(has_access_role),
        _ => false,
    }
}

#[tokio::test]
async fn recorded_mode_has_no_access_role_and_no_companies_info() {
    let config = NamelySimConfig::recorded();
    assert!(!config.include_access_role && !config.include_access_role_on_me);
    assert!(!config.companies_info);
    assert_eq!(config.permalink, NamelySimConfig::default().permalink);
    let sim = sim_with(config, 3).await;

    // /companies/info answers exactly like an unknown route, whatever the method or token.
    let unknown = call(&sim, Method::GET, "/no/such/route", None, None).await;
    assert_eq!(
        (unknown.status, &unknown.body),
        (StatusCode::NOT_FOUND, &not_found())
    );
    for path in ["/companies/info", "/companies/info.json"] {
        for token in [None, Some(TOKEN_OLIVIA_OWNER)] {
            let c = call(&sim, Method::GET, path, token, None).await;
            assert_eq!(c.status, StatusCode::NOT_FOUND, "{path} {token:?}");
            assert_eq!(c.body, not_found());
        }
    }
    let c = call(&sim, Method::POST, "/companies/info", None, Some(json!({}))).await;
    assert_eq!((c.status, c.body), (StatusCode::NOT_FOUND, not_found()));

    // No profile anywhere carries access_role.
    let list = get(&sim, "/profiles?per_page=50").await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["profiles"].as_array().unwrap().len(), 6);
    assert!(!has_access_role(&list.body), "{}", list.body);
    let one = get(&sim, &format!("/profiles/{}", employee(1).id)).await;
    assert_eq!(one.body["profiles"][0]["id"], employee(1).id.as_str());
    assert!(!has_access_role(&one.body), "{}", one.body);
    for token in [TOKEN_OLIVIA_OWNER, TOKEN_EMPLOYEE] {
        let me = call(&sim, Method::GET, "/profiles/me.json", Some(token), None).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["profiles"][0]["user_status"], "active");
        assert!(!has_access_role(&me.body), "{}", me.body);
    }
    let created = post(&sim, hire("31", "rec.hire@example.com")).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert!(!has_access_role(&created.body), "{}", created.body);
    let id = created.body["profiles"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let put = call(
        &sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{ "mobile_phone": "555-0100" }] })),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK);
    assert!(!has_access_role(&put.body), "{}", put.body);
    assert!(sim.profiles().iter().all(|p| !has_access_role(p)));

    // The roles still govern permissions, only the key is gone.
    let c = call(
        &sim,
        Method::POST,
        "/profiles",
        Some(TOKEN_EMPLOYEE),
        Some(json!({ "profiles": [hire("32", "no.write@example.com")] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::FORBIDDEN);

    // Both knobs can be turned back on at run time.
    sim.set_companies_info(true);
    sim.set_include_access_role(true);
    let info = call(&sim, Method::GET, "/companies/info", None, None).await;
    assert_eq!(info.status, StatusCode::OK);
    assert_eq!(info.body["permalink"], "sandbox");
    let one = get(&sim, &format!("/profiles/{}", employee(1).id)).await;
    assert_eq!(one.body["profiles"][0]["access_role"], "Employee");
    // …but /me still follows include_access_role_on_me (off in recorded()).
    let me = get(&sim, "/profiles/me").await;
    assert!(!has_access_role(&me.body), "{}", me.body);
    sim.shutdown().await;
}

#[tokio::test]
async fn include_access_role_off_wins_over_include_access_role_on_me() {
    let config = NamelySimConfig {
        include_access_role: false,
        ..NamelySimConfig::default()
    };
    assert!(config.include_access_role_on_me && config.companies_info);
    let sim = sim_with(config, 1).await;
    let me = get(&sim, "/profiles/me").await;
    assert_eq!(me.body["profiles"][0]["id"], OLIVIA_OWNER_ID);
    assert!(!has_access_role(&me.body), "{}", me.body);
    assert!(!has_access_role(&get(&sim, "/profiles").await.body));
    // companies/info is independent of it
    let info = call(&sim, Method::GET, "/companies/info.json", None, None).await;
    assert_eq!(info.status, StatusCode::OK);

    // and the default still has both
    let default = sim_with(NamelySimConfig::default(), 1).await;
    let me = get(&default, "/profiles/me").await;
    assert_eq!(me.body["profiles"][0]["access_role"], "Administrator");
    let list = get(&default, "/profiles").await;
    assert!(
        list.body["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["access_role"].is_string())
    );
    sim.shutdown().await;
    default.shutdown().await;
}

#[tokio::test]
async fn employee_token_cannot_see_icims_id_or_create() {
    let mut seeded = employees(3);
    seeded[1].icims_id = Some("4242".into());
    let sim = start(NamelySimConfig::default(), &seeded).await.unwrap();
    let as_employee = |method: Method, path: String, body: Option<Value>| {
        let sim = &sim;
        async move { call(sim, method, &path, Some(TOKEN_EMPLOYEE), body).await }
    };

    // The administrator sees the field and the value (so the checks below can fail).
    let admin_fields = get(&sim, "/profiles/fields").await.body;
    assert!(field_named(&admin_fields, "icims_id").is_some());
    let admin_one = get(&sim, &format!("/profiles/{}", seeded[1].id)).await.body;
    assert_eq!(admin_one["profiles"][0]["icims_id"], "4242");
    assert!(
        get(&sim, "/profiles?per_page=50").await.body["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p.get("icims_id").is_some())
    );

    let fields = as_employee(Method::GET, "/profiles/fields".into(), None).await;
    assert_eq!(fields.status, StatusCode::OK);
    let any_icims = fields.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "icims_id" || f["label"] == "icims_id");
    assert!(!any_icims, "{}", fields.body);
    assert!(field_named(&fields.body, "first_name").is_some());

    let list = as_employee(Method::GET, "/profiles?per_page=50".into(), None).await;
    assert_eq!(list.status, StatusCode::OK);
    let profiles = list.body["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 6);
    assert!(profiles.iter().all(|p| p.get("icims_id").is_none()));
    let one = as_employee(Method::GET, format!("/profiles/{}", seeded[1].id), None).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body["profiles"][0].get("icims_id").is_none());
    assert!(!one.body.to_string().contains("4242"));
    let me = as_employee(Method::GET, "/profiles/me".into(), None).await;
    assert_eq!(me.body["profiles"][0]["id"], EMPLOYEE_ID);
    assert!(me.body["profiles"][0].get("icims_id").is_none());

    let create = as_employee(
        Method::POST,
        "/profiles".into(),
        Some(json!({ "profiles": [hire("77", "new.hire@example.com")] })),
    )
    .await;
    assert_eq!(create.status, StatusCode::FORBIDDEN);
    assert_eq!(create.body, assumptions::forbidden_body());
    let update = as_employee(
        Method::PUT,
        format!("/profiles/{}", seeded[0].id),
        Some(json!({ "profiles": [{ "icims_id": "77" }] })),
    )
    .await;
    assert_eq!(update.status, StatusCode::FORBIDDEN);
    assert!(sim.created_profiles().is_empty());
    assert!(sim.profile_by_icims_id("77").is_none());
    assert_eq!(sim.profiles().len(), 6);
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_home_state_is_422_naming_the_field_and_the_body_without_home_is_created() {
    let sim = sim(0).await;
    let mut p = hire("51", "jane.state@example.com");
    p["home"]["state_id"] = json!("XX");
    let c = post(&sim, p.clone()).await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        c.body,
        json!({ "message": "error creating profile", "errors": ["home state_id 'XX' is not valid"] })
    );
    assert!(sim.created_profiles().is_empty());
    assert!(sim.profile_by_icims_id("51").is_none());

    // Other refused home parts name `home` first, too.
    for (part, value, error) in [
        (
            "country_id",
            "Narnia",
            "home country_id 'Narnia' is not valid",
        ),
        ("country_id", "", "home country_id is required"),
        ("zip", "ABC", "home zip 'ABC' is not valid"),
    ] {
        let mut q = hire("51", "jane.state@example.com");
        q["home"][part] = json!(value);
        assert_eq!(errors(&post(&sim, q).await), [error], "{part}={value}");
    }

    let mut without = p;
    without.as_object_mut().unwrap().remove("home");
    let c = post(&sim, without).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let created = &c.body["profiles"][0];
    assert_eq!(created["icims_id"], "51");
    assert_eq!(created["home"], Value::Null);
    let id = created["id"].as_str().unwrap().to_string();

    // A PUT of the bad address alone is refused the same way, and changes nothing.
    let c = call(
        &sim,
        Method::PUT,
        &format!("/profiles/{id}"),
        Some(TOKEN_OLIVIA_OWNER),
        Some(json!({ "profiles": [{ "home": {
            "address1": "1 Main St", "city": "Nowhere", "state_id": "XX",
            "country_id": "US", "zip": "10007" } }] })),
    )
    .await;
    assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        c.body,
        json!({ "message": "error updating profile", "errors": ["home state_id 'XX' is not valid"] })
    );
    assert_eq!(sim.profile(&id).unwrap()["home"], Value::Null);
    sim.shutdown().await;
}

#[tokio::test]
async fn unaccepted_gender_is_422_naming_the_field_and_the_body_without_it_is_created() {
    let sim = sim(0).await;
    // "Decline to State" is what the iCIMS simulator serves for some people.
    for (n, gender) in ["Decline to State", "M", "male", "Other"]
        .iter()
        .enumerate()
    {
        let mut p = hire(&format!("6{n}"), &format!("g{n}@example.com"));
        p["gender"] = json!(gender);
        let c = post(&sim, p).await;
        assert_eq!(c.status, StatusCode::UNPROCESSABLE_ENTITY, "{gender}");
        assert_eq!(
            c.body,
            json!({ "message": "error creating profile", "errors": [format!("gender '{gender}' is not valid")] })
        );
    }
    assert!(sim.created_profiles().is_empty());

    // Namely's three values are accepted (docs/namely-api.md §5.1).
    for (n, gender) in ["Male", "Female", "Not specified"].iter().enumerate() {
        let mut p = hire(&format!("7{n}"), &format!("ok{n}@example.com"));
        p["gender"] = json!(gender);
        let c = post(&sim, p).await;
        assert_eq!(c.status, StatusCode::CREATED, "{gender}");
        assert_eq!(c.body["profiles"][0]["gender"], *gender);
    }

    // Bad gender and bad home together: one error each, required-field errors first.
    let mut p = hire("80", "both@example.com");
    p["gender"] = json!("X");
    p["home"]["state_id"] = json!("XX");
    p.as_object_mut().unwrap().remove("start_date");
    let errs = errors(&post(&sim, p.clone()).await);
    assert_eq!(errs[0], "start_date is a required field");
    let mut rest = errs[1..].to_vec();
    rest.sort();
    assert_eq!(
        rest,
        ["gender 'X' is not valid", "home state_id 'XX' is not valid"]
    );

    let mut bad = hire("81", "without.gender@example.com");
    bad["gender"] = json!("Decline to State");
    assert_eq!(
        post(&sim, bad.clone()).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    bad.as_object_mut().unwrap().remove("gender");
    assert_eq!(post(&sim, bad).await.status, StatusCode::CREATED);
    assert_eq!(sim.created_profiles().len(), 4);
    sim.shutdown().await;
}
