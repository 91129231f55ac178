//! The stash: save, list, apply, pop, drop (`git stash push/list/apply/pop/drop`).
//!
//! Applying restores the changes into the working tree (staged changes come back unstaged, as
//! `git stash apply` without `--index` does). An apply that local changes would overwrite is
//! refused with the files in the way and changes nothing.

use std::cell::RefCell;
use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{ErrorCode, Repository, StashApplyOptions, StashFlags};

use super::GitError;
use super::commit::other;
use super::identity::{Role, identity_as, signature_now};
use super::repo::open;

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

/// Stashes the local changes (staged and unstaged; untracked files too when
/// `include_untracked`), leaving the working tree and the index at HEAD. The entry's message is
/// git's: `On <branch>: <message>`, or `WIP on <branch>: <id> <summary>` without one.
///
/// Errors: [`GitError::NothingToStash`], [`GitError::NoHead`], [`GitError::MissingIdentity`],
/// [`GitError::MergeInProgress`].
pub fn stash_save(
    repo: &Path,
    message: Option<&str>,
    include_untracked: bool,
) -> Result<(), GitError> {
    let mut repository = open(repo)?;
    if repository.state() == git2::RepositoryState::Merge {
        return Err(GitError::MergeInProgress);
    }
    if super::commit::head_commit(&repository)?.is_none() {
        return Err(GitError::NoHead);
    }
    let stasher = signature_now(&identity_as(&repository, Role::Committer)?)?;
    let flags = if include_untracked {
        StashFlags::INCLUDE_UNTRACKED
    } else {
        StashFlags::DEFAULT
    };
    let message = message.map(str::trim).filter(|m| !m.is_empty());
    repository
        .stash_save2(&stasher, message, Some(flags))
        .map_err(|e| match e.code() {
            ErrorCode::NotFound => GitError::NothingToStash,
            _ => other("cannot stash")(e),
        })?;
    Ok(())
}

/// The stash entries, newest (`stash@{0}`) first.
pub fn stash_list(repo: &Path) -> Result<Vec<StashEntry>, GitError> {
    let mut repository = open(repo)?;
    let mut entries = Vec::new();
    repository
        .stash_foreach(|index, message, id| {
            entries.push(StashEntry {
                index,
                message: message.to_string(),
                id: id.to_string(),
            });
            true
        })
        .map_err(other("cannot read the stash"))?;
    Ok(entries)
}

/// Applies `stash@{index}` to the working tree and keeps the entry.
///
/// Errors: [`GitError::StashNotFound`], [`GitError::UncommittedChanges`] with the files in the
/// way (nothing changed), [`GitError::UnresolvedConflicts`] when the stash does not apply
/// cleanly on the current files.
pub fn stash_apply(repo: &Path, index: usize) -> Result<(), GitError> {
    apply(repo, index, false)
}

/// Applies `stash@{index}`, then drops it; when the apply fails the entry is kept.
/// Errors as [`stash_apply`].
pub fn stash_pop(repo: &Path, index: usize) -> Result<(), GitError> {
    apply(repo, index, true)
}

/// Drops `stash@{index}`. Errors: [`GitError::StashNotFound`].
pub fn stash_drop(repo: &Path, index: usize) -> Result<(), GitError> {
    let mut repository = open(repo)?;
    repository.stash_drop(index).map_err(|e| match e.code() {
        ErrorCode::NotFound => GitError::StashNotFound(index),
        _ => other("cannot drop the stash entry")(e),
    })
}

fn apply(repo: &Path, index: usize, pop: bool) -> Result<(), GitError> {
    let mut repository = open(repo)?;
    if repository.state() == git2::RepositoryState::Merge {
        return Err(GitError::MergeInProgress);
    }
    ensure_exists(&mut repository, index)?;
    let in_the_way = RefCell::new(Vec::new());
    let result = {
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .notify_on(git2::CheckoutNotificationType::CONFLICT)
            .notify(|_, path, _, _, _| {
                if let Some(path) = path {
                    in_the_way
                        .borrow_mut()
                        .push(path.to_string_lossy().into_owned());
                }
                true
            });
        let mut opts = StashApplyOptions::new();
        opts.checkout_options(checkout);
        if pop {
            repository.stash_pop(index, Some(&mut opts))
        } else {
            repository.stash_apply(index, Some(&mut opts))
        }
    };
    let mut files = in_the_way.into_inner();
    files.sort();
    files.dedup();
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.code() == ErrorCode::NotFound => Err(GitError::StashNotFound(index)),
        Err(e) if e.code() == ErrorCode::MergeConflict => {
            Err(GitError::UnresolvedConflicts { files })
        }
        Err(e) if !files.is_empty() || e.code() == ErrorCode::Conflict => {
            Err(GitError::UncommittedChanges { files })
        }
        Err(e) => Err(other("cannot apply the stash")(e)),
    }
}

fn ensure_exists(repository: &mut Repository, index: usize) -> Result<(), GitError> {
    let mut count = 0;
    repository
        .stash_foreach(|_, _, _| {
            count += 1;
            true
        })
        .map_err(other("cannot read the stash"))?;
    if index >= count {
        return Err(GitError::StashNotFound(index));
    }
    Ok(())
}
