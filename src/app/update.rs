//! `update(&mut State, Action) -> Vec<Effect>`: every behaviour of the UI, with no I/O, no
//! awaits and no clocks, so each one is a few lines of test.
//!
//! This file only dispatches: a command to the area that owns it (global, a pane, the top
//! overlay), a job's report to the jobs strip, and a job's result to the area that asked —
//! matched on the area's own output type, so no result can fall through unhandled.

use super::action::Action;
use super::branches_update as branches;
use super::clone_update as clone_flow;
use super::command::{CommandId, command};
use super::effect::{Effect, ForegroundPurpose};
use super::global;
use super::jobs_strip;
use super::overlay::Overlay;
use super::overlays_update as overlays;
use super::repos_update as repos;
use super::sso_update as sso;
use super::state::{Pane, State};
use super::worktree_update as worktree;
use crate::jobs::{Domain, JobFailure, JobId, JobOutput};

pub use super::global::{
    help_line_count, moved, palette_commands, palette_matches, pane_context, picker_matches,
};

/// Applies one action and returns the I/O it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Command(id) => run_command(state, id),
        Action::TypeChar(_) | Action::Backspace => {
            overlays::edit_text(state, &action);
            Vec::new()
        }
        Action::Open(overlay) => {
            state.overlays.push(*overlay);
            Vec::new()
        }
        Action::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Action::Job(job) => jobs_strip::on_update(state, *job),
        Action::Terminate => global::terminate(state),
        Action::SsoLogin { profile, retry } => sso::login(profile, retry),
        Action::ForegroundEnded { purpose, outcome } => match purpose {
            ForegroundPurpose::SsoLogin { profile, retry } => {
                sso::login_ended(state, profile, retry, outcome)
            }
            ForegroundPurpose::EditMessage { repo, path, editor } => {
                worktree::editor_closed(state, repo, path, &editor, outcome)
            }
            ForegroundPurpose::EditText { path, editor } => {
                super::pulls_update::editor_closed(state, path, &editor, outcome)
            }
        },
        Action::Spawn(request) => vec![state.spawn(*request)],
        Action::FilesChanged(changes) => worktree::files_changed(state, changes),
        Action::OpenClone { name, path } => {
            state.focus = Pane::Status;
            worktree::open(state, name, path, None)
        }
        Action::Start => repos::check_setup(state),
        Action::DemoStarted { endpoint, region } => repos::demo_started(state, endpoint, region),
        Action::DemoFailed(reason) => repos::demo_failed(state, reason),
        Action::PullChange(request) => super::pulls_update::change(state, *request),
        Action::NewPullRequest => super::pulls_update::compose_new(state),
        Action::IntegrationsChange(request) => super::integrations_update::change(state, *request),
        Action::Noop => Vec::new(),
    }
}

/// A command, to whoever owns it now.
pub fn run_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    // While quitting waits for writes, nothing new starts; ctrl-c again forces.
    if state.quitting && id != CommandId::ForceQuit {
        return Vec::new();
    }
    let row = command(id);
    if row.mutating && state.session.readonly {
        state.overlays.push(Overlay::Error {
            message: format!(
                "\"{}\" changes things, and cctui runs read-only.",
                row.description
            ),
            hint: Some("Restart without --readonly to allow changes.".to_string()),
        });
        return Vec::new();
    }
    if let Some(effects) = global::always(state, id) {
        return effects;
    }
    if !state.overlays.is_empty() {
        return overlays::command(state, id);
    }
    state.notice = None;
    global::command(state, id).unwrap_or_else(|| pane_command(state, id))
}

/// A command of the area that owns it: the account-wide ones (profile, region, all regions,
/// clone by URL) belong to the repositories area wherever the focus is.
fn pane_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    if matches!(
        id,
        CommandId::CloneUrl
            | CommandId::PickProfile
            | CommandId::PickRegion
            | CommandId::AllRegions
    ) {
        return repos::command(state, id);
    }
    match command(id).context {
        super::command::Context::Repositories => repos::command(state, id),
        super::command::Context::Status => worktree::status_command(state, id),
        super::command::Context::Log => worktree::log_command(state, id),
        super::command::Context::Branches => branches::command(state, id),
        super::command::Context::Jobs => jobs_strip::command(state, id),
        // Overlay and confirmation commands mean nothing without their overlay.
        super::command::Context::Global
        | super::command::Context::Overlay
        | super::command::Context::Confirm
        | super::command::Context::Access
        | super::command::Context::Pulls
        | super::command::Context::PullView
        | super::command::Context::Workspace
        | super::command::Context::Integrations => Vec::new(),
    }
}

/// A job's result (partial or final), to the area it belongs to.
pub fn deliver(state: &mut State, id: JobId, output: JobOutput) -> Vec<Effect> {
    match output {
        JobOutput::Repos(output) => repos::on_output(state, id, output),
        JobOutput::Clone(output) => clone_flow::on_output(state, id, output),
        JobOutput::Worktree(output) => worktree::on_output(state, id, output),
        JobOutput::Branches(output) => branches::on_output(state, id, output),
        JobOutput::Access(output) => super::access_update::on_output(state, id, output),
        JobOutput::Pulls(output) => super::pulls_update::on_output(state, id, output),
        JobOutput::Integrations(output) => super::integrations_update::on_output(state, id, output),
        JobOutput::Undo(output) => super::undo_update::on_output(state, id, output),
        JobOutput::Workspace(output) => super::workspace_update::on_output(state, id, output),
    }
}

/// A job's failure (or cancellation), to the area that started it.
pub fn deliver_failure(
    state: &mut State,
    id: JobId,
    domain: Domain,
    failure: JobFailure,
) -> Vec<Effect> {
    match domain {
        Domain::Repos => repos::on_failure(state, id, failure),
        Domain::Clone => clone_flow::on_failure(state, id, failure),
        Domain::Worktree => worktree::on_failure(state, id, failure),
        Domain::Branches => branches::on_failure(state, id, failure),
        Domain::Access => super::access_update::on_failure(state, id, failure),
        Domain::Pulls => super::pulls_update::on_failure(state, id, failure),
        Domain::Integrations => super::integrations_update::on_failure(state, id, failure),
        Domain::Undo => super::undo_update::on_failure(state, id, failure),
        Domain::Workspace => super::workspace_update::on_failure(state, id, failure),
    }
}
