//! The access screen's jobs: who the session is (STS), the IAM user's SSH keys and HTTPS git
//! credentials, the files SSH and git read (`~/.ssh`, the global git config), a test listing
//! over SSH. Each arm calls one plain function of `aws/` or `git/`.

use std::path::PathBuf;

use super::{AccessOutput, AccessRequest, CloneNeed, JobContext, JobFailure, JobOutput, Services};
use crate::aws::{git_credentials, identity, ssh_keys};
use crate::git::{GitError, credential_setup, ssh_setup};

fn out(output: AccessOutput) -> Result<JobOutput, JobFailure> {
    Ok(JobOutput::Access(output))
}

/// The home directory the request names, else the user's.
fn home_of(home: Option<PathBuf>) -> Result<PathBuf, JobFailure> {
    home.or_else(crate::config::paths::home_dir).ok_or_else(|| {
        JobFailure::new(
            "No home directory: cannot find ~/.ssh or the global git config.",
            Some("Set HOME and start cctui again.".into()),
        )
    })
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, JobFailure> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| JobFailure::new(format!("the work stopped unexpectedly: {e}"), None))
}

fn setup_failure(error: ssh_setup::SshSetupError) -> JobFailure {
    JobFailure::new(error.to_string(), error.hint())
}

fn text_failure(message: String) -> JobFailure {
    JobFailure::new(message, None)
}

/// Runs one access request.
pub(super) async fn run(
    request: AccessRequest,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    let clients = &services.clients;
    match request {
        AccessRequest::Permissions {
            target,
            principal,
            repository_arn,
            branch,
        } => {
            let decisions = crate::aws::permissions::simulate(
                clients,
                &target,
                &principal,
                &repository_arn,
                &branch,
            )
            .await?;
            out(AccessOutput::Permissions(decisions))
        }
        AccessRequest::Identity { target } => {
            let who = identity::caller_identity(clients, &target).await?;
            out(AccessOutput::Identity(who))
        }
        AccessRequest::Overview {
            target,
            home,
            scope,
        } => {
            let who = identity::caller_identity(clients, &target).await?;
            let (keys, credentials) = match who.user_name() {
                Some(user) => (
                    Some(
                        ssh_keys::list(clients, &target, user)
                            .await
                            .map_err(failure_text),
                    ),
                    Some(
                        git_credentials::list(clients, &target, user)
                            .await
                            .map_err(failure_text),
                    ),
                ),
                None => (None, None),
            };
            let home = home_of(home)?;
            let helpers = blocking(move || credential_setup::read_helpers(&home, &scope)).await?;
            out(AccessOutput::Overview {
                identity: who,
                ssh_keys: keys,
                git_credentials: credentials,
                helpers,
            })
        }
        AccessRequest::NewSshKey {
            target,
            user,
            passphrase,
            host_pattern,
            home,
        } => {
            let home = home_of(home)?;
            let private = ssh_setup::key_path(&home.join(".ssh"), &user);
            let comment = format!("{user}@cctui");
            context.check_cancelled()?;
            let pair =
                blocking(move || ssh_setup::generate_key(&private, &comment, passphrase.as_ref()))
                    .await?
                    .map_err(setup_failure)?;
            context.finishing();
            match ssh_keys::upload(clients, &target, &user, &pair.public_key).await {
                Ok(key) => {
                    let host_block =
                        ssh_setup::host_block(&host_pattern, &key.id, &pair.private, &home);
                    out(AccessOutput::SshKeyUploaded {
                        key,
                        pair,
                        host_block,
                    })
                }
                Err(error) => {
                    // The pair stays on disk (the user may upload it by hand); say where.
                    let mut failure = JobFailure::from(error);
                    failure.message = format!(
                        "{} The new key pair is kept at {}.",
                        failure.message,
                        pair.private.display()
                    );
                    Err(failure)
                }
            }
        }
        AccessRequest::SetSshKeyActive {
            target,
            user,
            id,
            active,
        } => {
            context.check_cancelled()?;
            context.finishing();
            ssh_keys::set_active(clients, &target, &user, &id, active).await?;
            let state = if active { "active" } else { "inactive" };
            out(AccessOutput::Changed(format!("SSH key {id} is {state}")))
        }
        AccessRequest::DeleteSshKey { target, user, id } => {
            context.check_cancelled()?;
            context.finishing();
            ssh_keys::delete(clients, &target, &user, &id).await?;
            out(AccessOutput::Changed(format!("SSH key {id} deleted")))
        }
        AccessRequest::WriteSshConfig { home, lines } => {
            let home = home_of(home)?;
            let stamp = ssh_setup::stamp(std::time::SystemTime::now());
            context.check_cancelled()?;
            let written = blocking(move || {
                ssh_setup::append_block(&home.join(".ssh").join("config"), &lines, &stamp)
            })
            .await?
            .map_err(setup_failure)?;
            out(AccessOutput::ConfigWritten { written, ssh: true })
        }
        AccessRequest::TestSsh(test) => test_ssh(*test).await,
        AccessRequest::CreateGitCredential { target, user } => {
            context.check_cancelled()?;
            context.finishing();
            let created = git_credentials::create(clients, &target, &user).await?;
            out(AccessOutput::GitCredentialIssued(Box::new(created)))
        }
        AccessRequest::ResetGitCredential { target, user, id } => {
            context.check_cancelled()?;
            context.finishing();
            let reset = git_credentials::reset(clients, &target, &user, &id).await?;
            out(AccessOutput::GitCredentialIssued(Box::new(reset)))
        }
        AccessRequest::SetGitCredentialActive {
            target,
            user,
            id,
            active,
        } => {
            context.check_cancelled()?;
            context.finishing();
            git_credentials::set_active(clients, &target, &user, &id, active).await?;
            let state = if active { "active" } else { "inactive" };
            out(AccessOutput::Changed(format!(
                "Git credential {id} is {state}"
            )))
        }
        AccessRequest::DeleteGitCredential { target, user, id } => {
            context.check_cancelled()?;
            context.finishing();
            git_credentials::delete(clients, &target, &user, &id).await?;
            out(AccessOutput::Changed(format!(
                "Git credential {id} deleted"
            )))
        }
        AccessRequest::StoreGitCredential {
            home,
            url,
            username,
            password,
        } => {
            let home = home_of(home)?;
            context.check_cancelled()?;
            let stored = blocking(move || {
                credential_setup::approve(&home, &url, &username, &password)?;
                let scope = crate::model::credential_scope(&url).unwrap_or(url);
                credential_setup::read_helpers(&home, &scope)
            })
            .await?
            .map_err(text_failure)?;
            out(AccessOutput::GitCredentialStored {
                helpers: stored.helpers,
            })
        }
        AccessRequest::WriteHelperConfig { home, lines } => {
            let home = home_of(home)?;
            let stamp = ssh_setup::stamp(std::time::SystemTime::now());
            context.check_cancelled()?;
            let written =
                blocking(move || credential_setup::write_helper_block(&home, &lines, &stamp))
                    .await?
                    .map_err(setup_failure)?;
            out(AccessOutput::ConfigWritten {
                written,
                ssh: false,
            })
        }
    }
}

fn failure_text(error: crate::aws::error::AwsError) -> String {
    match error.hint() {
        Some(hint) => format!("{error} {hint}"),
        None => error.to_string(),
    }
}

/// Lists the refs of a repository over SSH with the key set up (SSH user and key from the URL
/// and `~/.ssh/config`, as every remote operation finds them). A passphrase or an unknown
/// host key is asked for like a clone asks.
async fn test_ssh(test: super::SshTest) -> Result<JobOutput, JobFailure> {
    let parsed = crate::model::RemoteUrl::parse(&test.url).map_err(|e| {
        JobFailure::new(
            format!("{} is not an SSH URL cctui can use: {e}", test.url),
            None,
        )
    })?;
    let host = parsed
        .host
        .clone()
        .ok_or_else(|| JobFailure::new(format!("{} names no host", test.url), None))?;
    let auth = super::clone_job::ssh_auth(
        parsed.user.as_deref(),
        &host,
        test.passphrase.clone(),
        test.trusted_fingerprint.clone(),
    )?;
    let url = test.url.clone();
    let listed = blocking(move || crate::git::ls_remote::list_refs(&url, &auth)).await?;
    match listed {
        Ok(refs) => out(AccessOutput::SshTested {
            url: test.url,
            refs: refs.len(),
        }),
        Err(GitError::PassphraseNeeded { key }) if test.passphrase.is_none() => {
            out(AccessOutput::SshTestNeeds {
                test: Box::new(test),
                need: CloneNeed::Passphrase(key),
            })
        }
        Err(GitError::UnknownHostKey { host, fingerprint })
            if test.trusted_fingerprint.is_none() =>
        {
            out(AccessOutput::SshTestNeeds {
                test: Box::new(test),
                need: CloneNeed::TrustHost { host, fingerprint },
            })
        }
        Err(error) => Err(JobFailure::new(error.to_string(), error.hint())),
    }
}
