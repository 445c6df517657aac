//! A simulator of the iCIMS REST API, served over real HTTP on 127.0.0.1.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use sandbox::icims::{self, IcimsSimConfig};
//! use sandbox::seed::{SeedConfig, World};
//! let world = World::generate(&SeedConfig::default());
//! let sim = icims::start(IcimsSimConfig::default(), &world).await?;
//! let base = sim.url(); // http://127.0.0.1:PORT — paths are /customers/1234/…
//! // … point the client at `base` with customer 1234, user `sandbox-api` and
//! // `icims::DEFAULT_HMAC_KEY` …
//! sim.fail_next(1, 503); // the next authenticated call fails
//! // the next read of person 1001 gets a gateway's HTML page instead
//! sim.answer_next_raw("/people/1001", 1, sandbox::raw::RawAnswer::html(502, "Bad Gateway"));
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Endpoints (all under `/customers/{customerId}`, HMAC `x-icims-v1-hmac-sha256` required):
//! `POST /search/applicantworkflows` (and `GET …?searchJson=`), `GET /applicantworkflows/{id}`,
//! `GET /people/{id}?fields=…`, `GET /jobs/{id}?fields=…`. Every response carries
//! `x-ratelimit-limit/-remaining/-reset`, `x-transaction` and `date`; every authenticated call
//! spends one from the daily budget. Behaviour follows `docs/icims-api.md`; every choice
//! where that document is silent or unverified is in [`assumptions`].
//!
//! Requests are logged with `tracing` at debug level (method, path, query, status; never a
//! header value).

pub mod assumptions;
mod auth;
mod profiles;
mod search;
mod server;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::seed::{AddedHire, World, status_node};
use server::{Shared, SimState};

/// Demo HMAC key of the sandbox tenant. Not a secret.
pub const DEFAULT_HMAC_KEY: &str = "sandbox-hmac-key-not-a-secret";
pub const DEFAULT_CUSTOMER_ID: &str = "1234";
pub const DEFAULT_USERNAME: &str = "sandbox-api";

/// Which iCIMS host the simulated tenant would live on. Informational only: the simulator
/// serves one customer on one local URL whatever the region.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    #[default]
    Us,
    Eu,
}

impl Region {
    /// The production host of this region (`docs/icims-api.md` §3).
    pub fn production_host(self) -> &'static str {
        match self {
            Region::Us => "api.icims.com",
            Region::Eu => "api-eu.icims.com",
        }
    }
}

/// How the simulated tenant behaves.
#[derive(Debug, Clone)]
pub struct IcimsSimConfig {
    /// The only customer id served; any other in a path is `404 Customer not found.`
    pub customer_id: String,
    /// The integration user's name (`user=` of the Authorization header).
    pub username: String,
    /// The HMAC key, used as raw text bytes.
    pub hmac_key: String,
    /// Requests per UTC day.
    pub daily_limit: u64,
    /// Added to every response.
    pub latency: Duration,
    /// Probability (0.0..=1.0) that an authenticated call fails with 500 or 503.
    pub error_rate: f64,
    /// Probability (0.0..=1.0) that a request hangs for `hang_duration` before it is handled,
    /// so that client timeouts fire.
    pub timeout_rate: f64,
    /// How long a hanging request sleeps.
    pub hang_duration: Duration,
    /// Allowed distance between `x-icims-date` and the server clock.
    pub clock_skew_tolerance: Duration,
    pub region: Region,
    /// Seed of the fault dice (error/timeout rates) and transaction ids.
    pub seed: u64,
    /// Seconds the simulated server's clock is ahead of this machine's (negative: behind):
    /// its `Date` header, the `updateddate` of records changed through this handle, the
    /// signature's clock-skew check and the budget's day follow it. Default 0.
    pub clock_offset_secs: i64,
}

impl Default for IcimsSimConfig {
    fn default() -> Self {
        Self {
            customer_id: DEFAULT_CUSTOMER_ID.to_string(),
            username: DEFAULT_USERNAME.to_string(),
            hmac_key: DEFAULT_HMAC_KEY.to_string(),
            daily_limit: 10_000,
            latency: Duration::ZERO,
            error_rate: 0.0,
            timeout_rate: 0.0,
            hang_duration: Duration::from_secs(120),
            clock_skew_tolerance: assumptions::DEFAULT_CLOCK_SKEW_TOLERANCE,
            region: Region::Us,
            seed: 0,
            clock_offset_secs: 0,
        }
    }
}

/// One request as the simulator saw it. Header values (and so credentials) are never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// Raw query string, without `?`.
    pub query: Option<String>,
    pub status: u16,
}

/// A running simulator. Dropping it stops the server too (without waiting).
pub struct IcimsSim {
    url: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Starts a simulator of `world` on `127.0.0.1` with a free port.
pub async fn start(config: IcimsSimConfig, world: &World) -> std::io::Result<IcimsSim> {
    start_on(config, world, SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await
}

/// Starts a simulator of `world` on `addr` (e.g. a fixed port for a demo).
pub async fn start_on(
    config: IcimsSimConfig,
    world: &World,
    addr: SocketAddr,
) -> std::io::Result<IcimsSim> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");
    let (stop, stopped) = watch::channel(false);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let state = SimState {
        world: world.clone(),
        remaining: config.daily_limit,
        window_day: now.div_euclid(86_400),
        calls: 0,
        error_rate: config.error_rate,
        timeout_rate: config.timeout_rate,
        latency: config.latency,
        fail_next: VecDeque::new(),
        hang_next: 0,
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        log: VecDeque::new(),
        raw: Default::default(),
        clock_offset: config.clock_offset_secs,
    };
    tracing::info!(%url, customer_id = %config.customer_id, region = ?config.region, "icims sandbox listening");
    let shared = Arc::new(Shared {
        config,
        url: url.clone(),
        state: Mutex::new(state),
        shutdown: stopped.clone(),
    });
    let app = axum::Router::new()
        .fallback(server::handle)
        .with_state(shared.clone());
    let mut stopped = stopped;
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        });
        if let Err(e) = serve.await {
            tracing::warn!(error = %e, "icims sandbox stopped with an error");
        }
    });
    Ok(IcimsSim {
        url,
        shared,
        stop,
        task: Some(task),
    })
}

impl IcimsSim {
    /// `http://127.0.0.1:PORT` (no trailing slash; API paths start with `/customers/`).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn config(&self) -> &IcimsSimConfig {
        &self.shared.config
    }

    /// Requests received, authenticated or not.
    pub fn calls(&self) -> u64 {
        self.shared.lock().calls
    }

    /// What is left of today's budget.
    pub fn remaining(&self) -> u64 {
        self.shared.lock().remaining
    }

    pub fn set_remaining(&self, n: u64) {
        self.shared.lock().remaining = n;
    }

    pub fn set_error_rate(&self, rate: f64) {
        self.shared.lock().error_rate = rate.clamp(0.0, 1.0);
    }

    pub fn set_timeout_rate(&self, rate: f64) {
        self.shared.lock().timeout_rate = rate.clamp(0.0, 1.0);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency = latency;
    }

    /// The next `n` authenticated calls answer `status` (with the matching iCIMS error body)
    /// instead of being handled. They still spend budget.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared
            .lock()
            .fail_next
            .extend(std::iter::repeat_n(status, n));
    }

    /// The next `n` authenticated requests whose path ends with `path_suffix` (e.g.
    /// `"/people/1003"`, `"/search/applicantworkflows"`) get `answer` exactly — an HTML page,
    /// JSON cut short, an empty body, a redirect — instead of the simulator's own. They still
    /// spend budget and carry the rate-limit and `date` headers.
    pub fn answer_next_raw(&self, path_suffix: &str, n: usize, answer: crate::raw::RawAnswer) {
        self.shared.lock().raw.push(None, path_suffix, n, answer);
    }

    /// The next `n` requests sleep for `hang_duration` before being handled.
    /// Moves the simulated server's clock to `secs` ahead of this machine's (negative: behind).
    pub fn set_clock_offset(&self, secs: i64) {
        self.shared.lock().clock_offset = secs;
    }

    /// The simulated server's clock now.
    pub fn now(&self) -> time::OffsetDateTime {
        self.shared.lock().now()
    }

    pub fn hang_next(&self, n: usize) {
        self.shared.lock().hang_next += n;
    }

    /// Adds a person hired (status `Hired`, updated now) on the first job.
    pub fn add_hire(&self, firstname: &str, lastname: &str, email: Option<&str>) -> AddedHire {
        let mut st = self.shared.lock();
        let now = st.now().unix_timestamp();
        st.world.add_hire(firstname, lastname, email, now)
    }

    /// Adds a person hired today who starts in two weeks, with a company-style email made from
    /// the name: what a recruiter's "hire" between two syncs looks like (the `hire` command
    /// of `icims-namely sandbox`, and `POST /_sandbox/hires`).
    pub fn add_new_hire(&self, firstname: &str, lastname: &str) -> AddedHire {
        server::add_new_hire(&mut self.shared.lock(), firstname, lastname)
    }

    /// Adds a workflow for an existing person and job, updated now; `status` is an id or value
    /// of [`crate::seed::STATUSES`] (or a tenant-specific text). Returns its id.
    pub fn add_workflow(&self, person_id: u64, job_id: u64, status: &str) -> u64 {
        let mut st = self.shared.lock();
        let now = st.now().unix_timestamp();
        st.world.add_workflow(person_id, job_id, status, now)
    }

    /// Moves a workflow to `status` (id or value) and sets its `updateddate` to now, as iCIMS
    /// does. `false` if the workflow does not exist.
    pub fn set_workflow_status(&self, workflow_id: u64, status: &str) -> bool {
        let mut st = self.shared.lock();
        let now = st.now().unix_timestamp();
        let Some(wf) = st.world.workflows.iter_mut().find(|w| w.id == workflow_id) else {
            return false;
        };
        let (id, value) = match status_node(status) {
            Some(s) => (s.id.to_string(), s.value.to_string()),
            None => (status.to_string(), status.to_string()),
        };
        wf.status_id = id;
        wf.status_value = value;
        wf.updated_unix = now;
        true
    }

    /// Serves `value` as the person's `key` from now on, replacing whatever the simulator
    /// renders there (or adding the key), e.g. `("addresses", json!({"entry": 1}))` for a
    /// record of the wrong JSON type (see [`crate::seed::Person::raw_overrides`]). Does not
    /// change `updateddate`. `false` if the person does not exist.
    pub fn set_person_raw_field(
        &self,
        person_id: u64,
        key: &str,
        value: serde_json::Value,
    ) -> bool {
        let mut st = self.shared.lock();
        let Some(p) = st.world.people.iter_mut().find(|p| p.id == person_id) else {
            return false;
        };
        p.raw_overrides.insert(key.to_string(), value);
        true
    }

    /// Any other change to the data (e.g. remove a person's email).
    pub fn with_world<R>(&self, change: impl FnOnce(&mut World) -> R) -> R {
        change(&mut self.shared.lock().world)
    }

    /// A copy of the current data.
    pub fn world(&self) -> World {
        self.shared.lock().world.clone()
    }

    /// Requests so far, oldest first (the last 10,000).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.iter().cloned().collect()
    }

    /// Stops accepting connections, cuts hanging requests short and waits for the server.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for IcimsSim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
