//! The pull requests area: the list (`v`; one repository's or, with `A`, the account's, rows
//! as they arrive), filters, the request view (overview and files, comments threaded at
//! their lines), comments and approvals, the merge dialog (strategy after GetMergeOptions,
//! conflicts per file with the source's or the destination's version), close and reopen,
//! and new requests (from the open clone's branch, offered after a push). Every result goes
//! to the part that asked, by request id; `--readonly` refuses the mutating commands before
//! they get here (see `update::run_command`).

use std::collections::BTreeMap;

use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::global::moved;
use super::overlay::Overlay;
use super::pulls::{
    Compose, ComposePurpose, MergeDialog, PullView, RowKind, Scope, StatusFilter, ViewTab,
};
use super::state::State;
use super::text_area::TextArea;
use crate::aws::client::Target;
use crate::aws::pulls::{
    Anchor, ListStatus, MergeRequest, MergeStrategy, NewPullRequest, PullRequest, PullStatus,
    Resolution,
};
use crate::jobs::pulls_job::{PullsOutput, PullsRequest};
use crate::jobs::{JobFailure, JobId, JobRequest, ServerBranchOp};

/// The reaction `+` gives.
pub const THUMBS_UP: &str = "👍";

fn error(state: &mut State, message: impl Into<String>, hint: Option<&str>) -> Vec<Effect> {
    state.overlays.push(Overlay::Error {
        message: message.into(),
        hint: hint.map(str::to_string),
    });
    Vec::new()
}

/// `v`: the requests of the open clone's repository when a working-tree pane has focus, else
/// of the repository selected in the list; the account's when neither is known.
pub fn open(state: &mut State) -> Vec<Effect> {
    use super::state::Pane;
    let clone_repo = state
        .open_repo
        .as_ref()
        .and_then(|r| r.codecommit.clone())
        .filter(|_| state.focus != Pane::Repositories);
    let selected = state.repos.selected_row().map(|row| row.key());
    let (target, scope) = match clone_repo.or(selected) {
        Some(key) => (
            super::repos_update::key_target(state, &key),
            Scope::Repository(key.name),
        ),
        None => match account_repositories(state) {
            Some(names) => (state.session.target(), Scope::Account(names)),
            None => {
                let hint = if state.repos.setup.as_ref().is_some_and(|r| !r.complete()) {
                    "AWS is not set up here yet: the repositories pane says what is missing \
                     (or press d there for the demo), then press v on a repository."
                } else {
                    "List the repositories (r on the repositories pane) or open a clone of a \
                     CodeCommit repository, then press v."
                };
                return error(state, "No repository to show pull requests of.", Some(hint));
            }
        },
    };
    show(state, target, scope)
}

/// The screen for `scope`, listing afresh.
fn show(state: &mut State, target: Target, scope: Scope) -> Vec<Effect> {
    state
        .overlays
        .retain(|o| !matches!(o, Overlay::Pulls | Overlay::PullView));
    state.overlays.push(Overlay::Pulls);
    state.pulls.view = None;
    state.pulls.target = target;
    state.pulls.scope = scope;
    state.pulls.selected = 0;
    state.pulls.message = None;
    state.pulls.me = state.access.identity.as_ref().map(|i| i.arn.clone());
    let mut effects = list(state);
    effects.extend(super::access_update::identity_if_unknown(state));
    effects
}

/// Names of the repositories the list shows for this session's account and region.
fn account_repositories(state: &State) -> Option<Vec<String>> {
    let mut names: Vec<String> = state
        .repos
        .rows
        .iter()
        .map(|row| row.repo.name.clone())
        .collect();
    names.sort();
    names.dedup();
    (!names.is_empty()).then_some(names)
}

fn repositories(scope: &Scope) -> Vec<String> {
    match scope {
        Scope::None => Vec::new(),
        Scope::Repository(name) => vec![name.clone()],
        Scope::Account(names) => names.clone(),
    }
}

/// Lists again (latest wins: rows of an older listing are dropped).
pub fn list(state: &mut State) -> Vec<Effect> {
    let status = match state.pulls.filters.status {
        StatusFilter::Open => ListStatus::Open,
        StatusFilter::Closed | StatusFilter::Merged => ListStatus::Closed,
    };
    let mut effects: Vec<Effect> = state
        .pulls
        .listing
        .take()
        .map(Effect::Cancel)
        .into_iter()
        .collect();
    let (id, effect) = state.request(JobRequest::Pulls(PullsRequest::List {
        target: state.pulls.target.clone(),
        repositories: repositories(&state.pulls.scope),
        status,
        author: None,
    }));
    effects.push(effect);
    let pulls = &mut state.pulls;
    pulls.listing = Some(id);
    pulls.listed = false;
    pulls.rows.clear();
    pulls.reviews.clear();
    pulls.failures.clear();
    pulls.error = None;
    pulls.selected = 0;
    effects
}

/// The caller's ARN, as STS last said (it arrives after the screen opens, and changes with a
/// profile or, in the demo, with the user).
fn sync_me(state: &mut State) {
    if let Some(identity) = &state.access.identity {
        state.pulls.me = Some(identity.arn.clone());
    }
}

/// The demo's `ctrl-b`: act as its next user (alice opens requests, bob reviews them, carol
/// may not push to `master`).
pub fn switch_demo_user(state: &mut State) -> Vec<Effect> {
    if !state.session.demo {
        return error(
            state,
            "Only the demo has a second user to switch to.",
            Some("With AWS, switch the profile (p) to act as someone else."),
        );
    }
    // The demo's users (the header names them once STS answers).
    const USERS: [&str; 3] = ["alice", "bob", "carol (master protected)"];
    let user = (state.session.demo_user + 1) % USERS.len();
    state.session.demo_user = user;
    super::access_update::forget(state);
    state.pulls.me = None;
    // What IAM said belongs to the previous user.
    state.permissions.decisions = None;
    state.permissions.request = None;
    let message = format!(
        "Demo: acting as {} now (ctrl-b: the next user)",
        USERS[user]
    );
    state.notice = Some(message.clone());
    state.pulls.message = Some(message);
    let mut effects = vec![Effect::UseDemoUser(user)];
    effects.extend(super::access_update::identity_if_unknown(state));
    if state.pulls.view.is_some() {
        effects.extend(reload_view(state));
    }
    effects
}

/// A command while the list is on top.
pub fn list_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    sync_me(state);
    let page = state.page_rows();
    match id {
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            let len = state.pulls.visible().len();
            state.pulls.selected = moved(state.pulls.selected, len, id, page);
            Vec::new()
        }
        CommandId::PullsStatus => {
            let was = state.pulls.filters.status;
            state.pulls.filters.status = was.next();
            // Closed and merged come from the same CLOSED listing.
            if was == StatusFilter::Open || state.pulls.filters.status == StatusFilter::Open {
                list(state)
            } else {
                state.pulls.selected = 0;
                Vec::new()
            }
        }
        CommandId::PullsMine | CommandId::PullsWaiting => {
            if state.pulls.me.is_none() {
                state.pulls.me = state.access.identity.as_ref().map(|i| i.arn.clone());
            }
            if state.pulls.me.is_none() {
                state.pulls.message =
                    Some("Who you are is not known yet (STS has not answered).".into());
                return super::access_update::identity_if_unknown(state);
            }
            let filters = &mut state.pulls.filters;
            if id == CommandId::PullsMine {
                filters.mine = !filters.mine;
            } else {
                filters.waiting = !filters.waiting;
            }
            state.pulls.selected = 0;
            Vec::new()
        }
        CommandId::PullsAll => match &state.pulls.scope {
            Scope::Account(_) => open(state),
            _ => match account_repositories(state) {
                Some(names) => {
                    let target = state.session.target();
                    show(state, target, Scope::Account(names))
                }
                None => error(
                    state,
                    "The repositories of the account are not listed yet.",
                    Some("List them on the repositories pane (r), then press A here."),
                ),
            },
        },
        CommandId::PullsRefresh => list(state),
        CommandId::PullsOpen => match state.pulls.selected_row() {
            Some(row) => {
                let id = row.pr.id.clone();
                open_view(state, id)
            }
            None => Vec::new(),
        },
        CommandId::PullsNew => compose_new(state),
        _ => Vec::new(),
    }
}

/// Opens request `id` above the list and reads it.
pub fn open_view(state: &mut State, id: String) -> Vec<Effect> {
    state.overlays.retain(|o| !matches!(o, Overlay::PullView));
    state.overlays.push(Overlay::PullView);
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::Open {
        target: state.pulls.target.clone(),
        id: id.clone(),
    }));
    state.pulls.view = Some(PullView::new(id, job));
    vec![effect]
}

/// Reads the open request again, keeping the tab, file and cursor.
fn reload_view(state: &mut State) -> Vec<Effect> {
    let Some(id) = state.pulls.view.as_ref().map(|v| v.id.clone()) else {
        return Vec::new();
    };
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::Open {
        target: state.pulls.target.clone(),
        id,
    }));
    if let Some(view) = &mut state.pulls.view {
        view.request = Some(job);
        view.diffs.clear();
        view.diff_requests.clear();
    }
    vec![effect]
}

/// Reads the selected file's diff unless it is read or being read.
fn read_diff(state: &mut State) -> Vec<Effect> {
    let Some(view) = &state.pulls.view else {
        return Vec::new();
    };
    let (Some(detail), ViewTab::Files) = (&view.detail, view.tab) else {
        return Vec::new();
    };
    let Some(file) = detail.files.get(view.file).cloned() else {
        return Vec::new();
    };
    if view.diffs.contains_key(&file.path) || view.diff_requests.contains_key(&file.path) {
        return Vec::new();
    }
    let repository = detail.pr.repository.clone();
    let path = file.path.clone();
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::FileDiff {
        target: state.pulls.target.clone(),
        repository,
        file: Box::new(file),
    }));
    if let Some(view) = &mut state.pulls.view {
        view.diff_requests.insert(path, job);
    }
    vec![effect]
}

/// The open request as last read.
fn shown(state: &State) -> Option<&PullRequest> {
    state
        .pulls
        .view
        .as_ref()
        .and_then(|v| v.detail.as_ref())
        .map(|d| &d.pr)
}

/// A command while the request view is on top.
pub fn view_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    sync_me(state);
    let page = state.page_rows();
    let Some(view) = &mut state.pulls.view else {
        return Vec::new();
    };
    match id {
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            let len = view.rows().len();
            view.cursor = moved(view.cursor, len, id, page);
            Vec::new()
        }
        CommandId::PullNextTab => {
            view.tab = match view.tab {
                ViewTab::Overview => ViewTab::Files,
                ViewTab::Files => ViewTab::Overview,
            };
            view.cursor = 0;
            read_diff(state)
        }
        CommandId::PullNextFile | CommandId::PullPrevFile => {
            let files = view.detail.as_ref().map(|d| d.files.len()).unwrap_or(0);
            if files == 0 {
                return Vec::new();
            }
            view.tab = ViewTab::Files;
            view.file = if id == CommandId::PullNextFile {
                (view.file + 1) % files
            } else {
                (view.file + files - 1) % files
            };
            view.cursor = 0;
            read_diff(state)
        }
        CommandId::PullRefresh => reload_view(state),
        CommandId::PullComment => comment(state),
        CommandId::PullReply | CommandId::PullEdit | CommandId::PullDeleteComment => {
            comment_command(state, id)
        }
        CommandId::PullReact => react(state),
        CommandId::PullApprove => approve(state),
        CommandId::PullMerge => merge_dialog(state),
        CommandId::PullClose => close_or_reopen(state),
        _ => Vec::new(),
    }
}

/// A change is in flight: one at a time, so a double key press does not post twice.
fn busy(state: &mut State) -> bool {
    let pending = state
        .pulls
        .view
        .as_ref()
        .is_some_and(|v| v.pending.is_some());
    if pending {
        state.pulls.message = Some("Waiting for the last change to be answered…".into());
    }
    pending
}

fn compose(state: &mut State, title: String, text: &str, purpose: ComposePurpose) -> Vec<Effect> {
    state.overlays.push(Overlay::Compose(Box::new(Compose {
        title,
        text: TextArea::with_text(text),
        purpose,
        pending: None,
        error: None,
        in_editor: None,
    })));
    Vec::new()
}

/// `c`: a comment on the diff line under the cursor (files tab; on the file when the cursor
/// is on none), or on the request (overview).
fn comment(state: &mut State) -> Vec<Effect> {
    let Some(view) = &state.pulls.view else {
        return Vec::new();
    };
    if view.detail.is_none() {
        return Vec::new();
    }
    let at = match view.tab {
        ViewTab::Overview => Anchor::Request,
        ViewTab::Files => match view.row().map(|r| r.kind) {
            Some(RowKind::Diff { at, .. } | RowKind::Comment { at, .. }) => at,
            _ => match view.file_path() {
                Some(path) => Anchor::File(path.to_string()),
                None => Anchor::Request,
            },
        },
    };
    let place = match &at {
        Anchor::Request => "the request".to_string(),
        Anchor::File(path) => path.clone(),
        Anchor::Line { path, line, side } => format!(
            "{path} line {line}{}",
            if *side == crate::aws::pulls::Side::Before {
                " (before)"
            } else {
                ""
            }
        ),
    };
    let id = view.id.clone();
    compose(
        state,
        format!("Comment on {place} (ctrl-s sends, esc cancels)"),
        "",
        ComposePurpose::Comment { id, at },
    )
}

/// `r`, `e`, `D` on the comment under the cursor.
fn comment_command(state: &mut State, command: CommandId) -> Vec<Effect> {
    let Some(view) = &state.pulls.view else {
        return Vec::new();
    };
    let Some(comment) = view.row().and_then(|r| r.comment().cloned()) else {
        state.pulls.message = Some("Move the cursor onto a comment first.".into());
        return Vec::new();
    };
    let id = view.id.clone();
    let mine = state.pulls.me.as_deref() == Some(comment.author.as_str());
    match command {
        CommandId::PullReply => compose(
            state,
            format!(
                "Reply to {} (ctrl-s sends, esc cancels)",
                super::pulls::who(&comment.author)
            ),
            "",
            ComposePurpose::Reply {
                id,
                comment: comment.id,
            },
        ),
        _ if comment.deleted => {
            state.pulls.message = Some("That comment is deleted.".into());
            Vec::new()
        }
        _ if !mine => {
            state.pulls.message = Some("Only its author can change a comment.".into());
            Vec::new()
        }
        CommandId::PullEdit => compose(
            state,
            "Edit your comment (ctrl-s sends, esc cancels)".into(),
            &comment.content,
            ComposePurpose::Edit {
                id,
                comment: comment.id,
            },
        ),
        _ => {
            let request = JobRequest::Pulls(PullsRequest::DeleteComment {
                target: state.pulls.target.clone(),
                id,
                comment: comment.id,
            });
            state.overlays.push(Overlay::Confirm {
                title: "Delete your comment?".into(),
                message: format!(
                    "Delete \"{}\"? Its replies stay; the comment shows as deleted.",
                    comment.content.lines().next().unwrap_or_default()
                ),
                on_yes: Box::new(Action::PullChange(Box::new(request))),
            });
            Vec::new()
        }
    }
}

/// Starts a change of the open request; the view waits for its answer.
pub fn change(state: &mut State, request: JobRequest) -> Vec<Effect> {
    if busy(state) {
        return Vec::new();
    }
    let (job, effect) = state.request(request);
    if let Some(view) = &mut state.pulls.view {
        view.pending = Some(job);
    }
    vec![effect]
}

fn react(state: &mut State) -> Vec<Effect> {
    let Some(view) = &state.pulls.view else {
        return Vec::new();
    };
    let Some(comment) = view.row().and_then(|r| r.comment().cloned()) else {
        state.pulls.message = Some("Move the cursor onto a comment first.".into());
        return Vec::new();
    };
    let request = JobRequest::Pulls(PullsRequest::React {
        target: state.pulls.target.clone(),
        id: view.id.clone(),
        comment: comment.id,
        reaction: THUMBS_UP.into(),
    });
    change(state, request)
}

/// `a`: approve, or revoke the caller's approval.
fn approve(state: &mut State) -> Vec<Effect> {
    let Some(detail) = state.pulls.view.as_ref().and_then(|v| v.detail.as_ref()) else {
        return Vec::new();
    };
    if detail.pr.status != PullStatus::Open {
        state.pulls.message = Some("Only an open request can be approved.".into());
        return Vec::new();
    }
    let me = state.pulls.me.clone();
    if me.as_deref() == Some(detail.pr.author.as_str()) {
        state.pulls.message =
            Some("You opened this request: CodeCommit lets only others approve it.".into());
        return Vec::new();
    }
    let approved = me
        .as_deref()
        .is_some_and(|me| detail.review.approved_by(me));
    let request = JobRequest::Pulls(PullsRequest::Approve {
        target: state.pulls.target.clone(),
        pr: Box::new(detail.pr.clone()),
        approve: !approved,
    });
    change(state, request)
}

/// `x`: close an open request, reopen a closed one (asks first).
fn close_or_reopen(state: &mut State) -> Vec<Effect> {
    let Some(pr) = shown(state).cloned() else {
        return Vec::new();
    };
    let open = match pr.status {
        PullStatus::Open => false,
        PullStatus::Closed => true,
        PullStatus::Merged => {
            state.pulls.message = Some("A merged request cannot be reopened.".into());
            return Vec::new();
        }
    };
    let request = JobRequest::Pulls(PullsRequest::SetOpen {
        target: state.pulls.target.clone(),
        id: pr.id.clone(),
        open,
    });
    state.overlays.push(Overlay::Confirm {
        title: if open {
            format!("Reopen #{}?", pr.id)
        } else {
            format!("Close #{}?", pr.id)
        },
        message: if open {
            format!("Reopen \"{}\" for review.", pr.title)
        } else {
            format!(
                "Close \"{}\" without merging? It can be reopened later (x again).",
                pr.title
            )
        },
        on_yes: Box::new(Action::PullChange(Box::new(request))),
    });
    Vec::new()
}

/// `m`: the merge dialog, with the strategies GetMergeOptions found clean.
fn merge_dialog(state: &mut State) -> Vec<Effect> {
    let Some(detail) = state.pulls.view.as_ref().and_then(|v| v.detail.as_ref()) else {
        return Vec::new();
    };
    if detail.pr.status != PullStatus::Open {
        state.pulls.message = Some(format!(
            "#{} is {}: only an open request can be merged.",
            detail.pr.id,
            detail.pr.status.label()
        ));
        return Vec::new();
    }
    let clean = detail.review.merge_options.clone();
    let strategy = [
        MergeStrategy::Squash,
        MergeStrategy::FastForward,
        MergeStrategy::ThreeWay,
    ]
    .into_iter()
    .find(|s| clean.contains(s))
    .unwrap_or(MergeStrategy::Squash);
    let dialog = MergeDialog {
        pr: detail.pr.clone(),
        clean,
        strategy,
        conflicts: None,
        conflicts_request: None,
        resolutions: Default::default(),
        selected: 0,
        pending: None,
        text_request: None,
        error: None,
        approved: detail.review.approved,
    };
    state.overlays.push(Overlay::PullMerge(Box::new(dialog)));
    read_conflicts(state)
}

/// Reads the conflicts of the dialog's strategy when it does not merge cleanly.
fn read_conflicts(state: &mut State) -> Vec<Effect> {
    let target = state.pulls.target.clone();
    let Some(Overlay::PullMerge(dialog)) = state.overlays.last() else {
        return Vec::new();
    };
    if dialog.clean.contains(&dialog.strategy) || dialog.strategy == MergeStrategy::FastForward {
        return Vec::new();
    }
    let request = JobRequest::Pulls(PullsRequest::Conflicts {
        target,
        pr: Box::new(dialog.pr.clone()),
        strategy: dialog.strategy,
    });
    let (job, effect) = state.request(request);
    if let Some(Overlay::PullMerge(dialog)) = state.overlays.last_mut() {
        dialog.conflicts_request = Some(job);
    }
    vec![effect]
}

/// A command while the merge dialog is on top.
pub fn merge_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    let Some(Overlay::PullMerge(dialog)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    if id == CommandId::Close {
        // A merge already sent still lands; its answer finds nobody waiting and says so in
        // the list and the footer.
        state.overlays.pop();
        return Vec::new();
    }
    if dialog.pending.is_some() {
        return Vec::new();
    }
    match id {
        CommandId::OptionPrev | CommandId::OptionNext | CommandId::NextField => {
            let all = MergeStrategy::ALL;
            let at = all.iter().position(|s| *s == dialog.strategy).unwrap_or(0);
            let next = if id == CommandId::OptionPrev {
                (at + all.len() - 1) % all.len()
            } else {
                (at + 1) % all.len()
            };
            dialog.strategy = all[next];
            dialog.conflicts = None;
            dialog.conflicts_request = None;
            dialog.resolutions.clear();
            dialog.selected = 0;
            read_conflicts(state)
        }
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            let len = dialog.conflicts.as_ref().map(Vec::len).unwrap_or(0);
            dialog.selected = moved(dialog.selected, len, id, page);
            Vec::new()
        }
        CommandId::TakeOurs | CommandId::TakeTheirs => {
            if let Some(conflict) = dialog
                .conflicts
                .as_ref()
                .and_then(|c| c.get(dialog.selected))
            {
                let how = if id == CommandId::TakeTheirs {
                    Resolution::Source
                } else {
                    Resolution::Destination
                };
                dialog.resolutions.insert(conflict.path.clone(), how);
                let len = dialog.conflicts.as_ref().map(Vec::len).unwrap_or(0);
                dialog.selected = (dialog.selected + 1).min(len.saturating_sub(1));
            }
            Vec::new()
        }
        CommandId::EditResolution => {
            let Some(conflict) = dialog
                .conflicts
                .as_ref()
                .and_then(|c| c.get(dialog.selected))
                .cloned()
            else {
                return Vec::new();
            };
            if conflict.binary {
                dialog.error = Some(format!(
                    "{} is binary: take the source's (t) or the destination's (o) version.",
                    conflict.path
                ));
                return Vec::new();
            }
            let request = JobRequest::Pulls(PullsRequest::ConflictText {
                target: state.pulls.target.clone(),
                pr: Box::new(dialog.pr.clone()),
                path: conflict.path,
            });
            let (job, effect) = state.request(request);
            if let Some(Overlay::PullMerge(dialog)) = state.overlays.last_mut() {
                dialog.text_request = Some(job);
                dialog.error = None;
            }
            vec![effect]
        }
        CommandId::Accept => {
            if !dialog.ready() {
                dialog.error = Some(match (&dialog.conflicts, dialog.strategy) {
                    (_, MergeStrategy::FastForward) => {
                        "The destination moved on: a fast-forward is not possible. Choose squash \
                         or three-way (←/→)."
                            .into()
                    }
                    (None, _) => "Still reading the conflicts…".into(),
                    (Some(_), _) => {
                        "Resolve every conflicting file first: t takes the source's version, o \
                         the destination's."
                            .into()
                    }
                });
                return Vec::new();
            }
            let resolutions = if dialog.clean.contains(&dialog.strategy) {
                Vec::new()
            } else {
                dialog
                    .resolutions
                    .iter()
                    .map(|(p, r)| (p.clone(), r.clone()))
                    .collect()
            };
            let merge = MergeRequest {
                id: dialog.pr.id.clone(),
                repository: dialog.pr.repository.clone(),
                source_commit: dialog.pr.source_commit.clone(),
                strategy: dialog.strategy,
                message: None,
                // CodeCommit's default: the caller (the app knows no better git identity).
                author: None,
                resolutions,
            };
            let target = state.pulls.target.clone();
            let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::Merge {
                target,
                merge: Box::new(merge),
            }));
            if let Some(Overlay::PullMerge(dialog)) = state.overlays.last_mut() {
                dialog.pending = Some(job);
                dialog.error = None;
            }
            vec![effect]
        }
        _ => Vec::new(),
    }
}

/// The branch a new request starts from and the repository it goes to: the open clone's.
fn new_request_parts(state: &State) -> Result<(Target, String, String, String), String> {
    let Some(open) = &state.open_repo else {
        return Err("Open a clone first (o on a repository, or O): a new pull request starts from its current branch.".into());
    };
    let Some(key) = &open.codecommit else {
        return Err(format!(
            "{} is not a clone of a CodeCommit repository (its origin is elsewhere).",
            open.name
        ));
    };
    let Some(branch) = state.status.status.as_ref().and_then(|s| s.branch.clone()) else {
        return Err("The clone is on no branch (detached HEAD): switch to a branch first.".into());
    };
    let destination = default_branch(state, &key.name).unwrap_or_else(|| "main".to_string());
    if branch == destination {
        return Err(format!(
            "{branch} is the default branch: create a branch (n on the branches pane), commit, push it, then open a request from it."
        ));
    }
    Ok((
        super::repos_update::key_target(state, key),
        key.name.clone(),
        branch,
        destination,
    ))
}

/// The repository's default branch, as the repositories pane or the branches pane know it.
fn default_branch(state: &State, repository: &str) -> Option<String> {
    state
        .repos
        .rows
        .iter()
        .find(|r| r.repo.name == repository)
        .and_then(|r| r.repo.default_branch.clone())
        .or_else(|| {
            state
                .branches
                .server
                .iter()
                .flatten()
                .find(|b| b.default)
                .map(|b| b.name.clone())
        })
}

/// `n` (or yes to the offer after a push): drafts a title and description from the branch's
/// commits, then opens the editor.
pub fn compose_new(state: &mut State) -> Vec<Effect> {
    let (target, repository, source, destination) = match new_request_parts(state) {
        Ok(parts) => parts,
        Err(message) => return error(state, message, None),
    };
    let Some(repo) = state.open_repo.as_ref().map(|r| r.path.clone()) else {
        return Vec::new();
    };
    let purpose = ComposePurpose::Create {
        target,
        repository: repository.clone(),
        source: source.clone(),
        destination: destination.clone(),
    };
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::Draft {
        repo,
        source: source.clone(),
        destination: destination.clone(),
    }));
    state.overlays.push(Overlay::Compose(Box::new(Compose {
        title: format!(
            "New pull request {source} → {destination}: first line title, then description"
        ),
        text: TextArea::default(),
        purpose,
        pending: Some(job),
        error: None,
        in_editor: None,
    })));
    vec![effect]
}

/// A command while the text editor is on top.
pub fn compose_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let target = state.pulls.target.clone();
    // The file for $EDITOR goes in the open clone's .git (as COMMIT_EDITMSG does).
    let open_clone_git_dir = state.open_repo.as_ref().map(|r| r.path.join(".git"));
    let view_pr = shown(state).cloned();
    let Some(Overlay::Compose(compose)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    match id {
        CommandId::Up => compose.text.move_cursor(-1, 0),
        CommandId::Down => compose.text.move_cursor(1, 0),
        CommandId::OptionPrev => compose.text.move_cursor(0, -1),
        CommandId::OptionNext => compose.text.move_cursor(0, 1),
        CommandId::Close => {
            state.overlays.pop();
        }
        CommandId::EditMessageInEditor => {
            if compose.pending.is_some() {
                return Vec::new();
            }
            let dir = open_clone_git_dir;
            let what = compose.title.clone();
            let request = JobRequest::Pulls(PullsRequest::PrepareText {
                dir,
                draft: compose.text.message(),
                what,
            });
            let (job, effect) = state.request(request);
            if let Some(Overlay::Compose(compose)) = state.overlays.last_mut() {
                compose.pending = Some(job);
            }
            return vec![effect];
        }
        CommandId::SubmitCommit => {
            if compose.pending.is_some() {
                return Vec::new();
            }
            if compose.text.is_blank() {
                compose.error = Some("Write something first (esc cancels).".into());
                return Vec::new();
            }
            let text = compose.text.message().trim_end().to_string();
            if let ComposePurpose::Resolve { id, path } = &compose.purpose {
                if text.lines().any(|l| {
                    l.starts_with("<<<<<<<") || l.starts_with("=======") || l.starts_with(">>>>>>>")
                }) {
                    compose.error = Some(
                        "Conflict markers are still in the text: keep what should stay, remove                          the <<<<<<< ======= >>>>>>> lines."
                            .into(),
                    );
                    return Vec::new();
                }
                let (id, path) = (id.clone(), path.clone());
                state.overlays.pop();
                if let Some(dialog) = state.overlays.iter_mut().rev().find_map(|o| match o {
                    Overlay::PullMerge(d) if d.pr.id == id => Some(d),
                    _ => None,
                }) {
                    dialog
                        .resolutions
                        .insert(path, Resolution::Content(format!("{text}\n").into_bytes()));
                }
                return Vec::new();
            }
            let request = match &compose.purpose {
                ComposePurpose::Comment { at, .. } => match view_pr {
                    Some(pr) => PullsRequest::Comment {
                        target,
                        pr: Box::new(pr),
                        at: at.clone(),
                        content: text,
                    },
                    None => return Vec::new(),
                },
                ComposePurpose::Reply { id, comment } => PullsRequest::Reply {
                    target,
                    id: id.clone(),
                    in_reply_to: comment.clone(),
                    content: text,
                },
                ComposePurpose::Edit { id, comment } => PullsRequest::EditComment {
                    target,
                    id: id.clone(),
                    comment: comment.clone(),
                    content: text,
                },
                ComposePurpose::Resolve { .. } => return Vec::new(),
                ComposePurpose::Create {
                    target,
                    repository,
                    source,
                    destination,
                } => {
                    let (title, description) = match text.split_once('\n') {
                        Some((title, rest)) => (title.trim().to_string(), rest.trim().to_string()),
                        None => (text.trim().to_string(), String::new()),
                    };
                    if title.chars().count() > 150 {
                        compose.error = Some(format!(
                            "The title (first line) has {} characters; CodeCommit takes at most 150.",
                            title.chars().count()
                        ));
                        return Vec::new();
                    }
                    PullsRequest::Create {
                        target: target.clone(),
                        new: Box::new(NewPullRequest {
                            repository: repository.clone(),
                            source: source.clone(),
                            destination: destination.clone(),
                            title,
                            description,
                        }),
                    }
                }
            };
            let (job, effect) = state.request(JobRequest::Pulls(request));
            if let Some(Overlay::Compose(compose)) = state.overlays.last_mut() {
                compose.pending = Some(job);
                compose.error = None;
            }
            return vec![effect];
        }
        _ => {}
    }
    Vec::new()
}

/// Typing into the text editor (not while it waits for an answer).
pub fn compose_edit(state: &mut State, action: &Action) {
    if let Some(Overlay::Compose(compose)) = state.overlays.last_mut() {
        if compose.pending.is_some() {
            return;
        }
        match action {
            Action::TypeChar(c) => compose.text.insert(*c),
            Action::Backspace => compose.text.backspace(),
            _ => {}
        }
    }
}

/// The user's editor ended: read back what it left into the text editor that sent it there.
pub fn editor_closed(
    state: &mut State,
    path: std::path::PathBuf,
    editor: &str,
    outcome: Result<(), String>,
) -> Vec<Effect> {
    let Some(at) = state
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Compose(c) if c.in_editor.as_ref() == Some(&path)))
    else {
        return Vec::new();
    };
    if let Err(reason) = outcome {
        if let Some(Overlay::Compose(compose)) = state.overlays.get_mut(at) {
            compose.in_editor = None;
            compose.error = Some(format!(
                "The editor `{editor}` did not finish ({reason}): the text here is unchanged. Fix \
                 core.editor or $EDITOR, or write it here."
            ));
        }
        return Vec::new();
    }
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::ReadText { path }));
    if let Some(Overlay::Compose(compose)) = state.overlays.get_mut(at) {
        compose.in_editor = None;
        compose.pending = Some(job);
    }
    vec![effect]
}

/// After a push of `branch` from a clone of a CodeCommit repository: looks for an open request
/// from it, to offer one when there is none.
pub fn after_push(state: &mut State, repo: &std::path::Path, branch: String) -> Vec<Effect> {
    let Some(open) = state.open_repo.as_ref().filter(|r| r.path == repo) else {
        return Vec::new();
    };
    let Some(key) = open.codecommit.clone() else {
        return Vec::new();
    };
    if state.session.readonly || default_branch(state, &key.name).as_deref() == Some(&branch) {
        return Vec::new();
    }
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::List {
        target: super::repos_update::key_target(state, &key),
        repositories: vec![key.name],
        status: ListStatus::Open,
        author: None,
    }));
    state.pulls.offer_check = Some((job, branch));
    vec![effect]
}

/// The open requests of the open clone's repository, for the branches pane to show beside
/// their source branches (a quiet read; latest wins).
pub fn read_by_branch(state: &mut State, target: Target, repository: String) -> Vec<Effect> {
    let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::List {
        target,
        repositories: vec![repository],
        status: ListStatus::Open,
        author: None,
    }));
    state.pulls.by_branch_request = Some(job);
    state.pulls.by_branch.clear();
    vec![effect]
}

/// The open requests of the repositories the workspace's clones belong to, one listing per
/// profile and region (quiet reads): each row then shows the request of its branch.
pub fn read_for_workspace(state: &mut State) -> Vec<Effect> {
    let mut by_target: BTreeMap<(Option<String>, String), Vec<String>> = BTreeMap::new();
    for row in &state.workspace.rows {
        if let Some(key) = &row.key {
            let names = by_target
                .entry((key.profile.clone(), key.region.clone()))
                .or_default();
            if !names.contains(&key.name) {
                names.push(key.name.clone());
            }
        }
    }
    state.pulls.in_workspace.clear();
    let mut effects: Vec<Effect> = std::mem::take(&mut state.pulls.workspace_reads)
        .into_keys()
        .map(Effect::Cancel)
        .collect();
    for ((profile, region), names) in by_target {
        let key = crate::model::RepoKey::new(profile.clone(), region.clone(), "");
        let target = super::repos_update::key_target(state, &key);
        let (job, effect) = state.request(JobRequest::Pulls(PullsRequest::List {
            target,
            repositories: names,
            status: ListStatus::Open,
            author: None,
        }));
        state.pulls.workspace_reads.insert(job, (profile, region));
        effects.push(effect);
    }
    effects
}

fn compose_waiting(state: &mut State, job: JobId) -> Option<&mut Compose> {
    state.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Compose(c) if c.pending == Some(job) => Some(&mut **c),
        _ => None,
    })
}

fn merge_waiting(state: &mut State, job: JobId) -> Option<&mut MergeDialog> {
    state.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::PullMerge(d)
            if d.pending == Some(job)
                || d.conflicts_request == Some(job)
                || d.text_request == Some(job) =>
        {
            Some(&mut **d)
        }
        _ => None,
    })
}

fn drop_overlay_waiting(state: &mut State, job: JobId) {
    state.overlays.retain(|o| match o {
        Overlay::Compose(c) => c.pending != Some(job),
        Overlay::PullMerge(d) => d.pending != Some(job),
        _ => true,
    });
}

/// A result of the area's jobs, to whoever asked.
pub fn on_output(state: &mut State, job: JobId, output: PullsOutput) -> Vec<Effect> {
    match output {
        PullsOutput::Rows(rows) => {
            if let Some((profile, region)) = state.pulls.workspace_reads.get(&job).cloned() {
                for pr in rows {
                    state.pulls.in_workspace.insert(
                        (profile.clone(), region.clone(), pr.repository, pr.source),
                        pr.id,
                    );
                }
                return Vec::new();
            }
            if state.pulls.by_branch_request == Some(job) {
                for pr in rows {
                    state.pulls.by_branch.insert(pr.source, pr.id);
                }
                return Vec::new();
            }
            if let Some((check, branch)) = &state.pulls.offer_check
                && *check == job
            {
                if rows.iter().any(|pr| &pr.source == branch) {
                    state.pulls.offer_check = None;
                }
                return Vec::new();
            }
            if state.pulls.listing != Some(job) {
                return Vec::new();
            }
            let mut effects = Vec::new();
            for pr in rows {
                if pr.status == PullStatus::Open && !state.pulls.reviews.contains_key(&pr.id) {
                    let (review, effect) = state.request(JobRequest::Pulls(PullsRequest::Review {
                        target: state.pulls.target.clone(),
                        pr: Box::new(pr.clone()),
                    }));
                    state.pulls.reviews.insert(pr.id.clone(), review);
                    effects.push(effect);
                }
                state.pulls.upsert(pr);
            }
            effects
        }
        PullsOutput::RepositoryFailed {
            repository,
            message,
        } => {
            if state.pulls.listing == Some(job) {
                state.pulls.failures.push((repository, message));
            }
            Vec::new()
        }
        PullsOutput::Listed { .. } => {
            if state.pulls.workspace_reads.remove(&job).is_some() {
                return Vec::new();
            }
            if state.pulls.by_branch_request == Some(job) {
                state.pulls.by_branch_request = None;
                return Vec::new();
            }
            if let Some((check, branch)) = state.pulls.offer_check.clone()
                && check == job
            {
                state.pulls.offer_check = None;
                return offer_new(state, branch);
            }
            if state.pulls.listing == Some(job) {
                state.pulls.listing = None;
                state.pulls.listed = true;
            }
            Vec::new()
        }
        PullsOutput::Reviewed { id, review } => {
            if state.pulls.reviews.get(&id) == Some(&job)
                && let Some(row) = state.pulls.rows.iter_mut().find(|r| r.pr.id == id)
            {
                row.review = Some(review);
            }
            Vec::new()
        }
        PullsOutput::Opened(detail) => {
            let Some(view) = state.pulls.view.as_mut().filter(|v| v.request == Some(job)) else {
                return Vec::new();
            };
            view.request = None;
            view.error = None;
            view.file = view.file.min(detail.files.len().saturating_sub(1));
            let pr = detail.pr.clone();
            let review = detail.review.clone();
            view.detail = Some(*detail);
            let len = view.rows().len();
            view.cursor = view.cursor.min(len.saturating_sub(1));
            let id = pr.id.clone();
            state.pulls.upsert(pr);
            if let Some(row) = state.pulls.rows.iter_mut().find(|r| r.pr.id == id) {
                row.review = Some(review);
            }
            read_diff(state)
        }
        PullsOutput::FileDiff { path, diff } => {
            if let Some(view) = &mut state.pulls.view
                && view.diff_requests.get(&path) == Some(&job)
            {
                view.diff_requests.remove(&path);
                view.diffs.insert(path, Ok(*diff));
            }
            Vec::new()
        }
        PullsOutput::Changed { id, what } => {
            drop_overlay_waiting(state, job);
            state.pulls.message = Some(what);
            match &mut state.pulls.view {
                Some(view) if view.id == id => {
                    if view.pending == Some(job) {
                        view.pending = None;
                    }
                    reload_view(state)
                }
                _ => Vec::new(),
            }
        }
        PullsOutput::Conflicts {
            id: _,
            strategy,
            conflicts,
        } => {
            if let Some(dialog) = merge_waiting(state, job)
                && dialog.conflicts_request == Some(job)
                && dialog.strategy == strategy
            {
                dialog.conflicts_request = None;
                dialog.conflicts = Some(conflicts);
                dialog.error = None;
            }
            Vec::new()
        }
        PullsOutput::Merged(pr) => merged(state, job, *pr),
        PullsOutput::Created(pr) => {
            drop_overlay_waiting(state, job);
            let message = format!("Created pull request #{}: {}", pr.id, pr.title);
            state.notice = Some(message.clone());
            state.pulls.message = Some(message);
            // The branches pane marks the source branch with it.
            state
                .pulls
                .by_branch
                .insert(pr.source.clone(), pr.id.clone());
            let id = pr.id.clone();
            let pulls_open = state.overlays.iter().any(|o| matches!(o, Overlay::Pulls));
            if pulls_open && state.pulls.scope == Scope::Repository(pr.repository.clone()) {
                state.pulls.upsert(*pr);
                return open_view(state, id);
            }
            Vec::new()
        }
        PullsOutput::ConflictText { id, path, text } => {
            let Some(dialog) = state.overlays.iter_mut().find_map(|o| match o {
                Overlay::PullMerge(d) if d.text_request == Some(job) => Some(d),
                _ => None,
            }) else {
                return Vec::new();
            };
            dialog.text_request = None;
            let title = format!(
                "Merged content of {path}: keep what stays, drop the conflict markers (ctrl-s keeps it, esc leaves it unresolved)"
            );
            compose(state, title, &text, ComposePurpose::Resolve { id, path })
        }
        PullsOutput::TextFileReady(file) => {
            let Some(compose) = compose_waiting(state, job) else {
                return Vec::new();
            };
            compose.pending = None;
            compose.in_editor = Some(file.path.clone());
            let path = file.path.display().to_string();
            // As git runs it: through the shell, so `code --wait` works as typed.
            vec![Effect::RunForeground(super::effect::Foreground {
                program: "sh".into(),
                args: vec![
                    "-c".into(),
                    format!("{} \"$@\"", file.editor),
                    file.editor.clone(),
                    path,
                ],
                purpose: super::effect::ForegroundPurpose::EditText {
                    path: file.path,
                    editor: file.editor,
                },
            })]
        }
        PullsOutput::TextEdited(text) => {
            let Some(compose) = compose_waiting(state, job) else {
                return Vec::new();
            };
            compose.pending = None;
            if text.trim().is_empty() {
                compose.error = Some("The editor left an empty text: nothing is sent.".into());
                compose.text = TextArea::default();
            } else {
                compose.text = TextArea::with_text(text.trim_end());
                compose.error = Some("From your editor: ctrl-s sends it, esc drops it.".into());
            }
            Vec::new()
        }
        PullsOutput::Drafted { title, description } => {
            if let Some(compose) = compose_waiting(state, job) {
                compose.pending = None;
                let text = if description.is_empty() {
                    title
                } else {
                    format!("{title}\n\n{description}")
                };
                compose.text = TextArea::with_text(&text);
                compose.text.row = 0;
                compose.text.col = compose.text.lines.first().map_or(0, |l| l.chars().count());
            }
            Vec::new()
        }
    }
}

/// A push of a branch with no open request: offer one.
fn offer_new(state: &mut State, branch: String) -> Vec<Effect> {
    let current = state.status.status.as_ref().and_then(|s| s.branch.clone());
    if current.as_deref() != Some(branch.as_str()) {
        return Vec::new();
    }
    let Ok((_, repository, source, destination)) = new_request_parts(state) else {
        return Vec::new();
    };
    state.overlays.push(Overlay::Confirm {
        title: "Open a pull request?".into(),
        message: format!(
            "{source} has no open pull request in {repository}. Create one into {destination}? \
             (The title comes from its first commit; you can edit it.)"
        ),
        on_yes: Box::new(Action::NewPullRequest),
    });
    Vec::new()
}

/// The merge landed: the dialog closes, the view reads the request again, and two offers
/// follow: delete the source branch on CodeCommit, pull the destination into the open clone.
fn merged(state: &mut State, job: JobId, pr: PullRequest) -> Vec<Effect> {
    drop_overlay_waiting(state, job);
    let message = format!("Merged #{} into {}", pr.id, pr.destination);
    state.pulls.message = Some(message.clone());
    state.notice = Some(message);
    let id = pr.id.clone();
    state.pulls.upsert(pr.clone());
    let mut effects = Vec::new();
    if state.pulls.view.as_ref().is_some_and(|v| v.id == id) {
        effects.extend(reload_view(state));
    }
    let clone_on_destination = state
        .open_repo
        .as_ref()
        .and_then(|r| r.codecommit.as_ref())
        .is_some_and(|k| k.name == pr.repository)
        && state
            .status
            .status
            .as_ref()
            .and_then(|s| s.branch.as_deref())
            == Some(pr.destination.as_str());
    if clone_on_destination && let Some(pull) = super::worktree_update::pull_open_clone(state) {
        state.overlays.push(Overlay::Confirm {
            title: format!("Pull {}?", pr.destination),
            message: format!(
                "The open clone is on {}: pull the merge into it now?",
                pr.destination
            ),
            on_yes: Box::new(Action::Spawn(Box::new(pull))),
        });
    }
    state.overlays.push(Overlay::Confirm {
        title: format!("Delete {} on CodeCommit?", pr.source),
        message: format!(
            "#{} is merged. Delete its source branch {} on CodeCommit? Its changes are in {} \
             now (a local branch of that name is kept, and the request still names its commits).",
            pr.id, pr.source, pr.destination
        ),
        on_yes: Box::new(Action::Spawn(Box::new(JobRequest::ServerBranch {
            target: state.pulls.target.clone(),
            repository: pr.repository.clone(),
            op: ServerBranchOp::Delete(pr.source.clone()),
        }))),
    });
    effects
}

/// A failure of the area's jobs, to whoever asked.
pub fn on_failure(state: &mut State, job: JobId, failure: JobFailure) -> Vec<Effect> {
    let text = match &failure.hint {
        Some(hint) => format!("{} {hint}", failure.message),
        None => failure.message.clone(),
    };
    if state.pulls.listing == Some(job) {
        state.pulls.listing = None;
        state.pulls.listed = true;
        state.pulls.error = Some((failure.message, failure.hint));
        return Vec::new();
    }
    if state.pulls.workspace_reads.remove(&job).is_some() {
        // The workspace rows simply show no request.
        return Vec::new();
    }
    if state.pulls.by_branch_request == Some(job) {
        // The branches pane simply shows no request marks.
        state.pulls.by_branch_request = None;
        return Vec::new();
    }
    if state
        .pulls
        .offer_check
        .as_ref()
        .is_some_and(|(check, _)| *check == job)
    {
        state.pulls.offer_check = None;
        return Vec::new();
    }
    if let Some(id) = state
        .pulls
        .reviews
        .iter()
        .find(|(_, j)| **j == job)
        .map(|(id, _)| id.clone())
    {
        state.pulls.reviews.remove(&id);
        return Vec::new();
    }
    if let Some(compose) = compose_waiting(state, job) {
        compose.pending = None;
        compose.error = Some(text);
        return Vec::new();
    }
    if let Some(dialog) = merge_waiting(state, job) {
        if dialog.pending == Some(job) {
            dialog.pending = None;
        } else if dialog.text_request == Some(job) {
            dialog.text_request = None;
        } else {
            dialog.conflicts_request = None;
            dialog.conflicts = Some(Vec::new());
        }
        dialog.error = Some(text);
        return Vec::new();
    }
    if let Some(view) = &mut state.pulls.view {
        if view.request == Some(job) {
            view.request = None;
            view.error = Some(text);
            return Vec::new();
        }
        if let Some(path) = view
            .diff_requests
            .iter()
            .find(|(_, j)| **j == job)
            .map(|(p, _)| p.clone())
        {
            view.diff_requests.remove(&path);
            view.diffs.insert(path, Err(text));
            return Vec::new();
        }
        if view.pending == Some(job) {
            view.pending = None;
            if !failure.is_cancelled() {
                return error(state, failure.message, failure.hint.as_deref());
            }
        }
    }
    Vec::new()
}
