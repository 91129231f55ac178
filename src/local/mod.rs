//! The local CodeCommit-compatible service (`cctui serve`, `cctui --demo`).
pub mod config;
pub mod faults;
pub mod ops;
pub mod sigv4_verify;
pub mod store;
/// Options of `cctui serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// TCP port on 127.0.0.1 (0 = pick a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

/// Error of the local service.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The feature is not built yet.
    #[error("`cctui serve` is not yet available in this build")]
    NotYetAvailable,
}

/// Runs the service in the foreground until Ctrl-C or SIGTERM.
pub async fn run_serve(_args: ServeArgs) -> Result<(), ServeError> {
    Err(ServeError::NotYetAvailable)
}
