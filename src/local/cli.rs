//! `cctui serve`: options, the banner, and running until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::path::PathBuf;

use crate::local::ServeError;
use crate::local::config::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY,
    ServiceConfig,
};
use crate::local::demo::seed_if_needed;
use crate::local::faults::FaultSettings;
use crate::local::server::LocalService;
use crate::secret::Secret;

/// Options of `cctui serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// TCP port on 127.0.0.1 (0 = pick a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Where repositories and metadata are kept [default: the cctui data directory].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Access key id clients must sign with [default: the public demo key].
    #[arg(long, value_name = "ID", requires = "secret_key")]
    pub access_key: Option<String>,
    /// Secret access key for --access-key.
    #[arg(long, value_name = "SECRET", requires = "access_key")]
    pub secret_key: Option<String>,
    /// Session token clients must send with --access-key (temporary credentials).
    #[arg(long, value_name = "TOKEN", requires = "access_key")]
    pub session_token: Option<String>,
    /// Region of ARNs and credential scopes.
    #[arg(long, default_value = DEMO_REGION)]
    pub region: String,
    /// Account id reported in metadata.
    #[arg(long, default_value = DEMO_ACCOUNT_ID)]
    pub account_id: String,
    /// Seed data: `demo` creates the demo repositories (once per data directory).
    #[arg(long, value_name = "NAME", value_parser = ["demo"])]
    pub seed: Option<String>,
    /// Static git user name accepted besides IAM git passwords.
    #[arg(long, requires = "git_password")]
    pub git_user: Option<String>,
    /// Static git password for --git-user.
    #[arg(long, requires = "git_user")]
    pub git_password: Option<String>,
    /// Delay every request by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction (0–1) of API requests answered with a 5xx error.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fraction (0–1) of API requests answered with ThrottlingException.
    #[arg(long, default_value_t = 0.0)]
    pub throttle_rate: f64,
    /// Cut every git response after this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub drop_after_bytes: Option<u64>,
    /// Seed of the fault generator, for reproducible runs.
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
}

fn default_data_dir() -> Result<PathBuf, ServeError> {
    directories::ProjectDirs::from("", "", "cctui")
        .map(|dirs| dirs.data_dir().join("service"))
        .ok_or(ServeError::NoDataDir)
}

fn config_from(args: &ServeArgs) -> Result<(ServiceConfig, bool), ServeError> {
    for (flag, rate) in [
        ("--error-rate", args.error_rate),
        ("--throttle-rate", args.throttle_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ServeError::InvalidOption(format!(
                "{flag} must be between 0 and 1, got {rate}"
            )));
        }
    }
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => default_data_dir()?,
    };
    let mut config = ServiceConfig::new(data_dir);
    config.port = args.port;
    config.region = args.region.clone();
    config.account_id = args.account_id.clone();
    let demo_credentials = args.access_key.is_none();
    if let (Some(key), Some(secret)) = (&args.access_key, &args.secret_key) {
        let mut credential = Credential::new(key.clone(), secret.clone());
        if let Some(token) = &args.session_token {
            credential = credential.with_session_token(token.clone());
        }
        config.credentials = vec![credential];
    }
    if let (Some(user), Some(password)) = (&args.git_user, &args.git_password) {
        config.git_static = Some((user.clone(), Secret::new(password.clone())));
    }
    config.faults = FaultSettings {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        throttle_rate: args.throttle_rate,
        drop_after_bytes: args.drop_after_bytes,
        seed: args.fault_seed,
    };
    Ok((config, demo_credentials))
}

/// Runs the service in the foreground until Ctrl-C or SIGTERM.
pub async fn run_serve(args: ServeArgs) -> Result<(), ServeError> {
    let (config, demo_credentials) = config_from(&args)?;
    if args.seed.as_deref() == Some("demo") {
        let dir = config.data_dir.clone();
        tokio::task::spawn_blocking(move || seed_if_needed(&dir, false))
            .await
            .map_err(|e| ServeError::Seed(e.to_string()))??;
    }
    let region = config.region.clone();
    let data_dir = config.data_dir.clone();
    let access_key = config
        .credentials
        .first()
        .map(|c| c.access_key_id.clone())
        .unwrap_or_default();
    let service = LocalService::start(config).await?;
    let endpoint = service.endpoint();
    // The demo secret is public demo data; a user's own secret is never printed.
    let secret_shown = if demo_credentials {
        DEMO_SECRET_ACCESS_KEY.to_string()
    } else {
        "******** (the --secret-key you gave)".to_string()
    };
    let secret_env = if demo_credentials {
        DEMO_SECRET_ACCESS_KEY.to_string()
    } else {
        "<your secret key>".to_string()
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "cctui local CodeCommit service");
    let _ = writeln!(out, "  endpoint:    {endpoint}");
    let _ = writeln!(out, "  data dir:    {}", data_dir.display());
    let _ = writeln!(out, "  region:      {region}");
    let _ = writeln!(
        out,
        "  access key:  {access_key}{}",
        if access_key == DEMO_ACCESS_KEY_ID {
            " (public demo key)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "  secret key:  {secret_shown}");
    let recovery = service.recovery();
    if !recovery.is_clean() {
        let _ = writeln!(
            out,
            "  recovered:   {} temp files, {} orphan folders, {} quarantine folders, {} stale locks removed; {} repositories completed (see the log)",
            recovery.temp_files,
            recovery.orphan_folders,
            recovery.quarantine_folders,
            recovery.lock_files,
            recovery.completed
        );
    }
    let _ = writeln!(
        out,
        "  git clone:   {endpoint}/v1/repos/<name> (IAM git password or --git-user)"
    );
    let _ = writeln!(out, "Try:");
    let _ = writeln!(
        out,
        "  AWS_ACCESS_KEY_ID={access_key} AWS_SECRET_ACCESS_KEY='{secret_env}' aws --endpoint-url {endpoint} --region {region} codecommit list-repositories"
    );
    let _ = writeln!(out, "Stop with Ctrl-C.");
    let _ = writeln!(out, "READY {}", service.port());
    let _ = out.flush();
    drop(out);
    wait_for_stop().await?;
    service.shutdown().await;
    Ok(())
}

async fn wait_for_stop() -> Result<(), ServeError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).map_err(ServeError::Signal)?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(ServeError::Signal),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(ServeError::Signal)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> ServeArgs {
        Wrapper::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap()
            .serve
    }

    #[test]
    fn flags_become_the_service_config_and_secrets_stay_hidden() {
        let args = parse(&[
            "--port",
            "4321",
            "--data-dir",
            "/tmp/x",
            "--access-key",
            "AKIAUSER",
            "--secret-key",
            "s3cr3t-value",
            "--git-user",
            "u",
            "--git-password",
            "p4ss-value",
            "--error-rate",
            "0.5",
            "--drop-after-bytes",
            "1000",
        ]);
        let (config, demo) = config_from(&args).unwrap();
        assert!(!demo);
        assert_eq!(config.port, 4321);
        assert_eq!(config.credentials[0].access_key_id, "AKIAUSER");
        assert_eq!(config.faults.drop_after_bytes, Some(1000));
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("p4ss"),
            "{shown}"
        );
    }

    #[test]
    fn demo_credentials_by_default_and_rates_are_checked() {
        let (config, demo) = config_from(&parse(&["--data-dir", "/tmp/x"])).unwrap();
        assert!(demo);
        assert_eq!(config.credentials[0].access_key_id, DEMO_ACCESS_KEY_ID);
        let error = config_from(&parse(&["--data-dir", "/tmp/x", "--throttle-rate", "1.5"]))
            .unwrap_err()
            .to_string();
        assert!(error.contains("--throttle-rate"), "{error}");
        assert!(
            Wrapper::try_parse_from(["serve", "--access-key", "AKIA"]).is_err(),
            "a key without its secret is refused"
        );
    }
}
