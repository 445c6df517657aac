//! Step 4 for a whole plan: record what needs no write, then create the rest — a few at a
//! time, in batches, with the index kept fresh between batches.
//!
//! - **No lookup per create when the index can tell.** The index was brought up to date at
//!   the start of this step (a full listing, or Namely's changes since the last run), so it
//!   already answers "is this person, or this email, in Namely?" for every hire the plan
//!   decided to create. A live lookup ([`super::lookup`]) is still made where the index cannot
//!   know: a person whose earlier create Namely never confirmed (an open intent), or when
//!   [`SyncOptions::guard_lookups`](super::SyncOptions::guard_lookups) says always (the
//!   default follows `namely::assumptions::UPDATED_AT_MOVES_ON_EVERY_CHANGE`). After an
//!   ambiguous or refused create, [`super::apply`] looks up as before.
//! - **Fresh between batches.** Creates go in batches of [`CREATE_BATCH`]. Before a batch
//!   starts, an index older than [`INDEX_FRESH_FOR`] is refreshed again (Namely's changes
//!   since; usually one or a few GETs) and the batch is planned again against it, so a
//!   profile HR added during a long run holds its hire back as before. If that refresh fails,
//!   the rest of the run looks every hire up live instead (never less safe).
//! - **Overlapping creates.** Up to `namely_concurrency` creates are in flight at once. Each
//!   is for a different person (the plan merged each person's workflows into one hire), and
//!   each keeps its own intent, so the bookkeeping of [`super::apply`] stays exact. When one
//!   create halts the run (credential refused, throttled, a filter ignored), creates already
//!   in flight finish and are recorded; none is started after it. Cancel works the same way:
//!   those in flight finish, the rest are not sent and not recorded (they come back next run).

use super::apply::{Applied, Applier};
use super::halt::Halt;
use super::record::{FOUND_AFTER_EARLIER_RUN, record};
use super::{Reporter, cancelled};
use crate::api::SyncPhase;
use crate::domain::{Decision, Hire, IcimsPersonId, IndexEntry, OutcomeKind, ProfileDraft};
use crate::plan::{self, NamelyIndex, PlannedRecord};
use crate::store::{Intent, IntentResolution, RecordRow, StoreError};
use futures::FutureExt;
use futures::stream::{self, StreamExt};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// Creates per batch: the index is refreshed between batches when it is older than
/// [`INDEX_FRESH_FOR`].
pub const CREATE_BATCH: usize = 100;

/// How old the index may be when a batch of creates starts (10 minutes): the default of
/// `SyncOptions::index_fresh_for`. Each refresh also reads back this run's own creates since
/// the last one (Namely cannot leave them out), about one listing page per 50 creates: ten
/// minutes keeps that near one extra read of each create while a long first sync still sees
/// what HR adds by hand as it runs.
pub const INDEX_FRESH_FOR: Duration = Duration::from_secs(10 * 60);

/// When a create is preceded by a live lookup by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardLookups {
    /// Only where the freshly refreshed index cannot tell: an open create intent.
    WhenIndexCannotTell,
    /// Before every create (as before this app trusted its index).
    Always,
}

impl Default for GuardLookups {
    fn default() -> Self {
        if namely::assumptions::UPDATED_AT_MOVES_ON_EVERY_CHANGE {
            GuardLookups::WhenIndexCannotTell
        } else {
            GuardLookups::Always
        }
    }
}

/// How applying the plan ended.
pub(super) struct ApplyEnd {
    pub halt: Option<Halt>,
    pub cancelled: bool,
}

pub(super) struct PlanApplier<'a> {
    pub applier: &'a Applier<'a>,
    pub open_intents: &'a HashMap<IcimsPersonId, Intent>,
    pub rules: plan::Rules<'a>,
    pub guard: GuardLookups,
    pub concurrency: usize,
    /// [`SyncOptions::index_fresh_for`](super::SyncOptions::index_fresh_for).
    pub fresh_for: Duration,
    pub cancel: Option<&'a AtomicBool>,
}

/// One create's result, in plan order.
enum Step {
    Applied(Box<Applied>),
    /// Not sent: an earlier create halted the run.
    NotSent(Halt),
    /// Not sent: the run was cancelled.
    Cancelled,
}

impl PlanApplier<'_> {
    /// Apply `planned` (made against an index refreshed at `refreshed`), recording every
    /// outcome in the run.
    pub(super) async fn apply(
        &self,
        planned: Vec<PlannedRecord>,
        mut refreshed: Instant,
        reporter: &mut Reporter<'_>,
    ) -> Result<ApplyEnd, StoreError> {
        let mut creates: Vec<(Hire, ProfileDraft)> = Vec::new();
        for p in planned {
            match p.decision {
                Decision::Create(draft) => creates.push((p.hire, draft)),
                _ => self.record_planned(&p, reporter)?,
            }
        }
        let total = creates.len();
        let mut guard = self.guard;
        let mut done = 0;
        let mut end = ApplyEnd {
            halt: None,
            cancelled: false,
        };
        reporter.report(SyncPhase::AddingToNamely, 0, Some(total));
        let mut rest = creates.into_iter().peekable();
        let mut first = true;
        while rest.peek().is_some() {
            let mut batch: Vec<(Hire, ProfileDraft)> = rest.by_ref().take(CREATE_BATCH).collect();
            if !first
                && end.halt.is_none()
                && !end.cancelled
                && refreshed.elapsed() >= self.fresh_for
            {
                match self.refresh(reporter).await? {
                    Some(entries) => {
                        refreshed = Instant::now();
                        let hires: Vec<Hire> = batch.iter().map(|(h, _)| h.clone()).collect();
                        batch.clear();
                        for p in plan::plan(&hires, &NamelyIndex::new(&entries), &self.rules) {
                            match p.decision {
                                Decision::Create(draft) => batch.push((p.hire, draft)),
                                _ => {
                                    done += 1;
                                    self.record_planned(&p, reporter)?;
                                }
                            }
                        }
                    }
                    None => {
                        tracing::warn!(
                            "could not refresh the Namely index between batches; looking every \
                             remaining hire up live"
                        );
                        guard = GuardLookups::Always;
                    }
                }
            }
            first = false;
            self.apply_batch(batch, guard, &mut end, &mut done, total, reporter)
                .await?;
        }
        Ok(end)
    }

    /// Creates of one batch, up to `concurrency` at once, recorded in plan order.
    async fn apply_batch(
        &self,
        batch: Vec<(Hire, ProfileDraft)>,
        guard: GuardLookups,
        end: &mut ApplyEnd,
        done: &mut usize,
        total: usize,
        reporter: &mut Reporter<'_>,
    ) -> Result<(), StoreError> {
        let halted: Mutex<Option<Halt>> = Mutex::new(end.halt);
        let halted = &halted;
        let mut steps = stream::iter(batch.iter())
            .map(|(hire, draft)| {
                async move {
                    if let Some(h) = *halted.lock().unwrap_or_else(PoisonError::into_inner) {
                        return Ok(Step::NotSent(h));
                    }
                    if cancelled(self.cancel) {
                        return Ok(Step::Cancelled);
                    }
                    let open = self.open_intents.get(&hire.person_id);
                    let look_up = guard == GuardLookups::Always || open.is_some();
                    let applied = self.applier.create(hire, draft, open, look_up).await?;
                    Ok::<_, StoreError>(Step::Applied(Box::new(applied)))
                }
                .boxed()
            })
            .buffered(self.concurrency.max(1))
            .boxed();
        let mut i = 0;
        while let Some(step) = steps.next().await {
            let hire = &batch[i].0;
            i += 1;
            let rec = match step? {
                Step::Cancelled => {
                    // Unsent hires are not recorded: the watermark stays, so they come back.
                    end.cancelled = true;
                    continue;
                }
                Step::NotSent(h) => {
                    record(hire, OutcomeKind::Failed, h.not_sent_reason(), None, None)
                }
                Step::Applied(applied) => {
                    if !applied.seen.is_empty() {
                        self.applier
                            .store
                            .index_upsert(self.applier.name, &applied.seen)?;
                    }
                    if let Some(h) = applied.halt {
                        end.halt.get_or_insert(h);
                        *halted.lock().unwrap_or_else(PoisonError::into_inner) = end.halt;
                    }
                    applied.record
                }
            };
            reporter.counts.add(rec.outcome);
            self.applier.store.add_record(self.applier.run_id, &rec)?;
            *done += 1;
            reporter.report(SyncPhase::AddingToNamely, *done, Some(total));
        }
        Ok(())
    }

    /// The index brought up to date again (Namely's changes since the last refresh); `None`
    /// when Namely could not be read for it.
    async fn refresh(
        &self,
        reporter: &Reporter<'_>,
    ) -> Result<Option<Vec<IndexEntry>>, StoreError> {
        let a = self.applier;
        let now = OffsetDateTime::now_utc();
        let refreshed = super::runner::bring_index_up_to_date(
            a.store,
            a.name,
            a.namely,
            a.field,
            now,
            reporter,
            self.cancel,
        )
        .await?;
        match refreshed {
            Ok(entries) => Ok(Some(super::index::with_created(a.store, a.name, entries)?)),
            Err(_) => Ok(None),
        }
    }

    /// The record of a decision that writes nothing; an earlier run's unconfirmed create that
    /// the index now shows is settled as created.
    fn record_planned(
        &self,
        p: &PlannedRecord,
        reporter: &mut Reporter<'_>,
    ) -> Result<(), StoreError> {
        let store = self.applier.store;
        let mut rec: RecordRow = super::runner::planned_record(p);
        if let (Decision::AlreadyInNamely(existing), Some(intent)) =
            (&p.decision, self.open_intents.get(&p.hire.person_id))
        {
            store.resolve_intent(
                intent.id,
                &IntentResolution::Created(existing.profile_id.clone()),
                OffsetDateTime::now_utc(),
            )?;
            rec.reason.push_str(FOUND_AFTER_EARLIER_RUN);
        }
        reporter.counts.add(rec.outcome);
        store.add_record(self.applier.run_id, &rec)
    }
}
