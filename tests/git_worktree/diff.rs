use cctui::git::GitError;
use cctui::git::diff::*;

use crate::git_repo::*;

/// The hunks of a [`FileDiff`] as `git diff` prints them (from the first `@@`).
fn unified(file: &FileDiff) -> String {
    let mut out = String::new();
    for h in &file.hunks {
        out.push_str(&h.header);
        out.push('\n');
        for l in &h.lines {
            let prefix = match l.origin {
                LineOrigin::Context => ' ',
                LineOrigin::Added => '+',
                LineOrigin::Removed => '-',
                LineOrigin::NoNewline => {
                    out.push_str(&l.text);
                    out.push('\n');
                    continue;
                }
            };
            out.push(prefix);
            out.push_str(&l.text);
            out.push('\n');
        }
    }
    out
}

/// `git diff` output from the first `@@` on (headers differ in details we do not model).
fn git_hunks(dir: &std::path::Path, args: &[&str]) -> String {
    let out = git(dir, args);
    match out.find("\n@@") {
        Some(i) => out[i + 1..].to_string(),
        None => String::new(),
    }
}

fn numbered(n: usize) -> String {
    (1..=n).map(|i| format!("line {i}\n")).collect()
}

#[test]
fn unstaged_staged_and_commit_diffs_match_git_with_line_numbers() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "f.txt", &numbered(40), "first");
    let mut lines: Vec<String> = numbered(40).lines().map(|l| format!("{l}\n")).collect();
    lines[4] = "five\n".into();
    lines.remove(20);
    lines.insert(35, "new near the end\n".into());
    write(&repo, "f.txt", &lines.concat());

    let d = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(d.change, FileChange::Modified);
    assert_eq!((d.additions, d.deletions), (2, 2));
    assert_eq!(unified(&d), git_hunks(dir.path(), &["diff", "--", "f.txt"]));
    let h = &d.hunks[0];
    assert_eq!(
        (h.old_start, h.old_lines, h.new_start, h.new_lines),
        (2, 7, 2, 7)
    );
    let removed = h
        .lines
        .iter()
        .find(|l| l.origin == LineOrigin::Removed)
        .unwrap();
    assert_eq!((removed.old_no, removed.new_no), (Some(5), None));
    assert_eq!(removed.text, "line 5");
    let added = h
        .lines
        .iter()
        .find(|l| l.origin == LineOrigin::Added)
        .unwrap();
    assert_eq!((added.old_no, added.new_no), (None, Some(5)));
    let context = &h.lines[0];
    assert_eq!((context.old_no, context.new_no), (Some(2), Some(2)));
    // Hunk 3 is after a removed line: old and new numbers differ by one.
    let late = d.hunks[2]
        .lines
        .iter()
        .find(|l| l.origin == LineOrigin::Added)
        .unwrap();
    assert_eq!(late.new_no, Some(36));

    git(dir.path(), &["add", "f.txt"]);
    let staged = diff_file(dir.path(), "f.txt", &DiffTarget::Staged).unwrap();
    assert_eq!(staged.hunks, d.hunks);
    assert_eq!(
        unified(&staged),
        git_hunks(dir.path(), &["diff", "--cached", "--", "f.txt"])
    );
    let unstaged = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(unstaged.change, FileChange::Unmodified);
    assert!(unstaged.hunks.is_empty());

    let id = commit_index(&repo, "second");
    let commit = diff_file(dir.path(), "f.txt", &DiffTarget::Commit(id.to_string())).unwrap();
    assert_eq!(commit.hunks, d.hunks);
    let by_name = diff_commit(dir.path(), "HEAD").unwrap();
    assert_eq!(by_name.files.len(), 1);
    assert_eq!(
        unified(&by_name.files[0]),
        git_hunks(dir.path(), &["show", "--format=", "HEAD"])
    );
}

#[test]
fn untracked_new_and_deleted_files_and_the_root_commit() {
    let (dir, repo) = repo_init();
    let root = write_commit_file(&repo, "a.txt", "a\nb\n", "root");
    let d = diff_commit(dir.path(), &root.to_string()).unwrap();
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.files[0].change, FileChange::Added);
    assert_eq!(d.files[0].new_mode, 0o100644);
    assert_eq!(d.files[0].old_mode, 0);
    assert_eq!(d.files[0].additions, 2);

    write(&repo, "u.txt", "one\ntwo\n");
    let u = diff_file(dir.path(), "u.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(u.change, FileChange::Added);
    assert_eq!(u.hunks.len(), 1);
    assert_eq!(u.hunks[0].header, "@@ -0,0 +1,2 @@");
    assert_eq!(
        u.hunks[0]
            .lines
            .iter()
            .map(|l| l.new_no)
            .collect::<Vec<_>>(),
        vec![Some(1), Some(2)]
    );

    std::fs::remove_file(dir.path().join("a.txt")).unwrap();
    let gone = diff_file(dir.path(), "a.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(gone.change, FileChange::Deleted);
    assert_eq!(gone.deletions, 2);
    assert_eq!(
        unified(&gone),
        git_hunks(dir.path(), &["diff", "--", "a.txt"])
    );

    assert!(matches!(
        diff_commit(dir.path(), "no-such-branch"),
        Err(GitError::RevisionNotFound(_))
    ));
}

#[test]
fn staged_diff_on_an_unborn_branch_and_of_a_rename() {
    let (dir, repo) = repo_init();
    write(&repo, "first.txt", "1\n");
    git(dir.path(), &["add", "first.txt"]);
    let d = diff_file(dir.path(), "first.txt", &DiffTarget::Staged).unwrap();
    assert_eq!(d.change, FileChange::Added);
    assert_eq!(d.hunks[0].lines[0].text, "1");
    commit_index(&repo, "first");

    let body: String = (1..=20).map(|i| format!("row {i}\n")).collect();
    write_commit_file(&repo, "before.txt", &body, "second");
    git(dir.path(), &["mv", "before.txt", "after.txt"]);
    write(&repo, "after.txt", &body.replace("row 10\n", "row ten\n"));
    git(dir.path(), &["add", "after.txt"]);
    let d = diff_file(dir.path(), "after.txt", &DiffTarget::Staged).unwrap();
    assert_eq!(d.change, FileChange::Renamed);
    assert_eq!(d.old_path.as_deref(), Some("before.txt"));
    assert_eq!((d.additions, d.deletions), (1, 1));
    let id = commit_index(&repo, "rename");
    let c = diff_commit(dir.path(), &id.to_string()).unwrap();
    assert_eq!(c.files.len(), 1);
    assert_eq!(c.files[0].path, "after.txt");
    assert_eq!(c.files[0].old_path.as_deref(), Some("before.txt"));
}

#[test]
fn binary_and_huge_files_are_summarised_not_loaded() {
    let (dir, repo) = repo_init();
    write_bytes(&repo, "blob.bin", &[0, 1, 2, 3, 0, 255]);
    let b = diff_file(dir.path(), "blob.bin", &DiffTarget::Unstaged).unwrap();
    assert!(b.binary);
    assert!(b.hunks.is_empty());
    assert_eq!(b.too_large, None);

    // Over 1 MiB: summarised by size, before any content is read.
    let big = "x".repeat(99) + "\n";
    let big = big.repeat(11_000); // 1,100,000 bytes
    write(&repo, "big.txt", &big);
    let d = diff_file(dir.path(), "big.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(d.too_large, Some(1_100_000));
    assert!(d.hunks.is_empty());
    git(dir.path(), &["add", "big.txt"]);
    let d = diff_file(dir.path(), "big.txt", &DiffTarget::Staged).unwrap();
    assert_eq!(d.too_large, Some(1_100_000));

    // Small in bytes, but more than 10,000 lines.
    let many = "y\n".repeat(12_000);
    write(&repo, "many.txt", &many);
    let d = diff_file(dir.path(), "many.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(d.too_large, Some(24_000));
    assert!(d.hunks.is_empty());
    // Just under the limits: loaded.
    let fine = "z\n".repeat(9_000);
    write(&repo, "fine.txt", &fine);
    let d = diff_file(dir.path(), "fine.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(d.too_large, None);
    assert_eq!(d.hunks[0].lines.len(), 9_000);

    git(dir.path(), &["add", "-A"]);
    let id = commit_index(&repo, "binary and big");
    let c = diff_commit(dir.path(), &id.to_string()).unwrap();
    let summary: Vec<(&str, bool, Option<u64>)> = c
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.binary, f.too_large))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("big.txt", false, Some(1_100_000)),
            ("blob.bin", true, None),
            ("fine.txt", false, None),
            ("many.txt", false, Some(24_000)),
        ]
    );
}

#[test]
fn no_newline_at_end_of_file_matches_git() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "f.txt", "a\nb", "first");
    write(&repo, "f.txt", "a\nb\nc");
    let d = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(unified(&d), git_hunks(dir.path(), &["diff"]));
    let markers = d.hunks[0]
        .lines
        .iter()
        .filter(|l| l.origin == LineOrigin::NoNewline)
        .count();
    assert_eq!(markers, 2);
}

#[test]
fn a_conflicted_file_diffs_against_our_side_with_its_markers() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "f.txt", "base\nsame\n", "base");
    git(dir.path(), &["checkout", "-q", "-b", "other"]);
    write_commit_file(&repo, "f.txt", "theirs\nsame\n", "theirs");
    git(dir.path(), &["checkout", "-q", "main"]);
    write_commit_file(&repo, "f.txt", "ours\nsame\n", "ours");
    let (ok, _) = git_status_code(dir.path(), &["merge", "other"]);
    assert!(!ok);
    let d = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(d.change, FileChange::Conflicted);
    let added: Vec<&str> = d.hunks[0]
        .lines
        .iter()
        .filter(|l| l.origin == LineOrigin::Added)
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(
        added,
        vec!["<<<<<<< HEAD", "=======", "theirs", ">>>>>>> other"]
    );
    let staged = diff_file(dir.path(), "f.txt", &DiffTarget::Staged).unwrap();
    assert_eq!(staged.change, FileChange::Conflicted);
    assert!(staged.hunks.is_empty());
}
