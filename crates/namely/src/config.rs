//! Connection settings: where Namely is, the token, the timeout, the throttle policy and the
//! pace of profile listing requests.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::{Host, Url};

use crate::assumptions;
use crate::oauth::{Credential, OAuthSession};
use crate::permalink::{Permalink, PermalinkError};

/// Where the Namely API lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A real tenant: `https://{permalink}.namely.com/api/v1`.
    Permalink(Permalink),
    /// An explicit API base, e.g. a local simulator `http://127.0.0.1:4010`.
    ///
    /// `https` is allowed for any host; plain `http` only for loopback hosts (`localhost`,
    /// `127.0.0.0/8`, `::1`). A base with an empty path (`http://127.0.0.1:4010` or `…/`) gets
    /// `/api/v1` appended, as on a real tenant; any other path is used as given.
    BaseUrl(Url),
}

impl Endpoint {
    /// Parse a permalink as typed by a person (see [`Permalink::parse`]).
    pub fn permalink(input: &str) -> Result<Self, ConfigError> {
        Ok(Self::Permalink(Permalink::parse(input)?))
    }

    /// Parse and check an explicit base URL.
    pub fn base_url(input: &str) -> Result<Self, ConfigError> {
        let url = Url::parse(input.trim()).map_err(|e| ConfigError::InvalidUrl {
            reason: e.to_string(),
        })?;
        api_base(&url)?;
        Ok(Self::BaseUrl(url))
    }

    /// The API base every call path is appended to, always ending in `/`.
    pub(crate) fn api_base(&self) -> Result<Url, ConfigError> {
        match self {
            Self::Permalink(p) => api_base(&p.base_url()),
            Self::BaseUrl(url) => api_base(url),
        }
    }
}

/// Why the connection settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The company name is not a valid permalink.
    #[error(transparent)]
    Permalink(#[from] PermalinkError),
    /// The base URL does not parse.
    #[error(
        "the API address is not a valid URL ({reason}); enter it like https://acme.namely.com/api/v1"
    )]
    InvalidUrl {
        /// Parser message.
        reason: String,
    },
    /// Plain `http` to a host that is not this computer.
    #[error(
        "plain http is only allowed for this computer (localhost, 127.0.0.1, ::1), not for {host}; use an https:// address"
    )]
    InsecureHttp {
        /// The host that was given.
        host: String,
    },
    /// Neither `http` nor `https`.
    #[error("the API address must start with https:// (got {scheme}://)")]
    UnsupportedScheme {
        /// The scheme that was given.
        scheme: String,
    },
    /// A user name or password inside the URL.
    #[error("the API address must not contain a user name or password; remove the part before '@'")]
    CredentialsInUrl,
    /// A `?query` or `#fragment` on the base URL.
    #[error("the API address must not contain '?' or '#'; remove that part")]
    QueryOrFragment,
    /// The token is empty (after trimming).
    #[error("the access token is empty; paste the personal access token created in Namely")]
    EmptyToken,
    /// The token contains characters that cannot be sent in a header.
    #[error(
        "the access token contains characters that cannot be part of a token (such as a line break inside it); copy it again from Namely"
    )]
    InvalidToken,
    /// A zero timeout would fail every call.
    #[error("the timeout must be longer than zero")]
    ZeroTimeout,
    /// The HTTP client could not be built (e.g. no TLS roots).
    #[error("the HTTP client could not be set up: {reason}")]
    HttpClient {
        /// What failed.
        reason: String,
    },
}

/// How to wait out Namely's throttle (406 on GET /profiles, 429 anywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Pause before each retry. Default 60 s.
    pub wait: Duration,
    /// Retries after the first attempt before giving up with [`crate::Error::Throttled`].
    /// Default 3, so at most 4 requests.
    pub max_retries: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            wait: assumptions::THROTTLE_WAIT,
            max_retries: assumptions::THROTTLE_MAX_RETRIES,
        }
    }
}

/// Everything needed to build a [`crate::Client`].
///
/// `Debug` never shows the token.
///
/// ```
/// use namely::{Config, Endpoint};
/// use secrecy::SecretString;
///
/// let config = Config::new(
///     Endpoint::permalink("https://acme.namely.com/people")?,
///     SecretString::from("token-from-the-keychain"),
/// )?
/// .with_timeout(std::time::Duration::from_secs(10));
/// assert_eq!(config.api_base().as_str(), "https://acme.namely.com/api/v1/");
/// assert!(!format!("{config:?}").contains("token-from"));
/// # Ok::<(), namely::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct Config {
    endpoint: Endpoint,
    api_base: Url,
    credential: Credential,
    timeout: Duration,
    throttle: ThrottlePolicy,
    listing_pace: (u32, Duration),
}

impl Config {
    /// Checks the endpoint and the token; timeout, throttle and listing pace take their
    /// defaults (30 s; wait 60 s, 3 retries; 100 listings a minute).
    pub fn new(endpoint: Endpoint, token: SecretString) -> Result<Self, ConfigError> {
        let api_base = endpoint.api_base()?;
        let trimmed = token.expose_secret().trim();
        if trimmed.is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        if !trimmed.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ConfigError::InvalidToken);
        }
        let token = SecretString::from(trimmed.to_owned());
        Ok(Self::with_credential(
            endpoint,
            api_base,
            Credential::Token(token),
        ))
    }

    /// Signs requests with a signed-in [`OAuthSession`] instead of a personal access token.
    pub fn oauth(endpoint: Endpoint, session: OAuthSession) -> Result<Self, ConfigError> {
        let api_base = endpoint.api_base()?;
        Ok(Self::with_credential(
            endpoint,
            api_base,
            Credential::OAuth(session),
        ))
    }

    fn with_credential(endpoint: Endpoint, api_base: Url, credential: Credential) -> Self {
        Self {
            endpoint,
            api_base,
            credential,
            timeout: assumptions::DEFAULT_TIMEOUT,
            throttle: ThrottlePolicy::default(),
            listing_pace: (
                assumptions::PROFILE_LISTINGS_PER_MINUTE,
                assumptions::PROFILE_LISTING_WINDOW,
            ),
        }
    }

    /// Sets the whole-request timeout (connect, send and read the answer).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the throttle policy (tests use a wait of a few milliseconds).
    #[must_use]
    pub fn with_throttle(mut self, throttle: ThrottlePolicy) -> Self {
        self.throttle = throttle;
        self
    }

    /// Paces profile listing requests (`GET /profiles`, any query; see
    /// [`assumptions::counts_toward_listing_limit`]): at most `limit` of them are in flight or
    /// completed within any `window`, across every task sharing the client, so the client
    /// never draws Namely's 406 on its own. Default: [`assumptions::PROFILE_LISTINGS_PER_MINUTE`]
    /// per [`assumptions::PROFILE_LISTING_WINDOW`]. `limit == 0` turns pacing off. The 406
    /// retry ([`Self::with_throttle`]) still applies, for when another program uses the same
    /// token.
    #[must_use]
    pub fn with_listing_pace(mut self, limit: u32, window: Duration) -> Self {
        self.listing_pace = (limit, window);
        self
    }

    /// The listing pace: `(limit, window)`; a limit of 0 means no pacing.
    pub fn listing_pace(&self) -> (u32, Duration) {
        self.listing_pace
    }

    /// Where the API lives, as configured.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The API base call paths are appended to, ending in `/`
    /// (e.g. `https://acme.namely.com/api/v1/`).
    pub fn api_base(&self) -> &Url {
        &self.api_base
    }

    /// The whole-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The throttle policy.
    pub fn throttle(&self) -> ThrottlePolicy {
        self.throttle
    }

    /// Whether the API lives on this computer (`localhost`, `127.0.0.0/8`, `::1`): a local
    /// simulator, reached without any proxy from the environment.
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.api_base)
    }

    pub(crate) fn credential(&self) -> &Credential {
        &self.credential
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_base", &self.api_base.as_str())
            .field("credential", &self.credential)
            .field("timeout", &self.timeout)
            .field("throttle", &self.throttle)
            .field("listing_pace", &self.listing_pace)
            .finish()
    }
}

/// Checks a base URL and returns it with `/api/v1` filled in when the path is empty, ending
/// in `/` so that `join("profiles")` appends.
fn api_base(url: &Url) -> Result<Url, ConfigError> {
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback(url) {
                return Err(ConfigError::InsecureHttp {
                    host: crate::permalink::shown(url.host_str().unwrap_or_default()),
                });
            }
        }
        other => {
            return Err(ConfigError::UnsupportedScheme {
                scheme: crate::permalink::shown(other),
            });
        }
    }
    if url.host().is_none() {
        return Err(ConfigError::InvalidUrl {
            reason: "it has no host".to_owned(),
        });
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::CredentialsInUrl);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::QueryOrFragment);
    }
    let mut base = url.clone();
    if base.path() == "/" || base.path().is_empty() {
        base.set_path("/api/v1/");
    } else if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

/// The HTTP client every call to `api_base` goes through (the API's and the sign-in
/// service's): the timeouts, no redirects followed (a token, a code or the client secret must
/// never travel to another host; a redirect is itself a sign of a wrong company name, see
/// assumptions), and no proxy for a simulator on this computer (a proxy from the environment
/// must not see the token, nor be asked for 127.0.0.1, which it would answer for itself).
pub(crate) fn http_client(
    api_base: &Url,
    timeout: Duration,
    headers: reqwest::header::HeaderMap,
) -> Result<reqwest::Client, ConfigError> {
    let mut builder = reqwest::Client::builder();
    if is_loopback(api_base) {
        builder = builder.no_proxy();
    }
    builder
        .default_headers(headers)
        .timeout(timeout)
        .connect_timeout(timeout.min(assumptions::CONNECT_TIMEOUT_MAX))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("icims-namely/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConfigError::HttpClient {
            reason: e.to_string(),
        })
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(input: &str) -> Result<String, ConfigError> {
        let config = Config::new(Endpoint::base_url(input)?, SecretString::from("t"))?;
        Ok(config.api_base().to_string())
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            base("http://127.0.0.1:4010").as_deref(),
            Ok("http://127.0.0.1:4010/api/v1/")
        );
        assert_eq!(
            base("http://127.1.2.3:80/").as_deref(),
            Ok("http://127.1.2.3/api/v1/")
        );
        assert_eq!(
            base("http://localhost:9/api/v1").as_deref(),
            Ok("http://localhost:9/api/v1/")
        );
        assert_eq!(
            base("http://[::1]:9/custom/").as_deref(),
            Ok("http://[::1]:9/custom/")
        );
        assert_eq!(
            base("https://proxy.example.com/namely/api/v1").as_deref(),
            Ok("https://proxy.example.com/namely/api/v1/")
        );
        for bad in [
            "http://acme.namely.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://[::2]",
            "http://0.0.0.0",
        ] {
            assert!(
                matches!(base(bad), Err(ConfigError::InsecureHttp { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            base("ftp://127.0.0.1"),
            Err(ConfigError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            base("https://u:p@127.0.0.1"),
            Err(ConfigError::CredentialsInUrl)
        ));
        assert!(matches!(
            base("https://127.0.0.1/?x=1"),
            Err(ConfigError::QueryOrFragment)
        ));
        assert!(matches!(
            base("not a url"),
            Err(ConfigError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn token_is_checked_and_hidden() {
        let endpoint = Endpoint::permalink("acme").expect("valid");
        assert_eq!(
            Config::new(endpoint.clone(), SecretString::from("  ")).err(),
            Some(ConfigError::EmptyToken)
        );
        assert_eq!(
            Config::new(endpoint.clone(), SecretString::from("ab\ncd")).err(),
            Some(ConfigError::InvalidToken)
        );
        let config =
            Config::new(endpoint, SecretString::from(" s3cr3t-T0KEN\n")).expect("valid token");
        match config.credential() {
            Credential::Token(t) => assert_eq!(t.expose_secret(), "s3cr3t-T0KEN"),
            Credential::OAuth(_) => panic!("a token was given"),
        }
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert_eq!(
            config.api_base().as_str(),
            "https://acme.namely.com/api/v1/"
        );
    }
}
