//! Colours, overridable in `[theme]`. Values are ratatui colour names (`cyan`, `lightblue`),
//! `#rrggbb`, or a 0–255 palette index.

use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

/// The `[theme]` section as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeSection {
    accent: Option<String>,
    border: Option<String>,
    focused_border: Option<String>,
    selection: Option<String>,
    muted: Option<String>,
    success: Option<String>,
    warning: Option<String>,
    error: Option<String>,
}

/// The colours in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Titles, the header's name, key labels.
    pub accent: Color,
    /// Borders of unfocused panes.
    pub border: Color,
    /// Border of the focused pane.
    pub focused_border: Color,
    /// Background of the selected row.
    pub selection: Color,
    /// Secondary text and empty-state sentences.
    pub muted: Color,
    /// Finished jobs, clean states.
    pub success: Color,
    /// Badges (DEMO, READONLY), pending work.
    pub warning: Color,
    /// Failures.
    pub error: Color,
}

impl Default for Theme {
    fn default() -> Theme {
        Theme {
            accent: Color::Cyan,
            border: Color::DarkGray,
            focused_border: Color::Cyan,
            selection: Color::Indexed(237),
            muted: Color::Gray,
            success: Color::Green,
            warning: Color::Yellow,
            error: Color::Red,
        }
    }
}

impl Theme {
    /// Applies a `[theme]` section; the error names the bad key.
    pub fn from_section(section: &ThemeSection) -> Result<Theme, (&'static str, String)> {
        let mut theme = Theme::default();
        let fields: [(&'static str, &Option<String>, &mut Color); 8] = [
            ("accent", &section.accent, &mut theme.accent),
            ("border", &section.border, &mut theme.border),
            (
                "focused_border",
                &section.focused_border,
                &mut theme.focused_border,
            ),
            ("selection", &section.selection, &mut theme.selection),
            ("muted", &section.muted, &mut theme.muted),
            ("success", &section.success, &mut theme.success),
            ("warning", &section.warning, &mut theme.warning),
            ("error", &section.error, &mut theme.error),
        ];
        for (name, value, slot) in fields {
            if let Some(text) = value {
                *slot = Color::from_str(text).map_err(|_| {
                    (
                        name,
                        format!(
                            "`{text}` is not a colour: use a name like `cyan`, `#33aaff` or 0-255"
                        ),
                    )
                })?;
            }
        }
        Ok(theme)
    }
}
