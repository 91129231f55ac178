//! `update(&mut State, Action) -> Vec<Effect>`: every behaviour of the UI, with no I/O, no
//! awaits and no clocks, so each one is a few lines of test.

use super::action::Action;
use super::branches_update as branches;
use super::clone_update as clone_flow;
use super::command::{COMMANDS, Command, CommandId, Context, command};
use super::effect::Effect;
use super::fuzzy;
use super::overlay::{InputPurpose, Overlay, PickerItem};
use super::repos_update as repos;
use super::state::{JobRow, JobStatus, Pane, State};
use super::worktree_update as worktree;
use crate::jobs::{JobEvent, JobTag, JobUpdate};

/// Applies one action and returns the I/O it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Command(id) => run_command(state, id),
        Action::TypeChar(_) | Action::Backspace
            if matches!(state.overlays.last(), Some(Overlay::CommitEditor(_))) =>
        {
            worktree::editor_edit(state, &action);
            Vec::new()
        }
        Action::TypeChar(c) => {
            edit_text(state, |text| text.push(c));
            Vec::new()
        }
        Action::Backspace => {
            edit_text(state, |text| {
                text.pop();
            });
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
        Action::Job(job) => job_update(state, *job),
        Action::Terminate => quit_now(state),
        Action::Spawn(request) => vec![Effect::Spawn(request)],
        Action::FilesChanged => worktree::refresh_status(state),
        Action::OpenClone { name, path } => {
            state.focus = Pane::Status;
            worktree::open(state, name, path)
        }
        Action::Noop => Vec::new(),
    }
}

fn run_command(state: &mut State, id: CommandId) -> Vec<Effect> {
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
    if state.overlays.last().is_some() {
        return overlay_command(state, id);
    }
    state.notice = None;
    match id {
        CommandId::Quit => {
            let running = state.running_jobs();
            if running == 0 {
                return quit_now(state);
            }
            let jobs = if running == 1 {
                "1 job is".to_string()
            } else {
                format!("{running} jobs are")
            };
            state.overlays.push(Overlay::Confirm {
                title: "Quit cctui?".to_string(),
                message: format!("{jobs} still running. Quitting cancels them."),
                on_yes: Box::new(Action::Command(CommandId::ForceQuit)),
            });
            Vec::new()
        }
        CommandId::ForceQuit => quit_now(state),
        CommandId::Help => {
            state.overlays.push(Overlay::Help { scroll: 0 });
            Vec::new()
        }
        CommandId::Palette => {
            state.overlays.push(Overlay::Palette {
                query: String::new(),
                selected: 0,
            });
            Vec::new()
        }
        CommandId::NextPane | CommandId::PrevPane => {
            let pane = state.focus.cycle(id == CommandId::NextPane);
            focus(state, pane)
        }
        CommandId::FocusRepositories => focus(state, Pane::Repositories),
        CommandId::FocusLog => focus(state, Pane::Log),
        CommandId::FocusBranches => focus(state, Pane::Branches),
        CommandId::FocusStatus => focus(state, Pane::Status),
        CommandId::FocusJobs => focus(state, Pane::Jobs),
        CommandId::Suspend => vec![Effect::Suspend],
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            move_in_pane(state, id);
            // Reaching the end of the loaded history loads the next page.
            if state.focus == Pane::Log {
                worktree::more_log(state)
            } else {
                Vec::new()
            }
        }
        CommandId::CancelJob => {
            let selected = state
                .visible_jobs()
                .nth(state.job_selected)
                .filter(|j| j.status == JobStatus::Running);
            selected
                .map(|job| vec![Effect::Cancel(job.id)])
                .unwrap_or_default()
        }
        CommandId::ClearFinishedJobs => {
            state.jobs.retain(|j| j.status == JobStatus::Running);
            state.job_selected = 0;
            Vec::new()
        }
        CommandId::Refresh => repos::refresh(state),
        CommandId::Filter => {
            repos::open_filter(state);
            Vec::new()
        }
        CommandId::ClearFilter => {
            repos::set_filter(state, "");
            Vec::new()
        }
        CommandId::Sort => {
            repos::toggle_sort(state);
            Vec::new()
        }
        CommandId::Details => repos::open_details(state),
        CommandId::CopyUrl => {
            let kind = state.default_url;
            repos::copy_url(state, None, kind)
        }
        CommandId::CreateRepository => {
            repos::open_create(state);
            Vec::new()
        }
        CommandId::RenameRepository => {
            repos::open_rename(state);
            Vec::new()
        }
        CommandId::DescribeRepository => {
            repos::open_describe(state);
            Vec::new()
        }
        CommandId::DeleteRepository => {
            repos::open_delete(state);
            Vec::new()
        }
        CommandId::PickProfile => {
            repos::open_profile_picker(state);
            Vec::new()
        }
        CommandId::PickRegion => {
            repos::open_region_picker(state);
            Vec::new()
        }
        CommandId::AllRegions => repos::toggle_all_regions(state),
        CommandId::OpenClone => worktree::open_selected(state),
        CommandId::OpenRecent => {
            if state.recent.is_empty() {
                state.notice =
                    Some("No recent clones yet: open one with o, or start cctui -C <path>.".into());
            } else {
                let items = state
                    .recent
                    .iter()
                    .map(|p| PickerItem {
                        value: p.display().to_string(),
                        detail: String::new(),
                    })
                    .collect();
                state.overlays.push(Overlay::Picker {
                    title: "Recent clones".into(),
                    items,
                    filter: String::new(),
                    selected: 0,
                    purpose: super::overlay::PickerPurpose::RecentClone,
                });
            }
            Vec::new()
        }
        CommandId::StatusRefresh
        | CommandId::ToggleStage
        | CommandId::StageAll
        | CommandId::UnstageAll
        | CommandId::Discard
        | CommandId::ShowDiff
        | CommandId::CommitChanges
        | CommandId::AmendCommit
        | CommandId::Push
        | CommandId::ForcePush
        | CommandId::Fetch
        | CommandId::Pull => worktree::status_command(state, id),
        CommandId::ShowCommit => worktree::log_command(state, id),
        CommandId::BranchesRefresh
        | CommandId::SwitchBranch
        | CommandId::NewBranch
        | CommandId::RenameBranch
        | CommandId::MergeBranch
        | CommandId::DeleteBranch
        | CommandId::SetDefaultBranch
        | CommandId::StashSave => branches::command(state, id),
        CommandId::ToggleMark => {
            clone_flow::toggle_mark(state);
            Vec::new()
        }
        CommandId::CloneRepository => {
            clone_flow::open_dialog(state);
            Vec::new()
        }
        CommandId::CloneUrl => {
            clone_flow::open_url_input(state);
            Vec::new()
        }
        CommandId::Close
        | CommandId::Accept
        | CommandId::Yes
        | CommandId::No
        | CommandId::NextField
        | CommandId::PrevField
        | CommandId::CopyDetailUrl
        | CommandId::OptionPrev
        | CommandId::OptionNext
        | CommandId::NextHunk
        | CommandId::PrevHunk
        | CommandId::StageHunk
        | CommandId::UnstageHunk
        | CommandId::SubmitCommit
        | CommandId::TakeOurs
        | CommandId::TakeTheirs
        | CommandId::TakeBoth
        | CommandId::MarkResolved
        | CommandId::AbortMerge
        | CommandId::CommitMerge => Vec::new(),
    }
}

fn focus(state: &mut State, pane: Pane) -> Vec<Effect> {
    state.focus = pane;
    // Branches and log share one area: the one focused last is shown.
    match pane {
        Pane::Branches => state.show_branches = true,
        Pane::Log => state.show_branches = false,
        _ => {}
    }
    if pane == Pane::Branches {
        return branches::refresh(state);
    }
    // The status is read again whenever its pane gains focus: files change outside cctui.
    if pane == Pane::Status {
        worktree::refresh_status(state)
    } else {
        Vec::new()
    }
}

fn quit_now(state: &mut State) -> Vec<Effect> {
    state.quit = true;
    state.overlays.clear();
    vec![Effect::CancelAll, Effect::Quit]
}

/// New selection after a movement command in a list of `len` rows.
pub fn moved(selected: usize, len: usize, id: CommandId, page: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let last = len - 1;
    match id {
        CommandId::Up => selected.saturating_sub(1),
        CommandId::Down => (selected + 1).min(last),
        CommandId::PageUp => selected.saturating_sub(page),
        CommandId::PageDown => (selected + page).min(last),
        CommandId::Top => 0,
        CommandId::Bottom => last,
        _ => selected.min(last),
    }
}

fn move_in_pane(state: &mut State, id: CommandId) {
    let page = state.page_rows();
    match state.focus {
        Pane::Jobs => {
            let len = state.visible_jobs().count();
            state.job_selected = moved(state.job_selected, len, id, page);
        }
        Pane::Repositories => {
            let len = state.repos.view.len();
            state.repos.selected = moved(state.repos.selected, len, id, page);
            state.repos.scroll_to_selection(page);
        }
        Pane::Status => {
            let len = state.status.rows().len();
            state.status.selected = moved(state.status.selected, len, id, page);
        }
        Pane::Log => {
            let len = state.log.commits.len();
            state.log.selected = moved(state.log.selected, len, id, page);
        }
        Pane::Branches => {
            let len = state.branches.rows().len();
            state.branches.selected = moved(state.branches.selected, len, id, page);
        }
    }
}

/// Commands offered by the palette: global and focused-pane ones usable in this mode.
pub fn palette_commands(state: &State) -> Vec<&'static Command> {
    let pane = pane_context(state.focus);
    COMMANDS
        .iter()
        .filter(|c| {
            (c.context == Context::Global || c.context == pane) && c.id != CommandId::Palette
        })
        .filter(|c| !(state.session.readonly && c.mutating))
        .collect()
}

/// Palette entries matching the query, best first.
pub fn palette_matches(state: &State, query: &str) -> Vec<&'static Command> {
    let mut scored: Vec<(i64, usize, &'static Command)> = palette_commands(state)
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let by_description = fuzzy::score(query, c.description);
            let by_name = fuzzy::score(query, c.id.name());
            by_description.max(by_name).map(|s| (s, i, c))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, c)| c).collect()
}

/// Picker entries matching the filter, as indices into `items`, best first.
pub fn picker_matches(items: &[PickerItem], filter: &str) -> Vec<usize> {
    let mut scored: Vec<(i64, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| fuzzy::score(filter, &item.value).map(|s| (s, i)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// The context of a pane's own commands.
pub fn pane_context(pane: Pane) -> Context {
    match pane {
        Pane::Repositories => Context::Repositories,
        Pane::Log => Context::Log,
        Pane::Branches => Context::Branches,
        Pane::Status => Context::Status,
        Pane::Jobs => Context::Jobs,
    }
}

/// Number of lines of the help screen (a heading and a blank line per context, a line per command).
pub fn help_line_count(readonly: bool) -> usize {
    let contexts = [
        Context::Global,
        Context::Repositories,
        Context::Log,
        Context::Branches,
        Context::Status,
        Context::Jobs,
        Context::Overlay,
        Context::Confirm,
    ];
    contexts
        .iter()
        .map(|c| super::command::available(*c, readonly).count())
        .filter(|n| *n > 0)
        .map(|n| n + 2)
        .sum()
}

fn overlay_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    if id == CommandId::ForceQuit {
        return quit_now(state);
    }
    if id == CommandId::Suspend {
        return vec![Effect::Suspend];
    }
    let page = state.page_rows();
    let readonly = state.session.readonly;
    // Matches are computed before borrowing the overlay mutably.
    let palette = match state.overlays.last() {
        Some(Overlay::Palette { query, .. }) => palette_matches(state, query),
        _ => Vec::new(),
    };
    let Some(top) = state.overlays.last_mut() else {
        return Vec::new();
    };
    match (top, id) {
        (
            Overlay::CommitEditor(_),
            CommandId::Up
            | CommandId::Down
            | CommandId::OptionPrev
            | CommandId::OptionNext
            | CommandId::SubmitCommit
            | CommandId::Close,
        ) => worktree::editor_command(state, id),
        (
            Overlay::Conflicts { .. },
            CommandId::Up
            | CommandId::Down
            | CommandId::TakeOurs
            | CommandId::TakeTheirs
            | CommandId::TakeBoth
            | CommandId::MarkResolved
            | CommandId::AbortMerge
            | CommandId::CommitMerge,
        ) => branches::conflicts_command(state, id),
        (
            Overlay::Diff(_),
            CommandId::Up
            | CommandId::Down
            | CommandId::PageUp
            | CommandId::PageDown
            | CommandId::Top
            | CommandId::Bottom
            | CommandId::NextHunk
            | CommandId::PrevHunk
            | CommandId::StageHunk
            | CommandId::UnstageHunk,
        ) => worktree::diff_command(state, id),
        (
            Overlay::Input {
                purpose: InputPurpose::RepositoryFilter,
                ..
            },
            CommandId::Close,
        ) => {
            state.overlays.pop();
            repos::set_filter(state, "");
            Vec::new()
        }
        (_, CommandId::Close | CommandId::No) => {
            state.overlays.pop();
            Vec::new()
        }
        (Overlay::Input { .. }, CommandId::Accept) => match state.overlays.pop() {
            Some(Overlay::Input { purpose, value, .. }) => {
                clone_flow::submit_input(state, purpose, value)
            }
            _ => Vec::new(),
        },
        (
            Overlay::CloneDialog { .. },
            CommandId::NextField
            | CommandId::PrevField
            | CommandId::Up
            | CommandId::Down
            | CommandId::OptionPrev
            | CommandId::OptionNext
            | CommandId::Accept,
        ) => clone_flow::dialog_command(state, id),
        (Overlay::Form(_), CommandId::Accept) => repos::submit_form(state),
        (Overlay::Form(form), CommandId::NextField | CommandId::Down) => {
            form.focus = (form.focus + 1) % form.fields.len().max(1);
            Vec::new()
        }
        (Overlay::Form(form), CommandId::PrevField | CommandId::Up) => {
            let len = form.fields.len().max(1);
            form.focus = (form.focus + len - 1) % len;
            Vec::new()
        }
        (Overlay::DeleteRepository { .. }, CommandId::Accept) => repos::submit_delete(state),
        (Overlay::RepositoryDetail { url, .. }, CommandId::NextField | CommandId::Down) => {
            *url = url.next();
            Vec::new()
        }
        (Overlay::RepositoryDetail { url, .. }, CommandId::PrevField | CommandId::Up) => {
            *url = url.next().next();
            Vec::new()
        }
        (Overlay::RepositoryDetail { name, url }, CommandId::CopyDetailUrl) => {
            let (name, kind) = (name.clone(), *url);
            repos::copy_url(state, Some(&name), kind)
        }
        (Overlay::RepositoryDetail { .. }, CommandId::Accept) => {
            state.overlays.pop();
            Vec::new()
        }
        (Overlay::Confirm { on_yes, .. }, CommandId::Yes) => {
            let action = (**on_yes).clone();
            state.overlays.pop();
            update(state, action)
        }
        (Overlay::Help { scroll }, _) => {
            let len = help_line_count(readonly);
            *scroll = moved(*scroll, len, id, page);
            if id == CommandId::Accept {
                state.overlays.pop();
            }
            Vec::new()
        }
        (Overlay::Error { .. }, CommandId::Accept) => {
            state.overlays.pop();
            Vec::new()
        }
        (Overlay::Palette { selected, .. }, CommandId::Accept) => {
            let chosen = palette.get(*selected).map(|c| c.id);
            state.overlays.pop();
            chosen.map(|id| run_command(state, id)).unwrap_or_default()
        }
        (Overlay::Palette { selected, .. }, _) => {
            *selected = moved(*selected, palette.len(), id, page);
            Vec::new()
        }
        (
            Overlay::Picker {
                items,
                filter,
                selected,
                purpose,
                ..
            },
            CommandId::Accept,
        ) => {
            let chosen = picker_matches(items, filter)
                .get(*selected)
                .map(|i| items[*i].value.clone());
            let purpose = purpose.clone();
            state.overlays.pop();
            chosen
                .map(|value| repos::switch_context(state, purpose, value))
                .unwrap_or_default()
        }
        (
            Overlay::Picker {
                items,
                filter,
                selected,
                ..
            },
            _,
        ) => {
            let len = picker_matches(items, filter).len();
            *selected = moved(*selected, len, id, page);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn edit_text(state: &mut State, edit: impl FnOnce(&mut String)) {
    match state.overlays.last_mut() {
        Some(Overlay::Palette { query, selected }) => {
            edit(query);
            *selected = 0;
        }
        Some(Overlay::Picker {
            filter, selected, ..
        }) => {
            edit(filter);
            *selected = 0;
        }
        Some(Overlay::Input { value, purpose, .. }) => {
            edit(value);
            if *purpose == InputPurpose::RepositoryFilter {
                let filter = value.clone();
                repos::set_filter(state, &filter);
            }
        }
        Some(Overlay::Form(form)) => {
            if !form.submitting
                && let Some(field) = form.fields.get_mut(form.focus)
            {
                edit(&mut field.value);
                let mut form = form.clone();
                repos::validate_form(&mut form, state);
                state.overlays.pop();
                state.overlays.push(Overlay::Form(form));
            }
        }
        Some(Overlay::DeleteRepository { typed, .. }) => edit(typed),
        Some(Overlay::CloneDialog { .. }) => clone_flow::dialog_edit(state, edit),
        _ => {}
    }
}

fn job_update(state: &mut State, job: JobUpdate) -> Vec<Effect> {
    let JobUpdate { id, event } = job;
    let mut effects = Vec::new();
    let tag = state.jobs.iter().find(|j| j.id == id).map(|j| j.tag);
    match event {
        JobEvent::Started {
            title,
            visible,
            tag,
        } => {
            state.jobs.push(JobRow {
                id,
                title,
                status: JobStatus::Running,
                progress: None,
                visible,
                tag,
            });
        }
        JobEvent::Progress(progress) => {
            if let Some(row) = state.jobs.iter_mut().find(|j| j.id == id) {
                row.progress = Some(progress);
            }
        }
        JobEvent::Output(output) => effects = repos::on_output(state, output),
        JobEvent::Cancelled => {
            if let Some(row) = state.jobs.iter_mut().find(|j| j.id == id) {
                row.status = JobStatus::Cancelled;
            }
            if let Some(JobTag::Listing(generation)) = tag
                && generation == state.repos.generation
            {
                state.repos.loading = false;
            }
        }
        JobEvent::Finished(result) => {
            if let Some(row) = state.jobs.iter_mut().find(|j| j.id == id) {
                row.status = match &result {
                    Ok(_) => JobStatus::Succeeded,
                    Err(failure) => JobStatus::Failed(failure.message.clone()),
                };
            }
            match result {
                Ok(output) => {
                    // A clone that stopped to ask something leaves no row: its retry gets one.
                    if matches!(output, crate::jobs::JobOutput::CloneNeeds { .. }) {
                        state.jobs.retain(|j| j.id != id);
                    }
                    effects = repos::on_output(state, output)
                }
                Err(failure) => match tag {
                    // A listing error is shown beside the rows it keeps, and in an overlay.
                    Some(JobTag::Listing(generation)) => {
                        if state.repos.fail(
                            generation,
                            failure.message.clone(),
                            failure.hint.clone(),
                        ) {
                            state.overlays.push(Overlay::Error {
                                message: failure.message,
                                hint: failure.hint,
                            });
                        }
                    }
                    // A detail view without tags still shows the rest.
                    Some(JobTag::Extras) => {}
                    _ => {
                        worktree::on_failure(state, tag, failure);
                    }
                },
            }
        }
    }
    // Quick invisible jobs leave no trace once done.
    state
        .jobs
        .retain(|j| j.visible || j.status == JobStatus::Running);
    let visible = state.visible_jobs().count();
    state.job_selected = state.job_selected.min(visible.saturating_sub(1));
    effects
}
