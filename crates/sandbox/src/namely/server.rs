//! HTTP side: one fallback handler that routes, injects faults, authenticates, throttles,
//! answers and logs. All work happens synchronously under the state lock; only the latency
//! and an after-commit delay are awaited, outside it.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::assumptions::{fault_body, forbidden_body, inactive_owner_body, throttled_body};
use super::fields::{JobTitle, fields_body, job_tiers_json};
use super::store::{State as Tenant, View, is_writer};
use super::{AfterCommit, RequestRecord, Shared, geo, oauth};

const MAX_BODY: usize = 4 * 1024 * 1024;
const PREFIX: &str = "/api/v1";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(dispatch).with_state(shared)
}

/// The API path of a request path: without `/api/v1`, a trailing `/` or the `.json` suffix.
pub(crate) fn api_path(path: &str) -> String {
    let rest = path.strip_prefix(PREFIX).unwrap_or(path);
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".json").unwrap_or(rest);
    if rest.is_empty() {
        "/".into()
    } else {
        rest.into()
    }
}

pub(super) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    /// An HTML page (`text/html`) instead of the JSON `body`.
    pub html: Option<String>,
    /// Headers added to the answer (`Location`, `Cache-Control`, …).
    pub headers: Vec<(HeaderName, String)>,
    /// Wait this long before answering (after the request was logged).
    pub delay: Option<Duration>,
}

impl Reply {
    pub(super) fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            html: None,
            headers: Vec::new(),
            delay: None,
        }
    }

    pub(super) fn html(status: u16, page: String) -> Self {
        Self {
            status,
            body: None,
            html: Some(page),
            headers: Vec::new(),
            delay: None,
        }
    }

    fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    fn message(status: u16, message: &str) -> Self {
        Self::json(status, json!({ "message": message, "errors": [] }))
    }

    fn unprocessable(message: &str, errors: Vec<String>) -> Self {
        Self::json(422, json!({ "message": message, "errors": errors }))
    }
}

async fn dispatch(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await;
    let latency = shared.lock().faults.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let raw = {
        let mut st = shared.lock();
        let raw = st.raw.take(parts.method.as_str(), &path);
        if let Some(answer) = &raw {
            let logged_body = bytes.as_ref().ok().and_then(|b| body_for_log(b));
            st.log.push(RequestRecord {
                method: parts.method.to_string(),
                path: path.clone(),
                query: redact_query(&query),
                status: answer.status,
                body: logged_body,
            });
        }
        raw
    };
    if let Some(answer) = raw {
        return crate::raw::response(&answer);
    }
    let reply = {
        let mut st = shared.lock();
        let (reply, logged_body) = match &bytes {
            Ok(b) => (
                handle(&mut st, &parts.method, &path, &query, &parts.headers, b),
                body_for_log(b),
            ),
            Err(_) => (Reply::message(413, "Payload Too Large"), None),
        };
        st.log.push(RequestRecord {
            method: parts.method.to_string(),
            path,
            query: redact_query(&query),
            status: reply.status,
            body: logged_body,
        });
        reply
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (mut response, content_type) = match (reply.html, reply.body) {
        (Some(page), _) => ((status, page).into_response(), "text/html; charset=utf-8"),
        (None, Some(v)) => (
            (status, v.to_string()).into_response(),
            "application/json; charset=utf-8",
        ),
        (None, None) => (
            (status, Body::empty()).into_response(),
            "application/json; charset=utf-8",
        ),
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

fn is_secret_field(name: &str) -> bool {
    oauth::SECRET_FIELDS
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
}

/// The body as logged: JSON as it is, anything else as text; the value of every secret field
/// ([`oauth::SECRET_FIELDS`]: tokens, codes, client secrets) replaced by `REDACTED`, whether
/// a top-level JSON key or a form field.
fn body_for_log(b: &[u8]) -> Option<Value> {
    if b.is_empty() {
        return None;
    }
    match serde_json::from_slice::<Value>(b) {
        Ok(Value::Object(mut m)) => {
            for (k, v) in m.iter_mut() {
                if is_secret_field(k) {
                    *v = Value::String("REDACTED".into());
                }
            }
            Some(Value::Object(m))
        }
        Ok(v) => Some(v),
        Err(_) => Some(Value::String(redact_form(&String::from_utf8_lossy(b)))),
    }
}

/// The query as sent, with any secret value replaced, so no token reaches the log.
fn redact_query(query: &str) -> String {
    redact_form(query)
}

/// Form-encoded `text` as sent, or re-encoded with the value of every secret field
/// ([`oauth::SECRET_FIELDS`]) replaced by `REDACTED`.
fn redact_form(text: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect();
    if !pairs.iter().any(|(k, _)| is_secret_field(k)) {
        return text.to_string();
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        if is_secret_field(k) {
            out.append_pair(k, "REDACTED");
        } else {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

enum Route {
    CompaniesInfo,
    ListProfiles,
    CreateProfile,
    Me,
    Fields,
    ShowProfile(String),
    UpdateProfile(String),
    JobTitles,
    JobTitle(String),
    Countries,
    Country(String),
    OAuthAuthorizePage,
    OAuthAuthorizeDecision,
    OAuthToken,
    OAuthRevoke,
}

/// `companies_info`: whether `GET /companies/info` exists; when not, it is an unknown route.
fn route(method: &Method, path: &str, companies_info: bool) -> Result<Route, Reply> {
    let not_found = || Reply::message(404, "Not found");
    if !(path == PREFIX || path.starts_with("/api/v1/")) {
        return Err(not_found());
    }
    let ap = api_path(path);
    let segs: Vec<&str> = ap.trim_start_matches('/').split('/').collect();
    let get = *method == Method::GET || *method == Method::HEAD;
    let wrong_method = || Reply::message(405, "Method Not Allowed");
    let only_get = |r: Route| if get { Ok(r) } else { Err(wrong_method()) };
    match segs.as_slice() {
        ["companies", "info"] if companies_info => only_get(Route::CompaniesInfo),
        ["profiles"] if get => Ok(Route::ListProfiles),
        ["profiles"] if *method == Method::POST => Ok(Route::CreateProfile),
        ["profiles"] => Err(wrong_method()),
        ["profiles", "me"] => only_get(Route::Me),
        ["profiles", "fields"] => only_get(Route::Fields),
        ["profiles", id] if get => Ok(Route::ShowProfile((*id).into())),
        ["profiles", id] if *method == Method::PUT => Ok(Route::UpdateProfile((*id).into())),
        ["profiles", _] => Err(wrong_method()),
        ["job_titles"] => only_get(Route::JobTitles),
        ["job_titles", id] => only_get(Route::JobTitle((*id).into())),
        ["countries"] => only_get(Route::Countries),
        ["countries", id] => only_get(Route::Country((*id).into())),
        ["oauth2", "authorize"] if get => Ok(Route::OAuthAuthorizePage),
        ["oauth2", "authorize"] if *method == Method::POST => Ok(Route::OAuthAuthorizeDecision),
        ["oauth2", "token"] if *method == Method::POST => Ok(Route::OAuthToken),
        ["oauth2", "revoke"] if *method == Method::POST => Ok(Route::OAuthRevoke),
        ["oauth2", "authorize" | "token" | "revoke"] => Err(wrong_method()),
        _ => Err(not_found()),
    }
}

struct Owner {
    id: String,
    role: String,
}

fn authenticate(st: &Tenant, headers: &HeaderMap) -> Result<Owner, Reply> {
    let unauthorized = || Reply::json(401, json!({ "error": "" }));
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(unauthorized)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(unauthorized());
    }
    // An OAuth access token expires on the simulator's clock (`advance_clock` moves it).
    let now = st.now();
    let grant = st
        .tokens
        .iter()
        .find(|t| t.token == token && !t.revoked && t.expires_at.is_none_or(|e| now < e))
        .ok_or_else(unauthorized)?;
    match st.get(&grant.employee_id) {
        Some(p) if p.user_status() == "active" => Ok(Owner {
            id: p.id.clone(),
            role: p.access_role.clone(),
        }),
        _ => Err(Reply::json(403, inactive_owner_body())),
    }
}

fn handle(
    st: &mut Tenant,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let route = match route(method, path, st.companies_info) {
        Ok(r) => r,
        Err(reply) => return reply,
    };
    let fault_method = if *method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    if let Some(status) = st.faults.take(fault_method, &api_path(path)) {
        let mut body = fault_body(status);
        if st.echo_authorization_in_faults
            && let Some(auth) = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
        {
            body["message"] = json!(format!(
                "upstream refused the request (Authorization: {auth})"
            ));
        }
        return Reply::json(status, body);
    }
    // No bearer token on these: the OAuth endpoints authenticate the client themselves.
    if matches!(
        route,
        Route::CompaniesInfo
            | Route::OAuthAuthorizePage
            | Route::OAuthAuthorizeDecision
            | Route::OAuthToken
            | Route::OAuthRevoke
    ) {
        return unauthenticated(st, route, query, headers, body);
    }
    let owner = match authenticate(st, headers) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    let admin = is_writer(&owner.role);
    match route {
        Route::CompaniesInfo
        | Route::OAuthAuthorizePage
        | Route::OAuthAuthorizeDecision
        | Route::OAuthToken
        | Route::OAuthRevoke => unauthenticated(st, route, query, headers, body),
        Route::ListProfiles => list_profiles(st, query, admin),
        Route::CreateProfile => create_profile(st, body, admin),
        Route::Me => me(st, &owner.id, admin),
        Route::Fields => Reply::ok(fields_body(&st.field, admin)),
        Route::ShowProfile(id) => match st.get_visible(&id) {
            Some(p) => {
                let view = View {
                    custom: admin,
                    access_role: true,
                    short: false,
                };
                Reply::ok(json!({ "profiles": [st.render(p, view)] }))
            }
            None => Reply::message(404, "Profile not found"),
        },
        Route::UpdateProfile(id) => update_profile(st, &id, body, admin),
        Route::JobTitles => {
            let all: Vec<&JobTitle> = st.job_titles.iter().collect();
            job_titles_reply(&all)
        }
        Route::JobTitle(id) => match st.job_title(&id) {
            Some(j) => job_titles_reply(&[j]),
            None => Reply::message(404, "Job title not found"),
        },
        Route::Countries => {
            let all = geo::countries_json();
            Reply::ok(json!({ "countries": all, "meta": { "count": all.len(), "status": 200 } }))
        }
        Route::Country(id) => match geo::country_json(&id, true) {
            Some(c) => {
                Reply::ok(json!({ "countries": [c], "meta": { "count": 1, "status": 200 } }))
            }
            None => Reply::message(404, "Country not found"),
        },
    }
}

/// The routes that need no bearer token.
fn unauthenticated(
    st: &mut Tenant,
    route: Route,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    match route {
        Route::OAuthAuthorizePage => oauth::authorize_page(st, query),
        Route::OAuthAuthorizeDecision => oauth::authorize_decision(st, body),
        Route::OAuthToken => oauth::token(st, query, headers, body),
        Route::OAuthRevoke => oauth::revoke(st, headers, body),
        _ => companies_info(st),
    }
}

fn companies_info(st: &Tenant) -> Reply {
    Reply::ok(json!({
        "name": st.company_name,
        "permalink": st.permalink,
        "background_url": format!("{}/assets/background.png", st.origin),
        "logo_url": format!("{}/assets/logo.png", st.origin),
        "authentications": [
            { "type": "email_password", "init_url": format!("{}/users/sign_in", st.origin) },
        ],
    }))
}

fn me(st: &Tenant, owner_id: &str, admin: bool) -> Reply {
    match st.get(owner_id) {
        Some(p) => {
            let view = View {
                custom: admin,
                access_role: st.include_access_role_on_me,
                short: false,
            };
            Reply::ok(json!({ "profiles": [st.render(p, view)] }))
        }
        None => Reply::message(404, "Profile not found"),
    }
}

fn list_profiles(st: &mut Tenant, query: &str, admin: bool) -> Reply {
    if !st.throttle.admit() {
        return Reply::json(406, throttled_body());
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let param = |k: &str| {
        params
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let number = |k: &str| {
        param(k)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    // Cursor mode (`page_ignored`, assumptions): `page` is ignored, `after` and `limit` are
    // read. Otherwise `after` and `limit` are ignored like any unknown parameter.
    let cursor = st.page_ignored;
    let per_page = number("per_page")
        .or_else(|| if cursor { number("limit") } else { None })
        .unwrap_or(30)
        .min(50);
    let page = if cursor {
        1
    } else {
        number("page").unwrap_or(1)
    };
    let after = if cursor {
        param("after").filter(|a| !a.trim().is_empty())
    } else {
        None
    };
    let short = param("profile_format") == Some("short");

    fn text<'p>(p: &'p super::store::Profile, k: &str) -> &'p str {
        p.data.get(k).and_then(Value::as_str).unwrap_or("")
    }
    let ignore_email_filter = st.ignore_email_filter;
    let mut matched: Vec<&super::store::Profile> = st
        .profiles
        .iter()
        .filter(|p| st.visible(p))
        .filter(|p| {
            params.iter().all(|(k, v)| match k.as_str() {
                // dropped, like an unknown filter, when the tenant ignores them (assumptions)
                "filter[email]" | "filter[personal_email]" if ignore_email_filter => true,
                "filter[email]" | "filter[personal_email]" => {
                    let key = &k["filter[".len()..k.len() - 1];
                    text(p, key).eq_ignore_ascii_case(v)
                }
                "filter[first_name]" | "filter[last_name]" | "filter[reports_to]" => {
                    let key = &k["filter[".len()..k.len() - 1];
                    text(p, key) == v
                }
                "filter[user_status]" => p.user_status() == v,
                "filter[job_title]" => {
                    let title = p
                        .data
                        .get("job_title")
                        .and_then(Value::as_str)
                        .and_then(|id| st.job_title(id));
                    title.is_some_and(|j| j.title == *v)
                }
                _ => true, // unknown filters are ignored (assumptions)
            })
        })
        .collect();

    if let Some(sort) = param("sort") {
        let (desc, key) = match sort.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, sort),
        };
        let cmp = |a: &&super::store::Profile, b: &&super::store::Profile| match key {
            "first_name" | "last_name" => Some(text(a, key).cmp(text(b, key))),
            "created_at" => Some(a.created_at.cmp(&b.created_at)),
            "updated_at" => Some(a.updated_at.cmp(&b.updated_at)),
            _ => None,
        };
        matched.sort_by(|a, b| {
            let (x, y) = if desc { (b, a) } else { (a, b) };
            cmp(x, y).unwrap_or(std::cmp::Ordering::Equal)
        });
    }

    let total = matched.len();
    let start = match after {
        // The profiles after that one; an id not in the (filtered) list: past the end.
        Some(id) => matched
            .iter()
            .position(|p| p.id == id)
            .map_or(total, |i| i + 1),
        None => (page - 1).saturating_mul(per_page),
    };
    let page_items: Vec<&super::store::Profile> =
        matched.into_iter().skip(start).take(per_page).collect();
    let view = View {
        custom: admin,
        access_role: true,
        short,
    };
    let profiles: Vec<Value> = page_items.iter().map(|p| st.render(p, view)).collect();
    let mut titles: Vec<&JobTitle> = page_items
        .iter()
        .filter_map(|p| p.data.get("job_title").and_then(Value::as_str))
        .filter_map(|id| st.job_title(id))
        .collect();
    titles.sort_by(|a, b| a.id.cmp(&b.id));
    titles.dedup_by(|a, b| a.id == b.id);
    let linked_titles: Vec<Value> = titles.iter().map(|j| j.json()).collect();
    let mut meta = json!({ "count": profiles.len(), "total_count": total, "status": 200 });
    if let Some(after) = after {
        meta["after"] = json!(after);
    }
    Reply::ok(json!({
        "profiles": profiles,
        "meta": meta,
        "links": {
            "profiles.job_title": { "type": "job_titles" },
            "profiles.image": { "type": "files" },
            "profiles.groups": { "type": "groups" },
            "profiles.teams": { "type": "teams" },
        },
        "linked": { "job_titles": linked_titles, "files": [], "groups": [], "teams": [] },
    }))
}

/// The one profile object of a `{"profiles":[{…}]}` envelope.
fn envelope(body: &[u8], message: &str) -> Result<Map<String, Value>, Reply> {
    let v: Value = serde_json::from_slice(body).map_err(|e| {
        Reply::json(
            400,
            json!({ "message": "invalid JSON", "errors": [e.to_string()] }),
        )
    })?;
    match v
        .get("profiles")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([Value::Object(o)]) => Ok(o.clone()),
        _ => Err(Reply::unprocessable(
            message,
            vec!["profiles must be an array holding exactly one profile object".into()],
        )),
    }
}

const CREATE_FAILED: &str = "error creating profile";
const UPDATE_FAILED: &str = "error updating profile";

fn create_profile(st: &mut Tenant, body: &[u8], admin: bool) -> Reply {
    if !admin {
        return Reply::json(403, forbidden_body());
    }
    let input = match envelope(body, CREATE_FAILED) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    let id = match st.create(&input) {
        Ok(id) => id,
        Err(errors) => return Reply::unprocessable(CREATE_FAILED, errors),
    };
    let created = json!({ "profiles": [st.render_admin(&id).unwrap_or_default()] });
    match st.faults.after_commit.pop_front() {
        None => Reply::json(201, created),
        Some(AfterCommit::Status(status)) => Reply::json(status, fault_body(status)),
        Some(AfterCommit::Delay(delay)) => Reply {
            delay: Some(delay),
            ..Reply::json(201, created)
        },
    }
}

fn update_profile(st: &mut Tenant, id: &str, body: &[u8], admin: bool) -> Reply {
    if !admin {
        return Reply::json(403, forbidden_body());
    }
    if st.get(id).is_none() {
        return Reply::message(404, "Profile not found");
    }
    let input = match envelope(body, UPDATE_FAILED) {
        Ok(o) => o,
        Err(reply) => return reply,
    };
    match st.update(id, &input) {
        Ok(()) => Reply::ok(json!({ "profiles": [st.render_admin(id).unwrap_or_default()] })),
        Err(errors) => Reply::unprocessable(UPDATE_FAILED, errors),
    }
}

fn job_titles_reply(titles: &[&JobTitle]) -> Reply {
    let list: Vec<Value> = titles.iter().map(|j| j.json()).collect();
    Reply::ok(json!({
        "job_titles": list,
        "meta": { "count": list.len(), "status": 200 },
        "links": { "job_titles.job_tier": { "type": "job_tiers" } },
        "linked": { "job_tiers": job_tiers_json(titles) },
    }))
}
