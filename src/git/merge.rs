//! Merging a branch into the current one: fast-forward, merge commit, or conflicts left in
//! merge state (`MERGE_HEAD`, markers in the files); resolving conflicted files; aborting.

use std::path::Path;

use super::GitError;
use super::status::ConflictKind;

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

/// Merges `branch` (local or remote-tracking) into the current branch.
pub fn merge_branch(
    repo: &Path,
    branch: &str,
    options: MergeOptions,
) -> Result<MergeOutcome, GitError> {
    let _ = (repo, branch, options);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Resolves the conflicted `path` and stages it.
pub fn resolve_file(repo: &Path, path: &str, resolution: Resolution) -> Result<(), GitError> {
    let _ = (repo, path, resolution);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// The conflicted files, sorted by path.
pub fn conflict_files(repo: &Path) -> Result<Vec<ConflictFile>, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}

/// The merge in progress, if any.
pub fn merge_in_progress(repo: &Path) -> Result<Option<MergeInfo>, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Aborts the merge in progress.
pub fn abort_merge(repo: &Path) -> Result<(), GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}
