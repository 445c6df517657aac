//! The harness the command-line suites share (`cli.rs`, `cli_secrets_folder.rs`,
//! `cli_units.rs`): the built `icims-namely` under test, a command of it run to the end with a
//! time limit, and `icims-namely sandbox` as a child process. Each suite includes this file
//! with `#[path = "support/cli.rs"] mod cli_support;` and uses what it needs.
//!
//! **The binary is not built by the tests.** Cargo sets `CARGO_BIN_EXE_<name>` only for the
//! tests of the package that owns the binary, and this package is not `icims-namely-cli`. The
//! binary is taken from next to the test's executable (`target/<profile>/icims-namely`), or
//! from `ICIMS_NAMELY_BIN` when set. A missing binary, or one older than a source file it was
//! built from (per its Cargo dep-info file), fails the tests with the command to run.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// Longest any single command may take before the test fails (and the process is killed).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest the sandbox may take to print its credentials (or to confirm a hire).
pub const SANDBOX_START_TIMEOUT: Duration = Duration::from_secs(20);

static BIN: OnceLock<PathBuf> = OnceLock::new();

/// The `icims-namely` binary under test (see the module documentation).
pub fn binary() -> &'static Path {
    BIN.get_or_init(|| {
        let path = match std::env::var_os("ICIMS_NAMELY_BIN") {
            Some(p) => PathBuf::from(p),
            None => {
                let exe = std::env::current_exe().expect("the test's own path");
                // target/<profile>/deps/<test>-<hash>  →  target/<profile>/icims-namely
                let profile_dir = exe
                    .parent()
                    .and_then(Path::parent)
                    .expect("the test runs from target/<profile>/deps");
                profile_dir.join(format!("icims-namely{}", std::env::consts::EXE_SUFFIX))
            }
        };
        assert!(
            path.is_file(),
            "{} does not exist. Build it first: `cargo build -p icims-namely-cli` (scripts/test.sh \
             builds the workspace before this step), or set ICIMS_NAMELY_BIN to the binary.",
            path.display()
        );
        if let Some(newer) = source_newer_than(&path) {
            panic!(
                "{} is older than {}, a source file it is built from: rebuild it with \
                 `cargo build -p icims-namely-cli` before running these tests.",
                path.display(),
                newer.display()
            );
        }
        path
    })
}

/// The binary when `binary()` has already found it; for clean-up in `Drop`, which must not
/// panic over a missing binary.
pub fn binary_if_found() -> Option<&'static Path> {
    BIN.get().map(PathBuf::as_path)
}

/// A source file listed in the binary's Cargo dep-info (`icims-namely.d`) that changed after
/// the binary was written; `None` when the binary is current or there is no dep-info.
fn source_newer_than(binary: &Path) -> Option<PathBuf> {
    let built = std::fs::metadata(binary).and_then(|m| m.modified()).ok()?;
    let info = std::fs::read_to_string(binary.with_extension("d")).ok()?;
    let (_, deps) = info.split_once(": ")?;
    // Paths are separated by spaces; a space inside a path is written `\ `.
    let mut paths = Vec::new();
    let mut current = String::new();
    let mut chars = deps.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            c if c.is_whitespace() => {
                if !current.is_empty() {
                    paths.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        paths.push(PathBuf::from(current));
    }
    paths.into_iter().find(|p| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t: SystemTime| t > built)
    })
}

/// One finished command.
#[derive(Debug, Clone)]
pub struct Ran {
    pub args: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// What it printed on stdout, as JSON (fails the test when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("`{}` did not print JSON ({e}):\n{self}", self.args))
    }
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

/// The binary with these arguments, without the `ICIMS_NAMELY_LOG` of the test's own
/// environment; the caller adds the data folder and any other environment.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(args).env_remove("ICIMS_NAMELY_LOG");
    cmd
}

/// Runs `cmd` (from [`command`]) to the end, `input` on its standard input (none: nothing to
/// read), its output captured; kills it and fails the test after [`COMMAND_TIMEOUT`].
pub fn run(mut cmd: Command, input: Option<&str>) -> Ran {
    let shown = cmd
        .get_args()
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ");
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("could not start icims-namely {shown}: {e}"));
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("piped stdin");
        // A command that fails before reading its input closes the pipe early.
        if let Err(e) = stdin.write_all(input.as_bytes())
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            panic!("write to the stdin of icims-namely {shown}: {e}");
        }
    }
    finish(child, &shown)
}

/// A spawned command, waited for (killed after [`COMMAND_TIMEOUT`]); `args` as it is shown.
pub fn finish(child: Child, args: &str) -> Ran {
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(COMMAND_TIMEOUT) {
        Ok(out) => out.expect("wait for icims-namely"),
        Err(_) => {
            kill(pid, "KILL", false);
            panic!("`icims-namely {args}` did not finish within {COMMAND_TIMEOUT:?}");
        }
    };
    keep_output(args, out.status.code(), &out.stdout, &out.stderr);
    Ran {
        args: args.to_string(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Ctrl-C twice, as a person does who will not wait: the first SIGINT, then — once the command
/// has said "Stopping after the current record" (so the two signals cannot merge into one,
/// however loaded the machine) — the second; then waits for the command's end. `child` has
/// its stdout and stderr piped.
pub fn interrupt_twice(mut child: Child, args: &str) -> Ran {
    let pid = child.id();
    let read_all = |mut from: Box<dyn Read + Send>, into: Arc<Mutex<Vec<u8>>>| {
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = from.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                into.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        })
    };
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let out_reader = read_all(
        Box::new(child.stdout.take().expect("stdout piped")),
        stdout.clone(),
    );
    let err_reader = read_all(
        Box::new(child.stderr.take().expect("stderr piped")),
        stderr.clone(),
    );
    kill(pid, "INT", false);
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let said_stopping = || {
        String::from_utf8_lossy(&stderr.lock().unwrap())
            .contains("Stopping after the current record")
    };
    while !said_stopping() {
        if Instant::now() > deadline {
            kill(pid, "KILL", false);
            panic!("`icims-namely {args}` never said it was stopping after a first Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    kill(pid, "INT", false);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for icims-namely") {
            break status;
        }
        if Instant::now() > deadline {
            kill(pid, "KILL", false);
            panic!("`icims-namely {args}` did not quit after a second Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = out_reader.join();
    let _ = err_reader.join();
    let (stdout, stderr) = (
        stdout.lock().unwrap().clone(),
        stderr.lock().unwrap().clone(),
    );
    keep_output(args, status.code(), &stdout, &stderr);
    Ran {
        args: args.to_string(),
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Sends a signal with the `kill` command (no `unsafe` in this workspace); `group` signals the
/// whole process group led by `pid`.
pub fn kill(pid: u32, signal: &str, group: bool) {
    if cfg!(unix) {
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
}

/// `icims-namely sandbox` running as a child process in its own process group. Dropping it
/// stops it (SIGTERM to the group, then SIGKILL), also when the test panics.
pub struct SandboxProcess {
    child: Child,
    /// Everything it printed on stdout up to "Press Ctrl-C to stop.".
    pub banner: String,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Its standard input, for the sandbox's own commands (`hire`).
    stdin: Option<std::process::ChildStdin>,
    /// What it prints on stdout after the banner, line by line.
    lines: mpsc::Receiver<String>,
}

impl SandboxProcess {
    /// Starts it on free ports with these extra options and waits for its credentials.
    pub fn start(extra: &[&str]) -> SandboxProcess {
        let mut cmd = command(&["sandbox", "--icims-port", "0", "--namely-port", "0"]);
        cmd.args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd.spawn().expect("start icims-namely sandbox");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel::<String>();
        let mut sandbox = SandboxProcess {
            child,
            banner: String::new(),
            stderr: Arc::new(Mutex::new(Vec::new())),
            stdin,
            lines: rx,
        };
        let sink = sandbox.stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
        });
        std::thread::spawn(move || {
            // Keeps draining after the banner so the sandbox never blocks on a full pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + SANDBOX_START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match sandbox.lines.recv_timeout(left) {
                Ok(line) => {
                    let done = line.trim() == "Press Ctrl-C to stop.";
                    sandbox.banner.push_str(&line);
                    sandbox.banner.push('\n');
                    if done {
                        break;
                    }
                }
                Err(e) => panic!(
                    "the sandbox did not start ({e:?}):\n{}\n--- stderr ---\n{}",
                    sandbox.banner,
                    sandbox.stderr_text()
                ),
            }
        }
        sandbox
    }

    /// A value of the credentials table, e.g. `value("iCIMS URL")`.
    pub fn value(&self, label: &str) -> String {
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

    /// `connection add NAME …`: the arguments that point a connection at this sandbox.
    pub fn connection_add(&self, name: &str) -> Vec<String> {
        let mut args = vec![
            "connection".to_string(),
            "add".to_string(),
            name.to_string(),
        ];
        for (option, label) in [
            ("--namely-permalink", "Namely permalink"),
            ("--icims-customer-id", "iCIMS Customer ID"),
            ("--icims-username", "iCIMS Username"),
            ("--icims-url", "iCIMS URL"),
            ("--namely-url", "Namely URL"),
        ] {
            args.extend([option.to_string(), self.value(label)]);
        }
        args
    }

    /// Hires a person in the simulated iCIMS (the sandbox's `hire` command) and waits until
    /// it says so; returns the person's iCIMS id.
    pub fn hire(&mut self, first: &str, last: &str) -> u64 {
        let stdin = self.stdin.as_mut().expect("the sandbox's standard input");
        writeln!(stdin, "hire {first} {last}").expect("write to the sandbox");
        stdin.flush().expect("flush");
        let deadline = Instant::now() + SANDBOX_START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("the sandbox did not confirm the hire ({e:?})"));
            if let Some(rest) =
                line.strip_prefix(&format!("Added {first} {last} to iCIMS as hired (person "))
            {
                return rest
                    .split(',')
                    .next()
                    .and_then(|id| id.parse().ok())
                    .unwrap_or_else(|| panic!("no person id in {line:?}"));
            }
        }
    }

    /// What it has written to standard error so far.
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Asks it to stop (SIGTERM to its group) and waits; SIGKILL after 5 s.
    pub fn stop(&mut self) -> ExitStatus {
        if let Ok(Some(status)) = self.child.try_wait() {
            return status;
        }
        kill(self.child.id(), "TERM", true);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        self.child.wait().expect("wait for the sandbox")
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let status = self.stop();
        // Its stderr only: its stdout shows the demo credentials by design.
        let stderr = self
            .stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        keep_output("sandbox", status.code(), b"", &stderr);
    }
}

// ------------------------------------------------------------------------------------------
// Kept for the canary scan (scripts/canary-scan.sh)
// ------------------------------------------------------------------------------------------

/// `$ICIMS_NAMELY_KEEP_TEST_DATA/cli/<sub>`, created, when that variable is set.
fn kept(sub: &str) -> Option<PathBuf> {
    let keep = std::env::var_os("ICIMS_NAMELY_KEEP_TEST_DATA").filter(|v| !v.is_empty())?;
    let dir = Path::new(&keep).join("cli").join(sub);
    std::fs::create_dir_all(&dir).expect("create the kept test-data folder");
    Some(dir)
}

/// This test binary's name without Cargo's hash (`cli`, `cli_secrets_folder`).
fn suite() -> String {
    let exe = std::env::current_exe().unwrap_or_default();
    let stem = exe.file_stem().and_then(|s| s.to_str()).unwrap_or("test");
    stem.rsplit_once('-')
        .map_or(stem, |(name, _hash)| name)
        .to_string()
}

/// A fresh folder for a data folder (or exports), removed at the end — unless
/// `ICIMS_NAMELY_KEEP_TEST_DATA` names a folder: then it is made there and kept, for the
/// canary scan of `scripts/test.sh`. `label` says what it holds.
pub fn data_dir(label: &str) -> tempfile::TempDir {
    match kept("data") {
        None => tempfile::tempdir().expect("a temporary folder"),
        Some(parent) => tempfile::Builder::new()
            .prefix(&format!("{}.{label}.", suite()))
            .disable_cleanup(true)
            .tempdir_in(parent)
            .expect("a kept test-data folder"),
    }
}

/// With `ICIMS_NAMELY_KEEP_TEST_DATA` set, what a command printed (panics included) goes to a
/// file there for the canary scan. Only the subcommand of `args` is written: a test may pass
/// a secret as an argument on purpose, to see it refused.
fn keep_output(args: &str, code: Option<i32>, stdout: &[u8], stderr: &[u8]) {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let Some(dir) = kept("output") else { return };
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let command: Vec<&str> = args
        .split_whitespace()
        .take_while(|a| !a.starts_with('-'))
        .take(2)
        .collect();
    let mut text = format!(
        "$ icims-namely {} …\n[exit {}]\n--- stdout ---\n",
        command.join(" "),
        code.map_or("signal".to_string(), |c| c.to_string())
    )
    .into_bytes();
    text.extend_from_slice(stdout);
    text.extend_from_slice(b"\n--- stderr ---\n");
    text.extend_from_slice(stderr);
    let file = dir.join(format!("{}-{}-{n:04}.txt", suite(), std::process::id()));
    std::fs::write(&file, text).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
}

/// Every file under `dir` (recursively) whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else {
            let bytes =
                std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            if bytes.windows(needle.len()).any(|w| w == needle) {
                hits.push(path);
            }
        }
    }
    hits
}

/// Every file under `dir` (recursively); none when it cannot be read.
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(all_files(&path));
        } else {
            files.push(path);
        }
    }
    files
}
