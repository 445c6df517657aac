//! The decision for each hire: pure, no I/O (std, serde and domain types only).
//!
//! Order of the checks for one hire (after merging a person's several hired jobs into one):
//! 1. a Namely profile carries `icims_id == person id` → [`Decision::AlreadyInNamely`];
//! 2. the start date (else hire date) is before the connection's start-from date →
//!    [`Decision::LeftOut`]: a past hire nobody asked for is never created;
//! 3. [`map_hire`] finds problems → [`Decision::Invalid`];
//! 4. the email belongs to a Namely profile (company or personal email) → [`Decision::NeedsReview`];
//! 5. a *possible match*: a profile without `icims_id` with the same first and last name
//!    (ignoring case, accents and extra spaces) and the same start date — someone HR typed
//!    by hand before the integration, under their company email → `NeedsReview`, unless a
//!    person chose "Create anyway" for this hire;
//! 6. an earlier hire of this run that will be created has the same email → `NeedsReview`,
//!    so one mailbox never gets two profiles;
//! 7. otherwise → [`Decision::Create`].

use crate::domain::{Decision, Hire, IcimsPersonId, IndexEntry};
use crate::mapping::{human_date, iso_date, map_hire, parse_calendar_date};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;
use unicode_normalization::UnicodeNormalization;

/// What a plan follows besides the hires and the index.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    /// Hires who started (else were hired) before this day are left out.
    pub start_from: Date,
    /// Hires a person reviewed and chose to create although a possible match exists (the
    /// email rule still holds).
    pub create_anyway: &'a BTreeSet<IcimsPersonId>,
}

/// Lookups over what the engine knows of Namely's profiles.
#[derive(Debug, Clone, Default)]
pub struct NamelyIndex {
    entries: Vec<IndexEntry>,
    /// Trimmed `icims_id` → positions in `entries`, ascending.
    by_icims_id: HashMap<String, Vec<usize>>,
    /// Trimmed, lowercased company or personal email → positions in `entries`, ascending.
    by_email: HashMap<String, Vec<usize>>,
    /// (folded first and last name, start date) of profiles without `icims_id` → positions.
    by_name_and_start: HashMap<(String, String), Vec<usize>>,
}

impl NamelyIndex {
    pub fn new(entries: &[IndexEntry]) -> Self {
        let mut index = NamelyIndex {
            entries: entries.to_vec(),
            ..NamelyIndex::default()
        };
        for (i, e) in entries.iter().enumerate() {
            if let Some(id) = non_empty(e.icims_id.as_deref()) {
                index.by_icims_id.entry(id.to_string()).or_default().push(i);
            }
            if non_empty(e.icims_id.as_deref()).is_none()
                && let Some(key) = name_key(
                    e.first_name.as_deref(),
                    e.last_name.as_deref(),
                    e.start_date.as_deref(),
                )
            {
                index.by_name_and_start.entry(key).or_default().push(i);
            }
            for email in [e.email.as_deref(), e.personal_email.as_deref()] {
                if let Some(email) = non_empty(email) {
                    let positions = index.by_email.entry(email.to_lowercase()).or_default();
                    if positions.last() != Some(&i) {
                        positions.push(i);
                    }
                }
            }
        }
        index
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every profile whose `icims_id` equals `icims_id` (both trimmed; exact otherwise).
    /// More than one means Namely already holds a duplicate.
    pub fn by_icims_id(&self, icims_id: &str) -> Vec<&IndexEntry> {
        self.lookup(&self.by_icims_id, icims_id.trim())
    }

    /// Every profile whose company or personal email equals `email`, ignoring case and
    /// surrounding whitespace.
    pub fn by_email(&self, email: &str) -> Vec<&IndexEntry> {
        self.lookup(&self.by_email, &email.trim().to_lowercase())
    }

    /// Profiles without `icims_id` with this first and last name (folded) and start date.
    pub fn possible_matches(&self, first: &str, last: &str, start: Date) -> Vec<&IndexEntry> {
        match name_key(Some(first), Some(last), Some(&iso_date(start))) {
            Some(key) => self
                .by_name_and_start
                .get(&key)
                .map(|positions| positions.iter().map(|&i| &self.entries[i]).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    fn lookup<'a>(&'a self, map: &HashMap<String, Vec<usize>>, key: &str) -> Vec<&'a IndexEntry> {
        map.get(key)
            .map(|positions| positions.iter().map(|&i| &self.entries[i]).collect())
            .unwrap_or_default()
    }
}

/// One hire and what the sync will do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedRecord {
    /// The hire, with a person's several hired workflows merged into one.
    pub hire: Hire,
    /// The decision, with the profile to create or the Namely profile it is about.
    pub decision: Decision,
    /// Plain words for history, e.g. "Will be added as Jane Doe (start 2 Dec 2026)".
    pub reason: String,
}

/// Decide, for every hire, exactly one of Create / AlreadyInNamely / LeftOut / NeedsReview /
/// Invalid. One record per iCIMS person, ordered by person id.
pub fn plan(hires: &[Hire], index: &NamelyIndex, rules: &Rules<'_>) -> Vec<PlannedRecord> {
    // Emails (lowercased) that this run will create a profile for, and whose they are.
    let mut claimed: HashMap<String, IcimsPersonId> = HashMap::new();
    merge_by_person(hires)
        .into_iter()
        .map(|hire| decide(hire, index, rules, &mut claimed))
        .collect()
}

/// A name as compared for a possible match: lowercased, accents removed, spaces collapsed.
fn fold(name: &str) -> String {
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn name_key(
    first: Option<&str>,
    last: Option<&str>,
    start: Option<&str>,
) -> Option<(String, String)> {
    let (first, last) = (fold(first?), fold(last?));
    let start = parse_calendar_date(start?.trim())?;
    (!first.is_empty() && !last.is_empty())
        .then(|| (format!("{first}\u{1f}{last}"), iso_date(start)))
}

/// The day a hire counts from: the start date, else the hire date (as `map_hire` does).
fn counts_from(hire: &Hire) -> Option<Date> {
    let start = non_empty(hire.start_date.as_deref()).and_then(parse_calendar_date);
    start.or_else(|| non_empty(hire.hire_date.as_deref()).and_then(parse_calendar_date))
}

/// One `Hire` per person id, ascending. Workflow ids are merged (sorted, deduplicated); the
/// first occurrence's data wins, with gaps filled from later ones.
fn merge_by_person(hires: &[Hire]) -> Vec<Hire> {
    let mut merged: BTreeMap<IcimsPersonId, Hire> = BTreeMap::new();
    for h in hires {
        match merged.get_mut(&h.person_id) {
            None => {
                merged.insert(h.person_id, h.clone());
            }
            Some(m) => {
                m.workflow_ids.extend_from_slice(&h.workflow_ids);
                fill(&mut m.first_name, &h.first_name);
                fill(&mut m.last_name, &h.last_name);
                fill(&mut m.email, &h.email);
                fill(&mut m.start_date, &h.start_date);
                fill(&mut m.hire_date, &h.hire_date);
                fill(&mut m.gender, &h.gender);
                fill(&mut m.home, &h.home);
                fill(&mut m.job_title, &h.job_title);
            }
        }
    }
    merged
        .into_values()
        .map(|mut h| {
            h.workflow_ids.sort_unstable();
            h.workflow_ids.dedup();
            h
        })
        .collect()
}

fn fill<T: Clone>(slot: &mut Option<T>, other: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(other);
    }
}

fn decide(
    hire: Hire,
    index: &NamelyIndex,
    rules: &Rules<'_>,
    claimed: &mut HashMap<String, IcimsPersonId>,
) -> PlannedRecord {
    let icims_id = hire.person_id.to_string();

    let carriers = index.by_icims_id(&icims_id);
    if let Some(&first) = carriers.first() {
        let mut reason = format!(
            "Already in Namely as {} (icims_id {icims_id}",
            name_of(first)
        );
        if !first.user_status.eq_ignore_ascii_case("active") && !first.user_status.is_empty() {
            reason.push_str(&format!(", {}", first.user_status.to_lowercase()));
        }
        if carriers.len() > 1 {
            reason.push_str(&format!(
                "; {} Namely profiles carry it — check for a duplicate",
                carriers.len()
            ));
        }
        reason.push(')');
        return record(hire, Decision::AlreadyInNamely(first.clone()), reason);
    }

    if let Some(day) = counts_from(&hire)
        && day < rules.start_from
    {
        let reason = format!(
            "Left out: started {}, before the start-from date {}",
            human_date(day),
            human_date(rules.start_from)
        );
        return record(hire, Decision::LeftOut, reason);
    }

    let draft = match map_hire(&hire) {
        Ok(d) => d,
        Err(problems) => {
            let words: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
            let reason = format!("Invalid: {}", words.join("; "));
            return record(hire, Decision::Invalid, reason);
        }
    };
    let email = draft.email.to_lowercase();

    if let Some(&owner) = index.by_email(&email).first() {
        let reason = format!(
            "Needs review: {email} already belongs to {}, {}",
            name_of(owner),
            whose(owner)
        );
        return record(hire, Decision::NeedsReview(Some(owner.clone())), reason);
    }

    if !rules.create_anyway.contains(&hire.person_id)
        && let Some(&maybe) = index
            .possible_matches(&draft.first_name, &draft.last_name, draft.start_date)
            .first()
    {
        let reason = format!(
            "Needs review: possibly already in Namely as {} ({}), same name and start date {}, \
             no icims_id — Link it, or Create anyway",
            name_of(maybe),
            maybe.email.as_deref().unwrap_or("no company email"),
            human_date(draft.start_date)
        );
        return record(hire, Decision::NeedsReview(Some(maybe.clone())), reason);
    }

    if let Some(first) = claimed.get(&email) {
        let reason = format!(
            "Needs review: same email as iCIMS person {first} in this run ({email}); only one profile is created per email"
        );
        return record(hire, Decision::NeedsReview(None), reason);
    }
    claimed.insert(email, hire.person_id);

    let reason = format!(
        "Will be added as {} (start {})",
        draft.display_name(),
        human_date(draft.start_date)
    );
    record(hire, Decision::Create(draft), reason)
}

fn record(hire: Hire, decision: Decision, reason: String) -> PlannedRecord {
    PlannedRecord {
        hire,
        decision,
        reason,
    }
}

/// "who has no icims_id" / "who has icims_id 12 (a different iCIMS person)".
pub(crate) fn whose(entry: &IndexEntry) -> String {
    match non_empty(entry.icims_id.as_deref()) {
        None => "who has no icims_id".to_string(),
        Some(other) => format!("who has icims_id {other} (a different iCIMS person)"),
    }
}

/// "Jane Doe", or the profile id when Namely gave no name.
pub(crate) fn name_of(e: &IndexEntry) -> String {
    match e.full_name.trim() {
        "" => format!("Namely profile {}", e.profile_id),
        name => name.to_string(),
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{HomeAddress, NamelyProfileId, OutcomeKind};

    fn hire(id: u64, first: &str, last: &str, email: &str) -> Hire {
        Hire {
            person_id: IcimsPersonId(id),
            workflow_ids: vec![id * 10],
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(email.into()),
            start_date: Some("2026-12-02".into()),
            hire_date: None,
            gender: None,
            home: None,
            job_title: None,
        }
    }

    fn profile(id: &str, name: &str, icims_id: Option<&str>, email: &str) -> IndexEntry {
        IndexEntry {
            profile_id: NamelyProfileId(id.into()),
            icims_id: icims_id.map(str::to_string),
            email: Some(email.into()),
            personal_email: None,
            full_name: name.into(),
            user_status: "active".into(),
            ..IndexEntry::default()
        }
    }

    static NOBODY: BTreeSet<IcimsPersonId> = BTreeSet::new();

    /// Rules that leave nobody out.
    fn open() -> Rules<'static> {
        Rules {
            start_from: time::macros::date!(2000 - 01 - 01),
            create_anyway: &NOBODY,
        }
    }

    fn namely() -> NamelyIndex {
        NamelyIndex::new(&[
            profile("p-jane", "Jane Doe", Some("9012"), "jane.doe@acme.com"),
            profile("p-jdd", "Jane D. Doe", None, "jane@acme.com"),
            profile("p-bob", "Bob Roe", Some(" 777 "), "bob@acme.com"),
            IndexEntry {
                personal_email: Some("Kim.Private@Mail.example".into()),
                ..profile("p-kim", "Kim Lee", Some(""), "kim@acme.com")
            },
            IndexEntry {
                user_status: "inactive".into(),
                ..profile("p-old", "Old Timer", Some("4242"), "old@acme.com")
            },
        ])
    }

    /// (case, hires, expected [(person id, decision, reason)])
    type Case = (
        &'static str,
        Vec<Hire>,
        Vec<(u64, OutcomeKind, &'static str)>,
    );

    fn cases() -> Vec<Case> {
        // What each decision records when nothing is written.
        use OutcomeKind::{AlreadyInNamely, Invalid, NeedsReview, WouldCreate as Create};
        vec![
            (
                "new hire is created, date in words",
                vec![hire(1, "Ann", "Able", "ann@acme.com")],
                vec![(1, Create, "Will be added as Ann Able (start 2 Dec 2026)")],
            ),
            (
                "icims_id match wins even when the hire's data is invalid",
                vec![Hire {
                    email: None,
                    ..hire(9012, "Jane", "Doe", "")
                }],
                vec![(
                    9012,
                    AlreadyInNamely,
                    "Already in Namely as Jane Doe (icims_id 9012)",
                )],
            ),
            (
                "icims_id in Namely is trimmed",
                vec![hire(777, "Bob", "Roe", "bob@acme.com")],
                vec![(
                    777,
                    AlreadyInNamely,
                    "Already in Namely as Bob Roe (icims_id 777)",
                )],
            ),
            (
                "inactive profile still counts as already in Namely",
                vec![hire(4242, "Old", "Timer", "old@acme.com")],
                vec![(
                    4242,
                    AlreadyInNamely,
                    "Already in Namely as Old Timer (icims_id 4242, inactive)",
                )],
            ),
            (
                "missing email is invalid",
                vec![Hire {
                    email: None,
                    ..hire(2, "Ann", "Able", "")
                }],
                vec![(
                    2,
                    Invalid,
                    "Invalid: no email in iCIMS — add one to the candidate",
                )],
            ),
            (
                "several problems joined",
                vec![Hire {
                    last_name: Some(" ".into()),
                    start_date: None,
                    ..hire(3, "Ann", "", "ann@acme.com")
                }],
                vec![(
                    3,
                    Invalid,
                    "Invalid: no last name in iCIMS — add one to the candidate; no start date or hire date in iCIMS — add a start date to the candidate",
                )],
            ),
            (
                "invalid start date",
                vec![Hire {
                    start_date: Some("2026-02-30".into()),
                    ..hire(4, "Ann", "Able", "ann@acme.com")
                }],
                vec![(
                    4,
                    Invalid,
                    "Invalid: the start date \"2026-02-30\" in iCIMS is not a real date (YYYY-MM-DD) — correct it on the candidate",
                )],
            ),
            (
                "missing start date falls back to hire date",
                vec![Hire {
                    start_date: None,
                    hire_date: Some("2027-01-15".into()),
                    ..hire(5, "Ann", "Able", "ann@acme.com")
                }],
                vec![(5, Create, "Will be added as Ann Able (start 15 Jan 2027)")],
            ),
            (
                "email of a profile without icims_id, case and whitespace ignored",
                vec![hire(6, "Jane", "Doe", "  JANE@Acme.com ")],
                vec![(
                    6,
                    NeedsReview,
                    "Needs review: jane@acme.com already belongs to Jane D. Doe, who has no icims_id",
                )],
            ),
            (
                "email of a profile with a different icims_id",
                vec![hire(8, "Robert", "Roe", "Bob@acme.com")],
                vec![(
                    8,
                    NeedsReview,
                    "Needs review: bob@acme.com already belongs to Bob Roe, who has icims_id 777 (a different iCIMS person)",
                )],
            ),
            (
                "personal email matches too; blank icims_id counts as none",
                vec![hire(9, "Kim", "Lee", "kim.private@mail.example")],
                vec![(
                    9,
                    NeedsReview,
                    "Needs review: kim.private@mail.example already belongs to Kim Lee, who has no icims_id",
                )],
            ),
            (
                "non-ASCII names",
                vec![hire(10, " Zoë ", "Østergård-Núñez", "zoe@acme.com")],
                vec![(
                    10,
                    Create,
                    "Will be added as Zoë Østergård-Núñez (start 2 Dec 2026)",
                )],
            ),
            (
                "two hires, one mailbox: the lower person id is created, the other reviewed",
                vec![
                    hire(21, "Sam", "Two", "Sam@acme.com"),
                    hire(20, "Sam", "One", "sam@acme.com"),
                    hire(22, "Sam", "Three", " SAM@ACME.COM"),
                ],
                vec![
                    (20, Create, "Will be added as Sam One (start 2 Dec 2026)"),
                    (
                        21,
                        NeedsReview,
                        "Needs review: same email as iCIMS person 20 in this run (sam@acme.com); only one profile is created per email",
                    ),
                    (
                        22,
                        NeedsReview,
                        "Needs review: same email as iCIMS person 20 in this run (sam@acme.com); only one profile is created per email",
                    ),
                ],
            ),
            (
                "an invalid hire does not claim its email",
                vec![
                    Hire {
                        start_date: None,
                        ..hire(30, "Pat", "Old", "pat@acme.com")
                    },
                    hire(31, "Pat", "New", "pat@acme.com"),
                ],
                vec![
                    (
                        30,
                        Invalid,
                        "Invalid: no start date or hire date in iCIMS — add a start date to the candidate",
                    ),
                    (31, Create, "Will be added as Pat New (start 2 Dec 2026)"),
                ],
            ),
            (
                "output ordered by person id",
                vec![
                    hire(43, "C", "C", "c@acme.com"),
                    hire(41, "A", "A", "a@acme.com"),
                    hire(42, "B", "B", "b@acme.com"),
                ],
                vec![
                    (41, Create, "Will be added as A A (start 2 Dec 2026)"),
                    (42, Create, "Will be added as B B (start 2 Dec 2026)"),
                    (43, Create, "Will be added as C C (start 2 Dec 2026)"),
                ],
            ),
            ("no hires, no records", vec![], vec![]),
        ]
    }

    #[test]
    fn decision_table() {
        let index = namely();
        for (case, hires, want) in cases() {
            let got: Vec<_> = plan(&hires, &index, &open())
                .into_iter()
                .map(|r| (r.hire.person_id.0, r.decision.planned_outcome(), r.reason))
                .collect();
            let want: Vec<_> = want
                .into_iter()
                .map(|(id, d, r)| (id, d, r.to_string()))
                .collect();
            assert_eq!(got, want, "case: {case}");
        }
    }

    #[test]
    fn drafts_and_existing_profiles_are_attached() {
        let index = namely();
        let records = plan(
            &[
                hire(1, "Ann", "Able", "ann@acme.com"),
                hire(6, "Jane", "Doe", "jane@acme.com"),
                hire(9012, "Jane", "Doe", "jane.doe@acme.com"),
                Hire {
                    email: None,
                    ..hire(2, "No", "Mail", "")
                },
            ],
            &index,
            &open(),
        );
        let by_id = |id: u64| records.iter().find(|r| r.hire.person_id.0 == id).unwrap();

        match &by_id(1).decision {
            Decision::Create(draft) => {
                assert_eq!(draft.icims_id, "1");
                assert_eq!(draft.user_status, "active");
                assert_eq!(draft.start_date, time::macros::date!(2026 - 12 - 02));
            }
            other => panic!("{other:?}"),
        }
        match &by_id(6).decision {
            Decision::NeedsReview(Some(existing)) => assert_eq!(existing.profile_id.0, "p-jdd"),
            other => panic!("{other:?}"),
        }
        match &by_id(9012).decision {
            Decision::AlreadyInNamely(existing) => assert_eq!(existing.profile_id.0, "p-jane"),
            other => panic!("{other:?}"),
        }
        assert_eq!(by_id(2).decision, Decision::Invalid);
        assert_eq!(by_id(2).decision.existing(), None);
    }

    #[test]
    fn a_person_hired_on_two_jobs_is_one_record() {
        let first = Hire {
            workflow_ids: vec![501],
            job_title: Some("Engineer".into()),
            gender: None,
            ..hire(50, "Dana", "Two-Jobs", "dana@acme.com")
        };
        let second = Hire {
            workflow_ids: vec![499, 501],
            job_title: Some("Manager".into()),
            gender: Some("Female".into()),
            home: Some(HomeAddress {
                city: Some("Boston".into()),
                ..HomeAddress::default()
            }),
            ..hire(50, "Dana", "Two-Jobs", "dana@acme.com")
        };
        let records = plan(
            &[first.clone(), second, first],
            &NamelyIndex::default(),
            &open(),
        );
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.hire.workflow_ids, [499, 501]);
        assert_eq!(r.hire.job_title.as_deref(), Some("Engineer"), "first wins");
        assert_eq!(r.hire.gender.as_deref(), Some("Female"), "gap filled");
        let Decision::Create(draft) = &r.decision else {
            panic!("{:?}", r.decision);
        };
        assert_eq!(
            draft.home.as_ref().and_then(|h| h.city.as_deref()),
            Some("Boston")
        );
    }

    #[test]
    fn duplicate_icims_id_in_namely_is_flagged_in_words() {
        let index = NamelyIndex::new(&[
            profile("p-1", "Lee Twin", Some("60"), "lee@acme.com"),
            profile("p-2", "", Some("60"), "lee2@acme.com"),
        ]);
        let r = &plan(&[hire(60, "Lee", "Twin", "lee@acme.com")], &index, &open())[0];
        assert_eq!(r.decision.existing().unwrap().profile_id.0, "p-1");
        assert_eq!(
            r.reason,
            "Already in Namely as Lee Twin (icims_id 60; 2 Namely profiles carry it — check for a duplicate)"
        );
        assert_eq!(index.by_icims_id("60")[1].profile_id.0, "p-2");
    }

    #[test]
    fn index_lookups() {
        let index = namely();
        assert_eq!(index.len(), 5);
        assert!(!index.is_empty());
        assert_eq!(index.by_icims_id(" 9012 ")[0].profile_id.0, "p-jane");
        assert_eq!(index.by_icims_id("777")[0].profile_id.0, "p-bob");
        assert!(index.by_icims_id("09012").is_empty(), "exact, not numeric");
        assert!(
            index.by_icims_id("").is_empty(),
            "blank ids are not indexed"
        );
        assert_eq!(index.by_email("KIM@acme.com")[0].profile_id.0, "p-kim");
        assert_eq!(
            index.by_email("kim.private@mail.EXAMPLE")[0].profile_id.0,
            "p-kim"
        );
        assert!(index.by_email("nobody@acme.com").is_empty());
        // Company and personal email the same: the profile is listed once.
        let same = NamelyIndex::new(&[IndexEntry {
            personal_email: Some("x@acme.com".into()),
            ..profile("p-x", "X", None, "X@acme.com")
        }]);
        assert_eq!(same.by_email("x@acme.com").len(), 1);
    }

    #[test]
    fn reason_names_the_profile_when_it_has_no_name() {
        let index = NamelyIndex::new(&[profile("p-anon", " ", None, "anon@acme.com")]);
        let r = &plan(&[hire(70, "A", "Non", "anon@acme.com")], &index, &open())[0];
        assert_eq!(
            r.reason,
            "Needs review: anon@acme.com already belongs to Namely profile p-anon, who has no icims_id"
        );
    }
}
