//! Push, fetch, pull and ahead/behind against a configured remote (`origin`).
//!
//! libgit2 runs on a scoped worker thread; the calling thread calls `on_progress` about every
//! 100 ms and on changes, and a `false` raises a cancel flag that libgit2's callbacks check
//! (see [`crate::git::clone`] for the same scheme).

use std::path::Path;

use crate::git::{Auth, GitError};

/// What to push where.
#[derive(Debug, Clone)]
pub struct PushRequest {
    /// Remote name, e.g. `origin`.
    pub remote: String,
    /// Local branch name (short, e.g. `feature/x`).
    pub local_branch: String,
    /// Remote branch name (short); the same as `local_branch` for `git push origin <branch>`.
    pub remote_branch: String,
    /// Record the pushed branch as the local branch's upstream (`-u`).
    pub set_upstream: bool,
    /// Force, but only if the remote branch is still where our remote-tracking branch says
    /// (`--force-with-lease`); otherwise [`GitError::StaleLease`].
    pub force_with_lease: bool,
    /// Credentials.
    pub auth: Auth,
}

/// A progress report of a fetch or push.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TransferProgress {
    /// Connecting, authenticating, negotiating.
    #[default]
    Connecting,
    /// Receiving objects.
    Objects {
        /// Received.
        current: usize,
        /// To receive.
        total: usize,
        /// Bytes received.
        bytes: usize,
    },
    /// Resolving received deltas.
    Deltas {
        /// Resolved.
        current: usize,
        /// To resolve.
        total: usize,
    },
    /// Building the pack to push.
    Packing {
        /// Objects done.
        current: usize,
        /// Objects in the pack.
        total: usize,
    },
    /// Sending objects.
    Pushing {
        /// Sent.
        current: usize,
        /// To send.
        total: usize,
        /// Bytes sent.
        bytes: usize,
    },
}

/// What a fetch changed under `refs/remotes/<remote>/` (and tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FetchOutcome {
    /// Refs created or moved.
    pub updated_refs: usize,
    /// Refs deleted by pruning.
    pub pruned_refs: usize,
}

/// What a pull did to the current branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullOutcome {
    /// Nothing new upstream.
    UpToDate,
    /// The branch moved forward to the upstream.
    FastForward {
        /// Old tip.
        from: String,
        /// New tip.
        to: String,
    },
    /// A merge commit was made.
    Merged {
        /// The merge commit.
        commit: String,
    },
    /// The merge stopped on conflicts: the repository is in merge state, these paths are
    /// conflicted.
    Conflicts {
        /// Conflicted paths, sorted.
        files: Vec<String>,
    },
}

/// Pushes `request.local_branch` to `request.remote_branch` on `request.remote`.
pub fn push(
    repo: &Path,
    request: &PushRequest,
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
) -> Result<(), GitError> {
    let _ = (repo, request, on_progress);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Fetches `remote` with its configured refspecs; `prune` deletes remote-tracking branches
/// gone from the remote.
pub fn fetch(
    repo: &Path,
    remote: &str,
    auth: Auth,
    prune: bool,
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
) -> Result<FetchOutcome, GitError> {
    let _ = (repo, remote, auth, prune, on_progress);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Fetches `remote`, then brings the current branch up to its upstream: fast-forward when
/// possible, else a merge commit, else conflicts left in merge state.
pub fn pull(
    repo: &Path,
    remote: &str,
    auth: Auth,
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
) -> Result<PullOutcome, GitError> {
    let _ = (repo, remote, auth, on_progress);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// `(ahead, behind)` of the current branch against its upstream; `None` when HEAD is detached
/// or unborn, or the branch has no upstream (or its remote-tracking branch is gone).
pub fn ahead_behind(repo: &Path) -> Result<Option<(usize, usize)>, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}
