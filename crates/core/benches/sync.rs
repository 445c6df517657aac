//! Benchmark: syncs at the vendors' limits, over real HTTP, with the simulators in a process
//! of their own so that the memory figure is the sync's alone.
//!
//! The vendors' behaviour is **on**: 50 ms per call on both sides, Namely's 100-a-minute
//! limit on listing profiles, iCIMS's daily call budget. Each scenario prints wall time,
//! calls by kind, the lower bound those calls allow — iCIMS calls × latency ÷ the reads in
//! flight, plus Namely calls × latency, never faster than 100 listings a minute — and the
//! ratio of that bound to the wall time.
//!
//! `cargo bench -p icims-namely-core --bench sync` runs the full sizes (about 12 minutes);
//! `BENCH_SIZE=ci` the reduced sizes CI runs (about a minute). `BENCH_LATENCY_MS` changes the
//! latency. The figures go to `docs/benchmarks.md`.

use icims_namely_core::clients::{self, ClientOptions};
use icims_namely_core::connection::{ConnectionName, ConnectionSettings, IcimsRegion};
use icims_namely_core::store::Store;
use icims_namely_core::sync::{SyncContext, SyncOptions, run_sync};
use sandbox::seed::SeedConfig;
use sandbox::{Sandbox, SandboxConfig};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// What the simulator process is started with.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SimsSpec {
    hires: usize,
    employees: usize,
    history: usize,
    latency_ms: u64,
    icims_daily_limit: u64,
}

/// Requests the simulators answered, by kind.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
struct Calls {
    searches: usize,
    workflows: usize,
    persons: usize,
    jobs: usize,
    listings: usize,
    lookups: usize,
    posts: usize,
    other_namely: usize,
    throttled: usize,
}

impl Calls {
    fn since(self, before: Calls) -> Calls {
        Calls {
            searches: self.searches - before.searches,
            workflows: self.workflows - before.workflows,
            persons: self.persons - before.persons,
            jobs: self.jobs - before.jobs,
            listings: self.listings - before.listings,
            lookups: self.lookups - before.lookups,
            posts: self.posts - before.posts,
            other_namely: self.other_namely - before.other_namely,
            throttled: self.throttled - before.throttled,
        }
    }
    fn icims(&self) -> usize {
        self.searches + self.workflows + self.persons + self.jobs
    }
    fn namely(&self) -> usize {
        self.listings + self.lookups + self.posts + self.other_namely
    }
}

// ---------------------------------------------------------------------------------------
// The simulator process (this same binary, started with BENCH_SIMS set)
// ---------------------------------------------------------------------------------------

async fn serve_sims(spec: SimsSpec) {
    let mut config = SandboxConfig {
        seed: SeedConfig {
            seed: 42,
            hires: spec.hires,
            employees: spec.employees,
            history: spec.history,
            ..SeedConfig::default()
        },
        ..SandboxConfig::default()
    };
    config.icims.latency = Duration::from_millis(spec.latency_ms);
    config.icims.daily_limit = spec.icims_daily_limit;
    config.namely.latency = Duration::from_millis(spec.latency_ms);
    // Namely's own limit, as in real Namely (100 listing requests a minute): left as it is.
    let sb = Sandbox::start(config).await.expect("simulators start");
    println!(
        "READY {}",
        serde_json::to_string(&sb.demo_credentials_json()).unwrap()
    );
    std::io::stdout().flush().unwrap();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let line = line.unwrap_or_default();
        let mut words = line.split_whitespace();
        match words.next() {
            Some("add") => {
                let n: usize = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
                for i in 0..n {
                    let hire = sb.icims.add_hire(
                        "Bench",
                        &format!("Newhire{i}"),
                        Some(&format!("bench.newhire{i}@example.com")),
                    );
                    sb.icims.with_world(|w| {
                        if let Some(p) = w.people.iter_mut().find(|p| p.id == hire.person_id) {
                            p.startdate = Some("2030-01-15".into());
                        }
                    });
                }
                println!("OK");
            }
            Some("calls") => println!("{}", serde_json::to_string(&calls_of(&sb)).unwrap()),
            _ => break,
        }
        std::io::stdout().flush().unwrap();
    }
    sb.shutdown().await;
}

fn calls_of(sb: &Sandbox) -> Calls {
    let mut c = Calls::default();
    for r in sb.icims.request_log() {
        let p = &r.path;
        if p.contains("/search/") {
            c.searches += 1;
        } else if p.contains("/applicantworkflows/") {
            c.workflows += 1;
        } else if p.contains("/people/") {
            c.persons += 1;
        } else if p.contains("/jobs/") {
            c.jobs += 1;
        }
    }
    for r in sb.namely.request_log() {
        let path = r.path.trim_end_matches(".json");
        let listing = r.method == "GET" && path.ends_with("/profiles");
        if r.status == 406 {
            c.throttled += 1;
        } else if listing && r.query.contains("filter") {
            c.lookups += 1;
        } else if listing {
            c.listings += 1;
        } else if r.method == "POST" && path.ends_with("/profiles") {
            c.posts += 1;
        } else {
            c.other_namely += 1;
        }
    }
    c
}

trait DemoJson {
    fn demo_credentials_json(&self) -> serde_json::Value;
}

impl DemoJson for Sandbox {
    fn demo_credentials_json(&self) -> serde_json::Value {
        let d = self.demo_credentials();
        serde_json::json!({
            "icims_url": d.icims_url, "customer": d.icims_customer_id,
            "username": d.icims_username, "key": d.icims_hmac_key,
            "namely_url": d.namely_url, "token": d.namely_token,
        })
    }
}

// ---------------------------------------------------------------------------------------
// The sync process
// ---------------------------------------------------------------------------------------

struct Sims {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    demo: serde_json::Value,
}

impl Sims {
    fn start(spec: &SimsSpec) -> Sims {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("BENCH_SIMS", serde_json::to_string(spec).unwrap())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the simulator process starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let demo = serde_json::from_str(line.trim().strip_prefix("READY ").expect("READY"))
            .expect("demo values");
        Sims {
            child,
            stdin,
            stdout,
            demo,
        }
    }

    fn ask(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim().to_string()
    }

    fn calls(&mut self) -> Calls {
        serde_json::from_str(&self.ask("calls")).unwrap()
    }

    fn text(&self, key: &str) -> String {
        self.demo[key].as_str().unwrap().to_string()
    }
}

impl Drop for Sims {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.child.wait();
    }
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// One connection to the simulators, with its store.
struct Bench {
    _dir: tempfile::TempDir,
    store: Store,
    settings: ConnectionSettings,
    icims: icims::Client,
    namely: namely::Client,
}

impl Bench {
    fn new(sims: &Sims, start_from: time::Date) -> Bench {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path().join("bench.db")).expect("store");
        let mut settings = ConnectionSettings::new(
            ConnectionName::new("bench").expect("name"),
            "sandbox",
            sims.text("customer"),
            sims.text("username"),
            IcimsRegion::Us,
            time::OffsetDateTime::now_utc(),
        );
        settings.icims_url = Some(sims.text("icims_url"));
        settings.namely_url = Some(sims.text("namely_url"));
        settings.icims_field_name = Some("icims_id".into());
        settings.start_from = start_from;
        store.add_connection(&settings).expect("connection");
        let opts = ClientOptions::default();
        let icims =
            clients::icims_client(&settings, SecretString::from(sims.text("key")), &opts).unwrap();
        let namely =
            clients::namely_client(&settings, SecretString::from(sims.text("token")), &opts)
                .unwrap();
        Bench {
            _dir: dir,
            store,
            settings,
            icims,
            namely,
        }
    }

    /// One sync, measured: prints its line and returns the calls and the ratio.
    async fn sync(&self, sims: &mut Sims, label: &str, latency: Duration) -> (Calls, f64) {
        let ctx = SyncContext {
            store: &self.store,
            settings: &self.settings,
            icims: &self.icims,
            namely: &self.namely,
        };
        let options = SyncOptions::default();
        let before = sims.calls();
        let started = Instant::now();
        let out = run_sync(&ctx, &options, &|_| {}).await.expect("sync runs");
        let wall = started.elapsed();
        let calls = sims.calls().since(before);
        let c = out.counts;
        let at_once = options.icims_concurrency as f64;
        let by_calls =
            latency.as_secs_f64() * (calls.icims() as f64 / at_once + calls.namely() as f64);
        let listings = calls.listings + calls.lookups;
        let by_limit = ((listings.max(1) - 1) / 100) as f64 * 60.0;
        let bound = by_calls.max(by_limit);
        let ratio = bound / wall.as_secs_f64().max(1e-9);
        println!(
            "{label}: {:.1} s wall; {:?}; {} read, {} created, {} already in Namely, {} left \
             out, {} need review, {} invalid, {} failed",
            wall.as_secs_f64(),
            out.status,
            c.read,
            c.created,
            c.already_in_namely,
            c.left_out,
            c.needs_review,
            c.invalid,
            c.failed
        );
        println!(
            "    iCIMS {} calls ({} search, {} workflow, {} person, {} job); Namely {} calls \
             ({} listing, {} lookup, {} POST, {} other; {} answered 406); {} calls in all",
            calls.icims(),
            calls.searches,
            calls.workflows,
            calls.persons,
            calls.jobs,
            calls.namely(),
            calls.listings,
            calls.lookups,
            calls.posts,
            calls.other_namely,
            calls.throttled,
            calls.icims() + calls.namely(),
        );
        println!(
            "    lower bound {bound:.1} s (calls {by_calls:.1} s at {at_once} iCIMS reads at \
             once, listing limit {by_limit:.0} s); bound / wall = {ratio:.2}"
        );
        (calls, ratio)
    }
}

struct Sizes {
    first_sync_hires: usize,
    company_employees: usize,
    company_history: usize,
    memory_hires: usize,
}

#[tokio::main]
async fn main() {
    if let Ok(spec) = std::env::var("BENCH_SIMS") {
        serve_sims(serde_json::from_str(&spec).expect("spec")).await;
        return;
    }
    let ci = std::env::var("BENCH_SIZE").is_ok_and(|s| s == "ci");
    let sizes = if ci {
        Sizes {
            first_sync_hires: 200,
            company_employees: 2_000,
            company_history: 2_000,
            memory_hires: 1_000,
        }
    } else {
        Sizes {
            first_sync_hires: 1_000,
            company_employees: 10_000,
            company_history: 10_000,
            memory_hires: 10_000,
        }
    };
    let latency_ms: u64 = std::env::var("BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let latency = Duration::from_millis(latency_ms);
    println!(
        "sync benchmark ({} sizes): {latency_ms} ms per call, Namely 100 listings a minute, \
         iCIMS daily budget on; simulators in a separate process",
        if ci { "CI" } else { "full" }
    );
    let everyone = time::macros::date!(2000 - 01 - 01);
    // The world's today is 2026-11-02; a connection added a month before it.
    let a_month_ago = time::macros::date!(2026 - 10 - 02);

    // 1. A first sync of many hires.
    {
        let mut sims = Sims::start(&SimsSpec {
            hires: sizes.first_sync_hires,
            employees: 200,
            history: 0,
            latency_ms,
            icims_daily_limit: 10_000,
        });
        let bench = Bench::new(&sims, everyone);
        println!(
            "\n[1] first sync of {} hires, 200 employees in Namely (goal: bound / wall >= 0.8)",
            sizes.first_sync_hires
        );
        let (calls, ratio) = bench.sync(&mut sims, "first sync", latency).await;
        assert_eq!(calls.lookups, 0, "no lookup per create");
        println!("    goal {}", if ratio >= 0.8 { "met" } else { "NOT met" });
    }

    // 2. A large company: many employees and many past hires; then ten new hires.
    {
        let mut sims = Sims::start(&SimsSpec {
            hires: 40,
            employees: sizes.company_employees,
            history: sizes.company_history,
            latency_ms,
            icims_daily_limit: 10_000,
        });
        let bench = Bench::new(&sims, a_month_ago);
        println!(
            "\n[2] company of {} employees and {} past hires, start-from a month ago (goal: one \
             listing plus the hires' own calls; then 10 new hires in at most 40 calls and 5 s)",
            sizes.company_employees, sizes.company_history
        );
        let (first, _) = bench.sync(&mut sims, "first sync", latency).await;
        let one_listing = (sizes.company_employees + 1).div_ceil(50) + 1;
        println!(
            "    one listing is {one_listing} pages: {}",
            if first.listings == one_listing && first.lookups == 0 {
                "met"
            } else {
                "NOT met"
            }
        );
        assert_eq!(sims.ask("add 10"), "OK");
        let started = Instant::now();
        let (next, _) = bench.sync(&mut sims, "10 new hires", latency).await;
        let wall = started.elapsed();
        let all = next.icims() + next.namely();
        println!(
            "    goal {} ({all} calls, {:.1} s)",
            if all <= 40 && wall <= Duration::from_secs(5) {
                "met"
            } else {
                "NOT met"
            },
            wall.as_secs_f64()
        );
    }

    // 3. Peak memory of a large sync (this process only: the simulators run apart).
    {
        // A license larger than the default 10,000 calls a day (iCIMS sells them): a
        // 10,000-hire first sync needs two calls a hire.
        let mut sims = Sims::start(&SimsSpec {
            hires: sizes.memory_hires,
            employees: 200,
            history: 0,
            latency_ms,
            icims_daily_limit: 30_000,
        });
        let bench = Bench::new(&sims, everyone);
        println!(
            "\n[3] peak memory of a first sync of {} hires (goal: under 100 MB)",
            sizes.memory_hires
        );
        // Forget the high-water mark of the scenarios before (Linux: "5" resets VmHWM).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let before = peak_rss_mib();
        bench.sync(&mut sims, "first sync", latency).await;
        let peak = peak_rss_mib();
        println!(
            "    peak resident memory of the sync process (VmHWM): {peak:.1} MiB (before the \
             sync {before:.1} MiB); goal {}",
            if peak < 100.0 { "met" } else { "NOT met" }
        );
    }
}
