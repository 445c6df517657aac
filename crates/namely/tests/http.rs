//! The client against a local wiremock server on 127.0.0.1.

use std::time::Duration;

use namely::{
    Client, Config, ConfigError, Endpoint, Error, NewProfile, ProfileFilter, ProfileId,
    ProfileUpdate, ThrottlePolicy,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use time::macros::date;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pat-SECRET-0123456789";

fn config(server: &MockServer) -> Config {
    Config::new(
        Endpoint::base_url(&server.uri()).expect("loopback base"),
        SecretString::from(TOKEN),
    )
    .expect("config")
    .with_throttle(ThrottlePolicy {
        wait: Duration::from_millis(5),
        max_retries: 3,
    })
}

fn client(server: &MockServer) -> Client {
    Client::new(config(server)).expect("client")
}

fn profile_json(i: usize) -> Value {
    json!({
        "id": format!("id-{i}"),
        "email": format!("p{i}@acme.com"),
        "first_name": "P",
        "last_name": format!("{i}"),
        "user_status": "active",
        "icims_id": if i.is_multiple_of(2) { json!(format!("{}", 1000 + i)) } else { Value::Null },
    })
}

fn page_body(range: std::ops::Range<usize>, total: usize) -> Value {
    let profiles: Vec<Value> = range.clone().map(profile_json).collect();
    json!({"profiles": profiles, "meta": {"count": range.len(), "total_count": total, "status": 200}})
}

async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test]
async fn sends_bearer_and_accept_headers_and_reads_me() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/me"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"profiles": [{
                "id": "me-1", "email": "admin@acme.com", "first_name": "Ada",
                "last_name": "Admin", "user_status": "active", "links": {}
            }]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let me = client(&server).me().await.expect("me");
    assert_eq!(me.id, ProfileId::new("me-1"));
    assert_eq!(me.email.as_deref(), Some("admin@acme.com"));
    // Absent in the 2014 recording of /profiles/me (`docs/namely-api.md` §8).
    assert_eq!(me.access_role, None);
    let requests = server.received_requests().await.expect("recorded");
    assert!(
        requests[0].headers.get("content-type").is_none(),
        "GET has no body type"
    );
    server.verify().await;
}

#[tokio::test]
async fn paging_stops_at_first_empty_page() {
    let server = MockServer::start().await;
    let pages = [(1, 0..50), (2, 50..100), (3, 100..120), (4, 120..120)];
    for (page, range) in pages {
        Mock::given(method("GET"))
            .and(path("/api/v1/profiles"))
            .and(query_param("page", page.to_string().as_str()))
            .and(query_param("per_page", "50"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page_body(range, 120)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let mut seen = Vec::new();
    let all = client(&server)
        .all_profiles(50, |p| seen.push((p.page, p.fetched, p.total_count)))
        .await
        .expect("all profiles");
    assert_eq!(all.len(), 120);
    assert_eq!(all[119].id.as_str(), "id-119");
    assert_eq!(all[2].custom_text("icims_id"), Some("1002"));
    assert_eq!(all[3].custom_text("icims_id"), None);
    assert_eq!(
        seen,
        vec![(1, 50, Some(120)), (2, 100, Some(120)), (3, 120, Some(120))]
    );
    assert_eq!(request_count(&server).await, 4);
    server.verify().await;
}

#[tokio::test]
async fn paging_stops_if_server_ignores_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(0..2, 2)))
        .mount(&server)
        .await;
    let err = client(&server)
        .all_profiles(50, |_| {})
        .await
        .expect_err("endless");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn per_page_is_clamped_to_50() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "50"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(0..3, 3)))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let page = client
        .profiles_page(1, 500, &ProfileFilter::default())
        .await
        .expect("page");
    assert_eq!(page.profiles.len(), 3);
    assert_eq!(page.meta.total_count, Some(3));
    // Page 0 is read as page 1.
    client
        .profiles_page(0, 51, &ProfileFilter::default())
        .await
        .expect("page");
    server.verify().await;
}

#[tokio::test]
async fn filter_email_is_encoded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .and(query_param("filter[email]", "ann.lee+new@acme.com"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(0..1, 1)))
        .expect(1)
        .mount(&server)
        .await;
    let found = client(&server)
        .find_by_email(" ann.lee+new@acme.com ")
        .await
        .expect("found");
    assert_eq!(found.len(), 1);
    let requests = server.received_requests().await.expect("recorded");
    let query = requests[0].url.query().unwrap_or_default().to_owned();
    assert!(
        query.contains("filter%5Bemail%5D=ann.lee%2Bnew%40acme.com"),
        "{query}"
    );
    server.verify().await;
}

#[tokio::test]
async fn sort_is_sent_and_updated_at_is_read() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "50"))
        .and(query_param("sort", "-updated_at"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "profiles": [
                {"id": "a", "updated_at": 1_700_000_300},
                {"id": "b", "updated_at": "1700000200"},
                {"id": "c"}
            ],
            "meta": {"count": 3, "total_count": 53}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .profiles_page(2, 50, &ProfileFilter::recently_updated_first())
        .await
        .expect("page");
    let stamps: Vec<Option<i64>> = page.profiles.iter().map(|p| p.updated_at).collect();
    assert_eq!(stamps, [Some(1_700_000_300), Some(1_700_000_200), None]);
    let requests = server.received_requests().await.expect("recorded");
    let query = requests[0].url.query().unwrap_or_default().to_owned();
    assert!(query.ends_with("&sort=-updated_at"), "{query}");
    server.verify().await;
}

#[tokio::test]
async fn throttled_twice_then_succeeds_after_three_calls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(406))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_body(0..5, 5)))
        .with_priority(2)
        .mount(&server)
        .await;
    let page = client(&server)
        .profiles_page(1, 50, &ProfileFilter::default())
        .await
        .expect("after waiting");
    assert_eq!(page.profiles.len(), 5);
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn throttled_forever_gives_up_after_the_bound() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(406).set_body_string("Not Acceptable"))
        .mount(&server)
        .await;
    let err = client(&server)
        .profiles_page(1, 50, &ProfileFilter::default())
        .await
        .expect_err("throttled");
    assert!(matches!(err, Error::Throttled), "{err:?}");
    assert!(!err.may_have_been_applied());
    assert!(err.to_string().contains("Wait a minute"), "{err}");
    // One attempt plus three retries.
    assert_eq!(request_count(&server).await, 4);
}

#[tokio::test]
async fn throttle_wait_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(406))
        .mount(&server)
        .await;
    let client = Client::new(config(&server).with_throttle(ThrottlePolicy {
        wait: Duration::from_millis(60),
        max_retries: 2,
    }))
    .expect("client");
    let started = std::time::Instant::now();
    let err = client.fields().await.expect_err("throttled");
    assert!(matches!(err, Error::Throttled));
    assert!(started.elapsed() >= Duration::from_millis(120));
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn post_429_is_retried_but_post_406_is_not() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"profiles": [{"id": "new-1"}]})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let created = client.create_profile(&hire()).await.expect("created");
    assert_eq!(created.id.as_str(), "new-1");
    assert_eq!(request_count(&server).await, 2);

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(406))
        .mount(&server)
        .await;
    let err = client.create_profile(&hire()).await.expect_err("406");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(406));
    assert!(!err.may_have_been_applied());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn validation_error_surfaces_message_and_errors() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/profiles"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "message": "error creating profile",
            "errors": ["first_name is a required field", "home is invalid"]
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_profile(&hire())
        .await
        .expect_err("422");
    match &err {
        Error::Validation { message, errors } => {
            assert_eq!(message, "error creating profile");
            assert_eq!(
                errors,
                &vec![
                    "first_name is a required field".to_owned(),
                    "home is invalid".to_owned()
                ]
            );
        }
        other => panic!("expected Validation, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("error creating profile") && text.contains("first_name is a required field"),
        "{text}"
    );
    assert!(!err.may_have_been_applied());
}

#[tokio::test]
async fn unauthorized_and_forbidden_are_distinct_and_secret_free() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/me"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": ""})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/fields"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let client = client(&server);
    let e401 = client.me().await.expect_err("401");
    let e403 = client.fields().await.expect_err("403");
    assert!(matches!(e401, Error::Unauthorized), "{e401:?}");
    assert!(matches!(e403, Error::Forbidden), "{e403:?}");
    assert!(
        e401.to_string()
            .contains("paste a new personal access token")
    );
    assert!(e403.to_string().contains("inactive"));
    assert_ne!(e401.to_string(), e403.to_string());
    for e in [&e401, &e403] {
        assert!(e.is_auth());
        assert!(!e.to_string().contains(TOKEN) && !format!("{e:?}").contains(TOKEN));
    }
}

#[tokio::test]
async fn not_found_keeps_namelys_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/nope%2F..%2Fx"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message": "Profile not found", "errors": []})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .profile(&ProfileId::new("nope/../x"))
        .await
        .expect_err("404");
    assert!(
        matches!(&err, Error::NotFound { message } if message == "Profile not found"),
        "{err:?}"
    );
    server.verify().await;
}

fn hire() -> NewProfile {
    let mut p = NewProfile::active("Ann", "Lee", "ann.lee@acme.com", date!(2024 - 03 - 04))
        .with_custom_text("icims_id", "12345");
    p.personal_email = Some("ann@example.org".to_owned());
    p
}

#[tokio::test]
async fn create_accepts_200_and_201_and_sends_the_envelope() {
    let expected = json!({"profiles": [{
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann.lee@acme.com",
        "user_status": "active",
        "start_date": "2024-03-04",
        "personal_email": "ann@example.org",
        "icims_id": "12345"
    }]});
    for status in [201u16, 200] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/profiles"))
            .and(header("content-type", "application/json"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .and(body_json(&expected))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(json!({"profiles": [{
                "id": format!("created-{status}"), "first_name": "Ann", "last_name": "Lee",
                "email": "ann.lee@acme.com", "user_status": "active",
                "start_date": "2024-03-04", "icims_id": "12345"
            }], "meta": {"count": 1, "status": status}})),
            )
            .expect(1)
            .mount(&server)
            .await;
        let created = client(&server)
            .create_profile(&hire())
            .await
            .expect("created");
        assert_eq!(created.id.as_str(), format!("created-{status}"));
        assert_eq!(created.custom_text("icims_id"), Some("12345"));
        // Also check the raw body: icims_id is a top-level key of profiles[0].
        let requests = server.received_requests().await.expect("recorded");
        let sent: Value = serde_json::from_slice(&requests[0].body).expect("json body");
        assert_eq!(sent["profiles"].as_array().map(Vec::len), Some(1));
        assert_eq!(sent["profiles"][0]["icims_id"], "12345");
        assert!(
            sent["profiles"][0].get("home").is_none(),
            "None fields are omitted"
        );
        server.verify().await;
    }
}

#[tokio::test]
async fn create_refuses_custom_key_that_shadows_a_standard_field() {
    let server = MockServer::start().await;
    let bad = hire().with_custom_text("email", "x@evil.com");
    let err = client(&server)
        .create_profile(&bad)
        .await
        .expect_err("refused");
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn create_answer_without_profile_may_have_been_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string("<html>ok</html>"))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_profile(&hire())
        .await
        .expect_err("a web page");
    assert!(matches!(err, Error::WebPage { write: true, .. }), "{err:?}");
    assert!(err.may_have_been_applied());

    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"profiles": []})))
        .mount(&server)
        .await;
    let err = client(&server)
        .create_profile(&hire())
        .await
        .expect_err("decode");
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.may_have_been_applied());
}

#[tokio::test]
async fn update_puts_only_changed_fields() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v1/profiles/p-42"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"profiles": [{"icims_id": "777"}]})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"profiles": [{
                "id": "p-42", "icims_id": "777"
            }]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let updated = client
        .update_profile(
            &ProfileId::new("p-42"),
            &ProfileUpdate::custom_text("icims_id", "777"),
        )
        .await
        .expect("updated");
    assert_eq!(updated.custom_text("icims_id"), Some("777"));
    let err = client
        .update_profile(&ProfileId::new("p-42"), &ProfileUpdate::default())
        .await
        .expect_err("empty update");
    assert!(matches!(err, Error::InvalidInput { .. }));
    server.verify().await;
}

#[tokio::test]
async fn server_error_on_create_may_have_been_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .create_profile(&hire())
        .await
        .expect_err("502");
    assert!(
        matches!(&err, Error::Server { status, .. } if status.as_u16() == 502),
        "{err:?}"
    );
    assert!(err.may_have_been_applied());
    assert!(err.to_string().contains("look them up"), "{err}");
    assert!(!err.to_string().contains("<html>"));
    server.verify().await;
}

#[tokio::test]
async fn timeout_is_transport_and_may_have_been_applied() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"profiles": [{"id": "late"}]}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client =
        Client::new(config(&server).with_timeout(Duration::from_millis(300))).expect("client");
    let err = client.create_profile(&hire()).await.expect_err("timeout");
    assert!(
        matches!(
            err,
            Error::Transport {
                timed_out: true,
                may_have_reached_server: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.may_have_been_applied());
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(
        !err.to_string().contains("127.0.0.1"),
        "no URL in the message: {err}"
    );
}

#[tokio::test]
async fn refused_connection_was_not_applied() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let config = Config::new(
        Endpoint::base_url(&format!("http://127.0.0.1:{port}")).expect("base"),
        SecretString::from(TOKEN),
    )
    .expect("config");
    let err = Client::new(config)
        .expect("client")
        .create_profile(&hire())
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            Error::Transport {
                timed_out: false,
                may_have_reached_server: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.may_have_been_applied());
}

#[tokio::test]
async fn company_info_plain_or_enveloped_and_unknown_company() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/companies/info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "Acme", "permalink": "acme", "logo_url": null, "authentications": []
        })))
        .mount(&server)
        .await;
    let info = client(&server).company_info().await.expect("info");
    assert_eq!(info.name.as_deref(), Some("Acme"));
    assert_eq!(info.permalink.as_deref(), Some("acme"));

    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/companies/info"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"companies": [{"name": "Acme", "permalink": "acme"}]})),
        )
        .mount(&server)
        .await;
    let info = client(&server).company_info().await.expect("info");
    assert_eq!(info.permalink.as_deref(), Some("acme"));

    for response in [
        ResponseTemplate::new(404),
        ResponseTemplate::new(302).insert_header("location", "https://www.namely.com/"),
        ResponseTemplate::new(200).set_body_raw("<html>login</html>", "text/html"),
    ] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(response)
            .mount(&server)
            .await;
        let err = client(&server).company_info().await.expect_err("unknown");
        assert!(
            matches!(&err, Error::NotFound { message } if message.contains("Check the company name")),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn fields_and_job_titles() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/profiles/fields"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fields": [
            {"id": "f1", "name": "first_name", "label": "First name", "type": "text", "default": true,
             "valid_format_info": "generic text", "links": {"section": "s1"}},
            {"id": "f2", "name": "icims_id", "label": "icims_id", "type": "text", "default": false}
        ], "meta": {"count": 2, "status": 200}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/job_titles"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"job_titles": [
                {"id": "j1", "title": "Engineer", "parent_id": null, "links": {"job_tier": "t1"}}
            ]})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let fields = client.fields().await.expect("fields");
    let icims = namely::find_field(&fields, "icims_id").expect("icims field");
    assert_eq!(
        (icims.id.as_str(), icims.field_type.as_str()),
        ("f2", "text")
    );
    let titles = client.job_titles().await.expect("titles");
    assert_eq!(titles[0].title, "Engineer");
}

#[test]
fn plain_http_to_a_remote_host_is_rejected() {
    for base in ["http://acme.namely.com/api/v1", "http://192.168.1.10:8080"] {
        assert!(
            matches!(
                Endpoint::base_url(base),
                Err(ConfigError::InsecureHttp { .. })
            ),
            "{base}"
        );
    }
    assert!(Endpoint::base_url("https://acme.namely.com/api/v1").is_ok());
    assert!(Endpoint::base_url("http://localhost:4010").is_ok());
}

#[test]
fn debug_never_shows_the_token() {
    let config = Config::new(
        Endpoint::permalink("acme").expect("permalink"),
        SecretString::from(TOKEN),
    )
    .expect("config");
    let client = Client::new(config.clone()).expect("client");
    for text in [format!("{config:?}"), format!("{client:?}")] {
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }
    assert!(format!("{config:?}").contains("https://acme.namely.com/api/v1/"));
}
