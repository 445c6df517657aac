//! Simulators of the iCIMS and Namely APIs, served over real HTTP on 127.0.0.1.
//!
//! The simulators play the vendors: they check signatures and parse requests with code of
//! their own, never with the client crates, so that a mistake in a client cannot hide behind
//! the same mistake in its simulator. Every behaviour follows `docs/icims-api.md` and
//! `docs/namely-api.md`; where they say *unverified*, the choice made here lives in one place
//! per simulator: `icims::assumptions` and `namely::assumptions`.

pub mod canary;
pub mod icims;
pub mod namely;
pub mod raw;
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
    /// The demo OAuth application (Sign in with Namely): its client id and secret.
    pub namely_client_id: String,
    pub namely_client_secret: String,
}

/// What a sandbox holds, to start an identical one later ([`Sandbox::snapshot`],
/// [`Sandbox::start_from`]): the iCIMS data as it is now and every Namely profile, created
/// ones included. Holds no credentials (the demo values come from the configuration).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SandboxSnapshot {
    pub world: seed::World,
    /// The tenant's profiles in the simulator's stored form ([`namely::NamelySim::export_profiles`]).
    pub namely_profiles: Vec<serde_json::Value>,
    /// Sign in with Namely grants (refresh tokens as digests, never the tokens).
    #[serde(default)]
    pub namely_sign_ins: Vec<namely::SignInGrant>,
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

    /// Starts both simulators holding exactly the data of `snapshot` (the seed and anchor of
    /// `config` are not used). A snapshot whose profiles cannot be read is `InvalidData`.
    pub async fn start_from(
        config: SandboxConfig,
        snapshot: SandboxSnapshot,
    ) -> std::io::Result<Sandbox> {
        let SandboxSnapshot {
            world,
            namely_profiles,
            namely_sign_ins,
        } = snapshot;
        let icims = icims::start_on(
            config.icims,
            &world,
            SocketAddr::from((Ipv4Addr::LOCALHOST, config.icims_port)),
        )
        .await?;
        let namely_permalink = config.namely.permalink.clone();
        let namely = namely::start(config.namely, &world.employees).await?;
        namely
            .import_profiles(&namely_profiles)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        namely.import_sign_ins(&namely_sign_ins);
        Ok(Sandbox {
            world,
            icims,
            namely,
            namely_permalink,
        })
    }

    /// The data of both simulators as it is now, for [`Sandbox::start_from`].
    pub fn snapshot(&self) -> SandboxSnapshot {
        SandboxSnapshot {
            world: self.icims.world(),
            namely_profiles: self.namely.export_profiles(),
            namely_sign_ins: self.namely.export_sign_ins(),
        }
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
            namely_client_id: namely::OAUTH_CLIENT_ID.to_string(),
            namely_client_secret: self
                .namely
                .oauth_apps()
                .into_iter()
                .find(|a| a.client_id == namely::OAUTH_CLIENT_ID)
                .map_or_else(
                    || namely::OAUTH_CLIENT_SECRET.to_string(),
                    |a| a.client_secret,
                ),
        }
    }

    /// Stops both simulators.
    pub async fn shutdown(self) {
        self.icims.shutdown().await;
        self.namely.shutdown().await;
    }
}

#[cfg(test)]
mod snapshot_tests {
    use super::*;

    #[tokio::test]
    async fn a_snapshot_restores_every_profile_and_the_world_exactly() {
        let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let client = reqwest::Client::new();
        let created: serde_json::Value = client
            .post(format!("{}/profiles", sb.namely.url()))
            .bearer_auth(namely::TOKEN_OLIVIA_OWNER)
            .json(&serde_json::json!({ "profiles": [{
                "first_name": "Kept", "last_name": "Across", "email": "kept.across@example.com",
                "user_status": "active", "start_date": "2026-01-05", "icims_id": "990001",
                "home": { "address1": "195 Broadway", "city": "New York", "state_id": "NY",
                          "country_id": "US", "zip": "10007" },
                "job_title": { "title": "Software Engineer" },
            }]}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["profiles"][0]["id"].as_str().unwrap().to_string();
        sb.icims
            .add_hire("Late", "Hire", Some("late.hire@example.com"));
        let before = sb.namely.profiles();
        let snapshot = sb.snapshot();
        sb.shutdown().await;

        // Through JSON, as the app keeps it.
        let text = serde_json::to_string(&snapshot).unwrap();
        let back: SandboxSnapshot = serde_json::from_str(&text).unwrap();
        assert_eq!(back, snapshot);

        let again = Sandbox::start_from(SandboxConfig::default(), back)
            .await
            .unwrap();
        assert_eq!(again.namely.profiles(), before);
        assert_eq!(again.icims.world(), snapshot.world);
        let kept = again.namely.profile_by_icims_id("990001").unwrap();
        assert_eq!(kept["id"], id.as_str());
        assert_eq!(kept["email"], "kept.across@example.com");
        assert_eq!(again.namely.created_profiles().len(), 1);
        assert_eq!(again.namely.calls_to("POST", "/profiles"), 0);
        again.shutdown().await;
    }

    /// A sign-in survives a restart of the sandbox (as it does in a real Namely); the snapshot
    /// holds digests, never a token; and the restarted simulator hands out new values.
    #[tokio::test]
    async fn a_sign_in_survives_a_restart_and_the_snapshot_holds_no_token() {
        let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let authorize = format!(
            "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={}&state=s",
            sb.namely.url(),
            namely::OAUTH_CLIENT_ID,
            url::form_urlencoded::byte_serialize(namely::OAUTH_REDIRECT_URI.as_bytes())
                .collect::<String>()
        );
        let location = namely::consent::answer(&authorize, namely::consent::Decision::Accept, None)
            .await
            .unwrap();
        let code = url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        let token = |sim: &namely::NamelySim, form: Vec<(&'static str, String)>| {
            let url = format!("{}/oauth2/token", sim.url());
            async move {
                let mut form = form;
                form.push(("client_id", namely::OAUTH_CLIENT_ID.into()));
                form.push(("client_secret", namely::OAUTH_CLIENT_SECRET.into()));
                form.push(("redirect_uri", namely::OAUTH_REDIRECT_URI.into()));
                let r = reqwest::Client::new()
                    .post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                (
                    r.status().as_u16(),
                    r.json::<serde_json::Value>().await.unwrap(),
                )
            }
        };
        let (status, signed_in) = token(
            &sb.namely,
            vec![("grant_type", "authorization_code".into()), ("code", code)],
        )
        .await;
        assert_eq!(status, 200, "{signed_in}");
        let refresh = signed_in["refresh_token"].as_str().unwrap().to_string();
        let text = serde_json::to_string(&sb.snapshot()).unwrap();
        for value in sb.namely.oauth_issued_values() {
            assert!(
                !text.contains(&value),
                "the snapshot holds an issued token or code"
            );
        }
        sb.shutdown().await;
        let back: SandboxSnapshot = serde_json::from_str(&text).unwrap();
        let again = Sandbox::start_from(SandboxConfig::default(), back)
            .await
            .unwrap();
        let (status, refreshed) = token(
            &again.namely,
            vec![
                ("grant_type", "refresh_token".into()),
                ("refresh_token", refresh),
            ],
        )
        .await;
        assert_eq!(status, 200, "{refreshed}");
        assert_ne!(
            refreshed["access_token"].as_str().unwrap(),
            namely::FIRST_ACCESS_TOKEN,
            "a restarted simulator handed out a value it handed out before"
        );
        again.shutdown().await;
    }

    #[tokio::test]
    async fn unreadable_profiles_do_not_start() {
        let snapshot = SandboxSnapshot {
            world: seed::World::default(),
            namely_profiles: vec![serde_json::json!({ "id": 3 })],
            namely_sign_ins: Vec::new(),
        };
        let err = match Sandbox::start_from(SandboxConfig::default(), snapshot).await {
            Ok(_) => panic!("started"),
            Err(e) => e,
        };
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    }
}
