//! The event loop: terminal events, job updates and signals become actions; `update` turns them
//! into effects; the screen is redrawn only when something changed, at most once per frame.

use std::io;
use std::process::ExitStatus;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::time::Instant;

use crate::app::action::Action;
use crate::app::effect::{Effect, Foreground};
use crate::app::input::action_for_key;
use crate::app::keymap::KeySpec;
use crate::app::state::State;
use crate::app::update::update;
use crate::aws::client::Clients;
use crate::aws::urls::UrlKind;
use crate::config::{CloneProtocol, Config};
use crate::jobs::{JobManager, JobRequest, JobUpdate, Services};
use crate::ui::{self, View};

/// The shortest time between two frames (~60 per second at most) drawn for background
/// changes (job progress, results, file events).
pub const FRAME: Duration = Duration::from_millis(16);

/// The shortest time between a frame and one drawn for the user's own input: a key is shown
/// at once instead of waiting for the next background frame slot, while a burst of keys
/// (a paste, key repeat faster than this) still shares frames.
pub const INPUT_FRAME: Duration = Duration::from_millis(4);

/// What the loop needs from the real terminal, so tests can run it on a `TestBackend`.
pub trait Host: Send {
    /// Ctrl-Z: give the terminal back to the shell until resumed.
    fn suspend(&mut self) -> io::Result<()>;

    /// Puts text on the clipboard.
    fn copy(&mut self, text: &str) -> io::Result<()>;

    /// Gives the terminal to `program` until it ends (`aws sso login`), then takes it back.
    /// The loop has paused its event source first, so the program gets every key.
    fn run_foreground(&mut self, program: &str, args: &[String]) -> io::Result<ExitStatus>;
}

/// Where terminal events come from. A source that reads the terminal in the background (as
/// crossterm's does) must stop reading while a foreground program runs, or it would take that
/// program's keys: the loop pauses it around [`Host::run_foreground`].
pub trait EventSource: Stream<Item = io::Result<Event>> + Unpin {
    /// Stop reading the terminal.
    fn pause(&mut self) {}
    /// Read it again.
    fn resume(&mut self) {}
}

/// Test streams (and any boxed stream) read nothing behind the loop's back.
impl<T: Stream<Item = io::Result<Event>> + ?Sized> EventSource for std::pin::Pin<Box<T>> {}

/// A host that cannot suspend (tests, non-interactive runs).
#[derive(Debug, Default)]
pub struct NoHost;

impl Host for NoHost {
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn copy(&mut self, _text: &str) -> io::Result<()> {
        Ok(())
    }

    fn run_foreground(&mut self, program: &str, _args: &[String]) -> io::Result<ExitStatus> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("no terminal to run {program} in"),
        ))
    }
}

/// The running application: state plus the things that perform effects.
#[derive(Debug)]
pub struct App {
    /// The UI state.
    pub state: State,
    /// Keys, theme and paths.
    pub config: Config,
    jobs: JobManager,
    updates: UnboundedReceiver<JobUpdate>,
    /// Frames drawn so far (tests check that idle means no frames).
    pub frames: u64,
    needs_clear: bool,
    /// Actions raised by helpers of the loop itself (the file watcher).
    internal: (UnboundedSender<Action>, UnboundedReceiver<Action>),
    /// The watched clone, and the token that ends its watch.
    watch: Option<(std::path::PathBuf, tokio_util::sync::CancellationToken)>,
    /// The demo service started from the first-run screen, kept alive with the app.
    demo: DemoSlot,
    /// A program to give the terminal to, run by the loop (which owns the event source).
    foreground: Option<Foreground>,
}

/// Where the demo service started from the first-run screen lives.
#[derive(Default, Clone)]
struct DemoSlot(std::sync::Arc<std::sync::Mutex<Option<crate::local::RunningService>>>);

impl std::fmt::Debug for DemoSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoSlot")
    }
}

impl App {
    /// A new app; jobs report through a channel the loop reads.
    pub fn new(mut state: State, config: Config, clients: Clients) -> App {
        let (sender, updates): (UnboundedSender<JobUpdate>, _) = unbounded_channel();
        let services = Services::new(clients, config.workspace_root.clone());
        state.cloning.protocol = config.clone_protocol;
        state.cloning.workspace_root = config.workspace_root.clone();
        state.cloning.default_url = match config.clone_protocol {
            CloneProtocol::Ssh => UrlKind::Ssh,
            CloneProtocol::HttpsIam | CloneProtocol::HttpsGit => UrlKind::Https,
        };
        App {
            state,
            config,
            jobs: JobManager::new(sender, services),
            updates,
            frames: 0,
            needs_clear: false,
            internal: unbounded_channel(),
            watch: None,
            demo: DemoSlot::default(),
            foreground: None,
        }
    }

    /// Applies an action and performs its effects; returns whether the screen may have changed.
    pub fn dispatch(&mut self, action: Action, host: &mut (dyn Host + Send)) -> io::Result<bool> {
        let effects = update(&mut self.state, action);
        for effect in effects {
            self.perform(effect, host)?;
        }
        Ok(true)
    }

    /// Starts background work directly (startup loads), under an id from the state.
    pub fn spawn(&mut self, request: JobRequest) {
        let (id, _) = self.state.request(request.clone());
        self.jobs.spawn(id, request);
    }

    /// Applies job reports until every job has ended (tests and scripted runs wait on this
    /// instead of on a timer).
    pub async fn finish_jobs(&mut self, host: &mut (dyn Host + Send)) -> io::Result<()> {
        while self.state.jobs.iter().any(|j| j.status.running()) || self.jobs.running() > 0 {
            match self.updates.recv().await {
                Some(job) => {
                    self.dispatch(Action::Job(Box::new(job)), host)?;
                }
                None => break,
            }
        }
        Ok(())
    }

    fn perform(&mut self, effect: Effect, host: &mut (dyn Host + Send)) -> io::Result<()> {
        match effect {
            // The demo's clients replace the AWS ones only once its service listens.
            Effect::UseDemoClients => self.jobs.set_clients(demo_clients()),
            Effect::UseDemoUser(user) => self.jobs.set_clients(demo_user_clients(user)),
            Effect::Spawn { id, request } => self.jobs.spawn(id, *request),
            Effect::Cancel(id) => self.jobs.cancel(id),
            Effect::CancelAll => self.jobs.cancel_all(),
            Effect::StartDemo => self.start_demo(),
            Effect::Copy(text) => host.copy(&text)?,
            Effect::Quit => self.state.quit = true,
            Effect::Watch(path) => {
                if self
                    .watch
                    .as_ref()
                    .is_none_or(|(watched, _)| *watched != path)
                {
                    if let Some((_, old)) = self.watch.take() {
                        old.cancel();
                    }
                    let stop = tokio_util::sync::CancellationToken::new();
                    self.watch = Some((path.clone(), stop.clone()));
                    let sender = self.internal.0.clone();
                    // Adding a watch per directory of a large clone takes a while: never on the
                    // UI thread. The watch lives until the next clone is opened.
                    tokio::spawn(async move {
                        let watching = tokio::task::spawn_blocking(move || {
                            crate::watch::watch(&path, move |changes| {
                                let _ = sender.send(Action::FilesChanged(changes));
                            })
                            .map_err(|e| (e, path))
                        })
                        .await;
                        match watching {
                            Ok(Ok(watch)) => {
                                stop.cancelled().await;
                                drop(watch);
                            }
                            // Without a watcher (inotify limits, odd file systems) the status
                            // still refreshes on focus and after every job.
                            Ok(Err((e, path))) => {
                                tracing::warn!(error = %e, path = %path.display(), "cannot watch the clone")
                            }
                            Err(e) => tracing::warn!(error = %e, "the file watcher stopped"),
                        }
                    });
                }
            }
            Effect::Suspend => {
                host.suspend()?;
                self.needs_clear = true;
            }
            Effect::RunForeground(program) => self.foreground = Some(program),
        }
        Ok(())
    }

    /// Starts the demo service (first run's `d`): its clients replace the AWS ones, and the
    /// state learns where it listens. It lives as long as the app.
    fn start_demo(&mut self) {
        let Some(data_dir) = crate::config::paths::data_dir().map(|d| d.join("demo")) else {
            self.state.notice =
                Some("Cannot find a data directory for the demo (is HOME set?).".into());
            return;
        };
        let sender = self.internal.0.clone();
        let slot = self.demo.clone();
        tokio::spawn(async move {
            match crate::local::start_demo(&data_dir, false).await {
                Ok(service) => {
                    let endpoint = service.endpoint();
                    if let Ok(mut slot) = slot.0.lock() {
                        *slot = Some(service);
                    }
                    let _ = sender.send(Action::DemoStarted {
                        endpoint,
                        region: crate::local::DEMO_REGION.to_string(),
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot start the demo service");
                    let _ = sender.send(Action::DemoFailed(e.to_string()));
                }
            }
        });
    }

    /// Gives the terminal to a program with the event source paused, then reports how it
    /// ended to `update`. Returns whether to redraw (always: the screen shows the program's
    /// output until repainted).
    fn run_foreground<S: EventSource>(
        &mut self,
        program: Foreground,
        events: &mut S,
        host: &mut (dyn Host + Send),
    ) -> io::Result<bool> {
        let command = program.command_line();
        tracing::info!(%command, "running in the foreground");
        events.pause();
        let ran = host.run_foreground(&program.program, &program.args);
        events.resume();
        self.needs_clear = true;
        let outcome = match ran {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(match status.code() {
                Some(code) => format!("it exited with status {code}"),
                None => "it was stopped by a signal".to_string(),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!(
                "`{}` is not installed or not on PATH",
                program.program
            )),
            Err(e) => Err(e.to_string()),
        };
        self.dispatch(
            Action::ForegroundEnded {
                purpose: program.purpose,
                outcome,
            },
            host,
        )?;
        Ok(true)
    }

    /// Handles one terminal event; returns whether to redraw.
    pub fn on_event(&mut self, event: Event, host: &mut (dyn Host + Send)) -> io::Result<bool> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                let key = KeySpec::from_event(key);
                match action_for_key(&self.state, &self.config.keymap, key) {
                    Some(action) => self.dispatch(action, host),
                    None => Ok(false),
                }
            }
            Event::Resize(width, height) => self.dispatch(Action::Resize { width, height }, host),
            _ => Ok(false),
        }
    }

    /// Runs until the user quits, a terminate action arrives or the event stream ends.
    pub async fn run<B, S>(
        &mut self,
        terminal: &mut Terminal<B>,
        mut events: S,
        mut external: UnboundedReceiver<Action>,
        host: &mut (dyn Host + Send),
    ) -> io::Result<()>
    where
        B: Backend,
        B::Error: std::error::Error + Send + Sync + 'static,
        S: EventSource,
    {
        let size = terminal.size().map_err(io::Error::other)?;
        self.state.size = (size.width, size.height);
        let mut dirty = true;
        let mut last_frame: Option<Instant> = None;
        // A change the user's input made is waiting to be drawn (paced by INPUT_FRAME).
        let mut input_pending = false;
        loop {
            if self.state.quit {
                return Ok(());
            }
            if let Some(program) = self.foreground.take() {
                dirty |= self.run_foreground(program, &mut events, host)?;
            }
            let now = Instant::now();
            let pace = if input_pending { INPUT_FRAME } else { FRAME };
            let frame_due = last_frame.is_none_or(|t| now.duration_since(t) >= pace);
            if dirty && frame_due {
                input_pending = false;
                if self.needs_clear {
                    // After a suspend the terminal shows the shell: repaint every cell.
                    // Not `Terminal::clear`: it asks the terminal where the cursor is, and a
                    // terminal that does not answer in time would end the session. Clearing
                    // the screen and blanking both buffers makes the frame write every cell.
                    terminal
                        .backend_mut()
                        .clear_region(ratatui::backend::ClearType::All)
                        .map_err(io::Error::other)?;
                    terminal.swap_buffers();
                    self.needs_clear = false;
                }
                let view = View {
                    keymap: &self.config.keymap,
                    theme: &self.config.theme,
                    now: unix_now(),
                };
                terminal
                    .draw(|frame| ui::draw(frame, &self.state, view))
                    .map_err(io::Error::other)?;
                self.frames += 1;
                dirty = false;
                last_frame = Some(Instant::now());
            }
            let deadline = match (dirty, last_frame) {
                (true, Some(t)) => Some(t + pace),
                _ => None,
            };
            tokio::select! {
                event = events.next() => match event {
                    Some(Ok(event)) => {
                        let changed = self.on_event(event, host)?;
                        dirty |= changed;
                        input_pending |= changed;
                    }
                    Some(Err(e)) => return Err(e),
                    None => return Ok(()),
                },
                Some(job) = self.updates.recv() => {
                    dirty |= self.dispatch(Action::Job(Box::new(job)), host)?;
                }
                Some(action) = external.recv() => {
                    dirty |= self.dispatch(action, host)?;
                }
                Some(action) = self.internal.1.recv() => {
                    dirty |= self.dispatch(action, host)?;
                }
                () = sleep_until(deadline), if deadline.is_some() => {}
            }
        }
    }
}

/// Clients that use the demo service's public credentials.
pub fn demo_clients() -> Clients {
    Clients::with_credentials(crate::aws::client::StaticCredentials {
        access_key_id: crate::local::DEMO_ACCESS_KEY_ID.to_string(),
        secret_access_key: crate::local::DEMO_SECRET_ACCESS_KEY.to_string().into(),
        session_token: None,
    })
}

/// Clients that act as the demo's user number `user`: 0 alice (the first, as
/// [`demo_clients`]), 1 bob (who reviews alice's requests), 2 carol (whose `master` is
/// protected by her IAM policy).
pub fn demo_user_clients(user: usize) -> Clients {
    let (access_key_id, secret) = match user {
        1 => (
            crate::local::DEMO_BOB_ACCESS_KEY_ID,
            crate::local::DEMO_BOB_SECRET_ACCESS_KEY,
        ),
        2 => (
            crate::local::DEMO_CAROL_ACCESS_KEY_ID,
            crate::local::DEMO_CAROL_SECRET_ACCESS_KEY,
        ),
        _ => return demo_clients(),
    };
    Clients::with_credentials(crate::aws::client::StaticCredentials {
        access_key_id: access_key_id.to_string(),
        secret_access_key: secret.to_string().into(),
        session_token: None,
    })
}

/// Seconds since the epoch, for relative times ("3 min ago") drawn in this frame.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(deadline) = deadline {
        tokio::time::sleep_until(deadline).await;
    }
}
