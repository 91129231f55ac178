//! Undo as the user takes it: changes made by cctui's own jobs (discard, commit, branch
//! delete) are logged (in the data dir for the app, under each test's own directory here),
//! `z` asks what it will do and undoes the newest, `Z` lists them, and a refusal (new work in
//! the way) is shown with what is in the way. The jobs run for real through the job manager
//! on temp repositories.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/app.rs"]
mod app;
#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/jobs.rs"]
mod jobs;
#[path = "support/local.rs"]
mod local_support;

use std::path::{Path, PathBuf};

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::Overlay;
use cctui::app::state::{OpenRepo, Session, State};
use cctui::app::update::update;
use cctui::git::undo_log::Change;
use cctui::jobs::{BranchOp, IndexChange, JobRequest};
use git_remote::*;
use local_support::*;

fn clone_state(work: &Path) -> State {
    let mut state = State::new(Session::default());
    state.open_repo = Some(OpenRepo {
        name: "work".into(),
        path: work.to_path_buf(),
        codecommit: None,
        origin_url: None,
    });
    state
}

fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    repo_init(&work);
    cli_commit(&work, "file.txt", "one\n", "first");
    (dir, work)
}

/// Runs every job the effects start, as the event loop would, and delivers the results;
/// returns the effects of the deliveries.
async fn run_jobs(state: &mut State, root: &Path, effects: Vec<Effect>) -> Vec<Effect> {
    let mut more = Vec::new();
    for (id, request) in app::start_all(state, &effects) {
        let result = jobs::run(root, request).await;
        more.extend(match result {
            Ok(output) => app::finish(state, id, output),
            Err(failure) => app::report(state, id, cctui::jobs::JobEvent::Finished(Err(failure))),
        });
    }
    more
}

fn confirm(state: &State) -> (String, String, Action) {
    match state.overlays.last() {
        Some(Overlay::Confirm {
            title,
            message,
            on_yes,
        }) => (title.clone(), message.clone(), (**on_yes).clone()),
        other => panic!("expected a question, got {other:?}"),
    }
}

#[tokio::test]
async fn z_asks_then_brings_back_a_discarded_file() {
    let (dir, work) = repo();
    std::fs::write(work.join("file.txt"), "my unsaved edit\n").unwrap();
    jobs::run(
        dir.path(),
        JobRequest::ChangeIndex {
            repo: work.clone(),
            change: IndexChange::Discard("file.txt".into()),
        },
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "one\n"
    );

    let mut state = clone_state(&work);
    let effects = update(&mut state, Action::Command(CommandId::Undo));
    run_jobs(&mut state, dir.path(), effects).await;
    let (title, message, yes) = confirm(&state);
    assert_eq!(title, "Undo discard changes to file.txt?");
    assert!(
        message.contains("write back what was thrown away: file.txt"),
        "{message}"
    );
    let effects = update(&mut state, Action::Command(CommandId::Yes));
    assert!(state.overlays.is_empty());
    assert!(matches!(yes, Action::Spawn(_)));
    run_jobs(&mut state, dir.path(), effects).await;
    assert_eq!(
        state.notice.as_deref(),
        Some("Brought back the discarded changes to file.txt")
    );
    assert_eq!(
        std::fs::read_to_string(work.join("file.txt")).unwrap(),
        "my unsaved edit\n"
    );

    // The list shows it undone; enter on it says so and does nothing.
    let effects = update(&mut state, Action::Command(CommandId::UndoList));
    run_jobs(&mut state, dir.path(), effects).await;
    assert_eq!(state.overlays.last(), Some(&Overlay::UndoList));
    assert_eq!(state.undo.entries.len(), 1);
    assert!(state.undo.entries[0].undone);
    let effects = update(&mut state, Action::Command(CommandId::Accept));
    assert!(effects.is_empty());
    assert!(
        state
            .notice
            .as_deref()
            .is_some_and(|n| n.starts_with("Already undone")),
        "{:?}",
        state.notice
    );
}

#[tokio::test]
async fn a_commit_made_after_refuses_the_undo_and_says_so() {
    let (dir, work) = repo();
    stage(&work, "file.txt", "two\n");
    jobs::run(
        dir.path(),
        JobRequest::Commit {
            repo: work.clone(),
            request: cctui::git::CommitRequest {
                message: "second".into(),
                amend: false,
                allow_empty: false,
                no_verify: true,
            },
        },
    )
    .await
    .unwrap();
    // New work since, made outside cctui.
    let third = cli_commit(&work, "other.txt", "x\n", "third");

    let mut state = clone_state(&work);
    let effects = update(&mut state, Action::Command(CommandId::Undo));
    run_jobs(&mut state, dir.path(), effects).await;
    let (title, message, _) = confirm(&state);
    assert_eq!(title, "Undo commit \"second\" on main?");
    assert!(message.contains("move main back from"), "{message}");
    let effects = update(&mut state, Action::Command(CommandId::Yes));
    run_jobs(&mut state, dir.path(), effects).await;
    match state.overlays.last() {
        Some(Overlay::Error { message, hint }) => {
            assert!(message.contains("main moved since"), "{message}");
            assert!(message.contains("third"), "{message}");
            assert!(hint.as_deref().is_some_and(|h| h.contains("would be lost")));
        }
        other => panic!("expected the refusal, got {other:?}"),
    }
    assert_eq!(rev(&work, "HEAD"), third, "nothing changed");
}

#[tokio::test]
async fn the_list_undoes_only_the_newest_change() {
    let (dir, work) = repo();
    git_ok(&work, &["branch", "old-a"]);
    git_ok(&work, &["branch", "old-b"]);
    for name in ["old-a", "old-b"] {
        jobs::run(
            dir.path(),
            JobRequest::Branch {
                repo: work.clone(),
                op: BranchOp::Delete {
                    name: name.into(),
                    force: false,
                },
            },
        )
        .await
        .unwrap();
    }
    let mut state = clone_state(&work);
    let effects = update(&mut state, Action::Command(CommandId::UndoList));
    run_jobs(&mut state, dir.path(), effects).await;
    let names: Vec<String> = state
        .undo
        .entries
        .iter()
        .map(|e| e.change.describe())
        .collect();
    assert_eq!(names, vec!["delete branch old-b", "delete branch old-a"]);
    assert!(matches!(
        state.undo.entries[0].change,
        Change::BranchDeleted { .. }
    ));

    // The older one first: refused, saying which comes first.
    update(&mut state, Action::Command(CommandId::Down));
    update(&mut state, Action::Command(CommandId::Accept));
    match state.overlays.last() {
        Some(Overlay::Error { message, .. }) => {
            assert!(message.contains("delete branch old-b"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    update(&mut state, Action::Command(CommandId::Close));
    update(&mut state, Action::Command(CommandId::Up));
    update(&mut state, Action::Command(CommandId::Accept));
    let (title, _, _) = confirm(&state);
    assert_eq!(title, "Undo delete branch old-b?");
    let effects = update(&mut state, Action::Command(CommandId::Yes));
    let more = run_jobs(&mut state, dir.path(), effects).await;
    assert!(try_rev(&work, "refs/heads/old-b").is_some());
    assert!(try_rev(&work, "refs/heads/old-a").is_none());
    // The list, still open, is read again.
    run_jobs(&mut state, dir.path(), more).await;
    assert!(state.undo.entries[0].undone);
    assert!(!state.undo.entries[1].undone);
}

#[tokio::test]
async fn a_jobs_undo_log_goes_where_its_services_say_never_into_the_users_data_dir() {
    let (dir, work) = repo();
    std::fs::write(work.join("file.txt"), "an edit\n").unwrap();
    let logs = dir.path().join("logs-here");
    let services = cctui::jobs::Services {
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(&logs),
        ..jobs::services(dir.path())
    };
    jobs::run_with(
        services,
        JobRequest::ChangeIndex {
            repo: work.clone(),
            change: IndexChange::Discard("file.txt".into()),
        },
    )
    .await
    .unwrap();
    let here = cctui::jobs::undo_job::UndoLogs::in_dir(&logs)
        .of(&work)
        .unwrap();
    assert!(
        here.file().starts_with(&logs) && here.file().exists(),
        "the discard is logged in {}",
        logs.display()
    );
    assert_eq!(here.entries().unwrap().len(), 1);
    if let Some(users) = cctui::jobs::undo_job::UndoLogs::in_data_dir().of(&work) {
        assert!(
            !users.file().exists(),
            "nothing written to the user's data dir: {}",
            users.file().display()
        );
    }
}
