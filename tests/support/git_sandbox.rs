//! Keeps the developer's git configuration out of libgit2 in tests (as gitui's
//! `sandbox_config_files`): every config level points at one empty directory, once per process.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::OnceLock;

pub fn sandbox_libgit2_config() {
    static EMPTY: OnceLock<tempfile::TempDir> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        for level in [
            git2::ConfigLevel::Global,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::System,
            git2::ConfigLevel::ProgramData,
        ] {
            // SAFETY: runs once, before the first clone of the test binary.
            unsafe { git2::opts::set_search_path(level, dir.path()).unwrap() };
        }
        dir
    });
}
