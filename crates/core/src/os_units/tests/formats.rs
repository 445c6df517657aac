//! launchd, cron and Kubernetes: each cadence, parsed back (plist, YAML) or run through `sh`,
//! and their quoting.

use super::*;

fn plist_of(text: &str) -> plist::Dictionary {
    plist::Value::from_reader_xml(text.as_bytes())
        .unwrap_or_else(|e| panic!("not a plist ({e}):\n{text}"))
        .into_dictionary()
        .expect("a dictionary")
}

fn int(v: &plist::Value) -> i64 {
    v.as_signed_integer().expect("an integer")
}

#[test]
fn launchd_plist_for_each_cadence_parses_back() {
    let r = req("Acme Corp");
    for cadence in CADENCES {
        let text = unit(UnitFormat::Launchd, &r, cadence);
        let d = plist_of(&text);
        let label = "com.icims-namely.sync.acme-corp-".to_string();
        let got = d["Label"].as_string().unwrap();
        assert!(
            got.starts_with(&label) && got.len() == label.len() + 8,
            "{got}"
        );
        assert!(
            text.contains(&format!("~/Library/LaunchAgents/{got}.plist")),
            "{text}"
        );
        let args: Vec<&str> = d["ProgramArguments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_string().unwrap())
            .collect();
        assert_eq!(args, [BIN, "sync", "Acme Corp"]);
        let env = d["EnvironmentVariables"].as_dictionary().unwrap();
        assert_eq!(env["ICIMS_NAMELY_HOME"].as_string(), Some(DATA));
        assert!(!env.contains_key("ICIMS_NAMELY_SECRETS_DIR"));
        let log = d["StandardOutPath"].as_string().unwrap();
        assert!(
            log.starts_with(&format!("{DATA}/logs/launchd-acme-corp-")),
            "{log}"
        );
        assert_eq!(d["StandardErrorPath"].as_string(), Some(log));
        assert_eq!(d["RunAtLoad"].as_boolean(), Some(false));
        match cadence {
            Cadence::Minutes(n) => {
                assert_eq!(int(&d["StartInterval"]), i64::from(n) * 60);
                assert!(!d.contains_key("StartCalendarInterval"));
            }
            Cadence::Hours(n) => {
                let entries = d["StartCalendarInterval"].as_array().unwrap();
                let hours: Vec<i64> = entries
                    .iter()
                    .map(|e| {
                        let e = e.as_dictionary().unwrap();
                        assert_eq!(int(&e["Minute"]), 0);
                        int(&e["Hour"])
                    })
                    .collect();
                let want: Vec<i64> = (0..24).step_by(n as usize).collect();
                assert_eq!(hours, want, "{cadence:?}");
                assert!(!d.contains_key("StartInterval"));
            }
            Cadence::Daily { hour, minute } => {
                let e = d["StartCalendarInterval"].as_dictionary().unwrap();
                assert_eq!(int(&e["Hour"]), i64::from(hour));
                assert_eq!(int(&e["Minute"]), i64::from(minute));
            }
        }
    }
}

#[test]
fn launchd_escapes_xml_and_passes_the_secrets_folder() {
    let mut r = req("R&D <Team>");
    r.binary = "/Applications/A & B/\"bin\"/icims-namely";
    r.data_dir = "/Users/o'neil/data <x>";
    r.secrets_dir = Some("/Users/o'neil/secrets & keys");
    let text = unit(
        UnitFormat::Launchd,
        &r,
        Cadence::Daily { hour: 7, minute: 0 },
    );
    assert!(!text.contains("R&D"), "escaped:\n{text}");
    // Comments never hold `--` (not allowed in XML comments) beyond their delimiters.
    for comment in text.split("<!--").skip(1) {
        let body = comment.split("-->").next().unwrap();
        assert!(!body.contains("--"), "{body}");
    }
    let d = plist_of(&text);
    let args: Vec<&str> = d["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(args, [r.binary, "sync", "R&D <Team>"]);
    let env = d["EnvironmentVariables"].as_dictionary().unwrap();
    assert_eq!(env["ICIMS_NAMELY_HOME"].as_string(), Some(r.data_dir));
    assert_eq!(env["ICIMS_NAMELY_SECRETS_DIR"].as_string(), r.secrets_dir);
    assert!(!text.contains("keychain"), "{text}");
}

#[test]
fn cron_line_for_each_cadence() {
    let r = req("acme");
    for (cadence, fields) in [
        (Cadence::Minutes(1), Some("* * * * *")),
        (Cadence::Minutes(15), Some("*/15 * * * *")),
        (Cadence::Minutes(7), None),
        (Cadence::Hours(1), Some("0 * * * *")),
        (Cadence::Hours(6), Some("0 */6 * * *")),
        (Cadence::Hours(24), Some("0 0 * * *")),
        (Cadence::Daily { hour: 7, minute: 5 }, Some("5 7 * * *")),
    ] {
        let result = render_cadence(UnitFormat::Cron, &r, cadence);
        let Some(fields) = fields else {
            let err = result.unwrap_err();
            assert_eq!(
                err,
                UnitError::NotOnTheClock {
                    format: UnitFormat::Cron,
                    minutes: 7
                }
            );
            let words = err.to_string();
            for part in ["every 7 minutes", "--format systemd", "run-scheduler"] {
                assert!(words.contains(part), "{part}: {words}");
            }
            continue;
        };
        let text = result.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (entry, comments) = lines.split_last().unwrap();
        assert!(comments.iter().all(|l| l.starts_with("# ")), "{text}");
        assert!(text.contains("system time zone"), "{text}");
        assert!(text.contains("keychain"), "{text}");
        assert_eq!(
            *entry,
            format!(
                "{fields} ICIMS_NAMELY_HOME={DATA} '{BIN}' sync acme \
                 >>{DATA}/logs/cron-acme.log 2>&1"
            ),
            "{cadence:?}"
        );
    }
}

#[test]
fn cron_quotes_for_the_shell_and_escapes_percent() {
    let mut r = req("O Brien & Sons");
    r.data_dir = "/srv/it's 100%";
    r.secrets_dir = Some("/srv/secrets");
    let text = unit(UnitFormat::Cron, &r, Cadence::Hours(2));
    let entry = text.lines().last().unwrap();
    assert!(!text.contains("keychain"), "{text}");
    assert_eq!(
        entry,
        format!(
            "0 */2 * * * ICIMS_NAMELY_HOME='/srv/it'\\''s 100\\%' \
             ICIMS_NAMELY_SECRETS_DIR=/srv/secrets '{BIN}' sync 'O Brien & Sons' \
             >>'/srv/it'\\''s 100\\%/logs/cron-o-brien-sons-{:08x}.log' 2>&1",
            fnv1a("O Brien & Sons")
        )
    );
    // What the shell runs once cron has turned `\%` back into `%`, with the binary played by
    // a function that prints its environment and arguments: the words, as given.
    let command = entry.splitn(6, ' ').nth(5).unwrap().replace("\\%", "%");
    let command = &command[..command.find(" >>").unwrap()];
    let script = format!(
        "f() {{ printf '%s\\n' \"$ICIMS_NAMELY_HOME\" \"$ICIMS_NAMELY_SECRETS_DIR\" \"$@\"; }}; {}",
        command.replace(&format!("'{BIN}'"), "f")
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .output()
        .expect("sh");
    assert!(out.status.success(), "{script}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .collect::<Vec<_>>(),
        ["/srv/it's 100%", "/srv/secrets", "sync", "O Brien & Sons"],
        "{script}"
    );
}

fn yaml_of(text: &str) -> serde_yaml_ng::Value {
    serde_yaml_ng::from_str(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

#[test]
fn kubernetes_cronjob_for_each_cadence_parses_back() {
    let r = req("Acme Corp");
    for (cadence, schedule) in [
        (Cadence::Minutes(15), Some("*/15 * * * *")),
        (Cadence::Minutes(7), None),
        (Cadence::Hours(1), Some("0 * * * *")),
        (Cadence::Hours(6), Some("0 */6 * * *")),
        (Cadence::Hours(24), Some("0 0 * * *")),
        (Cadence::Daily { hour: 7, minute: 5 }, Some("5 7 * * *")),
    ] {
        let result = render_cadence(UnitFormat::Kubernetes, &r, cadence);
        let Some(schedule) = schedule else {
            assert_eq!(
                result.unwrap_err(),
                UnitError::NotOnTheClock {
                    format: UnitFormat::Kubernetes,
                    minutes: 7
                }
            );
            continue;
        };
        let text = result.unwrap();
        let y = yaml_of(&text);
        assert_eq!(y["apiVersion"], "batch/v1");
        assert_eq!(y["kind"], "CronJob");
        let name = y["metadata"]["name"].as_str().unwrap();
        assert!(
            name.starts_with("icims-namely-acme-corp-") && name.len() <= 52,
            "{name}"
        );
        assert_eq!(
            y["metadata"]["annotations"]["icims-namely/connection"],
            "Acme Corp"
        );
        let spec = &y["spec"];
        assert_eq!(spec["schedule"], schedule);
        assert_eq!(spec["timeZone"], "Europe/Berlin");
        assert_eq!(spec["concurrencyPolicy"], "Forbid");
        let deadline = spec["startingDeadlineSeconds"].as_u64().unwrap();
        assert!((60..=3600).contains(&deadline), "{deadline}");
        let pod = &spec["jobTemplate"]["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        let c = &pod["containers"][0];
        assert_eq!(c["image"], PLACEHOLDER_IMAGE);
        assert!(text.contains("# A placeholder"), "{text}");
        let args: Vec<&str> = c["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(args, ["icims-namely", "sync", "Acme Corp"]);
        let env: Vec<(&str, &str)> = c["env"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap()))
            .collect();
        assert_eq!(
            env,
            [
                ("ICIMS_NAMELY_HOME", "/data"),
                ("ICIMS_NAMELY_SECRETS_DIR", "/run/secrets/icims-namely")
            ]
        );
        assert_eq!(c["volumeMounts"][0]["mountPath"], "/data");
        assert_eq!(
            c["volumeMounts"][1]["mountPath"],
            "/run/secrets/icims-namely"
        );
        assert_eq!(c["volumeMounts"][1]["readOnly"], true);
        let volumes = &pod["volumes"];
        assert_eq!(
            volumes[0]["persistentVolumeClaim"]["claimName"],
            "icims-namely-data"
        );
        let secret = &volumes[1]["secret"];
        assert_eq!(secret["secretName"], name);
        assert_eq!(secret["defaultMode"].as_u64(), Some(0o400));
        let items: Vec<(&str, &str)> = secret["items"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| (e["key"].as_str().unwrap(), e["path"].as_str().unwrap()))
            .collect();
        // The files the sync looks for (secrets::folder::file_name); the optional alert
        // webhook is there to uncomment.
        assert_eq!(
            items,
            [
                ("icims-hmac-key", "acme_corp.icims-hmac-key"),
                ("namely-token", "acme_corp.namely-token")
            ]
        );
        assert!(
            text.contains("# - key: alert-webhook\n")
                && text.contains("#   path: \"acme_corp.alert-webhook\"\n"),
            "{text}"
        );
        // The kubectl example makes exactly the keys the volume reads.
        assert!(
            text.contains(&format!("#   kubectl create secret generic {name} \\")),
            "{text}"
        );
        assert!(
            text.contains("--from-file=icims-hmac-key=./icims-hmac-key \\"),
            "{text}"
        );
        assert!(
            text.contains("--from-file=namely-token=./namely-token\n"),
            "{text}"
        );
    }
}

#[test]
fn kubernetes_time_zone_image_and_secrets_folder() {
    let mut r = req("acme \"quoted\" name");
    r.time_zone = None;
    r.image = Some("ghcr.io/example/icims-namely:1.2");
    r.secrets_dir = Some("/var/run/sec/");
    let text = unit(UnitFormat::Kubernetes, &r, Cadence::Hours(1));
    let y = yaml_of(&text);
    assert_eq!(y["spec"]["timeZone"], "Etc/UTC");
    assert!(text.contains("time zone could not be told"), "{text}");
    let c = &y["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "ghcr.io/example/icims-namely:1.2");
    assert!(!text.contains("placeholder"), "{text}");
    assert_eq!(c["args"][2], "acme \"quoted\" name");
    assert_eq!(
        yaml_of(&format!("k: {}", kubernetes::yaml("a \\ \"b\" ü")))["k"],
        "a \\ \"b\" ü"
    );
    assert_eq!(c["env"][1]["value"], "/var/run/sec");
    assert_eq!(c["volumeMounts"][1]["mountPath"], "/var/run/sec");
    let name = y["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("icims-namely-acme-quoted-name-"), "{name}");

    for bad in ["Europe/../etc", "/etc/localtime", "CET-1CEST", ""] {
        assert_eq!(kubernetes::time_zone(Some(bad)), None, "{bad}");
    }
    for good in ["UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+5"] {
        assert_eq!(kubernetes::time_zone(Some(good)), Some(good));
    }
    r.image = Some("two words");
    assert!(matches!(
        render_cadence(UnitFormat::Kubernetes, &r, Cadence::Hours(1)),
        Err(UnitError::BadImage { .. })
    ));
}
