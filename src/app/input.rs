//! Turns a key into an action, given what is on screen (pure: the key map and the state).

use crossterm::event::{KeyCode, KeyModifiers};

use super::action::Action;
use super::command::{Context, command};
use super::keymap::{KeyMap, KeySpec};
use super::overlay::Overlay;
use super::state::State;
use super::update::pane_context;

/// The action a key triggers now, if any.
pub fn action_for_key(state: &State, keymap: &KeyMap, key: KeySpec) -> Option<Action> {
    let usable = |id| !(state.session.readonly && command(id).mutating);
    if let Some(top) = state.overlays.last() {
        // In the commit editor Enter breaks the line; ctrl-s commits.
        if matches!(top, Overlay::CommitEditor(_) | Overlay::Compose(_))
            && key.code == KeyCode::Enter
            && key.modifiers.is_empty()
        {
            return Some(Action::TypeChar('\n'));
        }
        if top.takes_text() {
            let plain = !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            match key.code {
                KeyCode::Char(c) if plain => return Some(Action::TypeChar(c)),
                KeyCode::Backspace => return Some(Action::Backspace),
                _ => {}
            }
        }
        if let Some(id) = keymap.lookup(top.context(), key) {
            return Some(Action::Command(id));
        }
        // The access screen closes like any overlay (esc, q).
        if matches!(
            top.context(),
            Context::Access | Context::Pulls | Context::PullView | Context::Integrations
        ) && let Some(id) = keymap
            .lookup(Context::Overlay, key)
            .filter(|id| *id == super::command::CommandId::Close)
        {
            return Some(Action::Command(id));
        }
        // Confirmations take nothing else: a stray key must not move anything behind them.
        if matches!(top, Overlay::Confirm { .. }) {
            return keymap
                .lookup(Context::Global, key)
                .filter(|id| *id == super::command::CommandId::ForceQuit)
                .map(Action::Command);
        }
        let through = |id: &super::command::CommandId| {
            top.lets_through()
                && matches!(
                    id,
                    super::command::CommandId::Quit | super::command::CommandId::Help
                )
        };
        return keymap
            .lookup(Context::Global, key)
            .filter(|id| Overlay::allows_global(*id) || through(id))
            .map(Action::Command);
    }
    keymap
        .lookup(pane_context(state.focus), key)
        .or_else(|| keymap.lookup(Context::Global, key))
        .filter(|id| usable(*id))
        .map(Action::Command)
}
