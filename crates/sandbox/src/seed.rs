//! Seeded, reproducible demo data shared by both simulators.
//!
//! [`World::generate`] turns a [`SeedConfig`] into iCIMS hires and Namely employees. The same
//! config always gives the same world. Some Namely employees already carry the `icims_id` of a
//! hire (already synced), and some share a hire's email without an `icims_id` (needs review).

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
}

impl Default for SeedConfig {
    fn default() -> Self {
        Self { seed: 7, hires: 12, employees: 8 }
    }
}

/// An iCIMS person (candidate) as the simulator stores it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Person {
    pub id: u64,
    pub firstname: String,
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
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct World {
    pub people: Vec<Person>,
    pub jobs: Vec<Job>,
    pub workflows: Vec<Workflow>,
    pub employees: Vec<Employee>,
}
