//! The three clone URL forms CodeCommit users meet.

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

/// git-remote-codecommit's URL: `codecommit::<region>://[profile@]<name>`.
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

/// Parses git-remote-codecommit's URL forms; `None` for anything else (other schemes, an empty
/// region, profile or repository, a path after the name, characters CodeCommit refuses in
/// repository names).
pub fn parse_codecommit_url(url: &str) -> Option<CodecommitUrl> {
    let (region, rest) = if let Some(rest) = url.strip_prefix("codecommit::") {
        let (region, rest) = rest.split_once("://")?;
        let valid = !region.is_empty()
            && region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return None;
        }
        (Some(region.to_string()), rest)
    } else {
        (None, url.strip_prefix("codecommit://")?)
    };
    let (profile, repository) = match rest.split_once('@') {
        Some((profile, repository)) => {
            let valid = !profile.is_empty()
                && !profile
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | ':'));
            if !valid {
                return None;
            }
            (Some(profile.to_string()), repository)
        }
        None => (None, rest),
    };
    crate::aws::validate::repository_name(repository).ok()?;
    Some(CodecommitUrl {
        profile,
        region,
        repository: repository.to_string(),
    })
}

/// The HTTPS clone URL of `repository` in `region` (`.amazonaws.com.cn` in the China regions).
pub fn https_url(region: &str, repository: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://git-codecommit.{region}.{domain}/v1/repos/{repository}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grc_urls_match_git_remote_codecommit() {
        assert_eq!(
            grc_url(Some("eu-west-1"), Some("dev"), "app"),
            "codecommit::eu-west-1://dev@app"
        );
        assert_eq!(grc_url(None, Some("default"), "app"), "codecommit://app");
    }

    fn parsed(profile: Option<&str>, region: Option<&str>, repository: &str) -> CodecommitUrl {
        CodecommitUrl {
            profile: profile.map(str::to_string),
            region: region.map(str::to_string),
            repository: repository.to_string(),
        }
    }

    #[test]
    fn codecommit_urls_of_every_form_parse() {
        assert_eq!(
            parse_codecommit_url("codecommit://MyRepo"),
            Some(parsed(None, None, "MyRepo"))
        );
        assert_eq!(
            parse_codecommit_url("codecommit://dev@My.Repo_1-x"),
            Some(parsed(Some("dev"), None, "My.Repo_1-x"))
        );
        assert_eq!(
            parse_codecommit_url("codecommit::eu-west-1://app"),
            Some(parsed(None, Some("eu-west-1"), "app"))
        );
        assert_eq!(
            parse_codecommit_url("codecommit::us-gov-west-1://ci-role@app"),
            Some(parsed(Some("ci-role"), Some("us-gov-west-1"), "app"))
        );
    }

    #[test]
    fn codecommit_urls_round_trip_through_grc_url() {
        for (region, profile, name) in [
            (Some("eu-west-1"), Some("dev"), "app"),
            (None, None, "x"),
            (Some("cn-north-1"), None, "a.b"),
        ] {
            let url = grc_url(region, profile, name);
            assert_eq!(
                parse_codecommit_url(&url),
                Some(parsed(profile, region, name)),
                "{url}"
            );
        }
    }

    #[test]
    fn bad_codecommit_urls_are_refused() {
        for bad in [
            "",
            "codecommit://",
            "codecommit:// ",
            "codecommit::",
            "codecommit::://app",
            "codecommit::EU-WEST-1://app",
            "codecommit::eu west 1://app",
            "codecommit::eu-west-1:/app",
            "codecommit::eu-west-1//app",
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
            "CodeCommit://app",
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app",
            "ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app",
        ] {
            assert_eq!(parse_codecommit_url(bad), None, "{bad:?} should be refused");
        }
        let long = format!("codecommit://{}", "a".repeat(101));
        assert_eq!(parse_codecommit_url(&long), None);
    }

    #[test]
    fn https_urls_use_the_china_domain_for_cn_regions() {
        assert_eq!(
            https_url("eu-west-1", "app"),
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/app"
        );
        assert_eq!(
            https_url("cn-northwest-1", "app"),
            "https://git-codecommit.cn-northwest-1.amazonaws.com.cn/v1/repos/app"
        );
        let url = https_url("us-east-1", "My.Repo");
        let host = url
            .strip_prefix("https://")
            .and_then(|u| u.split('/').next())
            .unwrap_or_default();
        assert_eq!(
            crate::aws::git_password::region_from_host(host).as_deref(),
            Some("us-east-1")
        );
    }
}
