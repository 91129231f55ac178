//! `pulls500`: 500 pull requests across 50 repositories listed with their details, through
//! the job the pull requests screen runs for the account view (`PullsRequest::List` on a
//! `JobManager`: every ListPullRequests at once, each id's GetPullRequest as soon as its page
//! arrives, rows streamed back), at [`LATENCY_MS`] injected latency on every request, against:
//!
//! - the AWS CLI doing the same, at its best shot from a shell: `list-pull-requests` per
//!   repository, then `get-pull-request` per id, [`CLI_PARALLEL`] processes at a time (as
//!   `xargs -P`); every one of the 550 calls is run;
//! - the latency floor: a listing then the details of what it listed, two round trips;
//! - (on stderr) the same job against a server that only waits and answers canned bodies:
//!   what cctui's side costs without the local service's work on the same cores.
//!
//! The repositories get real branches by git pushes; the requests are made through the SDK
//! before the latency is switched on. Run: `cargo bench --bench pulls` (`CCTUI_BENCH_RUNS`,
//! default 5, runs of ours; median). Each run starts with fresh clients, so every connection
//! is a new one; `CCTUI_BENCH_WARM=1` keeps one set of clients across runs instead, as the
//! app keeps its clients, to see what a refresh costs once the connections are open. Result
//! line:
//! `pulls500: <s> s (<r>x aws-cli, <r>x floor, floor <s> s, target <=1.5x floor)`.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/aws_local.rs"]
mod aws_local;
#[path = "../tests/support/local.rs"]
mod local_support;
#[path = "support/peers.rs"]
mod peers;

use std::error::Error;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_local::AwsLocal;
use cctui::aws::client::Target;
use cctui::aws::pulls::ListStatus;
use cctui::jobs::pulls_job::{PullsOutput, PullsRequest};
use cctui::jobs::{JobEvent, JobId, JobManager, JobOutput, JobRequest, Services};
use futures::StreamExt;
use peers::{aws_command, find_on_path, run_json};

const REPOSITORIES: usize = 50;
const PER_REPOSITORY: usize = 10;
const LATENCY_MS: u64 = 50;
/// AWS CLI processes at once (a shell's `xargs -P`); more only queue for the 2 cores' Python
/// start-up.
const CLI_PARALLEL: usize = 16;

fn main() -> Result<(), Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let runs: usize = std::env::var("CCTUI_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let setup = Instant::now();
    let local = runtime.block_on(AwsLocal::start());
    let names: Vec<String> = (0..REPOSITORIES).map(|i| format!("pulls-{i:02}")).collect();
    runtime.block_on(seed(&local, &names))?;
    eprintln!(
        "setup: {REPOSITORIES} repositories, {} pull requests in {:.1}s",
        REPOSITORIES * PER_REPOSITORY,
        setup.elapsed().as_secs_f64()
    );
    // `CCTUI_BENCH_LATENCY_MS` (default 50) changes the latency, to see what is not waiting.
    let latency_ms: u64 = std::env::var("CCTUI_BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(LATENCY_MS);
    local.service.faults().set_latency_ms(latency_ms);
    eprintln!("service latency now {latency_ms} ms per request");

    let workspace = tempfile::tempdir()?;
    let mut ours = Vec::new();
    for run in 1..=runs {
        let before = local.api_requests();
        let cpu_before = cpu_time();
        let elapsed = runtime.block_on(list_job(&local.target, &names, workspace.path()))?;
        eprintln!(
            "cctui pull request listing run {run}: {:.3}s, {} API requests, {:.0} ms of CPU (client and in-process service)",
            elapsed.as_secs_f64(),
            local.api_requests() - before,
            (cpu_time() - cpu_before).as_secs_f64() * 1000.0
        );
        ours.push(elapsed.as_secs_f64());
    }
    ours.sort_by(f64::total_cmp);
    let ours = ours[ours.len() / 2];
    let floor = 2.0 * latency_ms as f64 / 1000.0;
    // The same job against a server that only waits and answers canned bodies: what cctui's
    // side (the job, the SDK, hyper, the loopback) costs without the local service's work on
    // the same two cores.
    let canned = runtime.block_on(canned_server(Duration::from_millis(latency_ms)))?;
    let canned_target = Target {
        endpoint: Some(format!("http://{canned}")),
        ..local.target.clone()
    };
    let mut alone = Vec::new();
    for _ in 0..runs {
        let cpu_before = cpu_time();
        let elapsed = runtime.block_on(list_job(&canned_target, &names, workspace.path()))?;
        let cpu = cpu_time() - cpu_before;
        alone.push((elapsed.as_secs_f64(), cpu.as_secs_f64() * 1000.0));
    }
    alone.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (alone_time, alone_cpu) = alone[alone.len() / 2];
    eprintln!(
        "the same job against a canned server (waits {latency_ms} ms, answers, nothing else): median {alone_time:.3}s = {:.2}x floor, {alone_cpu:.0} ms of CPU",
        alone_time / floor
    );
    let cli = match find_on_path("aws") {
        Some(aws) => Some(aws_cli_time(&aws, &local, &names)?),
        None => {
            eprintln!("aws-cli: no `aws` executable on PATH, comparison skipped");
            None
        }
    };
    let cli_ratio = cli.map_or("n/a".to_string(), |c| format!("{:.3}", ours / c));
    println!(
        "pulls500: {ours:.3} s ({cli_ratio}x aws-cli, {:.2}x floor, floor {floor:.2} s, target <=1.5x floor)",
        ours / floor
    );
    drop(local);
    Ok(())
}

/// 50 repositories with ten branches each (one git repository pushed to all), and a request
/// from each branch into `main`.
async fn seed(local: &AwsLocal, names: &[String]) -> Result<(), Box<dyn Error>> {
    let client = local.client().await;
    for name in names {
        client
            .create_repository()
            .repository_name(name)
            .send()
            .await?;
    }
    let work = tempfile::tempdir()?;
    let dir = work.path().to_path_buf();
    let urls: Vec<String> = names
        .iter()
        .map(|n| local_support::git_url(&local.service, n))
        .collect();
    tokio::task::spawn_blocking(move || {
        let w = dir.as_path();
        local_support::git_ok(w, &["init", "-q", "-b", "main"]);
        std::fs::write(w.join("README.md"), "# bench\n").unwrap();
        local_support::git_ok(w, &["add", "."]);
        local_support::git_ok(w, &["commit", "-q", "-m", "base"]);
        for b in 0..PER_REPOSITORY {
            local_support::git_ok(w, &["checkout", "-q", "-b", &format!("topic-{b}"), "main"]);
            std::fs::write(w.join(format!("topic-{b}.txt")), format!("{b}\n")).unwrap();
            local_support::git_ok(w, &["add", "."]);
            local_support::git_ok(w, &["commit", "-q", "-m", &format!("Topic {b}")]);
        }
        for url in &urls {
            local_support::git_ok(w, &["push", "-q", url, "--all"]);
        }
    })
    .await?;
    let creations = names
        .iter()
        .flat_map(|name| (0..PER_REPOSITORY).map(move |b| (name.clone(), format!("topic-{b}"))));
    let results: Vec<_> = futures::stream::iter(creations)
        .map(|(name, branch)| {
            let client = client.clone();
            async move {
                let target = aws_sdk_codecommit::types::Target::builder()
                    .repository_name(&name)
                    .source_reference(&branch)
                    .destination_reference("main")
                    .build()?;
                client
                    .create_pull_request()
                    .title(format!("{branch} of {name}"))
                    .targets(target)
                    .send()
                    .await?;
                Ok::<_, Box<dyn Error + Send + Sync>>(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for result in results {
        result.map_err(|e| e.to_string())?;
    }
    Ok(())
}

static WARM: std::sync::OnceLock<cctui::aws::client::Clients> = std::sync::OnceLock::new();

/// The screen's account listing, start to `Listed`, with fresh clients (no warm connections).
async fn list_job(
    target: &Target,
    names: &[String],
    workspace: &Path,
) -> Result<Duration, Box<dyn Error>> {
    let clients = if std::env::var_os("CCTUI_BENCH_WARM").is_some() {
        WARM.get_or_init(aws_local::aws_demo_clients).clone()
    } else {
        aws_local::aws_demo_clients()
    };
    let services = Services {
        ..Services::new(clients, workspace.to_path_buf())
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    let started = Instant::now();
    manager.spawn(
        JobId(1),
        JobRequest::Pulls(PullsRequest::List {
            target: target.clone(),
            repositories: names.to_vec(),
            status: ListStatus::Open,
            author: None,
        }),
    );
    let mut rows = 0usize;
    loop {
        let update = tokio::time::timeout(Duration::from_secs(300), rx.recv())
            .await?
            .ok_or("the job manager hung up")?;
        match update.event {
            JobEvent::Output(JobOutput::Pulls(PullsOutput::Rows(got))) => {
                rows += got.iter().filter(|pr| !pr.source_commit.is_empty()).count()
            }
            JobEvent::Output(JobOutput::Pulls(PullsOutput::RepositoryFailed {
                repository,
                message,
            })) => return Err(format!("{repository}: {message}").into()),
            JobEvent::Finished(Ok(JobOutput::Pulls(PullsOutput::Listed { count }))) => {
                let elapsed = started.elapsed();
                let expected = REPOSITORIES * PER_REPOSITORY;
                if count != expected || rows != expected {
                    return Err(format!(
                        "the listing counted {count} and delivered {rows} rows with details, \
                         expected {expected}"
                    )
                    .into());
                }
                return Ok(elapsed);
            }
            JobEvent::Finished(other) => return Err(format!("the listing ended {other:?}").into()),
            JobEvent::Cancelled => return Err("the listing was cancelled".into()),
            _ => {}
        }
    }
}

/// A server on loopback that answers ListPullRequests (the repository's [`PER_REPOSITORY`]
/// ids) and GetPullRequest (an open request from a topic branch into `main`) after `latency`,
/// with bodies shaped like CodeCommit's, and does nothing else.
async fn canned_server(latency: Duration) -> Result<std::net::SocketAddr, Box<dyn Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| canned(request, latency));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(address)
}

async fn canned(
    request: hyper::Request<hyper::body::Incoming>,
    latency: Duration,
) -> Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, std::convert::Infallible> {
    use http_body_util::BodyExt;
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => bytes::Bytes::new(),
    };
    tokio::time::sleep(latency).await;
    let input: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let answer = match operation.as_str() {
        "ListPullRequests" => {
            let repository = input["repositoryName"].as_str().unwrap_or_default();
            let index: usize = repository
                .trim_start_matches("pulls-")
                .parse()
                .unwrap_or_default();
            let ids: Vec<String> = (0..PER_REPOSITORY)
                .map(|i| (index * PER_REPOSITORY + i + 1).to_string())
                .collect();
            serde_json::json!({ "pullRequestIds": ids })
        }
        _ => {
            let id = input["pullRequestId"].as_str().unwrap_or("1");
            let number: usize = id.parse().unwrap_or(1);
            let (repository, branch) = (
                format!("pulls-{:02}", (number - 1) / PER_REPOSITORY),
                format!("topic-{}", (number - 1) % PER_REPOSITORY),
            );
            serde_json::json!({ "pullRequest": {
                "pullRequestId": id,
                "title": format!("{branch} of {repository}"),
                "lastActivityDate": 1.7e9,
                "creationDate": 1.7e9,
                "pullRequestStatus": "OPEN",
                "authorArn": "arn:aws:iam::123456789012:user/alice",
                "revisionId": format!("{number:064x}"),
                "clientRequestToken": id,
                "approvalRules": [],
                "pullRequestTargets": [{
                    "repositoryName": repository,
                    "sourceReference": format!("refs/heads/{branch}"),
                    "destinationReference": "refs/heads/main",
                    "sourceCommit": format!("{number:040x}"),
                    "destinationCommit": format!("{:040x}", 0),
                    "mergeBase": format!("{:040x}", 0),
                    "mergeMetadata": { "isMerged": false },
                }],
            }})
        }
    };
    Ok(hyper::Response::builder()
        .header("content-type", "application/x-amz-json-1.1")
        .body(http_body_util::Full::new(bytes::Bytes::from(
            answer.to_string(),
        )))
        .unwrap_or_default())
}

/// User and system CPU time of this process so far.
fn cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Runs `work(i)` for every `i < count`, `parallel` at a time, on threads.
fn in_parallel<T: Send>(
    count: usize,
    parallel: usize,
    work: impl Fn(usize) -> Result<T, String> + Sync,
) -> Result<Vec<T>, String> {
    let next = AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..parallel {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let result = work(i);
                    results.lock().unwrap().push((i, result));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// The AWS CLI: every repository's `list-pull-requests`, then every id's `get-pull-request`.
fn aws_cli_time(aws: &Path, local: &AwsLocal, names: &[String]) -> Result<f64, Box<dyn Error>> {
    let started = Instant::now();
    let listed = in_parallel(names.len(), CLI_PARALLEL, |i| {
        let mut list = aws_command(aws, local);
        list.args(["list-pull-requests", "--repository-name", &names[i]]);
        let out = run_json(list, "aws list-pull-requests").map_err(|e| e.to_string())?;
        Ok(out["pullRequestIds"]
            .as_array()
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| id.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default())
    })?;
    let ids: Vec<String> = listed.into_iter().flatten().collect();
    let list_time = started.elapsed();
    let expected = REPOSITORIES * PER_REPOSITORY;
    if ids.len() != expected {
        return Err(format!("aws listed {} ids, expected {expected}", ids.len()).into());
    }
    let got = in_parallel(ids.len(), CLI_PARALLEL, |i| {
        let mut get = aws_command(aws, local);
        get.args(["get-pull-request", "--pull-request-id", &ids[i]]);
        let out = run_json(get, "aws get-pull-request").map_err(|e| e.to_string())?;
        Ok(out["pullRequest"]["pullRequestId"].as_str() == Some(ids[i].as_str()))
    })?;
    if got.iter().any(|ok| !ok) {
        return Err("aws get-pull-request answered another request".into());
    }
    let total = started.elapsed().as_secs_f64();
    eprintln!(
        "aws-cli ({CLI_PARALLEL} at a time): {REPOSITORIES} list-pull-requests {:.1}s + {} get-pull-request {:.1}s = {total:.1}s, every call run",
        list_time.as_secs_f64(),
        ids.len(),
        total - list_time.as_secs_f64()
    );
    Ok(total)
}
