//! Configuration of the local service and the public demo credentials.

use std::path::PathBuf;

use crate::local::faults::FaultSettings;
use crate::secret::Secret;

/// Access key id of the demo service. Public on purpose: it only opens the local demo.
pub const DEMO_ACCESS_KEY_ID: &str = "AKIACCTUIDEMO0000001";
/// Secret access key of the demo service. Public on purpose: it only opens the local demo.
pub const DEMO_SECRET_ACCESS_KEY: &str = "cctuiDemoSecretKey/OnlyForTheLocalService00";
/// Region the demo service pretends to be in.
pub const DEMO_REGION: &str = "us-east-1";
/// Account id the demo service reports.
pub const DEMO_ACCOUNT_ID: &str = "111122223333";

/// One accepted set of AWS credentials.
#[derive(Debug, Clone)]
pub struct Credential {
    /// Access key id (`AKIA…` or `ASIA…`).
    pub access_key_id: String,
    /// Secret access key; never logged.
    pub secret_access_key: Secret<String>,
    /// Session token required with this key (temporary credentials), if any.
    pub session_token: Option<Secret<String>>,
}

impl Credential {
    /// Long-term credentials without a session token.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: Secret::new(secret_access_key.into()),
            session_token: None,
        }
    }

    /// Temporary credentials: requests must also carry this session token.
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Secret::new(token.into()));
        self
    }

    /// The public demo credentials.
    pub fn demo() -> Self {
        Self::new(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
    }
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Where metadata and bare repositories live.
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Accepted credentials (API SigV4 and git IAM passwords).
    pub credentials: Vec<Credential>,
    /// Region in ARNs, SSH URLs and the credential scope.
    pub region: String,
    /// Account id in metadata and ARNs.
    pub account_id: String,
    /// Optional static git credentials (user, password), like CodeCommit's HTTPS Git credentials.
    pub git_static: Option<(String, Secret<String>)>,
    /// Initial fault injection settings (changeable at runtime through `RunningService::faults`).
    pub faults: FaultSettings,
    /// Largest accepted API request body in bytes.
    pub max_api_body_bytes: usize,
}

impl ServiceConfig {
    /// A config with the demo credentials, region and account, on an ephemeral port.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: 0,
            credentials: vec![Credential::demo()],
            region: DEMO_REGION.to_string(),
            account_id: DEMO_ACCOUNT_ID.to_string(),
            git_static: None,
            faults: FaultSettings::default(),
            max_api_body_bytes: 1024 * 1024,
        }
    }
}
