//! The HTTP side: one handler that authenticates, spends budget, injects faults and routes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Version, header};
use axum::response::Response;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;
use tokio::sync::watch;

use super::{IcimsSimConfig, LoggedRequest, assumptions, auth, profiles, search};
use crate::raw::{RawAnswer, RawRules};
use crate::seed::{AddedHire, World};

/// Largest accepted request body.
const MAX_BODY: usize = 1 << 20;
/// Search responses hold at most this many ids (`docs/icims-api.md` §4.3).
pub(crate) const PAGE_SIZE: usize = 1000;
/// Request-log entries kept (oldest dropped first).
const LOG_CAPACITY: usize = 50_000;
const DAY: i64 = 86_400;

pub(crate) struct Shared {
    pub(crate) config: IcimsSimConfig,
    pub(crate) url: String,
    pub(crate) state: Mutex<SimState>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Mutable simulator state; every knob the handle can turn lives here.
pub(crate) struct SimState {
    pub(crate) world: World,
    pub(crate) remaining: u64,
    /// UTC day (days since the epoch) the budget belongs to.
    pub(crate) window_day: i64,
    pub(crate) calls: u64,
    pub(crate) error_rate: f64,
    pub(crate) timeout_rate: f64,
    pub(crate) latency: Duration,
    pub(crate) fail_next: VecDeque<u16>,
    pub(crate) hang_next: usize,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) log: VecDeque<LoggedRequest>,
    /// Answers to serve instead of the simulator's own ([`super::IcimsSim::answer_next_raw`]).
    pub(crate) raw: RawRules,
    /// Seconds the simulated server's clock is ahead of the real one (negative: behind).
    pub(crate) clock_offset: i64,
}

impl SimState {
    /// The simulated server's clock.
    pub(crate) fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.clock_offset)
    }
}

impl SimState {
    fn roll(&mut self, rate: f64) -> bool {
        rate > 0.0 && self.rng.gen_bool(rate.min(1.0))
    }
}

/// A response before the common headers are added.
struct Reply {
    status: StatusCode,
    body: Value,
    headers: Vec<(HeaderName, String)>,
    /// For the debug log only.
    error: Option<String>,
    /// Served instead of `body` and the JSON content type ([`crate::raw::RawAnswer`]).
    raw: Option<RawAnswer>,
}

impl Reply {
    fn ok(body: Value) -> Reply {
        Reply {
            status: StatusCode::OK,
            body,
            headers: Vec::new(),
            error: None,
            raw: None,
        }
    }

    /// `{"errors":[{"errorMessage":…,"errorCode":…}]}` plus `X-Error: code:message`.
    fn error(status: StatusCode, code: u32, message: &str) -> Reply {
        Reply {
            status,
            body: json!({ "errors": [ { "errorMessage": message, "errorCode": code } ] }),
            headers: vec![(
                HeaderName::from_static("x-error"),
                format!("{code}:{message}"),
            )],
            error: Some(message.to_string()),
            raw: None,
        }
    }

    fn not_found(message: &str) -> Reply {
        Reply::error(StatusCode::NOT_FOUND, assumptions::NOT_FOUND_CODE, message)
    }

    /// The error body an injected or real failure with this status gets.
    fn for_status(status: StatusCode) -> Reply {
        match status.as_u16() {
            401 => Reply::error(
                status,
                assumptions::AUTH_ERROR_CODE,
                assumptions::AUTH_INVALID_MESSAGE,
            ),
            404 => Reply::not_found(assumptions::RESOURCE_NOT_FOUND_MESSAGE),
            429 => Reply::error(
                status,
                assumptions::RATE_LIMIT_ERROR_CODE,
                assumptions::RATE_LIMIT_MESSAGE,
            ),
            503 => Reply::error(
                status,
                assumptions::INTERNAL_ERROR_CODE,
                assumptions::UNAVAILABLE_MESSAGE,
            ),
            _ => Reply::error(
                status,
                assumptions::INTERNAL_ERROR_CODE,
                assumptions::INTERNAL_ERROR_MESSAGE,
            ),
        }
    }
}

/// Not part of iCIMS: the sandbox's own control path, to add a hire to a running simulator
/// (the app's in-process sandbox included) from a test or a training script:
/// `POST /_sandbox/hires` with `{"firstname": "Jane", "lastname": "Doe"}` (both optional)
/// answers `201 {"person_id": …, "workflow_id": …}`. Needs no credentials and spends no budget.
pub const CONTROL_HIRES: &str = "/_sandbox/hires";

/// Adds a person hired today who starts in two weeks, with an email made from the name.
pub(crate) fn add_new_hire(st: &mut SimState, firstname: &str, lastname: &str) -> AddedHire {
    let now = st.now();
    let email = format!(
        "{}.{}@sandbox.example",
        crate::seed::ascii_fold(firstname),
        crate::seed::ascii_fold(lastname)
    );
    let hire = st
        .world
        .add_hire(firstname, lastname, Some(&email), now.unix_timestamp());
    let day = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    if let Some(p) = st.world.people.iter_mut().find(|p| p.id == hire.person_id) {
        p.hiredate = Some(day(now.date()));
        p.startdate = Some(day(now.date() + time::Duration::days(14)));
    }
    hire
}

fn control_hires(st: &mut SimState, parts: &Parts, body: &[u8]) -> Reply {
    if parts.method != Method::POST {
        return Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            assumptions::INTERNAL_ERROR_CODE,
            "Use POST to add a hire.",
        );
    }
    #[derive(serde::Deserialize, Default)]
    struct NewHire {
        firstname: Option<String>,
        lastname: Option<String>,
    }
    let wanted: NewHire = if body.iter().all(u8::is_ascii_whitespace) {
        NewHire::default()
    } else {
        match serde_json::from_slice(body) {
            Ok(h) => h,
            Err(e) => {
                return Reply::error(
                    StatusCode::BAD_REQUEST,
                    assumptions::INTERNAL_ERROR_CODE,
                    &format!("Send {{\"firstname\": \"Jane\", \"lastname\": \"Doe\"}} ({e})."),
                );
            }
        }
    };
    let n = st.world.people.len() + 1;
    let first = wanted.firstname.unwrap_or_else(|| "Casey".into());
    let last = wanted.lastname.unwrap_or_else(|| format!("Newhire{n}"));
    let hire = add_new_hire(st, &first, &last);
    Reply {
        status: StatusCode::CREATED,
        body: serde_json::json!({"person_id": hire.person_id, "workflow_id": hire.workflow_id}),
        headers: Vec::new(),
        error: None,
        raw: None,
    }
}

pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, MAX_BODY).await;

    let delay = {
        let mut st = shared.lock();
        st.calls += 1;
        let hang = if st.hang_next > 0 {
            st.hang_next -= 1;
            true
        } else {
            let rate = st.timeout_rate;
            st.roll(rate)
        };
        st.latency
            + if hang {
                shared.config.hang_duration
            } else {
                Duration::ZERO
            }
    };
    if !delay.is_zero() {
        let mut stop = shared.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|stop| *stop) => {}
        }
    }

    let mut st = shared.lock();
    let now = st.now();
    let reply = match body {
        Ok(bytes) if parts.uri.path() == CONTROL_HIRES => control_hires(&mut st, &parts, &bytes),
        Ok(bytes) => process(&shared, &mut st, &parts, &bytes, now),
        Err(_) => Reply::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            assumptions::INTERNAL_ERROR_CODE,
            "Request body too large.",
        ),
    };
    let transaction = transaction_id(&mut st.rng);
    let remaining = st.remaining;
    let entry = LoggedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        status: reply.status.as_u16(),
    };
    if st.log.len() >= LOG_CAPACITY {
        st.log.pop_front();
    }
    st.log.push_back(entry);
    drop(st);

    tracing::debug!(
        method = %parts.method,
        path = parts.uri.path(),
        query = parts.uri.query().unwrap_or(""),
        status = reply.status.as_u16(),
        error = reply.error.as_deref().unwrap_or(""),
        remaining,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "icims sandbox request"
    );

    let mut response = match &reply.raw {
        Some(answer) => crate::raw::response(answer),
        None => {
            let mut response = Response::new(Body::from(reply.body.to_string()));
            *response.status_mut() = reply.status;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    };
    let h = response.headers_mut();
    let reset = DAY - now.unix_timestamp().rem_euclid(DAY);
    for (name, value) in [
        ("x-ratelimit-limit", shared.config.daily_limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
        ("x-transaction", transaction),
        ("date", http_date(now)),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(HeaderName::from_static(name), v);
        }
    }
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.append(name, v);
        }
    }
    response
}

fn process(
    shared: &Shared,
    st: &mut SimState,
    parts: &Parts,
    body: &[u8],
    now: OffsetDateTime,
) -> Reply {
    if parts.version != Version::HTTP_11 {
        return Reply::error(
            StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            assumptions::INTERNAL_ERROR_CODE,
            "HTTP Version Not Supported",
        );
    }
    let config = &shared.config;
    let received = auth::Received {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body,
    };
    let expected = auth::Expected {
        username: &config.username,
        key: &config.hmac_key,
        clock_skew_tolerance: config.clock_skew_tolerance,
        now,
    };
    if let Err(e) = auth::verify(&received, &expected) {
        if let auth::AuthError::Invalid(reason) = e {
            tracing::debug!(reason, "icims sandbox: credentials refused");
        }
        let mut reply = Reply::error(
            StatusCode::UNAUTHORIZED,
            assumptions::AUTH_ERROR_CODE,
            e.message(),
        );
        reply.headers.push((
            header::WWW_AUTHENTICATE,
            assumptions::WWW_AUTHENTICATE.to_string(),
        ));
        return reply;
    }

    let today = now.unix_timestamp().div_euclid(DAY);
    if today != st.window_day {
        st.window_day = today;
        st.remaining = config.daily_limit;
    }
    if st.remaining == 0 {
        return Reply::for_status(StatusCode::TOO_MANY_REQUESTS);
    }
    st.remaining -= 1;

    if let Some(answer) = st.raw.take(parts.method.as_str(), parts.uri.path()) {
        return Reply {
            status: StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
            body: Value::Null,
            headers: Vec::new(),
            error: Some("raw answer".into()),
            raw: Some(answer),
        };
    }
    if let Some(status) = st.fail_next.pop_front() {
        return Reply::for_status(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    let rate = st.error_rate;
    if st.roll(rate) {
        let status = if st.rng.gen_bool(0.5) {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        return Reply::for_status(status);
    }

    route(shared, st, parts, body)
}

fn route(shared: &Shared, st: &SimState, parts: &Parts, body: &[u8]) -> Reply {
    let path = parts.uri.path();
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Reply::not_found(assumptions::RESOURCE_NOT_FOUND_MESSAGE);
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let ["customers", customer, rest @ ..] = segments.as_slice() else {
        return Reply::not_found(assumptions::RESOURCE_NOT_FOUND_MESSAGE);
    };
    if *customer != shared.config.customer_id {
        return Reply::not_found(assumptions::CUSTOMER_NOT_FOUND_MESSAGE);
    }
    let base = format!("{}/customers/{customer}", shared.url);
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let fields: Option<Vec<String>> = {
        let lists: Vec<&String> = query
            .iter()
            .filter(|(k, _)| k == "fields")
            .map(|(_, v)| v)
            .collect();
        (!lists.is_empty()).then(|| {
            lists
                .iter()
                .flat_map(|l| l.split(','))
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect()
        })
    };
    let world = &st.world;
    let get = parts.method == Method::GET;
    match rest {
        ["search", "applicantworkflows"] if parts.method == Method::POST => {
            search(world, &base, body)
        }
        ["search", "applicantworkflows"] if get => {
            let json = query
                .iter()
                .find(|(k, _)| k == "searchjson" || k == "searchJson")
                .map(|(_, v)| v.as_bytes());
            search(world, &base, json.unwrap_or_default())
        }
        ["applicantworkflows", id] if get => {
            match id.parse().ok().and_then(|id| world.workflow(id)) {
                Some(wf) => profile(profiles::workflow(&base, world, wf), fields.as_deref()),
                None => Reply::not_found("Applicant workflow not found."),
            }
        }
        ["people", id] if get => match id.parse().ok().and_then(|id| world.person(id)) {
            Some(p) => profile(profiles::person(&base, world, p), fields.as_deref()),
            None => Reply::not_found("Person not found."),
        },
        ["jobs", id] if get => match id.parse().ok().and_then(|id| world.job(id)) {
            Some(j) => profile(profiles::job(&base, j), fields.as_deref()),
            None => Reply::not_found("Job not found."),
        },
        ["search", "applicantworkflows"]
        | ["applicantworkflows", _]
        | ["people", _]
        | ["jobs", _] => Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            assumptions::INTERNAL_ERROR_CODE,
            "Method not allowed.",
        ),
        _ => Reply::not_found(assumptions::RESOURCE_NOT_FOUND_MESSAGE),
    }
}

fn search(world: &World, base: &str, body: &[u8]) -> Reply {
    let group = match search::parse(body) {
        Ok(g) => g,
        Err(e) => {
            return Reply::error(
                StatusCode::BAD_REQUEST,
                assumptions::SEARCH_ERROR_CODE,
                &e.message(),
            );
        }
    };
    let mut ids: Vec<u64> = world
        .workflows
        .iter()
        .filter(|w| group.matches(w))
        .map(|w| w.id)
        .collect();
    ids.sort_unstable();
    ids.truncate(PAGE_SIZE);
    let results: Vec<Value> = ids
        .into_iter()
        .map(|id| json!({ "id": id, "self": format!("{base}/applicantworkflows/{id}") }))
        .collect();
    Reply::ok(json!({ "searchResults": results }))
}

fn profile(full: serde_json::Map<String, Value>, fields: Option<&[String]>) -> Reply {
    let (mut kept, bad_case) = profiles::select(full, fields);
    let mut headers = Vec::new();
    if !bad_case.is_empty() {
        let code = assumptions::FIELD_CASE_WARNING_CODE;
        let warnings: Vec<Value> = bad_case
            .iter()
            .map(|f| json!({ "errorMessage": format!("{f}: Field name must be all lowercase."), "errorCode": code }))
            .collect();
        for f in &bad_case {
            headers.push((
                HeaderName::from_static("x-warning"),
                format!("{code}:{f}:Field name must be all lowercase."),
            ));
        }
        kept.insert("warnings".into(), Value::Array(warnings));
    }
    Reply {
        status: StatusCode::OK,
        body: Value::Object(kept),
        headers,
        error: None,
        raw: None,
    }
}

/// `{2A06CCC7-D2CC-5C91-2591-89CF1FF4F939}` (`docs/icims-api.md` §6).
fn transaction_id(rng: &mut ChaCha8Rng) -> String {
    let b: [u8; 16] = rng.r#gen();
    let h = hex::encode_upper(b);
    format!(
        "{{{}-{}-{}-{}-{}}}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// RFC 7231 date, e.g. `Fri, 27 Nov 2026 11:41:46 GMT`.
fn http_date(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ))
    .unwrap_or_default()
}
