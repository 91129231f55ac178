//! Where `cctui serve` takes its secrets from: a file, an environment variable or a profile of
//! the shared credentials file — never necessarily the command line, which every user of the
//! machine can read (`ps`, `/proc/<pid>/cmdline`).

use std::path::{Path, PathBuf};

use crate::local::ServeError;
use crate::secret::Secret;

/// Environment variable holding the secret access key for `--access-key`.
pub const SECRET_KEY_ENV: &str = "CCTUI_SERVE_SECRET_KEY";
/// Environment variable holding the session token for `--access-key`.
pub const SESSION_TOKEN_ENV: &str = "CCTUI_SERVE_SESSION_TOKEN";
/// Environment variable holding the static git password for `--git-user`.
pub const GIT_PASSWORD_ENV: &str = "CCTUI_SERVE_GIT_PASSWORD";

/// Where a secret came from, for the banner (which shows the source, never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// The public demo credentials.
    Demo,
    /// A command-line flag (visible to other users; discouraged).
    CommandLine(&'static str),
    /// A file.
    File(PathBuf),
    /// An environment variable.
    Environment(&'static str),
    /// A profile of the shared credentials file.
    Profile(String, PathBuf),
}

impl std::fmt::Display for SecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SecretSource::Demo => write!(f, "public demo secret"),
            SecretSource::CommandLine(flag) => write!(f, "from {flag}"),
            SecretSource::File(path) => write!(f, "from {}", path.display()),
            SecretSource::Environment(name) => write!(f, "from ${name}"),
            SecretSource::Profile(name, path) => {
                write!(f, "from profile {name} in {}", path.display())
            }
        }
    }
}

/// Reads a secret from `path`: the whole file less surrounding whitespace (a trailing newline
/// is what editors and `echo` leave).
pub fn read_secret_file(path: &Path) -> Result<Secret<String>, ServeError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ServeError::InvalidOption(format!(
            "cannot read the secret file {}: {e}",
            path.display()
        ))
    })?;
    let secret = text.trim();
    if secret.is_empty() {
        return Err(ServeError::InvalidOption(format!(
            "the secret file {} is empty",
            path.display()
        )));
    }
    Ok(Secret::new(secret.to_string()))
}

/// Long-term or temporary credentials of one profile.
#[derive(Debug, Clone)]
pub struct ProfileCredentials {
    /// `aws_access_key_id`.
    pub access_key_id: String,
    /// `aws_secret_access_key`.
    pub secret_access_key: Secret<String>,
    /// `aws_session_token`, if any.
    pub session_token: Option<Secret<String>>,
}

/// The shared credentials file: `$AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
pub fn shared_credentials_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = env("AWS_SHARED_CREDENTIALS_FILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| Path::new(&home).join(".aws").join("credentials"))
}

/// Reads profile `name` of the INI file `path` (`[name]`, `key = value`, `#`/`;` comments).
pub fn read_profile(path: &Path, name: &str) -> Result<ProfileCredentials, ServeError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ServeError::InvalidOption(format!(
            "cannot read the credentials file {}: {e}",
            path.display()
        ))
    })?;
    let (mut key, mut secret, mut token) = (None, None, None);
    let mut in_profile = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            in_profile = section == name || section.strip_prefix("profile ") == Some(name);
            continue;
        }
        if !in_profile {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let value = v.trim().to_string();
            match k.trim() {
                "aws_access_key_id" => key = Some(value),
                "aws_secret_access_key" => secret = Some(value),
                "aws_session_token" => token = Some(value),
                _ => {}
            }
        }
    }
    match (key, secret) {
        (Some(access_key_id), Some(secret)) if !access_key_id.is_empty() && !secret.is_empty() => {
            Ok(ProfileCredentials {
                access_key_id,
                secret_access_key: Secret::new(secret),
                session_token: token.filter(|t| !t.is_empty()).map(Secret::new),
            })
        }
        _ => Err(ServeError::InvalidOption(format!(
            "profile {name} in {} has no aws_access_key_id and aws_secret_access_key",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn profiles_are_read_by_name_and_comments_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(
            &path,
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n\
             # the service's own\n[serve]\naws_access_key_id=AKIASERVE\n\
             aws_secret_access_key = s3cr3t/x+y\naws_session_token = tok\n",
        )
        .unwrap();
        let profile = read_profile(&path, "serve").unwrap();
        assert_eq!(profile.access_key_id, "AKIASERVE");
        assert_eq!(profile.secret_access_key.expose(), "s3cr3t/x+y");
        assert_eq!(profile.session_token.unwrap().expose(), "tok");
        assert!(read_profile(&path, "missing").is_err());
    }

    #[test]
    fn secret_files_are_trimmed_and_must_not_be_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, "abc/def\n").unwrap();
        assert_eq!(read_secret_file(&path).unwrap().expose(), "abc/def");
        std::fs::write(&path, "\n").unwrap();
        assert!(read_secret_file(&path).is_err());
        assert!(read_secret_file(&dir.path().join("none")).is_err());
    }
}
