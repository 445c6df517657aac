//! JSON shapes of the workflow, person and job profiles (`docs/icims-api.md` §5).

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::assumptions;
use crate::seed::{Address, Job, Person, Phone, World, us_state_node_id};

/// `yyyy-mm-dd hh:mm a`, UTC (e.g. `2024-01-14 11:00 PM`).
pub(crate) fn icims_datetime(unix: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(format_description!(
        "[year]-[month]-[day] [hour repr:12]:[minute] [period]"
    ))
    .unwrap_or_default()
}

fn self_link(url: &str) -> Value {
    json!([{ "rel": "self", "title": "The current profile being viewed.", "url": url }])
}

fn list_node(id: &str, value: &str) -> Value {
    json!({ "id": id, "value": value, "formattedvalue": value })
}

pub(crate) fn workflow(
    base: &str,
    world: &World,
    wf: &crate::seed::Workflow,
) -> Map<String, Value> {
    let person = world.person(wf.person_id);
    let job = world.job(wf.job_id);
    let mut m = Map::new();
    m.insert(
        "associatedprofile".into(),
        json!({
            "profile": format!("{base}/people/{}", wf.person_id),
            "id": wf.person_id,
            "value": person.map(Person::display_name).unwrap_or_default(),
        }),
    );
    m.insert(
        "baseprofile".into(),
        json!({
            "profile": format!("{base}/jobs/{}", wf.job_id),
            "id": wf.job_id,
            "value": job.map(|j| j.jobtitle.as_str()).unwrap_or_default(),
        }),
    );
    m.insert("status".into(), list_node(&wf.status_id, &wf.status_value));
    m.insert("updateddate".into(), icims_datetime(wf.updated_unix).into());
    m.insert("source".into(), "Other (Please Specify)".into());
    m.insert(
        "links".into(),
        self_link(&format!("{base}/applicantworkflows/{}", wf.id)),
    );
    m
}

fn address(person_id: u64, index: usize, a: &Address) -> Value {
    let type_id = match a.kind.as_str() {
        "Home" => "D84002",
        "Work" => "D84001",
        _ => "D84009",
    };
    let mut m = Map::new();
    m.insert("entry".into(), (person_id * 10 + index as u64).into());
    m.insert("addresstype".into(), list_node(type_id, &a.kind));
    m.insert("addressstreet1".into(), a.street1.clone().into());
    if let Some(s) = &a.street2 {
        m.insert("addressstreet2".into(), s.clone().into());
    }
    m.insert("addresscity".into(), a.city.clone().into());
    if let Some(abbrev) = &a.state_abbrev {
        let id = us_state_node_id(abbrev).unwrap_or("D41001099");
        let name = a.state_name.clone().unwrap_or_else(|| abbrev.clone());
        m.insert(
            "addressstate".into(),
            json!({ "id": id, "value": name, "abbrev": abbrev }),
        );
    }
    m.insert("addresszip".into(), a.zip.clone().into());
    let country_id = if a.country_abbrev == "US" {
        "D41001"
    } else {
        "D41099"
    };
    m.insert(
        "addresscountry".into(),
        json!({ "id": country_id, "value": a.country_name, "abbrev": a.country_abbrev }),
    );
    Value::Object(m)
}

fn phone(person_id: u64, index: usize, p: &Phone) -> Value {
    let type_id = match p.kind.as_str() {
        "Home" => "D83001",
        "Work" => "D83002",
        "Mobile" => "D83003",
        _ => "D83009",
    };
    json!({ "entry": person_id * 10 + index as u64, "phonetype": list_node(type_id, &p.kind), "phonenumber": p.number })
}

pub(crate) fn person(base: &str, world: &World, p: &Person) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("firstname".into(), p.firstname.clone().into());
    if let Some(v) = &p.middlename {
        m.insert("middlename".into(), v.clone().into());
    }
    m.insert("lastname".into(), p.lastname.clone().into());
    for (key, value) in [
        ("email", &p.email),
        ("hiredate", &p.hiredate),
        ("startdate", &p.startdate),
    ] {
        if let Some(v) = value {
            m.insert(key.into(), v.clone().into());
        }
    }
    if let Some(g) = &p.gender {
        m.insert(
            "gender".into(),
            list_node(assumptions::gender_node_id(g), g),
        );
    }
    if !p.addresses.is_empty() {
        let list = p
            .addresses
            .iter()
            .enumerate()
            .map(|(i, a)| address(p.id, i, a))
            .collect();
        m.insert("addresses".into(), Value::Array(list));
    }
    if !p.phones.is_empty() {
        let list = p
            .phones
            .iter()
            .enumerate()
            .map(|(i, ph)| phone(p.id, i, ph))
            .collect();
        m.insert("phones".into(), Value::Array(list));
    }
    for (key, value) in &p.custom_fields {
        m.insert(key.clone(), value.clone().into());
    }
    let hired = world
        .workflows
        .iter()
        .any(|w| w.person_id == p.id && w.status_id == crate::seed::HIRED.id);
    m.insert(
        "folder".into(),
        if hired {
            list_node("D32010", "Emp:New Hire")
        } else {
            list_node("D32006", "Cand:Unreviewed")
        },
    );
    m.insert("updateddate".into(), icims_datetime(p.updated_unix).into());
    m.insert(
        "links".into(),
        self_link(&format!("{base}/people/{}", p.id)),
    );
    // Raw overrides last: a malformed record on purpose (`Person::raw_overrides`).
    for (key, value) in &p.raw_overrides {
        m.insert(key.clone(), value.clone());
    }
    m
}

pub(crate) fn job(base: &str, j: &Job) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("jobid".into(), j.jobid.clone().into());
    m.insert("jobtitle".into(), j.jobtitle.clone().into());
    m.insert("folder".into(), list_node("D31001", "Approved"));
    m.insert("links".into(), self_link(&format!("{base}/jobs/{}", j.id)));
    m
}

/// Keeps the requested fields (all when `fields` is `None`) plus `links`. Returns the names
/// of requested fields that are not all lowercase (answered with warning 4, not served).
pub(crate) fn select(
    profile: Map<String, Value>,
    fields: Option<&[String]>,
) -> (Map<String, Value>, Vec<String>) {
    let Some(fields) = fields else {
        return (profile, Vec::new());
    };
    let bad_case: Vec<String> = fields
        .iter()
        .filter(|f| f.chars().any(char::is_uppercase))
        .cloned()
        .collect();
    let kept = profile
        .into_iter()
        .filter(|(k, _)| k == "links" || fields.iter().any(|f| f == k))
        .collect();
    (kept, bad_case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_format() {
        // 2024-01-14 23:00:30 UTC
        assert_eq!(icims_datetime(1_705_273_230), "2024-01-14 11:00 PM");
        assert_eq!(icims_datetime(1_705_222_800), "2024-01-14 09:00 AM");
    }

    #[test]
    fn select_fields() {
        let mut m = Map::new();
        m.insert("firstname".into(), "A".into());
        m.insert("email".into(), "a@x".into());
        m.insert("links".into(), json!([]));
        let (kept, warn) = select(m.clone(), Some(&["firstname".into(), "StartDate".into()]));
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["firstname", "links"]);
        assert_eq!(warn, ["StartDate"]);
        assert_eq!(select(m.clone(), None).0, m);
    }
}
