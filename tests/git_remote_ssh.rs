//! Fetch, push and pull over SSH against a throwaway `sshd` on 127.0.0.1 (the clone tests'
//! server): the same bounded key callback and known_hosts check as the clone.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};

use cctui::git::{Auth, GitError, PullOutcome, PushRequest, fetch, pull, push};
use git_remote::*;
use git_sshd::*;
use local_support::*;

fn ssh_auth(key: &Path, known_hosts: &Path) -> Auth {
    Auth::Ssh {
        user: whoami(),
        key_files: vec![key.to_path_buf()],
        passphrase: None,
        use_agent: false,
        known_hosts: known_hosts.to_path_buf(),
        trusted_fingerprint: None,
        connect_to: None,
    }
}

/// sshd with one authorized key, a known_hosts file for it, and an empty local repository
/// whose origin is the server.
fn setup(dir: &Path) -> (Sshd, PathBuf, PathBuf, PathBuf) {
    let key = dir.join("id_ed25519");
    keygen(&key, "");
    let sshd = Sshd::start(&[key.with_extension("pub")], 2);
    let known_hosts = dir.join("known_hosts");
    std::fs::write(&known_hosts, sshd.known_hosts_line()).unwrap();
    let work = dir.join("work");
    repo_init(&work);
    git_ok(&work, &["remote", "add", "origin", &sshd.url()]);
    (sshd, key, known_hosts, work)
}

#[test]
fn ssh_fetch_push_and_pull() {
    let dir = tempfile::tempdir().unwrap();
    let (sshd, key, known_hosts, work) = setup(dir.path());
    let bare = sshd.dir.path().join("repo.git");

    let outcome = fetch(
        &work,
        "origin",
        ssh_auth(&key, &known_hosts),
        false,
        &mut |_| true,
    )
    .unwrap_or_else(|e| panic!("{e:?}\n{}", sshd.log_text()));
    assert_eq!(outcome.updated_refs, 1);
    assert_eq!(rev(&work, "refs/remotes/origin/master"), sshd.head);

    git_ok(
        &work,
        &["checkout", "-q", "-b", "master", "--track", "origin/master"],
    );
    let tip = cli_commit(&work, "ssh.txt", "over ssh\n", "pushed over ssh");
    let request = PushRequest {
        remote: "origin".to_string(),
        local_branch: "master".to_string(),
        remote_branch: "master".to_string(),
        set_upstream: false,
        force_with_lease: false,
        auth: ssh_auth(&key, &known_hosts),
    };
    push(&work, &request, &mut |_| true).unwrap_or_else(|e| panic!("{e:?}\n{}", sshd.log_text()));
    assert_eq!(rev(&bare, "refs/heads/master"), tip);

    // Someone commits on the server side; pull fast-forwards.
    let other = dir.path().join("other");
    git_ok(
        dir.path(),
        &[
            "clone",
            "-q",
            bare.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    let theirs = cli_commit(&other, "theirs.txt", "t\n", "theirs");
    git_ok(&other, &["push", "-q", "origin", "master"]);
    let outcome = pull(&work, "origin", ssh_auth(&key, &known_hosts), &mut |_| true).unwrap();
    assert_eq!(
        outcome,
        PullOutcome::FastForward {
            from: tip,
            to: theirs.clone()
        }
    );
    assert_eq!(rev(&work, "HEAD"), theirs);
}

#[test]
fn ssh_push_to_an_unknown_host_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (sshd, key, _known_hosts, work) = setup(dir.path());
    let bare = sshd.dir.path().join("repo.git");
    let empty_known_hosts = dir.path().join("empty_known_hosts");
    std::fs::write(&empty_known_hosts, "").unwrap();
    cli_commit(&work, "x.txt", "x\n", "x");
    let request = PushRequest {
        remote: "origin".to_string(),
        local_branch: "main".to_string(),
        remote_branch: "main".to_string(),
        set_upstream: true,
        force_with_lease: false,
        auth: ssh_auth(&key, &empty_known_hosts),
    };
    let error = push(&work, &request, &mut |_| true).unwrap_err();
    let GitError::UnknownHostKey { host, fingerprint } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(host, &format!("127.0.0.1:{}", sshd.port));
    assert_eq!(fingerprint, &ssh_keygen_fingerprint(&sshd.host_pub));
    assert_eq!(try_rev(&bare, "refs/heads/main"), None);
    assert_eq!(std::fs::read_to_string(&empty_known_hosts).unwrap(), "");

    // Trusting that fingerprint for this operation lets the push through and records the key.
    let trusted = PushRequest {
        auth: Auth::Ssh {
            user: whoami(),
            key_files: vec![key.clone()],
            passphrase: None,
            use_agent: false,
            known_hosts: empty_known_hosts.clone(),
            connect_to: None,
            trusted_fingerprint: Some(fingerprint.clone()),
        },
        ..request
    };
    push(&work, &trusted, &mut |_| true).unwrap();
    assert_eq!(rev(&bare, "refs/heads/main"), rev(&work, "main"));
    assert!(
        !std::fs::read_to_string(&empty_known_hosts)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn ssh_refused_key_is_tried_once() {
    let dir = tempfile::tempdir().unwrap();
    let (sshd, _key, known_hosts, work) = setup(dir.path());
    let stranger = dir.path().join("stranger");
    keygen(&stranger, "");
    let before = sshd.failed_publickey();
    let error = fetch(
        &work,
        "origin",
        ssh_auth(&stranger, &known_hosts),
        false,
        &mut |_| true,
    )
    .unwrap_err();
    assert!(
        matches!(&error, GitError::AuthFailed { method: "SSH", .. }),
        "{error:?}"
    );
    // sshd logs the refusal asynchronously.
    let started = std::time::Instant::now();
    while sshd.failed_publickey() == before && started.elapsed().as_secs() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Time for a second refusal to show, if there were one.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(sshd.failed_publickey() - before, 1);
}
