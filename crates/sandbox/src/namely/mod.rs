//! A simulator of the Namely HRIS REST API (v1), served over real HTTP on 127.0.0.1.
//!
//! ```no_run
//! # async fn demo(employees: &[sandbox::seed::Employee]) -> std::io::Result<()> {
//! use sandbox::namely::{self, NamelySimConfig};
//! let sim = namely::start(NamelySimConfig::default(), employees).await?;
//! let base = sim.url(); // http://127.0.0.1:PORT/api/v1
//! // … point the client at `base` with the token `namely::TOKEN_OLIVIA_OWNER` …
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Endpoints (the `.json` suffix is optional everywhere): `GET /companies/info` (no token;
//! absent with [`NamelySimConfig::recorded`]),
//! `GET /profiles`, `POST /profiles`, `GET /profiles/me`, `GET /profiles/fields`,
//! `GET|HEAD|PUT /profiles/{id}`, `GET /job_titles[/{id}]`, `GET /countries[/{id}]`, and the
//! OAuth 2.0 authorization-code flow: `GET|POST /oauth2/authorize` (a consent page with Accept
//! and Deny), `POST /oauth2/token` (code exchange and refresh), `POST /oauth2/revoke` — see
//! [`oauth`] for the wire contract, [`consent::answer`] for a test "browser" that clicks
//! Accept or Deny, and [`OAuthApp`] for the demo app ([`OAUTH_CLIENT_ID`],
//! [`OAUTH_CLIENT_SECRET`], [`OAUTH_REDIRECT_URI`]).
//! Behaviour follows `docs/namely-api.md`; every choice where that document is silent or
//! unverified is in [`assumptions`].
//!
//! The tenant's profiles are the `employees` passed to [`start`] plus the token owners in
//! [`NamelySimConfig::owners`] (Olivia Owner, an inactive administrator and a plain employee
//! by default), unless a profile with the same id or company email is already among the
//! employees — then the owner's tokens belong to that profile ([`NamelySim::token_owner_id`]).
//!
//! # Fault knobs
//!
//! Each is a [`NamelySimConfig`] field and a setter on [`NamelySim`] that takes effect on the
//! next request; the defaults behave as if the knob did not exist.
//!
//! - Requests: [`NamelySimConfig::latency`] / [`NamelySim::set_latency`],
//!   [`NamelySimConfig::error_rate`] / [`NamelySim::set_error_rate`],
//!   [`NamelySim::fail_next`], [`NamelySim::fail_next_on`] (fail before doing anything).
//! - Hostile answers: [`NamelySim::answer_next_raw`] serves a [`crate::raw::RawAnswer`] (an
//!   HTML page, JSON cut short, an empty body, a redirect) byte for byte.
//! - Work done, answer lost: [`NamelySim::fail_next_post_after_commit`] stores the POSTed
//!   profile and then answers e.g. `AfterCommit::Status(502)` (a gateway that gave up after
//!   Namely did the work) or answers the 201 late (`AfterCommit::Delay`).
//! - Throttle: [`NamelySimConfig::profiles_get_per_minute`], [`NamelySim::set_throttle_limit`],
//!   [`NamelySim::set_throttle_window`], [`NamelySim::advance_clock`] (the simulator's clock:
//!   the throttle, and the expiry of OAuth codes and access tokens).
//! - OAuth: [`NamelySimConfig::oauth_apps`] / [`NamelySim::register_oauth_app`],
//!   [`NamelySim::set_oauth_redirect_uris`], [`NamelySimConfig::access_token_ttl`] /
//!   [`NamelySim::set_access_token_ttl`], [`NamelySimConfig::refresh_rotation`] /
//!   [`NamelySim::set_refresh_rotation`], [`NamelySim::expire_access_tokens`] (every access
//!   token issued so far answers 401), [`NamelySim::revoke_oauth_grants`] (an admin removed
//!   the app). Injected faults, raw answers and latency apply to the OAuth endpoints like to
//!   any other: `fail_next_on("POST", "/oauth2/token", 1, 502)`.
//! - Read lag: [`NamelySimConfig::read_lag`] / [`NamelySim::set_read_lag`] (default zero). A
//!   profile created through `POST /profiles` is invisible to every API read — list pages,
//!   `filter[email]` / `filter[personal_email]` lookups, sorted pages, `meta.count` and
//!   `meta.total_count`, `GET|HEAD /profiles/{id}` (404) — until this long after it was
//!   stored, on the real wall clock ([`std::time::Instant`]; [`NamelySim::advance_clock`] does
//!   not move it). A lag set later applies to profiles created before it too. Writes are not
//!   lagged: the email-uniqueness check, `PUT /profiles/{id}` and `reports_to` see every
//!   profile, as does authentication (`/profiles/me`). Seeded, imported and
//!   [`NamelySim::add_employee`]/[`NamelySim::add_employee_now`] profiles are never lagged, and
//!   the inspection methods ([`NamelySim::profiles`], [`NamelySim::created_profiles`],
//!   [`NamelySim::profile`], [`NamelySim::profile_by_icims_id`],
//!   [`NamelySim::export_profiles`]) always show everything: they are the ground truth.
//! - Email uniqueness: [`NamelySimConfig::email_unique`] / [`NamelySim::set_email_unique`]
//!   (default true: a company `email` already in use is 422
//!   [`assumptions::DUPLICATE_EMAIL`]). When false, POST and PUT accept an email that another
//!   profile holds, so nothing on Namely's side stops a duplicate person.
//! - Email filters dropped: [`NamelySimConfig::ignore_email_filter`] /
//!   [`NamelySim::set_ignore_email_filter`] (default false). When true, `filter[email]` and
//!   `filter[personal_email]` are ignored like unknown filters: a lookup by email alone gets
//!   the unfiltered first page (other filters, `sort`, `page` and `per_page` still apply).
//! - Cursor paging: [`NamelySimConfig::page_ignored`] / [`NamelySim::set_page_ignored`]
//!   (default false: `page`/`per_page` are honoured and an `after` parameter is ignored, as
//!   current documentation describes). When true, the list behaves as the legacy API Namely's
//!   Ruby client relied on (`GET /profiles?limit=N&after=<last profile id>`, stopping at the
//!   first empty page): `page` is ignored, so every page-numbered request gets the first page;
//!   `after=<id>` answers the profiles that follow that id in the listing's order (after
//!   filters and `sort`); an `after` id not in that list answers an empty page (a silent end);
//!   `limit` is the page size when `per_page` is absent (same default 30, clamp to 50); a given
//!   `after` is echoed as `meta.after`. `meta.total_count` stays the filtered total.

pub mod assumptions;
pub mod consent;
mod fields;
mod geo;
pub mod oauth;
mod server;
mod store;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_faults;
#[cfg(test)]
mod tests_oauth;
#[cfg(test)]
mod tests_paging;
#[cfg(test)]
mod tests_recorded;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::seed::Employee;

pub use fields::DEFAULT_JOB_TITLES;
pub use oauth::{OAuthApp, RefreshRotation, SignInGrant};
use store::State;

/// Demo token of Olivia Owner, the tenant's active Administrator.
pub const TOKEN_OLIVIA_OWNER: &str = "sandbox-token-olivia-owner";
/// Demo token of an Administrator whose profile is inactive: every call answers 403.
pub const TOKEN_INACTIVE_ADMIN: &str = "sandbox-token-inactive-admin";
/// Demo token of an active user with the `Employee` access role: reads work, writes are 403.
pub const TOKEN_EMPLOYEE: &str = "sandbox-token-employee";
/// Demo token that was revoked: answers 401 like an unknown token.
pub const TOKEN_REVOKED: &str = "sandbox-token-revoked";

/// Client id of the sandbox's demo OAuth app ([`OAuthApp::demo`]).
pub const OAUTH_CLIENT_ID: &str = "sandbox-oauth-client";
/// Client secret of the demo OAuth app: a public demo value (and a canary of the test suite).
pub const OAUTH_CLIENT_SECRET: &str = "sandbox-oauth-secret-7d3e91";
/// The redirect URI the demo OAuth app registered: the app's default
/// (`http://127.0.0.1:{port}/namely/callback` on port 47600).
pub const OAUTH_REDIRECT_URI: &str = "http://127.0.0.1:47600/namely/callback";
/// The first access token a simulator with the default seed hands out (after one sign-in):
/// a canary.
pub const FIRST_ACCESS_TOKEN: &str = "sbx-at-Cf2f0s0OwjuH6jdoXoHliSUXrONultft8IkD3KEetEa";
/// The first refresh token a simulator with the default seed hands out: a canary.
pub const FIRST_REFRESH_TOKEN: &str = "sbx-rt-Z5tqdrPwyGBDCGcbDbtdD4U1akn8k9m4h4Wk3XbwoET";
/// How long an OAuth access token lives by default, as Namely answers (`expires_in: 899`).
pub const ACCESS_TOKEN_TTL: Duration = Duration::from_secs(899);

/// Profile id of the built-in Olivia Owner (`olivia.owner@example.com`); when the employees
/// already hold an Olivia Owner with that email, hers is used instead.
pub const OLIVIA_OWNER_ID: &str = "5a4db0c5-0000-4000-8000-000000000001";
/// Profile id of the inactive administrator.
pub const INACTIVE_ADMIN_ID: &str = "5a4db0c5-0000-4000-8000-000000000002";
/// Profile id of the plain employee.
pub const EMPLOYEE_ID: &str = "5a4db0c5-0000-4000-8000-000000000003";

/// A token and the profile it belongs to (a Personal Access Token carries its owner's
/// permissions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub token: String,
    /// Id of the owner's profile.
    pub employee_id: String,
    /// A revoked token answers 401 like an unknown one.
    pub revoked: bool,
    /// When the token stops working, on the simulator's clock ([`std::time::Instant::now`]
    /// plus every [`NamelySim::advance_clock`]); an expired token answers 401 like an unknown
    /// one. `None` (personal access tokens): never.
    pub expires_at: Option<Instant>,
}

impl TokenGrant {
    /// A token that never expires (a personal access token).
    pub fn new(token: impl Into<String>, employee_id: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            employee_id: employee_id.into(),
            revoked: false,
            expires_at: None,
        }
    }
}

/// One custom profile field of the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomField {
    /// Display text, e.g. `icims_id`.
    pub label: String,
    /// Immutable API key, e.g. `icims_id`.
    pub name: String,
    /// Namely field type: `text`, `number`, `longtext`, `date`, …
    pub type_name: String,
}

impl CustomField {
    pub fn text(label: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            name: name.into(),
            type_name: "text".into(),
        }
    }
}

/// How the tenant's `icims_id` custom field is set up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IcimsField {
    /// Label `icims_id`, name `icims_id`, type `text`: set up right.
    #[default]
    Present,
    /// No such field: writes of an `icims_id` key are silently ignored.
    Missing,
    /// A text field with a typo, e.g. label and name `icmis_id`.
    Misspelt { label: String, name: String },
    /// Label and name `icims_id` but another type, e.g. `number`.
    WrongType { type_name: String },
    /// Any set of fields, e.g. the right one *and* a misspelt one, or a field labelled
    /// `icims_id` whose frozen name is something else. Seeded iCIMS ids go to the first.
    Custom(Vec<CustomField>),
}

impl IcimsField {
    /// The common typo: label and name `icmis_id`.
    pub fn misspelt() -> Self {
        IcimsField::Misspelt {
            label: "icmis_id".into(),
            name: "icmis_id".into(),
        }
    }
}

/// What happens to a POST /profiles after the profile has been stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCommit {
    /// Answer this status (e.g. 500) with an error body instead of the 201.
    Status(u16),
    /// Wait this long before answering the 201, so a client with a shorter timeout gives up.
    Delay(Duration),
}

/// Configuration of one simulated Namely tenant.
#[derive(Debug, Clone)]
pub struct NamelySimConfig {
    /// The subdomain, as `GET /companies/info` reports it.
    pub permalink: String,
    pub company_name: String,
    pub tokens: Vec<TokenGrant>,
    /// Token owners added to the employees given to [`start`]. An owner whose id or company
    /// email is already among the employees is not added; tokens naming its id are bound to
    /// that employee instead (so the seeded Olivia Owner gets [`TOKEN_OLIVIA_OWNER`]).
    pub owners: Vec<Employee>,
    pub field: IcimsField,
    /// Job titles of the tenant (case-sensitive).
    pub job_titles: Vec<String>,
    /// GET /profiles requests allowed per [`Self::throttle_window`]; more answer 406.
    pub profiles_get_per_minute: u32,
    /// The throttle's sliding window (60 s, see [`assumptions::THROTTLE_WINDOW`]).
    pub throttle_window: Duration,
    /// Added before every answer.
    pub latency: Duration,
    /// Share (0.0–1.0) of requests that fail with 500 or 503 before doing anything.
    pub error_rate: f64,
    /// Seeds the error draws and the ids of created profiles.
    pub seed: u64,
    /// Whether `GET /profiles/me` includes `access_role` (`docs/namely-api.md` §8: it may not).
    pub include_access_role_on_me: bool,
    /// Whether any profile (list, single GET, `/profiles/me`, POST and PUT answers) carries
    /// `access_role` (default true). When false no profile has the key, whatever
    /// [`Self::include_access_role_on_me`] says; see [`assumptions`] ("Recorded traffic").
    pub include_access_role: bool,
    /// Whether `GET /companies/info` exists (default true). When false it answers 404
    /// `{"message":"Not found","errors":[]}` like any unknown route, whatever the method.
    pub companies_info: bool,
    /// How long a profile created through POST /profiles stays invisible to every API read
    /// (lists, email filters, sorted pages, counts, `GET /profiles/{id}`), on the real wall
    /// clock. Default zero: visible at once. See the module docs ("Fault knobs").
    pub read_lag: Duration,
    /// Whether a company `email` already held by another profile is refused with 422
    /// (default true). When false, POST and PUT accept duplicates.
    pub email_unique: bool,
    /// Injected failures (`fail_next*`) quote the request's `Authorization` header in their
    /// message, as some gateways' error pages do (default false): a client must never pass it
    /// on.
    pub echo_authorization_in_faults: bool,
    /// Whether `filter[email]` and `filter[personal_email]` are ignored, so a lookup by email
    /// gets the unfiltered first page (default false).
    pub ignore_email_filter: bool,
    /// Whether the list pages by the legacy cursor instead of by page number (default false).
    /// When true, `page` is ignored (every request starts at the beginning), `after=<id>`
    /// answers the profiles after that one, `limit` is read as the page size when `per_page`
    /// is absent, and the answer echoes `meta.after`. See the module docs ("Fault knobs").
    pub page_ignored: bool,
    /// OAuth applications registered in the tenant (default: [`OAuthApp::demo`]).
    pub oauth_apps: Vec<OAuthApp>,
    /// Lifetime of an OAuth access token on the simulator's clock ([`ACCESS_TOKEN_TTL`],
    /// 899 s); the token answer's `expires_in` says it in whole seconds.
    pub access_token_ttl: Duration,
    /// What a refresh answers besides the access token (default: no refresh token, as
    /// recorded).
    pub refresh_rotation: RefreshRotation,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

impl Default for NamelySimConfig {
    fn default() -> Self {
        Self {
            permalink: "sandbox".into(),
            company_name: "Acme Corp (Sandbox)".into(),
            tokens: default_tokens(),
            owners: default_owners(),
            field: IcimsField::Present,
            job_titles: DEFAULT_JOB_TITLES
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            profiles_get_per_minute: 100,
            throttle_window: assumptions::THROTTLE_WINDOW,
            latency: Duration::ZERO,
            error_rate: 0.0,
            seed: 7,
            include_access_role_on_me: true,
            include_access_role: true,
            companies_info: true,
            read_lag: Duration::ZERO,
            email_unique: true,
            echo_authorization_in_faults: false,
            ignore_email_filter: false,
            page_ignored: false,
            oauth_apps: vec![OAuthApp::demo()],
            access_token_ttl: ACCESS_TOKEN_TTL,
            refresh_rotation: RefreshRotation::Omit,
            port: 0,
        }
    }
}

impl NamelySimConfig {
    /// Answers like the traffic Namely's Ruby client recorded: no `access_role` on any
    /// profile, no `/companies/info`. The default configuration with
    /// [`Self::include_access_role`], [`Self::include_access_role_on_me`] and
    /// [`Self::companies_info`] off; see [`assumptions`] ("Recorded traffic") for why.
    pub fn recorded() -> Self {
        Self {
            include_access_role: false,
            include_access_role_on_me: false,
            companies_info: false,
            ..Self::default()
        }
    }
}

/// The default tokens: Olivia Owner's, the inactive admin's, the employee's and a revoked one.
pub fn default_tokens() -> Vec<TokenGrant> {
    vec![
        TokenGrant::new(TOKEN_OLIVIA_OWNER, OLIVIA_OWNER_ID),
        TokenGrant::new(TOKEN_INACTIVE_ADMIN, INACTIVE_ADMIN_ID),
        TokenGrant::new(TOKEN_EMPLOYEE, EMPLOYEE_ID),
        TokenGrant {
            revoked: true,
            ..TokenGrant::new(TOKEN_REVOKED, OLIVIA_OWNER_ID)
        },
    ]
}

/// The default token owners: Olivia Owner (active Administrator), Ivan Inactive (inactive
/// Administrator) and Emma Employee (active, role `Employee`).
pub fn default_owners() -> Vec<Employee> {
    let owner = |id: &str, first: &str, last: &str, status: &str, role: &str| Employee {
        id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        ),
        personal_email: None,
        user_status: status.into(),
        access_role: role.into(),
        start_date: Some("2019-04-01".into()),
        icims_id: None,
    };
    vec![
        owner(
            OLIVIA_OWNER_ID,
            "Olivia",
            "Owner",
            "active",
            "Administrator",
        ),
        owner(
            INACTIVE_ADMIN_ID,
            "Ivan",
            "Inactive",
            "inactive",
            "Administrator",
        ),
        owner(EMPLOYEE_ID, "Emma", "Employee", "active", "Employee"),
    ]
}

/// One request as the simulator saw it. Never holds a secret: in `query` and in a form or
/// JSON `body`, the values of `client_secret`, `code`, `refresh_token`, `access_token` and
/// `token` are replaced by `REDACTED`, and headers (`Authorization`) are not kept.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub method: String,
    /// The path as sent, e.g. `/api/v1/profiles.json`.
    pub path: String,
    /// The raw query string (may be empty).
    pub query: String,
    pub status: u16,
    /// The JSON request body, if any (a non-JSON body is kept as a string).
    pub body: Option<Value>,
}

pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock only happens in a broken test; keep serving.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running simulator. Dropping it stops the server (in-flight requests are cut).
pub struct NamelySim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Starts a simulated tenant on 127.0.0.1 holding `employees` (plus the configured owners).
pub async fn start(config: NamelySimConfig, employees: &[Employee]) -> std::io::Result<NamelySim> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        state: Mutex::new(State::new(config, employees, format!("http://{addr}"))),
    });
    let app = server::router(shared.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::warn!(error = %e, "namely simulator stopped with an error");
        }
    });
    tracing::debug!(%addr, "namely simulator listening");
    Ok(NamelySim {
        addr,
        shared,
        stop: Some(stop),
        task: Some(task),
    })
}

impl NamelySim {
    /// Base URL to give the client: `http://127.0.0.1:PORT/api/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/api/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server, waiting up to a second for in-flight requests.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(1), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    // ---- inspection ----

    /// Every profile created through POST /profiles, in order, as it is now (later PUTs
    /// included), rendered as an administrator sees it.
    pub fn created_profiles(&self) -> Vec<Value> {
        let st = self.shared.lock();
        st.created
            .iter()
            .filter_map(|id| st.render_admin(id))
            .collect()
    }

    /// All profiles of the tenant, in creation order, as an administrator sees them.
    pub fn profiles(&self) -> Vec<Value> {
        let st = self.shared.lock();
        st.profiles
            .iter()
            .map(|p| st.render_admin(&p.id).unwrap_or_default())
            .collect()
    }

    /// Id of the profile a token belongs to (revoked tokens included).
    pub fn token_owner_id(&self, token: &str) -> Option<String> {
        let st = self.shared.lock();
        st.tokens
            .iter()
            .find(|t| t.token == token)
            .map(|t| t.employee_id.clone())
    }

    /// One profile by id.
    pub fn profile(&self, id: &str) -> Option<Value> {
        self.shared.lock().render_admin(id)
    }

    /// The profile whose iCIMS-id custom field (any field of the configured
    /// [`IcimsField`]) holds `icims_id`.
    pub fn profile_by_icims_id(&self, icims_id: &str) -> Option<Value> {
        let st = self.shared.lock();
        let id = st.find_by_icims_id(icims_id)?;
        st.render_admin(&id)
    }

    /// Every request so far, in order.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    /// Number of requests so far.
    pub fn calls(&self) -> usize {
        self.shared.lock().log.len()
    }

    /// Number of requests with this method to this API path, e.g. `("POST", "/profiles")`
    /// (with or without `/api/v1`; without `.json` or the query).
    pub fn calls_to(&self, method: &str, path: &str) -> usize {
        let path = server::api_path(path);
        let st = self.shared.lock();
        st.log
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && server::api_path(&r.path) == path)
            .count()
    }

    /// Number of requests to the OAuth token endpoint (code exchanges and refreshes, answered
    /// or not).
    pub fn oauth_token_calls(&self) -> usize {
        self.calls_to("POST", "/oauth2/token")
    }

    /// The registered OAuth applications, secrets included.
    pub fn oauth_apps(&self) -> Vec<OAuthApp> {
        self.shared.lock().oauth.apps.clone()
    }

    /// Every authorization code, access token and refresh token issued so far (revoked and
    /// expired ones included), for tests that look for them where they must not be.
    pub fn oauth_issued_values(&self) -> Vec<String> {
        self.shared.lock().oauth.issued_values()
    }

    /// Every profile of the tenant in its stored form (created ones flagged), for
    /// [`NamelySim::import_profiles`] in a later simulator.
    pub fn export_profiles(&self) -> Vec<Value> {
        self.shared.lock().export_profiles()
    }

    /// Every Sign in with Namely grant (refresh tokens, kept as digests), for
    /// [`NamelySim::import_sign_ins`] in a later simulator: a sign-in survives a restart of
    /// the sandbox, as it survives in a real Namely.
    pub fn export_sign_ins(&self) -> Vec<SignInGrant> {
        self.shared.lock().oauth.export_sign_ins()
    }

    /// Takes back the grants of [`NamelySim::export_sign_ins`].
    pub fn import_sign_ins(&self, grants: &[SignInGrant]) {
        self.shared.lock().oauth.import_sign_ins(grants);
    }

    // ---- mutation ----

    /// Replaces every profile with ones from [`NamelySim::export_profiles`], exactly (ids,
    /// custom fields, `created_at`/`updated_at`, whether each was created through the API).
    /// On an error nothing changes.
    pub fn import_profiles(&self, profiles: &[Value]) -> Result<(), String> {
        self.shared.lock().import_profiles(profiles)
    }

    /// Replaces the tenant's iCIMS-id field set-up (values stored under names that no
    /// longer exist stay hidden, and come back if the field does).
    pub fn set_field(&self, field: IcimsField) {
        self.shared.lock().field = field;
    }

    pub fn add_token(&self, grant: TokenGrant) {
        let mut st = self.shared.lock();
        st.tokens.retain(|t| t.token != grant.token);
        st.tokens.push(grant);
    }

    pub fn revoke_token(&self, token: &str) {
        let mut st = self.shared.lock();
        for t in st.tokens.iter_mut().filter(|t| t.token == token) {
            t.revoked = true;
        }
    }

    /// Adds a profile directly (not counted as created through the API), back-dated like the
    /// seeded ones (`created_at`/`updated_at` in 2019 and later): as if it had long been there.
    pub fn add_employee(&self, employee: &Employee) {
        self.shared.lock().insert_employee(employee);
    }

    /// Adds a profile directly, as HR adding it in Namely's web app now would: its
    /// `created_at` and `updated_at` are now (not counted as created through the API).
    pub fn add_employee_now(&self, employee: &Employee) {
        self.shared.lock().insert_employee_now(employee);
    }

    /// Changes a profile's `user_status` directly, e.g. to make a token's owner inactive.
    pub fn set_user_status(&self, profile_id: &str, user_status: &str) -> bool {
        self.shared.lock().set_user_status(profile_id, user_status)
    }

    /// The next `n` requests, whatever they are, fail with `status` before doing anything.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared.lock().faults.push_rule(None, None, n, status);
    }

    /// The next `n` requests with this method to this API path (e.g. `("GET", "/profiles")`,
    /// `("POST", "/oauth2/token")`; `/api/v1` in front is allowed) fail with `status` before
    /// doing anything.
    pub fn fail_next_on(&self, method: &str, path: &str, n: usize, status: u16) {
        self.shared.lock().faults.push_rule(
            Some(method.to_ascii_uppercase()),
            Some(server::api_path(path)),
            n,
            status,
        );
    }

    /// The next `n` requests with this method whose path ends with `path_suffix` (e.g.
    /// `("GET", "/profiles/me")`, `("GET", "/profiles")`; the query is not looked at) get
    /// `answer` exactly — an HTML page, JSON cut short or of the wrong shape, an empty body, a
    /// redirect — before anything else is done (no token check, no throttle). Logged like any
    /// request.
    pub fn answer_next_raw(
        &self,
        method: &str,
        path_suffix: &str,
        n: usize,
        answer: crate::raw::RawAnswer,
    ) {
        self.shared
            .lock()
            .raw
            .push(Some(method), path_suffix, n, answer);
    }

    /// The next `n` successful POST /profiles store the profile and then misbehave as
    /// `what` says: answer an error status, or answer late.
    pub fn fail_next_post_after_commit(&self, n: usize, what: AfterCommit) {
        let mut st = self.shared.lock();
        st.faults.after_commit.extend(std::iter::repeat_n(what, n));
    }

    pub fn set_error_rate(&self, rate: f64) {
        self.shared.lock().faults.error_rate = rate.clamp(0.0, 1.0);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().faults.latency = latency;
    }

    /// GET /profiles requests allowed per throttle window.
    pub fn set_throttle_limit(&self, per_window: u32) {
        self.shared.lock().throttle.limit = per_window;
    }

    pub fn set_throttle_window(&self, window: Duration) {
        self.shared.lock().throttle.window = window;
    }

    /// Moves the simulator's clock forward, so a test need not wait: the throttle's window,
    /// and the expiry of OAuth codes and access tokens (`advance_clock(899 s)` expires a
    /// fresh access token). The read lag runs on the wall clock.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.lock().throttle.offset += by;
    }

    // ---- OAuth ----

    /// Registers an OAuth app, replacing one with the same client id.
    pub fn register_oauth_app(&self, app: OAuthApp) {
        let mut st = self.shared.lock();
        st.oauth.apps.retain(|a| a.client_id != app.client_id);
        st.oauth.apps.push(app);
    }

    /// Replaces the redirect URIs of the app `client_id`; false when there is no such app.
    pub fn set_oauth_redirect_uris(&self, client_id: &str, uris: Vec<String>) -> bool {
        let mut st = self.shared.lock();
        match st.oauth.apps.iter_mut().find(|a| a.client_id == client_id) {
            Some(app) => {
                app.redirect_uris = uris;
                true
            }
            None => false,
        }
    }

    /// An admin removed the app: every code, refresh token and access token issued so far
    /// stops working (codes and refreshes answer `invalid_grant`, API calls 401). A new
    /// sign-in works.
    pub fn revoke_oauth_grants(&self) {
        self.shared.lock().revoke_oauth_grants();
    }

    /// Every OAuth access token issued so far answers 401 from now on, as if its time ran
    /// out; refresh tokens keep working.
    pub fn expire_access_tokens(&self) {
        self.shared.lock().expire_access_tokens();
    }

    /// Lifetime of the access tokens issued from now on ([`NamelySimConfig::access_token_ttl`]).
    pub fn set_access_token_ttl(&self, ttl: Duration) {
        self.shared.lock().oauth.access_ttl = ttl;
    }

    /// What later refreshes answer ([`NamelySimConfig::refresh_rotation`]).
    pub fn set_refresh_rotation(&self, rotation: RefreshRotation) {
        self.shared.lock().oauth.rotation = rotation;
    }

    pub fn set_include_access_role_on_me(&self, include: bool) {
        self.shared.lock().include_access_role_on_me = include;
    }

    /// Whether profiles carry `access_role` anywhere ([`NamelySimConfig::include_access_role`]).
    pub fn set_include_access_role(&self, include: bool) {
        self.shared.lock().include_access_role = include;
    }

    /// Whether `GET /companies/info` exists ([`NamelySimConfig::companies_info`]).
    pub fn set_companies_info(&self, enabled: bool) {
        self.shared.lock().companies_info = enabled;
    }

    /// Whether profiles carry `updated_at` (default true). `sort=updated_at` keeps working.
    pub fn set_include_updated_at(&self, include: bool) {
        self.shared.lock().include_updated_at = include;
    }

    /// How long a profile created through POST stays invisible to API reads
    /// ([`NamelySimConfig::read_lag`]); applies to profiles already created too.
    pub fn set_read_lag(&self, lag: Duration) {
        self.shared.lock().read_lag = lag;
    }

    /// Whether a company email already in use is refused with 422
    /// ([`NamelySimConfig::email_unique`]).
    pub fn set_email_unique(&self, unique: bool) {
        self.shared.lock().email_unique = unique;
    }

    /// Injected failures quote the request's `Authorization` header
    /// ([`NamelySimConfig::echo_authorization_in_faults`]).
    pub fn set_echo_authorization_in_faults(&self, echo: bool) {
        self.shared.lock().echo_authorization_in_faults = echo;
    }

    /// Whether `filter[email]` and `filter[personal_email]` are ignored
    /// ([`NamelySimConfig::ignore_email_filter`]).
    pub fn set_ignore_email_filter(&self, ignore: bool) {
        self.shared.lock().ignore_email_filter = ignore;
    }

    /// Whether the list ignores `page` and pages by the legacy `after` cursor
    /// ([`NamelySimConfig::page_ignored`]).
    pub fn set_page_ignored(&self, ignored: bool) {
        self.shared.lock().page_ignored = ignored;
    }
}

impl Drop for NamelySim {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
