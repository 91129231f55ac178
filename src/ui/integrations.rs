//! The integrations screen: a repository's triggers (with the last test's report) and its
//! notification rules.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::View;
use crate::app::command::CommandId;
use crate::app::integrations::{IntegrationsSection, IntegrationsState};
use crate::app::state::State;

/// The screen, over the panes between the header and the footer.
pub(super) fn screen(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::full_screen(frame, area);
    let screen = &state.integrations;
    let keys = |id| view.keymap.keys_label(id);
    let bottom = format!(
        " {} list · j/k select · {} new · {} delete · {} test triggers · {} reload · esc close ",
        keys(CommandId::IntegrationsNextSection),
        keys(CommandId::IntegrationsNew),
        keys(CommandId::IntegrationsDelete),
        keys(CommandId::IntegrationsTest),
        keys(CommandId::IntegrationsRefresh),
    );
    let busy = if screen.load.is_some() {
        " · reading…"
    } else if screen.change.is_some() {
        " · sending…"
    } else {
        ""
    };
    let name = screen
        .subject
        .as_ref()
        .map_or("no repository", |s| s.name.as_str());
    let title = format!("Integrations · {name}{busy}");
    let block = super::overlays::boxed(view, &title)
        .title_bottom(Line::styled(bottom, Style::new().fg(view.theme.muted)));
    frame.render_widget(
        Paragraph::new(lines(screen, view))
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn heading(view: View, text: &str, focused: bool) -> Line<'static> {
    let style = Style::new().fg(view.theme.accent);
    let marker = if focused { "▸ " } else { "  " };
    Line::styled(
        format!("{marker}{text}"),
        if focused {
            style.add_modifier(Modifier::BOLD)
        } else {
            style.fg(view.theme.muted)
        },
    )
}

fn muted(view: View, text: impl Into<String>) -> Line<'static> {
    Line::styled(
        format!("    {}", text.into()),
        Style::new().fg(view.theme.muted),
    )
}

fn row(text: String, selected: bool) -> Line<'static> {
    let line = format!("  {} {text}", if selected { "›" } else { " " });
    if selected {
        Line::styled(line, Style::new().add_modifier(Modifier::REVERSED))
    } else {
        Line::raw(line)
    }
}

fn lines(screen: &IntegrationsState, view: View) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let on_triggers = screen.section == IntegrationsSection::Triggers;
    out.push(heading(
        view,
        "Repository triggers (CodeCommit)",
        on_triggers,
    ));
    match &screen.triggers {
        None => out.push(muted(view, "reading…")),
        Some(Err(why)) => out.push(Line::styled(
            format!("    {why}"),
            Style::new().fg(view.theme.error),
        )),
        Some(Ok(t)) if t.triggers.is_empty() => out.push(muted(
            view,
            "No triggers. n adds one (SNS topic or Lambda function).",
        )),
        Some(Ok(t)) => {
            for (i, trigger) in t.triggers.iter().enumerate() {
                let branches = if trigger.branches.is_empty() {
                    "every branch".to_string()
                } else {
                    trigger.branches.join(", ")
                };
                out.push(row(
                    format!(
                        "{}  → {}  [{}] on {}",
                        trigger.name,
                        trigger.destination_arn,
                        trigger.events.join(", "),
                        branches
                    ),
                    on_triggers && i == screen.selected,
                ));
            }
        }
    }
    if let Some(report) = &screen.report {
        out.push(Line::raw(""));
        out.push(muted(view, "Last test:"));
        for name in &report.succeeded {
            out.push(Line::styled(
                format!("    ✓ {name}"),
                Style::new().fg(view.theme.success),
            ));
        }
        for (name, why) in &report.failed {
            out.push(Line::styled(
                format!("    ✗ {name}: {why}"),
                Style::new().fg(view.theme.error),
            ));
        }
    }
    out.push(Line::raw(""));
    let on_rules = !on_triggers;
    out.push(heading(
        view,
        "Notification rules (CodeStar Notifications)",
        on_rules,
    ));
    match &screen.rules {
        None => out.push(muted(view, "reading…")),
        Some(Err(why)) => out.push(Line::styled(
            format!("    {why}"),
            Style::new().fg(view.theme.error),
        )),
        Some(Ok(rules)) if rules.is_empty() => out.push(muted(
            view,
            "No notification rules. n (in this list) creates one for pull request or branch events.",
        )),
        Some(Ok(rules)) => {
            for (i, rule) in rules.iter().enumerate() {
                let events: Vec<&str> = rule
                    .events
                    .iter()
                    .map(|e| e.trim_start_matches("codecommit-repository-"))
                    .collect();
                out.push(row(
                    format!(
                        "{}  {} {}  → {}  [{}]",
                        rule.name,
                        rule.status,
                        rule.detail,
                        rule.targets.join(", "),
                        events.join(", ")
                    ),
                    on_rules && i == screen.selected,
                ));
            }
        }
    }
    if let Some(message) = &screen.message {
        out.push(Line::raw(""));
        out.push(muted(view, message.clone()));
    }
    out
}
