//! AWS side: configuration (profiles, regions, endpoint) and the CodeCommit API.

pub mod profiles;
