//! cctui: a keyboard-driven terminal UI for git repositories hosted in AWS CodeCommit.

pub mod local;
pub mod secret;
pub mod sigv4;
