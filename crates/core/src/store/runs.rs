//! Run history: runs, their records, "retry failed", CSV export.

use super::{
    RecordRow, Result, RunEnd, RunId, RunRow, RunStatus, Store, StoreError, bad_word, name_col,
    opt_ts_col, opt_word, require_connection, ts, ts_col,
};
use crate::connection::ConnectionName;
use crate::domain::{Counts, IcimsPersonId, NamelyProfileId, OutcomeKind, RunErrorCode, Trigger};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

const RUN_COLUMNS: &str = "id, connection, triggered_by, dry_run, started_at, ended_at, status, \
     read_count, created_count, would_create_count, already_in_namely_count, needs_review_count, \
     invalid_count, failed_count, icims_calls, namely_calls, error, error_code, left_out_count";

const RECORD_COLUMNS: &str = "person_id, workflow_ids, name, email, outcome, reason, \
     namely_profile_id, detail, at, start_date, permanent";

/// Said of a run found without an end at startup.
pub(super) const INTERRUPTED_MESSAGE: &str = "The run stopped before it finished, most likely \
     because the app or the computer shut down. The next run picks up where it left off.";

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<RunRow> {
    let trigger: String = r.get(2)?;
    let status: String = r.get(6)?;
    Ok(RunRow {
        id: RunId(r.get(0)?),
        connection: name_col(r, 1)?,
        trigger: Trigger::parse(&trigger).ok_or_else(|| bad_word(2, "trigger", &trigger))?,
        dry_run: r.get(3)?,
        started_at: ts_col(r, 4)?,
        ended_at: opt_ts_col(r, 5)?,
        status: RunStatus::parse(&status).ok_or_else(|| bad_word(6, "run status", &status))?,
        counts: Counts {
            read: r.get(7)?,
            created: r.get(8)?,
            would_create: r.get(9)?,
            already_in_namely: r.get(10)?,
            needs_review: r.get(11)?,
            invalid: r.get(12)?,
            failed: r.get(13)?,
            left_out: r.get(18)?,
        },
        icims_calls: r.get(14)?,
        namely_calls: r.get(15)?,
        error: r.get(16)?,
        error_code: opt_word(r, 17, "run error code", RunErrorCode::parse)?,
    })
}

fn record_from_row(r: &Row<'_>) -> rusqlite::Result<RecordRow> {
    let workflows: String = r.get(1)?;
    let outcome: String = r.get(4)?;
    Ok(RecordRow {
        person_id: IcimsPersonId(r.get(0)?),
        workflow_ids: workflows
            .split_whitespace()
            .map(|w| w.parse::<u64>().map_err(|_| bad_word(1, "workflow id", w)))
            .collect::<rusqlite::Result<_>>()?,
        name: r.get(2)?,
        email: r.get(3)?,
        outcome: OutcomeKind::parse(&outcome).ok_or_else(|| bad_word(4, "outcome", &outcome))?,
        reason: r.get(5)?,
        namely_profile_id: r.get::<_, Option<String>>(6)?.map(NamelyProfileId),
        detail: r.get(7)?,
        at: ts_col(r, 8)?,
        start_date: r.get(9)?,
        permanent: r.get(10)?,
    })
}

fn workflow_text(ids: &[u64]) -> String {
    ids.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
}

fn run_status(c: &Connection, id: RunId) -> Result<RunStatus> {
    let status: Option<String> = c
        .query_row("SELECT status FROM runs WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })
        .optional()?;
    let status = status.ok_or(StoreError::NoSuchRun(id))?;
    RunStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("run status {status:?}")))
}

fn insert_record(c: &Connection, run_id: RunId, rec: &RecordRow) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO records (run_id, {RECORD_COLUMNS}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ),
        params![
            run_id.0,
            rec.person_id.0,
            workflow_text(&rec.workflow_ids),
            rec.name,
            rec.email,
            rec.outcome.as_str(),
            rec.reason,
            rec.namely_profile_id.as_ref().map(|p| p.0.as_str()),
            rec.detail,
            ts(rec.at),
            rec.start_date,
            rec.permanent,
        ],
    )?;
    Ok(())
}

impl Store {
    /// Begin a run (status `running`) and return its id.
    pub fn start_run(
        &self,
        name: &ConnectionName,
        trigger: Trigger,
        dry_run: bool,
        started_at: OffsetDateTime,
    ) -> Result<RunId> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO runs (connection, triggered_by, dry_run, started_at, status) \
                 VALUES (?1, ?2, ?3, ?4, 'running')",
                params![name.as_str(), trigger.as_str(), dry_run, ts(started_at)],
            )?;
            Ok(RunId(tx.last_insert_rowid()))
        })
    }

    /// End a run. A run that another process's startup marked `interrupted` while it was in
    /// fact still going may still record its real end; any other ended run is refused.
    pub fn finish_run(&self, run_id: RunId, end: &RunEnd) -> Result<()> {
        if end.status == RunStatus::Running {
            return Err(StoreError::InvalidInput(
                "a run cannot end with status running".into(),
            ));
        }
        self.write(|tx| {
            match run_status(tx, run_id)? {
                RunStatus::Running | RunStatus::Interrupted => {}
                _ => return Err(StoreError::RunAlreadyEnded(run_id)),
            }
            let c = &end.counts;
            tx.execute(
                "UPDATE runs SET ended_at = ?2, status = ?3, read_count = ?4, created_count = ?5, \
                 would_create_count = ?6, already_in_namely_count = ?7, needs_review_count = ?8, \
                 invalid_count = ?9, failed_count = ?10, icims_calls = ?11, namely_calls = ?12, \
                 error = ?13, error_code = ?14, left_out_count = ?15 WHERE id = ?1",
                params![
                    run_id.0,
                    ts(end.ended_at),
                    end.status.as_str(),
                    c.read,
                    c.created,
                    c.would_create,
                    c.already_in_namely,
                    c.needs_review,
                    c.invalid,
                    c.failed,
                    end.icims_calls,
                    end.namely_calls,
                    end.error,
                    end.error_code.map(RunErrorCode::as_str),
                    c.left_out,
                ],
            )?;
            Ok(())
        })
    }

    /// The newest `limit` runs of a connection, newest first. Works for a removed connection
    /// whose history was kept.
    pub fn runs(&self, name: &ConnectionName, limit: usize) -> Result<Vec<RunRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE connection = ?1 ORDER BY id DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![name.as_str(), limit], run_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn run(&self, run_id: RunId) -> Result<Option<RunRow>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
                [run_id.0],
                run_from_row,
            )
            .optional()?)
        })
    }

    /// The newest run of a connection (possibly still running).
    pub fn last_run(&self, name: &ConnectionName) -> Result<Option<RunRow>> {
        Ok(self.runs(name, 1)?.into_iter().next())
    }

    /// Mark every run still `running` as `interrupted` (ended at `now`), and every `pending`
    /// intent as `unknown`: its POST may or may not have reached Namely. Call once at startup,
    /// before any run begins. Returns the runs marked.
    pub fn recover_interrupted(&self, now: OffsetDateTime) -> Result<Vec<RunId>> {
        self.recover_interrupted_except(now, &[])
    }

    /// Like [`Store::recover_interrupted`], but leaves alone the runs and intents of the
    /// connections named in `busy` (another live process is syncing them right now).
    pub fn recover_interrupted_except(
        &self,
        now: OffsetDateTime,
        busy: &[ConnectionName],
    ) -> Result<Vec<RunId>> {
        let busy: Vec<String> = busy.iter().map(|n| n.as_str().to_string()).collect();
        // " AND connection NOT IN (?first, ?first+1, …)", or nothing.
        let not_busy = |first: usize| {
            if busy.is_empty() {
                return String::new();
            }
            let marks: Vec<String> = (0..busy.len()).map(|i| format!("?{}", first + i)).collect();
            format!(" AND connection NOT IN ({})", marks.join(", "))
        };
        self.write(|tx| {
            let ids = {
                let sql = format!(
                    "SELECT id FROM runs WHERE status = 'running'{}",
                    not_busy(1)
                );
                let mut stmt = tx.prepare(&sql)?;
                let rows = stmt.query_map(rusqlite::params_from_iter(busy.iter()), |r| {
                    r.get(0).map(RunId)
                })?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            let when = ts(now);
            let code = RunErrorCode::Interrupted.as_str();
            let mut update: Vec<&dyn rusqlite::ToSql> = vec![&when, &INTERRUPTED_MESSAGE, &code];
            update.extend(busy.iter().map(|b| b as &dyn rusqlite::ToSql));
            tx.execute(
                &format!(
                    "UPDATE runs SET status = 'interrupted', ended_at = ?1, \
                     error = COALESCE(error, ?2), error_code = COALESCE(error_code, ?3) \
                     WHERE status = 'running'{}",
                    not_busy(4)
                ),
                update.as_slice(),
            )?;
            tx.execute(
                &format!(
                    "UPDATE intents SET state = 'unknown' WHERE state = 'pending'{}",
                    not_busy(1)
                ),
                rusqlite::params_from_iter(busy.iter()),
            )?;
            if !ids.is_empty() {
                tracing::warn!(runs = ?ids, "marked unfinished runs as interrupted");
            }
            Ok(ids)
        })
    }

    /// Record what happened to one hire in a run.
    pub fn add_record(&self, run_id: RunId, rec: &RecordRow) -> Result<()> {
        self.add_records(run_id, std::slice::from_ref(rec))
    }

    /// Record many hires at once (one transaction; e.g. a dry run's whole plan).
    pub fn add_records(&self, run_id: RunId, recs: &[RecordRow]) -> Result<()> {
        self.write(|tx| {
            run_status(tx, run_id)?;
            for rec in recs {
                insert_record(tx, run_id, rec)?;
            }
            Ok(())
        })
    }

    /// A run's records in the order they were added.
    pub fn records(&self, run_id: RunId) -> Result<Vec<RecordRow>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {RECORD_COLUMNS} FROM records WHERE run_id = ?1 ORDER BY id"
            ))?;
            let rows = stmt.query_map([run_id.0], record_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// iCIMS persons whose most recent outcome in a real (not dry) run of this connection is
    /// `failed`: what "Retry failed" retries. Ascending.
    pub fn failed_person_ids(&self, name: &ConnectionName) -> Result<Vec<IcimsPersonId>> {
        Ok(self
            .latest_outcomes(name, &[OutcomeKind::Failed])?
            .into_iter()
            .map(|(person, _, _)| person)
            .collect())
    }

    /// Each iCIMS person whose most recent outcome in a real (not dry) run of this connection
    /// is one of `kinds`, with that outcome and the time it was recorded. Ascending by person
    /// id; empty when `kinds` is.
    pub fn latest_outcomes(
        &self,
        name: &ConnectionName,
        kinds: &[OutcomeKind],
    ) -> Result<Vec<(IcimsPersonId, OutcomeKind, OffsetDateTime)>> {
        if kinds.is_empty() {
            return Ok(Vec::new());
        }
        let words: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let marks: Vec<String> = (0..words.len()).map(|i| format!("?{}", i + 2)).collect();
        let sql = format!(
            "SELECT person_id, outcome, at FROM ( \
               SELECT r.person_id, r.outcome, r.at, \
                      ROW_NUMBER() OVER (PARTITION BY r.person_id ORDER BY r.id DESC) AS nth \
               FROM records r JOIN runs u ON u.id = r.run_id \
               WHERE u.connection = ?1 AND u.dry_run = 0) \
             WHERE nth = 1 AND outcome IN ({}) ORDER BY person_id",
            marks.join(", ")
        );
        self.read(|c| {
            let mut stmt = c.prepare(&sql)?;
            let connection = name.as_str();
            let mut args: Vec<&dyn rusqlite::ToSql> = vec![&connection];
            args.extend(words.iter().map(|w| w as &dyn rusqlite::ToSql));
            let rows = stmt.query_map(args.as_slice(), |r| {
                let outcome: String = r.get(1)?;
                Ok((
                    IcimsPersonId(r.get(0)?),
                    OutcomeKind::parse(&outcome).ok_or_else(|| bad_word(1, "outcome", &outcome))?,
                    ts_col(r, 2)?,
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The newest record of `person` in a real (not dry) run of this connection.
    pub fn latest_record(
        &self,
        name: &ConnectionName,
        person: IcimsPersonId,
    ) -> Result<Option<RecordRow>> {
        let columns = RECORD_COLUMNS
            .split(", ")
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM records r JOIN runs u ON u.id = r.run_id \
             WHERE u.connection = ?1 AND u.dry_run = 0 AND r.person_id = ?2 \
             ORDER BY r.id DESC LIMIT 1"
        );
        self.read(|c| {
            Ok(
                c.query_row(&sql, params![name.as_str(), person.0], record_from_row)
                    .optional()?,
            )
        })
    }

    /// Persons whose latest outcome is `failed` with a failure that will not fix itself
    /// (`permanent`), with how many such failures in a row they have had (latest first until
    /// another outcome). Dry runs are ignored.
    pub fn permanent_failure_streaks(
        &self,
        name: &ConnectionName,
    ) -> Result<Vec<(IcimsPersonId, u32)>> {
        let sql = "SELECT r.person_id, r.outcome, r.permanent \
                   FROM records r JOIN runs u ON u.id = r.run_id \
                   WHERE u.connection = ?1 AND u.dry_run = 0 \
                   ORDER BY r.person_id, r.id DESC";
        self.read(|c| {
            let mut stmt = c.prepare(sql)?;
            let rows = stmt.query_map([name.as_str()], |r| {
                let outcome: String = r.get(1)?;
                Ok((
                    r.get::<_, u64>(0)?,
                    outcome == OutcomeKind::Failed.as_str(),
                    r.get::<_, bool>(2)?,
                ))
            })?;
            let mut out: Vec<(IcimsPersonId, u32)> = Vec::new();
            // (person, still counting)
            let mut current: Option<(u64, bool)> = None;
            for row in rows {
                let (person, failed, permanent) = row?;
                let first = current.is_none_or(|(p, _)| p != person);
                if first {
                    current = Some((person, failed && permanent));
                    if failed && permanent {
                        out.push((IcimsPersonId(person), 1));
                    }
                    continue;
                }
                if let Some((_, counting)) = &mut current
                    && *counting
                {
                    if failed && permanent {
                        if let Some(last) = out.last_mut() {
                            last.1 += 1;
                        }
                    } else {
                        *counting = false;
                    }
                }
            }
            Ok(out)
        })
    }

    /// A run's records as CSV (RFC 4180: header row, CRLF, quoted where needed), for
    /// "Export CSV". Cells that a spreadsheet would run as a formula are defused with a
    /// leading `'`.
    pub fn record_csv(&self, run_id: RunId) -> Result<String> {
        if self.run(run_id)?.is_none() {
            return Err(StoreError::NoSuchRun(run_id));
        }
        let records = self.records(run_id)?;
        let mut out = super::csv::Writer::new();
        out.row(&[
            "time",
            "icims_person_id",
            "icims_workflow_ids",
            "name",
            "email",
            "outcome",
            "reason",
            "namely_profile_id",
            "detail",
        ]);
        for r in &records {
            out.row(&[
                &ts(r.at),
                &r.person_id.to_string(),
                &workflow_text(&r.workflow_ids),
                &r.name,
                r.email.as_deref().unwrap_or(""),
                r.outcome.as_str(),
                &r.reason,
                r.namely_profile_id.as_ref().map_or("", |p| p.0.as_str()),
                r.detail.as_deref().unwrap_or(""),
            ]);
        }
        Ok(out.finish())
    }
}
