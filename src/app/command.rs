//! Commands as data: one table from which key dispatch, footer hints, the `?` help screen and
//! the `:` palette are all generated (DESIGN.md, "Commands are data").
//!
//! A command belongs to a [`Context`]: `Global` commands work everywhere (unless an overlay is
//! open), pane commands only when that pane has focus, overlay commands only while that overlay
//! is on top. User overrides (config `[keys]`) replace the default keys of a command by id.

use serde::{Deserialize, Serialize};

/// Where a command applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Context {
    /// Any pane, no overlay open.
    Global,
    /// The repositories pane has focus.
    Repositories,
    /// The log pane has focus.
    Log,
    /// The branches pane has focus.
    Branches,
    /// The working-tree status pane has focus.
    Status,
    /// The jobs strip has focus.
    Jobs,
    /// Any list-like overlay (picker, palette, help).
    Overlay,
    /// A yes/no confirmation.
    Confirm,
    /// The access screen (SSH keys, git credentials, credential helper) and its password view.
    Access,
    /// The pull requests list.
    Pulls,
    /// One pull request's view.
    PullView,
    /// The workspace screen (every clone, bulk fetch and pull).
    Workspace,
    /// The integrations screen (a repository's triggers and notification rules).
    Integrations,
}

impl Context {
    /// The heading used in the help screen.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Repositories => "Repositories pane",
            Context::Log => "Log pane",
            Context::Branches => "Branches pane",
            Context::Status => "Status pane",
            Context::Jobs => "Jobs strip",
            Context::Overlay => "Pickers, palette and help",
            Context::Confirm => "Confirmation",
            Context::Access => "Access screen",
            Context::Pulls => "Pull requests list",
            Context::PullView => "Pull request view",
            Context::Workspace => "Workspace screen",
            Context::Integrations => "Integrations screen",
        }
    }
}

macro_rules! command_ids {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Identifies a command; the snake_case name is what the config's `[keys]` table uses.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum CommandId { $($variant),* }

        impl CommandId {
            /// Every command id, in table order.
            pub const ALL: &'static [CommandId] = &[$(CommandId::$variant),*];

            /// The stable name used in config files and the palette.
            pub fn name(self) -> &'static str {
                match self { $(CommandId::$variant => $name),* }
            }

            /// Looks a command up by its config name.
            pub fn from_name(name: &str) -> Option<CommandId> {
                match name { $($name => Some(CommandId::$variant),)* _ => None }
            }
        }
    };
}

command_ids! {
    Quit => "quit",
    ForceQuit => "force_quit",
    StartDemo => "start_demo",
    Help => "help",
    Palette => "palette",
    NextPane => "next_pane",
    PrevPane => "prev_pane",
    FocusRepositories => "focus_repositories",
    FocusLog => "focus_log",
    FocusStatus => "focus_status",
    FocusJobs => "focus_jobs",
    Suspend => "suspend",
    Up => "up",
    Down => "down",
    PageUp => "page_up",
    PageDown => "page_down",
    Top => "top",
    Bottom => "bottom",
    CancelJob => "cancel_job",
    ClearFinishedJobs => "clear_finished_jobs",
    Close => "close",
    Accept => "accept",
    Yes => "yes",
    No => "no",
    Refresh => "refresh",
    Filter => "filter",
    ClearFilter => "clear_filter",
    Sort => "sort",
    Details => "details",
    CopyUrl => "copy_url",
    CreateRepository => "create_repository",
    RenameRepository => "rename_repository",
    DescribeRepository => "describe_repository",
    DeleteRepository => "delete_repository",
    PickProfile => "pick_profile",
    PickRegion => "pick_region",
    AllRegions => "all_regions",
    NextField => "next_field",
    PrevField => "prev_field",
    CopyDetailUrl => "copy_detail_url",
    ToggleMark => "toggle_mark",
    CloneRepository => "clone_repository",
    OptionPrev => "option_prev",
    OptionNext => "option_next",
    CloneUrl => "clone_url",
    OpenClone => "open_clone",
    StatusRefresh => "status_refresh",
    ToggleStage => "toggle_stage",
    StageAll => "stage_all",
    UnstageAll => "unstage_all",
    Discard => "discard",
    ShowDiff => "show_diff",
    CommitChanges => "commit",
    AmendCommit => "amend",
    Push => "push",
    Fetch => "fetch",
    Pull => "pull",
    ShowCommit => "show_commit",
    NextHunk => "next_hunk",
    PrevHunk => "prev_hunk",
    StageHunk => "stage_hunk",
    UnstageHunk => "unstage_hunk",
    SubmitCommit => "submit_commit",
    EditMessageInEditor => "edit_message_in_editor",
    ForcePush => "force_push",
    OpenRecent => "open_recent",
    FocusBranches => "focus_branches",
    BranchesRefresh => "branches_refresh",
    SwitchBranch => "switch_branch",
    NewBranch => "new_branch",
    RenameBranch => "rename_branch",
    MergeBranch => "merge_branch",
    DeleteBranch => "delete_branch",
    SetDefaultBranch => "set_default_branch",
    StashSave => "stash_save",
    TakeOurs => "take_ours",
    TakeTheirs => "take_theirs",
    TakeBoth => "take_both",
    MarkResolved => "mark_resolved",
    AbortMerge => "abort_merge",
    CommitMerge => "commit_merge",
    OpenAccess => "access",
    AccessNextSection => "access_next_section",
    AccessPrevSection => "access_prev_section",
    AccessNew => "access_new",
    AccessToggle => "access_toggle",
    AccessDelete => "access_delete",
    AccessReset => "access_reset_password",
    AccessTestSsh => "access_test_ssh",
    AccessRefresh => "access_refresh",
    AccessStorePassword => "access_store_password",
    OpenPulls => "pull_requests",
    PullsStatus => "pulls_status",
    PullsMine => "pulls_mine",
    PullsWaiting => "pulls_waiting",
    PullsAll => "pulls_all_repositories",
    PullsOpen => "pulls_open",
    PullsNew => "pulls_new",
    PullsRefresh => "pulls_refresh",
    PullNextTab => "pull_next_tab",
    PullNextFile => "pull_next_file",
    PullPrevFile => "pull_prev_file",
    PullComment => "pull_comment",
    PullReply => "pull_reply",
    PullEdit => "pull_edit_comment",
    PullDeleteComment => "pull_delete_comment",
    PullReact => "pull_react",
    PullApprove => "pull_approve",
    PullMerge => "pull_merge",
    PullClose => "pull_close",
    PullRefresh => "pull_refresh",
    DemoSwitchUser => "demo_switch_user",
    EditResolution => "edit_resolution",
    OpenPermissions => "permissions",
    // ---- undo and workspace (issue L) ----
    Undo => "undo",
    UndoList => "undo_list",
    OpenWorkspace => "workspace",
    OpenIntegrations => "integrations",
    IntegrationsNextSection => "integrations_next_section",
    IntegrationsNew => "integrations_new",
    IntegrationsDelete => "integrations_delete",
    IntegrationsTest => "integrations_test_triggers",
    IntegrationsRefresh => "integrations_refresh",
    WorkspaceOpen => "workspace_open",
    WorkspaceMark => "workspace_mark",
    WorkspaceFilter => "workspace_filter",
    WorkspaceSort => "workspace_sort",
    WorkspaceFetch => "workspace_fetch",
    WorkspacePull => "workspace_pull",
    WorkspaceCancel => "workspace_cancel",
    WorkspaceRescan => "workspace_rescan",
    WorkspaceClose => "workspace_close",
}

/// One row of the command table.
#[derive(Debug, Clone, Copy)]
pub struct Command {
    /// Stable identifier.
    pub id: CommandId,
    /// Default keys, in the notation of [`crate::app::keymap::KeySpec`] (`q`, `ctrl-c`, `shift-tab`).
    pub keys: &'static [&'static str],
    /// Where the command applies.
    pub context: Context,
    /// What the command does, as shown in help and matched by the palette.
    pub description: &'static str,
    /// Changes something (a repository, a branch, a file). Hidden and refused in `--readonly`.
    pub mutating: bool,
    /// Short label in the footer hints of its context (`None`: not in the footer).
    pub hint: Option<&'static str>,
}

const fn cmd(
    id: CommandId,
    keys: &'static [&'static str],
    context: Context,
    description: &'static str,
) -> Command {
    Command {
        id,
        keys,
        context,
        description,
        mutating: false,
        hint: None,
    }
}

/// Puts a command in the footer with a short label.
/// Marks a command as changing something (hidden and refused in `--readonly`).
const fn mutating(command: Command) -> Command {
    Command {
        mutating: true,
        ..command
    }
}

const fn hint(label: &'static str, command: Command) -> Command {
    Command {
        hint: Some(label),
        ..command
    }
}

use CommandId as C;
use Context as X;

/// The command table. Order is the order of the help screen and of the footer hints.
#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    hint("quit", cmd(C::Quit, &["q"], X::Global, "Quit cctui (asks first while jobs run)")),
    cmd(C::ForceQuit, &["ctrl-c"], X::Global, "Quit: jobs stop safely first (twice: at once)"),
    hint("help", cmd(C::Help, &["?", "f1"], X::Global, "Show every key and command")),
    hint("commands", cmd(C::Palette, &[":"], X::Global, "Open the command palette")),
    hint("next pane", cmd(C::NextPane, &["tab"], X::Global, "Focus the next pane")),
    cmd(C::PrevPane, &["shift-tab"], X::Global, "Focus the previous pane"),
    cmd(C::FocusRepositories, &["1"], X::Global, "Focus the repositories pane"),
    cmd(C::FocusLog, &["2"], X::Global, "Focus the log pane (history of the open clone)"),
    cmd(C::FocusStatus, &["3"], X::Global, "Focus the working-tree status pane"),
    cmd(C::FocusJobs, &["4"], X::Global, "Focus the jobs strip"),
    cmd(C::FocusBranches, &["5"], X::Global, "Focus the branches pane (local, remote, CodeCommit, stashes)"),
    mutating(cmd(C::CloneUrl, &["C"], X::Global, "Clone a URL (https, ssh or codecommit://)")),
    cmd(C::OpenRecent, &["O"], X::Global, "Open a recently used clone"),
    cmd(C::OpenAccess, &["I"], X::Global, "Access: who you are, SSH keys, HTTPS git credentials, credential helper"),
    cmd(C::DemoSwitchUser, &["ctrl-b"], X::Global, "Demo: act as the next demo user (alice → bob, who reviews → carol, whose master is protected)"),
    cmd(C::OpenPermissions, &["K"], X::Global, "Permissions: what IAM lets you do with this repository and branch (push, merge, delete…)"),
    cmd(C::OpenPulls, &["v"], X::Global, "Pull requests of the open clone's repository (or the selected one): review, comment, approve, merge"),
    cmd(C::PickProfile, &["p"], X::Global, "Switch the AWS profile"),
    cmd(C::PickRegion, &["R"], X::Global, "Switch the AWS region"),
    cmd(C::AllRegions, &["A"], X::Global, "Toggle the all profiles × all regions view"),
    cmd(C::Suspend, &["ctrl-z"], X::Global, "Suspend cctui to the shell (resume with fg)"),
    cmd(C::Up, &["k", "up"], X::Global, "Move the selection up"),
    cmd(C::Down, &["j", "down"], X::Global, "Move the selection down"),
    cmd(C::PageUp, &["ctrl-u", "pageup"], X::Global, "Move the selection up a page"),
    cmd(C::PageDown, &["ctrl-d", "pagedown"], X::Global, "Move the selection down a page"),
    cmd(C::Top, &["g", "home"], X::Global, "Jump to the first row"),
    cmd(C::Bottom, &["G", "end"], X::Global, "Jump to the last row"),
    hint("refresh", cmd(C::Refresh, &["r", "f5"], X::Repositories, "Reload the repository list")),
    cmd(C::StartDemo, &["d"], X::Repositories, "Start the demo on a local service (first run)"),
    hint("filter", cmd(C::Filter, &["/"], X::Repositories, "Filter repositories by name or description")),
    cmd(C::ClearFilter, &["esc"], X::Repositories, "Clear the filter"),
    hint("sort", cmd(C::Sort, &["s"], X::Repositories, "Sort by name or by last change")),
    hint("details", cmd(C::Details, &["enter"], X::Repositories, "Show details and clone URLs")),
    hint("copy URL", cmd(C::CopyUrl, &["y"], X::Repositories, "Copy the clone URL of the default protocol")),
    hint("new", mutating(cmd(C::CreateRepository, &["n"], X::Repositories, "Create a repository"))),
    mutating(cmd(C::RenameRepository, &["m"], X::Repositories, "Rename the selected repository")),
    mutating(cmd(C::DescribeRepository, &["e"], X::Repositories, "Edit the description of the selected repository")),
    mutating(cmd(C::DeleteRepository, &["D"], X::Repositories, "Delete the selected repository (asks for its name)")),
    cmd(C::ToggleMark, &["space"], X::Repositories, "Mark or unmark the repository for a bulk clone"),
    hint("open", cmd(C::OpenClone, &["o"], X::Repositories, "Open the local clone in the status and log panes")),
    hint("stage", mutating(cmd(C::ToggleStage, &["space"], X::Status, "Stage or unstage the selected file or directory"))),
    mutating(cmd(C::StageAll, &["a"], X::Status, "Stage everything")),
    mutating(cmd(C::UnstageAll, &["U"], X::Status, "Unstage everything")),
    mutating(cmd(C::Discard, &["d"], X::Status, "Discard the file's unstaged changes (asks first)")),
    hint("diff", cmd(C::ShowDiff, &["enter"], X::Status, "Show the file's diff (stage hunks there)")),
    hint("commit", mutating(cmd(C::CommitChanges, &["c"], X::Status, "Commit what is staged"))),
    mutating(cmd(C::AmendCommit, &["M"], X::Status, "Amend the last commit")),
    hint("push", mutating(cmd(C::Push, &["P"], X::Status, "Push the current branch to a branch of origin"))),
    mutating(cmd(C::ForcePush, &["alt-p"], X::Status, "Force push the current branch with lease (asks first)")),
    hint("fetch", mutating(cmd(C::Fetch, &["f"], X::Status, "Fetch origin (with prune)"))),
    mutating(cmd(C::Pull, &["F"], X::Status, "Pull: fetch, then fast-forward or merge")),
    cmd(C::StatusRefresh, &["r"], X::Status, "Read the status again"),
    hint("diff", cmd(C::ShowCommit, &["enter"], X::Log, "Show the commit's message and diff")),
    hint("switch", mutating(cmd(C::SwitchBranch, &["enter"], X::Branches, "Switch to the branch (or pop the stash)"))),
    hint("new", mutating(cmd(C::NewBranch, &["n"], X::Branches, "Create a branch from the selected one (or HEAD)"))),
    hint("merge", mutating(cmd(C::MergeBranch, &["m"], X::Branches, "Merge the selected branch into the current one"))),
    mutating(cmd(C::RenameBranch, &["e"], X::Branches, "Rename the local branch")),
    hint("delete", mutating(cmd(C::DeleteBranch, &["D"], X::Branches, "Delete the branch or drop the stash (asks first)"))),
    mutating(cmd(C::SetDefaultBranch, &["*"], X::Branches, "Make the branch CodeCommit's default branch")),
    mutating(cmd(C::StashSave, &["s"], X::Branches, "Stash the local changes, untracked files too")),
    cmd(C::BranchesRefresh, &["r"], X::Branches, "Read the branches again"),
    hint("clone", mutating(cmd(C::CloneRepository, &["c"], X::Repositories, "Clone the marked repositories, or the selected one"))),
    hint("cancel job", cmd(C::CancelJob, &["x"], X::Jobs, "Cancel the selected job")),
    hint("clear finished", cmd(C::ClearFinishedJobs, &["c"], X::Jobs, "Remove finished jobs from the strip")),
    hint("close", cmd(C::Close, &["esc", "q"], X::Overlay, "Close the overlay")),
    hint("choose", cmd(C::Accept, &["enter"], X::Overlay, "Choose the selected entry, or submit")),
    cmd(C::NextField, &["tab"], X::Overlay, "Next field, or next clone URL form"),
    cmd(C::PrevField, &["shift-tab"], X::Overlay, "Previous field, or previous clone URL form"),
    cmd(C::CopyDetailUrl, &["y"], X::Overlay, "Copy the shown clone URL"),
    cmd(C::NextHunk, &["n"], X::Overlay, "Next hunk (diff view)"),
    cmd(C::PrevHunk, &["N"], X::Overlay, "Previous hunk (diff view)"),
    mutating(cmd(C::StageHunk, &["s"], X::Overlay, "Stage the selected hunk (diff view)")),
    mutating(cmd(C::UnstageHunk, &["u"], X::Overlay, "Unstage the selected hunk (diff view)")),
    cmd(C::SubmitCommit, &["ctrl-s"], X::Overlay, "Send: commit (commit editor), comment, reply or new pull request (text editor)"),
    cmd(C::EditMessageInEditor, &["ctrl-e"], X::Overlay, "Write the text in $GIT_EDITOR / core.editor / $VISUAL / $EDITOR (commit editor: then commit; pull request texts: then back here to send)"),
    mutating(cmd(C::TakeOurs, &["o"], X::Overlay, "Resolve with our version (conflict panel; the destination's in a pull request merge)")),
    mutating(cmd(C::TakeTheirs, &["t"], X::Overlay, "Resolve with their version (conflict panel; the source's in a pull request merge)")),
    mutating(cmd(C::TakeBoth, &["b"], X::Overlay, "Resolve with both, ours first (conflict panel)")),
    mutating(cmd(C::EditResolution, &["e"], X::Overlay, "Write the merged content of the conflicting file yourself (pull request merge dialog)")),
    mutating(cmd(C::MarkResolved, &["a"], X::Overlay, "Mark resolved as edited (conflict panel)")),
    mutating(cmd(C::AbortMerge, &["A"], X::Overlay, "Abort the merge (conflict panel, asks first)")),
    mutating(cmd(C::CommitMerge, &["c"], X::Overlay, "Commit the merge once all is resolved (conflict panel)")),
    cmd(C::OptionPrev, &["left"], X::Overlay, "Previous choice (clone protocol)"),
    cmd(C::OptionNext, &["right"], X::Overlay, "Next choice (clone protocol)"),
    hint("section", cmd(C::AccessNextSection, &["tab"], X::Access, "Next access method (SSH, HTTPS git credentials, HTTPS with IAM)")),
    cmd(C::AccessPrevSection, &["shift-tab"], X::Access, "Previous access method"),
    hint("new", mutating(cmd(C::AccessNew, &["n"], X::Access, "New SSH key, new git credentials, or set up the credential helper (by section)"))),
    hint("on/off", mutating(cmd(C::AccessToggle, &["a"], X::Access, "Activate or deactivate the selected SSH key or git credential"))),
    hint("delete", mutating(cmd(C::AccessDelete, &["D"], X::Access, "Delete the selected SSH key or git credential (asks first)"))),
    mutating(cmd(C::AccessReset, &["p"], X::Access, "Reset the password of the selected git credential (asks first)")),
    hint("test SSH", cmd(C::AccessTestSsh, &["t"], X::Access, "Test SSH: list a repository with the key set up")),
    cmd(C::AccessRefresh, &["r"], X::Access, "Read keys, credentials and git's helpers again"),
    mutating(cmd(C::AccessStorePassword, &["s"], X::Access, "Give the new git password to git's credential helper (password view)")),
    hint("open", cmd(C::PullsOpen, &["enter"], X::Pulls, "Open the pull request")),
    hint("open/closed/merged", cmd(C::PullsStatus, &["f"], X::Pulls, "Show open, closed or merged requests (cycles)")),
    hint("mine", cmd(C::PullsMine, &["M"], X::Pulls, "Only my requests (toggle)")),
    hint("waiting for me", cmd(C::PullsWaiting, &["w"], X::Pulls, "Only requests waiting for my approval (toggle)")),
    hint("all repos", cmd(C::PullsAll, &["A"], X::Pulls, "Every repository of the account, or back to one")),
    hint("new", mutating(cmd(C::PullsNew, &["n"], X::Pulls, "Create a pull request from the open clone's current branch"))),
    cmd(C::PullsRefresh, &["r"], X::Pulls, "List the pull requests again"),
    hint("overview/files", cmd(C::PullNextTab, &["tab"], X::PullView, "Switch between the overview and the changed files")),
    hint("next file", cmd(C::PullNextFile, &["]"], X::PullView, "Next changed file")),
    cmd(C::PullPrevFile, &["["], X::PullView, "Previous changed file"),
    hint("comment", mutating(cmd(C::PullComment, &["c"], X::PullView, "Comment on the line under the cursor (files), or on the request (overview)"))),
    hint("reply", mutating(cmd(C::PullReply, &["r"], X::PullView, "Reply to the comment under the cursor"))),
    mutating(cmd(C::PullEdit, &["e"], X::PullView, "Edit your comment under the cursor")),
    mutating(cmd(C::PullDeleteComment, &["D"], X::PullView, "Delete your comment under the cursor (asks first)")),
    mutating(cmd(C::PullReact, &["+"], X::PullView, "React 👍 to the comment under the cursor")),
    hint("approve", mutating(cmd(C::PullApprove, &["a"], X::PullView, "Approve the request, or revoke your approval"))),
    hint("merge", mutating(cmd(C::PullMerge, &["m"], X::PullView, "Merge: fast-forward, squash or three-way, conflicts resolved per file"))),
    mutating(cmd(C::PullClose, &["x"], X::PullView, "Close the request, or reopen it (asks first)")),
    cmd(C::PullRefresh, &["R"], X::PullView, "Read the request again"),
    hint("yes", cmd(C::Yes, &["y", "enter"], X::Confirm, "Confirm")),
    hint("no", cmd(C::No, &["n", "esc"], X::Confirm, "Cancel")),
    // ---- undo and workspace (issue L) ----
    mutating(cmd(C::Undo, &["z"], X::Global, "Undo the last change cctui made in the open clone (asks first)")),
    cmd(C::UndoList, &["Z"], X::Global, "Undo list: recent changes cctui made in the open clone"),
    cmd(C::OpenWorkspace, &["W"], X::Global, "Workspace: every clone at a glance, bulk fetch and pull"),
    hint("open", cmd(C::WorkspaceOpen, &["enter"], X::Workspace, "Open the clone in the status and log panes")),
    hint("mark", cmd(C::WorkspaceMark, &["space"], X::Workspace, "Mark or unmark the clone for bulk fetch or pull")),
    hint("fetch", mutating(cmd(C::WorkspaceFetch, &["f"], X::Workspace, "Fetch the marked clones (or all shown), 4 at a time"))),
    hint("pull", mutating(cmd(C::WorkspacePull, &["F"], X::Workspace, "Fetch and fast-forward the marked clones (or all shown) where clean"))),
    hint("cancel", cmd(C::WorkspaceCancel, &["x"], X::Workspace, "Cancel the bulk fetch or pull")),
    hint("filter", cmd(C::WorkspaceFilter, &["/"], X::Workspace, "Filter clones by name or path")),
    hint("sort", cmd(C::WorkspaceSort, &["s"], X::Workspace, "Sort by name, by what needs attention, or by last fetch")),
    cmd(C::WorkspaceRescan, &["r"], X::Workspace, "Scan the workspace again"),
    hint("close", cmd(C::WorkspaceClose, &["esc", "q"], X::Workspace, "Close the workspace screen")),
    cmd(C::OpenIntegrations, &["T"], X::Repositories, "Integrations of the selected repository: triggers (add, delete, test) and notification rules"),
    hint("list", cmd(C::IntegrationsNextSection, &["tab"], X::Integrations, "Switch between triggers and notification rules")),
    hint("new", mutating(cmd(C::IntegrationsNew, &["n"], X::Integrations, "New trigger or notification rule (by list; asks before sending)"))),
    hint("delete", mutating(cmd(C::IntegrationsDelete, &["D"], X::Integrations, "Delete the selected trigger or notification rule (asks first)"))),
    hint("test", mutating(cmd(C::IntegrationsTest, &["t"], X::Integrations, "Test the repository's triggers (sends a test notification to each)"))),
    cmd(C::IntegrationsRefresh, &["r"], X::Integrations, "Read the triggers and notification rules again"),
];

/// The table row of a command id.
pub fn command(id: CommandId) -> &'static Command {
    // Every id has a row: `every_id_has_exactly_one_row` checks it.
    COMMANDS.iter().find(|c| c.id == id).unwrap_or(&COMMANDS[0])
}

/// Commands of a context that are usable in this mode (mutating ones vanish in read-only mode).
pub fn available(context: Context, readonly: bool) -> impl Iterator<Item = &'static Command> {
    COMMANDS
        .iter()
        .filter(move |c| c.context == context && !(readonly && c.mutating))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_has_exactly_one_row() {
        for id in CommandId::ALL {
            let rows = COMMANDS.iter().filter(|c| c.id == *id).count();
            assert_eq!(rows, 1, "{id:?} has {rows} rows");
            assert_eq!(CommandId::from_name(id.name()), Some(*id));
        }
    }

    #[test]
    fn descriptions_are_sentences_without_trailing_dot() {
        for c in COMMANDS {
            assert!(
                c.description.chars().next().is_some_and(char::is_uppercase),
                "{c:?}"
            );
            assert!(!c.description.ends_with('.'), "{c:?}");
        }
    }
}
