//! Discarding working-tree changes (the UI confirms first): a file or directory goes back to its
//! index version; untracked files are deleted.

use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{Repository, StatusOptions, StatusShow};

use super::GitError;
use super::diff::{DiffTarget, FileChange, HunkId, file_patch};
use super::pathspec::{at_or_under, escape, is_plain, narrowing};
use super::repo::{check_relative, open, other};
use super::stage::{Direction, apply};

/// Puts `path` (file or directory) back as it is in the index; untracked files at or under
/// `path` are deleted (ignored files are kept). Staged changes are kept. `path` is literal:
/// `app/[id]` is that directory, never `app/i` (paths are literal, DESIGN.md).
///
/// Cancel: `is_cancelled` is asked once, after the (possibly long) walk that finds what to
/// discard and before anything is touched ([`GitError::Cancelled`], nothing changed); once
/// files are being written back it finishes, so a discard is never left half done.
pub fn discard_path(
    repo: &Path,
    path: &str,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    let repo = open(repo)?;
    let path = check_relative(path)?;
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.path().to_path_buf()))?
        .to_path_buf();
    let exists = std::fs::symlink_metadata(root.join(path)).is_ok();
    let index = repo.index().map_err(other)?;
    let in_index = index.iter().any(|e| at_or_under(&e.path, path));
    if !exists && !in_index {
        return Err(GitError::PathNotFound(path.to_string()));
    }
    let (tracked, untracked) = changed_under(&repo, path)?;
    if is_cancelled() {
        return Err(GitError::Cancelled);
    }
    check_out_from_index(&repo, path, &tracked)?;
    remove_untracked(&root, path, &untracked)
}

/// The tracked files with unstaged changes and the untracked files at or under `path`
/// (literally: libgit2 walks a plain prefix, the exact match is ours).
fn changed_under(repo: &Repository, path: &str) -> Result<(Vec<String>, Vec<String>), GitError> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .show(StatusShow::Workdir)
        .disable_pathspec_match(true);
    if let Some(prefix) = narrowing(path) {
        opts.pathspec(prefix);
    }
    let statuses = repo.statuses(Some(&mut opts)).map_err(other)?;
    let (mut tracked, mut untracked) = (Vec::new(), Vec::new());
    for entry in statuses.iter() {
        if !at_or_under(entry.path_bytes(), path) {
            continue;
        }
        let rel = String::from_utf8_lossy(entry.path_bytes()).into_owned();
        if entry.status().contains(git2::Status::WT_NEW) {
            untracked.push(rel);
        } else {
            tracked.push(rel);
        }
    }
    Ok((tracked, untracked))
}

/// Writes the index version of `files` (all at or under `path`) back to the working tree.
fn check_out_from_index(repo: &Repository, path: &str, files: &[String]) -> Result<(), GitError> {
    // An empty path list would mean every file: only ever call with something to do.
    if files.is_empty() {
        return Ok(());
    }
    let mut checkout = CheckoutBuilder::new();
    checkout
        .force()
        .remove_untracked(false)
        .recreate_missing(true);
    if is_plain(path) {
        // libgit2 matches a plain path exactly, and as a directory prefix.
        checkout.path(path);
    } else {
        // Each file as a glob that matches only itself (a glob-character directory name does
        // not match as a prefix).
        for file in files {
            checkout.path(escape(file));
        }
    }
    repo.checkout_index(None, Some(&mut checkout))
        .map_err(other)
}

/// Deletes the untracked `files` one by one (libgit2's `remove_untracked` takes an untracked
/// directory whole, ignored files in it included), then the directories this emptied, up to
/// `path` (never the root).
fn remove_untracked(root: &Path, path: &str, files: &[String]) -> Result<(), GitError> {
    let mut dirs = Vec::new();
    for rel in files {
        let full = root.join(rel);
        if full.is_dir() && !full.is_symlink() {
            // A nested repository shown as one untracked entry: left alone.
            continue;
        }
        std::fs::remove_file(&full).map_err(|e| GitError::Other(format!("{rel}: {e}")))?;
        if let Some(parent) = full.parent() {
            dirs.push(parent.to_path_buf());
        }
    }
    let top = root.join(path);
    for dir in dirs {
        let mut d = dir.as_path();
        while d.starts_with(&top) && d != root {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            match d.parent() {
                Some(p) => d = p,
                None => break,
            }
        }
    }
    Ok(())
}

/// Reverts one hunk of the unstaged diff of `path` in the working tree. Fails with
/// [`GitError::StaleHunk`] (touching nothing) when the file changed since the diff was shown,
/// and also when the working-tree file is converted on its way in (`core.autocrlf`, `eol`
/// attributes, filters): the diff shows the converted bytes, which are not the file's.
pub fn discard_hunk(repo: &Path, path: &str, hunk: HunkId) -> Result<(), GitError> {
    let repo = open(repo)?;
    let path = check_relative(path)?;
    let stale = || GitError::StaleHunk {
        path: path.to_string(),
    };
    let (file, raw) = file_patch(&repo, path, &DiffTarget::Unstaged)?;
    let h = file
        .hunks
        .iter()
        .position(|h| h.id == hunk)
        .ok_or_else(stale)?;
    let hunk = raw.get(h).ok_or_else(stale)?;
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.path().to_path_buf()))?;
    let full = root.join(path);
    if file.change == FileChange::Added && raw.len() == 1 {
        return std::fs::remove_file(&full).map_err(|e| GitError::Other(format!("{path}: {e}")));
    }
    let base = std::fs::read(&full).map_err(|e| GitError::Other(format!("{path}: {e}")))?;
    let selected = vec![true; hunk.lines.len()];
    let content = apply(&base, hunk, &selected, Direction::Unstage).ok_or_else(stale)?;
    std::fs::write(&full, content).map_err(|e| GitError::Other(format!("{path}: {e}")))
}
