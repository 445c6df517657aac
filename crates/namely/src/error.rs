//! The one error type of this crate. Messages say what happened and what to do, in plain
//! words, and never contain the access token.

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};

use crate::config::ConfigError;
use crate::page;

/// The largest answer body the client reads, in bytes: 16 MiB.
///
/// Namely's largest real answers are pages of `GET /profiles` with 50 profiles of a few
/// hundred fields each (custom fields and links included): well under 1 MiB, and
/// `GET /profiles/fields` of a company with many custom fields is smaller still. 16 MiB leaves
/// a wide margin for companies with unusually many fields while keeping a broken proxy, a
/// wrong address or a hostile server from filling memory. A larger answer is refused with
/// [`Error::AnswerTooLarge`] (or, for an error status, mapped from the status alone) as soon as
/// its `Content-Length` or the bytes read so far pass this limit.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The most characters of one text from Namely's answers (a `message`, one `errors[]` entry,
/// a decoding problem) kept in an [`Error`]; longer texts are cut and end in "…".
pub const MAX_MESSAGE_CHARS: usize = 300;

/// The most `errors[]` entries of a 422 kept in [`Error::Validation`]; when Namely sent more,
/// a last entry says "and N more".
pub const MAX_ERRORS_KEPT: usize = 10;

/// What replaces the access token, or anything that looks like `Bearer <token>`, in texts
/// taken from Namely's answers.
pub(crate) const REDACTED: &str = "[redacted]";

/// Anything that can go wrong talking to Namely.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the token is wrong, expired or revoked.
    #[error(
        "Namely did not accept the access token (HTTP 401): it is wrong, expired or revoked. Sign in again or paste a new personal access token."
    )]
    Unauthorized,

    /// 403: the token's owner is inactive or deleted, or lacks permission for this call.
    #[error(
        "Namely refused the request (HTTP 403): the person who created the token is inactive or lacks permission for this. Use a token made by an active Administrator, for example a dedicated integrations user."
    )]
    Forbidden,

    /// 404 (or an unknown company): Namely's own `message` is kept.
    #[error("Namely could not find it (HTTP 404): {message}")]
    NotFound {
        /// Namely's `message`, or our explanation.
        message: String,
    },

    /// 422: Namely rejected the data; its `message` and `errors[]` are kept.
    #[error("Namely rejected the data (HTTP 422): {}. Correct the data and try again.", validation_text(.message, .errors))]
    Validation {
        /// Namely's `message`, e.g. "error creating profile".
        message: String,
        /// Namely's `errors`, e.g. `["first_name is a required field"]`.
        errors: Vec<String>,
    },

    /// Still throttled (406 on a GET, or 429) after the configured number of retries.
    #[error(
        "Namely is limiting requests (at most 100 profile reads per minute) and still refused after waiting and retrying. Wait a minute or two, then try again."
    )]
    Throttled,

    /// 5xx. A write that got this may still have been applied.
    #[error("Namely had a server error (HTTP {status}): {message}. {advice}", advice = AFTER_AMBIGUOUS_WRITE)]
    Server {
        /// The HTTP status.
        status: StatusCode,
        /// Namely's `message`, or a short description.
        message: String,
    },

    /// Any other unexpected HTTP status (e.g. 400, 409, a redirect).
    #[error("Namely answered with an unexpected status (HTTP {status}): {message}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// Namely's `message`, or a short description.
        message: String,
    },

    /// The request failed on the network: no connection, TLS failure, timeout, connection cut.
    #[error("{}", transport_text(.message, *.timed_out, *.may_have_reached_server))]
    Transport {
        /// What failed, without the URL or any credential.
        message: String,
        /// The configured timeout expired.
        timed_out: bool,
        /// The request may have reached Namely (the connection was up when it failed), so a
        /// write may have been applied.
        may_have_reached_server: bool,
    },

    /// The connection settings are not usable.
    #[error("The Namely connection settings are not valid: {0}")]
    InvalidConfig(#[from] ConfigError),

    /// The request was not sent because what we were asked to send is malformed.
    #[error("This cannot be sent to Namely: {message}")]
    InvalidInput {
        /// What is wrong with the input.
        message: String,
    },

    /// A successful answer was larger than [`MAX_BODY_BYTES`]; the client stopped reading it.
    /// After a write (POST/PUT) Namely has most likely applied it: see
    /// [`Error::may_have_been_applied`].
    #[error(
        "Namely sent an answer larger than {} MiB; stopped reading it. {}",
        .limit / (1024 * 1024),
        if *.write { AFTER_AMBIGUOUS_WRITE } else { AFTER_TOO_LARGE_READ }
    )]
    AnswerTooLarge {
        /// The HTTP status of the answer (a 2xx).
        status: StatusCode,
        /// The limit that was passed, in bytes ([`MAX_BODY_BYTES`]).
        limit: usize,
        /// The request was a write (POST/PUT), which Namely may have applied.
        write: bool,
    },

    /// A successful answer that is a web page (HTML), not the API: the company name or API
    /// address points at a website (a login page, a company site) rather than Namely's API.
    /// Only the page's title is kept, cut to [`crate::MAX_SNIPPET_CHARS`] characters. Error
    /// statuses with an HTML body keep their own variant (a 5xx stays [`Error::Server`]) with a
    /// message saying it was a web page.
    #[error(
        "The Namely address answered with a web page{}, not the Namely API (HTTP {}). Check the company name (the part before .namely.com in your Namely web address) or the API address in the connection settings.{}",
        page::titled(.title.as_deref()),
        .status.as_u16(),
        if *.write { " If you were adding a person, look them up in Namely before trying again." } else { "" }
    )]
    WebPage {
        /// The HTTP status of the answer (a 2xx).
        status: StatusCode,
        /// The page's `<title>`, short, when it had one.
        title: Option<String>,
        /// The request was a write (POST/PUT): whatever answered may have passed it on.
        write: bool,
    },

    /// Namely answered, but not in the expected shape.
    #[error(
        "Namely's answer was not in the expected format ({message}). If this was a create, check whether the person was added before trying again."
    )]
    Decode {
        /// What could not be read.
        message: String,
    },
    /// Sign in with Namely (OAuth) failed: the code exchange or a refresh was refused.
    #[error("{0}")]
    SignIn(#[from] crate::oauth::SignInError),
}

const AFTER_AMBIGUOUS_WRITE: &str = "If you were adding a person, they may have been added anyway: look them up in Namely before trying again.";

const AFTER_TOO_LARGE_READ: &str = "Namely's answers are normally far smaller, so trying again will not help: check that the company name or API address points to Namely, and report this with the log file if it does.";

fn validation_text(message: &str, errors: &[String]) -> String {
    match (message.is_empty(), errors.is_empty()) {
        (_, true) => message.to_owned(),
        (true, false) => errors.join("; "),
        (false, false) => format!("{message}: {}", errors.join("; ")),
    }
}

fn transport_text(message: &str, timed_out: bool, may_have_reached_server: bool) -> String {
    let what = if timed_out {
        "The request to Namely timed out"
    } else {
        "Could not complete the request to Namely"
    };
    let advice = if may_have_reached_server {
        AFTER_AMBIGUOUS_WRITE
    } else {
        "Check the internet connection and the company name, then try again."
    };
    format!("{what} ({message}). {advice}")
}

impl Error {
    /// Could a write (POST/PUT) that failed this way have been applied anyway?
    ///
    /// True after a timeout or cut connection once the request was sent, after a 5xx, and when
    /// a 2xx answer could not be read (not understood, or too large to read after a write). In
    /// those cases look the person up (e.g. by email) before retrying a create: POST /profiles
    /// is not idempotent (`docs/namely-api.md` §5.3).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Self::Transport {
                may_have_reached_server,
                ..
            } => *may_have_reached_server,
            Self::Server { status, .. } => status.is_server_error(),
            Self::Decode { .. } => true,
            Self::AnswerTooLarge { write, .. } | Self::WebPage { write, .. } => *write,
            _ => false,
        }
    }

    /// Is this the caller's credential problem (sign in again / new token / other user)?
    pub fn is_auth(&self) -> bool {
        match self {
            Self::Unauthorized | Self::Forbidden => true,
            Self::SignIn(e) => e.needs_new_sign_in(),
            _ => false,
        }
    }

    /// The HTTP status Namely answered with, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Unauthorized => Some(StatusCode::UNAUTHORIZED),
            Self::Forbidden => Some(StatusCode::FORBIDDEN),
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Self::Validation { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
            Self::Server { status, .. }
            | Self::UnexpectedStatus { status, .. }
            | Self::AnswerTooLarge { status, .. }
            | Self::WebPage { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn transport(err: &reqwest::Error) -> Self {
        let timed_out = err.is_timeout();
        // A connect error means nothing reached the server; any other failure after the
        // request started may have been after Namely received it.
        let may_have_reached_server = !err.is_connect() && !err.is_builder();
        Self::Transport {
            message: describe_reqwest_error(err),
            timed_out,
            may_have_reached_server,
        }
    }
}

/// Cleans every text that came from Namely's answers (or the HTTP stack) before it goes into
/// an [`Error`]; the one place where that happens. It removes the access token the client was
/// built with and anything that looks like `Bearer <token>` (both become [`REDACTED`]), cuts
/// each text to [`MAX_MESSAGE_CHARS`] and keeps at most [`MAX_ERRORS_KEPT`] `errors[]` entries.
#[derive(Clone)]
pub(crate) struct Redactor {
    token: SecretString,
}

impl Redactor {
    pub(crate) fn new(token: &SecretString) -> Self {
        Self {
            token: token.clone(),
        }
    }

    /// The token, for taking it out of text that is cut short before it is cleaned (a page
    /// title, a redirect target): see [`page::without`].
    pub(crate) fn secret(&self) -> &str {
        self.token.expose_secret()
    }

    /// The error with every text field cleaned. Apply once per error: the "and N more" entry
    /// of [`Error::Validation`] is added here.
    pub(crate) fn error(&self, error: Error) -> Error {
        match error {
            Error::NotFound { message } => Error::NotFound {
                message: self.text(&message),
            },
            Error::Validation { message, errors } => Error::Validation {
                message: self.text(&message),
                errors: self.list(&errors),
            },
            Error::Server { status, message } => Error::Server {
                status,
                message: self.text(&message),
            },
            Error::UnexpectedStatus { status, message } => Error::UnexpectedStatus {
                status,
                message: self.text(&message),
            },
            Error::Transport {
                message,
                timed_out,
                may_have_reached_server,
            } => Error::Transport {
                message: self.text(&message),
                timed_out,
                may_have_reached_server,
            },
            Error::InvalidInput { message } => Error::InvalidInput {
                message: self.text(&message),
            },
            Error::Decode { message } => Error::Decode {
                message: self.text(&message),
            },
            Error::WebPage {
                status,
                title,
                write,
            } => Error::WebPage {
                status,
                title: title.map(|t| self.text(&t)),
                write,
            },
            e @ (Error::Unauthorized
            | Error::Forbidden
            | Error::Throttled
            | Error::InvalidConfig(_)
            | Error::AnswerTooLarge { .. }
            // Cleaned where it was made (the client secret and grant taken out).
            | Error::SignIn(_)) => e,
        }
    }

    /// One text, without the token and at most [`MAX_MESSAGE_CHARS`] long.
    pub(crate) fn text(&self, text: &str) -> String {
        bound(&redact(text, self.token.expose_secret()))
    }

    /// The first [`MAX_ERRORS_KEPT`] entries cleaned, then "and N more" if there were more.
    fn list(&self, items: &[String]) -> Vec<String> {
        let mut kept: Vec<String> = items
            .iter()
            .take(MAX_ERRORS_KEPT)
            .map(|item| self.text(item))
            .collect();
        if items.len() > MAX_ERRORS_KEPT {
            kept.push(format!("and {} more", items.len() - MAX_ERRORS_KEPT));
        }
        kept
    }
}

/// `text` without `token` (as is, and as it would appear escaped inside JSON) and without the
/// value of anything that looks like `Bearer <value>`.
fn redact(text: &str, token: &str) -> String {
    redact_bearer(&without_secrets(text, &[token]))
}

/// `text` with every one of `secrets` replaced by [`REDACTED`]: as is, trimmed, as it would
/// appear escaped inside JSON, and as a form would encode it (an answer may echo the
/// request's body). Blank secrets are skipped.
pub(crate) fn without_secrets(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.trim().is_empty()) {
        let quoted = serde_json::to_string(secret).unwrap_or_default();
        let escaped = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or_default()
            .to_string();
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        for form in [
            secret.to_string(),
            secret.trim().to_string(),
            escaped,
            encoded,
        ] {
            if !form.is_empty() && text.contains(&form) {
                text = text.replace(&form, REDACTED);
            }
        }
    }
    text
}

/// Replaces the value after the word `bearer` (any case, then spaces or tabs) with
/// [`REDACTED`]. A plain lowercase word (as in "bearer token is invalid") is left alone: it is
/// prose, not a credential.
fn redact_bearer(text: &str) -> String {
    const WORD: &str = "bearer";
    // ASCII lowercasing keeps every byte offset, so positions found in `lower` are valid
    // (and on char boundaries) in `text`.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = lower[from..].find(WORD) {
        let after_word = from + found + WORD.len();
        let rest = &text[after_word..];
        let value = rest.trim_start_matches([' ', '\t']);
        let value_start = after_word + (rest.len() - value.len());
        let value_len = value
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .unwrap_or(value.len());
        let candidate = &value[..value_len];
        let is_prose = candidate.chars().all(|c| c.is_ascii_lowercase());
        if value_start > after_word && !candidate.is_empty() && !is_prose && candidate != REDACTED {
            out.push_str(&text[copied..value_start]);
            out.push_str(REDACTED);
            copied = value_start + value_len;
        }
        from = after_word.max(copied);
    }
    out.push_str(&text[copied..]);
    out
}

/// At most [`MAX_MESSAGE_CHARS`] characters, the last one "…" when the text was cut (so a
/// bounded text stays as it is when bounded again).
fn bound(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => text.to_owned(),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX_MESSAGE_CHARS - 1)
                .map_or(text.len(), |(at, _)| at);
            format!("{}…", &text[..cut])
        }
    }
}

/// A short description of a transport error: the kind and the innermost causes, never the URL
/// (which may carry an email in its query) and never headers.
fn describe_reqwest_error(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_body() || err.is_decode() {
        "connection failed while reading the answer"
    } else if err.is_request() {
        "connection failed while sending"
    } else {
        "network error"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !causes.contains(&text) {
            causes.push(text);
        }
        source = cause.source();
    }
    // The innermost cause is usually the most telling (e.g. "connection refused").
    match causes.last() {
        Some(last) => format!("{kind}: {last}"),
        None => kind.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pat-SECRET-0123456789";

    fn redactor() -> Redactor {
        Redactor::new(&SecretString::from(TOKEN))
    }

    #[test]
    fn token_and_bearer_values_are_redacted() {
        let r = redactor();
        assert_eq!(
            r.text(&format!("bad token {TOKEN}!")),
            "bad token [redacted]!"
        );
        assert_eq!(
            r.text(r#"{"Authorization":"Bearer other-Token_42"}"#),
            r#"{"Authorization":"Bearer [redacted]"}"#
        );
        assert_eq!(
            r.text("header was bearer\tAbC.dEf and BEARER  xyz9"),
            "header was bearer\t[redacted] and BEARER  [redacted]"
        );
        // Prose stays readable.
        assert_eq!(
            r.text("Bearer token is invalid; the bearer of"),
            "Bearer token is invalid; the bearer of"
        );
        assert_eq!(r.text(&format!("Bearer {TOKEN}")), "Bearer [redacted]");
        assert_eq!(r.text("bearer"), "bearer");
        assert_eq!(r.text("Bearer ünïcode-ß"), "Bearer [redacted]");
    }

    #[test]
    fn json_escaped_token_is_redacted() {
        let r = Redactor::new(&SecretString::from(r#"ab"c\d"#));
        assert_eq!(
            r.text(r#"echo "ab\"c\\d" here"#),
            r#"echo "[redacted]" here"#
        );
        assert_eq!(r.text(r#"echo ab"c\d"#), "echo [redacted]");
    }

    #[test]
    fn texts_are_bounded_on_char_boundaries_and_stay_bounded() {
        let long = "é".repeat(MAX_MESSAGE_CHARS * 3);
        let once = bound(&long);
        assert_eq!(once.chars().count(), MAX_MESSAGE_CHARS);
        assert!(once.ends_with('…'));
        assert_eq!(bound(&once), once);
        let exact = "x".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(bound(&exact), exact);
    }

    #[test]
    fn token_at_the_cut_is_redacted_before_cutting() {
        let text = format!("{}{TOKEN}", "x".repeat(MAX_MESSAGE_CHARS - 5));
        let cleaned = redactor().text(&text);
        assert!(!cleaned.contains("pat-"), "{cleaned}");
        assert_eq!(cleaned.chars().count(), MAX_MESSAGE_CHARS);
    }

    #[test]
    fn validation_keeps_ten_errors_then_counts() {
        let errors: Vec<String> = (0..25).map(|i| format!("field_{i} {TOKEN}")).collect();
        let e = redactor().error(Error::Validation {
            message: format!("Bearer {TOKEN}"),
            errors,
        });
        let Error::Validation { message, errors } = &e else {
            panic!("{e:?}");
        };
        assert_eq!(message, "Bearer [redacted]");
        assert_eq!(errors.len(), MAX_ERRORS_KEPT + 1);
        assert_eq!(errors[0], "field_0 [redacted]");
        assert_eq!(errors[MAX_ERRORS_KEPT], "and 15 more");
        assert!(!format!("{e} {e:?}").contains(TOKEN));
    }

    #[test]
    fn too_large_answer_classification() {
        let get = Error::AnswerTooLarge {
            status: StatusCode::OK,
            limit: MAX_BODY_BYTES,
            write: false,
        };
        let post = Error::AnswerTooLarge {
            status: StatusCode::CREATED,
            limit: MAX_BODY_BYTES,
            write: true,
        };
        assert!(!get.may_have_been_applied());
        assert!(post.may_have_been_applied());
        assert_eq!(post.status(), Some(StatusCode::CREATED));
        assert!(
            get.to_string()
                .starts_with("Namely sent an answer larger than 16 MiB; stopped reading it."),
            "{get}"
        );
        assert!(post.to_string().contains("look them up"), "{post}");
    }
}
