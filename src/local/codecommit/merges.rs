//! GetMergeOptions and MergePullRequestByFastForward / BySquash / ByThreeWay: real merges in
//! the bare repository with git2, visible to clones at once.
//!
//! A merge with conflicts is refused with ManualMergeRequiredException unless a resolution
//! strategy (ACCEPT_SOURCE, ACCEPT_DESTINATION) settles them; explicit `conflictResolution`
//! entries are not supported yet and are refused with a message saying so.

use serde_json::{Value, json};

use super::approvals::satisfied;
use super::differences::resolve_commit;
use super::pulls::{current, ensure_open, mark_merged, pull_json};
use super::{Caller, OpResult, required};
use crate::local::ops::{ApiError, Ops, git_error, opt_str, required_repository_name};

/// How conflicts are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    None,
    AcceptSource,
    AcceptDestination,
}

fn strategy(body: &Value) -> Result<Strategy, ApiError> {
    match opt_str(body, "conflictDetailLevel")? {
        None | Some("FILE_LEVEL" | "LINE_LEVEL") => {}
        Some(other) => {
            return Err(ApiError::client(
                "InvalidConflictDetailLevelException",
                format!(
                    "The conflict detail level {other} is not valid: use FILE_LEVEL or LINE_LEVEL."
                ),
            ));
        }
    }
    match opt_str(body, "conflictResolutionStrategy")? {
        None | Some("NONE" | "AUTOMERGE") => Ok(Strategy::None),
        Some("ACCEPT_SOURCE") => Ok(Strategy::AcceptSource),
        Some("ACCEPT_DESTINATION") => Ok(Strategy::AcceptDestination),
        Some(other) => Err(ApiError::client(
            "InvalidConflictResolutionStrategyException",
            format!(
                "The conflict resolution strategy {other} is not valid: use NONE, ACCEPT_SOURCE, ACCEPT_DESTINATION or AUTOMERGE."
            ),
        )),
    }
}

/// The merged tree of `source` into `destination`, or `None` when it conflicts.
fn merged_tree(
    repo: &git2::Repository,
    destination: &git2::Commit<'_>,
    source: &git2::Commit<'_>,
    strategy: Strategy,
) -> Result<Option<git2::Oid>, ApiError> {
    let mut options = git2::MergeOptions::new();
    match strategy {
        Strategy::AcceptSource => {
            options.file_favor(git2::FileFavor::Theirs);
        }
        Strategy::AcceptDestination => {
            options.file_favor(git2::FileFavor::Ours);
        }
        Strategy::None => {}
    }
    let mut index = repo
        .merge_commits(destination, source, Some(&options))
        .map_err(git_error)?;
    if index.has_conflicts() {
        return Ok(None);
    }
    index.write_tree_to(repo).map(Some).map_err(git_error)
}

fn is_fast_forward(repo: &git2::Repository, destination: git2::Oid, source: git2::Oid) -> bool {
    destination == source
        || repo
            .graph_descendant_of(source, destination)
            .unwrap_or(false)
}

/// GetMergeOptions.
pub fn get_merge_options(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let source = required(body, "sourceCommitSpecifier", "CommitRequiredException")?;
    let destination = required(
        body,
        "destinationCommitSpecifier",
        "CommitRequiredException",
    )?;
    let strategy = strategy(body)?;
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let source = resolve_commit(&repo, source)?;
    let destination = resolve_commit(&repo, destination)?;
    let base = repo
        .merge_base(source.id(), destination.id())
        .map_err(git_error)?;
    let mut options = Vec::new();
    if is_fast_forward(&repo, destination.id(), source.id()) {
        options.push("FAST_FORWARD_MERGE");
    }
    if merged_tree(&repo, &destination, &source, strategy)?.is_some() {
        options.push("SQUASH_MERGE");
        options.push("THREE_WAY_MERGE");
    }
    Ok(json!({
        "mergeOptions": options,
        "sourceCommitId": source.id().to_string(),
        "destinationCommitId": destination.id().to_string(),
        "baseCommitId": base.to_string(),
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    FastForward,
    Squash,
    ThreeWay,
}

fn manual_merge() -> ApiError {
    ApiError::client(
        "ManualMergeRequiredException",
        "The pull request cannot be merged automatically into the destination branch. You must manually merge the branches and resolve any conflicts, or choose a conflict resolution strategy.",
    )
}

fn merge(ops: &Ops, caller: &Caller, body: &Value, kind: Kind) -> OpResult {
    super::pull_request_id(body)?;
    let name = required_repository_name(body, "repositoryName")?;
    let expected_source = opt_str(body, "sourceCommitId")?.map(str::to_string);
    let strategy = if kind == Kind::FastForward {
        Strategy::None
    } else {
        strategy(body)?
    };
    if kind != Kind::FastForward && body.get("conflictResolution").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::client(
            "InvalidConflictResolutionException",
            "Explicit conflict resolutions are not supported by the cctui local service yet: use conflictResolutionStrategy ACCEPT_SOURCE or ACCEPT_DESTINATION, or merge locally and push.",
        ));
    }
    let message = opt_str(body, "commitMessage")?.map(str::to_string);
    let author = opt_str(body, "authorName")?.map(str::to_string);
    let email = opt_str(body, "email")?.map(str::to_string);
    let meta = ops.existing(name)?;
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        if pr.target.repository_id != meta.id {
            return Err(ApiError::client(
                "RepositoryNotAssociatedWithPullRequestException",
                format!("The repository {name} is not associated with pull request {}.", pr.id),
            ));
        }
        if let Some(expected) = &expected_source {
            if *expected != pr.target.source_commit {
                return Err(ApiError::client(
                    "TipOfSourceReferenceIsDifferentException",
                    "The tip of the source branch in the destination repository does not match the tip of the source branch specified in your request. The pull request might have been updated. Make sure that you have the latest changes.",
                ));
            }
        }
        let approvers = pr.approvals.get(&pr.revision_id).cloned().unwrap_or_default();
        if pr.approval_rules.iter().any(|r| !satisfied(r, &approvers)) {
            return Err(ApiError::client(
                "PullRequestApprovalRulesNotSatisfiedException",
                "The pull request cannot be merged because one or more approval rules applied to the pull request have conditions that have not been met.",
            ));
        }
        let repo = ops.open_git(&meta)?;
        let source = resolve_commit(&repo, &pr.target.source_commit)?;
        let destination = resolve_commit(&repo, &pr.target.destination_commit)?;
        let new_tip = match kind {
            Kind::FastForward => {
                if !is_fast_forward(&repo, destination.id(), source.id()) {
                    return Err(manual_merge());
                }
                source.id()
            }
            Kind::Squash | Kind::ThreeWay => {
                let tree = merged_tree(&repo, &destination, &source, strategy)?
                    .ok_or_else(manual_merge)?;
                let tree = repo.find_tree(tree).map_err(git_error)?;
                let user = caller.arn.rsplit('/').next().unwrap_or("cctui").to_string();
                let signature = git2::Signature::now(
                    author.as_deref().unwrap_or(&user),
                    email.as_deref().unwrap_or(&format!("{user}@example.com")),
                )
                .map_err(|_| {
                    ApiError::client(
                        "InvalidEmailException",
                        "The author name or email is not valid.",
                    )
                })?;
                let branch = pr
                    .target
                    .source_reference
                    .trim_start_matches("refs/heads/")
                    .to_string();
                let default_message = if kind == Kind::Squash {
                    format!("{}\n\nSquashed pull request #{} ({branch})\n", pr.title, pr.id)
                } else {
                    format!("Merge pull request #{} from {branch}\n\n{}\n", pr.id, pr.title)
                };
                let text = message.clone().unwrap_or(default_message);
                let parents: Vec<&git2::Commit<'_>> = if kind == Kind::Squash {
                    vec![&destination]
                } else {
                    vec![&destination, &source]
                };
                repo.commit(None, &signature, &signature, &text, &tree, &parents)
                    .map_err(git_error)?
            }
        };
        // Moves the destination only if nobody pushed to it meanwhile.
        repo.reference_matching(
            &pr.target.destination_reference,
            new_tip,
            true,
            destination.id(),
            "cctui: merge pull request",
        )
        .map_err(|e| match e.code() {
            git2::ErrorCode::Modified | git2::ErrorCode::Locked => ApiError::client(
                "ConcurrentReferenceUpdateException",
                "The merge cannot be completed because the destination branch changed meanwhile. Try again.",
            ),
            _ => git_error(e),
        })?;
        let option = match kind {
            Kind::FastForward => "FAST_FORWARD_MERGE",
            Kind::Squash => "SQUASH_MERGE",
            Kind::ThreeWay => "THREE_WAY_MERGE",
        };
        pr.target.destination_commit = new_tip.to_string();
        mark_merged(pr, Some(&caller.arn), Some(new_tip.to_string()), Some(option));
        let answer = json!({ "pullRequest": pull_json(pr) });
        state.dirty = true;
        Ok(answer)
    })
    .inspect(|_| {
        let _ = ops.after_push(&meta.id);
    })
}

/// MergePullRequestByFastForward.
pub fn by_fast_forward(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge(ops, caller, body, Kind::FastForward)
}

/// MergePullRequestBySquash.
pub fn by_squash(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge(ops, caller, body, Kind::Squash)
}

/// MergePullRequestByThreeWay.
pub fn by_three_way(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge(ops, caller, body, Kind::ThreeWay)
}
