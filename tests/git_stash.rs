//! `cctui::git::stash` on real temp repositories (sandboxed configuration): a round trip with
//! staged, unstaged and untracked changes, apply/pop/drop, and the refusals. Checked with the
//! git CLI (`git stash list`, `git rev-parse stash@{n}`).
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_repo.rs"]
mod git_repo;

use std::path::{Path, PathBuf};

use cctui::git::GitError;
use cctui::git::merge::{Resolution, resolve_file};
use cctui::git::stash::{stash_apply, stash_drop, stash_list, stash_pop, stash_save};
use cctui::git::status::status;
use git_repo::{git, repo_init};

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// A repository on `main` with a.txt and b.txt committed.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let (dir, _repo) = repo_init();
    let path = dir.path().to_path_buf();
    std::fs::write(path.join("a.txt"), "a\n").unwrap();
    std::fs::write(path.join("b.txt"), "b\n").unwrap();
    git(&path, &["add", "."]);
    git(&path, &["commit", "-q", "-m", "initial"]);
    (dir, path)
}

#[test]
fn round_trip_with_untracked_files() {
    let (_dir, repo) = repo();
    std::fs::write(repo.join("a.txt"), "a unstaged\n").unwrap();
    std::fs::write(repo.join("b.txt"), "b staged\n").unwrap();
    git(&repo, &["add", "b.txt"]);
    std::fs::create_dir_all(repo.join("dir")).unwrap();
    std::fs::write(repo.join("dir/u.txt"), "untracked\n").unwrap();

    stash_save(&repo, Some("my work"), true).unwrap();
    assert!(
        status(&repo).unwrap().is_clean(),
        "{:?}",
        status(&repo).unwrap()
    );
    assert_eq!(read(&repo, "a.txt"), "a\n");
    assert_eq!(read(&repo, "b.txt"), "b\n");
    assert!(!repo.join("dir/u.txt").exists());

    let list = stash_list(&repo).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].index, 0);
    assert_eq!(list[0].message, "On main: my work");
    assert_eq!(list[0].id, git(&repo, &["rev-parse", "stash@{0}"]).trim());
    assert_eq!(
        git(&repo, &["stash", "list"]).trim(),
        "stash@{0}: On main: my work"
    );

    stash_pop(&repo, 0, &|| false).unwrap();
    assert_eq!(read(&repo, "a.txt"), "a unstaged\n");
    assert_eq!(read(&repo, "b.txt"), "b staged\n");
    assert_eq!(read(&repo, "dir/u.txt"), "untracked\n");
    assert!(stash_list(&repo).unwrap().is_empty());
    assert_eq!(git(&repo, &["stash", "list"]), "");
}

#[test]
fn untracked_files_stay_unless_asked_and_entries_are_newest_first() {
    let (_dir, repo) = repo();
    std::fs::write(repo.join("a.txt"), "first\n").unwrap();
    std::fs::write(repo.join("u.txt"), "untracked\n").unwrap();
    stash_save(&repo, None, false).unwrap();
    assert_eq!(read(&repo, "u.txt"), "untracked\n", "left in place");
    assert_eq!(read(&repo, "a.txt"), "a\n");
    std::fs::write(repo.join("b.txt"), "second\n").unwrap();
    stash_save(&repo, Some("second"), false).unwrap();

    let list = stash_list(&repo).unwrap();
    let messages: Vec<_> = list.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages[0], "On main: second");
    assert!(messages[1].starts_with("WIP on main: "), "{messages:?}");
    assert_eq!(list[1].index, 1);

    // Apply keeps the entry; drop removes it.
    stash_apply(&repo, 1, &|| false).unwrap();
    assert_eq!(read(&repo, "a.txt"), "first\n");
    assert_eq!(stash_list(&repo).unwrap().len(), 2);
    stash_drop(&repo, 1).unwrap();
    let list = stash_list(&repo).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].message, "On main: second");
}

#[test]
fn refusals() {
    let (_dir, repo) = repo();
    assert!(matches!(
        stash_save(&repo, None, false),
        Err(GitError::NothingToStash)
    ));
    assert!(matches!(
        stash_drop(&repo, 0),
        Err(GitError::StashNotFound(0))
    ));
    assert!(matches!(
        stash_apply(&repo, 3, &|| false),
        Err(GitError::StashNotFound(3))
    ));

    std::fs::write(repo.join("a.txt"), "stashed\n").unwrap();
    stash_save(&repo, None, false).unwrap();
    // A local change to the same file is in the way: nothing changes, the entry stays.
    std::fs::write(repo.join("a.txt"), "local\n").unwrap();
    match stash_pop(&repo, 0, &|| false) {
        Err(GitError::UncommittedChanges { files }) => assert_eq!(files, ["a.txt"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(read(&repo, "a.txt"), "local\n");
    assert_eq!(stash_list(&repo).unwrap().len(), 1);
}

#[test]
fn a_stash_that_conflicts_with_new_commits_is_applied_with_markers_and_kept() {
    let (_dir, repo) = repo();
    std::fs::write(repo.join("a.txt"), "stashed\n").unwrap();
    stash_save(&repo, None, false).unwrap();
    std::fs::write(repo.join("a.txt"), "committed since\n").unwrap();
    git(&repo, &["commit", "-q", "-am", "since"]);

    match stash_pop(&repo, 0, &|| false) {
        Err(GitError::UnresolvedConflicts { files }) => assert_eq!(files, ["a.txt"]),
        other => panic!("{other:?}"),
    }
    let a = read(&repo, "a.txt");
    assert!(a.contains("<<<<<<<") && a.contains("stashed") && a.contains("committed since"));
    assert_eq!(git(&repo, &["status", "--porcelain"]), "UU a.txt\n");
    assert_eq!(stash_list(&repo).unwrap().len(), 1, "the entry is kept");

    // Resolved like a merge conflict.
    resolve_file(&repo, "a.txt", Resolution::Theirs).unwrap();
    assert_eq!(read(&repo, "a.txt"), "stashed\n");
    assert_eq!(git(&repo, &["status", "--porcelain"]), "M  a.txt\n");
}

#[test]
fn a_cancelled_apply_or_pop_changes_nothing_and_keeps_the_entry() {
    let (_dir, repo) = repo();
    std::fs::write(repo.join("a.txt"), "a stashed\n").unwrap();
    std::fs::write(repo.join("new.txt"), "untracked stashed\n").unwrap();
    stash_save(&repo, None, true).unwrap();
    std::fs::write(repo.join("b.txt"), "b local\n").unwrap();
    let before = (
        git(&repo, &["status", "--porcelain", "--untracked-files=all"]),
        git(&repo, &["stash", "list"]),
        read(&repo, "a.txt"),
    );
    for pop in [false, true] {
        let result = if pop {
            stash_pop(&repo, 0, &|| true)
        } else {
            stash_apply(&repo, 0, &|| true)
        };
        assert!(matches!(result, Err(GitError::Cancelled)), "{result:?}");
        let after = (
            git(&repo, &["status", "--porcelain", "--untracked-files=all"]),
            git(&repo, &["stash", "list"]),
            read(&repo, "a.txt"),
        );
        assert_eq!(after, before, "pop: {pop}");
        assert!(!repo.join("new.txt").exists());
    }
    stash_pop(&repo, 0, &|| false).unwrap();
    assert_eq!(read(&repo, "a.txt"), "a stashed\n");
    assert_eq!(read(&repo, "new.txt"), "untracked stashed\n");
    assert_eq!(git(&repo, &["stash", "list"]), "");
}
