//! Time to the first page of the log (`cctui::git::log::log_page`, 50 commits, repository opened
//! by the call) on a 100,000-commit history built with `git fast-import`, against
//! `git log -n 50 --format=%H` in the same run. Also printed: a page deep in the history
//! (after commit 50,000), which re-walks from the tip.
//!
//! Run: `cargo bench --bench log`. `CCTUI_BENCH_RUNS` (default 15): timed runs of each side,
//! alternated; medians are reported.
//!
//! The last line is always `log100k: <ms> (<ratio>x git-log, target <50ms)`.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/git_repo.rs"]
mod git_repo;

use std::error::Error;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use git_repo::{git, git_command, sandbox_config_files};

const COMMITS: usize = 100_000;
const PAGE: usize = 50;

fn main() -> Result<(), Box<dyn Error>> {
    sandbox_config_files();
    let runs: usize = std::env::var("CCTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("long");
    std::fs::create_dir(&dir)?;
    let started = Instant::now();
    build(&dir)?;
    eprintln!(
        "built {COMMITS} commits in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    // Warm up, and check both give the same page.
    let (page, next) = cctui::git::log::log_page(&dir, None, PAGE)?;
    let theirs: Vec<String> = git(&dir, &["log", "-n", "50", "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect();
    let ours: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ours, theirs);
    assert!(next.is_some());

    let mut cctui_times = Vec::with_capacity(runs);
    let mut git_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let (page, _) = cctui::git::log::log_page(&dir, None, PAGE)?;
        cctui_times.push(t.elapsed());
        assert_eq!(page.len(), PAGE);

        let t = Instant::now();
        let out = git_command(&dir, &["log", "-n", "50", "--format=%H"]).output()?;
        git_times.push(t.elapsed());
        assert!(out.status.success());
    }
    let ours = median(&mut cctui_times);
    let theirs = median(&mut git_times);

    // A deep page: after commit 50,000 from the tip.
    let cursor = git(&dir, &["rev-parse", &format!("HEAD~{}", COMMITS / 2 - 1)]);
    let t = Instant::now();
    let (deep, _) = cctui::git::log::log_page(&dir, Some(cursor.trim()), PAGE)?;
    let deep_time = t.elapsed();
    assert_eq!(deep.len(), PAGE);
    // The whole history, for scale.
    let t = Instant::now();
    let (all, next) = cctui::git::log::log_page(&dir, None, COMMITS)?;
    let all_time = t.elapsed();
    assert_eq!((all.len(), next), (COMMITS, None));

    eprintln!(
        "first page: cctui median {:.2} ms (min {:.2}), git log median {:.2} ms (min {:.2}); \
         page after commit {}: {:.0} ms; all {COMMITS} commits in one page: {:.0} ms",
        ms(ours),
        ms(cctui_times[0]),
        ms(theirs),
        ms(git_times[0]),
        COMMITS / 2,
        ms(deep_time),
        ms(all_time),
    );
    println!(
        "log100k: {:.1} ms ({:.2}x git-log, target <50ms)",
        ms(ours),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    Ok(())
}

/// 100,000 commits on `main`, each changing one small file, one second apart.
fn build(dir: &Path) -> Result<(), Box<dyn Error>> {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut stream = Vec::with_capacity(40 << 20);
    for i in 0..COMMITS {
        let msg = format!("commit {i}\n\nchange number {i}\n");
        let body = format!("{i}\n");
        writeln!(
            stream,
            "commit refs/heads/main\ncommitter Bench <bench@example.com> {} +0000\ndata {}",
            1_600_000_000 + i,
            msg.len()
        )?;
        stream.extend_from_slice(msg.as_bytes());
        writeln!(stream, "M 100644 inline counter.txt\ndata {}", body.len())?;
        stream.extend_from_slice(body.as_bytes());
        stream.push(b'\n');
    }
    let mut child = git_command(dir, &["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()?;
    child.stdin.take().ok_or("no stdin")?.write_all(&stream)?;
    assert!(child.wait()?.success(), "git fast-import failed");
    git(dir, &["checkout", "-q", "-f", "main"]);
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
