//! Running one job through the job manager, as the UI does, for tests of the job layer.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use cctui::aws::client::{Clients, StaticCredentials};
use cctui::jobs::{JobEvent, JobFailure, JobManager, JobOutput, JobRequest, Services};

/// Services whose AWS credentials only fill the type (no AWS call is made), clones under `root`,
/// undo logs in `root/.undo` (never the user's data dir).
pub fn services(root: &Path) -> Services {
    Services {
        undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(root.join(".undo")),
        ..Services::new(
            Clients::with_credentials(StaticCredentials {
                access_key_id: "AKIDEXAMPLE".into(),
                secret_access_key: "unused".to_string().into(),
                session_token: None,
            }),
            root.to_path_buf(),
        )
    }
}

/// [`services`] signing with the local service's demo key, for jobs that call it.
pub fn demo_services(root: &Path) -> Services {
    Services {
        clients: Clients::with_credentials(StaticCredentials {
            access_key_id: cctui::local::DEMO_ACCESS_KEY_ID.into(),
            secret_access_key: cctui::local::DEMO_SECRET_ACCESS_KEY.to_string().into(),
            session_token: None,
        }),
        ..services(root)
    }
}

/// Runs `request` with `services` to its end (a generous limit: the machine may be busy).
pub async fn run_with(services: Services, request: JobRequest) -> Result<JobOutput, JobFailure> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    manager.spawn(cctui::jobs::JobId(1), request);
    loop {
        let update = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match update.event {
            JobEvent::Finished(result) => return result,
            JobEvent::Cancelled => panic!("cancelled"),
            _ => {}
        }
    }
}

/// [`run_with`] the [`services`] of `root`.
pub async fn run(root: &Path, request: JobRequest) -> Result<JobOutput, JobFailure> {
    run_with(services(root), request).await
}
