//! Bulk clone through the job manager: five clones against the local service, one of them of a
//! repository that does not exist. The others finish; the failure is reported on its own row,
//! leaves no directory, and no secret reaches the disk.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/local.rs"]
mod support;

use std::path::PathBuf;
use std::time::Duration;

use cctui::aws::client::{Clients, StaticCredentials, Target};
use cctui::config::CloneProtocol;
use cctui::jobs::{CloneJob, JobEvent, JobManager, JobOutput, JobRequest, Services};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, ServiceConfig,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_clones_in_parallel_one_failing() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let client = support::demo_client(&service);
    let work = dir.path().join("seed");
    std::fs::create_dir_all(&work).unwrap();
    for n in 0..4 {
        let name = format!("repo-{n}");
        client
            .create_repository()
            .repository_name(&name)
            .send()
            .await
            .unwrap();
        let (work, url) = (work.join(&name), support::git_url(&service, &name));
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&work).unwrap();
            support::work_tree(&work, "master", 3);
            support::git_ok(&work, &["push", "-q", &url, "master"]);
        })
        .await
        .unwrap();
    }

    let target = Target {
        profile: None,
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
    };
    let clients = Clients::with_credentials(StaticCredentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        secret_access_key: DEMO_SECRET_ACCESS_KEY.to_string().into(),
        session_token: None,
    });
    let root = dir.path().join("workspace");
    let services = Services {
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(root.join(".undo")),
        ..Services::new(clients, root.clone())
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    let names = ["repo-0", "repo-1", "missing-repo", "repo-2", "repo-3"];
    for (n, name) in names.into_iter().enumerate() {
        let job = CloneJob {
            target: target.clone(),
            repository: name.into(),
            url_http: service.clone_url(name),
            url_ssh: String::new(),
            protocol: CloneProtocol::HttpsIam,
            path: root.join(name),
            login: None,
            passphrase: None,
            trusted_fingerprint: None,
        };
        manager.spawn(
            cctui::jobs::JobId(n as u64 + 1),
            JobRequest::Clone(Box::new(job)),
        );
    }
    let mut cloned: Vec<PathBuf> = Vec::new();
    let mut failures = Vec::new();
    while cloned.len() + failures.len() < names.len() {
        let update = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match update.event {
            JobEvent::Finished(Ok(JobOutput::Clone(cctui::jobs::CloneOutput::Cloned {
                path,
                ..
            }))) => cloned.push(path),
            JobEvent::Finished(Err(failure)) => failures.push(failure),
            JobEvent::Finished(Ok(other)) => panic!("unexpected output {other:?}"),
            JobEvent::Cancelled => panic!("cancelled"),
            _ => {}
        }
    }
    assert_eq!(cloned.len(), 4, "{failures:?}");
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].message.to_lowercase().contains("not found"),
        "{:?}",
        failures[0]
    );
    assert!(
        !root.join("missing-repo").exists(),
        "the failed clone left a directory"
    );
    for path in &cloned {
        assert!(
            path.join("file.txt").exists(),
            "{} not checked out",
            path.display()
        );
        let config = std::fs::read_to_string(path.join(".git/config")).unwrap();
        assert!(
            !config.contains(DEMO_SECRET_ACCESS_KEY) && !config.contains('@'),
            "{config}"
        );
    }
}

/// A failing clone must not remove what a sibling put in a parent directory they both created:
/// the failing clone starts while the workspace root does not exist, a sibling writes into the
/// root meanwhile, and the failure removes only the failing clone's own directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_clone_keeps_siblings_in_a_parent_it_created() {
    use cctui::aws::git_password::AwsKeys;
    use cctui::git::{Auth, CloneRequest};
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    service.faults().set_latency_ms(600);
    let root = dir.path().join("new-root");
    let request = CloneRequest {
        url: service.clone_url("missing-repo"),
        target: root.join("missing-repo"),
        auth: Auth::Iam {
            keys: AwsKeys {
                access_key_id: DEMO_ACCESS_KEY_ID.into(),
                secret_access_key: DEMO_SECRET_ACCESS_KEY.to_string().into(),
                session_token: None,
            },
            region: DEMO_REGION.into(),
        },
    };
    // libgit2 creates the root, then waits on the slow server: that is the moment a sibling
    // arrives. Waiting for the root to exist (not on a timer) makes the scenario happen.
    let failing = tokio::task::spawn_blocking(move || cctui::git::clone(&request, &mut |_| true));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !root.exists() {
        assert!(
            std::time::Instant::now() < deadline && !failing.is_finished(),
            "the clone never created its root"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let sibling = root.join("sibling");
    std::fs::create_dir_all(&sibling).unwrap();
    std::fs::write(sibling.join("work.txt"), "keep me").unwrap();
    assert!(
        !failing.is_finished(),
        "the clone must still be running when the sibling arrives (600 ms server latency)"
    );
    let result = failing.await.unwrap();
    assert!(result.is_err(), "cloning a missing repository must fail");
    assert!(
        !root.join("missing-repo").exists(),
        "the failed clone's directory is removed"
    );
    assert_eq!(
        std::fs::read_to_string(sibling.join("work.txt")).unwrap(),
        "keep me"
    );
}
