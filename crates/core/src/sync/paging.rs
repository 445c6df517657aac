//! Reading `GET /profiles` page after page, whichever way the tenant pages.
//!
//! Namely documents `page`/`per_page`; its own Ruby client paged with `after=<last profile
//! id>` instead (`namely::assumptions::CURSOR_PARAM`, observed 2015, unverified today). A
//! listing starts with `page`; if page 2 answers with the same first profile as page 1, the
//! tenant ignores `page`, and the listing goes on from the last profile read with `after`. If
//! that repeats too, nothing pages: the listing stops with an error rather than read forever.
//! Profiles are counted once even if a page repeats some (a profile changed between two pages
//! may move in a sorted listing).
//!
//! [`seconds_left`] estimates how long the rest of a listing takes under Namely's limit of
//! 100 listing requests a minute, for the progress shown during a first (full) listing.

use super::Namely;
use std::collections::HashSet;
use std::time::Duration;

/// How the pages are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paging {
    Page,
    Cursor,
}

/// One walk over a listing.
pub(crate) struct Pager<'f> {
    filter: &'f namely::ProfileFilter,
    mode: Paging,
    page: u32,
    last_id: Option<namely::ProfileId>,
    previous_first: Option<namely::ProfileId>,
    seen: HashSet<namely::ProfileId>,
    /// Requests made, repeats included.
    pub(crate) requests: u32,
}

impl<'f> Pager<'f> {
    pub(crate) fn new(filter: &'f namely::ProfileFilter) -> Self {
        Self {
            filter,
            mode: Paging::Page,
            page: 1,
            last_id: None,
            previous_first: None,
            seen: HashSet::new(),
            requests: 0,
        }
    }

    /// How the pages are being asked for now.
    pub(crate) fn mode(&self) -> Paging {
        self.mode
    }

    /// The next page's profiles not seen before, with Namely's total when it gave one;
    /// `None` past the last page. `what` names the listing in errors.
    pub(crate) async fn next(
        &mut self,
        namely: &Namely<'_>,
        what: &str,
    ) -> Result<Option<(Vec<namely::Profile>, Option<u64>)>, namely::Error> {
        loop {
            let client = namely.client;
            let (filter, mode, page, after) =
                (self.filter, self.mode, self.page, self.last_id.clone());
            self.requests += 1;
            let batch = namely
                .get_with_retries(what, || {
                    let after = after.clone();
                    async move {
                        match mode {
                            Paging::Page => {
                                client
                                    .profiles_page(page, namely::PER_PAGE_MAX, filter)
                                    .await
                            }
                            Paging::Cursor => {
                                client
                                    .profiles_after(after.as_ref(), namely::PER_PAGE_MAX, filter)
                                    .await
                            }
                        }
                    }
                })
                .await?;
            let Some(first) = batch.profiles.first() else {
                return Ok(None);
            };
            if self.previous_first.as_ref() == Some(&first.id) {
                if self.mode == Paging::Page && self.page == 2 {
                    tracing::warn!(
                        "Namely ignored `page` (page 2 repeated page 1); going on with `after`"
                    );
                    self.mode = Paging::Cursor;
                    continue;
                }
                return Err(namely::Error::Decode {
                    message: format!(
                        "{what}: a page repeated the one before it, whether asked for by `page` \
                         or by `after`; stopped reading"
                    ),
                });
            }
            self.previous_first = Some(first.id.clone());
            self.last_id = batch.profiles.last().map(|p| p.id.clone());
            self.page = self
                .page
                .checked_add(1)
                .ok_or_else(|| namely::Error::Decode {
                    message: format!("{what}: too many pages"),
                })?;
            let total = batch.meta.total_count;
            let fresh: Vec<namely::Profile> = batch
                .profiles
                .into_iter()
                .filter(|p| self.seen.insert(p.id.clone()))
                .collect();
            return Ok(Some((fresh, total)));
        }
    }
}

/// About how long the rest of a listing takes: `pages_left` more requests after `made`
/// already made over `elapsed`, at Namely's limit of `per_minute` listing requests a minute
/// (the app's own pacer keeps to it) and the latency seen so far.
pub(crate) fn seconds_left(made: u32, elapsed: Duration, pages_left: u32, per_minute: u32) -> u32 {
    if pages_left == 0 {
        return 0;
    }
    let per_request = if made == 0 {
        Duration::ZERO
    } else {
        elapsed / made
    };
    let by_latency = per_request * pages_left;
    // Request number n (0-based) cannot start before minute n / per_minute of the listing.
    let last = made + pages_left - 1;
    let by_limit = match last.checked_div(per_minute) {
        None => Duration::ZERO,
        Some(minute) => (Duration::from_secs(60) * minute + per_request).saturating_sub(elapsed),
    };
    let left = by_latency.max(by_limit);
    u32::try_from(left.as_secs()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_under_the_listing_limit() {
        let ms = Duration::from_millis;
        // 201 pages of a 10,000-profile company at 50 ms: 100 in the first minute, 100 in the
        // second, the last in the third.
        assert_eq!(seconds_left(1, ms(50), 200, 100), 120);
        // Half way through the first minute's allowance, the rest still waits for minute 2.
        assert_eq!(seconds_left(50, ms(2_500), 151, 100), 117);
        // Small listings are bound by latency only.
        assert_eq!(seconds_left(2, ms(1_000), 10, 100), 5);
        assert_eq!(seconds_left(5, ms(250), 0, 100), 0);
        // No limit known: latency only.
        assert_eq!(seconds_left(1, ms(500), 4, 0), 2);
    }
}
