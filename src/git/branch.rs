//! Local and remote-tracking branches: list, create, switch, delete, rename, and branch-name
//! validation (git's `check-ref-format` rules for `refs/heads/<name>`, and CodeCommit's).

use std::path::Path;

use super::GitError;

/// The last commit of a branch, as the branches pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    /// Full hex id.
    pub id: String,
    /// The first 7 hex digits.
    pub short_id: String,
    /// First line of the message.
    pub summary: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Author name.
    pub author: String,
}

/// A local branch (`refs/heads/<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBranch {
    /// `feature/x`.
    pub name: String,
    /// HEAD points to it.
    pub head: bool,
    /// Its upstream as `origin/feature/x`, when configured.
    pub upstream: Option<String>,
    /// The upstream is configured but its remote-tracking branch is gone (`[gone]`).
    pub upstream_gone: bool,
    /// Commits on the branch and not on its upstream (0 without an upstream).
    pub ahead: usize,
    /// Commits on the upstream and not on the branch (0 without an upstream).
    pub behind: usize,
    /// Its tip.
    pub last_commit: CommitSummary,
}

/// A remote-tracking branch (`refs/remotes/<remote>/<branch>`); `<remote>/HEAD` is not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteBranch {
    /// `origin/feature`.
    pub name: String,
    /// `origin`.
    pub remote: String,
    /// `feature`.
    pub branch: String,
    /// Its tip.
    pub last_commit: CommitSummary,
}

/// Where a new branch starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartPoint {
    /// The current commit.
    Head,
    /// A local branch (`main`) or a remote-tracking branch (`origin/main`, which also becomes
    /// the new branch's upstream, as git's `branch.autoSetupMerge` default does).
    Branch(String),
    /// A commit id (full or abbreviated), or any revision git understands.
    Commit(String),
}

/// The local branches, sorted by name.
pub fn local_branches(repo: &Path) -> Result<Vec<LocalBranch>, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}

/// The remote-tracking branches, sorted by name.
pub fn remote_branches(repo: &Path) -> Result<Vec<RemoteBranch>, GitError> {
    let _ = repo;
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Checks a new branch name; `Err` carries the reason in words.
pub fn validate_branch_name(name: &str) -> Result<(), String> {
    let _ = name;
    Err("not implemented yet".to_string())
}

/// Creates the branch `name` at `start`; switches to it when `checkout`.
pub fn create_branch(
    repo: &Path,
    name: &str,
    start: &StartPoint,
    checkout: bool,
) -> Result<(), GitError> {
    let _ = (repo, name, start, checkout);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Switches to the branch `name`.
pub fn switch_branch(repo: &Path, name: &str) -> Result<(), GitError> {
    let _ = (repo, name);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Deletes the local branch `name`.
pub fn delete_branch(repo: &Path, name: &str, force: bool) -> Result<(), GitError> {
    let _ = (repo, name, force);
    Err(GitError::Other("not implemented yet".to_string()))
}

/// Renames the local branch `old` to `new`.
pub fn rename_branch(repo: &Path, old: &str, new: &str) -> Result<(), GitError> {
    let _ = (repo, old, new);
    Err(GitError::Other("not implemented yet".to_string()))
}
