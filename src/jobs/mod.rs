//! The job manager: runs [`JobRequest`]s off the UI thread and reports [`JobUpdate`]s.
//!
//! One concurrency model (DESIGN.md): tokio tasks for network work, `spawn_blocking` for disk
//! and git2 work, one channel of updates back into the event loop. Every job has an id, a
//! cancellation token and a final update (`Finished` or `Cancelled`), so the jobs strip can never
//! show a job that is running nowhere.

mod run;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

/// Identifies one job for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// Background work that `update` can ask for.
#[derive(Debug, Clone, PartialEq)]
pub enum JobRequest {
    /// Read the profile names of the shared AWS config and credentials files.
    LoadProfiles {
        /// `~/.aws/config` or `AWS_CONFIG_FILE`.
        config_file: Option<PathBuf>,
        /// `~/.aws/credentials` or `AWS_SHARED_CREDENTIALS_FILE`.
        credentials_file: Option<PathBuf>,
    },
}

impl JobRequest {
    /// What the jobs strip calls this job.
    pub fn title(&self) -> String {
        match self {
            JobRequest::LoadProfiles { .. } => "Read AWS profiles".to_string(),
        }
    }

    /// Whether the job is worth a row in the jobs strip (quick reads are not).
    pub fn visible(&self) -> bool {
        !matches!(self, JobRequest::LoadProfiles { .. })
    }
}

/// How far a job has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What it is doing now ("receiving objects").
    pub phase: String,
    /// Done so far.
    pub current: u64,
    /// Out of (when known).
    pub total: Option<u64>,
}

/// The useful result of a finished job.
#[derive(Debug, Clone, PartialEq)]
pub enum JobOutput {
    /// Profile names, `default` first when present.
    Profiles(Vec<String>),
}

/// Why a job failed, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    /// What went wrong.
    pub message: String,
    /// What to do next.
    pub hint: Option<String>,
}

/// What a job reports.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// The job started.
    Started {
        /// Its title.
        title: String,
        /// Whether the jobs strip shows it.
        visible: bool,
    },
    /// The job made progress.
    Progress(Progress),
    /// The job ended on its own.
    Finished(Result<JobOutput, JobFailure>),
    /// The job was cancelled before it ended.
    Cancelled,
}

/// A job event with the job it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct JobUpdate {
    /// The job.
    pub id: JobId,
    /// What happened.
    pub event: JobEvent,
}

/// What a running job can use: where to send progress, and whether to stop.
#[derive(Debug, Clone)]
pub struct JobContext {
    id: JobId,
    updates: UnboundedSender<JobUpdate>,
    cancel: CancellationToken,
}

impl JobContext {
    /// Reports progress (sending fails only when the app is gone, which is fine to ignore).
    pub fn progress(&self, phase: impl Into<String>, current: u64, total: Option<u64>) {
        let event = JobEvent::Progress(Progress {
            phase: phase.into(),
            current,
            total,
        });
        let _ = self.updates.send(JobUpdate { id: self.id, event });
    }

    /// Whether the user asked this job to stop; blocking work polls this.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The token, for `select!` in async work.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }
}

/// Starts jobs and cancels them.
#[derive(Debug)]
pub struct JobManager {
    updates: UnboundedSender<JobUpdate>,
    next_id: u64,
    running: Arc<Mutex<HashMap<JobId, CancellationToken>>>,
}

impl JobManager {
    /// A manager whose jobs report on `updates`.
    pub fn new(updates: UnboundedSender<JobUpdate>) -> JobManager {
        JobManager {
            updates,
            next_id: 1,
            running: Arc::default(),
        }
    }

    /// Starts a job on the current tokio runtime and returns its id at once.
    pub fn spawn(&mut self, request: JobRequest) -> JobId {
        let id = JobId(self.next_id);
        self.next_id += 1;
        let cancel = CancellationToken::new();
        if let Ok(mut running) = self.running.lock() {
            running.insert(id, cancel.clone());
        }
        let started = JobEvent::Started {
            title: request.title(),
            visible: request.visible(),
        };
        let _ = self.updates.send(JobUpdate { id, event: started });
        let context = JobContext {
            id,
            updates: self.updates.clone(),
            cancel: cancel.clone(),
        };
        let running = Arc::clone(&self.running);
        let updates = self.updates.clone();
        tokio::spawn(async move {
            let event = tokio::select! {
                biased;
                () = cancel.cancelled() => JobEvent::Cancelled,
                result = run::run(request, context) => match result {
                    Err(_) if cancel.is_cancelled() => JobEvent::Cancelled,
                    other => JobEvent::Finished(other),
                },
            };
            if let Ok(mut running) = running.lock() {
                running.remove(&id);
            }
            let _ = updates.send(JobUpdate { id, event });
        });
        id
    }

    /// Asks a job to stop. Async work stops at once; blocking work at its next check.
    pub fn cancel(&self, id: JobId) {
        if let Ok(running) = self.running.lock()
            && let Some(token) = running.get(&id)
        {
            token.cancel();
        }
    }

    /// Asks every job to stop.
    pub fn cancel_all(&self) {
        if let Ok(running) = self.running.lock() {
            running.values().for_each(CancellationToken::cancel);
        }
    }

    /// How many jobs have not reported their end yet.
    pub fn running(&self) -> usize {
        self.running.lock().map(|r| r.len()).unwrap_or(0)
    }
}
