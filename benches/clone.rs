//! `clone-realistic`: cctui's clone job (`JobRequest::Clone` on a `JobManager`, as the UI
//! starts it: IAM git password made in-process, libgit2 fetch and index, checkout, origin set)
//! against `git clone` of the same URL, on a realistic repository (see
//! `support/realistic.rs`: 5,000 commits editing 300 text files, over 50 MB packed, most file
//! versions stored as deltas) pushed to the local service. Alternating rounds, the first a
//! warm-up; medians.
//!
//! Object checks are as in normal use on both sides: the app's libgit2 settings
//! (`cctui::git::init_libgit2`, which the clone calls: every received object hashed by the
//! indexer, as git's index-pack does) and git's defaults. Nothing is switched off for the bench.
//!
//! `cargo bench --bench clone` (or `scripts/bench.sh clone-realistic`). `CCTUI_BENCH_RUNS`
//! (default 5): timed rounds. Prints one final line:
//! `clone-realistic: <s> s (<ratio>x git-clone, target <= 1.1x)`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/realistic.rs"]
mod realistic;

use std::path::Path;
use std::time::{Duration, Instant};

use cctui::aws::client::{Clients, StaticCredentials, Target};
use cctui::config::CloneProtocol;
use cctui::jobs::{
    CloneJob, CloneOutput, JobEvent, JobId, JobManager, JobOutput, JobRequest, Services,
};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, ServiceConfig,
};

const NAME: &str = "realistic";

/// The clone job, from spawn to its `Cloned` report.
async fn ours(
    manager: &mut JobManager,
    updates: &mut tokio::sync::mpsc::UnboundedReceiver<cctui::jobs::JobUpdate>,
    job: CloneJob,
    id: u64,
) -> Duration {
    let started = Instant::now();
    manager.spawn(JobId(id), JobRequest::Clone(Box::new(job)));
    loop {
        let update = tokio::time::timeout(Duration::from_secs(600), updates.recv())
            .await
            .expect("the clone job reported nothing for 10 minutes")
            .expect("the job manager hung up");
        match update.event {
            JobEvent::Finished(Ok(JobOutput::Clone(CloneOutput::Cloned {
                note: None, ..
            }))) => {
                return started.elapsed();
            }
            JobEvent::Finished(other) => panic!("the clone job ended {other:?}"),
            JobEvent::Cancelled => panic!("the clone job was cancelled"),
            _ => {}
        }
    }
}

fn head_of(worktree: &Path) -> String {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(worktree)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("CCTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let fixture = tokio::task::spawn_blocking(realistic::realistic)
        .await
        .unwrap();
    eprintln!(
        "fixture: {} commits, {:.1} MB packed, {} of {} objects stored as deltas",
        realistic::COMMITS,
        fixture.packed_bytes as f64 / 1e6,
        fixture.deltas,
        fixture.objects
    );
    assert!(
        fixture.packed_bytes >= 50_000_000,
        "the fixture is under 50 MB packed"
    );
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let clients = Clients::with_credentials(StaticCredentials {
        access_key_id: DEMO_ACCESS_KEY_ID.into(),
        secret_access_key: DEMO_SECRET_ACCESS_KEY.to_string().into(),
        session_token: None,
    });
    let target = Target {
        profile: None,
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
    };
    clients
        .get(&target)
        .await
        .create_repository()
        .repository_name(NAME)
        .send()
        .await
        .unwrap();
    let pushed = Instant::now();
    let url = realistic::login_url(&service, NAME);
    let fixture = tokio::task::spawn_blocking(move || {
        realistic::push(&fixture, &url);
        fixture
    })
    .await
    .unwrap();
    eprintln!(
        "pushed to the local service in {:.1}s",
        pushed.elapsed().as_secs_f64()
    );

    let root = dir.path().join("workspace");
    let services = Services {
        ..Services::new(clients, root.clone())
    };
    let (tx, mut updates) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..=runs {
        let path = root.join(NAME);
        let job = CloneJob {
            target: target.clone(),
            repository: NAME.into(),
            url_http: service.clone_url(NAME),
            url_ssh: String::new(),
            protocol: CloneProtocol::HttpsIam,
            path: path.clone(),
            login: None,
            passphrase: None,
            trusted_fingerprint: None,
        };
        let x = ours(&mut manager, &mut updates, job, round as u64 + 1).await;
        assert_eq!(
            head_of(&path),
            fixture.head,
            "the clone job checked out the wrong commit"
        );
        std::fs::remove_dir_all(&path).unwrap();
        let (peer_url, peer_path, head) = (
            realistic::login_url(&service, NAME),
            dir.path().join("peer"),
            fixture.head.clone(),
        );
        let y = tokio::task::spawn_blocking(move || {
            let elapsed = realistic::git_clone(&peer_url, &peer_path, &head);
            std::fs::remove_dir_all(&peer_path).unwrap();
            elapsed
        })
        .await
        .unwrap();
        eprintln!(
            "round {round}{}: cctui clone job {:.2}s, git clone {:.2}s",
            if round == 0 {
                " (warm-up, not counted)"
            } else {
                ""
            },
            x.as_secs_f64(),
            y.as_secs_f64()
        );
        if round > 0 {
            a.push(x);
            b.push(y);
        }
    }
    a.sort();
    b.sort();
    let (a, b) = (a[a.len() / 2], b[b.len() / 2]);
    eprintln!(
        "medians: cctui {:.2}s, git clone {:.2}s ({})",
        a.as_secs_f64(),
        b.as_secs_f64(),
        git_version()
    );
    println!(
        "clone-realistic: {:.2} s ({:.2}x git-clone, target <= 1.1x)",
        a.as_secs_f64(),
        a.as_secs_f64() / b.as_secs_f64()
    );
}

fn git_version() -> String {
    std::process::Command::new("git")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
