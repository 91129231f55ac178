//! The async runtime cctui runs on. Its worker and blocking threads — where jobs run: status of
//! a 100,000-file tree, a clone's indexing, the in-process demo service and the git processes
//! they start — run at a lower CPU priority than the thread that blocks on the runtime, which
//! runs the event loop. On a busy machine a keypress then waits for a core behind the user's
//! other work, not behind cctui's own background jobs.

use std::io;

/// How much lower than the UI the background threads run (Linux nice steps: +5 gives the UI
/// thread about three times the CPU share of each busy job thread).
pub const BACKGROUND_NICE: i32 = 5;

/// A multi-threaded runtime whose own threads run at [`BACKGROUND_NICE`].
pub fn build() -> io::Result<tokio::runtime::Runtime> {
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

#[cfg(test)]
mod tests {
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
