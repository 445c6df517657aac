//! Not a test: one measured launch of the app window, for `scripts/bench-app.sh`. It does
//! nothing unless `ICIMS_NAMELY_BENCH_APP=1` (so `cargo test --workspace` passes over it).
//!
//! One launch: asks tauri-driver for a session (WebKitWebDriver then starts the app binary on
//! a fresh data folder), polls the page every 10 ms until the welcome screen's "Try the
//! sandbox" button is in the DOM, laid out, visible and enabled (the screen appears only after
//! the first IPC answer, `list_connections`), waits idle, and reads the memory of the app
//! process and every process below it (WebKitWebProcess, WebKitNetworkProcess, ...). Then,
//! unless `BENCH_APP_SANDBOX=0`, clicks "Try the sandbox", times until the wizard shows the
//! sandbox banner and its first field, waits idle and reads the memory again.
//!
//! Prints `key=value` lines on stdout (`RUN`, `PROC`, `SANDBOX`); the script makes the table.
//! Environment: `ICIMS_NAMELY_E2E_APP` (absolute path of the app), `ICIMS_NAMELY_HOME`
//! (fresh data folder), `ICIMS_NAMELY_E2E_WEBDRIVER` (tauri-driver's URL), `BENCH_APP_IDLE_SECS`
//! (default 10), `BENCH_APP_CLK_TCK` (`getconf CLK_TCK`, default 100), `BENCH_APP_SANDBOX`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const READY_XPATH: &str = "//button[normalize-space(.)='Try the sandbox']";
const SANDBOX_BANNER: &str = "Sandbox — simulated iCIMS and Namely; nothing leaves this computer";
const SANDBOX_FIRST_FIELD: &str = "field-namely-token";
const POLL: Duration = Duration::from_millis(10);
const LIMIT: Duration = Duration::from_secs(60);

/// Whether the welcome screen is usable, and the page's own clock and timings (ms).
const WELCOME_PROBE: &str = r#"
const el = document.evaluate(arguments[0], document, null,
    XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
const ready = !!el && !el.disabled && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
const nav = performance.getEntriesByType('navigation')[0];
const origin = performance.timeOrigin || performance.timing.navigationStart;
return { ready, url: location.href, origin, now: performance.now(),
         dcl: nav ? nav.domContentLoadedEventEnd : null };
"#;

/// Whether the wizard of the sandbox is shown with its first field.
const SANDBOX_PROBE: &str = r#"
const text = document.body ? document.body.innerText : '';
const field = document.getElementById(arguments[1]);
return text.includes(arguments[0]) && !!field && !field.disabled
    && field.getClientRects().length > 0;
"#;

fn main() -> ExitCode {
    if std::env::var_os("ICIMS_NAMELY_BENCH_APP").is_none() {
        eprintln!("app_bench: not a test; run scripts/bench-app.sh");
        return ExitCode::SUCCESS;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("app_bench: no tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("app_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn env_path(name: &str) -> Res<PathBuf> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .ok_or_else(|| format!("{name} is not set").into())
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn run() -> Res<()> {
    let app = std::fs::canonicalize(env_path("ICIMS_NAMELY_E2E_APP")?)?;
    let home = env_path("ICIMS_NAMELY_HOME")?;
    let webdriver = std::env::var("ICIMS_NAMELY_E2E_WEBDRIVER")
        .unwrap_or_else(|_| "http://127.0.0.1:4444".into());
    let idle = Duration::from_secs(env_u64("BENCH_APP_IDLE_SECS", 10));
    let clk_tck = env_u64("BENCH_APP_CLK_TCK", 100).max(1) as f64;

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert(
        "tauri:options".into(),
        json!({ "application": app.display().to_string() }),
    );

    // The clock starts when the launch is asked for.
    let uptime0 = uptime_secs()?;
    let epoch0 = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64() * 1000.0;
    let t0 = Instant::now();
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&webdriver)
        .await
        .map_err(|e| format!("no WebDriver session at {webdriver}: {e}"))?;
    let session = t0.elapsed();

    let result = measure(&c, &app, &home, t0, epoch0, uptime0, clk_tck, session, idle).await;
    let _ = c.close().await;
    result
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    c: &Client,
    app: &Path,
    home: &Path,
    t0: Instant,
    epoch0: f64,
    uptime0: f64,
    clk_tck: f64,
    session: Duration,
    idle: Duration,
) -> Res<()> {
    // Poll the page until the first screen is usable.
    let (ready, probe) = loop {
        if let Ok(v) = c.execute(WELCOME_PROBE, vec![json!(READY_XPATH)]).await
            && v["ready"].as_bool() == Some(true)
        {
            break (t0.elapsed(), v);
        }
        if t0.elapsed() > LIMIT {
            let text = c
                .execute(
                    "return document.body ? document.body.innerText : '';",
                    vec![],
                )
                .await
                .unwrap_or_default();
            return Err(
                format!("no usable welcome screen within {LIMIT:?}; it shows: {text}").into(),
            );
        }
        tokio::time::sleep(POLL).await;
    };
    // The same, as WebDriver itself sees it (not timed).
    let el = c.find(Locator::XPath(READY_XPATH)).await?;
    if !(el.is_displayed().await? && el.is_enabled().await?) {
        return Err("WebDriver finds 'Try the sandbox' hidden or disabled".into());
    }

    let pid = find_app(app, home)?;
    let started = (stat_field(pid, 22)? as f64 / clk_tck - uptime0) * 1000.0;
    let origin = probe["origin"].as_f64().unwrap_or(f64::NAN);
    let page = origin - epoch0;
    let dcl = page + probe["dcl"].as_f64().unwrap_or(f64::NAN);
    let in_page = page + probe["now"].as_f64().unwrap_or(f64::NAN);
    println!(
        "RUN pid={pid} exec_ms={started:.0} session_ms={} page_ms={page:.1} dcl_ms={dcl:.1} \
         ready_ms={} ready_in_page_ms={in_page:.1} url={}",
        ms(session),
        ms(ready),
        probe["url"].as_str().unwrap_or("?"),
    );

    tokio::time::sleep(idle).await;
    print_memory("welcome", pid)?;

    if std::env::var("BENCH_APP_SANDBOX").as_deref() == Ok("0") {
        return Ok(());
    }
    let t1 = Instant::now();
    el.click().await?;
    loop {
        if let Ok(v) = c
            .execute(
                SANDBOX_PROBE,
                vec![json!(SANDBOX_BANNER), json!(SANDBOX_FIRST_FIELD)],
            )
            .await
            && v.as_bool() == Some(true)
        {
            break;
        }
        if t1.elapsed() > LIMIT {
            return Err(format!("no sandbox wizard within {LIMIT:?} of the click").into());
        }
        tokio::time::sleep(POLL).await;
    }
    println!("SANDBOX ready_ms={}", ms(t1.elapsed()));
    tokio::time::sleep(idle).await;
    print_memory("sandbox", pid)?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// /proc
// ------------------------------------------------------------------------------------------

fn uptime_secs() -> Res<f64> {
    let s = std::fs::read_to_string("/proc/uptime")?;
    Ok(s.split_whitespace().next().unwrap_or("").parse()?)
}

/// Field `n` (1-based, as in proc(5)) of /proc/PID/stat, from field 3 on.
fn stat_field(pid: u32, n: usize) -> Res<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = s.rsplit_once(')').ok_or("odd /proc/PID/stat")?.1;
    let field = rest
        .split_whitespace()
        .nth(n - 3)
        .ok_or("short /proc/PID/stat")?;
    Ok(field.parse()?)
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The app process started from `app` on the data folder `home` (only one may run).
fn find_app(app: &Path, home: &Path) -> Res<u32> {
    let want = format!("ICIMS_NAMELY_HOME={}", home.display());
    // /proc/PID/exe names the binary with links resolved (target/ may be a link).
    let app = std::fs::canonicalize(app).unwrap_or_else(|_| app.to_path_buf());
    let found: Vec<u32> = pids()
        .into_iter()
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == app)
                && std::fs::read(format!("/proc/{pid}/environ"))
                    .is_ok_and(|env| env.split(|b| *b == 0).any(|kv| kv == want.as_bytes()))
        })
        .collect();
    match found.as_slice() {
        [pid] => Ok(*pid),
        [] => Err(format!(
            "no app process runs {} on {}",
            app.display(),
            home.display()
        )
        .into()),
        many => Err(format!("{} app processes on one data folder: {many:?}", many.len()).into()),
    }
}

/// `root` and every process below it, parents first.
fn tree(root: u32) -> Vec<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for pid in pids() {
        if let Ok(ppid) = stat_field(pid, 4) {
            children.entry(ppid as u32).or_default().push(pid);
        }
    }
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        if let Some(kids) = children.get(&out[i]) {
            out.extend(kids);
        }
        i += 1;
    }
    out
}

/// A `Key:   123 kB` line of a /proc file, in KiB.
fn kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

fn print_memory(phase: &str, root: u32) -> Res<()> {
    for pid in tree(root) {
        let argv0 = std::fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .and_then(|c| {
                let first = c.split(|b| *b == 0).next()?.to_vec();
                String::from_utf8(first).ok()
            })
            .unwrap_or_default();
        let name = Path::new(&argv0)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "?".into());
        let Some(rss) = kib(&format!("/proc/{pid}/status"), "VmRSS") else {
            continue; // gone, or a zombie
        };
        let pss = kib(&format!("/proc/{pid}/smaps_rollup"), "Pss")
            .map_or_else(|| "-".to_string(), |p| p.to_string());
        let uss = match (
            kib(&format!("/proc/{pid}/smaps_rollup"), "Private_Clean"),
            kib(&format!("/proc/{pid}/smaps_rollup"), "Private_Dirty"),
        ) {
            (Some(a), Some(b)) => (a + b).to_string(),
            _ => "-".to_string(),
        };
        println!(
            "PROC phase={phase} pid={pid} name={name} rss_kib={rss} pss_kib={pss} uss_kib={uss}"
        );
    }
    Ok(())
}
