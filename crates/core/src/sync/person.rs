//! An iCIMS person as the engine's [`Hire`]: where the vendor's words (person, address types,
//! list values) become the engine's, and nothing else.

use crate::domain::{Hire, HomeAddress, IcimsPersonId};
use icims::PersonId;

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// An iCIMS person as a domain hire (workflows and job title are filled in by the caller).
pub(crate) fn hire_from_person(id: PersonId, p: &icims::Person) -> Hire {
    let home = p.address_of_type("Home").map(|a| HomeAddress {
        address1: text(&a.addressstreet1),
        address2: text(&a.addressstreet2),
        city: text(&a.addresscity),
        state_id: a.addressstate.as_ref().and_then(|s| text(&s.abbrev)),
        country_id: a.addresscountry.as_ref().and_then(|c| text(&c.abbrev)),
        zip: text(&a.addresszip),
    });
    Hire {
        person_id: IcimsPersonId(id.0),
        workflow_ids: Vec::new(),
        first_name: text(&p.firstname),
        last_name: text(&p.lastname),
        email: text(&p.email),
        start_date: text(&p.startdate),
        hire_date: text(&p.hiredate),
        gender: p
            .gender
            .as_ref()
            .and_then(|g| g.text())
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_string),
        home,
        job_title: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_becomes_hire_with_home_address_only() {
        let person: icims::Person = serde_json::from_value(serde_json::json!({
            "firstname": " Jane ", "lastname": "Doe", "email": "jane@example.com",
            "hiredate": "2026-11-20", "startdate": "2026-12-02",
            "gender": {"id": "D10402", "value": "Female", "formattedvalue": "Female"},
            "addresses": [
                {"addresstype": {"value": "Work"}, "addressstreet1": "1 Office Rd",
                 "addresscity": "Elsewhere", "addresszip": "99999",
                 "addresscountry": {"abbrev": "US"}},
                {"addresstype": {"value": "Home"}, "addressstreet1": "123 Abc St",
                 "addressstreet2": "", "addresscity": "New York",
                 "addressstate": {"id": "D41001035", "value": "New York", "abbrev": "NY"},
                 "addresszip": "10001",
                 "addresscountry": {"id": "D41001", "value": "United States", "abbrev": "US"}}
            ],
            "rcf1234": "LinkedIn"
        }))
        .unwrap();
        let hire = hire_from_person(PersonId(9012), &person);
        assert_eq!(hire.person_id, IcimsPersonId(9012));
        assert_eq!(hire.first_name.as_deref(), Some("Jane"));
        assert_eq!(hire.start_date.as_deref(), Some("2026-12-02"));
        assert_eq!(hire.hire_date.as_deref(), Some("2026-11-20"));
        assert_eq!(hire.gender.as_deref(), Some("Female"));
        assert_eq!(
            hire.home,
            Some(HomeAddress {
                address1: Some("123 Abc St".into()),
                address2: None,
                city: Some("New York".into()),
                state_id: Some("NY".into()),
                country_id: Some("US".into()),
                zip: Some("10001".into()),
            })
        );
    }

    #[test]
    fn person_without_home_or_gender() {
        let person: icims::Person = serde_json::from_value(serde_json::json!({
            "firstname": "Al", "gender": "  ",
            "addresses": [{"addresstype": {"value": "Work"}, "addresscity": "X"}]
        }))
        .unwrap();
        let hire = hire_from_person(PersonId(1), &person);
        assert_eq!(hire.home, None);
        assert_eq!(hire.gender, None);
        assert_eq!(hire.last_name, None);
    }
}
