//! Commit the index: message checks, hooks, amend, merge commits, identity from the config.

use std::path::Path;

use crate::git::GitError;

/// What to commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitRequest {
    /// The message; cleaned up as `git commit -m` does (trailing whitespace, blank lines).
    pub message: String,
    /// Replace HEAD (`git commit --amend`): same parents and author, new tree and message.
    pub amend: bool,
    /// Allow a commit whose tree equals its parent's (`--allow-empty`).
    pub allow_empty: bool,
    /// Skip the `pre-commit` and `commit-msg` hooks (`--no-verify`).
    pub no_verify: bool,
}

/// The commit made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOutcome {
    /// Full hex id.
    pub id: String,
    /// First line of the final message (after hooks).
    pub summary: String,
}

/// Commits the index of the repository at `repo` on HEAD. Blocking; runs hooks.
pub fn commit(repo: &Path, request: &CommitRequest) -> Result<CommitOutcome, GitError> {
    let _ = (repo, request);
    Err(GitError::Other("not implemented yet".to_string()))
}
