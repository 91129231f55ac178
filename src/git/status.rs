//! The state of the working tree: what is staged, what is not, what is untracked or in conflict,
//! and where HEAD is.
//!
//! One `git_status_list` walk with: untracked files listed one by one (untracked directories
//! recursed), ignore rules honoured (`.gitignore` files, `core.excludesFile`,
//! `.git/info/exclude`), renames detected between HEAD and the index (not between the index and
//! the working tree: that would hash every untracked file), submodules shown as one entry and
//! not descended.

use std::path::Path;

use git2::{DiffDelta, ErrorCode, FileMode, Repository, Status as Bits, StatusOptions, StatusShow};

use super::GitError;
use super::repo::{open, other};

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

/// The status of the working tree containing `repo`.
pub fn status(repo: &Path) -> Result<Status, GitError> {
    let repo = open(repo)?;
    let mut opts = StatusOptions::new();
    opts.show(StatusShow::IndexAndWorkdir)
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(false)
        .renames_head_to_index(true)
        .renames_from_rewrites(false)
        .include_unmodified(false);
    let statuses = repo.statuses(Some(&mut opts)).map_err(other)?;

    let mut out = Status {
        staged: Vec::new(),
        unstaged: Vec::new(),
        untracked: Vec::new(),
        conflicted: Vec::new(),
        branch: None,
        detached: false,
        unborn: false,
        state: repo_state(&repo),
    };
    let mut conflicts = Vec::new();
    for entry in statuses.iter() {
        let bits = entry.status();
        let Some(path) = entry_path(&entry) else {
            continue;
        };
        if bits.contains(Bits::CONFLICTED) {
            conflicts.push(path);
            continue;
        }
        if let Some(kind) = index_kind(bits, entry.head_to_index().as_ref()) {
            let submodule = is_submodule(entry.head_to_index().as_ref());
            out.staged.push(FileStatus {
                path: path.clone(),
                kind,
                submodule,
            });
        }
        if bits.contains(Bits::WT_NEW) {
            let submodule = is_submodule(entry.index_to_workdir().as_ref());
            out.untracked.push(FileStatus {
                path,
                kind: FileKind::New,
                submodule,
            });
        } else if let Some(kind) = workdir_kind(bits) {
            let submodule = is_submodule(entry.index_to_workdir().as_ref());
            out.unstaged.push(FileStatus {
                path,
                kind,
                submodule,
            });
        }
    }
    if !conflicts.is_empty() {
        out.conflicted = conflict_kinds(&repo, conflicts)?;
    }
    for list in [
        &mut out.staged,
        &mut out.unstaged,
        &mut out.untracked,
        &mut out.conflicted,
    ] {
        list.sort_by(|a, b| a.path.cmp(&b.path));
    }

    match repo.head() {
        Ok(head) => {
            if repo.head_detached().map_err(other)? {
                out.detached = true;
            } else {
                out.branch = Some(String::from_utf8_lossy(head.shorthand_bytes()).into_owned());
            }
        }
        Err(e) if e.code() == ErrorCode::UnbornBranch || e.code() == ErrorCode::NotFound => {
            out.unborn = true;
            let head = repo.find_reference("HEAD").map_err(other)?;
            out.branch = head.symbolic_target_bytes().map(|t| {
                let t = t.strip_prefix(b"refs/heads/").unwrap_or(t);
                String::from_utf8_lossy(t).into_owned()
            });
        }
        Err(e) => return Err(other(e)),
    }
    Ok(out)
}

fn entry_path(entry: &git2::StatusEntry<'_>) -> Option<String> {
    let delta = entry.head_to_index().or_else(|| entry.index_to_workdir());
    let from_delta = delta.and_then(|d| {
        d.new_file()
            .path_bytes()
            .or_else(|| d.old_file().path_bytes())
            .map(|p| String::from_utf8_lossy(p).into_owned())
    });
    from_delta.or_else(|| Some(String::from_utf8_lossy(entry.path_bytes()).into_owned()))
}

fn index_kind(bits: Bits, delta: Option<&DiffDelta<'_>>) -> Option<FileKind> {
    if bits.contains(Bits::INDEX_RENAMED) {
        let from = delta
            .and_then(|d| d.old_file().path_bytes())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        Some(FileKind::Renamed { from })
    } else if bits.contains(Bits::INDEX_NEW) {
        Some(FileKind::New)
    } else if bits.contains(Bits::INDEX_DELETED) {
        Some(FileKind::Deleted)
    } else if bits.contains(Bits::INDEX_TYPECHANGE) {
        Some(FileKind::TypeChange)
    } else if bits.contains(Bits::INDEX_MODIFIED) {
        Some(FileKind::Modified)
    } else {
        None
    }
}

fn workdir_kind(bits: Bits) -> Option<FileKind> {
    if bits.contains(Bits::WT_DELETED) {
        Some(FileKind::Deleted)
    } else if bits.contains(Bits::WT_TYPECHANGE) {
        Some(FileKind::TypeChange)
    } else if bits.contains(Bits::WT_MODIFIED) || bits.contains(Bits::WT_RENAMED) {
        Some(FileKind::Modified)
    } else {
        None
    }
}

fn is_submodule(delta: Option<&DiffDelta<'_>>) -> bool {
    delta.is_some_and(|d| {
        d.new_file().mode() == FileMode::Commit || d.old_file().mode() == FileMode::Commit
    })
}

fn conflict_kinds(repo: &Repository, paths: Vec<String>) -> Result<Vec<FileStatus>, GitError> {
    let index = repo.index().map_err(other)?;
    let mut sides = std::collections::HashMap::new();
    for conflict in index.conflicts().map_err(other)? {
        let conflict = conflict.map_err(other)?;
        let any = conflict
            .our
            .as_ref()
            .or(conflict.their.as_ref())
            .or(conflict.ancestor.as_ref());
        let Some(entry) = any else { continue };
        let path = String::from_utf8_lossy(&entry.path).into_owned();
        let submodule = entry.mode == u32::from(FileMode::Commit);
        let kind = match (
            conflict.ancestor.is_some(),
            conflict.our.is_some(),
            conflict.their.is_some(),
        ) {
            (true, true, true) => ConflictKind::BothModified,
            (false, true, true) => ConflictKind::BothAdded,
            (true, false, false) => ConflictKind::BothDeleted,
            (true, false, true) => ConflictKind::DeletedByUs,
            (true, true, false) => ConflictKind::DeletedByThem,
            (false, true, false) => ConflictKind::AddedByUs,
            (false, false, true) | (false, false, false) => ConflictKind::AddedByThem,
        };
        sides.insert(path, (kind, submodule));
    }
    Ok(paths
        .into_iter()
        .map(|path| {
            let (kind, submodule) = sides
                .get(&path)
                .copied()
                .unwrap_or((ConflictKind::BothModified, false));
            FileStatus {
                path,
                kind: FileKind::Conflicted(kind),
                submodule,
            }
        })
        .collect())
}

fn repo_state(repo: &Repository) -> RepoState {
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
