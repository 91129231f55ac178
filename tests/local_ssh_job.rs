//! cctui's own clone and push jobs (libgit2 over SSH, as the UI runs them) against the local
//! service's SSH endpoint, with the SSH key ID in the URL
//! (`ssh://APKA…@127.0.0.1:PORT/v1/repos/x`): the unknown host key is asked about with the
//! fingerprint the service printed, then trusted, cloned and pushed. One test in its own
//! binary: `HOME` (where `~/.ssh` is read) is process-wide.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/jobs.rs"]
mod jobs;
#[path = "support/local.rs"]
mod local_support;

use cctui::aws::client::Target;
use cctui::config::CloneProtocol;
use cctui::jobs::{
    CloneJob, CloneNeed, CloneOutput, JobOutput, JobRequest, RemoteJob, RemoteOp, WorktreeOutput,
};
use cctui::local::{LocalService, ServiceConfig, SshAuthorizer};
use local_support::git_ok;

const KEY_ID: &str = "APKAEIBAERJR2EXAMPLE";

use jobs::run;

#[test]
fn the_clone_and_push_jobs_work_over_the_local_ssh_endpoint_with_the_key_id_in_the_url() {
    git_sandbox::sandbox_libgit2_config();
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    // The default identity file: what the job finds with no ~/.ssh/config.
    let key = ssh.join("id_ed25519");
    git_sshd::keygen(&key, "");
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut fields = public.split_whitespace();
    let (key_type, key_base64) = (
        fields.next().unwrap().to_string(),
        fields.next().unwrap().to_string(),
    );
    // SAFETY: the only test in this binary, before any thread that reads the environment.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::remove_var("SSH_AUTH_SOCK");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = ServiceConfig::new(home.path().join("data"));
        config.ssh_port = Some(0);
        config.ssh_authorizer = Some(SshAuthorizer::new(move |user, t, b| {
            user == KEY_ID && t == key_type && b == key_base64
        }));
        let service = LocalService::start(config).await.unwrap();
        let api = local_support::demo_client(&service);
        api.create_repository()
            .repository_name("x")
            .send()
            .await
            .unwrap();
        let port = service.ssh_port().unwrap();
        let url = format!("ssh://{KEY_ID}@127.0.0.1:{port}/v1/repos/x");
        let root = home.path().join("work");
        let work = root.join("x");
        let mut job = CloneJob {
            target: Target {
                profile: None,
                region: Some(cctui::local::DEMO_REGION.into()),
                endpoint: Some(service.endpoint()),
            },
            repository: "x".into(),
            url_http: service.clone_url("x"),
            url_ssh: url.clone(),
            protocol: CloneProtocol::Ssh,
            path: work.clone(),
            login: None,
            passphrase: None,
            trusted_fingerprint: None,
        };

        // First contact: the job asks about the host key the service printed.
        let asked = run(&root, JobRequest::Clone(Box::new(job.clone()))).await;
        let fingerprint = match asked {
            Ok(JobOutput::Clone(CloneOutput::Needs {
                need: CloneNeed::TrustHost { fingerprint, .. },
                ..
            })) => fingerprint,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            Some(fingerprint.as_str()),
            service.ssh_host_key_fingerprint()
        );
        job.trusted_fingerprint = Some(fingerprint);
        let cloned = run(&root, JobRequest::Clone(Box::new(job))).await;
        assert!(
            matches!(cloned, Ok(JobOutput::Clone(CloneOutput::Cloned { .. }))),
            "{cloned:?}"
        );
        assert_eq!(git_ok(&work, &["remote", "get-url", "origin"]), url);

        // Commit and push with the push job; the service has the commit at once.
        std::fs::write(work.join("a.txt"), "a\n").unwrap();
        git_ok(&work, &["add", "a.txt"]);
        git_ok(&work, &["commit", "-q", "-m", "pushed by the job"]);
        let head = git_ok(&work, &["rev-parse", "HEAD"]);
        let push = RemoteJob {
            repo: work.clone(),
            op: RemoteOp::Push {
                local_branch: "master".into(),
                remote_branch: "master".into(),
                set_upstream: true,
                force_with_lease: false,
            },
            target: Target::default(),
            answers: Default::default(),
        };
        let pushed = run(&root, JobRequest::Remote(Box::new(push))).await;
        assert!(
            matches!(
                pushed,
                Ok(JobOutput::Worktree(WorktreeOutput::RemoteDone { .. }))
            ),
            "{pushed:?}"
        );
        let branch = api
            .get_branch()
            .repository_name("x")
            .branch_name("master")
            .send()
            .await
            .unwrap();
        assert_eq!(
            branch.branch().and_then(|b| b.commit_id()),
            Some(head.as_str())
        );
    });
}
