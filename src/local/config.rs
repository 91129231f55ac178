//! Configuration of the local service and the public demo credentials.

use std::path::PathBuf;
use std::time::Duration;

use crate::local::faults::FaultSettings;
use crate::secret::Secret;

/// Access key id of the demo service. Public on purpose: it only opens the local demo.
pub const DEMO_ACCESS_KEY_ID: &str = "AKIACCTUIDEMO0000001";
/// Secret access key of the demo service. Public on purpose: it only opens the local demo.
pub const DEMO_SECRET_ACCESS_KEY: &str = "cctuiDemoSecretKey/OnlyForTheLocalService00";
/// IAM user owning the demo key: the first person of the demo.
pub const DEMO_USER: &str = "alice";
/// Access key id of the demo's second IAM user, to play a second person. Public on purpose.
pub const DEMO_BOB_ACCESS_KEY_ID: &str = "AKIACCTUIDEMO0000002";
/// Secret access key of the demo's second IAM user. Public on purpose.
pub const DEMO_BOB_SECRET_ACCESS_KEY: &str = "cctuiDemoSecretKey/SecondUserOfTheDemo0002";
/// IAM user owning the second demo key.
pub const DEMO_BOB_USER: &str = "bob";
/// Access key id of the demo's third IAM user, whose `master` is protected by an IAM policy
/// (see [`crate::local::demo::carol_policy`]). Public on purpose.
pub const DEMO_CAROL_ACCESS_KEY_ID: &str = "AKIACCTUIDEMO0000003";
/// Secret access key of the demo's third IAM user. Public on purpose.
pub const DEMO_CAROL_SECRET_ACCESS_KEY: &str = "cctuiDemoSecretKey/ProtectedMasterUser003";
/// IAM user owning the third demo key.
pub const DEMO_CAROL_USER: &str = "carol";
/// IAM user owning the key given to `cctui serve --access-key` unless `--key-user` names one.
pub const DEFAULT_USER: &str = "cctui";
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

    /// The public demo credentials (IAM user [`DEMO_USER`]).
    pub fn demo() -> Self {
        Self::new(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
    }

    /// The public credentials of the demo's second user ([`DEMO_BOB_USER`]).
    pub fn demo_bob() -> Self {
        Self::new(DEMO_BOB_ACCESS_KEY_ID, DEMO_BOB_SECRET_ACCESS_KEY)
    }

    /// The public credentials of the demo's third user ([`DEMO_CAROL_USER`]).
    pub fn demo_carol() -> Self {
        Self::new(DEMO_CAROL_ACCESS_KEY_ID, DEMO_CAROL_SECRET_ACCESS_KEY)
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
    /// Owner (IAM user name) of an accepted access key id; keys not listed belong to
    /// `default_user`.
    pub key_owners: Vec<(String, String)>,
    /// IAM user of the accepted keys without an entry in `key_owners`.
    pub default_user: String,
    /// More IAM users (`cctui serve --user NAME`): their keys are generated once and kept in
    /// `<data dir>/users.credentials` (see [`crate::local::iam::users::user_keys`]).
    pub extra_users: Vec<String>,
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
    /// Timeouts and caps that keep a bad or slow client from holding the service.
    pub limits: Limits,
    /// The SSH endpoint's port on 127.0.0.1 (0 picks a free one); `None`: no SSH endpoint.
    pub ssh_port: Option<u16>,
    /// Who may log in over SSH; `None`: the active SSH keys uploaded through the service's IAM
    /// API (`UploadSSHPublicKey`), with their SSH key ID as user.
    pub ssh_authorizer: Option<crate::local::ssh::SshAuthorizer>,
}

/// How long the service waits for a client and how much it runs at once.
///
/// Every wait on a client is bounded, so a client that stops talking (a killed `git push`, a
/// half-open socket, a slowloris) frees its connection, its worker and its git processes.
#[derive(Debug, Clone)]
pub struct Limits {
    /// From the end of the previous response (or the connection's start) to the end of the next
    /// request's headers. This bounds slow headers and idle keep-alive connections alike,
    /// because hyper starts this timer as soon as it waits for a request head.
    pub header_read_timeout: Duration,
    /// Longest pause in a request body or in a client's reading of a response body; past it
    /// the transfer counts as stalled and the request (and its git processes) is ended.
    pub body_stall_timeout: Duration,
    /// Open connections accepted at once; a further one has its request answered `503` (in
    /// the request's protocol, which SDKs retry) and is closed. 2,048 by default: an account's
    /// pull request listing alone keeps 512 open.
    pub max_connections: usize,
    /// `git http-backend` processes running at once.
    pub max_git_processes: usize,
    /// How long a git request waits for a free process slot before it gets `429 Rate
    /// Exceeded`, as CodeCommit throttles git clients.
    pub git_queue_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(30),
            body_stall_timeout: Duration::from_secs(60),
            max_connections: 2048,
            max_git_processes: 16,
            git_queue_timeout: Duration::from_secs(10),
        }
    }
}

impl ServiceConfig {
    /// A config with the demo credentials (users alice, bob and carol), region and account, on
    /// an ephemeral port. carol is unrestricted until a policy is put on her (the demo does).
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: 0,
            credentials: vec![
                Credential::demo(),
                Credential::demo_bob(),
                Credential::demo_carol(),
            ],
            key_owners: vec![
                (DEMO_ACCESS_KEY_ID.to_string(), DEMO_USER.to_string()),
                (
                    DEMO_BOB_ACCESS_KEY_ID.to_string(),
                    DEMO_BOB_USER.to_string(),
                ),
                (
                    DEMO_CAROL_ACCESS_KEY_ID.to_string(),
                    DEMO_CAROL_USER.to_string(),
                ),
            ],
            default_user: DEFAULT_USER.to_string(),
            extra_users: Vec::new(),
            region: DEMO_REGION.to_string(),
            account_id: DEMO_ACCOUNT_ID.to_string(),
            git_static: None,
            faults: FaultSettings::default(),
            max_api_body_bytes: 1024 * 1024,
            limits: Limits::default(),
            ssh_port: None,
            ssh_authorizer: None,
        }
    }
}
