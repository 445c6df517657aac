//! Property tests of everything this crate reads from outside: Namely's answers (profile
//! listings, `/profiles/me`, profile fields, company info, error bodies), the dates in them,
//! and the company permalink a person types.
//!
//! - Arbitrary bytes and arbitrary JSON never panic: they give a value or an error.
//! - Generated well-formed answers read back as exactly what was generated, through
//!   `serde_json` and over real HTTP (wiremock on 127.0.0.1) through the client.
//! - Every error an answer can cause is bounded in length and never repeats the token.
//! - A permalink, once accepted, always names `<label>.namely.com` and normalises idempotently.
//!
//! Cases per property: `PROPTEST_CASES`, else 256.

use namely::{
    Address, Client, CompanyInfo, Config, Endpoint, Error, Field, JobTitle, MAX_ERRORS_KEPT,
    MAX_MESSAGE_CHARS, NamelyDate, PageMeta, Permalink, Profile, ProfileFilter, ProfileId,
    ProfilesPage, ThrottlePolicy, UserStatus, assumptions::parse_date,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use time::{Date, Month};
use wiremock::matchers::any as any_request;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "tok-PROP-0123456789abcdef";

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

const MODEL_KEYS: &[&str] = &[
    "profiles",
    "meta",
    "count",
    "total_count",
    "after",
    "id",
    "email",
    "personal_email",
    "first_name",
    "last_name",
    "full_name",
    "user_status",
    "access_role",
    "start_date",
    "home",
    "gender",
    "updated_at",
    "address1",
    "city",
    "state_id",
    "country_id",
    "zip",
    "icims_id",
    "job_title",
    "title",
    "fields",
    "name",
    "label",
    "type",
    "deletable",
    "valid_format_info",
    "companies",
    "permalink",
    "message",
    "error",
    "errors",
];

fn text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s).{{0,{max}}}"))
        .expect("regex")
        .boxed()
}

/// Text that Namely's lenient readers keep as is: not empty (an empty string reads as absent).
fn kept_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("(?s).{1,24}").expect("regex")
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(MODEL_KEYS).prop_map(str::to_owned),
        1 => text(8),
    ]
}

fn scalar(floats: bool) -> BoxedStrategy<Value> {
    let base = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        text(16).prop_map(Value::String),
        "[ ]{0,2}-?[0-9]{1,21}(\\.[0-9]{1,3})?[ ]{0,2}".prop_map(Value::String),
        "[0-9]{1,2}/[0-9]{1,2}/[0-9]{1,4}".prop_map(Value::String),
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

fn address() -> impl Strategy<Value = Address> {
    (
        prop::option::of(kept_text()),
        prop::option::of(kept_text()),
        prop::option::of(kept_text()),
        prop::option::of("[A-Z]{2}"),
        prop::option::of("[A-Z]{2}"),
        prop::option::of("[0-9]{5}"),
    )
        .prop_map(
            |(address1, address2, city, state_id, country_id, zip)| Address {
                address1,
                address2,
                city,
                state_id,
                country_id,
                zip,
            },
        )
}

fn user_status() -> impl Strategy<Value = UserStatus> {
    prop_oneof![
        Just(UserStatus::Active),
        Just(UserStatus::Pending),
        Just(UserStatus::Inactive),
        text(12)
            .prop_filter("another status", |s| {
                !matches!(
                    s.trim().to_ascii_lowercase().as_str(),
                    "active" | "pending" | "inactive"
                )
            })
            .prop_map(UserStatus::Other),
    ]
}

/// Keys of [`Profile`] that are modelled, so not in `extra`.
const PROFILE_FIELDS: &[&str] = &[
    "id",
    "email",
    "personal_email",
    "first_name",
    "last_name",
    "full_name",
    "user_status",
    "access_role",
    "start_date",
    "home",
    "gender",
    "updated_at",
];

fn profile() -> impl Strategy<Value = Profile> {
    let names = (
        prop::option::of(kept_text()),
        prop::option::of(kept_text()),
        prop::option::of(kept_text()),
        prop::option::of(kept_text()),
        prop::option::of(kept_text()),
    );
    let rest = (
        prop::option::of(user_status()),
        prop::option::of(kept_text()),
        prop::option::of(
            proptest::string::string_regex("(?s).{0,3}[!-~].{0,12}")
                .expect("regex")
                .prop_map(|s| serde_json::from_value::<NamelyDate>(json!(s)).expect("date")),
        ),
        prop::option::of(address()),
        prop::option::of(kept_text()),
        prop::option::of(any::<i64>()),
    );
    let extra = prop::collection::btree_map(
        text(10).prop_filter("not a modelled key", |k| {
            !PROFILE_FIELDS.contains(&k.as_str())
        }),
        json_value(false),
        0..4,
    )
    .prop_map(|m| m.into_iter().collect::<Map<String, Value>>());
    // An id is never blank (a blank one is refused).
    let id = proptest::string::string_regex("(?s).{0,5}[!-~].{0,30}").expect("regex");
    (id, names, rest, extra).prop_map(
        |(
            id,
            (email, personal_email, first_name, last_name, full_name),
            (user_status, access_role, start_date, home, gender, updated_at),
            extra,
        )| Profile {
            id: ProfileId::new(id),
            email,
            personal_email,
            first_name,
            last_name,
            full_name,
            user_status,
            access_role,
            start_date,
            home,
            gender,
            updated_at,
            extra,
        },
    )
}

fn field() -> impl Strategy<Value = (Value, Field)> {
    (
        text(12),
        kept_text(),
        kept_text(),
        "text|longtext|date|select|[a-z]{1,8}",
        prop::option::of(any::<bool>()),
        prop::option::of(kept_text()),
    )
        .prop_map(|(id, name, label, kind, deletable, info)| {
            let wire = json!({
                "id": id, "name": name, "label": label, "type": kind,
                "deletable": deletable, "valid_format_info": info,
                "default": false, "section": {"id": "s1"},
            });
            let field = Field {
                id,
                name,
                label,
                field_type: kind,
                deletable,
                valid_format_info: info,
            };
            (wire, field)
        })
}

/// A body Namely (or something in its place) might send.
fn answer_body() -> impl Strategy<Value = Vec<u8>> {
    let token_echo = (text(200), text(200)).prop_map(|(a, b)| format!("{a}{TOKEN}{b}"));
    let message = prop_oneof![
        text(40),
        text(2000),
        token_echo.clone(),
        text(20).prop_map(|t| format!("Authorization: Bearer {TOKEN} {t}")),
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        json_value(true).prop_map(|v| serde_json::to_vec(&v).expect("json")),
        (
            message.clone(),
            prop::collection::vec(message.clone(), 0..25),
            any::<bool>()
        )
            .prop_map(|(m, errors, as_map)| {
                let errors = if as_map {
                    Value::Object(
                        errors
                            .into_iter()
                            .enumerate()
                            .map(|(i, e)| (format!("field_{i}"), json!([e])))
                            .collect(),
                    )
                } else {
                    json!(errors)
                };
                serde_json::to_vec(&json!({"message": m, "errors": errors})).expect("json")
            }),
        message.prop_map(|m| serde_json::to_vec(&json!({ "error": m })).expect("json")),
        prop_oneof![text(3000), token_echo]
            .prop_map(|t| format!("<html><body>{t}</body></html>").into_bytes()),
        // The token where a shortened message would cut it: in text, JSON, a page's title.
        ("[a-z ]{60,320}", 0u8..3).prop_map(|(before, shape)| match shape {
            0 => format!("<html><head><title>{before}{TOKEN}</title></head></html>").into_bytes(),
            1 => serde_json::to_vec(&json!({"message": format!("{before}{TOKEN}"), "errors": [format!("{before}{TOKEN}")]})).expect("json"),
            _ => format!("{before}{TOKEN} and more").into_bytes(),
        }),
        (profile(), any::<prop::sample::Index>()).prop_map(|(p, cut)| {
            let full = serde_json::to_vec(&json!({ "profiles": [p] })).expect("json");
            full[..cut.index(full.len())].to_vec()
        }),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(301),
        Just(302),
        Just(400),
        Just(401),
        Just(403),
        Just(404),
        Just(406),
        Just(409),
        Just(422),
        Just(429),
        Just(500),
        Just(502),
        Just(503),
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
            Endpoint::base_url(&server.uri()).expect("base url"),
            SecretString::from(TOKEN),
        )
        .expect("config")
        .with_throttle(ThrottlePolicy {
            wait: Duration::ZERO,
            max_retries: 0,
        })
        .with_listing_pace(0, Duration::from_secs(60));
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

fn json_answer(v: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_raw(serde_json::to_vec(v).expect("json"), "application/json")
}

/// The longest error text an answer can cause: a message and the kept `errors[]` entries, each
/// bounded, plus the sentence around them.
const MAX_ERROR_CHARS: usize = (MAX_ERRORS_KEPT + 2) * (MAX_MESSAGE_CHARS + 2) + 600;

fn check_error(e: &Error) -> Result<(), TestCaseError> {
    let shown = e.to_string();
    prop_assert!(
        shown.chars().count() <= MAX_ERROR_CHARS,
        "error of {} characters",
        shown.chars().count()
    );
    let debug = format!("{e:?}");
    // Not the token, nor a piece of it cut where a message was shortened.
    for piece in TOKEN.as_bytes().windows(10) {
        let piece = std::str::from_utf8(piece).expect("ASCII token");
        prop_assert!(!shown.contains(piece), "the token leaked: {shown}");
        prop_assert!(!debug.contains(piece), "the token leaked in Debug: {debug}");
    }
    Ok(())
}

fn config() -> ProptestConfig {
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

/// A valid DNS label, in any case.
fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,20}[a-zA-Z0-9])?"
}

/// Something a person might paste as the company: pieces of names, hosts, URLs and tricks.
fn permalink_input() -> impl Strategy<Value = String> {
    let scheme = proptest::sample::select(vec![
        "",
        "",
        "https://",
        "http://",
        "HTTPS://",
        "ftp://",
        "javascript:",
        "//",
        "https:/",
    ]);
    let userinfo = proptest::sample::select(vec!["", "", "", "user@", "acme.namely.com@", ":@"]);
    let host = (label(), label()).prop_flat_map(|(a, b)| {
        proptest::sample::select(vec![
            a.clone(),
            format!("{a}.namely.com"),
            format!("{a}.NAMELY.COM"),
            format!("{a}.namely.com."),
            format!("{a}.namely.com.{b}.com"),
            format!("{a}.{b}.namely.com"),
            format!("{a}namely.com"),
            format!("{a}.evil.com"),
            "namely.com".to_owned(),
            format!("{a}..namely.com"),
            format!("{a}_{b}"),
            format!("{a}\u{3002}namely.com"),
            format!("xn--{a}.namely.com"),
        ])
    });
    let port = proptest::sample::select(vec!["", "", "", ":443", ":", ":x"]);
    let rest = proptest::sample::select(vec![
        "",
        "",
        "/",
        "/people",
        "?x=1",
        "#top",
        "\\@evil.com",
        "/..%2f",
        "@evil.com",
        "/@evil.com",
    ]);
    let pad = proptest::sample::select(vec!["", "", " ", "\t", "\n"]);
    (pad.clone(), scheme, userinfo, host, port, rest, pad).prop_map(
        |(p1, scheme, user, host, port, rest, p2)| {
            format!("{p1}{scheme}{user}{host}{port}{rest}{p2}")
        },
    )
}

fn days_in(year: i32, month: Month) -> u8 {
    time::util::days_in_month(month, year)
}

fn date() -> impl Strategy<Value = Date> {
    (0i32..=9999, 1u8..=12, 1u8..=31).prop_filter_map("a real day", |(y, m, d)| {
        let month = Month::try_from(m).ok()?;
        Date::from_calendar_date(y, month, d.min(days_in(y, month))).ok()
    })
}

// ---------------------------------------------------------------------------------------------
// Properties: answers
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_as_an_answer_give_a_value_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = serde_json::from_slice::<Profile>(&bytes);
        let _ = serde_json::from_slice::<ProfilesPage>(&bytes);
        let _ = serde_json::from_slice::<CompanyInfo>(&bytes);
        let _ = serde_json::from_slice::<Vec<Field>>(&bytes);
        let _ = serde_json::from_slice::<Vec<JobTitle>>(&bytes);
    }

    #[test]
    fn arbitrary_json_as_an_answer_gives_a_value_or_an_error(v in json_value(true)) {
        let profile = serde_json::from_value::<Profile>(v.clone());
        if let Ok(p) = &profile {
            // Reading what was read never panics either.
            let _ = (p.custom_text("icims_id"), p.custom_value("icims_id"), p.job_title());
            let _ = p.start_date.as_ref().map(NamelyDate::date);
        }
        let _ = serde_json::from_value::<ProfilesPage>(v.clone());
        let _ = serde_json::from_value::<Field>(v.clone());
        let _ = serde_json::from_value::<JobTitle>(v.clone());
        let _ = serde_json::from_value::<Address>(v.clone());
        let _ = serde_json::from_value::<UserStatus>(v.clone());
        // Counts and company info are read leniently: any object is accepted.
        if v.is_object() {
            prop_assert!(serde_json::from_value::<PageMeta>(v.clone()).is_ok(), "{}", v);
            prop_assert!(serde_json::from_value::<CompanyInfo>(v.clone()).is_ok(), "{}", v);
        }
    }

    #[test]
    fn a_generated_profile_reads_back_as_itself(p in profile()) {
        let wire = serde_json::to_vec(&p).expect("json");
        let back: Profile = serde_json::from_slice(&wire).expect("reads back");
        prop_assert_eq!(back, p);
    }

    #[test]
    fn any_answer_is_a_value_or_a_bounded_error(
        status in status(),
        body in answer_body(),
        json_type in any::<bool>(),
        call in 0u8..5,
        location in "[a-z/]{30,90}".prop_map(|p| format!("https://login.example.com/{p}?t={TOKEN}")),
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);
        let mut t = ResponseTemplate::new(status)
            .set_body_raw(body, if json_type { "application/json" } else { "text/html" });
        if (300..400).contains(&status) {
            t = t.insert_header("location", location.as_str());
        }
        s.answer_with(t);
        let c = &s.client;
        let result: Result<(), Error> = s.block_on(async {
            match call {
                0 => c.me().await.map(drop),
                1 => c.profiles_page(1, 50, &ProfileFilter::default()).await.map(drop),
                2 => c.fields().await.map(drop),
                3 => c.company_info().await.map(drop),
                _ => c.find_by_email("ann@acme.com").await.map(drop),
            }
        });
        match result {
            Ok(()) => prop_assert!((200..300).contains(&status), "HTTP {} read as a value", status),
            Err(e) => {
                check_error(&e)?;
                if !(200..300).contains(&status) {
                    prop_assert!(e.status().is_some() || matches!(e, Error::Throttled), "{e:?}");
                }
            }
        }
    }

    #[test]
    fn well_formed_answers_read_as_what_was_sent(
        profiles in prop::collection::vec(profile(), 0..4),
        count in prop::option::of(any::<u64>()),
        total in prop::option::of(any::<u64>()),
        fields in prop::collection::vec(field(), 0..5),
        company in prop::option::of(kept_text()),
        link in label(),
        enveloped in any::<bool>(),
    ) {
        static SERVER: OnceLock<Server> = OnceLock::new();
        let s = SERVER.get_or_init(Server::start);
        let c = &s.client;

        s.answer_with(json_answer(&json!({
            "profiles": profiles,
            "meta": {"count": count.map(|n| n.to_string()), "total_count": total},
            "links": {},
        })));
        let page = s.block_on(c.profiles_page(1, 50, &ProfileFilter::default())).expect("page");
        prop_assert_eq!(&page.profiles, &profiles);
        prop_assert_eq!(page.meta.count, count);
        prop_assert_eq!(page.meta.total_count, total);

        if let Some(first) = profiles.first() {
            s.answer_with(json_answer(&json!({ "profiles": [first] })));
            prop_assert_eq!(&s.block_on(c.me()).expect("me"), first);
        } else {
            s.answer_with(json_answer(&json!({ "profiles": [] })));
            let e = s.block_on(c.me()).expect_err("no profile");
            prop_assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        }

        let (wire, want): (Vec<Value>, Vec<Field>) = fields.into_iter().unzip();
        s.answer_with(json_answer(&json!({ "fields": wire })));
        prop_assert_eq!(s.block_on(c.fields()).expect("fields"), want);

        let info = json!({"name": company, "permalink": link});
        s.answer_with(json_answer(&if enveloped { json!({"companies": [info]}) } else { info }));
        let got = s.block_on(c.company_info()).expect("company");
        prop_assert_eq!(got.name, company);
        prop_assert_eq!(got.permalink, Some(link));
    }
}

// ---------------------------------------------------------------------------------------------
// Properties: permalinks and dates
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_as_a_permalink_is_a_namely_name_or_a_short_error(input in prop_oneof![
        text(80),
        "[\\x00-\\x7f]{0,80}",
        "[\\x01-\\x08]{30,60}\\.evil\\.com",
        permalink_input(),
        "[a-z]{100,10000}",
        "[a-z]{1,10}\\.[a-z]{2000,5000}\\.com",
        "[a-z]{100,3000}://acme.namely.com",
        "acme.namely.com:[0-9]{100,3000}",
    ]) {
        match Permalink::parse(&input) {
            Ok(p) => {
                let label = p.as_str();
                prop_assert!(
                    !label.is_empty()
                        && label.len() <= 63
                        && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                        && !label.starts_with('-')
                        && !label.ends_with('-'),
                    "{:?} accepted as {:?}", input, label
                );
                let host = format!("{label}.namely.com");
                let (base, web) = (p.base_url(), p.web_url());
                prop_assert_eq!(base.host_str(), Some(host.as_str()));
                prop_assert_eq!(web.host_str(), Some(host.as_str()));
                // What a browser would open for the same text is that same host.
                let trimmed = input.trim();
                // (A bare name is not an address: "123" would read as an IPv4 number.)
                let as_url = if trimmed.contains("://") { trimmed.to_owned() } else { format!("https://{trimmed}") };
                if let (true, Ok(url)) = (trimmed.contains('.'), url::Url::parse(&as_url)) {
                    let seen = url.host_str().unwrap_or_default();
                    prop_assert!(
                        seen == host || seen == label,
                        "{:?} accepted as {}, but names the host {:?}", input, host, seen
                    );
                    prop_assert!(url.username().is_empty() && url.password().is_none(), "{:?}", input);
                }
                // Normalising is idempotent.
                prop_assert_eq!(Permalink::parse(label), Ok(p.clone()));
                let displayed = p.to_string();
                prop_assert_eq!(Permalink::parse(&displayed), Ok(p.clone()));
                prop_assert_eq!(Permalink::parse(&host), Ok(p.clone()));
                prop_assert_eq!(Permalink::parse(p.web_url().as_str()), Ok(p.clone()));
                prop_assert_eq!(Permalink::parse(p.base_url().as_str()), Ok(p));
            }
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(
                    shown.chars().count() < 300,
                    "{} characters: {}", shown.chars().count(), shown
                );
            }
        }
    }

    #[test]
    fn a_name_its_host_and_its_address_agree(name in label()) {
        let lower = name.to_ascii_lowercase();
        let bare = Permalink::parse(&name).expect("a DNS label is a permalink");
        prop_assert_eq!(bare.as_str(), lower.as_str());
        prop_assert_eq!(Permalink::parse(&format!("{name}.namely.com")), Ok(bare.clone()));
        prop_assert_eq!(Permalink::parse(&format!("https://{name}.namely.com/")), Ok(bare.clone()));
        prop_assert_eq!(Permalink::parse(&format!(" HTTP://{name}.Namely.Com/people?x=1 ")), Ok(bare.clone()));
        let json = serde_json::to_string(&bare).expect("json");
        prop_assert_eq!(serde_json::from_str::<Permalink>(&json).expect("reads back"), bare);
    }

    #[test]
    fn any_text_as_a_date_is_a_day_or_nothing(s in prop_oneof![
        text(20),
        "[0-9]{1,5}[-/][0-9]{1,5}[-/][0-9]{1,5}",
        "[ ]?[0-9]{4}-[0-9]{2}-[0-9]{2}[ ]?",
    ]) {
        let from_text = parse_date(&s);
        // The date a profile carries reads the same way.
        let profile: Profile = serde_json::from_value(json!({"id": "p", "start_date": s})).expect("profile");
        let from_profile = profile.start_date.as_ref().and_then(NamelyDate::date);
        prop_assert_eq!(from_profile, from_text);
    }

    #[test]
    fn every_day_in_every_known_shape_reads_back_as_itself(d in date(), pad in "[ ]{0,2}") {
        let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
        for shape in [
            format!("{y:04}-{m:02}-{day:02}"),
            format!("{y:04}-{m}-{day}"),
            format!("{y:04}/{m:02}/{day:02}"),
            format!("{m:02}/{day:02}/{y:04}"),
            format!("{m}/{day}/{y:04}"),
        ] {
            prop_assert_eq!(parse_date(&format!("{pad}{shape}{pad}")), Some(d), "{}", shape);
        }
    }

    #[test]
    fn days_that_do_not_exist_are_refused(y in 0i32..=9999, m in 1u8..=12, extra in 1u8..=20, bad_month in 13u8..=99) {
        let month = Month::try_from(m).expect("month");
        let day = days_in(y, month) + extra;
        prop_assert_eq!(parse_date(&format!("{y:04}-{m:02}-{day:02}")), None);
        prop_assert_eq!(parse_date(&format!("{m:02}/{day:02}/{y:04}")), None);
        prop_assert_eq!(parse_date(&format!("{y:04}-{m:02}-00")), None);
        prop_assert_eq!(parse_date(&format!("{y:04}-{bad_month}-01")), None);
    }
}

/// Found by `any_text_as_a_permalink_is_a_namely_name_or_a_short_error`: `xn--0` passed as a
/// DNS label, and building its URL panicked.
#[test]
fn a_punycode_label_that_names_no_host_is_refused_not_a_crash() {
    for input in ["xn--0", "xn--0.namely.com", "https://XN--0.namely.com/"] {
        let e = Permalink::parse(input).expect_err(input);
        assert!(e.to_string().contains("is not a Namely address"), "{e}");
    }
    assert!(Endpoint::permalink("xn--0").is_err());
    // Valid punycode still names its own host.
    let p = Permalink::parse("xn--mnchen-3ya").expect("valid punycode");
    assert_eq!(p.base_url().host_str(), Some("xn--mnchen-3ya.namely.com"));
}
