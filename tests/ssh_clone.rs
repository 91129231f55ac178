//! `cctui::git::clone` over SSH against a real `sshd` on 127.0.0.1: key files, passphrases,
//! known_hosts (hashed by ssh-keygen), unknown and changed host keys, refused keys.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};

use cctui::git::{Auth, CloneRequest, GitError};
use cctui::secret::SecretString;
use git_sshd::*;
use local_support::git_ok;

fn ssh_auth(
    keys: &[&Path],
    passphrase: Option<&str>,
    known_hosts: &Path,
    trusted: Option<String>,
) -> Auth {
    Auth::Ssh {
        user: whoami(),
        key_files: keys.iter().map(|k| k.to_path_buf()).collect(),
        passphrase: passphrase.map(|p| SecretString::new(p.to_string())),
        use_agent: false,
        known_hosts: known_hosts.to_path_buf(),
        trusted_fingerprint: trusted,
        connect_to: None,
    }
}

fn clone(url: &str, target: &Path, auth: Auth) -> Result<(), GitError> {
    let request = CloneRequest {
        url: url.to_string(),
        target: target.to_path_buf(),
        auth,
    };
    cctui::git::clone(&request, &mut |_| true)
}

fn pub_of(key: &Path) -> PathBuf {
    key.with_extension("pub")
}

#[test]
fn key_file_clone_with_a_hashed_known_hosts_entry() {
    git_sandbox::sandbox_libgit2_config();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    keygen(&key, "");
    let sshd = Sshd::start(&[pub_of(&key)], 3);
    let known_hosts = keys.path().join("known_hosts");
    std::fs::write(&known_hosts, sshd.known_hosts_line()).unwrap();
    let out = std::process::Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(&known_hosts)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&known_hosts)
            .unwrap()
            .starts_with("|1|"),
        "hashed by ssh-keygen"
    );

    let target = keys.path().join("clone");
    clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&key], None, &known_hosts, None),
    )
    .unwrap_or_else(|e| panic!("{e:?}\n{}", sshd.log_text()));
    assert_eq!(git_ok(&target, &["rev-parse", "HEAD"]), sshd.head);
    let origin = git2::Repository::open(&target)
        .unwrap()
        .find_remote("origin")
        .unwrap()
        .url()
        .unwrap()
        .to_string();
    assert_eq!(origin, sshd.url());
}

#[test]
fn unknown_host_key_is_reported_then_trusted_and_remembered() {
    git_sandbox::sandbox_libgit2_config();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    keygen(&key, "");
    let sshd = Sshd::start(&[pub_of(&key)], 2);
    let known_hosts = keys.path().join("ssh/known_hosts"); // does not exist yet
    let target = keys.path().join("clone");

    let error = clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&key], None, &known_hosts, None),
    )
    .unwrap_err();
    let expected = ssh_keygen_fingerprint(&sshd.host_pub);
    match &error {
        GitError::UnknownHostKey { host, fingerprint } => {
            assert_eq!(host, &format!("127.0.0.1:{}", sshd.port));
            assert_eq!(fingerprint, &expected, "same as ssh-keygen -l");
        }
        other => panic!("expected UnknownHostKey, got {other:?}"),
    }
    assert!(error.hint().is_some());
    assert!(!target.exists());
    assert_eq!(
        sshd.failed_publickey(),
        0,
        "no key offered to an unverified host"
    );

    // A different fingerprint does not open the door.
    let wrong = clone(
        &sshd.url(),
        &target,
        ssh_auth(
            &[&key],
            None,
            &known_hosts,
            Some("SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()),
        ),
    );
    assert!(
        matches!(wrong, Err(GitError::UnknownHostKey { .. })),
        "{wrong:?}"
    );

    clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&key], None, &known_hosts, Some(expected)),
    )
    .unwrap();
    assert_eq!(git_ok(&target, &["rev-parse", "HEAD"]), sshd.head);
    // Remembered in known_hosts: the next clone needs no trust, and ssh-keygen finds the entry.
    let again = keys.path().join("again");
    clone(
        &sshd.url(),
        &again,
        ssh_auth(&[&key], None, &known_hosts, None),
    )
    .unwrap();
    let out = std::process::Command::new("ssh-keygen")
        .args(["-F", &format!("[127.0.0.1]:{}", sshd.port), "-f"])
        .arg(&known_hosts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen -F finds the recorded host"
    );
}

#[test]
fn a_changed_host_key_is_refused() {
    git_sandbox::sandbox_libgit2_config();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    keygen(&key, "");
    let other = keys.path().join("other_host");
    keygen(&other, "");
    let sshd = Sshd::start(&[pub_of(&key)], 1);
    let public = std::fs::read_to_string(pub_of(&other)).unwrap();
    let mut fields = public.split_whitespace();
    let known_hosts = keys.path().join("known_hosts");
    std::fs::write(
        &known_hosts,
        format!(
            "[127.0.0.1]:{} {} {}\n",
            sshd.port,
            fields.next().unwrap(),
            fields.next().unwrap()
        ),
    )
    .unwrap();
    let target = keys.path().join("clone");
    let fingerprint = ssh_keygen_fingerprint(&sshd.host_pub);
    // Even a "trusted" fingerprint does not override a changed key.
    let result = clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&key], None, &known_hosts, Some(fingerprint.clone())),
    );
    assert!(
        matches!(&result, Err(GitError::HostKeyMismatch { fingerprint: f, .. }) if *f == fingerprint),
        "{result:?}"
    );
    assert!(!target.exists());
}

#[test]
fn passphrase_protected_key_missing_wrong_and_right() {
    git_sandbox::sandbox_libgit2_config();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_locked");
    keygen(&key, "correct horse battery");
    assert!(cctui::git::auth::key_is_encrypted(
        &std::fs::read(&key).unwrap()
    ));
    let plain = keys.path().join("id_plain");
    keygen(&plain, "");
    assert!(!cctui::git::auth::key_is_encrypted(
        &std::fs::read(&plain).unwrap()
    ));
    let sshd = Sshd::start(&[pub_of(&key)], 2);
    let known_hosts = keys.path().join("known_hosts");
    std::fs::write(&known_hosts, sshd.known_hosts_line()).unwrap();
    let target = keys.path().join("clone");

    for passphrase in [None, Some("wrong passphrase")] {
        let result = clone(
            &sshd.url(),
            &target,
            ssh_auth(&[&key], passphrase, &known_hosts, None),
        );
        assert!(
            matches!(&result, Err(GitError::PassphraseNeeded { key: k }) if *k == key),
            "{passphrase:?}: {result:?}"
        );
        assert!(!target.exists());
    }
    // An unlocked key that is not authorized, then the locked one without passphrase: the
    // answer is still "passphrase needed", naming the locked key.
    let result = clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&plain, &key], None, &known_hosts, None),
    );
    assert!(
        matches!(&result, Err(GitError::PassphraseNeeded { key: k }) if *k == key),
        "{result:?}"
    );

    clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&key], Some("correct horse battery"), &known_hosts, None),
    )
    .unwrap_or_else(|e| panic!("{e:?}\n{}", sshd.log_text()));
    assert_eq!(git_ok(&target, &["rev-parse", "HEAD"]), sshd.head);
}

#[test]
fn refused_keys_fail_once_each_naming_the_user() {
    git_sandbox::sandbox_libgit2_config();
    let keys = tempfile::tempdir().unwrap();
    let authorized = keys.path().join("id_authorized");
    keygen(&authorized, "");
    let (a, b) = (keys.path().join("id_a"), keys.path().join("id_b"));
    keygen(&a, "");
    keygen(&b, "");
    let sshd = Sshd::start(&[pub_of(&authorized)], 1);
    let known_hosts = keys.path().join("known_hosts");
    std::fs::write(&known_hosts, sshd.known_hosts_line()).unwrap();
    let target = keys.path().join("clone");
    let result = clone(
        &sshd.url(),
        &target,
        ssh_auth(&[&a, &b], None, &known_hosts, None),
    );
    match &result {
        Err(
            error @ GitError::AuthFailed {
                method: "SSH",
                user,
                ..
            },
        ) => {
            assert_eq!(user, &whoami());
            assert!(error.hint().unwrap().contains("SSH key ID"));
        }
        other => panic!("expected AuthFailed, got {other:?}"),
    }
    assert!(!target.exists());
    std::thread::sleep(std::time::Duration::from_millis(200)); // let sshd flush its log
    let failed = sshd.failed_publickey();
    println!("sshd refused {failed} public key attempts");
    assert!(
        (1..=2).contains(&failed),
        "each key at most once: {failed}\n{}",
        sshd.log_text()
    );
}
