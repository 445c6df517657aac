//! Sign in with Namely: the OAuth 2.0 authorization-code flow (`docs/namely-api.md` §2.2),
//! through the `oauth2` crate.
//!
//! - [`OAuth::authorize`] gives the address to open in the person's browser, and the `state`
//!   the answer must carry back.
//! - [`OAuth::exchange_code`] turns the code Namely sent to the redirect URI into tokens.
//! - [`OAuth::refresh`] gets a new access token (15 minutes) with the refresh token.
//! - [`OAuthSession`] is the credential a [`crate::Client`] signs requests with: it refreshes
//!   the access token before it runs out, and once when Namely answers 401 (see
//!   [`assumptions::refreshes_after`]). Clones share one refresh; once Namely refuses the
//!   refresh token or the client for good, the session says so at once to every later
//!   request instead of asking again.
//!
//! Token answers other than a token or an RFC 6749 error (a redirect, a gateway's page, a
//! 5xx, an error without a code, a success that is no JSON) are told apart before `oauth2`
//! reads them, so each says what to do: try again later, or sign in again.
//!
//! The client id and secret go in the form body (as Namely's own client sends them); the
//! redirect URI goes in the token address's query, as recorded, and in the body of the code
//! exchange, as RFC 6749 says. Unverified choices are in [`assumptions`].
//!
//! Nothing here logs or returns a token, a code or the client secret: errors carry only the
//! OAuth error code (`invalid_grant`) and Namely's description with every secret taken out.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use oauth2::basic::{BasicClient, BasicErrorResponseType, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, HttpRequest, HttpResponse, RedirectUrl, RefreshToken, RequestTokenError,
    StandardErrorResponse, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use crate::assumptions;
use crate::config::{ConfigError, Endpoint};
use crate::error::{Error, without_secrets};
use crate::page;

/// The application registered in the company's Namely (Namely › API › Register an
/// application): its client id and secret. `Debug` never shows the secret.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Where to send the person, and the `state` Namely must send back with the code.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// `…/api/v1/oauth2/authorize?response_type=code&client_id=…&redirect_uri=…&state=…`
    pub url: Url,
    /// Random, single use: an answer carrying another state is refused.
    pub state: String,
}

/// What the token endpoint gave. `Debug` never shows a token.
#[derive(Clone)]
pub struct Tokens {
    pub access_token: SecretString,
    /// Absent from refresh answers as recorded in 2014: then the old one stays valid.
    pub refresh_token: Option<SecretString>,
    /// Namely says 899 s.
    pub expires_in: Option<Duration>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Why Namely's sign-in service said no, in words that say what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    /// `invalid_client`: the client id or secret is wrong, or the application was removed.
    #[error(
        "Namely did not accept the client ID and client secret (invalid_client). Copy both again from the application registered in Namely (Namely › API), then sign in again."
    )]
    ClientRejected,
    /// `invalid_grant` on the code: used already, expired, or for another redirect URI.
    #[error(
        "Namely refused the sign-in code ({code}): it expired or was used already. Sign in with Namely again."
    )]
    CodeRejected { code: String },
    /// The refresh token no longer works: revoked, expired (30 days, per Namely's older docs),
    /// or the application was removed.
    #[error(
        "Namely no longer accepts this sign-in ({code}): it was revoked or has expired, or the application was removed in Namely. Sign in with Namely again (setup part 2, or `icims-namely signin NAME --client-id ID`)."
    )]
    RefreshRejected { code: String },
    /// Another OAuth error (`invalid_request`, `unsupported_grant_type`, …).
    #[error("Namely's sign-in service refused ({code}{}). Check the client ID and sign in again.", describe(.description))]
    Refused { code: String, description: String },
    /// The sign-in service answered with an error status and no OAuth answer (a gateway page,
    /// a redirect).
    #[error(
        "Namely's sign-in service did not answer properly (HTTP {status}{}). Try again in a few minutes; if it persists, check the company name.",
        page::titled(.title.as_deref())
    )]
    Unavailable { status: u16, title: Option<String> },
    /// The sign-in answer held an access token but no refresh token: the app could not stay
    /// signed in past the access token's 15 minutes, so nothing is kept.
    #[error(
        "Namely signed you in but handed out no refresh token, so icims-namely could not stay signed in (an access token lasts 15 minutes) and saved nothing. Sign in again; if this keeps happening, use a personal access token instead."
    )]
    NoRefreshToken,
    /// A 200 that holds no usable token.
    #[error(
        "Namely's sign-in service answered, but not with a token ({what}). Try again; if it persists, check the company name."
    )]
    Unexpected { what: String },
}

fn describe(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(": {description}")
    }
}

impl SignInError {
    /// The stored sign-in is unusable: only signing in again helps.
    pub fn needs_new_sign_in(&self) -> bool {
        matches!(self, Self::ClientRejected | Self::RefreshRejected { .. })
    }
}

type Oauth2Client =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The sign-in service of one Namely company, for one registered application and redirect
/// URI. Cheap to clone.
#[derive(Clone)]
pub struct OAuth {
    inner: Arc<OAuthInner>,
}

struct OAuthInner {
    client: Oauth2Client,
    http: TokenHttp,
    redirect: Url,
    client_secret: SecretString,
}

impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth")
            .field("client_id", &self.inner.client.client_id().as_str())
            .field("redirect", &self.inner.redirect.as_str())
            .finish_non_exhaustive()
    }
}

/// The redirect URI the app listens on: `http://127.0.0.1:{port}/namely/callback`.
pub fn redirect_uri(port: u16) -> Url {
    let mut url = Url::parse("http://127.0.0.1/").expect("a valid address");
    let _ = url.set_port(Some(port));
    url.set_path(assumptions::REDIRECT_PATH);
    url
}

impl OAuth {
    /// The sign-in service of `endpoint`'s company, for `app`, answering to `redirect`.
    pub fn new(
        endpoint: &Endpoint,
        app: OAuthApp,
        redirect: Url,
        timeout: Duration,
    ) -> Result<Self, Error> {
        let client_id = app.client_id.trim();
        if client_id.is_empty() {
            return Err(Error::InvalidInput {
                message: "the client ID is empty: copy it from the application registered in Namely (Namely › API)".into(),
            });
        }
        if !client_id.chars().all(|c| c.is_ascii_graphic()) {
            return Err(Error::InvalidInput {
                message: "the client ID holds spaces or characters a client ID never has: copy it again from Namely › API".into(),
            });
        }
        let api_base = endpoint.api_base()?;
        let join = |path: &str| {
            api_base.join(path).map_err(|e| ConfigError::HttpClient {
                reason: e.to_string(),
            })
        };
        let authorize = join(assumptions::AUTHORIZE_PATH)?;
        let mut token = join(assumptions::TOKEN_PATH)?;
        if assumptions::REDIRECT_URI_IN_TOKEN_QUERY {
            token
                .query_pairs_mut()
                .append_pair("redirect_uri", redirect.as_str());
        }
        let client = BasicClient::new(ClientId::new(client_id.to_string()))
            .set_client_secret(ClientSecret::new(
                app.client_secret.expose_secret().trim().to_string(),
            ))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri(AuthUrl::from_url(authorize))
            .set_token_uri(TokenUrl::from_url(token))
            .set_redirect_uri(RedirectUrl::from_url(redirect.clone()));
        let http = crate::config::http_client(&api_base, timeout, Default::default())?;
        Ok(Self {
            inner: Arc::new(OAuthInner {
                client,
                http: TokenHttp(http),
                redirect,
                client_secret: app.client_secret,
            }),
        })
    }

    /// The redirect URI this service answers to.
    pub fn redirect(&self) -> &Url {
        &self.inner.redirect
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        self.inner.client.client_id().as_str()
    }

    /// The address to open in the browser, with a fresh random `state`. No `scope` (Namely
    /// documents none) and no `approve=true`: the person sees the Accept page.
    pub fn authorize(&self) -> Authorization {
        let (url, state) = self.inner.client.authorize_url(CsrfToken::new_random).url();
        Authorization {
            url,
            state: state.secret().clone(),
        }
    }

    /// Exchanges the code from the redirect for tokens.
    pub async fn exchange_code(&self, code: &str) -> Result<Tokens, Error> {
        let http = &self.inner.http;
        let answer = self
            .inner
            .client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .request_async(http)
            .await;
        let answer = answer.map_err(|e| self.error(e, Grant::Code, &[code]))?;
        tokens(&answer)
    }

    /// A new access token for `refresh_token`.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<Tokens, Error> {
        let http = &self.inner.http;
        let token = RefreshToken::new(refresh_token.expose_secret().to_string());
        let answer = self
            .inner
            .client
            .exchange_refresh_token(&token)
            .request_async(http)
            .await;
        let answer =
            answer.map_err(|e| self.error(e, Grant::Refresh, &[refresh_token.expose_secret()]))?;
        tokens(&answer)
    }

    /// Maps what `oauth2` returned to an [`Error`]; `grant` says what was asked for. `secrets`
    /// (plus the client secret) are taken out of every text kept, before it is cut short.
    fn error(
        &self,
        e: RequestTokenError<TokenTransport, StandardErrorResponse<BasicErrorResponseType>>,
        grant: Grant,
        secrets: &[&str],
    ) -> Error {
        let all: Vec<&str> = secrets
            .iter()
            .copied()
            .chain([self.inner.client_secret.expose_secret()])
            .collect();
        let clean = |text: &str| page::snippet(&without_secrets(text, &all));
        let refused = match e {
            RequestTokenError::ServerResponse(answer) => {
                let code = answer.error().as_ref().trim().to_string();
                match answer.error() {
                    BasicErrorResponseType::InvalidClient
                    | BasicErrorResponseType::UnauthorizedClient => SignInError::ClientRejected,
                    BasicErrorResponseType::InvalidGrant => grant.refused(clean(&code)),
                    _ if assumptions::GRANT_REFUSALS.contains(&code.as_str()) => {
                        grant.refused(clean(&code))
                    }
                    _ => SignInError::Refused {
                        code: if code.is_empty() {
                            "no error code".into()
                        } else {
                            clean(&code)
                        },
                        description: answer
                            .error_description()
                            .map(|d| clean(d))
                            .unwrap_or_default(),
                    },
                }
            }
            RequestTokenError::Request(TokenTransport::Http(e)) => {
                // The token request is not the caller's write: whatever it was for (a create,
                // an update) was not sent, so it cannot have been applied.
                let error = match Error::transport(&e) {
                    Error::Transport {
                        message, timed_out, ..
                    } => Error::Transport {
                        message: clean(&message),
                        timed_out,
                        may_have_reached_server: false,
                    },
                    other => other,
                };
                tracing::warn!(error = %error, "Namely's sign-in service could not be reached");
                return error;
            }
            RequestTokenError::Request(TokenTransport::Status { status, title }) => {
                SignInError::Unavailable {
                    status: status.as_u16(),
                    title: title.map(|t| clean(&t)),
                }
            }
            RequestTokenError::Request(TokenTransport::Uncoded { status }) => {
                match status.as_u16() {
                    // RFC 6749 §5.2: 401 is the client's authentication failing. At sign-in
                    // the secret was just typed, so that is the likely cause; later the same
                    // secret worked before, so the sign-in itself was taken back.
                    401 if grant == Grant::Code => SignInError::ClientRejected,
                    400 | 401 | 403 => {
                        grant.refused(format!("HTTP {}, no error code", status.as_u16()))
                    }
                    other => SignInError::Unavailable {
                        status: other,
                        title: None,
                    },
                }
            }
            // Already short: a title cut to a snippet, or words of ours.
            RequestTokenError::Request(TokenTransport::NotToken { what }) => {
                SignInError::Unexpected {
                    what: without_secrets(&what, &all),
                }
            }
            RequestTokenError::Parse(e, _) => SignInError::Unexpected {
                what: clean(&parse_problem(&e)),
            },
            RequestTokenError::Other(what) => SignInError::Unexpected { what: clean(&what) },
        };
        tracing::warn!(error = %refused, "Namely's sign-in service refused");
        Error::SignIn(refused)
    }
}

/// What a token request asked for: which refusal a refused grant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grant {
    Code,
    Refresh,
}

impl Grant {
    fn refused(self, code: String) -> SignInError {
        match self {
            Self::Code => SignInError::CodeRejected { code },
            Self::Refresh => SignInError::RefreshRejected { code },
        }
    }
}

/// What a token answer lacked, without quoting any of its values (serde's words may quote
/// one, and a value may be a token).
fn parse_problem(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let inner = e.inner().to_string();
    if let Some(field) = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return format!("it holds no {field}");
    }
    match e.path().to_string().as_str() {
        "" | "." => "it is not a token answer".into(),
        path => format!("its {path} is not what a token answer holds"),
    }
}

fn tokens(answer: &BasicTokenResponse) -> Result<Tokens, Error> {
    let access = answer.access_token().secret();
    if access.trim().is_empty() || !access.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::SignIn(SignInError::Unexpected {
            what: "the access token is empty or not a token".into(),
        }));
    }
    Ok(Tokens {
        access_token: SecretString::from(access.clone()),
        refresh_token: answer
            .refresh_token()
            .map(|r| SecretString::from(r.secret().clone()))
            .filter(|r| !r.expose_secret().trim().is_empty()),
        expires_in: answer.expires_in(),
    })
}

/// Why a token request got no OAuth answer `oauth2` can read.
#[derive(Debug, thiserror::Error)]
enum TokenTransport {
    #[error("{0}")]
    Http(reqwest::Error),
    /// A redirect, a 5xx, an error status with a web page, or an error answer too large to
    /// read: not Namely's sign-in service answering.
    #[error("HTTP {status}")]
    Status {
        status: StatusCode,
        title: Option<String>,
    },
    /// An error status without an OAuth error code: no body, `{"error":""}`, `{}`, plain text.
    #[error("HTTP {status} without an error code")]
    Uncoded { status: StatusCode },
    /// A success status whose body is no JSON (a web page, nothing, far too much).
    #[error("{what}")]
    NotToken { what: String },
}

/// The HTTP client of token requests (see [`send`]).
struct TokenHttp(reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for TokenHttp {
    type Error = TokenTransport;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TokenTransport>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        send(&self.0, request)
    }
}

/// The values of the request's form fields that are secrets (the client secret, the code,
/// the refresh token): a page title quoted in an error is cleaned of them before it is cut.
fn sent_secrets(body: &[u8]) -> Vec<String> {
    url::form_urlencoded::parse(body)
        .filter(|(k, v)| {
            matches!(k.as_ref(), "client_secret" | "code" | "refresh_token") && !v.is_empty()
        })
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// The page's title, short, with every secret taken out before the cut.
fn title_without(body: &[u8], secrets: &[String]) -> Option<String> {
    let mut body = body.to_vec();
    for s in secrets {
        body = page::without(&body, s).into_owned();
    }
    page::title(&body)
}

/// The non-empty OAuth `error` code of a JSON answer.
fn error_code(json: &Value) -> Option<&str> {
    json.get("error")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// Sends a token request and hands `oauth2` only answers it reads right: a token with status
/// 200, or an RFC 6749 error `{"error","error_description"}` with an error status. Everything
/// else becomes a [`TokenTransport`] that says what came instead: a redirect (never followed:
/// the client secret must not travel elsewhere), a gateway's page, a 5xx, an error without a
/// code, a success that is not JSON, an answer far too large.
fn send<'a>(
    http: &'a reqwest::Client,
    request: HttpRequest,
) -> Pin<Box<dyn Future<Output = Result<HttpResponse, TokenTransport>> + Send + 'a>> {
    Box::pin(async move {
        let secrets = sent_secrets(request.body());
        let request = reqwest::Request::try_from(request).map_err(TokenTransport::Http)?;
        let response = http.execute(request).await.map_err(TokenTransport::Http)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = crate::client::read_bounded(response, assumptions::MAX_TOKEN_ANSWER_BYTES)
            .await
            .map_err(TokenTransport::Http)?;
        let Some(body) = body else {
            tracing::warn!(
                status = status.as_u16(),
                "Namely's token endpoint answered far too much; stopped reading"
            );
            return Err(if status.is_success() {
                TokenTransport::NotToken {
                    what: "an answer far too large for a token".into(),
                }
            } else {
                TokenTransport::Status {
                    status,
                    title: None,
                }
            });
        };
        let web_page = page::is_web_page(&headers, &body);
        let json: Option<Value> = if web_page {
            None
        } else {
            serde_json::from_slice(&body).ok()
        };
        let title = || {
            if web_page {
                title_without(&body, &secrets)
            } else {
                None
            }
        };
        if status.is_redirection() || status.is_server_error() || status.is_informational() {
            tracing::warn!(
                status = status.as_u16(),
                web_page,
                "Namely's token endpoint answered without an OAuth answer"
            );
            return Err(TokenTransport::Status {
                status,
                title: title(),
            });
        }
        let (status, body) = match json {
            // A token, or an OAuth error sent with a success status.
            Some(json) if status.is_success() => {
                if error_code(&json).is_some() && json.get("access_token").is_none() {
                    (StatusCode::BAD_REQUEST, oauth_error_body(&json))
                } else {
                    (StatusCode::OK, body.to_vec())
                }
            }
            Some(json) if error_code(&json).is_some() => (status, oauth_error_body(&json)),
            _ if status.is_success() => {
                let what = if web_page {
                    format!("a web page{}", page::titled(title().as_deref()))
                } else if body.iter().all(u8::is_ascii_whitespace) {
                    "an empty answer".into()
                } else {
                    "an answer that is not JSON".into()
                };
                tracing::warn!(
                    status = status.as_u16(),
                    "Namely's token endpoint answered no JSON"
                );
                return Err(TokenTransport::NotToken { what });
            }
            _ if web_page => {
                tracing::warn!(
                    status = status.as_u16(),
                    "Namely's token endpoint answered a web page"
                );
                return Err(TokenTransport::Status {
                    status,
                    title: title(),
                });
            }
            _ => {
                tracing::warn!(
                    status = status.as_u16(),
                    "Namely's token endpoint refused without an error code"
                );
                return Err(TokenTransport::Uncoded { status });
            }
        };
        oauth2::http::Response::builder()
            .status(status)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|_| TokenTransport::Status {
                status,
                title: None,
            })
    })
}

/// An OAuth error answer as `oauth2` reads it: the code, and the description when it is text.
fn oauth_error_body(json: &Value) -> Vec<u8> {
    let mut clean = serde_json::Map::new();
    clean.insert("error".into(), error_code(json).unwrap_or_default().into());
    if let Some(d) = json.get("error_description").and_then(Value::as_str) {
        clean.insert("error_description".into(), d.into());
    }
    Value::Object(clean).to_string().into_bytes()
}

/// How a [`crate::Client`] proves who it is: a personal access token, or a signed-in
/// [`OAuthSession`].
#[derive(Clone)]
pub enum Credential {
    Token(SecretString),
    OAuth(OAuthSession),
}

impl From<SecretString> for Credential {
    fn from(token: SecretString) -> Self {
        Self::Token(token)
    }
}

impl From<OAuthSession> for Credential {
    fn from(session: OAuthSession) -> Self {
        Self::OAuth(session)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Token(<redacted>)"),
            Self::OAuth(s) => write!(f, "OAuth({:?})", s.inner.oauth),
        }
    }
}

/// Called with the new refresh token when Namely hands out another one; it must store it
/// where the old one was (the old one may stop working).
pub type RefreshTokenSaver =
    Arc<dyn Fn(SecretString) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A signed-in connection: the refresh token, and the current access token in memory only.
/// Clones share one access token, so one refresh serves every task.
#[derive(Clone)]
pub struct OAuthSession {
    inner: Arc<SessionInner>,
}

struct SessionInner {
    oauth: OAuth,
    state: tokio::sync::Mutex<SessionState>,
    saver: Option<RefreshTokenSaver>,
    refreshes: AtomicUsize,
}

struct SessionState {
    access: Option<(SecretString, Option<Instant>)>,
    refresh: SecretString,
    /// Bumped at every refresh: a 401 answered to an older access token needs no new one.
    generation: u64,
    /// Namely refused the refresh token or the client for good: every later request fails
    /// with this at once, without asking Namely again (only a new sign-in helps).
    refused: Option<SignInError>,
}

impl fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSession")
            .field("oauth", &self.inner.oauth)
            .field("refreshes", &self.refreshes())
            .finish_non_exhaustive()
    }
}

/// When an access token given for `expires_in` runs out; `None` (until Namely refuses it)
/// when no lifetime was given or it is too large to count.
fn expiry(expires_in: Option<Duration>) -> Option<Instant> {
    expires_in.and_then(|d| Instant::now().checked_add(d))
}

impl OAuthSession {
    /// A session holding only a refresh token: the first request refreshes. `saver` is called
    /// with every new refresh token Namely hands out.
    pub fn new(
        oauth: OAuth,
        refresh_token: SecretString,
        saver: Option<RefreshTokenSaver>,
    ) -> Self {
        Self::with_state(oauth, None, refresh_token, saver)
    }

    /// A session that just signed in: `tokens` must hold a refresh token.
    pub fn signed_in(
        oauth: OAuth,
        tokens: Tokens,
        saver: Option<RefreshTokenSaver>,
    ) -> Result<Self, Error> {
        let Some(refresh) = tokens.refresh_token.clone() else {
            tracing::warn!("Namely's sign-in answer held no refresh token");
            return Err(Error::SignIn(SignInError::NoRefreshToken));
        };
        let expiry = expiry(tokens.expires_in);
        Ok(Self::with_state(
            oauth,
            Some((tokens.access_token, expiry)),
            refresh,
            saver,
        ))
    }

    fn with_state(
        oauth: OAuth,
        access: Option<(SecretString, Option<Instant>)>,
        refresh: SecretString,
        saver: Option<RefreshTokenSaver>,
    ) -> Self {
        Self {
            inner: Arc::new(SessionInner {
                oauth,
                state: tokio::sync::Mutex::new(SessionState {
                    access,
                    refresh,
                    generation: 0,
                    refused: None,
                }),
                saver,
                refreshes: AtomicUsize::new(0),
            }),
        }
    }

    /// The sign-in service this session refreshes with.
    pub fn oauth(&self) -> &OAuth {
        &self.inner.oauth
    }

    /// How many refreshes this session (and its clones) made.
    pub fn refreshes(&self) -> usize {
        self.inner.refreshes.load(Ordering::Relaxed)
    }

    /// The refresh token as it stands (it changes when Namely hands out a new one).
    pub async fn refresh_token(&self) -> SecretString {
        self.inner.state.lock().await.refresh.clone()
    }

    /// The access token to send, refreshed first when there is none or it runs out within
    /// [`assumptions::REFRESH_MARGIN`]; with the generation it belongs to.
    pub(crate) async fn bearer(&self) -> Result<(SecretString, u64), Error> {
        let mut state = self.inner.state.lock().await;
        let fresh = match &state.access {
            Some((token, Some(expiry)))
                if expiry.saturating_duration_since(Instant::now())
                    > assumptions::REFRESH_MARGIN =>
            {
                Some(token.clone())
            }
            Some((token, None)) => Some(token.clone()),
            _ => None,
        };
        if let Some(token) = fresh {
            return Ok((token, state.generation));
        }
        self.refresh_locked(&mut state).await
    }

    /// Namely refused the access token of `generation`: refresh, unless another task already
    /// did since.
    pub(crate) async fn rejected(&self, generation: u64) -> Result<(SecretString, u64), Error> {
        let mut state = self.inner.state.lock().await;
        if state.generation != generation
            && let Some((token, _)) = &state.access
        {
            return Ok((token.clone(), state.generation));
        }
        self.refresh_locked(&mut state).await
    }

    async fn refresh_locked(&self, state: &mut SessionState) -> Result<(SecretString, u64), Error> {
        if let Some(refused) = &state.refused {
            return Err(Error::SignIn(refused.clone()));
        }
        tracing::info!("refreshing the Namely access token");
        let tokens = match self.inner.oauth.refresh(&state.refresh).await {
            Ok(tokens) => tokens,
            Err(Error::SignIn(e)) if e.needs_new_sign_in() => {
                state.access = None;
                state.refused = Some(e.clone());
                return Err(Error::SignIn(e));
            }
            Err(e) => return Err(e),
        };
        self.inner.refreshes.fetch_add(1, Ordering::Relaxed);
        if let Some(new) = tokens.refresh_token
            && new.expose_secret() != state.refresh.expose_secret()
        {
            tracing::info!("Namely handed out a new refresh token; saving it");
            state.refresh = new.clone();
            if let Some(saver) = &self.inner.saver {
                saver(new).await;
            }
        }
        let expiry = expiry(tokens.expires_in);
        state.access = Some((tokens.access_token.clone(), expiry));
        state.generation += 1;
        Ok((tokens.access_token, state.generation))
    }
}
