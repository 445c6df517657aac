//! HMAC request signing, `x-icims-v1-hmac-sha256` (`docs/icims-api.md` §2.2).
//!
//! Pure: no I/O, no clock. The caller passes the exact URL it will send, the exact body bytes it
//! will send and the date to stamp; the result is the set of headers to put on the request.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;
use url::Url;

use crate::assumptions;

/// Algorithm name, first token of the `Authorization` value and first line of the string to sign.
pub const ALGORITHM: &str = "x-icims-v1-hmac-sha256";

/// The only `Content-Type` this client sends, on every method (`docs/icims-api.md` §2.2).
pub const CONTENT_TYPE: &str = "application/json";

/// `SignedHeaders`: the four signed header names, sorted, joined with `;`
/// (`docs/icims-api.md` §2.2, step 3).
pub const SIGNED_HEADERS: &str = "content-type;host;x-icims-content-sha256;x-icims-date";

/// Name of the header carrying the request date.
pub const DATE_HEADER: &str = "x-icims-date";

/// Name of the header carrying the body hash.
pub const CONTENT_SHA256_HEADER: &str = "x-icims-content-sha256";

const DATE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// The headers that make a request signed, plus the intermediate strings (for diagnosis and tests).
///
/// `Debug` hides the `Authorization` value.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `Content-Type` value: always [`CONTENT_TYPE`].
    pub content_type: &'static str,
    /// `Host` value that was signed; it must be the one sent (see [`host_header_value`]).
    pub host: String,
    /// `x-icims-content-sha256` value: lowercase hex SHA-256 of the body.
    pub content_sha256: String,
    /// `x-icims-date` value, `yyyy-mm-ddThh:mm:ssZ` (UTC).
    pub date: String,
    /// Full `Authorization` header value.
    pub authorization: String,
    /// The canonical request that was hashed (`docs/icims-api.md` §2.2, step 5).
    pub canonical_request: String,
    /// The string that was signed (`docs/icims-api.md` §2.2, step 6).
    pub string_to_sign: String,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("content_type", &self.content_type)
            .field("host", &self.host)
            .field("content_sha256", &self.content_sha256)
            .field("date", &self.date)
            .field("authorization", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Formats a date as `x-icims-date` wants it: `yyyy-mm-ddThh:mm:ssZ`, converted to UTC.
pub fn format_date(date: OffsetDateTime) -> String {
    date.to_offset(time::UtcOffset::UTC)
        .format(DATE_FORMAT)
        // Only fails for years outside 0..=9999; send something the server will reject as a
        // bad date rather than panicking.
        .unwrap_or_else(|_| date.unix_timestamp().to_string())
}

/// The `Host` header value for `url`, as reqwest/hyper send it: the host, plus `:port` when
/// the URL has a non-default port. See [`assumptions::HOST_INCLUDES_NON_DEFAULT_PORT`].
pub fn host_header_value(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        // `Url::port` is `None` for the scheme's default port (443 for https, 80 for http).
        Some(port) if assumptions::HOST_INCLUDES_NON_DEFAULT_PORT => format!("{host}:{port}"),
        _ => host.to_owned(),
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Signs one request (`docs/icims-api.md` §2.2; test vectors in §2.5).
///
/// `url` must be the exact URL that will be sent: its path and raw query string are signed
/// byte for byte. `body` must be the exact bytes sent (empty for GET). `key` is the HMAC key as
/// text; its UTF-8 bytes are the HMAC key (no decoding, no derivation).
pub fn sign(
    method: &str,
    url: &Url,
    body: &[u8],
    username: &str,
    key: &str,
    date: OffsetDateTime,
) -> SignedRequest {
    let date = format_date(date);
    let host = host_header_value(url);
    let content_sha256 = sha256_hex(body);

    // Already in sorted order of the header names.
    let canonical_headers = format!(
        "content-type:{CONTENT_TYPE}\nhost:{host}\n{CONTENT_SHA256_HEADER}:{content_sha256}\n{DATE_HEADER}:{date}"
    );
    let canonical_request = [
        method.to_ascii_uppercase().as_str(),
        url.path(),
        url.query().unwrap_or(""),
        canonical_headers.as_str(),
        "",
        SIGNED_HEADERS,
    ]
    .join("\n");
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let signature = hmac_sha256_hex(key.as_bytes(), string_to_sign.as_bytes());
    let sep = assumptions::AUTHORIZATION_COMPONENT_SEPARATOR;
    let authorization = format!(
        "{ALGORITHM} user={username}{sep}signedheaders={SIGNED_HEADERS}{sep}signature={signature}"
    );

    SignedRequest {
        content_type: CONTENT_TYPE,
        host,
        content_sha256,
        date,
        authorization,
        canonical_request,
        string_to_sign,
    }
}

fn hmac_sha256_hex(key: &[u8], msg: &[u8]) -> String {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for HMAC.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    };
    mac.update(msg);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn vector_date() -> OffsetDateTime {
        datetime!(2024-01-15 12:00:00 UTC)
    }

    #[test]
    fn vector_1_get_person() {
        let url = Url::parse(
            "https://api.icims.com/customers/1234/people/5678?fields=firstname%2Clastname%2Cemail",
        )
        .unwrap();
        let s = sign("GET", &url, b"", "apiuser", "secretkey", vector_date());
        assert_eq!(
            s.canonical_request,
            "GET\n/customers/1234/people/5678\nfields=firstname%2Clastname%2Cemail\n\
             content-type:application/json\nhost:api.icims.com\n\
             x-icims-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-icims-date:2024-01-15T12:00:00Z\n\n\
             content-type;host;x-icims-content-sha256;x-icims-date"
        );
        assert_eq!(
            sha256_hex(s.canonical_request.as_bytes()),
            "b9c1e61dffb455e1ce6752bccb8e12fad8fca8805b8b5009caad7b6f46e0734d"
        );
        assert_eq!(
            s.string_to_sign,
            "x-icims-v1-hmac-sha256\n2024-01-15T12:00:00Z\n\
             b9c1e61dffb455e1ce6752bccb8e12fad8fca8805b8b5009caad7b6f46e0734d"
        );
        assert_eq!(s.content_sha256, EMPTY_SHA);
        assert_eq!(s.host, "api.icims.com");
        assert_eq!(s.date, "2024-01-15T12:00:00Z");
        assert_eq!(s.content_type, "application/json");
        assert_eq!(
            s.authorization,
            "x-icims-v1-hmac-sha256 user=apiuser, \
             signedheaders=content-type;host;x-icims-content-sha256;x-icims-date, \
             signature=1ab51de516af71aa5d0d8e0896af7b604e186151e5f184d1b4925320b9c10019"
        );
    }

    #[test]
    fn vector_2_post_search() {
        let url =
            Url::parse("https://api.icims.com/customers/1234/search/applicantworkflows").unwrap();
        let body =
            br#"{"filters":[{"name":"applicantworkflow.status","value":["C12345"],"operator":"="}]}"#;
        let s = sign("post", &url, body, "apiuser", "secretkey", vector_date());
        assert_eq!(
            s.content_sha256,
            "b92040655b4de60f92efb95a1fb99634b17200f52f321a7ac365c4c3355ad1c1"
        );
        let lines: Vec<&str> = s.canonical_request.split('\n').collect();
        assert_eq!(lines.len(), 9);
        assert_eq!(lines[0], "POST");
        assert_eq!(lines[1], "/customers/1234/search/applicantworkflows");
        assert_eq!(lines[2], "", "no query → empty third line");
        assert_eq!(
            sha256_hex(s.canonical_request.as_bytes()),
            "4c39d1bd16a16c53613e1617e195992a345e4747b3270358d59beb6238b2aa58"
        );
        assert!(s.authorization.ends_with(
            "signature=273e6c846df284a1bed2f54c49a80197fd0bc1681348b4571a29b5bd6d78d6ee"
        ));
    }

    #[test]
    fn date_is_converted_to_utc() {
        let d = datetime!(2024-01-15 14:00:00 +02:00);
        assert_eq!(format_date(d), "2024-01-15T12:00:00Z");
    }

    #[test]
    fn host_carries_only_non_default_ports() {
        let h = |u: &str| host_header_value(&Url::parse(u).unwrap());
        assert_eq!(h("https://api.icims.com:443/x"), "api.icims.com");
        assert_eq!(h("https://api.icims.com/x"), "api.icims.com");
        assert_eq!(h("http://127.0.0.1:8123/x"), "127.0.0.1:8123");
        assert_eq!(h("http://localhost/x"), "localhost");
        assert_eq!(h("http://[::1]:9000/x"), "[::1]:9000");
    }

    #[test]
    fn debug_hides_authorization() {
        let url = Url::parse("https://api.icims.com/customers/1/people/2").unwrap();
        let s = sign("GET", &url, b"", "u", "k", vector_date());
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("signature="), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn different_key_gives_different_signature() {
        let url = Url::parse("https://api.icims.com/customers/1/people/2").unwrap();
        let a = sign("GET", &url, b"", "u", "k1", vector_date());
        let b = sign("GET", &url, b"", "u", "k2", vector_date());
        assert_ne!(a.authorization, b.authorization);
    }
}
