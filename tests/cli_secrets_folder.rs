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
//! The binary is found as in `cli.rs`: next to this test's executable, or `ICIMS_NAMELY_BIN`.
#![cfg(unix)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
const SANDBOX_START_TIMEOUT: Duration = Duration::from_secs(20);
/// What the command line says when it falls back to secrets for this session only.
const NO_KEYCHAIN_WARNING: &str = "No system keychain is running";

fn binary() -> PathBuf {
    let path = match std::env::var_os("ICIMS_NAMELY_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            let exe = std::env::current_exe().expect("the test's own path");
            // target/<profile>/deps/cli_secrets_folder-<hash>  →  target/<profile>/icims-namely
            exe.parent()
                .and_then(Path::parent)
                .expect("the test runs from target/<profile>/deps")
                .join(format!("icims-namely{}", std::env::consts::EXE_SUFFIX))
        }
    };
    assert!(
        path.is_file(),
        "{} does not exist. Build it first: `cargo build -p icims-namely-cli`, or set \
         ICIMS_NAMELY_BIN to the binary.",
        path.display()
    );
    path
}

#[derive(Debug)]
struct Ran {
    args: String,
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ icims-namely {}\n[exit {}]\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }
}

impl Ran {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}` did not print JSON ({e}):\n{self}", self.args))
    }
}

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
            home: tempfile::tempdir().unwrap(),
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
        let mut cmd = Command::new(binary());
        cmd.args(args)
            .env("ICIMS_NAMELY_HOME", self.home.path())
            .env("ICIMS_NAMELY_SECRETS_DIR", self.secrets.path())
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", self.no_bus.path().join("no-bus").display()),
            )
            .env_remove("ICIMS_NAMELY_LOG")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = args.join(" ");
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("could not start icims-namely {shown}: {e}"));
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("piped stdin");
            if let Err(e) = pipe.write_all(input.as_bytes())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                panic!("write to icims-namely {shown}: {e}");
            }
        }
        let (tx, rx) = mpsc::channel();
        let pid = child.id();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let out = match rx.recv_timeout(COMMAND_TIMEOUT) {
            Ok(out) => out.expect("wait for icims-namely"),
            Err(_) => {
                kill(pid, "KILL", false);
                panic!("`icims-namely {shown}` did not finish within {COMMAND_TIMEOUT:?}");
            }
        };
        Ran {
            args: shown,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
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
        self.code(
            &[
                "connection",
                "add",
                &self.name,
                "--namely-permalink",
                &sandbox.value("Namely permalink"),
                "--icims-customer-id",
                &sandbox.value("iCIMS Customer ID"),
                "--icims-username",
                &sandbox.value("iCIMS Username"),
                "--icims-url",
                &sandbox.value("iCIMS URL"),
                "--namely-url",
                &sandbox.value("Namely URL"),
            ],
            0,
        );
        self.put("namely-token", &sandbox.value("Namely token"));
        self.put("icims-hmac-key", &sandbox.value("iCIMS HMAC key"));
    }
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn kill(pid: u32, signal: &str, group: bool) {
    let target = if group {
        format!("-{pid}")
    } else {
        pid.to_string()
    };
    let _ = Command::new("kill")
        .args([&format!("-{signal}"), "--", &target])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// `icims-namely sandbox` in its own process group; stopped when dropped.
struct SandboxProcess {
    child: Child,
    banner: String,
}

impl SandboxProcess {
    fn start() -> SandboxProcess {
        use std::os::unix::process::CommandExt;
        let mut child = Command::new(binary())
            .args(["sandbox", "--icims-port", "0", "--namely-port", "0"])
            .env_remove("ICIMS_NAMELY_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start icims-namely sandbox");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut sandbox = SandboxProcess {
            child,
            banner: String::new(),
        };
        let deadline = Instant::now() + SANDBOX_START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|e| {
                panic!("the sandbox did not start ({e:?}):\n{}", sandbox.banner)
            });
            sandbox.banner.push_str(&line);
            sandbox.banner.push('\n');
            if line.trim() == "Press Ctrl-C to stop." {
                return sandbox;
            }
        }
    }

    /// A value of its credentials table, e.g. `value("iCIMS URL")`.
    fn value(&self, label: &str) -> String {
        self.banner
            .lines()
            .find_map(|l| {
                let rest = l.trim_start().strip_prefix(label)?;
                rest.starts_with("  ")
                    .then(|| rest.split_whitespace().next())
                    .flatten()
            })
            .unwrap_or_else(|| panic!("no \"{label}\" in the sandbox banner:\n{}", self.banner))
            .to_string()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        kill(self.child.id(), "TERM", true);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            hits.push(path);
        }
    }
    hits
}

// ------------------------------------------------------------------------------------------

#[test]
fn a_connection_with_its_secrets_in_the_folder_syncs_with_no_keychain() {
    let sandbox = SandboxProcess::start();
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
    let hits = files_containing(s.home.path(), &token);
    assert!(hits.is_empty(), "the token was copied to {hits:?}");
}

#[test]
fn check_refuses_a_secret_file_others_can_read_and_says_what_to_run() {
    let sandbox = SandboxProcess::start();
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
    let sandbox = SandboxProcess::start();
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
