//! The local Namely index, its freshness, the watermark and the iCIMS call budget.

use super::{
    IcimsBudget, IndexMeta, Result, Store, Watermark, opt_ts_col, require_connection, ts, ts_col,
};
use crate::connection::ConnectionName;
use crate::domain::{IndexEntry, NamelyProfileId};
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::Date;

const COLUMNS: &str = "profile_id, icims_id, email, personal_email, full_name, user_status, \
     first_name, last_name, start_date";

fn day_text(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<IndexEntry> {
    Ok(IndexEntry {
        profile_id: NamelyProfileId(r.get(0)?),
        icims_id: r.get(1)?,
        email: r.get(2)?,
        personal_email: r.get(3)?,
        full_name: r.get(4)?,
        user_status: r.get(5)?,
        first_name: r.get(6)?,
        last_name: r.get(7)?,
        start_date: r.get(8)?,
    })
}

/// How an email is compared: trimmed and lowercased (Unicode-aware).
fn email_key(email: &str) -> Option<String> {
    let key = email.trim().to_lowercase();
    (!key.is_empty()).then_some(key)
}

fn icims_key(id: &str) -> Option<String> {
    let key = id.trim();
    (!key.is_empty()).then(|| key.to_string())
}

fn upsert(c: &Connection, name: &ConnectionName, entries: &[IndexEntry]) -> Result<()> {
    let mut stmt = c.prepare(
        "INSERT INTO namely_index (connection, profile_id, icims_id, email, personal_email, \
         full_name, user_status, icims_id_key, email_key, personal_email_key, first_name, \
         last_name, start_date) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
         ON CONFLICT (connection, profile_id) DO UPDATE SET icims_id = excluded.icims_id, \
         email = excluded.email, personal_email = excluded.personal_email, \
         full_name = excluded.full_name, user_status = excluded.user_status, \
         icims_id_key = excluded.icims_id_key, email_key = excluded.email_key, \
         personal_email_key = excluded.personal_email_key, first_name = excluded.first_name, \
         last_name = excluded.last_name, start_date = excluded.start_date",
    )?;
    for e in entries {
        stmt.execute(params![
            name.as_str(),
            e.profile_id.0,
            e.icims_id,
            e.email,
            e.personal_email,
            e.full_name,
            e.user_status,
            e.icims_id.as_deref().and_then(icims_key),
            e.email.as_deref().and_then(email_key),
            e.personal_email.as_deref().and_then(email_key),
            e.first_name,
            e.last_name,
            e.start_date,
        ])?;
    }
    Ok(())
}

fn write_meta(c: &Connection, name: &ConnectionName, meta: &IndexMeta) -> Result<()> {
    c.execute(
        "INSERT INTO namely_index_meta (connection, refreshed_at, profile_count, full, \
         listed_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (connection) DO UPDATE SET \
         refreshed_at = excluded.refreshed_at, profile_count = excluded.profile_count, \
         full = excluded.full, listed_at = excluded.listed_at",
        params![
            name.as_str(),
            ts(meta.refreshed_at),
            meta.profile_count,
            meta.full,
            meta.listed_at.map(ts),
        ],
    )?;
    Ok(())
}

impl Store {
    /// Add or update index entries (by profile id), in one transaction.
    pub fn index_upsert(&self, name: &ConnectionName, entries: &[IndexEntry]) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            upsert(tx, name, entries)
        })
    }

    /// Replace the whole index with a full listing and record its freshness, in one
    /// transaction (profiles no longer listed disappear).
    pub fn index_replace_all(
        &self,
        name: &ConnectionName,
        entries: &[IndexEntry],
        meta: &IndexMeta,
    ) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "DELETE FROM namely_index WHERE connection = ?1",
                [name.as_str()],
            )?;
            upsert(tx, name, entries)?;
            write_meta(tx, name, meta)
        })
    }

    /// Upsert what an incremental refresh read (by profile id; nothing is removed) and record
    /// its freshness, in one transaction.
    pub fn index_refresh(
        &self,
        name: &ConnectionName,
        entries: &[IndexEntry],
        meta: &IndexMeta,
    ) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            upsert(tx, name, entries)?;
            write_meta(tx, name, meta)
        })
    }

    /// Every indexed profile, by profile id.
    pub fn index_all(&self, name: &ConnectionName) -> Result<Vec<IndexEntry>> {
        self.index_query(name, "1 = 1", "")
    }

    /// Profiles whose `icims_id` is `icims_id` (surrounding spaces ignored). More than one
    /// means Namely already holds a duplicate.
    pub fn index_by_icims_id(
        &self,
        name: &ConnectionName,
        icims_id: &str,
    ) -> Result<Vec<IndexEntry>> {
        match icims_key(icims_id) {
            None => Ok(Vec::new()),
            Some(key) => self.index_query(name, "icims_id_key = ?2", &key),
        }
    }

    /// Profiles whose company or personal email is `email`, ignoring case.
    pub fn index_by_email(&self, name: &ConnectionName, email: &str) -> Result<Vec<IndexEntry>> {
        match email_key(email) {
            None => Ok(Vec::new()),
            Some(key) => {
                self.index_query(name, "(email_key = ?2 OR personal_email_key = ?2)", &key)
            }
        }
    }

    fn index_query(
        &self,
        name: &ConnectionName,
        filter: &str,
        arg: &str,
    ) -> Result<Vec<IndexEntry>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM namely_index WHERE connection = ?1 AND {filter} \
                 ORDER BY profile_id"
            ))?;
            let rows = if filter.contains("?2") {
                stmt.query_map(params![name.as_str(), arg], entry_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            } else {
                stmt.query_map([name.as_str()], entry_from_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?
            };
            Ok(rows)
        })
    }

    pub fn index_meta(&self, name: &ConnectionName) -> Result<Option<IndexMeta>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT refreshed_at, profile_count, full, listed_at FROM namely_index_meta \
                 WHERE connection = ?1",
                [name.as_str()],
                |r| {
                    Ok(IndexMeta {
                        refreshed_at: ts_col(r, 0)?,
                        profile_count: r.get(1)?,
                        full: r.get(2)?,
                        listed_at: opt_ts_col(r, 3)?,
                    })
                },
            )
            .optional()?)
        })
    }

    pub fn set_index_meta(&self, name: &ConnectionName, meta: &IndexMeta) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            write_meta(tx, name, meta)
        })
    }

    pub fn watermark(&self, name: &ConnectionName) -> Result<Option<Watermark>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT hired_since FROM watermarks WHERE connection = ?1",
                [name.as_str()],
                |r| {
                    Ok(Watermark {
                        hired_since: ts_col(r, 0)?,
                    })
                },
            )
            .optional()?)
        })
    }

    /// Move the watermark. Only past data that was fully handled: that is the caller's call.
    pub fn set_watermark(&self, name: &ConnectionName, w: &Watermark) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO watermarks (connection, hired_since) VALUES (?1, ?2) \
                 ON CONFLICT (connection) DO UPDATE SET hired_since = excluded.hired_since",
                params![name.as_str(), ts(w.hired_since)],
            )?;
            Ok(())
        })
    }

    /// Forget the watermark: the next run reads every hire again (nothing is created twice;
    /// the index and the plan see to that).
    pub fn clear_watermark(&self, name: &ConnectionName) -> Result<()> {
        self.write(|tx| super::reading::forget_reading(tx, name))
    }

    /// Save the iCIMS call budget of a UTC day as last seen (replacing what was there).
    pub fn record_icims_budget(
        &self,
        name: &ConnectionName,
        day: Date,
        calls_spent_today: u64,
        remaining: Option<u64>,
        limit: Option<u64>,
    ) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO icims_budget (connection, day, calls_spent, remaining, daily_limit) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (connection, day) DO UPDATE SET \
                 calls_spent = excluded.calls_spent, remaining = excluded.remaining, \
                 daily_limit = excluded.daily_limit",
                params![
                    name.as_str(),
                    day_text(day),
                    calls_spent_today,
                    remaining,
                    limit
                ],
            )?;
            Ok(())
        })
    }

    /// Add `calls` to a UTC day's spent calls (other fields kept); returns the new total.
    pub fn add_icims_calls(&self, name: &ConnectionName, day: Date, calls: u64) -> Result<u64> {
        self.write(|tx| {
            require_connection(tx, name)?;
            Ok(tx.query_row(
                "INSERT INTO icims_budget (connection, day, calls_spent) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (connection, day) DO UPDATE SET \
                 calls_spent = calls_spent + excluded.calls_spent RETURNING calls_spent",
                params![name.as_str(), day_text(day), calls],
                |r| r.get(0),
            )?)
        })
    }

    pub fn icims_budget(&self, name: &ConnectionName, day: Date) -> Result<Option<IcimsBudget>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT calls_spent, remaining, daily_limit FROM icims_budget \
                 WHERE connection = ?1 AND day = ?2",
                params![name.as_str(), day_text(day)],
                |r| {
                    Ok(IcimsBudget {
                        day,
                        calls_spent: r.get(0)?,
                        remaining: r.get(1)?,
                        limit: r.get(2)?,
                    })
                },
            )
            .optional()?)
        })
    }
}
