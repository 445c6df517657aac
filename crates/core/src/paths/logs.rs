//! The log files of the data folder's `logs`: private to the user (0600), and rotated by size
//! so that an always-on scheduler never fills the disk.
//!
//! Rotation is `file-rotate`'s: when the file has grown past [`LOG_MAX_BYTES`], the next line
//! goes to a new file and the old ones move up — `scheduler.log` → `scheduler.log.1` →
//! `scheduler.log.2` … — keeping [`LOG_KEEP`] of them. It keeps the file's name (what the
//! README and a person's `tail -f` use), takes the mode of new files from us (0600), and
//! rotates by size; `tracing-appender`, the other well-kept choice, rotates only by time and
//! names every file by its date, and creates them with the umask's mode.

use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate, compression::Compression};
use std::io::{self, Write};
use std::path::Path;

/// A log file grows to about this size (a line is never split) before it is rotated.
pub const LOG_MAX_BYTES: usize = 5 * 1024 * 1024;
/// How many rotated files are kept beside the current one.
pub const LOG_KEEP: usize = 5;

/// A log file that rotates itself; give it to a logger as its writer (behind a mutex).
pub struct LogFile {
    inner: FileRotate<AppendCount>,
}

impl std::fmt::Debug for LogFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogFile").finish_non_exhaustive()
    }
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Opens (creating if needed) the log file at `path`, rotating at [`LOG_MAX_BYTES`] and
/// keeping [`LOG_KEEP`] old files. Its folder is created private to the user when missing.
pub fn open_log(path: &Path) -> io::Result<LogFile> {
    open_log_with(path, LOG_MAX_BYTES, LOG_KEEP)
}

/// [`open_log`] with another size and count (tests rotate after a few bytes).
pub fn open_log_with(path: &Path, max_bytes: usize, keep: usize) -> io::Result<LogFile> {
    if max_bytes == 0 || keep == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a log file needs a size and a count above zero",
        ));
    }
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "a log file needs a folder"))?;
    super::create_private_dir(folder).map_err(io::Error::other)?;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(io::Error::other(format!(
            "{} is a symbolic link; icims-namely does not write its log through one",
            path.display()
        )));
    }
    super::files::create_private_file(path)?;
    // A log an older version created with the umask's mode.
    super::files::make_private(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true).create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    // Check that it opens: file-rotate keeps going without a file (dropping lines) when it
    // cannot open one, and this is the moment to say so.
    options.open(path)?;
    let inner = FileRotate::new(
        path,
        AppendCount::new(keep),
        ContentLimit::BytesSurpassed(max_bytes),
        Compression::None,
        Some(options),
    );
    Ok(LogFile { inner })
}
