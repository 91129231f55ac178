//! The stash: save, list, apply, pop, drop.

use std::path::Path;

use super::GitError;

/// One stash entry (`stash@{index}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StashEntry {
    /// 0 is the newest.
    pub index: usize,
    /// `On main: message` / `WIP on main: abc1234 summary`.
    pub message: String,
    /// Full id of the stash commit.
    pub id: String,
}

/// Stashes the local changes (staged and unstaged; untracked files too when asked).
pub fn stash_save(
    repo: &Path,
    message: Option<&str>,
    include_untracked: bool,
) -> Result<(), GitError> {
    let _ = (repo, message, include_untracked);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// The stash entries, newest first.
pub fn stash_list(repo: &Path) -> Result<Vec<StashEntry>, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Applies `stash@{index}` and keeps it.
pub fn stash_apply(repo: &Path, index: usize) -> Result<(), GitError> {
    let _ = (repo, index);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Applies `stash@{index}` and drops it when applied.
pub fn stash_pop(repo: &Path, index: usize) -> Result<(), GitError> {
    let _ = (repo, index);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Drops `stash@{index}`.
pub fn stash_drop(repo: &Path, index: usize) -> Result<(), GitError> {
    let _ = (repo, index);
    Err(GitError::Other("not implemented yet".to_string()))
}
