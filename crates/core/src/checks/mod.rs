//! The four live setup checks of the wizard:
//! the Namely field `icims_id`, signing in to Namely, the integration owner, and the iCIMS
//! connection. Each answers an [`api::CheckResult`]: what happened, what to do, which input it
//! concerns, and the technical detail one click away.
//!
//! The checks take ready-made clients and a `now` (this computer's clock): no store, no
//! keychain. The engine builds the clients and persists the results.
//!
//! No text produced here ever contains a secret: the Namely token and the iCIMS HMAC key are
//! only inside the clients, whose error messages are scrubbed of them, and the `Authorization`
//! header is never read.
//!
//! One file per part: [`field`] (part 1), [`sign_in`] (part 2), [`owner`] (part 3) and
//! [`icims`] (part 4); [`namely`] words a failed Namely call for parts 1 and 2.

mod field;
mod icims;
mod namely;
mod owner;
mod sign_in;

pub use field::{FieldCheck, ICIMS_FIELD, looks_like_misspelt_icims_id, namely_field};
pub use icims::{MAX_CLOCK_SKEW, icims, validate_icims_input};
pub use owner::{OwnerFacts, can_confirm_role, owner_check, owner_verdict};
pub use sign_in::namely_sign_in;

use crate::api::{CheckCode, CheckResult, Field, SetupStep};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// RFC 3339 in UTC, e.g. `2026-11-27T10:42:00Z`.
fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn passed(
    step: SetupStep,
    summary: String,
    detail: Option<String>,
    now: OffsetDateTime,
) -> CheckResult {
    CheckResult {
        step,
        code: CheckCode::Passed,
        passed: true,
        summary,
        fix: None,
        field: None,
        detail,
        checked_at: rfc3339(now),
    }
}

/// A failed check. `code` says what was found, for the command line's exit code and the
/// interface; the words are for people.
fn failed(
    step: SetupStep,
    code: CheckCode,
    summary: impl Into<String>,
    fix: impl Into<String>,
    field: Option<Field>,
    detail: Option<String>,
    now: OffsetDateTime,
) -> CheckResult {
    debug_assert!(!code.passed(), "a failed check needs a failure code");
    CheckResult {
        step,
        code,
        passed: false,
        summary: summary.into(),
        fix: Some(fix.into()),
        field,
        detail,
        checked_at: rfc3339(now),
    }
}
