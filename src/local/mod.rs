//! The local CodeCommit-compatible service (`cctui serve`, `cctui --demo`).
//!
//! - [`api`]: JSON 1.1 endpoint (`POST /`), SigV4-checked, AWS error shapes;
//! - [`query_api`]: the AWS query protocol endpoint on the same `POST /` (a form body, no
//!   `X-Amz-Target`), for [`iam`] (users, SSH public keys, service-specific credentials,
//!   inline user policies, SimulatePrincipalPolicy) and [`sts`] (GetCallerIdentity), told
//!   apart by the SigV4 scope; [`query`]: form parsing and XML writing;
//! - permissions: the IAM policies of the caller ([`iam::policy`], IAM's evaluation logic)
//!   are checked on every CodeCommit API call ([`iam::codecommit_access`]), on fetches
//!   (`codecommit:GitPull`) and on pushes over HTTPS and SSH (`codecommit:GitPush` with
//!   `codecommit:References`, [`iam::git_access`]). **A user without any policy keeps full
//!   access**: the service's choice for the users an operator never restricted (real IAM
//!   would deny them everything), so the demo's alice and bob and every `--user` work as
//!   before; the demo's carol has the user guide's protection of `master`;
//! - [`notifications`]: AWS CodeStar Notifications (REST-JSON, `POST /<operation>`, told
//!   apart by the SigV4 scope `codestar-notifications`): notification rules for repositories;
//! - [`ops`]: the CodeCommit operations and their validation rules; [`refname`]: branch names;
//! - [`codecommit`]: pull requests (events, differences, comments, approvals, merge
//!   conflicts and their resolutions, merges of pull requests and of branches),
//!   persisted in `pull-requests.json` in the data directory; the caller's IAM ARN comes from
//!   the signing key ([`ops::Ops::dispatch_as`]);
//! - [`git_http`]: git smart HTTP via `git http-backend`, CodeCommit IAM git passwords;
//! - [`cgi`]: one `git http-backend` process group per request, killed when the request ends
//!   early, and the process slots;
//! - [`store`]: metadata and bare repositories on disk, keyed by repository id;
//!   [`recovery`]: what an interrupted run left there, cleaned or completed at start-up;
//! - [`server`]: the listener, its caps and timeouts; [`watchdog`]: connections that stall;
//! - [`ssh`]: the SSH endpoint (`--ssh-port`): git-upload-pack and git-receive-pack for the
//!   public keys its authorizer allows;
//! - [`faults`]: latency, 5xx, throttling and cut transfers, settable at runtime;
//! - [`demo`]: the seeded demo data (repositories, pull requests, carol's policy);
//!   [`cli`]: `cctui serve`;
//!   [`secrets`]: its secrets from a file, the environment or a profile.
//!
//! It shares no code with `aws/` except `crate::sigv4`, so it is an independent check of the
//! client.

pub mod api;
pub mod cgi;
pub mod cli;
pub mod codecommit;
pub mod config;
pub mod demo;
pub mod faults;
pub mod git_http;
mod http;
pub mod iam;
pub mod notifications;
pub mod ops;
pub mod query;
pub mod query_api;
pub mod recovery;
pub mod refname;
pub mod secrets;
pub mod server;
pub mod sigv4_verify;
pub mod ssh;
pub mod stats;
pub mod store;
pub mod sts;
pub mod watchdog;

pub use cli::{ServeArgs, run_serve};
pub use config::{
    Credential, DEFAULT_USER, DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_BOB_ACCESS_KEY_ID,
    DEMO_BOB_SECRET_ACCESS_KEY, DEMO_BOB_USER, DEMO_CAROL_ACCESS_KEY_ID,
    DEMO_CAROL_SECRET_ACCESS_KEY, DEMO_CAROL_USER, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, DEMO_USER,
    Limits, ServiceConfig,
};
pub use demo::start_demo;
pub use faults::{FaultSettings, Faults};
pub use server::{LocalService, RunningService};
pub use ssh::SshAuthorizer;
pub use stats::{Stats, StatsSnapshot};

/// Error of the local service; every message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The port cannot be bound.
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}. Choose another --port (or 0 for any free port)"
    )]
    Bind {
        /// The requested port.
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
    /// The SSH port cannot be bound.
    #[error(
        "cannot listen for SSH on 127.0.0.1:{port}: {source}. Choose another --ssh-port (or 0 for any free port)"
    )]
    SshBind {
        /// The requested port.
        port: u16,
        /// The cause.
        source: std::io::Error,
    },
    /// The SSH host key cannot be made or read.
    #[error("SSH host key: {0}")]
    SshHostKey(String),
    /// The data directory cannot be used.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The notification rules file cannot be read.
    #[error("notification rules: {0}")]
    Notifications(String),
    /// No data directory was given and the platform has none.
    #[error("cannot find a data directory for this user; pass --data-dir <DIR>")]
    NoDataDir,
    /// Seeding the demo data failed.
    #[error(
        "cannot create the demo repositories: {0}. Check that git is installed and on PATH, or start again with a fresh --data-dir"
    )]
    Seed(String),
    /// A command-line option is not valid.
    #[error("{0}")]
    InvalidOption(String),
    /// Waiting for Ctrl-C or SIGTERM failed.
    #[error("cannot listen for Ctrl-C/SIGTERM: {0}")]
    Signal(std::io::Error),
}
