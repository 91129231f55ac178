//! The log pane's reads on a 100,000-commit history built with `git fast-import`, through the
//! function the log job runs (`cctui::git::log::log_page`, the app's page size `LOG_PAGE`,
//! repository opened by the call), against `git log` doing the same work in the same run:
//! - `log100k`: the first page, vs `git log -n <page> --format=%H`;
//! - `log-deep`: the page 50,000 commits down, from the cursor the app holds after paging there,
//!   vs `git log --skip=50000 -n <page> --format=%H` (git has no cursor: skipping is its way).
//!
//! git's figures include its process start (a few ms), as they do for a user; the stderr line
//! also gives git's in-process estimate (its time minus `git rev-parse HEAD`'s).
//!
//! Run: `cargo bench --bench log`. `CCTUI_BENCH_RUNS` (default 15): timed runs of each side,
//! alternated; medians are reported.
//!
//! The last lines are `log100k: …` and `log-deep: <ms> (<ratio>x git-log-skip, target <50ms)`.
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

    let page = cctui::jobs::worktree_job::LOG_PAGE;
    let page_arg = page.to_string();
    let deep = COMMITS / 2;
    let skip = format!("--skip={deep}");

    // Warm up, and check both give the same pages.
    let (first, next) = cctui::git::log::log_page(&dir, None, page)?;
    let theirs: Vec<String> = git(&dir, &["log", "-n", &page_arg, "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect();
    let ours: Vec<String> = first.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ours, theirs);
    assert!(next.is_some());
    // The cursor the app holds after paging 50,000 commits down.
    let (_, cursor) = cctui::git::log::log_page(&dir, None, deep)?;
    let cursor = cursor.ok_or("no cursor after 50,000 commits")?;
    let (deep_page, _) = cctui::git::log::log_page(&dir, Some(&cursor), page)?;
    let theirs: Vec<String> = git(&dir, &["log", &skip, "-n", &page_arg, "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect();
    let ours: Vec<String> = deep_page.iter().map(|c| c.id.clone()).collect();
    assert_eq!(ours, theirs, "the deep page is git's");

    let mut first_ours = Vec::with_capacity(runs);
    let mut first_git = Vec::with_capacity(runs);
    let mut deep_ours = Vec::with_capacity(runs);
    let mut deep_git = Vec::with_capacity(runs);
    let mut git_start = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let (got, _) = cctui::git::log::log_page(&dir, None, page)?;
        first_ours.push(t.elapsed());
        assert_eq!(got.len(), page);

        let t = Instant::now();
        let out = git_command(&dir, &["log", "-n", &page_arg, "--format=%H"]).output()?;
        first_git.push(t.elapsed());
        assert!(out.status.success());

        let t = Instant::now();
        let (got, _) = cctui::git::log::log_page(&dir, Some(&cursor), page)?;
        deep_ours.push(t.elapsed());
        assert_eq!(got.len(), page);

        let t = Instant::now();
        let out = git_command(&dir, &["log", &skip, "-n", &page_arg, "--format=%H"]).output()?;
        deep_git.push(t.elapsed());
        assert!(out.status.success());

        let t = Instant::now();
        let out = git_command(&dir, &["rev-parse", "HEAD"]).output()?;
        git_start.push(t.elapsed());
        assert!(out.status.success());
    }
    let (first_ours, first_git) = (median(&mut first_ours), median(&mut first_git));
    let (deep_ours, deep_git) = (median(&mut deep_ours), median(&mut deep_git));
    let start = median(&mut git_start);
    eprintln!(
        "pages of {page}: first page cctui {:.2} ms, git log {:.2} ms; page after {deep} commits \
         cctui {:.2} ms, git log --skip {:.2} ms; git's process start (rev-parse HEAD) {:.2} ms; \
         {runs} runs each, medians",
        ms(first_ours),
        ms(first_git),
        ms(deep_ours),
        ms(deep_git),
        ms(start),
    );
    println!(
        "log100k: {:.1} ms ({:.2}x git-log, target <50ms)",
        ms(first_ours),
        first_ours.as_secs_f64() / first_git.as_secs_f64()
    );
    println!(
        "log-deep: {:.1} ms ({:.3}x git-log-skip, target <50ms)",
        ms(deep_ours),
        deep_ours.as_secs_f64() / deep_git.as_secs_f64()
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
