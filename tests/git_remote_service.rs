//! Push, fetch and pull over HTTP against the local CodeCommit service on 127.0.0.1 with IAM
//! credentials (`Auth::Iam` and the demo keys): real git smart HTTP, real SigV4 git passwords,
//! computed per operation and never written to disk. What the service holds is read back with
//! the git CLI through its own authenticated URL.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cctui::aws::git_password::AwsKeys;
use cctui::git::{
    Auth, CommitRequest, GitError, PullOutcome, PushRequest, TransferProgress, ahead_behind,
    commit, fetch, pull, push,
};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, RunningService,
    ServiceConfig,
};
use cctui::secret::SecretString;
use git_remote::*;
use local_support::*;

async fn start(dir: &Path) -> RunningService {
    LocalService::start(ServiceConfig::new(dir.join("data")))
        .await
        .unwrap()
}

/// A working tree at `dir/name` whose `origin` is the service's clean URL of `repository`,
/// with nothing fetched yet.
fn local_repo(dir: &Path, name: &str, service: &RunningService, repository: &str) -> PathBuf {
    let path = dir.join(name);
    repo_init(&path);
    git_ok(
        &path,
        &["remote", "add", "origin", &service.clone_url(repository)],
    );
    path
}

/// The service's `refs/heads/<branch>`, read with the git CLI.
fn remote_head(service: &RunningService, repository: &str, branch: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = git_ok(
        dir.path(),
        &[
            "ls-remote",
            &git_url(service, repository),
            &format!("refs/heads/{branch}"),
        ],
    );
    out.split_whitespace().next().map(str::to_string)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_fetch_then_commit_and_push_a_new_branch_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let head = repo_with_commits(&service, "demo", 3).await;
    let work = local_repo(dir.path(), "work", &service, "demo");

    let (outcome, seen) = blocking({
        let work = work.clone();
        move || {
            let mut seen = Vec::new();
            let outcome = fetch(&work, "origin", demo_iam(), false, &mut recorder(&mut seen));
            (outcome, seen)
        }
    })
    .await;
    assert_eq!(outcome.unwrap().updated_refs, 1);
    assert_eq!(rev(&work, "refs/remotes/origin/master"), head);
    // Every phase is reported with its totals, even one shorter than a report interval, and
    // phases only move forward.
    assert!(
        seen.iter().any(|p| matches!(p, TransferProgress::Objects { current, total, bytes } if *total > 0 && current == total && *bytes > 0)),
        "{seen:?}"
    );
    let phase = |p: &TransferProgress| match p {
        TransferProgress::Connecting => 0,
        TransferProgress::Objects { .. } => 1,
        TransferProgress::Deltas { .. } => 2,
        other => panic!("not a fetch phase: {other:?}"),
    };
    assert!(
        seen.windows(2).all(|w| phase(&w[0]) <= phase(&w[1])),
        "{seen:?}"
    );

    git_ok(&work, &["checkout", "-q", "-b", "feature", "origin/master"]);
    stage(&work, "feature.txt", "new\n");
    let pushed = blocking({
        let work = work.clone();
        move || {
            let id = commit(
                &work,
                &CommitRequest {
                    message: "feature".to_string(),
                    ..CommitRequest::default()
                },
            )
            .unwrap()
            .id;
            let request = PushRequest {
                remote: "origin".to_string(),
                local_branch: "feature".to_string(),
                remote_branch: "feature".to_string(),
                set_upstream: true,
                force_with_lease: false,
                auth: demo_iam(),
            };
            let mut seen = Vec::new();
            push(&work, &request, &mut recorder(&mut seen)).unwrap();
            assert_eq!(seen.first(), Some(&TransferProgress::Connecting));
            id
        }
    })
    .await;

    assert_eq!(
        remote_head(&service, "demo", "feature").as_deref(),
        Some(pushed.as_str())
    );
    assert_eq!(
        remote_head(&service, "demo", "master").as_deref(),
        Some(head.as_str())
    );
    assert_eq!(rev(&work, "refs/remotes/origin/feature"), pushed);
    assert_eq!(ahead_behind(&work).unwrap(), Some((0, 0)));
    assert_eq!(
        git_ok(&work, &["rev-parse", "--abbrev-ref", "@{upstream}"]),
        "origin/feature"
    );

    // The remote stays the clean URL and no secret reaches the disk.
    assert_eq!(origin_url(&work), service.clone_url("demo"));
    assert!(file_count(&work) > 10);
    assert_eq!(
        files_containing(&work, &[DEMO_SECRET_ACCESS_KEY]),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_push_rejected_then_pull_merges_then_push_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    repo_with_commits(&service, "team", 2).await;
    let work = local_repo(dir.path(), "work", &service, "team");
    let other = dir.path().join("other");

    let work2 = work.clone();
    blocking(move || {
        fetch(&work2, "origin", demo_iam(), false, &mut |_| true).unwrap();
    })
    .await;
    git_ok(
        &work,
        &["checkout", "-q", "-b", "master", "--track", "origin/master"],
    );

    // Someone else pushes first.
    git_ok(
        dir.path(),
        &[
            "clone",
            "-q",
            &git_url(&service, "team"),
            other.to_str().unwrap(),
        ],
    );
    let theirs = cli_commit(&other, "theirs.txt", "theirs\n", "theirs");
    git_ok(&other, &["push", "-q", "origin", "master"]);
    let ours = cli_commit(&work, "ours.txt", "ours\n", "ours");

    let request = PushRequest {
        remote: "origin".to_string(),
        local_branch: "master".to_string(),
        remote_branch: "master".to_string(),
        set_upstream: false,
        force_with_lease: false,
        auth: demo_iam(),
    };
    let (work2, request2) = (work.clone(), request.clone());
    let rejected = blocking(move || push(&work2, &request2, &mut |_| true)).await;
    assert!(
        matches!(&rejected, Err(GitError::PushRejected { hint, .. }) if hint == "fetch and merge first"),
        "{rejected:?}"
    );
    assert_eq!(
        remote_head(&service, "team", "master").as_deref(),
        Some(theirs.as_str())
    );
    assert_eq!(rev(&work, "HEAD"), ours);

    let work2 = work.clone();
    let pulled = blocking(move || pull(&work2, "origin", demo_iam(), &mut |_| true)).await;
    let PullOutcome::Merged { commit: merge } = pulled.unwrap() else {
        panic!("expected a merge");
    };
    assert_eq!(
        git_ok(&work, &["log", "-1", "--format=%P"]),
        format!("{ours} {theirs}")
    );
    assert_eq!(ahead_behind(&work).unwrap(), Some((2, 0)));

    let work2 = work.clone();
    blocking(move || push(&work2, &request, &mut |_| true).unwrap()).await;
    assert_eq!(
        remote_head(&service, "team", "master").as_deref(),
        Some(merge.as_str())
    );
    assert_eq!(ahead_behind(&work).unwrap(), Some((0, 0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_iam_keys_fail_once_with_the_method_named() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let head = repo_with_commits(&service, "locked", 1).await;
    let work = local_repo(dir.path(), "work", &service, "locked");
    let wrong = Auth::Iam {
        keys: AwsKeys {
            access_key_id: DEMO_ACCESS_KEY_ID.to_string(),
            secret_access_key: SecretString::new("NotTheSecretKeyAtAll".to_string()),
            session_token: None,
        },
        region: DEMO_REGION.to_string(),
    };
    let attempts = service.stats().git_auth_attempts();
    let (work2, auth) = (work.clone(), wrong.clone());
    let result = blocking(move || fetch(&work2, "origin", auth, false, &mut |_| true)).await;
    assert!(
        matches!(&result, Err(GitError::AuthFailed { method: "IAM", user, .. }) if user == DEMO_ACCESS_KEY_ID),
        "{result:?}"
    );
    assert_eq!(
        service.stats().git_auth_attempts() - attempts,
        1,
        "bounded: one try"
    );
    assert_eq!(try_rev(&work, "refs/remotes/origin/master"), None);

    // Push with the wrong keys: refused, hint about pushing, nothing changed remotely.
    cli_commit(&work, "x.txt", "x\n", "x");
    let request = PushRequest {
        remote: "origin".to_string(),
        local_branch: "main".to_string(),
        remote_branch: "main".to_string(),
        set_upstream: true,
        force_with_lease: false,
        auth: wrong,
    };
    let work2 = work.clone();
    let result = blocking(move || push(&work2, &request, &mut |_| true)).await;
    let Err(error @ GitError::AuthFailed { .. }) = &result else {
        panic!("{result:?}");
    };
    assert!(
        error.hint().unwrap().contains("codecommit:GitPush"),
        "{error:?}"
    );
    assert_eq!(remote_head(&service, "locked", "main"), None);
    assert_eq!(
        remote_head(&service, "locked", "master").as_deref(),
        Some(head.as_str())
    );
    assert_eq!(
        files_containing(&work, &["NotTheSecretKeyAtAll"]),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fetch_cancelled_mid_transfer_stops_within_a_second_and_changes_no_ref() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    big_repo(&service, &dir.path().join("data"), "big", 40).await;
    service.faults().set_latency_ms(200);
    let work = local_repo(dir.path(), "work", &service, "big");

    let cancelled_at = Arc::new(Mutex::new(None::<Instant>));
    let mark = Arc::clone(&cancelled_at);
    let work2 = work.clone();
    let (result, seen) = blocking(move || {
        let mut seen = Vec::new();
        let result = fetch(&work2, "origin", demo_iam(), false, &mut |p| {
            seen.push(p.clone());
            let cancel = matches!(p, TransferProgress::Objects { bytes, .. } if *bytes > 0);
            if cancel {
                mark.lock().unwrap().get_or_insert_with(Instant::now);
            }
            !cancel
        });
        (result, seen)
    })
    .await;
    let returned = Instant::now();
    assert!(matches!(result, Err(GitError::Cancelled)), "{result:?}");
    let took = returned - cancelled_at.lock().unwrap().unwrap();
    println!(
        "cancel returned after {took:?}; last progress {:?}",
        seen.last()
    );
    assert!(took < Duration::from_secs(1), "cancel took {took:?}");
    assert!(
        matches!(seen.last(), Some(TransferProgress::Objects { bytes, .. }) if *bytes < 40 << 20),
        "cancelled before the end: {:?}",
        seen.last()
    );
    assert_eq!(try_rev(&work, "refs/remotes/origin/master"), None);

    // The same fetch, not cancelled, completes.
    service.faults().set_latency_ms(0);
    let work2 = work.clone();
    let outcome = blocking(move || fetch(&work2, "origin", demo_iam(), false, &mut |_| true))
        .await
        .unwrap();
    assert_eq!(outcome.updated_refs, 1);
    assert!(try_rev(&work, "refs/remotes/origin/master").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn push_cancelled_while_connecting_pushes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let head = repo_with_commits(&service, "slow", 1).await;
    let work = local_repo(dir.path(), "work", &service, "slow");
    cli_commit(&work, "x.txt", "x\n", "x");
    // Every request waits 300 ms: the cancel, raised at the second report (~100 ms), lands
    // before the pack is sent.
    service.faults().set_latency_ms(300);
    let request = PushRequest {
        remote: "origin".to_string(),
        local_branch: "main".to_string(),
        remote_branch: "main".to_string(),
        set_upstream: true,
        force_with_lease: false,
        auth: demo_iam(),
    };
    let work2 = work.clone();
    let started = Instant::now();
    let result = blocking(move || {
        let mut reports = 0;
        push(&work2, &request, &mut |_| {
            reports += 1;
            reports < 2
        })
    })
    .await;
    assert!(matches!(result, Err(GitError::Cancelled)), "{result:?}");
    println!("cancelled after {:?}", started.elapsed());
    service.faults().set_latency_ms(0);
    assert_eq!(remote_head(&service, "slow", "main"), None);
    assert_eq!(
        remote_head(&service, "slow", "master").as_deref(),
        Some(head.as_str())
    );
    assert_eq!(try_rev(&work, "refs/remotes/origin/main"), None);
    assert_eq!(
        git(&work, &["config", "--get", "branch.main.remote"])
            .status
            .code(),
        Some(1)
    );
}

/// git-remote-codecommit URLs (`codecommit::us-east-1://repo`, `codecommit://repo`) stand for
/// the HTTPS URL; `url.<base>.insteadOf` (git's own setting) sends that URL to the local service.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn codecommit_urls_are_used_over_https_with_iam() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let head = repo_with_commits(&service, "grc", 2).await;
    let work = dir.path().join("work");
    repo_init(&work);
    git_ok(
        &work,
        &["remote", "add", "origin", "codecommit::us-east-1://grc"],
    );
    git_ok(
        &work,
        &[
            "config",
            &format!("url.{}/v1/repos/.insteadOf", service.endpoint()),
            "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/",
        ],
    );
    assert_eq!(
        cctui::git::remote_url(&work, "origin").unwrap(),
        "codecommit::us-east-1://grc"
    );

    let work2 = work.clone();
    let outcome = blocking(move || fetch(&work2, "origin", demo_iam(), false, &mut |_| true))
        .await
        .unwrap();
    assert_eq!(outcome.updated_refs, 1);
    assert_eq!(rev(&work, "refs/remotes/origin/master"), head);

    git_ok(&work, &["checkout", "-q", "-b", "topic", "origin/master"]);
    let tip = cli_commit(&work, "grc.txt", "grc\n", "through a codecommit URL");
    let request = PushRequest {
        remote: "origin".to_string(),
        local_branch: "topic".to_string(),
        remote_branch: "topic".to_string(),
        set_upstream: true,
        force_with_lease: false,
        auth: demo_iam(),
    };
    let work2 = work.clone();
    blocking(move || push(&work2, &request, &mut |_| true).unwrap()).await;
    assert_eq!(
        remote_head(&service, "grc", "topic").as_deref(),
        Some(tip.as_str())
    );
    assert_eq!(rev(&work, "refs/remotes/origin/topic"), tip);
    assert_eq!(ahead_behind(&work).unwrap(), Some((0, 0)));

    // Without a region in the URL, the IAM credentials' region is used.
    git_ok(&work, &["remote", "set-url", "origin", "codecommit://grc"]);
    let other = dir.path().join("other");
    git_ok(
        dir.path(),
        &[
            "clone",
            "-q",
            &git_url(&service, "grc"),
            other.to_str().unwrap(),
        ],
    );
    let theirs = cli_commit(&other, "o.txt", "o\n", "other");
    git_ok(&other, &["push", "-q", "origin", "master"]);
    let work2 = work.clone();
    let outcome = blocking(move || fetch(&work2, "origin", demo_iam(), false, &mut |_| true))
        .await
        .unwrap();
    assert_eq!(outcome.updated_refs, 1);
    assert_eq!(rev(&work, "refs/remotes/origin/master"), theirs);
    // The remote's URL is left as configured; no secret on disk.
    assert_eq!(origin_url(&work), "codecommit://grc");
    assert_eq!(
        files_containing(&work, &[DEMO_SECRET_ACCESS_KEY]),
        Vec::<String>::new()
    );

    // A codecommit URL without a region and credentials that carry none: a clear error.
    let work2 = work.clone();
    let error = blocking(move || {
        fetch(
            &work2,
            "origin",
            Auth::GitCredentialHelper,
            false,
            &mut |_| true,
        )
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("names no region"), "{error}");
}
