//! `cctui::git::branch` on real temp repositories (sandboxed configuration): name validation
//! (every rule, with its reason, checked against `git check-ref-format --branch`), create,
//! switch (dirty tree refused with the files in the way, remote-only names), delete (unmerged
//! refused, then forced), rename (upstream kept). What happened is read back with the git CLI.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_repo.rs"]
mod git_repo;

use std::path::{Path, PathBuf};

use cctui::git::GitError;
use cctui::git::branch::{
    StartPoint, create_branch, delete_branch, local_branches, remote_branches, rename_branch,
    switch_branch, validate_branch_name,
};
use cctui::git::status::status;
use git_repo::{git, git_status_code, repo_init, sandbox_config_files};

/// Writes `file`, `git add`, `git commit`; returns the new HEAD.
fn commit_file(dir: &Path, file: &str, content: &str, message: &str) -> String {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    git(dir, &["add", "--", file]);
    git(dir, &["commit", "-q", "-m", message]);
    rev(dir, "HEAD")
}

fn rev(dir: &Path, what: &str) -> String {
    git(dir, &["rev-parse", what]).trim().to_string()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

fn current_branch(dir: &Path) -> String {
    git(dir, &["symbolic-ref", "--short", "HEAD"])
        .trim()
        .to_string()
}

/// A repository on `main` with one commit (a.txt, b.txt, c.txt).
fn repo() -> (tempfile::TempDir, PathBuf) {
    let (dir, _repo) = repo_init();
    let path = dir.path().to_path_buf();
    std::fs::write(path.join("a.txt"), "a\n").unwrap();
    std::fs::write(path.join("b.txt"), "b\n").unwrap();
    git(&path, &["add", "a.txt", "b.txt"]);
    commit_file(&path, "c.txt", "c\n", "initial");
    (dir, path)
}

/// A bare remote with `main` and `topic`, and a fresh clone of it (only `main` local).
fn remote_and_clone() -> (tempfile::TempDir, PathBuf, PathBuf) {
    sandbox_config_files();
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    let seed = dir.path().join("seed");
    let clone = dir.path().join("clone");
    git(
        dir.path(),
        &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
    );
    git(
        dir.path(),
        &["init", "-q", "-b", "main", seed.to_str().unwrap()],
    );
    commit_file(&seed, "a.txt", "a\n", "initial");
    git(&seed, &["checkout", "-q", "-b", "topic"]);
    commit_file(&seed, "t.txt", "topic\n", "topic work");
    git(
        &seed,
        &["push", "-q", bare.to_str().unwrap(), "main", "topic"],
    );
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            bare.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    (dir, bare, clone)
}

#[test]
fn every_git_rule_is_refused_with_its_reason_and_git_agrees() {
    sandbox_config_files();
    let git_rules = [
        ("", "empty"),
        ("HEAD", "HEAD is reserved"),
        ("-topic", "starts with '-'"),
        ("a\u{7}b", "control character"),
        ("a\tb", "control character"),
        ("my branch", "space"),
        ("a~1", "'~'"),
        ("a^", "'^'"),
        ("a:b", "':'"),
        ("a?", "'?'"),
        ("a*", "'*'"),
        ("a[b", "'['"),
        ("a\\b", "'\\'"),
        ("a..b", "\"..\""),
        ("a@{1}", "\"@{\""),
        ("/a", "starts with '/'"),
        ("a/", "ends with '/'"),
        ("a//b", "\"//\""),
        ("a.", "ends with '.'"),
        (".hidden", "starts with '.'"),
        ("feature/.x", "starts with '.'"),
        ("a.lock", "ends with \".lock\""),
        ("feature.lock/x", "ends with \".lock\""),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, reason) in git_rules {
        let err = validate_branch_name(name).expect_err(name);
        assert!(
            err.contains(reason),
            "{name:?}: {err:?} should say {reason:?}"
        );
        // The oracle: git refuses it too.
        let (ok, _) = git_status_code(dir.path(), &["check-ref-format", "--branch", name]);
        assert!(!ok, "git accepts {name:?}, we refuse it: {err}");
    }

    // Refused beyond git: "@" alone (git takes it, but it means HEAD in every revision).
    assert!(validate_branch_name("@").unwrap_err().contains("reserved"));

    // CodeCommit's own rules (git would accept these).
    let long = "x".repeat(257);
    let err = validate_branch_name(&long).unwrap_err();
    assert!(err.contains("256"), "{err}");
    assert!(validate_branch_name(&"x".repeat(256)).is_ok());
    let hex40 = "0123456789abcdef0123456789abcdef01234567";
    assert!(
        validate_branch_name(hex40)
            .unwrap_err()
            .contains("commit id")
    );
    assert!(validate_branch_name(&hex40[..39]).is_ok());
    assert!(validate_branch_name(&hex40.to_uppercase()).is_err());

    // Names git accepts are accepted.
    for name in [
        "main",
        "feature/login",
        "fix-123",
        "release/1.2.3",
        "user@host",
        "a.b",
        "ünïcode/ブランチ",
        "x/y/z",
    ] {
        assert_eq!(validate_branch_name(name), Ok(()), "{name}");
        let (ok, _) = git_status_code(dir.path(), &["check-ref-format", "--branch", name]);
        assert!(ok, "git refuses {name}");
    }
}

#[test]
fn create_lists_and_switches() {
    let (_dir, repo) = repo();
    let initial = rev(&repo, "HEAD");
    create_branch(&repo, "feature/one", &StartPoint::Head, false, &|| false).unwrap();
    assert_eq!(current_branch(&repo), "main");
    assert_eq!(rev(&repo, "refs/heads/feature/one"), initial);

    // Created and checked out, from a branch.
    create_branch(
        &repo,
        "two",
        &StartPoint::Branch("feature/one".into()),
        true,
        &|| false,
    )
    .unwrap();
    assert_eq!(current_branch(&repo), "two");
    let second = commit_file(&repo, "a.txt", "a on two\n", "on two");

    // From an abbreviated commit id.
    create_branch(
        &repo,
        "three",
        &StartPoint::Commit(initial[..8].to_string()),
        false,
        &|| false,
    )
    .unwrap();
    assert_eq!(rev(&repo, "refs/heads/three"), initial);

    let branches = local_branches(&repo).unwrap();
    let names: Vec<_> = branches.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["feature/one", "main", "three", "two"]);
    let two = branches.iter().find(|b| b.name == "two").unwrap();
    assert!(two.head);
    assert_eq!(two.last_commit.id, second);
    assert_eq!(two.last_commit.short_id, &second[..7]);
    assert_eq!(two.last_commit.summary, "on two");
    assert_eq!(two.last_commit.author, "Test User");
    assert!(two.upstream.is_none());
    assert!(!branches.iter().find(|b| b.name == "main").unwrap().head);

    // Switch back: the tree follows.
    switch_branch(&repo, "main", &|| false).unwrap();
    assert_eq!(current_branch(&repo), "main");
    assert_eq!(read(&repo, "a.txt"), "a\n");
    assert!(status(&repo).unwrap().is_clean());
    switch_branch(&repo, "two", &|| false).unwrap();
    assert_eq!(read(&repo, "a.txt"), "a on two\n");

    // Errors.
    assert!(matches!(
        create_branch(&repo, "two", &StartPoint::Head, false, &|| false),
        Err(GitError::BranchExists(name)) if name == "two"
    ));
    assert!(matches!(
        create_branch(&repo, "x", &StartPoint::Branch("nope".into()), false, &|| false),
        Err(GitError::BranchNotFound(name)) if name == "nope"
    ));
    assert!(matches!(
        create_branch(
            &repo,
            "x",
            &StartPoint::Commit("deadbeef99".into()),
            false,
            &|| false
        ),
        Err(GitError::RevisionNotFound(_))
    ));
    match create_branch(&repo, "bad..name", &StartPoint::Head, false, &|| false) {
        Err(GitError::InvalidBranchName { name, reason }) => {
            assert_eq!(name, "bad..name");
            assert!(reason.contains(".."), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        switch_branch(&repo, "nope", &|| false),
        Err(GitError::BranchNotFound(_))
    ));
    let (ok, _) = git_status_code(&repo, &["rev-parse", "--verify", "-q", "refs/heads/x"]);
    assert!(!ok, "a failed create left a branch behind");
}

#[test]
fn switch_with_local_changes_in_the_way_is_refused_with_the_files() {
    let (_dir, repo) = repo();
    create_branch(&repo, "feature", &StartPoint::Head, true, &|| false).unwrap();
    commit_file(&repo, "a.txt", "a on feature\n", "change a");
    commit_file(&repo, "new.txt", "new on feature\n", "add new");
    switch_branch(&repo, "main", &|| false).unwrap();
    let head = rev(&repo, "HEAD");

    // Unstaged change to a file that differs, a staged change to a file that does not, an
    // untracked file where the branch has one.
    std::fs::write(repo.join("a.txt"), "local edit\n").unwrap();
    std::fs::write(repo.join("b.txt"), "staged edit\n").unwrap();
    git(&repo, &["add", "b.txt"]);
    std::fs::write(repo.join("new.txt"), "untracked\n").unwrap();

    match switch_branch(&repo, "feature", &|| false) {
        Err(GitError::UncommittedChanges { files }) => assert_eq!(files, ["a.txt", "new.txt"]),
        other => panic!("{other:?}"),
    }
    // Nothing moved.
    assert_eq!(current_branch(&repo), "main");
    assert_eq!(rev(&repo, "HEAD"), head);
    assert_eq!(read(&repo, "a.txt"), "local edit\n");
    assert_eq!(read(&repo, "new.txt"), "untracked\n");

    // With only the change that does not collide, the switch carries it over (as git does).
    git(&repo, &["checkout", "--", "a.txt"]);
    std::fs::remove_file(repo.join("new.txt")).unwrap();
    switch_branch(&repo, "feature", &|| false).unwrap();
    assert_eq!(current_branch(&repo), "feature");
    assert_eq!(read(&repo, "a.txt"), "a on feature\n");
    assert_eq!(read(&repo, "b.txt"), "staged edit\n");
    assert_eq!(
        git(&repo, &["diff", "--cached", "--name-only"]).trim(),
        "b.txt"
    );
}

#[test]
fn switching_to_a_remote_only_branch_creates_a_tracking_branch() {
    let (_dir, _bare, clone) = remote_and_clone();
    let remotes = remote_branches(&clone).unwrap();
    let names: Vec<_> = remotes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        ["origin/main", "origin/topic"],
        "origin/HEAD is not listed"
    );
    assert_eq!(remotes[1].remote, "origin");
    assert_eq!(remotes[1].branch, "topic");
    assert_eq!(remotes[1].last_commit.summary, "topic work");
    assert_eq!(remotes[1].last_commit.id, rev(&clone, "origin/topic"));

    // "topic" exists only as origin/topic.
    switch_branch(&clone, "topic", &|| false).unwrap();
    assert_eq!(current_branch(&clone), "topic");
    assert_eq!(rev(&clone, "HEAD"), rev(&clone, "origin/topic"));
    assert_eq!(
        git(&clone, &["rev-parse", "--abbrev-ref", "topic@{upstream}"]).trim(),
        "origin/topic"
    );
    assert_eq!(read(&clone, "t.txt"), "topic\n");

    // Ahead/behind against the upstream.
    commit_file(&clone, "t.txt", "more\n", "local work");
    let topic = local_branches(&clone)
        .unwrap()
        .into_iter()
        .find(|b| b.name == "topic")
        .unwrap();
    assert_eq!(topic.upstream.as_deref(), Some("origin/topic"));
    assert_eq!((topic.ahead, topic.behind), (1, 0));
    assert!(!topic.upstream_gone);

    // "origin/topic" when a local topic tracks it: switches to that branch.
    switch_branch(&clone, "main", &|| false).unwrap();
    switch_branch(&clone, "origin/topic", &|| false).unwrap();
    assert_eq!(current_branch(&clone), "topic");

    // "origin/main" style in a fresh branch name: delete local main first.
    git(&clone, &["branch", "-q", "-D", "main"]);
    switch_branch(&clone, "origin/main", &|| false).unwrap();
    assert_eq!(current_branch(&clone), "main");
    assert_eq!(
        git(&clone, &["rev-parse", "--abbrev-ref", "main@{upstream}"]).trim(),
        "origin/main"
    );
}

#[test]
fn delete_refuses_unmerged_and_the_current_branch_then_forces() {
    let (_dir, repo) = repo();
    create_branch(&repo, "merged", &StartPoint::Head, false, &|| false).unwrap();
    create_branch(&repo, "unmerged", &StartPoint::Head, true, &|| false).unwrap();
    git(
        &repo,
        &["config", "branch.unmerged.description", "work in progress"],
    );
    let tip = commit_file(&repo, "a.txt", "unmerged work\n", "unmerged work");

    assert!(matches!(
        delete_branch(&repo, "unmerged", false),
        Err(GitError::CurrentBranch(name)) if name == "unmerged"
    ));
    switch_branch(&repo, "main", &|| false).unwrap();
    assert!(matches!(
        delete_branch(&repo, "unmerged", false),
        Err(GitError::BranchNotMerged { branch }) if branch == "unmerged"
    ));
    assert_eq!(rev(&repo, "refs/heads/unmerged"), tip, "still there");

    delete_branch(&repo, "unmerged", true).unwrap();
    let (ok, _) = git_status_code(
        &repo,
        &["rev-parse", "--verify", "-q", "refs/heads/unmerged"],
    );
    assert!(!ok);
    let (has_config, _) = git_status_code(&repo, &["config", "branch.unmerged.description"]);
    assert!(!has_config, "the branch's configuration goes with it");

    delete_branch(&repo, "merged", false).unwrap();
    assert!(matches!(
        delete_branch(&repo, "merged", false),
        Err(GitError::BranchNotFound(_))
    ));
}

#[test]
fn delete_accepts_a_branch_merged_into_its_upstream_but_not_into_head() {
    let (_dir, _bare, clone) = remote_and_clone();
    switch_branch(&clone, "topic", &|| false).unwrap();
    switch_branch(&clone, "main", &|| false).unwrap();
    // topic's tip is on origin/topic, not on main.
    delete_branch(&clone, "topic", false).unwrap();
    let (ok, _) = git_status_code(&clone, &["rev-parse", "--verify", "-q", "refs/heads/topic"]);
    assert!(!ok);
}

#[test]
fn rename_keeps_the_upstream_and_follows_head() {
    let (_dir, _bare, clone) = remote_and_clone();
    switch_branch(&clone, "topic", &|| false).unwrap();
    rename_branch(&clone, "topic", "topic-renamed").unwrap();
    assert_eq!(current_branch(&clone), "topic-renamed");
    assert_eq!(
        git(
            &clone,
            &["rev-parse", "--abbrev-ref", "topic-renamed@{upstream}"]
        )
        .trim(),
        "origin/topic"
    );
    let (old_config, _) = git_status_code(&clone, &["config", "branch.topic.merge"]);
    assert!(!old_config);
    let listed = local_branches(&clone).unwrap();
    let renamed = listed.iter().find(|b| b.name == "topic-renamed").unwrap();
    assert!(renamed.head);
    assert_eq!(renamed.upstream.as_deref(), Some("origin/topic"));

    match rename_branch(&clone, "topic-renamed", "bad name") {
        Err(GitError::InvalidBranchName { reason, .. }) => assert!(reason.contains("space")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        rename_branch(&clone, "topic-renamed", "main"),
        Err(GitError::BranchExists(name)) if name == "main"
    ));
    assert!(matches!(
        rename_branch(&clone, "nope", "other"),
        Err(GitError::BranchNotFound(_))
    ));
    assert_eq!(current_branch(&clone), "topic-renamed");
}

#[test]
fn an_upstream_whose_remote_branch_is_gone_is_flagged() {
    let (_dir, bare, clone) = remote_and_clone();
    switch_branch(&clone, "topic", &|| false).unwrap();
    git(&bare, &["branch", "-q", "-D", "topic"]);
    git(&clone, &["fetch", "-q", "--prune"]);
    let topic = local_branches(&clone)
        .unwrap()
        .into_iter()
        .find(|b| b.name == "topic")
        .unwrap();
    assert_eq!(topic.upstream.as_deref(), Some("origin/topic"));
    assert!(topic.upstream_gone);
    assert_eq!((topic.ahead, topic.behind), (0, 0));
}

/// A cancel check that answers "no" `n` times, then "yes": where in the operation it is asked.
fn cancel_after(n: usize) -> impl Fn() -> bool {
    let asked = std::cell::Cell::new(0);
    move || {
        asked.set(asked.get() + 1);
        asked.get() > n
    }
}

/// HEAD's branch and commit, the branches, and the working tree: what a cancel must not change.
fn state(dir: &Path) -> (String, String, String, String) {
    (
        current_branch(dir),
        rev(dir, "HEAD"),
        git(dir, &["branch", "-a", "--format=%(refname) %(objectname)"]),
        git(dir, &["status", "--porcelain", "--untracked-files=all"]),
    )
}

#[test]
fn a_cancelled_switch_or_create_changes_nothing() {
    let (_dir, repo) = repo();
    create_branch(&repo, "feature", &StartPoint::Head, false, &|| false).unwrap();
    switch_branch(&repo, "feature", &|| false).unwrap();
    commit_file(&repo, "a.txt", "a on feature\n", "feature work");
    switch_branch(&repo, "main", &|| false).unwrap();
    std::fs::write(repo.join("b.txt"), "local change\n").unwrap();
    let before = state(&repo);

    let error = switch_branch(&repo, "feature", &|| true).unwrap_err();
    assert!(matches!(error, GitError::Cancelled), "{error:?}");
    assert_eq!(state(&repo), before);
    assert_eq!(read(&repo, "a.txt"), "a\n");

    // Cancelled before the branch is made, and cancelled in the switch after it was made:
    // either way no new branch is left behind.
    for asks_before_cancel in [0, 1] {
        let error = create_branch(
            &repo,
            "new",
            &StartPoint::Branch("feature".into()),
            true,
            &cancel_after(asks_before_cancel),
        )
        .unwrap_err();
        assert!(matches!(error, GitError::Cancelled), "{error:?}");
        assert_eq!(state(&repo), before, "after {asks_before_cancel} asks");
    }
    // Not cancelled: the same calls work.
    create_branch(
        &repo,
        "new",
        &StartPoint::Branch("feature".into()),
        true,
        &|| false,
    )
    .unwrap();
    assert_eq!(current_branch(&repo), "new");
    assert_eq!(read(&repo, "a.txt"), "a on feature\n");
    assert_eq!(read(&repo, "b.txt"), "local change\n");
}

#[test]
fn a_cancelled_switch_to_a_remote_branch_creates_no_tracking_branch() {
    let (_dir, _bare, clone) = remote_and_clone();
    let before = state(&clone);
    let error = switch_branch(&clone, "origin/topic", &|| true).unwrap_err();
    assert!(matches!(error, GitError::Cancelled), "{error:?}");
    assert_eq!(state(&clone), before);
    assert!(!clone.join("t.txt").exists());
}
