//! The branches pane and the conflict panel in `update()` and on screen.
#![allow(clippy::unwrap_used, clippy::panic)]

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::Overlay;
use cctui::app::state::{Pane, Session, State};
use cctui::app::update::update;
use cctui::aws::branches::ServerBranch;
use cctui::config::Config;
use cctui::git::branch::{CommitSummary, LocalBranch, RemoteBranch, StartPoint};
use cctui::git::merge::Resolution;
use cctui::git::stash::StashEntry;
use cctui::git::status::{ConflictKind, FileKind, FileStatus, RepoState, Status};
use cctui::jobs::{
    BranchNeed, BranchOp, BranchesOutput, JobId, JobOutput, JobRequest, WorktreeOutput,
};

#[path = "support/app.rs"]
mod drive;
use cctui::ui::{self, View};
use drive::requests;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const NOW: i64 = 1_795_640_088;

fn summary(n: i64, text: &str) -> CommitSummary {
    CommitSummary {
        id: format!("{n:040x}"),
        short_id: format!("{n:07x}"),
        summary: text.into(),
        time: NOW - n * 3600,
        author: "Ada".into(),
    }
}

const WORK: &str = "/work/app";

/// A branch operation on the open clone ended.
fn done(message: &str, conflicts: Vec<String>) -> JobOutput {
    JobOutput::Branches(BranchesOutput::Done {
        repo: Some(WORK.into()),
        message: message.into(),
        conflicts,
    })
}

/// The branch operation `effects` started asked something.
fn needs(state: &mut State, effects: &[Effect], need: BranchNeed) {
    let (id, _) = drive::one(state, effects);
    drive::finish(
        state,
        id,
        JobOutput::Branches(BranchesOutput::Needs {
            repo: WORK.into(),
            need,
        }),
    );
}

fn status_output(status: Status) -> JobOutput {
    JobOutput::Worktree(WorktreeOutput::Status {
        status,
        ahead_behind: None,
        merge_message: Some("Merge branch 'feature/login'\n".into()),
        origin_url: None,
    })
}

fn pending_status(state: &State) -> JobId {
    state.status.pending.unwrap()
}

fn press(state: &mut State, id: CommandId) -> Vec<Effect> {
    update(state, Action::Command(id))
}

fn loaded() -> State {
    let mut state = State::new(Session {
        region: Some("us-east-1".into()),
        ..Session::default()
    });
    update(
        &mut state,
        Action::OpenClone {
            name: "app".into(),
            path: "/work/app".into(),
        },
    );
    let effects = press(&mut state, CommandId::FocusBranches);
    let (read, request) = drive::one(&mut state, &effects);
    assert!(matches!(request, JobRequest::ReadBranches { .. }));
    assert_eq!(state.focus, Pane::Branches);
    let local = vec![
        LocalBranch {
            name: "feature/login".into(),
            head: false,
            upstream: None,
            upstream_gone: false,
            ahead: 0,
            behind: 0,
            last_commit: summary(2, "Add the login form"),
        },
        LocalBranch {
            name: "master".into(),
            head: true,
            upstream: Some("origin/master".into()),
            upstream_gone: false,
            ahead: 1,
            behind: 0,
            last_commit: summary(1, "Greet everyone"),
        },
    ];
    let remote = vec![RemoteBranch {
        name: "origin/master".into(),
        remote: "origin".into(),
        branch: "master".into(),
        last_commit: summary(3, "Start"),
    }];
    let stashes = vec![StashEntry {
        index: 0,
        message: "On master: wip".into(),
        id: "abc".into(),
    }];
    drive::output(
        &mut state,
        read,
        JobOutput::Branches(BranchesOutput::ServerBranches {
            branches: Ok(vec![
                ServerBranch {
                    name: "master".into(),
                    commit_id: format!("{:040x}", 3),
                    default: true,
                },
                ServerBranch {
                    name: "release".into(),
                    commit_id: format!("{:040x}", 4),
                    default: false,
                },
            ]),
        }),
    );
    drive::finish(
        &mut state,
        read,
        JobOutput::Branches(BranchesOutput::Branches {
            local,
            remote,
            stashes,
        }),
    );
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

#[test]
fn branches_pane_groups_local_remote_server_and_stashes() {
    let state = loaded();
    assert_eq!(state.branches.rows().len(), 6);
    assert_eq!(state.branches.default_branch(), Some("master"));
    insta::assert_snapshot!(render(&state, 120, 26));
}

#[test]
fn switch_create_merge_delete_and_default_branch() {
    let mut state = loaded();
    // Row 0: feature/login.
    let switch = requests(&press(&mut state, CommandId::SwitchBranch));
    assert!(
        matches!(switch.as_slice(), [JobRequest::Branch { op: BranchOp::Switch(n), .. }] if n == "feature/login")
    );
    let merge = requests(&press(&mut state, CommandId::MergeBranch));
    assert!(
        matches!(merge.as_slice(), [JobRequest::Branch { op: BranchOp::Merge(n), .. }] if n == "feature/login")
    );

    press(&mut state, CommandId::NewBranch);
    for c in "bad name".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!()
    };
    assert!(
        form.fields[0].error.is_some(),
        "a space is refused with a reason"
    );
    assert!(press(&mut state, CommandId::Accept).is_empty());
    for _ in 0.."bad name".len() {
        update(&mut state, Action::Backspace);
    }
    for c in "fix/typo".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    let effects = press(&mut state, CommandId::Accept);
    let created = requests(&effects);
    assert!(
        matches!(created.as_slice(), [JobRequest::Branch { op: BranchOp::Create { name, start: StartPoint::Branch(from), checkout: true }, .. }] if name == "fix/typo" && from == "feature/login")
    );
    assert!(
        press(&mut state, CommandId::Accept).is_empty(),
        "a waiting form takes no second submit"
    );
    let (id, _) = drive::one(&mut state, &effects);
    drive::finish(&mut state, id, done("Created", vec![]));
    assert!(state.overlays.is_empty(), "the form closes on success");

    // Delete asks; an unmerged branch asks again before forcing.
    assert!(press(&mut state, CommandId::DeleteBranch).is_empty());
    let effects = press(&mut state, CommandId::Yes);
    assert!(matches!(
        requests(&effects).as_slice(),
        [JobRequest::Branch {
            op: BranchOp::Delete { force: false, .. },
            ..
        }]
    ));
    needs(
        &mut state,
        &effects,
        BranchNeed::ForceDelete("feature/login".into()),
    );
    let forced_effects = press(&mut state, CommandId::Yes);
    let forced = requests(&forced_effects);
    assert!(matches!(
        forced.as_slice(),
        [JobRequest::Branch {
            op: BranchOp::Delete { force: true, .. },
            ..
        }]
    ));

    // A dirty switch offers to stash.
    needs(
        &mut state,
        &forced_effects,
        BranchNeed::StashFirst {
            branch: "master".into(),
            files: vec!["a.txt".into()],
        },
    );
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!()
    };
    assert!(message.contains("a.txt"));
    let stash = requests(&press(&mut state, CommandId::Yes));
    assert!(
        matches!(stash.as_slice(), [JobRequest::Branch { op: BranchOp::StashAndSwitch(n), .. }] if n == "master")
    );
}

fn conflicted() -> State {
    let mut state = loaded();
    let status = Status {
        staged: vec![],
        unstaged: vec![],
        untracked: vec![],
        conflicted: vec![
            FileStatus {
                path: "config.toml".into(),
                kind: FileKind::Conflicted(ConflictKind::BothModified),
                submodule: false,
            },
            FileStatus {
                path: "src/app.rs".into(),
                kind: FileKind::Conflicted(ConflictKind::DeletedByThem),
                submodule: false,
            },
        ],
        branch: Some("master".into()),
        detached: false,
        unborn: false,
        state: RepoState::Merge,
    };
    let id = pending_status(&state);
    drive::finish(&mut state, id, status_output(status));
    let merge = press(&mut state, CommandId::MergeBranch);
    let (merge, _) = drive::one(&mut state, &merge);
    drive::finish(
        &mut state,
        merge,
        done(
            "Merging stopped",
            vec!["config.toml".into(), "src/app.rs".into()],
        ),
    );
    state
}

#[test]
fn conflict_panel_resolves_each_way_then_commits_or_aborts() {
    let mut state = conflicted();
    assert!(matches!(
        state.overlays.last(),
        Some(Overlay::Conflicts { .. })
    ));
    insta::assert_snapshot!(render(&state, 110, 24));
    let ours = requests(&press(&mut state, CommandId::TakeOurs));
    assert!(
        matches!(ours.as_slice(), [JobRequest::Branch { op: BranchOp::Resolve(p, Resolution::Ours), .. }] if p == "config.toml")
    );
    press(&mut state, CommandId::Down);
    let theirs = requests(&press(&mut state, CommandId::TakeTheirs));
    assert!(
        matches!(theirs.as_slice(), [JobRequest::Branch { op: BranchOp::Resolve(p, Resolution::Theirs), .. }] if p == "src/app.rs")
    );
    assert!(
        press(&mut state, CommandId::CommitMerge).is_empty(),
        "no commit while files are conflicted"
    );

    // Abort asks first.
    press(&mut state, CommandId::AbortMerge);
    let abort = requests(&press(&mut state, CommandId::Yes));
    assert!(matches!(
        abort.as_slice(),
        [JobRequest::Branch {
            op: BranchOp::AbortMerge,
            ..
        }]
    ));

    // Once resolved, c opens the editor with the merge message.
    let mut resolved = state.status.status.clone().unwrap();
    resolved.conflicted.clear();
    let id = pending_status(&state);
    drive::finish(&mut state, id, status_output(resolved));
    press(&mut state, CommandId::CommitMerge);
    let Some(Overlay::CommitEditor(editor)) = state.overlays.last() else {
        panic!("{:?}", state.overlays.last())
    };
    assert_eq!(editor.message(), "Merge branch 'feature/login'");
}

#[test]
fn merge_state_found_at_start_shows_in_the_status_pane() {
    let mut state = conflicted();
    state.overlays.clear();
    state.focus = Pane::Status;
    let screen = render(&state, 110, 24);
    assert!(
        screen.contains("merge in progress") && screen.contains("config.toml"),
        "{screen}"
    );
    press(&mut state, CommandId::ShowDiff);
    assert!(
        matches!(state.overlays.last(), Some(Overlay::Conflicts { .. })),
        "enter on a conflict opens the panel"
    );
}

#[test]
fn codecommit_branches_are_listed_again_only_after_talking_to_the_server() {
    let mut state = loaded();
    state.open_repo.as_mut().unwrap().codecommit =
        Some(cctui::model::RepoKey::new(None, "us-east-1", "app"));
    // A local branch operation: the server's list is kept (it costs a request per branch).
    let effects = press(&mut state, CommandId::SwitchBranch);
    let (id, _) = drive::one(&mut state, &effects);
    let effects = drive::finish(&mut state, id, done("Switched", vec![]));
    let reads = requests(&effects);
    assert!(
        reads
            .iter()
            .any(|r| matches!(r, JobRequest::ReadBranches { server: None, .. })),
        "{reads:?}"
    );
    assert!(
        !reads.iter().any(|r| matches!(r, JobRequest::Pulls(_))),
        "nor are its open pull requests read again: {reads:?}"
    );
    // An explicit refresh lists CodeCommit's branches too, and their open pull requests.
    let effects = press(&mut state, CommandId::BranchesRefresh);
    assert!(matches!(
        requests(&effects).as_slice(),
        [
            JobRequest::ReadBranches {
                server: Some(_),
                ..
            },
            JobRequest::Pulls(cctui::jobs::pulls_job::PullsRequest::List { .. })
        ]
    ));
}
