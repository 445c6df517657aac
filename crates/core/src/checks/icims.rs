//! Part 4: the iCIMS connection — Customer ID, Username and HMAC key — and this computer's
//! clock, proven by one signed call.

use super::{failed, passed, rfc3339};
use crate::api::{CheckCode, CheckResult, Field, SetupStep};
use crate::connection::IcimsRegion;
use time::{Duration, OffsetDateTime};

/// The largest difference between this computer's clock and iCIMS's that is not reported.
/// iCIMS's own tolerance is unknown (`docs/icims-api.md` §2.4); five minutes is the usual window of
/// signed-request schemes.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// iCIMS's usual daily request limit (`docs/icims-api.md` §6), shown when a refusal does not say the
/// customer's own.
const USUAL_DAILY_LIMIT: u64 = 10_000;

const INTEGRATION_GROUP_FIX_TAIL: &str = "Ask your iCIMS integration specialist to add it, then \
                                          Test again.";

/// Immediate form errors of part 4, before anything is sent: the Customer ID is digits, the
/// Username is set, and the HMAC key (when a new one is given; `None` keeps the saved one) is
/// not empty and has no surrounding spaces or line breaks. The key is never repeated back.
pub fn validate_icims_input(
    customer_id: &str,
    username: &str,
    key: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), CheckResult> {
    let step = SetupStep::Icims;
    let bad = |summary: &str, fix: &str, field: Field| {
        Err(failed(
            step,
            CheckCode::IcimsInputInvalid,
            summary,
            fix,
            Some(field),
            None,
            now,
        ))
    };
    let id = customer_id.trim();
    if id.is_empty() {
        return bad(
            "Enter the iCIMS Customer ID.",
            "It is a number, such as 1234, that your iCIMS integration specialist gives you.",
            Field::IcimsCustomerId,
        );
    }
    if !id.chars().all(|c| c.is_ascii_digit()) || id.len() > 18 {
        return bad(
            "The Customer ID is digits only, like 1234.",
            "Enter the number your iCIMS integration specialist gave you (it is the number in \
             iCIMS's /customers/1234/ addresses).",
            Field::IcimsCustomerId,
        );
    }
    let user = username.trim();
    if user.is_empty() {
        return bad(
            "Enter the iCIMS Username.",
            "It is the name of the iCIMS integration user, from your iCIMS integration \
             specialist.",
            Field::IcimsUsername,
        );
    }
    if user
        .chars()
        .any(|c| !c.is_ascii() || c.is_ascii_control() || c == ',')
    {
        return bad(
            "The Username may hold only plain letters, digits and punctuation, and no commas.",
            "Copy the Username again from your iCIMS integration specialist's message.",
            Field::IcimsUsername,
        );
    }
    if let Some(key) = key {
        if key.is_empty() {
            return bad(
                "Paste the HMAC key.",
                "Your iCIMS integration specialist gives it with the Username.",
                Field::IcimsHmacKey,
            );
        }
        if key.trim() != key {
            return bad(
                "The HMAC key starts or ends with a space or line break.",
                "Paste it again without them; the key is case-sensitive and must be exact.",
                Field::IcimsHmacKey,
            );
        }
        if key.chars().any(char::is_control) {
            return bad(
                "The HMAC key contains a line break or another invisible character.",
                "Paste it again exactly as iCIMS issued it.",
                Field::IcimsHmacKey,
            );
        }
    }
    Ok(())
}

/// `api.icims.com` (or `127.0.0.1:PORT` for the sandbox).
fn icims_host(icims: &icims::Client) -> String {
    let base = icims.config().base_url();
    match url::Url::parse(base) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => base.to_string(),
        },
        Err(_) => base.to_string(),
    }
}

/// 9950 → "9,950".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether a 404 from the ping (a search under `/customers/{id}/`) means the customer does
/// not exist: any 404 but errorCode 3 (access denied, which iCIMS also answers as 404; `docs/icims-api.md` §7).
fn is_customer_not_found(e: &icims::Error) -> bool {
    matches!(e, icims::Error::NotFound { .. }) && !e.is_access_denied()
}

/// The clock-skew failure when this computer's clock (`now`) and iCIMS's `Date` differ by more
/// than [`MAX_CLOCK_SKEW`].
fn clock_skew(
    now: OffsetDateTime,
    server_date: Option<OffsetDateTime>,
    context: &str,
) -> Option<CheckResult> {
    let server = server_date?;
    let skew = now - server;
    if skew.abs() <= MAX_CLOCK_SKEW {
        return None;
    }
    let minutes = (skew.abs().whole_seconds() + 30) / 60;
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    let direction = if skew.is_positive() {
        "ahead of"
    } else {
        "behind"
    };
    Some(failed(
        SetupStep::Icims,
        CheckCode::ClockSkew,
        format!(
            "Your computer's clock is {minutes} {unit} off; iCIMS rejects signed requests when \
             clocks differ."
        ),
        "Turn on automatic date & time, then Test again.",
        None,
        Some(format!(
            "This computer's clock reads {} and iCIMS's reads {}: {minutes} {unit} {direction} \
             iCIMS (more than {} allowed). {context}",
            rfc3339(now),
            rfc3339(server),
            MAX_CLOCK_SKEW.whole_minutes()
        )),
        now,
    ))
}

/// Part 4: one cheap signed call ([`icims::Client::ping`]) proves the Customer ID, Username,
/// HMAC key, Search API access and this computer's clock.
///
/// `region` is the region `icims` points at. `alternate_region`, when given, is a client for
/// the same customer in the other region: it is asked only when `icims` answers "no such
/// customer", to tell an EU customer tested against the US host (or the reverse) from a wrong
/// Customer ID.
#[tracing::instrument(skip_all)]
pub async fn icims(
    icims: &icims::Client,
    region: IcimsRegion,
    alternate_region: Option<&icims::Client>,
    now: OffsetDateTime,
) -> CheckResult {
    let step = SetupStep::Icims;
    let customer = icims.config().customer_id().to_string();
    let user = icims.config().username().to_string();
    let host = icims_host(icims);
    let call = format!(
        "POST {}/customers/{customer}/search/applicantworkflows (signed as {user})",
        icims.config().base_url()
    );
    let err = match icims.ping().await {
        Ok(reply) => {
            if let Some(skew) = clock_skew(
                now,
                reply.server_date,
                "iCIMS accepted this request, but may refuse the next ones.",
            ) {
                return skew;
            }
            let remaining = reply.rate_limit.and_then(|r| r.remaining);
            let summary = match remaining {
                Some(n) => format!(
                    "Connected to iCIMS customer {customer} as {user} ({} calls left today).",
                    thousands(n)
                ),
                None => format!("Connected to iCIMS customer {customer} as {user}."),
            };
            let rl = reply.rate_limit.unwrap_or_default();
            let detail = format!(
                "{call}: OK. Daily limit {}, remaining {}, resets in {} s. Server date {}.",
                rl.limit.map_or("unknown".into(), thousands),
                rl.remaining.map_or("unknown".into(), thousands),
                rl.reset_secs.map_or("unknown".into(), |s| s.to_string()),
                reply
                    .server_date
                    .map_or_else(|| "not sent".to_string(), rfc3339),
            );
            return passed(step, summary, Some(detail), now);
        }
        Err(e) => e,
    };
    let detail = Some(format!("{call}: {err}"));
    // The refused reply's headers (iCIMS's clock, the real daily limit). Only an error that
    // came with a reply has any: after a transport failure `last_reply` would be an older one.
    let reply = err
        .http_status()
        .and_then(|_| icims.last_reply())
        .filter(|r| r.status >= 400);
    use icims::Error as E;
    match &err {
        E::BadCredentials { .. } => {
            if let Some(skew) = clock_skew(
                now,
                reply.and_then(|r| r.server_date),
                &format!("{call}: {err}"),
            ) {
                return skew;
            }
            let server_date = reply
                .and_then(|r| r.server_date)
                .map(|d| {
                    format!(
                        " iCIMS's clock reads {}, within {} minutes of this computer's.",
                        rfc3339(d),
                        MAX_CLOCK_SKEW.whole_minutes()
                    )
                })
                .unwrap_or_default();
            failed(
                step,
                CheckCode::IcimsCredentialsRefused,
                "iCIMS did not accept the Username or HMAC key.",
                "Check both with your iCIMS integration specialist; the key is case-sensitive. \
                 If they are right, make sure this computer sets its date & time automatically: \
                 iCIMS also refuses signed requests when clocks differ.",
                Some(Field::IcimsHmacKey),
                Some(format!("{call}: {err}{server_date}")),
                now,
            )
        }
        e if is_customer_not_found(e) => {
            let here = region;
            let there = region.other();
            let summary = format!("iCIMS has no customer {customer} in the {here} region.");
            let elsewhere = match alternate_region {
                Some(alt) => match alt.ping().await {
                    Ok(_) => Some("answered".to_string()),
                    Err(alt_err) if is_customer_not_found(&alt_err) => None,
                    // No answer at all says nothing about the customer.
                    Err(E::Transport { .. } | E::InvalidConfig(_)) => None,
                    Err(alt_err) => Some(format!("answered: {alt_err}")),
                },
                None => None,
            };
            match elsewhere {
                Some(how) => failed(
                    step,
                    CheckCode::IcimsWrongRegion,
                    summary,
                    format!(
                        "This looks like {} customer — choose the {there} region.",
                        match region.other() {
                            IcimsRegion::Us => "a US",
                            IcimsRegion::Eu => "an EU",
                        }
                    ),
                    Some(Field::IcimsRegion),
                    Some(format!(
                        "{call}: {err} The {there} host ({}) {how}.",
                        alternate_region.map(icims_host).unwrap_or_default()
                    )),
                    now,
                ),
                None => failed(
                    step,
                    CheckCode::IcimsCustomerNotFound,
                    summary,
                    format!(
                        "Check the Customer ID with your iCIMS integration specialist: it is the \
                         number in your iCIMS API addresses (/customers/1234/). If your iCIMS is \
                         hosted in the {there} region, choose {there}."
                    ),
                    Some(Field::IcimsCustomerId),
                    detail,
                    now,
                ),
            }
        }
        E::NotFound { .. } | E::BadRequest { .. } => failed(
            step,
            CheckCode::IcimsNotIntegrationUser,
            format!(
                "iCIMS refused the search for {user}: the iCIMS user must be in the Integration \
                 User group."
            ),
            format!("{user} is not allowed to search. {INTEGRATION_GROUP_FIX_TAIL}"),
            Some(Field::IcimsUsername),
            detail,
            now,
        ),
        E::RateLimited { reset_secs } => {
            let when = reset_secs
                .map(|s| {
                    let reset = now + Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2));
                    format!(" Resets at {} (in {s} s).", rfc3339(reset))
                })
                .unwrap_or_default();
            let limit = reply.and_then(|r| r.rate_limit).and_then(|rl| rl.limit);
            let limit_note = match limit {
                Some(_) => " The limit shown is iCIMS's x-ratelimit-limit.",
                None => {
                    " The limit shown is iCIMS's usual daily limit; iCIMS did not say yours, \
                     which may differ."
                }
            };
            failed(
                step,
                CheckCode::IcimsBudgetExhausted,
                format!(
                    "iCIMS allowed no more calls today (limit {}); it resets at midnight UTC.",
                    thousands(limit.unwrap_or(USUAL_DAILY_LIMIT))
                ),
                "Test again after midnight UTC, or ask iCIMS for a larger daily limit.",
                None,
                Some(format!("{call}: {err}{when}{limit_note}")),
                now,
            )
        }
        E::Transport {
            timed_out: true, ..
        } => failed(
            step,
            CheckCode::VendorTimeout,
            format!("iCIMS at {host} did not answer in time."),
            "Check the internet connection, then Test again.",
            None,
            detail,
            now,
        ),
        E::Transport { .. } => failed(
            step,
            CheckCode::VendorUnreachable,
            format!("Could not reach iCIMS at {host}."),
            "Check the internet connection, proxy and firewall, then Test again. If your iCIMS \
             user has IP address restrictions, ask your iCIMS integration specialist to allow \
             this computer.",
            None,
            detail,
            now,
        ),
        E::Server { .. } => failed(
            step,
            CheckCode::VendorUnavailable,
            "iCIMS had a temporary problem.",
            "Test again in a few minutes. If it keeps happening, contact iCIMS support.",
            None,
            detail,
            now,
        ),
        // A website answered, or the address redirected: not iCIMS's API at this address.
        E::WebPage { .. } | E::Redirected { .. } => failed(
            step,
            CheckCode::SettingsInvalid,
            "A web page answered instead of iCIMS's API — check the region and address.",
            "Choose the region your iCIMS is hosted in; if an iCIMS address was set for this \
             connection, check it with your iCIMS integration specialist. Then Test again.",
            Some(Field::IcimsRegion),
            detail,
            now,
        ),
        E::InvalidConfig(_) => failed(
            step,
            CheckCode::SettingsInvalid,
            "The iCIMS settings are not valid.",
            "Check the Customer ID, Username and HMAC key, then Test again.",
            None,
            detail,
            now,
        ),
        _ => failed(
            step,
            CheckCode::UnexpectedAnswer,
            "iCIMS answered in a way this app did not expect.",
            "Test again. If it keeps happening, send the Details to support.",
            None,
            detail,
            now,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn thousands_groups() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (9950, "9,950"),
            (10_000, "10,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(thousands(n), s);
        }
    }

    #[test]
    fn skew_rounds_to_minutes_and_ignores_small() {
        let now = datetime!(2026-11-27 10:07:00 UTC);
        assert!(clock_skew(now, Some(datetime!(2026-11-27 10:02:00 UTC)), "").is_none());
        assert!(clock_skew(now, None, "").is_none());
        let r = clock_skew(now, Some(datetime!(2026-11-27 10:00:01 UTC)), "").unwrap();
        assert!(r.summary.contains("is 7 minutes off"), "{}", r.summary);
        assert!(r.detail.unwrap().contains("ahead of"));
        let r = clock_skew(now, Some(datetime!(2026-11-27 10:19:00 UTC)), "").unwrap();
        assert!(r.summary.contains("is 12 minutes off"), "{}", r.summary);
        assert_eq!(r.checked_at, "2026-11-27T10:07:00Z");
    }
}
