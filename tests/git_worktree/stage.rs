use std::path::Path;

use cctui::git::GitError;
use cctui::git::diff::{DiffTarget, LineOrigin, diff_file};
use cctui::git::discard::{discard_hunk, discard_path};
use cctui::git::stage::*;
use cctui::git::status::{FileKind, status};

use crate::git_repo::*;

fn porcelain(dir: &Path) -> Vec<String> {
    git(dir, &["status", "--porcelain", "--untracked-files=all"])
        .lines()
        .map(str::to_string)
        .collect()
}

/// 30 numbered lines; edits at lines 3, 15 and 27 are three separate hunks.
fn base_lines() -> Vec<String> {
    (1..=30).map(|i| format!("line {i}\n")).collect()
}

fn three_hunks() -> (String, String, String) {
    let base: String = base_lines().concat();
    let mut edited = base_lines();
    edited[2] = "line 3 changed\n".into();
    edited[14] = "line 15 changed\n".into();
    edited.insert(27, "inserted after 27\n".into());
    // Only hunk 2 applied: what the index must hold after staging hunk 2 of 3.
    let mut only_second = base_lines();
    only_second[14] = "line 15 changed\n".into();
    (base, edited.concat(), only_second.concat())
}

#[test]
fn stage_and_unstage_files_new_modified_and_deleted() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "mod.txt", "a\n", "first");
    write_commit_file(&repo, "del.txt", "d\n", "second");
    write(&repo, "mod.txt", "a changed\n");
    std::fs::remove_file(dir.path().join("del.txt")).unwrap();
    write(&repo, "new.txt", "n\n");

    for p in ["mod.txt", "del.txt", "new.txt"] {
        stage_path(dir.path(), p).unwrap();
    }
    assert_eq!(
        porcelain(dir.path()),
        vec!["D  del.txt", "M  mod.txt", "A  new.txt"]
    );
    assert_eq!(index_content(&repo, "mod.txt").unwrap(), b"a changed\n");

    for p in ["mod.txt", "del.txt", "new.txt"] {
        unstage_path(dir.path(), p).unwrap();
    }
    assert_eq!(
        porcelain(dir.path()),
        vec![" D del.txt", " M mod.txt", "?? new.txt"]
    );
    assert!(matches!(
        stage_path(dir.path(), "missing.txt"),
        Err(GitError::PathNotFound(_))
    ));
    assert!(matches!(
        stage_path(dir.path(), "../escape"),
        Err(GitError::PathNotFound(_))
    ));
}

#[test]
fn a_directory_stages_everything_under_it_but_ignored_files() {
    let (dir, repo) = repo_init();
    write(&repo, ".gitignore", "*.log\n");
    write(&repo, "d/keep.txt", "k\n");
    write(&repo, "d/gone.txt", "g\n");
    write(&repo, "other/x.txt", "x\n");
    git(dir.path(), &["add", "-A"]);
    commit_index(&repo, "first");
    write(&repo, "d/keep.txt", "k changed\n");
    std::fs::remove_file(dir.path().join("d/gone.txt")).unwrap();
    write(&repo, "d/sub/new.txt", "new\n");
    write(&repo, "d/sub/noise.log", "ignored\n");
    write(&repo, "other/x.txt", "x changed\n");
    write(&repo, "dd/near.txt", "same prefix, other directory\n");

    stage_path(dir.path(), "d").unwrap();
    assert_eq!(
        porcelain(dir.path()),
        vec![
            "D  d/gone.txt",
            "M  d/keep.txt",
            "A  d/sub/new.txt",
            " M other/x.txt",
            "?? dd/near.txt"
        ]
    );
    unstage_path(dir.path(), "d/").unwrap();
    assert_eq!(
        porcelain(dir.path()),
        vec![
            " D d/gone.txt",
            " M d/keep.txt",
            " M other/x.txt",
            "?? d/sub/new.txt",
            "?? dd/near.txt"
        ]
    );
    // A directory deleted as a whole stages as removals.
    git(dir.path(), &["checkout", "--", "d"]);
    std::fs::remove_dir_all(dir.path().join("d")).unwrap();
    stage_path(dir.path(), "d").unwrap();
    let s = status(dir.path()).unwrap();
    let staged: Vec<_> = s
        .staged
        .iter()
        .map(|f| (f.path.as_str(), &f.kind))
        .collect();
    assert_eq!(
        staged,
        vec![
            ("d/gone.txt", &FileKind::Deleted),
            ("d/keep.txt", &FileKind::Deleted)
        ]
    );
}

#[test]
fn stage_all_and_unstage_all_also_on_an_unborn_branch() {
    let (dir, repo) = repo_init();
    write(&repo, ".hidden", "h\n");
    write(&repo, "a/b.txt", "b\n");
    stage_all(dir.path()).unwrap();
    assert_eq!(porcelain(dir.path()), vec!["A  .hidden", "A  a/b.txt"]);
    unstage_path(dir.path(), "a/b.txt").unwrap();
    assert_eq!(porcelain(dir.path()), vec!["A  .hidden", "?? a/b.txt"]);
    unstage_all(dir.path()).unwrap();
    assert_eq!(porcelain(dir.path()), vec!["?? .hidden", "?? a/b.txt"]);

    stage_all(dir.path()).unwrap();
    commit_index(&repo, "first");
    write(&repo, ".hidden", "h2\n");
    write(&repo, "a/b.txt", "b2\n");
    std::fs::remove_file(dir.path().join("a/b.txt")).unwrap();
    write(&repo, "c.txt", "c\n");
    stage_all(dir.path()).unwrap();
    assert_eq!(
        porcelain(dir.path()),
        vec!["M  .hidden", "D  a/b.txt", "A  c.txt"]
    );
    unstage_all(dir.path()).unwrap();
    assert_eq!(
        porcelain(dir.path()),
        vec![" M .hidden", " D a/b.txt", "?? c.txt"]
    );
}

#[test]
fn unstaging_a_renamed_file_unstages_both_paths() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "old.txt", "one\ntwo\nthree\nfour\n", "first");
    git(dir.path(), &["mv", "old.txt", "new.txt"]);
    assert_eq!(porcelain(dir.path()), vec!["R  old.txt -> new.txt"]);
    unstage_path(dir.path(), "new.txt").unwrap();
    assert_eq!(porcelain(dir.path()), vec![" D old.txt", "?? new.txt"]);
}

#[test]
fn staging_a_conflicted_file_resolves_it() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "f.txt", "base\n", "base");
    git(dir.path(), &["checkout", "-q", "-b", "other"]);
    write_commit_file(&repo, "f.txt", "theirs\n", "theirs");
    git(dir.path(), &["checkout", "-q", "main"]);
    write_commit_file(&repo, "f.txt", "ours\n", "ours");
    let (ok, _) = git_status_code(dir.path(), &["merge", "other"]);
    assert!(!ok);
    assert_eq!(status(dir.path()).unwrap().conflicted.len(), 1);
    write(&repo, "f.txt", "resolved\n");
    stage_path(dir.path(), "f.txt").unwrap();
    let s = status(dir.path()).unwrap();
    assert!(s.conflicted.is_empty());
    assert_eq!(s.staged.len(), 1);
    assert_eq!(index_content(&repo, "f.txt").unwrap(), b"resolved\n");
}

#[test]
fn staging_hunk_2_of_3_puts_exactly_that_change_in_the_index() {
    let (dir, repo) = repo_init();
    let (base, edited, only_second) = three_hunks();
    write_commit_file(&repo, "f.txt", &base, "first");
    write(&repo, "f.txt", &edited);

    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(diff.hunks.len(), 3);
    stage_hunk(dir.path(), "f.txt", diff.hunks[1].id).unwrap();

    assert_eq!(
        index_content(&repo, "f.txt").unwrap(),
        only_second.as_bytes()
    );
    assert_eq!(
        read(&repo, "f.txt"),
        edited,
        "the working tree is untouched"
    );
    let cached = git(dir.path(), &["diff", "--cached", "-U0"]);
    assert!(cached.contains("+line 15 changed") && !cached.contains("line 3 changed"));
    // What is left unstaged: hunks 1 and 3.
    let left = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(left.hunks.len(), 2);
    assert_eq!(left.hunks[0].id, diff.hunks[0].id);
    assert_eq!(left.hunks[1].id, diff.hunks[2].id);

    // Staging the two others leaves the index equal to the working tree.
    stage_hunk(dir.path(), "f.txt", left.hunks[1].id).unwrap();
    stage_hunk(dir.path(), "f.txt", left.hunks[0].id).unwrap();
    assert_eq!(index_content(&repo, "f.txt").unwrap(), edited.as_bytes());
    assert_eq!(porcelain(dir.path()), vec!["M  f.txt"]);
}

#[test]
fn unstaging_hunk_2_of_3_takes_exactly_that_change_out_of_the_index() {
    let (dir, repo) = repo_init();
    let (base, edited, only_second) = three_hunks();
    write_commit_file(&repo, "f.txt", &base, "first");
    write(&repo, "f.txt", &edited);
    stage_path(dir.path(), "f.txt").unwrap();

    let staged = diff_file(dir.path(), "f.txt", &DiffTarget::Staged).unwrap();
    assert_eq!(staged.hunks.len(), 3);
    unstage_hunk(dir.path(), "f.txt", staged.hunks[1].id).unwrap();
    // Index = everything but hunk 2: i.e. the edited file with line 15 as it was.
    let mut expected: Vec<String> = edited.lines().map(|l| format!("{l}\n")).collect();
    expected[14] = "line 15\n".into();
    assert_eq!(
        index_content(&repo, "f.txt").unwrap(),
        expected.concat().as_bytes()
    );
    let unstaged = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(unstaged.hunks.len(), 1);
    assert!(unstaged.hunks[0].header.starts_with("@@ -12,7 +12,7 @@"));

    // Unstage the rest: the index is HEAD again.
    let staged = diff_file(dir.path(), "f.txt", &DiffTarget::Staged).unwrap();
    for h in &staged.hunks {
        unstage_hunk(dir.path(), "f.txt", h.id).unwrap();
    }
    assert_eq!(index_content(&repo, "f.txt").unwrap(), base.as_bytes());
    let _ = only_second;
}

#[test]
fn stage_and_unstage_single_lines() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "f.txt", "a\nb\nc\n", "first");
    write(&repo, "f.txt", "a\nB\nnew 1\nnew 2\nc\n");
    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(diff.hunks.len(), 1);
    let hunk = &diff.hunks[0];
    let pick = |text: &str, origin: LineOrigin| {
        hunk.lines
            .iter()
            .position(|l| l.text == text && l.origin == origin)
            .unwrap()
    };
    // Stage only "+new 2": the rest stays unstaged.
    stage_lines(
        dir.path(),
        "f.txt",
        hunk.id,
        &[pick("new 2", LineOrigin::Added)],
    )
    .unwrap();
    assert_eq!(index_content(&repo, "f.txt").unwrap(), b"a\nb\nnew 2\nc\n");
    // Then "-b" and "+B" (a replacement).
    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    let hunk = &diff.hunks[0];
    let lines: Vec<usize> = hunk
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.text.eq_ignore_ascii_case("b") && l.origin != LineOrigin::Context)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(lines.len(), 2);
    stage_lines(dir.path(), "f.txt", hunk.id, &lines).unwrap();
    assert_eq!(index_content(&repo, "f.txt").unwrap(), b"a\nB\nnew 2\nc\n");

    // Unstage "+new 2" from the staged diff.
    let staged = diff_file(dir.path(), "f.txt", &DiffTarget::Staged).unwrap();
    let hunk = &staged.hunks[0];
    let i = hunk
        .lines
        .iter()
        .position(|l| l.text == "new 2" && l.origin == LineOrigin::Added)
        .unwrap();
    unstage_lines(dir.path(), "f.txt", hunk.id, &[i]).unwrap();
    assert_eq!(index_content(&repo, "f.txt").unwrap(), b"a\nB\nc\n");
    assert_eq!(read(&repo, "f.txt"), "a\nB\nnew 1\nnew 2\nc\n");
}

#[test]
fn a_hunk_that_changed_since_it_was_shown_is_refused() {
    let (dir, repo) = repo_init();
    let (base, edited, _) = three_hunks();
    write_commit_file(&repo, "f.txt", &base, "first");
    write(&repo, "f.txt", &edited);
    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    write(
        &repo,
        "f.txt",
        &edited.replace("line 15 changed", "line 15 changed again"),
    );
    let r = stage_hunk(dir.path(), "f.txt", diff.hunks[1].id);
    assert!(matches!(r, Err(GitError::StaleHunk { .. })), "{r:?}");
    let r = stage_lines(dir.path(), "f.txt", diff.hunks[0].id, &[999]);
    assert!(matches!(r, Err(GitError::StaleHunk { .. })), "{r:?}");
    assert_eq!(index_content(&repo, "f.txt").unwrap(), base.as_bytes());
}

#[test]
fn hunks_of_new_files_and_files_without_a_final_newline() {
    let (dir, repo) = repo_init();
    write_commit_file(&repo, "eof.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10", "first");
    write(&repo, "eof.txt", "1\nTWO\n3\n4\n5\n6\n7\n8\n9\n10\n11");
    let diff = diff_file(dir.path(), "eof.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(diff.hunks.len(), 2);
    assert!(
        diff.hunks[1]
            .lines
            .iter()
            .any(|l| l.origin == LineOrigin::NoNewline)
    );
    stage_hunk(dir.path(), "eof.txt", diff.hunks[1].id).unwrap();
    assert_eq!(
        index_content(&repo, "eof.txt").unwrap(),
        b"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11"
    );
    let diff = diff_file(dir.path(), "eof.txt", &DiffTarget::Unstaged).unwrap();
    stage_hunk(dir.path(), "eof.txt", diff.hunks[0].id).unwrap();
    assert_eq!(
        index_content(&repo, "eof.txt").unwrap(),
        read(&repo, "eof.txt").as_bytes()
    );

    // An untracked file: its one hunk adds it; some of its lines add it with those lines.
    write(&repo, "new.txt", "x\ny\nz\n");
    let diff = diff_file(dir.path(), "new.txt", &DiffTarget::Unstaged).unwrap();
    stage_lines(dir.path(), "new.txt", diff.hunks[0].id, &[0, 2]).unwrap();
    assert_eq!(index_content(&repo, "new.txt").unwrap(), b"x\nz\n");
    write(&repo, "whole.txt", "w\n");
    let diff = diff_file(dir.path(), "whole.txt", &DiffTarget::Unstaged).unwrap();
    stage_hunk(dir.path(), "whole.txt", diff.hunks[0].id).unwrap();
    assert_eq!(index_content(&repo, "whole.txt").unwrap(), b"w\n");
    // Unstaging the whole hunk of a new file takes it out of the index.
    let staged = diff_file(dir.path(), "whole.txt", &DiffTarget::Staged).unwrap();
    unstage_hunk(dir.path(), "whole.txt", staged.hunks[0].id).unwrap();
    assert_eq!(index_content(&repo, "whole.txt"), None);
}

/// A small deterministic generator, so the randomised test is reproducible.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn random_edits_staged_hunk_by_hunk_end_as_the_working_tree_and_unstage_back_to_head() {
    let (dir, repo) = repo_init();
    for seed in 1..=12u64 {
        let mut rng = Lcg(seed);
        let base: Vec<String> = (0..200).map(|i| format!("{seed} row {i}\n")).collect();
        let base = base.concat();
        write_commit_file(&repo, "r.txt", &base, &format!("seed {seed}"));
        let mut lines: Vec<String> = base.lines().map(|l| format!("{l}\n")).collect();
        for _ in 0..15 {
            let at = rng.next(lines.len());
            match rng.next(3) {
                0 => lines[at] = format!("edited {}\n", rng.next(1000)),
                1 => lines.insert(at, format!("added {}\n", rng.next(1000))),
                _ => {
                    lines.remove(at);
                }
            }
        }
        let edited = lines.concat();
        write(&repo, "r.txt", &edited);
        // Stage hunks in a random order until nothing is left.
        let mut rounds = 0;
        loop {
            let d = diff_file(dir.path(), "r.txt", &DiffTarget::Unstaged).unwrap();
            if d.hunks.is_empty() {
                break;
            }
            let h = &d.hunks[rng.next(d.hunks.len())];
            stage_hunk(dir.path(), "r.txt", h.id).unwrap();
            rounds += 1;
            assert!(rounds < 100);
        }
        assert_eq!(index_content(&repo, "r.txt").unwrap(), edited.as_bytes());
        loop {
            let d = diff_file(dir.path(), "r.txt", &DiffTarget::Staged).unwrap();
            if d.hunks.is_empty() {
                break;
            }
            let h = &d.hunks[rng.next(d.hunks.len())];
            unstage_hunk(dir.path(), "r.txt", h.id).unwrap();
        }
        assert_eq!(index_content(&repo, "r.txt").unwrap(), base.as_bytes());
        // And `git diff` agrees that the index is HEAD.
        assert_eq!(git(dir.path(), &["diff", "--cached"]), "");
    }
}

#[test]
fn discard_a_file_a_directory_an_untracked_file_and_a_hunk() {
    let (dir, repo) = repo_init();
    let (base, edited, _) = three_hunks();
    write(&repo, "f.txt", &base);
    write(&repo, "d/a.txt", "a\n");
    write(&repo, "d/b.txt", "b\n");
    write(&repo, "staged.txt", "s\n");
    write(&repo, ".gitignore", "*.keep\n");
    git(dir.path(), &["add", "-A"]);
    commit_index(&repo, "first");

    // Discarding keeps what is staged: the working tree goes back to the index.
    write(&repo, "staged.txt", "s staged\n");
    stage_path(dir.path(), "staged.txt").unwrap();
    write(&repo, "staged.txt", "s staged then edited\n");
    discard_path(dir.path(), "staged.txt", &|| false).unwrap();
    assert_eq!(read(&repo, "staged.txt"), "s staged\n");

    write(&repo, "d/a.txt", "a changed\n");
    std::fs::remove_file(dir.path().join("d/b.txt")).unwrap();
    write(&repo, "d/new/untracked.txt", "u\n");
    write(&repo, "d/new/deeper/more.txt", "m\n");
    write(&repo, "d/new/precious.keep", "ignored: kept\n");
    write(&repo, "loose.txt", "untracked\n");
    discard_path(dir.path(), "d", &|| false).unwrap();
    assert_eq!(read(&repo, "d/a.txt"), "a\n");
    assert_eq!(read(&repo, "d/b.txt"), "b\n");
    assert!(!dir.path().join("d/new/untracked.txt").exists());
    assert!(!dir.path().join("d/new/deeper").exists());
    assert_eq!(read(&repo, "d/new/precious.keep"), "ignored: kept\n");
    discard_path(dir.path(), "loose.txt", &|| false).unwrap();
    assert!(!dir.path().join("loose.txt").exists());
    assert_eq!(porcelain(dir.path()), vec!["M  staged.txt"]);

    write(&repo, "f.txt", &edited);
    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    discard_hunk(dir.path(), "f.txt", diff.hunks[0].id).unwrap();
    let mut expected: Vec<String> = edited.lines().map(|l| format!("{l}\n")).collect();
    expected[2] = "line 3\n".into();
    assert_eq!(read(&repo, "f.txt"), expected.concat());
    assert!(matches!(
        discard_path(dir.path(), "nothing-here", &|| false),
        Err(GitError::PathNotFound(_))
    ));
}

#[test]
fn hunks_stage_the_normalised_content_with_autocrlf() {
    let (dir, repo) = repo_init();
    repo.config()
        .unwrap()
        .set_bool("core.autocrlf", true)
        .unwrap();
    let (base, edited, only_second) = three_hunks();
    write_commit_file(&repo, "f.txt", &base, "first");
    // The working tree has CRLF line ends; the repository keeps LF.
    write(&repo, "f.txt", &edited.replace('\n', "\r\n"));
    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    assert_eq!(diff.hunks.len(), 3);
    stage_hunk(dir.path(), "f.txt", diff.hunks[1].id).unwrap();
    assert_eq!(
        index_content(&repo, "f.txt").unwrap(),
        only_second.as_bytes()
    );
    // Discarding a hunk of a converted file is refused rather than done wrong.
    let diff = diff_file(dir.path(), "f.txt", &DiffTarget::Unstaged).unwrap();
    let r = discard_hunk(dir.path(), "f.txt", diff.hunks[0].id);
    assert!(matches!(r, Err(GitError::StaleHunk { .. })), "{r:?}");
    assert_eq!(read(&repo, "f.txt"), edited.replace('\n', "\r\n"));
}

#[test]
fn a_cancelled_stage_all_or_discard_leaves_the_index_and_the_files_as_they_were() {
    let (dir, repo) = repo_init();
    for i in 0..50 {
        write(&repo, &format!("f{i:02}.txt"), "base\n");
    }
    git(dir.path(), &["add", "-A"]);
    commit_index(&repo, "first");
    for i in 0..50 {
        write(&repo, &format!("f{i:02}.txt"), "changed\n");
        write(&repo, &format!("new{i:02}.txt"), "new\n");
    }
    let index_file = || std::fs::read(dir.path().join(".git/index")).unwrap();
    let before = (porcelain(dir.path()), index_file());

    // Cancelled at once, and half way through the files: the index on disk is untouched.
    for asks_before_cancel in [0, 60] {
        let asked = std::cell::Cell::new(0);
        let cancel = || {
            asked.set(asked.get() + 1);
            asked.get() > asks_before_cancel
        };
        let result = stage_all_cancellable(dir.path(), &cancel);
        assert!(matches!(result, Err(GitError::Cancelled)), "{result:?}");
        assert!(
            asked.get() > asks_before_cancel,
            "asked {} times",
            asked.get()
        );
        assert_eq!((porcelain(dir.path()), index_file()), before);
    }
    let error = discard_path(dir.path(), "f00.txt", &|| true).unwrap_err();
    assert!(matches!(error, GitError::Cancelled), "{error:?}");
    assert_eq!(read(&repo, "f00.txt"), "changed\n");

    stage_all_cancellable(dir.path(), &|| false).unwrap();
    assert_eq!(porcelain(dir.path()).len(), 100);
    assert!(porcelain(dir.path()).iter().all(|l| !l.starts_with(' ')));
}
