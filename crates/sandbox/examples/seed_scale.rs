//! Measures a large seeded world: how long `World::generate` takes, how long both simulators
//! take to start with it, and how fast the Namely simulator answers a listing GET.
//!
//! `cargo run -p sandbox --example seed_scale [--release] [hires employees history]`
//! (default 10000 10000 10000).

use std::time::{Duration, Instant};

use sandbox::namely::{NamelySimConfig, TOKEN_OLIVIA_OWNER};
use sandbox::seed::{SeedConfig, World};
use sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let arg = |i: usize| args.get(i).copied().unwrap_or(10_000);
    let seed = SeedConfig {
        hires: arg(0),
        employees: arg(1),
        history: arg(2),
        ..SeedConfig::default()
    };

    let started = Instant::now();
    let world = World::generate(&seed);
    let generated = started.elapsed();
    println!(
        "generate: {generated:?} ({} people, {} workflows, {} employees, {} past hires)",
        world.people.len(),
        world.workflows.len(),
        world.employees.len(),
        world.history.len()
    );

    let started = Instant::now();
    let sb = Sandbox::start(SandboxConfig {
        seed,
        namely: NamelySimConfig {
            profiles_get_per_minute: u32::MAX,
            ..NamelySimConfig::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    println!(
        "start (generate + both simulators): {:?}",
        started.elapsed()
    );

    let http = reqwest::Client::new();
    let base = sb.namely.url();
    for (label, query) in [
        ("page 1", "page=1&per_page=50"),
        ("last page", "page=200&per_page=50"),
        ("sorted by -updated_at", "sort=-updated_at&per_page=50"),
        ("sorted by last_name", "sort=last_name&per_page=50"),
        ("filter[email]", "filter[email]=olivia.owner@example.com"),
    ] {
        let rounds = 20u32;
        let mut total = Duration::ZERO;
        let mut count = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            let body: serde_json::Value = http
                .get(format!("{base}/profiles?{query}"))
                .bearer_auth(TOKEN_OLIVIA_OWNER)
                .send()
                .await
                .expect("request")
                .error_for_status()
                .expect("200")
                .json()
                .await
                .expect("JSON");
            total += t.elapsed();
            count = body["meta"]["total_count"].as_u64().unwrap_or(0);
        }
        println!(
            "GET /profiles?{query} ({label}): {:.2} ms per request, total_count {count}",
            total.as_secs_f64() * 1000.0 / f64::from(rounds)
        );
    }
    sb.shutdown().await;
}
