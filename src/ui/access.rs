//! The access screen: who you are, and CodeCommit's three access methods with their state;
//! and the overlay that shows a new git password once.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::View;
use crate::app::access::{AccessSection, AccessState, PasswordView};
use crate::app::access_update::NOT_A_USER;
use crate::app::command::CommandId;
use crate::app::state::State;

/// The screen, over the panes between the header and the footer.
pub(super) fn screen(frame: &mut Frame, area: Rect, state: &State, view: View) {
    let rect = super::full_screen(frame, area);
    let access = &state.access;
    let keys = |id| view.keymap.keys_label(id);
    let bottom = format!(
        " {} method · j/k select · {} new · {} on/off · {} delete · {} reset password · {} test SSH · {} reload · esc close ",
        keys(CommandId::AccessNextSection),
        keys(CommandId::AccessNew),
        keys(CommandId::AccessToggle),
        keys(CommandId::AccessDelete),
        keys(CommandId::AccessReset),
        keys(CommandId::AccessTestSsh),
        keys(CommandId::AccessRefresh),
    );
    let loading = if access.overview_request.is_some() {
        " · reading…"
    } else {
        ""
    };
    let title = format!(
        "Access · profile {} · {}{loading}",
        state.session.profile.as_deref().unwrap_or("default chain"),
        state.session.region.as_deref().unwrap_or("no region"),
    );
    let block = super::overlays::boxed(view, &title)
        .title_bottom(Line::styled(bottom, Style::new().fg(view.theme.muted)));
    let lines = lines(state, view);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

fn heading(view: View, text: &str, focused: bool) -> Line<'static> {
    let style = Style::new()
        .fg(view.theme.accent)
        .add_modifier(Modifier::BOLD);
    let marker = if focused { "▸ " } else { "  " };
    Line::styled(
        format!("{marker}{text}"),
        if focused {
            style
        } else {
            style.remove_modifier(Modifier::BOLD).fg(view.theme.muted)
        },
    )
}

fn muted(view: View, text: impl Into<String>) -> Line<'static> {
    Line::styled(
        format!("    {}", text.into()),
        Style::new().fg(view.theme.muted),
    )
}

fn field(view: View, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("    {label:<10}"),
            Style::new().fg(view.theme.muted),
        ),
        Span::raw(value),
    ])
}

fn row(view: View, text: String, selected: bool, active: bool) -> Line<'static> {
    let mut style = Style::new();
    if !active {
        style = style.fg(view.theme.muted);
    }
    if selected {
        style = style.add_modifier(Modifier::REVERSED);
    }
    Line::styled(
        format!("  {} {text}", if selected { "›" } else { " " }),
        style,
    )
}

fn lines(state: &State, view: View) -> Vec<Line<'static>> {
    let access = &state.access;
    let mut out = vec![heading(view, "Who you are", false)];
    match (&access.identity, &access.error) {
        (Some(who), _) => {
            out.push(field(view, "Account", who.account.clone()));
            out.push(field(view, "ARN", who.arn.clone()));
            out.push(field(
                view,
                "Kind",
                format!("{} · {}", who.kind_name(), who.label()),
            ));
        }
        (None, Some((message, hint))) => {
            out.push(Line::styled(
                format!("    {message}"),
                Style::new().fg(view.theme.error),
            ));
            if let Some(hint) = hint {
                out.push(muted(view, hint.clone()));
            }
        }
        (None, None) => out.push(muted(view, "Asking STS (GetCallerIdentity)…")),
    }
    out.push(Line::raw(""));
    let is_role = access.identity.is_some() && access.user().is_none();
    ssh_section(&mut out, access, view, is_role);
    out.push(Line::raw(""));
    credentials_section(&mut out, access, view, is_role);
    out.push(Line::raw(""));
    helper_section(&mut out, state, view);
    if let Some(message) = &access.message {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!("  {message}"),
            Style::new().fg(view.theme.success),
        ));
    }
    out
}

fn ssh_section(out: &mut Vec<Line<'static>>, access: &AccessState, view: View, is_role: bool) {
    let focused = access.section == AccessSection::Ssh;
    out.push(heading(view, "SSH keys (git over SSH)", focused));
    if is_role {
        // One line per sentence: a wrapped line would lose the indent.
        for sentence in NOT_A_USER.split_inclusive(". ") {
            out.push(muted(view, sentence.trim()));
        }
        return;
    }
    match &access.ssh_keys {
        None => out.push(muted(view, "…")),
        Some(Err(error)) => out.push(Line::styled(
            format!("    {error}"),
            Style::new().fg(view.theme.error),
        )),
        Some(Ok(keys)) if keys.is_empty() => out.push(muted(
            view,
            "No SSH key uploaded. n generates an RSA key (the kind IAM takes), uploads it and sets up ~/.ssh/config.",
        )),
        Some(Ok(keys)) => {
            out.push(muted(
                view,
                format!("{:<22} {:<9} {:<17} {}", "SSH key ID", "Status", "Uploaded", "Fingerprint"),
            ));
            for (i, key) in keys.iter().enumerate() {
                let text = format!(
                    "{:<22} {:<9} {:<17} {}",
                    key.id,
                    if key.active { "Active" } else { "Inactive" },
                    key.uploaded,
                    key.fingerprint
                );
                out.push(row(view, text, focused && i == access.selected, key.active));
            }
        }
    }
}

fn credentials_section(
    out: &mut Vec<Line<'static>>,
    access: &AccessState,
    view: View,
    is_role: bool,
) {
    let focused = access.section == AccessSection::GitCredentials;
    out.push(heading(
        view,
        "HTTPS git credentials (user name and password)",
        focused,
    ));
    if is_role {
        out.push(muted(view, "See above: use HTTPS with IAM."));
        return;
    }
    match &access.git_credentials {
        None => out.push(muted(view, "…")),
        Some(Err(error)) => out.push(Line::styled(
            format!("    {error}"),
            Style::new().fg(view.theme.error),
        )),
        Some(Ok(list)) if list.is_empty() => out.push(muted(
            view,
            "None. n creates a git user name and password for CodeCommit (shown once).",
        )),
        Some(Ok(list)) => {
            out.push(muted(
                view,
                format!(
                    "{:<30} {:<22} {:<9} {}",
                    "User name", "ID", "Status", "Created"
                ),
            ));
            for (i, c) in list.iter().enumerate() {
                let text = format!(
                    "{:<30} {:<22} {:<9} {}",
                    c.user_name,
                    c.id,
                    if c.active { "Active" } else { "Inactive" },
                    c.created
                );
                out.push(row(view, text, focused && i == access.selected, c.active));
            }
        }
    }
}

fn helper_section(out: &mut Vec<Line<'static>>, state: &State, view: View) {
    let access = &state.access;
    let focused = access.section == AccessSection::Helper;
    out.push(heading(
        view,
        "HTTPS with IAM (cctui credential-helper)",
        focused,
    ));
    match &access.helpers {
        None => out.push(muted(view, "…")),
        Some(Err(error)) => out.push(Line::styled(
            format!("    git's configuration could not be read: {error}"),
            Style::new().fg(view.theme.error),
        )),
        Some(Ok(status)) => {
            let (text, colour) = if status.routed && status.use_http_path {
                (
                    "Set up: git asks cctui for CodeCommit hosts.",
                    view.theme.success,
                )
            } else if status.routed {
                (
                    "Routed to cctui, but useHttpPath is off: IAM passwords need it. n fixes it.",
                    view.theme.warning,
                )
            } else {
                (
                    "Not set up. n shows the git config lines and asks before writing them.",
                    view.theme.muted,
                )
            };
            out.push(Line::styled(format!("    {text}"), Style::new().fg(colour)));
            let helpers = if status.helpers.is_empty() {
                "none".to_string()
            } else {
                status.helpers.join(", ")
            };
            out.push(field(
                view,
                "Helpers",
                format!("{helpers} (for CodeCommit URLs)"),
            ));
            for helper in &status.caching {
                out.push(Line::styled(
                    format!("    ⚠ {helper} caches passwords: CodeCommit's IAM passwords last 15 minutes, so git would fail with 403 afterwards."),
                    Style::new().fg(view.theme.warning),
                ));
            }
        }
    }
}

/// The new password, once, with where it can go.
pub(super) fn password(frame: &mut Frame, area: Rect, view: View, password: &PasswordView) {
    let store = view.keymap.keys_label(CommandId::AccessStorePassword);
    let helpers = if password.helpers.is_empty() {
        "git has no credential helper configured: copy the password now.".to_string()
    } else {
        format!(
            "{store}: give it to git's credential helper ({}) for {}.",
            password.helpers.join(", "),
            password.url
        )
    };
    let state_line = match (&password.pending, &password.stored) {
        (Some(_), _) => "Handing it to git…".to_string(),
        (None, Some(helper)) => format!("Given to {helper}: git uses it for {}.", password.url),
        (None, None) => helpers,
    };
    let message = format!(
        "User name: {}\nPassword:  {}\n\nAWS shows this password only now; cctui forgets it when this closes.\n{state_line}",
        password.username,
        password.password.expose(),
    );
    let keys = if password.helpers.is_empty() || password.stored.is_some() {
        "esc close (forget)".to_string()
    } else {
        format!("{store} give to git   esc close (forget)")
    };
    super::overlays::message_box(
        frame,
        area,
        view,
        &format!("HTTPS git credentials {}", password.id),
        &message,
        &keys,
        view.theme.warning,
    );
}
