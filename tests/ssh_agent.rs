//! `cctui::git::clone` over SSH with keys from a real `ssh-agent`. Alone in its own test binary
//! (own process): `SSH_AUTH_SOCK` is process-wide and libssh2 reads it from the environment.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/local.rs"]
mod local_support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cctui::git::{Auth, CloneRequest, GitError};
use git_sshd::*;
use local_support::git_ok;

struct Agent(std::process::Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn clone_with_keys_from_ssh_agent_and_fail_once_when_it_has_none_that_fit() {
    git_sandbox::sandbox_libgit2_config();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_agent");
    keygen(&key, "");
    let stranger = keys.path().join("id_stranger");
    keygen(&stranger, "");
    let sshd = Sshd::start(&[key.with_extension("pub")], 2);
    let known_hosts = keys.path().join("known_hosts");
    std::fs::write(&known_hosts, sshd.known_hosts_line()).unwrap();

    let socket = keys.path().join("agent.sock");
    let agent = Agent(
        Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
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
    let add = |path: &std::path::Path| {
        let out = Command::new("ssh-add")
            .arg(path)
            .env("SSH_AUTH_SOCK", &socket)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ssh-add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("SSH_AUTH_SOCK", &socket) };

    let auth = Auth::Ssh {
        user: whoami(),
        key_files: Vec::new(),
        passphrase: None,
        use_agent: true,
        known_hosts: known_hosts.clone(),
        trusted_fingerprint: None,
        connect_to: None,
    };
    let clone = |target: &std::path::Path| {
        let request = CloneRequest {
            url: sshd.url(),
            target: target.to_path_buf(),
            auth: auth.clone(),
        };
        cctui::git::clone(&request, &mut |_| true)
    };

    // Only a key the server does not accept: one agent attempt, then a named failure.
    add(&stranger);
    let target = keys.path().join("clone");
    let result = clone(&target);
    assert!(
        matches!(&result, Err(GitError::AuthFailed { method: "SSH", .. })),
        "{result:?}\n{}",
        sshd.log_text()
    );
    assert!(!target.exists());

    add(&key);
    clone(&target).unwrap_or_else(|e| panic!("{e:?}\n{}", sshd.log_text()));
    assert_eq!(git_ok(&target, &["rev-parse", "HEAD"]), sshd.head);
    drop(agent);
}
