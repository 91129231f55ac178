//! The `cctui` binary: parses the command line and hands over to the library.

use std::io;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use crossterm::event::EventStream;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use cctui::app::action::Action;
use cctui::app::state::{Session, State};
use cctui::cli::{Cli, Commands};
use cctui::config::Config;
use cctui::event_loop::{App, Host};
use cctui::jobs::JobRequest;

fn main() -> ExitCode {
    let matches = Cli::command()
        .after_help(cctui::cli::after_help())
        .get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cctui: {message}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    cctui::runtime::build().map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Some(Commands::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "cctui", &mut io::stdout());
            Ok(())
        }
        Some(Commands::Serve(args)) => {
            let _logs = cctui::config::paths::log_dir().and_then(|dir| cctui::logging::init(&dir));
            runtime()?
                .block_on(cctui::local::run_serve(*args))
                .map_err(|e| e.to_string())
        }
        Some(Commands::CredentialHelper {
            operation,
            any_host,
        }) => credential_helper(cli.profile, cli.region, &operation, any_host),
        None => run_tui(cli),
    }
}

/// `cctui credential-helper`: no terminal UI and no logging (stdout belongs to git, and
/// secrets must not reach a log). Git reads the exit code and stderr.
fn credential_helper(
    profile: Option<String>,
    region: Option<String>,
    operation: &str,
    any_host: bool,
) -> Result<(), String> {
    use cctui::credential_helper::{HelperOptions, run};
    let options = HelperOptions {
        profile,
        region,
        any_host,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let clients = cctui::aws::client::Clients::new();
    let result = runtime.block_on(run(
        operation,
        &options,
        &clients,
        io::stdin().lock(),
        io::stdout().lock(),
    ));
    // Do not wait for background credential probes (instance metadata) to give up.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    result.map_err(|e| e.report())
}

struct Terminal_;

impl Host for Terminal_ {
    fn suspend(&mut self) -> io::Result<()> {
        cctui::tui::suspend()
    }

    fn copy(&mut self, text: &str) -> io::Result<()> {
        cctui::tui::copy_osc52(text)
    }

    fn run_foreground(
        &mut self,
        program: &str,
        args: &[String],
    ) -> io::Result<std::process::ExitStatus> {
        cctui::tui::run_in_foreground(program, args)
    }
}

/// The terminal's events. crossterm's stream reads the terminal on a thread of its own; it is
/// dropped while a foreground program runs (which stops that thread) and made again after.
struct TerminalEvents(Option<EventStream>);

impl futures::Stream for TerminalEvents {
    type Item = io::Result<crossterm::event::Event>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.0.as_mut() {
            Some(events) => std::pin::Pin::new(events).poll_next(cx),
            // Only while paused, and the loop does not poll then.
            None => std::task::Poll::Pending,
        }
    }
}

impl cctui::event_loop::EventSource for TerminalEvents {
    fn pause(&mut self) {
        self.0 = None;
    }

    fn resume(&mut self) {
        self.0 = Some(EventStream::new());
    }
}

/// glibc's allocator keeps a heap arena per thread and gives little back: with a large clone
/// open (a 100,000-entry index read on a blocking thread, then freed) the process held ~190 MB
/// for a ~35 MB heap peak. One arena, and large blocks mapped and unmapped on their own, keep
/// the resident size near what is really in use. The allocator still serves every thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets allocator parameters; called once, before other threads start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

fn run_tui(cli: Cli) -> Result<(), String> {
    tune_allocator();
    let (path, required) = Config::locate(cli.config.as_deref()).unzip();
    let config = match path {
        Some(path) => Config::load(&path, required.unwrap_or(false)).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    cctui::git::hooks::set_timeout(config.hook_timeout);
    let logs = cctui::config::paths::log_dir().and_then(|dir| cctui::logging::init(&dir));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "cctui starting");
    let demo = cli.demo;
    let session = Session {
        profile: cli.profile.or_else(|| std::env::var("AWS_PROFILE").ok()),
        region: cli
            .region
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok()),
        endpoint: cli.endpoint_url,
        account_id: None,
        demo,
        demo_user: 0,
        readonly: cli.readonly,
    };
    let mut state = State::new(session);

    state.log_file = logs.as_ref().map(|l| l.dir.join("cctui.log.*"));
    let runtime = runtime()?;
    let demo_reset = cli.demo_reset;
    let open_repo = match &cli.repo {
        Some(path) => Some(
            std::fs::canonicalize(path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let result = runtime.block_on(async move {
        // The demo service lives as long as this block: it stops when the TUI ends.
        let (_demo_service, clients) = if demo {
            let (service, clients) = start_demo(&mut state, demo_reset).await?;
            (Some(service), clients)
        } else {
            (None, cctui::aws::client::Clients::new())
        };
        let mut app = App::new(state, config, clients);
        app.dispatch(Action::Start, &mut Terminal_)
            .map_err(|e| e.to_string())?;
        if demo {
            app.state.notice = Some(
                "Demo: sample repositories on a local CodeCommit service; no AWS account used."
                    .into(),
            );
        }
        app.state.recent.file = cctui::config::paths::recent_file();
        if open_repo.is_none() {
            // With -C, remembering that clone reads the list back anyway.
            app.spawn(JobRequest::RememberClone {
                file: app.state.recent.file.clone(),
                path: None,
            });
        }
        if let Some(path) = open_repo {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string());
            app.dispatch(Action::OpenClone { name, path }, &mut Terminal_)
                .map_err(|e| e.to_string())?;
        }
        let (config_file, credentials_file) = cctui::aws::profiles::default_files();
        app.spawn(JobRequest::LoadProfiles {
            config_file,
            credentials_file,
        });
        let (signals_tx, signals_rx) = tokio::sync::mpsc::unbounded_channel();
        watch_signals(signals_tx).map_err(|e| format!("cannot watch signals: {e}"))?;
        cctui::tui::install_panic_hook();
        cctui::tui::enter().map_err(|e| format!("cctui needs an interactive terminal: {e}"))?;
        let _restore = cctui::tui::RestoreGuard;
        debug_panic();
        if debug_background_panic() {
            app.state.notice = Some("A background thread panicked; the UI goes on.".into());
        }
        let mut terminal =
            Terminal::new(CrosstermBackend::new(io::stdout())).map_err(|e| e.to_string())?;
        let result = app
            .run(
                &mut terminal,
                TerminalEvents(Some(EventStream::new())),
                signals_rx,
                &mut Terminal_,
            )
            .await;
        cctui::tui::restore().map_err(|e| format!("cannot restore the terminal: {e}"))?;
        result.map_err(|e| e.to_string())
    });
    // Jobs were cancelled; do not wait for slow network calls (credential probes, IMDS) to end.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    result?;
    tracing::info!("cctui stopped");
    Ok(())
}

/// Starts the in-process demo service and points the session at it with the demo credentials.
async fn start_demo(
    state: &mut State,
    reset: bool,
) -> Result<(cctui::local::RunningService, cctui::aws::client::Clients), String> {
    use cctui::local::DEMO_REGION;
    let data_dir = cctui::config::paths::data_dir()
        .ok_or("cannot find a data directory for the demo (is HOME set?)")?
        .join("demo");
    let service = cctui::local::start_demo(&data_dir, reset)
        .await
        .map_err(|e| format!("cannot start the demo service: {e}"))?;
    tracing::info!(endpoint = %service.endpoint(), data = %data_dir.display(), "demo service started");
    state.session.endpoint = Some(service.endpoint());
    state.session.region = Some(DEMO_REGION.to_string());
    state.session.profile = Some("demo".to_string());
    Ok((service, cctui::event_loop::demo_clients()))
}

/// SIGTERM and SIGHUP end the loop like a forced quit, so the terminal is restored.
fn watch_signals(actions: tokio::sync::mpsc::UnboundedSender<Action>) -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    // Every signal is passed on: the first lets writes finish, a second quits at once.
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = term.recv() => {}
                _ = hangup.recv() => {}
            }
            if actions.send(Action::Terminate).is_err() {
                break;
            }
        }
    });
    Ok(())
}

/// `CCTUI_DEBUG_PANIC=thread` panics in a background thread after the terminal is set up (as
/// a job's thread would): the pseudo-terminal test checks the terminal stays in the UI.
/// Returns whether it did.
#[allow(clippy::panic)]
fn debug_background_panic() -> bool {
    if std::env::var("CCTUI_DEBUG_PANIC").as_deref() != Ok("thread") {
        return false;
    }
    std::thread::spawn(|| panic!("deliberate panic in a background thread"))
        .join()
        .is_err()
}

/// `CCTUI_DEBUG_PANIC=1` panics right after the terminal is set up. The pseudo-terminal test
/// uses it to check that a panic restores the terminal and prints its message.
#[allow(clippy::panic)]
fn debug_panic() {
    if std::env::var("CCTUI_DEBUG_PANIC").is_ok_and(|v| v != "thread") {
        panic!("deliberate panic requested by CCTUI_DEBUG_PANIC");
    }
}
