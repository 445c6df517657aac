//! The app without its window: with a schedule on, closing the window leaves the app running
//! in the tray, and a scheduled run that adds people sends a desktop notification; a click on
//! it opens that run. Part of `app.rs` (third session on the same data folder).
//!
//! The desktop is stood in for on the private D-Bus session by `scripts/lib/dbus-standins.py`
//! (a notification service and a tray host that log what the app sent, one JSON line each, to
//! `ICIMS_NAMELY_E2E_DBUS_LOG`); the close button is `scripts/lib/x11-close.py` (the ICCCM
//! `WM_DELETE_WINDOW` message a window manager sends).

use super::{
    CONNECTION, Env, Res, Ui, WAIT, check_namely, created_records, namely_profiles, open_store,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The window's title (tauri.conf.json).
const TITLE: &str = "iCIMS → Namely";
/// A one-minute schedule ticks within a minute of the last run; allow for a loaded machine.
const TICK_WAIT: Duration = Duration::from_secs(150);

/// Where the stand-ins log, and the close helper; `None` when the e2e script did not start
/// them (then the test fails and says so).
pub(crate) struct Desktop {
    log: PathBuf,
    close: PathBuf,
}

impl Desktop {
    pub(crate) fn from_env() -> Option<Desktop> {
        Some(Desktop {
            log: std::env::var_os("ICIMS_NAMELY_E2E_DBUS_LOG")?.into(),
            close: std::env::var_os("ICIMS_NAMELY_E2E_X11_CLOSE")?.into(),
        })
    }

    /// How many events the stand-ins logged so far.
    pub(crate) fn events_seen(&self) -> usize {
        self.events().len()
    }

    /// Every event the stand-ins logged so far.
    fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits for an event after the first `skip` ones that `want` accepts.
    async fn wait_event(
        &self,
        skip: usize,
        what: &str,
        within: Duration,
        want: impl Fn(&Value) -> bool,
    ) -> Res<Value> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(e) = self.events().into_iter().skip(skip).find(|e| want(e)) {
                return Ok(e);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "no {what} within {within:?}; the stand-ins saw: {:?}",
                    self.events()
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

fn is_notice(e: &Value, summary: &str) -> bool {
    e["event"] == "notify" && e["summary"] == summary
}

/// The `icims-namely` command line next to the app.
fn cli(env: &Env) -> PathBuf {
    env.app
        .parent()
        .expect("the app's folder")
        .join(format!("icims-namely{}", std::env::consts::EXE_SUFFIX))
}

/// Sets the Sandbox connection's schedule with the command line, as a script would (the app
/// is closed then; the CLI and the app share the data folder).
pub(crate) fn set_schedule(env: &Env, spec: &str) -> Res<()> {
    let out = Command::new(cli(env))
        .args(["connection", "edit", CONNECTION, "--schedule", spec])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success() && text.contains("Schedule"),
        "connection edit --schedule {spec} exited {:?}:\n{text}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}

/// Scheduled runs of the Sandbox connection: (id, created, status), oldest first.
pub(crate) fn scheduled_runs(home: &Path) -> Res<Vec<(i64, i64, String)>> {
    let db = open_store(home)?;
    let mut stmt = db.prepare(
        "SELECT id, created_count, status FROM runs WHERE connection = ?1 AND dry_run = 0 \
         AND triggered_by = 'schedule' AND ended_at IS NOT NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map([CONNECTION], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The Sandbox connection's iCIMS URL, as the app stored it when its simulators started.
fn sandbox_icims_url(home: &Path) -> Res<String> {
    let db = open_store(home)?;
    let url: Option<String> = db.query_row(
        "SELECT icims_url FROM connections WHERE name = ?1",
        [CONNECTION],
        |r| r.get(0),
    )?;
    url.ok_or_else(|| "the Sandbox connection has no icims_url".into())
}

/// Whether the app started by this run is still a live process.
fn app_running(env: &Env) -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    let home = format!("ICIMS_NAMELY_HOME={}", env.home.display());
    // /proc/PID/exe names the binary with links resolved (target/ may be a link).
    let app = std::fs::canonicalize(&env.app).unwrap_or_else(|_| env.app.clone());
    dir.flatten().any(|p| {
        // " (deleted)" when the binary was rebuilt while it ran.
        std::fs::read_link(p.path().join("exe")).is_ok_and(|exe| {
            let exe = exe.to_string_lossy();
            exe.strip_suffix(" (deleted)").unwrap_or(&exe) == app.to_string_lossy()
        }) && std::fs::read(p.path().join("environ"))
            .is_ok_and(|e| e.split(|b| *b == 0).any(|v| v == home.as_bytes()))
            && std::fs::read_to_string(p.path().join("stat")).is_ok_and(|s| !s.contains(") Z "))
    })
}

/// The third session: the schedule is every minute (set before the app started).
/// `skip`: the stand-ins' events before the app started; `before`: the scheduled runs then.
pub(crate) async fn third_session(
    ui: &Ui,
    env: &Env,
    desktop: &Desktop,
    skip: usize,
    before: usize,
) -> Res<()> {
    ui.wait_text("Companies", WAIT).await?;
    // The tray icon registered with the desktop's tray host.
    let tray = desktop
        .wait_event(skip, "tray icon", WAIT, |e| e["event"] == "tray")
        .await?;
    eprintln!("tray icon registered: {tray}");

    // The last run is more than a minute old: the schedule runs at once (catch-up), and starts
    // the sandbox's simulators on new ports. It adds nobody, and says nothing.
    let deadline = Instant::now() + TICK_WAIT;
    while scheduled_runs(&env.home)?.len() == before {
        ensure!(
            Instant::now() < deadline,
            "no scheduled run within {TICK_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let quiet = scheduled_runs(&env.home)?.last().cloned().ok_or("no run")?;
    ensure!(quiet.1 == 0, "the catch-up run created {}", quiet.1);

    // Two people are hired in iCIMS between two ticks.
    let icims = sandbox_icims_url(&env.home)?;
    let http = reqwest::Client::new();
    for (first, last) in [("Nora", "Traywood"), ("Omar", "Traywood")] {
        let r = http
            .post(format!("{icims}/_sandbox/hires"))
            .body(format!(r#"{{"firstname":"{first}","lastname":"{last}"}}"#))
            .send()
            .await?;
        ensure!(r.status() == 201, "adding a hire: {}", r.status());
    }

    // The close button: the window hides, the app stays, and says so once.
    let closed = Command::new("/usr/bin/python3")
        .arg(&desktop.close)
        .arg(TITLE)
        .status()?;
    ensure!(closed.success(), "no window titled {TITLE} to close");
    desktop
        .wait_event(skip, "the still-running notice", WAIT, |e| {
            is_notice(e, "icims-namely is still running")
        })
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    ensure!(
        app_running(env),
        "closing the window quit the app although a schedule is on"
    );
    eprintln!("window closed: the app keeps running in the tray");

    // The next tick adds them, and tells.
    let added = desktop
        .wait_event(skip, "the new-hires notification", TICK_WAIT, |e| {
            is_notice(e, "2 new hires added to Namely (Sandbox)")
        })
        .await?;
    let body = added["body"].as_str().unwrap_or("");
    ensure!(
        body.contains("Nora Traywood") && body.contains("Omar Traywood"),
        "the notification does not name who was added: {added}"
    );
    ensure!(
        added["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "default")),
        "the notification cannot be clicked: {added}"
    );
    let run = scheduled_runs(&env.home)?.last().cloned().ok_or("no run")?;
    ensure!(run.1 == 2, "the scheduled run created {} people", run.1);
    let created = created_records(&env.home, run.0)?;
    let namely = super::sandbox_namely_url(&env.home)?;
    check_namely(&namely_profiles(&namely).await?, &created)?;
    ensure!(
        desktop
            .events()
            .iter()
            .skip(skip)
            .filter(|e| e["event"] == "notify")
            .count()
            == 2,
        "a quiet run sent a notification: {:?}",
        desktop.events()
    );

    // A click on it opens that run.
    let id = added["id"].as_u64().ok_or("no notification id")?;
    let click = Command::new("dbus-send")
        .args([
            "--session",
            "--dest=org.freedesktop.Notifications",
            "--type=method_call",
            "/org/freedesktop/Notifications",
            "org.icims_namely.Standin.Click",
            &format!("uint32:{id}"),
        ])
        .status()?;
    ensure!(
        click.success(),
        "dbus-send could not click the notification"
    );
    ui.wait_text("Omar Traywood", WAIT).await?;
    ui.shot("18-opened-from-notification").await?;
    eprintln!("a click on the notification opened run {}", run.0);

    // One instance only: a second launch hands over to the first and ends.
    let mut second = Command::new(&env.app).spawn()?;
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = second.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = second.kill();
            return Err("a second launch kept running beside the first".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    ensure!(status.success(), "the second launch ended with {status}");
    ensure!(
        app_running(env),
        "the first instance ended when a second was launched"
    );

    // The tray menu, clicked as a tray host does: Pause schedules shows on the dashboard.
    ui.click_button("← All companies").await?;
    ui.wait_text("Companies", WAIT).await?;
    let labels = tray_menu(&["MenuLabels", "string:"])?;
    for want in [
        "Open icims-namely",
        "Sync all now",
        "Pause schedules",
        "Quit",
    ] {
        ensure!(
            labels.contains(want),
            "the tray menu lacks {want:?}: {labels}"
        );
    }
    tray_menu(&["ClickMenu", "string:Pause schedules"])?;
    ui.wait_text("Scheduled syncs are paused", WAIT).await?;
    // The card no longer promises a next sync.
    ui.wait_text("Schedules are paused.", WAIT).await?;
    ui.shot("19-tray-paused").await?;
    ui.click_button("Resume schedules").await?;

    start_at_login(ui).await?;

    // Quit from the tray ends the app.
    tray_menu(&["ClickMenu", "string:Quit"])?;
    let deadline = Instant::now() + Duration::from_secs(40);
    while app_running(env) {
        ensure!(
            Instant::now() < deadline,
            "Quit in the tray menu did not end the app"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("tray menu: labels, Pause schedules and Quit work");
    Ok(())
}

/// Calls the tray host stand-in (`MenuLabels`, `ClickMenu LABEL`); returns what it printed.
fn tray_menu(args: &[&str]) -> Res<String> {
    let (method, rest) = args.split_first().ok_or("no method")?;
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            &format!("org.icims_namely.Standin.{method}"),
        ])
        .args(rest)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    ensure!(
        out.status.success(),
        "dbus-send {method} failed: {}{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(text)
}

/// The `.desktop` login items in the app's autostart folder (`~/.config/autostart` of the
/// scratch home the e2e script gives the app).
fn login_items() -> Vec<(PathBuf, String)> {
    let Some(home) = std::env::var_os("ICIMS_NAMELY_E2E_APP_HOME") else {
        return Vec::new();
    };
    let Ok(dir) = std::fs::read_dir(Path::new(&home).join(".config").join("autostart")) else {
        return Vec::new();
    };
    dir.flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "desktop"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p, text)
        })
        .collect()
}

/// Settings → On this computer → Start at login writes the login item (which starts the app
/// hidden, in the tray) and removes it again.
async fn start_at_login(ui: &Ui) -> Res<()> {
    ensure!(
        std::env::var_os("ICIMS_NAMELY_E2E_APP_HOME").is_some(),
        "ICIMS_NAMELY_E2E_APP_HOME must name the app's scratch home (scripts/e2e-app.sh sets one)"
    );
    ensure!(
        login_items().is_empty(),
        "a login item exists before: {:?}",
        login_items()
    );
    // From the dashboard.
    ui.click_button("Settings").await?;
    let toggle = "//input[@id='start-at-login']";
    let el = ui.wait_enabled(toggle, WAIT).await?;
    ui.click_el(&el).await?;
    let deadline = Instant::now() + WAIT;
    while login_items().is_empty() {
        ensure!(
            Instant::now() < deadline,
            "no login item after turning start at login on"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (path, text) = login_items().remove(0);
    ensure!(
        text.contains("--hidden"),
        "the login item does not start the app in the tray: {}:\n{text}",
        path.display()
    );
    ui.shot_at(
        "20-settings-start-at-login",
        "//*[@id='computer-title']",
        "center",
    )
    .await?;
    let el = ui.wait_enabled(toggle, WAIT).await?;
    ui.click_el(&el).await?;
    let deadline = Instant::now() + WAIT;
    while !login_items().is_empty() {
        ensure!(
            Instant::now() < deadline,
            "the login item stayed after turning it off"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("start at login wrote and removed {}", path.display());
    Ok(())
}
