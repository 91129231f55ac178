//! The workspace screen: one row per clone — repository, profile and region, branch, changed
//! files, ahead/behind, last fetch, and what its bulk job is doing or why the clone needs a
//! look (unreadable, its CodeCommit repository gone) — and the summary of the last bulk work.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::View;
use crate::app::state::State;
use crate::app::workspace::{RowWork, WorkspaceRow};
use crate::app::workspace_update::remote_gone;
use crate::git::workspace::CloneHead;

/// Cuts `text` to `width` characters (an ellipsis marks the cut), padded to `width`.
fn cell(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The screen, over the panes between the header and the footer.
pub(super) fn screen(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::full_screen(frame, area);
    let ws = &state.workspace;
    let scanning = if ws.scan.is_some() {
        " · scanning…"
    } else {
        ""
    };
    let filter = if ws.filter.is_empty() {
        String::new()
    } else {
        format!(" · filter \"{}\"", ws.filter)
    };
    let marked = if ws.marked.is_empty() {
        String::new()
    } else {
        format!(" · {} marked", ws.marked.len())
    };
    let title = format!(
        "Workspace · {} of {} clones · by {}{filter}{marked}{scanning}",
        ws.view.len(),
        ws.rows.len(),
        ws.sort.label()
    );
    let block = super::overlays::boxed(view, &title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let summary_height = ws
        .summary
        .as_ref()
        .map(|lines| (lines.len() as u16 + 1).min(inner.height / 3))
        .unwrap_or(0);
    let [table, summary] =
        Layout::vertical([Constraint::Min(2), Constraint::Length(summary_height)]).areas(inner);
    if let Some(error) = &ws.error {
        frame.render_widget(
            Paragraph::new(format!("The scan failed: {error}"))
                .style(Style::new().fg(view.theme.error))
                .wrap(Wrap { trim: true }),
            table,
        );
    } else {
        rows(frame, table, state, view);
    }
    if let Some(lines) = &ws.summary {
        let text: Vec<Line> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    Line::styled(l.clone(), Style::new().add_modifier(Modifier::BOLD))
                } else {
                    Line::styled(format!("  {l}"), Style::new().fg(view.theme.error))
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), summary);
    }
}

fn rows(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let ws = &state.workspace;
    let [head, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let (name_w, where_w, branch_w) = (24, 22, 18);
    let header = format!(
        "  {} {} {} {:>7} {:>9}  {:<11} state",
        cell("repository", name_w),
        cell("profile · region", where_w),
        cell("branch", branch_w),
        "changed",
        "↑ ↓",
        "fetched"
    );
    frame.render_widget(
        Paragraph::new(Line::styled(header, Style::new().fg(view.theme.muted))),
        head,
    );
    if ws.view.is_empty() {
        let text = if ws.scan.is_some() {
            "Looking for clones…".to_string()
        } else if ws.rows.is_empty() {
            format!(
                "No clones found under {}, among the recent clones or the open one. Clone one from the repositories pane (c).",
                state.cloning.workspace_root.display()
            )
        } else {
            "No clone matches the filter.".to_string()
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(Style::new().fg(view.theme.muted))
                .wrap(Wrap { trim: true }),
            list_area,
        );
        return;
    }
    // Only the visible window becomes list items (thousands of clones draw as fast as a
    // screenful), scrolled as a list scrolls to its selection: the selected row at the bottom
    // once it is past the first screen.
    let height = usize::from(list_area.height).max(1);
    let selected = ws.selected.min(ws.view.len() - 1);
    let offset = (selected + 1).saturating_sub(height);
    let items: Vec<ListItem> = ws.view[offset..(offset + height).min(ws.view.len())]
        .iter()
        .map(|i| {
            let row = &ws.rows[*i];
            item(state, view, row, (name_w, where_w, branch_w))
        })
        .collect();
    let list = List::new(items).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(list, list_area, &mut list_state);
}

fn item<'a>(
    state: &State,
    view: View,
    row: &WorkspaceRow,
    (name_w, where_w, branch_w): (usize, usize, usize),
) -> ListItem<'a> {
    let s = &row.summary;
    let mark = if state.workspace.marked.contains(&s.path) {
        "● "
    } else {
        "  "
    };
    let place = match &row.key {
        Some(key) => format!(
            "{} · {}",
            key.profile.as_deref().unwrap_or("default"),
            key.region
        ),
        None => match &s.origin_url {
            Some(_) => "not CodeCommit".to_string(),
            None => "no origin".to_string(),
        },
    };
    let open_request = match (&row.key, &s.head) {
        (Some(key), Some(CloneHead::Branch(name))) => state.pulls.in_workspace.get(&(
            key.profile.clone(),
            key.region.clone(),
            key.name.clone(),
            name.clone(),
        )),
        _ => None,
    };
    let branch = match &s.head {
        Some(CloneHead::Branch(name)) if open_request.is_some() => {
            format!(
                "{name} #{}",
                open_request.map(String::as_str).unwrap_or_default()
            )
        }
        Some(CloneHead::Branch(name)) => name.clone(),
        Some(CloneHead::Detached(id)) => format!("detached {id}"),
        Some(CloneHead::Unborn(name)) => format!("{name} (no commit)"),
        None => "—".to_string(),
    };
    let changed = if s.error.is_some() {
        "—".to_string()
    } else if s.changed == 0 {
        "clean".to_string()
    } else {
        s.changed.to_string()
    };
    let ahead_behind = match (&s.ahead_behind, &s.upstream) {
        (Some((a, b)), _) => format!("↑{a} ↓{b}"),
        (None, None) if matches!(s.head, Some(CloneHead::Branch(_))) => "no upstr.".to_string(),
        _ => "—".to_string(),
    };
    let fetched = match s.last_fetch {
        Some(time) => super::repos::relative(view.now, Some(time)),
        None => "never".to_string(),
    };
    let (status, colour) = status_of(state, view, row);
    let changed_style = if s.changed > 0 {
        Style::new().fg(view.theme.warning)
    } else {
        Style::new().fg(view.theme.muted)
    };
    ListItem::new(Line::from(vec![
        Span::styled(mark.to_string(), Style::new().fg(view.theme.accent)),
        Span::raw(format!("{} ", cell(&row.name(), name_w))),
        Span::styled(
            format!("{} ", cell(&place, where_w)),
            Style::new().fg(view.theme.muted),
        ),
        Span::raw(format!("{} ", cell(&branch, branch_w))),
        Span::styled(format!("{changed:>7} "), changed_style),
        Span::raw(format!("{ahead_behind:>9}  ")),
        Span::styled(
            format!("{} ", cell(&fetched, 11)),
            Style::new().fg(view.theme.muted),
        ),
        Span::styled(status, Style::new().fg(colour)),
    ]))
}

/// What the row's state column says, and in which colour.
fn status_of(state: &State, view: View, row: &WorkspaceRow) -> (String, ratatui::style::Color) {
    let s = &row.summary;
    match state.workspace.work.get(&s.path) {
        Some(RowWork::Queued) => return ("queued".into(), view.theme.muted),
        Some(RowWork::Running(id)) => {
            let progress = state
                .jobs
                .iter()
                .find(|j| j.id == *id)
                .and_then(|j| j.progress.as_ref())
                .map(|p| match p.total {
                    Some(total) if total > 0 => {
                        format!("{} {}%", p.phase, p.current * 100 / total)
                    }
                    _ => p.phase.clone(),
                })
                .unwrap_or_else(|| "starting".into());
            return (format!("⟳ {progress}"), view.theme.accent);
        }
        Some(RowWork::Done(message)) => return (format!("✓ {message}"), view.theme.success),
        Some(RowWork::Failed(why)) => return (format!("✗ {why}"), view.theme.error),
        Some(RowWork::Cancelled) => return ("cancelled".into(), view.theme.muted),
        None => {}
    }
    if let Some(error) = &s.error {
        return (format!("✗ {error}"), view.theme.error);
    }
    if remote_gone(state, row) {
        return ("✗ gone from CodeCommit".into(), view.theme.error);
    }
    (String::new(), view.theme.muted)
}

/// The filter box, at the top of the screen.
pub(super) fn filter(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::centered(area, 50, 3);
    frame.render_widget(Clear, rect);
    let text = Line::from(vec![
        Span::raw(state.workspace.filter.clone()),
        Span::styled("▏", Style::new().fg(view.theme.accent)),
    ]);
    frame.render_widget(
        Paragraph::new(text).block(super::overlays::boxed(view, "Filter clones")),
        rect,
    );
}
