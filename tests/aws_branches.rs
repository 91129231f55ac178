//! Server-side branch operations (`cctui::aws::branches`) through the real SDK against the
//! local CodeCommit-compatible service on 127.0.0.1. The commits come from real pushes with the
//! sandboxed git CLI; nothing is mocked.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_local.rs"]
mod aws_local;
#[path = "support/local.rs"]
mod local_support;

use std::path::PathBuf;

use aws_local::AwsLocal;
use cctui::aws::branches::{self, ServerBranch, validate_server_branch_name};
use cctui::aws::error::AwsError;
use cctui::aws::repos::{self, NewRepository};
use cctui::local::ops::BRANCH_PAGE;
use local_support::{git_ok, git_url, work_tree};

/// The AWS error code of a failed call, or a panic naming what came back instead.
fn service_code<T: std::fmt::Debug>(result: Result<T, AwsError>) -> String {
    match result {
        Err(AwsError::Service { code, message }) => {
            assert!(!message.is_empty(), "{code} without a message");
            code
        }
        other => panic!("expected AwsError::Service, got {other:?}"),
    }
}

async fn create_repository(local: &AwsLocal, name: &str) {
    let client = local.client().await;
    repos::create(
        &client,
        &local.target,
        &NewRepository {
            name: name.into(),
            ..NewRepository::default()
        },
    )
    .await
    .unwrap();
}

/// Runs git in `dir` off the runtime's worker threads (the service answers on them).
async fn git_in(dir: PathBuf, args: Vec<String>) -> String {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        git_ok(&dir, &args)
    })
    .await
    .unwrap()
}

/// A repository `name` with three commits pushed on `master`; returns the commit ids, oldest
/// first, and the working tree.
async fn pushed_repository(local: &AwsLocal, name: &str) -> (Vec<String>, tempfile::TempDir) {
    create_repository(local, name).await;
    let work = tempfile::tempdir().unwrap();
    let path = work.path().to_path_buf();
    tokio::task::spawn_blocking({
        let path = path.clone();
        move || work_tree(&path, "master", 3)
    })
    .await
    .unwrap();
    let url = git_url(&local.service, name);
    git_in(
        path.clone(),
        vec!["push".into(), "-q".into(), url, "master".into()],
    )
    .await;
    let log = git_in(
        path,
        vec!["log".into(), "--reverse".into(), "--format=%H".into()],
    )
    .await;
    let commits: Vec<String> = log.lines().map(str::to_string).collect();
    assert_eq!(commits.len(), 3);
    (commits, work)
}

fn branch(name: &str, commit_id: &str, default: bool) -> ServerBranch {
    ServerBranch {
        name: name.into(),
        commit_id: commit_id.into(),
        default,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_pushed_master_becomes_the_default_and_is_listed_with_its_tip() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;

    create_repository(&local, "fresh").await;
    assert_eq!(
        repos::get(&client, t, "fresh")
            .await
            .unwrap()
            .default_branch,
        None
    );
    assert_eq!(
        branches::list_branches(&client, t, "fresh", None)
            .await
            .unwrap(),
        vec![],
        "an empty repository has no branches"
    );

    let (commits, work) = pushed_repository(&local, "pushed").await;
    let meta = repos::get(&client, t, "pushed").await.unwrap();
    assert_eq!(meta.default_branch.as_deref(), Some("master"));
    assert_eq!(
        branches::list_branches(&client, t, "pushed", meta.default_branch.as_deref())
            .await
            .unwrap(),
        vec![branch("master", &commits[2], true)]
    );

    // A second pushed branch does not take over the default, and sorts after it even though
    // its name comes first.
    let path = work.path().to_path_buf();
    git_in(
        path.clone(),
        vec!["branch".into(), "feature".into(), commits[0].clone()],
    )
    .await;
    let url = git_url(&local.service, "pushed");
    git_in(
        path,
        vec!["push".into(), "-q".into(), url, "feature".into()],
    )
    .await;
    let meta = repos::get(&client, t, "pushed").await.unwrap();
    assert_eq!(meta.default_branch.as_deref(), Some("master"));
    assert_eq!(
        branches::list_branches(&client, t, "pushed", Some("master"))
            .await
            .unwrap(),
        vec![
            branch("master", &commits[2], true),
            branch("feature", &commits[0], false)
        ]
    );
    // Without a default, plain name order.
    assert_eq!(
        branches::list_branches(&client, t, "pushed", None)
            .await
            .unwrap(),
        vec![
            branch("feature", &commits[0], false),
            branch("master", &commits[2], false)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_through_more_than_a_hundred_branches_each_with_its_commit() {
    const COUNT: usize = 250; // with master: 251 branches, three ListBranches pages of 100
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let (commits, _work) = pushed_repository(&local, "many").await;

    let mut expected = vec![branch("master", &commits[2], true)];
    for i in 0..COUNT {
        let name = format!("topic/{i:03}");
        let commit = &commits[i % 3];
        branches::create_branch(&client, t, "many", &name, commit)
            .await
            .unwrap();
        expected.push(branch(&name, commit, false));
    }

    // The service really pages by 100.
    let first = client
        .list_branches()
        .repository_name("many")
        .send()
        .await
        .unwrap();
    assert_eq!(first.branches().len(), BRANCH_PAGE);
    assert_eq!(BRANCH_PAGE, 100);
    assert!(first.next_token().is_some());

    let before = local.api_requests();
    let listed = branches::list_branches(&client, t, "many", Some("master"))
        .await
        .unwrap();
    let requests = local.api_requests() - before;
    assert_eq!(listed, expected);
    // Three ListBranches pages and one GetBranch per branch, nothing twice.
    assert_eq!(
        requests as usize,
        (COUNT + 1).div_ceil(BRANCH_PAGE) + COUNT + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_branch_from_a_commit_and_the_errors_aws_names() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let (commits, _work) = pushed_repository(&local, "repo").await;

    branches::create_branch(&client, t, "repo", "feature/one", &commits[0])
        .await
        .unwrap();
    assert_eq!(
        branches::list_branches(&client, t, "repo", Some("master"))
            .await
            .unwrap(),
        vec![
            branch("master", &commits[2], true),
            branch("feature/one", &commits[0], false)
        ]
    );

    assert_eq!(
        service_code(branches::create_branch(&client, t, "repo", "feature/one", &commits[1]).await),
        "BranchNameExistsException"
    );
    assert_eq!(
        service_code(branches::create_branch(&client, t, "repo", "master", &commits[0]).await),
        "BranchNameExistsException"
    );
    assert_eq!(
        service_code(
            branches::create_branch(&client, t, "repo", "x", &"0123456789".repeat(4)).await
        ),
        "CommitDoesNotExistException"
    );
    assert_eq!(
        service_code(branches::create_branch(&client, t, "repo", "x", "not-a-commit").await),
        "InvalidCommitIdException"
    );
    assert_eq!(
        service_code(branches::create_branch(&client, t, "repo", "a..b", &commits[0]).await),
        "InvalidBranchNameException"
    );
    assert!(validate_server_branch_name("a..b").is_err());
    assert_eq!(
        service_code(branches::create_branch(&client, t, "repo", "", &commits[0]).await),
        "BranchNameRequiredException"
    );
    assert_eq!(
        service_code(branches::create_branch(&client, t, "missing", "x", &commits[0]).await),
        "RepositoryDoesNotExistException"
    );
    assert_eq!(
        service_code(branches::list_branches(&client, t, "missing", None).await),
        "RepositoryDoesNotExistException"
    );
    // Nothing of that was created.
    assert_eq!(
        branches::list_branches(&client, t, "repo", Some("master"))
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_returns_the_commit_and_refuses_the_default_branch() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let (commits, _work) = pushed_repository(&local, "repo").await;
    branches::create_branch(&client, t, "repo", "topic", &commits[1])
        .await
        .unwrap();

    assert_eq!(
        branches::delete_branch(&client, t, "repo", "topic")
            .await
            .unwrap(),
        Some(commits[1].clone())
    );
    assert_eq!(
        branches::list_branches(&client, t, "repo", Some("master"))
            .await
            .unwrap(),
        vec![branch("master", &commits[2], true)]
    );
    // Gone already: AWS answers with success and no deleted branch.
    assert_eq!(
        branches::delete_branch(&client, t, "repo", "topic")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        service_code(branches::delete_branch(&client, t, "repo", "master").await),
        "DefaultBranchCannotBeDeletedException"
    );
    assert_eq!(
        branches::list_branches(&client, t, "repo", Some("master"))
            .await
            .unwrap(),
        vec![branch("master", &commits[2], true)],
        "the default branch is still there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_default_branch_shows_in_get_repository_and_frees_the_old_default() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let (commits, _work) = pushed_repository(&local, "repo").await;
    branches::create_branch(&client, t, "repo", "develop", &commits[0])
        .await
        .unwrap();

    branches::set_default_branch(&client, t, "repo", "develop")
        .await
        .unwrap();
    let meta = repos::get(&client, t, "repo").await.unwrap();
    assert_eq!(meta.default_branch.as_deref(), Some("develop"));
    assert_eq!(
        branches::list_branches(&client, t, "repo", meta.default_branch.as_deref())
            .await
            .unwrap(),
        vec![
            branch("develop", &commits[0], true),
            branch("master", &commits[2], false)
        ]
    );

    // The new default is protected, the old one no longer.
    assert_eq!(
        service_code(branches::delete_branch(&client, t, "repo", "develop").await),
        "DefaultBranchCannotBeDeletedException"
    );
    assert_eq!(
        branches::delete_branch(&client, t, "repo", "master")
            .await
            .unwrap(),
        Some(commits[2].clone())
    );

    assert_eq!(
        service_code(branches::set_default_branch(&client, t, "repo", "nope").await),
        "BranchDoesNotExistException"
    );
    assert_eq!(
        repos::get(&client, t, "repo")
            .await
            .unwrap()
            .default_branch
            .as_deref(),
        Some("develop")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_up_to_256_characters_work_end_to_end() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let (commits, _work) = pushed_repository(&local, "repo").await;
    // AWS counts characters, and a single part of 256 bytes is longer than a file name.
    let ascii = "a".repeat(256);
    let accents = "é".repeat(256);
    let split = format!("{}/{}", "b".repeat(128), "c".repeat(127));
    for name in [&ascii, &accents, &split] {
        branches::create_branch(&client, t, "repo", name, &commits[1])
            .await
            .unwrap();
    }
    let listed = branches::list_branches(&client, t, "repo", Some("master"))
        .await
        .unwrap();
    assert_eq!(
        listed,
        vec![
            branch("master", &commits[2], true),
            branch(&ascii, &commits[1], false),
            branch(&split, &commits[1], false),
            branch(&accents, &commits[1], false),
        ]
    );
    assert_eq!(
        service_code(branches::create_branch(&client, t, "repo", &ascii, &commits[0]).await),
        "BranchNameExistsException"
    );
    assert_eq!(
        service_code(
            branches::create_branch(&client, t, "repo", &"a".repeat(257), &commits[0]).await
        ),
        "InvalidBranchNameException"
    );
    // A long name can be the default branch, and back.
    branches::set_default_branch(&client, t, "repo", &ascii)
        .await
        .unwrap();
    assert_eq!(
        repos::get(&client, t, "repo").await.unwrap().default_branch,
        Some(ascii.clone())
    );
    assert_eq!(
        service_code(branches::delete_branch(&client, t, "repo", &ascii).await),
        "DefaultBranchCannotBeDeletedException"
    );
    branches::set_default_branch(&client, t, "repo", "master")
        .await
        .unwrap();
    for name in [&ascii, &accents] {
        assert_eq!(
            branches::delete_branch(&client, t, "repo", name)
                .await
                .unwrap(),
            Some(commits[1].clone())
        );
    }
    assert_eq!(
        branches::list_branches(&client, t, "repo", Some("master"))
            .await
            .unwrap(),
        vec![
            branch("master", &commits[2], true),
            branch(&split, &commits[1], false)
        ]
    );
    // The client-side check is stricter for single parts over 255 bytes (a clone could not
    // store them), and agrees with the split name.
    assert!(validate_server_branch_name(&ascii).is_err());
    assert_eq!(validate_server_branch_name(&split), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branch_tip_is_none_for_a_branch_that_is_gone() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let (commits, _work) = pushed_repository(&local, "repo").await;
    assert_eq!(
        branches::branch_tip(&client, t, "repo", "master")
            .await
            .unwrap(),
        Some(commits[2].clone())
    );
    // What list_branches relies on to skip a branch deleted between ListBranches and GetBranch.
    assert_eq!(
        branches::branch_tip(&client, t, "repo", "ghost")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        service_code(branches::branch_tip(&client, t, "missing", "master").await),
        "RepositoryDoesNotExistException"
    );
}
