//! State of the repositories pane: rows as they arrive, a derived view (filter + sort), the
//! generation that makes stale listings harmless, and the last error shown beside good data.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::fuzzy;
use crate::aws::repos::{Repository, RepositoryExtras};
use crate::aws::setup::SetupReport;
use crate::jobs::JobId;
use crate::model::RepoKey;

/// Sort order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepoSort {
    /// By name, A to Z (case-insensitive).
    #[default]
    Name,
    /// Most recently changed first.
    LastModified,
}

impl RepoSort {
    /// The label shown in the pane title.
    pub fn label(self) -> &'static str {
        match self {
            RepoSort::Name => "name",
            RepoSort::LastModified => "last change",
        }
    }
}

/// One repository row, with where it came from and whether there is a local clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoRow {
    /// What CodeCommit says.
    pub repo: Repository,
    /// Region it was listed in.
    pub region: String,
    /// Profile it was listed with.
    pub profile: Option<String>,
    /// Local clone in the workspace, if any.
    pub clone: Option<PathBuf>,
}

impl RepoRow {
    /// Which repository this row is: profile + region + name.
    pub fn key(&self) -> RepoKey {
        RepoKey::new(
            self.profile.clone(),
            self.region.clone(),
            self.repo.name.clone(),
        )
    }

    /// Whether this row is the repository `key`.
    pub fn is(&self, key: &RepoKey) -> bool {
        self.repo.name == key.name && self.region == key.region && self.profile == key.profile
    }
}

/// The repositories pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReposPane {
    /// Profile names found in the AWS files (the profile picker, the all-regions view).
    pub profiles: Vec<String>,
    /// Every row of the current listing, in arrival order.
    pub rows: Vec<RepoRow>,
    /// Indices into `rows` after filter and sort: what the list shows.
    pub view: Vec<usize>,
    /// Selected position in `view`.
    pub selected: usize,
    /// First visible position in `view` (kept in sync by `update`, clamped by `draw`).
    pub offset: usize,
    /// Sort order.
    pub sort: RepoSort,
    /// Fuzzy filter on name and description.
    pub filter: String,
    /// The newest listing asked for; results of older ones are dropped.
    pub listing: Option<JobId>,
    /// The listing the rows in `rows` belong to.
    pub rows_listing: Option<JobId>,
    /// What of the AWS setup is missing (first run), once checked.
    pub setup: Option<SetupReport>,
    /// The setup check is running.
    pub checking: bool,
    /// The newest setup check asked for; an older one's answer is dropped.
    pub setup_check: Option<JobId>,
    /// The demo service is starting (first run's `d`): a second `d` waits for it.
    pub demo_starting: bool,
    /// A listing is running.
    pub loading: bool,
    /// Names counted by the listing so far (for the progress line).
    pub listed: usize,
    /// The last listing error (message, hint); the rows stay.
    pub error: Option<(String, Option<String>)>,
    /// Tags and triggers by repository, loaded for the detail view.
    pub extras: BTreeMap<RepoKey, RepositoryExtras>,
    /// Marked for bulk actions (space).
    pub marked: BTreeSet<RepoKey>,
    /// Listing every chosen profile × region instead of one.
    pub all_regions: bool,
    /// Per-pair failures of the all-regions view ("dev/eu-west-1: Access denied…").
    pub pair_errors: Vec<String>,
    /// Repository to select once it appears (after create or rename).
    pub select_when_seen: Option<RepoKey>,
}

impl ReposPane {
    /// The selected row.
    pub fn selected_row(&self) -> Option<&RepoRow> {
        self.view.get(self.selected).and_then(|i| self.rows.get(*i))
    }

    /// Starts the listing `id`: from now on only its batches are taken; returns the listing
    /// it replaces, to cancel.
    pub fn begin_listing(&mut self, id: JobId) -> Option<JobId> {
        let replaced = self.listing.replace(id).filter(|_| self.loading);
        self.loading = true;
        self.listed = 0;
        self.error = None;
        self.pair_errors.clear();
        replaced
    }

    /// Adds a batch of the listing `id`; returns false (and changes nothing) if stale.
    pub fn add_batch(&mut self, id: JobId, rows: Vec<RepoRow>) -> bool {
        if self.listing != Some(id) {
            return false;
        }
        if self.rows_listing != Some(id) {
            // The first batch of a refresh replaces the old rows; until then they stay visible.
            let keep = self.selected_row().map(RepoRow::key);
            self.rows.clear();
            self.rows_listing = Some(id);
            self.select_when_seen = self.select_when_seen.take().or(keep);
        }
        self.rows.extend(rows);
        self.refresh_view();
        true
    }

    /// The listing `id` ended with `total` names.
    pub fn finish(&mut self, id: JobId, total: usize) -> bool {
        if self.listing != Some(id) {
            return false;
        }
        if self.rows_listing != Some(id) {
            self.rows.clear();
            self.rows_listing = Some(id);
        }
        self.loading = false;
        self.listed = total;
        self.refresh_view();
        true
    }

    /// The listing `id` failed; the rows stay.
    pub fn fail(&mut self, id: JobId, message: String, hint: Option<String>) -> bool {
        if self.listing != Some(id) {
            return false;
        }
        self.loading = false;
        self.error = Some((message, hint));
        true
    }

    /// Recomputes `view` from rows, filter and sort, keeping the selected repository selected.
    pub fn refresh_view(&mut self) {
        // The selection follows its row through re-sorts, except on the first row: while
        // batches arrive out of order, the top of the list stays the top.
        let keep = self.select_when_seen.clone().or_else(|| {
            self.selected_row()
                .filter(|_| self.selected > 0)
                .map(RepoRow::key)
        });
        // Names match fuzzily (`pysvc` finds `payments-service`); descriptions, being prose,
        // match as plain case-insensitive substrings, or every long text would match.
        let needle = self.filter.to_lowercase();
        let mut view: Vec<usize> = (0..self.rows.len())
            .filter(|i| {
                let repo = &self.rows[*i].repo;
                needle.is_empty()
                    || fuzzy::score(&self.filter, &repo.name).is_some()
                    || repo.description.to_lowercase().contains(&needle)
            })
            .collect();
        let rows = &self.rows;
        match self.sort {
            RepoSort::Name => view.sort_by_cached_key(|i| {
                (rows[*i].repo.name.to_lowercase(), rows[*i].region.clone())
            }),
            RepoSort::LastModified => view.sort_by_key(|i| {
                (
                    std::cmp::Reverse(rows[*i].repo.last_modified),
                    rows[*i].repo.name.to_lowercase(),
                )
            }),
        }
        self.view = view;
        let found = keep
            .as_ref()
            .and_then(|key| self.view.iter().position(|i| self.rows[*i].is(key)));
        if let Some(position) = found {
            self.selected = position;
            if self.select_when_seen.as_ref() == keep.as_ref() {
                self.select_when_seen = None;
            }
        }
        self.selected = self.selected.min(self.view.len().saturating_sub(1));
    }

    /// The row of a repository.
    pub fn row(&self, key: &RepoKey) -> Option<&RepoRow> {
        self.rows.iter().find(|r| r.is(key))
    }

    /// Keeps the selection inside a window of `height` rows.
    pub fn scroll_to_selection(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, modified: i64) -> RepoRow {
        RepoRow {
            repo: Repository {
                name: name.into(),
                last_modified: Some(modified),
                ..Repository::default()
            },
            region: "us-east-1".into(),
            profile: None,
            clone: None,
        }
    }

    #[test]
    fn stale_batches_are_dropped_and_refresh_keeps_old_rows_until_new_ones_arrive() {
        let mut pane = ReposPane::default();
        let first = JobId(1);
        assert_eq!(pane.begin_listing(first), None);
        assert!(pane.add_batch(first, vec![row("b", 1), row("a", 2)]));
        assert!(pane.finish(first, 2));
        let second = JobId(2);
        assert_eq!(pane.begin_listing(second), None, "the first one had ended");
        assert_eq!(pane.rows.len(), 2, "old rows stay while the refresh runs");
        assert!(!pane.add_batch(first, vec![row("stale", 3)]));
        assert!(pane.add_batch(second, vec![row("c", 3)]));
        assert_eq!(pane.rows.len(), 1);
        assert!(pane.fail(second, "boom".into(), None));
        assert_eq!(pane.rows.len(), 1, "an error keeps the data");
    }

    #[test]
    fn filter_and_sort_keep_the_selection() {
        let mut pane = ReposPane::default();
        let listing = JobId(1);
        pane.begin_listing(listing);
        pane.add_batch(
            listing,
            vec![row("alpha", 1), row("beta", 3), row("gamma", 2)],
        );
        pane.selected = 1;
        assert_eq!(
            pane.selected_row().map(|r| r.repo.name.as_str()),
            Some("beta")
        );
        pane.sort = RepoSort::LastModified;
        pane.refresh_view();
        assert_eq!(pane.selected, 0);
        assert_eq!(
            pane.selected_row().map(|r| r.repo.name.as_str()),
            Some("beta")
        );
        pane.filter = "gm".into();
        pane.refresh_view();
        assert_eq!(pane.view.len(), 1);
        assert_eq!(
            pane.selected_row().map(|r| r.repo.name.as_str()),
            Some("gamma")
        );
    }
}
