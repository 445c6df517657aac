//! Part 2: signing in to Namely for the company permalink — whose credential it is, and for
//! which company.

use super::namely::{NamelyCall, namely_failure, namely_host};
use super::owner::owner_verdict;
use super::passed;
use crate::api::SetupStep;
use crate::api::SignInResult;
use time::OffsetDateTime;

/// Part 2: `GET /companies/info` (the company exists, its name) and `GET /profiles/me` (the
/// token works, and whose it is).
#[tracing::instrument(skip_all)]
pub async fn namely_sign_in(namely: &namely::Client, now: OffsetDateTime) -> SignInResult {
    let step = SetupStep::NamelySignIn;
    let company = match namely.company_info().await {
        Ok(c) => c,
        Err(e) => {
            return SignInResult {
                check: namely_failure(step, namely, NamelyCall::CompanyInfo, &e, now),
                company_name: None,
                signed_in_as: None,
            };
        }
    };
    let company_name = company
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    let me = match namely.me().await {
        Ok(me) => me,
        Err(e) => {
            return SignInResult {
                check: namely_failure(step, namely, NamelyCall::Me, &e, now),
                company_name,
                signed_in_as: None,
            };
        }
    };
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
    let detail = format!(
        "GET /companies/info: name {:?}, permalink {:?}. GET /profiles/me: profile {}, status {}, \
         access role {}. Owner verdict: {}",
        company.name.as_deref().unwrap_or(""),
        company.permalink.as_deref().unwrap_or(""),
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
