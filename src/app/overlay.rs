//! Overlays: a stack in [`super::state::State`]; the top one takes the keys, `Esc` closes it.

use super::action::Action;
use super::command::{CommandId, Context};
use crate::config::CloneProtocol;

/// What a picker's choice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerPurpose {
    /// Switch the AWS profile.
    Profile,
    /// Switch the AWS region.
    Region,
    /// Open a recent clone.
    RecentClone,
    /// Check out a branch of origin in a fresh clone whose remote HEAD named none.
    CheckoutBranch(std::path::PathBuf),
    /// The repository the access screen's SSH test lists.
    TestSsh,
}

/// What a text input's value is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputPurpose {
    /// Incremental filter of the repositories pane.
    RepositoryFilter,
    /// The git user name for a clone, push, fetch or pull that needs one.
    GitUsername {
        /// The operation to run again.
        retry: crate::jobs::Retry,
        /// The host the login is for.
        host: String,
    },
    /// The git password, after the user name.
    GitPassword {
        /// The operation to run again.
        retry: crate::jobs::Retry,
        /// The host the login is for.
        host: String,
        /// The user name typed.
        username: String,
    },
    /// The passphrase of an SSH key.
    SshPassphrase(crate::jobs::Retry),
    /// A URL to clone.
    CloneUrl,
    /// The remote branch to push the current branch of this clone to.
    PushBranch {
        /// The clone the input was opened for (the open clone may change meanwhile).
        repo: std::path::PathBuf,
        /// Its current branch.
        branch: String,
    },
    /// The message of a new stash.
    StashMessage,
    /// A passphrase of the access screen.
    Access(super::access_update::AccessInput),
}

/// One entry of a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerItem {
    /// What is chosen.
    pub value: String,
    /// A dimmed note beside it.
    pub detail: String,
}

/// One overlay on the stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The `?` screen: every key of every context, from the command table.
    Help {
        /// First visible line.
        scroll: usize,
    },
    /// The `:` palette: fuzzy search over command descriptions.
    Palette {
        /// What the user typed.
        query: String,
        /// Selected row among the matches.
        selected: usize,
    },
    /// Choose one value from a list, with type-to-filter.
    Picker {
        /// Title of the box.
        title: String,
        /// All entries.
        items: Vec<PickerItem>,
        /// Typed filter.
        filter: String,
        /// Selected row among the matches.
        selected: usize,
        /// What the choice does.
        purpose: PickerPurpose,
    },
    /// A one-line text field.
    Input {
        /// Title of the box.
        title: String,
        /// Current text.
        value: String,
        /// Show bullets instead of the text (passwords, passphrases).
        masked: bool,
        /// What the value is for.
        purpose: InputPurpose,
    },
    /// Ask before doing something that cannot be undone or that interrupts work.
    Confirm {
        /// Title of the box.
        title: String,
        /// What will happen, in full.
        message: String,
        /// Runs on yes.
        on_yes: Box<Action>,
    },
    /// A form of several text fields (create, rename, describe).
    Form(Form),
    /// Delete a repository: the user must type its name.
    DeleteRepository {
        /// The repository.
        key: crate::model::RepoKey,
        /// What the user typed so far.
        typed: String,
    },
    /// Clone one or several repositories: protocol and target.
    CloneDialog {
        /// Repositories to clone.
        repositories: Vec<crate::model::RepoKey>,
        /// Protocol (←/→ to change).
        protocol: CloneProtocol,
        /// Target directory (one repository) or parent directory (several).
        path: String,
        /// 0: protocol, 1: path.
        focus: usize,
        /// Set when cloning a typed URL instead of listed repositories.
        source: Option<Box<crate::jobs::CloneSource>>,
    },
    /// Everything about one repository, with its clone URLs.
    RepositoryDetail {
        /// The repository.
        key: crate::model::RepoKey,
        /// Which clone URL `y` copies.
        url: crate::aws::urls::UrlKind,
    },
    /// A file's or a commit's diff, full screen.
    Diff(Box<super::worktree::DiffView>),
    /// The commit message editor.
    CommitEditor(super::worktree::CommitEditor),
    /// The conflict panel of a merge in progress.
    Conflicts {
        /// Selected conflicted file.
        selected: usize,
    },
    /// The access screen (its state is [`super::access::AccessState`]).
    Access,
    /// What IAM says the caller may do (its state is [`super::permissions::PermissionsState`]).
    Permissions,
    /// The pull requests list (its state is [`super::pulls::PullsState`]).
    Pulls,
    /// One pull request, above the list (its state is `PullsState::view`).
    PullView,
    /// The merge dialog of the open pull request.
    PullMerge(Box<super::pulls::MergeDialog>),
    /// A comment, reply, edited comment or new pull request being written.
    Compose(Box<super::pulls::Compose>),
    /// A new git password, shown once; closing it forgets the password.
    GitPassword(Box<super::access::PasswordView>),
    /// Something went wrong; says what and what to do next.
    Error {
        /// What failed.
        message: String,
        /// What to do about it.
        hint: Option<String>,
    },
    /// The recent changes cctui made in the open clone (its state is
    /// [`super::undo::UndoState`]).
    UndoList,
    /// The workspace screen (its state is [`super::workspace::WorkspaceState`]).
    Workspace,
    /// The workspace screen's filter box.
    WorkspaceFilter,
    /// The integrations screen (its state is [`super::integrations::IntegrationsState`]).
    Integrations,
}

impl Overlay {
    /// The command context that resolves keys while this overlay is on top.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Confirm { .. } => Context::Confirm,
            Overlay::Access | Overlay::GitPassword(_) => Context::Access,
            Overlay::Pulls => Context::Pulls,
            Overlay::PullView => Context::PullView,
            Overlay::Workspace => Context::Workspace,
            Overlay::Integrations => Context::Integrations,
            _ => Context::Overlay,
        }
    }

    /// Whether printable keys type text rather than run commands.
    pub fn takes_text(&self) -> bool {
        matches!(
            self,
            Overlay::Palette { .. }
                | Overlay::Picker { .. }
                | Overlay::Input { .. }
                | Overlay::Form(_)
                | Overlay::DeleteRepository { .. }
                | Overlay::CloneDialog { .. }
                | Overlay::CommitEditor(_)
                | Overlay::Compose(_)
                | Overlay::WorkspaceFilter
        )
    }

    /// Whether `q` and `?` still reach the app while this overlay is on top: an error or a
    /// read-only view must never trap the user. Overlays that take text or ask a question
    /// keep those keys.
    pub fn lets_through(&self) -> bool {
        matches!(
            self,
            Overlay::Error { .. }
                | Overlay::RepositoryDetail { .. }
                | Overlay::Diff(_)
                | Overlay::Access
                | Overlay::Pulls
                | Overlay::PullView
                | Overlay::Permissions
                | Overlay::UndoList
                | Overlay::Workspace
                | Overlay::Integrations
        )
    }

    /// Global commands that still work while this overlay is on top: movement and force quit.
    pub fn allows_global(id: CommandId) -> bool {
        matches!(
            id,
            CommandId::Up
                | CommandId::Down
                | CommandId::PageUp
                | CommandId::PageDown
                | CommandId::Top
                | CommandId::Bottom
                | CommandId::ForceQuit
                | CommandId::Suspend
                | CommandId::DemoSwitchUser
                | CommandId::OpenPermissions
        )
    }
}

/// What a form does on submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// Create a repository: name, description, tags, KMS key.
    CreateRepository,
    /// Rename a repository: new name.
    RenameRepository {
        /// The repository, by its current name.
        key: crate::model::RepoKey,
    },
    /// Change a repository's description.
    DescribeRepository {
        /// The repository.
        key: crate::model::RepoKey,
    },
    /// Create a local branch (and optionally the same on CodeCommit).
    CreateBranch {
        /// Where it starts.
        start: crate::git::branch::StartPoint,
        /// The start point as shown.
        from: String,
    },
    /// Rename a local branch.
    RenameBranch {
        /// Current name.
        old: String,
    },
    /// Set `user.name` / `user.email` after a commit found none.
    GitIdentity {
        /// The clone whose commit needs it.
        repo: std::path::PathBuf,
    },
    /// A new trigger of the integrations screen's repository.
    NewTrigger,
    /// A new notification rule of the integrations screen's repository.
    NewRule,
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormField {
    /// Label.
    pub label: &'static str,
    /// Current text.
    pub value: String,
    /// Why the value is refused, checked on every keystroke.
    pub error: Option<String>,
    /// A dimmed explanation under the field.
    pub help: &'static str,
}

/// A form overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// What submit does.
    pub kind: FormKind,
    /// Title of the box.
    pub title: String,
    /// Fields in order.
    pub fields: Vec<FormField>,
    /// Field with the cursor.
    pub focus: usize,
    /// The request sent and not answered yet: the form waits and takes no second submit.
    pub pending: Option<crate::jobs::JobId>,
}

impl Form {
    /// Whether every field is valid.
    pub fn valid(&self) -> bool {
        self.fields.iter().all(|f| f.error.is_none())
    }
}
