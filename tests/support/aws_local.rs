//! Helpers for tests and benchmarks of `cctui::aws` against the local service on 127.0.0.1.
//!
//! Everything goes through the real SDK client that `cctui::aws::client::Clients` builds (default
//! retry policy, SigV4 signing); nothing is mocked.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use cctui::aws::client::{Clients, StaticCredentials, Target};
use cctui::aws::error::AwsError;
use cctui::aws::repos::{self, NewRepository, Repository};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, RunningService,
    ServiceConfig,
};
use cctui::secret::Secret;
use futures::StreamExt;

/// A running local service with the cctui client set up for it.
pub struct AwsLocal {
    /// The service (dropping it stops it).
    pub service: RunningService,
    /// Clients with the demo credentials.
    pub clients: Clients,
    /// Target pointing at the service, in its region.
    pub target: Target,
    /// The service's data directory (removed on drop).
    pub dir: tempfile::TempDir,
}

impl AwsLocal {
    /// A service in the demo region.
    pub async fn start() -> AwsLocal {
        AwsLocal::start_in(DEMO_REGION).await
    }

    /// A service that pretends to be in `region` (it checks the SigV4 scope against it).
    pub async fn start_in(region: &str) -> AwsLocal {
        AwsLocal::start_with(region, |_| ()).await
    }

    /// Like [`AwsLocal::start_in`], with `prepare` run on the data directory before the service
    /// opens it (see [`aws_seed_store`]).
    pub async fn start_with(region: &str, prepare: impl FnOnce(&Path)) -> AwsLocal {
        let dir = aws_tempdir();
        prepare(dir.path());
        let mut config = ServiceConfig::new(dir.path());
        config.region = region.to_string();
        let service = LocalService::start(config).await.unwrap();
        let target = Target {
            profile: None,
            region: Some(region.to_string()),
            endpoint: Some(service.endpoint()),
        };
        AwsLocal {
            service,
            clients: aws_demo_clients(),
            target,
            dir,
        }
    }

    /// The SDK client for [`AwsLocal::target`].
    pub async fn client(&self) -> aws_sdk_codecommit::Client {
        self.clients.get(&self.target).await
    }

    /// Data directory of the service.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// API requests the service has received so far.
    pub fn api_requests(&self) -> u64 {
        self.service.stats_snapshot().api_requests
    }
}

/// A temporary data directory, in memory (`/dev/shm`) where there is one: the service fsyncs
/// every metadata change, and thousands of repositories on a disk shared with parallel builds
/// made run times swing from 6 s to 70 s.
pub fn aws_tempdir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("cctui-aws-test-")
            .tempdir_in(shm)
        {
            return dir;
        }
    }
    tempfile::tempdir().unwrap()
}

/// Clients that sign with the local service's demo credentials.
pub fn aws_demo_clients() -> Clients {
    aws_clients_with(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
}

/// Clients that sign with the given key pair.
pub fn aws_clients_with(access_key_id: &str, secret_access_key: &str) -> Clients {
    Clients::with_credentials(StaticCredentials {
        access_key_id: access_key_id.to_string(),
        secret_access_key: Secret::new(secret_access_key.to_string()),
        session_token: None,
    })
}

/// Creates `count` empty repositories named `{prefix}{i:05}` through `cctui::aws::repos::create`,
/// `concurrency` at a time. Returns the names in creation order.
pub async fn aws_create_many(
    client: &aws_sdk_codecommit::Client,
    target: &Target,
    prefix: &str,
    count: usize,
    concurrency: usize,
) -> Vec<String> {
    let names: Vec<String> = (0..count).map(|i| format!("{prefix}{i:05}")).collect();
    let results: Vec<Result<Repository, AwsError>> = futures::stream::iter(names.clone())
        .map(|name| async move {
            repos::create(
                client,
                target,
                &NewRepository {
                    name,
                    ..NewRepository::default()
                },
            )
            .await
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for result in results {
        if let Err(e) = result {
            panic!("creating a repository failed: {e:?}");
        }
    }
    names
}

/// Writes `count` empty repositories named `{prefix}{i:05}` straight into a service data
/// directory, in the store's documented layout (`meta/<id>.json`, `repos/<id>.git`; see
/// `cctui::local::store`), before the service starts. Thousands take a second this way, where
/// CreateRepository pays one fsync each (tens of seconds on a busy disk). Returns the names.
pub fn aws_seed_store(data_dir: &Path, prefix: &str, count: usize) -> Vec<String> {
    use cctui::local::store::{RepoMeta, init_bare, new_id, now_epoch_seconds};
    let meta_dir = data_dir.join("meta");
    std::fs::create_dir_all(&meta_dir).unwrap();
    let now = now_epoch_seconds();
    (0..count)
        .map(|i| {
            let meta = RepoMeta {
                id: new_id(),
                name: format!("{prefix}{i:05}"),
                description: Some(format!("Seeded repository {i}")),
                creation_date: now,
                last_modified_date: now,
                default_branch: None,
                kms_key_id: "alias/aws/codecommit".into(),
                tags: Default::default(),
                triggers: Vec::new(),
                triggers_configuration_id: new_id(),
            };
            init_bare(&data_dir.join("repos").join(format!("{}.git", meta.id))).unwrap();
            std::fs::write(
                meta_dir.join(format!("{}.json", meta.id)),
                serde_json::to_vec(&meta).unwrap(),
            )
            .unwrap();
            meta.name
        })
        .collect()
}

/// Every repository `list_all` returns, with the size of each batch it delivered.
pub async fn aws_list_everything(
    client: &aws_sdk_codecommit::Client,
    target: &Target,
) -> (Result<usize, AwsError>, Vec<Repository>, Vec<usize>) {
    let mut all = Vec::new();
    let mut sizes = Vec::new();
    let total = repos::list_all(client, target, |batch| {
        sizes.push(batch.len());
        all.extend(batch);
    })
    .await;
    (total, all, sizes)
}
