//! An expired SSO session: the failed jobs offer `aws sso login`; cctui gives the terminal to it
//! and runs the failed jobs again under their ids. `update()` behaviour first, then the real
//! binary in a pseudo-terminal with a real expired SSO token cache and the SDK's own error.
#![allow(clippy::unwrap_used, clippy::panic)]

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::effect::{Effect, ForegroundPurpose};
use cctui::app::overlay::Overlay;
use cctui::app::state::{JobStatus, Session, State};
use cctui::app::update::update;
use cctui::jobs::{JobEvent, JobFailure, JobId, JobOutput, JobRequest, Remedy, ReposOutput};

#[path = "support/app.rs"]
mod drive;
#[path = "support/pty.rs"]
mod pty;

fn expired(profile: &str) -> JobFailure {
    let mut failure = JobFailure::new(
        format!("The SSO session for profile {profile} has expired."),
        None,
    );
    failure.remedy = Some(Remedy::SsoLogin {
        profile: Some(profile.into()),
    });
    failure
}

fn session() -> State {
    State::new(Session {
        profile: Some("dev".into()),
        region: Some("eu-west-1".into()),
        ..Session::default()
    })
}

/// A listing asked by `r`, and its id.
fn refresh(state: &mut State) -> (JobId, JobRequest) {
    let effects = update(state, Action::Command(CommandId::Refresh));
    drive::spawns(&effects)
        .into_iter()
        .find(|(_, r)| matches!(r, JobRequest::ListRepositories { .. }))
        .unwrap_or_else(|| panic!("no listing in {effects:?}"))
}

fn offers(state: &State) -> Vec<&Action> {
    state
        .overlays
        .iter()
        .filter_map(|o| match o {
            Overlay::Confirm { on_yes, .. } => Some(on_yes.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_expired_session_offers_the_login_once_and_runs_the_failed_reads_again_under_their_ids() {
    let mut state = session();
    // Two reads in flight when the session expires (here: a listing and the one that
    // replaced it); both fail.
    let (listing, request) = refresh(&mut state);
    drive::started(&mut state, listing, &request);
    let (second, second_request) = refresh(&mut state);
    drive::started(&mut state, second, &second_request);
    drive::report(&mut state, listing, JobEvent::Finished(Err(expired("dev"))));
    drive::report(&mut state, second, JobEvent::Finished(Err(expired("dev"))));

    // One offer for the profile, holding both failed reads.
    let offers = offers(&state);
    assert_eq!(offers.len(), 1, "{:?}", state.overlays);
    let Action::SsoLogin { profile, retry } = offers[0] else {
        panic!("{offers:?}")
    };
    assert_eq!(profile.as_deref(), Some("dev"));
    assert_eq!(
        retry.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![listing, second]
    );
    let Some(Overlay::Confirm { message, .. }) = state.overlays.last() else {
        panic!()
    };
    assert!(
        message.contains("`aws sso login --profile dev`"),
        "{message}"
    );

    // Yes: the login runs in the foreground.
    let effects = update(&mut state, Action::Command(CommandId::Yes));
    let [Effect::RunForeground(program)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(program.command_line(), "aws sso login --profile dev");
    assert!(state.overlays.is_empty());

    // It signed in: both reads run again under their ids, their rows running again.
    let effects = update(
        &mut state,
        Action::ForegroundEnded {
            purpose: program.purpose.clone(),
            outcome: Ok(()),
        },
    );
    let again = drive::spawns(&effects);
    assert_eq!(
        again,
        vec![(listing, request.clone()), (second, second_request.clone())]
    );
    for id in [listing, second] {
        let row = state.jobs.iter().find(|j| j.id == id).unwrap();
        assert_eq!(row.status, JobStatus::Running);
    }
    assert!(state.notice.as_deref().unwrap_or("").contains("Signed in"));

    // The newest listing's answer reaches the pane that still waits for it.
    let JobRequest::ListRepositories { targets } = &second_request else {
        panic!()
    };
    drive::finish(
        &mut state,
        second,
        JobOutput::Repos(ReposOutput::Listed { total: 0 }),
    );
    assert!(!state.repos.loading, "{targets:?}");
    let row = state.jobs.iter().find(|j| j.id == second);
    assert!(
        row.is_none_or(|r| r.retry.is_none()),
        "an ended job keeps no request"
    );
}

#[test]
fn a_failed_or_declined_login_runs_nothing_again() {
    let mut state = session();
    let (listing, request) = refresh(&mut state);
    drive::started(&mut state, listing, &request);
    drive::report(&mut state, listing, JobEvent::Finished(Err(expired("dev"))));
    // Declined: the offer closes, nothing runs.
    let effects = update(&mut state, Action::Command(CommandId::No));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(offers(&state).is_empty());

    // A later failure offers again; the login fails: an error says what to do, nothing runs.
    let (listing, request) = refresh(&mut state);
    drive::started(&mut state, listing, &request);
    drive::report(&mut state, listing, JobEvent::Finished(Err(expired("dev"))));
    let effects = update(&mut state, Action::Command(CommandId::Yes));
    let [Effect::RunForeground(program)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let ForegroundPurpose::SsoLogin { retry, .. } = &program.purpose else {
        panic!("{program:?}")
    };
    assert_eq!(retry.len(), 1);
    let effects = update(
        &mut state,
        Action::ForegroundEnded {
            purpose: program.purpose.clone(),
            outcome: Err("`aws` is not installed or not on PATH".into()),
        },
    );
    assert!(drive::spawns(&effects).is_empty());
    let Some(Overlay::Error { message, hint }) = state.overlays.last() else {
        panic!("{:?}", state.overlays)
    };
    assert!(message.contains("not installed"), "{message}");
    assert!(
        hint.as_deref()
            .unwrap_or("")
            .contains("aws sso login --profile dev")
    );
}

#[test]
fn a_failure_of_another_kind_offers_no_login() {
    let mut state = session();
    let (listing, request) = refresh(&mut state);
    drive::started(&mut state, listing, &request);
    drive::report(
        &mut state,
        listing,
        JobEvent::Finished(Err(JobFailure::new("Rate exceeded", None))),
    );
    assert!(offers(&state).is_empty());
}

/// The real binary, a profile whose SSO token expired (the SDK's own check, no network), and
/// an `aws` on PATH that records how it was called: the offer appears, `y` gives the terminal
/// to `aws sso login --profile dev`, cctui comes back and runs the listing again (which fails
/// again here, so the offer comes back), and quits cleanly.
#[test]
fn the_real_binary_runs_aws_sso_login_in_the_terminal_and_retries() {
    use sha1::Digest;
    let home = tempfile::tempdir().unwrap();
    let start_url = "https://example.awsapps.com/start";
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    // An SSO session profile (`aws configure sso`'s shape) whose cached token expired and has
    // no refresh token: the SDK refuses it locally, with no network.
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
             sso_role_name = Developer\nregion = eu-west-1\n\n[sso-session corp]\n\
             sso_start_url = {start_url}\nsso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n"
        ),
    )
    .unwrap();
    let cache_name = hex::encode(sha1::Sha1::digest(b"corp"));
    std::fs::write(
        home.path().join(format!(".aws/sso/cache/{cache_name}.json")),
        format!(
            r#"{{"startUrl":"{start_url}","region":"us-east-1","accessToken":"expired-token","expiresAt":"2020-01-01T00:00:00Z"}}"#
        ),
    )
    .unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let calls = home.path().join("aws-calls");
    let fake_aws = bin.join("aws");
    std::fs::write(
        &fake_aws,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\necho 'Successfully logged into Start URL'\n",
            calls.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake_aws, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut env = pty::bare_env(home.path());
    for (name, value) in env.iter_mut() {
        if name == "PATH" {
            *value = format!("{}:{value}", bin.display());
        }
    }
    let mut pty = pty::spawn_with(home, &env, &["--profile", "dev"], 120);
    pty.wait_for_screen("SSO session expired");
    pty.wait_for_screen("aws sso login --profile dev");
    // The header names the profile's region although no call has succeeded yet.
    pty.wait_for_screen("region eu-west-1");
    let before = pty.mark();
    pty.send(b"y");
    // The program ran with the terminal, then cctui came back and tried again.
    pty.wait_for_after(before, b"cctui comes back when it ends");
    pty.wait_for_after(before, b"Successfully logged into Start URL");
    pty.wait_for_screen("SSO session expired");
    let screen = pty.screen();
    assert!(
        !screen.contains("Successfully logged") && screen.contains("Repositories"),
        "the whole screen is repainted after the program: {screen}"
    );
    assert_eq!(
        std::fs::read_to_string(&calls).unwrap().trim(),
        "sso login --profile dev"
    );
    pty.send(b"n");
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}
