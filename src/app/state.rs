//! The whole UI state: plain data, changed only by [`super::update::update`].

use std::path::PathBuf;

use super::overlay::Overlay;
use super::repos::ReposPane;
use crate::aws::client::Target;
use crate::aws::urls::UrlKind;
use crate::config::CloneProtocol;
use crate::jobs::{Domain, JobId, JobRequest, Progress};
use crate::model::RepoKey;
use crate::secret::SecretString;

/// The panes, in `Tab` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    /// CodeCommit repositories of the current account and region.
    Repositories,
    /// Branches of the open clone: local, remote-tracking, CodeCommit's; stashes.
    Branches,
    /// History of the open clone.
    Log,
    /// Working-tree status of the open repository.
    Status,
    /// Running and finished jobs.
    Jobs,
}

impl Pane {
    /// `Tab` order.
    pub const ORDER: [Pane; 5] = [
        Pane::Repositories,
        Pane::Branches,
        Pane::Log,
        Pane::Status,
        Pane::Jobs,
    ];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Repositories => "Repositories",
            Pane::Branches => "Branches",
            Pane::Log => "Log",
            Pane::Status => "Status",
            Pane::Jobs => "Jobs",
        }
    }

    /// The pane after this one (`forward`) or before it.
    pub fn cycle(self, forward: bool) -> Pane {
        let index = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let len = Pane::ORDER.len();
        let next = if forward {
            (index + 1) % len
        } else {
            (index + len - 1) % len
        };
        Pane::ORDER[next]
    }
}

/// Where cctui is pointed: shown in the header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// AWS profile in use (`None`: the default chain without a profile).
    pub profile: Option<String>,
    /// AWS region.
    pub region: Option<String>,
    /// Custom endpoint (the local service, or a VPC endpoint).
    pub endpoint: Option<String>,
    /// Account id, once known from a repository ARN.
    pub account_id: Option<String>,
    /// Running against the in-process demo service.
    pub demo: bool,
    /// In the demo, which of its users the session acts as: 0 alice (opens requests), 1 bob
    /// (reviews them), 2 carol (whose `master` is protected by an IAM policy).
    pub demo_user: usize,
    /// Mutating commands hidden and refused.
    pub readonly: bool,
}

impl Session {
    /// Where AWS calls of this session go.
    pub fn target(&self) -> Target {
        Target {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint: self.endpoint.clone(),
        }
    }
}

/// A local clone opened in the working-tree panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRepo {
    /// Repository name.
    pub name: String,
    /// Work tree.
    pub path: PathBuf,
    /// The CodeCommit repository it is a clone of, from its `origin` URL (not its directory
    /// name): what CodeCommit branch operations of the branches pane act on.
    pub codecommit: Option<RepoKey>,
    /// Its `origin` URL, once read (the host git logins typed this session are kept for).
    pub origin_url: Option<String>,
}

/// The state of one job row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Still working.
    Running,
    /// Ended well.
    Succeeded,
    /// Ended with this error.
    Failed(String),
    /// The user asked it to stop; a write stops at its next safe point, or finishes.
    Cancelling,
    /// Stopped by the user, with nothing changed.
    Cancelled,
}

impl JobStatus {
    /// Not ended yet.
    pub fn running(&self) -> bool {
        matches!(self, JobStatus::Running | JobStatus::Cancelling)
    }
}

/// One row of the jobs strip.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// The job.
    pub id: JobId,
    /// What it does.
    pub title: String,
    /// How it is going.
    pub status: JobStatus,
    /// Latest progress report.
    pub progress: Option<Progress>,
    /// Shown in the strip (quick background reads are not).
    pub visible: bool,
    /// Who receives its results.
    pub domain: Domain,
    /// It changes something: quitting waits for it.
    pub writes: bool,
    /// The request, kept while it runs when it calls AWS and can simply run again under the
    /// same id (its owner still waiting) after the user renews an expired SSO session.
    pub retry: Option<Box<JobRequest>>,
}

/// The clone area's settings and what it remembers for the session.
#[derive(Debug, Clone, PartialEq)]
pub struct CloneSettings {
    /// Default clone protocol (config `[clone] protocol`).
    pub protocol: CloneProtocol,
    /// Where clones go by default (`<root>/<repository>`).
    pub workspace_root: PathBuf,
    /// The clone URL form `y` copies from the list (from the config's clone protocol).
    pub default_url: UrlKind,
    /// Git user names and passwords typed this session, by host; kept in memory only.
    pub logins: Vec<(String, String, SecretString)>,
}

impl Default for CloneSettings {
    fn default() -> Self {
        CloneSettings {
            protocol: CloneProtocol::HttpsIam,
            workspace_root: PathBuf::from("codecommit"),
            default_url: UrlKind::Https,
            logins: Vec::new(),
        }
    }
}

/// Clones opened before, newest first (from the data dir).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecentClones {
    /// The clones.
    pub list: Vec<PathBuf>,
    /// Where the list is kept.
    pub file: Option<PathBuf>,
}

/// Everything the screen shows: each area's slice (repositories, cloning, the working tree's
/// status and log, branches, the jobs strip) beside the shell's own (focus, overlays,
/// session, size, notice, quit).
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Focused pane.
    pub focus: Pane,
    /// Open overlays; the last one is on top.
    pub overlays: Vec<Overlay>,
    /// Profile, region, endpoint, badges.
    pub session: Session,
    /// All jobs, oldest first.
    pub jobs: Vec<JobRow>,
    /// Selected row among the visible jobs.
    pub job_selected: usize,
    /// Terminal size (columns, rows), for page movement.
    pub size: (u16, u16),
    /// Where the log file is written, shown in help.
    pub log_file: Option<PathBuf>,
    /// A one-line notice in the footer ("Copied …").
    pub notice: Option<String>,
    /// The repositories pane.
    pub repos: ReposPane,
    /// The clone area: protocol, workspace root, URL form, git logins of the session.
    pub cloning: CloneSettings,
    /// The local clone the working-tree panes show.
    pub open_repo: Option<OpenRepo>,
    /// Clones opened before, newest first, and where the list is kept.
    pub recent: RecentClones,
    /// The status pane.
    pub status: super::worktree::StatusPane,
    /// The log pane.
    pub log: super::worktree::LogPane,
    /// The branches pane.
    pub branches: super::branches::BranchesPane,
    /// The branches pane, rather than the log, fills their shared area.
    pub show_branches: bool,
    /// The access area: identity (header), SSH keys, git credentials, git's helpers.
    pub access: super::access::AccessState,
    /// The pull requests area: the list, the open request, the merge dialog's requests.
    pub pulls: super::pulls::PullsState,
    /// The permissions view: what IAM says the caller may do with a repository and branch.
    pub permissions: super::permissions::PermissionsState,
    /// The undo area: the open clone's recent changes (issue L).
    pub undo: super::undo::UndoState,
    /// The workspace screen: every clone, marks, bulk work (issue L).
    pub workspace: super::workspace::WorkspaceState,
    /// The integrations screen: a repository's triggers and notification rules.
    pub integrations: super::integrations::IntegrationsState,
    /// The id the next job gets (ids are given here so the asker can record it).
    pub next_job: u64,
    /// Quitting: waiting for write jobs to finish or cancel ("finishing N jobs…").
    pub quitting: bool,
    /// The event loop should end.
    pub quit: bool,
}

impl State {
    /// A fresh state for this session.
    pub fn new(session: Session) -> State {
        State {
            focus: Pane::Repositories,
            overlays: Vec::new(),
            session,
            jobs: Vec::new(),
            job_selected: 0,
            size: (80, 24),
            log_file: None,
            notice: None,
            repos: ReposPane::default(),
            cloning: CloneSettings::default(),
            open_repo: None,
            recent: RecentClones::default(),
            status: Default::default(),
            log: Default::default(),
            branches: Default::default(),
            show_branches: false,
            access: Default::default(),
            pulls: Default::default(),
            permissions: Default::default(),
            undo: Default::default(),
            workspace: Default::default(),
            integrations: Default::default(),
            next_job: 0,
            quitting: false,
            quit: false,
        }
    }

    /// Jobs shown in the strip.
    pub fn visible_jobs(&self) -> impl Iterator<Item = &JobRow> {
        self.jobs.iter().filter(|j| j.visible)
    }

    /// Write jobs that have not ended, shown in the strip or not (stage and discard are
    /// quiet writes). Reads do not count: quitting loses nothing of theirs.
    pub fn running_writes(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| j.writes && j.status.running())
            .count()
    }

    /// Gives a request its id and turns it into an effect; the asker records the id, and only
    /// an answer carrying it is taken.
    ///
    /// The job's row exists from this moment (its `Started` report may still be queued behind
    /// a key press): quitting right after asking for a write still waits for it.
    pub fn request(&mut self, request: JobRequest) -> (JobId, super::effect::Effect) {
        self.next_job += 1;
        let id = JobId(self.next_job);
        self.jobs.push(JobRow {
            id,
            title: request.title(),
            status: JobStatus::Running,
            progress: None,
            visible: request.visible(),
            domain: request.domain(),
            writes: request.writes(),
            retry: request
                .runs_again_after_login()
                .then(|| Box::new(request.clone())),
        });
        (
            id,
            super::effect::Effect::Spawn {
                id,
                request: Box::new(request),
            },
        )
    }

    /// Like [`State::request`] when nobody needs to record the id (the answer is recognised
    /// by what it carries, such as the clone it changed).
    pub fn spawn(&mut self, request: JobRequest) -> super::effect::Effect {
        self.request(request).1
    }

    /// Rows a page movement skips: the body height minus borders, at least one.
    pub fn page_rows(&self) -> usize {
        usize::from(self.size.1.saturating_sub(10)).max(1)
    }
}
