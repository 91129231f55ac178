//! The IAM request a CodeCommit API call is: action `codecommit:<Operation>`, resource the
//! repository's ARN (`arn:aws:codecommit:<region>:<account>:<repository>`) when the call names
//! a repository (directly, or through the pull request it names), the `resourceArn` of the
//! tagging calls, else `*` (ListRepositories, the approval rule templates, …).
//!
//! `codecommit:References` is set for the operations CodeCommit gives a branch context:
//! CreateBranch, DeleteBranch, PutFile, DeleteFile, CreateCommit (`branchName`),
//! MergeBranchesBy… (`targetBranch`) and MergePullRequestBy… (the pull request's
//! destination), as `refs/heads/<branch>`, so the user guide's branch-protection policy
//! applies to them as on AWS.

use serde_json::{Value, json};

use super::git_access::repository_arn;
use super::policy::Request;
use crate::local::codecommit::Caller;
use crate::local::ops::Ops;

/// Builds the request for `operation` with `input`. `ops` answers GetPullRequest for the
/// calls that name only a pull request.
pub fn api_request(
    ops: &Ops,
    caller: &Caller,
    (region, account_id): (&str, &str),
    operation: &str,
    input: &Value,
) -> Request {
    let text = |key: &str| input.get(key).and_then(Value::as_str).map(str::to_string);
    // The pull request's repository and destination, when the call names one.
    let pull = || {
        let id = text("pullRequestId")?;
        let answer = ops
            .dispatch_for(caller, "GetPullRequest", &json!({ "pullRequestId": id }))
            .ok()?;
        let target = answer.pointer("/pullRequest/pullRequestTargets/0")?.clone();
        Some((
            target.get("repositoryName")?.as_str()?.to_string(),
            target
                .get("destinationReference")
                .and_then(Value::as_str)
                .map(str::to_string),
        ))
    };
    let mut pull_target: Option<(String, Option<String>)> = None;
    let repository = text("repositoryName").or_else(|| {
        pull_target = pull();
        pull_target.as_ref().map(|(name, _)| name.clone())
    });
    let resource = match (&repository, text("resourceArn")) {
        (Some(name), _) => repository_arn(region, account_id, name),
        (None, Some(arn)) => arn,
        (None, None) => "*".to_string(),
    };
    let mut request = Request::new(format!("codecommit:{operation}"), resource);
    let branch = |name: Option<String>| {
        name.map(|b| {
            if b.starts_with("refs/") {
                b
            } else {
                format!("refs/heads/{b}")
            }
        })
    };
    let reference = match operation {
        "CreateBranch" | "DeleteBranch" | "PutFile" | "DeleteFile" | "CreateCommit" => {
            branch(text("branchName"))
        }
        "MergeBranchesByFastForward" | "MergeBranchesBySquash" | "MergeBranchesByThreeWay" => {
            branch(text("targetBranch"))
        }
        "MergePullRequestByFastForward"
        | "MergePullRequestBySquash"
        | "MergePullRequestByThreeWay" => {
            let target = match pull_target {
                Some(target) => Some(target),
                None => pull(),
            };
            branch(target.and_then(|(_, destination)| destination))
        }
        _ => None,
    };
    if let Some(reference) = reference {
        request = request.with_context("codecommit:References", vec![reference]);
    }
    request
}
