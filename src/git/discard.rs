//! Discarding working-tree changes (the UI confirms first): a file or directory goes back to its
//! index version; untracked files are deleted.

use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{StatusOptions, StatusShow};

use super::GitError;
use super::diff::{DiffTarget, FileChange, HunkId, file_patch};
use super::repo::{check_relative, open, other};
use super::stage::{Direction, apply};

/// Puts `path` (file or directory) back as it is in the index; untracked files at or under
/// `path` are deleted (ignored files are kept). Staged changes are kept.
pub fn discard_path(repo: &Path, path: &str) -> Result<(), GitError> {
    let repo = open(repo)?;
    let path = check_relative(path)?;
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.path().to_path_buf()))?
        .to_path_buf();
    let exists = std::fs::symlink_metadata(root.join(path)).is_ok();
    let index = repo.index().map_err(other)?;
    let prefix = format!("{path}/");
    let in_index = index
        .iter()
        .any(|e| e.path == path.as_bytes() || e.path.starts_with(prefix.as_bytes()));
    if !exists && !in_index {
        return Err(GitError::PathNotFound(path.to_string()));
    }
    if in_index {
        let mut checkout = CheckoutBuilder::new();
        checkout
            .force()
            .remove_untracked(false)
            .recreate_missing(true)
            .path(path);
        repo.checkout_index(None, Some(&mut checkout))
            .map_err(other)?;
    }
    // Untracked files one by one (libgit2's `remove_untracked` takes an untracked directory
    // whole, ignored files in it included).
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .show(StatusShow::Workdir)
        .pathspec(path);
    let statuses = repo.statuses(Some(&mut opts)).map_err(other)?;
    let mut dirs = Vec::new();
    for entry in statuses.iter() {
        if !entry.status().contains(git2::Status::WT_NEW) {
            continue;
        }
        let rel = String::from_utf8_lossy(entry.path_bytes()).into_owned();
        if rel != path && !rel.starts_with(&prefix) {
            continue;
        }
        let full = root.join(&rel);
        let removed = if full.is_dir() && !full.is_symlink() {
            // A nested repository shown as one untracked entry: left alone.
            continue;
        } else {
            std::fs::remove_file(&full)
        };
        removed.map_err(|e| GitError::Other(format!("{rel}: {e}")))?;
        if let Some(parent) = full.parent() {
            dirs.push(parent.to_path_buf());
        }
    }
    // Directories emptied by the removals go too, up to `path` (never the root).
    let top = root.join(path);
    for dir in dirs {
        let mut d = dir.as_path();
        while d.starts_with(&top) && d != root.as_path() {
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
