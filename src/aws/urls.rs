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
}
