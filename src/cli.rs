//! Command-line interface (clap). Kept in the library so completions and tests see the same
//! definition as the binary.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::local::ServeArgs;

/// A keyboard-driven terminal UI for git repositories hosted in AWS CodeCommit.
#[derive(Debug, Parser)]
#[command(name = "cctui", version, about, long_about = None)]
pub struct Cli {
    /// AWS profile from ~/.aws/config or ~/.aws/credentials (default: AWS_PROFILE, else "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: AWS_REGION, else the profile's region).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send CodeCommit API calls to this endpoint instead of AWS (a VPC endpoint, `cctui serve`).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Read this config file instead of the default one (also: CCTUI_CONFIG).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open this local clone in the status and log panes (like `git -C`).
    #[arg(short = 'C', long = "repo", value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Hide and refuse every command that changes a repository, a branch or a file.
    #[arg(long)]
    pub readonly: bool,
    /// Try cctui without AWS: starts a local CodeCommit-compatible service with sample repositories.
    #[arg(long)]
    pub demo: bool,
    /// With --demo: delete the demo data and seed it again.
    #[arg(long, requires = "demo")]
    pub demo_reset: bool,
    /// What to run instead of the terminal UI.
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run the local CodeCommit-compatible service in the foreground.
    Serve(Box<ServeArgs>),
    /// Git credential helper computing CodeCommit git passwords from your AWS credentials.
    ///
    /// Set it up with `git config --global credential.helper '!cctui credential-helper'` and
    /// `git config --global credential.useHttpPath true`. Answers for CodeCommit hosts (region
    /// from the host name) and loopback hosts (`cctui serve`); other hosts only with --any-host.
    CredentialHelper {
        /// The operation git asks for: get, store or erase (store and erase do nothing).
        operation: String,
        /// Also answer for hosts that are neither CodeCommit nor loopback (HTTPS only), e.g. a
        /// proxy in front of CodeCommit.
        #[arg(long)]
        any_host: bool,
    },
    /// Print a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// Text appended to `--help`: where logs and config live.
pub fn after_help() -> String {
    let config = crate::config::paths::default_config_file()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "unknown".into());
    let logs = crate::config::paths::log_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "unknown".into());
    format!(
        "Config file: {config} (override with --config or CCTUI_CONFIG)\n\
         Log files:   {logs}/cctui.log.* (level from CCTUI_LOG, e.g. CCTUI_LOG=debug)\n\
         Keys:        press ? inside cctui"
    )
}
