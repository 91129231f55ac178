//! History, a page at a time, and the current branch against its upstream.
//!
//! A page is a revision walk in git's default order (newest first, not topological), stopped after
//! `limit` commits: the first page costs the same on a 10-commit and a 100,000-commit history.
//! The next page walks again from the start and skips to the commit after the cursor, so it stays
//! right when merges interleave branches and when new commits arrived in between.

use std::path::Path;

use super::GitError;
use git2::{ErrorCode, Oid, Sort};

use super::repo::{head_commit, open, other};

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
    if limit == 0 {
        return Ok((Vec::new(), after.map(str::to_string)));
    }
    let repo = open(repo)?;
    let start = match repo.revparse_single(rev) {
        Ok(object) => object.peel_to_commit().map_err(other)?.id(),
        Err(e) if rev == "HEAD" && head_commit(&repo)?.is_none() => {
            let _ = e;
            return Ok((Vec::new(), None));
        }
        Err(e) => {
            return Err(match e.code() {
                ErrorCode::NotFound | ErrorCode::Ambiguous | ErrorCode::InvalidSpec => {
                    GitError::RevisionNotFound(rev.to_string())
                }
                _ => other(e),
            });
        }
    };
    let after = match after {
        Some(id) => {
            Some(Oid::from_str(id).map_err(|_| GitError::RevisionNotFound(id.to_string()))?)
        }
        None => None,
    };
    let mut walk = repo.revwalk().map_err(other)?;
    // No explicit sorting: libgit2 then walks lazily, inserting parents by commit date, which is
    // `git log`'s default order. Any `Sort` flag (even `TIME`) makes it "limit" the walk first,
    // i.e. read the whole history before the first commit comes out.
    walk.set_sorting(Sort::NONE).map_err(other)?;
    walk.push(start).map_err(other)?;
    if let Some(after) = after {
        // Skip to the cursor. If it is gone (history rewritten), say so: the UI starts over.
        let mut found = false;
        for id in walk.by_ref() {
            if id.map_err(other)? == after {
                found = true;
                break;
            }
        }
        if !found {
            return Err(GitError::RevisionNotFound(after.to_string()));
        }
    }
    let mut page = Vec::with_capacity(limit.min(1024));
    for id in walk.by_ref() {
        if page.len() == limit {
            // There is at least one more: the next page starts after the last one shown.
            let next = page.last().map(|c: &CommitInfo| c.id.clone());
            return Ok((page, next));
        }
        let commit = repo.find_commit(id.map_err(other)?).map_err(other)?;
        page.push(info(&commit));
    }
    Ok((page, None))
}

fn info(commit: &git2::Commit<'_>) -> CommitInfo {
    let id = commit.id().to_string();
    let author = commit.author();
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let summary = message.lines().next().unwrap_or("").trim().to_string();
    CommitInfo {
        short_id: id.chars().take(7).collect(),
        id,
        summary,
        message,
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        time: author.when().seconds(),
        offset_minutes: author.when().offset_minutes(),
        parents: commit.parent_count(),
    }
}

/// `(ahead, behind)` of the current branch against its upstream; `None` when detached, unborn,
/// or without upstream.
pub fn ahead_behind(repo: &Path) -> Result<Option<(usize, usize)>, GitError> {
    let repo = open(repo)?;
    let Ok(head) = repo.head() else {
        return Ok(None);
    };
    if !head.is_branch() {
        return Ok(None);
    }
    let branch = git2::Branch::wrap(head);
    let upstream = match branch.upstream() {
        Ok(upstream) => upstream,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(other(e)),
    };
    let (Some(local), Some(remote)) = (branch.get().target(), upstream.get().target()) else {
        return Ok(None);
    };
    repo.graph_ahead_behind(local, remote)
        .map(Some)
        .map_err(other)
}
