//! Namely's OAuth 2.0 authorization-code flow, simulated: the consent page, the token endpoint
//! (code exchange and refresh) and token revocation.
//!
//! - `GET /api/v1/oauth2/authorize?response_type=code&client_id&redirect_uri&state[&approve=true]`
//!   — an unknown `client_id`, or a `redirect_uri` that is not *exactly* one the app
//!   registered, answers a 400 HTML page and never redirects. A `response_type` other than
//!   `code` redirects with `error=unsupported_response_type` (a missing one with
//!   `error=invalid_request`). Otherwise the 200 HTML page "`<company>` — Sign in to Namely":
//!   `<select name="user" id="user">` of the people with a login (the configured owners;
//!   Olivia Owner first and selected), the text "icims-namely (`<app name>`) would like to use
//!   Namely as you", and one form (POST to the same path) with
//!   `<button id="accept" name="decision" value="accept">` and `<button id="deny" …>`, and
//!   hidden `client_id`, `redirect_uri` and `state`. `approve=true` is ignored.
//! - `POST /api/v1/oauth2/authorize` (form) — checks client and redirect URI again (400 page);
//!   `deny` → 302 to `{redirect_uri}?error=access_denied&error_description=…&state=…`;
//!   `accept` with a `user` who has a login → a single-use code (10 minutes on the simulator's
//!   clock, bound to client, redirect URI and user) → 302 to `{redirect_uri}?code=…&state=…`.
//!   An unknown `user` is a 400 page. Query values are percent-encoded (a space as `%20`),
//!   `state` comes back exactly as sent, and is left out when it was empty.
//! - `POST /api/v1/oauth2/token` (form body; `redirect_uri` in the body or the query; client
//!   authentication by `client_id` + `client_secret` in the body or HTTP Basic) — answers JSON
//!   with `Cache-Control: no-store` and `Pragma: no-cache`:
//!   `authorization_code` → `{"access_token","refresh_token","token_type":"bearer","expires_in"}`;
//!   `refresh_token` → `{"access_token","token_type":"bearer","expires_in"}` plus a
//!   `refresh_token` as [`RefreshRotation`] says. Errors (RFC 6749 §5.2, as Doorkeeper words
//!   them): 401 `invalid_client`, 400 `invalid_grant` (a code unknown, used, expired, of
//!   another client or another redirect URI; a reused code also revokes everything it
//!   issued; a refresh token unknown, revoked or of another client), 400 `invalid_request`
//!   (a parameter missing), 400 `unsupported_grant_type`.
//! - `POST /api/v1/oauth2/revoke` (RFC 7009) `token=…` + client authentication → 200 `{}`.
//!
//! Access tokens are [`super::TokenGrant`]s of the chosen person, valid for
//! [`super::NamelySimConfig::access_token_ttl`] on the simulator's clock
//! ([`super::NamelySim::advance_clock`] moves it); an expired or revoked one answers 401 like
//! an unknown token. Codes and tokens are 43 random letters and digits. Which parts are
//! unverified is in [`super::assumptions`] ("OAuth").

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use base64::Engine;
use rand::distributions::Alphanumeric;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::server::Reply;
use super::store::State as Tenant;
use super::{OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REDIRECT_URI, TokenGrant};

/// An OAuth application registered in the tenant (Namely › API › Register an application).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthApp {
    /// What the consent page calls it.
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the authorize step may send the browser back to; compared exactly.
    pub redirect_uris: Vec<String>,
}

impl OAuthApp {
    /// The sandbox's demo app: [`OAUTH_CLIENT_ID`], [`OAUTH_CLIENT_SECRET`], and
    /// [`OAUTH_REDIRECT_URI`] as its only redirect URI.
    pub fn demo() -> Self {
        Self {
            name: "Sandbox demo".into(),
            client_id: OAUTH_CLIENT_ID.into(),
            client_secret: OAUTH_CLIENT_SECRET.into(),
            redirect_uris: vec![OAUTH_REDIRECT_URI.into()],
        }
    }
}

/// What a refresh answers besides the new access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshRotation {
    /// No `refresh_token` in the answer, as recorded in 2014; the old one keeps working.
    #[default]
    Omit,
    /// The same refresh token again (what newer documentation describes).
    Same,
    /// A new refresh token; the old one is revoked at once.
    Rotate,
}

/// How long an authorization code can be exchanged.
pub(crate) const CODE_TTL: Duration = Duration::from_secs(600);

/// Form fields whose values never reach the request log.
pub(crate) const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "code",
    "refresh_token",
    "access_token",
    "token",
];

const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client \
                              authentication included, or unsupported authentication method.";
const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does \
                             not match the redirection URI used in the authorization request, or \
                             was issued to another client.";
const ACCESS_DENIED: &str = "The resource owner or authorization server denied the request.";
const UNSUPPORTED_GRANT: &str =
    "The authorization grant type is not supported by the authorization server.";

struct Code {
    code: String,
    client_id: String,
    redirect_uri: String,
    user: String,
    expires_at: Instant,
    used: bool,
}

struct Refresh {
    /// SHA-256 of the token, hex: what a server keeps (and what a sandbox snapshot may hold).
    digest: String,
    client_id: String,
    user: String,
    /// The code the sign-in started from: what a reused code revokes.
    origin: String,
    revoked: bool,
}

struct Access {
    token: String,
    client_id: String,
    origin: String,
}

/// The OAuth side of a tenant.
pub(crate) struct OAuth {
    pub apps: Vec<OAuthApp>,
    pub access_ttl: Duration,
    pub rotation: RefreshRotation,
    codes: Vec<Code>,
    refresh: Vec<Refresh>,
    /// The refresh tokens handed out by this run of the simulator, for [`Self::issued_values`]
    /// only (never exported).
    refresh_issued: Vec<String>,
    access: Vec<Access>,
    /// Draws the codes and tokens: seeded, so a simulator started with the default seed
    /// hands out the same values in the same order, and the first ones are canaries
    /// ([`crate::namely::FIRST_ACCESS_TOKEN`], [`crate::namely::FIRST_REFRESH_TOKEN`]).
    rng: ChaCha8Rng,
}

impl OAuth {
    pub fn new(
        apps: Vec<OAuthApp>,
        access_ttl: Duration,
        rotation: RefreshRotation,
        seed: u64,
    ) -> Self {
        Self {
            apps,
            access_ttl,
            rotation,
            codes: Vec::new(),
            refresh: Vec::new(),
            refresh_issued: Vec::new(),
            access: Vec::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x006f_6175_7468),
        }
    }

    /// 43 letters and digits (about 256 bits) after `prefix`.
    fn draw(&mut self, prefix: &str) -> String {
        let tail: String = (&mut self.rng)
            .sample_iter(&Alphanumeric)
            .take(43)
            .map(char::from)
            .collect();
        format!("{prefix}{tail}")
    }

    fn app(&self, client_id: &str) -> Option<&OAuthApp> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    /// Every code, access token and refresh token handed out so far.
    pub fn issued_values(&self) -> Vec<String> {
        let codes = self.codes.iter().map(|c| c.code.clone());
        let access = self.access.iter().map(|a| a.token.clone());
        let refresh = self.refresh_issued.iter().cloned();
        codes.chain(access).chain(refresh).collect()
    }

    /// The sign-ins (refresh tokens, by digest) to keep across restarts of the sandbox.
    pub fn export_sign_ins(&self) -> Vec<SignInGrant> {
        self.refresh
            .iter()
            .map(|r| SignInGrant {
                digest: r.digest.clone(),
                client_id: r.client_id.clone(),
                user: r.user.clone(),
                revoked: r.revoked,
            })
            .collect()
    }

    /// Takes back what [`Self::export_sign_ins`] kept. The draws of later tokens move on, so
    /// a restarted simulator never hands out a value it handed out before.
    pub fn import_sign_ins(&mut self, grants: &[SignInGrant]) {
        use sha2::Digest;
        let mut mix = sha2::Sha256::new();
        for g in grants {
            mix.update(g.digest.as_bytes());
            self.refresh.push(Refresh {
                digest: g.digest.clone(),
                client_id: g.client_id.clone(),
                user: g.user.clone(),
                origin: format!("imported:{}", g.digest),
                revoked: g.revoked,
            });
        }
        let mixed = mix.finalize();
        let mut seed = [0u8; 32];
        self.rng.fill(&mut seed[..]);
        for (s, m) in seed.iter_mut().zip(mixed.iter()) {
            *s ^= m;
        }
        self.rng = ChaCha8Rng::from_seed(seed);
    }
}

/// A refresh token as a sandbox snapshot keeps it: its digest, never the token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignInGrant {
    pub digest: String,
    pub client_id: String,
    pub user: String,
    pub revoked: bool,
}

/// SHA-256 of a token, hex.
fn digest(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

impl Tenant {
    /// An admin removed the app(s): every code, refresh and access token issued so far stops
    /// working.
    pub(crate) fn revoke_oauth_grants(&mut self) {
        for c in &mut self.oauth.codes {
            c.used = true;
        }
        for r in &mut self.oauth.refresh {
            r.revoked = true;
        }
        let tokens: Vec<String> = self.oauth.access.iter().map(|a| a.token.clone()).collect();
        self.revoke_access(|t| tokens.contains(&t.to_string()));
    }

    /// Every access token issued so far is expired from now on.
    pub(crate) fn expire_access_tokens(&mut self) {
        let now = self.now();
        let tokens: Vec<&str> = self.oauth.access.iter().map(|a| a.token.as_str()).collect();
        for g in self
            .tokens
            .iter_mut()
            .filter(|g| tokens.contains(&g.token.as_str()))
        {
            g.expires_at = Some(g.expires_at.map_or(now, |e| e.min(now)));
        }
    }

    fn revoke_access(&mut self, which: impl Fn(&str) -> bool) {
        for g in self.tokens.iter_mut().filter(|g| which(&g.token)) {
            g.revoked = true;
        }
    }

    /// Revokes every token a sign-in (its code) produced.
    fn revoke_origin(&mut self, origin: &str) {
        for r in self.oauth.refresh.iter_mut().filter(|r| r.origin == origin) {
            r.revoked = true;
        }
        self.revoke_access_of_origin(origin);
    }

    /// Revokes every access token a sign-in (its code) produced.
    fn revoke_access_of_origin(&mut self, origin: &str) {
        let tokens: Vec<String> = self
            .oauth
            .access
            .iter()
            .filter(|a| a.origin == origin)
            .map(|a| a.token.clone())
            .collect();
        self.revoke_access(|t| tokens.iter().any(|x| x == t));
    }

    /// A new access token of `user` (a [`TokenGrant`] with an expiry).
    fn issue_access(&mut self, client_id: &str, user: &str, origin: &str) -> String {
        let token = self.oauth.draw("sbx-at-");
        let expires_at = self.now() + self.oauth.access_ttl;
        self.tokens.push(TokenGrant {
            expires_at: Some(expires_at),
            ..TokenGrant::new(token.clone(), user)
        });
        self.oauth.access.push(Access {
            token: token.clone(),
            client_id: client_id.into(),
            origin: origin.into(),
        });
        token
    }

    fn issue_refresh(&mut self, client_id: &str, user: &str, origin: &str) -> String {
        let token = self.oauth.draw("sbx-rt-");
        self.oauth.refresh_issued.push(token.clone());
        self.oauth.refresh.push(Refresh {
            digest: digest(&token),
            client_id: client_id.into(),
            user: user.into(),
            origin: origin.into(),
            revoked: false,
        });
        token
    }
}

fn params(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

/// The last value of `name`, if any and not empty.
fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

// ---- HTML ----

/// `s` with `& < > " '` escaped, safe inside an element or a quoted attribute.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;\
padding:0 1rem;color:#1f2328;line-height:1.5}h1{font-size:1.4rem}\
.note{color:#57606a;font-size:.9rem}select,button{font-size:1rem}\
button{padding:.45rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #8c959f}\
#accept{background:#1f6feb;color:#fff;border-color:#1f6feb}code{word-break:break-all}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{STYLE}</style></head>\n<body>\n<h1>{title}</h1>\n{body}\n\
         <p class=\"note\">Namely sandbox: a simulation on this computer.</p>\n</body></html>\n"
    )
}

/// A 400 page: the request is refused and nobody is sent anywhere.
fn error_page(tenant: &Tenant, what: &str, next: &str) -> Reply {
    let title = escape_html(&format!("{} — Sign in to Namely", tenant.company_name));
    let body = format!(
        "<p id=\"error\">{}</p>\n<p>{}</p>",
        escape_html(what),
        escape_html(next)
    );
    Reply::html(400, page(&title, &body))
}

/// 302 to `redirect_uri` with these query parameters added (percent-encoded, a space as
/// `%20`); empty values are left out.
fn redirect_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Reply {
    let mut location = redirect_uri.to_string();
    let mut sep = if redirect_uri.contains('?') { '&' } else { '?' };
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
        location.push(sep);
        location.push_str(k);
        location.push('=');
        location.push_str(&v.replace('+', "%20"));
        sep = '&';
    }
    Reply {
        headers: vec![(header::LOCATION, location)],
        ..Reply::html(
            302,
            page("Redirecting", "<p>Taking you back to the app…</p>"),
        )
    }
}

/// The app and the exact redirect URI of an authorize request, or the 400 page.
fn check_client<'a>(
    tenant: &'a Tenant,
    client_id: Option<&str>,
    redirect_uri: Option<&'a str>,
) -> Result<(&'a OAuthApp, &'a str), Reply> {
    let Some(app) = client_id.and_then(|id| tenant.oauth.app(id)) else {
        return Err(error_page(
            tenant,
            "This application is not registered with this Namely company (unknown client_id).",
            "Check the client ID in the app against Namely › API › OAuth applications.",
        ));
    };
    match redirect_uri {
        Some(uri) if app.redirect_uris.iter().any(|r| r == uri) => Ok((app, uri)),
        Some(uri) => Err(error_page(
            tenant,
            &format!(
                "The redirect URI {uri} is not registered for the application {}.",
                app.name
            ),
            "Register exactly this redirect URI for the application in Namely › API, or \
             change the one the app uses.",
        )),
        None => Err(error_page(
            tenant,
            "The request names no redirect URI.",
            "Start the sign-in again from the app.",
        )),
    }
}

/// `GET /oauth2/authorize`: the consent page.
pub(super) fn authorize_page(tenant: &Tenant, query: &str) -> Reply {
    let q = params(query);
    let (app, redirect_uri) =
        match check_client(tenant, param(&q, "client_id"), param(&q, "redirect_uri")) {
            Ok(x) => x,
            Err(page) => return page,
        };
    let state = param(&q, "state").unwrap_or("");
    match param(&q, "response_type") {
        Some("code") => {}
        other => {
            let error = if other.is_some() {
                "unsupported_response_type"
            } else {
                "invalid_request"
            };
            return redirect_to(redirect_uri, &[("error", error), ("state", state)]);
        }
    }
    let mut options = String::new();
    for (i, id) in tenant.logins.iter().enumerate() {
        let Some(p) = tenant.get(id) else { continue };
        let text = |k: &str| p.data.get(k).and_then(Value::as_str).unwrap_or("");
        let mut label = format!(
            "{} {} — {}",
            text("first_name"),
            text("last_name"),
            p.access_role
        );
        if p.user_status() != "active" {
            label.push_str(&format!(" ({})", p.user_status()));
        }
        options.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>",
            escape_html(id),
            if i == 0 { " selected" } else { "" },
            escape_html(&label)
        ));
    }
    let hidden = |name: &str, value: &str| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape_html(value)
        )
    };
    let body = format!(
        "<form method=\"post\" action=\"/api/v1/oauth2/authorize\">\n\
         <p><label for=\"user\">Signed in as</label>\n<select name=\"user\" id=\"user\">{options}</select></p>\n\
         <p id=\"ask\">icims-namely ({app}) would like to use Namely as you.</p>\n\
         {client_id}{redirect}{state}\n\
         <p><button type=\"submit\" id=\"accept\" name=\"decision\" value=\"accept\">Accept</button>\n\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button></p>\n\
         </form>\n<p class=\"note\">You will be sent back to <code>{shown}</code>.</p>",
        app = escape_html(&app.name),
        client_id = hidden("client_id", &app.client_id),
        redirect = hidden("redirect_uri", redirect_uri),
        state = hidden("state", state),
        shown = escape_html(redirect_uri),
    );
    let title = escape_html(&format!("{} — Sign in to Namely", tenant.company_name));
    Reply::html(200, page(&title, &body))
}

/// `POST /oauth2/authorize`: the person's decision.
pub(super) fn authorize_decision(tenant: &mut Tenant, body: &[u8]) -> Reply {
    let f = params(&String::from_utf8_lossy(body));
    let (client_id, redirect_uri) =
        match check_client(tenant, param(&f, "client_id"), param(&f, "redirect_uri")) {
            Ok((app, uri)) => (app.client_id.clone(), uri.to_string()),
            Err(page) => return page,
        };
    let state = param(&f, "state").unwrap_or("");
    match param(&f, "decision") {
        Some("deny") => redirect_to(
            &redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", ACCESS_DENIED),
                ("state", state),
            ],
        ),
        Some("accept") => {
            let Some(user) = param(&f, "user").filter(|u| tenant.logins.iter().any(|l| l == u))
            else {
                return error_page(
                    tenant,
                    "Nobody with a login in this Namely company was chosen.",
                    "Go back, choose who you are in the list, and press Accept again.",
                );
            };
            let code = tenant.oauth.draw("sbx-code-");
            let expires_at = tenant.now() + CODE_TTL;
            tenant.oauth.codes.push(Code {
                code: code.clone(),
                client_id,
                redirect_uri: redirect_uri.clone(),
                user: user.to_string(),
                expires_at,
                used: false,
            });
            redirect_to(&redirect_uri, &[("code", &code), ("state", state)])
        }
        _ => error_page(
            tenant,
            "The answer was neither Accept nor Deny.",
            "Go back and press Accept or Deny.",
        ),
    }
}

// ---- token endpoint ----

fn token_json(status: u16, body: Value) -> Reply {
    Reply {
        headers: vec![
            (header::CACHE_CONTROL, "no-store".into()),
            (header::PRAGMA, "no-cache".into()),
        ],
        ..Reply::json(status, body)
    }
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    token_json(
        status,
        json!({ "error": error, "error_description": description }),
    )
}

fn invalid_request(missing: &str) -> Reply {
    oauth_error(
        400,
        "invalid_request",
        &format!(
            "The request is missing a required parameter, includes an unsupported parameter \
             value, or is otherwise malformed. Missing: {missing}."
        ),
    )
}

/// Form-decodes one part of a Basic credential (RFC 6749 §2.3.1 encodes id and secret).
fn form_decode(s: &str) -> String {
    let escaped = s.replace('&', "%26").replace('=', "%3D");
    url::form_urlencoded::parse(escaped.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

/// The authenticated client's id, or the 401 `invalid_client` answer.
fn authenticate_client(
    tenant: &Tenant,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<String, Reply> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
        })
        .map(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|s| {
                    let (id, secret) = s.split_once(':')?;
                    Some((form_decode(id), form_decode(secret)))
                })
        });
    let refused = |basic: bool| {
        let mut reply = oauth_error(401, "invalid_client", INVALID_CLIENT);
        if basic {
            reply.headers.push((
                header::WWW_AUTHENTICATE,
                "Basic realm=\"Namely OAuth\"".into(),
            ));
        }
        reply
    };
    let (id, secret, by_basic) = match basic {
        Some(Some((id, secret))) => (id, secret, true),
        Some(None) => return Err(refused(true)),
        None => match (param(form, "client_id"), param(form, "client_secret")) {
            (Some(id), Some(secret)) => (id.to_string(), secret.to_string(), false),
            _ => return Err(refused(false)),
        },
    };
    if by_basic && param(form, "client_id").is_some_and(|body_id| body_id != id) {
        return Err(refused(true));
    }
    match tenant.oauth.app(&id) {
        Some(app) if app.client_secret == secret => Ok(id),
        _ => Err(refused(by_basic)),
    }
}

/// `POST /oauth2/token`.
pub(super) fn token(tenant: &mut Tenant, query: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    let form = params(&String::from_utf8_lossy(body));
    let Some(grant_type) = param(&form, "grant_type") else {
        return invalid_request("grant_type");
    };
    let client_id = match authenticate_client(tenant, headers, &form) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    match grant_type {
        "authorization_code" => {
            let q = params(query);
            let redirect_uri = param(&form, "redirect_uri").or_else(|| param(&q, "redirect_uri"));
            exchange_code(tenant, &client_id, param(&form, "code"), redirect_uri)
        }
        "refresh_token" => refresh(tenant, &client_id, param(&form, "refresh_token")),
        _ => oauth_error(400, "unsupported_grant_type", UNSUPPORTED_GRANT),
    }
}

fn exchange_code(
    tenant: &mut Tenant,
    client_id: &str,
    code: Option<&str>,
    redirect_uri: Option<&str>,
) -> Reply {
    let Some(code) = code else {
        return invalid_request("code");
    };
    let Some(redirect_uri) = redirect_uri else {
        return invalid_request("redirect_uri");
    };
    let invalid_grant = || oauth_error(400, "invalid_grant", INVALID_GRANT);
    let now = tenant.now();
    let Some(i) = tenant.oauth.codes.iter().position(|c| c.code == code) else {
        return invalid_grant();
    };
    let c = &tenant.oauth.codes[i];
    if c.client_id != client_id {
        return invalid_grant();
    }
    if c.used {
        // RFC 6749 §4.1.2: a code used twice revokes what it was exchanged for.
        let origin = c.code.clone();
        tenant.revoke_origin(&origin);
        return invalid_grant();
    }
    if now >= c.expires_at || c.redirect_uri != redirect_uri {
        return invalid_grant();
    }
    let user = c.user.clone();
    tenant.oauth.codes[i].used = true;
    let access = tenant.issue_access(client_id, &user, code);
    let refresh = tenant.issue_refresh(client_id, &user, code);
    token_json(
        200,
        json!({
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": tenant.oauth.access_ttl.as_secs(),
        }),
    )
}

fn refresh(tenant: &mut Tenant, client_id: &str, refresh_token: Option<&str>) -> Reply {
    let Some(old) = refresh_token else {
        return invalid_request("refresh_token");
    };
    let old_digest = digest(old);
    let Some(r) = tenant
        .oauth
        .refresh
        .iter()
        .find(|r| r.digest == old_digest && !r.revoked && r.client_id == client_id)
    else {
        return oauth_error(400, "invalid_grant", INVALID_GRANT);
    };
    let (user, origin) = (r.user.clone(), r.origin.clone());
    let access = tenant.issue_access(client_id, &user, &origin);
    let mut answer = json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": tenant.oauth.access_ttl.as_secs(),
    });
    match tenant.oauth.rotation {
        RefreshRotation::Omit => {}
        RefreshRotation::Same => answer["refresh_token"] = json!(old),
        RefreshRotation::Rotate => {
            for r in tenant
                .oauth
                .refresh
                .iter_mut()
                .filter(|r| r.digest == old_digest)
            {
                r.revoked = true;
            }
            answer["refresh_token"] = json!(tenant.issue_refresh(client_id, &user, &origin));
        }
    }
    token_json(200, answer)
}

/// `POST /oauth2/revoke` (RFC 7009): a refresh token takes every access token of its sign-in
/// with it; an access token goes alone. Unknown tokens and other clients' tokens: 200 too,
/// nothing revoked.
pub(super) fn revoke(tenant: &mut Tenant, headers: &HeaderMap, body: &[u8]) -> Reply {
    let form = params(&String::from_utf8_lossy(body));
    let Some(token) = param(&form, "token") else {
        return invalid_request("token");
    };
    let client_id = match authenticate_client(tenant, headers, &form) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    let hashed = digest(token);
    let refresh_origin = tenant
        .oauth
        .refresh
        .iter()
        .find(|r| r.digest == hashed && r.client_id == client_id)
        .map(|r| r.origin.clone());
    if let Some(origin) = refresh_origin {
        for r in tenant
            .oauth
            .refresh
            .iter_mut()
            .filter(|r| r.digest == hashed)
        {
            r.revoked = true;
        }
        tenant.revoke_access_of_origin(&origin);
    } else if tenant
        .oauth
        .access
        .iter()
        .any(|a| a.token == token && a.client_id == client_id)
    {
        let token = token.to_string();
        tenant.revoke_access(|t| t == token);
    }
    token_json(200, json!({}))
}
