//! Working-tree jobs: reads (status, log, diff) run on the blocking pool and are latest-wins
//! (the state drops stale generations); writes (stage, commit, push…) take the clone's write
//! lock first, so two never touch one repository at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{IndexChange, JobContext, JobFailure, JobOutput, RemoteOp, Services, WorktreeOutput};
use crate::aws::client::Target;
use crate::git::GitError;
use crate::git::auth::Auth;
use crate::git::diff::{self, DiffSource, DiffTarget};
use crate::git::remote::{self, PullOutcome, PushRequest, TransferProgress};
use crate::git::{log, stage};
use crate::model::{Access, RemoteUrl, access_for};

/// History pages hold this many commits.
pub const LOG_PAGE: usize = 200;

impl From<GitError> for JobFailure {
    fn from(error: GitError) -> JobFailure {
        // A git operation that stopped when asked changed nothing: the job was cancelled.
        if error.is_cancelled() {
            return JobFailure::cancelled();
        }
        let message = match &error {
            GitError::HookFailed { hook, output } => {
                format!("The {hook} hook failed:\n{}", output.trim_end())
            }
            other => capitalise(&other.to_string()),
        };
        JobFailure::new(message, error.hint().map(|h| capitalise(&h)))
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, GitError> + Send + 'static,
) -> Result<T, JobFailure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| JobFailure::new(format!("the git work stopped unexpectedly: {e}"), None))?
        .map_err(JobFailure::from)
}

/// The status job: a full read, or — when the watcher said what changed and the last read of
/// this clone is at hand — a refresh that looks only at those paths (the engine falls back to
/// a full scan when it cannot be sure: index or HEAD moved, ignore rules changed, overflow).
pub(super) async fn read_status(
    repo: PathBuf,
    changes: Option<crate::model::Changes>,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let cache = std::sync::Arc::clone(&services.status_cache);
    blocking(move || {
        use crate::git::status_summary::{read_summary, refresh_summary};
        let previous = cache
            .lock()
            .ok()
            .and_then(|c| c.clone())
            .filter(|(path, _)| *path == repo)
            .map(|(_, summary)| summary);
        // One open repository for the status, ahead/behind, merge message and origin URL.
        let summary = match (changes, previous) {
            (Some(changes), Some(previous)) => {
                refresh_summary(&repo, &previous, &changes.paths, changes.overflowed)?
            }
            _ => read_summary(&repo)?,
        };
        let output = JobOutput::Worktree(WorktreeOutput::Status {
            status: summary.snapshot.status.clone(),
            ahead_behind: summary.ahead_behind,
            merge_message: summary.merge_message.clone(),
            origin_url: summary.origin_url.clone(),
        });
        if let Ok(mut slot) = cache.lock() {
            *slot = Some((repo, std::sync::Arc::new(summary)));
        }
        Ok(output)
    })
    .await
}

pub(super) async fn read_log(
    repo: PathBuf,
    after: Option<String>,
) -> Result<JobOutput, JobFailure> {
    blocking(move || {
        let append = after.is_some();
        let (commits, next) = log::log_page(&repo, after.as_deref(), LOG_PAGE)?;
        Ok(JobOutput::Worktree(WorktreeOutput::LogPage {
            commits,
            next,
            append,
        }))
    })
    .await
}

pub(super) async fn read_diff(repo: PathBuf, source: DiffSource) -> Result<JobOutput, JobFailure> {
    blocking(move || {
        let files = match source {
            // An untracked directory (shown once as `dir/`, as git does): the files in it.
            DiffSource::File { path, target } if path.ends_with('/') => files_under(&repo, &path)
                .iter()
                .map(|file| diff::diff_file(&repo, file, &target))
                .collect::<Result<Vec<_>, _>>()?,
            DiffSource::File { path, target } => vec![diff::diff_file(&repo, &path, &target)?],
            DiffSource::Commit(info) => diff::diff_commit(&repo, &info.id)?.files,
        };
        Ok(JobOutput::Worktree(WorktreeOutput::Diff { files }))
    })
    .await
}

/// The files under the directory `dir/` of the work tree (sorted, at most 200: a diff view of
/// more would not be read), as repository paths.
fn files_under(repo: &Path, dir: &str) -> Vec<String> {
    const MOST: usize = 200;
    let mut found = Vec::new();
    let mut pending = vec![dir.trim_end_matches('/').to_string()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(repo.join(&current)) else {
            continue;
        };
        let mut names: Vec<(String, bool)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_string();
                let is_dir = e.file_type().ok()?.is_dir();
                (name != ".git").then_some((format!("{current}/{name}"), is_dir))
            })
            .collect();
        names.sort();
        for (path, is_dir) in names.into_iter().rev() {
            if is_dir {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
        if found.len() >= MOST {
            break;
        }
    }
    found.sort();
    found.truncate(MOST);
    found
}

pub(super) async fn change_index(
    repo: PathBuf,
    change: IndexChange,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let _guard = services.write_lock(&repo, context).await?;
    let changed = repo.clone();
    let context = context.clone();
    let undo = services.undo_logs.clone();
    blocking(move || {
        // Stage-all and discard check for cancel until they write; the others are one quick
        // index write.
        match change {
            IndexChange::Stage(path) => stage::stage_path(&repo, &path)?,
            IndexChange::Unstage(path) => stage::unstage_path(&repo, &path)?,
            IndexChange::StageAll => {
                stage::stage_all_cancellable(&repo, &|| context.is_cancelled())?
            }
            IndexChange::UnstageAll => stage::unstage_all(&repo)?,
            IndexChange::StageHunk(path, hunk) => stage::stage_hunk(&repo, &path, hunk)?,
            IndexChange::UnstageHunk(path, hunk) => stage::unstage_hunk(&repo, &path, hunk)?,
            IndexChange::Discard(path) => discard_keeping(&repo, &path, &context, &undo)?,
        }
        Ok(JobOutput::Worktree(WorktreeOutput::IndexChanged {
            repo: changed,
        }))
    })
    .await
}

/// A discard that first keeps what it throws away (blobs in the clone's object store, for
/// undo), then records it in the undo log. If the copy cannot be made, nothing is discarded.
fn discard_keeping(
    repo: &Path,
    path: &str,
    context: &JobContext,
    undo_logs: &super::undo_job::UndoLogs,
) -> Result<(), GitError> {
    use crate::git::undo;
    let kept = undo::keep_before_discard(repo, path, &super::undo_job::keep_name()).map_err(
        |error| match error {
            GitError::Other(detail) => GitError::Other(format!(
                "nothing was discarded: a copy of what it would throw away could not be kept ({detail})"
            )),
            other => other,
        },
    )?;
    if let Err(error) = crate::git::discard::discard_path(repo, path, &|| context.is_cancelled()) {
        undo::forget(repo, &kept);
        return Err(error);
    }
    undo_logs.record(repo, undo::discarded(repo, kept).map(Some));
    Ok(())
}

pub(super) async fn commit(
    repo: PathBuf,
    request: crate::git::commit::CommitRequest,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let _guard = services.write_lock(&repo, context).await?;
    context.progress("running hooks and committing", 0, None);
    let committed = repo.clone();
    let context = context.clone();
    let undo = services.undo_logs.clone();
    let result = tokio::task::spawn_blocking(move || {
        let before = crate::git::undo::tip(&repo);
        let is_cancelled = || context.is_cancelled();
        let on_point_of_no_return = || context.finishing();
        // A long hook (a test suite) shows what it is doing in the jobs strip.
        let on_hook_output =
            |hook: &str, line: &str| context.progress(format!("{hook}: {line}"), 0, None);
        let control = crate::git::CommitControl {
            is_cancelled: &is_cancelled,
            on_point_of_no_return: &on_point_of_no_return,
            on_hook_output: &on_hook_output,
            ..crate::git::CommitControl::default()
        };
        let outcome = crate::git::commit_with(&repo, &request, &control);
        if let (Ok(made), Ok(before)) = (&outcome, before) {
            let what = if request.amend {
                crate::git::undo_log::MoveKind::Amend
            } else {
                crate::git::undo_log::MoveKind::Commit
            };
            undo.record(
                &repo,
                crate::git::undo::moved(&repo, what, before, &made.summary),
            );
        }
        outcome
    })
    .await
    .map_err(|e| JobFailure::new(format!("the git work stopped unexpectedly: {e}"), None))?;
    match result {
        Ok(outcome) => Ok(JobOutput::Worktree(WorktreeOutput::Committed {
            repo: committed,
            outcome,
        })),
        // Nothing was committed: the UI asks for the identity and keeps the message.
        Err(GitError::MissingIdentity { missing }) => {
            Ok(JobOutput::Worktree(WorktreeOutput::NeedsIdentity {
                repo: committed,
                missing: missing.to_string(),
            }))
        }
        Err(error) => Err(error.into()),
    }
}

/// Writes `user.name` / `user.email` where the user chose (a global file is backed up first).
pub(super) async fn set_identity(
    repo: PathBuf,
    scope: crate::git::IdentityScope,
    name: String,
    email: String,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let _guard = services.write_lock(&repo, context).await?;
    let path = repo.clone();
    let written = blocking(move || crate::git::set_identity(&path, scope, &name, &email)).await?;
    Ok(JobOutput::Worktree(WorktreeOutput::IdentitySet {
        repo,
        written,
    }))
}

const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// Push, fetch or pull, authenticated like a clone: the origin URL decides the method, and a
/// question (git login, SSH passphrase, unknown host key) ends the job with `RemoteNeeds`
/// so the UI asks and runs it again with the answer.
pub(super) async fn remote_op(
    job: super::RemoteJob,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let super::RemoteJob {
        repo,
        op,
        target,
        answers,
    } = job.clone();
    let pushed = match &op {
        RemoteOp::Push { remote_branch, .. } => Some(remote_branch.clone()),
        RemoteOp::Fetch | RemoteOp::Pull => None,
    };
    let _guard = services.write_lock(&repo, context).await?;
    let url = {
        let repo = repo.clone();
        blocking(move || origin_url(&repo)).await?
    };
    let auth = auth_for_remote(&url, &target, &answers, services).await?;
    let https = !matches!(auth, Auth::Ssh { .. });
    let progress_context = context.clone();
    let clone = repo.clone();
    let hook_context = context.clone();
    let undo = services.undo_logs.clone();
    let outcome = tokio::task::spawn_blocking(move || -> Result<String, GitError> {
        // pre-push, and a pull's merge hooks, show their last output line in the jobs strip.
        let sink = move |hook: &str, line: &str| {
            hook_context.progress(format!("{hook}: {line}"), 0, None)
        };
        crate::git::hooks::streaming_output(sink, || {
            let mut last = Instant::now() - PROGRESS_EVERY;
            // Once a push has sent its whole pack, the server may already be updating the branch:
            // from there the push completes and says "finishing…", never "cancelled".
            let mut sent = false;
            let mut on_progress = |p: &TransferProgress| {
                if let TransferProgress::Pushing { current, total, .. } = *p
                    && total > 0
                    && current >= total
                    && !sent
                {
                    sent = true;
                    progress_context.finishing();
                }
                if sent {
                    return true;
                }
                if progress_context.is_cancelled() {
                    return false;
                }
                if last.elapsed() >= PROGRESS_EVERY {
                    last = Instant::now();
                    let (phase, current, total) = describe(p);
                    progress_context.progress(phase, current, total);
                }
                true
            };
            match op {
                RemoteOp::Push { local_branch, remote_branch, set_upstream, force_with_lease } => {
                    let request = PushRequest {
                        remote: "origin".into(),
                        local_branch: local_branch.clone(),
                        remote_branch: remote_branch.clone(),
                        set_upstream,
                        force_with_lease,
                        auth,
                    };
                    remote::push(&repo, &request, &mut on_progress)?;
                    Ok(format!("Pushed {local_branch} to origin/{remote_branch}"))
                }
                RemoteOp::Fetch => {
                    let outcome = remote::fetch(&repo, "origin", auth, true, &mut on_progress)?;
                    Ok(format!(
                        "Fetched origin: {} refs updated, {} pruned",
                        outcome.updated_refs, outcome.pruned_refs
                    ))
                }
                RemoteOp::Pull => {
                    let before = crate::git::undo::tip(&repo);
                    let pulled = remote::pull(&repo, "origin", auth, &mut on_progress)?;
                    if let (PullOutcome::FastForward { .. } | PullOutcome::Merged { .. }, Ok(before)) =
                        (&pulled, before)
                    {
                        undo.record(
                            &repo,
                            crate::git::undo::moved(
                                &repo,
                                crate::git::undo_log::MoveKind::Pull,
                                before,
                                "origin",
                            ),
                        );
                    }
                    let text = match pulled {
                        PullOutcome::UpToDate => "Already up to date".to_string(),
                        PullOutcome::FastForward { to, .. } => format!("Fast-forwarded to {}", short(&to)),
                        PullOutcome::Merged { commit } => format!("Merged the upstream: {}", short(&commit)),
                        PullOutcome::Conflicts { files } => {
                            format!("The merge stopped on conflicts in {}; resolve them, stage, then commit", files.join(", "))
                        }
                    };
                    Ok(text)
                }
            }
        })
    })
    .await
    .map_err(|e| JobFailure::new(format!("the git work stopped unexpectedly: {e}"), None))?;
    match outcome {
        Ok(message) => Ok(JobOutput::Worktree(WorktreeOutput::RemoteDone {
            repo: clone,
            message,
            pushed,
        })),
        Err(error) => match need_of(&error, &answers, https) {
            Some(need) => Ok(JobOutput::Worktree(WorktreeOutput::RemoteNeeds {
                job: Box::new(job),
                url,
                need,
            })),
            None => Err(error.into()),
        },
    }
}

/// The question a failed remote operation should ask, if it has not been answered yet.
fn need_of(error: &GitError, answers: &super::Answers, https: bool) -> Option<super::CloneNeed> {
    match error {
        GitError::PassphraseNeeded { key } if answers.passphrase.is_none() => {
            Some(super::CloneNeed::Passphrase(key.clone()))
        }
        GitError::UnknownHostKey { host, fingerprint } if answers.trusted_fingerprint.is_none() => {
            Some(super::CloneNeed::TrustHost {
                host: host.clone(),
                fingerprint: fingerprint.clone(),
            })
        }
        // Asked again even when a login was sent: a wrong one typed earlier must not lock the
        // user out for the session (each question waits for the user, so this cannot loop).
        GitError::AuthFailed { .. } if https => Some(super::CloneNeed::Login),
        _ => None,
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn describe(p: &TransferProgress) -> (String, u64, Option<u64>) {
    match *p {
        TransferProgress::Connecting => ("connecting".into(), 0, None),
        TransferProgress::Objects {
            current,
            total,
            bytes,
        } => (
            format!("receiving objects, {} kB", bytes / 1000),
            current as u64,
            Some(total as u64),
        ),
        TransferProgress::Deltas { current, total } => (
            "resolving deltas".into(),
            current as u64,
            Some(total as u64),
        ),
        TransferProgress::Packing { current, total } => {
            ("packing".into(), current as u64, Some(total as u64))
        }
        TransferProgress::Pushing {
            current,
            total,
            bytes,
        } => (
            format!("pushing objects, {} kB", bytes / 1000),
            current as u64,
            Some(total as u64),
        ),
    }
}

fn origin_url(repo: &Path) -> Result<String, GitError> {
    let repository = crate::git::repo::open(repo)?;
    let remote = repository
        .find_remote("origin")
        .map_err(|_| GitError::Other("this clone has no remote named origin".into()))?;
    remote
        .url()
        .map(str::to_string)
        .map_err(|_| GitError::Other("the origin URL is not UTF-8".into()))
}

/// Authentication for a remote URL, by the model's one rule ([`access_for`]): SSH URLs use
/// SSH; CodeCommit HTTPS and loopback HTTP(S) use IAM git passwords; every other URL (other
/// hosts, look-alikes such as `localhost.evil.com`, local paths) uses git's credential helpers.
async fn auth_for_remote(
    url: &str,
    target: &Target,
    answers: &super::Answers,
    services: &Services,
) -> Result<Auth, JobFailure> {
    // Git credentials the user typed serve every operation on the same scheme, host and port
    // — checked against the origin as it is now, not as the app last saw it.
    let same_scope =
        answers.login_scope.is_some() && answers.login_scope == crate::model::credential_scope(url);
    let typed = || {
        answers
            .login
            .clone()
            .filter(|_| same_scope)
            .map(|(username, password)| Auth::Static { username, password })
    };
    // A URL the model does not read (a local path, file://) needs no network credentials.
    let Ok(parsed) = RemoteUrl::parse(url) else {
        return Ok(Auth::GitCredentialHelper);
    };
    match access_for(&parsed, false) {
        Access::Ssh => match &parsed.host {
            Some(host) => super::clone_job::ssh_auth(
                parsed.user.as_deref(),
                host,
                answers.passphrase.clone(),
                answers.trusted_fingerprint.clone(),
            ),
            None => Ok(Auth::GitCredentialHelper),
        },
        Access::IamPassword { .. } if typed().is_some() => {
            Ok(typed().unwrap_or(Auth::GitCredentialHelper))
        }
        Access::IamPassword { region } => {
            let region = region
                .or_else(|| target.region.clone())
                .ok_or_else(super::clone_job::no_region)?;
            match services.clients.keys(target).await {
                Ok(keys) => Ok(Auth::Iam { keys, region }),
                // An expired SSO session is renewed, not worked around: git credentials would
                // hide it until the next call that needs AWS.
                Err(error @ crate::aws::error::AwsError::SsoExpired { .. }) => Err(error.into()),
                // No AWS credentials here: a clone made with HTTPS git credentials still
                // pushes with them (git's helpers, else asked).
                Err(error) => {
                    tracing::debug!(%error, "no AWS keys for the IAM git password; trying git credentials");
                    Ok(Auth::GitCredentialHelper)
                }
            }
        }
        Access::GitCredentials => Ok(typed().unwrap_or(Auth::GitCredentialHelper)),
    }
}

/// The staged or unstaged side of a status section, for the diff view.
pub fn target_of(staged: bool) -> DiffTarget {
    if staged {
        DiffTarget::Staged
    } else {
        DiffTarget::Unstaged
    }
}
