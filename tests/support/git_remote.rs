//! Helpers for the clone, commit and remote tests: repositories on the local service, big
//! packs, secret scans; a sandboxed libgit2 configuration, temp repositories, a bare remote.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cctui::aws::git_password::AwsKeys;
use cctui::git::{CloneProgress, CloneRequest, GitError};
use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, RunningService};
use cctui::secret::SecretString;

use super::local_support::{create_demo_repository, demo_client, git_ok, git_url, work_tree};

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
    create_demo_repository(service, name).await;
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
    let bare = create_bare(service, data_dir, name).await;
    fill(&bare, mb);
    bare
}

/// Creates `name` through the API and returns its bare repository's path in the service's
/// data directory.
pub async fn create_bare(service: &RunningService, data_dir: &Path, name: &str) -> PathBuf {
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
    data_dir.join("repos").join(format!("{id}.git"))
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

// ---- Commit and remote tests: sandboxed libgit2 configuration, temp repositories ----------

/// Points libgit2's global, XDG and system configuration at an empty directory, once per test
/// binary (gitui's `sandbox_config_files`), so `~/.gitconfig` never leaks into a test. (The same
/// as `support/git_sandbox.rs`, kept here because not every binary using this module includes
/// that one, and one binary sets its own search path.)
pub fn sandbox_config() {
    static SANDBOX: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    SANDBOX.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for level in [
            git2::ConfigLevel::Global,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::System,
            git2::ConfigLevel::ProgramData,
        ] {
            // SAFETY: runs once, before any repository is opened by this test binary.
            unsafe { git2::opts::set_search_path(level, dir.path()).unwrap() };
        }
        dir
    });
}

/// A new working tree at `dir` on branch `main`, with a repository-local identity.
pub fn repo_init(dir: &Path) {
    sandbox_config();
    git_ok(
        dir.parent().unwrap(),
        &["init", "-q", "-b", "main", dir.to_str().unwrap()],
    );
    set_identity(dir, "Repo User", "repo.user@example.com");
}

/// Sets `user.name` / `user.email` in the repository's own config.
pub fn set_identity(dir: &Path, name: &str, email: &str) {
    git_ok(dir, &["config", "user.name", name]);
    git_ok(dir, &["config", "user.email", email]);
}

/// Writes `file` (creating directories), stages it and commits with the git CLI; returns the
/// new HEAD.
pub fn cli_commit(dir: &Path, file: &str, content: &str, message: &str) -> String {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    git_ok(dir, &["add", file]);
    git_ok(dir, &["commit", "-q", "-m", message]);
    rev(dir, "HEAD")
}

/// Writes and stages `file` without committing.
pub fn stage(dir: &Path, file: &str, content: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    git_ok(dir, &["add", file]);
}

/// `git rev-parse <what>`.
pub fn rev(dir: &Path, what: &str) -> String {
    git_ok(dir, &["rev-parse", what])
}

/// `git rev-parse <what>`, `None` when it does not resolve.
pub fn try_rev(dir: &Path, what: &str) -> Option<String> {
    let out = super::local_support::git(dir, &["rev-parse", "--verify", "-q", what]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A bare remote `remote.git` with one commit on `main`, and two clones `a` and `b` of it
/// (with different identities), all under `dir`. Returns (bare, a, b).
pub fn remote_and_two_clones(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    sandbox_config();
    let bare = dir.join("remote.git");
    git_ok(
        dir,
        &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
    );
    let seed = dir.join("seed");
    repo_init(&seed);
    cli_commit(&seed, "file.txt", "one\ntwo\nthree\n", "initial");
    git_ok(&seed, &["push", "-q", bare.to_str().unwrap(), "main"]);
    let a = dir.join("a");
    let b = dir.join("b");
    for (clone, name) in [(&a, "Alice"), (&b, "Bob")] {
        git_ok(
            dir,
            &[
                "clone",
                "-q",
                bare.to_str().unwrap(),
                clone.to_str().unwrap(),
            ],
        );
        set_identity(clone, name, &format!("{}@example.com", name.to_lowercase()));
    }
    (bare, a, b)
}

/// Opens the repository at `dir` with git2 (for reading what the CLI does not show simply).
pub fn open_repo(dir: &Path) -> git2::Repository {
    git2::Repository::open(dir).unwrap()
}

/// A progress callback that records every report and never cancels.
pub fn recorder(
    seen: &mut Vec<cctui::git::TransferProgress>,
) -> impl FnMut(&cctui::git::TransferProgress) -> bool + '_ {
    move |p| {
        seen.push(p.clone());
        true
    }
}
