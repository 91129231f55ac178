//! The hooks git runs around merges and switches, run by cctui's merge, pull and switch on real
//! temp repositories: `pre-merge-commit` (a failure leaves the merge in progress, nothing
//! committed), `prepare-commit-msg` with source `merge` and `commit-msg` (which may rewrite the
//! message), `post-merge` after a merge commit and a fast-forward, `post-checkout` after a switch,
//! and `pre-push` (its refusal stops the push with nothing sent).
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use cctui::git::branch::switch_branch;
use cctui::git::merge::{MergeOptions, MergeOutcome, merge_branch};
use cctui::git::remote::{PullOutcome, PushRequest, pull, push};
use cctui::git::{Auth, GitError};
use git_remote::*;
use local_support::*;

fn hook(repo: &Path, name: &str, body: &str) {
    let dir = repo.join(".git/hooks");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// main and topic diverged by one commit each.
fn diverged() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    cli_commit(&repo, "base.txt", "base\n", "Base");
    git_ok(&repo, &["checkout", "-q", "-b", "topic"]);
    cli_commit(&repo, "t.txt", "t\n", "On topic");
    git_ok(&repo, &["checkout", "-q", "main"]);
    cli_commit(&repo, "m.txt", "m\n", "On main");
    (dir, repo)
}

#[test]
fn a_failing_pre_merge_commit_hook_commits_nothing_and_leaves_the_merge_in_progress() {
    let (_dir, repo) = diverged();
    let head = rev(&repo, "HEAD");
    hook(
        &repo,
        "pre-merge-commit",
        "echo 'merges need a ticket' >&2\nexit 1",
    );
    let error = merge_branch(&repo, "topic", MergeOptions::default(), &|| false).unwrap_err();
    let GitError::HookFailed { hook, output } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(hook, "pre-merge-commit");
    assert!(output.contains("merges need a ticket"), "{output}");
    assert_eq!(rev(&repo, "HEAD"), head, "no merge commit");
    assert!(
        repo.join(".git/MERGE_HEAD").exists(),
        "the merge waits to be committed"
    );
    assert_eq!(std::fs::read_to_string(repo.join("t.txt")).unwrap(), "t\n");
}

#[test]
fn merge_message_hooks_run_and_post_merge_follows() {
    let (_dir, repo) = diverged();
    hook(
        &repo,
        "prepare-commit-msg",
        "echo \"$2\" > .git/prepare-source\necho 'Prepared.' >> \"$1\"",
    );
    hook(&repo, "commit-msg", "echo 'Ticket: OPS-1' >> \"$1\"");
    hook(
        &repo,
        "post-merge",
        "echo \"post-merge $1\" > .git/post-merge-ran",
    );
    let outcome = merge_branch(&repo, "topic", MergeOptions::default(), &|| false).unwrap();
    assert!(
        matches!(outcome, MergeOutcome::Merged { .. }),
        "{outcome:?}"
    );
    let message = git_ok(&repo, &["log", "-1", "--format=%B"]);
    assert!(message.starts_with("Merge branch 'topic'"), "{message}");
    assert!(
        message.contains("Prepared.") && message.contains("Ticket: OPS-1"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/prepare-source")).unwrap(),
        "merge\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/post-merge-ran")).unwrap(),
        "post-merge 0\n"
    );
}

#[test]
fn post_merge_runs_after_a_fast_forward_and_post_checkout_after_a_switch() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    let base = cli_commit(&repo, "base.txt", "base\n", "Base");
    git_ok(&repo, &["checkout", "-q", "-b", "topic"]);
    let tip = cli_commit(&repo, "t.txt", "t\n", "On topic");
    git_ok(&repo, &["checkout", "-q", "main"]);
    hook(&repo, "post-merge", "echo ran > .git/post-merge-ran");
    hook(
        &repo,
        "post-checkout",
        "echo \"$1 $2 $3\" > .git/post-checkout-args",
    );
    let outcome = merge_branch(&repo, "topic", MergeOptions::default(), &|| false).unwrap();
    assert!(
        matches!(outcome, MergeOutcome::FastForward { .. }),
        "{outcome:?}"
    );
    assert!(repo.join(".git/post-merge-ran").exists());

    git_ok(&repo, &["branch", "old", &base]);
    switch_branch(&repo, "old", &|| false).unwrap();
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/post-checkout-args")).unwrap(),
        format!("{tip} {base} 1\n")
    );
}

#[test]
fn pull_runs_the_merge_commit_hooks_too() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    cli_commit(&b, "b.txt", "bob\n", "bob");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    cli_commit(&a, "a.txt", "alice\n", "alice");
    let head = rev(&a, "HEAD");
    hook(&a, "pre-merge-commit", "exit 1");
    let error = pull(&a, "origin", Auth::GitCredentialHelper, &mut |_| true).unwrap_err();
    assert!(
        matches!(&error, GitError::HookFailed { hook, .. } if hook == "pre-merge-commit"),
        "{error:?}"
    );
    assert_eq!(rev(&a, "HEAD"), head);

    // With a passing hook chain the pull's merge commit carries what commit-msg added.
    git_ok(&a, &["merge", "--abort"]);
    hook(&a, "pre-merge-commit", "exit 0");
    hook(&a, "commit-msg", "echo 'Checked.' >> \"$1\"");
    let outcome = pull(&a, "origin", Auth::GitCredentialHelper, &mut |_| true).unwrap();
    assert!(matches!(outcome, PullOutcome::Merged { .. }), "{outcome:?}");
    assert!(git_ok(&a, &["log", "-1", "--format=%B"]).contains("Checked."));
}

#[test]
fn a_failing_pre_push_hook_stops_the_push_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, _b) = remote_and_two_clones(dir.path());
    let before = rev(&bare, "refs/heads/main");
    let ours = cli_commit(&a, "a.txt", "alice\n", "alice");
    hook(
        &a,
        "pre-push",
        "echo \"$1 $2\" > .git/pre-push-args\ncat > .git/pre-push-input\n\
         echo 'do not push on Fridays' >&2\nexit 1",
    );
    let request = PushRequest {
        remote: "origin".into(),
        local_branch: "main".into(),
        remote_branch: "main".into(),
        set_upstream: false,
        force_with_lease: false,
        auth: Auth::GitCredentialHelper,
    };
    let error = push(&a, &request, &mut |_| true).unwrap_err();
    let GitError::HookFailed {
        hook: failed,
        output,
    } = &error
    else {
        panic!("{error:?}")
    };
    assert_eq!(failed, "pre-push");
    assert!(output.contains("do not push on Fridays"), "{output}");
    assert_eq!(
        rev(&bare, "refs/heads/main"),
        before,
        "the remote is unchanged"
    );
    // git's arguments and stdin: remote name and URL; local ref, id, remote ref, remote id.
    let url = git_ok(&a, &["remote", "get-url", "origin"]);
    assert_eq!(
        std::fs::read_to_string(a.join(".git/pre-push-args")).unwrap(),
        format!("origin {url}\n")
    );
    assert_eq!(
        std::fs::read_to_string(a.join(".git/pre-push-input")).unwrap(),
        format!("refs/heads/main {ours} refs/heads/main {before}\n")
    );

    hook(&a, "pre-push", "cat > /dev/null\nexit 0");
    push(&a, &request, &mut |_| true).unwrap();
    assert_eq!(rev(&bare, "refs/heads/main"), ours);
}
