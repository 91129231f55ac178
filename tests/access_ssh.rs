//! The access screen's SSH setup end to end through the job layer, against the local service's
//! SSH endpoint: a key generated into `~/.ssh` and uploaded through IAM, the Host block written
//! to `~/.ssh/config`, then the test listing over SSH (unknown host key asked, then trusted)
//! with the user and key found from that block — refused once the key is deactivated.
//! One test in its own binary: `HOME` and `SSH_AUTH_SOCK` are process-wide.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_local.rs"]
mod aws_local;

use std::time::Duration;

use cctui::aws::client::Target;
use cctui::jobs::{
    AccessOutput, AccessRequest, CloneNeed, JobEvent, JobFailure, JobId, JobManager, JobOutput,
    JobRequest, Services, SshTest,
};
use cctui::local::{DEMO_REGION, DEMO_USER, LocalService, ServiceConfig};

async fn run(
    manager: &mut JobManager,
    updates: &mut tokio::sync::mpsc::UnboundedReceiver<cctui::jobs::JobUpdate>,
    id: u64,
    request: AccessRequest,
) -> Result<AccessOutput, JobFailure> {
    manager.spawn(JobId(id), JobRequest::Access(request));
    loop {
        let update = tokio::time::timeout(Duration::from_secs(60), updates.recv())
            .await
            .expect("the job ends within a minute")
            .unwrap();
        match update.event {
            JobEvent::Finished(Ok(JobOutput::Access(output))) if update.id == JobId(id) => {
                return Ok(output);
            }
            JobEvent::Finished(Err(failure)) if update.id == JobId(id) => return Err(failure),
            JobEvent::Finished(other) if update.id == JobId(id) => panic!("{other:?}"),
            _ => {}
        }
    }
}

#[test]
fn a_generated_key_is_uploaded_written_to_the_ssh_config_and_lists_over_ssh() {
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test in this binary, before any thread that reads the environment.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::remove_var("SSH_AUTH_SOCK");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let data = aws_local::aws_tempdir();
        let mut config = ServiceConfig::new(data.path());
        config.ssh_port = Some(0);
        let service = LocalService::start(config).await.unwrap();
        let target = Target {
            profile: None,
            region: Some(DEMO_REGION.into()),
            endpoint: Some(service.endpoint()),
        };
        let clients = aws_local::aws_demo_clients();
        cctui::aws::repos::create(
            &clients.get(&target).await,
            &target,
            &cctui::aws::repos::NewRepository {
                name: "notes".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let services = Services {
            clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
            undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(
                home.path().join("work").join(".undo"),
            ),
            ..Services::new(clients, home.path().join("work"))
        };
        let (tx, mut updates) = tokio::sync::mpsc::unbounded_channel();
        let mut manager = JobManager::new(tx, services);
        let url = service.ssh_clone_url("notes").unwrap();

        // The user's home as the app uses it (no `home` override): HOME.
        let AccessOutput::SshKeyUploaded {
            key, host_block, ..
        } = run(
            &mut manager,
            &mut updates,
            1,
            AccessRequest::NewSshKey {
                target: target.clone(),
                user: DEMO_USER.into(),
                passphrase: None,
                host_pattern: "127.0.0.1".into(),
                home: None,
            },
        )
        .await
        .unwrap()
        else {
            panic!("not uploaded")
        };
        assert!(home.path().join(".ssh/codecommit_alice_rsa").exists());

        // Before the Host block, ssh has no user for the host: the test says so.
        let test = SshTest {
            url: url.clone(),
            passphrase: None,
            trusted_fingerprint: None,
        };
        let no_user = run(
            &mut manager,
            &mut updates,
            2,
            AccessRequest::TestSsh(Box::new(test.clone())),
        )
        .await
        .unwrap_err();
        assert!(no_user.message.contains("No SSH user"), "{no_user:?}");

        run(
            &mut manager,
            &mut updates,
            3,
            AccessRequest::WriteSshConfig {
                home: None,
                lines: host_block,
            },
        )
        .await
        .unwrap();

        // The service's host key is unknown: asked, with the fingerprint the service has.
        let AccessOutput::SshTestNeeds { test, need } = run(
            &mut manager,
            &mut updates,
            4,
            AccessRequest::TestSsh(Box::new(test)),
        )
        .await
        .unwrap() else {
            panic!("the host key is asked about")
        };
        let CloneNeed::TrustHost { fingerprint, .. } = need else {
            panic!("{need:?}")
        };
        assert_eq!(
            Some(fingerprint.as_str()),
            service.ssh_host_key_fingerprint()
        );
        let mut trusted = *test;
        trusted.trusted_fingerprint = Some(fingerprint);
        let listed = run(
            &mut manager,
            &mut updates,
            5,
            AccessRequest::TestSsh(Box::new(trusted.clone())),
        )
        .await;
        let Ok(AccessOutput::SshTested {
            url: listed_url, ..
        }) = listed
        else {
            panic!("{listed:?}")
        };
        assert_eq!(listed_url, url);

        // Deactivated in IAM: the same listing is refused.
        run(
            &mut manager,
            &mut updates,
            6,
            AccessRequest::SetSshKeyActive {
                target: target.clone(),
                user: DEMO_USER.into(),
                id: key.id.clone(),
                active: false,
            },
        )
        .await
        .unwrap();
        let refused = run(
            &mut manager,
            &mut updates,
            7,
            AccessRequest::TestSsh(Box::new(trusted)),
        )
        .await
        .unwrap_err();
        assert!(
            refused.message.to_lowercase().contains("auth") || refused.message.contains("refused"),
            "{refused:?}"
        );
    });
}
