//! The jobs strip: a row per job from its `Started` report to its end, cancel and clear. It
//! also hands each result to the area that asked, through the dispatcher.

use super::command::CommandId;
use super::effect::Effect;
use super::state::{JobRow, JobStatus, State};
use crate::jobs::{JobEvent, JobFailure, JobUpdate, Remedy};

/// A report of a job: the row changes, the result goes to its owner.
pub fn on_update(state: &mut State, job: JobUpdate) -> Vec<Effect> {
    let JobUpdate { id, event } = job;
    let domain = state.jobs.iter().find(|j| j.id == id).map(|j| j.domain);
    let mut effects = match event {
        JobEvent::Started {
            title,
            visible,
            writes,
            domain,
        } => {
            // `update` made the row when it asked; a job started elsewhere gets one now.
            match state.jobs.iter_mut().find(|j| j.id == id) {
                Some(row) => row.title = title,
                None => state.jobs.push(JobRow {
                    id,
                    title,
                    status: JobStatus::Running,
                    progress: None,
                    visible,
                    domain,
                    writes,
                    retry: None,
                }),
            }
            Vec::new()
        }
        JobEvent::Progress(progress) => {
            if let Some(row) = state.jobs.iter_mut().find(|j| j.id == id) {
                row.progress = Some(progress);
            }
            Vec::new()
        }
        JobEvent::Output(output) => super::update::deliver(state, id, output),
        JobEvent::Cancelled => {
            set_status(state, id, JobStatus::Cancelled);
            match domain {
                Some(domain) => {
                    super::update::deliver_failure(state, id, domain, JobFailure::cancelled())
                }
                None => Vec::new(),
            }
        }
        JobEvent::Finished(Ok(output)) => {
            // A job that stopped to ask leaves no row: the retry with the answer gets one.
            if output.asks() {
                state.jobs.retain(|j| j.id != id);
            } else {
                set_status(state, id, JobStatus::Succeeded);
            }
            super::update::deliver(state, id, output)
        }
        JobEvent::Finished(Err(failure)) => {
            set_status(state, id, JobStatus::Failed(failure.message.clone()));
            if let Some(Remedy::SsoLogin { profile }) = &failure.remedy {
                let failed = take_retry(state, id).map(|request| (id, request));
                super::sso_update::offer(state, profile.clone(), failed);
            }
            match domain {
                Some(domain) => super::update::deliver_failure(state, id, domain, failure),
                None => {
                    tracing::debug!(job = id.0, "a failure of an unknown job was dropped");
                    Vec::new()
                }
            }
        }
    };
    if !state.jobs.iter().any(|j| j.id == id && j.status.running()) {
        // Ended: the request it kept for a retry (which may carry typed passwords) goes.
        take_retry(state, id);
    }
    tidy(state);
    effects.extend(super::global::after_job(state));
    effects
}

fn take_retry(state: &mut State, id: crate::jobs::JobId) -> Option<Box<crate::jobs::JobRequest>> {
    state
        .jobs
        .iter_mut()
        .find(|j| j.id == id)
        .and_then(|row| row.retry.take())
}

fn set_status(state: &mut State, id: crate::jobs::JobId, status: JobStatus) {
    if let Some(row) = state.jobs.iter_mut().find(|j| j.id == id) {
        row.status = status;
    }
}

/// Quick invisible jobs leave no trace once done; the selection stays in the strip.
fn tidy(state: &mut State) {
    state.jobs.retain(|j| j.visible || j.status.running());
    let visible = state.visible_jobs().count();
    state.job_selected = state.job_selected.min(visible.saturating_sub(1));
}

/// A command of the jobs strip.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    match id {
        CommandId::CancelJob => {
            let selected = state.job_selected;
            let Some(job) = state
                .jobs
                .iter_mut()
                .filter(|j| j.visible)
                .nth(selected)
                .filter(|j| j.status == JobStatus::Running)
            else {
                return Vec::new();
            };
            // A write may be past its point of no return: it says "cancelling…" until it
            // reports how it ended, never "cancelled" for work that lands.
            if job.writes {
                job.status = JobStatus::Cancelling;
            }
            vec![Effect::Cancel(job.id)]
        }
        CommandId::ClearFinishedJobs => {
            state.jobs.retain(|j| j.status.running());
            state.job_selected = 0;
            Vec::new()
        }
        _ => Vec::new(),
    }
}
