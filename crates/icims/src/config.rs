//! Connection settings: where iCIMS is, whose account, which key, how long to wait.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::time::Duration;
use url::{Host, Url};

use crate::error::{Error, Result};

/// Default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// iCIMS hosting region (`docs/icims-api.md` §3). EU-hosted customers must use [`Region::Eu`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// `https://api.icims.com`
    #[default]
    Us,
    /// `https://api-eu.icims.com`
    Eu,
}

impl Region {
    /// The API base URL of the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.icims.com",
            Region::Eu => "https://api-eu.icims.com",
        }
    }
}

/// Where to send requests: a region, or an explicit base URL (a proxy, a simulator, a test
/// server). Plain `http` is only accepted for loopback hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// One of iCIMS's hosts.
    Region(Region),
    /// Any `https` URL, or `http` on 127.0.0.0/8, `::1` or `localhost`. A path prefix is
    /// allowed (`http://127.0.0.1:8080/icims`); `/customers/…` is appended to it.
    BaseUrl(String),
}

impl From<Region> for Endpoint {
    fn from(r: Region) -> Self {
        Endpoint::Region(r)
    }
}

/// Validated settings for a [`crate::Client`].
///
/// `Debug` never shows the HMAC key.
#[derive(Clone)]
pub struct Config {
    base: String,
    loopback: bool,
    customer_id: String,
    username: String,
    key: SecretString,
    timeout: Duration,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base", &self.base)
            .field("customer_id", &self.customer_id)
            .field("username", &self.username)
            .field("key", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Config {
    /// Validates and builds the settings.
    ///
    /// * `customer_id`: the number iCIMS gave the customer, digits only (surrounding spaces are
    ///   ignored);
    /// * `username`: the integration user's name;
    /// * `key`: the HMAC key, exactly as issued.
    pub fn new(
        endpoint: impl Into<Endpoint>,
        customer_id: &str,
        username: &str,
        key: SecretString,
    ) -> Result<Self> {
        let (base, loopback) = match endpoint.into() {
            Endpoint::Region(r) => (r.base_url().to_owned(), false),
            Endpoint::BaseUrl(u) => validate_base_url(&u)?,
        };
        Ok(Config {
            base,
            loopback,
            customer_id: validate_customer_id(customer_id)?,
            username: validate_username(username)?,
            key: validate_key(key)?,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Sets the per-request timeout (default 30 s). Zero is rejected by [`crate::Client::new`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Base URL without a trailing slash, e.g. `https://api.icims.com`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The validated customer id (digits).
    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// The integration username.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether the base URL is a loopback address (tests, simulators).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    pub(crate) fn key(&self) -> &SecretString {
        &self.key
    }

    /// `{base}/customers/{cid}{path}` with `path` starting with `/`, plus `?query`.
    pub(crate) fn url(&self, path: &str, query: Option<&str>) -> Result<Url> {
        let mut s = format!("{}/customers/{}{}", self.base, self.customer_id, path);
        if let Some(q) = query {
            s.push('?');
            s.push_str(q);
        }
        Url::parse(&s).map_err(|e| Error::InvalidConfig(format!("cannot build URL {s}: {e}")))
    }
}

fn validate_customer_id(raw: &str) -> Result<String> {
    let id = raw.trim();
    if id.is_empty() {
        return Err(Error::InvalidConfig(
            "the customer id is empty; enter the number iCIMS gave you (e.g. 1234)".into(),
        ));
    }
    if !id.bytes().all(|b| b.is_ascii_digit()) || id.len() > 18 {
        let shown: String = id.chars().take(40).collect();
        return Err(Error::InvalidConfig(format!(
            "the customer id must be digits only, like 1234 (it is the number in iCIMS's \
             /customers/1234/ addresses), but it is \"{shown}\""
        )));
    }
    Ok(id.to_owned())
}

fn validate_username(raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::InvalidConfig(
            "the username is empty; enter the iCIMS integration user's name".into(),
        ));
    }
    if name
        .chars()
        .any(|c| !c.is_ascii() || c.is_ascii_control() || c == ',')
    {
        return Err(Error::InvalidConfig(
            "the username may contain only plain ASCII characters and no commas".into(),
        ));
    }
    Ok(name.to_owned())
}

fn validate_key(key: SecretString) -> Result<SecretString> {
    let k = key.expose_secret();
    if k.is_empty() {
        return Err(Error::InvalidConfig(
            "the HMAC key is empty; paste the key iCIMS issued for the integration user".into(),
        ));
    }
    if k.trim() != k {
        return Err(Error::InvalidConfig(
            "the HMAC key starts or ends with spaces or a line break; paste it again without them"
                .into(),
        ));
    }
    Ok(key)
}

/// An address repeated in a message: control characters escaped, at most 60 characters.
fn shown(raw: &str) -> String {
    const MAX: usize = 60;
    let escaped: String = raw.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(MAX) {
        Some((cut, _)) => format!(
            "\"{}…\" ({} characters)",
            &escaped[..cut],
            raw.chars().count()
        ),
        None => format!("\"{escaped}\""),
    }
}

/// Returns the base without trailing `/`, and whether it is loopback.
fn validate_base_url(raw: &str) -> Result<(String, bool)> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|e| {
        Error::InvalidConfig(format!(
            "the iCIMS address {} is not a valid URL ({e})",
            shown(raw)
        ))
    })?;
    // Before any message repeats the address: it must not carry a password to repeat.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::InvalidConfig(
            "the iCIMS address must not contain a user name or password".into(),
        ));
    }
    let raw = shown(raw);
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => {
            return Err(Error::InvalidConfig(format!(
                "the iCIMS address {raw} has no host name"
            )));
        }
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::InvalidConfig(format!(
                "the iCIMS address {raw} uses plain http; iCIMS requires https (plain http is \
                 only allowed for a local test server on 127.0.0.1, ::1 or localhost)"
            )));
        }
        other => {
            return Err(Error::InvalidConfig(format!(
                "the iCIMS address {raw} must start with https:// (not {}://)",
                shown(other)
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidConfig(format!(
            "the iCIMS address {raw} must not contain '?' or '#'"
        )));
    }
    let s = url.as_str().trim_end_matches('/').to_owned();
    Ok((s, loopback))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretString {
        SecretString::from("k3y")
    }

    fn cfg(endpoint: Endpoint, cid: &str) -> Result<Config> {
        Config::new(endpoint, cid, "apiuser", key())
    }

    fn base(u: &str) -> Result<Config> {
        cfg(Endpoint::BaseUrl(u.into()), "1234")
    }

    #[test]
    fn regions() {
        let c = cfg(Region::Eu.into(), "1234").unwrap();
        assert_eq!(c.base_url(), "https://api-eu.icims.com");
        assert_eq!(
            c.url("/people/5", Some("fields=a%2Cb")).unwrap().as_str(),
            "https://api-eu.icims.com/customers/1234/people/5?fields=a%2Cb"
        );
        assert_eq!(
            cfg(Region::Us.into(), "1").unwrap().base_url(),
            "https://api.icims.com"
        );
        assert_eq!(c.timeout(), DEFAULT_TIMEOUT);
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3/",
            "http://[::1]:9000",
            "http://localhost:1",
            "http://LOCALHOST",
            "https://icims.example.com/prefix/",
        ] {
            assert!(base(ok).is_ok(), "{ok} should be accepted");
        }
        assert_eq!(
            base("http://127.0.0.1:8080/icims/").unwrap().base_url(),
            "http://127.0.0.1:8080/icims"
        );
        for bad in [
            "http://api.icims.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
            "http://128.0.0.1",
            "ftp://127.0.0.1",
            "not a url",
            "https://user:pw@api.icims.com",
            "https://api.icims.com/?x=1",
        ] {
            let e = base(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidConfig(_)), "{bad}: {e:?}");
        }
        let e = base("http://api.icims.com").unwrap_err().to_string();
        assert!(e.contains("plain http"), "{e}");
    }

    #[test]
    fn customer_id_must_be_digits() {
        assert_eq!(
            cfg(Region::Us.into(), " 1234 ").unwrap().customer_id(),
            "1234"
        );
        for bad in ["", "12a4", "-1", "1 2", "１２", "1234567890123456789"] {
            let e = cfg(Region::Us.into(), bad).unwrap_err();
            assert!(matches!(e, Error::InvalidConfig(_)), "{bad:?}: {e:?}");
        }
        let e = cfg(Region::Us.into(), "acme").unwrap_err().to_string();
        assert!(e.contains("digits only") && e.contains("acme"), "{e}");
    }

    #[test]
    fn username_and_key_validated() {
        assert!(Config::new(Region::Us, "1", " ", key()).is_err());
        assert!(Config::new(Region::Us, "1", "a,b", key()).is_err());
        assert!(Config::new(Region::Us, "1", "u", SecretString::from("")).is_err());
        let e = Config::new(Region::Us, "1", "u", SecretString::from("abc\n")).unwrap_err();
        assert!(!e.to_string().contains("abc"), "{e}");
    }

    #[test]
    fn debug_hides_key() {
        let c = Config::new(Region::Us, "1", "u", SecretString::from("s3cr3t-key")).unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("s3cr3t-key"), "{d}");
        assert!(d.contains("<redacted>"));
    }
}
