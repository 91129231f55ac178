//! Who commits: `user.name` and `user.email` from git's configuration (the repository's, then
//! the global, XDG and system files, as libgit2 layers them).
//!
//! Departure from the git CLI: no guess from the host name and no `GIT_AUTHOR_*` /
//! `GIT_COMMITTER_*` / `EMAIL` environment variables. A missing identity is an error with a
//! hint, as git's `user.useConfigOnly` does, so no commit is ever made as `root@localhost`.

use std::path::Path;

use crate::git::GitError;

/// A commit identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `user.name`.
    pub name: String,
    /// `user.email`.
    pub email: String,
}

/// The identity configured for the repository at `repo`.
///
/// [`GitError::MissingIdentity`] names what is missing (`user.name`, `user.email` or both).
pub fn identity(repo: &Path) -> Result<Identity, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}
