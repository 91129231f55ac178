//! The permissions view (`K`) through `update` and on screen: it asks IAM about the open
//! clone's repository and current branch for the caller (an assumed role as its role), shows
//! each action's verdict, marks the commands IAM would refuse in the footer, and when the
//! caller may not simulate says so and lists the denials this session met.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/app.rs"]
mod drive;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::overlay::Overlay;
use cctui::app::state::{OpenRepo, Pane, Session, State};
use cctui::app::update::update;
use cctui::aws::identity::{Identity, IdentityKind};
use cctui::aws::permissions::{Decision, Verdict};
use cctui::config::Config;
use cctui::jobs::{AccessOutput, AccessRequest, JobEvent, JobFailure, JobOutput, JobRequest};
use cctui::model::RepoKey;
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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

fn state(arn: &str) -> State {
    let mut state = State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    });
    state.open_repo = Some(OpenRepo {
        name: "shop".into(),
        path: "/work/shop".into(),
        codecommit: Some(RepoKey::new(Some("dev".into()), "eu-west-1", "shop")),
        origin_url: None,
    });
    state.status.status = Some(cctui::git::status::Status {
        staged: Vec::new(),
        unstaged: Vec::new(),
        untracked: Vec::new(),
        conflicted: Vec::new(),
        branch: Some("master".into()),
        detached: false,
        unborn: false,
        state: cctui::git::status::RepoState::Clean,
    });
    state.focus = Pane::Status;
    state.access.identity = Some(Identity {
        account: "111122223333".into(),
        arn: arn.into(),
        kind: IdentityKind::User {
            name: "carol".into(),
        },
    });
    state.access.identity_for = Some(state.session.target());
    state
}

fn decision(action: &str, verdict: Verdict) -> Decision {
    Decision {
        action: action.into(),
        verdict,
        statements: if verdict == Verdict::ExplicitDeny {
            vec!["protect-master".into()]
        } else {
            Vec::new()
        },
    }
}

#[test]
fn the_view_asks_about_the_branch_and_the_footer_marks_what_is_denied() {
    let mut s = state("arn:aws:iam::111122223333:user/carol");
    let effects = update(&mut s, Action::Command(CommandId::OpenPermissions));
    let (id, request) = drive::one(&mut s, &effects);
    match &request {
        JobRequest::Access(AccessRequest::Permissions {
            principal,
            repository_arn,
            branch,
            ..
        }) => {
            assert_eq!(principal, "arn:aws:iam::111122223333:user/carol");
            assert_eq!(
                repository_arn,
                "arn:aws:codecommit:eu-west-1:111122223333:shop"
            );
            assert_eq!(branch, "master");
        }
        other => panic!("{other:?}"),
    }
    drive::finish(
        &mut s,
        id,
        JobOutput::Access(AccessOutput::Permissions(vec![
            decision("GitPull", Verdict::Allowed),
            decision("GitPush", Verdict::ExplicitDeny),
            decision("DeleteBranch", Verdict::ExplicitDeny),
            decision("DeleteRepository", Verdict::ImplicitDeny),
        ])),
    );
    let screen = render(&s, 100, 30);
    assert!(screen.contains("GitPush"), "{screen}");
    assert!(screen.contains("denied by protect-master"), "{screen}");
    insta::assert_snapshot!("permissions_view", screen);
    // Closed: the status pane's footer marks push, not fetch.
    update(&mut s, Action::Command(CommandId::Close));
    assert!(s.overlays.is_empty());
    let screen = render(&s, 140, 20);
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("push ✗"), "{footer}");
    assert!(
        footer.contains("fetch ") && !footer.contains("fetch ✗"),
        "{footer}"
    );
}

#[test]
fn an_assumed_role_is_asked_about_as_its_role_and_a_refusal_falls_back_to_denials_seen() {
    let mut s = state("arn:aws:sts::111122223333:assumed-role/Developer/carol");
    // A push refused earlier this session.
    let push = JobRequest::Remote(Box::new(cctui::jobs::RemoteJob {
        repo: "/work/shop".into(),
        op: cctui::jobs::RemoteOp::Fetch,
        target: s.session.target(),
        answers: Default::default(),
    }));
    let (push_id, effect) = s.request(push);
    drive::start_all(&mut s, &[effect]);
    drive::report(
        &mut s,
        push_id,
        JobEvent::Finished(Err(JobFailure::new(
            "Access denied for codecommit:GitPull: not authorized",
            None,
        ))),
    );
    let effects = update(&mut s, Action::Command(CommandId::OpenPermissions));
    let (id, request) = drive::one(&mut s, &effects);
    let JobRequest::Access(AccessRequest::Permissions { principal, .. }) = request else {
        panic!("{request:?}");
    };
    assert_eq!(principal, "arn:aws:iam::111122223333:role/Developer");
    drive::report(
        &mut s,
        id,
        JobEvent::Finished(Err(JobFailure::new(
            "Access denied for iam:SimulatePrincipalPolicy: User is not authorized",
            None,
        ))),
    );
    assert!(matches!(s.overlays.last(), Some(Overlay::Permissions)));
    let screen = render(&s, 100, 30);
    assert!(screen.contains("You may not ask IAM"), "{screen}");
    assert!(
        screen.contains("codecommit:GitPull"),
        "the denial seen is listed: {screen}"
    );
}
