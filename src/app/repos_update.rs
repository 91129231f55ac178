//! The repositories pane's part of `update`: listing, filter, sort, details, clone URLs,
//! create / rename / describe / delete, profile and region switches. Pure like `update`.

use super::effect::Effect;
use super::overlay::{Form, FormField, FormKind, InputPurpose, Overlay, PickerItem, PickerPurpose};
use super::repos::{RepoRow, RepoSort};
use super::state::State;
use crate::aws::client::Target;
use crate::aws::regions::CODECOMMIT_REGIONS;
use crate::aws::repos::NewRepository;
use crate::aws::urls::{UrlKind, grc_url};
use crate::aws::validate;
use crate::jobs::{JobOutput, JobRequest};

/// Starts a new listing of the current view, cancelling older ones.
pub fn refresh(state: &mut State) -> Vec<Effect> {
    let generation = state.repos.begin_listing();
    let targets = if state.repos.all_regions {
        all_region_targets(state)
    } else {
        vec![state.session.target()]
    };
    vec![
        Effect::CancelListings,
        Effect::Spawn(Box::new(JobRequest::ListRepositories {
            targets,
            generation,
        })),
    ]
}

/// Profile × region pairs of the all-regions view. With a custom endpoint (one service, one
/// region) only the profiles vary.
pub fn all_region_targets(state: &State) -> Vec<Target> {
    let profiles: Vec<Option<String>> = if state.profiles.is_empty() {
        vec![state.session.profile.clone()]
    } else {
        state.profiles.iter().cloned().map(Some).collect()
    };
    let regions: Vec<Option<String>> = if state.session.endpoint.is_some() {
        vec![state.session.region.clone()]
    } else {
        CODECOMMIT_REGIONS
            .iter()
            .filter(|(code, _)| !code.starts_with("cn-") && !code.starts_with("us-gov-"))
            .map(|(code, _)| Some((*code).to_string()))
            .collect()
    };
    profiles
        .iter()
        .flat_map(|profile| {
            regions.iter().map(move |region| Target {
                profile: profile.clone(),
                region: region.clone(),
                endpoint: state.session.endpoint.clone(),
            })
        })
        .collect()
}

/// Opens the `/` filter, live as the user types.
pub fn open_filter(state: &mut State) {
    state.overlays.push(Overlay::Input {
        title: "Filter repositories (enter keeps, esc clears)".into(),
        value: state.repos.filter.clone(),
        masked: false,
        purpose: InputPurpose::RepositoryFilter,
    });
}

/// Applies a filter text.
pub fn set_filter(state: &mut State, filter: &str) {
    state.repos.filter = filter.to_string();
    state.repos.offset = 0;
    state.repos.refresh_view();
}

/// Switches between name and last-change order.
pub fn toggle_sort(state: &mut State) {
    state.repos.sort = match state.repos.sort {
        RepoSort::Name => RepoSort::LastModified,
        RepoSort::LastModified => RepoSort::Name,
    };
    state.repos.refresh_view();
}

/// The clone URL of a row in a form.
pub fn clone_url(row: &RepoRow, kind: UrlKind) -> String {
    match kind {
        UrlKind::Https => row.repo.clone_url_http.clone(),
        UrlKind::Ssh => row.repo.clone_url_ssh.clone(),
        UrlKind::Grc => grc_url(Some(&row.region), row.profile.as_deref(), &row.repo.name),
    }
}

/// `y`: copies a clone URL and says what was copied.
pub fn copy_url(state: &mut State, name: Option<&str>, kind: UrlKind) -> Vec<Effect> {
    let row = match name {
        Some(name) => state.repos.rows.iter().find(|r| r.repo.name == name),
        None => state.repos.selected_row(),
    };
    let Some(row) = row else { return Vec::new() };
    let url = clone_url(row, kind);
    state.notice = Some(format!(
        "Copied the {} clone URL of {}: {url}",
        kind.label(),
        row.repo.name
    ));
    vec![Effect::Copy(url)]
}

/// Enter: the detail overlay, loading tags and triggers in the background.
pub fn open_details(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.repos.selected_row() else {
        return Vec::new();
    };
    let name = row.repo.name.clone();
    let request = JobRequest::LoadExtras {
        target: Target {
            profile: row.profile.clone(),
            region: Some(row.region.clone()),
            endpoint: state.session.endpoint.clone(),
        },
        repository: row.repo.clone(),
    };
    state.overlays.push(Overlay::RepositoryDetail {
        name,
        url: state.default_url,
    });
    vec![Effect::Spawn(Box::new(request))]
}

fn field(label: &'static str, value: String, help: &'static str) -> FormField {
    FormField {
        label,
        value,
        error: None,
        help,
    }
}

/// `n`: the create form.
pub fn open_create(state: &mut State) {
    let mut form = Form {
        kind: FormKind::CreateRepository,
        title: "Create repository".into(),
        fields: vec![
            field(
                "Name",
                String::new(),
                "Letters, digits, - _ . (up to 100); not ending in .git",
            ),
            field(
                "Description",
                String::new(),
                "Optional, up to 1,000 characters",
            ),
            field("Tags", String::new(), "Optional: key=value, key=value"),
            field(
                "KMS key",
                String::new(),
                "Optional: key id, alias/NAME or ARN; empty = AWS managed key",
            ),
        ],
        focus: 0,
        submitting: false,
    };
    validate_form(&mut form, state);
    state.overlays.push(Overlay::Form(form));
}

/// `m`: the rename form.
pub fn open_rename(state: &mut State) {
    let Some(row) = state.repos.selected_row() else {
        return;
    };
    let old = row.repo.name.clone();
    let mut form = Form {
        kind: FormKind::RenameRepository { old: old.clone() },
        title: format!("Rename {old}"),
        fields: vec![field(
            "New name",
            old,
            "Letters, digits, - _ . (up to 100); not ending in .git",
        )],
        focus: 0,
        submitting: false,
    };
    validate_form(&mut form, state);
    state.overlays.push(Overlay::Form(form));
}

/// `e`: the description form.
pub fn open_describe(state: &mut State) {
    let Some(row) = state.repos.selected_row() else {
        return;
    };
    let name = row.repo.name.clone();
    let mut form = Form {
        kind: FormKind::DescribeRepository { name: name.clone() },
        title: format!("Description of {name}"),
        fields: vec![field(
            "Description",
            row.repo.description.clone(),
            "Up to 1,000 characters",
        )],
        focus: 0,
        submitting: false,
    };
    validate_form(&mut form, state);
    state.overlays.push(Overlay::Form(form));
}

/// `D`: the typed-name confirmation.
pub fn open_delete(state: &mut State) {
    if let Some(row) = state.repos.selected_row() {
        state.overlays.push(Overlay::DeleteRepository {
            name: row.repo.name.clone(),
            typed: String::new(),
        });
    }
}

/// Re-checks every field of a form (AWS's rules, plus names already in the list).
pub fn validate_form(form: &mut Form, state: &State) {
    let exists = |name: &str| state.repos.rows.iter().any(|r| r.repo.name == name);
    match &form.kind {
        FormKind::CreateRepository => {
            let name = form.fields[0].value.clone();
            form.fields[0].error = validate::repository_name(&name).err().or_else(|| {
                exists(&name).then(|| format!("A repository named {name} already exists."))
            });
            form.fields[1].error = validate::description(&form.fields[1].value).err();
            form.fields[2].error = validate::tags(&form.fields[2].value).err();
            form.fields[3].error = validate::kms_key(&form.fields[3].value).err();
        }
        FormKind::RenameRepository { old } => {
            let name = form.fields[0].value.clone();
            form.fields[0].error = validate::repository_name(&name).err().or_else(|| {
                if &name == old {
                    Some("Type a different name.".to_string())
                } else {
                    exists(&name).then(|| format!("A repository named {name} already exists."))
                }
            });
        }
        FormKind::DescribeRepository { .. } => {
            form.fields[0].error = validate::description(&form.fields[0].value).err();
        }
        FormKind::CreateBranch { .. } | FormKind::RenameBranch { .. } => {
            super::branches_update::validate(form, state)
        }
    }
}

/// Enter in a form: sends it when valid; otherwise moves to the first bad field.
pub fn submit_form(state: &mut State) -> Vec<Effect> {
    let target = state.session.target();
    let Some(Overlay::Form(form)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    if form.submitting {
        return Vec::new();
    }
    if let Some(bad) = form.fields.iter().position(|f| f.error.is_some()) {
        form.focus = bad;
        return Vec::new();
    }
    if matches!(
        form.kind,
        FormKind::CreateBranch { .. } | FormKind::RenameBranch { .. }
    ) {
        return super::branches_update::submit(state);
    }
    let value = |i: usize| form.fields[i].value.trim().to_string();
    let request = match &form.kind {
        FormKind::CreateRepository => JobRequest::CreateRepository {
            target,
            new: NewRepository {
                name: value(0),
                description: form.fields[1].value.clone(),
                tags: validate::tags(&form.fields[2].value).unwrap_or_default(),
                kms_key_id: Some(value(3)).filter(|k| !k.is_empty()),
            },
        },
        FormKind::RenameRepository { old } => JobRequest::RenameRepository {
            target,
            old: old.clone(),
            new: value(0),
        },
        FormKind::DescribeRepository { name } => JobRequest::DescribeRepository {
            target,
            name: name.clone(),
            description: form.fields[0].value.clone(),
        },
        FormKind::CreateBranch { .. } | FormKind::RenameBranch { .. } => return Vec::new(),
    };
    form.submitting = true;
    vec![Effect::Spawn(Box::new(request))]
}

/// Enter in the delete confirmation: only when the typed name matches.
pub fn submit_delete(state: &mut State) -> Vec<Effect> {
    let target = state.session.target();
    match state.overlays.last() {
        Some(Overlay::DeleteRepository { name, typed }) if name == typed => {
            let name = name.clone();
            state.overlays.pop();
            vec![Effect::Spawn(Box::new(JobRequest::DeleteRepository {
                target,
                name,
            }))]
        }
        _ => Vec::new(),
    }
}

/// `p`: the profile picker.
pub fn open_profile_picker(state: &mut State) {
    let current = state
        .session
        .profile
        .clone()
        .unwrap_or_else(|| "default".into());
    let items = state
        .profiles
        .iter()
        .map(|p| PickerItem {
            value: p.clone(),
            detail: if *p == current {
                "current".into()
            } else {
                String::new()
            },
        })
        .collect();
    state.overlays.push(Overlay::Picker {
        title: "AWS profile".into(),
        items,
        filter: String::new(),
        selected: 0,
        purpose: PickerPurpose::Profile,
    });
}

/// `R`: the region picker (regions where CodeCommit runs).
pub fn open_region_picker(state: &mut State) {
    let current = state.session.region.clone().unwrap_or_default();
    let items = CODECOMMIT_REGIONS
        .iter()
        .map(|(code, name)| PickerItem {
            value: (*code).to_string(),
            detail: if *code == current {
                format!("{name} · current")
            } else {
                (*name).to_string()
            },
        })
        .collect();
    state.overlays.push(Overlay::Picker {
        title: "AWS region".into(),
        items,
        filter: String::new(),
        selected: 0,
        purpose: PickerPurpose::Region,
    });
}

/// A profile or region was chosen: the old context's requests are cancelled and the list
/// reloads for the new one.
pub fn switch_context(state: &mut State, purpose: PickerPurpose, value: String) -> Vec<Effect> {
    match purpose {
        PickerPurpose::RecentClone => {
            let path = std::path::PathBuf::from(&value);
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(value);
            state.focus = super::state::Pane::Status;
            return super::worktree_update::open(state, name, path);
        }
        PickerPurpose::Profile => state.session.profile = Some(value),
        PickerPurpose::Region => state.session.region = Some(value),
    }
    state.session.account_id = None;
    state.repos.all_regions = false;
    state.repos.extras.clear();
    refresh(state)
}

/// `A`: toggles the all-regions view.
pub fn toggle_all_regions(state: &mut State) -> Vec<Effect> {
    state.repos.all_regions = !state.repos.all_regions;
    refresh(state)
}

/// Applies a job's result to the pane; returns effects (a refresh after a change).
pub fn on_output(state: &mut State, output: JobOutput) -> Vec<Effect> {
    match output {
        JobOutput::Profiles(profiles) => state.profiles = profiles,
        JobOutput::RepositoryBatch {
            generation,
            target,
            repositories,
        } => {
            if state.session.account_id.is_none()
                && let Some((repo, _)) = repositories.iter().find(|(r, _)| !r.account_id.is_empty())
            {
                state.session.account_id = Some(repo.account_id.clone());
            }
            let region = target.region.clone().unwrap_or_default();
            let rows = repositories
                .into_iter()
                .map(|(repo, clone)| RepoRow {
                    repo,
                    region: region.clone(),
                    profile: target.profile.clone(),
                    clone,
                })
                .collect();
            state.repos.add_batch(generation, rows);
        }
        JobOutput::TargetFailed {
            generation,
            target,
            failure,
        } => {
            if generation == state.repos.generation {
                let pair = format!(
                    "{}/{}",
                    target.profile.as_deref().unwrap_or("default"),
                    target.region.as_deref().unwrap_or("?")
                );
                state
                    .repos
                    .pair_errors
                    .push(format!("{pair}: {}", failure.message));
            }
        }
        JobOutput::Listed { generation, total } => {
            state.repos.finish(generation, total);
        }
        JobOutput::Extras { name, extras } => {
            state.repos.extras.insert(name, extras);
        }
        JobOutput::Created(repository) => {
            close_form(state);
            state.notice = Some(format!("Created {}", repository.name));
            state.repos.select_when_seen = Some(repository.name);
            return refresh(state);
        }
        JobOutput::Renamed { old, new } => {
            close_form(state);
            state.notice = Some(format!("Renamed {old} to {new}"));
            state.repos.select_when_seen = Some(new);
            return refresh(state);
        }
        JobOutput::Described { name, description } => {
            close_form(state);
            if let Some(row) = state.repos.rows.iter_mut().find(|r| r.repo.name == name) {
                row.repo.description = description;
            }
            state.repos.refresh_view();
            state.notice = Some(format!("Updated the description of {name}"));
        }
        JobOutput::Cloned { repository, path } => {
            return super::clone_update::on_cloned(state, repository, path);
        }
        JobOutput::CloneNeeds { job, need } => super::clone_update::on_need(state, job, need),
        JobOutput::Deleted { name, id } => {
            state.repos.rows.retain(|r| r.repo.name != name);
            state.repos.refresh_view();
            state.notice = Some(match id {
                Some(id) => format!("Deleted {name} (id {id})"),
                None => format!("{name} was already gone"),
            });
        }
        other => return super::worktree_update::on_output(state, other),
    }
    Vec::new()
}

fn close_form(state: &mut State) {
    if matches!(state.overlays.last(), Some(Overlay::Form(_))) {
        state.overlays.pop();
    }
}
