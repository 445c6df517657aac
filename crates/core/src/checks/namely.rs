//! How a failed Namely call is worded in parts 1 and 2: what happened, what to do, and which
//! input it concerns.

use super::failed;
use crate::api::{CheckCode, CheckResult, Field, SetupStep};
use time::OffsetDateTime;

const NEW_TOKEN_FIX: &str = "Paste a new personal access token (Namely › API › Personal Access \
                             Tokens), or sign in again.";

/// Which Namely call failed, to word its failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NamelyCall {
    CompanyInfo,
    Me,
    Fields,
}

impl NamelyCall {
    pub(super) fn path(self) -> &'static str {
        match self {
            NamelyCall::CompanyInfo => "GET /companies/info",
            NamelyCall::Me => "GET /profiles/me",
            NamelyCall::Fields => "GET /profiles/fields",
        }
    }
}

/// `acme.namely.com` (or `127.0.0.1:4010` for the sandbox).
pub(super) fn namely_host(namely: &namely::Client) -> String {
    let url = namely.api_base();
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.as_str().to_string(),
    }
}

/// Words a failed Namely call: what happened, what to do, which input.
pub(super) fn namely_failure(
    step: SetupStep,
    namely: &namely::Client,
    call: NamelyCall,
    e: &namely::Error,
    now: OffsetDateTime,
) -> CheckResult {
    use namely::Error as E;
    let host = namely_host(namely);
    let detail = Some(format!("{} at {}: {e}", call.path(), namely.api_base()));
    let permalink_fix = "The permalink is the part before .namely.com in your Namely web \
                         address (acme for https://acme.namely.com). Correct it, then Check \
                         again."
        .to_string();
    match e {
        E::Unauthorized if namely.uses_oauth() => failed(
            step,
            CheckCode::TokenRefused,
            "Namely did not accept this sign-in.",
            "Sign in with Namely again, or paste a personal access token instead.",
            Some(Field::NamelyClientId),
            detail,
            now,
        ),
        E::Forbidden if namely.uses_oauth() => failed(
            step,
            CheckCode::TokenForbidden,
            "Namely refused this sign-in: the person who signed in may be inactive or lack permission.",
            "Sign in as an active Administrator, or paste a personal access token one created \
             (Namely › API › Personal Access Tokens).",
            Some(Field::NamelyClientId),
            detail,
            now,
        ),
        E::Unauthorized => failed(
            step,
            CheckCode::TokenRefused,
            "Namely did not accept this token.",
            NEW_TOKEN_FIX,
            Some(Field::NamelyToken),
            detail,
            now,
        ),
        E::Forbidden => failed(
            step,
            CheckCode::TokenForbidden,
            "Namely refused this token: its owner may be inactive or lack permission.",
            "Use a token of an active Administrator: ask them to sign in here, or paste a \
             personal access token they created (Namely › API › Personal Access Tokens).",
            Some(Field::NamelyToken),
            detail,
            now,
        ),
        E::NotFound { .. } if call == NamelyCall::Me => failed(
            step,
            CheckCode::TokenOwnerUnknown,
            "Namely found no profile for the owner of this token.",
            "Sign in again as an active Administrator, or paste a token they created.",
            Some(Field::NamelyToken),
            detail,
            now,
        ),
        E::NotFound { .. } => failed(
            step,
            CheckCode::CompanyNotFound,
            format!("No Namely company at {host} — check the permalink."),
            permalink_fix,
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        E::UnexpectedStatus { status, .. } if status.is_redirection() => failed(
            step,
            CheckCode::CompanyNotFound,
            format!("No Namely company at {host} — check the permalink."),
            permalink_fix,
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        // A website (a login page, a parked domain) answered instead of Namely's API.
        E::WebPage { .. } => failed(
            step,
            CheckCode::CompanyNotFound,
            format!("A web page answered at {host}, not Namely's API — check the permalink."),
            permalink_fix,
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        E::Transport {
            timed_out: false,
            may_have_reached_server: false,
            ..
        } => failed(
            step,
            CheckCode::VendorUnreachable,
            format!("Could not reach Namely at {host} — check the permalink."),
            format!(
                "{permalink_fix} If it is right, check this computer's internet connection, \
                 proxy and firewall."
            ),
            Some(Field::NamelyPermalink),
            detail,
            now,
        ),
        E::Transport {
            timed_out: true, ..
        } => failed(
            step,
            CheckCode::VendorTimeout,
            format!("Namely at {host} did not answer in time."),
            "Check the internet connection, then Check again.",
            None,
            detail,
            now,
        ),
        E::Transport { .. } => failed(
            step,
            CheckCode::VendorUnreachable,
            format!("The connection to Namely at {host} broke off."),
            "Check the internet connection, then Check again.",
            None,
            detail,
            now,
        ),
        E::Throttled => failed(
            step,
            CheckCode::VendorThrottled,
            "Namely is limiting requests right now.",
            "Wait a minute, then Check again.",
            None,
            detail,
            now,
        ),
        E::Server { .. } => failed(
            step,
            CheckCode::VendorUnavailable,
            "Namely had a temporary problem.",
            "Check again in a few minutes. If it keeps happening, contact Namely support.",
            None,
            detail,
            now,
        ),
        E::InvalidConfig(cfg) => {
            let field = match cfg {
                namely::ConfigError::EmptyToken | namely::ConfigError::InvalidToken => {
                    Field::NamelyToken
                }
                _ => Field::NamelyPermalink,
            };
            failed(
                step,
                CheckCode::SettingsInvalid,
                "The Namely settings are not valid.",
                format!("{cfg}."),
                Some(field),
                detail,
                now,
            )
        }
        // Sign in with Namely: the refresh was refused (revoked, expired, the application
        // removed or its secret changed), or Namely's sign-in service failed.
        E::SignIn(sign_in) if sign_in.needs_new_sign_in() => failed(
            step,
            CheckCode::TokenRefused,
            "Namely no longer accepts this connection's sign-in.",
            format!(
                "{sign_in} Or paste a personal access token of an active Administrator instead."
            ),
            Some(Field::NamelyClientId),
            detail,
            now,
        ),
        E::SignIn(namely::SignInError::Unavailable { .. }) => failed(
            step,
            CheckCode::VendorUnavailable,
            "Namely's sign-in service had a temporary problem.",
            "Check again in a few minutes. If it keeps happening, contact Namely support.",
            None,
            detail,
            now,
        ),
        _ => failed(
            step,
            CheckCode::UnexpectedAnswer,
            "Namely answered in a way this app did not expect.",
            "Check again. If it keeps happening, send the Details to support.",
            None,
            detail,
            now,
        ),
    }
}
