//! The branches pane and the conflict panel.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::repos::relative;
use super::{View, pane_block_titled};
use crate::app::branches::BranchRow;
use crate::app::state::{Pane, State};
use crate::git::status::{ConflictKind, FileKind};

/// The branches pane (shares its area with the log).
pub(super) fn pane(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let pane = &state.branches;
    let mut title = " 5 Branches".to_string();
    if let Some(current) = pane.current() {
        title.push_str(&format!(" · on {}", current.name));
    }
    if let Some(default) = pane.default_branch() {
        title.push_str(&format!(" · default {default}"));
    }
    if pane.loading {
        title.push_str(" · reading…");
    }
    title.push(' ');
    let block = pane_block_titled(Pane::Branches, state, view, title)
        .padding(ratatui::widgets::Padding::horizontal(1));
    let muted = Style::new().fg(view.theme.muted);
    if state.open_repo.is_none() || (pane.local.is_empty() && pane.remote.is_empty()) {
        let text = match (&state.open_repo, &pane.error) {
            (_, Some(error)) => {
                Line::styled(format!("✗ {error}"), Style::new().fg(view.theme.error))
            }
            (Some(_), None) => Line::styled("Reading branches…", muted),
            (None, None) => Line::styled(
                "Local, remote-tracking and CodeCommit branches of the open clone will be listed here, with the default branch marked.",
                muted,
            ),
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let default = pane.default_branch();
    let mut items = Vec::new();
    let mut selected_item = None;
    let mut group = "";
    for (index, row) in pane.rows().into_iter().enumerate() {
        if row.group() != group {
            group = row.group();
            items.push(ListItem::new(Line::styled(
                group,
                Style::new()
                    .fg(view.theme.accent)
                    .add_modifier(Modifier::BOLD),
            )));
        }
        if index == pane.selected {
            selected_item = Some(items.len());
        }
        let line = match row {
            BranchRow::Local(b) => {
                let mut spans = vec![
                    Span::styled(
                        if b.head { "* " } else { "  " },
                        Style::new().fg(view.theme.success),
                    ),
                    Span::styled(
                        b.name.clone(),
                        if b.head {
                            Style::new().add_modifier(Modifier::BOLD)
                        } else {
                            Style::new()
                        },
                    ),
                ];
                if Some(b.name.as_str()) == default {
                    spans.push(Span::styled(
                        " (default)",
                        Style::new().fg(view.theme.warning),
                    ));
                }
                spans.extend(pull_mark(state, view, &b.name));
                match (&b.upstream, b.upstream_gone) {
                    (Some(upstream), true) => spans.push(Span::styled(
                        format!("  {upstream} gone"),
                        Style::new().fg(view.theme.error),
                    )),
                    (Some(upstream), false) => spans.push(Span::styled(
                        format!("  {upstream} ↑{} ↓{}", b.ahead, b.behind),
                        muted,
                    )),
                    (None, _) => spans.push(Span::styled("  no upstream", muted)),
                }
                spans.push(Span::styled(
                    format!(
                        "  {} · {}",
                        b.last_commit.summary,
                        relative(view.now, Some(b.last_commit.time))
                    ),
                    muted,
                ));
                Line::from(spans)
            }
            BranchRow::Remote(b) => Line::from(vec![
                Span::raw(format!("  {}", b.name)),
                Span::styled(
                    format!(
                        "  {} · {}",
                        b.last_commit.summary,
                        relative(view.now, Some(b.last_commit.time))
                    ),
                    muted,
                ),
            ]),
            BranchRow::Server(b) => {
                let mut spans = vec![Span::raw(format!("  {}", b.name))];
                if b.default {
                    spans.push(Span::styled(
                        " (default)",
                        Style::new().fg(view.theme.warning),
                    ));
                }
                spans.extend(pull_mark(state, view, &b.name));
                spans.push(Span::styled(
                    format!("  {}", b.commit_id.get(..7).unwrap_or(&b.commit_id)),
                    muted,
                ));
                Line::from(spans)
            }
            BranchRow::Stash(s) => Line::from(vec![
                Span::raw(format!("  stash@{{{}}}", s.index)),
                Span::styled(format!("  {}", s.message), muted),
            ]),
        };
        items.push(ListItem::new(line));
    }
    if let Some(error) = &pane.server_error {
        items.push(ListItem::new(Line::styled(
            format!("On CodeCommit: ✗ {error}"),
            Style::new().fg(view.theme.error),
        )));
    }
    let focused = state.focus == Pane::Branches && state.overlays.is_empty();
    let list = List::new(items).block(block).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(selected_item.filter(|_| focused));
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// The conflict panel.
/// ` PR #7` beside a branch that is the source of an open pull request.
fn pull_mark(state: &State, view: View, branch: &str) -> Option<Span<'static>> {
    state
        .pulls
        .by_branch
        .get(branch)
        .map(|id| Span::styled(format!(" PR #{id}"), Style::new().fg(view.theme.accent)))
}

pub(super) fn conflicts(frame: &mut Frame, area: Rect, state: &State, view: View, selected: usize) {
    let files: Vec<_> = state
        .status
        .status
        .as_ref()
        .map(|s| s.conflicted.clone())
        .unwrap_or_default();
    let rect = super::centered(
        area,
        90,
        (files.len() as u16 + 8).clamp(10, area.height.saturating_sub(2)),
    );
    frame.render_widget(Clear, rect);
    let keys =
        " o ours · t theirs · b both · a resolved as edited · c commit · A abort · esc close ";
    let title = state
        .status
        .merge_message
        .as_ref()
        .and_then(|m| m.lines().next())
        .unwrap_or("Merge in progress")
        .to_string();
    let block = super::overlays::boxed(view, &format!("Conflicts · {title}"))
        .title_bottom(Line::styled(keys, Style::new().fg(view.theme.muted)));
    if files.is_empty() {
        let text = vec![
            Line::styled(
                "Every conflict is resolved.",
                Style::new().fg(view.theme.success),
            ),
            Line::raw(""),
            Line::raw("c commits the merge; A aborts it and puts everything back."),
        ];
        frame.render_widget(Paragraph::new(text).block(block), rect);
        return;
    }
    let items: Vec<ListItem> = files
        .iter()
        .map(|f| {
            let kind = match &f.kind {
                FileKind::Conflicted(kind) => match kind {
                    ConflictKind::BothModified => "both modified",
                    ConflictKind::BothAdded => "both added",
                    ConflictKind::BothDeleted => "both deleted",
                    ConflictKind::DeletedByUs => "deleted by us",
                    ConflictKind::DeletedByThem => "deleted by them",
                    ConflictKind::AddedByUs => "added by us",
                    ConflictKind::AddedByThem => "added by them",
                },
                _ => "conflicted",
            };
            ListItem::new(Line::from(vec![
                Span::styled("!!! ", Style::new().fg(view.theme.error)),
                Span::raw(f.path.clone()),
                Span::styled(format!("  {kind}"), Style::new().fg(view.theme.muted)),
            ]))
        })
        .collect();
    let list = List::new(items).block(block).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(Some(selected.min(files.len() - 1)));
    frame.render_stateful_widget(list, rect, &mut list_state);
}
