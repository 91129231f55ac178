//! Diffs of one file or of a commit, as plain data for the diff pane, with line numbers.
//!
//! Binary files are summarised (`binary: true`, no hunks); files over [`MAX_BYTES`] or with more
//! than [`MAX_LINES`] diff lines are summarised (`too_large: Some(bytes)`) instead of loaded.

use std::path::Path;

use super::GitError;
use std::hash::{DefaultHasher, Hash, Hasher};

use git2::{Delta, DiffFindOptions, DiffOptions, ErrorCode, FileMode, Patch, Repository};

use super::pathspec::narrowing;
use super::repo::{check_relative, head_commit, open, other};

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

/// What a diff view shows: one file on one side, or a commit. A request value shared by the
/// app (which asks) and the jobs (which read it), so it lives beside the diff it selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffSource {
    /// One file, unstaged or staged.
    File {
        /// Path in the repository.
        path: String,
        /// Which side.
        target: DiffTarget,
    },
    /// A commit.
    Commit(Box<super::log::CommitInfo>),
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
    /// In conflict. The unstaged diff is the working-tree file (with its conflict markers)
    /// against our side; the staged diff has no hunks.
    Conflicted,
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
    let repo = open(repo)?;
    let path = check_relative(path)?;
    Ok(file_patch(&repo, path, target)?.0)
}

/// Every file changed by commit `rev` (against its first parent), renames detected.
pub fn diff_commit(repo: &Path, rev: &str) -> Result<Diff, GitError> {
    let repo = open(repo)?;
    let diff = commit_diff(&repo, rev)?;
    let mut files = Vec::with_capacity(diff.deltas().len());
    for idx in 0..diff.deltas().len() {
        files.push(load(&repo, &diff, idx, Side::Odb, Side::Odb)?.0);
    }
    Ok(Diff { files })
}

/// A hunk with the raw bytes of its lines, for staging: concatenating the contents of the
/// context and removed lines gives the old side, of context and added lines the new side.
#[derive(Debug, Clone)]
pub(crate) struct RawHunk {
    pub(crate) old_start: u32,
    pub(crate) old_lines: u32,
    pub(crate) new_start: u32,
    pub(crate) new_lines: u32,
    pub(crate) lines: Vec<RawLine>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawLine {
    pub(crate) origin: LineOrigin,
    pub(crate) content: Vec<u8>,
}

/// Where a side of a delta lives, to size it without loading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// In the object database (a tree or the index).
    Odb,
    /// In the working tree.
    Workdir,
}

/// The diff of `path` for `target`, with its raw hunks (for staging). Not found: unmodified.
pub(crate) fn file_patch(
    repo: &Repository,
    path: &str,
    target: &DiffTarget,
) -> Result<(FileDiff, Vec<RawHunk>), GitError> {
    let (diff, new_side) = match target {
        DiffTarget::Unstaged => (unstaged_diff(repo, Some(path))?, Side::Workdir),
        DiffTarget::Staged => {
            let restricted = staged_diff(repo, Some(path))?;
            let added = restricted
                .deltas()
                .any(|d| d.status() == Delta::Added && delta_path(&d) == path);
            if added {
                // Maybe the new side of a rename: look at the whole index, renames detected.
                let mut whole = staged_diff(repo, None)?;
                find_renames(&mut whole)?;
                (whole, Side::Odb)
            } else {
                (restricted, Side::Odb)
            }
        }
        DiffTarget::Commit(rev) => (commit_diff(repo, rev)?, Side::Odb),
    };
    let found = diff.deltas().position(|d| delta_path(&d) == path);
    match found {
        Some(idx) => load(repo, &diff, idx, Side::Odb, new_side),
        None => Ok((
            FileDiff {
                path: path.to_string(),
                old_path: None,
                change: FileChange::Unmodified,
                binary: false,
                too_large: None,
                old_mode: 0,
                new_mode: 0,
                additions: 0,
                deletions: 0,
                hunks: Vec::new(),
            },
            Vec::new(),
        )),
    }
}

pub(crate) fn options(path: Option<&str>) -> DiffOptions {
    let mut opts = DiffOptions::new();
    opts.context_lines(3)
        .include_typechange(true)
        .ignore_submodules(false);
    // Paths are literal: libgit2 gets only a plain prefix of `path` (a superset, see
    // `pathspec`), and every caller keeps the deltas of `path` exactly.
    if let Some(prefix) = path.and_then(narrowing) {
        opts.pathspec(prefix).disable_pathspec_match(true);
    }
    opts
}

/// Index → working tree, untracked files included with their content.
pub(crate) fn unstaged_diff<'r>(
    repo: &'r Repository,
    path: Option<&str>,
) -> Result<git2::Diff<'r>, GitError> {
    let mut opts = options(path);
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true);
    repo.diff_index_to_workdir(None, Some(&mut opts))
        .map_err(other)
}

/// HEAD → index (empty tree → index on an unborn branch).
pub(crate) fn staged_diff<'r>(
    repo: &'r Repository,
    path: Option<&str>,
) -> Result<git2::Diff<'r>, GitError> {
    let head = head_commit(repo)?;
    let tree = match &head {
        Some(commit) => Some(commit.tree().map_err(other)?),
        None => None,
    };
    let mut opts = options(path);
    repo.diff_tree_to_index(tree.as_ref(), None, Some(&mut opts))
        .map_err(other)
}

fn commit_diff<'r>(repo: &'r Repository, rev: &str) -> Result<git2::Diff<'r>, GitError> {
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| match e.code() {
            ErrorCode::NotFound | ErrorCode::Ambiguous | ErrorCode::InvalidSpec => {
                GitError::RevisionNotFound(rev.to_string())
            }
            _ => other(e),
        })?;
    let tree = commit.tree().map_err(other)?;
    let parent_tree = match commit.parents().next() {
        Some(parent) => Some(parent.tree().map_err(other)?),
        None => None,
    };
    let mut opts = options(None);
    let mut diff = repo
        .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
        .map_err(other)?;
    find_renames(&mut diff)?;
    Ok(diff)
}

pub(crate) fn find_renames(diff: &mut git2::Diff<'_>) -> Result<(), GitError> {
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find)).map_err(other)
}

pub(crate) fn lossy(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| String::from_utf8_lossy(b).into_owned())
}

pub(crate) fn delta_path(delta: &git2::DiffDelta<'_>) -> String {
    lossy(
        delta
            .new_file()
            .path_bytes()
            .or_else(|| delta.old_file().path_bytes()),
    )
    .unwrap_or_default()
}

fn side_size(repo: &Repository, file: &git2::DiffFile<'_>, side: Side) -> u64 {
    match side {
        Side::Workdir if !file.exists() => 0,
        Side::Workdir => {
            let on_disk = repo
                .workdir()
                .zip(file.path())
                .and_then(|(root, p)| std::fs::symlink_metadata(root.join(p)).ok());
            on_disk.map_or(file.size(), |m| m.len())
        }
        Side::Odb if file.id().is_zero() => 0,
        Side::Odb => repo
            .odb()
            .and_then(|odb| odb.read_header(file.id()))
            .map_or(file.size(), |(size, _)| size as u64),
    }
}

fn mode(m: FileMode) -> u32 {
    match m {
        FileMode::Unreadable => 0,
        FileMode::Tree => 0o040000,
        FileMode::Blob => 0o100644,
        FileMode::BlobGroupWritable => 0o100664,
        FileMode::BlobExecutable => 0o100755,
        FileMode::Link => 0o120000,
        FileMode::Commit => 0o160000,
    }
}

/// Delta `idx` of `diff` as a [`FileDiff`] plus its raw hunks; sizes checked before loading.
fn load(
    repo: &Repository,
    diff: &git2::Diff<'_>,
    idx: usize,
    old_side: Side,
    new_side: Side,
) -> Result<(FileDiff, Vec<RawHunk>), GitError> {
    let delta = diff
        .get_delta(idx)
        .ok_or_else(|| GitError::Other(format!("diff has no file {idx}")))?;
    let change = match delta.status() {
        Delta::Added | Delta::Untracked => FileChange::Added,
        Delta::Deleted => FileChange::Deleted,
        Delta::Renamed => FileChange::Renamed,
        Delta::Copied => FileChange::Copied,
        Delta::Typechange => FileChange::TypeChange,
        Delta::Unmodified | Delta::Ignored => FileChange::Unmodified,
        Delta::Conflicted => FileChange::Conflicted,
        Delta::Modified | Delta::Unreadable => FileChange::Modified,
    };
    let old_path = match change {
        FileChange::Renamed | FileChange::Copied => lossy(delta.old_file().path_bytes()),
        _ => None,
    };
    let mut out = FileDiff {
        path: delta_path(&delta),
        old_path,
        change,
        binary: false,
        too_large: None,
        old_mode: if delta.old_file().exists() {
            mode(delta.old_file().mode())
        } else {
            0
        },
        new_mode: if delta.new_file().exists() {
            mode(delta.new_file().mode())
        } else {
            0
        },
        additions: 0,
        deletions: 0,
        hunks: Vec::new(),
    };
    let size = side_size(repo, &delta.old_file(), old_side).max(side_size(
        repo,
        &delta.new_file(),
        new_side,
    ));
    if size > MAX_BYTES {
        out.too_large = Some(size);
        return Ok((out, Vec::new()));
    }
    if change == FileChange::Conflicted && new_side == Side::Workdir {
        return conflict_patch(repo, out, size);
    }
    let Some(patch) = Patch::from_diff(diff, idx).map_err(other)? else {
        out.binary = true;
        return Ok((out, Vec::new()));
    };
    fill_from_patch(out, &patch, size)
}

/// The working-tree file of a conflicted path against "our" side (stage 2; nothing when we
/// deleted it): the conflict markers show up as added lines.
fn conflict_patch(
    repo: &Repository,
    out: FileDiff,
    size: u64,
) -> Result<(FileDiff, Vec<RawHunk>), GitError> {
    let index = repo.index().map_err(other)?;
    let ours = index.get_path(Path::new(&out.path), 2);
    let ours = match &ours {
        Some(entry) => repo.find_blob(entry.id).map_err(other)?.content().to_vec(),
        None => Vec::new(),
    };
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.path().to_path_buf()))?;
    let theirs = match std::fs::read(root.join(&out.path)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(GitError::Other(format!("{}: {e}", out.path))),
    };
    let mut opts = options(None);
    let patch = Patch::from_buffers(
        &ours,
        Some(Path::new(&out.path)),
        &theirs,
        Some(Path::new(&out.path)),
        Some(&mut opts),
    )
    .map_err(other)?;
    fill_from_patch(out, &patch, size)
}

pub(crate) fn fill_from_patch(
    mut out: FileDiff,
    patch: &Patch<'_>,
    size: u64,
) -> Result<(FileDiff, Vec<RawHunk>), GitError> {
    if patch.delta().flags().is_binary() {
        out.binary = true;
        return Ok((out, Vec::new()));
    }
    let (_, additions, deletions) = patch.line_stats().map_err(other)?;
    out.additions = additions;
    out.deletions = deletions;
    let total: usize = (0..patch.num_hunks())
        .map(|h| patch.num_lines_in_hunk(h).unwrap_or(0))
        .sum();
    if total > MAX_LINES {
        out.too_large = Some(size);
        return Ok((out, Vec::new()));
    }
    let mut raw = Vec::with_capacity(patch.num_hunks());
    for h in 0..patch.num_hunks() {
        let (hunk, count) = patch.hunk(h).map_err(other)?;
        let header = String::from_utf8_lossy(hunk.header())
            .trim_end_matches(['\n', '\r'])
            .to_string();
        let mut hasher = DefaultHasher::new();
        hunk.header().hash(&mut hasher);
        let mut lines = Vec::with_capacity(count);
        let mut raw_lines = Vec::with_capacity(count);
        for l in 0..count {
            let line = patch.line_in_hunk(h, l).map_err(other)?;
            let origin = match line.origin() {
                '+' => LineOrigin::Added,
                '-' => LineOrigin::Removed,
                '=' | '>' | '<' => LineOrigin::NoNewline,
                _ => LineOrigin::Context,
            };
            line.origin().hash(&mut hasher);
            line.content().hash(&mut hasher);
            let text = match origin {
                LineOrigin::NoNewline => "\\ No newline at end of file".to_string(),
                _ => {
                    let c = line.content();
                    let c = c.strip_suffix(b"\n").unwrap_or(c);
                    let c = c.strip_suffix(b"\r").unwrap_or(c);
                    String::from_utf8_lossy(c).into_owned()
                }
            };
            lines.push(DiffLine {
                origin,
                old_no: line.old_lineno(),
                new_no: line.new_lineno(),
                text,
            });
            raw_lines.push(RawLine {
                origin,
                content: line.content().to_vec(),
            });
        }
        out.hunks.push(Hunk {
            id: HunkId(hasher.finish()),
            header,
            old_start: hunk.old_start(),
            old_lines: hunk.old_lines(),
            new_start: hunk.new_start(),
            new_lines: hunk.new_lines(),
            lines,
        });
        raw.push(RawHunk {
            old_start: hunk.old_start(),
            old_lines: hunk.old_lines(),
            new_start: hunk.new_start(),
            new_lines: hunk.new_lines(),
            lines: raw_lines,
        });
    }
    Ok((out, raw))
}
