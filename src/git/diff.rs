//! Diffs of one file or of a commit, as plain data for the diff pane, with line numbers.
//!
//! Binary files are summarised (`binary: true`, no hunks); files over [`MAX_BYTES`] or with more
//! than [`MAX_LINES`] diff lines are summarised (`too_large: Some(bytes)`) instead of loaded.

use std::path::Path;

use super::GitError;
use super::repo::other;

/// Files larger than this (either side) are not diffed: [`FileDiff::too_large`].
pub const MAX_BYTES: u64 = 1024 * 1024;
/// Diffs with more lines than this are dropped: [`FileDiff::too_large`].
pub const MAX_LINES: usize = 10_000;

/// Which two versions to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffTarget {
    /// Index → working tree (what `stage` would add); an untracked file diffs as all new.
    Unstaged,
    /// HEAD → index (what the next commit contains); on an unborn branch, everything is new.
    Staged,
    /// A commit against its first parent (a root commit against the empty tree); any revision
    /// git understands (`HEAD~2`, a branch, a full or short id).
    Commit(String),
}

/// The diff of several files (a commit).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    /// One entry per changed file, in git's order (by path).
    pub files: Vec<FileDiff>,
}

/// What happened to the file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// Added (or untracked).
    Added,
    /// Removed.
    Deleted,
    /// Content or mode changed.
    Modified,
    /// Renamed (maybe with changes): see [`FileDiff::old_path`].
    Renamed,
    /// Copied.
    Copied,
    /// Kind changed (file ↔ symlink ↔ submodule).
    TypeChange,
    /// No difference (the file is unchanged on this side).
    Unmodified,
}

/// The diff of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDiff {
    /// Path (the new one for a rename), relative to the working-tree root.
    pub path: String,
    /// The old path of a rename or copy.
    pub old_path: Option<String>,
    /// What happened to the file.
    pub change: FileChange,
    /// Either side is binary: no hunks.
    pub binary: bool,
    /// The larger side's size in bytes when over [`MAX_BYTES`], or when the diff has more than
    /// [`MAX_LINES`] lines: no hunks.
    pub too_large: Option<u64>,
    /// Old and new file modes (octal, as git prints them: `0o100644`, `0o100755`, `0o120000`…;
    /// 0 for a missing side).
    pub old_mode: u32,
    /// See `old_mode`.
    pub new_mode: u32,
    /// Lines added, over all hunks.
    pub additions: usize,
    /// Lines removed, over all hunks.
    pub deletions: usize,
    /// The hunks, in file order.
    pub hunks: Vec<Hunk>,
}

/// Identity of a hunk: a hash of its header and lines. Staging by id refuses a hunk that changed
/// since it was shown ([`GitError::StaleHunk`]) instead of staging the wrong lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HunkId(pub u64);

/// One hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// See [`HunkId`].
    pub id: HunkId,
    /// `@@ -a,b +c,d @@ context` without the line end.
    pub header: String,
    /// First old line (1-based; 0 when the old side is empty).
    pub old_start: u32,
    /// Number of old lines.
    pub old_lines: u32,
    /// First new line (1-based; 0 when the new side is empty).
    pub new_start: u32,
    /// Number of new lines.
    pub new_lines: u32,
    /// The lines, in order.
    pub lines: Vec<DiffLine>,
}

/// Kind of a diff line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOrigin {
    /// Unchanged.
    Context,
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// `\ No newline at end of file` after the line before it.
    NoNewline,
}

/// One line of a hunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// Context, added, removed or the no-newline marker.
    pub origin: LineOrigin,
    /// Line number in the old version (context and removed lines).
    pub old_no: Option<u32>,
    /// Line number in the new version (context and added lines).
    pub new_no: Option<u32>,
    /// The text without its line end (invalid UTF-8 replaced).
    pub text: String,
}

/// The diff of one file (`path` relative to the working-tree root) for `target`. A file with no
/// difference gives [`FileChange::Unmodified`] and no hunks.
pub fn diff_file(repo: &Path, path: &str, target: &DiffTarget) -> Result<FileDiff, GitError> {
    let _ = (repo, path, target);
    Err(other(git2::Error::from_str(
        "diff_file: not implemented yet",
    )))
}

/// Every file changed by commit `rev` (against its first parent), renames detected.
pub fn diff_commit(repo: &Path, rev: &str) -> Result<Diff, GitError> {
    let _ = (repo, rev);
    Err(other(git2::Error::from_str(
        "diff_commit: not implemented yet",
    )))
}
