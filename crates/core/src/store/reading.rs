//! Where reading iCIMS stands: the position inside a date window that a run could not finish
//! (so the next run goes on from there), and the workflows already settled (their person is
//! in Namely), which a run skips without reading them again.

use super::{ReadPosition, Result, Store, opt_ts_col, require_connection, ts, ts_col};
use crate::connection::ConnectionName;
use crate::domain::OutcomeKind;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeSet, HashSet};

impl Store {
    /// The unfinished window of this connection, if a run stopped inside one.
    pub fn read_position(&self, name: &ConnectionName) -> Result<Option<ReadPosition>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT window_since, window_started_at, after_workflow, saved_at \
                 FROM read_positions WHERE connection = ?1",
                [name.as_str()],
                |r| {
                    Ok(ReadPosition {
                        window_since: opt_ts_col(r, 0)?,
                        window_started_at: ts_col(r, 1)?,
                        after_workflow: r.get(2)?,
                        saved_at: ts_col(r, 3)?,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Remember how far a window was read (replacing what was there).
    pub fn set_read_position(&self, name: &ConnectionName, p: &ReadPosition) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO read_positions \
                   (connection, window_since, window_started_at, after_workflow, saved_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (connection) DO UPDATE SET window_since = excluded.window_since, \
                   window_started_at = excluded.window_started_at, \
                   after_workflow = excluded.after_workflow, saved_at = excluded.saved_at",
                params![
                    name.as_str(),
                    p.window_since.map(ts),
                    ts(p.window_started_at),
                    p.after_workflow,
                    ts(p.saved_at)
                ],
            )?;
            Ok(())
        })
    }

    /// Forget the position (the window was read to its end, or must be read from the start).
    pub fn clear_read_position(&self, name: &ConnectionName) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM read_positions WHERE connection = ?1",
                [name.as_str()],
            )?;
            Ok(())
        })
    }

    /// Workflow ids of every person whose latest outcome in a real run is in Namely (added,
    /// added with a warning, already there): reading them again cannot change anything. (An
    /// invalid or needs-review person is not settled: iCIMS's search gives ids only, so a
    /// workflow changed since — hired again, say — cannot be told from one that was not.)
    /// Only runs since the watermark was last forgotten count.
    pub fn settled_workflows(&self, name: &ConnectionName) -> Result<HashSet<u64>> {
        let in_namely: BTreeSet<u64> = self
            .latest_outcomes(
                name,
                &[
                    OutcomeKind::Created,
                    OutcomeKind::CreatedWithWarning,
                    OutcomeKind::AlreadyInNamely,
                ],
            )?
            .into_iter()
            .map(|(person, _, _)| person.0)
            .collect();
        if in_namely.is_empty() {
            return Ok(HashSet::new());
        }
        self.read(|c| {
            // Records from before the watermark was last forgotten may be of another iCIMS
            // customer (or a sandbox since started afresh): they settle nothing.
            let mut stmt = c.prepare(
                "SELECT DISTINCT r.person_id, r.workflow_ids FROM records r \
                 JOIN runs u ON u.id = r.run_id \
                 WHERE u.connection = ?1 AND u.dry_run = 0 AND r.person_id <> 0 \
                   AND u.id > COALESCE((SELECT settled_after_run FROM connections \
                                        WHERE name = ?1), 0)",
            )?;
            let rows = stmt.query_map([name.as_str()], |r| {
                Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut settled = HashSet::new();
            for row in rows {
                let (person, workflows) = row?;
                if in_namely.contains(&person) {
                    settled.extend(
                        workflows
                            .split_whitespace()
                            .filter_map(|w| w.parse::<u64>().ok()),
                    );
                }
            }
            Ok(settled)
        })
    }
}

/// Forget where reading stands: the watermark, the position inside a window, and which
/// workflows earlier runs settled (the next run reads from the start-from date, perhaps of
/// another iCIMS customer).
pub(super) fn forget_reading(tx: &Connection, name: &ConnectionName) -> Result<()> {
    tx.execute(
        "DELETE FROM watermarks WHERE connection = ?1",
        [name.as_str()],
    )?;
    tx.execute(
        "DELETE FROM read_positions WHERE connection = ?1",
        [name.as_str()],
    )?;
    tx.execute(
        "UPDATE connections SET settled_after_run = \
           (SELECT COALESCE(MAX(id), 0) FROM runs) WHERE name = ?1",
        [name.as_str()],
    )?;
    Ok(())
}
