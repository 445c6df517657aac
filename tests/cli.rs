//! End-to-end tests of the `icims-namely` command line: the built binary, driven as a person or
//! a script would drive it, against the simulators of the `icims-namely sandbox` command.
//!
//! The command line keeps secrets only in a persistent system keychain, so the tests that need
//! one are `#[ignore]`d: a plain `cargo test` reports them as ignored (`--help` and the
//! sandbox's banner need no keychain and always run). They run inside the private D-Bus
//! session with a real gnome-keyring that `scripts/with-secret-service.sh` provides, which
//! `scripts/test.sh` does; included without it, they fail and say how to run them:
//!
//! ```sh
//! cargo build --workspace            # the binary under test; scripts/test.sh does this first
//! scripts/with-secret-service.sh env ICIMS_NAMELY_SECRET_SERVICE_TEST=1 \
//!     cargo test --workspace --test keychain --test cli -- --include-ignored
//! ```
//!
//! **The binary is not built by this test.** Cargo sets `CARGO_BIN_EXE_<name>` only for the
//! tests of the package that owns the binary, and this package is not `icims-namely-cli`. The
//! binary is taken from next to this test's executable (`target/<profile>/icims-namely`), or
//! from `ICIMS_NAMELY_BIN` when set. A missing binary, or one older than a source file it was
//! built from (per its Cargo dep-info file), fails the tests with the command to run.
//!
//! Every test has its own data folder (`ICIMS_NAMELY_HOME`) and connection names unique to the
//! process: keychain entries are shared by everything in the session. Connections are removed
//! at the end, also when a test fails.

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{
    COMMAND_TIMEOUT, Ran, SandboxProcess, all_files, binary_if_found, files_containing, finish,
    kill, run,
};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

// ------------------------------------------------------------------------------------------
// Harness (the rest is in support/cli.rs)
// ------------------------------------------------------------------------------------------

/// Fails the test unless it runs inside the private keyring of
/// `scripts/with-secret-service.sh` (the tests calling it are `#[ignore]`d, so this only
/// happens when they are included by hand).
fn needs_keychain() {
    assert!(
        std::env::var("ICIMS_NAMELY_SECRET_SERVICE_TEST").is_ok_and(|v| v == "1"),
        "this test needs a real Secret Service: run it with scripts/with-secret-service.sh env \
         ICIMS_NAMELY_SECRET_SERVICE_TEST=1 cargo test --workspace --test cli -- --include-ignored"
    );
}

/// A connection name unique to this test and process.
fn conn(test: &str) -> String {
    format!("e2e-{test}-{}", std::process::id())
}

/// Runs the binary with a private data folder and records every command and its output.
struct Cli {
    home: tempfile::TempDir,
    /// Where CSV exports go (outside the data folder, like a person's Downloads).
    exports: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
    ran: RefCell<Vec<Ran>>,
    /// Connections to remove at the end, whatever happened.
    names: RefCell<Vec<String>>,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            home: cli_support::data_dir("home"),
            exports: cli_support::data_dir("exports"),
            env: Vec::new(),
            ran: RefCell::new(Vec::new()),
            names: RefCell::new(Vec::new()),
        }
    }

    fn with_env(mut self, key: &'static str, value: &str) -> Cli {
        self.env.push((key, value.to_string()));
        self
    }

    /// Registers a connection name for removal when the test ends.
    fn connection(&self, name: &str) -> String {
        self.names.borrow_mut().push(name.to_string());
        name.to_string()
    }

    fn run(&self, args: &[&str]) -> Ran {
        self.exec(args, None)
    }

    fn run_stdin(&self, args: &[&str], input: &str) -> Ran {
        self.exec(args, Some(input))
    }

    /// Runs and asserts the exit code.
    fn code(&self, args: &[&str], code: i32) -> Ran {
        let r = self.run(args);
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        r
    }

    fn ok(&self, args: &[&str]) -> Ran {
        self.code(args, 0)
    }

    fn ok_stdin(&self, args: &[&str], input: &str) -> Ran {
        let r = self.run_stdin(args, input);
        assert_eq!(r.code, 0, "unexpected exit code:\n{r}");
        r
    }

    /// Runs a `--json` command that must succeed and returns what it printed.
    fn json(&self, args: &[&str]) -> Value {
        self.ok(args).json()
    }

    /// The binary with these arguments, this data folder and this environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = cli_support::command(args);
        cmd.env("ICIMS_NAMELY_HOME", self.home.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Starts a command without waiting for it (to signal it), its output piped.
    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start icims-namely {}: {e}", args.join(" ")))
    }

    fn exec(&self, args: &[&str], input: Option<&str>) -> Ran {
        let ran = run(self.command(args), input);
        self.ran.borrow_mut().push(ran.clone());
        ran
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        // Keychain entries outlive the temporary data folder: remove what a failed test left.
        let Some(bin) = binary_if_found() else { return };
        // The history stays when the data folder is kept for the canary scan (scripts/test.sh).
        let keep = std::env::var_os("ICIMS_NAMELY_KEEP_TEST_DATA").is_some_and(|v| !v.is_empty());
        for name in self.names.borrow().iter() {
            let _ = Command::new(bin)
                .args(["connection", "remove", name])
                .args((!keep).then_some("--delete-history"))
                .env("ICIMS_NAMELY_HOME", self.home.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The records of a run, as `sync --json` / `history --run ID --json` print them.
fn records(run: &Value) -> &Vec<Value> {
    run["records"].as_array().expect("records")
}

fn count(run: &Value, key: &str) -> u64 {
    run["summary"]["counts"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("counts.{key} in {run}"))
}

fn outcomes(run: &Value, outcome: &str) -> usize {
    records(run)
        .iter()
        .filter(|r| r["outcome"] == outcome)
        .count()
}

// ------------------------------------------------------------------------------------------
// The README walkthrough
// ------------------------------------------------------------------------------------------

/// The README's walkthrough against a running `icims-namely sandbox`, typing what the sandbox
/// printed. `checkpoint` runs after each stage that writes (the data folder can be inspected).
fn walkthrough(cli: &Cli, sandbox: &SandboxProcess, name: &str, checkpoint: &mut dyn FnMut(&str)) {
    let icims_url = sandbox.value("iCIMS URL");
    let namely_url = sandbox.value("Namely URL");
    let customer = sandbox.value("iCIMS Customer ID");
    let username = sandbox.value("iCIMS Username");
    let permalink = sandbox.value("Namely permalink");
    let key = sandbox.value("iCIMS HMAC key");
    let token = sandbox.value("Namely token");
    assert!(icims_url.starts_with("http://127.0.0.1:"), "{icims_url}");
    assert!(
        namely_url.starts_with("http://127.0.0.1:") && namely_url.ends_with("/api/v1"),
        "{namely_url}"
    );

    // icims-namely connection add demo --namely-permalink sandbox --icims-customer-id 1234 \
    //     --icims-username sandbox-api --icims-url … --namely-url …
    let added = cli.ok(&[
        "connection",
        "add",
        name,
        "--namely-permalink",
        &permalink,
        "--icims-customer-id",
        &customer,
        "--icims-username",
        &username,
        "--icims-url",
        &icims_url,
        "--namely-url",
        &namely_url,
    ]);
    assert!(
        added
            .stdout
            .contains(&format!("Added connection \"{name}\"")),
        "{added}"
    );

    // echo '…' | icims-namely secret set demo namely-token   (and icims-hmac-key)
    let saved = cli.ok_stdin(
        &["secret", "set", name, "namely-token"],
        &format!("{token}\n"),
    );
    assert!(saved.stdout.contains("Saved the Namely token"), "{saved}");
    let saved = cli.ok_stdin(
        &["secret", "set", name, "icims-hmac-key"],
        &format!("{key}\n"),
    );
    assert!(saved.stdout.contains("Saved the iCIMS HMAC key"), "{saved}");
    let shown = cli.json(&["connection", "show", name, "--json"]);
    let secrets = shown["secrets"].as_array().expect("secrets");
    assert_eq!(secrets.len(), 2, "{shown}");
    assert!(
        secrets
            .iter()
            .all(|s| s["set"] == true && s["saved_at"].is_string()),
        "{shown}"
    );
    checkpoint("after secret set");

    // icims-namely check demo
    let check = cli.ok(&["check", name]);
    let ok_lines = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("ok "))
        .count();
    assert_eq!(ok_lines, 4, "{check}");
    assert!(!check.stdout.contains("FAIL"), "{check}");
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");

    // icims-namely sync demo --dry-run
    let dry = cli.json(&["sync", name, "--dry-run", "--json"]);
    assert_eq!(dry["summary"]["dry_run"], true, "{dry}");
    assert_eq!(dry["summary"]["status"], "succeeded", "{dry}");
    let would = count(&dry, "would_create");
    assert!(would > 0, "the sandbox has hires to add: {dry}");
    assert_eq!(count(&dry, "created"), 0, "{dry}");
    assert_eq!(outcomes(&dry, "would_create") as u64, would);
    assert_eq!(outcomes(&dry, "created"), 0);
    checkpoint("after the dry run");

    // icims-namely sync demo
    let first = cli.json(&["sync", name, "--json"]);
    assert_eq!(first["summary"]["dry_run"], false, "{first}");
    assert_eq!(first["summary"]["status"], "succeeded", "{first}");
    assert_eq!(
        count(&first, "created"),
        would,
        "adds what the dry run showed"
    );
    assert_eq!(count(&first, "would_create"), 0);
    assert_eq!(count(&first, "failed"), 0);
    assert_eq!(outcomes(&first, "created") as u64, would);
    for r in records(&first).iter().filter(|r| r["outcome"] == "created") {
        assert!(r["namely_profile_id"].is_string(), "{r}");
    }
    // The same people, planned the same way.
    let planned = |run: &Value, outcome: &str| -> BTreeSet<u64> {
        records(run)
            .iter()
            .filter(|r| r["outcome"] == outcome)
            .filter_map(|r| r["person_id"].as_u64())
            .collect()
    };
    assert_eq!(planned(&dry, "would_create"), planned(&first, "created"));
    checkpoint("after the first sync");

    // icims-namely sync demo          # again: creates nobody
    let again = cli.ok(&["sync", name]);
    assert!(
        again.stdout.contains(" 0 added") || again.stdout.contains("\n0 added"),
        "{again}"
    );

    // Nothing failed: retrying is a success that runs nothing (no new run in history).
    let retry = cli.ok(&["sync", name, "--retry-failed"]);
    assert!(
        retry.stdout.contains("No failed records to retry"),
        "{retry}"
    );

    // icims-namely history demo
    let table = cli.ok(&["history", name]);
    let rows = table
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(rows, 3, "three runs:\n{table}");
    let runs = cli.json(&["history", name, "--json"]);
    let runs = runs.as_array().expect("runs");
    let ids: Vec<i64> = runs.iter().filter_map(|r| r["id"].as_i64()).collect();
    let (dry_id, first_id) = (
        dry["summary"]["id"].as_i64().expect("id"),
        first["summary"]["id"].as_i64().expect("id"),
    );
    assert_eq!(ids.len(), 3, "{runs:?}");
    assert_eq!(
        [ids[2], ids[1]],
        [dry_id, first_id],
        "newest first: {ids:?}"
    );
    assert_eq!(
        [dry_id, first_id, ids[0]],
        [1, 2, 3],
        "a fresh data folder numbers the runs 1, 2, 3 (the README's `--run 2`)"
    );
    assert_eq!(
        runs[0]["counts"]["created"], 0,
        "the second sync added nobody"
    );
    assert_eq!(runs[0]["dry_run"], false);
    assert_eq!(runs[2]["dry_run"], true);

    // icims-namely history demo --run 2
    let id = first_id.to_string();
    let one = cli.ok(&["history", name, "--run", &id]);
    assert!(one.stdout.contains(&format!("Run {id} of {name}")), "{one}");
    let run = cli.json(&["history", name, "--run", &id, "--json"]);
    assert_eq!(run, first, "history shows the run as the sync reported it");
    assert!(!records(&run).is_empty());
    let known = [
        "created",
        "would_create",
        "already_in_namely",
        "needs_review",
        "invalid",
        "failed",
    ];
    for r in records(&run) {
        let outcome = r["outcome"].as_str().unwrap_or_default();
        assert!(known.contains(&outcome), "{r}");
        assert!(!r["reason"].as_str().unwrap_or_default().is_empty(), "{r}");
    }

    // history --run 2 --csv FILE
    let csv_path = cli.exports.path().join(format!("run-{id}.csv"));
    let csv_arg = csv_path.to_str().expect("UTF-8 temp path");
    let wrote = cli.ok(&["history", name, "--run", &id, "--csv", csv_arg]);
    assert!(wrote.stderr.contains("Wrote run"), "{wrote}");
    let csv = std::fs::read_to_string(&csv_path).expect("the CSV file");
    let mut lines = csv.lines();
    let header = lines.next().expect("a header");
    assert!(
        header.starts_with("time,icims_person_id,") && header.contains(",outcome,"),
        "{header}"
    );
    let body: Vec<&str> = lines.collect();
    assert_eq!(
        body.len(),
        records(&run).len(),
        "one row per record:\n{csv}"
    );
    for r in records(&run) {
        let person = format!(",{},", r["person_id"]);
        let outcome = format!(",{},", r["outcome"].as_str().unwrap_or_default());
        assert!(
            body.iter()
                .any(|l| l.contains(&person) && l.contains(&outcome)),
            "no row for {r} in\n{csv}"
        );
    }
    checkpoint("after the exports");

    // connection list --json
    let list = cli.json(&["connection", "list", "--json"]);
    let entry = list
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {list}"));
    assert_eq!(entry["health"]["setup_complete"], true, "{entry}");
    assert_eq!(entry["health"]["namely_token_set"], true, "{entry}");
    assert_eq!(entry["health"]["icims_key_set"], true, "{entry}");
    assert_eq!(entry["last_run"]["id"], ids[0], "{entry}");

    // connection remove
    let removed = cli.ok(&["connection", "remove", name]);
    assert!(
        removed.stdout.contains(&format!("Removed \"{name}\"")),
        "{removed}"
    );
    let list = cli.json(&["connection", "list", "--json"]);
    assert!(
        !list
            .as_array()
            .expect("list")
            .iter()
            .any(|c| c["name"] == name),
        "{list}"
    );
    cli.code(&["check", name], 2);
    checkpoint("after connection remove");
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn the_readme_walkthrough_against_the_sandbox_command() {
    needs_keychain();
    let mut sandbox = SandboxProcess::start(&[]);
    // The README types the public demo values.
    assert_eq!(sandbox.value("Namely token"), "sandbox-token-olivia-owner");
    assert_eq!(
        sandbox.value("iCIMS HMAC key"),
        "sandbox-hmac-key-not-a-secret"
    );
    assert_eq!(sandbox.value("iCIMS Customer ID"), "1234");
    assert_eq!(sandbox.value("iCIMS Username"), "sandbox-api");
    assert_eq!(sandbox.value("Namely permalink"), "sandbox");

    let cli = Cli::new();
    let name = cli.connection(&conn("walk"));
    walkthrough(&cli, &sandbox, &name, &mut |_| {});

    let status = sandbox.stop();
    assert!(
        status.success(),
        "the sandbox stops cleanly on SIGTERM: {status:?}"
    );
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn secrets_never_leak_into_files_or_output() {
    needs_keychain();
    // Values no default could produce, so every hit is a leak of these very bytes.
    let nonce = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let key = format!("leakcheck-HMAC-{}-{nonce}", std::process::id());
    let token = format!("leakcheck-TOKEN-{}-{nonce}", std::process::id());
    let mut sandbox = SandboxProcess::start(&["--hmac-key", &key, "--namely-token", &token]);
    // The sandbox prints its credentials by design: the only output allowed to hold them.
    assert_eq!(sandbox.value("iCIMS HMAC key"), key);
    assert_eq!(sandbox.value("Namely token"), token);

    // The most talkative logging a user can turn on.
    let cli = Cli::new().with_env("ICIMS_NAMELY_LOG", "trace");
    let name = cli.connection(&conn("leak"));
    let home = cli.home.path().to_path_buf();
    let mut scanned: BTreeSet<PathBuf> = BTreeSet::new();
    let mut scan = |stage: &str| {
        let files = all_files(&home);
        assert!(!files.is_empty(), "{stage}: the data folder is empty");
        scanned.extend(files);
        for (what, secret) in [("HMAC key", &key), ("Namely token", &token)] {
            let hits = files_containing(&home, secret.as_bytes());
            assert!(hits.is_empty(), "{stage}: the {what} is in {hits:?}");
        }
        // The scan sees the database's bytes: the connection's name is in it.
        assert!(
            !files_containing(&home, name.as_bytes()).is_empty(),
            "{stage}: the scan did not find the connection name in the data folder"
        );
    };
    walkthrough(&cli, &sandbox, &name, &mut scan);

    // A wrong key and a wrong token are refused without being repeated either.
    let wrong_key = format!("{key}-wrong");
    let wrong_token = format!("{token}-wrong");
    let name2 = cli.connection(&conn("leak2"));
    let add: Vec<String> = [
        "connection",
        "add",
        &name2,
        "--namely-permalink",
        "sandbox",
        "--icims-customer-id",
        "1234",
        "--icims-username",
        "sandbox-api",
        "--icims-url",
        &sandbox.value("iCIMS URL"),
        "--namely-url",
        &sandbox.value("Namely URL"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    cli.ok(&add.iter().map(String::as_str).collect::<Vec<_>>());
    cli.ok_stdin(&["secret", "set", &name2, "namely-token"], &wrong_token);
    cli.ok_stdin(&["secret", "set", &name2, "icims-hmac-key"], &wrong_key);
    cli.code(&["check", &name2], 3);
    cli.code(&["check", &name2, "--json"], 3);
    cli.code(&["sync", &name2], 3);
    cli.ok(&["connection", "remove", &name2]);
    scan("after the refused credentials");

    let status = sandbox.stop();
    assert!(status.success(), "{status:?}");

    // No output of any command holds a secret (the sandbox's stdout excepted, by design).
    let ran = cli.ran.borrow();
    assert!(ran.len() >= 20, "only {} commands ran", ran.len());
    let mut outputs: Vec<(String, &str)> = Vec::new();
    for r in ran.iter() {
        outputs.push((format!("stdout of `{}`", r.args), &r.stdout));
        outputs.push((format!("stderr of `{}`", r.args), &r.stderr));
    }
    let sandbox_stderr = sandbox.stderr_text();
    outputs.push(("stderr of `sandbox`".into(), &sandbox_stderr));
    for (what, text) in &outputs {
        for secret in [&key, &token, &wrong_key, &wrong_token] {
            assert!(
                !text.contains(secret.as_str()),
                "{what} contains a secret:\n{text}"
            );
        }
    }
    // The logs were really on: the scan looked at verbose output.
    assert!(
        ran.iter().any(|r| r.stderr.contains("TRACE")),
        "ICIMS_NAMELY_LOG=trace produced no trace lines"
    );
    // The scan also covered the export written outside the data folder.
    for secret in [&key, &token] {
        assert!(files_containing(cli.exports.path(), secret.as_bytes()).is_empty());
    }
    assert!(
        scanned
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "db")),
        "the SQLite database was scanned: {scanned:?}"
    );
}

// ------------------------------------------------------------------------------------------
// Exit codes
// ------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn an_unknown_connection_exits_2_naming_the_problem_and_the_fix() {
    needs_keychain();
    let cli = Cli::new();
    let name = conn("nobody");
    let commands: [&[&str]; 5] = [
        &["check", &name],
        &["sync", &name],
        &["sync", &name, "--dry-run"],
        &["history", &name],
        &["connection", "show", &name],
    ];
    for args in commands {
        let r = cli.code(args, 2);
        // The problem…
        assert!(
            r.stderr
                .contains(&format!("no connection named \"{name}\"")),
            "{r}"
        );
        // …and the fix.
        assert!(r.stderr.contains("icims-namely connection list"), "{r}");
    }
    // For machines, the same error as JSON on stdout.
    let r = cli.code(&["check", &name, "--json"], 2);
    let e = r.json();
    assert_eq!(e["code"], "not_found", "{r}");
    assert!(
        e["message"].as_str().unwrap_or_default().contains(&name),
        "{r}"
    );
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn connection_add_rejects_a_bad_permalink_and_plain_http_to_another_host() {
    needs_keychain();
    let cli = Cli::new();
    let name = cli.connection(&conn("add"));
    let add = |permalink: &str, extra: &[&str]| {
        let mut args = vec![
            "connection",
            "add",
            name.as_str(),
            "--namely-permalink",
            permalink,
            "--icims-customer-id",
            "1234",
            "--icims-username",
            "sandbox-api",
        ];
        args.extend_from_slice(extra);
        cli.run(&args)
    };

    let r = add("evil.com", &[]);
    assert_eq!(r.code, 2, "{r}");
    assert!(
        r.stderr.contains("evil.com"),
        "names the permalink given:\n{r}"
    );
    assert!(
        r.stderr.contains("namely.com"),
        "says what a permalink is:\n{r}"
    );

    let r = add("acme", &["--icims-url", "http://10.0.0.1"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(
        r.stderr.contains("http://10.0.0.1") && r.stderr.contains("plain http"),
        "{r}"
    );
    assert!(
        r.stderr.starts_with("error: --icims-url: "),
        "names the option given the value:\n{r}"
    );

    let r = add("acme", &["--namely-url", "http://10.0.0.1/api/v1"]);
    assert_eq!(r.code, 2, "{r}");
    assert!(r.stderr.contains("plain http"), "{r}");
    assert!(r.stderr.starts_with("error: --namely-url: "), "{r}");

    // Nothing was saved by the refusals…
    let list = cli.json(&["connection", "list", "--json"]);
    assert_eq!(list, Value::Array(Vec::new()));
    // …and the same command with acceptable values works.
    let r = add(
        "acme",
        &[
            "--icims-url",
            "http://127.0.0.1:9",
            "--namely-url",
            "http://127.0.0.1:9/api/v1",
        ],
    );
    assert_eq!(r.code, 0, "{r}");
    // A second connection with the same name is refused too.
    let r = add("acme", &[]);
    assert_eq!(r.code, 2, "{r}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn usage_errors_exit_2_and_secrets_are_never_arguments() {
    needs_keychain();
    let cli = Cli::new();
    // clap's usage errors exit with 2, like the CLI's own "bad usage".
    let r = cli.code(&["sync"], 2);
    assert!(
        r.stderr.contains("Usage:") && r.stderr.contains("<NAME>"),
        "{r}"
    );
    cli.code(&["sync", "x", "--dry-run", "--retry-failed"], 2);
    cli.code(&["frobnicate"], 2);
    cli.code(&[], 2);
    // The sandbox's own credentials must be printable as they are.
    let r = cli.code(&["sandbox", "--hmac-key", "has a space"], 2);
    assert!(r.stderr.contains("--hmac-key"), "{r}");

    let name = cli.connection(&conn("usage"));
    cli.ok(&[
        "connection",
        "add",
        &name,
        "--namely-permalink",
        "acme",
        "--icims-customer-id",
        "1234",
        "--icims-username",
        "sandbox-api",
        "--icims-url",
        "http://127.0.0.1:9",
        "--namely-url",
        "http://127.0.0.1:9/api/v1",
    ]);
    // The value as an argument is refused, and nothing is stored.
    let r = cli.code(
        &[
            "secret",
            "set",
            &name,
            "namely-token",
            "value-as-an-argument",
        ],
        2,
    );
    assert!(r.stdout.is_empty(), "{r}");
    assert!(
        !r.stderr.contains("value-as-an-argument"),
        "the refusal must not print the secret back: {r}"
    );
    assert!(r.stderr.contains("standard input"), "{r}");
    let shown = cli.json(&["connection", "show", &name, "--json"]);
    let secrets = shown["secrets"].as_array().expect("secrets");
    assert!(
        secrets.iter().all(|s| s["set"] == false),
        "nothing stored: {shown}"
    );
    // An unknown secret kind is a usage error as well.
    let r = cli.run_stdin(&["secret", "set", &name, "password"], "x\n");
    assert_eq!(r.code, 2, "{r}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

/// Adds a connection to the running sandbox with the given secrets.
/// [`connect`] with the sandbox's own demo token and key.
fn connect_demo(cli: &Cli, sandbox: &SandboxProcess, name: &str) {
    connect(
        cli,
        sandbox,
        name,
        &sandbox.value("Namely token"),
        &sandbox.value("iCIMS HMAC key"),
    );
}

fn connect(cli: &Cli, sandbox: &SandboxProcess, name: &str, token: &str, key: &str) {
    let add = sandbox.connection_add(name);
    cli.ok(&add.iter().map(String::as_str).collect::<Vec<_>>());
    cli.ok_stdin(
        &["secret", "set", name, "namely-token"],
        &format!("{token}\n"),
    );
    cli.ok_stdin(
        &["secret", "set", name, "icims-hmac-key"],
        &format!("{key}\n"),
    );
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn a_wrong_namely_token_fails_check_with_3() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&[]);
    let cli = Cli::new();
    let name = cli.connection(&conn("token"));
    connect(
        &cli,
        &sandbox,
        &name,
        "sandbox-token-wrong-0000",
        &sandbox.value("iCIMS HMAC key"),
    );

    let r = cli.code(&["check", &name], 3);
    let failed: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failed.iter().any(|l| l.contains("2 Namely sign-in")),
        "the sign-in check fails:\n{r}"
    );
    let results = cli.code(&["check", &name, "--json"], 3).json();
    let sign_in = results
        .as_array()
        .expect("results")
        .iter()
        .find(|c| c["step"] == "namely_sign_in")
        .unwrap_or_else(|| panic!("{results}"));
    assert_eq!(sign_in["passed"], false, "{sign_in}");
    assert_eq!(sign_in["code"], "token_refused", "{sign_in}");
    assert_eq!(sign_in["field"], "namely_token", "{sign_in}");
    // iCIMS itself was fine.
    let icims = results
        .as_array()
        .expect("results")
        .iter()
        .find(|c| c["step"] == "icims")
        .unwrap_or_else(|| panic!("{results}"));
    assert_eq!(icims["passed"], true, "{icims}");

    // With the right token the same connection passes: it was the token.
    cli.ok_stdin(
        &["secret", "set", &name, "namely-token"],
        &format!("{}\n", sandbox.value("Namely token")),
    );
    cli.ok(&["check", &name]);
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn a_sync_with_a_wrong_hmac_key_exits_3() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&[]);
    let cli = Cli::new();
    let name = cli.connection(&conn("hmac"));
    connect(
        &cli,
        &sandbox,
        &name,
        &sandbox.value("Namely token"),
        "sandbox-hmac-key-WRONG",
    );

    let r = cli.code(&["sync", &name], 3);
    assert!(
        format!("{}{}", r.stdout, r.stderr).contains("iCIMS"),
        "says which side refused:\n{r}"
    );
    let r = cli.code(&["sync", &name, "--dry-run", "--json"], 3);
    let out = r.json();
    assert_eq!(out["summary"]["status"], "not_started", "{r}");
    assert_eq!(out["summary"]["error_code"], "icims_credentials", "{r}");
    assert!(records(&out).is_empty(), "nothing was read: {r}");
    // Both refused runs (the sync and the dry run) are recorded, and added nobody.
    let history = cli.json(&["history", &name, "--json"]);
    let runs = history.as_array().expect("runs");
    assert_eq!(runs.len(), 2, "{history}");
    for run in runs {
        assert_eq!(run["status"], "not_started", "{run}");
        assert_eq!(run["counts"]["created"], 0, "{run}");
    }

    // The right key makes the same sync work.
    cli.ok_stdin(
        &["secret", "set", &name, "icims-hmac-key"],
        &format!("{}\n", sandbox.value("iCIMS HMAC key")),
    );
    let run = cli.json(&["sync", &name, "--json"]);
    assert!(count(&run, "created") > 0, "{run}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

// ------------------------------------------------------------------------------------------
// --help
// ------------------------------------------------------------------------------------------

/// The subcommands a `--help` page lists under "Commands:" (without `help`).
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn help_works_for_every_subcommand() {
    // No keychain involved: always runs.
    let cli = Cli::new();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = cli.ok(&args);
        let usage = format!("Usage: icims-namely {}", path.join(" "));
        assert!(r.stdout.contains(usage.trim_end()), "{r}");
        assert!(r.stderr.is_empty(), "{r}");
        for sub in listed_commands(&r.stdout) {
            let mut next = path.clone();
            next.push(sub);
            queue.push(next);
        }
        visited.insert(path.join(" "));
    }
    let expected: BTreeSet<String> = [
        "",
        "connection",
        "connection add",
        "connection edit",
        "connection list",
        "connection show",
        "connection remove",
        "secret",
        "secret set",
        "secret remove",
        "check",
        "owner",
        "review",
        "sync",
        "history",
        "sandbox",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert!(
        visited.is_superset(&expected),
        "missing help pages: {:?}",
        expected.difference(&visited).collect::<Vec<_>>()
    );

    // The top level states the exit codes.
    let top = cli.ok(&["--help"]).stdout;
    for code in [
        "0 success",
        "1 finished with record failures",
        "2 bad usage or configuration",
        "3 credentials or connection failure",
    ] {
        assert!(top.contains(code), "--help lacks \"{code}\":\n{top}");
    }
    let secret = cli.ok(&["secret", "set", "--help"]).stdout;
    assert!(secret.contains("standard input"), "{secret}");
    let sandbox = cli.ok(&["sandbox", "--help"]).stdout;
    assert!(
        sandbox.contains("--hmac-key") && sandbox.contains("--namely-token"),
        "{sandbox}"
    );
    for flag in ["--history", "--hand-made", "--recorded"] {
        assert!(
            sandbox.contains(flag),
            "sandbox --help lacks {flag}:\n{sandbox}"
        );
    }
    let add = cli.ok(&["connection", "add", "--help"]).stdout;
    assert!(add.contains("--start-from <YYYY-MM-DD>"), "{add}");
    let edit = cli.ok(&["connection", "edit", "--help"]).stdout;
    for flag in [
        "--start-from",
        "--hired-status",
        "--icims-url",
        "--namely-url",
    ] {
        assert!(
            edit.contains(flag),
            "connection edit --help lacks {flag}:\n{edit}"
        );
    }
    let owner = cli.ok(&["owner", "--help"]).stdout;
    assert!(
        owner.contains("--set <PROFILE_ID>") && owner.contains("--confirm-administrator"),
        "{owner}"
    );
    let review = cli.ok(&["review", "--help"]).stdout;
    for flag in [
        "--link <ICIMS_ID>",
        "--profile <NAMELY_ID>",
        "--create <ICIMS_ID>",
    ] {
        assert!(
            review.contains(flag),
            "review --help lacks {flag}:\n{review}"
        );
    }
    // `help SUBCOMMAND` works as well.
    let r = cli.ok(&["help", "sync"]);
    assert!(r.stdout.contains("--dry-run"), "{r}");
}

// ------------------------------------------------------------------------------------------
// Only the right people: start-from date, connection edit, owner, review (issue 8)
// ------------------------------------------------------------------------------------------

/// `connection add` for a company nobody will call (loopback port 9), with `extra` options.
fn add_offline(cli: &Cli, name: &str, extra: &[&str]) -> Ran {
    let mut args = vec![
        "connection",
        "add",
        name,
        "--namely-permalink",
        "acme",
        "--icims-customer-id",
        "1234",
        "--icims-username",
        "sandbox-api",
        "--icims-url",
        "http://127.0.0.1:9",
        "--namely-url",
        "http://127.0.0.1:9/api/v1",
    ];
    args.extend_from_slice(extra);
    cli.run(&args)
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn connection_add_with_start_from_saves_it_and_a_bad_date_exits_2_naming_the_option() {
    needs_keychain();
    let cli = Cli::new();
    let name = cli.connection(&conn("startfrom"));

    for bad in ["2026-13-01", "yesterday", "01/11/2026"] {
        let r = add_offline(&cli, &name, &["--start-from", bad]);
        assert_eq!(r.code, 2, "{r}");
        assert!(
            r.stderr.starts_with("error: --start-from: "),
            "names the option:\n{r}"
        );
        assert!(
            r.stderr.contains(bad) && r.stderr.contains("YYYY-MM-DD"),
            "{r}"
        );
    }
    // For machines: the engine's error, naming the field.
    let r = add_offline(&cli, &name, &["--start-from", "2026-02-30", "--json"]);
    assert_eq!(r.code, 2, "{r}");
    let e = r.json();
    assert_eq!(e["code"], "invalid_input", "{r}");
    assert_eq!(e["field"], "start_from", "{r}");
    // Nothing was saved by the refusals.
    assert_eq!(
        cli.json(&["connection", "list", "--json"]),
        Value::Array(Vec::new())
    );

    let r = add_offline(&cli, &name, &["--start-from", "2020-01-15"]);
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stdout.contains("2020-01-15"), "says the date:\n{r}");
    let shown = cli.json(&["connection", "show", &name, "--json"]);
    assert_eq!(shown["settings"]["start_from"], "2020-01-15", "{shown}");
    let shown = cli.ok(&["connection", "show", &name]);
    assert!(
        shown
            .stdout
            .lines()
            .any(|l| l.trim_start().starts_with("Start from") && l.contains("2020-01-15")),
        "{shown}"
    );

    // Without the option: 30 days before today (a real date, not later than today). The
    // first is removed: a second connection to the same company and customer is refused.
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
    let other = cli.connection(&conn("startfrom-default"));
    assert_eq!(add_offline(&cli, &other, &[]).code, 0);
    let shown = cli.json(&["connection", "show", &other, "--json"]);
    let day = shown["settings"]["start_from"].as_str().unwrap_or_default();
    assert!(
        day.len() == 10 && day.as_bytes()[4] == b'-' && day.as_bytes()[7] == b'-',
        "{shown}"
    );
    cli.ok(&["connection", "remove", &other, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn connection_edit_without_options_exits_2() {
    needs_keychain();
    let cli = Cli::new();
    let name = cli.connection(&conn("edit-none"));
    assert_eq!(
        add_offline(&cli, &name, &["--start-from", "2026-01-01"]).code,
        0
    );
    let before = cli.json(&["connection", "show", &name, "--json"]);

    let r = cli.code(&["connection", "edit", &name], 2);
    assert!(
        r.stderr.contains("Nothing to change")
            && r.stderr.contains("--start-from")
            && r.stderr.contains("--hired-status"),
        "says what to give:\n{r}"
    );
    assert!(r.stdout.is_empty(), "{r}");
    let r = cli.code(&["connection", "edit", &name, "--json"], 2);
    assert_eq!(r.json()["code"], "invalid_input", "{r}");
    // A bad date names the option; a bad address too; an unknown connection is a 2 as well.
    let r = cli.code(&["connection", "edit", &name, "--start-from", "soon"], 2);
    assert!(r.stderr.starts_with("error: --start-from: "), "{r}");
    let r = cli.code(
        &[
            "connection",
            "edit",
            &name,
            "--icims-url",
            "http://10.0.0.1",
        ],
        2,
    );
    assert!(r.stderr.starts_with("error: --icims-url: "), "{r}");
    let r = cli.code(
        &[
            "connection",
            "edit",
            &conn("nobody"),
            "--start-from",
            "2026-01-01",
        ],
        2,
    );
    assert!(r.stderr.contains("icims-namely connection list"), "{r}");
    // None of the refusals changed anything.
    assert_eq!(cli.json(&["connection", "show", &name, "--json"]), before);

    // A later start-from date narrows: no read again.
    let r = cli.ok(&["connection", "edit", &name, "--start-from", "2026-06-01"]);
    assert!(r.stdout.contains("2026-01-01 → 2026-06-01"), "{r}");
    assert!(!r.stdout.contains("reads iCIMS again"), "{r}");
    let edited = cli.json(&[
        "connection",
        "edit",
        &name,
        "--namely-url",
        "http://127.0.0.1:10/api/v1",
        "--json",
    ]);
    assert_eq!(
        edited["settings"]["namely_web_url"], "http://127.0.0.1:10",
        "{edited}"
    );
    assert_eq!(edited["read_again"], Value::Null, "{edited}");
    assert_eq!(edited["settings"]["start_from"], "2026-06-01", "{edited}");

    // iCIMS reads at once: 4 by default, 1 to 8, 0 back to the default; 9 names the option.
    let shown = cli.ok(&["connection", "show", &name]).stdout;
    assert!(
        shown.contains("iCIMS reads        4 at once (default)"),
        "{shown}"
    );
    let r = cli.code(
        &["connection", "edit", &name, "--icims-concurrency", "9"],
        2,
    );
    assert!(r.stderr.starts_with("error: --icims-concurrency: "), "{r}");
    assert!(r.stderr.contains("from 1 to 8"), "{r}");
    let r = cli.ok(&["connection", "edit", &name, "--icims-concurrency", "1"]);
    assert!(
        r.stdout.contains("iCIMS reads      4 at once → 1 at once"),
        "{r}"
    );
    let one = cli.json(&["connection", "show", &name, "--json"]);
    assert_eq!(one["settings"]["icims_concurrency"], 1, "{one}");
    assert_eq!(one["settings"]["icims_concurrency_default"], false, "{one}");
    // Other edits keep it.
    cli.ok(&["connection", "edit", &name, "--start-from", "2026-07-01"]);
    let kept = cli.json(&["connection", "show", &name, "--json"]);
    assert_eq!(kept["settings"]["icims_concurrency"], 1, "{kept}");
    cli.ok(&["connection", "edit", &name, "--icims-concurrency", "0"]);
    let back = cli.json(&["connection", "show", &name, "--json"]);
    assert_eq!(back["settings"]["icims_concurrency"], 4, "{back}");
    assert_eq!(
        back["settings"]["icims_concurrency_default"], true,
        "{back}"
    );
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn connection_edit_changing_statuses_prints_the_read_again_sentence() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&[]);
    let cli = Cli::new();
    let name = cli.connection(&conn("edit-statuses"));
    connect_demo(&cli, &sandbox, &name);
    cli.ok(&["check", &name]);
    let first = cli.json(&["sync", &name, "--json"]);
    assert_eq!(first["summary"]["status"], "succeeded", "{first}");
    let start_from = cli.json(&["connection", "show", &name, "--json"])["settings"]["start_from"]
        .as_str()
        .expect("start_from")
        .to_string();

    let r = cli.ok(&[
        "connection",
        "edit",
        &name,
        "--hired-status",
        "Hired",
        "--hired-status",
        "Offer Accepted",
    ]);
    assert!(
        r.stdout.contains("Hired → Hired, Offer Accepted"),
        "says what changed:\n{r}"
    );
    let sentence = format!(
        "The next sync reads iCIMS again from {start_from} because the hired statuses changed \
         (\"Offer Accepted\" added)."
    );
    assert!(r.stdout.contains(&sentence), "{r}");

    // The connection now carries a warning: `show` and `check` print it; it changes no exit
    // code, and `check --json` stays the bare array scripts read (the warning on stderr).
    let shown = cli.ok(&["connection", "show", &name]);
    assert!(
        shown
            .stdout
            .lines()
            .any(|l| l.starts_with("warning: ") && l.contains("reads iCIMS again")),
        "{shown}"
    );
    let check = cli.ok(&["check", &name]);
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");
    let warning = check
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("All 4 checks passed."))
        .find(|l| l.starts_with("warning: "))
        .unwrap_or_else(|| panic!("no warning after the table:\n{check}"));
    assert!(warning.contains("Offer Accepted"), "{check}");
    let r = cli.code(&["check", &name, "--json"], 0);
    assert!(r.json().is_array(), "{r}");
    assert!(r.stderr.contains("warning: "), "{r}");
    let list = cli.json(&["connection", "list", "--json"]);
    let warnings = list[0]["warnings"].as_array().expect("warnings");
    assert!(!warnings.is_empty(), "{list}");

    // The next sync reads again, then the warning about reading again is gone.
    let again = cli.json(&["sync", &name, "--json"]);
    assert_eq!(again["summary"]["status"], "succeeded", "{again}");
    let shown = cli.json(&["connection", "show", &name, "--json"]);
    assert_eq!(
        shown["settings"]["read_again_reason"],
        Value::Null,
        "{shown}"
    );
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

/// The candidates `owner NAME --json` lists.
fn candidates(step: &Value) -> &Vec<Value> {
    step["candidates"].as_array().expect("candidates")
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn owner_lists_who_signed_in_and_refuses_to_confirm_a_role_namely_reports() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&[]);
    let cli = Cli::new();
    let name = cli.connection(&conn("owner"));
    connect_demo(&cli, &sandbox, &name);

    let r = cli.ok(&["owner", &name]);
    let olivia = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Olivia Owner"))
        .unwrap_or_else(|| panic!("Olivia Owner not listed:\n{r}"));
    for part in ["active", "Administrator", "can own", "← owner", "← token"] {
        assert!(
            olivia.contains(part),
            "{part} missing from {olivia:?}:\n{r}"
        );
    }
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("ok ") && l.contains("3 Owner")),
        "ends with the check:\n{r}"
    );
    let step = cli.json(&["owner", &name, "--json"]);
    let id = candidates(&step)[0]["profile_id"]
        .as_str()
        .expect("profile id")
        .to_string();
    assert_eq!(step["chosen_profile_id"], id.as_str(), "{step}");
    assert_eq!(step["check"]["passed"], true, "{step}");

    // Namely reports Olivia's role: nobody may confirm it by hand.
    let r = cli.code(
        &["owner", &name, "--set", &id, "--confirm-administrator"],
        2,
    );
    assert!(
        r.stderr.contains("Namely reports"),
        "the engine's reason:\n{r}"
    );
    assert!(r.stdout.is_empty(), "{r}");
    let shown = cli.json(&["connection", "show", &name, "--json"]);
    assert_eq!(
        shown["settings"]["owner_role_confirmation"],
        Value::Null,
        "nothing recorded: {shown}"
    );
    // Someone who never signed in cannot be chosen; --confirm-administrator needs --set.
    let r = cli.code(&["owner", &name, "--set", "no-such-profile"], 2);
    assert!(r.stderr.contains("has not signed in"), "{r}");
    cli.code(&["owner", &name, "--confirm-administrator"], 2);
    // Choosing the same person again is fine, and the check still passes.
    let r = cli.ok(&["owner", &name, "--set", &id]);
    assert!(r.stdout.contains("← owner"), "{r}");

    // With Emma Employee's token saved, the token is not the owner's: 3, as in `check`.
    cli.ok_stdin(
        &["secret", "set", &name, "namely-token"],
        "sandbox-token-employee\n",
    );
    let r = cli.code(&["owner", &name], 3);
    let emma = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Emma Employee"))
        .unwrap_or_else(|| panic!("Emma Employee not listed:\n{r}"));
    assert!(emma.contains("← token") && !emma.contains("← owner"), "{r}");
    assert!(emma.contains("not an Administrator"), "{r}");
    let r = cli.code(&["sync", &name, "--dry-run", "--json"], 3);
    assert_eq!(r.json()["summary"]["status"], "not_started", "{r}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn owner_confirmed_by_a_person_completes_setup_where_namely_reports_no_role() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&["--recorded"]);
    assert!(
        sandbox.banner.contains("recorded traffic"),
        "{}",
        sandbox.banner
    );
    let cli = Cli::new();
    let name = cli.connection(&conn("owner-recorded"));
    connect_demo(&cli, &sandbox, &name);
    // Namely does not say who is an Administrator: the owner check waits for a person.
    let r = cli.code(&["check", &name], 2);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("FAIL") && l.contains("3 Owner")),
        "{r}"
    );
    let r = cli.code(&["owner", &name], 2);
    assert!(r.stdout.contains("not reported"), "{r}");
    assert!(
        r.stdout.contains("--confirm-administrator"),
        "says how:\n{r}"
    );
    let r = cli.code(&["sync", &name, "--dry-run"], 3);
    assert!(r.stdout.contains("did not start"), "{r}");
    assert!(
        r.stderr.contains(&format!("icims-namely owner {name}")),
        "{r}"
    );

    let id = candidates(&cli.code(&["owner", &name, "--json"], 2).json())[0]["profile_id"]
        .as_str()
        .expect("profile id")
        .to_string();
    let r = cli.ok(&["owner", &name, "--set", &id, "--confirm-administrator"]);
    assert!(r.stdout.contains("Administrator role confirmed by"), "{r}");
    let shown = cli.ok(&["connection", "show", &name]);
    assert!(
        shown
            .stdout
            .lines()
            .any(|l| l.contains("Owner's role") && l.contains("confirmed by")),
        "who and when:\n{shown}"
    );
    let confirmation =
        cli.json(&["connection", "show", &name, "--json"])["settings"]["owner_role_confirmation"]
            .clone();
    assert_eq!(confirmation["profile_id"], id.as_str(), "{confirmation}");
    assert!(confirmation["at"].is_string(), "{confirmation}");
    cli.ok(&["check", &name]);
    let dry = cli.json(&["sync", &name, "--dry-run", "--json"]);
    assert_eq!(dry["summary"]["status"], "succeeded", "{dry}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

/// The open reviews `review NAME --json` lists.
fn reviews(cli: &Cli, name: &str) -> Vec<Value> {
    cli.json(&["review", name, "--json"])
        .as_array()
        .expect("a bare array")
        .clone()
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn review_on_a_fresh_connection_is_empty_and_link_without_an_open_review_exits_2() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&[]);
    let cli = Cli::new();
    let name = cli.connection(&conn("review-fresh"));
    connect_demo(&cli, &sandbox, &name);
    let r = cli.ok(&["review", &name]);
    assert!(r.stdout.contains("No hires need review"), "{r}");
    assert!(reviews(&cli, &name).is_empty());

    let r = cli.code(
        &[
            "review",
            &name,
            "--link",
            "1010",
            "--profile",
            "some-profile",
        ],
        2,
    );
    assert!(r.stderr.contains("1010"), "names the person:\n{r}");
    let r = cli.code(&["review", &name, "--create", "1010", "--json"], 2);
    assert_eq!(r.json()["code"], "not_found", "{r}");
    // The pairs: --link needs --profile, and --link and --create exclude each other.
    cli.code(&["review", &name, "--link", "1010"], 2);
    cli.code(&["review", &name, "--profile", "p"], 2);
    cli.code(
        &[
            "review",
            &name,
            "--link",
            "1",
            "--profile",
            "p",
            "--create",
            "2",
        ],
        2,
    );
    cli.code(
        &["review", &name, "--link", "not-a-number", "--profile", "p"],
        2,
    );
    // An unknown connection: 2 with the fix.
    let r = cli.code(&["review", &conn("nobody")], 2);
    assert!(r.stderr.contains("icims-namely connection list"), "{r}");

    // After a sync, someone who was added does not need review either: still 2, and nothing
    // was written to Namely.
    let run = cli.json(&["sync", &name, "--json"]);
    let added = records(&run)
        .iter()
        .find(|r| r["outcome"] == "created")
        .and_then(|r| r["person_id"].as_u64())
        .unwrap_or_else(|| panic!("somebody added: {run}"))
        .to_string();
    let r = cli.code(
        &[
            "review",
            &name,
            "--link",
            &added,
            "--profile",
            "some-profile",
        ],
        2,
    );
    assert!(r.stderr.contains("does not need review"), "{r}");
    let runs = cli.json(&["history", &name, "--json"]);
    assert_eq!(
        runs.as_array().map(Vec::len),
        Some(1),
        "no review run: {runs}"
    );
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn review_links_a_hand_made_profile_and_creates_another_anyway() {
    needs_keychain();
    let sandbox = SandboxProcess::start(&["--hand-made", "3", "--no-email-uniqueness"]);
    assert!(
        sandbox.banner.contains("typed in by hand"),
        "{}",
        sandbox.banner
    );
    let cli = Cli::new();
    let name = cli.connection(&conn("review"));
    connect_demo(&cli, &sandbox, &name);
    let run = cli.json(&["sync", &name, "--json"]);
    assert_eq!(run["summary"]["status"], "succeeded", "{run}");

    let open = reviews(&cli, &name);
    let possible: Vec<&Value> = open
        .iter()
        .filter(|r| {
            r["reason"]
                .as_str()
                .is_some_and(|s| s.contains("possibly already in Namely"))
                && r["namely_profile_id"].is_string()
        })
        .collect();
    assert!(possible.len() >= 2, "two hand-made matches: {open:?}");
    let table = cli.ok(&["review", &name]);
    for r in &possible {
        let id = r["person_id"].to_string();
        let profile = r["namely_profile_id"].as_str().unwrap_or_default();
        assert!(
            table
                .stdout
                .lines()
                .any(|l| l.starts_with(&id) && l.contains(profile)),
            "{id} with {profile}:\n{table}"
        );
    }

    // Link: icims_id written onto the hand-made profile; the record says so.
    let (link, profile) = (
        possible[0]["person_id"].to_string(),
        possible[0]["namely_profile_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    let r = cli.ok(&["review", &name, "--link", &link, "--profile", &profile]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(&link) && l.contains("already there")),
        "{r}"
    );
    // Create anyway: a run of its own that adds that person.
    let create = possible[1]["person_id"].to_string();
    let r = cli.ok(&["review", &name, "--create", &create]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(&create) && l.contains("added")),
        "{r}"
    );
    let left: Vec<String> = reviews(&cli, &name)
        .iter()
        .map(|r| r["person_id"].to_string())
        .collect();
    assert!(
        !left.contains(&link) && !left.contains(&create),
        "both resolved: {left:?}"
    );
    // Resolved: linking again is refused.
    cli.code(
        &["review", &name, "--link", &link, "--profile", &profile],
        2,
    );
    // The next sync finds the linked person already in Namely and adds nobody twice.
    let again = cli.json(&["sync", &name, "--json"]);
    assert_eq!(count(&again, "created"), 0, "{again}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
fn the_sandbox_banner_tells_the_history_hand_made_and_recorded_mode() {
    // The sandbox needs no keychain: always runs.
    let plain = SandboxProcess::start(&[]);
    assert!(
        plain.banner.contains("hired candidates in iCIMS") && !plain.banner.contains("past hires"),
        "{}",
        plain.banner
    );
    drop(plain);
    let sandbox = SandboxProcess::start(&["--history", "20", "--hand-made", "2", "--recorded"]);
    let b = &sandbox.banner;
    assert!(b.contains("plus 20 past hires"), "{b}");
    assert!(b.contains("typed in by hand"), "{b}");
    assert!(b.contains("recorded traffic"), "{b}");
    assert!(
        b.contains("--confirm-administrator"),
        "says how to confirm the owner:\n{b}"
    );
    assert!(b.contains("icims-namely review demo"), "{b}");
    // The values a test types are still there.
    assert_eq!(sandbox.value("Namely token"), "sandbox-token-olivia-owner");
}

// ------------------------------------------------------------------------------------------
// One company, one sync at a time; Ctrl-C (issue 9)
// ------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn a_second_connection_to_the_same_company_and_customer_exits_2_naming_the_first() {
    needs_keychain();
    let cli = Cli::new();
    let name = cli.connection(&conn("pair"));
    assert_eq!(add_offline(&cli, &name, &[]).code, 0);
    let again = cli.connection(&conn("pair-again"));
    let r = add_offline(&cli, &again, &[]);
    assert_eq!(r.code, 2, "{r}");
    assert!(
        r.stderr.contains(&format!("\"{name}\"")),
        "names the first:\n{r}"
    );
    assert!(
        r.stderr.contains("Edit that connection"),
        "says what to do:\n{r}"
    );
    let listed = cli.json(&["connection", "list", "--json"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

/// The newest run of a connection, as `history --json` lists it from another process.
fn latest_run(cli: &Cli, name: &str) -> Option<Value> {
    cli.json(&["history", name, "--json"])
        .as_array()
        .and_then(|runs| runs.first().cloned())
}

/// Waits (polling `history` from another process) until `ready` holds for the newest run and
/// its records, and returns the run's id; fails after the command timeout.
fn wait_for_run(cli: &Cli, name: &str, what: &str, ready: impl Fn(&Value) -> bool) -> i64 {
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    loop {
        if let Some(run) = latest_run(cli, name)
            && run["status"] == "running"
        {
            let id = run["id"].as_i64().expect("run id");
            let details = cli.json(&["history", name, "--run", &id.to_string(), "--json"]);
            if ready(&details) {
                return id;
            }
        }
        assert!(Instant::now() < deadline, "no running run {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The iCIMS ids a run created.
fn created_ids(run: &Value) -> BTreeSet<u64> {
    records(run)
        .iter()
        .filter(|r| r["outcome"] == "created" || r["outcome"] == "created_with_warning")
        .filter_map(|r| r["person_id"].as_u64())
        .collect()
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn ctrl_c_stops_a_sync_after_the_record_in_flight_and_the_next_sync_adds_the_rest() {
    needs_keychain();
    // A slow company: every answer of both simulators takes 150 ms.
    let sandbox = SandboxProcess::start(&["--latency-ms", "150", "--no-email-uniqueness"]);
    let cli = Cli::new();
    let name = cli.connection(&conn("ctrlc"));
    connect_demo(&cli, &sandbox, &name);
    let planned = cli.json(&["sync", &name, "--dry-run", "--json"]);
    let everyone = count(&planned, "would_create");
    assert!(everyone >= 3, "enough hires to stop among them: {planned}");

    let child = cli.spawn(&["sync", &name, "--json"]);
    let pid = child.id();
    // Ctrl-C once the run has added its first person (as another process sees the history).
    let id = wait_for_run(&cli, &name, "that added someone", |run| {
        !created_ids(run).is_empty()
    });
    kill(pid, "INT", false);
    let r = finish(child, &format!("sync {name} --json"));
    assert_eq!(r.code, 1, "a cancelled run exits 1:\n{r}");
    assert!(
        r.stderr
            .contains("Stopping after the current record… (press Ctrl-C again to quit at once)"),
        "{r}"
    );
    let stopped = r.json();
    assert_eq!(stopped["summary"]["id"], id, "{r}");
    assert_eq!(stopped["summary"]["status"], "cancelled", "{r}");
    assert_eq!(stopped["summary"]["error_code"], "cancelled", "{r}");
    let first = created_ids(&stopped);
    assert!(
        !first.is_empty() && (first.len() as u64) < everyone,
        "stopped after the record in flight: {} of {everyone}\n{r}",
        first.len()
    );

    // History shows it cancelled, with why, for people and machines.
    let latest = latest_run(&cli, &name).expect("a run");
    assert_eq!(latest["status"], "cancelled", "{latest}");
    let table = cli.ok(&["history", &name]);
    assert!(table.stdout.contains("cancelled"), "{table}");
    let shown = cli.ok(&["history", &name, "--run", &id.to_string()]);
    assert!(shown.stdout.contains("cancelled"), "{shown}");
    assert!(shown.stdout.contains("next run picks up"), "{shown}");

    // The next sync adds the rest, and nobody twice.
    let rest = cli.json(&["sync", &name, "--json"]);
    assert_eq!(rest["summary"]["status"], "succeeded", "{rest}");
    let second = created_ids(&rest);
    assert!(
        first.is_disjoint(&second),
        "created twice: {first:?} {second:?}"
    );
    assert_eq!((first.len() + second.len()) as u64, everyone, "{rest}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn a_second_ctrl_c_quits_a_sync_at_once_with_130() {
    needs_keychain();
    // So slow that the pre-flight alone (before any check of the stop) takes seconds.
    let sandbox = SandboxProcess::start(&["--latency-ms", "1500"]);
    let cli = Cli::new();
    let name = cli.connection(&conn("ctrlc2"));
    connect_demo(&cli, &sandbox, &name);
    let child = cli.spawn(&["sync", &name]);
    // The run is recorded before its pre-flight: the handlers are in place by then.
    wait_for_run(&cli, &name, "recorded", |_| true);
    let r = cli_support::interrupt_twice(child, &format!("sync {name}"));
    assert_eq!(r.code, 130, "{r}");
    assert!(
        r.stderr.contains("Stopping after the current record"),
        "{r}"
    );
    // The run it left is found interrupted by the next command; nothing was sent.
    let latest = latest_run(&cli, &name).expect("a run");
    assert_eq!(latest["status"], "interrupted", "{latest}");
    assert_eq!(latest["counts"]["created"], 0, "{latest}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}

/// The scheduled runs of a connection, newest first, as `history --json` lists them.
fn scheduled_runs(cli: &Cli, name: &str) -> Vec<Value> {
    cli.json(&["history", name, "--json"])
        .as_array()
        .expect("a list of runs")
        .iter()
        .filter(|r| r["trigger"] == "schedule" && r["status"] != "running")
        .cloned()
        .collect()
}

/// Waits (up to `within`) for a scheduled run after the first `seen` ones; returns its records.
fn wait_for_scheduled_run(cli: &Cli, name: &str, seen: usize, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let runs = scheduled_runs(cli, name);
        if runs.len() > seen {
            let id = runs[0]["id"].as_i64().expect("run id").to_string();
            return cli.json(&["history", name, "--run", &id, "--json"]);
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled run within {within:?}; history: {runs:?}"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn run_scheduler_adds_hires_made_between_ticks_and_stops_cleanly_on_sigterm() {
    needs_keychain();
    // A customer whose iCIMS licence allows 200,000 calls a day: a one-minute schedule fits
    // (with the usual 10,000 it would stretch; the scheduler tests cover that).
    let mut sandbox = SandboxProcess::start(&["--daily-limit", "200000", "--no-email-uniqueness"]);
    let cli = Cli::new();
    let name = cli.connection(&conn("sched"));
    connect_demo(&cli, &sandbox, &name);
    cli.ok(&["check", &name]);
    let bad = cli.code(&["connection", "edit", &name, "--schedule", "every:0m"], 2);
    assert!(bad.stderr.contains("--schedule"), "{bad}");
    let edited = cli.ok(&["connection", "edit", &name, "--schedule", "every:1m"]);
    assert!(edited.stdout.contains("Schedule"), "{edited}");
    let first = cli.json(&["sync", &name, "--json"]);
    assert!(!created_ids(&first).is_empty(), "{first}");
    let shown = cli.ok(&["connection", "show", &name]);
    assert!(
        shown.stdout.contains("every minute") && shown.stdout.contains("Next sync"),
        "{shown}"
    );

    // Hired before the scheduler starts: the first tick adds her.
    let nora = sandbox.hire("Nora", "Tick");
    let child = cli.spawn(&["run-scheduler", "--connection", &name]);
    let pid = child.id();
    let tick = Duration::from_secs(150);
    let one = wait_for_scheduled_run(&cli, &name, 0, tick);
    assert_eq!(created_ids(&one), BTreeSet::from([nora]), "{one}");

    // Hired between two ticks: the next tick adds him, and nobody twice.
    let omar = sandbox.hire("Omar", "Tock");
    let two = wait_for_scheduled_run(&cli, &name, 1, tick);
    assert_eq!(created_ids(&two), BTreeSet::from([omar]), "{two}");

    // SIGTERM: stops cleanly, exit 0, and says so in its log.
    kill(pid, "TERM", false);
    let r = finish(child, &format!("run-scheduler --connection {name}"));
    assert_eq!(r.code, 0, "{r}");
    assert!(r.stderr.contains("every minute, next sync"), "{r}");
    assert!(r.stderr.contains("stopped"), "{r}");
    let log = std::fs::read_to_string(cli.home.path().join("logs").join("scheduler.log"))
        .expect("the scheduler's log in the data folder");
    assert!(log.contains("2 added") || log.contains("1 added"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    // An unknown connection is refused up front, with the usual exit code.
    let unknown = cli.code(&["run-scheduler", "--connection", "no-such-company"], 2);
    assert!(unknown.stderr.contains("no-such-company"), "{unknown}");
    cli.ok(&["connection", "remove", &name, "--delete-history"]);
}
