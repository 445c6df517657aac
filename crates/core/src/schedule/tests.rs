//! The forms of a schedule, and its slots across daylight-saving changes.

use super::*;
use jiff::tz::TimeZone;
use time::OffsetDateTime;
use time::macros::datetime;

#[test]
fn schedule_parse_display_spec_table() {
    let daily = |hour, minute| Schedule::DailyAt { hour, minute };
    for (input, want, display, spec) in [
        ("off", Schedule::Off, "Off", "off"),
        (" OFF ", Schedule::Off, "Off", "off"),
        ("never", Schedule::Off, "Off", "off"),
        ("none", Schedule::Off, "Off", "off"),
        (
            "every:1m",
            Schedule::EveryMinutes(1),
            "Every minute",
            "every:1m",
        ),
        (
            "every:15m",
            Schedule::EveryMinutes(15),
            "Every 15 minutes",
            "every:15m",
        ),
        (
            "EVERY:30M",
            Schedule::EveryMinutes(30),
            "Every 30 minutes",
            "every:30m",
        ),
        (
            "every:1440m",
            Schedule::EveryMinutes(1440),
            "Every 1440 minutes",
            "every:1440m",
        ),
        ("hourly", Schedule::EveryHours(1), "Every hour", "every:1h"),
        (
            "every:1h",
            Schedule::EveryHours(1),
            "Every hour",
            "every:1h",
        ),
        (
            "every:2h",
            Schedule::EveryHours(2),
            "Every 2 hours",
            "every:2h",
        ),
        (
            "every:24h",
            Schedule::EveryHours(24),
            "Every 24 hours",
            "every:24h",
        ),
        (
            "every:6",
            Schedule::EveryHours(6),
            "Every 6 hours",
            "every:6h",
        ),
        ("daily:07:00", daily(7, 0), "Daily at 07:00", "daily:07:00"),
        ("daily:7:05", daily(7, 5), "Daily at 07:05", "daily:07:05"),
        ("daily@07:00", daily(7, 0), "Daily at 07:00", "daily:07:00"),
        ("daily@7:05", daily(7, 5), "Daily at 07:05", "daily:07:05"),
        (
            "Daily@23:59",
            daily(23, 59),
            "Daily at 23:59",
            "daily:23:59",
        ),
        ("DAILY:00:00", daily(0, 0), "Daily at 00:00", "daily:00:00"),
    ] {
        let got: Schedule = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got, want, "{input}");
        assert_eq!(got.to_string(), display, "{input}");
        assert_eq!(got.spec(), spec, "{input}");
        assert_eq!(spec.parse::<Schedule>().unwrap(), got, "round trip {spec}");
    }
}

#[test]
fn schedule_parse_rejects_with_the_forms_to_use() {
    for input in [
        "",
        "sometimes",
        "every:0h",
        "every:25h",
        "every:-1h",
        "every:+2h",
        "every:h",
        "every:0m",
        "every:1441m",
        "every:m",
        "every:-5m",
        "every:5s",
        "every:2 h",
        "daily@24:00",
        "daily@07:60",
        "daily@0700",
        "daily@07:0",
        "daily@:00",
        "daily@007:00",
        "daily:24:00",
        "daily:07:60",
        "daily:+7:00",
        "daily:07",
        "daily 07:00",
    ] {
        let err = input.parse::<Schedule>().expect_err(input);
        let text = err.to_string();
        for form in [
            "\"off\"",
            "\"every:30m\"",
            "\"every:2h\"",
            "\"daily:07:00\"",
        ] {
            assert!(text.contains(form), "{input}: {text}");
        }
    }
    let err = "every:0m".parse::<Schedule>().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Every 0 minutes is outside 1 to 1440 minutes. Use"),
        "{err}"
    );
}

#[test]
fn schedule_serde_tagged_and_validated() {
    for (s, json) in [
        (Schedule::Off, r#"{"kind":"off"}"#),
        (
            Schedule::EveryMinutes(30),
            r#"{"kind":"every_minutes","minutes":30}"#,
        ),
        (
            Schedule::EveryHours(2),
            r#"{"kind":"every_hours","hours":2}"#,
        ),
        (
            Schedule::DailyAt { hour: 7, minute: 0 },
            r#"{"kind":"daily_at","hour":7,"minute":0}"#,
        ),
    ] {
        assert_eq!(serde_json::to_string(&s).unwrap(), json);
        assert_eq!(serde_json::from_str::<Schedule>(json).unwrap(), s);
    }
    for bad in [
        r#"{"kind":"every_hours","hours":0}"#,
        r#"{"kind":"every_minutes","minutes":0}"#,
        r#"{"kind":"every_minutes","minutes":1441}"#,
        r#"{"kind":"daily_at","hour":25,"minute":0}"#,
    ] {
        assert!(serde_json::from_str::<Schedule>(bad).is_err(), "{bad}");
    }
}

#[test]
fn runs_a_day_and_interval() {
    for (s, runs, minutes) in [
        (Schedule::Off, 0, None),
        (Schedule::EveryMinutes(5), 288, Some(5)),
        (Schedule::EveryMinutes(7), 206, Some(7)),
        (Schedule::EveryHours(1), 24, Some(60)),
        (Schedule::EveryHours(5), 5, Some(300)),
        (Schedule::EveryHours(24), 1, Some(1440)),
        (Schedule::DailyAt { hour: 7, minute: 0 }, 1, Some(1440)),
    ] {
        assert_eq!(s.runs_a_day(), runs, "{s}");
        assert_eq!(s.interval_minutes(), minutes, "{s}");
    }
}

#[test]
fn next_after_at_a_fixed_offset_table() {
    let daily7 = Schedule::DailyAt { hour: 7, minute: 0 };
    for (schedule, now, want) in [
        (Schedule::Off, datetime!(2026-11-27 09:30 UTC), None),
        (
            Schedule::EveryMinutes(30),
            datetime!(2026-11-27 09:31:10 UTC),
            Some(datetime!(2026-11-27 10:01:10 UTC)),
        ),
        (
            Schedule::EveryHours(1),
            datetime!(2026-11-27 09:30 UTC),
            Some(datetime!(2026-11-27 10:00 UTC)),
        ),
        (
            Schedule::EveryHours(1),
            datetime!(2026-11-27 10:00 UTC),
            Some(datetime!(2026-11-27 11:00 UTC)),
        ),
        (
            Schedule::EveryHours(2),
            datetime!(2026-11-27 09:30 UTC),
            Some(datetime!(2026-11-27 10:00 UTC)),
        ),
        (
            Schedule::EveryHours(6),
            datetime!(2026-11-27 19:00 UTC),
            Some(datetime!(2026-11-28 00:00 UTC)),
        ),
        (
            Schedule::EveryHours(5),
            datetime!(2026-11-27 21:10 UTC),
            Some(datetime!(2026-11-28 00:00 UTC)),
        ),
        (
            Schedule::EveryHours(24),
            datetime!(2026-11-27 00:00 UTC),
            Some(datetime!(2026-11-28 00:00 UTC)),
        ),
        (
            daily7,
            datetime!(2026-11-27 06:59:59 UTC),
            Some(datetime!(2026-11-27 07:00 UTC)),
        ),
        (
            daily7,
            datetime!(2026-11-27 07:00 UTC),
            Some(datetime!(2026-11-28 07:00 UTC)),
        ),
        (
            daily7,
            datetime!(2026-12-31 08:00 UTC),
            Some(datetime!(2027-01-01 07:00 UTC)),
        ),
        (
            daily7,
            datetime!(2026-11-27 06:00 +2),
            Some(datetime!(2026-11-27 07:00 +2)),
        ),
        (
            Schedule::EveryHours(3),
            datetime!(2026-11-27 04:15 -5),
            Some(datetime!(2026-11-27 06:00 -5)),
        ),
        // Half-hour offsets: the top of the local hour, not of the UTC one.
        (
            Schedule::EveryHours(1),
            datetime!(2026-11-27 10:10 +5:30),
            Some(datetime!(2026-11-27 11:00 +5:30)),
        ),
    ] {
        let got = schedule.next_after(now);
        assert_eq!(got, want, "{schedule} after {now}");
        if let Some(t) = got {
            assert_eq!(t.offset(), now.offset(), "stays in the caller's offset");
            assert!(t > now);
        }
    }
}

fn new_york() -> TimeZone {
    TimeZone::get("America/New_York").expect("the bundled time zone database has New York")
}

/// One slot after another from `start`: each run at its slot.
fn slots(
    schedule: Schedule,
    zone: &TimeZone,
    start: OffsetDateTime,
    n: usize,
) -> Vec<OffsetDateTime> {
    let mut out = Vec::new();
    let mut t = start;
    for _ in 0..n {
        t = schedule.next_slot(t, zone).unwrap();
        out.push(t);
    }
    out
}

// New York, 2026: the clocks spring forward on Sunday 8 March at 02:00 EST (07:00 UTC) to
// 03:00 EDT, and fall back on Sunday 1 November at 02:00 EDT (06:00 UTC) to 01:00 EST.

#[test]
fn daily_keeps_its_wall_clock_time_across_both_changes() {
    let ny = new_york();
    let daily7 = Schedule::DailyAt { hour: 7, minute: 0 };
    // 07:00 EST is 12:00 UTC; 07:00 EDT is 11:00 UTC: 23 hours apart across spring forward.
    assert_eq!(
        slots(daily7, &ny, datetime!(2026-03-06 13:00 UTC), 3),
        vec![
            datetime!(2026-03-07 12:00 UTC),
            datetime!(2026-03-08 11:00 UTC),
            datetime!(2026-03-09 11:00 UTC),
        ]
    );
    // And 25 hours apart across fall back.
    assert_eq!(
        slots(daily7, &ny, datetime!(2026-10-30 12:00 UTC), 3),
        vec![
            datetime!(2026-10-31 11:00 UTC),
            datetime!(2026-11-01 12:00 UTC),
            datetime!(2026-11-02 12:00 UTC),
        ]
    );
}

#[test]
fn a_daily_time_the_clocks_skip_runs_when_they_jump() {
    let ny = new_york();
    let at_0230 = Schedule::DailyAt {
        hour: 2,
        minute: 30,
    };
    assert_eq!(
        slots(at_0230, &ny, datetime!(2026-03-07 05:00 UTC), 3),
        vec![
            // 02:30 EST on the 7th.
            datetime!(2026-03-07 07:30 UTC),
            // 02:30 does not exist on the 8th: 03:00 EDT, when the clocks jump.
            datetime!(2026-03-08 07:00 UTC),
            // 02:30 EDT on the 9th.
            datetime!(2026-03-09 06:30 UTC),
        ]
    );
}

#[test]
fn a_daily_time_that_happens_twice_runs_once_at_the_earlier() {
    let ny = new_york();
    let at_0130 = Schedule::DailyAt {
        hour: 1,
        minute: 30,
    };
    assert_eq!(
        slots(at_0130, &ny, datetime!(2026-10-31 12:00 UTC), 2),
        vec![
            // 01:30 EDT, the first of the two.
            datetime!(2026-11-01 05:30 UTC),
            // Not 01:30 EST an hour later: the next day's.
            datetime!(2026-11-02 06:30 UTC),
        ]
    );
    // Asked during the second 01:00–02:00, the repeated 01:30 is not run again.
    assert_eq!(
        at_0130.next_slot(datetime!(2026-11-01 06:10 UTC), &ny),
        Some(datetime!(2026-11-02 06:30 UTC))
    );
}

#[test]
fn every_n_hours_is_on_the_local_clock_across_both_changes() {
    let ny = new_york();
    // Spring forward: 01:00 EST, then 03:00 EDT (02:00 does not exist), then 04:00 EDT.
    assert_eq!(
        slots(
            Schedule::EveryHours(1),
            &ny,
            datetime!(2026-03-08 05:30 UTC),
            3
        ),
        vec![
            datetime!(2026-03-08 06:00 UTC),
            datetime!(2026-03-08 07:00 UTC),
            datetime!(2026-03-08 08:00 UTC),
        ]
    );
    // Fall back: 01:00 EDT, then 02:00 EST; the repeated 01:00 is run once.
    assert_eq!(
        slots(
            Schedule::EveryHours(1),
            &ny,
            datetime!(2026-11-01 04:30 UTC),
            2
        ),
        vec![
            datetime!(2026-11-01 05:00 UTC),
            datetime!(2026-11-01 07:00 UTC)
        ]
    );
    // Every 6 hours: 00, 06, 12, 18 local, whatever the offset of the day.
    assert_eq!(
        slots(
            Schedule::EveryHours(6),
            &ny,
            datetime!(2026-03-07 20:00 UTC),
            4
        ),
        vec![
            datetime!(2026-03-07 23:00 UTC), // 18:00 EST
            datetime!(2026-03-08 05:00 UTC), // 00:00 EST
            datetime!(2026-03-08 10:00 UTC), // 06:00 EDT
            datetime!(2026-03-08 16:00 UTC), // 12:00 EDT
        ]
    );
}

#[test]
fn every_n_minutes_is_an_interval_whatever_the_clocks_do() {
    let ny = new_york();
    assert_eq!(
        slots(
            Schedule::EveryMinutes(30),
            &ny,
            datetime!(2026-03-08 06:40 UTC),
            2
        ),
        vec![
            datetime!(2026-03-08 07:10 UTC),
            datetime!(2026-03-08 07:40 UTC)
        ]
    );
    assert_eq!(
        Schedule::Off.next_slot(datetime!(2026-03-08 06:40 UTC), &ny),
        None
    );
}

#[test]
fn next_run_in_words() {
    let ny = new_york();
    let now = datetime!(2026-11-27 15:00 UTC); // 10:00 EST, a Friday
    for (at, want) in [
        (datetime!(2026-11-27 14:00 UTC), "now"),
        (now, "now"),
        (datetime!(2026-11-27 19:30 UTC), "14:30 today"),
        (datetime!(2026-11-28 12:00 UTC), "07:00 tomorrow"),
        (datetime!(2026-12-01 12:00 UTC), "07:00 on Tue 1 Dec"),
    ] {
        assert_eq!(next_run_words(at, now, &ny), want, "{at}");
    }
}
