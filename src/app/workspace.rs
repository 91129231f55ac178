//! The workspace area's slice of the state: every clone found (workspace root, recent clones,
//! `-C`), as rows that arrive while the scan runs, a derived view (filter + sort), marks, and
//! the bulk fetch or pull with its bounded queue and what each row's job said.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use super::fuzzy;
use crate::git::workspace::CloneSummary;
use crate::jobs::JobId;
use crate::model::RepoKey;

/// Bulk fetches and pulls run at most this many at once.
pub const BULK_CONCURRENCY: usize = 4;

/// Sort order of the workspace rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkspaceSort {
    /// By repository name.
    #[default]
    Name,
    /// Clones that need attention first: changed files, then behind, then ahead.
    Attention,
    /// Least recently fetched first.
    LastFetch,
}

impl WorkspaceSort {
    /// The next order (`s`).
    pub fn next(self) -> WorkspaceSort {
        match self {
            WorkspaceSort::Name => WorkspaceSort::Attention,
            WorkspaceSort::Attention => WorkspaceSort::LastFetch,
            WorkspaceSort::LastFetch => WorkspaceSort::Name,
        }
    }

    /// The label in the title.
    pub fn label(self) -> &'static str {
        match self {
            WorkspaceSort::Name => "name",
            WorkspaceSort::Attention => "needs attention",
            WorkspaceSort::LastFetch => "last fetch",
        }
    }
}

/// One clone row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRow {
    /// What the scan read.
    pub summary: CloneSummary,
    /// The CodeCommit repository of its origin (profile or account, region, name).
    pub key: Option<RepoKey>,
}

impl WorkspaceRow {
    /// The name shown: the CodeCommit repository's, else the directory's.
    pub fn name(&self) -> String {
        self.key
            .as_ref()
            .map(|k| k.name.clone())
            .unwrap_or_else(|| self.summary.name())
    }
}

/// What the bulk work does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOp {
    /// Fetch origin.
    Fetch,
    /// Fetch, then fast-forward where clean.
    Pull,
}

/// A row's part in the bulk work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowWork {
    /// Waiting for a free slot.
    Queued,
    /// Its job runs.
    Running(JobId),
    /// Ended well; what it said.
    Done(String),
    /// Failed; why.
    Failed(String),
    /// Cancelled before it ran (or while it ran, with nothing changed).
    Cancelled,
}

/// A bulk fetch or pull.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bulk {
    /// Fetch or pull.
    pub op: BulkOp,
    /// Clones waiting for a slot, in order.
    pub queue: VecDeque<PathBuf>,
    /// Running jobs and their clones.
    pub running: BTreeMap<JobId, PathBuf>,
    /// How many clones it covers.
    pub total: usize,
}

/// The workspace area's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkspaceState {
    /// Every clone found, in the order found.
    pub rows: Vec<WorkspaceRow>,
    /// Indices into `rows`: filtered and sorted.
    pub view: Vec<usize>,
    /// Selected row of the view.
    pub selected: usize,
    /// Sort order.
    pub sort: WorkspaceSort,
    /// Filter text (fuzzy on the name, substring on the path).
    pub filter: String,
    /// The scan in flight (latest wins).
    pub scan: Option<JobId>,
    /// Rows came from this scan already (the first batch of a rescan replaces old rows).
    pub rows_scan: Option<JobId>,
    /// Marked clones (`space`), by path.
    pub marked: BTreeSet<PathBuf>,
    /// Each clone's part in the current or last bulk work.
    pub work: BTreeMap<PathBuf, RowWork>,
    /// The bulk work running.
    pub bulk: Option<Bulk>,
    /// What the last bulk work came to (which failed and why).
    pub summary: Option<Vec<String>>,
    /// Why the scan failed.
    pub error: Option<String>,
    /// Reads of single rows in flight (after a clone's fetch or pull).
    pub row_reads: BTreeSet<JobId>,
}

impl WorkspaceState {
    /// The selected row.
    pub fn selected_row(&self) -> Option<&WorkspaceRow> {
        self.view.get(self.selected).and_then(|i| self.rows.get(*i))
    }

    /// Adds or replaces rows (by path) and recomputes the view.
    pub fn add(&mut self, rows: Vec<WorkspaceRow>) {
        // By path, through an index: a scan of thousands of clones adds its rows in batches,
        // and a search of every row for each new one made the batches quadratic.
        let mut at: std::collections::HashMap<PathBuf, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.summary.path.clone(), i))
            .collect();
        for row in rows {
            match at.get(&row.summary.path) {
                Some(i) => self.rows[*i] = row,
                None => {
                    at.insert(row.summary.path.clone(), self.rows.len());
                    self.rows.push(row);
                }
            }
        }
        self.refresh_view();
    }

    /// Recomputes `view` from rows, filter and sort; the selection follows its clone.
    pub fn refresh_view(&mut self) {
        let keep = self
            .selected_row()
            .filter(|_| self.selected > 0)
            .map(|r| r.summary.path.clone());
        let needle = self.filter.to_lowercase();
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|i| {
                let row = &self.rows[*i];
                needle.is_empty()
                    || fuzzy::score(&self.filter, &row.name()).is_some()
                    || row
                        .summary
                        .path
                        .to_string_lossy()
                        .to_lowercase()
                        .contains(&needle)
            })
            .collect();
        let rows = &self.rows;
        match self.sort {
            WorkspaceSort::Name => view.sort_by_cached_key(|i| {
                (
                    rows[*i].name().to_lowercase(),
                    rows[*i].summary.path.clone(),
                )
            }),
            WorkspaceSort::Attention => view.sort_by_cached_key(|i| {
                let s = &rows[*i].summary;
                let (ahead, behind) = s.ahead_behind.unwrap_or((0, 0));
                (
                    std::cmp::Reverse((s.error.is_some(), s.changed, behind, ahead)),
                    rows[*i].name().to_lowercase(),
                )
            }),
            WorkspaceSort::LastFetch => view.sort_by_cached_key(|i| {
                (
                    rows[*i].summary.last_fetch.unwrap_or(0),
                    rows[*i].name().to_lowercase(),
                )
            }),
        }
        self.view = view;
        if let Some(path) = keep
            && let Some(at) = self
                .view
                .iter()
                .position(|i| self.rows[*i].summary.path == path)
        {
            self.selected = at;
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }
}
