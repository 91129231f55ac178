use cctui::git::GitError;
use cctui::git::log::{ahead_behind, log_page, log_page_from};
use git2::{Oid, Repository, Signature, Time};

use crate::git_repo::*;

/// A commit on `branch` (a ref name) with the given parents at a given time.
fn commit_at(repo: &Repository, update: &str, parents: &[Oid], time: i64, msg: &str) -> Oid {
    let sig = Signature::new("Author Name", "author@example.com", &Time::new(time, 60)).unwrap();
    let mut tb = repo.treebuilder(None).unwrap();
    let blob = repo.blob(msg.as_bytes()).unwrap();
    tb.insert("file.txt", blob, 0o100644).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let parents: Vec<_> = parents
        .iter()
        .map(|p| repo.find_commit(*p).unwrap())
        .collect();
    let refs: Vec<_> = parents.iter().collect();
    repo.commit(Some(update), &sig, &sig, msg, &tree, &refs)
        .unwrap()
}

fn all_pages(dir: &std::path::Path, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = log_page(dir, cursor.as_deref(), limit).unwrap();
        assert!(page.len() <= limit);
        out.extend(page.into_iter().map(|c| c.id));
        match next {
            Some(n) => cursor = Some(n),
            None => return out,
        }
    }
}

#[test]
fn pages_of_a_linear_history() {
    let (dir, repo) = repo_init();
    let mut parent = Vec::new();
    for i in 0..120 {
        let id = commit_at(
            &repo,
            "HEAD",
            &parent,
            1_700_000_000 + i * 60,
            &format!("commit {i}\n\nbody {i}\n"),
        );
        parent = vec![id];
    }
    let (first, next) = log_page(dir.path(), None, 50).unwrap();
    assert_eq!(first.len(), 50);
    assert_eq!(first[0].summary, "commit 119");
    assert_eq!(first[0].message, "commit 119\n\nbody 119\n");
    assert_eq!(first[0].author, "Author Name");
    assert_eq!(first[0].email, "author@example.com");
    assert_eq!(first[0].time, 1_700_000_000 + 119 * 60);
    assert_eq!(first[0].offset_minutes, 60);
    assert_eq!(first[0].parents, 1);
    assert_eq!(first[0].short_id, first[0].id[..7]);
    assert!(next.is_some(), "more pages");
    assert_eq!(first.last().unwrap().summary, "commit 70");

    let (second, next) = log_page(dir.path(), next.as_deref(), 50).unwrap();
    assert_eq!(second[0].summary, "commit 69");
    let (third, next) = log_page(dir.path(), next.as_deref(), 50).unwrap();
    assert_eq!(third.len(), 20);
    assert_eq!(third.last().unwrap().summary, "commit 0");
    assert_eq!(third.last().unwrap().parents, 0);
    assert_eq!(next, None);

    let git_ids: Vec<String> = git(dir.path(), &["log", "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(all_pages(dir.path(), 50), git_ids);
    // Exactly a page's worth: no cursor pointing to an empty page.
    let (page, next) = log_page_from(dir.path(), &git_ids[100], None, 20).unwrap();
    assert_eq!(page[0].summary, "commit 19");
    assert_eq!(page.len(), 20);
    assert_eq!(next, None);
    // A cursor taken before the branch moved still continues after the last commit shown.
    let (first, cursor) = log_page(dir.path(), None, 50).unwrap();
    commit_at(
        &repo,
        "HEAD",
        &[Oid::from_str(&git_ids[0]).unwrap()],
        1_800_000_000,
        "new tip",
    );
    let (after_move, _) = log_page(dir.path(), cursor.as_deref(), 50).unwrap();
    assert_eq!(first.last().unwrap().summary, "commit 70");
    assert_eq!(after_move[0].summary, "commit 69");
    assert_eq!(after_move.len(), 50);
    // An empty page keeps the cursor.
    let (page, next) = log_page(dir.path(), Some(&git_ids[3]), 0).unwrap();
    assert!(page.is_empty());
    assert_eq!(next.as_deref(), Some(git_ids[3].as_str()));
}

#[test]
fn pages_of_interleaved_branches_follow_git_log_order() {
    let (dir, repo) = repo_init();
    let mut t = 1_700_000_000;
    let mut tick = || {
        t += 100;
        t
    };
    let root = commit_at(&repo, "refs/heads/main", &[], tick(), "root");
    let mut a = root;
    let mut b = root;
    for i in 0..15 {
        a = commit_at(&repo, "refs/heads/main", &[a], tick(), &format!("main {i}"));
        b = commit_at(
            &repo,
            "refs/heads/topic",
            &[b],
            tick(),
            &format!("topic {i}"),
        );
    }
    let merge = commit_at(&repo, "refs/heads/main", &[a, b], tick(), "merge");
    let _ = commit_at(&repo, "refs/heads/main", &[merge], tick(), "after");
    let git_ids: Vec<String> = git(dir.path(), &["log", "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(git_ids.len(), 33);
    for limit in [1, 4, 7, 50] {
        assert_eq!(all_pages(dir.path(), limit), git_ids, "pages of {limit}");
    }
    let (page, _) = log_page(dir.path(), None, 2).unwrap();
    assert_eq!(page[1].parents, 2);
    // The topic branch alone.
    let (topic, _) = log_page_from(dir.path(), "topic", None, 100).unwrap();
    assert_eq!(topic.len(), 16);
    assert!(matches!(
        log_page_from(dir.path(), "nope", None, 10),
        Err(GitError::RevisionNotFound(_))
    ));
    // A cursor that is not in the history.
    assert!(matches!(
        log_page(dir.path(), Some(&"1".repeat(40)), 10),
        Err(GitError::RevisionNotFound(_))
    ));
}

#[test]
fn an_unborn_branch_has_an_empty_log() {
    let (dir, _repo) = repo_init();
    assert_eq!(log_page(dir.path(), None, 50).unwrap(), (Vec::new(), None));
    assert_eq!(ahead_behind(dir.path()).unwrap(), None);
}

#[test]
fn ahead_and_behind_the_upstream() {
    let (remote_dir, _remote) = repo_init_bare();
    let (one_dir, one) = repo_init();
    write_commit_file(&one, "a.txt", "a\n", "first");
    let url = format!("file://{}", remote_dir.path().display());
    git(one_dir.path(), &["remote", "add", "origin", &url]);
    git(one_dir.path(), &["push", "-q", "-u", "origin", "main"]);
    assert_eq!(ahead_behind(one_dir.path()).unwrap(), Some((0, 0)));
    let (two_dir, two) = repo_clone(remote_dir.path());
    assert_eq!(ahead_behind(two_dir.path()).unwrap(), Some((0, 0)));

    write_commit_file(&one, "b.txt", "b\n", "second");
    write_commit_file(&one, "c.txt", "c\n", "third");
    git(one_dir.path(), &["push", "-q", "origin", "main"]);
    write_commit_file(&two, "d.txt", "d\n", "local");
    git(two_dir.path(), &["fetch", "-q"]);
    assert_eq!(ahead_behind(two_dir.path()).unwrap(), Some((1, 2)));

    // No upstream: a new local branch; detached HEAD.
    git(two_dir.path(), &["checkout", "-q", "-b", "local-only"]);
    assert_eq!(ahead_behind(two_dir.path()).unwrap(), None);
    git(two_dir.path(), &["checkout", "-q", "--detach"]);
    assert_eq!(ahead_behind(two_dir.path()).unwrap(), None);
}

#[test]
fn the_first_page_does_not_read_the_whole_history() {
    // The oldest commit's object is deleted: a walk that reads the whole history before giving
    // its first commit (libgit2 with any sorting flag) fails; a lazy one does not notice.
    let (dir, repo) = repo_init();
    let mut parent = Vec::new();
    let mut ids = Vec::new();
    for i in 0..60 {
        let id = commit_at(
            &repo,
            "HEAD",
            &parent,
            1_700_000_000 + i * 60,
            &format!("c{i}"),
        );
        parent = vec![id];
        ids.push(id);
    }
    let root = ids[0].to_string();
    let loose = dir
        .path()
        .join(".git/objects")
        .join(&root[..2])
        .join(&root[2..]);
    std::fs::remove_file(loose).unwrap();

    let (page, next) = log_page(dir.path(), None, 10).unwrap();
    assert_eq!(page.len(), 10);
    let (page, _) = log_page(dir.path(), next.as_deref(), 10).unwrap();
    assert_eq!(page[0].summary, "c49");
    assert!(log_page(dir.path(), None, 100).is_err());
}

#[test]
fn pages_never_repeat_a_commit_when_timestamps_are_equal() {
    // X <- Y, X <- F <- Z, M = merge(Y, Z), all at the same second.
    let (dir, repo) = repo_init();
    let t = 1_700_000_000;
    let x = commit_at(&repo, "refs/heads/main", &[], t, "X");
    let y = commit_at(&repo, "refs/heads/main", &[x], t, "Y");
    let f = commit_at(&repo, "refs/heads/side", &[x], t, "F");
    let z = commit_at(&repo, "refs/heads/side", &[f], t, "Z");
    commit_at(&repo, "refs/heads/main", &[y, z], t, "M");
    repo.set_head("refs/heads/main").unwrap();
    let all: Vec<String> = all_pages(dir.path(), 50);
    for limit in [1, 2, 3, 4] {
        let paged = all_pages(dir.path(), limit);
        let mut unique = paged.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            paged.len(),
            "a commit came twice with pages of {limit}"
        );
        assert_eq!(paged, all, "pages of {limit}");
    }
    assert_eq!(all.len(), 5);
}
