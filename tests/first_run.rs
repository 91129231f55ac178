//! The first screen a newcomer sees: the real binary in a pseudo-terminal with an empty HOME
//! and no AWS variables. It must say what is missing and how to get it, offer the demo, and
//! never trap the user in a modal (`?` helps, `q` quits with status 0).
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/pty.rs"]
mod pty;

use pty::{bare_env, spawn_with};

fn newcomer() -> pty::Pty {
    let home = tempfile::tempdir().unwrap();
    let env = bare_env(home.path());
    spawn_with(home, &env, &[], 120)
}

#[test]
fn with_no_aws_setup_the_screen_names_what_is_missing_and_the_demo_key() {
    let mut pty = newcomer();
    pty.wait_for_screen("No AWS credentials");
    pty.wait_for_screen("No AWS region");
    pty.wait_for_screen("aws configure");
    pty.wait_for_screen("Press d for the demo");
    let screen = pty.screen();
    assert!(
        !screen.contains("IMDS") && !screen.contains("codecommit.?."),
        "the instance metadata probe is not what a laptop user is told: {screen}"
    );
    pty.send(b"?");
    pty.wait_for_screen("Help — esc to close");
    pty.send(b"\x1b");
    pty.wait_for_screen("Press d for the demo");
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}

#[test]
fn the_demo_starts_from_the_first_run_screen() {
    let mut pty = newcomer();
    pty.wait_for_screen("Press d for the demo");
    pty.send(b"d");
    // The demo service seeds its repositories and the list shows them.
    pty.wait_for_screen("payments-service");
    pty.wait_for_screen("DEMO");
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}
