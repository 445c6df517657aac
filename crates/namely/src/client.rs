//! The HTTP client: one method per Namely call, throttling (the listing pacer and the 406
//! retry) and error mapping in one place.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use crate::assumptions::{self, PER_PAGE_MAX};
use crate::config::{Config, ConfigError, ThrottlePolicy};
use crate::error::{Error, MAX_BODY_BYTES, Redactor};
use crate::model::{
    CompanyInfo, Field, JobTitle, NewProfile, PageProgress, Profile, ProfileFilter, ProfileId,
    ProfileUpdate, ProfilesPage, check_custom_keys,
};
use crate::oauth::Credential;
use crate::pacer::Pacer;
use crate::page;

/// A Namely API client. `Send + Sync`: share it by reference between tasks, or clone it
/// (cheap; clones share one connection pool and one listing pacer).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_base: Url,
    throttle: ThrottlePolicy,
    /// Paces `GET /profiles` for every task and clone sharing this client.
    pacer: Arc<Pacer>,
    /// A personal access token, or a signed-in OAuth session that refreshes itself.
    credential: Credential,
    /// Cleans Namely's texts (and a personal access token) out of errors that no answer
    /// produced; texts from an answer are cleaned with the token sent with it.
    redactor: Redactor,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_base", &self.api_base.as_str())
            .field("throttle", &self.throttle)
            .field("pacer", &self.pacer)
            .finish_non_exhaustive()
    }
}

/// A successful answer: status and body.
struct Answer {
    /// Cleans texts of this answer of the token that was sent with it.
    redactor: Redactor,
    status: StatusCode,
    is_json: bool,
    body: Vec<u8>,
}

#[derive(Serialize)]
struct ProfilesEnvelope<'a, T> {
    profiles: [&'a T; 1],
}

#[derive(serde::Deserialize)]
struct ProfilesList {
    #[serde(default)]
    profiles: Vec<Profile>,
}

#[derive(serde::Deserialize)]
struct FieldsList {
    #[serde(default)]
    fields: Vec<Field>,
}

#[derive(serde::Deserialize)]
struct JobTitlesList {
    #[serde(default)]
    job_titles: Vec<JobTitle>,
}

impl Client {
    /// Builds a client. Fails only on a zero timeout or if TLS cannot be set up.
    pub fn new(config: Config) -> Result<Self, Error> {
        if config.timeout().is_zero() {
            return Err(ConfigError::ZeroTimeout.into());
        }
        let credential = config.credential().clone();
        let redactor = match &credential {
            Credential::Token(token) => {
                bearer_header(token)?;
                Redactor::new(token)
            }
            Credential::OAuth(_) => Redactor::new(&SecretString::from(String::new())),
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = crate::config::http_client(config.api_base(), config.timeout(), headers)?;
        let (limit, window) = config.listing_pace();
        Ok(Self {
            http,
            api_base: config.api_base().clone(),
            throttle: config.throttle(),
            pacer: Arc::new(Pacer::new(limit, window)),
            credential,
            redactor,
        })
    }

    /// Whether it signs with a Sign in with Namely session (else a personal access token).
    pub fn uses_oauth(&self) -> bool {
        matches!(self.credential, Credential::OAuth(_))
    }

    /// The API base calls go to (e.g. `https://acme.namely.com/api/v1/`).
    pub fn api_base(&self) -> &Url {
        &self.api_base
    }

    /// Total time listing requests have waited in the pacer so far, summed over every task
    /// and clone sharing this client ([`Config::with_listing_pace`]). Zero while the pace was
    /// never reached. Waits after a 406 are not included.
    pub fn listing_wait(&self) -> Duration {
        self.pacer.waited()
    }

    /// `GET /companies/info`: checks that the company exists. An unknown company (404, a
    /// redirect, or a non-JSON page) gives [`Error::NotFound`] saying to check the name.
    #[tracing::instrument(skip_all)]
    pub async fn company_info(&self) -> Result<CompanyInfo, Error> {
        let url = self.url(&["companies", "info"]);
        let answer = match self.send(Method::GET, url, None).await {
            Ok(a) => a,
            Err(Error::NotFound { .. }) => return Err(self.unknown_company(None)),
            Err(Error::UnexpectedStatus { status, message }) if status.is_redirection() => {
                // "the address redirected to "…"", without the advice that follows.
                let to = message
                    .split(REDIRECT_NOT_FOLLOWED)
                    .next()
                    .unwrap_or_default();
                return Err(self.unknown_company(Some(to)));
            }
            Err(Error::WebPage { title, .. }) => {
                let page = format!(
                    "it answered with a web page{}",
                    page::titled(title.as_deref())
                );
                return Err(self.unknown_company(Some(&page)));
            }
            Err(e) => return Err(e),
        };
        if assumptions::is_unknown_company(answer.status, answer.is_json) {
            return Err(self.unknown_company(None));
        }
        let value: Value = self.decode(&answer, "company info")?;
        let object = match value.get(assumptions::COMPANY_INFO_ENVELOPE_KEY) {
            Some(Value::Array(items)) => items.first().cloned().unwrap_or(Value::Null),
            _ => value,
        };
        serde_json::from_value(object).map_err(|e| {
            answer.redactor.error(Error::Decode {
                message: format!("company info: {e}"),
            })
        })
    }

    /// `GET /profiles/me`: the token owner's profile.
    #[tracing::instrument(skip_all)]
    pub async fn me(&self) -> Result<Profile, Error> {
        let answer = self
            .send(Method::GET, self.url(&["profiles", "me"]), None)
            .await?;
        self.first_profile(&answer, "your own profile (/profiles/me)")
    }

    /// `GET /profiles/{id}`.
    #[tracing::instrument(skip_all)]
    pub async fn profile(&self, id: &ProfileId) -> Result<Profile, Error> {
        let answer = self
            .send(Method::GET, self.url(&["profiles", id.as_str()]), None)
            .await?;
        self.first_profile(&answer, "the profile")
    }

    /// `GET /profiles/fields`: every API-visible profile field, custom ones included.
    #[tracing::instrument(skip_all)]
    pub async fn fields(&self) -> Result<Vec<Field>, Error> {
        let answer = self
            .send(Method::GET, self.url(&["profiles", "fields"]), None)
            .await?;
        Ok(self
            .decode::<FieldsList>(&answer, "the profile fields")?
            .fields)
    }

    /// `GET /job_titles`.
    #[tracing::instrument(skip_all)]
    pub async fn job_titles(&self) -> Result<Vec<JobTitle>, Error> {
        let answer = self
            .send(Method::GET, self.url(&["job_titles"]), None)
            .await?;
        Ok(self
            .decode::<JobTitlesList>(&answer, "the job titles")?
            .job_titles)
    }

    /// `GET /profiles?page=N&per_page=M[&filter[…]=…][&sort=…]`. `page` starts at 1 (0 is read
    /// as 1); `per_page` is clamped to `1..=`[`PER_PAGE_MAX`].
    #[tracing::instrument(skip_all, fields(page, per_page))]
    pub async fn profiles_page(
        &self,
        page: u32,
        per_page: u32,
        filter: &ProfileFilter,
    ) -> Result<ProfilesPage, Error> {
        let page = page.max(1);
        let per_page = per_page.clamp(1, PER_PAGE_MAX);
        tracing::Span::current().record("page", page);
        tracing::Span::current().record("per_page", per_page);
        let url = self.listing_url(
            &[
                ("page", &page.to_string()),
                ("per_page", &per_page.to_string()),
            ],
            filter,
        );
        let answer = self.send(Method::GET, url, None).await?;
        self.decode(&answer, &format!("page {page} of the profiles"))
    }

    /// `GET /profiles?per_page=N[&after=<id>][&filter[…]=…][&sort=…]`: the legacy cursor
    /// listing (no `page`). `after` is the last profile id of the previous page (`None` for
    /// the first page); `per_page` is clamped to `1..=`[`PER_PAGE_MAX`]. The answer's
    /// [`crate::PageMeta::after`] echoes the cursor when Namely honours it.
    ///
    /// **Unverified** ([`assumptions::CURSOR_PARAM`]): Namely's own client paged this way in
    /// 2015, current documentation does not mention it. A server that ignores `after` answers
    /// the first page every time; one that does not know the id may answer an empty page,
    /// which reads like the end of the list. Prefer [`Client::profiles_page`].
    #[tracing::instrument(skip_all, fields(per_page))]
    pub async fn profiles_after(
        &self,
        after: Option<&ProfileId>,
        per_page: u32,
        filter: &ProfileFilter,
    ) -> Result<ProfilesPage, Error> {
        let per_page = per_page.clamp(1, PER_PAGE_MAX);
        tracing::Span::current().record("per_page", per_page);
        let per_page = per_page.to_string();
        let mut leading = vec![("per_page", per_page.as_str())];
        if let Some(after) = after {
            leading.push((assumptions::CURSOR_PARAM, after.as_str()));
        }
        let url = self.listing_url(&leading, filter);
        let answer = self.send(Method::GET, url, None).await?;
        self.decode(&answer, "a page of the profiles")
    }

    /// Every profile (active, pending and inactive), reading pages from 1 until the first
    /// empty page. `progress` is called after each non-empty page.
    #[tracing::instrument(skip_all)]
    pub async fn all_profiles(
        &self,
        per_page: u32,
        mut progress: impl FnMut(PageProgress),
    ) -> Result<Vec<Profile>, Error> {
        let filter = ProfileFilter::default();
        let mut all: Vec<Profile> = Vec::new();
        let mut previous_first: Option<ProfileId> = None;
        let mut page = 1u32;
        loop {
            let batch = self.profiles_page(page, per_page, &filter).await?;
            let Some(first) = batch.profiles.first() else {
                break;
            };
            // A server that ignores `page` would otherwise be read forever.
            if previous_first.as_ref() == Some(&first.id) {
                return Err(Error::Decode {
                    message: format!(
                        "page {page} repeated the profiles of page {}; stopped reading",
                        page - 1
                    ),
                });
            }
            previous_first = Some(first.id.clone());
            all.extend(batch.profiles);
            progress(PageProgress {
                page,
                fetched: all.len(),
                total_count: batch.meta.total_count,
            });
            page = page.checked_add(1).ok_or_else(|| Error::Decode {
                message: "too many pages".to_owned(),
            })?;
        }
        tracing::debug!(pages = page, profiles = all.len(), "read all profiles");
        Ok(all)
    }

    /// Profiles whose company email is `email` (`filter[email]`); usually zero or one.
    #[tracing::instrument(skip_all)]
    pub async fn find_by_email(&self, email: &str) -> Result<Vec<Profile>, Error> {
        let filter = ProfileFilter::email(email.trim());
        Ok(self.profiles_page(1, PER_PAGE_MAX, &filter).await?.profiles)
    }

    /// `POST /profiles` with `{"profiles":[{…}]}`; returns the created profile (its `id` read
    /// from `profiles[0]`). Any 2xx counts as created.
    ///
    /// **Not idempotent.** If this fails with [`Error::may_have_been_applied`], look the person
    /// up (e.g. [`Client::find_by_email`]) before trying again.
    #[tracing::instrument(skip_all)]
    pub async fn create_profile(&self, profile: &NewProfile) -> Result<Profile, Error> {
        check_custom_keys(&profile.custom).map_err(|message| Error::InvalidInput { message })?;
        let body = envelope(profile)?;
        let answer = self
            .send(Method::POST, self.url(&["profiles"]), Some(body))
            .await?;
        if !assumptions::is_create_success(answer.status) {
            return Err(Error::UnexpectedStatus {
                status: answer.status,
                message: "the create was not confirmed".to_owned(),
            });
        }
        let created = self.first_profile(&answer, "the created profile")?;
        tracing::info!(profile_id = %created.id, status = %answer.status, "profile created");
        Ok(created)
    }

    /// `PUT /profiles/{id}` with `{"profiles":[{ only the fields to change }]}`.
    #[tracing::instrument(skip_all)]
    pub async fn update_profile(
        &self,
        id: &ProfileId,
        fields: &ProfileUpdate,
    ) -> Result<Profile, Error> {
        check_custom_keys(&fields.custom).map_err(|message| Error::InvalidInput { message })?;
        let body = envelope(fields)?;
        if body == br#"{"profiles":[{}]}"# {
            return Err(Error::InvalidInput {
                message: "the update changes nothing".to_owned(),
            });
        }
        let answer = self
            .send(
                Method::PUT,
                self.url(&["profiles", id.as_str()]),
                Some(body),
            )
            .await?;
        self.first_profile(&answer, "the updated profile")
    }

    /// `…/profiles?` with `leading` pairs first, then the filter's.
    fn listing_url(&self, leading: &[(&str, &str)], filter: &ProfileFilter) -> Url {
        let mut url = self.url(&["profiles"]);
        {
            let mut query = url.query_pairs_mut();
            for (key, value) in leading.iter().copied().chain(filter.query_pairs()) {
                query.append_pair(key, value);
            }
        }
        url
    }

    /// The API base plus percent-encoded path segments.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.api_base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// `how`: what the address did instead, e.g. "it redirected to …".
    fn unknown_company(&self, how: Option<&str>) -> Error {
        let web = self.api_base.host_str().unwrap_or("this address");
        let how = how.map(|h| format!(" ({h})")).unwrap_or_default();
        self.redactor.error(Error::NotFound {
            message: format!(
                "no Namely company answers at {web}{how}. Check the company name: it is the part before .namely.com in your Namely web address."
            ),
        })
    }

    /// Reads a JSON answer; `what` names it in the error ("page 3 of the profiles"). What
    /// could not be read says where (`profiles[3].id: expected text, got a number`) and is
    /// cleaned like any text from Namely.
    fn decode<T: DeserializeOwned>(&self, answer: &Answer, what: &str) -> Result<T, Error> {
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::Decode {
                message: format!(
                    "{what} came back empty (HTTP {}, no body)",
                    answer.status.as_u16()
                ),
            });
        }
        let mut json = serde_json::Deserializer::from_slice(&answer.body);
        serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let path = e.path().to_string();
            let at = if path.is_empty() || path == "." {
                String::new()
            } else {
                format!(" at {path}")
            };
            let inner = e.into_inner();
            let problem = if inner.is_eof() {
                format!("the answer ended early, after {} bytes", answer.body.len())
            } else if inner.is_syntax() {
                format!(
                    "the answer is not valid JSON (line {}, column {})",
                    inner.line(),
                    inner.column()
                )
            } else {
                plain_problem(&inner)
            };
            answer.redactor.error(Error::Decode {
                message: format!("{what}{at}: {problem}"),
            })
        })
    }

    fn first_profile(&self, answer: &Answer, what: &str) -> Result<Profile, Error> {
        self.decode::<ProfilesList>(answer, what)?
            .profiles
            .into_iter()
            .next()
            .ok_or_else(|| Error::Decode {
                message: format!("{what}: the answer holds no profile"),
            })
    }

    /// Sends one request, waiting out throttling, and maps every non-2xx status to an error.
    /// Every error it returns has been cleaned by the [`Redactor`].
    ///
    /// Signed in with Namely (OAuth), the access token is refreshed first when it is about to
    /// run out, and once more when Namely refuses it ([`assumptions::refreshes_after`]); the
    /// request is then sent again, once. A refused token means nothing was done, so this is
    /// safe for a create too.
    async fn send(&self, method: Method, url: Url, body: Option<Vec<u8>>) -> Result<Answer, Error> {
        let (bearer, generation) = match &self.credential {
            Credential::Token(token) => (token.clone(), 0),
            Credential::OAuth(session) => session.bearer().await?,
        };
        let first = self
            .send_as(&bearer, method.clone(), url.clone(), body.clone())
            .await;
        match (&self.credential, first) {
            (Credential::OAuth(session), Err(e))
                if e.status().is_some_and(assumptions::refreshes_after) =>
            {
                tracing::info!(
                    status = e.status().map(|s| s.as_u16()),
                    "Namely refused the access token; refreshing it and trying once more"
                );
                let (bearer, _) = session.rejected(generation).await?;
                self.send_as(&bearer, method, url, body).await
            }
            (_, answer) => answer,
        }
    }

    /// One request (throttling waits included) signed with `bearer`; every error cleaned of it.
    async fn send_as(
        &self,
        bearer: &SecretString,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<Answer, Error> {
        let redactor = Redactor::new(bearer);
        let auth = bearer_header(bearer).map_err(Error::from)?;
        self.send_unredacted(method, url, body, auth, &redactor)
            .await
            .map_err(|e| redactor.error(e))
    }

    async fn send_unredacted(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        auth: HeaderValue,
        redactor: &Redactor,
    ) -> Result<Answer, Error> {
        let api_path = url
            .path()
            .strip_prefix(self.api_base.path())
            .unwrap_or_default();
        let paced = assumptions::counts_toward_listing_limit(&method, api_path);
        let mut retries = 0u32;
        loop {
            // Every try counts, retries of a 406 included. The permit is held until the answer
            // (or the failure) is in: Namely counts the request somewhere before that.
            let permit = if paced {
                self.pacer.admit().await
            } else {
                None
            };
            let started = Instant::now();
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, auth.clone());
            if let Some(body) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let response = request.send().await.map_err(|e| {
                let err = Error::transport(&e);
                tracing::warn!(%method, path = url.path(), error = %err, "request failed");
                err
            })?;
            drop(permit);
            let status = response.status();
            tracing::debug!(
                %method,
                path = url.path(),
                status = status.as_u16(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "namely answered"
            );
            if assumptions::is_throttle(&method, status) {
                if retries >= self.throttle.max_retries {
                    tracing::warn!(%method, path = url.path(), retries, "still throttled; giving up");
                    return Err(Error::Throttled);
                }
                retries += 1;
                tracing::info!(
                    status = status.as_u16(),
                    retry = retries,
                    wait_ms = self.throttle.wait.as_millis() as u64,
                    "throttled by Namely; waiting"
                );
                tokio::time::sleep(self.throttle.wait).await;
                continue;
            }
            let is_json = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
            let headers = response.headers().clone();
            let body = read_bounded(response, MAX_BODY_BYTES)
                .await
                .map_err(|e| Error::transport(&e))?;
            let web_page = body
                .as_deref()
                .is_some_and(|b| page::is_web_page(&headers, b));
            if status.is_redirection() {
                tracing::warn!(
                    %method,
                    path = url.path(),
                    status = status.as_u16(),
                    "Namely address answered with a redirect; not followed"
                );
                return Err(redirect_error(
                    status,
                    page::location(&headers, redactor.secret()).as_deref(),
                ));
            }
            return match (status.is_success(), body) {
                (true, Some(body)) if web_page => {
                    tracing::warn!(
                        %method,
                        path = url.path(),
                        status = status.as_u16(),
                        "Namely address answered with a web page, not the API"
                    );
                    Err(Error::WebPage {
                        status,
                        title: page::title(&page::without(&body, redactor.secret())),
                        write: !method.is_safe(),
                    })
                }
                (true, Some(body)) => Ok(Answer {
                    redactor: redactor.clone(),
                    status,
                    is_json,
                    body,
                }),
                (true, None) => {
                    tracing::warn!(
                        %method,
                        path = url.path(),
                        status = status.as_u16(),
                        limit = MAX_BODY_BYTES,
                        "answer too large; stopped reading it"
                    );
                    Err(Error::AnswerTooLarge {
                        status,
                        limit: MAX_BODY_BYTES,
                        write: !method.is_safe(),
                    })
                }
                (false, Some(body)) if web_page => Err(status_error(
                    status,
                    Some(&body),
                    Some(web_page_text(
                        page::title(&page::without(&body, redactor.secret())).as_deref(),
                    )),
                )),
                (false, Some(body)) => Err(status_error(status, Some(&body), None)),
                // An error status says enough on its own; its oversized body is not read.
                (false, None) => {
                    tracing::warn!(
                        %method,
                        path = url.path(),
                        status = status.as_u16(),
                        limit = MAX_BODY_BYTES,
                        "error answer too large; mapped from its status alone"
                    );
                    Err(status_error(status, None, None))
                }
            };
        }
    }
}

/// The `Authorization` header for `token`, marked sensitive (never shown in debug output).
fn bearer_header(token: &SecretString) -> Result<HeaderValue, ConfigError> {
    let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| ConfigError::InvalidToken)?;
    auth.set_sensitive(true);
    Ok(auth)
}

/// serde's "invalid type: integer `5`, expected a string" in plain words: "expected text,
/// got a number".
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
            "map" => "an object".into(),
            "sequence" => "a list".into(),
            "string" => "text".into(),
            "integer" | "floating" => "a number".into(),
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
                "a sequence" => "a list".to_string(),
                "a map" => "an object".to_string(),
                "a string" => "text".to_string(),
                other if other.starts_with("struct ") => "an object".to_string(),
                other => other.to_string(),
            };
            format!("expected {expected}, got {}", kind(got))
        }
        None => text.to_string(),
    }
}

fn envelope<T: Serialize>(item: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(&ProfilesEnvelope { profiles: [item] }).map_err(|e| Error::InvalidInput {
        message: format!("could not encode the profile: {e}"),
    })
}

/// The body, read chunk by chunk, or `None` as soon as it is known to be longer than `limit`
/// bytes (from `Content-Length`, before reading anything, or from the bytes read so far). The
/// rest is never read: dropping the response closes the connection.
pub(crate) async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
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

/// What an error status with a web page for a body says instead of Namely's message.
fn web_page_text(title: Option<&str>) -> String {
    format!(
        "the address answered with a web page{}, not the Namely API — check the company name or the API address in the connection settings",
        page::titled(title)
    )
}

/// Where a redirect's message turns from what happened to what it means.
const REDIRECT_NOT_FOLLOWED: &str = ". The redirect was not followed";

/// A 3xx: never followed, so the token never travels to where it points.
fn redirect_error(status: StatusCode, location: Option<&str>) -> Error {
    let to = location
        .map(|l| format!(" to {}", page::quote(l)))
        .unwrap_or_default();
    Error::UnexpectedStatus {
        status,
        message: format!(
            "the address redirected{to}{REDIRECT_NOT_FOLLOWED}, so the access token was not sent there. Check the company name (the part before .namely.com in your Namely web address) or the API address in the connection settings"
        ),
    }
}

/// Maps a non-2xx, non-throttle status to an error, keeping Namely's `message`/`errors`.
/// `body` is `None` when it was larger than [`MAX_BODY_BYTES`] and so not read; `page` is what
/// to say instead of Namely's message when the body was a web page.
fn status_error(status: StatusCode, body: Option<&[u8]>, page: Option<String>) -> Error {
    let (message, errors) = match (body, page) {
        (_, Some(page)) => (Some(page), Vec::new()),
        (Some(body), None) => error_body(body),
        (None, None) => (
            Some(format!(
                "its answer was larger than {} MiB and was not read",
                MAX_BODY_BYTES / (1024 * 1024)
            )),
            Vec::new(),
        ),
    };
    match status {
        StatusCode::UNAUTHORIZED => Error::Unauthorized,
        StatusCode::FORBIDDEN => Error::Forbidden,
        StatusCode::NOT_FOUND => Error::NotFound {
            message: message.unwrap_or_else(|| "not found".to_owned()),
        },
        StatusCode::UNPROCESSABLE_ENTITY => Error::Validation {
            message: message.unwrap_or_default(),
            errors,
        },
        s if s.is_server_error() => Error::Server {
            status,
            message: message.unwrap_or_else(|| {
                s.canonical_reason()
                    .unwrap_or("server error")
                    .to_ascii_lowercase()
            }),
        },
        s => Error::UnexpectedStatus {
            status,
            message: message.unwrap_or_else(|| {
                s.canonical_reason()
                    .unwrap_or("unexpected status")
                    .to_ascii_lowercase()
            }),
        },
    }
}

/// Reads `{"message": "...", "errors": [...]}` (or `{"error": "..."}`); non-JSON bodies (HTML
/// error pages) are ignored rather than copied into messages. The texts are raw: [`Client::send`]
/// cleans and bounds them with the [`Redactor`].
fn error_body(body: &[u8]) -> (Option<String>, Vec<String>) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (None, Vec::new());
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let message = ["message", "error"]
        .iter()
        .filter_map(|k| value.get(*k))
        .map(text)
        .find(|s| !s.is_empty());
    let errors = match value.get("errors") {
        Some(Value::Array(items)) => items.iter().map(text).filter(|s| !s.is_empty()).collect(),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{k} {}", text(v)))
            .collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_owned()],
        _ => Vec::new(),
    };
    (message, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_and_its_listing_futures_can_be_shared_between_tasks() {
        fn shared<T: Send + Sync + Clone>() {}
        fn sendable<F: std::future::Future + Send>(_: &F) {}
        shared::<Client>();
        let config = Config::new(
            crate::Endpoint::base_url("http://127.0.0.1:9").expect("base"),
            secrecy::SecretString::from("t"),
        )
        .expect("config");
        let client = Client::new(config).expect("client");
        let filter = ProfileFilter::default();
        let id = ProfileId::new("p1");
        sendable(&client.profiles_page(1, 50, &filter));
        sendable(&client.profiles_after(Some(&id), 50, &filter));
        sendable(&client.find_by_email("a@b.c"));
        assert_eq!(client.listing_wait(), Duration::ZERO);
    }

    #[test]
    fn error_bodies() {
        let (m, e) = error_body(
            br#"{"message":"error creating profile","errors":["first_name is a required field"]}"#,
        );
        assert_eq!(m.as_deref(), Some("error creating profile"));
        assert_eq!(e, vec!["first_name is a required field".to_owned()]);
        let (m, e) = error_body(br#"{"error":""}"#);
        assert_eq!((m, e.len()), (None, 0));
        let (m, _) = error_body(b"<html>oops</html>");
        assert_eq!(m, None);
        assert!(matches!(
            status_error(StatusCode::BAD_GATEWAY, Some(b""), None),
            Error::Server {
                status: StatusCode::BAD_GATEWAY,
                ..
            }
        ));
        assert!(status_error(StatusCode::BAD_GATEWAY, Some(b""), None).may_have_been_applied());
        assert!(
            !status_error(StatusCode::UNPROCESSABLE_ENTITY, Some(b"{}"), None)
                .may_have_been_applied()
        );
    }
}
