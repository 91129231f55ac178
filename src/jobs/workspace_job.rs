//! Workspace jobs: the scan that finds every clone and streams one summary row per clone
//! (partial outputs, the first as soon as it is read), and the fetch or fast-forward pull of
//! one clone for the bulk work — the same fetch and authentication as the status pane's
//! (`worktree_job::remote_op`, [`super::RemoteJob`]), answered to the workspace.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use super::{JobContext, JobFailure, JobOutput, RemoteJob, RemoteOp, Services, WorkspaceOutput};
use crate::git::workspace::{self, CloneSummary, FastForward};

/// Summaries are read on this many threads at once.
pub const SCAN_THREADS: usize = 4;

/// Rows are sent in batches at most this far apart (the first row goes at once).
const BATCH_EVERY: Duration = Duration::from_millis(50);

/// Finds and summarises the clones: `extra` first (recent clones, `-C`), then those under
/// `root`, each once. Rows stream as [`WorkspaceOutput::Rows`]; the job ends with
/// [`WorkspaceOutput::Scanned`].
pub(super) async fn scan(
    root: Option<PathBuf>,
    extra: Vec<PathBuf>,
    context: &JobContext,
) -> Result<JobOutput, JobFailure> {
    let context = context.clone();
    tokio::task::spawn_blocking(move || scan_blocking(root, extra, &context))
        .await
        .map_err(|e| JobFailure::new(format!("the workspace scan stopped: {e}"), None))
}

fn scan_blocking(root: Option<PathBuf>, extra: Vec<PathBuf>, context: &JobContext) -> JobOutput {
    let (paths_tx, paths_rx) = mpsc::channel::<PathBuf>();
    let paths_rx = Arc::new(Mutex::new(paths_rx));
    let (rows_tx, rows_rx) = mpsc::channel::<CloneSummary>();
    let total = std::thread::scope(|s| {
        // The finder: extra clones first, then the walk; each directory once.
        let finder_context = context.clone();
        s.spawn(move || {
            let mut seen = std::collections::HashSet::new();
            let mut send = |path: PathBuf| {
                if finder_context.is_cancelled() {
                    return false;
                }
                let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                if seen.insert(key) {
                    return paths_tx.send(path).is_ok();
                }
                true
            };
            for path in extra {
                if workspace::is_clone(&path) && !send(path) {
                    return;
                }
            }
            if let Some(root) = root {
                workspace::find_clones(&root, &mut send);
            }
        });
        for _ in 0..SCAN_THREADS {
            let (paths, rows, context) = (Arc::clone(&paths_rx), rows_tx.clone(), context.clone());
            s.spawn(move || {
                loop {
                    let next = paths.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(path) = next else { break };
                    if context.is_cancelled() || rows.send(workspace::summarize(&path)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(rows_tx);
        // The batcher, on this thread: the first row at once, then every BATCH_EVERY.
        let mut batch = Vec::new();
        let mut total = 0;
        let mut last = None::<Instant>;
        loop {
            match rows_rx.recv_timeout(BATCH_EVERY) {
                Ok(row) => {
                    batch.push(row);
                    total += 1;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if !batch.is_empty() && last.is_none_or(|t| t.elapsed() >= BATCH_EVERY) {
                context.output(JobOutput::Workspace(WorkspaceOutput::Rows(std::mem::take(
                    &mut batch,
                ))));
                context.progress("reading clones", total as u64, None);
                last = Some(Instant::now());
            }
        }
        if !batch.is_empty() {
            context.output(JobOutput::Workspace(WorkspaceOutput::Rows(batch)));
        }
        total
    });
    JobOutput::Workspace(WorkspaceOutput::Scanned { total })
}

/// Fetches one clone (`pull`: then fast-forwards it where clean) for the bulk work. A
/// question the fetch would ask (git login, passphrase, host key) is a failure here: one
/// question per clone of a bulk run would be a flood; the row says where to answer it.
pub(super) async fn remote(
    mut job: RemoteJob,
    pull: bool,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let repo = job.repo.clone();
    job.op = RemoteOp::Fetch;
    let fetched = super::worktree_job::remote_op(job, context, services).await?;
    let message = match fetched {
        JobOutput::Worktree(super::WorktreeOutput::RemoteDone { message, .. }) => message,
        JobOutput::Worktree(super::WorktreeOutput::RemoteNeeds { need, .. }) => {
            let what = match need {
                super::CloneNeed::Login => "a git user name and password",
                super::CloneNeed::Passphrase(_) => "the SSH key's passphrase",
                super::CloneNeed::TrustHost { .. } => "a decision on an unknown SSH host key",
            };
            return Err(JobFailure::new(
                format!("the fetch needs {what}"),
                Some("open the clone (enter) and fetch there once (f): it asks".into()),
            ));
        }
        _ => String::new(),
    };
    if !pull {
        return Ok(JobOutput::Workspace(WorkspaceOutput::RemoteDone {
            repo,
            message,
        }));
    }
    let path = repo.clone();
    let before = crate::git::undo::tip(&repo);
    let forwarded = super::worktree_job::blocking(move || workspace::fast_forward(&path)).await?;
    let message = match forwarded {
        FastForward::UpToDate => "Already up to date".to_string(),
        FastForward::Moved { to, .. } => {
            if let Ok(before) = before {
                services.undo_logs.record(
                    &repo,
                    crate::git::undo::moved(
                        &repo,
                        crate::git::undo_log::MoveKind::Pull,
                        before,
                        "origin",
                    ),
                );
            }
            format!("Fast-forwarded to {}", to.get(..8).unwrap_or(&to))
        }
        FastForward::Skipped(why) => {
            return Err(JobFailure::new(
                format!("fetched, but not pulled: {why}"),
                None,
            ));
        }
    };
    Ok(JobOutput::Workspace(WorkspaceOutput::RemoteDone {
        repo,
        message,
    }))
}
