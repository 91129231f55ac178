//! Profile names from the shared AWS config and credentials files, for the profile picker.
//!
//! Only names are read here; resolving credentials stays with `aws-config`, which implements the
//! whole chain (SSO, assume-role, credential_process) exactly as the AWS CLI does.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A file that exists but could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ProfilesError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Profile names in `[profile NAME]` / `[default]` sections of a config file.
pub fn config_profiles(text: &str) -> Vec<String> {
    sections(text)
        .filter_map(|s| match s {
            "default" => Some("default".to_string()),
            other => other
                .strip_prefix("profile")
                .filter(|r| r.starts_with([' ', '\t']))
                .map(|r| r.trim().to_string()),
        })
        .collect()
}

/// Profile names in `[NAME]` sections of a credentials file.
pub fn credentials_profiles(text: &str) -> Vec<String> {
    sections(text).map(str::to_string).collect()
}

fn sections(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let line = line.trim();
        line.strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    })
}

/// Reads both files (a missing file is no profile, not an error); `default` first, then by name.
pub fn read_profiles(
    config: Option<&Path>,
    credentials: Option<&Path>,
) -> Result<Vec<String>, ProfilesError> {
    let read = |path: Option<&Path>| -> Result<String, ProfilesError> {
        match path {
            None => Ok(String::new()),
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => Ok(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
                Err(source) => Err(ProfilesError {
                    path: p.to_path_buf(),
                    source,
                }),
            },
        }
    };
    let mut names: BTreeSet<String> = config_profiles(&read(config)?).into_iter().collect();
    names.extend(credentials_profiles(&read(credentials)?));
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    if names.remove("default") {
        out.push("default".to_string());
    }
    out.extend(names);
    Ok(out)
}

/// Where the AWS CLI looks for the two files: the `AWS_CONFIG_FILE` and
/// `AWS_SHARED_CREDENTIALS_FILE` variables, else `~/.aws/config` and `~/.aws/credentials`.
pub fn default_files() -> (Option<PathBuf>, Option<PathBuf>) {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().join(".aws"));
    let from_env = |var: &str, file: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(file)))
    };
    (
        from_env("AWS_CONFIG_FILE", "config"),
        from_env("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_like_the_cli() {
        let config = "[default]\nregion=eu-west-1\n[profile dev]\nsso_session = x\n[sso-session x]\n[profilebad]\n";
        assert_eq!(config_profiles(config), vec!["default", "dev"]);
        assert_eq!(
            credentials_profiles("[ci]\naws_access_key_id=A\n [ prod ] \n"),
            vec!["ci", "prod"]
        );
    }

    #[test]
    fn merges_files_default_first_and_tolerates_missing_ones()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("config");
        std::fs::write(&config, "[profile zeta]\n[default]\n")?;
        let credentials = dir.path().join("credentials");
        std::fs::write(&credentials, "[alpha]\n[zeta]\n")?;
        assert_eq!(
            read_profiles(Some(&config), Some(&credentials))?,
            vec!["default", "alpha", "zeta"]
        );
        assert_eq!(
            read_profiles(Some(&dir.path().join("none")), None)?,
            Vec::<String>::new()
        );
        Ok(())
    }
}
