//! `config.toml`: workspace root, default clone protocol, key overrides and theme colours.
//!
//! The file is read once at start. Every problem is reported with the file, line and field, and
//! the app does not start half-configured: either the whole file is valid or cctui exits.

pub mod paths;
pub mod recent;
pub mod theme;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::app::keymap::{KeyMap, KeymapError};
pub use theme::Theme;

/// The documented defaults, shipped as `assets/config.toml`.
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/config.toml");

/// How repositories are cloned unless the user picks otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CloneProtocol {
    /// HTTPS with a git password computed from the AWS credentials (SigV4).
    #[default]
    HttpsIam,
    /// HTTPS with IAM service-specific git credentials (user name and password).
    HttpsGit,
    /// SSH with an IAM SSH key id.
    Ssh,
}

impl CloneProtocol {
    /// The next protocol (the clone dialog's ←/→).
    pub fn cycle(self, forward: bool) -> CloneProtocol {
        let all = [
            CloneProtocol::HttpsIam,
            CloneProtocol::HttpsGit,
            CloneProtocol::Ssh,
        ];
        let index = all.iter().position(|p| *p == self).unwrap_or(0);
        all[(index + if forward { 1 } else { 2 }) % 3]
    }

    /// What the dialog says about it.
    pub fn description(self) -> &'static str {
        match self {
            CloneProtocol::HttpsIam => "HTTPS, git password computed from your AWS credentials",
            CloneProtocol::HttpsGit => "HTTPS with IAM git credentials (user name and password)",
            CloneProtocol::Ssh => "SSH with your IAM SSH key id as user",
        }
    }

    /// The name used in the config file.
    pub fn name(self) -> &'static str {
        match self {
            CloneProtocol::HttpsIam => "https-iam",
            CloneProtocol::HttpsGit => "https-git",
            CloneProtocol::Ssh => "ssh",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct File {
    workspace: WorkspaceSection,
    clone: CloneSection,
    hooks: HooksSection,
    keys: HashMap<String, Vec<String>>,
    theme: theme::ThemeSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct WorkspaceSection {
    root: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CloneSection {
    protocol: CloneProtocol,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct HooksSection {
    timeout_seconds: Option<u64>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where clones go by default (`<root>/<repository>`).
    pub workspace_root: PathBuf,
    /// Default clone protocol.
    pub clone_protocol: CloneProtocol,
    /// How long a git hook may run before its process group is killed.
    pub hook_timeout: std::time::Duration,
    /// Keys, after overrides.
    pub keymap: KeyMap,
    /// Colours, after overrides.
    pub theme: Theme,
    /// The file this came from, if any.
    pub source: Option<PathBuf>,
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file has a mistake.
    #[error("{path}:{line}:{column}: {field}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// Dotted field name (`theme.accent`), or `file` when unknown.
        field: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

impl Default for Config {
    fn default() -> Config {
        Config {
            workspace_root: paths::expand_home("~/codecommit"),
            clone_protocol: CloneProtocol::default(),
            hook_timeout: crate::git::hooks::DEFAULT_HOOK_TIMEOUT,
            keymap: KeyMap::defaults(),
            theme: Theme::default(),
            source: None,
        }
    }
}

impl Config {
    /// Which file to read: `--config`, else `CCTUI_CONFIG`, else the platform default. The
    /// boolean says whether the user named it (then it must exist).
    pub fn locate(cli: Option<&Path>) -> Option<(PathBuf, bool)> {
        if let Some(path) = cli {
            return Some((path.to_path_buf(), true));
        }
        if let Some(path) = std::env::var_os("CCTUI_CONFIG").filter(|v| !v.is_empty()) {
            return Some((PathBuf::from(path), true));
        }
        paths::default_config_file().map(|p| (p, false))
    }

    /// Loads a file; a missing default file means the defaults.
    pub fn load(path: &Path, required: bool) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(Config::default())
            }
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                field: field_at(text, line).unwrap_or_else(|| "file".to_string()),
                message: e.message().trim().to_string(),
            }
        })?;
        let invalid = |section: &str, key: &str, message: String| {
            let (line, column) = find_key(text, section, key);
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                field: format!("{section}.{key}"),
                message,
            }
        };
        let keymap = KeyMap::with_overrides(&file.keys).map_err(|e| {
            let key = match &e {
                KeymapError::UnknownCommand(name) | KeymapError::BadKey(name, _) => name.clone(),
                KeymapError::Duplicate { second, .. } => (*second).to_string(),
            };
            invalid("keys", &key, e.to_string())
        })?;
        let theme = Theme::from_section(&file.theme)
            .map_err(|(key, message)| invalid("theme", key, message))?;
        let workspace_root = match file.workspace.root.as_deref() {
            Some("") => {
                return Err(invalid(
                    "workspace",
                    "root",
                    "must not be empty; remove the line for the default ~/codecommit".into(),
                ));
            }
            Some(root) => paths::expand_home(root),
            None => Config::default().workspace_root,
        };
        let hook_timeout = match file.hooks.timeout_seconds {
            Some(0) => {
                return Err(invalid(
                    "hooks",
                    "timeout_seconds",
                    "must be at least 1; remove the line for the default 600".into(),
                ));
            }
            Some(seconds) => std::time::Duration::from_secs(seconds),
            None => Config::default().hook_timeout,
        };
        Ok(Config {
            workspace_root,
            clone_protocol: file.clone.protocol,
            hook_timeout,
            keymap,
            theme,
            source: Some(path.to_path_buf()),
        })
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// The dotted name of the key defined on a line (`[section]` + `key = ...`).
fn field_at(text: &str, line: usize) -> Option<String> {
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            section = name.trim().to_string();
        }
        if i + 1 == line {
            let key = trimmed
                .split('=')
                .next()
                .map(str::trim)
                .filter(|k| !k.is_empty() && !k.starts_with('['));
            return match key {
                Some(key) if section.is_empty() => Some(key.to_string()),
                Some(key) => Some(format!("{section}.{key}")),
                None if !section.is_empty() => Some(section),
                None => None,
            };
        }
    }
    None
}

/// Line and column of `key` inside `[section]`, for errors found after parsing.
fn find_key(text: &str, section: &str, key: &str) -> (usize, usize) {
    let mut in_section = false;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            in_section = name.trim() == section;
            continue;
        }
        let name = trimmed
            .split('=')
            .next()
            .map(|k| k.trim().trim_matches('"'));
        if in_section && name == Some(key) {
            return (i + 1, raw.len() - raw.trim_start().len() + 1);
        }
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> String {
        match Config::parse(text, Path::new("c.toml")) {
            Ok(_) => "parsed".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn shipped_defaults_parse_and_match_the_built_in_ones() -> Result<(), ConfigError> {
        let shipped = Config::parse(DEFAULT_CONFIG, Path::new("assets/config.toml"))?;
        let builtin = Config::default();
        assert_eq!(shipped.workspace_root, builtin.workspace_root);
        assert_eq!(shipped.clone_protocol, builtin.clone_protocol);
        assert_eq!(shipped.hook_timeout, builtin.hook_timeout);
        assert_eq!(shipped.theme, builtin.theme);
        Ok(())
    }

    #[test]
    fn errors_name_file_line_and_field() {
        assert_eq!(
            error_of("[clone]\nprotocol = \"ftp\"\n")
                .split(": unknown variant")
                .next(),
            Some("c.toml:2:12: clone.protocol")
        );
        let unknown = error_of("[theme]\naccent = \"red\"\n\n[workspace]\nrot = \"/x\"\n");
        assert!(
            unknown.starts_with("c.toml:5:1: workspace.rot: unknown field `rot`"),
            "{unknown}"
        );
        let colour = error_of("[theme]\naccent = \"blurple\"\n");
        assert!(colour.starts_with("c.toml:2:1: theme.accent: "), "{colour}");
        let key = error_of("[keys]\nquit = [\"ctrl-\"]\n");
        assert!(key.starts_with("c.toml:2:1: keys.quit: "), "{key}");
        let command = error_of("\n[keys]\nlaunch = [\"l\"]\n");
        assert!(
            command.starts_with("c.toml:3:1: keys.launch: `launch` is not a command"),
            "{command}"
        );
        assert!(
            error_of("[workspace]\nroot = \"\"\n").contains("workspace.root: must not be empty")
        );
        assert!(
            error_of("[hooks]\ntimeout_seconds = 0\n")
                .contains("hooks.timeout_seconds: must be at least 1")
        );
    }

    #[test]
    fn overrides_apply() -> Result<(), ConfigError> {
        let config = Config::parse(
            "[workspace]\nroot = \"/srv/src\"\n[clone]\nprotocol = \"ssh\"\n[hooks]\ntimeout_seconds = 30\n[keys]\nquit = [\"ctrl-q\"]\n",
            Path::new("c.toml"),
        )?;
        assert_eq!(config.workspace_root, PathBuf::from("/srv/src"));
        assert_eq!(config.clone_protocol, CloneProtocol::Ssh);
        assert_eq!(config.hook_timeout, std::time::Duration::from_secs(30));
        assert_eq!(
            config
                .keymap
                .keys_label(crate::app::command::CommandId::Quit),
            "ctrl-q"
        );
        Ok(())
    }

    #[test]
    fn a_named_file_must_exist_but_the_default_may_not() {
        let missing = Path::new("/nonexistent/cctui.toml");
        assert!(Config::load(missing, false).is_ok());
        let err = Config::load(missing, true)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("/nonexistent/cctui.toml"), "{err}");
    }
}
