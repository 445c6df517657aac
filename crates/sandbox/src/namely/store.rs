//! The tenant's state: profiles, tokens, knobs; rendering and validation of profiles.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Number, Value, json};

use super::assumptions::{self, DEFAULT_ROLE, DUPLICATE_EMAIL, WRITE_ROLES};
use super::fields::{
    EMPLOYEE_TYPES, FieldDef, GENDERS, JobTitle, MARITAL_STATUSES, USER_STATUSES, catalogue,
    format_uuid,
};
use super::geo;
use super::{AfterCommit, IcimsField, NamelySimConfig, RequestRecord, TokenGrant};
use crate::seed::Employee;

/// A stored profile. `data` holds the writable fields, normalised (dates as `YYYY-MM-DD`,
/// `job_title` and `reports_to` as ids, `employee_type` as its title), and custom-field values
/// by field name. Absent key = empty. Serialised as is to keep a tenant across restarts.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Profile {
    pub id: String,
    pub access_role: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub data: Map<String, Value>,
}

impl Profile {
    fn text(&self, key: &str) -> Option<&str> {
        self.data
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn user_status(&self) -> &str {
        self.text("user_status").unwrap_or("inactive")
    }
}

/// Sliding-window throttle of GET /profiles, on a clock tests can move forward.
pub(crate) struct Throttle {
    pub limit: u32,
    pub window: Duration,
    pub offset: Duration,
    hits: VecDeque<Instant>,
}

impl Throttle {
    /// Counts one request; false when it is over the limit (and then it is not counted).
    pub fn admit(&mut self) -> bool {
        let now = Instant::now() + self.offset;
        while let Some(&t) = self.hits.front() {
            if now.saturating_duration_since(t) >= self.window {
                self.hits.pop_front();
            } else {
                break;
            }
        }
        if self.hits.len() >= self.limit as usize {
            return false;
        }
        self.hits.push_back(now);
        true
    }
}

struct FaultRule {
    method: Option<String>,
    path: Option<String>,
    remaining: usize,
    status: u16,
}

pub(crate) struct Faults {
    pub latency: Duration,
    pub error_rate: f64,
    pub after_commit: VecDeque<AfterCommit>,
    rules: Vec<FaultRule>,
    rng: ChaCha8Rng,
}

impl Faults {
    pub fn push_rule(
        &mut self,
        method: Option<String>,
        path: Option<String>,
        n: usize,
        status: u16,
    ) {
        if n > 0 {
            self.rules.push(FaultRule {
                method,
                path,
                remaining: n,
                status,
            });
        }
    }

    /// The status this request must fail with, if any.
    pub fn take(&mut self, method: &str, path: &str) -> Option<u16> {
        let hit = self.rules.iter().position(|r| {
            r.method.as_deref().is_none_or(|m| m == method)
                && r.path.as_deref().is_none_or(|p| p == path)
        });
        if let Some(i) = hit {
            let status = self.rules[i].status;
            self.rules[i].remaining -= 1;
            if self.rules[i].remaining == 0 {
                self.rules.remove(i);
            }
            return Some(status);
        }
        if self.error_rate > 0.0 && self.rng.gen_bool(self.error_rate.clamp(0.0, 1.0)) {
            return Some(if self.rng.gen_bool(0.5) { 500 } else { 503 });
        }
        None
    }
}

/// How a profile is shown to a given reader.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View {
    /// Custom fields visible (administrators).
    pub custom: bool,
    pub access_role: bool,
    /// `profile_format=short`.
    pub short: bool,
}

impl View {
    pub const ADMIN: View = View {
        custom: true,
        access_role: true,
        short: false,
    };
}

pub(crate) fn is_writer(role: &str) -> bool {
    WRITE_ROLES.contains(&role)
}

pub(crate) struct State {
    pub permalink: String,
    pub company_name: String,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    pub tokens: Vec<TokenGrant>,
    pub field: IcimsField,
    pub job_titles: Vec<JobTitle>,
    /// Every profile in creation order. Add only through [`State::push_profile`] (or replace
    /// all through [`State::import_profiles`]), which keep [`State::index`] in step.
    pub profiles: Vec<Profile>,
    /// Position in `profiles` of each id, so a lookup by id does not scan 10,000 profiles.
    index: HashMap<String, usize>,
    /// Ids of profiles created through POST, in order.
    pub created: Vec<String>,
    pub log: Vec<RequestRecord>,
    pub throttle: Throttle,
    pub faults: Faults,
    /// Answers to serve instead of the simulator's own ([`super::NamelySim::answer_next_raw`]).
    pub raw: crate::raw::RawRules,
    pub include_access_role_on_me: bool,
    /// Whether any profile carries `access_role` (off in the recorded-traffic mode).
    pub include_access_role: bool,
    /// Whether `GET /companies/info` exists (off in the recorded-traffic mode).
    pub companies_info: bool,
    /// Whether profiles carry `updated_at` (a test can take it away, as if Namely stopped
    /// sending it).
    pub include_updated_at: bool,
    /// How long a profile created through POST stays invisible to API reads
    /// ([`NamelySimConfig::read_lag`]).
    pub read_lag: Duration,
    /// Whether a company `email` already in use is refused with 422
    /// ([`NamelySimConfig::email_unique`]).
    pub email_unique: bool,
    /// ([`NamelySimConfig::echo_authorization_in_faults`]).
    pub echo_authorization_in_faults: bool,
    /// Whether `filter[email]` and `filter[personal_email]` are dropped
    /// ([`NamelySimConfig::ignore_email_filter`]).
    pub ignore_email_filter: bool,
    /// Whether the list ignores `page` and pages by the legacy `after` cursor instead
    /// ([`NamelySimConfig::page_ignored`]).
    pub page_ignored: bool,
    /// The OAuth apps, codes and tokens ([`super::oauth`]).
    pub oauth: super::oauth::OAuth,
    /// Profile ids of the people with a login (the configured owners, as bound to profiles),
    /// in order: who the consent page offers.
    pub logins: Vec<String>,
    /// When each profile created through POST was stored (wall clock), for the read lag.
    /// Seeded, added and imported profiles have no entry: they are always visible.
    created_instants: HashMap<String, Instant>,
    id_rng: ChaCha8Rng,
}

/// Seeded profiles get created_at from 2019-01-01 on, one day apart.
const SEED_EPOCH: i64 = 1_546_300_800;

fn now_epoch() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl State {
    pub fn new(config: NamelySimConfig, employees: &[Employee], origin: String) -> Self {
        let mut st = State {
            permalink: config.permalink,
            company_name: config.company_name,
            origin,
            tokens: config.tokens,
            field: config.field,
            job_titles: config.job_titles.iter().map(|t| JobTitle::new(t)).collect(),
            profiles: Vec::new(),
            index: HashMap::new(),
            created: Vec::new(),
            log: Vec::new(),
            throttle: Throttle {
                limit: config.profiles_get_per_minute,
                window: config.throttle_window,
                offset: Duration::ZERO,
                hits: VecDeque::new(),
            },
            faults: Faults {
                latency: config.latency,
                error_rate: config.error_rate.clamp(0.0, 1.0),
                after_commit: VecDeque::new(),
                rules: Vec::new(),
                rng: ChaCha8Rng::seed_from_u64(config.seed),
            },
            raw: Default::default(),
            include_access_role_on_me: config.include_access_role_on_me,
            include_access_role: config.include_access_role,
            companies_info: config.companies_info,
            include_updated_at: true,
            read_lag: config.read_lag,
            email_unique: config.email_unique,
            echo_authorization_in_faults: config.echo_authorization_in_faults,
            ignore_email_filter: config.ignore_email_filter,
            page_ignored: config.page_ignored,
            oauth: super::oauth::OAuth::new(
                config.oauth_apps,
                config.access_token_ttl,
                config.refresh_rotation,
                config.seed,
            ),
            logins: Vec::new(),
            created_instants: HashMap::new(),
            id_rng: ChaCha8Rng::seed_from_u64(config.seed ^ 0x6e61_6d65_6c79),
        };
        for e in employees {
            st.insert_employee(e);
        }
        // A token owner already among the employees (same id, or same email, as the seeded
        // Olivia Owner) is not added twice: its tokens are bound to that profile instead.
        for owner in &config.owners {
            let same_email = st
                .profiles
                .iter()
                .find(|p| {
                    p.text("email")
                        .is_some_and(|m| m.eq_ignore_ascii_case(&owner.email))
                })
                .map(|p| p.id.clone());
            let login = match same_email {
                _ if st.index_of(&owner.id).is_some() => owner.id.clone(),
                Some(existing) => {
                    for grant in st.tokens.iter_mut().filter(|g| g.employee_id == owner.id) {
                        grant.employee_id = existing.clone();
                    }
                    existing
                }
                None => {
                    st.insert_employee(owner);
                    owner.id.clone()
                }
            };
            if !st.logins.contains(&login) {
                st.logins.push(login);
            }
        }
        st
    }

    /// The simulator's clock: now, plus every [`super::NamelySim::advance_clock`] so far. The
    /// throttle, authorization codes and OAuth access tokens run on it.
    pub fn now(&self) -> Instant {
        Instant::now() + self.throttle.offset
    }

    /// Adds a seeded employee, unless a profile with that id exists.
    pub fn insert_employee(&mut self, e: &Employee) {
        if self.index_of(&e.id).is_some() {
            return;
        }
        let mut data = Map::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                data.insert(k.into(), Value::String(v.into()));
            }
        };
        put("first_name", Some(&e.first_name));
        put("last_name", Some(&e.last_name));
        put("email", Some(&e.email));
        put("personal_email", e.personal_email.as_deref());
        put("user_status", Some(&e.user_status));
        let start = e
            .start_date
            .as_deref()
            .map(|d| parse_date(d).unwrap_or_else(|| d.to_string()));
        put("start_date", start.as_deref());
        if let (Some(name), Some(icims)) = (self.field.storage_name(), e.icims_id.as_deref()) {
            put(&name, Some(icims));
        }
        // A day apart, then a minute apart past the 1,500th, so that even a company of
        // 20,000 seeded profiles was last changed years ago, never in the future.
        let n = self.profiles.len() as i64;
        let at = SEED_EPOCH + 86_400 * n.min(1_500) + 60 * (n - 1_500).max(0);
        self.push_profile(Profile {
            id: e.id.clone(),
            access_role: e.access_role.clone(),
            created_at: at,
            updated_at: at,
            data,
        });
    }

    /// Appends a profile whose id is not taken yet, and indexes it.
    fn push_profile(&mut self, p: Profile) {
        self.index.insert(p.id.clone(), self.profiles.len());
        self.profiles.push(p);
    }

    /// Adds an employee as HR adding it in Namely's web app now would: `created_at` and
    /// `updated_at` are now (a seeded one is back-dated).
    pub fn insert_employee_now(&mut self, e: &Employee) {
        if self.index_of(&e.id).is_some() {
            return;
        }
        self.insert_employee(e);
        if let Some(p) = self.profiles.last_mut() {
            let now = now_epoch();
            p.created_at = now;
            p.updated_at = now;
        }
    }

    /// Every stored profile as JSON (the stored form, not a rendering), each with a
    /// `created` flag saying whether it was created through POST /profiles.
    pub fn export_profiles(&self) -> Vec<Value> {
        let created: HashSet<&str> = self.created.iter().map(String::as_str).collect();
        self.profiles
            .iter()
            .map(|p| {
                let mut v = serde_json::to_value(p).unwrap_or_default();
                if let Value::Object(m) = &mut v {
                    m.insert("created".into(), json!(created.contains(p.id.as_str())));
                }
                v
            })
            .collect()
    }

    /// Replaces every profile with ones from [`State::export_profiles`]; on an error nothing
    /// changes.
    pub fn import_profiles(&mut self, exported: &[Value]) -> Result<(), String> {
        let mut profiles: Vec<Profile> = Vec::with_capacity(exported.len());
        let mut index = HashMap::with_capacity(exported.len());
        let mut created = Vec::new();
        for v in exported {
            let p: Profile = serde_json::from_value(v.clone())
                .map_err(|e| format!("not a stored profile: {e}"))?;
            if p.id.is_empty() || index.contains_key(&p.id) {
                return Err(format!("empty or repeated profile id {:?}", p.id));
            }
            if v.get("created").and_then(Value::as_bool) == Some(true) {
                created.push(p.id.clone());
            }
            index.insert(p.id.clone(), profiles.len());
            profiles.push(p);
        }
        self.profiles = profiles;
        self.index = index;
        self.created = created;
        self.created_instants.clear();
        Ok(())
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.index_of(id).map(|i| &self.profiles[i])
    }

    /// Whether API reads (lists, filters, sorts, counts, `GET /profiles/{id}`) see this
    /// profile yet: false while a profile created through POST is younger than the read lag.
    pub fn visible(&self, p: &Profile) -> bool {
        self.read_lag.is_zero()
            || self
                .created_instants
                .get(&p.id)
                .is_none_or(|at| at.elapsed() >= self.read_lag)
    }

    /// A profile by id as API reads see it (see [`State::visible`]).
    pub fn get_visible(&self, id: &str) -> Option<&Profile> {
        self.get(id).filter(|p| self.visible(p))
    }

    pub fn set_user_status(&mut self, id: &str, status: &str) -> bool {
        let Some(i) = self.index_of(id) else {
            return false;
        };
        let p = &mut self.profiles[i];
        p.data
            .insert("user_status".into(), Value::String(status.into()));
        p.updated_at = now_epoch();
        true
    }

    fn custom_defs(&self) -> Vec<FieldDef> {
        catalogue(&self.field)
            .into_iter()
            .filter(|d| !d.builtin)
            .collect()
    }

    pub fn find_by_icims_id(&self, icims_id: &str) -> Option<String> {
        let names: Vec<String> = self
            .field
            .custom_fields()
            .into_iter()
            .map(|f| f.name)
            .collect();
        self.profiles
            .iter()
            .find(|p| {
                names.iter().any(|n| match p.data.get(n) {
                    Some(Value::String(s)) => s == icims_id,
                    Some(Value::Number(x)) => x.to_string() == icims_id,
                    _ => false,
                })
            })
            .map(|p| p.id.clone())
    }

    pub fn job_title(&self, id: &str) -> Option<&JobTitle> {
        self.job_titles.iter().find(|j| j.id == id)
    }

    pub fn render_admin(&self, id: &str) -> Option<Value> {
        self.get(id).map(|p| self.render(p, View::ADMIN))
    }

    pub fn render(&self, p: &Profile, view: View) -> Value {
        let d = &p.data;
        let val = |k: &str| d.get(k).cloned().unwrap_or(Value::Null);
        let first = p.text("first_name").unwrap_or("");
        let last = p.text("last_name").unwrap_or("");
        let job = p.text("job_title").and_then(|id| self.job_title(id));
        let mut m = Map::new();
        m.insert("id".into(), json!(p.id));
        m.insert("email".into(), val("email"));
        m.insert("first_name".into(), val("first_name"));
        m.insert("last_name".into(), val("last_name"));
        m.insert("user_status".into(), json!(p.user_status()));
        m.insert("created_at".into(), json!(p.created_at));
        if self.include_updated_at {
            m.insert("updated_at".into(), json!(p.updated_at));
        }
        m.insert("preferred_name".into(), val("preferred_name"));
        m.insert("full_name".into(), json!(format!("{first} {last}").trim()));
        m.insert(
            "job_title".into(),
            job.map_or(Value::Null, |j| json!({ "id": j.id, "title": j.title })),
        );
        if view.short {
            return Value::Object(m);
        }
        if view.access_role && self.include_access_role {
            m.insert("access_role".into(), json!(p.access_role));
        }
        for k in [
            "middle_name",
            "personal_email",
            "start_date",
            "departure_date",
            "dob",
            "employee_id",
            "home",
            "mobile_phone",
            "home_phone",
            "gender",
            "marital_status",
            "ethnicity",
            "salary",
        ] {
            m.insert(k.into(), val(k));
        }
        m.insert("office".into(), Value::Null);
        m.insert("image".into(), Value::Null);
        m.insert(
            "employee_type".into(),
            p.text("employee_type")
                .map_or(Value::Null, |t| json!({ "title": t })),
        );
        let manager = p.text("reports_to").and_then(|id| self.get(id));
        m.insert(
            "reports_to".into(),
            match manager {
                Some(mgr) => json!([{
                    "id": mgr.id,
                    "first_name": mgr.data.get("first_name"),
                    "last_name": mgr.data.get("last_name"),
                    "email": mgr.data.get("email"),
                }]),
                None => json!([{
                    "id": "no_guid", "first_name": "Nobody", "last_name": "None", "email": null,
                }]),
            },
        );
        m.insert(
            "links".into(),
            json!({
                "job_title": job.map(|j| json!({ "id": j.id })),
                "groups": [],
                "teams": [],
            }),
        );
        if view.custom {
            for def in self.custom_defs() {
                let v = val(&def.name);
                m.insert(def.name, v);
            }
        }
        Value::Object(m)
    }

    fn new_id(&mut self) -> String {
        loop {
            let mut b = [0u8; 16];
            self.id_rng.fill_bytes(&mut b);
            let id = format_uuid(b);
            if self.index_of(&id).is_none() {
                return id;
            }
        }
    }

    /// Validates and stores a new profile; returns its id or the 422 error list.
    pub fn create(&mut self, input: &Map<String, Value>) -> Result<String, Vec<String>> {
        let mut changes = self.validate(input, None)?;
        changes.retain(|_, v| !v.is_null());
        let id = self.new_id();
        let now = now_epoch();
        self.push_profile(Profile {
            id: id.clone(),
            access_role: DEFAULT_ROLE.into(),
            created_at: now,
            updated_at: now,
            data: changes,
        });
        self.created.push(id.clone());
        self.created_instants.insert(id.clone(), Instant::now());
        Ok(id)
    }

    /// Validates and applies a partial update of an existing profile.
    pub fn update(&mut self, id: &str, input: &Map<String, Value>) -> Result<(), Vec<String>> {
        let changes = self.validate(input, Some(id))?;
        let Some(i) = self.index_of(id) else {
            return Ok(());
        };
        let p = &mut self.profiles[i];
        for (k, v) in changes {
            if v.is_null() {
                p.data.remove(&k);
            } else {
                p.data.insert(k, v);
            }
        }
        p.updated_at = now_epoch();
        Ok(())
    }

    /// Checks one profile object of a POST (`existing` = None) or PUT; returns the
    /// normalised values to store (Null = clear) or the error list.
    fn validate(
        &self,
        input: &Map<String, Value>,
        existing: Option<&str>,
    ) -> Result<Map<String, Value>, Vec<String>> {
        let customs = self.custom_defs();
        let mut out = Map::new();
        let mut errors: Vec<(String, String)> = Vec::new();
        for (key, v) in input {
            let k = key.as_str();
            let result: Result<Option<Value>, String> = match k {
                "first_name" | "middle_name" | "last_name" | "preferred_name" | "employee_id"
                | "mobile_phone" | "home_phone" | "ethnicity" | "ssn" => text(k, v),
                "email" | "personal_email" => email(k, v),
                "user_status" => select(k, v, USER_STATUSES),
                "gender" => select(k, v, GENDERS),
                "marital_status" => select(k, v, MARITAL_STATUSES),
                "employee_type" => match v {
                    Value::Object(o) => {
                        select(k, o.get("title").unwrap_or(&Value::Null), EMPLOYEE_TYPES)
                    }
                    _ => select(k, v, EMPLOYEE_TYPES),
                },
                "start_date" | "departure_date" | "dob" => date(k, v),
                "job_title" => self.job_title_ref(v),
                "reports_to" => self.reports_to_ref(v, existing),
                "home" => home(v),
                "salary" => salary(v),
                _ => match customs.iter().find(|d| d.name == k) {
                    Some(def) => custom(def, v),
                    // unknown, read-only keys and access_role: ignored (see assumptions)
                    None => continue,
                },
            };
            match result {
                Ok(value) => {
                    out.insert(k.into(), value.unwrap_or(Value::Null));
                }
                Err(msg) => errors.push((k.into(), msg)),
            }
        }

        let has_error = |k: &str, errors: &[(String, String)]| errors.iter().any(|(e, _)| e == k);
        let blank = |v: Option<&Value>| v.is_none_or(|v| v.as_str().is_none_or(str::is_empty));
        let mut required_errors = Vec::new();
        match existing.and_then(|id| self.get(id)) {
            None => {
                let status = out
                    .get("user_status")
                    .and_then(Value::as_str)
                    .unwrap_or("active")
                    .to_string();
                if !has_error("user_status", &errors) {
                    out.insert("user_status".into(), json!(status));
                }
                for &k in assumptions::required_for(&status) {
                    if !has_error(k, &errors) && blank(out.get(k)) {
                        required_errors.push(format!("{k} is a required field"));
                    }
                }
            }
            Some(p) => {
                let old_status = p.user_status().to_string();
                let new_status = out
                    .get("user_status")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| old_status.clone());
                for &k in assumptions::required_for(&new_status) {
                    if has_error(k, &errors) {
                        continue;
                    }
                    let sent_blank = out.contains_key(k) && blank(out.get(k));
                    let status_changed = new_status != old_status;
                    let merged_blank = blank(out.get(k).or_else(|| p.data.get(k)));
                    if sent_blank || (status_changed && merged_blank) {
                        required_errors.push(format!("{k} is a required field"));
                    }
                }
            }
        }

        if self.email_unique
            && let Some(mail) = out.get("email").and_then(Value::as_str)
        {
            let taken = self
                .profiles
                .iter()
                .filter(|p| Some(p.id.as_str()) != existing)
                .any(|p| {
                    p.text("email")
                        .is_some_and(|e| e.eq_ignore_ascii_case(mail))
                });
            if taken {
                errors.push(("email".into(), DUPLICATE_EMAIL.into()));
            }
        }

        if required_errors.is_empty() && errors.is_empty() {
            Ok(out)
        } else {
            required_errors.extend(errors.into_iter().map(|(_, m)| m));
            Err(required_errors)
        }
    }

    fn job_title_ref(&self, v: &Value) -> Result<Option<Value>, String> {
        let (id, title) = match v {
            Value::Null => return Ok(None),
            Value::String(s) if s.is_empty() => return Ok(None),
            Value::String(s) => (Some(s.as_str()), Some(s.as_str())),
            Value::Object(o) => (
                o.get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty()),
                o.get("title")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty()),
            ),
            _ => return Err("job_title is not valid".into()),
        };
        if id.is_none() && title.is_none() {
            return Ok(None);
        }
        self.job_titles
            .iter()
            .find(|j| Some(j.id.as_str()) == id)
            .or_else(|| {
                self.job_titles
                    .iter()
                    .find(|j| Some(j.title.as_str()) == title)
            })
            .map(|j| Some(json!(j.id)))
            .ok_or_else(|| {
                format!(
                    "job_title '{}' is not a valid job title",
                    title.or(id).unwrap_or("")
                )
            })
    }

    fn reports_to_ref(&self, v: &Value, existing: Option<&str>) -> Result<Option<Value>, String> {
        let id = match v {
            Value::Null => return Ok(None),
            Value::String(s) => s.as_str(),
            Value::Object(o) => o.get("id").and_then(Value::as_str).unwrap_or(""),
            _ => return Err("reports_to is not valid".into()),
        };
        if id.is_empty() {
            return Ok(None);
        }
        if Some(id) == existing || self.get(id).is_none() {
            return Err(format!("reports_to '{id}' is not a valid profile id"));
        }
        Ok(Some(json!(id)))
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Free text: a string or a number; empty = clear.
fn text(k: &str, v: &Value) -> Result<Option<Value>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => Ok(Some(json!(s))),
        Value::Number(n) => Ok(Some(json!(n.to_string()))),
        _ => Err(format!("{k} is not valid")),
    }
}

pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
}

fn email(k: &str, v: &Value) -> Result<Option<Value>, String> {
    match text(k, v)? {
        Some(Value::String(s)) if is_email(&s) => Ok(Some(json!(s))),
        Some(_) => Err(format!("{k} '{}' is not a valid email address", shown(v))),
        None => Ok(None),
    }
}

fn select(k: &str, v: &Value, allowed: &[&str]) -> Result<Option<Value>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) if allowed.contains(&s.as_str()) => Ok(Some(json!(s))),
        other => Err(format!("{k} '{}' is not valid", shown(other))),
    }
}

/// Parses `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY-M-D`, `YYYY/M/D` into `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let sep = if s.contains('-') { '-' } else { '/' };
    let parts: Vec<&str> = s.split(sep).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits = |p: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    let (y, m, d): (i32, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let date = time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

fn date(k: &str, v: &Value) -> Result<Option<Value>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => parse_date(s)
            .map(|d| Some(json!(d)))
            .ok_or_else(|| format!("{k} '{s}' is not a valid date")),
        other => Err(format!("{k} '{}' is not a valid date", shown(other))),
    }
}

fn home(v: &Value) -> Result<Option<Value>, String> {
    let o = match v {
        Value::Null => return Ok(None),
        Value::Object(o) => o,
        _ => return Err("home is not valid".into()),
    };
    let mut parts = Map::new();
    for key in [
        "address1",
        "address2",
        "city",
        "state_id",
        "country_id",
        "zip",
    ] {
        let s = match o.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(format!("home {key} is not valid")),
        };
        parts.insert(key.into(), json!(s));
    }
    let part = |k: &str| parts[k].as_str().unwrap_or("").to_string();
    if parts.values().all(|p| p.as_str() == Some("")) {
        return Ok(None);
    }
    let country = part("country_id");
    if country.is_empty() {
        return Err("home country_id is required".into());
    }
    if !geo::is_country(&country) {
        return Err(format!("home country_id '{country}' is not valid"));
    }
    let state = part("state_id");
    if let Some(subs) = geo::subdivisions(&country) {
        if state.is_empty() {
            if country == "US" {
                return Err("home state_id is required".into());
            }
        } else if !subs.iter().any(|(id, _)| *id == state) {
            return Err(format!("home state_id '{state}' is not valid"));
        }
    }
    let zip = part("zip");
    if country == "US" && !zip.is_empty() && !geo::is_us_zip(&zip) {
        return Err(format!("home zip '{zip}' is not valid"));
    }
    Ok(Some(Value::Object(parts)))
}

fn salary(v: &Value) -> Result<Option<Value>, String> {
    let o = match v {
        Value::Null => return Ok(None),
        Value::Object(o) => o,
        _ => return Err("salary is not valid".into()),
    };
    let amount = match o.get("yearly_amount") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|a| a.is_finite() && *a > 0.0)
    .ok_or_else(|| "salary yearly_amount is not valid".to_string())?;
    let currency = o
        .get("currency_type")
        .and_then(Value::as_str)
        .unwrap_or("USD");
    if currency != "USD" {
        return Err(format!("salary currency_type '{currency}' is not valid"));
    }
    let date = match o.get("date") {
        None | Some(Value::Null) => Value::Null,
        Some(v) => date("salary date", v)?.unwrap_or(Value::Null),
    };
    Ok(Some(json!({
        "yearly_amount": amount,
        "currency_type": currency,
        "date": date,
        "rate": "annually",
    })))
}

fn custom(def: &FieldDef, v: &Value) -> Result<Option<Value>, String> {
    let k = def.name.as_str();
    match def.type_name.as_str() {
        "number" => match v {
            Value::Null => Ok(None),
            Value::Number(n) => Ok(Some(Value::Number(n.clone()))),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::String(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .map(Number::from)
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().and_then(Number::from_f64))
                    .map(|n| Some(Value::Number(n)))
                    .ok_or_else(|| format!("{k} '{s}' is not a valid number"))
            }
            other => Err(format!("{k} '{}' is not a valid number", shown(other))),
        },
        "date" => date(k, v),
        "email" => email(k, v),
        _ => text(k, v),
    }
}
