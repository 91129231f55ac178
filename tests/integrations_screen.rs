//! The integrations screen through `update` (pure): `T` reads the selected repository's
//! triggers and notification rules; a trigger form checked as one types; every change shows
//! what will be sent and asks; deleting a trigger sends the rest; `t` shows succeeded and
//! failed executions; `--readonly` refuses; a TestBackend snapshot with stable data.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/app.rs"]
mod drive;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::integrations::IntegrationsSection;
use cctui::app::overlay::Overlay;
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::aws::client::Target;
use cctui::aws::notifications::Rule;
use cctui::aws::repos::Repository;
use cctui::aws::triggers::{TestReport, Trigger, Triggers};
use cctui::config::Config;
use cctui::jobs::integrations_job::{IntegrationsOutput, IntegrationsRequest};
use cctui::jobs::{JobId, JobOutput, JobRequest, ReposOutput};
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ARN: &str = "arn:aws:codecommit:eu-west-1:111122223333:shop";
const TOPIC: &str = "arn:aws:sns:eu-west-1:111122223333:pushes";

fn press(state: &mut State, id: CommandId) -> Vec<Effect> {
    update(state, Action::Command(id))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Action::TypeChar(c));
    }
}

fn clear_field(state: &mut State) {
    for _ in 0..80 {
        update(state, Action::Backspace);
    }
}

fn repository(name: &str) -> Repository {
    Repository {
        name: name.into(),
        id: "00000000-0000-0000-0000-000000000004".into(),
        description: "Shop".into(),
        default_branch: Some("main".into()),
        last_modified: Some(1_795_640_000),
        created: Some(1_795_000_000),
        arn: format!("arn:aws:codecommit:eu-west-1:111122223333:{name}"),
        account_id: "111122223333".into(),
        clone_url_http: format!("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"),
        clone_url_ssh: format!("ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"),
        kms_key_id: None,
    }
}

fn listed(readonly: bool) -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        readonly,
        ..Session::default()
    });
    let effects = press(&mut state, CommandId::Refresh);
    let id = drive::find(&mut state, &effects, |r| {
        matches!(r, JobRequest::ListRepositories { .. })
    })
    .unwrap();
    let target: Target = state.session.target();
    drive::finish(
        &mut state,
        id,
        JobOutput::Repos(ReposOutput::RepositoryBatch {
            target,
            repositories: vec![(repository("shop"), None)],
        }),
    );
    state
}

fn notify() -> Trigger {
    Trigger {
        name: "notify".into(),
        destination_arn: TOPIC.into(),
        events: vec!["all".into()],
        branches: vec![],
        custom_data: "team-a".into(),
    }
}

fn build() -> Trigger {
    Trigger {
        name: "build".into(),
        destination_arn: "arn:aws:lambda:eu-west-1:111122223333:function:build".into(),
        events: vec!["updateReference".into()],
        branches: vec!["main".into()],
        custom_data: String::new(),
    }
}

fn rule() -> Rule {
    Rule {
        arn: "arn:aws:codestar-notifications:eu-west-1:111122223333:notificationrule/0123456789abcdef0123456789abcdef01234567".into(),
        name: "shop-prs".into(),
        events: vec![
            "codecommit-repository-pull-request-created".into(),
            "codecommit-repository-pull-request-merged".into(),
        ],
        targets: vec!["arn:aws:sns:eu-west-1:111122223333:reviews".into()],
        status: "ENABLED".into(),
        detail: "FULL".into(),
    }
}

fn integrations(output: IntegrationsOutput) -> JobOutput {
    JobOutput::Integrations(output)
}

/// `T` on the listed repository, its read answered with two triggers and one rule.
fn opened(readonly: bool) -> State {
    let mut state = listed(readonly);
    let effects = press(&mut state, CommandId::OpenIntegrations);
    assert!(matches!(state.overlays.last(), Some(Overlay::Integrations)));
    let (id, request) = drive::one(&mut state, &effects);
    match &request {
        JobRequest::Integrations(IntegrationsRequest::Load {
            repository, arn, ..
        }) => {
            assert_eq!(repository, "shop");
            assert_eq!(arn, ARN);
        }
        other => panic!("{other:?}"),
    }
    drive::finish(
        &mut state,
        id,
        loaded(vec![notify(), build()], vec![rule()]),
    );
    state
}

fn loaded(triggers: Vec<Trigger>, rules: Vec<Rule>) -> JobOutput {
    integrations(IntegrationsOutput::Loaded {
        repository: "shop".into(),
        triggers: Triggers {
            configuration_id: "cfg-1".into(),
            triggers,
        },
        rules: Ok(rules),
    })
}

fn render(state: &State, width: u16, height: u16) -> String {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let view = View {
        keymap: &config.keymap,
        theme: &config.theme,
        now: 1_795_640_088,
    };
    terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
    terminal.backend().to_string()
}

fn confirm_message(state: &State) -> String {
    match state.overlays.last() {
        Some(Overlay::Confirm { message, .. }) => message.clone(),
        other => panic!("expected a confirmation, got {other:?}"),
    }
}

/// Says yes and starts the change; returns its id and request.
fn yes(state: &mut State) -> (JobId, JobRequest) {
    let effects = press(state, CommandId::Yes);
    drive::one(state, &effects)
}

#[test]
fn the_screen_lists_triggers_rules_and_the_last_test() {
    let mut state = opened(false);
    let effects = press(&mut state, CommandId::IntegrationsTest);
    let (id, request) = drive::one(&mut state, &effects);
    assert!(matches!(
        request,
        JobRequest::Integrations(IntegrationsRequest::TestTriggers { ref triggers, .. })
            if triggers.len() == 2
    ));
    let effects = drive::finish(
        &mut state,
        id,
        integrations(IntegrationsOutput::Tested(TestReport {
            succeeded: vec!["notify".into()],
            failed: vec![(
                "build".into(),
                "Could not invoke the AWS Lambda function: it does not exist.".into(),
            )],
        })),
    );
    assert!(
        drive::requests(&effects).is_empty(),
        "a test changes nothing: no new read"
    );
    assert_eq!(
        state.integrations.message.as_deref(),
        Some("Test: 1 succeeded, 1 failed.")
    );
    insta::assert_snapshot!(render(&state, 130, 30));
}

#[test]
fn a_new_trigger_is_checked_as_typed_shown_and_sent_with_the_others() {
    let mut state = opened(false);
    press(&mut state, CommandId::IntegrationsNew);
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!("no form: {:?}", state.overlays.last());
    };
    assert_eq!(
        form.fields[0].error.as_deref(),
        Some("Give the trigger a name.")
    );
    type_text(&mut state, "notify");
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!()
    };
    assert!(
        form.fields[0].error.as_deref().unwrap().contains("already"),
        "{:?}",
        form.fields[0]
    );
    clear_field(&mut state);
    type_text(&mut state, "audit");
    press(&mut state, CommandId::NextField);
    type_text(&mut state, "arn:aws:sqs:eu-west-1:111122223333:queue");
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!()
    };
    assert!(
        form.fields[1]
            .error
            .as_deref()
            .unwrap()
            .contains("SNS or Lambda")
    );
    // Enter on a bad form sends nothing and goes to the bad field.
    assert!(drive::requests(&press(&mut state, CommandId::Accept)).is_empty());
    assert!(matches!(state.overlays.last(), Some(Overlay::Form(_))));
    clear_field(&mut state);
    type_text(&mut state, "arn:aws:sns:eu-west-1:111122223333:audit");
    press(&mut state, CommandId::NextField);
    clear_field(&mut state);
    type_text(&mut state, "createReference, deleteReference");
    press(&mut state, CommandId::NextField);
    type_text(&mut state, "main, release/1");
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!()
    };
    assert!(form.valid(), "{form:?}");
    assert!(drive::requests(&press(&mut state, CommandId::Accept)).is_empty());
    let message = confirm_message(&state);
    assert!(
        message.contains("PutRepositoryTriggers on shop with 3 trigger(s)"),
        "{message}"
    );
    assert!(
        message.contains("arn:aws:sns:eu-west-1:111122223333:audit"),
        "{message}"
    );
    assert!(message.contains("main, release/1"), "{message}");
    let (id, request) = yes(&mut state);
    let JobRequest::Integrations(IntegrationsRequest::PutTriggers { triggers, .. }) = request
    else {
        panic!("{request:?}");
    };
    assert_eq!(triggers.len(), 3);
    assert_eq!(triggers[0], notify());
    assert_eq!(
        triggers[2].events,
        vec!["createReference", "deleteReference"]
    );
    assert_eq!(triggers[2].branches, vec!["main", "release/1"]);
    // While it runs, another change waits.
    press(&mut state, CommandId::IntegrationsDelete);
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
    press(&mut state, CommandId::Close);
    let effects = drive::finish(
        &mut state,
        id,
        integrations(IntegrationsOutput::TriggersPut {
            repository: "shop".into(),
            configuration_id: "cfg-2".into(),
            triggers,
        }),
    );
    let reads = drive::requests(&effects);
    assert!(
        matches!(
            reads.as_slice(),
            [JobRequest::Integrations(IntegrationsRequest::Load { .. })]
        ),
        "the lists are read again: {reads:?}"
    );
}

#[test]
fn deleting_a_trigger_sends_the_rest_and_deleting_a_rule_names_it() {
    let mut state = opened(false);
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::IntegrationsDelete);
    let message = confirm_message(&state);
    assert!(
        message.contains("with the 1 other trigger(s): build"),
        "{message}"
    );
    // No: nothing is sent.
    assert!(drive::requests(&press(&mut state, CommandId::No)).is_empty());
    press(&mut state, CommandId::IntegrationsDelete);
    let (_, request) = yes(&mut state);
    let JobRequest::Integrations(IntegrationsRequest::PutTriggers { triggers, .. }) = request
    else {
        panic!("{request:?}");
    };
    assert_eq!(triggers, vec![notify()]);

    let mut state = opened(false);
    press(&mut state, CommandId::IntegrationsNextSection);
    assert_eq!(state.integrations.section, IntegrationsSection::Rules);
    press(&mut state, CommandId::IntegrationsDelete);
    assert!(
        confirm_message(&state).contains("DeleteNotificationRule arn:aws:codestar-notifications")
    );
    let (_, request) = yes(&mut state);
    assert!(matches!(
        request,
        JobRequest::Integrations(IntegrationsRequest::DeleteRule { ref name, .. }) if name == "shop-prs"
    ));
}

#[test]
fn a_new_rule_takes_short_event_names_and_an_sns_topic() {
    let mut state = opened(false);
    press(&mut state, CommandId::IntegrationsNextSection);
    press(&mut state, CommandId::IntegrationsNew);
    type_text(&mut state, "shop branches");
    press(&mut state, CommandId::NextField);
    clear_field(&mut state);
    type_text(&mut state, "branches-and-tags-created, no-such-event");
    let Some(Overlay::Form(form)) = state.overlays.last() else {
        panic!()
    };
    assert!(
        form.fields[1]
            .error
            .as_deref()
            .unwrap()
            .contains("no-such-event")
    );
    clear_field(&mut state);
    type_text(&mut state, "branches-and-tags-created, pull-request-merged");
    press(&mut state, CommandId::NextField);
    type_text(&mut state, "arn:aws:sns:eu-west-1:111122223333:branches");
    press(&mut state, CommandId::Accept);
    let message = confirm_message(&state);
    assert!(message.contains(&format!("resource: {ARN}")), "{message}");
    let (_, request) = yes(&mut state);
    let JobRequest::Integrations(IntegrationsRequest::CreateRule { rule, .. }) = request else {
        panic!("{request:?}");
    };
    assert_eq!(
        rule.events,
        vec![
            "codecommit-repository-branches-and-tags-created",
            "codecommit-repository-pull-request-merged"
        ]
    );
    assert_eq!(rule.topic, "arn:aws:sns:eu-west-1:111122223333:branches");
    assert!(rule.full_detail);
}

#[test]
fn readonly_refuses_every_change_and_still_shows_the_lists() {
    let mut state = opened(true);
    assert_eq!(state.integrations.trigger_rows().len(), 2);
    for id in [
        CommandId::IntegrationsNew,
        CommandId::IntegrationsDelete,
        CommandId::IntegrationsTest,
    ] {
        let effects = press(&mut state, id);
        assert!(drive::requests(&effects).is_empty(), "{id:?}");
        assert!(
            matches!(state.overlays.last(), Some(Overlay::Error { message, .. }) if message.contains("read-only")),
            "{id:?}: {:?}",
            state.overlays.last()
        );
        press(&mut state, CommandId::Close);
    }
    assert!(matches!(state.overlays.last(), Some(Overlay::Integrations)));
}

#[test]
fn a_failed_change_is_shown_and_the_lists_are_read_again() {
    let mut state = opened(false);
    press(&mut state, CommandId::IntegrationsDelete);
    let (id, _) = yes(&mut state);
    let effects = drive::fail(
        &mut state,
        id,
        "InvalidRepositoryTriggerRegionException: no",
    );
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Integrations(IntegrationsRequest::Load { .. })]
    ));
}
