//! Benchmark: a first sync of many hires against both simulators over real HTTP, then a second
//! sync that must create nobody. Prints wall time, throughput, calls spent and peak memory.
//!
//! `cargo bench -p icims-namely-core --bench sync` (default 2,000 hires; `BENCH_HIRES=N` to
//! change). A benchmark, not a test: it prints figures and asserts only correctness.

use icims_namely_core::clients::{self, ClientOptions};
use icims_namely_core::connection::{ConnectionName, ConnectionSettings, IcimsRegion};
use icims_namely_core::store::Store;
use icims_namely_core::sync::{SyncContext, SyncOptions, run_sync};
use sandbox::seed::SeedConfig;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use std::time::{Duration, Instant};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

#[tokio::main]
async fn main() {
    let hires: usize = std::env::var("BENCH_HIRES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let mut config = SandboxConfig {
        seed: SeedConfig {
            seed: 42,
            hires,
            employees: 200,
            ..SeedConfig::default()
        },
        ..SandboxConfig::default()
    };
    config.icims.daily_limit = 1_000_000;
    config.namely.profiles_get_per_minute = 1_000_000;
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    let demo = sb.demo_credentials();

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("bench.db")).expect("store");
    let mut settings = ConnectionSettings::new(
        ConnectionName::new("bench").expect("name"),
        "sandbox",
        demo.icims_customer_id.clone(),
        demo.icims_username.clone(),
        IcimsRegion::Us,
        time::OffsetDateTime::now_utc(),
    );
    settings.icims_url = Some(demo.icims_url.clone());
    settings.namely_url = Some(demo.namely_url.clone());
    settings.icims_field_name = Some("icims_id".into());
    // Every seeded hire counts, however long ago they started (a world of its own dates).
    settings.start_from = time::macros::date!(2000 - 01 - 01);
    store.add_connection(&settings).expect("connection");
    let opts = ClientOptions {
        timeout: Duration::from_secs(30),
        namely_throttle_wait: Duration::from_millis(10),
        namely_throttle_retries: 3,
    };
    let icims = clients::icims_client(
        &settings,
        SecretString::from(demo.icims_hmac_key.clone()),
        &opts,
    )
    .expect("icims client");
    let namely = clients::namely_client(
        &settings,
        SecretString::from(demo.namely_token.clone()),
        &opts,
    )
    .expect("namely client");
    let ctx = SyncContext {
        store: &store,
        settings: &settings,
        icims: &icims,
        namely: &namely,
    };
    let quiet = |_: &icims_namely_core::api::SyncProgress| {};

    println!("sync benchmark: {hires} hired candidates, 200 existing Namely employees");
    for (label, expect_creates) in [("first sync", true), ("second sync", false)] {
        let calls_before = icims.calls_made();
        let posts_before = sb.namely.calls_to("POST", "/profiles");
        let started = Instant::now();
        let out = run_sync(&ctx, &SyncOptions::default(), &quiet)
            .await
            .expect("sync runs");
        let elapsed = started.elapsed();
        let posts = sb.namely.calls_to("POST", "/profiles") - posts_before;
        let icims_calls = icims.calls_made() - calls_before;
        let c = out.counts;
        println!(
            "{label}: {:.2} s, {} read, {} created, {} already in Namely, {} need review, {} invalid, {} failed; \
             {icims_calls} iCIMS calls ({:.2} per hire read), {posts} Namely POSTs, {:.0} hires/s",
            elapsed.as_secs_f64(),
            c.read,
            c.created,
            c.already_in_namely,
            c.needs_review,
            c.invalid,
            c.failed,
            icims_calls as f64 / (c.read.max(1)) as f64,
            c.read as f64 / elapsed.as_secs_f64().max(1e-9),
        );
        if expect_creates {
            assert!(c.created > 0, "the first sync creates profiles");
        } else {
            // Records that failed (Namely refused their address) are retried; nobody is created.
            assert_eq!(c.created, 0, "the second sync creates nobody");
            assert_eq!(
                posts as u64, c.failed,
                "only the failed records are sent again"
            );
        }
    }
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak memory (VmHWM, simulators included): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    sb.shutdown().await;
}
