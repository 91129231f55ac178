//! Crash safety of the real `cctui serve` binary: killed with SIGKILL while clients create and
//! delete repositories, then restarted on the same data directory.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/local.rs"]
mod local_support;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use local_support::*;

fn serve(data_dir: &Path, state: &Path) -> Served {
    serve_binary(data_dir, state, &[], &[])
}

/// Repository folders without metadata and metadata temp files: what a crash leaves.
fn leftovers(data_dir: &Path) -> (Vec<String>, Vec<String>) {
    let ids: HashSet<String> = std::fs::read_dir(data_dir.join("meta"))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".json"))
                .map(str::to_string)
        })
        .collect();
    let orphans = std::fs::read_dir(data_dir.join("repos"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.strip_suffix(".git").is_some_and(|id| ids.contains(id)))
        .collect();
    let temps = std::fs::read_dir(data_dir.join("meta"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| !n.ends_with(".json"))
        .collect();
    (orphans, temps)
}

#[derive(Default)]
struct Acknowledged {
    created: HashSet<String>,
    /// Deletes sent, acknowledged or not: an unacknowledged one may or may not have landed.
    deleting: HashSet<String>,
    deleted: HashSet<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_creates_loses_nothing_acknowledged_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let state = dir.path().join("state");
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let mut leftovers_seen = 0;
    // What the last kill left behind: the next start must clean it and say so in its banner.
    let mut left_by_last_kill = 0;

    for round in 0..5 {
        let mut served = serve(&data, &state);
        assert!(
            left_by_last_kill == 0 || served.banner.contains("recovered:"),
            "{left_by_last_kill} leftovers, but the banner says nothing recovered: {}",
            served.banner
        );
        let client = client_with(
            &format!("http://127.0.0.1:{}", served.port),
            cctui::local::DEMO_ACCESS_KEY_ID,
            cctui::local::DEMO_SECRET_ACCESS_KEY,
            None,
        );
        let mut writers = tokio::task::JoinSet::new();
        for writer in 0..12 {
            let (client, acknowledged) = (client.clone(), Arc::clone(&acknowledged));
            writers.spawn(async move {
                for i in 0.. {
                    let name = format!("r{round}-w{writer}-{i}");
                    if client
                        .create_repository()
                        .repository_name(&name)
                        .send()
                        .await
                        .is_err()
                    {
                        return;
                    }
                    acknowledged.lock().unwrap().created.insert(name.clone());
                    // Every third one is deleted again: acknowledged deletes must stick too.
                    if i % 3 != 0 {
                        continue;
                    }
                    acknowledged.lock().unwrap().deleting.insert(name.clone());
                    if client
                        .delete_repository()
                        .repository_name(&name)
                        .send()
                        .await
                        .is_ok()
                    {
                        acknowledged.lock().unwrap().deleted.insert(name);
                    }
                }
            });
        }
        let target = 30 * (round + 1);
        assert!(
            wait_until(Duration::from_secs(60), || acknowledged
                .lock()
                .unwrap()
                .created
                .len()
                >= target)
            .await,
            "the service stopped acknowledging creates"
        );
        served.kill(); // SIGKILL, in the middle of the writers' requests
        while writers.join_next().await.is_some() {}
        let (orphans, temps) = leftovers(&data);
        left_by_last_kill = orphans.len() + temps.len();
        leftovers_seen += left_by_last_kill;
    }

    let served = serve(&data, &state);
    assert!(
        left_by_last_kill == 0 || served.banner.contains("recovered:"),
        "{left_by_last_kill} leftovers, but the banner says nothing recovered: {}",
        served.banner
    );
    let (orphans, temps) = leftovers(&data);
    assert!(
        orphans.is_empty() && temps.is_empty(),
        "{orphans:?} {temps:?}"
    );
    // The kills did land inside writes (else this test would prove nothing); each start after
    // one that did said what it cleaned (checked above: the last kill may have hit no write).
    eprintln!("leftovers seen after the kills: {leftovers_seen}");
    assert!(leftovers_seen > 0, "no kill interrupted a write");

    let client = client_with(
        &format!("http://127.0.0.1:{}", served.port),
        cctui::local::DEMO_ACCESS_KEY_ID,
        cctui::local::DEMO_SECRET_ACCESS_KEY,
        None,
    );
    let mut listed = HashSet::new();
    let mut token = None;
    loop {
        let page = client
            .list_repositories()
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        listed.extend(
            page.repositories()
                .iter()
                .filter_map(|r| r.repository_name().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let acknowledged = acknowledged.lock().unwrap();
    for name in acknowledged.created.difference(&acknowledged.deleting) {
        assert!(listed.contains(name), "acknowledged create of {name} lost");
    }
    for name in &acknowledged.deleted {
        assert!(
            !listed.contains(name),
            "acknowledged delete of {name} undone"
        );
    }
    // Every surviving repository is a usable bare repository.
    for name in listed.iter().take(20) {
        let work = tempfile::tempdir().unwrap();
        git_ok(work.path(), &["init", "-q"]);
        let url = format!(
            "http://{}:{}@127.0.0.1:{}/v1/repos/{name}",
            cctui::local::DEMO_ACCESS_KEY_ID,
            enc(&git_password(
                cctui::local::DEMO_SECRET_ACCESS_KEY,
                cctui::local::DEMO_REGION,
                &format!("/v1/repos/{name}"),
                &format!("127.0.0.1:{}", served.port),
                now(),
            )),
            served.port
        );
        git_ok(work.path(), &["ls-remote", &url]);
    }
    drop(served);
}
