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
use cctui::jobs::{JobId, JobOutput, JobRequest, ReposOutput, SetupReport};
use cctui::model::RepoKey;

#[path = "support/app.rs"]
mod drive;
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

fn repos(output: ReposOutput) -> JobOutput {
    JobOutput::Repos(output)
}

fn batch(target: &Target, list: Vec<Repository>) -> JobOutput {
    repos(ReposOutput::RepositoryBatch {
        target: target.clone(),
        repositories: list.into_iter().map(|r| (r, None)).collect(),
    })
}

/// Starts the listing that `effects` ask for and returns its id.
fn listing(state: &mut State, effects: &[Effect]) -> JobId {
    drive::find(state, effects, |r| {
        matches!(r, JobRequest::ListRepositories { .. })
    })
    .unwrap_or_else(|| panic!("no listing in {effects:?}"))
}

/// A state after a listing of four repositories arrived in two batches.
fn loaded() -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    });
    let effects = update(&mut state, Action::Command(CommandId::Refresh));
    let requests = drive::requests(&effects);
    let Some(JobRequest::ListRepositories { targets }) = requests.last() else {
        panic!("{effects:?}")
    };
    assert_eq!(targets, &vec![state.session.target()]);
    let id = listing(&mut state, &effects);
    let target = state.session.target();
    drive::output(
        &mut state,
        id,
        batch(
            &target,
            vec![
                repository("payments-service", "Card payments API", Some("main"), 3600),
                repository(
                    "infra-terraform",
                    "Terraform for all accounts",
                    Some("master"),
                    86_400 * 3,
                ),
            ],
        ),
    );
    drive::output(
        &mut state,
        id,
        batch(
            &target,
            vec![
                repository("empty-repo", "", None, 120),
                repository(
                    "web-frontend",
                    "React storefront",
                    Some("develop"),
                    86_400 * 40,
                ),
            ],
        ),
    );
    drive::finish(&mut state, id, repos(ReposOutput::Listed { total: 4 }));
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
    let old = state.repos.listing.unwrap();
    let effects = press(&mut state, CommandId::Refresh);
    listing(&mut state, &effects);
    let stale = batch(&Target::default(), vec![repository("ghost", "", None, 1)]);
    drive::output(&mut state, old, stale);
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
    let (id, request) = drive::one(&mut state, &effects);
    assert!(matches!(request, JobRequest::LoadExtras { .. }));
    let extras = cctui::aws::repos::RepositoryExtras {
        tags: [("team".to_string(), "platform".to_string())].into(),
        triggers: vec![(
            "notify".into(),
            "arn:aws:sns:eu-west-1:111122223333:builds".into(),
        )],
    };
    drive::finish(
        &mut state,
        id,
        repos(ReposOutput::Extras {
            key: RepoKey::new(Some("dev".into()), "eu-west-1", "infra-terraform"),
            extras,
        }),
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
    let (create, request) = drive::one(&mut state, &effects);
    let JobRequest::CreateRepository { new, .. } = request else {
        panic!()
    };
    assert_eq!(new.name, "billing");
    assert_eq!(new.description, "Invoices");
    assert_eq!(new.tags.get("env").map(String::as_str), Some("prod"));
    assert_eq!(new.kms_key_id, None);

    // The server refuses: the form stays with what was typed, and the error says why.
    let failure = cctui::jobs::JobFailure::new("Repository named billing already exists", None);
    drive::report(
        &mut state,
        create,
        cctui::jobs::JobEvent::Finished(Err(failure)),
    );
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
    state.overlays.pop();
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!("form lost")
    };
    assert_eq!(form.fields[0].value, "billing");
    assert!(form.pending.is_none(), "the form can be sent again");

    // Success selects the new repository once it is listed.
    let effects = press(&mut state, CommandId::Accept);
    let (create, _) = drive::one(&mut state, &effects);
    drive::finish(
        &mut state,
        create,
        repos(ReposOutput::Created(repository(
            "billing", "Invoices", None, 0,
        ))),
    );
    assert!(state.overlays.is_empty());
    assert_eq!(
        state.repos.select_when_seen,
        Some(RepoKey::new(Some("dev".into()), "eu-west-1", "billing"))
    );
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
    let (id, request) = drive::one(&mut state, &effects);
    assert!(
        matches!(request, JobRequest::DeleteRepository { ref name, ref target } if name == "empty-repo" && target.region.as_deref() == Some("eu-west-1"))
    );
    drive::finish(
        &mut state,
        id,
        repos(ReposOutput::Deleted {
            key: RepoKey::new(Some("dev".into()), "eu-west-1", "empty-repo"),
            id: Some("x".into()),
        }),
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
    let effects = press(&mut state, CommandId::Refresh);
    let id = listing(&mut state, &effects);
    let failure = cctui::jobs::JobFailure::new(
        "The SSO session for profile dev has expired.",
        Some("Run `aws sso login --profile dev` and press r to retry.".into()),
    );
    drive::report(
        &mut state,
        id,
        cctui::jobs::JobEvent::Finished(Err(failure)),
    );
    assert_eq!(names(&state).len(), 4);
    assert!(state.overlays.is_empty(), "a listing error is no modal");
    insta::assert_snapshot!(render(&state, 100, 24));
}

#[test]
fn switching_region_reloads_and_cancels_the_old_listing() {
    let mut state = loaded();
    let effects = press(&mut state, CommandId::Refresh);
    let running = listing(&mut state, &effects);
    press(&mut state, CommandId::PickRegion);
    type_text(&mut state, "eu-north");
    let effects = press(&mut state, CommandId::Accept);
    assert_eq!(state.session.region.as_deref(), Some("eu-north-1"));
    // The setup is checked for the new region first, then the listing replaces the old one.
    let (check, request) = drive::one(&mut state, &effects);
    assert!(matches!(request, JobRequest::CheckSetup { .. }));
    let effects = drive::finish(
        &mut state,
        check,
        repos(ReposOutput::Setup(SetupReport::default())),
    );
    assert_eq!(effects.first(), Some(&Effect::Cancel(running)));
    assert!(
        matches!(drive::requests(&effects).as_slice(), [JobRequest::ListRepositories { targets }] if targets[0].region.as_deref() == Some("eu-north-1"))
    );
    assert_eq!(state.session.account_id, None);
}

/// The all-regions view with `payments` in two regions of one profile.
fn two_regions() -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("us-east-1".into()),
        ..Session::default()
    });
    state.repos.profiles = vec!["dev".into()];
    let effects = press(&mut state, CommandId::AllRegions);
    let id = listing(&mut state, &effects);
    for region in ["us-east-1", "eu-west-1"] {
        let target = Target {
            profile: Some("dev".into()),
            region: Some(region.into()),
            endpoint: None,
        };
        let mut repo = repository("payments", &format!("in {region}"), Some("main"), 60);
        repo.arn = format!("arn:aws:codecommit:{region}:111122223333:payments");
        drive::output(&mut state, id, batch(&target, vec![repo]));
    }
    drive::finish(&mut state, id, repos(ReposOutput::Listed { total: 2 }));
    assert_eq!(state.repos.view.len(), 2);
    state
}

fn select_region(state: &mut State, region: &str) -> RepoKey {
    let position = state
        .repos
        .view
        .iter()
        .position(|i| state.repos.rows[*i].region == region)
        .unwrap();
    state.repos.selected = position;
    state.repos.selected_row().unwrap().key()
}

#[test]
fn all_regions_deletes_the_rows_own_repository_and_keeps_its_namesake() {
    let mut state = two_regions();
    let west = select_region(&mut state, "eu-west-1");
    press(&mut state, CommandId::DeleteRepository);
    type_text(&mut state, "payments");
    let effects = press(&mut state, CommandId::Accept);
    let (id, request) = drive::one(&mut state, &effects);
    let JobRequest::DeleteRepository { target, name } = request else {
        panic!()
    };
    assert_eq!(
        (
            target.region.as_deref(),
            target.profile.as_deref(),
            name.as_str()
        ),
        (Some("eu-west-1"), Some("dev"), "payments"),
        "the row's region, not the session's us-east-1"
    );
    drive::finish(
        &mut state,
        id,
        repos(ReposOutput::Deleted {
            key: west,
            id: Some("x".into()),
        }),
    );
    let left: Vec<_> = state.repos.rows.iter().map(|r| r.region.as_str()).collect();
    assert_eq!(left, vec!["us-east-1"], "the namesake in us-east-1 stays");
}

#[test]
fn all_regions_rename_and_describe_go_to_the_rows_region() {
    let mut state = two_regions();
    let west = select_region(&mut state, "eu-west-1");
    press(&mut state, CommandId::RenameRepository);
    for _ in 0.."payments".len() {
        update(&mut state, Action::Backspace);
    }
    type_text(&mut state, "billing");
    let effects = press(&mut state, CommandId::Accept);
    let (id, request) = drive::one(&mut state, &effects);
    assert!(
        matches!(&request, JobRequest::RenameRepository { target, old, new } if target.region.as_deref() == Some("eu-west-1") && old == "payments" && new == "billing"),
        "{request:?}"
    );
    drive::finish(
        &mut state,
        id,
        repos(ReposOutput::Renamed {
            key: west.clone(),
            new: "billing".into(),
        }),
    );
    assert_eq!(
        state.repos.select_when_seen,
        Some(RepoKey::new(Some("dev".into()), "eu-west-1", "billing"))
    );

    let mut state = two_regions();
    let east = select_region(&mut state, "us-east-1");
    press(&mut state, CommandId::DescribeRepository);
    type_text(&mut state, "!");
    let effects = press(&mut state, CommandId::Accept);
    let (id, request) = drive::one(&mut state, &effects);
    assert!(
        matches!(&request, JobRequest::DescribeRepository { target, .. } if target.region.as_deref() == Some("us-east-1"))
    );
    drive::finish(
        &mut state,
        id,
        repos(ReposOutput::Described {
            key: east,
            description: "changed".into(),
        }),
    );
    let description = |region: &str| {
        state
            .repos
            .rows
            .iter()
            .find(|r| r.region == region)
            .map(|r| r.repo.description.clone())
            .unwrap()
    };
    assert_eq!(description("us-east-1"), "changed");
    assert_eq!(
        description("eu-west-1"),
        "in eu-west-1",
        "the namesake is untouched"
    );
}

#[test]
fn all_regions_marks_and_extras_belong_to_one_row() {
    let mut state = two_regions();
    let west = select_region(&mut state, "eu-west-1");
    press(&mut state, CommandId::ToggleMark);
    assert_eq!(state.repos.marked.iter().collect::<Vec<_>>(), vec![&west]);
    let effects = press(&mut state, CommandId::CloneRepository);
    assert!(effects.is_empty());
    let Some(Overlay::CloneDialog { repositories, .. }) = state.overlays.last() else {
        panic!()
    };
    assert_eq!(repositories, &vec![west.clone()]);
    state.overlays.clear();

    let effects = press(&mut state, CommandId::Details);
    let (id, _) = drive::one(&mut state, &effects);
    drive::finish(
        &mut state,
        id,
        repos(ReposOutput::Extras {
            key: west.clone(),
            extras: Default::default(),
        }),
    );
    state.overlays.clear();
    let east = select_region(&mut state, "us-east-1");
    assert!(state.repos.extras.contains_key(&west));
    assert!(
        !state.repos.extras.contains_key(&east),
        "the namesake's details are its own"
    );
}

#[test]
fn first_run_checks_the_setup_and_lists_only_when_it_is_complete() {
    let mut state = State::new(Session::default());
    let effects = update(&mut state, Action::Start);
    let (check, request) = drive::one(&mut state, &effects);
    assert!(matches!(request, JobRequest::CheckSetup { .. }));
    let missing = SetupReport {
        no_credentials: true,
        unknown_profile: None,
        no_region: true,
        region: None,
    };
    let effects = drive::finish(&mut state, check, repos(ReposOutput::Setup(missing)));
    assert!(
        drive::requests(&effects).is_empty(),
        "no listing that could only wait for the instance metadata service"
    );
    assert!(state.overlays.is_empty(), "no modal on the first screen");
    let screen = render(&state, 120, 24);
    assert!(screen.contains("No AWS credentials"), "{screen}");
    assert!(screen.contains("No AWS region"), "{screen}");
    assert!(screen.contains("Press d for the demo"), "{screen}");
    // r checks again (after `aws configure` in another terminal); d starts the demo.
    let effects = press(&mut state, CommandId::Refresh);
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::CheckSetup { .. }]
    ));
    state.repos.setup = Some(SetupReport {
        no_credentials: true,
        ..SetupReport::default()
    });
    assert_eq!(
        press(&mut state, CommandId::StartDemo),
        vec![Effect::StartDemo]
    );
    let effects = update(
        &mut state,
        Action::DemoStarted {
            endpoint: "http://127.0.0.1:4510".into(),
            region: "us-east-1".into(),
        },
    );
    assert!(state.session.demo);
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::ListRepositories { targets }] if targets[0].endpoint.as_deref() == Some("http://127.0.0.1:4510")
    ));
}

#[test]
fn batches_arriving_out_of_order_keep_the_top_of_the_list_selected() {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    });
    let effects = update(&mut state, Action::Command(CommandId::Refresh));
    let id = listing(&mut state, &effects);
    let target = state.session.target();
    drive::output(
        &mut state,
        id,
        batch(&target, vec![repository("middle", "", None, 10)]),
    );
    drive::output(
        &mut state,
        id,
        batch(&target, vec![repository("alpha", "", None, 10)]),
    );
    assert_eq!(state.repos.selected, 0);
    assert_eq!(names(&state)[0], "alpha");
    // A row the user moved to is followed through re-sorts.
    press(&mut state, CommandId::Down);
    drive::output(
        &mut state,
        id,
        batch(&target, vec![repository("aaa-first", "", None, 10)]),
    );
    assert_eq!(names(&state)[state.repos.selected], "middle");
}
