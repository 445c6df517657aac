//! The crate's error type and the mapping from iCIMS error replies (`docs/icims-api.md` §7).

use serde::Deserialize;

use crate::assumptions;
use crate::model::de;
use crate::page;

/// The largest reply body the client reads, in bytes: 16 MiB.
///
/// iCIMS's largest real replies are search pages of up to 1,000 workflow ids (about 100 bytes
/// each with its `self` link: some 100 KiB) and person records with the requested fields
/// (a few KiB, more with long addresses or many phone numbers). 16 MiB leaves a wide margin
/// while keeping a broken proxy, a wrong address or a hostile server from filling memory. A
/// larger reply is refused with [`Error::ReplyTooLarge`] (or, for an error status, mapped from
/// the status and `X-Error` headers alone) as soon as its `Content-Length` or the bytes read so
/// far pass this limit.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The most characters of one text from iCIMS's replies (one `errorMessage`, an `X-Error`
/// header, a decoding problem) kept in an [`Error`]; longer texts are cut and end in "…".
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The most `errors[]` messages of one reply kept in an [`Error`]; when iCIMS sent more, the
/// message ends in "and N more".
pub const MAX_MESSAGES_KEPT: usize = 10;

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to iCIMS.
///
/// No variant ever carries the HMAC key or the `Authorization` header's signature: every text
/// taken from a reply is scrubbed of both, and bounded, before it becomes a message (one place:
/// `scrub` in this module).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HTTP 401 (or 403): iCIMS refused the username/key/signature.
    #[error(
        "iCIMS refused the credentials ({message}). Check the customer id, username and HMAC key, \
         that this computer's clock is correct, and that the integration user may connect from \
         this network."
    )]
    BadCredentials {
        /// iCIMS's own message, or the HTTP reason when it sent none.
        message: String,
    },

    /// HTTP 404: no such record, or the integration user may not see it (errorCode 3, access
    /// denied, is also a 404).
    #[error(
        "iCIMS found no such record, or the integration user is not allowed to see it \
         ({message}{}). Check the id and the integration user's security rules in iCIMS.",
        code_suffix(*.code)
    )]
    NotFound {
        /// iCIMS's message.
        message: String,
        /// iCIMS `errorCode` (2 = not found, 3 = access denied).
        code: Option<i64>,
    },

    /// HTTP 429: the daily request budget is used up (status unverified, see
    /// [`assumptions::RATE_LIMITED_STATUS`]).
    #[error(
        "The iCIMS daily API request limit is used up{}. Wait until it resets (midnight UTC) or \
         ask iCIMS for a larger limit.",
        reset_text(*.reset_secs)
    )]
    RateLimited {
        /// Seconds until the budget resets, when iCIMS said.
        reset_secs: Option<u64>,
    },

    /// HTTP 5xx.
    #[error(
        "iCIMS had an internal problem (HTTP {status}: {message}). Try again later; if it keeps \
         happening, contact iCIMS support."
    )]
    Server {
        /// HTTP status.
        status: u16,
        /// iCIMS's message, or the HTTP reason.
        message: String,
    },

    /// HTTP 400: the request was malformed or named an unknown field/filter.
    #[error(
        "iCIMS rejected the request as invalid ({message}{}). Check the configured statuses and \
         field names, and that the integration user is in the Integration User group.",
        code_suffix(*.code)
    )]
    BadRequest {
        /// iCIMS's message.
        message: String,
        /// iCIMS `errorCode`.
        code: Option<i64>,
    },

    /// Any other non-success HTTP status.
    #[error("iCIMS answered with an unexpected HTTP status {status} ({message}).")]
    UnexpectedStatus {
        /// HTTP status.
        status: u16,
        /// iCIMS's message, or the HTTP reason.
        message: String,
    },

    /// The request could not be completed: DNS, connect, TLS, timeout, connection reset.
    #[error("{}{message}. {}", transport_lead(*.timed_out), transport_hint(*.may_have_reached_server))]
    Transport {
        /// What failed, from the HTTP stack.
        message: String,
        /// The configured timeout elapsed.
        timed_out: bool,
        /// `false` only when the connection was never made, so iCIMS cannot have seen the request.
        may_have_reached_server: bool,
    },

    /// The settings are unusable (bad customer id, plain-http non-loopback URL, ...).
    #[error("Invalid iCIMS settings: {0}")]
    InvalidConfig(String),

    /// A success reply larger than [`MAX_BODY_BYTES`]: the client stopped reading it.
    #[error(
        "iCIMS sent a reply larger than {} MiB; stopped reading it. iCIMS's replies are \
         normally far smaller, so trying again will not help: check the iCIMS address, and \
         report this with the log file if it keeps happening.",
        .limit / (1024 * 1024)
    )]
    ReplyTooLarge {
        /// HTTP status of the reply (a 2xx).
        status: u16,
        /// The limit that was passed, in bytes ([`MAX_BODY_BYTES`]).
        limit: usize,
    },

    /// A success reply that is a web page (HTML), not the API: the address points at a website
    /// (a login page, a company site) rather than iCIMS's API host. Only the page's title is
    /// kept, cut to [`crate::MAX_SNIPPET_CHARS`] characters. Error statuses with an HTML
    /// body keep their own variant ([`Error::Server`] for 5xx, retried as before) with a
    /// message saying it was a web page.
    #[error(
        "The iCIMS address answered with a web page{}, not the iCIMS API (HTTP {status}). Check \
         the iCIMS region and address in the connection settings: without an address, the \
         region's API host is used (api.icims.com or api-eu.icims.com).",
        page::titled(.title.as_deref())
    )]
    WebPage {
        /// HTTP status of the reply (a 2xx).
        status: u16,
        /// The page's `<title>`, short, when it had one.
        title: Option<String>,
    },

    /// A redirect (3xx). Redirects are never followed, so the signed request (and its
    /// `Authorization` header) never goes to the other address.
    #[error(
        "The iCIMS address answered with a redirect (HTTP {status}){}. It was not followed, so \
         the signed request was not sent there. Check the iCIMS region and address in the \
         connection settings.",
        redirect_target(.location.as_deref())
    )]
    Redirected {
        /// HTTP status of the reply (3xx).
        status: u16,
        /// Where it pointed (`Location`), short, when it said.
        location: Option<String>,
    },

    /// A success reply with no body where a record or a search result was expected: most
    /// likely a proxy or gateway that cut it, so it counts as transient.
    #[error(
        "iCIMS answered the request for the {what} with an empty reply (HTTP {status}). Try \
         again later; if it keeps happening, check the iCIMS address and report it with the log \
         file."
    )]
    EmptyReply {
        /// HTTP status of the reply (a 2xx).
        status: u16,
        /// What was asked for, e.g. "record of person 12".
        what: String,
    },

    /// A success reply whose body could not be understood, or a protocol violation.
    #[error(
        "iCIMS sent a reply this app could not understand ({message}). iCIMS may have changed its \
         API; please report this with the log file."
    )]
    Decode {
        /// What was wrong.
        message: String,
    },

    /// One record's reply was understood except for one field of the wrong type (e.g. a
    /// person's `addresses` an object instead of a list): the record cannot be used, but other
    /// records can.
    #[error("iCIMS's {what} could not be read: {field}: {problem}. Correct it in iCIMS.")]
    Unreadable {
        /// "person 1234".
        what: String,
        /// Path of the field in the reply, e.g. `addresses` or `addresses[0].addresscity`.
        field: String,
        /// In plain words, e.g. "expected a list, got an object".
        problem: String,
    },
}

impl Error {
    /// A stable, machine-readable name of the variant, for callers that branch or log.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadCredentials { .. } => "bad_credentials",
            Error::NotFound { .. } => "not_found",
            Error::RateLimited { .. } => "rate_limited",
            Error::Server { .. } => "server",
            Error::BadRequest { .. } => "bad_request",
            Error::UnexpectedStatus { .. } => "unexpected_status",
            Error::Transport { .. } => "transport",
            Error::InvalidConfig(_) => "invalid_config",
            Error::ReplyTooLarge { .. } => "reply_too_large",
            Error::WebPage { .. } => "web_page",
            Error::Redirected { .. } => "redirected",
            Error::EmptyReply { .. } => "empty_reply",
            Error::Decode { .. } => "decode",
            Error::Unreadable { .. } => "unreadable",
        }
    }

    /// iCIMS's numeric `errorCode`, when the reply carried one.
    pub fn icims_error_code(&self) -> Option<i64> {
        match self {
            Error::NotFound { code, .. } | Error::BadRequest { code, .. } => *code,
            _ => None,
        }
    }

    /// The HTTP status of the reply, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::BadCredentials { .. } => Some(401),
            Error::NotFound { .. } => Some(404),
            Error::RateLimited { .. } => Some(assumptions::RATE_LIMITED_STATUS),
            Error::Server { status, .. }
            | Error::UnexpectedStatus { status, .. }
            | Error::ReplyTooLarge { status, .. }
            | Error::WebPage { status, .. }
            | Error::Redirected { status, .. }
            | Error::EmptyReply { status, .. } => Some(*status),
            Error::BadRequest { .. } => Some(400),
            Error::Transport { .. }
            | Error::InvalidConfig(_)
            | Error::Decode { .. }
            | Error::Unreadable { .. } => None,
        }
    }

    /// Whether the same request may succeed later without any change (5xx, transport failures,
    /// an empty success reply). A rate-limited request only succeeds after the reset.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Server { .. } | Error::Transport { .. } | Error::EmptyReply { .. }
        )
    }

    /// `true` for 404 with errorCode 3 (RESOURCE_ACCESS_DENIED): the record exists but the
    /// integration user may not see it.
    pub fn is_access_denied(&self) -> bool {
        matches!(self, Error::NotFound { code: Some(3), .. })
    }
}

fn code_suffix(code: Option<i64>) -> String {
    code.map(|c| format!(", iCIMS error code {c}"))
        .unwrap_or_default()
}

fn reset_text(reset_secs: Option<u64>) -> String {
    match reset_secs {
        Some(s) if s >= 120 => format!("; it resets in about {} minutes", s.div_ceil(60)),
        Some(s) => format!("; it resets in about {s} seconds"),
        None => String::new(),
    }
}

fn redirect_target(location: Option<&str>) -> String {
    location
        .map(|l| format!(" to {}", page::quote(l)))
        .unwrap_or_default()
}

fn transport_lead(timed_out: bool) -> &'static str {
    if timed_out {
        "iCIMS did not answer in time: "
    } else {
        "Could not reach iCIMS: "
    }
}

fn transport_hint(may_have_reached_server: bool) -> &'static str {
    if may_have_reached_server {
        "Check the network connection and try again (the request may have reached iCIMS)."
    } else {
        "Check the network connection, proxy and firewall, and try again (the request was not sent)."
    }
}

/// One entry of iCIMS's `errors` / `warnings` arrays.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct ApiMessage {
    #[serde(rename = "errorMessage", default, deserialize_with = "de::opt_string")]
    pub message: Option<String>,
    #[serde(rename = "errorCode", default, deserialize_with = "de::opt_i64")]
    pub code: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default, deserialize_with = "de::vec_or_null")]
    errors: Vec<ApiMessage>,
}

/// Parses `{"errors":[{"errorMessage":..,"errorCode":..}]}`; empty when the body is not that.
pub(crate) fn body_errors(body: &[u8]) -> Vec<ApiMessage> {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.errors)
        .unwrap_or_default()
}

/// Parses `X-Error: code:message` header values (`docs/icims-api.md` §7).
pub(crate) fn header_errors<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<ApiMessage> {
    values
        .into_iter()
        .map(|v| match v.split_once(':') {
            Some((code, msg)) if code.trim().parse::<i64>().is_ok() => ApiMessage {
                message: Some(msg.trim().to_owned()),
                code: code.trim().parse().ok(),
            },
            _ => ApiMessage {
                message: Some(v.trim().to_owned()),
                code: None,
            },
        })
        .collect()
}

/// The parts of a failed reply that matter for mapping it to an [`Error`].
#[derive(Debug, Clone, Default)]
pub(crate) struct FailedReply<'a> {
    pub status: u16,
    pub reason: &'a str,
    pub x_errors: Vec<&'a str>,
    pub body: &'a [u8],
    pub reset_secs: Option<u64>,
    /// The body is a web page (HTML), not iCIMS's JSON (see [`crate::page::is_web_page`]).
    pub web_page: bool,
}

/// Maps a non-success reply to an [`Error`]. Every message taken from the reply is scrubbed of
/// `key` and any signature (should a server echo them) and bounded: at most
/// [`MAX_MESSAGES_KEPT`] messages of at most [`MAX_MESSAGE_CHARS`] characters each.
pub(crate) fn from_reply(reply: &FailedReply<'_>, key: &str) -> Error {
    // The key goes before any part of the body is cut short (a page title, a snippet), so
    // that no piece of it survives the cut.
    let cut_body = without_key(reply.body, key);
    let mut messages = body_errors(reply.body);
    if messages.iter().all(|m| m.message.is_none()) {
        messages = header_errors(reply.x_errors.iter().copied());
    }
    let code = messages.iter().find_map(|m| m.code);
    let text: Vec<&str> = messages
        .iter()
        .filter_map(|m| m.message.as_deref())
        .filter(|m| !m.is_empty())
        .collect();
    let message = if !text.is_empty() {
        let mut kept: Vec<String> = text
            .iter()
            .take(MAX_MESSAGES_KEPT)
            .map(|m| scrub((*m).to_owned(), key))
            .collect();
        if text.len() > MAX_MESSAGES_KEPT {
            kept.push(format!("and {} more", text.len() - MAX_MESSAGES_KEPT));
        }
        kept.join("; ")
    } else if reply.web_page {
        scrub(
            format!(
                "the address answered with a web page{}, not the iCIMS API — check the iCIMS \
                 region and address in the connection settings",
                page::titled(page::title(&cut_body).as_deref())
            ),
            key,
        )
    } else {
        scrub(
            body_snippet(&cut_body)
                .unwrap_or_else(|| format!("HTTP {} {}", reply.status, reply.reason)),
            key,
        )
    };

    match reply.status {
        s if s == assumptions::RATE_LIMITED_STATUS => Error::RateLimited {
            reset_secs: reply.reset_secs,
        },
        s if assumptions::is_credentials_status(s) => Error::BadCredentials { message },
        404 => Error::NotFound { message, code },
        400 => Error::BadRequest { message, code },
        s if (500..600).contains(&s) => Error::Server { status: s, message },
        s => Error::UnexpectedStatus { status: s, message },
    }
}

/// Text that came from the wire or the HTTP stack, fit for an [`Error`] or a log line: without
/// `key`, without the hex after any `signature=` (the `Authorization` header, should a server
/// echo it), and at most [`MAX_MESSAGE_CHARS`] characters. The one place where this happens.
pub(crate) fn scrub(mut text: String, key: &str) -> String {
    if !key.is_empty() {
        if text.contains(key) {
            text = text.replace(key, "<redacted>");
        }
        // As serde and JSON quote it, should the key hold `"` or `\`.
        let quoted = serde_json::to_string(key).unwrap_or_default();
        let escaped = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or_default();
        if !escaped.is_empty() && escaped != key && text.contains(escaped) {
            text = text.replace(escaped, "<redacted>");
        }
    }
    const MARK: &str = "signature=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(pos) = rest.find(MARK) {
        let after = &rest[pos + MARK.len()..];
        let hex_len = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        out.push_str(&rest[..pos + MARK.len()]);
        out.push_str("<redacted>");
        rest = &after[hex_len..];
    }
    out.push_str(rest);
    bound(out)
}

/// At most [`MAX_MESSAGE_CHARS`] characters, the last one "…" when the text was cut, on a char
/// boundary (so a bounded text stays as it is when bounded again).
fn bound(text: String) -> String {
    if text.char_indices().nth(MAX_MESSAGE_CHARS).is_none() {
        return text;
    }
    let cut = text
        .char_indices()
        .nth(MAX_MESSAGE_CHARS - 1)
        .map_or(text.len(), |(at, _)| at);
    format!("{}…", &text[..cut])
}

/// `body` with every occurrence of `key` replaced by `<redacted>`.
pub(crate) fn without_key<'b>(body: &'b [u8], key: &str) -> std::borrow::Cow<'b, [u8]> {
    let key = key.as_bytes();
    if key.is_empty() || !body.windows(key.len()).any(|w| w == key) {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while !rest.is_empty() {
        if rest.starts_with(key) {
            out.extend_from_slice(b"<redacted>");
            rest = &rest[key.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A short, single-line piece of a non-JSON text body, for messages.
fn body_snippet(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.is_empty() || text.starts_with('{') || text.starts_with('<') {
        return None;
    }
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, x_errors: Vec<&str>, body: &str) -> Error {
        from_reply(
            &FailedReply {
                status,
                reason: "Reason",
                x_errors,
                body: body.as_bytes(),
                reset_secs: Some(60),
                web_page: body.trim_start().starts_with('<'),
            },
            "",
        )
    }

    #[test]
    fn maps_401_body_to_bad_credentials() {
        let e = map(
            401,
            vec![],
            r#"{"errors":[{"errorMessage":"Invalid Username or Password credentials provided.","errorCode":6}]}"#,
        );
        assert_eq!(
            e,
            Error::BadCredentials {
                message: "Invalid Username or Password credentials provided.".into()
            }
        );
        assert!(e.to_string().contains("HMAC key"));
    }

    #[test]
    fn maps_404_x_error_header_to_not_found() {
        let e = map(404, vec!["2:Job not found."], "");
        assert_eq!(
            e,
            Error::NotFound {
                message: "Job not found.".into(),
                code: Some(2)
            }
        );
        assert!(!e.is_access_denied());
        let e = map(
            404,
            vec![],
            r#"{"errors":[{"errorMessage":"Access denied","errorCode":"3"}]}"#,
        );
        assert!(e.is_access_denied(), "{e:?}");
        assert_eq!(e.icims_error_code(), Some(3));
    }

    #[test]
    fn body_wins_over_header_and_messages_join() {
        let e = map(
            400,
            vec!["1:from header"],
            r#"{"errors":[{"errorMessage":"a","errorCode":1},{"errorMessage":"b","errorCode":1}]}"#,
        );
        assert_eq!(
            e,
            Error::BadRequest {
                message: "a; b".into(),
                code: Some(1)
            }
        );
    }

    #[test]
    fn maps_other_statuses() {
        assert_eq!(
            map(429, vec![], ""),
            Error::RateLimited {
                reset_secs: Some(60)
            }
        );
        assert_eq!(
            map(503, vec![], "Service Unavailable"),
            Error::Server {
                status: 503,
                message: "Service Unavailable".into()
            }
        );
        assert_eq!(
            map(500, vec![], "<html>oops</html>"),
            Error::Server {
                status: 500,
                message: "the address answered with a web page, not the iCIMS API — check \
                          the iCIMS region and address in the connection settings"
                    .into()
            }
        );
        assert_eq!(
            map(500, vec![], "Service Unavailable"),
            Error::Server {
                status: 500,
                message: "Service Unavailable".into()
            }
        );
        assert!(matches!(map(403, vec![], ""), Error::BadCredentials { .. }));
        assert_eq!(map(505, vec![], "").code(), "server");
        assert_eq!(map(409, vec![], "").http_status(), Some(409));
    }

    #[test]
    fn x_error_without_code_is_kept_as_message() {
        let e = map(400, vec!["something odd"], "");
        assert_eq!(
            e,
            Error::BadRequest {
                message: "something odd".into(),
                code: None
            }
        );
    }

    #[test]
    fn scrub_is_applied() {
        let e = from_reply(
            &FailedReply {
                status: 401,
                reason: "Unauthorized",
                x_errors: vec![],
                body: br#"{"errors":[{"errorMessage":"bad key TOPSECRET","errorCode":9}]}"#,
                reset_secs: None,
                web_page: false,
            },
            "TOPSECRET",
        );
        assert!(!e.to_string().contains("TOPSECRET"));
        assert!(e.to_string().contains("<redacted>"));
    }

    #[test]
    fn display_texts_are_plain() {
        assert_eq!(
            Error::RateLimited {
                reset_secs: Some(3600)
            }
            .to_string(),
            "The iCIMS daily API request limit is used up; it resets in about 60 minutes. Wait \
             until it resets (midnight UTC) or ask iCIMS for a larger limit."
        );
        let t = Error::Transport {
            message: "connection refused".into(),
            timed_out: false,
            may_have_reached_server: false,
        };
        assert_eq!(
            t.to_string(),
            "Could not reach iCIMS: connection refused. Check the network connection, proxy and \
             firewall, and try again (the request was not sent)."
        );
        assert!(t.is_transient());
    }

    #[test]
    fn scrub_removes_key_and_signature() {
        let s = scrub(
            "echo: Authorization: x-icims-v1-hmac-sha256 user=u, signedheaders=h, \
             signature=1ab51de516af71aa5d0d8e0896af7b604e186151e5f184d1b4925320b9c10019 key=TOPSECRETKEY"
                .into(),
            "TOPSECRETKEY",
        );
        assert!(!s.contains("TOPSECRETKEY"), "{s}");
        assert!(!s.contains("1ab51de5"), "{s}");
        assert!(s.contains("signature=<redacted>"), "{s}");
    }
}
