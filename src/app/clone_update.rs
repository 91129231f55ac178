//! Clone flow in `update`: marking, the clone dialog, questions a clone asks mid-way (git login,
//! SSH passphrase, unknown host key) and what a finished clone changes. Pure like `update`.

use std::path::PathBuf;

use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::overlay::{InputPurpose, Overlay};
use super::state::State;
use crate::aws::client::Target;
use crate::config::CloneProtocol;
use crate::jobs::{
    CloneJob, CloneNeed, CloneOutput, CloneSource, JobFailure, JobId, JobRequest, Retry,
};
use crate::model::RepoKey;
use crate::secret::SecretString;

/// Space: marks or unmarks the selected repository for a bulk clone.
pub fn toggle_mark(state: &mut State) {
    let Some(key) = state.repos.selected_row().map(super::repos::RepoRow::key) else {
        return;
    };
    if !state.repos.marked.remove(&key) {
        state.repos.marked.insert(key);
    }
}

/// `c`: the clone dialog for the marked repositories, or the selected one.
pub fn open_dialog(state: &mut State) {
    let repositories: Vec<RepoKey> = if state.repos.marked.is_empty() {
        state
            .repos
            .selected_row()
            .map(|r| vec![r.key()])
            .unwrap_or_default()
    } else {
        state.repos.marked.iter().cloned().collect()
    };
    let Some(first) = repositories.first() else {
        return;
    };
    let path = if repositories.len() == 1 {
        state.cloning.workspace_root.join(&first.name)
    } else {
        state.cloning.workspace_root.clone()
    };
    state.overlays.push(Overlay::CloneDialog {
        repositories,
        protocol: state.cloning.protocol,
        path: path.display().to_string(),
        focus: 1,
        source: None,
    });
}

/// `C`: clone by URL (`https://…`, `ssh://…` or git-remote-codecommit's `codecommit://`).
pub fn open_url_input(state: &mut State) {
    state.overlays.push(Overlay::Input {
        title: "Clone URL (https://…, ssh://… or codecommit://[profile@]repo)".into(),
        value: String::new(),
        masked: false,
        purpose: InputPurpose::CloneUrl,
    });
}

/// Reads a clone URL into where to clone from and the protocol it implies (parsed by
/// [`crate::model::RemoteUrl`]; the protocol by [`crate::model::access_for`]).
pub fn parse_clone_url(state: &State, text: &str) -> Result<(CloneSource, CloneProtocol), String> {
    use crate::model::{Access, RemoteUrl, Scheme, UrlError, access_for, https_url, ssh_url};
    let text = text.trim();
    let session = &state.session;
    let url = RemoteUrl::parse(text).map_err(|e| e.to_string())?;
    if url.has_password {
        return Err(UrlError::PasswordInUrl.to_string());
    }
    let name = url
        .repository_name()
        .map_err(|e| e.to_string())?
        .to_string();
    let codecommit = url.host.as_ref().is_some_and(|h| h.git_region().is_some());
    let region = url.region.clone().or_else(|| session.region.clone());
    let target = |profile: Option<String>| Target {
        profile: profile.or_else(|| session.profile.clone()),
        region: region.clone().filter(|r| !r.is_empty()),
        endpoint: session.endpoint.clone(),
    };
    let (url_http, url_ssh, protocol) = match url.scheme {
        Scheme::Codecommit => {
            let region = region
                .clone()
                .ok_or("No region: use codecommit::<region>://… or pick a region with R.")?;
            // With a custom endpoint (the local service), git is served beside the API.
            let url_http = match &session.endpoint {
                Some(endpoint) => format!("{}/v1/repos/{name}", endpoint.trim_end_matches('/')),
                None => https_url(&region, &name),
            };
            (url_http, ssh_url(&region, &name), CloneProtocol::HttpsIam)
        }
        Scheme::Https | Scheme::Http => {
            let protocol = match access_for(&url, false) {
                Access::IamPassword { .. } => CloneProtocol::HttpsIam,
                Access::Ssh | Access::GitCredentials => CloneProtocol::HttpsGit,
            };
            let url_ssh = match (&region, codecommit) {
                (Some(region), true) => ssh_url(region, &name),
                _ => String::new(),
            };
            (text.to_string(), url_ssh, protocol)
        }
        Scheme::Ssh => {
            let url_http = match (&region, codecommit) {
                (Some(region), true) => https_url(region, &name),
                _ => String::new(),
            };
            (url_http, text.to_string(), CloneProtocol::Ssh)
        }
    };
    Ok((
        CloneSource {
            repository: name,
            target: target(url.profile.clone()),
            url_http,
            url_ssh,
        },
        protocol,
    ))
}

/// Enter in the clone-URL input: the clone dialog for that URL, or an error saying why not.
pub fn submit_url(state: &mut State, text: &str) {
    match parse_clone_url(state, text) {
        Ok((source, protocol)) => {
            let path = state.cloning.workspace_root.join(&source.repository);
            state.overlays.push(Overlay::CloneDialog {
                repositories: vec![RepoKey::new(
                    source.target.profile.clone(),
                    source.target.region.clone().unwrap_or_default(),
                    source.repository.clone(),
                )],
                protocol,
                path: path.display().to_string(),
                focus: 1,
                source: Some(Box::new(source)),
            });
        }
        Err(message) => state.overlays.push(Overlay::Error {
            message,
            hint: Some("Copy a URL from a repository's details (enter, then tab and y).".into()),
        }),
    }
}

/// A command while the clone dialog is on top.
pub fn dialog_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let Some(Overlay::CloneDialog {
        repositories,
        protocol,
        path,
        focus,
        source,
    }) = state.overlays.last_mut()
    else {
        return Vec::new();
    };
    match id {
        CommandId::NextField | CommandId::PrevField | CommandId::Up | CommandId::Down => {
            *focus = 1 - (*focus).min(1)
        }
        CommandId::OptionPrev | CommandId::OptionNext => {
            *protocol = protocol.cycle(id == CommandId::OptionNext)
        }
        CommandId::Accept => {
            let (repositories, protocol, path) =
                (repositories.clone(), *protocol, path.trim().to_string());
            if path.is_empty() {
                return Vec::new();
            }
            let sources: Vec<CloneSource> = match source.take() {
                Some(source) => vec![*source],
                None => repositories
                    .iter()
                    .filter_map(|key| source_of_row(state, key))
                    .collect(),
            };
            state.overlays.pop();
            return start(state, sources, protocol, &path);
        }
        _ => {}
    }
    Vec::new()
}

/// Typing in the dialog edits the path (the protocol is chosen with ←/→).
pub fn dialog_edit(state: &mut State, edit: impl FnOnce(&mut String)) {
    if let Some(Overlay::CloneDialog { path, focus, .. }) = state.overlays.last_mut() {
        *focus = 1;
        edit(path);
    }
}

fn source_of_row(state: &State, key: &RepoKey) -> Option<CloneSource> {
    let row = state.repos.row(key)?;
    Some(CloneSource {
        repository: row.repo.name.clone(),
        target: super::repos_update::row_target(state, row),
        url_http: row.repo.clone_url_http.clone(),
        url_ssh: row.repo.clone_url_ssh.clone(),
    })
}

fn start(
    state: &mut State,
    sources: Vec<CloneSource>,
    protocol: CloneProtocol,
    path: &str,
) -> Vec<Effect> {
    // `~/` is expanded by the clone job: reading the home directory is not `update`'s business.
    let base = PathBuf::from(path);
    let single = sources.len() == 1;
    let names: Vec<String> = sources.iter().map(|s| s.repository.clone()).collect();
    let mut effects = Vec::new();
    for source in sources {
        let host = login_scope(&source.url_http);
        let path = if single {
            base.clone()
        } else {
            base.join(&source.repository)
        };
        let job = CloneJob {
            target: source.target,
            repository: source.repository,
            url_http: source.url_http,
            url_ssh: source.url_ssh,
            protocol,
            path,
            login: login_for(state, &host),
            passphrase: None,
            trusted_fingerprint: None,
        };
        effects.push(state.spawn(JobRequest::Clone(Box::new(job))));
    }
    state.repos.marked.clear();
    state.notice = Some(if single {
        format!("Cloning {} into {}", names.join(""), base.display())
    } else {
        format!(
            "Cloning {} repositories into {} ({} at a time)",
            names.len(),
            base.display(),
            crate::jobs::CLONE_CONCURRENCY
        )
    });
    effects
}

/// `host[:port]` of a URL (lowercase, as [`crate::model::Host`] shows it); empty when the URL
/// names no host.
pub fn host_of(url: &str) -> String {
    crate::model::RemoteUrl::parse(url)
        .ok()
        .and_then(|u| u.host)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Git credentials typed this session for `host` (a login scope), for any network operation.
pub fn login_for(state: &State, host: &str) -> Option<(String, SecretString)> {
    state
        .cloning
        .logins
        .iter()
        .find(|(h, _, _)| h == host)
        .map(|(_, user, password)| (user.clone(), password.clone()))
}

/// Where a login typed for `url` belongs (`scheme://host[:port]`).
pub fn login_scope(url: &str) -> String {
    crate::model::credential_scope(url).unwrap_or_else(|| host_of(url))
}

/// A clone, push, fetch or pull stopped to ask something: open the question. `url` is where
/// it goes (the login is kept for its host).
pub fn ask(state: &mut State, retry: Retry, url: &str, need: CloneNeed) {
    let host = login_scope(url);
    match need {
        CloneNeed::Login => state.overlays.push(Overlay::Input {
            title: format!("Git user name for {host} (IAM HTTPS Git credentials)"),
            value: String::new(),
            masked: false,
            purpose: InputPurpose::GitUsername { retry, host },
        }),
        CloneNeed::Passphrase(key) => state.overlays.push(Overlay::Input {
            title: format!("Passphrase of {}", key.display()),
            value: String::new(),
            masked: true,
            purpose: InputPurpose::SshPassphrase(retry),
        }),
        CloneNeed::TrustHost { host, fingerprint } => {
            let what = retry.what();
            let mut retry = retry;
            retry.set_trusted(fingerprint.clone());
            state.overlays.push(Overlay::Confirm {
                title: "Unknown SSH host".into(),
                message: format!(
                    "{host} is not in ~/.ssh/known_hosts. Its key fingerprint is\n{fingerprint}\nTrust it, add it to known_hosts and {what}?"
                ),
                on_yes: Box::new(Action::Spawn(Box::new(retry.request()))),
            });
        }
    }
}

/// Enter in one of the questions of a network operation, or another input.
pub fn submit_input(state: &mut State, purpose: InputPurpose, value: String) -> Vec<Effect> {
    match purpose {
        InputPurpose::Access(input) => super::access_update::submit_input(state, input, value),
        InputPurpose::GitUsername { retry, host } => {
            if value.trim().is_empty() {
                return Vec::new();
            }
            state.overlays.push(Overlay::Input {
                title: format!("Git password for {} at {host}", value.trim()),
                value: String::new(),
                masked: true,
                purpose: InputPurpose::GitPassword {
                    retry,
                    host,
                    username: value.trim().to_string(),
                },
            });
            Vec::new()
        }
        InputPurpose::GitPassword {
            mut retry,
            host,
            username,
        } => {
            let password = SecretString::new(value);
            // Kept in memory for the session: every operation on this host uses it.
            state.cloning.logins.retain(|(h, _, _)| *h != host);
            state
                .cloning
                .logins
                .push((host.clone(), username.clone(), password.clone()));
            retry.set_login((username, password), host);
            vec![state.spawn(retry.request())]
        }
        InputPurpose::SshPassphrase(mut retry) => {
            retry.set_passphrase(SecretString::new(value));
            vec![state.spawn(retry.request())]
        }
        InputPurpose::CloneUrl => {
            submit_url(state, &value);
            Vec::new()
        }
        InputPurpose::PushBranch { repo, branch } => {
            super::worktree_update::submit_push(state, repo, branch, value)
        }
        InputPurpose::StashMessage => super::branches_update::submit_stash(state, value),
        InputPurpose::RepositoryFilter => Vec::new(),
    }
}

/// A clone's result: finished (the row gets its marker and the working-tree panes open on
/// it), or a question to ask before retrying. A clone is recognised by what it carries (its
/// repository and path), not by its request id.
pub fn on_output(state: &mut State, _id: JobId, output: CloneOutput) -> Vec<Effect> {
    match output {
        CloneOutput::Cloned {
            key,
            repository,
            path,
            note,
        } => {
            if let Some(row) = state.repos.rows.iter_mut().find(|r| r.is(&key)) {
                row.clone = Some(path.clone());
            }
            state.notice = Some(match note {
                Some(note) => format!("Cloned {repository} into {} — {note}", path.display()),
                None => format!("Cloned {repository} into {}", path.display()),
            });
            // A finished clone never takes the panes from a clone the user is working in.
            if state.open_repo.is_some() {
                if let Some(notice) = state.notice.as_mut() {
                    notice.push_str(" — o on its row opens it");
                }
                return Vec::new();
            }
            super::worktree_update::open(state, repository, path, Some(key))
        }
        CloneOutput::ChooseBranch {
            key,
            repository,
            path,
            branches,
        } => {
            if let Some(row) = state.repos.rows.iter_mut().find(|r| r.is(&key)) {
                row.clone = Some(path.clone());
            }
            state.notice = Some(format!(
                "Cloned {repository}: its HEAD names no branch and CodeCommit has no default one; pick the branch to check out."
            ));
            let effects = if state.open_repo.is_none() {
                super::worktree_update::open(state, repository.clone(), path.clone(), Some(key))
            } else {
                Vec::new()
            };
            let items = branches
                .into_iter()
                .map(|b| super::overlay::PickerItem {
                    value: b,
                    detail: String::new(),
                })
                .collect();
            state.overlays.push(Overlay::Picker {
                title: format!("Check out which branch of {repository}?"),
                items,
                filter: String::new(),
                selected: 0,
                purpose: super::overlay::PickerPurpose::CheckoutBranch(path),
            });
            effects
        }
        CloneOutput::Needs { job, need } => {
            let url = job.url_http.clone();
            ask(state, Retry::Clone(job), &url, need);
            Vec::new()
        }
    }
}

/// A clone failed (its partial directory is already gone) or was cancelled.
pub fn on_failure(state: &mut State, _id: JobId, failure: JobFailure) -> Vec<Effect> {
    if !failure.is_cancelled() {
        state.overlays.push(Overlay::Error {
            message: failure.message,
            hint: failure.hint,
        });
    }
    Vec::new()
}
