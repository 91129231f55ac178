//! Drawing: reads [`State`] and nothing else; never calls git, the SDK or the file system.

mod access;
mod branches;
mod footer;
mod forms;
mod header;
mod integrations;
mod jobs;
mod overlays;
mod permissions;
mod pulls;
mod repos;
mod undo;
mod workspace;
mod worktree;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::keymap::KeyMap;
use crate::app::state::{Pane, State};
use crate::config::Theme;

/// What drawing needs besides the state: live key bindings (for labels) and colours.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Keys after user overrides.
    pub keymap: &'a KeyMap,
    /// Colours after user overrides.
    pub theme: &'a Theme,
    /// Now, in seconds since the epoch, for relative times (tests pin it).
    pub now: i64,
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, state: &State, view: View) {
    let area = frame.area();
    let jobs_height = jobs::height(state, area.height);
    let [header_area, body, jobs_area, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(jobs_height),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(frame, header_area, state, view);
    // With a clone open and the working-tree panes in use, they get most of the width.
    let working = state.open_repo.is_some()
        && matches!(state.focus, Pane::Status | Pane::Log | Pane::Branches)
        && area.width >= 100;
    let first_run =
        state.repos.setup.as_ref().is_some_and(|r| !r.complete()) && state.open_repo.is_none();
    let left_share = if working {
        30
    } else if first_run {
        65
    } else if area.width >= 120 {
        45
    } else {
        50
    };
    let [left, right] = Layout::horizontal([
        Constraint::Percentage(left_share),
        Constraint::Percentage(100 - left_share),
    ])
    .areas(body);
    // The focused one of the two right-hand areas gets the larger share.
    let top_share = if matches!(state.focus, Pane::Log | Pane::Branches) {
        60
    } else {
        40
    };
    let [branches_area, status_area] = Layout::vertical([
        Constraint::Percentage(top_share),
        Constraint::Percentage(100 - top_share),
    ])
    .areas(right);
    repos::draw(frame, left, state, view);
    if state.show_branches {
        branches::pane(frame, branches_area, state, view);
    } else {
        worktree::log(frame, branches_area, state, view);
    }
    worktree::status(frame, status_area, state, view);
    jobs::draw(frame, jobs_area, state, view);
    footer::draw(frame, footer_area, state, view);
    overlays::draw(frame, area, state, view);
    if state.quitting {
        quitting(frame, area, state, view);
    }
}

/// While quitting waits for writes to stop or finish.
fn quitting(frame: &mut Frame, area: ratatui::layout::Rect, state: &State, view: View) {
    let running = state.running_writes();
    let jobs = if running == 1 {
        "1 job".to_string()
    } else {
        format!("{running} jobs")
    };
    let names: Vec<&str> = state
        .jobs
        .iter()
        .filter(|j| j.writes && j.status.running())
        .map(|j| j.title.as_str())
        .take(4)
        .collect();
    let message = format!(
        "Finishing {jobs}… Each stops where nothing is left half-done, or completes.\n{}",
        names.join("\n")
    );
    let force = view
        .keymap
        .keys_label(crate::app::command::CommandId::ForceQuit);
    overlays::message_box(
        frame,
        area,
        view,
        "Quitting",
        &message,
        &format!("{force} again: quit at once"),
        view.theme.warning,
    );
}

/// A pane's frame: title with its number key, focused border in the accent colour.
fn pane_block(pane: Pane, state: &State, view: View, number: u8) -> Block<'static> {
    pane_block_titled(pane, state, view, format!(" {number} {} ", pane.title()))
}

/// A pane's frame with a title of its own (counts, sort, filter).
fn pane_block_titled(pane: Pane, state: &State, view: View, title: String) -> Block<'static> {
    let focused = state.focus == pane && state.overlays.is_empty();
    let style = Style::new().fg(if focused {
        view.theme.focused_border
    } else {
        view.theme.border
    });
    Block::new()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(title)
        .title_style(Style::new().fg(if focused {
            view.theme.accent
        } else {
            view.theme.muted
        }))
}

/// The area of a full-screen view (access, pull requests, workspace, integrations, a diff):
/// everything between the header and the footer, cleared.
pub(super) fn full_screen(frame: &mut Frame, area: Rect) -> Rect {
    let rect = Rect {
        x: area.x,
        y: area.y + 1,
        width: area.width,
        height: area.height.saturating_sub(2),
    };
    frame.render_widget(ratatui::widgets::Clear, rect);
    rect
}

/// A rectangle of at most `width`×`height` centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}
