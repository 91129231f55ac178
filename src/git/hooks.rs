//! Client-side hooks as git runs them: found in `core.hooksPath` (a relative path is taken from
//! the working tree root, `~` is expanded) or `$GIT_COMMON_DIR/hooks`; run only when the file is
//! executable (git ignores the others with a warning), from the working tree root, stdin from
//! `/dev/null`, with the environment git gives commit hooks: `GIT_INDEX_FILE`, `GIT_EDITOR=:`,
//! `GIT_PREFIX=` and the author as `GIT_AUTHOR_NAME/EMAIL/DATE`. Inherited variables that would
//! point git at another repository (`GIT_DIR`, `GIT_WORK_TREE`, …) are removed.
//!
//! stdout and stderr go to one file, so the output keeps the order in which the hook wrote it.
//!
//! A hook runs in a process group of its own and is waited for with a limit ([`HookLimits`]: a
//! timeout and the caller's cancel check, polled every [`POLL`]). On timeout or cancel the whole
//! group (the hook and whatever it started, e.g. a `sleep` or a test runner) gets SIGTERM, then
//! SIGKILL after [`TERM_GRACE`], and the hook is reaped before the error
//! ([`GitError::HookTimedOut`], [`GitError::HookCancelled`]) is returned. A process that moved
//! itself to another group (`setsid`) is out of reach, as it is for git.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::git::GitError;

/// The most output kept from a hook (the end is kept: that is where the error usually is).
const MAX_OUTPUT: usize = 64 * 1024;

/// How long a hook may run when the caller does not say: long enough for a test suite in a
/// pre-commit hook, short enough that a hung hook does not hold the clone's write lock forever.
pub const DEFAULT_HOOK_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The hook timeout in force, in milliseconds: the config's `[hooks] timeout_seconds`, set once
/// at start-up, else [`DEFAULT_HOOK_TIMEOUT`].
static TIMEOUT_MS: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_HOOK_TIMEOUT.as_millis() as u64);

/// Sets the timeout every hook runs under from now on (the user's configuration).
pub fn set_timeout(timeout: Duration) {
    let millis = u64::try_from(timeout.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    TIMEOUT_MS.store(millis, std::sync::atomic::Ordering::Relaxed);
}

/// The timeout hooks run under: the configured one, else [`DEFAULT_HOOK_TIMEOUT`].
pub fn timeout() -> Duration {
    Duration::from_millis(TIMEOUT_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// How often a running hook is checked for its end, the timeout and the cancel check.
pub const POLL: Duration = Duration::from_millis(20);

/// Between SIGTERM and SIGKILL to a stopped hook's process group.
pub const TERM_GRACE: Duration = Duration::from_secs(2);

/// The limits a hook runs under.
#[derive(Clone, Copy)]
pub struct HookLimits<'a> {
    /// The longest it may run; then its process group is killed.
    pub timeout: Duration,
    /// The caller's "stop?" (the job's cancel token); polled while the hook runs.
    pub is_cancelled: &'a dyn Fn() -> bool,
    /// Told the hook's name and the last line it wrote, while it runs (the job shows it).
    pub on_output: &'a dyn Fn(&str, &str),
}

fn never() -> bool {
    false
}

/// A receiver of hooks' output lines: `(hook name, line)`.
type OutputSink = Box<dyn Fn(&str, &str)>;

thread_local! {
    /// Where a hook run on this thread reports its last output line when its caller passed no
    /// `on_output` of its own: the job around a push, pull or merge sets it
    /// ([`streaming_output`]), so the git layer's signatures need not carry it through.
    static OUTPUT_SINK: std::cell::RefCell<Option<OutputSink>> =
        const { std::cell::RefCell::new(None) };
}

/// The default `on_output`: this thread's sink, if any.
fn to_thread_sink(hook: &str, line: &str) {
    OUTPUT_SINK.with(|sink| {
        if let Some(sink) = sink.borrow().as_ref() {
            sink(hook, line);
        }
    });
}

/// Runs `work` with hooks on this thread reporting their output lines to `sink` (the hooks
/// of a push, a pull, a merge, whose `HookLimits` are the default ones).
pub fn streaming_output<T>(sink: impl Fn(&str, &str) + 'static, work: impl FnOnce() -> T) -> T {
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            OUTPUT_SINK.with(|s| s.borrow_mut().take());
        }
    }
    OUTPUT_SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
    let _clear = Clear;
    work()
}

impl Default for HookLimits<'_> {
    /// The configured [`timeout`], never cancelled.
    fn default() -> Self {
        HookLimits {
            timeout: timeout(),
            is_cancelled: &never,
            on_output: &to_thread_sink,
        }
    }
}

impl std::fmt::Debug for HookLimits<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookLimits")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Output of a hook that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRun {
    /// Whether it exited with 0.
    pub success: bool,
    /// Its stdout and stderr, interleaved as written (the last 64 KiB).
    pub output: String,
}

/// The author git announces to commit hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookAuthor {
    /// `GIT_AUTHOR_NAME`.
    pub name: String,
    /// `GIT_AUTHOR_EMAIL`.
    pub email: String,
    /// `GIT_AUTHOR_DATE` as git writes it: `@<unix seconds> +hhmm`.
    pub date: String,
}

impl HookAuthor {
    /// From a git2 signature.
    pub(crate) fn from_signature(signature: &git2::Signature<'_>) -> HookAuthor {
        let when = signature.when();
        let offset = when.offset_minutes();
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.unsigned_abs();
        HookAuthor {
            name: String::from_utf8_lossy(signature.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(signature.email_bytes()).into_owned(),
            date: format!(
                "@{} {sign}{:02}{:02}",
                when.seconds(),
                offset / 60,
                offset % 60
            ),
        }
    }
}

/// Where the hook `name` of `repo` lives, if it exists and is executable.
pub fn hook_path(repo: &Path, name: &str) -> Result<Option<PathBuf>, GitError> {
    let repository = crate::git::commit::open(repo)?;
    Ok(find_hook(&repository, name))
}

/// The hooks directory: `core.hooksPath` or `$GIT_COMMON_DIR/hooks`.
pub(crate) fn hooks_dir(repository: &git2::Repository) -> PathBuf {
    let configured = repository
        .config()
        .ok()
        .and_then(|config| config.get_path("core.hooksPath").ok());
    match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repository
            .workdir()
            .unwrap_or_else(|| repository.path())
            .join(path),
        None => repository.commondir().join("hooks"),
    }
}

/// The executable hook `name`, if any.
pub(crate) fn find_hook(repository: &git2::Repository, name: &str) -> Option<PathBuf> {
    let path = hooks_dir(repository).join(name);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            tracing::warn!(hook = %path.display(), "hook ignored: not executable");
            return None;
        }
    }
    Some(path)
}

/// Runs hook `name` with `args` if present, under `limits`; `None` when there is no
/// (executable) hook.
///
/// Errors: [`GitError::HookTimedOut`], [`GitError::HookCancelled`] (the hook's process group
/// was killed and reaped), `Other` when it cannot be started.
pub fn run_hook(
    repo: &Path,
    name: &str,
    args: &[&str],
    limits: &HookLimits<'_>,
) -> Result<Option<HookRun>, GitError> {
    let repository = crate::git::commit::open(repo)?;
    run(&repository, name, args, None, limits)
}

/// Runs a hook that comes after the change it is about (`post-commit`, `post-merge`,
/// `post-checkout`): nothing can be stopped any more, so only `timeout` holds, and a failure is
/// logged, as git only reports it.
pub(crate) fn run_after(
    repository: &git2::Repository,
    name: &str,
    args: &[&str],
    author: Option<&HookAuthor>,
    timeout: Duration,
) {
    let limits = HookLimits {
        timeout,
        ..HookLimits::default()
    };
    match run(repository, name, args, author, &limits) {
        Ok(Some(hook)) if !hook.success => {
            tracing::warn!(hook = name, output = %hook.output, "a hook failed after the change");
        }
        Err(error) => tracing::warn!(hook = name, %error, "a hook after the change"),
        Ok(_) => {}
    }
}

/// Runs hook `name` of `repository`; `author` adds `GIT_AUTHOR_*` as git does for commits.
pub(crate) fn run(
    repository: &git2::Repository,
    name: &str,
    args: &[&str],
    author: Option<&HookAuthor>,
    limits: &HookLimits<'_>,
) -> Result<Option<HookRun>, GitError> {
    run_with_input(repository, name, args, author, limits, None)
}

/// [`run`] with `input` on the hook's stdin (`pre-push` reads the refs it is about there).
pub(crate) fn run_with_input(
    repository: &git2::Repository,
    name: &str,
    args: &[&str],
    author: Option<&HookAuthor>,
    limits: &HookLimits<'_>,
    input: Option<&[u8]>,
) -> Result<Option<HookRun>, GitError> {
    let Some(path) = find_hook(repository, name) else {
        return Ok(None);
    };
    // From a file rather than a pipe: a hook that does not read its input cannot block us.
    let input_path = repository
        .path()
        .join(format!("cctui-hook-{}-{name}.in", std::process::id()));
    let stdin = || -> Result<Stdio, std::io::Error> {
        match input {
            None => Ok(Stdio::null()),
            Some(bytes) => {
                std::fs::write(&input_path, bytes)?;
                Ok(Stdio::from(std::fs::File::open(&input_path)?))
            }
        }
    };
    let workdir = repository
        .workdir()
        .unwrap_or_else(|| repository.path())
        .to_path_buf();
    let index = repository.path().join("index");
    let io_error = |e: std::io::Error| GitError::Other(format!("cannot run the {name} hook: {e}"));
    let output_path = repository
        .path()
        .join(format!("cctui-hook-{}-{name}.out", std::process::id()));
    let output = std::fs::File::create(&output_path).map_err(io_error)?;
    let command = |program: &Path, leading: &[&Path]| -> Result<Command, std::io::Error> {
        let mut command = Command::new(program);
        command
            .args(leading)
            .args(args)
            .current_dir(&workdir)
            .stdin(stdin()?)
            .stdout(output.try_clone()?)
            .stderr(output.try_clone()?)
            // Its own process group, so that a stop reaches what it started too.
            .process_group(0);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_COMMON_DIR",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_NAMESPACE",
            "GIT_CEILING_DIRECTORIES",
        ] {
            command.env_remove(var);
        }
        command
            .env("GIT_INDEX_FILE", &index)
            .env("GIT_EDITOR", ":")
            .env("GIT_PREFIX", "");
        if let Some(author) = author {
            command
                .env("GIT_AUTHOR_NAME", &author.name)
                .env("GIT_AUTHOR_EMAIL", &author.email)
                .env("GIT_AUTHOR_DATE", &author.date);
        }
        Ok(command)
    };
    let status = command(&path, &[])
        .and_then(|mut c| c.spawn())
        .or_else(|error| {
            // A script without a `#!` line: git runs it with the shell too.
            if error.raw_os_error() == Some(libc::ENOEXEC) {
                command(Path::new("sh"), &[path.as_path()]).and_then(|mut c| c.spawn())
            } else {
                Err(error)
            }
        })
        .and_then(|mut child| {
            let mut tail = OutputTail::default();
            wait(&mut child, limits, &mut || {
                if let Some(line) = tail.new_last_line(&output_path) {
                    (limits.on_output)(name, &line);
                }
            })
        });
    drop(output);
    let text = std::fs::read(&output_path);
    let _ = std::fs::remove_file(&output_path);
    if input.is_some() {
        let _ = std::fs::remove_file(&input_path);
    }
    let status = match status.map_err(io_error)? {
        Ok(status) => status,
        Err(Stop::TimedOut) => {
            return Err(GitError::HookTimedOut {
                hook: name.to_string(),
                after: limits.timeout,
            });
        }
        Err(Stop::Cancelled) => {
            return Err(GitError::HookCancelled {
                hook: name.to_string(),
            });
        }
    };
    let text = text.map_err(io_error)?;
    let start = text.len().saturating_sub(MAX_OUTPUT);
    let output = String::from_utf8_lossy(&text[start..]).into_owned();
    tracing::debug!(hook = name, status = ?status, "hook ran");
    Ok(Some(HookRun {
        success: status.success(),
        output,
    }))
}

/// The last complete line a running hook wrote, read from the end of its output file when the
/// file grew: how the job shows what a long hook (a test suite) is doing.
#[derive(Default)]
struct OutputTail {
    seen: u64,
}

impl OutputTail {
    fn new_last_line(&mut self, path: &Path) -> Option<String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        if len <= self.seen {
            return None;
        }
        self.seen = len;
        let start = len.saturating_sub(4096);
        file.seek(SeekFrom::Start(start)).ok()?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        let text = String::from_utf8_lossy(&bytes);
        // Only complete lines: the part after the last newline may still be written.
        let complete = text.rsplit_once('\n').map(|(done, _)| done)?;
        complete
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .map(|l| l.chars().take(200).collect())
    }
}

/// Why a hook was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    TimedOut,
    Cancelled,
}

/// Waits for `child` (the leader of its own process group) under `limits`; on timeout or cancel
/// the group is stopped and the child reaped.
fn wait(
    child: &mut Child,
    limits: &HookLimits<'_>,
    on_poll: &mut dyn FnMut(),
) -> std::io::Result<Result<ExitStatus, Stop>> {
    let started = Instant::now();
    loop {
        on_poll();
        if let Some(status) = child.try_wait()? {
            return Ok(Ok(status));
        }
        let stop = if (limits.is_cancelled)() {
            Some(Stop::Cancelled)
        } else if started.elapsed() >= limits.timeout {
            Some(Stop::TimedOut)
        } else {
            None
        };
        if let Some(stop) = stop {
            tracing::info!(?stop, pid = child.id(), "stopping a hook");
            kill_group(child)?;
            return Ok(Err(stop));
        }
        std::thread::sleep(POLL);
    }
}

/// SIGTERM to the child's process group, SIGKILL after [`TERM_GRACE`] (or as soon as the leader
/// is gone: what it left behind goes too), then reaps the child. The leader is not reaped before
/// the SIGKILL, so its (zombie) id keeps the group id from being reused meanwhile.
fn kill_group(child: &mut Child) -> std::io::Result<()> {
    let Ok(group) = libc::pid_t::try_from(child.id()) else {
        child.kill()?;
        child.wait()?;
        return Ok(());
    };
    signal_group(group, libc::SIGTERM);
    let deadline = Instant::now() + TERM_GRACE;
    while Instant::now() < deadline && !exited_unreaped(group) {
        std::thread::sleep(POLL);
    }
    signal_group(group, libc::SIGKILL);
    child.wait().map(drop)
}

fn signal_group(group: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
    // ESRCH (the group is already empty) is fine.
    unsafe {
        libc::kill(-group, signal);
    }
}

/// Whether the process `pid` (our child) has exited, without reaping it (`WNOWAIT`).
fn exited_unreaped(pid: libc::pid_t) -> bool {
    let Ok(id) = libc::id_t::try_from(pid) else {
        return true;
    };
    // SAFETY: waitid(2) writes only into `info`, a zeroed siginfo_t we own.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let rc = libc::waitid(
            libc::P_PID,
            id,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        rc != 0 || info.si_pid() != 0
    }
}
