//! Commands that belong to no pane: quit, help, palette, focus, movement, suspend. Also the
//! quit flow: write jobs are cancelled cooperatively and awaited ("finishing N jobs…").

use super::command::{COMMANDS, Command, CommandId, Context};
use super::effect::Effect;
use super::fuzzy;
use super::overlay::{Overlay, PickerItem};
use super::state::{Pane, State};
use super::{branches_update as branches, worktree_update as worktree};

/// Commands that work whatever is on top: quit, help, suspend. `None`: not one of them here.
pub fn always(state: &mut State, id: CommandId) -> Option<Vec<Effect>> {
    let top = state.overlays.last();
    match id {
        CommandId::ForceQuit if state.quitting => Some(quit_now(state)),
        CommandId::ForceQuit => Some(begin_quit(state)),
        CommandId::Suspend => Some(vec![Effect::Suspend]),
        CommandId::DemoSwitchUser => Some(super::pulls_update::switch_demo_user(state)),
        // An error or a detail view never traps the user: `q` and `?` still work.
        CommandId::Quit if top.is_none_or(Overlay::lets_through) => Some(ask_quit(state)),
        CommandId::Help if top.is_none_or(Overlay::lets_through) => {
            state.overlays.push(Overlay::Help { scroll: 0 });
            Some(Vec::new())
        }
        _ => None,
    }
}

/// A global command with no overlay open; `None` when it belongs to a pane.
pub fn command(state: &mut State, id: CommandId) -> Option<Vec<Effect>> {
    let effects = match id {
        CommandId::Palette => {
            state.overlays.push(Overlay::Palette {
                query: String::new(),
                selected: 0,
            });
            Vec::new()
        }
        CommandId::NextPane | CommandId::PrevPane => {
            let pane = state.focus.cycle(id == CommandId::NextPane);
            focus(state, pane)
        }
        CommandId::FocusRepositories => focus(state, Pane::Repositories),
        CommandId::FocusLog => focus(state, Pane::Log),
        CommandId::FocusBranches => focus(state, Pane::Branches),
        CommandId::FocusStatus => focus(state, Pane::Status),
        CommandId::FocusJobs => focus(state, Pane::Jobs),
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => move_in_pane(state, id),
        CommandId::OpenRecent => {
            open_recent(state);
            Vec::new()
        }
        CommandId::OpenAccess => super::access_update::open(state),
        CommandId::OpenPulls => super::pulls_update::open(state),
        CommandId::OpenPermissions => super::permissions::open(state),
        CommandId::Undo => super::undo_update::undo_last(state),
        CommandId::UndoList => super::undo_update::open_list(state),
        CommandId::OpenWorkspace => super::workspace_update::open(state),
        CommandId::OpenIntegrations => super::integrations_update::open(state),
        _ => return None,
    };
    Some(effects)
}

/// `q`: quits at once when no write is running, else asks.
fn ask_quit(state: &mut State) -> Vec<Effect> {
    let running = state.running_writes();
    if running == 0 {
        return begin_quit(state);
    }
    let jobs = if running == 1 {
        "1 job is".to_string()
    } else {
        format!("{running} jobs are")
    };
    state.overlays.push(Overlay::Confirm {
        title: "Quit cctui?".to_string(),
        message: format!(
            "{jobs} still changing things. Quitting cancels them; each stops where it is safe, or finishes first."
        ),
        on_yes: Box::new(super::action::Action::Command(CommandId::ForceQuit)),
    });
    Vec::new()
}

/// Quitting: every job is asked to stop; reads end at once, writes stop at a safe point or
/// finish. The loop ends when the last write has reported (see [`after_job`]).
pub fn begin_quit(state: &mut State) -> Vec<Effect> {
    if state.running_writes() == 0 {
        return quit_now(state);
    }
    state.quitting = true;
    state.overlays.clear();
    vec![Effect::CancelAll]
}

/// SIGTERM or SIGHUP: quit as ctrl-c does — writes stop safely first; a second signal while
/// they finish quits at once.
pub fn terminate(state: &mut State) -> Vec<Effect> {
    if state.quitting {
        quit_now(state)
    } else {
        begin_quit(state)
    }
}

/// Called after every job report: ends a quit that was waiting for writes.
pub fn after_job(state: &mut State) -> Vec<Effect> {
    if state.quitting && state.running_writes() == 0 {
        quit_now(state)
    } else {
        Vec::new()
    }
}

fn quit_now(state: &mut State) -> Vec<Effect> {
    state.quit = true;
    state.overlays.clear();
    vec![Effect::CancelAll, Effect::Quit]
}

fn open_recent(state: &mut State) {
    if state.recent.list.is_empty() {
        state.notice =
            Some("No recent clones yet: open one with o, or start cctui -C <path>.".into());
        return;
    }
    let items = state
        .recent
        .list
        .iter()
        .map(|p| PickerItem {
            value: p.display().to_string(),
            detail: String::new(),
        })
        .collect();
    state.overlays.push(Overlay::Picker {
        title: "Recent clones".into(),
        items,
        filter: String::new(),
        selected: 0,
        purpose: super::overlay::PickerPurpose::RecentClone,
    });
}

fn focus(state: &mut State, pane: Pane) -> Vec<Effect> {
    state.focus = pane;
    // Branches and log share one area: the one focused last is shown.
    match pane {
        Pane::Branches => {
            state.show_branches = true;
            branches::refresh(state)
        }
        Pane::Log => {
            state.show_branches = false;
            Vec::new()
        }
        // The status is read again whenever its pane gains focus: files change outside cctui.
        Pane::Status => worktree::refresh_status(state),
        Pane::Repositories | Pane::Jobs => Vec::new(),
    }
}

/// New selection after a movement command in a list of `len` rows.
pub fn moved(selected: usize, len: usize, id: CommandId, page: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let last = len - 1;
    match id {
        CommandId::Up => selected.saturating_sub(1),
        CommandId::Down => (selected + 1).min(last),
        CommandId::PageUp => selected.saturating_sub(page),
        CommandId::PageDown => (selected + page).min(last),
        CommandId::Top => 0,
        CommandId::Bottom => last,
        _ => selected.min(last),
    }
}

fn move_in_pane(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    match state.focus {
        Pane::Jobs => {
            let len = state.visible_jobs().count();
            state.job_selected = moved(state.job_selected, len, id, page);
        }
        Pane::Repositories => {
            let len = state.repos.view.len();
            state.repos.selected = moved(state.repos.selected, len, id, page);
            state.repos.scroll_to_selection(page);
        }
        Pane::Status => {
            let len = state.status.rows().len();
            state.status.selected = moved(state.status.selected, len, id, page);
        }
        Pane::Log => {
            let len = state.log.commits.len();
            state.log.selected = moved(state.log.selected, len, id, page);
            // Reaching the end of the loaded history loads the next page.
            return worktree::more_log(state);
        }
        Pane::Branches => {
            let len = state.branches.rows().len();
            state.branches.selected = moved(state.branches.selected, len, id, page);
        }
    }
    Vec::new()
}

/// Commands offered by the palette: global and focused-pane ones usable in this mode.
pub fn palette_commands(state: &State) -> Vec<&'static Command> {
    let pane = pane_context(state.focus);
    COMMANDS
        .iter()
        .filter(|c| {
            (c.context == Context::Global || c.context == pane) && c.id != CommandId::Palette
        })
        .filter(|c| !(state.session.readonly && c.mutating))
        .collect()
}

/// Palette entries matching the query, best first.
pub fn palette_matches(state: &State, query: &str) -> Vec<&'static Command> {
    let mut scored: Vec<(i64, usize, &'static Command)> = palette_commands(state)
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let by_description = fuzzy::score(query, c.description);
            let by_name = fuzzy::score(query, c.id.name());
            by_description.max(by_name).map(|s| (s, i, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, c)| c).collect()
}

/// Picker entries matching the filter, as indices into `items`, best first.
pub fn picker_matches(items: &[PickerItem], filter: &str) -> Vec<usize> {
    let mut scored: Vec<(i64, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| fuzzy::score(filter, &item.value).map(|s| (s, i)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// The context of a pane's own commands.
pub fn pane_context(pane: Pane) -> Context {
    match pane {
        Pane::Repositories => Context::Repositories,
        Pane::Log => Context::Log,
        Pane::Branches => Context::Branches,
        Pane::Status => Context::Status,
        Pane::Jobs => Context::Jobs,
    }
}

/// Number of lines of the help screen (a heading and a blank line per context, a line per command).
pub fn help_line_count(readonly: bool) -> usize {
    let contexts = [
        Context::Global,
        Context::Repositories,
        Context::Log,
        Context::Branches,
        Context::Status,
        Context::Jobs,
        Context::Access,
        Context::Workspace,
        Context::Integrations,
        Context::Overlay,
        Context::Confirm,
    ];
    contexts
        .iter()
        .map(|c| super::command::available(*c, readonly).count())
        .filter(|n| *n > 0)
        .map(|n| n + 2)
        .sum()
}
