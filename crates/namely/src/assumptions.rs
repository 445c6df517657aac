//! Every choice this crate makes where `docs/namely-api.md` marks a fact as unverified or
//! inferred. Change them here, in one place, once a real tenant or sandbox settles the
//! question. Section numbers (§) refer to that document.
//!
//! Choices that shape types rather than code paths:
//!
//! - **Custom field writes** (`docs/namely-api.md` §7, §12.2 — implied by Namely's
//!   documentation, but no recorded request shows one): a custom field is written as a
//!   top-level key named by the field's immutable `name`, with a string value.
//!   [`crate::NewProfile::custom`] and [`crate::ProfileUpdate::custom`] are flattened into the
//!   profile object accordingly.
//! - **`access_role` may be absent** (`docs/namely-api.md` §8, notably on `/profiles/me`):
//!   [`crate::Profile::access_role`] is an `Option`; `None` means "could not verify the access
//!   role", never "not an Administrator".
//! - **Create answers 201 or 200** (`docs/namely-api.md` §5.3, §12.6): see
//!   [`is_create_success`].
//! - **406 body** is unknown (`docs/namely-api.md` §9, §12.9): never parsed; see
//!   [`is_throttle`].
//! - **Which requests the listing limit counts**, and how: see
//!   [`counts_toward_listing_limit`] and [`PROFILE_LISTING_WINDOW`].
//! - **The legacy cursor** `after` (observed in 2015, unverified today): [`CURSOR_PARAM`].
//! - **Sign in with Namely** (OAuth): the redirect URI ([`DEFAULT_REDIRECT_PORT`]), where
//!   `redirect_uri` goes ([`REDIRECT_URI_IN_TOKEN_QUERY`]), which answers mean "refresh"
//!   ([`refreshes_after`]) and which error codes refuse a grant ([`GRANT_REFUSALS`]).

use std::time::Duration;

use reqwest::{Method, StatusCode};

/// Namely's documented page-size ceiling for `GET /profiles` (default 30, maximum 50;
/// `docs/namely-api.md` §5.1). Larger values are clamped, never sent.
pub const PER_PAGE_MAX: u32 = 50;

/// How long to wait after a throttling answer before retrying (`docs/namely-api.md` §9: 100
/// GET /profiles per minute, no `Retry-After`; Namely's advice is to wait about a minute).
pub const THROTTLE_WAIT: Duration = Duration::from_secs(60);

/// Namely's documented limit on the profile listing: 100 `GET /profiles` per minute, more
/// answer 406 (`docs/namely-api.md` §9). The client's pacer keeps to it by default
/// ([`crate::Config::with_listing_pace`]); the 406 retry stays as the fallback for when
/// another program spends the same token's budget.
pub const PROFILE_LISTINGS_PER_MINUTE: u32 = 100;

/// The window [`PROFILE_LISTINGS_PER_MINUTE`] is counted over. Namely says "per minute" and
/// nothing about how it counts (fixed minutes or a sliding window; *unverified*). A sliding
/// window is the stricter reading: a client that keeps to it also keeps to fixed minutes.
pub const PROFILE_LISTING_WINDOW: Duration = Duration::from_secs(60);

/// Which requests the pacer counts toward [`PROFILE_LISTINGS_PER_MINUTE`]: a **GET of the
/// profile listing** (`profiles`, `profiles.json` or `profiles/` under the API base), whatever
/// its query (pages, filters, `sort`, [`CURSOR_PARAM`]). `api_path` is the path after the API
/// base, without a leading `/`.
///
/// Namely documents the limit for "the GET /profiles endpoint" (`docs/namely-api.md` §9).
/// Whether it also counts `GET /profiles/me`, `/profiles/{id}` or `/profiles/fields` is
/// *unverified*; they are separate endpoints in Namely's reference and are not counted here
/// (nor throttled by the simulator). Should one of them draw a 406, [`is_throttle`] still
/// waits it out and retries.
pub fn counts_toward_listing_limit(method: &Method, api_path: &str) -> bool {
    *method == Method::GET && matches!(api_path, "profiles" | "profiles/" | "profiles.json")
}

/// The legacy cursor parameter of `GET /profiles`: `after=<last profile id of the previous
/// page>`, echoed back as `meta.after` (`docs/namely-api.md` §5.1). *Observed in 2015* (Namely's
/// Ruby client paged this way and stopped at the first empty page); current documentation
/// does not mention it, so whether Namely honours it today is **unverified**. A server that
/// ignores it answers the first page to every request, and one that does not know the id may
/// answer an empty page, which looks like the end of the list.
/// [`crate::Client::profiles_after`] sends it; nothing in this crate relies on it.
pub const CURSOR_PARAM: &str = "after";

/// How many times a throttled request is retried before giving up with
/// [`crate::Error::Throttled`] (our choice; Namely documents no number).
pub const THROTTLE_MAX_RETRIES: u32 = 3;

/// Default whole-request timeout (our choice).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Upper bound for the TCP/TLS connect phase, so a connect failure is reported as
/// "never reached Namely" rather than as an ambiguous whole-request timeout.
pub const CONNECT_TIMEOUT_MAX: Duration = Duration::from_secs(10);

/// Is this answer Namely's throttle, to be waited out and retried?
///
/// - **406 on a GET** (`docs/namely-api.md` §9, §12.9). The 406 body is unknown, so it is never
///   parsed. Namely documents the throttle only on `GET /profiles`, but we treat 406 on *any*
///   GET the same way: every request sends `Accept: application/json`, so a genuine
///   "Not Acceptable" is not expected, and retrying a GET is harmless.
/// - **406 on a write** is *not* retried: the limit is documented for GETs only, and a write
///   must never be repeated on a guess.
/// - **429 on any method** (`docs/namely-api.md` §9, §12.9: only a third party claims 429,
///   without evidence; handled defensively). 429 means the server refused the request
///   unprocessed, so retrying a write cannot duplicate it. Any `Retry-After` is ignored:
///   Namely documents none, and the configured wait is used so tests stay fast.
pub fn is_throttle(method: &Method, status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::NOT_ACCEPTABLE && *method == Method::GET)
}

/// Is this a successful create? `docs/namely-api.md` §5.3 and §12.6: the specification says
/// **201**, a 2014 recording shows **200**. Any 2xx is accepted, and the new id is read from
/// `profiles[0].id`.
pub fn is_create_success(status: StatusCode) -> bool {
    status.is_success()
}

/// How `GET /companies/info` reports an unknown permalink is unverified (`docs/namely-api.md`
/// §3, §12.10): it may be a 404, a redirect (e.g. to a marketing or login page) or an HTML
/// page with 200. Redirects are never followed (so the bearer token cannot travel to another
/// host), and all three are reported as [`crate::Error::NotFound`] with a "check the company
/// name" message.
pub fn is_unknown_company(status: StatusCode, is_json: bool) -> bool {
    status == StatusCode::NOT_FOUND || status.is_redirection() || (status.is_success() && !is_json)
}

/// Shape of `GET /companies/info`. Namely's specification shows a bare object
/// (`docs/namely-api.md` §3) but every other resource uses the `{"<plural>":[…]}` envelope
/// (`docs/namely-api.md` §4), so both `{…}` and `{"companies":[{…}]}` are accepted.
pub const COMPANY_INFO_ENVELOPE_KEY: &str = "companies";

/// Reads a Namely date leniently (`docs/namely-api.md` §6: `start_date` came back as
/// `01/15/2011` on one GET and `2011-01-15` on another; field metadata also accepts `1986/8/05`
/// and `1986-8-5`). Accepted: `YYYY-MM-DD` and `YYYY/MM/DD` (padded or not) and US
/// `MM/DD/YYYY`. Anything else, and `""`, gives `None`. Dates are always *written* as
/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let text = text.trim();
    let sep = if text.contains('-') { '-' } else { '/' };
    let mut parts = text.split(sep);
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let num = |s: &str| -> Option<u32> {
        if s.is_empty() || s.len() > 4 || !s.chars().all(|ch| ch.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (year, month, day) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else if c.len() == 4 && sep == '/' {
        (num(c)?, num(a)?, num(b)?)
    } else {
        return None;
    };
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    time::Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()
}

/// The text of a custom field value, or `None` when empty (`docs/namely-api.md` §7: an empty
/// value is `null` or `""`; whitespace-only is treated as empty too). Values are trimmed. Custom
/// *text* fields come back as strings; a number is not text and gives `None` here — see
/// [`crate::Profile::custom_value`] for a reading that renders numbers too.
pub fn custom_text(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim()),
        _ => None,
    }
}

/// Whether a profile's email (`value`, company or personal) answers a lookup by
/// `filter[email]` / `filter[personal_email]` for `wanted`.
///
/// `docs/namely-api.md` §5.1 lists the filters but not how they match: exactly, ignoring
/// case, or by substring. A profile whose email *contains* the one asked for (ignoring case
/// and surrounding spaces) is taken as a possible answer; any other profile means the filter
/// was not applied at all (a gateway dropping query parameters, a tenant ignoring an
/// unknown filter), and a lookup that proves nothing must not let a create through.
pub fn email_filter_answers(value: Option<&str>, wanted: &str) -> bool {
    let wanted = wanted.trim().to_lowercase();
    value.is_some_and(|v| v.trim().to_lowercase().contains(&wanted))
}

/// Whether every change to a profile — made in Namely's screens, by an import or through the
/// API — moves its `updated_at`, so that listing `sort=-updated_at` back to the last refresh
/// shows every profile changed since.
///
/// Unverified (`docs/namely-api.md` §5.1: the reference does not say which changes move it);
/// it is how Rails-style timestamps behave, and the simulator moves it on every create and
/// PUT. The sync relies on it to skip the live lookup by email before each create when its
/// freshly refreshed index already answers (`GuardLookups` in the core crate); set this to
/// `false` and every create is looked up live again (one or two throttled GETs each). The
/// weekly full listing catches what a change without a new `updated_at` would hide.
pub const UPDATED_AT_MOVES_ON_EVERY_CHANGE: bool = true;

// ---- Sign in with Namely (OAuth, `docs/namely-api.md` §2.2, §9 item 8) ----

/// The authorize page, relative to the API base (`/api/v1/`) [doc S4, S2].
pub const AUTHORIZE_PATH: &str = "oauth2/authorize";
/// The token endpoint, relative to the API base [doc S4, obs S3].
pub const TOKEN_PATH: &str = "oauth2/token";

/// The path of the app's redirect URI, `http://127.0.0.1:{port}/namely/callback`.
pub const REDIRECT_PATH: &str = "/namely/callback";
/// The port of the redirect URI unless the person picks another. Whether Namely accepts any
/// loopback port (RFC 8252 §7.3) or matches the registered URI exactly is unverified (§9 item
/// 8), so the app assumes the worst: one fixed address, registered as is.
pub const DEFAULT_REDIRECT_PORT: u16 = 47600;

/// Namely's own client sends `redirect_uri` in the token address's query, and the recorded
/// exchanges show it there [obs S3]; the docs put it in the body [doc S4]. It goes in both.
pub const REDIRECT_URI_IN_TOKEN_QUERY: bool = true;

/// Refresh this long before the access token runs out (Namely gives 899 s).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// OAuth error codes, besides `invalid_grant`, that mean the code or refresh token itself was
/// refused. Unverified (§9 item 8): Namely's token errors are not recorded.
///
/// An error status without a code (`{"error":""}`, `{}`, no body, plain text) is read the
/// same way, also unverified: 400 or 403 refuse the code or refresh token; 401 at sign-in
/// refuses the client (RFC 6749 §5.2: the secret was just typed), and 401 on a refresh the
/// sign-in (the same secret worked before). Both end in "sign in again".
pub const GRANT_REFUSALS: &[&str] = &["invalid_token", "expired_token"];

/// A token answer is a few hundred bytes; anything past this is not one.
pub const MAX_TOKEN_ANSWER_BYTES: usize = 64 * 1024;

/// Whether an API answer with `status` to an OAuth access token means "refresh it and try
/// once more". An expired access token answers 401 (§7); whether Namely ever answers 403
/// instead is unverified (§9 item 8), and third-party connectors refresh on both (source S7). A 403
/// that was really about permissions comes back 403 after the one retry and is reported so.
pub fn refreshes_after(status: StatusCode) -> bool {
    status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN
}

#[cfg(test)]
mod tests {
    use super::email_filter_answers;

    #[test]
    fn an_email_filter_is_answered_by_the_same_or_a_longer_email_only() {
        assert!(email_filter_answers(
            Some("Jane@Acme.com "),
            "jane@acme.com"
        ));
        assert!(email_filter_answers(
            Some("mary.jane@acme.com"),
            "jane@acme.com"
        ));
        assert!(!email_filter_answers(
            Some("john@acme.com"),
            "jane@acme.com"
        ));
        assert!(!email_filter_answers(None, "jane@acme.com"));
    }
}
