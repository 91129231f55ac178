//! Clone with progress, cancellation, bounded authentication and cleanup.
//!
//! libgit2 runs on a scoped worker thread; the calling thread reports progress every ~100 ms
//! (so a UI can cancel even while libgit2 waits for the server) and raises a cancel flag that
//! every libgit2 callback (credentials, transfer, sideband, checkout notify) checks. libgit2
//! can only stop at a callback: a cancel lands at the next one, which during a transfer is at
//! least every 100 KiB received; while waiting for the server's first byte it lands when that
//! byte arrives. `clone` returns only after the worker has stopped and the directory is gone.
//!
//! A remote whose HEAD names a branch that does not exist (CodeCommit, after its default branch
//! was deleted or when the first push went to another branch) is cloned as git would, and then
//! settled instead of left with nothing checked out and no word: see [`CloneOutcome`].

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use git2::build::{CheckoutBuilder, RepoBuilder};
use git2::{
    BranchType, CheckoutNotificationType, ErrorCode, FetchOptions, ProxyOptions, RemoteCallbacks,
    Repository,
};

use crate::git::auth::{Authenticator, RemoteUrl};
use crate::git::{Auth, GitError};

/// How often the caller's `on_progress` runs at least.
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// What to clone where, and how to authenticate.
#[derive(Debug, Clone)]
pub struct CloneRequest {
    /// The clean remote URL (no user:password); it becomes `origin` exactly.
    pub url: String,
    /// The new working tree; must not exist or be empty.
    pub target: PathBuf,
    /// Credentials.
    pub auth: Auth,
}

/// What a finished clone checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloneOutcome {
    /// The branch the remote's HEAD names (what `git clone` does); `HEAD` when the remote's
    /// HEAD is detached.
    CheckedOut {
        /// The local branch, tracking `origin/<branch>`.
        branch: String,
    },
    /// The remote's HEAD names no existing branch; `branch` was checked out instead, as a local
    /// branch tracking `origin/<branch>`: the preferred branch when the remote has it, else the
    /// remote's only branch.
    CheckedOutInstead {
        /// The branch checked out.
        branch: String,
    },
    /// The remote has no branch at all: a valid empty clone, HEAD unborn (the first commit
    /// and push create the branch).
    Empty,
    /// The remote's HEAD names no existing branch and the remote has several (none of them the
    /// preferred one): nothing is checked out. Ask the user, then call
    /// [`checkout_remote_branch`].
    ChooseBranch {
        /// The remote's branches (`origin/<name>` exists for each), sorted.
        branches: Vec<String>,
    },
}

/// Where a clone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClonePhase {
    /// Connecting and authenticating.
    #[default]
    Connecting,
    /// The server counts and compresses objects.
    Counting,
    /// Receiving objects.
    Receiving,
    /// Resolving deltas.
    Resolving,
    /// Writing the working tree.
    CheckingOut,
}

/// A progress snapshot; throughput is for the caller to compute from `bytes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloneProgress {
    /// Phase.
    pub phase: ClonePhase,
    /// Objects received.
    pub objects: usize,
    /// Objects the server sends (0 until known).
    pub total_objects: usize,
    /// Deltas resolved.
    pub deltas: usize,
    /// Deltas to resolve.
    pub total_deltas: usize,
    /// Bytes received.
    pub bytes: usize,
    /// Files checked out.
    pub files: usize,
    /// Files to check out.
    pub total_files: usize,
}

/// Clones `request.url` into `request.target`. Blocking.
///
/// `on_progress` is called on the calling thread about every 100 ms and on changes; returning
/// `false` cancels (and ends the reports). The target must not exist or be empty ([`GitError::TargetNotEmpty`]
/// otherwise, before anything is touched). On any failure or cancel the target directory (and
/// any parent this call created) is removed, or emptied back if it existed empty. The remote
/// `origin` is exactly `request.url`; credentials never reach the disk.
///
/// What is checked out when the remote's HEAD names no existing branch: the remote's only
/// branch if it has exactly one; otherwise nothing (use [`clone_with`] to hear about it).
pub fn clone(
    request: &CloneRequest,
    on_progress: &mut dyn FnMut(&CloneProgress) -> bool,
) -> Result<(), GitError> {
    clone_with(request, None, on_progress).map(drop)
}

/// [`clone`], saying what was checked out. When the remote's HEAD names no existing branch,
/// `preferred_branch` (CodeCommit's default branch) is checked out if the remote has it, else
/// the only branch, else nothing ([`CloneOutcome::ChooseBranch`]). That checkout is part of the
/// clone: reported as [`ClonePhase::CheckingOut`], cancellable, and cleaned up on failure.
pub fn clone_with(
    request: &CloneRequest,
    preferred_branch: Option<&str>,
    on_progress: &mut dyn FnMut(&CloneProgress) -> bool,
) -> Result<CloneOutcome, GitError> {
    let url = RemoteUrl::parse(&request.url)?;
    if url.has_password {
        return Err(GitError::Other(
            "the URL contains a password; give the clean URL and the credentials separately (they would be stored in .git/config)".to_string(),
        ));
    }
    check_method_fits_url(&request.auth, &url)?;
    let created = prepare_target(&request.target)?;
    let shared = Shared {
        progress: Mutex::new(CloneProgress::default()),
        phase_starts: Mutex::new(Vec::new()),
        cancel: AtomicBool::new(false),
    };
    let (done_tx, done_rx) = mpsc::channel();
    let mut last = CloneProgress::default();
    let result = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let result = run(request, &url, &shared, preferred_branch);
            let _ = done_tx.send(());
            result
        });
        let mut last_report = Instant::now();
        if !on_progress(&last) {
            shared.cancel.store(true, Ordering::Relaxed);
        }
        loop {
            let finished = !matches!(
                done_rx.recv_timeout(Duration::from_millis(25)),
                Err(mpsc::RecvTimeoutError::Timeout)
            );
            if finished {
                break;
            }
            if shared.cancelled() {
                continue; // the caller said stop: no more reports, wait for libgit2 to stop
            }
            for now in shared.due() {
                if now != last || last_report.elapsed() >= REPORT_EVERY {
                    if !on_progress(&now) {
                        shared.cancel.store(true, Ordering::Relaxed);
                        break;
                    }
                    last = now;
                    last_report = Instant::now();
                }
            }
        }
        worker
            .join()
            .unwrap_or_else(|_| Err(GitError::Other("the clone thread panicked".to_string())))
    });
    match result {
        Ok(outcome) => {
            for now in shared.due() {
                if now != last {
                    on_progress(&now);
                    last = now;
                }
            }
            Ok(outcome)
        }
        Err(error) => {
            cleanup(&request.target, created.as_deref());
            Err(error)
        }
    }
}

struct Shared {
    progress: Mutex<CloneProgress>,
    /// The first snapshot of each phase, so that even a phase shorter than a report interval
    /// is reported once.
    phase_starts: Mutex<Vec<CloneProgress>>,
    cancel: AtomicBool,
}

impl Shared {
    fn snapshot(&self) -> CloneProgress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn update(&self, change: impl FnOnce(&mut CloneProgress)) -> bool {
        if let Ok(mut progress) = self.progress.lock() {
            let phase = progress.phase;
            change(&mut progress);
            if progress.phase != phase {
                if let Ok(mut starts) = self.phase_starts.lock() {
                    starts.push(progress.clone());
                }
            }
        }
        !self.cancel.load(Ordering::Relaxed)
    }

    /// The reports due: the start of each phase entered since the last call, then now.
    fn due(&self) -> Vec<CloneProgress> {
        let mut due = self
            .phase_starts
            .lock()
            .map(|mut starts| std::mem::take(&mut *starts))
            .unwrap_or_default();
        due.push(self.snapshot());
        due
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The libgit2 part, on the worker thread.
fn run(
    request: &CloneRequest,
    url: &RemoteUrl,
    shared: &Shared,
    preferred_branch: Option<&str>,
) -> Result<CloneOutcome, GitError> {
    crate::git::init_libgit2();
    // libgit2 connects where the URL says; `HostName`/`Port` from ~/.ssh/config change where
    // that is, and origin is set back to the URL the user gave once the clone is made.
    let connect = crate::git::auth::connect_url(&request.url, &request.auth);
    let connect_parsed;
    let url = if connect == request.url {
        url
    } else {
        connect_parsed = RemoteUrl::parse(&connect)?;
        &connect_parsed
    };
    let auth = RefCell::new(Authenticator::new(&request.auth, url));
    let outcome = {
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(|url, user, allowed| {
            if shared.cancelled() {
                return Err(git2::Error::from_str("cancelled"));
            }
            auth.borrow_mut().credentials(url, user, allowed)
        });
        callbacks.certificate_check(|cert, host| auth.borrow_mut().certificate_check(cert, host));
        callbacks.sideband_progress(|_text| {
            shared.update(|p| {
                if p.phase == ClonePhase::Connecting {
                    p.phase = ClonePhase::Counting;
                }
            })
        });
        callbacks.transfer_progress(|stats| {
            shared.update(|p| {
                p.objects = stats.received_objects();
                p.total_objects = stats.total_objects();
                p.bytes = stats.received_bytes();
                p.deltas = stats.indexed_deltas();
                p.total_deltas = stats.total_deltas();
                p.phase =
                    if p.total_objects > 0 && p.objects == p.total_objects && p.total_deltas > 0 {
                        ClonePhase::Resolving
                    } else {
                        ClonePhase::Receiving
                    };
            })
        });
        let mut fetch = FetchOptions::new();
        fetch.remote_callbacks(callbacks);
        // Like git: http.proxy from the config, else the *_PROXY variables (NO_PROXY honoured).
        let mut proxy = ProxyOptions::new();
        proxy.auto();
        fetch.proxy_options(proxy);
        RepoBuilder::new()
            .fetch_options(fetch)
            .with_checkout(checkout_with_progress(shared))
            .clone(&connect, &request.target)
    };
    match outcome {
        Ok(_) if shared.cancelled() => Err(GitError::Cancelled),
        Ok(repository) => {
            if connect != request.url {
                repository
                    .remote_set_url("origin", &request.url)
                    .map_err(|e| GitError::Other(format!("cloned, but {}", e.message())))?;
            }
            settle_head(&repository, preferred_branch, shared)
        }
        Err(_) if shared.cancelled() => Err(GitError::Cancelled),
        Err(error) => {
            let mapped = auth.borrow_mut().error(&error);
            tracing::info!(error = %error, class = ?error.class(), code = ?error.code(), "clone failed");
            Err(mapped)
        }
    }
}

/// A checkout that reports [`ClonePhase::CheckingOut`] progress and stops on cancel (the clone
/// then removes the directory, so a checkout cut short leaves nothing behind).
fn checkout_with_progress(shared: &Shared) -> CheckoutBuilder<'_> {
    let mut checkout = CheckoutBuilder::new();
    checkout.notify_on(CheckoutNotificationType::UPDATED);
    checkout.notify(|_, _, _, _, _| !shared.cancelled());
    checkout.progress(|_path, current, total| {
        shared.update(|p| {
            p.phase = ClonePhase::CheckingOut;
            p.files = current;
            p.total_files = total;
        });
    });
    checkout
}

/// After libgit2's clone: what HEAD is, and when the remote's HEAD named no existing branch
/// (libgit2 then leaves an unborn HEAD and an empty working tree), the branch to check out.
fn settle_head(
    repository: &Repository,
    preferred_branch: Option<&str>,
    shared: &Shared,
) -> Result<CloneOutcome, GitError> {
    let cannot = |e: git2::Error| GitError::Other(format!("cloned, but {}", e.message()));
    match repository.head() {
        Ok(head) => {
            let branch = String::from_utf8_lossy(head.shorthand_bytes()).into_owned();
            return Ok(CloneOutcome::CheckedOut { branch });
        }
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {}
        Err(e) => return Err(cannot(e)),
    }
    let branches = origin_branches(repository).map_err(cannot)?;
    if branches.is_empty() {
        return Ok(CloneOutcome::Empty);
    }
    let preferred = preferred_branch.filter(|p| branches.iter().any(|b| b == p));
    let only = (branches.len() == 1).then(|| branches[0].as_str());
    let Some(branch) = preferred.or(only) else {
        tracing::info!(
            ?branches,
            "the remote's HEAD names no branch; nothing checked out"
        );
        return Ok(CloneOutcome::ChooseBranch { branches });
    };
    track_and_check_out(repository, branch, checkout_with_progress(shared)).map_err(|e| {
        if shared.cancelled() {
            GitError::Cancelled
        } else {
            cannot(e)
        }
    })?;
    if shared.cancelled() {
        return Err(GitError::Cancelled);
    }
    Ok(CloneOutcome::CheckedOutInstead {
        branch: branch.to_string(),
    })
}

/// The branches of `origin` (its remote-tracking branches, `origin/HEAD` left out), sorted.
fn origin_branches(repository: &Repository) -> Result<Vec<String>, git2::Error> {
    let mut out = Vec::new();
    for item in repository.branches(Some(BranchType::Remote))? {
        let (branch, _) = item?;
        let name = branch.get().name_bytes();
        if let Some(rest) = name.strip_prefix(b"refs/remotes/origin/") {
            if rest != b"HEAD" {
                out.push(String::from_utf8_lossy(rest).into_owned());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// In a fresh clone (unborn HEAD, empty working tree): the working tree takes
/// `origin/<branch>`, then the local `branch` is made to track it and HEAD points to it.
fn track_and_check_out(
    repository: &Repository,
    branch: &str,
    mut checkout: CheckoutBuilder<'_>,
) -> Result<(), git2::Error> {
    let commit = repository
        .find_reference(&format!("refs/remotes/origin/{branch}"))?
        .peel_to_commit()?;
    checkout.safe();
    repository.checkout_tree(commit.as_object(), Some(&mut checkout))?;
    let mut local = repository.branch(branch, &commit, false)?;
    local.set_upstream(Some(&format!("origin/{branch}")))?;
    repository.set_head(&format!("refs/heads/{branch}"))
}

/// Checks out `branch` of `origin` in the clone at `repo` as a local branch tracking
/// `origin/<branch>` (after [`CloneOutcome::ChooseBranch`], once the user picked one). The same
/// as switching to `origin/<branch>`: local changes in the way refuse it and change nothing.
/// Not cancellable once called (one checkout, never left half done).
///
/// Errors: [`GitError::BranchNotFound`] (no such remote-tracking branch),
/// [`GitError::UncommittedChanges`], [`GitError::BranchExists`] (a local branch of that name
/// tracks something else).
pub fn checkout_remote_branch(repo: &Path, branch: &str) -> Result<(), GitError> {
    crate::git::branch::switch_branch(repo, &format!("origin/{branch}"), &|| false)
}

/// HTTPS methods need an HTTP(S) URL, SSH keys an SSH URL: say so before connecting.
fn check_method_fits_url(auth: &Auth, url: &RemoteUrl) -> Result<(), GitError> {
    let ssh_url = url.scheme == "ssh";
    match auth {
        Auth::Ssh { .. } if !ssh_url => Err(GitError::Other(format!(
            "SSH keys need the SSH clone URL (ssh://...), not {}://",
            url.scheme
        ))),
        Auth::Iam { .. } | Auth::Static { .. } | Auth::GitCredentialHelper if ssh_url => {
            Err(GitError::Other(format!(
                "{} works over HTTPS: use the HTTPS clone URL, or choose SSH keys",
                auth.method()
            )))
        }
        _ => Ok(()),
    }
}

/// Refuses a non-empty target; returns the top-most directory this clone will create (to be
/// removed on failure), `None` when the target exists (empty).
fn prepare_target(target: &Path) -> Result<Option<PathBuf>, GitError> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.is_dir() => {
            let mut entries = std::fs::read_dir(target)
                .map_err(|e| GitError::Other(format!("cannot read {}: {e}", target.display())))?;
            if entries.next().is_some() {
                return Err(GitError::TargetNotEmpty(target.to_path_buf()));
            }
            Ok(None)
        }
        Ok(_) => Err(GitError::TargetNotEmpty(target.to_path_buf())),
        Err(_) => {
            let mut top = target.to_path_buf();
            while let Some(parent) = top.parent() {
                if parent.as_os_str().is_empty() || parent.exists() {
                    break;
                }
                top = parent.to_path_buf();
            }
            Ok(Some(top))
        }
    }
}

fn cleanup(target: &Path, created: Option<&Path>) {
    let result = match created {
        // The target itself goes entirely; parents this clone created go only while empty:
        // another clone may have started in them meanwhile (a bulk clone into a new workspace
        // root), and its work must survive this one's failure.
        Some(top) => match std::fs::remove_dir_all(target) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => {
                let mut dir = target.parent();
                while let Some(parent) = dir.filter(|p| p.starts_with(top)) {
                    if std::fs::remove_dir(parent).is_err() {
                        break;
                    }
                    dir = parent.parent();
                }
                Ok(())
            }
        },
        None => std::fs::read_dir(target).and_then(|entries| {
            for entry in entries.flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
            Ok(())
        }),
    };
    if let Err(error) = result {
        tracing::warn!(%error, target = %target.display(), "cannot remove the partial clone");
    }
}
