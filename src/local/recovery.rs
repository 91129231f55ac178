//! Start-up recovery: what an interrupted write (kill -9, power loss) can leave in the data
//! directory, and how each leftover is cleaned or completed before the service answers.
//!
//! The write order of the store makes every leftover recognisable:
//! - create: bare repository, then metadata (temp file, fsync, rename, fsync of `meta/`), then
//!   the answer. A repository folder without metadata was never acknowledged: removed.
//! - update: temp file, fsync, rename. A `*.json.tmp` is an unfinished replacement whose old
//!   version is still in place: removed.
//! - delete: metadata removed first, then the folder renamed to `<id>.deleted` and removed. A
//!   `.deleted` folder, or a folder without metadata, is removed.
//! - push: `git receive-pack` receives into `objects/tmp_objdir-incoming-*` and takes `*.lock`
//!   files while it updates refs. No git runs at start-up, so both are leftovers: removed (a
//!   stale ref lock would refuse every later push to that branch).
//! - metadata whose repository folder is missing or incomplete (a power loss after the
//!   metadata became durable but before the folder's files did): the skeleton is completed
//!   so the repository stays usable, and the loss is logged as an error.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use crate::local::cgi::remove_quarantine_folders;

/// What recovery did, for the log and the banner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Unfinished metadata temp files removed.
    pub temp_files: usize,
    /// Repository folders without metadata (unacknowledged creates, unfinished deletes).
    pub orphan_folders: usize,
    /// Quarantine folders of killed pushes.
    pub quarantine_folders: usize,
    /// Stale lock files of killed git processes.
    pub lock_files: usize,
    /// Repositories whose folder had to be completed.
    pub completed: usize,
}

impl RecoveryReport {
    /// True when nothing was left over.
    pub fn is_clean(&self) -> bool {
        *self == Self::default()
    }
}

/// Removes unfinished metadata temp files in `meta_dir`.
pub fn remove_temp_files(meta_dir: &Path, report: &mut RecoveryReport) {
    let Ok(entries) = fs::read_dir(meta_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.to_string_lossy().ends_with(".tmp") {
            match fs::remove_file(&path) {
                Ok(()) => {
                    report.temp_files += 1;
                    tracing::warn!(path = %path.display(), "removed the temp file of an interrupted metadata write");
                }
                Err(error) => {
                    tracing::error!(path = %path.display(), %error, "cannot remove a leftover temp file");
                }
            }
        }
    }
}

/// Removes folders of `repos_dir` that no metadata in `known_ids` owns.
pub fn remove_orphan_folders(
    repos_dir: &Path,
    known_ids: &HashSet<String>,
    report: &mut RecoveryReport,
) {
    let Ok(entries) = fs::read_dir(repos_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let owned = name
            .strip_suffix(".git")
            .is_some_and(|id| known_ids.contains(id));
        if owned {
            continue;
        }
        let path = entry.path();
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match removed {
            Ok(()) => {
                report.orphan_folders += 1;
                tracing::warn!(path = %path.display(), "removed a repository folder without metadata (an interrupted create or delete)");
            }
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "cannot remove an orphan repository folder");
            }
        }
    }
}

/// Cleans one repository that has metadata: quarantine folders, stale locks, missing files.
pub fn repair_repository(repo: &Path, default_branch: Option<&str>, report: &mut RecoveryReport) {
    report.quarantine_folders += remove_quarantine_folders(repo);
    remove_stale_locks(repo, report);
    let mut completed = false;
    for dir in [
        "objects/info",
        "objects/pack",
        "refs/heads",
        "refs/tags",
        "info",
    ] {
        let path = repo.join(dir);
        if !path.is_dir() {
            completed = true;
            if let Err(error) = fs::create_dir_all(&path) {
                tracing::error!(path = %path.display(), %error, "cannot complete a repository");
            }
        }
    }
    let head = format!("ref: refs/heads/{}\n", default_branch.unwrap_or("master"));
    for (name, content) in [
        ("HEAD", head.as_str()),
        ("config", crate::local::store::BARE_CONFIG),
    ] {
        let path = repo.join(name);
        if !path.is_file() {
            completed = true;
            if let Err(error) = fs::write(&path, content) {
                tracing::error!(path = %path.display(), %error, "cannot complete a repository");
            }
        }
    }
    if completed {
        report.completed += 1;
        tracing::error!(path = %repo.display(), "repository folder was missing or incomplete; its skeleton was recreated");
    }
}

/// Lock files git or the store take while writing; none is held at start-up.
fn remove_stale_locks(repo: &Path, report: &mut RecoveryReport) {
    let mut remove = |path: &Path| {
        if fs::remove_file(path).is_ok() {
            report.lock_files += 1;
            tracing::warn!(path = %path.display(), "removed a stale lock of an interrupted git write");
        }
    };
    for name in [
        "HEAD.lock",
        "HEAD.cctui-tmp",
        "config.lock",
        "packed-refs.lock",
        "shallow.lock",
    ] {
        let path = repo.join(name);
        if path.exists() {
            remove(&path);
        }
    }
    let mut pending = vec![repo.join("refs")];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "lock") {
                remove(&path);
            }
        }
    }
}
