//! Answers no real iCIMS API should give — a web page, a redirect to another host, JSON cut
//! short or of the wrong type, an empty body — served over real HTTP on 127.0.0.1 by the
//! project's iCIMS simulator ([`sandbox::icims::IcimsSim::answer_next_raw`]) or by a small
//! wiremock server; and requests that never left this machine. Each must end in an error that
//! says what happened and what to do, quotes at most a short snippet, and never carries the key.

use icims::{
    Client, Config, DEFAULT_PERSON_FIELDS, Endpoint, Error, MAX_SNIPPET_CHARS, PersonId,
    SearchQuery, SecretString, WorkflowId,
};
use sandbox::icims::{self as sim, IcimsSim, IcimsSimConfig};
use sandbox::raw::RawAnswer;
use sandbox::seed::{SeedConfig, World};
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Not the demo key, so a client that fell back to it would be refused.
const KEY: &str = "bad-answers-hmac-key-5d1e";

async fn simulator() -> IcimsSim {
    let config = IcimsSimConfig {
        hmac_key: KEY.to_string(),
        ..IcimsSimConfig::default()
    };
    sim::start(config, &World::generate(&SeedConfig::default()))
        .await
        .expect("simulator")
}

fn client_at(base: &str, timeout: Duration) -> Client {
    let config = Config::new(
        Endpoint::BaseUrl(base.to_string()),
        sim::DEFAULT_CUSTOMER_ID,
        sim::DEFAULT_USERNAME,
        SecretString::from(KEY),
    )
    .expect("valid config")
    .with_timeout(timeout);
    Client::new(config).expect("client")
}

fn client(sim: &IcimsSim) -> Client {
    client_at(&sim.url(), Duration::from_secs(10))
}

/// The error's text and debug form hold neither the key nor any of `absent`, and the text is
/// short (no page was copied into it).
fn assert_plain(e: &Error, absent: &[&str]) {
    let text = format!("{e} {e:?}");
    assert!(!text.contains(KEY), "the key leaked: {text}");
    for a in absent {
        assert!(!text.contains(a), "{a:?} was copied into: {text}");
    }
    assert!(e.to_string().chars().count() < 600, "too long: {e}");
}

// ---- web pages ----------------------------------------------------------------------------

/// The address points at a website: its login page comes back with 200.
#[tokio::test]
async fn a_200_login_page_is_a_web_page_not_the_api_and_only_its_title_is_quoted() {
    let sim = simulator().await;
    let hire = sim.add_hire("Ann", "Lee", Some("ann.lee@example.com"));
    let path = format!("/people/{}", hire.person_id);
    sim.answer_next_raw(&path, 1, RawAnswer::html(200, "Sign in to Acme Careers"));
    let c = client(&sim);
    let e = c
        .person(PersonId(hire.person_id), DEFAULT_PERSON_FIELDS)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        Error::WebPage {
            status: 200,
            title: Some("Sign in to Acme Careers".into())
        }
    );
    assert_eq!(e.code(), "web_page");
    assert!(!e.is_transient());
    let text = e.to_string();
    assert!(
        text.starts_with(
            "The iCIMS address answered with a web page titled \"Sign in to Acme Careers\", not \
             the iCIMS API (HTTP 200). Check the iCIMS region and address"
        ),
        "{text}"
    );
    assert_plain(&e, &["<html", "This page is not an API answer"]);
    // The same person reads once the address answers as iCIMS again.
    assert!(
        c.person(PersonId(hire.person_id), DEFAULT_PERSON_FIELDS)
            .await
            .is_ok()
    );
}

/// A gateway in front of iCIMS answers its own HTML 502: still a server error (retried as
/// every 5xx), saying it was a web page, with the title only.
#[tokio::test]
async fn a_gateways_502_page_is_a_transient_server_error_that_says_web_page() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "/search/applicantworkflows",
        1,
        RawAnswer::html(502, "502 Bad Gateway"),
    );
    let e = client(&sim)
        .search_workflows(&SearchQuery::statuses(["Hired"]))
        .await
        .unwrap_err();
    match &e {
        Error::Server { status, message } => {
            assert_eq!(*status, 502);
            assert!(
                message.starts_with(
                    "the address answered with a web page titled \"502 Bad Gateway\", not the \
                     iCIMS API"
                ),
                "{message}"
            );
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    assert!(e.is_transient(), "a 5xx is retried as before");
    assert!(e.to_string().contains("(HTTP 502:"), "{e}");
    assert_plain(&e, &["<!DOCTYPE", "This page is not an API answer"]);
}

/// A page title longer than a sentence is cut.
#[tokio::test]
async fn a_web_page_with_a_10000_character_title_is_quoted_cut_short() {
    let sim = simulator().await;
    let title = "Welcome ".repeat(1250);
    sim.answer_next_raw(
        "/search/applicantworkflows",
        1,
        RawAnswer::html(200, &title),
    );
    let e = client(&sim).ping().await.unwrap_err();
    let Error::WebPage {
        title: Some(kept), ..
    } = &e
    else {
        panic!("expected a web page, got {e:?}");
    };
    assert_eq!(kept.chars().count(), MAX_SNIPPET_CHARS);
    assert!(kept.ends_with('…'), "{kept}");
    assert_plain(&e, &[&"Welcome ".repeat(20)]);
}

// ---- redirects ----------------------------------------------------------------------------

/// A 302 to another host is not followed: the other host never gets a request (so never the
/// signed Authorization header), and the error says where it pointed.
#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_and_the_error_says_where() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&elsewhere)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&elsewhere)
        .await;
    let sim = simulator().await;
    let target = format!(
        "{}/customers/1234/search/applicantworkflows",
        elsewhere.uri()
    );
    sim.answer_next_raw(
        "/search/applicantworkflows",
        1,
        RawAnswer::redirect(302, &target),
    );
    let c = client(&sim);
    let e = c.ping().await.unwrap_err();
    assert_eq!(
        e,
        Error::Redirected {
            status: 302,
            location: Some(target.clone())
        }
    );
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "The iCIMS address answered with a redirect (HTTP 302) to \"{target}\". It was not \
             followed, so the signed request was not sent there."
        )),
        "{text}"
    );
    assert!(!e.is_transient());
    assert_eq!(
        elsewhere.received_requests().await.unwrap().len(),
        0,
        "the other host got a request"
    );
    // The simulator got the one request, signed; the client counted it.
    assert_eq!(sim.request_log().len(), 1);
    assert_eq!(c.calls_made(), 1);
    assert_plain(&e, &["Moved to"]);
}

/// A same-host redirect is not followed either (it would change the signed path).
#[tokio::test]
async fn a_redirect_to_the_same_host_is_not_followed_either() {
    let sim = simulator().await;
    let hire = sim.add_hire("Bo", "Park", Some("bo.park@example.com"));
    let target = format!("{}/customers/1234/people/{}", sim.url(), hire.person_id);
    sim.answer_next_raw("/people/999999", 1, RawAnswer::redirect(301, &target));
    let e = client(&sim)
        .person(PersonId(999_999), DEFAULT_PERSON_FIELDS)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::Redirected { status: 301, location: Some(l) } if *l == target),
        "{e:?}"
    );
    assert_eq!(sim.request_log().len(), 1, "the redirect was followed");
}

// ---- JSON of the wrong type, cut short, empty ---------------------------------------------

/// A person record cut off in the middle: that record is unreadable (the others can still be
/// read), the error says where it ended.
#[tokio::test]
async fn a_person_record_cut_short_is_unreadable_and_says_where_it_ended() {
    let sim = simulator().await;
    let hire = sim.add_hire("Cy", "Ode", Some("cy.ode@example.com"));
    let body = r#"{"firstname":"Cy","lastname":"Ode","addresses":[{"addresscity":"New Yo"#;
    sim.answer_next_raw(
        &format!("/people/{}", hire.person_id),
        1,
        RawAnswer::json_text(200, body),
    );
    let e = client(&sim)
        .person(PersonId(hire.person_id), DEFAULT_PERSON_FIELDS)
        .await
        .unwrap_err();
    match &e {
        Error::Unreadable {
            what,
            field,
            problem,
        } => {
            assert_eq!(what, &format!("record of person {}", hire.person_id));
            assert_eq!(field, "addresses[0].addresscity");
            assert_eq!(
                problem,
                &format!("the reply ended early, after {} bytes", body.len())
            );
        }
        other => panic!("expected Unreadable, got {other:?}"),
    }
    assert!(!e.is_transient());
    assert_plain(&e, &["New Yo"]);
}

/// A workflow whose person link is text instead of an object names the field.
#[tokio::test]
async fn a_workflow_with_a_field_of_the_wrong_type_names_the_field() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "/applicantworkflows/77",
        1,
        RawAnswer::json_text(
            200,
            r#"{"associatedprofile":"Shari Davis","baseprofile":{"id":3},"status":{"id":"C1"}}"#,
        ),
    );
    let e = client(&sim).workflow(WorkflowId(77)).await.unwrap_err();
    match &e {
        Error::Unreadable { field, problem, .. } => {
            assert_eq!(field, "associatedprofile");
            assert_eq!(problem, "expected an object, got text");
        }
        other => panic!("expected Unreadable, got {other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("iCIMS's record of workflow 77 could not be read: associatedprofile:"),
        "{e}"
    );
}

/// A search page cut short is not one record's problem: the reply cannot be read at all.
#[tokio::test]
async fn a_search_reply_cut_short_is_a_reply_that_cannot_be_understood() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "/search/applicantworkflows",
        1,
        RawAnswer::json_text(200, r#"{"searchResults":[{"id":1},{"id":"#),
    );
    let e = client(&sim)
        .search_workflows(&SearchQuery::statuses(["Hired"]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("iCIMS sent a reply this app could not understand (the search reply:"),
        "{e}"
    );
}

/// Ids of the wrong type in a search page: the whole page is refused, never read as fewer
/// hires.
#[tokio::test]
async fn a_search_page_with_an_id_of_the_wrong_type_is_refused_whole() {
    let sim = simulator().await;
    sim.answer_next_raw(
        "/search/applicantworkflows",
        1,
        RawAnswer::json_text(200, r#"{"searchResults":[{"id":1},{"id":{"x":2}}]}"#),
    );
    let e = client(&sim)
        .search_workflows(&SearchQuery::statuses(["Hired"]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

/// An empty 200 is neither a record nor "no hires found": it is an error worth retrying.
#[tokio::test]
async fn an_empty_200_is_an_empty_reply_for_a_record_and_for_a_search() {
    let sim = simulator().await;
    let hire = sim.add_hire("Di", "Eng", Some("di.eng@example.com"));
    sim.answer_next_raw(
        &format!("/people/{}", hire.person_id),
        1,
        RawAnswer::empty(200),
    );
    sim.answer_next_raw("/search/applicantworkflows", 1, RawAnswer::empty(200));
    let c = client(&sim);
    let e = c
        .person(PersonId(hire.person_id), DEFAULT_PERSON_FIELDS)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        Error::EmptyReply {
            status: 200,
            what: format!("record of person {}", hire.person_id)
        }
    );
    assert!(e.is_transient());
    assert!(
        e.to_string().starts_with(&format!(
            "iCIMS answered the request for the record of person {} with an empty reply (HTTP \
             200). Try again later",
            hire.person_id
        )),
        "{e}"
    );
    let e = c
        .search_workflows(&SearchQuery::statuses(["Hired"]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::EmptyReply { status: 200, .. }), "{e:?}");
    // Answered normally again, the search finds the hire.
    let found = c
        .search_workflows(&SearchQuery::statuses(["Hired"]).person(PersonId(hire.person_id)))
        .await
        .unwrap();
    assert_eq!(found.value.ids, vec![WorkflowId(hire.workflow_id)]);
}

// ---- requests that never left this machine ------------------------------------------------

/// A refused connection and an unknown host are not iCIMS calls spent; a timeout after the
/// request was sent is.
#[tokio::test]
async fn requests_that_never_left_this_machine_are_not_counted_as_calls() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = client_at(&format!("http://127.0.0.1:{port}"), Duration::from_secs(5));
    for _ in 0..3 {
        let e = c.ping().await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::Transport {
                    may_have_reached_server: false,
                    ..
                }
            ),
            "{e:?}"
        );
    }
    assert_eq!(c.calls_made(), 0);

    let unknown = client_at("https://no-such-host.invalid", Duration::from_secs(5));
    let e = unknown.ping().await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(unknown.calls_made(), 0);

    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&slow)
        .await;
    let c = client_at(&slow.uri(), Duration::from_millis(300));
    let e = c.ping().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                timed_out: true,
                may_have_reached_server: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        c.calls_made(),
        1,
        "a request iCIMS may have received counts"
    );
}

// ---- a proxy in the environment ----------------------------------------------------------

const PROXY_CHILD: &str = "child_reaches_the_simulator_past_a_dead_proxy";

/// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` pointing at a dead port must not stop the client from
/// reaching a simulator on 127.0.0.1. The environment is the whole process's, so the check
/// runs in a child process of this test binary with those variables set.
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
        .get(format!("{}/customers/1234/jobs/1", sim.url()))
        .send()
        .await;
    assert!(
        plain.is_err(),
        "the proxy {proxy} was not used by a plain client"
    );
    assert!(sim.request_log().is_empty());
    client(&sim).ping().await.expect("reached past the proxy");
    assert_eq!(sim.request_log().len(), 1);
}
