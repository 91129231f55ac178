//! The state of the working tree: what is staged, what is not, what is untracked or in conflict,
//! and where HEAD is — the types, and the entry points of the status engine:
//!
//! - [`status`] / [`status_snapshot`]: a full scan ([`super::status_engine`]: parallel `lstat`
//!   against the index's stat data, hashing only what the stat data cannot decide, HEAD-to-index
//!   diff with renames, untracked files as `git status` shows them — an untracked directory
//!   once, as `dir/`; ignore rules honoured: `.gitignore` files, `core.excludesFile`,
//!   `.git/info/exclude`; submodules one entry, not descended);
//! - [`status_incremental`]: the refresh after the watcher reported some paths
//!   ([`super::status_incremental`]), falling back to a full scan when it cannot be sure.

use std::path::Path;

use git2::{ErrorCode, Repository};

use super::GitError;
use super::repo::{open, other};
pub use super::status_engine::StatusSnapshot;
pub use super::status_incremental::{FullReason, INCREMENTAL_LIMIT, Refresh, status_incremental};

/// What happened to a file, on one side (staged or unstaged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// Added (staged side) or untracked (untracked list).
    New,
    /// Content changed.
    Modified,
    /// Removed.
    Deleted,
    /// Renamed (staged side only), possibly with changes.
    Renamed {
        /// The previous path.
        from: String,
    },
    /// Became a symlink, a regular file, or a submodule, from something else.
    TypeChange,
    /// Both sides of a merge touched it; see the [`ConflictKind`].
    Conflicted(ConflictKind),
}

/// Which side of a merge did what to a conflicted file (`git status` wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// Both modified.
    BothModified,
    /// Both added, with different content.
    BothAdded,
    /// Both deleted (a rename/rename conflict).
    BothDeleted,
    /// Deleted by us, modified by them.
    DeletedByUs,
    /// Modified by us, deleted by them.
    DeletedByThem,
    /// Added by us only.
    AddedByUs,
    /// Added by them only.
    AddedByThem,
}

/// One entry of a [`Status`] list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// Path relative to the working-tree root, `/`-separated (the new path of a rename).
    pub path: String,
    /// What happened to it.
    pub kind: FileKind,
    /// The entry is a submodule (its own changes are not listed).
    pub submodule: bool,
}

/// An operation in progress in the repository (`.git/MERGE_HEAD` and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoState {
    /// Nothing in progress.
    Clean,
    /// A merge stopped on conflicts or before its commit.
    Merge,
    /// A revert in progress.
    Revert,
    /// A cherry-pick in progress.
    CherryPick,
    /// A bisect in progress.
    Bisect,
    /// A rebase (any kind) in progress.
    Rebase,
    /// `git am` in progress.
    ApplyMailbox,
}

/// The working tree at a glance. Each list is sorted by path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Index vs HEAD (what the next commit contains).
    pub staged: Vec<FileStatus>,
    /// Working tree vs index, tracked files only.
    pub unstaged: Vec<FileStatus>,
    /// Files not in the index and not ignored (kind [`FileKind::New`]).
    pub untracked: Vec<FileStatus>,
    /// Files in conflict (kind [`FileKind::Conflicted`]); they are in no other list.
    pub conflicted: Vec<FileStatus>,
    /// The current branch (also on an unborn branch); `None` when detached.
    pub branch: Option<String>,
    /// HEAD points directly at a commit.
    pub detached: bool,
    /// The current branch has no commit yet.
    pub unborn: bool,
    /// A merge, rebase, … in progress.
    pub state: RepoState,
}

impl Status {
    /// Nothing staged, unstaged, untracked or conflicted.
    pub fn is_clean(&self) -> bool {
        self.staged.is_empty()
            && self.unstaged.is_empty()
            && self.untracked.is_empty()
            && self.conflicted.is_empty()
    }
}

/// The status of the working tree containing `repo` (a full scan; see
/// [`super::status_engine`]).
pub fn status(repo: &Path) -> Result<Status, GitError> {
    Ok(status_snapshot(repo)?.status)
}

/// As [`status`], keeping what [`status_incremental`] needs to refresh it later.
pub fn status_snapshot(repo: &Path) -> Result<StatusSnapshot, GitError> {
    let repo = open(repo)?;
    super::status_engine::scan(&repo)
}

/// Where HEAD is, as the status reports it, and its tree (`None` on an unborn branch).
pub(crate) struct HeadInfo {
    pub(crate) branch: Option<String>,
    pub(crate) detached: bool,
    pub(crate) unborn: bool,
    pub(crate) tree: Option<git2::Oid>,
}

pub(crate) fn head_info(repo: &Repository) -> Result<HeadInfo, GitError> {
    let mut info = HeadInfo {
        branch: None,
        detached: false,
        unborn: false,
        tree: None,
    };
    match repo.head() {
        Ok(head) => {
            info.tree = Some(head.peel_to_tree().map_err(other)?.id());
            if repo.head_detached().map_err(other)? {
                info.detached = true;
            } else {
                info.branch = Some(String::from_utf8_lossy(head.shorthand_bytes()).into_owned());
            }
        }
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            info.unborn = true;
            let head = repo.find_reference("HEAD").map_err(other)?;
            info.branch = head.symbolic_target_bytes().map(|t| {
                let t = t.strip_prefix(b"refs/heads/").unwrap_or(t);
                String::from_utf8_lossy(t).into_owned()
            });
        }
        Err(e) => return Err(other(e)),
    }
    Ok(info)
}

pub(crate) fn repo_state(repo: &Repository) -> RepoState {
    use git2::RepositoryState as S;
    match repo.state() {
        S::Clean => RepoState::Clean,
        S::Merge => RepoState::Merge,
        S::Revert | S::RevertSequence => RepoState::Revert,
        S::CherryPick | S::CherryPickSequence => RepoState::CherryPick,
        S::Bisect => RepoState::Bisect,
        S::Rebase | S::RebaseInteractive | S::RebaseMerge => RepoState::Rebase,
        S::ApplyMailbox | S::ApplyMailboxOrRebase => RepoState::ApplyMailbox,
    }
}
