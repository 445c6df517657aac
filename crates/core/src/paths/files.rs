//! Files this app writes: private to the user (mode 0600 on unix, whatever the umask), never
//! through a symbolic link someone planted, and never half-written.
//!
//! [`write_private`] writes to a temporary file in the same folder and then puts it in place
//! in one step: a rename (which replaces a link at the name rather than following it) when
//! replacing is allowed, a hard link (which fails when anything holds the name) when it is
//! not. A reader sees the old file or the new one, never a part; a full disk leaves nothing
//! behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What [`write_private`] does when the file already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfExists {
    /// Leave it as it is and answer [`WriteFileError::Exists`].
    Refuse,
    /// Replace it (in one step; a symbolic link at the name is still refused).
    Replace,
}

/// Why a file was not written. Whatever the reason, nothing was left half-written.
#[derive(Debug, thiserror::Error)]
pub enum WriteFileError {
    #[error("{} already exists", .path.display())]
    Exists { path: PathBuf },
    #[error(
        "{} is a symbolic link; icims-namely does not write through one. Choose another name.",
        .path.display()
    )]
    Symlink { path: PathBuf },
    #[error("{} is a folder; name a file to write instead.", .path.display())]
    IsAFolder { path: PathBuf },
    #[error(
        "the folder {} does not exist; create it first, or choose a file in a folder that exists.",
        .folder.display()
    )]
    NoFolder { folder: PathBuf },
    #[error(
        "the disk is full: {} could not be written. Nothing was written; free some space on \
         that disk and try again.",
        .path.display()
    )]
    DiskFull { path: PathBuf },
    #[error("could not write {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// The folder `path` is in ("." for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A name for a temporary file beside `path`, unique in this process.
fn temp_beside(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());
    folder_of(path).join(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Opens a new file (never an existing one, never through a link) readable and writable by
/// the user only.
fn create_new_private(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    set_private_file(&file)?;
    Ok(file)
}

/// Mode 0600 exactly, whatever the umask left (a no-op elsewhere than unix).
fn set_private_file(file: &std::fs::File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Writes `contents` to `path`, readable by the user only (see the module documentation).
pub fn write_private(
    path: &Path,
    contents: &[u8],
    if_exists: IfExists,
) -> Result<(), WriteFileError> {
    let io_err = |source: io::Error| classify(path, source);
    let folder = folder_of(path);
    match std::fs::metadata(&folder) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(WriteFileError::NoFolder { folder }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(WriteFileError::NoFolder { folder });
        }
        Err(e) => return Err(io_err(e)),
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(WriteFileError::Symlink {
                path: path.to_path_buf(),
            });
        }
        Ok(m) if m.is_dir() => {
            return Err(WriteFileError::IsAFolder {
                path: path.to_path_buf(),
            });
        }
        Ok(_) if if_exists == IfExists::Refuse => {
            return Err(WriteFileError::Exists {
                path: path.to_path_buf(),
            });
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    let tmp = temp_beside(path);
    let written = (|| {
        let mut file = create_new_private(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(e));
    }
    let placed = match if_exists {
        IfExists::Replace => std::fs::rename(&tmp, path).map_err(io_err),
        IfExists::Refuse => place_new(&tmp, path),
    };
    let _ = std::fs::remove_file(&tmp);
    placed?;
    sync_folder(&folder);
    Ok(())
}

/// Puts `tmp` at `path` unless something holds that name: a hard link fails when the name is
/// taken (by a file or a link made since the check). Where the file system has no hard
/// links, a rename after checking again.
fn place_new(tmp: &Path, path: &Path) -> Result<(), WriteFileError> {
    match std::fs::hard_link(tmp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let symlink = std::fs::symlink_metadata(path)
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false);
            let path = path.to_path_buf();
            Err(if symlink {
                WriteFileError::Symlink { path }
            } else {
                WriteFileError::Exists { path }
            })
        }
        Err(e) if e.kind() == io::ErrorKind::StorageFull => Err(classify(path, e)),
        Err(_) => match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::rename(tmp, path).map_err(|e| classify(path, e))
            }
            _ => Err(WriteFileError::Exists {
                path: path.to_path_buf(),
            }),
        },
    }
}

/// Makes a finished rename durable (best effort; not every platform can sync a folder).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

fn classify(path: &Path, source: io::Error) -> WriteFileError {
    let path = path.to_path_buf();
    if source.kind() == io::ErrorKind::StorageFull {
        WriteFileError::DiskFull { path }
    } else {
        WriteFileError::Io { path, source }
    }
}

/// Creates `path` as an empty file private to the user when nothing is there yet (never
/// through a link); an existing file is left as it is. True when this call created it.
pub fn create_private_file(path: &Path) -> io::Result<bool> {
    match create_new_private(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Narrows an existing file of this app to the user only (0600 on unix), for files an older
/// version created with the umask's mode. A missing file, or a symbolic link (left alone), is
/// no error.
pub fn make_private(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if m.permissions().mode() & 0o777 != 0o600 {
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
                }
            }
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether the disk that holds `folder` is full: a short write there fails for lack of
/// space. For telling a person why a write failed when the error alone does not say (SQLite
/// reports a full disk while it maps its shared memory as a plain I/O error).
pub fn disk_is_full(folder: &Path) -> bool {
    let probe = folder.join(format!(
        ".space-probe.{}-{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    ));
    let result = (|| {
        let mut file = create_new_private(&probe)?;
        file.write_all(&[0u8; 64 * 1024])?;
        file.sync_all()
    })();
    let _ = std::fs::remove_file(&probe);
    matches!(result, Err(e) if e.kind() == io::ErrorKind::StorageFull)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn writes_a_new_private_file_and_refuses_to_replace_it_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        write_private(&path, b"one", IfExists::Refuse).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);

        let err = write_private(&path, b"two", IfExists::Refuse).unwrap_err();
        assert!(matches!(err, WriteFileError::Exists { .. }), "{err:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one", "left as it was");

        write_private(&path, b"three", IfExists::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"three");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{:?}",
            leftovers(dir.path())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, b"precious").unwrap();
        let link = dir.path().join("out.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for how in [IfExists::Refuse, IfExists::Replace] {
            let err = write_private(&link, b"evil", how).unwrap_err();
            assert!(matches!(err, WriteFileError::Symlink { .. }), "{err:?}");
            assert!(err.to_string().contains("symbolic link"), "{err}");
        }
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_missing_folder_or_a_folder_at_the_name_is_said_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such").join("out.csv");
        let err = write_private(&missing, b"x", IfExists::Refuse).unwrap_err();
        assert!(matches!(err, WriteFileError::NoFolder { .. }), "{err:?}");
        assert!(err.to_string().contains("does not exist"), "{err}");
        let err = write_private(dir.path(), b"x", IfExists::Replace).unwrap_err();
        assert!(matches!(err, WriteFileError::IsAFolder { .. }), "{err:?}");
    }

    #[test]
    fn create_private_file_leaves_an_existing_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        assert!(create_private_file(&path).unwrap());
        std::fs::write(&path, b"data").unwrap();
        assert!(!create_private_file(&path).unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            make_private(&path).unwrap();
            assert_eq!(mode(&path), 0o600);
        }
        make_private(&dir.path().join("missing")).unwrap();
    }

    #[test]
    fn a_disk_with_room_is_not_full() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!disk_is_full(dir.path()));
        assert!(leftovers(dir.path()).is_empty());
    }
}
