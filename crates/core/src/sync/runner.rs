//! The run itself: start, read, index, plan, apply (or record the dry run), finish.

use super::apply::{Applier, Halt, record};
use super::index::needs_full_rebuild;
use super::read::{ReadOutcome, ReadRequest, ReadStop, Reader, Window};
use super::{
    DEFAULT_ICIMS_FIELD_NAME, Namely, Reporter, SyncContext, SyncError, SyncOptions, SyncOutcome,
    cancelled,
};
use crate::api::{SyncPhase, SyncProgress};
use crate::domain::{Decision, IcimsPersonId, IndexEntry, OutcomeKind};
use crate::plan::{self, NamelyIndex, PlannedRecord};
use crate::store::{
    IndexMeta, Intent, IntentResolution, RecordRow, RunEnd, RunId, RunStatus, StoreError, Watermark,
};
use std::collections::{BTreeSet, HashMap};
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
    let started_at = OffsetDateTime::now_utc();
    let name = &ctx.settings.name;
    let run_id = ctx
        .store
        .start_run(name, options.trigger, options.dry_run, started_at)?;
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
        error: ending.error,
    })
}

struct Ending {
    status: RunStatus,
    error: Option<String>,
}

impl Ending {
    fn new(status: RunStatus, error: Option<String>) -> Self {
        Self { status, error }
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
    let request = match &options.only_persons {
        Some(persons) => ReadRequest {
            window: None,
            persons: sorted_unique(persons.iter().copied()),
        },
        None => {
            let watermark = store.watermark(name)?;
            let overlap = time::Duration::try_from(options.overlap).unwrap_or(time::Duration::HOUR);
            // Persons to look at again whatever the window: last outcome failed, or a create
            // whose result is still unknown.
            let again = store
                .failed_person_ids(name)?
                .into_iter()
                .chain(open_intents.keys().copied());
            ReadRequest {
                window: Some(Window {
                    statuses: &ctx.settings.hired_statuses,
                    updated_since: watermark.map(|w| w.hired_since - overlap),
                }),
                persons: sorted_unique(again),
            }
        }
    };
    let reader = Reader::new(ctx.icims, store, name, options.budget_margin, cancel);
    let ReadOutcome {
        hires,
        invalid,
        stop: read_stop,
        window_complete,
    } = reader.read(&request, reporter).await;
    reporter.counts.read = u64::try_from(hires.len() + invalid.len()).unwrap_or(u64::MAX);
    tracing::info!(hires = hires.len(), invalid = invalid.len(), stop = ?read_stop, "read iCIMS");

    if read_stop == Some(ReadStop::Cancelled) {
        return Ok(Ending::new(
            RunStatus::Interrupted,
            Some(ReadStop::Cancelled.message()),
        ));
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
                Ending::new(RunStatus::StoppedBudget, Some(stop.message()))
            }
            Some(stop) if read_anything => Ending::new(
                RunStatus::Failed,
                Some(format!(
                    "{} The hires read before that are in this run's records; the rest will be \
                     read on the next run.",
                    stop.message()
                )),
            ),
            Some(stop) => Ending::new(RunStatus::Failed, Some(stop.message())),
            None if failed > 0 => Ending::new(RunStatus::FinishedWithFailures, None),
            None => Ending::new(RunStatus::Succeeded, None),
        }
    };
    // The watermark moves only past a window that was read completely and fully handled.
    let may_advance = !options.dry_run
        && options.only_persons.is_none()
        && window_complete
        && read_stop.is_none();
    let advance = || -> Result<(), StoreError> {
        if may_advance {
            store.set_watermark(
                name,
                &Watermark {
                    hired_since: started_at,
                },
            )?;
        }
        Ok(())
    };

    if hires.is_empty() {
        advance()?;
        return Ok(after_read(reporter.counts.failed));
    }

    // ---- 2. Index -----------------------------------------------------------------------
    reporter.report(SyncPhase::IndexingNamely, 0, None);
    let now = OffsetDateTime::now_utc();
    let entries: Vec<IndexEntry> = if needs_full_rebuild(store.index_meta(name)?.as_ref(), now) {
        match namely.list_all(field, reporter, cancel).await {
            Ok(Some(entries)) => {
                store.index_replace_all(
                    name,
                    &entries,
                    &IndexMeta {
                        refreshed_at: now,
                        profile_count: u64::try_from(entries.len()).unwrap_or(u64::MAX),
                        full: true,
                    },
                )?;
                entries
            }
            Ok(None) => {
                return Ok(Ending::new(
                    RunStatus::Interrupted,
                    Some(ReadStop::Cancelled.message()),
                ));
            }
            Err(e) => {
                let error = if e.is_auth() {
                    format!(
                        "Namely refused the credential — sign in again. Nothing was sent. ({e})"
                    )
                } else {
                    format!(
                        "Could not list the profiles in Namely, so nothing was sent: {e} The next \
                         run tries again."
                    )
                };
                return Ok(Ending::new(RunStatus::Failed, Some(error)));
            }
        }
    } else {
        store.index_all(name)?
    };

    // ---- 3. Plan ------------------------------------------------------------------------
    reporter.report(SyncPhase::Planning, 0, None);
    let planned = plan::plan(&hires, &NamelyIndex::new(&entries));
    let creates = planned
        .iter()
        .filter(|p| p.decision == Decision::Create)
        .count();

    if options.dry_run {
        let records: Vec<RecordRow> = planned.iter().map(dry_record).collect();
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
    };
    let mut done = 0;
    let mut halt: Option<Halt> = None;
    reporter.report(SyncPhase::AddingToNamely, 0, Some(creates));
    for p in &planned {
        if p.decision != Decision::Create {
            // A create that an earlier run could not confirm is settled by the index.
            if p.decision == Decision::AlreadyInNamely
                && let (Some(intent), Some(existing)) =
                    (open_intents.get(&p.hire.person_id), p.existing.as_ref())
            {
                store.resolve_intent(
                    intent.id,
                    &IntentResolution::Created(existing.profile_id.clone()),
                    OffsetDateTime::now_utc(),
                )?;
            }
            let rec = planned_record(p);
            reporter.counts.add(rec.outcome);
            store.add_record(run_id, &rec)?;
            continue;
        }
        if let Some(h) = halt {
            let rec = record(
                &p.hire,
                OutcomeKind::Failed,
                h.not_sent_reason(),
                None,
                None,
            );
            reporter.counts.add(rec.outcome);
            store.add_record(run_id, &rec)?;
            continue;
        }
        if cancelled(cancel) {
            // Unsent hires are not recorded: the watermark stays, so they come back.
            return Ok(Ending::new(
                RunStatus::Interrupted,
                Some(ReadStop::Cancelled.message()),
            ));
        }
        let applied = applier
            .create(p, open_intents.get(&p.hire.person_id))
            .await?;
        if !applied.seen.is_empty() {
            store.index_upsert(name, &applied.seen)?;
        }
        reporter.counts.add(applied.record.outcome);
        store.add_record(run_id, &applied.record)?;
        halt = applied.halt;
        done += 1;
        reporter.report(SyncPhase::AddingToNamely, done, Some(creates));
    }

    // ---- 5. Finish ----------------------------------------------------------------------
    if let Some(h) = halt {
        let status = match h {
            Halt::Credential => RunStatus::Failed,
            Halt::Throttled => RunStatus::FinishedWithFailures,
        };
        let mut error = h.run_error().to_string();
        if let Some(stop) = &read_stop {
            error = format!("{error} {}", stop.message());
        }
        return Ok(Ending::new(status, Some(error)));
    }
    advance()?;
    Ok(after_read(reporter.counts.failed))
}

fn sorted_unique(ids: impl IntoIterator<Item = IcimsPersonId>) -> Vec<IcimsPersonId> {
    ids.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The record of a planned decision that needs no write.
fn planned_record(p: &PlannedRecord) -> RecordRow {
    let outcome = match p.decision {
        Decision::Create => OutcomeKind::WouldCreate,
        Decision::AlreadyInNamely => OutcomeKind::AlreadyInNamely,
        Decision::NeedsReview => OutcomeKind::NeedsReview,
        Decision::Invalid => OutcomeKind::Invalid,
    };
    record(
        &p.hire,
        outcome,
        p.reason.clone(),
        p.existing.as_ref().map(|e| e.profile_id.clone()),
        None,
    )
}

/// A dry run records every decision as planned (Create as `would_create`).
fn dry_record(p: &PlannedRecord) -> RecordRow {
    planned_record(p)
}
