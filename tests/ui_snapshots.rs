//! Screen snapshots on ratatui's TestBackend.
#![allow(clippy::unwrap_used)]

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::overlay::Overlay;
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::config::Config;
use cctui::jobs::{JobEvent, JobId, JobUpdate, Progress};
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn state() -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        endpoint: Some("http://127.0.0.1:4510".into()),
        ..Session::default()
    });
    state.log_file = Some("/home/user/.local/state/cctui/logs/cctui.log.*".into());
    state
}

fn render(state: &State, width: u16, height: u16) -> String {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let view = View {
        keymap: &config.keymap,
        theme: &config.theme,
        now: 1_795_640_088,
    };
    terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn main_layout_80x24() {
    insta::assert_snapshot!(render(&state(), 80, 24));
}

#[test]
fn main_layout_160x48_with_jobs_and_badges() {
    let mut s = state();
    s.session.readonly = true;
    s.session.demo = true;
    let started = JobEvent::Started {
        writes: true,
        domain: cctui::jobs::Domain::Clone,
        title: "Clone payments-service".into(),
        visible: true,
    };
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(1),
            event: started,
        })),
    );
    let progress = Progress {
        phase: "receiving objects".into(),
        current: 412,
        total: Some(1000),
    };
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(1),
            event: JobEvent::Progress(progress),
        })),
    );
    insta::assert_snapshot!(render(&s, 160, 48));
}

#[test]
fn help_overlay() {
    let mut s = state();
    update(&mut s, Action::Command(CommandId::Help));
    insta::assert_snapshot!(render(&s, 100, 40));
}

#[test]
fn palette_overlay_filtered() {
    let mut s = state();
    update(&mut s, Action::Command(CommandId::Palette));
    for c in "focus".chars() {
        update(&mut s, Action::TypeChar(c));
    }
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn error_overlay_with_hint() {
    let mut s = state();
    let error = Overlay::Error {
        message: "No AWS credentials found for profile dev.".into(),
        hint: Some("Run `aws configure --profile dev`, or start cctui with --profile NAME.".into()),
    };
    update(&mut s, Action::Open(Box::new(error)));
    insta::assert_snapshot!(render(&s, 80, 24));
}

#[test]
fn quit_confirmation() {
    let mut s = state();
    let started = JobEvent::Started {
        writes: true,
        domain: cctui::jobs::Domain::Clone,
        title: "Clone".into(),
        visible: true,
    };
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(1),
            event: started,
        })),
    );
    update(&mut s, Action::Command(CommandId::Quit));
    insta::assert_snapshot!(render(&s, 80, 24));
}

// ---- undo and workspace (issue L) ----

fn undo_entry(
    id: u64,
    ago: u64,
    change: cctui::git::undo_log::Change,
) -> cctui::git::undo_log::UndoEntry {
    cctui::git::undo_log::UndoEntry {
        id,
        time: 1_795_640_088 - ago,
        repo: "/home/user/codecommit/payments-service".into(),
        change,
        undone: false,
    }
}

#[test]
fn undo_list_overlay() {
    use cctui::git::undo_log::{Change, HeadAt, KeptFile, MoveKind};
    let mut s = state();
    s.open_repo = Some(cctui::app::state::OpenRepo {
        name: "payments-service".into(),
        path: "/home/user/codecommit/payments-service".into(),
        codecommit: None,
        origin_url: None,
    });
    let mut undone = undo_entry(
        1,
        7_200,
        Change::Switched {
            from: HeadAt::Branch("main".into()),
            to: "feature/refunds".into(),
        },
    );
    undone.undone = true;
    s.undo.repo = Some("/home/user/codecommit/payments-service".into());
    s.undo.entries = vec![
        undo_entry(
            5,
            30,
            Change::Discarded {
                path: "src/refunds.rs".into(),
                keep_ref: "refs/cctui/undo/discard-5".into(),
                files: vec![KeptFile {
                    path: "src/refunds.rs".into(),
                    before: Some("a".repeat(40)),
                    executable: false,
                    symlink: false,
                    after: Some("b".repeat(40)),
                }],
            },
        ),
        undo_entry(
            4,
            600,
            Change::Moved {
                what: MoveKind::Commit,
                reference: "refs/heads/feature/refunds".into(),
                before: Some("c".repeat(40)),
                after: "d".repeat(40),
                summary: "Refunds: partial amounts".into(),
            },
        ),
        undo_entry(
            3,
            3_000,
            Change::BranchDeleted {
                name: "spike/old-ledger".into(),
                tip: "e".repeat(40),
                upstream: None,
            },
        ),
        undo_entry(
            2,
            5_000,
            Change::StashDropped {
                commit: "f".repeat(40),
                message: "On main: wip ledger".into(),
            },
        ),
        undone,
    ];
    s.overlays.push(Overlay::UndoList);
    insta::assert_snapshot!(render(&s, 100, 24));
}
