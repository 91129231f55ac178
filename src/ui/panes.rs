//! The three main panes. Until a repository list or a clone is loaded they say what will
//! appear there and how to get it; they never show invented rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{View, pane_block};
use crate::app::state::{Pane, State};

fn empty_state(
    frame: &mut Frame,
    area: Rect,
    pane: Pane,
    number: u8,
    state: &State,
    view: View,
    lines: &[&str],
) {
    let block = pane_block(pane, state, view, number);
    let text: Vec<Line> = lines
        .iter()
        .map(|l| Line::styled(*l, Style::new().fg(view.theme.muted)))
        .collect();
    let block = block.padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

pub(super) fn branches(frame: &mut Frame, area: Rect, state: &State, view: View) {
    empty_state(
        frame,
        area,
        Pane::Branches,
        2,
        state,
        view,
        &[
            "Local, remote-tracking and CodeCommit branches of the open repository will be listed here.",
        ],
    );
}

pub(super) fn status(frame: &mut Frame, area: Rect, state: &State, view: View) {
    empty_state(
        frame,
        area,
        Pane::Status,
        3,
        state,
        view,
        &[
            "Staged, unstaged, untracked and conflicted files of the open clone will be listed here.",
        ],
    );
}
