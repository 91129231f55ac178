//! The footer: a notice when there is one, else key hints generated from the command table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::View;
use crate::app::command::{Context, available};
use crate::app::state::State;
use crate::app::update::pane_context;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, view: View) {
    if let Some(notice) = &state.notice {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(" {notice}"),
                Style::new().fg(view.theme.success),
            )),
            area,
        );
        return;
    }
    let readonly = state.session.readonly;
    let contexts: Vec<Context> = match state.overlays.last() {
        Some(top) => vec![top.context()],
        None => vec![pane_context(state.focus), Context::Global],
    };
    let key_style = Style::new().fg(view.theme.accent);
    let text_style = Style::new().fg(view.theme.muted);
    let mut spans = vec![Span::raw(" ")];
    for context in contexts {
        for command in available(context, readonly) {
            if let Some(label) = command.hint {
                spans.push(Span::styled(view.keymap.keys_label(command.id), key_style));
                // IAM said no to what it needs (the permissions view, K): marked, not hidden.
                match crate::app::permissions::denied(state, command.id) {
                    Some(_) => spans.push(Span::styled(
                        format!(" {label} ✗  "),
                        Style::new().fg(view.theme.error),
                    )),
                    None => spans.push(Span::styled(format!(" {label}  "), text_style)),
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
