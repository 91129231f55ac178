//! Merges in the bare repository with git2, visible to clones at once: GetMergeOptions,
//! MergePullRequestByFastForward / BySquash / ByThreeWay and MergeBranchesByFastForward /
//! BySquash / ByThreeWay.
//!
//! Both families go through one mechanism: [`read_input`] (options, author, resolutions),
//! [`merge_commits`] (the [`conflicts`](super::conflicts) analysis, the strategy and the
//! explicit [`resolution`](super::resolution)s, `keepEmptyFolders`, then the commit) and
//! [`move_branch`] (the branch moves only if nobody pushed to it meanwhile).

use serde_json::{Value, json};

use super::approvals::rules_met;
use super::conflicts::{MergeOption, Settings, analyse, is_fast_forward, settings};
use super::differences::resolve_commit;
use super::pulls::{current, ensure_open, mark_merged, pull_json};
use super::resolution::{self, Resolution, manual_merge};
use super::{Caller, OpResult, required};
use crate::local::ops::{
    ApiError, Ops, git_error, opt_str, required_repository_name, validate_branch_name,
};

/// What a merge request asks for, checked.
pub(crate) struct MergeInput {
    /// Fast-forward, squash or three-way.
    pub option: MergeOption,
    /// Detail level and strategy.
    pub settings: Settings,
    /// Explicit resolutions.
    pub resolution: Option<Resolution>,
    /// Commit message (a default is made otherwise).
    pub message: Option<String>,
    /// Author and committer name.
    pub author: Option<String>,
    /// Author and committer email.
    pub email: Option<String>,
    /// Keep folders the merge empties, with a `.gitkeep` file.
    pub keep_empty_folders: bool,
}

/// Reads the fields every merge shares; a fast-forward ignores conflict options, as AWS's
/// fast-forward operations have none.
pub(crate) fn read_input(body: &Value, option: MergeOption) -> Result<MergeInput, ApiError> {
    let (settings, resolution) = if option == MergeOption::FastForward {
        (settings(&Value::Null)?, None)
    } else {
        (settings(body)?, resolution::parse(body)?)
    };
    Ok(MergeInput {
        option,
        settings,
        resolution,
        message: opt_str(body, "commitMessage")?.map(str::to_string),
        author: opt_str(body, "authorName")?.map(str::to_string),
        email: opt_str(body, "email")?.map(str::to_string),
        keep_empty_folders: match body.get("keepEmptyFolders") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(ApiError::client(
                    "SerializationException",
                    "keepEmptyFolders must be true or false",
                ));
            }
        },
    })
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
    let settings = settings(body)?;
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let source = resolve_commit(&repo, source)?;
    let destination = resolve_commit(&repo, destination)?;
    let analysis = analyse(&repo, &destination, &source, settings)?;
    let mut options = Vec::new();
    if is_fast_forward(&repo, destination.id(), source.id()) {
        options.push("FAST_FORWARD_MERGE");
    }
    if analysis.unresolved().is_empty() {
        options.push("SQUASH_MERGE");
        options.push("THREE_WAY_MERGE");
    }
    let mut out = json!({
        "mergeOptions": options,
        "sourceCommitId": source.id().to_string(),
        "destinationCommitId": destination.id().to_string(),
    });
    if let Some(base) = analysis.base {
        out["baseCommitId"] = json!(base.to_string());
    }
    Ok(out)
}

/// The commit a merge of `source` into `destination` makes (for a fast-forward, `source`
/// itself), with its tree. Nothing moves yet.
pub(crate) fn merge_commits(
    repo: &git2::Repository,
    destination: &git2::Commit<'_>,
    source: &git2::Commit<'_>,
    input: &MergeInput,
    caller: &Caller,
    default_message: &str,
) -> Result<(git2::Oid, git2::Oid), ApiError> {
    if input.option == MergeOption::FastForward {
        if !is_fast_forward(repo, destination.id(), source.id()) {
            return Err(manual_merge(&[]));
        }
        return Ok((source.id(), source.tree_id()));
    }
    let analysis = analyse(repo, destination, source, input.settings)?;
    let mut tree = resolution::merged_tree(repo, analysis, input.resolution.as_ref())?;
    if input.keep_empty_folders {
        tree = keep_folders(repo, &destination.tree().map_err(git_error)?, tree)?;
    }
    let tree = repo.find_tree(tree).map_err(git_error)?;
    let user = caller.arn.rsplit('/').next().unwrap_or("cctui").to_string();
    let signature = git2::Signature::now(
        input.author.as_deref().unwrap_or(&user),
        input
            .email
            .as_deref()
            .unwrap_or(&format!("{user}@example.com")),
    )
    .map_err(|_| {
        ApiError::client(
            "InvalidEmailException",
            "The author name or email is not valid.",
        )
    })?;
    let text = input
        .message
        .clone()
        .unwrap_or_else(|| default_message.to_string());
    let parents: Vec<&git2::Commit<'_>> = if input.option == MergeOption::Squash {
        vec![destination]
    } else {
        vec![destination, source]
    };
    let commit = repo
        .commit(None, &signature, &signature, &text, &tree, &parents)
        .map_err(git_error)?;
    Ok((commit, tree.id()))
}

/// `merged` with a `.gitkeep` in every folder of `destination` the merge left out (git keeps
/// no empty folders): the deepest ones, which brings back their parents too.
fn keep_folders(
    repo: &git2::Repository,
    destination: &git2::Tree<'_>,
    merged: git2::Oid,
) -> Result<git2::Oid, ApiError> {
    let merged_tree = repo.find_tree(merged).map_err(git_error)?;
    let mut gone = Vec::new();
    destination
        .walk(git2::TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(git2::ObjectType::Tree) {
                let path = format!("{root}{}", entry.name().unwrap_or_default());
                if merged_tree.get_path(std::path::Path::new(&path)).is_err() {
                    gone.push(path);
                }
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(git_error)?;
    let deepest: Vec<&String> = gone
        .iter()
        .filter(|p| !gone.iter().any(|q| q.starts_with(&format!("{p}/"))))
        .collect();
    if deepest.is_empty() {
        return Ok(merged);
    }
    let mut index = git2::Index::new().map_err(git_error)?;
    index.read_tree(&merged_tree).map_err(git_error)?;
    let empty = repo.blob(b"").map_err(git_error)?;
    for folder in deepest {
        resolution::put(
            &mut index,
            &format!("{folder}/.gitkeep"),
            Some(super::conflicts::Entry {
                id: empty,
                mode: 0o100644,
            }),
        )?;
    }
    index.write_tree_to(repo).map_err(git_error)
}

/// Moves `reference` from `old` to `new`, only if it is still at `old`.
pub(crate) fn move_branch(
    repo: &git2::Repository,
    reference: &str,
    new: git2::Oid,
    old: git2::Oid,
) -> Result<(), ApiError> {
    repo.reference_matching(reference, new, true, old, "cctui: merge")
        .map(|_| ())
        .map_err(|e| match e.code() {
            git2::ErrorCode::Modified | git2::ErrorCode::Locked => ApiError::client(
                "ConcurrentReferenceUpdateException",
                "The merge cannot be completed because the destination branch changed meanwhile. Try again.",
            ),
            _ => git_error(e),
        })
}

fn merge_pull_request(ops: &Ops, caller: &Caller, body: &Value, option: MergeOption) -> OpResult {
    super::pull_request_id(body)?;
    let name = required_repository_name(body, "repositoryName")?;
    let expected_source = opt_str(body, "sourceCommitId")?.map(str::to_string);
    let input = read_input(body, option)?;
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
        if !rules_met(pr) {
            return Err(ApiError::client(
                "PullRequestApprovalRulesNotSatisfiedException",
                "The pull request cannot be merged because one or more approval rules applied to the pull request have conditions that have not been met.",
            ));
        }
        let repo = ops.open_git(&meta)?;
        let source = resolve_commit(&repo, &pr.target.source_commit)?;
        let destination = resolve_commit(&repo, &pr.target.destination_commit)?;
        let branch = pr
            .target
            .source_reference
            .trim_start_matches("refs/heads/")
            .to_string();
        let default_message = if option == MergeOption::Squash {
            format!("{}\n\nSquashed pull request #{} ({branch})\n", pr.title, pr.id)
        } else {
            format!("Merge pull request #{} from {branch}\n\n{}\n", pr.id, pr.title)
        };
        let (new_tip, _) = merge_commits(&repo, &destination, &source, &input, caller, &default_message)?;
        move_branch(&repo, &pr.target.destination_reference, new_tip, destination.id())?;
        pr.target.destination_commit = new_tip.to_string();
        mark_merged(pr, Some(&caller.arn), Some(new_tip.to_string()), Some(option.name()));
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
    merge_pull_request(ops, caller, body, MergeOption::FastForward)
}

/// MergePullRequestBySquash.
pub fn by_squash(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge_pull_request(ops, caller, body, MergeOption::Squash)
}

/// MergePullRequestByThreeWay.
pub fn by_three_way(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge_pull_request(ops, caller, body, MergeOption::ThreeWay)
}

/// The branch a MergeBranchesBy… moves: `targetBranch`, or else the destination when it names
/// a branch (as AWS's examples merge into the destination branch); `None`: only the commit is
/// made.
fn target_reference(
    repo: &git2::Repository,
    body: &Value,
    destination_spec: &str,
) -> Result<Option<String>, ApiError> {
    let branch_exists = |reference: &str| repo.find_reference(reference).is_ok();
    match opt_str(body, "targetBranch")? {
        Some("") => Err(ApiError::client(
            "BranchNameRequiredException",
            "The targetBranch is empty: give a branch name or leave it out.",
        )),
        Some(branch) => {
            let branch = branch.strip_prefix("refs/heads/").unwrap_or(branch);
            validate_branch_name(branch)?;
            let reference = format!("refs/heads/{branch}");
            if branch_exists(&reference) {
                Ok(Some(reference))
            } else if branch_exists(&format!("refs/tags/{branch}")) {
                Err(ApiError::client(
                    "BranchNameIsTagNameException",
                    format!(
                        "The target branch {branch} is a tag name. Give a branch (ListBranches)."
                    ),
                ))
            } else {
                Err(ApiError::client(
                    "BranchDoesNotExistException",
                    format!(
                        "The target branch {branch} does not exist. Create it first (CreateBranch)."
                    ),
                ))
            }
        }
        None => {
            let branch = destination_spec
                .strip_prefix("refs/heads/")
                .unwrap_or(destination_spec);
            let reference = format!("refs/heads/{branch}");
            Ok(branch_exists(&reference).then_some(reference))
        }
    }
}

fn merge_branches(ops: &Ops, caller: &Caller, body: &Value, option: MergeOption) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let source_spec = required(body, "sourceCommitSpecifier", "CommitRequiredException")?;
    let destination_spec = required(
        body,
        "destinationCommitSpecifier",
        "CommitRequiredException",
    )?;
    let input = read_input(body, option)?;
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let target = target_reference(&repo, body, destination_spec)?;
    let source = resolve_commit(&repo, source_spec)?;
    let destination = resolve_commit(&repo, destination_spec)?;
    if let Some(reference) = &target {
        let tip = repo
            .find_reference(reference)
            .and_then(|r| r.peel_to_commit())
            .map_err(git_error)?;
        if tip.id() != destination.id() {
            return Err(ApiError::client(
                "InvalidTargetBranchException",
                format!(
                    "The target branch {} is not at the destination commit {}: give the branch as the destination, or a target branch that points at it.",
                    reference.trim_start_matches("refs/heads/"),
                    destination.id()
                ),
            ));
        }
    }
    let default_message = if option == MergeOption::Squash {
        format!("Squash merge of {source_spec} into {destination_spec}\n")
    } else {
        format!("Merge {source_spec} into {destination_spec}\n")
    };
    let (commit, tree) = merge_commits(
        &repo,
        &destination,
        &source,
        &input,
        caller,
        &default_message,
    )?;
    if let Some(reference) = &target {
        if commit != destination.id() {
            move_branch(&repo, reference, commit, destination.id())?;
        }
        let _ = ops.after_push(&meta.id);
    }
    Ok(json!({ "commitId": commit.to_string(), "treeId": tree.to_string() }))
}

/// MergeBranchesByFastForward.
pub fn branches_by_fast_forward(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge_branches(ops, caller, body, MergeOption::FastForward)
}

/// MergeBranchesBySquash.
pub fn branches_by_squash(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge_branches(ops, caller, body, MergeOption::Squash)
}

/// MergeBranchesByThreeWay.
pub fn branches_by_three_way(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    merge_branches(ops, caller, body, MergeOption::ThreeWay)
}
