//! The access area's slice of the state: who the session is (also shown in the header), and
//! for the access screen the IAM user's SSH keys, HTTPS git credentials and git's credential
//! helpers for CodeCommit hosts. No secret is kept here: a new git password lives only in its
//! overlay ([`PasswordView`]) and is gone when that closes.

use crate::aws::client::Target;
use crate::aws::git_credentials::GitCredential;
use crate::aws::identity::Identity;
use crate::aws::ssh_keys::SshKey;
use crate::git::credential_setup::HelperStatus;
use crate::jobs::JobId;
use crate::secret::SecretString;

/// The three CodeCommit access methods, in screen order (`tab` moves between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessSection {
    /// SSH keys of the IAM user.
    #[default]
    Ssh,
    /// HTTPS git credentials of the IAM user.
    GitCredentials,
    /// HTTPS with IAM: `cctui credential-helper`.
    Helper,
}

impl AccessSection {
    /// The next section (`forward`) or the previous one.
    pub fn cycle(self, forward: bool) -> AccessSection {
        use AccessSection as S;
        match (self, forward) {
            (S::Ssh, true) | (S::Helper, false) => S::GitCredentials,
            (S::GitCredentials, true) | (S::Ssh, false) => S::Helper,
            (S::Helper, true) | (S::GitCredentials, false) => S::Ssh,
        }
    }
}

/// A list read from IAM: not asked (roles own none), loading, read, or why not.
pub type Listing<T> = Option<Result<Vec<T>, String>>;

/// The access area's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccessState {
    /// Who the session is, once STS said (the header shows it).
    pub identity: Option<Identity>,
    /// The target the identity belongs to (a profile switch makes it stale).
    pub identity_for: Option<Target>,
    /// The header's identity read in flight.
    pub identity_request: Option<JobId>,
    /// The screen's overview read in flight (latest wins).
    pub overview_request: Option<JobId>,
    /// The overview failed (STS itself): why, and what to do.
    pub error: Option<(String, Option<String>)>,
    /// SSH keys (`None`: not read, or not an IAM user).
    pub ssh_keys: Listing<SshKey>,
    /// HTTPS git credentials.
    pub git_credentials: Listing<GitCredential>,
    /// What git would use for CodeCommit HTTPS URLs.
    pub helpers: Option<Result<HelperStatus, String>>,
    /// The focused section.
    pub section: AccessSection,
    /// Selected row of the focused section's list.
    pub selected: usize,
    /// The last thing that happened ("SSH key APKA… uploaded"), shown under the sections.
    pub message: Option<String>,
}

impl AccessState {
    /// The IAM user name, when the session is an IAM user.
    pub fn user(&self) -> Option<&str> {
        self.identity.as_ref().and_then(Identity::user_name)
    }

    /// Rows of the focused section's list.
    pub fn rows(&self) -> usize {
        match self.section {
            AccessSection::Ssh => listed(&self.ssh_keys).len(),
            AccessSection::GitCredentials => listed(&self.git_credentials).len(),
            AccessSection::Helper => 0,
        }
    }

    /// The selected SSH key, when the SSH section has focus.
    pub fn selected_key(&self) -> Option<&SshKey> {
        (self.section == AccessSection::Ssh)
            .then(|| listed(&self.ssh_keys).get(self.selected))
            .flatten()
    }

    /// The selected git credential, when the HTTPS section has focus.
    pub fn selected_credential(&self) -> Option<&GitCredential> {
        (self.section == AccessSection::GitCredentials)
            .then(|| listed(&self.git_credentials).get(self.selected))
            .flatten()
    }
}

/// The rows of a listing that was read (none otherwise).
pub fn listed<T>(listing: &Listing<T>) -> &[T] {
    match listing {
        Some(Ok(rows)) => rows,
        _ => &[],
    }
}

/// A new or reset git password, shown once. Closing the overlay drops it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordView {
    /// The credential's id.
    pub id: String,
    /// The git user name.
    pub username: String,
    /// The password.
    pub password: SecretString,
    /// A URL of the host git would use it for (`git credential approve`).
    pub url: String,
    /// Git's helpers for that host (empty: git keeps no password; only copying is offered).
    pub helpers: Vec<String>,
    /// The hand-over to git in flight.
    pub pending: Option<JobId>,
    /// Where it went, once given to git.
    pub stored: Option<String>,
}
