//! History: the runs of a connection, one run with every record, and a run as CSV.

use super::{Engine, EngineError, Result, views};
use crate::api::{ExportedFile, RunDetails, RunSummary};
use crate::store::RunId;

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

    /// Writes a run as CSV into `folder` (the user's Downloads folder when None).
    pub fn export_run_csv(
        &self,
        run_id: RunId,
        folder: Option<&std::path::Path>,
    ) -> Result<ExportedFile> {
        let details = self.run_details(run_id)?;
        let csv = self.run_csv(run_id)?;
        let folder = match folder {
            Some(f) => f.to_path_buf(),
            None => directories::UserDirs::new()
                .and_then(|d| d.download_dir().map(|p| p.to_path_buf()))
                .unwrap_or_else(|| self.inner.data.root().join("exports")),
        };
        std::fs::create_dir_all(&folder).map_err(|e| {
            EngineError::Internal(format!(
                "Could not create the folder {}: {e}",
                folder.display()
            ))
        })?;
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
        let path = folder.join(format!("icims-namely-{safe}-run-{}.csv", run_id.0));
        std::fs::write(&path, csv).map_err(|e| {
            EngineError::Internal(format!("Could not write {}: {e}", path.display()))
        })?;
        Ok(ExportedFile {
            path: path.display().to_string(),
            rows: details.records.len() as u32,
        })
    }
}
