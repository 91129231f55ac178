//! Listing 5,000 repositories with details at 50 ms of service latency per request:
//! `cctui::aws::repos::list_all` against the AWS CLI doing the same work the way a shell script
//! would (`list-repositories`, which pages itself, then `batch-get-repositories` 25 names at a
//! time, one after the other), both against the local service in the same run.
//!
//! Run: `cargo bench --bench repos`. Environment:
//! - `CCTUI_BENCH_CLI_BATCHES` (default 20): how many of the 200 CLI batches to really run; the
//!   rest is extrapolated from their mean (printed as such). `all` runs every batch.
//! - `CCTUI_BENCH_RUNS` (default 3): runs of `list_all`; the median is reported.
//!
//! The last line is always `repos5000: <seconds>s (<ratio>x aws-cli, target >=10x faster)`; the
//! ratio is `n/a` when no `aws` executable is on PATH.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/support/aws_local.rs"]
mod aws_local;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use aws_local::{AwsLocal, aws_create_many};
use cctui::aws::repos;
use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY};

const REPOSITORIES: usize = 5_000;
const LATENCY_MS: u64 = 50;

fn main() -> Result<(), Box<dyn Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let runs: usize = env_number("CCTUI_BENCH_RUNS").unwrap_or(3).max(1);

    let local = runtime.block_on(AwsLocal::start());
    let setup = Instant::now();
    let names = runtime.block_on(async {
        let client = local.client().await;
        aws_create_many(&client, &local.target, "bench-", REPOSITORIES, 16).await
    });
    eprintln!(
        "setup: {REPOSITORIES} repositories created in {:.1}s; service latency now {LATENCY_MS} ms",
        setup.elapsed().as_secs_f64()
    );
    local.service.faults().set_latency_ms(LATENCY_MS);

    // cctui: a fresh client per run (connections included in the time, as at app start).
    let mut times = Vec::new();
    for run in 1..=runs {
        let clients = aws_local::aws_demo_clients();
        let (elapsed, total, delivered, requests) = runtime.block_on(async {
            let before = local.api_requests();
            let started = Instant::now();
            let client = clients.get(&local.target).await;
            let mut delivered = 0usize;
            let total = repos::list_all(&client, &local.target, |batch| {
                delivered += batch.iter().filter(|r| !r.id.is_empty()).count();
            })
            .await;
            (
                started.elapsed(),
                total,
                delivered,
                local.api_requests() - before,
            )
        });
        let total = total?;
        if total != REPOSITORIES || delivered != REPOSITORIES {
            return Err(format!(
                "list_all returned {total}, delivered {delivered} with details, expected {REPOSITORIES}"
            )
            .into());
        }
        eprintln!(
            "cctui list_all run {run}: {:.3}s, {requests} API requests",
            elapsed.as_secs_f64()
        );
        times.push(elapsed);
    }
    times.sort();
    let ours = times[times.len() / 2].as_secs_f64();

    let cli = match find_on_path("aws") {
        Some(aws) => Some(aws_cli_time(&aws, &local, &names)?),
        None => {
            eprintln!("aws-cli: no `aws` executable on PATH, comparison skipped");
            None
        }
    };
    drop(local);
    match cli {
        Some(cli) => println!(
            "repos5000: {ours:.3}s ({:.1}x aws-cli, target >=10x faster)",
            cli / ours
        ),
        None => println!("repos5000: {ours:.3}s (n/a x aws-cli, target >=10x faster)"),
    }
    Ok(())
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// The AWS CLI, isolated from the developer's configuration, pointed at the local service.
fn aws_command(aws: &Path, local: &AwsLocal) -> Command {
    let mut command = Command::new(aws);
    let nowhere = local.data_dir().join("no-aws-config");
    command
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_CA_BUNDLE")
        .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", DEMO_REGION)
        .env("AWS_REGION", DEMO_REGION)
        .env("AWS_CONFIG_FILE", &nowhere)
        .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .args([
            "--endpoint-url",
            &local.service.endpoint(),
            "--output",
            "json",
        ])
        .arg("codecommit");
    command
}

fn run_json(mut command: Command) -> Result<serde_json::Value, Box<dyn Error>> {
    let output = command.output()?;
    if !output.status.success() {
        return Err(format!(
            "aws CLI failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// Seconds the AWS CLI needs for the same listing (extrapolated past the measured batches).
fn aws_cli_time(aws: &Path, local: &AwsLocal, names: &[String]) -> Result<f64, Box<dyn Error>> {
    let started = Instant::now();
    let mut list = aws_command(aws, local);
    list.arg("list-repositories");
    let listed = run_json(list)?;
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
    if listed.len() != names.len() {
        return Err(format!(
            "aws list-repositories gave {} names, expected {}",
            listed.len(),
            names.len()
        )
        .into());
    }
    let batches: Vec<&[String]> = listed.chunks(repos::BATCH_SIZE).collect();
    let cap = match std::env::var("CCTUI_BENCH_CLI_BATCHES").as_deref() {
        Ok("all") => batches.len(),
        _ => env_number("CCTUI_BENCH_CLI_BATCHES")
            .unwrap_or(20)
            .clamp(1, batches.len()),
    };
    let mut batch_time = Duration::ZERO;
    for batch in &batches[..cap] {
        let started = Instant::now();
        let mut get = aws_command(aws, local);
        get.arg("batch-get-repositories").arg("--repository-names");
        get.args(batch.iter());
        let got = run_json(get)?;
        batch_time += started.elapsed();
        let found = got["repositories"].as_array().map_or(0, Vec::len);
        if found != batch.len() {
            return Err(format!(
                "aws batch-get-repositories found {found} of {}",
                batch.len()
            )
            .into());
        }
    }
    let per_batch = batch_time.as_secs_f64() / cap as f64;
    let total = list_time.as_secs_f64() + per_batch * batches.len() as f64;
    if cap < batches.len() {
        eprintln!(
            "aws-cli: list-repositories {:.2}s; {cap} of {} batch-get-repositories calls run \
             ({per_batch:.3}s each), the other {} extrapolated: {total:.1}s",
            list_time.as_secs_f64(),
            batches.len(),
            batches.len() - cap
        );
    } else {
        eprintln!(
            "aws-cli: list-repositories {:.2}s + {} batch-get-repositories calls {:.2}s = {total:.1}s",
            list_time.as_secs_f64(),
            batches.len(),
            batch_time.as_secs_f64()
        );
    }
    Ok(total)
}
