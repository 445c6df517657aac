//! The decision table of `plan`, case by case.
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

#[test]
fn started_before_the_start_from_date_is_left_out() {
    let early = Hire {
        start_date: Some("2026-10-31".into()),
        ..hire(1, "Early", "Bird", "early@acme.com")
    };
    let hire_date_only = Hire {
        start_date: None,
        hire_date: Some("2026-10-01".into()),
        ..hire(2, "Hired", "Long Ago", "long.ago@acme.com")
    };
    // Already in Namely wins: a person synced earlier is not "left out".
    let synced = Hire {
        start_date: Some("2020-01-01".into()),
        ..hire(9012, "Jane", "Doe", "jane.doe@acme.com")
    };
    let on_the_day = Hire {
        start_date: Some("2026-11-01".into()),
        ..hire(3, "On", "Time", "on.time@acme.com")
    };
    let none = BTreeSet::new();
    let rules = Rules {
        start_from: time::macros::date!(2026 - 11 - 01),
        create_anyway: &none,
    };
    let got: Vec<_> = plan(
        &[early, hire_date_only, synced, on_the_day],
        &namely(),
        &rules,
    )
    .into_iter()
    .map(|r| (r.hire.person_id.0, r.decision.planned_outcome(), r.reason))
    .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                OutcomeKind::LeftOut,
                "Left out: started 31 Oct 2026, before the start-from date 1 Nov 2026".into()
            ),
            (
                2,
                OutcomeKind::LeftOut,
                "Left out: started 1 Oct 2026, before the start-from date 1 Nov 2026".into()
            ),
            (
                3,
                OutcomeKind::WouldCreate,
                "Will be added as On Time (start 1 Nov 2026)".into()
            ),
            (
                9012,
                OutcomeKind::AlreadyInNamely,
                "Already in Namely as Jane Doe (icims_id 9012)".into()
            ),
        ]
    );
}

#[test]
fn a_hand_made_profile_with_the_same_name_and_start_is_a_possible_match() {
    let hand_made = IndexEntry {
        profile_id: NamelyProfileId("p-hand".into()),
        email: Some("jose.alvarez@acme-corp.example".into()),
        full_name: "Jose Alvarez".into(),
        user_status: "active".into(),
        first_name: Some("jose".into()),
        last_name: Some("  Álvarez ".into()),
        start_date: Some("2026-12-02".into()),
        ..IndexEntry::default()
    };
    // Same name and start, but already another hire's: not a possible match.
    let synced = IndexEntry {
        profile_id: NamelyProfileId("p-synced".into()),
        icims_id: Some("77".into()),
        first_name: Some("Ann".into()),
        last_name: Some("Lee".into()),
        start_date: Some("2026-12-02".into()),
        full_name: "Ann Lee".into(),
        ..IndexEntry::default()
    };
    let index = NamelyIndex::new(&[hand_made, synced]);
    let hires = [
        hire(1, "José", "Alvarez", "jose@personal.example"),
        Hire {
            start_date: Some("2026-12-03".into()),
            ..hire(2, "José", "Alvarez", "jose2@personal.example")
        },
        hire(3, "Ann", "Lee", "ann@personal.example"),
    ];
    let none = BTreeSet::new();
    let rules = |anyway| Rules {
        start_from: time::macros::date!(2026 - 01 - 01),
        create_anyway: anyway,
    };
    let got = plan(&hires, &index, &rules(&none));
    assert_eq!(got[0].decision.planned_outcome(), OutcomeKind::NeedsReview);
    assert_eq!(
        got[0].reason,
        "Needs review: possibly already in Namely as Jose Alvarez \
         (jose.alvarez@acme-corp.example), same name and start date 2 Dec 2026, no icims_id — \
         Link it, or Create anyway"
    );
    assert_eq!(
        got[0].decision.existing().map(|e| e.profile_id.0.as_str()),
        Some("p-hand")
    );
    assert_eq!(
        got[1].decision.planned_outcome(),
        OutcomeKind::WouldCreate,
        "another start"
    );
    assert_eq!(
        got[2].decision.planned_outcome(),
        OutcomeKind::WouldCreate,
        "{}",
        got[2].reason
    );

    // Reviewed: "Create anyway".
    let anyway: BTreeSet<IcimsPersonId> = [IcimsPersonId(1)].into();
    let got = plan(&hires, &index, &rules(&anyway));
    assert_eq!(got[0].decision.planned_outcome(), OutcomeKind::WouldCreate);
}
