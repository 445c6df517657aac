//! End-to-end tests of `icims-namely schedule print-unit`: the built binary prints units for
//! systemd, launchd, cron and Kubernetes for connections added in a private data folder; the
//! units are parsed back (plist, YAML), checked with `systemd-analyze` where it is installed
//! (a line says so when it is not), and the crontab line is run through `sh` as cron would.
//!
//! No keychain is needed: the connections have no secrets in it, and the secrets folder is
//! made here. The binary is found as tests/cli.rs finds it (support/cli.rs): next to this
//! test's executable (`target/<profile>/icims-namely`, built by `cargo build -p
//! icims-namely-cli`), or at `ICIMS_NAMELY_BIN`; it must be newer than its sources.

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{Ran, binary};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A private data folder, and the binary run with it.
struct Home {
    dir: tempfile::TempDir,
    /// A distinct iCIMS customer per connection: one company and customer per connection.
    added: std::cell::Cell<u32>,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: cli_support::data_dir("home"),
            added: std::cell::Cell::new(0),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> Ran {
        let mut cmd = cli_support::command(args);
        cmd.env("ICIMS_NAMELY_HOME", self.path())
            .env_remove("ICIMS_NAMELY_SECRETS_DIR");
        cli_support::run(cmd, None)
    }

    fn code(&self, args: &[&str], code: i32) -> Ran {
        let r = self.run(args);
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        r
    }

    /// Adds a connection to a company nobody will call (loopback port 9) with this schedule.
    fn add(&self, name: &str, schedule: &str) {
        self.added.set(self.added.get() + 1);
        let customer = format!("{}", 1000 + self.added.get());
        self.code(
            &[
                "connection",
                "add",
                name,
                "--namely-permalink",
                &format!("acme{customer}"),
                "--icims-customer-id",
                &customer,
                "--icims-username",
                "api",
                "--icims-url",
                "http://127.0.0.1:9",
                "--namely-url",
                "http://127.0.0.1:9/api/v1",
                "--schedule",
                schedule,
            ],
            0,
        );
    }

    fn unit(&self, name: &str, format: &str, extra: &[&str]) -> String {
        let mut args = vec!["schedule", "print-unit", name, "--format", format];
        args.extend_from_slice(extra);
        self.code(&args, 0).stdout
    }
}

/// `systemd-analyze` when it is on PATH; otherwise prints that the check is skipped.
fn systemd_analyze(test: &str) -> Option<Command> {
    let found = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !found && !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        // Straight to standard error: the test harness would hide a println! of a passing test.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped in {test}: systemd-analyze is not on PATH, so the units were not verified"
        );
    }
    found.then(|| Command::new("systemd-analyze"))
}

/// The files of `systemd` output, each from its `# Save as ~/.config/systemd/user/FILE` line.
fn systemd_files(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("# Save as ~/.config/systemd/user/") {
            files.push((path.to_string(), String::new()));
        }
        let (_, body) = files.last_mut().expect("starts with a Save as line");
        body.push_str(line);
        body.push('\n');
    }
    files
}

fn line_value<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines().filter_map(|l| l.strip_prefix(key)).collect()
}

/// Writes the units to a folder and runs `systemd-analyze verify` on them.
fn verify_systemd(test: &str, text: &str) {
    let files = systemd_files(text);
    assert_eq!(files.len(), 2, "a service and a timer:\n{text}");
    for calendar in line_value(text, "OnCalendar=") {
        let Some(mut cmd) = systemd_analyze(test) else {
            return;
        };
        let out = cmd
            .args(["calendar", calendar])
            .output()
            .expect("systemd-analyze");
        assert!(
            out.status.success(),
            "systemd-analyze calendar '{calendar}': {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let Some(mut cmd) = systemd_analyze(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("unit folder");
    let mut paths = Vec::new();
    for (name, body) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, body).expect("write unit");
        paths.push(path);
    }
    let out = cmd
        .arg("verify")
        .args(&paths)
        .env("SYSTEMD_LOG_LEVEL", "warning")
        .output()
        .expect("systemd-analyze verify");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Only what concerns these units: verify also reports on the machine's own units.
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("icims-namely"))
        .collect();
    assert!(
        out.status.success() && ours.is_empty(),
        "systemd-analyze verify:\n{stderr}\n{text}"
    );
}

#[test]
fn systemd_units_run_this_binary_on_the_schedule_and_verify() {
    let test = "systemd_units_run_this_binary_on_the_schedule_and_verify";
    let home = Home::new();
    let bin = binary().canonicalize().unwrap();
    for (name, schedule, unit_name, timer_line) in [
        (
            "Acme Corp",
            "every:15m",
            "icims-namely-Acme\\x20Corp",
            "OnCalendar=*-*-* *:00/15:00",
        ),
        (
            "acme",
            "every:7m",
            "icims-namely-acme",
            "OnUnitActiveSec=7min",
        ),
        (
            "Müller GmbH",
            "every:6h",
            "icims-namely-M\\xc3\\xbcller\\x20GmbH",
            "OnCalendar=*-*-* 00/6:00:00",
        ),
        (
            "night-shift",
            "daily:07:30",
            "icims-namely-night\\x2dshift",
            "OnCalendar=*-*-* 07:30:00",
        ),
    ] {
        home.add(name, schedule);
        let text = home.unit(name, "systemd", &[]);
        let files = systemd_files(&text);
        assert_eq!(files[0].0, format!("{unit_name}.service"), "{text}");
        assert_eq!(files[1].0, format!("{unit_name}.timer"), "{text}");
        let service = &files[0].1;
        assert_eq!(
            line_value(service, "ExecStart="),
            [format!("\"{}\" sync \"{name}\"", bin.display())],
            "{text}"
        );
        assert_eq!(
            line_value(service, "Environment="),
            [format!("\"ICIMS_NAMELY_HOME={}\"", home.path().display())],
            "{text}"
        );
        assert!(
            files[1].1.lines().any(|l| l == timer_line),
            "{timer_line}:\n{text}"
        );
        // The timer's name as a shell word: quoted when it holds a `\`.
        let timer = format!("{unit_name}.timer");
        let word = if timer.contains('\\') {
            format!("'{timer}'")
        } else {
            timer
        };
        assert!(
            text.contains(&format!("systemctl --user enable --now {word}\n")),
            "{text}"
        );
        verify_systemd(test, &text);
    }

    // With a secrets folder: systemd credentials, and a warning for the files not there yet.
    let secrets = tempfile::tempdir().unwrap();
    let dir = secrets.path().display().to_string();
    let r = home.code(
        &[
            "schedule",
            "print-unit",
            "Acme Corp",
            "--format",
            "systemd",
            "--secrets-dir",
            &dir,
        ],
        0,
    );
    for want in [
        format!("LoadCredential=acme_corp.icims-hmac-key:{dir}/acme_corp.icims-hmac-key"),
        format!("LoadCredential=acme_corp.namely-token:{dir}/acme_corp.namely-token"),
        "Environment=ICIMS_NAMELY_SECRETS_DIR=%d".to_string(),
    ] {
        assert!(r.stdout.lines().any(|l| l == want), "{want}:\n{r}");
    }
    assert!(
        r.stderr
            .contains(&format!("warning: {dir}/acme_corp.namely-token is missing")),
        "{r}"
    );
    verify_systemd(test, &r.stdout);
    std::fs::write(secrets.path().join("acme_corp.namely-token"), "t\n").unwrap();
    std::fs::write(secrets.path().join("acme_corp.icims-hmac-key"), "k\n").unwrap();
    let r = home.code(
        &[
            "schedule",
            "print-unit",
            "Acme Corp",
            "--format",
            "systemd",
            "--secrets-dir",
            &dir,
        ],
        0,
    );
    assert_eq!(r.stderr, "", "no warning once the files are there:\n{r}");
}

fn plist_of(text: &str) -> plist::Dictionary {
    plist::Value::from_reader_xml(text.as_bytes())
        .unwrap_or_else(|e| panic!("not a plist ({e}):\n{text}"))
        .into_dictionary()
        .expect("a dictionary")
}

#[test]
fn launchd_plist_parses_back_with_the_program_and_its_environment() {
    let home = Home::new();
    let bin = binary().canonicalize().unwrap();
    home.add("Ops Team", "daily:07:30");
    home.add("acme", "every:2h");
    home.add("night", "every:45m");

    let d = plist_of(&home.unit("Ops Team", "launchd", &["--secrets-dir", "/srv/s"]));
    let label = d["Label"].as_string().unwrap();
    assert!(
        label.starts_with("com.icims-namely.sync.ops-team-"),
        "{label}"
    );
    let args: Vec<&str> = d["ProgramArguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect();
    assert_eq!(args, [bin.to_str().unwrap(), "sync", "Ops Team"]);
    let env = d["EnvironmentVariables"].as_dictionary().unwrap();
    assert_eq!(env["ICIMS_NAMELY_HOME"].as_string(), home.path().to_str());
    assert_eq!(env["ICIMS_NAMELY_SECRETS_DIR"].as_string(), Some("/srv/s"));
    let at = d["StartCalendarInterval"].as_dictionary().unwrap();
    assert_eq!(at["Hour"].as_signed_integer(), Some(7));
    assert_eq!(at["Minute"].as_signed_integer(), Some(30));
    let log = d["StandardErrorPath"].as_string().unwrap();
    assert!(
        Path::new(log).starts_with(home.path().join("logs")),
        "{log}"
    );

    let d = plist_of(&home.unit("acme", "launchd", &[]));
    let hours: Vec<i64> = d["StartCalendarInterval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e.as_dictionary().unwrap()["Hour"]
                .as_signed_integer()
                .unwrap()
        })
        .collect();
    assert_eq!(hours, (0..24).step_by(2).collect::<Vec<i64>>());
    assert!(
        !d["EnvironmentVariables"]
            .as_dictionary()
            .unwrap()
            .contains_key("ICIMS_NAMELY_SECRETS_DIR")
    );

    let d = plist_of(&home.unit("night", "launchd", &[]));
    assert_eq!(d["StartInterval"].as_signed_integer(), Some(45 * 60));
}

#[test]
fn the_crontab_line_runs_this_connection_in_this_data_folder() {
    let home = Home::new();
    let name = "Acme Corp";
    home.add(name, "every:15m");
    let secrets = tempfile::tempdir().unwrap();
    let dir = secrets.path().to_str().unwrap().to_string();
    let text = home.unit(name, "cron", &["--secrets-dir", &dir]);
    let entry = text.lines().last().unwrap();
    assert!(
        entry.starts_with("*/15 * * * * ICIMS_NAMELY_HOME="),
        "{text}"
    );
    assert!(text.contains("system time zone"), "{text}");

    // Run the command as cron would (`\%` is cron's literal `%`), with nothing of this
    // process's environment that could point it elsewhere (a HOME of its own, no keychain).
    let command = entry.splitn(6, ' ').nth(5).unwrap().replace("\\%", "%");
    let cron_home = tempfile::tempdir().unwrap();
    let run_as_cron = || {
        Command::new("sh")
            .args(["-c", &command])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", cron_home.path())
            .status()
            .expect("sh")
    };
    let log = || {
        let logs: Vec<PathBuf> = std::fs::read_dir(home.path().join("logs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let file = p.file_name().unwrap().to_string_lossy().into_owned();
                file.starts_with("cron-acme-corp-") && file.ends_with(".log")
            })
            .collect();
        assert_eq!(logs.len(), 1, "one log file for the connection: {logs:?}");
        std::fs::read_to_string(&logs[0]).unwrap()
    };
    let runs = || {
        let r = home.code(&["history", name, "--json"], 0);
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap_or_else(|e| panic!("{e}: {r}"))
    };

    // Without the secret files the sync stops before it starts, and the log says which.
    assert_eq!(run_as_cron().code(), Some(2));
    let said = log();
    assert!(
        said.contains("No Namely token is saved for \"Acme Corp\""),
        "{said}"
    );
    assert_eq!(runs(), serde_json::json!([]));

    // With them (private to the user), it reads them, runs its pre-flight against the
    // connection's addresses — which answer nothing — and records a run that did not start:
    // the line ran this connection, in this data folder, with the secrets of this folder.
    for (file, value) in [
        ("acme_corp.namely-token", "token\n"),
        ("acme_corp.icims-hmac-key", "key\n"),
    ] {
        let path = secrets.path().join(file);
        std::fs::write(&path, value).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
    assert_eq!(run_as_cron().code(), Some(3), "{}", log());
    let runs = runs();
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
    assert_eq!(runs[0]["status"], "not_started", "{runs}");
    assert_eq!(runs[0]["trigger"], "cli", "{runs}");
    assert!(log().contains("Could not reach Namely"), "{}", log());

    // Every 7 minutes cannot be said in a crontab.
    home.add("odd", "every:7m");
    for format in ["cron", "kubernetes"] {
        let r = home.code(&["schedule", "print-unit", "odd", "--format", format], 2);
        for part in ["every 7 minutes", "--format systemd", "run-scheduler"] {
            assert!(r.stderr.contains(part), "{part}:\n{r}");
        }
        assert_eq!(r.stdout, "", "{r}");
    }
}

#[test]
fn kubernetes_cronjob_parses_back() {
    let home = Home::new();
    home.add("Acme Corp", "daily:06:45");
    let text = home.unit(
        "Acme Corp",
        "kubernetes",
        &["--image", "ghcr.io/example/icims-namely:1.0"],
    );
    let y: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"));
    assert_eq!(y["kind"], "CronJob");
    assert_eq!(y["spec"]["schedule"], "45 6 * * *");
    assert!(
        y["spec"]["timeZone"]
            .as_str()
            .is_some_and(|z| !z.is_empty())
    );
    assert_eq!(y["spec"]["concurrencyPolicy"], "Forbid");
    let name = y["metadata"]["name"].as_str().unwrap();
    assert!(
        name.len() <= 52
            && name.starts_with("icims-namely-acme-corp-")
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "{name}"
    );
    let pod = &y["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "ghcr.io/example/icims-namely:1.0");
    assert_eq!(c["args"][1], "sync");
    assert_eq!(c["args"][2], "Acme Corp");
    assert_eq!(c["env"][0]["value"], "/data");
    assert_eq!(c["env"][1]["value"], "/run/secrets/icims-namely");
    assert_eq!(pod["volumes"][1]["secret"]["secretName"], name);
    assert_eq!(
        pod["volumes"][1]["secret"]["defaultMode"].as_u64(),
        Some(0o400)
    );
    assert!(
        text.contains(&format!("kubectl create secret generic {name}")),
        "{text}"
    );
}

#[test]
fn refusals_exit_2_and_say_what_to_do() {
    let home = Home::new();
    home.add("quiet", "off");
    let r = home.code(
        &["schedule", "print-unit", "quiet", "--format", "systemd"],
        2,
    );
    assert!(
        r.stderr.contains(
            "This connection's schedule is off; set one with `icims-namely connection edit \
             quiet --schedule every:1h`"
        ),
        "{r}"
    );
    assert_eq!(r.stdout, "", "{r}");

    let r = home.code(&["schedule", "print-unit", "nobody", "--format", "cron"], 2);
    assert!(r.stderr.contains("no connection named \"nobody\""), "{r}");
    assert!(r.stderr.contains("icims-namely connection list"), "{r}");

    home.add("acme", "every:1h");
    let r = home.code(
        &[
            "schedule",
            "print-unit",
            "acme",
            "--format",
            "cron",
            "--image",
            "x",
        ],
        2,
    );
    assert!(
        r.stderr
            .contains("--image is only used with --format kubernetes"),
        "{r}"
    );
    let r = home.code(
        &["schedule", "print-unit", "acme", "--format", "windows"],
        2,
    );
    assert!(r.stderr.contains("systemd"), "lists the formats:\n{r}");
}
