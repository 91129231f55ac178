//! IAM policies in the local service, driven by the AWS CLI (botocore's own query and JSON
//! clients), real git over HTTPS and OpenSSH: inline user policies, SimulatePrincipalPolicy,
//! AccessDeniedException on API calls, and a protected branch refusing pushes. `.ci/run`
//! installs the AWS CLI; on a machine without it these tests say so and return.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_cli.rs"]
mod aws_cli_support;
#[path = "support/local.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_BOB_ACCESS_KEY_ID, DEMO_BOB_SECRET_ACCESS_KEY,
    DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, RunningService, ServiceConfig,
};
use serde_json::Value;

/// The user guide's branch protection (Deny with `StringEqualsIfExists` and `Null` on
/// `codecommit:References`) beside an Allow of all of CodeCommit.
const PROTECT_MASTER: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowCodeCommit",
      "Effect": "Allow",
      "Action": "codecommit:*",
      "Resource": "*"
    },
    {
      "Sid": "ProtectMaster",
      "Effect": "Deny",
      "Action": [
        "codecommit:GitPush",
        "codecommit:DeleteBranch",
        "codecommit:PutFile",
        "codecommit:MergeBranchesBy*",
        "codecommit:MergePullRequestBy*"
      ],
      "Resource": "arn:aws:codecommit:us-east-1:111122223333:app",
      "Condition": {
        "StringEqualsIfExists": { "codecommit:References": ["refs/heads/master"] },
        "Null": { "codecommit:References": false }
      }
    }
  ]
}"#;

const APP_ARN: &str = "arn:aws:codecommit:us-east-1:111122223333:app";

/// Whether the AWS CLI is here (under `CI=true` it must be).
fn aws_cli() -> bool {
    aws_cli_support::aws_cli_present()
}

#[derive(Clone, Copy)]
enum As {
    Alice,
    Bob,
}

/// `aws --endpoint-url <endpoint> --output json <args>` as `who`, with an empty home, off the
/// async workers.
async fn aws(home: &Path, endpoint: &str, who: As, args: &[&str]) -> Output {
    let (home, endpoint) = (home.to_path_buf(), endpoint.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (key, secret) = match who {
        As::Alice => (DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY),
        As::Bob => (DEMO_BOB_ACCESS_KEY_ID, DEMO_BOB_SECRET_ACCESS_KEY),
    };
    tokio::task::spawn_blocking(move || {
        Command::new("aws")
            .args(["--endpoint-url", &endpoint, "--output", "json"])
            .args(&args)
            .env("HOME", &home)
            .env("AWS_DEFAULT_REGION", DEMO_REGION)
            .env("AWS_REGION", DEMO_REGION)
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_CONFIG_FILE", home.join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_MAX_ATTEMPTS", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn ok(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "aws failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The CLI's error line for `code`: `An error occurred (CODE) when calling …: <message>`.
fn fails_with(output: &Output, code: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "expected {code}, the call worked");
    assert!(
        stderr.contains(&format!("An error occurred ({code})")),
        "expected {code}: {stderr}"
    );
    stderr
}

async fn put_protection(home: &Path, endpoint: &str) {
    ok(&aws(
        home,
        endpoint,
        As::Alice,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "protect-master",
            "--policy-document",
            PROTECT_MASTER,
        ],
    )
    .await);
}

/// alice's repository `app` with `master` and `feature`, pushed over HTTPS.
async fn seeded_app(dir: &Path, service: &RunningService) -> std::path::PathBuf {
    let client = support::demo_client(service);
    client
        .create_repository()
        .repository_name("app")
        .send()
        .await
        .unwrap();
    let work = dir.join("seed");
    std::fs::create_dir_all(&work).unwrap();
    support::work_tree(&work, "master", 2);
    let url = support::git_url(service, "app");
    support::git_ok(&work, &["push", "-q", &url, "master", "master:feature"]);
    work
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_are_put_read_simulated_and_enforced_on_api_calls() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let (home, endpoint) = (dir.path(), service.endpoint());
    seeded_app(dir.path(), &service).await;

    // Before any policy bob is unrestricted (the service's choice, see iam::user_policies).
    let simulate = |who: As, user: &'static str, extra: Vec<&'static str>| {
        let endpoint = endpoint.clone();
        async move {
            let source = format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/{user}");
            let mut args = vec![
                "iam",
                "simulate-principal-policy",
                "--policy-source-arn",
                source.as_str(),
            ];
            args.extend(extra);
            aws(home, &endpoint, who, &args).await
        }
    };
    let push_master = vec![
        "--action-names",
        "codecommit:GitPush",
        "--resource-arns",
        APP_ARN,
        "--context-entries",
        "ContextKeyName=codecommit:References,ContextKeyValues=refs/heads/master,ContextKeyType=stringList",
    ];
    let before = ok(&simulate(As::Bob, "bob", push_master.clone()).await);
    assert_eq!(before["EvaluationResults"][0]["EvalDecision"], "allowed");

    put_protection(home, &endpoint).await;
    let listed = ok(&aws(
        home,
        &endpoint,
        As::Alice,
        &["iam", "list-user-policies", "--user-name", "bob"],
    )
    .await);
    assert_eq!(listed["PolicyNames"], serde_json::json!(["protect-master"]));
    // The CLI decodes the percent-encoded document IAM sends back into JSON.
    // bob's own policy does not grant iam:GetUserPolicy, so only alice may read it.
    fails_with(
        &aws(
            home,
            &endpoint,
            As::Bob,
            &[
                "iam",
                "get-user-policy",
                "--user-name",
                "bob",
                "--policy-name",
                "protect-master",
            ],
        )
        .await,
        "AccessDenied",
    );
    let got = ok(&aws(
        home,
        &endpoint,
        As::Alice,
        &[
            "iam",
            "get-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "protect-master",
        ],
    )
    .await);
    assert_eq!(
        got["PolicyDocument"],
        serde_json::from_str::<Value>(PROTECT_MASTER).unwrap()
    );

    // Simulations: explicit deny with the protected ref, allowed with another, implicit deny
    // outside the Allow, and the missing context key reported.
    let denied = ok(&simulate(As::Bob, "bob", push_master.clone()).await);
    let result = &denied["EvaluationResults"][0];
    assert_eq!(result["EvalDecision"], "explicitDeny", "{denied}");
    assert_eq!(result["EvalActionName"], "codecommit:GitPush");
    assert_eq!(result["EvalResourceName"], APP_ARN);
    assert_eq!(
        result["MatchedStatements"][0]["SourcePolicyId"],
        "protect-master"
    );
    assert_eq!(result["MatchedStatements"][0]["StartPosition"]["Line"], 10);
    let feature = ok(&simulate(
        As::Bob,
        "bob",
        vec![
            "--action-names",
            "codecommit:GitPush",
            "codecommit:DeleteBranch",
            "--resource-arns",
            APP_ARN,
            "--context-entries",
            "ContextKeyName=codecommit:References,ContextKeyValues=refs/heads/feature,ContextKeyType=stringList",
        ],
    )
    .await);
    let results = feature["EvaluationResults"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results.iter().all(|r| r["EvalDecision"] == "allowed"),
        "{feature}"
    );
    let implicit = ok(&simulate(
        As::Bob,
        "bob",
        vec![
            "--action-names",
            "iam:CreateUser",
            "codecommit:GitPush",
            "--resource-arns",
            APP_ARN,
        ],
    )
    .await);
    let results = implicit["EvaluationResults"].as_array().unwrap();
    assert_eq!(results[0]["EvalDecision"], "implicitDeny", "{implicit}");
    assert_eq!(results[0]["MatchedStatements"], serde_json::json!([]));
    assert_eq!(results[1]["EvalDecision"], "allowed");
    assert_eq!(
        results[1]["MissingContextValues"],
        serde_json::json!(["codecommit:References"])
    );
    // alice (no policy) may simulate bob; bob may not simulate alice nor change policies.
    let by_alice = ok(&simulate(As::Alice, "bob", push_master.clone()).await);
    assert_eq!(
        by_alice["EvaluationResults"][0]["EvalDecision"],
        "explicitDeny"
    );
    let stderr = fails_with(
        &simulate(As::Bob, "alice", push_master.clone()).await,
        "AccessDenied",
    );
    assert!(stderr.contains(&format!(
        "User: arn:aws:iam::{DEMO_ACCOUNT_ID}:user/bob is not authorized to perform: iam:SimulatePrincipalPolicy on resource: arn:aws:iam::{DEMO_ACCOUNT_ID}:user/alice because no identity-based policy allows the iam:SimulatePrincipalPolicy action"
    )), "{stderr}");
    fails_with(
        &aws(
            home,
            &endpoint,
            As::Bob,
            &[
                "iam",
                "delete-user-policy",
                "--user-name",
                "bob",
                "--policy-name",
                "protect-master",
            ],
        )
        .await,
        "AccessDenied",
    );
    fails_with(
        &aws(
            home,
            &endpoint,
            As::Alice,
            &[
                "iam",
                "put-user-policy",
                "--user-name",
                "bob",
                "--policy-name",
                "bad",
                "--policy-document",
                "{\"Statement\":[]}",
            ],
        )
        .await,
        "MalformedPolicyDocument",
    );

    // API calls: the protected branch cannot be deleted, another can, reads work.
    let stderr = fails_with(
        &aws(
            home,
            &endpoint,
            As::Bob,
            &[
                "codecommit",
                "delete-branch",
                "--repository-name",
                "app",
                "--branch-name",
                "master",
            ],
        )
        .await,
        "AccessDeniedException",
    );
    assert!(stderr.contains(&format!(
        "User: arn:aws:iam::{DEMO_ACCOUNT_ID}:user/bob is not authorized to perform: codecommit:DeleteBranch on resource: {APP_ARN} with an explicit deny in an identity-based policy"
    )), "{stderr}");
    ok(&aws(
        home,
        &endpoint,
        As::Bob,
        &[
            "codecommit",
            "delete-branch",
            "--repository-name",
            "app",
            "--branch-name",
            "feature",
        ],
    )
    .await);
    let branches = ok(&aws(
        home,
        &endpoint,
        As::Bob,
        &["codecommit", "list-branches", "--repository-name", "app"],
    )
    .await);
    assert_eq!(branches["branches"], serde_json::json!(["master"]));

    // Deleted by alice: bob is unrestricted again.
    ok(&aws(
        home,
        &endpoint,
        As::Alice,
        &[
            "iam",
            "delete-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "protect-master",
        ],
    )
    .await);
    let after = ok(&simulate(As::Bob, "bob", push_master).await);
    assert_eq!(after["EvaluationResults"][0]["EvalDecision"], "allowed");
}

/// bob's HTTPS URL (his IAM git password) for `name`.
fn bob_url(service: &RunningService, name: &str) -> String {
    let host = format!("127.0.0.1:{}", service.port());
    let password = support::git_password(
        DEMO_BOB_SECRET_ACCESS_KEY,
        DEMO_REGION,
        &format!("/v1/repos/{name}"),
        &host,
        support::now(),
    );
    format!(
        "http://{DEMO_BOB_ACCESS_KEY_ID}:{}@{host}/v1/repos/{name}",
        support::enc(&password)
    )
}

/// The ref's object id on the remote, as `git ls-remote` sees it.
fn remote_ref(dir: &Path, url: &str, name: &str) -> Option<String> {
    let listed = support::git_ok(dir, &["ls-remote", url]);
    listed.lines().find_map(|line| {
        let (id, refname) = line.split_once('\t')?;
        (refname == name).then(|| id.to_string())
    })
}

/// git with `GIT_SSH_COMMAND`, sandboxed, off the async workers.
async fn git_over_ssh(dir: &Path, ssh: &str, args: &[&str]) -> Output {
    let (dir, ssh) = (dir.to_path_buf(), ssh.to_string());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new("git")
            .args(&args)
            .current_dir(&dir)
            .env("GIT_SSH_COMMAND", ssh)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Committer")
            .env("GIT_COMMITTER_EMAIL", "committer@example.com")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn refused_as_codecommit(out: &Output, source: &str, branch: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the push to {branch} was accepted: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "! [remote rejected] {source} -> {branch} (You don't have permission to push changes to this branch.)"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "remote: error: User: arn:aws:iam::{DEMO_ACCOUNT_ID}:user/bob is not authorized to perform: codecommit:GitPush on resource: {APP_ARN} with an explicit deny in an identity-based policy"
        )),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protected_branch_refuses_git_pushes_over_https_and_ssh() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("data"));
    config.ssh_port = Some(0);
    let service = LocalService::start(config).await.unwrap();
    let (home, endpoint) = (dir.path(), service.endpoint());
    let seed = seeded_app(dir.path(), &service).await;
    let alice_url = support::git_url(&service, "app");
    let master = support::git_ok(&seed, &["rev-parse", "master"]);
    put_protection(home, &endpoint).await;

    // HTTPS: bob may clone (GitPull), not push master, push other branches.
    let url = bob_url(&service, "app");
    let work = dir.path().join("bob");
    support::git_ok(dir.path(), &["clone", "-q", &url, work.to_str().unwrap()]);
    std::fs::write(work.join("bob.txt"), "bob\n").unwrap();
    support::git_ok(&work, &["add", "bob.txt"]);
    support::git_ok(&work, &["commit", "-q", "-m", "bob's change"]);
    let head = support::git_ok(&work, &["rev-parse", "HEAD"]);
    let out = support::git(&work, &["push", &url, "HEAD:master"]);
    refused_as_codecommit(&out, "HEAD", "master");
    assert_eq!(
        remote_ref(dir.path(), &alice_url, "refs/heads/master"),
        Some(master.clone())
    );
    // One protected ref in a push refuses all of it, as one GitPush with both references.
    let out = support::git(&work, &["push", &url, "HEAD:master", "HEAD:topic"]);
    assert!(!out.status.success());
    assert_eq!(remote_ref(dir.path(), &alice_url, "refs/heads/topic"), None);
    support::git_ok(&work, &["push", "-q", &url, "HEAD:topic"]);
    assert_eq!(
        remote_ref(dir.path(), &alice_url, "refs/heads/topic"),
        Some(head.clone())
    );

    // A push larger than http.postBuffer: git probes with a lone flush packet first, then
    // streams the body chunked; both judged the same way.
    let mut noise = Vec::with_capacity(300_000);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    while noise.len() < 300_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.extend_from_slice(&state.to_le_bytes());
    }
    std::fs::write(work.join("big.bin"), &noise).unwrap();
    support::git_ok(&work, &["add", "big.bin"]);
    support::git_ok(&work, &["commit", "-q", "-m", "a large file"]);
    let big = support::git_ok(&work, &["rev-parse", "HEAD"]);
    let out = support::git(
        &work,
        &["-c", "http.postBuffer=65536", "push", &url, "HEAD:master"],
    );
    refused_as_codecommit(&out, "HEAD", "master");
    support::git_ok(
        &work,
        &[
            "-c",
            "http.postBuffer=65536",
            "push",
            "-q",
            &url,
            "HEAD:big",
        ],
    );
    assert_eq!(
        remote_ref(dir.path(), &alice_url, "refs/heads/big"),
        Some(big)
    );
    assert_eq!(
        remote_ref(dir.path(), &alice_url, "refs/heads/master"),
        Some(master.clone())
    );
    support::git_ok(&work, &["reset", "-q", "--hard", "HEAD~1"]);

    // SSH: bob uploads his own key; the same decisions over OpenSSH.
    let key = dir.path().join("bob_rsa");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(made.status.success());
    let body = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let uploaded = ok(&aws(
        home,
        &endpoint,
        As::Bob,
        &[
            "iam",
            "upload-ssh-public-key",
            "--user-name",
            "bob",
            "--ssh-public-key-body",
            body.trim(),
        ],
    )
    .await);
    let key_id = uploaded["SSHPublicKey"]["SSHPublicKeyId"].as_str().unwrap();
    let ssh = format!(
        "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=accept-new -p {}",
        key.display(),
        dir.path().join("known_hosts").display(),
        service.ssh_port().unwrap()
    );
    let ssh_url = format!(
        "ssh://{key_id}@127.0.0.1:{}/v1/repos/app",
        service.ssh_port().unwrap()
    );
    let out = git_over_ssh(&work, &ssh, &["push", &ssh_url, "HEAD:master"]).await;
    refused_as_codecommit(&out, "HEAD", "master");
    // A delete sends no pack: refused at once, too.
    let out = git_over_ssh(&work, &ssh, &["push", &ssh_url, ":master"]).await;
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        remote_ref(dir.path(), &alice_url, "refs/heads/master"),
        Some(master.clone())
    );
    let out = git_over_ssh(&work, &ssh, &["push", "-q", &ssh_url, "HEAD:over-ssh"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        remote_ref(dir.path(), &alice_url, "refs/heads/over-ssh"),
        Some(head)
    );
    let out = git_over_ssh(dir.path(), &ssh, &["ls-remote", &ssh_url]).await;
    assert!(out.status.success());

    // alice (no policy) still pushes master.
    std::fs::write(seed.join("file.txt"), "alice\n").unwrap();
    support::git_ok(&seed, &["commit", "-q", "-am", "alice's change"]);
    support::git_ok(&seed, &["push", "-q", &alice_url, "master"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_denied_git_pull_cannot_clone() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let (home, endpoint) = (dir.path(), service.endpoint());
    seeded_app(dir.path(), &service).await;
    ok(&aws(
        home,
        &endpoint,
        As::Alice,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "reads-only-other-repos",
            "--policy-document",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"codecommit:Get*","NotResource":"arn:aws:codecommit:*:*:app"}]}"#,
        ],
    )
    .await);
    let target = dir.path().join("clone");
    let out = support::git(
        dir.path(),
        &[
            "clone",
            "-q",
            &bob_url(&service, "app"),
            target.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = fails_with(
        &aws(
            home,
            &endpoint,
            As::Bob,
            &["codecommit", "list-repositories"],
        )
        .await,
        "AccessDeniedException",
    );
    assert!(stderr.contains(
        "on resource: * because no identity-based policy allows the codecommit:ListRepositories action"
    ), "{stderr}");
}

/// carol's HTTPS URL (her IAM git password) for `name`.
fn carol_url(service: &RunningService, name: &str) -> String {
    let host = format!("127.0.0.1:{}", service.port());
    let password = support::git_password(
        cctui::local::DEMO_CAROL_SECRET_ACCESS_KEY,
        DEMO_REGION,
        &format!("/v1/repos/{name}"),
        &host,
        support::now(),
    );
    format!(
        "http://{}:{}@{host}/v1/repos/{name}",
        cctui::local::DEMO_CAROL_ACCESS_KEY_ID,
        support::enc(&password)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_protects_master_for_carol_only() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let service = cctui::local::start_demo(&data, false).await.unwrap();
    let repo = cctui::local::demo::DEMO_HISTORY_REPO;
    let arn = format!("arn:aws:codecommit:{DEMO_REGION}:{DEMO_ACCOUNT_ID}:{repo}");
    // alice (unrestricted) reads carol's policy and simulates her.
    let got = ok(&aws(
        dir.path(),
        &service.endpoint(),
        As::Alice,
        &[
            "iam",
            "get-user-policy",
            "--user-name",
            "carol",
            "--policy-name",
            cctui::local::demo::CAROL_POLICY_NAME,
        ],
    )
    .await);
    assert_eq!(got["PolicyDocument"]["Statement"][1]["Effect"], "Deny");
    let simulated = ok(&aws(
        dir.path(),
        &service.endpoint(),
        As::Alice,
        &[
            "iam",
            "simulate-principal-policy",
            "--policy-source-arn",
            &format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/carol"),
            "--action-names",
            "codecommit:GitPush",
            "codecommit:MergePullRequestBySquash",
            "codecommit:CreatePullRequest",
            "--resource-arns",
            &arn,
            "--context-entries",
            "ContextKeyName=codecommit:References,ContextKeyValues=refs/heads/master,ContextKeyType=stringList",
        ],
    )
    .await);
    let decisions: Vec<&str> = simulated["EvaluationResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["EvalDecision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["explicitDeny", "explicitDeny", "allowed"]);

    // A real push as carol: master refused (unchanged), a new branch accepted.
    let url = carol_url(&service, repo);
    let work = dir.path().join("carol");
    support::git_ok(dir.path(), &["clone", "-q", &url, work.to_str().unwrap()]);
    let master = support::git_ok(&work, &["rev-parse", "origin/master"]);
    std::fs::write(work.join("carol.txt"), "carol\n").unwrap();
    support::git_ok(&work, &["add", "carol.txt"]);
    support::git_ok(&work, &["commit", "-q", "-m", "carol's change"]);
    let out = support::git(&work, &["push", &url, "HEAD:master"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("[remote rejected]"), "{stderr}");
    assert_eq!(
        remote_ref(dir.path(), &url, "refs/heads/master"),
        Some(master)
    );
    support::git_ok(&work, &["push", "-q", &url, "HEAD:carol/topic"]);
    assert!(remote_ref(dir.path(), &url, "refs/heads/carol/topic").is_some());
    // Restarting the demo keeps the policy as it is (not put twice).
    drop(service);
    let again = cctui::local::start_demo(&data, false).await.unwrap();
    let listed = ok(&aws(
        dir.path(),
        &again.endpoint(),
        As::Alice,
        &["iam", "list-user-policies", "--user-name", "carol"],
    )
    .await);
    assert_eq!(
        listed["PolicyNames"],
        serde_json::json!([cctui::local::demo::CAROL_POLICY_NAME])
    );
}
