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

#[path = "support/clocked.rs"]
mod clocked;
#[path = "../tests/support/git_repo.rs"]
mod git_repo;
#[path = "../tests/support/jobs.rs"]
mod jobs_support;

use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use cctui::aws::client::{Clients, StaticCredentials};
use cctui::jobs::{JobEvent, JobId, JobManager, JobOutput, JobRequest, Services, WorkspaceOutput};
use git_repo::{git, git_command, sandbox_config_files};

const CLONES: usize = 2_000;
const TEAMS: usize = 20;
/// Keypresses measured by `workspace-keys`.
const KEYS: usize = 300;
const WIDTH: u16 = 140;
const HEIGHT: u16 = 40;

fn main() -> Result<(), Box<dyn Error>> {
    sandbox_config_files();
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
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
    if want("workspace2000") {
        scan_bench(&root, runs)?;
    }
    if want("workspace-keys") {
        let runtime = cctui::runtime::build()?;
        runtime.block_on(keys_bench(&root));
    }
    Ok(())
}

/// `workspace2000`.
fn scan_bench(root: &Path, runs: usize) -> Result<(), Box<dyn Error>> {
    let root = root.to_path_buf();
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

/// What `workspace-keys` reads off a frame: the workspace title's counts and whether it scans.
#[derive(Debug, Clone, Default)]
struct Frame {
    count: u64,
    at: Option<Instant>,
    /// The workspace screen is drawn.
    shown: bool,
    /// Its title says it is scanning.
    scanning: bool,
    /// Clones in the table (the title's "of N clones").
    rows: usize,
    /// Marked clones, from the title.
    marked: usize,
}

impl clocked::Seen for Frame {
    fn read(buffer: &ratatui::buffer::Buffer, count: u64, at: Instant) -> Frame {
        let mut frame = Frame {
            count,
            at: Some(at),
            ..Frame::default()
        };
        for y in 0..buffer.area.height {
            let (text, _) = clocked::row(buffer, y);
            let Some(start) = text.find("Workspace · ") else {
                continue;
            };
            let title = &text[start..];
            frame.shown = true;
            frame.scanning = title.contains("scanning…");
            let number_before = |word: &str| -> usize {
                title
                    .find(word)
                    .map(|end| {
                        let digits: String = title[..end]
                            .trim_end()
                            .chars()
                            .rev()
                            .take_while(char::is_ascii_digit)
                            .collect();
                        digits
                            .chars()
                            .rev()
                            .collect::<String>()
                            .parse()
                            .unwrap_or(0)
                    })
                    .unwrap_or(0)
            };
            frame.rows = number_before(" clones");
            frame.marked = number_before(" marked");
            break;
        }
        frame
    }

    fn count(&self) -> u64 {
        self.count
    }
}

/// `workspace-keys`: the event loop on the workspace screen, scanning throughout.
async fn keys_bench(root: &Path) {
    use cctui::app::action::Action;
    use cctui::app::state::{Session, State};
    use cctui::config::Config;
    use cctui::event_loop::{App, NoHost};
    use clocked::{Clocked, key, until};
    use crossterm::event::{Event, KeyCode};

    let config = Config {
        workspace_root: root.to_path_buf(),
        ..Config::default()
    };
    let clients = Clients::with_credentials(StaticCredentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "unused".to_string().into(),
        session_token: None,
    });
    let mut app = App::new(State::new(Session::default()), config, clients);
    let (events_tx, events_rx) = tokio::sync::mpsc::unbounded_channel::<std::io::Result<Event>>();
    let (_actions, external_rx) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let (frames_tx, mut frames) = tokio::sync::watch::channel(Frame::default());
    let events = futures::stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    });
    let ui = async move {
        let mut terminal = ratatui::Terminal::new(Clocked::new(WIDTH, HEIGHT, frames_tx)).unwrap();
        app.run(&mut terminal, Box::pin(events), external_rx, &mut NoHost)
            .await
            .unwrap();
    };
    let driver = tokio::spawn(async move {
        let opened = Instant::now();
        events_tx.send(key(KeyCode::Char('W'))).unwrap();
        let first = until(
            &mut frames,
            "the first clones on the workspace screen",
            |f| f.shown && f.rows > 0,
        )
        .await;
        let first_rows = first.at.unwrap() - opened;
        let (mut latencies, mut scans, mut after_scan) = (Vec::with_capacity(KEYS), 0u32, 0u32);
        let mut gap_seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let measured = Instant::now();
        while latencies.len() < KEYS {
            if !frames.borrow().scanning {
                // A scan ended: the next one, as `r` asks.
                events_tx.send(key(KeyCode::Char('r'))).unwrap();
                until(&mut frames, "a rescan", |f| f.scanning).await;
                scans += 1;
            }
            gap_seed ^= gap_seed << 13;
            gap_seed ^= gap_seed >> 7;
            gap_seed ^= gap_seed << 17;
            tokio::time::sleep(Duration::from_millis(20 + gap_seed % 21)).await;
            let before = {
                let last = frames.borrow();
                if !last.scanning {
                    continue;
                }
                last.marked
            };
            let pressed = Instant::now();
            events_tx.send(key(KeyCode::Char(' '))).unwrap();
            let frame = until(&mut frames, "the marked count change", |f| {
                f.marked != before && f.at.is_some_and(|at| at >= pressed)
            })
            .await;
            if !frame.scanning {
                after_scan += 1;
            }
            latencies.push(frame.at.unwrap() - pressed);
        }
        let measured = measured.elapsed();
        events_tx.send(key(KeyCode::Char('q'))).unwrap();
        drop(events_tx);
        (latencies, first_rows, scans, after_scan, measured)
    });
    let ((), driven) = tokio::join!(ui, driver);
    let (mut latencies, first_rows, scans, after_scan, measured) = driven.expect("the driver");
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (p50, p99) = (
        clocked::percentile(&latencies, 0.50),
        clocked::percentile(&latencies, 0.99),
    );
    eprintln!(
        "{KEYS} keys pressed during scans of {CLONES} clones ({} scans started by `r` besides \
         the first, {:.1}s): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {after_scan} key frames \
         came after their scan ended; first rows on screen {:.0} ms after `W`",
        scans,
        measured.as_secs_f64(),
        ms(p50),
        ms(p99),
        ms(latencies[latencies.len() - 1]),
        ms(first_rows)
    );
    println!(
        "workspace-keys: {:.1} ms p99 during scans ({:.2}x frame budget, target < 16 ms)",
        ms(p99),
        ms(p99) / 16.0
    );
}

/// One scan through the job manager: (time to the first rows, time to the end, rows).
async fn scan(root: &Path) -> (Duration, Duration, usize) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let services = Services {
        clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(4)),
        ..jobs_support::services(root)
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
        // Its own CodeCommit repository, so rows have names of their own.
        let config = clone.join(".git/config");
        let text = std::fs::read_to_string(&config)?;
        std::fs::write(
            &config,
            text.replace("/repos/template", &format!("/repos/repo-{i:04}")),
        )?;
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
