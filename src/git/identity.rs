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

/// Where [`set_identity`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityScope {
    /// The user's global file (`~/.gitconfig`, or git's XDG file when that is the one in use).
    Global,
    /// This clone only (`.git/config`).
    Repository,
}

/// What [`set_identity`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityWritten {
    /// The file changed.
    pub file: std::path::PathBuf,
    /// The copy of it made first (a global file that existed), to bring it back.
    pub backup: Option<std::path::PathBuf>,
}

/// The file [`set_identity`] would write for `scope`, and the exact lines it adds there.
pub fn identity_preview(
    repo: &Path,
    scope: IdentityScope,
    name: &str,
    email: &str,
) -> Result<(std::path::PathBuf, String), GitError> {
    let file = identity_file(repo, scope)?;
    Ok((
        file,
        format!("[user]\n\tname = {name}\n\temail = {email}\n"),
    ))
}

fn identity_file(repo: &Path, scope: IdentityScope) -> Result<std::path::PathBuf, GitError> {
    match scope {
        IdentityScope::Repository => {
            let repository = crate::git::commit::open(repo)?;
            Ok(repository.path().join("config"))
        }
        IdentityScope::Global => match git2::Config::find_global() {
            Ok(path) => Ok(path),
            // No global file yet: git's default place.
            Err(_) => crate::config::paths::home_dir()
                .map(|home| home.join(".gitconfig"))
                .ok_or_else(|| GitError::Other("no home directory for ~/.gitconfig".into())),
        },
    }
}

/// Sets `user.name` and `user.email` in the file of `scope`. A global file that exists is
/// copied beside itself first (`.gitconfig.cctui-backup`, numbered when taken), so the
/// change can be taken back; the caller showed the lines and asked.
pub fn set_identity(
    repo: &Path,
    scope: IdentityScope,
    name: &str,
    email: &str,
) -> Result<IdentityWritten, GitError> {
    let (name, email) = (name.trim(), email.trim());
    if name.is_empty()
        || !email.contains('@')
        || format!("{name}{email}").contains(['<', '>', '\n'])
    {
        return Err(GitError::Other(
            "a name and an email address (with @) are needed".into(),
        ));
    }
    let file = identity_file(repo, scope)?;
    let backup = match scope {
        IdentityScope::Global if file.exists() => Some(back_up(&file)?),
        _ => None,
    };
    let mut config = git2::Config::open(&file)
        .map_err(|e| GitError::Other(format!("cannot open {}: {e}", file.display())))?;
    for (key, value) in [("user.name", name), ("user.email", email)] {
        config.set_str(key, value).map_err(|e| {
            GitError::Other(format!("cannot write {key} to {}: {e}", file.display()))
        })?;
    }
    Ok(IdentityWritten { file, backup })
}

/// Copies `file` to a backup path that does not exist yet.
fn back_up(file: &Path) -> Result<std::path::PathBuf, GitError> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "gitconfig".into());
    let dir = file.parent().unwrap_or_else(|| Path::new("."));
    let backup = (0..1000)
        .map(|n| match n {
            0 => dir.join(format!("{name}.cctui-backup")),
            n => dir.join(format!("{name}.cctui-backup.{n}")),
        })
        .find(|path| !path.exists())
        .ok_or_else(|| GitError::Other("too many backups of the git configuration".into()))?;
    std::fs::copy(file, &backup)
        .map_err(|e| GitError::Other(format!("cannot back up {}: {e}", file.display())))?;
    Ok(backup)
}
