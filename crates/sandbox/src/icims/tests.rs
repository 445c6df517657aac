//! The simulator over real HTTP, driven by a tiny signer written here from
//! `docs/icims-api.md` §2.2 — deliberately not the `icims` client crate, and not the
//! simulator's verifier.

use std::collections::BTreeSet;
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;

use super::*;
use crate::seed::{HIRED, OFFER, SeedConfig};

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn iso(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap();
    let s = t.format(&Iso8601::DEFAULT).unwrap(); // 2024-01-15T12:00:00.000000000Z
    format!("{}Z", &s[..19])
}

/// Signs as `docs/icims-api.md` §2.2 describes; `host` is the Host header reqwest will send.
fn sign(
    method: &str,
    url: &str,
    body: &[u8],
    user: &str,
    key: &str,
    date: &str,
    sep: &str,
) -> HeaderMap {
    let u = url::Url::parse(url).unwrap();
    let host = match u.port() {
        Some(p) => format!("{}:{p}", u.host_str().unwrap()),
        None => u.host_str().unwrap().to_string(),
    };
    let body_sha = sha_hex(body);
    let mut pairs = [
        ("content-type", "application/json".to_string()),
        ("host", host),
        ("x-icims-content-sha256", body_sha.clone()),
        ("x-icims-date", date.to_string()),
    ];
    pairs.sort();
    let signed = pairs.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(";");
    let canon_headers = pairs
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let canonical = [
        method,
        u.path(),
        u.query().unwrap_or(""),
        &canon_headers,
        "",
        &signed,
    ]
    .join("\n");
    let sts = format!(
        "x-icims-v1-hmac-sha256\n{date}\n{}",
        sha_hex(canonical.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(sts.as_bytes());
    let sig = hex::encode(mac.finalize().into_bytes());
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert("x-icims-date", HeaderValue::from_str(date).unwrap());
    h.insert(
        "x-icims-content-sha256",
        HeaderValue::from_str(&body_sha).unwrap(),
    );
    let auth = format!(
        "x-icims-v1-hmac-sha256 user={user}{sep}signedheaders={signed}{sep}signature={sig}"
    );
    h.insert("authorization", HeaderValue::from_str(&auth).unwrap());
    h
}

struct Call<'a> {
    method: Method,
    path: &'a str,
    body: &'a str,
    /// Body actually sent, if different from the signed one.
    sent_body: Option<&'a str>,
    key: &'a str,
    date: OffsetDateTime,
    sep: &'a str,
}

impl<'a> Call<'a> {
    fn get(path: &'a str) -> Self {
        Call {
            method: Method::GET,
            path,
            body: "",
            sent_body: None,
            key: DEFAULT_HMAC_KEY,
            date: OffsetDateTime::now_utc(),
            sep: ", ",
        }
    }

    fn post(path: &'a str, body: &'a str) -> Self {
        Call {
            method: Method::POST,
            body,
            ..Call::get(path)
        }
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn remaining(&self) -> u64 {
        self.header("x-ratelimit-remaining").parse().unwrap()
    }

    fn ids(&self) -> Vec<u64> {
        self.body["searchResults"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_u64().unwrap())
            .collect()
    }
}

async fn send(sim: &IcimsSim, call: Call<'_>) -> Reply {
    let url = format!("{}{}", sim.url(), call.path);
    let headers = sign(
        call.method.as_str(),
        &url,
        call.body.as_bytes(),
        DEFAULT_USERNAME,
        call.key,
        &iso(call.date),
        call.sep,
    );
    let body = call.sent_body.unwrap_or(call.body).to_string();
    let response = reqwest::Client::new()
        .request(call.method, &url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(sim: &IcimsSim, path: &str) -> Reply {
    send(sim, Call::get(path)).await
}

async fn search(sim: &IcimsSim, body: Value) -> Reply {
    send(
        sim,
        Call::post(
            "/customers/1234/search/applicantworkflows?staleness=0",
            &body.to_string(),
        ),
    )
    .await
}

fn hired_after(last: u64) -> Value {
    json!({ "filters": [
        { "name": "applicantworkflow.status", "value": [HIRED.id], "operator": "=" },
        { "name": "applicantworkflow.id", "value": [last.to_string()], "operator": ">" } ], "operator": "&" })
}

async fn default_sim() -> (IcimsSim, World) {
    let world = World::generate(&SeedConfig::default());
    (
        start(IcimsSimConfig::default(), &world).await.unwrap(),
        world,
    )
}

fn auth_error(message: &str) -> Value {
    json!({ "errors": [ { "errorMessage": message, "errorCode": 9 } ] })
}

#[tokio::test]
async fn good_signature_is_served_with_rate_headers() {
    let (sim, world) = default_sim().await;
    let person = &world.people[0];
    let r = get(&sim, &format!("/customers/1234/people/{}", person.id)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["firstname"], person.firstname.as_str());
    assert_eq!(r.header("x-ratelimit-limit"), "10000");
    assert_eq!(r.remaining(), 9999);
    let reset: i64 = r.header("x-ratelimit-reset").parse().unwrap();
    assert!((1..=86_400).contains(&reset));
    let tx = r.header("x-transaction");
    assert!(
        tx.starts_with('{') && tx.ends_with('}') && tx.len() == 38,
        "{tx}"
    );
    assert!(r.header("date").ends_with(" GMT"), "{}", r.header("date"));
    assert_eq!(r.header("content-type"), "application/json");

    // Components separated by "," without a space are accepted too.
    let r = send(
        &sim,
        Call {
            sep: ",",
            ..Call::get(&format!("/customers/1234/people/{}", person.id))
        },
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.remaining(), 9998, "remaining decreases call by call");
    assert_eq!(sim.remaining(), 9998);
    assert_eq!(sim.calls(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_credentials_are_401_and_spend_nothing() {
    let (sim, world) = default_sim().await;
    let path = format!("/customers/1234/people/{}", world.people[0].id);
    let r = send(
        &sim,
        Call {
            key: "wrong-key",
            ..Call::get(&path)
        },
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, auth_error("Authentication credentials invalid"));
    assert_eq!(r.header("x-error"), "9:Authentication credentials invalid");
    assert_eq!(r.header("www-authenticate"), "x-icims-v1-hmac-sha256");
    assert_eq!(
        r.remaining(),
        10_000,
        "rate headers on errors too, and a 401 is free"
    );

    // Basic auth and no auth at all.
    for auth in [
        Some("Basic c2FuZGJveC1hcGk6c2FuZGJveC1obWFjLWtleS1ub3QtYS1zZWNyZXQ="),
        None,
    ] {
        let mut req = reqwest::Client::new().get(format!("{}{path}", sim.url()));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let response = req.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            auth_error("Authentication credentials invalid")
        );
    }

    // Signed body differs from the body sent.
    let body =
        json!({ "filters": [ { "name": "applicantworkflow.status", "value": ["C12345"] } ] })
            .to_string();
    let tampered = body.replace("C12345", "C12342");
    let r = send(
        &sim,
        Call {
            sent_body: Some(&tampered),
            ..Call::post("/customers/1234/search/applicantworkflows", &body)
        },
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, auth_error(assumptions::BODY_HASH_MESSAGE));

    // Stale and future dates.
    for offset in [time::Duration::hours(-1), time::Duration::minutes(20)] {
        let date = OffsetDateTime::now_utc() + offset;
        let r = send(
            &sim,
            Call {
                date,
                ..Call::get(&path)
            },
        )
        .await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            auth_error("Request date is outside the allowed window")
        );
    }
    // A few minutes off is fine.
    let r = send(
        &sim,
        Call {
            date: OffsetDateTime::now_utc() - time::Duration::minutes(5),
            ..Call::get(&path)
        },
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(sim.remaining(), 9_999);
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_customer_unknown_records_and_paths_are_404() {
    let (sim, world) = default_sim().await;
    let r = get(
        &sim,
        &format!("/customers/9999/people/{}", world.people[0].id),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.body,
        json!({ "errors": [ { "errorMessage": "Customer not found.", "errorCode": 2 } ] })
    );
    assert_eq!(r.header("x-error"), "2:Customer not found.");

    for (path, message) in [
        ("/customers/1234/people/1", "Person not found."),
        ("/customers/1234/jobs/1", "Job not found."),
        (
            "/customers/1234/applicantworkflows/1",
            "Applicant workflow not found.",
        ),
        ("/customers/1234/people/abc", "Person not found."),
        ("/customers/1234/People/1", "Resource not found."),
        ("/customers/1234/widgets", "Resource not found."),
        ("/", "Resource not found."),
    ] {
        let r = get(&sim, path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_eq!(r.body["errors"][0]["errorMessage"], message, "{path}");
        assert_eq!(r.body["errors"][0]["errorCode"], 2);
    }
    let r = send(
        &sim,
        Call::post(
            &format!("/customers/1234/people/{}", world.people[0].id),
            "{}",
        ),
    )
    .await;
    assert_eq!(r.status, 405);
    sim.shutdown().await;
}

#[tokio::test]
async fn search_pages_by_id_1000_at_a_time() {
    let mut world = World::default();
    for i in 0..2500 {
        world.add_hire(
            "Pat",
            &format!("Number{i}"),
            Some(&format!("pat{i}@example.com")),
            1_700_000_000,
        );
    }
    let job = world.jobs[0].id;
    let noise = world.add_person(crate::seed::Person::new(0, "Noah", "Noise"));
    world.add_workflow(noise, job, "Offer", 1_700_000_000);
    let expected: Vec<u64> = world
        .workflows_in_status(&["Hired"])
        .iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(expected.len(), 2500);

    let sim = start(IcimsSimConfig::default(), &world).await.unwrap();
    let mut seen: Vec<u64> = Vec::new();
    let mut sizes = Vec::new();
    let mut last = 0;
    loop {
        let r = search(&sim, hired_after(last)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ids = r.ids();
        sizes.push(ids.len());
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ascending");
        if let Some(&id) = ids.first() {
            assert_eq!(
                r.body["searchResults"][0]["self"],
                format!("{}/customers/1234/applicantworkflows/{id}", sim.url())
            );
        }
        seen.extend(&ids);
        match ids.last() {
            Some(&l) if ids.len() == 1000 => last = l,
            _ => break,
        }
    }
    assert_eq!(sizes, [1000, 1000, 500]);
    assert_eq!(seen, expected);
    let r = search(&sim, hired_after(*expected.last().unwrap())).await;
    assert_eq!(r.body, json!({ "searchResults": [] }));
    let log = sim.request_log();
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|e| e.method == "POST"
        && e.query.as_deref() == Some("staleness=0")
        && e.status == 200));
    sim.shutdown().await;
}

#[tokio::test]
async fn status_filter_by_id_or_text_and_search_errors() {
    let (sim, world) = default_sim().await;
    let hired: Vec<u64> = world
        .workflows_in_status(&["Hired"])
        .iter()
        .map(|w| w.id)
        .collect();
    assert!(
        hired.len() < world.workflows.len(),
        "the world has non-hired workflows"
    );
    for value in [HIRED.id, HIRED.value, "hired"] {
        let r = search(&sim, json!({ "filters": [ { "name": "applicantworkflow.status", "value": [value], "operator": "=" } ] })).await;
        assert_eq!(r.ids(), hired, "{value}");
    }
    let offers: Vec<u64> = world
        .workflows_in_status(&[OFFER.id])
        .iter()
        .map(|w| w.id)
        .collect();
    let r = search(
        &sim,
        json!({ "filters": [ { "name": "applicantworkflow.status", "value": ["Offer"] } ] }),
    )
    .await;
    assert_eq!(r.ids(), offers);
    let r = search(
        &sim,
        json!({ "filters": [ { "name": "applicantworkflow.status", "value": ["D00000"] } ] }),
    )
    .await;
    assert_eq!(
        r.body,
        json!({ "searchResults": [] }),
        "an unknown list node id finds nothing"
    );

    let r = search(&sim, json!({ "filters": [] })).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errors"][0]["errorMessage"],
        "At least one filter must be specified"
    );
    let r = search(
        &sim,
        json!({ "filters": [ { "name": "applicantworkflow.bogus", "value": ["1"] } ] }),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["errors"][0]["errorMessage"],
        "The following filter is either not valid or hidden: [applicantworkflow.bogus]"
    );
    assert!(r.header("x-error").starts_with("1:The following filter"));
    sim.shutdown().await;
}

#[tokio::test]
async fn updateddate_filter_sees_status_changes() {
    let (sim, world) = default_sim().await;
    let offer = world.workflows_in_status(&["Offer"])[0].id;
    let since = profiles::icims_datetime(OffsetDateTime::now_utc().unix_timestamp() - 60);
    let body = json!({ "filters": [
        { "name": "applicantworkflow.status", "value": [HIRED.id], "operator": "=" },
        { "name": "applicantworkflow.updateddate", "value": [since], "operator": ">=" } ], "operator": "&" });
    assert_eq!(search(&sim, body.clone()).await.ids(), Vec::<u64>::new());
    assert!(sim.set_workflow_status(offer, "Hired"));
    assert_eq!(search(&sim, body.clone()).await.ids(), [offer]);
    let r = get(&sim, &format!("/customers/1234/applicantworkflows/{offer}")).await;
    assert_eq!(
        r.body["status"],
        json!({ "id": "C12345", "formattedvalue": "Hired", "value": "Hired" })
    );

    // A date iCIMS cannot parse imposes no constraint (silently).
    let lenient = json!({ "filters": [
        { "name": "applicantworkflow.status", "value": [HIRED.id] },
        { "name": "applicantworkflow.updateddate", "value": ["last tuesday"], "operator": ">=" } ] });
    assert_eq!(
        search(&sim, lenient).await.ids().len(),
        world.workflows_in_status(&["Hired"]).len() + 1
    );

    // A new hire shows up too.
    let added = sim.add_hire("Nia", "New", Some("nia.new@example.com"));
    let ids = search(&sim, body).await.ids();
    assert_eq!(ids, [offer, added.workflow_id]);
    let r = get(&sim, &format!("/customers/1234/people/{}", added.person_id)).await;
    assert_eq!(r.body["email"], "nia.new@example.com");
    sim.shutdown().await;
}

#[tokio::test]
async fn profiles_have_the_reference_shapes() {
    let (sim, world) = default_sim().await;
    let wf = world.workflows_in_status(&["Hired"])[0];
    let person = world.person(wf.person_id).unwrap();
    let job = world.job(wf.job_id).unwrap();
    let base = format!("{}/customers/1234", sim.url());

    let r = get(
        &sim,
        &format!("/customers/1234/applicantworkflows/{}", wf.id),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["associatedprofile"],
        json!({ "profile": format!("{base}/people/{}", person.id), "id": person.id, "value": person.display_name() })
    );
    assert_eq!(
        r.body["baseprofile"],
        json!({ "profile": format!("{base}/jobs/{}", job.id), "id": job.id, "value": job.jobtitle })
    );
    assert_eq!(r.body["status"]["id"], "C12345");
    let updated = r.body["updateddate"].as_str().unwrap();
    assert_eq!(updated, profiles::icims_datetime(wf.updated_unix));
    assert!(
        updated.ends_with(" AM") || updated.ends_with(" PM"),
        "{updated}"
    );
    assert_eq!(
        r.body["links"][0]["url"],
        format!("{base}/applicantworkflows/{}", wf.id)
    );

    let r = get(
        &sim,
        &format!(
            "/customers/1234/jobs/{}?fields=jobtitle,jobid,folder",
            job.id
        ),
    )
    .await;
    assert_eq!(r.body["jobtitle"], job.jobtitle.as_str());
    assert_eq!(r.body["jobid"], job.jobid.as_str());
    assert_eq!(r.body["folder"]["value"], "Approved");

    // A person with everything, without `fields`.
    let full = world
        .hired_people(&["Hired"])
        .into_iter()
        .find(|p| p.gender.as_deref() == Some("Female"))
        .unwrap();
    let r = get(&sim, &format!("/customers/1234/people/{}", full.id)).await;
    assert_eq!(
        r.body["gender"],
        json!({ "id": "D10402", "value": "Female", "formattedvalue": "Female" })
    );
    let home = &r.body["addresses"][0];
    assert_eq!(home["addresstype"]["value"], "Home");
    assert_eq!(
        home["addresscountry"],
        json!({ "id": "D41001", "value": "United States", "abbrev": "US" })
    );
    assert!(home["addressstate"]["abbrev"].is_string() && home["addressstate"]["id"].is_string());
    assert!(
        home["addresszip"].is_string()
            && home["addressstreet1"].is_string()
            && home["addresscity"].is_string()
    );
    assert_eq!(r.body["phones"][0]["phonetype"]["value"], "Mobile");
    assert!(r.body["rcf1234"].is_string() && r.body["field50123"].is_string());
    assert_eq!(r.body["folder"]["value"], "Emp:New Hire");

    // Absent values are absent.
    let no_email = world
        .hired_people(&["Hired"])
        .into_iter()
        .find(|p| p.email.is_none())
        .unwrap();
    let r = get(&sim, &format!("/customers/1234/people/{}", no_email.id)).await;
    assert!(r.body.get("email").is_none() && r.body.get("firstname").is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn person_fields_filter() {
    let (sim, world) = default_sim().await;
    let p = &world.hired_people(&["Hired"])[0];
    let keys = |r: &Reply| {
        r.body
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    let set = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();

    for query in ["fields=firstname%2Clastname", "fields=firstname,lastname"] {
        let r = get(&sim, &format!("/customers/1234/people/{}?{query}", p.id)).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            keys(&r),
            set(&["firstname", "lastname", "links"]),
            "{query}"
        );
    }
    let r = get(&sim, &format!("/customers/1234/people/{}?fields=addresses%2Cemail%2Cfirstname%2Cgender%2Clastname%2Cphones%2Csalary%2Cstartdate", p.id)).await;
    assert!(keys(&r).is_subset(&set(&[
        "addresses",
        "email",
        "firstname",
        "gender",
        "lastname",
        "phones",
        "startdate",
        "links"
    ])));
    assert!(r.body.get("rcf1234").is_none() && r.body.get("hiredate").is_none());

    let r = get(
        &sim,
        &format!("/customers/1234/people/{}?fields=firstname,StartDate", p.id),
    )
    .await;
    assert_eq!(keys(&r), set(&["firstname", "links", "warnings"]));
    assert_eq!(
        r.header("x-warning"),
        "4:StartDate:Field name must be all lowercase."
    );
    assert_eq!(r.body["warnings"][0]["errorCode"], 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn raw_overrides_serve_a_malformed_person() {
    let (sim, world) = default_sim().await;
    let p = world.hired_people(&["Hired"])[0].clone();
    let path = format!("/customers/1234/people/{}", p.id);
    assert!(get(&sim, &path).await.body["addresses"].is_array());

    assert!(sim.set_person_raw_field(p.id, "addresses", json!({ "entry": 1 })));
    assert!(sim.set_person_raw_field(p.id, "startdate", json!(20250203)));
    assert!(!sim.set_person_raw_field(1, "addresses", json!(null)));
    let r = get(&sim, &path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["addresses"], json!({ "entry": 1 }));
    assert_eq!(r.body["startdate"], 20250203);
    assert_eq!(
        r.body["firstname"],
        p.firstname.as_str(),
        "the rest as before"
    );
    // `fields` still selects, overridden keys included.
    let r = get(&sim, &format!("{path}?fields=addresses,lastname")).await;
    assert_eq!(r.body["addresses"], json!({ "entry": 1 }));
    assert!(r.body.get("startdate").is_none());
    // Other people are untouched; the override is part of the data (and survives serde).
    let other = world.hired_people(&["Hired"])[1].id;
    let r = get(&sim, &format!("/customers/1234/people/{other}")).await;
    assert!(r.body["addresses"].is_array());
    let w = sim.world();
    let text = serde_json::to_string(&w).unwrap();
    assert_eq!(serde_json::from_str::<World>(&text).unwrap(), w);
    assert_eq!(
        w.person(p.id).unwrap().raw_overrides["addresses"],
        json!({ "entry": 1 })
    );
    // Seeded through the world too.
    let mut world = world;
    let id = world.hired_people(&["Hired"])[2].id;
    world
        .people
        .iter_mut()
        .find(|q| q.id == id)
        .unwrap()
        .raw_overrides
        .insert("phones".into(), json!("555-0100"));
    let sim2 = start(IcimsSimConfig::default(), &world).await.unwrap();
    let r = get(&sim2, &format!("/customers/1234/people/{id}")).await;
    assert_eq!(r.body["phones"], "555-0100");
    sim.shutdown().await;
    sim2.shutdown().await;
}

#[tokio::test]
async fn daily_budget_runs_out_with_429() {
    let (sim, world) = default_sim().await;
    let path = format!("/customers/1234/people/{}", world.people[0].id);
    sim.set_remaining(2);
    assert_eq!(get(&sim, &path).await.remaining(), 1);
    assert_eq!(get(&sim, &path).await.remaining(), 0);
    let r = get(&sim, &path).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.remaining(), 0);
    assert_eq!(
        r.body,
        json!({ "errors": [ { "errorMessage": assumptions::RATE_LIMIT_MESSAGE, "errorCode": assumptions::RATE_LIMIT_ERROR_CODE } ] })
    );
    assert_eq!(sim.remaining(), 0);
    sim.set_remaining(5);
    assert_eq!(get(&sim, &path).await.status, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_faults() {
    let (sim, world) = default_sim().await;
    let path = format!("/customers/1234/people/{}", world.people[0].id);
    sim.fail_next(2, 503);
    sim.fail_next(1, 500);
    for expected in [503, 503, 500, 200] {
        let r = get(&sim, &path).await;
        assert_eq!(r.status, expected);
        if expected != 200 {
            assert_eq!(r.body["errors"][0]["errorCode"], 0);
            assert!(r.header("x-error").starts_with("0:"));
        }
    }
    assert_eq!(
        sim.remaining(),
        10_000 - 4,
        "injected failures spend budget"
    );

    sim.set_error_rate(1.0);
    for _ in 0..5 {
        assert!([500, 503].contains(&get(&sim, &path).await.status.as_u16()));
    }
    sim.set_error_rate(0.0);

    let log = sim.request_log();
    assert_eq!(
        log.iter().map(|e| e.status).collect::<Vec<_>>()[..4],
        [503, 503, 500, 200]
    );
    assert!(log.iter().all(|e| e.path == path && e.query.is_none()));
    sim.shutdown().await;
}

#[tokio::test]
async fn error_rate_is_reproducible_for_a_seed() {
    let world = World::generate(&SeedConfig::default());
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = start(
            IcimsSimConfig {
                error_rate: 0.5,
                seed: 42,
                ..IcimsSimConfig::default()
            },
            &world,
        )
        .await
        .unwrap();
        let mut statuses = Vec::new();
        for _ in 0..12 {
            statuses.push(get(&sim, "/customers/1234/jobs/0").await.status.as_u16());
        }
        sim.shutdown().await;
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(
        runs[0].contains(&404) && runs[0].iter().any(|s| *s >= 500),
        "{:?}",
        runs[0]
    );
}

#[tokio::test]
async fn hanging_requests_trip_client_timeouts_and_shutdown_is_prompt() {
    let world = World::generate(&SeedConfig::default());
    let sim = start(
        IcimsSimConfig {
            hang_duration: Duration::from_secs(30),
            ..IcimsSimConfig::default()
        },
        &world,
    )
    .await
    .unwrap();
    let url = format!("{}/customers/1234/jobs/{}", sim.url(), world.jobs[0].id);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let signed = || {
        sign(
            "GET",
            &url,
            b"",
            DEFAULT_USERNAME,
            DEFAULT_HMAC_KEY,
            &iso(OffsetDateTime::now_utc()),
            ", ",
        )
    };

    sim.hang_next(1);
    let err = client.get(&url).headers(signed()).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(
        client
            .get(&url)
            .headers(signed())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    sim.set_latency(Duration::from_millis(100));
    let started = std::time::Instant::now();
    assert_eq!(
        client
            .get(&url)
            .headers(signed())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(100));

    // Leave one request hanging; shutdown must not wait 30 s for it.
    sim.hang_next(1);
    let hanging = tokio::spawn({
        let url = url.clone();
        let headers = signed();
        async move {
            reqwest::Client::new()
                .get(&url)
                .headers(headers)
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .expect("prompt shutdown");
    assert!(started.elapsed() < Duration::from_secs(5));
    let _ = hanging.await;
}

#[tokio::test]
async fn the_control_path_adds_a_hire_a_sync_can_use_and_spends_no_budget() {
    let (sim, world) = default_sim().await;
    let before = sim.remaining();
    let http = reqwest::Client::new();
    let url = format!("{}{}", sim.url(), super::server::CONTROL_HIRES);
    let r = http
        .post(&url)
        .body(r#"{"firstname": "Zoë", "lastname": "Ng"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    let person_id = added["person_id"].as_u64().unwrap();
    // Without a body: a generated name.
    let r = http.post(&url).send().await.unwrap();
    assert_eq!(r.status(), 201);
    // Only POST, and the body must be the documented JSON.
    assert_eq!(http.get(&url).send().await.unwrap().status(), 405);
    let r = http.post(&url).body("firstname=Jane").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        sim.remaining(),
        before,
        "the control path spends no iCIMS budget"
    );

    // The hire is hired (found by a search), has an email and starts after it was hired.
    let ids = search(&sim, hired_after(0)).await.ids();
    assert_eq!(ids.len(), world.workflows_in_status(&["Hired"]).len() + 2);
    let r = get(&sim, &format!("/customers/1234/people/{person_id}")).await;
    assert_eq!(r.body["email"], "zoe.ng@sandbox.example");
    let hired = r.body["hiredate"].as_str().unwrap().to_string();
    let starts = r.body["startdate"].as_str().unwrap().to_string();
    assert!(starts > hired, "{hired} .. {starts}");
    sim.shutdown().await;
}
