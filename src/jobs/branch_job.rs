//! Branch jobs: reading the three kinds of branches, local branch / merge / stash operations
//! under the clone's write lock, and CodeCommit branch operations.

use std::path::PathBuf;

use super::undo_job::UndoLogs;
use super::{
    BranchNeed, BranchOp, BranchesOutput, JobContext, JobFailure, JobOutput, ServerBranchOp,
    Services,
};
use crate::aws::branches;
use crate::aws::client::Target;
use crate::git::GitError;
use crate::git::merge::{MergeOptions, MergeOutcome};
use crate::git::{branch, merge, stash};

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, GitError> + Send + 'static,
) -> Result<T, GitError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| GitError::Other(format!("the git work stopped unexpectedly: {e}")))?
}

pub(super) async fn read(
    repo: PathBuf,
    server: Option<(Target, String)>,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    // CodeCommit's list arrives on its own; a failure there does not hide the local branches.
    let server_list = async {
        if let Some((target, repository)) = server {
            let client = services.clients.get(&target).await;
            let default = crate::aws::repos::get(&client, &target, &repository)
                .await
                .ok()
                .and_then(|r| r.default_branch);
            let branches =
                branches::list_branches(&client, &target, &repository, default.as_deref())
                    .await
                    .map_err(|e| e.to_string());
            context.output(JobOutput::Branches(BranchesOutput::ServerBranches {
                branches,
            }));
        }
    };
    let local = blocking(move || {
        let local = branch::local_branches(&repo)?;
        let remote = branch::remote_branches(&repo)?;
        let stashes = stash::stash_list(&repo)?;
        Ok(JobOutput::Branches(BranchesOutput::Branches {
            local,
            remote,
            stashes,
        }))
    });
    let ((), local) = tokio::join!(server_list, local);
    Ok(local?)
}

pub(super) async fn local(
    repo: PathBuf,
    op: BranchOp,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let _guard = services.write_lock(&repo, context).await?;
    // Each operation checks for cancel until it starts writing, then completes: a checkout
    // or merge is never left half-way.
    let path = repo.clone();
    let context = context.clone();
    let undo = services.undo_logs.clone();
    let outcome = blocking(move || {
        // A merge's hooks (pre-merge-commit, commit-msg, post-merge) show their last output
        // line in the jobs strip.
        let sink = context.clone();
        crate::git::hooks::streaming_output(
            move |hook, line| sink.progress(format!("{hook}: {line}"), 0, None),
            || run_local(&path, op, &|| context.is_cancelled(), &undo),
        )
    })
    .await?;
    Ok(JobOutput::Branches(match outcome {
        LocalResult::Done { message, conflicts } => BranchesOutput::Done {
            repo: Some(repo),
            message,
            conflicts,
        },
        LocalResult::Needs(need) => BranchesOutput::Needs { repo, need },
    }))
}

/// How a local branch operation ended, before it is addressed to its clone.
enum LocalResult {
    Done {
        message: String,
        conflicts: Vec<String>,
    },
    Needs(BranchNeed),
}

fn done(message: impl Into<String>) -> LocalResult {
    LocalResult::Done {
        message: message.into(),
        conflicts: Vec::new(),
    }
}

/// Records a switch in the undo log (`from`: where HEAD was before it).
fn record_switch(
    undo: &UndoLogs,
    repo: &std::path::Path,
    from: Option<crate::git::undo_log::HeadAt>,
    to: &str,
) {
    use crate::git::undo_log::{Change, HeadAt};
    if let Some(from) = from
        && from != HeadAt::Branch(to.to_string())
    {
        undo.record(
            repo,
            Ok(Some(Change::Switched {
                from,
                to: to.to_string(),
            })),
        );
    }
}

/// Records a merge that moved the branch in the undo log, and passes its outcome on.
fn merged(
    undo: &UndoLogs,
    repo: &std::path::Path,
    name: &str,
    before: Result<(String, Option<String>), GitError>,
    outcome: MergeOutcome,
) -> MergeOutcome {
    if matches!(
        outcome,
        MergeOutcome::FastForward { .. } | MergeOutcome::Merged { .. }
    ) && let Ok(before) = before
    {
        undo.record(
            repo,
            crate::git::undo::moved(repo, crate::git::undo_log::MoveKind::Merge, before, name),
        );
    }
    outcome
}

fn run_local(
    repo: &std::path::Path,
    op: BranchOp,
    is_cancelled: &dyn Fn() -> bool,
    undo: &UndoLogs,
) -> Result<LocalResult, GitError> {
    // What the undo log needs from before the change (read only for the operations it keeps).
    let from = match &op {
        BranchOp::Switch(_) | BranchOp::StashAndSwitch(_) => {
            crate::git::undo::head_at(repo).ok().flatten()
        }
        _ => None,
    };
    let deleted = match &op {
        BranchOp::Delete { name, .. } => crate::git::undo::branch_before_delete(repo, name),
        _ => Err(GitError::Other(String::new())),
    };
    match op {
        BranchOp::Create {
            name,
            start,
            checkout,
        } => {
            branch::create_branch(repo, &name, &start, checkout, is_cancelled)?;
            Ok(done(if checkout {
                format!("Created and switched to {name}")
            } else {
                format!("Created {name}")
            }))
        }
        BranchOp::Switch(name) => match branch::switch_branch(repo, &name, is_cancelled) {
            Ok(()) => {
                record_switch(undo, repo, from, &name);
                Ok(done(format!("Switched to {name}")))
            }
            Err(GitError::UncommittedChanges { files }) => {
                Ok(LocalResult::Needs(BranchNeed::StashFirst {
                    branch: name,
                    files,
                }))
            }
            Err(other) => Err(other),
        },
        BranchOp::StashAndSwitch(name) => {
            // One step for the user: cancellable before the stash only, never between the two.
            if is_cancelled() {
                return Err(GitError::Cancelled);
            }
            stash::stash_save(
                repo,
                Some(&format!("cctui: before switching to {name}")),
                true,
            )?;
            branch::switch_branch(repo, &name, &|| false)?;
            record_switch(undo, repo, from, &name);
            Ok(done(format!(
                "Stashed your changes and switched to {name}; pop the stash from the branches pane"
            )))
        }
        BranchOp::Delete { name, force } => match branch::delete_branch(repo, &name, force) {
            Ok(()) => {
                undo.record(repo, deleted.map(Some));
                Ok(done(format!("Deleted {name}")))
            }
            Err(GitError::BranchNotMerged { .. }) if !force => {
                Ok(LocalResult::Needs(BranchNeed::ForceDelete(name)))
            }
            Err(other) => Err(other),
        },
        BranchOp::Rename { old, new } => {
            branch::rename_branch(repo, &old, &new)?;
            Ok(done(format!("Renamed {old} to {new}")))
        }
        BranchOp::Merge(name) => Ok(
            match merged(
                undo,
                repo,
                &name,
                crate::git::undo::tip(repo),
                merge::merge_branch(repo, &name, MergeOptions::default(), is_cancelled)?,
            ) {
                MergeOutcome::UpToDate => done(format!("Already up to date with {name}")),
                MergeOutcome::FastForward { to } => done(format!(
                    "Fast-forwarded to {name} ({})",
                    to.get(..8).unwrap_or(&to)
                )),
                MergeOutcome::Merged { commit } => done(format!(
                    "Merged {name} ({})",
                    commit.get(..8).unwrap_or(&commit)
                )),
                MergeOutcome::Conflicts { files } => LocalResult::Done {
                    message: format!(
                        "Merging {name} stopped on {} conflicted file(s)",
                        files.len()
                    ),
                    conflicts: files,
                },
            },
        ),
        BranchOp::Resolve(path, resolution) => {
            merge::resolve_file(repo, &path, resolution)?;
            Ok(done(format!("Resolved {path}")))
        }
        BranchOp::AbortMerge => {
            merge::abort_merge(repo)?;
            Ok(done("Merge aborted: everything is as before it"))
        }
        BranchOp::StashSave(message) => {
            stash::stash_save(repo, message.as_deref(), true)?;
            Ok(done("Stashed the local changes (untracked files included)"))
        }
        BranchOp::StashPop(index) => {
            stash::stash_pop(repo, index, is_cancelled)?;
            Ok(done(format!("Applied and dropped stash@{{{index}}}")))
        }
        BranchOp::StashDrop(index) => {
            let kept = crate::git::undo::stash_before_drop(repo, index);
            if let Err(error) = stash::stash_drop(repo, index) {
                if let Ok(kept) = &kept {
                    crate::git::undo::forget(repo, kept);
                }
                return Err(error);
            }
            undo.record(repo, kept.map(Some));
            Ok(done(format!("Dropped stash@{{{index}}}")))
        }
        BranchOp::CheckoutRemote(name) => {
            crate::git::clone::checkout_remote_branch(repo, &name)?;
            Ok(done(format!("Checked out {name}, tracking origin/{name}")))
        }
    }
}

pub(super) async fn server(
    target: Target,
    repository: String,
    op: ServerBranchOp,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let client = services.clients.get(&target).await;
    context.check_cancelled()?;
    context.finishing();
    let message = match op {
        ServerBranchOp::Create { name, commit } => {
            branches::create_branch(&client, &target, &repository, &name, &commit).await?;
            format!("Created {name} on CodeCommit")
        }
        ServerBranchOp::Delete(name) => {
            branches::delete_branch(&client, &target, &repository, &name).await?;
            format!("Deleted {name} on CodeCommit")
        }
        ServerBranchOp::SetDefault(name) => {
            branches::set_default_branch(&client, &target, &repository, &name).await?;
            format!("{name} is now the default branch of {repository}")
        }
    };
    Ok(JobOutput::Branches(BranchesOutput::Done {
        repo: None,
        message,
        conflicts: Vec::new(),
    }))
}
