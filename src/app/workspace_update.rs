//! The workspace screen (`W`, palette `workspace`): every clone under the workspace root, the
//! recent clones and the open one, read by a scan job whose rows stream in; sort and filter
//! like the repositories pane; `enter` opens a clone; marks (`space`) and bulk fetch (`f`) or
//! fast-forward pull (`F`) of the marked rows (or all), at most [`BULK_CONCURRENCY`] at once,
//! each row showing its job's progress, `x` cancelling, and a summary of what failed and why.

use std::path::PathBuf;

use super::command::CommandId;
use super::effect::Effect;
use super::global::moved;
use super::overlay::Overlay;
use super::state::{Pane, State};
use super::workspace::{BULK_CONCURRENCY, Bulk, BulkOp, RowWork, WorkspaceRow};
use crate::jobs::{Answers, JobFailure, JobId, JobRequest, RemoteJob, RemoteOp, WorkspaceOutput};
use crate::model::RepoKey;

/// `W`: opens the screen and scans.
pub fn open(state: &mut State) -> Vec<Effect> {
    if !state
        .overlays
        .iter()
        .any(|o| matches!(o, Overlay::Workspace))
    {
        state.overlays.push(Overlay::Workspace);
    }
    scan(state)
}

/// Starts a full scan (the root, the recent clones, the open clone); the old rows stay until
/// its first rows arrive.
pub fn scan(state: &mut State) -> Vec<Effect> {
    let mut extra: Vec<PathBuf> = state.open_repo.iter().map(|r| r.path.clone()).collect();
    extra.extend(state.recent.list.iter().cloned());
    let request = JobRequest::ScanWorkspace {
        root: Some(state.cloning.workspace_root.clone()),
        extra,
    };
    let (id, effect) = state.request(request);
    let mut effects = Vec::new();
    if let Some(old) = state.workspace.scan.replace(id) {
        effects.push(Effect::Cancel(old));
    }
    state.workspace.error = None;
    effects.push(effect);
    effects
}

/// The CodeCommit repository of a clone's origin, as the session names it.
fn key_of(state: &State, url: Option<&str>) -> Option<RepoKey> {
    RepoKey::of_remote(
        url?,
        state.session.profile.clone(),
        state.session.region.clone(),
    )
}

/// Whether the clone's CodeCommit repository is gone: the session's repository listing covers
/// its profile and region (it ended without error) and has no repository of that name.
pub fn remote_gone(state: &State, row: &WorkspaceRow) -> bool {
    let Some(key) = &row.key else {
        return false;
    };
    let repos = &state.repos;
    let listed = repos.rows_listing.is_some() && !repos.loading && repos.error.is_none();
    if !listed {
        return false;
    }
    let session_covers =
        key.profile == state.session.profile && Some(&key.region) == state.session.region.as_ref();
    let covered = session_covers
        || repos
            .rows
            .iter()
            .any(|r| r.profile == key.profile && r.region == key.region);
    covered && !repos.rows.iter().any(|r| r.is(key))
}

/// A command while the screen is on top.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    let ws = &mut state.workspace;
    match id {
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            ws.selected = moved(ws.selected, ws.view.len(), id, page);
            Vec::new()
        }
        CommandId::WorkspaceSort => {
            ws.sort = ws.sort.next();
            ws.refresh_view();
            Vec::new()
        }
        CommandId::WorkspaceFilter => {
            state.overlays.push(Overlay::WorkspaceFilter);
            Vec::new()
        }
        CommandId::WorkspaceMark => {
            if let Some(path) = ws.selected_row().map(|r| r.summary.path.clone())
                && !ws.marked.remove(&path)
            {
                ws.marked.insert(path);
            }
            ws.selected = moved(ws.selected, ws.view.len(), CommandId::Down, page);
            Vec::new()
        }
        CommandId::WorkspaceOpen => open_selected(state),
        CommandId::WorkspaceRescan => scan(state),
        CommandId::WorkspaceFetch => start_bulk(state, BulkOp::Fetch),
        CommandId::WorkspacePull => start_bulk(state, BulkOp::Pull),
        CommandId::WorkspaceCancel => cancel_bulk(state),
        CommandId::WorkspaceClose => {
            state.overlays.retain(|o| !matches!(o, Overlay::Workspace));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Typing in the filter box.
pub fn set_filter(state: &mut State, filter: String) {
    state.workspace.filter = filter;
    state.workspace.selected = 0;
    state.workspace.refresh_view();
}

fn open_selected(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.workspace.selected_row().cloned() else {
        return Vec::new();
    };
    if let Some(error) = &row.summary.error {
        state.notice = Some(format!("{} cannot be opened: {error}", row.name()));
        return Vec::new();
    }
    state.overlays.retain(|o| !matches!(o, Overlay::Workspace));
    state.focus = Pane::Status;
    super::worktree_update::open(state, row.name(), row.summary.path.clone(), row.key)
}

/// `f` / `F`: the marked rows (or all shown), queued; the first [`BULK_CONCURRENCY`] start.
fn start_bulk(state: &mut State, op: BulkOp) -> Vec<Effect> {
    if state.workspace.bulk.is_some() {
        state.notice = Some("A bulk fetch or pull is running: x cancels it.".into());
        return Vec::new();
    }
    let ws = &mut state.workspace;
    let chosen: Vec<WorkspaceRow> = ws
        .view
        .iter()
        .map(|i| ws.rows[*i].clone())
        .filter(|r| ws.marked.is_empty() || ws.marked.contains(&r.summary.path))
        .collect();
    if chosen.is_empty() {
        state.notice = Some("No clones to fetch: the list is empty.".into());
        return Vec::new();
    }
    ws.work.clear();
    ws.summary = None;
    let mut queue = std::collections::VecDeque::new();
    for row in &chosen {
        let path = row.summary.path.clone();
        let skip = match (&row.summary.error, op) {
            (Some(error), _) => Some(format!("cannot be read: {error}")),
            (None, BulkOp::Pull) if row.summary.changed > 0 => Some(format!(
                "not pulled: {} changed file(s); commit or stash them first",
                row.summary.changed
            )),
            _ => None,
        };
        match skip {
            Some(why) => {
                ws.work.insert(path, RowWork::Failed(why));
            }
            None => {
                ws.work.insert(path.clone(), RowWork::Queued);
                queue.push_back(path);
            }
        }
    }
    ws.bulk = Some(Bulk {
        op,
        queue,
        running: Default::default(),
        total: chosen.len(),
    });
    next_jobs(state)
}

/// Starts queued clones while fewer than [`BULK_CONCURRENCY`] run; ends the bulk work with
/// its summary when nothing is left.
fn next_jobs(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    loop {
        let Some(bulk) = state.workspace.bulk.as_mut() else {
            return effects;
        };
        if bulk.running.len() >= BULK_CONCURRENCY {
            return effects;
        }
        let Some(path) = bulk.queue.pop_front() else {
            break;
        };
        let pull = bulk.op == BulkOp::Pull;
        let request = JobRequest::WorkspaceRemote {
            job: Box::new(RemoteJob {
                repo: path.clone(),
                op: if pull {
                    RemoteOp::Pull
                } else {
                    RemoteOp::Fetch
                },
                target: state.session.target(),
                answers: Answers::default(),
            }),
            pull,
        };
        let (id, effect) = state.request(request);
        if let Some(bulk) = state.workspace.bulk.as_mut() {
            bulk.running.insert(id, path.clone());
        }
        state.workspace.work.insert(path, RowWork::Running(id));
        effects.push(effect);
    }
    if state
        .workspace
        .bulk
        .as_ref()
        .is_some_and(|b| b.running.is_empty())
    {
        finish_bulk(state);
    }
    effects
}

fn finish_bulk(state: &mut State) {
    let Some(bulk) = state.workspace.bulk.take() else {
        return;
    };
    let ws = &mut state.workspace;
    let name = |path: &PathBuf| {
        ws.rows
            .iter()
            .find(|r| &r.summary.path == path)
            .map(|r| {
                // The directory too, when it is not named after the repository.
                let (name, dir) = (r.name(), r.summary.name());
                if name == dir {
                    name
                } else {
                    format!("{name} ({dir})")
                }
            })
            .unwrap_or_else(|| path.display().to_string())
    };
    let mut done = 0;
    let mut lines = Vec::new();
    let mut cancelled = 0;
    for (path, work) in &ws.work {
        match work {
            RowWork::Done(_) => done += 1,
            RowWork::Failed(why) => lines.push(format!("{}: {why}", name(path))),
            RowWork::Cancelled => cancelled += 1,
            RowWork::Queued | RowWork::Running(_) => {}
        }
    }
    let verb = match bulk.op {
        BulkOp::Fetch => "Fetched",
        BulkOp::Pull => "Pulled",
    };
    let mut head = format!("{verb} {done} of {} clones", bulk.total);
    if !lines.is_empty() {
        head.push_str(&format!("; {} failed", lines.len()));
    }
    if cancelled > 0 {
        head.push_str(&format!("; {cancelled} cancelled"));
    }
    state.notice = Some(head.clone());
    lines.insert(0, head);
    ws.summary = Some(lines);
}

fn cancel_bulk(state: &mut State) -> Vec<Effect> {
    let Some(bulk) = state.workspace.bulk.as_mut() else {
        state.notice = Some("No bulk fetch or pull is running.".into());
        return Vec::new();
    };
    let queued: Vec<PathBuf> = bulk.queue.drain(..).collect();
    let running: Vec<JobId> = bulk.running.keys().copied().collect();
    for path in queued {
        state.workspace.work.insert(path, RowWork::Cancelled);
    }
    if running.is_empty() {
        finish_bulk(state);
    }
    running.into_iter().map(Effect::Cancel).collect()
}

/// A workspace job's result (a batch of rows, the end of a scan, one clone's bulk work).
pub fn on_output(state: &mut State, id: JobId, output: WorkspaceOutput) -> Vec<Effect> {
    match output {
        WorkspaceOutput::Rows(summaries) => {
            let full_scan = state.workspace.scan == Some(id);
            let row_read = state.workspace.row_reads.contains(&id);
            if !full_scan && !row_read {
                return Vec::new();
            }
            if full_scan && state.workspace.rows_scan != Some(id) {
                state.workspace.rows.clear();
                state.workspace.rows_scan = Some(id);
            }
            let rows: Vec<WorkspaceRow> = summaries
                .into_iter()
                .map(|summary| WorkspaceRow {
                    key: key_of(state, summary.origin_url.as_deref()),
                    summary,
                })
                .collect();
            state.workspace.add(rows);
            Vec::new()
        }
        WorkspaceOutput::Scanned { .. } => {
            let mut effects = Vec::new();
            if state.workspace.scan == Some(id) {
                state.workspace.scan = None;
                if state.workspace.rows_scan != Some(id) {
                    // Nothing found: the old rows go too.
                    state.workspace.rows.clear();
                    state.workspace.rows_scan = Some(id);
                    state.workspace.refresh_view();
                }
                // Each row's branch shows its open pull request, once CodeCommit said.
                effects = super::pulls_update::read_for_workspace(state);
            }
            state.workspace.row_reads.remove(&id);
            effects
        }
        WorkspaceOutput::RemoteDone { repo, message } => {
            let mut effects = bulk_ended(state, id, RowWork::Done(message));
            effects.extend(read_row(state, repo));
            effects
        }
    }
}

/// Reads one clone's row again (after its fetch or pull).
fn read_row(state: &mut State, repo: PathBuf) -> Vec<Effect> {
    let (id, effect) = state.request(JobRequest::ScanWorkspace {
        root: None,
        extra: vec![repo],
    });
    state.workspace.row_reads.insert(id);
    vec![effect]
}

fn bulk_ended(state: &mut State, id: JobId, work: RowWork) -> Vec<Effect> {
    let Some(path) = state
        .workspace
        .bulk
        .as_mut()
        .and_then(|b| b.running.remove(&id))
    else {
        return Vec::new();
    };
    state.workspace.work.insert(path, work);
    next_jobs(state)
}

/// A workspace job failed: the scan says why on the screen; a bulk row records why.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    if state.workspace.scan == Some(id) {
        state.workspace.scan = None;
        if !failure.is_cancelled() {
            state.workspace.error = Some(failure.message);
        }
        return Vec::new();
    }
    if state.workspace.row_reads.remove(&id) {
        return Vec::new();
    }
    let work = if failure.is_cancelled() {
        RowWork::Cancelled
    } else {
        let mut why = failure.message;
        if let Some(hint) = failure.hint {
            why.push_str(&format!(" ({hint})"));
        }
        RowWork::Failed(why)
    };
    bulk_ended(state, id, work)
}
