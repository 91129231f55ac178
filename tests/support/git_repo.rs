//! Real git repositories in temp directories for the `git/` tests, in the style of gitui's
//! `asyncgit/src/sync/mod.rs` test helpers: libgit2's global, XDG and system config search paths
//! point at an empty temp directory (once per process), so `~/.gitconfig` never leaks in; the
//! `git` command line, when a test uses it as an oracle or to set things up, runs with the same
//! isolation (`GIT_CONFIG_GLOBAL`/`GIT_CONFIG_NOSYSTEM`/`HOME`).
#![allow(clippy::unwrap_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use git2::{ConfigLevel, Oid, Repository, Signature};
use tempfile::TempDir;

/// The empty directory that stands for `$HOME` and the system config directory.
fn sandbox_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        // Inside the target directory, always empty: nothing here writes a global config.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("git-sandbox-home");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// Points libgit2's global, XDG and system config search paths at an empty directory, once.
pub fn sandbox_config_files() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let home = sandbox_home();
        for level in [ConfigLevel::Global, ConfigLevel::XDG, ConfigLevel::System] {
            // SAFETY: called once, before any test opens a repository in this process.
            unsafe { git2::opts::set_search_path(level, home) }.unwrap();
        }
    });
}

/// A fresh non-bare repository (branch `main`) with a user name and email in its own config.
pub fn repo_init() -> (TempDir, Repository) {
    sandbox_config_files();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(dir.path(), &opts).unwrap();
    {
        let mut config = repo.config().unwrap();
        config.set_str("user.name", "Test User").unwrap();
        config.set_str("user.email", "test@example.com").unwrap();
    }
    (dir, repo)
}

/// A fresh bare repository (a "remote").
pub fn repo_init_bare() -> (TempDir, Repository) {
    sandbox_config_files();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = git2::RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    let repo = Repository::init_opts(dir.path(), &opts).unwrap();
    (dir, repo)
}

/// A clone of the repository at `remote` (its `origin`), with a user configured.
pub fn repo_clone(remote: &Path) -> (TempDir, Repository) {
    sandbox_config_files();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", remote.display());
    let repo = Repository::clone(&url, dir.path()).unwrap();
    {
        let mut config = repo.config().unwrap();
        config.set_str("user.name", "Test User").unwrap();
        config.set_str("user.email", "test@example.com").unwrap();
    }
    (dir, repo)
}

/// The working-tree root of `repo`.
pub fn workdir(repo: &Repository) -> &Path {
    repo.workdir().unwrap()
}

/// Writes `content` to `file` (creating directories), relative to the working tree.
pub fn write(repo: &Repository, file: &str, content: &str) {
    write_bytes(repo, file, content.as_bytes());
}

/// As [`write`], raw bytes.
pub fn write_bytes(repo: &Repository, file: &str, content: &[u8]) {
    let path = workdir(repo).join(file);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// Reads a working-tree file.
pub fn read(repo: &Repository, file: &str) -> String {
    std::fs::read_to_string(workdir(repo).join(file)).unwrap()
}

/// Writes `file`, stages it (`git add`), commits on HEAD; returns the commit id.
pub fn write_commit_file(repo: &Repository, file: &str, content: &str, message: &str) -> Oid {
    write(repo, file, content);
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(file)).unwrap();
    index.write().unwrap();
    commit_index(repo, message)
}

/// Commits the index as it is on HEAD (any number of parents: HEAD's, if any).
pub fn commit_index(repo: &Repository, message: &str) -> Oid {
    let mut index = repo.index().unwrap();
    // The index may have been changed by the code under test or by `git`: read it again.
    index.read(true).unwrap();
    let tree_id = index.write_tree().unwrap();
    let tree = repo.find_tree(tree_id).unwrap();
    let sig = Signature::now("Test User", "test@example.com").unwrap();
    let parents: Vec<git2::Commit<'_>> = match repo.head() {
        Ok(head) => vec![head.peel_to_commit().unwrap()],
        Err(_) => Vec::new(),
    };
    let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)
        .unwrap()
}

/// The staged content of `file` (its blob in the index), or `None` when not in the index.
pub fn index_content(repo: &Repository, file: &str) -> Option<Vec<u8>> {
    let mut index = repo.index().unwrap();
    index.read(true).unwrap();
    let entry = index.get_path(Path::new(file), 0)?;
    Some(repo.find_blob(entry.id).unwrap().content().to_vec())
}

/// The `git` command line, isolated from the user's configuration, run in `dir`; panics with
/// its stderr when it fails. Returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// As [`git`], not asserting success; returns (success, stdout).
pub fn git_status_code(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = git_command(dir, args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

pub fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("HOME", sandbox_home())
        .env("XDG_CONFIG_HOME", sandbox_home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test User")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    cmd
}
