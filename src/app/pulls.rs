//! The pull requests area's slice of the state: the list (one repository's or the account's,
//! with filters), the request view (overview and files, a file's diff with its comment
//! threads at their lines), and the merge dialog. Plain data, plus the pure functions the
//! update and the drawing share: which rows a filter keeps, and which rows the view shows
//! (so the cursor and the screen always agree on what is under it).

use std::collections::BTreeMap;

use crate::aws::client::Target;
use crate::aws::pulls::{
    Anchor, Comment, Conflict, MergeStrategy, PullRequest, PullStatus, Resolution, Review, Side,
    Thread,
};
use crate::git::diff::{FileDiff, LineOrigin};
use crate::jobs::JobId;
use crate::jobs::pulls_job::PullDetail;

/// Which requests the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Open ones.
    #[default]
    Open,
    /// Closed without a merge.
    Closed,
    /// Merged.
    Merged,
}

impl StatusFilter {
    /// The next one (`f` cycles).
    pub fn next(self) -> StatusFilter {
        match self {
            StatusFilter::Open => StatusFilter::Closed,
            StatusFilter::Closed => StatusFilter::Merged,
            StatusFilter::Merged => StatusFilter::Open,
        }
    }

    /// As shown.
    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Closed => "closed",
            StatusFilter::Merged => "merged",
        }
    }

    /// Whether a request's status passes.
    pub fn keeps(self, status: PullStatus) -> bool {
        matches!(
            (self, status),
            (StatusFilter::Open, PullStatus::Open)
                | (StatusFilter::Closed, PullStatus::Closed)
                | (StatusFilter::Merged, PullStatus::Merged)
        )
    }
}

/// The list's filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filters {
    /// Open, closed or merged.
    pub status: StatusFilter,
    /// Only mine.
    pub mine: bool,
    /// Only the ones waiting for my approval.
    pub waiting: bool,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRow {
    /// The request.
    pub pr: PullRequest,
    /// Its review state, once read (open requests).
    pub review: Option<Review>,
}

/// Whose requests the screen lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// Not opened yet.
    #[default]
    None,
    /// One repository.
    Repository(String),
    /// Every repository of the account and region (as listed by the repositories pane).
    Account(Vec<String>),
}

/// The list and where it comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PullsState {
    /// Where the calls go.
    pub target: Target,
    /// Whose requests.
    pub scope: Scope,
    /// Filters.
    pub filters: Filters,
    /// Requests listed, newest activity first.
    pub rows: Vec<PullRow>,
    /// The listing in flight (latest wins).
    pub listing: Option<JobId>,
    /// The listing ended.
    pub listed: bool,
    /// Repositories whose listing failed, and why.
    pub failures: Vec<(String, String)>,
    /// The listing failed as a whole: why, and what to do.
    pub error: Option<(String, Option<String>)>,
    /// Review reads in flight, by request id.
    pub reviews: BTreeMap<String, JobId>,
    /// Selected row among the filtered ones.
    pub selected: usize,
    /// The caller's ARN (for "mine" and "waiting for me"), when STS said.
    pub me: Option<String>,
    /// The request view, when one is open.
    pub view: Option<PullView>,
    /// The last thing that happened ("Approved #3").
    pub message: Option<String>,
    /// The branch of the open clone whose push offered a pull request, being checked.
    pub offer_check: Option<(JobId, String)>,
    /// Open requests of the open clone's repository, by source branch (branches pane).
    pub by_branch: BTreeMap<String, String>,
    /// The branches pane's read of them.
    pub by_branch_request: Option<JobId>,
    /// Open requests of the workspace's clones: (profile, region, repository, source branch)
    /// → request id.
    pub in_workspace: BTreeMap<(Option<String>, String, String, String), String>,
    /// The workspace's reads of them, by job: the profile and region each lists.
    pub workspace_reads: BTreeMap<JobId, (Option<String>, String)>,
}

impl PullsState {
    /// The rows the filters keep, as indexes into `rows`.
    pub fn visible(&self) -> Vec<usize> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, row)| self.keeps(row))
            .map(|(i, _)| i)
            .collect()
    }

    fn keeps(&self, row: &PullRow) -> bool {
        let me = self.me.as_deref();
        self.filters.status.keeps(row.pr.status)
            && (!self.filters.mine || me == Some(row.pr.author.as_str()))
            && (!self.filters.waiting || me.is_some_and(|me| waiting_for(row, me)))
    }

    /// The selected row.
    pub fn selected_row(&self) -> Option<&PullRow> {
        self.visible()
            .get(self.selected)
            .and_then(|i| self.rows.get(*i))
    }

    /// Puts a request in the list (replacing an older copy), newest activity first.
    pub fn upsert(&mut self, pr: PullRequest) {
        match self.rows.iter_mut().find(|r| r.pr.id == pr.id) {
            Some(row) => {
                if row.pr.revision != pr.revision || row.pr.status != pr.status {
                    row.review = None;
                }
                row.pr = pr;
            }
            None => self.rows.push(PullRow { pr, review: None }),
        }
        self.rows.sort_by(|a, b| {
            b.pr.last_activity
                .cmp(&a.pr.last_activity)
                .then_with(|| b.pr.id.cmp(&a.pr.id))
        });
    }
}

/// Whether an open request waits for `me`: not mine, a rule not satisfied, my approval not
/// given, and I am in the rule's pool (or it has none).
pub fn waiting_for(row: &PullRow, me: &str) -> bool {
    if row.pr.status != PullStatus::Open || row.pr.author == me {
        return false;
    }
    let Some(review) = &row.review else {
        return false;
    };
    if review.approved || review.approved_by(me) {
        return false;
    }
    row.pr
        .rules
        .iter()
        .filter(|rule| review.not_satisfied.contains(&rule.name))
        .any(|rule| rule.pool.is_empty() || rule.pool.iter().any(|m| arn_matches(m, me)))
}

/// An approval pool member against an ARN: `*` matches any run of characters, as CodeCommit
/// allows (`arn:aws:iam::123456789012:user/*`). An assumed role's session name is matched
/// too (`arn:aws:sts::…:assumed-role/Role/*`).
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    fn glob(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| glob(rest, &s[i..])),
            Some((c, rest)) => s.first() == Some(c) && glob(rest, &s[1..]),
        }
    }
    glob(pattern.as_bytes(), arn.as_bytes())
}

/// The short name of an ARN (`arn:aws:iam::1:user/alice` → `alice`).
pub fn who(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The request view's two tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewTab {
    /// Description, rules, activity, comments on the request and on files.
    #[default]
    Overview,
    /// Changed files and the selected file's diff with its line comments.
    Files,
}

/// One open pull request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PullView {
    /// The request's id.
    pub id: String,
    /// What the view shows, once read.
    pub detail: Option<PullDetail>,
    /// The read in flight (latest wins).
    pub request: Option<JobId>,
    /// The read failed: why.
    pub error: Option<String>,
    /// The tab.
    pub tab: ViewTab,
    /// Selected changed file (files tab).
    pub file: usize,
    /// The cursor row (overview rows, or the selected file's diff rows).
    pub cursor: usize,
    /// Diffs read, by path.
    pub diffs: BTreeMap<String, Result<FileDiff, String>>,
    /// Diff reads in flight, by path.
    pub diff_requests: BTreeMap<String, JobId>,
    /// A change in flight (a comment, an approval…): no second one until it answers.
    pub pending: Option<JobId>,
}

impl PullView {
    /// A view of request `id`, waiting for `request`.
    pub fn new(id: String, request: JobId) -> PullView {
        PullView {
            id,
            request: Some(request),
            ..PullView::default()
        }
    }

    /// The selected changed file's path.
    pub fn file_path(&self) -> Option<&str> {
        self.detail
            .as_ref()
            .and_then(|d| d.files.get(self.file))
            .map(|f| f.path.as_str())
    }

    /// The rows the tab shows now.
    pub fn rows(&self) -> Vec<ViewRow> {
        let Some(detail) = &self.detail else {
            return Vec::new();
        };
        match self.tab {
            ViewTab::Overview => overview_rows(detail),
            ViewTab::Files => match self.file_path() {
                Some(path) => file_rows(detail, path, self.diffs.get(path)),
                None => Vec::new(),
            },
        }
    }

    /// The row under the cursor.
    pub fn row(&self) -> Option<ViewRow> {
        self.rows().into_iter().nth(self.cursor)
    }
}

/// What a row of the request view is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    /// A heading ("Activity", "Comments on src/lib.rs").
    Heading,
    /// Plain text (description, an activity entry, a summary).
    Text,
    /// A diff line; comments go on `at`.
    Diff {
        /// Added, removed or context.
        origin: LineOrigin,
        /// Old line number.
        old: Option<u32>,
        /// New line number.
        new: Option<u32>,
        /// Where a comment on it goes.
        at: Anchor,
    },
    /// A comment (depth: 0 for a thread's first, 1 for replies).
    Comment {
        /// The comment.
        comment: Box<Comment>,
        /// Reply depth.
        depth: usize,
        /// Where its thread is (a new comment from here goes there too).
        at: Anchor,
    },
}

/// One row of the request view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRow {
    /// What it is.
    pub kind: RowKind,
    /// Its text.
    pub text: String,
}

impl ViewRow {
    fn heading(text: impl Into<String>) -> ViewRow {
        ViewRow {
            kind: RowKind::Heading,
            text: text.into(),
        }
    }

    fn text(text: impl Into<String>) -> ViewRow {
        ViewRow {
            kind: RowKind::Text,
            text: text.into(),
        }
    }

    /// The comment on this row, if it is one.
    pub fn comment(&self) -> Option<&Comment> {
        match &self.kind {
            RowKind::Comment { comment, .. } => Some(comment),
            _ => None,
        }
    }
}

fn comment_rows(thread: &Thread, rows: &mut Vec<ViewRow>) {
    let depths = reply_depths(&thread.comments);
    for (comment, depth) in thread.comments.iter().zip(depths) {
        let text = if comment.deleted {
            "(deleted)".to_string()
        } else {
            comment.content.clone()
        };
        rows.push(ViewRow {
            kind: RowKind::Comment {
                comment: Box::new(comment.clone()),
                depth,
                at: thread.anchor.clone(),
            },
            text,
        });
    }
}

/// Depth of each comment in its thread (a reply is one deeper than what it answers, at most
/// 3 so long discussions stay readable).
fn reply_depths(comments: &[Comment]) -> Vec<usize> {
    let mut depths: Vec<usize> = Vec::with_capacity(comments.len());
    for (i, comment) in comments.iter().enumerate() {
        let parent = comment
            .in_reply_to
            .as_ref()
            .and_then(|p| comments[..i].iter().position(|c| &c.id == p));
        depths.push(parent.map(|p| (depths[p] + 1).min(3)).unwrap_or(0));
    }
    depths
}

/// The overview: description, approval rules, activity, then every thread (request, file,
/// line ones with their place).
pub fn overview_rows(detail: &PullDetail) -> Vec<ViewRow> {
    let mut rows = vec![ViewRow::heading("Description")];
    if detail.pr.description.trim().is_empty() {
        rows.push(ViewRow::text("(no description)"));
    } else {
        rows.extend(detail.pr.description.lines().map(ViewRow::text));
    }
    rows.push(ViewRow::heading("Approval rules"));
    if detail.pr.rules.is_empty() {
        rows.push(ViewRow::text(
            "none: any approval is enough, none is required",
        ));
    }
    for rule in &detail.pr.rules {
        let done = detail.review.satisfied.contains(&rule.name);
        let pool = if rule.pool.is_empty() {
            "anyone".to_string()
        } else {
            rule.pool
                .iter()
                .map(|m| who(m))
                .collect::<Vec<_>>()
                .join(", ")
        };
        rows.push(ViewRow::text(format!(
            "{} {}: {} approval{} from {pool}",
            if done { "✓" } else { "✗" },
            rule.name,
            rule.needed,
            if rule.needed == 1 { "" } else { "s" },
        )));
    }
    let approvers: Vec<&str> = detail.review.approvers.iter().map(|a| who(a)).collect();
    rows.push(ViewRow::text(if approvers.is_empty() {
        "Approved by nobody yet".to_string()
    } else {
        format!("Approved by {}", approvers.join(", "))
    }));
    rows.push(ViewRow::heading("Activity"));
    rows.extend(
        detail
            .events
            .iter()
            .map(|e| ViewRow::text(format!("{} {}", who(&e.actor), e.what))),
    );
    rows.push(ViewRow::heading(format!(
        "Comments ({})",
        detail
            .threads
            .iter()
            .map(|t| t.comments.len())
            .sum::<usize>()
    )));
    for thread in &detail.threads {
        match &thread.anchor {
            Anchor::Request => {}
            Anchor::File(path) => rows.push(ViewRow::text(format!("on {path}"))),
            Anchor::Line { path, line, side } => rows.push(ViewRow::text(format!(
                "on {path}:{line}{}",
                if *side == Side::Before {
                    " (before)"
                } else {
                    ""
                }
            ))),
        }
        comment_rows(thread, &mut rows);
    }
    rows
}

/// A file's rows: its file-level comments, then each diff line followed by the threads on it.
pub fn file_rows(
    detail: &PullDetail,
    path: &str,
    diff: Option<&Result<FileDiff, String>>,
) -> Vec<ViewRow> {
    let mut rows = Vec::new();
    for thread in detail
        .threads
        .iter()
        .filter(|t| t.anchor == Anchor::File(path.to_string()))
    {
        comment_rows(thread, &mut rows);
    }
    let diff = match diff {
        None => {
            rows.push(ViewRow::text("reading the diff…"));
            return rows;
        }
        Some(Err(error)) => {
            rows.push(ViewRow::text(format!(
                "the diff could not be read: {error}"
            )));
            return rows;
        }
        Some(Ok(diff)) => diff,
    };
    if diff.binary {
        rows.push(ViewRow::text("binary file: not shown"));
    } else if let Some(size) = diff.too_large {
        rows.push(ViewRow::text(format!(
            "large file ({} KiB): not shown",
            size / 1024
        )));
    }
    let line_threads = |side: Side, line: Option<u32>| {
        detail.threads.iter().filter(move |t| {
            line.is_some_and(|n| {
                t.anchor
                    == Anchor::Line {
                        path: path.to_string(),
                        line: n,
                        side,
                    }
            })
        })
    };
    for hunk in &diff.hunks {
        rows.push(ViewRow::heading(hunk.header.clone()));
        for line in &hunk.lines {
            let at = match (line.origin, line.new_no, line.old_no) {
                (LineOrigin::Removed, _, Some(old)) => Anchor::Line {
                    path: path.to_string(),
                    line: old,
                    side: Side::Before,
                },
                (_, Some(new), _) => Anchor::Line {
                    path: path.to_string(),
                    line: new,
                    side: Side::After,
                },
                _ => Anchor::File(path.to_string()),
            };
            rows.push(ViewRow {
                kind: RowKind::Diff {
                    origin: line.origin,
                    old: line.old_no,
                    new: line.new_no,
                    at,
                },
                text: line.text.clone(),
            });
            let threads: Vec<&Thread> = match line.origin {
                LineOrigin::Removed => line_threads(Side::Before, line.old_no).collect(),
                LineOrigin::Added => line_threads(Side::After, line.new_no).collect(),
                LineOrigin::Context => line_threads(Side::After, line.new_no)
                    .chain(line_threads(Side::Before, line.old_no))
                    .collect(),
                LineOrigin::NoNewline => Vec::new(),
            };
            for thread in threads {
                comment_rows(thread, &mut rows);
            }
        }
    }
    rows
}

/// The merge dialog.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeDialog {
    /// The request as it was when the dialog opened (its source tip is what gets merged).
    pub pr: PullRequest,
    /// Strategies that merge cleanly (GetMergeOptions).
    pub clean: Vec<MergeStrategy>,
    /// The chosen strategy.
    pub strategy: MergeStrategy,
    /// Conflicting files of the chosen strategy, once read (`None`: not read or clean).
    pub conflicts: Option<Vec<Conflict>>,
    /// The conflict read in flight.
    pub conflicts_request: Option<JobId>,
    /// Chosen resolutions, by path.
    pub resolutions: BTreeMap<String, Resolution>,
    /// Selected conflicting file.
    pub selected: usize,
    /// The merge sent.
    pub pending: Option<JobId>,
    /// A conflicting file's text being read, to edit.
    pub text_request: Option<JobId>,
    /// Why the last try failed.
    pub error: Option<String>,
    /// The approval rules are satisfied (or overridden): CodeCommit refuses the merge otherwise.
    pub approved: bool,
}

impl MergeDialog {
    /// Whether the chosen strategy can be sent: clean, or every conflict resolved.
    pub fn ready(&self) -> bool {
        if self.clean.contains(&self.strategy) {
            return true;
        }
        match &self.conflicts {
            Some(conflicts) => {
                self.strategy != MergeStrategy::FastForward
                    && conflicts
                        .iter()
                        .all(|c| self.resolutions.contains_key(&c.path))
            }
            None => false,
        }
    }
}

/// What a multi-line text being composed is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComposePurpose {
    /// A comment on request `id` at a place.
    Comment {
        /// The request.
        id: String,
        /// Where.
        at: Anchor,
    },
    /// A reply to a comment of request `id`.
    Reply {
        /// The request.
        id: String,
        /// The comment answered.
        comment: String,
    },
    /// A new text for the caller's comment.
    Edit {
        /// The request.
        id: String,
        /// The comment.
        comment: String,
    },
    /// The merged content of a conflicting file, for the merge dialog of request `id`.
    Resolve {
        /// The request.
        id: String,
        /// The file.
        path: String,
    },
    /// A new pull request: the first line is its title, the rest its description.
    Create {
        /// Where.
        target: Target,
        /// The repository.
        repository: String,
        /// Source branch.
        source: String,
        /// Destination branch.
        destination: String,
    },
}

/// A multi-line text overlay: comment, reply, edit, new pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compose {
    /// Title of the box.
    pub title: String,
    /// The text.
    pub text: super::text_area::TextArea,
    /// What submit does.
    pub purpose: ComposePurpose,
    /// Sent and not answered yet.
    pub pending: Option<JobId>,
    /// Why the last send failed.
    pub error: Option<String>,
    /// The file the user's editor has the text in, while it runs.
    pub in_editor: Option<std::path::PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_members_match_with_wildcards() {
        let me = "arn:aws:iam::111122223333:user/bob";
        assert!(arn_matches("arn:aws:iam::111122223333:user/*", me));
        assert!(arn_matches(me, me));
        assert!(!arn_matches("arn:aws:iam::111122223333:user/alice", me));
        assert!(!arn_matches("arn:aws:iam::999999999999:user/*", me));
        assert!(arn_matches(
            "arn:aws:sts::111122223333:assumed-role/Dev/*",
            "arn:aws:sts::111122223333:assumed-role/Dev/bob-session"
        ));
    }
}
