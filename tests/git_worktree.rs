//! The blocking working-tree layer (`cctui::git::{status, stage, diff, discard, log}`) on real
//! repositories in temp directories, with a sandboxed git configuration. Where the `git` command
//! line can say the same thing (`git status --porcelain`, `git diff`, `git show :file`), it is
//! used as the oracle.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/git_repo.rs"]
mod git_repo;

#[path = "git_worktree/diff.rs"]
mod diff;
#[path = "git_worktree/literal_paths.rs"]
mod literal_paths;
#[path = "git_worktree/log.rs"]
mod log;
#[path = "git_worktree/stage.rs"]
mod stage;
#[path = "git_worktree/status.rs"]
mod status;
