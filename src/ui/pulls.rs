//! The pull requests screens: the list, one request (overview or files with the diff and its
//! comment threads), the merge dialog with the conflict list, and the text editor for
//! comments and new requests. Everything is read from `State`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::View;
use super::repos::relative;
use crate::app::command::CommandId;
use crate::app::pulls::{Compose, MergeDialog, PullRow, RowKind, Scope, ViewTab, who};
use crate::app::state::State;
use crate::aws::pulls::{MergeStrategy, PullStatus, Resolution};
use crate::git::diff::LineOrigin;

fn muted(view: View) -> Style {
    Style::new().fg(view.theme.muted)
}

/// First rows scrolled so that `selected` stays visible in `height` rows.
fn scroll_for(selected: usize, height: usize) -> usize {
    selected.saturating_sub(height.saturating_sub(1))
}

/// "2/1 ✓": approvals given over approvals needed, and whether the rules are satisfied.
pub fn approvals_cell(row: &PullRow) -> String {
    let needed: u32 = row.pr.rules.iter().map(|r| r.needed).max().unwrap_or(0);
    match &row.review {
        None if row.pr.status == PullStatus::Open => "…".into(),
        None => String::new(),
        Some(review) => {
            let mark = if review.overridden {
                " overridden"
            } else if review.approved {
                " ✓"
            } else {
                " ✗"
            };
            if needed == 0 {
                format!("{} · no rules", review.approvers.len())
            } else {
                format!("{} of {needed}{mark}", review.approvers.len())
            }
        }
    }
}

fn mergeable_cell(row: &PullRow) -> &'static str {
    match (&row.review, row.pr.status) {
        (_, PullStatus::Merged) => "merged",
        (_, PullStatus::Closed) => "closed",
        (None, PullStatus::Open) => "…",
        (Some(review), PullStatus::Open) if review.merge_options.is_empty() => "conflicts",
        (Some(_), PullStatus::Open) => "mergeable",
    }
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return format!("{text:width$}");
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The list.
pub(super) fn list(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::full_screen(frame, area);
    let pulls = &state.pulls;
    let keys = |id| view.keymap.keys_label(id);
    let scope = match &pulls.scope {
        Scope::None => String::new(),
        Scope::Repository(name) => name.clone(),
        Scope::Account(names) => format!("all {} repositories", names.len()),
    };
    let mut filters = vec![pulls.filters.status.label().to_string()];
    if pulls.filters.mine {
        filters.push("mine".into());
    }
    if pulls.filters.waiting {
        filters.push("waiting for me".into());
    }
    let loading = if pulls.listing.is_some() {
        " · listing…"
    } else {
        ""
    };
    let visible = pulls.visible();
    let title = format!(
        "Pull requests · {scope} · {} · {} shown{loading}",
        filters.join(", "),
        visible.len()
    );
    let bottom = format!(
        " enter open · {} open/closed/merged · {} mine · {} waiting for me · {} all repositories · {} new · {} reload · esc close ",
        keys(CommandId::PullsStatus),
        keys(CommandId::PullsMine),
        keys(CommandId::PullsWaiting),
        keys(CommandId::PullsAll),
        keys(CommandId::PullsNew),
        keys(CommandId::PullsRefresh),
    );
    let block =
        super::overlays::boxed(view, &title).title_bottom(Line::styled(bottom, muted(view)));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let account = matches!(pulls.scope, Scope::Account(_));
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();
    if let Some((message, hint)) = &pulls.error {
        lines.push(Line::styled(
            message.clone(),
            Style::new().fg(view.theme.error),
        ));
        if let Some(hint) = hint {
            lines.push(Line::styled(hint.clone(), muted(view)));
        }
    }
    for (repository, message) in &pulls.failures {
        lines.push(Line::styled(
            format!("{repository}: {message}"),
            Style::new().fg(view.theme.error),
        ));
    }
    if let Some(message) = &pulls.message {
        lines.push(Line::styled(
            message.clone(),
            Style::new().fg(view.theme.success),
        ));
    }
    let repo_width = if account { 18 } else { 0 };
    let fixed = 6 + 12 + 34 + 14 + 10 + 10 + repo_width;
    let title_width = width.saturating_sub(fixed).max(10);
    let header = format!(
        "{:<6}{}{}{:<12}{:<34}{:<14}{:<10}{}",
        "id",
        if account {
            cut("repository", repo_width)
        } else {
            String::new()
        },
        cut("title", title_width),
        "author",
        "source → destination",
        "approvals",
        "merge",
        "activity"
    );
    lines.push(Line::styled(
        header,
        muted(view).add_modifier(Modifier::UNDERLINED),
    ));
    if visible.is_empty() {
        let text = if pulls.listing.is_some() {
            "Listing…".to_string()
        } else if pulls.filters.waiting {
            "Nothing waits for your approval.".to_string()
        } else {
            format!(
                "No {} pull requests. n creates one from the open clone's branch.",
                pulls.filters.status.label()
            )
        };
        lines.push(Line::styled(text, muted(view)));
    }
    let top = lines.len();
    let height = usize::from(inner.height).saturating_sub(top);
    let scroll = scroll_for(pulls.selected, height);
    for (at, index) in visible.iter().enumerate().skip(scroll).take(height) {
        let row = &pulls.rows[*index];
        let branches = format!("{} → {}", row.pr.source, row.pr.destination);
        let text = format!(
            "{:<6}{}{}{}{}{}{:<10}{}",
            format!("#{}", row.pr.id),
            if account {
                cut(&row.pr.repository, repo_width)
            } else {
                String::new()
            },
            cut(&row.pr.title, title_width),
            cut(who(&row.pr.author), 12),
            cut(&branches, 34),
            cut(&approvals_cell(row), 14),
            mergeable_cell(row),
            relative(view.now, Some(row.pr.last_activity)),
        );
        let style = if at == pulls.selected {
            Style::new().bg(view.theme.selection)
        } else {
            Style::new()
        };
        lines.push(Line::styled(text, style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One request.
pub(super) fn request(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::full_screen(frame, area);
    let Some(pv) = &state.pulls.view else {
        return;
    };
    let keys = |id| view.keymap.keys_label(id);
    let bottom = format!(
        " {} overview/files · {}/{} file · {} comment · {} reply · {} edit · {} delete · {} 👍 · {} approve/revoke · {} merge · {} close/reopen · esc back ",
        keys(CommandId::PullNextTab),
        keys(CommandId::PullPrevFile),
        keys(CommandId::PullNextFile),
        keys(CommandId::PullComment),
        keys(CommandId::PullReply),
        keys(CommandId::PullEdit),
        keys(CommandId::PullDeleteComment),
        keys(CommandId::PullReact),
        keys(CommandId::PullApprove),
        keys(CommandId::PullMerge),
        keys(CommandId::PullClose),
    );
    let Some(detail) = &pv.detail else {
        let text = match &pv.error {
            Some(error) => Line::styled(error.clone(), Style::new().fg(view.theme.error)),
            None => Line::styled("Reading…", muted(view)),
        };
        let block = super::overlays::boxed(view, &format!("Pull request #{}", pv.id))
            .title_bottom(Line::styled(bottom, muted(view)));
        frame.render_widget(Paragraph::new(text).block(block), rect);
        return;
    };
    let pr = &detail.pr;
    let reading = if pv.request.is_some() || pv.pending.is_some() {
        " · …"
    } else {
        ""
    };
    let title = format!("#{} {} · {}{reading}", pr.id, pr.title, pr.status.label());
    let block =
        super::overlays::boxed(view, &title).title_bottom(Line::styled(bottom, muted(view)));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let review = &detail.review;
    let rules = if pr.rules.is_empty() {
        "no approval rules".to_string()
    } else if review.approved {
        format!("rules satisfied ({})", review.satisfied.join(", "))
    } else {
        format!("waiting: {}", review.not_satisfied.join(", "))
    };
    let merge = match pr.status {
        PullStatus::Merged => format!(
            "merged by {}",
            pr.merged_by.as_deref().map(who).unwrap_or("?")
        ),
        PullStatus::Closed => "closed".into(),
        PullStatus::Open if review.merge_options.is_empty() => "conflicts".into(),
        PullStatus::Open => format!(
            "mergeable: {}",
            review
                .merge_options
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut head = vec![Line::from(vec![
        Span::styled(
            format!("{} → {}", pr.source, pr.destination),
            Style::new().fg(view.theme.accent),
        ),
        Span::raw(format!(
            " · {} · by {} · opened {} · {} approval{} · {rules} · {merge}",
            pr.repository,
            who(&pr.author),
            relative(view.now, Some(pr.created)),
            review.approvers.len(),
            if review.approvers.len() == 1 { "" } else { "s" },
        )),
    ])];
    if let Some(message) = &state.pulls.message {
        head.push(Line::styled(
            message.clone(),
            Style::new().fg(view.theme.success),
        ));
    }
    let tabs = match pv.tab {
        ViewTab::Overview => format!("[Overview]  Files ({})", detail.files.len()),
        ViewTab::Files => format!(" Overview  [Files ({})]", detail.files.len()),
    };
    head.push(Line::styled(
        tabs,
        Style::new().add_modifier(Modifier::BOLD),
    ));
    let [head_area, body] =
        Layout::vertical([Constraint::Length(head.len() as u16), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    let content = if pv.tab == ViewTab::Files && !detail.files.is_empty() {
        let [files_area, diff_area] =
            Layout::horizontal([Constraint::Percentage(28), Constraint::Min(20)]).areas(body);
        let height = usize::from(files_area.height);
        let scroll = scroll_for(pv.file, height);
        let files: Vec<Line> = detail
            .files
            .iter()
            .enumerate()
            .skip(scroll)
            .take(height)
            .map(|(i, f)| {
                let mark = match f.change {
                    crate::aws::pulls::Change::Added => "A",
                    crate::aws::pulls::Change::Modified => "M",
                    crate::aws::pulls::Change::Deleted => "D",
                };
                let comments: usize = detail
                    .threads
                    .iter()
                    .filter(|t| t.anchor.path() == Some(f.path.as_str()))
                    .map(|t| t.comments.len())
                    .sum();
                let note = if comments > 0 {
                    format!(" 💬{comments}")
                } else {
                    String::new()
                };
                let style = if i == pv.file {
                    Style::new().bg(view.theme.selection)
                } else {
                    Style::new()
                };
                Line::styled(format!("{mark} {}{note}", f.path), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(files), files_area);
        diff_area
    } else {
        body
    };
    let rows = pv.rows();
    let height = usize::from(content.height);
    let scroll = scroll_for(pv.cursor, height);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(i, row)| {
            let selected = i == pv.cursor;
            let mut line = match &row.kind {
                RowKind::Heading => Line::styled(
                    row.text.clone(),
                    Style::new()
                        .fg(view.theme.accent)
                        .add_modifier(Modifier::BOLD),
                ),
                RowKind::Text => Line::raw(format!("  {}", row.text)),
                RowKind::Diff {
                    origin, old, new, ..
                } => {
                    let number =
                        |n: &Option<u32>| n.map(|n| format!("{n:>4}")).unwrap_or("    ".into());
                    let (sign, style) = match origin {
                        LineOrigin::Added => ("+", Style::new().fg(view.theme.success)),
                        LineOrigin::Removed => ("-", Style::new().fg(view.theme.error)),
                        LineOrigin::Context => (" ", Style::new()),
                        LineOrigin::NoNewline => (" ", muted(view)),
                    };
                    Line::from(vec![
                        Span::styled(format!("{} {} ", number(old), number(new)), muted(view)),
                        Span::styled(format!("{sign}{}", row.text), style),
                    ])
                }
                RowKind::Comment { comment, depth, .. } => {
                    let indent = "  ".repeat(*depth);
                    let reactions: String = comment
                        .reactions
                        .iter()
                        .map(|(r, n)| format!(" {r}{n}"))
                        .collect();
                    let edited = if comment.edited { " (edited)" } else { "" };
                    let first = row.text.lines().next().unwrap_or_default();
                    let more = if row.text.lines().count() > 1 {
                        " …"
                    } else {
                        ""
                    };
                    Line::from(vec![
                        Span::styled(
                            format!("     {indent}│ "),
                            Style::new().fg(view.theme.warning),
                        ),
                        Span::styled(
                            format!("{}{edited}: ", who(&comment.author)),
                            Style::new()
                                .fg(view.theme.warning)
                                .add_modifier(Modifier::BOLD),
                        ),
                        Span::styled(
                            format!("{first}{more}"),
                            if comment.deleted {
                                muted(view)
                            } else {
                                Style::new()
                            },
                        ),
                        Span::styled(reactions, muted(view)),
                    ])
                }
            };
            if selected {
                line = line.patch_style(Style::new().bg(view.theme.selection));
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), content);
}

/// The merge dialog.
pub(super) fn merge(frame: &mut Frame, area: Rect, view: View, dialog: &MergeDialog) {
    let conflicts = dialog.conflicts.as_ref().map(Vec::len).unwrap_or(0);
    let rect = super::centered(area, 80, (10 + conflicts.min(12)) as u16);
    frame.render_widget(Clear, rect);
    let bottom = if dialog.pending.is_some() {
        " merging… ".to_string()
    } else {
        " ←/→ strategy · j/k file · t source's · o destination's · e edit · enter merge · esc cancel ".to_string()
    };
    let block = super::overlays::boxed(
        view,
        &format!(
            "Merge #{} {} → {}",
            dialog.pr.id, dialog.pr.source, dialog.pr.destination
        ),
    )
    .title_bottom(Line::styled(bottom, muted(view)));
    let mut lines = Vec::new();
    let strategies: Vec<Span> = MergeStrategy::ALL
        .iter()
        .flat_map(|s| {
            let clean = dialog.clean.contains(s);
            let label = format!(
                " {} {} ",
                if *s == dialog.strategy { "●" } else { "○" },
                s.label()
            );
            let style = match (*s == dialog.strategy, clean) {
                (true, _) => Style::new()
                    .fg(view.theme.accent)
                    .add_modifier(Modifier::BOLD),
                (false, true) => Style::new(),
                (false, false) => muted(view),
            };
            [
                Span::styled(label, style),
                Span::styled(if clean { "" } else { "(conflicts) " }, muted(view)),
            ]
        })
        .collect();
    lines.push(Line::from(strategies));
    let explain = match dialog.strategy {
        MergeStrategy::FastForward => "Moves the destination to the source's tip: no new commit.",
        MergeStrategy::Squash => "One new commit on the destination with all the changes.",
        MergeStrategy::ThreeWay => "A merge commit with both tips as parents.",
    };
    lines.push(Line::styled(explain, muted(view)));
    lines.push(Line::raw(""));
    if dialog.clean.contains(&dialog.strategy) {
        lines.push(Line::styled(
            "No conflicts: enter merges.",
            Style::new().fg(view.theme.success),
        ));
    } else if dialog.strategy == MergeStrategy::FastForward {
        lines.push(Line::styled(
            "Not possible: the destination has commits the source lacks.",
            Style::new().fg(view.theme.warning),
        ));
    } else {
        match &dialog.conflicts {
            None => lines.push(Line::styled("Reading the conflicts…", muted(view))),
            Some(list) => {
                lines.push(Line::styled(
                    format!(
                        "{} conflicting file{}: choose a version for each",
                        list.len(),
                        if list.len() == 1 { "" } else { "s" }
                    ),
                    Style::new().fg(view.theme.warning),
                ));
                for (i, conflict) in list.iter().enumerate() {
                    let chosen = match dialog.resolutions.get(&conflict.path) {
                        Some(Resolution::Source) => "source's version",
                        Some(Resolution::Destination) => "destination's version",
                        Some(Resolution::Content(_)) => "edited content",
                        None => "unresolved",
                    };
                    let kind = if conflict.binary {
                        "binary".to_string()
                    } else {
                        format!(
                            "{} hunk{}",
                            conflict.hunks,
                            if conflict.hunks == 1 { "" } else { "s" }
                        )
                    };
                    let style = if i == dialog.selected {
                        Style::new().bg(view.theme.selection)
                    } else {
                        Style::new()
                    };
                    lines.push(Line::styled(
                        format!("  {:<40} {:<10} → {chosen}", conflict.path, kind),
                        style,
                    ));
                }
            }
        }
    }
    if !dialog.approved {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "The approval rules are not satisfied yet: CodeCommit will refuse the merge.",
            Style::new().fg(view.theme.warning),
        ));
    }
    if let Some(error) = &dialog.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            error.clone(),
            Style::new().fg(view.theme.error),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

/// The text editor of a comment, reply or new request.
pub(super) fn compose(frame: &mut Frame, area: Rect, view: View, compose: &Compose) {
    let rect = super::centered(area, 80, 14);
    frame.render_widget(Clear, rect);
    let bottom = if compose.pending.is_some() {
        " … ".to_string()
    } else {
        " enter new line · ctrl-s send · ctrl-e $EDITOR · esc cancel ".to_string()
    };
    let block = super::overlays::boxed(view, &compose.title)
        .title_bottom(Line::styled(bottom, muted(view)));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [text_area, error_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let text = &compose.text;
    let lines: Vec<Line> = if text.lines.is_empty() {
        vec![Line::styled("▏", Style::new().fg(view.theme.accent))]
    } else {
        text.lines
            .iter()
            .enumerate()
            .map(|(row, line)| {
                let mut chars: Vec<char> = line.chars().collect();
                if row == text.row {
                    chars.insert(text.col.min(chars.len()), '▏');
                }
                Line::raw(chars.into_iter().collect::<String>())
            })
            .collect()
    };
    let scroll = text
        .row
        .saturating_sub(usize::from(text_area.height).saturating_sub(1));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), text_area);
    if let Some(error) = &compose.error {
        frame.render_widget(
            Paragraph::new(Line::styled(
                error.clone(),
                Style::new().fg(view.theme.error),
            )),
            error_area,
        );
    }
}
