//! `cctui credential-helper` driven by the real git CLI against the local service over loopback,
//! and its protocol spoken directly. Every git runs sandboxed: no system or global config, no
//! prompts, a temporary HOME, and no AWS_* variable from the developer's environment.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_cli.rs"]
mod aws_cli_support;
#[path = "support/local.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cctui::local::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService,
    RunningService, ServiceConfig,
};
use support::{create_demo_repository, work_tree};

const BIN: &str = env!("CARGO_BIN_EXE_cctui");

/// Environment for the helper: a temporary HOME with its `~/.aws/config`, plus `vars`.
struct Env {
    home: PathBuf,
    vars: Vec<(&'static str, String)>,
    helper_args: String,
    use_http_path: bool,
}

impl Env {
    fn new(home: &Path) -> Env {
        std::fs::create_dir_all(home.join(".aws")).unwrap();
        Env {
            home: home.to_path_buf(),
            vars: Vec::new(),
            helper_args: String::new(),
            use_http_path: true,
        }
    }

    /// The demo keys and region in the environment.
    fn demo_keys(home: &Path) -> Env {
        Env::new(home)
            .var("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
            .var("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
            .var("AWS_REGION", DEMO_REGION)
    }

    fn var(mut self, name: &'static str, value: &str) -> Env {
        self.vars.push((name, value.to_string()));
        self
    }

    fn apply(&self, command: &mut Command) {
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_") {
                command.env_remove(name);
            }
        }
        command
            .env("HOME", &self.home)
            .env("AWS_CONFIG_FILE", self.home.join(".aws/config"))
            // Fail fast instead of probing instance metadata when a test removes credentials.
            .env("AWS_EC2_METADATA_DISABLED", "true");
        for (name, value) in &self.vars {
            command.env(name, value);
        }
    }

    /// Runs git with only this helper configured.
    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let helper = format!("!{BIN} credential-helper{}", self.helper_args);
        let mut command = Command::new("git");
        command.arg("-c").arg(format!("credential.helper={helper}"));
        if self.use_http_path {
            command.args(["-c", "credential.useHttpPath=true"]);
        }
        command
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS");
        self.apply(&mut command);
        command.output().unwrap()
    }

    /// Spawns the helper itself with `input` on stdin.
    fn helper(&self, args: &[&str], input: &str) -> Output {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.apply(&mut command);
        let mut child = command.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn field(stdout: &[u8], name: &str) -> Option<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_string))
}

async fn start(data: &Path, credentials: Vec<Credential>) -> RunningService {
    let mut config = ServiceConfig::new(data);
    config.credentials = credentials;
    LocalService::start(config).await.unwrap()
}

async fn create(service: &RunningService, name: &str) {
    create_demo_repository(service, name).await;
}

/// Pushes a 2-commit `main` to `url` and clones it back into `<dir>/clone`, through the helper.
fn push_and_clone(env: &Env, dir: &Path, url: &str) -> PathBuf {
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    work_tree(&work, "main", 2);
    let out = env.git(&work, &["push", "-q", url, "main"]);
    assert!(out.status.success(), "push failed: {}", stderr(&out));
    let clone = dir.join("clone");
    let out = env.git(dir, &["clone", "-q", url, clone.to_str().unwrap()]);
    assert!(out.status.success(), "clone failed: {}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(clone.join("file.txt")).unwrap(),
        "line 1\n"
    );
    clone
}

/// Neither the clone's nor the work tree's `.git/config` holds a key, token or password.
fn assert_no_secret_stored(dirs: &[&Path], secrets: &[&str]) {
    for dir in dirs {
        let config = std::fs::read_to_string(dir.join(".git/config")).unwrap();
        for secret in secrets {
            assert!(
                !config.contains(secret),
                "{} holds a secret:\n{config}",
                dir.display()
            );
        }
        assert!(
            !config.contains('@') && !config.to_lowercase().contains("password"),
            "{} holds credentials:\n{config}",
            dir.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn git_pushes_and_clones_through_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data"), vec![Credential::demo()]).await;
    create(&service, "helped").await;
    let url = service.clone_url("helped");
    let before = service.stats_snapshot();

    let root = dir.path().to_path_buf();
    let clone = tokio::task::spawn_blocking(move || {
        let env = Env::demo_keys(&root.join("home"));
        push_and_clone(&env, &root, &url)
    })
    .await
    .unwrap();

    let after = service.stats_snapshot();
    assert_eq!(after.git_auth_failures, before.git_auth_failures);
    // Push (info/refs + receive-pack) and clone (info/refs + upload-pack) all authenticated.
    assert!(
        after.git_auth_successes - before.git_auth_successes >= 4,
        "{after:?}"
    );
    assert_no_secret_stored(
        &[&clone, &dir.path().join("work")],
        &[DEMO_SECRET_ACCESS_KEY, DEMO_ACCESS_KEY_ID],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_wrong_secret_fails_after_a_bounded_number_of_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data"), vec![Credential::demo()]).await;
    create(&service, "guarded").await;
    let url = service.clone_url("guarded");
    let before = service.stats_snapshot();

    let root = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let env = Env::demo_keys(&root.join("home")).var(
            "AWS_SECRET_ACCESS_KEY",
            "wrongSecretKey/NotTheDemoOne0000000000000",
        );
        let out = env.git(&root, &["clone", "-q", &url, "clone"]);
        assert!(
            !root.join("clone").exists(),
            "a failed clone leaves nothing"
        );
        out
    })
    .await
    .unwrap();

    assert!(!out.status.success(), "the clone must fail");
    let text = stderr(&out);
    assert!(text.contains("403"), "{text}");
    assert!(!text.contains("wrongSecretKey"), "{text}");
    let after = service.stats_snapshot();
    let failures = after.git_auth_failures - before.git_auth_failures;
    assert!((1..=2).contains(&failures), "{failures} failed attempts");
    assert_eq!(after.git_auth_successes, before.git_auth_successes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_use_http_path_the_helper_fails_with_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data"), vec![Credential::demo()]).await;
    create(&service, "pathless").await;
    let url = service.clone_url("pathless");
    let before = service.stats().git_auth_attempts();

    let root = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let mut env = Env::demo_keys(&root.join("home"));
        env.use_http_path = false;
        env.git(&root, &["clone", "-q", &url, "clone"])
    })
    .await
    .unwrap();

    assert!(!out.status.success());
    let text = stderr(&out);
    assert!(
        text.contains("git config --global credential.useHttpPath true"),
        "{text}"
    );
    // The helper answered nothing, so git sent no credentials at all.
    assert_eq!(service.stats().git_auth_attempts(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_profile_from_the_credentials_file_is_used_with_its_region() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data"), vec![Credential::demo()]).await;
    create(&service, "profiled").await;
    let url = service.clone_url("profiled");

    let root = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let home = root.join("home");
        let mut env = Env::new(&home);
        // The default profile has a wrong secret: only `--profile ci` can succeed. The region
        // comes from the profile (no AWS_REGION, no --region).
        std::fs::write(
            home.join(".aws/credentials"),
            format!(
                "[default]\naws_access_key_id = {DEMO_ACCESS_KEY_ID}\naws_secret_access_key = wrong\n\n\
                 [ci]\naws_access_key_id = {DEMO_ACCESS_KEY_ID}\naws_secret_access_key = {DEMO_SECRET_ACCESS_KEY}\n"
            ),
        )
        .unwrap();
        std::fs::write(
            home.join(".aws/config"),
            format!("[default]\nregion = {DEMO_REGION}\n\n[profile ci]\nregion = {DEMO_REGION}\n"),
        )
        .unwrap();

        let out = env.git(&root, &["clone", "-q", &url, "with-default"]);
        assert!(!out.status.success(), "the default profile must be refused");

        env.helper_args = " --profile ci".into();
        let clone = push_and_clone(&env, &root, &url);
        assert_no_secret_stored(&[&clone], &[DEMO_SECRET_ACCESS_KEY, DEMO_ACCESS_KEY_ID]);

        // A profile without a region, for a host that names none: a clear error.
        std::fs::write(home.join(".aws/config"), "").unwrap();
        let out = env.git(&root, &["clone", "-q", &url, "no-region"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("no AWS region"), "{}", stderr(&out));
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn temporary_credentials_send_their_session_token() {
    const KEY: &str = "ASIACCTUITEMPORARY01";
    const SECRET: &str = "temporarySecretKeyForTheHelperTest0000000";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE/session+token==";
    let dir = tempfile::tempdir().unwrap();
    let service = start(
        &dir.path().join("data"),
        vec![
            Credential::demo(),
            Credential::new(KEY, SECRET).with_session_token(TOKEN),
        ],
    )
    .await;
    create(&service, "temporary").await;
    let url = service.clone_url("temporary");

    let root = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let without_token = Env::new(&root.join("home"))
            .var("AWS_ACCESS_KEY_ID", KEY)
            .var("AWS_SECRET_ACCESS_KEY", SECRET)
            .var("AWS_REGION", DEMO_REGION);
        let out = without_token.git(&root, &["clone", "-q", &url, "tokenless"]);
        assert!(
            !out.status.success(),
            "the service requires the token with this key"
        );

        let env = without_token.var("AWS_SESSION_TOKEN", TOKEN);
        let clone = push_and_clone(&env, &root, &url);
        assert_no_secret_stored(&[&clone], &[SECRET, TOKEN, KEY]);
    })
    .await
    .unwrap();
}

/// The password the helper printed, checked against the test support's own computation for
/// each second around now.
fn assert_password(password: &str, region: &str, path: &str, host: &str) {
    let now = support::now();
    let matches = (now - 5..=now + 1)
        .any(|t| support::git_password(DEMO_SECRET_ACCESS_KEY, region, path, host, t) == password);
    assert!(
        matches,
        "{password} is not the password of {host}{path} in {region}"
    );
}

#[test]
fn the_protocol_spoken_directly() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::demo_keys(dir.path());
    let get = |input: &str| env.helper(&["credential-helper", "get"], input);

    // Loopback: the host is signed as sent, with its port; the region from AWS_REGION.
    let out = get("protocol=http\nhost=127.0.0.1:9\npath=v1/repos/app\n\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        field(&out.stdout, "username").as_deref(),
        Some(DEMO_ACCESS_KEY_ID)
    );
    let password = field(&out.stdout, "password").unwrap();
    assert_password(&password, DEMO_REGION, "/v1/repos/app", "127.0.0.1:9");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert!(out.stderr.is_empty(), "{}", stderr(&out));

    // CodeCommit: the host's own region and the host name without its port, as the AWS CLI.
    let out = get(
        "protocol=https\nhost=git-codecommit.eu-west-3.amazonaws.com:443\npath=v1/repos/MyRepo\n\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let password = field(&out.stdout, "password").unwrap();
    assert_password(
        &password,
        "eu-west-3",
        "/v1/repos/MyRepo",
        "git-codecommit.eu-west-3.amazonaws.com",
    );

    // Not a CodeCommit or loopback host: no answer, no error, so git asks the next helper.
    for input in [
        "protocol=https\nhost=github.com\npath=o/r.git\n\n",
        "protocol=https\nhost=github.com\n\n",
        "protocol=http\nhost=git-codecommit.eu-west-3.amazonaws.com\npath=v1/repos/r\n\n",
    ] {
        let out = get(input);
        assert!(out.status.success(), "{input}: {}", stderr(&out));
        assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{input}");
    }
    // … unless asked to with --any-host (HTTPS only, bare host name).
    let out = env.helper(
        &["credential-helper", "--any-host", "get"],
        "protocol=https\nhost=proxy.example:8443\npath=v1/repos/r\n\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_password(
        &field(&out.stdout, "password").unwrap(),
        DEMO_REGION,
        "/v1/repos/r",
        "proxy.example",
    );

    // store and erase read their input and do nothing.
    for operation in ["store", "erase"] {
        let out = env.helper(
            &["credential-helper", operation],
            "protocol=http\nhost=127.0.0.1:9\npath=v1/repos/app\nusername=u\npassword=p\n\n",
        );
        assert!(out.status.success(), "{operation}: {}", stderr(&out));
        assert!(
            out.stdout.is_empty() && out.stderr.is_empty(),
            "{operation}"
        );
    }

    // No path (credential.useHttpPath off): exit 1 and the hint, nothing on stdout.
    let out = get("protocol=https\nhost=git-codecommit.eu-west-3.amazonaws.com\n\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("git config --global credential.useHttpPath true"),
        "{}",
        stderr(&out)
    );
}

/// Loopback is decided on the parsed address: names that merely start like loopback get no
/// answer (they can point anywhere), real loopback addresses in any form get one.
#[test]
fn look_alike_loopback_hosts_get_nothing_and_real_loopback_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::demo_keys(dir.path());
    let get = |input: &str| env.helper(&["credential-helper", "get"], input);
    for host in [
        "localhost.evil.com",
        "localhost.evil.com:8080",
        "127.0.0.1.nip.io",
        "127.0.0.1.nip.io:9000",
        "127.0.0.1.evil.com",
    ] {
        for protocol in ["http", "https"] {
            let out = get(&format!(
                "protocol={protocol}\nhost={host}\npath=v1/repos/app\n\n"
            ));
            assert!(out.status.success(), "{host}: {}", stderr(&out));
            assert!(
                out.stdout.is_empty() && out.stderr.is_empty(),
                "{protocol}://{host} got an answer"
            );
        }
        // Not even with --any-host over plain HTTP.
        let out = env.helper(
            &["credential-helper", "--any-host", "get"],
            &format!("protocol=http\nhost={host}\npath=v1/repos/app\n\n"),
        );
        assert!(out.stdout.is_empty(), "http://{host} with --any-host");
    }
    for host in [
        "[::1]:9000",
        "[::1]",
        "127.8.9.10",
        "127.8.9.10:4510",
        "localhost:8080",
    ] {
        let out = get(&format!(
            "protocol=http\nhost={host}\npath=v1/repos/app\n\n"
        ));
        assert!(out.status.success(), "{host}: {}", stderr(&out));
        let password = field(&out.stdout, "password")
            .unwrap_or_else(|| panic!("{host} got no answer: {}", stderr(&out)));
        // Signed as git sent the host, port included: what the local service checks.
        assert_password(&password, DEMO_REGION, "/v1/repos/app", host);
    }
}

/// Interface VPC endpoint names carry their region: it is signed with, whatever AWS_REGION says.
#[test]
fn vpc_endpoint_hosts_are_signed_with_their_own_region() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::demo_keys(dir.path());
    for (host, region) in [
        (
            "vpce-0b7d2ee1a9c64c43e-jjkw7nlu.git-codecommit.us-east-2.vpce.amazonaws.com",
            "us-east-2",
        ),
        (
            "vpce-0b7d2ee1a9c64c43e-jjkw7nlu-us-east-2a.git-codecommit-fips.us-east-2.vpce.amazonaws.com",
            "us-east-2",
        ),
        (
            "vpce-1a2b3c4d-5e6f.git-codecommit.cn-north-1.vpce.amazonaws.com.cn",
            "cn-north-1",
        ),
    ] {
        assert_ne!(region, DEMO_REGION);
        let out = env.helper(
            &["credential-helper", "get"],
            &format!("protocol=https\nhost={host}:443\npath=v1/repos/app\n\n"),
        );
        assert!(out.status.success(), "{host}: {}", stderr(&out));
        let password = field(&out.stdout, "password")
            .unwrap_or_else(|| panic!("{host} got no answer: {}", stderr(&out)));
        assert_password(&password, region, "/v1/repos/app", host);
        // Plain HTTP to it: nothing.
        let out = env.helper(
            &["credential-helper", "get"],
            &format!("protocol=http\nhost={host}\npath=v1/repos/app\n\n"),
        );
        assert!(out.stdout.is_empty(), "http://{host}");
    }
}

#[test]
fn session_tokens_go_in_the_user_name_and_errors_show_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::demo_keys(dir.path()).var("AWS_SESSION_TOKEN", "TOKEN/with+chars=");
    let out = env.helper(
        &["credential-helper", "get"],
        "protocol=http\nhost=localhost:8080\npath=v1/repos/app\n\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        field(&out.stdout, "username").unwrap(),
        format!("{DEMO_ACCESS_KEY_ID}%TOKEN/with+chars=")
    );

    // No credentials for the profile: exit 1, a hint, and no key material on stderr.
    let env = Env::new(dir.path())
        .var("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .var("AWS_REGION", DEMO_REGION);
    let out = env.helper(
        &["--profile", "absent", "credential-helper", "get"],
        "protocol=https\nhost=git-codecommit.eu-west-3.amazonaws.com\npath=v1/repos/r\n\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let text = stderr(&out);
    assert!(
        text.contains("profile absent") && text.contains("aws sso login --profile absent"),
        "{text}"
    );
    assert!(!text.contains(DEMO_SECRET_ACCESS_KEY), "{text}");
}

/// The reference implementation: `aws codecommit credential-helper get` must print the same
/// user name and password for the same request, profile (with a session token) and second.
/// `.ci/run` installs the AWS CLI; without it this test says so and returns.
#[test]
fn answers_like_the_aws_cli_credential_helper() {
    if !aws_cli_support::aws_cli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env = Env::new(dir.path());
    std::fs::write(
        dir.path().join(".aws/credentials"),
        format!(
            "[team]\naws_access_key_id = ASIACCTUICOMPARE0001\naws_secret_access_key = {DEMO_SECRET_ACCESS_KEY}\n\
             aws_session_token = FwoGZXIvYXdzEXAMPLE/token+value==\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".aws/config"),
        "[profile team]\nregion = us-west-2\n",
    )
    .unwrap();
    let input = "protocol=https\nhost=git-codecommit.eu-west-3.amazonaws.com\npath=v1/repos/Shared.Repo\n\n";
    let spawn = |program: &str, args: &[&str]| {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        env.apply(&mut command);
        let mut child = command.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child
    };
    // The password carries the second it was made, and the two programs need not run in the
    // same second: each password is checked against the signature at its own timestamp, which
    // pins both programs to the same function of (keys, host, path, region, time).
    let theirs = spawn(
        "aws",
        &[
            "--profile",
            "team",
            "codecommit",
            "credential-helper",
            "get",
        ],
    )
    .wait_with_output()
    .unwrap();
    let ours = spawn(BIN, &["--profile", "team", "credential-helper", "get"])
        .wait_with_output()
        .unwrap();
    assert!(theirs.status.success(), "aws: {}", stderr(&theirs));
    assert!(ours.status.success(), "cctui: {}", stderr(&ours));
    let keys = cctui::aws::git_password::AwsKeys {
        access_key_id: "ASIACCTUICOMPARE0001".into(),
        secret_access_key: DEMO_SECRET_ACCESS_KEY.to_string().into(),
        session_token: Some("FwoGZXIvYXdzEXAMPLE/token+value==".to_string().into()),
    };
    for (who, out) in [("aws", &theirs), ("cctui", &ours)] {
        let user = field(&out.stdout, "username").unwrap();
        let password = field(&out.stdout, "password").unwrap();
        assert_eq!(
            user, "ASIACCTUICOMPARE0001%FwoGZXIvYXdzEXAMPLE/token+value==",
            "{who}"
        );
        let expected = cctui::aws::git_password::git_login(
            &keys,
            "git-codecommit.eu-west-3.amazonaws.com",
            "/v1/repos/Shared.Repo",
            "eu-west-3",
            unix_of_timestamp(&password[..15]),
        );
        assert_eq!(&password, expected.password.expose(), "{who}'s password");
    }
}

/// `YYYYMMDDTHHMMSS` (UTC) as seconds since the epoch.
fn unix_of_timestamp(stamp: &str) -> i64 {
    let number = |range: std::ops::Range<usize>| stamp[range].parse::<i64>().unwrap();
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    let (hour, minute, second) = (number(9..11), number(11..13), number(13..15));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hour * 3600 + minute * 60 + second
}
