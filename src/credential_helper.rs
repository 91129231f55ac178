//! `cctui credential-helper`: git's credential protocol, answered with CodeCommit git passwords
//! computed from the user's AWS credentials (the same algorithm, profile and region resolution
//! as the app; see [`crate::aws::git_password`]).
//!
//! Git runs `cctui credential-helper <operation>` and writes `key=value` lines to its stdin,
//! ending with a blank line:
//!
//! - `get`: answer `username=…` and `password=…` on stdout, or nothing (git then asks the next
//!   helper);
//! - `store`, `erase` and any other operation: read the input, do nothing, exit 0 (the password
//!   is computed on every request; there is nothing to store).
//!
//! # Which hosts get an answer
//!
//! | host git asks about | protocol | host signed | region |
//! |---|---|---|---|
//! | `git-codecommit[-fips].<region>.amazonaws.com[.cn]`, `vpce-….git-codecommit[-fips].<region>.vpce.amazonaws.com` | `https` | the host name without port (as the AWS CLI) | from the host |
//! | loopback by address: `localhost`, `127.0.0.0/8`, `[::1]` (`cctui serve`, `cctui --demo`); not look-alikes such as `localhost.evil.com` or `127.0.0.1.nip.io` | `http` or `https` | the host as git sent it (with its port) | `--region`, else environment, else profile |
//! | any other host, only with `--any-host` | `https` | the host name without port | `--region`, else environment, else profile |
//!
//! Everything else gets no answer. Credentials never go over plain HTTP except to loopback.
//!
//! The password signs the repository path, which git sends only with
//! `credential.useHttpPath true`; without it, `get` fails (exit 1) with that hint.
//!
//! The helper makes no API call, so `--endpoint-url` plays no part; `--profile` and `--region`
//! resolve exactly as in the app (through [`Clients`]).
//!
//! Secrets are printed on stdout to git only: never to stderr or the log, and errors name no
//! key at all.

use std::io::{self, BufRead, Write};
use std::time::Duration;

use crate::aws::client::{Clients, Target};
use crate::aws::error::AwsError;
use crate::aws::git_password::{GitLogin, git_login};
use crate::model::{Access, Host, Scheme, access_for_host};

/// How long resolving credentials and region may take (SSO, assume-role, credential_process,
/// instance metadata) before the helper gives up.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(60);

/// Options of the helper, from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelperOptions {
    /// `--profile`; `None` means `AWS_PROFILE`, else the default chain.
    pub profile: Option<String>,
    /// `--region`, used when the host does not name one.
    pub region: Option<String>,
    /// `--any-host`: also answer for hosts that are neither CodeCommit nor loopback.
    pub any_host: bool,
}

/// What git sent: the attributes the helper uses (others are ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialRequest {
    /// `protocol` (`https`, `http`).
    pub protocol: Option<String>,
    /// `host`, with `:port` when the URL had one.
    pub host: Option<String>,
    /// `path` without its leading slash (`v1/repos/name`); sent only with `useHttpPath`.
    pub path: Option<String>,
}

/// Reads `key=value` lines until a blank line or the end of input. A `url=` line sets
/// protocol, host and path, as in `git credential fill`; unknown keys are ignored.
pub fn read_request(input: impl BufRead) -> io::Result<CredentialRequest> {
    let mut request = CredentialRequest::default();
    for line in input.lines() {
        let line = line?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key {
            "protocol" => request.protocol = Some(value.to_string()),
            "host" => request.host = Some(value.to_string()),
            "path" => request.path = Some(value.to_string()),
            "url" => {
                if let Some((protocol, rest)) = value.split_once("://") {
                    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                    let host = authority.rsplit('@').next().unwrap_or(authority);
                    request.protocol = Some(protocol.to_string());
                    request.host = Some(host.to_string());
                    request.path = (!path.is_empty()).then(|| path.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(request)
}

/// What `get` will sign, decided from the request alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Print nothing: not a host this helper answers for (git asks the next helper).
    Skip,
    /// Sign `path` on `host`.
    Sign {
        /// The host in the canonical request.
        host: String,
        /// `/v1/repos/<name>`.
        path: String,
        /// The region from the host name, if it has one.
        region: Option<String>,
    },
}

/// Decides whether and what to sign for a `get` request (see the module docs for the rule,
/// [`crate::model::access_for_host`] for the one implementation of it).
pub fn plan(request: &CredentialRequest, options: &HelperOptions) -> Result<Plan, HelperError> {
    let Some(host) = request.host.as_deref().filter(|h| !h.is_empty()) else {
        return Ok(Plan::Skip);
    };
    // A host that does not parse (or a protocol we do not know) is none of ours: git asks the
    // next helper.
    let Ok(parsed) = Host::parse(host) else {
        return Ok(Plan::Skip);
    };
    let Some(scheme) = request.protocol.as_deref().and_then(Scheme::from_protocol) else {
        return Ok(Plan::Skip);
    };
    let (sign_host, region) = match access_for_host(scheme, &parsed, options.any_host) {
        // CodeCommit: the bare host name, as the AWS CLI signs it.
        Access::IamPassword {
            region: Some(region),
        } => (parsed.name().to_string(), Some(region)),
        // The local service checks the Host header git sent, port included.
        Access::IamPassword { region: None } if parsed.is_loopback() => (host.to_string(), None),
        Access::IamPassword { region: None } => (parsed.name().to_string(), None),
        Access::Ssh | Access::GitCredentials => return Ok(Plan::Skip),
    };
    let path = request
        .path
        .as_deref()
        .map(|p| p.trim_start_matches('/'))
        .filter(|p| !p.is_empty())
        .ok_or(HelperError::MissingPath)?;
    Ok(Plan::Sign {
        host: sign_host,
        path: format!("/{path}"),
        region,
    })
}

/// Why the helper failed. Messages name no secret and no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelperError {
    /// Git did not send the path (`credential.useHttpPath` is off).
    #[error(
        "git did not send the repository path, which the CodeCommit git password signs. \
         Run: git config --global credential.useHttpPath true"
    )]
    MissingPath,
    /// No region in the host name, the options, the environment or the profile.
    #[error(
        "no AWS region for {host}{}. Pass --region REGION to the helper, set AWS_REGION, or set a region in the profile",
        profile_suffix(.profile)
    )]
    NoRegion {
        /// The host git asked about.
        host: String,
        /// The profile in use.
        profile: Option<String>,
    },
    /// Credentials or region could not be resolved in time.
    #[error("resolving AWS credentials{} took longer than {seconds} s", profile_suffix(.profile))]
    Timeout {
        /// The profile in use.
        profile: Option<String>,
        /// The limit.
        seconds: u64,
    },
    /// The AWS credential chain failed.
    #[error("{0}")]
    Aws(AwsError),
    /// A credential value cannot be written in git's line protocol.
    #[error(
        "the AWS credentials contain a line break, which git's credential protocol cannot carry"
    )]
    BadCredentialValue,
    /// Reading stdin or writing stdout failed.
    #[error("credential protocol I/O failed: {0}")]
    Io(String),
}

fn profile_suffix(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" (profile {p})"))
        .unwrap_or_default()
}

impl HelperError {
    /// What to do about it, worded for a git user (not for the terminal UI).
    pub fn hint(&self) -> Option<String> {
        let profile_flag = |profile: &Option<String>| {
            profile
                .as_ref()
                .map(|p| format!(" --profile {p}"))
                .unwrap_or_default()
        };
        match self {
            HelperError::Aws(AwsError::NoCredentials { profile }) => Some(format!(
                "Run `aws configure{0}` (or `aws sso login{0}`), set AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, or give the helper a profile: \
                 git config --global credential.helper '!cctui credential-helper --profile NAME'",
                profile_flag(profile)
            )),
            HelperError::Aws(AwsError::SsoExpired { profile }) => Some(format!(
                "Run `aws sso login{}`, then run the git command again.",
                profile_flag(profile)
            )),
            HelperError::Timeout { .. } => Some(
                "Check the profile's credential_process, SSO or assume-role settings and the network.".into(),
            ),
            _ => None,
        }
    }

    /// The message and its hint, as the binary prints them on stderr.
    pub fn report(&self) -> String {
        match self.hint() {
            Some(hint) => format!("credential-helper: {self}\nhint: {hint}"),
            None => format!("credential-helper: {self}"),
        }
    }
}

impl From<io::Error> for HelperError {
    fn from(error: io::Error) -> Self {
        HelperError::Io(error.to_string())
    }
}

/// Resolves keys (and the region when the host names none) and computes the login for a
/// [`Plan::Sign`] at `unix_seconds`. `Ok(None)` for [`Plan::Skip`].
pub async fn login_for(
    plan: &Plan,
    options: &HelperOptions,
    clients: &Clients,
    unix_seconds: i64,
) -> Result<Option<GitLogin>, HelperError> {
    let Plan::Sign { host, path, region } = plan else {
        return Ok(None);
    };
    let target = Target {
        profile: options.profile.clone(),
        region: options.region.clone(),
        endpoint: None,
    };
    let timeout = || HelperError::Timeout {
        profile: target.profile.clone(),
        seconds: RESOLVE_TIMEOUT.as_secs(),
    };
    let region = match region {
        Some(region) => region.clone(),
        None => tokio::time::timeout(RESOLVE_TIMEOUT, clients.region_of(&target))
            .await
            .map_err(|_| timeout())?
            .ok_or_else(|| HelperError::NoRegion {
                host: host.clone(),
                profile: target.profile.clone(),
            })?,
    };
    let keys = tokio::time::timeout(RESOLVE_TIMEOUT, clients.keys(&target))
        .await
        .map_err(|_| timeout())?
        .map_err(HelperError::Aws)?;
    Ok(Some(git_login(&keys, host, path, &region, unix_seconds)))
}

/// Writes the answer git reads: `username=…` and `password=…`.
pub fn write_login(mut output: impl Write, login: &GitLogin) -> Result<(), HelperError> {
    let (username, password) = (login.username.expose(), login.password.expose());
    let unfit = |s: &str| s.contains(['\n', '\r', '\0']);
    if unfit(username) || unfit(password) {
        return Err(HelperError::BadCredentialValue);
    }
    write!(output, "username={username}\npassword={password}\n")?;
    output.flush()?;
    Ok(())
}

/// Runs one helper invocation: reads git's request from `input`, answers `get` on `output`.
pub async fn run(
    operation: &str,
    options: &HelperOptions,
    clients: &Clients,
    input: impl BufRead,
    output: impl Write,
) -> Result<(), HelperError> {
    let request = read_request(input)?;
    if operation != "get" {
        // `store`, `erase`, and operations added to git later: nothing to do.
        return Ok(());
    }
    let plan = plan(&request, options)?;
    if let Some(login) = login_for(&plan, options, clients, unix_now()).await? {
        write_login(output, &login)?;
    }
    Ok(())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn request(protocol: &str, host: &str, path: Option<&str>) -> CredentialRequest {
        CredentialRequest {
            protocol: Some(protocol.into()),
            host: Some(host.into()),
            path: path.map(str::to_string),
        }
    }

    #[test]
    fn reads_until_the_blank_line_and_ignores_unknown_keys() {
        let input = "protocol=https\nhost=git-codecommit.eu-west-1.amazonaws.com\n\
                     capability[]=authtype\nwwwauth[]=Basic realm=\"x\"\npath=v1/repos/app\n\n\
                     host=after-the-blank-line\n";
        let parsed = read_request(input.as_bytes()).unwrap();
        assert_eq!(
            parsed,
            request(
                "https",
                "git-codecommit.eu-west-1.amazonaws.com",
                Some("v1/repos/app")
            )
        );
        assert_eq!(
            read_request("".as_bytes()).unwrap(),
            CredentialRequest::default()
        );
    }

    #[test]
    fn url_lines_set_protocol_host_and_path() {
        let parsed =
            read_request("url=http://someone@127.0.0.1:8080/v1/repos/app\n".as_bytes()).unwrap();
        assert_eq!(
            parsed,
            request("http", "127.0.0.1:8080", Some("v1/repos/app"))
        );
    }

    #[test]
    fn look_alikes_of_loopback_get_no_answer_and_real_loopback_does() {
        let path = Some("v1/repos/app");
        for host in [
            "localhost.evil.com",
            "127.0.0.1.nip.io:8080",
            "127.0.0.1.evil.com",
        ] {
            for protocol in ["http", "https"] {
                assert_eq!(
                    plan(&request(protocol, host, path), &HelperOptions::default()).unwrap(),
                    Plan::Skip,
                    "{protocol}://{host}"
                );
            }
        }
        for host in ["[::1]:9000", "127.8.9.10", "LOCALHOST:8080"] {
            assert_eq!(
                plan(&request("http", host, path), &HelperOptions::default()).unwrap(),
                Plan::Sign {
                    host: host.into(),
                    path: "/v1/repos/app".into(),
                    region: None
                },
                "{host}"
            );
        }
    }

    #[test]
    fn vpc_endpoint_hosts_sign_with_their_region() {
        let host = "vpce-0b7d2ee1a9c64c43e-jjkw7nlu.git-codecommit.us-east-2.vpce.amazonaws.com";
        assert_eq!(
            plan(
                &request("https", &format!("{host}:443"), Some("v1/repos/app")),
                &HelperOptions::default()
            )
            .unwrap(),
            Plan::Sign {
                host: host.into(),
                path: "/v1/repos/app".into(),
                region: Some("us-east-2".into()),
            }
        );
        assert_eq!(
            plan(
                &request("http", host, Some("v1/repos/app")),
                &HelperOptions::default()
            )
            .unwrap(),
            Plan::Skip,
            "never over plain HTTP"
        );
    }

    #[test]
    fn codecommit_hosts_sign_the_bare_host_and_their_own_region() {
        let options = HelperOptions {
            region: Some("us-west-2".into()),
            ..HelperOptions::default()
        };
        let plan = plan(
            &request(
                "https",
                "git-codecommit.eu-west-1.amazonaws.com:443",
                Some("v1/repos/app"),
            ),
            &options,
        )
        .unwrap();
        assert_eq!(
            plan,
            Plan::Sign {
                host: "git-codecommit.eu-west-1.amazonaws.com".into(),
                path: "/v1/repos/app".into(),
                region: Some("eu-west-1".into()),
            }
        );
    }

    #[test]
    fn loopback_hosts_sign_the_host_as_sent_over_http_or_https() {
        for protocol in ["http", "https"] {
            let plan = plan(
                &request(protocol, "127.0.0.1:5000", Some("/v1/repos/app")),
                &HelperOptions::default(),
            )
            .unwrap();
            assert_eq!(
                plan,
                Plan::Sign {
                    host: "127.0.0.1:5000".into(),
                    path: "/v1/repos/app".into(),
                    region: None,
                }
            );
        }
    }

    #[test]
    fn other_hosts_and_plain_http_to_aws_get_no_answer() {
        let skip = |r: CredentialRequest, any_host: bool| {
            let options = HelperOptions {
                any_host,
                ..HelperOptions::default()
            };
            plan(&r, &options).unwrap()
        };
        let path = Some("v1/repos/app");
        assert_eq!(
            skip(request("https", "github.com", path), false),
            Plan::Skip
        );
        assert_eq!(
            skip(
                request("http", "git-codecommit.eu-west-1.amazonaws.com", path),
                true
            ),
            Plan::Skip,
            "never over plain HTTP to a remote host"
        );
        assert_eq!(
            skip(request("http", "proxy.example", path), true),
            Plan::Skip
        );
        assert_eq!(skip(request("ssh", "127.0.0.1", path), false), Plan::Skip);
        assert_eq!(skip(CredentialRequest::default(), true), Plan::Skip);
        // Unknown hosts get no answer even without a path: git goes on to the next helper.
        assert_eq!(
            skip(request("https", "github.com", None), false),
            Plan::Skip
        );
        assert_eq!(
            skip(request("https", "proxy.example:8443", path), true),
            Plan::Sign {
                host: "proxy.example".into(),
                path: "/v1/repos/app".into(),
                region: None
            }
        );
    }

    #[test]
    fn a_missing_path_is_an_error_with_the_use_http_path_hint() {
        for path in [None, Some(""), Some("/")] {
            let error = plan(
                &request("https", "git-codecommit.eu-west-1.amazonaws.com", path),
                &HelperOptions::default(),
            )
            .unwrap_err();
            assert_eq!(error, HelperError::MissingPath);
            assert!(
                error
                    .report()
                    .contains("git config --global credential.useHttpPath true")
            );
        }
    }

    #[tokio::test]
    async fn store_and_erase_answer_nothing() {
        let input = "protocol=https\nhost=git-codecommit.eu-west-1.amazonaws.com\n\n";
        for operation in ["store", "erase", "future-operation"] {
            let mut output = Vec::new();
            run(
                operation,
                &HelperOptions::default(),
                &Clients::new(),
                input.as_bytes(),
                &mut output,
            )
            .await
            .unwrap();
            assert!(output.is_empty(), "{operation}");
        }
    }

    #[tokio::test]
    async fn get_signs_with_the_host_region_and_static_keys() {
        let clients = Clients::with_credentials(crate::aws::client::StaticCredentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
                .to_string()
                .into(),
            session_token: None,
        });
        let plan = plan(
            &request(
                "https",
                "git-codecommit.eu-west-1.amazonaws.com",
                Some("v1/repos/MyDemoRepo"),
            ),
            &HelperOptions::default(),
        )
        .unwrap();
        // The instant of git_password's Python vector: same input, same password.
        let login = login_for(&plan, &HelperOptions::default(), &clients, 1_795_640_088)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            login.password.expose(),
            "20261125T205448Zafc50b60f110a9a3feac100ddeaeedd8f1c5e3b4f7129e64213ca9cd9a11b677"
        );
        let mut output = Vec::new();
        write_login(&mut output, &login).unwrap();
        assert_eq!(
            String::from_utf8(output).unwrap(),
            format!(
                "username=AKIAIOSFODNN7EXAMPLE\npassword={}\n",
                login.password.expose()
            )
        );
    }

    #[test]
    fn line_breaks_in_credentials_are_refused() {
        let keys = crate::aws::git_password::AwsKeys {
            access_key_id: "AKID".into(),
            secret_access_key: "s".to_string().into(),
            session_token: Some("tok\nen".to_string().into()),
        };
        let login = git_login(&keys, "h", "/v1/repos/r", "us-east-1", 0);
        let mut output = Vec::new();
        assert_eq!(
            write_login(&mut output, &login),
            Err(HelperError::BadCredentialValue)
        );
        assert!(output.is_empty());
    }
}
