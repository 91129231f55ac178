//! Service-specific credentials (CodeCommit HTTPS git credentials) of IAM users.

use serde::{Deserialize, Serialize};

/// One service-specific credential; the password is kept only as a salted hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCredentialRecord {}
