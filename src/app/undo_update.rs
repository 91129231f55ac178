//! `z` (undo the last change cctui made in the open clone, after asking what it will do), `Z`
//! (the list of recent changes; enter undoes the selected one when it is the newest), and the
//! undo jobs' results. The undo itself is a job under the clone's write lock
//! ([`crate::jobs::JobRequest::Undo`]); a refusal comes back as its failure, with what is in
//! the way.

use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::global::moved;
use super::overlay::Overlay;
use super::state::State;
use super::undo::UndoRead;
use crate::git::undo_log::UndoEntry;
use crate::jobs::{JobFailure, JobId, JobRequest, UndoOutput};

fn open_repo(state: &mut State) -> Option<std::path::PathBuf> {
    let path = state.open_repo.as_ref().map(|r| r.path.clone());
    if path.is_none() {
        state.notice = Some("Open a clone first: undo takes back what cctui changed in it.".into());
    }
    path
}

fn read(state: &mut State, repo: std::path::PathBuf, why: UndoRead) -> Vec<Effect> {
    if state.undo.repo.as_ref() != Some(&repo) {
        state.undo.entries.clear();
        state.undo.selected = 0;
    }
    state.undo.repo = Some(repo.clone());
    state.undo.error = None;
    let (id, effect) = state.request(JobRequest::ReadUndoLog { repo });
    state.undo.pending = Some((id, why));
    vec![effect]
}

/// `z`: reads the log, then asks about its newest change.
pub fn undo_last(state: &mut State) -> Vec<Effect> {
    match open_repo(state) {
        Some(repo) => read(state, repo, UndoRead::Ask),
        None => Vec::new(),
    }
}

/// `Z`: the list of recent changes of the open clone.
pub fn open_list(state: &mut State) -> Vec<Effect> {
    let Some(repo) = open_repo(state) else {
        return Vec::new();
    };
    state.overlays.push(Overlay::UndoList);
    read(state, repo, UndoRead::List)
}

/// Keys of the list overlay.
pub fn list_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    if id != CommandId::Accept {
        state.undo.selected = moved(state.undo.selected, state.undo.entries.len(), id, page);
        return Vec::new();
    }
    let Some(entry) = state.undo.entries.get(state.undo.selected).cloned() else {
        return Vec::new();
    };
    if entry.undone {
        state.notice = Some(format!("Already undone: {}", entry.change.describe()));
        return Vec::new();
    }
    match state.undo.newest_undoable() {
        Some(newest) if newest.id == entry.id => {
            ask(state, &entry);
        }
        Some(newest) => {
            let newest = newest.change.describe();
            state.overlays.push(Overlay::Error {
                message: format!(
                    "\"{}\" cannot be undone yet: a newer change comes first ({newest}).",
                    entry.change.describe()
                ),
                hint: Some("Changes are undone newest first: undo that one first.".into()),
            });
        }
        None => {}
    }
    Vec::new()
}

/// Asks before undoing `entry`, saying what it will do.
fn ask(state: &mut State, entry: &UndoEntry) {
    let Some(repo) = state.undo.repo.clone() else {
        return;
    };
    state.overlays.push(Overlay::Confirm {
        title: format!("Undo {}?", entry.change.describe()),
        message: format!(
            "This will {}.\n\nIt refuses, changing nothing, if work made since is in the way.",
            entry.change.undo_words()
        ),
        on_yes: Box::new(Action::Spawn(Box::new(JobRequest::Undo {
            repo,
            id: Some(entry.id),
        }))),
    });
}

/// An undo job's result.
pub fn on_output(state: &mut State, id: JobId, output: UndoOutput) -> Vec<Effect> {
    match output {
        UndoOutput::Log { repo, entries } => {
            let Some((pending, why)) = state.undo.pending else {
                return Vec::new();
            };
            if pending != id || state.undo.repo.as_ref() != Some(&repo) {
                return Vec::new();
            }
            state.undo.pending = None;
            state.undo.entries = entries;
            state.undo.selected = state
                .undo
                .selected
                .min(state.undo.entries.len().saturating_sub(1));
            if why == UndoRead::Ask {
                match state.undo.newest_undoable().cloned() {
                    Some(entry) => ask(state, &entry),
                    None => {
                        state.notice =
                            Some("Nothing to undo: cctui has changed nothing here yet.".into())
                    }
                }
            }
            Vec::new()
        }
        UndoOutput::Undone { repo, message } => {
            state.notice = Some(message);
            let open = state.open_repo.as_ref().is_some_and(|r| r.path == repo);
            if !open {
                return Vec::new();
            }
            let mut effects = super::worktree_update::refresh_status(state);
            effects.extend(super::worktree_update::refresh_log(state));
            effects.extend(super::branches_update::refresh_local(state));
            if state
                .overlays
                .iter()
                .any(|o| matches!(o, Overlay::UndoList))
            {
                effects.extend(read(state, repo, UndoRead::List));
            }
            effects
        }
    }
}

/// An undo job failed (a refusal says what is in the way) or the log could not be read.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    if failure.is_cancelled() {
        return Vec::new();
    }
    if state.undo.pending.is_some_and(|(pending, _)| pending == id) {
        state.undo.pending = None;
        state.undo.error = Some(failure.message.clone());
    }
    state.overlays.push(Overlay::Error {
        message: failure.message,
        hint: failure.hint,
    });
    Vec::new()
}
