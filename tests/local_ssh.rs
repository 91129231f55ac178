//! The local service's SSH endpoint (`--ssh-port`) with OpenSSH's `ssh` and real `git`:
//! clone and push with an allowed key, refusals (unknown key, wrong user, inactive key, a
//! non-git command, an unknown repository), the push seen over HTTP at once, the host key
//! kept across a restart, and no git process left when the client goes away.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_sshd.rs"]
mod git_sshd;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use cctui::local::{LocalService, RunningService, ServiceConfig, SshAuthorizer};
use git_sshd::keygen;
use local_support as support;

const KEY_ID: &str = "APKAEIBAERJR2EXAMPLE";
const OTHER_KEY_ID: &str = "APKAEIBAERJR2OTHER00";

/// A key pair made by ssh-keygen and its public half as IAM stores it.
struct Key {
    private: PathBuf,
    key_type: String,
    base64: String,
}

fn key(dir: &Path, name: &str) -> Key {
    let private = dir.join(name);
    keygen(&private, "");
    let public = std::fs::read_to_string(private.with_extension("pub")).unwrap();
    let mut fields = public.split_whitespace();
    Key {
        key_type: fields.next().unwrap().to_string(),
        base64: fields.next().unwrap().to_string(),
        private,
    }
}

/// An authorizer over a fixed set of (SSH key ID, key, active): what IAM's uploaded keys give.
fn authorizer(keys: Vec<(&str, &Key, bool)>) -> SshAuthorizer {
    let keys: Vec<(String, String, String, bool)> = keys
        .into_iter()
        .map(|(id, key, active)| {
            (
                id.to_string(),
                key.key_type.clone(),
                key.base64.clone(),
                active,
            )
        })
        .collect();
    SshAuthorizer::new(move |user, key_type, base64| {
        keys.iter()
            .any(|(id, t, b, active)| *active && id == user && t == key_type && b == base64)
    })
}

async fn start(data: &Path, authorizer: SshAuthorizer, ssh_port: u16) -> RunningService {
    let mut config = ServiceConfig::new(data);
    config.ssh_port = Some(ssh_port);
    config.ssh_authorizer = Some(authorizer);
    LocalService::start(config).await.unwrap()
}

async fn create_repository(service: &RunningService, name: &str) {
    support::demo_client(service)
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap();
}

/// How OpenSSH is told to use exactly this key and this known_hosts file.
fn ssh_command(key: &Path, known_hosts: &Path, strict: &str, port: u16) -> String {
    format!(
        "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking={strict} -p {port}",
        key.display(),
        known_hosts.display()
    )
}

/// Runs git (sandboxed from the developer's configuration) with `GIT_SSH_COMMAND`, off the
/// async workers.
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

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn url(service: &RunningService, user: &str, name: &str) -> String {
    format!(
        "ssh://{user}@127.0.0.1:{}/v1/repos/{name}",
        service.ssh_port().unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_git_clones_and_pushes_and_http_sees_the_push_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let alice = key(dir.path(), "alice");
    let data = dir.path().join("data");
    let service = start(&data, authorizer(vec![(KEY_ID, &alice, true)]), 0).await;
    create_repository(&service, "demo").await;
    let port = service.ssh_port().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let ssh = ssh_command(&alice.private, &known_hosts, "accept-new", port);

    // The API hands out the endpoint's URL.
    let meta = support::demo_client(&service)
        .get_repository()
        .repository_name("demo")
        .send()
        .await
        .unwrap();
    let clone_url = meta.repository_metadata().unwrap().clone_url_ssh().unwrap();
    assert_eq!(clone_url, format!("ssh://127.0.0.1:{port}/v1/repos/demo"));

    // Clone the empty repository with the SSH key ID as user, commit, push.
    let first = dir.path().join("first");
    let with_user = url(&service, KEY_ID, "demo");
    let first_str = first.to_str().unwrap();
    ok(&git_over_ssh(dir.path(), &ssh, &["clone", "-q", &with_user, first_str]).await);
    assert!(
        std::fs::read_to_string(&known_hosts)
            .unwrap()
            .contains(&format!("[127.0.0.1]:{port}"))
    );
    std::fs::write(first.join("README.md"), "over ssh\n").unwrap();
    ok(&git_over_ssh(&first, &ssh, &["add", "README.md"]).await);
    ok(&git_over_ssh(&first, &ssh, &["commit", "-q", "-m", "first over ssh"]).await);
    let head = ok(&git_over_ssh(&first, &ssh, &["rev-parse", "HEAD"]).await);
    ok(&git_over_ssh(&first, &ssh, &["push", "-q", "origin", "HEAD:master"]).await);

    // Over HTTP and in the API, at once: the same refs, and the first push's branch is the
    // default branch.
    let http = support::git_url(&service, "demo");
    let refs =
        ok(&git_over_ssh(dir.path(), &ssh, &["ls-remote", &http, "refs/heads/master"]).await);
    assert!(refs.starts_with(&head), "{refs}");
    let meta = support::demo_client(&service)
        .get_repository()
        .repository_name("demo")
        .send()
        .await
        .unwrap();
    assert_eq!(
        meta.repository_metadata().unwrap().default_branch(),
        Some("master")
    );

    // A second clone over SSH gets the commit (no user in the URL: `-l` would be ssh's).
    let second = dir.path().join("second");
    ok(&git_over_ssh(
        dir.path(),
        &ssh,
        &["clone", "-q", &with_user, second.to_str().unwrap()],
    )
    .await);
    assert_eq!(
        ok(&git_over_ssh(&second, &ssh, &["rev-parse", "HEAD"]).await),
        head
    );
    // The path without its leading slash, as CodeCommit accepts it, is the same repository.
    let no_slash = format!("{KEY_ID}@127.0.0.1:v1/repos/demo");
    let scp_ssh = ssh_command(&alice.private, &known_hosts, "yes", port);
    let refs = ok(&git_over_ssh(dir.path(), &scp_ssh, &["ls-remote", &no_slash]).await);
    assert!(refs.contains(&head), "{refs}");
    assert!(
        support::wait_until(Duration::from_secs(10), || support::processes_using(&data)
            .is_empty())
        .await,
        "{:?}",
        support::processes_using(&data)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_with_an_unknown_key_a_wrong_user_or_an_inactive_key() {
    let dir = tempfile::tempdir().unwrap();
    let alice = key(dir.path(), "alice");
    let stranger = key(dir.path(), "stranger");
    let retired = key(dir.path(), "retired");
    let data = dir.path().join("data");
    let service = start(
        &data,
        authorizer(vec![
            (KEY_ID, &alice, true),
            (OTHER_KEY_ID, &retired, false),
        ]),
        0,
    )
    .await;
    create_repository(&service, "demo").await;
    let port = service.ssh_port().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let ls_remote = async |key: &Key, user: &str| {
        let ssh = ssh_command(&key.private, &known_hosts, "accept-new", port);
        git_over_ssh(
            dir.path(),
            &ssh,
            &["ls-remote", &url(&service, user, "demo")],
        )
        .await
    };
    // The allowed pair works, so the refusals below are about the key and the user only.
    ok(&ls_remote(&alice, KEY_ID).await);
    for (key, user, what) in [
        (&stranger, KEY_ID, "an unknown key"),
        (&alice, OTHER_KEY_ID, "another key ID's user"),
        (&retired, OTHER_KEY_ID, "an inactive key"),
        (&alice, "git", "a user that is no key ID"),
    ] {
        let out = ls_remote(key, user).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}: accepted");
        assert!(
            stderr.contains("Permission denied (publickey)"),
            "{what}: {stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_git_commands_and_unknown_repositories_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let alice = key(dir.path(), "alice");
    let service = start(
        &dir.path().join("data"),
        authorizer(vec![(KEY_ID, &alice, true)]),
        0,
    )
    .await;
    let port = service.ssh_port().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let ssh = ssh_command(&alice.private, &known_hosts, "accept-new", port);
    let run_ssh = async |remote: &[&str]| {
        let mut words: Vec<String> = ssh.split_whitespace().map(str::to_string).collect();
        words.push(format!("{KEY_ID}@127.0.0.1"));
        words.extend(remote.iter().map(|w| w.to_string()));
        tokio::task::spawn_blocking(move || {
            Command::new(&words[0])
                .args(&words[1..])
                .stdin(Stdio::null())
                .output()
                .unwrap()
        })
        .await
        .unwrap()
    };
    for command in [
        &["ls", "-la"][..],
        &["git-upload-archive", "'/v1/repos/x'"],
        &[],
    ] {
        let out = run_ssh(command).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(
            stderr.contains("only git-upload-pack and git-receive-pack"),
            "{command:?}: {stderr}"
        );
    }
    let out = git_over_ssh(
        dir.path(),
        &ssh,
        &["ls-remote", &url(&service, KEY_ID, "nope")],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("fatal: repository '/v1/repos/nope' does not exist"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_key_is_kept_across_a_restart_on_the_same_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let alice = key(dir.path(), "alice");
    let data = dir.path().join("data");
    let allowed = || authorizer(vec![(KEY_ID, &alice, true)]);
    let service = start(&data, allowed(), 0).await;
    create_repository(&service, "demo").await;
    let port = service.ssh_port().unwrap();
    let fingerprint = service.ssh_host_key_fingerprint().unwrap().to_string();
    let known_hosts = dir.path().join("known_hosts");
    let first = ssh_command(&alice.private, &known_hosts, "accept-new", port);
    ok(&git_over_ssh(
        dir.path(),
        &first,
        &["ls-remote", &url(&service, KEY_ID, "demo")],
    )
    .await);
    // What ssh recorded is the key the service printed.
    let recorded = std::fs::read_to_string(&known_hosts).unwrap();
    let public = dir.path().join("recorded.pub");
    std::fs::write(
        &public,
        recorded.split_once(' ').map(|(_, key)| key).unwrap(),
    )
    .unwrap();
    assert_eq!(git_sshd::ssh_keygen_fingerprint(&public), fingerprint);
    service.shutdown().await;

    let service = start(&data, allowed(), port).await;
    assert_eq!(
        service.ssh_host_key_fingerprint(),
        Some(fingerprint.as_str())
    );
    let strict = ssh_command(&alice.private, &known_hosts, "yes", port);
    ok(&git_over_ssh(
        dir.path(),
        &strict,
        &["ls-remote", &url(&service, KEY_ID, "demo")],
    )
    .await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_goes_away_leaves_no_git_process_behind() {
    let dir = tempfile::tempdir().unwrap();
    let alice = key(dir.path(), "alice");
    let data = dir.path().join("data");
    let service = start(&data, authorizer(vec![(KEY_ID, &alice, true)]), 0).await;
    create_repository(&service, "demo").await;
    let port = service.ssh_port().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let ssh = ssh_command(&alice.private, &known_hosts, "accept-new", port);
    // A push that never sends its pack: receive-pack waits on its stdin.
    let mut words: Vec<String> = ssh.split_whitespace().map(str::to_string).collect();
    words.push(format!("{KEY_ID}@127.0.0.1"));
    words.push("git-receive-pack '/v1/repos/demo'".to_string());
    let mut client = Command::new(&words[0])
        .args(&words[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        support::wait_until(Duration::from_secs(20), || !support::processes_using(&data)
            .is_empty())
        .await,
        "git receive-pack never started"
    );
    client.kill().unwrap();
    client.wait().unwrap();
    assert!(
        support::wait_until(Duration::from_secs(10), || support::processes_using(&data)
            .is_empty())
        .await,
        "left behind: {:?}",
        support::processes_using(&data)
    );
    drop(service);
}

/// `aws iam …` as the demo's alice against `service` (botocore's own client); its JSON.
async fn aws_iam(dir: &Path, service: &RunningService, args: &[&str]) -> serde_json::Value {
    let (dir, endpoint) = (dir.to_path_buf(), service.endpoint());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let shown = args.join(" ");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("aws")
            .args(["--endpoint-url", &endpoint, "--output", "json", "iam"])
            .args(&args)
            .env("HOME", &dir)
            .env("AWS_CONFIG_FILE", dir.join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
            .env("AWS_DEFAULT_REGION", cctui::local::DEMO_REGION)
            .env("AWS_ACCESS_KEY_ID", cctui::local::DEMO_ACCESS_KEY_ID)
            .env(
                "AWS_SECRET_ACCESS_KEY",
                cctui::local::DEMO_SECRET_ACCESS_KEY,
            )
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env("AWS_MAX_ATTEMPTS", "1")
            .stdin(Stdio::null())
            .output()
            .expect("the AWS CLI must be installed (.ci/run installs it)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "aws iam {shown}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if out.stdout.iter().all(u8::is_ascii_whitespace) {
        return serde_json::Value::Null;
    }
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Without an authorizer of its own the endpoint lets in exactly the ACTIVE keys uploaded
/// through the service's IAM API, with their SSH key ID as user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_uploaded_through_iam_open_ssh_until_deactivated_or_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let alice = key(dir.path(), "alice");
    let data = dir.path().join("data");
    let mut config = ServiceConfig::new(&data);
    config.ssh_port = Some(0);
    let service = LocalService::start(config).await.unwrap();
    create_repository(&service, "demo").await;
    let port = service.ssh_port().unwrap();
    let known_hosts = dir.path().join("known_hosts");
    let ssh = ssh_command(&alice.private, &known_hosts, "accept-new", port);
    let body = std::fs::read_to_string(alice.private.with_extension("pub")).unwrap();
    let uploaded = aws_iam(
        dir.path(),
        &service,
        &[
            "upload-ssh-public-key",
            "--user-name",
            "alice",
            "--ssh-public-key-body",
            body.trim(),
        ],
    )
    .await;
    let key_id = uploaded["SSHPublicKey"]["SSHPublicKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let set_status = async |status: &str| {
        aws_iam(
            dir.path(),
            &service,
            &[
                "update-ssh-public-key",
                "--user-name",
                "alice",
                "--ssh-public-key-id",
                &key_id,
                "--status",
                status,
            ],
        )
        .await;
    };
    let repo_url = url(&service, &key_id, "demo");
    let work = dir.path().join("work");

    // Uploaded and active: clone, commit, push.
    ok(&git_over_ssh(
        dir.path(),
        &ssh,
        &["clone", "-q", &repo_url, work.to_str().unwrap()],
    )
    .await);
    std::fs::write(work.join("a.txt"), "a\n").unwrap();
    ok(&git_over_ssh(&work, &ssh, &["add", "a.txt"]).await);
    ok(&git_over_ssh(&work, &ssh, &["commit", "-q", "-m", "uploaded key"]).await);
    ok(&git_over_ssh(&work, &ssh, &["push", "-q", "origin", "HEAD:master"]).await);

    let refused = async || {
        let out = git_over_ssh(dir.path(), &ssh, &["ls-remote", &repo_url]).await;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        !out.status.success() && stderr.contains("Permission denied (publickey)")
    };
    set_status("Inactive").await;
    assert!(refused().await, "an inactive key got in");
    set_status("Active").await;
    ok(&git_over_ssh(dir.path(), &ssh, &["ls-remote", &repo_url]).await);
    aws_iam(
        dir.path(),
        &service,
        &[
            "delete-ssh-public-key",
            "--user-name",
            "alice",
            "--ssh-public-key-id",
            &key_id,
        ],
    )
    .await;
    assert!(refused().await, "a deleted key got in");
}

/// The demo runs the SSH endpoint too, hands out its URL, and keeps its port and host key
/// across runs (SSH clones made in the demo keep working after a restart).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_serves_ssh_on_the_same_port_and_host_key_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let service = cctui::local::start_demo(dir.path(), false).await.unwrap();
    let port = service
        .ssh_port()
        .expect("the demo starts the SSH endpoint");
    let fingerprint = service.ssh_host_key_fingerprint().unwrap().to_string();
    let meta = support::demo_client(&service)
        .get_repository()
        .repository_name("cctui-demo")
        .send()
        .await
        .unwrap();
    assert_eq!(
        meta.repository_metadata().unwrap().clone_url_ssh(),
        Some(format!("ssh://127.0.0.1:{port}/v1/repos/cctui-demo").as_str())
    );
    service.shutdown().await;
    let again = cctui::local::start_demo(dir.path(), false).await.unwrap();
    assert_eq!(again.ssh_port(), Some(port));
    assert_eq!(again.ssh_host_key_fingerprint(), Some(fingerprint.as_str()));
}
