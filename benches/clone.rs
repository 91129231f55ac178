//! `cctui::git::clone` (libgit2, IAM password in-process) vs `git clone`, both over the local
//! service's smart HTTP on 127.0.0.1, same ~50 MB repository, same run, alternating rounds.
//!
//! `cargo bench --bench clone` (or `scripts/bench.sh clone50mb-cctui`). Prints one final line:
//! `clone50mb-cctui: <s> (<ratio>x git-clone, target <= 1.1x)`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cctui::aws::git_password::{AwsKeys, git_login};
use cctui::git::{Auth, CloneRequest};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, ServiceConfig,
};
use cctui::secret::SecretString;

fn keys() -> AwsKeys {
    AwsKeys {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        secret_access_key: SecretString::new(DEMO_SECRET_ACCESS_KEY.into()),
        session_token: None,
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// ~50 MB of incompressible blobs in 50 commits (as the service bench), fully packed.
fn fill_50mb(bare: &Path) {
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .env("GIT_DIR", bare)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut state: u64 = 0x1234_5678_9abc_def1;
    for n in 0..50 {
        let mut blob = vec![0u8; 1 << 20];
        for chunk in blob.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let message = format!("blob {n}\n");
        write!(
            stdin,
            "commit refs/heads/master\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{message}",
            1_700_000_000 + n,
            message.len()
        )
        .unwrap();
        write!(
            stdin,
            "M 100644 inline data/{n:02}.bin\ndata {}\n",
            blob.len()
        )
        .unwrap();
        stdin.write_all(&blob).unwrap();
        stdin.write_all(b"\n\n").unwrap();
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let status = Command::new("git")
        .args(["repack", "-a", "-d", "-q"])
        .env("GIT_DIR", bare)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .unwrap();
    assert!(status.success());
}

fn ours(url: &str, target: &Path) -> Duration {
    let request = CloneRequest {
        url: url.to_string(),
        target: target.to_path_buf(),
        auth: Auth::Iam {
            keys: keys(),
            region: DEMO_REGION.into(),
        },
    };
    let started = Instant::now();
    cctui::git::clone(&request, &mut |_| true).unwrap();
    let elapsed = started.elapsed();
    assert!(target.join("data/49.bin").is_file());
    std::fs::remove_dir_all(target).unwrap();
    elapsed
}

/// `git clone` as a user runs it (default protocol, checkout), with the IAM password in the
/// URL: the credential helper's cost is not what is measured.
fn peer(url_with_login: &str, target: &Path) -> Duration {
    let started = Instant::now();
    let status = Command::new("git")
        .args(["clone", "-q", url_with_login])
        .arg(target)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(status.success());
    assert!(target.join("data/49.bin").is_file());
    std::fs::remove_dir_all(target).unwrap();
    elapsed
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let service = LocalService::start(ServiceConfig::new(&data))
        .await
        .unwrap();
    let client = aws_sdk_codecommit::Client::from_conf(
        aws_sdk_codecommit::config::Builder::new()
            .behavior_version(aws_sdk_codecommit::config::BehaviorVersion::latest())
            .endpoint_url(service.endpoint())
            .region(aws_sdk_codecommit::config::Region::new(DEMO_REGION))
            .credentials_provider(aws_sdk_codecommit::config::Credentials::new(
                DEMO_ACCESS_KEY_ID,
                DEMO_SECRET_ACCESS_KEY,
                None,
                None,
                "bench",
            ))
            .build(),
    );
    let created = client
        .create_repository()
        .repository_name("big")
        .send()
        .await
        .unwrap();
    let id = created
        .repository_metadata()
        .unwrap()
        .repository_id()
        .unwrap()
        .to_string();
    let bare = data.join("repos").join(format!("{id}.git"));
    fill_50mb(&bare);
    let size: u64 = std::fs::read_dir(bare.join("objects/pack"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();

    let url = service.clone_url("big");
    let host = format!("127.0.0.1:{}", service.port());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..7 {
        let login = git_login(&keys(), &host, "/v1/repos/big", DEMO_REGION, unix_now());
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let peer_url = format!(
            "http://{}:{}@{host}/v1/repos/big",
            enc(login.username.expose()),
            enc(login.password.expose())
        );
        let (u, t) = (url.clone(), dir.path().join("ours"));
        let x = tokio::task::spawn_blocking(move || ours(&u, &t))
            .await
            .unwrap();
        let t = dir.path().join("peer");
        let y = tokio::task::spawn_blocking(move || peer(&peer_url, &t))
            .await
            .unwrap();
        if round > 0 {
            // Round 0 warms the page cache and the service for both.
            a.push(x);
            b.push(y);
        }
        eprintln!("round {round}: cctui {x:?}, git clone {y:?}");
    }
    // Medians of alternating runs: robust to a noisy shared machine.
    a.sort();
    b.sort();
    let (a, b) = (a[a.len() / 2], b[b.len() / 2]);
    eprintln!("pack size {:.1} MB", size as f64 / 1e6);
    println!(
        "clone50mb-cctui: {:.3} s ({:.2}x git-clone, target <= 1.1x)",
        a.as_secs_f64(),
        a.as_secs_f64() / b.as_secs_f64()
    );
}
