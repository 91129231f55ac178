//! Which CodeCommit repository a row, a mark or a request means: the same name can exist in
//! several regions and under several profiles (accounts), so the name alone never says.

/// A CodeCommit repository: profile (or the default chain) + region + name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RepoKey {
    /// The AWS profile it is reached with (`None`: the default chain).
    pub profile: Option<String>,
    /// Its region.
    pub region: String,
    /// Its name.
    pub name: String,
}

impl RepoKey {
    /// A key from its parts.
    pub fn new(
        profile: Option<String>,
        region: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        RepoKey {
            profile,
            region: region.into(),
            name: name.into(),
        }
    }

    /// The CodeCommit repository a clone's remote URL names: a CodeCommit host (its region),
    /// a `codecommit://` URL (its profile and region), or a loopback host serving
    /// `/v1/repos/<name>` (the local service, in `fallback_region`). Other hosts: `None`.
    pub fn of_remote(
        url: &str,
        profile: Option<String>,
        fallback_region: Option<String>,
    ) -> Option<RepoKey> {
        let url = super::RemoteUrl::parse(url).ok()?;
        let name = url.repository.clone()?;
        let codecommit = url.scheme == super::Scheme::Codecommit
            || url.host.as_ref().is_some_and(|h| h.git_region().is_some());
        let local = url
            .host
            .as_ref()
            .is_some_and(|h| h.is_loopback() && url.path.starts_with("/v1/repos/"));
        if !(codecommit || local) {
            return None;
        }
        let region = url.region.clone().or(fallback_region)?;
        Some(RepoKey::new(url.profile.clone().or(profile), region, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_name_in_two_regions_is_two_repositories() {
        let east = RepoKey::new(None, "us-east-1", "payments");
        let west = RepoKey::new(None, "eu-west-1", "payments");
        assert_ne!(east, west);
    }

    #[test]
    fn a_remote_url_names_its_repository_and_region() {
        let dev = Some("dev".to_string());
        let key = RepoKey::of_remote(
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/payments",
            dev.clone(),
            Some("us-east-1".into()),
        );
        assert_eq!(
            key,
            Some(RepoKey::new(dev.clone(), "eu-west-1", "payments"))
        );
        let local = RepoKey::of_remote(
            "http://127.0.0.1:4510/v1/repos/demo",
            dev.clone(),
            Some("us-east-1".into()),
        );
        assert_eq!(local, Some(RepoKey::new(dev.clone(), "us-east-1", "demo")));
        let grc = RepoKey::of_remote("codecommit::ap-south-1://ops@infra", dev.clone(), None);
        assert_eq!(
            grc,
            Some(RepoKey::new(Some("ops".into()), "ap-south-1", "infra"))
        );
        assert_eq!(
            RepoKey::of_remote("https://github.com/v1/repos/x", dev.clone(), None),
            None,
            "another host is no CodeCommit repository"
        );
        assert_eq!(
            RepoKey::of_remote(
                "http://localhost.evil.com/v1/repos/x",
                dev,
                Some("us-east-1".into())
            ),
            None
        );
    }
}
