//! Every choice the Namely simulator makes where `docs/namely-api.md` marks the real
//! behaviour as unverified or says nothing. One place, so a finding on a real sandbox tenant
//! changes one line here.
//!
//! Documented or observed behaviour is *not* listed here (401 `{"error":""}`, 404
//! `{"message":"Profile not found","errors":[]}`, 422 `{"message":"error creating profile",
//! "errors":[…]}`, `page`/`per_page` default 30 max 50, 406 on GET /profiles above 100 a
//! minute, custom fields as top-level keys named by the field's `name`, …).
//!
//! # Authentication and permissions
//! - Only the `Authorization: Bearer <token>` header is accepted; the legacy
//!   `?access_token=` query parameter seen in 2014 recordings is **not** (answers 401), so a
//!   client that leaks the token into URLs fails here. The scheme word is matched
//!   case-insensitively.
//! - A token whose owner is inactive, or whose owner profile no longer exists → 403 with
//!   [`inactive_owner_body`] (status documented, body unverified; `docs/namely-api.md` §10).
//! - A revoked token answers exactly like an unknown one: 401 `{"error":""}`.
//! - Writing (POST, PUT /profiles) needs the owner's `access_role` to be one of
//!   [`WRITE_ROLES`]; otherwise 403 with [`forbidden_body`].
//! - Custom fields (including `icims_id`) are visible only to [`WRITE_ROLES`] tokens: for other
//!   tokens `GET /profiles/fields` lists no custom field and profiles carry no custom key
//!   (`docs/namely-api.md` §7: a custom field is shown only to tokens whose user may see it).
//! - Order of checks: route → injected faults → auth → throttle → handler.
//!
//! # Throttling
//! - Only the list `GET /profiles` (and `HEAD` of it) is throttled; `/profiles/{id}`,
//!   `/profiles/me` and `/profiles/fields` are not (Namely documents the limit for the
//!   `GET /profiles` endpoint only, `docs/namely-api.md` §9).
//! - Sliding window of [`THROTTLE_WINDOW`]; a request answered 406 does **not** count toward
//!   the window. 406 body: [`throttled_body`]. No `Retry-After`, no rate headers (documented).
//! - A list request counts at the moment it is handled, whatever its query (`page`, filters,
//!   `sort`, `after`, and with or without `.json`). One refused earlier (injected fault, 401,
//!   403) does not count. The `namely` client's pacer counts every list GET it sends, from
//!   sending until the answer arrives and then for a whole window, so it never counts fewer.
//!
//! # Listing
//! - `per_page` above 50 is clamped to 50 (not rejected); `per_page` or `page` that is
//!   missing, zero or not a number falls back to the default (30, 1).
//! - `filter[email]` and `filter[personal_email]` match case-insensitively (exact value);
//!   `filter[first_name]`, `filter[last_name]`, `filter[job_title]` (title) and
//!   `filter[user_status]` match case-sensitively (exact value).
//! - Unknown filters — notably `filter[icims_id]` — are **ignored**, so the unfiltered list
//!   comes back (as a typical Rails app does). A client relying on them gets wrong matches.
//! - Unknown `sort` values are ignored; the default order is creation order. `sort` on
//!   `updated_at` (epoch seconds) is stable: ties keep creation order.
//! - `updated_at` is set to now by every create and PUT (and by a `user_status` change made
//!   through the simulator). Seeded profiles, and those added with `add_employee`, are
//!   back-dated (2019 on, a day apart); `add_employee_now` stamps now.
//! - `profile_format=short` keeps only the keys Namely documents as always present
//!   (`docs/namely-api.md` §6).
//! - **Cursor `after`** (unverified; `docs/namely-api.md` §5.1: Namely's Ruby client paged
//!   `GET /profiles?limit=N&after=<last profile id>` and stopped at the first empty page, and
//!   the 2015 answers echoed `meta.after`; current documentation does not mention it). By
//!   default `after` and `limit` are ignored like unknown parameters, so a client paging by
//!   `after` reads the first page over and over. With `NamelySimConfig::page_ignored` the
//!   legacy behaviour is modelled instead, worst case first: `page` is ignored (every request
//!   starts at the beginning); `after=<id>` answers the profiles that follow that id in the
//!   listing's order, after filters and `sort`; an `after` id that is not in that (filtered,
//!   visible) list answers an **empty page** with `meta.total_count` unchanged (a silent end,
//!   not an error); an empty `after=` counts as absent; `limit` is the page size when
//!   `per_page` is absent (default 30, clamped to 50 like `per_page`); a given `after` is
//!   echoed as a string in `meta.after`.
//!
//! # Creating and updating profiles
//! - A missing `user_status` on POST counts as `active` (the 2014 recording produced
//!   `inactive`; this simulator deliberately chose `active`). Required per status
//!   ([`required_for`]): active → first_name, last_name, email, start_date; pending →
//!   first_name, last_name, personal_email, start_date; inactive → first_name, last_name, email.
//! - The **company `email` must be unique** across all profiles (case-insensitive): duplicate →
//!   422 with [`DUPLICATE_EMAIL`] (undocumented, `docs/namely-api.md` §9). `personal_email`
//!   need not be unique. `NamelySimConfig::email_unique: false` turns the check off (POST and
//!   PUT), for the worst case where Namely stops no duplicate.
//! - The envelope must hold exactly one profile (`{"profiles":[{…}]}`); anything else → 422.
//!   A body that is not JSON → 400 `{"message":"invalid JSON","errors":[…]}`.
//! - Unknown top-level keys are ignored silently, so a custom-field key that matches no field
//!   (e.g. `icims_id` when the tenant's field is missing or misspelt) stores nothing.
//!   Read-only keys (`id`, `full_name`, `created_at`, `updated_at`, `links`, `image`,
//!   `office`) and `access_role` are ignored too; new profiles get the role [`DEFAULT_ROLE`].
//! - PUT validates only the keys it carries; a required key sent empty, or a `user_status`
//!   change whose required keys are then empty, is 422 `"error updating profile"`.
//!   `home` and `salary` are replaced as a whole. `user_status: "inactive"` is accepted on PUT.
//! - Error texts other than `"<field> is a required field"` are invented, e.g.
//!   `home state_id 'XX' is not valid`, `start_date '2024-13-01' is not a valid date`.
//! - Dates: `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY-M-D`, `YYYY/M/D` are accepted and stored and
//!   returned as `YYYY-MM-DD`.
//! - `home`: `country_id` must be one of the ISO alpha-2 codes in `geo::COUNTRIES` (upper case
//!   only) and is required when any part is given; for US and CA `state_id` must be a listed
//!   subdivision code (required for US); a US `zip` must be `12345` or `12345-6789`. Other
//!   parts are free text.
//! - `job_title`: `{"id"}`, `{"title"}` or a plain string (id or title); the title match is
//!   case-sensitive; an unknown one → 422. `reports_to`: an existing profile id.
//! - Custom fields: `text`/`longtext` take a string or a number (stored as a string);
//!   `number` takes a number or a numeric string (stored as a number); `date` takes a date;
//!   anything else takes a string. Empty string stores null.
//! - `salary.currency_type` must be `USD` (Namely's specification says so) and defaults to it.
//! - POST answers 201 (the specification, `docs/namely-api.md` §5.3), not the 200 seen in 2014.
//! - `reports_to` when unset is returned as `[{"id":"no_guid","first_name":"Nobody",
//!   "last_name":"None","email":null}]`.
//!
//! # Consistency knobs (off by default)
//! - `NamelySimConfig::read_lag`: a read replica or search index behind the primary. Only
//!   profiles created through POST lag; PUTs to them and updates of older profiles are seen
//!   at once (no stale field values are simulated). Writes (uniqueness check, PUT by id,
//!   `reports_to`) and authentication read the primary, so a retried POST after a lost 201
//!   can be refused as a duplicate while a lookup still finds nothing. Measured on the real
//!   wall clock; `advance_clock` does not move it.
//! - `NamelySimConfig::ignore_email_filter`: `filter[email]` / `filter[personal_email]` are
//!   treated like unknown filters (ignored), as a gateway or tenant that drops them would;
//!   any other filter, `sort`, `page`, `per_page` still apply.
//!
//! # OAuth (`super::oauth`; `docs/namely-api.md` §2.2, §9 item 8)
//! Recorded (2014 cassettes `token.yml`, `token_refresh.yml`) and modelled as recorded: the
//! token request (form body, `redirect_uri` in the query), the 200 answer
//! `{"access_token","refresh_token","token_type":"bearer","expires_in":899}` with
//! `Cache-Control: no-store` and `Pragma: no-cache`, and a refresh answer without a
//! `refresh_token`. Everything else is unverified, worst case first:
//! - **Redirect URI: exact match.** The authorize request must carry a `redirect_uri` equal,
//!   byte for byte, to one the app registered (no loopback port wildcard, no prefix match, no
//!   default when it is missing); otherwise a 400 HTML page and no redirect. The token
//!   request must repeat it (body or query), else 400 `invalid_request`; another one is
//!   `invalid_grant`.
//! - **Error shapes** of the token and revoke endpoints: RFC 6749 §5.2 JSON
//!   `{"error","error_description"}` with Doorkeeper's wording (Namely is a Rails app):
//!   401 `invalid_client` (unknown client, wrong secret, none given; `WWW-Authenticate` when
//!   HTTP Basic was used), 400 `invalid_grant`, `invalid_request`, `unsupported_grant_type`.
//!   The check order is: `grant_type` present, client authentication, grant type, grant.
//!   A client must also cope with a bare 401 `{"error":""}` or an HTML page (injected faults).
//! - Client authentication is accepted in the form body or by HTTP Basic (RFC 6749 §2.3.1,
//!   id and secret form-encoded before base64), Basic first.
//! - Codes: single use, 10 minutes on the simulator's clock. A code used twice answers
//!   `invalid_grant` and revokes every token it produced, refreshed ones included (RFC 6749
//!   §4.1.2 "SHOULD"). Access tokens of an expired or revoked grant answer 401 `{"error":""}`
//!   like an unknown token (whether Namely says 401 or 403 for an expired token is unknown:
//!   §9 item 8).
//! - Refresh tokens never expire here (30 days per an older page). Whether a refresh returns
//!   one is the knob `NamelySimConfig::refresh_rotation`: omitted (default, as recorded), the
//!   same one, or a new one that revokes the old.
//! - **The revoke endpoint** (`POST /oauth2/revoke`, RFC 7009) is not documented by Namely at
//!   all. Here: `token` + client authentication → 200 `{}`; a refresh token takes the access
//!   tokens of its sign-in with it; unknown tokens and other clients' tokens answer 200 and
//!   revoke nothing.
//! - The consent page (Namely's real one sits behind its web login) offers the configured
//!   token owners as "who you are", Olivia Owner first and selected; an inactive person may
//!   accept (its token then answers 403 like its personal access token). An unknown `user`
//!   on Accept is a 400 page (on Deny it is not looked at). `approve=true`, which Namely's
//!   Ruby gem adds to the authorize URL, is ignored. No `scope`, no PKCE.
//! - Denial redirects with `error=access_denied` and an `error_description`; an unsupported
//!   `response_type` with `error=unsupported_response_type`, a missing one with
//!   `error=invalid_request`. `state` is echoed exactly, and left out when none was sent.
//!
//! # Faults and unknown routes
//! - Injected failures answer [`fault_body`]: `{"message":"<reason>","errors":[]}` (a 401
//!   answers `{"error":""}`, a 406 the throttle body).
//! - Unknown routes → 404 `{"message":"Not found","errors":[]}`; a known route with another
//!   method → 405.
//! - `GET /companies/info` needs no token and ignores any token sent.
//!
//! # Recorded traffic (`NamelySimConfig::recorded`)
//! By default the simulator answers as Namely's *specification* describes: every profile
//! carries `access_role`, and `GET /companies/info` exists. The only real answers on record
//! (the Ruby client's 2014–2015 cassettes, `docs/namely-api.md` §1 S3) disagree or are silent:
//! - `access_role`: the recorded `GET /profiles/me` (`current_user.yml`) returned only `id,
//!   email, first_name, last_name, user_status, links`, and the recorded full profiles (list
//!   and single GET) have no `access_role` key at all (`docs/namely-api.md` §9 item 13). With
//!   `include_access_role: false` no profile anywhere has the key (list, single GET, `/me`,
//!   POST and PUT answers, and the simulator's own inspection methods), so a client must say
//!   "could not verify the access role" rather than "not an Administrator".
//! - `/companies/info`: documented in the specification only (§3), never recorded, and its
//!   answer for an unknown permalink is unknown (§9 item 10). With `companies_info: false` it
//!   answers 404 `{"message":"Not found","errors":[]}` exactly like an unknown route (any
//!   method, before injected faults), so a client must not need it to connect.
//!
//! [`crate::namely::NamelySimConfig::recorded`] turns both off (and
//! `include_access_role_on_me`), so a client can be tested against the least the real API is
//! known to send.

use std::time::Duration;

use serde_json::{Value, json};

/// Roles that may create and update profiles and see custom fields.
pub const WRITE_ROLES: &[&str] = &["Administrator", "HR Admin"];

/// Role given to profiles created through the API.
pub const DEFAULT_ROLE: &str = "Employee";

/// The throttle window (100 requests per minute, `docs/namely-api.md` §9).
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(60);

/// 422 message for a duplicate company email.
pub const DUPLICATE_EMAIL: &str = "email has already been taken";

/// 403 body when the token's owner is inactive or deleted.
pub fn inactive_owner_body() -> Value {
    json!({ "message": "Forbidden: the owner of this access token is not an active user", "errors": [] })
}

/// 403 body when the owner's access role may not do this.
pub fn forbidden_body() -> Value {
    json!({ "message": "You do not have permission to perform this action", "errors": [] })
}

/// 406 body when GET /profiles is throttled.
pub fn throttled_body() -> Value {
    json!({ "message": "Rate limit exceeded", "errors": [] })
}

/// Body of an injected failure with the given status.
pub fn fault_body(status: u16) -> Value {
    match status {
        401 => json!({ "error": "" }),
        406 => throttled_body(),
        _ => {
            let reason = axum::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            json!({ "message": reason, "errors": [] })
        }
    }
}

/// Keys that must be non-empty for a profile with this `user_status`.
pub fn required_for(user_status: &str) -> &'static [&'static str] {
    match user_status {
        "pending" => &["first_name", "last_name", "personal_email", "start_date"],
        "inactive" => &["first_name", "last_name", "email"],
        _ => &["first_name", "last_name", "email", "start_date"],
    }
}
