//! The event loop on a TestBackend: keys in, frames out only when something changed, real jobs.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use cctui::app::state::{Session, State};
use cctui::config::Config;
use cctui::event_loop::{App, NoHost};
use cctui::jobs::JobRequest;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

type Events = UnboundedSender<std::io::Result<Event>>;

/// With the clock paused, a sleep ends only once every task is idle: the loop has handled
/// everything sent so far and drawn what it had to. No real time passes, so frame counts are
/// exact and do not depend on the machine's speed.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(120)).await;
}

#[tokio::test(start_paused = true)]
async fn draws_on_change_only_and_quits_on_q() {
    let (events_tx, events_rx): (Events, _) = unbounded_channel();
    let (_external_tx, external_rx) = unbounded_channel();
    let events = futures::stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    });
    let mut app = App::new(
        State::new(Session::default()),
        Config::default(),
        cctui::aws::client::Clients::new(),
    );
    let handle = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        app.run(&mut terminal, Box::pin(events), external_rx, &mut NoHost)
            .await
            .unwrap();
        (app.frames, terminal.backend().to_string())
    });
    settle().await;
    events_tx.send(key('?')).unwrap();
    settle().await;
    // Idle for a while: no frames should be drawn. Then a key that does nothing: still none.
    tokio::time::sleep(Duration::from_millis(300)).await;
    events_tx.send(key('%')).unwrap();
    settle().await;
    events_tx
        .send(Ok(Event::Key(KeyEvent::new(
            KeyCode::Esc,
            KeyModifiers::NONE,
        ))))
        .unwrap();
    settle().await;
    events_tx.send(key('q')).unwrap();
    let (frames, screen) = tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
    // First frame, `?`, `esc`: three changes, three frames (q quits without drawing).
    assert_eq!(frames, 3, "unexpected redraws");
    assert!(screen.contains("Repositories"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_keys_is_coalesced_into_few_frames() {
    let (events_tx, events_rx): (Events, _) = unbounded_channel();
    let (_external_tx, external_rx) = unbounded_channel();
    let events = futures::stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    });
    for _ in 0..200 {
        events_tx
            .send(Ok(Event::Key(KeyEvent::new(
                KeyCode::Tab,
                KeyModifiers::NONE,
            ))))
            .unwrap();
    }
    events_tx.send(key('q')).unwrap();
    let mut app = App::new(
        State::new(Session::default()),
        Config::default(),
        cctui::aws::client::Clients::new(),
    );
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    app.run(&mut terminal, Box::pin(events), external_rx, &mut NoHost)
        .await
        .unwrap();
    // The first frame, then the whole burst handled before the next frame is due: one more.
    assert!(app.frames <= 2, "{} frames for one burst", app.frames);
    // 200 tabs over 4 panes: back on the first pane.
    assert_eq!(app.state.focus, cctui::app::state::Pane::Repositories);
}

#[tokio::test]
async fn load_profiles_job_runs_off_the_loop_and_fills_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config");
    std::fs::write(&config_file, "[default]\n[profile staging]\n").unwrap();
    let credentials_file = dir.path().join("credentials");
    std::fs::write(&credentials_file, "[ci]\n").unwrap();

    let (events_tx, events_rx): (Events, _) = unbounded_channel();
    let (_external_tx, external_rx) = unbounded_channel();
    let events = futures::stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    });
    let mut app = App::new(
        State::new(Session::default()),
        Config::default(),
        cctui::aws::client::Clients::new(),
    );
    app.spawn(JobRequest::LoadProfiles {
        config_file: Some(config_file),
        credentials_file: Some(credentials_file),
    });
    // The job's report is applied before the loop starts; then q ends the loop.
    app.finish_jobs(&mut NoHost).await.unwrap();
    events_tx.send(key('q')).unwrap();
    let handle = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        app.run(&mut terminal, Box::pin(events), external_rx, &mut NoHost)
            .await
            .unwrap();
        app
    });
    let app = tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.state.repos.profiles, vec!["default", "ci", "staging"]);
    assert!(
        app.state.jobs.is_empty(),
        "a quick invisible job leaves no row"
    );
}

#[tokio::test]
async fn terminate_from_a_signal_ends_the_loop() {
    let (_events_tx, events_rx): (Events, _) = unbounded_channel();
    let (external_tx, external_rx) = unbounded_channel();
    let events = futures::stream::unfold(events_rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    });
    let mut app = App::new(
        State::new(Session::default()),
        Config::default(),
        cctui::aws::client::Clients::new(),
    );
    external_tx
        .send(cctui::app::action::Action::Terminate)
        .unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    tokio::time::timeout(
        Duration::from_secs(5),
        app.run(&mut terminal, Box::pin(events), external_rx, &mut NoHost),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(app.state.quit);
}
