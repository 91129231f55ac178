//! Driving `update()` the way the event loop does: every spawn gets its `Started` report with
//! the id `update` gave it, and answers come back under that id.
#![allow(dead_code)]

use cctui::app::action::Action;
use cctui::app::effect::Effect;
use cctui::app::state::State;
use cctui::app::update::update;
use cctui::jobs::{JobEvent, JobFailure, JobId, JobOutput, JobRequest, JobUpdate};

/// The jobs a list of effects starts, with their ids.
pub fn spawns(effects: &[Effect]) -> Vec<(JobId, JobRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn { id, request } => Some((*id, (**request).clone())),
            _ => None,
        })
        .collect()
}

/// The jobs a list of effects starts.
pub fn requests(effects: &[Effect]) -> Vec<JobRequest> {
    spawns(effects).into_iter().map(|(_, r)| r).collect()
}

/// Sends one job report.
pub fn report(state: &mut State, id: JobId, event: JobEvent) -> Vec<Effect> {
    update(state, Action::Job(Box::new(JobUpdate { id, event })))
}

/// What the job manager says when it starts a job.
pub fn started(state: &mut State, id: JobId, request: &JobRequest) -> Vec<Effect> {
    let event = JobEvent::Started {
        title: request.title(),
        visible: request.visible(),
        writes: request.writes(),
        domain: request.domain(),
    };
    report(state, id, event)
}

/// Starts every job of `effects` (as the manager would) and returns them.
pub fn start_all(state: &mut State, effects: &[Effect]) -> Vec<(JobId, JobRequest)> {
    let jobs = spawns(effects);
    for (id, request) in &jobs {
        started(state, *id, request);
    }
    jobs
}

/// A partial result of job `id`.
pub fn output(state: &mut State, id: JobId, output: JobOutput) -> Vec<Effect> {
    report(state, id, JobEvent::Output(output))
}

/// Job `id` ended well.
pub fn finish(state: &mut State, id: JobId, output: JobOutput) -> Vec<Effect> {
    report(state, id, JobEvent::Finished(Ok(output)))
}

/// Job `id` failed.
pub fn fail(state: &mut State, id: JobId, message: &str) -> Vec<Effect> {
    let failure = JobFailure::new(message, None);
    report(state, id, JobEvent::Finished(Err(failure)))
}

/// The only job `effects` start, started; panics when there is not exactly one.
pub fn one(state: &mut State, effects: &[Effect]) -> (JobId, JobRequest) {
    let jobs = start_all(state, effects);
    assert_eq!(jobs.len(), 1, "expected one job, got {jobs:?}");
    jobs.into_iter().next().unwrap_or_else(|| unreachable!())
}

/// The first started job matching `pick`.
pub fn find(
    state: &mut State,
    effects: &[Effect],
    pick: impl Fn(&JobRequest) -> bool,
) -> Option<JobId> {
    start_all(state, effects)
        .into_iter()
        .find(|(_, r)| pick(r))
        .map(|(id, _)| id)
}
