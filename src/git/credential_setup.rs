//! Git's side of HTTPS access to CodeCommit: which credential helpers git would use for a
//! CodeCommit URL, the `[credential "<scope>"]` section that routes it to
//! `cctui credential-helper`, and handing a git password to git's own store
//! (`git credential approve`).
//!
//! Reads and `approve` run the real `git` (so system, global and XDG files count as git counts
//! them), with `HOME` given by the caller; the section is appended to the global file after a
//! copy of it is kept, and only after the caller showed the lines and the user said yes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::ssh_setup::{ConfigWritten, SshSetupError};
use crate::secret::SecretString;

/// Helpers that keep a password they were given: with CodeCommit's IAM passwords (valid for
/// 15 minutes) they hand back a stale one, and git fails with 403 until it is erased.
pub const CACHING_HELPERS: &[&str] = &[
    "osxkeychain",
    "manager",
    "manager-core",
    "store",
    "cache",
    "wincred",
    "libsecret",
    "gnome-keyring",
];

/// What git would do for a CodeCommit URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HelperStatus {
    /// The helpers git would ask for the scope, in order (after any empty `helper =` reset).
    pub helpers: Vec<String>,
    /// `cctui credential-helper` is among them.
    pub routed: bool,
    /// `credential.useHttpPath` is on for the scope (IAM passwords sign the path).
    pub use_http_path: bool,
    /// Helpers among them that cache passwords (the "403 after 15 minutes").
    pub caching: Vec<String>,
    /// Helpers git uses for every other host (for the git-credentials store choice).
    pub default_helpers: Vec<String>,
}

/// The scope of the section: every CodeCommit HTTPS host, or the local service's URL.
pub fn helper_scope(endpoint: Option<&str>) -> String {
    match endpoint {
        Some(url) => crate::model::credential_scope(url).unwrap_or_else(|| url.to_string()),
        None => "https://git-codecommit.*.amazonaws.com".into(),
    }
}

/// The command git runs, with the session's profile when it has one.
pub fn helper_command(profile: Option<&str>) -> String {
    match profile {
        Some(profile) => format!("!cctui --profile {profile} credential-helper"),
        None => "!cctui credential-helper".into(),
    }
}

/// The exact lines of the section.
pub fn helper_block(scope: &str, command: &str) -> Vec<String> {
    vec![
        format!("[credential \"{scope}\"]"),
        // The empty value drops helpers configured before (osxkeychain, manager, store…) for
        // these hosts, so none of them caches a 15-minute password.
        "\thelper =".to_string(),
        format!("\thelper = {command}"),
        "\tUseHttpPath = true".to_string(),
    ]
}

/// The global git config file as git picks it: `GIT_CONFIG_GLOBAL`, else `~/.gitconfig` when
/// it exists, else the XDG file when that exists, else `~/.gitconfig`.
pub fn global_config_file(home: &Path) -> PathBuf {
    if let Some(file) = std::env::var_os("GIT_CONFIG_GLOBAL").filter(|f| !f.is_empty()) {
        return PathBuf::from(file);
    }
    let dot = home.join(".gitconfig");
    if dot.exists() {
        return dot;
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"))
        .join("git")
        .join("config");
    if xdg.exists() { xdg } else { dot }
}

fn git(home: &Path) -> Command {
    let mut command = Command::new("git");
    // Outside any repository: a clone's own config must not decide the global answer.
    command
        .current_dir(home)
        .env("HOME", home)
        .env("GIT_TERMINAL_PROMPT", "0");
    command
}

/// What git would use for `scope` (and for other hosts), from `git config --get-regexp`.
pub fn read_helpers(home: &Path, scope: &str) -> Result<HelperStatus, String> {
    let output = git(home)
        .args(["config", "--null", "--get-regexp", r"^credential\."])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    // Exit 1: no credential entries at all.
    if !output.status.success() && output.status.code() != Some(1) {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    Ok(status_of(&String::from_utf8_lossy(&output.stdout), scope))
}

/// Applies git's rules to `--null --get-regexp` output (`key\nvalue\0`): in order, a
/// `helper` entry of the scope or of no URL adds its helper, an empty one clears the list.
pub fn status_of(entries: &str, scope: &str) -> HelperStatus {
    let mut status = HelperStatus::default();
    let scope_key = format!("credential.{}.", scope.to_lowercase());
    for entry in entries.split('\0').filter(|e| !e.is_empty()) {
        let (key, value) = entry.split_once('\n').unwrap_or((entry, ""));
        let lower = key.to_lowercase();
        let (for_scope, name) = if let Some(name) = lower.strip_prefix(&scope_key) {
            (true, name)
        } else if let Some(name) = lower.strip_prefix("credential.") {
            if name.contains('.') {
                continue;
            }
            (false, name)
        } else {
            continue;
        };
        match name {
            "helper" => {
                let lists: &mut [&mut Vec<String>] = if for_scope {
                    &mut [&mut status.helpers]
                } else {
                    &mut [&mut status.helpers, &mut status.default_helpers]
                };
                for list in lists.iter_mut() {
                    if value.trim().is_empty() {
                        list.clear();
                    } else {
                        list.push(value.trim().to_string());
                    }
                }
            }
            "usehttppath" => {
                status.use_http_path = matches!(value.trim(), "" | "true" | "yes" | "on" | "1")
            }
            _ => {}
        }
    }
    status.routed = status
        .helpers
        .iter()
        .any(|h| h.contains("cctui") && h.contains("credential-helper"));
    status.caching = status
        .helpers
        .iter()
        .filter(|h| is_caching(h))
        .cloned()
        .collect();
    status
}

/// Whether a helper value names a helper that caches passwords (`store --file x`,
/// `/usr/lib/git-core/git-credential-libsecret`, `manager-core`…).
pub fn is_caching(helper: &str) -> bool {
    let first = helper
        .trim_start_matches('!')
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let name = first.rsplit('/').next().unwrap_or(first);
    let name = name.strip_prefix("git-credential-").unwrap_or(name);
    let name = name.strip_suffix(".exe").unwrap_or(name);
    CACHING_HELPERS.contains(&name)
}

/// Appends the section to the global git config file (a copy of it kept first).
pub fn write_helper_block(
    home: &Path,
    lines: &[String],
    stamp: &str,
) -> Result<ConfigWritten, SshSetupError> {
    super::ssh_setup::append_block(&global_config_file(home), lines, stamp)
}

/// Gives a git login to git's configured helpers (`git credential approve`), the password on
/// stdin only. Fails when git has no helper to keep it.
pub fn approve(
    home: &Path,
    url: &str,
    username: &str,
    password: &SecretString,
) -> Result<(), String> {
    let parsed = crate::model::RemoteUrl::parse(url).map_err(|e| e.to_string())?;
    let protocol = match parsed.scheme {
        crate::model::Scheme::Http => "http",
        _ => "https",
    };
    let host = parsed
        .host
        .as_ref()
        .map(|h| match h.port() {
            Some(port) => format!("{}:{port}", h.name()),
            None => h.name().to_string(),
        })
        .ok_or_else(|| format!("no host in {url}"))?;
    let mut child = git(home)
        .args(["credential", "approve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let input = format!(
        "protocol={protocol}\nhost={host}\nusername={username}\npassword={}\n\n",
        password.expose()
    );
    let input = zeroize::Zeroizing::new(input);
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .map_err(|e| format!("cannot talk to git credential: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("git credential approve failed: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "git credential approve failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_rules_for_the_helper_list() {
        let scope = "https://git-codecommit.*.amazonaws.com";
        let plain = status_of("credential.helper\nosxkeychain\0", scope);
        assert_eq!(plain.helpers, ["osxkeychain"]);
        assert_eq!(plain.caching, ["osxkeychain"]);
        assert!(!plain.routed);
        let routed = status_of(
            "credential.helper\nosxkeychain\0credential.https://git-codecommit.*.amazonaws.com.helper\n\0credential.https://git-codecommit.*.amazonaws.com.helper\n!cctui credential-helper\0credential.https://git-codecommit.*.amazonaws.com.usehttppath\ntrue\0",
            scope,
        );
        assert_eq!(routed.helpers, ["!cctui credential-helper"]);
        assert!(routed.routed && routed.use_http_path);
        assert!(routed.caching.is_empty());
        assert_eq!(routed.default_helpers, ["osxkeychain"]);
        // A helper set after the section comes back for CodeCommit hosts too.
        let after = status_of(
            "credential.https://git-codecommit.*.amazonaws.com.helper\n\0credential.https://git-codecommit.*.amazonaws.com.helper\n!cctui credential-helper\0credential.helper\nstore\0",
            scope,
        );
        assert_eq!(after.caching, ["store"]);
        assert!(after.routed);
        // Another host's section is not ours.
        let other = status_of("credential.https://example.com.helper\ncache\0", scope);
        assert!(other.helpers.is_empty());
    }

    #[test]
    fn caching_helpers_are_recognised_by_name() {
        for helper in [
            "osxkeychain",
            "manager",
            "manager-core",
            "store --file ~/.creds",
            "cache --timeout 900",
            "wincred",
            "/usr/lib/git-core/git-credential-libsecret",
            "C:/Git/mingw64/bin/git-credential-manager.exe",
        ] {
            assert!(is_caching(helper), "{helper}");
        }
        assert!(!is_caching("!cctui credential-helper"));
        assert!(!is_caching("!aws codecommit credential-helper $@"));
    }
}
