//! The vendor side of `x-icims-v1-hmac-sha256` (`docs/icims-api.md` §2): rebuild the
//! canonical request from what was *received* and check the signature, body hash, user and
//! date.
//!
//! Written independently of the `icims` client crate on purpose; the test vectors of
//! `docs/icims-api.md` §2.5 are checked below against this code.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use super::assumptions;

pub(crate) const ALGORITHM: &str = "x-icims-v1-hmac-sha256";

/// Why a request was refused. The reason strings go to debug logs only, never to the client
/// (which gets the bodies of [`assumptions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// Generic "Authentication credentials invalid" (missing/garbled header, wrong user,
    /// wrong signed-header set, bad signature, unparseable date).
    Invalid(&'static str),
    /// `x-icims-content-sha256` is not the SHA-256 of the received body.
    BodyHash,
    /// `x-icims-date` is further from the server clock than the tolerance.
    ClockSkew,
}

impl AuthError {
    pub(crate) fn message(&self) -> &'static str {
        match self {
            AuthError::Invalid(_) => assumptions::AUTH_INVALID_MESSAGE,
            AuthError::BodyHash => assumptions::BODY_HASH_MESSAGE,
            AuthError::ClockSkew => assumptions::CLOCK_SKEW_MESSAGE,
        }
    }
}

/// The parsed `Authorization` header value.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Authorization<'a> {
    pub user: &'a str,
    pub signed_headers: &'a str,
    pub signature: &'a str,
}

/// `x-icims-v1-hmac-sha256 user=U, signedheaders=a;b, signature=HEX`; components may be
/// separated by `,` or `, ` (both are seen in the wild, `docs/icims-api.md` §2.3).
pub(crate) fn parse_authorization(value: &str) -> Option<Authorization<'_>> {
    let rest = value.strip_prefix(ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut user, mut signed_headers, mut signature) = (None, None, None);
    for component in rest.split(',') {
        let (key, val) = component.trim().split_once('=')?;
        let slot = match key {
            "user" => &mut user,
            "signedheaders" => &mut signed_headers,
            "signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(val).is_some() {
            return None;
        }
    }
    Some(Authorization {
        user: user?,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

/// Canonical request (`docs/icims-api.md` §2.2, step 5): METHOD, path, raw query, `name:value`
/// lines in signed order, an empty line, the signed-header list. No payload line, no trailing
/// newline.
pub(crate) fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed_headers: &str,
) -> String {
    let canonical_headers: Vec<String> = headers.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    [
        method,
        path,
        query,
        &canonical_headers.join("\n"),
        "",
        signed_headers,
    ]
    .join("\n")
}

/// String to sign (`docs/icims-api.md` §2.2, step 6).
pub(crate) fn string_to_sign(date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{date}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

fn mac(key: &str, string_to_sign: &str) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    mac
}

/// Constant-time check of a 64-hex-digit signature.
pub(crate) fn signature_matches(key: &str, string_to_sign: &str, signature_hex: &str) -> bool {
    if signature_hex.len() != 64 || signature_hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return false;
    }
    match hex::decode(signature_hex) {
        Ok(sig) => mac(key, string_to_sign).verify_slice(&sig).is_ok(),
        Err(_) => false,
    }
}

/// `x-icims-date`: `2024-01-15T12:00:00Z` as the proven client sends it; any RFC 3339
/// instant, and the `+0000` offset form iCIMS itself uses for outbound events
/// (`docs/icims-api.md` §2.4).
pub(crate) fn parse_date(value: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        return Some(t);
    }
    let compact = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(value, &compact).ok()
}

/// What the server received, as raw as HTTP allows.
pub(crate) struct Received<'a> {
    pub method: &'a str,
    /// Path exactly as on the request line (not percent-decoded).
    pub path: &'a str,
    /// Raw query without `?`, `""` if none.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// What the server expects.
pub(crate) struct Expected<'a> {
    pub username: &'a str,
    pub key: &'a str,
    pub clock_skew_tolerance: std::time::Duration,
    pub now: OffsetDateTime,
}

/// Verifies a request. On success returns the user name.
pub(crate) fn verify<'a>(
    req: &Received<'a>,
    expected: &Expected<'_>,
) -> Result<&'a str, AuthError> {
    let header = |name: &str| -> Result<&'a str, AuthError> {
        let mut values = req.headers.get_all(name).iter();
        let value = values.next().ok_or(AuthError::Invalid("missing header"))?;
        if values.next().is_some() {
            return Err(AuthError::Invalid("repeated header"));
        }
        value
            .to_str()
            .map_err(|_| AuthError::Invalid("header is not visible ASCII"))
    };
    let auth = parse_authorization(header("authorization")?)
        .ok_or(AuthError::Invalid("malformed authorization"))?;
    if auth.user != expected.username {
        return Err(AuthError::Invalid("unknown user"));
    }
    if auth.signed_headers != assumptions::SIGNED_HEADERS {
        return Err(AuthError::Invalid(
            "signedheaders is not the required four-header set",
        ));
    }
    let signed: Vec<(&str, &str)> = auth
        .signed_headers
        .split(';')
        .map(|name| header(name).map(|v| (name, v)))
        .collect::<Result<_, _>>()?;
    let canonical = canonical_request(
        req.method,
        req.path,
        req.query,
        &signed,
        auth.signed_headers,
    );
    let date = header("x-icims-date")?;
    if !signature_matches(
        expected.key,
        &string_to_sign(date, &canonical),
        auth.signature,
    ) {
        return Err(AuthError::Invalid("signature mismatch"));
    }
    if header("x-icims-content-sha256")? != hex::encode(Sha256::digest(req.body)) {
        return Err(AuthError::BodyHash);
    }
    let sent = parse_date(date).ok_or(AuthError::Invalid("unparseable x-icims-date"))?;
    if (expected.now - sent).unsigned_abs() > expected.clock_skew_tolerance {
        return Err(AuthError::ClockSkew);
    }
    Ok(auth.user)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use time::macros::datetime;

    const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const DATE: &str = "2024-01-15T12:00:00Z";
    const SIGNED: &str = "content-type;host;x-icims-content-sha256;x-icims-date";

    struct Vector {
        method: &'static str,
        path: &'static str,
        query: &'static str,
        body: &'static str,
        content_sha: &'static str,
        canonical_sha: &'static str,
        signature: &'static str,
    }

    /// The test vectors of `docs/icims-api.md` §2.5 (key `secretkey`, user `apiuser`, host
    /// `api.icims.com`).
    const VECTORS: [Vector; 2] = [
        Vector {
            method: "GET",
            path: "/customers/1234/people/5678",
            query: "fields=firstname%2Clastname%2Cemail",
            body: "",
            content_sha: EMPTY_SHA,
            canonical_sha: "b9c1e61dffb455e1ce6752bccb8e12fad8fca8805b8b5009caad7b6f46e0734d",
            signature: "1ab51de516af71aa5d0d8e0896af7b604e186151e5f184d1b4925320b9c10019",
        },
        Vector {
            method: "POST",
            path: "/customers/1234/search/applicantworkflows",
            query: "",
            body: r#"{"filters":[{"name":"applicantworkflow.status","value":["C12345"],"operator":"="}]}"#,
            content_sha: "b92040655b4de60f92efb95a1fb99634b17200f52f321a7ac365c4c3355ad1c1",
            canonical_sha: "4c39d1bd16a16c53613e1617e195992a345e4747b3270358d59beb6238b2aa58",
            signature: "273e6c846df284a1bed2f54c49a80197fd0bc1681348b4571a29b5bd6d78d6ee",
        },
    ];

    fn headers(v: &Vector, authorization: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        h.insert("host", HeaderValue::from_static("api.icims.com"));
        h.insert(
            "x-icims-content-sha256",
            HeaderValue::from_static(v.content_sha),
        );
        h.insert("x-icims-date", HeaderValue::from_static(DATE));
        h.insert(
            "authorization",
            HeaderValue::from_str(authorization).unwrap(),
        );
        h
    }

    fn expected(now: OffsetDateTime) -> Expected<'static> {
        Expected {
            username: "apiuser",
            key: "secretkey",
            clock_skew_tolerance: std::time::Duration::from_secs(900),
            now,
        }
    }

    fn auth_value(signature: &str, sep: &str) -> String {
        format!(
            "x-icims-v1-hmac-sha256 user=apiuser{sep}signedheaders={SIGNED}{sep}signature={signature}"
        )
    }

    #[test]
    fn reference_vectors_canonical_request_and_signature() {
        for v in &VECTORS {
            assert_eq!(
                hex::encode(Sha256::digest(v.body.as_bytes())),
                v.content_sha
            );
            let canonical = canonical_request(
                v.method,
                v.path,
                v.query,
                &[
                    ("content-type", "application/json"),
                    ("host", "api.icims.com"),
                    ("x-icims-content-sha256", v.content_sha),
                    ("x-icims-date", DATE),
                ],
                SIGNED,
            );
            // 3 request lines, 4 header lines, an empty line, the signed-header list.
            assert_eq!(canonical.split('\n').count(), 9);
            assert_eq!(canonical.split('\n').nth(7), Some(""));
            assert_eq!(
                hex::encode(Sha256::digest(canonical.as_bytes())),
                v.canonical_sha,
                "{}",
                v.path
            );
            let sts = string_to_sign(DATE, &canonical);
            assert_eq!(
                sts,
                format!("x-icims-v1-hmac-sha256\n{DATE}\n{}", v.canonical_sha)
            );
            assert_eq!(
                hex::encode(mac("secretkey", &sts).finalize().into_bytes()),
                v.signature
            );
            assert!(signature_matches("secretkey", &sts, v.signature));
            assert!(!signature_matches("secretkeY", &sts, v.signature));
        }
    }

    #[test]
    fn reference_vectors_pass_the_full_verifier() {
        let now = datetime!(2024-01-15 12:05:00 UTC);
        for v in &VECTORS {
            for sep in [", ", ","] {
                let h = headers(v, &auth_value(v.signature, sep));
                let req = Received {
                    method: v.method,
                    path: v.path,
                    query: v.query,
                    headers: &h,
                    body: v.body.as_bytes(),
                };
                assert_eq!(
                    verify(&req, &expected(now)),
                    Ok("apiuser"),
                    "{} sep {sep:?}",
                    v.path
                );
            }
        }
    }

    #[test]
    fn verifier_rejections() {
        let now = datetime!(2024-01-15 12:00:00 UTC);
        let v = &VECTORS[1];
        let check = |h: &HeaderMap, method: &str, path: &str, query: &str, body: &str, now| {
            verify(
                &Received {
                    method,
                    path,
                    query,
                    headers: h,
                    body: body.as_bytes(),
                },
                &expected(now),
            )
            .map(|_| ())
        };
        let good = headers(v, &auth_value(v.signature, ", "));
        assert!(check(&good, v.method, v.path, v.query, v.body, now).is_ok());
        // Anything signed that differs on receipt breaks the signature.
        assert!(matches!(
            check(&good, "PUT", v.path, v.query, v.body, now),
            Err(AuthError::Invalid(_))
        ));
        assert!(matches!(
            check(
                &good,
                v.method,
                &v.path.to_uppercase(),
                v.query,
                v.body,
                now
            ),
            Err(AuthError::Invalid(_))
        ));
        assert!(matches!(
            check(&good, v.method, v.path, "staleness=0", v.body, now),
            Err(AuthError::Invalid(_))
        ));
        let mut h = good.clone();
        h.insert("host", HeaderValue::from_static("api.icims.com:443"));
        assert!(matches!(
            check(&h, v.method, v.path, v.query, v.body, now),
            Err(AuthError::Invalid(_))
        ));
        let mut h = good.clone();
        h.insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(matches!(
            check(&h, v.method, v.path, v.query, v.body, now),
            Err(AuthError::Invalid(_))
        ));
        // The body is not signed directly: a different body with the same hash header.
        assert_eq!(
            check(&good, v.method, v.path, v.query, "{}", now),
            Err(AuthError::BodyHash)
        );
        // Clock skew both ways, just inside and just outside 15 minutes.
        assert!(
            check(
                &good,
                v.method,
                v.path,
                v.query,
                v.body,
                datetime!(2024-01-15 12:15:00 UTC)
            )
            .is_ok()
        );
        assert!(
            check(
                &good,
                v.method,
                v.path,
                v.query,
                v.body,
                datetime!(2024-01-15 11:45:00 UTC)
            )
            .is_ok()
        );
        assert_eq!(
            check(
                &good,
                v.method,
                v.path,
                v.query,
                v.body,
                datetime!(2024-01-15 12:15:01 UTC)
            ),
            Err(AuthError::ClockSkew)
        );
        assert_eq!(
            check(
                &good,
                v.method,
                v.path,
                v.query,
                v.body,
                datetime!(2024-01-15 11:44:59 UTC)
            ),
            Err(AuthError::ClockSkew)
        );
        // Wrong user, other signed-header sets, uppercase hex, missing header.
        let other_user = headers(
            v,
            &auth_value(v.signature, ", ").replace("apiuser", "someone"),
        );
        assert!(check(&other_user, v.method, v.path, v.query, v.body, now).is_err());
        let minimal = headers(
            v,
            &auth_value(v.signature, ", ").replace(SIGNED, "host;x-icims-date"),
        );
        assert!(check(&minimal, v.method, v.path, v.query, v.body, now).is_err());
        let upper = headers(v, &auth_value(&v.signature.to_uppercase(), ", "));
        assert!(check(&upper, v.method, v.path, v.query, v.body, now).is_err());
        let mut h = good.clone();
        h.remove("content-type");
        assert_eq!(
            check(&h, v.method, v.path, v.query, v.body, now),
            Err(AuthError::Invalid("missing header"))
        );
    }

    #[test]
    fn authorization_grammar() {
        let a = parse_authorization("x-icims-v1-hmac-sha256 user=u,signedheaders=a;b,signature=ff")
            .unwrap();
        assert_eq!(
            a,
            Authorization {
                user: "u",
                signed_headers: "a;b",
                signature: "ff"
            }
        );
        assert_eq!(
            parse_authorization("x-icims-v1-hmac-sha256 user=u, signedheaders=a;b, signature=ff"),
            Some(a)
        );
        assert!(parse_authorization("Basic dXNlcjpwYXNz").is_none());
        assert!(parse_authorization("x-icims-v1-hmac-sha256 user=u, signedheaders=a").is_none());
        assert!(
            parse_authorization(
                "x-icims-v1-hmac-sha256 user=u, user=v, signedheaders=a, signature=ff"
            )
            .is_none()
        );
        assert!(
            parse_authorization("x-icims-v1-hmac-sha256user=u,signedheaders=a,signature=ff")
                .is_none()
        );
    }

    #[test]
    fn date_formats() {
        let t = datetime!(2017-10-18 14:53:40 UTC);
        assert_eq!(parse_date("2017-10-18T14:53:40Z"), Some(t));
        assert_eq!(parse_date("2017-10-18T14:53:40+0000"), Some(t));
        assert_eq!(parse_date("2017-10-18T16:53:40+02:00"), Some(t));
        assert_eq!(parse_date("Wed, 18 Oct 2017 14:53:40 GMT"), None);
    }
}
