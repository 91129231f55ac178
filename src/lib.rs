//! cctui: a keyboard-driven terminal UI for git repositories hosted in AWS CodeCommit.
//!
//! # Shape
//!
//! ```text
//! keys, resize ─► Event ─keymap─► Action ─► update(&mut State, Action) ─► Vec<Effect>
//!                                   ▲               │ dirty                  │
//!                                   │               ▼                        ▼
//!                          JobUpdate (Started, draw(&State) only when   JobManager: tokio tasks
//!                          Progress, Finished)  dirty: ≤ 1 frame/16 ms  and spawn_blocking
//!                                               for jobs, keys within 4 ms
//! ```
//!
//! - [`app`]: plain state, the command table, the pure `update`, overlays (a stack).
//!   `update.rs` only dispatches; each area has its module: `global` (quit, help, palette,
//!   focus, movement), `jobs_strip`, `repos_update`, `clone_update`, `worktree_update`,
//!   `branches_update`, `access_update` (the access screen and the header's identity),
//!   `pulls_update` (the pull requests list, request view, merge dialog and text editor; its
//!   state and the row model the update and the drawing share are in `pulls`),
//!   `workspace_update` (the workspace screen: every clone, bulk fetch and pull),
//!   `integrations_update` (the integrations screen: a repository's triggers and
//!   notification rules; its state in `integrations`),
//!   `undo_update` (`z` and the list of recent changes), and `overlays_update` for the
//!   generic overlays.
//! - [`model`]: plain values shared by `app` and `jobs`: [`model::RepoKey`] (profile + region +
//!   name), hosts (loopback by parsed address, CodeCommit regions incl. FIPS, China, VPC
//!   endpoints), remote URLs, and which credentials a URL may get. One parser for all.
//! - [`ui`]: drawing from `State` only.
//! - [`event_loop`]: the loop generic over the ratatui backend (tests run it on `TestBackend`).
//! - [`jobs`]: the job manager (ids, cancellation, progress events, panics caught).
//! - [`tui`]: terminal enter/restore, panic hook (UI thread only), suspend, and programs run in
//!   the foreground (`aws sso login`): the event loop pauses its [`event_loop::EventSource`]
//!   (crossterm reads the terminal on a thread of its own, which would steal their keys), and
//!   a failed job whose [`jobs::Remedy`] is a login is run again under its id afterwards.
//! - [`config`], [`logging`], [`cli`]: the edges; [`credential_helper`]: `cctui credential-helper`,
//!   git's credential protocol answered with CodeCommit git passwords.
//! - [`git`]: blocking git2 operations (clone, status, stage, diff, log, commit, push, fetch,
//!   pull, merge, undo, the workspace scan), with git's hooks (commit, merge, push, checkout; process groups, a
//!   configured timeout) and commit signing (openpgp, ssh); the jobs run them under
//!   `spawn_blocking`. Paths are literal.
//! - [`aws`]: AWS configuration, the first-run setup check, the CodeCommit API (repositories,
//!   branches, pull requests), the STS and IAM calls of the access screen (identity, SSH
//!   keys, HTTPS git credentials), triggers (`aws::triggers`) and CodeStar Notifications
//!   rules (`aws::notifications`) of the integrations screen; [`local`]:
//!   the local CodeCommit-compatible service, sharing only [`secret`] and signing primitives
//!   with `aws`.
//! - [`watch`]: the debounced file watcher of the open clone.
//! - [`runtime`]: the tokio runtime; its threads (jobs) run at a lower priority than the
//!   event loop's thread, so keys stay quick while a big status or a clone runs; building it
//!   raises the open-file limit for the sockets of wide listings.
//!
//! # Requests and their owners
//!
//! `update` gives every request its id ([`app::state::State::request`]) and the asker records
//! it: the repositories pane its listing, the status, log and branches panes their newest read
//! (latest wins: an answer with another id is dropped), a form, the commit editor or a diff
//! view the request it waits for (it shows that it waits and takes no second submit). The job
//! manager reports `Started` with the request's [`jobs::Domain`]; results come back as that
//! area's own output enum (`ReposOutput`, `CloneOutput`, `WorktreeOutput`, `BranchesOutput`,
//! `AccessOutput`, `PullsOutput`, `UndoOutput`, `WorkspaceOutput`, `IntegrationsOutput`),
//! and failures go to the area recorded at `Started`. An area finds the owner by id anywhere
//! on the overlay stack — never "whatever is on top" — and drops what nobody waits for.
//! Changes to a clone carry its path and touch the panes only while it is the open clone.
//!
//! # Where the code departs from DESIGN.md, and why
//!
//! - **Partial outputs.** Besides `Started / Progress / Finished`, a job can send
//!   `JobEvent::Output` (a batch of a listing, CodeCommit's branches), delivered like a final
//!   result to the same owner.
//! - **Questions as results.** A clone or branch operation that needs the user (git login, SSH
//!   passphrase, unknown host key, stash before switching, force delete, which branch to check
//!   out after a clone whose remote HEAD names none) ends with a `Needs` / `ChooseBranch`
//!   output instead of an error; `update` asks in an overlay and spawns the retry. Credential
//!   prompts therefore never block a libgit2 callback waiting for the UI.
//! - **Writes are never dropped.** A read is dropped on cancel. A write (clone, commit, push,
//!   stage, discard, branch operations, SDK changes) runs until it returns: it checks its token
//!   until its point of no return (the git layer takes an `is_cancelled` check; hooks run in
//!   their own process group and are killed), then says "finishing…" and completes. The
//!   strip says "cancelling…" meanwhile and "cancelled" only for work that changed nothing.
//!   The per-clone write lock is held by the job until its blocking work has ended.
//! - **Quit waits.** `q` asks while writes run (quiet ones such as stage included); yes
//!   cancels every job and the loop goes on, showing "finishing N jobs…", until the last
//!   write has reported; a second ctrl-c forces.
//! - **First run.** Before listing, a setup check reads the environment and the shared AWS
//!   files (no network) and the pane names what is missing — credentials, region, an unknown
//!   profile — with the demo one key away (`d`, started in-process by the event loop).
//! - **Status engine.** Status does not use libgit2's `statuses()`: `git::status_engine`
//!   reads `.git/index` itself and compares stat data on two threads, hashing only what the
//!   stat data cannot decide, because libgit2's single-threaded walk was 1.3–2× slower than
//!   git on large trees. The job services keep the open clone's last status summary so a
//!   watcher report is refreshed path by path (`git::status_summary::refresh_summary`).
//! - **Log cursor.** A log page's cursor carries the walk's frontier, so a deep page resumes
//!   instead of re-walking from the tip.
//! - **Layout.** The branches pane (5) and the log pane (2) share one area; the one focused
//!   last is shown, and the focused right-hand pane gets the larger share.
//! - **The access screen is an overlay, not a pane** (DESIGN.md lists `access` among the
//!   areas): it fills the body like the diff view, with its own command context
//!   (`Context::Access`), so its keys (`n`, `a`, `D`…) never clash with a pane's. Its writes are
//!   started by a confirmation's yes and recognised by what they answer; a new git password is
//!   shown whatever is on top, since it cannot be asked for again.
//! - **Undo is logged by the jobs, kept by the repository.** Each write job appends what it
//!   changed to the clone's undo log (`Services::undo_logs`: `<data>/undo/` in the app, a
//!   directory of the test's own in tests) after the change, never failing the job
//!   for it; the content is git's (reflog, commits) or, for a discard, blobs written before it
//!   under `refs/cctui/undo/`. An undo is a job under the clone's write lock that takes back
//!   only the newest change and refuses when work made since is in the way.
//! - **The workspace screen is an overlay, like the access screen**, with its own context
//!   (`Context::Workspace`). Its bulk fetch reuses the status pane's remote job
//!   (`RemoteJob`, its authentication) under a workspace request, so answers and failures
//!   come back to the workspace's rows rather than to the open clone; the bound of 4 at once
//!   is kept by `update` (a queue in the state), not by the job manager.
//! - **`$EDITOR` for commit messages is not offered** yet (issue K): running an editor needs
//!   the terminal's event stream paused, which crossterm's `EventStream` does not support
//!   without rebuilding it.

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
pub mod runtime;
pub mod secret;
pub mod sigv4;
pub mod tui;
pub mod ui;
pub mod watch;
