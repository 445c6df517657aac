//! Why applying stops before the remaining creates, and the record of a hire whose guard
//! lookup failed (nothing is sent then).

use super::lookup::LookupError;
use super::record::{record, short};
use crate::domain::{Hire, OutcomeKind, ProfileDraft, RunErrorCode};
use crate::store::RecordRow;

/// Why applying stops before the remaining creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Halt {
    /// 401/403: the token is refused; every further call would be too.
    Credential,
    /// Namely kept throttling even after the client waited.
    Throttled,
    /// Namely answers lookups by email with other people: no email can be proven free, so
    /// nobody is created (the email guard fails closed).
    FilterIgnored,
}

impl Halt {
    /// The reason recorded for hires not sent because of this halt.
    pub(crate) fn not_sent_reason(self) -> &'static str {
        match self {
            Halt::Credential => {
                "Not sent: Namely refused the credential — sign in again; it will be retried on \
                 the next run."
            }
            Halt::Throttled => {
                "Not sent: Namely kept limiting requests; it will be retried on the next run."
            }
            Halt::FilterIgnored => {
                "Not sent: Namely ignored the lookup by email, so it could not be checked that \
                 nobody in Namely has this email; it will be retried on the next run."
            }
        }
    }

    /// The run's error text.
    pub(crate) fn run_error(self) -> &'static str {
        match self {
            Halt::Credential => {
                "Namely refused the credential — sign in again. The hires not yet added will be \
                 added on the next run."
            }
            Halt::Throttled => {
                "Namely kept limiting requests even after waiting. The hires not yet added will \
                 be added on the next run."
            }
            Halt::FilterIgnored => {
                "Namely answered a lookup by email with other people's profiles (it ignored the \
                 filter), so no email could be checked and nobody was added. This is usually a \
                 proxy or gateway in front of Namely dropping query parameters; check it, or \
                 report it to Namely support with the log file. Nothing is lost: the hires are \
                 added on a later run once lookups work."
            }
        }
    }

    /// The run's error code.
    pub(crate) fn code(self) -> RunErrorCode {
        match self {
            Halt::Credential => RunErrorCode::NamelyCredentials,
            Halt::Throttled => RunErrorCode::NamelyThrottled,
            Halt::FilterIgnored => RunErrorCode::NamelyUnexpected,
        }
    }

    pub(crate) fn of(e: &namely::Error) -> Option<Halt> {
        if e.is_auth() {
            Some(Halt::Credential)
        } else if matches!(e, namely::Error::Throttled) {
            Some(Halt::Throttled)
        } else {
            None
        }
    }

    pub(crate) fn of_lookup(e: &LookupError) -> Option<Halt> {
        match e {
            LookupError::Namely(e) => Halt::of(e),
            LookupError::FilterIgnored { .. } => Some(Halt::FilterIgnored),
        }
    }
}

/// The guard lookup failed: nothing is sent.
pub(crate) fn not_checked(
    hire: &Hire,
    draft: &ProfileDraft,
    e: &LookupError,
) -> (RecordRow, Option<Halt>) {
    let halt = Halt::of_lookup(e);
    let reason = match (halt, e) {
        (Some(h), _) => h.not_sent_reason().to_string(),
        (None, LookupError::Namely(e)) => format!(
            "Failed: could not check Namely for an existing profile with {}, so nothing was \
             sent ({}); it will be retried next run.",
            draft.email,
            short(e)
        ),
        (None, other) => format!(
            "Failed: could not check Namely for an existing profile with {}, so nothing was \
             sent ({other}); it will be retried next run.",
            draft.email
        ),
    };
    (
        record(hire, OutcomeKind::Failed, reason, None, Some(e.to_string())),
        halt,
    )
}
