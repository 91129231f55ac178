//! AWS side: configuration (profiles, regions, endpoint) and the CodeCommit API. Knows nothing
//! of the UI; SDK types stop at this boundary.

pub mod branches;
pub mod client;
pub mod error;
pub mod git_password;
pub mod profiles;
pub mod regions;
pub mod repos;
pub mod setup;
pub mod urls;
pub mod validate;
