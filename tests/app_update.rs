//! `update()` behaviour: navigation, overlays, help, palette, quit confirmation, jobs, read-only.
#![allow(clippy::unwrap_used, clippy::panic)]

use cctui::app::action::Action;
use cctui::app::command::{CommandId, Context, command};
use cctui::app::effect::Effect;
use cctui::app::input::action_for_key;
use cctui::app::keymap::{KeyMap, KeySpec};
use cctui::app::overlay::{Overlay, PickerItem, PickerPurpose};
use cctui::app::state::{JobStatus, Pane, Session, State};
use cctui::app::update::{palette_matches, update};
use cctui::jobs::{JobEvent, JobFailure, JobId, JobUpdate};

fn state() -> State {
    State::new(Session {
        region: Some("us-east-1".into()),
        ..Session::default()
    })
}

fn key(state: &State, text: &str) -> Option<Action> {
    action_for_key(state, &KeyMap::defaults(), KeySpec::parse(text).unwrap())
}

fn press(state: &mut State, text: &str) -> Vec<Effect> {
    let action = key(state, text).unwrap_or_else(|| panic!("`{text}` does nothing here"));
    update(state, action)
}

fn start_job(state: &mut State, id: u64, title: &str) {
    let event = JobEvent::Started {
        writes: true,
        domain: cctui::jobs::Domain::Clone,
        title: title.into(),
        visible: true,
    };
    update(
        state,
        Action::Job(Box::new(JobUpdate {
            id: JobId(id),
            event,
        })),
    );
}

#[test]
fn tab_and_shift_tab_cycle_the_panes() {
    let mut s = state();
    assert_eq!(s.focus, Pane::Repositories);
    for expected in [
        Pane::Branches,
        Pane::Log,
        Pane::Status,
        Pane::Jobs,
        Pane::Repositories,
    ] {
        press(&mut s, "tab");
        assert_eq!(s.focus, expected);
    }
    press(&mut s, "shift-tab");
    assert_eq!(s.focus, Pane::Jobs);
    press(&mut s, "2");
    assert_eq!(s.focus, Pane::Log);
}

#[test]
fn vim_and_arrow_keys_move_the_same_way() {
    let mut s = state();
    s.focus = Pane::Jobs;
    for id in 1..=3 {
        start_job(&mut s, id, &format!("job {id}"));
    }
    assert_eq!(key(&s, "j"), key(&s, "down"));
    press(&mut s, "j");
    press(&mut s, "down");
    assert_eq!(s.job_selected, 2);
    press(&mut s, "down");
    assert_eq!(s.job_selected, 2, "stops at the last row");
    press(&mut s, "k");
    assert_eq!(s.job_selected, 1);
    press(&mut s, "g");
    assert_eq!(s.job_selected, 0);
    press(&mut s, "G");
    assert_eq!(s.job_selected, 2);
}

#[test]
fn quit_is_immediate_when_idle() {
    let mut s = state();
    let effects = press(&mut s, "q");
    assert!(effects.contains(&Effect::Quit));
    assert!(s.quit);
}

#[test]
fn quit_asks_first_while_jobs_run_and_no_keeps_running() {
    let mut s = state();
    start_job(&mut s, 7, "Clone demo");
    let effects = press(&mut s, "q");
    assert!(effects.is_empty());
    assert!(!s.quit);
    match s.overlays.last() {
        Some(Overlay::Confirm { message, .. }) => {
            assert!(
                message.contains("1 job is still changing things"),
                "{message}"
            )
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }
    // A stray key does not reach the panes behind the confirmation.
    assert_eq!(key(&s, "tab"), None);
    press(&mut s, "n");
    assert!(s.overlays.is_empty() && !s.quit);

    press(&mut s, "q");
    let effects = press(&mut s, "y");
    assert_eq!(effects, vec![Effect::CancelAll], "jobs are asked to stop");
    assert!(s.quitting && !s.quit, "the loop waits for the write to end");
    assert!(
        press(&mut s, "tab").is_empty(),
        "nothing new starts meanwhile"
    );
    let effects = end_job(&mut s, 7, JobEvent::Cancelled);
    assert!(effects.contains(&Effect::Quit));
    assert!(s.quit);
}

fn end_job(state: &mut State, id: u64, event: JobEvent) -> Vec<Effect> {
    update(
        state,
        Action::Job(Box::new(JobUpdate {
            id: JobId(id),
            event,
        })),
    )
}

#[test]
fn a_second_ctrl_c_quits_at_once() {
    let mut s = state();
    start_job(&mut s, 7, "Commit");
    assert_eq!(press(&mut s, "ctrl-c"), vec![Effect::CancelAll]);
    assert!(s.quitting && !s.quit);
    let effects = press(&mut s, "ctrl-c");
    assert!(effects.contains(&Effect::Quit));
    assert!(s.quit);
}

#[test]
fn quiet_writes_count_when_quitting() {
    let mut s = state();
    // Stage and discard show no row in the strip, but they write the index.
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(3),
            event: JobEvent::Started {
                title: "Stage a.txt".into(),
                visible: false,
                writes: true,
                domain: cctui::jobs::Domain::Worktree,
            },
        })),
    );
    assert!(press(&mut s, "q").is_empty());
    assert!(
        matches!(s.overlays.last(), Some(Overlay::Confirm { .. })),
        "q asks while a quiet write runs"
    );
}

#[test]
fn cancelling_a_write_says_cancelling_until_it_reports_how_it_ended() {
    let mut s = state();
    start_job(&mut s, 5, "Commit: fix");
    s.focus = Pane::Jobs;
    assert_eq!(press(&mut s, "x"), vec![Effect::Cancel(JobId(5))]);
    assert_eq!(s.jobs[0].status, JobStatus::Cancelling);
    // Past its point of no return, the commit lands: the strip says so, never "cancelled".
    end_job(
        &mut s,
        5,
        JobEvent::Finished(Ok(cctui::jobs::JobOutput::Worktree(
            cctui::jobs::WorktreeOutput::RemoteDone {
                repo: "/nowhere".into(),
                message: "done".into(),
                pushed: None,
            },
        ))),
    );
    assert_eq!(s.jobs[0].status, JobStatus::Succeeded);
}

#[test]
fn an_error_overlay_never_traps_help_or_quit() {
    let mut s = state();
    let error = Overlay::Error {
        message: "Cannot reach the endpoint".into(),
        hint: None,
    };
    update(&mut s, Action::Open(Box::new(error)));
    press(&mut s, "?");
    assert!(matches!(s.overlays.last(), Some(Overlay::Help { .. })));
    press(&mut s, "esc");
    press(&mut s, "esc");
    assert!(s.overlays.is_empty());
    update(
        &mut s,
        Action::Open(Box::new(Overlay::Error {
            message: "again".into(),
            hint: None,
        })),
    );
    // q closes the error (as in every overlay), and the next q quits.
    press(&mut s, "q");
    assert!(s.overlays.is_empty());
    let effects = press(&mut s, "q");
    assert!(effects.contains(&Effect::Quit));
}

#[test]
fn overlays_stack_and_esc_closes_the_top_one() {
    let mut s = state();
    press(&mut s, "?");
    let error = Overlay::Error {
        message: "boom".into(),
        hint: Some("try again".into()),
    };
    update(&mut s, Action::Open(Box::new(error)));
    assert_eq!(s.overlays.len(), 2);
    press(&mut s, "esc");
    assert!(matches!(s.overlays.as_slice(), [Overlay::Help { .. }]));
    press(&mut s, "esc");
    assert!(s.overlays.is_empty());
}

#[test]
fn help_scrolls_and_keys_do_not_leak_to_panes() {
    let mut s = state();
    press(&mut s, "?");
    press(&mut s, "j");
    press(&mut s, "j");
    assert_eq!(s.overlays.last(), Some(&Overlay::Help { scroll: 2 }));
    press(&mut s, "G");
    let Some(Overlay::Help { scroll }) = s.overlays.last() else {
        panic!()
    };
    assert!(*scroll > 20);
    press(&mut s, "tab");
    assert_eq!(
        s.focus,
        Pane::Repositories,
        "tab must not move focus behind the help screen"
    );
}

#[test]
fn palette_fuzzy_matches_descriptions_and_runs_the_choice() {
    let mut s = state();
    press(&mut s, ":");
    for c in "jobs strip".chars() {
        let action = key(&s, &c.to_string()).unwrap_or(Action::TypeChar(c));
        update(&mut s, action);
    }
    let Some(Overlay::Palette { query, .. }) = s.overlays.last() else {
        panic!()
    };
    assert_eq!(query, "jobs strip");
    assert_eq!(
        palette_matches(&s, "jobs strip").first().map(|c| c.id),
        Some(CommandId::FocusJobs)
    );
    press(&mut s, "enter");
    assert!(s.overlays.is_empty());
    assert_eq!(s.focus, Pane::Jobs);
}

#[test]
fn palette_typing_q_types_instead_of_quitting() {
    let mut s = state();
    press(&mut s, ":");
    assert_eq!(key(&s, "q"), Some(Action::TypeChar('q')));
    update(&mut s, Action::TypeChar('q'));
    update(&mut s, Action::TypeChar('u'));
    assert_eq!(
        palette_matches(&s, "qu").first().map(|c| c.id),
        Some(CommandId::Quit)
    );
    update(&mut s, Action::Backspace);
    let Some(Overlay::Palette { query, .. }) = s.overlays.last() else {
        panic!()
    };
    assert_eq!(query, "q");
    assert!(!s.quit);
}

#[test]
fn picker_filters_and_chooses() {
    let mut s = state();
    let items = ["default", "dev", "prod"]
        .map(|p| PickerItem {
            value: p.into(),
            detail: String::new(),
        })
        .to_vec();
    let picker = Overlay::Picker {
        title: "Profile".into(),
        items,
        filter: String::new(),
        selected: 0,
        purpose: PickerPurpose::Profile,
    };
    update(&mut s, Action::Open(Box::new(picker)));
    update(&mut s, Action::TypeChar('p'));
    update(&mut s, Action::TypeChar('r'));
    press(&mut s, "enter");
    assert_eq!(s.session.profile.as_deref(), Some("prod"));
    assert!(s.overlays.is_empty());
}

#[test]
fn jobs_report_progress_failure_and_cancel() {
    let mut s = state();
    s.focus = Pane::Jobs;
    start_job(&mut s, 1, "Clone big");
    let progress = cctui::jobs::Progress {
        phase: "receiving objects".into(),
        current: 10,
        total: Some(100),
    };
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(1),
            event: JobEvent::Progress(progress.clone()),
        })),
    );
    assert_eq!(s.jobs[0].progress, Some(progress));
    assert_eq!(press(&mut s, "x"), vec![Effect::Cancel(JobId(1))]);
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(1),
            event: JobEvent::Cancelled,
        })),
    );
    assert_eq!(s.jobs[0].status, JobStatus::Cancelled);
    assert!(
        press(&mut s, "x").is_empty(),
        "a finished job cannot be cancelled"
    );

    start_job(&mut s, 2, "Push");
    let failure = JobFailure::new("push rejected", Some("fetch and merge first".into()));
    update(
        &mut s,
        Action::Job(Box::new(JobUpdate {
            id: JobId(2),
            event: JobEvent::Finished(Err(failure)),
        })),
    );
    assert_eq!(s.jobs[1].status, JobStatus::Failed("push rejected".into()));
    assert!(
        matches!(s.overlays.last(), Some(Overlay::Error { hint: Some(h), .. }) if h == "fetch and merge first")
    );
    press(&mut s, "esc");
    press(&mut s, "c");
    assert!(s.jobs.is_empty());
}

#[test]
fn terminate_quits_even_with_running_jobs() {
    let mut s = state();
    start_job(&mut s, 1, "Clone");
    let effects = update(&mut s, Action::Terminate);
    assert_eq!(effects, vec![Effect::CancelAll]);
    let effects = end_job(&mut s, 1, JobEvent::Cancelled);
    assert!(effects.contains(&Effect::Quit) && s.quit);
}

#[test]
fn a_second_terminate_quits_while_writes_finish() {
    let mut s = state();
    start_job(&mut s, 1, "Commit");
    assert_eq!(update(&mut s, Action::Terminate), vec![Effect::CancelAll]);
    assert!(!s.quit);
    let effects = update(&mut s, Action::Terminate);
    assert!(effects.contains(&Effect::Quit) && s.quit);
}

#[test]
fn readonly_hides_and_refuses_mutating_commands() {
    let mut s = state();
    s.session.readonly = true;
    let keymap = KeyMap::defaults();
    for c in cctui::app::command::COMMANDS.iter().filter(|c| c.mutating) {
        for k in keymap.keys(c.id) {
            assert_ne!(
                action_for_key(&s, &keymap, *k),
                Some(Action::Command(c.id)),
                "{:?} reachable",
                c.id
            );
        }
        assert!(!palette_matches(&s, "").iter().any(|p| p.id == c.id));
        update(&mut s, Action::Command(c.id));
        assert!(
            matches!(s.overlays.pop(), Some(Overlay::Error { .. })),
            "{:?} not refused",
            c.id
        );
    }
    // Non-mutating commands still work.
    assert!(
        !command(CommandId::Help).mutating && command(CommandId::Help).context == Context::Global
    );
    update(&mut s, Action::Command(CommandId::Help));
    assert!(matches!(s.overlays.last(), Some(Overlay::Help { .. })));
}
