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
