//! The access screen through `update` (pure): every write asks first, `--readonly` refuses,
//! a new git password is shown once and then gone, roles are told why; the header's identity;
//! and TestBackend snapshots of the screen with stable data.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/app.rs"]
mod drive;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::Effect;
use cctui::app::overlay::Overlay;
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::aws::git_credentials::{GitCredential, NewGitCredential};
use cctui::aws::identity::Identity;
use cctui::aws::ssh_keys::SshKey;
use cctui::config::Config;
use cctui::git::credential_setup::HelperStatus;
use cctui::jobs::{AccessOutput, AccessRequest, JobId, JobOutput, JobRequest, ReposOutput};
use cctui::secret::SecretString;
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn session() -> Session {
    Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    }
}

fn press(state: &mut State, id: CommandId) -> Vec<Effect> {
    update(state, Action::Command(id))
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        update(state, Action::TypeChar(c));
    }
}

fn alice() -> Identity {
    Identity::from_arn("123456789012", "arn:aws:iam::123456789012:user/alice")
}

fn keys() -> Vec<SshKey> {
    vec![
        SshKey {
            id: "APKAEIBAERJR2EXAMPLE".into(),
            active: true,
            uploaded: "2026-11-30 09:12".into(),
            fingerprint: "SHA256:3bJk0hq1Xzq7rX1jSxwG0nV0yX4o2sGdqZ1m0m6L1mE".into(),
        },
        SshKey {
            id: "APKAOLDKEY0000000002".into(),
            active: false,
            uploaded: "2025-02-01 17:40".into(),
            fingerprint: String::new(),
        },
    ]
}

fn credential() -> GitCredential {
    GitCredential {
        id: "ACCAQEXAMPLE1234567".into(),
        user_name: "alice-at-123456789012".into(),
        active: true,
        created: "2026-11-30 09:15".into(),
    }
}

fn helpers(list: &[&str]) -> HelperStatus {
    let helpers: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    HelperStatus {
        caching: helpers
            .iter()
            .filter(|h| cctui::git::credential_setup::is_caching(h))
            .cloned()
            .collect(),
        routed: false,
        use_http_path: false,
        default_helpers: helpers.clone(),
        helpers,
    }
}

/// Opens the screen and answers its overview read.
fn opened(state: &mut State, who: Identity, status: HelperStatus) {
    let effects = press(state, CommandId::OpenAccess);
    assert!(matches!(state.overlays.last(), Some(Overlay::Access)));
    let (id, request) = drive::one(state, &effects);
    assert!(matches!(
        request,
        JobRequest::Access(AccessRequest::Overview { ref scope, .. })
            if scope == "https://git-codecommit.*.amazonaws.com"
    ));
    let user = who.user_name().is_some();
    drive::finish(
        state,
        id,
        JobOutput::Access(AccessOutput::Overview {
            identity: who,
            ssh_keys: user.then(|| Ok(keys())),
            git_credentials: user.then(|| Ok(vec![credential()])),
            helpers: Ok(status),
        }),
    );
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

#[test]
fn the_screen_shows_who_you_are_and_the_three_methods() {
    let mut state = State::new(session());
    opened(&mut state, alice(), helpers(&["osxkeychain"]));
    assert_eq!(state.session.account_id.as_deref(), Some("123456789012"));
    insta::assert_snapshot!(render(&state, 130, 34));
}

#[test]
fn a_role_is_told_to_use_https_with_iam() {
    let mut state = State::new(session());
    let role = Identity::from_arn(
        "123456789012",
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Developer_abc123/bob",
    );
    opened(&mut state, role, helpers(&[]));
    let screen = render(&state, 130, 30);
    assert!(
        screen.contains("Roles, SSO and federated identities cannot own SSH keys"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    // n on the SSH section explains instead of asking for a passphrase.
    let effects = press(&mut state, CommandId::AccessNew);
    assert!(effects.is_empty());
    let Some(Overlay::Error { message, hint }) = state.overlays.last() else {
        panic!("{:?}", state.overlays.last())
    };
    assert!(
        message.contains("assumed role (IAM Identity Center / SSO)"),
        "{message}"
    );
    assert!(
        hint.as_deref()
            .unwrap_or_default()
            .contains("HTTPS with IAM")
    );
}

#[test]
fn a_new_key_asks_for_a_passphrase_twice_then_confirms_before_anything_is_written() {
    let mut state = State::new(session());
    opened(&mut state, alice(), helpers(&[]));
    assert!(press(&mut state, CommandId::AccessNew).is_empty());
    let Some(Overlay::Input { masked: true, .. }) = state.overlays.last() else {
        panic!("a masked passphrase input")
    };
    type_text(&mut state, "hunter22");
    assert!(press(&mut state, CommandId::Accept).is_empty());
    type_text(&mut state, "hunter23");
    assert!(
        press(&mut state, CommandId::Accept).is_empty(),
        "no key for a mismatch"
    );
    assert!(
        matches!(state.overlays.last(), Some(Overlay::Error { message, .. }) if message.contains("differ"))
    );
    press(&mut state, CommandId::Close);

    press(&mut state, CommandId::AccessNew);
    type_text(&mut state, "hunter22");
    press(&mut state, CommandId::Accept);
    type_text(&mut state, "hunter22");
    assert!(
        press(&mut state, CommandId::Accept).is_empty(),
        "asks before writing"
    );
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!("a confirmation")
    };
    assert!(message.contains("~/.ssh/codecommit_alice_rsa"), "{message}");
    assert!(message.contains("with your passphrase"));
    let effects = press(&mut state, CommandId::Yes);
    let (id, request) = drive::one(&mut state, &effects);
    let JobRequest::Access(AccessRequest::NewSshKey {
        user,
        passphrase,
        host_pattern,
        ..
    }) = request
    else {
        panic!("{request:?}")
    };
    assert_eq!(user, "alice");
    assert_eq!(passphrase.unwrap().expose(), "hunter22");
    assert_eq!(host_pattern, "git-codecommit.*.amazonaws.com");

    // Uploaded: the exact Host block is shown and asked about; the list is read again.
    let lines: Vec<String> = [
        "Host git-codecommit.*.amazonaws.com",
        "  User APKANEWKEY0000000003",
        "  IdentityFile ~/.ssh/codecommit_alice_rsa",
        "  IdentitiesOnly yes",
    ]
    .map(String::from)
    .to_vec();
    let effects = drive::finish(
        &mut state,
        id,
        JobOutput::Access(AccessOutput::SshKeyUploaded {
            key: SshKey {
                id: "APKANEWKEY0000000003".into(),
                active: true,
                uploaded: "2026-12-01 12:00".into(),
                fingerprint: "SHA256:new".into(),
            },
            pair: cctui::git::ssh_setup::KeyPair {
                private: "/home/alice/.ssh/codecommit_alice_rsa".into(),
                public: "/home/alice/.ssh/codecommit_alice_rsa.pub".into(),
                public_key: "ssh-rsa AAAA alice@cctui".into(),
                fingerprint: "SHA256:new".into(),
            },
            host_block: lines.clone(),
        }),
    );
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Access(AccessRequest::Overview { .. })]
    ));
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!("the Host block is asked about")
    };
    assert!(message.contains(&lines.join("\n")), "{message}");
    assert!(message.contains("cctui-backup"));
    let effects = press(&mut state, CommandId::Yes);
    let (id, request) = drive::one(&mut state, &effects);
    assert_eq!(
        request,
        JobRequest::Access(AccessRequest::WriteSshConfig { home: None, lines })
    );
    drive::finish(
        &mut state,
        id,
        JobOutput::Access(AccessOutput::ConfigWritten {
            written: cctui::git::ssh_setup::ConfigWritten {
                file: "/home/alice/.ssh/config".into(),
                backup: Some("/home/alice/.ssh/config.cctui-backup-20261201T120000Z".into()),
            },
            ssh: true,
        }),
    );
    assert!(
        state
            .access
            .message
            .as_deref()
            .unwrap()
            .contains("cctui-backup")
    );
    // Then the test is offered; yes opens the repository picker (none listed: a notice).
    assert!(
        matches!(state.overlays.last(), Some(Overlay::Confirm { title, .. }) if title.contains("Test SSH"))
    );
    assert!(press(&mut state, CommandId::Yes).is_empty());
    assert!(state.notice.as_deref().unwrap().contains("list them first"));
}

#[test]
fn readonly_refuses_every_change_and_still_shows_the_screen() {
    let mut state = State::new(Session {
        readonly: true,
        ..session()
    });
    opened(&mut state, alice(), helpers(&[]));
    for id in [
        CommandId::AccessNew,
        CommandId::AccessToggle,
        CommandId::AccessDelete,
        CommandId::AccessReset,
    ] {
        let effects = press(&mut state, id);
        assert!(effects.is_empty(), "{id:?}");
        assert!(
            matches!(state.overlays.last(), Some(Overlay::Error { message, .. }) if message.contains("read-only")),
            "{id:?}"
        );
        press(&mut state, CommandId::Close);
    }
    // Reading is fine.
    let effects = press(&mut state, CommandId::AccessRefresh);
    assert_eq!(drive::requests(&effects).len(), 1);
}

#[test]
fn delete_and_reset_ask_first_and_toggle_flips_the_status() {
    let mut state = State::new(session());
    opened(&mut state, alice(), helpers(&[]));
    // SSH section: the second key is inactive; toggling it activates.
    press(&mut state, CommandId::Down);
    let effects = press(&mut state, CommandId::AccessToggle);
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Access(AccessRequest::SetSshKeyActive { id, active: true, .. })] if id == "APKAOLDKEY0000000002"
    ));
    assert!(press(&mut state, CommandId::AccessDelete).is_empty());
    let effects = press(&mut state, CommandId::Yes);
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Access(AccessRequest::DeleteSshKey { id, .. })] if id == "APKAOLDKEY0000000002"
    ));
    // HTTPS section: reset asks; no cancels.
    press(&mut state, CommandId::AccessNextSection);
    assert!(press(&mut state, CommandId::AccessReset).is_empty());
    assert!(press(&mut state, CommandId::No).is_empty());
    assert!(matches!(state.overlays.last(), Some(Overlay::Access)));
    press(&mut state, CommandId::AccessReset);
    let effects = press(&mut state, CommandId::Yes);
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Access(AccessRequest::ResetGitCredential { id, .. })] if id == "ACCAQEXAMPLE1234567"
    ));
}

#[test]
fn a_new_password_is_shown_once_handed_to_git_on_request_then_gone() {
    let mut state = State::new(session());
    opened(&mut state, alice(), helpers(&["store"]));
    press(&mut state, CommandId::AccessNextSection);
    assert!(
        press(&mut state, CommandId::AccessNew).is_empty(),
        "asks first"
    );
    let effects = press(&mut state, CommandId::Yes);
    let (id, request) = drive::one(&mut state, &effects);
    assert!(matches!(
        request,
        JobRequest::Access(AccessRequest::CreateGitCredential { ref user, .. }) if user == "alice"
    ));
    let password = "Yx9+pA5/secretpassword=";
    drive::finish(
        &mut state,
        id,
        JobOutput::Access(AccessOutput::GitCredentialIssued(Box::new(
            NewGitCredential {
                credential: credential(),
                password: SecretString::new(password.into()),
            },
        ))),
    );
    let screen = render(&state, 130, 34);
    assert!(screen.contains(password), "shown once: {screen}");
    insta::assert_snapshot!(screen);

    let effects = press(&mut state, CommandId::AccessStorePassword);
    let (store, request) = drive::one(&mut state, &effects);
    let JobRequest::Access(AccessRequest::StoreGitCredential {
        url,
        username,
        password: handed,
        ..
    }) = request
    else {
        panic!("{request:?}")
    };
    assert_eq!(url, "https://git-codecommit.eu-west-1.amazonaws.com");
    assert_eq!(username, "alice-at-123456789012");
    assert_eq!(handed.expose(), password);
    // A second s while it runs sends nothing more.
    assert!(press(&mut state, CommandId::AccessStorePassword).is_empty());
    drive::finish(
        &mut state,
        store,
        JobOutput::Access(AccessOutput::GitCredentialStored {
            helpers: vec!["store".into()],
        }),
    );
    assert!(render(&state, 130, 34).contains("Given to store"));

    // Closed: the password is nowhere in the state, nor in the jobs strip.
    press(&mut state, CommandId::Close);
    assert!(matches!(state.overlays.last(), Some(Overlay::Access)));
    assert!(
        !state
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::GitPassword(_)))
    );
    assert!(state.jobs.iter().all(|j| !j.title.contains(password)));
    assert!(!render(&state, 130, 34).contains(password));
    assert!(!format!("{:?}", state.access).contains("secretpassword"));
}

#[test]
fn with_no_git_helper_the_password_is_only_shown() {
    let mut state = State::new(session());
    opened(&mut state, alice(), helpers(&[]));
    drive::finish(
        &mut state,
        JobId(999),
        JobOutput::Access(AccessOutput::GitCredentialIssued(Box::new(
            NewGitCredential {
                credential: credential(),
                password: SecretString::new("pw".into()),
            },
        ))),
    );
    assert!(render(&state, 130, 34).contains("git has no credential helper configured"));
    assert!(press(&mut state, CommandId::AccessStorePassword).is_empty());
    assert!(matches!(state.overlays.last(), Some(Overlay::Error { .. })));
}

#[test]
fn the_helper_setup_shows_the_lines_and_warns_about_caching_helpers() {
    let mut state = State::new(session());
    opened(&mut state, alice(), helpers(&["osxkeychain"]));
    press(&mut state, CommandId::AccessPrevSection);
    assert!(press(&mut state, CommandId::AccessNew).is_empty());
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!("asks first")
    };
    let lines = [
        "[credential \"https://git-codecommit.*.amazonaws.com\"]",
        "\thelper =",
        "\thelper = !cctui --profile dev credential-helper",
        "\tUseHttpPath = true",
    ];
    assert!(
        message.contains(&lines.join("\n").replace('\t', "    ")),
        "{message}"
    );
    assert!(message.contains("osxkeychain would cache"), "{message}");
    let effects = press(&mut state, CommandId::Yes);
    assert!(matches!(
        drive::requests(&effects).as_slice(),
        [JobRequest::Access(AccessRequest::WriteHelperConfig { lines: written, .. })] if written == &lines.map(String::from)
    ));
}

#[test]
fn the_header_shows_the_identity_once_a_listing_worked_and_errors_stay_quiet() {
    let mut state = State::new(session());
    state.repos.listing = Some(JobId(40));
    let effects = drive::finish(
        &mut state,
        JobId(40),
        JobOutput::Repos(ReposOutput::Listed { total: 0 }),
    );
    let (id, request) = drive::one(&mut state, &effects);
    assert!(matches!(
        request,
        JobRequest::Access(AccessRequest::Identity { .. })
    ));
    assert!(!request.visible(), "a quiet background read");
    drive::finish(
        &mut state,
        id,
        JobOutput::Access(AccessOutput::Identity(alice())),
    );
    let header = render(&state, 120, 10);
    assert!(
        header.lines().next().unwrap().contains("as alice"),
        "{header}"
    );

    // A profile switch forgets it; a failed read leaves it blank, with no overlay.
    press(&mut state, CommandId::PickProfile);
    state.repos.profiles = vec!["dev".into(), "prod".into()];
    cctui::app::repos_update::switch_context(
        &mut state,
        cctui::app::overlay::PickerPurpose::Profile,
        "prod".into(),
    );
    assert!(state.access.identity.is_none());
    state.overlays.clear();
    state.repos.listing = Some(JobId(41));
    let effects = drive::finish(
        &mut state,
        JobId(41),
        JobOutput::Repos(ReposOutput::Listed { total: 0 }),
    );
    let (id, _) = drive::one(&mut state, &effects);
    drive::fail(
        &mut state,
        id,
        "ExpiredToken: the security token has expired",
    );
    assert!(state.overlays.is_empty());
    assert!(
        !render(&state, 120, 10)
            .lines()
            .next()
            .unwrap()
            .contains("as ")
    );
}

#[test]
fn without_aws_setup_the_screen_says_what_is_missing_and_calls_nothing() {
    let mut state = State::new(Session::default());
    state.repos.setup = Some(cctui::aws::setup::SetupReport {
        no_credentials: true,
        no_region: true,
        ..cctui::aws::setup::SetupReport::default()
    });
    let effects = press(&mut state, CommandId::OpenAccess);
    assert!(
        drive::requests(&effects).is_empty(),
        "no STS call that could only wait for the instance metadata service: {effects:?}"
    );
    let screen = render(&state, 130, 34);
    assert!(screen.contains("AWS is not set up here yet"), "{screen}");
    assert!(screen.contains("there are no AWS credentials"), "{screen}");
    assert!(screen.contains("aws configure"), "{screen}");
    assert!(!screen.contains("IMDS"), "{screen}");
}
