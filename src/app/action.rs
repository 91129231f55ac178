//! Actions: everything that can change [`super::state::State`], from keys, jobs or signals.

use super::command::CommandId;
use super::overlay::Overlay;
use crate::jobs::{JobId, JobRequest, JobUpdate};

/// An input to [`super::update::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Run a command of the command table.
    Command(CommandId),
    /// Type a character into the top overlay's text.
    TypeChar(char),
    /// Delete the last character of the top overlay's text.
    Backspace,
    /// Push an overlay.
    Open(Box<Overlay>),
    /// The terminal changed size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// A job reported something.
    Job(Box<JobUpdate>),
    /// SIGTERM or SIGHUP: leave now, cancelling jobs.
    Terminate,
    /// Run `aws sso login` for the profile, then run the failed jobs again.
    SsoLogin {
        /// The profile whose session expired (`None`: the default one).
        profile: Option<String>,
        /// The jobs that failed for it, with their ids (their owners still wait for them).
        retry: Vec<(JobId, Box<JobRequest>)>,
    },
    /// A foreground program ended: `Ok` when it exited with success, else why not.
    ForegroundEnded {
        /// Why it ran.
        purpose: super::effect::ForegroundPurpose,
        /// How it ended.
        outcome: Result<(), String>,
    },
    /// Open a local clone in the working-tree panes (`cctui -C <path>`).
    OpenClone {
        /// Name shown in the header.
        name: String,
        /// Work tree.
        path: std::path::PathBuf,
    },
    /// Files of the open clone changed (the debounced watcher).
    FilesChanged(crate::model::Changes),
    /// Start a job (a confirmation's yes that retries a clone).
    Spawn(Box<JobRequest>),
    /// The app has started: check the AWS setup, then list (or explain what is missing).
    Start,
    /// The demo service started from the first-run screen is listening.
    DemoStarted {
        /// Its endpoint URL.
        endpoint: String,
        /// Its region.
        region: String,
    },
    /// The demo service could not start; why.
    DemoFailed(String),
    /// A change to the open pull request (a confirmation's yes: close, reopen, delete a
    /// comment); the request view waits for its answer.
    PullChange(Box<JobRequest>),
    /// A change of the integrations screen (a confirmation's yes); the screen waits for it.
    IntegrationsChange(Box<JobRequest>),
    /// Draft a pull request from the open clone's branch (yes to the offer after a push).
    NewPullRequest,
    /// Do nothing (a confirm whose yes needs no work).
    Noop,
}
