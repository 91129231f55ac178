//! The workspace screen end to end below the terminal: a temp workspace of clones in every
//! state (clean, dirty, ahead, behind, diverged, detached, no upstream, remote gone) scanned by
//! the real scan job, its rows streamed into the state; and a bulk fetch against the local
//! service through the job manager, with one repository failing: the others finish, at most
//! four at a time, and the failure is listed with its reason.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/jobs.rs"]
mod jobs_support;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::Overlay;
use cctui::app::repos::RepoRow;
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::app::workspace::RowWork;
use cctui::git::workspace::CloneHead;
use cctui::jobs::{JobManager, JobUpdate, Services};
use cctui::local::{DEMO_REGION, LocalService, ServiceConfig};
use git_remote::*;
use local_support::*;

fn services(root: &Path) -> Services {
    jobs_support::demo_services(root)
}

/// Runs the effects' jobs on a real job manager and feeds every report back into `update`,
/// as the event loop does, until `done` holds (a generous limit: the machine may be busy).
/// Returns the largest number of bulk jobs seen running at once.
async fn pump(
    state: &mut State,
    root: &Path,
    effects: Vec<Effect>,
    done: impl Fn(&State) -> bool,
) -> usize {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<JobUpdate>();
    let mut manager = JobManager::new(tx, services(root));
    let mut pending = effects;
    let mut most = 0;
    loop {
        for effect in pending.drain(..) {
            match effect {
                Effect::Spawn { id, request } => manager.spawn(id, *request),
                Effect::Cancel(id) => manager.cancel(id),
                _ => {}
            }
        }
        most = most.max(
            state
                .workspace
                .bulk
                .as_ref()
                .map(|b| b.running.len())
                .unwrap_or(0),
        );
        if done(state) && manager.running() == 0 {
            return most;
        }
        let next = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .expect("a job report within the limit")
            .expect("the manager is alive");
        pending = update(state, Action::Job(Box::new(next)));
    }
}

fn scanned(state: &State) -> bool {
    state.workspace.scan.is_none() && state.workspace.row_reads.is_empty()
}

/// `dir/<name>` cloned from `bare`, its origin then named as the local service names
/// `<name>` (the remote-tracking branches stay as fetched).
fn clone_of(bare: &Path, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    git_ok(
        path.parent().unwrap(),
        &[
            "clone",
            "-q",
            bare.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    set_identity(&path, "Dev", "dev@example.com");
    path
}

fn codecommit_origin(path: &Path, name: &str) {
    git_ok(
        path,
        &[
            "remote",
            "set-url",
            "origin",
            &format!("http://127.0.0.1:9/v1/repos/{name}"),
        ],
    );
}

fn listed(name: &str) -> RepoRow {
    RepoRow {
        repo: cctui::aws::repos::Repository {
            name: name.into(),
            ..Default::default()
        },
        region: "us-east-1".into(),
        profile: None,
        clone: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clones_in_every_state_stream_in_with_what_each_needs() {
    let dir = tempfile::tempdir().unwrap();
    let (bare, _a, seed) = remote_and_two_clones(dir.path());
    let ws = dir.path().join("workspace");
    let clean = clone_of(&bare, &ws, "clean");
    let dirty = clone_of(&bare, &ws, "team/dirty");
    std::fs::write(dirty.join("file.txt"), "changed\n").unwrap();
    std::fs::write(dirty.join("new.txt"), "new\n").unwrap();
    let ahead = clone_of(&bare, &ws, "team/ahead");
    cli_commit(&ahead, "mine.txt", "mine\n", "local work");
    let behind = clone_of(&bare, &ws, "behind");
    let diverged = clone_of(&bare, &ws, "diverged");
    cli_commit(&diverged, "mine.txt", "mine\n", "local work");
    let detached = clone_of(&bare, &ws, "detached");
    git_ok(&detached, &["checkout", "-q", "--detach"]);
    let no_upstream = clone_of(&bare, &ws, "no-upstream");
    git_ok(&no_upstream, &["checkout", "-q", "-b", "local-only"]);
    let gone = clone_of(&bare, &ws, "gone");
    // Someone pushes; two clones fetch it.
    cli_commit(&seed, "theirs.txt", "theirs\n", "their work");
    git_ok(&seed, &["push", "-q", "origin", "main"]);
    for clone in [&behind, &diverged] {
        git_ok(clone, &["fetch", "-q"]);
    }
    // A clone outside the root, known as a recent clone.
    let outside = clone_of(&bare, &dir.path().join("elsewhere"), "recent-one");
    // Not a clone: looked into, nothing found.
    std::fs::create_dir_all(ws.join("notes/drafts")).unwrap();
    for (path, name) in [
        (&clean, "clean"),
        (&dirty, "dirty"),
        (&ahead, "ahead"),
        (&behind, "behind"),
        (&diverged, "diverged"),
        (&detached, "detached"),
        (&no_upstream, "no-upstream"),
        (&gone, "gone"),
        (&outside, "recent-one"),
    ] {
        codecommit_origin(path, name);
    }

    let mut state = State::new(Session {
        region: Some("us-east-1".into()),
        ..Session::default()
    });
    state.cloning.workspace_root = ws.clone();
    state.recent.list = vec![outside.clone()];
    // The session's listing knows every repository but `gone`.
    state.repos.rows = [
        "clean",
        "dirty",
        "ahead",
        "behind",
        "diverged",
        "detached",
        "no-upstream",
        "recent-one",
    ]
    .into_iter()
    .map(listed)
    .collect();
    state.repos.rows_listing = Some(cctui::jobs::JobId(999));

    let effects = update(&mut state, Action::Command(CommandId::OpenWorkspace));
    assert_eq!(state.overlays.last(), Some(&Overlay::Workspace));
    pump(&mut state, dir.path(), effects, scanned).await;

    let ws_state = &state.workspace;
    assert_eq!(ws_state.rows.len(), 9, "{:#?}", ws_state.rows);
    let row = |path: &Path| {
        ws_state
            .rows
            .iter()
            .find(|r| r.summary.path == path)
            .unwrap_or_else(|| panic!("no row for {}", path.display()))
    };
    let main = Some(CloneHead::Branch("main".into()));
    assert_eq!(row(&clean).summary.changed, 0);
    assert_eq!(row(&clean).summary.ahead_behind, Some((0, 0)));
    assert_eq!(row(&clean).summary.head, main);
    assert_eq!(row(&dirty).summary.changed, 2);
    assert_eq!(row(&ahead).summary.ahead_behind, Some((1, 0)));
    assert_eq!(row(&behind).summary.ahead_behind, Some((0, 1)));
    assert!(row(&behind).summary.last_fetch.is_some());
    assert_eq!(row(&diverged).summary.ahead_behind, Some((1, 1)));
    assert!(matches!(
        row(&detached).summary.head,
        Some(CloneHead::Detached(_))
    ));
    assert_eq!(row(&detached).summary.ahead_behind, None);
    assert_eq!(
        row(&no_upstream).summary.head,
        Some(CloneHead::Branch("local-only".into()))
    );
    assert_eq!(row(&no_upstream).summary.upstream, None);
    assert_eq!(
        row(&outside).key.as_ref().map(|k| k.name.as_str()),
        Some("recent-one")
    );
    let gone_rows: Vec<String> = ws_state
        .rows
        .iter()
        .filter(|r| cctui::app::workspace_update::remote_gone(&state, r))
        .map(|r| r.name())
        .collect();
    assert_eq!(gone_rows, vec!["gone"]);
    assert_eq!(
        row(&clean).key.as_ref().map(|k| k.region.as_str()),
        Some("us-east-1")
    );

    // Sort by what needs attention: the dirty clone first; filter narrows to matches.
    update(&mut state, Action::Command(CommandId::WorkspaceSort));
    assert_eq!(
        state.workspace.selected_row().map(|r| r.name()),
        Some("dirty".into())
    );
    update(&mut state, Action::Command(CommandId::WorkspaceFilter));
    for c in "div".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    update(&mut state, Action::Command(CommandId::Accept));
    let shown: Vec<String> = state
        .workspace
        .view
        .iter()
        .map(|i| state.workspace.rows[*i].name())
        .collect();
    assert_eq!(shown, vec!["diverged"]);
    // Enter opens it in the panes.
    let effects = update(&mut state, Action::Command(CommandId::WorkspaceOpen));
    assert!(state.overlays.is_empty());
    assert_eq!(
        state.open_repo.as_ref().map(|r| r.path.clone()),
        Some(diverged.clone())
    );
    assert!(!effects.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_fetch_finishes_the_others_when_one_fails_and_lists_the_failure() {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let ws = dir.path().join("workspace");
    let names = ["one", "two", "three", "four", "five"];
    let client = demo_client(&service);
    let mut clones = Vec::new();
    for name in names {
        client
            .create_repository()
            .repository_name(name)
            .send()
            .await
            .unwrap();
        let path = ws.join(name);
        let (work, url, origin) = (
            path.clone(),
            git_url(&service, name),
            format!("http://127.0.0.1:{}/v1/repos/{name}", service.port()),
        );
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&work).unwrap();
            work_tree(&work, "main", 2);
            git_ok(&work, &["push", "-q", &url, "main"]);
            git_ok(&work, &["remote", "add", "origin", &origin]);
        })
        .await
        .unwrap();
        clones.push(path);
    }
    // Its repository does not exist on the service: its fetch fails.
    let broken = ws.join("broken");
    let origin = format!("http://127.0.0.1:{}/v1/repos/no-such-repo", service.port());
    let work = broken.clone();
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&work).unwrap();
        work_tree(&work, "main", 1);
        git_ok(&work, &["remote", "add", "origin", &origin]);
    })
    .await
    .unwrap();

    let mut state = State::new(Session {
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
        ..Session::default()
    });
    state.cloning.workspace_root = ws.clone();
    let effects = update(&mut state, Action::Command(CommandId::OpenWorkspace));
    pump(&mut state, dir.path(), effects, scanned).await;
    assert_eq!(state.workspace.rows.len(), 6);

    let effects = update(&mut state, Action::Command(CommandId::WorkspaceFetch));
    let started = effects
        .iter()
        .filter(|e| matches!(e, Effect::Spawn { .. }))
        .count();
    assert_eq!(started, 4, "four at a time; the rest wait");
    let most = pump(&mut state, dir.path(), effects, |s| {
        s.workspace.bulk.is_none() && scanned(s)
    })
    .await;
    assert!(most <= 4, "{most} ran at once");

    let summary = state.workspace.summary.clone().unwrap();
    assert_eq!(summary[0], "Fetched 5 of 6 clones; 1 failed", "{summary:?}");
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert!(
        summary[1].starts_with("no-such-repo (broken): "),
        "{summary:?}"
    );
    assert!(
        summary[1].contains("Repository not found"),
        "the reason is given: {summary:?}"
    );
    for clone in &clones {
        assert!(
            matches!(state.workspace.work.get(clone), Some(RowWork::Done(_))),
            "{:?}",
            state.workspace.work.get(clone)
        );
        // Really fetched: the remote-tracking branch is there, and the row was read again.
        assert!(try_rev(clone, "refs/remotes/origin/main").is_some());
        let row = state
            .workspace
            .rows
            .iter()
            .find(|r| &r.summary.path == clone)
            .unwrap();
        assert!(row.summary.last_fetch.is_some(), "{row:?}");
    }
    assert!(matches!(
        state.workspace.work.get(&broken),
        Some(RowWork::Failed(_))
    ));
}

#[test]
fn cancel_drops_the_queue_and_stops_the_running_fetches() {
    let mut state = State::new(Session::default());
    let rows = (0..6)
        .map(|i| cctui::app::workspace::WorkspaceRow {
            summary: cctui::git::workspace::CloneSummary {
                path: PathBuf::from(format!("/ws/repo-{i}")),
                origin_url: None,
                head: Some(CloneHead::Branch("main".into())),
                changed: 0,
                upstream: None,
                ahead_behind: None,
                last_fetch: None,
                error: None,
            },
            key: None,
        })
        .collect();
    state.workspace.add(rows);
    state.overlays.push(Overlay::Workspace);
    let effects = update(&mut state, Action::Command(CommandId::WorkspaceFetch));
    let spawned: Vec<cctui::jobs::JobId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(spawned.len(), 4);
    let effects = update(&mut state, Action::Command(CommandId::WorkspaceCancel));
    let cancels: Vec<cctui::jobs::JobId> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Cancel(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(cancels, spawned, "the running ones are asked to stop");
    // Nothing new starts while they stop.
    for id in spawned {
        let more = update(
            &mut state,
            Action::Job(Box::new(JobUpdate {
                id,
                event: cctui::jobs::JobEvent::Cancelled,
            })),
        );
        assert!(!more.iter().any(|e| matches!(e, Effect::Spawn { .. })));
    }
    assert!(state.workspace.bulk.is_none());
    assert_eq!(
        state.workspace.summary.as_ref().map(|s| s[0].clone()),
        Some("Fetched 0 of 6 clones; 6 cancelled".to_string())
    );
}
