//! An SSH key with a passphrase and a host not yet in known_hosts, through the job layer as
//! the UI runs clone, push and fetch against a real sshd on 127.0.0.1: each operation asks
//! what it needs (trust the host once; the passphrase once per operation), and the retry with
//! the answer completes without asking again. One test in its own binary: `HOME` is
//! process-wide.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/jobs.rs"]
mod jobs;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use cctui::aws::client::Target;
use cctui::config::CloneProtocol;
use cctui::jobs::{
    CloneJob, CloneNeed, CloneOutput, JobOutput, JobRequest, RemoteJob, RemoteOp, WorktreeOutput,
};
use cctui::secret::SecretString;
use git_sshd::*;
use local_support::git_ok;

use jobs::run;

/// Runs a remote operation, answering what it asks; returns what was asked, in order.
async fn remote_answering(root: &Path, work: &Path, op: RemoteOp) -> Vec<CloneNeed> {
    let mut job = RemoteJob {
        repo: work.to_path_buf(),
        op,
        target: Target::default(),
        answers: Default::default(),
    };
    let mut asked = Vec::new();
    loop {
        match run(root, JobRequest::Remote(Box::new(job.clone()))).await {
            Ok(JobOutput::Worktree(WorktreeOutput::RemoteDone { .. })) => return asked,
            Ok(JobOutput::Worktree(WorktreeOutput::RemoteNeeds {
                job: again, need, ..
            })) => {
                assert!(asked.len() < 3, "asked too often: {asked:?}");
                job = *again;
                match &need {
                    CloneNeed::Passphrase(_) => {
                        job.answers.passphrase = Some(SecretString::new("s3cret pass".into()))
                    }
                    CloneNeed::TrustHost { fingerprint, .. } => {
                        job.answers.trusted_fingerprint = Some(fingerprint.clone())
                    }
                    CloneNeed::Login => panic!("a login for SSH"),
                }
                asked.push(need);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_passphrase_key_and_an_unknown_host_are_asked_once_per_operation() {
    git_sandbox::sandbox_libgit2_config();
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let key = ssh.join("id_ed25519");
    keygen(&key, "s3cret pass");
    let sshd = Sshd::start(&[key.with_extension("pub")], 2);
    std::fs::write(
        ssh.join("config"),
        format!(
            "Host 127.0.0.1\n  User {}\n  IdentityFile ~/.ssh/id_ed25519\n",
            whoami()
        ),
    )
    .unwrap();
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
    let root = home.path().join("work");
    std::fs::create_dir_all(&root).unwrap();
    runtime.block_on(async {
        // Clone: the unknown host first, then the passphrase, each once.
        let work = root.join("served");
        let mut job = CloneJob {
            target: Target {
                profile: None,
                region: Some("eu-west-1".into()),
                endpoint: None,
            },
            repository: "served".into(),
            url_http: String::new(),
            url_ssh: sshd.url(),
            protocol: CloneProtocol::Ssh,
            path: work.clone(),
            login: None,
            passphrase: None,
            trusted_fingerprint: None,
        };
        let mut asked = Vec::new();
        loop {
            match run(&root, JobRequest::Clone(Box::new(job.clone()))).await {
                Ok(JobOutput::Clone(CloneOutput::Cloned { .. })) => break,
                Ok(JobOutput::Clone(CloneOutput::Needs { job: again, need })) => {
                    assert!(asked.len() < 3, "asked too often: {asked:?}");
                    job = *again;
                    match &need {
                        CloneNeed::Passphrase(_) => {
                            job.passphrase = Some(SecretString::new("s3cret pass".into()))
                        }
                        CloneNeed::TrustHost { fingerprint, .. } => {
                            job.trusted_fingerprint = Some(fingerprint.clone())
                        }
                        CloneNeed::Login => panic!("a login for SSH"),
                    }
                    asked.push(need);
                }
                other => panic!("{other:?}\n{}", sshd.log_text()),
            }
        }
        assert!(
            matches!(
                asked.as_slice(),
                [CloneNeed::TrustHost { .. }, CloneNeed::Passphrase(_)]
            ),
            "{asked:?}"
        );
        assert_eq!(git_ok(&work, &["rev-parse", "HEAD"]), sshd.head);

        // Push: the host is known now; only the passphrase, once.
        std::fs::write(work.join("new.txt"), "new\n").unwrap();
        git_ok(&work, &["add", "new.txt"]);
        git_ok(&work, &["commit", "-q", "-m", "with a passphrase"]);
        let pushed = git_ok(&work, &["rev-parse", "HEAD"]);
        let push = RemoteOp::Push {
            local_branch: "master".into(),
            remote_branch: "master".into(),
            set_upstream: false,
            force_with_lease: false,
        };
        let asked = remote_answering(&root, &work, push).await;
        assert!(
            matches!(asked.as_slice(), [CloneNeed::Passphrase(path)] if path == &key),
            "{asked:?}"
        );
        let bare = sshd.dir.path().join("repo.git");
        assert_eq!(git_ok(&bare, &["rev-parse", "master"]), pushed);

        // Fetch: asked again (a new operation), once.
        let asked = remote_answering(&root, &work, RemoteOp::Fetch).await;
        assert!(
            matches!(asked.as_slice(), [CloneNeed::Passphrase(_)]),
            "{asked:?}"
        );
    });
}
