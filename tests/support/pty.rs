//! The real binary in a pseudo-terminal, as a user runs it: a sandboxed HOME, the screen's
//! bytes collected by a reader thread, and waits on what appears (never fixed sleeps).
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entering the alternate screen.
pub const ENTER_ALT: &[u8] = b"\x1b[?1049h";
/// Leaving it.
pub const LEAVE_ALT: &[u8] = b"\x1b[?1049l";

/// How long a wait may take before the test fails: generous, it only bounds a hang.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running cctui in a pseudo-terminal.
pub struct Pty {
    /// Where keys go.
    pub master: std::fs::File,
    slave: OwnedFd,
    /// Everything the program wrote.
    pub output: Arc<Mutex<Vec<u8>>>,
    /// The process.
    pub child: Child,
    /// Its HOME (and XDG dirs below it).
    pub home: tempfile::TempDir,
    columns: u16,
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Where `needle` first occurs.
pub fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The environment of a user with an empty HOME: no AWS variables, no config.
pub fn bare_env(home: &Path) -> Vec<(String, String)> {
    let path = |p: PathBuf| p.display().to_string();
    vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("TERM".into(), "xterm-256color".into()),
        ("HOME".into(), path(home.to_path_buf())),
        ("XDG_CONFIG_HOME".into(), path(home.join("config"))),
        ("XDG_DATA_HOME".into(), path(home.join("data"))),
        ("XDG_STATE_HOME".into(), path(home.join("state"))),
    ]
}

/// Starts cctui with `args` and exactly the environment `env` (plus nothing inherited), at
/// 24 rows and `columns` columns.
pub fn spawn_with(
    home: tempfile::TempDir,
    env: &[(String, String)],
    args: &[&str],
    columns: u16,
) -> Pty {
    let mut master_fd = -1;
    let mut slave_fd = -1;
    let size = libc::winsize {
        ws_row: 24,
        ws_col: columns,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds into the given locals; the other pointers may be null.
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
    // SAFETY: both fds were just opened by openpty and are owned by nothing else.
    let master = unsafe { std::fs::File::from_raw_fd(master_fd) };
    let slave = unsafe { OwnedFd::from_raw_fd(slave_fd) };
    let mut command = Command::new(env!("CARGO_BIN_EXE_cctui"));
    command
        .args(args)
        .env_clear()
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave.try_clone().unwrap()));
    for (key, value) in env {
        command.env(key, value);
    }
    // The pseudo-terminal becomes the child's controlling terminal, as in a real shell.
    // SAFETY: setsid and ioctl are async-signal-safe, as pre_exec requires.
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
        home,
        columns,
    }
}

/// cctui at 80×24 with an empty HOME, AWS_REGION set and `extra_env`.
pub fn spawn(extra_env: &[(&str, &str)]) -> Pty {
    let home = tempfile::tempdir().unwrap();
    let mut env = bare_env(home.path());
    env.push(("AWS_REGION".into(), "us-east-1".into()));
    env.extend(
        extra_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    spawn_with(home, &env, &[], 80)
}

impl Drop for Pty {
    /// A test that fails half-way must not leave cctui running behind it.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Pty {
    /// Waits until `needle` has been written (after `from` bytes of output).
    pub fn wait_for_after(&self, from: usize, needle: &[u8]) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let output = self.output.lock().unwrap();
            if output.len() > from && contains(&output[from..], needle) {
                return;
            }
            drop(output);
            std::thread::sleep(Duration::from_millis(20));
        }
        let seen = String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned();
        panic!(
            "timed out waiting for {:?}; output so far: {seen:?}",
            String::from_utf8_lossy(needle)
        );
    }

    /// Waits until `needle` has been written.
    pub fn wait_for(&self, needle: &[u8]) {
        self.wait_for_after(0, needle);
    }

    /// The screen as a user sees it now: the output replayed through a terminal emulator.
    pub fn screen(&self) -> String {
        let rows = std::num::NonZeroU16::new(24).unwrap();
        let columns = std::num::NonZeroU16::new(self.columns.max(1)).unwrap();
        let mut parser = vt100::Parser::new(rows, columns, 0);
        parser.process(&self.output.lock().unwrap());
        parser.screen().contents()
    }

    /// Waits until the screen shows `text` (words may be drawn apart by cursor moves, so the
    /// raw bytes cannot be searched).
    pub fn wait_for_screen(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.screen().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "timed out waiting for {text:?} on screen:\n{}",
            self.screen()
        );
    }

    /// Waits until the screen satisfies `test` (`what` names it in the failure): for a state
    /// shown by several parts of the screen, which one frame may write in more than one read.
    pub fn wait_for_screen_where(&self, what: &str, test: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if test(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("timed out waiting for {what} on screen:\n{}", self.screen());
    }

    /// Bytes written so far (a mark for [`Pty::wait_for_after`]).
    pub fn mark(&self) -> usize {
        self.output.lock().unwrap().len()
    }

    /// Types keys.
    pub fn send(&mut self, keys: &[u8]) {
        self.master.write_all(keys).unwrap();
    }

    fn lflag(&self) -> libc::tcflag_t {
        // SAFETY: termios is plain data; tcgetattr fills it for a valid fd.
        let mut termios = unsafe { std::mem::zeroed::<libc::termios>() };
        assert_eq!(
            unsafe { libc::tcgetattr(self.slave.as_raw_fd(), &mut termios) },
            0
        );
        termios.c_lflag
    }

    /// Whether the terminal is in raw mode.
    pub fn raw(&self) -> bool {
        self.lflag() & (libc::ICANON | libc::ECHO) == 0
    }

    /// Waits for the process to end (and its last screen bytes to arrive).
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
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

    /// The terminal is back: the alternate screen left after it was entered, raw mode off.
    pub fn assert_restored(&self) {
        // The last bytes may still be in the pipe when the process has ended.
        self.wait_for(LEAVE_ALT);
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
