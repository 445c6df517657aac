//! The iCIMS daily call budget as a run sees it: every call counted against what iCIMS's
//! `x-ratelimit-*` headers last said (`docs/icims-api.md` §6), saved to the store after each
//! call, and the stop before it runs out (below the margin, or after a 429).

use super::read::ReadStop;
use crate::connection::ConnectionName;
use crate::store::Store;
use icims::RateLimit;
use time::{Date, OffsetDateTime};

/// The iCIMS daily budget as this run sees it, saved to the store after every call.
pub(super) struct Budget<'a> {
    store: &'a Store,
    name: &'a ConnectionName,
    margin: u64,
    day: Date,
    /// Calls the store had counted for `day` before this run's first call of that day.
    spent_before: u64,
    /// `icims.calls_made()` when counting for `day` began.
    calls_at_start: u64,
    last: Option<RateLimit>,
    /// Calls sent and not yet answered: they will spend the budget too.
    in_flight: u64,
}

impl<'a> Budget<'a> {
    pub(super) fn new(
        store: &'a Store,
        name: &'a ConnectionName,
        margin: u64,
        calls_now: u64,
    ) -> Self {
        let day = OffsetDateTime::now_utc().date();
        Self {
            store,
            name,
            margin,
            day,
            spent_before: Self::stored_spent(store, name, day),
            calls_at_start: calls_now,
            last: None,
            in_flight: 0,
        }
    }

    fn stored_spent(store: &Store, name: &ConnectionName, day: Date) -> u64 {
        match store.icims_budget(name, day) {
            Ok(b) => b.map_or(0, |b| b.calls_spent),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the saved iCIMS budget");
                0
            }
        }
    }

    /// Note a reply (or a failed call: `rate_limit` None) and save the budget.
    pub(super) fn observe(&mut self, calls_now: u64, rate_limit: Option<RateLimit>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let today = OffsetDateTime::now_utc().date();
        if today != self.day {
            // Midnight UTC passed during the run: the last call belongs to the new day.
            self.day = today;
            self.spent_before = Self::stored_spent(self.store, self.name, today);
            self.calls_at_start = calls_now.saturating_sub(1);
            self.last = None;
        }
        if let Some(rl) = rate_limit {
            let prev = self.last.unwrap_or_default();
            self.last = Some(RateLimit {
                limit: rl.limit.or(prev.limit),
                remaining: rl.remaining,
                reset_secs: rl.reset_secs.or(prev.reset_secs),
            });
        }
        let spent = self.spent_before + calls_now.saturating_sub(self.calls_at_start);
        let last = self.last.unwrap_or_default();
        if let Err(e) =
            self.store
                .record_icims_budget(self.name, self.day, spent, last.remaining, last.limit)
        {
            // Advisory only: the next reply carries the real number again.
            tracing::warn!(error = %e, "could not save the iCIMS budget");
        }
    }

    /// `Some(stop)` when the last reply, less the calls still in flight, leaves fewer calls
    /// than the margin: with several calls in flight the stop still comes exactly at the
    /// margin.
    pub(super) fn exhausted(&self) -> Option<ReadStop> {
        let last = self.last?;
        let remaining = last.remaining?.saturating_sub(self.in_flight);
        (remaining < self.margin).then_some(ReadStop::Budget {
            remaining,
            limit: last.limit,
        })
    }

    /// A call is about to be sent: `None` and it counts as in flight until [`Self::observe`],
    /// or `Some(stop)` and it must not be sent.
    pub(super) fn reserve(&mut self) -> Option<ReadStop> {
        let stop = self.exhausted();
        if stop.is_none() {
            self.in_flight += 1;
        }
        stop
    }

    pub(super) fn rate_limited(&self) -> ReadStop {
        ReadStop::Budget {
            remaining: 0,
            limit: self.last.and_then(|l| l.limit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_message_names_numbers() {
        let m = ReadStop::Budget {
            remaining: 150,
            limit: Some(10_000),
        }
        .message();
        assert_eq!(
            m,
            "iCIMS allowed only 150 more calls today (limit 10000); the sync stopped to keep a \
             safety margin and will resume on the next run after the reset at midnight UTC."
        );
    }
}
