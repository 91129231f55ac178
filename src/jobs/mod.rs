//! The job manager: runs [`JobRequest`]s off the UI thread and reports [`JobUpdate`]s.
//!
//! One concurrency model (DESIGN.md): tokio tasks for network work, `spawn_blocking` for disk
//! and git2 work, one channel of updates back into the event loop. Every job has an id, a
//! cancellation token and a final update (`Finished` or `Cancelled`), so the jobs strip can never
//! show a job that is running nowhere.

mod access_job;
mod branch_job;
mod clone_job;
pub mod integrations_job;
pub mod pulls_job;
mod run;
pub mod undo_job;
mod workspace_job;
pub mod worktree_job;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;

use crate::aws::branches::ServerBranch;
use crate::aws::client::{Clients, Target};
use crate::aws::repos::{NewRepository, Repository, RepositoryExtras};
pub use crate::aws::setup::SetupReport;
use crate::config::CloneProtocol;
use crate::git::branch::{LocalBranch, RemoteBranch, StartPoint};
use crate::git::commit::{CommitOutcome, CommitRequest};
use crate::git::diff::DiffSource;
use crate::git::diff::{FileDiff, HunkId};
use crate::git::log::CommitInfo;
use crate::git::merge::Resolution;
use crate::git::stash::StashEntry;
use crate::git::status::Status;
use crate::model::RepoKey;
use crate::secret::SecretString;
use tokio_util::sync::CancellationToken;

/// Identifies one job for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// Background work that `update` can ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum JobRequest {
    /// Read the profile names of the shared AWS config and credentials files.
    LoadProfiles {
        /// `~/.aws/config` or `AWS_CONFIG_FILE`.
        config_file: Option<PathBuf>,
        /// `~/.aws/credentials` or `AWS_SHARED_CREDENTIALS_FILE`.
        credentials_file: Option<PathBuf>,
    },
    /// Find out what of the AWS setup is missing (credentials, region) without calling AWS.
    CheckSetup {
        /// The session's target.
        target: Target,
    },
    /// List the repositories of each target (one for the normal view, several for all-regions),
    /// streaming batches as [`ReposOutput::RepositoryBatch`].
    ListRepositories {
        /// Profile/region/endpoint pairs.
        targets: Vec<Target>,
    },
    /// Tags and triggers of one repository.
    LoadExtras {
        /// Where.
        target: Target,
        /// Which.
        repository: Repository,
    },
    /// CreateRepository.
    CreateRepository {
        /// Where.
        target: Target,
        /// What.
        new: NewRepository,
    },
    /// UpdateRepositoryName.
    RenameRepository {
        /// Where.
        target: Target,
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// UpdateRepositoryDescription.
    DescribeRepository {
        /// Where.
        target: Target,
        /// Which.
        name: String,
        /// New description.
        description: String,
    },
    /// Clone a repository into the workspace.
    Clone(Box<CloneJob>),
    /// Put a clone first in the recent-clones list (and read the list back).
    RememberClone {
        /// The list file (`None`: read nothing, remember nothing).
        file: Option<PathBuf>,
        /// The clone to remember (`None`: only read).
        path: Option<PathBuf>,
    },
    /// Read the status (and ahead/behind) of a clone.
    ReadStatus {
        /// Work tree.
        repo: PathBuf,
        /// What the watcher saw change since the last read: only those paths are looked at
        /// again (`None`: a full scan).
        changes: Option<crate::model::Changes>,
    },
    /// Read a page of history.
    ReadLog {
        /// Work tree.
        repo: PathBuf,
        /// Continue after this commit (`None`: first page).
        after: Option<String>,
    },
    /// Read a diff for the diff view.
    ReadDiff {
        /// Work tree.
        repo: PathBuf,
        /// File or commit.
        source: DiffSource,
    },
    /// Stage, unstage or discard.
    ChangeIndex {
        /// Work tree.
        repo: PathBuf,
        /// What to change.
        change: IndexChange,
    },
    /// Commit what is staged.
    Commit {
        /// Work tree.
        repo: PathBuf,
        /// Message and options.
        request: CommitRequest,
    },
    /// Write the draft and git's template to `.git/COMMIT_EDITMSG`, and find the editor.
    PrepareMessageFile {
        /// Work tree.
        repo: PathBuf,
        /// The message typed so far.
        draft: String,
        /// The template lists what an amend would commit.
        amend: bool,
    },
    /// Read back what the editor left in the message file, comments stripped.
    ReadMessageFile {
        /// Work tree.
        repo: PathBuf,
        /// The file.
        path: PathBuf,
    },
    /// Read local and remote-tracking branches and stashes (and CodeCommit's, when asked).
    ReadBranches {
        /// Work tree.
        repo: PathBuf,
        /// The CodeCommit repository to list server branches of.
        server: Option<(Target, String)>,
    },
    /// A local branch operation.
    Branch {
        /// Work tree.
        repo: PathBuf,
        /// Which operation.
        op: BranchOp,
    },
    /// A branch operation on CodeCommit.
    ServerBranch {
        /// Account view.
        target: Target,
        /// CodeCommit repository.
        repository: String,
        /// Which operation.
        op: ServerBranchOp,
    },
    /// Push, fetch or pull.
    Remote(Box<RemoteJob>),
    /// Set `user.name` and `user.email` (the user saw the lines and said yes).
    SetIdentity {
        /// The clone that needs it.
        repo: PathBuf,
        /// Its `.git/config`, or the global file.
        scope: crate::git::IdentityScope,
        /// `user.name`.
        name: String,
        /// `user.email`.
        email: String,
    },
    /// DeleteRepository.
    DeleteRepository {
        /// Where.
        target: Target,
        /// Which.
        name: String,
    },
    /// Identity, SSH keys, git credentials, git's helpers: the access screen.
    Access(AccessRequest),
    /// The pull requests screen's work.
    Pulls(pulls_job::PullsRequest),
    /// The integrations screen's work (triggers, notification rules).
    Integrations(integrations_job::IntegrationsRequest),
    // ---- undo (issue L) ----
    /// Read the undo log of a clone (the list of recent changes).
    ReadUndoLog {
        /// Work tree.
        repo: PathBuf,
    },
    /// Undo the newest change cctui made in a clone that is not undone yet.
    Undo {
        /// Work tree.
        repo: PathBuf,
        /// The change the user chose (`None`: the newest); refused unless it is the newest.
        id: Option<u64>,
    },
    // ---- workspace (issue L) ----
    /// Find and summarise every clone: `extra` (recent clones, `-C`), then those under
    /// `root`; rows stream as [`WorkspaceOutput::Rows`].
    ScanWorkspace {
        /// The workspace root (`None`: only `extra`).
        root: Option<PathBuf>,
        /// Clones to read whether or not they are under the root.
        extra: Vec<PathBuf>,
    },
    /// Fetch one clone for the workspace's bulk work (`pull`: then fast-forward where clean).
    WorkspaceRemote {
        /// The clone and how to reach origin (its `op` is set by the job).
        job: Box<RemoteJob>,
        /// Fast-forward after the fetch.
        pull: bool,
    },
}

/// The access screen's requests (and the header's identity read).
#[derive(Debug, Clone, PartialEq)]
pub enum AccessRequest {
    /// STS GetCallerIdentity, for the header (a quiet background read).
    Identity {
        /// Whose.
        target: Target,
    },
    /// What the screen shows: the identity, then (for an IAM user) its SSH keys and git
    /// credentials, and the helpers git would use for `scope`.
    Overview {
        /// Whose.
        target: Target,
        /// Home directory (`None`: the user's); tests give a temporary one.
        home: Option<PathBuf>,
        /// The CodeCommit URL scope of the credential helper (`https://git-codecommit.*…`).
        scope: String,
    },
    /// Generate an ed25519 pair in `~/.ssh/codecommit_<user>_ed25519`, then upload it.
    NewSshKey {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
        /// Encrypts the private key (memory only).
        passphrase: Option<SecretString>,
        /// The `Host` pattern of the block proposed for `~/.ssh/config`.
        host_pattern: String,
        /// Home directory (`None`: the user's).
        home: Option<PathBuf>,
    },
    /// UpdateSSHPublicKey.
    SetSshKeyActive {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
        /// SSH key ID.
        id: String,
        /// Active or inactive.
        active: bool,
    },
    /// DeleteSSHPublicKey.
    DeleteSshKey {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
        /// SSH key ID.
        id: String,
    },
    /// Append these lines (the user saw them) to `~/.ssh/config`, after a backup.
    WriteSshConfig {
        /// Home directory (`None`: the user's).
        home: Option<PathBuf>,
        /// The `Host` block.
        lines: Vec<String>,
    },
    /// List a repository's refs over SSH with the key set up.
    TestSsh(Box<SshTest>),
    /// CreateServiceSpecificCredential for CodeCommit.
    CreateGitCredential {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
    },
    /// ResetServiceSpecificCredential.
    ResetGitCredential {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
        /// Credential id.
        id: String,
    },
    /// UpdateServiceSpecificCredential.
    SetGitCredentialActive {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
        /// Credential id.
        id: String,
        /// Active or inactive.
        active: bool,
    },
    /// DeleteServiceSpecificCredential.
    DeleteGitCredential {
        /// Where.
        target: Target,
        /// The IAM user.
        user: String,
        /// Credential id.
        id: String,
    },
    /// What the caller may do with a repository and a branch (SimulatePrincipalPolicy).
    Permissions {
        /// Where.
        target: Target,
        /// The IAM user or role to simulate.
        principal: String,
        /// The repository's ARN.
        repository_arn: String,
        /// The branch (`codecommit:References`).
        branch: String,
    },
    /// Give a git login to git's credential helpers (`git credential approve`).
    StoreGitCredential {
        /// Home directory (`None`: the user's).
        home: Option<PathBuf>,
        /// A URL of the host it is for.
        url: String,
        /// Git user name.
        username: String,
        /// Git password.
        password: SecretString,
    },
    /// Append the credential-helper section (the user saw it) to the global git config.
    WriteHelperConfig {
        /// Home directory (`None`: the user's).
        home: Option<PathBuf>,
        /// The section's lines.
        lines: Vec<String>,
    },
}

/// A test listing over SSH, with what the user answered when an earlier attempt asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTest {
    /// The repository's SSH URL.
    pub url: String,
    /// The key's passphrase.
    pub passphrase: Option<SecretString>,
    /// A host key fingerprint the user accepted.
    pub trusted_fingerprint: Option<String>,
}

/// Everything a clone needs, including what the user supplied after a first attempt asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneJob {
    /// Account view, for IAM keys.
    pub target: Target,
    /// Repository name.
    pub repository: String,
    /// HTTPS clone URL.
    pub url_http: String,
    /// SSH clone URL.
    pub url_ssh: String,
    /// How to authenticate.
    pub protocol: CloneProtocol,
    /// Where the clone goes.
    pub path: PathBuf,
    /// Static git credentials typed by the user (HTTPS with git credentials).
    pub login: Option<(String, SecretString)>,
    /// Passphrase of the SSH key.
    pub passphrase: Option<SecretString>,
    /// SSH host key fingerprint the user accepted.
    pub trusted_fingerprint: Option<String>,
}

/// A change of the index or the working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexChange {
    /// Stage a file or directory.
    Stage(String),
    /// Unstage a file or directory.
    Unstage(String),
    /// Stage everything.
    StageAll,
    /// Unstage everything.
    UnstageAll,
    /// Stage one hunk of a file's unstaged diff.
    StageHunk(String, HunkId),
    /// Unstage one hunk of a file's staged diff.
    UnstageHunk(String, HunkId),
    /// Throw away a file's unstaged changes (the UI asked first).
    Discard(String),
}

/// A local branch, merge or stash operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchOp {
    /// Create a branch.
    Create {
        /// Its name.
        name: String,
        /// Where it starts.
        start: StartPoint,
        /// Switch to it.
        checkout: bool,
    },
    /// Switch to a branch (a remote-only one gets a tracking branch).
    Switch(String),
    /// Stash local changes (with untracked files), then switch.
    StashAndSwitch(String),
    /// Delete a local branch.
    Delete {
        /// The branch.
        name: String,
        /// Even when not merged (the user confirmed).
        force: bool,
    },
    /// Rename a local branch.
    Rename {
        /// Current name.
        old: String,
        /// New name.
        new: String,
    },
    /// Merge a branch into the current one.
    Merge(String),
    /// Resolve a conflicted file.
    Resolve(String, Resolution),
    /// Abort the merge in progress.
    AbortMerge,
    /// Stash local changes.
    StashSave(Option<String>),
    /// Apply and drop a stash entry.
    StashPop(usize),
    /// Drop a stash entry.
    StashDrop(usize),
    /// Check out a branch of origin as a local tracking branch in a clone with nothing checked
    /// out (its remote HEAD named no branch).
    CheckoutRemote(String),
}

/// A branch operation on CodeCommit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerBranchOp {
    /// CreateBranch from a commit.
    Create {
        /// Branch name.
        name: String,
        /// Commit id.
        commit: String,
    },
    /// DeleteBranch.
    Delete(String),
    /// UpdateDefaultBranch.
    SetDefault(String),
}

/// What a branch operation needs from the user before it can go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchNeed {
    /// Local changes are in the way of a switch: stash them first?
    StashFirst {
        /// The branch to switch to.
        branch: String,
        /// The files in the way.
        files: Vec<String>,
    },
    /// The branch is not merged: delete anyway?
    ForceDelete(String),
}

/// A remote operation on `origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteOp {
    /// `git push origin <local>:<remote>`.
    Push {
        /// Local branch.
        local_branch: String,
        /// Remote branch.
        remote_branch: String,
        /// Record the upstream.
        set_upstream: bool,
        /// `--force-with-lease` (after a confirmation).
        force_with_lease: bool,
    },
    /// Fetch with prune.
    Fetch,
    /// Fetch, then fast-forward or merge.
    Pull,
}

/// A push, fetch or pull, with what the user answered when an earlier attempt asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteJob {
    /// Work tree.
    pub repo: PathBuf,
    /// Which operation.
    pub op: RemoteOp,
    /// Account view, for IAM git passwords.
    pub target: Target,
    /// Git credentials, passphrase, trusted host key.
    pub answers: Answers,
}

/// What the user answered to a network operation's questions (kept in memory only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers {
    /// A git user name and password (HTTPS git credentials).
    pub login: Option<(String, SecretString)>,
    /// Where the login was typed for (`scheme://host[:port]`, see
    /// [`crate::model::credential_scope`]): it is sent only to an origin of that scope.
    pub login_scope: Option<String>,
    /// The passphrase of the SSH key.
    pub passphrase: Option<SecretString>,
    /// The SSH host key fingerprint the user accepted.
    pub trusted_fingerprint: Option<String>,
}

/// A network operation that stopped to ask the user something, to run again with the answer:
/// clone, push, fetch and pull ask the same questions the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    /// A clone.
    Clone(Box<CloneJob>),
    /// A push, fetch or pull.
    Remote(Box<RemoteJob>),
}

impl Retry {
    /// Records a git login typed for `scope` (`scheme://host[:port]`).
    pub fn set_login(&mut self, login: (String, SecretString), scope: String) {
        match self {
            Retry::Clone(job) => job.login = Some(login),
            Retry::Remote(job) => {
                job.answers.login = Some(login);
                job.answers.login_scope = Some(scope);
            }
        }
    }

    /// Records the SSH key's passphrase.
    pub fn set_passphrase(&mut self, passphrase: SecretString) {
        match self {
            Retry::Clone(job) => job.passphrase = Some(passphrase),
            Retry::Remote(job) => job.answers.passphrase = Some(passphrase),
        }
    }

    /// Records the host key the user trusts.
    pub fn set_trusted(&mut self, fingerprint: String) {
        match self {
            Retry::Clone(job) => job.trusted_fingerprint = Some(fingerprint),
            Retry::Remote(job) => job.answers.trusted_fingerprint = Some(fingerprint),
        }
    }

    /// What it is, for questions ("clone demo", "push").
    pub fn what(&self) -> String {
        match self {
            Retry::Clone(job) => format!("clone {}", job.repository),
            Retry::Remote(job) => match job.op {
                RemoteOp::Push { .. } => "push".into(),
                RemoteOp::Fetch => "fetch".into(),
                RemoteOp::Pull => "pull".into(),
            },
        }
    }

    /// The job to run again.
    pub fn request(self) -> JobRequest {
        match self {
            Retry::Clone(job) => JobRequest::Clone(job),
            Retry::Remote(job) => JobRequest::Remote(job),
        }
    }
}

/// Where a clone comes from: a listed repository or a URL the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneSource {
    /// Repository name (the default directory name).
    pub repository: String,
    /// Account view, for IAM keys.
    pub target: Target,
    /// HTTPS clone URL (may be empty for an SSH-only URL of another host).
    pub url_http: String,
    /// SSH clone URL (may be empty).
    pub url_ssh: String,
}

/// What a clone needs from the user before it can go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloneNeed {
    /// A git user name and password (no credential helper had one).
    Login,
    /// The passphrase of this SSH key.
    Passphrase(PathBuf),
    /// Confirmation of an unknown SSH host key.
    TrustHost {
        /// Host name.
        host: String,
        /// `SHA256:…` fingerprint.
        fingerprint: String,
    },
}

/// The area of the app a job belongs to: its results go back to that area's `update`, which
/// checks that the request is still one it is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// The repositories pane: profiles, listings, details, create / rename / describe / delete.
    Repos,
    /// Clones.
    Clone,
    /// The open clone's working tree: status, log, diff, stage, commit, push, fetch, pull.
    Worktree,
    /// The open clone's branches, merges and stashes, and CodeCommit's branches.
    Branches,
    /// The access screen and the header's identity.
    Access,
    /// The pull requests screen.
    Pulls,
    /// The integrations screen.
    Integrations,
    /// The undo log and undo of the open clone.
    Undo,
    /// The workspace screen: every clone, bulk fetch and pull.
    Workspace,
}

impl JobRequest {
    /// What the jobs strip calls this job.
    pub fn title(&self) -> String {
        match self {
            JobRequest::LoadProfiles { .. } => "Read AWS profiles".to_string(),
            JobRequest::CheckSetup { .. } => "Check the AWS setup".to_string(),
            JobRequest::ListRepositories { targets, .. } if targets.len() > 1 => {
                format!(
                    "List repositories in {} profile/region pairs",
                    targets.len()
                )
            }
            JobRequest::ListRepositories { .. } => "List repositories".to_string(),
            JobRequest::LoadExtras { repository, .. } => {
                format!("Load tags and triggers of {}", repository.name)
            }
            JobRequest::CreateRepository { new, .. } => format!("Create repository {}", new.name),
            JobRequest::RenameRepository { old, new, .. } => format!("Rename {old} to {new}"),
            JobRequest::DescribeRepository { name, .. } => {
                format!("Update the description of {name}")
            }
            JobRequest::DeleteRepository { name, .. } => format!("Delete repository {name}"),
            JobRequest::Access(request) => request.title(),
            JobRequest::Pulls(request) => request.title(),
            JobRequest::Integrations(request) => request.title(),
            JobRequest::ReadUndoLog { .. } => "Read the undo log".to_string(),
            JobRequest::Undo { .. } => "Undo the last change".to_string(),
            JobRequest::ScanWorkspace { .. } => "Scan the workspace".to_string(),
            JobRequest::WorkspaceRemote { job, pull } => {
                let name = job
                    .repo
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if *pull {
                    format!("Fetch and fast-forward {name}")
                } else {
                    format!("Fetch {name}")
                }
            }
            JobRequest::SetIdentity { .. } => "Set the git identity".to_string(),
            JobRequest::Clone(job) => format!("Clone {} ({})", job.repository, job.protocol.name()),
            JobRequest::RememberClone { .. } => "Remember the clone".to_string(),
            JobRequest::ReadStatus { .. } => "Read status".to_string(),
            JobRequest::ReadLog { .. } => "Read history".to_string(),
            JobRequest::ReadDiff { .. } => "Read diff".to_string(),
            JobRequest::PrepareMessageFile { .. } => "Prepare the commit message".to_string(),
            JobRequest::ReadMessageFile { .. } => "Read the commit message".to_string(),
            JobRequest::ReadBranches { .. } => "Read branches".to_string(),
            JobRequest::Branch { op, .. } => match op {
                BranchOp::Create { name, .. } => format!("Create branch {name}"),
                BranchOp::Switch(name) => format!("Switch to {name}"),
                BranchOp::StashAndSwitch(name) => format!("Stash, then switch to {name}"),
                BranchOp::Delete { name, .. } => format!("Delete branch {name}"),
                BranchOp::Rename { old, new } => format!("Rename {old} to {new}"),
                BranchOp::Merge(name) => format!("Merge {name}"),
                BranchOp::Resolve(path, _) => format!("Resolve {path}"),
                BranchOp::AbortMerge => "Abort the merge".to_string(),
                BranchOp::StashSave(_) => "Stash changes".to_string(),
                BranchOp::StashPop(i) => format!("Pop stash@{{{i}}}"),
                BranchOp::StashDrop(i) => format!("Drop stash@{{{i}}}"),
                BranchOp::CheckoutRemote(name) => format!("Check out {name}"),
            },
            JobRequest::ServerBranch { repository, op, .. } => match op {
                ServerBranchOp::Create { name, .. } => {
                    format!("Create {name} on CodeCommit ({repository})")
                }
                ServerBranchOp::Delete(name) => {
                    format!("Delete {name} on CodeCommit ({repository})")
                }
                ServerBranchOp::SetDefault(name) => {
                    format!("Make {name} the default branch of {repository}")
                }
            },
            JobRequest::ChangeIndex { change, .. } => match change {
                IndexChange::Stage(path) => format!("Stage {path}"),
                IndexChange::Unstage(path) => format!("Unstage {path}"),
                IndexChange::StageAll => "Stage everything".to_string(),
                IndexChange::UnstageAll => "Unstage everything".to_string(),
                IndexChange::StageHunk(path, _) => format!("Stage a hunk of {path}"),
                IndexChange::UnstageHunk(path, _) => format!("Unstage a hunk of {path}"),
                IndexChange::Discard(path) => format!("Discard changes to {path}"),
            },
            JobRequest::Commit { request, .. } => {
                let summary = request.message.lines().next().unwrap_or_default();
                if request.amend {
                    format!("Amend: {summary}")
                } else {
                    format!("Commit: {summary}")
                }
            }
            JobRequest::Remote(job) => match &job.op {
                RemoteOp::Push {
                    local_branch,
                    remote_branch,
                    force_with_lease,
                    ..
                } => format!(
                    "Push {local_branch} to origin/{remote_branch}{}",
                    if *force_with_lease {
                        " (force with lease)"
                    } else {
                        ""
                    }
                ),
                RemoteOp::Fetch => "Fetch origin".to_string(),
                RemoteOp::Pull => "Pull from origin".to_string(),
            },
        }
    }

    /// Whether the job is worth a row in the jobs strip (quick reads are not).
    pub fn visible(&self) -> bool {
        !matches!(
            self,
            JobRequest::LoadProfiles { .. }
                | JobRequest::CheckSetup { .. }
                | JobRequest::LoadExtras { .. }
                | JobRequest::ListRepositories { .. }
                | JobRequest::RememberClone { .. }
                | JobRequest::ReadStatus { .. }
                | JobRequest::ReadLog { .. }
                | JobRequest::ReadDiff { .. }
                | JobRequest::ReadBranches { .. }
                | JobRequest::ChangeIndex { .. }
                | JobRequest::PrepareMessageFile { .. }
                | JobRequest::ReadMessageFile { .. }
                | JobRequest::Access(
                    AccessRequest::Identity { .. }
                        | AccessRequest::Overview { .. }
                        | AccessRequest::Permissions { .. }
                )
                | JobRequest::ReadUndoLog { .. }
                // The screen says "scanning…"; a row read after each fetch would flood the strip.
                | JobRequest::ScanWorkspace { .. }
        ) && !matches!(self, JobRequest::Pulls(request) if request.reads())
            && !matches!(
                self,
                JobRequest::Integrations(integrations_job::IntegrationsRequest::Load { .. })
            )
    }

    /// Whether the job changes something (a clone, the server, a file). A write is never
    /// dropped half-way: cancelling it asks it to stop before its point of no return, and
    /// quitting waits for it. Reads are simply dropped on cancel.
    /// Remembering a recent clone writes a small file atomically (temporary file, rename), so
    /// dropping it loses nothing but the entry: quitting need not wait for it.
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            JobRequest::LoadProfiles { .. }
                | JobRequest::RememberClone { .. }
                | JobRequest::CheckSetup { .. }
                | JobRequest::LoadExtras { .. }
                | JobRequest::ListRepositories { .. }
                | JobRequest::ReadStatus { .. }
                | JobRequest::ReadLog { .. }
                | JobRequest::ReadDiff { .. }
                | JobRequest::ReadBranches { .. }
                // git's own scratch file for the message, nothing of the user's.
                | JobRequest::PrepareMessageFile { .. }
                | JobRequest::ReadMessageFile { .. }
                | JobRequest::Access(
                    AccessRequest::Identity { .. }
                        | AccessRequest::Overview { .. }
                        | AccessRequest::TestSsh(_)
                        | AccessRequest::Permissions { .. }
                )
                | JobRequest::ReadUndoLog { .. }
                | JobRequest::ScanWorkspace { .. }
        ) && !matches!(self, JobRequest::Pulls(request) if request.reads())
            && !matches!(self, JobRequest::Integrations(request) if request.reads())
    }

    /// Whether the job is run again, under its id, after the user renews an expired SSO
    /// session: the reads that call AWS, and the clones, pushes and fetches whose results are
    /// recognised by the clone they carry. A form's change (create, rename, delete) is not:
    /// its form stays open for the user to send again.
    pub fn runs_again_after_login(&self) -> bool {
        matches!(
            self,
            JobRequest::ListRepositories { .. }
                | JobRequest::LoadExtras { .. }
                | JobRequest::Clone(_)
                | JobRequest::Remote { .. }
                | JobRequest::ReadBranches { .. }
                | JobRequest::Access(
                    AccessRequest::Identity { .. } | AccessRequest::Overview { .. }
                )
        ) || matches!(self, JobRequest::Pulls(request) if request.reads())
            || matches!(
                self,
                JobRequest::Integrations(integrations_job::IntegrationsRequest::Load { .. })
            )
    }

    /// The area whose `update` receives the job's results.
    pub fn domain(&self) -> Domain {
        match self {
            JobRequest::LoadProfiles { .. }
            | JobRequest::CheckSetup { .. }
            | JobRequest::ListRepositories { .. }
            | JobRequest::LoadExtras { .. }
            | JobRequest::CreateRepository { .. }
            | JobRequest::RenameRepository { .. }
            | JobRequest::DescribeRepository { .. }
            | JobRequest::DeleteRepository { .. } => Domain::Repos,
            JobRequest::Clone(_) => Domain::Clone,
            JobRequest::RememberClone { .. }
            | JobRequest::ReadStatus { .. }
            | JobRequest::ReadLog { .. }
            | JobRequest::ReadDiff { .. }
            | JobRequest::ChangeIndex { .. }
            | JobRequest::Commit { .. }
            | JobRequest::PrepareMessageFile { .. }
            | JobRequest::ReadMessageFile { .. }
            | JobRequest::SetIdentity { .. }
            | JobRequest::Remote { .. } => Domain::Worktree,
            JobRequest::ReadBranches { .. }
            | JobRequest::Branch { .. }
            | JobRequest::ServerBranch { .. } => Domain::Branches,
            JobRequest::Access(_) => Domain::Access,
            JobRequest::Pulls(_) => Domain::Pulls,
            JobRequest::Integrations(_) => Domain::Integrations,
            JobRequest::ReadUndoLog { .. } | JobRequest::Undo { .. } => Domain::Undo,
            JobRequest::ScanWorkspace { .. } | JobRequest::WorkspaceRemote { .. } => {
                Domain::Workspace
            }
        }
    }
}

impl AccessRequest {
    /// What the jobs strip calls it.
    fn title(&self) -> String {
        match self {
            AccessRequest::Identity { .. } => "Ask STS who this is".into(),
            AccessRequest::Overview { .. } => "Read SSH keys and git credentials".into(),
            AccessRequest::NewSshKey { user, .. } => {
                format!("Generate and upload an SSH key for {user}")
            }
            AccessRequest::SetSshKeyActive {
                id, active: true, ..
            } => {
                format!("Activate SSH key {id}")
            }
            AccessRequest::SetSshKeyActive { id, .. } => format!("Deactivate SSH key {id}"),
            AccessRequest::DeleteSshKey { id, .. } => format!("Delete SSH key {id}"),
            AccessRequest::WriteSshConfig { .. } => "Add the Host block to ~/.ssh/config".into(),
            AccessRequest::TestSsh(test) => format!("Test SSH: list {}", test.url),
            AccessRequest::CreateGitCredential { user, .. } => {
                format!("Create HTTPS git credentials for {user}")
            }
            AccessRequest::ResetGitCredential { id, .. } => {
                format!("Reset the password of {id}")
            }
            AccessRequest::SetGitCredentialActive {
                id, active: true, ..
            } => {
                format!("Activate git credential {id}")
            }
            AccessRequest::SetGitCredentialActive { id, .. } => {
                format!("Deactivate git credential {id}")
            }
            AccessRequest::DeleteGitCredential { id, .. } => {
                format!("Delete git credential {id}")
            }
            AccessRequest::Permissions { branch, .. } => {
                format!("Ask IAM what you may do on {branch}")
            }
            AccessRequest::StoreGitCredential { .. } => {
                "Give the git password to git's credential helper".into()
            }
            AccessRequest::WriteHelperConfig { .. } => {
                "Set up cctui credential-helper in the git config".into()
            }
        }
    }
}

/// How far a job has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What it is doing now ("receiving objects").
    pub phase: String,
    /// Done so far.
    pub current: u64,
    /// Out of (when known).
    pub total: Option<u64>,
}

/// The useful result of a job (partial results arrive as [`JobEvent::Output`]), by the area
/// that receives it: the dispatcher matches on the area, the area on its own outputs.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutput {
    /// For the repositories pane.
    Repos(ReposOutput),
    /// For the clone flow.
    Clone(CloneOutput),
    /// For the working-tree panes.
    Worktree(WorktreeOutput),
    /// For the branches pane.
    Branches(BranchesOutput),
    /// For the access screen (and the header's identity).
    Access(AccessOutput),
    /// For the pull requests screen.
    Pulls(pulls_job::PullsOutput),
    /// For the integrations screen.
    Integrations(integrations_job::IntegrationsOutput),
    /// For the undo list and `z`.
    Undo(UndoOutput),
    /// For the workspace screen.
    Workspace(WorkspaceOutput),
}

/// Results for the workspace screen.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkspaceOutput {
    /// Summaries of some clones (a partial result of a scan).
    Rows(Vec<crate::git::workspace::CloneSummary>),
    /// The scan ended.
    Scanned {
        /// Clones read.
        total: usize,
    },
    /// A bulk fetch or pull of one clone ended well.
    RemoteDone {
        /// Work tree.
        repo: PathBuf,
        /// What happened.
        message: String,
    },
}

/// Results for the undo list and `z`.
#[derive(Debug, Clone, PartialEq)]
pub enum UndoOutput {
    /// The changes cctui made in this clone, newest first.
    Log {
        /// Work tree.
        repo: PathBuf,
        /// The changes.
        entries: Vec<crate::git::undo_log::UndoEntry>,
    },
    /// A change was undone.
    Undone {
        /// Work tree.
        repo: PathBuf,
        /// What was done.
        message: String,
    },
}

impl JobOutput {
    /// Whether the job stopped to ask the user (a login, a passphrase, a host key, an
    /// identity): it did nothing, and the answer starts a new job, with its own row.
    pub fn asks(&self) -> bool {
        matches!(
            self,
            JobOutput::Clone(CloneOutput::Needs { .. })
                | JobOutput::Worktree(
                    WorktreeOutput::RemoteNeeds { .. } | WorktreeOutput::NeedsIdentity { .. }
                )
                | JobOutput::Access(AccessOutput::SshTestNeeds { .. })
        )
    }
}

/// Results for the repositories pane.
#[derive(Debug, Clone, PartialEq)]
pub enum ReposOutput {
    /// Profile names, `default` first when present.
    Profiles(Vec<String>),
    /// What of the AWS setup is missing.
    Setup(SetupReport),
    /// Some repositories of a listing, with their local clone if any.
    RepositoryBatch {
        /// Where they were listed.
        target: Target,
        /// Repositories with the path of their local clone.
        repositories: Vec<(Repository, Option<PathBuf>)>,
    },
    /// One target of an all-regions listing failed; the others go on.
    TargetFailed {
        /// Which pair.
        target: Target,
        /// Why.
        failure: JobFailure,
    },
    /// A listing ended.
    Listed {
        /// Repositories counted.
        total: usize,
    },
    /// Detail extras of a repository.
    Extras {
        /// Which repository.
        key: RepoKey,
        /// Tags and triggers.
        extras: RepositoryExtras,
    },
    /// A repository was created.
    Created(Repository),
    /// A repository was renamed.
    Renamed {
        /// The repository, by its old name.
        key: RepoKey,
        /// New name.
        new: String,
    },
    /// A description changed.
    Described {
        /// Repository.
        key: RepoKey,
        /// New description.
        description: String,
    },
    /// A repository was deleted (`id` is `None` if it was already gone).
    Deleted {
        /// Repository.
        key: RepoKey,
        /// Its id.
        id: Option<String>,
    },
}

/// Results for the clone flow.
#[derive(Debug, Clone, PartialEq)]
pub enum CloneOutput {
    /// A clone finished.
    Cloned {
        /// The repository, as the listing knows it.
        key: RepoKey,
        /// Repository name.
        repository: String,
        /// Where it is.
        path: PathBuf,
        /// What was checked out, when the clone had to choose (a dangling remote HEAD).
        note: Option<String>,
    },
    /// A clone whose remote HEAD names no branch, with several branches and no default on
    /// CodeCommit: nothing is checked out yet; the user picks one.
    ChooseBranch {
        /// The repository, as the listing knows it.
        key: RepoKey,
        /// Repository name.
        repository: String,
        /// Where the clone is.
        path: PathBuf,
        /// The remote's branches.
        branches: Vec<String>,
    },
    /// A clone stopped to ask the user something; the job is retried with the answer.
    Needs {
        /// The clone to retry.
        job: Box<CloneJob>,
        /// What to ask.
        need: CloneNeed,
    },
}

/// Results for the working-tree panes.
#[derive(Debug, Clone, PartialEq)]
pub enum WorktreeOutput {
    /// The recent-clones list, newest first.
    Recent(Vec<PathBuf>),
    /// A status read.
    Status {
        /// The status.
        status: Status,
        /// Ahead/behind the upstream.
        ahead_behind: Option<(usize, usize)>,
        /// The message of a merge in progress (`MERGE_MSG`).
        merge_message: Option<String>,
        /// The URL of `origin`, which says which CodeCommit repository the clone belongs to.
        origin_url: Option<String>,
    },
    /// A page of history.
    LogPage {
        /// Commits, newest first.
        commits: Vec<CommitInfo>,
        /// Where the next page starts.
        next: Option<String>,
        /// Appends to the loaded pages (else replaces them).
        append: bool,
    },
    /// A diff for the diff view.
    Diff {
        /// Files with hunks.
        files: Vec<FileDiff>,
    },
    /// The index or working tree of this clone changed.
    IndexChanged {
        /// Work tree.
        repo: PathBuf,
    },
    /// A commit was made in this clone.
    Committed {
        /// Work tree.
        repo: PathBuf,
        /// The commit.
        outcome: CommitOutcome,
    },
    /// The message file is written: run the editor on it.
    MessageFileReady {
        /// Work tree.
        repo: PathBuf,
        /// The file and the editor.
        file: crate::git::message_file::MessageFile,
    },
    /// What the editor left, comments stripped (empty: abort the commit).
    MessageEdited {
        /// Work tree.
        repo: PathBuf,
        /// The message.
        message: String,
    },
    /// A commit found no `user.name` / `user.email`: nothing was committed; ask for them.
    NeedsIdentity {
        /// Work tree.
        repo: PathBuf,
        /// What is missing (`user.name`, `user.email` or both).
        missing: String,
    },
    /// The git identity was written.
    IdentitySet {
        /// Work tree.
        repo: PathBuf,
        /// Where, and the backup made first.
        written: crate::git::IdentityWritten,
    },
    /// A push, fetch or pull stopped to ask the user something (same questions as a clone).
    RemoteNeeds {
        /// The operation to run again with the answer.
        job: Box<RemoteJob>,
        /// The URL it goes to (for the question's wording and the login's host).
        url: String,
        /// What to ask.
        need: CloneNeed,
    },
    /// A remote operation on this clone ended; the sentence says how.
    RemoteDone {
        /// Work tree.
        repo: PathBuf,
        /// What happened.
        message: String,
        /// The branch of origin a push updated (`None`: a fetch or a pull).
        pushed: Option<String>,
    },
}

/// Results for the access screen.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessOutput {
    /// Who the session is (the header).
    Identity(crate::aws::identity::Identity),
    /// What IAM says the caller may do with a repository and branch.
    Permissions(Vec<crate::aws::permissions::Decision>),
    /// Everything the screen shows. `None`: not an IAM user (roles own no keys).
    Overview {
        /// Who.
        identity: crate::aws::identity::Identity,
        /// The user's SSH keys, or why they could not be listed.
        ssh_keys: Option<Result<Vec<crate::aws::ssh_keys::SshKey>, String>>,
        /// The user's CodeCommit git credentials, or why not.
        git_credentials: Option<Result<Vec<crate::aws::git_credentials::GitCredential>, String>>,
        /// The helpers git would use for CodeCommit, or why git could not say.
        helpers: Result<crate::git::credential_setup::HelperStatus, String>,
    },
    /// A new key pair was written and uploaded.
    SshKeyUploaded {
        /// The key as IAM has it (its SSH key ID).
        key: crate::aws::ssh_keys::SshKey,
        /// The files.
        pair: crate::git::ssh_setup::KeyPair,
        /// The exact `Host` block proposed for `~/.ssh/config`.
        host_block: Vec<String>,
    },
    /// A key or credential changed (activated, deactivated, deleted); the sentence says how.
    Changed(String),
    /// `~/.ssh/config` or the git config was appended to.
    ConfigWritten {
        /// The file and its backup.
        written: crate::git::ssh_setup::ConfigWritten,
        /// It was `~/.ssh/config` (else the git config).
        ssh: bool,
    },
    /// The SSH test listed the repository.
    SshTested {
        /// The URL.
        url: String,
        /// Refs the remote advertised.
        refs: usize,
    },
    /// The SSH test stopped to ask (passphrase, host key).
    SshTestNeeds {
        /// The test to run again.
        test: Box<SshTest>,
        /// What to ask.
        need: CloneNeed,
    },
    /// New or reset git credentials, with the password (shown once).
    GitCredentialIssued(Box<crate::aws::git_credentials::NewGitCredential>),
    /// The password was given to git's helpers.
    GitCredentialStored {
        /// The helpers git has for that host.
        helpers: Vec<String>,
    },
}

/// Results for the branches pane.
#[derive(Debug, Clone, PartialEq)]
pub enum BranchesOutput {
    /// Local branches, remote-tracking branches and stashes.
    Branches {
        /// Local branches.
        local: Vec<LocalBranch>,
        /// Remote-tracking branches.
        remote: Vec<RemoteBranch>,
        /// Stash entries.
        stashes: Vec<StashEntry>,
    },
    /// CodeCommit's branches (a partial result of a branches read).
    ServerBranches {
        /// The branches, or why they could not be listed.
        branches: Result<Vec<ServerBranch>, String>,
    },
    /// A branch operation on this clone (or its CodeCommit repository) ended.
    Done {
        /// Work tree (`None`: a CodeCommit-only operation).
        repo: Option<PathBuf>,
        /// What happened.
        message: String,
        /// Conflicted files when a merge stopped.
        conflicts: Vec<String>,
    },
    /// A branch operation stopped to ask something.
    Needs {
        /// Work tree.
        repo: PathBuf,
        /// What to ask.
        need: BranchNeed,
    },
}

/// Why a job failed, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    /// What went wrong.
    pub message: String,
    /// What to do next.
    pub hint: Option<String>,
    /// Something cctui can run for the user before retrying the job, when there is one.
    pub remedy: Option<Remedy>,
}

/// What cctui can do about a failure before retrying the job that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// The profile's SSO session expired: `aws sso login [--profile NAME]` renews it.
    SsoLogin {
        /// The profile whose session expired (`None`: the default one).
        profile: Option<String>,
    },
}

/// The message of a job that stopped because it was asked to, with nothing changed.
const CANCELLED: &str = "cancelled";

impl JobFailure {
    /// A failure with a message and, where one helps, what to do next.
    pub fn new(message: impl Into<String>, hint: Option<String>) -> JobFailure {
        JobFailure {
            message: message.into(),
            hint,
            remedy: None,
        }
    }

    /// The job stopped when asked, before changing anything.
    pub fn cancelled() -> JobFailure {
        JobFailure::new(CANCELLED, None)
    }

    /// Whether this is [`JobFailure::cancelled`].
    pub fn is_cancelled(&self) -> bool {
        self.message == CANCELLED && self.hint.is_none()
    }

    /// A job panicked: a bug. The message goes to the log with the job's title.
    pub fn panicked(title: &str, panic: &(dyn std::any::Any + Send)) -> JobFailure {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        tracing::error!(job = %title, panic = %detail, "a job panicked");
        JobFailure::new(
            format!("\"{title}\" stopped on an internal error: {detail}"),
            Some("This is a bug in cctui; the log file (see ? help) has the details.".into()),
        )
    }
}

/// What a job reports.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// The job started.
    Started {
        /// Its title.
        title: String,
        /// Whether the jobs strip shows it.
        visible: bool,
        /// Whether it changes something (quitting waits for it).
        writes: bool,
        /// Who receives its results.
        domain: Domain,
    },
    /// The job made progress.
    Progress(Progress),
    /// A partial result (a batch of a listing).
    Output(JobOutput),
    /// The job ended on its own.
    Finished(Result<JobOutput, JobFailure>),
    /// The job was cancelled before it ended.
    Cancelled,
}

/// A job event with the job it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct JobUpdate {
    /// The job.
    pub id: JobId,
    /// What happened.
    pub event: JobEvent,
}

/// What a running job can use: where to send progress, and whether to stop.
#[derive(Debug, Clone)]
pub struct JobContext {
    id: JobId,
    updates: UnboundedSender<JobUpdate>,
    cancel: CancellationToken,
}

impl JobContext {
    /// Reports progress (sending fails only when the app is gone, which is fine to ignore).
    pub fn progress(&self, phase: impl Into<String>, current: u64, total: Option<u64>) {
        let event = JobEvent::Progress(Progress {
            phase: phase.into(),
            current,
            total,
        });
        let _ = self.updates.send(JobUpdate { id: self.id, event });
    }

    /// Says the job is past its point of no return: it will complete even if cancelled.
    pub fn finishing(&self) {
        self.progress(FINISHING, 0, None);
    }

    /// Sends a partial result.
    pub fn output(&self, output: JobOutput) {
        let _ = self.updates.send(JobUpdate {
            id: self.id,
            event: JobEvent::Output(output),
        });
    }

    /// Whether the user asked this job to stop; blocking work polls this.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Fails with "cancelled" when the user asked this job to stop: write jobs call it at the
    /// last point where stopping still leaves everything as it was.
    pub fn check_cancelled(&self) -> Result<(), JobFailure> {
        if self.is_cancelled() {
            Err(JobFailure::cancelled())
        } else {
            Ok(())
        }
    }

    /// The token, for `select!` in async work.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }
}

/// Runs a job's work to its last event: a read is dropped when cancelled, a write runs until
/// it returns; "cancelled" only for work that stopped with nothing changed; a panic is a
/// failed job (with a log entry), never a crash of the app.
async fn guarded(
    title: &str,
    writes: bool,
    cancel: &CancellationToken,
    work: impl std::future::Future<Output = Result<JobOutput, JobFailure>>,
) -> JobEvent {
    let work = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(work));
    let ended = if writes {
        Some(work.await)
    } else {
        tokio::select! {
            biased;
            () = cancel.cancelled() => None,
            ended = work => Some(ended),
        }
    };
    match ended {
        None => JobEvent::Cancelled,
        // A write is "cancelled" only when it says it stopped with nothing changed; a write
        // that failed after the user asked to cancel reports its failure.
        Some(Ok(Err(failure))) if failure.is_cancelled() || (!writes && cancel.is_cancelled()) => {
            JobEvent::Cancelled
        }
        Some(Ok(result)) => JobEvent::Finished(result),
        Some(Err(panic)) => JobEvent::Finished(Err(JobFailure::panicked(title, &*panic))),
    }
}

/// The progress phase of a job past its point of no return.
pub const FINISHING: &str = "finishing…";

/// Starts jobs and cancels them.
#[derive(Debug)]
pub struct JobManager {
    updates: UnboundedSender<JobUpdate>,
    running: Running,
    services: Services,
}

/// What jobs use: AWS clients, the workspace root, where undo logs go, and the locks and
/// caches they share.
#[derive(Debug, Clone)]
pub struct Services {
    /// CodeCommit clients by target.
    pub clients: Clients,
    /// Where clones live (`<root>/<repository>`).
    pub workspace_root: PathBuf,
    /// Clones running at once (bulk clone queues behind it).
    pub clone_slots: Arc<tokio::sync::Semaphore>,
    /// One write job per clone at a time (commit, push, stage…); others wait their turn.
    pub repo_locks: Arc<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>>,
    /// The last status read of the open clone, for refreshes that look only at what changed.
    pub status_cache: StatusCache,
    /// Where the write jobs record what they changed, for `z`.
    pub undo_logs: undo_job::UndoLogs,
}

/// The last status summary read, with its clone (one: the open clone's).
pub type StatusCache =
    Arc<Mutex<Option<(PathBuf, Arc<crate::git::status_summary::WorktreeSummary>)>>>;

impl Services {
    /// The app's services: clients, clones under `workspace_root`, undo logs in the data dir,
    /// [`CLONE_CONCURRENCY`] clones at a time.
    pub fn new(clients: Clients, workspace_root: PathBuf) -> Services {
        Services {
            clients,
            workspace_root,
            clone_slots: Arc::new(tokio::sync::Semaphore::new(CLONE_CONCURRENCY)),
            repo_locks: Arc::default(),
            status_cache: Arc::default(),
            undo_logs: undo_job::UndoLogs::in_data_dir(),
        }
    }

    /// The write lock of one clone.
    pub fn repo_lock(&self, repo: &std::path::Path) -> Arc<tokio::sync::Mutex<()>> {
        match self.repo_locks.lock() {
            Ok(mut locks) => Arc::clone(locks.entry(repo.to_path_buf()).or_default()),
            Err(_) => Arc::default(),
        }
    }

    /// Waits for the clone's write lock (saying so while another job holds it), then checks
    /// that the job was not cancelled meanwhile. The guard is held by the job until its
    /// blocking work has ended, so a second writer never starts beside it.
    pub async fn write_lock(
        &self,
        repo: &std::path::Path,
        context: &JobContext,
    ) -> Result<tokio::sync::OwnedMutexGuard<()>, JobFailure> {
        let lock = self.repo_lock(repo);
        let guard = match Arc::clone(&lock).try_lock_owned() {
            Ok(guard) => guard,
            Err(_) => {
                context.progress("waiting for other work on this clone", 0, None);
                tokio::select! {
                    guard = lock.lock_owned() => guard,
                    () = context.token().cancelled() => return Err(JobFailure::cancelled()),
                }
            }
        };
        context.check_cancelled()?;
        Ok(guard)
    }
}

/// Clones run at most this many at once.
pub const CLONE_CONCURRENCY: usize = 4;

/// The cancellation token of each running job.
type Running = Arc<Mutex<HashMap<JobId, CancellationToken>>>;

impl JobManager {
    /// A manager whose jobs report on `updates` and use `services`.
    pub fn new(updates: UnboundedSender<JobUpdate>, services: Services) -> JobManager {
        JobManager {
            updates,
            running: Arc::default(),
            services,
        }
    }

    /// Replaces the AWS clients of jobs started from now on (the demo started from the
    /// first-run screen brings its own credentials).
    pub fn set_clients(&mut self, clients: Clients) {
        self.services.clients = clients;
    }

    /// Starts a job with the id `update` gave it, on the current tokio runtime.
    ///
    /// Reads are dropped when cancelled. Writes are never dropped: they run until they return,
    /// having checked the token before their point of no return, so "cancelled" is only said
    /// of work that changed nothing. A panic inside a job becomes a failed job, not a crash.
    pub fn spawn(&mut self, id: JobId, request: JobRequest) {
        let cancel = CancellationToken::new();
        let writes = request.writes();
        if let Ok(mut running) = self.running.lock() {
            running.insert(id, cancel.clone());
        }
        let title = request.title();
        let started = JobEvent::Started {
            title: title.clone(),
            visible: request.visible(),
            writes,
            domain: request.domain(),
        };
        let _ = self.updates.send(JobUpdate { id, event: started });
        let context = JobContext {
            id,
            updates: self.updates.clone(),
            cancel: cancel.clone(),
        };
        let running = Arc::clone(&self.running);
        let updates = self.updates.clone();
        let services = self.services.clone();
        tokio::spawn(async move {
            let work = run::run(request, context, services);
            let event = guarded(&title, writes, &cancel, work).await;
            if let Ok(mut running) = running.lock() {
                running.remove(&id);
            }
            let _ = updates.send(JobUpdate { id, event });
        });
    }

    /// Asks a job to stop. Reads stop at once; writes at their next check, or not at all once
    /// past their point of no return.
    pub fn cancel(&self, id: JobId) {
        if let Ok(running) = self.running.lock()
            && let Some(job) = running.get(&id)
        {
            job.cancel();
        }
    }

    /// Asks every job to stop.
    pub fn cancel_all(&self) {
        if let Ok(running) = self.running.lock() {
            running.values().for_each(CancellationToken::cancel);
        }
    }

    /// How many jobs have not reported their end yet.
    pub fn running(&self) -> usize {
        self.running.lock().map(|r| r.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    #[allow(clippy::panic)]
    async fn a_panicking_job_becomes_a_failed_job() {
        let cancel = CancellationToken::new();
        let work = async { panic!("index out of range in the diff") };
        let event = guarded("Read diff", false, &cancel, work).await;
        let JobEvent::Finished(Err(failure)) = event else {
            panic!("{event:?}")
        };
        assert!(failure.message.contains("Read diff"), "{failure:?}");
        assert!(
            failure.message.contains("index out of range"),
            "{failure:?}"
        );
        assert!(failure.hint.is_some_and(|h| h.contains("bug")));
    }

    #[tokio::test]
    async fn a_cancelled_write_runs_to_its_end_and_says_how_it_ended() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        // Past its point of no return, a write completes: it is reported as done.
        let landed = guarded("Commit", true, &cancel, async {
            Ok(JobOutput::Worktree(WorktreeOutput::Recent(Vec::new())))
        })
        .await;
        assert!(matches!(landed, JobEvent::Finished(Ok(_))), "{landed:?}");
        // Stopped before it: cancelled.
        let stopped = guarded("Commit", true, &cancel, async {
            Err(JobFailure::cancelled())
        })
        .await;
        assert_eq!(stopped, JobEvent::Cancelled);
        // A read is simply dropped.
        let read = guarded("Read status", false, &cancel, std::future::pending()).await;
        assert_eq!(read, JobEvent::Cancelled);
    }
}
