//! The list of recent changes cctui made in the open clone (`Z`): newest first, what each was,
//! when, and which one an undo takes back next.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use super::View;
use crate::app::command::CommandId;
use crate::app::state::State;

/// The list, centred over the panes.
pub(super) fn list(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let undo = &state.undo;
    let width = area.width.saturating_sub(8).clamp(20, 100);
    let height = (undo.entries.len() as u16 + 4)
        .max(6)
        .min(area.height.saturating_sub(4));
    let rect = super::centered(area, width, height);
    frame.render_widget(Clear, rect);
    let repo = state
        .open_repo
        .as_ref()
        .map(|r| r.name.as_str())
        .unwrap_or("no clone");
    let loading = if undo.pending.is_some() {
        " · reading…"
    } else {
        ""
    };
    let bottom = format!(
        " enter undo (newest first) · {} undo the last · esc close ",
        view.keymap.keys_label(CommandId::Undo)
    );
    let block = super::overlays::boxed(view, &format!("Recent changes in {repo}{loading}"))
        .title_bottom(Line::styled(bottom, Style::new().fg(view.theme.muted)));
    if let Some(error) = &undo.error {
        let text = Paragraph::new(error.clone())
            .style(Style::new().fg(view.theme.error))
            .block(block);
        frame.render_widget(text, rect);
        return;
    }
    if undo.entries.is_empty() {
        let text = if undo.pending.is_some() {
            "Reading the undo log…"
        } else {
            "cctui has changed nothing in this clone yet: commits, amends, merges, pulls, branch deletes, switches, stash drops and discards show here."
        };
        let paragraph = Paragraph::new(text)
            .style(Style::new().fg(view.theme.muted))
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(block);
        frame.render_widget(paragraph, rect);
        return;
    }
    let next = undo.newest_undoable().map(|e| e.id);
    let items: Vec<ListItem> = undo
        .entries
        .iter()
        .map(|entry| {
            let (mark, style) = if entry.undone {
                ("undone", Style::new().fg(view.theme.muted))
            } else if Some(entry.id) == next {
                ("next  ", Style::new().fg(view.theme.accent))
            } else {
                ("      ", Style::new())
            };
            let when = super::repos::relative(view.now, Some(entry.time as i64));
            ListItem::new(Line::from(vec![
                Span::styled(format!("{mark} "), style.add_modifier(Modifier::BOLD)),
                Span::styled(format!("{when:>10}  "), Style::new().fg(view.theme.muted)),
                Span::styled(entry.change.describe(), style),
            ]))
        })
        .collect();
    let list = List::new(items).block(block).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(Some(undo.selected));
    frame.render_stateful_widget(list, rect, &mut list_state);
}
