//! Who commits, as git decides it, without git's guesses:
//! - the author: `GIT_AUTHOR_NAME` / `GIT_AUTHOR_EMAIL`, else `author.name` / `author.email`,
//!   else `user.name` / `user.email`, else (the email only) `EMAIL`;
//! - the committer: the same with `GIT_COMMITTER_*` and `committer.*`.
//!
//! The configuration is the repository's, then the global, XDG and system files, as libgit2
//! layers them. Departure from the git CLI: no guess from the user account and host name; a
//! missing identity is an error with a hint, as git's `user.useConfigOnly` does, so no commit is
//! ever made as `root@localhost`.

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

/// The author identity for the repository at `repo` (what [`crate::git::commit`] records).
///
/// [`GitError::MissingIdentity`] names what is missing (`user.name`, `user.email` or both).
pub fn identity(repo: &Path) -> Result<Identity, GitError> {
    let repository = crate::git::commit::open(repo)?;
    identity_of(&repository)
}

/// Whose identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Who wrote the change.
    Author,
    /// Who made the commit.
    Committer,
}

/// The author identity of an open repository.
pub(crate) fn identity_of(repository: &git2::Repository) -> Result<Identity, GitError> {
    identity_as(repository, Role::Author)
}

/// The identity of `role` in an open repository.
pub(crate) fn identity_as(repository: &git2::Repository, role: Role) -> Result<Identity, GitError> {
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
    let env = |key: &str| {
        std::env::var(key)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (env_prefix, section) = match role {
        Role::Author => ("GIT_AUTHOR", "author"),
        Role::Committer => ("GIT_COMMITTER", "committer"),
    };
    let name = env(&format!("{env_prefix}_NAME"))
        .or_else(|| read(&format!("{section}.name")))
        .or_else(|| read("user.name"));
    let email = env(&format!("{env_prefix}_EMAIL"))
        .or_else(|| read(&format!("{section}.email")))
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
