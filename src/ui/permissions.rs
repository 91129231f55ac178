//! The permissions view: IAM's verdict on each CodeCommit action for the repository and
//! branch, or why IAM could not be asked and the denials met this session.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::View;
use crate::app::permissions::denials_seen;
use crate::app::state::State;
use crate::aws::permissions::Verdict;

pub(super) fn screen(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::centered(area, 90, 24);
    frame.render_widget(Clear, rect);
    let permissions = &state.permissions;
    let title = match &permissions.subject {
        Some((key, branch)) => format!("What you may do · {} · {branch}", key.name),
        None => "What you may do".to_string(),
    };
    let block = super::overlays::boxed(view, &title).title_bottom(Line::styled(
        " K again reads it again · esc close ",
        Style::new().fg(view.theme.muted),
    ));
    let muted = Style::new().fg(view.theme.muted);
    let mut lines = Vec::new();
    match &permissions.decisions {
        None => lines.push(Line::styled("Asking IAM (SimulatePrincipalPolicy)…", muted)),
        Some(Ok(decisions)) => {
            lines.push(Line::styled(
                "From IAM's policy simulation for you; branch actions with codecommit:References on this branch.",
                muted,
            ));
            lines.push(Line::raw(""));
            for decision in decisions {
                let (mark, word, colour) = match decision.verdict {
                    Verdict::Allowed => ("✓", "allowed", view.theme.success),
                    Verdict::ImplicitDeny => (
                        "✗",
                        "not allowed (no statement allows it)",
                        view.theme.error,
                    ),
                    Verdict::ExplicitDeny => ("✗", "denied", view.theme.error),
                };
                let by = if decision.statements.is_empty() || decision.verdict == Verdict::Allowed {
                    String::new()
                } else {
                    format!(" by {}", decision.statements.join(", "))
                };
                lines.push(Line::styled(
                    format!("{mark} {:<32} {word}{by}", decision.action),
                    Style::new().fg(colour),
                ));
            }
        }
        Some(Err((message, hint))) => {
            lines.push(Line::styled(
                message.clone(),
                Style::new()
                    .fg(view.theme.warning)
                    .add_modifier(Modifier::BOLD),
            ));
            if let Some(hint) = hint {
                lines.push(Line::styled(hint.clone(), muted));
            }
            lines.push(Line::raw(""));
            let seen = denials_seen(state);
            if seen.is_empty() {
                lines.push(Line::styled("No action was refused this session.", muted));
            }
            lines.extend(seen.into_iter().map(Line::raw));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}
