//! The working-tree side: status pane, log pane, diff view and commit editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::repos::relative;
use super::{View, pane_block_titled};
use crate::app::state::{Pane, State};
use crate::app::worktree::{CommitEditor, DiffSource, DiffView, Section};
use crate::app::worktree_update::{DiffRow, diff_rows};
use crate::git::diff::{FileChange, LineOrigin};
use crate::git::status::FileKind;

fn muted(view: View, text: impl Into<String>) -> Line<'static> {
    Line::styled(text.into(), Style::new().fg(view.theme.muted))
}

fn padded() -> ratatui::widgets::Padding {
    ratatui::widgets::Padding::horizontal(1)
}

/// The status pane.
pub(super) fn status(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let pane = &state.status;
    let mut title = " 3 Status".to_string();
    if let Some(status) = &pane.status {
        match (&status.branch, status.detached) {
            (Some(branch), false) => title.push_str(&format!(" · {branch}")),
            _ => title.push_str(" · detached HEAD"),
        }
        if let Some((ahead, behind)) = pane.ahead_behind {
            title.push_str(&format!(" ↑{ahead} ↓{behind}"));
        }
        if status.state != crate::git::status::RepoState::Clean {
            title.push_str(&format!(" · {:?} in progress", status.state).to_lowercase());
        }
    }
    if pane.loading {
        title.push_str(" · reading…");
    }
    title.push(' ');
    let block = pane_block_titled(Pane::Status, state, view, title).padding(padded());
    let Some(status) = &pane.status else {
        let text = match (&state.open_repo, &pane.error) {
            (_, Some(error)) => vec![Line::styled(
                format!("✗ {error}"),
                Style::new().fg(view.theme.error),
            )],
            (Some(_), None) => vec![muted(view, "Reading the status…")],
            (None, None) => vec![muted(
                view,
                "Staged, unstaged, untracked and conflicted files of the open clone will be listed here. Open one with o on a cloned repository (●), clone one with c, or start cctui -C <path>.",
            )],
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    };
    if status.is_clean() {
        let mut text = vec![muted(view, "Nothing to commit: the working tree is clean.")];
        if let Some((ahead, _)) = pane.ahead_behind.filter(|(a, _)| *a > 0) {
            text.push(muted(view, format!("{ahead} commit(s) to push: P pushes.")));
        }
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let mut items = Vec::new();
    let mut selected_item = None;
    let mut previous: Option<Section> = None;
    for (index, (section, file)) in pane.rows().into_iter().enumerate() {
        if previous != Some(section) {
            items.push(ListItem::new(Line::styled(
                section.title(),
                Style::new()
                    .fg(view.theme.accent)
                    .add_modifier(Modifier::BOLD),
            )));
            previous = Some(section);
        }
        if index == pane.selected {
            selected_item = Some(items.len());
        }
        let (mark, colour) = match &file.kind {
            FileKind::New => ("new", view.theme.success),
            FileKind::Modified => ("mod", view.theme.warning),
            FileKind::Deleted => ("del", view.theme.error),
            FileKind::Renamed { .. } => ("ren", view.theme.accent),
            FileKind::TypeChange => ("typ", view.theme.warning),
            FileKind::Conflicted(_) => ("!!!", view.theme.error),
        };
        let mark = if section == Section::Untracked {
            "  ?"
        } else {
            mark
        };
        let mut spans = vec![
            Span::styled(format!("{mark:>3} "), Style::new().fg(colour)),
            Span::raw(file.path.clone()),
        ];
        if let FileKind::Renamed { from } = &file.kind {
            spans.push(Span::styled(
                format!("  ← {from}"),
                Style::new().fg(view.theme.muted),
            ));
        }
        if file.submodule {
            spans.push(Span::styled(
                "  (submodule)",
                Style::new().fg(view.theme.muted),
            ));
        }
        items.push(ListItem::new(Line::from(spans)));
    }
    let focused = state.focus == Pane::Status && state.overlays.is_empty();
    let list = List::new(items).block(block).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state = ListState::default().with_selected(selected_item.filter(|_| focused));
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// The log pane.
pub(super) fn log(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let pane = &state.log;
    let title = match (&state.open_repo, pane.next.is_some()) {
        (None, _) => " 2 Log ".to_string(),
        (Some(_), true) => format!(" 2 Log · {}+ commits ", pane.commits.len()),
        (Some(_), false) => format!(" 2 Log · {} commits ", pane.commits.len()),
    };
    let block = pane_block_titled(Pane::Log, state, view, title).padding(padded());
    if pane.commits.is_empty() {
        let text = match (&state.open_repo, &pane.error, pane.loading) {
            (_, Some(error), _) => {
                Line::styled(format!("✗ {error}"), Style::new().fg(view.theme.error))
            }
            (Some(_), None, true) => muted(view, "Reading the history…"),
            (Some(_), None, false) => muted(view, "No commits yet on this branch."),
            (None, _, _) => muted(
                view,
                "The history of the open clone's current branch will be listed here, newest first.",
            ),
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            area,
        );
        return;
    }
    let height = usize::from(block.inner(area).height).max(1);
    let selected = pane.selected.min(pane.commits.len() - 1);
    let offset = (selected + 1).saturating_sub(height);
    let items: Vec<ListItem> = pane.commits[offset..(offset + height).min(pane.commits.len())]
        .iter()
        .map(|c| {
            ListItem::new(Line::from(vec![
                Span::styled(
                    format!("{} ", c.short_id),
                    Style::new().fg(view.theme.accent),
                ),
                Span::raw(c.summary.clone()),
                Span::styled(
                    format!("  {} · {}", c.author, relative(view.now, Some(c.time))),
                    Style::new().fg(view.theme.muted),
                ),
            ]))
        })
        .collect();
    let focused = state.focus == Pane::Log && state.overlays.is_empty();
    let list = List::new(items).block(block).highlight_style(
        Style::new()
            .bg(view.theme.selection)
            .add_modifier(Modifier::BOLD),
    );
    let mut list_state =
        ListState::default().with_selected(Some(selected - offset).filter(|_| focused));
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// The diff view, full screen.
pub(super) fn diff(frame: &mut Frame, area: Rect, view: View, diff: &DiffView) {
    let rect = super::full_screen(frame, area);
    let (title, keys) = match &diff.source {
        DiffSource::File { path, target } => (
            format!(
                "{path} · {}",
                match target {
                    crate::git::diff::DiffTarget::Staged => "staged",
                    _ => "not staged",
                }
            ),
            " j/k scroll · n/N hunk · s stage hunk · u unstage hunk · esc close ",
        ),
        DiffSource::Commit(commit) => (
            format!("{} · {}", commit.short_id, commit.summary),
            " j/k scroll · n/N hunk · esc close ",
        ),
    };
    let block = super::overlays::boxed(view, &title)
        .title_bottom(Line::styled(keys, Style::new().fg(view.theme.muted)));
    let inner_height = usize::from(block.inner(rect).height);
    let mut lines: Vec<Line> = Vec::new();
    if let DiffSource::Commit(commit) = &diff.source {
        lines.push(muted(view, format!("commit {}", commit.id)));
        lines.push(muted(
            view,
            format!(
                "Author: {} <{}>  {}",
                commit.author,
                commit.email,
                super::repos::utc(Some(commit.time))
            ),
        ));
        lines.push(Line::raw(""));
        lines.extend(
            commit
                .message
                .lines()
                .map(|l| Line::raw(format!("    {l}"))),
        );
        lines.push(Line::raw(""));
    }
    match (&diff.files, &diff.error) {
        (_, Some(error)) => lines.push(Line::styled(
            format!("✗ {error}"),
            Style::new().fg(view.theme.error),
        )),
        (None, None) => lines.push(muted(view, "Reading the diff…")),
        (Some(files), None) if files.is_empty() => lines.push(muted(view, "No changes.")),
        (Some(files), None) => {
            for (hunk, row) in diff_rows(files) {
                let selected =
                    hunk == Some(diff.hunk) && matches!(diff.source, DiffSource::File { .. });
                lines.push(diff_line(view, row, selected));
            }
        }
    }
    let scroll = diff.scroll.min(lines.len().saturating_sub(inner_height));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(block),
        rect,
    );
}

fn diff_line(view: View, row: DiffRow<'_>, selected: bool) -> Line<'static> {
    let gutter = Style::new().fg(view.theme.muted);
    let marker = if selected { "▌" } else { " " };
    match row {
        DiffRow::File(file) => {
            let change = match file.change {
                FileChange::Added => "new file",
                FileChange::Deleted => "deleted",
                FileChange::Renamed => "renamed",
                FileChange::Copied => "copied",
                FileChange::TypeChange => "type changed",
                FileChange::Conflicted => "conflicted",
                FileChange::Modified | FileChange::Unmodified => "modified",
            };
            let mut text = format!(
                "{} · {change} · +{} −{}",
                file.path, file.additions, file.deletions
            );
            if let Some(from) = &file.old_path {
                text.push_str(&format!(" (from {from})"));
            }
            if file.binary {
                text.push_str(" · binary file, not shown");
            }
            if let Some(bytes) = file.too_large {
                text.push_str(&format!(" · {} kB, too large to show", bytes / 1000));
            }
            Line::styled(text, Style::new().add_modifier(Modifier::BOLD))
        }
        DiffRow::Hunk(header) => Line::from(vec![
            Span::styled(marker, Style::new().fg(view.theme.accent)),
            Span::styled(
                header.trim_end().to_string(),
                Style::new().fg(view.theme.accent),
            ),
        ]),
        DiffRow::Line(line) => {
            let number = |n: Option<u32>| {
                n.map(|n| format!("{n:>5}"))
                    .unwrap_or_else(|| "     ".into())
            };
            let (sign, colour) = match line.origin {
                LineOrigin::Added => ("+", Some(view.theme.success)),
                LineOrigin::Removed => ("-", Some(view.theme.error)),
                LineOrigin::Context => (" ", None),
                LineOrigin::NoNewline => ("\\", Some(view.theme.muted)),
            };
            let style = colour.map(|c| Style::new().fg(c)).unwrap_or_default();
            Line::from(vec![
                Span::styled(marker, Style::new().fg(view.theme.accent)),
                Span::styled(
                    format!("{} {} ", number(line.old_no), number(line.new_no)),
                    gutter,
                ),
                Span::styled(
                    match line.origin {
                        // git's own marker line already reads "\ No newline at end of file".
                        LineOrigin::NoNewline => line.text.trim().to_string(),
                        _ => format!("{sign}{}", line.text.trim_end_matches(['\n', '\r'])),
                    },
                    style,
                ),
            ])
        }
    }
}

/// The commit message editor.
pub(super) fn editor(
    frame: &mut Frame,
    area: Rect,
    view: View,
    editor: &CommitEditor,
    state: &State,
) {
    let rect = super::centered(area, 78, 16);
    frame.render_widget(Clear, rect);
    let title = if editor.amend {
        "Amend the last commit"
    } else {
        "Commit"
    };
    let staged = state
        .status
        .status
        .as_ref()
        .map(|s| s.staged.len())
        .unwrap_or(0);
    let keys = if editor.pending.is_some() {
        " committing… ".to_string()
    } else {
        format!(" {staged} staged · ctrl-s commit · ctrl-e $EDITOR · esc keep draft ")
    };
    let block = super::overlays::boxed(view, title)
        .title_bottom(Line::styled(keys, Style::new().fg(view.theme.muted)));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [text_area, hint_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let lines: Vec<Line> = if editor.lines.is_empty() || editor.message().is_empty() {
        vec![Line::from(vec![
            Span::styled("▏", Style::new().fg(view.theme.accent)),
            Span::styled(
                "Summary of the change (≤ 50 characters), a blank line, then details",
                Style::new().fg(view.theme.muted),
            ),
        ])]
    } else {
        editor
            .lines
            .iter()
            .enumerate()
            .map(|(row, text)| {
                let limit = if row == 0 { 50 } else { 72 };
                let mut chars: Vec<char> = text.chars().collect();
                if row == editor.row {
                    chars.insert(editor.col.min(chars.len()), '▏');
                }
                let text: String = chars.into_iter().collect();
                let over =
                    row != 1 && text.chars().count() > limit + usize::from(row == editor.row);
                let style = if over {
                    Style::new().fg(view.theme.warning)
                } else if row == 0 {
                    Style::new().add_modifier(Modifier::BOLD)
                } else {
                    Style::new()
                };
                Line::styled(text, style)
            })
            .collect()
    };
    let scroll = editor
        .row
        .saturating_sub(usize::from(text_area.height).saturating_sub(1));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), text_area);
    let summary = editor.lines.first().map(|l| l.chars().count()).unwrap_or(0);
    let hint = match summary {
        0 => String::new(),
        n if n > 72 => format!("summary {n}/50: far too long, git tools cut it at 72"),
        n if n > 50 => format!("summary {n}/50: a little long"),
        n => format!("summary {n}/50"),
    };
    let colour = if summary > 50 {
        view.theme.warning
    } else {
        view.theme.muted
    };
    frame.render_widget(
        Paragraph::new(Line::styled(hint, Style::new().fg(colour))),
        hint_area,
    );
}
