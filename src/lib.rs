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
//! - [`jobs`]: the job manager (ids, cancellation, progress events).
//! - [`tui`]: terminal enter/restore, panic hook, suspend.
//! - [`config`], [`logging`], [`cli`]: the edges; [`credential_helper`]: `cctui credential-helper`,
//!   git's credential protocol answered with CodeCommit git passwords.
//! - [`git`]: blocking git2 operations (clone, status, stage, diff, log, commit with hooks, push,
//!   fetch, pull); the jobs run them under `spawn_blocking`.
//! - [`aws`]: AWS configuration and the CodeCommit API; [`local`]: the local
//!   CodeCommit-compatible service, sharing only [`secret`] and signing primitives with `aws`.
//!
//! Departures from DESIGN.md are noted where they happen.

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
pub mod secret;
pub mod sigv4;
pub mod tui;
pub mod ui;
pub mod watch;
