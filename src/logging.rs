//! Logging to a daily-rolling file, never to the terminal (which belongs to the TUI).

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Keeps the background writer alive; logs are flushed when it drops.
#[derive(Debug)]
pub struct LogGuard {
    _guard: WorkerGuard,
    /// The directory of the log files.
    pub dir: PathBuf,
}

/// Starts logging into `dir/cctui.log.<date>`, level from `CCTUI_LOG` (default `info`).
/// Returns `None` (and logs nothing) when the directory cannot be created.
pub fn init(dir: &Path) -> Option<LogGuard> {
    std::fs::create_dir_all(dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("cctui.log")
        .max_log_files(7)
        .build(dir)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("CCTUI_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(LogGuard {
        _guard: guard,
        dir: dir.to_path_buf(),
    })
}
