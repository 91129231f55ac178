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

fn clone_row(
    name: &str,
    head: cctui::git::workspace::CloneHead,
    changed: usize,
    ahead_behind: Option<(usize, usize)>,
    fetched_ago: Option<i64>,
) -> cctui::app::workspace::WorkspaceRow {
    let path = std::path::PathBuf::from(format!("/home/user/codecommit/{name}"));
    cctui::app::workspace::WorkspaceRow {
        summary: cctui::git::workspace::CloneSummary {
            path,
            origin_url: Some(format!(
                "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"
            )),
            upstream: ahead_behind.map(|_| "origin/main".to_string()),
            head: Some(head),
            changed,
            ahead_behind,
            last_fetch: fetched_ago.map(|ago| 1_795_640_088 - ago),
            error: None,
        },
        key: Some(cctui::model::RepoKey::new(
            Some("dev".into()),
            "eu-west-1",
            name,
        )),
    }
}

/// Thousands of clones draw as a screenful: past the first screen, the window scrolls so the
/// selected clone is its last row, as before only the visible rows were made into items.
#[test]
fn workspace_screen_scrolled_to_a_clone_far_down() {
    use cctui::git::workspace::CloneHead::Branch;
    let mut s = state();
    let rows = (0..3_000)
        .map(|i| {
            clone_row(
                &format!("repo-{i:04}"),
                Branch("main".into()),
                0,
                Some((0, 0)),
                Some(60),
            )
        })
        .collect();
    s.workspace.add(rows);
    s.workspace.selected = 2_000;
    s.overlays.push(Overlay::Workspace);
    let screen = render(&s, 140, 20);
    let lines: Vec<&str> = screen.lines().collect();
    let at = |name: &str| lines.iter().position(|l| l.contains(name));
    let selected = at("repo-2000").expect("the selected clone is drawn");
    assert!(
        at("repo-2001").is_none(),
        "nothing below the selection:\n{screen}"
    );
    let first = (1_990..2_000)
        .find(|i| at(&format!("repo-{i:04}")).is_some())
        .expect("the rows above it are drawn");
    assert_eq!(
        selected - at(&format!("repo-{first:04}")).unwrap(),
        2_000 - first,
        "consecutive rows, in order:\n{screen}"
    );
    assert!(at("repo-0000").is_none(), "the first screen scrolled away");
}

#[test]
fn workspace_screen() {
    use cctui::app::workspace::{Bulk, BulkOp, RowWork};
    use cctui::git::workspace::CloneHead::{Branch, Detached};
    let mut s = state();
    let main = || Branch("main".to_string());
    let rows = vec![
        clone_row("payments-service", main(), 0, Some((0, 0)), Some(120)),
        clone_row(
            "ledger",
            Branch("feature/refunds".into()),
            3,
            Some((2, 0)),
            Some(7_200),
        ),
        clone_row("billing-api", main(), 0, Some((0, 4)), Some(90_000)),
        clone_row("infra", main(), 1, Some((1, 2)), None),
        clone_row("docs", Detached("3f9a1c2e".into()), 0, None, Some(600)),
        clone_row("spike", Branch("local-only".into()), 0, None, Some(600)),
        clone_row("old-reports", main(), 0, Some((0, 0)), Some(40_000_000)),
    ];
    // The listing of dev/eu-west-1 ended, without old-reports: its repository is gone.
    s.repos.rows = rows
        .iter()
        .filter(|r| r.name() != "old-reports")
        .map(|r| cctui::app::repos::RepoRow {
            repo: cctui::aws::repos::Repository {
                name: r.name(),
                ..Default::default()
            },
            region: "eu-west-1".into(),
            profile: Some("dev".into()),
            clone: None,
        })
        .collect();
    s.repos.rows_listing = Some(JobId(90));
    s.workspace.add(rows);
    let path = |name: &str| std::path::PathBuf::from(format!("/home/user/codecommit/{name}"));
    s.workspace.marked = [path("billing-api"), path("infra")].into_iter().collect();
    // A bulk fetch under way: one done, one running with progress, one failed.
    let started = JobEvent::Started {
        writes: true,
        domain: cctui::jobs::Domain::Workspace,
        title: "Fetch infra".into(),
        visible: true,
    };
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(7),
            event: started,
        })),
    );
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(7),
            event: JobEvent::Progress(Progress {
                phase: "receiving objects, 120 kB".into(),
                current: 30,
                total: Some(120),
            }),
        })),
    );
    s.workspace.work.insert(
        path("billing-api"),
        RowWork::Done("Fetched origin: 2 refs updated, 0 pruned".into()),
    );
    s.workspace
        .work
        .insert(path("infra"), RowWork::Running(JobId(7)));
    s.workspace.bulk = Some(Bulk {
        op: BulkOp::Fetch,
        queue: Default::default(),
        running: [(JobId(7), path("infra"))].into_iter().collect(),
        total: 2,
    });
    s.overlays.push(Overlay::Workspace);
    insta::assert_snapshot!(render(&s, 140, 20));
}
