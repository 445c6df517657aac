//! Hire → Namely profile draft. Pure: std, serde and domain types only, no I/O.
//!
//! What is sent, and nothing more (`docs/icims-api.md` §9, `docs/namely-api.md` §11.2):
//!
//! | Namely          | from the hire                                   |
//! |-----------------|-------------------------------------------------|
//! | `first_name`    | first name, trimmed, a plain line — required    |
//! | `last_name`     | last name, trimmed, a plain line — required     |
//! | `email`         | email, trimmed, plausible shape — required      |
//! | `user_status`   | always `"active"`                               |
//! | `start_date`    | start date, else hire date; a real `YYYY-MM-DD` |
//! | `gender`        | `"Male"` / `"Female"` only                      |
//! | `home`          | home address, empty parts dropped, codes upper  |
//! | `icims_id`      | the iCIMS person id, decimal                    |
//!
//! Job title, phones, salary and custom fields are never carried.
//!
//! A name is "a plain line" when it holds no control character (a line break, a tab, a bell)
//! and is at most [`MAX_NAME_CHARS`] characters long. Every problem quotes what iCIMS holds
//! through [`quoted`]: control characters escaped, cut to a sentence with its length said.

use crate::domain::{Hire, HomeAddress, ProfileDraft};
use crate::quote::quoted;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// The field a [`Problem`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemField {
    FirstName,
    LastName,
    Email,
    StartDate,
}

/// Why a hire cannot be sent to Namely: which field, in plain words, with the fix.
///
/// `message` reads well after "Invalid: ", e.g. "no email in iCIMS — add one to the candidate".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub field: ProblemField,
    pub message: String,
}

impl Problem {
    fn new(field: ProblemField, message: impl Into<String>) -> Self {
        Problem {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The longest first or last name sent to Namely, in characters. Namely documents no limit
/// (`docs/namely-api.md` §6); 255 is the usual limit of a text column, and no real name comes
/// near it, so a longer one is a paste gone wrong rather than a name. Unverified.
pub const MAX_NAME_CHARS: usize = 255;

/// The longest email sent to Namely, in characters: the most an address can be (RFC 5321).
pub const MAX_EMAIL_CHARS: usize = 254;

/// Map one hire to the profile Namely should get, or every problem that prevents it (all of
/// them at once, so the candidate can be fixed in one go).
pub fn map_hire(hire: &Hire) -> Result<ProfileDraft, Vec<Problem>> {
    let mut problems = Vec::new();

    let first_name = name(
        hire.first_name.as_deref(),
        ProblemField::FirstName,
        "first name",
        &mut problems,
    );
    let last_name = name(
        hire.last_name.as_deref(),
        ProblemField::LastName,
        "last name",
        &mut problems,
    );

    let email = match non_empty(hire.email.as_deref()) {
        None => {
            problems.push(Problem::new(
                ProblemField::Email,
                "no email in iCIMS — add one to the candidate",
            ));
            None
        }
        Some(e) if e.chars().count() > MAX_EMAIL_CHARS => {
            problems.push(Problem::new(
                ProblemField::Email,
                format!(
                    "the email {} in iCIMS is longer than an address can be ({MAX_EMAIL_CHARS} \
                     characters) — correct it on the candidate",
                    quoted(e)
                ),
            ));
            None
        }
        Some(e) if !is_plausible_email(e) => {
            problems.push(Problem::new(
                ProblemField::Email,
                format!(
                    "the email {} in iCIMS is not a valid address — correct it on the candidate",
                    quoted(e)
                ),
            ));
            None
        }
        Some(e) => Some(e),
    };

    let start_date = match (
        non_empty(hire.start_date.as_deref()),
        non_empty(hire.hire_date.as_deref()),
    ) {
        (Some(start), _) => match parse_calendar_date(start) {
            Some(d) => Some(d),
            None => {
                problems.push(Problem::new(
                    ProblemField::StartDate,
                    format!(
                        "the start date {} in iCIMS is not a real date (YYYY-MM-DD) — correct it on the candidate",
                        quoted(start)
                    ),
                ));
                None
            }
        },
        (None, Some(hired)) => match parse_calendar_date(hired) {
            Some(d) => Some(d),
            None => {
                problems.push(Problem::new(
                    ProblemField::StartDate,
                    format!(
                        "no start date in iCIMS, and the hire date {} is not a real date (YYYY-MM-DD) — add a start date to the candidate",
                        quoted(hired)
                    ),
                ));
                None
            }
        },
        (None, None) => {
            problems.push(Problem::new(
                ProblemField::StartDate,
                "no start date or hire date in iCIMS — add a start date to the candidate",
            ));
            None
        }
    };

    match (first_name, last_name, email, start_date) {
        (Some(first_name), Some(last_name), Some(email), Some(start_date))
            if problems.is_empty() =>
        {
            Ok(ProfileDraft {
                first_name: first_name.to_string(),
                last_name: last_name.to_string(),
                email: email.to_string(),
                user_status: ProfileDraft::ACTIVE.to_string(),
                start_date,
                gender: map_gender(hire.gender.as_deref()),
                home: hire.home.as_ref().and_then(map_home),
                icims_id: hire.person_id.to_string(),
            })
        }
        _ => Err(problems),
    }
}

/// A first or last name fit to send: trimmed, present, a plain line of at most
/// [`MAX_NAME_CHARS`] characters; otherwise `None` and the problem noted.
fn name<'a>(
    value: Option<&'a str>,
    field: ProblemField,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a str> {
    let message = match non_empty(value) {
        None => format!("no {what} in iCIMS — add one to the candidate"),
        Some(n) if n.chars().count() > MAX_NAME_CHARS => format!(
            "the {what} {} in iCIMS is longer than the {MAX_NAME_CHARS} characters a name may \
             have — correct it on the candidate",
            quoted(n)
        ),
        Some(n) if n.chars().any(char::is_control) => format!(
            "the {what} {} in iCIMS contains a control character (such as a line break or a \
             tab) — correct it on the candidate",
            quoted(n)
        ),
        Some(n) => return Some(n),
    };
    problems.push(Problem::new(field, message));
    None
}

/// Trimmed, or `None` when absent or blank.
fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// One '@' with something before it, a dot inside the domain (not at its ends, no empty
/// labels), and no whitespace or control character anywhere. A shape check, not RFC 5322.
pub fn is_plausible_email(email: &str) -> bool {
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) || email.matches('@').count() != 1
    {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.contains('.') && domain.split('.').all(|label| !label.is_empty())
}

/// Namely knows "Male", "Female" (and "Not specified", which is its default); iCIMS values such
/// as "Decline to State" are not sent.
fn map_gender(gender: Option<&str>) -> Option<String> {
    let g = non_empty(gender)?;
    ["Male", "Female"]
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(g))
        .map(str::to_string)
}

fn map_home(home: &HomeAddress) -> Option<HomeAddress> {
    let part = |s: &Option<String>| non_empty(s.as_deref()).map(str::to_string);
    let code = |s: &Option<String>| non_empty(s.as_deref()).map(str::to_uppercase);
    let mapped = HomeAddress {
        address1: part(&home.address1),
        address2: part(&home.address2),
        city: part(&home.city),
        state_id: code(&home.state_id),
        country_id: code(&home.country_id),
        zip: part(&home.zip),
    };
    (mapped != HomeAddress::default()).then_some(mapped)
}

/// A real calendar date from `YYYY-MM-DD`, exactly (years 1900–2199; anything outside is a
/// typo in iCIMS). `None` for anything else, `2026-02-30` included.
pub fn parse_calendar_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        b[r].iter().try_fold(0u16, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
        })
    };
    let year = num(0..4)?;
    let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let day = u8::try_from(num(8..10)?).ok()?;
    if !(1900..=2199).contains(&year) {
        return None;
    }
    Date::from_calendar_date(i32::from(year), month, day).ok()
}

/// `2026-12-02`: how the store and the command line write a date.
pub fn iso_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// "2 Dec 2026": how history shows a date.
pub fn human_date(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[usize::from(u8::from(date.month()) - 1)],
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::IcimsPersonId;

    fn hire() -> Hire {
        Hire {
            person_id: IcimsPersonId(9012),
            workflow_ids: vec![1],
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            email: Some("jane@acme.com".into()),
            start_date: Some("2026-12-02".into()),
            hire_date: Some("2026-11-20".into()),
            gender: Some("Female".into()),
            home: None,
            job_title: Some("Engineer".into()),
        }
    }

    fn problems(h: &Hire) -> Vec<String> {
        map_hire(h)
            .expect_err("expected problems")
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn complete_hire_maps_to_an_active_profile() {
        let d = map_hire(&hire()).unwrap();
        assert_eq!(
            d,
            ProfileDraft {
                first_name: "Jane".into(),
                last_name: "Doe".into(),
                email: "jane@acme.com".into(),
                user_status: "active".into(),
                start_date: time::macros::date!(2026 - 12 - 02),
                gender: Some("Female".into()),
                home: None,
                icims_id: "9012".into(),
            }
        );
        // Nothing beyond the agreed keys is serialized (no job title, phone, salary).
        let json = serde_json::to_value(&d).unwrap();
        let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "email",
                "first_name",
                "gender",
                "home",
                "icims_id",
                "last_name",
                "start_date",
                "user_status"
            ]
        );
    }

    #[test]
    fn names_and_email_are_trimmed_and_non_ascii_kept() {
        let mut h = hire();
        h.first_name = Some("  Zoë ".into());
        h.last_name = Some("\tØstergård-Núñez ".into());
        h.email = Some("  zoe@acme.com\n".into());
        let d = map_hire(&h).unwrap();
        assert_eq!(d.first_name, "Zoë");
        assert_eq!(d.last_name, "Østergård-Núñez");
        assert_eq!(d.email, "zoe@acme.com");
    }

    #[test]
    fn missing_fields_are_each_named_with_a_fix() {
        let h = Hire {
            first_name: Some("   ".into()),
            last_name: None,
            email: Some(String::new()),
            start_date: None,
            hire_date: None,
            ..hire()
        };
        assert_eq!(
            problems(&h),
            [
                "no first name in iCIMS — add one to the candidate",
                "no last name in iCIMS — add one to the candidate",
                "no email in iCIMS — add one to the candidate",
                "no start date or hire date in iCIMS — add a start date to the candidate",
            ]
        );
        let fields: Vec<_> = map_hire(&h)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [
                ProblemField::FirstName,
                ProblemField::LastName,
                ProblemField::Email,
                ProblemField::StartDate
            ]
        );
    }

    #[test]
    fn email_shape() {
        for ok in [
            "a@b.co",
            "jane.doe+x@mail.acme.com",
            "JANE@ACME.COM",
            "zoë@bücher.de",
        ] {
            assert!(is_plausible_email(ok), "{ok}");
        }
        for bad in [
            "jane",
            "jane@acme",
            "@acme.com",
            "jane@@acme.com",
            "jane@x@acme.com",
            "jane doe@acme.com",
            "jane@acme .com",
            "jane@.acme.com",
            "jane@acme.com.",
            "jane@acme..com",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
        let mut h = hire();
        h.email = Some(" jane@acme ".into());
        assert_eq!(
            problems(&h),
            [
                "the email \"jane@acme\" in iCIMS is not a valid address — correct it on the candidate"
            ]
        );
    }

    #[test]
    fn names_must_be_plain_lines_of_reasonable_length() {
        let mut h = hire();
        h.first_name = Some("Ann\nMarie".into());
        h.last_name = Some("Lee\u{7}".into());
        assert_eq!(
            problems(&h),
            [
                "the first name \"Ann\\nMarie\" in iCIMS contains a control character (such as a \
                 line break or a tab) — correct it on the candidate",
                "the last name \"Lee\\u{7}\" in iCIMS contains a control character (such as a \
                 line break or a tab) — correct it on the candidate",
            ]
        );
        h.first_name = Some("A".repeat(10_000));
        h.last_name = Some("B".repeat(MAX_NAME_CHARS));
        let found = problems(&h);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with(&format!(
                "the first name \"{}…\" (10000 characters)",
                "A".repeat(40)
            )),
            "{found:?}"
        );
        assert!(found[0].chars().count() < 200, "{found:?}");
        h.first_name = Some("Zoë Ærøskøbing-Ñúñez O'Brien".into());
        assert!(map_hire(&h).is_ok());
    }

    #[test]
    fn emails_with_control_characters_or_too_long_are_problems() {
        let mut h = hire();
        h.email = Some("jane\u{0}@acme.com".into());
        assert_eq!(
            problems(&h),
            [
                "the email \"jane\\0@acme.com\" in iCIMS is not a valid address — correct it on the candidate"
            ]
        );
        h.email = Some(format!("{}@acme.com", "j".repeat(300)));
        let found = problems(&h);
        assert!(
            found[0].contains("(309 characters) in iCIMS is longer than an address can be"),
            "{found:?}"
        );
    }

    #[test]
    fn start_date_falls_back_to_hire_date() {
        let mut h = hire();
        h.start_date = Some("  ".into());
        assert_eq!(
            map_hire(&h).unwrap().start_date,
            time::macros::date!(2026 - 11 - 20)
        );
        h.start_date = None;
        assert_eq!(
            map_hire(&h).unwrap().start_date,
            time::macros::date!(2026 - 11 - 20)
        );
    }

    #[test]
    fn invalid_dates_are_problems_not_fallbacks() {
        let mut h = hire();
        h.start_date = Some("2026-02-30".into());
        assert_eq!(
            problems(&h),
            [
                "the start date \"2026-02-30\" in iCIMS is not a real date (YYYY-MM-DD) — correct it on the candidate"
            ]
        );
        h.start_date = None;
        h.hire_date = Some("11/20/2026".into());
        assert_eq!(
            problems(&h),
            [
                "no start date in iCIMS, and the hire date \"11/20/2026\" is not a real date (YYYY-MM-DD) — add a start date to the candidate"
            ]
        );
    }

    #[test]
    fn calendar_dates() {
        for ok in ["2024-02-29", "2000-02-29", "2026-12-31", "1900-01-01"] {
            assert_eq!(parse_calendar_date(ok).unwrap().to_string(), ok);
        }
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-12-00",
            "2026-1-05",
            "2026/12/02",
            "26-12-02",
            "2026-12-02T00:00:00",
            "+026-12-02",
            "2026-+1-02",
            "0026-12-02",
            "٢٠٢٦-١٢-٠٢",
            "",
        ] {
            assert_eq!(parse_calendar_date(bad), None, "{bad}");
        }
        assert_eq!(
            human_date(parse_calendar_date("2026-12-02").unwrap()),
            "2 Dec 2026"
        );
        assert_eq!(
            human_date(parse_calendar_date("2027-01-15").unwrap()),
            "15 Jan 2027"
        );
    }

    #[test]
    fn gender_only_male_or_female() {
        let cases = [
            (Some("Female"), Some("Female")),
            (Some("Male"), Some("Male")),
            (Some(" male "), Some("Male")),
            (Some("FEMALE"), Some("Female")),
            (Some("Decline to State"), None),
            (Some("Non-binary"), None),
            (Some(""), None),
            (None, None),
        ];
        for (given, want) in cases {
            let mut h = hire();
            h.gender = given.map(str::to_string);
            assert_eq!(map_hire(&h).unwrap().gender.as_deref(), want, "{given:?}");
        }
    }

    #[test]
    fn home_address_drops_empty_parts_and_uppercases_codes() {
        let mut h = hire();
        h.home = Some(HomeAddress {
            address1: Some(" 195 Broadway ".into()),
            address2: Some("  ".into()),
            city: Some("New York".into()),
            state_id: Some("ny".into()),
            country_id: Some(" us".into()),
            zip: Some("10007".into()),
        });
        assert_eq!(
            map_hire(&h).unwrap().home,
            Some(HomeAddress {
                address1: Some("195 Broadway".into()),
                address2: None,
                city: Some("New York".into()),
                state_id: Some("NY".into()),
                country_id: Some("US".into()),
                zip: Some("10007".into()),
            })
        );
        h.home = Some(HomeAddress {
            address1: Some(" ".into()),
            ..HomeAddress::default()
        });
        assert_eq!(map_hire(&h).unwrap().home, None);
        h.home = None;
        assert_eq!(map_hire(&h).unwrap().home, None);
    }
}
