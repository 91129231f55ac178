//! `cctui::git::undo`: each change cctui makes (commit, amend, merge, pull, branch delete,
//! switch, stash drop, discard), recorded as the jobs record it, then undone on a real temp
//! repository with a sandboxed configuration; and refused, with nothing changed, when work
//! made since is in the way. What the repository holds is read back with the git CLI.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use cctui::git::undo::{self, KEEP_PREFIX};
use cctui::git::undo_log::{Change, HeadAt, MoveKind, UndoLog};
use cctui::git::{Auth, CommitRequest, GitError, commit};
use git_remote::*;
use local_support::*;

fn request(message: &str, amend: bool) -> CommitRequest {
    CommitRequest {
        message: message.to_string(),
        amend,
        allow_empty: false,
        no_verify: true,
    }
}

fn repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    repo_init(&work);
    cli_commit(&work, "file.txt", "one\n", "first");
    (dir, work)
}

fn refusal(result: Result<String, GitError>) -> String {
    match result {
        Err(GitError::UndoRefused { reason, .. }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn status(dir: &Path) -> String {
    git_ok(dir, &["status", "--porcelain"])
}

#[test]
fn a_commit_is_undone_and_a_later_commit_refuses_it() {
    let (_dir, work) = repo();
    let first = rev(&work, "HEAD");
    let before = undo::tip(&work).unwrap();
    stage(&work, "file.txt", "one\ntwo\n");
    commit(&work, &request("second", false)).unwrap();
    let change = undo::moved(&work, MoveKind::Commit, before, "second")
        .unwrap()
        .unwrap();
    let Change::Moved {
        before, reference, ..
    } = &change
    else {
        panic!("{change:?}")
    };
    assert_eq!(before.as_deref(), Some(first.as_str()));
    assert_eq!(reference, "refs/heads/main");

    // New work since: a commit made after it.
    let second = rev(&work, "HEAD");
    let third = cli_commit(&work, "other.txt", "x\n", "third");
    let reason = refusal(undo::undo(&work, &change));
    assert!(reason.contains("moved since"), "{reason}");
    assert_eq!(rev(&work, "HEAD"), third, "a refused undo changes nothing");

    // Back to the commit's own tip: now it can be undone, working tree and index too.
    git_ok(&work, &["reset", "-q", "--hard", &second]);
    let said = undo::undo(&work, &change).unwrap();
    assert!(said.contains("main is back at"), "{said}");
    assert_eq!(rev(&work, "HEAD"), first);
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "one\n"
    );
    assert_eq!(status(&work), "");
}

#[test]
fn uncommitted_changes_refuse_the_undo_of_a_commit() {
    let (_dir, work) = repo();
    let before = undo::tip(&work).unwrap();
    stage(&work, "file.txt", "one\ntwo\n");
    commit(&work, &request("second", false)).unwrap();
    let change = undo::moved(&work, MoveKind::Commit, before, "second")
        .unwrap()
        .unwrap();
    std::fs::write(work.join("file.txt"), "work in progress\n").unwrap();
    let head = rev(&work, "HEAD");
    let reason = refusal(undo::undo(&work, &change));
    assert!(
        reason.contains("uncommitted changes would be lost: file.txt"),
        "{reason}"
    );
    assert_eq!(rev(&work, "HEAD"), head);
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "work in progress\n"
    );
}

#[test]
fn an_amend_is_undone_back_to_the_amended_commit() {
    let (_dir, work) = repo();
    let original = rev(&work, "HEAD");
    let before = undo::tip(&work).unwrap();
    stage(&work, "file.txt", "one amended\n");
    commit(&work, &request("first, amended", true)).unwrap();
    let change = undo::moved(&work, MoveKind::Amend, before, "first, amended")
        .unwrap()
        .unwrap();
    undo::undo(&work, &change).unwrap();
    assert_eq!(rev(&work, "HEAD"), original);
    assert_eq!(git_ok(&work, &["log", "-1", "--format=%s"]), "first");
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "one\n"
    );
}

#[test]
fn a_merge_is_undone() {
    let (_dir, work) = repo();
    git_ok(&work, &["checkout", "-q", "-b", "topic"]);
    cli_commit(&work, "topic.txt", "t\n", "on topic");
    git_ok(&work, &["checkout", "-q", "main"]);
    let main = cli_commit(&work, "main.txt", "m\n", "on main");
    let before = undo::tip(&work).unwrap();
    let outcome = cctui::git::merge::merge_branch(
        &work,
        "topic",
        cctui::git::merge::MergeOptions::default(),
        &|| false,
    )
    .unwrap();
    assert!(
        matches!(outcome, cctui::git::merge::MergeOutcome::Merged { .. }),
        "{outcome:?}"
    );
    let change = undo::moved(&work, MoveKind::Merge, before, "topic")
        .unwrap()
        .unwrap();
    assert!(change.describe().contains("merge topic into main"));
    undo::undo(&work, &change).unwrap();
    assert_eq!(rev(&work, "HEAD"), main);
    assert!(!work.join("topic.txt").exists());
    assert_eq!(status(&work), "");
}

#[test]
fn a_pull_is_undone_and_the_fetched_commit_stays_on_the_remote_branch() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, b) = remote_and_two_clones(dir.path());
    let pushed = cli_commit(&b, "from-b.txt", "b\n", "from b");
    git_ok(&b, &["push", "-q", "origin", "main"]);
    let old = rev(&a, "HEAD");
    let before = undo::tip(&a).unwrap();
    cctui::git::pull(&a, "origin", Auth::GitCredentialHelper, &mut |_| true).unwrap();
    assert_eq!(rev(&a, "HEAD"), pushed);
    let change = undo::moved(&a, MoveKind::Pull, before, "origin")
        .unwrap()
        .unwrap();
    undo::undo(&a, &change).unwrap();
    assert_eq!(rev(&a, "HEAD"), old);
    assert_eq!(rev(&a, "origin/main"), pushed);
    assert!(!a.join("from-b.txt").exists());
}

#[test]
fn a_deleted_branch_comes_back_with_its_upstream_unless_the_name_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let (_bare, a, _b) = remote_and_two_clones(dir.path());
    git_ok(&a, &["checkout", "-q", "-b", "topic"]);
    let tip = cli_commit(&a, "t.txt", "t\n", "topic work");
    git_ok(&a, &["push", "-q", "-u", "origin", "topic"]);
    git_ok(&a, &["checkout", "-q", "main"]);
    let change = undo::branch_before_delete(&a, "topic").unwrap();
    cctui::git::branch::delete_branch(&a, "topic", true).unwrap();
    assert!(try_rev(&a, "refs/heads/topic").is_none());

    // A new branch of that name is in the way.
    git_ok(&a, &["branch", "topic", "main"]);
    let reason = refusal(undo::undo(&a, &change));
    assert!(reason.contains("exists again"), "{reason}");
    git_ok(&a, &["branch", "-D", "topic"]);

    undo::undo(&a, &change).unwrap();
    assert_eq!(rev(&a, "refs/heads/topic"), tip);
    assert_eq!(
        git_ok(&a, &["rev-parse", "--abbrev-ref", "topic@{upstream}"]),
        "origin/topic"
    );
}

#[test]
fn a_switch_is_undone_when_clean_and_refused_with_changes_in_the_way() {
    let (_dir, work) = repo();
    git_ok(&work, &["branch", "topic"]);
    let from = undo::head_at(&work).unwrap().unwrap();
    assert_eq!(from, HeadAt::Branch("main".into()));
    cctui::git::branch::switch_branch(&work, "topic", &|| false).unwrap();
    let change = Change::Switched {
        from,
        to: "topic".into(),
    };
    // A change on topic that main's version would overwrite.
    cli_commit(&work, "file.txt", "topic\n", "topic change");
    std::fs::write(work.join("file.txt"), "uncommitted\n").unwrap();
    let reason = refusal(undo::undo(&work, &change));
    assert!(
        reason.contains("uncommitted changes are in the way"),
        "{reason}"
    );
    assert_eq!(git_ok(&work, &["symbolic-ref", "--short", "HEAD"]), "topic");
    git_ok(&work, &["checkout", "-q", "--", "file.txt"]);
    undo::undo(&work, &change).unwrap();
    assert_eq!(git_ok(&work, &["symbolic-ref", "--short", "HEAD"]), "main");
}

#[test]
fn a_dropped_stash_goes_back_on_the_list_even_after_gc() {
    let (_dir, work) = repo();
    std::fs::write(work.join("file.txt"), "stashed work\n").unwrap();
    git_ok(&work, &["stash", "push", "-q", "-m", "keep me"]);
    let stashed = rev(&work, "stash@{0}");
    let change = undo::stash_before_drop(&work, 0).unwrap();
    cctui::git::stash::stash_drop(&work, 0).unwrap();
    assert!(try_rev(&work, "refs/stash").is_none());
    // The dropped commit is unreachable but for cctui's ref: gc keeps it.
    git_ok(&work, &["reflog", "expire", "--expire=now", "--all"]);
    git_ok(&work, &["gc", "-q", "--prune=now"]);
    let said = undo::undo(&work, &change).unwrap();
    assert!(said.contains("keep me"), "{said}");
    assert_eq!(rev(&work, "stash@{0}"), stashed);
    let list = git_ok(&work, &["stash", "list"]);
    assert!(list.contains("keep me"), "{list}");
    // Undone twice: refused, the entry is there already.
    let reason = refusal(undo::undo(&work, &change));
    assert!(reason.contains("already"), "{reason}");
    git_ok(&work, &["stash", "pop", "-q"]);
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "stashed work\n"
    );
}

#[test]
fn a_discard_keeps_what_it_throws_away_and_brings_it_back() {
    let (_dir, work) = repo();
    cli_commit(&work, "dir/tracked.txt", "committed\n", "tracked");
    std::fs::write(work.join("dir/tracked.txt"), "my edit\n").unwrap();
    std::fs::write(work.join("dir/new.txt"), "brand new\n").unwrap();
    std::fs::write(work.join("file.txt"), "outside, untouched\n").unwrap();
    let kept = undo::keep_before_discard(&work, "dir", "test-1").unwrap();
    cctui::git::discard::discard_path(&work, "dir", &|| false).unwrap();
    let change = undo::discarded(&work, kept).unwrap();
    assert_eq!(
        std::fs::read_to_string(work.join("dir/tracked.txt")).unwrap(),
        "committed\n"
    );
    assert!(!work.join("dir/new.txt").exists());
    // The content lives in the object store, kept alive by a ref that gc respects.
    assert!(try_rev(&work, &format!("{KEEP_PREFIX}test-1")).is_some());
    git_ok(&work, &["gc", "-q", "--prune=now"]);

    let said = undo::undo(&work, &change).unwrap();
    assert!(said.contains("2 files"), "{said}");
    assert_eq!(
        std::fs::read_to_string(work.join("dir/tracked.txt")).unwrap(),
        "my edit\n"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("dir/new.txt")).unwrap(),
        "brand new\n"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "outside, untouched\n"
    );
    assert!(
        try_rev(&work, &format!("{KEEP_PREFIX}test-1")).is_none(),
        "the keep ref goes once the content is back"
    );
}

#[test]
fn a_file_changed_since_the_discard_refuses_its_undo() {
    let (_dir, work) = repo();
    std::fs::write(work.join("file.txt"), "thrown away\n").unwrap();
    let kept = undo::keep_before_discard(&work, "file.txt", "test-2").unwrap();
    cctui::git::discard::discard_path(&work, "file.txt", &|| false).unwrap();
    let change = undo::discarded(&work, kept).unwrap();
    std::fs::write(work.join("file.txt"), "newer work\n").unwrap();
    let reason = refusal(undo::undo(&work, &change));
    assert!(
        reason.contains("changed since the discard: file.txt"),
        "{reason}"
    );
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "newer work\n",
        "nothing lost"
    );
}

#[test]
fn the_log_keeps_changes_per_clone_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let log = UndoLog::for_clone(dir.path(), Path::new("/clones/a"));
    let other = UndoLog::for_clone(dir.path(), Path::new("/other/a"));
    assert_ne!(
        log.file(),
        other.file(),
        "same name, other clone: its own file"
    );
    let first = log
        .append(
            Path::new("/clones/a"),
            Change::Switched {
                from: HeadAt::Branch("main".into()),
                to: "topic".into(),
            },
        )
        .unwrap();
    let second = log
        .append(
            Path::new("/clones/a"),
            Change::BranchDeleted {
                name: "old".into(),
                tip: "0".repeat(40),
                upstream: None,
            },
        )
        .unwrap();
    let ids: Vec<u64> = log.entries().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![second.id, first.id]);
    assert!(other.entries().unwrap().is_empty());
}
