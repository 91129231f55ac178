//! Untracked files, as `git status` (its default `-unormal`) shows them: a file that is in no
//! tracked directory's listing of the index and is not ignored is listed; a directory that
//! holds no tracked path is listed once, as `dir/`, when it contains at least one file that is
//! not ignored (nested repositories count as content and are not descended); `.git` is skipped
//! everywhere.
//!
//! Two steps, so the expensive one needs no libgit2 handle and can run beside the stat pass:
//! [`candidates`] reads the tracked directories (the only ones git must read to find new
//! files) and keeps the names the index does not know; [`resolve`] asks libgit2's ignore rules
//! (`.gitignore` at every level with negation, `.git/info/exclude`, `core.excludesFile`) about
//! those few, on the thread that owns the repository.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use git2::Repository;

use super::status_tracked::Tracked;

/// A name found in a tracked directory that the index does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// Relative path, `/`-separated, no trailing slash.
    pub(crate) path: Vec<u8>,
    /// A real directory (not a symlink to one).
    pub(crate) dir: bool,
}

/// Reads the root and every tracked directory below it (recursively, never following
/// symlinks), returning the untracked names in them.
pub(crate) fn candidates(root: &Path, tracked: &Tracked) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut stack: Vec<Vec<u8>> = vec![Vec::new()];
    while let Some(dir) = stack.pop() {
        let full = if dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(OsStr::from_bytes(&dir))
        };
        // A tracked directory that is gone (or unreadable) has no untracked content to show;
        // its files are reported deleted by the stat pass.
        let Ok(listing) = std::fs::read_dir(&full) else {
            continue;
        };
        // The index entries under this directory, contiguous in index order: names are looked
        // up among those (about a hundred) rather than among all entries.
        let under = {
            let mut prefix = dir.clone();
            if !prefix.is_empty() {
                prefix.push(b'/');
            }
            let from = tracked
                .entries
                .partition_point(|e| e.path.as_slice() < prefix.as_slice());
            let to =
                from + tracked.entries[from..].partition_point(|e| e.path.starts_with(&prefix));
            &tracked.entries[from..to]
        };
        let mut path = dir.clone();
        if !path.is_empty() {
            path.push(b'/');
        }
        let base = path.len();
        for item in listing.flatten() {
            let name = item.file_name();
            let name = name.as_bytes();
            if name == b".git" {
                continue;
            }
            path.truncate(base);
            path.extend_from_slice(name);
            let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
            let tracked_here = under
                .binary_search_by(|e| e.path.as_slice().cmp(&path))
                .is_ok()
                || tracked
                    .conflicted
                    .binary_search_by(|p| p.as_slice().cmp(&path))
                    .is_ok();
            if is_dir && tracked.dirs.contains(&path) {
                stack.push(path.clone());
            } else if tracked_here {
                // A tracked file, or a submodule (the stat pass asks libgit2 about it); also a
                // tracked file replaced by a directory, whose content git does not list.
            } else {
                out.push(Candidate {
                    path: path.clone(),
                    dir: is_dir,
                });
            }
        }
    }
    out
}

/// The candidates that are not ignored, as status paths (`dir/` for a directory).
pub(crate) fn resolve(repo: &Repository, root: &Path, candidates: Vec<Candidate>) -> Vec<String> {
    let mut out = Vec::new();
    for candidate in candidates {
        if let Some(path) = resolve_one(repo, root, &candidate) {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// One candidate: `None` when it is ignored, or a directory with nothing to show.
pub(crate) fn resolve_one(repo: &Repository, root: &Path, candidate: &Candidate) -> Option<String> {
    if ignored(repo, &candidate.path, candidate.dir) {
        return None;
    }
    let shown = String::from_utf8_lossy(&candidate.path).into_owned();
    if !candidate.dir {
        return Some(shown);
    }
    let full = root.join(OsStr::from_bytes(&candidate.path));
    if full.join(".git").exists() || has_content(repo, &full, &candidate.path) {
        Some(shown + "/")
    } else {
        None
    }
}

/// The untracked directory holds a file (or a nested repository) that is not ignored; stops at
/// the first one, so a large untracked tree costs one listing per level, not a full walk.
fn has_content(repo: &Repository, full: &Path, rel: &[u8]) -> bool {
    let Ok(listing) = std::fs::read_dir(full) else {
        return false;
    };
    let mut subdirs = Vec::new();
    for item in listing.flatten() {
        let name = item.file_name();
        if name.as_bytes() == b".git" {
            // A nested repository inside an untracked directory is content.
            return true;
        }
        let mut path = rel.to_vec();
        path.push(b'/');
        path.extend_from_slice(name.as_bytes());
        let is_dir = item.file_type().is_ok_and(|t| t.is_dir());
        if ignored(repo, &path, is_dir) {
            continue;
        }
        if !is_dir {
            return true;
        }
        subdirs.push((item.path(), path));
    }
    subdirs
        .iter()
        .any(|(full, rel)| has_content(repo, full, rel))
}

fn ignored(repo: &Repository, path: &[u8], dir: bool) -> bool {
    // A trailing slash tells libgit2 it is a directory (for `build/`-style patterns) without
    // another stat. A path that cannot be checked is shown, not hidden.
    let mut query = path.to_vec();
    if dir {
        query.push(b'/');
    }
    repo.is_path_ignored(Path::new(OsStr::from_bytes(&query)))
        .unwrap_or(false)
}
