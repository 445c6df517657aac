//! The small set of countries and subdivisions the simulator knows (`GET /countries`).
//! Addresses in any other country are rejected (see `assumptions`).

use serde_json::{Value, json};

/// `(ISO alpha-2, name, subdivision type)`.
pub(crate) const COUNTRIES: &[(&str, &str, &str)] = &[
    ("US", "United States", "State"),
    ("CA", "Canada", "Province"),
    ("GB", "United Kingdom", "County"),
    ("IE", "Ireland", "County"),
    ("DE", "Germany", "State"),
    ("FR", "France", "Region"),
    ("ES", "Spain", "Province"),
    ("NL", "Netherlands", "Province"),
    ("AU", "Australia", "State"),
    ("IN", "India", "State"),
    ("MX", "Mexico", "State"),
];

pub(crate) const US_STATES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
];

pub(crate) const CA_PROVINCES: &[(&str, &str)] = &[
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NB", "New Brunswick"),
    ("NL", "Newfoundland and Labrador"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon"),
];

/// The subdivisions the simulator checks `state_id` against; `None` for countries whose
/// subdivisions it does not model (any `state_id` is then accepted).
pub(crate) fn subdivisions(country: &str) -> Option<&'static [(&'static str, &'static str)]> {
    match country {
        "US" => Some(US_STATES),
        "CA" => Some(CA_PROVINCES),
        _ => None,
    }
}

pub(crate) fn is_country(code: &str) -> bool {
    COUNTRIES.iter().any(|(c, _, _)| *c == code)
}

pub(crate) fn country_json(code: &str, with_subdivisions: bool) -> Option<Value> {
    let (id, name, kind) = COUNTRIES.iter().find(|(c, _, _)| *c == code)?;
    let mut v = json!({ "id": id, "name": name, "subdivision_type": kind });
    if with_subdivisions {
        let subs: Vec<Value> = subdivisions(id)
            .unwrap_or(&[])
            .iter()
            .map(|(sid, sname)| json!({ "id": sid, "name": sname }))
            .collect();
        v["links"] = json!({ "subdivisions": subs });
    }
    Some(v)
}

pub(crate) fn countries_json() -> Vec<Value> {
    COUNTRIES
        .iter()
        .filter_map(|(c, _, _)| country_json(c, false))
        .collect()
}

/// US ZIP: `12345` or `12345-6789`.
pub(crate) fn is_us_zip(zip: &str) -> bool {
    let b = zip.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    match b.len() {
        5 => digits(b),
        10 => digits(&b[..5]) && b[5] == b'-' && digits(&b[6..]),
        _ => false,
    }
}
