//! Identity from the environment and the role-specific configuration, as git decides it. Own
//! test binary with a single test: it sets process environment variables.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use cctui::git::{CommitRequest, GitError, commit};
use git_remote::*;
use local_support::*;

fn set(key: &str, value: Option<&str>) {
    // SAFETY: the only test of this binary; nothing else reads the environment meanwhile.
    unsafe {
        match value {
            Some(value) => std::env::set_var(key, value),
            None => std::env::remove_var(key),
        }
    }
}

fn commit_now(repo: &std::path::Path, n: usize) -> Result<String, GitError> {
    stage(repo, &format!("f{n}.txt"), "x\n");
    commit(
        repo,
        &CommitRequest {
            message: format!("commit {n}"),
            ..CommitRequest::default()
        },
    )
    .map(|c| c.id)
}

fn who(repo: &std::path::Path) -> String {
    git_ok(repo, &["log", "-1", "--format=%an <%ae>|%cn <%ce>"])
}

#[test]
fn identity_follows_gits_order() {
    for key in [
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ] {
        set(key, None);
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);

    commit_now(&repo, 0).unwrap();
    assert_eq!(
        who(&repo),
        "Repo User <repo.user@example.com>|Repo User <repo.user@example.com>"
    );

    // Role-specific configuration beats user.*.
    git_ok(&repo, &["config", "author.name", "Config Author"]);
    git_ok(&repo, &["config", "committer.email", "ci@example.com"]);
    commit_now(&repo, 1).unwrap();
    assert_eq!(
        who(&repo),
        "Config Author <repo.user@example.com>|Repo User <ci@example.com>"
    );

    // The environment beats the configuration, per role.
    set("GIT_AUTHOR_NAME", Some("Env Author"));
    set("GIT_AUTHOR_EMAIL", Some("env.author@example.com"));
    set("GIT_COMMITTER_NAME", Some("Env Committer"));
    commit_now(&repo, 2).unwrap();
    assert_eq!(
        who(&repo),
        "Env Author <env.author@example.com>|Env Committer <ci@example.com>"
    );
    for key in ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME"] {
        set(key, None);
    }

    // EMAIL is the last resort for the email only.
    for key in ["author.name", "committer.email", "user.email"] {
        git_ok(&repo, &["config", "--unset", key]);
    }
    let error = commit_now(&repo, 3).unwrap_err();
    assert!(
        matches!(
            error,
            GitError::MissingIdentity {
                missing: "user.email"
            }
        ),
        "{error:?}"
    );
    set("EMAIL", Some("from.env@example.com"));
    commit_now(&repo, 3).unwrap();
    assert_eq!(
        who(&repo),
        "Repo User <from.env@example.com>|Repo User <from.env@example.com>"
    );
    set("EMAIL", None);
}
