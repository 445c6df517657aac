//! The run itself: start, read, index, plan, apply (or record the dry run), finish.

use super::apply::Applier;
use super::apply_all::{ApplyEnd, PlanApplier};
use super::halt::Halt;
use super::index::{Changes, Refresh, refresh_for, with_created};
use super::read::{ReadOutcome, ReadRequest, ReadStop, Reader, Window};
use super::record::record;
use super::reread::{persons_to_look_at_again, sorted_unique};
use super::{
    DEFAULT_ICIMS_FIELD_NAME, Namely, Reporter, SyncContext, SyncError, SyncOptions, SyncOutcome,
};
use crate::api::{SyncPhase, SyncProgress};
use crate::connection::ConnectionName;
use crate::domain::{IcimsPersonId, IndexEntry, RunErrorCode};
use crate::plan::{self, NamelyIndex, PlannedRecord};
use crate::store::{
    IndexMeta, Intent, ReadPosition, RecordRow, RunEnd, RunId, RunStatus, Store, StoreError,
    Watermark,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use time::OffsetDateTime;

/// Run one sync of `ctx.settings`'s connection.
///
/// Every vendor failure is recorded in the run and comes back in [`SyncOutcome`]; `Err` only
/// when the local database fails so badly that the run cannot be recorded.
#[tracing::instrument(skip_all, fields(connection = %ctx.settings.name, dry_run = options.dry_run))]
pub async fn run_sync(
    ctx: &SyncContext<'_>,
    options: &SyncOptions,
    progress: &(dyn Fn(&SyncProgress) + Send + Sync),
) -> Result<SyncOutcome, SyncError> {
    let name = &ctx.settings.name;
    let (run_id, started_at) = match options.run {
        Some(started) => started,
        None => {
            let at = OffsetDateTime::now_utc();
            (
                ctx.store
                    .start_run(name, options.trigger, options.dry_run, at)?,
                at,
            )
        }
    };
    let icims_calls_before = ctx.icims.calls_made();
    let namely = Namely::new(ctx.namely);
    let mut reporter = Reporter::new(name.to_string(), run_id.0, progress);
    tracing::info!(run = run_id.0, "sync started");

    let ending = execute(ctx, options, run_id, started_at, &namely, &mut reporter).await;
    let ending = match ending {
        Ok(e) => e,
        Err(store_error) => {
            tracing::error!(error = %store_error, "local database failed during the sync");
            Ending {
                status: RunStatus::Failed,
                code: Some(RunErrorCode::LocalStorage),
                error: Some(format!(
                    "The local database failed during the sync ({store_error}). Nothing more \
                     was sent to Namely; the next run checks Namely before adding anyone again."
                )),
            }
        }
    };
    let counts = reporter.counts;
    ctx.store.finish_run(
        run_id,
        &RunEnd {
            ended_at: OffsetDateTime::now_utc(),
            status: ending.status,
            counts,
            icims_calls: ctx.icims.calls_made().saturating_sub(icims_calls_before),
            namely_calls: namely.calls(),
            error_code: ending.code,
            error: ending.error.clone(),
        },
    )?;
    reporter.report(SyncPhase::Done, 0, None);
    tracing::info!(
        run = run_id.0,
        status = ending.status.as_str(),
        ?counts,
        "sync ended"
    );
    Ok(SyncOutcome {
        run_id,
        status: ending.status,
        counts,
        error_code: ending.code,
        error: ending.error,
    })
}

pub(super) struct Ending {
    status: RunStatus,
    /// Why the run failed or stopped early; `None` when it did not.
    code: Option<RunErrorCode>,
    error: Option<String>,
}

impl Ending {
    /// A run that ended as it should (records may have failed one by one).
    fn done(status: RunStatus) -> Self {
        Self {
            status,
            code: None,
            error: None,
        }
    }

    /// A run that failed or stopped early: why (a code) and in words.
    fn stopped(status: RunStatus, code: RunErrorCode, error: String) -> Self {
        Self {
            status,
            code: Some(code),
            error: Some(error),
        }
    }

    fn cancelled() -> Self {
        let stop = ReadStop::Cancelled;
        Self::stopped(RunStatus::Cancelled, stop.code(), stop.message())
    }
}

async fn execute(
    ctx: &SyncContext<'_>,
    options: &SyncOptions,
    run_id: RunId,
    started_at: OffsetDateTime,
    namely: &Namely<'_>,
    reporter: &mut Reporter<'_>,
) -> Result<Ending, StoreError> {
    let store = ctx.store;
    let name = &ctx.settings.name;
    let cancel = options.cancel.as_deref();
    let field = ctx
        .settings
        .icims_field_name
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or(DEFAULT_ICIMS_FIELD_NAME);
    let open_intents: HashMap<IcimsPersonId, Intent> = store
        .open_intents(name)?
        .into_iter()
        .map(|i| (i.person_id, i))
        .collect();

    // ---- 1. Read ------------------------------------------------------------------------
    let statuses = &ctx.settings.hired_statuses;
    // A read from the start-from date (no watermark yet, or it was forgotten): when complete,
    // it tells which hired statuses match nothing.
    let mut wide_read = false;
    // A window an earlier run stopped inside goes on where it stopped.
    let position = match options.only_persons {
        Some(_) => None,
        None => store.read_position(name)?,
    };
    let request = match &options.only_persons {
        Some(persons) => ReadRequest {
            statuses,
            window: None,
            persons: sorted_unique(persons.iter().copied().filter(|p| p.0 != 0)),
        },
        None => {
            let watermark = store.watermark(name)?;
            wide_read = watermark.is_none();
            let overlap = time::Duration::try_from(options.overlap).unwrap_or(time::Duration::HOUR);
            let floor = read_floor(ctx.settings.start_from);
            let window = match position {
                Some(p) => Window {
                    updated_since: p.window_since,
                    after: Some(icims::WorkflowId(p.after_workflow)),
                },
                None => Window {
                    updated_since: match (watermark, floor) {
                        (Some(w), Some(floor)) => Some((w.hired_since - overlap).max(floor)),
                        (Some(w), None) => Some(w.hired_since - overlap),
                        (None, floor) => floor,
                    },
                    after: None,
                },
            };
            ReadRequest {
                statuses,
                window: Some(window),
                persons: persons_to_look_at_again(
                    store,
                    name,
                    &open_intents,
                    options.reread_after,
                    started_at,
                )?,
            }
        }
    };
    let settled = match &request.window {
        Some(_) => store.settled_workflows(name)?,
        None => Default::default(),
    };
    let reader = Reader::new(ctx.icims, store, name, options.budget_margin, cancel)
        .skipping(settled)
        .overlapping(options.icims_concurrency);
    let window_since = request.window.as_ref().and_then(|w| w.updated_since);
    // A full listing of Namely (the first sync, then weekly) is paced at 100 pages a minute:
    // it runs while iCIMS is read instead of after. Its progress shows once reading is done.
    let full_listing_due =
        refresh_for(store.index_meta(name)?.as_ref(), started_at) == Refresh::Full;
    let read_done = AtomicBool::new(false);
    let counts_after_read = Mutex::new(reporter.counts);
    let callback = reporter.callback;
    let listing_progress = |p: &SyncProgress| {
        if read_done.load(Ordering::Relaxed) {
            let mut p = p.clone();
            p.counts = *counts_after_read
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            callback(&p);
        }
    };
    let listing_reporter = Reporter::new(name.to_string(), run_id.0, &listing_progress);
    let reading = async {
        let outcome = reader.read(&request, reporter).await;
        let mut counts = reporter.counts;
        counts.read =
            u64::try_from(outcome.hires.len() + outcome.invalid.len()).unwrap_or(u64::MAX);
        *counts_after_read
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = counts;
        read_done.store(true, Ordering::Relaxed);
        if full_listing_due {
            listing_reporter.report(SyncPhase::IndexingNamely, 0, None);
        }
        outcome
    };
    let listing = async {
        if full_listing_due {
            let refreshed = bring_index_up_to_date(
                store,
                name,
                namely,
                field,
                started_at,
                &listing_reporter,
                cancel,
            )
            .await;
            Some((refreshed, std::time::Instant::now()))
        } else {
            None
        }
    };
    let (read_outcome, early_index) = tokio::join!(reading, listing);
    let ReadOutcome {
        hires,
        invalid,
        stop: read_stop,
        window_complete,
        statuses_seen,
        read_up_to,
        searched_at,
        skipped_settled,
    } = read_outcome;
    // The watermark a complete window moves to: iCIMS's clock when the window's search began
    // (this machine's clock only when iCIMS sent none).
    let window_started_at = match position {
        Some(p) => p.window_started_at,
        None => searched_at.unwrap_or(started_at),
    };
    if wide_read && window_complete && read_stop.is_none() && !options.dry_run {
        // A whole window from the start-from date was read: a hired status that matched no
        // workflow in it is most likely a typo, or a status this tenant does not use. (When
        // the window took several runs, this run saw only part of it: nothing is concluded.)
        let unmatched: Vec<String> = statuses
            .iter()
            .filter(|s| position.is_none() && !statuses_seen.contains(&s.trim().to_lowercase()))
            .cloned()
            .collect();
        if !unmatched.is_empty() {
            tracing::warn!(
                ?unmatched,
                "hired statuses matched no workflow since the start-from date"
            );
        }
        store.finish_wide_read(name, &unmatched)?;
    }
    // The counts as reading left them (the hires and the records it settled).
    reporter.counts = counts_after_read
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    tracing::info!(
        hires = hires.len(),
        invalid = invalid.len(),
        skipped_settled,
        stop = ?read_stop,
        "read iCIMS"
    );

    if read_stop == Some(ReadStop::Cancelled) {
        return Ok(Ending::cancelled());
    }
    // What reading settled on its own (records iCIMS would not show).
    for rec in &invalid {
        reporter.counts.add(rec.outcome);
    }
    store.add_records(run_id, &invalid)?;

    let read_anything = !hires.is_empty() || !invalid.is_empty();
    // The run's status when everything after reading goes well.
    let after_read = |failed: u64| -> Ending {
        match &read_stop {
            Some(stop @ ReadStop::Budget { .. }) => {
                Ending::stopped(RunStatus::StoppedBudget, stop.code(), stop.message())
            }
            Some(stop) if read_anything => Ending::stopped(
                RunStatus::Failed,
                stop.code(),
                format!(
                    "{} The hires read before that are in this run's records; the rest will be \
                     read on the next run.",
                    stop.message()
                ),
            ),
            Some(stop) => Ending::stopped(RunStatus::Failed, stop.code(), stop.message()),
            None if failed > 0 => Ending::done(RunStatus::FinishedWithFailures),
            None => Ending::done(RunStatus::Succeeded),
        }
    };
    // The watermark moves only past a window that was read completely and fully handled; a
    // window this run stopped inside is remembered up to the last workflow handled, and the
    // next run goes on from there.
    let keeps_position = !options.dry_run && options.only_persons.is_none();
    let advance = || -> Result<(), StoreError> {
        if !keeps_position {
            return Ok(());
        }
        if window_complete {
            store.set_watermark(
                name,
                &Watermark {
                    hired_since: window_started_at,
                },
            )?;
            store.clear_read_position(name)?;
        } else if let Some(up_to) = read_up_to {
            store.set_read_position(
                name,
                &ReadPosition {
                    window_since,
                    window_started_at,
                    after_workflow: up_to.0,
                    saved_at: OffsetDateTime::now_utc(),
                },
            )?;
        }
        Ok(())
    };

    if hires.is_empty() {
        if let Some((Ok(Err(ending)), _)) = &early_index {
            // Nothing to create: a listing that failed alongside changes nothing.
            tracing::warn!(error = ?ending.error, "the Namely listing failed; no hire needed it");
        }
        advance()?;
        return Ok(after_read(reporter.counts.failed));
    }

    // ---- 2. Index -----------------------------------------------------------------------
    let (refreshed, index_refreshed) = match early_index {
        Some((refreshed, at)) => (refreshed?, at),
        None => {
            reporter.report(SyncPhase::IndexingNamely, 0, None);
            let at = std::time::Instant::now();
            let refreshed =
                bring_index_up_to_date(store, name, namely, field, started_at, reporter, cancel)
                    .await?;
            (refreshed, at)
        }
    };
    let entries = match refreshed {
        Ok(entries) => with_created(store, name, entries)?,
        Err(ending) => return Ok(ending),
    };

    // ---- 3. Plan ------------------------------------------------------------------------
    reporter.report(SyncPhase::Planning, 0, None);
    let rules = plan::Rules {
        start_from: ctx.settings.start_from,
        create_anyway: &options.create_anyway,
    };
    let planned = plan::plan(&hires, &NamelyIndex::new(&entries), &rules);

    if options.dry_run {
        // A dry run records every decision as planned (a create as `would_create`).
        let records: Vec<RecordRow> = planned.iter().map(planned_record).collect();
        for rec in &records {
            reporter.counts.add(rec.outcome);
        }
        store.add_records(run_id, &records)?;
        return Ok(after_read(reporter.counts.failed));
    }

    // ---- 4. Apply -----------------------------------------------------------------------
    let applier = Applier {
        store,
        namely,
        name,
        run_id,
        field,
        run_started_at: started_at,
        settle_time: options.settle_time,
    };
    let plan_applier = PlanApplier {
        applier: &applier,
        open_intents: &open_intents,
        rules,
        guard: options.guard_lookups,
        concurrency: options.namely_concurrency,
        fresh_for: options.index_fresh_for,
        cancel,
    };
    let ApplyEnd { halt, cancelled } = plan_applier
        .apply(planned, index_refreshed, reporter)
        .await?;
    if cancelled {
        return Ok(Ending::cancelled());
    }

    // ---- 5. Finish ----------------------------------------------------------------------
    if let Some(h) = halt {
        let status = match h {
            Halt::Credential | Halt::FilterIgnored => RunStatus::Failed,
            Halt::Throttled => RunStatus::FinishedWithFailures,
        };
        let mut error = h.run_error().to_string();
        if let Some(stop) = &read_stop {
            error = format!("{error} {}", stop.message());
        }
        return Ok(Ending::stopped(status, h.code(), error));
    }
    advance()?;
    Ok(after_read(reporter.counts.failed))
}

/// The earliest workflow update a window from `start_from` must read: a hire's status changes
/// (and the workflow's `updateddate` moves) when they are hired, which may be long before they
/// start ([`icims::assumptions::HIRED_BEFORE_START_MAX_DAYS`]). `None`: read everything (a
/// start-from date before 1990 means "the whole history").
fn read_floor(start_from: time::Date) -> Option<OffsetDateTime> {
    let margin = time::Duration::days(icims::assumptions::HIRED_BEFORE_START_MAX_DAYS);
    let floor = start_from.midnight().assume_utc() - margin;
    (floor.year() >= 1990).then_some(floor)
}

/// The record of a planned decision, as it stands when nothing is written.
pub(super) fn planned_record(p: &PlannedRecord) -> RecordRow {
    record(
        &p.hire,
        p.decision.planned_outcome(),
        p.reason.clone(),
        p.decision.existing().map(|e| e.profile_id.clone()),
        None,
    )
}

/// Step 2: refresh the local index (incrementally, or by a full listing; see
/// [`super::index`]) and return all of it. `Err` is how the run ends when Namely could not be
/// read or the run was cancelled.
pub(super) async fn bring_index_up_to_date(
    store: &Store,
    name: &ConnectionName,
    namely: &Namely<'_>,
    field: &str,
    started_at: OffsetDateTime,
    reporter: &Reporter<'_>,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Result<Result<Vec<IndexEntry>, Ending>, StoreError> {
    if let Refresh::Changes { since, meta } =
        refresh_for(store.index_meta(name)?.as_ref(), started_at)
    {
        match namely.list_changed(field, since, reporter, cancel).await {
            Ok(Changes::Read { entries, total }) => {
                tracing::info!(
                    changed = entries.len(),
                    since,
                    "refreshed the Namely index incrementally"
                );
                store.index_refresh(
                    name,
                    &entries,
                    &IndexMeta {
                        refreshed_at: started_at,
                        profile_count: total.unwrap_or(meta.profile_count),
                        ..meta
                    },
                )?;
                return Ok(Ok(store.index_all(name)?));
            }
            Ok(Changes::Unusable(why)) => {
                tracing::warn!(
                    why,
                    "cannot refresh the Namely index incrementally; listing every profile instead"
                );
            }
            Ok(Changes::Cancelled) => return Ok(Err(Ending::cancelled())),
            Err(e) => return Ok(Err(listing_failed(&e, "read the recent changes of"))),
        }
    }
    match namely.list_all(field, reporter, cancel).await {
        Ok(Some(entries)) => {
            tracing::info!(profiles = entries.len(), "listed every Namely profile");
            store.index_replace_all(
                name,
                &entries,
                &IndexMeta {
                    refreshed_at: started_at,
                    profile_count: u64::try_from(entries.len()).unwrap_or(u64::MAX),
                    full: true,
                    listed_at: Some(started_at),
                },
            )?;
            Ok(Ok(entries))
        }
        Ok(None) => Ok(Err(Ending::cancelled())),
        Err(e) => Ok(Err(listing_failed(&e, "list"))),
    }
}

/// How the run ends when the profiles could not be read from Namely (`what`: "list").
fn listing_failed(e: &namely::Error, what: &str) -> Ending {
    if e.is_auth() {
        Ending::stopped(
            RunStatus::Failed,
            RunErrorCode::NamelyCredentials,
            format!("Namely refused the credential — sign in again. Nothing was sent. ({e})"),
        )
    } else {
        Ending::stopped(
            RunStatus::Failed,
            RunErrorCode::NamelyUnavailable,
            format!(
                "Could not {what} the profiles in Namely, so nothing was sent: {e} The next run \
                 tries again."
            ),
        )
    }
}
