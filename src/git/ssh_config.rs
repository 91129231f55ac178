//! The bits of `~/.ssh/config` that matter for CodeCommit: `User`, `IdentityFile`,
//! `IdentitiesOnly`, `HostName`, `Port` and `Include`.
//!
//! Follows ssh's rules where they matter: keywords are case-insensitive, `Keyword value` or
//! `Keyword=value`; the first value of `User`, `HostName`, `Port` and `IdentitiesOnly` wins;
//! `IdentityFile`s accumulate; lines before the first `Host` apply to every host; `Host` takes
//! several patterns with `*`, `?` and `!` (a negated match excludes the block) and is matched
//! on the name the user wrote, never on the `HostName` it maps to; `Match` blocks are not
//! evaluated and never apply. `Include` reads files and globs (relative to `~/.ssh`), nested up
//! to ssh's depth of 16; inside a `Host` block it applies only when that block does, and the
//! block's state comes back after it.

use std::path::{Path, PathBuf};

use crate::git::Auth;
use crate::git::auth::SshEndpoint;

/// ssh's `READCONF_MAX_DEPTH`: deeper `Include`s are ignored (ssh refuses them too).
const MAX_INCLUDE_DEPTH: usize = 16;

/// SSH settings for one host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshSettings {
    /// The `User` of the first matching `Host` block that sets one.
    pub user: Option<String>,
    /// `IdentityFile`s of the matching blocks, in order, `~` expanded.
    pub identity_files: Vec<PathBuf>,
    /// `HostName`: the host ssh really connects to (`%h` expanded to the name written).
    pub host_name: Option<String>,
    /// `Port`: used when the URL gives none.
    pub port: Option<u16>,
    /// `IdentitiesOnly yes`: only the `IdentityFile`s, never the agent's other keys.
    pub identities_only: bool,
}

/// The settings that `~/.ssh/config` text gives the host name `host`
/// (`git-codecommit.<region>.amazonaws.com`; a `:port` is ignored). `~` and `%d` expand to the
/// home directory, `%h` to the host (after `HostName`), `%%` to `%`. `Include`s are read from
/// the home directory's `.ssh`.
pub fn codecommit_ssh_settings(config_text: &str, host: &str) -> SshSettings {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    settings_with_home(config_text, host, home.as_deref())
}

/// [`codecommit_ssh_settings`] with an explicit home directory (for tests and callers that
/// already know it).
pub fn settings_with_home(config_text: &str, host: &str, home: Option<&Path>) -> SshSettings {
    // ssh matches `Host` patterns on the name alone: a `host:port` or `[v6]:port` from a URL
    // would match no `Host git-codecommit.*.amazonaws.com` block.
    let host = crate::model::Host::parse(host)
        .map(|h| h.name().to_string())
        .unwrap_or_else(|_| host.to_ascii_lowercase());
    let mut reader = Reader {
        host: &host,
        home,
        raw: Raw::default(),
    };
    reader.read(config_text, true, 0);
    reader.finish()
}

/// The settings `home/.ssh/config` (and what it includes) gives `host`; no file, no settings.
pub fn settings_for_host(host: &str, home: &Path) -> SshSettings {
    let text = std::fs::read_to_string(home.join(".ssh").join("config")).unwrap_or_default();
    settings_with_home(&text, host, Some(home))
}

/// What the lines said, before `%` and `~` expansion (which needs the final `HostName`).
#[derive(Default)]
struct Raw {
    user: Option<String>,
    identity_files: Vec<String>,
    host_name: Option<String>,
    port: Option<u16>,
    identities_only: Option<bool>,
}

struct Reader<'a> {
    host: &'a str,
    home: Option<&'a Path>,
    raw: Raw,
}

impl Reader<'_> {
    /// Reads one file's text. `enabled`: the `Include` that brought it sits where it applies
    /// (ssh's `SSHCONF_NEVERMATCH` otherwise: nothing in it applies, whatever its `Host`s say).
    fn read(&mut self, text: &str, enabled: bool, depth: usize) {
        let mut active = enabled; // before the first Host line
        for raw in text.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (keyword, value) = split_keyword(line);
            let value = unquote(value);
            match keyword.to_ascii_lowercase().as_str() {
                "host" => active = enabled && host_matches(value, self.host),
                "match" => active = false,
                "include" => self.include(value, active, depth),
                _ if !active => {}
                "user" if self.raw.user.is_none() => self.raw.user = Some(value.to_string()),
                "hostname" if self.raw.host_name.is_none() => {
                    self.raw.host_name = Some(value.to_string());
                }
                "port" if self.raw.port.is_none() => {
                    if let Ok(port) = value.parse::<u16>() {
                        self.raw.port = Some(port).filter(|p| *p != 0);
                    }
                }
                "identitiesonly" if self.raw.identities_only.is_none() => {
                    self.raw.identities_only = Some(value.eq_ignore_ascii_case("yes"));
                }
                "identityfile" if !self.raw.identity_files.iter().any(|f| f == value) => {
                    self.raw.identity_files.push(value.to_string());
                }
                _ => {}
            }
        }
    }

    /// `Include` of space-separated files and globs: relative ones from `~/.ssh`, in name order
    /// per pattern as ssh's `glob(3)` gives them; missing files are skipped, as ssh does.
    fn include(&mut self, patterns: &str, active: bool, depth: usize) {
        if depth + 1 > MAX_INCLUDE_DEPTH {
            tracing::warn!("~/.ssh/config: Include nested too deep, ignored");
            return;
        }
        for pattern in patterns.split_whitespace().map(unquote) {
            let expanded = expand(pattern, self.host, self.home);
            let path = match (expanded.is_absolute(), self.home) {
                (true, _) => expanded,
                (false, Some(home)) => home.join(".ssh").join(expanded),
                (false, None) => continue,
            };
            for file in glob_files(&path) {
                if let Ok(text) = std::fs::read_to_string(&file) {
                    self.read(&text, active, depth + 1);
                }
            }
        }
    }

    fn finish(self) -> SshSettings {
        let raw = self.raw;
        // `%h` in HostName is the name written; elsewhere it is the host connected to.
        let host_name = raw
            .host_name
            .map(|name| expand(&name, self.host, None).to_string_lossy().to_string());
        let connected = host_name.as_deref().unwrap_or(self.host);
        let mut identity_files: Vec<PathBuf> = Vec::new();
        for file in raw.identity_files {
            let path = expand(&file, connected, self.home);
            if !identity_files.contains(&path) {
                identity_files.push(path);
            }
        }
        SshSettings {
            user: raw.user,
            identity_files,
            host_name,
            port: raw.port,
            identities_only: raw.identities_only.unwrap_or(false),
        }
    }
}

/// The files a path with `*` and `?` in its last components names, sorted per directory.
fn glob_files(path: &Path) -> Vec<PathBuf> {
    let mut found = vec![PathBuf::new()];
    for component in path.components() {
        let part = component.as_os_str().to_string_lossy().to_string();
        if !part.contains(['*', '?']) {
            for base in &mut found {
                base.push(component);
            }
            continue;
        }
        let mut next = Vec::new();
        for base in &found {
            let Ok(entries) = std::fs::read_dir(base) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|name| !name.starts_with('.') || part.starts_with('.'))
                .filter(|name| glob_match(&part, name))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|name| base.join(name)));
        }
        found = next;
    }
    found.into_iter().filter(|p| p.is_file()).collect()
}

/// The SSH method as `ssh` would set it up for `host` from the files under `home`: `User` and
/// `IdentityFile`s from `home/.ssh/config` (existing files only; the default identity files when
/// it names none), the agent when `SSH_AUTH_SOCK` is set and `IdentitiesOnly` is not,
/// `HostName`/`Port` as where to connect, `home/.ssh/known_hosts`. An empty user means "the
/// URL's user". No passphrase, no trusted fingerprint: the UI adds them when
/// [`crate::git::GitError::PassphraseNeeded`] or [`crate::git::GitError::UnknownHostKey`] asks.
pub fn ssh_auth_for_host(host: &str, home: &Path) -> Auth {
    let settings = settings_for_host(host, home);
    let written = crate::model::Host::parse(host).ok();
    let connect_to = written
        .as_ref()
        .and_then(|h| SshEndpoint::from_settings(h, &settings));
    let identities_only = settings.identities_only;
    let mut key_files: Vec<PathBuf> = settings
        .identity_files
        .into_iter()
        .filter(|path| path.is_file())
        .collect();
    if key_files.is_empty() {
        key_files = default_identity_files(home);
    }
    Auth::Ssh {
        user: settings.user.unwrap_or_default(),
        key_files,
        passphrase: None,
        use_agent: !identities_only
            && std::env::var_os("SSH_AUTH_SOCK").is_some_and(|s| !s.is_empty()),
        known_hosts: home.join(".ssh").join("known_hosts"),
        trusted_fingerprint: None,
        connect_to,
    }
}

/// `home/.ssh/id_ed25519`, `home/.ssh/id_ecdsa`, `home/.ssh/id_rsa`: those that exist.
pub fn default_identity_files(home: &Path) -> Vec<PathBuf> {
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| home.join(".ssh").join(name))
        .filter(|path| path.is_file())
        .collect()
}

/// ssh's pattern match: `*` any run, `?` one character; `pattern` and `name` compared as given.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn split_keyword(line: &str) -> (&str, &str) {
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
    (keyword, rest)
}

fn host_matches(patterns: &str, host: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.split_whitespace().map(unquote) {
        let pattern = pattern.to_ascii_lowercase();
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob_match(negated, host) {
                return false;
            }
        } else if glob_match(&pattern, host) {
            matched = true;
        }
    }
    matched
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

fn expand(value: &str, host: &str, home: Option<&Path>) -> PathBuf {
    let home_text = home.map(|h| h.to_string_lossy().to_string());
    let mut out = String::new();
    let mut chars = value.chars().peekable();
    if let (Some(home), Some('~')) = (&home_text, chars.peek()) {
        let mut probe = chars.clone();
        probe.next();
        if matches!(probe.peek(), None | Some('/')) {
            chars.next();
            out.push_str(home);
        }
    }
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('d') => out.push_str(home_text.as_deref().unwrap_or("~")),
            Some('h') => out.push_str(host),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    PathBuf::from(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    const HOST: &str = "git-codecommit.eu-west-1.amazonaws.com";

    #[test]
    fn first_matching_block_gives_the_user_and_identity_files_accumulate() {
        let text = "\
# comment
IdentityFile ~/.ssh/global
Host github.com
  User git
  IdentityFile ~/.ssh/gh
Host git-codecommit.*.amazonaws.com !git-codecommit.us-east-1.amazonaws.com
  User APKAEIBAERJR2EXAMPLE
  IdentityFile ~/.ssh/codecommit_rsa
Host *
  User=fallback
  IdentityFile \"%d/.ssh/%h key\"
Match host foo
  User never
";
        let home = Path::new("/home/u");
        let s = settings_with_home(text, HOST, Some(home));
        assert_eq!(s.user.as_deref(), Some("APKAEIBAERJR2EXAMPLE"));
        assert_eq!(
            s.identity_files,
            vec![
                PathBuf::from("/home/u/.ssh/global"),
                PathBuf::from("/home/u/.ssh/codecommit_rsa"),
                PathBuf::from(format!("/home/u/.ssh/{HOST} key")),
            ]
        );
        // The negated region falls through to `Host *`.
        let s = settings_with_home(text, "git-codecommit.us-east-1.amazonaws.com", Some(home));
        assert_eq!(s.user.as_deref(), Some("fallback"));
        // Case-insensitive keywords and host names; `?` matches one character.
        let s = settings_with_home("HOST Git-CodeCommit.??-west-1.*\n USER x", HOST, None);
        assert_eq!(s.user.as_deref(), Some("x"));
        assert_eq!(
            settings_with_home("Host other\n User x", HOST, None),
            SshSettings::default()
        );
    }

    #[test]
    fn host_patterns_match_the_name_without_the_port() {
        let text = "Host git-codecommit.*.amazonaws.com\n User APKA1\nHost ::1\n User local\n";
        for host in [
            "git-codecommit.eu-west-1.amazonaws.com:22",
            "GIT-CODECOMMIT.EU-WEST-1.AMAZONAWS.COM",
        ] {
            let s = settings_with_home(text, host, None);
            assert_eq!(s.user.as_deref(), Some("APKA1"), "{host}");
        }
        let s = settings_with_home(text, "[::1]:2222", None);
        assert_eq!(s.user.as_deref(), Some("local"));
    }

    #[test]
    fn host_name_port_and_identities_only_first_value_wins() {
        let text = "\
Host alias
  HostName %h.example.com
  Port 2222
  IdentitiesOnly yes
  IdentityFile ~/.ssh/%h
Host alias other
  HostName never
  Port 1
  IdentitiesOnly no
";
        let s = settings_with_home(text, "alias", Some(Path::new("/h")));
        assert_eq!(s.host_name.as_deref(), Some("alias.example.com"));
        assert_eq!(s.port, Some(2222));
        assert!(s.identities_only);
        // `%h` in IdentityFile is the host connected to, as ssh expands it.
        assert_eq!(
            s.identity_files,
            vec![PathBuf::from("/h/.ssh/alias.example.com")]
        );
        let s = settings_with_home(text, "other", None);
        assert_eq!((s.host_name.as_deref(), s.port), (Some("never"), Some(1)));
        assert!(!s.identities_only);
    }

    #[test]
    fn include_reads_globs_relative_to_dot_ssh_nested_and_scoped_to_its_block() {
        let home = tempfile::tempdir().unwrap();
        let ssh = home.path().join(".ssh");
        std::fs::create_dir_all(ssh.join("conf.d")).unwrap();
        std::fs::write(ssh.join("conf.d/b.conf"), "Host b\n  User from-b\n").unwrap();
        std::fs::write(
            ssh.join("conf.d/a.conf"),
            "Host a\n  User from-a\n  Include nested\n",
        )
        .unwrap();
        std::fs::write(ssh.join("nested"), "Port 2200\n").unwrap();
        std::fs::write(ssh.join("loop"), "Include loop\nUser looped\n").unwrap();
        let text = "Include conf.d/*.conf\nHost c\n  Include loop\n";
        let s = settings_with_home(text, "a", Some(home.path()));
        assert_eq!((s.user.as_deref(), s.port), (Some("from-a"), Some(2200)));
        let s = settings_with_home(text, "b", Some(home.path()));
        assert_eq!((s.user.as_deref(), s.port), (Some("from-b"), None));
        // An Include inside a block that does not apply gives nothing.
        assert_eq!(
            settings_with_home(text, "z", Some(home.path())),
            SshSettings::default()
        );
        // A file that includes itself stops at ssh's depth limit instead of looping.
        let s = settings_with_home(text, "c", Some(home.path()));
        assert_eq!(s.user.as_deref(), Some("looped"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYc"));
        assert!(!glob_match("a*b", "aXbY"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
    }

    #[test]
    fn ssh_auth_from_config_falls_back_to_default_keys() {
        let dir = tempfile::tempdir().unwrap();
        let ssh = dir.path().join(".ssh");
        std::fs::create_dir_all(&ssh).unwrap();
        std::fs::write(ssh.join("id_ed25519"), "k").unwrap();
        std::fs::write(ssh.join("cc"), "k").unwrap();
        let with = |config: &str| {
            std::fs::write(ssh.join("config"), config).unwrap();
            match ssh_auth_for_host(HOST, dir.path()) {
                Auth::Ssh {
                    user,
                    key_files,
                    known_hosts,
                    ..
                } => {
                    assert_eq!(known_hosts, ssh.join("known_hosts"));
                    (user, key_files)
                }
                other => panic!("{other:?}"),
            }
        };
        let config = "Host git-codecommit.*.amazonaws.com\n User APKA1\n IdentityFile ~/.ssh/cc\n IdentityFile ~/.ssh/missing\n";
        assert_eq!(with(config), ("APKA1".to_string(), vec![ssh.join("cc")]));
        assert_eq!(
            with("Host other\n User x\n"),
            (String::new(), vec![ssh.join("id_ed25519")])
        );
    }

    #[test]
    fn default_identity_files_lists_existing_keys_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".ssh")).unwrap();
        std::fs::write(dir.path().join(".ssh/id_rsa"), "k").unwrap();
        assert_eq!(
            default_identity_files(dir.path()),
            vec![dir.path().join(".ssh/id_rsa")]
        );
    }
}
