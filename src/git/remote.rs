//! Push, fetch, pull and ahead/behind against a configured remote (`origin`).
//!
//! The remote's URL is used as configured (with git's `url.<base>.insteadOf`); a
//! git-remote-codecommit URL (`codecommit::<region>://repo`) is used as the HTTPS URL it stands
//! for. Credentials come from [`Auth`] through the bounded callback of [`crate::git::auth`] and
//! never reach the URL or `.git/config`; a method that does not fit the URL's scheme is refused
//! before connecting. Proxies as git: `http.proxy`, else the `*_PROXY` variables.
//!
//! The network part runs on a scoped worker thread; the calling thread calls `on_progress`
//! about every 100 ms and on changes, and a `false` raises a cancel flag that every libgit2
//! callback checks (the scheme of [`crate::git::clone`]). Where a cancel lands:
//! - fetch: at the next callback, at least every 100 KiB received, or when the server's first
//!   byte arrives;
//! - push: before credentials are sent and at the negotiation, just before the pack is built
//!   and sent. git2 gives the pack building and the upload no way to stop, so a cancel that
//!   comes during them is reported once the push has ended (as [`GitError::Cancelled`] only
//!   when nothing was pushed; a push that completed is reported as done).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use git2::build::CheckoutBuilder;
use git2::{
    AutotagOption, BranchType, Direction, ErrorCode, FetchOptions, FetchPrune, Oid, ProxyOptions,
    PushOptions, Repository, RepositoryState,
};

use crate::git::auth::{Authenticator, RemoteUrl, remote_callbacks};
use crate::git::commit::{conflicted_paths, head_commit, open, other};
use crate::git::identity::{Role, identity_as};
use crate::git::{Auth, GitError};

/// How often the caller's `on_progress` runs at least.
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// What to push where.
#[derive(Debug, Clone)]
pub struct PushRequest {
    /// Remote name, e.g. `origin`.
    pub remote: String,
    /// Local branch name (short, e.g. `feature/x`).
    pub local_branch: String,
    /// Remote branch name (short); the same as `local_branch` for `git push origin <branch>`.
    pub remote_branch: String,
    /// Record the pushed branch as the local branch's upstream (`-u`).
    pub set_upstream: bool,
    /// Force, but only if the remote branch is still where our remote-tracking branch says
    /// (`--force-with-lease`); otherwise [`GitError::StaleLease`].
    pub force_with_lease: bool,
    /// Credentials.
    pub auth: Auth,
}

/// Runs the `pre-push` hook: `<remote name> <url>` as arguments, one
/// `<local ref> <local id> <remote ref> <remote id>` line per update on stdin.
fn pre_push(
    repository: &git2::Repository,
    (remote, url): (&str, &str),
    local_ref: &str,
    updates: &[git2::PushUpdate<'_>],
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    let lines: String = updates
        .iter()
        .map(|update| {
            format!(
                "{local_ref} {} {} {}\n",
                update.dst(),
                update.dst_refname().unwrap_or_default(),
                update.src()
            )
        })
        .collect();
    let limits = crate::git::hooks::HookLimits {
        timeout: crate::git::hooks::timeout(),
        is_cancelled,
        ..crate::git::hooks::HookLimits::default()
    };
    match crate::git::hooks::run_with_input(
        repository,
        "pre-push",
        &[remote, url],
        None,
        &limits,
        Some(lines.as_bytes()),
    )? {
        Some(run) if !run.success => Err(GitError::HookFailed {
            hook: "pre-push".into(),
            output: run.output,
        }),
        _ => Ok(()),
    }
}

/// A progress report of a fetch or push.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TransferProgress {
    /// Connecting, authenticating, negotiating.
    #[default]
    Connecting,
    /// Receiving objects.
    Objects {
        /// Received.
        current: usize,
        /// To receive.
        total: usize,
        /// Bytes received.
        bytes: usize,
    },
    /// Resolving received deltas.
    Deltas {
        /// Resolved.
        current: usize,
        /// To resolve.
        total: usize,
    },
    /// Building the pack to push.
    Packing {
        /// Objects done.
        current: usize,
        /// Objects in the pack.
        total: usize,
    },
    /// Sending objects.
    Pushing {
        /// Sent.
        current: usize,
        /// To send.
        total: usize,
        /// Bytes sent.
        bytes: usize,
    },
}

/// What a fetch changed under `refs/remotes/<remote>/` (and tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FetchOutcome {
    /// Refs created or moved.
    pub updated_refs: usize,
    /// Refs deleted by pruning.
    pub pruned_refs: usize,
}

/// What a pull did to the current branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullOutcome {
    /// Nothing new upstream.
    UpToDate,
    /// The branch moved forward to the upstream.
    FastForward {
        /// Old tip.
        from: String,
        /// New tip.
        to: String,
    },
    /// A merge commit was made.
    Merged {
        /// The merge commit.
        commit: String,
    },
    /// The merge stopped on conflicts: the repository is in merge state, these paths are
    /// conflicted.
    Conflicts {
        /// Conflicted paths, sorted.
        files: Vec<String>,
    },
}

/// Pushes `request.local_branch` to `request.remote_branch` on `request.remote`.
///
/// Without `force_with_lease` only a fast-forward is pushed; otherwise
/// [`GitError::PushRejected`] ("fetch and merge first") and nothing changes, locally or
/// remotely. With `force_with_lease` the push replaces the remote branch only if it still is
/// where our remote-tracking branch (`refs/remotes/<remote>/<remote_branch>`) says — checked on
/// the very connection that pushes, whose update carries that old value so the server refuses
/// it if the branch moves in between — else [`GitError::StaleLease`]. On success the
/// remote-tracking branch is updated and, with `set_upstream`, `branch.<local>.remote/merge`
/// are set.
pub fn push(
    repo: &Path,
    request: &PushRequest,
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
) -> Result<(), GitError> {
    let repository = open(repo)?;
    let local = repository
        .find_branch(&request.local_branch, BranchType::Local)
        .map_err(|_| GitError::BranchNotFound(request.local_branch.clone()))?;
    let local_ref = local
        .get()
        .name()
        .map(str::to_string)
        .map_err(|_| GitError::BranchNotFound(request.local_branch.clone()))?;
    let local_id = local
        .get()
        .target()
        .ok_or_else(|| GitError::BranchNotFound(request.local_branch.clone()))?;
    let remote_ref = format!("refs/heads/{}", request.remote_branch);
    let tracking_ref = tracking_ref_name(&repository, &request.remote, &remote_ref)?;
    let expected = tracking_ref
        .as_deref()
        .and_then(|name| repository.refname_to_id(name).ok());
    drop(local);
    drop(repository);

    drive(on_progress, |shared| {
        let repository = open(repo)?;
        let (mut remote, url, _) =
            connectable(&repository, &request.remote, &request.auth, Direction::Push)?;
        let authenticator = authenticator_for(&url, &request.auth)?;
        let stale: RefCell<Option<GitError>> = RefCell::new(None);
        let refused_by_hook: RefCell<Option<GitError>> = RefCell::new(None);
        let hook_url = repository
            .find_remote(&request.remote)
            .ok()
            .and_then(|r| r.url().ok().map(str::to_string))
            .unwrap_or_else(|| url.clone());
        let rejected: RefCell<Option<String>> = RefCell::new(None);
        let pushed: RefCell<Option<Oid>> = RefCell::new(None);
        let outcome = {
            let mut callbacks = remote_callbacks(&authenticator, &shared.cancel);
            callbacks.sideband_progress(|_| !shared.cancelled());
            callbacks.pack_progress(|_stage, current, total| {
                shared.set(TransferProgress::Packing { current, total });
            });
            callbacks.push_transfer_progress(|current, total, bytes| {
                shared.set(TransferProgress::Pushing {
                    current,
                    total,
                    bytes,
                });
            });
            callbacks.push_negotiation(|updates| {
                if shared.cancelled() {
                    return Err(git2::Error::from_str("cancelled"));
                }
                for update in updates {
                    if update.dst_refname().ok() != Some(remote_ref.as_str()) {
                        continue;
                    }
                    *pushed.borrow_mut() = Some(update.dst());
                    if !request.force_with_lease {
                        continue;
                    }
                    let actual = Some(update.src()).filter(|id| !id.is_zero());
                    if actual != expected {
                        *stale.borrow_mut() = Some(GitError::StaleLease {
                            branch: request.remote_branch.clone(),
                            expected: expected.map(|id| id.to_string()),
                            actual: actual.map(|id| id.to_string()),
                        });
                        return Err(git2::Error::from_str("stale lease"));
                    }
                }
                // pre-push, as git runs it: after the remote said where its refs are, before
                // anything is sent; a failure stops the push.
                if let Err(error) = pre_push(
                    &repository,
                    (&request.remote, &hook_url),
                    &local_ref,
                    updates,
                    &|| shared.cancelled(),
                ) {
                    *refused_by_hook.borrow_mut() = Some(error);
                    return Err(git2::Error::from_str("refused by the pre-push hook"));
                }
                Ok(())
            });
            callbacks.push_update_reference(|name, status| {
                if let Some(status) = status {
                    tracing::info!(reference = name, status, "push rejected by the remote");
                    *rejected.borrow_mut() = Some(status.to_string());
                }
                Ok(())
            });
            let mut options = PushOptions::new();
            options
                .remote_callbacks(callbacks)
                .proxy_options(auto_proxy());
            let force = if request.force_with_lease { "+" } else { "" };
            let refspec = format!("{force}{local_ref}:{remote_ref}");
            remote.push(&[refspec.as_str()], Some(&mut options))
        };
        if let Some(error) = stale.borrow_mut().take() {
            return Err(error);
        }
        if let Some(error) = refused_by_hook.borrow_mut().take() {
            return Err(error);
        }
        let rejection = |reason: String| {
            let lower = reason.to_ascii_lowercase();
            let hint = if lower.contains("fast-forward")
                || lower.contains("fastforward")
                || lower.contains("fetch first")
                || lower.contains("not present locally")
            {
                "fetch and merge first"
            } else if lower.contains("permission") {
                // CodeCommit's branch protection (an IAM policy): the way through is a request.
                "this branch is protected for you: push to another branch and open a pull request \
                 (v); K shows what IAM lets you do here"
            } else {
                "the remote refused the update; check its rules for this branch"
            };
            GitError::PushRejected {
                branch: request.remote_branch.clone(),
                reason,
                hint: hint.to_string(),
            }
        };
        match outcome {
            Err(_) if shared.cancelled() => return Err(GitError::Cancelled),
            Err(error) if error.code() == ErrorCode::NotFastForward => {
                return Err(rejection(error.message().to_string()));
            }
            Err(error) => {
                let mapped = match authenticator.borrow_mut().error(&error) {
                    // The shared hint speaks of pulling; a push needs the other permission.
                    GitError::AuthFailed { method, user, hint } => GitError::AuthFailed {
                        method,
                        user,
                        hint: hint.replace("codecommit:GitPull", "codecommit:GitPush"),
                    },
                    other => other,
                };
                tracing::info!(error = %error, class = ?error.class(), code = ?error.code(), "push failed");
                return Err(mapped);
            }
            Ok(()) => {}
        }
        if let Some(reason) = rejected.borrow_mut().take() {
            return Err(rejection(reason));
        }
        // libgit2 moves the remote-tracking branch after a push through the remote's fetch
        // refspecs; make sure of it (a git-remote-codecommit URL is pushed through an in-memory
        // remote without refspecs). Nothing negotiated: the remote already had our commit.
        let pushed = pushed.borrow_mut().take().unwrap_or(local_id);
        if let Some(name) = &tracking_ref {
            if repository.refname_to_id(name).ok() != Some(pushed) {
                repository
                    .reference(name, pushed, true, "update by push")
                    .map_err(other(
                        "pushed, but cannot update the remote-tracking branch",
                    ))?;
            }
        }
        if request.set_upstream {
            let mut config = repository
                .config()
                .map_err(other("pushed, but cannot open the configuration"))?;
            let section = format!("branch.{}", request.local_branch);
            config
                .set_str(&format!("{section}.remote"), &request.remote)
                .and_then(|()| config.set_str(&format!("{section}.merge"), &remote_ref))
                .map_err(other("pushed, but cannot set the upstream"))?;
        }
        Ok(())
    })
}

/// Fetches `remote` with its configured refspecs and tags as git does by default (`prune`:
/// delete remote-tracking branches gone from the remote; `false` leaves it to
/// `fetch.prune`/`remote.<name>.prune`).
pub fn fetch(
    repo: &Path,
    remote: &str,
    auth: Auth,
    prune: bool,
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
) -> Result<FetchOutcome, GitError> {
    drive(on_progress, |shared| {
        let repository = open(repo)?;
        fetch_on(&repository, remote, &auth, prune, shared)
    })
}

/// The fetch itself, on the worker thread.
fn fetch_on(
    repository: &Repository,
    remote_name: &str,
    auth: &Auth,
    prune: bool,
    shared: &Shared,
) -> Result<FetchOutcome, GitError> {
    let (mut remote, url, refspecs) = connectable(repository, remote_name, auth, Direction::Fetch)?;
    let authenticator = authenticator_for(&url, auth)?;
    let before = all_refs(repository)?;
    let outcome = {
        let mut callbacks = remote_callbacks(&authenticator, &shared.cancel);
        callbacks.sideband_progress(|_| !shared.cancelled());
        callbacks.transfer_progress(|stats| {
            let progress = if stats.total_objects() > 0
                && stats.received_objects() == stats.total_objects()
                && stats.total_deltas() > 0
            {
                TransferProgress::Deltas {
                    current: stats.indexed_deltas(),
                    total: stats.total_deltas(),
                }
            } else {
                TransferProgress::Objects {
                    current: stats.received_objects(),
                    total: stats.total_objects(),
                    bytes: stats.received_bytes(),
                }
            };
            shared.set(progress);
            !shared.cancelled()
        });
        let mut options = FetchOptions::new();
        options
            .remote_callbacks(callbacks)
            .proxy_options(auto_proxy())
            .download_tags(AutotagOption::Unspecified)
            .prune(if prune {
                FetchPrune::On
            } else {
                FetchPrune::Unspecified
            });
        remote.fetch(&refspecs, Some(&mut options), None)
    };
    match outcome {
        Err(_) if shared.cancelled() => return Err(GitError::Cancelled),
        Err(error) => {
            let mapped = authenticator.borrow_mut().error(&error);
            tracing::info!(error = %error, class = ?error.class(), code = ?error.code(), "fetch failed");
            return Err(mapped);
        }
        // A cancel that came too late to stop the fetch: it happened, say so.
        Ok(()) => {}
    }
    let after = all_refs(repository)?;
    Ok(FetchOutcome {
        updated_refs: after
            .iter()
            .filter(|(name, id)| before.get(*name) != Some(id))
            .count(),
        pruned_refs: before
            .keys()
            .filter(|name| !after.contains_key(*name))
            .count(),
    })
}

/// Fetches `remote`, then brings the current branch up to its upstream: fast-forward when
/// possible, else a merge commit ("Merge branch '<b>' of <url>", as `git pull` writes it), else
/// conflicts left in merge state (`MERGE_HEAD`, conflict markers in the files) for the user to
/// resolve and commit with [`crate::git::commit`].
///
/// The branch's upstream must be on `remote` ([`GitError::NoUpstream`]). Refused before the
/// fetch when a merge is already in progress; refused before merging when staged changes exist
/// ([`GitError::UncommittedChanges`]); unstaged changes in files the pull does not touch are
/// kept, as git does, and changes in the way stop it with nothing changed. The merge commit
/// runs no hooks (departure from `git merge`, which runs `pre-merge-commit` and `commit-msg`).
pub fn pull(
    repo: &Path,
    remote: &str,
    auth: Auth,
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
) -> Result<PullOutcome, GitError> {
    let repository = open(repo)?;
    if repository.state() != RepositoryState::Clean {
        return Err(GitError::Other(format!(
            "the repository is in the middle of an operation ({:?}); finish or abort it first",
            repository.state()
        )));
    }
    let branch_ref = current_branch_ref(&repository)?;
    let branch = branch_ref
        .strip_prefix("refs/heads/")
        .unwrap_or(&branch_ref)
        .to_string();
    let config = repository
        .config()
        .map_err(other("cannot read the configuration"))?;
    let upstream_remote = config.get_string(&format!("branch.{branch}.remote")).ok();
    if upstream_remote.as_deref() != Some(remote) {
        return Err(GitError::NoUpstream {
            branch,
            remote: remote.to_string(),
        });
    }
    drop(config);
    drop(repository);

    drive(on_progress, |shared| {
        let repository = open(repo)?;
        fetch_on(&repository, remote, &auth, false, shared).map(drop)
    })?;

    let repository = open(repo)?;
    let upstream_ref = repository
        .branch_upstream_name(&branch_ref)
        .ok()
        .and_then(|name| name.as_str().ok().map(str::to_string))
        .ok_or_else(|| GitError::NoUpstream {
            branch: branch.clone(),
            remote: remote.to_string(),
        })?;
    let upstream = repository
        .find_reference(&upstream_ref)
        .map_err(|_| GitError::NoUpstream {
            branch: branch.clone(),
            remote: remote.to_string(),
        })?;
    let upstream_commit = upstream
        .peel_to_commit()
        .map_err(other("cannot read the upstream"))?;
    let annotated = repository
        .reference_to_annotated_commit(&upstream)
        .map_err(other("cannot read the upstream"))?;
    let head = head_commit(&repository)?;
    let Some(head) = head else {
        // Unborn branch: take the upstream as it is.
        repository
            .checkout_tree(
                upstream_commit.as_object(),
                Some(CheckoutBuilder::new().safe()),
            )
            .map_err(checkout_error)?;
        repository
            .reference(&branch_ref, upstream_commit.id(), false, "pull: initial")
            .map_err(other("cannot create the branch"))?;
        return Ok(PullOutcome::FastForward {
            from: Oid::ZERO_SHA1.to_string(),
            to: upstream_commit.id().to_string(),
        });
    };
    let (analysis, _) = repository
        .merge_analysis(&[&annotated])
        .map_err(other("cannot compare with the upstream"))?;
    if analysis.is_up_to_date() {
        return Ok(PullOutcome::UpToDate);
    }
    if analysis.is_fast_forward() {
        repository
            .checkout_tree(
                upstream_commit.as_object(),
                Some(CheckoutBuilder::new().safe()),
            )
            .map_err(checkout_error)?;
        repository
            .find_reference(&branch_ref)
            .and_then(|mut reference| {
                reference.set_target(upstream_commit.id(), "pull: Fast-forward")
            })
            .map_err(other("cannot move the branch"))?;
        crate::git::commit::run_post_merge(&repository, &crate::git::hooks::HookLimits::default());
        return Ok(PullOutcome::FastForward {
            from: head.id().to_string(),
            to: upstream_commit.id().to_string(),
        });
    }

    // A merge commit needs an identity: check before touching the working tree.
    let author = identity_as(&repository, Role::Author)?;
    let committer = identity_as(&repository, Role::Committer)?;
    let staged = staged_paths(&repository, &head)?;
    if !staged.is_empty() {
        return Err(GitError::UncommittedChanges { files: staged });
    }
    let mut checkout = CheckoutBuilder::new();
    checkout
        .safe()
        .allow_conflicts(true)
        .conflict_style_merge(true);
    repository
        .merge(&[&annotated], None, Some(&mut checkout))
        .map_err(checkout_error)?;
    let mut index = repository.index().map_err(other("cannot read the index"))?;
    if index.has_conflicts() {
        return Ok(PullOutcome::Conflicts {
            files: conflicted_paths(&index)?,
        });
    }
    let tree_id = index
        .write_tree()
        .map_err(other("cannot write the merged tree"))?;
    let tree = repository
        .find_tree(tree_id)
        .map_err(other("cannot read the merged tree"))?;
    let url = find_remote(&repository, remote)?
        .url()
        .unwrap_or(remote)
        .to_string();
    let upstream_branch = repository
        .branch_upstream_merge(&branch_ref)
        .ok()
        .and_then(|name| name.as_str().ok().map(str::to_string))
        .unwrap_or_default();
    let upstream_branch = upstream_branch
        .strip_prefix("refs/heads/")
        .unwrap_or(&upstream_branch);
    let message = format!("Merge branch '{upstream_branch}' of {url}\n");
    let commit = crate::git::commit::record_merge(
        &repository,
        (&author, &committer),
        &message,
        &tree,
        [&head, &upstream_commit],
        &crate::git::hooks::HookLimits::default(),
    )?;
    Ok(PullOutcome::Merged {
        commit: commit.to_string(),
    })
}

/// `(ahead, behind)` of the current branch against its upstream; `None` when HEAD is detached
/// or unborn, or the branch has no upstream (or its remote-tracking branch is gone).
pub fn ahead_behind(repo: &Path) -> Result<Option<(usize, usize)>, GitError> {
    // One implementation, in the log module; kept here because push/pull callers look here.
    crate::git::log::ahead_behind(repo)
}

/// State shared between the worker running libgit2 and the thread reporting progress.
struct Shared {
    /// The latest snapshot, and the last snapshot of each phase that ended since the last
    /// report (so a phase shorter than a report interval is still reported, with its totals).
    progress: Mutex<(TransferProgress, Vec<TransferProgress>)>,
    cancel: AtomicBool,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            progress: Mutex::new((TransferProgress::Connecting, Vec::new())),
            cancel: AtomicBool::new(false),
        }
    }

    /// The reports due: ended phases first, then the latest snapshot.
    fn due(&self) -> Vec<TransferProgress> {
        match self.progress.lock() {
            Ok(mut guard) => {
                let (latest, ended) = &mut *guard;
                let mut due = std::mem::take(ended);
                due.push(latest.clone());
                due
            }
            Err(_) => Vec::new(),
        }
    }

    fn set(&self, progress: TransferProgress) {
        if let Ok(mut guard) = self.progress.lock() {
            let (latest, ended) = &mut *guard;
            let phase_changed = std::mem::discriminant(latest) != std::mem::discriminant(&progress);
            if phase_changed && *latest != TransferProgress::Connecting {
                ended.push(latest.clone());
            }
            *latest = progress;
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// Runs `work` on a scoped worker thread while this thread reports progress to `on_progress`
/// (every [`REPORT_EVERY`], on changes, and the end of every phase) and turns its `false` into
/// the cancel flag; after a cancel there are no more reports.
fn drive<T: Send>(
    on_progress: &mut dyn FnMut(&TransferProgress) -> bool,
    work: impl FnOnce(&Shared) -> Result<T, GitError> + Send,
) -> Result<T, GitError> {
    // The first report comes before any work: a cancel there means nothing was done.
    if !on_progress(&TransferProgress::Connecting) {
        return Err(GitError::Cancelled);
    }
    let shared = Shared::new();
    let (done_tx, done_rx) = mpsc::channel();
    let mut last = TransferProgress::Connecting;
    let result = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let result = work(&shared);
            let _ = done_tx.send(());
            result
        });
        let mut last_report = Instant::now();
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
            .unwrap_or_else(|_| Err(GitError::Other("the git thread panicked".to_string())))
    });
    if result.is_ok() && !shared.cancelled() {
        for now in shared.due() {
            if now != last {
                on_progress(&now);
                last = now;
            }
        }
    }
    result
}

fn find_remote<'r>(repository: &'r Repository, name: &str) -> Result<git2::Remote<'r>, GitError> {
    repository.find_remote(name).map_err(|e| {
        if e.code() == ErrorCode::NotFound {
            GitError::Other(format!("no remote named {name}"))
        } else {
            GitError::Other(format!("cannot read the remote {name}: {}", e.message()))
        }
    })
}

/// The remote to connect to, the URL it will use (after `url.<base>.insteadOf`) and the fetch
/// refspecs to pass explicitly (none: the remote's own apply).
///
/// A git-remote-codecommit URL (`codecommit::<region>://[profile@]repo`, `codecommit://…`),
/// which libgit2 cannot open, stands for the repository's HTTPS URL: an in-memory remote on that
/// URL is used, with the named remote's fetch refspecs, so remote-tracking branches land where
/// git-remote-codecommit puts them. The region comes from the URL, else from [`Auth::Iam`]; the
/// profile is the caller's business (it chose `auth`). Nothing is written to the config.
fn connectable<'r>(
    repository: &'r Repository,
    name: &str,
    auth: &Auth,
    direction: Direction,
) -> Result<(git2::Remote<'r>, String, Vec<String>), GitError> {
    let remote = find_remote(repository, name)?;
    let configured = match direction {
        Direction::Push => remote
            .pushurl()
            .ok()
            .flatten()
            .or_else(|| remote.url().ok()),
        Direction::Fetch => remote.url().ok(),
    }
    .map(str::to_string)
    .ok_or_else(|| GitError::Other(format!("the remote {name} has no URL")))?;
    let connect = crate::git::auth::connect_url(&configured, auth);
    if connect != configured {
        // `HostName`/`Port` from ~/.ssh/config: an in-memory remote on the endpoint with the
        // named remote's refspecs, as for git-remote-codecommit URLs below.
        let refspecs = fetch_refspecs(&remote)?;
        let anonymous = repository
            .remote_anonymous(&connect)
            .map_err(other("cannot open the remote"))?;
        tracing::debug!(remote = name, url = %connect, "connecting to the HostName/Port of ~/.ssh/config");
        return Ok((anonymous, connect, refspecs));
    }
    let Some(codecommit) = crate::aws::urls::parse_codecommit_url(&configured) else {
        return Ok((remote, configured, Vec::new()));
    };
    let region = match (&codecommit.region, auth) {
        (Some(region), _) => region.clone(),
        (None, Auth::Iam { region, .. }) => region.clone(),
        (None, _) => {
            return Err(GitError::Other(format!(
                "{configured} names no region: use IAM credentials (their region is used) or a codecommit::<region>:// URL"
            )));
        }
    };
    let https = crate::aws::urls::https_url(&region, &codecommit.repository);
    let refspecs = fetch_refspecs(&remote)?;
    let anonymous = repository
        .remote_anonymous(&https)
        .map_err(other("cannot open the remote"))?;
    let url = anonymous.url().unwrap_or(&https).to_string();
    tracing::debug!(remote = name, %url, "git-remote-codecommit URL used over HTTPS");
    Ok((anonymous, url, refspecs))
}

/// The fetch refspecs of `remote`, to pass to an in-memory remote that stands for it.
fn fetch_refspecs(remote: &git2::Remote<'_>) -> Result<Vec<String>, GitError> {
    Ok(remote
        .fetch_refspecs()
        .map_err(other("cannot read the remote's refspecs"))?
        .iter()
        .filter_map(|spec| spec.ok().flatten().map(str::to_string))
        .collect())
}

/// The configured (fetch) URL of `remote`, e.g. for choosing the [`Auth`] to pass.
pub fn remote_url(repo: &Path, remote: &str) -> Result<String, GitError> {
    let repository = open(repo)?;
    let remote_handle = find_remote(&repository, remote)?;
    remote_handle
        .url()
        .map(str::to_string)
        .map_err(|_| GitError::Other(format!("the remote {remote} has no URL")))
}

/// The parts of `url` authentication needs; local paths and `file://` get a placeholder (no
/// credentials are asked for them).
fn parse_url(url: &str) -> Result<RemoteUrl, GitError> {
    let local = url.starts_with("file://")
        || url.starts_with('/')
        || url.starts_with('.')
        || Path::new(url).exists();
    if local {
        return Ok(RemoteUrl {
            scheme: "file".to_string(),
            user: None,
            has_password: false,
            host: "localhost".to_string(),
            port: None,
            path: url.trim_start_matches("file://").to_string(),
        });
    }
    RemoteUrl::parse(url)
}

/// The bounded authenticator for `url`, after checking that `auth` fits the URL's scheme
/// (HTTPS methods need an HTTP(S) URL, SSH keys an SSH URL; local paths need nothing).
fn authenticator_for(url: &str, auth: &Auth) -> Result<RefCell<Authenticator>, GitError> {
    let parsed = parse_url(url)?;
    let ssh_url = parsed.scheme == "ssh";
    let http_url = parsed.scheme.starts_with("http");
    match auth {
        Auth::Ssh { .. } if http_url => {
            return Err(GitError::Other(format!(
                "SSH keys need an SSH remote URL (ssh://...), not {url}"
            )));
        }
        Auth::Iam { .. } | Auth::Static { .. } | Auth::GitCredentialHelper if ssh_url => {
            return Err(GitError::Other(format!(
                "{} works over HTTPS, and the remote URL is SSH ({url}): choose SSH keys",
                auth.method()
            )));
        }
        _ => {}
    }
    Ok(RefCell::new(Authenticator::new(auth, &parsed)))
}

/// Like git: `http.proxy` from the configuration, else the `*_PROXY` variables.
fn auto_proxy() -> ProxyOptions<'static> {
    let mut proxy = ProxyOptions::new();
    proxy.auto();
    proxy
}

/// The remote-tracking ref that `remote_ref` on `remote` maps to through the remote's fetch
/// refspecs (`refs/remotes/<remote>/<branch>` normally); `None` when no refspec maps it.
fn tracking_ref_name(
    repository: &Repository,
    remote: &str,
    remote_ref: &str,
) -> Result<Option<String>, GitError> {
    let remote = find_remote(repository, remote)?;
    for refspec in remote.refspecs() {
        if refspec.direction() != git2::Direction::Fetch || !refspec.src_matches(remote_ref) {
            continue;
        }
        if let Ok(name) = refspec.transform(remote_ref) {
            if let Ok(name) = name.as_str() {
                return Ok(Some(name.to_string()));
            }
        }
    }
    Ok(None)
}

/// Every ref and its target (symbolic refs skipped).
fn all_refs(repository: &Repository) -> Result<BTreeMap<String, Oid>, GitError> {
    let mut refs = BTreeMap::new();
    for reference in repository
        .references()
        .map_err(other("cannot list references"))?
    {
        let reference = reference.map_err(other("cannot list references"))?;
        if let (Ok(name), Some(id)) = (reference.name(), reference.target()) {
            refs.insert(name.to_string(), id);
        }
    }
    Ok(refs)
}

/// `refs/heads/<branch>` HEAD points to (born or not); [`GitError::NoBranch`] when detached.
fn current_branch_ref(repository: &Repository) -> Result<String, GitError> {
    let head = repository
        .find_reference("HEAD")
        .map_err(other("cannot read HEAD"))?;
    match head.symbolic_target().ok().flatten() {
        Some(target) if target.starts_with("refs/heads/") => Ok(target.to_string()),
        _ => Err(GitError::NoBranch),
    }
}

/// Paths whose staged content differs from HEAD.
fn staged_paths(repository: &Repository, head: &git2::Commit<'_>) -> Result<Vec<String>, GitError> {
    let tree = head.tree().map_err(other("cannot read HEAD's tree"))?;
    let diff = repository
        .diff_tree_to_index(Some(&tree), None, None)
        .map_err(other("cannot compare the index with HEAD"))?;
    let mut files: Vec<String> = diff
        .deltas()
        .filter_map(|delta| delta.new_file().path().or_else(|| delta.old_file().path()))
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// A checkout that local changes block is [`GitError::UncommittedChanges`].
fn checkout_error(error: git2::Error) -> GitError {
    let lower = error.message().to_ascii_lowercase();
    if error.code() == ErrorCode::Conflict
        || lower.contains("prevent checkout")
        || lower.contains("would be overwritten")
    {
        return GitError::UncommittedChanges { files: Vec::new() };
    }
    GitError::Other(format!(
        "cannot update the working tree: {}",
        error.message()
    ))
}
