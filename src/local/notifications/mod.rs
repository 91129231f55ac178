//! AWS CodeStar Notifications (2019-10-15) for CodeCommit repositories: notification rules
//! (create, describe, list with filters and paging, update, delete) and the CodeCommit event
//! types (ListEventTypes), persisted in `notification-rules.json` in the data directory.
//!
//! The wire side (REST-JSON, `POST /createNotificationRule` …, SigV4 scope
//! `codestar-notifications`) is [`api`]. Nothing is ever delivered: the service has no SNS;
//! rules are kept and answered as AWS answers them, targets reported `ACTIVE`.

pub mod api;
pub mod events;
pub mod rules;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::local::ops::ApiError;

/// The file the rules live in, inside the data directory.
pub const FILE_NAME: &str = "notification-rules.json";

/// One notification rule as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// `arn:aws:codestar-notifications:<region>:<account>:notificationrule/<id>`.
    pub arn: String,
    /// The id at the end of the ARN (40 hex digits, as AWS makes them).
    pub id: String,
    /// Unique in the account.
    pub name: String,
    /// Event type ids, e.g. `codecommit-repository-pull-request-created`.
    pub event_type_ids: Vec<String>,
    /// The repository ARN.
    pub resource: String,
    /// `(TargetType, TargetAddress)` pairs.
    pub targets: Vec<(String, String)>,
    /// `BASIC` or `FULL`.
    pub detail_type: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    /// The caller's ARN.
    pub created_by: String,
    /// Seconds since the epoch.
    pub created: f64,
    /// Seconds since the epoch.
    pub last_modified: f64,
    /// The token of the create call, for idempotent retries.
    pub client_request_token: Option<String>,
    /// Tags given at creation.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// The rules of the account, in creation order, and their file.
pub struct Notifications {
    file: PathBuf,
    rules: Mutex<Vec<Rule>>,
    region: String,
    account_id: String,
}

impl Notifications {
    /// Opens `<data_dir>/notification-rules.json` (missing: no rules).
    pub fn open(data_dir: &Path, region: &str, account_id: &str) -> Result<Self, String> {
        let file = data_dir.join(FILE_NAME);
        let rules = match fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is not valid ({e}); move it aside", file.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        };
        Ok(Self {
            file,
            rules: Mutex::new(rules),
            region: region.to_string(),
            account_id: account_id.to_string(),
        })
    }

    /// The region the rules' ARNs name.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account the rules' ARNs name.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// Runs `change` on the rules and saves them if it succeeds; a failed save leaves the
    /// rules as they were, so memory and file agree.
    pub(crate) fn change<T>(
        &self,
        change: impl FnOnce(&mut Vec<Rule>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut guard = self
            .rules
            .lock()
            .map_err(|_| ApiError::internal("The notification rules are unavailable."))?;
        let mut copy = guard.clone();
        let answer = change(&mut copy)?;
        if copy != *guard {
            save(&self.file, &copy)?;
            *guard = copy;
        }
        Ok(answer)
    }

    /// Reads the rules.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&[Rule]) -> T) -> Result<T, ApiError> {
        let guard = self
            .rules
            .lock()
            .map_err(|_| ApiError::internal("The notification rules are unavailable."))?;
        Ok(read(&guard))
    }
}

fn save(file: &Path, rules: &[Rule]) -> Result<(), ApiError> {
    let text = serde_json::to_vec(rules).map_err(|e| ApiError::internal(e.to_string()))?;
    let tmp = file.with_extension("json.tmp");
    let write = || -> std::io::Result<()> {
        let mut out = fs::File::create(&tmp)?;
        out.write_all(&text)?;
        out.sync_all()?;
        fs::rename(&tmp, file)?;
        if let Some(dir) = file.parent() {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| {
        tracing::error!(error = %e, file = %file.display(), "cannot save notification rules");
        ApiError::internal("The service could not store the notification rule.")
    })
}
