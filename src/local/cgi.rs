//! One `git http-backend` run, tied to the request that asked for it.
//!
//! The CGI forks `git receive-pack` or `git upload-pack`, which fork `unpack-objects` or
//! `index-pack` in turn. Killing only the direct child leaves those grandchildren running
//! (an aborted push used to leave them spinning with a quarantine folder behind), so the CGI
//! starts in a process group of its own and the whole group is killed whenever the request
//! ends early: client gone, stalled transfer, or the request future dropped. The guard
//! ([`CgiProcess`]) does this in `Drop`, so no early return can forget it.
//!
//! Slots: at most `max_git_processes` CGIs run at once; a request waits a bounded time for a
//! slot and is then throttled, as CodeCommit throttles git clients (`429 Rate Exceeded`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::process::{Child, Command};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Prefix of the folder `git receive-pack` receives objects into before it accepts a push.
pub const QUARANTINE_PREFIX: &str = "tmp_objdir-incoming-";

/// How long the cleanup waits for killed processes to be gone before it sweeps anyway.
const GROUP_EXIT_WAIT: Duration = Duration::from_secs(5);

/// Process slots and the pushes running per repository.
pub struct CgiSlots {
    slots: Arc<Semaphore>,
    queue_timeout: Duration,
    pushes: Arc<PushTracker>,
}

/// A request could not get a process slot in time.
#[derive(Debug)]
pub struct Throttled;

impl CgiSlots {
    /// `max` processes at once; a request waits at most `queue_timeout` for one.
    pub fn new(max: usize, queue_timeout: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max.max(1))),
            queue_timeout,
            pushes: Arc::new(PushTracker::default()),
        }
    }

    /// Waits (bounded) for a free slot.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, Throttled> {
        match tokio::time::timeout(self.queue_timeout, Arc::clone(&self.slots).acquire_owned())
            .await
        {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Throttled),
        }
    }

    /// Spawns `command` in its own process group, holding `permit` until every process of the
    /// group is gone. `push_repository` is the bare repository a push writes into: its
    /// quarantine folders are removed once no push into it runs any more.
    pub fn spawn(
        &self,
        command: &mut Command,
        permit: OwnedSemaphorePermit,
        push_repository: Option<&Path>,
    ) -> std::io::Result<CgiProcess> {
        // 0: the child becomes the leader of a new group whose id is its pid.
        command.process_group(0).kill_on_drop(true);
        // Registered before the spawn, so a sweep by another push's end cannot run between the
        // spawn and the registration and remove this push's fresh quarantine folder.
        let push = push_repository.map(|repo| PushRegistration::new(&self.pushes, repo));
        let child = command.spawn()?;
        let pgid = child
            .id()
            .and_then(|pid| i32::try_from(pid).ok())
            .ok_or_else(|| std::io::Error::other("the git process has no pid"))?;
        Ok(CgiProcess {
            child: Some(child),
            pgid,
            permit: Some(permit),
            push,
        })
    }
}

/// A running CGI and everything it holds. Dropped without [`CgiProcess::finish`], it kills its
/// process group and cleans up in the background.
pub struct CgiProcess {
    child: Option<Child>,
    pgid: i32,
    permit: Option<OwnedSemaphorePermit>,
    push: Option<PushRegistration>,
}

impl CgiProcess {
    /// The child, to take its pipes.
    pub fn child_mut(&mut self) -> Option<&mut Child> {
        self.child.as_mut()
    }

    /// Waits for the CGI to exit by itself, then releases what it held.
    pub async fn finish(mut self) -> Option<std::process::ExitStatus> {
        let status = match self.child.as_mut() {
            Some(child) => child.wait().await.ok(),
            None => None,
        };
        self.child = None;
        // The CGI waits for its own children; a straggler (none expected) still goes.
        kill_group(self.pgid);
        self.permit = None;
        self.push = None;
        status
    }
}

impl Drop for CgiProcess {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // Before the leader is reaped its pid cannot be reused, so the group id is still ours.
        kill_group(self.pgid);
        let pgid = self.pgid;
        let permit = self.permit.take();
        let push = self.push.take();
        tracing::info!(pgid, "git request ended early; its processes were killed");
        let cleanup = async move {
            let _ = child.wait().await;
            wait_for_group_exit(pgid).await;
            // Dropping these frees the slot and, for the last push, sweeps the quarantine.
            drop(push);
            drop(permit);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(cleanup);
            }
            // No runtime (process exit): the kill is done; start-up recovery sweeps folders.
            Err(_) => drop(cleanup),
        }
    }
}

fn kill_group(pgid: i32) {
    // SAFETY: kill(2) with a negative pid signals the process group; no memory is involved.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks whether the group still has members.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

async fn wait_for_group_exit(pgid: i32) {
    let deadline = tokio::time::Instant::now() + GROUP_EXIT_WAIT;
    // Grandchildren are reaped by init, not by us, so poll instead of waiting on them.
    while group_alive(pgid) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Pushes running per bare repository.
#[derive(Default)]
struct PushTracker {
    active: Mutex<HashMap<PathBuf, usize>>,
}

/// One running push; dropping the last one of a repository sweeps its quarantine folders.
struct PushRegistration {
    tracker: Arc<PushTracker>,
    repository: PathBuf,
}

impl PushRegistration {
    fn new(tracker: &Arc<PushTracker>, repository: &Path) -> Self {
        let mut active = tracker.active.lock().unwrap_or_else(|e| e.into_inner());
        *active.entry(repository.to_path_buf()).or_default() += 1;
        Self {
            tracker: Arc::clone(tracker),
            repository: repository.to_path_buf(),
        }
    }
}

impl Drop for PushRegistration {
    fn drop(&mut self) {
        let mut active = self
            .tracker
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let left = active.get_mut(&self.repository).map(|count| {
            *count = count.saturating_sub(1);
            *count
        });
        if left == Some(0) {
            active.remove(&self.repository);
            // Still under the lock: a new push registers before it spawns, so it cannot create
            // a quarantine folder that this sweep would take for a leftover.
            remove_quarantine_folders(&self.repository);
        }
    }
}

/// Removes every `objects/tmp_objdir-incoming-*` folder of `repository`; each one is the
/// remains of a push that was killed before it could clean up. Returns how many went.
pub fn remove_quarantine_folders(repository: &Path) -> usize {
    let objects = repository.join("objects");
    let Ok(entries) = std::fs::read_dir(&objects) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(QUARANTINE_PREFIX) {
            continue;
        }
        let path = entry.path();
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {
                removed += 1;
                tracing::info!(path = %path.display(), "removed the quarantine folder of an unfinished push");
            }
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "cannot remove a quarantine folder");
            }
        }
    }
    removed
}
