//! The access area: the header's identity read, and the access screen (`I`) with its three
//! CodeCommit methods — SSH keys, HTTPS git credentials, HTTPS with IAM — and their guided
//! setups. Every write to IAM or to a file goes through a confirmation that shows what will
//! happen (the exact lines, for files); `--readonly` refuses the mutating commands before they
//! get here (see `update::run_command`).

use super::access::{AccessSection, PasswordView, listed};
use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::global::moved;
use super::overlay::{InputPurpose, Overlay, PickerItem, PickerPurpose};
use super::state::State;
use crate::aws::identity::Identity;
use crate::git::credential_setup::{helper_block, helper_command, helper_scope};
use crate::jobs::{AccessOutput, AccessRequest, CloneNeed, JobFailure, JobId, JobRequest, SshTest};
use crate::secret::SecretString;

/// What a text input of the access screen is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessInput {
    /// The passphrase of the key about to be generated (empty: none).
    NewKeyPassphrase,
    /// The same passphrase again.
    NewKeyPassphraseAgain(SecretString),
    /// The passphrase of the key the SSH test uses.
    TestPassphrase(Box<SshTest>),
}

/// Why a role cannot use the SSH and git-credential sections.
pub const NOT_A_USER: &str = "Roles, SSO and federated identities cannot own SSH keys or HTTPS git credentials: IAM gives those to IAM users only. Use HTTPS with IAM (the credential helper, tab to it): it signs with the credentials you have now.";

/// Reads the identity for the header when it is not known for this session's target (after a
/// listing worked, so a missing setup asks STS nothing). A quiet background read.
pub fn identity_if_unknown(state: &mut State) -> Vec<Effect> {
    let target = state.session.target();
    if state.access.identity_request.is_some()
        || (state.access.identity.is_some() && state.access.identity_for.as_ref() == Some(&target))
    {
        return Vec::new();
    }
    let (id, effect) = state.request(JobRequest::Access(AccessRequest::Identity {
        target: target.clone(),
    }));
    state.access.identity_request = Some(id);
    state.access.identity_for = Some(target);
    vec![effect]
}

/// The profile (or region, or endpoint) changed: what was known belongs to the old one.
pub fn forget(state: &mut State) {
    let section = state.access.section;
    state.access = Default::default();
    state.access.section = section;
}

/// `I`: opens the access screen and reads what it shows.
pub fn open(state: &mut State) -> Vec<Effect> {
    if !state.overlays.iter().any(|o| matches!(o, Overlay::Access)) {
        state.overlays.push(Overlay::Access);
    }
    state.access.selected = 0;
    state.access.message = None;
    overview(state)
}

/// Reads the identity, keys, credentials and git's helpers again (latest wins). Not while the
/// setup check says AWS is not set up: the call could only wait for the instance metadata
/// service and report *that*; the screen says what is missing instead.
pub fn overview(state: &mut State) -> Vec<Effect> {
    if let Some(missing) = state.repos.setup.as_ref().and_then(missing_setup) {
        state.access.overview_request = None;
        state.access.error = Some(missing);
        return Vec::new();
    }
    let scope = helper_scope(state.session.endpoint.as_deref());
    let (id, effect) = state.request(JobRequest::Access(AccessRequest::Overview {
        target: state.session.target(),
        home: None,
        scope,
    }));
    state.access.overview_request = Some(id);
    state.access.error = None;
    vec![effect]
}

/// What the setup check found missing, in words, with what to run.
fn missing_setup(report: &crate::aws::setup::SetupReport) -> Option<(String, Option<String>)> {
    if report.complete() {
        return None;
    }
    let mut missing = Vec::new();
    if let Some(profile) = &report.unknown_profile {
        missing.push(format!("the profile {profile} is in no AWS config file"));
    }
    if report.no_credentials {
        missing.push("there are no AWS credentials".to_string());
    }
    if report.no_region {
        missing.push("no region is set".to_string());
    }
    Some((
        format!("AWS is not set up here yet: {}.", missing.join(", ")),
        Some(
            "Run `aws configure` (access keys) or `aws configure sso`, then press r on the \
             repositories pane (it checks the setup again); or d there for the demo."
                .into(),
        ),
    ))
}

/// A command while the access screen is on top.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let page = state.page_rows();
    match id {
        CommandId::Up
        | CommandId::Down
        | CommandId::PageUp
        | CommandId::PageDown
        | CommandId::Top
        | CommandId::Bottom => {
            state.access.selected = moved(state.access.selected, state.access.rows(), id, page);
            Vec::new()
        }
        CommandId::AccessNextSection | CommandId::AccessPrevSection => {
            let forward = id == CommandId::AccessNextSection;
            state.access.section = state.access.section.cycle(forward);
            state.access.selected = 0;
            Vec::new()
        }
        CommandId::AccessRefresh => overview(state),
        CommandId::AccessNew => new(state),
        CommandId::AccessToggle => toggle(state),
        CommandId::AccessDelete => ask_delete(state),
        CommandId::AccessReset => ask_reset(state),
        CommandId::AccessTestSsh => pick_test_repository(state),
        _ => Vec::new(),
    }
}

/// The IAM user the SSH and HTTPS sections act for; says why not otherwise.
fn user_or_explain(state: &mut State) -> Option<String> {
    if let Some(user) = state.access.user() {
        return Some(user.to_string());
    }
    let message = match &state.access.identity {
        Some(who) => format!("You are signed in as {} ({}).", who.kind_name(), who.arn),
        None => "Who you are is not known yet (STS has not answered).".into(),
    };
    state.overlays.push(Overlay::Error {
        message,
        hint: Some(NOT_A_USER.into()),
    });
    None
}

fn new(state: &mut State) -> Vec<Effect> {
    match state.access.section {
        AccessSection::Ssh => {
            if user_or_explain(state).is_some() {
                state.overlays.push(Overlay::Input {
                    title: "Passphrase for the new key (enter: none)".into(),
                    value: String::new(),
                    masked: true,
                    purpose: InputPurpose::Access(AccessInput::NewKeyPassphrase),
                });
            }
            Vec::new()
        }
        AccessSection::GitCredentials => {
            let Some(user) = user_or_explain(state) else {
                return Vec::new();
            };
            let request = JobRequest::Access(AccessRequest::CreateGitCredential {
                target: state.session.target(),
                user: user.clone(),
            });
            state.overlays.push(Overlay::Confirm {
                title: "Create HTTPS git credentials?".into(),
                message: format!(
                    "IAM creates a git user name and password for CodeCommit for {user} (at most 2 per user). The password is shown once: you then hand it to git's credential helper, or copy it. cctui keeps it nowhere."
                ),
                on_yes: Box::new(Action::Spawn(Box::new(request))),
            });
            Vec::new()
        }
        AccessSection::Helper => ask_helper_setup(state),
    }
}

/// `n` in the HTTPS-with-IAM section: shows the section git needs and asks before writing it.
fn ask_helper_setup(state: &mut State) -> Vec<Effect> {
    let status = match &state.access.helpers {
        Some(Ok(status)) => status.clone(),
        Some(Err(error)) => {
            state.overlays.push(Overlay::Error {
                message: format!("git's configuration could not be read: {error}"),
                hint: Some("Check that git is installed and on PATH.".into()),
            });
            return Vec::new();
        }
        None => {
            state.notice = Some("Still reading git's configuration…".into());
            return Vec::new();
        }
    };
    if status.routed && status.use_http_path && status.caching.is_empty() {
        state.notice =
            Some("HTTPS with IAM is set up already: git asks cctui for CodeCommit.".into());
        return Vec::new();
    }
    let scope = helper_scope(state.session.endpoint.as_deref());
    // The demo's profile exists only inside cctui: the helper uses git's environment instead.
    let profile = state
        .session
        .profile
        .as_deref()
        .filter(|_| !state.session.demo);
    let lines = helper_block(&scope, &helper_command(profile));
    let mut message = format!(
        "Append to your global git config (~/.gitconfig, or the file git uses; a copy is kept first as <file>.cctui-backup-<time>):\n\n{}\n",
        // Shown with spaces: a tab has no width on screen.
        lines.join("\n").replace('\t', "    ")
    );
    if !status.caching.is_empty() {
        message.push_str(&format!(
            "\n{} would cache CodeCommit's 15-minute passwords (the \"403 after 15 minutes\"); the empty `helper =` line stops that for these hosts only.\n",
            status.caching.join(", ")
        ));
    }
    message.push_str("\n`cctui` must be on PATH for git to run it.");
    if state.session.demo {
        message.push_str(" The demo's keys are in no AWS profile: git gets passwords when its environment has them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY as `cctui serve` prints them).");
    }
    let request = JobRequest::Access(AccessRequest::WriteHelperConfig { home: None, lines });
    state.overlays.push(Overlay::Confirm {
        title: "Set up HTTPS with IAM?".into(),
        message,
        on_yes: Box::new(Action::Spawn(Box::new(request))),
    });
    Vec::new()
}

fn toggle(state: &mut State) -> Vec<Effect> {
    let Some(user) = state.access.user().map(str::to_string) else {
        return Vec::new();
    };
    let target = state.session.target();
    let request = if let Some(key) = state.access.selected_key() {
        AccessRequest::SetSshKeyActive {
            target,
            user,
            id: key.id.clone(),
            active: !key.active,
        }
    } else if let Some(credential) = state.access.selected_credential() {
        AccessRequest::SetGitCredentialActive {
            target,
            user,
            id: credential.id.clone(),
            active: !credential.active,
        }
    } else {
        return Vec::new();
    };
    vec![state.spawn(JobRequest::Access(request))]
}

fn ask_delete(state: &mut State) -> Vec<Effect> {
    let Some(user) = state.access.user().map(str::to_string) else {
        return Vec::new();
    };
    let target = state.session.target();
    let (title, message, request) = if let Some(key) = state.access.selected_key() {
        (
            "Delete the SSH key?".to_string(),
            format!(
                "SSH key {} of {user} is deleted from IAM: CodeCommit refuses it from then on. The key files in ~/.ssh stay.",
                key.id
            ),
            AccessRequest::DeleteSshKey {
                target,
                user,
                id: key.id.clone(),
            },
        )
    } else if let Some(credential) = state.access.selected_credential() {
        (
            "Delete the git credentials?".to_string(),
            format!(
                "Git credentials {} ({}) are deleted from IAM: git operations with them fail from then on.",
                credential.user_name, credential.id
            ),
            AccessRequest::DeleteGitCredential {
                target,
                user,
                id: credential.id.clone(),
            },
        )
    } else {
        return Vec::new();
    };
    state.overlays.push(Overlay::Confirm {
        title,
        message,
        on_yes: Box::new(Action::Spawn(Box::new(JobRequest::Access(request)))),
    });
    Vec::new()
}

fn ask_reset(state: &mut State) -> Vec<Effect> {
    let (Some(user), Some(credential)) = (
        state.access.user().map(str::to_string),
        state.access.selected_credential().cloned(),
    ) else {
        return Vec::new();
    };
    let request = JobRequest::Access(AccessRequest::ResetGitCredential {
        target: state.session.target(),
        user,
        id: credential.id.clone(),
    });
    state.overlays.push(Overlay::Confirm {
        title: "Reset the git password?".into(),
        message: format!(
            "{} gets a new password; the old one stops working at once (update it wherever it is stored). The new one is shown once.",
            credential.user_name
        ),
        on_yes: Box::new(Action::Spawn(Box::new(request))),
    });
    Vec::new()
}

/// `t`: pick a repository to list over SSH.
fn pick_test_repository(state: &mut State) -> Vec<Effect> {
    let items: Vec<PickerItem> = state
        .repos
        .rows
        .iter()
        .filter(|row| !row.repo.clone_url_ssh.is_empty())
        .map(|row| PickerItem {
            value: row.repo.name.clone(),
            detail: row.repo.clone_url_ssh.clone(),
        })
        .collect();
    if items.is_empty() {
        state.notice =
            Some("No repository listed yet to test with: list them first (1, then r).".into());
        return Vec::new();
    }
    state.overlays.push(Overlay::Picker {
        title: "Test SSH: list which repository?".into(),
        items,
        filter: String::new(),
        selected: 0,
        purpose: PickerPurpose::TestSsh,
    });
    Vec::new()
}

/// The repository chosen for the SSH test.
pub fn test_repository(state: &mut State, name: &str) -> Vec<Effect> {
    let Some(url) = state
        .repos
        .rows
        .iter()
        .find(|row| row.repo.name == name)
        .map(|row| row.repo.clone_url_ssh.clone())
    else {
        return Vec::new();
    };
    state.access.message = Some(format!("Testing SSH: listing {url}…"));
    vec![
        state.spawn(JobRequest::Access(AccessRequest::TestSsh(Box::new(
            SshTest {
                url,
                passphrase: None,
                trusted_fingerprint: None,
            },
        )))),
    ]
}

/// Enter in one of the access screen's text inputs.
pub fn submit_input(state: &mut State, input: AccessInput, value: String) -> Vec<Effect> {
    match input {
        AccessInput::NewKeyPassphrase if value.is_empty() => ask_generate(state, None),
        AccessInput::NewKeyPassphrase => {
            state.overlays.push(Overlay::Input {
                title: "The same passphrase again".into(),
                value: String::new(),
                masked: true,
                purpose: InputPurpose::Access(AccessInput::NewKeyPassphraseAgain(
                    SecretString::new(value),
                )),
            });
            Vec::new()
        }
        AccessInput::NewKeyPassphraseAgain(first) if *first.expose() == value => {
            ask_generate(state, Some(first))
        }
        AccessInput::NewKeyPassphraseAgain(_) => {
            state.overlays.push(Overlay::Error {
                message: "The two passphrases differ; no key was generated.".into(),
                hint: Some("Press n to start again.".into()),
            });
            Vec::new()
        }
        AccessInput::TestPassphrase(mut test) => {
            test.passphrase = Some(SecretString::new(value));
            vec![state.spawn(JobRequest::Access(AccessRequest::TestSsh(test)))]
        }
    }
}

/// The `Host` pattern for the SSH block: CodeCommit's hosts, or the local service's SSH host
/// from a listed repository's SSH URL (else the endpoint's host).
pub fn ssh_host_pattern(state: &State) -> String {
    if state.session.endpoint.is_none() {
        let region = state.session.region.as_deref().unwrap_or("us-east-1");
        return crate::git::ssh_setup::host_pattern(&crate::model::git_host(region));
    }
    let host_of = |url: &str| {
        crate::model::RemoteUrl::parse(url)
            .ok()
            .and_then(|u| u.host.map(|h| h.name().to_string()))
    };
    state
        .repos
        .rows
        .iter()
        .find_map(|row| host_of(&row.repo.clone_url_ssh))
        .or_else(|| state.session.endpoint.as_deref().and_then(host_of))
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// A URL of the host HTTPS git credentials are for: CodeCommit's host of the session's region,
/// or the local service's (from a listed repository, else the endpoint).
pub fn https_url(state: &State) -> String {
    match &state.session.endpoint {
        None => format!(
            "https://{}",
            crate::model::git_host(state.session.region.as_deref().unwrap_or("us-east-1"))
        ),
        Some(endpoint) => state
            .repos
            .rows
            .iter()
            .map(|row| row.repo.clone_url_http.clone())
            .find(|url| !url.is_empty())
            .unwrap_or_else(|| endpoint.clone()),
    }
}

fn ask_generate(state: &mut State, passphrase: Option<SecretString>) -> Vec<Effect> {
    let Some(user) = state.access.user().map(str::to_string) else {
        return Vec::new();
    };
    let file = crate::git::ssh_setup::key_path(std::path::Path::new("~/.ssh"), &user);
    let request = JobRequest::Access(AccessRequest::NewSshKey {
        target: state.session.target(),
        user: user.clone(),
        passphrase: passphrase.clone(),
        host_pattern: ssh_host_pattern(state),
        home: None,
    });
    state.overlays.push(Overlay::Confirm {
        title: "Generate and upload an SSH key?".into(),
        message: format!(
            "A 3072-bit RSA key pair (the kind IAM accepts) is written to {} and {}.pub ({}; private key readable by you only; an existing file is never overwritten), and the public key is uploaded to IAM user {user}.",
            file.display(),
            file.display(),
            if passphrase.is_some() { "with your passphrase" } else { "no passphrase" },
        ),
        on_yes: Box::new(Action::Spawn(Box::new(request))),
    });
    Vec::new()
}

/// `s` on the password overlay: hands the password to git's credential helper.
pub fn password_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let Some(Overlay::GitPassword(view)) = state.overlays.last() else {
        return Vec::new();
    };
    if id != CommandId::AccessStorePassword || view.pending.is_some() || view.stored.is_some() {
        return Vec::new();
    }
    if view.helpers.is_empty() {
        state.overlays.push(Overlay::Error {
            message: "git has no credential helper to keep the password.".into(),
            hint: Some("Copy it from the screen now, or configure one (for example `git config --global credential.helper store`, which keeps it in a plain file) and create new credentials.".into()),
        });
        return Vec::new();
    }
    let request = JobRequest::Access(AccessRequest::StoreGitCredential {
        home: None,
        url: view.url.clone(),
        username: view.username.clone(),
        password: view.password.clone(),
    });
    let (job, effect) = state.request(request);
    if let Some(Overlay::GitPassword(view)) = state.overlays.last_mut() {
        view.pending = Some(job);
    }
    vec![effect]
}

/// A result for the access area.
pub fn on_output(state: &mut State, id: JobId, output: AccessOutput) -> Vec<Effect> {
    match output {
        AccessOutput::Identity(who) => {
            if state.access.identity_request == Some(id) {
                state.access.identity_request = None;
                learn(state, who);
            }
            // The permissions view may have waited for who the caller is.
            super::permissions::simulate_if_ready(state)
        }
        AccessOutput::Permissions(decisions) => {
            super::permissions::answered(state, id, decisions);
            Vec::new()
        }
        AccessOutput::Overview {
            identity,
            ssh_keys,
            git_credentials,
            helpers,
        } => {
            if state.access.overview_request != Some(id) {
                return Vec::new();
            }
            state.access.overview_request = None;
            learn(state, identity);
            state.access.ssh_keys = ssh_keys;
            state.access.git_credentials = git_credentials;
            state.access.helpers = Some(helpers);
            let rows = state.access.rows();
            state.access.selected = state.access.selected.min(rows.saturating_sub(1));
            Vec::new()
        }
        AccessOutput::SshKeyUploaded {
            key,
            pair,
            host_block,
        } => {
            state.access.message = Some(format!(
                "SSH key {} uploaded ({}); private key {}",
                key.id,
                key.fingerprint,
                pair.private.display()
            ));
            let request = JobRequest::Access(AccessRequest::WriteSshConfig {
                home: None,
                lines: host_block.clone(),
            });
            state.overlays.push(Overlay::Confirm {
                title: "Add the key to ~/.ssh/config?".into(),
                message: format!(
                    "SSH key ID: {}\n\nThese lines make ssh (and cctui) use the new key, with its ID as user, for these hosts:\n\n{}\n\nAppend them to ~/.ssh/config? A copy of the file is kept first (config.cctui-backup-<time>). With no, use ssh://{}@<host>/… URLs instead.",
                    key.id,
                    host_block.join("\n"),
                    key.id
                ),
                on_yes: Box::new(Action::Spawn(Box::new(request))),
            });
            overview(state)
        }
        AccessOutput::Changed(message) => {
            state.access.message = Some(message);
            overview(state)
        }
        AccessOutput::ConfigWritten { written, ssh } => {
            let backup = written
                .backup
                .as_ref()
                .map(|b| format!(" (the old one is kept as {})", b.display()))
                .unwrap_or_default();
            state.access.message = Some(format!("Added to {}{backup}", written.file.display()));
            if ssh {
                state.overlays.push(Overlay::Confirm {
                    title: "Test SSH now?".into(),
                    message: "List a repository's branches over SSH with the new key, to see that CodeCommit accepts it (IAM may take a few seconds to know a new key).".into(),
                    on_yes: Box::new(Action::Command(CommandId::AccessTestSsh)),
                });
                Vec::new()
            } else {
                overview(state)
            }
        }
        AccessOutput::SshTested { url, refs } => {
            let message = format!("SSH works: {url} lists {refs} refs.");
            state.access.message = Some(message.clone());
            state.notice = Some(message);
            Vec::new()
        }
        AccessOutput::SshTestNeeds { test, need } => {
            match need {
                CloneNeed::Passphrase(key) => state.overlays.push(Overlay::Input {
                    title: format!("Passphrase for {}", key.display()),
                    value: String::new(),
                    masked: true,
                    purpose: InputPurpose::Access(AccessInput::TestPassphrase(test)),
                }),
                CloneNeed::TrustHost { host, fingerprint } => {
                    let mut retry = test;
                    retry.trusted_fingerprint = Some(fingerprint.clone());
                    state.overlays.push(Overlay::Confirm {
                        title: "Unknown host key".into(),
                        message: format!(
                            "{host} is not in ~/.ssh/known_hosts. Its key fingerprint is\n{fingerprint}\nTrust it, add it to known_hosts and run the test?"
                        ),
                        on_yes: Box::new(Action::Spawn(Box::new(JobRequest::Access(
                            AccessRequest::TestSsh(retry),
                        )))),
                    });
                }
                CloneNeed::Login => {}
            }
            Vec::new()
        }
        AccessOutput::GitCredentialIssued(issued) => {
            let helpers = match &state.access.helpers {
                Some(Ok(status)) => status.default_helpers.clone(),
                _ => Vec::new(),
            };
            state.access.message = Some(format!(
                "Git credentials {} ({}) issued",
                issued.credential.user_name, issued.credential.id
            ));
            // Whatever is on top, the password is shown: it cannot be asked for again.
            state
                .overlays
                .push(Overlay::GitPassword(Box::new(PasswordView {
                    id: issued.credential.id.clone(),
                    username: issued.credential.user_name.clone(),
                    password: issued.password,
                    url: https_url(state),
                    helpers,
                    pending: None,
                    stored: None,
                })));
            overview(state)
        }
        AccessOutput::GitCredentialStored { helpers } => {
            if let Some(view) = password_view(state, id) {
                view.pending = None;
                view.stored = Some(if helpers.is_empty() {
                    "git".into()
                } else {
                    helpers.join(", ")
                });
            }
            Vec::new()
        }
    }
}

/// The password overlay waiting for job `id`, anywhere on the stack.
fn password_view(state: &mut State, id: JobId) -> Option<&mut PasswordView> {
    state.overlays.iter_mut().find_map(|o| match o {
        Overlay::GitPassword(view) if view.pending == Some(id) => Some(view.as_mut()),
        _ => None,
    })
}

/// Records who the session is (and the account, for the header).
fn learn(state: &mut State, who: Identity) {
    if state.session.account_id.is_none() && !who.account.is_empty() {
        state.session.account_id = Some(who.account.clone());
    }
    state.access.identity = Some(who);
}

/// A failed access job.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    if super::permissions::failed(state, id, &failure) {
        return Vec::new();
    }
    // The header's read fails quietly: the header just shows no identity.
    if state.access.identity_request == Some(id) {
        state.access.identity_request = None;
        tracing::debug!(error = %failure.message, "no identity for the header");
        return Vec::new();
    }
    if failure.is_cancelled() {
        if state.access.overview_request == Some(id) {
            state.access.overview_request = None;
        }
        return Vec::new();
    }
    if state.access.overview_request == Some(id) {
        state.access.overview_request = None;
        state.access.error = Some((failure.message, failure.hint));
        return Vec::new();
    }
    if let Some(view) = password_view(state, id) {
        view.pending = None;
    }
    let test = state
        .jobs
        .iter()
        .any(|j| j.id == id && j.title.starts_with("Test SSH"));
    if test {
        state.access.message = Some(format!("SSH test failed: {}", failure.message));
    }
    state.overlays.push(Overlay::Error {
        message: failure.message,
        hint: failure.hint,
    });
    Vec::new()
}

/// The rows of the SSH section, for drawing and tests.
pub fn ssh_rows(state: &State) -> &[crate::aws::ssh_keys::SshKey] {
    listed(&state.access.ssh_keys)
}
