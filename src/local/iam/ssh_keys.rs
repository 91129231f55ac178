//! SSH public keys of IAM users.

use serde::{Deserialize, Serialize};

/// One uploaded SSH public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKeyRecord {}
