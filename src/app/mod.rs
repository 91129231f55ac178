//! The application core: state, actions, the pure `update`, effects, overlays and the command
//! table. Nothing in here does I/O; the event loop in [`crate::event_loop`] does.

pub mod access;
pub mod access_update;
pub mod action;
pub mod branches;
pub mod branches_update;
pub mod clone_update;
pub mod command;
pub mod effect;
pub mod fuzzy;
pub mod global;
pub mod input;
pub mod integrations;
pub mod integrations_update;
pub mod jobs_strip;
pub mod keymap;
pub mod overlay;
pub mod overlays_update;
pub mod permissions;
pub mod pulls;
pub mod pulls_update;
pub mod repos;
pub mod repos_update;
pub mod sso_update;
pub mod state;
pub mod text_area;
pub mod undo;
pub mod undo_update;
pub mod update;
pub mod workspace;
pub mod workspace_update;
pub mod worktree;
pub mod worktree_update;
