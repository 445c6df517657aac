//! Step 2: what the engine knows of Namely's profiles, and the live lookup that guards every
//! create.
//!
//! # The local index
//!
//! `icims_id`, company email and personal email → Namely profile, kept in the local store for
//! each connection, with its [`IndexMeta`]: when it was last brought up to date
//! (`refreshed_at`), whether it was built from a listing of every profile (`full`) and when
//! that listing was made (`listed_at`). Both times are the *start of the run* that made them,
//! so nothing that changed while the run was reading can fall between two refreshes.
//!
//! # Two ways to bring it up to date, once per run (before planning)
//!
//! - **Full listing**: `GET /profiles?page=N&per_page=50` (no filter: active, pending and
//!   inactive all count), from page 1 to the first empty page; the index is *replaced* by what
//!   it lists. It costs `ceil(profiles / 50) + 1` throttled GETs (Namely allows 100 a minute),
//!   so it is made only when there is no index yet, when the last one is not complete (`full`
//!   false, e.g. after the sandbox was restarted), when the last full listing is older than
//!   [`FULL_INDEX_MAX_AGE`] (**7 days**), or when the last refresh lies in the future (the
//!   clock went back).
//! - **Incremental refresh**, on every other run:
//!   `GET /profiles?sort=-updated_at&per_page=50&page=N` from page 1 — the most recently
//!   changed profiles first — upserting every profile read, until a page holds a profile whose
//!   `updated_at` (epoch seconds) is older than `refreshed_at −` [`INDEX_REFRESH_OVERLAP`]
//!   (**5 minutes**, for clock differences between Namely and this machine), or a page is
//!   empty. Then `refreshed_at` becomes this run's start; `full` and `listed_at` stay. When
//!   nothing changed it is a single GET. Every GET, retries included, counts in the run's
//!   Namely calls, as for the full listing.
//!
//!   The incremental refresh gives way to a full listing in the same run (logged as a
//!   warning) when Namely's answer cannot be trusted for it: a profile **without
//!   `updated_at`** (Namely did not send it, so its changes cannot be placed in time), or pages
//!   that are **not newest first** (Namely ignored `sort`).
//!
//! The incremental refresh is what makes HR's changes in Namely visible to the plan on the
//! very next run: an `icims_id` typed by hand onto a profile a run reported as needs review
//! turns that hire into AlreadyInNamely, and a profile added by hand with a hire's email
//! holds that hire back as NeedsReview. The weekly full listing is still needed for what
//! `updated_at` cannot show: a profile deleted in Namely, or a change Namely made without
//! moving `updated_at` (the reference does not say which changes move it).
//!
//! Between refreshes the index also learns what this app itself sees: every profile it
//! creates and every profile a lookup returns is upserted.
//!
//! # Why a stale index does no harm
//!
//! See the module docs of [`super`]: the index is refreshed right before planning and again
//! between batches of creates, and the intent table adds every create Namely confirmed, so
//! it answers for every planned create; a live lookup ([`Namely::lookup`]) is made where it
//! cannot (an open intent, an ambiguous or refused create). The index decides
//! AlreadyInNamely and NeedsReview without asking Namely; the refresh keeps those decisions
//! current. [`with_created`] is the index as planning sees it.

use super::paging::{Pager, Paging, seconds_left};
use super::{
    FULL_INDEX_MAX_AGE, INDEX_REFRESH_OVERLAP, NAMELY_LOOKUP_ATTEMPTS, Namely, Reporter, backoff,
    cancelled,
};
use crate::api::SyncPhase;
use crate::domain::{IcimsPersonId, IndexEntry, NamelyProfileId};
use crate::store::IndexMeta;
use std::sync::atomic::AtomicBool;
use time::OffsetDateTime;

/// How the stored index is brought up to date before planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// List every profile and replace the index.
    Full,
    /// Read the profiles changed at or after `since` (epoch seconds), newest first.
    Changes {
        since: i64,
        /// The index's freshness before this refresh.
        meta: IndexMeta,
    },
}

/// Which refresh the stored index needs at `now` (the run's start).
pub(crate) fn refresh_for(meta: Option<&IndexMeta>, now: OffsetDateTime) -> Refresh {
    let Some(m) = meta else {
        return Refresh::Full;
    };
    let Some(listed_at) = m.listed_at.filter(|_| m.full) else {
        return Refresh::Full;
    };
    let listed_age = now - listed_at;
    if listed_age.is_negative() || listed_age > FULL_INDEX_MAX_AGE || m.refreshed_at > now {
        return Refresh::Full;
    }
    Refresh::Changes {
        since: (m.refreshed_at - INDEX_REFRESH_OVERLAP).unix_timestamp(),
        meta: *m,
    }
}

/// What one page of the newest-first listing says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Every profile on it changed at or after `since`: read the next page.
    More,
    /// Empty, or it reaches back before `since`: the refresh is complete.
    Done,
    /// A profile has no `updated_at`.
    NoTimestamp,
    /// A profile is newer than one listed before it: `sort` was ignored.
    NotNewestFirst,
}

/// Scans one page. `last` is the `updated_at` of the last profile seen so far (on earlier
/// pages), updated as the page is read.
fn scan(profiles: &[namely::Profile], since: i64, last: &mut Option<i64>) -> Scan {
    let mut reached = profiles.is_empty();
    for p in profiles {
        let Some(at) = p.updated_at else {
            return Scan::NoTimestamp;
        };
        if last.is_some_and(|l| at > l) {
            return Scan::NotNewestFirst;
        }
        *last = Some(at);
        reached |= at < since;
    }
    if reached { Scan::Done } else { Scan::More }
}

/// What an incremental refresh read.
#[derive(Debug)]
pub(crate) enum Changes {
    /// The profiles changed since the cutoff (and those on the last page, which reaches back
    /// before it), with Namely's total count of profiles when it gave one.
    Read {
        entries: Vec<IndexEntry>,
        total: Option<u64>,
    },
    /// Namely's answer cannot be trusted for an incremental refresh (why): list everything.
    Unusable(&'static str),
    /// The caller asked the run to stop.
    Cancelled,
}

/// What the index keeps of a Namely profile. `field` is the `icims_id` custom field's name.
pub fn entry_from_profile(p: &namely::Profile, field: &str) -> IndexEntry {
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
        first_name: text(&p.first_name),
        last_name: text(&p.last_name),
        start_date: p
            .start_date
            .as_ref()
            .and_then(namely::NamelyDate::date)
            .map(crate::mapping::iso_date),
    }
}

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
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

/// The index as planning sees it: what Namely showed, plus each person the intent table knows
/// was created (a `done` intent) whom no profile shows under their `icims_id` — a run that
/// died before recording them, or a create Namely's reads do not show yet. Never stored.
pub(crate) fn with_created(
    store: &crate::store::Store,
    name: &crate::connection::ConnectionName,
    mut entries: Vec<IndexEntry>,
) -> Result<Vec<IndexEntry>, crate::store::StoreError> {
    let known: std::collections::HashSet<String> = entries
        .iter()
        .filter_map(|e| e.icims_id.as_deref().map(|i| i.trim().to_string()))
        .collect();
    for intent in store.created_intents(name)? {
        let id = intent.person_id.to_string();
        let Some(profile_id) = intent.namely_profile_id else {
            continue;
        };
        if known.contains(&id) {
            continue;
        }
        let email = intent.email.trim().to_lowercase();
        entries.push(IndexEntry {
            profile_id,
            icims_id: Some(id),
            full_name: email.clone(),
            email: Some(email),
            user_status: "active".into(),
            ..IndexEntry::default()
        });
    }
    Ok(entries)
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
    pub(super) async fn get_with_retries<T, F, Fut>(
        &self,
        what: &str,
        mut send: F,
    ) -> Result<T, namely::Error>
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

    /// Every profile, all statuses, as index entries (`page`, or `after` where the tenant
    /// ignores `page`: [`super::paging`]). Progress is reported after each page, with how
    /// long the rest will take under Namely's listing limit.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn list_all(
        &self,
        field: &str,
        reporter: &Reporter<'_>,
        cancel: Option<&AtomicBool>,
    ) -> Result<Option<Vec<IndexEntry>>, namely::Error> {
        let filter = namely::ProfileFilter::default();
        let mut pager = Pager::new(&filter);
        let started = std::time::Instant::now();
        let mut entries = Vec::new();
        let mut total: Option<u64> = None;
        loop {
            if cancelled(cancel) {
                return Ok(None);
            }
            let Some((profiles, page_total)) = pager.next(self, "the list of profiles").await?
            else {
                break;
            };
            entries.extend(profiles.iter().map(|p| entry_from_profile(p, field)));
            total = page_total.or(total);
            let per_page = u64::from(namely::PER_PAGE_MAX);
            let pages_left = total.map(|t| {
                let left = t.saturating_sub(entries.len() as u64);
                // The rest, and the empty page that ends the listing.
                u32::try_from(left.div_ceil(per_page) + 1).unwrap_or(u32::MAX)
            });
            let eta = pages_left.map(|left| {
                seconds_left(
                    pager.requests,
                    started.elapsed(),
                    left,
                    namely::assumptions::PROFILE_LISTINGS_PER_MINUTE,
                )
            });
            let as_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
            reporter.report_with_eta(
                SyncPhase::IndexingNamely,
                entries.len(),
                total.map(as_usize),
                eta,
            );
        }
        if let Some(t) = total
            && (entries.len() as u64) < t
            && pager.mode() == Paging::Cursor
        {
            // A cursor that Namely does not know ends the listing silently: do not take a
            // partial list for the whole company.
            return Err(namely::Error::Decode {
                message: format!(
                    "the list of profiles ended after {} of the {t} profiles Namely counts; \
                     stopped rather than miss anyone",
                    entries.len()
                ),
            });
        }
        tracing::info!(
            requests = pager.requests,
            mode = ?pager.mode(),
            profiles = entries.len(),
            "listed every profile"
        );
        Ok(Some(entries))
    }

    /// The profiles changed at or after `since` (epoch seconds): pages of `sort=-updated_at`
    /// from the first until one reaches back before `since`, or an empty page. Progress is
    /// reported after each page.
    #[tracing::instrument(skip_all, fields(since))]
    pub(crate) async fn list_changed(
        &self,
        field: &str,
        since: i64,
        reporter: &Reporter<'_>,
        cancel: Option<&AtomicBool>,
    ) -> Result<Changes, namely::Error> {
        let filter = namely::ProfileFilter::recently_updated_first();
        let mut pager = Pager::new(&filter);
        let mut entries = Vec::new();
        let mut total = None;
        let mut last = None;
        loop {
            if cancelled(cancel) {
                return Ok(Changes::Cancelled);
            }
            let Some((profiles, page_total)) =
                pager.next(self, "the recently changed profiles").await?
            else {
                return Ok(Changes::Read { entries, total });
            };
            let verdict = scan(&profiles, since, &mut last);
            match verdict {
                Scan::NoTimestamp => {
                    return Ok(Changes::Unusable(
                        "Namely listed a profile without updated_at",
                    ));
                }
                Scan::NotNewestFirst => {
                    return Ok(Changes::Unusable(
                        "Namely did not list the profiles newest first (sort=-updated_at)",
                    ));
                }
                Scan::More | Scan::Done => {}
            }
            entries.extend(profiles.iter().map(|p| entry_from_profile(p, field)));
            total = page_total.or(total);
            reporter.report(SyncPhase::IndexingNamely, entries.len(), None);
            if verdict == Scan::Done {
                tracing::debug!(
                    requests = pager.requests,
                    changed = entries.len(),
                    "read the recent changes"
                );
                return Ok(Changes::Read { entries, total });
            }
        }
    }
}

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
            ..IndexEntry::default()
        }
    }

    #[test]
    fn full_listing_or_changes() {
        let now = OffsetDateTime::now_utc();
        let hours = time::Duration::hours;
        let meta = |refreshed_h: i64, listed_h: Option<i64>, full: bool| IndexMeta {
            refreshed_at: now - hours(refreshed_h),
            profile_count: 3,
            full,
            listed_at: listed_h.map(|h| now - hours(h)),
        };
        let is_full = |m: Option<&IndexMeta>| refresh_for(m, now) == Refresh::Full;
        assert!(is_full(None));
        assert!(is_full(Some(&meta(1, Some(1), false))), "incomplete");
        assert!(is_full(Some(&meta(1, None, true))), "never listed in full");
        assert!(
            is_full(Some(&meta(1, Some(7 * 24 + 1), true))),
            "listed 7 days ago"
        );
        assert!(
            is_full(Some(&meta(-2, Some(1), true))),
            "refreshed in the future"
        );
        assert!(
            is_full(Some(&meta(1, Some(-2), true))),
            "listed in the future"
        );
        // Refreshed an hour ago, listed six days ago: the changes since 65 minutes ago.
        let m = meta(1, Some(6 * 24), true);
        assert_eq!(
            refresh_for(Some(&m), now),
            Refresh::Changes {
                since: (now - time::Duration::minutes(65)).unix_timestamp(),
                meta: m
            }
        );
        assert_eq!(
            FULL_INDEX_MAX_AGE,
            std::time::Duration::from_secs(7 * 24 * 3600)
        );
        assert_eq!(
            INDEX_REFRESH_OVERLAP,
            std::time::Duration::from_secs(5 * 60)
        );
    }

    fn stamped(at: &[Option<i64>]) -> Vec<namely::Profile> {
        at.iter()
            .enumerate()
            .map(|(i, at)| {
                serde_json::from_value(serde_json::json!({"id": format!("p{i}"), "updated_at": at}))
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn scanning_newest_first_pages() {
        let mut last = None;
        assert_eq!(
            scan(&stamped(&[Some(300), Some(200)]), 100, &mut last),
            Scan::More
        );
        assert_eq!(last, Some(200));
        // Equal to the cutoff still counts as changed; one older ends the refresh.
        assert_eq!(
            scan(&stamped(&[Some(200), Some(100)]), 100, &mut last),
            Scan::More
        );
        assert_eq!(
            scan(&stamped(&[Some(100), Some(99)]), 100, &mut last),
            Scan::Done
        );
        assert_eq!(scan(&[], 100, &mut None), Scan::Done);
        assert_eq!(
            scan(&stamped(&[Some(300), None]), 100, &mut None),
            Scan::NoTimestamp
        );
        assert_eq!(
            scan(&stamped(&[Some(50), Some(300)]), 100, &mut None),
            Scan::NotNewestFirst,
            "sort ignored, even on a page that reaches back past the cutoff"
        );
        let mut last = Some(250);
        assert_eq!(
            scan(&stamped(&[Some(260)]), 100, &mut last),
            Scan::NotNewestFirst,
            "across pages"
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
            crate::plan::whose(&personal),
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
