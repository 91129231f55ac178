//! The branches pane's part of `update`: reading branches, switch / create / rename / delete /
//! merge, stashes, CodeCommit's branches and default branch, and the conflict panel. Pure.

use super::action::Action;
use super::branches::BranchRow;
use super::command::CommandId;
use super::effect::Effect;
use super::overlay::{Form, FormField, FormKind, InputPurpose, Overlay};
use super::state::State;
use crate::git::branch::{StartPoint, validate_branch_name};
use crate::git::merge::Resolution;
use crate::jobs::{
    BranchNeed, BranchOp, BranchesOutput, JobFailure, JobId, JobRequest, ServerBranchOp,
};

/// The CodeCommit repository of the open clone: the one it was opened from, or the one its
/// `origin` URL names — never a listed repository that merely shares its directory's name.
fn server_of(state: &State) -> Option<(crate::aws::client::Target, String)> {
    let key = state.open_repo.as_ref()?.codecommit.as_ref()?;
    Some((
        super::repos_update::key_target(state, key),
        key.name.clone(),
    ))
}

/// Reads the branches again (latest wins).
pub fn refresh(state: &mut State) -> Vec<Effect> {
    read(state, true)
}

/// Reads the local branches and stashes again, keeping CodeCommit's list as it is: after a
/// local change (a commit, a merge, a switch) the server's branches have not moved, and
/// listing them costs a request per branch.
pub fn refresh_local(state: &mut State) -> Vec<Effect> {
    read(state, false)
}

fn read(state: &mut State, with_server: bool) -> Vec<Effect> {
    let Some(repo) = state.open_repo.as_ref().map(|r| r.path.clone()) else {
        return Vec::new();
    };
    let server = server_of(state).filter(|_| with_server || state.branches.server.is_none());
    let open_requests = server
        .clone()
        .map(|(target, name)| super::pulls_update::read_by_branch(state, target, name));
    let (id, effect) = state.request(JobRequest::ReadBranches { repo, server });
    state.branches.pending = Some(id);
    state.branches.loading = true;
    let mut effects = vec![effect];
    effects.extend(open_requests.into_iter().flatten());
    effects
}

fn op(state: &mut State, op: BranchOp) -> Vec<Effect> {
    op_request(state, op)
        .map(|(_, e)| vec![e])
        .unwrap_or_default()
}

fn op_request(state: &mut State, op: BranchOp) -> Option<(JobId, Effect)> {
    let repo = state.open_repo.as_ref()?.path.clone();
    Some(state.request(JobRequest::Branch { repo, op }))
}

fn server_op(state: &mut State, op: ServerBranchOp) -> Vec<Effect> {
    match server_of(state) {
        Some((target, repository)) => vec![state.spawn(JobRequest::ServerBranch {
            target,
            repository,
            op,
        })],
        None => {
            state.notice =
                Some("This clone's origin is not a CodeCommit repository cctui knows.".into());
            Vec::new()
        }
    }
}

fn confirm(state: &mut State, title: &str, message: String, action: Action) {
    state.overlays.push(Overlay::Confirm {
        title: title.into(),
        message,
        on_yes: Box::new(action),
    });
}

fn spawn_action(state: &State, branch_op: BranchOp) -> Action {
    let repo = state
        .open_repo
        .as_ref()
        .map(|r| r.path.clone())
        .unwrap_or_default();
    Action::Spawn(Box::new(JobRequest::Branch {
        repo,
        op: branch_op,
    }))
}

/// The selected row as (group, name): a stash's name is its index.
type Selected = Option<(&'static str, String)>;

/// A branches-pane command.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    if state.open_repo.is_none() {
        state.notice =
            Some("Open a clone first: o on a cloned repository, or cctui -C <path>.".into());
        return Vec::new();
    }
    let current = state.branches.current().map(|b| b.name.clone());
    let selected: Selected = state.branches.selected_row().map(|row| match row {
        BranchRow::Local(b) => (row.group(), b.name.clone()),
        BranchRow::Remote(b) => (row.group(), b.name.clone()),
        BranchRow::Server(b) => (row.group(), b.name.clone()),
        BranchRow::Stash(s) => (row.group(), s.index.to_string()),
    });
    let is_current = |name: &str| current.as_deref() == Some(name);
    match (id, selected) {
        (CommandId::BranchesRefresh, _) => refresh(state),
        (CommandId::SwitchBranch, selected) => switch(state, selected, &current),
        (CommandId::NewBranch, selected) => open_new_branch(state, selected),
        (CommandId::RenameBranch, Some(("Local", name))) => open_rename(state, name),
        (CommandId::MergeBranch, Some(("Local" | "Remote-tracking", name))) => {
            if is_current(&name) {
                state.notice = Some("Select another branch to merge into this one.".into());
                return Vec::new();
            }
            op(state, BranchOp::Merge(name))
        }
        (CommandId::MergeBranch, Some(("On CodeCommit", name))) => {
            op(state, BranchOp::Merge(format!("origin/{name}")))
        }
        (CommandId::DeleteBranch, Some(("Local", name))) if is_current(&name) => {
            state.notice = Some("Switch to another branch before deleting this one.".into());
            Vec::new()
        }
        (CommandId::DeleteBranch, Some(selected)) => ask_delete(state, selected),
        (CommandId::SetDefaultBranch, Some(("Local" | "On CodeCommit", name))) => {
            server_op(state, ServerBranchOp::SetDefault(name))
        }
        (CommandId::StashSave, _) => {
            state.overlays.push(Overlay::Input {
                title: "Stash message (optional; untracked files are included)".into(),
                value: String::new(),
                masked: false,
                purpose: InputPurpose::StashMessage,
            });
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Enter: switch to the branch (a CodeCommit one through its remote-tracking branch), or
/// pop the stash.
fn switch(state: &mut State, selected: Selected, current: &Option<String>) -> Vec<Effect> {
    match selected {
        Some(("Stashes", index)) => {
            let index: usize = index.parse().unwrap_or(0);
            op(state, BranchOp::StashPop(index))
        }
        Some(("On CodeCommit", name)) => {
            let local = state.branches.local.iter().any(|b| b.name == name);
            let target = if local {
                name
            } else {
                format!("origin/{name}")
            };
            op(state, BranchOp::Switch(target))
        }
        Some((_, name)) if current.as_ref() == Some(&name) => {
            state.notice = Some(format!("Already on {name}"));
            Vec::new()
        }
        Some((_, name)) => op(state, BranchOp::Switch(name)),
        None => Vec::new(),
    }
}

fn open_new_branch(state: &mut State, selected: Selected) -> Vec<Effect> {
    let (start, from) = match selected {
        Some(("Local" | "Remote-tracking", name)) => (StartPoint::Branch(name.clone()), name),
        Some(("On CodeCommit", name)) => (
            StartPoint::Branch(format!("origin/{name}")),
            format!("origin/{name}"),
        ),
        _ => (StartPoint::Head, "HEAD".to_string()),
    };
    open_form(
        state,
        FormKind::CreateBranch {
            start,
            from: from.clone(),
        },
        format!("New branch from {from}"),
        vec![
            field(
                "Name",
                String::new(),
                "git ref rules; ≤ 256 characters; not 40 hex digits",
            ),
            field(
                "CodeCommit",
                "no".into(),
                "yes: also create it on CodeCommit (CreateBranch)",
            ),
        ],
    );
    Vec::new()
}

fn open_rename(state: &mut State, name: String) -> Vec<Effect> {
    open_form(
        state,
        FormKind::RenameBranch { old: name.clone() },
        format!("Rename {name}"),
        vec![field(
            "New name",
            name,
            "git ref rules; ≤ 256 characters; not 40 hex digits",
        )],
    );
    Vec::new()
}

/// `D`: every delete asks first — a local branch, a branch on CodeCommit, a stash.
fn ask_delete(state: &mut State, (group, name): (&'static str, String)) -> Vec<Effect> {
    match group {
        "Local" => {
            let action = spawn_action(
                state,
                BranchOp::Delete {
                    name: name.clone(),
                    force: false,
                },
            );
            confirm(
                state,
                "Delete branch?",
                format!("Delete the local branch {name}?"),
                action,
            );
        }
        "Stashes" => {
            let index: usize = name.parse().unwrap_or(0);
            let action = spawn_action(state, BranchOp::StashDrop(index));
            confirm(
                state,
                "Drop stash?",
                format!("Drop stash@{{{index}}}? Its changes are lost."),
                action,
            );
        }
        _ => ask_delete_on_server(state, &name),
    }
    Vec::new()
}

fn ask_delete_on_server(state: &mut State, name: &str) {
    let name = name.strip_prefix("origin/").unwrap_or(name).to_string();
    let Some((target, repository)) = server_of(state) else {
        state.notice =
            Some("This clone's origin is not a CodeCommit repository cctui knows.".into());
        return;
    };
    let request = JobRequest::ServerBranch {
        target,
        repository: repository.clone(),
        op: ServerBranchOp::Delete(name.clone()),
    };
    confirm(
        state,
        "Delete branch on CodeCommit?",
        format!(
            "Delete {name} on CodeCommit ({repository}) for everyone? Commits only on it are lost on the server."
        ),
        Action::Spawn(Box::new(request)),
    );
}

fn field(label: &'static str, value: String, help: &'static str) -> FormField {
    FormField {
        label,
        value,
        error: None,
        help,
    }
}

fn open_form(state: &mut State, kind: FormKind, title: String, fields: Vec<FormField>) {
    let mut form = Form {
        kind,
        title,
        fields,
        focus: 0,
        pending: None,
    };
    validate(&mut form, state);
    state.overlays.push(Overlay::Form(form));
}

/// Live validation of the branch forms.
pub fn validate(form: &mut Form, state: &State) {
    let exists = |name: &str| state.branches.local.iter().any(|b| b.name == name);
    let check = |name: &str| {
        validate_branch_name(name).err().or_else(|| {
            exists(name).then(|| format!("A local branch named {name} already exists."))
        })
    };
    match &form.kind {
        FormKind::CreateBranch { .. } => {
            form.fields[0].error = check(form.fields[0].value.trim());
            let answer = form.fields[1].value.trim().to_lowercase();
            form.fields[1].error = (!matches!(answer.as_str(), "" | "y" | "yes" | "n" | "no"))
                .then(|| "Answer yes or no.".to_string());
        }
        FormKind::RenameBranch { old } => {
            let name = form.fields[0].value.trim().to_string();
            form.fields[0].error = if &name == old {
                Some("Type a different name.".into())
            } else {
                check(&name)
            };
        }
        _ => {}
    }
}

/// Enter in a branch form: the form records the local operation it sent and waits for it.
pub fn submit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        return Vec::new();
    };
    let name = form.fields[0].value.trim().to_string();
    let on_server = form
        .fields
        .get(1)
        .map(|f| f.value.trim().to_lowercase().starts_with('y'));
    let (request, extra) = match form.kind.clone() {
        FormKind::CreateBranch { start, .. } => {
            let extra = if on_server == Some(true) {
                server_create(state, &name, &start)
            } else {
                Vec::new()
            };
            let op = BranchOp::Create {
                name,
                start,
                checkout: true,
            };
            (op_request(state, op), extra)
        }
        FormKind::RenameBranch { old } => (
            op_request(state, BranchOp::Rename { old, new: name }),
            Vec::new(),
        ),
        _ => (None, Vec::new()),
    };
    let Some((id, effect)) = request else {
        state.overlays.pop();
        return extra;
    };
    if let Some(Overlay::Form(form)) = state.overlays.last_mut() {
        form.pending = Some(id);
    }
    let mut effects = vec![effect];
    effects.extend(extra);
    effects
}

/// The same branch on CodeCommit, from the commit the local one starts at.
fn server_create(state: &mut State, name: &str, start: &StartPoint) -> Vec<Effect> {
    let branches = &state.branches;
    let commit = match start {
        StartPoint::Head => branches.current().map(|b| b.last_commit.id.clone()),
        StartPoint::Branch(branch) => branches
            .local
            .iter()
            .find(|b| &b.name == branch)
            .map(|b| b.last_commit.id.clone())
            .or_else(|| {
                branches
                    .remote
                    .iter()
                    .find(|b| &b.name == branch)
                    .map(|b| b.last_commit.id.clone())
            }),
        StartPoint::Commit(id) => Some(id.clone()),
    };
    match commit {
        Some(commit) => server_op(
            state,
            ServerBranchOp::Create {
                name: name.to_string(),
                commit,
            },
        ),
        None => {
            state.notice =
                Some("Could not tell which commit to create the branch from on CodeCommit.".into());
            Vec::new()
        }
    }
}

/// Enter in the stash message input.
pub fn submit_stash(state: &mut State, message: String) -> Vec<Effect> {
    let message = Some(message.trim().to_string()).filter(|m| !m.is_empty());
    op(state, BranchOp::StashSave(message))
}

/// The conflict panel's commands.
pub fn conflicts_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let files: Vec<String> = state
        .status
        .status
        .as_ref()
        .map(|s| s.conflicted.iter().map(|f| f.path.clone()).collect())
        .unwrap_or_default();
    let Some(Overlay::Conflicts { selected }) = state.overlays.last_mut() else {
        return Vec::new();
    };
    *selected = (*selected).min(files.len().saturating_sub(1));
    let path = files.get(*selected).cloned();
    match id {
        CommandId::Up | CommandId::Down => {
            *selected = super::update::moved(*selected, files.len(), id, 1);
            Vec::new()
        }
        CommandId::TakeOurs
        | CommandId::TakeTheirs
        | CommandId::TakeBoth
        | CommandId::MarkResolved => {
            let resolution = match id {
                CommandId::TakeOurs => Resolution::Ours,
                CommandId::TakeTheirs => Resolution::Theirs,
                CommandId::TakeBoth => Resolution::Both,
                _ => Resolution::AsIs,
            };
            path.map(|path| op(state, BranchOp::Resolve(path, resolution)))
                .unwrap_or_default()
        }
        CommandId::AbortMerge => {
            let action = spawn_action(state, BranchOp::AbortMerge);
            confirm(
                state,
                "Abort the merge?",
                "Put HEAD, the index and every file back exactly as they were before the merge? Resolutions made so far are lost.".into(),
                action,
            );
            Vec::new()
        }
        CommandId::CommitMerge => {
            if !files.is_empty() {
                state.notice = Some(format!(
                    "{} file(s) still conflicted: resolve them first.",
                    files.len()
                ));
                return Vec::new();
            }
            state.overlays.pop();
            super::worktree_update::status_command(state, CommandId::CommitChanges)
        }
        _ => Vec::new(),
    }
}

/// Opens the conflict panel.
pub fn open_conflicts(state: &mut State) {
    if !matches!(state.overlays.last(), Some(Overlay::Conflicts { .. })) {
        state.overlays.push(Overlay::Conflicts { selected: 0 });
    }
}

/// A branch job's result: reads count when they answer the newest read; an operation's end
/// closes the form that sent it and refreshes the clone it changed, if still open.
pub fn on_output(state: &mut State, id: JobId, output: BranchesOutput) -> Vec<Effect> {
    match output {
        BranchesOutput::Branches {
            local,
            remote,
            stashes,
        } => {
            if state.branches.pending == Some(id) {
                let pane = &mut state.branches;
                pane.local = local;
                pane.remote = remote;
                pane.stashes = stashes;
                pane.loading = false;
                pane.error = None;
                pane.selected = pane.selected.min(pane.rows().len().saturating_sub(1));
            }
            Vec::new()
        }
        BranchesOutput::ServerBranches { branches } => {
            if state.branches.pending == Some(id) {
                match branches {
                    Ok(list) => {
                        state.branches.server = Some(list);
                        state.branches.server_error = None;
                    }
                    Err(error) => state.branches.server_error = Some(error),
                }
            }
            Vec::new()
        }
        BranchesOutput::Done {
            repo,
            message,
            conflicts,
        } => on_done(state, id, repo, message, conflicts),
        BranchesOutput::Needs { repo, need } => {
            if is_open(state, &repo) {
                on_need(state, need);
            }
            Vec::new()
        }
    }
}

fn is_open(state: &State, repo: &std::path::Path) -> bool {
    state.open_repo.as_ref().is_some_and(|r| r.path == repo)
}

fn on_done(
    state: &mut State,
    id: JobId,
    repo: Option<std::path::PathBuf>,
    message: String,
    conflicts: Vec<String>,
) -> Vec<Effect> {
    close_form(state, id);
    state.notice = Some(message);
    // A CodeCommit-only change (repo None) concerns the open clone's server branches.
    if repo.as_deref().is_some_and(|repo| !is_open(state, repo)) {
        return Vec::new();
    }
    if !conflicts.is_empty() {
        open_conflicts(state);
    }
    // A CodeCommit operation changed the server's list; a local one did not.
    let mut effects = if repo.is_none() {
        refresh(state)
    } else {
        refresh_local(state)
    };
    effects.extend(super::worktree_update::refresh_status(state));
    effects.extend(super::worktree_update::refresh_log(state));
    effects
}

fn close_form(state: &mut State, id: JobId) {
    state
        .overlays
        .retain(|o| !matches!(o, Overlay::Form(form) if form.pending == Some(id)));
}

fn on_need(state: &mut State, need: BranchNeed) {
    match need {
        BranchNeed::StashFirst { branch, files } => {
            let action = spawn_action(state, BranchOp::StashAndSwitch(branch.clone()));
            let list = if files.is_empty() {
                "some files".to_string()
            } else {
                files.join(", ")
            };
            confirm(
                state,
                "Local changes in the way",
                format!(
                    "Switching to {branch} would overwrite your changes to {list}. Stash them (untracked files too) and switch?"
                ),
                action,
            );
        }
        BranchNeed::ForceDelete(name) => {
            let action = spawn_action(
                state,
                BranchOp::Delete {
                    name: name.clone(),
                    force: true,
                },
            );
            confirm(
                state,
                "Branch not merged",
                format!(
                    "{name} has commits that are on no other branch. Delete it anyway? Those commits are lost."
                ),
                action,
            );
        }
    }
}

/// A branch job failed or was cancelled: a read's error goes to the pane when it is the
/// newest read; an operation's error reopens the form that sent it, and is shown.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    let cancelled = failure.is_cancelled();
    if state.branches.pending == Some(id) {
        state.branches.loading = false;
        state.branches.error = (!cancelled).then_some(failure.message);
        return Vec::new();
    }
    let owner = state.overlays.iter_mut().find_map(|o| match o {
        Overlay::Form(form) if form.pending == Some(id) => Some(form),
        _ => None,
    });
    let had_owner = owner.map(|form| form.pending = None).is_some();
    let is_change = state.jobs.iter().any(|j| j.id == id && j.writes);
    if !cancelled && (had_owner || is_change) {
        state.overlays.push(Overlay::Error {
            message: failure.message,
            hint: failure.hint,
        });
    }
    Vec::new()
}
