//! Each format × each kind of schedule, names that need quoting, and the refusals. The launchd
//! plist and the Kubernetes YAML are parsed back; systemd calendar expressions are checked by
//! `systemd-analyze` when it is installed (and the skip is said when it is not).

mod formats;
mod systemd_unit;

use super::*;
use std::process::Command;

const BIN: &str = "/opt/icims namely/bin/icims-namely";
const DATA: &str = "/home/me/.local/share/icims-namely";

fn req(connection: &str) -> UnitRequest<'_> {
    UnitRequest {
        connection,
        schedule: Schedule::EveryHours(1),
        binary: BIN,
        data_dir: DATA,
        secrets_dir: None,
        image: None,
        time_zone: Some("Europe/Berlin"),
    }
}

/// The cadences every format is tried with: minutes on the clock, minutes off it, hours,
/// every 24 hours and daily.
const CADENCES: [Cadence; 6] = [
    Cadence::Minutes(15),
    Cadence::Minutes(7),
    Cadence::Hours(1),
    Cadence::Hours(6),
    Cadence::Hours(24),
    Cadence::Daily { hour: 7, minute: 5 },
];

fn unit(format: UnitFormat, r: &UnitRequest<'_>, cadence: Cadence) -> String {
    render_cadence(format, r, cadence).unwrap_or_else(|e| panic!("{format} {cadence:?}: {e}"))
}

/// `systemd-analyze` when it is on PATH; otherwise says that the check is skipped.
fn systemd_analyze(test: &str) -> Option<Command> {
    let found = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        // Straight to standard error: the test harness would hide a println! of a passing test.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped in {test}: systemd-analyze is not on PATH, so its check did not run"
        );
    }
    found.then(|| Command::new("systemd-analyze"))
}

#[test]
fn a_schedule_maps_to_a_cadence_and_off_is_refused() {
    assert_eq!(Cadence::of(Schedule::Off), None);
    assert_eq!(
        Cadence::of(Schedule::EveryHours(6)),
        Some(Cadence::Hours(6))
    );
    assert_eq!(
        Cadence::of(Schedule::DailyAt { hour: 7, minute: 5 }),
        Some(Cadence::Daily { hour: 7, minute: 5 })
    );
    assert_eq!(
        Cadence::of(Schedule::EveryMinutes(90)),
        Some(Cadence::Minutes(90))
    );
    // cron can say every 120 minutes as every 2 hours; not every 90.
    assert_eq!(
        Cadence::Minutes(120).cron_fields(UnitFormat::Cron),
        Ok("0 */2 * * *".into())
    );
    assert_eq!(
        Cadence::Minutes(1440).cron_fields(UnitFormat::Cron),
        Ok("0 0 * * *".into())
    );
    assert!(Cadence::Minutes(90).cron_fields(UnitFormat::Cron).is_err());
    let mut r = req("Acme Corp");
    r.schedule = Schedule::Off;
    for format in UnitFormat::ALL {
        let err = render(format, &r).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This connection's schedule is off; set one with `icims-namely connection edit \
             'Acme Corp' --schedule every:1h`, then print the unit again.",
            "{format}"
        );
    }
    r.schedule = Schedule::EveryHours(2);
    for format in UnitFormat::ALL {
        assert!(render(format, &r).is_ok(), "{format}");
        assert_eq!(format.as_str().parse::<UnitFormat>(), Ok(format));
    }
    assert!("windows".parse::<UnitFormat>().is_err());
}

#[test]
fn names_become_dns_labels_that_never_collide() {
    assert_eq!(slug("acme", 39), "acme");
    assert_eq!(slug("acme-2", 39), "acme-2");
    let tag = |s: &str| format!("{:08x}", fnv1a(s));
    assert_eq!(
        slug("Acme Corp", 39),
        format!("acme-corp-{}", tag("Acme Corp"))
    );
    assert_eq!(
        slug("acme corp", 39),
        format!("acme-corp-{}", tag("acme corp"))
    );
    assert_ne!(slug("Acme Corp", 39), slug("acme-corp", 39));
    assert_eq!(
        slug("Müller GmbH", 39),
        format!("m-ller-gmbh-{}", tag("Müller GmbH"))
    );
    assert_eq!(slug("数据", 39), tag("数据"));
    let long = "a".repeat(64);
    let s = slug(&long, 39);
    assert!(
        s.len() <= 39 && s.starts_with("aaaa") && s.ends_with(&tag(&long)),
        "{s}"
    );
    for name in ["Acme Corp", "x.-._y", "数据", &long, "A--B", "9lives"] {
        let s = slug(name, 39);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !s.starts_with('-')
                && !s.ends_with('-')
                && !s.contains("--"),
            "{name} → {s}"
        );
    }
}

#[test]
fn paths_with_line_breaks_relative_paths_and_shell_words_are_handled() {
    let mut r = req("acme");
    r.data_dir = "/tmp/a\nb";
    for format in UnitFormat::ALL
        .into_iter()
        .filter(|f| *f != UnitFormat::Kubernetes)
    {
        let err = render_cadence(format, &r, Cadence::Hours(1)).unwrap_err();
        assert!(matches!(err, UnitError::ControlCharacter { .. }), "{err}");
        assert!(err.to_string().contains("a\\nb"), "{err}");
    }
    r.data_dir = "relative/data";
    let err = render_cadence(UnitFormat::Cron, &r, Cadence::Hours(1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The data folder \"relative/data\" is not an absolute path; give the full path from /."
    );
    // A name that cannot name a secret file (the engine never stores one).
    let err = render_cadence(UnitFormat::Cron, &req("a\\b"), Cadence::Hours(1)).unwrap_err();
    assert!(matches!(err, UnitError::UnnamedSecrets { .. }), "{err}");
    // Kubernetes uses neither the local binary nor the local data folder.
    assert!(render_cadence(UnitFormat::Kubernetes, &r, Cadence::Hours(1)).is_ok());

    assert_eq!(sh_quote("acme"), "acme");
    assert_eq!(sh_quote("/usr/bin/x"), "/usr/bin/x");
    assert_eq!(sh_quote("Acme Corp"), "'Acme Corp'");
    assert_eq!(sh_quote("it's"), "'it'\\''s'");
    assert_eq!(sh_quote(""), "''");
    assert_eq!(sh_quote("$HOME"), "'$HOME'");
}
