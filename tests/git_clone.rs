//! `cctui::git::clone` over HTTP against the local CodeCommit service (real git smart HTTP,
//! real IAM passwords) on 127.0.0.1: IAM with and without a session token, static HTTPS Git
//! credentials, refused credentials with bounded attempts, cancel, cut transfers, target rules,
//! and no secret on disk.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/git_sandbox.rs"]
mod git_sandbox;
#[path = "support/local.rs"]
mod local_support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cctui::aws::git_password::AwsKeys;
use cctui::git::{Auth, ClonePhase, CloneRequest, GitError};
use cctui::local::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService,
    RunningService, ServiceConfig,
};
use cctui::secret::{Secret, SecretString};
use git_remote::*;
use local_support::*;

async fn start(dir: &std::path::Path, edit: impl FnOnce(&mut ServiceConfig)) -> RunningService {
    let mut config = ServiceConfig::new(dir.join("data"));
    edit(&mut config);
    LocalService::start(config).await.unwrap()
}

fn head_of(worktree: &std::path::Path) -> String {
    git_ok(worktree, &["rev-parse", "HEAD"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_clone_checks_out_sets_a_clean_origin_and_stores_no_secret() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    let head = repo_with_commits(&service, "plain", 5).await;
    let before = service.stats_snapshot();

    let target = dir.path().join("clones/plain");
    let url = service.clone_url("plain");
    let request = CloneRequest {
        url: url.clone(),
        target: target.clone(),
        auth: demo_iam(),
    };
    let started = now();
    let (result, seen) = clone_blocking(request, |_| false).await;
    result.unwrap();
    // Every IAM password that could have been made during the clone (one per second).
    let host = format!("127.0.0.1:{}", service.port());
    let passwords: Vec<String> = (started - 1..=now() + 1)
        .map(|t| {
            git_password(
                DEMO_SECRET_ACCESS_KEY,
                DEMO_REGION,
                "/v1/repos/plain",
                &host,
                t,
            )
        })
        .collect();

    assert_eq!(head_of(&target), head);
    assert_eq!(
        std::fs::read_to_string(target.join("file.txt")).unwrap(),
        "line 4\n"
    );
    assert_eq!(
        origin_url(&target),
        url,
        "origin must be exactly the clean URL"
    );
    // One password per operation: every request of this clone carried it and none was refused.
    let after = service.stats_snapshot();
    assert_eq!(after.git_auth_failures, before.git_auth_failures);
    assert!(after.git_auth_successes > before.git_auth_successes);
    // Progress: ends with every object received and the checkout done.
    let last = seen.last().unwrap();
    assert!(
        last.total_objects > 0 && last.objects == last.total_objects,
        "{last:?}"
    );
    assert!(last.bytes > 0);
    assert_eq!(last.phase, ClonePhase::CheckingOut);
    assert!(
        last.total_files >= 1 && last.files == last.total_files,
        "{last:?}"
    );
    assert_eq!(seen.first().unwrap().phase, ClonePhase::Connecting);

    assert!(file_count(&target) > 10);
    let mut secrets = vec![DEMO_SECRET_ACCESS_KEY];
    secrets.extend(passwords.iter().map(String::as_str));
    assert_eq!(files_containing(&target, &secrets), Vec::<String>::new());
    let config = std::fs::read_to_string(target.join(".git/config")).unwrap();
    assert!(
        !config.contains('@') && !config.contains(DEMO_ACCESS_KEY_ID),
        "{config}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn iam_with_a_session_token_and_no_token_on_disk() {
    git_sandbox::sandbox_libgit2_config();
    const KEY: &str = "ASIACCTUITESTTOKEN01";
    const SECRET: &str = "tokenSecretKey/ForTheCloneTest0000000000";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue+/=";
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |c| {
        c.credentials
            .push(Credential::new(KEY, SECRET).with_session_token(TOKEN));
    })
    .await;
    let head = repo_with_commits(&service, "tok", 2).await;
    let keys = |token: Option<&str>| Auth::Iam {
        keys: AwsKeys {
            access_key_id: KEY.into(),
            secret_access_key: SecretString::new(SECRET.into()),
            session_token: token.map(|t| SecretString::new(t.into())),
        },
        region: DEMO_REGION.into(),
    };

    let target = dir.path().join("tok");
    let request = CloneRequest {
        url: service.clone_url("tok"),
        target: target.clone(),
        auth: keys(Some(TOKEN)),
    };
    clone_blocking(request, |_| false).await.0.unwrap();
    assert_eq!(head_of(&target), head);
    assert_eq!(
        files_containing(&target, &[SECRET, TOKEN]),
        Vec::<String>::new()
    );

    // The same key without its token is refused: one attempt, a named failure, nothing left.
    let failures = service.stats().auth_failures();
    let target = dir.path().join("tok-missing");
    let request = CloneRequest {
        url: service.clone_url("tok"),
        target: target.clone(),
        auth: keys(None),
    };
    let (result, _) = clone_blocking(request, |_| false).await;
    match result {
        Err(GitError::AuthFailed { method, user, hint }) => {
            assert_eq!((method, user.as_str()), ("IAM", KEY));
            assert!(hint.contains("codecommit:GitPull"), "{hint}");
        }
        other => panic!("expected AuthFailed, got {other:?}"),
    }
    assert_eq!(service.stats().auth_failures() - failures, 1);
    assert!(!target.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn static_https_git_credentials_and_wrong_ones() {
    git_sandbox::sandbox_libgit2_config();
    const PASSWORD: &str = "StaticGitPassw0rd+ForTheCloneTest=";
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |c| {
        c.git_static = Some(("alice-at-111122223333".into(), Secret::new(PASSWORD.into())));
    })
    .await;
    let head = repo_with_commits(&service, "st", 3).await;

    let target = dir.path().join("st");
    let auth = Auth::Static {
        username: "alice-at-111122223333".into(),
        password: SecretString::new(PASSWORD.into()),
    };
    let request = CloneRequest {
        url: service.clone_url("st"),
        target: target.clone(),
        auth,
    };
    clone_blocking(request, |_| false).await.0.unwrap();
    assert_eq!(head_of(&target), head);
    assert_eq!(files_containing(&target, &[PASSWORD]), Vec::<String>::new());

    let attempts = service.stats().git_auth_attempts();
    let failures = service.stats().auth_failures();
    let target = dir.path().join("st-wrong");
    let auth = Auth::Static {
        username: "alice-at-111122223333".into(),
        password: SecretString::new("WrongPassw0rdValue".into()),
    };
    let (result, _) = clone_blocking(
        CloneRequest {
            url: service.clone_url("st"),
            target: target.clone(),
            auth,
        },
        |_| false,
    )
    .await;
    let error = result.unwrap_err();
    assert!(
        matches!(&error, GitError::AuthFailed { method: "HTTPS Git credentials", user, .. } if user == "alice-at-111122223333"),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("WrongPassw0rd")
            && !format!("{error:?}").contains("WrongPassw0rd")
    );
    assert!(error.hint().unwrap().contains("HTTPS Git credentials"));
    // Bounded: one credentialed request, refused once.
    assert_eq!(service.stats().git_auth_attempts() - attempts, 1);
    assert_eq!(service.stats().auth_failures() - failures, 1);
    assert!(!target.exists());
    assert_eq!(
        files_containing(dir.path(), &["WrongPassw0rdValue"]),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_iam_secret_fails_once_and_leaves_nothing() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    repo_with_commits(&service, "w", 1).await;
    let attempts = service.stats().git_auth_attempts();
    let auth = Auth::Iam {
        keys: AwsKeys {
            access_key_id: DEMO_ACCESS_KEY_ID.into(),
            secret_access_key: SecretString::new("NotTheSecretKeyAtAll/000000000000000000".into()),
            session_token: None,
        },
        region: DEMO_REGION.into(),
    };
    let target = dir.path().join("w");
    let (result, _) = clone_blocking(
        CloneRequest {
            url: service.clone_url("w"),
            target: target.clone(),
            auth,
        },
        |_| false,
    )
    .await;
    assert!(
        matches!(result, Err(GitError::AuthFailed { method: "IAM", ref user, .. }) if user == DEMO_ACCESS_KEY_ID),
        "{result:?}"
    );
    assert_eq!(service.stats().git_auth_attempts() - attempts, 1);
    assert!(!target.exists());
    assert_eq!(
        files_containing(
            dir.path().join("w").parent().unwrap(),
            &["NotTheSecretKeyAtAll"]
        ),
        Vec::<String>::new()
    );
}

/// A server that answers 401 to everything, as a misbehaving proxy or a remote that rejects
/// with 401 does: libgit2 would ask for credentials again and again (it stops only after 15
/// replays); ours stop after one attempt.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_401_loop_is_cut_after_one_attempt_per_method() {
    git_sandbox::sandbox_libgit2_config();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let with_auth = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&with_auth);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if line.to_ascii_lowercase().starts_with("authorization:") {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            }
            let _ = stream.write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let dir = tempfile::tempdir().unwrap();
    for auth in [
        demo_iam(),
        Auth::Static {
            username: "u".into(),
            password: SecretString::new("p".into()),
        },
    ] {
        let method = auth.method();
        let before = with_auth.load(Ordering::SeqCst);
        let target = dir.path().join(method.replace(' ', "_"));
        let url = format!("http://127.0.0.1:{port}/v1/repos/x");
        let (result, _) = clone_blocking(
            CloneRequest {
                url,
                target: target.clone(),
                auth,
            },
            |_| false,
        )
        .await;
        assert!(
            matches!(&result, Err(GitError::AuthFailed { method: m, .. }) if *m == method),
            "{result:?}"
        );
        assert_eq!(
            with_auth.load(Ordering::SeqCst) - before,
            1,
            "{method}: one credentialed request"
        );
        assert!(!target.exists());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_mid_transfer_stops_within_a_second_and_removes_the_directory() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    big_repo(&service, &dir.path().join("data"), "big", 40).await;
    service.faults().set_latency_ms(200);
    let target = dir.path().join("new/parent/big");
    let cancelled_at = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let mark = Arc::clone(&cancelled_at);
    let request = CloneRequest {
        url: service.clone_url("big"),
        target: target.clone(),
        auth: demo_iam(),
    };
    let (result, seen) = clone_blocking(request, move |p| {
        let cancel = p.phase == ClonePhase::Receiving && p.bytes > 0;
        if cancel {
            mark.lock().unwrap().get_or_insert_with(Instant::now);
        }
        cancel
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
        seen.last().unwrap().bytes < 40 << 20,
        "cancelled before the end"
    );
    assert!(
        !dir.path().join("new").exists(),
        "created parents are removed too"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cut_transfer_is_a_network_error_and_leaves_an_existing_empty_target_empty() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    big_repo(&service, &dir.path().join("data"), "cut", 8).await;
    service.faults().set_drop_after_bytes(Some(1_000_000));
    let target = dir.path().join("empty-target");
    std::fs::create_dir(&target).unwrap();
    let request = CloneRequest {
        url: service.clone_url("cut"),
        target: target.clone(),
        auth: demo_iam(),
    };
    let (result, _) = clone_blocking(request.clone(), |_| false).await;
    match &result {
        Err(error @ GitError::Network { .. }) => {
            assert!(error.hint().unwrap().contains("network"), "{error:?}");
            println!("network error: {error}");
            assert!(
                error
                    .to_string()
                    .contains("closed before the transfer finished"),
                "{error}"
            );
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    assert!(target.is_dir(), "an existing target stays");
    assert_eq!(
        std::fs::read_dir(&target).unwrap().count(),
        0,
        "and is emptied back"
    );
    assert_eq!(
        files_containing(
            dir.path().join("empty-target").as_path(),
            &[DEMO_SECRET_ACCESS_KEY]
        ),
        Vec::<String>::new()
    );

    // Into the same (empty) directory once the network is back.
    service.faults().set_drop_after_bytes(None);
    clone_blocking(request, |_| false).await.0.unwrap();
    assert_eq!(std::fs::read_dir(target.join("data")).unwrap().count(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_non_empty_target_is_refused_before_any_request() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    let target = dir.path().join("busy");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "mine").unwrap();
    let before = service.stats_snapshot().git_requests;
    let request = CloneRequest {
        url: service.clone_url("whatever"),
        target: target.clone(),
        auth: demo_iam(),
    };
    let (result, seen) = clone_blocking(request, |_| false).await;
    assert!(
        matches!(&result, Err(GitError::TargetNotEmpty(p)) if *p == target),
        "{result:?}"
    );
    assert!(seen.is_empty());
    assert_eq!(service.stats_snapshot().git_requests, before);
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).unwrap(),
        "mine"
    );
    // A file in place of the directory is refused too.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let request = CloneRequest {
        url: service.clone_url("whatever"),
        target: file.clone(),
        auth: demo_iam(),
    };
    assert!(matches!(
        clone_blocking(request, |_| false).await.0,
        Err(GitError::TargetNotEmpty(_))
    ));
    // A URL with a password is refused: it would end up in .git/config.
    let request = CloneRequest {
        url: format!("http://u:p@127.0.0.1:{}/v1/repos/x", service.port()),
        target: dir.path().join("pw"),
        auth: demo_iam(),
    };
    assert!(
        matches!(clone_blocking(request, |_| false).await.0, Err(GitError::Other(m)) if m.contains("password"))
    );
    assert!(!dir.path().join("pw").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn missing_repository_and_refused_connection_say_so() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    let target = dir.path().join("nope");
    let request = CloneRequest {
        url: service.clone_url("does-not-exist"),
        target: target.clone(),
        auth: demo_iam(),
    };
    let result = clone_blocking(request, |_| false).await.0;
    assert!(
        matches!(&result, Err(GitError::Other(m)) if m.contains("not found")),
        "{result:?}"
    );
    assert!(!target.exists());
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let request = CloneRequest {
        url: format!("http://127.0.0.1:{closed}/v1/repos/x"),
        target: target.clone(),
        auth: demo_iam(),
    };
    let result = clone_blocking(request, |_| false).await.0;
    assert!(
        matches!(&result, Err(GitError::Network { .. })),
        "{result:?}"
    );
    assert!(!target.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clones_the_demo_history_repository() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = cctui::local::start_demo(&dir.path().join("data"), false)
        .await
        .unwrap();
    let target = dir.path().join("demo");
    let request = CloneRequest {
        url: service.clone_url(cctui::local::demo::DEMO_HISTORY_REPO),
        target: target.clone(),
        auth: demo_iam(),
    };
    let (result, seen) = clone_blocking(request, |_| false).await;
    result.unwrap();
    let count: usize = git_ok(&target, &["rev-list", "--count", "HEAD"])
        .parse()
        .unwrap();
    assert_eq!(count, cctui::local::demo::DEMO_HISTORY_COMMITS);
    let branches = git_ok(&target, &["branch", "-r"]);
    assert!(branches.lines().count() > 1, "{branches}");
    let phases: Vec<ClonePhase> = seen.iter().map(|p| p.phase).fold(Vec::new(), |mut v, p| {
        if v.last() != Some(&p) {
            v.push(p);
        }
        v
    });
    println!("phases: {phases:?}");
    assert_eq!(phases.first(), Some(&ClonePhase::Connecting));
    // git upload-pack's "Enumerating/Counting objects" messages: reported even when short.
    assert!(phases.contains(&ClonePhase::Counting), "{phases:?}");
    assert!(phases.contains(&ClonePhase::Receiving), "{phases:?}");
    assert_eq!(phases.last(), Some(&ClonePhase::CheckingOut));
    let mut sorted = phases.clone();
    sorted.sort_by_key(|p| *p as u8);
    assert_eq!(phases, sorted, "phases only move forward");
    assert_eq!(
        files_containing(&target, &[DEMO_SECRET_ACCESS_KEY]),
        Vec::<String>::new()
    );
}

/// libgit2 can only stop at a callback: a cancel raised while it waits for the server lands
/// when the server's first answer arrives, and nothing more is requested.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancel_while_the_server_is_slow_lands_at_its_first_answer() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    repo_with_commits(&service, "slow", 2).await;
    service.faults().set_latency_ms(700);
    let before = service.stats_snapshot().git_requests;
    let target = dir.path().join("slow");
    let started = Instant::now();
    let request = CloneRequest {
        url: service.clone_url("slow"),
        target: target.clone(),
        auth: demo_iam(),
    };
    let (result, seen) = clone_blocking(request, |_| true).await;
    let took = started.elapsed();
    println!("cancel during a 700 ms server wait returned after {took:?}");
    assert!(matches!(result, Err(GitError::Cancelled)), "{result:?}");
    assert_eq!(seen.len(), 1, "the first report cancels");
    assert_eq!(
        service.stats_snapshot().git_requests - before,
        1,
        "no request after the cancel"
    );
    assert!(!target.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_method_that_does_not_fit_the_url_is_refused_before_connecting() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t");
    let request = CloneRequest {
        url: "ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/r".into(),
        target: target.clone(),
        auth: demo_iam(),
    };
    let result = clone_blocking(request, |_| false).await.0;
    assert!(
        matches!(&result, Err(GitError::Other(m)) if m.contains("HTTPS clone URL")),
        "{result:?}"
    );
    let auth = Auth::Ssh {
        user: "APKA".into(),
        key_files: vec![],
        passphrase: None,
        use_agent: false,
        known_hosts: dir.path().join("kh"),
        trusted_fingerprint: None,
        connect_to: None,
    };
    let request = CloneRequest {
        url: "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/r".into(),
        target: target.clone(),
        auth,
    };
    let result = clone_blocking(request, |_| false).await.0;
    assert!(
        matches!(&result, Err(GitError::Other(m)) if m.contains("SSH clone URL")),
        "{result:?}"
    );
    assert!(!target.exists());
}

// ---- a remote whose HEAD names no existing branch ------------------------------------------

/// Creates `name` on the service with one commit per branch of `branches` (each branch's
/// `file.txt` says which branch it is), pushed by the git CLI, then points the bare
/// repository's HEAD at `head` (which need not exist). Returns the bare repository's path.
async fn remote_with_branches(
    service: &RunningService,
    data_dir: &std::path::Path,
    name: &str,
    branches: &[&str],
    head: &str,
) -> std::path::PathBuf {
    let bare = create_bare(service, data_dir, name).await;
    let work = tempfile::tempdir().unwrap();
    if let Some(first) = branches.first() {
        work_tree(work.path(), first, 1);
    }
    for branch in branches {
        if !git(work.path(), &["rev-parse", "--verify", "-q", branch])
            .status
            .success()
        {
            git_ok(work.path(), &["checkout", "-q", "-b", branch]);
        }
        git_ok(work.path(), &["checkout", "-q", branch]);
        std::fs::write(work.path().join("file.txt"), format!("on {branch}\n")).unwrap();
        git_ok(work.path(), &["commit", "-q", "-am", branch]);
        git_ok(
            work.path(),
            &["push", "-q", &git_url(service, name), branch],
        );
    }
    git_ok(
        &bare,
        &["symbolic-ref", "HEAD", &format!("refs/heads/{head}")],
    );
    bare
}

async fn clone_preferring(
    service: &RunningService,
    name: &str,
    target: &std::path::Path,
    preferred: Option<&str>,
) -> Result<cctui::git::CloneOutcome, GitError> {
    let request = CloneRequest {
        url: service.clone_url(name),
        target: target.to_path_buf(),
        auth: demo_iam(),
    };
    let preferred = preferred.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        cctui::git::clone_with(&request, preferred.as_deref(), &mut |_| true)
    })
    .await
    .unwrap()
}

/// The branch HEAD is on, its upstream, and the checked-out file.
fn checked_out(target: &std::path::Path) -> (String, String, String) {
    (
        git_ok(target, &["symbolic-ref", "--short", "HEAD"]),
        git_ok(target, &["rev-parse", "--abbrev-ref", "@{upstream}"]),
        std::fs::read_to_string(target.join("file.txt")).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dangling_remote_head_with_one_branch_checks_out_that_branch() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    remote_with_branches(
        &service,
        &dir.path().join("data"),
        "one",
        &["dev"],
        "missing",
    )
    .await;

    let target = dir.path().join("one");
    let outcome = clone_preferring(&service, "one", &target, None)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        cctui::git::CloneOutcome::CheckedOutInstead {
            branch: "dev".into()
        }
    );
    assert_eq!(
        checked_out(&target),
        ("dev".into(), "origin/dev".into(), "on dev\n".into())
    );
    assert_eq!(git_ok(&target, &["status", "--porcelain"]), "");

    // The plain `clone` does the same.
    let again = dir.path().join("again");
    let request = CloneRequest {
        url: service.clone_url("one"),
        target: again.clone(),
        auth: demo_iam(),
    };
    let (result, _) = clone_blocking(request, |_| false).await;
    result.unwrap();
    assert_eq!(checked_out(&again).0, "dev");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dangling_remote_head_with_several_branches_checks_out_the_preferred_one() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    let data = dir.path().join("data");
    remote_with_branches(&service, &data, "two", &["dev", "feature"], "missing").await;

    let target = dir.path().join("two");
    let outcome = clone_preferring(&service, "two", &target, Some("feature"))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        cctui::git::CloneOutcome::CheckedOutInstead {
            branch: "feature".into()
        }
    );
    assert_eq!(
        checked_out(&target),
        (
            "feature".into(),
            "origin/feature".into(),
            "on feature\n".into()
        )
    );

    // A remote whose HEAD is fine keeps it: the preference only applies to a dangling HEAD.
    remote_with_branches(&service, &data, "fine", &["dev", "feature"], "dev").await;
    let fine = dir.path().join("fine");
    let outcome = clone_preferring(&service, "fine", &fine, Some("feature"))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        cctui::git::CloneOutcome::CheckedOut {
            branch: "dev".into()
        }
    );
    assert_eq!(checked_out(&fine).0, "dev");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dangling_remote_head_with_several_branches_and_no_preference_lists_them() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    let data = dir.path().join("data");
    remote_with_branches(&service, &data, "two", &["dev", "feature"], "missing").await;

    for preferred in [None, Some("gone")] {
        let target = dir.path().join(format!("two-{preferred:?}"));
        let outcome = clone_preferring(&service, "two", &target, preferred)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            cctui::git::CloneOutcome::ChooseBranch {
                branches: vec!["dev".into(), "feature".into()]
            },
            "{preferred:?}"
        );
        // A valid clone with nothing checked out: HEAD unborn, no files, both branches there.
        assert_eq!(try_rev(&target, "HEAD"), None);
        assert!(!target.join("file.txt").exists());
        assert_eq!(
            git_ok(&target, &["branch", "-r", "--format=%(refname:short)"]),
            "origin/dev\norigin/feature"
        );

        // Then the user picks one.
        cctui::git::checkout_remote_branch(&target, "feature").unwrap();
        assert_eq!(
            checked_out(&target),
            (
                "feature".into(),
                "origin/feature".into(),
                "on feature\n".into()
            )
        );
        assert_eq!(git_ok(&target, &["status", "--porcelain"]), "");
        assert!(matches!(
            cctui::git::checkout_remote_branch(&target, "nope"),
            Err(GitError::BranchNotFound(_))
        ));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_empty_remote_is_a_valid_empty_clone() {
    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    remote_with_branches(&service, &dir.path().join("data"), "empty", &[], "master").await;

    let target = dir.path().join("empty");
    let outcome = clone_preferring(&service, "empty", &target, Some("main"))
        .await
        .unwrap();
    assert_eq!(outcome, cctui::git::CloneOutcome::Empty);
    assert_eq!(try_rev(&target, "HEAD"), None);
    assert_eq!(git_ok(&target, &["branch", "-a"]), "");
    assert_eq!(origin_url(&target), service.clone_url("empty"));
}

/// Through the clone job, as the user clones: the remote's HEAD names no branch, it has two,
/// and CodeCommit's default branch (asked by the job only in that case) is the one checked out.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_clone_job_checks_out_codecommits_default_branch_when_the_remote_head_dangles() {
    use cctui::aws::client::{Clients, StaticCredentials, Target};
    use cctui::config::CloneProtocol;
    use cctui::jobs::{CloneJob, JobEvent, JobManager, JobOutput, JobRequest, Services};

    git_sandbox::sandbox_libgit2_config();
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path(), |_| {}).await;
    let bare = remote_with_branches(
        &service,
        &dir.path().join("data"),
        "two",
        &["dev", "feature"],
        "missing",
    )
    .await;
    demo_client(&service)
        .update_default_branch()
        .repository_name("two")
        .default_branch_name("feature")
        .send()
        .await
        .unwrap();
    // UpdateDefaultBranch points HEAD at it: dangle it again, as CodeCommit can leave it.
    git_ok(&bare, &["symbolic-ref", "HEAD", "refs/heads/missing"]);

    let target = Target {
        profile: None,
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
    };
    let services = Services {
        clone_slots: Arc::new(tokio::sync::Semaphore::new(1)),
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(
            dir.path().join("workspace").join(".undo"),
        ),
        ..Services::new(
            Clients::with_credentials(StaticCredentials {
                access_key_id: DEMO_ACCESS_KEY_ID.into(),
                secret_access_key: DEMO_SECRET_ACCESS_KEY.to_string().into(),
                session_token: None,
            }),
            dir.path().join("workspace"),
        )
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    let path = dir.path().join("workspace/two");
    let id = cctui::jobs::JobId(1);
    manager.spawn(
        id,
        JobRequest::Clone(Box::new(CloneJob {
            target: target.clone(),
            repository: "two".into(),
            url_http: service.clone_url("two"),
            url_ssh: String::new(),
            protocol: CloneProtocol::HttpsIam,
            path: path.clone(),
            login: None,
            passphrase: None,
            trusted_fingerprint: None,
        })),
    );
    let end = loop {
        let update = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if update.id == id && matches!(update.event, JobEvent::Finished(_) | JobEvent::Cancelled) {
            break update.event;
        }
    };
    assert!(
        matches!(&end, JobEvent::Finished(Ok(JobOutput::Clone(cctui::jobs::CloneOutput::Cloned { path: p, note: Some(note), .. }))) if *p == path && note.contains("default branch, feature")),
        "{end:?}"
    );
    assert_eq!(
        checked_out(&path),
        (
            "feature".into(),
            "origin/feature".into(),
            "on feature\n".into()
        )
    );
}
