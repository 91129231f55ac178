//! Client-side hooks as git runs them: `pre-commit`, `prepare-commit-msg`, `commit-msg` and
//! `post-commit`, found in `core.hooksPath` (relative to the working tree root) or
//! `$GIT_COMMON_DIR/hooks`, run only when executable, from the working tree root, with
//! `GIT_INDEX_FILE`, `GIT_DIR` and `GIT_EDITOR=:` set as git sets them and stdin closed.

use std::path::{Path, PathBuf};

use crate::git::GitError;

/// Output of a hook that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRun {
    /// Whether it exited with 0.
    pub success: bool,
    /// Its stdout and stderr, interleaved as written.
    pub output: String,
}

/// Where the hook `name` of `repo` lives, if it exists and is executable.
pub fn hook_path(repo: &Path, name: &str) -> Result<Option<PathBuf>, GitError> {
    let _ = (repo, name);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Runs hook `name` with `args` if present; `None` when there is no (executable) hook.
pub fn run_hook(repo: &Path, name: &str, args: &[&str]) -> Result<Option<HookRun>, GitError> {
    let _ = (repo, name, args);
    Err(GitError::Other("not implemented yet".to_string()))
}
