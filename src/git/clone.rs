//! Clone with progress, cancellation, bounded authentication and cleanup.

use std::path::PathBuf;

use crate::git::{Auth, GitError};

/// What to clone where, and how to authenticate.
#[derive(Debug, Clone)]
pub struct CloneRequest {
    /// The clean remote URL (no user:password); it becomes `origin` exactly.
    pub url: String,
    /// The new working tree; must not exist or be empty.
    pub target: PathBuf,
    /// Credentials.
    pub auth: Auth,
}

/// Where a clone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClonePhase {
    /// Connecting and authenticating.
    #[default]
    Connecting,
    /// The server counts and compresses objects.
    Counting,
    /// Receiving objects.
    Receiving,
    /// Resolving deltas.
    Resolving,
    /// Writing the working tree.
    CheckingOut,
}

/// A progress snapshot; throughput is for the caller to compute from `bytes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloneProgress {
    /// Phase.
    pub phase: ClonePhase,
    /// Objects received.
    pub objects: usize,
    /// Objects the server sends (0 until known).
    pub total_objects: usize,
    /// Deltas resolved.
    pub deltas: usize,
    /// Deltas to resolve.
    pub total_deltas: usize,
    /// Bytes received.
    pub bytes: usize,
    /// Files checked out.
    pub files: usize,
    /// Files to check out.
    pub total_files: usize,
}

/// Clones `request.url` into `request.target`. Blocking.
///
/// `on_progress` is called on the calling thread about every 100 ms (and on phase changes);
/// returning `false` cancels. On any failure or cancel the target directory is removed if this
/// call created it, emptied back if it existed empty.
pub fn clone(
    request: &CloneRequest,
    on_progress: &mut dyn FnMut(&CloneProgress) -> bool,
) -> Result<(), GitError> {
    let _ = (request, on_progress);
    Err(GitError::Other("not implemented".to_string()))
}
