//! Setup progress, secret dates and owner candidates.

use super::{
    CheckRecord, OwnerCandidate, Result, SecretMeta, Store, bad_word, opt_word, require_connection,
    ts, ts_col,
};
use crate::connection::ConnectionName;
use crate::domain::{CheckCode, NamelyProfileId, SecretKind, SetupStep};
use rusqlite::params;
use time::OffsetDateTime;

impl Store {
    /// Save the result of a setup step's live check (replacing the previous one).
    pub fn record_check(&self, name: &ConnectionName, check: &CheckRecord) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO setup_checks (connection, step, passed, code, message, checked_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (connection, step) DO UPDATE SET passed = excluded.passed, \
                 code = excluded.code, message = excluded.message, \
                 checked_at = excluded.checked_at",
                params![
                    name.as_str(),
                    check.step.as_str(),
                    check.passed,
                    check.code.map(CheckCode::as_str),
                    check.message,
                    ts(check.checked_at)
                ],
            )?;
            Ok(())
        })
    }

    /// The latest check of each step that has been checked, in wizard order.
    pub fn checks(&self, name: &ConnectionName) -> Result<Vec<CheckRecord>> {
        let mut checks = self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT step, passed, code, message, checked_at FROM setup_checks \
                 WHERE connection = ?1",
            )?;
            let rows = stmt.query_map([name.as_str()], |r| {
                let step: String = r.get(0)?;
                Ok(CheckRecord {
                    step: SetupStep::parse(&step)
                        .ok_or_else(|| bad_word(0, "setup step", &step))?,
                    passed: r.get(1)?,
                    code: opt_word(r, 2, "check code", CheckCode::parse)?,
                    message: r.get(3)?,
                    checked_at: ts_col(r, 4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        checks.sort_by_key(|c| c.step);
        Ok(checks)
    }

    /// Where the wizard resumes: the first step (in wizard order) whose latest check did not
    /// pass or that was never checked. `None` when every step passed.
    pub fn resume_step(&self, name: &ConnectionName) -> Result<Option<SetupStep>> {
        let checks = self.checks(name)?;
        Ok(SetupStep::ALL
            .iter()
            .copied()
            .find(|step| !checks.iter().any(|c| c.step == *step && c.passed)))
    }

    /// Note that a secret of this kind was saved in the keychain at `saved_at`.
    pub fn set_secret_meta(
        &self,
        name: &ConnectionName,
        kind: SecretKind,
        saved_at: OffsetDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO secret_meta (connection, kind, saved_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (connection, kind) DO UPDATE SET saved_at = excluded.saved_at",
                params![name.as_str(), kind.as_key(), ts(saved_at)],
            )?;
            Ok(())
        })
    }

    /// Which secrets are saved and when, sorted by kind.
    pub fn secret_meta(&self, name: &ConnectionName) -> Result<Vec<SecretMeta>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT kind, saved_at FROM secret_meta WHERE connection = ?1 ORDER BY kind",
            )?;
            let rows = stmt.query_map([name.as_str()], |r| {
                let kind: String = r.get(0)?;
                Ok(SecretMeta {
                    kind: SecretKind::KEPT
                        .into_iter()
                        .find(|k| k.as_key() == kind)
                        .ok_or_else(|| bad_word(0, "secret kind", &kind))?,
                    saved_at: ts_col(r, 1)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Forget that a secret was saved. True if there was a note to remove.
    pub fn remove_secret_meta(&self, name: &ConnectionName, kind: SecretKind) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM secret_meta WHERE connection = ?1 AND kind = ?2",
                params![name.as_str(), kind.as_key()],
            )?;
            Ok(n > 0)
        })
    }

    /// Save (or refresh) a Namely user who signed in for this company.
    pub fn upsert_owner_candidate(&self, name: &ConnectionName, o: &OwnerCandidate) -> Result<()> {
        self.write(|tx| {
            require_connection(tx, name)?;
            tx.execute(
                "INSERT INTO owner_candidates (connection, profile_id, full_name, email, \
                 access_role, user_status, verified_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (connection, profile_id) DO UPDATE SET full_name = excluded.full_name, \
                 email = excluded.email, access_role = excluded.access_role, \
                 user_status = excluded.user_status, verified_at = excluded.verified_at",
                params![
                    name.as_str(),
                    o.profile_id.0,
                    o.full_name,
                    o.email,
                    o.access_role,
                    o.user_status,
                    ts(o.verified_at),
                ],
            )?;
            Ok(())
        })
    }

    /// The people who signed in for this company, sorted by name.
    pub fn owner_candidates(&self, name: &ConnectionName) -> Result<Vec<OwnerCandidate>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT profile_id, full_name, email, access_role, user_status, verified_at \
                 FROM owner_candidates WHERE connection = ?1 ORDER BY full_name, profile_id",
            )?;
            let rows = stmt.query_map([name.as_str()], |r| {
                Ok(OwnerCandidate {
                    profile_id: NamelyProfileId(r.get(0)?),
                    full_name: r.get(1)?,
                    email: r.get(2)?,
                    access_role: r.get(3)?,
                    user_status: r.get(4)?,
                    verified_at: ts_col(r, 5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
