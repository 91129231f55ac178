//! `cctui::git::status::status` on a synthetic working tree of 100,000 tracked files (1,000
//! directories of 100) with 1,000 of them modified, against `git status --porcelain` on the same
//! tree in the same run. The repository is built with `git fast-import` and checked out with
//! `git`, then `git status` runs once so the index stat cache is fresh for both sides.
//!
//! Run: `cargo bench --bench status`. `CCTUI_BENCH_RUNS` (default 7): timed runs of each side,
//! alternated; medians are reported. The library and the `git` command line both run with the
//! user's git configuration sandboxed away. `CCTUI_BENCH_KEEP=1` leaves the repository behind.
//!
//! The last line is always `status100k: <ms> (<ratio>x git-status, target <=1.0x)`.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/git_repo.rs"]
mod git_repo;

use std::error::Error;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use git_repo::{git, git_command, sandbox_config_files};

const DIRS: usize = 1_000;
const FILES_PER_DIR: usize = 100;
const MODIFIED_EVERY: usize = 100;

fn main() -> Result<(), Box<dyn Error>> {
    sandbox_config_files();
    let runs: usize = std::env::var("CCTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let tmp = tempfile::tempdir()?;
    // `CCTUI_BENCH_KEEP=1`: leave the repository behind (its path is printed), for profiling.
    let tmp_path = if std::env::var_os("CCTUI_BENCH_KEEP").is_some() {
        tmp.keep()
    } else {
        tmp.path().to_path_buf()
    };
    let dir = tmp_path.join("big");
    std::fs::create_dir(&dir)?;
    eprintln!("repository: {}", dir.display());

    let started = Instant::now();
    build(&dir)?;
    eprintln!(
        "built {} tracked files, {} modified, in {:.1}s",
        DIRS * FILES_PER_DIR,
        DIRS * FILES_PER_DIR / MODIFIED_EVERY,
        started.elapsed().as_secs_f64()
    );

    // Warm both (page cache, stat cache), and check they agree.
    let ours = cctui::git::status::status(&dir)?;
    let theirs = git(&dir, &["status", "--porcelain"]);
    let expected = DIRS * FILES_PER_DIR / MODIFIED_EVERY;
    assert_eq!(ours.unstaged.len(), expected, "cctui status");
    assert_eq!(theirs.lines().count(), expected, "git status");
    assert!(ours.staged.is_empty() && ours.untracked.is_empty());

    let mut cctui_times = Vec::with_capacity(runs);
    let mut git_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let s = cctui::git::status::status(&dir)?;
        cctui_times.push(t.elapsed());
        assert_eq!(s.unstaged.len(), expected);

        let t = Instant::now();
        let out = git_command(&dir, &["status", "--porcelain"])
            .stderr(Stdio::inherit())
            .output()?;
        git_times.push(t.elapsed());
        assert!(out.status.success());
    }
    let ours = median(&mut cctui_times);
    let theirs = median(&mut git_times);
    eprintln!(
        "cctui status: median {:.1} ms (min {:.1}); git status --porcelain: median {:.1} ms (min {:.1}); {runs} runs each",
        ms(ours),
        ms(cctui_times[0]),
        ms(theirs),
        ms(git_times[0]),
    );
    per_file_operations(&dir)?;
    println!(
        "status100k: {:.0} ms ({:.2}x git-status, target <=1.0x)",
        ms(ours),
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    Ok(())
}

/// For scale, once each on the same tree: what the UI calls when a file is selected or staged.
fn per_file_operations(dir: &Path) -> Result<(), Box<dyn Error>> {
    use cctui::git::diff::{DiffTarget, diff_file};
    use cctui::git::stage::{stage_all, stage_hunk, stage_path, unstage_all, unstage_path};
    let file = "d0500/f000.txt";
    let mut line = String::from("on the same tree:");
    let mut time = |name: &str, f: &mut dyn FnMut() -> Result<(), Box<dyn Error>>| {
        let t = Instant::now();
        let r = f();
        line.push_str(&format!(" {name} {:.1} ms;", ms(t.elapsed())));
        r
    };
    let mut id = None;
    time("diff_file(unstaged)", &mut || {
        let d = diff_file(dir, file, &DiffTarget::Unstaged)?;
        assert_eq!(d.hunks.len(), 1);
        id = Some(d.hunks[0].id);
        Ok(())
    })?;
    let id = id.ok_or("no hunk")?;
    time("stage_hunk", &mut || Ok(stage_hunk(dir, file, id)?))?;
    time("diff_file(staged)", &mut || {
        assert_eq!(diff_file(dir, file, &DiffTarget::Staged)?.hunks.len(), 1);
        Ok(())
    })?;
    time("unstage_path", &mut || Ok(unstage_path(dir, file)?))?;
    time("stage_path", &mut || Ok(stage_path(dir, file)?))?;
    time("stage_all", &mut || Ok(stage_all(dir)?))?;
    time("unstage_all", &mut || Ok(unstage_all(dir)?))?;
    eprintln!("{line}");
    Ok(())
}

/// 100,000 files committed with `git fast-import`, checked out, 1,000 modified, `git status`
/// once.
fn build(dir: &Path) -> Result<(), Box<dyn Error>> {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut stream = Vec::with_capacity(16 << 20);
    for d in 0..DIRS {
        for f in 0..FILES_PER_DIR {
            let body = format!("file {d}/{f}\nsome content that is not too short\n");
            writeln!(
                stream,
                "blob\nmark :{}\ndata {}",
                d * FILES_PER_DIR + f + 1,
                body.len()
            )?;
            stream.extend_from_slice(body.as_bytes());
            stream.push(b'\n');
        }
    }
    let msg = "100,000 files\n";
    writeln!(
        stream,
        "commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata {}",
        msg.len()
    )?;
    stream.extend_from_slice(msg.as_bytes());
    for d in 0..DIRS {
        for f in 0..FILES_PER_DIR {
            writeln!(
                stream,
                "M 100644 :{} d{d:04}/f{f:03}.txt",
                d * FILES_PER_DIR + f + 1
            )?;
        }
    }
    stream.push(b'\n');
    let mut child = git_command(dir, &["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()?;
    child.stdin.take().ok_or("no stdin")?.write_all(&stream)?;
    assert!(child.wait()?.success(), "git fast-import failed");
    git(dir, &["checkout", "-q", "-f", "main"]);

    for i in (0..DIRS * FILES_PER_DIR).step_by(MODIFIED_EVERY) {
        let path = dir.join(format!(
            "d{:04}/f{:03}.txt",
            i / FILES_PER_DIR,
            i % FILES_PER_DIR
        ));
        let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
        file.write_all(b"modified\n")?;
    }
    // Past the racy-git window, then one `git status` to refresh the index stat cache.
    std::thread::sleep(Duration::from_millis(1100));
    git(dir, &["status", "--porcelain"]);
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
