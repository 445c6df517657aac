//! The real app window, end to end, through WebDriver (tauri-driver + WebKitWebDriver),
//! against the sandbox the app runs inside itself: welcome → Try the sandbox → the five-stop
//! wizard → first sync → history, then checks in the simulated Namely that every profile the
//! history says was added exists, is active and is there once; then Sync now from the
//! dashboard adds nobody; then the app, opened again, shows the dashboard, and its sandbox
//! (restored from the data folder) still holds everyone, so Sync now adds nobody again; then,
//! with a one-minute schedule, closing the window leaves the app in the tray and a scheduled
//! run that adds two hires sends a notification whose click opens the run
//! (`app_background.rs`).
//!
//! Run it with `scripts/e2e-app.sh` (virtual screen, private keychain, fresh data folder,
//! tauri-driver). It is `#[ignore]`d, so a plain `cargo test` reports it as ignored; the script
//! runs it with `--include-ignored`, and included without the script's environment it fails
//! and says so.
//! Environment: `ICIMS_NAMELY_E2E_APP` (absolute path of `icims-namely-app`),
//! `ICIMS_NAMELY_HOME` (the app's data folder, fresh), `ICIMS_NAMELY_E2E_WEBDRIVER`
//! (tauri-driver's URL, default `http://127.0.0.1:4444`), `ICIMS_NAMELY_ARTIFACTS` (where the
//! screenshots go, default `artifacts/e2e`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// How long to wait for a screen or a check (the sandbox answers in milliseconds).
const WAIT: Duration = Duration::from_secs(20);
/// How long a sync may take.
const SYNC_WAIT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(100);

const CONNECTION: &str = "Sandbox";
const DEMO_TOKEN: &str = "sandbox-token-olivia-owner";
const DEMO_CUSTOMER_ID: &str = "1234";
const DEMO_USERNAME: &str = "sandbox-api";
const DEMO_HMAC_KEY: &str = "sandbox-hmac-key-not-a-secret";
/// The sandbox's demo application for Sign in with Namely (`sandbox::namely::OAUTH_CLIENT_*`).
const DEMO_CLIENT_ID: &str = "sandbox-oauth-client";
const DEMO_CLIENT_SECRET: &str = "sandbox-oauth-secret-7d3e91";
/// The redirect URI the app listens at and the sandbox's demo application registers.
const REDIRECT_URI: &str = "http://127.0.0.1:47600/namely/callback";
/// The label of the window the app shows the sandbox's sign-in page in.
const SIGN_IN_WINDOW_TITLE: &str = "Namely (sandbox) — Sign in";
const SANDBOX_BANNER: &str = "Sandbox — simulated iCIMS and Namely; nothing leaves this computer";
const CONTINUE: &str = "Continue";

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+).into());
        }
    };
}

#[path = "app_background.rs"]
mod background;

struct Env {
    app: PathBuf,
    home: PathBuf,
    webdriver: String,
    artifacts: PathBuf,
}

impl Env {
    /// `None` when the suite is not asked to run.
    fn from_env() -> Option<Self> {
        let app = PathBuf::from(std::env::var_os("ICIMS_NAMELY_E2E_APP")?);
        let home = PathBuf::from(
            std::env::var_os("ICIMS_NAMELY_HOME")
                .expect("ICIMS_NAMELY_HOME must name the app's (fresh) data folder"),
        );
        let webdriver = std::env::var("ICIMS_NAMELY_E2E_WEBDRIVER")
            .unwrap_or_else(|_| "http://127.0.0.1:4444".into());
        let artifacts = std::env::var_os("ICIMS_NAMELY_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("..")
                    .join("artifacts")
                    .join("e2e")
            });
        std::fs::create_dir_all(&artifacts).expect("create the artifacts folder");
        Some(Self {
            app,
            home,
            webdriver,
            artifacts,
        })
    }
}

// ------------------------------------------------------------------------------------------
// Driving the window
// ------------------------------------------------------------------------------------------

/// One WebDriver session on the app window.
struct Ui {
    c: Client,
    artifacts: PathBuf,
}

/// XPath of a button by its visible label.
fn button(label: &str) -> String {
    format!("//button[normalize-space(.)={}]", xpath_literal(label))
}

/// A string as an XPath 1.0 literal (labels may hold apostrophes).
fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

impl Ui {
    async fn open(env: &Env) -> Res<Self> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": env.app.display().to_string() }),
        );
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&env.webdriver)
            .await
            .map_err(|e| format!("no WebDriver session at {}: {e}", env.webdriver))?;
        Ok(Self {
            c,
            artifacts: env.artifacts.clone(),
        })
    }

    /// Everything the window shows, as a person reads it.
    async fn text(&self) -> Res<String> {
        let v = self
            .c
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Waits until the window shows `needle`; returns the whole text then.
    async fn wait_text(&self, needle: &str, within: Duration) -> Res<String> {
        let start = Instant::now();
        loop {
            let text = self.text().await?;
            if text.contains(needle) {
                return Ok(text);
            }
            if start.elapsed() > within {
                return Err(format!(
                    "the window did not show {needle:?} within {within:?}; it shows:\n{text}"
                )
                .into());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until an element is there and visible.
    async fn wait_el(&self, xpath: &str) -> Res<Element> {
        let start = Instant::now();
        loop {
            if let Ok(found) = self.c.find_all(Locator::XPath(xpath)).await {
                for el in found {
                    if el.is_displayed().await.unwrap_or(false) {
                        return Ok(el);
                    }
                }
            }
            if start.elapsed() > WAIT {
                return Err(format!("no visible element {xpath} within {WAIT:?}").into());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until an element is there, visible and enabled.
    async fn wait_enabled(&self, xpath: &str, within: Duration) -> Res<Element> {
        let start = Instant::now();
        loop {
            if let Ok(found) = self.c.find_all(Locator::XPath(xpath)).await {
                for el in found {
                    if el.is_displayed().await.unwrap_or(false)
                        && el.is_enabled().await.unwrap_or(false)
                    {
                        return Ok(el);
                    }
                }
            }
            if start.elapsed() > within {
                let text = self.text().await.unwrap_or_default();
                return Err(format!(
                    "{xpath} was not enabled within {within:?}; the window shows:\n{text}"
                )
                .into());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether a visible element is disabled right now.
    async fn is_disabled(&self, xpath: &str) -> Res<bool> {
        let el = self.wait_el(xpath).await?;
        Ok(!el.is_enabled().await?)
    }

    /// Clicks like a person; falls back to a DOM click when WebKit says the point is covered
    /// (the wizard's sticky footer can sit over a scrolled-to element).
    async fn click_el(&self, el: &Element) -> Res<()> {
        if el.click().await.is_err() {
            let arg = serde_json::to_value(el)?;
            self.c
                .execute(
                    "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
                    vec![arg],
                )
                .await?;
        }
        Ok(())
    }

    /// Waits for an enabled button with this label and clicks it.
    async fn click_button(&self, label: &str) -> Res<()> {
        let el = self.wait_enabled(&button(label), WAIT).await?;
        self.click_el(&el).await
    }

    /// Chooses the radio button with this id (when it is not chosen already).
    async fn choose(&self, id: &str) -> Res<()> {
        let radio = self
            .wait_el(&format!("//input[@type='radio' and @id='{id}']"))
            .await?;
        if !radio.is_selected().await? {
            self.click_el(&radio).await?;
        }
        Ok(())
    }

    /// The value of an input, or types `value` into it when empty.
    async fn fill_if_empty(&self, id: &str, value: &str) -> Res<String> {
        let el = self.wait_el(&format!("//input[@id='{id}']")).await?;
        let current = el.prop("value").await?.unwrap_or_default();
        if current.is_empty() {
            el.send_keys(value).await?;
            return Ok(el.prop("value").await?.unwrap_or_default());
        }
        Ok(current)
    }

    /// Waits until WebKit painted the current DOM (two animation frames), so a screenshot
    /// shows what the checks just saw, not an older frame.
    async fn settle(&self) -> Res<()> {
        self.c
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Scrolls the element at `xpath` into view (`block`: "start", "center" or "end" of the
    /// window), then saves a screenshot.
    async fn shot_at(&self, name: &str, xpath: &str, block: &str) -> Res<PathBuf> {
        let el = self.wait_el(xpath).await?;
        let arg = serde_json::to_value(&el)?;
        self.c
            .execute(
                "arguments[0].scrollIntoView({block: arguments[1]});",
                vec![arg, json!(block)],
            )
            .await?;
        self.shot(name).await
    }

    /// Saves a PNG of the window under the artifacts folder.
    async fn shot(&self, name: &str) -> Res<PathBuf> {
        self.settle().await?;
        let png = self.c.screenshot().await?;
        ensure!(
            png.starts_with(b"\x89PNG"),
            "the screenshot {name} is not a PNG"
        );
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        eprintln!("screenshot: {}", path.display());
        // Next to it, what the window holds as text (storage and DOM included), for the canary
        // scan of scripts/test.sh.
        let dump = self
            .c
            .execute(include_str!("support/window-dump.js"), vec![])
            .await?;
        std::fs::write(
            path.with_extension("txt"),
            dump.as_str().unwrap_or_default(),
        )?;
        Ok(path)
    }

    /// Rows of the records table on screen: [name, email, outcome, reason].
    async fn record_rows(&self) -> Res<Vec<Vec<String>>> {
        let v = self
            .c
            .execute(
                "return Array.from(document.querySelectorAll('.records tbody tr')).map(tr => \
                 Array.from(tr.cells).map(td => td.innerText.trim()));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// On failure: a screenshot and the text of the window, for the report.
    async fn failure_evidence(&self) {
        let _ = self.shot("99-failure").await;
        if let Ok(text) = self.text().await {
            eprintln!("---- the window showed ----\n{text}\n---------------------------");
        }
    }
}

// ------------------------------------------------------------------------------------------
// The app's store and the sandbox's Namely
// ------------------------------------------------------------------------------------------

fn open_store(home: &Path) -> Res<rusqlite::Connection> {
    let path = home.join("icims-namely.db");
    ensure!(
        path.exists(),
        "the app's store {} does not exist",
        path.display()
    );
    Ok(rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

/// The Sandbox connection's Namely API URL, as the app stored it.
fn sandbox_namely_url(home: &Path) -> Res<String> {
    let db = open_store(home)?;
    let url: Option<String> = db.query_row(
        "SELECT namely_url FROM connections WHERE name = ?1",
        [CONNECTION],
        |r| r.get(0),
    )?;
    url.ok_or_else(|| "the Sandbox connection has no namely_url".into())
}

struct RunRow {
    id: i64,
    created: i64,
    status: String,
}

/// The real (not dry) runs of the Sandbox connection, oldest first.
fn real_runs(home: &Path) -> Res<Vec<RunRow>> {
    let db = open_store(home)?;
    let mut stmt = db.prepare(
        "SELECT id, created_count, status FROM runs \
         WHERE connection = ?1 AND dry_run = 0 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([CONNECTION], |r| {
            Ok(RunRow {
                id: r.get(0)?,
                created: r.get(1)?,
                status: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

struct Created {
    person_id: i64,
    name: String,
    namely_profile_id: Option<String>,
}

/// The records of a run with the outcome `created` (or `created_with_warning`).
fn created_records(home: &Path, run_id: i64) -> Res<Vec<Created>> {
    let db = open_store(home)?;
    let mut stmt = db.prepare(
        "SELECT person_id, name, namely_profile_id FROM records \
         WHERE run_id = ?1 AND outcome IN ('created', 'created_with_warning') ORDER BY id",
    )?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok(Created {
                person_id: r.get(0)?,
                name: r.get(1)?,
                namely_profile_id: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Every profile of the simulated Namely, page by page, as Olivia Owner (an Administrator,
/// so custom fields such as `icims_id` are included).
async fn namely_profiles(namely_url: &str) -> Res<Vec<Value>> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let mut all = Vec::new();
    for page in 1..=100 {
        let url = format!("{namely_url}/profiles?per_page=50&page={page}");
        let body: Value = http
            .get(&url)
            .bearer_auth(DEMO_TOKEN)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let profiles = body["profiles"]
            .as_array()
            .ok_or_else(|| format!("GET {url}: no profiles array in {body}"))?;
        all.extend(profiles.iter().cloned());
        let total = body["meta"]["total_count"].as_u64().unwrap_or(0) as usize;
        if profiles.is_empty() || all.len() >= total {
            return Ok(all);
        }
    }
    Err("more than 100 pages of profiles".into())
}

/// A profile's `icims_id`, whether Namely gives it as text or as a number.
fn icims_id(profile: &Value) -> Option<String> {
    match &profile["icims_id"] {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every created record has exactly one active profile with its icims_id (the one the
/// history names), and no icims_id is on two profiles.
fn check_namely(profiles: &[Value], created: &[Created]) -> Res<()> {
    let mut by_icims: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for p in profiles {
        if let Some(id) = icims_id(p) {
            by_icims.entry(id).or_default().push(p);
        }
    }
    let twice: Vec<&String> = by_icims
        .iter()
        .filter(|(_, ps)| ps.len() > 1)
        .map(|(id, _)| id)
        .collect();
    ensure!(
        twice.is_empty(),
        "icims_id on more than one Namely profile: {twice:?}"
    );
    for rec in created {
        let key = rec.person_id.to_string();
        let p = by_icims.get(&key).and_then(|ps| ps.first()).ok_or_else(|| {
            format!(
                "{} (iCIMS person {key}) is 'Added' in the history but no Namely profile has icims_id {key}",
                rec.name
            )
        })?;
        ensure!(
            p["user_status"] == "active",
            "the Namely profile of {} (icims_id {key}) is not active: {}",
            rec.name,
            p["user_status"]
        );
        if let Some(pid) = &rec.namely_profile_id {
            ensure!(
                p["id"].as_str() == Some(pid.as_str()),
                "the history says {} is Namely profile {pid}, but icims_id {key} is on {}",
                rec.name,
                p["id"]
            );
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// The journey
// ------------------------------------------------------------------------------------------

/// Part 2, Sign in with Namely in the sandbox: the demo application's client ID and secret,
/// the button, the sandbox's sign-in page in the app's "namely-sign-in" window, Accept there,
/// and the main window says who signed in; the sign-in window closes by itself. Then a
/// personal access token replaces the sign-in again: the sandbox keeps its data across a
/// restart of the app (the second session), not its sign-ins.
async fn sign_in_with_namely(ui: &Ui) -> Res<()> {
    ui.choose("sign-in-way-oauth").await?;
    ui.wait_text("How to register the application in Namely", WAIT)
        .await?;
    let redirect = ui
        .wait_el("//input[@id='namely-redirect-uri']")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        redirect == REDIRECT_URI,
        "the redirect URI to register is {redirect:?}, not {REDIRECT_URI:?}"
    );
    let client_id = ui.fill_if_empty("namely-client-id", DEMO_CLIENT_ID).await?;
    ensure!(
        client_id == DEMO_CLIENT_ID,
        "the client ID field holds {client_id:?}"
    );
    let secret = ui
        .fill_if_empty("namely-client-secret", DEMO_CLIENT_SECRET)
        .await?;
    ensure!(
        secret == DEMO_CLIENT_SECRET,
        "the client secret field holds something else than the demo secret"
    );
    ui.shot_at(
        "04-sign-in-with-namely",
        &button("Sign in with Namely"),
        "center",
    )
    .await?;

    let main = ui.c.window().await?;
    ui.click_button("Sign in with Namely").await?;
    ui.wait_text(
        "Waiting for you to click Accept in the Namely (sandbox) window…",
        WAIT,
    )
    .await?;
    ui.wait_el(&button("Cancel")).await?;
    ui.shot("04-waiting-for-accept").await?;

    // The sign-in page, in a window of its own.
    let start = Instant::now();
    let sign_in = loop {
        let others: Vec<_> =
            ui.c.windows()
                .await?
                .into_iter()
                .filter(|w| *w != main)
                .collect();
        if let Some(w) = others.into_iter().next() {
            break w;
        }
        ensure!(
            start.elapsed() < WAIT,
            "no {SIGN_IN_WINDOW_TITLE:?} window opened within {WAIT:?}"
        );
        tokio::time::sleep(POLL).await;
    };
    ui.c.switch_to_window(sign_in).await?;
    ui.wait_text("would like to use Namely as you", WAIT)
        .await?;
    // Who signs in: the owner, chosen already.
    let who =
        ui.c.execute(
            "const s = document.getElementById('user'); \
             return s && s.selectedOptions.length ? s.selectedOptions[0].text : '';",
            vec![],
        )
        .await?;
    let who = who.as_str().unwrap_or_default().to_string();
    ensure!(
        who.starts_with("Olivia Owner"),
        "the sign-in page signs in as {who:?}, not Olivia Owner"
    );
    let url = ui.c.current_url().await?;
    ensure!(
        url.as_str().contains("/oauth2/authorize")
            && url.host_str() == Some("127.0.0.1")
            && url
                .as_str()
                .contains(&format!("client_id={DEMO_CLIENT_ID}")),
        "the sign-in window shows {url}"
    );
    // The page is the simulator's own, over http: it must reach none of the app's commands.
    let ipc =
        ui.c.execute_async(
            "const done = arguments[arguments.length - 1]; \
             const t = window.__TAURI_INTERNALS__; \
             if (!t || !t.invoke) { done('no ipc'); return; } \
             t.invoke('app_info', {}).then(() => done('answered'), (e) => done('refused: ' + e));",
            vec![],
        )
        .await?;
    let ipc = ipc.as_str().unwrap_or_default().to_string();
    ensure!(
        ipc != "answered",
        "the sign-in page could call the app's commands"
    );
    eprintln!("sign-in window: {url}; the app's commands from it: {ipc}");
    ui.shot("04-namely-sign-in-window").await?;
    let accept = ui.wait_el("//button[@id='accept']").await?;
    // The window closes once the app has Namely's answer: the click may outlive it.
    let _ = accept.click().await;
    ui.c.switch_to_window(main.clone()).await?;

    // Back in the app: signed in with Namely, as the owner; the sign-in window is gone.
    ui.wait_text(
        &format!("Signed in with Namely, through the application with client ID {DEMO_CLIENT_ID}."),
        WAIT,
    )
    .await?;
    ui.wait_text(
        "Signed in to Acme Corp (Sandbox) as Olivia Owner (Administrator)",
        WAIT,
    )
    .await?;
    let start = Instant::now();
    while ui.c.windows().await?.len() > 1 {
        ensure!(
            start.elapsed() < WAIT,
            "the sign-in window is still open after the sign-in"
        );
        tokio::time::sleep(POLL).await;
    }
    ui.wait_enabled(&button(CONTINUE), WAIT).await?;
    ui.shot("04-signed-in-with-namely").await?;

    // A personal access token replaces the sign-in.
    ui.click_button("Use a personal access token instead")
        .await?;
    ui.wait_text("Saving a token replaces the sign-in with Namely.", WAIT)
        .await?;
    let token = ui.fill_if_empty("namely-token", DEMO_TOKEN).await?;
    ensure!(token == DEMO_TOKEN, "the token field holds {token:?}");
    ui.click_button("Save and sign in").await?;
    ui.wait_text("Token saved in the system keychain on", WAIT)
        .await?;
    ui.wait_text(
        "Signed in to Acme Corp (Sandbox) as Olivia Owner (Administrator)",
        WAIT,
    )
    .await?;
    Ok(())
}

/// Steps 1–8 of the first session. Returns how many profiles the first sync added, and the
/// sandbox's Namely URL.
async fn first_session(ui: &Ui, env: &Env) -> Res<(usize, String)> {
    // 1. Welcome: nothing connected yet.
    ui.wait_text("Send new hires from iCIMS to Namely", WAIT)
        .await?;
    ui.wait_el(&button("Connect a company")).await?;
    ui.wait_el(&button("Try the sandbox")).await?;
    ui.shot("01-welcome").await?;

    // 2. Try the sandbox → the wizard, sandbox banner, part 1 (the Namely field).
    ui.click_button("Try the sandbox").await?;
    ui.wait_text(&format!("Set up {CONNECTION}"), WAIT).await?;
    ui.wait_text(SANDBOX_BANNER, WAIT).await?;
    ui.wait_text("First, sign in to Namely", WAIT).await?;
    // Part 1 signs in with the demo token (Sign in with Namely is part 2's turn).
    ui.choose("field-sign-in-way-token").await?;
    let token = ui.fill_if_empty("field-namely-token", DEMO_TOKEN).await?;
    ensure!(
        token == DEMO_TOKEN,
        "the token field holds {token:?}, not the demo token"
    );
    ensure!(
        ui.is_disabled(&button(CONTINUE)).await?,
        "Continue is enabled before part 1 was verified"
    );
    ui.shot_at(
        "02-field-token-prefilled",
        &button("Save and sign in"),
        "center",
    )
    .await?;

    ui.click_button("Save and sign in").await?;
    ui.wait_text("Found the field icims_id (Text).", WAIT)
        .await?;
    ui.wait_enabled(&button(CONTINUE), WAIT).await?;
    ui.shot_at(
        "03-field-found",
        "//*[contains(@class, 'result')]",
        "center",
    )
    .await?;
    ui.click_button(CONTINUE).await?;

    // 3. Part 2: signed in as the owner with the token; then Sign in with Namely, through the
    // sandbox's Accept page in a window of the app; then back to the token.
    ui.wait_text(
        "Signed in to Acme Corp (Sandbox) as Olivia Owner (Administrator)",
        WAIT,
    )
    .await?;
    ui.wait_enabled(&button(CONTINUE), WAIT).await?;
    ui.shot("04-signed-in").await?;
    sign_in_with_namely(ui).await?;
    ui.wait_enabled(&button(CONTINUE), WAIT).await?;
    ui.click_button(CONTINUE).await?;

    // 4. Part 3: Olivia Owner can own; choose her unless she already is the owner.
    let row = "//tr[.//label[normalize-space(.)='Olivia Owner']]";
    ui.wait_el(&format!(
        "{row}//td[contains(normalize-space(.), '✓ can own')]"
    ))
    .await?;
    let radio = ui.wait_el(&format!("{row}//input[@type='radio']")).await?;
    if !radio.is_selected().await? {
        ui.click_el(&radio).await?;
    }
    let make = button("Make Olivia Owner the owner");
    if ui.wait_el(&make).await.is_ok() && !ui.is_disabled(&make).await? {
        ui.click_button("Make Olivia Owner the owner").await?;
    }
    ui.wait_text("Current owner", WAIT).await?;
    ui.wait_enabled(&button(CONTINUE), WAIT).await?;
    ui.shot("05-owner").await?;
    ui.click_button(CONTINUE).await?;

    // 5. Part 4: iCIMS, pre-filled with the demo values → Test → Save.
    let customer = ui
        .fill_if_empty("icims-customer-id", DEMO_CUSTOMER_ID)
        .await?;
    let username = ui.fill_if_empty("icims-username", DEMO_USERNAME).await?;
    let key = ui.fill_if_empty("icims-hmac-key", DEMO_HMAC_KEY).await?;
    ensure!(
        customer == DEMO_CUSTOMER_ID,
        "Customer ID holds {customer:?}"
    );
    ensure!(username == DEMO_USERNAME, "Username holds {username:?}");
    ensure!(
        key == DEMO_HMAC_KEY,
        "the HMAC key field holds something else than the demo key"
    );
    ensure!(
        ui.is_disabled(&button("Save")).await?,
        "Save is enabled before the connection was tested"
    );
    ui.shot("06-icims-prefilled").await?;
    ui.click_button("Test connection").await?;
    ui.wait_enabled(&button("Save"), WAIT).await?;
    ensure!(
        ui.is_disabled(&button(CONTINUE)).await?,
        "Continue is enabled after a test alone (only Save should pass the stop)"
    );
    ui.shot_at(
        "07-icims-tested",
        "//*[contains(@class, 'result')]",
        "center",
    )
    .await?;
    ui.click_button("Save").await?;
    ui.wait_enabled(&button(CONTINUE), WAIT).await?;
    let text = ui
        .wait_text("HMAC key saved in the system keychain on", WAIT)
        .await?;
    ensure!(
        !text.contains("Save unlocks when the test passes"),
        "after a successful Save the form still says to test first"
    );
    ui.shot_at(
        "08-icims-saved",
        "//*[contains(@class, 'result')]",
        "center",
    )
    .await?;
    ui.click_button(CONTINUE).await?;

    // 6. Stop 5: the dry run, then the first sync.
    ui.wait_text("What counts as hired", WAIT).await?;
    ui.click_button("Save and preview").await?;
    let create_xpath = "//button[starts-with(normalize-space(.), 'Create ') \
                        and contains(normalize-space(.), ' in Namely')]";
    let create = ui.wait_enabled(create_xpath, SYNC_WAIT).await?;
    let label = create.text().await?;
    let to_create: usize = label
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.replace(',', "").parse().ok())
        .ok_or_else(|| format!("no count in the button {label:?}"))?;
    ensure!(
        to_create > 0,
        "the dry run plans to create nobody: {label:?}"
    );
    let text = ui.wait_text("nothing was written to Namely.", WAIT).await?;
    ensure!(
        text.contains(&format!("{to_create}\nto create"))
            || text.contains(&format!("{to_create} to create")),
        "the preview's tiles do not say {to_create} to create:\n{text}"
    );
    ensure!(
        real_runs(&env.home)?.is_empty(),
        "the dry run was stored as a real run"
    );
    ui.shot_at("09-preview", "//h3[@id='preview-title']", "start")
        .await?;

    ui.click_el(&create).await?;
    let text = ui.wait_text("First sync finished", SYNC_WAIT).await?;
    ensure!(
        text.contains(&format!("{to_create} added")),
        "the first sync did not say {to_create} added:\n{text}"
    );
    ui.shot_at("10-first-sync-finished", "//h3[@id='done-title']", "start")
        .await?;
    // The stepper marks stop 5 as done.
    let status5 = "//nav[@aria-label='Setup steps']//li[5]//*[@data-testid='stop-status']";
    ui.wait_el(&format!("{status5}[contains(., 'verified at')]"))
        .await?;
    ui.shot_at(
        "11-first-sync-stepper",
        "//nav[@aria-label='Setup steps']",
        "center",
    )
    .await?;

    // The history of that run: every hire, with "Added as …".
    ui.click_button("See the history").await?;
    ui.wait_text("Hires in this run", WAIT).await?;
    ui.wait_el("//div[contains(@class, 'records')]//tbody/tr")
        .await?;
    let rows = ui.record_rows().await?;
    let added: Vec<&Vec<String>> = rows
        .iter()
        // "Added", or "Added with a warning" (an optional part Namely refused was left out).
        .filter(|r| r.get(2).is_some_and(|o| o.starts_with("Added")))
        .collect();
    ensure!(
        added.len() == to_create,
        "the history lists {} added, the preview planned {to_create}: {rows:?}",
        added.len()
    );
    for r in &added {
        let reason = r.get(3).map(String::as_str).unwrap_or_default();
        ensure!(
            reason.starts_with("Added as "),
            "an added record's reason is {reason:?}, not \"Added as …\""
        );
    }
    ui.shot("12-history-first-run").await?;
    // The run as a CSV file, as a person exports it (the canary scan reads what it wrote).
    ui.click_button("Export CSV").await?;
    let text = ui.wait_text("Saved to ", WAIT).await?;
    let saved = text
        .lines()
        .find_map(|l| l.split_once("Saved to ").map(|(_, p)| p.trim().to_string()))
        .unwrap_or_default();
    ensure!(
        saved.ends_with(".csv") && Path::new(&saved).is_file(),
        "the exported CSV {saved:?} is not a file"
    );

    // 7. In the sandbox's Namely: every added person exists, active, once.
    let runs = real_runs(&env.home)?;
    ensure!(
        runs.len() == 1,
        "expected one real run, the store has {}",
        runs.len()
    );
    let first = &runs[0];
    ensure!(
        first.status == "succeeded",
        "the first run ended {}",
        first.status
    );
    ensure!(
        first.created as usize == to_create,
        "the store counts {} created, the window {to_create}",
        first.created
    );
    let created = created_records(&env.home, first.id)?;
    let ui_names: BTreeSet<&str> = added.iter().map(|r| r[0].as_str()).collect();
    let db_names: BTreeSet<&str> = created.iter().map(|r| r.name.as_str()).collect();
    ensure!(
        ui_names == db_names,
        "the window and the store disagree on who was added: {ui_names:?} vs {db_names:?}"
    );
    let namely_url = sandbox_namely_url(&env.home)?;
    let before = namely_profiles(&namely_url).await?;
    check_namely(&before, &created)?;
    eprintln!(
        "namely: {} profiles at {namely_url}; all {} added people found, active, once",
        before.len(),
        created.len()
    );

    // 8. Dashboard → Sync now: nobody new.
    ui.click_button("← All companies").await?;
    ui.wait_text("Companies", WAIT).await?;
    let card = format!("//article[@data-connection='{CONNECTION}']");
    ui.wait_el(&card).await?;
    ui.shot("13-dashboard").await?;
    let sync_now = ui
        .wait_enabled(&format!("{card}{}", button("Sync now")), WAIT)
        .await?;
    ui.click_el(&sync_now).await?;
    ui.wait_text("Sync finished: nothing new", SYNC_WAIT)
        .await?;
    ui.shot("14-dashboard-second-sync").await?;

    let runs = real_runs(&env.home)?;
    ensure!(
        runs.len() == 2,
        "expected two real runs, the store has {}",
        runs.len()
    );
    ensure!(
        runs[1].created == 0,
        "the second sync created {} profiles",
        runs[1].created
    );
    let after = namely_profiles(&namely_url).await?;
    ensure!(
        after.len() == before.len(),
        "Namely had {} profiles, now {} after a sync that should add nobody",
        before.len(),
        after.len()
    );
    check_namely(&after, &created)?;

    // The history lists both runs.
    ui.click_el(&ui.wait_el(&format!("{card}{}", button("History"))).await?)
        .await?;
    ui.wait_text(&format!("History — {CONNECTION}"), WAIT)
        .await?;
    let run_rows = "//table[contains(@class, 'runs')]//tbody/tr";
    let start = Instant::now();
    while ui.c.find_all(Locator::XPath(run_rows)).await?.len() < 2 {
        ensure!(start.elapsed() < WAIT, "the history does not list two runs");
        tokio::time::sleep(POLL).await;
    }
    ui.shot("15-history-runs").await?;
    Ok((to_create, namely_url))
}

/// The app opened again on the same data folder: straight to the dashboard, setup complete;
/// the sandbox comes back with its data (new ports), so Sync now adds nobody.
async fn second_session(ui: &Ui, env: &Env, added: usize, first_namely_url: &str) -> Res<()> {
    ui.wait_text("Companies", WAIT).await?;
    let card = format!("//article[@data-connection='{CONNECTION}']");
    ui.wait_el(&card).await?;
    ui.wait_el(&format!("{card}{}", button("Sync now"))).await?;
    let text = ui.text().await?;
    ensure!(
        !text.contains("Try the sandbox"),
        "the reopened app shows the welcome screen"
    );
    ensure!(
        text.contains("nothing new") || text.contains(&format!("{added} added")),
        "the reopened dashboard does not show the last sync:\n{text}"
    );
    ui.shot("16-reopened-dashboard").await?;

    // A restart restores the simulators' data (on new ports): the people added in the first
    // session are still in Namely, so Sync now adds nobody.
    let sync_now = ui
        .wait_enabled(&format!("{card}{}", button("Sync now")), WAIT)
        .await?;
    ui.click_el(&sync_now).await?;
    ui.wait_text("Sync finished: nothing new", SYNC_WAIT)
        .await?;
    ui.shot("17-reopened-sync").await?;
    let runs = real_runs(&env.home)?;
    let last = runs.last().ok_or("no run after the restart")?;
    ensure!(
        runs.len() == 3,
        "expected three real runs, the store has {}",
        runs.len()
    );
    ensure!(
        last.status == "succeeded",
        "the sync after the restart ended {}",
        last.status
    );
    let namely_url = sandbox_namely_url(&env.home)?;
    ensure!(
        namely_url != first_namely_url,
        "after a restart the Sandbox connection still points at {namely_url}"
    );
    ensure!(
        last.created == 0,
        "the sync after the restart created {} profiles",
        last.created
    );
    ensure!(
        created_records(&env.home, last.id)?.is_empty(),
        "the sync after the restart added people again"
    );
    let first_added = created_records(&env.home, runs[0].id)?;
    ensure!(
        first_added.len() == added,
        "the first sync added {} people, the store lists {}",
        added,
        first_added.len()
    );
    check_namely(&namely_profiles(&namely_url).await?, &first_added)?;
    eprintln!(
        "after the restart: the {} people added before are in the restored sandbox at {namely_url}, once",
        first_added.len()
    );
    Ok(())
}

async fn with_session<F, Fut, T>(env: &Env, f: F) -> T
where
    F: FnOnce(Ui) -> Fut,
    Fut: std::future::Future<Output = (Ui, Res<T>)>,
{
    let ui = Ui::open(env).await.unwrap_or_else(|e| panic!("{e}"));
    let (ui, result) = f(ui).await;
    if result.is_err() {
        ui.failure_evidence().await;
    }
    let _ = ui.c.close().await;
    result.unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the built app, tauri-driver and a virtual screen: run scripts/e2e-app.sh"]
async fn sandbox_setup_first_sync_history_and_resync() {
    let env = Env::from_env()
        .expect("ICIMS_NAMELY_E2E_APP is not set: run this test with scripts/e2e-app.sh");
    let started = Instant::now();
    let (added, namely_url) = with_session(&env, |ui| async {
        let r = first_session(&ui, &env).await;
        (ui, r)
    })
    .await;
    eprintln!("first session: {added} added, {:?}", started.elapsed());

    // Closing the session closes the app; open it again on the same data folder.
    let started = Instant::now();
    with_session(&env, |ui| async {
        let r = second_session(&ui, &env, added, &namely_url).await;
        (ui, r)
    })
    .await;
    eprintln!("second session: {:?}", started.elapsed());

    // With a schedule on, the app lives on in the tray and tells what scheduled runs did.
    let desktop = background::Desktop::from_env().expect(
        "ICIMS_NAMELY_E2E_DBUS_LOG or ICIMS_NAMELY_E2E_X11_CLOSE is not set: run this test with \
         scripts/e2e-app.sh",
    );
    background::set_schedule(&env, "every:1m").unwrap_or_else(|e| panic!("{e}"));
    let skip = desktop.events_seen();
    let before = background::scheduled_runs(&env.home)
        .unwrap_or_else(|e| panic!("{e}"))
        .len();
    let started = Instant::now();
    with_session(&env, |ui| async {
        let r = background::third_session(&ui, &env, &desktop, skip, before).await;
        (ui, r)
    })
    .await;
    eprintln!(
        "third session (tray, notification): {:?}",
        started.elapsed()
    );
}
