//! The terminal: enter and restore (alternate screen + raw mode), restore on panic, suspend on
//! Ctrl-Z. Restoring is idempotent and never panics, so every exit path can call it.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

static ENTERED: AtomicBool = AtomicBool::new(false);

/// Switches to the alternate screen in raw mode.
pub fn enter() -> io::Result<()> {
    enable_raw_mode()?;
    ENTERED.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, Hide)?;
    Ok(())
}

/// Leaves raw mode, then the alternate screen (in that order, as ratatui's `restore`), and shows
/// the cursor. Does nothing if the terminal was not entered.
pub fn restore() -> io::Result<()> {
    if !ENTERED.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let mut stdout = io::stdout();
    let screen = execute!(stdout, LeaveAlternateScreen, Show);
    let _ = stdout.flush();
    raw.and(screen)
}

/// Restores the terminal before the previous panic hook prints the message, so the message
/// lands on the normal screen instead of vanishing with the alternate one.
///
/// Only a panic of the thread that installed it (the UI thread) restores the terminal and
/// prints: a panic in a job thread is caught by the job manager and becomes a failed job, so
/// here it is only logged — restoring the terminal then would leave the UI drawing over a
/// shell.
pub fn install_panic_hook() {
    let ui_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != ui_thread {
            tracing::error!(panic = %info, "a background thread panicked");
            return;
        }
        let _ = restore();
        previous(info);
    }));
}

/// Restores the terminal and stops the process like a shell's Ctrl-Z; when the shell resumes
/// it (`fg`), enters the terminal again. The caller redraws everything afterwards.
pub fn suspend() -> io::Result<()> {
    restore()?;
    // SAFETY: raising a signal on our own process has no memory-safety preconditions.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter()
}

/// Leaves the UI, runs `program` on the normal screen with the terminal's keys, waits for it,
/// and enters the UI again. While it runs, cctui ignores Ctrl-C and Ctrl-\ (the terminal sends
/// them to the whole foreground group): they are meant for the program, which still gets them
/// because it was started before they were ignored.
pub fn run_in_foreground(program: &str, args: &[String]) -> io::Result<std::process::ExitStatus> {
    restore()?;
    let shown = std::iter::once(program)
        .chain(args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    println!("cctui: running `{shown}`; cctui comes back when it ends.");
    let spawned = std::process::Command::new(program).args(args).spawn();
    let status = spawned.and_then(|mut child| {
        let _ignoring = IgnoreInterrupts::new();
        child.wait()
    });
    enter()?;
    status
}

/// Ignores SIGINT and SIGQUIT while alive, then puts back what was there.
struct IgnoreInterrupts {
    previous: [(libc::c_int, libc::sighandler_t); 2],
}

impl IgnoreInterrupts {
    fn new() -> IgnoreInterrupts {
        // SAFETY: `signal` with SIG_IGN installs no handler code; the previous dispositions are
        // put back on drop.
        let previous = [libc::SIGINT, libc::SIGQUIT]
            .map(|signal| (signal, unsafe { libc::signal(signal, libc::SIG_IGN) }));
        IgnoreInterrupts { previous }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        for (signal, handler) in self.previous {
            if handler != libc::SIG_ERR {
                // SAFETY: restores the disposition `new` replaced.
                unsafe {
                    libc::signal(signal, handler);
                }
            }
        }
    }
}

/// Restores the terminal when dropped: the last line of defence on early returns.
#[derive(Debug)]
pub struct RestoreGuard;

impl Drop for RestoreGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Puts text on the clipboard with the OSC 52 escape sequence, which terminals (and tmux with
/// `set-clipboard on`) honour even over SSH, where no local clipboard tool could help.
pub fn copy_osc52(text: &str) -> io::Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = io::stdout();
    write!(stdout, "\x1b]52;c;{encoded}\x07")?;
    stdout.flush()
}
