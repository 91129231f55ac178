//! Listing 5,000 repositories with details, through the job the UI runs
//! (`JobRequest::ListRepositories` on a `JobManager`: `cctui::aws::repos::list_all` plus the
//! per-row clone lookup, batches streamed back as `RepositoryBatch` updates), against its peers
//! on the same local service in the same run:
//!
//! - `list5000`: no injected latency. Ours (a fresh client per run: connections included, as at
//!   app start) against a boto3 script with 16 threads, each side cold on every run (boto3 in a
//!   new process; its interpreter start and `import boto3` are left out, so the peer gets its
//!   best shot). Runs alternate; medians; ratio ours ÷ peer.
//! - `repos5000`: the service's latency fault set to [`LATENCY_MS`] on every request. Ours and
//!   boto3-16 as above, the AWS CLI as people run it (`list-repositories`, which pages itself,
//!   then `batch-get-repositories` 25 names at a time, one process after the other: every one of
//!   the 200 batches is run, nothing extrapolated), and the latency floor: ListRepositories
//!   pages chain on their tokens, so no client can beat (pages + 1) × latency (the `+ 1` is the
//!   last page's details).
//!
//! Run: `cargo bench --bench repos -- [list5000] [repos5000]` (default both). Environment:
//! `CCTUI_BENCH_RUNS` (default 5): alternated runs of ours and boto3-16; the AWS CLI runs once
//! (it takes minutes). Every figure is also on stderr. Result lines:
//! `list5000: <s> s (<ratio>x boto3-16, target < 2 s)` and
//! `repos5000: <s> s (<r>x aws-cli, <r>x boto3-16, floor <s> s, target <=1.0x boto3-16)`.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/aws_local.rs"]
mod aws_local;
#[path = "support/peers.rs"]
mod peers;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_local::{AwsLocal, aws_seed_store};
use cctui::aws::client::Target;
use cctui::aws::repos;
use cctui::jobs::{JobEvent, JobId, JobManager, JobOutput, JobRequest, ReposOutput, Services};
use cctui::local::DEMO_REGION;
use peers::{aws_command, find_on_path, isolated, run_json};

const REPOSITORIES: usize = 5_000;
/// Injected latency of `repos5000`. 50 ms is a plain cross-region round trip. It keeps the
/// bench reasonable because the AWS CLI's 201 sequential processes cost ~0.7 s of Python
/// start-up each on this machine: latency adds 201 × 50 ms ≈ 10 s to its ~2.5 min, while it is
/// most of what the concurrent clients (ours, boto3-16) wait on.
const LATENCY_MS: u64 = 50;
/// ListRepositories page size of the service (as AWS).
const LIST_PAGE: usize = cctui::local::ops::REPOSITORY_PAGE;

fn main() -> Result<(), Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let runs: usize = env_number("CCTUI_BENCH_RUNS").unwrap_or(5).max(1);
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);

    let setup = Instant::now();
    let local = runtime.block_on(AwsLocal::start_with(DEMO_REGION, |dir| {
        aws_seed_store(dir, "bench-", REPOSITORIES);
    }));
    eprintln!(
        "setup: {REPOSITORIES} repositories seeded in {:.1}s",
        setup.elapsed().as_secs_f64()
    );
    let boto3 = Boto3::new(local.data_dir())?;
    let workspace = tempfile::tempdir()?;

    if want("list5000") {
        local.service.faults().set_latency_ms(0);
        let (ours, peer) = alternate(runs, &runtime, &local, workspace.path(), &boto3)?;
        match peer {
            Some(peer) => println!(
                "list5000: {ours:.3} s ({:.2}x boto3-16, target < 2 s)",
                ours / peer
            ),
            None => println!("list5000: {ours:.3} s (n/a x boto3-16, target < 2 s)"),
        }
    }

    if want("repos5000") {
        local.service.faults().set_latency_ms(LATENCY_MS);
        eprintln!("service latency now {LATENCY_MS} ms per request");
        let (ours, boto) = alternate(runs, &runtime, &local, workspace.path(), &boto3)?;
        let cli = match find_on_path("aws") {
            Some(aws) => Some(aws_cli_time(&aws, &local)?),
            None => {
                eprintln!("aws-cli: no `aws` executable on PATH, comparison skipped");
                None
            }
        };
        let pages = REPOSITORIES.div_ceil(LIST_PAGE);
        let floor = (pages + 1) as f64 * LATENCY_MS as f64 / 1000.0;
        let batches = REPOSITORIES.div_ceil(repos::BATCH_SIZE);
        eprintln!(
            "floor: {pages} chained ListRepositories pages + 1 round of details = {floor:.2}s \
             (at {} calls in flight the {batches} batches alone need {:.2}s)",
            repos::BATCH_CONCURRENCY,
            batches.div_ceil(repos::BATCH_CONCURRENCY) as f64 * LATENCY_MS as f64 / 1000.0
        );
        let ratio =
            |peer: Option<f64>| peer.map_or("n/a".to_string(), |p| format!("{:.3}", ours / p));
        println!(
            "repos5000: {ours:.3} s ({}x aws-cli, {}x boto3-16, floor {floor:.2} s, target <=1.0x boto3-16)",
            ratio(cli),
            ratio(boto),
        );
    }
    drop(local);
    Ok(())
}

/// `runs` alternated cold runs of ours and of boto3-16; their medians in seconds.
fn alternate(
    runs: usize,
    runtime: &tokio::runtime::Runtime,
    local: &AwsLocal,
    workspace: &Path,
    boto3: &Boto3,
) -> Result<(f64, Option<f64>), Box<dyn Error>> {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        let before = local.api_requests();
        let elapsed = runtime.block_on(list_job(&local.target, workspace))?;
        eprintln!(
            "cctui list job run {run}: {:.3}s, {} API requests",
            elapsed.as_secs_f64(),
            local.api_requests() - before
        );
        ours.push(elapsed.as_secs_f64());
        if let Some(peer) = boto3.run(&local.service.endpoint())? {
            eprintln!("boto3-16 run {run}: {peer:.3}s");
            theirs.push(peer);
        }
    }
    Ok((median(ours), (!theirs.is_empty()).then(|| median(theirs))))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The UI's listing job, start to `Finished`, with fresh clients (no warm connections).
async fn list_job(target: &Target, workspace: &Path) -> Result<Duration, Box<dyn Error>> {
    let services = Services {
        ..Services::new(aws_local::aws_demo_clients(), workspace.to_path_buf())
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    let started = Instant::now();
    manager.spawn(
        JobId(1),
        JobRequest::ListRepositories {
            targets: vec![target.clone()],
        },
    );
    let mut rows = 0usize;
    loop {
        let update = tokio::time::timeout(Duration::from_secs(300), rx.recv())
            .await?
            .ok_or("the job manager hung up")?;
        match update.event {
            JobEvent::Output(JobOutput::Repos(ReposOutput::RepositoryBatch {
                repositories,
                ..
            })) => {
                rows += repositories
                    .iter()
                    .filter(|(r, _)| !r.id.is_empty())
                    .count()
            }
            JobEvent::Finished(Ok(JobOutput::Repos(ReposOutput::Listed { total }))) => {
                let elapsed = started.elapsed();
                if total != REPOSITORIES || rows != REPOSITORIES {
                    return Err(format!(
                        "the list job counted {total} and delivered {rows} rows with details, \
                         expected {REPOSITORIES}"
                    )
                    .into());
                }
                return Ok(elapsed);
            }
            JobEvent::Finished(other) => return Err(format!("the list job ended {other:?}").into()),
            JobEvent::Cancelled => return Err("the list job was cancelled".into()),
            _ => {}
        }
    }
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}

/// The best listing a user could script: boto3, the paginator for the names, then
/// BatchGetRepositories of 25 names on 16 threads (a pool of 16 connections, so none waits for
/// one). Timed inside the process from client creation to the last batch: interpreter start
/// and `import boto3` are not counted.
const BOTO3_SCRIPT: &str = r#"
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
import boto3, botocore.config
endpoint = sys.argv[1]
started = time.perf_counter()
client = boto3.session.Session().client(
    "codecommit", endpoint_url=endpoint,
    config=botocore.config.Config(max_pool_connections=16))
names = [r["repositoryName"]
         for page in client.get_paginator("list_repositories").paginate()
         for r in page["repositories"]]
batches = [names[i:i + 25] for i in range(0, len(names), 25)]
def details(batch):
    return len(client.batch_get_repositories(repositoryNames=batch)["repositories"])
with ThreadPoolExecutor(max_workers=16) as pool:
    detailed = sum(pool.map(details, batches))
print(json.dumps({"seconds": time.perf_counter() - started,
                  "names": len(names), "detailed": detailed}))
"#;

struct Boto3 {
    script: PathBuf,
    nowhere: PathBuf,
    available: bool,
}

impl Boto3 {
    fn new(dir: &Path) -> Result<Boto3, Box<dyn Error>> {
        let script = dir.join("list_boto3.py");
        std::fs::write(&script, BOTO3_SCRIPT)?;
        let available = Command::new("python3")
            .args(["-c", "import boto3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            eprintln!("boto3-16: python3 with boto3 not found, comparison skipped");
        }
        Ok(Boto3 {
            script,
            nowhere: dir.join("no-aws-config"),
            available,
        })
    }

    /// Seconds of one cold run (`None` without boto3).
    fn run(&self, endpoint: &str) -> Result<Option<f64>, Box<dyn Error>> {
        if !self.available {
            return Ok(None);
        }
        let mut command = Command::new("python3");
        command.arg(&self.script).arg(endpoint);
        isolated(&mut command, &self.nowhere);
        let out = run_json(command, "boto3 script")?;
        let (names, detailed) = (out["names"].as_u64(), out["detailed"].as_u64());
        if names != Some(REPOSITORIES as u64) || detailed != Some(REPOSITORIES as u64) {
            return Err(format!("boto3 listed {names:?}, detailed {detailed:?}").into());
        }
        Ok(out["seconds"].as_f64())
    }
}

/// Seconds the AWS CLI needs for the whole listing: every batch run, one after the other.
fn aws_cli_time(aws: &Path, local: &AwsLocal) -> Result<f64, Box<dyn Error>> {
    let started = Instant::now();
    let mut list = aws_command(aws, local);
    list.arg("list-repositories");
    let listed = run_json(list, "aws list-repositories")?;
    let list_time = started.elapsed();
    let listed: Vec<String> = listed["repositories"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r["repositoryName"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if listed.len() != REPOSITORIES {
        return Err(format!(
            "aws list-repositories gave {} names, expected {REPOSITORIES}",
            listed.len()
        )
        .into());
    }
    let batches: Vec<&[String]> = listed.chunks(repos::BATCH_SIZE).collect();
    let batch_started = Instant::now();
    for batch in &batches {
        let mut get = aws_command(aws, local);
        get.arg("batch-get-repositories").arg("--repository-names");
        get.args(batch.iter());
        let got = run_json(get, "aws batch-get-repositories")?;
        let found = got["repositories"].as_array().map_or(0, Vec::len);
        if found != batch.len() {
            return Err(format!(
                "aws batch-get-repositories found {found} of {}",
                batch.len()
            )
            .into());
        }
    }
    let batch_time = batch_started.elapsed();
    let total = started.elapsed().as_secs_f64();
    eprintln!(
        "aws-cli: list-repositories {:.2}s + {} batch-get-repositories processes {:.1}s \
         ({:.3}s each) = {total:.1}s, every batch run",
        list_time.as_secs_f64(),
        batches.len(),
        batch_time.as_secs_f64(),
        batch_time.as_secs_f64() / batches.len() as f64
    );
    Ok(total)
}
