//! Commit the index: message checks, hooks, amend, merge commits, identity from the config.
//!
//! The order is git's: `pre-commit` (which may re-stage files, so the index is read after it),
//! the "nothing to commit" check, `prepare-commit-msg`, `commit-msg` (which may rewrite the
//! message file), the commit, `post-commit` (its failure is logged, not reported: the commit
//! exists). A failing hook leaves nothing committed. The message is cleaned up as
//! `git commit -m` does (`--cleanup=whitespace`: trailing spaces, leading/trailing and repeated
//! blank lines). During a merge (`MERGE_HEAD`, e.g. after a pull with conflicts) the commit
//! gets the merged commits as further parents and the merge state is cleared.
//!
//! Cancel and the point of no return ([`commit_with`]): the caller's cancel check is asked
//! before each hook, polled while a hook runs (the hook's process group is then killed), and
//! asked once more just before the commit object is written. A commit cancelled up to there
//! changes nothing (HEAD, the branch and the index are as before, apart from what a hook did
//! itself). From there on it completes — commit, HEAD, merge state, `post-commit` — and the
//! caller hears it through `on_point_of_no_return` (the job then says "finishing…").

use std::path::Path;
use std::time::Duration;

use git2::{ErrorCode, Oid, Repository, RepositoryState};

use crate::git::GitError;
use crate::git::hooks::{self, HookAuthor, HookLimits};
use crate::git::identity::{Role, identity_as, signature_now};

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

/// How a commit can be stopped, and how it says that it will no longer stop.
#[derive(Clone, Copy)]
pub struct CommitControl<'a> {
    /// The caller's "stop?" (the job's cancel token); see the module docs for where it is asked.
    pub is_cancelled: &'a dyn Fn() -> bool,
    /// Called once, when the commit starts writing and can no longer be cancelled.
    pub on_point_of_no_return: &'a dyn Fn(),
    /// The longest each hook may run (the configured [`hooks::timeout`] by default).
    pub hook_timeout: Duration,
    /// Told a running hook's name and the last line it wrote.
    pub on_hook_output: &'a dyn Fn(&str, &str),
}

fn never() -> bool {
    false
}

fn nothing() {}

fn ignore(_hook: &str, _line: &str) {}

impl Default for CommitControl<'_> {
    /// Never cancelled, nobody told, hooks limited to the configured [`hooks::timeout`].
    fn default() -> Self {
        CommitControl {
            is_cancelled: &never,
            on_point_of_no_return: &nothing,
            hook_timeout: hooks::timeout(),
            on_hook_output: &ignore,
        }
    }
}

impl std::fmt::Debug for CommitControl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitControl")
            .field("hook_timeout", &self.hook_timeout)
            .finish_non_exhaustive()
    }
}

impl CommitControl<'_> {
    fn hook_limits(&self) -> HookLimits<'_> {
        HookLimits {
            timeout: self.hook_timeout,
            is_cancelled: self.is_cancelled,
            on_output: self.on_hook_output,
        }
    }

    /// [`GitError::Cancelled`] when the caller asked to stop.
    fn check(&self) -> Result<(), GitError> {
        if (self.is_cancelled)() {
            Err(GitError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Opens the repository at `repo` (a working tree or a `.git` directory).
pub(crate) fn open(repo: &Path) -> Result<Repository, GitError> {
    crate::git::init_libgit2();
    Repository::open(repo).map_err(|e| {
        GitError::Other(format!(
            "cannot open the repository {}: {}",
            repo.display(),
            e.message()
        ))
    })
}

/// libgit2's error as ours, with what was being done.
pub(crate) fn other(doing: &str) -> impl Fn(git2::Error) -> GitError + '_ {
    move |e| GitError::Other(format!("{doing}: {}", e.message()))
}

/// HEAD's commit; `None` when HEAD is unborn.
pub(crate) fn head_commit(repository: &Repository) -> Result<Option<git2::Commit<'_>>, GitError> {
    match repository.head() {
        Ok(head) => head
            .peel_to_commit()
            .map(Some)
            .map_err(other("cannot read HEAD")),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(other("cannot read HEAD")(e)),
    }
}

/// The conflicted paths of `index`, sorted.
pub(crate) fn conflicted_paths(index: &git2::Index) -> Result<Vec<String>, GitError> {
    let mut files = Vec::new();
    for conflict in index.conflicts().map_err(other("cannot read the index"))? {
        let conflict = conflict.map_err(other("cannot read the index"))?;
        let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
        if let Some(entry) = entry {
            files.push(String::from_utf8_lossy(&entry.path).into_owned());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// `git commit -m` clean-up: no comment stripping.
fn clean_message(message: &str) -> Result<String, GitError> {
    git2::message_prettify(message, None).map_err(other("cannot clean up the message"))
}

fn hook_failed(hook: &str, run: hooks::HookRun) -> GitError {
    GitError::HookFailed {
        hook: hook.to_string(),
        output: run.output,
    }
}

/// Commits the index of the repository at `repo` on HEAD. Blocking; runs hooks.
///
/// Errors: [`GitError::EmptyMessage`], [`GitError::MissingIdentity`],
/// [`GitError::NothingToCommit`] (tree equal to the parent's, unless `allow_empty`; for an
/// amend the parent is HEAD's parent), [`GitError::NothingToAmend`] (unborn HEAD),
/// [`GitError::UnresolvedConflicts`], [`GitError::HookFailed`], [`GitError::HookTimedOut`].
/// Never cancelled; hooks limited to the configured [`hooks::timeout`]. See [`commit_with`].
pub fn commit(repo: &Path, request: &CommitRequest) -> Result<CommitOutcome, GitError> {
    commit_with(repo, request, &CommitControl::default())
}

/// [`commit`] under `control`: cancellable up to its point of no return (see the module docs),
/// with [`GitError::Cancelled`] or [`GitError::HookCancelled`] (both
/// [`GitError::is_cancelled`]) when it was.
pub fn commit_with(
    repo: &Path,
    request: &CommitRequest,
    control: &CommitControl<'_>,
) -> Result<CommitOutcome, GitError> {
    let limits = control.hook_limits();
    let mut repository = open(repo)?;
    if clean_message(&request.message)?.trim().is_empty() {
        return Err(GitError::EmptyMessage);
    }
    let author_identity = identity_as(&repository, Role::Author)?;
    let committer_identity = identity_as(&repository, Role::Committer)?;
    if repository.is_bare() {
        return Err(GitError::Other(
            "cannot commit in a bare repository".to_string(),
        ));
    }
    let mut merge_heads = Vec::new();
    if repository.state() == RepositoryState::Merge {
        repository
            .mergehead_foreach(|id| {
                merge_heads.push(*id);
                true
            })
            .map_err(other("cannot read MERGE_HEAD"))?;
    }
    if request.amend && !merge_heads.is_empty() {
        return Err(GitError::Other(
            "a merge is in progress: conclude it with a commit before amending".to_string(),
        ));
    }
    let head = head_commit(&repository)?;
    if request.amend && head.is_none() {
        return Err(GitError::NothingToAmend);
    }
    let committer = signature_now(&committer_identity)?;
    let author_signature = match (&head, request.amend) {
        (Some(head), true) => head.author().to_owned(),
        _ => signature_now(&author_identity)?,
    };
    let author = HookAuthor::from_signature(&author_signature);

    if !request.no_verify {
        control.check()?;
        if let Some(run) = hooks::run(&repository, "pre-commit", &[], Some(&author), &limits)? {
            if !run.success {
                return Err(hook_failed("pre-commit", run));
            }
        }
    }

    // The pre-commit hook may have staged files: read the index from disk.
    let mut index = repository.index().map_err(other("cannot open the index"))?;
    index.read(true).map_err(other("cannot read the index"))?;
    if index.has_conflicts() {
        return Err(GitError::UnresolvedConflicts {
            files: conflicted_paths(&index)?,
        });
    }
    let tree_id = index.write_tree().map_err(other("cannot write the tree"))?;
    let base_tree = match (&head, request.amend) {
        (Some(head), false) => Some(head.tree_id()),
        (Some(head), true) => head.parents().next().map(|parent| parent.tree_id()),
        (None, _) => None,
    };
    let base_tree = match base_tree {
        Some(id) => id,
        None => empty_tree(&repository)?,
    };
    if tree_id == base_tree && merge_heads.is_empty() && !request.allow_empty {
        return Err(GitError::NothingToCommit);
    }

    let message_file = repository.path().join("COMMIT_EDITMSG");
    let write_error = |e: std::io::Error| {
        GitError::Other(format!("cannot write {}: {e}", message_file.display()))
    };
    std::fs::write(&message_file, clean_message(&request.message)?).map_err(write_error)?;
    let file_arg = message_file.to_string_lossy().into_owned();
    let source = if merge_heads.is_empty() {
        "message"
    } else {
        "merge"
    };
    control.check()?;
    if let Some(run) = hooks::run(
        &repository,
        "prepare-commit-msg",
        &[&file_arg, source],
        Some(&author),
        &limits,
    )? {
        if !run.success {
            return Err(hook_failed("prepare-commit-msg", run));
        }
    }
    if !request.no_verify {
        control.check()?;
        if let Some(run) = hooks::run(
            &repository,
            "commit-msg",
            &[&file_arg],
            Some(&author),
            &limits,
        )? {
            if !run.success {
                return Err(hook_failed("commit-msg", run));
            }
        }
    }
    let message = std::fs::read(&message_file)
        .map_err(|e| GitError::Other(format!("cannot read {}: {e}", message_file.display())))?;
    let message = clean_message(&String::from_utf8_lossy(&message))?;
    if message.trim().is_empty() {
        return Err(GitError::EmptyMessage);
    }

    let tree = repository
        .find_tree(tree_id)
        .map_err(other("cannot read the tree"))?;

    // The commit object first (signed when commit.gpgsign says so: a signing failure commits
    // nothing); an unreferenced object changes nothing for the user.
    let mut parents = Vec::new();
    match (&head, request.amend) {
        (Some(head), true) => parents.extend(head.parents()),
        (Some(head), false) => parents.push(head.clone()),
        (None, _) => {}
    }
    for id in &merge_heads {
        parents.push(
            repository
                .find_commit(*id)
                .map_err(other("cannot read MERGE_HEAD"))?,
        );
    }
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    let signer = crate::git::signing::signer(&repository, &committer)?;
    control.check()?;
    let id = crate::git::signing::write_commit(
        &repository,
        &signer,
        &author_signature,
        &committer,
        &message,
        &tree,
        &parents,
    )?;
    // The point of no return: from here HEAD moves and the job finishes.
    control.check()?;
    (control.on_point_of_no_return)();
    let summary = message.lines().next().unwrap_or("").to_string();
    // The reflog entry git writes.
    let kind = if request.amend {
        " (amend)"
    } else if head.is_none() {
        " (initial)"
    } else if !merge_heads.is_empty() {
        " (merge)"
    } else {
        ""
    };
    update_head(
        &repository,
        id,
        head.as_ref().map(git2::Commit::id),
        &format!("commit{kind}: {summary}"),
    )?;
    if !merge_heads.is_empty() {
        repository
            .cleanup_state()
            .map_err(other("committed, but cannot clear the merge state"))?;
    }
    // The commit exists: post-commit is no longer cancellable (only its timeout holds), and
    // its failure is logged, not reported.
    hooks::run_after(
        &repository,
        "post-commit",
        &[],
        Some(&author),
        control.hook_timeout,
    );
    Ok(CommitOutcome {
        id: id.to_string(),
        summary,
    })
}

/// The id of the empty tree (written to the object database if missing).
pub(crate) fn empty_tree(repository: &Repository) -> Result<Oid, GitError> {
    repository
        .treebuilder(None)
        .and_then(|builder| builder.write())
        .map_err(other("cannot write the empty tree"))
}

/// Moves what HEAD points to (the branch, created if unborn, or HEAD itself when detached)
/// from `old` to `new`, refusing if it moved meanwhile.
fn update_head(
    repository: &Repository,
    new: Oid,
    old: Option<Oid>,
    message: &str,
) -> Result<(), GitError> {
    let head = repository
        .find_reference("HEAD")
        .map_err(other("cannot read HEAD"))?;
    let name = match head.symbolic_target() {
        Ok(Some(target)) => target.to_string(),
        _ => "HEAD".to_string(),
    };
    let result = match old {
        Some(old) => repository.reference_matching(&name, new, true, old, message),
        None => repository.reference(&name, new, false, message),
    };
    result
        .map(drop)
        .map_err(other("cannot move the branch to the new commit"))
}

/// Records a two-parent merge commit on HEAD and clears the merge state: the last step shared by
/// `merge::merge_branch` and `remote::pull`. Runs the hooks `git merge` runs for a merge commit:
/// `pre-merge-commit`, `prepare-commit-msg` (source `merge`) and `commit-msg` on the message
/// file, then `post-merge` once HEAD moved. A failing hook leaves the merge in progress (merged
/// index, MERGE_HEAD) for the user to commit or abort, as git does.
pub(crate) fn record_merge(
    repository: &git2::Repository,
    identities: (
        &crate::git::identity::Identity,
        &crate::git::identity::Identity,
    ),
    message: &str,
    tree: &git2::Tree<'_>,
    parents: [&git2::Commit<'_>; 2],
    limits: &HookLimits<'_>,
) -> Result<git2::Oid, GitError> {
    let (author, committer) = identities;
    let author = crate::git::identity::signature_now(author)?;
    let committer = crate::git::identity::signature_now(committer)?;
    let hook_author = HookAuthor::from_signature(&author);
    let message = merge_message_through_hooks(repository, message, &hook_author, limits)?;
    let signer = crate::git::signing::signer(repository, &committer)?;
    let commit = crate::git::signing::write_commit(
        repository, &signer, &author, &committer, &message, tree, &parents,
    )?;
    let summary = message.lines().next().unwrap_or_default();
    update_head(
        repository,
        commit,
        Some(parents[0].id()),
        &format!("merge: {summary}"),
    )?;
    repository
        .cleanup_state()
        .map_err(other("merged, but cannot clear the merge state"))?;
    run_post_merge(repository, limits);
    Ok(commit)
}

/// `pre-merge-commit`, then the message through `prepare-commit-msg` and `commit-msg`.
fn merge_message_through_hooks(
    repository: &git2::Repository,
    message: &str,
    author: &HookAuthor,
    limits: &HookLimits<'_>,
) -> Result<String, GitError> {
    let cancelled = || {
        if (limits.is_cancelled)() {
            Err(GitError::Cancelled)
        } else {
            Ok(())
        }
    };
    cancelled()?;
    if let Some(run) = hooks::run(repository, "pre-merge-commit", &[], Some(author), limits)?
        && !run.success
    {
        return Err(hook_failed("pre-merge-commit", run));
    }
    let message_file = repository.path().join("MERGE_MSG");
    std::fs::write(&message_file, message)
        .map_err(|e| GitError::Other(format!("cannot write {}: {e}", message_file.display())))?;
    let file_arg = message_file.to_string_lossy().into_owned();
    for (hook, args) in [
        ("prepare-commit-msg", vec![file_arg.as_str(), "merge"]),
        ("commit-msg", vec![file_arg.as_str()]),
    ] {
        cancelled()?;
        if let Some(run) = hooks::run(repository, hook, &args, Some(author), limits)?
            && !run.success
        {
            return Err(hook_failed(hook, run));
        }
    }
    let edited = std::fs::read(&message_file)
        .map_err(|e| GitError::Other(format!("cannot read {}: {e}", message_file.display())))?;
    let message = clean_message(&String::from_utf8_lossy(&edited))?;
    if message.trim().is_empty() {
        return Err(GitError::EmptyMessage);
    }
    Ok(message)
}

/// `post-merge 0` after HEAD moved by a merge (fast-forward or commit).
pub(crate) fn run_post_merge(repository: &git2::Repository, limits: &HookLimits<'_>) {
    hooks::run_after(repository, "post-merge", &["0"], None, limits.timeout);
}
