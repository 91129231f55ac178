//! Renewing an expired SSO session: a job that failed because the profile's SSO session
//! expired offers `aws sso login`; cctui steps aside while it runs (the AWS CLI prints a code
//! and may open a browser), then runs the failed jobs again under their ids, so the panes that
//! asked receive the answers they still wait for.

use super::action::Action;
use super::effect::{Effect, Foreground, ForegroundPurpose};
use super::overlay::Overlay;
use super::state::{JobStatus, State};
use crate::jobs::{JobId, JobRequest};

const TITLE: &str = "SSO session expired";

/// A job failed for an expired SSO session: offer the login, or add the job to the offer
/// already open for the same profile (several reads fail at once when a session expires).
pub fn offer(state: &mut State, profile: Option<String>, failed: Option<(JobId, Box<JobRequest>)>) {
    let open = state.overlays.iter_mut().find_map(|overlay| match overlay {
        Overlay::Confirm { on_yes, .. } => match on_yes.as_mut() {
            Action::SsoLogin { profile: p, retry } if *p == profile => Some(retry),
            _ => None,
        },
        _ => None,
    });
    if let Some(retry) = open {
        retry.extend(failed);
        return;
    }
    let command = login_command(&profile, Vec::new()).command_line();
    let whose = profile
        .as_deref()
        .map(|p| format!("of profile {p} "))
        .unwrap_or_default();
    state.overlays.push(Overlay::Confirm {
        title: TITLE.into(),
        message: format!(
            "The SSO session {whose}has expired.\n\nRun `{command}` now? cctui gives the \
             terminal to it (it shows a code and may open a browser) and comes back when it \
             ends, then runs again what failed. A change you were sending (create, rename, \
             delete) is not sent again: send it once more after signing in."
        ),
        on_yes: Box::new(Action::SsoLogin {
            profile,
            retry: failed.into_iter().collect(),
        }),
    });
}

/// The user said yes: run the login in the foreground.
pub fn login(profile: Option<String>, retry: Vec<(JobId, Box<JobRequest>)>) -> Vec<Effect> {
    vec![Effect::RunForeground(login_command(&profile, retry))]
}

fn login_command(profile: &Option<String>, retry: Vec<(JobId, Box<JobRequest>)>) -> Foreground {
    let mut args = vec!["sso".to_string(), "login".to_string()];
    if let Some(profile) = profile {
        args.extend(["--profile".to_string(), profile.clone()]);
    }
    Foreground {
        program: "aws".into(),
        args,
        purpose: ForegroundPurpose::SsoLogin {
            profile: profile.clone(),
            retry,
        },
    }
}

/// `aws sso login` ended: on success, the failed jobs run again under their ids.
pub fn login_ended(
    state: &mut State,
    profile: Option<String>,
    retry: Vec<(JobId, Box<JobRequest>)>,
    outcome: Result<(), String>,
) -> Vec<Effect> {
    let command = login_command(&profile, Vec::new()).command_line();
    if let Err(reason) = outcome {
        state.overlays.push(Overlay::Error {
            message: format!("`{command}` did not sign in: {reason}."),
            hint: Some(format!(
                "Run `{command}` in a shell to see why, then press r to retry."
            )),
        });
        return Vec::new();
    }
    state.notice = Some(match retry.len() {
        0 => format!("Signed in with `{command}`."),
        1 => format!("Signed in with `{command}`; running the failed job again."),
        n => format!("Signed in with `{command}`; running the {n} failed jobs again."),
    });
    retry
        .into_iter()
        .map(|(id, request)| run_again(state, id, request))
        .collect()
}

/// Runs a failed job again under its id: its row runs again, its owner gets the answer.
fn run_again(state: &mut State, id: JobId, request: Box<JobRequest>) -> Effect {
    match state.jobs.iter_mut().find(|row| row.id == id) {
        Some(row) => {
            row.status = JobStatus::Running;
            row.progress = None;
            row.retry = Some(request.clone());
        }
        None => state.jobs.push(super::state::JobRow {
            id,
            title: request.title(),
            status: JobStatus::Running,
            progress: None,
            visible: request.visible(),
            domain: request.domain(),
            writes: request.writes(),
            retry: Some(request.clone()),
        }),
    }
    Effect::Spawn { id, request }
}
