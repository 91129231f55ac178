//! The header line: profile, region, endpoint, account, open repository, badges.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::View;
use crate::app::state::State;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let theme = view.theme;
    let session = &state.session;
    let muted = Style::new().fg(theme.muted);
    let value = Style::new();
    let mut spans = vec![Span::styled(
        " cctui ",
        Style::new().fg(theme.accent).add_modifier(Modifier::BOLD),
    )];
    // Badges come first so a narrow terminal never hides them.
    let badge = Style::new()
        .fg(theme.warning)
        .add_modifier(Modifier::BOLD | Modifier::REVERSED);
    if session.demo {
        spans.push(Span::styled(" DEMO ", badge));
        spans.push(Span::raw(" "));
    }
    if session.readonly {
        spans.push(Span::styled(" READONLY ", badge));
        spans.push(Span::raw(" "));
    }
    let mut field = |label: &str, text: String| {
        spans.push(Span::styled(format!("│ {label} "), muted));
        spans.push(Span::styled(format!("{text} "), value));
    };
    field(
        "profile",
        session
            .profile
            .clone()
            .unwrap_or_else(|| "default chain".to_string()),
    );
    field(
        "region",
        session
            .region
            .clone()
            .unwrap_or_else(|| "not set".to_string()),
    );
    if let Some(account) = &session.account_id {
        field("account", account.clone());
    }
    // Who the credentials belong to, once STS said (never a spinner or an error here).
    if let Some(who) = &state.access.identity {
        field("as", who.label());
    }
    if let Some(repo) = &state.open_repo {
        field("repo", repo.name.clone());
    }
    if let Some(endpoint) = &session.endpoint {
        field("endpoint", endpoint.clone());
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
