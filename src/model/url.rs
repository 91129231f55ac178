//! Remote and clone URLs: one parser for every form a CodeCommit user meets, and the builders
//! of the three URLs the repository details offer.

use super::UrlError;
use super::host::{Host, git_host, is_region, split_userinfo};
use super::repository::check_repository_name;

/// How git reaches the remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `https://`.
    Https,
    /// `http://` (credentials only ever go to loopback over it).
    Http,
    /// `ssh://`, `git+ssh://`, `ssh+git://` or scp-like `user@host:path`.
    Ssh,
    /// git-remote-codecommit's `codecommit://` and `codecommit::<region>://`.
    Codecommit,
}

impl Scheme {
    /// The scheme of git's credential protocol `protocol=` (`https`, `http`, `ssh`); `None`
    /// for others.
    pub fn from_protocol(protocol: &str) -> Option<Scheme> {
        match protocol.to_ascii_lowercase().as_str() {
            "https" => Some(Scheme::Https),
            "http" => Some(Scheme::Http),
            "ssh" | "git+ssh" | "ssh+git" => Some(Scheme::Ssh),
            _ => None,
        }
    }
}

/// A remote URL, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// How git reaches it.
    pub scheme: Scheme,
    /// The user before `@`: for CodeCommit over SSH, the IAM SSH key ID (`APKA…`), as the
    /// CodeCommit guide writes `ssh://APKAEIBAERJR2EXAMPLE@git-codecommit…`.
    pub user: Option<String>,
    /// The URL carries `user:password@` (git would store the password in `.git/config`).
    pub has_password: bool,
    /// The host; `None` for `codecommit://` URLs, which name none.
    pub host: Option<Host>,
    /// The path with its leading `/` (scp-like paths too); empty for `codecommit://` URLs.
    pub path: String,
    /// The repository: `<name>` of `/v1/repos/<name>` (a trailing `.git` or `/` dropped), else
    /// the last path segment without `.git`; `None` when the path names nothing.
    pub repository: Option<String>,
    /// The profile of `codecommit://profile@repo`.
    pub profile: Option<String>,
    /// The region: of `codecommit::<region>://`, or of the CodeCommit git host.
    pub region: Option<String>,
}

impl RemoteUrl {
    /// Parses `https://…`, `http://…`, `ssh://[user@]host[:port]/path`, scp-like
    /// `[user@]host:path` (git's shorthand for SSH) and `codecommit://[profile@]repo` or
    /// `codecommit::<region>://[profile@]repo`. Surrounding whitespace is ignored.
    ///
    /// A CodeCommit git host must be followed by `/v1/repos/<name>` with a name CodeCommit
    /// accepts; other hosts may have any path.
    pub fn parse(text: &str) -> Result<RemoteUrl, UrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UrlError::Empty);
        }
        if text.starts_with("codecommit:") {
            return CodecommitUrl::parse(text).map(RemoteUrl::from);
        }
        let (scheme, authority, path) = match text.split_once("://") {
            Some((scheme, rest)) => {
                let scheme = match scheme.to_ascii_lowercase().as_str() {
                    "https" => Scheme::Https,
                    "http" => Scheme::Http,
                    "ssh" | "git+ssh" | "ssh+git" => Scheme::Ssh,
                    _ if is_scheme(scheme) => {
                        return Err(UrlError::UnsupportedScheme(scheme.to_string()));
                    }
                    _ => return Err(UrlError::NotAUrl(text.to_string())),
                };
                let (authority, path) = match rest.find('/') {
                    Some(i) => rest.split_at(i),
                    None => (rest, ""),
                };
                // Query and fragment are URL syntax for HTTP; git sends no such thing to SSH.
                let path = match scheme {
                    Scheme::Https | Scheme::Http => path.split(['?', '#']).next().unwrap_or(""),
                    _ => path,
                };
                (scheme, authority, path.to_string())
            }
            None => {
                let (authority, path) =
                    split_scp(text).ok_or_else(|| UrlError::NotAUrl(text.to_string()))?;
                let path = if path.starts_with('/') {
                    path.to_string()
                } else {
                    format!("/{path}")
                };
                (Scheme::Ssh, authority, path)
            }
        };
        let (userinfo, host_text) = split_userinfo(authority);
        let (user, has_password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((user, _)) => (Some(user.to_string()), true),
                None => (Some(info.to_string()), false),
            },
            None => (None, false),
        };
        let host = Host::parse(host_text)?;
        let region = host.git_region();
        let repository = if region.is_some() {
            let name = codecommit_repository(&path)
                .ok_or_else(|| UrlError::NotARepositoryPath(path.clone()))?;
            check_repository_name(name).map_err(|reason| UrlError::BadRepositoryName {
                name: name.to_string(),
                reason,
            })?;
            Some(name.to_string())
        } else {
            codecommit_repository(&path)
                .or_else(|| last_segment(&path))
                .map(str::to_string)
        };
        Ok(RemoteUrl {
            scheme,
            user: user.filter(|u| !u.is_empty()),
            has_password,
            host: Some(host),
            path,
            repository,
            profile: None,
            region,
        })
    }

    /// The repository name, or why the URL has none.
    pub fn repository_name(&self) -> Result<&str, UrlError> {
        self.repository.as_deref().ok_or(UrlError::NoRepository)
    }
}

impl From<CodecommitUrl> for RemoteUrl {
    fn from(url: CodecommitUrl) -> RemoteUrl {
        RemoteUrl {
            scheme: Scheme::Codecommit,
            user: None,
            has_password: false,
            host: None,
            path: String::new(),
            repository: Some(url.repository),
            profile: url.profile,
            region: url.region,
        }
    }
}

/// RFC 3986 scheme characters, so `file://` gets "not supported" and `a b://` "not a URL".
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// git's scp-like syntax: `[user@]host:path`, where the first `:` comes before any `/` (else it
/// is a local path, as git decides); `[user@][v6]:path` for IPv6.
fn split_scp(text: &str) -> Option<(&str, &str)> {
    let first = text.find(':')?;
    let colon = if text[..first].contains('[') {
        text.find("]:")? + 1
    } else {
        first
    };
    let (authority, path) = (&text[..colon], &text[colon + 1..]);
    (!authority.is_empty() && !authority.contains('/')).then_some((authority, path))
}

/// `<name>` of `/v1/repos/<name>`, with a trailing `/` or `.git` dropped.
fn codecommit_repository(path: &str) -> Option<&str> {
    let name = path.strip_prefix("/v1/repos/")?;
    let name = name.strip_suffix('/').unwrap_or(name);
    let name = name.strip_suffix(".git").unwrap_or(name);
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

fn last_segment(path: &str) -> Option<&str> {
    let segment = path.trim_end_matches('/').rsplit('/').next()?;
    let segment = segment.strip_suffix(".git").unwrap_or(segment);
    (!segment.is_empty()).then_some(segment)
}

/// A git-remote-codecommit URL, parsed: `codecommit://[profile@]repo` or
/// `codecommit::<region>://[profile@]repo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecommitUrl {
    /// The profile before `@`, if any (git-remote-codecommit then uses `default`).
    pub profile: Option<String>,
    /// The region of the `codecommit::<region>://` form; `None` means the profile's region.
    pub region: Option<String>,
    /// The repository name.
    pub repository: String,
}

impl CodecommitUrl {
    /// Parses git-remote-codecommit's two forms. The scheme is matched exactly: git looks the
    /// helper up by it (`git-remote-codecommit`), so `CodeCommit://` would not work.
    pub fn parse(text: &str) -> Result<CodecommitUrl, UrlError> {
        let bad = || UrlError::BadCodecommitUrl(text.to_string());
        let (region, rest) = if let Some(rest) = text.strip_prefix("codecommit::") {
            let (region, rest) = rest.split_once("://").ok_or_else(bad)?;
            if !is_region(region) {
                return Err(UrlError::BadRegion(region.to_string()));
            }
            (Some(region.to_string()), rest)
        } else {
            (None, text.strip_prefix("codecommit://").ok_or_else(bad)?)
        };
        let (profile, repository) = match rest.split_once('@') {
            Some((profile, repository)) => {
                let valid = !profile.is_empty()
                    && !profile
                        .chars()
                        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | ':'));
                if !valid {
                    return Err(UrlError::BadProfile(profile.to_string()));
                }
                (Some(profile.to_string()), repository)
            }
            None => (None, rest),
        };
        check_repository_name(repository).map_err(|reason| UrlError::BadRepositoryName {
            name: repository.to_string(),
            reason,
        })?;
        Ok(CodecommitUrl {
            profile,
            region,
            repository: repository.to_string(),
        })
    }
}

/// [`CodecommitUrl::parse`], for callers that only ask "is this a `codecommit://` URL?".
pub fn parse_codecommit_url(url: &str) -> Option<CodecommitUrl> {
    CodecommitUrl::parse(url).ok()
}

/// A clone URL form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlKind {
    /// `https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`.
    Https,
    /// `ssh://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`.
    Ssh,
    /// git-remote-codecommit's `codecommit::<region>://[profile@]<name>`.
    Grc,
}

impl UrlKind {
    /// All forms, in display order.
    pub const ALL: [UrlKind; 3] = [UrlKind::Https, UrlKind::Ssh, UrlKind::Grc];

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            UrlKind::Https => "HTTPS",
            UrlKind::Ssh => "SSH",
            UrlKind::Grc => "HTTPS (GRC)",
        }
    }

    /// The next form (`Tab` in the detail view).
    pub fn next(self) -> UrlKind {
        match self {
            UrlKind::Https => UrlKind::Ssh,
            UrlKind::Ssh => UrlKind::Grc,
            UrlKind::Grc => UrlKind::Https,
        }
    }
}

/// git-remote-codecommit's URL: `codecommit::<region>://[profile@]<name>` (`default` is left
/// out, as git-remote-codecommit uses it anyway).
pub fn grc_url(region: Option<&str>, profile: Option<&str>, name: &str) -> String {
    let profile = profile
        .filter(|p| *p != "default")
        .map(|p| format!("{p}@"))
        .unwrap_or_default();
    match region {
        Some(region) => format!("codecommit::{region}://{profile}{name}"),
        None => format!("codecommit://{profile}{name}"),
    }
}

/// The HTTPS clone URL of `repository` in `region` (`.amazonaws.com.cn` in the China regions).
pub fn https_url(region: &str, repository: &str) -> String {
    format!("https://{}/v1/repos/{repository}", git_host(region))
}

/// The SSH clone URL of `repository` in `region`, without a user (it comes from
/// `~/.ssh/config`, as the CodeCommit guide sets it up).
pub fn ssh_url(region: &str, repository: &str) -> String {
    format!("ssh://{}/v1/repos/{repository}", git_host(region))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn url(text: &str) -> RemoteUrl {
        RemoteUrl::parse(text).unwrap()
    }

    #[test]
    fn https_and_http_urls() {
        let u = url("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/MyRepo");
        assert_eq!(u.scheme, Scheme::Https);
        assert_eq!(
            u.host.as_ref().map(Host::name),
            Some("git-codecommit.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            (u.path.as_str(), u.repository.as_deref()),
            ("/v1/repos/MyRepo", Some("MyRepo"))
        );
        assert_eq!(
            (u.region.as_deref(), u.user.as_deref()),
            (Some("eu-west-1"), None)
        );

        for text in [
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/MyRepo/",
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/MyRepo.git",
            "  HTTPS://Git-CodeCommit.EU-WEST-1.amazonaws.com:443/v1/repos/MyRepo  ",
            "https://someone@git-codecommit.eu-west-1.amazonaws.com/v1/repos/MyRepo",
        ] {
            let u = url(text);
            assert_eq!(
                (u.repository.as_deref(), u.region.as_deref()),
                (Some("MyRepo"), Some("eu-west-1")),
                "{text}"
            );
        }

        let u = url("http://127.0.0.1:8080/v1/repos/demo");
        assert_eq!((u.scheme, u.region.as_deref()), (Scheme::Http, None));
        assert_eq!(u.host.unwrap().to_string(), "127.0.0.1:8080");
        assert_eq!(u.repository.as_deref(), Some("demo"));

        let u = url(
            "https://vpce-0b7d2ee1a9c64c43e-jjkw7nlu.git-codecommit.us-east-2.vpce.amazonaws.com/v1/repos/app",
        );
        assert_eq!(
            (u.region.as_deref(), u.repository.as_deref()),
            (Some("us-east-2"), Some("app"))
        );

        let u = url("https://me:pw@git.example.com/team/tools.git?x=1#top");
        assert!(u.has_password);
        assert_eq!(
            (u.user.as_deref(), u.path.as_str(), u.repository.as_deref()),
            (Some("me"), "/team/tools.git", Some("tools"))
        );
        assert_eq!(
            url("https://[::1]:9000/v1/repos/r")
                .host
                .unwrap()
                .to_string(),
            "[::1]:9000"
        );
        assert_eq!(url("https://git.example.com").repository, None);
        assert_eq!(
            url("https://git.example.com/").repository_name(),
            Err(UrlError::NoRepository)
        );
    }

    #[test]
    fn ssh_urls_keep_the_ssh_key_id() {
        let u = url(
            "ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com/v1/repos/MyDemoRepo",
        );
        assert_eq!(u.scheme, Scheme::Ssh);
        assert_eq!(u.user.as_deref(), Some("APKAEIBAERJR2EXAMPLE"));
        assert_eq!(
            (u.region.as_deref(), u.repository.as_deref()),
            (Some("us-east-2"), Some("MyDemoRepo"))
        );

        let u = url("ssh://git@[::1]:2222/srv/r.git");
        assert_eq!(
            (
                u.host.as_ref().map(Host::name),
                u.host.as_ref().and_then(Host::port)
            ),
            (Some("::1"), Some(2222))
        );
        assert_eq!(u.repository.as_deref(), Some("r"));
        assert_eq!(url("git+ssh://h/x").scheme, Scheme::Ssh);

        // scp-like, as git accepts it: the path is relative to the login, shown with a `/`.
        let u = url("APKA1@git-codecommit.us-east-1.amazonaws.com:v1/repos/app");
        assert_eq!(
            (u.scheme, u.user.as_deref(), u.path.as_str()),
            (Scheme::Ssh, Some("APKA1"), "/v1/repos/app")
        );
        assert_eq!(u.repository.as_deref(), Some("app"));
        let u = url("git@github.com:team/repo.git");
        assert_eq!(
            (u.host.unwrap().name(), u.repository.as_deref()),
            ("github.com", Some("repo"))
        );
        let u = url("example.com:repo.git");
        assert_eq!((u.user, u.repository.as_deref()), (None, Some("repo")));
        let u = url("me@[::1]:srv/x.git");
        assert_eq!(u.host.unwrap().to_string(), "[::1]");
    }

    #[test]
    fn codecommit_urls_of_every_form() {
        let u = url("codecommit://MyRepo");
        assert_eq!(
            (u.scheme, u.host.as_ref(), u.repository.as_deref()),
            (Scheme::Codecommit, None, Some("MyRepo"))
        );
        let u = url("codecommit::us-gov-west-1://ci-role@app");
        assert_eq!(
            (u.profile.as_deref(), u.region.as_deref()),
            (Some("ci-role"), Some("us-gov-west-1"))
        );
        let cc = |profile: Option<&str>, region: Option<&str>, repository: &str| {
            Some(CodecommitUrl {
                profile: profile.map(str::to_string),
                region: region.map(str::to_string),
                repository: repository.to_string(),
            })
        };
        assert_eq!(
            parse_codecommit_url("codecommit://dev@My.Repo_1-x"),
            cc(Some("dev"), None, "My.Repo_1-x")
        );
        assert_eq!(
            parse_codecommit_url("codecommit::eu-west-1://app"),
            cc(None, Some("eu-west-1"), "app")
        );
        for (region, profile, name) in [
            (Some("eu-west-1"), Some("dev"), "app"),
            (None, None, "x"),
            (Some("cn-north-1"), None, "a.b"),
        ] {
            let text = grc_url(region, profile, name);
            assert_eq!(
                parse_codecommit_url(&text),
                cc(profile, region, name),
                "{text}"
            );
        }
        assert_eq!(grc_url(None, Some("default"), "app"), "codecommit://app");
    }

    #[test]
    fn bad_codecommit_urls_say_what_to_type() {
        for bad in [
            "codecommit://",
            "codecommit:// ",
            "codecommit::",
            "codecommit::://app",
            "codecommit::EU-WEST-1://app",
            "codecommit::eu west 1://app",
            "codecommit::eu-west-1:/app",
            "codecommit::eu-west-1//app",
            "codecommit::eu.west-1://app",
            "codecommit://@app",
            "codecommit://dev@",
            "codecommit://a@b@c",
            "codecommit://dev/x@app",
            "codecommit://app/",
            "codecommit://app/more",
            "codecommit://app.git",
            "codecommit://..",
            "codecommit://app name",
            "codecommit:app",
        ] {
            let error = CodecommitUrl::parse(bad).unwrap_err();
            assert!(RemoteUrl::parse(bad).is_err(), "{bad}");
            let message = error.to_string();
            assert!(
                message.contains("codecommit://") || message.contains("repository name"),
                "{bad}: {message}"
            );
        }
        assert_eq!(
            parse_codecommit_url(&format!("codecommit://{}", "a".repeat(101))),
            None
        );
        assert!(
            matches!(CodecommitUrl::parse("codecommit::EU-WEST-1://app"), Err(UrlError::BadRegion(r)) if r == "EU-WEST-1")
        );
        assert!(matches!(
            CodecommitUrl::parse("codecommit://@app"),
            Err(UrlError::BadProfile(_))
        ));
        for other in [
            "CodeCommit://app",
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app",
            "",
        ] {
            assert_eq!(parse_codecommit_url(other), None, "{other}");
        }
    }

    #[test]
    fn bad_urls_say_what_to_type() {
        let error = |text: &str| RemoteUrl::parse(text).unwrap_err();
        assert_eq!(error("   "), UrlError::Empty);
        assert_eq!(
            error("/srv/repo.git"),
            UrlError::NotAUrl("/srv/repo.git".into())
        );
        assert_eq!(error("./a:b"), UrlError::NotAUrl("./a:b".into()));
        assert_eq!(error("just-words"), UrlError::NotAUrl("just-words".into()));
        assert_eq!(
            error("ftp://host/x"),
            UrlError::UnsupportedScheme("ftp".into())
        );
        assert_eq!(
            error("file:///srv/x"),
            UrlError::UnsupportedScheme("file".into())
        );
        assert!(
            error("ftp://host/x")
                .to_string()
                .contains("use https://, ssh://")
        );
        assert_eq!(
            error("https:///v1/repos/x"),
            UrlError::BadHost(String::new())
        );
        assert!(
            error("https:///v1/repos/x")
                .to_string()
                .starts_with("An empty name is not a host")
        );
        assert_eq!(error("https://a b/x"), UrlError::BadHost("a b".into()));
        assert_eq!(
            error("https://host:http/x"),
            UrlError::BadPort("host:http".into())
        );
        assert_eq!(
            error("https://git-codecommit.eu-west-1.amazonaws.com/team/app"),
            UrlError::NotARepositoryPath("/team/app".into())
        );
        assert_eq!(
            error("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/"),
            UrlError::NotARepositoryPath("/v1/repos/".into())
        );
        assert!(matches!(
            error("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/bad%20name"),
            UrlError::BadRepositoryName { .. }
        ));
        assert!(
            error("https://git-codecommit.eu-west-1.amazonaws.com")
                .to_string()
                .contains("/v1/repos/<name>")
        );
    }

    #[test]
    fn builders_round_trip_through_the_parser() {
        assert_eq!(
            https_url("eu-west-1", "app"),
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app"
        );
        assert_eq!(
            https_url("cn-northwest-1", "app"),
            "https://git-codecommit.cn-northwest-1.amazonaws.com.cn/v1/repos/app"
        );
        assert_eq!(
            ssh_url("cn-north-1", "app"),
            "ssh://git-codecommit.cn-north-1.amazonaws.com.cn/v1/repos/app"
        );
        for built in [
            https_url("us-east-1", "My.Repo"),
            ssh_url("us-east-1", "My.Repo"),
        ] {
            let u = url(&built);
            assert_eq!(
                (u.region.as_deref(), u.repository.as_deref()),
                (Some("us-east-1"), Some("My.Repo")),
                "{built}"
            );
        }
        assert_eq!(url(&ssh_url("eu-west-2", "x")).scheme, Scheme::Ssh);
    }

    #[test]
    fn credential_protocols_map_to_schemes() {
        assert_eq!(Scheme::from_protocol("https"), Some(Scheme::Https));
        assert_eq!(Scheme::from_protocol("HTTP"), Some(Scheme::Http));
        assert_eq!(Scheme::from_protocol("ssh"), Some(Scheme::Ssh));
        assert_eq!(Scheme::from_protocol("ftp"), None);
        assert_eq!(Scheme::from_protocol(""), None);
    }

    #[test]
    fn url_kinds_cycle_through_all() {
        let mut kind = UrlKind::Https;
        for expected in [UrlKind::Ssh, UrlKind::Grc, UrlKind::Https] {
            kind = kind.next();
            assert_eq!(kind, expected);
        }
        assert_eq!(
            UrlKind::ALL.map(UrlKind::label),
            ["HTTPS", "SSH", "HTTPS (GRC)"]
        );
    }
}
