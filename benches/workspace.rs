//! `workspace2000`: the workspace scan job (what `W` runs: find the clones, read each one's
//! branch, changed files, ahead/behind and last fetch, stream the rows) on 2,000 clones, run
//! through the job manager as the app runs it. Reported: the time to the first rows (target
//! < 100 ms) and to the whole scan, against a shell loop that finds the same clones and runs
//! `git -C <clone> status --porcelain -b` in each (git's own summary of branch, ahead/behind
//! and changes), in the same run.
//!
//! The clones are copies of one small repository (12 files, 3 commits, an upstream one commit
//! ahead), every 10th with 2 changed files, under `root/team-<n>/repo-<i>` so the walk has
//! levels to descend. Run: `cargo bench --bench workspace`. `CCTUI_BENCH_RUNS` (default 3):
//! timed runs of each side, alternated; medians are reported.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/git_repo.rs"]
mod git_repo;

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use cctui::aws::client::{Clients, StaticCredentials};
use cctui::jobs::{JobEvent, JobId, JobManager, JobOutput, JobRequest, Services, WorkspaceOutput};
use git_repo::{git, git_command, sandbox_config_files};

const CLONES: usize = 2_000;
const TEAMS: usize = 20;

fn main() -> Result<(), Box<dyn Error>> {
    sandbox_config_files();
    let runs: usize = std::env::var("CCTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let tmp = tempfile::tempdir()?;
    let root = tmp.path().join("workspace");
    let started = Instant::now();
    build(tmp.path(), &root)?;
    eprintln!(
        "built {CLONES} clones in {:.1}s under {}",
        started.elapsed().as_secs_f64(),
        root.display()
    );
    let runtime = tokio::runtime::Runtime::new()?;
    // Warm both sides (page cache), and check they see the same clones.
    let (_, _, rows) = runtime.block_on(scan(&root));
    assert_eq!(rows, CLONES, "cctui found every clone");
    let peer_lines = peer(&root)?;
    assert_eq!(peer_lines, CLONES, "the shell loop found every clone");

    let (mut firsts, mut fulls, mut peers) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (first, full, rows) = runtime.block_on(scan(&root));
        assert_eq!(rows, CLONES);
        firsts.push(first);
        fulls.push(full);
        let t = Instant::now();
        peer(&root)?;
        peers.push(t.elapsed());
    }
    eprintln!("first rows (ms): {}", list(&firsts));
    eprintln!("full scan (ms): {}", list(&fulls));
    eprintln!(
        "find + git status --porcelain -b loop (ms): {}",
        list(&peers)
    );
    let (first, full, peer) = (median(&mut firsts), median(&mut fulls), median(&mut peers));
    println!(
        "workspace2000: first rows {:.0} ms, full scan {:.0} ms ({:.2}x git-status-loop {:.0} ms, target first rows <100 ms)",
        ms(first),
        ms(full),
        full.as_secs_f64() / peer.as_secs_f64(),
        ms(peer)
    );
    Ok(())
}

/// One scan through the job manager: (time to the first rows, time to the end, rows).
async fn scan(root: &Path) -> (Duration, Duration, usize) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let services = Services {
        clients: Clients::with_credentials(StaticCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "unused".to_string().into(),
            session_token: None,
        }),
        workspace_root: root.to_path_buf(),
        clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(4)),
        repo_locks: Default::default(),
        status_cache: Default::default(),
    };
    let mut manager = JobManager::new(tx, services);
    let t = Instant::now();
    manager.spawn(
        JobId(1),
        JobRequest::ScanWorkspace {
            root: Some(root.to_path_buf()),
            extra: Vec::new(),
        },
    );
    let mut first = None;
    let mut rows = 0;
    while let Some(update) = rx.recv().await {
        match update.event {
            JobEvent::Output(JobOutput::Workspace(WorkspaceOutput::Rows(batch))) => {
                first.get_or_insert_with(|| t.elapsed());
                rows += batch.len();
            }
            JobEvent::Finished(result) => {
                result.unwrap();
                break;
            }
            JobEvent::Cancelled => panic!("cancelled"),
            _ => {}
        }
    }
    (first.unwrap_or_default(), t.elapsed(), rows)
}

/// The peer: find the clones, `git status --porcelain -b` in each; returns the clones seen.
fn peer(root: &Path) -> Result<usize, Box<dyn Error>> {
    let script = r#"find "$1" -maxdepth 4 -name .git -prune | while read -r g; do git -C "${g%/.git}" status --porcelain -b | head -1; done"#;
    let mut command = std::process::Command::new("sh");
    command.arg("-c").arg(script).arg("sh").arg(root);
    // The same sandboxed configuration as the library side.
    for (key, value) in git_command(root, &[]).get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    let out = command.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("##"))
        .count())
}

/// A template clone (an upstream one commit ahead of it), copied `CLONES` times.
fn build(tmp: &Path, root: &Path) -> Result<(), Box<dyn Error>> {
    let template = tmp.join("template");
    std::fs::create_dir_all(&template)?;
    git(&template, &["init", "-q", "-b", "main"]);
    for commit in 0..3 {
        for file in 0..12 {
            std::fs::write(
                template.join(format!("file{file}.txt")),
                format!("file {file}, version {commit}\n"),
            )?;
        }
        git(&template, &["add", "-A"]);
        git(
            &template,
            &["commit", "-q", "-m", &format!("commit {commit}")],
        );
    }
    // origin/main one commit ahead: each clone is behind by one.
    git(
        &template,
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    );
    git(&template, &["reset", "-q", "--hard", "HEAD~1"]);
    git(
        &template,
        &[
            "remote",
            "add",
            "origin",
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/template",
        ],
    );
    git(&template, &["branch", "-q", "-u", "origin/main"]);
    git(&template, &["status", "--porcelain"]);
    for i in 0..CLONES {
        let clone = root
            .join(format!("team-{:02}", i % TEAMS))
            .join(format!("repo-{i:04}"));
        copy_dir(&template, &clone)?;
        if i % 10 == 0 {
            std::fs::write(clone.join("file0.txt"), "changed\n")?;
            std::fs::write(clone.join("new.txt"), "new\n")?;
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn list(times: &[Duration]) -> String {
    times
        .iter()
        .map(|t| format!("{:.0}", ms(*t)))
        .collect::<Vec<_>>()
        .join(" ")
}
