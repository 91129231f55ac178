//! `cctui serve`: options, the banner, and running until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::local::ServeError;
use crate::local::config::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_BOB_ACCESS_KEY_ID,
    DEMO_BOB_SECRET_ACCESS_KEY, DEMO_BOB_USER, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, DEMO_USER,
    Limits, ServiceConfig,
};
use crate::local::demo::seed_if_needed;
use crate::local::faults::FaultSettings;
use crate::local::secrets::{
    GIT_PASSWORD_ENV, SECRET_KEY_ENV, SESSION_TOKEN_ENV, SecretSource, read_profile,
    read_secret_file, shared_credentials_file,
};
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
    /// Access key id clients must sign with [default: the public demo key]. Its secret comes
    /// from --secret-key-file, $CCTUI_SERVE_SECRET_KEY or --credentials-profile.
    #[arg(long, value_name = "ID")]
    pub access_key: Option<String>,
    /// File holding the secret access key for --access-key (whitespace around it is ignored).
    #[arg(long, value_name = "FILE", conflicts_with = "secret_key")]
    pub secret_key_file: Option<PathBuf>,
    /// Secret access key for --access-key. Visible to every user in `ps`: prefer
    /// --secret-key-file or $CCTUI_SERVE_SECRET_KEY.
    #[arg(long, value_name = "SECRET", requires = "access_key")]
    pub secret_key: Option<String>,
    /// Take the access key, secret and session token from this profile of the shared
    /// credentials file ($AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["secret_key", "secret_key_file"])]
    pub credentials_profile: Option<String>,
    /// Session token clients must send with --access-key (temporary credentials); also
    /// $CCTUI_SERVE_SESSION_TOKEN.
    #[arg(long, value_name = "TOKEN", requires = "access_key")]
    pub session_token: Option<String>,
    /// IAM user owning --access-key (or the profile's key): STS GetCallerIdentity answers
    /// `arn:aws:iam::<account>:user/<NAME>` for it. Without --access-key the public demo keys
    /// are accepted, owned by users `alice` and `bob`.
    #[arg(long, value_name = "NAME", default_value = crate::local::config::DEFAULT_USER)]
    pub key_user: String,
    /// Add an IAM user with its own access key (repeatable). Keys are generated the first time
    /// a name is seen and kept in `<data dir>/users.credentials`, an AWS shared-credentials file
    /// (mode 0600) with one profile per user; they are never printed or logged. Use them with
    /// `AWS_SHARED_CREDENTIALS_FILE=<that file> aws --profile NAME …`.
    #[arg(long = "user", value_name = "NAME")]
    pub users: Vec<String>,
    /// Region of ARNs and credential scopes.
    #[arg(long, default_value = DEMO_REGION)]
    pub region: String,
    /// Account id reported in metadata.
    #[arg(long, default_value = DEMO_ACCOUNT_ID)]
    pub account_id: String,
    /// Seed data: `demo` creates the demo repositories (once per data directory).
    #[arg(long, value_name = "NAME", value_parser = ["demo"])]
    pub seed: Option<String>,
    /// Static git user name accepted besides IAM git passwords; its password comes from
    /// --git-password-file or $CCTUI_SERVE_GIT_PASSWORD.
    #[arg(long)]
    pub git_user: Option<String>,
    /// File holding the static git password for --git-user.
    #[arg(
        long,
        value_name = "FILE",
        requires = "git_user",
        conflicts_with = "git_password"
    )]
    pub git_password_file: Option<PathBuf>,
    /// Static git password for --git-user. Visible in `ps`: prefer --git-password-file.
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
    /// Fraction (0–1) of git responses --drop-after-bytes cuts [default: every one].
    #[arg(long, value_name = "RATE", requires = "drop_after_bytes")]
    pub drop_rate: Option<f64>,
    /// Seed of the fault generator, for reproducible runs.
    #[arg(long, default_value_t = 0)]
    pub fault_seed: u64,
    /// Seconds a connection may take to send a request's headers, counted from the end of the
    /// previous response: also how long an idle keep-alive connection stays open.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub header_timeout: u64,
    /// Seconds a request body (or a client's reading of a response) may pause before the
    /// transfer counts as stalled and is ended with its git processes.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub stall_timeout: u64,
    /// Open connections at once; more get 503.
    #[arg(long, value_name = "N", default_value_t = 2048)]
    pub max_connections: usize,
    /// `git http-backend` processes at once; a git request waits --git-queue-timeout for one,
    /// then gets 429 Rate Exceeded.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub max_git_processes: usize,
    /// Seconds a git request waits for a free process.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub git_queue_timeout: u64,
    /// Also serve git over SSH on this port of 127.0.0.1 (0 = pick a free one); off when
    /// absent. Logins: the SSH key ID as user and an active key uploaded through IAM.
    #[arg(long, value_name = "PORT")]
    pub ssh_port: Option<u16>,
}

fn default_data_dir() -> Result<PathBuf, ServeError> {
    directories::ProjectDirs::from("", "", "cctui")
        .map(|dirs| dirs.data_dir().join("service"))
        .ok_or(ServeError::NoDataDir)
}

/// The service configuration and where its secret came from. `env` reads environment
/// variables (a parameter, so tests need not change the process environment).
fn config_from(
    args: &ServeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(ServiceConfig, SecretSource), ServeError> {
    for (flag, rate) in [
        ("--error-rate", args.error_rate),
        ("--throttle-rate", args.throttle_rate),
        ("--drop-rate", args.drop_rate.unwrap_or(0.0)),
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
    config.ssh_port = args.ssh_port;
    config.region = args.region.clone();
    config.account_id = args.account_id.clone();
    for name in std::iter::once(&args.key_user).chain(&args.users) {
        crate::local::iam::users::validate_user_name(name).map_err(|_| {
            ServeError::InvalidOption(format!(
                "'{name}' is not a valid IAM user name: use 1 to 64 letters, digits or _+=,.@-"
            ))
        })?;
    }
    config.default_user = args.key_user.clone();
    config.extra_users = args.users.clone();
    let (credential, source) = credential_from(args, env)?;
    if let Some(credential) = credential {
        config.credentials = vec![credential];
    }
    if let Some(user) = &args.git_user {
        let password = if let Some(password) = &args.git_password {
            Secret::new(password.clone())
        } else if let Some(path) = &args.git_password_file {
            read_secret_file(path)?
        } else if let Some(password) = env(GIT_PASSWORD_ENV).filter(|p| !p.is_empty()) {
            Secret::new(password)
        } else {
            return Err(ServeError::InvalidOption(format!(
                "--git-user needs its password: --git-password-file FILE or ${GIT_PASSWORD_ENV}"
            )));
        };
        config.git_static = Some((user.clone(), password));
    }
    config.faults = FaultSettings {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        throttle_rate: args.throttle_rate,
        drop_after_bytes: args.drop_after_bytes,
        drop_rate: args.drop_rate,
        seed: args.fault_seed,
    };
    config.limits = Limits {
        header_read_timeout: Duration::from_secs(args.header_timeout.max(1)),
        body_stall_timeout: Duration::from_secs(args.stall_timeout.max(1)),
        max_connections: args.max_connections.max(1),
        max_git_processes: args.max_git_processes.max(1),
        git_queue_timeout: Duration::from_secs(args.git_queue_timeout),
    };
    Ok((config, source))
}

/// The accepted credential (None: the demo one) and where its secret came from.
fn credential_from(
    args: &ServeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(Option<Credential>, SecretSource), ServeError> {
    let env_token = || env(SESSION_TOKEN_ENV).filter(|t| !t.is_empty());
    if let Some(profile) = &args.credentials_profile {
        let path = shared_credentials_file(env).ok_or_else(|| {
            ServeError::InvalidOption(
                "--credentials-profile needs $AWS_SHARED_CREDENTIALS_FILE or $HOME".into(),
            )
        })?;
        let found = read_profile(&path, profile)?;
        let mut credential = Credential {
            access_key_id: args.access_key.clone().unwrap_or(found.access_key_id),
            secret_access_key: found.secret_access_key,
            session_token: found.session_token,
        };
        if let Some(token) = args.session_token.clone().or_else(env_token) {
            credential.session_token = Some(Secret::new(token));
        }
        return Ok((
            Some(credential),
            SecretSource::Profile(profile.clone(), path),
        ));
    }
    let Some(key) = &args.access_key else {
        return Ok((None, SecretSource::Demo));
    };
    let (secret, source) = if let Some(secret) = &args.secret_key {
        (
            Secret::new(secret.clone()),
            SecretSource::CommandLine("--secret-key"),
        )
    } else if let Some(path) = &args.secret_key_file {
        (read_secret_file(path)?, SecretSource::File(path.clone()))
    } else if let Some(secret) = env(SECRET_KEY_ENV).filter(|s| !s.is_empty()) {
        (
            Secret::new(secret),
            SecretSource::Environment(SECRET_KEY_ENV),
        )
    } else {
        return Err(ServeError::InvalidOption(format!(
            "--access-key needs its secret: --secret-key-file FILE, ${SECRET_KEY_ENV}, or --credentials-profile NAME"
        )));
    };
    let credential = Credential {
        access_key_id: key.clone(),
        secret_access_key: secret,
        session_token: args
            .session_token
            .clone()
            .or_else(env_token)
            .map(Secret::new),
    };
    Ok((Some(credential), source))
}

/// Runs the service in the foreground until Ctrl-C or SIGTERM.
pub async fn run_serve(args: ServeArgs) -> Result<(), ServeError> {
    let (config, source) = config_from(&args, &|name| std::env::var(name).ok())?;
    if matches!(source, SecretSource::CommandLine(_)) || args.git_password.is_some() {
        eprintln!(
            "cctui serve: warning: a secret on the command line is visible to every user (ps); use --secret-key-file, --git-password-file or ${SECRET_KEY_ENV} instead"
        );
    }
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
    // The demo secret is public demo data; a user's own secret is never printed, only where
    // it came from.
    let demo_credentials = source == SecretSource::Demo;
    let secret_shown = if demo_credentials {
        DEMO_SECRET_ACCESS_KEY.to_string()
    } else {
        format!("******** ({source})")
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
    if demo_credentials {
        let _ = writeln!(
            out,
            "  IAM users:   {DEMO_USER} (the key above), {DEMO_BOB_USER} ({DEMO_BOB_ACCESS_KEY_ID} / {DEMO_BOB_SECRET_ACCESS_KEY})"
        );
    } else {
        let _ = writeln!(out, "  IAM user:    {} (the key above)", args.key_user);
    }
    if let Some(file) = service.user_keys_file() {
        let _ = writeln!(
            out,
            "  more users:  {} — keys in {} (AWS_SHARED_CREDENTIALS_FILE=<file> aws --profile <name> …)",
            args.users.join(", "),
            file.display()
        );
    }
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
        "  git clone:   {endpoint}/v1/repos/<name> (IAM git password, HTTPS git credentials from iam create-service-specific-credential, or --git-user)"
    );
    if let (Some(port), Some(fingerprint)) =
        (service.ssh_port(), service.ssh_host_key_fingerprint())
    {
        let _ = writeln!(
            out,
            "  git over SSH: ssh://<SSH key ID>@127.0.0.1:{port}/v1/repos/<name> (host key {fingerprint})"
        );
    }
    let _ = writeln!(out, "Try:");
    let _ = writeln!(
        out,
        "  AWS_ACCESS_KEY_ID={access_key} AWS_SECRET_ACCESS_KEY='{secret_env}' aws --endpoint-url {endpoint} --region {region} codecommit list-repositories"
    );
    let _ = writeln!(
        out,
        "  AWS_ACCESS_KEY_ID={access_key} AWS_SECRET_ACCESS_KEY='{secret_env}' aws --endpoint-url {endpoint} --region {region} sts get-caller-identity"
    );
    let _ = writeln!(out, "Stop with Ctrl-C.");
    let _ = writeln!(out, "READY {}", service.port());
    let _ = out.flush();
    drop(out);
    wait_for_stop().await?;
    let stats = service.stats_snapshot();
    service.shutdown().await;
    // One parseable line for scripts (the soak test) that want the counters of the run.
    println!(
        "STATS api_requests={} api_faults_injected={} api_auth_failures={} git_requests={} git_transfers_cut={} git_throttled={} connections_refused={}",
        stats.api_requests,
        stats.api_faults_injected,
        stats.api_auth_failures,
        stats.git_requests,
        stats.git_transfers_cut,
        stats.git_throttled,
        stats.connections_refused
    );
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

    fn no_env(_: &str) -> Option<String> {
        None
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
            "--header-timeout",
            "5",
            "--max-git-processes",
            "3",
            "--ssh-port",
            "0",
        ]);
        let (config, source) = config_from(&args, &no_env).unwrap();
        assert_eq!(source, SecretSource::CommandLine("--secret-key"));
        assert_eq!(config.port, 4321);
        assert_eq!(config.credentials[0].access_key_id, "AKIAUSER");
        assert_eq!(config.faults.drop_after_bytes, Some(1000));
        assert_eq!(config.limits.header_read_timeout, Duration::from_secs(5));
        assert_eq!(config.limits.max_git_processes, 3);
        assert_eq!(config.ssh_port, Some(0));
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("p4ss"),
            "{shown}"
        );
    }

    #[test]
    fn secrets_come_from_a_file_the_environment_or_a_profile() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("secret");
        std::fs::write(&file, "from-file\n").unwrap();
        let file_arg = file.to_str().unwrap();
        let (config, source) = config_from(
            &parse(&[
                "--data-dir",
                "/tmp/x",
                "--access-key",
                "AKIAF",
                "--secret-key-file",
                file_arg,
            ]),
            &no_env,
        )
        .unwrap();
        assert_eq!(source, SecretSource::File(file.clone()));
        assert_eq!(
            config.credentials[0].secret_access_key.expose(),
            "from-file"
        );

        let env = |name: &str| match name {
            SECRET_KEY_ENV => Some("from-env".to_string()),
            SESSION_TOKEN_ENV => Some("token-env".to_string()),
            _ => None,
        };
        let (config, source) = config_from(
            &parse(&["--data-dir", "/tmp/x", "--access-key", "AKIAE"]),
            &env,
        )
        .unwrap();
        assert_eq!(source, SecretSource::Environment(SECRET_KEY_ENV));
        assert_eq!(config.credentials[0].secret_access_key.expose(), "from-env");
        assert_eq!(
            config.credentials[0]
                .session_token
                .as_ref()
                .unwrap()
                .expose(),
            "token-env"
        );

        let credentials = dir.path().join("credentials");
        std::fs::write(
            &credentials,
            "[local]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = from-profile\n",
        )
        .unwrap();
        let path = credentials.to_str().unwrap().to_string();
        let env = move |name: &str| (name == "AWS_SHARED_CREDENTIALS_FILE").then(|| path.clone());
        let (config, source) = config_from(
            &parse(&["--data-dir", "/tmp/x", "--credentials-profile", "local"]),
            &env,
        )
        .unwrap();
        assert!(matches!(source, SecretSource::Profile(ref p, _) if p == "local"));
        assert_eq!(config.credentials[0].access_key_id, "AKIAPROFILE");
        assert_eq!(
            config.credentials[0].secret_access_key.expose(),
            "from-profile"
        );
        assert!(!source.to_string().contains("from-profile"));

        // A key without any secret is refused with the ways to give one.
        let error = config_from(
            &parse(&["--data-dir", "/tmp/x", "--access-key", "AKIA"]),
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("--secret-key-file") && error.contains(SECRET_KEY_ENV),
            "{error}"
        );
        let error = config_from(
            &parse(&["--data-dir", "/tmp/x", "--git-user", "u"]),
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains(GIT_PASSWORD_ENV), "{error}");
    }

    #[test]
    fn demo_credentials_by_default_and_rates_are_checked() {
        let (config, source) = config_from(&parse(&["--data-dir", "/tmp/x"]), &no_env).unwrap();
        assert_eq!(source, SecretSource::Demo);
        assert_eq!(config.credentials[0].access_key_id, DEMO_ACCESS_KEY_ID);
        let error = config_from(
            &parse(&["--data-dir", "/tmp/x", "--throttle-rate", "1.5"]),
            &no_env,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("--throttle-rate"), "{error}");
        assert!(
            Wrapper::try_parse_from(["serve", "--secret-key", "x"]).is_err(),
            "a secret without its key is refused"
        );
    }
}
