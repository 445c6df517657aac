//! Every choice the iCIMS simulator makes where `docs/icims-api.md` says *unverified*,
//! *unknown* or *inferred*. Each one is a guess, kept in one place so that it can be corrected
//! when real iCIMS behaviour is observed. Clients must not depend on more than that document
//! records as documented (e.g. branch on the HTTP status, not on these codes/messages).
//! Section numbers (§) refer to `docs/icims-api.md`.
//!
//! # Authentication (`docs/icims-api.md` §2.6, §10.2)
//!
//! * The signed-header set must be exactly [`SIGNED_HEADERS`]: the four-header set of the
//!   proven client. The official page's minimal example (`host;x-icims-date`) is refused.
//! * The canonical request is rebuilt from the received method, the path exactly as on the
//!   request line (no decoding), the raw query (no re-ordering or re-encoding) and the received
//!   values of the signed headers. In particular the `host` value is the received `Host`
//!   header *verbatim*: against the simulator on `127.0.0.1:PORT` that includes the port,
//!   because that is what an HTTP client sends for a non-default port. The rule for clients is
//!   "sign the header values you send".
//! * Authorization components may be separated by `,` or `, `; the algorithm name and the
//!   component keys are case-sensitive; the signature must be 64 *lowercase* hex digits.
//! * `x-icims-date` may be RFC 3339 (`2024-01-15T12:00:00Z`) or `…+0000`; it must be within
//!   [`DEFAULT_CLOCK_SKEW_TOLERANCE`] (configurable) of the server clock, either way. No nonce
//!   or replay cache.
//! * Checks run in this order: header present and well-formed → user → signed-header set →
//!   signature → body hash → date window. Every failure is `401` with an `errors` body and
//!   `WWW-Authenticate: x-icims-v1-hmac-sha256`; the code is always [`AUTH_ERROR_CODE`] (9,
//!   from Namely's test stub), the message [`AUTH_INVALID_MESSAGE`] except for a body-hash
//!   mismatch ([`BODY_HASH_MESSAGE`]) and a date outside the window ([`CLOCK_SKEW_MESSAGE`]).
//! * Basic authentication is refused like any other bad credential (an integration account is
//!   secured with BASIC *or* HMAC).
//! * Authentication runs before the customer id is looked at: an unknown customer id with a
//!   good signature is `404` [`CUSTOMER_NOT_FOUND_MESSAGE`], with a bad one `401`.
//!
//! # Daily budget (`docs/icims-api.md` §6, §10.5)
//!
//! * Every request that passes authentication spends one from the budget, whatever its
//!   outcome (404, 400, injected 500/503 included). `401`s and `429`s spend nothing.
//! * When nothing is left: `429` with [`RATE_LIMIT_MESSAGE`] / [`RATE_LIMIT_ERROR_CODE`] and
//!   `x-ratelimit-remaining: 0`; no `Retry-After` (use `x-ratelimit-reset`).
//! * The budget refills to the daily limit when the UTC date changes.
//! * Every response, errors included, carries `x-ratelimit-limit/-remaining/-reset`,
//!   `x-transaction` and `date`. No per-second limit is simulated.
//!
//! # Errors (`docs/icims-api.md` §7)
//!
//! * Error bodies are `{"errors":[{"errorMessage":…,"errorCode":…}]}` plus one
//!   `X-Error: code:message` header, for every error status.
//! * Unknown record → `404`, code 2, `"Person not found."` / `"Job not found."` /
//!   `"Applicant workflow not found."` (shape of the documented `"Job not found."`).
//! * Path not served or not lowercase → `404`, code 2, [`RESOURCE_NOT_FOUND_MESSAGE`]; a
//!   served path with another method → `405`, code 0.
//! * Search errors are `400` with code [`SEARCH_ERROR_CODE`] (the messages are iCIMS's
//!   documented ones, `docs/icims-api.md` §4.4; the code is not documented).
//! * Injected faults: `500`/`503` with code 0 ([`INTERNAL_ERROR_MESSAGE`],
//!   [`UNAVAILABLE_MESSAGE`]). A hang sleeps before the request is processed.
//! * HTTP versions other than 1.1 → `505` (`docs/icims-api.md` §3), code 0.
//!
//! # Search (`docs/icims-api.md` §4)
//!
//! * Served: `POST /customers/{cid}/search/applicantworkflows` and the `GET …?searchJson=`
//!   variant; `staleness` is accepted and ignored (results are always live).
//! * Filters: `applicantworkflow.status` (`=`/`==` any of, `!=`/`!==` none of; a value matches
//!   the list node id exactly or the text value case-insensitively), `applicantworkflow.id`,
//!   `applicantworkflow.person.id`, `applicantworkflow.job.id` (numbers; `=`, `!=`, `<`, `<=`,
//!   `>`, `>=`), `applicantworkflow.updateddate` (`=` is the range `value`..=`secondaryValue`,
//!   either end optional; `>=`, `>`, `<=`, `<` compare with `value`). Other real filters
//!   (e.g. `applicantworkflow.bin`) are answered as "not valid or hidden".
//! * Dates compare at the precision written: `yyyy-MM-dd` by day, `yyyy-MM-dd hh:mm a` by
//!   minute (the workflow's `updateddate` is truncated to match). Date tokens such as
//!   `{DATE:-9}` are not understood and, like any unparseable date, impose no constraint.
//! * Filter and group attributes outside `name/value/secondaryValue/operator` and
//!   `filters/operator/children` are errors; a number that does not parse is "An unknown
//!   parsing error occurred"; an empty body counts as no filter.
//! * `id` in `searchResults` is a JSON number.
//!
//! # Profiles (`docs/icims-api.md` §5)
//!
//! * `gender` is a list node `{"id","value","formattedvalue"}` (ids from [`gender_node_id`]),
//!   never a plain string. Clients should accept both.
//! * `fields=` is honoured on people, jobs and workflows (comma list, `%2C` decoded); `links`
//!   is always present; unknown lowercase fields are silently absent; a field with upper-case
//!   letters is answered with warning code 4 (`X-Warning: 4:<field>:Field name must be all
//!   lowercase.` and a `warnings` array in the body) and not returned.
//! * People carry `updateddate` (`yyyy-MM-dd hh:mm a`, UTC) and a `folder`; workflows carry
//!   `updateddate`. Job `folder` is always `Approved` (`D31001`).
//! * List-node ids of address types, phone types, states and the country are made up in the
//!   `D…` style of recorded iCIMS data (NY = `D41001035`, US = `D41001`, Home = `D84002`).
//!   An invalid state is served as `{"id":"D41001099","value":"Unknown","abbrev":"XX"}`.

use std::time::Duration;

/// The only accepted `signedheaders` value.
pub const SIGNED_HEADERS: &str = "content-type;host;x-icims-content-sha256;x-icims-date";

/// Allowed distance between `x-icims-date` and the server clock (unknown in reality).
pub const DEFAULT_CLOCK_SKEW_TOLERANCE: Duration = Duration::from_secs(15 * 60);

/// errorCode of every 401.
pub const AUTH_ERROR_CODE: u32 = 9;
pub const AUTH_INVALID_MESSAGE: &str = "Authentication credentials invalid";
pub const BODY_HASH_MESSAGE: &str = "Request body does not match x-icims-content-sha256";
pub const CLOCK_SKEW_MESSAGE: &str = "Request date is outside the allowed window";
/// `WWW-Authenticate` value on a 401.
pub const WWW_AUTHENTICATE: &str = "x-icims-v1-hmac-sha256";

/// RESOURCE_NOT_FOUND (documented code, HTTP 404).
pub const NOT_FOUND_CODE: u32 = 2;
pub const CUSTOMER_NOT_FOUND_MESSAGE: &str = "Customer not found.";
pub const RESOURCE_NOT_FOUND_MESSAGE: &str = "Resource not found.";

/// INTERNAL_ERROR (documented code, HTTP 500); also used for 503, 405 and 505.
pub const INTERNAL_ERROR_CODE: u32 = 0;
pub const INTERNAL_ERROR_MESSAGE: &str = "An internal error occurred.";
pub const UNAVAILABLE_MESSAGE: &str =
    "The service is temporarily unavailable. Please try again later.";

/// Daily budget exhausted (status 429 is claimed only by a low-trust source).
pub const RATE_LIMIT_ERROR_CODE: u32 = 10;
pub const RATE_LIMIT_MESSAGE: &str = "API request limit exceeded for today.";

/// errorCode of every search 400.
pub const SEARCH_ERROR_CODE: u32 = 1;

/// Field-name warning (documented code).
pub const FIELD_CASE_WARNING_CODE: u32 = 4;

/// A made-up list node id for a gender text.
pub fn gender_node_id(value: &str) -> &'static str {
    match value {
        "Male" => "D10401",
        "Female" => "D10402",
        "Decline to State" => "D10403",
        _ => "D10409",
    }
}
