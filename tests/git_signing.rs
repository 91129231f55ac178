//! Signed commits: `commit.gpgsign` with `gpg.format` openpgp (a throwaway gpg key in its own
//! GNUPGHOME, reached through `gpg.program`) and ssh (a throwaway ed25519 key), for commits,
//! amends and merge commits, each checked with `git verify-commit`; a signing failure commits
//! nothing and says why.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use cctui::git::merge::{MergeOptions, merge_branch};
use cctui::git::{CommitRequest, commit};
use git_remote::*;
use local_support::*;

fn request(message: &str) -> CommitRequest {
    CommitRequest {
        message: message.to_string(),
        ..CommitRequest::default()
    }
}

fn executable(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A gpg home with a passphrase-less signing key for the repository's identity, and a
/// `gpg.program` wrapper pointing gpg at it. Returns (home, wrapper); `None` without gpg.
fn gpg_key(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let home = dir.join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let made = Command::new("gpg")
        .env("GNUPGHOME", &home)
        .args([
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Repo User <repo.user@example.com>",
            "ed25519",
            "sign",
            "never",
        ])
        .output();
    match made {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("gpg: {}", String::from_utf8_lossy(&out.stderr)),
        Err(_) => {
            eprintln!("gpg is not installed: the OpenPGP signing test is skipped");
            return None;
        }
    }
    let wrapper = dir.join("gpg-here");
    executable(
        &wrapper,
        &format!(
            "#!/bin/sh\nGNUPGHOME='{}' exec gpg \"$@\"\n",
            home.display()
        ),
    );
    Some((home, wrapper))
}

fn verify(repo: &Path, what: &str, env: &[(&str, &Path)], extra: &[&str]) -> (bool, String) {
    let mut command = Command::new("git");
    command
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(extra)
        .args(["verify-commit", "-v", what]);
    for (name, value) in env {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn openpgp_signs_commits_amends_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    let Some((home, wrapper)) = gpg_key(dir.path()) else {
        return;
    };
    git_ok(&repo, &["config", "commit.gpgsign", "true"]);
    git_ok(&repo, &["config", "gpg.program", wrapper.to_str().unwrap()]);
    let env = [("GNUPGHOME", home.as_path())];

    stage(&repo, "a.txt", "a\n");
    commit(&repo, &request("First, signed")).unwrap();
    let (ok, said) = verify(&repo, "HEAD", &env, &[]);
    assert!(ok, "{said}");
    assert!(said.contains("Good signature"), "{said}");

    stage(&repo, "b.txt", "b\n");
    commit(
        &repo,
        &CommitRequest {
            amend: true,
            ..request("First, amended and signed")
        },
    )
    .unwrap();
    assert!(verify(&repo, "HEAD", &env, &[]).0, "the amend is signed");

    // A merge commit made by cctui's merge is signed too.
    git_ok(&repo, &["checkout", "-q", "-b", "topic"]);
    cli_commit_unsigned(&repo, "t.txt", "t\n", "On topic");
    git_ok(&repo, &["checkout", "-q", "main"]);
    cli_commit_unsigned(&repo, "m.txt", "m\n", "On main");
    merge_branch(&repo, "topic", MergeOptions { no_ff: true }, &|| false).unwrap();
    assert_eq!(
        git_ok(&repo, &["rev-list", "--count", "--merges", "HEAD"]),
        "1"
    );
    let (ok, said) = verify(&repo, "HEAD", &env, &[]);
    assert!(ok, "the merge commit is signed: {said}");
    // And HEAD moved with a reflog entry, as git records it.
    assert!(git_ok(&repo, &["reflog", "-1"]).contains("merge"));
}

/// A commit by the git CLI with signing switched off for it.
fn cli_commit_unsigned(dir: &Path, file: &str, content: &str, message: &str) {
    std::fs::write(dir.join(file), content).unwrap();
    git_ok(dir, &["add", file]);
    git_ok(
        dir,
        &["-c", "commit.gpgsign=false", "commit", "-q", "-m", message],
    );
}

#[test]
fn ssh_signs_with_a_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    let key = dir.path().join("signing_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "repo.user", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    let public = std::fs::read_to_string(dir.path().join("signing_ed25519.pub")).unwrap();
    let allowed = dir.path().join("allowed_signers");
    std::fs::write(&allowed, format!("repo.user@example.com {public}")).unwrap();
    git_ok(&repo, &["config", "commit.gpgsign", "true"]);
    git_ok(&repo, &["config", "gpg.format", "ssh"]);
    git_ok(&repo, &["config", "user.signingkey", key.to_str().unwrap()]);

    stage(&repo, "a.txt", "a\n");
    commit(&repo, &request("Signed with SSH")).unwrap();
    let allowed_option = format!("gpg.ssh.allowedSignersFile={}", allowed.display());
    let (ok, said) = verify(&repo, "HEAD", &[], &["-c", &allowed_option]);
    assert!(ok, "{said}");
    assert!(said.contains("Good \"git\" signature"), "{said}");
    // No scratch file is left in .git.
    let left: Vec<_> = std::fs::read_dir(repo.join(".git"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("cctui-sign"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_signing_failure_commits_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    stage(&repo, "a.txt", "a\n");
    commit(&repo, &request("Unsigned base")).unwrap();
    let head = rev(&repo, "HEAD");
    git_ok(&repo, &["config", "commit.gpgsign", "true"]);
    git_ok(&repo, &["config", "gpg.format", "ssh"]);
    git_ok(
        &repo,
        &[
            "config",
            "user.signingkey",
            dir.path().join("no-such-key").to_str().unwrap(),
        ],
    );
    stage(&repo, "b.txt", "b\n");
    let error = commit(&repo, &request("Would be unsigned")).unwrap_err();
    let said = error.to_string();
    assert!(said.contains("signing the commit failed"), "{said}");
    assert!(said.contains("Nothing was committed"), "{said}");
    assert_eq!(rev(&repo, "HEAD"), head, "HEAD did not move");
    // The staged change is still staged.
    assert_eq!(git_ok(&repo, &["diff", "--cached", "--name-only"]), "b.txt");

    // A signing program that is not there: the same, with what to do.
    git_ok(&repo, &["config", "gpg.format", "openpgp"]);
    git_ok(&repo, &["config", "gpg.program", "/nonexistent/gpg"]);
    let said = commit(&repo, &request("Would be unsigned"))
        .unwrap_err()
        .to_string();
    assert!(said.contains("cannot be started"), "{said}");
    assert_eq!(rev(&repo, "HEAD"), head);
}
