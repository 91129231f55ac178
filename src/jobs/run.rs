//! Turns a [`JobRequest`] into work. Each arm calls a plain function of `aws/`, `git/` or
//! `config/`; this file only chooses the thread and maps errors for the user.

use std::path::{Path, PathBuf};

use futures::StreamExt;

use super::{
    JobContext, JobFailure, JobOutput, JobRequest, ReposOutput, Services, WorktreeOutput,
    worktree_job,
};
use crate::aws::client::Target;
use crate::aws::error::AwsError;
use crate::aws::repos::{self, Repository};
use crate::model::RepoKey;

/// All-regions listings run this many profile/region pairs at once.
const PAIR_CONCURRENCY: usize = 4;

impl From<AwsError> for JobFailure {
    fn from(error: AwsError) -> JobFailure {
        let mut failure = JobFailure::new(error.to_string(), error.hint());
        if let AwsError::SsoExpired { profile } = &error {
            failure.remedy = Some(super::Remedy::SsoLogin {
                profile: profile.clone(),
            });
        }
        failure
    }
}

pub(super) async fn run(
    request: JobRequest,
    context: JobContext,
    services: Services,
) -> Result<JobOutput, JobFailure> {
    match request {
        JobRequest::LoadProfiles {
            config_file,
            credentials_file,
        } => {
            let read = tokio::task::spawn_blocking(move || {
                crate::aws::profiles::read_profiles(
                    config_file.as_deref(),
                    credentials_file.as_deref(),
                )
            })
            .await;
            match read {
                Ok(Ok(profiles)) => Ok(JobOutput::Repos(ReposOutput::Profiles(profiles))),
                Ok(Err(e)) => Err(JobFailure::new(e.to_string(), None)),
                Err(e) => Err(JobFailure::new(
                    format!("reading profiles stopped: {e}"),
                    None,
                )),
            }
        }
        JobRequest::CheckSetup { target } => {
            let report = if services.clients.has_static_credentials() {
                crate::aws::setup::SetupReport::default()
            } else {
                tokio::task::spawn_blocking(move || crate::aws::setup::check(&target))
                    .await
                    .unwrap_or_default()
            };
            Ok(JobOutput::Repos(ReposOutput::Setup(report)))
        }
        JobRequest::ListRepositories { targets } => list(targets, &context, &services).await,
        JobRequest::LoadExtras { target, repository } => {
            let client = services.clients.get(&target).await;
            let extras = repos::extras(&client, &target, &repository).await?;
            Ok(JobOutput::Repos(ReposOutput::Extras {
                key: key_of(&target, &repository.name),
                extras,
            }))
        }
        // An SDK write is sent in one request: cancel is honoured until it leaves, and after
        // that the job says "finishing…" and reports what AWS answered.
        JobRequest::CreateRepository { target, new } => {
            let client = services.clients.get(&target).await;
            context.check_cancelled()?;
            context.finishing();
            let created = repos::create(&client, &target, &new).await?;
            Ok(JobOutput::Repos(ReposOutput::Created(created)))
        }
        JobRequest::RenameRepository { target, old, new } => {
            let client = services.clients.get(&target).await;
            context.check_cancelled()?;
            context.finishing();
            repos::rename(&client, &target, &old, &new).await?;
            Ok(JobOutput::Repos(ReposOutput::Renamed {
                key: key_of(&target, &old),
                new,
            }))
        }
        JobRequest::DescribeRepository {
            target,
            name,
            description,
        } => {
            let client = services.clients.get(&target).await;
            context.check_cancelled()?;
            context.finishing();
            repos::describe(&client, &target, &name, &description).await?;
            Ok(JobOutput::Repos(ReposOutput::Described {
                key: key_of(&target, &name),
                description,
            }))
        }
        JobRequest::Clone(job) => super::clone_job::run(*job, &context, &services).await,
        JobRequest::RememberClone { file, path } => {
            let list = tokio::task::spawn_blocking(move || match (file, path) {
                (Some(file), Some(path)) => {
                    crate::config::recent::remember(&file, &path).unwrap_or_default()
                }
                (Some(file), None) => crate::config::recent::read(&file),
                (None, _) => Vec::new(),
            })
            .await
            .unwrap_or_default();
            Ok(JobOutput::Worktree(WorktreeOutput::Recent(list)))
        }
        JobRequest::ReadStatus { repo, changes } => {
            worktree_job::read_status(repo, changes, &services).await
        }
        JobRequest::ReadLog { repo, after } => worktree_job::read_log(repo, after).await,
        JobRequest::ReadDiff { repo, source } => worktree_job::read_diff(repo, source).await,
        JobRequest::ChangeIndex { repo, change } => {
            worktree_job::change_index(repo, change, &context, &services).await
        }
        JobRequest::Commit { repo, request } => {
            worktree_job::commit(repo, request, &context, &services).await
        }
        JobRequest::PrepareMessageFile { repo, draft, amend } => {
            let at = repo.clone();
            let file = worktree_job::blocking(move || {
                crate::git::message_file::prepare(&at, &draft, amend)
            })
            .await?;
            Ok(JobOutput::Worktree(WorktreeOutput::MessageFileReady {
                repo,
                file,
            }))
        }
        JobRequest::ReadMessageFile { repo, path } => {
            let message =
                worktree_job::blocking(move || crate::git::message_file::read(&path)).await?;
            Ok(JobOutput::Worktree(WorktreeOutput::MessageEdited {
                repo,
                message,
            }))
        }
        JobRequest::ReadBranches { repo, server } => {
            super::branch_job::read(repo, server, &context, &services).await
        }
        JobRequest::Branch { repo, op } => {
            super::branch_job::local(repo, op, &context, &services).await
        }
        JobRequest::ServerBranch {
            target,
            repository,
            op,
        } => super::branch_job::server(target, repository, op, &context, &services).await,
        JobRequest::Remote(job) => worktree_job::remote_op(*job, &context, &services).await,
        JobRequest::SetIdentity {
            repo,
            scope,
            name,
            email,
        } => worktree_job::set_identity(repo, scope, name, email, &context, &services).await,
        JobRequest::Access(request) => super::access_job::run(request, &context, &services).await,
        JobRequest::Pulls(request) => super::pulls_job::run(request, &context, &services).await,
        JobRequest::Integrations(request) => {
            super::integrations_job::run(request, &context, &services).await
        }
        JobRequest::ReadUndoLog { repo } => super::undo_job::read(repo, &services.undo_logs).await,
        JobRequest::ScanWorkspace { root, extra } => {
            super::workspace_job::scan(root, extra, &context).await
        }
        JobRequest::WorkspaceRemote { job, pull } => {
            super::workspace_job::remote(*job, pull, &context, &services).await
        }
        JobRequest::Undo { repo, id } => super::undo_job::undo(repo, id, &context, &services).await,
        JobRequest::DeleteRepository { target, name } => {
            let client = services.clients.get(&target).await;
            context.check_cancelled()?;
            context.finishing();
            let id = repos::delete(&client, &target, &name).await?;
            Ok(JobOutput::Repos(ReposOutput::Deleted {
                key: key_of(&target, &name),
                id,
            }))
        }
    }
}

/// Lists each target; a single target's failure fails the job, one of several is reported and
/// the others go on.
/// The identity of a repository reached through `target`.
fn key_of(target: &Target, name: &str) -> RepoKey {
    RepoKey::new(
        target.profile.clone(),
        target.region.clone().unwrap_or_default(),
        name,
    )
}

async fn list(
    targets: Vec<Target>,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let single = targets.len() == 1;
    let results: Vec<Result<usize, (Target, AwsError)>> = futures::stream::iter(targets)
        .map(|target| async move {
            let client = services.clients.get(&target).await;
            let root = services.workspace_root.clone();
            // Rows carry the region they were listed in: when the session names none, it is
            // the profile's (or the environment's), as the SDK resolved it.
            let mut batch_target = target.clone();
            if batch_target.region.is_none() {
                batch_target.region = services.clients.region_of(&target).await;
            }
            let region = batch_target.region.clone();
            repos::list_all(&client, &target, |batch| {
                let repositories = batch
                    .into_iter()
                    .map(|r| with_clone(&root, region.as_deref(), r))
                    .collect();
                context.output(JobOutput::Repos(ReposOutput::RepositoryBatch {
                    target: batch_target.clone(),
                    repositories,
                }));
            })
            .await
            .map_err(|e| (target, e))
        })
        .buffer_unordered(PAIR_CONCURRENCY)
        .collect()
        .await;
    let mut total = 0;
    for result in results {
        match result {
            Ok(count) => total += count,
            Err((_, error)) if single => return Err(error.into()),
            Err((target, error)) => context.output(JobOutput::Repos(ReposOutput::TargetFailed {
                target,
                failure: error.into(),
            })),
        }
    }
    Ok(JobOutput::Repos(ReposOutput::Listed { total }))
}

/// Pairs a repository with its clone in the workspace: `<root>/<name>` whose `origin` names
/// this repository in this region (a namesake in another region is not its clone). Reading a
/// small config file per repository is cheap enough inline; it never touches the network.
fn with_clone(
    root: &Path,
    region: Option<&str>,
    repository: Repository,
) -> (Repository, Option<PathBuf>) {
    let path = root.join(&repository.name);
    let config = std::fs::read_to_string(path.join(".git").join("config")).unwrap_or_default();
    let is_clone = origin_urls(&config).any(|url| {
        crate::model::RepoKey::of_remote(url, None, region.map(str::to_string)).is_some_and(|key| {
            key.name == repository.name && region.is_none_or(|r| key.region == r)
        })
    });
    (repository, is_clone.then_some(path))
}

/// The `url` values of `[remote "origin"]` in a git config file.
fn origin_urls(config: &str) -> impl Iterator<Item = &str> {
    let mut in_origin = false;
    config.lines().filter_map(move |line| {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(' ', "") == "[remote\"origin\"]";
            return None;
        }
        let (key, value) = line.split_once('=')?;
        (in_origin && key.trim() == "url").then(|| value.trim())
    })
}
