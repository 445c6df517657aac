//! Step 2: what the engine knows of Namely's profiles, and the live lookup that guards every
//! create.
//!
//! The index (`icims_id` and emails → profile) is kept in the local store. It is rebuilt from
//! a full listing of `GET /profiles` — every status, 50 a page, stopping at the first empty
//! page — when there is none yet, when the last listing was not complete, or when it is older
//! than [`super::FULL_INDEX_MAX_AGE`]. Otherwise the stored index is used as it is, and kept
//! current with what this app itself learns: every profile it creates and every profile a
//! lookup returns is upserted. See the module docs of [`super`] for why a stale index cannot
//! lead to a duplicate: [`Namely::lookup`] (company and personal email) runs before every
//! create.

use super::{NAMELY_LOOKUP_ATTEMPTS, Namely, Reporter, backoff, cancelled};
use crate::api::SyncPhase;
use crate::domain::{IcimsPersonId, IndexEntry, NamelyProfileId};
use crate::store::IndexMeta;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use time::OffsetDateTime;

/// Whether the stored index must be rebuilt from a full listing before planning.
pub(crate) fn needs_full_rebuild(meta: Option<&IndexMeta>, now: OffsetDateTime) -> bool {
    match meta {
        None => true,
        Some(m) if !m.full => true,
        Some(m) => {
            let age = now - m.refreshed_at;
            age.is_negative() || age > super::FULL_INDEX_MAX_AGE
        }
    }
}

/// What the index keeps of a Namely profile. `field` is the `icims_id` custom field's name.
pub(crate) fn entry_from_profile(p: &namely::Profile, field: &str) -> IndexEntry {
    let lower = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase)
    };
    let full_name = match p.full_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => [p.first_name.as_deref(), p.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    };
    IndexEntry {
        profile_id: NamelyProfileId(p.id.as_str().to_string()),
        icims_id: p.custom_value(field),
        email: lower(&p.email),
        personal_email: lower(&p.personal_email),
        full_name,
        user_status: p
            .user_status
            .as_ref()
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_default(),
    }
}

/// What Namely holds for one hire's email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// A profile carries this hire's `icims_id`.
    Ours(IndexEntry),
    /// A profile has the email but no or another `icims_id`.
    Taken(IndexEntry),
    Nobody,
}

/// Classify what a lookup returned for `email` and `person`.
pub(crate) fn classify(entries: &[IndexEntry], email: &str, person: IcimsPersonId) -> Found {
    let id = person.to_string();
    if let Some(e) = entries
        .iter()
        .find(|e| e.icims_id.as_deref().map(str::trim) == Some(id.as_str()))
    {
        return Found::Ours(e.clone());
    }
    let email = email.trim().to_lowercase();
    match entries.iter().find(|e| {
        e.email.as_deref() == Some(email.as_str())
            || e.personal_email.as_deref() == Some(email.as_str())
    }) {
        Some(e) => Found::Taken(e.clone()),
        None => Found::Nobody,
    }
}

/// "who has no icims_id" / "who has icims_id 12 (a different iCIMS person)".
pub(crate) fn whose(entry: &IndexEntry) -> String {
    match entry
        .icims_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => "who has no icims_id".to_string(),
        Some(other) => format!("who has icims_id {other} (a different iCIMS person)"),
    }
}

/// "Jane Doe", or the profile id when Namely gave no name.
pub(crate) fn name_of(entry: &IndexEntry) -> String {
    match entry.full_name.trim() {
        "" => format!("Namely profile {}", entry.profile_id),
        name => name.to_string(),
    }
}

/// Whether a failed Namely read may succeed if simply repeated.
fn is_transient(e: &namely::Error) -> bool {
    matches!(
        e,
        namely::Error::Server { .. }
            | namely::Error::Transport { .. }
            | namely::Error::Decode { .. }
    )
}

impl Namely<'_> {
    /// One GET with retries of transient failures (throttling is waited out by the client).
    async fn get_with_retries<T, F, Fut>(&self, what: &str, mut send: F) -> Result<T, namely::Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, namely::Error>>,
    {
        let mut attempt = 1;
        loop {
            self.tick();
            match send().await {
                Err(e) if is_transient(&e) && attempt < NAMELY_LOOKUP_ATTEMPTS => {
                    tracing::info!(what, attempt, error = %e, "Namely read failed; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Every profile, all statuses, as index entries. Progress is reported after each page.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn list_all(
        &self,
        field: &str,
        reporter: &Reporter<'_>,
        cancel: Option<&AtomicBool>,
    ) -> Result<Option<Vec<IndexEntry>>, namely::Error> {
        let filter = namely::ProfileFilter::default();
        let mut entries = Vec::new();
        let mut previous_first: Option<namely::ProfileId> = None;
        let mut page = 1u32;
        loop {
            if cancelled(cancel) {
                return Ok(None);
            }
            let client = self.client;
            let batch = self
                .get_with_retries("the list of profiles", || {
                    client.profiles_page(page, namely::PER_PAGE_MAX, &filter)
                })
                .await?;
            let Some(first) = batch.profiles.first() else {
                break;
            };
            if previous_first.as_ref() == Some(&first.id) {
                return Err(namely::Error::Decode {
                    message: format!(
                        "page {page} of the profile list repeated page {}; stopped reading",
                        page - 1
                    ),
                });
            }
            previous_first = Some(first.id.clone());
            entries.extend(batch.profiles.iter().map(|p| entry_from_profile(p, field)));
            let total = batch.meta.total_count.and_then(|t| usize::try_from(t).ok());
            reporter.report(SyncPhase::IndexingNamely, entries.len(), total);
            page = page.checked_add(1).ok_or_else(|| namely::Error::Decode {
                message: "too many pages of profiles".into(),
            })?;
        }
        Ok(Some(entries))
    }

    /// Profiles whose company email is `email` (exact, live), as index entries. With
    /// `personal`, also those whose *personal* email it is (a profile HR added by hand with
    /// the candidate's own address as personal email): one more throttled GET.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn lookup(
        &self,
        email: &str,
        field: &str,
        personal: bool,
    ) -> Result<Vec<IndexEntry>, namely::Error> {
        let client = self.client;
        let email = email.trim();
        let mut profiles = self
            .get_with_retries("profiles by email", || client.find_by_email(email))
            .await?;
        if personal {
            let filter = namely::ProfileFilter::personal_email(email);
            let more = self
                .get_with_retries("profiles by personal email", || {
                    client.profiles_page(1, namely::PER_PAGE_MAX, &filter)
                })
                .await?;
            for p in more.profiles {
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

/// Pause before looking a person up after an ambiguous create, so a create Namely is still
/// finishing has landed.
pub(crate) const SETTLE_BEFORE_LOOKUP: Duration = Duration::from_millis(300);

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, icims: Option<&str>, email: &str) -> IndexEntry {
        IndexEntry {
            profile_id: NamelyProfileId(id.into()),
            icims_id: icims.map(str::to_string),
            email: Some(email.into()),
            personal_email: None,
            full_name: "Jane Doe".into(),
            user_status: "active".into(),
        }
    }

    #[test]
    fn freshness() {
        let now = OffsetDateTime::now_utc();
        let meta = |age_h: i64, full: bool| IndexMeta {
            refreshed_at: now - time::Duration::hours(age_h),
            profile_count: 3,
            full,
        };
        assert!(needs_full_rebuild(None, now));
        assert!(!needs_full_rebuild(Some(&meta(1, true)), now));
        assert!(needs_full_rebuild(Some(&meta(1, false)), now));
        assert!(needs_full_rebuild(Some(&meta(25, true)), now));
        assert!(
            needs_full_rebuild(Some(&meta(-2, true)), now),
            "from the future"
        );
    }

    #[test]
    fn classify_prefers_our_icims_id() {
        let p = IcimsPersonId(77);
        let ours = entry("a", Some(" 77 "), "x@example.com");
        let other = entry("b", None, "jane@example.com");
        assert_eq!(
            classify(&[other.clone(), ours.clone()], "JANE@example.com", p),
            Found::Ours(ours)
        );
        assert_eq!(
            classify(std::slice::from_ref(&other), " Jane@Example.com ", p),
            Found::Taken(other)
        );
        let personal = IndexEntry {
            email: None,
            personal_email: Some("jane@example.com".into()),
            ..entry("c", Some("12"), "")
        };
        assert_eq!(
            classify(std::slice::from_ref(&personal), "jane@example.com", p),
            Found::Taken(personal.clone())
        );
        assert_eq!(
            whose(&personal),
            "who has icims_id 12 (a different iCIMS person)"
        );
        // A profile the filter returned with another email and no icims_id is not a match.
        assert_eq!(
            classify(
                &[entry("d", None, "else@example.com")],
                "jane@example.com",
                p
            ),
            Found::Nobody
        );
    }

    #[test]
    fn profile_to_entry() {
        let p: namely::Profile = serde_json::from_value(serde_json::json!({
            "id": "u-1", "email": " Jane@Acme.COM ", "first_name": "Jane", "last_name": "Doe",
            "user_status": "Inactive", "icims_id": 9012
        }))
        .unwrap();
        let e = entry_from_profile(&p, "icims_id");
        assert_eq!(e.icims_id.as_deref(), Some("9012"));
        assert_eq!(e.email.as_deref(), Some("jane@acme.com"));
        assert_eq!(e.full_name, "Jane Doe");
        assert_eq!(e.user_status, "inactive");
        assert_eq!(entry_from_profile(&p, "other_field").icims_id, None);
    }
}
