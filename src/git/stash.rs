//! The stash: save, list, apply, pop, drop (`git stash push/list/apply/pop/drop`).
//!
//! Applying restores the changes into the working tree (staged changes come back unstaged, as
//! `git stash apply` without `--index` does). An apply that local changes would overwrite is
//! refused with the files in the way and changes nothing.

use std::cell::RefCell;
use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{ErrorCode, Repository, StashApplyOptions, StashApplyProgress, StashFlags};

use super::GitError;
use super::commit::{conflicted_paths, other};
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
///
/// Not cancellable once called: libgit2 records the stash and resets the working tree in one
/// call that cannot be stopped safely; a job that was cancelled while it waited checks before
/// calling.
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
/// way (nothing changed), [`GitError::MergeInProgress`]. [`GitError::UnresolvedConflicts`]
/// means the stash *was* applied but conflicts with the commits made since: the files hold
/// conflict markers and the index their conflicts (resolve them with
/// [`crate::git::merge::resolve_file`]; ours is HEAD, theirs the stash), and the entry is kept.
///
/// Cancel: `is_cancelled` is polled while libgit2 analyses the stash (nothing is written in
/// those stages, so stopping there changes nothing: [`GitError::Cancelled`]); once it starts
/// writing the working tree, the apply runs to its end.
pub fn stash_apply(
    repo: &Path,
    index: usize,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    apply(repo, index, false, is_cancelled)
}

/// Applies `stash@{index}`, then drops it; when the apply fails or leaves conflicts, the entry
/// is kept (as `git stash pop` keeps it). Errors and cancel as [`stash_apply`] (a cancelled pop
/// keeps the entry).
pub fn stash_pop(
    repo: &Path,
    index: usize,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    apply(repo, index, true, is_cancelled)
}

/// Drops `stash@{index}`. Errors: [`GitError::StashNotFound`]. Not cancellable (one reflog
/// entry goes at once).
pub fn stash_drop(repo: &Path, index: usize) -> Result<(), GitError> {
    let mut repository = open(repo)?;
    repository.stash_drop(index).map_err(|e| match e.code() {
        ErrorCode::NotFound => GitError::StashNotFound(index),
        _ => other("cannot drop the stash entry")(e),
    })
}

fn apply(
    repo: &Path,
    index: usize,
    pop: bool,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    let mut repository = open(repo)?;
    if repository.state() == git2::RepositoryState::Merge {
        return Err(GitError::MergeInProgress);
    }
    ensure_exists(&mut repository, index)?;
    let in_the_way = RefCell::new(Vec::new());
    let stopped = std::cell::Cell::new(false);
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
        // Stop only while libgit2 still analyses: it writes nothing before the checkout
        // stages, and a checkout cut short would leave the stash half applied.
        opts.progress_cb(|progress| {
            let writing = matches!(
                progress,
                StashApplyProgress::CheckoutUntracked
                    | StashApplyProgress::CheckoutModified
                    | StashApplyProgress::Done
            );
            if !writing && is_cancelled() {
                stopped.set(true);
                return false;
            }
            true
        });
        // Not libgit2's pop: it drops the entry even when the apply left conflicts.
        repository.stash_apply(index, Some(&mut opts))
    };
    let mut files = in_the_way.into_inner();
    files.sort();
    files.dedup();
    match result {
        Ok(()) => {}
        Err(_) if stopped.get() => return Err(GitError::Cancelled),
        Err(e) if e.code() == ErrorCode::NotFound => return Err(GitError::StashNotFound(index)),
        Err(e) if e.code() == ErrorCode::MergeConflict => {
            return Err(GitError::UnresolvedConflicts { files });
        }
        Err(e) if !files.is_empty() || e.code() == ErrorCode::Conflict => {
            return Err(GitError::UncommittedChanges { files });
        }
        Err(e) => return Err(other("cannot apply the stash")(e)),
    }
    let mut repo_index = repository.index().map_err(other("cannot open the index"))?;
    repo_index
        .read(true)
        .map_err(other("cannot read the index"))?;
    if repo_index.has_conflicts() {
        // Applied with conflicts (markers in the files): the entry is kept, as git keeps it.
        return Err(GitError::UnresolvedConflicts {
            files: conflicted_paths(&repo_index)?,
        });
    }
    if pop {
        repository
            .stash_drop(index)
            .map_err(other("applied, but cannot drop the stash entry"))?;
    }
    Ok(())
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
