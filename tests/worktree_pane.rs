//! The working-tree panes in `update()` and on screen: status, staging commands, the diff view
//! with hunk staging, the commit editor, push, and the log. Stable data, no I/O.
#![allow(clippy::unwrap_used, clippy::panic)]

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::Overlay;
use cctui::app::state::{Pane, Session, State};
use cctui::app::update::update;
use cctui::app::worktree::DiffSource;
use cctui::config::Config;
use cctui::git::diff::{DiffLine, DiffTarget, FileChange, FileDiff, Hunk, HunkId, LineOrigin};
use cctui::git::log::CommitInfo;
use cctui::git::status::{FileKind, FileStatus, RepoState, Status};
use cctui::jobs::{
    IndexChange, JobEvent, JobFailure, JobOutput, JobRequest, RemoteOp, WorktreeOutput,
};

#[path = "support/app.rs"]
mod drive;
use drive::requests;

const WORK: &str = "/work/demo";
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const NOW: i64 = 1_795_640_088;

fn file(path: &str, kind: FileKind) -> FileStatus {
    FileStatus {
        path: path.into(),
        kind,
        submodule: false,
    }
}

fn worktree(output: WorktreeOutput) -> JobOutput {
    JobOutput::Worktree(output)
}

fn status_of(status: Status, ahead_behind: Option<(usize, usize)>) -> JobOutput {
    worktree(WorktreeOutput::Status {
        status,
        ahead_behind,
        merge_message: None,
        origin_url: None,
    })
}

/// Commit number `n` with `summary` landed in the open clone.
fn committed(n: u64, summary: &str) -> JobOutput {
    worktree(WorktreeOutput::Committed {
        repo: WORK.into(),
        outcome: cctui::git::commit::CommitOutcome {
            id: format!("{n:040x}"),
            summary: summary.into(),
        },
    })
}

fn index_changed() -> JobOutput {
    worktree(WorktreeOutput::IndexChanged { repo: WORK.into() })
}

fn one(effects: &[Effect]) -> JobRequest {
    let mut all = requests(effects);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

fn commit(n: usize) -> CommitInfo {
    CommitInfo {
        id: format!("{n:040x}"),
        short_id: format!("{n:07x}"),
        summary: format!("Change number {n}"),
        message: format!("Change number {n}\n\nWith a body.\n"),
        author: "Grace Hopper".into(),
        email: "grace@example.com".into(),
        time: NOW - (n as i64) * 3600,
        offset_minutes: 0,
        parents: 1,
    }
}

/// A state with a clone open, a status with every kind and a first page of history.
fn opened() -> State {
    let mut state = State::new(Session {
        region: Some("us-east-1".into()),
        ..Session::default()
    });
    let effects = update(
        &mut state,
        Action::OpenClone {
            name: "demo".into(),
            path: "/work/demo".into(),
        },
    );
    let reads = requests(&effects);
    assert!(
        matches!(
            reads.as_slice(),
            [
                JobRequest::RememberClone { .. },
                JobRequest::ReadStatus { .. },
                JobRequest::ReadBranches { server: None, .. },
                JobRequest::ReadLog { after: None, .. }
            ]
        ),
        "{reads:?}"
    );
    assert_eq!(state.focus, Pane::Status);
    let status = Status {
        staged: vec![
            file("src/lib.rs", FileKind::Modified),
            file("docs/new.md", FileKind::New),
        ],
        unstaged: vec![
            file("README.md", FileKind::Modified),
            file("old.txt", FileKind::Deleted),
            file(
                "src/main.rs",
                FileKind::Renamed {
                    from: "src/app.rs".into(),
                },
            ),
            file("run.sh", FileKind::TypeChange),
        ],
        untracked: vec![file("notes.txt", FileKind::New)],
        conflicted: vec![],
        branch: Some("master".into()),
        detached: false,
        unborn: false,
        state: RepoState::Clean,
    };
    drive::start_all(&mut state, &effects);
    let read = state.status.pending.unwrap();
    drive::finish(&mut state, read, status_of(status, Some((2, 1))));
    let page = worktree(WorktreeOutput::LogPage {
        commits: (1..=3).map(commit).collect(),
        next: Some("x".into()),
        append: false,
    });
    let read = state.log.pending.unwrap();
    drive::finish(&mut state, read, page);
    state
}

fn render(state: &State, width: u16, height: u16) -> String {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let view = View {
        keymap: &config.keymap,
        theme: &config.theme,
        now: NOW,
    };
    terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
    terminal.backend().to_string()
}

fn press(state: &mut State, id: CommandId) -> Vec<Effect> {
    update(state, Action::Command(id))
}

#[test]
fn status_and_log_panes() {
    insta::assert_snapshot!(render(&opened(), 120, 30));
}

#[test]
fn stale_status_reads_are_dropped() {
    let mut state = opened();
    let effects = press(&mut state, CommandId::StatusRefresh);
    let (newer, _) = drive::one(&mut state, &effects);
    // An older read (started before the refresh) answers late: dropped.
    let older = cctui::jobs::JobId(newer.0 - 1);
    let stale = Status {
        branch: Some("stale".into()),
        ..state.status.status.clone().unwrap()
    };
    drive::finish(&mut state, older, status_of(stale, None));
    assert_eq!(
        state.status.status.as_ref().unwrap().branch.as_deref(),
        Some("master")
    );
}

#[test]
fn space_stages_or_unstages_by_section_and_discard_asks_first() {
    let mut state = opened();
    let stage = |state: &mut State| requests(&press(state, CommandId::ToggleStage));
    assert!(
        matches!(stage(&mut state).as_slice(), [JobRequest::ChangeIndex { change: IndexChange::Unstage(p), .. }] if p == "src/lib.rs")
    );
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::Down);
    assert!(
        matches!(stage(&mut state).as_slice(), [JobRequest::ChangeIndex { change: IndexChange::Stage(p), .. }] if p == "README.md")
    );
    assert!(press(&mut state, CommandId::Discard).is_empty());
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!()
    };
    assert!(message.contains("README.md"));
    let effects = press(&mut state, CommandId::Yes);
    assert!(
        matches!(requests(&effects).as_slice(), [JobRequest::ChangeIndex { change: IndexChange::Discard(p), .. }] if p == "README.md")
    );
    // After any index change the status is read again.
    let (discard, _) = drive::one(&mut state, &effects);
    let effects = drive::finish(&mut state, discard, index_changed());
    assert!(matches!(
        requests(&effects).as_slice(),
        [JobRequest::ReadStatus { .. }]
    ));
}

fn readme_diff() -> FileDiff {
    let line = |origin, old_no, new_no, text: &str| DiffLine {
        origin,
        old_no,
        new_no,
        text: format!("{text}\n"),
    };
    let hunk = |id, header: &str, lines| Hunk {
        id: HunkId(id),
        header: header.into(),
        old_start: 1,
        old_lines: 2,
        new_start: 1,
        new_lines: 3,
        lines,
    };
    FileDiff {
        path: "README.md".into(),
        old_path: None,
        change: FileChange::Modified,
        binary: false,
        too_large: None,
        old_mode: 0o100644,
        new_mode: 0o100644,
        additions: 2,
        deletions: 1,
        hunks: vec![
            hunk(
                11,
                "@@ -1,2 +1,3 @@",
                vec![
                    line(LineOrigin::Context, Some(1), Some(1), "# Demo"),
                    line(LineOrigin::Added, None, Some(2), "A first change."),
                    line(LineOrigin::Context, Some(2), Some(3), ""),
                ],
            ),
            hunk(
                12,
                "@@ -40,2 +41,2 @@ Usage",
                vec![
                    line(LineOrigin::Removed, Some(40), None, "old usage"),
                    line(LineOrigin::Added, None, Some(41), "new usage"),
                ],
            ),
        ],
    }
}

#[test]
fn diff_view_stages_the_selected_hunk() {
    let mut state = opened();
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::Down);
    let effects = press(&mut state, CommandId::ShowDiff);
    let (read, request) = drive::one(&mut state, &effects);
    let JobRequest::ReadDiff { source, .. } = request else {
        panic!()
    };
    assert_eq!(
        source,
        DiffSource::File {
            path: "README.md".into(),
            target: DiffTarget::Unstaged
        }
    );
    drive::finish(
        &mut state,
        read,
        worktree(WorktreeOutput::Diff {
            files: vec![readme_diff()],
        }),
    );
    press(&mut state, CommandId::NextHunk);
    insta::assert_snapshot!(render(&state, 100, 20));
    let effects = press(&mut state, CommandId::StageHunk);
    assert!(
        matches!(requests(&effects).as_slice(), [JobRequest::ChangeIndex { change: IndexChange::StageHunk(p, HunkId(12)), .. }] if p == "README.md")
    );
    assert!(
        press(&mut state, CommandId::UnstageHunk).is_empty(),
        "an unstaged hunk cannot be unstaged"
    );
    // The change reloads both the status and the open diff.
    let (stage, _) = drive::one(&mut state, &effects);
    let effects = drive::finish(&mut state, stage, index_changed());
    let reads = requests(&effects);
    assert!(
        matches!(
            reads.as_slice(),
            [JobRequest::ReadStatus { .. }, JobRequest::ReadDiff { .. }]
        ),
        "{reads:?}"
    );
}

#[test]
fn commit_editor_multiline_submit_failure_keeps_text_and_draft() {
    let mut state = opened();
    press(&mut state, CommandId::CommitChanges);
    let config = Config::default();
    let keymap = &config.keymap;
    let key = |state: &State, k: &str| {
        cctui::app::input::action_for_key(
            state,
            keymap,
            cctui::app::keymap::KeySpec::parse(k).unwrap(),
        )
    };
    for c in "Make the demo friendlier than it was before this change".chars() {
        let action = key(&state, &c.to_string()).unwrap_or(Action::TypeChar(c));
        update(&mut state, action);
    }
    assert_eq!(
        key(&state, "enter"),
        Some(Action::TypeChar('\n')),
        "enter breaks the line in the editor"
    );
    update(&mut state, Action::TypeChar('\n'));
    update(&mut state, Action::TypeChar('\n'));
    for c in "Body.".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    insta::assert_snapshot!(render(&state, 100, 24));
    assert_eq!(
        key(&state, "ctrl-s"),
        Some(Action::Command(CommandId::SubmitCommit))
    );
    let effects = press(&mut state, CommandId::SubmitCommit);
    let JobRequest::Commit { request, .. } = one(&effects) else {
        panic!()
    };
    assert_eq!(
        request.message,
        "Make the demo friendlier than it was before this change\n\nBody."
    );
    assert!(!request.amend);
    assert!(
        press(&mut state, CommandId::SubmitCommit).is_empty(),
        "a waiting editor takes no second submit"
    );
    let (commit_job, _) = drive::one(&mut state, &effects);

    let failure = JobFailure::new("The pre-commit hook failed:\nlint: 2 problems", None);
    drive::report(&mut state, commit_job, JobEvent::Finished(Err(failure)));
    let Some(Overlay::Error { message, .. }) = state.overlays.pop() else {
        panic!()
    };
    assert!(message.contains("lint: 2 problems"), "hook output is shown");
    let Some(Overlay::CommitEditor(editor)) = state.overlays.last() else {
        panic!("editor lost")
    };
    assert!(editor.pending.is_none() && editor.message().ends_with("Body."));

    // Esc keeps a draft; c brings it back.
    press(&mut state, CommandId::Close);
    assert!(state.overlays.is_empty());
    press(&mut state, CommandId::CommitChanges);
    let Some(Overlay::CommitEditor(editor)) = state.overlays.last() else {
        panic!()
    };
    assert!(editor.message().starts_with("Make the demo"));
}

#[test]
fn an_empty_message_is_not_sent_and_amend_starts_from_the_last_message() {
    let mut state = opened();
    press(&mut state, CommandId::CommitChanges);
    assert!(press(&mut state, CommandId::SubmitCommit).is_empty());
    press(&mut state, CommandId::Close);
    press(&mut state, CommandId::AmendCommit);
    let effects = press(&mut state, CommandId::SubmitCommit);
    let JobRequest::Commit { request, .. } = one(&effects) else {
        panic!()
    };
    assert!(request.amend);
    assert_eq!(request.message, "Change number 1\n\nWith a body.");
}

#[test]
fn push_to_a_chosen_branch_and_fetch_pull() {
    let mut state = opened();
    press(&mut state, CommandId::Push);
    for _ in 0.."master".len() {
        update(&mut state, Action::Backspace);
    }
    for c in "feature/x".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    let effects = press(&mut state, CommandId::Accept);
    let JobRequest::Remote(job) = one(&effects) else {
        panic!()
    };
    assert_eq!(
        job.op,
        RemoteOp::Push {
            local_branch: "master".into(),
            remote_branch: "feature/x".into(),
            set_upstream: false,
            force_with_lease: false
        }
    );
    assert!(matches!(
        requests(&press(&mut state, CommandId::Fetch)).as_slice(),
        [JobRequest::Remote(job)] if job.op == RemoteOp::Fetch
    ));
    assert!(matches!(
        requests(&press(&mut state, CommandId::Pull)).as_slice(),
        [JobRequest::Remote(job)] if job.op == RemoteOp::Pull
    ));
}

#[test]
fn log_pages_load_near_the_end_and_enter_shows_a_commit() {
    let mut state = opened();
    state.focus = Pane::Log;
    let effects = press(&mut state, CommandId::Down);
    assert!(
        matches!(
            requests(&effects).as_slice(),
            [JobRequest::ReadLog { after: Some(_), .. }]
        ),
        "near the end, the next page loads"
    );
    let (read, _) = drive::one(&mut state, &effects);
    let page = worktree(WorktreeOutput::LogPage {
        commits: (4..=5).map(commit).collect(),
        next: None,
        append: true,
    });
    drive::finish(&mut state, read, page);
    assert_eq!(state.log.commits.len(), 5);
    let effects = press(&mut state, CommandId::ShowCommit);
    assert!(
        matches!(requests(&effects).as_slice(), [JobRequest::ReadDiff { source: DiffSource::Commit(c), .. }] if c.short_id == "0000002")
    );
    insta::assert_snapshot!(render(&state, 100, 20));
}

#[test]
fn readonly_refuses_working_tree_changes() {
    let mut state = opened();
    state.session.readonly = true;
    for id in [
        CommandId::ToggleStage,
        CommandId::Discard,
        CommandId::CommitChanges,
        CommandId::Push,
        CommandId::Fetch,
        CommandId::Pull,
    ] {
        assert!(press(&mut state, id).is_empty());
        assert!(
            matches!(state.overlays.pop(), Some(Overlay::Error { .. })),
            "{id:?}"
        );
    }
}

/// Types a message into the open commit editor and submits it; returns the commit's id.
fn submit_commit(state: &mut State, message: &str) -> cctui::jobs::JobId {
    press(state, CommandId::CommitChanges);
    for c in message.chars() {
        update(state, Action::TypeChar(c));
    }
    let effects = press(state, CommandId::SubmitCommit);
    drive::one(state, &effects).0
}

#[test]
fn a_commit_result_reaches_its_editor_under_another_overlay() {
    let mut state = opened();
    let commit = submit_commit(&mut state, "Fix the greeting");
    // Another overlay opens on top of the waiting editor; then the commit lands.
    update(
        &mut state,
        Action::Open(Box::new(Overlay::Help { scroll: 0 })),
    );
    drive::finish(&mut state, commit, committed(7, "Fix the greeting"));
    assert!(
        !state
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::CommitEditor(_))),
        "the editor that sent the commit closed: {:?}",
        state.overlays
    );
    assert!(matches!(state.overlays.last(), Some(Overlay::Help { .. })));
}

#[test]
fn a_failed_fetch_leaves_a_waiting_commit_editor_waiting() {
    let mut state = opened();
    let effects = press(&mut state, CommandId::Fetch);
    let (fetch, _) = drive::one(&mut state, &effects);
    let commit = submit_commit(&mut state, "Fix the greeting");
    drive::fail(&mut state, fetch, "origin is unreachable");
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
    let editor = state.overlays.iter().find_map(|o| match o {
        Overlay::CommitEditor(editor) => Some(editor),
        _ => None,
    });
    assert_eq!(
        editor.and_then(|e| e.pending),
        Some(commit),
        "the fetch's failure does not re-enable the editor of a commit still running"
    );
}

#[test]
fn a_result_whose_owner_closed_is_dropped() {
    let mut state = opened();
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::Down);
    let effects = press(&mut state, CommandId::ShowDiff);
    let (read, _) = drive::one(&mut state, &effects);
    press(&mut state, CommandId::Close);
    assert!(state.overlays.is_empty());
    let before = state.clone();
    let effects = drive::finish(
        &mut state,
        read,
        worktree(WorktreeOutput::Diff {
            files: vec![readme_diff()],
        }),
    );
    assert!(effects.is_empty());
    assert!(state.overlays.is_empty(), "no diff view comes back");
    assert_eq!(state.status, before.status);

    // A commit whose editor was closed: the commit landed, so the panes refresh, but no
    // editor is touched and none reappears.
    let commit = submit_commit(&mut state, "Closed editor");
    press(&mut state, CommandId::Close);
    drive::finish(&mut state, commit, committed(8, "Closed editor"));
    assert!(state.overlays.is_empty());
}

#[test]
fn results_for_a_clone_that_is_no_longer_open_change_nothing() {
    let mut state = opened();
    let effects = press(&mut state, CommandId::Fetch);
    let (fetch, _) = drive::one(&mut state, &effects);
    update(
        &mut state,
        Action::OpenClone {
            name: "other".into(),
            path: "/work/other".into(),
        },
    );
    let effects = drive::finish(
        &mut state,
        fetch,
        worktree(WorktreeOutput::RemoteDone {
            repo: WORK.into(),
            message: "Fetched".into(),
            pushed: None,
        }),
    );
    assert!(
        requests(&effects).is_empty(),
        "the other clone's panes are not refreshed for it"
    );
}

#[test]
fn quitting_right_after_asking_for_a_write_asks_first() {
    let mut state = opened();
    // The fetch is asked for; its Started report has not come back yet.
    let effects = press(&mut state, CommandId::Fetch);
    assert_eq!(requests(&effects).len(), 1);
    assert!(press(&mut state, CommandId::Quit).is_empty());
    assert!(
        matches!(state.overlays.last(), Some(Overlay::Confirm { .. })),
        "q must wait for the write it just started"
    );
}

#[test]
fn a_finished_clone_does_not_take_the_panes_from_the_open_clone() {
    let mut state = opened();
    press(&mut state, CommandId::Push);
    let output = JobOutput::Clone(cctui::jobs::CloneOutput::Cloned {
        key: cctui::model::RepoKey::new(None, "us-east-1", "other"),
        repository: "other".into(),
        path: "/work/other".into(),
        note: None,
    });
    drive::finish(&mut state, cctui::jobs::JobId(90), output);
    assert_eq!(
        state.open_repo.as_ref().map(|r| r.path.clone()),
        Some(WORK.into()),
        "the clone being worked in stays open"
    );
    // The push input opened before still pushes the clone it was opened for.
    let effects = press(&mut state, CommandId::Accept);
    assert!(
        matches!(one(&effects), JobRequest::Remote(job) if job.repo == std::path::Path::new(WORK))
    );
}

#[test]
fn a_commit_still_running_cannot_be_sent_again_from_its_draft() {
    let mut state = opened();
    let commit = submit_commit(&mut state, "Slow hook");
    press(&mut state, CommandId::Close);
    press(&mut state, CommandId::CommitChanges);
    assert!(
        press(&mut state, CommandId::SubmitCommit).is_empty(),
        "the reopened editor still waits for its commit"
    );
    drive::fail(&mut state, commit, "pre-commit hook failed");
    state
        .overlays
        .retain(|o| !matches!(o, Overlay::Error { .. }));
    let effects = press(&mut state, CommandId::SubmitCommit);
    assert!(
        matches!(one(&effects), JobRequest::Commit { .. }),
        "after the failure it can"
    );
}

#[test]
fn status_reads_are_one_at_a_time_however_fast_files_change() {
    let mut state = opened();
    let effects = update(&mut state, Action::FilesChanged(Default::default()));
    let (first, _) = drive::one(&mut state, &effects);
    for _ in 0..5 {
        assert!(
            requests(&update(
                &mut state,
                Action::FilesChanged(Default::default())
            ))
            .is_empty(),
            "no second read while one runs"
        );
    }
    let status = state.status.status.clone().unwrap();
    let effects = drive::finish(&mut state, first, status_of(status, None));
    assert!(
        matches!(
            requests(&effects).as_slice(),
            [JobRequest::ReadStatus { .. }]
        ),
        "one more read for the changes seen meanwhile"
    );
}

#[test]
fn a_push_that_needs_git_credentials_asks_once_and_the_host_keeps_them() {
    let mut state = opened();
    // The status read said where origin is.
    let status = state.status.status.clone().unwrap();
    let read = {
        let effects = press(&mut state, CommandId::StatusRefresh);
        drive::one(&mut state, &effects).0
    };
    drive::finish(
        &mut state,
        read,
        worktree(WorktreeOutput::Status {
            status,
            ahead_behind: None,
            merge_message: None,
            origin_url: Some("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo".into()),
        }),
    );
    let effects = press(&mut state, CommandId::Fetch);
    let (fetch, request) = drive::one(&mut state, &effects);
    let JobRequest::Remote(job) = request else {
        panic!()
    };
    drive::finish(
        &mut state,
        fetch,
        worktree(WorktreeOutput::RemoteNeeds {
            job,
            url: "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo".into(),
            need: cctui::jobs::CloneNeed::Login,
        }),
    );
    assert!(
        state.jobs.iter().all(|j| j.id != fetch),
        "the asking job leaves no row"
    );
    for c in "dev-at-1".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    press(&mut state, CommandId::Accept);
    for c in "pw".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    let effects = press(&mut state, CommandId::Accept);
    let JobRequest::Remote(retry) = one(&effects) else {
        panic!()
    };
    assert_eq!(retry.op, RemoteOp::Fetch);
    assert_eq!(
        retry
            .answers
            .login
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.expose().as_str())),
        Some(("dev-at-1", "pw"))
    );
    // The next push to the same host takes the login without asking.
    let effects = press(&mut state, CommandId::Pull);
    let JobRequest::Remote(pull) = one(&effects) else {
        panic!()
    };
    assert_eq!(
        pull.answers.login.map(|(u, _)| u).as_deref(),
        Some("dev-at-1")
    );
    assert!(
        !format!("{state:?}").contains("\"pw\""),
        "Debug redacts the password"
    );
}

#[test]
fn a_commit_without_identity_offers_a_form_shows_the_lines_and_keeps_the_message() {
    let mut state = opened();
    let commit = submit_commit(&mut state, "Keep me");
    drive::finish(
        &mut state,
        commit,
        worktree(WorktreeOutput::NeedsIdentity {
            repo: WORK.into(),
            missing: "user.name and user.email".into(),
        }),
    );
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!("{:?}", state.overlays.last())
    };
    assert!(form.title.contains("user.name and user.email"));
    assert!(
        press(&mut state, CommandId::Accept).is_empty(),
        "empty fields are refused"
    );
    for c in "Ada Lovelace".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    press(&mut state, CommandId::NextField);
    for c in "ada@example.com".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    press(&mut state, CommandId::Accept);
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!("{:?}", state.overlays.last())
    };
    assert!(
        message.contains("[user]\n\tname = Ada Lovelace\n\temail = ada@example.com"),
        "the exact lines are shown first: {message}"
    );
    assert!(message.contains("~/.gitconfig"), "{message}");
    let effects = press(&mut state, CommandId::Yes);
    assert!(matches!(
        one(&effects),
        JobRequest::SetIdentity { scope: cctui::git::IdentityScope::Global, ref name, .. } if name == "Ada Lovelace"
    ));
    // The editor is still there, with its message, ready to commit again.
    let Some(Overlay::CommitEditor(editor)) = state.overlays.last() else {
        panic!("{:?}", state.overlays.last())
    };
    assert_eq!(editor.message(), "Keep me");
    assert!(editor.pending.is_none());
}

#[test]
fn watcher_paths_make_the_next_read_incremental_and_a_refresh_key_reads_in_full() {
    let mut state = opened();
    let changed = cctui::model::Changes {
        paths: vec!["/work/demo/README.md".into()],
        overflowed: false,
    };
    let effects = update(&mut state, Action::FilesChanged(changed.clone()));
    assert!(
        matches!(one(&effects), JobRequest::ReadStatus { changes: Some(c), .. } if c == changed),
        "only what the watcher reported is looked at again"
    );
    let id = state.status.pending.unwrap();
    let status = state.status.status.clone().unwrap();
    drive::start_all(&mut state, &effects);
    drive::finish(&mut state, id, status_of(status, None));
    let effects = press(&mut state, CommandId::StatusRefresh);
    assert!(matches!(
        one(&effects),
        JobRequest::ReadStatus { changes: None, .. }
    ));
}
