//! Wire compatibility with the AWS CLI, an implementation we did not write: its API calls and
//! its `codecommit credential-helper` (the reference CodeCommit git password algorithm) must
//! work against the local service. `.ci/run` installs the AWS CLI; on a machine without it
//! these tests say so and return.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_cli.rs"]
mod aws_cli_support;
#[path = "support/local.rs"]
mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, ServiceConfig,
};
use support::{git, git_ok, work_tree};

/// Whether the AWS CLI is here (under `CI=true` it must be).
fn aws_cli() -> bool {
    aws_cli_support::aws_cli_present()
}

fn aws(home: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new("aws")
        .args(args)
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", DEMO_REGION)
        .env("AWS_REGION", DEMO_REGION)
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_cli_api_calls_and_credential_helper_work_against_the_service() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();

    let created = tokio::task::spawn_blocking({
        let (home, endpoint) = (home.clone(), endpoint.clone());
        move || {
            aws(
                &home,
                &[
                    "--endpoint-url",
                    &endpoint,
                    "codecommit",
                    "create-repository",
                    "--repository-name",
                    "cli-made",
                    "--repository-description",
                    "from the CLI",
                ],
                None,
            )
        }
    })
    .await
    .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let text = String::from_utf8_lossy(&created.stdout);
    assert!(text.contains("\"repositoryName\": \"cli-made\""), "{text}");

    let listed = tokio::task::spawn_blocking({
        let (home, endpoint) = (home.clone(), endpoint.clone());
        move || {
            aws(
                &home,
                &[
                    "--endpoint-url",
                    &endpoint,
                    "codecommit",
                    "batch-get-repositories",
                    "--repository-names",
                    "cli-made",
                    "missing",
                ],
                None,
            )
        }
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.status.success() && text.contains("from the CLI") && text.contains("missing"),
        "{text}"
    );

    // The CLI's credential helper computes the git password (it signs the host without its
    // port; `--ignore-host-check` lets it answer for a host that is not git-codecommit.*).
    let host = format!("127.0.0.1:{}", service.port());
    let helper_input = format!("protocol=http\nhost={host}\npath=v1/repos/cli-made\n\n");
    let answer = tokio::task::spawn_blocking({
        let home = home.clone();
        move || {
            aws(
                &home,
                &[
                    "codecommit",
                    "credential-helper",
                    "--ignore-host-check",
                    "get",
                ],
                Some(&helper_input),
            )
        }
    })
    .await
    .unwrap();
    let answer = String::from_utf8_lossy(&answer.stdout).into_owned();
    let field = |name: &str| {
        answer
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(field("username"), DEMO_ACCESS_KEY_ID, "{answer}");
    let password = field("password");
    assert!(password.len() > 20, "{answer}");

    let url = format!(
        "http://{}:{}@{host}/v1/repos/cli-made",
        field("username"),
        support::enc(&password)
    );
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    tokio::task::spawn_blocking(move || {
        work_tree(&work, "master", 2);
        git_ok(&work, &["push", "-q", &url, "master"]);
        let clone = work.join("clone");
        let out = git(&work, &["clone", "-q", &url, clone.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(clone.join("file.txt").exists());
    })
    .await
    .unwrap();
}
