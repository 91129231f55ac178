//! AWS side: configuration (profiles, regions, endpoint), the CodeCommit API, and the STS and
//! IAM calls of the access screen (identity, SSH keys, HTTPS git credentials), triggers and
//! CodeStar Notifications rules of the integrations screen. Knows nothing
//! of the UI; SDK types stop at this boundary.

pub mod branches;
pub mod client;
pub mod error;
pub mod git_credentials;
pub mod git_password;
pub mod identity;
pub mod notifications;
pub mod permissions;
pub mod profiles;
pub mod pulls;
pub mod regions;
pub mod repos;
pub mod setup;
pub mod ssh_keys;
pub mod triggers;
pub mod urls;
pub mod validate;
