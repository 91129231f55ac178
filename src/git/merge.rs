//! Merging a branch into the current one: fast-forward, merge commit, or conflicts left in
//! merge state (`MERGE_HEAD`, markers in the files); resolving conflicted files; aborting.
//!
//! The merge state lives in the repository (`MERGE_HEAD`, `MERGE_MSG`), as git keeps it: it
//! survives a restart of the app, and git's command line sees the same merge. A merge stopped on
//! conflicts is concluded with [`crate::git::commit::commit`] (which records both parents and
//! clears the state) once every file is resolved, or undone with [`abort_merge`].
//!
//! Like `git merge`, a merge that needs a merge commit requires the index to match HEAD (no
//! staged changes), and refuses when unstaged changes or untracked files are in the way of the
//! files the merge writes; unstaged changes elsewhere are kept, and [`abort_merge`] keeps them
//! too (`git merge --abort`, that is `git reset --merge`). A fast-forward, like git's, keeps
//! staged and unstaged changes that do not collide.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use crate::git::hooks::HookLimits;

use git2::build::CheckoutBuilder;
use git2::{ErrorCode, FileFavor, IndexEntry, Repository, RepositoryState, Status as Bits};

use super::GitError;
use super::branch::{check_clean_state, checkout_commit};
use super::commit::{conflicted_paths, head_commit, other};
use super::identity::{Role, identity_as};
use super::pathspec::escape;
use super::repo::{check_relative, open};
use super::status::{ConflictKind, FileKind, status};

/// How to merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// Always make a merge commit, even when a fast-forward is possible (`--no-ff`).
    pub no_ff: bool,
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// The branch is already contained in HEAD.
    UpToDate,
    /// HEAD moved forward to `to` (full id).
    FastForward {
        /// The new HEAD.
        to: String,
    },
    /// A merge commit was made.
    Merged {
        /// Its full id.
        commit: String,
    },
    /// The merge stopped on conflicts (merge state kept).
    Conflicts {
        /// Conflicted paths, sorted.
        files: Vec<String>,
    },
}

/// How to resolve a conflicted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Our version (HEAD's).
    Ours,
    /// Their version (the merged branch's).
    Theirs,
    /// Both: each conflicting hunk as ours then theirs, no markers.
    Both,
    /// The file as it is in the working tree (the user edited it).
    AsIs,
}

/// A conflicted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictFile {
    /// Path relative to the working-tree root.
    pub path: String,
    /// Which side did what.
    pub kind: ConflictKind,
}

/// The merge in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeInfo {
    /// What is being merged: the branch name from MERGE_MSG, else the short id.
    pub theirs: String,
    /// Full id of the commit being merged (MERGE_HEAD).
    pub theirs_id: String,
    /// The prepared commit message (MERGE_MSG without its comment lines).
    pub message: String,
}

/// Merges `branch` (a local branch `feature`, or a remote-tracking one `origin/feature`) into
/// the current branch: [`MergeOutcome::UpToDate`], a fast-forward (unless `no_ff`), a merge
/// commit (message `Merge branch 'feature'` / `Merge remote-tracking branch 'origin/feature'`,
/// as git writes it; author and committer from the configuration; no hooks run), or
/// [`MergeOutcome::Conflicts`] with the merge state left for the user.
///
/// Errors (nothing changed): [`GitError::MergeInProgress`], [`GitError::NoBranch`] (detached
/// HEAD), [`GitError::NoHead`], [`GitError::BranchNotFound`], [`GitError::MissingIdentity`],
/// [`GitError::UncommittedChanges`] with the staged files, or the files in the way.
///
/// Cancel: `is_cancelled` is asked once, after the analysis (for a merge commit: the merge
/// computed in memory and checked against the working tree, the long part) and just before the
/// first write ([`GitError::Cancelled`], nothing changed). From there the fast-forward or the
/// merge runs to its end: a merge is never left half done by a cancel.
pub fn merge_branch(
    repo: &Path,
    branch: &str,
    options: MergeOptions,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<MergeOutcome, GitError> {
    let cancelled = || {
        if is_cancelled() {
            Err(GitError::Cancelled)
        } else {
            Ok(())
        }
    };
    let repository = open(repo)?;
    check_clean_state(&repository)?;
    let head_ref = current_branch_ref(&repository)?;
    let head = head_commit(&repository)?.ok_or(GitError::NoHead)?;
    let their_ref = [
        format!("refs/heads/{branch}"),
        format!("refs/remotes/{branch}"),
    ]
    .into_iter()
    .find(|name| repository.find_reference(name).is_ok())
    .ok_or_else(|| GitError::BranchNotFound(branch.to_string()))?;
    let reference = repository
        .find_reference(&their_ref)
        .map_err(other("cannot read the branch"))?;
    let theirs = reference
        .peel_to_commit()
        .map_err(other("cannot read the branch"))?;
    let annotated = repository
        .reference_to_annotated_commit(&reference)
        .map_err(other("cannot read the branch"))?;
    let (analysis, _) = repository
        .merge_analysis(&[&annotated])
        .map_err(other("cannot compare the branches"))?;
    if analysis.is_up_to_date() {
        return Ok(MergeOutcome::UpToDate);
    }
    if analysis.is_fast_forward() && !options.no_ff {
        cancelled()?;
        checkout_commit(&repository, &theirs, false)?;
        repository
            .find_reference(&head_ref)
            .and_then(|mut r| r.set_target(theirs.id(), &format!("merge {branch}: Fast-forward")))
            .map_err(other("cannot move the branch"))?;
        crate::git::commit::run_post_merge(&repository, &HookLimits::default());
        return Ok(MergeOutcome::FastForward {
            to: theirs.id().to_string(),
        });
    }

    // A merge commit needs an identity: check before touching anything.
    let author = identity_as(&repository, Role::Author)?;
    let committer = identity_as(&repository, Role::Committer)?;
    let head_tree = head.tree().map_err(other("cannot read HEAD's tree"))?;
    let mut index = repository.index().map_err(other("cannot open the index"))?;
    index.read(true).map_err(other("cannot read the index"))?;
    if index.has_conflicts() {
        return Err(GitError::UnresolvedConflicts {
            files: conflicted_paths(&index)?,
        });
    }
    let staged = changed_paths(&repository, &head_tree, &index)?;
    if !staged.is_empty() {
        return Err(GitError::UncommittedChanges {
            files: staged.into_iter().collect(),
        });
    }
    // What the merge would write, computed in memory, against what is in the working tree.
    let merged = repository
        .merge_commits(&head, &theirs, None)
        .map_err(other("cannot merge"))?;
    let mut touched = changed_paths(&repository, &head_tree, &merged)?;
    touched.extend(conflicted_paths(&merged)?);
    let mut in_the_way = Vec::new();
    for path in &touched {
        let Ok(bits) = repository.status_file(Path::new(path)) else {
            continue;
        };
        if bits
            .intersects(Bits::WT_MODIFIED | Bits::WT_DELETED | Bits::WT_TYPECHANGE | Bits::WT_NEW)
        {
            in_the_way.push(path.clone());
        }
    }
    if !in_the_way.is_empty() {
        return Err(GitError::UncommittedChanges { files: in_the_way });
    }
    drop(merged);
    cancelled()?;

    let blocked = RefCell::new(Vec::new());
    let result = {
        let mut checkout = CheckoutBuilder::new();
        checkout
            .safe()
            .allow_conflicts(true)
            .conflict_style_merge(true)
            .notify_on(git2::CheckoutNotificationType::CONFLICT)
            .notify(|_, path, _, _, _| {
                if let Some(path) = path {
                    blocked
                        .borrow_mut()
                        .push(path.to_string_lossy().into_owned());
                }
                true
            });
        repository.merge(&[&annotated], None, Some(&mut checkout))
    };
    if let Err(e) = result {
        let files = blocked.into_inner();
        if !files.is_empty() || e.code() == ErrorCode::Conflict {
            return Err(GitError::UncommittedChanges { files });
        }
        return Err(other("cannot merge")(e));
    }
    // libgit2 titles a remote-tracking branch with its full ref name; use git's words.
    let title = if their_ref.starts_with("refs/remotes/") {
        format!("Merge remote-tracking branch '{branch}'")
    } else {
        format!("Merge branch '{branch}'")
    };
    retitle_merge_message(&repository, &title)?;
    let mut index = repository.index().map_err(other("cannot open the index"))?;
    index.read(true).map_err(other("cannot read the index"))?;
    if index.has_conflicts() {
        return Ok(MergeOutcome::Conflicts {
            files: conflicted_paths(&index)?,
        });
    }
    let tree_id = index
        .write_tree()
        .map_err(other("cannot write the merged tree"))?;
    let tree = repository
        .find_tree(tree_id)
        .map_err(other("cannot read the merged tree"))?;
    let message = merge_message(&repository)
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("{title}\n"));
    let commit = crate::git::commit::record_merge(
        &repository,
        (&author, &committer),
        &message,
        &tree,
        [&head, &theirs],
        &HookLimits {
            timeout: crate::git::hooks::timeout(),
            is_cancelled,
            ..HookLimits::default()
        },
    )?;
    Ok(MergeOutcome::Merged {
        commit: commit.to_string(),
    })
}

/// Resolves the conflicted `path` and stages it: [`Resolution::Ours`] / [`Resolution::Theirs`]
/// take one side (a side that deleted the file deletes it), [`Resolution::Both`] keeps each
/// conflicting hunk as ours then theirs with no markers (git's "union" merge; the changes that
/// did not conflict are merged as usual), [`Resolution::AsIs`] stages the working file as the
/// user left it (or its deletion). The working file is rewritten for all but `AsIs`.
///
/// Errors: [`GitError::NotInConflict`], [`GitError::PathNotFound`] (a bad path), `Other` for
/// `Both` on binary files.
pub fn resolve_file(repo: &Path, path: &str, resolution: Resolution) -> Result<(), GitError> {
    let repository = open(repo)?;
    let path = check_relative(path)?;
    let file = Path::new(path);
    let mut index = repository.index().map_err(other("cannot open the index"))?;
    index.read(true).map_err(other("cannot read the index"))?;
    let conflict = index
        .conflict_get(file)
        .map_err(|_| GitError::NotInConflict(path.to_string()))?;
    let workdir = repository
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.to_path_buf()))?;
    let on_disk = workdir.join(file);

    let chosen: Option<IndexEntry> = match resolution {
        Resolution::AsIs => {
            if std::fs::symlink_metadata(&on_disk).is_ok() {
                index
                    .add_path(file)
                    .map_err(other("cannot stage the file"))?;
            } else {
                index
                    .remove_path(file)
                    .map_err(other("cannot stage the deletion"))?;
            }
            index.write().map_err(other("cannot write the index"))?;
            return Ok(());
        }
        Resolution::Ours => conflict.our,
        Resolution::Theirs => conflict.their,
        Resolution::Both => match (conflict.our, conflict.their) {
            (Some(ours), Some(theirs)) => Some(union(
                &repository,
                conflict.ancestor.as_ref(),
                ours,
                &theirs,
            )?),
            (Some(one), None) | (None, Some(one)) => Some(one),
            (None, None) => None,
        },
    };
    index
        .conflict_remove(file)
        .map_err(other("cannot update the index"))?;
    match chosen {
        Some(mut entry) => {
            entry.flags &= !STAGE_MASK;
            index.add(&entry).map_err(other("cannot stage the file"))?;
            index.write().map_err(other("cannot write the index"))?;
            let mut checkout = CheckoutBuilder::new();
            // A glob that matches only this file (a plain `#x` would be dropped as a comment, and
            // an empty path list checks out every file).
            checkout.force().path(escape(path));
            repository
                .checkout_index(Some(&mut index), Some(&mut checkout))
                .map_err(other("cannot write the file"))?;
            index.write().map_err(other("cannot write the index"))?;
        }
        None => {
            let _ = index.remove_path(file);
            index.write().map_err(other("cannot write the index"))?;
            remove_file(workdir, path)?;
        }
    }
    Ok(())
}

/// The working file still has conflict markers (a line starting with `<<<<<<<` and one
/// starting with `>>>>>>>`): ask before [`Resolution::AsIs`]. A missing file has none.
pub fn has_conflict_markers(repo: &Path, path: &str) -> Result<bool, GitError> {
    let repository = open(repo)?;
    let path = check_relative(path)?;
    let workdir = repository
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.to_path_buf()))?;
    let Ok(bytes) = std::fs::read(workdir.join(path)) else {
        return Ok(false);
    };
    let mut lines = bytes.split(|b| *b == b'\n');
    let opened = lines.any(|line| line.starts_with(b"<<<<<<<"));
    Ok(opened && lines.any(|line| line.starts_with(b">>>>>>>")))
}

/// The conflicted files, sorted by path.
pub fn conflict_files(repo: &Path) -> Result<Vec<ConflictFile>, GitError> {
    Ok(status(repo)?
        .conflicted
        .into_iter()
        .map(|file| ConflictFile {
            kind: match file.kind {
                FileKind::Conflicted(kind) => kind,
                _ => ConflictKind::BothModified,
            },
            path: file.path,
        })
        .collect())
}

/// The merge in progress (`MERGE_HEAD`), if any: what is merged and the prepared message. Read
/// from the repository, so it is found again after a restart (and after `git merge` on the
/// command line).
pub fn merge_in_progress(repo: &Path) -> Result<Option<MergeInfo>, GitError> {
    let mut repository = open(repo)?;
    if repository.state() != RepositoryState::Merge {
        return Ok(None);
    }
    let mut ids = Vec::new();
    repository
        .mergehead_foreach(|id| {
            ids.push(id.to_string());
            true
        })
        .map_err(other("cannot read MERGE_HEAD"))?;
    let theirs_id = ids.into_iter().next().unwrap_or_default();
    let message = merge_message(&repository).unwrap_or_default();
    let theirs = merged_name(&message).unwrap_or_else(|| theirs_id.chars().take(7).collect());
    Ok(Some(MergeInfo {
        theirs,
        theirs_id,
        message,
    }))
}

/// Aborts the merge in progress as `git merge --abort` does (`git reset --merge`): the index
/// goes back to HEAD, the files the merge wrote (merged, conflicted, added, or resolved since)
/// go back to HEAD's content (or away when HEAD has none), other unstaged changes are kept, and
/// `MERGE_HEAD`/`MERGE_MSG` are removed. HEAD itself never moved.
///
/// Errors: [`GitError::NoMergeInProgress`].
pub fn abort_merge(repo: &Path) -> Result<(), GitError> {
    let repository = open(repo)?;
    if repository.state() != RepositoryState::Merge {
        return Err(GitError::NoMergeInProgress);
    }
    let head = head_commit(&repository)?.ok_or(GitError::NoHead)?;
    let head_tree = head.tree().map_err(other("cannot read HEAD's tree"))?;
    let mut index = repository.index().map_err(other("cannot open the index"))?;
    index.read(true).map_err(other("cannot read the index"))?;
    let mut touched = changed_paths(&repository, &head_tree, &index)?;
    touched.extend(conflicted_paths(&index)?);

    index
        .read_tree(&head_tree)
        .map_err(other("cannot reset the index"))?;
    index.write().map_err(other("cannot write the index"))?;

    let workdir = repository
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.to_path_buf()))?;
    let mut restore = Vec::new();
    for path in &touched {
        if head_tree.get_path(Path::new(path)).is_ok() {
            restore.push(path.as_str());
        } else {
            remove_file(workdir, path)?;
        }
    }
    if !restore.is_empty() {
        let mut checkout = CheckoutBuilder::new();
        checkout.force();
        for path in &restore {
            checkout.path(escape(path));
        }
        repository
            .checkout_head(Some(&mut checkout))
            .map_err(other("cannot restore the files"))?;
    }
    repository
        .cleanup_state()
        .map_err(other("cannot clear the merge state"))?;
    Ok(())
}

/// The stage bits of an index entry's flags.
const STAGE_MASK: u16 = 0x3000;

/// `refs/heads/<branch>` HEAD points to (with a commit or not); [`GitError::NoBranch`] when
/// detached.
fn current_branch_ref(repository: &Repository) -> Result<String, GitError> {
    let head = repository
        .find_reference("HEAD")
        .map_err(other("cannot read HEAD"))?;
    match head.symbolic_target().ok().flatten() {
        Some(target) if target.starts_with("refs/heads/") => Ok(target.to_string()),
        _ => Err(GitError::NoBranch),
    }
}

/// Paths whose entry in `index` differs from `tree` (both sides of a rename).
fn changed_paths(
    repository: &Repository,
    tree: &git2::Tree<'_>,
    index: &git2::Index,
) -> Result<BTreeSet<String>, GitError> {
    let diff = repository
        .diff_tree_to_index(Some(tree), Some(index), None)
        .map_err(other("cannot compare the index with HEAD"))?;
    let mut paths = BTreeSet::new();
    for delta in diff.deltas() {
        for file in [delta.old_file(), delta.new_file()] {
            if let Some(path) = file.path_bytes() {
                paths.insert(String::from_utf8_lossy(path).into_owned());
            }
        }
    }
    Ok(paths)
}

/// Replaces the first line of `MERGE_MSG` (the rest, such as the list of conflicts, stays).
fn retitle_merge_message(repository: &Repository, title: &str) -> Result<(), GitError> {
    let path = repository.path().join("MERGE_MSG");
    let old = std::fs::read(&path).unwrap_or_default();
    let old = String::from_utf8_lossy(&old);
    let rest = old.split_once('\n').map(|(_, rest)| rest).unwrap_or("");
    std::fs::write(&path, format!("{title}\n{rest}"))
        .map_err(|e| GitError::Other(format!("cannot write {}: {e}", path.display())))
}

/// `MERGE_MSG` without its comment lines (`#Conflicts:` …), cleaned up; `None` when absent.
fn merge_message(repository: &Repository) -> Option<String> {
    let raw = std::fs::read(repository.path().join("MERGE_MSG")).ok()?;
    git2::message_prettify(String::from_utf8_lossy(&raw).as_ref(), Some(b'#')).ok()
}

/// The name quoted in the first line of a merge message (`Merge branch 'x'`,
/// `Merge remote-tracking branch 'origin/x'`, `Merge branch 'x' of <url>`, `Merge commit 'id'`).
fn merged_name(message: &str) -> Option<String> {
    let first = message.lines().next()?;
    let rest = first.strip_prefix("Merge ")?;
    let start = rest.find('\'')? + 1;
    let len = rest[start..].find('\'')?;
    let name = &rest[start..start + len];
    Some(
        name.strip_prefix("refs/remotes/")
            .unwrap_or(name)
            .to_string(),
    )
}

/// Our and their versions combined, each conflicting hunk as ours then theirs (no markers);
/// returns our entry pointing at the combined blob.
fn union(
    repository: &Repository,
    ancestor: Option<&IndexEntry>,
    ours: IndexEntry,
    theirs: &IndexEntry,
) -> Result<IndexEntry, GitError> {
    let read = |entry: &IndexEntry| -> Result<Vec<u8>, GitError> {
        Ok(repository
            .find_blob(entry.id)
            .map_err(other("cannot read a side of the conflict"))?
            .content()
            .to_vec())
    };
    let base = match ancestor {
        Some(entry) => read(entry)?,
        None => Vec::new(),
    };
    let our_content = read(&ours)?;
    let their_content = read(theirs)?;
    let path = String::from_utf8_lossy(&ours.path).into_owned();
    let mut base_input = git2::MergeFileInput::new();
    base_input.content(&base);
    let mut our_input = git2::MergeFileInput::new();
    our_input.content(&our_content);
    let mut their_input = git2::MergeFileInput::new();
    their_input.content(&their_content);
    let mut opts = git2::MergeFileOptions::new();
    opts.favor(FileFavor::Union);
    let result = git2::merge_file(&base_input, &our_input, &their_input, Some(&mut opts))
        .map_err(other("cannot combine both sides"))?;
    if !result.is_automergeable() {
        return Err(GitError::Other(format!(
            "cannot combine both sides of {path} (a binary file?): choose ours or theirs"
        )));
    }
    let id = repository
        .blob(result.content())
        .map_err(other("cannot store the combined file"))?;
    let mut entry = ours;
    entry.id = id;
    entry.file_size = u32::try_from(result.content().len()).unwrap_or(u32::MAX);
    Ok(entry)
}

/// Removes a working-tree file (if present) and the directories it leaves empty.
fn remove_file(workdir: &Path, path: &str) -> Result<(), GitError> {
    let full = workdir.join(path);
    match std::fs::remove_file(&full) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(GitError::Other(format!(
                "cannot remove {}: {e}",
                full.display()
            )));
        }
    }
    let mut dir = full.parent();
    while let Some(d) = dir {
        if d == workdir || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
