//! `cctui::git::{push, fetch, pull, ahead_behind}` between real temp repositories: a bare
//! "remote" and two clones of it, with a sandboxed configuration. What the remote holds is
//! always read back with the git CLI, not with the code under test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use cctui::git::{
    Auth, CommitRequest, FetchOutcome, GitError, PullOutcome, PushRequest, TransferProgress,
    ahead_behind, commit, fetch, pull, push,
};
use git_remote::*;
use local_support::*;

fn push_request(branch: &str) -> PushRequest {
    PushRequest {
        remote: "origin".to_string(),
        local_branch: branch.to_string(),
        remote_branch: branch.to_string(),
        set_upstream: false,
        force_with_lease: false,
        auth: Auth::GitCredentialHelper,
    }
}

fn do_push(repo: &Path, request: &PushRequest) -> Result<Vec<TransferProgress>, GitError> {
    let mut seen = Vec::new();
    let result = push(repo, request, &mut recorder(&mut seen));
    result.map(|()| seen)
}

fn do_fetch(repo: &Path, prune: bool) -> Result<FetchOutcome, GitError> {
    fetch(
        repo,
        "origin",
        Auth::GitCredentialHelper,
        prune,
        &mut |_| true,
    )
}

fn do_pull(repo: &Path) -> Result<PullOutcome, GitError> {
    pull(repo, "origin", Auth::GitCredentialHelper, &mut |_| true)
}

fn config(repo: &Path, key: &str) -> Option<String> {
    let out = git(repo, &["config", "--get", key]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn push_a_new_branch_creates_it_remotely_and_sets_the_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, _b) = remote_and_two_clones(dir.path());
    git_ok(&a, &["checkout", "-q", "-b", "feature/login"]);
    let tip = cli_commit(&a, "login.txt", "form\n", "login form");
    assert_eq!(ahead_behind(&a).unwrap(), None, "no upstream yet");

    let seen = do_push(
        &a,
        &PushRequest {
            set_upstream: true,
            ..push_request("feature/login")
        },
    )
    .unwrap();

    assert_eq!(rev(&bare, "refs/heads/feature/login"), tip);
    assert_eq!(rev(&a, "refs/remotes/origin/feature/login"), tip);
    assert_eq!(
        config(&a, "branch.feature/login.remote").as_deref(),
        Some("origin")
    );
    assert_eq!(
        config(&a, "branch.feature/login.merge").as_deref(),
        Some("refs/heads/feature/login")
    );
    assert_eq!(ahead_behind(&a).unwrap(), Some((0, 0)));
    assert_eq!(seen.first(), Some(&TransferProgress::Connecting));
    // The CLI sees the same upstream.
    assert_eq!(
        git_ok(&a, &["rev-parse", "--abbrev-ref", "@{upstream}"]),
        "origin/feature/login"
    );
    // The remote URL is untouched.
    assert_eq!(origin_url(&a), bare.to_str().unwrap());
}

#[test]
fn push_without_set_upstream_leaves_the_config_alone_and_can_rename() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, _b) = remote_and_two_clones(dir.path());
    git_ok(&a, &["checkout", "-q", "-b", "local-name"]);
    let tip = cli_commit(&a, "x.txt", "x\n", "x");
    do_push(
        &a,
        &PushRequest {
            remote_branch: "remote-name".to_string(),
            ..push_request("local-name")
        },
    )
    .unwrap();
    assert_eq!(rev(&bare, "refs/heads/remote-name"), tip);
    assert_eq!(try_rev(&bare, "refs/heads/local-name"), None);
    assert_eq!(rev(&a, "refs/remotes/origin/remote-name"), tip);
    assert_eq!(config(&a, "branch.local-name.remote"), None);
    assert_eq!(config(&a, "branch.local-name.merge"), None);
}

#[test]
fn push_fast_forward_updates_the_remote_and_the_tracking_branch() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, _b) = remote_and_two_clones(dir.path());
    cli_commit(&a, "file.txt", "one\ntwo\nthree\nfour\n", "four");
    let tip = cli_commit(&a, "file.txt", "one\ntwo\nthree\nfour\nfive\n", "five");
    assert_eq!(ahead_behind(&a).unwrap(), Some((2, 0)));
    let seen = do_push(&a, &push_request("main")).unwrap();
    assert_eq!(rev(&bare, "refs/heads/main"), tip);
    assert_eq!(ahead_behind(&a).unwrap(), Some((0, 0)));
    assert!(
        seen.iter().any(|p| matches!(
            p,
            TransferProgress::Pushing { .. } | TransferProgress::Packing { .. }
        )),
        "{seen:?}"
    );
}

#[test]
fn push_rejected_when_diverged_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, b) = remote_and_two_clones(dir.path());
    let theirs = cli_commit(&b, "b.txt", "from bob\n", "bob's work");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours = cli_commit(&a, "a.txt", "from alice\n", "alice's work");
    let tracking_before = rev(&a, "refs/remotes/origin/main");

    let error = do_push(&a, &push_request("main")).unwrap_err();
    let GitError::PushRejected { branch, hint, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(branch, "main");
    assert_eq!(hint, "fetch and merge first");
    assert_eq!(error.hint().as_deref(), Some("fetch and merge first"));

    // Nothing lost: the remote keeps Bob's commit, Alice keeps hers, files and all.
    assert_eq!(rev(&bare, "refs/heads/main"), theirs);
    assert_eq!(rev(&a, "refs/heads/main"), ours);
    assert_eq!(rev(&a, "refs/remotes/origin/main"), tracking_before);
    assert_eq!(
        std::fs::read_to_string(a.join("a.txt")).unwrap(),
        "from alice\n"
    );
    assert_eq!(git_ok(&a, &["status", "--porcelain"]), "");

    // Also rejected once Alice knows Bob's commit (the client-side fast-forward check).
    do_fetch(&a, false).unwrap();
    assert_eq!(ahead_behind(&a).unwrap(), Some((1, 1)));
    let error = do_push(&a, &push_request("main")).unwrap_err();
    assert!(
        matches!(&error, GitError::PushRejected { hint, .. } if hint == "fetch and merge first"),
        "{error:?}"
    );
    assert_eq!(rev(&bare, "refs/heads/main"), theirs);
}

#[test]
fn force_with_lease_refuses_when_the_remote_moved_and_forces_when_it_did_not() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, b) = remote_and_two_clones(dir.path());
    let pushed = cli_commit(&a, "a.txt", "v1\n", "alice v1");
    git_ok(&a, &["push", "-q", "origin", "main"]);
    // Alice rewrites her pushed commit.
    stage(&a, "a.txt", "v2\n");
    let rewritten = commit(
        &a,
        &CommitRequest {
            message: "alice v2".to_string(),
            amend: true,
            ..CommitRequest::default()
        },
    )
    .unwrap()
    .id;
    // Meanwhile Bob pushes on top of v1.
    git_ok(&b, &["pull", "-q", "--no-rebase", "origin", "main"]);
    let bobs = cli_commit(&b, "b.txt", "bob\n", "bob on v1");
    git_ok(&b, &["push", "-q", "origin", "main"]);

    let lease = PushRequest {
        force_with_lease: true,
        ..push_request("main")
    };
    let error = do_push(&a, &lease).unwrap_err();
    let GitError::StaleLease {
        branch,
        expected,
        actual,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(branch, "main");
    assert_eq!(expected.as_deref(), Some(pushed.as_str()));
    assert_eq!(actual.as_deref(), Some(bobs.as_str()));
    assert!(error.hint().unwrap().contains("fetch"));
    assert_eq!(
        rev(&bare, "refs/heads/main"),
        bobs,
        "Bob's commit is not overwritten"
    );
    assert_eq!(rev(&a, "refs/heads/main"), rewritten);

    // A plain push of the rewrite is rejected too.
    assert!(matches!(
        do_push(&a, &push_request("main")).unwrap_err(),
        GitError::PushRejected { .. }
    ));

    // After a fetch Alice has seen Bob's commit: the lease holds and the force goes through.
    do_fetch(&a, false).unwrap();
    do_push(&a, &lease).unwrap();
    assert_eq!(rev(&bare, "refs/heads/main"), rewritten);
    assert_eq!(rev(&a, "refs/remotes/origin/main"), rewritten);
}

#[test]
fn force_with_lease_on_a_branch_we_never_saw_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, b) = remote_and_two_clones(dir.path());
    git_ok(&b, &["checkout", "-q", "-b", "topic"]);
    let bobs = cli_commit(&b, "t.txt", "bob\n", "bob's topic");
    git_ok(&b, &["push", "-q", "origin", "topic"]);
    git_ok(&a, &["checkout", "-q", "-b", "topic"]);
    cli_commit(&a, "t.txt", "alice\n", "alice's topic");
    let error = do_push(
        &a,
        &PushRequest {
            force_with_lease: true,
            ..push_request("topic")
        },
    )
    .unwrap_err();
    assert!(
        matches!(&error, GitError::StaleLease { expected: None, actual: Some(actual), .. } if actual == &bobs),
        "{error:?}"
    );
    assert_eq!(rev(&bare, "refs/heads/topic"), bobs);
}

#[test]
fn push_of_a_missing_branch_or_to_a_missing_remote_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, _b) = remote_and_two_clones(dir.path());
    let error = do_push(&a, &push_request("no-such-branch")).unwrap_err();
    assert!(
        matches!(&error, GitError::BranchNotFound(b) if b == "no-such-branch"),
        "{error:?}"
    );
    let error = do_push(
        &a,
        &PushRequest {
            remote: "upstream".to_string(),
            ..push_request("main")
        },
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("no remote named upstream"),
        "{error}"
    );
}

#[test]
fn cancel_at_the_first_report_pushes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, _b) = remote_and_two_clones(dir.path());
    let before = rev(&bare, "refs/heads/main");
    cli_commit(&a, "a.txt", "a\n", "a");
    let error = push(&a, &push_request("main"), &mut |_| false).unwrap_err();
    assert!(matches!(error, GitError::Cancelled), "{error:?}");
    assert_eq!(rev(&bare, "refs/heads/main"), before);

    git_ok(&a, &["push", "-q", "origin", "main"]);
    let fetch_result = fetch(&_b, "origin", Auth::GitCredentialHelper, false, &mut |_| {
        false
    });
    assert!(matches!(fetch_result, Err(GitError::Cancelled)));
    assert_eq!(rev(&_b, "refs/remotes/origin/main"), before);
}

#[test]
fn fetch_counts_updates_and_prunes_gone_branches() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    for branch in ["gone", "kept"] {
        git_ok(&b, &["checkout", "-q", "-b", branch, "main"]);
        cli_commit(&b, &format!("{branch}.txt"), "x\n", branch);
        git_ok(&b, &["push", "-q", "origin", branch]);
    }
    let outcome = do_fetch(&a, false).unwrap();
    assert_eq!(
        outcome,
        FetchOutcome {
            updated_refs: 2,
            pruned_refs: 0
        }
    );
    assert_eq!(rev(&a, "refs/remotes/origin/gone"), rev(&b, "gone"));
    // Nothing new: nothing updated.
    assert_eq!(do_fetch(&a, true).unwrap(), FetchOutcome::default());

    git_ok(&b, &["push", "-q", "origin", "--delete", "gone"]);
    cli_commit(&b, "kept.txt", "y\n", "kept moves");
    git_ok(&b, &["checkout", "-q", "main"]);
    let main = cli_commit(&b, "main.txt", "m\n", "main moves");
    git_ok(&b, &["tag", "v1"]);
    git_ok(&b, &["push", "-q", "origin", "main", "kept", "v1"]);

    // Without prune, the gone branch stays.
    let outcome = do_fetch(&a, false).unwrap();
    assert_eq!(outcome.pruned_refs, 0);
    assert_eq!(rev(&a, "refs/remotes/origin/main"), main);
    assert!(try_rev(&a, "refs/remotes/origin/gone").is_some());
    assert_eq!(
        rev(&a, "refs/tags/v1"),
        main,
        "tags on fetched commits come along"
    );
    assert_eq!(outcome.updated_refs, 3, "main, kept and the tag v1");

    let outcome = do_fetch(&a, true).unwrap();
    assert_eq!(
        outcome,
        FetchOutcome {
            updated_refs: 0,
            pruned_refs: 1
        }
    );
    assert_eq!(try_rev(&a, "refs/remotes/origin/gone"), None);
    assert!(try_rev(&a, "refs/remotes/origin/kept").is_some());
    // Local branches are never touched by a fetch.
    assert_eq!(
        git_ok(&a, &["for-each-ref", "--format=%(refname)", "refs/heads"]),
        "refs/heads/main"
    );
}

#[test]
fn pull_fast_forwards_and_updates_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    let from = rev(&a, "HEAD");
    cli_commit(&b, "file.txt", "one\ntwo\nthree\nfour\n", "four");
    let to = cli_commit(&b, "new.txt", "new\n", "new file");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    // An unrelated local edit survives, as with git.
    std::fs::write(a.join("scratch.txt"), "untracked\n").unwrap();

    let outcome = do_pull(&a).unwrap();
    assert_eq!(
        outcome,
        PullOutcome::FastForward {
            from,
            to: to.clone()
        }
    );
    assert_eq!(rev(&a, "HEAD"), to);
    assert_eq!(
        std::fs::read_to_string(a.join("file.txt")).unwrap(),
        "one\ntwo\nthree\nfour\n"
    );
    assert_eq!(std::fs::read_to_string(a.join("new.txt")).unwrap(), "new\n");
    assert_eq!(git_ok(&a, &["status", "--porcelain"]), "?? scratch.txt");
    assert_eq!(ahead_behind(&a).unwrap(), Some((0, 0)));
    assert_eq!(do_pull(&a).unwrap(), PullOutcome::UpToDate);
}

#[test]
fn pull_fast_forward_stops_on_a_local_change_in_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    let before = rev(&a, "HEAD");
    cli_commit(&b, "file.txt", "theirs\n", "theirs");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    std::fs::write(a.join("file.txt"), "my unsaved work\n").unwrap();

    let error = do_pull(&a).unwrap_err();
    assert!(
        matches!(error, GitError::UncommittedChanges { .. }),
        "{error:?}"
    );
    assert_eq!(rev(&a, "HEAD"), before);
    assert_eq!(
        std::fs::read_to_string(a.join("file.txt")).unwrap(),
        "my unsaved work\n"
    );
}

#[test]
fn pull_diverged_makes_a_merge_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, a, b) = remote_and_two_clones(dir.path());
    let theirs = cli_commit(&b, "b.txt", "bob\n", "bob");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours = cli_commit(&a, "a.txt", "alice\n", "alice");

    let outcome = do_pull(&a).unwrap();
    let PullOutcome::Merged { commit: merge } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(&rev(&a, "HEAD"), merge);
    assert_eq!(
        git_ok(&a, &["log", "-1", "--format=%P"]),
        format!("{ours} {theirs}")
    );
    assert_eq!(
        git_ok(&a, &["log", "-1", "--format=%s|%an"]),
        format!("Merge branch 'main' of {}|Alice", bare.display())
    );
    assert_eq!(std::fs::read_to_string(a.join("b.txt")).unwrap(), "bob\n");
    assert_eq!(std::fs::read_to_string(a.join("a.txt")).unwrap(), "alice\n");
    assert_eq!(git_ok(&a, &["status", "--porcelain"]), "");
    assert!(!a.join(".git/MERGE_HEAD").exists());
    assert_eq!(ahead_behind(&a).unwrap(), Some((2, 0)));

    // The merge can be pushed.
    do_push(&a, &push_request("main")).unwrap();
    assert_eq!(&rev(&bare, "refs/heads/main"), merge);
}

#[test]
fn pull_with_conflicts_leaves_a_merge_to_resolve_and_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    let theirs = cli_commit(&b, "file.txt", "one\nBOB\nthree\n", "bob edits line 2");
    cli_commit(&b, "other.txt", "clean\n", "bob adds a file");
    let theirs_tip = rev(&b, "HEAD");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours = cli_commit(&a, "file.txt", "one\nALICE\nthree\n", "alice edits line 2");

    let outcome = do_pull(&a).unwrap();
    assert_eq!(
        outcome,
        PullOutcome::Conflicts {
            files: vec!["file.txt".to_string()]
        }
    );
    let _ = theirs;
    assert_eq!(rev(&a, "HEAD"), ours, "no commit was made");
    assert_eq!(rev(&a, "MERGE_HEAD"), theirs_tip);
    let text = std::fs::read_to_string(a.join("file.txt")).unwrap();
    assert!(
        text.contains("<<<<<<< ") && text.contains("ALICE") && text.contains("BOB"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(a.join("other.txt")).unwrap(),
        "clean\n"
    );
    assert_eq!(
        git_ok(&a, &["diff", "--name-only", "--diff-filter=U"]),
        "file.txt"
    );

    // A second pull is refused while the merge is in progress.
    let error = do_pull(&a).unwrap_err();
    assert!(error.to_string().contains("middle"), "{error}");

    // Resolve and commit with our commit function: a merge commit with both parents.
    stage(&a, "file.txt", "one\nALICE and BOB\nthree\n");
    let merged = commit(
        &a,
        &CommitRequest {
            message: "Merge branch 'main' of origin".to_string(),
            ..CommitRequest::default()
        },
    )
    .unwrap();
    assert_eq!(
        git_ok(&a, &["log", "-1", "--format=%P"]),
        format!("{ours} {theirs_tip}")
    );
    assert_eq!(rev(&a, "HEAD"), merged.id);
    assert_eq!(git_ok(&a, &["status", "--porcelain"]), "");
    assert_eq!(ahead_behind(&a).unwrap(), Some((2, 0)));
}

#[test]
fn pull_refuses_staged_changes_before_merging() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    cli_commit(&b, "b.txt", "bob\n", "bob");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours = cli_commit(&a, "a.txt", "alice\n", "alice");
    stage(&a, "staged.txt", "staged\n");
    let error = do_pull(&a).unwrap_err();
    assert!(
        matches!(&error, GitError::UncommittedChanges { files } if files == &["staged.txt"]),
        "{error:?}"
    );
    assert_eq!(rev(&a, "HEAD"), ours);
    assert!(!a.join(".git/MERGE_HEAD").exists());
    assert_eq!(
        git_ok(&a, &["diff", "--cached", "--name-only"]),
        "staged.txt"
    );
}

#[test]
fn pull_needs_an_upstream_on_that_remote() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, _b) = remote_and_two_clones(dir.path());
    git_ok(&a, &["checkout", "-q", "-b", "lonely"]);
    let error = do_pull(&a).unwrap_err();
    assert!(
        matches!(&error, GitError::NoUpstream { branch, remote } if branch == "lonely" && remote == "origin"),
        "{error:?}"
    );
    git_ok(&a, &["checkout", "-q", "--detach", "main"]);
    assert!(matches!(do_pull(&a).unwrap_err(), GitError::NoBranch));
}

#[test]
fn ahead_behind_counts_against_the_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    assert_eq!(ahead_behind(&a).unwrap(), Some((0, 0)));
    for n in 0..3 {
        cli_commit(&b, &format!("b{n}.txt"), "b\n", &format!("bob {n}"));
    }
    git_ok(&b, &["push", "-q", "origin", "main"]);
    for n in 0..2 {
        cli_commit(&a, &format!("a{n}.txt"), "a\n", &format!("alice {n}"));
    }
    assert_eq!(ahead_behind(&a).unwrap(), Some((2, 0)), "before fetching");
    do_fetch(&a, false).unwrap();
    assert_eq!(ahead_behind(&a).unwrap(), Some((2, 3)));
    // Same answer as git.
    assert_eq!(
        git_ok(
            &a,
            &["rev-list", "--left-right", "--count", "HEAD...@{upstream}"]
        ),
        "2\t3"
    );

    git_ok(&a, &["checkout", "-q", "-b", "no-upstream"]);
    assert_eq!(ahead_behind(&a).unwrap(), None);
    git_ok(&a, &["checkout", "-q", "--detach"]);
    assert_eq!(ahead_behind(&a).unwrap(), None);
    // An upstream whose remote-tracking branch is gone.
    git_ok(&a, &["checkout", "-q", "main"]);
    git_ok(&a, &["update-ref", "-d", "refs/remotes/origin/main"]);
    assert_eq!(ahead_behind(&a).unwrap(), None);
}

#[test]
fn pull_merge_stops_on_a_local_change_in_the_way_and_leaves_no_merge_state() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    cli_commit(&b, "file.txt", "one\ntwo\nthree\nbob\n", "bob");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours = cli_commit(&a, "a.txt", "alice\n", "alice");
    std::fs::write(a.join("file.txt"), "alice's unsaved edit\n").unwrap();

    let error = do_pull(&a).unwrap_err();
    assert!(
        matches!(error, GitError::UncommittedChanges { .. }),
        "{error:?}"
    );
    assert!(error.hint().unwrap().contains("commit or stash"));
    assert_eq!(rev(&a, "HEAD"), ours);
    assert!(!a.join(".git/MERGE_HEAD").exists());
    assert_eq!(
        std::fs::read_to_string(a.join("file.txt")).unwrap(),
        "alice's unsaved edit\n"
    );
    // The fetch part happened: the remote-tracking branch knows Bob's commit.
    assert_eq!(ahead_behind(&a).unwrap(), Some((1, 1)));
}

#[test]
fn pull_into_an_unborn_branch_takes_the_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, _a, b) = remote_and_two_clones(dir.path());
    let tip = rev(&b, "HEAD");
    let fresh = dir.path().join("fresh");
    repo_init(&fresh);
    git_ok(&fresh, &["remote", "add", "origin", bare.to_str().unwrap()]);
    git_ok(&fresh, &["config", "branch.main.remote", "origin"]);
    git_ok(&fresh, &["config", "branch.main.merge", "refs/heads/main"]);

    let outcome = do_pull(&fresh).unwrap();
    assert!(
        matches!(&outcome, PullOutcome::FastForward { to, .. } if to == &tip),
        "{outcome:?}"
    );
    assert_eq!(rev(&fresh, "refs/heads/main"), tip);
    assert_eq!(
        std::fs::read_to_string(fresh.join("file.txt")).unwrap(),
        "one\ntwo\nthree\n"
    );
    assert_eq!(git_ok(&fresh, &["status", "--porcelain"]), "");
}

#[test]
fn pull_needs_an_identity_only_for_a_merge_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    git_ok(&a, &["config", "--unset", "user.name"]);
    git_ok(&a, &["config", "--unset", "user.email"]);
    let theirs = cli_commit(&b, "b.txt", "bob\n", "bob");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    // Fast-forward: no commit made, no identity needed.
    assert!(matches!(
        do_pull(&a).unwrap(),
        PullOutcome::FastForward { .. }
    ));
    assert_eq!(rev(&a, "HEAD"), theirs);

    cli_commit(&b, "b2.txt", "bob\n", "bob 2");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let ours = cli_commit(&a, "a.txt", "alice\n", "alice");
    let error = do_pull(&a).unwrap_err();
    assert!(
        matches!(error, GitError::MissingIdentity { .. }),
        "{error:?}"
    );
    assert_eq!(rev(&a, "HEAD"), ours);
    assert!(!a.join(".git/MERGE_HEAD").exists());
    assert!(!a.join("b2.txt").exists());
}

#[test]
fn a_method_that_does_not_fit_the_url_is_refused_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    // Nothing listens on port 9: a connection attempt would be a network error instead.
    git_ok(
        &repo,
        &["remote", "add", "ssh", "ssh://git@127.0.0.1:9/v1/repos/x"],
    );
    git_ok(
        &repo,
        &["remote", "add", "web", "http://127.0.0.1:9/v1/repos/x"],
    );
    let iam = demo_iam();
    let error = fetch(&repo, "ssh", iam, false, &mut |_| true).unwrap_err();
    assert!(error.to_string().contains("works over HTTPS"), "{error}");
    let ssh = Auth::Ssh {
        user: "git".to_string(),
        key_files: Vec::new(),
        passphrase: None,
        use_agent: false,
        known_hosts: dir.path().join("known_hosts"),
        trusted_fingerprint: None,
        connect_to: None,
    };
    let error = fetch(&repo, "web", ssh, false, &mut |_| true).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("SSH keys need an SSH remote URL"),
        "{error}"
    );
    // A matching method does try to connect.
    let error = fetch(&repo, "web", demo_iam(), false, &mut |_| true).unwrap_err();
    assert!(matches!(error, GitError::Network { .. }), "{error:?}");
}
