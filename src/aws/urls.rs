//! The clone URL forms CodeCommit users meet: parsed and built in [`crate::model`], re-exported
//! here for the AWS side's callers.

pub use crate::model::{CodecommitUrl, UrlKind, grc_url, https_url, parse_codecommit_url, ssh_url};
