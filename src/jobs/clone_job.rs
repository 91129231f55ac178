//! The clone job: picks the authentication for the protocol, runs the blocking clone with
//! progress and cancellation, and turns "I need a password / passphrase / your trust" into a
//! question for the user instead of a failure.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{CloneJob, CloneNeed, CloneOutput, JobContext, JobFailure, JobOutput, Services};
use crate::config::CloneProtocol;
use crate::git::GitError;
use crate::git::auth::Auth;
use crate::git::clone::{CloneOutcome, ClonePhase, CloneProgress, CloneRequest};
use crate::model::{Access, Host, RemoteUrl, UrlError, access_for};

/// Progress reports are sent at most this often (the UI redraws at most every 16 ms anyway).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub(super) async fn run(
    mut job: CloneJob,
    context: &JobContext,
    services: &Services,
) -> Result<JobOutput, JobFailure> {
    if let Some(text) = job.path.to_str() {
        job.path = crate::config::paths::expand_home(text);
    }
    context.progress("waiting for a free clone slot", 0, None);
    let _slot = tokio::select! {
        slot = services.clone_slots.acquire() => slot.map_err(|e| JobFailure { message: e.to_string(), hint: None })?,
        () = context.token().cancelled() => return Err(JobFailure::cancelled()),
    };
    let (url, auth) = match auth_for(&job, services).await {
        Ok(pair) => pair,
        Err(failure) => return Err(failure),
    };
    let request = CloneRequest {
        url,
        target: job.path.clone(),
        auth,
    };
    let progress_context = context.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut last = Instant::now() - PROGRESS_EVERY;
        let started = Instant::now();
        let mut on_progress = |p: &CloneProgress| {
            if progress_context.is_cancelled() {
                return false;
            }
            if last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                let (phase, current, total) = describe(p, started.elapsed());
                progress_context.progress(phase, current, total);
            }
            true
        };
        crate::git::clone::clone_with(&request, None, &mut on_progress)
    })
    .await
    .map_err(|e| JobFailure {
        message: format!("the clone stopped unexpectedly: {e}"),
        hint: None,
    })?;
    match outcome {
        Ok(outcome) => Ok(cloned(job, outcome, context, services).await),
        Err(GitError::PassphraseNeeded { key }) if job.passphrase.is_none() => {
            Ok(JobOutput::Clone(CloneOutput::Needs {
                job: Box::new(job),
                need: CloneNeed::Passphrase(key),
            }))
        }
        Err(GitError::UnknownHostKey { host, fingerprint })
            if job.trusted_fingerprint.is_none() =>
        {
            Ok(JobOutput::Clone(CloneOutput::Needs {
                job: Box::new(job),
                need: CloneNeed::TrustHost { host, fingerprint },
            }))
        }
        Err(GitError::AuthFailed { .. }) if job.protocol == CloneProtocol::HttpsGit => {
            Ok(JobOutput::Clone(CloneOutput::Needs {
                job: Box::new(job),
                need: CloneNeed::Login,
            }))
        }
        Err(error) if error.is_cancelled() => Err(JobFailure::cancelled()),
        Err(error) => Err(JobFailure {
            hint: error.hint(),
            message: error.to_string(),
        }),
    }
}

/// The clone's remote HEAD names no branch and it has several: CodeCommit's default branch is
/// checked out when it is one of them (asked only now: the usual clone makes no extra call).
/// Otherwise nothing is checked out and the log and the strip say so.
// TODO(jobs/mod.rs): carry `CloneOutcome` in `JobOutput::Cloned` (or ask with a
// `CloneNeed::ChooseBranch`) so the UI can offer the branches and call
// `git::checkout_remote_branch`.
/// A finished clone, saying what was checked out when the remote's HEAD named no branch:
/// the only branch, CodeCommit's default branch, or nothing yet (the user picks one).
async fn cloned(
    job: CloneJob,
    outcome: CloneOutcome,
    context: &JobContext,
    services: &Services,
) -> JobOutput {
    let key = crate::model::RepoKey::new(
        job.target.profile.clone(),
        job.target.region.clone().unwrap_or_default(),
        job.repository.clone(),
    );
    let dangling = "the remote's HEAD names no branch";
    let note = match outcome {
        CloneOutcome::CheckedOut { .. } => None,
        CloneOutcome::Empty => {
            Some("the repository is empty: the first push creates its branch".into())
        }
        CloneOutcome::CheckedOutInstead { branch } => {
            Some(format!("{dangling}; checked out its only branch, {branch}"))
        }
        CloneOutcome::ChooseBranch { branches } => {
            match check_out_default(&job, &branches, context, services).await {
                Some(branch) => Some(format!(
                    "{dangling}; checked out CodeCommit's default branch, {branch}"
                )),
                None => {
                    return JobOutput::Clone(CloneOutput::ChooseBranch {
                        key,
                        repository: job.repository,
                        path: job.path,
                        branches,
                    });
                }
            }
        }
    };
    JobOutput::Clone(CloneOutput::Cloned {
        key,
        repository: job.repository,
        path: job.path,
        note,
    })
}

/// Checks out CodeCommit's default branch when the remote has it; `None` when there is none
/// (or it cannot be read), so the user is asked.
async fn check_out_default(
    job: &CloneJob,
    branches: &[String],
    context: &JobContext,
    services: &Services,
) -> Option<String> {
    context.progress("asking CodeCommit for the default branch", 0, None);
    let client = services.clients.get(&job.target).await;
    let default = tokio::select! {
        repository = crate::aws::repos::get(&client, &job.target, &job.repository) => {
            repository.ok().and_then(|r| r.default_branch)
        }
        () = context.token().cancelled() => None,
    };
    let branch = default.filter(|d| branches.contains(d))?;
    let path = job.path.clone();
    let name = branch.clone();
    let checkout = tokio::task::spawn_blocking(move || {
        crate::git::clone::checkout_remote_branch(&path, &name)
    })
    .await;
    match checkout {
        Ok(Ok(())) => Some(branch),
        Ok(Err(error)) => {
            tracing::warn!(%error, "cannot check out the default branch");
            None
        }
        Err(error) => {
            tracing::warn!(%error, "the checkout of the default branch stopped");
            None
        }
    }
}

/// The phase text, count and total of a progress report, with throughput while receiving.
fn describe(p: &CloneProgress, elapsed: Duration) -> (String, u64, Option<u64>) {
    match p.phase {
        ClonePhase::Connecting => ("connecting".into(), 0, None),
        ClonePhase::Counting => ("counting objects".into(), p.objects as u64, None),
        ClonePhase::Receiving => {
            let rate = p.bytes as f64 / elapsed.as_secs_f64().max(0.001);
            (
                format!(
                    "receiving objects, {} at {}/s",
                    bytes(p.bytes as f64),
                    bytes(rate)
                ),
                p.objects as u64,
                Some(p.total_objects as u64),
            )
        }
        ClonePhase::Resolving => (
            "resolving deltas".into(),
            p.objects as u64,
            Some(p.total_objects as u64),
        ),
        ClonePhase::CheckingOut => (
            "checking out files".into(),
            p.files as u64,
            Some(p.total_files as u64),
        ),
    }
}

fn bytes(n: f64) -> String {
    match n {
        n if n >= 1e9 => format!("{:.1} GB", n / 1e9),
        n if n >= 1e6 => format!("{:.1} MB", n / 1e6),
        n if n >= 1e3 => format!("{:.0} kB", n / 1e3),
        n => format!("{n:.0} B"),
    }
}

/// The URL and authentication of a clone.
async fn auth_for(job: &CloneJob, services: &Services) -> Result<(String, Auth), JobFailure> {
    match job.protocol {
        CloneProtocol::HttpsIam => {
            let url = RemoteUrl::parse(&job.url_http).map_err(url_failure)?;
            let region = match access_for(&url, false) {
                Access::IamPassword { region } => region
                    .or_else(|| job.target.region.clone())
                    .ok_or_else(no_region)?,
                Access::Ssh | Access::GitCredentials => return Err(not_for_iam(&job.url_http)),
            };
            let keys = services.clients.keys(&job.target).await?;
            Ok((job.url_http.clone(), Auth::Iam { keys, region }))
        }
        CloneProtocol::HttpsGit => match &job.login {
            Some((username, password)) => Ok((
                job.url_http.clone(),
                Auth::Static {
                    username: username.clone(),
                    password: password.clone(),
                },
            )),
            None => Ok((job.url_http.clone(), Auth::GitCredentialHelper)),
        },
        CloneProtocol::Ssh => {
            let url = RemoteUrl::parse(&job.url_ssh).map_err(url_failure)?;
            let host = url
                .host
                .as_ref()
                .ok_or_else(|| url_failure(UrlError::NotAUrl(job.url_ssh.clone())))?;
            Ok((
                job.url_ssh.clone(),
                ssh_auth(
                    url.user.as_deref(),
                    host,
                    job.passphrase.clone(),
                    job.trusted_fingerprint.clone(),
                )?,
            ))
        }
    }
}

/// A URL the job cannot use, as the user should read it.
pub(super) fn url_failure(error: UrlError) -> JobFailure {
    JobFailure {
        message: error.to_string(),
        hint: None,
    }
}

pub(super) fn no_region() -> JobFailure {
    JobFailure {
        message: "No AWS region for the git password.".into(),
        hint: Some("Pick a region with R, or start cctui with --region.".into()),
    }
}

/// HTTPS (IAM) chosen for a host that must not see a password made from the AWS keys.
fn not_for_iam(url: &str) -> JobFailure {
    JobFailure {
        message: format!(
            "{url} is neither a CodeCommit HTTPS URL nor on this machine: cctui sends no git password made from your AWS keys there."
        ),
        hint: Some("Choose HTTPS Git credentials or SSH in the clone dialog (←/→).".into()),
    }
}

/// SSH authentication for `host` as ssh would set it up from `~/.ssh/config` (and what it
/// includes), looked up by the host name as written, without its port: the URL's user, else
/// `User` (CodeCommit needs the IAM SSH key ID as user); keys from `IdentityFile`, else the
/// default identity files; the agent first when one runs, unless `IdentitiesOnly yes`;
/// `HostName` and `Port` as where to connect (the URL stays as written).
pub(super) fn ssh_auth(
    url_user: Option<&str>,
    host: &Host,
    passphrase: Option<crate::secret::SecretString>,
    trusted_fingerprint: Option<String>,
) -> Result<Auth, JobFailure> {
    let home = crate::config::paths::home_dir().unwrap_or_default();
    let ssh_dir = home.join(".ssh");
    let bare_host = host.name();
    let settings = crate::git::ssh_config::settings_for_host(bare_host, &home);
    let connect_to = crate::git::auth::SshEndpoint::from_settings(host, &settings);
    let mut key_files: Vec<PathBuf> = settings.identity_files.clone();
    if key_files.is_empty() {
        key_files = crate::git::ssh_config::default_identity_files(&home);
    }
    // The URL's user wins over `User` in ~/.ssh/config, as with ssh itself: the CodeCommit
    // guide's `ssh://APKA…@git-codecommit…` names the key ID on purpose.
    let user = match (url_user, settings.user.clone()) {
        (Some(user), _) => user.to_string(),
        (None, Some(user)) => user,
        (None, None) => {
            return Err(JobFailure {
                message: format!("No SSH user for {bare_host}: CodeCommit needs your IAM SSH key ID (APKA…) as the user."),
                hint: Some(
                    "Add to ~/.ssh/config:\n  Host git-codecommit.*.amazonaws.com\n    User APKAEIBAERJR2EXAMPLE\n    IdentityFile ~/.ssh/id_ed25519"
                        .to_string(),
                ),
            });
        }
    };
    Ok(Auth::Ssh {
        user,
        key_files,
        passphrase,
        use_agent: !settings.identities_only && std::env::var_os("SSH_AUTH_SOCK").is_some(),
        known_hosts: ssh_dir.join("known_hosts"),
        trusted_fingerprint,
        connect_to,
    })
}
