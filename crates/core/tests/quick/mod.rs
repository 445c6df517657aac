//! Engine options for tests against the simulators: a client gives up after 5 s, and a Namely
//! 406 is retried 3 times, 5 ms apart (instead of minutes), so that a test of throttling takes
//! milliseconds.
#![allow(dead_code)]

use icims_namely_core::clients::ClientOptions;
use icims_namely_core::engine::EngineOptions;
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
