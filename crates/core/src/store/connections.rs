//! Connections: add, update, read, list, remove.

use super::{Result, Store, StoreError, name_col, opt_ts_col, ts, ts_col};
use crate::connection::{
    ConnectionName, ConnectionSettings, IcimsRegion, NamelyOAuth, RoleConfirmation, Schedule,
    default_start_from,
};
use crate::domain::NamelyProfileId;
use crate::mapping::{iso_date, parse_calendar_date};
use rusqlite::{OptionalExtension, Row, params};
use time::OffsetDateTime;

const COLUMNS: &str = "name, namely_permalink, namely_url, icims_customer_id, icims_username, \
     icims_region, icims_url, hired_statuses, schedule, icims_field_name, owner_profile_id, \
     sandbox, created_at, namely_company_name, start_from, owner_role_confirmed_for, \
     owner_role_confirmed_by, owner_role_confirmed_at, signed_in_profile_id, read_again_reason, \
     unmatched_statuses, icims_concurrency, namely_oauth_client_id, namely_oauth_port";

fn settings_from_row(row: &Row<'_>) -> rusqlite::Result<ConnectionSettings> {
    let conversion = |idx: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e)
    };
    let region: String = row.get(5)?;
    let statuses: String = row.get(7)?;
    let schedule: String = row.get(8)?;
    Ok(ConnectionSettings {
        name: name_col(row, 0)?,
        namely_permalink: row.get(1)?,
        namely_url: row.get(2)?,
        icims_customer_id: row.get(3)?,
        icims_username: row.get(4)?,
        icims_region: region
            .parse::<IcimsRegion>()
            .map_err(|e| conversion(5, Box::new(e)))?,
        icims_url: row.get(6)?,
        hired_statuses: serde_json::from_str(&statuses).map_err(|e| conversion(7, Box::new(e)))?,
        schedule: schedule
            .parse::<Schedule>()
            .map_err(|e| conversion(8, Box::new(e)))?,
        icims_field_name: row.get(9)?,
        owner_profile_id: row.get::<_, Option<String>>(10)?.map(NamelyProfileId),
        sandbox: row.get(11)?,
        created_at: ts_col(row, 12)?,
        namely_company_name: row.get(13)?,
        start_from: match row.get::<_, Option<String>>(14)? {
            Some(day) => parse_calendar_date(&day)
                .ok_or_else(|| conversion(14, format!("start_from {day:?}").into()))?,
            None => default_start_from(ts_col(row, 12)?),
        },
        owner_role_confirmation: match (
            row.get::<_, Option<String>>(15)?,
            row.get::<_, Option<String>>(16)?,
            opt_ts_col(row, 17)?,
        ) {
            (Some(profile_id), Some(by), Some(at)) => Some(RoleConfirmation {
                profile_id: NamelyProfileId(profile_id),
                by,
                at,
            }),
            _ => None,
        },
        signed_in_profile_id: row.get::<_, Option<String>>(18)?.map(NamelyProfileId),
        read_again_reason: row.get(19)?,
        unmatched_statuses: match row.get::<_, Option<String>>(20)? {
            Some(json) => serde_json::from_str(&json).map_err(|e| conversion(20, Box::new(e)))?,
            None => Vec::new(),
        },
        icims_concurrency: row.get(21)?,
        namely_oauth: match (
            row.get::<_, Option<String>>(22)?,
            row.get::<_, Option<u16>>(23)?,
        ) {
            (Some(client_id), port) => Some(NamelyOAuth {
                client_id,
                port: port.unwrap_or(namely::assumptions::DEFAULT_REDIRECT_PORT),
            }),
            (None, _) => None,
        },
    })
}

/// The columns of version 4, in `COLUMNS` order from `start_from`.
fn v4_values(s: &ConnectionSettings) -> Result<[Option<String>; 7]> {
    let c = s.owner_role_confirmation.as_ref();
    let unmatched = if s.unmatched_statuses.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(&s.unmatched_statuses)
                .map_err(|e| StoreError::InvalidInput(format!("unmatched statuses: {e}")))?,
        )
    };
    Ok([
        Some(iso_date(s.start_from)),
        c.map(|c| c.profile_id.0.clone()),
        c.map(|c| c.by.clone()),
        c.map(|c| ts(c.at)),
        s.signed_in_profile_id.as_ref().map(|p| p.0.clone()),
        s.read_again_reason.clone(),
        unmatched,
    ])
}

fn statuses_json(s: &ConnectionSettings) -> Result<String> {
    serde_json::to_string(&s.hired_statuses)
        .map_err(|e| StoreError::InvalidInput(format!("hired statuses: {e}")))
}

impl Store {
    /// Save a new connection. Names are unique ignoring case: with "Acme" saved, "ACME" is
    /// refused ("a connection named Acme already exists").
    pub fn add_connection(&self, s: &ConnectionSettings) -> Result<()> {
        let statuses = statuses_json(s)?;
        let v4 = v4_values(s)?;
        self.write(|tx| {
            let existing: Option<String> = tx
                .query_row(
                    "SELECT name FROM connections WHERE name_key = ?1",
                    [s.name.key()],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(existing) = existing {
                return Err(StoreError::ConnectionExists(existing));
            }
            let now = ts(OffsetDateTime::now_utc());
            tx.execute(
                "INSERT INTO connections (name, name_key, namely_permalink, namely_url, \
                 icims_customer_id, icims_username, icims_region, icims_url, hired_statuses, \
                 schedule, icims_field_name, owner_profile_id, sandbox, created_at, updated_at, \
                 namely_company_name, start_from, owner_role_confirmed_for, \
                 owner_role_confirmed_by, owner_role_confirmed_at, signed_in_profile_id, \
                 read_again_reason, unmatched_statuses) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
                 ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
                params![
                    s.name.as_str(),
                    s.name.key(),
                    s.namely_permalink,
                    s.namely_url,
                    s.icims_customer_id,
                    s.icims_username,
                    s.icims_region.as_str(),
                    s.icims_url,
                    statuses,
                    s.schedule.spec(),
                    s.icims_field_name,
                    s.owner_profile_id.as_ref().map(|p| p.0.as_str()),
                    s.sandbox,
                    ts(s.created_at),
                    now,
                    s.namely_company_name,
                    v4[0],
                    v4[1],
                    v4[2],
                    v4[3],
                    v4[4],
                    v4[5],
                    v4[6],
                ],
            )?;
            Ok(())
        })
    }

    /// Replace the settings of the connection named `s.name` (its `created_at` is kept).
    pub fn update_connection(&self, s: &ConnectionSettings) -> Result<()> {
        let statuses = statuses_json(s)?;
        let v4 = v4_values(s)?;
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE connections SET namely_permalink = ?2, namely_url = ?3, \
                 icims_customer_id = ?4, icims_username = ?5, icims_region = ?6, icims_url = ?7, \
                 hired_statuses = ?8, schedule = ?9, icims_field_name = ?10, \
                 owner_profile_id = ?11, sandbox = ?12, updated_at = ?13, \
                 namely_company_name = ?14, start_from = ?15, owner_role_confirmed_for = ?16, \
                 owner_role_confirmed_by = ?17, owner_role_confirmed_at = ?18, \
                 signed_in_profile_id = ?19, read_again_reason = ?20, unmatched_statuses = ?21 \
                 WHERE name = ?1",
                params![
                    s.name.as_str(),
                    s.namely_permalink,
                    s.namely_url,
                    s.icims_customer_id,
                    s.icims_username,
                    s.icims_region.as_str(),
                    s.icims_url,
                    statuses,
                    s.schedule.spec(),
                    s.icims_field_name,
                    s.owner_profile_id.as_ref().map(|p| p.0.as_str()),
                    s.sandbox,
                    ts(OffsetDateTime::now_utc()),
                    s.namely_company_name,
                    v4[0],
                    v4[1],
                    v4[2],
                    v4[3],
                    v4[4],
                    v4[5],
                    v4[6],
                ],
            )?;
            if changed == 0 {
                return Err(StoreError::NoSuchConnection(s.name.to_string()));
            }
            Ok(())
        })
    }

    /// How the connection signs in to Namely: with the application `oauth` names, or (`None`)
    /// with a personal access token. Kept apart from [`Self::update_connection`], which leaves
    /// it as it is.
    pub fn set_namely_oauth(
        &self,
        name: &ConnectionName,
        oauth: Option<&NamelyOAuth>,
    ) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE connections SET namely_oauth_client_id = ?2, namely_oauth_port = ?3 \
                 WHERE name = ?1",
                params![
                    name.as_str(),
                    oauth.map(|o| o.client_id.as_str()),
                    oauth.map(|o| o.port)
                ],
            )?;
            if changed == 0 {
                return Err(StoreError::NoSuchConnection(name.to_string()));
            }
            Ok(())
        })
    }

    /// How many iCIMS reads the connection keeps in flight (`None`: the app's default).
    /// Kept apart from [`Self::update_connection`], which leaves it as it is.
    pub fn set_icims_concurrency(&self, name: &ConnectionName, n: Option<u8>) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE connections SET icims_concurrency = ?2 WHERE name = ?1",
                params![name.as_str(), n],
            )?;
            if changed == 0 {
                return Err(StoreError::NoSuchConnection(name.to_string()));
            }
            Ok(())
        })
    }

    /// The connection with exactly this name.
    pub fn get_connection(&self, name: &ConnectionName) -> Result<Option<ConnectionSettings>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {COLUMNS} FROM connections WHERE name = ?1"),
                [name.as_str()],
                settings_from_row,
            )
            .optional()?)
        })
    }

    /// The connection whose name matches `typed` ignoring case and surrounding spaces (for a
    /// CLI argument). Use the returned `name` for everything after.
    pub fn find_connection(&self, typed: &str) -> Result<Option<ConnectionSettings>> {
        let key = typed.trim().to_lowercase();
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {COLUMNS} FROM connections WHERE name_key = ?1"),
                [key],
                settings_from_row,
            )
            .optional()?)
        })
    }

    /// Every connection, sorted by name (ignoring case).
    pub fn list_connections(&self) -> Result<Vec<ConnectionSettings>> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM connections ORDER BY name_key, name"
            ))?;
            let rows = stmt.query_map([], settings_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Remove a connection: its settings, setup progress, secret dates, owner candidates,
    /// create intents, Namely index, watermark and call budget. Its run history (runs and
    /// records) stays unless `keep_history` is false. Secrets in the keychain are the caller's
    /// to remove.
    pub fn remove_connection(&self, name: &ConnectionName, keep_history: bool) -> Result<()> {
        self.write(|tx| {
            // Everything but history hangs off `connections` with ON DELETE CASCADE.
            let removed = tx.execute("DELETE FROM connections WHERE name = ?1", [name.as_str()])?;
            if removed == 0 {
                return Err(StoreError::NoSuchConnection(name.to_string()));
            }
            if !keep_history {
                // Records go with their runs (ON DELETE CASCADE).
                tx.execute("DELETE FROM runs WHERE connection = ?1", [name.as_str()])?;
            }
            Ok(())
        })
    }

    /// The next run reads again from the start-from date (the watermark is forgotten), and
    /// says why: the hired statuses, the iCIMS customer or the start-from date changed.
    pub fn read_again(&self, name: &ConnectionName, reason: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE connections SET read_again_reason = ?2 WHERE name = ?1",
                params![name.as_str(), reason],
            )?;
            if changed == 0 {
                return Err(StoreError::NoSuchConnection(name.to_string()));
            }
            super::reading::forget_reading(tx, name)
        })
    }

    /// A whole window from the start-from date was read: remember which hired statuses
    /// matched no workflow in it, and forget why it was read again.
    pub fn finish_wide_read(&self, name: &ConnectionName, unmatched: &[String]) -> Result<()> {
        let unmatched = if unmatched.is_empty() {
            None
        } else {
            Some(
                serde_json::to_string(unmatched)
                    .map_err(|e| StoreError::InvalidInput(format!("unmatched statuses: {e}")))?,
            )
        };
        self.write(|tx| {
            tx.execute(
                "UPDATE connections SET unmatched_statuses = ?2, read_again_reason = NULL \
                 WHERE name = ?1",
                params![name.as_str(), unmatched],
            )?;
            Ok(())
        })
    }
}
