//! The status job (`cctui::git::status_summary::read_summary`, what `read_status` runs) on a
//! synthetic working tree of 100,000 tracked files (1,000 directories of 100) with 1,000 of them
//! modified, against `git status --porcelain` on the same tree in the same run. The repository
//! is built with `git fast-import` and checked out with `git`, then `git status` runs once so
//! the index stat cache is fresh for both sides.
//!
//! Run: `cargo bench --bench status`. `CCTUI_BENCH_RUNS` (default 7): timed runs of each side,
//! alternated; medians are reported. The library and the `git` command line both run with the
//! user's git configuration sandboxed away. `CCTUI_BENCH_KEEP=1` leaves the repository behind.
//!
//! `status-incremental`: the refresh after three paths changed (`refresh_summary` over exactly
//! those paths), median of the runs, against the full `git status` median for scale.
//!
//! Arguments name what to report (`status100k`, `status-incremental`; default both). The last
//! line is `status100k: <ms> (<ratio>x git-status, target <=1.0x)` when it is reported.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/git_repo.rs"]
mod git_repo;

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

use cctui::git::status_summary::{read_summary, refresh_summary};
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

    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);

    // Warm both (page cache, stat cache), and check they agree.
    let ours = read_summary(&dir)?;
    let theirs = git(&dir, &["status", "--porcelain"]);
    let expected = DIRS * FILES_PER_DIR / MODIFIED_EVERY;
    assert_eq!(
        ours.snapshot.status.unstaged.len(),
        expected,
        "cctui status"
    );
    assert_eq!(theirs.lines().count(), expected, "git status");
    assert!(ours.snapshot.status.staged.is_empty() && ours.snapshot.status.untracked.is_empty());

    // The whole status job (what `read_status` runs: status, ahead/behind, merge state, origin)
    // against `git status --porcelain` (with its untracked scan, as ours), alternated.
    let mut cctui_times = Vec::with_capacity(runs);
    let mut git_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let s = read_summary(&dir)?;
        cctui_times.push(t.elapsed());
        assert_eq!(s.snapshot.status.unstaged.len(), expected);

        let t = Instant::now();
        let out = git_command(&dir, &["status", "--porcelain"])
            .stderr(Stdio::inherit())
            .output()?;
        git_times.push(t.elapsed());
        assert!(out.status.success());
    }
    eprintln!("cctui read_summary runs (ms): {}", list(&cctui_times));
    eprintln!("git status --porcelain runs (ms): {}", list(&git_times));
    let full = median(&mut cctui_times);
    let git_full = median(&mut git_times);
    eprintln!(
        "cctui status job: median {:.1} ms (min {:.1}); git status --porcelain: median {:.1} ms (min {:.1}); {runs} runs each",
        ms(full),
        ms(cctui_times[0]),
        ms(git_full),
        ms(git_times[0]),
    );

    let incremental = if want("status-incremental") {
        Some(incremental_runs(&dir, runs, expected)?)
    } else {
        None
    };
    if want("status100k") {
        per_file_operations(&dir)?;
    }
    if let Some(incremental) = incremental {
        println!(
            "status-incremental: {:.1} ms ({:.3}x git-status, target <=50 ms)",
            ms(incremental),
            incremental.as_secs_f64() / git_full.as_secs_f64()
        );
    }
    if want("status100k") {
        println!(
            "status100k: {:.0} ms ({:.2}x git-status, target <=1.0x)",
            ms(full),
            full.as_secs_f64() / git_full.as_secs_f64()
        );
    }
    Ok(())
}

/// The refresh the watcher triggers: each run changes three paths (a tracked file edited, an
/// untracked file created or removed, a tracked file deleted or restored) and times
/// `refresh_summary` over exactly those paths, checking its answer.
fn incremental_runs(dir: &Path, runs: usize, expected: usize) -> Result<Duration, Box<dyn Error>> {
    let mut previous = read_summary(dir)?;
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let edited = format!("d0{:03}/f050.txt", run % 100);
        let created = "d0999/new-untracked.txt".to_string();
        let deleted = "d0998/f050.txt".to_string();
        let odd = run % 2 == 0;
        std::fs::write(
            dir.join(&edited),
            format!("edited in run {run}, longer than before\n"),
        )?;
        if odd {
            std::fs::write(dir.join(&created), "new\n")?;
            std::fs::remove_file(dir.join(&deleted))?;
        } else {
            std::fs::remove_file(dir.join(&created))?;
            std::fs::write(
                dir.join(&deleted),
                "file 998/50\nsome content that is not too short\n",
            )?;
        }
        let changed: Vec<PathBuf> = [&edited, &created, &deleted]
            .iter()
            .map(|p| dir.join(p))
            .collect();
        let t = Instant::now();
        let next = refresh_summary(dir, &previous, &changed, false)?;
        times.push(t.elapsed());
        let s = &next.snapshot.status;
        assert!(s.unstaged.iter().any(|f| f.path == edited));
        assert_eq!(s.untracked.len(), usize::from(odd));
        previous = next;
    }
    eprintln!(
        "cctui refresh_summary (3 changed paths) runs (ms): {}",
        list(&times)
    );
    let _ = expected;
    Ok(median(&mut times))
}

fn list(times: &[Duration]) -> String {
    times
        .iter()
        .map(|t| format!("{:.1}", ms(*t)))
        .collect::<Vec<_>>()
        .join(" ")
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
