//! The undo area's slice of the state: the recent changes cctui made in the open clone (its
//! undo log, newest first), for the list `Z` opens and the question `z` asks.

use std::path::PathBuf;

use crate::git::undo_log::UndoEntry;
use crate::jobs::JobId;

/// Why the undo log is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoRead {
    /// For the list overlay.
    List,
    /// For `z`: ask about the newest change.
    Ask,
}

/// The undo area's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UndoState {
    /// The clone the entries are of.
    pub repo: Option<PathBuf>,
    /// The changes, newest first.
    pub entries: Vec<UndoEntry>,
    /// The log read in flight (latest wins), and what it is for.
    pub pending: Option<(JobId, UndoRead)>,
    /// Why the log could not be read.
    pub error: Option<String>,
    /// Selected row of the list.
    pub selected: usize,
}

impl UndoState {
    /// The newest change that is not undone yet: the only one an undo takes back.
    pub fn newest_undoable(&self) -> Option<&UndoEntry> {
        self.entries.iter().find(|e| !e.undone)
    }
}
