//! Part 2: signing in to Namely for the company permalink — whose credential it is, and for
//! which company.

use super::namely::{NamelyCall, namely_failure, namely_host};
use super::owner::owner_verdict;
use super::passed;
use crate::api::SetupStep;
use crate::api::SignInResult;
use time::OffsetDateTime;

/// Part 2: `GET /profiles/me` proves the token works and says whose it is; `GET
/// /companies/info` adds the company's name when it answers. Namely's own recorded traffic
/// shows `/profiles/me` but never `/companies/info` (`docs/namely-api.md` §3, §9 item 10), so a
/// tenant where it answers 404 — or anything else — still signs in. Only when `/profiles/me`
/// says 404 does `/companies/info` decide whether the permalink names no company at all.
#[tracing::instrument(skip_all)]
pub async fn namely_sign_in(namely: &namely::Client, now: OffsetDateTime) -> SignInResult {
    let step = SetupStep::NamelySignIn;
    let me = match namely.me().await {
        Ok(me) => me,
        Err(e) => {
            // A 404 from /profiles/me: no company at this permalink, or no profile for the
            // token's owner. /companies/info tells which.
            let company = namely.company_info().await;
            let check = match (&e, &company) {
                (namely::Error::NotFound { .. }, Err(company)) => {
                    namely_failure(step, namely, NamelyCall::CompanyInfo, company, now)
                }
                _ => namely_failure(step, namely, NamelyCall::Me, &e, now),
            };
            // The company's name, when it answers, says the permalink at least is right.
            let company_name = company
                .ok()
                .and_then(|c| c.name)
                .map(|n| n.trim().to_string());
            return SignInResult {
                check,
                company_name: company_name.filter(|n| !n.is_empty()),
                signed_in_as: None,
            };
        }
    };
    let company = match namely.company_info().await {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::info!(error = %e, "GET /companies/info did not answer; signing in without the company's name");
            None
        }
    };
    let company_name = company
        .as_ref()
        .and_then(|c| c.name.as_deref())
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let candidate = owner_verdict(&me, now);
    let shown_company = company_name.clone().unwrap_or_else(|| namely_host(namely));
    let role = match &candidate.access_role {
        Some(role) => role.clone(),
        None => "access role not shown by Namely".to_string(),
    };
    let summary = format!(
        "Signed in to {shown_company} as {} ({role})",
        candidate.full_name
    );
    let company_detail = match &company {
        Some(c) => format!(
            "GET /companies/info: name {:?}, permalink {:?}.",
            c.name.as_deref().unwrap_or(""),
            c.permalink.as_deref().unwrap_or("")
        ),
        None => "GET /companies/info did not answer (not every Namely tenant serves it).".into(),
    };
    let detail = format!(
        "{company_detail} GET /profiles/me: profile {}, status {}, access role {}. Owner \
         verdict: {}",
        candidate.profile_id,
        candidate.user_status,
        candidate.access_role.as_deref().unwrap_or("(absent)"),
        candidate.reason,
    );
    SignInResult {
        check: passed(step, summary, Some(detail), now),
        company_name,
        signed_in_as: Some(candidate),
    }
}
