//! End to end, the built `icims-namely` and its data folder: the CSV export of `history`
//! (private, never through a planted link, never replacing a file unless `--overwrite`, never
//! half-written), the scheduler's log (private, rotated), and the folder's faults — a damaged
//! database, one another process holds, a folder that cannot be written, a full disk — each
//! answered with what happened and what to do, no panic, nothing lost.
//!
//! Needs no keychain (secrets for the sync come from `ICIMS_NAMELY_SECRETS_DIR`). The full
//! disk and the read-only folder mount a small tmpfs, so they need root (CI runs as root);
//! elsewhere the read-only folder is a `chmod 500` folder and the full disk prints
//! `SKIPPED …` with the reason.
//!
//! ```sh
//! cargo build -p icims-namely-cli
//! cargo test -p icims-namely-e2e --test cli_data_folder
//! ```
#![cfg(unix)]

#[path = "support/cli.rs"]
mod cli_support;
#[path = "support/tmpfs.rs"]
mod tmpfs;

use cli_support::{Ran, SandboxProcess, run};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tmpfs::{LockableHome, Tmpfs, fill};

/// A data folder of its own, a secrets folder, and no keychain.
struct Home {
    home: PathBuf,
    _tmp: tempfile::TempDir,
    secrets: tempfile::TempDir,
    locks: tempfile::TempDir,
    no_bus: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let tmp = cli_support::data_dir("home");
        Home::at(tmp.path().join("home"), tmp)
    }

    /// A data folder at `home` (`keep` holds what must outlive the test's use of it).
    fn at(home: PathBuf, keep: tempfile::TempDir) -> Home {
        Home {
            home,
            _tmp: keep,
            secrets: tempfile::tempdir().unwrap(),
            locks: tempfile::tempdir().unwrap(),
            no_bus: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.home.join("icims-namely.db")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = cli_support::command(args);
        cmd.env("ICIMS_NAMELY_HOME", &self.home)
            .env("ICIMS_NAMELY_SECRETS_DIR", self.secrets.path())
            .env("ICIMS_NAMELY_LOCK_DIR", self.locks.path())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", self.no_bus.path().join("no-bus").display()),
            );
        cmd
    }

    fn run(&self, args: &[&str]) -> Ran {
        run(self.command(args), None)
    }

    /// Runs `args`, fails the test unless it exits with `code` without a panic.
    fn code(&self, args: &[&str], code: i32) -> Ran {
        let r = self.run(args);
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        assert!(!r.stderr.contains("panicked"), "{r}");
        r
    }

    /// `connection add NAME` to addresses nobody listens on (`n`: a customer of its own).
    fn add(&self, name: &str, n: u32) -> Ran {
        let customer = (1000 + n).to_string();
        self.run(&[
            "connection",
            "add",
            name,
            "--namely-permalink",
            "acme",
            "--icims-customer-id",
            &customer,
            "--icims-username",
            "api",
            "--icims-url",
            "http://127.0.0.1:9",
            "--namely-url",
            "http://127.0.0.1:9",
        ])
    }

    fn names(&self) -> Vec<String> {
        let list = self.code(&["connection", "list", "--json"], 0).json();
        list.as_array()
            .expect("a list")
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

// ------------------------------------------------------------------------------------------
// history --csv
// ------------------------------------------------------------------------------------------

#[test]
fn history_csv_is_private_never_replaces_unasked_and_never_follows_a_link() {
    let sandbox = SandboxProcess::start(&[]);
    let h = Home::new();
    let name = "Export";
    let add = sandbox.connection_add(name);
    h.code(&add.iter().map(String::as_str).collect::<Vec<_>>(), 0);
    for (kind, label) in [
        ("namely-token", "Namely token"),
        ("icims-hmac-key", "iCIMS HMAC key"),
    ] {
        let file = h.secrets.path().join(format!("export.{kind}"));
        std::fs::write(&file, format!("{}\n", sandbox.value(label))).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // The checks sign in, which makes the token's person the owner.
    h.code(&["check", name], 0);
    let dry = h.code(&["sync", name, "--dry-run", "--json"], 0).json();
    let id = dry["summary"]["id"].as_i64().expect("a run id").to_string();

    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("run.csv");
    let csv_arg = csv.to_str().unwrap();
    let wrote = h.code(&["history", name, "--run", &id, "--csv", csv_arg], 0);
    assert!(wrote.stderr.contains("Wrote run"), "{wrote}");
    assert_eq!(mode(&csv), 0o600, "readable by the user only");
    let exported = std::fs::read_to_string(&csv).unwrap();
    assert!(
        exported.lines().count() > 1,
        "a header and records: {exported}"
    );

    // An existing file is refused, and left as it was.
    std::fs::write(&csv, "the person's own notes").unwrap();
    let refused = h.code(&["history", name, "--run", &id, "--csv", csv_arg], 2);
    assert!(
        refused
            .stderr
            .contains("already exists; choose another name, or pass --overwrite"),
        "{refused}"
    );
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "the person's own notes"
    );
    h.code(
        &[
            "history",
            name,
            "--run",
            &id,
            "--csv",
            csv_arg,
            "--overwrite",
        ],
        0,
    );
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), exported);

    // A planted link is refused even with --overwrite; what it points at is untouched.
    let victim = out.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let link = out.path().join("link.csv");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    for extra in [None, Some("--overwrite")] {
        let mut args = vec![
            "history",
            name,
            "--run",
            &id,
            "--csv",
            link.to_str().unwrap(),
        ];
        args.extend(extra);
        let r = h.code(&args, 2);
        assert!(r.stderr.contains("is a symbolic link"), "{r}");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    // A folder that does not exist.
    let missing = out.path().join("no-such-folder").join("run.csv");
    let r = h.code(
        &[
            "history",
            name,
            "--run",
            &id,
            "--csv",
            missing.to_str().unwrap(),
        ],
        2,
    );
    assert!(r.stderr.contains("does not exist"), "{r}");
    assert!(r.stderr.contains("no-such-folder"), "{r}");

    // --overwrite means nothing without --csv.
    let r = h.code(&["history", name, "--run", &id, "--overwrite"], 2);
    assert!(r.stderr.contains("--csv"), "{r}");

    // Nothing half-written, no temporary file left behind.
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

// ------------------------------------------------------------------------------------------
// The scheduler's log
// ------------------------------------------------------------------------------------------

#[test]
fn the_scheduler_log_is_private_and_rotates_when_it_has_grown() {
    let h = Home::new();
    let logs = h.home.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let log = logs.join("scheduler.log");
    // A log grown past its limit (5 MB) by an earlier run, with the umask's mode.
    let old = format!("{}\n", "an old line ".repeat(8)).repeat(60_000);
    assert!(old.len() > 5 * 1024 * 1024);
    std::fs::write(&log, &old).unwrap();
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut cmd = h.command(&["run-scheduler"]);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("start run-scheduler");
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("no connections yet")) {
        assert!(
            Instant::now() < deadline,
            "the scheduler wrote nothing to its log"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    cli_support::kill(pid, "TERM", false);
    let ran = cli_support::finish(child, "run-scheduler");
    assert_eq!(ran.code, 0, "{ran}");

    let rotated = logs.join("scheduler.log.1");
    assert_eq!(
        std::fs::read_to_string(&rotated).unwrap(),
        old,
        "the grown log moved aside whole"
    );
    let current = std::fs::read_to_string(&log).unwrap();
    assert!(
        current.len() < 64 * 1024,
        "a fresh file: {} bytes",
        current.len()
    );
    assert!(current.contains("no connections yet"), "{current}");
    assert_eq!(mode(&log), 0o600);
    assert_eq!(mode(&rotated), 0o600);
}

// ------------------------------------------------------------------------------------------
// Faults of the data folder
// ------------------------------------------------------------------------------------------

#[test]
fn a_damaged_database_is_named_with_what_to_do_and_never_overwritten() {
    let h = Home::new();
    std::fs::create_dir_all(&h.home).unwrap();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(h.db(), &garbage).unwrap();
    for r in [
        h.run(&["connection", "list"]),
        h.run(&["history", "Acme"]),
        h.add("Acme", 1),
    ] {
        assert_eq!(r.code, 1, "{r}");
        assert!(!r.stderr.contains("panicked"), "{r}");
        assert!(r.stderr.contains(&h.db().display().to_string()), "{r}");
        assert!(
            r.stderr.contains("is not a database icims-namely can read"),
            "{r}"
        );
        assert!(r.stderr.contains("Move it aside"), "{r}");
        assert_eq!(
            std::fs::read(h.db()).unwrap(),
            garbage,
            "not a byte changed"
        );
    }
    // Moved aside as told: a new, empty database.
    std::fs::rename(h.db(), h.home.join("icims-namely.db.damaged")).unwrap();
    assert!(h.names().is_empty());
}

#[test]
fn a_database_another_process_holds_is_waited_for_then_named() {
    let h = Home::new();
    let added = h.add("Acme", 1);
    assert_eq!(added.code, 0, "{added}");
    let holder = rusqlite::Connection::open(h.db()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let started = Instant::now();
    let r = h.add("Other", 2);
    let waited = started.elapsed();
    // Exit 2, as a sync already running: try again when the other is done.
    assert_eq!(r.code, 2, "{r}");
    assert!(
        r.stderr
            .contains("another icims-namely (the app, a command or the scheduler) is using"),
        "{r}"
    );
    assert!(r.stderr.contains("Wait for it to finish"), "{r}");
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(30),
        "waited {waited:?}"
    );
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(h.names(), ["Acme"]);
}

#[test]
fn a_data_folder_that_is_a_file_is_said_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("home");
    std::fs::write(&file, "not a folder").unwrap();
    let h = Home::at(file.clone(), tmp);
    let r = h.code(&["connection", "list"], 2);
    assert!(r.stderr.contains("exists but is not a folder"), "{r}");
    assert!(r.stderr.contains("ICIMS_NAMELY_HOME"), "{r}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
}

#[test]
fn a_data_folder_that_cannot_be_written_is_said_plainly_and_keeps_its_data() {
    // Root writes through any mode, so as root the folder is a read-only mount instead.
    let lockable = match LockableHome::new() {
        Ok(l) => l,
        Err(why) => {
            eprintln!("SKIPPED a_data_folder_that_cannot_be_written…: {why}");
            return;
        }
    };
    let h = Home::at(lockable.path.clone(), tempfile::tempdir().unwrap());
    assert_eq!(h.add("Acme", 1).code, 0);
    let before = std::fs::read(h.db()).unwrap();
    let r = lockable.read_only(&[h.db()], || h.add("Other", 2));
    assert_eq!(r.code, 1, "{r}");
    assert!(!r.stderr.contains("panicked"), "{r}");
    assert!(r.stderr.contains("cannot be written"), "{r}");
    assert!(r.stderr.contains("ICIMS_NAMELY_HOME"), "{r}");
    assert_eq!(std::fs::read(h.db()).unwrap(), before);
    assert_eq!(h.names(), ["Acme"]);
}

#[test]
fn a_full_disk_is_said_plainly_and_loses_nothing() {
    let disk = match Tmpfs::mount("1m") {
        Ok(d) => d,
        Err(why) => {
            eprintln!("SKIPPED a_full_disk_is_said_plainly_and_loses_nothing: {why}");
            return;
        }
    };
    let keep = tempfile::tempdir().unwrap();
    let h = Home::at(disk.path().join("home"), keep);
    assert_eq!(h.add("Kept", 1).code, 0);
    let filler = fill(disk.path());

    let r = h.add("Lost", 2);
    assert_eq!(r.code, 1, "{r}");
    assert!(!r.stderr.contains("panicked"), "{r}");
    assert!(r.stderr.contains("the disk is full"), "{r}");
    assert!(r.stderr.contains("Free some space"), "{r}");

    std::fs::remove_file(filler).unwrap();
    assert_eq!(
        h.names(),
        ["Kept"],
        "what was saved is intact, nothing half-added"
    );
    assert_eq!(h.add("Lost", 2).code, 0, "with space again it works");
}
