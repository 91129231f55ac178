//! The repositories pane's part of `update`: listing, filter, sort, details, clone URLs,
//! create / rename / describe / delete, profile and region switches. Pure like `update`.

use super::command::CommandId;
use super::effect::Effect;
use super::overlay::{Form, FormField, FormKind, InputPurpose, Overlay, PickerItem, PickerPurpose};
use super::repos::{RepoRow, RepoSort};
use super::state::State;
use crate::aws::client::Target;
use crate::aws::regions::CODECOMMIT_REGIONS;
use crate::aws::repos::NewRepository;
use crate::aws::urls::{UrlKind, grc_url};
use crate::aws::validate;
use crate::jobs::{JobFailure, JobId, JobRequest, ReposOutput};
use crate::model::RepoKey;

/// Starts a new listing of the current view, cancelling the one it replaces.
pub fn refresh(state: &mut State) -> Vec<Effect> {
    let targets = if state.repos.all_regions {
        all_region_targets(state)
    } else {
        vec![state.session.target()]
    };
    let (id, spawn) = state.request(JobRequest::ListRepositories { targets });
    let mut effects: Vec<Effect> = state
        .repos
        .begin_listing(id)
        .map(Effect::Cancel)
        .into_iter()
        .collect();
    effects.push(spawn);
    effects
}

/// At start and after a profile or region switch: find out what of the AWS setup is missing
/// before listing, so a laptop with no AWS setup is told what to do instead of waiting for
/// the instance metadata service.
pub fn check_setup(state: &mut State) -> Vec<Effect> {
    let target = state.session.target();
    state.repos.setup = None;
    state.repos.checking = true;
    let (id, effect) = state.request(JobRequest::CheckSetup { target });
    state.repos.setup_check = Some(id);
    vec![effect]
}

/// The demo service could not start: say why; the first-run screen stays.
pub fn demo_failed(state: &mut State, reason: String) -> Vec<Effect> {
    state.repos.demo_starting = false;
    state.notice = None;
    state.overlays.push(Overlay::Error {
        message: format!("The demo service could not start: {reason}"),
        hint: Some("Check that the data directory is writable, or run cctui --demo.".into()),
    });
    Vec::new()
}

/// The demo service started from the first-run screen: the session points at it.
pub fn demo_started(state: &mut State, endpoint: String, region: String) -> Vec<Effect> {
    state.repos.demo_starting = false;
    state.session.endpoint = Some(endpoint);
    state.session.region = Some(region);
    state.session.profile = Some("demo".into());
    state.session.demo = true;
    state.session.account_id = None;
    super::access_update::forget(state);
    state.repos.setup = None;
    state.notice = Some(
        "Demo: sample repositories on a local CodeCommit service; no AWS account used.".into(),
    );
    let mut effects = vec![Effect::UseDemoClients];
    effects.extend(refresh(state));
    effects
}

/// Where AWS calls about a listed repository go: the row's own profile and region.
pub fn row_target(state: &State, row: &RepoRow) -> Target {
    Target {
        profile: row.profile.clone(),
        region: Some(row.region.clone()).filter(|r| !r.is_empty()),
        endpoint: state.session.endpoint.clone(),
    }
}

/// Where AWS calls about the repository `key` go.
pub fn key_target(state: &State, key: &RepoKey) -> Target {
    Target {
        profile: key.profile.clone(),
        region: Some(key.region.clone()).filter(|r| !r.is_empty()),
        endpoint: state.session.endpoint.clone(),
    }
}

/// A command of the repositories pane.
pub fn command(state: &mut State, id: CommandId) -> Vec<Effect> {
    match id {
        // On the first-run screen, r checks the setup again (after `aws configure` elsewhere).
        CommandId::Refresh if state.repos.setup.as_ref().is_some_and(|r| !r.complete()) => {
            return check_setup(state);
        }
        CommandId::Refresh => return refresh(state),
        CommandId::Filter => open_filter(state),
        CommandId::ClearFilter => set_filter(state, ""),
        CommandId::Sort => toggle_sort(state),
        CommandId::Details => return open_details(state),
        CommandId::CopyUrl => {
            let key = state.repos.selected_row().map(RepoRow::key);
            let kind = state.cloning.default_url;
            return key
                .map(|key| copy_url(state, &key, kind))
                .unwrap_or_default();
        }
        CommandId::CreateRepository => open_create(state),
        CommandId::RenameRepository => open_rename(state),
        CommandId::DescribeRepository => open_describe(state),
        CommandId::DeleteRepository => open_delete(state),
        CommandId::PickProfile => open_profile_picker(state),
        CommandId::PickRegion => open_region_picker(state),
        CommandId::AllRegions => return toggle_all_regions(state),
        CommandId::OpenClone => return super::worktree_update::open_selected(state),
        CommandId::ToggleMark => super::clone_update::toggle_mark(state),
        CommandId::CloneRepository => super::clone_update::open_dialog(state),
        CommandId::CloneUrl => super::clone_update::open_url_input(state),
        CommandId::StartDemo => return start_demo(state),
        _ => {}
    }
    Vec::new()
}

/// `d` on the first-run screen: the demo, started by the event loop.
fn start_demo(state: &mut State) -> Vec<Effect> {
    match &state.repos.setup {
        Some(_) if state.repos.demo_starting => Vec::new(),
        Some(report) if !report.complete() && !state.session.demo => {
            state.repos.demo_starting = true;
            state.notice = Some("Starting the demo service…".into());
            vec![Effect::StartDemo]
        }
        _ => {
            state.notice =
                Some("The demo starts from the first-run screen, or with cctui --demo.".into());
            Vec::new()
        }
    }
}

/// A command while one of this pane's overlays is on top (a form, the delete confirmation,
/// the detail view); `None` when the command is not theirs.
pub fn overlay_command(state: &mut State, id: CommandId) -> Option<Vec<Effect>> {
    let effects = match (state.overlays.last_mut()?, id) {
        (Overlay::Form(_), CommandId::Accept) => submit_form(state),
        (Overlay::Form(form), CommandId::NextField | CommandId::Down) => {
            form.focus = (form.focus + 1) % form.fields.len().max(1);
            Vec::new()
        }
        (Overlay::Form(form), CommandId::PrevField | CommandId::Up) => {
            let len = form.fields.len().max(1);
            form.focus = (form.focus + len - 1) % len;
            Vec::new()
        }
        (Overlay::DeleteRepository { .. }, CommandId::Accept) => submit_delete(state),
        (Overlay::RepositoryDetail { url, .. }, CommandId::NextField | CommandId::Down) => {
            *url = url.next();
            Vec::new()
        }
        (Overlay::RepositoryDetail { url, .. }, CommandId::PrevField | CommandId::Up) => {
            *url = url.next().next();
            Vec::new()
        }
        (Overlay::RepositoryDetail { key, url }, CommandId::CopyDetailUrl) => {
            let (key, kind) = (key.clone(), *url);
            copy_url(state, &key, kind)
        }
        (Overlay::RepositoryDetail { .. }, CommandId::Accept) => {
            state.overlays.pop();
            Vec::new()
        }
        _ => return None,
    };
    Some(effects)
}

/// Typing in a form: the field changes and every field is checked again. A form waiting for
/// its answer takes no typing.
pub fn form_edit(state: &mut State, edit: impl FnOnce(&mut String)) {
    let Some(Overlay::Form(form)) = state.overlays.last_mut() else {
        return;
    };
    if form.pending.is_some() {
        return;
    }
    if let Some(field) = form.fields.get_mut(form.focus) {
        edit(&mut field.value);
    }
    let mut form = form.clone();
    validate_form(&mut form, state);
    if let Some(Overlay::Form(top)) = state.overlays.last_mut() {
        *top = form;
    }
}

/// Profile × region pairs of the all-regions view. With a custom endpoint (one service, one
/// region) only the profiles vary.
pub fn all_region_targets(state: &State) -> Vec<Target> {
    let profiles: Vec<Option<String>> = if state.repos.profiles.is_empty() {
        vec![state.session.profile.clone()]
    } else {
        state.repos.profiles.iter().cloned().map(Some).collect()
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

/// `y`: copies a clone URL of the repository `key` and says what was copied.
pub fn copy_url(state: &mut State, key: &RepoKey, kind: UrlKind) -> Vec<Effect> {
    let Some(row) = state.repos.row(key) else {
        return Vec::new();
    };
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
    let request = JobRequest::LoadExtras {
        target: row_target(state, row),
        repository: row.repo.clone(),
    };
    state.overlays.push(Overlay::RepositoryDetail {
        key: row.key(),
        url: state.cloning.default_url,
    });
    vec![state.spawn(request)]
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
        pending: None,
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
        kind: FormKind::RenameRepository { key: row.key() },
        title: format!("Rename {old} ({})", row.region),
        fields: vec![field(
            "New name",
            old,
            "Letters, digits, - _ . (up to 100); not ending in .git",
        )],
        focus: 0,
        pending: None,
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
        kind: FormKind::DescribeRepository { key: row.key() },
        title: format!("Description of {name} ({})", row.region),
        fields: vec![field(
            "Description",
            row.repo.description.clone(),
            "Up to 1,000 characters",
        )],
        focus: 0,
        pending: None,
    };
    validate_form(&mut form, state);
    state.overlays.push(Overlay::Form(form));
}

/// `D`: the typed-name confirmation.
pub fn open_delete(state: &mut State) {
    if let Some(row) = state.repos.selected_row() {
        state.overlays.push(Overlay::DeleteRepository {
            key: row.key(),
            typed: String::new(),
        });
    }
}

/// Re-checks every field of a form (AWS's rules, plus names already in the list — in the
/// same profile and region: elsewhere the name is free).
pub fn validate_form(form: &mut Form, state: &State) {
    let session = RepoKey::new(
        state.session.profile.clone(),
        state.session.region.clone().unwrap_or_default(),
        "",
    );
    let exists_beside = |beside: &RepoKey, name: &str| {
        state.repos.rows.iter().any(|r| {
            r.repo.name == name && r.region == beside.region && r.profile == beside.profile
        })
    };
    let exists = |name: &str| exists_beside(&session, name);
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
        FormKind::RenameRepository { key } => {
            let name = form.fields[0].value.clone();
            form.fields[0].error = validate::repository_name(&name).err().or_else(|| {
                if name == key.name {
                    Some("Type a different name.".to_string())
                } else {
                    exists_beside(key, &name).then(|| {
                        format!(
                            "A repository named {name} already exists in {}.",
                            key.region
                        )
                    })
                }
            });
        }
        FormKind::DescribeRepository { .. } => {
            form.fields[0].error = validate::description(&form.fields[0].value).err();
        }
        FormKind::CreateBranch { .. } | FormKind::RenameBranch { .. } => {
            super::branches_update::validate(form, state)
        }
        FormKind::GitIdentity { .. } => super::worktree_update::validate_identity(form),
        FormKind::NewTrigger | FormKind::NewRule => {
            super::integrations_update::validate(form, state)
        }
    }
}

/// Enter in a form: sends it when valid; otherwise moves to the first bad field. The form
/// records the request and waits for its answer; a second enter does nothing.
pub fn submit_form(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Form(form)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    if form.pending.is_some() {
        return Vec::new();
    }
    if let Some(bad) = form.fields.iter().position(|f| f.error.is_some()) {
        form.focus = bad;
        return Vec::new();
    }
    let form = form.clone();
    let value = |i: usize| form.fields[i].value.trim().to_string();
    let request = match &form.kind {
        FormKind::CreateRepository => JobRequest::CreateRepository {
            target: state.session.target(),
            new: NewRepository {
                name: value(0),
                description: form.fields[1].value.clone(),
                tags: validate::tags(&form.fields[2].value).unwrap_or_default(),
                kms_key_id: Some(value(3)).filter(|k| !k.is_empty()),
            },
        },
        FormKind::RenameRepository { key } => JobRequest::RenameRepository {
            target: key_target(state, key),
            old: key.name.clone(),
            new: value(0),
        },
        FormKind::DescribeRepository { key } => JobRequest::DescribeRepository {
            target: key_target(state, key),
            name: key.name.clone(),
            description: form.fields[0].value.clone(),
        },
        FormKind::CreateBranch { .. } | FormKind::RenameBranch { .. } => {
            return super::branches_update::submit(state);
        }
        FormKind::GitIdentity { repo } => {
            return super::worktree_update::confirm_identity(state, repo.clone());
        }
        FormKind::NewTrigger | FormKind::NewRule => {
            return super::integrations_update::submit(state);
        }
    };
    let (id, effect) = state.request(request);
    if let Some(Overlay::Form(form)) = state.overlays.last_mut() {
        form.pending = Some(id);
    }
    vec![effect]
}

/// Enter in the delete confirmation: only when the typed name matches. The request goes to
/// the row's own profile and region.
pub fn submit_delete(state: &mut State) -> Vec<Effect> {
    match state.overlays.last() {
        Some(Overlay::DeleteRepository { key, typed }) if key.name == *typed => {
            let key = key.clone();
            state.overlays.pop();
            let target = key_target(state, &key);
            vec![state.spawn(JobRequest::DeleteRepository {
                target,
                name: key.name,
            })]
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
        .repos
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
            return super::worktree_update::open(state, name, path, None);
        }
        PickerPurpose::CheckoutBranch(repo) => {
            return vec![state.spawn(JobRequest::Branch {
                repo,
                op: crate::jobs::BranchOp::CheckoutRemote(value),
            })];
        }
        PickerPurpose::TestSsh => return super::access_update::test_repository(state, &value),
        PickerPurpose::Profile => state.session.profile = Some(value),
        PickerPurpose::Region => state.session.region = Some(value),
    }
    state.session.account_id = None;
    super::access_update::forget(state);
    state.repos.all_regions = false;
    state.repos.extras.clear();
    check_setup(state)
}

/// `A`: toggles the all-regions view.
pub fn toggle_all_regions(state: &mut State) -> Vec<Effect> {
    state.repos.all_regions = !state.repos.all_regions;
    refresh(state)
}

/// A result for the repositories pane. Listing results count only when they belong to the
/// newest listing; a form's answer closes the form that sent it, wherever it is on the stack.
pub fn on_output(state: &mut State, id: JobId, output: ReposOutput) -> Vec<Effect> {
    match output {
        ReposOutput::Profiles(profiles) => state.repos.profiles = profiles,
        ReposOutput::Setup(_) if state.repos.setup_check != Some(id) => {}
        ReposOutput::Setup(report) => {
            let complete = report.complete();
            // The header names the region the SDK will use, even when the listing fails.
            if state.session.region.is_none() && !state.repos.all_regions {
                state.session.region = report.region.clone();
            }
            state.repos.setup = Some(report);
            state.repos.checking = false;
            if complete {
                return refresh(state);
            }
        }
        ReposOutput::RepositoryBatch {
            target,
            repositories,
        } => add_batch(state, id, target, repositories),
        ReposOutput::TargetFailed { target, failure } => {
            if state.repos.listing == Some(id) {
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
        ReposOutput::Listed { total } => {
            state.repos.finish(id, total);
            // The credentials work: ask STS who they belong to, for the header.
            if !state.repos.all_regions {
                return super::access_update::identity_if_unknown(state);
            }
        }
        ReposOutput::Extras { key, extras } => {
            state.repos.extras.insert(key, extras);
        }
        ReposOutput::Created(repository) => return on_created(state, id, repository),
        ReposOutput::Renamed { key, new } => {
            close_form(state, id);
            state.notice = Some(format!("Renamed {} to {new}", key.name));
            state.repos.select_when_seen = Some(RepoKey { name: new, ..key });
            return refresh(state);
        }
        ReposOutput::Described { key, description } => {
            close_form(state, id);
            if let Some(row) = state.repos.rows.iter_mut().find(|r| r.is(&key)) {
                row.repo.description = description;
            }
            state.repos.refresh_view();
            state.notice = Some(format!("Updated the description of {}", key.name));
        }
        ReposOutput::Deleted { key, id } => {
            state.repos.rows.retain(|r| !r.is(&key));
            state.repos.marked.remove(&key);
            state.repos.extras.remove(&key);
            state.repos.refresh_view();
            state.notice = Some(match id {
                Some(id) => format!("Deleted {} in {} (id {id})", key.name, key.region),
                None => format!("{} was already gone", key.name),
            });
        }
    }
    Vec::new()
}

fn add_batch(
    state: &mut State,
    id: JobId,
    target: Target,
    repositories: Vec<(crate::aws::repos::Repository, Option<std::path::PathBuf>)>,
) {
    if state.repos.listing != Some(id) {
        return;
    }
    if state.session.account_id.is_none()
        && let Some((repo, _)) = repositories.iter().find(|(r, _)| !r.account_id.is_empty())
    {
        state.session.account_id = Some(repo.account_id.clone());
    }
    // The session named no region: the listing's is the profile's, shown in the header and
    // used for what the session creates.
    if state.session.region.is_none() && !state.repos.all_regions {
        state.session.region = target.region.clone();
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
    state.repos.add_batch(id, rows);
}

fn on_created(
    state: &mut State,
    id: JobId,
    repository: crate::aws::repos::Repository,
) -> Vec<Effect> {
    close_form(state, id);
    state.notice = Some(format!("Created {}", repository.name));
    state.repos.select_when_seen = Some(RepoKey::new(
        state.session.profile.clone(),
        state.session.region.clone().unwrap_or_default(),
        repository.name,
    ));
    refresh(state)
}

/// A failure of a repositories job. A listing error stays beside the rows it keeps (never a
/// modal: it may be the first screen); a change's error reopens the form that sent it.
pub fn on_failure(state: &mut State, id: JobId, failure: JobFailure) -> Vec<Effect> {
    if state.repos.listing == Some(id) {
        if failure.is_cancelled() {
            state.repos.loading = false;
        } else {
            state.repos.fail(id, failure.message, failure.hint);
        }
        return Vec::new();
    }
    let owner = state.overlays.iter_mut().find_map(|o| match o {
        Overlay::Form(form) if form.pending == Some(id) => Some(form),
        _ => None,
    });
    let had_owner = owner.is_some();
    if let Some(form) = owner {
        form.pending = None;
    }
    let is_change = state.jobs.iter().any(|j| j.id == id && j.writes);
    if failure.is_cancelled() || !(had_owner || is_change) {
        // A read nobody waits for any more (details closed): nothing to say.
        tracing::debug!(job = id.0, message = %failure.message, "repositories: failure dropped");
        return Vec::new();
    }
    state.overlays.push(Overlay::Error {
        message: failure.message,
        hint: failure.hint,
    });
    Vec::new()
}

/// Closes the form that sent request `id`, wherever it is on the stack.
fn close_form(state: &mut State, id: JobId) {
    state
        .overlays
        .retain(|o| !matches!(o, Overlay::Form(form) if form.pending == Some(id)));
}
