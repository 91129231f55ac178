//! Staging and unstaging: a file, a directory (everything under it), everything, one hunk, or
//! some lines of a hunk.
//!
//! Hunks and lines are named by the [`Hunk`](super::diff::Hunk) the UI showed: stage from the
//! [`DiffTarget::Unstaged`](super::diff::DiffTarget) diff, unstage from the
//! [`DiffTarget::Staged`](super::diff::DiffTarget) diff. If the file changed since, the call
//! fails with [`GitError::StaleHunk`] and touches nothing.

use std::path::Path;

use super::GitError;
use super::diff::HunkId;
use super::repo::other;

fn todo(what: &str) -> GitError {
    other(git2::Error::from_str(&format!(
        "{what}: not implemented yet"
    )))
}

/// Stages `path` (a file or a directory, relative to the working-tree root) as it is in the
/// working tree: new and modified files are added, deleted ones staged as removals; ignored
/// files under a directory are left out. Staging a conflicted file marks it resolved.
pub fn stage_path(repo: &Path, path: &str) -> Result<(), GitError> {
    let _ = (repo, path);
    Err(todo("stage_path"))
}

/// Puts `path` (a file or a directory) back in the index as it is in HEAD (removes it from the
/// index when HEAD does not have it, also on an unborn branch). Unstaging the new path of a
/// staged rename also unstages the removal of the old path.
pub fn unstage_path(repo: &Path, path: &str) -> Result<(), GitError> {
    let _ = (repo, path);
    Err(todo("unstage_path"))
}

/// Stages every change of the working tree (`git add -A`).
pub fn stage_all(repo: &Path) -> Result<(), GitError> {
    let _ = repo;
    Err(todo("stage_all"))
}

/// Unstages everything: the index becomes HEAD again (empty on an unborn branch); the working
/// tree is untouched.
pub fn unstage_all(repo: &Path) -> Result<(), GitError> {
    let _ = repo;
    Err(todo("unstage_all"))
}

/// Stages one hunk of the unstaged diff of `path`.
pub fn stage_hunk(repo: &Path, path: &str, hunk: HunkId) -> Result<(), GitError> {
    let _ = (repo, path, hunk);
    Err(todo("stage_hunk"))
}

/// Unstages one hunk of the staged diff of `path`.
pub fn unstage_hunk(repo: &Path, path: &str, hunk: HunkId) -> Result<(), GitError> {
    let _ = (repo, path, hunk);
    Err(todo("unstage_hunk"))
}

/// Stages some lines of one hunk of the unstaged diff: `lines` are indexes into
/// [`Hunk::lines`](super::diff::Hunk); context and no-newline lines in it are ignored.
pub fn stage_lines(repo: &Path, path: &str, hunk: HunkId, lines: &[usize]) -> Result<(), GitError> {
    let _ = (repo, path, hunk, lines);
    Err(todo("stage_lines"))
}

/// Unstages some lines of one hunk of the staged diff (indexes into
/// [`Hunk::lines`](super::diff::Hunk)).
pub fn unstage_lines(
    repo: &Path,
    path: &str,
    hunk: HunkId,
    lines: &[usize],
) -> Result<(), GitError> {
    let _ = (repo, path, hunk, lines);
    Err(todo("unstage_lines"))
}
