//! [`plan_next`]: catch-up, no overlap, back-off and the iCIMS budget, on a clock the tests
//! set.

use super::plan::{every_words, thousands};
use super::*;
use jiff::tz::TimeZone;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const BUDGET: BudgetFit = BudgetFit {
    calls_per_run: 5,
    daily_limit: 10_000,
    margin: 200,
};

fn input(
    schedule: Schedule,
    zone: &TimeZone,
    anchor: OffsetDateTime,
    now: OffsetDateTime,
) -> PlanInput<'_> {
    PlanInput {
        schedule,
        zone,
        anchor,
        anchor_end: Some(anchor + Duration::seconds(20)),
        now,
        backoff_until: None,
        budget: BUDGET,
    }
}

#[test]
fn off_plans_nothing() {
    let now = datetime!(2026-11-27 10:00 UTC);
    assert_eq!(
        plan_next(&input(Schedule::Off, &TimeZone::UTC, now, now)),
        None
    );
}

#[test]
fn intervals_in_minutes_count_from_the_last_start_and_hours_are_on_the_clock() {
    let utc = TimeZone::UTC;
    let anchor = datetime!(2026-11-27 10:07 UTC);
    let now = anchor + Duration::seconds(30);
    for (schedule, want) in [
        (Schedule::EveryMinutes(1), datetime!(2026-11-27 10:08 UTC)),
        (Schedule::EveryMinutes(15), datetime!(2026-11-27 10:22 UTC)),
        (Schedule::EveryMinutes(90), datetime!(2026-11-27 11:37 UTC)),
        (Schedule::EveryHours(1), datetime!(2026-11-27 11:00 UTC)),
        (Schedule::EveryHours(4), datetime!(2026-11-27 12:00 UTC)),
        (
            Schedule::DailyAt { hour: 7, minute: 0 },
            datetime!(2026-11-28 07:00 UTC),
        ),
    ] {
        let next = plan_next(&input(schedule, &utc, anchor, now)).unwrap();
        assert_eq!(next.at, want, "{schedule}");
        assert_eq!(next.stretched, None, "{schedule}");
        assert!(!next.backing_off);
        assert!(!next.is_due(now));
        assert!(next.is_due(want));
    }
}

#[test]
fn after_a_gap_one_run_is_due_then_the_schedule_resumes() {
    let utc = TimeZone::UTC;
    // The last run three days ago; the laptop was closed since.
    let anchor = datetime!(2026-11-24 10:00 UTC);
    let wake = datetime!(2026-11-27 09:41:30 UTC);
    for (schedule, after_catch_up) in [
        (
            Schedule::EveryMinutes(30),
            datetime!(2026-11-27 10:11:30 UTC),
        ),
        (Schedule::EveryHours(1), datetime!(2026-11-27 10:00 UTC)),
        (
            Schedule::DailyAt { hour: 7, minute: 0 },
            datetime!(2026-11-28 07:00 UTC),
        ),
    ] {
        let missed = plan_next(&input(schedule, &utc, anchor, wake)).unwrap();
        assert!(missed.is_due(wake), "{schedule}: due at once after the gap");
        // The catch-up run starts at `wake`: it is the new anchor, and nothing else is due.
        let next = plan_next(&input(schedule, &utc, wake, wake + Duration::seconds(30))).unwrap();
        assert_eq!(
            next.at, after_catch_up,
            "{schedule}: one run, not one per missed slot"
        );
        assert!(!next.is_due(wake + Duration::seconds(30)));
    }
}

#[test]
fn a_run_that_outlasts_its_interval_drops_the_slot_it_overran() {
    let utc = TimeZone::UTC;
    let start = datetime!(2026-11-27 10:00 UTC);
    for (schedule, ran_for, want) in [
        // Shorter than its interval: counted from its start.
        (
            Schedule::EveryMinutes(15),
            5,
            datetime!(2026-11-27 10:15 UTC),
        ),
        // Longer: one interval after it ended, not at once.
        (
            Schedule::EveryMinutes(15),
            20,
            datetime!(2026-11-27 10:35 UTC),
        ),
        (
            Schedule::EveryMinutes(15),
            15,
            datetime!(2026-11-27 10:30 UTC),
        ),
        (
            Schedule::EveryMinutes(15),
            61,
            datetime!(2026-11-27 11:16 UTC),
        ),
        // On the clock: the slot that passed during the run is dropped.
        (Schedule::EveryHours(1), 30, datetime!(2026-11-27 11:00 UTC)),
        (Schedule::EveryHours(1), 70, datetime!(2026-11-27 12:00 UTC)),
        (
            Schedule::EveryHours(1),
            119,
            datetime!(2026-11-27 12:00 UTC),
        ),
    ] {
        let end = start + Duration::minutes(ran_for);
        let plan = PlanInput {
            anchor_end: Some(end),
            ..input(schedule, &utc, start, end)
        };
        let next = plan_next(&plan).unwrap();
        assert_eq!(next.at, want, "{schedule}, a run of {ran_for} minutes");
        assert!(next.at > end, "never due while, or right as, the run ends");
    }
    // A run still going (its end is `now`): nothing is due beside it.
    let now = start + Duration::minutes(40);
    let plan = PlanInput {
        anchor_end: Some(now),
        ..input(Schedule::EveryMinutes(15), &utc, start, now)
    };
    assert!(!plan_next(&plan).unwrap().is_due(now));
    // An end unknown counts as the start.
    let plan = PlanInput {
        anchor_end: None,
        ..input(Schedule::EveryMinutes(15), &utc, start, now)
    };
    assert_eq!(plan_next(&plan).unwrap().at, start + Duration::minutes(15));
}

#[test]
fn a_backoff_holds_the_run_back_until_it_passes() {
    let utc = TimeZone::UTC;
    let anchor = datetime!(2026-11-27 09:00 UTC);
    let now = datetime!(2026-11-27 10:00:10 UTC);
    let mut backoff = Backoff::default();
    backoff.failed(now, 7);
    assert_eq!(backoff.failures, 1);
    assert_eq!(backoff.until, Some(now + Duration::seconds(67)));
    let plan = PlanInput {
        backoff_until: backoff.until,
        ..input(Schedule::EveryHours(1), &utc, anchor, now)
    };
    let next = plan_next(&plan).unwrap();
    assert_eq!(next.at, now + Duration::seconds(67));
    assert!(next.backing_off);
    assert!(!next.is_due(now + Duration::seconds(66)));
    // A backoff that ends before the slot changes nothing.
    let plan = PlanInput {
        backoff_until: Some(anchor + Duration::minutes(5)),
        ..input(Schedule::EveryHours(1), &utc, anchor, anchor)
    };
    let next = plan_next(&plan).unwrap();
    assert_eq!(next.at, datetime!(2026-11-27 10:00 UTC));
    assert!(!next.backing_off);
    backoff.failed(now, 0);
    assert_eq!(backoff.until, Some(now + Duration::minutes(2)));
}

#[test]
fn backoff_grows_and_is_capped_at_an_hour_plus_jitter() {
    assert_eq!(backoff_delay(1, 0), Duration::minutes(1));
    assert_eq!(backoff_delay(2, 0), Duration::minutes(2));
    assert_eq!(backoff_delay(3, 0), Duration::minutes(4));
    assert_eq!(backoff_delay(7, 0), Duration::minutes(60));
    assert_eq!(backoff_delay(30, 0), Duration::minutes(60));
    assert_eq!(backoff_delay(u32::MAX, 0), Duration::minutes(60));
    assert_eq!(
        backoff_delay(1, 29),
        Duration::minutes(1) + Duration::seconds(29)
    );
    assert_eq!(backoff_delay(1, 30), Duration::minutes(1));
}

#[test]
fn calls_per_run_is_the_lower_median_of_the_last_ten() {
    assert_eq!(calls_per_run(&[]), DEFAULT_CALLS_PER_RUN);
    assert_eq!(calls_per_run(&[5]), 5);
    assert_eq!(
        calls_per_run(&[900]),
        900,
        "only the first sync: all there is"
    );
    // The first sync's large read stops counting from the second run on.
    assert_eq!(calls_per_run(&[5, 900]), 5);
    assert_eq!(calls_per_run(&[6, 5, 900]), 6);
    assert_eq!(calls_per_run(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 5);
    // A busy stretch (half the runs large) counts.
    assert_eq!(
        calls_per_run(&[400, 400, 400, 400, 400, 400, 5, 5, 5, 5]),
        400
    );
    // Only the newest ten count.
    assert_eq!(
        calls_per_run(&[5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 3_000, 3_000]),
        5
    );
}

fn budget(calls_per_run: u64, daily_limit: u64) -> BudgetFit {
    BudgetFit {
        calls_per_run,
        daily_limit,
        margin: 200,
    }
}

#[test]
fn a_schedule_the_budget_does_not_allow_stretches_to_fit() {
    // 288 runs a day × 100 calls = 28,800 > 9,800: ceil(1440 × 100 / 9,800) = 15 minutes.
    let s = stretch(Schedule::EveryMinutes(5), budget(100, 10_000)).unwrap();
    assert_eq!(s.every_minutes, Some(15));
    assert_eq!(s.calls_a_day, 28_800);
    assert_eq!(s.daily_limit, 10_000);
    assert_eq!(
        s.message,
        "Every 5 minutes would use about 28,800 iCIMS calls a day; iCIMS allows 10,000, so \
         syncs run every 15 minutes."
    );
    // 24 × 500 = 12,000: ceil(1440 × 500 / 9,800) = 74 minutes, off the clock.
    let s = stretch(Schedule::EveryHours(1), budget(500, 10_000)).unwrap();
    assert_eq!(s.every_minutes, Some(74));
    assert!(
        s.message.ends_with("so syncs run every 1 hour 14 minutes."),
        "{}",
        s.message
    );
    // The connection's own limit, when iCIMS said it.
    let s = stretch(Schedule::EveryMinutes(30), budget(100, 2_000)).unwrap();
    assert_eq!(s.every_minutes, Some(80));
    assert!(s.message.contains("iCIMS allows 2,000,"), "{}", s.message);
    // Schedules that fit are left alone.
    for (schedule, b) in [
        (Schedule::EveryMinutes(15), budget(100, 10_000)), // 96 × 100 = 9,600
        (Schedule::EveryMinutes(1), budget(6, 10_000)),    // 1,440 × 6 = 8,640
        (Schedule::EveryHours(1), budget(408, 10_000)),    // 24 × 408 = 9,792
        (
            Schedule::DailyAt { hour: 7, minute: 0 },
            budget(9_800, 10_000),
        ),
        (Schedule::Off, budget(1_000_000, 10_000)),
    ] {
        assert_eq!(stretch(schedule, b), None, "{schedule}");
    }
}

#[test]
fn a_run_larger_than_a_day_allows_runs_once_a_day_and_daily_never_stretches() {
    let s = stretch(Schedule::EveryMinutes(5), budget(12_000, 10_000)).unwrap();
    assert_eq!(s.every_minutes, Some(1_440));
    assert_eq!(
        s.message,
        "One sync uses about 12,000 iCIMS calls, more than the 10,000 iCIMS allows in a day, \
         so syncs run once a day; each may stop early, and the next goes on where it stopped."
    );
    let daily = Schedule::DailyAt { hour: 7, minute: 0 };
    let s = stretch(daily, budget(12_000, 10_000)).unwrap();
    assert_eq!(s.every_minutes, None, "daily keeps its time");
    assert_eq!(
        s.message,
        "One sync uses about 12,000 iCIMS calls, more than the 10,000 iCIMS allows in a day: \
         each sync may stop early, and the next goes on where it stopped."
    );
    let utc = TimeZone::UTC;
    let anchor = datetime!(2026-11-27 07:00 UTC);
    let plan = PlanInput {
        budget: budget(12_000, 10_000),
        ..input(daily, &utc, anchor, anchor)
    };
    let next = plan_next(&plan).unwrap();
    assert_eq!(next.at, datetime!(2026-11-28 07:00 UTC));
    assert!(next.stretched.is_some());
}

#[test]
fn the_stretched_interval_is_what_the_plan_runs_on() {
    let utc = TimeZone::UTC;
    let anchor = datetime!(2026-11-27 10:03 UTC);
    let plan = PlanInput {
        budget: budget(100, 10_000),
        ..input(Schedule::EveryMinutes(5), &utc, anchor, anchor)
    };
    let next = plan_next(&plan).unwrap();
    assert_eq!(next.at, anchor + Duration::minutes(15));
    assert_eq!(next.stretched.unwrap().every_minutes, Some(15));
    // Stretched hours leave the clock: 74 minutes after the start.
    let plan = PlanInput {
        budget: budget(500, 10_000),
        ..input(Schedule::EveryHours(1), &utc, anchor, anchor)
    };
    assert_eq!(plan_next(&plan).unwrap().at, anchor + Duration::minutes(74));
}

#[test]
fn words_for_intervals_and_numbers() {
    for (minutes, want) in [
        (1, "every minute"),
        (15, "every 15 minutes"),
        (60, "every hour"),
        (61, "every 1 hour 1 minute"),
        (74, "every 1 hour 14 minutes"),
        (180, "every 3 hours"),
        (125, "every 2 hours 5 minutes"),
        (1_440, "once a day"),
    ] {
        assert_eq!(every_words(minutes), want);
    }
    for (n, want) in [
        (0, "0"),
        (999, "999"),
        (1_000, "1,000"),
        (28_800, "28,800"),
        (1_440_000, "1,440,000"),
    ] {
        assert_eq!(thousands(n), want);
    }
}
