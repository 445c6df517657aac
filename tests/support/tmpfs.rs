//! A small tmpfs for the tests of a full disk and a read-only data folder, shared by
//! `crates/core/tests/data_folder.rs` and `tests/cli_data_folder.rs` (each includes it with
//! `#[path]`). Mounting needs root: [`Tmpfs::mount`] says why not otherwise, and the tests
//! print that they skipped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A small tmpfs mounted at a fresh folder for the life of the value (root only).
pub struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (and why) when it cannot be mounted here.
    pub fn mount(size: &str) -> Result<Tmpfs, String> {
        if !is_root() {
            return Err("needs root to mount a tmpfs".into());
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("no mount command: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn remount(&self, how: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{how}")])
            .arg(self.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {how}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Fills the disk that holds `dir` with one file; returns its path.
pub fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    loop {
        match file.write_all(&block).and_then(|()| file.sync_all()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::StorageFull => break,
            Err(e) => panic!("filling {}: {e}", dir.display()),
        }
    }
    // Whatever a partial block left: the disk is full to the byte.
    let _ = file.write_all(&[0u8]);
    path
}

/// A data folder a test can make unwritable: on a tmpfs remounted read-only when running as
/// root (root writes through any mode), else in a temporary folder whose mode drops to 0500.
pub struct LockableHome {
    mount: Option<Tmpfs>,
    _tmp: tempfile::TempDir,
    /// The data folder (not created yet).
    pub path: PathBuf,
}

impl LockableHome {
    /// `Err(why)` when running as root and no tmpfs can be mounted: the test skips, saying so.
    pub fn new() -> Result<LockableHome, String> {
        let mount = match Tmpfs::mount("4m") {
            Ok(m) => Some(m),
            Err(why) if is_root() => return Err(why),
            Err(_) => None,
        };
        let tmp = tempfile::tempdir().unwrap();
        let path = match &mount {
            Some(m) => m.path().join("home"),
            None => tmp.path().join("home"),
        };
        Ok(LockableHome {
            mount,
            _tmp: tmp,
            path,
        })
    }

    /// Runs `f` while the folder and `files` in it cannot be written; then makes them
    /// writable again.
    #[cfg(unix)]
    pub fn read_only<T>(&self, files: &[PathBuf], f: impl FnOnce() -> T) -> T {
        use std::os::unix::fs::PermissionsExt;
        let set_mode = |mode| {
            for p in std::iter::once(&self.path).chain(files) {
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
            }
        };
        match &self.mount {
            Some(m) => m.remount("ro"),
            None => set_mode(0o500),
        }
        let out = f();
        match &self.mount {
            Some(m) => m.remount("rw"),
            None => set_mode(0o700),
        }
        out
    }
}
