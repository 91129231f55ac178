//! Commands and typing while an overlay is on top: the top overlay takes the keys. Overlays of
//! an area (forms, the clone dialog, the diff view, the commit editor, the conflict panel) hand
//! them to that area; the generic ones (help, palette, picker, confirm, error) are handled here.

use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::global::{help_line_count, moved, palette_matches, picker_matches};
use super::overlay::{InputPurpose, Overlay};
use super::state::State;
use super::{
    branches_update as branches, clone_update as clone_flow, repos_update as repos,
    worktree_update as worktree,
};

/// A command while an overlay is open.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    if let Some(effects) = area_overlay(state, id) {
        return effects;
    }
    match (state.overlays.last(), id) {
        (
            Some(Overlay::Input {
                purpose: InputPurpose::RepositoryFilter,
                ..
            }),
            CommandId::Close,
        ) => {
            state.overlays.pop();
            repos::set_filter(state, "");
            Vec::new()
        }
        (Some(_), CommandId::Close | CommandId::No) => {
            state.overlays.pop();
            Vec::new()
        }
        (Some(Overlay::Input { .. }), CommandId::Accept) => match state.overlays.pop() {
            Some(Overlay::Input { purpose, value, .. }) => {
                clone_flow::submit_input(state, purpose, value)
            }
            _ => Vec::new(),
        },
        (Some(Overlay::Confirm { on_yes, .. }), CommandId::Yes) => {
            let action = (**on_yes).clone();
            state.overlays.pop();
            super::update::update(state, action)
        }
        _ => generic(state, id),
    }
}

/// Overlays that belong to an area: `None` when the command is not theirs.
fn area_overlay(state: &mut State, id: CommandId) -> Option<Vec<Effect>> {
    use CommandId as C;
    let effects = match (state.overlays.last()?, id) {
        (
            Overlay::CommitEditor(_),
            C::Up
            | C::Down
            | C::OptionPrev
            | C::OptionNext
            | C::SubmitCommit
            | C::EditMessageInEditor
            | C::Close,
        ) => worktree::editor_command(state, id),
        (
            Overlay::Conflicts { .. },
            C::Up
            | C::Down
            | C::TakeOurs
            | C::TakeTheirs
            | C::TakeBoth
            | C::MarkResolved
            | C::AbortMerge
            | C::CommitMerge,
        ) => branches::conflicts_command(state, id),
        (
            Overlay::Diff(_),
            C::Up
            | C::Down
            | C::PageUp
            | C::PageDown
            | C::Top
            | C::Bottom
            | C::NextHunk
            | C::PrevHunk
            | C::StageHunk
            | C::UnstageHunk,
        ) => worktree::diff_command(state, id),
        (
            Overlay::CloneDialog { .. },
            C::NextField
            | C::PrevField
            | C::Up
            | C::Down
            | C::OptionPrev
            | C::OptionNext
            | C::Accept,
        ) => clone_flow::dialog_command(state, id),
        (
            Overlay::Form(_) | Overlay::DeleteRepository { .. } | Overlay::RepositoryDetail { .. },
            _,
        ) if id != C::Close && id != C::No => repos::overlay_command(state, id)?,
        (Overlay::Access, _) if id != C::Close && id != C::No => {
            super::access_update::command(state, id)
        }
        (_, C::OpenPermissions) => super::permissions::open(state),
        (Overlay::Pulls, _) if id != C::Close && id != C::No => {
            super::pulls_update::list_command(state, id)
        }
        (Overlay::PullView, _) if id != C::Close && id != C::No => {
            super::pulls_update::view_command(state, id)
        }
        (Overlay::PullMerge(_), _) if id != C::No => super::pulls_update::merge_command(state, id),
        (Overlay::Compose(_), _) if id != C::No => super::pulls_update::compose_command(state, id),
        (Overlay::GitPassword(_), C::AccessStorePassword) => {
            super::access_update::password_command(state, id)
        }
        (
            Overlay::UndoList,
            C::Up | C::Down | C::PageUp | C::PageDown | C::Top | C::Bottom | C::Accept,
        ) => super::undo_update::list_command(state, id),
        (Overlay::Integrations, _) if id != C::Close && id != C::No => {
            super::integrations_update::command(state, id)
        }
        (Overlay::Workspace, _) if id != C::Close && id != C::No => {
            super::workspace_update::command(state, id)
        }
        (Overlay::WorkspaceFilter, C::Accept) => {
            state.overlays.pop();
            Vec::new()
        }
        (Overlay::WorkspaceFilter, C::Close) => {
            state.overlays.pop();
            super::workspace_update::set_filter(state, String::new());
            Vec::new()
        }
        _ => return None,
    };
    Some(effects)
}

/// Help, palette, picker and error.
fn generic(state: &mut State, id: CommandId) -> Vec<Effect> {
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
    match top {
        Overlay::Help { scroll } => {
            *scroll = moved(*scroll, help_line_count(readonly), id, page);
            if id == CommandId::Accept {
                state.overlays.pop();
            }
            Vec::new()
        }
        Overlay::Error { .. } if id == CommandId::Accept => {
            state.overlays.pop();
            Vec::new()
        }
        Overlay::Palette { selected, .. } if id == CommandId::Accept => {
            let chosen = palette.get(*selected).map(|c| c.id);
            state.overlays.pop();
            chosen
                .map(|id| super::update::run_command(state, id))
                .unwrap_or_default()
        }
        Overlay::Palette { selected, .. } => {
            *selected = moved(*selected, palette.len(), id, page);
            Vec::new()
        }
        Overlay::Picker {
            items,
            filter,
            selected,
            purpose,
            ..
        } => {
            let matches = picker_matches(items, filter);
            if id != CommandId::Accept {
                *selected = moved(*selected, matches.len(), id, page);
                return Vec::new();
            }
            let chosen = matches.get(*selected).map(|i| items[*i].value.clone());
            let purpose = purpose.clone();
            state.overlays.pop();
            chosen
                .map(|value| repos::switch_context(state, purpose, value))
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// Typing into the top overlay's text.
pub fn edit_text(state: &mut State, action: &Action) {
    let edit = |text: &mut String| match action {
        Action::TypeChar(c) => text.push(*c),
        _ => {
            text.pop();
        }
    };
    match state.overlays.last_mut() {
        Some(Overlay::CommitEditor(_)) => worktree::editor_edit(state, action),
        Some(Overlay::Compose(_)) => super::pulls_update::compose_edit(state, action),
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
        Some(Overlay::Form(_)) => repos::form_edit(state, edit),
        Some(Overlay::WorkspaceFilter) => {
            let mut filter = state.workspace.filter.clone();
            edit(&mut filter);
            super::workspace_update::set_filter(state, filter);
        }
        Some(Overlay::DeleteRepository { typed, .. }) => edit(typed),
        Some(Overlay::CloneDialog { .. }) => clone_flow::dialog_edit(state, edit),
        _ => {}
    }
}
