//! Everything the status pane shows, read with one open repository: the status, ahead/behind of
//! the upstream, the message of a merge in progress and the origin URL. The status job used to
//! open the repository four times (once per question); on a large tree each open is cheap, but
//! the rereads of config and refs add up on every refresh.

use std::path::Path;

use git2::{Repository, RepositoryState};

use super::GitError;
use super::repo::open;
use super::status::StatusSnapshot;
use super::status_engine::scan;
use super::status_incremental::refresh;

/// What the status pane needs, from one read.
#[derive(Debug, Clone)]
pub struct WorktreeSummary {
    /// The status, reusable by [`refresh_summary`].
    pub snapshot: StatusSnapshot,
    /// `(ahead, behind)` of the current branch against its upstream; `None` when detached,
    /// unborn, without upstream, or when it cannot be compared.
    pub ahead_behind: Option<(usize, usize)>,
    /// The prepared message of a merge in progress (`MERGE_MSG` without comment lines).
    pub merge_message: Option<String>,
    /// The URL of `origin`, when there is one.
    pub origin_url: Option<String>,
}

/// The full read: a full status scan plus the rest.
pub fn read_summary(repo: &Path) -> Result<WorktreeSummary, GitError> {
    let repository = open(repo)?;
    let snapshot = scan(&repository)?;
    Ok(rest(&repository, snapshot))
}

/// As [`read_summary`] after the watcher reported `changed` paths since `previous`
/// (see [`super::status::status_incremental`] for when it falls back to a full scan).
pub fn refresh_summary(
    repo: &Path,
    previous: &WorktreeSummary,
    changed: &[std::path::PathBuf],
    overflowed: bool,
) -> Result<WorktreeSummary, GitError> {
    let repository = open(repo)?;
    let (snapshot, _) = refresh(&repository, &previous.snapshot, changed, overflowed)?;
    Ok(rest(&repository, snapshot))
}

fn rest(repo: &Repository, snapshot: StatusSnapshot) -> WorktreeSummary {
    WorktreeSummary {
        snapshot,
        // An upstream that cannot be compared is not an error for the status pane.
        ahead_behind: super::log::ahead_behind_of(repo).ok().flatten(),
        merge_message: merge_message(repo),
        origin_url: repo
            .find_remote("origin")
            .ok()
            .and_then(|r| r.url().ok().map(str::to_string)),
    }
}

/// As `merge::merge_in_progress(..).message`, on an open repository.
fn merge_message(repo: &Repository) -> Option<String> {
    if repo.state() != RepositoryState::Merge {
        return None;
    }
    let raw = std::fs::read(repo.path().join("MERGE_MSG")).unwrap_or_default();
    Some(
        git2::message_prettify(String::from_utf8_lossy(&raw).as_ref(), Some(b'#'))
            .unwrap_or_default(),
    )
}
