//! The secrets folder: for computers with no desktop keychain (a server, a container), a
//! folder of files, one secret per file, named by `ICIMS_NAMELY_SECRETS_DIR` — typically
//! systemd's `$CREDENTIALS_DIRECTORY` or a mounted Kubernetes Secret.
//!
//! # File names
//!
//! `<connection>.<kind>`, e.g. `acme.namely-token`, `acme.icims-hmac-key`,
//! `acme.alert-webhook`. `<connection>` is the connection's name as it is matched everywhere
//! else, ignoring case — lowercased — with each space written `_` (Kubernetes Secret keys
//! allow only letters, digits, `-`, `_` and `.`): "Acme Corp" reads `acme_corp.namely-token`.
//! Two connections whose names differ only by a space and a `_` would read the same files:
//! name them apart. A name with `/`, `\`, a control character or a leading `.` names no file
//! (connection names never hold them; the check stays for any caller).
//!
//! # What is refused
//!
//! A file is read only when it is a regular file that other users of the computer can neither
//! read nor write (`mode & 0o007 == 0`; the group may read it, as a Kubernetes `fsGroup`
//! needs). A symbolic link is followed only when its target lies inside the folder: Kubernetes
//! mounts each key as a link to `..data/<key>` in the same folder; a link leading elsewhere is
//! refused (copy the secret into the folder). An empty file is refused. One trailing newline
//! (`echo "…" > file`) is not part of the secret. Every refusal says what to run (e.g.
//! `chmod 600 <file>`) and never shows the contents.
//!
//! Nothing is ever written here: saving a secret goes to the keychain, and a file of the
//! folder wins over the keychain when both hold one.

use super::{Result, SecretKind, SecretsError};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The environment variable that names the secrets folder.
pub const SECRETS_DIR_ENV: &str = "ICIMS_NAMELY_SECRETS_DIR";

/// Where a secret was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The system keychain (or the mock store of tests).
    Keychain,
    /// This process's memory: there is no keychain, and it is gone at exit.
    Session,
    /// This file of the secrets folder.
    Folder(PathBuf),
}

impl SecretSource {
    /// "from the system keychain", "from /run/credentials/sync.service/acme.namely-token".
    pub fn describe(&self) -> String {
        match self {
            SecretSource::Keychain => "from the system keychain".to_string(),
            SecretSource::Session => "kept for this session only (no system keychain)".to_string(),
            SecretSource::Folder(path) => format!("from {}", path.display()),
        }
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Why a file of the secrets folder was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// Other users of the computer can read or write it.
    Exposed,
    /// A folder, a device, a pipe: not a regular file.
    NotAFile,
    /// A symbolic link whose target lies outside the folder.
    Outside,
    /// Empty, or only a newline.
    Empty,
    /// Not UTF-8 text.
    NotText,
    /// The operating system refused to read it (the reason, never the contents).
    Unreadable(String),
}

impl FileProblem {
    /// The stable code of [`SecretsError::File`] with this problem.
    pub fn code(&self) -> &'static str {
        match self {
            FileProblem::Exposed => "secret_file_exposed",
            FileProblem::NotAFile => "secret_file_not_a_file",
            FileProblem::Outside => "secret_file_outside",
            FileProblem::Empty => "secret_file_empty",
            FileProblem::NotText => "secret_file_not_text",
            FileProblem::Unreadable(_) => "secret_file_unreadable",
        }
    }
}

/// The words of [`SecretsError::File`]: what was found, and what to run.
pub(super) fn file_message(path: &Path, problem: &FileProblem, kind: SecretKind) -> String {
    let shown = path.display();
    let quoted = shell_quote(&path.to_string_lossy());
    let label = kind.label();
    match problem {
        FileProblem::Exposed => format!(
            "The secret file {shown} can be read or changed by other users of this computer, so \
             the {label} in it was not used. Run `chmod 600 {quoted}` and try again (for a \
             Kubernetes Secret volume, set its defaultMode to 0400)."
        ),
        FileProblem::NotAFile => format!(
            "{shown} in the secrets folder is not a regular file, so it was not used as the \
             {label}. Replace it with a file that holds only the {label}."
        ),
        FileProblem::Outside => format!(
            "The secret file {shown} is a link to a file outside the secrets folder, so the \
             {label} was not read. Only links within the folder (as Kubernetes mounts them) are \
             followed: copy the {label} into the folder, then run `chmod 600 {quoted}`."
        ),
        FileProblem::Empty => format!(
            "The secret file {shown} is empty. Write the {label} into it, or remove the file to \
             use the keychain's."
        ),
        FileProblem::NotText => format!(
            "The secret file {shown} does not hold text, so the {label} in it was not used. \
             Write the {label} into it again as plain text."
        ),
        FileProblem::Unreadable(why) => format!(
            "The secret file {shown} could not be read ({why}). Make it readable by the user \
             icims-namely runs as, e.g. `chown \"$(id -un)\" {quoted} && chmod 600 {quoted}`."
        ),
    }
}

/// A path as a shell reads it: as is when plain, else in single quotes.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `<connection>.<kind>` (see the module documentation); `None` for a name that cannot name
/// a file of the folder.
pub fn file_name(connection: &str, kind: SecretKind) -> Option<String> {
    let name = connection.trim();
    if name.is_empty()
        || name.starts_with('.')
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return None;
    }
    let stem = name.to_lowercase().replace(' ', "_");
    Some(format!("{stem}.{}", kind.as_str()))
}

/// The secrets folder of a [`super::Secrets`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Folder {
    dir: PathBuf,
}

impl Folder {
    /// The folder at `dir`, made absolute against the current folder.
    pub(super) fn new(dir: PathBuf) -> Folder {
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        Folder { dir }
    }

    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds this secret, whether it exists or not.
    pub(super) fn path(&self, connection: &str, kind: SecretKind) -> Result<PathBuf> {
        let name = file_name(connection, kind).ok_or(SecretsError::InvalidConnection)?;
        Ok(self.dir.join(name))
    }

    /// Whether the folder holds this secret, judged without reading it: `Ok(None)` when there
    /// is no such file; the file when it would be used; why not, when it would be refused.
    pub(super) fn inspect(&self, connection: &str, kind: SecretKind) -> Result<Option<PathBuf>> {
        let path = self.path(connection, kind)?;
        let refuse = |problem| SecretsError::File {
            path: path.clone(),
            problem,
            kind,
        };
        let link = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !self.dir.is_dir() {
                    return Err(SecretsError::FolderMissing {
                        dir: self.dir.clone(),
                    });
                }
                return Ok(None);
            }
            Err(e) => return Err(refuse(FileProblem::Unreadable(io_reason(&e)))),
        };
        if link.file_type().is_symlink() {
            let target = std::fs::canonicalize(&path).map_err(|e| {
                refuse(FileProblem::Unreadable(format!(
                    "it is a link that leads nowhere: {}",
                    io_reason(&e)
                )))
            })?;
            let dir = std::fs::canonicalize(&self.dir)
                .map_err(|e| refuse(FileProblem::Unreadable(io_reason(&e))))?;
            if !target.starts_with(&dir) {
                return Err(refuse(FileProblem::Outside));
            }
        }
        let meta =
            std::fs::metadata(&path).map_err(|e| refuse(FileProblem::Unreadable(io_reason(&e))))?;
        judge(&meta).map_err(refuse)?;
        if meta.len() == 0 {
            return Err(refuse(FileProblem::Empty));
        }
        Ok(Some(path))
    }

    /// The secret in the folder's file with the source, `Ok(None)` when there is no file.
    /// Blocking (a file read).
    pub(super) fn read(
        &self,
        connection: &str,
        kind: SecretKind,
    ) -> Result<Option<(SecretString, PathBuf)>> {
        let Some(path) = self.inspect(connection, kind)? else {
            return Ok(None);
        };
        let refuse = |problem| SecretsError::File {
            path: path.clone(),
            problem,
            kind,
        };
        let mut file = std::fs::File::open(&path)
            .map_err(|e| refuse(FileProblem::Unreadable(io_reason(&e))))?;
        // Judged again on the open file: what is read is what was judged.
        let meta = file
            .metadata()
            .map_err(|e| refuse(FileProblem::Unreadable(io_reason(&e))))?;
        judge(&meta).map_err(refuse)?;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 16));
        let read = file.read_to_end(&mut bytes);
        // Zeroized when dropped, whatever happens next.
        let bytes = SecretSlice::from(bytes);
        read.map_err(|e| refuse(FileProblem::Unreadable(io_reason(&e))))?;
        let text =
            std::str::from_utf8(bytes.expose_secret()).map_err(|_| refuse(FileProblem::NotText))?;
        // One trailing newline is the editor's or `echo`'s, not the secret's.
        let text = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .unwrap_or(text);
        if text.trim().is_empty() {
            return Err(refuse(FileProblem::Empty));
        }
        Ok(Some((SecretString::from(text.to_string()), path)))
    }
}

/// A regular file others can neither read nor write.
fn judge(meta: &std::fs::Metadata) -> std::result::Result<(), FileProblem> {
    if !meta.is_file() {
        return Err(FileProblem::NotAFile);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o007 != 0 {
            return Err(FileProblem::Exposed);
        }
    }
    Ok(())
}

/// The operating system's reason, without the path (the message shows it once).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        _ => e.to_string(),
    }
}
