//! The AWS CLI as the wire-compatibility tests run it: found (or, under CI, required), and
//! run against the local service with given keys, isolated from the developer's AWS setup.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};

use cctui::local::DEMO_REGION;

/// Whether `aws` is installed; under `CI=true` its absence fails the test (CI installs it).
pub fn aws_cli_present() -> bool {
    let found = Command::new("aws")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the AWS CLI is not installed: .ci/run should have installed it"
        );
        eprintln!("skipped: the AWS CLI is not installed (bash .ci/run installs it)");
    }
    found
}

/// Runs `aws --endpoint-url <endpoint> codecommit <args>` with `key`; (success, stdout, stderr).
pub fn aws(
    home: &Path,
    endpoint: &str,
    key: (&str, &str),
    args: &[&str],
) -> (bool, String, String) {
    let out = Command::new("aws")
        .args(["--endpoint-url", endpoint, "--output", "json", "codecommit"])
        .args(args)
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", key.0)
        .env("AWS_SECRET_ACCESS_KEY", key.1)
        .env("AWS_DEFAULT_REGION", DEMO_REGION)
        .env("AWS_REGION", DEMO_REGION)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A CLI answer as JSON, or a panic showing what came back.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
