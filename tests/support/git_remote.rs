//! Helpers for the clone tests: repositories on the local service, big packs, secret scans.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cctui::aws::git_password::AwsKeys;
use cctui::git::{CloneProgress, CloneRequest, GitError};
use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, RunningService};
use cctui::secret::SecretString;

use super::local_support::{demo_client, git_ok, git_url, work_tree};

/// IAM auth with the demo keys.
pub fn demo_iam() -> cctui::git::Auth {
    cctui::git::Auth::Iam {
        keys: AwsKeys {
            access_key_id: DEMO_ACCESS_KEY_ID.to_string(),
            secret_access_key: SecretString::new(DEMO_SECRET_ACCESS_KEY.to_string()),
            session_token: None,
        },
        region: DEMO_REGION.to_string(),
    }
}

/// Creates `name` on the service and pushes `commits` commits on `master`; returns HEAD.
pub async fn repo_with_commits(service: &RunningService, name: &str, commits: usize) -> String {
    demo_client(service)
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    work_tree(work.path(), "master", commits);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(service, name), "master"],
    );
    git_ok(work.path(), &["rev-parse", "HEAD"])
}

/// Creates `name` and fills its bare repository with `mb` MB of incompressible blobs (1 MB per
/// commit) through `git fast-import`; returns the bare repository's path.
pub async fn big_repo(service: &RunningService, data_dir: &Path, name: &str, mb: usize) -> PathBuf {
    let created = demo_client(service)
        .create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap();
    let id = created
        .repository_metadata()
        .unwrap()
        .repository_id()
        .unwrap()
        .to_string();
    let bare = data_dir.join("repos").join(format!("{id}.git"));
    fill(&bare, mb);
    bare
}

/// `mb` commits of one 1 MB xorshift blob each on `master`, then a full repack.
pub fn fill(bare: &Path, mb: usize) {
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
    for n in 0..mb {
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
            "commit refs/heads/master\ncommitter T <t@example.com> {} +0000\ndata {}\n{message}",
            1_700_000_000 + n,
            message.len()
        )
        .unwrap();
        write!(
            stdin,
            "M 100644 inline data/{n:03}.bin\ndata {}\n",
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

/// Runs `cctui::git::clone` on a blocking thread, recording every progress report; `cancel`
/// decides from a report whether to cancel.
pub async fn clone_blocking(
    request: CloneRequest,
    mut cancel: impl FnMut(&CloneProgress) -> bool + Send + 'static,
) -> (Result<(), GitError>, Vec<CloneProgress>) {
    tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        let result = cctui::git::clone(&request, &mut |p| {
            seen.push(p.clone());
            !cancel(p)
        });
        (result, seen)
    })
    .await
    .unwrap()
}

/// Every file under `dir` whose bytes contain one of `secrets` (as "path: secret#i").
pub fn files_containing(dir: &Path, secrets: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if meta.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            for (i, secret) in secrets.iter().enumerate() {
                assert!(!secret.is_empty());
                if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                    found.push(format!("{}: secret #{i}", path.display()));
                }
            }
        }
    }
    found
}

/// Counts files under `dir` (to prove a scan looked at something).
pub fn file_count(dir: &Path) -> usize {
    let mut count = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            count += 1;
        }
    }
    count
}

/// `origin`'s URL as stored in the clone's `.git/config`.
pub fn origin_url(worktree: &Path) -> String {
    git2::Repository::open(worktree)
        .unwrap()
        .find_remote("origin")
        .unwrap()
        .url()
        .unwrap()
        .to_string()
}
