//! The live lookup of a hire by email, company and personal, that guards every create — and
//! fails closed when Namely evidently ignored the filter.

use super::Namely;
use super::index::entry_from_profile;
use crate::domain::IndexEntry;
use std::time::Duration;

impl Namely<'_> {
    /// Profiles whose company email is `email` (exact, live), as index entries. With
    /// `personal`, also those whose *personal* email it is (a profile HR added by hand with
    /// the candidate's own address as personal email): one more throttled GET.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn lookup(
        &self,
        email: &str,
        field: &str,
        personal: bool,
    ) -> Result<Vec<IndexEntry>, LookupError> {
        let client = self.client;
        let email = email.trim();
        let profiles = self
            .get_with_retries("profiles by email", || client.find_by_email(email))
            .await?;
        // Fail closed: a tenant or gateway that ignores the filter answers with other people,
        // and "none of them has this email" would then prove nothing.
        let mut profiles = only_matching(profiles, "filter[email]", email, |p| p.email.as_deref())?;
        if personal {
            let filter = namely::ProfileFilter::personal_email(email);
            let more = self
                .get_with_retries("profiles by personal email", || {
                    client.profiles_page(1, namely::PER_PAGE_MAX, &filter)
                })
                .await?;
            let more = only_matching(more.profiles, "filter[personal_email]", email, |p| {
                p.personal_email.as_deref()
            })?;
            for p in more {
                if !profiles.iter().any(|q| q.id == p.id) {
                    profiles.push(p);
                }
            }
        }
        Ok(profiles
            .iter()
            .map(|p| entry_from_profile(p, field))
            .collect())
    }
}

/// Why a lookup by email could not tell whether the email is taken.
#[derive(Debug)]
pub(crate) enum LookupError {
    Namely(namely::Error),
    /// Namely answered a filtered lookup with profiles that do not match the filter.
    FilterIgnored {
        filter: &'static str,
        shown: usize,
    },
}

impl From<namely::Error> for LookupError {
    fn from(e: namely::Error) -> Self {
        LookupError::Namely(e)
    }
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LookupError::Namely(e) => e.fmt(f),
            LookupError::FilterIgnored { filter, shown } => write!(
                f,
                "Namely answered a lookup by {filter} with {shown} profile(s) that do not have \
                 that email, so it seems to ignore the filter and cannot prove an email is free"
            ),
        }
    }
}

/// The profiles of a filtered lookup, if every one of them answers the filter (its email
/// contains the one asked for, ignoring case); `Err` when Namely evidently ignored it.
fn only_matching(
    profiles: Vec<namely::Profile>,
    filter: &'static str,
    email: &str,
    field: impl Fn(&namely::Profile) -> Option<&str>,
) -> Result<Vec<namely::Profile>, LookupError> {
    // How the filters match is not documented: `namely::assumptions::email_filter_answers`.
    let others = profiles
        .iter()
        .filter(|p| !namely::assumptions::email_filter_answers(field(p), email))
        .count();
    if others > 0 {
        tracing::warn!(filter, others, "Namely ignored a lookup filter");
        return Err(LookupError::FilterIgnored {
            filter,
            shown: others,
        });
    }
    Ok(profiles)
}

/// Pause before looking a person up after an ambiguous create, so a create Namely is still
/// finishing has landed.
pub(crate) const SETTLE_BEFORE_LOOKUP: Duration = Duration::from_millis(300);
