//! State of the working-tree side: the status pane, the log pane, the diff view and the commit
//! editor. Plain data; `worktree_update` changes it.

pub use super::text_area::TextArea;
use crate::git::diff::FileDiff;
use crate::git::log::CommitInfo;
use crate::git::status::{FileStatus, Status};
use crate::jobs::JobId;

/// A group of the status pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Conflicted files (a merge is waiting).
    Conflicted,
    /// In the index, ready to commit.
    Staged,
    /// Changed in the working tree, not staged.
    Unstaged,
    /// Not tracked, not ignored.
    Untracked,
}

impl Section {
    /// The heading shown above the group.
    pub fn title(self) -> &'static str {
        match self {
            Section::Conflicted => "Conflicts",
            Section::Staged => "Staged",
            Section::Unstaged => "Not staged",
            Section::Untracked => "Untracked",
        }
    }
}

/// The status pane.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StatusPane {
    /// The last status read.
    pub status: Option<Status>,
    /// The newest status read asked for; answers of older ones are dropped.
    pub pending: Option<JobId>,
    /// A read is running.
    pub loading: bool,
    /// Something changed while a read ran: read once more when it ends (one read at a time,
    /// however fast the watcher reports).
    pub dirty: bool,
    /// What the watcher saw change since the last read was asked for; `None` once anything
    /// asked for a full read (a refresh key, a change made by cctui, a newly opened clone).
    pub changes: Option<crate::model::Changes>,
    /// A full read was asked for while another read ran: the next read is full whatever the
    /// watcher reports meanwhile.
    pub full: bool,
    /// The last read error; the old status stays.
    pub error: Option<String>,
    /// Selected row of [`StatusPane::rows`].
    pub selected: usize,
    /// Commits ahead of and behind the upstream.
    pub ahead_behind: Option<(usize, usize)>,
    /// The message of a merge in progress.
    pub merge_message: Option<String>,
    /// A commit message closed without committing, restored when the editor reopens.
    pub commit_draft: Option<CommitEditor>,
}

impl StatusPane {
    /// Files in display order, with their group.
    pub fn rows(&self) -> Vec<(Section, &FileStatus)> {
        let Some(status) = &self.status else {
            return Vec::new();
        };
        let groups = [
            (Section::Conflicted, &status.conflicted),
            (Section::Staged, &status.staged),
            (Section::Unstaged, &status.unstaged),
            (Section::Untracked, &status.untracked),
        ];
        groups
            .into_iter()
            .flat_map(|(section, files)| files.iter().map(move |f| (section, f)))
            .collect()
    }

    /// The selected file.
    pub fn selected_row(&self) -> Option<(Section, &FileStatus)> {
        self.rows().get(self.selected).copied()
    }

    /// Applies a new status, keeping the selection on the same file when it is still listed.
    pub fn apply(&mut self, status: Status) {
        let keep = self
            .selected_row()
            .map(|(section, f)| (section, f.path.clone()));
        self.status = Some(status);
        self.loading = false;
        self.error = None;
        let (found, len) = {
            let rows = self.rows();
            let found = keep.and_then(|(section, path)| {
                let same = rows
                    .iter()
                    .position(|(s, f)| *s == section && f.path == path);
                same.or_else(|| rows.iter().position(|(_, f)| f.path == path))
            });
            (found, rows.len())
        };
        if let Some(index) = found {
            self.selected = index;
        }
        self.selected = self.selected.min(len.saturating_sub(1));
    }
}

/// The log pane: the history of the current branch, a page at a time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogPane {
    /// Commits loaded so far, newest first.
    pub commits: Vec<CommitInfo>,
    /// Where the next page starts; `None` once the history is complete.
    pub next: Option<String>,
    /// The newest page read asked for; answers of older ones are dropped.
    pub pending: Option<JobId>,
    /// A page is loading.
    pub loading: bool,
    /// Selected commit.
    pub selected: usize,
    /// The last error.
    pub error: Option<String>,
}

/// What a diff view shows (defined in `git::diff`, where the jobs read it too).
pub use crate::git::diff::DiffSource;

/// The full-screen diff view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffView {
    /// What is shown.
    pub source: DiffSource,
    /// The diff, once loaded.
    pub files: Option<Vec<FileDiff>>,
    /// The read whose answer this view waits for.
    pub request: Option<JobId>,
    /// First visible line.
    pub scroll: usize,
    /// Selected hunk (file diffs), for staging.
    pub hunk: usize,
    /// The last error.
    pub error: Option<String>,
}

/// The inline commit message editor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommitEditor {
    /// The message being written.
    pub text: TextArea,
    /// Replace the last commit instead of adding one.
    pub amend: bool,
    /// The commit sent and not answered yet: the editor waits and takes no second submit.
    pub pending: Option<JobId>,
    /// The clone it commits in (the open clone may change while it is open).
    pub repo: Option<std::path::PathBuf>,
}

impl std::ops::Deref for CommitEditor {
    type Target = TextArea;
    fn deref(&self) -> &TextArea {
        &self.text
    }
}

impl std::ops::DerefMut for CommitEditor {
    fn deref_mut(&mut self) -> &mut TextArea {
        &mut self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_inserts_breaks_and_joins_lines() {
        let mut editor = TextArea::default();
        for c in "Fix it\n\nBody".chars() {
            editor.insert(c);
        }
        assert_eq!(editor.message(), "Fix it\n\nBody");
        editor.move_cursor(-2, -100);
        editor.move_cursor(0, 3);
        editor.insert('!');
        assert_eq!(editor.lines[0], "Fix! it");
        editor.move_cursor(1, -100);
        editor.backspace();
        assert_eq!(editor.message(), "Fix! it\nBody");
    }
}
