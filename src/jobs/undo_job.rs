//! The undo log from the jobs' side: where each clone's log is (`<data>/undo/`), the records
//! the write jobs append after each change, and the undo job itself (under the clone's write
//! lock; only the newest change not undone yet is taken back).
//!
//! Recording never fails the job that made the change: the change is made, and a log that
//! cannot be written is a warning in the log file (the user loses the undo, not the work).

use std::path::{Path, PathBuf};

use super::{JobContext, JobFailure, JobOutput, Services, UndoOutput};
use crate::git::GitError;
use crate::git::undo_log::{Change, UndoLog};

/// Where the clones' undo logs are kept: `<data>/undo/` for the app, a directory of their own
/// for tests (so a test run never writes into the user's data dir).
#[derive(Debug, Clone)]
pub struct UndoLogs {
    dir: Option<PathBuf>,
}

impl UndoLogs {
    /// `<data>/undo/` (none when this system gives no data directory: HOME unset).
    pub fn in_data_dir() -> UndoLogs {
        UndoLogs {
            dir: crate::config::paths::data_dir().map(|d| d.join("undo")),
        }
    }

    /// Logs kept in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> UndoLogs {
        UndoLogs {
            dir: Some(dir.into()),
        }
    }

    /// The undo log of the clone `repo` (`None`: no data dir on this system).
    pub fn of(&self, repo: &Path) -> Option<UndoLog> {
        self.dir.as_deref().map(|dir| UndoLog::for_clone(dir, repo))
    }

    /// Appends the change a job made (`Ok(None)`: nothing changed; an error reading it is
    /// logged).
    pub(super) fn record(&self, repo: &Path, change: Result<Option<Change>, GitError>) {
        let change = match change {
            Ok(Some(change)) => change,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, repo = %repo.display(), "cannot read the change for the undo log");
                return;
            }
        };
        let Some(log) = self.of(repo) else {
            tracing::warn!("no data directory: the change is not in the undo log");
            return;
        };
        if let Err(error) = log.append(repo, change) {
            tracing::warn!(%error, file = %log.file().display(), "cannot write the undo log");
        }
    }

    fn of_or_fail(&self, repo: &Path) -> Result<UndoLog, JobFailure> {
        self.of(repo).ok_or_else(|| {
            JobFailure::new(
                "there is no data directory for the undo log",
                Some("set HOME (or XDG_DATA_HOME) so cctui has a data directory".into()),
            )
        })
    }
}

/// A fresh name for what a discard keeps (`refs/cctui/undo/<name>`).
pub(super) fn keep_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("discard-{nanos}")
}

fn io(error: std::io::Error, log: &UndoLog) -> JobFailure {
    JobFailure::new(
        format!("cannot read the undo log {}: {error}", log.file().display()),
        Some("check the file's permissions".into()),
    )
}

/// The changes of a clone, newest first.
pub(super) async fn read(repo: PathBuf, logs: &UndoLogs) -> Result<JobOutput, JobFailure> {
    let log = logs.of_or_fail(&repo)?;
    let entries = tokio::task::spawn_blocking({
        let log = log.clone();
        move || log.entries()
    })
    .await
    .map_err(|e| JobFailure::new(format!("reading the undo log stopped: {e}"), None))?
    .map_err(|e| io(e, &log))?;
    Ok(JobOutput::Undo(UndoOutput::Log { repo, entries }))
}

/// Undoes the newest change not undone yet (`id`: the one the user chose, which must be it).
pub(super) async fn undo(
    repo: PathBuf,
    id: Option<u64>,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let _guard = services.write_lock(&repo, context).await?;
    let log = services.undo_logs.of_or_fail(&repo)?;
    let path = repo.clone();
    let context = context.clone();
    let message = super::worktree_job::blocking(move || {
        let newest = log
            .newest_undoable()
            .map_err(|e| GitError::Other(format!("cannot read the undo log: {e}")))?;
        let Some(entry) = newest else {
            return Err(GitError::UndoRefused {
                reason: "cctui has made no change here that is not undone already".into(),
                hint: "the list of recent changes (Z) shows what was done".into(),
            });
        };
        if let Some(id) = id
            && id != entry.id
        {
            return Err(GitError::UndoRefused {
                reason: format!("a newer change comes first: {}", entry.change.describe()),
                hint: "changes are undone newest first; undo that one first".into(),
            });
        }
        if context.is_cancelled() {
            return Err(GitError::Cancelled);
        }
        context.finishing();
        let message = crate::git::undo::undo(&path, &entry.change)?;
        if let Err(error) = log.mark_undone(entry.id) {
            tracing::warn!(%error, "the undo is done but the log could not say so");
        }
        Ok(message)
    })
    .await?;
    Ok(JobOutput::Undo(UndoOutput::Undone { repo, message }))
}
