//! The access screen's jobs against the local service, through the job manager (the code path
//! the UI uses) and the real SDK: identity, an SSH key generated in a temp HOME and uploaded,
//! deactivated and deleted; HTTPS git credentials created, handed to git's store, used by plain
//! `git clone` over HTTP, reset and deleted — and refused after each.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_local.rs"]
mod aws_local;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use aws_local::AwsLocal;
use cctui::aws::identity::IdentityKind;
use cctui::jobs::{
    AccessOutput, AccessRequest, JobEvent, JobFailure, JobId, JobManager, JobOutput, JobRequest,
    Services,
};
use cctui::local::{DEMO_ACCOUNT_ID, DEMO_USER};

struct Jobs {
    manager: JobManager,
    updates: tokio::sync::mpsc::UnboundedReceiver<cctui::jobs::JobUpdate>,
    next: u64,
}

impl Jobs {
    fn new(local: &AwsLocal) -> Jobs {
        let services = Services {
            clone_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
            undo_logs: cctui::jobs::undo_job::UndoLogs::in_dir(
                local.data_dir().join("workspace").join(".undo"),
            ),
            ..Services::new(local.clients.clone(), local.data_dir().join("workspace"))
        };
        let (tx, updates) = tokio::sync::mpsc::unbounded_channel();
        Jobs {
            manager: JobManager::new(tx, services),
            updates,
            next: 0,
        }
    }

    /// Runs one access request to its end.
    async fn run(&mut self, request: AccessRequest) -> Result<AccessOutput, JobFailure> {
        self.next += 1;
        let id = JobId(self.next);
        self.manager.spawn(id, JobRequest::Access(request));
        loop {
            let update = tokio::time::timeout(Duration::from_secs(60), self.updates.recv())
                .await
                .expect("the job ends within a minute")
                .unwrap();
            if update.id != id {
                continue;
            }
            match update.event {
                JobEvent::Finished(Ok(JobOutput::Access(output))) => return Ok(output),
                JobEvent::Finished(Err(failure)) => return Err(failure),
                JobEvent::Finished(Ok(other)) => panic!("not an access output: {other:?}"),
                JobEvent::Cancelled => panic!("cancelled"),
                _ => {}
            }
        }
    }

    async fn ok(&mut self, request: AccessRequest) -> AccessOutput {
        match self.run(request).await {
            Ok(output) => output,
            Err(failure) => panic!("{failure:?}"),
        }
    }
}

fn overview(local: &AwsLocal, home: &Path) -> AccessRequest {
    AccessRequest::Overview {
        target: local.target.clone(),
        home: Some(home.to_path_buf()),
        scope: cctui::git::credential_setup::helper_scope(Some(&local.service.endpoint())),
    }
}

type Lists = (
    Vec<cctui::aws::ssh_keys::SshKey>,
    Vec<cctui::aws::git_credentials::GitCredential>,
);

async fn lists(jobs: &mut Jobs, local: &AwsLocal, home: &Path) -> Lists {
    match jobs.ok(overview(local, home)).await {
        AccessOutput::Overview {
            ssh_keys: Some(Ok(keys)),
            git_credentials: Some(Ok(credentials)),
            helpers: Ok(_),
            ..
        } => (keys, credentials),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_and_an_ssh_key_from_generation_to_deletion() {
    let local = AwsLocal::start().await;
    let mut jobs = Jobs::new(&local);
    let home = tempfile::tempdir().unwrap();

    let AccessOutput::Identity(who) = jobs
        .ok(AccessRequest::Identity {
            target: local.target.clone(),
        })
        .await
    else {
        panic!("no identity")
    };
    assert_eq!(who.account, DEMO_ACCOUNT_ID);
    assert_eq!(
        who.kind,
        IdentityKind::User {
            name: DEMO_USER.into()
        }
    );
    assert_eq!(
        who.arn,
        format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/{DEMO_USER}")
    );
    let (keys, credentials) = lists(&mut jobs, &local, home.path()).await;
    assert!(keys.is_empty() && credentials.is_empty());

    // Generate and upload.
    let AccessOutput::SshKeyUploaded {
        key,
        pair,
        host_block,
    } = jobs
        .ok(AccessRequest::NewSshKey {
            target: local.target.clone(),
            user: DEMO_USER.into(),
            passphrase: None,
            host_pattern: "127.0.0.1".into(),
            home: Some(home.path().to_path_buf()),
        })
        .await
    else {
        panic!("not uploaded")
    };
    assert!(key.id.starts_with("APKA"), "{key:?}");
    assert!(key.active);
    assert_eq!(
        pair.private,
        home.path().join(".ssh").join("codecommit_alice_rsa")
    );
    assert_eq!(
        host_block,
        [
            "Host 127.0.0.1".to_string(),
            format!("  User {}", key.id),
            "  IdentityFile ~/.ssh/codecommit_alice_rsa".into(),
            "  IdentitiesOnly yes".into(),
        ]
    );
    let (keys, _) = lists(&mut jobs, &local, home.path()).await;
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, key.id);
    assert_eq!(
        keys[0].fingerprint, pair.fingerprint,
        "fingerprint from IAM's body"
    );
    assert!(!keys[0].uploaded.is_empty());

    // The same public key again: IAM's own error, with a hint.
    let duplicate =
        cctui::aws::ssh_keys::upload(&local.clients, &local.target, DEMO_USER, &pair.public_key)
            .await
            .unwrap_err();
    assert_eq!(duplicate.code(), Some("DuplicateSSHPublicKey"));
    assert!(duplicate.hint().unwrap().contains("already uploaded"));
    // A second generation refuses to overwrite the files, and uploads nothing.
    let again = jobs
        .run(AccessRequest::NewSshKey {
            target: local.target.clone(),
            user: DEMO_USER.into(),
            passphrase: None,
            host_pattern: "127.0.0.1".into(),
            home: Some(home.path().to_path_buf()),
        })
        .await
        .unwrap_err();
    assert!(again.message.contains("exists already"), "{again:?}");
    assert_eq!(lists(&mut jobs, &local, home.path()).await.0.len(), 1);

    // The Host block goes to ~/.ssh/config.
    let AccessOutput::ConfigWritten { written, ssh: true } = jobs
        .ok(AccessRequest::WriteSshConfig {
            home: Some(home.path().to_path_buf()),
            lines: host_block.clone(),
        })
        .await
    else {
        panic!("not written")
    };
    assert_eq!(
        std::fs::read_to_string(&written.file).unwrap(),
        format!("{}\n", host_block.join("\n"))
    );

    // Deactivate, then delete.
    jobs.ok(AccessRequest::SetSshKeyActive {
        target: local.target.clone(),
        user: DEMO_USER.into(),
        id: key.id.clone(),
        active: false,
    })
    .await;
    let (keys, _) = lists(&mut jobs, &local, home.path()).await;
    assert!(!keys[0].active);
    let AccessOutput::Changed(message) = jobs
        .ok(AccessRequest::DeleteSshKey {
            target: local.target.clone(),
            user: DEMO_USER.into(),
            id: key.id.clone(),
        })
        .await
    else {
        panic!("not deleted")
    };
    assert!(message.contains("deleted"));
    assert!(lists(&mut jobs, &local, home.path()).await.0.is_empty());
    // Deleting it again: NoSuchEntity, said with what to do.
    let gone = jobs
        .run(AccessRequest::DeleteSshKey {
            target: local.target.clone(),
            user: DEMO_USER.into(),
            id: key.id.clone(),
        })
        .await
        .unwrap_err();
    assert!(
        gone.hint.unwrap_or_default().contains("press r"),
        "{}",
        gone.message
    );
}

/// `git clone` in a sandbox whose only credential helper is a store file.
fn git_clone(home: &Path, url: &str, dest: &Path) -> std::process::Output {
    Command::new("git")
        .arg("clone")
        .arg(url)
        .arg(dest)
        .current_dir(home)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_ASKPASS")
        .env_remove("SSH_ASKPASS")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_credentials_created_stored_used_by_git_reset_and_deleted() {
    let local = AwsLocal::start().await;
    let mut jobs = Jobs::new(&local);
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("git-credentials");
    std::fs::write(
        home.path().join(".gitconfig"),
        format!(
            "[credential]\n\thelper = store --file {}\n",
            store.display()
        ),
    )
    .unwrap();
    cctui::aws::repos::create(
        &local.client().await,
        &local.target,
        &cctui::aws::repos::NewRepository {
            name: "notes".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let url = local.service.clone_url("notes");

    // Without credentials git is refused.
    let refused = git_clone(home.path(), &url, &home.path().join("first"));
    assert!(!refused.status.success());

    let AccessOutput::GitCredentialIssued(issued) = jobs
        .ok(AccessRequest::CreateGitCredential {
            target: local.target.clone(),
            user: DEMO_USER.into(),
        })
        .await
    else {
        panic!("not created")
    };
    let created = issued.credential.clone();
    assert!(created.user_name.starts_with(DEMO_USER), "{created:?}");
    assert!(created.active);
    assert!(!issued.password.expose().is_empty());
    let (_, credentials) = lists(&mut jobs, &local, home.path()).await;
    assert_eq!(credentials.as_slice(), std::slice::from_ref(&created));

    // Handed to git's store; plain git clones with it.
    let AccessOutput::GitCredentialStored { helpers } = jobs
        .ok(AccessRequest::StoreGitCredential {
            home: Some(home.path().to_path_buf()),
            url: url.clone(),
            username: created.user_name.clone(),
            password: issued.password.clone(),
        })
        .await
    else {
        panic!("not stored")
    };
    assert_eq!(helpers, [format!("store --file {}", store.display())]);
    let cloned = git_clone(home.path(), &url, &home.path().join("second"));
    assert!(
        cloned.status.success(),
        "{}",
        String::from_utf8_lossy(&cloned.stderr)
    );

    // Reset: the stored (old) password is refused, the new one works.
    let AccessOutput::GitCredentialIssued(reset) = jobs
        .ok(AccessRequest::ResetGitCredential {
            target: local.target.clone(),
            user: DEMO_USER.into(),
            id: created.id.clone(),
        })
        .await
    else {
        panic!("not reset")
    };
    assert_eq!(reset.credential.user_name, created.user_name);
    assert_ne!(reset.password.expose(), issued.password.expose());
    let stale = git_clone(home.path(), &url, &home.path().join("third"));
    assert!(!stale.status.success(), "the old password must be refused");
    // git erased the refused login from its store; hand it the new one.
    jobs.ok(AccessRequest::StoreGitCredential {
        home: Some(home.path().to_path_buf()),
        url: url.clone(),
        username: reset.credential.user_name.clone(),
        password: reset.password.clone(),
    })
    .await;
    let fresh = git_clone(home.path(), &url, &home.path().join("fourth"));
    assert!(
        fresh.status.success(),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );

    // Deactivated, then deleted: refused each time.
    jobs.ok(AccessRequest::SetGitCredentialActive {
        target: local.target.clone(),
        user: DEMO_USER.into(),
        id: created.id.clone(),
        active: false,
    })
    .await;
    let (_, credentials) = lists(&mut jobs, &local, home.path()).await;
    assert!(!credentials[0].active);
    jobs.ok(AccessRequest::StoreGitCredential {
        home: Some(home.path().to_path_buf()),
        url: url.clone(),
        username: reset.credential.user_name.clone(),
        password: reset.password.clone(),
    })
    .await;
    let inactive = git_clone(home.path(), &url, &home.path().join("fifth"));
    assert!(
        !inactive.status.success(),
        "an inactive credential is refused"
    );
    jobs.ok(AccessRequest::DeleteGitCredential {
        target: local.target.clone(),
        user: DEMO_USER.into(),
        id: created.id.clone(),
    })
    .await;
    assert!(lists(&mut jobs, &local, home.path()).await.1.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixth_key_is_refused_with_the_limit_and_what_to_do() {
    let local = AwsLocal::start().await;
    let dir = tempfile::tempdir().unwrap();
    for n in 0..6 {
        let pair = cctui::git::ssh_setup::generate_key(
            &dir.path().join(format!("key{n}")),
            "limit test",
            None,
        )
        .unwrap();
        let uploaded = cctui::aws::ssh_keys::upload(
            &local.clients,
            &local.target,
            DEMO_USER,
            &pair.public_key,
        )
        .await;
        if n < 5 {
            assert!(uploaded.is_ok(), "key {n}: {uploaded:?}");
            continue;
        }
        let error = uploaded.unwrap_err();
        assert_eq!(error.code(), Some("LimitExceeded"), "{error:?}");
        assert!(error.hint().unwrap().contains("delete an old one first"));
    }
    let listed = cctui::aws::ssh_keys::list(&local.clients, &local.target, DEMO_USER)
        .await
        .unwrap();
    assert_eq!(listed.len(), 5);
    // A user that does not exist: NoSuchEntity, with its hint.
    let missing = cctui::aws::ssh_keys::list(&local.clients, &local.target, "nobody")
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchEntity"), "{missing:?}");
}
