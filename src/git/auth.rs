//! Credential methods and the bounded credential callback.
//!
//! libgit2 calls the credentials callback again after every refusal (HTTP 401, SSH auth
//! failure); left alone it loops. [`Authenticator`] tries each credential at most once per
//! operation and then fails with [`GitError::AuthFailed`] naming the method and the user.

use std::path::PathBuf;

use crate::aws::git_password::AwsKeys;
use crate::git::GitError;
use crate::secret::SecretString;

/// How to authenticate to the remote.
#[derive(Debug, Clone)]
pub enum Auth {
    /// CodeCommit IAM git password (SigV4), computed fresh for each operation. The host signed
    /// is the URL's: the bare host name for CodeCommit hosts (as the AWS CLI does), `host:port`
    /// as git sends it for others.
    Iam {
        /// The AWS keys.
        keys: AwsKeys,
        /// The signing region.
        region: String,
    },
    /// Static HTTPS Git credentials (IAM "HTTPS Git credentials for AWS CodeCommit").
    Static {
        /// Git user name.
        username: String,
        /// Git password.
        password: SecretString,
    },
    /// git's configured credential helpers (`credential.helper` in the global/system config).
    GitCredentialHelper,
    /// SSH: the agent (if `use_agent`) once, then each key file once.
    Ssh {
        /// SSH user: for CodeCommit, the SSH key ID (`APKA…`). Empty: the URL's user.
        user: String,
        /// Private key files to try, in order.
        key_files: Vec<PathBuf>,
        /// Passphrase for encrypted key files.
        passphrase: Option<SecretString>,
        /// Try the ssh-agent (`SSH_AUTH_SOCK`) first.
        use_agent: bool,
        /// The known_hosts file to check the server's host key against.
        known_hosts: PathBuf,
        /// A `SHA256:…` fingerprint the user accepted for this operation.
        trusted_fingerprint: Option<String>,
    },
}

impl Auth {
    /// The method's name in messages.
    pub fn method(&self) -> &'static str {
        match self {
            Auth::Iam { .. } => "IAM",
            Auth::Static { .. } => "HTTPS Git credentials",
            Auth::GitCredentialHelper => "git credential helper",
            Auth::Ssh { .. } => "SSH",
        }
    }
}

/// Placeholder until the callback lands.
#[allow(dead_code)]
pub(crate) fn not_implemented() -> GitError {
    GitError::Other("not implemented".to_string())
}
