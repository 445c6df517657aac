//! Seeded, reproducible demo data shared by both simulators.
//!
//! [`World::generate`] turns a [`SeedConfig`] into iCIMS hires and Namely employees. The same
//! config always gives the same world. Some Namely employees already carry the `icims_id` of a
//! hire (already synced), and some share a hire's email without an `icims_id` (needs review).
//!
//! What a generated world contains besides plain hires. Each hire case gets its share of the
//! hires, rounded, at least one, on distinct hires while there are enough (so any world with
//! five or more hires has every case):
//!
//! * names with non-ASCII letters (José Álvarez, Nguyễn Thị Lan, …) and ASCII-folded emails;
//! * hires without an email (~1 in 10), without start *and* hire date (~1 in 12), with only a
//!   hire date (~1 in 12, the start-date fallback), hired on two jobs (~1 in 8), with a home
//!   address in the invalid state `XX` (~1 in 12);
//! * people whose only workflows are in other statuses (Offer, Interview, Rejected), and hires
//!   who also have an older non-hired workflow, so a status filter matters;
//! * Namely employees: the demo owner Olivia Owner (active `Administrator`), an inactive
//!   `Administrator`, an `HR Admin`, employees already synced from a hire (`icims_id` set), one
//!   sharing a hire's email without `icims_id` (needs review), and plain employees.
//!
//! On request only (each from a random stream of its own, so 0 changes nothing else): past
//! hires of the last 5 years ([`SeedConfig::history`], [`World::history`]), current hires HR
//! already typed into Namely by hand ([`SeedConfig::hand_made`], [`World::hand_made`]). Any
//! person can be served malformed through [`Person::raw_overrides`].

use std::collections::{BTreeMap, BTreeSet};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What to generate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedConfig {
    /// Random seed; the same seed gives the same world.
    pub seed: u64,
    /// Hired candidates in iCIMS (people with at least one workflow in a hired status).
    pub hires: usize,
    /// Employees already in Namely before the first sync.
    pub employees: usize,
    /// Past hires added on top (default 0): people hired in iCIMS whose start dates are spread
    /// over the 5 years before the anchor, the latest at least 60 days before it. Their ids
    /// are below the current ones (iCIMS numbers records in order). Up to 999 fit below the
    /// first current person (1001) and workflow (19001); above that the current people's and
    /// workflows' ids start higher (see [`World::history`]), and any world with 999 or fewer
    /// is exactly as before. At most 100,000. Listed in [`World::history`]. Drawn from a
    /// random stream of their own: the rest of the world is the same as with 0, apart from
    /// that shift of ids.
    #[serde(default)]
    pub history: usize,
    /// Current hires that HR already typed into Namely by hand before the integration
    /// (default 0): same first and last name and start date, a company email
    /// `first.last@acme-corp.example`, no personal email, no `icims_id`, active, role
    /// `Employee`. Only hires with a start date that no employee represents yet (by
    /// `icims_id`, email or name) qualify, so fewer may be made. Listed in
    /// [`World::hand_made`]; drawn from a random stream of their own.
    #[serde(default)]
    pub hand_made: usize,
}

impl Default for SeedConfig {
    fn default() -> Self {
        Self {
            seed: 7,
            hires: 12,
            employees: 8,
            history: 0,
            hand_made: 0,
        }
    }
}

/// Dates in a world from [`World::generate`] are relative to this instant (2026-11-02 00:00
/// UTC), so that the same seed gives the same world on any day. Use [`World::generate_at`]
/// to place a demo world around today instead.
pub const SEED_ANCHOR_UNIX: i64 = 1_793_577_600;

/// A recruiting-workflow status list node of the simulated tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusNode {
    /// List node id, e.g. `C12345`.
    pub id: &'static str,
    /// Text value, e.g. `Hired`.
    pub value: &'static str,
}

/// The hired status of the simulated tenant.
pub const HIRED: StatusNode = StatusNode {
    id: "C12345",
    value: "Hired",
};
/// Statuses that are not "hired" (noise a status filter must exclude).
pub const OFFER: StatusNode = StatusNode {
    id: "C12342",
    value: "Offer",
};
pub const INTERVIEW: StatusNode = StatusNode {
    id: "C12341",
    value: "Interview",
};
pub const REJECTED: StatusNode = StatusNode {
    id: "C12350",
    value: "Rejected",
};
/// Every status list node the simulated tenant knows.
pub const STATUSES: [StatusNode; 4] = [HIRED, OFFER, INTERVIEW, REJECTED];

/// Finds a known status by list node id or by text value (case-insensitive).
pub fn status_node(id_or_value: &str) -> Option<StatusNode> {
    STATUSES
        .into_iter()
        .find(|s| s.id == id_or_value || s.value.eq_ignore_ascii_case(id_or_value))
}

/// An iCIMS person (candidate) as the simulator stores it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Person {
    pub id: u64,
    pub firstname: String,
    #[serde(default)]
    pub middlename: Option<String>,
    pub lastname: String,
    pub email: Option<String>,
    /// `yyyy-mm-dd`
    pub hiredate: Option<String>,
    /// `yyyy-mm-dd`
    pub startdate: Option<String>,
    /// "Male", "Female" or something else / absent.
    pub gender: Option<String>,
    pub addresses: Vec<Address>,
    pub phones: Vec<Phone>,
    /// Tenant custom fields (`rcf1234`, `field12345`): served, but never imported into Namely.
    pub custom_fields: Vec<(String, String)>,
    /// Last update of the person record, UTC, `yyyy-mm-dd hh:mm a` is derived from it.
    pub updated_unix: i64,
    /// Raw JSON put into the iCIMS person profile last, key by key, replacing whatever the
    /// simulator rendered (or adding the key): a way to serve a malformed record, e.g.
    /// `"addresses": {"entry": 1}` instead of a list. Empty for generated people.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub raw_overrides: BTreeMap<String, serde_json::Value>,
}

impl Person {
    /// A person with a name only; everything else absent. `id` 0 lets [`World::add_person`]
    /// choose the id.
    pub fn new(id: u64, firstname: &str, lastname: &str) -> Self {
        Self {
            id,
            firstname: firstname.to_string(),
            middlename: None,
            lastname: lastname.to_string(),
            email: None,
            hiredate: None,
            startdate: None,
            gender: None,
            addresses: Vec::new(),
            phones: Vec::new(),
            custom_fields: Vec::new(),
            updated_unix: SEED_ANCHOR_UNIX,
            raw_overrides: BTreeMap::new(),
        }
    }

    /// "First Last", as iCIMS shows a person in `associatedprofile.value`.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.firstname, self.lastname)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Address {
    /// "Home", "Work", ...
    pub kind: String,
    pub street1: String,
    pub street2: Option<String>,
    pub city: String,
    /// State abbreviation, e.g. "NY" (may be invalid on purpose, e.g. "XX").
    pub state_abbrev: Option<String>,
    pub state_name: Option<String>,
    /// Country abbreviation, e.g. "US".
    pub country_abbrev: String,
    pub country_name: String,
    pub zip: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Phone {
    /// "Home", "Work", "Mobile", ...
    pub kind: String,
    pub number: String,
}

/// An iCIMS job profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Job {
    pub id: u64,
    pub jobid: String,
    pub jobtitle: String,
}

/// An iCIMS recruiting (applicant) workflow: the link person <-> job, with a status.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Workflow {
    pub id: u64,
    pub person_id: u64,
    pub job_id: u64,
    /// Status list node, e.g. `{ id: "C12345", value: "Hired" }`.
    pub status_id: String,
    pub status_value: String,
    /// Last update, unix seconds UTC (changing a status updates it).
    pub updated_unix: i64,
}

/// An existing Namely profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Employee {
    /// UUID v4 string.
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub personal_email: Option<String>,
    /// "active", "pending" or "inactive".
    pub user_status: String,
    /// `Administrator`, `HR Admin`, `Manager`, `Employee`, ...
    pub access_role: String,
    pub start_date: Option<String>,
    /// The iCIMS person id this employee was created from, if any.
    pub icims_id: Option<String>,
}

/// Everything both simulators start from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct World {
    pub people: Vec<Person>,
    pub jobs: Vec<Job>,
    pub workflows: Vec<Workflow>,
    pub employees: Vec<Employee>,
    /// Ids of the past hires ([`SeedConfig::history`]), most recent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<u64>,
    /// `(person id, Namely employee id)` of each hire typed into Namely by hand
    /// ([`SeedConfig::hand_made`]), ascending by person id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hand_made: Vec<(u64, String)>,
}

/// Ids of a hire added with [`World::add_hire`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddedHire {
    pub person_id: u64,
    pub workflow_id: u64,
}

impl World {
    /// The world for `config`, with dates around [`SEED_ANCHOR_UNIX`]. Deterministic.
    pub fn generate(config: &SeedConfig) -> World {
        Self::generate_at(config, SEED_ANCHOR_UNIX)
    }

    /// The world for `config` with dates around `anchor_unix` (e.g. now, for a demo).
    /// Deterministic for a given `(config, anchor_unix)`.
    pub fn generate_at(config: &SeedConfig, anchor_unix: i64) -> World {
        generate::world(config, anchor_unix)
    }

    pub fn person(&self, id: u64) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn job(&self, id: u64) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub fn workflow(&self, id: u64) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id == id)
    }

    /// Workflows whose status id or text value is one of `statuses`, ascending by id.
    pub fn workflows_in_status(&self, statuses: &[&str]) -> Vec<&Workflow> {
        let mut found: Vec<&Workflow> = self
            .workflows
            .iter()
            .filter(|w| {
                statuses
                    .iter()
                    .any(|s| w.status_id == *s || w.status_value.eq_ignore_ascii_case(s))
            })
            .collect();
        found.sort_by_key(|w| w.id);
        found
    }

    /// Ids of the people with at least one workflow in one of `statuses` (id or text value),
    /// e.g. `world.hired_person_ids(&["Hired"])`.
    pub fn hired_person_ids(&self, statuses: &[&str]) -> BTreeSet<u64> {
        self.workflows_in_status(statuses)
            .iter()
            .map(|w| w.person_id)
            .collect()
    }

    /// The people with at least one workflow in one of `statuses`, ascending by id.
    pub fn hired_people(&self, statuses: &[&str]) -> Vec<&Person> {
        let ids = self.hired_person_ids(statuses);
        let mut people: Vec<&Person> = self.people.iter().filter(|p| ids.contains(&p.id)).collect();
        people.sort_by_key(|p| p.id);
        people
    }

    /// Adds a person; an `id` of 0 (or one already taken) is replaced by the next free id.
    /// Returns the id.
    pub fn add_person(&mut self, mut person: Person) -> u64 {
        if person.id == 0 || self.person(person.id).is_some() {
            person.id = self.people.iter().map(|p| p.id).max().unwrap_or(1000) + 1;
        }
        let id = person.id;
        self.people.push(person);
        id
    }

    /// Adds a job with the next free id. Returns the id.
    pub fn add_job(&mut self, jobtitle: &str) -> u64 {
        let id = self.jobs.iter().map(|j| j.id).max().unwrap_or(1340) + 1;
        self.jobs.push(Job {
            id,
            jobid: format!("REQ-{id}"),
            jobtitle: jobtitle.to_string(),
        });
        id
    }

    /// Adds a workflow with the next free id (above every existing one). `status` is a known
    /// status id or value (see [`STATUSES`]); an unknown text is used as both id and value,
    /// like a tenant-specific status. Returns the id.
    pub fn add_workflow(
        &mut self,
        person_id: u64,
        job_id: u64,
        status: &str,
        updated_unix: i64,
    ) -> u64 {
        let id = self.workflows.iter().map(|w| w.id).max().unwrap_or(19_000) + 1;
        let (status_id, status_value) = match status_node(status) {
            Some(s) => (s.id.to_string(), s.value.to_string()),
            None => (status.to_string(), status.to_string()),
        };
        self.workflows.push(Workflow {
            id,
            person_id,
            job_id,
            status_id,
            status_value,
            updated_unix,
        });
        id
    }

    /// Adds a person hired on the first job (a job is created if there is none).
    pub fn add_hire(
        &mut self,
        firstname: &str,
        lastname: &str,
        email: Option<&str>,
        updated_unix: i64,
    ) -> AddedHire {
        let job_id = match self.jobs.first() {
            Some(j) => j.id,
            None => self.add_job("Sandbox Associate"),
        };
        let mut person = Person::new(0, firstname, lastname);
        person.email = email.map(str::to_string);
        person.updated_unix = updated_unix;
        let person_id = self.add_person(person);
        let workflow_id = self.add_workflow(person_id, job_id, HIRED.id, updated_unix);
        AddedHire {
            person_id,
            workflow_id,
        }
    }
}

/// Lowercase ASCII for an email local part: folds accented Latin letters (`Zoë` → `zoe`,
/// `Łukasz` → `lukasz`, `Groß` → `gross`), keeps `-`, drops spaces, apostrophes and anything
/// else that is not ASCII alphanumeric.
pub fn ascii_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'a'..='z' | '0'..='9' | '-' => {
                out.push(c);
                continue;
            }
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'ạ' | 'ả' | 'ấ' | 'ầ' | 'ẩ'
            | 'ẫ' | 'ậ' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' | 'ẹ' | 'ẻ' | 'ẽ' | 'ế' | 'ề' | 'ể' | 'ễ'
            | 'ệ' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'ỉ' | 'ị' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'ơ' | 'ọ' | 'ỏ' | 'ố' | 'ồ' | 'ổ'
            | 'ỗ' | 'ộ' | 'ớ' | 'ờ' | 'ở' | 'ỡ' | 'ợ' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'þ' => "th",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ư' | 'ụ' | 'ủ' | 'ứ' | 'ừ' | 'ử' | 'ữ'
            | 'ự' => "u",
            'ý' | 'ÿ' | 'ỳ' | 'ỵ' | 'ỷ' | 'ỹ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

/// The iCIMS list node id of a US state the seed uses (e.g. `NY` → `D41001035`).
pub fn us_state_node_id(abbrev: &str) -> Option<&'static str> {
    generate::STATES.iter().find(|s| s.0 == abbrev).map(|s| s.2)
}

mod extras;

mod generate {
    use std::collections::HashMap;

    use super::*;

    pub(super) const DAY: i64 = 86_400;

    const FIRST_NAMES: &[&str] = &[
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "Michael",
        "Jennifer",
        "David",
        "Linda",
        "William",
        "Elizabeth",
        "Daniel",
        "Sarah",
        "Matthew",
        "Karen",
        "Anthony",
        "Nancy",
        "Mark",
        "Lisa",
        "Steven",
        "Emily",
        "Andrew",
        "Ashley",
        "Joshua",
        "Michelle",
        "Kevin",
        "Amanda",
        "Brian",
        "Melissa",
        "Ryan",
        "Stephanie",
        "Jacob",
        "Rebecca",
        "Nicholas",
        "Laura",
        "Tyler",
        "Hannah",
        "Aaron",
        "Megan",
        "Priya",
        "Wei",
        "Kwame",
        "Aisha",
    ];

    const LAST_NAMES: &[&str] = &[
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Thompson",
        "White",
        "Harris",
        "Clark",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
        "Green",
        "Baker",
        "Adams",
        "Nelson",
        "Hill",
        "Campbell",
        "Patel",
        "Chen",
        "O'Brien",
        "Mensah",
    ];

    /// (first, middle, last) with letters outside ASCII.
    pub(super) const INTERNATIONAL_NAMES: &[(&str, Option<&str>, &str)] = &[
        ("José", None, "Álvarez"),
        ("Zoë", None, "Müller"),
        ("Siobhán", None, "Ó Briain"),
        ("Lan", Some("Thị"), "Nguyễn"),
        ("Åsa", None, "Lindström"),
        ("François", None, "Lefèvre"),
        ("Łukasz", None, "Wójcik"),
        ("Renée", None, "Dubois-Laurent"),
        ("Søren", None, "Ødegaard"),
        ("Jürgen", None, "Groß"),
        ("María José", None, "Peña"),
        ("Chloé", None, "Brontë"),
        ("Antonín", None, "Dvořák"),
        ("Mỹ", None, "Trần"),
    ];

    /// (abbrev, name, iCIMS list node id, city, zip prefix, area code)
    pub(super) const STATES: &[(&str, &str, &str, &str, &str, &str)] = &[
        ("NY", "New York", "D41001035", "New York", "100", "212"),
        (
            "CA",
            "California",
            "D41001005",
            "San Francisco",
            "941",
            "415",
        ),
        ("TX", "Texas", "D41001044", "Austin", "787", "512"),
        ("IL", "Illinois", "D41001014", "Chicago", "606", "312"),
        ("MA", "Massachusetts", "D41001022", "Boston", "021", "617"),
        ("WA", "Washington", "D41001048", "Seattle", "981", "206"),
        ("CO", "Colorado", "D41001006", "Denver", "802", "303"),
        ("GA", "Georgia", "D41001011", "Atlanta", "303", "404"),
        ("FL", "Florida", "D41001010", "Miami", "331", "305"),
        ("OR", "Oregon", "D41001038", "Portland", "972", "503"),
        (
            "PA",
            "Pennsylvania",
            "D41001039",
            "Philadelphia",
            "191",
            "215",
        ),
        ("NC", "North Carolina", "D41001034", "Raleigh", "276", "919"),
        ("MN", "Minnesota", "D41001024", "Minneapolis", "554", "612"),
        (
            "DC",
            "District of Columbia",
            "D41001009",
            "Washington",
            "200",
            "202",
        ),
    ];

    const STREETS: &[&str] = &[
        "Maple Ave",
        "Oak St",
        "Main St",
        "Cedar Ln",
        "Elm St",
        "Park Pl",
        "Lakeview Dr",
        "Sunset Blvd",
        "Pine Rd",
        "Hudson St",
        "Willow Way",
        "Chestnut St",
    ];

    const JOB_TITLES: &[&str] = &[
        "Software Engineer",
        "Account Executive",
        "Customer Success Manager",
        "Data Analyst",
        "Office Manager",
        "Warehouse Associate – Nights",
        "Product Designer",
        "Payroll Specialist",
    ];

    const REFERRAL_SOURCES: &[&str] = &[
        "LinkedIn",
        "Employee referral",
        "Career fair",
        "Indeed",
        "Company website",
    ];
    const SHIRT_SIZES: &[&str] = &["S", "M", "L", "XL"];

    type ApplyTrait = fn(&mut Traits);

    #[derive(Default, Clone, Copy)]
    pub(super) struct Traits {
        missing_email: bool,
        no_dates: bool,
        hiredate_only: bool,
        two_jobs: bool,
        invalid_state: bool,
        international: bool,
    }

    pub(super) fn world(config: &SeedConfig, anchor: i64) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut used_emails = Emails::default();
        // Names given to people in the world; Namely's plain employees avoid them.
        let mut used_names = BTreeSet::new();

        // Jobs.
        let mut titles: Vec<&str> = JOB_TITLES.to_vec();
        titles.shuffle(&mut rng);
        let year = time::OffsetDateTime::from_unix_timestamp(anchor)
            .map(|t| t.year())
            .unwrap_or(2026);
        let mut jobs = Vec::new();
        let mut job_id = 1340;
        for (k, title) in titles.iter().take(6).enumerate() {
            job_id += rng.gen_range(1..=9);
            jobs.push(Job {
                id: job_id,
                jobid: format!("{year}-{}", 1101 + 7 * k),
                jobtitle: title.to_string(),
            });
        }

        // Traits of each hire. Each special case gets its share of the hires (at least one),
        // on distinct hires while there are enough; international names are random on top.
        let n = config.hires;
        let mut traits: Vec<Traits> = (0..n)
            .map(|_| Traits {
                international: rng.gen_ratio(1, 3),
                ..Traits::default()
            })
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        if let Some(&i) = order.first() {
            traits[i].international = true;
        }
        let share = |per: usize| {
            if n == 0 {
                0
            } else {
                ((n + per / 2) / per).max(1)
            }
        };
        let cases: [(usize, ApplyTrait); 5] = [
            (share(10), |t| t.missing_email = true),
            (share(12), |t| t.no_dates = true),
            (share(12), |t| t.hiredate_only = true),
            (share(8), |t| t.two_jobs = true),
            (share(12), |t| t.invalid_state = true),
        ];
        let mut next = order.iter().cycle();
        for (count, apply) in cases {
            for &i in next.by_ref().take(count) {
                apply(&mut traits[i]);
                if traits[i].no_dates && traits[i].hiredate_only {
                    traits[i].hiredate_only = false;
                }
            }
        }

        // People: hires first, then people who were never hired.
        let mut international: Vec<(&str, Option<&str>, &str)> = INTERNATIONAL_NAMES.to_vec();
        international.shuffle(&mut rng);
        let mut international = international.into_iter();
        let mut people = Vec::new();
        // Current ids start here; shifted up only when the past hires need the room below.
        let bases = extras::id_bases(config.history);
        let mut person_id = bases.person;
        let mut specs: Vec<(u64, u64, StatusNode, i64)> = Vec::new();
        for t in &traits {
            person_id += rng.gen_range(1..=5);
            let next_international = if t.international {
                international.next()
            } else {
                None
            };
            let (first, middle, last) = match next_international {
                Some(n) => n,
                None => plain_name(&mut rng, &used_names),
            };
            used_names.insert((first.to_string(), last.to_string()));
            let mut person = person(
                &mut rng,
                person_id,
                (first, middle, last),
                anchor,
                t,
                &mut used_emails,
            );
            if t.missing_email {
                person.email = None;
            }
            people.push(person);

            let hired_at = anchor - rng.gen_range(0..14 * DAY);
            let first_job = jobs[rng.gen_range(0..jobs.len())].id;
            specs.push((person_id, first_job, HIRED, hired_at));
            if t.two_jobs {
                let other = jobs
                    .iter()
                    .map(|j| j.id)
                    .filter(|&j| j != first_job)
                    .collect::<Vec<_>>();
                specs.push((
                    person_id,
                    other[rng.gen_range(0..other.len())],
                    HIRED,
                    hired_at + rng.gen_range(60..DAY),
                ));
            }
            if rng.gen_ratio(1, 5) {
                // An older application that went nowhere.
                let job = jobs[rng.gen_range(0..jobs.len())].id;
                specs.push((
                    person_id,
                    job,
                    REJECTED,
                    anchor - rng.gen_range(30 * DAY..200 * DAY),
                ));
            }
        }
        let candidates = (config.hires / 2).max(3);
        for k in 0..candidates {
            person_id += rng.gen_range(1..=5);
            let name = plain_name(&mut rng, &used_names);
            used_names.insert((name.0.to_string(), name.2.to_string()));
            let mut person = person(
                &mut rng,
                person_id,
                name,
                anchor,
                &Traits::default(),
                &mut used_emails,
            );
            person.hiredate = None;
            person.startdate = None;
            people.push(person);
            // Cycle so that each non-hired status occurs in any world.
            let status = [OFFER, INTERVIEW, REJECTED][k % 3];
            let job = jobs[rng.gen_range(0..jobs.len())].id;
            specs.push((person_id, job, status, anchor - rng.gen_range(0..60 * DAY)));
        }

        // Workflows: ids ascend in a shuffled order so hires and noise interleave.
        specs.shuffle(&mut rng);
        let mut workflow_id = bases.workflow;
        let workflows = specs
            .into_iter()
            .map(|(person_id, job_id, status, updated_unix)| {
                workflow_id += rng.gen_range(1..=4);
                Workflow {
                    id: workflow_id,
                    person_id,
                    job_id,
                    status_id: status.id.to_string(),
                    status_value: status.value.to_string(),
                    updated_unix,
                }
            })
            .collect();

        let hires: Vec<&Person> = people.iter().take(config.hires).collect();
        let employees = employees(
            &mut rng,
            config.employees,
            anchor,
            &hires,
            &mut used_emails,
            &used_names,
        );
        let mut world = World {
            people,
            jobs,
            workflows,
            employees,
            history: Vec::new(),
            hand_made: Vec::new(),
        };
        // Each from a random stream of its own, so that 0 changes nothing.
        extras::add_hand_made(&mut world, config, &mut used_emails);
        extras::add_history(&mut world, config, anchor, &mut used_emails, &used_names);
        world
    }

    pub(super) fn plain_name(
        rng: &mut ChaCha8Rng,
        used: &BTreeSet<(String, String)>,
    ) -> (&'static str, Option<&'static str>, &'static str) {
        // Prefer a name not used yet; after a few tries, a repeat is fine (emails stay unique).
        let mut pick = || {
            (
                FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())],
                LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())],
            )
        };
        let mut name = pick();
        for _ in 0..8 {
            if !used.contains(&(name.0.to_string(), name.1.to_string())) {
                break;
            }
            name = pick();
        }
        (name.0, None, name.1)
    }

    /// The emails given out so far in a world.
    #[derive(Default)]
    pub(super) struct Emails {
        used: BTreeSet<String>,
        /// For `first.last@domain`: a number `n` such that `first.last2@domain` up to
        /// `first.last{n-1}@domain` are all taken, so [`unique_email`] need not try them
        /// again (without it, the 30th person of a name tried 29 emails: quadratic).
        next_number: HashMap<String, u64>,
    }

    impl Emails {
        /// Takes an email that is not made by [`unique_email`].
        pub(super) fn take(&mut self, email: &str) {
            self.used.insert(email.to_string());
        }
    }

    /// `first.last@domain` (ASCII-folded), or with the smallest number from 2 up that makes
    /// it unused (`first.last2@domain`, …); marks it used.
    pub(super) fn unique_email(first: &str, last: &str, domain: &str, used: &mut Emails) -> String {
        let base = format!("{}.{}", ascii_fold(first), ascii_fold(last));
        let plain = format!("{base}@{domain}");
        if used.used.insert(plain.clone()) {
            return plain;
        }
        let mut n = used.next_number.get(&plain).copied().unwrap_or(2);
        let mut email = format!("{base}{n}@{domain}");
        while used.used.contains(&email) {
            n += 1;
            email = format!("{base}{n}@{domain}");
        }
        used.used.insert(email.clone());
        used.next_number.insert(plain, n + 1);
        email
    }

    pub(super) fn ymd(unix: i64) -> String {
        let date = time::OffsetDateTime::from_unix_timestamp(unix)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .date();
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    }

    fn address(rng: &mut ChaCha8Rng, kind: &str, invalid_state: bool) -> Address {
        let (abbrev, name, _id, city, zip, _area) = STATES[rng.gen_range(0..STATES.len())];
        let (state_abbrev, state_name) = if invalid_state {
            ("XX", "Unknown")
        } else {
            (abbrev, name)
        };
        Address {
            kind: kind.to_string(),
            street1: format!(
                "{} {}",
                rng.gen_range(1..2400),
                STREETS[rng.gen_range(0..STREETS.len())]
            ),
            street2: rng.gen_ratio(1, 4).then(|| {
                format!(
                    "Apt {}{}",
                    rng.gen_range(1..20),
                    ['A', 'B', 'C'][rng.gen_range(0..3)]
                )
            }),
            city: city.to_string(),
            state_abbrev: Some(state_abbrev.to_string()),
            state_name: Some(state_name.to_string()),
            country_abbrev: "US".to_string(),
            country_name: "United States".to_string(),
            zip: format!("{zip}{:02}", rng.gen_range(1..100)),
        }
    }

    pub(super) fn person(
        rng: &mut ChaCha8Rng,
        id: u64,
        (first, middle, last): (&str, Option<&str>, &str),
        anchor: i64,
        t: &Traits,
        used_emails: &mut Emails,
    ) -> Person {
        let email = unique_email(first, last, "example.com", used_emails);
        let start = anchor + rng.gen_range(-20..=45) * DAY;
        let hire = start - rng.gen_range(5..=25) * DAY;
        let (hiredate, startdate) = if t.no_dates {
            (None, None)
        } else if t.hiredate_only {
            (Some(ymd(hire)), None)
        } else {
            (Some(ymd(hire)), Some(ymd(start)))
        };
        let gender = match rng.gen_range(0..100) {
            0..40 => Some("Male"),
            40..80 => Some("Female"),
            80..92 => None,
            _ => Some("Decline to State"),
        };
        let mut addresses = vec![address(rng, "Home", t.invalid_state)];
        if rng.gen_ratio(1, 6) {
            addresses.push(address(rng, "Work", false));
        }
        let area = STATES[rng.gen_range(0..STATES.len())].5;
        let mut phones = vec![Phone {
            kind: "Mobile".into(),
            number: format!("{area}-555-{:04}", rng.gen_range(100..200)),
        }];
        if rng.gen_ratio(1, 3) {
            phones.push(Phone {
                kind: "Home".into(),
                number: format!("{area}-555-{:04}", rng.gen_range(100..200)),
            });
        }
        let custom_fields = vec![
            (
                "rcf1234".to_string(),
                REFERRAL_SOURCES[rng.gen_range(0..REFERRAL_SOURCES.len())].to_string(),
            ),
            (
                "field50123".to_string(),
                SHIRT_SIZES[rng.gen_range(0..SHIRT_SIZES.len())].to_string(),
            ),
        ];
        Person {
            id,
            firstname: first.to_string(),
            middlename: middle.map(str::to_string),
            lastname: last.to_string(),
            email: Some(email),
            hiredate,
            startdate,
            gender: gender.map(str::to_string),
            addresses,
            phones,
            custom_fields,
            updated_unix: anchor - rng.gen_range(0..30 * DAY),
            raw_overrides: BTreeMap::new(),
        }
    }

    pub(super) fn uuid_v4(rng: &mut ChaCha8Rng) -> String {
        let mut b: [u8; 16] = rng.r#gen();
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }

    fn employees(
        rng: &mut ChaCha8Rng,
        count: usize,
        anchor: i64,
        hires: &[&Person],
        used_emails: &mut Emails,
        used_names: &BTreeSet<(String, String)>,
    ) -> Vec<Employee> {
        enum Kind {
            Owner,
            Synced(usize),
            Review(usize),
            HrAdmin,
            FormerAdmin,
            Plain,
        }
        // Only hires that are otherwise valid (an email and a date), so that the demo shows a
        // "needs review" that is not hidden behind "invalid".
        let mut with_email: Vec<usize> = (0..hires.len())
            .filter(|&i| {
                hires[i].email.is_some()
                    && (hires[i].startdate.is_some() || hires[i].hiredate.is_some())
            })
            .collect();
        with_email.shuffle(rng);
        let mut with_email = with_email.into_iter();
        let synced = (count / 4).max(1);

        // Most important cases first, so that small worlds still have them.
        let mut kinds = vec![Kind::Owner];
        if let Some(i) = with_email.next() {
            kinds.push(Kind::Synced(i));
        }
        if let Some(i) = with_email.next() {
            kinds.push(Kind::Review(i));
        }
        kinds.push(Kind::HrAdmin);
        kinds.push(Kind::FormerAdmin);
        for _ in 1..synced {
            if let Some(i) = with_email.next() {
                kinds.push(Kind::Synced(i));
            }
        }
        kinds.truncate(count);
        while kinds.len() < count {
            kinds.push(Kind::Plain);
        }

        let mut plain_count = 0;
        kinds
            .into_iter()
            .map(|kind| {
                let id = uuid_v4(rng);
                let since = anchor - rng.gen_range(200..2500) * DAY;
                let mut plain = |role: &str, status: &str, rng: &mut ChaCha8Rng| {
                    let (first, _, last) = plain_name(rng, used_names);
                    Employee {
                        id: id.clone(),
                        first_name: first.to_string(),
                        last_name: last.to_string(),
                        email: unique_email(first, last, "example.com", used_emails),
                        personal_email: None,
                        user_status: status.to_string(),
                        access_role: role.to_string(),
                        start_date: Some(ymd(since)),
                        icims_id: None,
                    }
                };
                match kind {
                    Kind::Owner => {
                        used_emails.take("olivia.owner@example.com");
                        Employee {
                            id: id.clone(),
                            first_name: "Olivia".into(),
                            last_name: "Owner".into(),
                            email: "olivia.owner@example.com".into(),
                            personal_email: None,
                            user_status: "active".into(),
                            access_role: "Administrator".into(),
                            start_date: Some("2019-03-04".into()),
                            icims_id: None,
                        }
                    }
                    Kind::Synced(i) | Kind::Review(i) => {
                        let hire = hires[i];
                        let synced = matches!(kind, Kind::Synced(_));
                        Employee {
                            id: id.clone(),
                            first_name: hire.firstname.clone(),
                            last_name: hire.lastname.clone(),
                            email: hire.email.clone().unwrap_or_default(),
                            personal_email: None,
                            user_status: "active".into(),
                            access_role: "Employee".into(),
                            start_date: hire.startdate.clone().or_else(|| hire.hiredate.clone()),
                            icims_id: synced.then(|| hire.id.to_string()),
                        }
                    }
                    Kind::HrAdmin => plain("HR Admin", "active", rng),
                    Kind::FormerAdmin => plain("Administrator", "inactive", rng),
                    Kind::Plain => {
                        plain_count += 1;
                        // Every third plain employee has left.
                        let status = if plain_count % 3 == 0 {
                            "inactive"
                        } else {
                            "active"
                        };
                        let mut e = plain("Employee", status, rng);
                        if rng.gen_ratio(1, 3) {
                            e.personal_email = Some(format!(
                                "{}.{}@personal.example",
                                ascii_fold(&e.first_name),
                                ascii_fold(&e.last_name)
                            ));
                        }
                        e
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_world() -> World {
        World::generate(&SeedConfig::default())
    }

    #[test]
    fn same_seed_same_world_and_different_seed_different_world() {
        let a = default_world();
        assert_eq!(a, default_world());
        let b = World::generate(&SeedConfig {
            seed: 8,
            ..SeedConfig::default()
        });
        assert_ne!(a, b);
        assert_ne!(a.people, b.people);
        assert_ne!(a.employees, b.employees);
    }

    #[test]
    fn default_world_has_every_hire_case() {
        let w = default_world();
        let hired = w.hired_people(&[HIRED.id]);
        assert_eq!(hired.len(), 12, "12 hired people");
        assert!(
            hired
                .iter()
                .any(|p| !p.firstname.is_ascii() || !p.lastname.is_ascii()),
            "non-ASCII name"
        );
        assert!(hired.iter().any(|p| p.email.is_none()), "missing email");
        assert!(
            hired
                .iter()
                .any(|p| p.startdate.is_none() && p.hiredate.is_none()),
            "no dates"
        );
        assert!(
            hired
                .iter()
                .any(|p| p.startdate.is_none() && p.hiredate.is_some()),
            "hiredate only"
        );
        assert!(
            hired
                .iter()
                .any(|p| p.startdate.is_some() && p.hiredate.is_some()),
            "both dates"
        );
        assert!(
            hired.iter().any(|p| p
                .addresses
                .iter()
                .any(|a| a.kind == "Home" && a.state_abbrev.as_deref() == Some("XX"))),
            "invalid state"
        );
        assert!(
            hired
                .iter()
                .any(|p| p.custom_fields.iter().any(|(k, _)| k == "rcf1234"))
        );
        assert!(
            hired
                .iter()
                .any(|p| p.custom_fields.iter().any(|(k, _)| k == "field50123"))
        );
        for g in ["Male", "Female"] {
            assert!(
                hired.iter().any(|p| p.gender.as_deref() == Some(g)),
                "gender {g}"
            );
        }
        // Hired on two jobs.
        let hired_workflows = w.workflows_in_status(&["Hired"]);
        assert!(hired.iter().any(|p| {
            hired_workflows
                .iter()
                .filter(|wf| wf.person_id == p.id)
                .count()
                == 2
        }));
        // Noise: people whose workflows are all in other statuses, in every other status.
        for s in [OFFER, INTERVIEW, REJECTED] {
            assert!(w.workflows.iter().any(|wf| wf.status_id == s.id
                && !w.hired_person_ids(&["Hired"]).contains(&wf.person_id)));
        }
        assert!(w.people.len() > hired.len());
        // Every workflow points at a known person and job.
        for wf in &w.workflows {
            assert!(w.person(wf.person_id).is_some() && w.job(wf.job_id).is_some());
        }
    }

    #[test]
    fn default_world_has_every_employee_case() {
        let w = default_world();
        assert_eq!(w.employees.len(), 8);
        let owner = &w.employees[0];
        assert_eq!(
            (
                owner.first_name.as_str(),
                owner.last_name.as_str(),
                owner.email.as_str()
            ),
            ("Olivia", "Owner", "olivia.owner@example.com")
        );
        assert_eq!(
            (owner.user_status.as_str(), owner.access_role.as_str()),
            ("active", "Administrator")
        );
        let has = |role: &str, status: &str| {
            w.employees
                .iter()
                .any(|e| e.access_role == role && e.user_status == status)
        };
        assert!(has("Administrator", "inactive"));
        assert!(has("HR Admin", "active"));
        assert!(has("Employee", "active"));
        assert!(
            w.employees
                .iter()
                .filter(|e| e.user_status == "active")
                .count()
                > w.employees.len() / 2
        );

        let hired = w.hired_person_ids(&["Hired"]);
        let synced: Vec<_> = w
            .employees
            .iter()
            .filter_map(|e| e.icims_id.as_ref())
            .collect();
        assert!(!synced.is_empty());
        for id in synced {
            assert!(
                hired.contains(&id.parse::<u64>().unwrap()),
                "icims_id {id} is a hire"
            );
        }
        let review = w.employees.iter().filter(|e| {
            e.icims_id.is_none()
                && w.hired_people(&["Hired"])
                    .iter()
                    .any(|p| p.email.as_deref() == Some(e.email.as_str()))
        });
        assert_eq!(review.count(), 1, "exactly one needs-review employee");

        for e in &w.employees {
            let parts: Vec<&str> = e.id.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12],
                "{}",
                e.id
            );
            assert!(parts[2].starts_with('4'), "uuid v4 {}", e.id);
            assert!(e.id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
        let ids: BTreeSet<_> = w.employees.iter().map(|e| &e.id).collect();
        assert_eq!(ids.len(), w.employees.len());
    }

    #[test]
    fn emails_are_ascii_unique_and_derived_from_names() {
        for seed in 0..20 {
            let w = World::generate(&SeedConfig {
                seed,
                hires: 40,
                employees: 10,
                ..SeedConfig::default()
            });
            let mut seen = BTreeSet::new();
            for p in &w.people {
                if let Some(e) = &p.email {
                    assert!(e.is_ascii() && e.ends_with("@example.com"), "{e}");
                    assert!(
                        e.starts_with(&format!("{}.", ascii_fold(&p.firstname))),
                        "{e} for {}",
                        p.display_name()
                    );
                    assert!(seen.insert(e.clone()), "duplicate {e}");
                }
            }
            // Needs-review and synced employees share a hire's email on purpose; the others not.
            let hire_emails: BTreeSet<_> =
                w.people.iter().filter_map(|p| p.email.clone()).collect();
            let shared = w
                .employees
                .iter()
                .filter(|e| hire_emails.contains(&e.email))
                .count();
            assert_eq!(shared, (10 / 4) + 1, "seed {seed}");
        }
    }

    #[test]
    fn ascii_fold_examples() {
        assert_eq!(ascii_fold("Zoë"), "zoe");
        assert_eq!(ascii_fold("Müller"), "muller");
        assert_eq!(ascii_fold("Ó Briain"), "obriain");
        assert_eq!(ascii_fold("Nguyễn"), "nguyen");
        assert_eq!(ascii_fold("Łukasz"), "lukasz");
        assert_eq!(ascii_fold("Åsa"), "asa");
        assert_eq!(ascii_fold("Lefèvre"), "lefevre");
        assert_eq!(ascii_fold("Groß"), "gross");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("Dubois-Laurent"), "dubois-laurent");
    }

    #[test]
    fn every_case_in_small_worlds_and_rates_in_large_ones() {
        for seed in 0..30 {
            let w = World::generate(&SeedConfig {
                seed,
                hires: 6,
                employees: 5,
                ..SeedConfig::default()
            });
            let hired = w.hired_people(&["Hired"]);
            assert_eq!(hired.len(), 6);
            assert!(hired.iter().any(|p| p.email.is_none()));
            assert!(
                hired
                    .iter()
                    .any(|p| p.hiredate.is_some() && p.startdate.is_none())
            );
            assert!(w.employees.iter().any(|e| e.icims_id.is_some()));
        }
        let w = World::generate(&SeedConfig {
            seed: 1,
            hires: 2000,
            employees: 0,
            ..SeedConfig::default()
        });
        let hired = w.hired_people(&["C12345"]);
        assert_eq!(hired.len(), 2000);
        let missing_email = hired.iter().filter(|p| p.email.is_none()).count();
        assert!((120..300).contains(&missing_email), "{missing_email}");
        assert!(w.employees.is_empty());
    }

    #[test]
    fn builders_add_hires_with_fresh_ids() {
        let mut w = World::default();
        let a = w.add_hire("Ada", "Lovelace", Some("ada@example.com"), SEED_ANCHOR_UNIX);
        let b = w.add_hire("Alan", "Turing", None, SEED_ANCHOR_UNIX);
        assert!(b.person_id > a.person_id && b.workflow_id > a.workflow_id);
        assert_eq!(
            w.hired_person_ids(&["Hired"]),
            BTreeSet::from([a.person_id, b.person_id])
        );
        let wf = w.add_workflow(a.person_id, w.jobs[0].id, "Offer", SEED_ANCHOR_UNIX);
        assert_eq!(w.workflow(wf).unwrap().status_id, OFFER.id);
        assert_eq!(status_node("hired"), Some(HIRED));
        assert_eq!(status_node("C12341"), Some(INTERVIEW));
    }
}
