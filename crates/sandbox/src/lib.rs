//! Simulators of the iCIMS and Namely APIs, served over real HTTP on 127.0.0.1.
//!
//! The simulators play the vendors: they check signatures and parse requests with code of
//! their own, never with the client crates, so that a mistake in a client cannot hide behind
//! the same mistake in its simulator. Every behaviour follows `shared/reference/*.md`; where
//! the reference says *unverified*, the choice made here lives in one place per simulator: `icims::assumptions` and
//! `namely::assumptions`.

pub mod icims;
pub mod namely;
pub mod seed;

use std::net::{Ipv4Addr, SocketAddr};

/// Both simulators, started together from one seeded world.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    pub seed: seed::SeedConfig,
    pub icims: icims::IcimsSimConfig,
    pub namely: namely::NamelySimConfig,
    /// Port of the iCIMS simulator on 127.0.0.1; 0 picks a free one. (The Namely port is
    /// `namely.port`.)
    pub icims_port: u16,
    /// Place the seeded dates around this day (unix seconds) instead of the fixed anchor, so
    /// that a demo's hires start soon after today.
    pub anchor_unix: Option<i64>,
}

/// The demo credentials a person types (or the app fills in) to use the sandbox. They are
/// public demo values and open nothing outside this computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCredentials {
    pub icims_url: String,
    pub icims_customer_id: String,
    pub icims_username: String,
    pub icims_hmac_key: String,
    pub namely_url: String,
    pub namely_permalink: String,
    pub namely_token: String,
}

/// Both simulators running. Dropping it stops them.
pub struct Sandbox {
    pub world: seed::World,
    pub icims: icims::IcimsSim,
    pub namely: namely::NamelySim,
    namely_permalink: String,
}

impl Sandbox {
    /// Generates the world and starts both simulators on 127.0.0.1.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let world = match config.anchor_unix {
            Some(anchor) => seed::World::generate_at(&config.seed, anchor),
            None => seed::World::generate(&config.seed),
        };
        let icims = icims::start_on(
            config.icims,
            &world,
            SocketAddr::from((Ipv4Addr::LOCALHOST, config.icims_port)),
        )
        .await?;
        let namely_permalink = config.namely.permalink.clone();
        let namely = namely::start(config.namely, &world.employees).await?;
        Ok(Sandbox {
            world,
            icims,
            namely,
            namely_permalink,
        })
    }

    /// What to type to connect to this sandbox.
    pub fn demo_credentials(&self) -> DemoCredentials {
        let ic = self.icims.config();
        DemoCredentials {
            icims_url: self.icims.url(),
            icims_customer_id: ic.customer_id.clone(),
            icims_username: ic.username.clone(),
            icims_hmac_key: ic.hmac_key.clone(),
            namely_url: self.namely.url(),
            namely_permalink: self.namely_permalink.clone(),
            namely_token: namely::TOKEN_OLIVIA_OWNER.to_string(),
        }
    }

    /// Stops both simulators.
    pub async fn shutdown(self) {
        self.icims.shutdown().await;
        self.namely.shutdown().await;
    }
}
