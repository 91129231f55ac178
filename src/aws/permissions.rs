//! What the caller may do with a repository and a branch: IAM's SimulatePrincipalPolicy for the
//! CodeCommit actions cctui runs, with `codecommit:References` set to the branch for the actions
//! branch protection names. The SDK types stop here.

use aws_sdk_iam::types::{ContextEntry, ContextKeyTypeEnum, PolicyEvaluationDecisionType};

use super::client::{Clients, Target};
use super::error::AwsError;

/// The CodeCommit actions the permissions view asks about, in the order it shows them, and
/// whether each is about one branch (then `codecommit:References` names it).
pub const ACTIONS: &[(&str, bool)] = &[
    ("GitPull", false),
    ("GitPush", true),
    ("CreateBranch", true),
    ("DeleteBranch", true),
    ("PutFile", true),
    ("MergeBranchesByFastForward", true),
    ("MergeBranchesBySquash", true),
    ("MergeBranchesByThreeWay", true),
    ("CreatePullRequest", false),
    ("MergePullRequestByFastForward", true),
    ("MergePullRequestBySquash", true),
    ("MergePullRequestByThreeWay", true),
    ("UpdateDefaultBranch", false),
    ("DeleteRepository", false),
];

/// IAM's verdict on one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A statement allows it and none denies it.
    Allowed,
    /// Nothing allows it.
    ImplicitDeny,
    /// A statement denies it.
    ExplicitDeny,
}

/// One action's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The action, without its `codecommit:` prefix.
    pub action: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The policies whose statements decided it (their ids, as IAM names them).
    pub statements: Vec<String>,
}

/// The repository's ARN.
pub fn repository_arn(region: &str, account: &str, repository: &str) -> String {
    format!("arn:aws:codecommit:{region}:{account}:{repository}")
}

/// Simulates every action of [`ACTIONS`] for `principal` (the caller's user or role ARN) on
/// the repository, the branch ones with `codecommit:References = refs/heads/<branch>`.
pub async fn simulate(
    clients: &Clients,
    target: &Target,
    principal: &str,
    repository_arn: &str,
    branch: &str,
) -> Result<Vec<Decision>, AwsError> {
    let client = clients.iam(target).await;
    let reference = format!("refs/heads/{branch}");
    let mut decisions = Vec::new();
    // Branch actions with the branch in the context, the others without (a condition on
    // References must not decide an action that names none).
    for scoped in [true, false] {
        let actions: Vec<String> = ACTIONS
            .iter()
            .filter(|(_, branch_scoped)| *branch_scoped == scoped)
            .map(|(action, _)| format!("codecommit:{action}"))
            .collect();
        let mut marker: Option<String> = None;
        loop {
            let mut request = client
                .simulate_principal_policy()
                .policy_source_arn(principal)
                .set_action_names(Some(actions.clone()))
                .resource_arns(repository_arn)
                .set_marker(marker.take());
            if scoped {
                request = request.context_entries(
                    ContextEntry::builder()
                        .context_key_name("codecommit:References")
                        .context_key_values(&reference)
                        .context_key_type(ContextKeyTypeEnum::StringList)
                        .build(),
                );
            }
            let page = request
                .send()
                .await
                .map_err(|e| AwsError::from_sdk(e, "iam:SimulatePrincipalPolicy", target))?;
            for result in page.evaluation_results() {
                let verdict = match result.eval_decision() {
                    PolicyEvaluationDecisionType::Allowed => Verdict::Allowed,
                    PolicyEvaluationDecisionType::ExplicitDeny => Verdict::ExplicitDeny,
                    _ => Verdict::ImplicitDeny,
                };
                decisions.push(Decision {
                    action: result
                        .eval_action_name()
                        .trim_start_matches("codecommit:")
                        .to_string(),
                    verdict,
                    statements: result
                        .matched_statements()
                        .iter()
                        .filter_map(|s| s.source_policy_id().map(str::to_string))
                        .collect(),
                });
            }
            match page.marker() {
                Some(next) if page.is_truncated() => marker = Some(next.to_string()),
                _ => break,
            }
        }
    }
    let order = |action: &str| ACTIONS.iter().position(|(a, _)| *a == action);
    decisions.sort_by_key(|d| order(&d.action));
    Ok(decisions)
}
