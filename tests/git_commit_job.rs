//! The commit as the user runs it: through the job manager. Cancelling the job while its
//! `pre-commit` hook runs stops the hook (and what it started) and commits nothing; a commit
//! that is not cancelled says "finishing…" once it passed its point of no return.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;
use std::time::{Duration, Instant};

use cctui::aws::client::{Clients, StaticCredentials};
use cctui::git::CommitRequest;
use cctui::jobs::{JobEvent, JobId, JobManager, JobOutput, JobRequest, JobUpdate, Services};
use git_remote::*;
use local_support::*;
use tokio::sync::mpsc::UnboundedReceiver;

/// Generous: the machine may be busy; every wait below ends on its event.
const PATIENCE: Duration = Duration::from_secs(30);

/// A job manager whose undo logs go under `root` (the test's own directory).
fn manager(root: &Path) -> (JobManager, UnboundedReceiver<JobUpdate>) {
    // No AWS call is made by a commit; the credentials only fill the type.
    let clients = Clients::with_credentials(StaticCredentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "unused".to_string().into(),
        session_token: None,
    });
    let services = Services {
        clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(root.join(".undo")),
        ..Services::new(clients, std::env::temp_dir())
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    (JobManager::new(tx, services), rx)
}

fn hook(repo: &Path, name: &str, body: &str) {
    let dir = repo.join(".git/hooks");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Running and not a zombie.
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat.rsplit(')').next().unwrap_or("").trim_start();
        !state.starts_with('Z') && !state.starts_with('X')
    })
}

async fn wait_for(what: &str, mut holds: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !holds() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The events of job `id` up to and including its last one.
async fn events_of(rx: &mut UnboundedReceiver<JobUpdate>, id: JobId) -> Vec<JobEvent> {
    let mut events = Vec::new();
    loop {
        let update = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .expect("the job ends")
            .unwrap();
        if update.id != id {
            continue;
        }
        let last = matches!(update.event, JobEvent::Finished(_) | JobEvent::Cancelled);
        events.push(update.event);
        if last {
            return events;
        }
    }
}

fn commit_request(repo: &Path, message: &str) -> JobRequest {
    JobRequest::Commit {
        repo: repo.to_path_buf(),
        request: CommitRequest {
            message: message.into(),
            ..CommitRequest::default()
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_commit_job_stops_its_hook_and_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    let pids = dir.path().join("pids");
    hook(
        &repo,
        "pre-commit",
        &format!(
            "sleep 60 &\necho \"$$ $!\" > '{0}.tmp'\nmv '{0}.tmp' '{0}'\nwait",
            pids.display()
        ),
    );
    stage(&repo, "a.txt", "staged\n");

    let (mut manager, mut rx) = manager(dir.path());
    let id = JobId(1);
    manager.spawn(id, commit_request(&repo, "never lands"));
    wait_for("the hook to start", || pids.exists()).await;
    // A second write on the same clone waits for the commit's lock, held until the hook is
    // gone.
    let stage_job = JobId(2);
    manager.spawn(
        stage_job,
        JobRequest::ChangeIndex {
            repo: repo.clone(),
            change: cctui::jobs::IndexChange::StageAll,
        },
    );
    let pids: Vec<u32> = std::fs::read_to_string(&pids)
        .unwrap()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(pids.iter().all(|&p| alive(p)), "{pids:?}");

    manager.cancel(id);
    let mut events = Vec::new();
    let mut stage_ended_after_hook = None;
    while stage_ended_after_hook.is_none() {
        let update = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .expect("both jobs end")
            .unwrap();
        let ended = matches!(update.event, JobEvent::Finished(_) | JobEvent::Cancelled);
        if update.id == id {
            events.push(update.event);
        } else if update.id == stage_job && ended {
            assert_eq!(
                events.last(),
                Some(&JobEvent::Cancelled),
                "the stage ran before the commit had ended: {events:?}"
            );
            stage_ended_after_hook = Some(pids.iter().all(|&p| !alive(p)));
        }
    }
    assert_eq!(events.last(), Some(&JobEvent::Cancelled), "{events:?}");
    assert_eq!(
        stage_ended_after_hook,
        Some(true),
        "the write lock was released before the hook was killed"
    );
    for pid in pids {
        wait_for(&format!("hook process {pid} to be gone"), || !alive(pid)).await;
    }
    assert_eq!(rev(&repo, "HEAD"), first, "nothing committed");
    assert_eq!(git_ok(&repo, &["diff", "--cached", "--name-only"]), "a.txt");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, JobEvent::Progress(p) if p.phase == "finishing…")),
        "{events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_job_says_finishing_after_its_point_of_no_return() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    cli_commit(&repo, "a.txt", "a\n", "first");
    hook(&repo, "pre-commit", "exit 0");
    stage(&repo, "a.txt", "staged\n");

    let (mut manager, mut rx) = manager(dir.path());
    let id = JobId(1);
    manager.spawn(id, commit_request(&repo, "lands"));
    let events = events_of(&mut rx, id).await;
    let Some(JobEvent::Finished(Ok(JobOutput::Worktree(cctui::jobs::WorktreeOutput::Committed {
        outcome,
        ..
    })))) = events.last()
    else {
        panic!("{events:?}");
    };
    assert_eq!(rev(&repo, "HEAD"), outcome.id);
    let finishing = events
        .iter()
        .filter(|e| matches!(e, JobEvent::Progress(p) if p.phase == "finishing…"))
        .count();
    assert_eq!(finishing, 1, "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_hook_shows_its_last_line_in_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    cli_commit(&repo, "a.txt", "a\n", "first");
    let go = dir.path().join("go");
    // The hook says what it does, then waits for the test to have seen it.
    hook(
        &repo,
        "pre-commit",
        &format!(
            "echo 'lint: ok'\necho 'running 3 tests…'\nwhile [ ! -e '{}' ]; do sleep 0.05; done",
            go.display()
        ),
    );
    stage(&repo, "a.txt", "staged\n");
    let (mut manager, mut rx) = manager(dir.path());
    let id = JobId(1);
    manager.spawn(id, commit_request(&repo, "with a talkative hook"));
    loop {
        let update = tokio::time::timeout(PATIENCE, rx.recv())
            .await
            .expect("the hook's line is reported")
            .unwrap();
        if let JobEvent::Progress(progress) = &update.event
            && progress.phase == "pre-commit: running 3 tests…"
        {
            break;
        }
        assert!(
            !matches!(update.event, JobEvent::Finished(_)),
            "{:?}",
            update.event
        );
    }
    std::fs::write(&go, "").unwrap();
    let events = events_of(&mut rx, id).await;
    assert!(
        matches!(events.last(), Some(JobEvent::Finished(Ok(_)))),
        "{events:?}"
    );
}
