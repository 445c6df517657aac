//! The data folder: where the local database and the log files live.
//!
//! The platform's app-data folder by default (`~/.local/share/icims-namely` on Linux,
//! `~/Library/Application Support/com.icims-namely.icims-namely` on macOS,
//! `%APPDATA%\icims-namely\icims-namely\data` on Windows), or the folder named by
//! `ICIMS_NAMELY_HOME` when that is set (the CLI, servers and tests use it).
//!
//! Also the folder of the locks that every data folder shares (one sync per Namely company
//! and iCIMS customer at a time, whichever data folder, window or command runs it): the
//! platform's per-user runtime folder (`$XDG_RUNTIME_DIR/icims-namely/locks` on Linux), else
//! its per-user cache folder (`~/Library/Caches/com.icims-namely.icims-namely/locks` on macOS,
//! `%LOCALAPPDATA%\icims-namely\icims-namely\cache\locks` on Windows), or the folder named by
//! `ICIMS_NAMELY_LOCK_DIR` when that is set.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

mod files;
mod logs;

pub use files::{
    IfExists, WriteFileError, create_private_file, disk_is_full, make_private, write_private,
};
pub use logs::{LOG_KEEP, LOG_MAX_BYTES, LogFile, open_log, open_log_with};

/// Environment variable that overrides the data folder.
pub const HOME_ENV: &str = "ICIMS_NAMELY_HOME";

/// Environment variable that overrides the folder of the locks shared by all data folders.
pub const LOCK_DIR_ENV: &str = "ICIMS_NAMELY_LOCK_DIR";

const DB_FILE: &str = "icims-namely.db";
const LOG_DIR: &str = "logs";

/// Why the data folder could not be found or made.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "could not work out where to keep this app's data (no home folder for this user); \
         set {HOME_ENV} to a folder to use"
    )]
    NoHome,
    #[error(
        "could not use {path} as the data folder: {source}. Set {HOME_ENV} to a folder to use."
    )]
    Resolve { path: PathBuf, source: io::Error },
    #[error(
        "could not create the data folder {path}: {source}. Make its parent folder writable \
         for this user, or set {HOME_ENV} to a folder that is."
    )]
    Create { path: PathBuf, source: io::Error },
    #[error(
        "the data folder {path} exists but is not a folder. Move that file aside, or set \
         {HOME_ENV} to a folder to use."
    )]
    NotADirectory { path: PathBuf },
}

/// The folder that holds the database and the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data folder at exactly `root` (nothing is created until [`DataDir::ensure`]).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// `ICIMS_NAMELY_HOME` when set and not empty, else the platform's app-data folder.
    pub fn locate() -> Result<Self, DataDirError> {
        Self::locate_with(std::env::var_os(HOME_ENV))
    }

    /// [`DataDir::locate`] with the value of `ICIMS_NAMELY_HOME` passed in (testable without
    /// touching the process environment). A relative path is made absolute against the
    /// current folder, so the choice does not change if the process changes folder later.
    pub fn locate_with(home_env: Option<OsString>) -> Result<Self, DataDirError> {
        if let Some(value) = home_env.filter(|v| !v.is_empty()) {
            let path = PathBuf::from(value);
            let root = std::path::absolute(&path)
                .map_err(|source| DataDirError::Resolve { path, source })?;
            return Ok(Self { root });
        }
        directories::ProjectDirs::from("com", "icims-namely", "icims-namely")
            .map(|dirs| Self::new(dirs.data_dir()))
            .ok_or(DataDirError::NoHome)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/icims-namely.db`
    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    /// `<root>/logs`
    pub fn log_dir(&self) -> PathBuf {
        self.root.join(LOG_DIR)
    }

    /// Create the data folder and its log folder if missing. Folders created here are
    /// private to the user (mode 0700 on unix); an existing folder is left as it is, since it
    /// may be one the user chose with `ICIMS_NAMELY_HOME` and shares on purpose.
    pub fn ensure(&self) -> Result<(), DataDirError> {
        for dir in [self.root.clone(), self.log_dir()] {
            create_private_dir(&dir)?;
        }
        Ok(())
    }
}

/// The folder of the locks shared by every data folder of this user: `ICIMS_NAMELY_LOCK_DIR`
/// when set and not empty, else the platform's per-user runtime folder, else its per-user
/// cache folder (each `…/icims-namely/locks`); `None` without a home folder.
pub fn shared_lock_dir() -> Option<PathBuf> {
    shared_lock_dir_with(std::env::var_os(LOCK_DIR_ENV))
}

/// [`shared_lock_dir`] with the value of `ICIMS_NAMELY_LOCK_DIR` passed in. A relative path
/// is made absolute against the current folder.
pub fn shared_lock_dir_with(lock_env: Option<OsString>) -> Option<PathBuf> {
    if let Some(value) = lock_env.filter(|v| !v.is_empty()) {
        return std::path::absolute(PathBuf::from(value)).ok();
    }
    let dirs = directories::ProjectDirs::from("com", "icims-namely", "icims-namely")?;
    let base = dirs.runtime_dir().unwrap_or_else(|| dirs.cache_dir());
    Some(base.join("locks"))
}

/// Creates `path` (and its parents) if missing, private to the user (0700 on unix) when this
/// call creates it; an existing folder is left as it is.
pub fn create_private_dir(path: &Path) -> Result<(), DataDirError> {
    if path.is_dir() {
        return Ok(());
    }
    if path.exists() {
        return Err(DataDirError::NotADirectory {
            path: path.to_path_buf(),
        });
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .map_err(|source| DataDirError::Create {
            path: path.to_path_buf(),
            source,
        })?;
    #[cfg(unix)]
    {
        // The umask may have narrowed 0700 further, never widened it; make it exactly 0700.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(
            |source| DataDirError::Create {
                path: path.to_path_buf(),
                source,
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_wins_and_gives_file_names() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::locate_with(Some(tmp.path().as_os_str().to_owned())).unwrap();
        assert_eq!(dir.root(), tmp.path());
        assert_eq!(dir.db_path(), tmp.path().join("icims-namely.db"));
        assert_eq!(dir.log_dir(), tmp.path().join("logs"));
    }

    #[test]
    fn empty_env_falls_back_to_platform_folder() {
        let from_empty = DataDir::locate_with(Some(OsString::new()));
        let from_none = DataDir::locate_with(None);
        match (from_empty, from_none) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b);
                assert!(a.root().to_string_lossy().contains("icims-namely"));
            }
            (Err(DataDirError::NoHome), Err(DataDirError::NoHome)) => {}
            other => panic!("inconsistent: {other:?}"),
        }
    }

    #[test]
    fn the_shared_lock_folder_is_per_user_unless_the_env_names_one() {
        let tmp = tempfile::tempdir().unwrap();
        let chosen = shared_lock_dir_with(Some(tmp.path().as_os_str().to_owned()));
        assert_eq!(chosen.as_deref(), Some(tmp.path()));
        let relative = shared_lock_dir_with(Some("rel/locks".into())).unwrap();
        assert!(relative.is_absolute() && relative.ends_with("rel/locks"));
        // Unset or empty: the platform's folder, the same for both.
        let default = shared_lock_dir_with(None);
        assert_eq!(default, shared_lock_dir_with(Some(OsString::new())));
        if let Some(dir) = default {
            assert!(dir.ends_with("locks"), "{}", dir.display());
            assert!(
                dir.to_string_lossy().contains("icims-namely"),
                "{}",
                dir.display()
            );
        }
    }

    #[test]
    fn relative_env_is_made_absolute() {
        let dir = DataDir::locate_with(Some("some/relative".into())).unwrap();
        assert!(dir.root().is_absolute());
        assert!(dir.root().ends_with("some/relative"));
    }

    #[test]
    fn ensure_creates_private_folders_and_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("a").join("home"));
        dir.ensure().unwrap();
        dir.ensure().unwrap();
        assert!(dir.root().is_dir());
        assert!(dir.log_dir().is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.root()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
            let mode = std::fs::metadata(dir.log_dir())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn ensure_explains_a_file_in_the_way() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("taken");
        std::fs::write(&file, b"x").unwrap();
        let err = DataDir::new(&file).ensure().unwrap_err();
        assert!(matches!(err, DataDirError::NotADirectory { .. }), "{err:?}");
        assert!(err.to_string().contains("is not a folder"), "{err}");

        let err = DataDir::new(file.join("below")).ensure().unwrap_err();
        assert!(matches!(err, DataDirError::Create { .. }), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("could not create the data folder"),
            "{err}"
        );
    }
}
