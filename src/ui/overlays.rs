//! Overlays, drawn bottom to top over the panes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::{View, centered};
use crate::app::command::{Context, available};
use crate::app::overlay::Overlay;
use crate::app::state::State;
use crate::app::update::{palette_matches, picker_matches};

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, view: View) {
    for overlay in &state.overlays {
        match overlay {
            Overlay::Help { scroll } => help(frame, area, state, view, *scroll),
            Overlay::Palette { query, selected } => {
                palette(frame, area, state, view, query, *selected)
            }
            Overlay::Picker {
                title,
                items,
                filter,
                selected,
                ..
            } => {
                let matches = picker_matches(items, filter);
                let rows: Vec<(String, String)> = matches
                    .iter()
                    .map(|i| (items[*i].value.clone(), items[*i].detail.clone()))
                    .collect();
                list_box(frame, area, view, title, filter, &rows, *selected);
            }
            Overlay::Input {
                title,
                value,
                masked,
                ..
            } => {
                let shown = if *masked {
                    "•".repeat(value.chars().count())
                } else {
                    value.clone()
                };
                let rect = centered(area, 60, 3);
                frame.render_widget(Clear, rect);
                let text = Line::from(vec![
                    Span::raw(shown),
                    Span::styled("▏", Style::new().fg(view.theme.accent)),
                ]);
                frame.render_widget(Paragraph::new(text).block(boxed(view, title)), rect);
            }
            Overlay::Confirm { title, message, .. } => {
                let keys = format!(
                    "{} yes   {} no",
                    view.keymap.keys_label(crate::app::command::CommandId::Yes),
                    view.keymap.keys_label(crate::app::command::CommandId::No)
                );
                message_box(frame, area, view, title, message, &keys, view.theme.warning);
            }
            Overlay::CloneDialog {
                repositories,
                protocol,
                path,
                focus,
                ..
            } => {
                super::forms::clone_dialog(frame, area, view, repositories, *protocol, path, *focus)
            }
            Overlay::Conflicts { selected } => {
                super::branches::conflicts(frame, area, state, view, *selected)
            }
            Overlay::Diff(diff) => super::worktree::diff(frame, area, view, diff),
            Overlay::CommitEditor(editor) => {
                super::worktree::editor(frame, area, view, editor, state)
            }
            Overlay::Form(form) => super::forms::form(frame, area, view, form),
            Overlay::DeleteRepository { key, typed } => {
                super::forms::delete(frame, area, view, key, typed)
            }
            Overlay::RepositoryDetail { key, url } => {
                super::repos::detail(frame, area, state, view, key, *url)
            }
            Overlay::Access => super::access::screen(frame, area, state, view),
            Overlay::Pulls => super::pulls::list(frame, area, state, view),
            Overlay::Permissions => super::permissions::screen(frame, area, state, view),
            Overlay::PullView => super::pulls::request(frame, area, state, view),
            Overlay::PullMerge(dialog) => super::pulls::merge(frame, area, view, dialog),
            Overlay::Compose(compose) => super::pulls::compose(frame, area, view, compose),
            Overlay::GitPassword(password) => super::access::password(frame, area, view, password),
            Overlay::UndoList => super::undo::list(frame, area, state, view),
            Overlay::Workspace => super::workspace::screen(frame, area, state, view),
            Overlay::Integrations => super::integrations::screen(frame, area, state, view),
            Overlay::WorkspaceFilter => super::workspace::filter(frame, area, state, view),
            Overlay::Error { message, hint } => {
                let mut text = message.clone();
                if let Some(hint) = hint {
                    text.push_str("\n\n");
                    text.push_str(hint);
                }
                message_box(
                    frame,
                    area,
                    view,
                    "Error",
                    &text,
                    "esc close",
                    view.theme.error,
                );
            }
        }
    }
}

pub(super) fn boxed<'a>(view: View, title: &str) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(Style::new().fg(view.theme.accent))
        .title(format!(" {title} "))
        .title_style(
            Style::new()
                .fg(view.theme.accent)
                .add_modifier(Modifier::BOLD),
        )
}

pub(super) fn message_box(
    frame: &mut Frame,
    area: Rect,
    view: View,
    title: &str,
    message: &str,
    keys: &str,
    colour: ratatui::style::Color,
) {
    let width = 64.min(area.width.saturating_sub(4)).max(20);
    let inner = usize::from(width.saturating_sub(4)).max(1);
    let lines: usize = message
        .lines()
        .map(|l| l.chars().count().div_ceil(inner).max(1))
        .sum();
    let rect = centered(area, width, lines as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = boxed(view, title).border_style(Style::new().fg(colour));
    let inner_area = block.inner(rect);
    frame.render_widget(block, rect);
    let [text_area, keys_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner_area);
    frame.render_widget(
        Paragraph::new(message.to_string()).wrap(Wrap { trim: false }),
        text_area.inner(ratatui::layout::Margin::new(1, 0)),
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            keys.to_string(),
            Style::new().fg(view.theme.muted),
        ))
        .alignment(ratatui::layout::Alignment::Right),
        keys_area,
    );
}

fn list_box(
    frame: &mut Frame,
    area: Rect,
    view: View,
    title: &str,
    query: &str,
    rows: &[(String, String)],
    selected: usize,
) {
    let height = (rows.len() as u16 + 4).clamp(6, area.height.saturating_sub(2).max(6));
    let rect = centered(area, 70, height);
    frame.render_widget(Clear, rect);
    let block = boxed(view, title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [query_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let prompt = Line::from(vec![
        Span::styled("› ", Style::new().fg(view.theme.accent)),
        Span::raw(query.to_string()),
        Span::styled("▏", Style::new().fg(view.theme.accent)),
    ]);
    frame.render_widget(Paragraph::new(prompt), query_area);
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(
                "  nothing matches",
                Style::new().fg(view.theme.muted),
            )),
            list_area,
        );
        return;
    }
    let items: Vec<ListItem> = rows
        .iter()
        .map(|(value, detail)| {
            ListItem::new(Line::from(vec![
                Span::raw(format!("  {value}")),
                Span::styled(format!("  {detail}"), Style::new().fg(view.theme.muted)),
            ]))
        })
        .collect();
    let list = List::new(items).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, list_area, &mut list_state);
}

fn palette(frame: &mut Frame, area: Rect, state: &State, view: View, query: &str, selected: usize) {
    let rows: Vec<(String, String)> = palette_matches(state, query)
        .into_iter()
        .map(|c| {
            (
                c.description.to_string(),
                format!("{}  {}", view.keymap.keys_label(c.id), c.id.name()),
            )
        })
        .collect();
    list_box(frame, area, view, "Commands", query, &rows, selected);
}

/// The help lines, generated from the command table with live keys.
fn help_lines(state: &State, view: View) -> Vec<Line<'static>> {
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
    let mut lines = Vec::new();
    for context in contexts {
        let commands: Vec<_> = available(context, state.session.readonly).collect();
        if commands.is_empty() {
            continue;
        }
        lines.push(Line::styled(
            context.title().to_string(),
            Style::new()
                .fg(view.theme.accent)
                .add_modifier(Modifier::BOLD),
        ));
        for c in commands {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<16}", view.keymap.keys_label(c.id)),
                    Style::new().fg(view.theme.accent),
                ),
                Span::raw(c.description.to_string()),
                Span::styled(
                    format!("  ({})", c.id.name()),
                    Style::new().fg(view.theme.muted),
                ),
                Span::styled(
                    match crate::app::permissions::denied(state, c.id) {
                        Some(_) => "  ✗ IAM denies it here (K)",
                        None => "",
                    },
                    Style::new().fg(view.theme.error),
                ),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines
}

fn help(frame: &mut Frame, area: Rect, state: &State, view: View, scroll: usize) {
    let rect = centered(area, 84, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let log = state
        .log_file
        .as_ref()
        .map(|p| format!(" log: {} ", p.display()))
        .unwrap_or_else(|| " logging off ".to_string());
    let block = boxed(view, "Help — esc to close")
        .title_bottom(Line::styled(log, Style::new().fg(view.theme.muted)));
    let lines = help_lines(state, view);
    let visible = usize::from(block.inner(rect).height);
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(block),
        rect,
    );
}
