//! The refresh after the file watcher reported some changed paths: only those paths (and the
//! untracked directory holding them) are looked at again; the staged side, the conflicts and
//! the index's stat data are reused from the previous snapshot, which is only sound while the
//! index and HEAD are the ones it was computed from. So a full scan is done instead when:
//! the watcher overflowed (events were lost), too many paths changed, the index file or HEAD
//! moved, an ignore/attributes/submodule file changed (it changes the verdict of paths nobody
//! reported), or a tracked directory itself was reported (renamed or removed whole).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::Repository;

use super::GitError;
use super::repo::open;
use super::status::{FileKind, FileStatus, repo_state};
use super::status_engine::{
    StatusSnapshot, resolve_candidate, scan, sort_lists, stamp, worktree_changes,
};
use super::status_tracked::{Stat, look};
use super::status_untracked::Candidate;

/// More reported paths than this and a full scan is cheaper than looking at each.
pub const INCREMENTAL_LIMIT: usize = 512;

/// How [`status_incremental`] got its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Only the reported paths were examined.
    Incremental,
    /// A full scan was done, and why.
    Full(FullReason),
}

/// Why an incremental refresh fell back to a full scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FullReason {
    /// The watcher lost events.
    Overflow,
    /// More than [`INCREMENTAL_LIMIT`] paths.
    TooManyPaths,
    /// The index file or HEAD changed since the previous snapshot.
    IndexOrHead,
    /// A `.gitignore`, `.gitattributes`, `.gitmodules` or `.git/info/exclude` changed.
    RulesChanged,
    /// A tracked directory itself was reported.
    TrackedDirectory,
}

/// The status after `changed` paths (absolute, as the watcher reports them, or relative to the
/// working-tree root) changed since `previous` was taken; `overflowed`: the watcher says it
/// lost events. Paths inside `.git` need not be filtered out: what they can change (index,
/// HEAD, merge state) is checked on every call.
pub fn status_incremental(
    repo: &Path,
    previous: &StatusSnapshot,
    changed: &[PathBuf],
    overflowed: bool,
) -> Result<(StatusSnapshot, Refresh), GitError> {
    refresh(&open(repo)?, previous, changed, overflowed)
}

/// As [`status_incremental`], on an open repository.
pub(crate) fn refresh(
    repo: &Repository,
    previous: &StatusSnapshot,
    changed: &[PathBuf],
    overflowed: bool,
) -> Result<(StatusSnapshot, Refresh), GitError> {
    let full = |reason| Ok((scan(repo)?, Refresh::Full(reason)));
    if overflowed {
        return full(FullReason::Overflow);
    }
    if changed.len() > INCREMENTAL_LIMIT {
        return full(FullReason::TooManyPaths);
    }
    if stamp(repo) != previous.basis.stamp {
        return full(FullReason::IndexOrHead);
    }
    let Some(root) = repo.workdir().map(Path::to_path_buf) else {
        return Err(GitError::NotARepository(repo.path().to_path_buf()));
    };
    let basis = &previous.basis;
    let tracked = &basis.tracked;

    let mut relative: Vec<Vec<u8>> = Vec::new();
    // libgit2 resolves the work tree's real path; the watcher reports the path the clone was
    // opened by (a symlinked workspace root, say). Both forms are tried, then the path's own
    // links are resolved; what still lies outside the work tree is not the status's business.
    let real_root = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    for path in changed {
        let rel = path
            .strip_prefix(&root)
            .or_else(|_| path.strip_prefix(&real_root))
            .map(Path::to_path_buf)
            .or_else(|_| relative_through_links(path, &real_root).ok_or(()))
            .unwrap_or_else(|_| path.clone());
        let rel = rel.as_path();
        if rel.is_absolute() {
            // Outside the working tree, even through its links.
            continue;
        }
        if rel.as_os_str().is_empty() {
            // Outside the working tree (or the root itself, which says nothing on its own).
            continue;
        }
        let bytes = rel.as_os_str().as_bytes();
        let bytes = bytes.strip_suffix(b"/").unwrap_or(bytes);
        if bytes == b".git/info/exclude" {
            return full(FullReason::RulesChanged);
        }
        if bytes == b".git" || bytes.starts_with(b".git/") {
            continue;
        }
        let name = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
        if matches!(name, b".gitignore" | b".gitattributes" | b".gitmodules") {
            return full(FullReason::RulesChanged);
        }
        if tracked.dirs.contains(bytes) {
            return full(FullReason::TrackedDirectory);
        }
        relative.push(bytes.to_vec());
    }
    relative.sort();
    relative.dedup();

    let mut status = previous.status.clone();
    status.state = repo_state(repo);

    // Tracked files among the paths: their unstaged entries are recomputed.
    let mut looks = Vec::new();
    for rel in &relative {
        let Ok(i) = tracked
            .entries
            .binary_search_by(|e| e.path.as_slice().cmp(rel))
        else {
            continue;
        };
        let shown = String::from_utf8_lossy(rel);
        status.unstaged.retain(|f| f.path != shown);
        let meta = std::fs::symlink_metadata(root.join(OsStr::from_bytes(rel)))
            .ok()
            .map(|m| Stat::from(&m));
        looks.push((
            i,
            look(
                &tracked.entries[i],
                meta.as_ref(),
                &basis.config,
                tracked.index_mtime,
            ),
        ));
    }
    let (unstaged, new) = worktree_changes(repo, None, &root, tracked, &basis.config, looks)?;
    status.unstaged.extend(unstaged);

    // Untracked: each path stands for its topmost untracked directory, or for itself when its
    // parent is tracked; that one is looked at again and replaces what was listed under it.
    let mut tops: Vec<Vec<u8>> = relative
        .iter()
        .map(|rel| untracked_top(rel, tracked))
        .collect();
    tops.sort();
    tops.dedup();
    for top in tops {
        let shown = String::from_utf8_lossy(&top).into_owned();
        let under = format!("{shown}/");
        status
            .untracked
            .retain(|f| f.path != shown && !f.path.starts_with(&under));
        let Ok(meta) = std::fs::symlink_metadata(root.join(OsStr::from_bytes(&top))) else {
            continue;
        };
        let dir = meta.file_type().is_dir();
        // A tracked path is never untracked (nor is the content of a directory that replaced a
        // tracked file: git does not list it).
        if tracked.is_tracked(&top) {
            continue;
        }
        let candidate = Candidate { path: top, dir };
        if let Some(path) = resolve_candidate(repo, &root, &candidate) {
            status.untracked.push(FileStatus {
                path,
                kind: FileKind::New,
                submodule: false,
            });
        }
    }
    status
        .untracked
        .extend(new.into_iter().map(|path| FileStatus {
            path,
            kind: FileKind::New,
            submodule: false,
        }));
    sort_lists(&mut status);
    Ok((
        StatusSnapshot {
            status,
            basis: Arc::clone(&previous.basis),
        },
        Refresh::Incremental,
    ))
}

/// The shortest prefix of `rel` (at a `/`) that is not a tracked directory: the untracked
/// directory `rel` is in, or `rel` itself when every parent is tracked.
fn untracked_top(rel: &[u8], tracked: &super::status_tracked::Tracked) -> Vec<u8> {
    for (i, &b) in rel.iter().enumerate() {
        if b == b'/' && !tracked.dirs.contains(&rel[..i]) {
            return rel[..i].to_vec();
        }
    }
    rel.to_vec()
}

/// `path` relative to `real_root` when it reaches the work tree through a symlink: its nearest
/// existing ancestor is resolved (a deleted file's directory may be gone too) and the rest kept.
fn relative_through_links(path: &Path, real_root: &Path) -> Option<std::path::PathBuf> {
    let mut ancestor = path;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(ancestor) {
            let mut rel = real.strip_prefix(real_root).ok()?.to_path_buf();
            rel.extend(rest.iter().rev());
            return Some(rel);
        }
        rest.push(ancestor.file_name()?);
        ancestor = ancestor.parent()?;
    }
}
