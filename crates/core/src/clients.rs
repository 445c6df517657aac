//! Builds the vendor clients for a connection: settings from the store, secrets from the
//! keychain. The one place that knows how a connection's settings map to client configs.

use crate::connection::{ConnectionSettings, IcimsRegion};
use secrecy::SecretString;
use std::time::Duration;

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    #[error("{0}")]
    Icims(#[from] icims::Error),
    #[error("{0}")]
    NamelyConfig(#[from] namely::ConfigError),
    #[error("{0}")]
    Namely(#[from] namely::Error),
    #[error(
        "The iCIMS Customer ID and Username are not set yet. Fill them in part 4 of the setup."
    )]
    IcimsNotConfigured,
}

/// Tunables shared by every client the engine builds.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    /// Namely 406 throttling: how long to wait before a retry, and how often to retry.
    pub namely_throttle_wait: Duration,
    pub namely_throttle_retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            namely_throttle_wait: Duration::from_secs(60),
            namely_throttle_retries: 3,
        }
    }
}

/// The iCIMS endpoint of a connection: an explicit base URL, else the region's host.
pub fn icims_endpoint(settings: &ConnectionSettings) -> icims::Endpoint {
    match &settings.icims_url {
        Some(url) => icims::Endpoint::BaseUrl(url.clone()),
        None => icims::Endpoint::Region(match settings.icims_region {
            IcimsRegion::Us => icims::Region::Us,
            IcimsRegion::Eu => icims::Region::Eu,
        }),
    }
}

/// An iCIMS client for `settings` with the given HMAC key.
pub fn icims_client(
    settings: &ConnectionSettings,
    hmac_key: SecretString,
    options: &ClientOptions,
) -> Result<icims::Client, ClientSetupError> {
    if settings.icims_customer_id.trim().is_empty() || settings.icims_username.trim().is_empty() {
        return Err(ClientSetupError::IcimsNotConfigured);
    }
    let config = icims::Config::new(
        icims_endpoint(settings),
        &settings.icims_customer_id,
        &settings.icims_username,
        hmac_key,
    )?
    .with_timeout(options.timeout);
    Ok(icims::Client::new(config)?)
}

/// The Namely endpoint of a connection: an explicit base URL, else the permalink's host.
pub fn namely_endpoint(
    settings: &ConnectionSettings,
) -> Result<namely::Endpoint, ClientSetupError> {
    Ok(match &settings.namely_url {
        Some(url) => namely::Endpoint::base_url(url)?,
        None => namely::Endpoint::permalink(&settings.namely_permalink)?,
    })
}

/// A Namely client for `settings` signing with `credential` (a personal access token, or a
/// signed-in session).
pub fn namely_client(
    settings: &ConnectionSettings,
    credential: impl Into<namely::Credential>,
    options: &ClientOptions,
) -> Result<namely::Client, ClientSetupError> {
    let endpoint = namely_endpoint(settings)?;
    let config = match credential.into() {
        namely::Credential::Token(token) => namely::Config::new(endpoint, token)?,
        namely::Credential::OAuth(session) => namely::Config::oauth(endpoint, session)?,
    }
    .with_timeout(options.timeout)
    .with_throttle(namely::ThrottlePolicy {
        wait: options.namely_throttle_wait,
        max_retries: options.namely_throttle_retries,
    });
    Ok(namely::Client::new(config)?)
}
