//! What of the AWS setup is missing, found by reading the environment and the two shared files
//! the way the SDK's default chain would, without calling AWS. Without it, a laptop with no AWS
//! setup waits for the instance metadata service and reports *that* — not what the user lacks.

use std::path::Path;

use crate::aws::client::Target;

/// What is missing from the AWS setup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetupReport {
    /// No credentials anywhere the SDK looks before the instance metadata service
    /// (environment, profile files, SSO, web identity, containers).
    pub no_credentials: bool,
    /// The profile asked for is in neither file.
    pub unknown_profile: Option<String>,
    /// No region from the command line, the environment or the profile.
    pub no_region: bool,
    /// The region the SDK will use when the command line names none: the environment's,
    /// else the profile's. The header shows it before any call succeeds.
    pub region: Option<String>,
}

impl SetupReport {
    /// Whether nothing is missing.
    pub fn complete(&self) -> bool {
        !self.no_credentials && self.unknown_profile.is_none() && !self.no_region
    }
}

/// Keys of a profile that give it credentials, directly or through another mechanism.
const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "role_arn",
    "web_identity_token_file",
    "credential_source",
    "login_session",
];

/// Environment variables that give the default chain credentials without a profile file.
const CREDENTIAL_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

/// Reads the files the AWS CLI reads and the environment; blocking (small files).
pub fn check(target: &Target) -> SetupReport {
    let (config, credentials) = crate::aws::profiles::default_files();
    let read = |path: Option<&Path>| {
        path.and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default()
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // On EC2 (and in ECS tasks) the instance or task role is the credential source the SDK
    // falls back to: nothing is missing there, whatever the files say.
    let environment = CREDENTIAL_VARIABLES.iter().any(|v| env(v).is_some()) || on_aws_compute();
    let profile = target
        .profile
        .clone()
        .or_else(|| env("AWS_PROFILE"))
        .unwrap_or_else(|| "default".into());
    let mut report = evaluate(
        &read(config.as_deref()),
        &read(credentials.as_deref()),
        &profile,
        target.profile.is_some() || env("AWS_PROFILE").is_some(),
        environment,
        target.region.is_some()
            || env("AWS_REGION").is_some()
            || env("AWS_DEFAULT_REGION").is_some()
            || on_aws_compute(),
    );
    if let Some(region) = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")) {
        report.region = Some(region);
    }
    report
}

/// Whether this machine is an EC2 instance or an ECS task (its DMI data or environment says
/// so; no network probe): the instance or task role is then the SDK's credential source.
fn on_aws_compute() -> bool {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    read("/sys/class/dmi/id/board_asset_tag").starts_with("i-")
        || read("/sys/class/dmi/id/sys_vendor").contains("Amazon EC2")
        || std::env::var_os("ECS_CONTAINER_METADATA_URI_V4").is_some()
}

/// The decision, from the files' text: testable without touching the environment.
pub fn evaluate(
    config: &str,
    credentials: &str,
    profile: &str,
    profile_named: bool,
    environment_credentials: bool,
    region_given: bool,
) -> SetupReport {
    // The SDK reads `[profile default]` before `[default]`, and merges both files.
    let in_config = section_keys(config, &format!("profile {profile}")).or_else(|| {
        (profile == "default")
            .then(|| section_keys(config, "default"))
            .flatten()
    });
    let in_credentials = section_keys(credentials, profile);
    let known = in_config.is_some() || in_credentials.is_some();
    let has = |keys: &Option<Vec<(String, String)>>| {
        keys.as_ref().is_some_and(|keys| {
            keys.iter()
                .any(|(k, _)| CREDENTIAL_KEYS.contains(&k.as_str()))
        })
    };
    let profile_credentials = has(&in_config) || has(&in_credentials);
    let region_of = |keys: &Option<Vec<(String, String)>>| {
        keys.as_ref().and_then(|keys| {
            keys.iter()
                .find(|(k, v)| k == "region" && !v.is_empty())
                .map(|(_, v)| v.clone())
        })
    };
    let profile_region = region_of(&in_config).or_else(|| region_of(&in_credentials));
    SetupReport {
        no_credentials: !environment_credentials && !profile_credentials,
        unknown_profile: (profile_named && !known).then(|| profile.to_string()),
        no_region: !region_given && profile_region.is_none(),
        region: profile_region,
    }
}

/// The `key = value` pairs of the section `[name]`, or `None` when there is no such section.
fn section_keys(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut found = None;
    let mut current = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
            current = section == name;
            if current && found.is_none() {
                found = Some(Vec::new());
            }
            continue;
        }
        if current
            && let Some((key, value)) = line.split_once('=')
            && let Some(keys) = found.as_mut()
        {
            keys.push((key.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_at_all_misses_credentials_and_region() {
        let report = evaluate("", "", "default", false, false, false);
        assert!(report.no_credentials && report.no_region);
        assert_eq!(report.unknown_profile, None);
    }

    #[test]
    fn a_profile_with_keys_and_a_region_is_complete() {
        let config = "[profile dev]\nregion = eu-west-1\n";
        let credentials = "[dev]\naws_access_key_id = AKIA\naws_secret_access_key = x\n";
        let report = evaluate(config, credentials, "dev", true, false, false);
        assert!(report.complete());
        // The header can name the region before any call succeeds.
        assert_eq!(report.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn sso_and_assume_role_profiles_have_credentials() {
        for key in [
            "sso_session = corp",
            "role_arn = arn:aws:iam::1:role/x",
            "credential_process = x",
        ] {
            let config = format!("[default]\nregion = us-east-1\n{key}\n");
            assert!(
                evaluate(&config, "", "default", false, false, false).complete(),
                "{key}"
            );
        }
    }

    #[test]
    fn a_named_profile_that_is_nowhere_is_reported() {
        let report = evaluate(
            "[default]\nregion=us-east-1\n",
            "",
            "prod",
            true,
            true,
            true,
        );
        assert_eq!(report.unknown_profile.as_deref(), Some("prod"));
        assert!(!report.no_region);
    }

    #[test]
    fn profile_default_and_a_region_in_the_credentials_file_count() {
        let config = "[profile default]\nregion = eu-west-1\ncredential_process = x\n";
        assert!(evaluate(config, "", "default", false, false, false).complete());
        let credentials = "[dev]\naws_access_key_id = A\nregion = us-east-2\n";
        assert!(evaluate("", credentials, "dev", true, false, false).complete());
    }

    #[test]
    fn environment_credentials_count_without_files() {
        let report = evaluate("", "", "default", false, true, true);
        assert!(report.complete());
    }
}
