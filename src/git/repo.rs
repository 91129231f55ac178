//! Opening a working tree, and the mapping of libgit2 errors into [`GitError`] shared by the
//! working-tree operations ([`super::status`], [`super::stage`], [`super::diff`],
//! [`super::discard`], [`super::log`]).
//!
//! Every operation takes the working-tree directory as a plain `&Path` and opens the repository
//! itself (as gitui's `asyncgit/src/sync` does): nothing is cached between calls, so a call
//! always sees what is on disk, and calls on different threads never share a `git2::Repository`.

use std::path::Path;

use git2::{ErrorCode, Repository, RepositoryOpenFlags};

use super::GitError;

/// Opens the repository whose working tree is (or contains) `dir`. A bare repository is refused
/// with [`GitError::NotARepository`]: every operation here needs a working tree.
pub(crate) fn open(dir: &Path) -> Result<Repository, GitError> {
    let repo = Repository::open_ext(
        dir,
        RepositoryOpenFlags::empty(),
        std::iter::empty::<&Path>(),
    )
    .map_err(|e| match e.code() {
        ErrorCode::NotFound => GitError::NotARepository(dir.to_path_buf()),
        _ => other(e),
    })?;
    if repo.is_bare() || repo.workdir().is_none() {
        return Err(GitError::NotARepository(dir.to_path_buf()));
    }
    Ok(repo)
}

/// The working-tree root of `dir` (which may be a subdirectory).
pub fn workdir(dir: &Path) -> Result<std::path::PathBuf, GitError> {
    let repo = open(dir)?;
    repo.workdir()
        .map(Path::to_path_buf)
        .ok_or_else(|| GitError::NotARepository(dir.to_path_buf()))
}

/// libgit2's error as [`GitError::Other`] (its message only).
pub(crate) fn other(e: git2::Error) -> GitError {
    GitError::Other(e.message().to_string())
}

/// The commit HEAD points to, or `None` on an unborn branch (no commit yet).
pub(crate) fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>, GitError> {
    match repo.head() {
        Ok(head) => head.peel_to_commit().map(Some).map_err(other),
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            Ok(None)
        }
        Err(e) => Err(other(e)),
    }
}

/// A path as git stores it (`/`-separated, relative to the working-tree root), checked: not
/// empty, not absolute, no `..` component.
pub(crate) fn check_relative(path: &str) -> Result<&str, GitError> {
    let trimmed = path.trim_end_matches('/');
    let bad = trimmed.is_empty()
        || trimmed.starts_with('/')
        || trimmed
            .split('/')
            .any(|c| c == ".." || c == "." || c.is_empty());
    if bad {
        return Err(GitError::PathNotFound(path.to_string()));
    }
    Ok(trimmed)
}
