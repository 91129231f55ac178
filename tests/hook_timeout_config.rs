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
