//! The async runtime cctui runs on. Its worker and blocking threads — where jobs run: status of
//! a 100,000-file tree, a clone's indexing, the in-process demo service and the git processes
//! they start — run at a lower CPU priority than the thread that blocks on the runtime, which
//! runs the event loop. On a busy machine a keypress then waits for a core behind the user's
//! other work, not behind cctui's own background jobs.
//!
//! It also raises the process's open-file limit to what the system allows: an account's pull
//! request listing keeps [`crate::aws::pulls::GET_CONCURRENCY`] connections open at once, and
//! macOS starts processes at 256 files, Linux desktops at 1,024.

use std::io;

/// How much lower than the UI the background threads run (Linux nice steps: +5 gives the UI
/// thread about three times the CPU share of each busy job thread).
pub const BACKGROUND_NICE: i32 = 5;

/// Open files cctui asks for at most (macOS refuses a soft limit above `OPEN_MAX`, 10,240,
/// even when the hard limit says unlimited).
pub const OPEN_FILES_WANTED: libc::rlim_t = 10_240;

/// A multi-threaded runtime whose own threads run at [`BACKGROUND_NICE`], in a process whose
/// open-file limit is raised ([`raise_open_file_limit`]).
pub fn build() -> io::Result<tokio::runtime::Runtime> {
    raise_open_file_limit();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(lower_this_threads_priority)
        .build()
}

/// Lowers the priority of the calling thread only (Linux keeps a nice value per thread).
#[cfg(target_os = "linux")]
fn lower_this_threads_priority() {
    // SAFETY: gettid and setpriority take plain integers and touch only this thread's
    // scheduling; a failure (e.g. a sandbox forbidding it) leaves the priority as it was.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let current = libc::getpriority(libc::PRIO_PROCESS, tid);
        libc::setpriority(libc::PRIO_PROCESS, tid, current + BACKGROUND_NICE);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_threads_priority() {}

/// Raises the soft open-file limit towards [`OPEN_FILES_WANTED`], within the hard limit; never
/// lowers it. Returns the soft limit in force afterwards (`None` when it cannot be read).
pub fn raise_open_file_limit() -> Option<libc::rlim_t> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the struct given, nothing else; a refusal
    // leaves the limit as it was.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        let wanted = OPEN_FILES_WANTED.min(limit.rlim_max);
        if limit.rlim_cur < wanted {
            let raised = libc::rlimit {
                rlim_cur: wanted,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit.rlim_cur = wanted;
            }
        }
    }
    Some(limit.rlim_cur)
}

#[cfg(test)]
mod tests {
    /// A low soft limit is raised to what the hard limit allows, a high one is left alone.
    /// Run in a child process: the limit is the whole test process's.
    #[test]
    fn the_open_file_limit_is_raised_within_the_hard_limit() {
        if std::env::var_os("CCTUI_RLIMIT_CHILD").is_some() {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            // SAFETY: reads and sets this (child) process's limit.
            unsafe {
                assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
                let hard = limit.rlim_max;
                let low = libc::rlimit {
                    rlim_cur: 64.min(hard),
                    rlim_max: hard,
                };
                assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &low), 0);
                let expected = super::OPEN_FILES_WANTED.min(hard);
                assert_eq!(super::raise_open_file_limit(), Some(expected));
                assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
                assert_eq!(limit.rlim_cur, expected);
                assert_eq!(limit.rlim_max, hard, "the hard limit stays");
            }
            return;
        }
        let out = std::process::Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                "--exact",
                "runtime::tests::the_open_file_limit_is_raised_within_the_hard_limit",
                "--nocapture",
            ])
            .env("CCTUI_RLIMIT_CHILD", "1")
            .output()
            .expect("the child test runs");
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("1 passed"),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A runtime thread runs at a higher nice value than the thread that made the runtime.
    #[cfg(target_os = "linux")]
    #[test]
    fn job_threads_run_below_the_ui_thread() {
        let nice_of_this_thread = || unsafe {
            // SAFETY: reads this thread's priority.
            libc::getpriority(
                libc::PRIO_PROCESS,
                libc::syscall(libc::SYS_gettid) as libc::id_t,
            )
        };
        let ui = nice_of_this_thread();
        let runtime = super::build().expect("a runtime");
        let worker =
            runtime.block_on(async { tokio::spawn(async move { nice_of_this_thread() }).await });
        let blocking = runtime.block_on(runtime.spawn_blocking(nice_of_this_thread));
        assert_eq!(
            nice_of_this_thread(),
            ui,
            "the blocking thread keeps its priority"
        );
        // Capped at 19 by the kernel.
        let expected = (ui + super::BACKGROUND_NICE).min(19);
        assert_eq!(worker.expect("worker"), expected);
        assert_eq!(blocking.expect("blocking"), expected);
    }
}
