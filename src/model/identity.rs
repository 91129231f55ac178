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

    /// `profile/region/name`, for messages where the name alone could mislead.
    pub fn label(&self) -> String {
        format!(
            "{}/{}/{}",
            self.profile.as_deref().unwrap_or("default"),
            self.region,
            self.name
        )
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
        assert_eq!(west.label(), "default/eu-west-1/payments");
    }
}
