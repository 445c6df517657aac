//! Response metadata: rate-limit headers and the server clock (`docs/icims-api.md` §6, §2.4).

use reqwest::header::HeaderMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// A value read from iCIMS together with what the response said about the budget and clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<T> {
    /// The decoded value.
    pub value: T,
    /// `x-ratelimit-*` headers, `None` when none was present.
    pub rate_limit: Option<RateLimit>,
    /// The server's `Date` header, for measuring clock skew (HMAC dates must be accurate).
    pub server_date: Option<OffsetDateTime>,
}

impl<T> Reply<T> {
    /// Replaces the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            value: f(self.value),
            rate_limit: self.rate_limit,
            server_date: self.server_date,
        }
    }
}

/// The daily request budget as reported by `x-ratelimit-limit/-remaining/-reset`
/// (`docs/icims-api.md` §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RateLimit {
    /// Requests allowed per window (day).
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// Seconds until the window resets (00:00 UTC).
    pub reset_secs: Option<u64>,
}

/// Reads the `x-ratelimit-*` headers; `None` when none of them is present and parseable.
pub fn rate_limit(headers: &HeaderMap) -> Option<RateLimit> {
    let rl = RateLimit {
        limit: header_u64(headers, "x-ratelimit-limit"),
        remaining: header_u64(headers, "x-ratelimit-remaining"),
        reset_secs: header_u64(headers, "x-ratelimit-reset"),
    };
    (rl != RateLimit::default()).then_some(rl)
}

/// Reads the HTTP `Date` header (`Tue, 15 Jan 2024 12:00:00 GMT`).
pub fn server_date(headers: &HeaderMap) -> Option<OffsetDateTime> {
    let v = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    OffsetDateTime::parse(v.trim(), &Rfc2822).ok()
}

/// A header parsed as a non-negative integer.
pub fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use time::macros::datetime;

    #[test]
    fn parses_rate_limit_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(rate_limit(&h), None);
        h.insert("x-ratelimit-limit", HeaderValue::from_static("20000"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static(" 19902"));
        h.insert("x-ratelimit-reset", HeaderValue::from_static("9299"));
        assert_eq!(
            rate_limit(&h),
            Some(RateLimit {
                limit: Some(20000),
                remaining: Some(19902),
                reset_secs: Some(9299)
            })
        );
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("lots"));
        assert_eq!(rate_limit(&h).unwrap().remaining, None);
    }

    #[test]
    fn parses_http_date() {
        let mut h = HeaderMap::new();
        h.insert(
            "date",
            HeaderValue::from_static("Mon, 15 Jan 2024 21:25:01 GMT"),
        );
        assert_eq!(server_date(&h), Some(datetime!(2024-01-15 21:25:01 UTC)));
        h.insert("date", HeaderValue::from_static("yesterday"));
        assert_eq!(server_date(&h), None);
    }
}
