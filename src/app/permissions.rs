//! The permissions view's slice of the state: what IAM says the caller may do with a
//! repository and a branch (SimulatePrincipalPolicy), and the commands that map to those
//! actions, so the footer and help can mark the ones that would be refused.

use super::command::CommandId;
use super::state::State;
use crate::aws::permissions::{Decision, Verdict};
use crate::jobs::JobId;

/// Why IAM could not be asked, and what to do.
pub type Refusal = (String, Option<String>);

/// The view's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PermissionsState {
    /// The repository and branch asked about.
    pub subject: Option<(crate::model::RepoKey, String)>,
    /// The simulation in flight.
    pub request: Option<JobId>,
    /// IAM's answer, or why there is none (and what to do).
    pub decisions: Option<Result<Vec<Decision>, Refusal>>,
}

/// The CodeCommit action a command needs, when it needs one the view simulates.
pub fn action_of(id: CommandId) -> Option<&'static str> {
    Some(match id {
        CommandId::Push | CommandId::ForcePush => "GitPush",
        CommandId::Fetch | CommandId::Pull => "GitPull",
        CommandId::DeleteBranch => "DeleteBranch",
        CommandId::SetDefaultBranch => "UpdateDefaultBranch",
        CommandId::DeleteRepository => "DeleteRepository",
        CommandId::PullsNew => "CreatePullRequest",
        CommandId::PullMerge => "MergePullRequestBySquash",
        _ => return None,
    })
}

/// Whether IAM said no to what `id` needs, for the repository and branch last simulated
/// (only while that is the open clone's, or nothing is open).
pub fn denied(state: &State, id: CommandId) -> Option<Verdict> {
    let action = action_of(id)?;
    let Some(Ok(decisions)) = &state.permissions.decisions else {
        return None;
    };
    let (key, _) = state.permissions.subject.as_ref()?;
    let open = state.open_repo.as_ref().and_then(|r| r.codecommit.as_ref());
    if open.is_some_and(|open| open != key) {
        return None;
    }
    decisions
        .iter()
        .find(|d| d.action == action)
        .map(|d| d.verdict)
        .filter(|v| *v != Verdict::Allowed)
}

/// The IAM ARN to simulate for a caller: a user as it is; an assumed role (SSO included) as
/// its role, which is what holds the policies.
pub fn principal_of(arn: &str) -> String {
    match arn.split_once(":assumed-role/") {
        Some((head, rest)) => {
            let role = rest.split('/').next().unwrap_or(rest);
            format!("{}:role/{role}", head.replacen(":sts:", ":iam:", 1))
        }
        None => arn.to_string(),
    }
}

/// The access denials this session's jobs met, newest first (what the view falls back to
/// when the caller may not simulate).
pub fn denials_seen(state: &State) -> Vec<String> {
    state
        .jobs
        .iter()
        .rev()
        .filter_map(|job| match &job.status {
            super::state::JobStatus::Failed(message) if message.contains("Access denied") => {
                Some(format!("{}: {message}", job.title))
            }
            _ => None,
        })
        .collect()
}

/// `K`: the permissions view for the open clone's repository and current branch (or the
/// selected repository and its default branch), asking IAM once the caller is known.
pub fn open(state: &mut State) -> Vec<super::effect::Effect> {
    use super::overlay::Overlay;
    let from_clone = state
        .open_repo
        .as_ref()
        .and_then(|r| r.codecommit.clone())
        .map(|key| {
            let branch = state.status.status.as_ref().and_then(|s| s.branch.clone());
            (key, branch)
        });
    let from_list = state
        .repos
        .selected_row()
        .map(|row| (row.key(), row.repo.default_branch.clone()));
    let Some((key, Some(branch))) = from_clone.filter(|(_, b)| b.is_some()).or(from_list) else {
        state.overlays.push(Overlay::Error {
            message: "No repository and branch to ask about.".into(),
            hint: Some(
                "Open a clone of a CodeCommit repository (on a branch), or select a repository \
                 with a default branch, then press K."
                    .into(),
            ),
        });
        return Vec::new();
    };
    if !state
        .overlays
        .iter()
        .any(|o| matches!(o, Overlay::Permissions))
    {
        state.overlays.push(Overlay::Permissions);
    }
    state.permissions = PermissionsState {
        subject: Some((key, branch)),
        request: None,
        decisions: None,
    };
    let mut effects = super::access_update::identity_if_unknown(state);
    effects.extend(simulate_if_ready(state));
    effects
}

/// Asks IAM once the caller's ARN is known (the header's identity read may still run).
pub fn simulate_if_ready(state: &mut State) -> Vec<super::effect::Effect> {
    let (Some((key, branch)), None, None) = (
        state.permissions.subject.clone(),
        &state.permissions.request,
        &state.permissions.decisions,
    ) else {
        return Vec::new();
    };
    let Some(identity) = state.access.identity.clone() else {
        return Vec::new();
    };
    let request = crate::jobs::JobRequest::Access(crate::jobs::AccessRequest::Permissions {
        target: super::repos_update::key_target(state, &key),
        principal: principal_of(&identity.arn),
        repository_arn: crate::aws::permissions::repository_arn(
            &key.region,
            &identity.account,
            &key.name,
        ),
        branch,
    });
    let (id, effect) = state.request(request);
    state.permissions.request = Some(id);
    vec![effect]
}

/// IAM answered.
pub fn answered(state: &mut State, id: JobId, decisions: Vec<Decision>) {
    if state.permissions.request == Some(id) {
        state.permissions.request = None;
        state.permissions.decisions = Some(Ok(decisions));
    }
}

/// The simulation failed: the view says why, and falls back to the denials seen. Returns
/// whether the failure was this view's.
pub fn failed(state: &mut State, id: JobId, failure: &crate::jobs::JobFailure) -> bool {
    if state.permissions.request != Some(id) {
        return false;
    }
    state.permissions.request = None;
    let denied = failure.message.contains("Access denied");
    state.permissions.decisions = Some(Err(if denied {
        (
            "You may not ask IAM what you may do (iam:SimulatePrincipalPolicy is not allowed \
             to you)."
                .into(),
            Some(
                "Below: what AWS refused this session. Ask an administrator for \
                  iam:SimulatePrincipalPolicy on your own user or role to see everything."
                    .into(),
            ),
        )
    } else {
        (failure.message.clone(), failure.hint.clone())
    }));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assumed_role_is_simulated_as_its_role() {
        assert_eq!(
            principal_of("arn:aws:sts::111122223333:assumed-role/Dev/alice"),
            "arn:aws:iam::111122223333:role/Dev"
        );
        assert_eq!(
            principal_of("arn:aws:iam::111122223333:user/carol"),
            "arn:aws:iam::111122223333:user/carol"
        );
    }
}
