//! The jobs strip: one row per visible job with its progress, newest last.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::{View, pane_block};
use crate::app::state::{JobStatus, Pane, State};

/// Height of the strip: borders plus up to four rows, one row for "no jobs".
pub(super) fn height(state: &State, screen_height: u16) -> u16 {
    let rows = state.visible_jobs().count().clamp(1, 4) as u16;
    (rows + 2).min(screen_height.saturating_sub(6)).max(3)
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let block =
        pane_block(Pane::Jobs, state, view, 4).padding(ratatui::widgets::Padding::horizontal(1));
    let theme = view.theme;
    let rows: Vec<ListItem> = state
        .visible_jobs()
        .map(|job| {
            let (mark, style) = match &job.status {
                JobStatus::Running | JobStatus::Cancelling => ("…", Style::new().fg(theme.warning)),
                JobStatus::Succeeded => ("✓", Style::new().fg(theme.success)),
                JobStatus::Failed(_) => ("✗", Style::new().fg(theme.error)),
                JobStatus::Cancelled => ("⊘", Style::new().fg(theme.muted)),
            };
            let mut spans = vec![
                Span::styled(format!("{mark} "), style),
                Span::raw(job.title.clone()),
            ];
            let detail = match (&job.status, &job.progress) {
                (JobStatus::Failed(message), _) => format!("  {message}"),
                (JobStatus::Cancelled, _) => "  cancelled".to_string(),
                (JobStatus::Succeeded, _) => "  done".to_string(),
                (JobStatus::Cancelling, Some(p)) if p.phase == crate::jobs::FINISHING => {
                    "  finishing… (past the point where it could stop)".to_string()
                }
                (JobStatus::Cancelling, _) => "  cancelling…".to_string(),
                (_, Some(p)) => match p.total {
                    Some(total) if total > 0 => {
                        let percent = p.current.saturating_mul(100) / total;
                        format!("  {} {}/{} ({percent}%)", p.phase, p.current, total)
                    }
                    _ if p.current > 0 => format!("  {} {}", p.phase, p.current),
                    _ => format!("  {}", p.phase),
                },
                _ => String::new(),
            };
            spans.push(Span::styled(detail, Style::new().fg(theme.muted)));
            ListItem::new(Line::from(spans))
        })
        .collect();
    if rows.is_empty() {
        let text = Line::styled(
            "No jobs. Clones, pushes and fetches will show their progress here.",
            Style::new().fg(theme.muted),
        );
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let focused = state.focus == Pane::Jobs;
    let list = List::new(rows).block(block).highlight_style(
        Style::new()
            .bg(theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(focused.then_some(state.job_selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}
