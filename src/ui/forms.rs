//! Form overlays: create / rename / describe, and the typed-name delete confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::overlays::boxed;
use super::{View, centered};
use crate::app::overlay::Form;

pub(super) fn form(frame: &mut Frame, area: Rect, view: View, form: &Form) {
    let theme = view.theme;
    let height = form.fields.len() as u16 * 3 + 4;
    let rect = centered(area, 76, height);
    frame.render_widget(Clear, rect);
    let footer = if form.pending.is_some() {
        " sending… ".to_string()
    } else if form.valid() {
        " enter submit · tab next field · esc cancel ".to_string()
    } else {
        " fix the marked field · tab next field · esc cancel ".to_string()
    };
    let block =
        boxed(view, &form.title).title_bottom(Line::styled(footer, Style::new().fg(theme.muted)));
    let mut lines = Vec::new();
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme.muted)
        };
        let mut value = vec![
            Span::styled(format!("{:<12} ", field.label), label_style),
            Span::raw(field.value.clone()),
        ];
        if focused {
            value.push(Span::styled("▏", Style::new().fg(theme.accent)));
        }
        lines.push(Line::from(value));
        match &field.error {
            Some(error) if !(field.value.is_empty() && !focused && i == 0) => lines.push(
                Line::styled(format!("{:13}✗ {error}", ""), Style::new().fg(theme.error)),
            ),
            _ => lines.push(Line::styled(
                format!("{:13}{}", "", field.help),
                Style::new().fg(theme.muted),
            )),
        }
        lines.push(Line::raw(""));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

pub(super) fn delete(
    frame: &mut Frame,
    area: Rect,
    view: View,
    key: &crate::model::RepoKey,
    typed: &str,
) {
    let name = key.name.as_str();
    let theme = view.theme;
    let rect = centered(area, 70, 9);
    frame.render_widget(Clear, rect);
    let block = boxed(view, "Delete repository").border_style(Style::new().fg(theme.error));
    let matches = typed == name;
    let lines = vec![
        Line::from(vec![
            Span::raw("This deletes "),
            Span::styled(name.to_string(), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(
                " in {} ({}) on the server with all its branches and history. It cannot be undone; local clones stay.",
                key.region,
                key.profile.as_deref().unwrap_or("default profile")
            )),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Type the name to confirm: ", Style::new().fg(theme.muted)),
            Span::raw(typed.to_string()),
            Span::styled("▏", Style::new().fg(theme.accent)),
        ]),
        Line::styled(
            if matches {
                "enter deletes · esc cancels"
            } else {
                "esc cancels"
            },
            Style::new().fg(if matches { theme.error } else { theme.muted }),
        ),
    ];
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

pub(super) fn clone_dialog(
    frame: &mut Frame,
    area: Rect,
    view: View,
    repositories: &[crate::model::RepoKey],
    protocol: crate::config::CloneProtocol,
    path: &str,
    focus: usize,
) {
    let theme = view.theme;
    let rect = centered(area, 80, 11);
    frame.render_widget(Clear, rect);
    let title = match repositories {
        [one] => format!("Clone {}", one.name),
        many => format!("Clone {} repositories", many.len()),
    };
    let block = boxed(view, &title).title_bottom(Line::styled(
        " ←/→ protocol · tab field · enter clone · esc cancel ",
        Style::new().fg(theme.muted),
    ));
    let label = |text: &str, focused: bool| {
        let style = if focused {
            Style::new().fg(theme.accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme.muted)
        };
        Span::styled(format!("{text:<10} "), style)
    };
    let mut lines = Vec::new();
    if repositories.len() > 1 {
        lines.push(Line::styled(
            repositories
                .iter()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Style::new().fg(theme.muted),
        ));
    }
    lines.push(Line::from(vec![
        label("Protocol", focus == 0),
        Span::styled(
            format!("‹ {} ›", protocol.name()),
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ]));
    lines.push(Line::styled(
        format!("{:11}{}", "", protocol.description()),
        Style::new().fg(theme.muted),
    ));
    lines.push(Line::raw(""));
    let mut target = vec![
        label(
            if repositories.len() > 1 {
                "Into"
            } else {
                "Target"
            },
            focus == 1,
        ),
        Span::raw(path.to_string()),
    ];
    if focus == 1 {
        target.push(Span::styled("▏", Style::new().fg(theme.accent)));
    }
    lines.push(Line::from(target));
    let help = if repositories.len() > 1 {
        "each repository goes to <this>/<name>; several clone at once"
    } else {
        "must not exist, or be an empty directory"
    };
    lines.push(Line::styled(
        format!("{:11}{help}", ""),
        Style::new().fg(theme.muted),
    ));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}
