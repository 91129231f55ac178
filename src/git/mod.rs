//! Blocking git operations on top of git2 (libgit2), one file per area, in the style of gitui's
//! `asyncgit/src/sync`: small functions that open what they need, block, and return
//! `Result<T, GitError>`. Jobs wrap them in `spawn_blocking`; nothing here knows the UI.
//!
//! - [`clone`](mod@clone): clone with progress, cancellation and cleanup of the partial directory;
//! - [`auth`]: the credential methods and the bounded credential callback;
//! - [`ssh_config`]: the CodeCommit `Host` block of `~/.ssh/config`, default identity files;
//! - [`known_hosts`]: SSH host key checking against a `known_hosts` file (SHA256 fingerprints).

pub mod auth;
pub mod clone;
pub mod known_hosts;
pub mod ssh_config;

use std::path::PathBuf;

pub use auth::Auth;
pub use clone::{ClonePhase, CloneProgress, CloneRequest, clone};
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
    /// Anything else (libgit2's message).
    #[error("{0}")]
    Other(String),
}

impl GitError {
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
            GitError::Other(_) => None,
        }
    }
}
