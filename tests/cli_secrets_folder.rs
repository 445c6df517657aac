//! End to end, on a "server": the built `icims-namely` with no keychain to reach (its
//! `DBUS_SESSION_BUS_ADDRESS` points at nothing) and its secrets in a folder
//! (`ICIMS_NAMELY_SECRETS_DIR`), against the simulators of `icims-namely sandbox`:
//!
//! - a connection whose secrets are files there is checked and synced, says where each
//!   secret came from, and nothing warns about a missing keychain;
//! - a secret file other users can read is refused, with the `chmod` to run;
//! - an alert webhook kept there gets one POST for a broken setup, not one per run, and its
//!   address never appears in what the command prints.
//!
//! Needs no keychain, so it always runs (on unix: file modes):
//!
//! ```sh
//! cargo build -p icims-namely-cli
//! cargo test -p icims-namely-e2e --test cli_secrets_folder
//! ```
//!
//! The binary is found as in `cli.rs` (support/cli.rs): next to this test's executable, or
//! `ICIMS_NAMELY_BIN`; it must be newer than its sources.
#![cfg(unix)]

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{Ran, SandboxProcess, files_containing, run};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What the command line says when it falls back to secrets for this session only.
const NO_KEYCHAIN_WARNING: &str = "No system keychain is running";

/// A server's setting: its own data folder, a secrets folder, and no keychain.
struct Server {
    home: tempfile::TempDir,
    secrets: tempfile::TempDir,
    no_bus: tempfile::TempDir,
    name: String,
}

impl Server {
    fn new(test: &str) -> Server {
        Server {
            home: cli_support::data_dir("home"),
            secrets: tempfile::tempdir().unwrap(),
            no_bus: tempfile::tempdir().unwrap(),
            // Upper case and a space: the file names are the lowercase name, `_` for spaces.
            name: format!("Server {test} {}", std::process::id()),
        }
    }

    /// The file the connection's secret of this kind is read from.
    fn file(&self, kind: &str) -> PathBuf {
        let stem = self.name.to_lowercase().replace(' ', "_");
        self.secrets.path().join(format!("{stem}.{kind}"))
    }

    /// `echo "$value" > file && chmod 600 file`.
    fn put(&self, kind: &str, value: &str) -> PathBuf {
        let path = self.file(kind);
        std::fs::write(&path, format!("{value}\n")).unwrap();
        chmod(&path, 0o600);
        path
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Ran {
        let mut cmd = cli_support::command(args);
        cmd.env("ICIMS_NAMELY_HOME", self.home.path())
            .env("ICIMS_NAMELY_SECRETS_DIR", self.secrets.path())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", self.no_bus.path().join("no-bus").display()),
            );
        run(cmd, stdin)
    }

    fn code(&self, args: &[&str], code: i32) -> Ran {
        let r = self.run(args, None);
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        assert!(
            !r.stdout.contains(NO_KEYCHAIN_WARNING) && !r.stderr.contains(NO_KEYCHAIN_WARNING),
            "the folder provides the secrets, yet:\n{r}"
        );
        r
    }

    /// `connection add` against the simulators, and the secrets as files of the folder.
    fn add(&self, sandbox: &SandboxProcess) {
        let add = sandbox.connection_add(&self.name);
        self.code(&add.iter().map(String::as_str).collect::<Vec<_>>(), 0);
        self.put("namely-token", &sandbox.value("Namely token"));
        self.put("icims-hmac-key", &sandbox.value("iCIMS HMAC key"));
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

// ------------------------------------------------------------------------------------------

#[test]
fn a_connection_with_its_secrets_in_the_folder_syncs_with_no_keychain() {
    // A second POST for a hire would make a second profile here (Namely's email check is
    // off), so "created 0" the second time shows exactly once.
    let sandbox = SandboxProcess::start(&["--no-email-uniqueness"]);
    let s = Server::new("sync");
    s.add(&sandbox);
    let name = s.name.as_str();
    let token_file = s.file("namely-token").display().to_string();
    let key_file = s.file("icims-hmac-key").display().to_string();

    // Where each secret comes from, for scripts and for people.
    let shown = s.code(&["connection", "show", name, "--json"], 0).json();
    let secrets = shown["secrets"].as_array().expect("secrets");
    assert_eq!(secrets.len(), 2, "{shown}");
    for (kind, file) in [("namely_token", &token_file), ("icims_hmac_key", &key_file)] {
        let info = secrets
            .iter()
            .find(|i| i["kind"] == kind)
            .unwrap_or_else(|| panic!("{kind} in {shown}"));
        assert_eq!(info["set"], true, "{info}");
        assert_eq!(info["store"], "folder", "{info}");
        assert_eq!(info["path"], file.as_str(), "{info}");
    }
    let shown = s.code(&["connection", "show", name], 0);
    assert!(
        shown
            .stdout
            .contains(&format!("Namely token       from {token_file}")),
        "{shown}"
    );

    // The checks sign in with the folder's token, and say where each secret came from.
    let check = s.code(&["check", name], 0);
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");
    assert!(
        check.stdout.contains(&format!("from {token_file}")),
        "{check}"
    );
    assert!(
        check.stdout.contains(&format!("from {key_file}")),
        "{check}"
    );

    let run = s.code(&["sync", name, "--json"], 0).json();
    assert_eq!(run["summary"]["status"], "succeeded", "{run}");
    let created = run["summary"]["counts"]["created"]
        .as_u64()
        .expect("created");
    assert!(created > 0, "the sandbox has hires to add: {run}");
    let again = s.code(&["sync", name, "--json"], 0).json();
    assert_eq!(
        again["summary"]["counts"]["created"], 0,
        "exactly once: {again}"
    );

    // Saving a secret here has no keychain to go to: the folder is where it belongs.
    let set = s.run(&["secret", "set", name, "namely-token"], Some("other\n"));
    assert_eq!(set.code, 3, "{set}");
    assert!(set.stderr.contains(&token_file), "{set}");
    assert!(set.stderr.contains("chmod 600"), "{set}");

    // The secrets were read, never copied into the data folder.
    let token = sandbox.value("Namely token");
    let hits = files_containing(s.home.path(), token.as_bytes());
    assert!(hits.is_empty(), "the token was copied to {hits:?}");
}

#[test]
fn check_refuses_a_secret_file_others_can_read_and_says_what_to_run() {
    let sandbox = SandboxProcess::start(&[]);
    let s = Server::new("exposed");
    s.add(&sandbox);
    let name = s.name.as_str();
    let file = s.file("namely-token");
    chmod(&file, 0o644);
    let chmod_hint = format!("chmod 600 {}", file.display());
    let token = sandbox.value("Namely token");

    let check = s.code(&["check", name], 3);
    assert!(check.stderr.contains(&chmod_hint), "{check}");
    assert!(!check.stderr.contains(&token) && !check.stdout.contains(&token));
    let sync = s.code(&["sync", name], 3);
    assert!(sync.stderr.contains(&chmod_hint), "{sync}");
    let shown = s.code(&["connection", "show", name], 0);
    assert!(shown.stdout.contains("NOT USED"), "{shown}");
    assert!(shown.stdout.contains(&chmod_hint), "{shown}");

    // Done as told, it works.
    chmod(&file, 0o600);
    let check = s.code(&["check", name], 0);
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");
}

/// A webhook receiver on 127.0.0.1: answers every POST 200 and keeps its body.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

/// The part of the webhook's address that makes it a secret.
const SECRET_PATH: &str = "T0001-B0002-e2e-hook-secret";

impl Receiver {
    fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!(
            "http://{}/hooks/{SECRET_PATH}",
            listener.local_addr().unwrap()
        );
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut length = 0usize;
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_ok()
                    && let Ok(value) = serde_json::from_slice(&body)
                {
                    kept.lock().unwrap().push(value);
                }
                let _ = reader.get_mut().write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        Receiver { url, bodies }
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

#[test]
fn a_broken_setup_alerts_the_webhook_in_the_folder_once() {
    let sandbox = SandboxProcess::start(&[]);
    let s = Server::new("alert");
    s.add(&sandbox);
    let name = s.name.as_str();
    let check = s.code(&["check", name], 0);
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");

    // The iCIMS key in the folder stops working; the webhook's address leads nowhere yet.
    s.put("icims-hmac-key", "a-key-iCIMS-refuses");
    let nobody = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    s.put(
        "alert-webhook",
        &format!("http://{nobody}/hooks/{SECRET_PATH}"),
    );
    let failed = s.code(&["sync", name], 3);
    assert!(
        failed.stderr.contains("could not deliver the alert")
            && failed.stderr.contains("127.0.0.1"),
        "a delivery failure is logged with the host: {failed}"
    );

    // Delivered once the address works (a failed delivery is tried again), then not again.
    let hook = Receiver::start();
    s.put("alert-webhook", &hook.url);
    let first = s.code(&["sync", name, "--json"], 3);
    let run_id = first.json()["summary"]["id"].as_i64().expect("run id");
    let second = s.code(&["sync", name], 3);
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    let body = &bodies[0];
    assert_eq!(body["event"], "setup_broken", "{body}");
    assert_eq!(body["connection"], name, "{body}");
    assert_eq!(body["app"], "icims-namely", "{body}");
    assert_eq!(body["run_id"], run_id, "{body}");
    let text = body["text"].as_str().expect("text");
    assert!(
        text.contains(name) && text.contains("icims-namely check"),
        "{text}"
    );

    for ran in [&failed, &first, &second] {
        assert!(
            !ran.stdout.contains(SECRET_PATH) && !ran.stderr.contains(SECRET_PATH),
            "the webhook's address leaked:\n{ran}"
        );
    }
}
