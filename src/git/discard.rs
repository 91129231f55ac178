//! Discarding working-tree changes (the UI confirms first): a file or directory goes back to its
//! index version; untracked files are deleted.

use std::path::Path;

use super::GitError;
use super::diff::HunkId;
use super::repo::other;

/// Puts `path` (file or directory) back as it is in the index; untracked files at or under
/// `path` are deleted (ignored files are kept). Staged changes are kept.
pub fn discard_path(repo: &Path, path: &str) -> Result<(), GitError> {
    let _ = (repo, path);
    Err(other(git2::Error::from_str(
        "discard_path: not implemented yet",
    )))
}

/// Reverts one hunk of the unstaged diff of `path` in the working tree.
pub fn discard_hunk(repo: &Path, path: &str, hunk: HunkId) -> Result<(), GitError> {
    let _ = (repo, path, hunk);
    Err(other(git2::Error::from_str(
        "discard_hunk: not implemented yet",
    )))
}
