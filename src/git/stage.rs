//! Staging and unstaging: a file, a directory (everything under it), everything, one hunk, or
//! some lines of a hunk.
//!
//! Hunks and lines are named by the [`Hunk`](super::diff::Hunk) the UI showed: stage from the
//! [`DiffTarget::Unstaged`](super::diff::DiffTarget) diff, unstage from the
//! [`DiffTarget::Staged`](super::diff::DiffTarget) diff. If the file changed since, the call
//! fails with [`GitError::StaleHunk`] and touches nothing.

use std::path::Path;

use git2::{Delta, Index, IndexAddOption, IndexEntry, IndexTime, Oid, Repository};

use super::GitError;
use super::diff::{
    DiffTarget, FileChange, HunkId, LineOrigin, RawHunk, delta_path, file_patch, find_renames,
    lossy, staged_diff,
};
use super::pathspec::{at_or_under, escape, is_plain, narrowing};
use super::repo::{check_relative, head_commit, open, other};

/// Stages `path` (a file or a directory, relative to the working-tree root) as it is in the
/// working tree: new and modified files are added, deleted ones staged as removals; ignored
/// files under a directory are left out. Staging a conflicted file marks it resolved.
pub fn stage_path(repo: &Path, path: &str) -> Result<(), GitError> {
    let repo = open(repo)?;
    let path = check_relative(path)?;
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.path().to_path_buf()))?;
    let mut index = repo.index().map_err(other)?;
    let tracked_file = index.get_path(Path::new(path), 0).is_some();
    match std::fs::symlink_metadata(root.join(path)) {
        Ok(meta) if meta.is_dir() && !is_gitlink(&index, path) && !tracked_file => {
            if root.join(path).join(".git").exists() {
                return Err(GitError::Other(format!(
                    "{path} is a git repository of its own; add it as a submodule with git"
                )));
            }
            add_all_under(&mut index, path)?;
            update_all_under(&mut index, path)?;
        }
        Ok(_) => index.add_path(Path::new(path)).map_err(other)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let conflicted = index
                .conflicts()
                .map_err(other)?
                .filter_map(Result::ok)
                .any(|c| {
                    [c.ancestor, c.our, c.their]
                        .iter()
                        .flatten()
                        .any(|e| e.path == path.as_bytes())
                });
            if tracked_file || conflicted {
                index.remove_path(Path::new(path)).map_err(other)?;
            } else if has_entries_under(&index, path) {
                update_all_under(&mut index, path)?;
            } else {
                return Err(GitError::PathNotFound(path.to_string()));
            }
        }
        Err(e) => return Err(GitError::Other(format!("{path}: {e}"))),
    }
    index.write().map_err(other)
}

/// Puts `path` (a file or a directory) back in the index as it is in HEAD (removes it from the
/// index when HEAD does not have it, also on an unborn branch). Unstaging the new path of a
/// staged rename also unstages the removal of the old path.
pub fn unstage_path(repo: &Path, path: &str) -> Result<(), GitError> {
    let repo = open(repo)?;
    let path = check_relative(path)?;
    let head = head_commit(&repo)?;
    let mut paths = staged_under(&repo, path)?;
    if head.is_some()
        && let Some(from) = staged_rename_source(&repo, path)?
    {
        paths.push(escape(&from));
    }
    // An empty list would reset every path: nothing staged there, nothing to do.
    if paths.is_empty() {
        return Ok(());
    }
    repo.reset_default(head.as_ref().map(|c| c.as_object()), &paths)
        .map_err(other)
}

/// What to give `reset_default` (which globs its paths) for the literal `path`: the path itself
/// when libgit2 reads it as itself, else each staged file under it as a glob matching only
/// that file.
fn staged_under(repo: &Repository, path: &str) -> Result<Vec<String>, GitError> {
    if is_plain(path) {
        return Ok(vec![path.to_string()]);
    }
    let diff = staged_diff(repo, Some(path))?;
    let mut files = Vec::new();
    for delta in diff.deltas() {
        for side in [delta.old_file(), delta.new_file()] {
            if let Some(p) = side.path_bytes().filter(|p| at_or_under(p, path)) {
                files.push(escape(&String::from_utf8_lossy(p)));
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Whether the index path `candidate` is the literal `path` or under it, as a libgit2 index
/// callback answers: 0 to act on it, 1 to skip it.
fn literal_filter(path: &str) -> impl FnMut(&Path, &[u8]) -> i32 + '_ {
    move |candidate, _| {
        let bytes = candidate.as_os_str().as_encoded_bytes();
        if at_or_under(bytes, path) { 0 } else { 1 }
    }
}

/// Adds the new and modified files at or under `path` (ignored ones left out). libgit2 walks a
/// plain prefix of it; the callback keeps exactly `path`.
fn add_all_under(index: &mut Index, path: &str) -> Result<(), GitError> {
    let prefix = narrowing(path).unwrap_or_else(|| "*".to_string());
    let mut filter = literal_filter(path);
    index
        .add_all([prefix], IndexAddOption::DEFAULT, Some(&mut filter))
        .map_err(other)
}

/// Stages the removal of the deleted files at or under `path` (and refreshes the others).
fn update_all_under(index: &mut Index, path: &str) -> Result<(), GitError> {
    let prefix = narrowing(path).unwrap_or_else(|| "*".to_string());
    let mut filter = literal_filter(path);
    index.update_all([prefix], Some(&mut filter)).map_err(other)
}

/// Stages every change of the working tree (`git add -A`). Not cancellable: see
/// [`stage_all_cancellable`].
pub fn stage_all(repo: &Path) -> Result<(), GitError> {
    stage_all_cancellable(repo, &|| false)
}

/// [`stage_all`], stoppable all along: `is_cancelled` is polled for every file libgit2 is about
/// to add or update. The changes are made in memory and written once at the end, so a cancel
/// ([`GitError::Cancelled`]) leaves the index on disk as it was.
pub fn stage_all_cancellable(repo: &Path, is_cancelled: &dyn Fn() -> bool) -> Result<(), GitError> {
    let repo = open(repo)?;
    let mut index = repo.index().map_err(other)?;
    let stopped = std::cell::Cell::new(false);
    // A negative answer makes libgit2 stop with an error.
    let mut ask = |_: &Path, _: &[u8]| {
        if is_cancelled() {
            stopped.set(true);
            -1
        } else {
            0
        }
    };
    let added = index.add_all(["*"], IndexAddOption::DEFAULT, Some(&mut ask));
    let updated = added.and_then(|()| index.update_all(["*"], Some(&mut ask)));
    match updated {
        Err(_) if stopped.get() => Err(GitError::Cancelled),
        Err(e) => Err(other(e)),
        Ok(()) if is_cancelled() => Err(GitError::Cancelled),
        Ok(()) => index.write().map_err(other),
    }
}

/// Unstages everything: the index becomes HEAD again (empty on an unborn branch); the working
/// tree is untouched.
pub fn unstage_all(repo: &Path) -> Result<(), GitError> {
    let repo = open(repo)?;
    match head_commit(&repo)? {
        // Only the entries that differ are rewritten: the stat cache of the others stays.
        Some(head) => repo
            .reset_default(Some(head.as_object()), ["*"])
            .map_err(other),
        None => {
            let mut index = repo.index().map_err(other)?;
            index.clear().map_err(other)?;
            index.write().map_err(other)
        }
    }
}

/// Stages one hunk of the unstaged diff of `path`.
pub fn stage_hunk(repo: &Path, path: &str, hunk: HunkId) -> Result<(), GitError> {
    change_index(repo, path, hunk, None, Direction::Stage)
}

/// Unstages one hunk of the staged diff of `path`.
pub fn unstage_hunk(repo: &Path, path: &str, hunk: HunkId) -> Result<(), GitError> {
    change_index(repo, path, hunk, None, Direction::Unstage)
}

/// Stages some lines of one hunk of the unstaged diff: `lines` are indexes into
/// [`Hunk::lines`](super::diff::Hunk); context and no-newline lines in it are ignored.
pub fn stage_lines(repo: &Path, path: &str, hunk: HunkId, lines: &[usize]) -> Result<(), GitError> {
    change_index(repo, path, hunk, Some(lines), Direction::Stage)
}

/// Unstages some lines of one hunk of the staged diff (indexes into
/// [`Hunk::lines`](super::diff::Hunk)).
pub fn unstage_lines(
    repo: &Path,
    path: &str,
    hunk: HunkId,
    lines: &[usize],
) -> Result<(), GitError> {
    change_index(repo, path, hunk, Some(lines), Direction::Unstage)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Stage,
    Unstage,
}

fn is_gitlink(index: &Index, path: &str) -> bool {
    index
        .get_path(Path::new(path), 0)
        .is_some_and(|e| e.mode == 0o160000)
}

fn has_entries_under(index: &Index, dir: &str) -> bool {
    let prefix = format!("{dir}/");
    index.iter().any(|e| e.path.starts_with(prefix.as_bytes()))
}

/// The old path when `path` is the new side of a rename staged in the index.
fn staged_rename_source(repo: &Repository, path: &str) -> Result<Option<String>, GitError> {
    let restricted = staged_diff(repo, Some(path))?;
    if !restricted
        .deltas()
        .any(|d| d.status() == Delta::Added && delta_path(&d) == path)
    {
        return Ok(None);
    }
    let mut whole = staged_diff(repo, None)?;
    find_renames(&mut whole)?;
    Ok(whole
        .deltas()
        .find(|d| d.status() == Delta::Renamed && delta_path(d) == path)
        .and_then(|d| lossy(d.old_file().path_bytes())))
}

/// Stages (or unstages) one hunk, or some of its lines, by writing a new blob for `path` into
/// the index: the index content with the selected changes applied (or reverted).
fn change_index(
    repo: &Path,
    path: &str,
    id: HunkId,
    lines: Option<&[usize]>,
    direction: Direction,
) -> Result<(), GitError> {
    let repo = open(repo)?;
    let path = check_relative(path)?;
    let target = match direction {
        Direction::Stage => DiffTarget::Unstaged,
        Direction::Unstage => DiffTarget::Staged,
    };
    let stale = || GitError::StaleHunk {
        path: path.to_string(),
    };
    let (file, raw) = file_patch(&repo, path, &target)?;
    let h = file
        .hunks
        .iter()
        .position(|h| h.id == id)
        .ok_or_else(stale)?;
    let hunk = raw.get(h).ok_or_else(stale)?;
    let selected: Vec<bool> = match lines {
        None => vec![true; hunk.lines.len()],
        Some(lines) => {
            let mut sel = vec![false; hunk.lines.len()];
            for &l in lines {
                *sel.get_mut(l).ok_or_else(stale)? = true;
            }
            sel
        }
    };
    let whole_file = raw.len() == 1
        && hunk
            .lines
            .iter()
            .zip(&selected)
            .all(|(l, s)| *s || !matches!(l.origin, LineOrigin::Added | LineOrigin::Removed));
    let mut index = repo.index().map_err(other)?;
    // A whole added or deleted file: the same as staging (unstaging) the path.
    match (direction, file.change, whole_file) {
        (Direction::Stage, FileChange::Added, true) => {
            index.add_path(Path::new(path)).map_err(other)?;
            return index.write().map_err(other);
        }
        (Direction::Stage, FileChange::Deleted, true) => {
            index.remove_path(Path::new(path)).map_err(other)?;
            return index.write().map_err(other);
        }
        (Direction::Unstage, FileChange::Added | FileChange::Deleted, true) => {
            let head = head_commit(&repo)?;
            return repo
                .reset_default(head.as_ref().map(|c| c.as_object()), [escape(path)])
                .map_err(other);
        }
        _ => {}
    }

    let existing = index.get_path(Path::new(path), 0);
    let base = match &existing {
        Some(entry) => repo.find_blob(entry.id).map_err(other)?.content().to_vec(),
        None => Vec::new(),
    };
    let content = apply(&base, hunk, &selected, direction).ok_or_else(stale)?;
    let mode = match &existing {
        Some(entry) => entry.mode,
        None if direction == Direction::Stage => file.new_mode,
        None => file.old_mode,
    };
    let entry = IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: if mode == 0 { 0o100644 } else { mode },
        uid: 0,
        gid: 0,
        file_size: u32::try_from(content.len()).unwrap_or(u32::MAX),
        id: Oid::ZERO_SHA1,
        flags: 0,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    };
    index.add_frombuffer(&entry, &content).map_err(other)?;
    index.write().map_err(other)
}

/// `base` with the selected lines of `hunk` applied (staging: `base` is the old side of the
/// hunk) or reverted (unstaging: `base` is its new side). `None` when `base` does not match the
/// hunk.
pub(crate) fn apply(
    base: &[u8],
    hunk: &RawHunk,
    selected: &[bool],
    direction: Direction,
) -> Option<Vec<u8>> {
    let lines: Vec<&[u8]> = base.split_inclusive(|b| *b == b'\n').collect();
    let (start, count, ours, theirs) = match direction {
        Direction::Stage => (
            hunk.old_start,
            hunk.old_lines,
            LineOrigin::Removed,
            LineOrigin::Added,
        ),
        Direction::Unstage => (
            hunk.new_start,
            hunk.new_lines,
            LineOrigin::Added,
            LineOrigin::Removed,
        ),
    };
    // With no line on the base side, `start` is the line after which the hunk goes.
    let before = if count == 0 {
        start
    } else {
        start.checked_sub(1)?
    } as usize;
    let mut out = Vec::with_capacity(base.len() + 64);
    for line in lines.get(..before)? {
        out.extend_from_slice(line);
    }
    let mut cursor = before;
    for (line, &sel) in hunk.lines.iter().zip(selected) {
        if line.origin == LineOrigin::Context || line.origin == ours {
            if *lines.get(cursor)? != line.content.as_slice() {
                return None;
            }
            cursor += 1;
            if line.origin == LineOrigin::Context || !sel {
                out.extend_from_slice(&line.content);
            }
        } else if line.origin == theirs && sel {
            out.extend_from_slice(&line.content);
        }
    }
    for line in lines.get(cursor..)? {
        out.extend_from_slice(line);
    }
    Some(out)
}
