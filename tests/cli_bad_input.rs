//! End to end, the command line against bad input (issue 12): the built `icims-namely` on a
//! computer with no keychain (its `DBUS_SESSION_BUS_ADDRESS` points at nothing; secrets, when
//! a test needs them, in `ICIMS_NAMELY_SECRETS_DIR`), offline (`127.0.0.1:9`, where nothing
//! listens) or against the simulators of `icims-namely sandbox`:
//!
//! - a reader that goes away (`… | head -1`, a closed stdout or stderr) ends the output
//!   quietly: no panic, no exit code 101, the work done, the usual exit code;
//! - hostile values of every option are refused with exit code 2, quoted briefly (control
//!   characters escaped, cut at 40 characters), and nothing is stored;
//! - a secret that is empty, blank, 1 MB or not one word is refused, never echoed, never kept;
//! - without a keychain `secret set` and `check` say what to do in one paragraph;
//! - log lines stay off the terminal unless `--verbose`;
//! - a failed run never says "No hires to handle.";
//! - every exit code of the contract (0, 1, 2, 3, 130) is reached.
//!
//! Needs no keychain, so it always runs:
//!
//! ```sh
//! cargo build -p icims-namely-cli
//! cargo test -p icims-namely-e2e --test cli_bad_input
//! ```
//!
//! The binary is found as in `cli.rs` (support/cli.rs): next to this test's executable, or
//! `ICIMS_NAMELY_BIN`; it must be newer than its sources.
#![cfg(unix)]

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{Ran, SandboxProcess, files_containing, finish};
use serde_json::Value;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The most characters an error about one bad value may take.
const SHORT: usize = 300;
/// Where nothing listens: every request fails at once, before leaving the computer.
const NOWHERE: &str = "http://127.0.0.1:9";

/// A computer with no keychain: its own data folder, a D-Bus address that leads nowhere,
/// and, when asked for, a secrets folder.
struct Machine {
    home: tempfile::TempDir,
    no_bus: tempfile::TempDir,
    secrets: Option<tempfile::TempDir>,
}

impl Machine {
    fn new() -> Machine {
        Machine {
            home: cli_support::data_dir("home"),
            no_bus: tempfile::tempdir().unwrap(),
            secrets: None,
        }
    }

    /// With a secrets folder (mode 700), as on a server.
    fn with_secrets_folder() -> Machine {
        let secrets = tempfile::tempdir().unwrap();
        std::fs::set_permissions(secrets.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        Machine {
            secrets: Some(secrets),
            ..Machine::new()
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = cli_support::command(args);
        cmd.env("ICIMS_NAMELY_HOME", self.home.path()).env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", self.no_bus.path().join("no-bus").display()),
        );
        match &self.secrets {
            Some(dir) => cmd.env("ICIMS_NAMELY_SECRETS_DIR", dir.path()),
            None => cmd.env_remove("ICIMS_NAMELY_SECRETS_DIR"),
        };
        cmd
    }

    /// Runs to the end; fails the test on a panic, whatever the exit code.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Ran {
        no_panic(cli_support::run(self.command(args), stdin))
    }

    fn code(&self, args: &[&str], code: i32) -> Ran {
        let r = self.run(args, None);
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        r
    }

    fn code_stdin(&self, args: &[&str], stdin: &str, code: i32) -> Ran {
        let r = self.run(args, Some(stdin));
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        r
    }

    /// Runs with standard output (`stdout: true`) or standard error closed before the
    /// command starts: every write to it fails with a broken pipe.
    fn run_closed(&self, args: &[&str], stdout: bool) -> Ran {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null());
        if stdout {
            cmd.stdout(writer).stderr(Stdio::piped());
        } else {
            cmd.stderr(writer).stdout(Stdio::piped());
        }
        let child = cmd.spawn().expect("start icims-namely");
        drop(cmd);
        no_panic(finish(child, &args.join(" ")))
    }

    /// Runs with standard output read by a reader that takes one byte and leaves, as `head
    /// -c 1` does, while the command still has more to write.
    fn run_read_one_byte(&self, args: &[&str]) -> Ran {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child: Child = cmd.spawn().expect("start icims-namely");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).expect("the first byte");
        drop(stdout);
        let mut r = no_panic(finish(child, &args.join(" ")));
        r.stdout = String::from_utf8_lossy(&first).into_owned();
        r
    }

    /// `connection add NAME` for a company nobody will answer for (a customer id of its
    /// own: one connection per company and customer).
    fn add_offline(&self, name: &str) {
        self.code(&strs(&offline_args(name)), 0);
    }

    /// `connection add NAME` pointed at the simulators, and its secrets as files of the
    /// secrets folder.
    fn add_to(&self, sandbox: &SandboxProcess, name: &str, extra: &[&str]) {
        let mut add = sandbox.connection_add(name);
        add.extend(extra.iter().map(|s| s.to_string()));
        self.code(&strs(&add), 0);
        self.put(name, "namely-token", &sandbox.value("Namely token"));
        self.put(name, "icims-hmac-key", &sandbox.value("iCIMS HMAC key"));
    }

    /// Writes a secret file of the secrets folder (`echo value > file; chmod 600 file`).
    fn put(&self, connection: &str, kind: &str, value: &str) {
        let dir = self
            .secrets
            .as_ref()
            .expect("a machine with a secrets folder");
        let stem = connection.to_lowercase().replace(' ', "_");
        let path = dir.path().join(format!("{stem}.{kind}"));
        std::fs::write(&path, format!("{value}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    /// The connections `connection list --json` shows.
    fn connections(&self) -> Vec<Value> {
        self.code(&["connection", "list", "--json"], 0)
            .json()
            .as_array()
            .cloned()
            .expect("a list")
    }

    /// The newest run of a connection, from another process.
    fn latest_run(&self, name: &str) -> Option<Value> {
        self.code(&["history", name, "--json"], 0)
            .json()
            .as_array()
            .and_then(|runs| runs.first().cloned())
    }
}

/// `connection add NAME` pointed at [`NOWHERE`], with a customer id of its own.
fn offline_args(name: &str) -> Vec<String> {
    static NEXT_ID: AtomicU32 = AtomicU32::new(1000);
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed).to_string();
    let namely = format!("{NOWHERE}/api/v1");
    [
        "connection",
        "add",
        name,
        "--namely-permalink",
        "acme",
        "--icims-customer-id",
        &id,
        "--icims-username",
        "api",
        "--icims-url",
        NOWHERE,
        "--namely-url",
        &namely,
    ]
    .map(str::to_string)
    .to_vec()
}

/// Arguments as the harness takes them.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The run, failing the test if it panicked (exit code 101, "panicked" on stderr).
fn no_panic(r: Ran) -> Ran {
    assert!(
        r.code != 101 && !r.stderr.contains("panicked") && !r.stderr.contains("stack backtrace"),
        "it panicked:\n{r}"
    );
    r
}

/// The one `error: …` message of a refused value: on standard error, one line, short, the
/// option named; nothing on standard output.
fn refusal<'a>(r: &'a Ran, option: &str) -> &'a str {
    let message = r.stderr.trim_end();
    assert!(message.starts_with("error: "), "{r}");
    assert_eq!(message.lines().count(), 1, "one line:\n{r}");
    assert!(
        message.chars().count() < SHORT,
        "{} characters:\n{r}",
        message.chars().count()
    );
    assert!(message.contains(option), "names {option}:\n{r}");
    assert!(r.stdout.is_empty(), "{r}");
    message
}

/// `connection add` of a valid connection with one option replaced.
fn add_args<'a>(name: &'a str, replace: &'a str, value: &'a str) -> Vec<&'a str> {
    let mut args = vec!["connection", "add", name];
    for (option, default) in [
        ("--namely-permalink", "acme"),
        ("--icims-customer-id", "1234"),
        ("--icims-username", "api"),
    ] {
        if option != replace {
            args.extend([option, default]);
        }
    }
    if replace != "NAME" {
        args.extend([replace, value]);
    }
    args
}

/// `add_args`, the value given as `--option=VALUE` (so that `-5` is a value, not an option).
fn add_joined(replace: &str, value: &str) -> Vec<String> {
    let mut args: Vec<String> = add_args("acme", replace, "")
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.truncate(args.len() - 2);
    args.push(format!("{replace}={value}"));
    args
}

// ------------------------------------------------------------------------------------------
// Closed pipes
// ------------------------------------------------------------------------------------------

#[test]
fn a_closed_stdout_ends_the_output_quietly_and_the_work_is_done() {
    let m = Machine::with_secrets_folder();
    // `connection add … | head -1` as first reported: exit 0, and the connection is there.
    for name in ["Closed One", "Closed Two", "Closed Three"] {
        let r = m.run_closed(&strs(&offline_args(name)), true);
        assert_eq!(r.code, 0, "{r}");
        assert!(r.stderr.is_empty(), "nothing to say about the pipe:\n{r}");
    }
    assert_eq!(m.connections().len(), 3);
    m.put("Closed One", "namely-token", "token-for-nobody");
    m.put("Closed One", "icims-hmac-key", "key-for-nobody");

    // A sync whose reader is gone still runs to its end and records it (the run is not left
    // "running"), with its usual exit code (3: Namely cannot be reached).
    let r = m.run_closed(&["sync", "Closed One"], true);
    assert_eq!(r.code, 3, "{r}");
    let run = m
        .latest_run("Closed One")
        .expect("the sync recorded its run");
    assert_eq!(run["status"], "not_started", "{run}");
    assert!(run["ended_at"].is_string(), "the run ended: {run}");

    // Every command with output, its usual exit code, no panic.
    for (args, code) in [
        (vec!["--help"], 0),
        (vec!["connection", "list"], 0),
        (vec!["connection", "list", "--json"], 0),
        (vec!["connection", "show", "Closed One"], 0),
        (vec!["history", "Closed One"], 0),
        (vec!["history", "Closed One", "--json"], 0),
        (vec!["history", "Closed One", "--run", "1"], 0),
        (vec!["check", "Closed One"], 3),
        (vec!["sync", "Closed One", "--json"], 3),
        (vec!["connection", "show", "nobody"], 2),
    ] {
        let r = m.run_closed(&args, true);
        assert_eq!(r.code, code, "{r}");
    }
    assert_eq!(
        m.code(&["history", "Closed One", "--json"], 0)
            .json()
            .as_array()
            .map(Vec::len),
        Some(2),
        "both syncs recorded"
    );
}

#[test]
fn a_closed_stderr_changes_no_exit_code() {
    let m = Machine::new();
    // Errors and hints go to standard error; with it closed the exit code is the same.
    let r = m.run_closed(&add_args("acme", "--icims-customer-id", "abc"), false);
    assert_eq!(r.code, 2, "{r}");
    let r = m.run_closed(&["connection", "show", "nobody"], false);
    assert_eq!(r.code, 2, "{r}");
    m.add_offline("quiet");
    let r = m.run_closed(&["sync", "quiet"], false);
    assert_eq!(r.code, 2, "no secrets: {r}");
    let r = m.run_closed(&["connection", "list"], false);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("quiet"), "stdout still works:\n{r}");
}

/// `connection list > /dev/full`: the output is lost, so the command says so and a success
/// becomes exit code 1; a failure keeps its code.
#[cfg(target_os = "linux")]
#[test]
fn output_lost_to_a_full_disk_is_said_and_is_no_success() {
    let m = Machine::new();
    m.add_offline("full");
    let full = |args: &[&str]| {
        let mut cmd = m.command(args);
        let dev_full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("open /dev/full");
        cmd.stdin(Stdio::null())
            .stdout(dev_full)
            .stderr(Stdio::piped());
        no_panic(finish(cmd.spawn().expect("start"), &args.join(" ")))
    };
    let r = full(&["connection", "list"]);
    assert_eq!(r.code, 1, "{r}");
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "said once:\n{r}");
    assert!(
        r.stderr
            .contains("error: could not write to standard output (No space left on device"),
        "{r}"
    );
    let r = full(&["connection", "show", "nobody"]);
    assert_eq!(r.code, 2, "{r}");
}

/// `history NAME --json | head -c 1` (and the table, and `--help | head -1`) while the
/// command still has far more to write than a pipe holds.
#[test]
fn a_reader_that_leaves_after_one_byte_ends_the_output_quietly() {
    let m = Machine::with_secrets_folder();
    m.add_offline("busy");
    m.put("busy", "namely-token", "token-for-nobody");
    m.put("busy", "icims-hmac-key", "key-for-nobody");
    // Many runs (each did not start: nobody answers), so that the history is long.
    for _ in 0..170 {
        m.code(&["sync", "busy"], 3);
    }
    let whole = m.code(&["history", "busy", "--json", "--limit", "1000"], 0);
    assert!(
        whole.stdout.len() > 128 * 1024,
        "more than a pipe holds: {} bytes",
        whole.stdout.len()
    );
    let r = m.run_read_one_byte(&["history", "busy", "--json", "--limit", "1000"]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.stdout, "[", "the first byte of the JSON");
    assert!(r.stderr.is_empty(), "nothing to say about the pipe:\n{r}");
    // `--help | head -1`: clap's own page, as quiet.
    let r = m.run_read_one_byte(&["--help"]);
    assert_eq!(r.code, 0, "{r}");
    assert_eq!(r.stdout, "S", "the help page's first byte");
}

// ------------------------------------------------------------------------------------------
// Names and options
// ------------------------------------------------------------------------------------------

#[test]
fn a_10000_character_name_is_refused_in_a_short_message() {
    let m = Machine::new();
    let long = "x".repeat(10_000);
    let r = m.code(&add_args(&long, "NAME", ""), 2);
    let message = refusal(&r, "NAME");
    assert!(message.contains("(10000 characters)"), "{r}");
    assert!(message.contains("1 to 64 characters"), "says the rule: {r}");
    assert!(m.connections().is_empty());
    // Every command that takes a name repeats it as briefly.
    for args in [
        vec!["connection", "show", &long],
        vec!["connection", "remove", &long],
        vec!["connection", "edit", &long, "--schedule", "off"],
        vec!["check", &long],
        vec!["sync", &long],
        vec!["history", &long],
        vec!["owner", &long],
        vec!["review", &long],
        vec!["secret", "set", &long, "namely-token"],
        vec!["schedule", "print-unit", &long, "--format", "cron"],
    ] {
        let r = m.run(&args, Some("token\n"));
        assert_eq!(r.code, 2, "{r}");
        assert!(
            r.stderr.chars().count() < SHORT && r.stderr.contains("(10000 characters)"),
            "{r}"
        );
    }
}

#[test]
fn a_name_with_control_characters_is_shown_escaped() {
    let m = Machine::new();
    let name = "a\u{7}b\nc";
    let r = m.code(&add_args(name, "NAME", ""), 2);
    let message = refusal(&r, "NAME");
    assert!(message.contains(r#""a\u{7}b\nc""#), "escaped: {r}");
    assert!(!r.stderr.contains('\u{7}'), "{r}");
    let r = m.code(&["connection", "show", name], 2);
    assert!(
        r.stderr.contains(r#"no connection named "a\u{7}b\nc""#),
        "{r}"
    );
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{r}");
    assert!(m.connections().is_empty());
}

#[test]
fn an_empty_or_blank_name_is_refused() {
    let m = Machine::new();
    for name in ["", "   ", "\t"] {
        let r = m.code(&add_args(name, "NAME", ""), 2);
        let message = refusal(&r, "NAME");
        assert!(message.contains("The connection name is empty"), "{r}");
    }
    assert!(m.connections().is_empty());
}

#[test]
fn customer_ids_that_are_not_the_digits_icims_gave_are_refused() {
    let m = Machine::new();
    for id in ["abc", "-5", "12 34", "1234567890123456789012345"] {
        let args = add_joined("--icims-customer-id", id);
        let r = m.code(&strs(&args), 2);
        let message = refusal(&r, "--icims-customer-id");
        assert!(
            message.contains(&format!("\"{id}\" is not an iCIMS Customer ID"))
                && message.contains("only digits")
                && message.contains("iCIMS integration specialist gave"),
            "{r}"
        );
    }
    assert!(m.connections().is_empty());
}

#[test]
fn permalinks_that_point_elsewhere_are_refused() {
    let m = Machine::new();
    for (permalink, says) in [
        (
            "acme.namely.com.evil.example",
            "acme.namely.com.evil.example is not a Namely address",
        ),
        (
            "https://evil.example/acme",
            "evil.example is not a Namely address",
        ),
        ("acme/../x", "The name contains '/'"),
        ("user@acme.namely.com", "The name contains '@'"),
    ] {
        let r = m.code(&add_args("acme", "--namely-permalink", permalink), 2);
        let message = refusal(&r, "--namely-permalink");
        assert!(message.contains(says), "{r}");
        assert!(
            message.contains("for example acme"),
            "says what to type: {r}"
        );
    }
    assert!(m.connections().is_empty());
}

#[test]
fn plain_http_to_another_host_is_refused() {
    let m = Machine::new();
    let r = m.code(&add_args("acme", "--namely-url", "http://evil.example"), 2);
    let message = refusal(&r, "--namely-url");
    assert!(
        message.contains("plain http is only allowed for this computer")
            && message.contains("use an https:// address"),
        "{r}"
    );
    assert!(m.connections().is_empty());
}

#[test]
fn a_day_that_does_not_exist_is_refused() {
    let m = Machine::new();
    let r = m.code(&add_args("acme", "--start-from", "2024-02-30"), 2);
    let message = refusal(&r, "--start-from");
    assert!(
        message.contains("\"2024-02-30\" is not a date") && message.contains("YYYY-MM-DD"),
        "{r}"
    );
    assert!(m.connections().is_empty());
}

#[test]
fn schedules_off_the_clock_are_refused() {
    let m = Machine::new();
    for (spec, says) in [
        ("daily:25:00", "25:00 is not a time of day"),
        ("every:0m", "Every 0 minutes is outside 1 to 1440 minutes"),
    ] {
        let r = m.code(&add_args("acme", "--schedule", spec), 2);
        let message = refusal(&r, "--schedule");
        assert!(message.contains(says), "{r}");
        assert!(
            message.contains("\"daily:07:00\""),
            "says what to type: {r}"
        );
    }
    assert!(m.connections().is_empty());
    m.add_offline("sched");
    let r = m.code(
        &["connection", "edit", "sched", "--schedule", "every:0m"],
        2,
    );
    refusal(&r, "--schedule");
}

#[test]
fn long_values_are_cut_and_control_characters_escaped_in_every_message() {
    let m = Machine::new();
    let long = format!("{}\u{7}", "y".repeat(10_000));
    for option in [
        "--icims-customer-id",
        "--icims-username",
        "--hired-status",
        "--start-from",
        "--schedule",
    ] {
        let r = m.code(&add_args("acme", option, &long), 2);
        let message = refusal(&r, option);
        assert!(!message.contains('\u{7}'), "{r}");
        assert!(!message.contains(&"y".repeat(41)), "cut at 40: {r}");
    }
    assert!(m.connections().is_empty());
}

// ------------------------------------------------------------------------------------------
// Secrets
// ------------------------------------------------------------------------------------------

/// The secrets of a connection as `connection show --json` lists them: kind → set.
fn secrets_set(m: &Machine, name: &str) -> Vec<(String, bool)> {
    let shown = m.code(&["connection", "show", name, "--json"], 0).json();
    shown["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .map(|s| {
            (
                s["kind"].as_str().unwrap_or_default().to_string(),
                s["set"] == true,
            )
        })
        .collect()
}

#[test]
fn an_empty_or_blank_secret_is_refused() {
    let m = Machine::new();
    m.add_offline("blank");
    for (kind, input) in [
        ("icims-hmac-key", ""),
        ("icims-hmac-key", "  \n \t\n"),
        ("namely-token", "\n"),
    ] {
        let r = m.code_stdin(&["secret", "set", "blank", kind], input, 2);
        assert!(r.stderr.contains("is empty. Paste it again."), "{r}");
        assert_eq!(r.stderr.trim_end().lines().count(), 1, "{r}");
    }
    assert!(
        secrets_set(&m, "blank").iter().all(|(_, set)| !set),
        "nothing stored"
    );
}

#[test]
fn a_1_mb_secret_is_refused_with_the_limit_never_echoed_nor_kept() {
    let m = Machine::new();
    m.add_offline("huge");
    let canary = "CANARY-1MB-";
    let value = canary.repeat(1024 * 1024 / canary.len());
    let r = m.code_stdin(&["secret", "set", "huge", "icims-hmac-key"], &value, 2);
    assert!(
        r.stderr.contains("longer than 4096 characters")
            && r.stderr.contains("paste only the iCIMS HMAC key"),
        "{r}"
    );
    assert!(r.stderr.len() < SHORT, "{r}");
    assert!(
        !r.stderr.contains("CANARY") && !r.stdout.contains("CANARY"),
        "{r}"
    );
    assert!(
        secrets_set(&m, "huge").iter().all(|(_, set)| !set),
        "nothing stored"
    );
    let check = m.code(&["check", "huge"], 3);
    assert!(
        check.stdout.contains("iCIMS HMAC key    not set"),
        "{check}"
    );
    assert!(
        files_containing(m.home.path(), canary.as_bytes()).is_empty(),
        "the value is in the data folder"
    );
}

#[test]
fn a_namely_token_with_a_space_or_line_break_inside_is_refused() {
    let m = Machine::new();
    m.add_offline("split");
    for input in ["first-half\nsecond-half\n", "first-half second-half"] {
        let r = m.code_stdin(&["secret", "set", "split", "namely-token"], input, 2);
        assert!(
            r.stderr
                .contains("The Namely token has a space or a line break inside it"),
            "{r}"
        );
        assert!(!r.stderr.contains("first-half"), "never echoed: {r}");
    }
    // One trailing newline is the shell's, and a key's inner line break is refused too.
    let r = m.code_stdin(&["secret", "set", "split", "icims-hmac-key"], "a\nb\n", 2);
    assert!(r.stderr.contains("a key is one line"), "{r}");
    assert!(secrets_set(&m, "split").iter().all(|(_, set)| !set));
}

/// Without a keychain (Linux: no Secret Service on the D-Bus session), `secret set` and
/// `check` say in one paragraph how to get one or how to use the secrets folder, with the
/// file's name, and never offer "secrets kept for this session only", which a command that
/// ends at once cannot do.
#[cfg(target_os = "linux")]
#[test]
fn without_a_keychain_secret_set_and_check_say_what_to_do_in_one_paragraph() {
    let m = Machine::new();
    m.add_offline("Acme Corp");
    let r = m.code_stdin(
        &["secret", "set", "Acme Corp", "namely-token"],
        "a-good-token\n",
        3,
    );
    let said = r.stderr.trim_end();
    assert_eq!(said.lines().count(), 1, "one paragraph:\n{r}");
    for part in [
        "No system keychain is running",
        "Install and unlock GNOME Keyring or KWallet",
        "ICIMS_NAMELY_SECRETS_DIR",
        "acme_corp.namely-token",
    ] {
        assert!(said.contains(part), "says {part:?}:\n{r}");
    }
    assert!(!said.contains("a-good-token"), "{r}");
    let check = m.code(&["check", "Acme Corp"], 3);
    let paragraphs: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.contains("No system keychain is running"))
        .collect();
    assert_eq!(paragraphs.len(), 1, "{check}");
    for part in [
        "ICIMS_NAMELY_SECRETS_DIR",
        "acme_corp.namely-token",
        "acme_corp.icims-hmac-key",
    ] {
        assert!(paragraphs[0].contains(part), "says {part:?}:\n{check}");
    }
    let sync = m.code(&["sync", "Acme Corp"], 2);
    assert!(
        sync.stderr.contains("acme_corp.namely-token") && !sync.stderr.contains("secret set"),
        "no advice that cannot work here:\n{sync}"
    );
    for r in [&r, &check, &sync] {
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(!all.contains("session only"), "{r}");
    }
    assert!(secrets_set(&m, "Acme Corp").iter().all(|(_, set)| !set));
}

// ------------------------------------------------------------------------------------------
// Offline: log lines, a failed run
// ------------------------------------------------------------------------------------------

/// What a log line or the HTTP library's error chain looks like.
fn log_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| {
            l.contains(" WARN ")
                || l.contains(" INFO ")
                || l.contains("reqwest")
                || l.contains("hyper")
                || l.contains("error sending request")
                || l.contains("tcp connect error")
        })
        .collect()
}

#[test]
fn offline_check_and_sync_print_no_log_lines_unless_verbose() {
    let m = Machine::with_secrets_folder();
    m.add_offline("offline");
    m.put("offline", "namely-token", "token-for-nobody");
    m.put("offline", "icims-hmac-key", "key-for-nobody");
    let check = m.code(&["check", "offline"], 3);
    assert!(check.stdout.contains("Could not reach Namely"), "{check}");
    let sync = m.code(&["sync", "offline"], 3);
    assert!(sync.stdout.contains("The sync did not start"), "{sync}");
    for r in [&check, &sync] {
        assert!(
            log_lines(&r.stdout).is_empty() && log_lines(&r.stderr).is_empty(),
            "log lines on the terminal:\n{r}"
        );
    }
    for args in [
        vec!["check", "offline", "--verbose"],
        vec!["--verbose", "sync", "offline"],
    ] {
        let r = m.code(&args, 3);
        assert!(r.stderr.contains(" WARN "), "--verbose shows the log:\n{r}");
        assert!(log_lines(&r.stdout).is_empty(), "not on stdout:\n{r}");
    }
}

#[test]
fn a_sync_that_fails_never_says_there_were_no_hires() {
    let m = Machine::with_secrets_folder();
    m.add_offline("failing");
    m.put("failing", "namely-token", "token-for-nobody");
    m.put("failing", "icims-hmac-key", "key-for-nobody");
    let r = m.code(&["sync", "failing"], 3);
    assert!(!r.stdout.contains("No hires to handle"), "{r}");
    assert!(
        r.stdout.contains("did not start") && r.stdout.contains("Could not reach Namely"),
        "says what failed:\n{r}"
    );
    assert!(
        r.stderr
            .contains("`icims-namely check failing` checks the setup again"),
        "says what to do:\n{r}"
    );
    let shown = m.code(&["history", "failing", "--run", "1"], 0);
    assert!(!shown.stdout.contains("No hires to handle"), "{shown}");
}

#[test]
fn a_sync_stopped_before_any_hire_says_so_not_that_there_were_none() {
    // 201 iCIMS calls a day, 200 kept in reserve: after the check, the sync stops at once.
    let sandbox = SandboxProcess::start(&["--daily-limit", "201"]);
    let m = Machine::with_secrets_folder();
    m.add_to(&sandbox, "spent", &["--start-from", "2000-01-01"]);
    // Signs in and chooses the owner, as the pre-flight needs.
    m.run(&["check", "spent"], None);
    let r = m.code(&["sync", "spent"], 1);
    assert!(r.stdout.contains("stopped (iCIMS daily budget)"), "{r}");
    assert!(!r.stdout.contains("No hires to handle"), "{r}");
    assert!(
        r.stdout
            .contains("No hire was handled before the iCIMS daily budget ran out")
            && r.stdout
                .contains("`icims-namely sync spent` after the budget resets"),
        "says what happened and what next:\n{r}"
    );
}

// ------------------------------------------------------------------------------------------
// Exit codes 0, 1 and 130 (2 and 3 above)
// ------------------------------------------------------------------------------------------

#[test]
fn a_sync_stopped_by_the_icims_daily_budget_exits_1_after_a_check_that_exits_0() {
    // 210 calls a day, 200 kept in reserve: the sync stops after a few hires.
    let sandbox = SandboxProcess::start(&["--daily-limit", "210"]);
    let m = Machine::with_secrets_folder();
    m.add_to(&sandbox, "budget", &["--start-from", "2000-01-01"]);
    let check = m.code(&["check", "budget"], 0);
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");
    let r = m.code(&["sync", "budget", "--json"], 1);
    let run = r.json();
    assert_eq!(run["summary"]["status"], "stopped_budget", "{r}");
    assert_eq!(run["summary"]["error_code"], "icims_budget", "{r}");
    let table = m.code(&["history", "budget"], 0);
    assert!(
        table.stdout.contains("stopped (iCIMS daily budget)"),
        "{table}"
    );
}

#[test]
fn a_second_ctrl_c_quits_a_sync_at_once_with_130_without_a_keychain() {
    // So slow that the pre-flight alone takes seconds.
    let sandbox = SandboxProcess::start(&["--latency-ms", "1500"]);
    let m = Machine::with_secrets_folder();
    m.add_to(&sandbox, "stop", &[]);
    let mut cmd = m.command(&["sync", "stop"]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("start the sync");
    // The run is recorded before its pre-flight: the handlers are in place by then.
    let deadline = Instant::now() + cli_support::COMMAND_TIMEOUT;
    while m.latest_run("stop").is_none() {
        assert!(Instant::now() < deadline, "the sync recorded no run");
        std::thread::sleep(Duration::from_millis(50));
    }
    let r = no_panic(cli_support::interrupt_twice(child, "sync stop"));
    assert_eq!(r.code, 130, "{r}");
    assert!(r.stderr.contains("Quit at once."), "{r}");
    let latest = m.latest_run("stop").expect("a run");
    assert_eq!(latest["status"], "interrupted", "{latest}");
    assert_eq!(latest["counts"]["created"], 0, "{latest}");
}
