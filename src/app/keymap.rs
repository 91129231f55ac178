//! Key notation and the key map built from the command table plus user overrides.

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::{COMMANDS, CommandId, Context};

/// A key with modifiers, in a normalised form so lookups are exact.
///
/// Notation: `q`, `G`, `?`, `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `esc`, `up`, `f1`, `space`.
/// Shift is folded into the character for printable keys (`G` rather than `shift-g`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and Alt (Shift only for non-character keys).
    pub modifiers: KeyModifiers,
}

/// A key string that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a key: use forms like `q`, `G`, `ctrl-c`, `alt-x`, `shift-tab`, `enter`, `f1`"
)]
pub struct KeyParseError(pub String);

impl KeySpec {
    /// Normalises a terminal key event.
    pub fn from_event(event: KeyEvent) -> KeySpec {
        let mut modifiers =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match event.code {
            // Terminals report Shift-Tab as BackTab, with or without SHIFT.
            KeyCode::BackTab => {
                modifiers |= KeyModifiers::SHIFT;
                KeyCode::Tab
            }
            KeyCode::Char(c) => {
                modifiers -= KeyModifiers::SHIFT;
                if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            other => other,
        };
        KeySpec { code, modifiers }
    }

    /// Parses the notation above.
    pub fn parse(text: &str) -> Result<KeySpec, KeyParseError> {
        let err = || KeyParseError(text.to_string());
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 1 && lower.starts_with("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[5..];
            } else if rest.len() > 1 && lower.starts_with("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[4..];
            } else if rest.len() > 1 && lower.starts_with("shift-") {
                modifiers |= KeyModifiers::SHIFT;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if modifiers.contains(KeyModifiers::SHIFT) {
                    modifiers -= KeyModifiers::SHIFT;
                    KeyCode::Char(c.to_ascii_uppercase())
                } else if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            (None, _) => return Err(err()),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => {
                    modifiers |= KeyModifiers::SHIFT;
                    KeyCode::Tab
                }
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().map_err(|_| err())?;
                    if !(1..=24).contains(&n) {
                        return Err(err());
                    }
                    KeyCode::F(n)
                }
                _ => return Err(err()),
            },
        };
        Ok(KeySpec { code, modifiers })
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A problem in the user's key overrides.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    /// `[keys]` names a command that does not exist.
    #[error("`{0}` is not a command; see `?` in cctui for the list of command names")]
    UnknownCommand(String),
    /// A key string is malformed.
    #[error("{1}")]
    BadKey(String, #[source] KeyParseError),
    /// Two commands of the same context would share a key.
    #[error("key `{key}` is bound to both `{first}` and `{second}` in the {context} context")]
    Duplicate {
        /// The key.
        key: String,
        /// The command that had it first.
        first: &'static str,
        /// The command that also claims it.
        second: &'static str,
        /// Where they clash.
        context: &'static str,
    },
}

/// Resolves keys to commands; built once from [`COMMANDS`] and the config's overrides.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: HashMap<(Context, KeySpec), CommandId>,
    keys_of: HashMap<CommandId, Vec<KeySpec>>,
}

impl KeyMap {
    /// The defaults of the command table.
    pub fn defaults() -> KeyMap {
        // The default table is checked by `defaults_have_no_duplicates`.
        KeyMap::with_overrides(&HashMap::new()).unwrap_or_else(|_| KeyMap {
            bindings: HashMap::new(),
            keys_of: HashMap::new(),
        })
    }

    /// The defaults with some commands' keys replaced (`command name → keys`).
    pub fn with_overrides(overrides: &HashMap<String, Vec<String>>) -> Result<KeyMap, KeymapError> {
        for name in overrides.keys() {
            if CommandId::from_name(name).is_none() {
                return Err(KeymapError::UnknownCommand(name.clone()));
            }
        }
        let mut map = KeyMap {
            bindings: HashMap::new(),
            keys_of: HashMap::new(),
        };
        for command in COMMANDS {
            let keys: Vec<KeySpec> = match overrides.get(command.id.name()) {
                Some(custom) => custom
                    .iter()
                    .map(|k| {
                        KeySpec::parse(k)
                            .map_err(|e| KeymapError::BadKey(command.id.name().into(), e))
                    })
                    .collect::<Result<_, _>>()?,
                None => command
                    .keys
                    .iter()
                    .map(|k| {
                        KeySpec::parse(k)
                            .map_err(|e| KeymapError::BadKey(command.id.name().into(), e))
                    })
                    .collect::<Result<_, _>>()?,
            };
            for key in &keys {
                if let Some(first) = map.bindings.insert((command.context, *key), command.id) {
                    return Err(KeymapError::Duplicate {
                        key: key.to_string(),
                        first: first.name(),
                        second: command.id.name(),
                        context: command.context.title(),
                    });
                }
            }
            map.keys_of.insert(command.id, keys);
        }
        Ok(map)
    }

    /// The command a key triggers in a context, if any.
    pub fn lookup(&self, context: Context, key: KeySpec) -> Option<CommandId> {
        self.bindings.get(&(context, key)).copied()
    }

    /// The live keys of a command (after overrides).
    pub fn keys(&self, id: CommandId) -> &[KeySpec] {
        self.keys_of.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The live keys of a command joined for display (`j/↓`).
    pub fn keys_label(&self, id: CommandId) -> String {
        self.keys(id)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn event(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn defaults_have_no_duplicates() {
        assert!(KeyMap::with_overrides(&HashMap::new()).is_ok());
    }

    #[test]
    fn parse_and_display_round_trip() {
        for text in [
            "q",
            "G",
            "?",
            "ctrl-c",
            "alt-x",
            "shift-tab",
            "enter",
            "esc",
            "f1",
            "space",
            "pgup",
        ] {
            let key = KeySpec::parse(text).expect(text);
            assert_eq!(KeySpec::parse(&key.to_string()).ok(), Some(key), "{text}");
        }
        assert_eq!(KeySpec::parse("shift-g"), KeySpec::parse("G"));
        assert!(KeySpec::parse("").is_err());
        assert!(KeySpec::parse("ctrl-").is_err());
        assert!(KeySpec::parse("hyper-q").is_err());
        assert!(KeySpec::parse("f99").is_err());
    }

    #[test]
    fn terminal_events_normalise_like_the_notation() {
        let shifted = KeySpec::from_event(event(KeyCode::Char('G'), KeyModifiers::SHIFT));
        assert_eq!(Some(shifted), KeySpec::parse("G").ok());
        let backtab = KeySpec::from_event(event(KeyCode::BackTab, KeyModifiers::SHIFT));
        assert_eq!(Some(backtab), KeySpec::parse("shift-tab").ok());
        let ctrl_c = KeySpec::from_event(event(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(Some(ctrl_c), KeySpec::parse("ctrl-c").ok());
    }

    #[test]
    fn overrides_replace_only_the_named_command() {
        let overrides = HashMap::from([("quit".to_string(), vec!["ctrl-q".to_string()])]);
        let map = KeyMap::with_overrides(&overrides).expect("valid override");
        let ctrl_q = KeySpec::parse("ctrl-q").expect("key");
        let q = KeySpec::parse("q").expect("key");
        assert_eq!(map.lookup(Context::Global, ctrl_q), Some(CommandId::Quit));
        assert_eq!(map.lookup(Context::Global, q), None);
        assert_eq!(
            map.lookup(Context::Global, KeySpec::parse("?").expect("key")),
            Some(CommandId::Help)
        );
    }

    #[test]
    fn bad_overrides_are_explained() {
        let unknown = HashMap::from([("fly".to_string(), vec!["f".to_string()])]);
        assert_eq!(
            KeyMap::with_overrides(&unknown).err(),
            Some(KeymapError::UnknownCommand("fly".into()))
        );
        let clash = HashMap::from([("help".to_string(), vec!["q".to_string()])]);
        let err = KeyMap::with_overrides(&clash)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("`q`") && err.contains("quit") && err.contains("help"),
            "{err}"
        );
    }
}
