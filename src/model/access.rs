//! Which credentials a remote may get: one rule for clone, push/fetch and the credential helper.
//!
//! An IAM git password is a SigV4 signature made with the user's AWS keys: whoever receives it
//! can replay it against CodeCommit for a few minutes. So it goes only where CodeCommit (or the
//! local service) listens:
//!
//! | scheme | host | credentials |
//! |---|---|---|
//! | `https` | a CodeCommit git host (regional, FIPS, China, VPC endpoint) | IAM password, the host's region |
//! | `https`, `http` | loopback (`localhost`, 127.0.0.0/8, `::1`) | IAM password, the caller's region |
//! | `https` | any other, only when explicitly asked (`--any-host`) | IAM password, the caller's region |
//! | `ssh` | any | SSH keys |
//! | `codecommit://` | none | IAM password (git-remote-codecommit signs too) |
//! | anything else | | git's own credentials, never the AWS keys |
//!
//! Plain `http` to a remote host never gets one: it would travel in clear text.

use super::host::Host;
use super::url::{RemoteUrl, Scheme};

/// The credentials a remote gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// An IAM git password. `region` is the host's or the URL's; `None` means the caller's
    /// (profile, `--region`, session).
    IamPassword {
        /// The signing region named by the host or URL.
        region: Option<String>,
    },
    /// SSH keys and agent.
    Ssh,
    /// git's own credentials (credential helpers, HTTPS Git credentials typed by the user):
    /// never anything made from the AWS keys.
    GitCredentials,
}

/// The credentials for `scheme` to `host`; `any_host` is the user's explicit "sign for this
/// HTTPS host too" (the credential helper's `--any-host`).
pub fn access_for_host(scheme: Scheme, host: &Host, any_host: bool) -> Access {
    match scheme {
        Scheme::Ssh => Access::Ssh,
        Scheme::Https => match host.git_region() {
            Some(region) => Access::IamPassword {
                region: Some(region),
            },
            None if host.is_loopback() || any_host => Access::IamPassword { region: None },
            None => Access::GitCredentials,
        },
        Scheme::Http if host.is_loopback() => Access::IamPassword { region: None },
        Scheme::Http => Access::GitCredentials,
        // A codecommit:// URL names no host; with one, treat it as the HTTPS it becomes.
        Scheme::Codecommit => access_for_host(Scheme::Https, host, any_host),
    }
}

/// The credentials for a remote URL (clone, push, fetch, pull).
pub fn access_for(url: &RemoteUrl, any_host: bool) -> Access {
    match (&url.host, url.scheme) {
        (Some(host), scheme) => access_for_host(scheme, host, any_host),
        (None, _) => Access::IamPassword {
            region: url.region.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn access(url: &str) -> Access {
        access_for(&RemoteUrl::parse(url).unwrap(), false)
    }

    fn iam(region: Option<&str>) -> Access {
        Access::IamPassword {
            region: region.map(str::to_string),
        }
    }

    #[test]
    fn iam_passwords_go_to_codecommit_over_https_and_to_loopback() {
        for (url, expected) in [
            (
                "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/a",
                iam(Some("eu-west-1")),
            ),
            (
                "https://git-codecommit-fips.us-gov-west-1.amazonaws.com/v1/repos/a",
                iam(Some("us-gov-west-1")),
            ),
            (
                "https://vpce-0b7d2ee1a9c64c43e-jjkw7nlu.git-codecommit.us-east-2.vpce.amazonaws.com/v1/repos/a",
                iam(Some("us-east-2")),
            ),
            ("http://127.0.0.1:5000/v1/repos/a", iam(None)),
            ("http://127.8.9.10/v1/repos/a", iam(None)),
            ("https://localhost:8443/v1/repos/a", iam(None)),
            ("http://[::1]:9000/v1/repos/a", iam(None)),
            ("codecommit::eu-west-1://dev@a", iam(Some("eu-west-1"))),
            ("codecommit://a", iam(None)),
            (
                "ssh://APKA1@git-codecommit.eu-west-1.amazonaws.com/v1/repos/a",
                Access::Ssh,
            ),
            ("git@github.com:team/repo.git", Access::Ssh),
        ] {
            assert_eq!(access(url), expected, "{url}");
        }
    }

    #[test]
    fn look_alikes_and_plain_http_get_no_aws_credentials() {
        for url in [
            "http://localhost.evil.com/v1/repos/a",
            "https://localhost.evil.com/v1/repos/a",
            "http://127.0.0.1.nip.io:8080/v1/repos/a",
            "http://127.0.0.1.evil.com/v1/repos/a",
            "http://git-codecommit.eu-west-1.amazonaws.com/v1/repos/a",
            "https://git-codecommit.eu-west-1.amazonaws.com.evil.com/v1/repos/a",
            "https://git-codecommit.evil.example.com/v1/repos/a",
            "https://codecommit.eu-west-1.amazonaws.com/v1/repos/a",
            "https://github.com/team/repo.git",
        ] {
            assert_eq!(access(url), Access::GitCredentials, "{url}");
        }
    }

    #[test]
    fn any_host_opens_https_only() {
        let host = Host::parse("proxy.example:8443").unwrap();
        assert_eq!(access_for_host(Scheme::Https, &host, true), iam(None));
        assert_eq!(
            access_for_host(Scheme::Https, &host, false),
            Access::GitCredentials
        );
        assert_eq!(
            access_for_host(Scheme::Http, &host, true),
            Access::GitCredentials
        );
        let evil = Host::parse("localhost.evil.com").unwrap();
        assert_eq!(
            access_for_host(Scheme::Http, &evil, true),
            Access::GitCredentials
        );
    }
}

/// Where typed git credentials belong: `scheme://host[:port]` of a URL. A login typed for
/// `https://h` is never offered to `http://h` (clear text) or to another port of `h`.
pub fn credential_scope(url: &str) -> Option<String> {
    let url = RemoteUrl::parse(url).ok()?;
    let scheme = match url.scheme {
        Scheme::Https => "https",
        Scheme::Http => "http",
        Scheme::Ssh | Scheme::Codecommit => return None,
    };
    Some(format!("{scheme}://{}", url.host?))
}

#[cfg(test)]
mod scope_tests {
    use super::credential_scope;

    #[test]
    fn the_scope_keeps_scheme_host_and_port_apart() {
        let scope = |u: &str| credential_scope(u);
        assert_eq!(
            scope("https://Git.Example.com/v1/repos/a").as_deref(),
            Some("https://git.example.com")
        );
        assert_ne!(scope("https://h/x"), scope("http://h/x"));
        assert_ne!(scope("https://h/x"), scope("https://h:8443/x"));
        assert_eq!(scope("ssh://h/x"), None);
    }
}
