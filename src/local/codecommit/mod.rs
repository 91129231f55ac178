//! CodeCommit pull requests in the local service, as the 2015-04-13 API shapes them:
//!
//! - [`pulls`]: create, get, list, title / description / status, events; the source branch
//!   moving (a new revision) and the destination taking the source (merged) are noticed
//!   whenever a pull request is read;
//! - [`differences`]: GetDifferences and GetBlob, computed from the bare repository;
//! - [`comments`]: comments on a pull request, a file or a line; replies, edits, reactions;
//! - [`approvals`]: approval states per revision, approval rules, their evaluation and
//!   overrides (OverridePullRequestApprovalRules, GetPullRequestOverrideState; an overridden
//!   revision merges without its rules satisfied);
//! - [`conflicts`]: GetMergeConflicts and DescribeMergeConflicts (file and line detail
//!   levels, merge hunks), and the conflict analysis every merge starts from;
//! - [`hunks`]: the diff3 regions of one file (merge hunks);
//! - [`resolution`]: explicit `conflictResolution` entries (replace contents, delete files,
//!   set file modes), checked and applied;
//! - [`merges`]: merge options and merges (fast-forward, squash, three-way) of pull requests
//!   and of branches (MergeBranchesBy…) in the bare repository, one mechanism for both;
//! - [`templates`]: approval rule templates, their repository associations, and the rules
//!   they give new pull requests;
//! - [`triggers`]: trigger validation (PutRepositoryTriggers) and TestRepositoryTriggers;
//! - [`state`]: the records and their file, `pull-requests.json` in the data directory,
//!   replaced atomically on every change.
//!
//! [`Ops::dispatch_as`](crate::local::ops::Ops::dispatch_as) calls these with one line per
//! operation; each takes the [`Ops`](crate::local::ops::Ops) (store, git) and, when it records who acted, the
//! [`Caller`].

pub mod approvals;
pub mod comments;
pub mod conflicts;
pub mod differences;
pub mod hunks;
pub mod merges;
pub mod pulls;
pub mod resolution;
pub mod state;
pub mod templates;
pub mod triggers;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

use crate::local::config::DEMO_ACCESS_KEY_ID;
use crate::local::ops::{ApiError, opt_str};
pub use state::State;

/// Who signed the request, as an IAM ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `arn:aws:iam::<account>:user/<name>`.
    pub arn: String,
}

/// Second demo key (the reviewer `bob`).
pub const DEMO_REVIEWER_ACCESS_KEY_ID: &str = crate::local::config::DEMO_BOB_ACCESS_KEY_ID;

impl Caller {
    /// The caller for an access key when the IAM users do not know it (the demo seed, which
    /// runs as the service itself: `None` is alice); the API resolves signing keys through
    /// [`crate::local::iam::Iam::owner_of`] first. The demo keys are `alice` and `bob` as in
    /// IAM, any other key a user named after its key id.
    pub fn from_access_key(account_id: &str, access_key_id: Option<&str>) -> Self {
        let name = match access_key_id {
            None | Some(DEMO_ACCESS_KEY_ID) => "alice",
            Some(DEMO_REVIEWER_ACCESS_KEY_ID) => "bob",
            Some(other) => other,
        };
        Self {
            arn: format!("arn:aws:iam::{account_id}:user/{name}"),
        }
    }
}

/// The pull request state of one data directory, loaded on first use.
pub struct Pulls {
    file: std::path::PathBuf,
    state: Mutex<Option<State>>,
    /// Bare repositories kept open for reading branch tips: every read of a request looks at
    /// its branches, and opening a repository each time (its pack indexes loaded again) under
    /// the state's lock made 500 concurrent GetPullRequest calls wait on each other. libgit2
    /// re-reads refs from disk on each lookup and finds packs pushed since, so a kept
    /// repository sees every push.
    repositories: Mutex<std::collections::HashMap<std::path::PathBuf, SharedRepository>>,
}

/// A bare repository kept open, one user at a time (`git2::Repository` is not `Sync`).
pub type SharedRepository = std::sync::Arc<Mutex<git2::Repository>>;

impl Pulls {
    /// Pull requests kept in `<data_dir>/pull-requests.json`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            file: data_dir.join(state::FILE_NAME),
            state: Mutex::new(None),
            repositories: Mutex::default(),
        }
    }

    /// The bare repository at `path`, opened once and kept.
    pub fn repository(&self, path: &Path) -> Result<SharedRepository, ApiError> {
        let mut open = self.repositories.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(repository) = open.get(path) {
            return Ok(repository.clone());
        }
        let repository = std::sync::Arc::new(Mutex::new(
            git2::Repository::open_bare(path).map_err(crate::local::ops::git_error)?,
        ));
        open.insert(path.to_path_buf(), repository.clone());
        Ok(repository)
    }

    /// Runs `f` on the state (loaded if needed). When `f` succeeds and changed the state
    /// (`dirty`), the change is stored before the answer goes out, so an acknowledged change
    /// survives a crash. When `f` fails after a change, or storing fails, the state in memory
    /// is dropped and read again from the file next time: nothing unstored is ever answered.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut guard = self.lock();
        if guard.is_none() {
            *guard = Some(State::load(&self.file).map_err(|e| {
                tracing::error!(error = %e, "cannot load the pull requests");
                ApiError::internal(format!(
                    "The service cannot read its pull requests: {e}. Restore or remove the file."
                ))
            })?);
        }
        let Some(state) = guard.as_mut() else {
            return Err(ApiError::internal("The pull request state is not loaded."));
        };
        let result = f(state);
        if !state.dirty {
            return result;
        }
        state.dirty = false;
        let stored = match &result {
            Ok(_) => state.save(&self.file).map_err(|e| {
                tracing::error!(error = %e, "cannot store the pull requests");
                ApiError::internal("The service could not store the change.")
            }),
            Err(_) => Ok(()),
        };
        if result.is_err() || stored.is_err() {
            *guard = None;
        }
        stored?;
        result
    }

    fn lock(&self) -> MutexGuard<'_, Option<State>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A required string field, with AWS's "…RequiredException" when absent or empty.
pub(crate) fn required<'a>(body: &'a Value, key: &str, code: &str) -> Result<&'a str, ApiError> {
    match opt_str(body, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::client(
            code,
            format!("{key} is required but was not specified."),
        )),
    }
}

/// `maxResults`-style field: absent gives `default`, otherwise 1..=`max`.
pub(crate) fn max_results(
    body: &Value,
    key: &str,
    default: usize,
    max: usize,
) -> Result<usize, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 && n as usize <= max => Ok(n as usize),
            _ => Err(ApiError::client(
                "InvalidMaxResultsException",
                format!("The value of {key} is not valid: use a number from 1 to {max}."),
            )),
        },
    }
}

/// Checks an ARN given as a filter (`authorArn`, `actorArn`, `reactionUserArn`).
pub(crate) fn validate_arn(arn: &str, code: &str) -> Result<(), ApiError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() == 6 && parts[0] == "arn" && !parts[2].is_empty() && !parts[5].is_empty() {
        Ok(())
    } else {
        Err(ApiError::client(
            code,
            format!("The ARN {arn} is not valid: use arn:aws:iam::<account>:user/<name>."),
        ))
    }
}

/// The client request token (idempotency) of a create; the SDKs and the CLI fill it in.
pub(crate) fn client_request_token(body: &Value) -> Result<Option<String>, ApiError> {
    match opt_str(body, "clientRequestToken")? {
        None => Ok(None),
        Some(t) if t.is_empty() || t.len() > 64 => Err(ApiError::client(
            "InvalidClientRequestTokenException",
            "The client request token is not valid: use 1 to 64 characters.",
        )),
        Some(t) => Ok(Some(t.to_string())),
    }
}

/// The pull request the body names, refreshed against its repository.
pub(crate) fn pull_request_id(body: &Value) -> Result<u64, ApiError> {
    let id = required(body, "pullRequestId", "PullRequestIdRequiredException")?;
    id.parse::<u64>()
        .ok()
        .filter(|n| *n > 0 && !id.starts_with('0'))
        .ok_or_else(|| {
            ApiError::client(
                "InvalidPullRequestIdException",
                format!("The pull request ID {id} is not valid: pull request IDs are numbers."),
            )
        })
}

/// The error for a pull request id that was never given out.
pub(crate) fn pull_request_missing(id: u64) -> ApiError {
    ApiError::client(
        "PullRequestDoesNotExistException",
        format!("Pull request {id} does not exist"),
    )
}

/// Shorthand used by the operation modules.
pub(crate) type OpResult = Result<Value, ApiError>;
