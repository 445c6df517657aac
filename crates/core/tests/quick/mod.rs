//! What the engine tests against the simulators share: engine options where a client gives up
//! after 5 s and a Namely 406 is retried 3 times, 5 ms apart (instead of minutes), so that a
//! test of throttling takes milliseconds; simulators dated now; and a connection to them as
//! the command line adds it.
#![allow(dead_code)]

use icims_namely_core::api::{IcimsInput, IcimsRegion};
use icims_namely_core::clients::ClientOptions;
use icims_namely_core::engine::{AddConnection, Engine, EngineOptions};
use secrecy::SecretString;
use std::time::Duration;

pub fn clients() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        namely_throttle_wait: Duration::from_millis(5),
        namely_throttle_retries: 3,
    }
}

/// [`EngineOptions::default`] with [`clients`].
pub fn engine_options() -> EngineOptions {
    EngineOptions {
        clients: clients(),
        ..EngineOptions::default()
    }
}

/// Both simulators, their seeded dates around now.
pub async fn simulators() -> sandbox::Sandbox {
    sandbox::Sandbox::start(sandbox::SandboxConfig {
        anchor_unix: Some(time::OffsetDateTime::now_utc().unix_timestamp()),
        ..sandbox::SandboxConfig::default()
    })
    .await
    .unwrap()
}

/// What `connection add` sends for a connection named `name` to the simulators `sb`: their
/// demo customer and user, status Hired, every seeded hire (start from 2000-01-01).
pub fn connection_to(sb: &sandbox::Sandbox, name: &str) -> AddConnection {
    let demo = sb.demo_credentials();
    AddConnection {
        icims_customer_id: demo.icims_customer_id,
        icims_username: demo.icims_username,
        ..connection_at(name, &sb.icims.url(), &sb.namely.url())
    }
}

/// Part 4 as the wizard fills it for the simulators `sb`: their demo customer, user and key.
pub fn demo_icims(sb: &sandbox::Sandbox) -> IcimsInput {
    let demo = sb.demo_credentials();
    IcimsInput {
        customer_id: demo.icims_customer_id,
        username: demo.icims_username,
        region: IcimsRegion::Us,
        hmac_key: Some(demo.icims_hmac_key.into()),
    }
}

/// Saves the demo iCIMS key (part 4) and signs in to Namely with `token` (part 2) for the
/// connection `name`, as the wizard does; both must pass.
pub async fn save_secrets(engine: &Engine, sb: &sandbox::Sandbox, name: &str, token: &str) {
    let saved = engine.save_icims(name, &demo_icims(sb)).await.unwrap();
    assert!(saved.passed, "{saved:?}");
    let signed_in = engine
        .save_namely_token(name, SecretString::from(token.to_string()))
        .await
        .unwrap();
    assert!(signed_in.check.passed, "{:?}", signed_in.check);
}

/// [`connection_to`] for simulators that are not running: the default demo customer and user
/// at these addresses.
pub fn connection_at(name: &str, icims_url: &str, namely_url: &str) -> AddConnection {
    AddConnection {
        name: name.into(),
        namely_permalink: "sandbox".into(),
        icims_customer_id: sandbox::icims::DEFAULT_CUSTOMER_ID.into(),
        icims_username: sandbox::icims::DEFAULT_USERNAME.into(),
        icims_region: IcimsRegion::Us,
        hired_statuses: vec!["Hired".into()],
        icims_url: Some(icims_url.into()),
        namely_url: Some(namely_url.into()),
        schedule: None,
        start_from: Some(time::macros::date!(2000 - 01 - 01)),
    }
}

/// A fresh folder for a test's data folder (or CSV exports), removed at the end — unless
/// `ICIMS_NAMELY_KEEP_TEST_DATA` names a folder: then it is made there and kept, for the
/// canary scan of `scripts/test.sh` (`scripts/canary-scan.sh`). `label` says what it holds.
pub fn data_dir(label: &str) -> tempfile::TempDir {
    let Some(keep) = std::env::var_os("ICIMS_NAMELY_KEEP_TEST_DATA").filter(|v| !v.is_empty())
    else {
        return tempfile::tempdir().expect("a temporary folder");
    };
    // target/debug/deps/engine-0123abcd → "engine"
    let exe = std::env::current_exe().unwrap_or_default();
    let stem = exe.file_stem().and_then(|s| s.to_str()).unwrap_or("test");
    let suite = stem.rsplit_once('-').map_or(stem, |(name, _hash)| name);
    let parent = std::path::Path::new(&keep).join("core");
    std::fs::create_dir_all(&parent).expect("create the kept test-data folder");
    tempfile::Builder::new()
        .prefix(&format!("{suite}.{label}."))
        .disable_cleanup(true)
        .tempdir_in(&parent)
        .expect("a kept test-data folder")
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return hits;
    };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            hits.extend(files_containing(&path, needle));
        } else if let Ok(bytes) = std::fs::read(&path)
            && bytes.windows(needle.len()).any(|w| w == needle)
        {
            hits.push(path.display().to_string());
        }
    }
    hits
}
