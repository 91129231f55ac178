use std::path::Path;

use cctui::git::GitError;
use cctui::git::status::{ConflictKind, FileKind, FileStatus, RepoState, Status, status};

use crate::git_repo::*;

fn paths(list: &[FileStatus]) -> Vec<(&str, FileKind)> {
    list.iter()
        .map(|f| (f.path.as_str(), f.kind.clone()))
        .collect()
}

/// `XY path` lines in the style of `git status --porcelain` (renames as `R  from -> to`).
fn porcelain(s: &Status) -> Vec<String> {
    let mut lines = std::collections::BTreeMap::<String, (char, char, String)>::new();
    let letter = |k: &FileKind| match k {
        FileKind::New => 'A',
        FileKind::Modified => 'M',
        FileKind::Deleted => 'D',
        FileKind::Renamed { .. } => 'R',
        FileKind::TypeChange => 'T',
        FileKind::Conflicted(_) => 'U',
    };
    for f in &s.staged {
        let shown = match &f.kind {
            FileKind::Renamed { from } => format!("{from} -> {}", f.path),
            _ => f.path.clone(),
        };
        lines.entry(f.path.clone()).or_insert((' ', ' ', shown)).0 = letter(&f.kind);
    }
    for f in &s.unstaged {
        lines
            .entry(f.path.clone())
            .or_insert((' ', ' ', f.path.clone()))
            .1 = letter(&f.kind);
    }
    for f in &s.untracked {
        lines.insert(f.path.clone(), ('?', '?', f.path.clone()));
    }
    let mut out: Vec<String> = lines
        .into_values()
        .map(|(x, y, p)| format!("{x}{y} {p}"))
        .collect();
    out.sort();
    out
}

fn git_porcelain(dir: &Path) -> Vec<String> {
    // git's default untracked mode (`normal`): an untracked directory is one `dir/` line.
    let mut out: Vec<String> = git(dir, &["status", "--porcelain"])
        .lines()
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

#[test]
fn new_modified_deleted_staged_unstaged_and_untracked_match_git_status() {
    let (dir, repo) = repo_init();
    write(&repo, "a.txt", "a\n");
    write(&repo, "b.txt", "b\n");
    write(&repo, "c.txt", "c\n");
    write(&repo, "d/e.txt", "e\n");
    git(dir.path(), &["add", "-A"]);
    commit_index(&repo, "first");

    write(&repo, "a.txt", "a changed\n"); // unstaged modification
    std::fs::remove_file(dir.path().join("b.txt")).unwrap(); // unstaged deletion
    write(&repo, "c.txt", "c staged\n"); // staged, then changed again
    git(dir.path(), &["add", "c.txt"]);
    write(&repo, "c.txt", "c staged then changed\n");
    git(dir.path(), &["rm", "-q", "d/e.txt"]); // staged deletion
    write(&repo, "new.txt", "new\n");
    git(dir.path(), &["add", "new.txt"]); // staged new
    write(&repo, "untracked/deep/x.txt", "x\n"); // untracked, in a new directory
    write(&repo, "u.txt", "u\n");

    let s = status(dir.path()).unwrap();
    assert_eq!(
        paths(&s.staged),
        vec![
            ("c.txt", FileKind::Modified),
            ("d/e.txt", FileKind::Deleted),
            ("new.txt", FileKind::New),
        ]
    );
    assert_eq!(
        paths(&s.unstaged),
        vec![
            ("a.txt", FileKind::Modified),
            ("b.txt", FileKind::Deleted),
            ("c.txt", FileKind::Modified),
        ]
    );
    assert_eq!(
        paths(&s.untracked),
        vec![("u.txt", FileKind::New), ("untracked/", FileKind::New),]
    );
    assert!(s.conflicted.is_empty());
    assert_eq!(s.branch.as_deref(), Some("main"));
    assert!(!s.detached && !s.unborn);
    assert_eq!(s.state, RepoState::Clean);
    assert!(!s.is_clean());
    assert_eq!(porcelain(&s), git_porcelain(dir.path()));
}

#[test]
fn staged_rename_is_detected_with_its_old_path() {
    let (dir, repo) = repo_init();
    let body = "line one\nline two\nline three\nline four\n";
    write_commit_file(&repo, "old/name.txt", body, "first");
    git(dir.path(), &["mv", "old/name.txt", "renamed.txt"]);
    let s = status(dir.path()).unwrap();
    assert_eq!(
        paths(&s.staged),
        vec![(
            "renamed.txt",
            FileKind::Renamed {
                from: "old/name.txt".into()
            }
        )]
    );
    assert!(s.unstaged.is_empty() && s.untracked.is_empty());
    assert_eq!(porcelain(&s), git_porcelain(dir.path()));
}

#[cfg(unix)]
#[test]
fn a_file_replaced_by_a_symlink_is_a_type_change_on_each_side() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "target.txt", "t\n", "first");
    write_commit_file(&repo, "link", "was a file\n", "second");
    std::fs::remove_file(dir.path().join("link")).unwrap();
    std::os::unix::fs::symlink("target.txt", dir.path().join("link")).unwrap();
    let s = status(dir.path()).unwrap();
    assert_eq!(paths(&s.unstaged), vec![("link", FileKind::TypeChange)]);
    assert!(s.staged.is_empty());
    git(dir.path(), &["add", "link"]);
    let s = status(dir.path()).unwrap();
    assert_eq!(paths(&s.staged), vec![("link", FileKind::TypeChange)]);
    assert!(s.unstaged.is_empty());
    assert_eq!(porcelain(&s), git_porcelain(dir.path()));
}

#[test]
fn merge_conflicts_are_listed_alone_with_their_kind() {
    let (dir, repo) = repo_init();
    write(&repo, "both.txt", "base\n");
    write(&repo, "gone.txt", "base\n");
    write(&repo, "clean.txt", "base\n");
    git(dir.path(), &["add", "-A"]);
    commit_index(&repo, "base");
    git(dir.path(), &["checkout", "-q", "-b", "theirs"]);
    write(&repo, "both.txt", "theirs\n");
    write(&repo, "clean.txt", "theirs only\n");
    git(dir.path(), &["rm", "-q", "gone.txt"]);
    git(dir.path(), &["commit", "-q", "-am", "theirs"]);
    git(dir.path(), &["checkout", "-q", "main"]);
    write(&repo, "both.txt", "ours\n");
    write(&repo, "gone.txt", "ours changed\n");
    git(dir.path(), &["commit", "-q", "-am", "ours"]);
    let (ok, _) = git_status_code(dir.path(), &["merge", "theirs"]);
    assert!(!ok, "the merge must stop on conflicts");

    let s = status(dir.path()).unwrap();
    assert_eq!(
        paths(&s.conflicted),
        vec![
            ("both.txt", FileKind::Conflicted(ConflictKind::BothModified)),
            (
                "gone.txt",
                FileKind::Conflicted(ConflictKind::DeletedByThem)
            ),
        ]
    );
    // The merged file is staged; the conflicted ones are in no other list.
    assert_eq!(paths(&s.staged), vec![("clean.txt", FileKind::Modified)]);
    assert!(s.unstaged.is_empty() && s.untracked.is_empty());
    assert_eq!(s.state, RepoState::Merge);
}

#[test]
fn gitignore_excludes_file_and_info_exclude_are_honoured() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, ".gitignore", "*.log\nbuild/\n", "ignore");
    let excludes = dir.path().join("../").canonicalize().unwrap();
    let excludes_file = tempfile::NamedTempFile::new_in(excludes).unwrap();
    std::fs::write(excludes_file.path(), "*.swp\n").unwrap();
    repo.config()
        .unwrap()
        .set_str("core.excludesFile", excludes_file.path().to_str().unwrap())
        .unwrap();
    std::fs::write(dir.path().join(".git/info/exclude"), "secret.env\n").unwrap();

    write(&repo, "app.log", "ignored by .gitignore\n");
    write(&repo, "build/out.bin", "ignored directory\n");
    write(&repo, "notes.txt.swp", "ignored by core.excludesFile\n");
    write(&repo, "secret.env", "ignored by info/exclude\n");
    write(&repo, "sub/dir/kept.txt", "shown\n");
    write(&repo, "sub/dir/also.log", "ignored in a subdirectory\n");

    let s = status(dir.path()).unwrap();
    assert_eq!(paths(&s.untracked), vec![("sub/", FileKind::New)]);
    assert_eq!(porcelain(&s), git_porcelain(dir.path()));
}

#[test]
fn a_submodule_is_one_entry_and_is_not_descended() {
    let (sub_dir, sub) = repo_init();
    write_commit_file(&sub, "inner.txt", "inner\n", "inner");
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "top.txt", "top\n", "top");
    git(
        dir.path(),
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
    let s = status(dir.path()).unwrap();
    assert_eq!(
        s.staged,
        vec![
            FileStatus {
                path: ".gitmodules".into(),
                kind: FileKind::New,
                submodule: false
            },
            FileStatus {
                path: "sub".into(),
                kind: FileKind::New,
                submodule: true
            },
        ]
    );
    git(dir.path(), &["commit", "-q", "-m", "add submodule"]);

    // Changes inside the submodule: a modified file and a new one.
    std::fs::write(dir.path().join("sub/inner.txt"), "changed\n").unwrap();
    std::fs::write(dir.path().join("sub/more.txt"), "more\n").unwrap();
    let s = status(dir.path()).unwrap();
    assert_eq!(
        s.unstaged,
        vec![FileStatus {
            path: "sub".into(),
            kind: FileKind::Modified,
            submodule: true
        }]
    );
    assert!(s.untracked.is_empty(), "{:?}", s.untracked);
    assert!(s.staged.is_empty());
    let _ = repo;
}

#[test]
fn unborn_and_detached_heads() {
    let (dir, repo) = repo_init();
    let s = status(dir.path()).unwrap();
    assert!(s.unborn && !s.detached && s.is_clean());
    assert_eq!(s.branch.as_deref(), Some("main"));

    write(&repo, "first.txt", "1\n");
    git(dir.path(), &["add", "first.txt"]);
    let s = status(dir.path()).unwrap();
    assert_eq!(paths(&s.staged), vec![("first.txt", FileKind::New)]);

    let first = commit_index(&repo, "first");
    write_commit_file(&repo, "second.txt", "2\n", "second");
    git(dir.path(), &["checkout", "-q", &first.to_string()]);
    let s = status(dir.path()).unwrap();
    assert!(s.detached && !s.unborn && s.is_clean());
    assert_eq!(s.branch, None);
}

#[test]
fn status_from_a_subdirectory_and_outside_a_repository() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "d/f.txt", "f\n", "first");
    write(&repo, "top.txt", "t\n");
    let s = status(&dir.path().join("d")).unwrap();
    assert_eq!(paths(&s.untracked), vec![("top.txt", FileKind::New)]);

    let plain = tempfile::tempdir().unwrap();
    match status(plain.path()) {
        Err(GitError::NotARepository(p)) => assert_eq!(p, plain.path()),
        other => panic!("expected NotARepository, got {other:?}"),
    }
}

#[test]
fn an_untracked_nested_repository_is_one_entry() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "top.txt", "top\n", "top");
    let nested_path = dir.path().join("nested");
    std::fs::create_dir(&nested_path).unwrap();
    git(&nested_path, &["init", "-q"]);
    std::fs::write(nested_path.join("inner.txt"), "inner\n").unwrap();
    let s = status(dir.path()).unwrap();
    assert_eq!(
        s.untracked,
        vec![FileStatus {
            path: "nested/".into(),
            kind: FileKind::New,
            submodule: false
        }],
        "as `git status` shows it: a directory, not descended"
    );
    // Staging it is refused with a message (git would add an "embedded repository").
    match cctui::git::stage::stage_path(dir.path(), "nested/") {
        Err(GitError::Other(message)) => assert!(message.contains("repository of its own")),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(status(dir.path()).unwrap().untracked.len(), 1);
}
