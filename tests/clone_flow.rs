//! The clone flow in `update()`: marking, the dialog, bulk jobs, questions asked mid-way, and
//! what a finished clone changes. Pure state tests; the clone itself is tested in git_clone*.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::{InputPurpose, Overlay};
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::aws::repos::Repository;
use cctui::config::{CloneProtocol, Config};
use cctui::jobs::{CloneJob, CloneNeed, CloneOutput, JobId, JobOutput, JobRequest, ReposOutput};
use cctui::model::RepoKey;

#[path = "support/app.rs"]
mod drive;
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn loaded() -> State {
    let mut state = State::new(Session {
        region: Some("eu-west-1".into()),
        ..Session::default()
    });
    state.cloning.workspace_root = PathBuf::from("/home/dev/codecommit");
    let effects = update(&mut state, Action::Command(CommandId::Refresh));
    let (listing, _) = drive::one(&mut state, &effects);
    let repositories = ["alpha", "beta", "gamma"]
        .map(|name| {
            let repo = Repository {
                name: name.into(),
                clone_url_http: format!(
                    "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"
                ),
                clone_url_ssh: format!(
                    "ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/{name}"
                ),
                ..Repository::default()
            };
            (repo, None)
        })
        .to_vec();
    let output = JobOutput::Repos(ReposOutput::RepositoryBatch {
        target: state.session.target(),
        repositories,
    });
    drive::output(&mut state, listing, output);
    state
}

fn press(state: &mut State, id: CommandId) -> Vec<Effect> {
    update(state, Action::Command(id))
}

fn clone_jobs(effects: &[Effect]) -> Vec<CloneJob> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Spawn { request, .. } => match request.as_ref() {
                JobRequest::Clone(job) => Some((**job).clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn render(state: &State) -> String {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    let view = View {
        keymap: &config.keymap,
        theme: &config.theme,
        now: 0,
    };
    terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn clone_one_with_the_default_protocol_and_target() {
    let mut state = loaded();
    press(&mut state, CommandId::CloneRepository);
    insta::assert_snapshot!(render(&state));
    press(&mut state, CommandId::OptionNext);
    let effects = press(&mut state, CommandId::Accept);
    let jobs = clone_jobs(&effects);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].repository, "alpha");
    assert_eq!(jobs[0].protocol, CloneProtocol::HttpsGit);
    assert_eq!(jobs[0].path, PathBuf::from("/home/dev/codecommit/alpha"));
    assert!(state.overlays.is_empty());
}

#[test]
fn bulk_clone_of_the_marked_repositories_each_into_its_own_directory() {
    let mut state = loaded();
    press(&mut state, CommandId::ToggleMark);
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::ToggleMark);
    press(&mut state, CommandId::CloneRepository);
    for _ in 0.."codecommit".len() {
        update(&mut state, Action::Backspace);
    }
    for c in "src".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    let jobs = clone_jobs(&press(&mut state, CommandId::Accept));
    let paths: Vec<_> = jobs.iter().map(|j| j.path.clone()).collect();
    assert_eq!(
        paths,
        vec![
            PathBuf::from("/home/dev/src/alpha"),
            PathBuf::from("/home/dev/src/gamma")
        ]
    );
    assert!(state.repos.marked.is_empty(), "marks are spent");
}

#[test]
fn a_clone_that_needs_a_login_asks_then_retries_with_it_kept_in_memory() {
    let mut state = loaded();
    press(&mut state, CommandId::CloneRepository);
    press(&mut state, CommandId::OptionNext);
    let effects = press(&mut state, CommandId::Accept);
    let first = clone_jobs(&effects).remove(0);
    let (id, _) = drive::one(&mut state, &effects);
    let needs = JobOutput::Clone(CloneOutput::Needs {
        job: Box::new(first),
        need: CloneNeed::Login,
    });
    drive::finish(&mut state, id, needs);
    assert!(
        state.jobs.iter().all(|j| j.id != id),
        "the asking job leaves no row"
    );
    assert!(matches!(
        state.overlays.last(),
        Some(Overlay::Input {
            purpose: InputPurpose::GitUsername { .. },
            masked: false,
            ..
        })
    ));
    for c in "dev-at-123".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    press(&mut state, CommandId::Accept);
    assert!(matches!(
        state.overlays.last(),
        Some(Overlay::Input {
            purpose: InputPurpose::GitPassword { .. },
            masked: true,
            ..
        })
    ));
    for c in "s3cret!".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    let screen = render(&state);
    assert!(
        !screen.contains("s3cret"),
        "a password overlay shows bullets:\n{screen}"
    );
    let retry = clone_jobs(&press(&mut state, CommandId::Accept)).remove(0);
    let (user, password) = retry.login.clone().unwrap();
    assert_eq!(
        (user.as_str(), password.expose().as_str()),
        ("dev-at-123", "s3cret!")
    );
    assert!(
        !format!("{state:?}").contains("s3cret"),
        "state Debug must redact the password"
    );

    // The next clone on the same host reuses the login without asking.
    press(&mut state, CommandId::Down);
    press(&mut state, CommandId::CloneRepository);
    press(&mut state, CommandId::OptionNext);
    let next = clone_jobs(&press(&mut state, CommandId::Accept)).remove(0);
    assert_eq!(next.login.map(|(u, _)| u).as_deref(), Some("dev-at-123"));
}

#[test]
fn an_unknown_ssh_host_asks_for_trust_with_the_fingerprint() {
    let mut state = loaded();
    press(&mut state, CommandId::CloneRepository);
    press(&mut state, CommandId::OptionPrev);
    let effects = press(&mut state, CommandId::Accept);
    let first = clone_jobs(&effects).remove(0);
    let (id, _) = drive::one(&mut state, &effects);
    assert_eq!(first.protocol, CloneProtocol::Ssh);
    let need = CloneNeed::TrustHost {
        host: "git-codecommit.eu-west-1.amazonaws.com".into(),
        fingerprint: "SHA256:abc".into(),
    };
    drive::finish(
        &mut state,
        id,
        JobOutput::Clone(CloneOutput::Needs {
            job: Box::new(first),
            need,
        }),
    );
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!()
    };
    assert!(message.contains("SHA256:abc"));
    let retry = clone_jobs(&press(&mut state, CommandId::Yes)).remove(0);
    assert_eq!(retry.trusted_fingerprint.as_deref(), Some("SHA256:abc"));
}

#[test]
fn a_finished_clone_marks_the_row_and_opens_the_repository() {
    let mut state = loaded();
    let output = JobOutput::Clone(CloneOutput::Cloned {
        key: RepoKey::new(None, "eu-west-1", "beta"),
        repository: "beta".into(),
        path: "/home/dev/codecommit/beta".into(),
        note: None,
    });
    drive::finish(&mut state, JobId(99), output);
    let row = state
        .repos
        .rows
        .iter()
        .find(|r| r.repo.name == "beta")
        .unwrap();
    assert_eq!(
        row.clone.as_deref(),
        Some(std::path::Path::new("/home/dev/codecommit/beta"))
    );
    assert_eq!(
        state.open_repo.as_ref().map(|r| r.name.as_str()),
        Some("beta")
    );
}

#[test]
fn readonly_refuses_clone() {
    let mut state = loaded();
    state.session.readonly = true;
    press(&mut state, CommandId::CloneRepository);
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
}

#[test]
fn clone_by_url_accepts_the_three_forms_and_explains_bad_ones() {
    use cctui::app::clone_update::parse_clone_url;
    let mut state = loaded();
    state.session.profile = Some("dev".into());
    let (source, protocol) = parse_clone_url(&state, "codecommit::us-east-2://ops@infra").unwrap();
    assert_eq!(protocol, CloneProtocol::HttpsIam);
    assert_eq!(source.repository, "infra");
    assert_eq!(source.target.profile.as_deref(), Some("ops"));
    assert_eq!(
        source.url_http,
        "https://git-codecommit.us-east-2.amazonaws.com/v1/repos/infra"
    );

    let (source, _) = parse_clone_url(&state, "codecommit://app").unwrap();
    assert_eq!(
        source.target.region.as_deref(),
        Some("eu-west-1"),
        "region of the session"
    );
    assert_eq!(source.target.profile.as_deref(), Some("dev"));

    state.session.endpoint = Some("http://127.0.0.1:4510".into());
    let (source, _) = parse_clone_url(&state, "codecommit://app").unwrap();
    assert_eq!(
        source.url_http, "http://127.0.0.1:4510/v1/repos/app",
        "a custom endpoint serves git too"
    );

    let (source, protocol) = parse_clone_url(
        &state,
        "ssh://git-codecommit.eu-west-3.amazonaws.com/v1/repos/web",
    )
    .unwrap();
    assert_eq!(
        (protocol, source.repository.as_str()),
        (CloneProtocol::Ssh, "web")
    );
    assert_eq!(source.target.region.as_deref(), Some("eu-west-3"));

    let (_, protocol) = parse_clone_url(&state, "https://git.example.com/team/tool.git").unwrap();
    assert_eq!(
        protocol,
        CloneProtocol::HttpsGit,
        "not CodeCommit: git credentials"
    );

    for bad in ["codecommit://", "ftp://x/y", "just words", "https://host/"] {
        assert!(parse_clone_url(&state, bad).is_err(), "{bad} accepted");
    }

    // Through the UI: C, type, enter → the dialog for that URL → jobs with the URL.
    update(&mut state, Action::Command(CommandId::CloneUrl));
    for c in "codecommit://payments".chars() {
        update(&mut state, Action::TypeChar(c));
    }
    press(&mut state, CommandId::Accept);
    assert!(matches!(
        state.overlays.last(),
        Some(Overlay::CloneDialog { .. })
    ));
    let job = clone_jobs(&press(&mut state, CommandId::Accept)).remove(0);
    assert_eq!(job.repository, "payments");
    assert_eq!(job.url_http, "http://127.0.0.1:4510/v1/repos/payments");
    assert_eq!(job.path, PathBuf::from("/home/dev/codecommit/payments"));
}

#[test]
fn a_clone_with_a_dangling_head_and_no_default_asks_which_branch_to_check_out() {
    let mut state = loaded();
    let output = JobOutput::Clone(CloneOutput::ChooseBranch {
        key: RepoKey::new(None, "eu-west-1", "beta"),
        repository: "beta".into(),
        path: "/home/dev/codecommit/beta".into(),
        branches: vec!["develop".into(), "release".into()],
    });
    drive::finish(&mut state, JobId(41), output);
    let Some(Overlay::Picker { title, items, .. }) = state.overlays.last() else {
        panic!("{:?}", state.overlays)
    };
    assert!(title.contains("beta"), "{title}");
    assert_eq!(items.len(), 2);
    press(&mut state, CommandId::Down);
    let effects = press(&mut state, CommandId::Accept);
    let requests = drive::requests(&effects);
    assert!(
        matches!(requests.as_slice(), [JobRequest::Branch { repo, op: cctui::jobs::BranchOp::CheckoutRemote(b) }] if b == "release" && repo == std::path::Path::new("/home/dev/codecommit/beta")),
        "{requests:?}"
    );
}
