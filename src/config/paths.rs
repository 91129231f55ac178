//! Where cctui keeps its files, from the platform conventions (the `directories` crate).

use std::path::PathBuf;

use directories::{BaseDirs, ProjectDirs};

fn project() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "cctui")
}

/// The default config file: `~/.config/cctui/config.toml` on Linux.
pub fn default_config_file() -> Option<PathBuf> {
    project().map(|p| p.config_dir().join("config.toml"))
}

/// Data files (demo service, recent repositories): `~/.local/share/cctui` on Linux.
pub fn data_dir() -> Option<PathBuf> {
    project().map(|p| p.data_dir().to_path_buf())
}

/// The recent-clones list.
pub fn recent_file() -> Option<PathBuf> {
    data_dir().map(|d| d.join("recent.txt"))
}

/// Log files: the state dir where the platform has one (`~/.local/state/cctui`), else data.
pub fn log_dir() -> Option<PathBuf> {
    project().map(|p| {
        p.state_dir()
            .unwrap_or_else(|| p.data_local_dir())
            .join("logs")
    })
}

/// The user's home directory.
pub fn home_dir() -> Option<PathBuf> {
    BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// Expands a leading `~/` to the home directory.
pub fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if path == "~" => home_dir().unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    }
}
