//! The status engine (`cctui::git::status`) against `git status --porcelain=v2` on real
//! repositories: both are parsed into the same lines (`staged M path`, `worktree D path`,
//! `untracked dir/`, `conflict UD path`, `submodule path`, `branch main`) and compared whole.
//! `git` runs with `--no-optional-locks`, so it never refreshes the index under the engine's
//! feet: both sides see the same index.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/git_repo.rs"]
mod git_repo;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cctui::git::status::{
    ConflictKind, FileKind, Refresh, Status, StatusSnapshot, status, status_incremental,
    status_snapshot,
};
use cctui::git::status_summary::read_summary;

use git_repo::*;

/// The engine's status as porcelain-like lines.
fn ours(s: &Status) -> BTreeSet<String> {
    let letter = |k: &FileKind| match k {
        FileKind::New => "A",
        FileKind::Modified => "M",
        FileKind::Deleted => "D",
        FileKind::Renamed { .. } => "R",
        FileKind::TypeChange => "T",
        FileKind::Conflicted(_) => "U",
    };
    let mut out = BTreeSet::new();
    for f in &s.staged {
        match &f.kind {
            FileKind::Renamed { from } => out.insert(format!("staged R {from} -> {}", f.path)),
            k => out.insert(format!("staged {} {}", letter(k), f.path)),
        };
    }
    for f in &s.unstaged {
        out.insert(format!("worktree {} {}", letter(&f.kind), f.path));
    }
    for f in &s.untracked {
        out.insert(format!("untracked {}", f.path));
    }
    for f in &s.conflicted {
        let FileKind::Conflicted(kind) = f.kind else {
            panic!("{f:?} in the conflicted list");
        };
        let code = match kind {
            ConflictKind::BothDeleted => "DD",
            ConflictKind::AddedByUs => "AU",
            ConflictKind::DeletedByThem => "UD",
            ConflictKind::AddedByThem => "UA",
            ConflictKind::DeletedByUs => "DU",
            ConflictKind::BothAdded => "AA",
            ConflictKind::BothModified => "UU",
        };
        out.insert(format!("conflict {code} {}", f.path));
    }
    for f in s
        .staged
        .iter()
        .chain(&s.unstaged)
        .chain(&s.untracked)
        .chain(&s.conflicted)
    {
        if f.submodule {
            out.insert(format!("submodule {}", f.path));
        }
    }
    match (&s.branch, s.detached) {
        (Some(b), false) => out.insert(format!("branch {b}")),
        _ => out.insert("branch (detached)".to_string()),
    };
    if s.unborn {
        out.insert("unborn".to_string());
    }
    out
}

/// `git status --porcelain=v2 -z --branch` as the same lines.
fn theirs(dir: &Path) -> BTreeSet<String> {
    let raw = git(
        dir,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain=v2",
            "-z",
            "--branch",
        ],
    );
    let mut out = BTreeSet::new();
    let mut fields = raw.split('\0').filter(|f| !f.is_empty());
    while let Some(record) = fields.next() {
        let words: Vec<&str> = record.splitn(11, ' ').collect();
        match words[0] {
            "#" if words[1] == "branch.head" => {
                out.insert(format!("branch {}", words[2]));
            }
            "#" if words[1] == "branch.oid" && words[2] == "(initial)" => {
                out.insert("unborn".to_string());
            }
            "#" => {}
            "?" => {
                out.insert(format!("untracked {}", &record[2..]));
            }
            "1" | "2" => {
                let xy = words[1].as_bytes();
                let (path, from) = if words[0] == "1" {
                    (record.splitn(9, ' ').nth(8).unwrap().to_string(), None)
                } else {
                    let path = record.splitn(10, ' ').nth(9).unwrap().to_string();
                    (path, Some(fields.next().unwrap().to_string()))
                };
                if words[2].starts_with('S') {
                    out.insert(format!("submodule {path}"));
                }
                match (xy[0], &from) {
                    (b'.', _) => {}
                    (b'R', Some(from)) => {
                        out.insert(format!("staged R {from} -> {path}"));
                    }
                    (x, _) => {
                        out.insert(format!("staged {} {path}", x as char));
                    }
                }
                if xy[1] != b'.' {
                    out.insert(format!("worktree {} {path}", xy[1] as char));
                }
            }
            "u" => {
                let path = record.splitn(11, ' ').nth(10).unwrap();
                if words[2].starts_with('S') {
                    out.insert(format!("submodule {path}"));
                }
                out.insert(format!("conflict {} {path}", words[1]));
            }
            other => panic!("unexpected porcelain v2 record {other:?}: {record:?}"),
        }
    }
    out
}

fn assert_same_as_git(dir: &Path) -> Status {
    let s = status(dir).unwrap();
    assert_eq!(ours(&s), theirs(dir), "engine (left) vs git status (right)");
    s
}

fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

fn set_mtime_like(path: &Path, other: &Path) {
    let when = std::fs::metadata(other).unwrap().modified().unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_modified(when).unwrap();
}

#[cfg(unix)]
fn set_executable(path: &Path, on: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if on { 0o755 } else { 0o644 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_clean_tree_and_an_empty_repository_match_git() {
    let (dir, repo) = repo_init();
    let s = assert_same_as_git(dir.path());
    assert!(s.unborn && s.is_clean());

    write(&repo, "untracked.txt", "u\n");
    write(&repo, "new/dir/file.txt", "f\n");
    let s = assert_same_as_git(dir.path());
    assert_eq!(s.untracked.len(), 2);

    git(dir.path(), &["add", "untracked.txt"]);
    let s = assert_same_as_git(dir.path());
    assert_eq!(s.staged.len(), 1);
    assert!(s.unborn);

    commit_all(dir.path(), "first");
    let s = assert_same_as_git(dir.path());
    assert!(s.is_clean() && !s.unborn);
}

#[cfg(unix)]
#[test]
fn every_change_kind_staged_and_not_matches_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    for f in [
        "modified.txt",
        "staged_modified.txt",
        "both.txt",
        "deleted.txt",
        "staged_deleted.txt",
        "to_exec.sh",
        "to_link",
        "link_to_file",
        "renamed_from.txt",
        "Case.txt",
        "deep/a/b/c.txt",
    ] {
        write(
            &repo,
            f,
            &format!("content of {f}\nwith a second line\nand a third one\n"),
        );
    }
    std::os::unix::fs::symlink("modified.txt", d.join("link_to_file")).unwrap_or(());
    std::fs::remove_file(d.join("link_to_file")).unwrap();
    std::os::unix::fs::symlink("modified.txt", d.join("link_to_file")).unwrap();
    std::os::unix::fs::symlink("deep", d.join("retargeted_link")).unwrap();
    commit_all(d, "base");

    write(&repo, "modified.txt", "changed\n");
    write(&repo, "staged_modified.txt", "changed and staged\n");
    git(d, &["add", "staged_modified.txt"]);
    write(&repo, "both.txt", "staged\n");
    git(d, &["add", "both.txt"]);
    write(&repo, "both.txt", "staged, then changed again\n");
    std::fs::remove_file(d.join("deleted.txt")).unwrap();
    git(d, &["rm", "-q", "staged_deleted.txt"]);
    set_executable(&d.join("to_exec.sh"), true);
    // file -> symlink (unstaged), symlink -> file (staged)
    std::fs::remove_file(d.join("to_link")).unwrap();
    std::os::unix::fs::symlink("modified.txt", d.join("to_link")).unwrap();
    std::fs::remove_file(d.join("link_to_file")).unwrap();
    write(&repo, "link_to_file", "a file now\n");
    git(d, &["add", "link_to_file"]);
    std::fs::remove_file(d.join("retargeted_link")).unwrap();
    std::os::unix::fs::symlink("elsewhere", d.join("retargeted_link")).unwrap();
    git(d, &["mv", "renamed_from.txt", "renamed_to.txt"]);
    git(d, &["mv", "Case.txt", "case.txt"]);
    write(&repo, "added.txt", "added\n");
    git(d, &["add", "added.txt"]);
    write(&repo, "untracked.txt", "u\n");
    write(&repo, "deep/a/new.txt", "u\n");
    write(&repo, "fresh/one/two.txt", "a whole untracked directory\n");
    write(&repo, "fresh/three.txt", "shown once, as fresh/\n");
    std::fs::create_dir_all(d.join("empty/dirs/only")).unwrap();
    std::os::unix::fs::symlink("nowhere", d.join("dangling")).unwrap();

    write(&repo, "intent.txt", "added with git add -N\n");
    git(d, &["add", "-N", "intent.txt"]);

    let s = assert_same_as_git(d);
    assert!(s.untracked.iter().any(|f| f.path == "fresh/"));
    assert!(!s.untracked.iter().any(|f| f.path.starts_with("empty")));
    assert!(s.staged.iter().any(|f| f.path == "case.txt"
        && f.kind
            == FileKind::Renamed {
                from: "Case.txt".into()
            }));
    assert!(
        s.unstaged
            .iter()
            .any(|f| f.path == "to_exec.sh" && f.kind == FileKind::Modified)
    );
    assert!(
        s.unstaged
            .iter()
            .any(|f| f.path == "to_link" && f.kind == FileKind::TypeChange)
    );

    // A tracked directory replaced by a symlink to a directory with the same files: its
    // entries are deleted (git does not look through the symlink), the symlink untracked.
    std::fs::rename(d.join("deep"), d.join("elsewhere_dir")).unwrap();
    std::os::unix::fs::symlink("elsewhere_dir", d.join("deep")).unwrap();
    let s = assert_same_as_git(d);
    assert!(
        s.unstaged
            .iter()
            .any(|f| f.path == "deep/a/b/c.txt" && f.kind == FileKind::Deleted)
    );

    // A tracked file replaced by a directory: deleted (git does not list the directory).
    std::fs::remove_file(d.join("modified.txt")).unwrap();
    write(&repo, "modified.txt/inside.txt", "x\n");
    assert_same_as_git(d);
}

#[test]
fn ignore_rules_at_every_level_with_negation_match_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    write(
        &repo,
        ".gitignore",
        "*.log\n!keep.log\nbuild/\n/top-only.txt\n",
    );
    write(
        &repo,
        "src/.gitignore",
        "*.tmp\n!important.tmp\ngenerated/\n",
    );
    write(&repo, "src/lib.rs", "code\n");
    write(&repo, "src/deeper/mod.rs", "code\n");
    commit_all(d, "rules");
    std::fs::write(d.join(".git/info/exclude"), "secret.env\n").unwrap();
    let excludes = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(excludes.path(), "*.swp\n").unwrap();
    git(
        d,
        &[
            "config",
            "core.excludesFile",
            excludes.path().to_str().unwrap(),
        ],
    );

    write(&repo, "app.log", "ignored\n");
    write(&repo, "keep.log", "re-included by negation\n");
    write(&repo, "build/out.bin", "ignored directory\n");
    write(&repo, "src/build/out.bin", "ignored directory, any level\n");
    write(&repo, "top-only.txt", "ignored at the top\n");
    write(&repo, "src/top-only.txt", "not ignored below\n");
    write(&repo, "src/x.tmp", "ignored by src/.gitignore\n");
    write(&repo, "src/important.tmp", "re-included\n");
    write(&repo, "src/generated/a.rs", "ignored directory\n");
    write(&repo, "src/deeper/x.tmp", "ignored two levels down\n");
    write(&repo, "src/deeper/y.rs", "shown\n");
    write(&repo, "notes.swp", "core.excludesFile\n");
    write(&repo, "secret.env", "info/exclude\n");
    write(
        &repo,
        "only-ignored/a.log",
        "a directory of ignored files is not shown\n",
    );
    write(&repo, "mixed/a.log", "ignored\n");
    write(&repo, "mixed/sub/b.txt", "so mixed/ is shown\n");
    let s = assert_same_as_git(d);
    assert!(s.untracked.iter().any(|f| f.path == "mixed/"));
    assert!(
        !s.untracked
            .iter()
            .any(|f| f.path.starts_with("only-ignored"))
    );
}

/// Every conflict kind `git status` names, from real merges.
#[test]
fn conflicts_of_every_kind_from_real_merges_match_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    let body = |tag: &str| format!("line one\nline two\nline three\n{tag}\n");
    write(&repo, "both_modified.txt", &body("base"));
    write(&repo, "deleted_by_them.txt", &body("base"));
    write(&repo, "deleted_by_us.txt", &body("base"));
    write(
        &repo,
        "renamed_both_ways.txt",
        "a rename/rename conflict\nlong enough to be similar\nthree\nfour\n",
    );
    write(&repo, "clean.txt", "base\n");
    commit_all(d, "base");

    git(d, &["checkout", "-q", "-b", "theirs"]);
    write(&repo, "both_modified.txt", &body("theirs"));
    git(d, &["rm", "-q", "deleted_by_them.txt"]);
    write(&repo, "deleted_by_us.txt", &body("theirs"));
    write(&repo, "both_added.txt", "theirs\n");
    git(d, &["mv", "renamed_both_ways.txt", "theirs_name.txt"]);
    write(&repo, "clean.txt", "changed by theirs only\n");
    commit_all(d, "theirs");

    git(d, &["checkout", "-q", "main"]);
    write(&repo, "both_modified.txt", &body("ours"));
    write(&repo, "deleted_by_them.txt", &body("ours"));
    git(d, &["rm", "-q", "deleted_by_us.txt"]);
    write(&repo, "both_added.txt", "ours\n");
    git(d, &["mv", "renamed_both_ways.txt", "our_name.txt"]);
    commit_all(d, "ours");

    let (ok, _) = git_status_code(d, &["merge", "theirs"]);
    assert!(!ok, "the merge must stop on conflicts");
    write(&repo, "untracked_during_merge.txt", "u\n");
    let s = assert_same_as_git(d);
    let kinds: BTreeSet<_> = s
        .conflicted
        .iter()
        .map(|f| match f.kind {
            FileKind::Conflicted(k) => format!("{k:?}"),
            _ => unreachable!(),
        })
        .collect();
    for k in [
        "BothModified",
        "BothAdded",
        "DeletedByUs",
        "DeletedByThem",
        "BothDeleted",
        "AddedByUs",
        "AddedByThem",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    assert_eq!(s.state, cctui::git::status::RepoState::Merge);
    let summary = read_summary(d).unwrap();
    assert!(
        summary
            .merge_message
            .unwrap()
            .starts_with("Merge branch 'theirs'")
    );
}

#[test]
fn submodules_added_moved_and_dirty_match_git() {
    let (sub_dir, sub) = repo_init();
    write_commit_file(&sub, "inner.txt", "inner\n", "inner");
    let (dir, repo) = repo_init();
    let d = dir.path();
    write_commit_file(&repo, "top.txt", "top\n", "top");
    git(
        d,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            sub_dir.path().to_str().unwrap(),
            "sub",
        ],
    );
    assert_same_as_git(d);
    git(d, &["commit", "-q", "-m", "add submodule"]);
    assert!(assert_same_as_git(d).is_clean());

    // Dirty content inside (a modified file, an untracked one).
    std::fs::write(d.join("sub/inner.txt"), "changed\n").unwrap();
    std::fs::write(d.join("sub/more.txt"), "more\n").unwrap();
    let s = assert_same_as_git(d);
    assert_eq!(s.unstaged.len(), 1);
    assert!(s.unstaged[0].submodule);

    // A new commit checked out in the submodule.
    git(&d.join("sub"), &["add", "-A"]);
    git(&d.join("sub"), &["commit", "-q", "-m", "moved"]);
    assert_same_as_git(d);
    git(d, &["add", "sub"]);
    assert_same_as_git(d);
}

#[test]
fn detached_head_matches_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    write_commit_file(&repo, "a.txt", "1\n", "one");
    write_commit_file(&repo, "a.txt", "2\n", "two");
    git(d, &["checkout", "-q", "HEAD~1"]);
    write(&repo, "a.txt", "changed while detached\n");
    let s = assert_same_as_git(d);
    assert!(s.detached && s.branch.is_none());
}

/// Racy git: a file changed in the second the index was written, keeping its size, has stat
/// data that matches its entry; only its content shows the change.
#[test]
fn a_same_size_change_in_the_second_of_the_index_write_is_seen() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    write(&repo, "racy.txt", "aaaa\n");
    write(&repo, "racy_clean.txt", "same\n");
    write(&repo, "other.txt", "o\n");
    git(d, &["add", "-A"]);
    // Same size, new content; the mtime forced into the index's second (as a fast edit would
    // land), so size and mtime match the entry.
    write(&repo, "racy.txt", "bbbb\n");
    let index = d.join(".git/index");
    set_mtime_like(&d.join("racy.txt"), &index);
    // Touched in the same second, content unchanged: must not be reported.
    set_mtime_like(&d.join("racy_clean.txt"), &index);
    let s = assert_same_as_git(d);
    assert_eq!(
        s.unstaged
            .iter()
            .map(|f| (f.path.as_str(), f.kind.clone()))
            .collect::<Vec<_>>(),
        vec![("racy.txt", FileKind::Modified)]
    );
}

/// An entry whose stat data changed but whose content did not (touched, or rewritten with the
/// same bytes) is hashed and found clean.
#[test]
fn a_touched_file_with_the_same_content_is_clean() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    write(&repo, "a.txt", "content\n");
    write(&repo, "b.txt", "content\n");
    commit_all(d, "first");
    // Rewritten with the same bytes and an mtime an hour on: stat differs, content does not.
    write(&repo, "a.txt", "content\n");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(d.join("a.txt"))
        .unwrap();
    file.set_modified(later).unwrap();
    // b.txt: same size, other content, mtime an hour on.
    write(&repo, "b.txt", "CONTENT\n");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(d.join("b.txt"))
        .unwrap();
    file.set_modified(later).unwrap();
    let s = assert_same_as_git(d);
    assert_eq!(s.unstaged.len(), 1);
    assert_eq!(s.unstaged[0].path, "b.txt");
}

/// With `core.autocrlf` the working-tree bytes are not the blob's: content checks go through
/// libgit2's filters.
#[test]
fn autocrlf_content_checks_match_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    git(d, &["config", "core.autocrlf", "true"]);
    write(&repo, "crlf.txt", "one\r\ntwo\r\n");
    write(&repo, "lf.txt", "one\ntwo\n");
    commit_all(d, "first");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    for (name, body) in [("crlf.txt", "one\r\ntwo\r\n"), ("lf.txt", "one\ntwx\n")] {
        write(&repo, name, body);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(d.join(name))
            .unwrap();
        file.set_modified(later).unwrap();
    }
    assert_same_as_git(d);
}

#[test]
fn an_untracked_nested_repository_is_one_entry_like_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    write_commit_file(&repo, "top.txt", "top\n", "top");
    std::fs::create_dir(d.join("nested")).unwrap();
    git(&d.join("nested"), &["init", "-q"]);
    std::fs::write(d.join("nested/inner.txt"), "inner\n").unwrap();
    std::fs::create_dir_all(d.join("holder/inner_repo")).unwrap();
    git(&d.join("holder/inner_repo"), &["init", "-q"]);
    let s = assert_same_as_git(d);
    assert!(s.untracked.iter().any(|f| f.path == "nested/"));
}

// ---- incremental refresh ----

fn changed(d: &Path, paths: &[&str]) -> Vec<PathBuf> {
    paths.iter().map(|p| d.join(p)).collect()
}

/// The incremental answer equals a full scan's and git's.
fn assert_incremental(d: &Path, previous: &StatusSnapshot, paths: &[&str]) -> StatusSnapshot {
    let (next, how) = status_incremental(d, previous, &changed(d, paths), false).unwrap();
    assert_eq!(how, Refresh::Incremental);
    assert_eq!(next.status, status(d).unwrap(), "incremental vs full scan");
    assert_eq!(ours(&next.status), theirs(d), "incremental vs git status");
    next
}

fn incremental_repo() -> (tempfile::TempDir, git2::Repository) {
    let (dir, repo) = repo_init();
    for d in 0..5 {
        for f in 0..5 {
            write(&repo, &format!("d{d}/f{f}.txt"), &format!("file {d}/{f}\n"));
        }
    }
    write(&repo, ".gitignore", "*.log\n");
    write(&repo, "top.txt", "top\n");
    commit_all(dir.path(), "base");
    (dir, repo)
}

#[cfg(unix)]
#[test]
fn incremental_refresh_follows_edits_of_tracked_and_untracked_paths() {
    let (dir, repo) = incremental_repo();
    let d = dir.path();
    let snap = status_snapshot(d).unwrap();
    assert!(snap.status.is_clean());

    write(&repo, "d0/f0.txt", "modified, longer than before\n");
    write(&repo, "d1/new.txt", "untracked in a tracked directory\n");
    write(&repo, "fresh/a/b.txt", "an untracked directory\n");
    write(&repo, "d2/ignored.log", "ignored\n");
    std::fs::remove_file(d.join("d3/f3.txt")).unwrap();
    let snap = assert_incremental(
        d,
        &snap,
        &[
            "d0/f0.txt",
            "d1/new.txt",
            "fresh/a/b.txt",
            "fresh/a",
            "fresh",
            "d2/ignored.log",
            "d3/f3.txt",
        ],
    );
    assert_eq!(snap.status.untracked.len(), 2);

    // Undo some: the file restored, the untracked directory emptied, the deletion undone.
    write(&repo, "d0/f0.txt", "file 0/0\n");
    std::fs::remove_file(d.join("fresh/a/b.txt")).unwrap();
    write(&repo, "d3/f3.txt", "file 3/3\n");
    let snap = assert_incremental(d, &snap, &["d0/f0.txt", "fresh/a/b.txt", "d3/f3.txt"]);
    assert_eq!(snap.status.unstaged.len(), 0, "{:?}", snap.status.unstaged);

    // A same-size edit and a file -> symlink change.
    write(&repo, "d4/f4.txt", "FILE 4/4\n");
    std::fs::remove_file(d.join("d4/f0.txt")).unwrap();
    std::os::unix::fs::symlink("f4.txt", d.join("d4/f0.txt")).unwrap();
    let snap = assert_incremental(d, &snap, &["d4/f4.txt", "d4/f0.txt"]);
    // A path that did not change at all, and one outside the tree, change nothing.
    assert_incremental(d, &snap, &["top.txt", "/somewhere/else", ".git/objects/ab"]);
}

#[test]
fn incremental_refresh_falls_back_to_a_full_scan_when_it_cannot_be_sure() {
    let (dir, repo) = incremental_repo();
    let d = dir.path();
    let snap = status_snapshot(d).unwrap();

    let (_, how) = status_incremental(d, &snap, &[], true).unwrap();
    assert_eq!(how, Refresh::Full(cctui::git::status::FullReason::Overflow));

    let many: Vec<PathBuf> = (0..=cctui::git::status::INCREMENTAL_LIMIT)
        .map(|i| d.join(format!("n{i}")))
        .collect();
    let (_, how) = status_incremental(d, &snap, &many, false).unwrap();
    assert_eq!(
        how,
        Refresh::Full(cctui::git::status::FullReason::TooManyPaths)
    );

    write(&repo, "x.log", "ignored until the rule goes\n");
    write(&repo, ".gitignore", "\n");
    let (next, how) = status_incremental(d, &snap, &changed(d, &[".gitignore"]), false).unwrap();
    assert_eq!(
        how,
        Refresh::Full(cctui::git::status::FullReason::RulesChanged)
    );
    assert_eq!(ours(&next.status), theirs(d));

    std::fs::write(d.join(".git/info/exclude"), "x.log\n").unwrap();
    let (next, how) =
        status_incremental(d, &next, &changed(d, &[".git/info/exclude"]), false).unwrap();
    assert_eq!(
        how,
        Refresh::Full(cctui::git::status::FullReason::RulesChanged)
    );
    assert_eq!(ours(&next.status), theirs(d));
    std::fs::write(d.join(".git/info/exclude"), "").unwrap();

    git(d, &["add", "x.log"]);
    let (next, how) = status_incremental(d, &next, &changed(d, &["x.log"]), false).unwrap();
    assert_eq!(
        how,
        Refresh::Full(cctui::git::status::FullReason::IndexOrHead)
    );
    assert_eq!(ours(&next.status), theirs(d));

    commit_all(d, "more");
    let (next, how) = status_incremental(d, &next, &[], false).unwrap();
    assert_eq!(
        how,
        Refresh::Full(cctui::git::status::FullReason::IndexOrHead)
    );
    assert!(next.status.is_clean());

    std::fs::remove_dir_all(d.join("d1")).unwrap();
    let (next, how) = status_incremental(d, &next, &changed(d, &["d1"]), false).unwrap();
    assert_eq!(
        how,
        Refresh::Full(cctui::git::status::FullReason::TrackedDirectory)
    );
    assert_eq!(ours(&next.status), theirs(d));
}

#[test]
fn the_summary_reads_ahead_behind_and_origin_with_the_status() {
    let (remote_dir, _remote) = repo_init_bare();
    let (dir, repo) = repo_clone(remote_dir.path());
    let d = dir.path();
    write_commit_file(&repo, "a.txt", "a\n", "one");
    git(d, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
    git(d, &["branch", "-q", "--set-upstream-to=origin/main"]);
    write_commit_file(&repo, "a.txt", "b\n", "two");
    let summary = read_summary(d).unwrap();
    assert_eq!(summary.ahead_behind, Some((1, 0)));
    assert!(summary.origin_url.unwrap().starts_with("file://"));
    assert!(summary.merge_message.is_none());
    assert_eq!(ours(&summary.snapshot.status), theirs(d));
}

/// The index file read directly in each version git writes: 4 (prefix-compressed paths) and 3
/// (extended flags: a skip-worktree entry, which git does not report changed).
#[test]
fn index_versions_3_and_4_read_directly_match_git() {
    let (dir, repo) = repo_init();
    let d = dir.path();
    for f in [
        "a/one.txt",
        "a/two.txt",
        "a/b/three.txt",
        "ab.txt",
        "z/long/path/name.txt",
    ] {
        write(&repo, f, &format!("{f}\n"));
    }
    commit_all(d, "base");
    git(d, &["update-index", "--index-version", "4"]);
    write(&repo, "a/two.txt", "changed, longer than before\n");
    write(&repo, "a/b/new.txt", "untracked\n");
    git(d, &["add", "ab.txt"]);
    assert_same_as_git(d);

    git(d, &["update-index", "--index-version", "3"]);
    git(
        d,
        &["update-index", "--skip-worktree", "z/long/path/name.txt"],
    );
    write(
        &repo,
        "z/long/path/name.txt",
        "changed under skip-worktree\n",
    );
    let s = assert_same_as_git(d);
    assert!(!s.unstaged.iter().any(|f| f.path.starts_with("z/")));
}

#[test]
fn incremental_refresh_sees_changes_reported_through_a_symlinked_path() {
    let (dir, repo) = incremental_repo();
    let real = dir.path();
    let links = tempfile::tempdir().unwrap();
    let link = links.path().join("clone");
    std::os::unix::fs::symlink(real, &link).unwrap();
    // The app opened the clone by its symlink; the watcher reports paths under it.
    let snap = status_snapshot(&link).unwrap();
    write(&repo, "d0/f0.txt", "changed through the link\n");
    let (next, how) = status_incremental(&link, &snap, &[link.join("d0/f0.txt")], false).unwrap();
    assert_eq!(how, Refresh::Incremental);
    assert_eq!(next.status, status(real).unwrap(), "the change is seen");
    assert!(!next.status.unstaged.is_empty());
}
