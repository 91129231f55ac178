//! Runs the real binary in a pseudo-terminal and checks that the terminal comes back intact
//! (raw mode off, main screen) after `q`, after a panic and after SIGTERM.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";

struct Pty {
    master: std::fs::File,
    slave: OwnedFd,
    output: Arc<Mutex<Vec<u8>>>,
    child: Child,
    _home: tempfile::TempDir,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn spawn(extra_env: &[(&str, &str)]) -> Pty {
    let mut master_fd = -1;
    let mut slave_fd = -1;
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    let rc = unsafe {
        libc::openpty(
            &mut master_fd,
            &mut slave_fd,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    let master = unsafe { std::fs::File::from_raw_fd(master_fd) };
    let slave = unsafe { OwnedFd::from_raw_fd(slave_fd) };
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cctui"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave.try_clone().unwrap()));
    for (key, value) in extra_env {
        command.env(key, value);
    }
    // The pseudo-terminal becomes the child's controlling terminal, as in a real shell.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn().unwrap();
    let output = Arc::new(Mutex::new(Vec::new()));
    let mut reader = master.try_clone().unwrap();
    let sink = Arc::clone(&output);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buffer) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buffer[..n]);
        }
    });
    Pty {
        master,
        slave,
        output,
        child,
        _home: home,
    }
}

impl Pty {
    fn wait_for(&self, needle: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if contains(&self.output.lock().unwrap(), needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let seen = String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned();
        panic!(
            "timed out waiting for {:?}; output so far: {seen:?}",
            String::from_utf8_lossy(needle)
        );
    }

    fn lflag(&self) -> libc::tcflag_t {
        let mut termios = unsafe { std::mem::zeroed::<libc::termios>() };
        assert_eq!(
            unsafe { libc::tcgetattr(self.slave.as_raw_fd(), &mut termios) },
            0
        );
        termios.c_lflag
    }

    fn raw(&self) -> bool {
        self.lflag() & (libc::ICANON | libc::ECHO) == 0
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread drain what the child wrote last.
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let seen = String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned();
                panic!("cctui did not exit; output: {seen:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn assert_restored(&self) {
        let output = self.output.lock().unwrap();
        let entered = position(&output, ENTER_ALT).expect("alternate screen entered");
        let left = output
            .windows(LEAVE_ALT.len())
            .rposition(|w| w == LEAVE_ALT)
            .expect("alternate screen left");
        assert!(
            left > entered,
            "left the alternate screen before entering it"
        );
        drop(output);
        assert!(!self.raw(), "raw mode still on after exit");
    }
}

#[test]
fn quitting_with_q_restores_the_terminal() {
    let mut pty = spawn(&[]);
    pty.wait_for(b"Repositories");
    assert!(pty.raw(), "raw mode should be on while the UI runs");
    // Without AWS credentials an error overlay may open first; `q` closes it, the next quits.
    for _ in 0..10 {
        pty.master.write_all(b"q").unwrap();
        std::thread::sleep(Duration::from_millis(300));
        if pty.child.try_wait().unwrap().is_some() {
            break;
        }
    }
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
