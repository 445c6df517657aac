//! systemd: the service and timer for each cadence, calendar expressions checked by
//! `systemd-analyze`, unit names, credentials and quoting.

use super::*;

#[test]
fn systemd_service_and_timer_for_each_cadence() {
    let r = req("Acme Corp");
    for (cadence, timer_lines) in [
        (
            Cadence::Minutes(15),
            &["OnCalendar=*-*-* *:00/15:00", "Persistent=true"][..],
        ),
        (
            Cadence::Minutes(7),
            &["OnBootSec=7min", "OnUnitActiveSec=7min"][..],
        ),
        (
            Cadence::Hours(1),
            &["OnCalendar=*-*-* *:00:00", "Persistent=true"][..],
        ),
        (
            Cadence::Hours(6),
            &["OnCalendar=*-*-* 00/6:00:00", "Persistent=true"][..],
        ),
        (Cadence::Hours(24), &["OnCalendar=*-*-* 00:00:00"][..]),
        (
            Cadence::Daily { hour: 7, minute: 5 },
            &["OnCalendar=*-*-* 07:05:00", "Persistent=true"][..],
        ),
    ] {
        let text = unit(UnitFormat::Systemd, &r, cadence);
        let (service, timer) = text.split_once("\n# Save as ").expect("two files");
        assert!(
            service.starts_with(
                "# Save as ~/.config/systemd/user/icims-namely-Acme\\x20Corp.service\n"
            ),
            "{text}"
        );
        assert!(
            service.contains(
                "systemctl --user daemon-reload && systemctl --user enable --now \
                 'icims-namely-Acme\\x20Corp.timer'"
            ),
            "{text}"
        );
        for line in [
            "Type=oneshot",
            "Environment=\"ICIMS_NAMELY_HOME=/home/me/.local/share/icims-namely\"",
            "ExecStart=\"/opt/icims namely/bin/icims-namely\" sync \"Acme Corp\"",
        ] {
            assert!(service.lines().any(|l| l == line), "{line}:\n{text}");
        }
        assert!(!service.contains("LoadCredential"), "{text}");
        assert!(
            timer.starts_with("~/.config/systemd/user/icims-namely-Acme\\x20Corp.timer\n"),
            "{text}"
        );
        for line in timer_lines.iter().chain(&[
            "Unit=icims-namely-Acme\\x20Corp.service",
            "WantedBy=timers.target",
        ]) {
            assert!(timer.lines().any(|l| l == *line), "{line}:\n{text}");
        }
        // A monotonic timer has nothing to catch up on.
        assert_eq!(
            timer.contains("Persistent=true"),
            timer.contains("OnCalendar="),
            "{text}"
        );
    }
}

#[test]
fn systemd_calendar_expressions_are_valid_and_elapse_on_the_schedule() {
    let test = "systemd_calendar_expressions_are_valid_and_elapse_on_the_schedule";
    for (cadence, at) in [
        (Cadence::Minutes(1), None),
        (Cadence::Minutes(15), None),
        (Cadence::Minutes(30), None),
        (Cadence::Hours(1), Some(":00:00")),
        (Cadence::Hours(6), Some(":00:00")),
        (Cadence::Hours(24), Some(" 00:00:00")),
        (Cadence::Daily { hour: 7, minute: 5 }, Some(" 07:05:00")),
        (
            Cadence::Daily {
                hour: 23,
                minute: 59,
            },
            Some(" 23:59:00"),
        ),
    ] {
        let calendar = systemd::on_calendar(cadence).expect("on the clock");
        let Some(mut cmd) = systemd_analyze(test) else {
            return;
        };
        let out = cmd
            .args(["calendar", "--iterations=4", &calendar])
            .env("TZ", "UTC")
            .output()
            .expect("run systemd-analyze");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{calendar}: {}{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        let elapses: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("Next elapse:") || l.contains("Iter. #"))
            .collect();
        assert_eq!(elapses.len(), 4, "{calendar}:\n{text}");
        for line in elapses {
            if let Some(at) = at {
                assert!(line.contains(at), "{calendar} elapses at {line}");
            }
            if let Cadence::Hours(n) = cadence {
                // "... 2026-11-27 06:00:00 UTC": the hour is a multiple of n.
                let time = line.split_whitespace().rev().nth(1).unwrap_or_default();
                let hour: u32 = time[..2].parse().expect(line);
                assert!(hour.is_multiple_of(n), "{calendar}: {line}");
            }
            if let Some(n) = cadence.minutes_on_the_clock() {
                let time = line.split_whitespace().rev().nth(1).unwrap_or_default();
                let minute: u32 = time[3..5].parse().expect(line);
                assert!(minute.is_multiple_of(n), "{calendar}: {line}");
            }
        }
    }
}

#[test]
fn systemd_unit_names_are_escaped_as_systemd_escape_does() {
    for (name, want) in [
        ("acme", "acme"),
        ("Acme Corp", "Acme\\x20Corp"),
        ("a-b_c.d", "a\\x2db_c.d"),
        (".hidden", "\\x2ehidden"),
        ("Müller GmbH", "M\\xc3\\xbcller\\x20GmbH"),
    ] {
        assert_eq!(systemd::escape(name), want, "{name}");
        assert_eq!(systemd::unit_name(name), format!("icims-namely-{want}"));
        if let Ok(out) = Command::new("systemd-escape").arg(name).output()
            && out.status.success()
        {
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), want, "{name}");
        }
    }
    // 64 characters of three bytes each would escape to 768: cut, with a tag of the whole.
    let long: String = "数".repeat(63) + "a";
    let other: String = "数".repeat(63) + "b";
    let (a, b) = (systemd::unit_name(&long), systemd::unit_name(&other));
    assert!(a.len() + ".service".len() <= 255, "{a}");
    assert_ne!(a, b);
    assert!(a.starts_with("icims-namely-\\xe6\\x95\\xb0"), "{a}");
}

#[test]
fn systemd_secrets_come_as_credentials_from_a_folder() {
    let mut r = req("Acme Corp");
    r.secrets_dir = Some("/etc/icims-namely/secrets/");
    let text = unit(UnitFormat::Systemd, &r, Cadence::Hours(1));
    for line in [
        "LoadCredential=acme_corp.icims-hmac-key:/etc/icims-namely/secrets/acme_corp.icims-hmac-key",
        "LoadCredential=acme_corp.namely-token:/etc/icims-namely/secrets/acme_corp.namely-token",
        "#LoadCredential=acme_corp.alert-webhook:/etc/icims-namely/secrets/acme_corp.alert-webhook",
        "Environment=ICIMS_NAMELY_SECRETS_DIR=%d",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}:\n{text}");
    }
    assert!(!text.contains("keychain"), "{text}");

    // A `%` in the folder is a literal one.
    r.secrets_dir = Some("/srv/100%/s");
    let text = unit(UnitFormat::Systemd, &r, Cadence::Hours(1));
    assert!(
        text.contains("LoadCredential=acme_corp.namely-token:/srv/100%%/s/acme_corp.namely-token"),
        "{text}"
    );

    // systemd credential names are ASCII: such a name reads the folder directly.
    let mut r = req("Müller GmbH");
    r.secrets_dir = Some("/srv/secrets");
    let text = unit(UnitFormat::Systemd, &r, Cadence::Hours(1));
    assert!(!text.contains("LoadCredential"), "{text}");
    assert!(
        text.lines()
            .any(|l| l == "Environment=\"ICIMS_NAMELY_SECRETS_DIR=/srv/secrets\""),
        "{text}"
    );
    assert!(
        text.contains("ExecStart=\"/opt/icims namely/bin/icims-namely\" sync \"Müller GmbH\""),
        "{text}"
    );
}

#[test]
fn systemd_quotes_specifiers_variables_and_quotes_in_paths() {
    let mut r = req("acme");
    r.binary = "/home/o'neil/100% \"real\"/$HOME/icims-namely";
    r.data_dir = "/data/50%";
    let text = unit(UnitFormat::Systemd, &r, Cadence::Hours(2));
    assert!(
        text.lines().any(|l| l
            == "ExecStart=\"/home/o'neil/100%% \\\"real\\\"/$$HOME/icims-namely\" sync \"acme\""),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l == "Environment=\"ICIMS_NAMELY_HOME=/data/50%%\""),
        "{text}"
    );
}
