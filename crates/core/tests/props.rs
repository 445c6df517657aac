//! Property tests of every parser of the engine that reads outside data: connection names,
//! schedules, start-from and iCIMS dates, hires as iCIMS holds them, the secret names and the
//! secrets folder's file names, webhook addresses, the words stored in the database, and the
//! CSV export read back with a real CSV reader.
//!
//! - Arbitrary text never panics, and every refusal is a short message (under 300
//!   characters) with no raw control character in it.
//! - What is accepted prints and parses back to itself.
//!
//! Cases per property: `PROPTEST_CASES`, else 256.

use icims_namely_core::alerts::Webhook;
use icims_namely_core::connection::{ConnectionName, ConnectionSettings, IcimsRegion};
use icims_namely_core::domain::{
    Hire, HomeAddress, IcimsPersonId, NamelyProfileId, OutcomeKind, SecretKind, Trigger,
};
use icims_namely_core::engine::Engine;
use icims_namely_core::mapping::{
    MAX_EMAIL_CHARS, MAX_NAME_CHARS, human_date, is_plausible_email, iso_date, map_hire,
    parse_calendar_date,
};
use icims_namely_core::os_units::UnitFormat;
use icims_namely_core::quote::{MAX_QUOTED, quoted};
use icims_namely_core::schedule::Schedule;
use icims_namely_core::secrets::folder::file_name;
use icims_namely_core::store::{RecordRow, Store};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::path::{Component, Path};
use time::macros::datetime;
use time::{Date, Month};

// ---------------------------------------------------------------------------------------------
// Strategies and checks
// ---------------------------------------------------------------------------------------------

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        // Failing inputs are kept in `crates/core/proptest-regressions/props.txt` and tried
        // first on every later run (the default place needs a lib.rs beside the test file).
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/props.txt",
        ))),
        ..ProptestConfig::with_cases(cases)
    }
}

fn text(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s).{{0,{max}}}"))
        .expect("regex")
        .boxed()
}

/// What a person might type or paste: anything, control characters and odd Unicode included,
/// sometimes very long.
fn typed() -> BoxedStrategy<String> {
    prop_oneof![
        4 => text(80),
        2 => "[\\x00-\\x7f]{0,80}",
        1 => "[\\x00-\\x1f\\x7f]{30,200}",
        1 => "[\\u{e000}-\\u{e0fff}\\u{200b}\\u{202e}\\u{0300}]{30,120}",
        1 => "[a-zA-Z0-9 ]{60,10000}",
    ]
    .boxed()
}

/// A refusal a person reads: short, one line, no raw control character (they are escaped).
fn check_message(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        message.chars().count() < 300,
        "a message of {} characters: {message}",
        message.chars().count()
    );
    prop_assert!(
        !message.chars().any(char::is_control),
        "a raw control character in: {message:?}"
    );
    Ok(())
}

fn date() -> impl Strategy<Value = Date> {
    (1900i32..=2199, 1u8..=12, 1u8..=31).prop_filter_map("a real day", |(y, m, d)| {
        let month = Month::try_from(m).ok()?;
        Date::from_calendar_date(y, month, d.min(time::util::days_in_month(month, y))).ok()
    })
}

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        Just(Schedule::Off),
        (1u32..=1440).prop_map(|m| Schedule::every_minutes(m).expect("in range")),
        (1u32..=24).prop_map(|h| Schedule::every_hours(h).expect("in range")),
        (0u8..24, 0u8..60).prop_map(|(h, m)| Schedule::daily_at(h, m).expect("a time")),
    ]
}

/// A connection name as the rules allow it, untrimmed.
fn good_name() -> impl Strategy<Value = String> {
    (
        "[ ]{0,2}",
        "[\\p{L}\\p{Nd}][\\p{L}\\p{Nd} ._-]{0,63}",
        "[ ]{0,2}",
    )
        .prop_map(|(a, n, b)| format!("{a}{n}{b}"))
}

fn opt_text(max: usize) -> BoxedStrategy<Option<String>> {
    prop::option::of(prop_oneof![
        text(max),
        "[ ]?[A-Za-z][a-z]{0,10}[ ]?",
        "[a-z.]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[a-z]{250,300}",
    ])
    .boxed()
}

fn hire() -> impl Strategy<Value = Hire> {
    let home = prop::option::of(
        (
            opt_text(20),
            opt_text(20),
            opt_text(20),
            opt_text(4),
            opt_text(4),
            opt_text(8),
        )
            .prop_map(|(address1, address2, city, state_id, country_id, zip)| {
                HomeAddress {
                    address1,
                    address2,
                    city,
                    state_id,
                    country_id,
                    zip,
                }
            }),
    );
    (
        any::<u64>(),
        prop::collection::vec(any::<u64>(), 0..3),
        (opt_text(30), opt_text(30), opt_text(30)),
        (opt_text(12), opt_text(12), opt_text(12)),
        home,
        opt_text(20),
    )
        .prop_map(
            |(
                id,
                workflow_ids,
                (first_name, last_name, email),
                (start_date, hire_date, gender),
                home,
                job_title,
            )| Hire {
                person_id: IcimsPersonId(id),
                workflow_ids,
                first_name,
                last_name,
                email,
                start_date,
                hire_date,
                gender,
                home,
                job_title,
            },
        )
}

/// Text a record's cells may hold: commas, quotes, line breaks, Unicode, a leading `=+-@`.
fn cell() -> BoxedStrategy<String> {
    prop_oneof![
        text(40),
        "[=+@\\-\\t\\r][ -~]{0,20}",
        "[ ,\"\\r\\n]{0,4}[a-z]{0,5}[ ,\"\\r\\n]{0,4}",
        "\\PC{0,20}",
    ]
    .boxed()
}

fn record() -> impl Strategy<Value = RecordRow> {
    (
        // SQLite keeps a person id as a signed 64-bit integer.
        0..=i64::MAX as u64,
        prop::collection::vec(any::<u64>(), 0..3),
        (cell(), prop::option::of(cell()), cell()),
        proptest::sample::select(OutcomeKind::ALL),
        prop::option::of(cell()),
        prop::option::of(cell()),
        any::<bool>(),
    )
        .prop_map(
            |(id, workflow_ids, (name, email, reason), outcome, profile, detail, permanent)| {
                RecordRow {
                    person_id: IcimsPersonId(id),
                    workflow_ids,
                    name,
                    email,
                    outcome,
                    reason,
                    namely_profile_id: profile.map(NamelyProfileId),
                    detail,
                    at: datetime!(2026-11-27 09:00 UTC),
                    start_date: None,
                    permanent,
                }
            },
        )
}

/// What the export promises for a text cell: as is, or, when a spreadsheet would run it as a
/// formula (a leading `=`, `+`, `-`, `@`, tab or carriage return), behind a `'`.
fn exported(raw: &str) -> String {
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// Names, quoting, words
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_as_a_connection_name_is_a_name_or_a_short_refusal(raw in typed()) {
        match ConnectionName::new(&raw) {
            Ok(name) => {
                let s = name.as_str();
                prop_assert_eq!(s, raw.trim());
                prop_assert!((1..=64).contains(&s.chars().count()), "{:?}", s);
                prop_assert!(s.chars().next().is_some_and(char::is_alphanumeric));
                prop_assert!(s.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')));
                let displayed = name.to_string();
                prop_assert_eq!(ConnectionName::new(&displayed), Ok(name.clone()));
                let json = serde_json::to_string(&name).expect("json");
                prop_assert_eq!(serde_json::from_str::<ConnectionName>(&json).expect("reads back"), name);
            }
            Err(e) => check_message(&e.to_string())?,
        }
    }

    #[test]
    fn every_name_the_rules_allow_is_accepted_as_typed(raw in good_name()) {
        let name = ConnectionName::new(&raw).expect("allowed");
        prop_assert_eq!(name.as_str(), raw.trim());
        prop_assert_eq!(name.key(), raw.trim().to_lowercase());
        // Every accepted name names one file in the secrets folder, inside it.
        for kind in SecretKind::ALL.iter().copied() {
            let file = file_name(name.as_str(), kind).expect("a file name");
            let components: Vec<Component<'_>> = Path::new(&file).components().collect();
            prop_assert!(matches!(components.as_slice(), [Component::Normal(_)]), "{:?}", file);
            prop_assert!(!file.starts_with('.'), "{:?}", file);
            prop_assert!(file.ends_with(&format!(".{}", kind.as_str())), "{:?}", file);
        }
    }

    #[test]
    fn two_names_share_secret_files_only_when_they_differ_by_case_or_a_space_for_an_underscore(
        a in good_name(),
        b in prop_oneof![good_name(), "[a-zA-Z0-9 _]{1,6}"],
    ) {
        let (Ok(a), Ok(b)) = (ConnectionName::new(&a), ConnectionName::new(&b)) else {
            return Ok(());
        };
        let same_file = file_name(a.as_str(), SecretKind::NamelyToken)
            == file_name(b.as_str(), SecretKind::NamelyToken);
        let alike = a.key().replace(' ', "_") == b.key().replace(' ', "_");
        prop_assert_eq!(same_file, alike, "{} / {}", a, b);
    }

    #[test]
    fn any_text_as_a_secret_file_name_stays_inside_the_folder(raw in typed()) {
        for kind in SecretKind::ALL.iter().copied() {
            if let Some(file) = file_name(&raw, kind) {
                let components: Vec<Component<'_>> = Path::new(&file).components().collect();
                prop_assert!(
                    matches!(components.as_slice(), [Component::Normal(_)]),
                    "{:?} names {:?}", raw, file
                );
                prop_assert!(!file.starts_with('.') && !file.chars().any(char::is_control));
            }
        }
    }

    #[test]
    fn quoting_is_short_escaped_and_whole_when_short(raw in typed()) {
        let q = quoted(&raw);
        prop_assert!(!q.chars().any(char::is_control), "{:?}", q);
        // The quote, at most MAX_QUOTED characters shown (escapes count), and the length.
        prop_assert!(q.chars().count() <= MAX_QUOTED + 30, "{} characters: {}", q.chars().count(), q);
        let plain = raw.chars().count() <= MAX_QUOTED
            && raw.chars().all(|c| c.escape_debug().len() == 1);
        if plain {
            prop_assert_eq!(q, format!("\"{raw}\""));
        }
    }

    #[test]
    fn any_text_as_a_region_secret_kind_or_unit_format_is_one_or_a_short_refusal(raw in typed()) {
        match raw.parse::<IcimsRegion>() {
            Ok(r) => prop_assert!(r.as_str().eq_ignore_ascii_case(raw.trim())),
            Err(e) => check_message(&e.to_string())?,
        }
        match raw.parse::<SecretKind>() {
            Ok(k) => prop_assert!(k.as_str().eq_ignore_ascii_case(raw.trim())),
            Err(e) => check_message(&e.to_string())?,
        }
        match raw.parse::<UnitFormat>() {
            Ok(f) => prop_assert!(f.as_str().eq_ignore_ascii_case(raw.trim())),
            Err(e) => check_message(&e)?,
        }
        // The words kept in the database read back only as themselves.
        if let Some(k) = OutcomeKind::parse(&raw) {
            prop_assert_eq!(k.as_str(), raw.as_str());
        }
        if let Some(t) = Trigger::parse(&raw) {
            prop_assert_eq!(t.as_str(), raw.as_str());
        }
    }

    #[test]
    fn the_words_kept_in_the_database_read_back(
        k in proptest::sample::select(OutcomeKind::ALL),
        t in proptest::sample::select(Trigger::ALL),
        s in proptest::sample::select(SecretKind::ALL.to_vec()),
    ) {
        prop_assert_eq!(OutcomeKind::parse(k.as_str()), Some(k));
        prop_assert_eq!(Trigger::parse(t.as_str()), Some(t));
        prop_assert_eq!(s.as_str().parse::<SecretKind>(), Ok(s));
        prop_assert_eq!(s.as_str().to_uppercase().parse::<SecretKind>(), Ok(s));
    }
}

// ---------------------------------------------------------------------------------------------
// Schedules, dates, hires, webhooks
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_schedule_prints_and_parses_back_to_itself(s in schedule()) {
        prop_assert_eq!(s.spec().parse::<Schedule>(), Ok(s));
        prop_assert_eq!(s.spec().to_uppercase().parse::<Schedule>(), Ok(s));
        prop_assert_eq!(format!("  {}\n", s.spec()).parse::<Schedule>(), Ok(s));
        let json = serde_json::to_string(&s).expect("json");
        prop_assert_eq!(serde_json::from_str::<Schedule>(&json).expect("reads back"), s);
        let _ = (s.to_string(), s.runs_a_day(), s.interval_minutes());
    }

    #[test]
    fn any_text_as_a_schedule_is_one_or_a_short_refusal(raw in prop_oneof![
        typed(),
        "(every|daily|EVERY)[:@][0-9]{0,12}[mh:]?[0-9]{0,4}",
    ]) {
        match raw.parse::<Schedule>() {
            Ok(s) => {
                // Whatever form was typed, the printed form means the same.
                prop_assert_eq!(s.spec().parse::<Schedule>(), Ok(s));
            }
            Err(e) => check_message(&e.to_string())?,
        }
    }

    #[test]
    fn any_json_as_a_schedule_is_one_or_an_error(
        kind in "off|every_minutes|every_hours|daily_at|[a-z_]{0,12}",
        a in any::<i64>(),
        b in any::<i64>(),
    ) {
        let json = serde_json::json!({"kind": kind, "minutes": a, "hours": a, "hour": a, "minute": b});
        if let Ok(s) = serde_json::from_value::<Schedule>(json) {
            prop_assert_eq!(s.spec().parse::<Schedule>(), Ok(s));
        }
    }

    #[test]
    fn every_day_prints_and_parses_back_to_itself(d in date()) {
        prop_assert_eq!(parse_calendar_date(&iso_date(d)), Some(d));
        prop_assert_eq!(Engine::parse_start_from(&format!(" {} ", iso_date(d))).ok(), Some(d));
        let _ = human_date(d);
    }

    #[test]
    fn days_that_do_not_exist_are_refused(y in 1900i32..=2199, m in 1u8..=12, extra in 1u8..=20, bad_month in 13u8..=99) {
        let month = Month::try_from(m).expect("month");
        let day = time::util::days_in_month(month, y) + extra;
        for text in [
            format!("{y:04}-{m:02}-{day:02}"),
            format!("{y:04}-{m:02}-00"),
            format!("{y:04}-{bad_month:02}-01"),
            format!("{y:04}-00-01"),
        ] {
            prop_assert_eq!(parse_calendar_date(&text), None, "{}", text);
            let e = Engine::parse_start_from(&text).expect_err("not a day");
            check_message(&e.to_string())?;
        }
    }

    #[test]
    fn any_text_as_a_date_is_a_day_or_a_short_refusal(raw in prop_oneof![
        typed(),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[0-9\\-]{10}",
        "[0-9]{4}-[0-9]{2}-[0-9]{1}\\PC",
    ]) {
        if let Some(d) = parse_calendar_date(&raw) {
            prop_assert_eq!(iso_date(d), raw.clone());
        }
        match Engine::parse_start_from(&raw) {
            Ok(d) => prop_assert_eq!(Some(d), parse_calendar_date(raw.trim())),
            Err(e) => check_message(&e.to_string())?,
        }
    }

    #[test]
    fn any_hire_maps_to_a_sendable_profile_or_short_reasons(h in hire()) {
        match map_hire(&h) {
            Ok(draft) => {
                for name in [&draft.first_name, &draft.last_name] {
                    prop_assert_eq!(name.trim(), name.as_str());
                    prop_assert!(!name.is_empty() && name.chars().count() <= MAX_NAME_CHARS);
                    prop_assert!(!name.chars().any(char::is_control), "{:?}", name);
                }
                prop_assert!(is_plausible_email(&draft.email), "{:?}", draft.email);
                prop_assert!(draft.email.chars().count() <= MAX_EMAIL_CHARS);
                let from = h.start_date.as_deref().map(str::trim).filter(|s| !s.is_empty())
                    .or(h.hire_date.as_deref().map(str::trim).filter(|s| !s.is_empty()));
                prop_assert_eq!(Some(iso_date(draft.start_date)), from.map(str::to_owned));
                prop_assert_eq!(draft.icims_id, h.person_id.0.to_string());
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    check_message(&p.message)?;
                }
            }
        }
    }

    #[test]
    fn a_webhook_is_https_or_this_computer(raw in prop_oneof![
        typed(),
        (
            "(https?|HTTP|ftp|file|javascript)(://|:)",
            "([a-z]{1,5}(:[a-z]{0,5})?@)?",
            proptest::sample::select(vec![
                "localhost", "LOCALHOST", "127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1",
                "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "localhost.evil.com",
                "127.0.0.1.nip.io", "hooks.slack.com", "evil.com", "[::]", "",
            ]),
            "(:[0-9]{1,5})?(/[a-z]{0,8})?",
        )
            .prop_map(|(s, u, h, rest)| format!("{s}{u}{h}{rest}")),
    ]) {
        if let Ok(hook) = Webhook::parse(&raw) {
            let url = url::Url::parse(raw.trim()).expect("accepted, so an address");
            prop_assert_eq!(hook.host(), url.host().expect("a host").to_string());
            match url.scheme() {
                "https" => {}
                "http" => {
                    let loopback = match url.host().expect("a host") {
                        url::Host::Ipv4(ip) => ip.is_loopback(),
                        url::Host::Ipv6(ip) => ip.is_loopback(),
                        url::Host::Domain(d) => d == "localhost",
                    };
                    prop_assert!(loopback, "plain http to {:?} accepted", hook.host());
                }
                other => prop_assert!(false, "scheme {other} accepted: {raw:?}"),
            }
            // Debug shows the host only, never the whole (secret) address.
            let debug = format!("{hook:?}");
            prop_assert!(!debug.contains(raw.trim()), "{}", debug);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The CSV export
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_csv_export_reads_back_as_the_records(records in prop::collection::vec(record(), 0..6)) {
        let store = Store::open_in_memory().expect("store");
        let name = ConnectionName::new("Acme").expect("name");
        store
            .add_connection(&ConnectionSettings::new(
                name.clone(),
                "acme",
                "1234",
                "api-user",
                IcimsRegion::Us,
                datetime!(2026-11-27 09:00 UTC),
            ))
            .expect("connection");
        let run = store
            .start_run(&name, Trigger::Manual, false, datetime!(2026-11-27 09:00 UTC))
            .expect("run");
        store.add_records(run, &records).expect("records");
        let csv = store.record_csv(run).expect("csv");

        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv.as_bytes());
        let headers = reader.headers().expect("header row").clone();
        prop_assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            vec!["time", "icims_person_id", "icims_workflow_ids", "name", "email", "outcome",
                 "reason", "namely_profile_id", "detail"]
        );
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .expect("a well-formed CSV");
        prop_assert_eq!(rows.len(), records.len());
        for (row, r) in rows.iter().zip(&records) {
            let ids: Vec<String> = r.workflow_ids.iter().map(u64::to_string).collect();
            let want = [
                "2026-11-27T09:00:00.000Z".to_owned(),
                r.person_id.0.to_string(),
                ids.join(" "),
                exported(&r.name),
                exported(r.email.as_deref().unwrap_or("")),
                r.outcome.as_str().to_owned(),
                exported(&r.reason),
                exported(r.namely_profile_id.as_ref().map_or("", |p| p.0.as_str())),
                exported(r.detail.as_deref().unwrap_or("")),
            ];
            prop_assert_eq!(row.iter().collect::<Vec<_>>(), want.iter().map(String::as_str).collect::<Vec<_>>());
            // No cell a spreadsheet would run as a formula.
            for cell in row.iter() {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", cell);
            }
        }
    }
}
