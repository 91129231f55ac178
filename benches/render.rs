//! `render5000`: time to draw one frame of the main screen with 5,000 repositories listed
//! (the repositories pane builds rows for the visible window only). Peer: the same frame with
//! an empty list, so the ratio shows what the 5,000 rows cost. Target: p99 < 2 ms.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use cctui::app::action::Action;
use cctui::app::command::CommandId;
use cctui::app::state::{Session, State};
use cctui::app::update::update;
use cctui::aws::client::Target;
use cctui::aws::repos::Repository;
use cctui::config::Config;
use cctui::jobs::{JobEvent, JobOutput, JobUpdate};
use cctui::ui::{self, View};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn p99(state: &State, frames: usize) -> f64 {
    let config = Config::default();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut times: Vec<f64> = (0..frames)
        .map(|_| {
            let view = View {
                keymap: &config.keymap,
                theme: &config.theme,
                now: 1_795_640_088,
            };
            let start = Instant::now();
            terminal.draw(|frame| ui::draw(frame, state, view)).unwrap();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[(times.len() * 99 / 100).min(times.len() - 1)]
}

fn main() {
    let mut state = State::new(Session {
        region: Some("us-east-1".into()),
        ..Session::default()
    });
    let empty = p99(&state, 500);
    let effects = update(&mut state, Action::Command(CommandId::Refresh));
    let Some(listing) = effects.iter().find_map(|e| match e {
        cctui::app::effect::Effect::Spawn { id, .. } => Some(*id),
        _ => None,
    }) else {
        return;
    };
    for batch in 0..200 {
        let repositories = (0..25)
            .map(|i| {
                let n = batch * 25 + i;
                let repo = Repository {
                    name: format!("service-{n:05}"),
                    description: format!("Repository number {n} of the benchmark"),
                    default_branch: Some("master".into()),
                    last_modified: Some(1_795_000_000 + n as i64),
                    ..Repository::default()
                };
                (repo, None)
            })
            .collect();
        let output = JobOutput::Repos(cctui::jobs::ReposOutput::RepositoryBatch {
            target: Target::default(),
            repositories,
        });
        update(
            &mut state,
            Action::Job(Box::new(JobUpdate {
                id: listing,
                event: JobEvent::Output(output),
            })),
        );
    }
    assert_eq!(state.repos.view.len(), 5000);
    // Scroll to the middle so the window is not the first page.
    for _ in 0..2500 {
        update(&mut state, Action::Command(CommandId::Down));
    }
    let full = p99(&state, 2000);
    println!(
        "render5000: p99 {full:.3}ms ({:.2}x empty-list frame, target <2ms)",
        full / empty.max(1e-9)
    );
}
