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
    let repository = crate::git::commit::open(repo)?;
    identity_of(&repository)
}

/// [`identity`] of an open repository.
pub(crate) fn identity_of(repository: &git2::Repository) -> Result<Identity, GitError> {
    let config = repository
        .config()
        .map_err(|e| GitError::Other(format!("cannot read git's configuration: {e}")))?;
    let read = |key: &str| {
        config
            .get_string(key)
            .ok()
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    // As git: the environment (GIT_AUTHOR_NAME, GIT_AUTHOR_EMAIL, then EMAIL) wins over the
    // configuration.
    let env = |key: &str| {
        std::env::var(key)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let name = env("GIT_AUTHOR_NAME").or_else(|| read("user.name"));
    let email = env("GIT_AUTHOR_EMAIL")
        .or_else(|| read("user.email"))
        .or_else(|| env("EMAIL"));
    match (name, email) {
        (Some(name), Some(email)) => Ok(Identity { name, email }),
        (None, Some(_)) => Err(GitError::MissingIdentity {
            missing: "user.name",
        }),
        (Some(_), None) => Err(GitError::MissingIdentity {
            missing: "user.email",
        }),
        (None, None) => Err(GitError::MissingIdentity {
            missing: "user.name and user.email",
        }),
    }
}

/// A signature of `identity` at the current time.
pub(crate) fn signature_now(identity: &Identity) -> Result<git2::Signature<'static>, GitError> {
    git2::Signature::now(&identity.name, &identity.email)
        .map_err(|e| GitError::Other(format!("invalid identity in git's configuration: {e}")))
}
