//! The working tree's part of `update`: opening a clone, status, staging, the diff view, the
//! commit editor, push / fetch / pull and the log. Pure like `update`.

use std::path::PathBuf;

use super::action::Action;
use super::command::CommandId;
use super::effect::{Effect, Foreground, ForegroundPurpose};
use super::overlay::{InputPurpose, Overlay};
use super::state::{OpenRepo, Pane, State};
use super::worktree::{DiffSource, DiffView, Section};
use crate::git::commit::CommitRequest;
use crate::git::diff::{DiffTarget, FileDiff};
use crate::git::message_file::MessageFile;
use crate::jobs::{IndexChange, JobFailure, JobId, JobRequest, RemoteOp, WorktreeOutput};
use crate::model::RepoKey;

fn repo(state: &State) -> Option<PathBuf> {
    state.open_repo.as_ref().map(|r| r.path.clone())
}

/// Opens a clone in the working-tree panes and reads its status and history. `codecommit`
/// is the listed repository it was opened from; otherwise its `origin` URL says (read with
/// the status).
pub fn open(
    state: &mut State,
    name: String,
    path: PathBuf,
    codecommit: Option<RepoKey>,
) -> Vec<Effect> {
    state.open_repo = Some(OpenRepo {
        name,
        path: path.clone(),
        codecommit,
        origin_url: None,
    });
    state.status = Default::default();
    state.log = Default::default();
    state.status.commit_draft = None;
    state.branches = Default::default();
    let remember = JobRequest::RememberClone {
        file: state.recent.file.clone(),
        path: Some(path.clone()),
    };
    let mut effects = vec![Effect::Watch(path), state.spawn(remember)];
    effects.extend(refresh_status(state));
    effects.extend(super::branches_update::refresh(state));
    effects.extend(refresh_log(state));
    effects
}

/// `o` on a cloned repository.
pub fn open_selected(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.repos.selected_row() else {
        return Vec::new();
    };
    match row.clone.clone() {
        Some(path) => {
            let (name, key) = (row.repo.name.clone(), row.key());
            state.focus = Pane::Status;
            open(state, name, path, Some(key))
        }
        None => {
            state.notice = Some(format!(
                "{} has no clone in the workspace yet: press c to clone it.",
                row.repo.name
            ));
            Vec::new()
        }
    }
}

/// The watcher saw files change: read what changed (one read at a time).
pub fn files_changed(state: &mut State, changes: crate::model::Changes) -> Vec<Effect> {
    // Incremental only after a full read: the first read of a clone scans everything.
    if !state.status.full && (state.status.status.is_some() || state.status.changes.is_some()) {
        let pending = state.status.changes.get_or_insert_with(Default::default);
        for path in changes.paths {
            if !pending.paths.contains(&path) {
                pending.paths.push(path);
            }
        }
        pending.overflowed |= changes.overflowed;
    }
    read_status(state)
}

/// Reads the status again in full (latest wins).
pub fn refresh_status(state: &mut State) -> Vec<Effect> {
    state.status.changes = None;
    state.status.full = true;
    read_status(state)
}

fn read_status(state: &mut State) -> Vec<Effect> {
    let Some(repo) = repo(state) else {
        return Vec::new();
    };
    if state.status.loading && state.status.pending.is_some() {
        state.status.dirty = true;
        return Vec::new();
    }
    let changes = state.status.changes.take().filter(|_| !state.status.full);
    state.status.full = false;
    let (id, effect) = state.request(JobRequest::ReadStatus { repo, changes });
    state.status.pending = Some(id);
    state.status.loading = true;
    vec![effect]
}

/// Reads the first page of history again.
pub fn refresh_log(state: &mut State) -> Vec<Effect> {
    let Some(repo) = repo(state) else {
        return Vec::new();
    };
    let (id, effect) = state.request(JobRequest::ReadLog { repo, after: None });
    state.log.pending = Some(id);
    state.log.loading = true;
    vec![effect]
}

/// The next page, when the selection nears the end of what is loaded.
pub fn more_log(state: &mut State) -> Vec<Effect> {
    let (Some(repo), Some(next)) = (repo(state), state.log.next.clone()) else {
        return Vec::new();
    };
    if state.log.loading || state.log.selected + 50 < state.log.commits.len() {
        return Vec::new();
    }
    let (id, effect) = state.request(JobRequest::ReadLog {
        repo,
        after: Some(next),
    });
    state.log.pending = Some(id);
    state.log.loading = true;
    vec![effect]
}

fn index_change(state: &mut State, change: IndexChange) -> Vec<Effect> {
    repo(state)
        .map(|repo| vec![state.spawn(JobRequest::ChangeIndex { repo, change })])
        .unwrap_or_default()
}

/// A status-pane command.
pub fn status_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    if state.open_repo.is_none() {
        state.notice =
            Some("Open a clone first: o on a cloned repository, or cctui -C <path>.".into());
        return Vec::new();
    }
    let selected = state
        .status
        .selected_row()
        .map(|(section, f)| (section, f.path.clone()));
    match id {
        CommandId::StatusRefresh => refresh_status(state),
        CommandId::ToggleStage => match selected {
            Some((Section::Staged, path)) => index_change(state, IndexChange::Unstage(path)),
            Some((_, path)) => index_change(state, IndexChange::Stage(path)),
            None => Vec::new(),
        },
        CommandId::StageAll => index_change(state, IndexChange::StageAll),
        CommandId::UnstageAll => index_change(state, IndexChange::UnstageAll),
        CommandId::Discard => ask_discard(state, selected),
        CommandId::ShowDiff if matches!(selected, Some((Section::Conflicted, _))) => {
            super::branches_update::open_conflicts(state);
            Vec::new()
        }
        CommandId::ShowDiff => match selected {
            Some((section, path)) => open_diff(
                state,
                DiffSource::File {
                    path,
                    target: crate::jobs::worktree_job::target_of(section == Section::Staged),
                },
            ),
            None => Vec::new(),
        },
        CommandId::CommitChanges | CommandId::AmendCommit => {
            open_editor(state, id == CommandId::AmendCommit)
        }
        CommandId::Push => ask_push_branch(state),
        CommandId::ForcePush => ask_force_push(state),
        CommandId::Fetch => remote(state, RemoteOp::Fetch),
        CommandId::Pull => remote(state, RemoteOp::Pull),
        _ => Vec::new(),
    }
}

/// `d`: discarding asks first, and only unstaged changes can go.
fn ask_discard(state: &mut State, selected: Option<(Section, String)>) -> Vec<Effect> {
    match selected {
        Some((Section::Unstaged | Section::Untracked, path)) => {
            state.overlays.push(Overlay::Confirm {
                title: "Discard changes?".into(),
                message: format!(
                    "Throw away the unstaged changes to {path}? cctui keeps them first: z brings them back."
                ),
                on_yes: Box::new(Action::Spawn(Box::new(JobRequest::ChangeIndex {
                    repo: repo(state).unwrap_or_default(),
                    change: IndexChange::Discard(path),
                }))),
            })
        }
        Some(_) => {
            state.notice = Some("Only unstaged changes can be discarded: unstage first.".into())
        }
        None => {}
    }
    Vec::new()
}

/// `c` / `M`: the commit editor, from the draft, the merge message or the last commit's.
fn open_editor(state: &mut State, amend: bool) -> Vec<Effect> {
    let mut editor = state.status.commit_draft.take().unwrap_or_default();
    let empty = |editor: &super::worktree::CommitEditor| editor.lines.iter().all(|l| l.is_empty());
    let merging = state.status.merge_message.clone().filter(|_| !amend);
    if let Some(message) = merging.filter(|_| empty(&editor)) {
        editor.lines = message
            .trim_end()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        editor.row = 0;
        editor.col = editor.lines.first().map(|l| l.chars().count()).unwrap_or(0);
    }
    if amend && empty(&editor) {
        editor.lines = state
            .log
            .commits
            .first()
            .map(|c| c.message.trim_end().lines().map(str::to_string).collect())
            .unwrap_or_default();
        editor.row = editor.lines.len().saturating_sub(1);
        editor.col = editor.lines.last().map(|l| l.chars().count()).unwrap_or(0);
    }
    editor.amend = amend;
    // A draft whose commit is still running keeps waiting (and takes no second submit).
    editor.repo = repo(state);
    state.overlays.push(Overlay::CommitEditor(editor));
    Vec::new()
}

fn current_branch(state: &mut State) -> Option<String> {
    let branch = state
        .status
        .status
        .as_ref()
        .and_then(|s| s.branch.clone())
        .filter(|b| !b.is_empty());
    if branch.is_none() {
        state.notice = Some("HEAD is not on a branch: check out a branch to push.".into());
    }
    branch
}

/// `P`: which branch of origin to push to.
fn ask_push_branch(state: &mut State) -> Vec<Effect> {
    if let Some(branch) = current_branch(state) {
        state.overlays.push(Overlay::Input {
            title: format!("Push {branch} to origin/… (enter: this branch name)"),
            value: branch.clone(),
            masked: false,
            purpose: InputPurpose::PushBranch {
                repo: repo(state).unwrap_or_default(),
                branch,
            },
        });
    }
    Vec::new()
}

/// Force push asks first, saying exactly what it replaces.
fn ask_force_push(state: &mut State) -> Vec<Effect> {
    let Some(branch) = current_branch(state) else {
        return Vec::new();
    };
    let (Some(repo), target) = (repo(state), remote_target(state)) else {
        return Vec::new();
    };
    let op = RemoteOp::Push {
        local_branch: branch.clone(),
        remote_branch: branch.clone(),
        set_upstream: false,
        force_with_lease: true,
    };
    state.overlays.push(Overlay::Confirm {
        title: "Force push?".into(),
        message: format!(
            "Replace origin/{branch} with your {branch}, only if origin/{branch} is still where your last fetch saw it (--force-with-lease). Commits others pushed since are never overwritten; commits only on origin/{branch} that you fetched are."
        ),
        on_yes: Box::new(Action::Spawn(Box::new(remote_request(state, repo, op, target)))),
    });
    Vec::new()
}

/// Where the IAM git password of the open clone's remote comes from: the CodeCommit
/// repository it belongs to (its profile and region), else the session.
fn remote_target(state: &State) -> crate::aws::client::Target {
    match state.open_repo.as_ref().and_then(|r| r.codecommit.as_ref()) {
        Some(key) => super::repos_update::key_target(state, key),
        None => state.session.target(),
    }
}

fn remote(state: &mut State, op: RemoteOp) -> Vec<Effect> {
    let target = remote_target(state);
    repo(state)
        .map(|repo| {
            let request = remote_request(state, repo, op, target);
            vec![state.spawn(request)]
        })
        .unwrap_or_default()
}

/// Enter in the push input: push to the typed branch, setting the upstream when there is none.
/// The push goes to the clone the input was opened for, even if another clone was opened
/// since.
pub fn submit_push(
    state: &mut State,
    repo: PathBuf,
    local_branch: String,
    remote_branch: String,
) -> Vec<Effect> {
    let remote_branch = remote_branch.trim().to_string();
    if remote_branch.is_empty() {
        return Vec::new();
    }
    let still_open = state.open_repo.as_ref().is_some_and(|r| r.path == repo);
    // Without its status at hand (another clone is open), set the upstream: harmless when set.
    let set_upstream = !still_open || state.status.ahead_behind.is_none();
    let target = remote_target(state);
    let op = RemoteOp::Push {
        local_branch,
        remote_branch,
        set_upstream,
        force_with_lease: false,
    };
    let request = remote_request(state, repo, op, target);
    vec![state.spawn(request)]
}

/// A push, fetch or pull, with the git login typed this session for its host, if any.
/// A pull of the open clone, as the status pane's `F` runs it (offered after a pull request
/// merge into its current branch).
pub fn pull_open_clone(state: &State) -> Option<JobRequest> {
    let repo = state.open_repo.as_ref()?.path.clone();
    Some(remote_request(
        state,
        repo,
        RemoteOp::Pull,
        remote_target(state),
    ))
}

fn remote_request(
    state: &State,
    repo: PathBuf,
    op: RemoteOp,
    target: crate::aws::client::Target,
) -> JobRequest {
    let scope = state
        .open_repo
        .as_ref()
        .filter(|r| r.path == repo)
        .and_then(|r| r.origin_url.as_deref())
        .map(super::clone_update::login_scope);
    let login = scope
        .as_deref()
        .and_then(|scope| super::clone_update::login_for(state, scope));
    JobRequest::Remote(Box::new(crate::jobs::RemoteJob {
        repo,
        op,
        target,
        answers: crate::jobs::Answers {
            login_scope: scope.filter(|_| login.is_some()),
            login,
            ..Default::default()
        },
    }))
}

/// Opens the diff view and reads its diff.
pub fn open_diff(state: &mut State, source: DiffSource) -> Vec<Effect> {
    let Some(repo) = repo(state) else {
        return Vec::new();
    };
    let (id, effect) = state.request(JobRequest::ReadDiff {
        repo,
        source: source.clone(),
    });
    state.overlays.push(Overlay::Diff(Box::new(DiffView {
        source,
        files: None,
        request: Some(id),
        scroll: 0,
        hunk: 0,
        error: None,
    })));
    vec![effect]
}

fn reload_diff(state: &mut State) -> Vec<Effect> {
    let Some(repo) = repo(state) else {
        return Vec::new();
    };
    let source = state.overlays.iter().rev().find_map(|o| match o {
        Overlay::Diff(view) => Some(view.source.clone()),
        _ => None,
    });
    let Some(source) = source else {
        return Vec::new();
    };
    let (id, effect) = state.request(JobRequest::ReadDiff { repo, source });
    if let Some(view) = state.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Diff(view) => Some(view),
        _ => None,
    }) {
        view.request = Some(id);
    }
    vec![effect]
}

/// Lines of a diff as drawn (a header line per file and per hunk, then its lines), with the
/// hunk each belongs to; shared by drawing and by hunk navigation.
pub fn diff_rows(files: &[FileDiff]) -> Vec<(Option<usize>, DiffRow<'_>)> {
    let mut rows = Vec::new();
    let mut hunk_index = 0;
    for file in files {
        rows.push((None, DiffRow::File(file)));
        if file.binary || file.too_large.is_some() {
            continue;
        }
        for hunk in &file.hunks {
            rows.push((Some(hunk_index), DiffRow::Hunk(&hunk.header)));
            for line in &hunk.lines {
                rows.push((Some(hunk_index), DiffRow::Line(line)));
            }
            hunk_index += 1;
        }
    }
    rows
}

/// One drawn row of a diff.
#[derive(Debug, Clone, Copy)]
pub enum DiffRow<'a> {
    /// A file header.
    File(&'a FileDiff),
    /// A hunk header.
    Hunk(&'a str),
    /// A line.
    Line(&'a crate::git::diff::DiffLine),
}

/// A command while the diff view is on top.
pub fn diff_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    let Some(Overlay::Diff(view)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    let Some(files) = &view.files else {
        return Vec::new();
    };
    let rows = diff_rows(files);
    let hunks = files
        .iter()
        .filter(|f| !f.binary && f.too_large.is_none())
        .map(|f| f.hunks.len())
        .sum::<usize>();
    let first_row_of = |hunk: usize| rows.iter().position(|(h, _)| *h == Some(hunk)).unwrap_or(0);
    match id {
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            view.scroll = super::update::moved(view.scroll, rows.len(), id, page);
            if let Some(Some(hunk)) = rows.get(view.scroll).map(|(h, _)| *h) {
                view.hunk = hunk;
            }
        }
        CommandId::NextHunk | CommandId::PrevHunk if hunks > 0 => {
            view.hunk = if id == CommandId::NextHunk {
                (view.hunk + 1).min(hunks - 1)
            } else {
                view.hunk.saturating_sub(1)
            };
            view.scroll = first_row_of(view.hunk).saturating_sub(1);
        }
        CommandId::StageHunk | CommandId::UnstageHunk => {
            let DiffSource::File { path, target } = &view.source else {
                state.notice = Some("A commit's diff cannot be staged.".into());
                return Vec::new();
            };
            let Some(hunk) = files.first().and_then(|f| f.hunks.get(view.hunk)) else {
                return Vec::new();
            };
            let change = match (id, target) {
                (CommandId::StageHunk, DiffTarget::Unstaged) => {
                    IndexChange::StageHunk(path.clone(), hunk.id)
                }
                (CommandId::UnstageHunk, DiffTarget::Staged) => {
                    IndexChange::UnstageHunk(path.clone(), hunk.id)
                }
                (CommandId::StageHunk, _) => {
                    state.notice = Some("This hunk is already staged: u unstages it.".into());
                    return Vec::new();
                }
                _ => {
                    state.notice = Some("This hunk is not staged: s stages it.".into());
                    return Vec::new();
                }
            };
            return index_change(state, change);
        }
        _ => {}
    }
    Vec::new()
}

/// A command while the commit editor is on top.
pub fn editor_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let open = repo(state);
    let Some(Overlay::CommitEditor(editor)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    match id {
        CommandId::Up => editor.move_cursor(-1, 0),
        CommandId::Down => editor.move_cursor(1, 0),
        CommandId::OptionPrev => editor.move_cursor(0, -1),
        CommandId::OptionNext => editor.move_cursor(0, 1),
        CommandId::SubmitCommit => {
            let message = editor.message();
            if message.trim().is_empty() {
                state.notice =
                    Some("Write a commit message first: the first line is the summary.".into());
                return Vec::new();
            }
            if editor.pending.is_some() {
                return Vec::new();
            }
            // The clone the editor was opened for, whatever is open now.
            let Some(repo) = editor.repo.clone().or(open) else {
                return Vec::new();
            };
            let request = CommitRequest {
                message,
                amend: editor.amend,
                allow_empty: false,
                no_verify: false,
            };
            return ask_from_editor(state, JobRequest::Commit { repo, request });
        }
        CommandId::EditMessageInEditor => {
            if editor.pending.is_some() {
                return Vec::new();
            }
            let Some(repo) = editor.repo.clone().or(open) else {
                return Vec::new();
            };
            let request = JobRequest::PrepareMessageFile {
                repo,
                draft: editor.message(),
                amend: editor.amend,
            };
            return ask_from_editor(state, request);
        }
        CommandId::Close => {
            // The draft is kept: reopening the editor brings it back.
            if let Some(Overlay::CommitEditor(editor)) = state.overlays.pop() {
                state.status.commit_draft = Some(editor).filter(|e| !e.message().trim().is_empty());
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Sends a request for the commit editor on top, which waits for its answer.
fn ask_from_editor(state: &mut State, request: JobRequest) -> Vec<Effect> {
    let (id, effect) = state.request(request);
    if let Some(Overlay::CommitEditor(editor)) = state.overlays.last_mut() {
        editor.pending = Some(id);
    }
    vec![effect]
}

/// The message file is ready: the editor gets the terminal.
fn run_editor(state: &mut State, id: JobId, repo: PathBuf, file: MessageFile) -> Vec<Effect> {
    let Some(editor) = commit_editor(state, id) else {
        return Vec::new();
    };
    editor.pending = None;
    // As git runs it: through the shell, so `code --wait` or `vim -u NONE` work as typed.
    let path = file.path.display().to_string();
    vec![Effect::RunForeground(Foreground {
        program: "sh".into(),
        args: vec![
            "-c".into(),
            format!("{} \"$@\"", file.editor),
            file.editor.clone(),
            path,
        ],
        purpose: ForegroundPurpose::EditMessage {
            repo,
            path: file.path,
            editor: file.editor,
        },
    })]
}

/// The editor ended: read what it left (an editor that failed commits nothing).
pub fn editor_closed(
    state: &mut State,
    repo: PathBuf,
    path: PathBuf,
    editor: &str,
    outcome: Result<(), String>,
) -> Vec<Effect> {
    let waiting = state.overlays.iter().rposition(|o| {
        matches!(o, Overlay::CommitEditor(e) if e.pending.is_none() && e.repo.as_ref() == Some(&repo))
    });
    let Some(at) = waiting else {
        return Vec::new();
    };
    if let Err(reason) = outcome {
        state.notice = Some(format!(
            "The editor `{editor}` did not finish ({reason}): nothing was committed. Fix \
             core.editor or $EDITOR, or write the message here and press ctrl-s."
        ));
        return Vec::new();
    }
    let (id, effect) = state.request(JobRequest::ReadMessageFile { repo, path });
    if let Some(Overlay::CommitEditor(e)) = state.overlays.get_mut(at) {
        e.pending = Some(id);
    }
    vec![effect]
}

/// What the editor left: the commit is made with it, as `git commit` does; empty aborts.
fn message_edited(state: &mut State, id: JobId, repo: PathBuf, message: String) -> Vec<Effect> {
    let Some(at) = state
        .overlays
        .iter()
        .position(|o| matches!(o, Overlay::CommitEditor(e) if e.pending == Some(id)))
    else {
        return Vec::new();
    };
    if message.trim().is_empty() {
        state.overlays.remove(at);
        state.status.commit_draft = None;
        state.notice = Some("Aborting commit due to empty commit message.".into());
        return Vec::new();
    }
    let Some(Overlay::CommitEditor(editor)) = state.overlays.get_mut(at) else {
        return Vec::new();
    };
    // The editor shows the message while the commit runs (and keeps it if the commit fails).
    editor.lines = message.trim_end().lines().map(str::to_string).collect();
    editor.row = editor.lines.len().saturating_sub(1);
    editor.col = editor.lines.last().map(|l| l.chars().count()).unwrap_or(0);
    let request = CommitRequest {
        message,
        amend: editor.amend,
        allow_empty: false,
        no_verify: false,
    };
    let (commit, effect) = state.request(JobRequest::Commit { repo, request });
    if let Some(Overlay::CommitEditor(editor)) = state.overlays.get_mut(at) {
        editor.pending = Some(commit);
    }
    vec![effect]
}

/// Typing in the commit editor.
pub fn editor_edit(state: &mut State, action: &Action) {
    if let Some(Overlay::CommitEditor(editor)) = state.overlays.last_mut() {
        if editor.pending.is_some() {
            return;
        }
        match action {
            Action::TypeChar(c) => editor.insert(*c),
            Action::Backspace => editor.backspace(),
            _ => {}
        }
    }
}

/// A log-pane command.
pub fn log_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    match id {
        CommandId::ShowCommit => match state.log.commits.get(state.log.selected).cloned() {
            Some(commit) => open_diff(state, DiffSource::Commit(Box::new(commit))),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// A working-tree job's result. Reads count only when they answer the newest request of
/// their pane; changes count only for the clone that is still open.
pub fn on_output(state: &mut State, id: JobId, output: WorktreeOutput) -> Vec<Effect> {
    match output {
        WorktreeOutput::Status {
            status,
            ahead_behind,
            merge_message,
            origin_url,
        } => {
            if state.status.pending != Some(id) {
                return Vec::new();
            }
            apply_status(state, status, ahead_behind, merge_message, origin_url);
            read_again_if_dirty(state)
        }
        WorktreeOutput::LogPage {
            commits,
            next,
            append,
        } => {
            if state.log.pending == Some(id) {
                let log = &mut state.log;
                if append {
                    log.commits.extend(commits);
                } else {
                    log.commits = commits;
                    log.selected = log.selected.min(log.commits.len().saturating_sub(1));
                }
                log.next = next;
                log.loading = false;
                log.error = None;
            }
            Vec::new()
        }
        WorktreeOutput::Diff { files } => {
            if let Some(view) = diff_view(state, id) {
                let hunks: usize = files.iter().map(|f| f.hunks.len()).sum();
                view.hunk = view.hunk.min(hunks.saturating_sub(1));
                view.files = Some(files);
                view.error = None;
            }
            Vec::new()
        }
        WorktreeOutput::IndexChanged { repo } if is_open(state, &repo) => {
            let mut effects = refresh_status(state);
            effects.extend(reload_diff(state));
            effects
        }
        WorktreeOutput::Committed { repo, outcome } => on_committed(state, id, &repo, &outcome),
        WorktreeOutput::MessageFileReady { repo, file } => run_editor(state, id, repo, file),
        WorktreeOutput::MessageEdited { repo, message } => message_edited(state, id, repo, message),
        WorktreeOutput::NeedsIdentity { repo, missing } => {
            if let Some(editor) = commit_editor(state, id) {
                editor.pending = None;
            }
            open_identity_form(state, repo, &missing);
            Vec::new()
        }
        WorktreeOutput::IdentitySet { written, .. } => {
            let backup = written
                .backup
                .map(|b| format!(" (the old file is kept as {})", b.display()))
                .unwrap_or_default();
            state.notice = Some(format!(
                "Wrote user.name and user.email to {}{backup}. ctrl-s in the editor commits.",
                written.file.display()
            ));
            Vec::new()
        }
        WorktreeOutput::RemoteNeeds { job, url, need } => {
            // Asked whichever clone is open now: the answer retries it for its own clone.
            super::clone_update::ask(state, crate::jobs::Retry::Remote(job), &url, need);
            Vec::new()
        }
        WorktreeOutput::RemoteDone {
            repo,
            message,
            pushed,
        } => {
            state.notice = Some(message);
            let mut effects = refresh_all(state, &repo, true);
            if let Some(branch) = pushed {
                effects.extend(super::pulls_update::after_push(state, &repo, branch));
            }
            effects
        }
        WorktreeOutput::Recent(list) => {
            state.recent.list = list;
            Vec::new()
        }
        WorktreeOutput::IndexChanged { .. } => Vec::new(),
    }
}

/// A commit found no identity: a small form for name, email and where to write them; the
/// commit editor stays below with its message.
fn open_identity_form(state: &mut State, repo: PathBuf, missing: &str) {
    let field = |label, value: String, help| super::overlay::FormField {
        label,
        value,
        error: None,
        help,
    };
    let mut form = super::overlay::Form {
        kind: super::overlay::FormKind::GitIdentity { repo },
        title: format!("Git needs your identity ({missing} not set)"),
        fields: vec![
            field("Name", String::new(), "user.name: how commits name you"),
            field(
                "Email",
                String::new(),
                "user.email: the address commits carry",
            ),
            field(
                "Write to",
                "global".into(),
                "global: ~/.gitconfig (backed up first) · clone: only this clone's .git/config",
            ),
        ],
        focus: 0,
        pending: None,
    };
    validate_identity(&mut form);
    state.overlays.push(Overlay::Form(form));
}

/// Live checks of the identity form.
pub fn validate_identity(form: &mut super::overlay::Form) {
    let value = |i: usize| form.fields[i].value.trim().to_string();
    let (name, email, scope) = (value(0), value(1), value(2).to_lowercase());
    // git refuses `<`, `>` and line breaks in identities: better said here than after writing.
    let unusable = |text: &str| text.contains(['<', '>', '\n', '\r']);
    form.fields[0].error = if name.is_empty() {
        Some("Type your name.".to_string())
    } else if unusable(&name) {
        Some("A name cannot contain < or >.".to_string())
    } else {
        None
    };
    form.fields[1].error =
        (!email.contains('@') || email.contains(char::is_whitespace) || unusable(&email))
            .then(|| "Type an email address (without < >).".to_string());
    form.fields[2].error = (!matches!(scope.as_str(), "global" | "clone"))
        .then(|| "Type global or clone.".to_string());
}

/// Enter in the identity form: show the exact lines and where they go, and ask.
pub fn confirm_identity(state: &mut State, repo: PathBuf) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = state.overlays.pop() else {
        return Vec::new();
    };
    let value = |i: usize| form.fields[i].value.trim().to_string();
    let (name, email) = (value(0), value(1));
    let global = value(2).eq_ignore_ascii_case("global");
    let (scope, place) = if global {
        (
            crate::git::IdentityScope::Global,
            "your global git configuration (~/.gitconfig; the current file is copied first)",
        )
    } else {
        (
            crate::git::IdentityScope::Repository,
            "this clone's .git/config",
        )
    };
    state.overlays.push(Overlay::Confirm {
        title: "Write the git identity?".into(),
        message: format!(
            "Set in {place}, replacing any user.name and user.email there:\n\n[user]\n\tname = {name}\n\temail = {email}\n"
        ),
        on_yes: Box::new(Action::Spawn(Box::new(JobRequest::SetIdentity {
            repo,
            scope,
            name,
            email,
        }))),
    });
    Vec::new()
}

/// After a status read: one more if files changed while it ran.
fn read_again_if_dirty(state: &mut State) -> Vec<Effect> {
    if std::mem::take(&mut state.status.dirty) {
        read_status(state)
    } else {
        Vec::new()
    }
}

fn is_open(state: &State, repo: &std::path::Path) -> bool {
    state.open_repo.as_ref().is_some_and(|r| r.path == repo)
}

/// Status, log and branches again, when `repo` is still the open clone; CodeCommit's
/// branches only after talking to the server (`remote`: push, fetch, pull).
fn refresh_all(state: &mut State, repo: &std::path::Path, remote: bool) -> Vec<Effect> {
    if !is_open(state, repo) {
        return Vec::new();
    }
    let mut effects = refresh_status(state);
    effects.extend(refresh_log(state));
    effects.extend(if remote {
        super::branches_update::refresh(state)
    } else {
        super::branches_update::refresh_local(state)
    });
    effects
}

fn apply_status(
    state: &mut State,
    status: crate::git::status::Status,
    ahead_behind: Option<(usize, usize)>,
    merge_message: Option<String>,
    origin_url: Option<String>,
) {
    // The conflict panel closes once no merge is in progress (committed, aborted).
    if status.state != crate::git::status::RepoState::Merge && status.conflicted.is_empty() {
        state
            .overlays
            .retain(|o| !matches!(o, Overlay::Conflicts { .. }));
    }
    state.status.apply(status);
    state.status.ahead_behind = ahead_behind;
    state.status.merge_message = merge_message;
    let profile = state.session.profile.clone();
    let region = state.session.region.clone();
    if let Some(open) = state.open_repo.as_mut() {
        if open.codecommit.is_none() {
            open.codecommit = origin_url
                .as_deref()
                .and_then(|url| RepoKey::of_remote(url, profile, region));
        }
        open.origin_url = origin_url;
    }
}

/// The diff view waiting for read `id`, wherever it is on the stack.
fn diff_view(state: &mut State, id: JobId) -> Option<&mut DiffView> {
    state.overlays.iter_mut().find_map(|o| match o {
        Overlay::Diff(view) if view.request == Some(id) => Some(view.as_mut()),
        _ => None,
    })
}

/// The commit editor waiting for commit `id`, wherever it is on the stack.
fn commit_editor(state: &mut State, id: JobId) -> Option<&mut super::worktree::CommitEditor> {
    state.overlays.iter_mut().find_map(|o| match o {
        Overlay::CommitEditor(editor) if editor.pending == Some(id) => Some(editor),
        _ => None,
    })
}

fn on_committed(
    state: &mut State,
    id: JobId,
    repo: &std::path::Path,
    outcome: &crate::git::commit::CommitOutcome,
) -> Vec<Effect> {
    // The editor that sent this commit closes, even under another overlay; the draft it
    // came from is spent.
    state
        .overlays
        .retain(|o| !matches!(o, Overlay::CommitEditor(editor) if editor.pending == Some(id)));
    if is_open(state, repo) {
        state.status.commit_draft = None;
    }
    state.notice = Some(format!(
        "Committed {}: {}",
        outcome.id.get(..8).unwrap_or(&outcome.id),
        outcome.summary
    ));
    refresh_all(state, repo, false)
}

/// A working-tree job failed or was cancelled: a read's error goes to its pane (when it is
/// still the newest read), a change's to an overlay, and the commit editor that sent it —
/// and only that one — takes typing again, with its text.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    let cancelled = failure.is_cancelled();
    if state.status.pending == Some(id) {
        state.status.loading = false;
        state.status.error = (!cancelled).then_some(failure.message);
        return read_again_if_dirty(state);
    } else if state.log.pending == Some(id) {
        state.log.loading = false;
        state.log.error = (!cancelled).then_some(failure.message);
    } else if let Some(view) = diff_view(state, id) {
        view.error = Some(failure.message);
    } else {
        let had_editor = commit_editor(state, id)
            .map(|editor| editor.pending = None)
            .is_some();
        // A draft closed while its commit ran can be sent again.
        if let Some(draft) = state.status.commit_draft.as_mut()
            && draft.pending == Some(id)
        {
            draft.pending = None;
        }
        let is_change = state.jobs.iter().any(|j| j.id == id && j.writes);
        if !cancelled && (had_editor || is_change) {
            state.overlays.push(Overlay::Error {
                message: failure.message,
                hint: failure.hint,
            });
        }
    }
    Vec::new()
}
