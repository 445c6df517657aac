//! The client against real HTTP on 127.0.0.1 (wiremock). Signatures are checked with a separate,
//! minimal implementation of `docs/icims-api.md` §2.2 written here — never with the crate's
//! signer.

use hmac::{Hmac, Mac};
use icims::{
    Client, Config, DEFAULT_PERSON_FIELDS, Endpoint, Error, JobId, PersonId, RateLimit, Region,
    SearchQuery, SecretString, WorkflowId,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::macros::datetime;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const USER: &str = "apiuser";
const KEY: &str = "sEcReT-hmac-KEY-0123456789";
const CID: &str = "1234";

fn client_for(server: &MockServer, key: &str) -> Client {
    let config = Config::new(
        Endpoint::BaseUrl(server.uri()),
        CID,
        USER,
        SecretString::from(key),
    )
    .expect("valid config");
    Client::new(config).expect("client")
}

fn client(server: &MockServer) -> Client {
    client_for(server, KEY)
}

/// Fails a paging test that would otherwise hang on a paging bug.
async fn bounded<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), fut)
        .await
        .expect("did not finish: paging loops?")
}

fn hex_sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Recomputes the signature of a received request from what arrived on the wire.
/// Returns Err(reason) when anything does not match.
fn check_signature(req: &Request, key: &str) -> Result<(), String> {
    let h = |n: &str| -> Result<String, String> {
        let all: Vec<_> = req.headers.get_all(n).iter().collect();
        match all.as_slice() {
            [one] => Ok(one.to_str().map_err(|e| e.to_string())?.to_owned()),
            other => Err(format!("header {n} present {} times", other.len())),
        }
    };
    let content_type = h("content-type")?;
    if content_type != "application/json" {
        return Err(format!("content-type is {content_type:?}"));
    }
    let host = h("host")?;
    let date = h("x-icims-date")?;
    let sha = h("x-icims-content-sha256")?;
    if sha != hex_sha256(&req.body) {
        return Err("x-icims-content-sha256 does not match the body received".into());
    }
    let canonical = format!(
        "{}\n{}\n{}\ncontent-type:{content_type}\nhost:{host}\nx-icims-content-sha256:{sha}\nx-icims-date:{date}\n\ncontent-type;host;x-icims-content-sha256;x-icims-date",
        req.method.as_str(),
        req.url.path(),
        req.url.query().unwrap_or(""),
    );
    let to_sign = format!(
        "x-icims-v1-hmac-sha256\n{date}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let sig = hex::encode(mac.finalize().into_bytes());
    let expected = format!(
        "x-icims-v1-hmac-sha256 user={USER}, signedheaders=content-type;host;x-icims-content-sha256;x-icims-date, signature={sig}"
    );
    let got = h("authorization")?;
    if got != expected {
        return Err(format!(
            "authorization mismatch:\n got {got}\nwant {expected}"
        ));
    }
    Ok(())
}

async fn assert_all_signed(server: &MockServer) -> Vec<Request> {
    let reqs = server.received_requests().await.expect("recording on");
    assert!(!reqs.is_empty(), "no request reached the server");
    let host = format!("127.0.0.1:{}", server.address().port());
    for r in &reqs {
        check_signature(r, KEY).unwrap_or_else(|e| panic!("{} {}: {e}", r.method, r.url));
        assert_eq!(r.headers["host"], host.as_str());
        let date = r.headers["x-icims-date"].to_str().unwrap();
        assert!(
            time::PrimitiveDateTime::parse(
                date,
                time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")
            )
            .is_ok(),
            "bad x-icims-date {date}"
        );
    }
    reqs
}

/// Answers 401 unless the request's signature verifies with `key`.
struct RequireSignature {
    key: &'static str,
    ok: ResponseTemplate,
}

impl Respond for RequireSignature {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        match check_signature(req, self.key) {
            Ok(()) => self.ok.clone(),
            Err(_) => ResponseTemplate::new(401).set_body_json(json!({
                "errors": [{"errorMessage": "Authentication credentials invalid", "errorCode": 9}]
            })),
        }
    }
}

fn person_json() -> Value {
    json!({
        "firstname": "Jane", "lastname": "Doe", "email": "jane@example.com",
        "startdate": "2024-02-01", "gender": {"id": "D1", "value": "Female"},
        "addresses": [{"addresstype": {"value": "Home"}, "addresscity": "New York",
                        "addressstate": {"abbrev": "NY", "value": "New York"}}],
        "phones": [{"phonetype": {"value": "Mobile"}, "phonenumber": "302-555-5555"}],
        "rcf1234": "custom"
    })
}

#[tokio::test]
async fn person_get_is_signed_exactly_and_metadata_is_read() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/customers/1234/people/5678"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(person_json())
                .insert_header("x-ratelimit-limit", "20000")
                .insert_header("x-ratelimit-remaining", "19902")
                .insert_header("x-ratelimit-reset", "9299")
                .insert_header("date", "Mon, 15 Jan 2024 21:25:01 GMT")
                .insert_header(
                    "x-warning",
                    "4:1234:StartDate: Field name must be all lowercase.",
                ),
        )
        .expect(1)
        .mount(&server)
        .await;

    let c = client(&server);
    let reply = c
        .person(PersonId(5678), DEFAULT_PERSON_FIELDS)
        .await
        .unwrap();
    assert_eq!(reply.value.firstname.as_deref(), Some("Jane"));
    assert_eq!(
        reply
            .value
            .address_of_type("Home")
            .unwrap()
            .addresscity
            .as_deref(),
        Some("New York")
    );
    assert_eq!(reply.value.extra["rcf1234"], "custom");
    assert_eq!(
        reply.rate_limit,
        Some(RateLimit {
            limit: Some(20000),
            remaining: Some(19902),
            reset_secs: Some(9299)
        })
    );
    assert_eq!(reply.server_date, Some(datetime!(2024-01-15 21:25:01 UTC)));
    assert_eq!(c.calls_made(), 1);

    let reqs = assert_all_signed(&server).await;
    let r = &reqs[0];
    assert_eq!(
        r.url.query(),
        Some(
            "fields=firstname%2Cmiddlename%2Clastname%2Cemail%2Chiredate%2Cstartdate%2Cgender%2Caddresses%2Cphones"
        )
    );
    assert!(r.body.is_empty());
    assert_eq!(
        r.headers["x-icims-content-sha256"],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[tokio::test]
async fn workflow_and_job_reads() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/customers/1234/applicantworkflows/19288"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "associatedprofile": {"id": "1", "value": "Shari Davis"},
            "baseprofile": {"id": 1346},
            "status": {"id": "C38356", "value": "Hired", "formattedvalue": "Hired"},
            "updateddate": "2024-01-15 11:00 PM",
            "somethingnew": [1, 2]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/customers/1234/jobs/1346"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"jobtitle": "Mentor", "jobid": "2016-1123"})),
        )
        .mount(&server)
        .await;

    let c = client(&server);
    let w = c.workflow(WorkflowId(19288)).await.unwrap();
    assert!(w.rate_limit.is_none());
    let w = w.value;
    assert_eq!(w.person_id(), Some(PersonId(1)));
    assert_eq!(w.job_id(), Some(JobId(1346)));
    assert_eq!(w.status.unwrap().id.as_deref(), Some("C38356"));
    assert_eq!(w.updateddate.as_deref(), Some("2024-01-15 11:00 PM"));

    let j = c.job(JobId(1346)).await.unwrap().value;
    assert_eq!(j.jobtitle.as_deref(), Some("Mentor"));
    assert_eq!(c.calls_made(), 2);

    let reqs = assert_all_signed(&server).await;
    assert_eq!(reqs[1].url.query(), Some("fields=jobtitle%2Cjobid"));
}

#[tokio::test]
async fn search_posts_the_filter_body_it_signed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/customers/1234/search/applicantworkflows"))
        .and(query_param("staleness", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "searchResults": [
                {"id": 19288, "self": "https://api.icims.com/customers/1234/applicantworkflows/19288"},
                {"id": "19290"}
            ]
        })))
        .mount(&server)
        .await;

    let c = client(&server);
    let q = SearchQuery::statuses(["C12345", "Hired"])
        .updated_since(datetime!(2024-01-14 23:00:00 UTC))
        .after(WorkflowId(19287));
    let page = c.search_workflows(&q).await.unwrap().value;
    assert_eq!(page.ids, vec![WorkflowId(19288), WorkflowId(19290)]);
    assert!(page.is_last());

    let reqs = assert_all_signed(&server).await;
    let r = &reqs[0];
    assert_eq!(r.url.query(), Some("staleness=0"));
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"filters": [
            {"name": "applicantworkflow.status", "value": ["C12345", "Hired"], "operator": "="},
            {"name": "applicantworkflow.updateddate", "value": ["2024-01-14 11:00 PM"], "operator": ">="},
            {"name": "applicantworkflow.id", "value": ["19287"], "operator": ">"}
        ], "operator": "&"})
    );
    assert_eq!(
        r.headers["content-length"],
        r.body.len().to_string().as_str()
    );
}

#[tokio::test]
async fn search_for_one_person_sends_the_person_filter() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/customers/1234/search/applicantworkflows"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"searchResults": [{"id": 19301}]})),
        )
        .mount(&server)
        .await;

    let c = client(&server);
    let q = SearchQuery::statuses(["Hired"]).person(PersonId(1003));
    let page = c.search_workflows(&q).await.unwrap().value;
    assert_eq!(page.ids, vec![WorkflowId(19301)]);

    let reqs = assert_all_signed(&server).await;
    let body: Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        json!({"filters": [
            {"name": "applicantworkflow.status", "value": ["Hired"], "operator": "="},
            {"name": "applicantworkflow.person.id", "value": ["1003"], "operator": "="}
        ], "operator": "&"})
    );
}

/// A search server holding workflows 1..=total that honours the `applicantworkflow.id >` filter
/// and the 1,000-row page limit; ids alternate between JSON numbers and strings.
struct Pager {
    total: u64,
}

impl Respond for Pager {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if let Err(e) = check_signature(req, KEY) {
            return ResponseTemplate::new(401).set_body_string(e);
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let filters = body["filters"].as_array().unwrap();
        assert!(
            filters
                .iter()
                .any(|f| f["name"] == "applicantworkflow.status" && f["value"] == json!(["C1"]))
        );
        let after: u64 = filters
            .iter()
            .find(|f| f["name"] == "applicantworkflow.id" && f["operator"] == ">")
            .map(|f| f["value"][0].as_str().unwrap().parse().unwrap())
            .unwrap_or(0);
        let hits: Vec<Value> = (after + 1..=self.total.min(after + 1000))
            .map(|id| {
                if id % 2 == 0 {
                    json!({"id": id})
                } else {
                    json!({"id": id.to_string()})
                }
            })
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({ "searchResults": hits }))
            .insert_header("x-ratelimit-remaining", (9000 - after).to_string().as_str())
    }
}

#[tokio::test]
async fn paging_reads_2500_workflows_in_exactly_3_calls() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/customers/1234/search/applicantworkflows"))
        .respond_with(Pager { total: 2500 })
        .expect(3)
        .mount(&server)
        .await;

    let c = client(&server);
    let mut seen = Vec::new();
    let all = bounded(c.search_all_workflows(&SearchQuery::statuses(["C1"]), |p| {
        seen.push((
            p.page,
            p.ids.len(),
            p.total,
            p.more,
            p.rate_limit.unwrap().remaining,
        ));
        ControlFlow::Continue(())
    }))
    .await
    .unwrap();
    assert_eq!(all.pages, 3);
    assert!(all.complete);
    assert_eq!(all.ids.len(), 2500);
    assert_eq!(all.ids, (1..=2500).map(WorkflowId).collect::<Vec<_>>());
    assert_eq!(
        seen,
        vec![
            (1, 1000, 1000, true, Some(9000)),
            (2, 1000, 2000, true, Some(8000)),
            (3, 500, 2500, false, Some(7000)),
        ]
    );
    assert_eq!(c.calls_made(), 3);

    let reqs = assert_all_signed(&server).await;
    assert_eq!(reqs.len(), 3);
    let id_filters: Vec<Value> = reqs
        .iter()
        .map(|r| {
            let b: Value = serde_json::from_slice(&r.body).unwrap();
            b["filters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["name"] == "applicantworkflow.id")
                .map(|f| f["value"].clone())
                .unwrap_or(Value::Null)
        })
        .collect();
    assert_eq!(
        id_filters,
        vec![Value::Null, json!(["1000"]), json!(["2000"])]
    );
}

#[tokio::test]
async fn paging_exactly_1000_needs_a_confirming_empty_page() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Pager { total: 1000 })
        .expect(2)
        .mount(&server)
        .await;
    let all = bounded(
        client(&server).search_all_workflows(&SearchQuery::statuses(["C1"]), |_| {
            ControlFlow::Continue(())
        }),
    )
    .await
    .unwrap();
    assert_eq!((all.ids.len(), all.pages, all.complete), (1000, 2, true));
}

#[tokio::test]
async fn paging_stops_when_the_callback_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Pager { total: 5000 })
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let all = bounded(c.search_all_workflows(&SearchQuery::statuses(["C1"]), |p| {
        if p.page >= 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }))
    .await
    .unwrap();
    assert_eq!((all.ids.len(), all.pages, all.complete), (2000, 2, false));
    assert_eq!(c.calls_made(), 2);
}

#[tokio::test]
async fn paging_errors_instead_of_looping_when_ids_do_not_increase() {
    let server = MockServer::start().await;
    // Ignores the id filter: always the same 1,000 ids.
    let hits: Vec<Value> = (1..=1000).map(|id| json!({ "id": id })).collect();
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "searchResults": hits })))
        .mount(&server)
        .await;
    let c = client(&server);
    let e = bounded(c.search_all_workflows(&SearchQuery::statuses(["C1"]), |_| {
        ControlFlow::Continue(())
    }))
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("endless loop"), "{e}");
    assert_eq!(c.calls_made(), 2);
}

#[tokio::test]
async fn search_no_results_variants_are_empty_pages() {
    let cases: Vec<(u16, Value)> = vec![
        (200, json!({})),
        (200, json!({"searchResults": []})),
        (200, json!({"searchResults": null})),
        (
            200,
            json!({"errors": [{"errorMessage": "No results found.", "errorCode": 0}]}),
        ),
        (
            404,
            json!({"errors": [{"errorMessage": "No results found.", "errorCode": 2}]}),
        ),
    ];
    for (status, body) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body.clone()))
            .mount(&server)
            .await;
        let page = client(&server)
            .search_workflows(&SearchQuery::statuses(["C1"]))
            .await
            .unwrap_or_else(|e| panic!("{status} {body}: {e:?}"))
            .value;
        assert!(page.ids.is_empty(), "{status} {body}");
    }
}

#[tokio::test]
async fn search_real_errors_are_not_read_as_empty() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "errors": [{"errorMessage": "The following filter is either not valid or hidden: applicantworkflow.status", "errorCode": 1}]
        })))
        .mount(&server)
        .await;
    let e = client(&server)
        .search_workflows(&SearchQuery::statuses(["C1"]))
        .await
        .unwrap_err();
    match e {
        Error::BadRequest { message, code } => {
            assert!(message.contains("not valid or hidden"), "{message}");
            assert_eq!(code, Some(1));
        }
        other => panic!("{other:?}"),
    }

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"searchResults": [{"id": "C12"}]})),
        )
        .mount(&server)
        .await;
    let e = client(&server)
        .search_workflows(&SearchQuery::statuses(["C1"]))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[tokio::test]
async fn ping_is_signed_so_a_wrong_key_fails() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/customers/1234/search/applicantworkflows"))
        .respond_with(RequireSignature {
            key: KEY,
            ok: ResponseTemplate::new(200)
                .set_body_json(json!({"searchResults": []}))
                .insert_header("x-ratelimit-remaining", "42"),
        })
        .mount(&server)
        .await;

    let good = client(&server).ping().await.unwrap();
    assert_eq!(good.rate_limit.unwrap().remaining, Some(42));
    assert!(good.server_date.is_some(), "hyper always sends Date");
    let reqs = assert_all_signed(&server).await;
    let body: Value = serde_json::from_slice(&reqs[0].body).unwrap();
    assert_eq!(
        body,
        json!({"filters": [{"name": "applicantworkflow.id", "value": ["2147483647"], "operator": ">"}], "operator": "&"})
    );

    let e = client_for(&server, "wrong-key").ping().await.unwrap_err();
    assert_eq!(
        e,
        Error::BadCredentials {
            message: "Authentication credentials invalid".into()
        }
    );
}

#[tokio::test]
async fn clock_is_injectable_for_skew() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(RequireSignature {
            key: KEY,
            ok: ResponseTemplate::new(200).set_body_json(json!({})),
        })
        .mount(&server)
        .await;
    let c = client(&server).with_clock(|| datetime!(2020-02-29 23:59:58 -01:00));
    c.job(JobId(1)).await.unwrap();
    let c = client(&server).with_clock_offset(time::Duration::hours(-3));
    c.job(JobId(1)).await.unwrap();
    let reqs = assert_all_signed(&server).await;
    assert_eq!(reqs[0].headers["x-icims-date"], "2020-03-01T00:59:58Z");
    let skewed = reqs[1].headers["x-icims-date"].to_str().unwrap();
    let skewed = time::PrimitiveDateTime::parse(
        skewed,
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"),
    )
    .unwrap()
    .assume_utc();
    let behind = time::OffsetDateTime::now_utc() - skewed;
    assert!(
        behind > time::Duration::minutes(179) && behind < time::Duration::minutes(181),
        "{behind}"
    );
}

async fn error_for(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    let c = client(&server);
    let e = c.person(PersonId(1), &["email"]).await.unwrap_err();
    assert_eq!(c.calls_made(), 1);
    let text = format!("{e} {e:?}");
    assert!(!text.contains(KEY), "key leaked: {text}");
    assert!(!text.contains("signature="), "authorization leaked: {text}");
    e
}

#[tokio::test]
async fn status_401_body_is_bad_credentials_with_message() {
    let e = error_for(ResponseTemplate::new(401).set_body_json(json!({
        "errors": [{"errorMessage": "Invalid Username or Password credentials provided.", "errorCode": 6}]
    })))
    .await;
    assert_eq!(
        e,
        Error::BadCredentials {
            message: "Invalid Username or Password credentials provided.".into()
        }
    );
}

/// A server that echoes the request's Authorization header and the key back in its error body.
struct Echo;

impl Respond for Echo {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth = req.headers["authorization"].to_str().unwrap();
        ResponseTemplate::new(401).set_body_json(json!({
            "errors": [{"errorMessage": format!("bad request {auth} using {KEY}"), "errorCode": 9}]
        }))
    }
}

#[tokio::test]
async fn error_messages_never_carry_key_or_signature() {
    let e = error_for(ResponseTemplate::new(200)).await; // empty 200 body: nothing to read
    assert!(matches!(e, Error::EmptyReply { .. }), "{e:?}");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    let e = client(&server).job(JobId(2)).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(matches!(e, Error::BadCredentials { .. }));
    assert!(!text.contains(KEY), "{text}");
    let sig = server.received_requests().await.unwrap()[0].headers["authorization"]
        .to_str()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(sig.len(), 64);
    assert!(!text.contains(&sig), "{text}");
    assert!(text.contains("<redacted>"), "{text}");
}

#[tokio::test]
async fn status_404_with_x_error_is_not_found() {
    let e =
        error_for(ResponseTemplate::new(404).insert_header("x-error", "2:Person not found.")).await;
    assert_eq!(
        e,
        Error::NotFound {
            message: "Person not found.".into(),
            code: Some(2)
        }
    );
    let e = error_for(ResponseTemplate::new(404).set_body_json(json!({
        "errors": [{"errorMessage": "Access denied.", "errorCode": 3}]
    })))
    .await;
    assert!(e.is_access_denied(), "{e:?}");
}

#[tokio::test]
async fn status_429_is_rate_limited() {
    let e = error_for(
        ResponseTemplate::new(429)
            .insert_header("x-ratelimit-remaining", "0")
            .insert_header("x-ratelimit-reset", "3600"),
    )
    .await;
    assert_eq!(
        e,
        Error::RateLimited {
            reset_secs: Some(3600)
        }
    );
    let e = error_for(ResponseTemplate::new(429).insert_header("retry-after", "120")).await;
    assert_eq!(
        e,
        Error::RateLimited {
            reset_secs: Some(120)
        }
    );
}

#[tokio::test]
async fn status_500_is_server_error() {
    let e = error_for(ResponseTemplate::new(500).set_body_json(json!({
        "errors": [{"errorMessage": "An internal error occurred.", "errorCode": 0}]
    })))
    .await;
    assert_eq!(
        e,
        Error::Server {
            status: 500,
            message: "An internal error occurred.".into()
        }
    );
    assert!(e.is_transient());
}

#[tokio::test]
async fn status_400_is_bad_request() {
    let e = error_for(ResponseTemplate::new(400).set_body_json(json!({
        "errors": [{"errorMessage": "Field name must be all lowercase.", "errorCode": "1"}]
    })))
    .await;
    assert_eq!(
        e,
        Error::BadRequest {
            message: "Field name must be all lowercase.".into(),
            code: Some(1)
        }
    );
}

#[tokio::test]
async fn slow_server_is_a_transport_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let config = Config::new(
        Endpoint::BaseUrl(server.uri()),
        CID,
        USER,
        SecretString::from(KEY),
    )
    .unwrap()
    .with_timeout(Duration::from_millis(300));
    let c = Client::new(config).unwrap();
    let started = std::time::Instant::now();
    let e = c.job(JobId(1)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    match &e {
        Error::Transport {
            timed_out,
            may_have_reached_server,
            ..
        } => {
            assert!(*timed_out);
            assert!(*may_have_reached_server);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().starts_with("iCIMS did not answer in time"),
        "{e}"
    );
}

#[tokio::test]
async fn refused_connection_is_transport_not_sent() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let config = Config::new(
        Endpoint::BaseUrl(format!("http://127.0.0.1:{port}")),
        CID,
        USER,
        SecretString::from(KEY),
    )
    .unwrap();
    let e = Client::new(config).unwrap().ping().await.unwrap_err();
    match e {
        Error::Transport {
            timed_out,
            may_have_reached_server,
            ref message,
        } => {
            assert!(!timed_out);
            assert!(!may_have_reached_server);
            assert!(!message.contains(KEY));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn config_rejects_plain_http_off_loopback_and_bad_customer_ids() {
    let mk = |base: &str, cid: &str| {
        Config::new(
            Endpoint::BaseUrl(base.into()),
            cid,
            USER,
            SecretString::from(KEY),
        )
    };
    let e = mk("http://api.icims.com", CID).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidConfig(m) if m.contains("plain http")),
        "{e:?}"
    );
    assert!(mk("http://192.168.1.10:8080", CID).is_err());
    assert!(mk("http://127.0.0.1:8080", CID).is_ok());
    assert!(mk("https://api.icims.com", CID).is_ok());

    let e = Config::new(Region::Us, "ACME-12", USER, SecretString::from(KEY)).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidConfig(m) if m.contains("digits only")),
        "{e:?}"
    );
    assert!(!e.to_string().contains(KEY));
    assert_eq!(
        Config::new(Region::Eu, "42", USER, SecretString::from(KEY))
            .unwrap()
            .base_url(),
        "https://api-eu.icims.com"
    );
    let zero = Config::new(Region::Us, "42", USER, SecretString::from(KEY))
        .unwrap()
        .with_timeout(Duration::ZERO);
    assert!(matches!(Client::new(zero), Err(Error::InvalidConfig(_))));
}

/// Collects everything tracing writes during a test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn warnings_are_logged_and_logs_hold_no_secrets() {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/customers/1234/people/7"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"firstname": "A", "warnings": [{"errorMessage": "body warning", "errorCode": 4}]}))
                .append_header("x-warning", "4:5:StartDate: Field name must be all lowercase.")
                .append_header("x-warning", "4:6:second warning"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/customers/1234/jobs/8"))
        .respond_with(Echo)
        .mount(&server)
        .await;
    let c = client(&server);
    c.person(PersonId(7), &["firstname"]).await.unwrap();
    c.job(JobId(8)).await.unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("StartDate: Field name must be all lowercase."),
        "{logs}"
    );
    assert!(logs.contains("second warning"), "{logs}");
    assert!(logs.contains("body warning"), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
    let reqs = server.received_requests().await.unwrap();
    for r in reqs {
        let auth = r.headers["authorization"].to_str().unwrap().to_owned();
        let sig = auth.rsplit('=').next().unwrap();
        assert!(!logs.contains(sig), "signature in logs: {logs}");
    }
}

/// A person whose `addresses` is an object: that record is unreadable (with the field and the
/// problem in plain words), which is not the same as the API being broken.
#[tokio::test]
async fn person_with_a_field_of_the_wrong_type_is_unreadable_not_a_broken_api() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/customers/1234/people/77"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "firstname": "Ann", "lastname": "Lee", "addresses": {"entry": 1}
        })))
        .mount(&server)
        .await;
    let client = client(&server);
    let e = client
        .person(PersonId(77), DEFAULT_PERSON_FIELDS)
        .await
        .unwrap_err();
    match &e {
        Error::Unreadable {
            what,
            field,
            problem,
        } => {
            assert_eq!(what, "record of person 77");
            assert_eq!(field, "addresses");
            assert_eq!(problem, "expected a list, got an object");
        }
        other => panic!("expected Unreadable, got {other:?}"),
    }
    assert!(!e.is_transient());
    assert_eq!(e.code(), "unreadable");
}
