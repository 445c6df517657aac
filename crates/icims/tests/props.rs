//! Property tests of everything this crate reads from iCIMS: record replies (person, workflow,
//! job), search replies, error replies and their headers (`X-Error`, `x-ratelimit-*`,
//! `Retry-After`, `Date`).
//!
//! - Arbitrary bytes and arbitrary JSON never panic: they give a value or an error.
//! - Generated well-formed records read back as exactly what was generated, both through
//!   `serde_json` and over real HTTP (wiremock on 127.0.0.1) through the client.
//! - Every error a reply can cause is bounded in length and never repeats the HMAC key.
//!
//! Cases per property: `PROPTEST_CASES` (proptest reads it), else 256.

use icims::{
    Client, Config, Endpoint, Error, Job, JobId, ListNode, MAX_MESSAGE_CHARS, MAX_MESSAGES_KEPT,
    Person, PersonId, ProfileRef, SearchQuery, SecretString, Workflow, WorkflowId,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex, OnceLock};
use time::OffsetDateTime;
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "pr0p-T3st-hmac-KEY-4f9a2c";

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Keys the models read, so generated JSON reaches their field parsers, plus the envelope keys
/// of search and error replies.
const MODEL_KEYS: &[&str] = &[
    "firstname",
    "middlename",
    "lastname",
    "email",
    "hiredate",
    "startdate",
    "gender",
    "addresses",
    "phones",
    "associatedprofile",
    "baseprofile",
    "status",
    "updateddate",
    "id",
    "value",
    "formattedvalue",
    "abbrev",
    "profile",
    "addresstype",
    "addressstreet1",
    "addressstreet2",
    "addresscity",
    "addressstate",
    "addresscountry",
    "addresszip",
    "phonetype",
    "phonenumber",
    "jobtitle",
    "jobid",
    "searchResults",
    "errors",
    "warnings",
    "errorMessage",
    "errorCode",
];

/// Any text, control characters, newlines and non-ASCII included.
fn text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s).{{0,{max}}}"))
        .expect("regex")
        .boxed()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(MODEL_KEYS).prop_map(str::to_owned),
        1 => text(8),
    ]
}

/// A JSON scalar; `floats` adds non-integer numbers (which do not round-trip through text
/// exactly, so round-trip properties leave them out).
fn scalar(floats: bool) -> BoxedStrategy<Value> {
    let base = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        text(16).prop_map(Value::String),
        "[ ]{0,2}[0-9]{1,21}[ ]{0,2}".prop_map(Value::String),
    ];
    if floats {
        prop_oneof![
            6 => base,
            1 => any::<f64>().prop_filter_map("finite", |f| {
                serde_json::Number::from_f64(f).map(Value::Number)
            }),
        ]
        .boxed()
    } else {
        base.boxed()
    }
}

/// Any JSON value, at most 4 levels deep.
fn json_value(floats: bool) -> BoxedStrategy<Value> {
    scalar(floats)
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(key(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// Extra keys of a record: never one of `named`, values without floats.
fn extra(named: &'static [&'static str]) -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map(
        text(10).prop_filter("not a modelled key", move |k| !named.contains(&k.as_str())),
        json_value(false),
        0..4,
    )
    .prop_map(|m| m.into_iter().collect())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text(24))
}

fn list_node() -> impl Strategy<Value = ListNode> {
    (opt_text(), opt_text(), opt_text(), opt_text()).prop_map(
        |(id, value, formattedvalue, abbrev)| ListNode {
            id,
            value,
            formattedvalue,
            abbrev,
        },
    )
}

fn address() -> impl Strategy<Value = icims::Address> {
    const NAMED: &[&str] = &[
        "addresstype",
        "addressstreet1",
        "addressstreet2",
        "addresscity",
        "addressstate",
        "addresscountry",
        "addresszip",
    ];
    (
        prop::option::of(list_node()),
        (opt_text(), opt_text(), opt_text()),
        prop::option::of(list_node()),
        prop::option::of(list_node()),
        opt_text(),
        extra(NAMED),
    )
        .prop_map(
            |(
                addresstype,
                (addressstreet1, addressstreet2, addresscity),
                addressstate,
                addresscountry,
                addresszip,
                extra,
            )| {
                icims::Address {
                    addresstype,
                    addressstreet1,
                    addressstreet2,
                    addresscity,
                    addressstate,
                    addresscountry,
                    addresszip,
                    extra,
                }
            },
        )
}

fn phone() -> impl Strategy<Value = icims::Phone> {
    (
        prop::option::of(list_node()),
        opt_text(),
        extra(&["phonetype", "phonenumber"]),
    )
        .prop_map(|(phonetype, phonenumber, extra)| icims::Phone {
            phonetype,
            phonenumber,
            extra,
        })
}

fn person() -> impl Strategy<Value = Person> {
    const NAMED: &[&str] = &[
        "firstname",
        "middlename",
        "lastname",
        "email",
        "hiredate",
        "startdate",
        "gender",
        "addresses",
        "phones",
    ];
    (
        (opt_text(), opt_text(), opt_text(), opt_text()),
        (opt_text(), opt_text(), prop::option::of(list_node())),
        prop::collection::vec(address(), 0..3),
        prop::collection::vec(phone(), 0..3),
        extra(NAMED),
    )
        .prop_map(
            |(
                (firstname, middlename, lastname, email),
                (hiredate, startdate, gender),
                addresses,
                phones,
                extra,
            )| {
                Person {
                    firstname,
                    middlename,
                    lastname,
                    email,
                    hiredate,
                    startdate,
                    gender,
                    addresses,
                    phones,
                    extra,
                }
            },
        )
}

/// An id iCIMS could send that the client reads: at most i64::MAX (the history keeps ids as
/// SQLite integers; larger ones are refused, see `ids_read_from_numbers_and_digit_strings_only`).
fn id() -> impl Strategy<Value = u64> {
    0..=i64::MAX as u64
}

fn profile_ref() -> impl Strategy<Value = ProfileRef<u64>> {
    (prop::option::of(id()), opt_text(), opt_text()).prop_map(|(id, value, profile)| ProfileRef {
        id,
        value,
        profile,
    })
}

fn workflow() -> impl Strategy<Value = Workflow> {
    const NAMED: &[&str] = &["associatedprofile", "baseprofile", "status", "updateddate"];
    (
        prop::option::of(profile_ref()),
        prop::option::of(profile_ref()),
        prop::option::of(list_node()),
        opt_text(),
        extra(NAMED),
    )
        .prop_map(|(person, job, status, updateddate, extra)| Workflow {
            associatedprofile: person.map(|p| ProfileRef {
                id: p.id.map(PersonId),
                value: p.value,
                profile: p.profile,
            }),
            baseprofile: job.map(|p| ProfileRef {
                id: p.id.map(JobId),
                value: p.value,
                profile: p.profile,
            }),
            status,
            updateddate,
            extra,
        })
}

fn job() -> impl Strategy<Value = Job> {
    (opt_text(), opt_text(), extra(&["jobtitle", "jobid"])).prop_map(|(jobtitle, jobid, extra)| {
        Job {
            jobtitle,
            jobid,
            extra,
        }
    })
}

/// A body iCIMS (or something in its place) might send.
fn reply_body() -> impl Strategy<Value = Vec<u8>> {
    let key_echo = (text(200), text(200)).prop_map(|(a, b)| format!("{a}{KEY}{b}"));
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        json_value(true).prop_map(|v| serde_json::to_vec(&v).expect("json")),
        // Error envelopes with long, many, odd or key-echoing messages.
        (
            prop::collection::vec(
                (
                    prop_oneof![text(40), text(2000), key_echo.clone()],
                    scalar(true)
                ),
                0..25
            ),
            any::<bool>()
        )
            .prop_map(|(items, ok_shape)| {
                let errors: Vec<Value> = items
                    .into_iter()
                    .map(|(m, c)| json!({"errorMessage": m, "errorCode": c}))
                    .collect();
                let body = if ok_shape {
                    json!({ "errors": errors })
                } else {
                    json!({ "errors": errors, "searchResults": null })
                };
                serde_json::to_vec(&body).expect("json")
            }),
        // An HTML error page or plain text, possibly echoing the key.
        prop_oneof![text(3000), key_echo]
            .prop_map(|t| format!("<html><body>{t}</body></html>").into_bytes()),
        text(3000).prop_map(String::into_bytes),
        (text(300), text(300)).prop_map(|(a, b)| format!("{a}{KEY}{b}").into_bytes()),
        // The key where a shortened message would cut it: in plain text, a page's title.
        ("[a-z ]{60,320}", any::<bool>()).prop_map(|(before, page)| if page {
            format!("<html><head><title>{before}{KEY}</title></head></html>").into_bytes()
        } else {
            format!("{before}{KEY} and more").into_bytes()
        }),
        // Truncated JSON.
        (person(), any::<prop::sample::Index>()).prop_map(|(p, cut)| {
            let full = serde_json::to_vec(&p).expect("json");
            full[..cut.index(full.len())].to_vec()
        }),
    ]
}

/// Header values as HTTP carries them: visible ASCII and spaces.
fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        ("[ -~]{0,20}", "[ -~]{0,20}").prop_map(|(a, b)| format!("{a}{KEY}{b}")),
        "[0-9]{1,4}:[ -~]{0,400}",
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(302),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(409),
        Just(418),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
        Just(504),
    ]
}

// ---------------------------------------------------------------------------------------------
// Real HTTP: one wiremock server per test whose answer each case sets.
// ---------------------------------------------------------------------------------------------

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

#[derive(Clone)]
struct Answer(Arc<Mutex<ResponseTemplate>>);

impl Respond for Answer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().expect("answer").clone()
    }
}

struct Server {
    _server: MockServer,
    answer: Answer,
    client: Client,
}

impl Server {
    fn start() -> Server {
        let answer = Answer(Arc::new(Mutex::new(ResponseTemplate::new(500))));
        let server = runtime().block_on(async {
            let server = MockServer::start().await;
            Mock::given(any_request())
                .respond_with(answer.clone())
                .mount(&server)
                .await;
            server
        });
        let config = Config::new(
            Endpoint::BaseUrl(server.uri()),
            "1234",
            "apiuser",
            SecretString::from(KEY),
        )
        .expect("config");
        Server {
            client: Client::new(config).expect("client"),
            answer,
            _server: server,
        }
    }

    fn answer_with(&self, template: ResponseTemplate) {
        *self.answer.0.lock().expect("answer") = template;
    }

    fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        runtime().block_on(f)
    }
}

/// The longest error text a reply can cause: the kept messages, each bounded, plus the
/// sentence around them.
const MAX_ERROR_CHARS: usize = (MAX_MESSAGES_KEPT + 1) * (MAX_MESSAGE_CHARS + 2) + 600;

fn check_error(e: &Error) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(
        shown.chars().count() <= MAX_ERROR_CHARS,
        "error of {} characters",
        shown.chars().count()
    );
    let debug = format!("{e:?}");
    // Not the key, nor a piece of it cut where a message was shortened.
    for piece in KEY.as_bytes().windows(10) {
        let piece = std::str::from_utf8(piece).expect("ASCII key");
        prop_assert!(!shown.contains(piece), "the key leaked: {shown}");
        prop_assert!(!debug.contains(piece), "the key leaked in Debug: {debug}");
    }
    Ok(())
}

fn config() -> ProptestConfig {
    // 256 unless PROPTEST_CASES says otherwise (ProptestConfig::default() reads it).
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        // Failing inputs are kept in `<crate>/proptest-regressions/props.txt` and tried first
        // on every later run (the default place needs a lib.rs beside the test file).
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/props.txt",
        ))),
        ..ProptestConfig::with_cases(cases)
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_as_a_record_give_a_value_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = serde_json::from_slice::<Person>(&bytes);
        let _ = serde_json::from_slice::<Workflow>(&bytes);
        let _ = serde_json::from_slice::<Job>(&bytes);
        let _ = serde_json::from_slice::<ListNode>(&bytes);
        let _ = serde_json::from_slice::<PersonId>(&bytes);
    }

    #[test]
    fn arbitrary_json_as_a_record_gives_a_value_or_an_error(v in json_value(true)) {
        let _ = serde_json::from_value::<Person>(v.clone());
        let _ = serde_json::from_value::<Workflow>(v.clone());
        let _ = serde_json::from_value::<Job>(v.clone());
        let _ = serde_json::from_value::<ProfileRef<PersonId>>(v.clone());
        let _ = serde_json::from_value::<WorkflowId>(v.clone());
        // A list node takes any value: a scalar becomes its text.
        let node = serde_json::from_value::<ListNode>(v.clone());
        prop_assert!(node.is_ok(), "{v}: {node:?}");
        if let Value::String(s) = &v {
            let node = node.expect("ok");
            prop_assert_eq!(node.value.as_deref(), Some(s.as_str()));
        }
    }

    #[test]
    fn a_generated_person_reads_back_as_itself(p in person()) {
        let wire = serde_json::to_vec(&p).expect("json");
        let back: Person = serde_json::from_slice(&wire).expect("reads back");
        prop_assert_eq!(back, p);
    }

    #[test]
    fn a_generated_workflow_reads_back_as_itself(w in workflow()) {
        let wire = serde_json::to_vec(&w).expect("json");
        let back: Workflow = serde_json::from_slice(&wire).expect("reads back");
        prop_assert_eq!(back.person_id(), w.person_id());
        prop_assert_eq!(back.job_id(), w.job_id());
        prop_assert_eq!(back, w);
    }

    #[test]
    fn a_generated_job_reads_back_as_itself(j in job()) {
        let wire = serde_json::to_vec(&j).expect("json");
        let back: Job = serde_json::from_slice(&wire).expect("reads back");
        prop_assert_eq!(back, j);
    }

    #[test]
    fn ids_read_from_numbers_and_digit_strings_only(
        n in any::<u64>(),
        pad in "[ ]{0,3}",
        junk in "(?s).{0,12}",
    ) {
        // Ids above i64::MAX are refused: the history keeps them as SQLite integers.
        let id = (n <= i64::MAX as u64).then_some(PersonId(n));
        let from_number = serde_json::from_value::<PersonId>(json!(n)).ok();
        prop_assert_eq!(from_number, id);
        let from_text =
            serde_json::from_value::<PersonId>(json!(format!("{pad}{n}{pad}"))).ok();
        prop_assert_eq!(from_text, id);
        let read = serde_json::from_value::<PersonId>(json!(junk));
        let digits = junk.trim();
        let expected = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse::<u64>().ok())
            .flatten()
            .filter(|&d| d <= i64::MAX as u64);
        prop_assert_eq!(read.ok(), expected.map(PersonId), "{:?}", junk);
        // Negative and fractional numbers are not ids.
        let negative = json!(-1 - i64::try_from(n / 2).expect("fits"));
        prop_assert!(serde_json::from_value::<PersonId>(negative).is_err());
        prop_assert!(serde_json::from_value::<PersonId>(json!(n as f64 + 0.5)).is_err());
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_reply_to_a_person_read_is_a_record_or_a_bounded_error(
        status in status(),
        body in reply_body(),
        x_error in prop::option::of(header_text()),
        json_type in any::<bool>(),
        location in prop::option::of("[a-z/]{30,90}".prop_map(|p| format!("https://login.example.com/{p}?k={KEY}"))),
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);
        let mut t = ResponseTemplate::new(status).set_body_raw(
            body,
            if json_type { "application/json" } else { "text/html" },
        );
        if let Some(x) = x_error {
            t = t.insert_header("x-error", x.as_str());
        }
        if let Some(to) = location {
            t = t.insert_header("location", to.as_str());
        }
        s.answer_with(t);
        match s.block_on(s.client.person(PersonId(7), &[])) {
            Ok(_) => prop_assert!((200..300).contains(&status), "HTTP {status} read as a record"),
            Err(e) => check_error(&e)?,
        }
    }

    #[test]
    fn any_reply_to_a_search_is_a_page_or_a_bounded_error(
        status in status(),
        body in reply_body(),
        x_error in prop::option::of(header_text()),
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);
        let mut t = ResponseTemplate::new(status).set_body_raw(body, "application/json");
        if let Some(x) = x_error {
            t = t.insert_header("x-error", x.as_str());
        }
        s.answer_with(t);
        match s.block_on(s.client.search_workflows(&SearchQuery::statuses(["Hired"]))) {
            // A failed status reads as a page only when iCIMS says "no results".
            Ok(r) => prop_assert!(
                (200..300).contains(&status) || r.value.ids.is_empty(),
                "HTTP {status} read as {} ids", r.value.ids.len()
            ),
            Err(e) => check_error(&e)?,
        }
    }

    #[test]
    fn a_well_formed_reply_reads_as_what_was_sent(
        p in person(),
        w in workflow(),
        j in job(),
        mut ids in prop::collection::btree_set(id(), 0..40),
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);

        s.answer_with(ResponseTemplate::new(200).set_body_raw(serde_json::to_vec(&p).expect("json"), "application/json"));
        let got = s.block_on(s.client.person(PersonId(1), &[])).expect("person");
        prop_assert_eq!(got.value, p);

        s.answer_with(ResponseTemplate::new(200).set_body_raw(serde_json::to_vec(&w).expect("json"), "application/json"));
        let got = s.block_on(s.client.workflow(WorkflowId(1))).expect("workflow");
        prop_assert_eq!(got.value, w);

        s.answer_with(ResponseTemplate::new(200).set_body_raw(serde_json::to_vec(&j).expect("json"), "application/json"));
        let got = s.block_on(s.client.job(JobId(1))).expect("job");
        prop_assert_eq!(got.value, j);

        ids.remove(&0);
        let hits: Vec<Value> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| if i % 2 == 0 { json!({"id": id}) } else { json!({"id": id.to_string(), "self": "x"}) })
            .collect();
        s.answer_with(ResponseTemplate::new(200).set_body_json(json!({"searchResults": hits})));
        let page = s
            .block_on(s.client.search_workflows(&SearchQuery::statuses(["Hired"])))
            .expect("search");
        let want: Vec<WorkflowId> = ids.into_iter().map(WorkflowId).collect();
        prop_assert_eq!(page.value.ids, want);
    }

    #[test]
    fn rate_limit_and_date_headers_read_as_sent(
        limit in prop::option::of(any::<u64>()),
        remaining in prop::option::of(any::<u64>()),
        junk in "[ -~]{0,20}",
        pad in "[ ]{0,2}",
        at in 0i64..253_402_300_799, // 1970-01-01 .. 9999-12-31
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);
        let at = OffsetDateTime::from_unix_timestamp(at).expect("in range");
        let date = at
            .format(&time::format_description::well_known::Rfc2822)
            .expect("format")
            .replace("+0000", "GMT");
        let mut t = ResponseTemplate::new(200)
            .set_body_json(json!({}))
            .insert_header("date", date.as_str())
            .insert_header("x-ratelimit-reset", junk.as_str());
        if let Some(n) = limit {
            t = t.insert_header("x-ratelimit-limit", format!("{pad}{n}{pad}").as_str());
        }
        if let Some(n) = remaining {
            t = t.insert_header("x-ratelimit-remaining", n.to_string().as_str());
        }
        s.answer_with(t);
        let reply = s.block_on(s.client.job(JobId(1))).expect("job");
        prop_assert_eq!(reply.server_date, Some(at), "{}", date);
        let junk_number = junk.trim().parse::<u64>().ok();
        if limit.is_none() && remaining.is_none() && junk_number.is_none() {
            prop_assert_eq!(reply.rate_limit, None);
        } else {
            let rl = reply.rate_limit.expect("rate limit");
            prop_assert_eq!(rl.limit, limit);
            prop_assert_eq!(rl.remaining, remaining);
            prop_assert_eq!(rl.reset_secs, junk_number);
        }
    }

    #[test]
    fn a_429_says_when_the_budget_resets_from_retry_after(
        secs in any::<u64>(),
        junk in "[ -~]{0,20}",
        number in any::<bool>(),
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);
        let sent = if number { format!(" {secs} ") } else { junk.clone() };
        s.answer_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"errors": [{"errorMessage": "Too many requests", "errorCode": 9}]}))
                .insert_header("retry-after", sent.as_str()),
        );
        let e = s.block_on(s.client.job(JobId(1))).expect_err("429 is an error");
        check_error(&e)?;
        let want = if number { Some(secs) } else { junk.trim().parse::<u64>().ok() };
        match e {
            Error::RateLimited { reset_secs } => prop_assert_eq!(reset_secs, want),
            other => prop_assert!(false, "429 read as {other:?}"),
        }
    }
}
