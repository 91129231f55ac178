//! `cctui::git::merge` on real temp repositories (sandboxed configuration): fast-forward, merge
//! commit, refusals (staged changes, files in the way), conflicts resolved each way and
//! committed with `cctui::git::commit`, abort back to the exact pre-merge state (HEAD, index
//! entries, working files byte for byte), and the merge state found again after a "restart".
//! Checked with the git CLI.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_repo.rs"]
mod git_repo;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cctui::git::GitError;
use cctui::git::branch::{StartPoint, create_branch, switch_branch};
use cctui::git::commit::{CommitRequest, commit};
use cctui::git::merge::{
    MergeOptions, MergeOutcome, Resolution, abort_merge, conflict_files, has_conflict_markers,
    merge_branch, merge_in_progress, resolve_file,
};
use cctui::git::status::{ConflictKind, RepoState, status};
use git_repo::{git, git_status_code, repo_init, sandbox_config_files};

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

fn parents(dir: &Path, what: &str) -> Vec<String> {
    git(dir, &["rev-list", "--parents", "-n", "1", what])
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// Every working-tree file (outside `.git`) with its bytes.
fn working_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            files.insert(rel, std::fs::read(&path).unwrap());
        }
    }
    files
}

/// A repository on `main` (a.txt, b.txt, c.txt, d.txt, e.txt, keep.txt) and a branch
/// `feature` from the same commit.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let (dir, _repo) = repo_init();
    let path = dir.path().to_path_buf();
    for file in ["a", "b", "c", "d", "e", "keep"] {
        std::fs::write(path.join(format!("{file}.txt")), format!("{file} base\n")).unwrap();
    }
    git(&path, &["add", "."]);
    git(&path, &["commit", "-q", "-m", "initial"]);
    git(&path, &["branch", "feature"]);
    (dir, path)
}

/// Diverges `main` and `feature` so that a.txt … d.txt conflict (both modified), e.txt is
/// modified by us and deleted by them, and `feature` adds `theirs-new.txt`.
fn conflicting(dir: &Path) {
    git(dir, &["checkout", "-q", "feature"]);
    for file in ["a", "b", "c", "d"] {
        std::fs::write(dir.join(format!("{file}.txt")), format!("{file} theirs\n")).unwrap();
    }
    git(dir, &["rm", "-q", "e.txt"]);
    std::fs::write(dir.join("theirs-new.txt"), "new on feature\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "feature side"]);
    git(dir, &["checkout", "-q", "main"]);
    for file in ["a", "b", "c", "d", "e"] {
        std::fs::write(dir.join(format!("{file}.txt")), format!("{file} ours\n")).unwrap();
    }
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "main side"]);
}

fn merge(dir: &Path, branch: &str) -> MergeOutcome {
    merge_branch(dir, branch, MergeOptions::default(), &|| false).unwrap()
}

#[test]
fn fast_forward_then_up_to_date() {
    let (_dir, repo) = repo();
    switch_branch(&repo, "feature", &|| false).unwrap();
    let tip = commit_file(&repo, "a.txt", "a on feature\n", "feature work");
    switch_branch(&repo, "main", &|| false).unwrap();
    // An unrelated unstaged change survives the fast-forward.
    std::fs::write(repo.join("keep.txt"), "local\n").unwrap();

    assert_eq!(
        merge(&repo, "feature"),
        MergeOutcome::FastForward { to: tip.clone() }
    );
    assert_eq!(rev(&repo, "HEAD"), tip);
    assert_eq!(rev(&repo, "refs/heads/main"), tip);
    assert_eq!(read(&repo, "a.txt"), "a on feature\n");
    assert_eq!(read(&repo, "keep.txt"), "local\n");
    assert_eq!(git(&repo, &["diff", "--cached", "--name-only"]), "");
    assert_eq!(merge(&repo, "feature"), MergeOutcome::UpToDate);
    assert_eq!(status(&repo).unwrap().state, RepoState::Clean);
}

#[test]
fn a_fast_forward_over_local_changes_is_refused_with_the_files() {
    let (_dir, repo) = repo();
    switch_branch(&repo, "feature", &|| false).unwrap();
    commit_file(&repo, "a.txt", "a on feature\n", "feature a");
    commit_file(&repo, "b.txt", "b on feature\n", "feature b");
    switch_branch(&repo, "main", &|| false).unwrap();
    let head = rev(&repo, "HEAD");
    std::fs::write(repo.join("a.txt"), "local a\n").unwrap();
    std::fs::write(repo.join("b.txt"), "staged b\n").unwrap();
    git(&repo, &["add", "b.txt"]);
    match merge_branch(&repo, "feature", MergeOptions::default(), &|| false) {
        Err(GitError::UncommittedChanges { files }) => assert_eq!(files, ["a.txt", "b.txt"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(rev(&repo, "HEAD"), head);
    assert_eq!(read(&repo, "a.txt"), "local a\n");
    assert_eq!(git(&repo, &["show", ":b.txt"]), "staged b\n");

    // A detached HEAD has no branch to merge into.
    git(&repo, &["reset", "-q", "--hard"]);
    git(&repo, &["checkout", "-q", "--detach"]);
    assert!(matches!(
        merge_branch(&repo, "feature", MergeOptions::default(), &|| false),
        Err(GitError::NoBranch)
    ));
}

#[test]
fn diverged_branches_get_a_merge_commit_and_no_ff_forces_one() {
    let (_dir, repo) = repo();
    switch_branch(&repo, "feature", &|| false).unwrap();
    let theirs = commit_file(&repo, "a.txt", "a on feature\n", "feature work");
    switch_branch(&repo, "main", &|| false).unwrap();
    let ours = commit_file(&repo, "b.txt", "b on main\n", "main work");

    let MergeOutcome::Merged { commit: id } = merge(&repo, "feature") else {
        panic!("expected a merge commit");
    };
    assert_eq!(rev(&repo, "HEAD"), id);
    assert_eq!(parents(&repo, "HEAD"), [ours, theirs]);
    assert_eq!(
        git(&repo, &["log", "-1", "--format=%B"]).trim(),
        "Merge branch 'feature'"
    );
    assert_eq!(
        git(&repo, &["log", "-1", "--format=%an <%ae>"]).trim(),
        "Test User <test@example.com>"
    );
    assert_eq!(read(&repo, "a.txt"), "a on feature\n");
    assert_eq!(read(&repo, "b.txt"), "b on main\n");
    assert!(status(&repo).unwrap().is_clean());
    assert_eq!(status(&repo).unwrap().state, RepoState::Clean);
    assert!(!repo.join(".git/MERGE_HEAD").exists());

    // --no-ff where a fast-forward was possible.
    create_branch(&repo, "small", &StartPoint::Head, true, &|| false).unwrap();
    let small = commit_file(&repo, "c.txt", "c on small\n", "small work");
    switch_branch(&repo, "main", &|| false).unwrap();
    let before = rev(&repo, "HEAD");
    let outcome = merge_branch(&repo, "small", MergeOptions { no_ff: true }, &|| false).unwrap();
    assert!(
        matches!(outcome, MergeOutcome::Merged { .. }),
        "{outcome:?}"
    );
    assert_eq!(parents(&repo, "HEAD"), [before, small]);
}

#[test]
fn a_remote_tracking_branch_can_be_merged() {
    sandbox_config_files();
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    git(
        dir.path(),
        &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
    );
    git(
        dir.path(),
        &["init", "-q", "-b", "main", a.to_str().unwrap()],
    );
    commit_file(&a, "f.txt", "one\n", "initial");
    git(&a, &["push", "-q", bare.to_str().unwrap(), "main"]);
    git(
        dir.path(),
        &["clone", "-q", bare.to_str().unwrap(), b.to_str().unwrap()],
    );
    let theirs = commit_file(&a, "g.txt", "from a\n", "a's work");
    git(&a, &["push", "-q", bare.to_str().unwrap(), "main"]);
    let ours = commit_file(&b, "h.txt", "from b\n", "b's work");
    git(&b, &["fetch", "-q"]);

    // The clone has no identity of its own (and the global config is sandboxed away): the merge
    // commit cannot be made, and nothing is touched.
    assert!(matches!(
        merge_branch(&b, "origin/main", MergeOptions::default(), &|| false),
        Err(GitError::MissingIdentity { .. })
    ));
    assert_eq!(rev(&b, "HEAD"), ours);
    assert_eq!(git(&b, &["status", "--porcelain"]), "");
    assert!(!b.join(".git/MERGE_HEAD").exists());
    git(&b, &["config", "user.name", "Bob"]);
    git(&b, &["config", "user.email", "bob@example.com"]);

    let MergeOutcome::Merged { .. } = merge(&b, "origin/main") else {
        panic!("expected a merge commit");
    };
    assert_eq!(parents(&b, "HEAD"), [ours, theirs]);
    assert_eq!(
        git(&b, &["log", "-1", "--format=%s"]).trim(),
        "Merge remote-tracking branch 'origin/main'"
    );
}

#[test]
fn staged_changes_and_files_in_the_way_refuse_the_merge() {
    let (_dir, repo) = repo();
    conflicting(&repo);
    let head = rev(&repo, "HEAD");

    // Anything staged refuses a real merge (as git does).
    std::fs::write(repo.join("keep.txt"), "staged\n").unwrap();
    git(&repo, &["add", "keep.txt"]);
    match merge_branch(&repo, "feature", MergeOptions::default(), &|| false) {
        Err(GitError::UncommittedChanges { files }) => assert_eq!(files, ["keep.txt"]),
        other => panic!("{other:?}"),
    }
    git(&repo, &["reset", "-q", "--hard"]);

    // Unstaged changes in files the merge writes, and an untracked file where theirs adds
    // one; an unstaged change elsewhere is not in the way.
    std::fs::write(repo.join("a.txt"), "local a\n").unwrap();
    std::fs::write(repo.join("theirs-new.txt"), "untracked\n").unwrap();
    std::fs::write(repo.join("keep.txt"), "local keep\n").unwrap();
    let before = working_files(&repo);
    match merge_branch(&repo, "feature", MergeOptions::default(), &|| false) {
        Err(GitError::UncommittedChanges { files }) => {
            assert_eq!(files, ["a.txt", "theirs-new.txt"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(working_files(&repo), before, "nothing touched");
    assert_eq!(rev(&repo, "HEAD"), head);
    assert_eq!(status(&repo).unwrap().state, RepoState::Clean);

    // Unknown branch.
    assert!(matches!(
        merge_branch(&repo, "nope", MergeOptions::default(), &|| false),
        Err(GitError::BranchNotFound(_))
    ));
}

#[test]
fn conflicts_resolved_each_way_then_committed() {
    let (_dir, repo) = repo();
    conflicting(&repo);
    let ours = rev(&repo, "HEAD");
    let theirs = rev(&repo, "feature");
    // An unstaged change in a file the merge does not touch is kept throughout.
    std::fs::write(repo.join("keep.txt"), "local keep\n").unwrap();

    let outcome = merge(&repo, "feature");
    assert_eq!(
        outcome,
        MergeOutcome::Conflicts {
            files: ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]
                .map(String::from)
                .to_vec()
        }
    );
    assert!(read(&repo, "a.txt").contains("<<<<<<<"), "markers written");
    assert_eq!(read(&repo, "theirs-new.txt"), "new on feature\n");
    assert_eq!(read(&repo, "keep.txt"), "local keep\n");
    let kinds: Vec<_> = conflict_files(&repo)
        .unwrap()
        .into_iter()
        .map(|c| (c.path, c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("a.txt".to_string(), ConflictKind::BothModified),
            ("b.txt".to_string(), ConflictKind::BothModified),
            ("c.txt".to_string(), ConflictKind::BothModified),
            ("d.txt".to_string(), ConflictKind::BothModified),
            ("e.txt".to_string(), ConflictKind::DeletedByThem),
        ]
    );
    let info = merge_in_progress(&repo).unwrap().unwrap();
    assert_eq!(info.theirs, "feature");
    assert_eq!(info.theirs_id, theirs);
    assert!(
        info.message.starts_with("Merge branch 'feature'"),
        "{:?}",
        info.message
    );
    assert!(
        !info.message.contains('#'),
        "comment lines stripped: {:?}",
        info.message
    );

    // The commit is refused while conflicts remain; so are another merge and a switch.
    let request = CommitRequest {
        message: info.message.clone(),
        ..CommitRequest::default()
    };
    assert!(matches!(
        commit(&repo, &request),
        Err(GitError::UnresolvedConflicts { .. })
    ));
    assert!(matches!(
        merge_branch(&repo, "feature", MergeOptions::default(), &|| false),
        Err(GitError::MergeInProgress)
    ));
    assert!(matches!(
        switch_branch(&repo, "feature", &|| false),
        Err(GitError::MergeInProgress)
    ));

    resolve_file(&repo, "a.txt", Resolution::Ours).unwrap();
    resolve_file(&repo, "b.txt", Resolution::Theirs).unwrap();
    resolve_file(&repo, "c.txt", Resolution::Both).unwrap();
    assert!(has_conflict_markers(&repo, "d.txt").unwrap());
    std::fs::write(repo.join("d.txt"), "d edited by hand\n").unwrap();
    assert!(!has_conflict_markers(&repo, "d.txt").unwrap());
    resolve_file(&repo, "d.txt", Resolution::AsIs).unwrap();
    resolve_file(&repo, "e.txt", Resolution::Theirs).unwrap();

    assert_eq!(read(&repo, "a.txt"), "a ours\n");
    assert_eq!(read(&repo, "b.txt"), "b theirs\n");
    assert_eq!(read(&repo, "c.txt"), "c ours\nc theirs\n");
    assert_eq!(read(&repo, "d.txt"), "d edited by hand\n");
    assert!(!repo.join("e.txt").exists(), "their deletion taken");
    // Every resolved path is a plain stage-0 entry with the working file's content.
    let stages = git(&repo, &["ls-files", "-s"]);
    assert!(
        stages
            .lines()
            .all(|l| l.split_whitespace().nth(2) == Some("0")),
        "{stages}"
    );
    assert!(!stages.contains("e.txt"), "{stages}");
    for file in ["a.txt", "b.txt", "c.txt", "d.txt"] {
        assert_eq!(
            git(&repo, &["show", &format!(":{file}")]),
            read(&repo, file),
            "{file}"
        );
    }
    assert!(conflict_files(&repo).unwrap().is_empty());
    assert!(matches!(
        resolve_file(&repo, "a.txt", Resolution::Ours),
        Err(GitError::NotInConflict(_))
    ));

    let done = commit(&repo, &request).unwrap();
    assert_eq!(rev(&repo, "HEAD"), done.id);
    assert_eq!(parents(&repo, "HEAD"), [ours, theirs]);
    assert_eq!(status(&repo).unwrap().state, RepoState::Clean);
    assert!(merge_in_progress(&repo).unwrap().is_none());
    assert_eq!(git(&repo, &["show", "HEAD:c.txt"]), "c ours\nc theirs\n");
    assert_eq!(
        git(&repo, &["show", "HEAD:theirs-new.txt"]),
        "new on feature\n"
    );
    assert_eq!(read(&repo, "keep.txt"), "local keep\n");
    assert_eq!(git(&repo, &["status", "--porcelain"]).trim(), "M keep.txt");
}

#[test]
fn both_keeps_the_non_conflicting_changes_of_each_side() {
    let (_dir, repo) = repo();
    std::fs::write(repo.join("f.txt"), "1\n2\n3\n4\n5\n6\n7\n8\n9\n").unwrap();
    git(&repo, &["add", "f.txt"]);
    git(&repo, &["commit", "-q", "-m", "f"]);
    git(&repo, &["checkout", "-q", "-B", "feature"]);
    commit_file(
        &repo,
        "f.txt",
        "1 theirs\n2\n3\n4\n5\n6\n7\n8\n9 theirs\n",
        "theirs",
    );
    git(&repo, &["checkout", "-q", "main"]);
    git(&repo, &["reset", "-q", "--hard", "feature~1"]);
    commit_file(
        &repo,
        "f.txt",
        "1 ours\n2\n3\n4\n5 ours\n6\n7\n8\n9\n",
        "ours",
    );
    assert!(matches!(
        merge(&repo, "feature"),
        MergeOutcome::Conflicts { .. }
    ));
    resolve_file(&repo, "f.txt", Resolution::Both).unwrap();
    assert_eq!(
        read(&repo, "f.txt"),
        "1 ours\n1 theirs\n2\n3\n4\n5 ours\n6\n7\n8\n9 theirs\n"
    );
}

#[test]
fn abort_restores_head_index_and_files_exactly() {
    let (_dir, repo) = repo();
    conflicting(&repo);
    // Pre-merge state, with an unstaged change the merge does not touch and an untracked file.
    std::fs::write(repo.join("keep.txt"), "local keep\n").unwrap();
    std::fs::write(repo.join("untracked.txt"), "mine\n").unwrap();
    let head = rev(&repo, "HEAD");
    let index = git(&repo, &["ls-files", "-s"]);
    let files = working_files(&repo);
    let porcelain = git(&repo, &["status", "--porcelain"]);

    assert!(matches!(
        merge(&repo, "feature"),
        MergeOutcome::Conflicts { .. }
    ));
    assert_ne!(working_files(&repo), files);
    // Partly resolved before giving up.
    resolve_file(&repo, "a.txt", Resolution::Theirs).unwrap();
    resolve_file(&repo, "e.txt", Resolution::Theirs).unwrap();

    abort_merge(&repo).unwrap();
    assert_eq!(rev(&repo, "HEAD"), head);
    assert_eq!(git(&repo, &["ls-files", "-s"]), index);
    assert_eq!(working_files(&repo), files);
    assert_eq!(git(&repo, &["status", "--porcelain"]), porcelain);
    assert_eq!(
        git(&repo, &["symbolic-ref", "HEAD"]).trim(),
        "refs/heads/main"
    );
    assert!(!repo.join(".git/MERGE_HEAD").exists());
    assert!(!repo.join(".git/MERGE_MSG").exists());
    assert_eq!(status(&repo).unwrap().state, RepoState::Clean);
    assert!(merge_in_progress(&repo).unwrap().is_none());
    assert!(matches!(
        abort_merge(&repo),
        Err(GitError::NoMergeInProgress)
    ));

    // The same merge can be started again.
    assert!(matches!(
        merge(&repo, "feature"),
        MergeOutcome::Conflicts { .. }
    ));
}

#[test]
fn merge_state_is_found_again_after_a_restart() {
    let (_dir, repo) = repo();
    conflicting(&repo);
    let theirs = rev(&repo, "feature");
    assert!(matches!(
        merge(&repo, "feature"),
        MergeOutcome::Conflicts { .. }
    ));

    // Nothing is kept in memory between calls; the CLI sees the same merge.
    assert_eq!(rev(&repo, "MERGE_HEAD"), theirs);
    let info = merge_in_progress(&repo).unwrap().unwrap();
    assert_eq!(
        (info.theirs.as_str(), info.theirs_id.as_str()),
        ("feature", theirs.as_str())
    );
    let state = status(&repo).unwrap();
    assert_eq!(state.state, RepoState::Merge);
    assert_eq!(state.conflicted.len(), 5);

    // A merge started by `git merge` on the command line is picked up the same way.
    git(&repo, &["merge", "--abort"]);
    assert!(merge_in_progress(&repo).unwrap().is_none());
    let (ok, _) = git_status_code(&repo, &["merge", "feature"]);
    assert!(!ok, "git merge stops on the conflicts");
    let info = merge_in_progress(&repo).unwrap().unwrap();
    assert_eq!(info.theirs, "feature");
    assert_eq!(info.theirs_id, theirs);
    assert_eq!(status(&repo).unwrap().state, RepoState::Merge);
    assert_eq!(conflict_files(&repo).unwrap().len(), 5);
    abort_merge(&repo).unwrap();
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
}

/// Resolving a conflicted file writes that file only, whatever its name: a leading `#` (which
/// libgit2's pathspec parser drops as a comment, leaving an empty list that means "every file")
/// or glob characters never reach the other files of the working tree.
#[test]
fn resolving_a_file_with_a_special_name_writes_only_that_file() {
    let (_dir, repo) = repo();
    for name in ["#notes.txt", "a?.txt", "ab.txt"] {
        commit_file(&repo, name, "base\n", "add");
    }
    git(&repo, &["branch", "-f", "feature"]);
    git(&repo, &["checkout", "-q", "feature"]);
    for name in ["#notes.txt", "a?.txt", "ab.txt"] {
        commit_file(&repo, name, "theirs\n", "theirs");
    }
    git(&repo, &["checkout", "-q", "main"]);
    for name in ["#notes.txt", "a?.txt", "ab.txt"] {
        commit_file(&repo, name, "ours\n", "ours");
    }
    std::fs::write(repo.join("keep.txt"), "local keep\n").unwrap();
    assert!(matches!(
        merge(&repo, "feature"),
        MergeOutcome::Conflicts { .. }
    ));
    let before = working_files(&repo);

    resolve_file(&repo, "#notes.txt", Resolution::Theirs).unwrap();
    resolve_file(&repo, "a?.txt", Resolution::Theirs).unwrap();

    let mut expected = before.clone();
    expected.insert("#notes.txt".into(), b"theirs\n".to_vec());
    expected.insert("a?.txt".into(), b"theirs\n".to_vec());
    assert_eq!(working_files(&repo), expected);
    assert_eq!(
        conflict_files(&repo)
            .unwrap()
            .into_iter()
            .map(|c| c.path)
            .collect::<Vec<_>>(),
        vec!["ab.txt".to_string()]
    );
}

/// HEAD, the index, the merge state and every working file: what a cancelled merge keeps.
fn merge_state(dir: &Path) -> (String, String, bool, BTreeMap<String, Vec<u8>>) {
    (
        rev(dir, "HEAD"),
        git(dir, &["ls-files", "-s"]),
        dir.join(".git/MERGE_HEAD").exists(),
        working_files(dir),
    )
}

#[test]
fn a_cancelled_merge_or_fast_forward_changes_nothing() {
    let (_dir, repo) = repo();
    // A fast-forward is possible, then (after a commit on main) a merge commit would be.
    git(&repo, &["checkout", "-q", "feature"]);
    commit_file(&repo, "a.txt", "a on feature\n", "feature work");
    git(&repo, &["checkout", "-q", "main"]);
    std::fs::write(repo.join("keep.txt"), "local keep\n").unwrap();
    for step in ["fast-forward", "merge commit"] {
        if step == "merge commit" {
            commit_file(&repo, "b.txt", "b on main\n", "main work");
            std::fs::write(repo.join("keep.txt"), "local keep\n").unwrap();
        }
        let before = merge_state(&repo);
        let error = merge_branch(&repo, "feature", MergeOptions::default(), &|| true).unwrap_err();
        assert!(matches!(error, GitError::Cancelled), "{step}: {error:?}");
        assert_eq!(merge_state(&repo), before, "{step}");
    }
    // Not cancelled, the merge happens.
    assert!(matches!(
        merge_branch(&repo, "feature", MergeOptions::default(), &|| false).unwrap(),
        MergeOutcome::Merged { .. }
    ));
    assert_eq!(read(&repo, "a.txt"), "a on feature\n");
}
