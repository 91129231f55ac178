//! Effects: what [`super::update::update`] asks the outside world to do.

use crate::jobs::{JobId, JobRequest};

/// A request for I/O, run by the event loop or the job manager, never by `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start background work under the id `update` gave it.
    Spawn {
        /// The id the asker recorded.
        id: JobId,
        /// The work.
        request: Box<JobRequest>,
    },
    /// Cancel a running job.
    Cancel(JobId),
    /// Cancel every running job.
    CancelAll,
    /// Start the in-process demo service and point the session at it (first run's `d`).
    StartDemo,
    /// Jobs from now on use the demo service's credentials (it has started).
    UseDemoClients,
    /// Jobs from now on act as the demo's user number N (0 alice, 1 bob, 2 carol).
    UseDemoUser(usize),
    /// Put text on the clipboard (OSC 52, so it works over SSH too).
    Copy(String),
    /// Watch this clone for changes made outside cctui (replacing any previous watch).
    Watch(std::path::PathBuf),
    /// Stop the event loop and restore the terminal.
    Quit,
    /// Restore the terminal and stop the process (Ctrl-Z); re-enter on resume.
    Suspend,
    /// Give the terminal to a program until it ends (`aws sso login`), then report
    /// [`super::action::Action::ForegroundEnded`].
    RunForeground(Foreground),
}

/// A program run in the terminal while cctui steps aside, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Foreground {
    /// The program, looked up on PATH.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// What its end means to the state.
    pub purpose: ForegroundPurpose,
}

impl Foreground {
    /// The command line, as shown to the user.
    pub fn command_line(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why a foreground program runs.
#[derive(Debug, Clone, PartialEq)]
pub enum ForegroundPurpose {
    /// Renew the SSO session of a profile, then run again the jobs that failed for it.
    SsoLogin {
        /// The profile (`None`: the default one).
        profile: Option<String>,
        /// The failed jobs, run again under their ids when the login succeeds.
        retry: Vec<(JobId, Box<JobRequest>)>,
    },
    /// The user's editor on a pull request text (description, comment); what it leaves goes
    /// back into the text editor, to send with ctrl-s.
    EditText {
        /// The file.
        path: std::path::PathBuf,
        /// The editor command, for messages.
        editor: String,
    },
    /// The user's editor on a commit message file; the commit follows what it leaves.
    EditMessage {
        /// The clone the commit is for.
        repo: std::path::PathBuf,
        /// `.git/COMMIT_EDITMSG`.
        path: std::path::PathBuf,
        /// The editor command, for messages.
        editor: String,
    },
}
