//! Blocking git operations on top of git2 (libgit2), one file per area, in the style of gitui's
//! `asyncgit/src/sync`: small functions that open what they need, block, and return
//! `Result<T, GitError>`. Jobs wrap them in `spawn_blocking`; nothing here knows the UI.
//!
//! - [`clone`](mod@clone): clone with progress, cancellation and cleanup of the partial directory,
//!   and a remote HEAD that names no existing branch settled ([`CloneOutcome`]);
//! - [`auth`]: the credential methods and the bounded credential callback;
//! - [`ssh_config`]: the CodeCommit `Host` block of `~/.ssh/config`, default identity files;
//! - [`known_hosts`]: SSH host key checking against a `known_hosts` file (SHA256 fingerprints);
//! - [`commit`]: commit the index (message checks, hooks, amend, merge commits), cancellable up
//!   to its point of no return ([`commit_with`]);
//! - [`hooks`]: the client-side hooks as git runs them, each in its own process group, under a
//!   timeout and the caller's cancel check;
//! - [`identity`]: `user.name` / `user.email` from the configuration;
//! - [`remote`]: push (with upstream and force-with-lease), fetch (with prune), pull,
//!   ahead/behind;
//! - [`branch`]: local and remote-tracking branches: list, create, switch, delete, rename, name
//!   validation (git's rules and CodeCommit's);
//! - [`merge`]: merge a branch (fast-forward, merge commit, conflicts), resolve, abort;
//! - [`stash`]: save, list, apply, pop, drop;
//! - [`status`]: the working tree's status from its own engine (`status_engine`: `.git/index`
//!   read directly, parallel `lstat` against git's stat rules, cache-tree for the staged side,
//!   untracked directories collapsed as `git status` shows them), an incremental refresh from
//!   the watcher's paths, and [`status_summary`]: everything the status pane shows from one
//!   open repository;
//! - [`undo`] and [`undo_log`]: what cctui changed, logged per clone in the data dir, and
//!   taken back from the reflog (and, for a discard, the blobs it kept under
//!   `refs/cctui/undo/`), refused when work made since is in the way;
//! - [`workspace`]: clones under a directory, a summary of each, a clean fast-forward;
//! - `pathspec`: paths given to git are literal (`app/[id]`, `notes*.txt`, `#draft`), never
//!   read as globs, negations or comments by libgit2.
//!
//! Cancel: a write operation that takes an `is_cancelled: &dyn Fn() -> bool` (no tokio type
//! here) asks it only where stopping leaves nothing half done, and says where in its docs;
//! a cancel is [`GitError::Cancelled`] or [`GitError::HookCancelled`]
//! ([`GitError::is_cancelled`]), and nothing was changed by the call.

pub mod auth;
pub mod blob_diff;
pub mod branch;
pub mod clone;
pub mod commit;
pub mod credential_setup;
pub mod diff;
pub mod discard;
pub mod hooks;
pub mod identity;
pub mod known_hosts;
pub mod log;
pub mod ls_remote;
pub mod merge;
pub mod message_file;
pub(crate) mod pathspec;
pub mod pr_draft;
pub mod remote;
pub mod repo;
pub mod signing;
pub mod ssh_config;
pub mod ssh_setup;
pub mod stage;
pub mod stash;
pub mod status;
pub(crate) mod status_engine;
pub(crate) mod status_incremental;
pub(crate) mod status_index_file;
pub(crate) mod status_staged;
pub mod status_summary;
pub(crate) mod status_tracked;
pub(crate) mod status_untracked;
pub mod undo;
pub mod undo_log;
pub mod workspace;

use std::path::PathBuf;

pub use auth::Auth;
pub use clone::{
    CloneOutcome, ClonePhase, CloneProgress, CloneRequest, checkout_remote_branch, clone,
    clone_with,
};
pub use commit::{CommitControl, CommitOutcome, CommitRequest, commit, commit_with};
pub use identity::{
    Identity, IdentityScope, IdentityWritten, identity, identity_preview, set_identity,
};
pub use remote::{
    FetchOutcome, PullOutcome, PushRequest, TransferProgress, ahead_behind, fetch, pull, push,
    remote_url,
};
pub use ssh_config::{
    SshSettings, codecommit_ssh_settings, default_identity_files, ssh_auth_for_host,
};

/// Process-wide libgit2 settings, applied once (every operation here calls it; the app may call
/// it at start-up so the settings hold from the first git call on). Like git, objects are
/// hashed when they arrive (the indexer verifies every object of a fetched pack) but not again
/// each time they are read back; libgit2 re-hashes every read by default, which made a 50 MB
/// clone's checkout ~25% slower than `git clone`.
pub fn init_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| git2::opts::strict_hash_verification(false));
}

/// Error of a git operation; `Display` is the user-facing message, [`GitError::hint`] says what
/// to do about it. No variant ever carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The user cancelled; the partial directory was removed.
    #[error("cancelled")]
    Cancelled,
    /// The clone target exists and is not empty; nothing was touched.
    #[error("{} already exists and is not empty", .0.display())]
    TargetNotEmpty(PathBuf),
    /// Every credential of `method` was tried once and refused.
    #[error("authentication failed ({method}) as {user}")]
    AuthFailed {
        /// `IAM`, `HTTPS Git credentials`, `git credential helper`, `SSH`.
        method: &'static str,
        /// The user name shown (access key id, git user, SSH key id), never a secret.
        user: String,
        /// What to check.
        hint: String,
    },
    /// The SSH server's host key is not in known_hosts; ask the user, then retry with
    /// `Auth::Ssh { trusted_fingerprint: Some(fingerprint), .. }`.
    #[error("unknown SSH host key for {host}: {fingerprint}")]
    UnknownHostKey {
        /// Host (and `:port` when not 22).
        host: String,
        /// `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it.
        fingerprint: String,
    },
    /// The SSH host key differs from the one in known_hosts (possible man in the middle).
    #[error("the SSH host key of {host} changed: {fingerprint} is not the key in known_hosts")]
    HostKeyMismatch {
        /// Host (and `:port` when not 22).
        host: String,
        /// `SHA256:…` of the key the server offered.
        fingerprint: String,
    },
    /// The private key is encrypted and no passphrase (or a wrong one) was given; ask, then
    /// retry with `passphrase: Some(..)`.
    #[error("the SSH key {} needs its passphrase", .key.display())]
    PassphraseNeeded {
        /// The key file.
        key: PathBuf,
    },
    /// The connection dropped, was refused or timed out.
    #[error("network error: {message}")]
    Network {
        /// What happened (libgit2's message).
        message: String,
        /// What to check.
        hint: String,
    },
    /// The directory is not inside a git working tree (or is a bare repository).
    #[error("{} is not a git working tree", .0.display())]
    NotARepository(PathBuf),
    /// HEAD points to a branch with no commit yet, and the operation needs one.
    #[error("the current branch has no commit yet")]
    NoHead,
    /// The path is neither in the working tree nor in the index.
    #[error("{0}: no such file in the working tree or the index")]
    PathNotFound(String),
    /// The hunk (or line selection) no longer matches the file: it changed since the diff was
    /// shown. Refresh the diff and try again.
    #[error("the changes in {path} moved since the diff was shown")]
    StaleHunk {
        /// The file.
        path: String,
    },
    /// The revision (commit id, branch, tag) does not exist.
    #[error("no such revision: {0}")]
    RevisionNotFound(String),
    /// `user.name` and/or `user.email` are not configured.
    #[error("who are you? {missing} is not set in git's configuration")]
    MissingIdentity {
        /// `user.name`, `user.email` or `user.name and user.email`.
        missing: &'static str,
    },
    /// The commit message is empty (after clean-up and hooks).
    #[error("the commit message is empty")]
    EmptyMessage,
    /// Nothing staged: the commit's tree would equal its parent's.
    #[error("nothing to commit: no changes are staged")]
    NothingToCommit,
    /// Amend with no commit on HEAD yet.
    #[error("there is no commit to amend yet")]
    NothingToAmend,
    /// A hook exited with a non-zero status; nothing was committed.
    #[error("the {hook} hook failed")]
    HookFailed {
        /// `pre-commit`, `commit-msg`, …
        hook: String,
        /// Its stdout and stderr, interleaved.
        output: String,
    },
    /// A hook ran longer than allowed: its process group was killed; nothing was committed.
    #[error("the {hook} hook timed out after {}", duration_words(.after))]
    HookTimedOut {
        /// `pre-commit`, `commit-msg`, …
        hook: String,
        /// The limit it ran into.
        after: std::time::Duration,
    },
    /// The user cancelled while a hook ran: its process group was killed; nothing was
    /// committed. [`GitError::is_cancelled`] is true for it.
    #[error("cancelled while the {hook} hook ran")]
    HookCancelled {
        /// `pre-commit`, `commit-msg`, …
        hook: String,
    },
    /// The index still has conflicts.
    #[error("unresolved conflicts in {}", .files.join(", "))]
    UnresolvedConflicts {
        /// Conflicted paths.
        files: Vec<String>,
    },
    /// Local changes would be overwritten (pull on a dirty tree).
    #[error("local changes would be overwritten: {}", .files.join(", "))]
    UncommittedChanges {
        /// Paths in the way (may be empty when libgit2 does not say).
        files: Vec<String>,
    },
    /// HEAD is not on a branch (or the branch has no commit) where one is needed.
    #[error("HEAD is not on a branch with commits")]
    NoBranch,
    /// The local branch to push does not exist.
    #[error("no local branch {0}")]
    BranchNotFound(String),
    /// The current branch has no upstream to pull from (on this remote).
    #[error("the branch {branch} has no upstream on {remote}")]
    NoUpstream {
        /// Current branch.
        branch: String,
        /// The remote asked for.
        remote: String,
    },
    /// The remote refused the update (non-fast-forward, or its own rule); nothing changed
    /// locally.
    #[error("push of {branch} rejected: {reason}")]
    PushRejected {
        /// Remote branch.
        branch: String,
        /// Why (libgit2's or the server's words).
        reason: String,
        /// What to do.
        hint: String,
    },
    /// Force-with-lease refused: the remote branch is not where our remote-tracking branch
    /// says (someone pushed since the last fetch). Nothing was pushed.
    #[error("the remote {branch} moved (expected {}, found {}); not forcing", short(.expected), short(.actual))]
    StaleLease {
        /// Remote branch.
        branch: String,
        /// Our remote-tracking branch's commit (`None`: we know of no such branch).
        expected: Option<String>,
        /// The remote's commit (`None`: no such branch there).
        actual: Option<String>,
    },
    /// The branch name is refused (git's `check-ref-format` rules, or CodeCommit's).
    #[error("invalid branch name {name:?}: {reason}")]
    InvalidBranchName {
        /// The name asked for.
        name: String,
        /// Why, in words.
        reason: String,
    },
    /// A local branch of that name exists already.
    #[error("a branch named {0} already exists")]
    BranchExists(String),
    /// The branch has commits that are neither in HEAD nor in its upstream.
    #[error("the branch {branch} is not fully merged")]
    BranchNotMerged {
        /// The branch.
        branch: String,
    },
    /// The current branch cannot be deleted.
    #[error("cannot delete {0}: it is the current branch")]
    CurrentBranch(String),
    /// A merge is in progress (MERGE_HEAD) and the operation needs it concluded first.
    #[error("a merge is in progress")]
    MergeInProgress,
    /// There is no merge in progress to abort or resolve.
    #[error("no merge is in progress")]
    NoMergeInProgress,
    /// The file is not in conflict.
    #[error("{0} is not in conflict")]
    NotInConflict(String),
    /// No local changes to stash.
    #[error("no local changes to stash")]
    NothingToStash,
    /// No stash entry at that index.
    #[error("no stash entry {0}")]
    StashNotFound(usize),
    /// Anything else (libgit2's message).
    #[error("{0}")]
    Other(String),
    /// An undo would lose work made since (or cannot be done); nothing was changed.
    #[error("cannot undo: {reason}")]
    UndoRefused {
        /// What is in the way.
        reason: String,
        /// What to do.
        hint: String,
    },
}

/// `10 s`, `10 min`, `1500 ms`: a limit as the user set it.
fn duration_words(d: &std::time::Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 || secs == 0 {
        format!("{} ms", d.as_millis())
    } else if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

fn short(id: &Option<String>) -> String {
    match id {
        Some(id) => id.chars().take(8).collect(),
        None => "nothing".to_string(),
    }
}

impl GitError {
    /// The operation stopped because the user cancelled it (before its point of no return):
    /// [`GitError::Cancelled`] or [`GitError::HookCancelled`]. Nothing was changed by it.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, GitError::Cancelled | GitError::HookCancelled { .. })
    }

    /// What the user can do about the error, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            GitError::Cancelled => None,
            GitError::TargetNotEmpty(_) => {
                Some("choose another directory, or empty this one first".to_string())
            }
            GitError::AuthFailed { hint, .. } | GitError::Network { hint, .. } => {
                Some(hint.clone())
            }
            GitError::UnknownHostKey { .. } => Some(
                "compare the fingerprint with the one AWS publishes for CodeCommit, then trust it"
                    .to_string(),
            ),
            GitError::HostKeyMismatch { .. } => Some(
                "do not continue unless you know why the key changed; then fix known_hosts"
                    .to_string(),
            ),
            GitError::PassphraseNeeded { .. } => Some("enter the key's passphrase".to_string()),
            GitError::NotARepository(_) => {
                Some("open the directory of a cloned repository, or clone one first".to_string())
            }
            GitError::NoHead => Some("make a first commit".to_string()),
            GitError::StaleHunk { .. } => Some("refresh the diff and try again".to_string()),
            GitError::PathNotFound(_) | GitError::RevisionNotFound(_) => {
                Some("refresh and try again".to_string())
            }
            GitError::MissingIdentity { .. } => Some(
                "run `git config --global user.name \"Your Name\"` and `git config --global user.email \"you@example.com\"`"
                    .to_string(),
            ),
            GitError::EmptyMessage => Some("write a commit message".to_string()),
            GitError::NothingToCommit => {
                Some("stage changes first (or allow an empty commit)".to_string())
            }
            GitError::NothingToAmend => Some("make a first commit instead".to_string()),
            GitError::HookTimedOut { hook, .. } => Some(match hook.as_str() {
                "pre-commit" | "commit-msg" => format!(
                    "run the {hook} hook by hand to see where it hangs, or skip hooks (--no-verify)"
                ),
                _ => format!("run the {hook} hook by hand to see where it hangs"),
            }),
            GitError::HookCancelled { .. } => None,
            GitError::HookFailed { .. } => {
                Some("fix what the hook reports, or skip hooks (--no-verify)".to_string())
            }
            GitError::UnresolvedConflicts { .. } => {
                Some("resolve the conflicts and stage the files first".to_string())
            }
            GitError::UncommittedChanges { .. } => {
                Some("commit or stash your changes first".to_string())
            }
            GitError::NoBranch => Some("check out a branch first".to_string()),
            GitError::BranchNotFound(_) => None,
            GitError::NoUpstream { .. } => {
                Some("push the branch with \"set upstream\", or set its upstream".to_string())
            }
            GitError::PushRejected { hint, .. } => Some(hint.clone()),
            GitError::StaleLease { .. } => {
                Some("fetch, look at what changed, then decide again".to_string())
            }
            GitError::InvalidBranchName { .. } => Some("choose another name".to_string()),
            GitError::BranchExists(_) => {
                Some("choose another name, or switch to the existing branch".to_string())
            }
            GitError::BranchNotMerged { .. } => Some(
                "merge it first, or delete it anyway (its commits stay reachable from the reflog for a while)"
                    .to_string(),
            ),
            GitError::CurrentBranch(_) => Some("switch to another branch first".to_string()),
            GitError::MergeInProgress => {
                Some("resolve the conflicts and commit, or abort the merge".to_string())
            }
            GitError::NoMergeInProgress | GitError::NotInConflict(_) => {
                Some("refresh and try again".to_string())
            }
            GitError::NothingToStash => None,
            GitError::StashNotFound(_) => Some("refresh the stash list".to_string()),
            GitError::Other(_) => None,
            GitError::UndoRefused { hint, .. } => Some(hint.clone()),
        }
    }
}
