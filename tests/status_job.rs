//! The status job as the app runs it: a full read first, then — after the watcher reports a
//! path — a refresh that looks only at it, through the job manager and its status cache.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::time::Duration;

use cctui::aws::client::Clients;
use cctui::jobs::{JobEvent, JobId, JobManager, JobOutput, JobRequest, Services, WorktreeOutput};
use cctui::model::Changes;
use git_remote::*;

async fn read(
    manager: &mut JobManager,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<cctui::jobs::JobUpdate>,
    id: u64,
    repo: &std::path::Path,
    changes: Option<Changes>,
) -> cctui::git::status::Status {
    manager.spawn(
        JobId(id),
        JobRequest::ReadStatus {
            repo: repo.to_path_buf(),
            changes,
        },
    );
    loop {
        let update = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if update.id != JobId(id) {
            continue;
        }
        match update.event {
            JobEvent::Finished(Ok(JobOutput::Worktree(WorktreeOutput::Status {
                status, ..
            }))) => {
                return status;
            }
            JobEvent::Finished(other) => panic!("{other:?}"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_change_is_seen_by_the_incremental_read() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    cli_commit(&repo, "a.txt", "a\n", "first");
    let services = Services {
        clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(dir.path().join(".undo")),
        ..Services::new(Clients::new(), dir.path().to_path_buf())
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    let clean = read(&mut manager, &mut rx, 1, &repo, None).await;
    assert!(clean.unstaged.is_empty() && clean.untracked.is_empty());

    std::fs::write(repo.join("a.txt"), "changed\n").unwrap();
    std::fs::write(repo.join("new.txt"), "new\n").unwrap();
    let changes = Changes {
        paths: vec![repo.join("a.txt"), repo.join("new.txt")],
        overflowed: false,
    };
    let after = read(&mut manager, &mut rx, 2, &repo, Some(changes)).await;
    let names = |files: &[cctui::git::status::FileStatus]| {
        files.iter().map(|f| f.path.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&after.unstaged), vec!["a.txt"]);
    assert_eq!(names(&after.untracked), vec!["new.txt"]);
    // And it agrees with a full read.
    let full = read(&mut manager, &mut rx, 3, &repo, None).await;
    assert_eq!(full, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_diff_of_an_untracked_directory_shows_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    cli_commit(&repo, "a.txt", "a\n", "first");
    std::fs::create_dir_all(repo.join("newdir/sub")).unwrap();
    std::fs::write(repo.join("newdir/one.txt"), "one\n").unwrap();
    std::fs::write(repo.join("newdir/sub/two.txt"), "two\n").unwrap();
    let services = Services {
        clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(dir.path().join(".undo")),
        ..Services::new(Clients::new(), dir.path().to_path_buf())
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    manager.spawn(
        JobId(1),
        JobRequest::ReadDiff {
            repo: repo.clone(),
            source: cctui::git::diff::DiffSource::File {
                path: "newdir/".into(),
                target: cctui::git::diff::DiffTarget::Unstaged,
            },
        },
    );
    let files = loop {
        let update = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let JobEvent::Finished(result) = update.event {
            match result.unwrap() {
                JobOutput::Worktree(WorktreeOutput::Diff { files }) => break files,
                other => panic!("{other:?}"),
            }
        }
    };
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["newdir/one.txt", "newdir/sub/two.txt"]);
    assert!(files.iter().all(|f| f.additions == 1), "{files:?}");
}
