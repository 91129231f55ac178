//! cctui: a keyboard-driven terminal UI for git repositories hosted in AWS CodeCommit.
//!
//! # Shape
//!
//! ```text
//! keys, resize ─► Event ─keymap─► Action ─► update(&mut State, Action) ─► Vec<Effect>
//!                                   ▲               │ dirty                  │
//!                                   │               ▼                        ▼
//!                          JobUpdate (Started, draw(&State) only when   JobManager: tokio tasks
//!                          Progress, Finished)  dirty, ≤ 1 frame/16 ms  and spawn_blocking
//! ```
//!
//! - [`app`]: plain state, the command table, the pure `update`, overlays (a stack).
//! - [`ui`]: drawing from `State` only.
//! - [`event_loop`]: the loop generic over the ratatui backend (tests run it on `TestBackend`).
//! - [`model`]: plain domain values shared by `app` and `jobs`: hosts (loopback by parsed
//!   address, CodeCommit endpoints and their regions), remote URLs, which credentials a URL gets.
//! - [`jobs`]: the job manager (ids, cancellation, progress events).
//! - [`tui`]: terminal enter/restore, panic hook, suspend.
//! - [`config`], [`logging`], [`cli`]: the edges; [`credential_helper`]: `cctui credential-helper`,
//!   git's credential protocol answered with CodeCommit git passwords.
//! - [`git`]: blocking git2 operations (clone, status, stage, diff, log, commit with hooks, push,
//!   fetch, pull); the jobs run them under `spawn_blocking`.
//! - [`aws`]: AWS configuration and the CodeCommit API; [`local`]: the local
//!   CodeCommit-compatible service, sharing only [`secret`] and signing primitives with `aws`.
//!
//! - [`watch`]: the debounced file watcher of the open clone.
//!
//! # Where the code departs from DESIGN.md, and why
//!
//! - **Job tags and partial outputs.** Besides `Started / Progress / Finished`, a job can send
//!   `JobEvent::Output` (a batch of a listing, CodeCommit's branches) and carries a `JobTag`
//!   (listing generation, status/log/diff/branches read, change). `update` routes a job's end
//!   by tag (a listing error stays beside the rows it keeps; a read error goes to its pane, a
//!   change error to an overlay) and effects cancel by tag (`CancelListings`), so no request
//!   type needs to know about the UI.
//! - **Questions as results.** A clone or branch operation that needs the user (git login, SSH
//!   passphrase, unknown host key, stash before switching, force delete) ends with a
//!   `…Needs` output instead of an error; `update` asks in an overlay and spawns the retry.
//!   Credential prompts therefore never block a libgit2 callback waiting for the UI.
//! - **Per-clone write lock and cooperative cancel.** Write jobs take the clone's lock in the
//!   job (a queued job shows "waiting for other work on this clone"). Clone, push and fetch are
//!   cancelled cooperatively (their callbacks return false and they clean up) instead of being
//!   dropped, so a cancelled clone's directory is gone when the job reports it.
//! - **Layout.** The branches pane (5) and the log pane (2) share one area; the one focused
//!   last is shown, and the focused right-hand pane gets the larger share.
//! - **`$EDITOR` for commit messages is not offered**: the inline editor covers it, and running
//!   an editor needs the terminal's event stream paused, which crossterm's `EventStream` does
//!   not support without rebuilding it.

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod credential_helper;
pub mod event_loop;
pub mod git;
pub mod jobs;
pub mod local;
pub mod logging;
pub mod model;
pub mod secret;
pub mod sigv4;
pub mod tui;
pub mod ui;
pub mod watch;
