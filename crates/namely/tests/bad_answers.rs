//! Answers no real Namely API should give — a web page, a redirect to another host, JSON cut
//! short or of the wrong type, an empty body — served over real HTTP on 127.0.0.1 by the
//! project's Namely simulator ([`sandbox::namely::NamelySim::answer_next_raw`]) or a small
//! wiremock server, and a proxy in the environment. Each must end in an error that says what
//! happened and what to do, quotes at most a short snippet, and never carries the token; a
//! listing with odd but harmless values (numbers, nulls) still reads.

use std::time::Duration;

use namely::{
    Client, Config, Endpoint, Error, MAX_SNIPPET_CHARS, NewProfile, PER_PAGE_MAX, ProfileFilter,
    ProfileId, ThrottlePolicy,
};
use reqwest::StatusCode;
use sandbox::namely::{self as sim, NamelySim, NamelySimConfig, TOKEN_OLIVIA_OWNER};
use sandbox::raw::RawAnswer;
use secrecy::SecretString;
use time::macros::date;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn simulator() -> NamelySim {
    sim::start(NamelySimConfig::default(), &[])
        .await
        .expect("simulator")
}

fn client_at(base: &str) -> Client {
    let config = Config::new(
        Endpoint::base_url(base).expect("loopback base"),
        SecretString::from(TOKEN_OLIVIA_OWNER),
    )
    .expect("config")
    .with_timeout(Duration::from_secs(10))
    .with_throttle(ThrottlePolicy {
        wait: Duration::from_millis(5),
        max_retries: 1,
    });
    Client::new(config).expect("client")
}

fn client(sim: &NamelySim) -> Client {
    client_at(&sim.url())
}

/// The error's text and debug form hold neither the token nor any of `absent`, and the text
/// is short (no page was copied into it).
fn assert_plain(e: &Error, absent: &[&str]) {
    let text = format!("{e} {e:?}");
    assert!(
        !text.contains(TOKEN_OLIVIA_OWNER),
        "the token leaked: {text}"
    );
    for a in absent {
        assert!(!text.contains(a), "{a:?} was copied into: {text}");
    }
    assert!(e.to_string().chars().count() < 600, "too long: {e}");
}

fn hire() -> NewProfile {
    NewProfile::active("Ann", "Lee", "ann.lee@example.com", date!(2026 - 03 - 02))
}

// ---- web pages ----------------------------------------------------------------------------

/// The company name points at a website: its login page answers `/profiles/me` with 200.
#[tokio::test]
async fn a_200_login_page_for_profiles_me_is_a_web_page_not_the_api() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "GET",
        "/profiles/me",
        1,
        RawAnswer::html(200, "Log in | Acme"),
    );
    let c = client(&sim);
    let e = c.me().await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::WebPage { status: StatusCode::OK, title: Some(t), write: false } if t == "Log in | Acme"
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "The Namely address answered with a web page titled \"Log in | Acme\", not the Namely \
         API (HTTP 200). Check the company name (the part before .namely.com in your Namely web \
         address) or the API address in the connection settings."
    );
    assert!(!e.may_have_been_applied());
    assert_plain(&e, &["<html", "This page is not an API answer"]);
    // Once the address answers as Namely again, so does the client.
    assert!(c.me().await.is_ok());
}

/// A web page answering a create may come from something that passed the create on: look
/// the person up before trying again.
#[tokio::test]
async fn a_web_page_answering_a_create_may_have_been_applied() {
    let sim = simulator().await;
    sim.answer_next_raw("POST", "/profiles", 1, RawAnswer::html(200, "Thanks!"));
    let e = client(&sim).create_profile(&hire()).await.unwrap_err();
    assert!(matches!(e, Error::WebPage { write: true, .. }), "{e:?}");
    assert!(e.may_have_been_applied());
    assert!(
        e.to_string()
            .ends_with("look them up in Namely before trying again."),
        "{e}"
    );
}

/// A gateway's HTML 503 in front of the listing: a server error (retried by the sync like any
/// 5xx) that says it was a web page, with its title only.
#[tokio::test]
async fn a_gateways_503_page_on_the_listing_is_a_server_error_that_says_web_page() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "GET",
        "/profiles",
        1,
        RawAnswer::html(503, "503 Service Temporarily Unavailable"),
    );
    let e = client(&sim)
        .profiles_page(1, PER_PAGE_MAX, &ProfileFilter::default())
        .await
        .unwrap_err();
    match &e {
        Error::Server { status, message } => {
            assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
            assert!(
                message.starts_with(
                    "the address answered with a web page titled \"503 Service Temporarily \
                     Unavailable\", not the Namely API"
                ),
                "{message}"
            );
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    assert_plain(&e, &["<!DOCTYPE", "This page is not an API answer"]);
}

/// A title of 10,000 characters is cut.
#[tokio::test]
async fn a_web_page_with_a_10000_character_title_is_quoted_cut_short() {
    let sim = simulator().await;
    let title = "Welcome ".repeat(1250);
    sim.answer_next_raw("GET", "/profiles/me", 1, RawAnswer::html(200, &title));
    let e = client(&sim).me().await.unwrap_err();
    let Error::WebPage {
        title: Some(kept), ..
    } = &e
    else {
        panic!("expected a web page, got {e:?}");
    };
    assert_eq!(kept.chars().count(), MAX_SNIPPET_CHARS);
    assert_plain(&e, &[&"Welcome ".repeat(20)]);
}

// ---- redirects ----------------------------------------------------------------------------

/// A 302 to another host is not followed: the other host gets nothing (so never the bearer
/// token), and the error says where it pointed and what to check.
#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_and_the_token_never_goes_there() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"profiles":[]}"#))
        .mount(&elsewhere)
        .await;
    let sim = simulator().await;
    let target = format!("{}/api/v1/profiles/me", elsewhere.uri());
    sim.answer_next_raw("GET", "/profiles/me", 1, RawAnswer::redirect(302, &target));
    let e = client(&sim).me().await.unwrap_err();
    match &e {
        Error::UnexpectedStatus { status, message } => {
            assert_eq!(*status, StatusCode::FOUND);
            assert!(
                message.starts_with(&format!(
                    "the address redirected to \"{target}\". The redirect was not followed, so \
                     the access token was not sent there. Check the company name"
                )),
                "{message}"
            );
        }
        other => panic!("expected the redirect, got {other:?}"),
    }
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "the other host got a request"
    );
    assert_eq!(sim.calls(), 1);
    assert_plain(&e, &["Moved to"]);
}

/// `/companies/info` redirected: the company name is wrong, and the error says where it went.
#[tokio::test]
async fn a_redirect_of_companies_info_says_no_company_and_where_it_pointed() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "GET",
        "/companies/info",
        1,
        RawAnswer::redirect(301, "https://www.namely.com/"),
    );
    let e = client(&sim).company_info().await.unwrap_err();
    match &e {
        Error::NotFound { message } => {
            assert_eq!(
                message,
                "no Namely company answers at 127.0.0.1 (the address redirected to \
                 \"https://www.namely.com/\"). Check the company name: it is the part before \
                 .namely.com in your Namely web address."
            );
        }
        other => panic!("expected not found, got {other:?}"),
    }
}

// ---- JSON of the wrong type, cut short, empty ---------------------------------------------

/// A listing page cut off in the middle: an error naming the page and where it ended.
#[tokio::test]
async fn a_listing_page_cut_short_says_which_page_and_where_it_ended() {
    let sim = simulator().await;
    let body = r#"{"profiles":[{"id":"a1","email":"ann@example.com"},{"id":"b2","first_name":"Bo"#;
    sim.answer_next_raw("GET", "/profiles", 1, RawAnswer::json_text(200, body));
    let e = client(&sim)
        .profiles_page(1, PER_PAGE_MAX, &ProfileFilter::default())
        .await
        .unwrap_err();
    match &e {
        Error::Decode { message } => assert_eq!(
            message,
            &format!(
                "page 1 of the profiles at profiles[1].first_name: the answer ended early, \
                 after {} bytes",
                body.len()
            )
        ),
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("Namely's answer was not in the expected format (page 1"),
        "{e}"
    );
    assert_plain(&e, &["ann@example.com"]);
}

/// `/profiles/me` with an id of the wrong type: the field is named.
#[tokio::test]
async fn profiles_me_with_a_field_of_the_wrong_type_names_the_field() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "GET",
        "/profiles/me",
        1,
        RawAnswer::json_text(200, r#"{"profiles":[{"id":null,"first_name":"Olivia"}]}"#),
    );
    sim.answer_next_raw(
        "GET",
        "/profiles/me",
        1,
        RawAnswer::json_text(200, r#"{"profiles":{"id":"x"}}"#),
    );
    let c = client(&sim);
    let e = c.me().await.unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message } if message == "your own profile (/profiles/me) at profiles[0].id: expected a profile id, got nothing (null)"),
        "{e:?}"
    );
    let e = c.me().await.unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message } if message == "your own profile (/profiles/me) at profiles: expected a list, got an object"),
        "{e:?}"
    );
}

/// A profile in the listing without an id cannot be told apart from a hire already in
/// Namely: the page is refused (the sync stops with nothing written), naming the profile.
#[tokio::test]
async fn a_listing_with_a_profile_without_an_id_is_refused_naming_it() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "GET",
        "/profiles",
        1,
        RawAnswer::json_text(
            200,
            r#"{"profiles":[{"id":"a1"},{"email":"bo@example.com"}],"meta":{"count":2}}"#,
        ),
    );
    let e = client(&sim)
        .profiles_page(3, PER_PAGE_MAX, &ProfileFilter::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message } if message == "page 3 of the profiles at profiles[1]: missing field `id`"),
        "{e:?}"
    );
}

/// Odd but harmless values a hand-typed profile may carry — a number for an id or a name,
/// `null` everywhere, an address that is text, an email without `@` — are read, not refused.
#[tokio::test]
async fn a_listing_with_numbers_nulls_and_an_email_without_at_still_reads() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "GET",
        "/profiles",
        1,
        RawAnswer::json_text(
            200,
            r#"{"profiles":[
                {"id":12345,"email":"ann.lee.example.com","first_name":7,"last_name":null,
                 "user_status":null,"start_date":"2024-02-30","home":"somewhere","icims_id":null},
                {"id":"b2","email":null,"personal_email":null,"first_name":null,"updated_at":"soon"}
            ],"meta":{"count":"2","total_count":null}}"#,
        ),
    );
    let page = client(&sim)
        .profiles_page(1, PER_PAGE_MAX, &ProfileFilter::default())
        .await
        .expect("a page with odd values reads");
    assert_eq!(page.profiles.len(), 2);
    let a = &page.profiles[0];
    assert_eq!(a.id, ProfileId::new("12345"));
    assert_eq!(a.email.as_deref(), Some("ann.lee.example.com"));
    assert_eq!(a.first_name.as_deref(), Some("7"));
    assert_eq!(a.last_name, None);
    assert_eq!(a.home, None);
    assert_eq!(a.start_date.as_ref().and_then(|d| d.date()), None);
    assert_eq!(a.custom_text("icims_id"), None);
    assert_eq!(page.profiles[1].updated_at, None);
    assert_eq!(page.meta.count, Some(2));
}

/// An empty 200 where a profile was expected.
#[tokio::test]
async fn an_empty_200_for_profiles_me_says_it_came_back_empty() {
    let sim = simulator().await;
    sim.answer_next_raw("GET", "/profiles/me", 1, RawAnswer::empty(200));
    let e = client(&sim).me().await.unwrap_err();
    assert!(
        matches!(&e, Error::Decode { message } if message == "your own profile (/profiles/me) came back empty (HTTP 200, no body)"),
        "{e:?}"
    );
}

// ---- a proxy in the environment ----------------------------------------------------------

const PROXY_CHILD: &str = "child_reaches_the_simulator_past_a_dead_proxy";

/// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` pointing at a dead port must not stop the client from
/// reaching a simulator on 127.0.0.1 (nor hand the token to a proxy). The environment is the
/// whole process's, so the check runs in a child process of this test binary.
#[test]
fn a_dead_proxy_in_the_environment_is_bypassed_for_loopback() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let mut child = std::process::Command::new(std::env::current_exe().unwrap());
    child.args([PROXY_CHILD, "--exact", "--ignored", "--nocapture"]);
    for var in ["NO_PROXY", "no_proxy"] {
        child.env_remove(var);
    }
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        child.env(var, &dead);
    }
    let out = child.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child ran nothing: {stdout}"
    );
}

#[tokio::test]
#[ignore = "run by a_dead_proxy_in_the_environment_is_bypassed_for_loopback in a child process with a proxy set"]
async fn child_reaches_the_simulator_past_a_dead_proxy() {
    let proxy = std::env::var("HTTP_PROXY").expect("started with HTTP_PROXY set");
    let sim = simulator().await;
    // The environment is in effect: a client that honours it cannot reach the simulator.
    let plain = reqwest::Client::new()
        .get(format!("{}/profiles/me", sim.url()))
        .send()
        .await;
    assert!(
        plain.is_err(),
        "the proxy {proxy} was not used by a plain client"
    );
    assert_eq!(sim.calls(), 0);
    let me = client(&sim).me().await.expect("reached past the proxy");
    assert_eq!(me.id, ProfileId::new(sim::OLIVIA_OWNER_ID));
    assert_eq!(sim.calls(), 1);
}
