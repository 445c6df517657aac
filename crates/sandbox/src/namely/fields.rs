//! The tenant's profile-field catalogue (`GET /profiles/fields`) and job titles (`GET /job_titles`).

use serde_json::{Value, json};

use super::{CustomField, IcimsField};

/// One profile field as `GET /profiles/fields` describes it (`docs/namely-api.md` §5.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldDef {
    pub name: String,
    pub label: String,
    pub type_name: String,
    /// Namely's built-in fields (`default: true`); custom fields are `false` and deletable.
    pub builtin: bool,
    pub section: Section,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    General,
    Personal,
    Job,
    Compensation,
    Custom,
}

impl Section {
    const ALL: [Section; 5] = [
        Section::General,
        Section::Personal,
        Section::Job,
        Section::Compensation,
        Section::Custom,
    ];

    fn title(self) -> &'static str {
        match self {
            Section::General => "General",
            Section::Personal => "Personal information",
            Section::Job => "Job",
            Section::Compensation => "Compensation",
            Section::Custom => "Custom fields",
        }
    }

    fn id(self) -> String {
        stable_uuid("section", self.title())
    }
}

/// Built-in fields: `(name, label, type, section)`.
const BUILTIN: &[(&str, &str, &str, Section)] = &[
    ("first_name", "First name", "text", Section::General),
    ("middle_name", "Middle name", "text", Section::General),
    ("last_name", "Last name", "text", Section::General),
    ("preferred_name", "Preferred name", "text", Section::General),
    ("email", "Company email", "email", Section::General),
    ("user_status", "Status", "referenceselect", Section::General),
    (
        "personal_email",
        "Personal email",
        "email",
        Section::Personal,
    ),
    ("home", "Home address", "address", Section::Personal),
    ("mobile_phone", "Mobile phone", "text", Section::Personal),
    ("home_phone", "Home phone", "text", Section::Personal),
    ("gender", "Gender", "select", Section::Personal),
    ("dob", "Date of birth", "date", Section::Personal),
    (
        "marital_status",
        "Marital status",
        "select",
        Section::Personal,
    ),
    ("job_title", "Job title", "referencehistory", Section::Job),
    ("start_date", "Start date", "date", Section::Job),
    ("departure_date", "Departure date", "date", Section::Job),
    ("employee_id", "Employee number", "text", Section::Job),
    ("employee_type", "Employee type", "select", Section::Job),
    ("reports_to", "Reports to", "text", Section::Job),
    ("salary", "Salary", "salary", Section::Compensation),
];

/// Custom fields every sandbox tenant has besides the configurable `icims_id` one: a
/// realistic distractor (another ATS id, as in Namely's own 2015 test tenant) and a select.
const EXTRA_CUSTOM: &[(&str, &str, &str)] = &[
    ("greenhouse_id", "greenhouse_id", "text"),
    ("t_shirt_size", "T-Shirt Size", "select"),
];

/// Allowed values for the select fields.
pub(crate) const GENDERS: &[&str] = &["Male", "Female", "Not specified"];
pub(crate) const MARITAL_STATUSES: &[&str] = &[
    "Single",
    "Married",
    "Domestic Partnership",
    "Divorced",
    "Widowed",
];
pub(crate) const EMPLOYEE_TYPES: &[&str] = &[
    "Full Time",
    "Part Time",
    "Intern",
    "Contractor",
    "Freelance",
];
pub(crate) const USER_STATUSES: &[&str] = &["active", "pending", "inactive"];
const T_SHIRT_SIZES: &[&str] = &["S", "M", "L", "XL"];

impl IcimsField {
    /// The custom field(s) this setting puts into the tenant.
    pub fn custom_fields(&self) -> Vec<CustomField> {
        match self {
            IcimsField::Present => vec![CustomField::text("icims_id", "icims_id")],
            IcimsField::Missing => Vec::new(),
            IcimsField::Misspelt { label, name } => vec![CustomField::text(label, name)],
            IcimsField::WrongType { type_name } => vec![CustomField {
                label: "icims_id".into(),
                name: "icims_id".into(),
                type_name: type_name.clone(),
            }],
            IcimsField::Custom(fields) => fields.clone(),
        }
    }

    /// The key under which seeded employees keep their iCIMS id: the first configured
    /// field's name, or none when the tenant has no such field.
    pub(crate) fn storage_name(&self) -> Option<String> {
        self.custom_fields().into_iter().next().map(|f| f.name)
    }
}

/// Every field of the tenant, built-ins first, then the custom ones.
pub(crate) fn catalogue(icims: &IcimsField) -> Vec<FieldDef> {
    let mut out: Vec<FieldDef> = BUILTIN
        .iter()
        .map(|&(name, label, ty, section)| FieldDef {
            name: name.into(),
            label: label.into(),
            type_name: ty.into(),
            builtin: true,
            section,
        })
        .collect();
    for &(name, label, ty) in EXTRA_CUSTOM {
        out.push(FieldDef {
            name: name.into(),
            label: label.into(),
            type_name: ty.into(),
            builtin: false,
            section: Section::Custom,
        });
    }
    for f in icims.custom_fields() {
        if out.iter().any(|d| d.name == f.name) {
            continue; // names are unique in a tenant
        }
        out.push(FieldDef {
            name: f.name,
            label: f.label,
            type_name: f.type_name,
            builtin: false,
            section: Section::Custom,
        });
    }
    out
}

fn valid_format_info(def: &FieldDef) -> String {
    match (def.name.as_str(), def.type_name.as_str()) {
        ("gender", _) => GENDERS.join(", "),
        ("marital_status", _) => MARITAL_STATUSES.join(", "),
        ("employee_type", _) => EMPLOYEE_TYPES.join(", "),
        ("t_shirt_size", _) => T_SHIRT_SIZES.join(", "),
        ("reports_to", _) => "a valid profile GUID".into(),
        (_, "referenceselect") => USER_STATUSES.join(", "),
        (_, "referencehistory") => "a valid job title GUID".into(),
        (_, "email") => "valid email address".into(),
        (_, "date") => "date in format YYYY-MM-DD, YYYY/MM/DD, YYYY-M-D or YYYY/M/D".into(),
        (_, "address") => {
            "object with address1, address2, city, state_id, country_id (ISO alpha-2), zip".into()
        }
        (_, "salary") => "object with yearly_amount, currency_type (USD) and date".into(),
        (_, "number") => "numeric value".into(),
        (_, "longtext") => "generic long text".into(),
        _ => "generic text".into(),
    }
}

/// The body of `GET /profiles/fields`. `with_custom` is false for tokens that may not see
/// custom fields.
pub(crate) fn fields_body(icims: &IcimsField, with_custom: bool) -> Value {
    let defs: Vec<FieldDef> = catalogue(icims)
        .into_iter()
        .filter(|d| with_custom || d.builtin)
        .collect();
    let fields: Vec<Value> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "id": stable_uuid("field", &d.name),
                "name": d.name,
                "label": d.label,
                "type": d.type_name,
                "default": d.builtin,
                "deletable": !d.builtin,
                "valid_format_info": valid_format_info(d),
                "block_index": i,
                "links": { "section": d.section.id() },
            })
        })
        .collect();
    let sections: Vec<Value> = Section::ALL
        .iter()
        .map(|s| {
            let ids: Vec<String> = defs
                .iter()
                .filter(|d| d.section == *s)
                .map(|d| stable_uuid("field", &d.name))
                .collect();
            json!({ "id": s.id(), "title": s.title(), "links": { "fields": ids } })
        })
        .collect();
    json!({
        "fields": fields,
        "meta": { "count": defs.len(), "status": 200 },
        "links": { "fields.sections": { "type": "sections" } },
        "linked": { "sections": sections },
    })
}

/// A job title and its tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JobTitle {
    pub id: String,
    pub title: String,
    pub tier: &'static str,
}

impl JobTitle {
    pub fn new(title: &str) -> Self {
        let tier = if title == "Unknown Job Title" {
            "Unknown Job Tier"
        } else if title.contains("Manager") || title.contains("Director") {
            "Management"
        } else {
            "Individual Contributor"
        };
        Self {
            id: stable_uuid("job_title", title),
            title: title.into(),
            tier,
        }
    }

    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "parent_id": null,
            "links": { "job_tier": stable_uuid("job_tier", self.tier) },
        })
    }
}

pub(crate) fn job_tiers_json(titles: &[&JobTitle]) -> Vec<Value> {
    let mut tiers: Vec<&'static str> = titles.iter().map(|t| t.tier).collect();
    tiers.sort_unstable();
    tiers.dedup();
    tiers
        .into_iter()
        .map(|t| json!({ "id": stable_uuid("job_tier", t), "title": t }))
        .collect()
}

/// Job titles a sandbox tenant has unless configured otherwise. Titles are case-sensitive.
pub const DEFAULT_JOB_TITLES: &[&str] = &[
    "Unknown Job Title",
    "Software Engineer",
    "Senior Software Engineer",
    "Engineering Manager",
    "Product Manager",
    "Account Executive",
    "Sales Development Representative",
    "Customer Success Manager",
    "HR Generalist",
    "Recruiter",
    "Office Manager",
    "Data Analyst",
    "Marketing Manager",
    "Financial Analyst",
    "Support Specialist",
];

/// A UUID-v4-shaped id derived from a name, so catalogue ids stay the same across runs and
/// across `set_field` calls.
pub(crate) fn stable_uuid(kind: &str, name: &str) -> String {
    let a = fnv1a(&[kind.as_bytes(), b":", name.as_bytes()]);
    let b = fnv1a(&[name.as_bytes(), b"#", kind.as_bytes()]);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_be_bytes());
    bytes[8..].copy_from_slice(&b.to_be_bytes());
    format_uuid(bytes)
}

fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Formats 16 bytes as a version-4, RFC 4122 variant UUID string.
pub(crate) fn format_uuid(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
