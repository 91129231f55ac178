//! A hook's output reaches the jobs strip while it runs, for the hooks around a merge (the
//! branch job, as the branches pane's `m` runs it): the job reports `pre-merge-commit: <its
//! last line>` as progress before the hook ends. The hook waits for a file the test creates
//! only after it saw that report, so the report cannot be a leftover of the finished hook.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/jobs.rs"]
mod jobs_support;
#[path = "support/local.rs"]
mod local_support;

use std::time::Duration;

use cctui::jobs::{BranchOp, JobEvent, JobId, JobManager, JobRequest};
use git_remote::*;
use local_support::git_ok;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_hook_reports_its_output_while_it_runs() {
    sandbox_config();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    cli_commit(&repo, "base.txt", "base\n", "Base");
    git_ok(&repo, &["checkout", "-q", "-b", "topic"]);
    cli_commit(&repo, "t.txt", "t\n", "On topic");
    git_ok(&repo, &["checkout", "-q", "main"]);
    cli_commit(&repo, "m.txt", "m\n", "On main");
    let go = dir.path().join("go");
    let hooks = repo.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("pre-merge-commit");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho 'lint: 1 of 2 packages'\nwhile [ ! -e '{}' ]; do sleep 0.05; done\necho 'lint: done'\n",
            go.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, jobs_support::services(dir.path()));
    manager.spawn(
        JobId(1),
        JobRequest::Branch {
            repo: repo.clone(),
            op: BranchOp::Merge("topic".into()),
        },
    );
    let mut saw_output = false;
    loop {
        let update = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match update.event {
            JobEvent::Progress(progress)
                if progress.phase == "pre-merge-commit: lint: 1 of 2 packages" =>
            {
                saw_output = true;
                std::fs::write(&go, "").unwrap();
            }
            JobEvent::Finished(result) => {
                assert!(result.is_ok(), "{result:?}");
                break;
            }
            _ => {}
        }
    }
    assert!(saw_output, "the hook's line was reported while it ran");
    assert_eq!(
        git_ok(&repo, &["rev-list", "--count", "--merges", "HEAD"]),
        "1",
        "the merge commit was made after the hook"
    );
}
