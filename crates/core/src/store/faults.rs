//! What SQLite reports about the file and its disk, said for people, in one place: a damaged
//! file, one that another process holds, a full disk, a folder that cannot be written.
//!
//! Every error of [`Store::open`](super::Store::open) and of each read and write passes
//! through [`classify`]; the errors of the data themselves (a constraint, a missing row)
//! pass unchanged.

use super::StoreError;
use rusqlite::ErrorCode;
use std::path::{Path, PathBuf};

/// The database's path as an error names it (`:memory:` for a private one in memory).
fn named(path: Option<&Path>) -> PathBuf {
    path.map_or_else(|| PathBuf::from(":memory:"), Path::to_path_buf)
}

/// `e` in words for people when it is about the file or its disk; else `e` as it is.
pub(super) fn classify(path: Option<&Path>, e: StoreError) -> StoreError {
    let code = match &e {
        StoreError::Open { source, .. } | StoreError::Sqlite(source) => {
            match source.sqlite_error_code() {
                Some(code) => code,
                None => return e,
            }
        }
        _ => return e,
    };
    let folder = path
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty());
    let full = || folder.is_some_and(crate::paths::disk_is_full);
    match code {
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
            StoreError::Damaged { path: named(path) }
        }
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            StoreError::InUse { path: named(path) }
        }
        ErrorCode::DiskFull => StoreError::DiskFull { path: named(path) },
        // SQLite says only "disk I/O error" (or "unable to open") when the disk fills while
        // it sizes its shared memory or creates its log: ask the disk.
        ErrorCode::SystemIoFailure | ErrorCode::CannotOpen if full() => {
            StoreError::DiskFull { path: named(path) }
        }
        ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
            StoreError::NotWritable { path: named(path) }
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn sqlite(code: std::os::raw::c_int) -> StoreError {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(ffi::Error::new(code), None))
    }

    #[test]
    fn each_fault_of_the_file_or_disk_gets_its_words_and_others_pass() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("icims-namely.db");
        let at = Some(db.as_path());
        let cases = [
            (
                ffi::SQLITE_CORRUPT,
                "is not a database icims-namely can read",
            ),
            (ffi::SQLITE_NOTADB, "Move it aside"),
            (ffi::SQLITE_BUSY, "another icims-namely"),
            (ffi::SQLITE_LOCKED, "is using"),
            (ffi::SQLITE_FULL, "the disk is full"),
            (ffi::SQLITE_READONLY, "cannot be written"),
            (ffi::SQLITE_CANTOPEN, "cannot be written"),
            (ffi::SQLITE_PERM, "cannot be written"),
        ];
        for (code, words) in cases {
            let said = classify(at, sqlite(code)).to_string();
            assert!(said.contains(words), "{code}: {said}");
            assert!(said.contains(&db.display().to_string()), "{code}: {said}");
        }
        // A disk with room: an I/O error stays what it is.
        let io = classify(at, sqlite(ffi::SQLITE_IOERR));
        assert!(matches!(io, StoreError::Sqlite(_)), "{io:?}");
        let constraint = classify(at, sqlite(ffi::SQLITE_CONSTRAINT));
        assert!(
            matches!(constraint, StoreError::Sqlite(_)),
            "{constraint:?}"
        );
        let other = classify(at, StoreError::NoSuchConnection("x".into()));
        assert!(matches!(other, StoreError::NoSuchConnection(_)));
    }
}
