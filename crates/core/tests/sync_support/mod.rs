//! Shared harness of the `sync_*` suites: both simulators over real HTTP on 127.0.0.1, a store
//! in memory, clients pointed at the simulators, and the expected outcome computed from the
//! seeded world independently of the engine.
//!
//! Namely runs without email uniqueness (`NamelySimConfig::email_unique: false`) unless a test
//! says otherwise: a second create of the same hire is then stored as a second profile instead
//! of being refused, so the duplicate checks ([`Harness::assert_no_duplicates`]) can see it —
//! and they count the POSTs sent per person as well as the profiles.

#![allow(dead_code)]

use icims_namely_core::clients::{self, ClientOptions};
use icims_namely_core::connection::{ConnectionName, ConnectionSettings, IcimsRegion};
use icims_namely_core::domain::OutcomeKind;
use icims_namely_core::store::{RecordRow, RunId, Store};
use icims_namely_core::sync::{SyncContext, SyncOptions, SyncOutcome, run_sync};
use sandbox::icims::{self as icims_sim, IcimsSim, IcimsSimConfig};
use sandbox::namely::{self as namely_sim, NamelySim, NamelySimConfig, RequestRecord};
use sandbox::seed::{Person, SeedConfig, World};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

#[path = "../quick/mod.rs"]
mod quick;

/// The harness's store: in memory, or — when `ICIMS_NAMELY_KEEP_TEST_DATA` is set — a file in
/// a kept folder ([`quick::data_dir`]), so the canary scan sees what a sync wrote.
fn store() -> Store {
    if std::env::var_os("ICIMS_NAMELY_KEEP_TEST_DATA").is_some_and(|v| !v.is_empty()) {
        let dir = quick::data_dir("store").keep();
        Store::open(dir.join("icims-namely.db")).unwrap()
    } else {
        Store::open_in_memory().unwrap()
    }
}

pub const HIRED: &str = "Hired";
pub const FIELD: &str = "icims_id";

/// The seeded default world (12 hires, 8 employees).
pub fn world() -> World {
    World::generate(&SeedConfig::default())
}

/// The world with every invalid home state (`XX`) replaced by a valid one.
pub fn without_invalid_states(mut world: World) -> World {
    for p in &mut world.people {
        for a in &mut p.addresses {
            if a.state_abbrev.as_deref() == Some("XX") {
                a.state_abbrev = Some("NY".into());
                a.state_name = Some("New York".into());
            }
        }
    }
    world
}

pub fn home(p: &Person) -> Option<&sandbox::seed::Address> {
    p.addresses.iter().find(|a| a.kind == "Home")
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Who the first sync must create, worked out from the world alone: hired people with an
/// email, both names and a start or hire date, whose id no Namely profile carries yet, whose
/// email no Namely profile has, and whose home state is valid.
pub fn expected_creates(world: &World) -> BTreeMap<u64, Person> {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut synced: BTreeSet<String> = BTreeSet::new();
    let owners = namely_sim::default_owners();
    for e in world.employees.iter().chain(owners.iter()) {
        taken.insert(e.email.to_lowercase());
        if let Some(p) = &e.personal_email {
            taken.insert(p.to_lowercase());
        }
        if let Some(id) = &e.icims_id {
            synced.insert(id.clone());
        }
    }
    world
        .hired_people(&[HIRED])
        .into_iter()
        .filter(|p| {
            let email = non_empty(p.email.as_deref());
            email.is_some_and(|e| !taken.contains(&e.to_lowercase()))
                && non_empty(Some(&p.firstname)).is_some()
                && non_empty(Some(&p.lastname)).is_some()
                && (p.startdate.is_some() || p.hiredate.is_some())
                && !synced.contains(&p.id.to_string())
                && home(p).is_none_or(|a| a.state_abbrev.as_deref() != Some("XX"))
        })
        .map(|p| (p.id, p.clone()))
        .collect()
}

/// Timeouts of the clients the harness builds.
#[derive(Debug, Clone)]
pub struct Setup {
    pub icims: IcimsSimConfig,
    pub namely: NamelySimConfig,
    pub icims_timeout: Duration,
    pub namely_timeout: Duration,
    pub namely_token: String,
}

/// Namely as the harness runs it: no email uniqueness, so nothing on Namely's side hides a
/// second create of the same person.
pub fn namely_config() -> NamelySimConfig {
    NamelySimConfig {
        email_unique: false,
        ..NamelySimConfig::default()
    }
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            icims: IcimsSimConfig::default(),
            namely: namely_config(),
            icims_timeout: Duration::from_secs(5),
            namely_timeout: Duration::from_secs(5),
            namely_token: namely_sim::TOKEN_OLIVIA_OWNER.to_string(),
        }
    }
}

pub struct Harness {
    pub world: World,
    pub icims_sim: IcimsSim,
    pub namely_sim: NamelySim,
    pub store: Store,
    pub settings: ConnectionSettings,
    pub icims: icims::Client,
    pub namely: namely::Client,
}

impl Harness {
    pub async fn start(world: World) -> Self {
        Self::start_with(world, Setup::default()).await
    }

    pub async fn start_with(world: World, setup: Setup) -> Self {
        let icims_sim = icims_sim::start(setup.icims, &world).await.unwrap();
        let namely_sim = namely_sim::start(setup.namely, &world.employees)
            .await
            .unwrap();
        let store = store();
        let mut settings = ConnectionSettings::new(
            ConnectionName::new("Acme").unwrap(),
            "sandbox",
            icims_sim::DEFAULT_CUSTOMER_ID,
            icims_sim::DEFAULT_USERNAME,
            IcimsRegion::Us,
            time::OffsetDateTime::now_utc(),
        );
        settings.icims_url = Some(icims_sim.url());
        settings.namely_url = Some(namely_sim.url());
        settings.icims_field_name = Some(FIELD.into());
        settings.sandbox = true;
        // The seeded world's hires started around its anchor date; these suites are about
        // exactly-once, not about how far back a sync reaches (`sync_start_from.rs` is).
        settings.start_from = time::macros::date!(2000 - 01 - 01);
        store.add_connection(&settings).unwrap();
        let icims = clients::icims_client(
            &settings,
            SecretString::from(icims_sim::DEFAULT_HMAC_KEY),
            &ClientOptions {
                timeout: setup.icims_timeout,
                ..ClientOptions::default()
            },
        )
        .unwrap();
        let namely = clients::namely_client(
            &settings,
            SecretString::from(setup.namely_token),
            &ClientOptions {
                timeout: setup.namely_timeout,
                namely_throttle_wait: Duration::from_millis(5),
                namely_throttle_retries: 3,
            },
        )
        .unwrap();
        Self {
            world,
            icims_sim,
            namely_sim,
            store,
            settings,
            icims,
            namely,
        }
    }

    /// A harness whose Namely allows any number of listings a minute: for tests about
    /// something else than Namely's limit (the client's throttle waits are milliseconds).
    pub async fn start_unthrottled(world: World) -> Self {
        Self::start_with(
            world,
            Setup {
                namely: unthrottled(),
                ..Setup::default()
            },
        )
        .await
    }

    /// A hire added in iCIMS now, starting on `start` (`yyyy-mm-dd`).
    pub fn add_hire_starting(
        &self,
        first: &str,
        last: &str,
        email: &str,
        start: &str,
    ) -> sandbox::seed::AddedHire {
        let hire = self.icims_sim.add_hire(first, last, Some(email));
        self.icims_sim.with_world(|w| {
            let p = w
                .people
                .iter_mut()
                .find(|p| p.id == hire.person_id)
                .expect("the hire just added");
            p.startdate = Some(start.into());
        });
        hire
    }

    /// The record of `person` in run `run_id`.
    pub fn record(&self, run_id: RunId, person: u64) -> RecordRow {
        self.records(run_id)
            .into_iter()
            .find(|r| r.person_id.0 == person)
            .unwrap_or_else(|| panic!("person {person} is recorded in run {run_id:?}"))
    }

    pub fn ctx(&self) -> SyncContext<'_> {
        SyncContext {
            store: &self.store,
            settings: &self.settings,
            icims: &self.icims,
            namely: &self.namely,
        }
    }

    pub async fn sync(&self, options: SyncOptions) -> SyncOutcome {
        run_sync(&self.ctx(), &options, &|_| {}).await.unwrap()
    }

    pub fn records(&self, run_id: RunId) -> Vec<RecordRow> {
        self.store.records(run_id).unwrap()
    }

    pub fn watermark(&self) -> Option<time::OffsetDateTime> {
        self.store
            .watermark(&self.settings.name)
            .unwrap()
            .map(|w| w.hired_since)
    }

    /// POST /profiles requests the Namely simulator received.
    pub fn posts(&self) -> Vec<RequestRecord> {
        self.namely_sim
            .request_log()
            .into_iter()
            .filter(|r| r.method == "POST" && api_path(&r.path) == "/profiles")
            .collect()
    }

    /// Every write (POST/PUT/PATCH/DELETE) the Namely simulator received.
    pub fn writes(&self) -> Vec<RequestRecord> {
        self.namely_sim
            .request_log()
            .into_iter()
            .filter(|r| r.method != "GET" && r.method != "HEAD")
            .collect()
    }

    /// Unfiltered, unsorted GET /profiles (a full listing page).
    pub fn listing_pages(&self) -> usize {
        self.namely_sim
            .request_log()
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && api_path(&r.path) == "/profiles"
                    && !r.query.contains("filter")
                    && !r.query.contains("sort=")
            })
            .count()
    }

    /// GET /profiles?sort=-updated_at (a page of an incremental refresh of the index).
    pub fn refresh_pages(&self) -> usize {
        self.namely_sim
            .request_log()
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && api_path(&r.path) == "/profiles"
                    && r.query.contains("sort=-updated_at")
            })
            .count()
    }

    /// Every GET /profiles (listings, refreshes and lookups alike).
    pub fn profile_gets(&self) -> usize {
        self.namely_sim
            .request_log()
            .iter()
            .filter(|r| r.method == "GET" && api_path(&r.path) == "/profiles")
            .count()
    }

    /// `icims_id` → number of Namely profiles carrying it (every profile of the tenant).
    pub fn icims_ids_in_namely(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for p in self.namely_sim.profiles() {
            if let Some(id) = p.get(FIELD).and_then(Value::as_str) {
                *m.entry(id.to_string()).or_insert(0) += 1;
            }
        }
        m
    }

    /// Person ids of the profiles created through the API, in order.
    pub fn created_ids(&self) -> Vec<u64> {
        self.namely_sim
            .created_profiles()
            .iter()
            .map(|p| {
                p.get(FIELD)
                    .and_then(Value::as_str)
                    .expect("every created profile carries icims_id")
                    .parse()
                    .unwrap()
            })
            .collect()
    }

    /// Runs a sync and drops the run's future (what a run cancelled at an await leaves; no
    /// process is killed) as soon as Namely has stored the first create: the POST's answer
    /// must be slow (`AfterCommit::Delay`).
    pub async fn drop_the_run_once_the_first_create_is_stored(&self, options: &SyncOptions) {
        let ctx = self.ctx();
        let run = run_sync(&ctx, options, &|_| {});
        let committed = async {
            while self.namely_sim.created_profiles().is_empty() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::select! {
            r = run => panic!("the run should have been dropped mid-create: {r:?}"),
            () = committed => {}
        }
    }

    /// `icims_id` → POST /profiles requests sent for it (whatever Namely answered).
    pub fn posts_per_person(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for r in self.posts() {
            if let Some(id) = post_profile(&r).get(FIELD).and_then(Value::as_str) {
                *m.entry(id.to_string()).or_insert(0) += 1;
            }
        }
        m
    }

    /// iCIMS person id → POST /profiles requests sent for that person (whatever Namely
    /// answered).
    pub fn post_counts(&self) -> BTreeMap<u64, usize> {
        let mut m = BTreeMap::new();
        for r in self.posts() {
            let id = post_profile(&r)
                .get(FIELD)
                .and_then(Value::as_str)
                .and_then(|id| id.parse().ok())
                .unwrap_or_else(|| panic!("a POST without a numeric {FIELD}: {r:?}"));
            *m.entry(id).or_insert(0) += 1;
        }
        m
    }

    /// Every `icims_id` is on at most one Namely profile and no company email on two —
    /// checked on the simulator's own data, so it holds even with email uniqueness switched
    /// off (as the harness runs Namely).
    pub fn assert_no_profile_twice(&self) {
        let twice: Vec<_> = self
            .icims_ids_in_namely()
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .collect();
        assert!(twice.is_empty(), "people in Namely twice: {twice:?}");
        let mut emails = BTreeMap::new();
        for p in self.namely_sim.profiles() {
            if let Some(e) = p.get("email").and_then(Value::as_str) {
                *emails.entry(e.to_lowercase()).or_insert(0) += 1;
            }
        }
        let twice: Vec<_> = emails.into_iter().filter(|(_, n)| *n > 1).collect();
        assert!(twice.is_empty(), "emails on two profiles: {twice:?}");
    }

    /// The POSTs sent per person are exactly `want` (person → POSTs), nobody else was POSTed,
    /// and nobody is in Namely twice.
    pub fn assert_posts(&self, want: &BTreeMap<u64, usize>) {
        self.assert_no_profile_twice();
        assert_eq!(&self.post_counts(), want, "POST /profiles per person");
    }

    /// Never a duplicate: nobody in Namely twice ([`Harness::assert_no_profile_twice`]) and
    /// nobody POSTed more than once. For tests where nothing refused a POST; where a POST was
    /// refused before Namely saved it and sent again, use [`Harness::assert_posts`].
    pub fn assert_no_duplicates(&self) {
        self.assert_no_profile_twice();
        let twice: Vec<_> = self
            .post_counts()
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .collect();
        assert!(twice.is_empty(), "POSTed more than once: {twice:?}");
    }
}

/// `person → 1` for each person: one POST each.
pub fn once_each<'a>(people: impl IntoIterator<Item = &'a u64>) -> BTreeMap<u64, usize> {
    people.into_iter().map(|p| (*p, 1)).collect()
}

/// Namely's listing limit out of the way (tests about something else); no email uniqueness
/// either, as [`namely_config`].
pub fn unthrottled() -> NamelySimConfig {
    NamelySimConfig {
        profiles_get_per_minute: 100_000,
        ..namely_config()
    }
}

/// `/api/v1/profiles.json` → `/profiles`.
pub fn api_path(path: &str) -> String {
    let p = path.strip_prefix("/api/v1").unwrap_or(path);
    p.strip_suffix(".json").unwrap_or(p).to_string()
}

/// The single profile object of a POST body.
pub fn post_profile(r: &RequestRecord) -> &serde_json::Map<String, Value> {
    r.body
        .as_ref()
        .and_then(|b| b.get("profiles"))
        .and_then(|p| p.get(0))
        .and_then(Value::as_object)
        .expect("a POST body {\"profiles\":[{…}]}")
}

/// Person ids of the records with this outcome, ascending.
pub fn with_outcome(records: &[RecordRow], outcome: OutcomeKind) -> BTreeSet<u64> {
    records
        .iter()
        .filter(|r| r.outcome == outcome)
        .map(|r| r.person_id.0)
        .collect()
}

pub fn ids<'a>(it: impl IntoIterator<Item = &'a u64>) -> BTreeSet<u64> {
    it.into_iter().copied().collect()
}
