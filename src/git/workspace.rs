//! The workspace view's git side: finding clones under a directory, and one small summary of
//! each (branch, changed files, ahead/behind its upstream, last fetch, origin URL); and the
//! fast-forward a bulk pull makes where a clone is clean.
//!
//! A summary never fails: a clone that cannot be read says why in its row, and the scan goes
//! on with the others.

use std::path::{Path, PathBuf};

use git2::{BranchType, Repository, StatusOptions};

use super::GitError;
use super::repo::{open, other};

/// How deep under the workspace root clones are looked for (`<root>/<team>/<repo>` and one
/// more level); a clone's own directories are never walked.
pub const MAX_DEPTH: usize = 3;

/// Where HEAD of a clone is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloneHead {
    /// On a branch.
    Branch(String),
    /// Detached at this commit (its first 8 characters).
    Detached(String),
    /// On a branch with no commit yet.
    Unborn(String),
}

/// One clone, as the workspace shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneSummary {
    /// Its work tree.
    pub path: PathBuf,
    /// The URL of `origin`.
    pub origin_url: Option<String>,
    /// Current branch, or detached.
    pub head: Option<CloneHead>,
    /// Changed files: staged, unstaged, untracked (an untracked directory counts once, as
    /// `git status` shows it) and conflicted.
    pub changed: usize,
    /// The upstream of the current branch (`origin/main`).
    pub upstream: Option<String>,
    /// `(ahead, behind)` the upstream.
    pub ahead_behind: Option<(usize, usize)>,
    /// When it was last fetched (`FETCH_HEAD`'s modification time, seconds since the epoch).
    pub last_fetch: Option<i64>,
    /// Why it could not be read, when it could not.
    pub error: Option<String>,
}

impl CloneSummary {
    /// The directory's name.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// Whether `dir` is the top of a work tree (has a `.git` directory or file).
pub fn is_clone(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(".git")).is_ok()
}

/// Walks `root` for clones (at most [`MAX_DEPTH`] levels down), calling `found` for each as
/// soon as it is seen; stops when `found` returns false. Hidden directories are skipped;
/// unreadable ones are passed over.
pub fn find_clones(root: &Path, found: &mut dyn FnMut(PathBuf) -> bool) {
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        if is_clone(&dir) {
            if !found(dir) {
                return;
            }
            continue;
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut children: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .map(|e| e.path())
            .collect();
        // Sorted, reversed for the stack: clones are found in name order.
        children.sort();
        pending.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
    }
}

/// The summary of the clone at `path`.
pub fn summarize(path: &Path) -> CloneSummary {
    let mut summary = CloneSummary {
        path: path.to_path_buf(),
        origin_url: None,
        head: None,
        changed: 0,
        upstream: None,
        ahead_behind: None,
        last_fetch: None,
        error: None,
    };
    if let Err(error) = fill(path, &mut summary) {
        summary.error = Some(error.to_string());
    }
    summary
}

fn fill(path: &Path, summary: &mut CloneSummary) -> Result<(), GitError> {
    let repository = open(path)?;
    summary.origin_url = repository
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string));
    summary.last_fetch = std::fs::metadata(repository.path().join("FETCH_HEAD"))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64);
    summary.head = head(&repository);
    if let Some(CloneHead::Branch(name)) = &summary.head
        && let Ok(branch) = repository.find_branch(name, BranchType::Local)
        && let Ok(upstream) = branch.upstream()
    {
        summary.upstream = upstream.name().ok().flatten().map(str::to_string);
    }
    summary.ahead_behind = super::log::ahead_behind_of(&repository)?;
    summary.changed = changed(&repository)?;
    Ok(())
}

fn head(repository: &Repository) -> Option<CloneHead> {
    match repository.head() {
        Ok(head) if head.is_branch() => Some(CloneHead::Branch(
            head.shorthand().unwrap_or("?").to_string(),
        )),
        Ok(head) => head.target().map(|id| {
            let id = id.to_string();
            CloneHead::Detached(id.get(..8).unwrap_or(&id).to_string())
        }),
        Err(_) => {
            let reference = repository.find_reference("HEAD").ok()?;
            let target = reference.symbolic_target().ok().flatten()?;
            Some(CloneHead::Unborn(
                target
                    .strip_prefix("refs/heads/")
                    .unwrap_or(target)
                    .to_string(),
            ))
        }
    }
}

/// Changed paths, as `git status --porcelain` counts its lines.
fn changed(repository: &Repository) -> Result<usize, GitError> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(false)
        .include_ignored(false)
        .exclude_submodules(true);
    Ok(repository.statuses(Some(&mut opts)).map_err(other)?.len())
}

/// How a clean fast-forward went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FastForward {
    /// Nothing to take.
    UpToDate,
    /// The branch moved to its upstream's tip (full id).
    Moved {
        /// Where it was.
        from: String,
        /// Where it is now.
        to: String,
    },
    /// Not done, and why (uncommitted changes, diverged, no upstream, detached).
    Skipped(String),
}

/// Fast-forwards the current branch to its (already fetched) upstream when the work tree is
/// clean and the branch has no commits of its own; anything else is skipped, saying why.
pub fn fast_forward(path: &Path) -> Result<FastForward, GitError> {
    let repository = open(path)?;
    let Some(CloneHead::Branch(name)) = head(&repository) else {
        return Ok(FastForward::Skipped("HEAD is not on a branch".into()));
    };
    let branch = repository
        .find_branch(&name, BranchType::Local)
        .map_err(other)?;
    let Ok(upstream) = branch.upstream() else {
        return Ok(FastForward::Skipped(format!("{name} has no upstream")));
    };
    let (Some(local), Some(remote)) = (branch.get().target(), upstream.get().target()) else {
        return Ok(FastForward::Skipped("the upstream cannot be read".into()));
    };
    let (ahead, behind) = repository
        .graph_ahead_behind(local, remote)
        .map_err(other)?;
    if behind == 0 {
        return Ok(FastForward::UpToDate);
    }
    if ahead > 0 {
        return Ok(FastForward::Skipped(format!(
            "diverged ({ahead} ahead, {behind} behind): pull in the clone to merge"
        )));
    }
    if repository.state() != git2::RepositoryState::Clean || changed(&repository)? > 0 {
        return Ok(FastForward::Skipped(
            "uncommitted changes: commit or stash them, then pull".into(),
        ));
    }
    let target = repository.find_commit(remote).map_err(other)?;
    let mut checkout = git2::build::CheckoutBuilder::new();
    checkout.safe();
    repository
        .checkout_tree(target.as_object(), Some(&mut checkout))
        .map_err(other)?;
    repository
        .find_reference(&format!("refs/heads/{name}"))
        .and_then(|mut r| r.set_target(remote, "cctui: fast-forward (workspace pull)"))
        .map_err(other)?;
    Ok(FastForward::Moved {
        from: local.to_string(),
        to: remote.to_string(),
    })
}
