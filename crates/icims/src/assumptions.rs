//! Every choice this crate makes where `docs/icims-api.md` marks a fact as *unverified*,
//! *unknown* or *inferred*, kept in one place so it is easy to change once real iCIMS
//! behaviour is observed. Section numbers (§) refer to that document.

/// Whether the signed (and sent) `Host` value carries `:port` when the base URL has a
/// non-default port.
///
/// The working client signed the host of the URL without a port (`docs/icims-api.md` §2.2,
/// step 2) — for the real hosts the port is the default 443, which `url::Url` drops, so
/// nothing changes there. For test servers on `127.0.0.1:PORT`, reqwest/hyper send
/// `Host: 127.0.0.1:PORT`; since the server recomputes the signature from the headers it
/// receives (inferred, `docs/icims-api.md` §2.2 and §2.6), we sign the value that is actually
/// sent. The client also sets `Host` explicitly to the signed value.
pub const HOST_INCLUDES_NON_DEFAULT_PORT: bool = true;

/// Separator between the `user=`, `signedheaders=` and `signature=` components of the
/// `Authorization` value.
///
/// `docs/icims-api.md` §2.3: Namely's working client used `", "`; iCIMS's own outbound requests
/// use `","`. Whether iCIMS accepts both is unverified; we use the one proven against iCIMS.
pub const AUTHORIZATION_COMPONENT_SEPARATOR: &str = ", ";

/// How the commas between `fields=` names are written on the wire (and so signed).
///
/// `docs/icims-api.md` §2.2 (signing the query as sent) and the test vectors of §2.5: Namely's
/// client percent-encoded the comma as `%2C`. Whether a literal `,` also works is untested.
pub const FIELDS_SEPARATOR: &str = "%2C";

/// Query string sent with every search: results cache is shared and 15 minutes stale by
/// default; `0` asks for live results (`docs/icims-api.md` §4.5).
pub const SEARCH_QUERY: &str = "staleness=0";

/// Operator of the `applicantworkflow.updateddate` filter.
///
/// We send `>=`; iCIMS's own example writes `=` with `value` as the range start (date ranges
/// use `value`/`secondaryValue`, `docs/icims-api.md` §4.2). Both should mean "on or after";
/// unverified.
pub const UPDATED_SINCE_OPERATOR: &str = ">=";

/// The time zone iCIMS reads the `applicantworkflow.updateddate` search value in.
///
/// `docs/icims-api.md` §4.2 says search dates are "always UTC", in the form
/// `yyyy-MM-dd hh:mm a` (minute precision). That is not verified against a tenant: a tenant
/// configured for, say, US Eastern might read the value as its local time. So the client sends
/// UTC (see `client.rs`), and every run searches from the watermark minus
/// [`UPDATED_SINCE_OVERLAP_HOURS`], which stays correct even if iCIMS reads the value in any
/// real time zone: a zone west of UTC (down to UTC−12) would move the bound up to 12 hours
/// later, which the overlap covers with an hour to spare (minute precision, search results
/// that lag); a zone east of UTC only makes the search read more. The watermark itself is
/// taken from iCIMS's own clock (the `Date` header of the window's first search reply), not
/// the local one, so a wrong clock on this machine cannot skip anything either. Workflows the
/// overlap finds again cost nothing beyond the search page when their person is already in
/// Namely (the run skips them without reading them).
pub const SEARCH_DATES_ARE_UTC: bool = true;

/// How many hours before the watermark each run's search starts; see
/// [`SEARCH_DATES_ARE_UTC`]: 12 hours for the farthest zone west of UTC, plus one.
pub const UPDATED_SINCE_OVERLAP_HOURS: u64 = 13;

/// How many days at most before their start date a hire's workflow reaches the hired status.
///
/// A first sync (or one after the start-from date, statuses or customer changed) reads the
/// hired workflows whose `applicantworkflow.updateddate` is at most this many days before the
/// connection's start-from date, instead of the whole hiring history. It relies on two facts
/// of `docs/icims-api.md` §4.1: the search filters on `applicantworkflow.updateddate`, and
/// "changing a workflow's status updates its `updateddate`" [S16] — so a workflow that became
/// Hired on day H has `updateddate >= H`. People are rarely hired more than a year before they
/// start (graduate offers made in the autumn for the next summer are about nine months); a
/// hire made even earlier whose workflow was not touched since would be missed, so the margin
/// is generous: 400 days. Unverified: whether other changes to a hired workflow (notes, bins)
/// also move `updateddate` — they can only make the window read more, never less.
pub const HIRED_BEFORE_START_MAX_DAYS: i64 = 400;

/// Whether an error message from a search means "no results" rather than a failure.
///
/// `docs/icims-api.md` §4.4: iCIMS's "no results" example is inconsistent — it shows an
/// `errors` body while the text says `searchResults` is empty. We treat both as an empty page;
/// this decides which `errors` messages count as "no results".
pub fn is_no_results_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("no results") || m.contains("no search results") || m.contains("no records found")
}

/// HTTP statuses treated as "the credentials were refused".
///
/// 401 for bad Basic credentials is documented (errorCode 6, `docs/icims-api.md` §2.7, §7).
/// The status and body for a bad HMAC signature or a stale `x-icims-date` are unknown
/// (`docs/icims-api.md` §2.6, §10.2): Namely's test stub used 401 + errorCode 9. A 403 is not
/// documented at all; per-user IP restrictions (`docs/icims-api.md` §8) most plausibly produce
/// one, and the remedy is the same (fix the integration user), so 403 is treated as refused
/// credentials too.
pub fn is_credentials_status(status: u16) -> bool {
    status == 401 || status == 403
}

/// HTTP status meaning "daily request budget exhausted".
///
/// `docs/icims-api.md` §6: what happens on quota exhaustion is unverified; a low-trust source
/// claims 429. We also read the reset time from `x-ratelimit-reset` (seconds until 00:00 UTC),
/// falling back to a `Retry-After` given in seconds.
pub const RATE_LIMITED_STATUS: u16 = 429;

/// Workflow id used by [`crate::Client::ping`]: it searches for workflows with an id greater
/// than this, which matches nothing, so a successful reply costs one request and proves the
/// signature, the customer id and Search API access (the Integration User group,
/// `docs/icims-api.md` §4.1).
///
/// `i32::MAX` is used rather than `u64::MAX` because the server's numeric parsing range is
/// unknown; system ids are assumed to stay below it.
pub const PING_WORKFLOW_ID_FLOOR: u64 = 2_147_483_647;

/// Whether a request that failed on the transport level may have reached iCIMS (and so may have
/// been counted against the daily budget or, for writes, been applied). Only a failure to
/// connect is taken as "certainly not sent"; timeouts and errors after connecting are "maybe".
///
/// The same rule decides what [`crate::Client::calls_made`] counts as spent: a request that
/// got an answer, or failed once connected, counts; one whose address did not resolve, whose
/// connection was refused or could not be set up (TLS) does not. How iCIMS itself counts is
/// not documented (`docs/icims-api.md` §6); a request it never received cannot have been
/// counted, and one it may have received is counted so the budget is never overspent.
pub fn transport_may_have_reached_server(is_connect_error: bool) -> bool {
    !is_connect_error
}

/// How many iCIMS reads (workflow, person, job GETs) a sync keeps in flight at once, unless a
/// connection says otherwise.
///
/// `docs/icims-api.md` §6: iCIMS documents a daily budget but **no per-second or concurrency
/// limit**; the reference advises caution. Four overlapping reads keep a sync several times
/// faster than one at a time at 50–300 ms per call, and stay far from any plausible
/// per-connection limit; a 429 or 503 still stops or slows the run (the budget and retries do
/// not depend on this number). Unverified: lower it per connection (`connection edit
/// --icims-concurrency 1`) if a tenant refuses overlapping calls.
pub const READ_CONCURRENCY: usize = 4;

/// The largest concurrency a connection may ask for.
pub const READ_CONCURRENCY_MAX: usize = 8;

/// Whether a workflow's `baseprofile.value` is the job's title, so that the job need not be
/// read for it. Seen in a real reply (`docs/icims-api.md` §4.2: `"baseprofile": {…, "value":
/// "Harbor Discoveries Junior Counselor"}`); when it is absent or empty the job is read, once
/// per run.
pub const WORKFLOW_NAMES_THE_JOB_TITLE: bool = true;
