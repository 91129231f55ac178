//! IAM and STS of the local service, driven by the AWS CLI (botocore's own query-protocol
//! client, which we did not write): identities, SSH public keys, service-specific credentials,
//! and HTTPS git with those credentials. `.ci/run` installs the AWS CLI; on a machine without
//! it these tests say so and return.
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

/// Whether the AWS CLI is here (under `CI=true` it must be).
fn aws_cli() -> bool {
    aws_cli_support::aws_cli_present()
}

/// Who runs the CLI: the demo's alice, bob, or a profile of a credentials file.
#[derive(Clone)]
enum As {
    Alice,
    Bob,
    Key(String, String),
    Profile(std::path::PathBuf, String),
}

/// Runs `aws --endpoint-url <endpoint> --output json <args>` with an empty home.
fn aws(home: &Path, endpoint: &str, who: &As, args: &[&str]) -> Output {
    let mut command = Command::new("aws");
    command
        .args(["--endpoint-url", endpoint, "--output", "json"])
        .args(args)
        .env("HOME", home)
        .env("AWS_DEFAULT_REGION", DEMO_REGION)
        .env("AWS_REGION", DEMO_REGION)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        // One try per call: every error must be the service's own answer.
        .env("AWS_MAX_ATTEMPTS", "1")
        .stdin(Stdio::null());
    match who {
        As::Alice => {
            command
                .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY);
        }
        As::Bob => {
            command
                .env("AWS_ACCESS_KEY_ID", DEMO_BOB_ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", DEMO_BOB_SECRET_ACCESS_KEY);
        }
        As::Key(key, secret) => {
            command
                .env("AWS_ACCESS_KEY_ID", key)
                .env("AWS_SECRET_ACCESS_KEY", secret);
        }
        As::Profile(file, name) => {
            command
                .env("AWS_SHARED_CREDENTIALS_FILE", file)
                .env("AWS_PROFILE", name);
        }
    }
    command.output().unwrap()
}

/// The CLI's JSON answer; fails the test with the CLI's stderr when the call failed.
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

/// Asserts the call failed with `code`, as the CLI prints it: `An error occurred (CODE)`.
fn fails_with(output: &Output, code: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "expected {code}, the call worked");
    assert!(
        stderr.contains(&format!("An error occurred ({code})")),
        "expected {code}: {stderr}"
    );
    stderr
}

/// Runs the CLI off the async workers.
async fn run(home: &Path, endpoint: &str, who: &As, args: &[&str]) -> Output {
    let (home, endpoint, who) = (home.to_path_buf(), endpoint.to_string(), who.clone());
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        aws(&home, &endpoint, &who, &args)
    })
    .await
    .unwrap()
}

async fn start(data: &Path) -> RunningService {
    LocalService::start(ServiceConfig::new(data)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_and_get_user_answer_the_signing_users_identity() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data")).await;
    let (home, endpoint) = (dir.path(), service.endpoint());

    let alice = ok(&run(home, &endpoint, &As::Alice, &["sts", "get-caller-identity"]).await);
    assert_eq!(alice["Account"], DEMO_ACCOUNT_ID, "{alice}");
    assert_eq!(
        alice["Arn"],
        format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/alice")
    );
    let user_id = alice["UserId"].as_str().unwrap().to_string();
    assert!(
        user_id.starts_with("AIDA") && user_id.len() == 21,
        "{user_id}"
    );
    let bob = ok(&run(home, &endpoint, &As::Bob, &["sts", "get-caller-identity"]).await);
    assert_eq!(
        bob["Arn"],
        format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/bob")
    );
    assert_ne!(bob["UserId"], alice["UserId"]);

    let user = ok(&run(home, &endpoint, &As::Alice, &["iam", "get-user"]).await);
    assert_eq!(user["User"]["UserName"], "alice", "{user}");
    assert_eq!(user["User"]["UserId"], user_id.as_str());
    assert_eq!(user["User"]["Path"], "/");
    let out = run(
        home,
        &endpoint,
        &As::Alice,
        &["iam", "get-user", "--user-name", "bob"],
    )
    .await;
    fails_with(&out, "AccessDenied");
    let out = run(
        home,
        &endpoint,
        &As::Alice,
        &["iam", "get-user", "--user-name", "nobody"],
    )
    .await;
    fails_with(&out, "NoSuchEntity");

    // A key the service does not know, and a wrong secret, in the query services' words.
    let stranger = As::Key("AKIAUNKNOWNKEY000000".into(), "x".into());
    let out = run(home, &endpoint, &stranger, &["sts", "get-caller-identity"]).await;
    fails_with(&out, "InvalidClientTokenId");
    let wrong = As::Key(DEMO_ACCESS_KEY_ID.into(), "wrong".into());
    let out = run(home, &endpoint, &wrong, &["iam", "get-user"]).await;
    fails_with(&out, "SignatureDoesNotMatch");

    // The ids survive a restart (they are in the data directory, not made up per run).
    service.shutdown().await;
    let service = start(&dir.path().join("data")).await;
    let again = ok(&run(
        home,
        &service.endpoint(),
        &As::Alice,
        &["sts", "get-caller-identity"],
    )
    .await);
    assert_eq!(again["UserId"], user_id.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_user_adds_users_whose_keys_go_to_a_file_not_the_banner() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let state = dir.path().join("state");
    let served = tokio::task::spawn_blocking({
        let (data, state) = (data.clone(), state.clone());
        move || support::serve_binary(&data, &state, &["--user", "carol", "--user", "dave"], &[])
    })
    .await
    .unwrap();
    let file = data.join("users.credentials");
    let text = std::fs::read_to_string(&file).unwrap();
    let secret_line = text
        .lines()
        .find(|l| l.starts_with("aws_secret_access_key"))
        .unwrap();
    let secret = secret_line.split('=').nth(1).unwrap().trim();
    assert!(!served.banner.contains(secret), "{}", served.banner);
    assert!(
        served.banner.contains(file.to_str().unwrap()) && served.banner.contains("carol, dave"),
        "{}",
        served.banner
    );
    let endpoint = format!("http://127.0.0.1:{}", served.port);
    let carol = As::Profile(file.clone(), "carol".into());
    let identity = ok(&run(
        dir.path(),
        &endpoint,
        &carol,
        &["sts", "get-caller-identity"],
    )
    .await);
    assert_eq!(
        identity["Arn"],
        format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/carol")
    );
    let dave = As::Profile(file, "dave".into());
    let user = ok(&run(dir.path(), &endpoint, &dave, &["iam", "get-user"]).await);
    assert_eq!(user["User"]["UserName"], "dave");
    drop(served);
    // Nor in the logs.
    for entry in walk(&state) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "a user's secret key is in {}",
            entry.display()
        );
    }
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// A fresh key pair made by `ssh-keygen`; answers the public key line.
fn keygen(dir: &Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(args)
        .args(["-q", "-N", "", "-C", &format!("{name}@test"), "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(path.with_extension("pub"))
        .unwrap()
        .trim()
        .to_string()
}

/// What `ssh-keygen` says of a public key: its MD5 fingerprint, and its PKCS#8 PEM form.
fn keygen_views(dir: &Path, name: &str) -> (String, String) {
    let public = dir.join(name).with_extension("pub");
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "md5", "-f"])
        .arg(&public)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let fingerprint = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("MD5:"))
        .unwrap()
        .to_string();
    let out = Command::new("ssh-keygen")
        .args(["-e", "-m", "PKCS8", "-f"])
        .arg(&public)
        .output()
        .unwrap();
    (
        fingerprint,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_public_keys_upload_list_get_update_delete_like_iam() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let data = dir.path().join("data");
    let service = start(&data).await;
    let (home, endpoint) = (dir.path(), service.endpoint());
    let upload = |body: String| {
        let endpoint = endpoint.clone();
        async move {
            run(
                home,
                &endpoint,
                &As::Alice,
                &[
                    "iam",
                    "upload-ssh-public-key",
                    "--user-name",
                    "alice",
                    "--ssh-public-key-body",
                    &body,
                ],
            )
            .await
        }
    };

    let rsa = keygen(&keys, "rsa", &["-t", "rsa", "-b", "2048"]);
    let uploaded = ok(&upload(rsa.clone()).await);
    let key = &uploaded["SSHPublicKey"];
    let rsa_id = key["SSHPublicKeyId"].as_str().unwrap().to_string();
    assert!(
        rsa_id.len() == 20
            && rsa_id.starts_with("APKA")
            && rsa_id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()),
        "{rsa_id}"
    );
    let (fingerprint, pem) = keygen_views(&keys, "rsa");
    assert_eq!(key["Fingerprint"], fingerprint.as_str(), "{uploaded}");
    assert_eq!(key["Status"], "Active");
    assert_eq!(key["UserName"], "alice");
    assert_eq!(key["SSHPublicKeyBody"], rsa.as_str());

    // The same key again, a non-key, a short RSA key, a key type IAM does not take.
    fails_with(&upload(rsa.clone()).await, "DuplicateSSHPublicKey");
    fails_with(
        &upload("not a key at all".into()).await,
        "UnrecognizedPublicKeyEncoding",
    );
    let short = keygen(&keys, "short", &["-t", "rsa", "-b", "1024"]);
    let stderr = fails_with(&upload(short).await, "InvalidPublicKey");
    assert!(stderr.contains("2048"), "{stderr}");
    let ecdsa = keygen(&keys, "ecdsa", &["-t", "ecdsa"]);
    fails_with(&upload(ecdsa).await, "InvalidPublicKey");
    // IAM takes RSA only ("ssh-rsa format or PEM format"): ed25519 is refused as by AWS.
    let ed25519 = keygen(&keys, "ed25519", &["-t", "ed25519"]);
    let stderr = fails_with(&upload(ed25519).await, "InvalidPublicKey");
    assert!(stderr.contains("RSA"), "{stderr}");
    let broken = format!("{} {}", "ssh-ed25519", "AAAAC3NzaC1lZDI1NTE5AAAAIBroken");
    fails_with(&upload(broken).await, "InvalidPublicKey");

    // Four more (five in all), then the sixth is over IAM's quota.
    let mut ed_keys = Vec::new();
    for n in 0..4 {
        let line = keygen(&keys, &format!("more{n}"), &["-t", "rsa", "-b", "2048"]);
        let answer = ok(&upload(line.clone()).await);
        ed_keys.push((
            answer["SSHPublicKey"]["SSHPublicKeyId"]
                .as_str()
                .unwrap()
                .to_string(),
            line,
        ));
    }
    let sixth = keygen(&keys, "sixth", &["-t", "rsa", "-b", "2048"]);
    fails_with(&upload(sixth).await, "LimitExceeded");

    // Listing follows IAM's Marker paging (the CLI fetches pages of two and joins them).
    let listed = ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &["iam", "list-ssh-public-keys", "--page-size", "2"],
    )
    .await);
    let ids: Vec<&str> = listed["SSHPublicKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["SSHPublicKeyId"].as_str().unwrap())
        .collect();
    let mut expected = vec![rsa_id.as_str()];
    expected.extend(ed_keys.iter().map(|(id, _)| id.as_str()));
    assert_eq!(ids, expected, "{listed}");
    let first_page = ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &["iam", "list-ssh-public-keys", "--max-items", "2"],
    )
    .await);
    assert_eq!(first_page["SSHPublicKeys"].as_array().unwrap().len(), 2);
    assert!(first_page["NextToken"].is_string(), "{first_page}");

    // Bob sees none of them, and may not look at alice's.
    let bobs = ok(&run(home, &endpoint, &As::Bob, &["iam", "list-ssh-public-keys"]).await);
    assert_eq!(bobs["SSHPublicKeys"].as_array().unwrap().len(), 0, "{bobs}");
    let out = run(
        home,
        &endpoint,
        &As::Bob,
        &["iam", "list-ssh-public-keys", "--user-name", "alice"],
    )
    .await;
    fails_with(&out, "AccessDenied");
    let out = run(
        home,
        &endpoint,
        &As::Alice,
        &["iam", "list-ssh-public-keys", "--user-name", "nobody"],
    )
    .await;
    fails_with(&out, "NoSuchEntity");

    // Both encodings, as ssh-keygen writes them.
    let get = |id: String, encoding: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            run(
                home,
                &endpoint,
                &As::Alice,
                &[
                    "iam",
                    "get-ssh-public-key",
                    "--user-name",
                    "alice",
                    "--ssh-public-key-id",
                    &id,
                    "--encoding",
                    encoding,
                ],
            )
            .await
        }
    };
    let got = ok(&get(rsa_id.clone(), "PEM").await);
    assert_eq!(
        got["SSHPublicKey"]["SSHPublicKeyBody"]
            .as_str()
            .unwrap()
            .trim(),
        pem.trim()
    );
    let got = ok(&get(rsa_id.clone(), "SSH").await);
    assert_eq!(got["SSHPublicKey"]["SSHPublicKeyBody"], rsa.as_str());

    // The SSH endpoint's check follows the status.
    let (ed_id, ed_line) = ed_keys[0].clone();
    let ed_b64 = ed_line.split_whitespace().nth(1).unwrap().to_string();
    let iam = service.iam();
    assert!(iam.ssh_key_allows(&ed_id, "ssh-rsa", &ed_b64));
    assert!(
        !iam.ssh_key_allows(&rsa_id, "ssh-rsa", &ed_b64),
        "another key's id"
    );
    assert!(
        !iam.ssh_key_allows(&ed_id, "ssh-ed25519", &ed_b64),
        "another type"
    );
    let update = |status: &'static str| {
        let (endpoint, id) = (endpoint.clone(), ed_id.clone());
        async move {
            run(
                home,
                &endpoint,
                &As::Alice,
                &[
                    "iam",
                    "update-ssh-public-key",
                    "--user-name",
                    "alice",
                    "--ssh-public-key-id",
                    &id,
                    "--status",
                    status,
                ],
            )
            .await
        }
    };
    ok(&update("Inactive").await);
    assert!(!iam.ssh_key_allows(&ed_id, "ssh-rsa", &ed_b64));
    let listed = ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &["iam", "list-ssh-public-keys"],
    )
    .await);
    assert_eq!(listed["SSHPublicKeys"][1]["Status"], "Inactive", "{listed}");
    ok(&update("Active").await);
    assert!(iam.ssh_key_allows(&ed_id, "ssh-rsa", &ed_b64));
    ok(&update("Inactive").await);

    // Delete, then the key is gone for every action; deleting twice is NoSuchEntity.
    let delete = |id: String| {
        let endpoint = endpoint.clone();
        async move {
            run(
                home,
                &endpoint,
                &As::Alice,
                &[
                    "iam",
                    "delete-ssh-public-key",
                    "--user-name",
                    "alice",
                    "--ssh-public-key-id",
                    &id,
                ],
            )
            .await
        }
    };
    ok(&delete(rsa_id.clone()).await);
    fails_with(&delete(rsa_id.clone()).await, "NoSuchEntity");
    fails_with(&get(rsa_id.clone(), "SSH").await, "NoSuchEntity");
    let out = run(
        home,
        &endpoint,
        &As::Bob,
        &[
            "iam",
            "delete-ssh-public-key",
            "--user-name",
            "bob",
            "--ssh-public-key-id",
            &ed_keys[1].0,
        ],
    )
    .await;
    fails_with(&out, "NoSuchEntity");

    // What was acknowledged survives a restart: four keys, the first still Inactive.
    service.shutdown().await;
    let service = start(&data).await;
    let listed = ok(&run(
        home,
        &service.endpoint(),
        &As::Alice,
        &["iam", "list-ssh-public-keys"],
    )
    .await);
    let statuses: Vec<&str> = listed["SSHPublicKeys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["Status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["Inactive", "Active", "Active", "Active"],
        "{listed}"
    );
    assert!(!service.iam().ssh_key_allows(&ed_id, "ssh-rsa", &ed_b64));
    assert!(service.iam().ssh_key_allows(
        &ed_keys[1].0,
        "ssh-rsa",
        ed_keys[1].1.split_whitespace().nth(1).unwrap()
    ));
}

/// `git <args>` in `dir` with HTTPS credentials given only through `GIT_ASKPASS` (a script
/// reading them from the environment): never in the URL, the config or the command line.
fn git_askpass(dir: &Path, askpass: &Path, user: &str, password: &str, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .env("GIT_ASKPASS", askpass)
        .env("TEST_GIT_USER", user)
        .env("TEST_GIT_PASSWORD", password)
        .env_remove("SSH_ASKPASS")
        .output()
        .unwrap()
}

fn askpass_script(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("askpass.sh");
    std::fs::write(
        &path,
        "#!/bin/sh\ncase \"$1\" in\n  Username*) printf '%s\\n' \"$TEST_GIT_USER\" ;;\n  *) printf '%s\\n' \"$TEST_GIT_PASSWORD\" ;;\nesac\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_specific_credentials_open_https_git_until_deactivated_reset_or_deleted() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut service = start(&data).await;
    let (home, endpoint) = (dir.path(), service.endpoint());
    let create = |who: As, service_name: &'static str| {
        let endpoint = endpoint.clone();
        let user = if matches!(who, As::Bob) {
            "bob"
        } else {
            "alice"
        };
        async move {
            run(
                home,
                &endpoint,
                &who,
                &[
                    "iam",
                    "create-service-specific-credential",
                    "--user-name",
                    user,
                    "--service-name",
                    service_name,
                ],
            )
            .await
        }
    };
    let created = ok(&create(As::Alice, "codecommit.amazonaws.com").await);
    let credential = &created["ServiceSpecificCredential"];
    assert_eq!(
        credential["ServiceUserName"],
        format!("alice-at-{DEMO_ACCOUNT_ID}"),
        "{created}"
    );
    assert_eq!(credential["ServiceName"], "codecommit.amazonaws.com");
    assert_eq!(credential["Status"], "Active");
    assert_eq!(credential["UserName"], "alice");
    let id = credential["ServiceSpecificCredentialId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("ACCA") && id.len() == 21, "{id}");
    let git_user = credential["ServiceUserName"].as_str().unwrap().to_string();
    let password = credential["ServicePassword"].as_str().unwrap().to_string();
    assert!(password.len() >= 40, "{created}");
    let state = std::fs::read_to_string(data.join("iam.json")).unwrap();
    assert!(
        !state.contains(&password),
        "the password is on disk: {state}"
    );

    // A second one is allowed, a third is over the quota; other services are not served.
    let second = ok(&create(As::Alice, "codecommit.amazonaws.com").await);
    // IAM names a second credential of the same user `<user>+1-at-<account>`.
    assert_eq!(
        second["ServiceSpecificCredential"]["ServiceUserName"],
        format!("alice+1-at-{DEMO_ACCOUNT_ID}"),
        "{second}"
    );
    fails_with(
        &create(As::Alice, "codecommit.amazonaws.com").await,
        "LimitExceeded",
    );
    fails_with(
        &create(As::Alice, "s3.amazonaws.com").await,
        "NotSupportedService",
    );
    let listed = ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &[
            "iam",
            "list-service-specific-credentials",
            "--service-name",
            "codecommit.amazonaws.com",
        ],
    )
    .await);
    let items = listed["ServiceSpecificCredentials"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{listed}");
    assert!(
        items.iter().all(|c| c.get("ServicePassword").is_none()),
        "{listed}"
    );
    let bobs = ok(&run(
        home,
        &endpoint,
        &As::Bob,
        &["iam", "list-service-specific-credentials"],
    )
    .await);
    assert_eq!(
        bobs["ServiceSpecificCredentials"].as_array().unwrap().len(),
        0,
        "{bobs}"
    );
    let out = run(
        home,
        &endpoint,
        &As::Bob,
        &[
            "iam",
            "delete-service-specific-credential",
            "--service-specific-credential-id",
            &id,
        ],
    )
    .await;
    fails_with(&out, "NoSuchEntity");
    // A repository with a commit, pushed with the credential.
    ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &[
            "codecommit",
            "create-repository",
            "--repository-name",
            "web",
        ],
    )
    .await);
    let askpass = askpass_script(dir.path());
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    support::work_tree(&work, "main", 2);
    let url = service.clone_url("web");
    let push = git_askpass(
        &work,
        &askpass,
        &git_user,
        &password,
        &["push", "-q", &url, "main"],
    );
    assert!(
        push.status.success(),
        "{}",
        String::from_utf8_lossy(&push.stderr)
    );

    let clone = |url: &str, password: &str, name: &str| {
        let target = dir.path().join(name);
        let out = git_askpass(
            dir.path(),
            &askpass,
            &git_user,
            password,
            &["clone", "-q", url, target.to_str().unwrap()],
        );
        (out, target)
    };
    let (out, target) = clone(&url, &password, "c1");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(target.join("file.txt").exists());
    // The second credential opens git too, under its own name, until deleted.
    let second_user = second["ServiceSpecificCredential"]["ServiceUserName"]
        .as_str()
        .unwrap();
    let second_password = second["ServiceSpecificCredential"]["ServicePassword"]
        .as_str()
        .unwrap();
    let target = dir.path().join("second");
    let out = git_askpass(
        dir.path(),
        &askpass,
        second_user,
        second_password,
        &["clone", "-q", &url, target.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = git_askpass(
        dir.path(),
        &askpass,
        second_user,
        &password,
        &[
            "clone",
            "-q",
            &url,
            dir.path().join("mixed").to_str().unwrap(),
        ],
    );
    assert!(
        !out.status.success(),
        "the first credential's password opened the second's name"
    );
    let second_id = second["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &[
            "iam",
            "delete-service-specific-credential",
            "--service-specific-credential-id",
            &second_id,
        ],
    )
    .await);

    let out = git_askpass(
        dir.path(),
        &askpass,
        second_user,
        second_password,
        &[
            "clone",
            "-q",
            &url,
            dir.path().join("second-gone").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "a deleted credential cloned");
    let (out, _) = clone(&url, "not-the-password", "c2");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let set_status = |status: &'static str| {
        let (endpoint, id) = (endpoint.clone(), id.clone());
        async move {
            run(
                home,
                &endpoint,
                &As::Alice,
                &[
                    "iam",
                    "update-service-specific-credential",
                    "--service-specific-credential-id",
                    &id,
                    "--status",
                    status,
                ],
            )
            .await
        }
    };
    ok(&set_status("Inactive").await);
    let (out, _) = clone(&url, &password, "c3");
    assert!(!out.status.success(), "an inactive credential cloned");
    ok(&set_status("Active").await);
    let (out, _) = clone(&url, &password, "c4");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Reset: a new password, the old one refused; both survive a restart.
    let reset = ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &[
            "iam",
            "reset-service-specific-credential",
            "--service-specific-credential-id",
            &id,
        ],
    )
    .await);
    let new_password = reset["ServiceSpecificCredential"]["ServicePassword"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_password, password);
    service.shutdown().await;
    service = start(&data).await;
    let (endpoint, url) = (service.endpoint(), service.clone_url("web"));
    let (out, _) = clone(&url, &password, "c5");
    assert!(
        !out.status.success(),
        "the password before the reset still works"
    );
    let (out, _) = clone(&url, &new_password, "c6");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Deleted: refused, and the IAM git password (SigV4) path still works beside it.
    ok(&run(
        home,
        &endpoint,
        &As::Alice,
        &[
            "iam",
            "delete-service-specific-credential",
            "--service-specific-credential-id",
            &id,
        ],
    )
    .await);
    let failures = service.stats().auth_failures();
    let (out, _) = clone(&url, &new_password, "c7");
    assert!(!out.status.success(), "a deleted credential cloned");
    assert!(service.stats().auth_failures() > failures);
    let host = format!("127.0.0.1:{}", service.port());
    let iam_password = support::git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/web",
        &host,
        cctui::local::api::unix_now(),
    );
    let target = dir.path().join("c8");
    let out = git_askpass(
        dir.path(),
        &askpass,
        DEMO_ACCESS_KEY_ID,
        &iam_password,
        &["clone", "-q", &url, target.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `POST /` with a form `body`, signed by hand for `service` in `region` with the demo key
/// (content-type, host and x-amz-date signed, as botocore does); answers (status, body).
async fn query_call(port: u16, service: &str, region: &str, body: &str) -> (u16, String) {
    use cctui::sigv4::{
        format_amz_date, hex_lower, hmac_sha256, sha256_hex, signing_key, string_to_sign,
    };
    let amz_date = format_amz_date(cctui::local::api::unix_now());
    let date = &amz_date[..8];
    let host = format!("127.0.0.1:{port}");
    let content_type = "application/x-www-form-urlencoded; charset=utf-8";
    let canonical = format!(
        "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-amz-date:{amz_date}\n\ncontent-type;host;x-amz-date\n{}",
        sha256_hex(body.as_bytes())
    );
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let to_sign = string_to_sign(&amz_date, &scope, &sha256_hex(canonical.as_bytes()));
    let signature = hex_lower(&hmac_sha256(
        &signing_key(DEMO_SECRET_ACCESS_KEY, date, region, service),
        to_sign.as_bytes(),
    ));
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Date: {amz_date}\r\nContent-Type: {content_type}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={DEMO_ACCESS_KEY_ID}/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (status, _, body) = support::raw_http(port, &request, body.as_bytes()).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_requests_are_routed_by_their_scope_and_answer_aws_shaped_xml() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path().join("data"));
    // A service in another region: IAM (global) may be signed for us-east-1 or this region.
    config.region = "eu-west-3".into();
    config.max_api_body_bytes = 4096;
    let service = LocalService::start(config).await.unwrap();
    let port = service.port();

    let (status, body) = query_call(
        port,
        "sts",
        "eu-west-3",
        "Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>")
            && body.contains(&format!("<Arn>arn:aws:iam::{DEMO_ACCOUNT_ID}:user/alice</Arn>"))
            && body.contains("<ResponseMetadata><RequestId>"),
        "{body}"
    );
    for region in ["us-east-1", "eu-west-3"] {
        let (status, body) =
            query_call(port, "iam", region, "Action=GetUser&Version=2010-05-08").await;
        assert_eq!(status, 200, "{region}: {body}");
        assert!(body.contains("<UserName>alice</UserName>"), "{body}");
    }
    let (status, body) = query_call(
        port,
        "iam",
        "ap-south-1",
        "Action=GetUser&Version=2010-05-08",
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );

    // Errors: AWS's XML shape, Sender or Receiver, the request id.
    let (status, body) = query_call(port, "iam", "us-east-1", "Action=CreateUser&UserName=x").await;
    assert_eq!(status, 400);
    assert!(
        body.contains("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>InvalidAction</Code>")
            && body.contains("</Error><RequestId>"),
        "{body}"
    );
    let (status, body) = query_call(port, "iam", "us-east-1", "Version=2010-05-08").await;
    assert_eq!(
        (status, body.contains("<Code>MissingParameter</Code>")),
        (400, true),
        "{body}"
    );
    let (status, body) = query_call(
        port,
        "iam",
        "us-east-1",
        "Action=UploadSSHPublicKey&UserName=a%20b&SSHPublicKeyBody=x",
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("<Code>ValidationError</Code>") && body.contains("at 'userName'"),
        "{body}"
    );
    let (status, body) = query_call(
        port,
        "iam",
        "us-east-1",
        "Action=GetUser&UserName=%3Cbob%3E",
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("Value '&lt;bob&gt;'"), "escaped: {body}");
    let big = format!("Action=GetUser&Pad={}", "x".repeat(5000));
    let (status, body) = query_call(port, "iam", "us-east-1", &big).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("<ErrorResponse"), "{body}");

    // Injected faults answer in the query services' words.
    service.faults().set_throttle_rate(1.0);
    let (status, body) = query_call(port, "sts", "eu-west-3", "Action=GetCallerIdentity").await;
    assert_eq!(status, 400);
    assert!(body.contains("<Code>Throttling</Code>"), "{body}");
    service.faults().clear();

    // Unsigned: the query error, not CodeCommit's JSON.
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 24\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = support::raw_http(port, &request, b"Action=GetCallerIdentity").await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("<Code>MissingAuthenticationToken</Code>"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_finds_the_service_through_aws_endpoint_url_variables() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data")).await;
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();
    let outputs = tokio::task::spawn_blocking(move || {
        [
            ("AWS_ENDPOINT_URL_STS", vec!["sts", "get-caller-identity"]),
            ("AWS_ENDPOINT_URL_IAM", vec!["iam", "get-user"]),
            ("AWS_ENDPOINT_URL", vec!["iam", "list-ssh-public-keys"]),
        ]
        .map(|(variable, args)| {
            Command::new("aws")
                .args(["--output", "json"])
                .args(&args)
                .env("HOME", &home)
                .env("AWS_CONFIG_FILE", home.join("none"))
                .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
                .env_remove("AWS_PROFILE")
                .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
                .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
                .env("AWS_DEFAULT_REGION", DEMO_REGION)
                .env("AWS_MAX_ATTEMPTS", "1")
                .env(variable, &endpoint)
                .stdin(Stdio::null())
                .output()
                .unwrap()
        })
    })
    .await
    .unwrap();
    let identity = ok(&outputs[0]);
    assert_eq!(
        identity["Arn"],
        format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/alice")
    );
    assert_eq!(ok(&outputs[1])["User"]["UserName"], "alice");
    assert!(ok(&outputs[2])["SSHPublicKeys"].is_array());
}
