//! Helpers for the local service tests: SDK clients, IAM git passwords, sandboxed git, raw HTTP.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

use aws_sdk_codecommit::config::retry::RetryConfig;
use aws_sdk_codecommit::config::{BehaviorVersion, Credentials, Region};
use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, RunningService};
use cctui::sigv4::{
    format_amz_date, hex_lower, hmac_sha256, sha256_hex, signing_key, string_to_sign,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An SDK client for `endpoint` with the given key; retries off so every error is observed.
pub fn client_with(
    endpoint: &str,
    key: &str,
    secret: &str,
    token: Option<&str>,
) -> aws_sdk_codecommit::Client {
    client_with_retries(endpoint, key, secret, token, RetryConfig::disabled())
}

pub fn client_with_retries(
    endpoint: &str,
    key: &str,
    secret: &str,
    token: Option<&str>,
    retry: RetryConfig,
) -> aws_sdk_codecommit::Client {
    let config = aws_sdk_codecommit::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(DEMO_REGION))
        .credentials_provider(Credentials::new(
            key,
            secret,
            token.map(str::to_string),
            None,
            "test",
        ))
        .retry_config(retry)
        .build();
    aws_sdk_codecommit::Client::from_conf(config)
}

/// A client with the demo credentials.
pub fn demo_client(service: &RunningService) -> aws_sdk_codecommit::Client {
    client_with(
        &service.endpoint(),
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        None,
    )
}

/// Creates the empty repository `name` on `service` as the demo user (panics on failure).
pub async fn create_demo_repository(service: &RunningService, name: &str) {
    demo_client(service)
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap();
}

/// The CodeCommit IAM git password for `repo_path` (`/v1/repos/<name>`), `host` and the time
/// `unix` (seconds), built from `cctui::sigv4` primitives as the AWS credential helper does.
pub fn git_password(secret: &str, region: &str, repo_path: &str, host: &str, unix: i64) -> String {
    let timestamp = format_amz_date(unix); // YYYYMMDDTHHMMSSZ
    let date = &timestamp[..8];
    let canonical = format!("GIT\n{repo_path}\n\nhost:{host}\n\nhost\n");
    let scope = format!("{date}/{region}/codecommit/aws4_request");
    // The string to sign has the timestamp without the Z; the password has it.
    let to_sign = string_to_sign(&timestamp[..15], &scope, &sha256_hex(canonical.as_bytes()));
    let key = signing_key(secret, date, region, "codecommit");
    format!(
        "{timestamp}{}",
        hex_lower(&hmac_sha256(&key, to_sign.as_bytes()))
    )
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Percent-encodes a URL userinfo part.
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// An authenticated clone/push URL for repository `name` with the demo key.
pub fn git_url(service: &RunningService, name: &str) -> String {
    let host = format!("127.0.0.1:{}", service.port());
    let password = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        &format!("/v1/repos/{name}"),
        &host,
        now(),
    );
    format!(
        "http://{}:{}@{host}/v1/repos/{name}",
        DEMO_ACCESS_KEY_ID,
        enc(&password)
    )
}

/// Runs git sandboxed from the developer's configuration; returns the output.
pub fn git(dir: &Path, args: &[&str]) -> Output {
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
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .output()
        .unwrap()
}

/// Runs git and fails the test with its stderr when it fails.
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Makes a working tree with `commits` commits on branch `branch`.
pub fn work_tree(dir: &Path, branch: &str, commits: usize) {
    git_ok(dir, &["init", "-q", "-b", branch]);
    for n in 0..commits {
        std::fs::write(dir.join("file.txt"), format!("line {n}\n")).unwrap();
        git_ok(dir, &["add", "file.txt"]);
        git_ok(dir, &["commit", "-q", "-m", &format!("commit {n}")]);
    }
}

/// A minimal HTTP/1.1 exchange (Connection: close); returns (status, headers, body).
pub async fn raw_http(port: u16, request: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head, response[split + 4..].to_vec())
}

/// Sends an API request signed by hand at time `unix` (for clock-skew and header tests).
pub async fn signed_api_call(
    port: u16,
    key: &str,
    secret: &str,
    unix: i64,
    operation: &str,
    body: &str,
) -> (u16, String) {
    let amz_date = format_amz_date(unix);
    let date = &amz_date[..8];
    let host = format!("127.0.0.1:{port}");
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:{host}\nx-amz-date:{amz_date}\nx-amz-target:CodeCommit_20150413.{operation}\n\ncontent-type;host;x-amz-date;x-amz-target\n{}",
        sha256_hex(body.as_bytes())
    );
    let scope = format!("{date}/{DEMO_REGION}/codecommit/aws4_request");
    let to_sign = string_to_sign(&amz_date, &scope, &sha256_hex(canonical.as_bytes()));
    let signature = hex_lower(&hmac_sha256(
        &signing_key(secret, date, DEMO_REGION, "codecommit"),
        to_sign.as_bytes(),
    ));
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Date: {amz_date}\r\nX-Amz-Target: CodeCommit_20150413.{operation}\r\nAuthorization: AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (status, _, body) = raw_http(port, &request, body.as_bytes()).await;
    (status, String::from_utf8_lossy(&body).to_string())
}

/// Live (non-zombie) processes whose working directory or environment mentions `dir`: the git
/// processes a service over the data directory `dir` started. Linux `/proc` only.
pub fn processes_using(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().to_string();
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let proc_dir = entry.path();
        let Ok(stat) = std::fs::read_to_string(proc_dir.join("stat")) else {
            continue;
        };
        // The state follows the parenthesised command name; Z (zombie) and X (dead) are gone.
        let state = stat
            .rsplit(") ")
            .next()
            .and_then(|rest| rest.chars().next());
        if matches!(state, Some('Z') | Some('X') | None) {
            continue;
        }
        let cwd = std::fs::read_link(proc_dir.join("cwd"))
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_default();
        let environ = std::fs::read(proc_dir.join("environ"))
            .map(|e| String::from_utf8_lossy(&e).to_string())
            .unwrap_or_default();
        if cwd.contains(&needle) || environ.contains(&needle) {
            let cmdline = std::fs::read(proc_dir.join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                .unwrap_or_default();
            found.push(format!("{name}: {cmdline}"));
        }
    }
    found
}

/// Quarantine folders (`objects/tmp_objdir-incoming-*`) of every repository under `data_dir`.
pub fn quarantine_folders(data_dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(repos) = std::fs::read_dir(data_dir.join("repos")) else {
        return found;
    };
    for repo in repos.flatten() {
        if let Ok(objects) = std::fs::read_dir(repo.path().join("objects")) {
            for entry in objects.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("tmp_objdir-incoming-")
                {
                    found.push(entry.path());
                }
            }
        }
    }
    found
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; true if it held.
pub async fn wait_until(timeout: std::time::Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The `Authorization: Basic …` value for repository `name` with the demo key.
pub fn git_basic_auth(port: u16, name: &str) -> String {
    use base64::Engine;
    let password = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        &format!("/v1/repos/{name}"),
        &format!("127.0.0.1:{port}"),
        now(),
    );
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{DEMO_ACCESS_KEY_ID}:{password}"))
    )
}

/// A complete `git-receive-pack` request body that creates `refs/heads/main` from the commit
/// of `work` (a work tree with commits on `main`): commands, flush, then the pack.
pub fn receive_pack_body(work: &Path) -> Vec<u8> {
    let head = git_ok(work, &["rev-parse", "main"]);
    let mut child = Command::new("git")
        .args(["pack-objects", "--revs", "--stdout", "-q"])
        .current_dir(work)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{head}").unwrap();
    }
    let pack = child.wait_with_output().unwrap();
    assert!(pack.status.success());
    let command = format!("{} {head} refs/heads/main\0report-status\n", "0".repeat(40));
    let mut body = format!("{:04x}{command}", command.len() + 4).into_bytes();
    body.extend_from_slice(b"0000");
    body.extend_from_slice(&pack.stdout);
    body
}

/// A work tree on `main` whose one commit holds `bytes` bytes zlib cannot shrink, so its pack
/// is about that big.
pub fn work_tree_with_noise(dir: &Path, bytes: usize) {
    git_ok(dir, &["init", "-q", "-b", "main"]);
    let mut state: u64 = 7;
    let data: Vec<u8> = (0..bytes)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect();
    std::fs::write(dir.join("noise.bin"), data).unwrap();
    git_ok(dir, &["add", "noise.bin"]);
    git_ok(dir, &["commit", "-q", "-m", "noise"]);
}

/// Sends `POST /` with `headers` (besides Host, Authorization, Content-Length, Connection),
/// signed at time `unix` over only the headers named in `signed` (lowercase, plus `host`
/// when listed): for tests of what must be signed.
pub async fn hand_signed_request(
    port: u16,
    unix: i64,
    headers: &[(&str, &str)],
    signed: &[&str],
    body: &str,
) -> (u16, String) {
    let amz_date = format_amz_date(unix);
    let date = &amz_date[..8];
    let host = format!("127.0.0.1:{port}");
    let mut names: Vec<&str> = signed.to_vec();
    names.sort_unstable();
    let mut canonical_headers = String::new();
    for name in &names {
        let value = if *name == "host" {
            host.clone()
        } else if *name == "x-amz-date" {
            amz_date.clone()
        } else {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        };
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical = format!(
        "POST\n/\n\n{canonical_headers}\n{}\n{}",
        names.join(";"),
        sha256_hex(body.as_bytes())
    );
    let scope = format!("{date}/{DEMO_REGION}/codecommit/aws4_request");
    let to_sign = string_to_sign(&amz_date, &scope, &sha256_hex(canonical.as_bytes()));
    let signature = hex_lower(&hmac_sha256(
        &signing_key(DEMO_SECRET_ACCESS_KEY, date, DEMO_REGION, "codecommit"),
        to_sign.as_bytes(),
    ));
    let mut request = format!("POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Date: {amz_date}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Authorization: AWS4-HMAC-SHA256 Credential={DEMO_ACCESS_KEY_ID}/{scope}, SignedHeaders={}, Signature={signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        names.join(";"),
        body.len()
    ));
    let (status, _, body) = raw_http(port, &request, body.as_bytes()).await;
    (status, String::from_utf8_lossy(&body).to_string())
}

/// A running `cctui serve` and the banner lines it printed up to READY. Dropping it (also when
/// a test fails) kills the process.
pub struct Served {
    pub child: std::process::Child,
    pub port: u16,
    pub banner: String,
}

impl Served {
    /// SIGKILL, then reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Starts the real `cctui serve --port 0 --data-dir DATA ARGS…` with `envs`, and reads its
/// banner up to `READY <port>`. The child is killed and reaped when the `Served` is dropped.
#[allow(clippy::zombie_processes)]
pub fn serve_binary(data_dir: &Path, state: &Path, args: &[&str], envs: &[(&str, &str)]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cctui"))
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .envs(envs.iter().copied())
        // Logs go under the state directory; keep them out of the developer's.
        .env("XDG_STATE_HOME", state)
        .env("XDG_DATA_HOME", state)
        .env("HOME", state)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    loop {
        use std::io::BufRead;
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "no READY: {banner}"
        );
        banner.push_str(&line);
        if let Some(port) = line.trim().strip_prefix("READY ") {
            let port = port.parse().unwrap();
            // Keep reading stdout so the service never blocks on a full pipe.
            std::thread::spawn(move || for _ in reader.lines() {});
            return Served {
                child,
                port,
                banner,
            };
        }
    }
}
