//! Pull request records and their file.
//!
//! One JSON file, `pull-requests.json`, replaced atomically (temp file, fsync, rename, fsync
//! of the directory) like the repository metadata: a crash leaves the old or the new version,
//! never half of one. A left-over `pull-requests.json.tmp` is an unfinished replacement and is
//! ignored (and overwritten by the next change).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// File name in the data directory.
pub const FILE_NAME: &str = "pull-requests.json";

/// Everything about pull requests in one data directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Last pull request id given out (ids are numbers, counted per service as in AWS).
    pub last_id: u64,
    /// Pull requests by id.
    pub pulls: BTreeMap<u64, PullRequest>,
    /// Comments by comment id.
    pub comments: BTreeMap<String, Comment>,
    /// Order comments were posted in (ids), for stable answers.
    pub comment_order: Vec<String>,
    /// Approval rule templates of the account and region, in creation order.
    #[serde(default)]
    pub templates: Vec<Template>,
    /// Set by every change; the change is stored before the answer goes out.
    #[serde(skip)]
    pub dirty: bool,
}

/// One pull request (CodeCommit allows one target).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullRequest {
    /// Numeric id.
    pub id: u64,
    /// At most 150 characters.
    pub title: String,
    /// At most 10,240 characters.
    pub description: Option<String>,
    /// `OPEN` or `CLOSED`.
    pub status: String,
    /// IAM ARN of the creator.
    pub author_arn: String,
    /// Seconds since the epoch.
    pub creation_date: f64,
    /// Seconds since the epoch; every change and comment moves it.
    pub last_activity_date: f64,
    /// Token of the create, for idempotent retries.
    pub client_request_token: Option<String>,
    /// Fingerprint of what the create asked for, to tell a retry from a different request.
    pub request_fingerprint: String,
    /// Changes whenever the source commit changes; approvals belong to a revision.
    pub revision_id: String,
    /// Earlier revisions, oldest first (their approval states can still be read).
    #[serde(default)]
    pub past_revisions: Vec<String>,
    /// The target.
    pub target: Target,
    /// Approval rules.
    pub approval_rules: Vec<ApprovalRule>,
    /// Approval states by revision, then by user ARN (`APPROVE` only are kept).
    pub approvals: BTreeMap<String, Vec<String>>,
    /// Events as AWS answers them in DescribePullRequestEvents (oldest first).
    pub events: Vec<Value>,
    /// Approval rules set aside, by revision: who overrode them (a revoke removes the entry,
    /// as AWS does not store REVOKE).
    #[serde(default)]
    pub overrides: BTreeMap<String, String>,
}

/// The repository and branches of a pull request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Target {
    /// Store id of the repository (names can change).
    pub repository_id: String,
    /// Name at the last refresh (answered if the repository is gone).
    pub repository_name: String,
    /// `refs/heads/<branch>`.
    pub source_reference: String,
    /// `refs/heads/<branch>`.
    pub destination_reference: String,
    /// Tip of the source branch.
    pub source_commit: String,
    /// Tip of the destination branch.
    pub destination_commit: String,
    /// Merge base of the two.
    pub merge_base: Option<String>,
    /// Set once the source is merged into the destination.
    pub merge: Option<MergeMetadata>,
    /// The (source, destination) commits last found not merged, in this run: whether one
    /// commit reaches another never changes, so a refresh that finds both tips where they were
    /// skips the history walk (every GetPullRequest and ListPullRequests refreshes).
    #[serde(skip)]
    pub unmerged_checked: Option<(String, String)>,
}

/// How a pull request was merged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergeMetadata {
    /// Who merged it (absent when merged by a push).
    pub merged_by: Option<String>,
    /// The merge commit, when known.
    pub merge_commit_id: Option<String>,
    /// `FAST_FORWARD_MERGE`, `SQUASH_MERGE` or `THREE_WAY_MERGE`.
    pub merge_option: Option<String>,
}

/// An approval rule of a pull request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApprovalRule {
    /// Id (UUID-shaped).
    pub id: String,
    /// Unique within the pull request.
    pub name: String,
    /// The rule content JSON as given.
    pub content: String,
    /// SHA-256 of the content, hex.
    pub content_sha256: String,
    /// Seconds since the epoch.
    pub creation_date: f64,
    /// Seconds since the epoch.
    pub last_modified_date: f64,
    /// Who last changed it.
    pub last_modified_user: String,
    /// The template it was made from, when a template made it.
    #[serde(default)]
    pub origin: Option<Origin>,
}

/// The template an approval rule was made from (`OriginApprovalRuleTemplate`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Origin {
    /// Template id.
    pub id: String,
    /// Template name when the rule was made.
    pub name: String,
}

/// An approval rule template and the repositories it is associated with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template {
    /// Id (UUID-shaped).
    pub id: String,
    /// Unique name, 1 to 100 characters.
    pub name: String,
    /// At most 1,000 characters.
    pub description: String,
    /// The content JSON as given (may have `DestinationReferences`).
    pub content: String,
    /// SHA-256 of the content, hex.
    pub content_sha256: String,
    /// Seconds since the epoch.
    pub creation_date: f64,
    /// Seconds since the epoch.
    pub last_modified_date: f64,
    /// Who last changed it.
    pub last_modified_user: String,
    /// Store ids of the associated repositories (names can change), in association order.
    pub repositories: Vec<String>,
}

/// A comment on a pull request (or a reply to one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comment {
    /// Id (UUID-shaped).
    pub id: String,
    /// The pull request.
    pub pull_request_id: u64,
    /// Repository name at the time of posting.
    pub repository_name: String,
    /// Destination-side commit the comment was made against.
    pub before_commit_id: String,
    /// Source-side commit the comment was made against.
    pub after_commit_id: String,
    /// Blob of the file before, for file comments.
    pub before_blob_id: Option<String>,
    /// Blob of the file after, for file comments.
    pub after_blob_id: Option<String>,
    /// File location (`filePath`, `filePosition`, `relativeFileVersion`), as JSON.
    pub location: Option<Value>,
    /// Text; emptied by DeleteCommentContent.
    pub content: String,
    /// The comment this replies to.
    pub in_reply_to: Option<String>,
    /// Seconds since the epoch.
    pub creation_date: f64,
    /// Seconds since the epoch.
    pub last_modified_date: f64,
    /// IAM ARN of the author.
    pub author_arn: String,
    /// True once its content was deleted.
    pub deleted: bool,
    /// Token of the post, for idempotent retries.
    pub client_request_token: Option<String>,
    /// Reactions by user ARN (the unicode code point, `U+1F44D`).
    pub reactions: BTreeMap<String, String>,
}

impl State {
    /// Reads `file`; a missing file is an empty state.
    pub fn load(file: &Path) -> Result<Self, String> {
        match fs::read(file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is not valid ({e})", file.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("cannot read {}: {e}", file.display())),
        }
    }

    /// Replaces `file` with this state atomically and durably.
    pub fn save(&self, file: &Path) -> Result<(), String> {
        let text = serde_json::to_vec(self).map_err(|e| e.to_string())?;
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
        write().map_err(|e| format!("cannot write {}: {e}", file.display()))
    }

    /// The pull request `id`.
    pub fn pull(&self, id: u64) -> Result<&PullRequest, crate::local::ops::ApiError> {
        self.pulls
            .get(&id)
            .ok_or_else(|| super::pull_request_missing(id))
    }

    /// The pull request `id`, to change.
    pub fn pull_mut(&mut self, id: u64) -> Result<&mut PullRequest, crate::local::ops::ApiError> {
        self.pulls
            .get_mut(&id)
            .ok_or_else(|| super::pull_request_missing(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_through_its_file_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join(FILE_NAME);
        assert_eq!(State::load(&file).map(|s| s.last_id), Ok(0));
        let state = State {
            last_id: 7,
            ..State::default()
        };
        state.save(&file).expect("save");
        assert_eq!(State::load(&file).map(|s| s.last_id), Ok(7));
        assert!(!file.with_extension("json.tmp").exists());
        fs::write(&file, b"{ not json").expect("write");
        assert!(State::load(&file).is_err());
    }
}
