//! History: the runs of a connection, one run with every record, and a run as CSV.

use super::{Engine, EngineError, Result, views};
use crate::api::{ExportedFile, RunDetails, RunSummary};
use crate::paths::{IfExists, WriteFileError, write_private};
use crate::store::RunId;
use std::path::Path;

impl Engine {
    /// Runs of a connection, newest first.
    pub fn runs(&self, name: &str, limit: usize) -> Result<Vec<RunSummary>> {
        let settings = self.settings(name)?;
        Ok(self
            .inner
            .store
            .runs(&settings.name, limit)?
            .iter()
            .map(views::run_summary)
            .collect())
    }

    /// One run with every record.
    pub fn run_details(&self, run_id: RunId) -> Result<RunDetails> {
        let run =
            self.inner.store.run(run_id)?.ok_or_else(|| {
                EngineError::NotFound(format!("There is no run number {run_id}."))
            })?;
        let records = self.inner.store.records(run_id)?;
        Ok(RunDetails {
            summary: views::run_summary(&run),
            records: records.iter().map(views::record_view).collect(),
        })
    }

    /// A run as CSV (RFC 4180, one row per record).
    pub fn run_csv(&self, run_id: RunId) -> Result<String> {
        Ok(self.inner.store.record_csv(run_id)?)
    }

    /// How many persons of a connection "Retry failed" would send again.
    pub fn failed_to_retry(&self, name: &str) -> Result<usize> {
        let settings = self.settings(name)?;
        Ok(self.inner.store.failed_person_ids(&settings.name)?.len())
    }

    /// Writes a run as CSV to `path`, readable by the user only: never through a symbolic
    /// link, never half-written (a temporary file beside it, then put in place), and an
    /// existing file is replaced only with `overwrite` (else `AlreadyExists`, nothing written).
    pub fn write_run_csv(
        &self,
        run_id: RunId,
        path: &Path,
        overwrite: bool,
    ) -> Result<ExportedFile> {
        let details = self.run_details(run_id)?;
        let csv = self.run_csv(run_id)?;
        let how = if overwrite {
            IfExists::Replace
        } else {
            IfExists::Refuse
        };
        write_private(path, csv.as_bytes(), how).map_err(export_error)?;
        Ok(ExportedFile {
            path: path.display().to_string(),
            rows: u32::try_from(details.records.len()).unwrap_or(u32::MAX),
        })
    }

    /// Writes a run as CSV into `folder` (the user's Downloads folder when None), under a
    /// name of its own: `icims-namely-<connection>-run-<id>.csv`, or `… (2).csv` and so on
    /// when that is taken — an earlier export is never replaced.
    pub fn export_run_csv(&self, run_id: RunId, folder: Option<&Path>) -> Result<ExportedFile> {
        let details = self.run_details(run_id)?;
        let csv = self.run_csv(run_id)?;
        let folder = match folder {
            Some(f) => f.to_path_buf(),
            None => directories::UserDirs::new()
                .and_then(|d| d.download_dir().map(Path::to_path_buf))
                .unwrap_or_else(|| self.inner.data.root().join("exports")),
        };
        if !folder.is_dir() {
            crate::paths::create_private_dir(&folder)
                .map_err(|e| EngineError::Internal(format!("Could not create the folder: {e}")))?;
        }
        let safe: String = details
            .summary
            .connection
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let stem = format!("icims-namely-{safe}-run-{}", run_id.0);
        for n in 1..=MAX_EXPORT_NAMES {
            let name = if n == 1 {
                format!("{stem}.csv")
            } else {
                format!("{stem} ({n}).csv")
            };
            let path = folder.join(name);
            match write_private(&path, csv.as_bytes(), IfExists::Refuse) {
                Ok(()) => {
                    return Ok(ExportedFile {
                        path: path.display().to_string(),
                        rows: u32::try_from(details.records.len()).unwrap_or(u32::MAX),
                    });
                }
                // Taken (by an earlier export, or a link): the next name.
                Err(WriteFileError::Exists { .. } | WriteFileError::Symlink { .. }) => {}
                Err(e) => return Err(export_error(e)),
            }
        }
        Err(EngineError::AlreadyExists(format!(
            "{} already holds {MAX_EXPORT_NAMES} exports of run {}; move some away, then \
             export again.",
            folder.display(),
            run_id.0
        )))
    }
}

/// How many names `export_run_csv` tries before giving up.
const MAX_EXPORT_NAMES: u32 = 100;

/// A CSV that was not written, for people.
fn export_error(e: WriteFileError) -> EngineError {
    match e {
        WriteFileError::Exists { .. } => EngineError::AlreadyExists(e.to_string()),
        WriteFileError::Symlink { .. }
        | WriteFileError::IsAFolder { .. }
        | WriteFileError::NoFolder { .. } => {
            EngineError::invalid(upper_first(&e.to_string()), None)
        }
        WriteFileError::DiskFull { .. } | WriteFileError::Io { .. } => {
            EngineError::Internal(upper_first(&e.to_string()))
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
