//! Runs the real binary in a pseudo-terminal and checks that the terminal comes back intact
//! (raw mode off, main screen) after `q`, after a panic and after SIGTERM.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/pty.rs"]
mod pty;

use pty::{LEAVE_ALT, position, spawn};

#[test]
fn quitting_with_q_restores_the_terminal() {
    let mut pty = spawn(&[]);
    pty.wait_for(b"Repositories");
    assert!(pty.raw(), "raw mode should be on while the UI runs");
    // Without AWS credentials the first-run screen shows (no modal): `q` quits at once.
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}

#[test]
fn a_panic_restores_the_terminal_and_prints_the_message() {
    let mut pty = spawn(&[("CCTUI_DEBUG_PANIC", "1")]);
    let status = pty.wait_exit();
    assert!(!status.success());
    pty.assert_restored();
    pty.wait_for(b"deliberate panic");
    let output = pty.output.lock().unwrap();
    let left = position(&output, LEAVE_ALT).unwrap();
    let message = position(&output, b"deliberate panic").expect("panic message printed");
    assert!(
        message > left,
        "the panic message must come after leaving the alternate screen"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut pty = spawn(&[]);
    pty.wait_for(b"Repositories");
    assert!(pty.raw());
    unsafe {
        libc::kill(pty.child.id() as i32, libc::SIGTERM);
    }
    pty.wait_exit();
    pty.assert_restored();
}

#[test]
fn sighup_restores_the_terminal() {
    let mut pty = spawn(&[]);
    pty.wait_for(b"Repositories");
    unsafe {
        libc::kill(pty.child.id() as i32, libc::SIGHUP);
    }
    pty.wait_exit();
    pty.assert_restored();
}

#[test]
fn a_panic_in_a_background_thread_leaves_the_ui_running() {
    let mut pty = spawn(&[("CCTUI_DEBUG_PANIC", "thread")]);
    pty.wait_for_screen("A background thread panicked; the UI goes on.");
    assert!(
        !pty::contains(&pty.output.lock().unwrap(), LEAVE_ALT),
        "the terminal was restored while the UI was still drawing"
    );
    assert!(pty.raw(), "raw mode still on: the UI runs");
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}
