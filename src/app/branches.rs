//! State of the branches pane: local, remote-tracking and CodeCommit branches, and stashes.

use crate::aws::branches::ServerBranch;
use crate::git::branch::{LocalBranch, RemoteBranch};
use crate::git::stash::StashEntry;

/// One row of the branches pane.
#[derive(Debug, Clone, Copy)]
pub enum BranchRow<'a> {
    /// A local branch.
    Local(&'a LocalBranch),
    /// A remote-tracking branch.
    Remote(&'a RemoteBranch),
    /// A branch as CodeCommit reports it (ListBranches).
    Server(&'a ServerBranch),
    /// A stash entry.
    Stash(&'a StashEntry),
}

impl BranchRow<'_> {
    /// The group heading.
    pub fn group(&self) -> &'static str {
        match self {
            BranchRow::Local(_) => "Local",
            BranchRow::Remote(_) => "Remote-tracking",
            BranchRow::Server(_) => "On CodeCommit",
            BranchRow::Stash(_) => "Stashes",
        }
    }
}

/// The branches pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BranchesPane {
    /// Local branches.
    pub local: Vec<LocalBranch>,
    /// Remote-tracking branches.
    pub remote: Vec<RemoteBranch>,
    /// CodeCommit's branches (`None`: not loaded, or not a CodeCommit repository).
    pub server: Option<Vec<ServerBranch>>,
    /// Stash entries.
    pub stashes: Vec<StashEntry>,
    /// Generation of the newest read.
    pub pending: Option<crate::jobs::JobId>,
    /// A read is running.
    pub loading: bool,
    /// The last local read error.
    pub error: Option<String>,
    /// The last server read error (the local rows stay).
    pub server_error: Option<String>,
    /// Selected row of [`BranchesPane::rows`].
    pub selected: usize,
}

impl BranchesPane {
    /// All rows in display order.
    pub fn rows(&self) -> Vec<BranchRow<'_>> {
        let mut rows: Vec<BranchRow> = self.local.iter().map(BranchRow::Local).collect();
        rows.extend(self.remote.iter().map(BranchRow::Remote));
        rows.extend(self.server.iter().flatten().map(BranchRow::Server));
        rows.extend(self.stashes.iter().map(BranchRow::Stash));
        rows
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<BranchRow<'_>> {
        self.rows().get(self.selected).copied()
    }

    /// The current local branch.
    pub fn current(&self) -> Option<&LocalBranch> {
        self.local.iter().find(|b| b.head)
    }

    /// The repository's default branch as CodeCommit says.
    pub fn default_branch(&self) -> Option<&str> {
        self.server
            .iter()
            .flatten()
            .find(|b| b.default)
            .map(|b| b.name.as_str())
    }
}
