//! The repositories pane: `update()` behaviour and screen snapshots with stable data.
#![allow(clippy::unwrap_used, clippy::panic)]

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::Overlay;
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::aws::client::Target;
use cctui::aws::repos::Repository;
use cctui::config::Config;
use cctui::jobs::{JobEvent, JobId, JobOutput, JobRequest, JobTag, JobUpdate};
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const NOW: i64 = 1_795_640_088;

fn repository(name: &str, description: &str, branch: Option<&str>, age: i64) -> Repository {
    Repository {
        name: name.into(),
        id: format!("00000000-0000-0000-0000-{:012}", name.len()),
        description: description.into(),
        default_branch: branch.map(str::to_string),
        last_modified: Some(NOW - age),
        created: Some(NOW - 400 * 86_400),
        arn: format!("arn:aws:codecommit:eu-west-1:111122223333:{name}"),
        account_id: "111122223333".into(),
        clone_url_http: format!("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"),
        clone_url_ssh: format!("ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"),
        kms_key_id: None,
    }
}

fn job(state: &mut State, id: u64, event: JobEvent) -> Vec<Effect> {
    update(
        state,
        Action::Job(Box::new(JobUpdate {
            id: JobId(id),
            event,
        })),
    )
}

/// A state after a listing of four repositories arrived in two batches.
fn loaded() -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    });
    let effects = update(&mut state, Action::Command(CommandId::Refresh));
    let Some(Effect::Spawn(request)) = effects.last() else {
        panic!("{effects:?}")
    };
    let JobRequest::ListRepositories {
        generation,
        targets,
    } = request.as_ref()
    else {
        panic!()
    };
    assert_eq!(targets, &vec![state.session.target()]);
    let generation = *generation;
    job(
        &mut state,
        9,
        JobEvent::Started {
            title: "List".into(),
            visible: false,
            tag: JobTag::Listing(generation),
        },
    );
    let target = state.session.target();
    let batch = |repos: Vec<Repository>| JobOutput::RepositoryBatch {
        generation,
        target: target.clone(),
        repositories: repos.into_iter().map(|r| (r, None)).collect(),
    };
    job(
        &mut state,
        9,
        JobEvent::Output(batch(vec![
            repository("payments-service", "Card payments API", Some("main"), 3600),
            repository(
                "infra-terraform",
                "Terraform for all accounts",
                Some("master"),
                86_400 * 3,
            ),
        ])),
    );
    job(
        &mut state,
        9,
        JobEvent::Output(batch(vec![
            repository("empty-repo", "", None, 120),
            repository(
                "web-frontend",
                "React storefront",
                Some("develop"),
                86_400 * 40,
            ),
        ])),
    );
    job(
        &mut state,
        9,
        JobEvent::Finished(Ok(JobOutput::Listed {
            generation,
            total: 4,
        })),
    );
    state
}

fn render(state: &State, width: u16, height: u16) -> String {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let view = View {
        keymap: &config.keymap,
        theme: &config.theme,
        now: NOW,
    };
    terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
    terminal.backend().to_string()
}

fn names(state: &State) -> Vec<String> {
    state
        .repos
        .view
        .iter()
        .map(|i| state.repos.rows[*i].repo.name.clone())
        .collect()
}

fn press(state: &mut State, id: CommandId) -> Vec<Effect> {
    update(state, Action::Command(id))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Action::TypeChar(c));
    }
}

#[test]
fn listing_fills_sorted_rows_and_the_account() {
    let state = loaded();
    assert_eq!(
        names(&state),
        vec![
            "empty-repo",
            "infra-terraform",
            "payments-service",
            "web-frontend"
        ]
    );
    assert_eq!(state.session.account_id.as_deref(), Some("111122223333"));
    assert!(!state.repos.loading);
    insta::assert_snapshot!(render(&state, 120, 24));
}

#[test]
fn narrow_list_at_80_columns() {
    insta::assert_snapshot!(render(&loaded(), 80, 24));
}

#[test]
fn sort_by_last_change_and_filter() {
    let mut state = loaded();
    press(&mut state, CommandId::Sort);
    assert_eq!(
        names(&state),
        vec![
            "empty-repo",
            "payments-service",
            "infra-terraform",
            "web-frontend"
        ]
    );
    press(&mut state, CommandId::Filter);
    type_text(&mut state, "terra");
    assert_eq!(
        names(&state),
        vec!["infra-terraform"],
        "live filter while typing"
    );
    insta::assert_snapshot!(render(&state, 120, 24));
    press(&mut state, CommandId::Close);
    assert_eq!(names(&state).len(), 4, "esc in the filter clears it");
    press(&mut state, CommandId::Filter);
    type_text(&mut state, "storefront");
    press(&mut state, CommandId::Accept);
    assert_eq!(
        names(&state),
        vec!["web-frontend"],
        "descriptions match as substrings; enter keeps the filter"
    );
}

#[test]
fn stale_listing_results_are_dropped() {
    let mut state = loaded();
    let old = state.repos.generation;
    press(&mut state, CommandId::Refresh);
    let stale = JobOutput::RepositoryBatch {
        generation: old,
        target: Target::default(),
        repositories: vec![(repository("ghost", "", None, 1), None)],
    };
    job(&mut state, 9, JobEvent::Output(stale));
    assert!(!names(&state).contains(&"ghost".to_string()));
    assert_eq!(
        names(&state).len(),
        4,
        "old rows stay until the new listing sends rows"
    );
}

#[test]
fn details_and_copy_urls() {
    let mut state = loaded();
    press(&mut state, CommandId::Top);
    press(&mut state, CommandId::Down);
    let effects = press(&mut state, CommandId::Details);
    assert!(
        matches!(effects.as_slice(), [Effect::Spawn(r)] if matches!(r.as_ref(), JobRequest::LoadExtras { .. }))
    );
    let extras = cctui::aws::repos::RepositoryExtras {
        tags: [("team".to_string(), "platform".to_string())].into(),
        triggers: vec![(
            "notify".into(),
            "arn:aws:sns:eu-west-1:111122223333:builds".into(),
        )],
    };
    job(
        &mut state,
        10,
        JobEvent::Finished(Ok(JobOutput::Extras {
            name: "infra-terraform".into(),
            extras,
        })),
    );
    insta::assert_snapshot!(render(&state, 120, 32));
    press(&mut state, CommandId::NextField);
    let effects = press(&mut state, CommandId::CopyDetailUrl);
    assert_eq!(
        effects,
        vec![Effect::Copy(
            "ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/infra-terraform".into()
        )]
    );
    assert!(
        state
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("SSH clone URL of infra-terraform")
    );
    press(&mut state, CommandId::NextField);
    let effects = press(&mut state, CommandId::CopyDetailUrl);
    assert_eq!(
        effects,
        vec![Effect::Copy(
            "codecommit::eu-west-1://dev@infra-terraform".into()
        )]
    );
}

#[test]
fn create_form_validates_live_and_submits() {
    let mut state = loaded();
    press(&mut state, CommandId::CreateRepository);
    type_text(&mut state, "web-frontend");
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!()
    };
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("already exists")
    );
    assert!(
        press(&mut state, CommandId::Accept).is_empty(),
        "an invalid form is not sent"
    );
    for _ in 0.."web-frontend".len() {
        update(&mut state, Action::Backspace);
    }
    type_text(&mut state, "bad name.git");
    insta::assert_snapshot!(render(&state, 100, 30));
    for _ in 0.."bad name.git".len() {
        update(&mut state, Action::Backspace);
    }
    type_text(&mut state, "billing");
    press(&mut state, CommandId::NextField);
    type_text(&mut state, "Invoices");
    press(&mut state, CommandId::NextField);
    type_text(&mut state, "team=fin, env=prod");
    let effects = press(&mut state, CommandId::Accept);
    let Some(Effect::Spawn(request)) = effects.first() else {
        panic!("{effects:?}")
    };
    let JobRequest::CreateRepository { new, .. } = request.as_ref() else {
        panic!()
    };
    assert_eq!(new.name, "billing");
    assert_eq!(new.description, "Invoices");
    assert_eq!(new.tags.get("env").map(String::as_str), Some("prod"));
    assert_eq!(new.kms_key_id, None);

    // The server refuses: the form stays with what was typed, and the error says why.
    let failure = cctui::jobs::JobFailure {
        message: "Repository named billing already exists".into(),
        hint: None,
    };
    job(
        &mut state,
        11,
        JobEvent::Started {
            title: "Create".into(),
            visible: true,
            tag: JobTag::Change,
        },
    );
    job(&mut state, 11, JobEvent::Finished(Err(failure)));
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
    state.overlays.pop();
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!("form lost")
    };
    assert_eq!(form.fields[0].value, "billing");
    assert!(!form.submitting);

    // Success selects the new repository once it is listed.
    job(
        &mut state,
        12,
        JobEvent::Finished(Ok(JobOutput::Created(repository(
            "billing", "Invoices", None, 0,
        )))),
    );
    assert!(state.overlays.is_empty());
    assert_eq!(state.repos.select_when_seen.as_deref(), Some("billing"));
}

#[test]
fn delete_needs_the_typed_name() {
    let mut state = loaded();
    press(&mut state, CommandId::Top);
    press(&mut state, CommandId::DeleteRepository);
    type_text(&mut state, "empty-rep");
    assert!(press(&mut state, CommandId::Accept).is_empty());
    insta::assert_snapshot!(render(&state, 100, 24));
    type_text(&mut state, "o");
    let effects = press(&mut state, CommandId::Accept);
    assert!(
        matches!(effects.as_slice(), [Effect::Spawn(r)] if matches!(r.as_ref(), JobRequest::DeleteRepository { name, .. } if name == "empty-repo"))
    );
    job(
        &mut state,
        13,
        JobEvent::Finished(Ok(JobOutput::Deleted {
            name: "empty-repo".into(),
            id: Some("x".into()),
        })),
    );
    assert!(!names(&state).contains(&"empty-repo".to_string()));
}

#[test]
fn readonly_refuses_create_rename_describe_delete() {
    let mut state = loaded();
    state.session.readonly = true;
    for id in [
        CommandId::CreateRepository,
        CommandId::RenameRepository,
        CommandId::DescribeRepository,
        CommandId::DeleteRepository,
    ] {
        assert!(press(&mut state, id).is_empty());
        assert!(
            matches!(state.overlays.pop(), Some(Overlay::Error { .. })),
            "{id:?} not refused"
        );
    }
}

#[test]
fn listing_error_keeps_rows_and_shows_the_hint() {
    let mut state = loaded();
    press(&mut state, CommandId::Refresh);
    let generation = state.repos.generation;
    job(
        &mut state,
        20,
        JobEvent::Started {
            title: "List".into(),
            visible: false,
            tag: JobTag::Listing(generation),
        },
    );
    let failure = cctui::jobs::JobFailure {
        message: "The SSO session for profile dev has expired.".into(),
        hint: Some("Run `aws sso login --profile dev` and press r to retry.".into()),
    };
    job(&mut state, 20, JobEvent::Finished(Err(failure)));
    assert_eq!(names(&state).len(), 4);
    insta::assert_snapshot!(render(&state, 100, 24));
}

#[test]
fn switching_region_reloads_and_cancels_the_old_listing() {
    let mut state = loaded();
    press(&mut state, CommandId::PickRegion);
    type_text(&mut state, "eu-north");
    let effects = press(&mut state, CommandId::Accept);
    assert_eq!(state.session.region.as_deref(), Some("eu-north-1"));
    assert_eq!(effects.first(), Some(&Effect::CancelListings));
    assert!(
        matches!(effects.get(1), Some(Effect::Spawn(r)) if matches!(r.as_ref(), JobRequest::ListRepositories { targets, .. } if targets[0].region.as_deref() == Some("eu-north-1")))
    );
    assert_eq!(state.session.account_id, None);
}
