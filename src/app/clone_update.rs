//! Clone flow in `update`: marking, the clone dialog, questions a clone asks mid-way (git login,
//! SSH passphrase, unknown host key) and what a finished clone changes. Pure like `update`.

use std::path::PathBuf;

use super::action::Action;
use super::command::CommandId;
use super::effect::Effect;
use super::overlay::{InputPurpose, Overlay};
use super::state::{OpenRepo, State};
use crate::jobs::{CloneJob, CloneNeed, JobRequest};
use crate::secret::SecretString;

/// Space: marks or unmarks the selected repository for a bulk clone.
pub fn toggle_mark(state: &mut State) {
    let Some(name) = state.repos.selected_row().map(|r| r.repo.name.clone()) else {
        return;
    };
    if !state.repos.marked.remove(&name) {
        state.repos.marked.insert(name);
    }
}

/// `c`: the clone dialog for the marked repositories, or the selected one.
pub fn open_dialog(state: &mut State) {
    let repositories: Vec<String> = if state.repos.marked.is_empty() {
        state
            .repos
            .selected_row()
            .map(|r| vec![r.repo.name.clone()])
            .unwrap_or_default()
    } else {
        state.repos.marked.iter().cloned().collect()
    };
    let Some(first) = repositories.first() else {
        return;
    };
    let path = if repositories.len() == 1 {
        state.workspace_root.join(first)
    } else {
        state.workspace_root.clone()
    };
    state.overlays.push(Overlay::CloneDialog {
        repositories,
        protocol: state.clone_protocol,
        path: path.display().to_string(),
        focus: 1,
    });
}

/// A command while the clone dialog is on top.
pub fn dialog_command(state: &mut State, id: CommandId) -> Vec<Effect> {
    let Some(Overlay::CloneDialog {
        repositories,
        protocol,
        path,
        focus,
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
            state.overlays.pop();
            return start(state, &repositories, protocol, &path);
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

fn start(
    state: &mut State,
    repositories: &[String],
    protocol: crate::config::CloneProtocol,
    path: &str,
) -> Vec<Effect> {
    let base = crate::config::paths::expand_home(path);
    let single = repositories.len() == 1;
    let mut effects = Vec::new();
    for name in repositories {
        let Some(row) = state.repos.rows.iter().find(|r| &r.repo.name == name) else {
            continue;
        };
        let target = crate::aws::client::Target {
            profile: row.profile.clone(),
            region: Some(row.region.clone()),
            endpoint: state.session.endpoint.clone(),
        };
        let host = host_of(&row.repo.clone_url_http);
        let job = CloneJob {
            target,
            repository: name.clone(),
            url_http: row.repo.clone_url_http.clone(),
            url_ssh: row.repo.clone_url_ssh.clone(),
            protocol,
            path: if single {
                base.clone()
            } else {
                base.join(name)
            },
            login: login_for(state, &host),
            passphrase: None,
            trusted_fingerprint: None,
        };
        effects.push(Effect::Spawn(Box::new(JobRequest::Clone(Box::new(job)))));
    }
    state.repos.marked.clear();
    state.notice = Some(if single {
        format!("Cloning {} into {}", repositories[0], base.display())
    } else {
        format!(
            "Cloning {} repositories into {} ({} at a time)",
            repositories.len(),
            base.display(),
            crate::jobs::CLONE_CONCURRENCY
        )
    });
    effects
}

/// `host[:port]` of a URL.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit('@')
        .next()
        .unwrap_or(authority)
        .to_string()
}

fn login_for(state: &State, host: &str) -> Option<(String, SecretString)> {
    state
        .git_logins
        .iter()
        .find(|(h, _, _)| h == host)
        .map(|(_, user, password)| (user.clone(), password.clone()))
}

/// A clone stopped to ask something: open the question.
pub fn on_need(state: &mut State, job: Box<CloneJob>, need: CloneNeed) {
    match need {
        CloneNeed::Login => state.overlays.push(Overlay::Input {
            title: format!(
                "Git user name for {} (IAM HTTPS Git credentials)",
                host_of(&job.url_http)
            ),
            value: String::new(),
            masked: false,
            purpose: InputPurpose::GitUsername(job),
        }),
        CloneNeed::Passphrase(key) => state.overlays.push(Overlay::Input {
            title: format!("Passphrase of {}", key.display()),
            value: String::new(),
            masked: true,
            purpose: InputPurpose::SshPassphrase(job),
        }),
        CloneNeed::TrustHost { host, fingerprint } => {
            let mut retry = job;
            retry.trusted_fingerprint = Some(fingerprint.clone());
            state.overlays.push(Overlay::Confirm {
                title: "Unknown SSH host".into(),
                message: format!(
                    "{host} is not in ~/.ssh/known_hosts. Its key fingerprint is\n{fingerprint}\nTrust it, add it to known_hosts and clone {}?",
                    retry.repository
                ),
                on_yes: Box::new(Action::Spawn(Box::new(JobRequest::Clone(retry)))),
            });
        }
    }
}

/// Enter in one of the clone's questions.
pub fn submit_input(state: &mut State, purpose: InputPurpose, value: String) -> Vec<Effect> {
    match purpose {
        InputPurpose::GitUsername(job) => {
            if value.trim().is_empty() {
                return Vec::new();
            }
            state.overlays.push(Overlay::Input {
                title: format!(
                    "Git password for {} at {}",
                    value.trim(),
                    host_of(&job.url_http)
                ),
                value: String::new(),
                masked: true,
                purpose: InputPurpose::GitPassword(job, value.trim().to_string()),
            });
            Vec::new()
        }
        InputPurpose::GitPassword(mut job, username) => {
            let password = SecretString::new(value);
            let host = host_of(&job.url_http);
            state.git_logins.retain(|(h, _, _)| *h != host);
            state
                .git_logins
                .push((host, username.clone(), password.clone()));
            job.login = Some((username, password));
            vec![Effect::Spawn(Box::new(JobRequest::Clone(job)))]
        }
        InputPurpose::SshPassphrase(mut job) => {
            job.passphrase = Some(SecretString::new(value));
            vec![Effect::Spawn(Box::new(JobRequest::Clone(job)))]
        }
        InputPurpose::RepositoryFilter => Vec::new(),
    }
}

/// A clone finished: the row gets its marker and the working-tree panes open on it.
pub fn on_cloned(state: &mut State, repository: String, path: PathBuf) {
    if let Some(row) = state
        .repos
        .rows
        .iter_mut()
        .find(|r| r.repo.name == repository)
    {
        row.clone = Some(path.clone());
    }
    state.notice = Some(format!("Cloned {repository} into {}", path.display()));
    state.open_repo = Some(OpenRepo {
        name: repository,
        path,
    });
}
