//! Repository operations, mapped into cctui's own [`Repository`] at the boundary so the rest of
//! the app never sees SDK types.

use std::collections::BTreeMap;

use aws_sdk_codecommit::Client;
use futures::{StreamExt, TryStreamExt};

use super::client::Target;
use super::error::AwsError;

/// BatchGetRepositories accepts at most this many names.
pub const BATCH_SIZE: usize = 25;
/// BatchGetRepositories calls in flight at once.
pub const BATCH_CONCURRENCY: usize = 16;

/// A CodeCommit repository as cctui shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Repository {
    /// Name.
    pub name: String,
    /// Repository id (UUID).
    pub id: String,
    /// Description, possibly empty.
    pub description: String,
    /// Default branch, `None` while the repository is empty.
    pub default_branch: Option<String>,
    /// Last change, seconds since the epoch.
    pub last_modified: Option<i64>,
    /// Creation, seconds since the epoch.
    pub created: Option<i64>,
    /// ARN.
    pub arn: String,
    /// Owning account.
    pub account_id: String,
    /// HTTPS clone URL.
    pub clone_url_http: String,
    /// SSH clone URL.
    pub clone_url_ssh: String,
    /// KMS key for encryption, if one was given.
    pub kms_key_id: Option<String>,
}

impl Repository {
    fn from_sdk(m: &aws_sdk_codecommit::types::RepositoryMetadata) -> Repository {
        let text = |v: Option<&str>| v.unwrap_or_default().to_string();
        Repository {
            name: text(m.repository_name()),
            id: text(m.repository_id()),
            description: text(m.repository_description()),
            default_branch: m.default_branch().map(str::to_string),
            last_modified: m.last_modified_date().map(|d| d.secs()),
            created: m.creation_date().map(|d| d.secs()),
            arn: text(m.arn()),
            account_id: text(m.account_id()),
            clone_url_http: text(m.clone_url_http()),
            clone_url_ssh: text(m.clone_url_ssh()),
            kms_key_id: m.kms_key_id().map(str::to_string),
        }
    }
}

/// Details only the detail view needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepositoryExtras {
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Trigger names with their destination ARNs.
    pub triggers: Vec<(String, String)>,
}

/// Lists every repository: ListRepositories pages, each page's names fetched in
/// BatchGetRepositories calls of 25, [`BATCH_CONCURRENCY`] at a time, while the next page is
/// already being listed. `on_batch` sees each batch as soon as it arrives. Returns the total.
pub async fn list_all(
    client: &Client,
    target: &Target,
    mut on_batch: impl FnMut(Vec<Repository>) + Send,
) -> Result<usize, AwsError> {
    let (names_tx, names_rx) = tokio::sync::mpsc::channel::<Vec<String>>(BATCH_CONCURRENCY * 4);
    let lister = async move {
        let mut pages = client
            .list_repositories()
            .sort_by(aws_sdk_codecommit::types::SortByEnum::RepositoryName)
            .order(aws_sdk_codecommit::types::OrderEnum::Ascending)
            .into_paginator()
            .send();
        let mut total = 0usize;
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| AwsError::from_sdk(e, "ListRepositories", target))?;
            let names: Vec<String> = page
                .repositories()
                .iter()
                .filter_map(|r| r.repository_name().map(str::to_string))
                .collect();
            total += names.len();
            for chunk in names.chunks(BATCH_SIZE) {
                if names_tx.send(chunk.to_vec()).await.is_err() {
                    return Ok(total);
                }
            }
        }
        Ok::<usize, AwsError>(total)
    };
    let batches = futures::stream::unfold(names_rx, |mut rx| async move {
        rx.recv().await.map(|n| (n, rx))
    });
    let getter = batches
        .map(|names| batch_get(client, target, names))
        .buffer_unordered(BATCH_CONCURRENCY)
        .try_for_each(|repos| {
            on_batch(repos);
            futures::future::ready(Ok(()))
        });
    let (total, ()) = tokio::try_join!(lister, getter)?;
    Ok(total)
}

/// BatchGetRepositories for up to 25 names (names that vanished in between are skipped).
pub async fn batch_get(
    client: &Client,
    target: &Target,
    names: Vec<String>,
) -> Result<Vec<Repository>, AwsError> {
    let output = client
        .batch_get_repositories()
        .set_repository_names(Some(names))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "BatchGetRepositories", target))?;
    Ok(output
        .repositories()
        .iter()
        .map(Repository::from_sdk)
        .collect())
}

/// GetRepository.
pub async fn get(client: &Client, target: &Target, name: &str) -> Result<Repository, AwsError> {
    let output = client
        .get_repository()
        .repository_name(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetRepository", target))?;
    output
        .repository_metadata()
        .map(Repository::from_sdk)
        .ok_or_else(|| AwsError::Other("empty answer".into()))
}

/// Tags and triggers of a repository, for the detail view.
pub async fn extras(
    client: &Client,
    target: &Target,
    repository: &Repository,
) -> Result<RepositoryExtras, AwsError> {
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&repository.arn)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "ListTagsForResource", target))?;
    let triggers = client
        .get_repository_triggers()
        .repository_name(&repository.name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetRepositoryTriggers", target))?;
    Ok(RepositoryExtras {
        tags: tags
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        triggers: triggers
            .triggers()
            .iter()
            .map(|t| (t.name().to_string(), t.destination_arn().to_string()))
            .collect(),
    })
}

/// What a new repository gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRepository {
    /// Name (validated by [`super::validate::repository_name`]).
    pub name: String,
    /// Description, may be empty.
    pub description: String,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// KMS key; `None` for the AWS-managed key.
    pub kms_key_id: Option<String>,
}

/// CreateRepository.
pub async fn create(
    client: &Client,
    target: &Target,
    new: &NewRepository,
) -> Result<Repository, AwsError> {
    let mut request = client.create_repository().repository_name(&new.name);
    if !new.description.is_empty() {
        request = request.repository_description(&new.description);
    }
    if !new.tags.is_empty() {
        request = request.set_tags(Some(new.tags.clone().into_iter().collect()));
    }
    if let Some(key) = &new.kms_key_id {
        request = request.kms_key_id(key);
    }
    let output = request
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "CreateRepository", target))?;
    output
        .repository_metadata()
        .map(Repository::from_sdk)
        .ok_or_else(|| AwsError::Other("empty answer".into()))
}

/// UpdateRepositoryName.
pub async fn rename(
    client: &Client,
    target: &Target,
    old: &str,
    new: &str,
) -> Result<(), AwsError> {
    client
        .update_repository_name()
        .old_name(old)
        .new_name(new)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "UpdateRepositoryName", target))?;
    Ok(())
}

/// UpdateRepositoryDescription.
pub async fn describe(
    client: &Client,
    target: &Target,
    name: &str,
    description: &str,
) -> Result<(), AwsError> {
    client
        .update_repository_description()
        .repository_name(name)
        .repository_description(description)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "UpdateRepositoryDescription", target))?;
    Ok(())
}

/// DeleteRepository; returns the deleted id (`None` when it did not exist, as AWS answers).
pub async fn delete(
    client: &Client,
    target: &Target,
    name: &str,
) -> Result<Option<String>, AwsError> {
    let output = client
        .delete_repository()
        .repository_name(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "DeleteRepository", target))?;
    Ok(output.repository_id().map(str::to_string))
}
