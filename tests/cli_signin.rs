//! `icims-namely signin` end to end (issue 13): the built binary signs in with Namely against
//! `icims-namely sandbox` run as a process, the test acting as the person's browser — it reads
//! the address the command prints (or the one it hands to `$BROWSER`), presses Accept or Deny
//! on the simulator's consent page (`sandbox::namely::consent`), and brings the redirect back to
//! the command's listener on 127.0.0.1, as a browser would.
//!
//! Sign-in keeps the client secret and refresh token in the system keychain (there is no
//! secrets-folder way to sign in), so every test here that signs in is `#[ignore]`d like the
//! keychain tests of `cli.rs`, and runs inside the private gnome-keyring of
//! `scripts/with-secret-service.sh`, as `scripts/test.sh` does:
//!
//! ```sh
//! cargo build -p icims-namely-cli     # the binary under test; scripts/test.sh builds it first
//! scripts/with-secret-service.sh env ICIMS_NAMELY_SECRET_SERVICE_TEST=1 \
//!     cargo test -p icims-namely-e2e --test cli_signin -- --include-ignored
//! ```
//!
//! The command's standard output and error go to files of a kept test-data folder (read while
//! it waits, and scanned for canaries by `scripts/test.sh`).

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{COMMAND_TIMEOUT, Ran, SandboxProcess, binary_if_found, files_containing, kill};
use sandbox::namely::consent::{self, Decision};
use serde_json::Value;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What `signin` prints while it waits (crates/cli/src/signin_cmd.rs).
const WAITING: &str = "Waiting for you to click Accept in the browser… (Ctrl-C to stop)";

// ------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------

/// Fails the test unless it runs inside the private keyring of
/// `scripts/with-secret-service.sh`.
fn needs_keychain() {
    assert!(
        std::env::var("ICIMS_NAMELY_SECRET_SERVICE_TEST").is_ok_and(|v| v == "1"),
        "this test needs a real Secret Service: run it with scripts/with-secret-service.sh env \
         ICIMS_NAMELY_SECRET_SERVICE_TEST=1 cargo test -p icims-namely-e2e --test cli_signin \
         -- --include-ignored"
    );
}

/// A connection name unique to this test and process (keychain entries are shared).
fn conn(test: &str) -> String {
    format!("e2e-signin-{test}-{}", std::process::id())
}

/// A port free on 127.0.0.1 right now, for the redirect URI.
fn free_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}/namely/callback")
}

/// `icims-namely sandbox` whose demo OAuth app has exactly this redirect URI registered.
fn sandbox(port: u16, extra: &[&str]) -> SandboxProcess {
    let uri = redirect_uri(port);
    let mut args = vec!["--oauth-redirect-uri", &uri, "--no-email-uniqueness"];
    args.extend_from_slice(extra);
    SandboxProcess::start(&args)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// The consent page answered with `decision` (the person selected by default signs in);
/// returns where it sends the browser.
fn answer(authorize_url: &str, decision: Decision) -> String {
    block_on(consent::answer(authorize_url, decision, None))
        .unwrap_or_else(|e| panic!("the consent page: {e}"))
}

/// Opens `url` as the browser does after the consent page's redirect; status and page.
fn browse(url: &str) -> (u16, String) {
    block_on(async {
        let resp = reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    })
}

/// A private data folder; connections made in it are removed (with their keychain entries)
/// at the end, whatever happened.
struct Cli {
    home: tempfile::TempDir,
    names: std::cell::RefCell<Vec<String>>,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            home: cli_support::data_dir("home"),
            names: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = cli_support::command(args);
        cmd.env("ICIMS_NAMELY_HOME", self.home.path());
        cmd
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)], input: Option<&str>) -> Ran {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cli_support::run(cmd, input)
    }

    fn code(&self, args: &[&str], code: i32) -> Ran {
        let r = self.run_env(args, &[], None);
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        r
    }

    fn ok(&self, args: &[&str]) -> Ran {
        self.code(args, 0)
    }

    fn show(&self, name: &str) -> Value {
        self.ok(&["connection", "show", name, "--json"]).json()
    }

    /// A connection to the sandbox with its iCIMS key saved (and the demo Namely token when
    /// `token`), registered for removal.
    fn connect(&self, sandbox: &SandboxProcess, test: &str, token: bool) -> String {
        let name = conn(test);
        self.names.borrow_mut().push(name.clone());
        let add = sandbox.connection_add(&name);
        self.ok(&add.iter().map(String::as_str).collect::<Vec<_>>());
        let key = sandbox.value("iCIMS HMAC key");
        let r = self.run_env(
            &["secret", "set", &name, "icims-hmac-key"],
            &[],
            Some(&format!("{key}\n")),
        );
        assert_eq!(r.code, 0, "{r}");
        if token {
            let token = sandbox.value("Namely token");
            let r = self.run_env(
                &["secret", "set", &name, "namely-token"],
                &[],
                Some(&format!("{token}\n")),
            );
            assert_eq!(r.code, 0, "{r}");
        }
        name
    }

    /// Starts `signin NAME --client-id … --port PORT ARGS…` with `secret` on its standard
    /// input; its output goes to files of a kept test-data folder.
    fn signin(
        &self,
        name: &str,
        port: u16,
        secret: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Signin {
        let port = port.to_string();
        let mut args = vec![
            "signin",
            name,
            "--client-id",
            sandbox::namely::OAUTH_CLIENT_ID,
            "--port",
            &port,
        ];
        args.extend_from_slice(extra);
        let output = cli_support::data_dir("signin-output");
        let stdout = output.path().join("stdout.txt");
        let stderr = output.path().join("stderr.txt");
        let mut cmd = self.command(&args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(std::fs::File::create(&stdout).expect("stdout file"))
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .spawn()
            .expect("start icims-namely signin");
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(format!("{secret}\n").as_bytes())
            .expect("write the client secret");
        drop(stdin);
        Signin {
            child,
            args: format!("signin {name} --port {port} {}", extra.join(" ")),
            stdout,
            stderr,
            _output: output,
        }
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        // Keychain entries outlive the data folder: remove what the test left.
        let Some(bin) = binary_if_found() else { return };
        for name in self.names.borrow().iter() {
            let _ = Command::new(bin)
                .args(["connection", "remove", name])
                .env("ICIMS_NAMELY_HOME", self.home.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// A `signin` command running.
struct Signin {
    child: Child,
    args: String,
    stdout: PathBuf,
    stderr: PathBuf,
    _output: tempfile::TempDir,
}

impl Signin {
    fn read(path: &Path) -> String {
        String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
    }

    /// What it printed so far: (standard output, standard error).
    fn output(&self) -> (String, String) {
        (Self::read(&self.stdout), Self::read(&self.stderr))
    }

    /// Asks `step` every 25 ms until it gives an answer; after [`COMMAND_TIMEOUT`] kills the
    /// command and fails with the message `never` makes.
    fn poll<T>(
        &mut self,
        mut step: impl FnMut(&mut Self) -> Option<T>,
        never: impl FnOnce(&Self) -> String,
    ) -> T {
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            if let Some(answer) = step(self) {
                return answer;
            }
            if Instant::now() > deadline {
                kill(self.child.id(), "KILL", false);
                panic!("{}", never(self));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until `done` holds for (stdout, stderr); fails if the command ends first.
    fn wait_until(&mut self, what: &str, done: impl Fn(&str, &str) -> bool) {
        self.poll(
            |signin| {
                let (out, err) = signin.output();
                if done(&out, &err) {
                    return Some(());
                }
                if let Ok(Some(status)) = signin.child.try_wait() {
                    panic!(
                        "`icims-namely {}` ended ({status}) before {what}:\n--- stdout ---\n{out}\n\
                         --- stderr ---\n{err}",
                        signin.args
                    );
                }
                None
            },
            |signin| {
                let (out, err) = signin.output();
                format!(
                    "`icims-namely {}` never {what}:\n--- stdout ---\n{out}\n--- stderr ---\n{err}",
                    signin.args
                )
            },
        )
    }

    /// The address it asks to open (the line after "Open this address…").
    fn url(&mut self) -> String {
        self.wait_until("printed the address to open", |out, _| {
            authorize_url(out).is_some()
        });
        authorize_url(&Self::read(&self.stdout)).expect("the address")
    }

    /// Waits until it says it waits for the browser (its Ctrl-C handler is in place then).
    fn waiting(&mut self) {
        self.wait_until("said it waits for the browser", |_, err| {
            err.contains(WAITING)
        });
    }

    /// Waits for its end; fails unless it exits with `code`.
    fn finish_with(self, code: i32) -> Ran {
        let r = self.finish();
        assert_eq!(r.code, code, "unexpected exit code:\n{r}");
        r
    }

    /// Waits for its end (killed after [`COMMAND_TIMEOUT`]).
    fn finish(mut self) -> Ran {
        let status = self.poll(
            |signin| signin.child.try_wait().expect("wait for icims-namely"),
            |signin| {
                format!(
                    "`icims-namely {}` did not finish within {COMMAND_TIMEOUT:?}",
                    signin.args
                )
            },
        );
        let (stdout, stderr) = self.output();
        Ran {
            args: self.args.clone(),
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }
}

impl Drop for Signin {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn authorize_url(stdout: &str) -> Option<String> {
    let mut lines = stdout.lines();
    lines.find(|l| l.starts_with("Open this address in your browser to sign in to Namely:"))?;
    let url = lines.next()?.trim();
    url.starts_with("http").then(|| url.to_string())
}

/// The connection uses no sign-in with Namely: no client ID, none of its secrets, and
/// `connection show` says the personal access token.
fn assert_not_signed_in(cli: &Cli, name: &str) {
    let shown = cli.show(name);
    assert!(shown["settings"]["namely_client_id"].is_null(), "{shown}");
    let kinds: Vec<&str> = shown["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert!(
        !kinds.contains(&"namely_client_secret") && !kinds.contains(&"namely_refresh_token"),
        "{shown}"
    );
    let text = cli.ok(&["connection", "show", name]);
    assert!(
        text.stdout
            .contains("  Namely sign-in     personal access token"),
        "{text}"
    );
    assert!(!text.stdout.contains("signed in with Namely"), "{text}");
}

/// Whether this secret kind is saved for the connection, per `connection show --json`.
fn secret_set(shown: &Value, kind: &str) -> bool {
    shown["secrets"]
        .as_array()
        .expect("secrets")
        .iter()
        .any(|s| s["kind"] == kind && s["set"] == true)
}

/// Sets the Unix permission bits of `path` (nothing elsewhere).
fn chmod(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {mode:o} {}: {e}", path.display()));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// What every test that signs in starts from: the keychain there, a free port for the
/// redirect URI, `icims-namely sandbox` with that redirect URI registered, and a connection
/// to it in a private data folder (removed with its keychain entries at the end).
struct Connected {
    // Fields drop in this order: the connection is removed while its sandbox still runs.
    cli: Cli,
    name: String,
    port: u16,
    sandbox: SandboxProcess,
}

/// Fails unless it runs in the private keyring; then the sandbox (started with
/// `sandbox_args`) and a connection to it named after `test`, with its iCIMS key saved and,
/// when `token`, the demo Namely personal access token too.
fn connected(test: &str, token: bool, sandbox_args: &[&str]) -> Connected {
    needs_keychain();
    let port = free_port();
    let sandbox = sandbox(port, sandbox_args);
    let cli = Cli::new();
    let name = cli.connect(&sandbox, test, token);
    Connected {
        cli,
        name,
        port,
        sandbox,
    }
}

impl Connected {
    /// The redirect URI registered with the sandbox's demo OAuth app.
    fn redirect_uri(&self) -> String {
        redirect_uri(self.port)
    }

    /// Starts `signin` for the connection on its port (see [`Cli::signin`]).
    fn signin(&self, secret: &str, extra: &[&str], env: &[(&str, &str)]) -> Signin {
        self.cli.signin(&self.name, self.port, secret, extra, env)
    }

    /// Starts `signin --no-browser` with the demo app's client secret; returns the running
    /// command and the address it printed to open.
    fn signin_no_browser(&self) -> (Signin, String) {
        let mut signin = self.signin(sandbox::namely::OAUTH_CLIENT_SECRET, &["--no-browser"], &[]);
        let url = signin.url();
        (signin, url)
    }

    /// Signs in: the address read from standard output, Accept on the consent page, the
    /// redirect delivered to the listener; returns the finished command.
    fn sign_in_accepting(&self, env: &[(&str, &str)]) -> Ran {
        let mut signin = self.signin(sandbox::namely::OAUTH_CLIENT_SECRET, &["--no-browser"], env);
        let url = signin.url();
        let location = answer(&url, Decision::Accept);
        assert!(
            location.starts_with(&format!("{}?code=", self.redirect_uri())),
            "{location}"
        );
        let (status, page) = browse(&location);
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Go back to the app"), "{page}");
        signin.finish()
    }

    /// See [`assert_not_signed_in`].
    fn assert_not_signed_in(&self) {
        assert_not_signed_in(&self.cli, &self.name);
    }
}

// ------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------

/// 1. The whole sign-in with `--no-browser`, then later commands in new processes renew the
///    access token by themselves: the sandbox's access tokens live 1 s and every refresh hands
///    out a new refresh token (the old one stops working), so `check` and then `owner` work only
///    if each refreshed and kept what Namely handed out.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_with_no_browser_accepts_and_later_commands_refresh_the_access_token() {
    let c = connected(
        "full",
        false,
        &["--access-token-ttl", "1", "--refresh-rotation", "rotate"],
    );
    let (signin, url) = c.signin_no_browser();
    let namely = c.sandbox.value("Namely URL");
    let origin = namely.trim_end_matches("/api/v1");
    assert!(
        url.starts_with(&format!("{origin}/api/v1/oauth2/authorize?")),
        "{url} (Namely at {namely})"
    );
    assert!(url.contains("client_id=sandbox-oauth-client"), "{url}");
    assert!(url.contains("state="), "{url}");
    let location = answer(&url, Decision::Accept);
    let (status, page) = browse(&location);
    assert_eq!(status, 200, "{page}");
    let r = signin.finish_with(0);
    assert!(
        r.stdout
            .contains("Signed in to Acme Corp (Sandbox) as Olivia Owner ("),
        "{r}"
    );
    assert!(r.stdout.contains(&c.redirect_uri()), "{r}");
    assert!(r.stdout.contains("exactly this redirect URI"), "{r}");
    assert!(r.stderr.contains(WAITING), "{r}");
    assert!(!r.stderr.contains("Opened it in your browser"), "{r}");

    let text = c.cli.ok(&["connection", "show", &c.name]);
    assert!(
        text.stdout.contains(&format!(
            "  Namely sign-in     signed in with Namely (client ID sandbox-oauth-client, \
             redirect URI {})",
            c.redirect_uri()
        )),
        "{text}"
    );
    let shown = c.cli.show(&c.name);
    assert_eq!(
        shown["settings"]["namely_client_id"], "sandbox-oauth-client",
        "{shown}"
    );
    assert!(secret_set(&shown, "namely_client_secret"), "{shown}");
    assert!(secret_set(&shown, "namely_refresh_token"), "{shown}");
    assert!(!secret_set(&shown, "namely_token"), "{shown}");

    // The access token of the sign-in has run out by now.
    std::thread::sleep(Duration::from_secs(2));
    let check = c.cli.ok(&["check", &c.name, "--verbose"]);
    assert!(check.stdout.contains("All 4 checks passed."), "{check}");
    assert!(
        check.stderr.contains("refreshing the Namely access token"),
        "{check}"
    );
    // A new process again: it works only with the refresh token the last refresh handed out.
    std::thread::sleep(Duration::from_secs(2));
    let owner = c.cli.ok(&["owner", &c.name]);
    assert!(owner.stdout.contains("Olivia Owner"), "{owner}");
    assert!(owner.stdout.contains("← owner"), "{owner}");
    // A unit for a server, whose secrets folder cannot keep a refresh token Namely replaces:
    // printed, with a warning to save a personal access token instead.
    c.cli
        .ok(&["connection", "edit", &c.name, "--schedule", "every:1h"]);
    let secrets = c.cli.home.path().join("server-secrets");
    let unit = c.cli.ok(&[
        "schedule",
        "print-unit",
        &c.name,
        "--format",
        "systemd",
        "--secrets-dir",
        secrets.to_str().unwrap(),
    ]);
    assert!(unit.stdout.contains("[Timer]"), "{unit}");
    assert!(
        unit.stderr.contains("signs in with Namely")
            && unit.stderr.contains("secret set")
            && unit.stderr.contains("namely-token"),
        "{unit}"
    );
}

/// 2. Deny on the consent page: exit 3, the message says it was denied, and the connection
///    keeps its personal access token, untouched.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_denied_exits_3_and_saves_nothing() {
    let c = connected("deny", true, &[]);
    let (signin, url) = c.signin_no_browser();
    let location = answer(&url, Decision::Deny);
    assert!(location.contains("error=access_denied"), "{location}");
    let (status, page) = browse(&location);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You chose Deny"), "{page}");
    let r = signin.finish_with(3);
    assert!(r.stderr.contains("the sign-in was denied"), "{r}");
    assert!(r.stderr.contains("nothing was saved"), "{r}");
    c.assert_not_signed_in();
    assert!(secret_set(&c.cli.show(&c.name), "namely_token"));
    // The token still signs in.
    c.cli.ok(&["check", &c.name]);
}

/// 3. An answer whose state is not this sign-in's is refused: exit 3, nothing saved.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_refuses_an_answer_with_the_wrong_state() {
    let c = connected("state", false, &[]);
    let (signin, url) = c.signin_no_browser();
    // A real code, but brought back with another state (as a forged link would).
    let location = answer(&url, Decision::Accept);
    let (base, query) = location.split_once('?').expect("a query");
    let forged: Vec<String> = query
        .split('&')
        .map(|kv| {
            if kv.starts_with("state=") {
                "state=wrong".to_string()
            } else {
                kv.to_string()
            }
        })
        .collect();
    let (status, page) = browse(&format!("{base}?{}", forged.join("&")));
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("does not belong to the sign-in"), "{page}");
    let r = signin.finish_with(3);
    assert!(r.stderr.contains("did not belong to this sign-in"), "{r}");
    assert!(r.stderr.contains("nothing was saved"), "{r}");
    c.assert_not_signed_in();
}

/// 4. A wrong client secret: Namely refuses the exchange (invalid_client); exit 3 with what to
///    do, nothing saved.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_with_a_wrong_client_secret_exits_3_naming_invalid_client() {
    let c = connected("secret", false, &[]);
    let wrong = "sandbox-oauth-secret-WRONG-e2e";
    let mut signin = c.signin(wrong, &["--no-browser"], &[]);
    let url = signin.url();
    let (status, _) = browse(&answer(&url, Decision::Accept));
    assert_eq!(status, 200);
    let r = signin.finish_with(3);
    assert!(r.stderr.contains("invalid_client"), "{r}");
    assert!(
        r.stderr
            .contains("Namely did not accept the client ID and client secret"),
        "{r}"
    );
    assert!(
        !r.stdout.contains(wrong) && !r.stderr.contains(wrong),
        "{r}"
    );
    c.assert_not_signed_in();
}

/// 5. No answer within `--timeout`: exit 3, and the message names the redirect URI to
///    register exactly.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_without_an_answer_times_out_with_3_naming_the_redirect_uri() {
    let c = connected("timeout", false, &[]);
    let started = Instant::now();
    let signin = c.signin(
        sandbox::namely::OAUTH_CLIENT_SECRET,
        &["--no-browser", "--timeout", "2"],
        &[],
    );
    let r = signin.finish_with(3);
    assert!(started.elapsed() >= Duration::from_secs(2), "{r}");
    assert!(r.stderr.contains("within 2 seconds"), "{r}");
    assert!(
        r.stderr
            .contains(&format!("register exactly {}", c.redirect_uri())),
        "{r}"
    );
    c.assert_not_signed_in();
}

/// 6. Without `--no-browser` the address goes to the browser (`$BROWSER`, here a script that
///    writes down what it was given); a browser that cannot be opened is said, and the wait
///    goes on.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_opens_the_authorize_address_in_the_browser() {
    let c = connected("browser", false, &[]);
    let dir = tempfile::tempdir().expect("a folder");
    let opened = dir.path().join("opened.txt");
    let script = dir.path().join("fake-browser");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            opened.display()
        ),
    )
    .expect("write the browser script");
    chmod(&script, 0o755);
    let script = script.to_str().expect("UTF-8 path").to_string();
    let mut signin = c.signin(
        sandbox::namely::OAUTH_CLIENT_SECRET,
        &[],
        &[("BROWSER", &script)],
    );
    let printed = signin.url();
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    while !opened.exists() {
        assert!(Instant::now() < deadline, "the browser was never opened");
        std::thread::sleep(Duration::from_millis(25));
    }
    let url = std::fs::read_to_string(&opened).expect("what the browser got");
    assert_eq!(url, printed, "the browser gets the address printed");
    let (status, _) = browse(&answer(&url, Decision::Accept));
    assert_eq!(status, 200);
    let r = signin.finish_with(0);
    assert!(r.stderr.contains("Opened it in your browser."), "{r}");

    // No browser to be found: said, and the sign-in still waits for the answer.
    let empty = tempfile::tempdir().expect("a folder");
    let nowhere = empty.path().join("no-such-browser");
    let mut signin = c.signin(
        sandbox::namely::OAUTH_CLIENT_SECRET,
        &[],
        &[
            ("BROWSER", nowhere.to_str().expect("UTF-8")),
            ("PATH", empty.path().to_str().expect("UTF-8")),
        ],
    );
    let url = signin.url();
    signin.waiting();
    let (status, _) = browse(&answer(&url, Decision::Deny));
    assert_eq!(status, 200);
    let r = signin.finish_with(3);
    assert!(r.stderr.contains("Could not open a browser"), "{r}");
    assert!(r.stderr.contains("open the address above yourself"), "{r}");
    assert!(r.stderr.contains("the sign-in was denied"), "{r}");
}

/// A local address of this machine that is not loopback: the IPv4 address of the default
/// route's interface (a UDP "connect" sends nothing), else none.
fn non_loopback_ipv4() -> Option<Ipv4Addr> {
    let socket = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect((Ipv4Addr::new(192, 0, 2, 1), 9)).ok()?;
    match socket.local_addr().ok()?.ip() {
        IpAddr::V4(ip) if !ip.is_loopback() && !ip.is_unspecified() => Some(ip),
        _ => None,
    }
}

/// 7. While it waits, the listener answers on 127.0.0.1 only: the same port on another
///    address of this machine refuses the connection. Ctrl-C then cancels: exit 130, nothing
///    saved.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_listens_on_127_0_0_1_only_and_ctrl_c_cancels_with_130() {
    let c = connected("loopback", false, &[]);
    let port = c.port;
    let (mut signin, _) = c.signin_no_browser();
    signin.waiting();
    let timeout = Duration::from_secs(5);
    let connect = |ip: IpAddr| TcpStream::connect_timeout(&SocketAddr::new(ip, port), timeout);
    connect(IpAddr::V4(Ipv4Addr::LOCALHOST)).expect("the listener is on 127.0.0.1");
    let mut others = vec![IpAddr::V6(Ipv6Addr::LOCALHOST)];
    if cfg!(target_os = "linux") {
        // All of 127.0.0.0/8 is this machine on Linux.
        others.push(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    }
    match non_loopback_ipv4() {
        Some(ip) => others.push(IpAddr::V4(ip)),
        None => eprintln!("no non-loopback IPv4 address here; checked {others:?} only"),
    }
    for ip in others {
        match connect(ip) {
            Ok(_) => panic!("the sign-in listener answered on {ip}:{port}"),
            Err(e) => {
                // Refused, or (no IPv6 here) the address is not available at all.
                assert_ne!(e.kind(), std::io::ErrorKind::TimedOut, "{ip}: {e}");
            }
        }
    }
    kill(signin.child.id(), "INT", false);
    let r = signin.finish_with(130);
    assert!(
        r.stderr.contains("Sign-in cancelled; nothing was saved."),
        "{r}"
    );
    c.assert_not_signed_in();
    // The port is free again.
    assert!(
        connect(IpAddr::V4(Ipv4Addr::LOCALHOST)).is_err(),
        "the listener stopped with the command"
    );
}

/// 8. The client secret (a canary of crates/sandbox/canaries.txt) never appears in what the
///    commands print, debug logs included, nor in any file of the data folder.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn the_client_secret_never_appears_in_output_or_the_data_folder() {
    let c = connected("canary", false, &[]);
    let secret = sandbox::namely::OAUTH_CLIENT_SECRET;
    assert_eq!(c.sandbox.value("OAuth secret"), secret, "the demo secret");
    let (cli, name) = (&c.cli, c.name.as_str());
    let debug = [("ICIMS_NAMELY_LOG", "debug")];
    let mut printed = vec![c.sign_in_accepting(&debug)];
    assert_eq!(printed[0].code, 0, "{}", printed[0]);
    assert!(
        printed[0].stderr.contains("DEBUG") || printed[0].stderr.contains("INFO"),
        "logs were on: {}",
        printed[0]
    );
    printed.push(cli.run_env(&["check", name], &debug, None));
    printed.push(cli.run_env(&["connection", "show", name], &debug, None));
    printed.push(cli.run_env(&["connection", "show", name, "--json"], &debug, None));
    printed.push(cli.run_env(&["owner", name, "--json"], &debug, None));
    for r in &printed {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "the client secret was printed:\n{r}"
        );
    }
    assert_eq!(printed[1].code, 0, "{}", printed[1]);
    let hits = files_containing(cli.home.path(), secret.as_bytes());
    assert!(hits.is_empty(), "the client secret is in {hits:?}");
}

/// 9. A person whose sign-in check fails (the inactive administrator: Namely answers 403 to
///    everything they do) is not kept: exit 3, nothing saved, the token left as it was.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_as_someone_namely_refuses_exits_3_and_saves_nothing() {
    let c = connected("inactive", true, &[]);
    let (signin, url) = c.signin_no_browser();
    let location = block_on(consent::answer(
        &url,
        Decision::Accept,
        Some(sandbox::namely::INACTIVE_ADMIN_ID),
    ))
    .expect("the consent page");
    let (status, _) = browse(&location);
    assert_eq!(status, 200);
    let r = signin.finish_with(3);
    assert!(r.stderr.contains("error: Namely sign-in: "), "{r}");
    assert!(r.stderr.contains("Nothing was saved"), "{r}");
    assert!(!r.stdout.contains("Signed in to"), "{r}");
    c.assert_not_signed_in();
    assert!(secret_set(&c.cli.show(&c.name), "namely_token"));
}

/// 10. Usage errors exit 2 before anything is waited for: an unknown connection, an empty
///     client ID, an empty client secret, a secret given as an argument (never printed back),
///     the redirect URI's port taken by another program.
#[test]
#[ignore = "needs a real Secret Service: run scripts/with-secret-service.sh (scripts/test.sh does)"]
fn signin_usage_errors_exit_2() {
    let c = connected("usage", false, &[]);
    let (name, port) = (c.name.as_str(), c.port);
    let secret = format!("{}\n", sandbox::namely::OAUTH_CLIENT_SECRET);
    let p = port.to_string();
    let run = |args: &[&str], input: &str| {
        let r = c.cli.run_env(args, &[], Some(input));
        assert_eq!(r.code, 2, "unexpected exit code:\n{r}");
        r
    };

    let r = run(
        &[
            "signin",
            "no-such-connection",
            "--client-id",
            "x",
            "--no-browser",
        ],
        &secret,
    );
    assert!(r.stderr.contains("icims-namely connection list"), "{r}");

    let r = run(
        &[
            "signin",
            name,
            "--client-id",
            " ",
            "--no-browser",
            "--port",
            &p,
        ],
        &secret,
    );
    assert!(r.stderr.contains("--client-id"), "{r}");
    assert!(r.stderr.contains("client ID is empty"), "{r}");

    let r = run(
        &[
            "signin",
            name,
            "--client-id",
            "sandbox-oauth-client",
            "--port",
            &p,
        ],
        "\n",
    );
    assert!(r.stderr.contains("is empty"), "{r}");

    let typed = "typed-as-an-argument-0451";
    for args in [
        vec!["signin", name, "--client-id", "x", typed],
        vec!["signin", name, "--client-id", "x", "--client-secret", typed],
        vec!["signin", name, &format!("--client-secret={typed}")],
    ] {
        let r = run(&args, "");
        assert!(r.stderr.contains("never taken as an argument"), "{r}");
        assert!(
            !r.stderr.contains(typed) && !r.stdout.contains(typed),
            "{r}"
        );
    }

    // Another program holds the redirect URI's port.
    let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("bind");
    let r = run(
        &[
            "signin",
            name,
            "--client-id",
            "sandbox-oauth-client",
            "--no-browser",
            "--port",
            &p,
        ],
        &secret,
    );
    assert!(r.stderr.contains(&format!("port {port}")), "{r}");
    assert!(!r.stdout.contains("Open this address"), "{r}");
    drop(taken);
    c.assert_not_signed_in();
}

/// 11. Where there is no keychain (a server: the D-Bus address leads nowhere), sign-in cannot
///     keep what it gets: exit 3 before anything is opened, pointing at a personal access token
///     in the secrets folder. Needs no keychain, so it always runs.
#[test]
fn signin_without_a_keychain_exits_3_pointing_at_a_token_file() {
    let cli = Cli::new();
    let no_bus = tempfile::tempdir().expect("a folder");
    let secrets = tempfile::tempdir().expect("a folder");
    chmod(secrets.path(), 0o700);
    let bus = format!("unix:path={}", no_bus.path().join("no-bus").display());
    let secrets_dir = secrets.path().to_str().expect("UTF-8").to_string();
    let env = [
        ("DBUS_SESSION_BUS_ADDRESS", bus.as_str()),
        ("ICIMS_NAMELY_SECRETS_DIR", secrets_dir.as_str()),
    ];
    let name = conn("nokeychain");
    let add = cli.run_env(
        &[
            "connection",
            "add",
            &name,
            "--namely-permalink",
            "acme",
            "--icims-customer-id",
            "1234",
            "--icims-username",
            "api",
            "--icims-url",
            "http://127.0.0.1:9",
            "--namely-url",
            "http://127.0.0.1:9/api/v1",
        ],
        &env,
        None,
    );
    assert_eq!(add.code, 0, "{add}");
    let r = cli.run_env(
        &["signin", &name, "--client-id", "app", "--no-browser"],
        &env,
        Some(&format!("{}\n", sandbox::namely::OAUTH_CLIENT_SECRET)),
    );
    assert_eq!(r.code, 3, "{r}");
    assert!(
        r.stderr
            .contains("Sign in with Namely needs a system keychain"),
        "{r}"
    );
    assert!(
        r.stderr.contains(&format!("{name}.namely-token")),
        "names the token file: {r}"
    );
    assert!(!r.stdout.contains("Open this address"), "{r}");
}
