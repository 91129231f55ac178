//! `~/.ssh/config` through the job layer, as the UI runs clone, push and fetch: `HostName`,
//! `Port`, a `Host` block for a host written with a port, `IdentitiesOnly` among an agent's
//! keys, and `Include` (a glob at the top, a file inside a `Host` block), against a real sshd
//! on 127.0.0.1. One test in its own binary: `HOME` and `SSH_AUTH_SOCK` are process-wide.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/jobs.rs"]
mod jobs;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cctui::aws::client::Target;
use cctui::config::CloneProtocol;
use cctui::jobs::{
    CloneJob, CloneOutput, JobFailure, JobOutput, JobRequest, RemoteJob, RemoteOp, WorktreeOutput,
};
use git_sshd::*;
use local_support::git_ok;

use jobs::run;

async fn clone(root: &Path, url: &str, path: &Path) -> Result<JobOutput, JobFailure> {
    let job = CloneJob {
        target: Target {
            profile: None,
            region: Some("eu-west-1".into()),
            endpoint: None,
        },
        repository: "served".into(),
        url_http: String::new(),
        url_ssh: url.into(),
        protocol: CloneProtocol::Ssh,
        path: path.to_path_buf(),
        login: None,
        passphrase: None,
        trusted_fingerprint: None,
    };
    run(root, JobRequest::Clone(Box::new(job))).await
}

async fn remote(root: &Path, work: &Path, op: RemoteOp) -> Result<JobOutput, JobFailure> {
    let job = RemoteJob {
        repo: work.to_path_buf(),
        op,
        target: Target::default(),
        answers: Default::default(),
    };
    run(root, JobRequest::Remote(Box::new(job))).await
}

fn push_master() -> RemoteOp {
    RemoteOp::Push {
        local_branch: "master".into(),
        remote_branch: "master".into(),
        set_upstream: false,
        force_with_lease: false,
    }
}

fn assert_cloned(result: &Result<JobOutput, JobFailure>, sshd: &Sshd) {
    assert!(
        matches!(result, Ok(JobOutput::Clone(CloneOutput::Cloned { .. }))),
        "{result:?}\n{}",
        sshd.log_text()
    );
}

fn assert_remote_done(result: &Result<JobOutput, JobFailure>, sshd: &Sshd) {
    assert!(
        matches!(
            result,
            Ok(JobOutput::Worktree(WorktreeOutput::RemoteDone { .. }))
        ),
        "{result:?}\n{}",
        sshd.log_text()
    );
}

struct Agent(std::process::Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An ssh-agent on `socket` holding `keys`.
fn agent_with(socket: &Path, keys: &[PathBuf]) -> Agent {
    let agent = Agent(
        Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(socket)
            .stdout(Stdio::null())
            .spawn()
            .expect("ssh-agent must be installed (openssh-client)"),
    );
    let started = Instant::now();
    while !socket.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "ssh-agent did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    for key in keys {
        let out = Command::new("ssh-add")
            .arg(key)
            .env("SSH_AUTH_SOCK", socket)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ssh-add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    agent
}

#[test]
fn ssh_config_host_name_port_identities_only_and_include_through_the_jobs() {
    git_sandbox::sandbox_libgit2_config();
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
    let right = ssh.join("right");
    keygen(&right, "");
    // A default key file the server does not know: used only if the config were ignored.
    keygen(&ssh.join("id_ed25519"), "");
    let strangers: Vec<PathBuf> = (0..7)
        .map(|n| {
            let path = ssh.join(format!("stranger{n}"));
            keygen(&path, "");
            path
        })
        .collect();
    let sshd = Sshd::start(&[right.with_extension("pub")], 2);
    std::fs::write(ssh.join("known_hosts"), sshd.known_hosts_line()).unwrap();
    let port = sshd.port;
    let user = whoami();
    let block = |extra: &str| {
        format!(
            "  HostName 127.0.0.1\n  Port {port}\n  User {user}\n  IdentityFile ~/.ssh/right\n{extra}"
        )
    };
    let config = format!(
        "Include conf.d/*.conf\n\
         Host cc-other\n  Include blocks/not-for-cc-alias\n\
         Host cc-alias\n{}\
         Host 127.0.0.1\n  User {user}\n  IdentityFile ~/.ssh/right\n\
         Host cc-only\n{}\
         Host cc-agent\n{}\
         Host cc-inner\n  Include blocks/inner\n",
        block(""),
        block("  IdentitiesOnly yes\n"),
        block(""),
    );
    std::fs::write(ssh.join("config"), config).unwrap();
    std::fs::write(
        ssh.join("conf.d/10-cc.conf"),
        format!("Host cc-glob\n{}", block("")),
    )
    .unwrap();
    std::fs::create_dir_all(ssh.join("blocks")).unwrap();
    std::fs::write(ssh.join("blocks/inner"), block("")).unwrap();
    // Inside a block that does not apply, an Include gives nothing, whatever its Host lines.
    std::fs::write(
        ssh.join("blocks/not-for-cc-alias"),
        "Host cc-alias\n  Port 1\n  User nobody\n",
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
        // A Host alias: the connection goes to HostName:Port, origin keeps the alias.
        let alias_url = "ssh://cc-alias/v1/repos/served";
        let work = root.join("alias");
        assert_cloned(&clone(&root, alias_url, &work).await, &sshd);
        assert_eq!(git_ok(&work, &["rev-parse", "HEAD"]), sshd.head);
        assert_eq!(git_ok(&work, &["remote", "get-url", "origin"]), alias_url);
        // Push and fetch through the same alias; origin/master follows the push.
        std::fs::write(work.join("new.txt"), "new\n").unwrap();
        git_ok(&work, &["add", "new.txt"]);
        git_ok(&work, &["commit", "-q", "-m", "over the alias"]);
        let pushed_head = git_ok(&work, &["rev-parse", "HEAD"]);
        assert_remote_done(&remote(&root, &work, push_master()).await, &sshd);
        let bare = sshd.dir.path().join("repo.git");
        assert_eq!(git_ok(&bare, &["rev-parse", "master"]), pushed_head);
        assert_eq!(
            git_ok(&work, &["rev-parse", "refs/remotes/origin/master"]),
            pushed_head
        );
        // Someone else pushes; the fetch job brings it to origin/master.
        let other = sshd.dir.path().join("other");
        git_ok(
            sshd.dir.path(),
            &[
                "clone",
                "-q",
                bare.to_str().unwrap(),
                other.to_str().unwrap(),
            ],
        );
        std::fs::write(other.join("theirs.txt"), "theirs\n").unwrap();
        git_ok(&other, &["add", "theirs.txt"]);
        git_ok(&other, &["commit", "-q", "-m", "theirs"]);
        git_ok(&other, &["push", "-q", "origin", "master"]);
        let theirs = git_ok(&other, &["rev-parse", "HEAD"]);
        assert_remote_done(&remote(&root, &work, RemoteOp::Fetch).await, &sshd);
        assert_eq!(
            git_ok(&work, &["rev-parse", "refs/remotes/origin/master"]),
            theirs
        );
        assert_eq!(git_ok(&work, &["remote", "get-url", "origin"]), alias_url);

        // A Host block for a host written with a port: matched on the name alone.
        let work = root.join("port");
        let port_url = format!("ssh://127.0.0.1:{port}/v1/repos/served");
        assert_cloned(&clone(&root, &port_url, &work).await, &sshd);
        assert_eq!(git_ok(&work, &["rev-parse", "HEAD"]), theirs);

        // Include: a glob at the top level, a file inside a Host block.
        for (name, alias) in [("glob", "cc-glob"), ("inner", "cc-inner")] {
            let work = root.join(name);
            let url = format!("ssh://{alias}/v1/repos/served");
            assert_cloned(&clone(&root, &url, &work).await, &sshd);
            assert_eq!(git_ok(&work, &["remote", "get-url", "origin"]), url);
        }

        // IdentitiesOnly: an agent with more wrong keys than sshd's MaxAuthTries (6) gets the
        // connection closed before the right key file is tried; with IdentitiesOnly the agent
        // is left out and the right key goes first.
        let socket = home.path().join("agent.sock");
        let _agent = agent_with(&socket, &strangers);
        // SAFETY: the job threads are idle between jobs; libssh2 reads it at connect time.
        unsafe { std::env::set_var("SSH_AUTH_SOCK", &socket) };
        let refused = clone(&root, "ssh://cc-agent/v1/repos/served", &root.join("agent")).await;
        assert!(refused.is_err(), "{refused:?}");
        assert!(!root.join("agent").exists());
        let work = root.join("only");
        assert_cloned(
            &clone(&root, "ssh://cc-only/v1/repos/served", &work).await,
            &sshd,
        );
        assert_remote_done(&remote(&root, &work, RemoteOp::Fetch).await, &sshd);
    });
}
