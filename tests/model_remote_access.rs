//! Which credentials a clone, push or fetch gets, through the job manager as the app starts
//! them: the model's rule (IAM git passwords only for CodeCommit over HTTPS and for loopback)
//! decides, from the URL the user typed, the service listed or the clone's origin.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/jobs.rs"]
mod jobs_support;
#[path = "support/local.rs"]
mod support;

use std::time::Duration;

use cctui::aws::client::{Clients, StaticCredentials, Target};
use cctui::config::CloneProtocol;
use cctui::jobs::{
    CloneJob, JobEvent, JobFailure, JobManager, JobOutput, JobRequest, RemoteOp, Services,
};
use cctui::local::{DEMO_REGION, LocalService, ServiceConfig};

fn services(root: &std::path::Path) -> Services {
    jobs_support::demo_services(root)
}

fn job(url_http: &str, endpoint: Option<String>, path: std::path::PathBuf) -> CloneJob {
    CloneJob {
        target: Target {
            profile: None,
            region: Some(DEMO_REGION.into()),
            endpoint,
        },
        repository: "app".into(),
        url_http: url_http.into(),
        url_ssh: String::new(),
        protocol: CloneProtocol::HttpsIam,
        path,
        login: None,
        passphrase: None,
        trusted_fingerprint: None,
    }
}

/// Runs one clone job to its end.
async fn run(services: Services, job: CloneJob) -> Result<JobOutput, JobFailure> {
    run_request(services, JobRequest::Clone(Box::new(job))).await
}

/// Runs one job to its end.
async fn run_request(services: Services, request: JobRequest) -> Result<JobOutput, JobFailure> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    manager.spawn(cctui::jobs::JobId(1), request);
    loop {
        let update = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match update.event {
            JobEvent::Finished(result) => return result,
            JobEvent::Cancelled => panic!("cancelled"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_iam_is_refused_for_hosts_that_are_neither_codecommit_nor_loopback() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "https://git.example.com/team/tool.git",
        "http://localhost.evil.com:9/v1/repos/app",
        "https://127.0.0.1.nip.io/v1/repos/app",
        "http://127.0.0.1.evil.com/v1/repos/app",
        "http://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app",
        "https://git-codecommit.eu-west-1.amazonaws.com.evil.com/v1/repos/app",
    ] {
        let path = dir.path().join("clone");
        let failure = run(services(dir.path()), job(url, None, path.clone()))
            .await
            .expect_err(url);
        assert!(
            failure.message.contains("sends no git password"),
            "{url}: {failure:?}"
        );
        assert!(
            failure
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("HTTPS Git credentials")),
            "{url}: {failure:?}"
        );
        assert!(
            !path.exists(),
            "{url}: a refused clone created its directory"
        );
    }
    // A URL the model cannot read says what to type instead.
    let failure = run(
        services(dir.path()),
        job("https://host:http/x", None, dir.path().join("x")),
    )
    .await
    .unwrap_err();
    assert!(failure.message.contains("host:port"), "{failure:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_by_name_clones_from_the_local_service_with_an_iam_password() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    support::demo_client(&service)
        .create_repository()
        .repository_name("app")
        .send()
        .await
        .unwrap();
    let seed = dir.path().join("seed");
    let push_url = support::git_url(&service, "app");
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&seed).unwrap();
        support::work_tree(&seed, "master", 2);
        support::git_ok(&seed, &["push", "-q", &push_url, "master"]);
    })
    .await
    .unwrap();

    // `localhost` is loopback by its exact name (no address prefix to match), so it gets the
    // IAM git password the local service checks.
    let url = format!("http://localhost:{}/v1/repos/app", service.port());
    let path = dir.path().join("workspace/app");
    let output = run(
        services(&dir.path().join("workspace")),
        job(&url, Some(service.endpoint()), path.clone()),
    )
    .await
    .unwrap();
    assert!(
        matches!(
            output,
            JobOutput::Clone(cctui::jobs::CloneOutput::Cloned { .. })
        ),
        "{output:?}"
    );
    assert!(path.join("file.txt").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_and_fetch_to_a_loopback_origin_sign_with_the_session_region() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    // A clone whose origin names the service by `localhost`, as `git clone` would leave it.
    let origin = format!("http://localhost:{}/v1/repos/app", service.port());
    let work = work_with_origin(&service, dir.path(), &origin, 2).await;
    let remote = |op: RemoteOp, region: Option<&str>| {
        JobRequest::Remote(Box::new(cctui::jobs::RemoteJob {
            repo: work.clone(),
            op,
            target: Target {
                profile: None,
                region: region.map(str::to_string),
                endpoint: Some(service.endpoint()),
            },
            answers: Default::default(),
        }))
    };
    let push = RemoteOp::Push {
        local_branch: "master".into(),
        remote_branch: "master".into(),
        set_upstream: true,
        force_with_lease: false,
    };

    // Loopback gets an IAM git password; its region is the session's, so without one the job
    // says so instead of asking git's credential helpers.
    let failure = run_request(services(dir.path()), remote(push.clone(), None))
        .await
        .unwrap_err();
    assert!(failure.message.contains("No AWS region"), "{failure:?}");

    let pushed = run_request(services(dir.path()), remote(push, Some(DEMO_REGION)))
        .await
        .unwrap();
    assert!(
        matches!(&pushed, JobOutput::Worktree(cctui::jobs::WorktreeOutput::RemoteDone { message, .. }) if message.contains("Pushed master")),
        "{pushed:?}"
    );
    let fetched = run_request(
        services(dir.path()),
        remote(RemoteOp::Fetch, Some(DEMO_REGION)),
    )
    .await
    .unwrap();
    assert!(
        matches!(
            fetched,
            JobOutput::Worktree(cctui::jobs::WorktreeOutput::RemoteDone { .. })
        ),
        "{fetched:?}"
    );
    let branches = support::demo_client(&service)
        .list_branches()
        .repository_name("app")
        .send()
        .await
        .unwrap();
    assert_eq!(branches.branches(), ["master"]);
}

/// Creates the repository `app` on the service and a work tree of `commits` commits whose
/// origin is `origin`.
async fn work_with_origin(
    service: &cctui::local::RunningService,
    root: &std::path::Path,
    origin: &str,
    commits: usize,
) -> std::path::PathBuf {
    support::demo_client(service)
        .create_repository()
        .repository_name("app")
        .send()
        .await
        .unwrap();
    let work = root.join("work");
    let (path, origin) = (work.clone(), origin.to_string());
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&path).unwrap();
        support::work_tree(&path, "master", commits);
        support::git_ok(&path, &["remote", "add", "origin", &origin]);
    })
    .await
    .unwrap();
    work
}

/// A clone made with HTTPS git credentials pushes with them: the IAM git password is refused
/// (these AWS keys are not the service's), the push job asks for a git login instead of
/// failing, and the same job run again with the answer pushes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_refused_with_iam_asks_for_git_credentials_and_pushes_with_them() {
    use cctui::jobs::{Answers, CloneNeed, RemoteJob, WorktreeOutput};
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("data"));
    config.git_static = Some(("dev-at-1".into(), "s3cret-git".to_string().into()));
    let service = LocalService::start(config).await.unwrap();
    let origin = format!("http://127.0.0.1:{}/v1/repos/app", service.port());
    let work = work_with_origin(&service, dir.path(), &origin, 1).await;
    // AWS keys the service does not know: their IAM git password is refused.
    let wrong_keys = Services {
        clients: Clients::with_credentials(StaticCredentials {
            access_key_id: "AKIAOTHERACCOUNT0001".into(),
            secret_access_key: "not-the-service-secret".to_string().into(),
            session_token: None,
        }),
        ..services(dir.path())
    };
    let job = RemoteJob {
        repo: work.clone(),
        op: RemoteOp::Push {
            local_branch: "master".into(),
            remote_branch: "master".into(),
            set_upstream: true,
            force_with_lease: false,
        },
        target: Target {
            profile: None,
            region: Some(DEMO_REGION.into()),
            endpoint: Some(service.endpoint()),
        },
        answers: Answers::default(),
    };
    let asked = run_request(wrong_keys.clone(), JobRequest::Remote(Box::new(job)))
        .await
        .unwrap();
    let JobOutput::Worktree(WorktreeOutput::RemoteNeeds {
        mut job,
        url,
        need: CloneNeed::Login,
    }) = asked
    else {
        panic!("expected a login question, got {asked:?}")
    };
    assert_eq!(url, origin);
    job.answers.login = Some(("dev-at-1".into(), "s3cret-git".to_string().into()));
    job.answers.login_scope = cctui::model::credential_scope(&url);
    let pushed = run_request(wrong_keys, JobRequest::Remote(job))
        .await
        .unwrap();
    assert!(
        matches!(&pushed, JobOutput::Worktree(WorktreeOutput::RemoteDone { message, .. }) if message.contains("Pushed master")),
        "{pushed:?}"
    );
    let config = std::fs::read_to_string(work.join(".git/config")).unwrap();
    assert!(
        !config.contains("s3cret-git"),
        "the password never reaches .git/config"
    );
    // Typed for another scope (another port): never sent there; asked instead.
    let elsewhere = RemoteJob {
        repo: work.clone(),
        op: RemoteOp::Fetch,
        target: Target {
            profile: None,
            region: Some(DEMO_REGION.into()),
            endpoint: Some(service.endpoint()),
        },
        answers: Answers {
            login: Some(("dev-at-1".into(), "s3cret-git".to_string().into())),
            login_scope: Some("https://127.0.0.1:1".into()),
            ..Answers::default()
        },
    };
    let wrong_keys = Services {
        clients: Clients::with_credentials(StaticCredentials {
            access_key_id: "AKIAOTHERACCOUNT0001".into(),
            secret_access_key: "not-the-service-secret".to_string().into(),
            session_token: None,
        }),
        ..services(dir.path())
    };
    let asked = run_request(wrong_keys, JobRequest::Remote(Box::new(elsewhere)))
        .await
        .unwrap();
    assert!(
        matches!(
            asked,
            JobOutput::Worktree(WorktreeOutput::RemoteNeeds {
                need: CloneNeed::Login,
                ..
            })
        ),
        "{asked:?}"
    );
}
