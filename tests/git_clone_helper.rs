//! `Auth::GitCredentialHelper`: git's configured credential helper, run by libgit2's helper
//! protocol against the local service. Own test binary: libgit2's config search path is
//! process-wide, and this test points it at a temporary global config.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use cctui::git::{Auth, CloneRequest, GitError};
use cctui::local::{LocalService, ServiceConfig};
use cctui::secret::Secret;
use git_remote::*;
use local_support::*;

const PASSWORD: &str = "HelperGitPassw0rd+Secret=";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn credential_helper_gives_the_login_once_and_a_refusal_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    for level in [
        git2::ConfigLevel::Global,
        git2::ConfigLevel::XDG,
        git2::ConfigLevel::System,
        git2::ConfigLevel::ProgramData,
    ] {
        // SAFETY: set before any other libgit2 use in this process (the only test here).
        unsafe { git2::opts::set_search_path(level, &home).unwrap() };
    }
    let mut config = ServiceConfig::new(dir.path().join("data"));
    config.git_static = Some(("helper-user".into(), Secret::new(PASSWORD.into())));
    let service = LocalService::start(config).await.unwrap();
    let head = repo_with_commits(&service, "h", 2).await;

    let calls = dir.path().join("calls.log");
    let helper = dir.path().join("helper.sh");
    let write_helper = |password: &str| {
        std::fs::write(
            &helper,
            format!("#!/bin/sh\necho \"$1\" >> '{}'\ncat > /dev/null\necho username=helper-user\necho password={password}\n", calls.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let gitconfig = home.join(".gitconfig");
    std::fs::write(
        &gitconfig,
        format!("[credential]\n\thelper = {}\n", helper.display()),
    )
    .unwrap();
    let clone = |name: &str| {
        let target = dir.path().join(name);
        let request = CloneRequest {
            url: service.clone_url("h"),
            target: target.clone(),
            auth: Auth::GitCredentialHelper,
        };
        async move { (clone_blocking(request, |_| false).await.0, target) }
    };

    write_helper(PASSWORD);
    let (result, target) = clone("ok").await;
    result.unwrap();
    assert_eq!(git_ok(&target, &["rev-parse", "HEAD"]), head);
    assert_eq!(files_containing(&target, &[PASSWORD]), Vec::<String>::new());
    let gets = std::fs::read_to_string(&calls)
        .unwrap()
        .matches("get")
        .count();
    assert_eq!(gets, 1, "one helper call per clone");

    write_helper("wrong-password-from-helper");
    let attempts = service.stats().git_auth_attempts();
    let (result, target) = clone("wrong").await;
    assert!(
        matches!(&result, Err(GitError::AuthFailed { method: "git credential helper", user, .. }) if user == "helper-user"),
        "{result:?}"
    );
    assert_eq!(service.stats().git_auth_attempts() - attempts, 1);
    assert!(!target.exists());

    // No helper configured: a clear failure, no request with credentials.
    std::fs::write(&gitconfig, "").unwrap();
    let attempts = service.stats().git_auth_attempts();
    let (result, _) = clone("none").await;
    let error = result.unwrap_err();
    assert!(
        matches!(
            &error,
            GitError::AuthFailed {
                method: "git credential helper",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.hint().unwrap().contains("credential.helper"));
    assert_eq!(service.stats().git_auth_attempts(), attempts);
}
