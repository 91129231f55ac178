//! Paths given to git are literal (DESIGN.md): `[`, `*`, `?`, a leading `#` or `!` in a file
//! name are plain characters for discard, stage, unstage and diff. The regression that started
//! this: in a clone with `app/[id]/page.tsx` and `app/i/page.tsx` both modified, discarding the
//! first also threw away the changes of the second (`[id]` matched `i` as a glob).
//!
//! Every test changes every file of the fixture, acts on one name, then checks with the `git`
//! command line that only that name changed and every other file kept its bytes and its index
//! entry.

use std::collections::BTreeMap;
use std::path::Path;

use cctui::git::diff::{DiffTarget, FileChange, LineOrigin, diff_file};
use cctui::git::discard::discard_path;
use cctui::git::stage::{stage_path, unstage_path};

use crate::git_repo::*;

/// The tracked files of the fixture; each name has a neighbour its glob reading would match.
const FILES: &[&str] = &[
    "app/[id]/page.tsx",
    "app/i/page.tsx",
    "app/d/page.tsx",
    "notes*.txt",
    "notes1.txt",
    "a?.txt",
    "ab.txt",
    "#draft.txt",
    "!important.txt",
    "important.txt",
];

fn original(file: &str) -> String {
    format!("original {file}\n")
}

fn changed(file: &str) -> String {
    format!("original {file}\nchanged in the working tree\n")
}

/// A repository with [`FILES`] committed (by the `git` command line), then all of them changed
/// in the working tree.
fn fixture() -> (tempfile::TempDir, git2::Repository) {
    let (dir, repo) = repo_init();
    for file in FILES {
        write(&repo, file, &original(file));
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    for file in FILES {
        write(&repo, file, &changed(file));
    }
    (dir, repo)
}

/// Every file of the working tree (outside `.git`) with its content (all UTF-8 here, so the
/// comparison is byte for byte and a failure prints readable text).
fn tree_bytes(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                dirs.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(
                    rel,
                    String::from_utf8(std::fs::read(&path).unwrap()).unwrap(),
                );
            }
        }
    }
    out
}

/// `git diff --name-only` (`--cached` when `staged`), NUL-separated so no name is quoted.
fn changed_names(dir: &Path, staged: bool) -> Vec<String> {
    let mut args = vec!["diff", "--name-only", "-z"];
    if staged {
        args.push("--cached");
    }
    git(dir, &args)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn all_but(names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = FILES
        .iter()
        .filter(|f| !names.contains(f))
        .map(|f| f.to_string())
        .collect();
    out.sort();
    out
}

/// `before` with the entries of `files` put back to their committed content.
fn expect_discarded(before: &BTreeMap<String, String>, files: &[&str]) -> BTreeMap<String, String> {
    let mut expected = before.clone();
    for file in files {
        expected.insert(file.to_string(), original(file));
    }
    expected
}

#[test]
fn discarding_a_name_with_glob_characters_touches_only_that_file() {
    for (name, neighbours) in [
        (
            "app/[id]/page.tsx",
            &["app/i/page.tsx", "app/d/page.tsx"][..],
        ),
        ("notes*.txt", &["notes1.txt"][..]),
        ("a?.txt", &["ab.txt"][..]),
        ("#draft.txt", &[][..]),
        ("!important.txt", &["important.txt"][..]),
    ] {
        let (dir, _repo) = fixture();
        let before = tree_bytes(dir.path());
        discard_path(dir.path(), name, &|| false).unwrap();
        assert_eq!(
            tree_bytes(dir.path()),
            expect_discarded(&before, &[name]),
            "discarding {name} changed other files (neighbours: {neighbours:?})"
        );
        assert_eq!(changed_names(dir.path(), false), all_but(&[name]), "{name}");
    }
}

#[test]
fn discarding_a_directory_with_glob_characters_takes_exactly_what_is_under_it() {
    let (dir, repo) = fixture();
    write(&repo, "app/[id]/untracked.tsx", "new\n");
    write(&repo, "app/i/untracked.tsx", "new too\n");
    let before = tree_bytes(dir.path());
    discard_path(dir.path(), "app/[id]", &|| false).unwrap();
    let mut expected = expect_discarded(&before, &["app/[id]/page.tsx"]);
    expected.remove("app/[id]/untracked.tsx");
    assert_eq!(tree_bytes(dir.path()), expected);
    assert_eq!(
        changed_names(dir.path(), false),
        all_but(&["app/[id]/page.tsx"])
    );
}

#[test]
fn staging_a_name_with_glob_characters_stages_only_that_file() {
    for name in [
        "app/[id]/page.tsx",
        "notes*.txt",
        "a?.txt",
        "#draft.txt",
        "!important.txt",
    ] {
        let (dir, _repo) = fixture();
        let before = tree_bytes(dir.path());
        stage_path(dir.path(), name).unwrap();
        assert_eq!(changed_names(dir.path(), true), vec![name.to_string()]);
        assert_eq!(changed_names(dir.path(), false), all_but(&[name]), "{name}");
        assert_eq!(
            tree_bytes(dir.path()),
            before,
            "staging changed the working tree"
        );
    }
}

#[test]
fn staging_a_directory_with_glob_characters_stages_everything_under_it_and_nothing_else() {
    let (dir, repo) = fixture();
    write(&repo, "app/[id]/new.tsx", "new\n");
    write(&repo, "app/i/new.tsx", "new beside\n");
    stage_path(dir.path(), "app/[id]").unwrap();
    assert_eq!(
        changed_names(dir.path(), true),
        vec!["app/[id]/new.tsx", "app/[id]/page.tsx"]
    );
    assert_eq!(
        git(dir.path(), &["ls-files", "--others", "--exclude-standard"]),
        "app/i/new.tsx\n"
    );

    // A deleted file under the directory is staged as a removal, the neighbour's is not.
    std::fs::remove_file(dir.path().join("app/[id]/page.tsx")).unwrap();
    std::fs::remove_file(dir.path().join("app/i/page.tsx")).unwrap();
    stage_path(dir.path(), "app/[id]").unwrap();
    assert_eq!(
        git(dir.path(), &["diff", "--cached", "--name-status", "-z"]),
        "A\0app/[id]/new.tsx\0D\0app/[id]/page.tsx\0"
    );
    assert!(changed_names(dir.path(), false).contains(&"app/i/page.tsx".to_string()));
}

#[test]
fn unstaging_a_name_with_glob_characters_unstages_only_that_file() {
    for name in [
        "app/[id]/page.tsx",
        "notes*.txt",
        "a?.txt",
        "#draft.txt",
        "!important.txt",
    ] {
        let (dir, repo) = fixture();
        git(dir.path(), &["add", "-A"]);
        unstage_path(dir.path(), name).unwrap();
        assert_eq!(changed_names(dir.path(), true), all_but(&[name]), "{name}");
        assert_eq!(changed_names(dir.path(), false), vec![name.to_string()]);
        for other in FILES.iter().filter(|f| **f != name) {
            assert_eq!(
                index_content(&repo, other).unwrap(),
                changed(other).into_bytes(),
                "unstaging {name} changed the index entry of {other}"
            );
        }
    }
}

#[test]
fn unstaging_a_directory_with_glob_characters_unstages_everything_under_it_and_nothing_else() {
    let (dir, repo) = fixture();
    write(&repo, "app/[id]/new.tsx", "new\n");
    git(dir.path(), &["add", "-A"]);
    unstage_path(dir.path(), "app/[id]").unwrap();
    assert_eq!(
        changed_names(dir.path(), true),
        all_but(&["app/[id]/page.tsx"])
    );
    assert_eq!(
        git(dir.path(), &["ls-files", "--others", "--exclude-standard"]),
        "app/[id]/new.tsx\n"
    );
}

/// The added lines of a diff.
fn added_lines(file: &cctui::git::diff::FileDiff) -> Vec<String> {
    file.hunks
        .iter()
        .flat_map(|h| &h.lines)
        .filter(|l| l.origin == LineOrigin::Added)
        .map(|l| l.text.clone())
        .collect()
}

#[test]
fn the_diff_of_a_name_with_glob_characters_is_that_file() {
    for name in [
        "app/[id]/page.tsx",
        "notes*.txt",
        "a?.txt",
        "#draft.txt",
        "!important.txt",
    ] {
        let (dir, repo) = fixture();
        // The neighbours differ from the named file in what they add.
        for other in FILES.iter().filter(|f| **f != name) {
            write(&repo, other, &format!("{}other {other}\n", changed(other)));
        }
        let unstaged = diff_file(dir.path(), name, &DiffTarget::Unstaged).unwrap();
        assert_eq!(unstaged.path, name);
        assert_eq!(unstaged.change, FileChange::Modified, "{name}");
        assert_eq!(added_lines(&unstaged), vec!["changed in the working tree"]);

        git(dir.path(), &["add", "-A"]);
        let staged = diff_file(dir.path(), name, &DiffTarget::Staged).unwrap();
        assert_eq!(staged.change, FileChange::Modified, "{name}");
        assert_eq!(added_lines(&staged), vec!["changed in the working tree"]);
    }
}
