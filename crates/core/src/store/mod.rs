//! The local database: connections, setup progress, run history, create intents, the Namely
//! index, the watermark and the iCIMS call budget. SQLite (bundled), WAL mode.
//!
//! All methods are synchronous: each is one short SQLite transaction (milliseconds), and the
//! engine calls them directly from async code. (The keychain, which may wait for a person at an
//! unlock prompt, is what the engine moves to tokio's blocking pool, not the store.)
//! [`Store`] is cheap to clone and shared between threads (one connection behind a mutex).
//! Times are kept as RFC 3339 UTC text to the millisecond, so a person can read the file
//! with the sqlite3 CLI. Secrets are never stored: no table has a column for one.

mod connections;
mod csv;
mod faults;
mod index;
mod intents;
mod reading;
mod runs;
mod schema;
mod setup;
mod types;

#[cfg(test)]
mod tests;

pub use types::*;

use crate::connection::ConnectionName;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// What went wrong in the local database, in plain words.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the local database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "{path} is not a database icims-namely can read: it is damaged, or another kind of \
         file. icims-namely leaves it as it is. Move it aside (rename it, say to \
         icims-namely.db.damaged) to start again with an empty one, or put back a copy from a \
         backup."
    )]
    Damaged { path: PathBuf },
    #[error(
        "another icims-namely (the app, a command or the scheduler) is using {path} and did \
         not let go within {} seconds. Wait for it to finish, then try again.",
        BUSY_TIMEOUT.as_secs()
    )]
    InUse { path: PathBuf },
    #[error(
        "the disk is full: {path} could not be written. Nothing of this step was saved, and \
         what was saved before is intact. Free some space on that disk, then try again."
    )]
    DiskFull { path: PathBuf },
    #[error(
        "{path} cannot be written: the data folder or the file is read-only, or belongs to \
         another user. Make the data folder writable for this user, or set {} to a folder \
         that is.",
        crate::paths::HOME_ENV
    )]
    NotWritable { path: PathBuf },
    #[error(
        "this data was written by a newer version of icims-namely (database version {found}; \
         this version understands up to {known}). Update icims-namely to open it."
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("a connection named {0} already exists")]
    ConnectionExists(String),
    #[error("there is no connection named {0}")]
    NoSuchConnection(String),
    #[error("there is no run number {0}")]
    NoSuchRun(RunId),
    #[error("run {0} has already ended")]
    RunAlreadyEnded(RunId),
    #[error("there is no create intent number {0}")]
    NoSuchIntent(IntentId),
    #[error("create intent {id} is already closed ({state})")]
    IntentClosed { id: IntentId, state: &'static str },
    #[error(
        "iCIMS person {person_id} has an unfinished create in Namely (intent {intent}); look \
         them up in Namely and resolve it before creating them again"
    )]
    IntentOpen {
        person_id: crate::domain::IcimsPersonId,
        intent: IntentId,
    },
    #[error("{0}")]
    InvalidInput(String),
    #[error("the local database holds a value this version cannot read: {0}")]
    Corrupt(String),
    #[error("local database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The local database. Clone freely; clones share one connection.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Open (creating if needed) the database at `path` and bring its schema up to date.
    /// The folder must exist (see `paths::DataDir::ensure`). A new file, and the files SQLite
    /// keeps beside it, are readable by the user only (0600 on unix). A file that is not a
    /// database is never written to: it is [`StoreError::Damaged`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::open_file(path).map_err(|e| faults::classify(Some(path), e))
    }

    fn open_file(path: &Path) -> Result<Self> {
        let wrap = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        // Created private before SQLite opens it: SQLite gives the -wal and -shm files it
        // creates beside it the database file's mode.
        if let Err(e) = crate::paths::create_private_file(path) {
            let path = path.to_path_buf();
            match e.kind() {
                std::io::ErrorKind::StorageFull => return Err(StoreError::DiskFull { path }),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                    return Err(StoreError::NotWritable { path });
                }
                // Anything else (no such folder): SQLite's open says it.
                _ => {}
            }
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(wrap)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(wrap)?;
        // Fails with "file is not a database" here, for a file that is something else.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(wrap)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(%mode, "SQLite did not switch to WAL mode");
        }
        let store = Self::setup(conn, Some(path.to_path_buf()))?;
        // Files an older version left with the umask's mode (the -shm exists from here on).
        for file in [
            path.to_path_buf(),
            sibling(path, "-wal"),
            sibling(path, "-shm"),
        ] {
            if let Err(e) = crate::paths::make_private(&file) {
                tracing::warn!(file = %file.display(), error = %e, "could not make a database file private");
            }
        }
        Ok(store)
    }

    /// A private database in memory, for tests.
    pub fn open_in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, None)
    }

    fn setup(mut conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    /// The file this store was opened from (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The schema version of the open database (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        self.read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
    }

    /// SQLite's journal mode ("wal" for a file; "memory" in memory).
    pub fn journal_mode(&self) -> Result<String> {
        self.read(|c| Ok(c.pragma_query_value(None, "journal_mode", |r| r.get(0))?))
    }

    /// Run `f` with the connection (for reads, or a single statement).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&guard).map_err(|e| faults::classify(self.path(), e))
    }

    /// Run `f` in an immediate (write-locking) transaction; commit if it returns `Ok`.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let written = (|| {
            let tx = guard.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        written.map_err(|e| faults::classify(self.path(), e))
    }
}

/// `<path><suffix>`: the files SQLite keeps beside the database (`-wal`, `-shm`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Latest schema version this build knows.
fn known_version() -> i64 {
    i64::try_from(schema::MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Apply each missing migration in its own transaction. The version is re-read inside the
/// write lock, so two processes opening a new file at once do not both migrate it.
fn migrate(conn: &mut Connection) -> Result<()> {
    let known = known_version();
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > known {
            return Err(StoreError::NewerSchema { found, known });
        }
        if found == known {
            return Ok(());
        }
        let index = usize::try_from(found)
            .map_err(|_| StoreError::Corrupt(format!("negative database version {found}")))?;
        tracing::info!(from = found, to = found + 1, "migrating the local database");
        tx.execute_batch(schema::MIGRATIONS[index])?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the submodules
// ---------------------------------------------------------------------------------------------

/// RFC 3339 UTC with milliseconds: "2026-11-27T09:00:00.000Z". Fixed width, so text order is
/// time order.
const TS_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

pub(crate) fn ts(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(TS_FORMAT)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn parse_ts(s: &str) -> std::result::Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(s, &Rfc3339)
}

/// Read a time column inside a row mapper.
fn ts_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<OffsetDateTime> {
    let s: String = row.get(idx)?;
    parse_ts(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn opt_ts_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<OffsetDateTime>> {
    match row.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(s) => parse_ts(&s).map(Some).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        }),
    }
}

/// A stored word that this version does not know.
fn bad_word(idx: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?}").into(),
    )
}

/// An optional stored code. A word this version does not know reads as `None`: a code only
/// refines the words stored beside it, which stay readable.
fn opt_word<T>(
    row: &rusqlite::Row<'_>,
    idx: usize,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    let word: Option<String> = row.get(idx)?;
    Ok(word.and_then(|w| {
        let parsed = parse(&w);
        if parsed.is_none() {
            tracing::warn!(word = %w, "unknown {what} in the local database; ignored");
        }
        parsed
    }))
}

fn name_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<ConnectionName> {
    let s: String = row.get(idx)?;
    ConnectionName::new(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Error unless a connection with exactly this name exists.
fn require_connection(conn: &Connection, name: &ConnectionName) -> Result<()> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM connections WHERE name = ?1",
            [name.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::NoSuchConnection(name.to_string())),
    }
}
