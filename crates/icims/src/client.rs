//! The HTTP client: signed requests, search paging, workflow/person/job reads.

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;
use url::Url;

use crate::assumptions;
use crate::config::Config;
use crate::error::{self, Error, FailedReply, MAX_BODY_BYTES, Result};
use crate::model::{
    DEFAULT_PERSON_FIELDS, JOB_FIELDS, Job, JobId, Person, PersonId, SearchPage, SearchQuery,
    Workflow, WorkflowId,
};
use crate::page;
use crate::reply::{self, RateLimit, Reply};
use crate::sign;

/// Source of the current time used for `x-icims-date`.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

const UPDATED_DATE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour repr:12]:[minute] [period case:upper]");

/// An iCIMS API client for one customer and integration user.
///
/// Cheap to share behind an `Arc`; every call is one HTTP request (except
/// [`Client::search_all_workflows`]), counted by [`Client::calls_made`].
pub struct Client {
    http: reqwest::Client,
    config: Config,
    clock: Clock,
    calls: AtomicU64,
    /// Metadata of the latest reply, successful or not (see [`Client::last_reply`]).
    last: std::sync::Mutex<Option<ReplyMeta>>,
}

/// What the latest reply said about time and budget, even when it was an error: a refused
/// call still tells the server's clock (for clock-skew diagnosis) and the remaining budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyMeta {
    pub status: u16,
    pub rate_limit: Option<RateLimit>,
    pub server_date: Option<OffsetDateTime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("calls_made", &self.calls_made())
            .finish_non_exhaustive()
    }
}

/// What [`Client::search_all_workflows`] tells its callback after each page.
#[derive(Debug, Clone, Copy)]
pub struct SearchProgress<'a> {
    /// 1 for the first page.
    pub page: u32,
    /// The ids of this page.
    pub ids: &'a [WorkflowId],
    /// Ids found so far, this page included.
    pub total: usize,
    /// Whether another page will be requested if the callback continues.
    pub more: bool,
    /// The rate-limit headers of this page's reply.
    pub rate_limit: Option<RateLimit>,
}

/// Result of [`Client::search_all_workflows`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchAll {
    /// All ids found, ascending.
    pub ids: Vec<WorkflowId>,
    /// Search calls made.
    pub pages: u32,
    /// `false` when the callback stopped the paging before the last page.
    pub complete: bool,
    /// The rate-limit headers of the last reply.
    pub rate_limit: Option<RateLimit>,
    /// The server date of the last reply.
    pub server_date: Option<OffsetDateTime>,
}

#[derive(Serialize)]
struct SearchFilter<'a> {
    name: &'a str,
    value: Vec<String>,
    operator: &'a str,
}

#[derive(Serialize)]
struct SearchBody<'a> {
    filters: Vec<SearchFilter<'a>>,
    operator: &'a str,
}

#[derive(serde::Deserialize)]
struct SearchResponse {
    #[serde(rename = "searchResults", default)]
    search_results: Option<Vec<SearchHit>>,
    #[serde(default, deserialize_with = "crate::model::de::vec_or_null")]
    errors: Vec<error::ApiMessage>,
}

#[derive(serde::Deserialize)]
struct SearchHit {
    id: WorkflowId,
}

#[derive(serde::Deserialize)]
struct WarningsBody {
    #[serde(default, deserialize_with = "crate::model::de::vec_or_null")]
    warnings: Vec<error::ApiMessage>,
}

/// A received reply, before mapping.
struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    /// Empty when `too_large`.
    body: Vec<u8>,
    /// The body was larger than [`MAX_BODY_BYTES`] and was not read (only kept for error
    /// statuses: a success that large is [`Error::ReplyTooLarge`]).
    too_large: bool,
}

impl Raw {
    fn reply<T>(&self, value: T) -> Reply<T> {
        Reply {
            value,
            rate_limit: reply::rate_limit(&self.headers),
            server_date: reply::server_date(&self.headers),
        }
    }
}

impl Client {
    /// Builds a client (HTTP/1.1 only, rustls, no redirects, the configured timeout).
    pub fn new(config: Config) -> Result<Self> {
        if config.timeout().is_zero() {
            return Err(Error::InvalidConfig(
                "the request timeout must be longer than zero".into(),
            ));
        }
        let mut builder = reqwest::Client::builder()
            .http1_only()
            .timeout(config.timeout())
            // A redirect would change the signed URL; never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("icims-namely/", env!("CARGO_PKG_VERSION")));
        if config.is_loopback() {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| {
            Error::InvalidConfig(format!("cannot set up the HTTP client: {}", chain(&e)))
        })?;
        Ok(Client {
            http,
            config,
            clock: Arc::new(OffsetDateTime::now_utc),
            calls: AtomicU64::new(0),
            last: std::sync::Mutex::new(None),
        })
    }

    /// Replaces the clock used for `x-icims-date` (tests, skew simulation).
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> OffsetDateTime + Send + Sync + 'static,
    ) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses the system clock shifted by `offset` (e.g. to correct a skew measured from
    /// [`Reply::server_date`], or to simulate one).
    pub fn with_clock_offset(self, offset: time::Duration) -> Self {
        self.with_clock(move || OffsetDateTime::now_utc() + offset)
    }

    /// The settings in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Status, budget and server clock of the latest reply received (None before any).
    pub fn last_reply(&self) -> Option<ReplyMeta> {
        self.last.lock().ok().and_then(|l| *l)
    }

    /// HTTP requests this client sent that iCIMS may have counted against the daily budget:
    /// every request that got an answer (whatever its status), and every one that failed
    /// after the connection was made (a timeout while waiting, a connection cut). A request
    /// that never left this machine — the address did not resolve, the connection was refused
    /// or could not be set up — is not counted
    /// ([`assumptions::transport_may_have_reached_server`]).
    pub fn calls_made(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// One page of `POST /customers/{cid}/search/applicantworkflows?staleness=0`.
    ///
    /// An `errors` reply meaning "no results", and a missing or empty `searchResults`, give an
    /// empty page.
    #[tracing::instrument(skip_all, fields(after = query.after.map(|a| a.0)))]
    pub async fn search_workflows(&self, query: &SearchQuery) -> Result<Reply<SearchPage>> {
        let body = search_body(query)?;
        self.search_raw(body).await
    }

    /// All pages of a search: repeats [`Client::search_workflows`] with
    /// `applicantworkflow.id > last` until a page has fewer than [`crate::PAGE_SIZE`] ids.
    ///
    /// `on_page` runs after each page; returning [`ControlFlow::Break`] stops before the next
    /// call (e.g. when the request budget is spent). Fails if iCIMS returns an id that is not
    /// greater than the previous page's last one, rather than loop.
    #[tracing::instrument(skip_all)]
    pub async fn search_all_workflows<F>(
        &self,
        query: &SearchQuery,
        mut on_page: F,
    ) -> Result<SearchAll>
    where
        F: FnMut(&SearchProgress<'_>) -> ControlFlow<()>,
    {
        let mut q = query.clone();
        let mut all = SearchAll {
            ids: Vec::new(),
            pages: 0,
            complete: false,
            rate_limit: None,
            server_date: None,
        };
        loop {
            let reply = self.search_workflows(&q).await?;
            all.pages += 1;
            all.rate_limit = reply.rate_limit;
            all.server_date = reply.server_date;
            let page = reply.value;
            let mut last = q.after;
            for id in &page.ids {
                if last.is_some_and(|l| *id <= l) {
                    return Err(Error::Decode {
                        message: format!(
                            "search page {} returned workflow id {id} after id {}; ids must \
                             increase, so paging was stopped to avoid an endless loop",
                            all.pages,
                            last.map_or(0, |l| l.0)
                        ),
                    });
                }
                last = Some(*id);
            }
            let more = !page.is_last();
            let start = all.ids.len();
            all.ids.extend_from_slice(&page.ids);
            let progress = SearchProgress {
                page: all.pages,
                ids: &all.ids[start..],
                total: all.ids.len(),
                more,
                rate_limit: reply.rate_limit,
            };
            tracing::debug!(page = all.pages, found = page.ids.len(), "search page");
            let flow = on_page(&progress);
            if !more {
                all.complete = true;
                return Ok(all);
            }
            if flow.is_break() {
                return Ok(all);
            }
            q.after = last;
        }
    }

    /// `GET /customers/{cid}/applicantworkflows/{id}`.
    #[tracing::instrument(skip_all, fields(workflow = id.0))]
    pub async fn workflow(&self, id: WorkflowId) -> Result<Reply<Workflow>> {
        let url = self
            .config
            .url(&format!("/applicantworkflows/{id}"), None)?;
        self.get_json(&format!("record of workflow {id}"), url)
            .await
    }

    /// `GET /customers/{cid}/people/{id}?fields=a%2Cb` — pass [`DEFAULT_PERSON_FIELDS`] unless
    /// more is needed (an empty slice also means the default list). Field names must be
    /// lowercase (`docs/icims-api.md` §3).
    #[tracing::instrument(skip_all, fields(person = id.0))]
    pub async fn person(&self, id: PersonId, fields: &[&str]) -> Result<Reply<Person>> {
        let fields = if fields.is_empty() {
            DEFAULT_PERSON_FIELDS
        } else {
            fields
        };
        let url = self
            .config
            .url(&format!("/people/{id}"), Some(&fields_query(fields)))?;
        self.get_json(&format!("record of person {id}"), url).await
    }

    /// `GET /customers/{cid}/jobs/{id}?fields=jobtitle%2Cjobid`.
    #[tracing::instrument(skip_all, fields(job = id.0))]
    pub async fn job(&self, id: JobId) -> Result<Reply<Job>> {
        let url = self
            .config
            .url(&format!("/jobs/{id}"), Some(&fields_query(JOB_FIELDS)))?;
        self.get_json(&format!("record of job {id}"), url).await
    }

    /// Cheap signed credential check for setup: one workflow search that matches nothing
    /// (`applicantworkflow.id > 2147483647`, see [`assumptions::PING_WORKFLOW_ID_FLOOR`]).
    /// Succeeds only if the signature, customer id and Search API access are all good; the
    /// reply carries the rate-limit budget and the server date (clock skew).
    #[tracing::instrument(skip_all)]
    pub async fn ping(&self) -> Result<Reply<()>> {
        let body = SearchBody {
            filters: vec![SearchFilter {
                name: "applicantworkflow.id",
                value: vec![assumptions::PING_WORKFLOW_ID_FLOOR.to_string()],
                operator: ">",
            }],
            operator: "&",
        };
        let body = to_json(&body)?;
        Ok(self.search_raw(body).await?.map(|_| ()))
    }

    async fn search_raw(&self, body: Vec<u8>) -> Result<Reply<SearchPage>> {
        let url = self.config.url(
            "/search/applicantworkflows",
            Some(assumptions::SEARCH_QUERY),
        )?;
        let raw = self.send(Method::POST, url, Some(body)).await?;
        let empty = raw.body.iter().all(u8::is_ascii_whitespace);
        if empty && raw.status.is_success() {
            // Never read as "nothing found": that would let a run pass hires by.
            return Err(Error::EmptyReply {
                status: raw.status.as_u16(),
                what: "search of hired workflows".into(),
            });
        }
        let parsed = serde_json::from_slice::<SearchResponse>(&raw.body);
        let errors = parsed.as_ref().map(|r| r.errors.as_slice()).unwrap_or(&[]);
        let no_results = !errors.is_empty()
            && errors.iter().all(|e| {
                e.message
                    .as_deref()
                    .is_some_and(assumptions::is_no_results_message)
            });
        if !raw.status.is_success() {
            if no_results {
                return Ok(raw.reply(SearchPage::default()));
            }
            return Err(self.fail(&raw));
        }
        let parsed = parsed.map_err(|e| Error::Decode {
            message: self.scrub(format!("the search reply: {e}")),
        })?;
        match parsed.search_results {
            Some(hits) => Ok(raw.reply(SearchPage {
                ids: hits.into_iter().map(|h| h.id).collect(),
            })),
            None if parsed.errors.is_empty() || no_results => Ok(raw.reply(SearchPage::default())),
            // A success status with real errors: report, never read as "nothing found".
            None => Err(error::from_reply(
                &FailedReply {
                    status: 400,
                    reason: "Bad Request",
                    x_errors: Vec::new(),
                    body: &raw.body,
                    reset_secs: None,
                    web_page: false,
                },
                self.config.key().expose_secret(),
            )),
        }
    }

    /// GET and read one record; `what` names it ("record of person 12").
    async fn get_json<T: DeserializeOwned>(&self, what: &str, url: Url) -> Result<Reply<T>> {
        let raw = self.send(Method::GET, url, None).await?;
        if !raw.status.is_success() {
            return Err(self.fail(&raw));
        }
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::EmptyReply {
                status: raw.status.as_u16(),
                what: what.to_string(),
            });
        }
        // A record: a JSON object. Anything else is not iCIMS's API answering.
        let is_object = raw
            .body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'{');
        let mut json = serde_json::Deserializer::from_slice(&raw.body);
        match serde_path_to_error::deserialize::<_, T>(&mut json) {
            Ok(v) => Ok(raw.reply(v)),
            // One field of the wrong type: this record is unusable, the API is not broken.
            Err(e) if e.inner().is_data() && e.path().iter().next().is_some() => {
                Err(Error::Unreadable {
                    what: what.to_string(),
                    field: self.scrub(e.path().to_string()),
                    problem: self.scrub(plain_problem(e.inner())),
                })
            }
            // An object cut short, or broken inside: this one record cannot be read (the
            // others may well be), so it is reported like a field of the wrong type.
            Err(e) if is_object && (e.inner().is_eof() || e.inner().is_syntax()) => {
                let field = match e.path().to_string() {
                    p if p.is_empty() || p == "." => "the record".to_string(),
                    p => p,
                };
                let problem = if e.inner().is_eof() {
                    format!("the reply ended early, after {} bytes", raw.body.len())
                } else {
                    format!(
                        "the reply is not valid JSON (line {}, column {})",
                        e.inner().line(),
                        e.inner().column()
                    )
                };
                Err(Error::Unreadable {
                    what: what.to_string(),
                    field: self.scrub(field),
                    problem,
                })
            }
            Err(e) => Err(Error::Decode {
                message: self.scrub(format!("the {what} reply: {}", e.into_inner())),
            }),
        }
    }

    /// Signs and sends one request; maps only transport failures.
    #[tracing::instrument(skip_all, fields(method = %method, path = url.path()))]
    async fn send(&self, method: Method, url: Url, body: Option<Vec<u8>>) -> Result<Raw> {
        let bytes = body.as_deref().unwrap_or_default();
        let signed = sign::sign(
            method.as_str(),
            &url,
            bytes,
            self.config.username(),
            self.config.key().expose_secret(),
            (self.clock)(),
        );
        let headers = self.signed_headers(&signed)?;
        let mut req = self.http.request(method, url).headers(headers);
        if let Some(body) = body {
            req = req.body(body);
        }
        let resp = match req.send().await {
            Ok(resp) => resp,
            Err(e) => {
                let err = self.transport(&e);
                if let Error::Transport {
                    may_have_reached_server: true,
                    ..
                } = err
                {
                    self.calls.fetch_add(1, Ordering::Relaxed);
                }
                return Err(err);
            }
        };
        // Answered: iCIMS (or whatever answers at this address) received it.
        self.calls.fetch_add(1, Ordering::Relaxed);
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = read_bounded(resp, MAX_BODY_BYTES)
            .await
            .map_err(|e| self.transport(&e))?;
        let raw = Raw {
            status,
            headers,
            too_large: body.is_none(),
            body: body.unwrap_or_default(),
        };
        self.log_warnings(&raw);
        if let Ok(mut last) = self.last.lock() {
            *last = Some(ReplyMeta {
                status: status.as_u16(),
                rate_limit: reply::rate_limit(&raw.headers),
                server_date: reply::server_date(&raw.headers),
            });
        }
        tracing::debug!(
            status = status.as_u16(),
            remaining = reply::header_u64(&raw.headers, "x-ratelimit-remaining"),
            "iCIMS replied"
        );
        if raw.too_large {
            tracing::warn!(
                status = status.as_u16(),
                limit = MAX_BODY_BYTES,
                "iCIMS reply too large; stopped reading it"
            );
            if status.is_success() {
                return Err(Error::ReplyTooLarge {
                    status: status.as_u16(),
                    limit: MAX_BODY_BYTES,
                });
            }
        }
        if status.is_redirection() {
            let location = page::location(&raw.headers, self.config.key().expose_secret())
                .map(|l| self.scrub(l));
            tracing::warn!(
                status = status.as_u16(),
                "iCIMS address answered with a redirect; not followed"
            );
            return Err(Error::Redirected {
                status: status.as_u16(),
                location,
            });
        }
        if status.is_success() && page::is_web_page(&raw.headers, &raw.body) {
            tracing::warn!(
                status = status.as_u16(),
                "iCIMS address answered with a web page, not the API"
            );
            return Err(Error::WebPage {
                status: status.as_u16(),
                // The key out before the title is cut short: no piece of it survives the cut.
                title: page::title(&error::without_key(
                    &raw.body,
                    self.config.key().expose_secret(),
                ))
                .map(|t| self.scrub(t)),
            });
        }
        Ok(raw)
    }

    fn signed_headers(&self, s: &sign::SignedRequest) -> Result<HeaderMap> {
        let value = |v: &str| {
            HeaderValue::from_str(v).map_err(|_| {
                Error::InvalidConfig(
                    "a request header would contain characters HTTP does not allow".into(),
                )
            })
        };
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(sign::CONTENT_TYPE),
        );
        h.insert(header::HOST, value(&s.host)?);
        h.insert(
            HeaderName::from_static(sign::CONTENT_SHA256_HEADER),
            value(&s.content_sha256)?,
        );
        h.insert(HeaderName::from_static(sign::DATE_HEADER), value(&s.date)?);
        let mut auth = value(&s.authorization)?;
        auth.set_sensitive(true);
        h.insert(header::AUTHORIZATION, auth);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        Ok(h)
    }

    fn fail(&self, raw: &Raw) -> Error {
        let x_errors: Vec<&str> = raw
            .headers
            .get_all("x-error")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        let reset_secs = reply::header_u64(&raw.headers, "x-ratelimit-reset")
            .or_else(|| reply::header_u64(&raw.headers, "retry-after"));
        let reason = raw.status.canonical_reason().unwrap_or("");
        let reason = if raw.too_large {
            format!(
                "{reason}; the reply was larger than {} MiB and was not read",
                MAX_BODY_BYTES / (1024 * 1024)
            )
        } else {
            reason.to_owned()
        };
        let e = error::from_reply(
            &FailedReply {
                status: raw.status.as_u16(),
                reason: &reason,
                x_errors,
                body: &raw.body,
                reset_secs,
                web_page: page::is_web_page(&raw.headers, &raw.body),
            },
            self.config.key().expose_secret(),
        );
        tracing::warn!(
            status = raw.status.as_u16(),
            code = e.code(),
            "iCIMS request failed"
        );
        e
    }

    fn transport(&self, e: &reqwest::Error) -> Error {
        let err = Error::Transport {
            message: self.scrub(chain(e)),
            timed_out: e.is_timeout(),
            may_have_reached_server: assumptions::transport_may_have_reached_server(e.is_connect()),
        };
        tracing::warn!(error = %err, "iCIMS request failed");
        err
    }

    fn log_warnings(&self, raw: &Raw) {
        for v in raw.headers.get_all("x-warning") {
            let text = String::from_utf8_lossy(v.as_bytes()).into_owned();
            tracing::warn!(warning = %self.scrub(text), "iCIMS warning");
        }
        if raw.status.is_success()
            && contains(&raw.body, b"\"warnings\"")
            && let Ok(w) = serde_json::from_slice::<WarningsBody>(&raw.body)
        {
            for m in w.warnings {
                tracing::warn!(
                    code = m.code,
                    warning = %self.scrub(m.message.unwrap_or_default()),
                    "iCIMS warning"
                );
            }
        }
    }

    /// Removes the key and any signature from text that came from the wire or the HTTP stack,
    /// and bounds it ([`error::scrub`]).
    fn scrub(&self, text: String) -> String {
        error::scrub(text, self.config.key().expose_secret())
    }
}

/// The body, read chunk by chunk, or `None` as soon as it is known to be longer than `limit`
/// bytes (from `Content-Length`, before reading anything, or from the bytes read so far). The
/// rest is never read: dropping the response closes the connection.
async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> std::result::Result<Option<Vec<u8>>, reqwest::Error> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    // Trust the announced length for the first allocation only up to 1 MiB.
    let capacity = announced.map_or(0, |n| n.min(1 << 20) as usize);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > limit - body.len() {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// An error and its sources, one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !msg.contains(&t) {
            msg.push_str(": ");
            msg.push_str(&t);
        }
        src = s.source();
    }
    msg
}

/// serde's "invalid type: map, expected a sequence at line 1 column 9" in plain words:
/// "expected a list, got an object".
fn plain_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => text.as_str(),
    };
    let kind = |s: &str| -> String {
        let s = s.trim();
        let word = s.split([' ', '`', '"']).next().unwrap_or(s);
        match word {
            "map" | "a map" => "an object".into(),
            "sequence" | "a sequence" => "a list".into(),
            "string" => "text".into(),
            "integer" | "floating" | "u64" | "i64" | "f64" => "a number".into(),
            "boolean" => "true or false".into(),
            "null" | "unit" => "nothing (null)".into(),
            _ => s.trim_start_matches("a ").to_string(),
        }
    };
    match text
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        Some((got, expected)) => {
            let expected = match expected.trim() {
                "a sequence" | "sequence" => "a list".to_string(),
                "a map" | "map" => "an object".to_string(),
                "a string" => "text".to_string(),
                other if other.starts_with("struct ") => "an object".to_string(),
                other => other.to_string(),
            };
            format!("expected {expected}, got {}", kind(got))
        }
        None => text.to_string(),
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::Decode {
        message: format!("cannot encode the request: {e}"),
    })
}

/// `fields=a%2Cb%2Cc`: each name form-encoded, joined by the encoded comma.
fn fields_query(fields: &[&str]) -> String {
    let names: Vec<String> = fields
        .iter()
        .map(|f| url::form_urlencoded::byte_serialize(f.trim().as_bytes()).collect())
        .collect();
    format!("fields={}", names.join(assumptions::FIELDS_SEPARATOR))
}

/// The JSON body of a workflow search (`docs/icims-api.md` §4.2).
fn search_body(q: &SearchQuery) -> Result<Vec<u8>> {
    let statuses: Vec<String> = q
        .statuses
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if statuses.is_empty() {
        return Err(Error::InvalidConfig(
            "no hired status is configured; choose at least one iCIMS workflow status".into(),
        ));
    }
    let mut filters = vec![SearchFilter {
        name: "applicantworkflow.status",
        value: statuses,
        operator: "=",
    }];
    if let Some(since) = q.updated_since {
        let text = since
            .to_offset(time::UtcOffset::UTC)
            .format(UPDATED_DATE_FORMAT)
            .map_err(|e| Error::InvalidConfig(format!("cannot format the 'since' date: {e}")))?;
        filters.push(SearchFilter {
            name: "applicantworkflow.updateddate",
            value: vec![text],
            operator: assumptions::UPDATED_SINCE_OPERATOR,
        });
    }
    if let Some(after) = q.after {
        filters.push(SearchFilter {
            name: "applicantworkflow.id",
            value: vec![after.0.to_string()],
            operator: ">",
        });
    }
    if let Some(person) = q.person {
        filters.push(SearchFilter {
            name: "applicantworkflow.person.id",
            value: vec![person.0.to_string()],
            operator: "=",
        });
    }
    to_json(&SearchBody {
        filters,
        operator: "&",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn search_body_shapes() {
        let q = SearchQuery::statuses(["C12345", " Hired "]);
        assert_eq!(
            String::from_utf8(search_body(&q).unwrap()).unwrap(),
            r#"{"filters":[{"name":"applicantworkflow.status","value":["C12345","Hired"],"operator":"="}],"operator":"&"}"#
        );
        let q = q
            .updated_since(datetime!(2024-01-14 23:05:59 UTC))
            .after(WorkflowId(19287));
        assert_eq!(
            String::from_utf8(search_body(&q).unwrap()).unwrap(),
            r#"{"filters":[{"name":"applicantworkflow.status","value":["C12345","Hired"],"operator":"="},{"name":"applicantworkflow.updateddate","value":["2024-01-14 11:05 PM"],"operator":">="},{"name":"applicantworkflow.id","value":["19287"],"operator":">"}],"operator":"&"}"#
        );
        let q = SearchQuery::statuses(["x"]).updated_since(datetime!(2024-01-15 00:30:00 +01:00));
        let body = String::from_utf8(search_body(&q).unwrap()).unwrap();
        assert!(body.contains(r#""2024-01-14 11:30 PM""#), "{body}");
        let q = SearchQuery::statuses(["x"]).updated_since(datetime!(2024-01-15 09:01:00 UTC));
        let body = String::from_utf8(search_body(&q).unwrap()).unwrap();
        assert!(body.contains(r#""2024-01-15 09:01 AM""#), "{body}");
    }

    #[test]
    fn search_body_for_one_person() {
        let q = SearchQuery::statuses(["Hired"]).person(PersonId(1003));
        assert_eq!(q.person, Some(PersonId(1003)));
        assert_eq!(
            String::from_utf8(search_body(&q).unwrap()).unwrap(),
            r#"{"filters":[{"name":"applicantworkflow.status","value":["Hired"],"operator":"="},{"name":"applicantworkflow.person.id","value":["1003"],"operator":"="}],"operator":"&"}"#
        );
        let q = q.after(WorkflowId(19287));
        let body = String::from_utf8(search_body(&q).unwrap()).unwrap();
        assert!(
            body.ends_with(r#"{"name":"applicantworkflow.id","value":["19287"],"operator":">"},{"name":"applicantworkflow.person.id","value":["1003"],"operator":"="}],"operator":"&"}"#),
            "{body}"
        );
    }

    #[test]
    fn search_needs_a_status() {
        let e = search_body(&SearchQuery::statuses([" "])).unwrap_err();
        assert!(matches!(e, Error::InvalidConfig(_)));
    }

    #[test]
    fn fields_are_comma_escaped() {
        assert_eq!(
            fields_query(&["firstname", "lastname", "email"]),
            "fields=firstname%2Clastname%2Cemail"
        );
        assert_eq!(fields_query(&["a b"]), "fields=a+b");
    }
}
