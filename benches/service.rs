//! Benchmarks of the local service, each compared with a peer in the same run. (`list5000`,
//! which lists through cctui's own listing job, is in the `repos` bench.)
//!
//! `cargo bench --bench service -- clone50mb` (or `scripts/bench.sh`). Each bench
//! prints exactly one result line: `NAME: <figure> (<ratio>x PEER, target <T>)`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_codecommit::config::{BehaviorVersion, Credentials, Region};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, RunningService,
    ServiceConfig,
};
use cctui::sigv4::{
    format_amz_date, hex_lower, hmac_sha256, sha256_hex, signing_key, string_to_sign,
};

fn client(service: &RunningService) -> aws_sdk_codecommit::Client {
    let config = aws_sdk_codecommit::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(service.endpoint())
        .region(Region::new(DEMO_REGION))
        .credentials_provider(Credentials::new(
            DEMO_ACCESS_KEY_ID,
            DEMO_SECRET_ACCESS_KEY,
            None,
            None,
            "bench",
        ))
        .build();
    aws_sdk_codecommit::Client::from_conf(config)
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// ~50 MB of incompressible blobs in 50 commits, written with `git fast-import`.
fn fill_50mb(bare: &Path) {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .env("GIT_DIR", bare)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut state: u64 = 0x1234_5678_9abc_def1;
    for n in 0..50 {
        let mut blob = vec![0u8; 1 << 20];
        for chunk in blob.chunks_mut(8) {
            // xorshift64: cheap bytes that zlib cannot shrink, so the pack really is ~50 MB.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let message = format!("blob {n}\n");
        write!(stdin, "commit refs/heads/master\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{message}", 1_700_000_000 + n, message.len()).unwrap();
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
    git(bare, &["repack", "-a", "-d", "-q"]);
}

fn time_clone(url: &str, work: &Path, tag: &str) -> Duration {
    let target = work.join(tag);
    let _ = std::fs::remove_dir_all(&target);
    let started = Instant::now();
    // Same protocol for both sides (the peer's CGI server cannot pass Git-Protocol through).
    git(
        work,
        &[
            "-c",
            "protocol.version=0",
            "clone",
            "-q",
            "--bare",
            url,
            tag,
        ],
    );
    let elapsed = started.elapsed();
    let _ = std::fs::remove_dir_all(&target);
    elapsed
}

/// The peer: plain `git http-backend` behind Python's CGI server, no auth.
fn start_python_cgi(project_root: &Path, base: &Path) -> (std::process::Child, u16) {
    let cgi = base.join("cgi-bin");
    std::fs::create_dir_all(&cgi).unwrap();
    let script = cgi.join("git");
    // Python's CGI server drops to `nobody` when run as root; git would then refuse the
    // repository as "dubious ownership" (and answer 500), hence safe.directory.
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexport GIT_PROJECT_ROOT='{}' GIT_HTTP_EXPORT_ALL=1 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=safe.directory GIT_CONFIG_VALUE_0='*'\nexec git http-backend\n",
            project_root.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("python3")
        .args([
            "-W",
            "ignore",
            "-m",
            "http.server",
            "--cgi",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(base)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

async fn clone50mb() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let created = client(&service)
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
    let repos = dir.path().join("data").join("repos");
    let bare = repos.join(format!("{id}.git"));
    fill_50mb(&bare);

    let host = format!("127.0.0.1:{}", service.port());
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let peer_base = dir.path().join("peer");
    let (mut peer, peer_port) = start_python_cgi(&repos, &peer_base);
    let peer_url = format!("http://127.0.0.1:{peer_port}/cgi-bin/git/{id}.git");

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..6 {
        let timestamp = format_amz_date(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64,
        );
        let date = &timestamp[..8];
        let canonical = format!("GIT\n/v1/repos/big\n\nhost:{host}\n\nhost\n");
        let to_sign = string_to_sign(
            &timestamp[..15],
            &format!("{date}/{DEMO_REGION}/codecommit/aws4_request"),
            &sha256_hex(canonical.as_bytes()),
        );
        let password = format!(
            "{timestamp}{}",
            hex_lower(&hmac_sha256(
                &signing_key(DEMO_SECRET_ACCESS_KEY, date, DEMO_REGION, "codecommit"),
                to_sign.as_bytes()
            ))
        );
        let url = format!("http://{DEMO_ACCESS_KEY_ID}:{password}@{host}/v1/repos/big");
        let (w, u, p) = (work.clone(), url.clone(), peer_url.clone());
        let a = tokio::task::spawn_blocking(move || time_clone(&u, &w, "ours"))
            .await
            .unwrap();
        let w = work.clone();
        let b = tokio::task::spawn_blocking(move || time_clone(&p, &w, "peer"))
            .await
            .unwrap();
        if round > 0 {
            // Round 0 warms the page cache for both.
            ours.push(a);
            theirs.push(b);
        }
    }
    // Medians of alternating runs: robust to a noisy shared machine.
    ours.sort();
    theirs.sort();
    let (ours, theirs) = (ours[ours.len() / 2], theirs[theirs.len() / 2]);
    let _ = peer.kill();
    let _ = peer.wait();
    let size: u64 = std::fs::read_dir(bare.join("objects/pack"))
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "clone50mb: {:.3} s for {:.0} MB ({:.2}x git-http-backend, target <= 1.1x)",
        ours.as_secs_f64(),
        size as f64 / 1e6,
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; keep only the bench names.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let run = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    if run("clone50mb") {
        clone50mb().await;
    }
}
