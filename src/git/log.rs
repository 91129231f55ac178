//! History, a page at a time, and the current branch against its upstream.
//!
//! A page is a revision walk in git's default order (newest first, not topological), stopped after
//! `limit` commits: the first page costs the same on a 10-commit and a 100,000-commit history.
//! The next page walks again from the start and skips to the commit after the cursor, so it stays
//! right when merges interleave branches and when new commits arrived in between.

use std::path::Path;

use super::GitError;
use super::repo::other;

/// One commit, as the log pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// The first 7 hex digits.
    pub short_id: String,
    /// First line of the message.
    pub summary: String,
    /// The whole message.
    pub message: String,
    /// Author name.
    pub author: String,
    /// Author email.
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Author time zone offset, minutes east of UTC.
    pub offset_minutes: i32,
    /// Number of parents (2 or more: a merge).
    pub parents: usize,
}

/// A page of the history of HEAD: up to `limit` commits after `after` (a commit id from the
/// previous page's cursor; `None` for the first page). Returns the commits and the cursor for
/// the next page (`None` when the history ends). An unborn branch gives an empty page.
pub fn log_page(
    repo: &Path,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<CommitInfo>, Option<String>), GitError> {
    log_page_from(repo, "HEAD", after, limit)
}

/// As [`log_page`], for any revision (`main`, `origin/main`, a tag, an id).
pub fn log_page_from(
    repo: &Path,
    rev: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<CommitInfo>, Option<String>), GitError> {
    let _ = (repo, rev, after, limit);
    Err(other(git2::Error::from_str(
        "log_page: not implemented yet",
    )))
}

/// `(ahead, behind)` of the current branch against its upstream; `None` when detached, unborn,
/// or without upstream.
pub fn ahead_behind(repo: &Path) -> Result<Option<(usize, usize)>, GitError> {
    let _ = repo;
    Err(other(git2::Error::from_str(
        "ahead_behind: not implemented yet",
    )))
}
