//! Pull requests of CodeCommit repositories: listing with details, one request's review state
//! (approval rules evaluated, who approved, merge options), its activity, changed files, blobs,
//! comments, and the changes a reviewer makes (comment, reply, edit, delete, react, approve,
//! revoke, merge, close, reopen, create). The SDK types stop here: the rest of the app sees
//! [`PullRequest`], [`Review`], [`Thread`] and friends.

use std::collections::BTreeMap;

use aws_sdk_codecommit::Client;
use aws_sdk_codecommit::types as sdk;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};

use super::client::Target;
use super::error::AwsError;

/// GetPullRequest calls in flight at once while listing (one repository or many).
///
/// An account view lists every repository's requests at once and reads their details in as
/// few round trips as it can: no CodeCommit call answers several requests, so 500 requests
/// are 500 GetPullRequest calls: at 16 in flight they took 19 round trips, at 256 two waves
/// (`pulls500`). 512 reads a 500-request account in one wave. The SDK's retries with backoff
/// absorb a throttled burst; `main` raises the open-file limit so the sockets fit.
pub const GET_CONCURRENCY: usize = 512;

/// Where a pull request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PullStatus {
    /// Open for review.
    Open,
    /// Closed without a merge.
    Closed,
    /// Merged (CodeCommit reports it as closed, with merge metadata).
    Merged,
}

impl PullStatus {
    /// As shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            PullStatus::Open => "open",
            PullStatus::Closed => "closed",
            PullStatus::Merged => "merged",
        }
    }
}

/// How a pull request is merged (GetMergeOptions' names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MergeStrategy {
    /// Move the destination to the source tip (only when the destination has not moved).
    FastForward,
    /// One new commit on the destination with all the changes.
    Squash,
    /// A merge commit with both tips as parents.
    ThreeWay,
}

impl MergeStrategy {
    /// Every strategy, in the order offered.
    pub const ALL: [MergeStrategy; 3] = [
        MergeStrategy::FastForward,
        MergeStrategy::Squash,
        MergeStrategy::ThreeWay,
    ];

    /// As shown in the merge dialog.
    pub fn label(self) -> &'static str {
        match self {
            MergeStrategy::FastForward => "fast-forward",
            MergeStrategy::Squash => "squash",
            MergeStrategy::ThreeWay => "three-way",
        }
    }

    fn to_sdk(self) -> sdk::MergeOptionTypeEnum {
        match self {
            MergeStrategy::FastForward => sdk::MergeOptionTypeEnum::FastForwardMerge,
            MergeStrategy::Squash => sdk::MergeOptionTypeEnum::SquashMerge,
            MergeStrategy::ThreeWay => sdk::MergeOptionTypeEnum::ThreeWayMerge,
        }
    }

    fn from_sdk(option: &sdk::MergeOptionTypeEnum) -> Option<MergeStrategy> {
        match option {
            sdk::MergeOptionTypeEnum::FastForwardMerge => Some(MergeStrategy::FastForward),
            sdk::MergeOptionTypeEnum::SquashMerge => Some(MergeStrategy::Squash),
            sdk::MergeOptionTypeEnum::ThreeWayMerge => Some(MergeStrategy::ThreeWay),
            _ => None,
        }
    }
}

/// An approval rule of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRule {
    /// Its name.
    pub name: String,
    /// Approvals it needs (the largest `NumberOfApprovalsNeeded` of its statements).
    pub needed: u32,
    /// Who may give them (`ApprovalPoolMembers`; empty: anyone).
    pub pool: Vec<String>,
    /// The template it came from, if any.
    pub template: Option<String>,
}

/// A pull request, as GetPullRequest describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    /// Its id (a number, as text).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description (possibly empty).
    pub description: String,
    /// Author's ARN.
    pub author: String,
    /// Open, closed or merged.
    pub status: PullStatus,
    /// The repository (of its first target: CodeCommit has one per request).
    pub repository: String,
    /// Source branch, without `refs/heads/`.
    pub source: String,
    /// Destination branch, without `refs/heads/`.
    pub destination: String,
    /// Source tip the request is at now.
    pub source_commit: String,
    /// Destination tip when the request was last updated.
    pub destination_commit: String,
    /// The merge base, when CodeCommit gave one.
    pub merge_base: Option<String>,
    /// Who merged it, once merged.
    pub merged_by: Option<String>,
    /// The commit the merge made (or the source tip, for a fast-forward).
    pub merge_commit: Option<String>,
    /// Created, seconds since the epoch.
    pub created: i64,
    /// Last activity, seconds since the epoch.
    pub last_activity: i64,
    /// The revision approvals belong to (changes when the source moves).
    pub revision: String,
    /// Its approval rules.
    pub rules: Vec<ApprovalRule>,
}

impl PullRequest {
    /// `#id title`.
    pub fn headline(&self) -> String {
        format!("#{} {}", self.id, self.title)
    }
}

/// Who approved and what the rules say, for the current revision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Review {
    /// ARNs of the users whose approval stands.
    pub approvers: Vec<String>,
    /// Every rule is satisfied (or the rules were overridden).
    pub approved: bool,
    /// The rules were overridden.
    pub overridden: bool,
    /// Names of the satisfied rules.
    pub satisfied: Vec<String>,
    /// Names of the rules still waiting.
    pub not_satisfied: Vec<String>,
    /// The strategies that merge without conflicts (GetMergeOptions); empty: it conflicts.
    pub merge_options: Vec<MergeStrategy>,
}

impl Review {
    /// Whether `user` (an ARN) approved.
    pub fn approved_by(&self, user: &str) -> bool {
        self.approvers.iter().any(|a| a == user)
    }
}

/// What an activity entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When, seconds since the epoch.
    pub date: i64,
    /// Who (ARN).
    pub actor: String,
    /// What happened, in words ("approved", "merged by squash", "closed"…).
    pub what: String,
}

/// How a file changed between two commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// New file.
    Added,
    /// Content or mode changed (or renamed).
    Modified,
    /// Removed.
    Deleted,
}

/// One changed file of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    /// Path after the change (before, for a deletion).
    pub path: String,
    /// The path before, when it differs (a rename).
    pub old_path: Option<String>,
    /// Added, modified or deleted.
    pub change: Change,
    /// Blob before (none for an addition).
    pub before_blob: Option<String>,
    /// Blob after (none for a deletion).
    pub after_blob: Option<String>,
}

/// Which side of a diff a line comment is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The destination's version (removed lines).
    Before,
    /// The source's version (added and context lines).
    After,
}

/// Where a comment is: on the request, on a file, or on a line of one side.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Anchor {
    /// The request as a whole.
    Request,
    /// A file.
    File(String),
    /// A line (1-based) of a file, on one side.
    Line {
        /// The file.
        path: String,
        /// The line number on that side.
        line: u32,
        /// Which side.
        side: Side,
    },
}

impl Anchor {
    /// The file it is on, if any.
    pub fn path(&self) -> Option<&str> {
        match self {
            Anchor::Request => None,
            Anchor::File(path) | Anchor::Line { path, .. } => Some(path),
        }
    }
}

/// One comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Its id.
    pub id: String,
    /// The comment it answers.
    pub in_reply_to: Option<String>,
    /// Author's ARN.
    pub author: String,
    /// Text (empty once deleted).
    pub content: String,
    /// Deleted by its author.
    pub deleted: bool,
    /// Created, seconds since the epoch.
    pub created: i64,
    /// Edited after creation.
    pub edited: bool,
    /// Reactions: emoji → count.
    pub reactions: BTreeMap<String, i32>,
}

/// The comments at one place, in order (a reply follows what it answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// Where.
    pub anchor: Anchor,
    /// The commit pair the comments were made on.
    pub before_commit: String,
    /// See `before_commit`.
    pub after_commit: String,
    /// The comments.
    pub comments: Vec<Comment>,
}

/// A conflicting file of a merge (GetMergeConflicts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The file.
    pub path: String,
    /// Conflicting hunks in it.
    pub hunks: u32,
    /// A binary file: only a side can be taken.
    pub binary: bool,
    /// Content conflict (as opposed to mode or type only).
    pub content: bool,
}

/// How one conflicting file is resolved in a merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Keep the source's version.
    Source,
    /// Keep the destination's version.
    Destination,
    /// Use this content.
    Content(Vec<u8>),
}

/// What a merge asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequest {
    /// The pull request.
    pub id: String,
    /// Its repository.
    pub repository: String,
    /// The source tip the user reviewed: CodeCommit refuses if it moved.
    pub source_commit: String,
    /// How.
    pub strategy: MergeStrategy,
    /// Commit message (squash and three-way; `None`: CodeCommit's).
    pub message: Option<String>,
    /// Author name and email for the commit, when known.
    pub author: Option<(String, String)>,
    /// Resolutions by path, for the conflicting files.
    pub resolutions: Vec<(String, Resolution)>,
}

/// A new pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPullRequest {
    /// The repository.
    pub repository: String,
    /// Source branch.
    pub source: String,
    /// Destination branch.
    pub destination: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
}

fn short_ref(reference: Option<&str>) -> String {
    let reference = reference.unwrap_or_default();
    reference
        .strip_prefix("refs/heads/")
        .unwrap_or(reference)
        .to_string()
}

fn secs(date: Option<&aws_sdk_codecommit::primitives::DateTime>) -> i64 {
    date.map(|d| d.secs()).unwrap_or_default()
}

/// Reads an approval rule's content (`{"Version":…,"Statements":[…]}`).
fn rule(rule: &sdk::ApprovalRule) -> ApprovalRule {
    let content: serde_json::Value = rule
        .approval_rule_content()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let statements = content
        .get("Statements")
        .and_then(|s| s.as_array())
        .cloned()
        .unwrap_or_default();
    let needed = statements
        .iter()
        .filter_map(|s| s.get("NumberOfApprovalsNeeded")?.as_u64())
        .max()
        .unwrap_or(0);
    let pool = statements
        .iter()
        .filter_map(|s| s.get("ApprovalPoolMembers")?.as_array().cloned())
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect();
    ApprovalRule {
        name: rule.approval_rule_name().unwrap_or_default().to_string(),
        needed: u32::try_from(needed).unwrap_or(u32::MAX),
        pool,
        template: rule
            .origin_approval_rule_template()
            .and_then(|t| t.approval_rule_template_name())
            .map(str::to_string),
    }
}

/// Maps the SDK's pull request into ours.
fn pull_request(pr: &sdk::PullRequest) -> PullRequest {
    let target = pr.pull_request_targets().first();
    let merge = target.and_then(|t| t.merge_metadata());
    let merged = merge.is_some_and(|m| m.is_merged());
    let status = match (pr.pull_request_status(), merged) {
        (_, true) => PullStatus::Merged,
        (Some(sdk::PullRequestStatusEnum::Closed), false) => PullStatus::Closed,
        _ => PullStatus::Open,
    };
    PullRequest {
        id: pr.pull_request_id().unwrap_or_default().to_string(),
        title: pr.title().unwrap_or_default().to_string(),
        description: pr.description().unwrap_or_default().to_string(),
        author: pr.author_arn().unwrap_or_default().to_string(),
        status,
        repository: target
            .and_then(|t| t.repository_name())
            .unwrap_or_default()
            .to_string(),
        source: short_ref(target.and_then(|t| t.source_reference())),
        destination: short_ref(target.and_then(|t| t.destination_reference())),
        source_commit: target
            .and_then(|t| t.source_commit())
            .unwrap_or_default()
            .to_string(),
        destination_commit: target
            .and_then(|t| t.destination_commit())
            .unwrap_or_default()
            .to_string(),
        merge_base: target.and_then(|t| t.merge_base()).map(str::to_string),
        merged_by: merge
            .filter(|m| m.is_merged())
            .and_then(|m| m.merged_by())
            .map(str::to_string),
        merge_commit: merge
            .filter(|m| m.is_merged())
            .and_then(|m| m.merge_commit_id())
            .map(str::to_string),
        created: secs(pr.creation_date()),
        last_activity: secs(pr.last_activity_date()),
        revision: pr.revision_id().unwrap_or_default().to_string(),
        rules: pr.approval_rules().iter().map(rule).collect(),
    }
}

/// Conflicts as git sees them: only the same lines changed on both sides conflict. CodeCommit's
/// default (`FILE_LEVEL`) calls any file changed on both sides a conflict, which would refuse
/// merges `git merge` makes without asking.
const LINE_LEVEL: sdk::ConflictDetailLevelTypeEnum = sdk::ConflictDetailLevelTypeEnum::LineLevel;

/// Which pull requests a listing asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListStatus {
    /// Open ones (CodeCommit's `OPEN`).
    #[default]
    Open,
    /// Closed ones, merged or not (`CLOSED`).
    Closed,
}

/// The ids of a repository's pull requests (every ListPullRequests page), newest first as
/// CodeCommit returns them; `author` narrows to one author's ARN.
pub async fn list_ids(
    client: &Client,
    target: &Target,
    repository: &str,
    status: ListStatus,
    author: Option<&str>,
) -> Result<Vec<String>, AwsError> {
    let status = match status {
        ListStatus::Open => sdk::PullRequestStatusEnum::Open,
        ListStatus::Closed => sdk::PullRequestStatusEnum::Closed,
    };
    let mut ids = Vec::new();
    let mut pages = client
        .list_pull_requests()
        .repository_name(repository)
        .pull_request_status(status)
        .set_author_arn(author.map(str::to_string))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk(e, "ListPullRequests", target))?;
        ids.extend(page.pull_request_ids().iter().cloned());
    }
    Ok(ids)
}

/// GetPullRequest.
pub async fn get(client: &Client, target: &Target, id: &str) -> Result<PullRequest, AwsError> {
    let answer = client
        .get_pull_request()
        .pull_request_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetPullRequest", target))?;
    answer
        .pull_request()
        .map(pull_request)
        .ok_or_else(|| AwsError::Other(format!("GetPullRequest {id} answered no request")))
}

/// Every pull request of `repositories` with its details: the repositories' listings run
/// together, and each id's GetPullRequest starts as soon as its page arrives
/// ([`GET_CONCURRENCY`] in flight). `on_rows` sees the requests as they arrive, those that
/// arrived together in one batch (one message, one wake-up and one redraw for the screen
/// rather than one per row); a repository whose listing fails is reported through
/// `on_failure` and the others go on. Returns how many requests were listed.
pub async fn list_with_details(
    client: &Client,
    target: &Target,
    repositories: &[String],
    status: ListStatus,
    author: Option<&str>,
    mut on_rows: impl FnMut(Vec<PullRequest>),
    mut on_failure: impl FnMut(&str, AwsError),
) -> usize {
    enum Done {
        Listed(String, Result<Vec<String>, AwsError>),
        Got(String, Result<Box<PullRequest>, AwsError>),
    }
    let mut repositories = repositories.iter();
    let mut ids: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let mut running: FuturesUnordered<BoxFuture<'_, Done>> = FuturesUnordered::new();
    let mut count = 0;
    loop {
        // Details first: rows reach the screen while further listings wait for a slot.
        while running.len() < GET_CONCURRENCY {
            if let Some(id) = ids.pop_front() {
                running.push(
                    async move {
                        let got = get(client, target, &id).await.map(Box::new);
                        Done::Got(id, got)
                    }
                    .boxed(),
                );
            } else if let Some(repository) = repositories.next() {
                running.push(
                    async move {
                        let listed = list_ids(client, target, repository, status, author).await;
                        Done::Listed(repository.clone(), listed)
                    }
                    .boxed(),
                );
            } else {
                break;
            }
        }
        let Some(first) = running.next().await else {
            break;
        };
        // With it, whatever else has already finished.
        let mut rows = Vec::new();
        let mut done = Some(first);
        while let Some(finished) = done {
            match finished {
                Done::Listed(_, Ok(listed)) => ids.extend(listed),
                Done::Listed(repository, Err(error)) => on_failure(&repository, error),
                Done::Got(_, Ok(pr)) => rows.push(*pr),
                Done::Got(id, Err(error)) => on_failure(&format!("#{id}"), error),
            }
            done = running.next().now_or_never().flatten();
        }
        if !rows.is_empty() {
            count += rows.len();
            on_rows(rows);
        }
    }
    count
}

/// The review state of a request's revision: EvaluatePullRequestApprovalRules,
/// GetPullRequestApprovalStates and (while it is open) GetMergeOptions, together.
pub async fn review(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
) -> Result<Review, AwsError> {
    let evaluation = async {
        client
            .evaluate_pull_request_approval_rules()
            .pull_request_id(&pr.id)
            .revision_id(&pr.revision)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(e, "EvaluatePullRequestApprovalRules", target))
    };
    let states = async {
        client
            .get_pull_request_approval_states()
            .pull_request_id(&pr.id)
            .revision_id(&pr.revision)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(e, "GetPullRequestApprovalStates", target))
    };
    let options = async {
        if pr.status != PullStatus::Open {
            return Ok(Vec::new());
        }
        merge_options(client, target, pr).await
    };
    let (evaluation, states, options) = tokio::join!(evaluation, states, options);
    let evaluation = evaluation?;
    let evaluation = evaluation.evaluation();
    Ok(Review {
        approvers: states?
            .approvals()
            .iter()
            .filter(|a| a.approval_state() == Some(&sdk::ApprovalState::Approve))
            .filter_map(|a| a.user_arn().map(str::to_string))
            .collect(),
        approved: evaluation.is_some_and(|e| e.approved()),
        overridden: evaluation.is_some_and(|e| e.overridden()),
        satisfied: evaluation
            .map(|e| e.approval_rules_satisfied().to_vec())
            .unwrap_or_default(),
        not_satisfied: evaluation
            .map(|e| e.approval_rules_not_satisfied().to_vec())
            .unwrap_or_default(),
        merge_options: options?,
    })
}

/// GetMergeOptions: the strategies that merge the request's source into its destination
/// without conflicts.
pub async fn merge_options(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
) -> Result<Vec<MergeStrategy>, AwsError> {
    let answer = client
        .get_merge_options()
        .repository_name(&pr.repository)
        .conflict_detail_level(LINE_LEVEL)
        .source_commit_specifier(&pr.source_commit)
        .destination_commit_specifier(format!("refs/heads/{}", pr.destination))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetMergeOptions", target))?;
    Ok(answer
        .merge_options()
        .iter()
        .filter_map(MergeStrategy::from_sdk)
        .collect())
}

/// The request's activity, oldest first (every DescribePullRequestEvents page).
pub async fn events(client: &Client, target: &Target, id: &str) -> Result<Vec<Event>, AwsError> {
    let mut events = Vec::new();
    let mut pages = client
        .describe_pull_request_events()
        .pull_request_id(id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk(e, "DescribePullRequestEvents", target))?;
        events.extend(page.pull_request_events().iter().map(event));
    }
    events.sort_by_key(|e| e.date);
    Ok(events)
}

fn event(event: &sdk::PullRequestEvent) -> Event {
    use sdk::PullRequestEventType as T;
    let what = match event.pull_request_event_type() {
        Some(T::PullRequestCreated) => "opened the request".to_string(),
        Some(T::PullRequestStatusChanged) => match event
            .pull_request_status_changed_event_metadata()
            .and_then(|m| m.pull_request_status())
        {
            Some(sdk::PullRequestStatusEnum::Closed) => "closed the request".into(),
            Some(sdk::PullRequestStatusEnum::Open) => "reopened the request".into(),
            _ => "changed the status".into(),
        },
        Some(T::PullRequestSourceReferenceUpdated) => "updated the source branch".into(),
        Some(T::PullRequestMergeStateChanged) => {
            let how = event
                .pull_request_merged_state_changed_event_metadata()
                .and_then(|m| m.merge_metadata())
                .and_then(|m| m.merge_option())
                .and_then(MergeStrategy::from_sdk);
            match how {
                Some(how) => format!("merged ({})", how.label()),
                None => "merged".into(),
            }
        }
        Some(T::PullRequestApprovalStateChanged) => match event
            .approval_state_changed_event_metadata()
            .and_then(|m| m.approval_status())
        {
            Some(sdk::ApprovalState::Approve) => "approved".into(),
            Some(sdk::ApprovalState::Revoke) => "revoked the approval".into(),
            _ => "changed an approval".into(),
        },
        Some(T::PullRequestApprovalRuleCreated) => format!(
            "added the approval rule {}",
            rule_name(event.approval_rule_event_metadata())
        ),
        Some(T::PullRequestApprovalRuleUpdated) => format!(
            "changed the approval rule {}",
            rule_name(event.approval_rule_event_metadata())
        ),
        Some(T::PullRequestApprovalRuleDeleted) => format!(
            "deleted the approval rule {}",
            rule_name(event.approval_rule_event_metadata())
        ),
        Some(T::PullRequestApprovalRuleOverridden) => "overrode the approval rules".into(),
        Some(other) => other.as_str().to_lowercase().replace('_', " "),
        None => "did something".into(),
    };
    Event {
        date: secs(event.event_date()),
        actor: event.actor_arn().unwrap_or_default().to_string(),
        what,
    }
}

fn rule_name(metadata: Option<&sdk::ApprovalRuleEventMetadata>) -> String {
    metadata
        .and_then(|m| m.approval_rule_name())
        .unwrap_or_default()
        .to_string()
}

/// The files changed between the destination and the source tip (every GetDifferences page).
pub async fn changed_files(
    client: &Client,
    target: &Target,
    repository: &str,
    before: &str,
    after: &str,
) -> Result<Vec<ChangedFile>, AwsError> {
    let mut files = Vec::new();
    let mut pages = client
        .get_differences()
        .repository_name(repository)
        .before_commit_specifier(before)
        .after_commit_specifier(after)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk(e, "GetDifferences", target))?;
        for difference in page.differences() {
            let before = difference.before_blob();
            let after = difference.after_blob();
            let change = match difference.change_type() {
                Some(sdk::ChangeTypeEnum::Added) => Change::Added,
                Some(sdk::ChangeTypeEnum::Deleted) => Change::Deleted,
                _ => Change::Modified,
            };
            let path = after
                .or(before)
                .and_then(|b| b.path())
                .unwrap_or_default()
                .to_string();
            let old_path = before
                .and_then(|b| b.path())
                .filter(|p| *p != path)
                .map(str::to_string);
            files.push(ChangedFile {
                path,
                old_path,
                change,
                before_blob: before.and_then(|b| b.blob_id()).map(str::to_string),
                after_blob: after.and_then(|b| b.blob_id()).map(str::to_string),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// GetBlob: a file's content.
pub async fn blob(
    client: &Client,
    target: &Target,
    repository: &str,
    blob_id: &str,
) -> Result<Vec<u8>, AwsError> {
    let answer = client
        .get_blob()
        .repository_name(repository)
        .blob_id(blob_id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetBlob", target))?;
    Ok(answer.content().as_ref().to_vec())
}

fn comment(comment: &sdk::Comment) -> Comment {
    let created = secs(comment.creation_date());
    let modified = secs(comment.last_modified_date());
    Comment {
        id: comment.comment_id().unwrap_or_default().to_string(),
        in_reply_to: comment.in_reply_to().map(str::to_string),
        author: comment.author_arn().unwrap_or_default().to_string(),
        content: comment.content().unwrap_or_default().to_string(),
        deleted: comment.deleted(),
        created,
        edited: modified > created,
        reactions: comment
            .reaction_counts()
            .map(|counts| {
                counts
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(k, v)| (k.clone(), *v))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn anchor(location: Option<&sdk::Location>) -> Anchor {
    let Some(location) = location else {
        return Anchor::Request;
    };
    let Some(path) = location.file_path().map(str::to_string) else {
        return Anchor::Request;
    };
    match location.file_position().and_then(|p| u32::try_from(p).ok()) {
        Some(line) => Anchor::Line {
            path,
            line,
            side: match location.relative_file_version() {
                Some(sdk::RelativeFileVersionEnum::Before) => Side::Before,
                _ => Side::After,
            },
        },
        None => Anchor::File(path),
    }
}

/// Every comment of the request (every GetCommentsForPullRequest page), as threads by place;
/// each thread's comments in reply order (a reply after what it answers, siblings by date).
pub async fn comments(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
) -> Result<Vec<Thread>, AwsError> {
    let mut threads: Vec<Thread> = Vec::new();
    let mut pages = client
        .get_comments_for_pull_request()
        .pull_request_id(&pr.id)
        // Without the repository (and so without a commit pair): every revision's comments.
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk(e, "GetCommentsForPullRequest", target))?;
        for group in page.comments_for_pull_request_data() {
            let place = anchor(group.location());
            let comments = group.comments().iter().map(comment);
            match threads.iter_mut().find(|t| t.anchor == place) {
                Some(thread) => thread.comments.extend(comments),
                None => threads.push(Thread {
                    anchor: place,
                    before_commit: group.before_commit_id().unwrap_or_default().to_string(),
                    after_commit: group.after_commit_id().unwrap_or_default().to_string(),
                    comments: comments.collect(),
                }),
            }
        }
    }
    for thread in &mut threads {
        thread.comments = reply_order(std::mem::take(&mut thread.comments));
    }
    threads.sort_by(|a, b| a.anchor.cmp(&b.anchor));
    Ok(threads)
}

/// Comments in reading order: each root by date, each reply right after what it answers
/// (depth first). A reply whose parent is elsewhere keeps its date order at the end.
pub fn reply_order(mut comments: Vec<Comment>) -> Vec<Comment> {
    comments.sort_by(|a, b| a.created.cmp(&b.created).then(a.id.cmp(&b.id)));
    let ids: Vec<String> = comments.iter().map(|c| c.id.clone()).collect();
    let mut out = Vec::with_capacity(comments.len());
    let mut placed = vec![false; comments.len()];
    fn place(index: usize, comments: &[Comment], placed: &mut [bool], out: &mut Vec<Comment>) {
        if placed[index] {
            return;
        }
        placed[index] = true;
        out.push(comments[index].clone());
        let id = &comments[index].id;
        for (child, c) in comments.iter().enumerate() {
            if c.in_reply_to.as_deref() == Some(id.as_str()) {
                place(child, comments, placed, out);
            }
        }
    }
    for index in 0..comments.len() {
        let root = match &comments[index].in_reply_to {
            None => true,
            Some(parent) => !ids.contains(parent),
        };
        if root {
            place(index, &comments, &mut placed, &mut out);
        }
    }
    for index in 0..comments.len() {
        place(index, &comments, &mut placed, &mut out);
    }
    out
}

/// A new comment: on the request, a file or a line, on the request's current commits.
pub async fn post_comment(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
    at: &Anchor,
    content: &str,
) -> Result<Comment, AwsError> {
    let location = match at {
        Anchor::Request => None,
        Anchor::File(path) => Some(
            sdk::Location::builder()
                .file_path(path)
                .relative_file_version(sdk::RelativeFileVersionEnum::After)
                .build(),
        ),
        Anchor::Line { path, line, side } => Some(
            sdk::Location::builder()
                .file_path(path)
                .file_position(i64::from(*line))
                .relative_file_version(match side {
                    Side::Before => sdk::RelativeFileVersionEnum::Before,
                    Side::After => sdk::RelativeFileVersionEnum::After,
                })
                .build(),
        ),
    };
    let answer = client
        .post_comment_for_pull_request()
        .pull_request_id(&pr.id)
        .repository_name(&pr.repository)
        .before_commit_id(&pr.destination_commit)
        .after_commit_id(&pr.source_commit)
        .set_location(location)
        .content(content)
        .client_request_token(request_token())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "PostCommentForPullRequest", target))?;
    answer
        .comment()
        .map(comment)
        .ok_or_else(|| AwsError::Other("PostCommentForPullRequest answered no comment".into()))
}

/// A token that makes a retried post idempotent (CodeCommit keeps the first).
fn request_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("cctui-{}-{nanos}", std::process::id())
}

/// PostCommentReply.
pub async fn reply(
    client: &Client,
    target: &Target,
    in_reply_to: &str,
    content: &str,
) -> Result<Comment, AwsError> {
    let answer = client
        .post_comment_reply()
        .in_reply_to(in_reply_to)
        .content(content)
        .client_request_token(request_token())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "PostCommentReply", target))?;
    answer
        .comment()
        .map(comment)
        .ok_or_else(|| AwsError::Other("PostCommentReply answered no comment".into()))
}

/// UpdateComment (only its author may).
pub async fn edit_comment(
    client: &Client,
    target: &Target,
    id: &str,
    content: &str,
) -> Result<(), AwsError> {
    client
        .update_comment()
        .comment_id(id)
        .content(content)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "UpdateComment", target))?;
    Ok(())
}

/// DeleteCommentContent.
pub async fn delete_comment(client: &Client, target: &Target, id: &str) -> Result<(), AwsError> {
    client
        .delete_comment_content()
        .comment_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "DeleteCommentContent", target))?;
    Ok(())
}

/// PutCommentReaction (an emoji or its short code, as CodeCommit accepts).
pub async fn react(
    client: &Client,
    target: &Target,
    id: &str,
    reaction: &str,
) -> Result<(), AwsError> {
    client
        .put_comment_reaction()
        .comment_id(id)
        .reaction_value(reaction)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "PutCommentReaction", target))?;
    Ok(())
}

/// UpdatePullRequestApprovalState: approve (`true`) or revoke the current revision.
pub async fn set_approval(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
    approve: bool,
) -> Result<(), AwsError> {
    client
        .update_pull_request_approval_state()
        .pull_request_id(&pr.id)
        .revision_id(&pr.revision)
        .approval_state(if approve {
            sdk::ApprovalState::Approve
        } else {
            sdk::ApprovalState::Revoke
        })
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "UpdatePullRequestApprovalState", target))?;
    Ok(())
}

/// UpdatePullRequestStatus: close (`false`) or reopen.
pub async fn set_open(
    client: &Client,
    target: &Target,
    id: &str,
    open: bool,
) -> Result<PullRequest, AwsError> {
    let answer = client
        .update_pull_request_status()
        .pull_request_id(id)
        .pull_request_status(if open {
            sdk::PullRequestStatusEnum::Open
        } else {
            sdk::PullRequestStatusEnum::Closed
        })
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "UpdatePullRequestStatus", target))?;
    answer
        .pull_request()
        .map(pull_request)
        .ok_or_else(|| AwsError::Other("UpdatePullRequestStatus answered no request".into()))
}

/// GetMergeConflicts for the request with a strategy: the conflicting files (every page).
pub async fn conflicts(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
    strategy: MergeStrategy,
) -> Result<Vec<Conflict>, AwsError> {
    let mut conflicts = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_merge_conflicts()
            .repository_name(&pr.repository)
            .conflict_detail_level(LINE_LEVEL)
            .destination_commit_specifier(format!("refs/heads/{}", pr.destination))
            .source_commit_specifier(&pr.source_commit)
            .merge_option(strategy.to_sdk())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(e, "GetMergeConflicts", target))?;
        for metadata in page.conflict_metadata_list() {
            conflicts.push(Conflict {
                path: metadata.file_path().unwrap_or_default().to_string(),
                hunks: u32::try_from(metadata.number_of_conflicts()).unwrap_or(0),
                binary: metadata
                    .is_binary_file()
                    .is_some_and(|b| b.source() == Some(true) || b.destination() == Some(true)),
                content: metadata.content_conflict(),
            });
        }
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => break,
        }
    }
    Ok(conflicts)
}

/// The three versions of a conflicting file a merge of the request would combine: the merge
/// base's, the destination tip's, the source tip's (empty: the file is not on that side). From
/// GetMergeOptions (the base and both tips as they are now), GetDifferences narrowed to the
/// path on each side, and GetBlob.
pub async fn conflict_versions(
    client: &Client,
    target: &Target,
    pr: &PullRequest,
    path: &str,
) -> Result<[Vec<u8>; 3], AwsError> {
    let options = client
        .get_merge_options()
        .repository_name(&pr.repository)
        .conflict_detail_level(LINE_LEVEL)
        .source_commit_specifier(&pr.source_commit)
        .destination_commit_specifier(format!("refs/heads/{}", pr.destination))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetMergeOptions", target))?;
    let base = options.base_commit_id().to_string();
    let side = |tip: String| {
        let base = base.clone();
        async move {
            let answer = client
                .get_differences()
                .repository_name(&pr.repository)
                .before_commit_specifier(&base)
                .after_commit_specifier(tip)
                .before_path(path)
                .after_path(path)
                .send()
                .await
                .map_err(|e| AwsError::from_sdk(e, "GetDifferences", target))?;
            let found = answer.differences().first().map(|d| {
                (
                    d.before_blob()
                        .and_then(|b| b.blob_id())
                        .map(str::to_string),
                    d.after_blob().and_then(|b| b.blob_id()).map(str::to_string),
                )
            });
            Ok::<_, AwsError>(found)
        }
    };
    let (theirs, ours) = tokio::join!(
        side(options.source_commit_id().to_string()),
        side(options.destination_commit_id().to_string())
    );
    let (theirs, ours) = (theirs?, ours?);
    // The base blob is the `before` of whichever side changed the file.
    let base_blob = theirs
        .as_ref()
        .and_then(|(before, _)| before.clone())
        .or_else(|| ours.as_ref().and_then(|(before, _)| before.clone()));
    let tip_blob = |side: Option<(Option<String>, Option<String>)>| match side {
        Some((_, after)) => after,
        None => base_blob.clone(),
    };
    let read = |blob: Option<String>| async move {
        match blob {
            Some(blob) => self::blob(client, target, &pr.repository, &blob).await,
            None => Ok(Vec::new()),
        }
    };
    let (base, ours, theirs) = tokio::join!(
        read(base_blob.clone()),
        read(tip_blob(ours)),
        read(tip_blob(theirs))
    );
    Ok([base?, ours?, theirs?])
}

/// Merges the request the chosen way, with the given resolutions; the merged request back.
pub async fn merge(
    client: &Client,
    target: &Target,
    merge: &MergeRequest,
) -> Result<PullRequest, AwsError> {
    let resolution = (!merge.resolutions.is_empty()).then(|| {
        let entries = merge
            .resolutions
            .iter()
            .filter_map(|(path, how)| {
                let builder = sdk::ReplaceContentEntry::builder().file_path(path);
                let builder = match how {
                    Resolution::Source => {
                        builder.replacement_type(sdk::ReplacementTypeEnum::KeepSource)
                    }
                    Resolution::Destination => {
                        builder.replacement_type(sdk::ReplacementTypeEnum::KeepDestination)
                    }
                    Resolution::Content(bytes) => builder
                        .replacement_type(sdk::ReplacementTypeEnum::UseNewContent)
                        .content(aws_sdk_codecommit::primitives::Blob::new(bytes.clone())),
                };
                builder.build().ok()
            })
            .collect();
        sdk::ConflictResolution::builder()
            .set_replace_contents(Some(entries))
            .build()
    });
    let (name, email) = merge.author.clone().unzip();
    macro_rules! with_commit {
        ($builder:expr) => {
            $builder
                .pull_request_id(&merge.id)
                .conflict_detail_level(LINE_LEVEL)
                .repository_name(&merge.repository)
                .source_commit_id(&merge.source_commit)
                .set_commit_message(merge.message.clone())
                .set_author_name(name)
                .set_email(email)
                .set_conflict_resolution(resolution)
                .send()
                .await
                .map(|a| a.pull_request().cloned())
        };
    }
    let answer = match merge.strategy {
        MergeStrategy::FastForward => client
            .merge_pull_request_by_fast_forward()
            .pull_request_id(&merge.id)
            .repository_name(&merge.repository)
            .source_commit_id(&merge.source_commit)
            .send()
            .await
            .map(|a| a.pull_request().cloned())
            .map_err(|e| AwsError::from_sdk(e, "MergePullRequestByFastForward", target))?,
        // Squash and three-way take the same inputs through two builder types.
        MergeStrategy::Squash => with_commit!(client.merge_pull_request_by_squash())
            .map_err(|e| AwsError::from_sdk(e, "MergePullRequestBySquash", target))?,
        MergeStrategy::ThreeWay => with_commit!(client.merge_pull_request_by_three_way())
            .map_err(|e| AwsError::from_sdk(e, "MergePullRequestByThreeWay", target))?,
    };
    answer
        .as_ref()
        .map(pull_request)
        .ok_or_else(|| AwsError::Other("the merge answered no pull request".into()))
}

/// CreatePullRequest.
pub async fn create(
    client: &Client,
    target: &Target,
    new: &NewPullRequest,
) -> Result<PullRequest, AwsError> {
    let destination = sdk::Target::builder()
        .repository_name(&new.repository)
        .source_reference(format!("refs/heads/{}", new.source))
        .destination_reference(format!("refs/heads/{}", new.destination))
        .build()
        .map_err(|e| AwsError::Other(e.to_string()))?;
    let answer = client
        .create_pull_request()
        .title(&new.title)
        .description(&new.description)
        .targets(destination)
        .client_request_token(request_token())
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "CreatePullRequest", target))?;
    answer
        .pull_request()
        .map(pull_request)
        .ok_or_else(|| AwsError::Other("CreatePullRequest answered no request".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, parent: Option<&str>, created: i64) -> Comment {
        Comment {
            id: id.into(),
            in_reply_to: parent.map(str::to_string),
            author: String::new(),
            content: id.into(),
            deleted: false,
            created,
            edited: false,
            reactions: BTreeMap::new(),
        }
    }

    #[test]
    fn replies_follow_what_they_answer() {
        let ordered = reply_order(vec![
            c("r1a", Some("a"), 3),
            c("b", None, 2),
            c("a", None, 1),
            c("r1a1", Some("r1a"), 5),
            c("r2a", Some("a"), 4),
            c("orphan", Some("gone"), 0),
        ]);
        let ids: Vec<&str> = ordered.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["orphan", "a", "r1a", "r1a1", "r2a", "b"]);
    }
}
