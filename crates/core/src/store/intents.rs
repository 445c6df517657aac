//! Create intents: written before each Namely POST, so a crash or a timeout can never lead to
//! a second create for the same person without a lookup first.

use super::{
    Intent, IntentId, IntentResolution, IntentState, Result, RunId, Store, StoreError, bad_word,
    name_col, opt_ts_col, require_connection, ts, ts_col,
};
use crate::connection::ConnectionName;
use crate::domain::{IcimsPersonId, NamelyProfileId};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

const COLUMNS: &str =
    "id, connection, person_id, run_id, email, state, started_at, ended_at, namely_profile_id";

fn intent_from_row(r: &Row<'_>) -> rusqlite::Result<Intent> {
    let state: String = r.get(5)?;
    Ok(Intent {
        id: IntentId(r.get(0)?),
        connection: name_col(r, 1)?,
        person_id: IcimsPersonId(r.get(2)?),
        run_id: RunId(r.get(3)?),
        email: r.get(4)?,
        state: IntentState::parse(&state).ok_or_else(|| bad_word(5, "intent state", &state))?,
        started_at: ts_col(r, 6)?,
        ended_at: opt_ts_col(r, 7)?,
        namely_profile_id: r.get::<_, Option<String>>(8)?.map(NamelyProfileId),
    })
}

fn get_intent(c: &Connection, id: IntentId) -> Result<Option<Intent>> {
    Ok(c.query_row(
        &format!("SELECT {COLUMNS} FROM intents WHERE id = ?1"),
        [id.0],
        intent_from_row,
    )
    .optional()?)
}

/// Move an open intent to `state`; error if it is missing or already closed.
fn close(
    c: &Connection,
    id: IntentId,
    state: IntentState,
    profile: Option<&NamelyProfileId>,
    at: OffsetDateTime,
) -> Result<()> {
    let intent = get_intent(c, id)?.ok_or(StoreError::NoSuchIntent(id))?;
    if !intent.state.is_open() {
        return Err(StoreError::IntentClosed {
            id,
            state: intent.state.as_str(),
        });
    }
    let ended_at = (!state.is_open()).then(|| ts(at));
    c.execute(
        "UPDATE intents SET state = ?2, ended_at = ?3, \
         namely_profile_id = COALESCE(?4, namely_profile_id) WHERE id = ?1",
        params![
            id.0,
            state.as_str(),
            ended_at,
            profile.map(|p| p.0.as_str())
        ],
    )?;
    Ok(())
}

impl Store {
    /// Write a `pending` intent just before POSTing a profile for `person_id`. Refused while
    /// the person has another open (pending or unknown) intent: resolve that one first, after
    /// looking the person up in Namely.
    pub fn begin_intent(
        &self,
        name: &ConnectionName,
        person_id: IcimsPersonId,
        run_id: RunId,
        email: &str,
        started_at: OffsetDateTime,
    ) -> Result<IntentId> {
        self.write(|tx| {
            require_connection(tx, name)?;
            let open: Option<i64> = tx
                .query_row(
                    "SELECT id FROM intents WHERE connection = ?1 AND person_id = ?2 \
                     AND state IN ('pending', 'unknown')",
                    params![name.as_str(), person_id.0],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(open) = open {
                return Err(StoreError::IntentOpen {
                    person_id,
                    intent: IntentId(open),
                });
            }
            let run_exists: Option<i64> = tx
                .query_row("SELECT 1 FROM runs WHERE id = ?1", [run_id.0], |r| r.get(0))
                .optional()?;
            if run_exists.is_none() {
                return Err(StoreError::NoSuchRun(run_id));
            }
            tx.execute(
                "INSERT INTO intents (connection, person_id, run_id, email, state, started_at) \
                 VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
                params![name.as_str(), person_id.0, run_id.0, email, ts(started_at)],
            )?;
            Ok(IntentId(tx.last_insert_rowid()))
        })
    }

    /// The POST created `profile_id`: the intent is `done`.
    pub fn complete_intent(
        &self,
        id: IntentId,
        profile_id: &NamelyProfileId,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write(|tx| close(tx, id, IntentState::Done, Some(profile_id), at))
    }

    /// The POST failed. If Namely certainly did not create the profile (e.g. a 4xx with a
    /// validation error), the intent is `failed`; otherwise (timeout, 5xx, connection lost)
    /// it is `unknown` and stays open until a lookup resolves it.
    pub fn fail_intent(
        &self,
        id: IntentId,
        definitely_not_created: bool,
        at: OffsetDateTime,
    ) -> Result<()> {
        let state = if definitely_not_created {
            IntentState::Failed
        } else {
            IntentState::Unknown
        };
        self.write(|tx| close(tx, id, state, None, at))
    }

    /// Close an open intent after looking the person up in Namely.
    pub fn resolve_intent(
        &self,
        id: IntentId,
        found: &IntentResolution,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write(|tx| match found {
            IntentResolution::Created(profile) => {
                close(tx, id, IntentState::Done, Some(profile), at)
            }
            IntentResolution::NotCreated => close(tx, id, IntentState::Failed, None, at),
        })
    }

    /// Intents still open (pending or unknown), oldest first. A run must look each of these
    /// persons up in Namely, and resolve the intent, before creating them.
    pub fn open_intents(&self, name: &ConnectionName) -> Result<Vec<Intent>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM intents WHERE connection = ?1 \
                 AND state IN ('pending', 'unknown') ORDER BY id"
            ))?;
            let rows = stmt.query_map([name.as_str()], intent_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The latest `done` intent of each person (Namely confirmed the create, or a lookup found
    /// the profile): what the intent table alone knows was created, even when the run that
    /// made it died before recording the hire, or Namely's reads do not show it yet. Only
    /// runs since the watermark was last forgotten count (another customer, or a sandbox
    /// started afresh, as for `settled_workflows`).
    pub fn created_intents(&self, name: &ConnectionName) -> Result<Vec<Intent>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM intents WHERE id IN (SELECT MAX(id) FROM intents \
                 WHERE connection = ?1 AND state = 'done' AND namely_profile_id IS NOT NULL \
                   AND run_id > COALESCE((SELECT settled_after_run FROM connections \
                                          WHERE name = ?1), 0) \
                 GROUP BY person_id) ORDER BY person_id"
            ))?;
            let rows = stmt.query_map([name.as_str()], intent_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn intent(&self, id: IntentId) -> Result<Option<Intent>> {
        self.read(|c| get_intent(c, id))
    }
}
