//! The config's `[hooks] timeout_seconds` applies to every hook (here a `pre-push` that hangs):
//! the hook and what it started are stopped and the push fails saying so, nothing sent. A test
//! binary of its own: the timeout is process-wide, as in the app.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use cctui::config::Config;
use cctui::git::remote::{PushRequest, push};
use cctui::git::{Auth, GitError};
use git_remote::*;

#[test]
fn the_configured_hook_timeout_stops_a_hanging_pre_push() {
    let config = Config::parse("[hooks]\ntimeout_seconds = 1\n", Path::new("c.toml")).unwrap();
    cctui::git::hooks::set_timeout(config.hook_timeout);

    let dir = tempfile::tempdir().unwrap();
    let (bare, a, _b) = remote_and_two_clones(dir.path());
    let before = rev(&bare, "refs/heads/main");
    cli_commit(&a, "a.txt", "alice\n", "alice");
    let hook = a.join(".git/hooks/pre-push");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        "#!/bin/sh\nsleep 120 &\necho $! > .git/child\nwait\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    let error = push(
        &a,
        &PushRequest {
            remote: "origin".into(),
            local_branch: "main".into(),
            remote_branch: "main".into(),
            set_upstream: false,
            force_with_lease: false,
            auth: Auth::GitCredentialHelper,
        },
        &mut |_| true,
    )
    .unwrap_err();
    assert!(
        matches!(&error, GitError::HookTimedOut { hook, after } if hook == "pre-push" && after.as_secs() == 1),
        "{error:?}"
    );
    assert_eq!(rev(&bare, "refs/heads/main"), before, "nothing was pushed");
    // What the hook started went with it.
    let child = std::fs::read_to_string(a.join(".git/child")).unwrap();
    let alive = std::path::Path::new(&format!("/proc/{}", child.trim())).exists()
        && !std::fs::read_to_string(format!("/proc/{}/stat", child.trim()))
            .unwrap_or_default()
            .contains(") Z ");
    assert!(!alive, "the hook's child {child} was stopped");
}

/// A hook that hangs, and writes the pid of what it started to `.git/child`.
fn hanging(repo: &Path, name: &str) {
    let hook = repo.join(".git/hooks").join(name);
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        "#!/bin/sh\nsleep 120 &\necho $! > \"$(git rev-parse --git-dir)/child\"\nwait\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Whether the process the hook wrote down is still running.
fn child_alive(repo: &Path) -> bool {
    let child = std::fs::read_to_string(repo.join(".git/child")).unwrap();
    std::path::Path::new(&format!("/proc/{}", child.trim())).exists()
        && !std::fs::read_to_string(format!("/proc/{}/stat", child.trim()))
            .unwrap_or_default()
            .contains(") Z ")
}

/// main and topic diverged by one commit each.
fn diverged(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("work");
    repo_init(&repo);
    cli_commit(&repo, "base.txt", "base\n", "Base");
    local_support::git_ok(&repo, &["checkout", "-q", "-b", "topic"]);
    cli_commit(&repo, "t.txt", "t\n", "On topic");
    local_support::git_ok(&repo, &["checkout", "-q", "main"]);
    cli_commit(&repo, "m.txt", "m\n", "On main");
    repo
}

#[test]
fn hanging_merge_and_checkout_hooks_are_stopped_by_the_timeout() {
    let config = Config::parse("[hooks]\ntimeout_seconds = 1\n", Path::new("c.toml")).unwrap();
    cctui::git::hooks::set_timeout(config.hook_timeout);
    use cctui::git::merge::{MergeOptions, merge_branch};

    // pre-merge-commit decides: a hanging one fails the merge, nothing committed.
    let dir = tempfile::tempdir().unwrap();
    let repo = diverged(dir.path());
    let head = rev(&repo, "HEAD");
    hanging(&repo, "pre-merge-commit");
    let error = merge_branch(&repo, "topic", MergeOptions::default(), &|| false).unwrap_err();
    assert!(
        matches!(&error, GitError::HookTimedOut { hook, .. } if hook == "pre-merge-commit"),
        "{error:?}"
    );
    assert_eq!(rev(&repo, "HEAD"), head, "no merge commit");
    assert!(!child_alive(&repo), "the hook's child was stopped");

    // post-merge only reports: the merge stands, the hanging hook is stopped.
    let dir = tempfile::tempdir().unwrap();
    let repo = diverged(dir.path());
    hanging(&repo, "post-merge");
    merge_branch(&repo, "topic", MergeOptions::default(), &|| false).unwrap();
    assert_eq!(
        local_support::git_ok(&repo, &["rev-list", "--count", "--merges", "HEAD"]),
        "1"
    );
    assert!(
        !child_alive(&repo),
        "the post-merge hook's child was stopped"
    );

    // post-checkout likewise: the switch stands.
    hanging(&repo, "post-checkout");
    cctui::git::branch::switch_branch(&repo, "topic", &|| false).unwrap();
    assert_eq!(
        local_support::git_ok(&repo, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "topic"
    );
    assert!(
        !child_alive(&repo),
        "the post-checkout hook's child was stopped"
    );
}
