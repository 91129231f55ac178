//! CreatePullRequest, GetPullRequest, ListPullRequests, UpdatePullRequestTitle / Description /
//! Status and DescribePullRequestEvents.
//!
//! Pull requests follow their branches as in AWS: whenever one is read, an open pull request
//! whose source branch moved gets a new revision (approvals belong to the old one) and a
//! `PULL_REQUEST_SOURCE_REFERENCE_UPDATED` event; one whose source commit reached the
//! destination branch (merged by a push) is merged and closed, with a
//! `PULL_REQUEST_MERGE_STATE_CHANGED` event.

use serde_json::{Map, Value, json};

use super::state::{MergeMetadata, PullRequest, State, Target};
use super::{
    Caller, OpResult, client_request_token, max_results, pull_request_id, required, validate_arn,
};
use crate::local::ops::{
    ApiError, Ops, git_error, opt_str, page, required_repository_name, validate_branch_name,
};
use crate::local::store::{new_id, now_epoch_seconds};
use crate::sigv4::sha256_hex;

/// Longest title.
pub const MAX_TITLE: usize = 150;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 10240;
/// Most open pull requests per repository (AWS's quota).
pub const MAX_OPEN_PER_REPOSITORY: usize = 1000;
/// Default and largest page of ListPullRequests and DescribePullRequestEvents.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

fn validate_title(title: Option<&str>) -> Result<&str, ApiError> {
    match title {
        None | Some("") => Err(ApiError::client(
            "TitleRequiredException",
            "A pull request title is required. It cannot be empty or null.",
        )),
        Some(t) if t.chars().count() > MAX_TITLE => Err(ApiError::client(
            "InvalidTitleException",
            format!(
                "The title of the pull request is not valid. Pull request titles cannot exceed {MAX_TITLE} characters."
            ),
        )),
        Some(t) => Ok(t),
    }
}

fn validate_description(description: Option<&str>) -> Result<(), ApiError> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION => Err(ApiError::client(
            "InvalidDescriptionException",
            format!(
                "The pull request description is not valid. Descriptions cannot be more than {MAX_DESCRIPTION} characters."
            ),
        )),
        _ => Ok(()),
    }
}

/// `refs/heads/<branch>` for a reference given as `<branch>` or `refs/heads/<branch>`.
fn branch_reference(reference: &str) -> Result<String, ApiError> {
    let branch = match reference.strip_prefix("refs/") {
        Some(rest) => rest.strip_prefix("heads/").ok_or_else(|| {
            ApiError::client(
                "ReferenceTypeNotSupportedException",
                format!(
                    "The reference {reference} is not a branch: pull requests are between branches (refs/heads/…)."
                ),
            )
        })?,
        None => reference,
    };
    validate_branch_name(branch).map_err(|_| {
        ApiError::client(
            "InvalidReferenceNameException",
            format!("The reference name {reference} is not valid."),
        )
    })?;
    Ok(format!("refs/heads/{branch}"))
}

/// The commit a branch reference points at, or `None` when the branch is gone.
pub(crate) fn tip(repo: &git2::Repository, reference: &str) -> Result<Option<String>, ApiError> {
    // The ref's target, without reading the commit: a branch points at a commit (git refuses
    // to write anything else under refs/heads/), and a refresh reads two tips on every request.
    match repo.refname_to_id(reference) {
        Ok(id) => Ok(Some(id.to_string())),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(git_error(e)),
    }
}

fn merge_base(repo: &git2::Repository, a: &str, b: &str) -> Option<String> {
    let a = git2::Oid::from_str(a).ok()?;
    let b = git2::Oid::from_str(b).ok()?;
    repo.merge_base(a, b).ok().map(|o| o.to_string())
}

/// True when `commit` is `tip` or one of its ancestors.
fn reached(repo: &git2::Repository, commit: &str, tip: &str) -> bool {
    let (Ok(commit), Ok(tip)) = (git2::Oid::from_str(commit), git2::Oid::from_str(tip)) else {
        return false;
    };
    commit == tip || repo.graph_descendant_of(tip, commit).unwrap_or(false)
}

fn revision_id(pull_request: u64, source_commit: &str) -> String {
    sha256_hex(format!("{pull_request}\n{source_commit}\n{}", new_id()).as_bytes())
}

pub(crate) fn event(
    pr: &PullRequest,
    kind: &str,
    actor: &str,
    key: &str,
    metadata: Value,
) -> Value {
    json!({
        "pullRequestId": pr.id.to_string(),
        "eventDate": now_epoch_seconds(),
        "pullRequestEventType": kind,
        "actorArn": actor,
        key: metadata,
    })
}

/// Follows the branches of an open pull request (see the module docs); true if it changed.
pub(crate) fn refresh(ops: &Ops, pr: &mut PullRequest) -> Result<bool, ApiError> {
    if pr.status != "OPEN" || pr.target.merge.is_some() {
        return Ok(false);
    }
    let Some(meta) = ops.store().get_by_id(&pr.target.repository_id) else {
        return Ok(false);
    };
    let mut changed = meta.name != pr.target.repository_name;
    pr.target.repository_name = meta.name.clone();
    let shared = ops.pulls().repository(&ops.store().repo_path(&meta.id))?;
    let repo = shared.lock().unwrap_or_else(|p| p.into_inner());
    let source = tip(&repo, &pr.target.source_reference)?;
    let destination = tip(&repo, &pr.target.destination_reference)?;
    if let Some(destination) = &destination {
        if *destination != pr.target.destination_commit {
            pr.target.destination_commit = destination.clone();
            changed = true;
        }
    }
    if let Some(source) = &source {
        if *source != pr.target.source_commit {
            let before = std::mem::replace(&mut pr.target.source_commit, source.clone());
            let old = std::mem::replace(&mut pr.revision_id, revision_id(pr.id, source));
            pr.past_revisions.push(old);
            pr.target.merge_base = merge_base(&repo, source, &pr.target.destination_commit);
            let metadata = json!({
                "repositoryName": meta.name,
                "beforeCommitId": before,
                "afterCommitId": source,
                "mergeBase": pr.target.merge_base,
            });
            let e = event(
                pr,
                "PULL_REQUEST_SOURCE_REFERENCE_UPDATED",
                &pr.author_arn,
                "pullRequestSourceReferenceUpdatedEventMetadata",
                metadata,
            );
            pr.events.push(e);
            pr.last_activity_date = now_epoch_seconds();
            changed = true;
        }
    }
    if changed {
        pr.target.merge_base = merge_base(
            &repo,
            &pr.target.source_commit,
            &pr.target.destination_commit,
        );
    }
    let pair = (
        pr.target.source_commit.clone(),
        pr.target.destination_commit.clone(),
    );
    if destination.is_some() && pr.target.unmerged_checked.as_ref() != Some(&pair) {
        if reached(&repo, &pair.0, &pair.1) {
            // Merged outside the pull request (a push): AWS closes it as merged.
            mark_merged(pr, None, None, None);
            changed = true;
        } else {
            pr.target.unmerged_checked = Some(pair);
        }
    }
    Ok(changed)
}

/// Records a merge: closed, merged, with its event.
pub(crate) fn mark_merged(
    pr: &mut PullRequest,
    merged_by: Option<&str>,
    merge_commit_id: Option<String>,
    merge_option: Option<&str>,
) {
    pr.target.merge = Some(MergeMetadata {
        merged_by: merged_by.map(str::to_string),
        merge_commit_id,
        merge_option: merge_option.map(str::to_string),
    });
    pr.status = "CLOSED".into();
    pr.last_activity_date = now_epoch_seconds();
    let metadata = json!({
        "repositoryName": pr.target.repository_name,
        "destinationReference": pr.target.destination_reference,
        "mergeMetadata": merge_json(&pr.target),
    });
    let actor = merged_by.unwrap_or(&pr.author_arn).to_string();
    let e = event(
        pr,
        "PULL_REQUEST_MERGE_STATE_CHANGED",
        &actor,
        "pullRequestMergedStateChangedEventMetadata",
        metadata,
    );
    pr.events.push(e);
}

fn merge_json(target: &Target) -> Value {
    let mut m = Map::new();
    m.insert("isMerged".into(), json!(target.merge.is_some()));
    if let Some(merge) = &target.merge {
        if let Some(by) = &merge.merged_by {
            m.insert("mergedBy".into(), json!(by));
        }
        if let Some(id) = &merge.merge_commit_id {
            m.insert("mergeCommitId".into(), json!(id));
        }
        if let Some(option) = &merge.merge_option {
            m.insert("mergeOption".into(), json!(option));
        }
    }
    Value::Object(m)
}

/// The `PullRequest` shape.
pub(crate) fn pull_json(pr: &PullRequest) -> Value {
    let t = &pr.target;
    let mut target = Map::new();
    target.insert("repositoryName".into(), json!(t.repository_name));
    target.insert("sourceReference".into(), json!(t.source_reference));
    target.insert(
        "destinationReference".into(),
        json!(t.destination_reference),
    );
    target.insert("destinationCommit".into(), json!(t.destination_commit));
    target.insert("sourceCommit".into(), json!(t.source_commit));
    if let Some(base) = &t.merge_base {
        target.insert("mergeBase".into(), json!(base));
    }
    target.insert("mergeMetadata".into(), merge_json(t));
    let mut m = Map::new();
    m.insert("pullRequestId".into(), json!(pr.id.to_string()));
    m.insert("title".into(), json!(pr.title));
    if let Some(d) = &pr.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("lastActivityDate".into(), json!(pr.last_activity_date));
    m.insert("creationDate".into(), json!(pr.creation_date));
    m.insert("pullRequestStatus".into(), json!(pr.status));
    m.insert("authorArn".into(), json!(pr.author_arn));
    m.insert("pullRequestTargets".into(), json!([Value::Object(target)]));
    if let Some(token) = &pr.client_request_token {
        m.insert("clientRequestToken".into(), json!(token));
    }
    m.insert("revisionId".into(), json!(pr.revision_id));
    let rules: Vec<Value> = pr
        .approval_rules
        .iter()
        .map(super::approvals::rule_json)
        .collect();
    m.insert("approvalRules".into(), json!(rules));
    Value::Object(m)
}

/// The pull request the body names, brought up to date with its branches.
pub(crate) fn current<'s>(
    ops: &Ops,
    state: &'s mut State,
    body: &Value,
) -> Result<&'s mut PullRequest, ApiError> {
    let id = pull_request_id(body)?;
    let pr = state.pull_mut(id)?;
    let changed = refresh(ops, pr)?;
    state.dirty |= changed;
    state.pull_mut(id)
}

/// Refused on a closed pull request.
pub(crate) fn ensure_open(pr: &PullRequest) -> Result<(), ApiError> {
    if pr.status == "OPEN" {
        Ok(())
    } else {
        Err(ApiError::client(
            "PullRequestAlreadyClosedException",
            format!(
                "Pull request {} is already closed. Reopen it first (UpdatePullRequestStatus OPEN).",
                pr.id
            ),
        ))
    }
}

/// CreatePullRequest.
pub fn create(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let title = validate_title(opt_str(body, "title")?)?.to_string();
    let description = opt_str(body, "description")?.map(str::to_string);
    validate_description(description.as_deref())?;
    let token = client_request_token(body)?;
    let targets = match body.get("targets") {
        None | Some(Value::Null) => {
            return Err(ApiError::client(
                "TargetsRequiredException",
                "An array of target objects is required. It cannot be empty or null.",
            ));
        }
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(ApiError::client(
                "TargetsRequiredException",
                "An array of target objects is required. It cannot be empty or null.",
            ));
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ApiError::client(
                "InvalidTargetsException",
                "The targets for the pull request are not valid: give a list of targets.",
            ));
        }
    };
    for target in targets {
        if !target.is_object() {
            return Err(ApiError::client(
                "InvalidTargetException",
                "A target must be an object with repositoryName and sourceReference.",
            ));
        }
        required_repository_name(target, "repositoryName")?;
    }
    let first = &targets[0];
    let name = required_repository_name(first, "repositoryName")?;
    if targets.len() > 1 {
        let names: std::collections::BTreeSet<&str> = targets
            .iter()
            .filter_map(|t| t.get("repositoryName").and_then(Value::as_str))
            .collect();
        return Err(if names.len() > 1 {
            ApiError::client(
                "MultipleRepositoriesInPullRequestException",
                "You cannot include more than one repository in a pull request. Make sure you have specified only one repository name in your request, and then try again.",
            )
        } else {
            ApiError::client(
                "InvalidTargetsException",
                "A pull request has exactly one target (one source and one destination).",
            )
        });
    }
    let source_given = required(first, "sourceReference", "ReferenceNameRequiredException")?;
    let source_reference = branch_reference(source_given)?;
    let meta = ops.existing(name)?;
    let destination_reference = match opt_str(first, "destinationReference")? {
        Some(d) if !d.is_empty() => branch_reference(d)?,
        _ => match &meta.default_branch {
            Some(b) => format!("refs/heads/{b}"),
            None => {
                return Err(ApiError::client(
                    "ReferenceDoesNotExistException",
                    format!(
                        "The repository {name} has no default branch: give a destinationReference."
                    ),
                ));
            }
        },
    };
    let fingerprint = sha256_hex(
        json!([
            name,
            source_reference,
            destination_reference,
            title,
            description
        ])
        .to_string()
        .as_bytes(),
    );
    let repo = ops.open_git(&meta)?;
    let missing = |r: &str| {
        ApiError::client(
            "ReferenceDoesNotExistException",
            format!("The specified reference {r} does not exist in {name}."),
        )
    };
    let source_commit = tip(&repo, &source_reference)?.ok_or_else(|| missing(&source_reference))?;
    let destination_commit =
        tip(&repo, &destination_reference)?.ok_or_else(|| missing(&destination_reference))?;
    if source_reference == destination_reference {
        return Err(ApiError::client(
            "SourceAndDestinationAreSameException",
            "The source branch and destination branch for the pull request are the same. You must specify different branches for the source and destination.",
        ));
    }
    let base = merge_base(&repo, &source_commit, &destination_commit);
    ops.pulls().with(|state| {
        if let Some(token) = &token {
            if let Some(existing) = state
                .pulls
                .values()
                .find(|p| p.client_request_token.as_deref() == Some(token))
            {
                if existing.request_fingerprint == fingerprint {
                    return Ok(json!({ "pullRequest": pull_json(existing) }));
                }
                return Err(ApiError::client(
                    "IdempotencyParameterMismatchException",
                    "The client request token is not valid. Either the token is not in a valid format, or the token has been used in a previous request and cannot be reused.",
                ));
            }
        }
        let open = state
            .pulls
            .values()
            .filter(|p| p.target.repository_id == meta.id && p.status == "OPEN")
            .count();
        if open >= MAX_OPEN_PER_REPOSITORY {
            return Err(ApiError::client(
                "MaximumOpenPullRequestsExceededException",
                format!("You cannot create the pull request because the repository has too many open pull requests ({MAX_OPEN_PER_REPOSITORY}). Close or merge some first."),
            ));
        }
        state.last_id += 1;
        let id = state.last_id;
        let now = now_epoch_seconds();
        let mut pr = PullRequest {
            id,
            title,
            description,
            status: "OPEN".into(),
            author_arn: caller.arn.clone(),
            creation_date: now,
            last_activity_date: now,
            client_request_token: token.clone(),
            request_fingerprint: fingerprint,
            revision_id: revision_id(id, &source_commit),
            past_revisions: Vec::new(),
            target: Target {
                repository_id: meta.id.clone(),
                repository_name: meta.name.clone(),
                source_reference,
                destination_reference,
                source_commit: source_commit.clone(),
                destination_commit: destination_commit.clone(),
                merge_base: base.clone(),
                merge: None,
                unmerged_checked: None,
            },
            approval_rules: Vec::new(),
            approvals: Default::default(),
            events: Vec::new(),
            overrides: Default::default(),
        };
        let created = event(
            &pr,
            "PULL_REQUEST_CREATED",
            &caller.arn,
            "pullRequestCreatedEventMetadata",
            json!({
                "repositoryName": meta.name,
                "sourceCommitId": source_commit,
                "destinationCommitId": destination_commit,
                "mergeBase": base,
            }),
        );
        pr.events.push(created);
        pr.approval_rules =
            super::templates::rules_for(state, &meta.id, &pr.target.destination_reference);
        refresh(ops, &mut pr)?;
        let answer = json!({ "pullRequest": pull_json(&pr) });
        state.pulls.insert(id, pr);
        state.dirty = true;
        Ok(answer)
    })
}

/// GetPullRequest.
pub fn get(ops: &Ops, body: &Value) -> OpResult {
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        Ok(json!({ "pullRequest": pull_json(pr) }))
    })
}

/// ListPullRequests: ids, newest first.
pub fn list(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let author = opt_str(body, "authorArn")?;
    if let Some(author) = author {
        validate_arn(author, "InvalidAuthorArnException")?;
    }
    let status = match opt_str(body, "pullRequestStatus")? {
        None => None,
        Some(s @ ("OPEN" | "CLOSED")) => Some(s),
        Some(other) => {
            return Err(ApiError::client(
                "InvalidPullRequestStatusException",
                format!("The pull request status {other} is not valid: use OPEN or CLOSED."),
            ));
        }
    };
    let size = max_results(body, "maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "nextToken")?;
    let meta = ops.existing(name)?;
    ops.pulls().with(|state| {
        let mut ids = Vec::new();
        for pr in state.pulls.values_mut().rev() {
            if pr.target.repository_id != meta.id {
                continue;
            }
            if refresh(ops, pr)? {
                state.dirty = true;
            }
            if status.is_some_and(|s| s != pr.status) || author.is_some_and(|a| a != pr.author_arn)
            {
                continue;
            }
            ids.push(pr.id.to_string());
        }
        let (items, next) = page(&ids, token, size)?;
        let mut out = json!({ "pullRequestIds": items });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    })
}

/// UpdatePullRequestTitle.
pub fn update_title(ops: &Ops, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let title = validate_title(opt_str(body, "title")?)?.to_string();
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        pr.title = title;
        pr.last_activity_date = now_epoch_seconds();
        let answer = json!({ "pullRequest": pull_json(pr) });
        state.dirty = true;
        Ok(answer)
    })
}

/// UpdatePullRequestDescription.
pub fn update_description(ops: &Ops, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let description = match opt_str(body, "description")? {
        Some(d) => d.to_string(),
        None => {
            return Err(ApiError::client(
                "InvalidDescriptionException",
                "A description is required (it may be empty).",
            ));
        }
    };
    validate_description(Some(&description))?;
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        pr.description = Some(description);
        pr.last_activity_date = now_epoch_seconds();
        let answer = json!({ "pullRequest": pull_json(pr) });
        state.dirty = true;
        Ok(answer)
    })
}

/// UpdatePullRequestStatus: OPEN ↔ CLOSED; a merged pull request stays closed.
pub fn update_status(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let status = match opt_str(body, "pullRequestStatus")? {
        None | Some("") => {
            return Err(ApiError::client(
                "PullRequestStatusRequiredException",
                "A pull request status is required: OPEN or CLOSED.",
            ));
        }
        Some(s @ ("OPEN" | "CLOSED")) => s.to_string(),
        Some(other) => {
            return Err(ApiError::client(
                "InvalidPullRequestStatusException",
                format!("The pull request status {other} is not valid: use OPEN or CLOSED."),
            ));
        }
    };
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        if pr.target.merge.is_some() || pr.status == status {
            return Err(ApiError::client(
                "InvalidPullRequestStatusUpdateException",
                if pr.target.merge.is_some() {
                    format!(
                        "Pull request {} is merged; a merged pull request cannot be reopened.",
                        pr.id
                    )
                } else {
                    format!("Pull request {} is already {status}.", pr.id)
                },
            ));
        }
        pr.status = status.clone();
        pr.last_activity_date = now_epoch_seconds();
        let e = event(
            pr,
            "PULL_REQUEST_STATUS_CHANGED",
            &caller.arn,
            "pullRequestStatusChangedEventMetadata",
            json!({ "pullRequestStatus": status }),
        );
        pr.events.push(e);
        // Reopened: catch up with the branches at once.
        refresh(ops, pr)?;
        let answer = json!({ "pullRequest": pull_json(pr) });
        state.dirty = true;
        Ok(answer)
    })
}

const EVENT_TYPES: [&str; 9] = [
    "PULL_REQUEST_CREATED",
    "PULL_REQUEST_STATUS_CHANGED",
    "PULL_REQUEST_SOURCE_REFERENCE_UPDATED",
    "PULL_REQUEST_MERGE_STATE_CHANGED",
    "PULL_REQUEST_APPROVAL_RULE_CREATED",
    "PULL_REQUEST_APPROVAL_RULE_UPDATED",
    "PULL_REQUEST_APPROVAL_RULE_DELETED",
    "PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN",
    "PULL_REQUEST_APPROVAL_STATE_CHANGED",
];

/// DescribePullRequestEvents: oldest first, filtered by type and actor, paged.
pub fn describe_events(ops: &Ops, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let kind = opt_str(body, "pullRequestEventType")?;
    if let Some(kind) = kind {
        if !EVENT_TYPES.contains(&kind) {
            return Err(ApiError::client(
                "InvalidPullRequestEventTypeException",
                format!("The pull request event type {kind} is not valid."),
            ));
        }
    }
    let actor = opt_str(body, "actorArn")?;
    if let Some(actor) = actor {
        validate_arn(actor, "InvalidActorArnException")?;
    }
    let size = max_results(body, "maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "nextToken")?;
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        let events: Vec<Value> = pr
            .events
            .iter()
            .filter(|e| kind.is_none_or(|k| e["pullRequestEventType"] == k))
            .filter(|e| actor.is_none_or(|a| e["actorArn"] == a))
            .cloned()
            .collect();
        let (items, next) = page(&events, token, size)?;
        let mut out = json!({ "pullRequestEvents": items });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_branches_given_short_or_full() {
        assert_eq!(
            branch_reference("feature/x").ok().as_deref(),
            Some("refs/heads/feature/x")
        );
        assert_eq!(
            branch_reference("refs/heads/main").ok().as_deref(),
            Some("refs/heads/main")
        );
        assert_eq!(
            branch_reference("refs/tags/v1").err().map(|e| e.code),
            Some("ReferenceTypeNotSupportedException".to_string())
        );
        assert_eq!(
            branch_reference("bad..name").err().map(|e| e.code),
            Some("InvalidReferenceNameException".to_string())
        );
    }

    #[test]
    fn titles_are_required_and_at_most_150_characters() {
        assert!(validate_title(Some(&"é".repeat(150))).is_ok());
        assert_eq!(
            validate_title(Some(&"x".repeat(151))).err().map(|e| e.code),
            Some("InvalidTitleException".to_string())
        );
        assert_eq!(
            validate_title(Some("")).err().map(|e| e.code),
            Some("TitleRequiredException".to_string())
        );
    }
}
