//! The repositories pane (a table of only the visible rows, so 5,000 repositories draw as fast
//! as 50) and the repository detail overlay.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use super::{View, centered, pane_block_titled};
use crate::app::repos::RepoRow;
use crate::app::repos_update::clone_url;
use crate::app::state::{Pane, State};
use crate::model::UrlKind;

/// "3 min ago", "2 d ago", from seconds since the epoch.
pub fn relative(now: i64, then: Option<i64>) -> String {
    let Some(then) = then else {
        return "—".into();
    };
    let age = (now - then).max(0);
    match age {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", age / 60),
        3600..86_400 => format!("{} h ago", age / 3600),
        86_400..2_592_000 => format!("{} d ago", age / 86_400),
        2_592_000..31_536_000 => format!("{} mo ago", age / 2_592_000),
        _ => format!("{} y ago", age / 31_536_000),
    }
}

/// Formats epoch seconds as `2026-11-25 20:54 UTC`.
pub fn utc(then: Option<i64>) -> String {
    let Some(then) = then else {
        return "—".into();
    };
    let days = then.div_euclid(86_400);
    let seconds = then.rem_euclid(86_400);
    // Civil-from-days (H. Hinnant), proleptic Gregorian.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds / 3600,
        seconds % 3600 / 60
    )
}

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let pane = &state.repos;
    let theme = view.theme;
    let mut title = format!(
        " 1 Repositories · {} · by {}",
        pane.view.len(),
        pane.sort.label()
    );
    if !pane.filter.is_empty() {
        title.push_str(&format!(" · /{}", pane.filter));
    }
    if pane.all_regions {
        title.push_str(" · all regions");
    }
    title.push(' ');
    let block = pane_block_titled(Pane::Repositories, state, view, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    if let Some(report) = pane.setup.as_ref().filter(|r| !r.complete()) {
        let lines = first_run_lines(report, state, view);
        let padded =
            ratatui::widgets::Block::new().padding(ratatui::widgets::Padding::horizontal(1));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(padded),
            inner,
        );
        return;
    }
    let mut status_lines: Vec<Line> = Vec::new();
    if pane.checking {
        status_lines.push(Line::styled(
            " Checking the AWS setup…",
            Style::new().fg(theme.warning),
        ));
    } else if pane.loading {
        status_lines.push(Line::styled(
            format!(" Loading… {} repositories so far", pane.rows.len()),
            Style::new().fg(theme.warning),
        ));
    }
    if let Some((message, hint)) = &pane.error {
        status_lines.push(Line::styled(
            format!(" ✗ {message}"),
            Style::new().fg(theme.error),
        ));
        if let Some(hint) = hint {
            status_lines.push(Line::styled(
                format!("   {hint}"),
                Style::new().fg(theme.muted),
            ));
        }
    }
    for failure in pane.pair_errors.iter().take(3) {
        status_lines.push(Line::styled(
            format!(" ✗ {failure}"),
            Style::new().fg(theme.error),
        ));
    }
    let [status_area, table_area] = Layout::vertical([
        Constraint::Length(status_lines.len() as u16),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(status_lines), status_area);

    if pane.view.is_empty() {
        let text = if pane.loading || pane.checking {
            ""
        } else if pane.listing.is_none() {
            " The CodeCommit repositories of this profile and region will be listed here. Press r to load them."
        } else if !pane.filter.is_empty() {
            " No repository matches the filter. esc clears it."
        } else if pane.error.is_some() {
            " No repositories loaded. Press r to retry."
        } else {
            " No repositories in this account and region yet. Press n to create one."
        };
        let padded =
            ratatui::widgets::Block::new().padding(ratatui::widgets::Padding::horizontal(1));
        let line = Line::styled(text.trim_start(), Style::new().fg(theme.muted));
        frame.render_widget(
            Paragraph::new(line)
                .wrap(Wrap { trim: false })
                .block(padded),
            table_area,
        );
        return;
    }

    // Only the visible window becomes table rows.
    let height = usize::from(table_area.height.saturating_sub(1)).max(1);
    let selected = pane.selected.min(pane.view.len() - 1);
    let offset = pane
        .offset
        .min(selected)
        .max((selected + 1).saturating_sub(height));
    let columns = Columns {
        branch: table_area.width >= 50,
        description: table_area.width >= 72,
    };
    let rows: Vec<Row> = pane.view[offset..(offset + height).min(pane.view.len())]
        .iter()
        .filter_map(|i| pane.rows.get(*i))
        .map(|row| table_row(row, state, view, columns))
        .collect();
    let mut widths = vec![Constraint::Length(2), Constraint::Fill(2)];
    let mut header = vec!["", "Name"];
    if pane.all_regions {
        widths.push(Constraint::Length(22));
        header.push("Profile/Region");
    }
    if columns.description {
        widths.push(Constraint::Fill(3));
        header.push("Description");
    }
    if columns.branch {
        widths.push(Constraint::Length(15));
        header.push("Default branch");
    }
    widths.push(Constraint::Length(11));
    header.push("Changed");
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(Style::new().fg(theme.muted).add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .row_highlight_style(
            Style::new()
                .bg(theme.selection)
                .add_modifier(Modifier::BOLD),
        );
    let mut table_state = TableState::default().with_selected(Some(selected - offset));
    frame.render_stateful_widget(table, table_area, &mut table_state);
}

/// Optional columns, shown when the pane is wide enough.
#[derive(Debug, Clone, Copy)]
struct Columns {
    branch: bool,
    description: bool,
}

fn table_row<'a>(row: &'a RepoRow, state: &State, view: View, columns: Columns) -> Row<'a> {
    let theme = view.theme;
    let marker = if state.repos.marked.contains(&row.key()) {
        Span::styled("✓", Style::new().fg(theme.accent))
    } else if row.clone.is_some() {
        Span::styled("●", Style::new().fg(theme.success))
    } else {
        Span::raw(" ")
    };
    let mut cells = vec![Cell::from(marker), Cell::from(row.repo.name.as_str())];
    if state.repos.all_regions {
        cells.push(Cell::from(format!(
            "{}/{}",
            row.profile.as_deref().unwrap_or("default"),
            row.region
        )));
    }
    if columns.description {
        cells.push(Cell::from(Span::styled(
            row.repo.description.as_str(),
            Style::new().fg(theme.muted),
        )));
    }
    if columns.branch {
        cells.push(Cell::from(
            row.repo.default_branch.as_deref().unwrap_or("(empty)"),
        ));
    }
    cells.push(Cell::from(Span::styled(
        relative(view.now, row.repo.last_modified),
        Style::new().fg(theme.muted),
    )));
    Row::new(cells)
}

/// The first-run screen: what of the AWS setup is missing and what to do about it, with the
/// demo one key away. Shown instead of a listing that could only fail.
fn first_run_lines(
    report: &crate::aws::setup::SetupReport,
    state: &State,
    view: View,
) -> Vec<Line<'static>> {
    let theme = view.theme;
    let key = |id| view.keymap.keys_label(id);
    let heading = |text: &str| {
        Line::styled(
            text.to_string(),
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
        )
    };
    let hint = |text: String| Line::styled(format!("→ {text}"), Style::new().fg(theme.muted));
    let mut lines = vec![
        heading("Welcome to cctui: AWS is not set up here yet."),
        Line::raw(""),
    ];
    let profile = state.session.profile.clone();
    if let Some(name) = &report.unknown_profile {
        lines.push(Line::styled(
            format!("✗ The profile {name} is in neither ~/.aws/config nor ~/.aws/credentials."),
            Style::new().fg(theme.error),
        ));
        lines.push(hint(format!(
            "Create it with `aws configure --profile {name}` (or `aws configure sso --profile {name}`), or press {} to pick another.",
            key(crate::app::command::CommandId::PickProfile)
        )));
    } else if report.no_credentials {
        lines.push(Line::styled(
            "✗ No AWS credentials: no AWS_ACCESS_KEY_ID, no profile with keys, SSO or a role.",
            Style::new().fg(theme.error),
        ));
        let login = match &profile {
            Some(p) => format!("`aws sso login --profile {p}`"),
            None => "`aws sso login --profile <name>`".to_string(),
        };
        lines.push(hint(format!(
            "Run `aws configure` (access keys) or `aws configure sso`, then {login}; or press {} to pick a profile.",
            key(crate::app::command::CommandId::PickProfile)
        )));
    }
    if report.no_region {
        lines.push(Line::styled(
            "✗ No AWS region: none on the command line, in AWS_REGION or in the profile.",
            Style::new().fg(theme.error),
        ));
        lines.push(hint(format!(
            "Press {} to pick a region, or start cctui with --region eu-west-1 (or set AWS_REGION).",
            key(crate::app::command::CommandId::PickRegion)
        )));
    }
    lines.push(hint(format!(
        "Then press {} to check again.",
        key(crate::app::command::CommandId::Refresh)
    )));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::raw("Just trying cctui? Press "),
        Span::styled(
            key(crate::app::command::CommandId::StartDemo),
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
        ),
        Span::raw(
            " for the demo: a local CodeCommit service with sample repositories, no AWS account.",
        ),
    ]));
    lines.push(Line::raw(""));
    lines.push(hint(format!(
        "{} help · {} quit",
        key(crate::app::command::CommandId::Help),
        key(crate::app::command::CommandId::Quit)
    )));
    lines
}

/// The detail overlay of one repository.
pub(super) fn detail(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: View,
    key: &crate::model::RepoKey,
    url_kind: UrlKind,
) {
    let theme = view.theme;
    let rect = centered(area, 96, 24);
    frame.render_widget(Clear, rect);
    let block = super::overlays::boxed(view, &key.name).title_bottom(Line::styled(
        " tab next URL form · y copy · esc close ",
        Style::new().fg(theme.muted),
    ));
    let Some(row) = state.repos.row(key) else {
        frame.render_widget(
            Paragraph::new("This repository is no longer in the list.").block(block),
            rect,
        );
        return;
    };
    let repo = &row.repo;
    let label = |text: &str| Span::styled(format!("{text:<16}"), Style::new().fg(theme.muted));
    let mut lines = vec![
        Line::from(vec![
            label("Description"),
            Span::raw(if repo.description.is_empty() {
                "—"
            } else {
                &repo.description
            }),
        ]),
        Line::from(vec![
            label("Default branch"),
            Span::raw(
                repo.default_branch
                    .as_deref()
                    .unwrap_or("(empty repository)"),
            ),
        ]),
        Line::from(vec![label("ARN"), Span::raw(repo.arn.as_str())]),
        Line::from(vec![label("Repository id"), Span::raw(repo.id.as_str())]),
        Line::from(vec![label("Account"), Span::raw(repo.account_id.as_str())]),
        Line::from(vec![label("Created"), Span::raw(utc(repo.created))]),
        Line::from(vec![
            label("Last changed"),
            Span::raw(format!(
                "{} ({})",
                utc(repo.last_modified),
                relative(view.now, repo.last_modified)
            )),
        ]),
        Line::from(vec![
            label("Encryption"),
            Span::raw(repo.kms_key_id.as_deref().unwrap_or("AWS managed key")),
        ]),
        Line::from(vec![
            label("Local clone"),
            Span::raw(
                row.clone
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "none".into()),
            ),
        ]),
        Line::raw(""),
    ];
    for kind in UrlKind::ALL {
        let chosen = kind == url_kind;
        let style = if chosen {
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(if chosen { "▶ " } else { "  " }, style),
            Span::styled(format!("{:<14}", kind.label()), style),
            Span::styled(clone_url(row, kind), style),
        ]));
    }
    lines.push(Line::raw(""));
    match state.repos.extras.get(key) {
        None => lines.push(Line::styled(
            "Loading tags and triggers…",
            Style::new().fg(theme.muted),
        )),
        Some(extras) => {
            let tags = if extras.tags.is_empty() {
                "none".to_string()
            } else {
                extras
                    .tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(Line::from(vec![label("Tags"), Span::raw(tags)]));
            let triggers = if extras.triggers.is_empty() {
                "none".to_string()
            } else {
                extras
                    .triggers
                    .iter()
                    .map(|(n, d)| format!("{n} → {d}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(Line::from(vec![label("Triggers"), Span::raw(triggers)]));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_like_aws_console_in_utc() {
        assert_eq!(utc(Some(0)), "1970-01-01 00:00 UTC");
        assert_eq!(utc(Some(1_795_640_088)), "2026-11-25 20:54 UTC");
        assert_eq!(relative(1000, Some(1000 - 125)), "2 min ago");
        assert_eq!(relative(1000, None), "—");
    }
}
