//! The one error type of this crate. Messages say what happened and what to do, in plain
//! words, and never contain the access token.

use reqwest::StatusCode;

use crate::config::ConfigError;

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

    /// Namely answered, but not in the expected shape.
    #[error(
        "Namely's answer was not in the expected format ({message}). If this was a create, check whether the person was added before trying again."
    )]
    Decode {
        /// What could not be read.
        message: String,
    },
}

const AFTER_AMBIGUOUS_WRITE: &str = "If you were adding a person, they may have been added anyway: look them up in Namely before trying again.";

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
    /// a 2xx answer could not be read. In those cases look the person up (e.g. by email)
    /// before retrying a create: POST /profiles is not idempotent (`docs/namely-api.md` §5.3).
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Self::Transport {
                may_have_reached_server,
                ..
            } => *may_have_reached_server,
            Self::Server { status, .. } => status.is_server_error(),
            Self::Decode { .. } => true,
            _ => false,
        }
    }

    /// Is this the caller's credential problem (sign in again / new token / other user)?
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Unauthorized | Self::Forbidden)
    }

    /// The HTTP status Namely answered with, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Unauthorized => Some(StatusCode::UNAUTHORIZED),
            Self::Forbidden => Some(StatusCode::FORBIDDEN),
            Self::NotFound { .. } => Some(StatusCode::NOT_FOUND),
            Self::Validation { .. } => Some(StatusCode::UNPROCESSABLE_ENTITY),
            Self::Server { status, .. } | Self::UnexpectedStatus { status, .. } => Some(*status),
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
