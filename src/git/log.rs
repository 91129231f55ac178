//! History, a page at a time, and the current branch against its upstream.
//!
//! A page is a revision walk in git's default order (newest first, not topological), stopped after
//! `limit` commits: the first page costs the same on a 10-commit and a 100,000-commit history.
//!
//! The cursor for the next page carries the walk's frontier — the commits whose children were
//! shown but which were not shown themselves — so the next page resumes the walk from there
//! instead of re-walking from the tip: a page 50,000 commits down costs what the first one does.
//! With merges the frontier holds one commit per open line of history, and a walk from all of
//! them yields exactly what a walk from the tip would yield next (date order; a commit dated
//! after one of its children, i.e. clock skew, is where git's own order is arbitrary too).
//! The cursor also names the tip it started from: when the branch moved since, the next page
//! walks from the new tip and skips to the last commit shown, so it stays right.

use std::path::Path;

use super::GitError;
use git2::{ErrorCode, Oid};

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
    let cursor = after.map(Cursor::parse).transpose()?;
    let mut walk = match &cursor {
        Some(cursor) if cursor.tip == Some(start) => {
            DateWalk::resume(&repo, &cursor.frontier, &cursor.seen)?
        }
        Some(cursor) => {
            // The branch moved (or an old cursor): walk from the tip and skip to the last commit
            // shown. If it is gone (history rewritten), say so: the UI starts over.
            let mut walk = DateWalk::new(&repo, &[start])?;
            loop {
                match walk.next()? {
                    Some(commit) if commit.id() == cursor.last => break,
                    Some(_) => {}
                    None => return Err(GitError::RevisionNotFound(cursor.last.to_string())),
                }
            }
            walk
        }
        None => DateWalk::new(&repo, &[start])?,
    };
    let mut page = Vec::with_capacity(limit.min(1024));
    while page.len() < limit {
        match walk.next()? {
            Some(commit) => page.push(info(&commit)),
            None => break,
        }
    }
    let (frontier, seen) = walk.frontier();
    let next = match (page.last(), frontier.is_empty()) {
        (Some(last), false) => Some(
            Cursor {
                tip: Some(start),
                last: Oid::from_str(&last.id).map_err(other)?,
                frontier,
                seen,
            }
            .encode(),
        ),
        _ => None,
    };
    Ok((page, next))
}

/// git log's default order, resumable: newest committer date first, ties in the order the
/// commits were queued (as libgit2 and git insert by date). What is queued but not shown yet
/// is the frontier a cursor carries.
struct DateWalk<'r> {
    repo: &'r git2::Repository,
    queue: std::collections::BinaryHeap<(i64, std::cmp::Reverse<u64>, Oid)>,
    queued: std::collections::HashSet<Oid>,
    sequence: u64,
    /// Commits shown by this walk (or a page before it) with their committer time: those no
    /// older than the frontier can still be reached from it (equal timestamps, clock skew),
    /// so the cursor carries them and a resumed walk never shows them twice.
    shown: Vec<(i64, Oid)>,
}

impl<'r> DateWalk<'r> {
    fn new(repo: &'r git2::Repository, starts: &[Oid]) -> Result<DateWalk<'r>, GitError> {
        Self::resume(repo, starts, &[])
    }

    /// A walk from a cursor's frontier, knowing the commits already shown that it could reach.
    fn resume(
        repo: &'r git2::Repository,
        starts: &[Oid],
        seen: &[Oid],
    ) -> Result<DateWalk<'r>, GitError> {
        let mut walk = DateWalk {
            repo,
            queue: std::collections::BinaryHeap::new(),
            queued: seen.iter().copied().collect(),
            sequence: 0,
            shown: Vec::new(),
        };
        for id in seen {
            if let Ok(commit) = repo.find_commit(*id) {
                walk.shown.push((commit.time().seconds(), *id));
            }
        }
        for id in starts {
            walk.enqueue(*id)?;
        }
        Ok(walk)
    }

    fn enqueue(&mut self, id: Oid) -> Result<(), GitError> {
        if !self.queued.insert(id) {
            return Ok(());
        }
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|_| GitError::RevisionNotFound(id.to_string()))?;
        self.sequence += 1;
        self.queue.push((
            commit.time().seconds(),
            std::cmp::Reverse(self.sequence),
            id,
        ));
        Ok(())
    }

    fn next(&mut self) -> Result<Option<git2::Commit<'r>>, GitError> {
        let Some((_, _, id)) = self.queue.pop() else {
            return Ok(None);
        };
        let commit = self.repo.find_commit(id).map_err(other)?;
        self.shown.push((commit.time().seconds(), id));
        for parent in commit.parent_ids() {
            self.enqueue(parent)?;
        }
        Ok(Some(commit))
    }

    /// The queued commits in the order they would come out, and the shown ones a walk from
    /// them could still reach (not older than the oldest of them).
    fn frontier(self) -> (Vec<Oid>, Vec<Oid>) {
        let mut rest = self.queue.into_vec();
        rest.sort_by(|a, b| b.cmp(a));
        let oldest = rest.iter().map(|(time, _, _)| *time).min();
        let newest = rest.iter().map(|(time, _, _)| *time).max();
        let seen = match (oldest, newest) {
            (Some(oldest), Some(newest)) => {
                let mut seen: Vec<Oid> = self
                    .shown
                    .iter()
                    .rev()
                    .filter(|(time, _)| (oldest..=newest + SKEW_SLACK).contains(time))
                    .map(|(_, id)| *id)
                    .take(MAX_SEEN)
                    .collect();
                seen.reverse();
                seen
            }
            _ => Vec::new(),
        };
        (rest.into_iter().map(|(_, _, id)| id).collect(), seen)
    }
}

/// How much newer than the newest frontier commit a shown commit may be and still be reached
/// from it. Equal timestamps (scripted imports, rebases) are the case that matters; skew
/// beyond that is as arbitrary here as in git's own order.
const SKEW_SLACK: i64 = 0;

/// The most shown commits a cursor carries (a history where thousands of commits share one
/// second would otherwise grow the cursor with every page).
const MAX_SEEN: usize = 5_000;

/// Where the next page starts: the tip the walk began at, the last commit shown, and the
/// frontier (see the module docs). Written as `tip:last:f1,f2,…`; a bare commit id (a cursor
/// from an older cctui) means "after this commit", found by re-walking.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    tip: Option<Oid>,
    last: Oid,
    frontier: Vec<Oid>,
    seen: Vec<Oid>,
}

impl Cursor {
    fn parse(text: &str) -> Result<Cursor, GitError> {
        let bad = || GitError::RevisionNotFound(text.to_string());
        let oid = |hex: &str| Oid::from_str(hex).map_err(|_| bad());
        match text.split(':').collect::<Vec<_>>().as_slice() {
            [last] => Ok(Cursor {
                tip: None,
                last: oid(last)?,
                frontier: Vec::new(),
                seen: Vec::new(),
            }),
            [tip, last, frontier, rest @ ..] if rest.len() <= 1 => {
                let ids = |list: &str| {
                    list.split(',')
                        .filter(|f| !f.is_empty())
                        .map(oid)
                        .collect::<Result<Vec<_>, _>>()
                };
                Ok(Cursor {
                    tip: Some(oid(tip)?),
                    last: oid(last)?,
                    frontier: ids(frontier)?,
                    seen: rest
                        .first()
                        .map(|s| ids(s))
                        .transpose()?
                        .unwrap_or_default(),
                })
            }
            _ => Err(bad()),
        }
    }

    fn encode(&self) -> String {
        let join = |ids: &[Oid]| ids.iter().map(Oid::to_string).collect::<Vec<_>>().join(",");
        format!(
            "{}:{}:{}:{}",
            self.tip.map(|t| t.to_string()).unwrap_or_default(),
            self.last,
            join(&self.frontier),
            join(&self.seen)
        )
    }
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
    ahead_behind_of(&open(repo)?)
}

/// As [`ahead_behind`], on an open repository.
pub(crate) fn ahead_behind_of(repo: &git2::Repository) -> Result<Option<(usize, usize)>, GitError> {
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
