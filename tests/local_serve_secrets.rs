//! `cctui serve` takes its secret from a file or the environment, never needs it on the
//! command line, and never prints a user's secret. Runs the real binary.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/local.rs"]
mod local_support;

use aws_sdk_codecommit::error::ProvideErrorMetadata;
use local_support::*;

const KEY: &str = "AKIASERVESECRETTEST1";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYserveSECRET";

async fn check(served: Served) {
    assert!(!served.banner.contains(SECRET), "{}", served.banner);
    assert!(served.banner.contains(KEY), "{}", served.banner);
    // The command line of the process carries no secret.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", served.child.id())).unwrap();
    assert!(!String::from_utf8_lossy(&cmdline).contains(SECRET));
    let endpoint = format!("http://127.0.0.1:{}", served.port);
    client_with(&endpoint, KEY, SECRET, None)
        .list_repositories()
        .send()
        .await
        .unwrap();
    let wrong = client_with(&endpoint, KEY, "not-the-secret", None)
        .list_repositories()
        .send()
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some("InvalidSignatureException"));
    // The public demo key is not accepted once a key of one's own is set.
    let demo = client_with(
        &endpoint,
        cctui::local::DEMO_ACCESS_KEY_ID,
        cctui::local::DEMO_SECRET_ACCESS_KEY,
        None,
    )
    .list_repositories()
    .send()
    .await
    .unwrap_err();
    assert_eq!(demo.code(), Some("UnrecognizedClientException"));
    drop(served);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_comes_from_a_file_and_the_banner_hides_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let served = serve_binary(
        &dir.path().join("data"),
        &dir.path().join("state"),
        &[
            "--access-key",
            KEY,
            "--secret-key-file",
            file.to_str().unwrap(),
        ],
        &[],
    );
    assert!(
        served.banner.contains(file.to_str().unwrap()),
        "{}",
        served.banner
    );
    check(served).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_comes_from_the_environment_and_the_banner_hides_it() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_binary(
        &dir.path().join("data"),
        &dir.path().join("state"),
        &["--access-key", KEY],
        &[("CCTUI_SERVE_SECRET_KEY", SECRET)],
    );
    assert!(
        served.banner.contains("CCTUI_SERVE_SECRET_KEY"),
        "{}",
        served.banner
    );
    check(served).await;
}

#[test]
fn a_key_without_a_secret_is_refused_with_the_ways_to_give_one() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cctui"))
        .args(["serve", "--port", "0", "--access-key", KEY, "--data-dir"])
        .arg(dir.path())
        .env("HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env_remove("CCTUI_SERVE_SECRET_KEY")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--secret-key-file") && stderr.contains("CCTUI_SERVE_SECRET_KEY"),
        "{stderr}"
    );
}
