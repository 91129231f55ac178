//! The listener: binds 127.0.0.1, routes requests to the API or git handlers, stops cleanly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

use crate::local::ServeError;
use crate::local::cgi::CgiSlots;
use crate::local::config::{Credential, Limits, ServiceConfig};
use crate::local::faults::Faults;
use crate::local::http::{Body, text};
use crate::local::iam::Iam;
use crate::local::iam::users::user_keys;
use crate::local::ops::Ops;
use crate::local::recovery::RecoveryReport;
use crate::local::stats::{Stats, StatsSnapshot, bump};
use crate::local::store::Store;
use crate::local::watchdog::{Progress, Watched, stalled};
use crate::local::{api, git_http, query_api, ssh};
use crate::secret::Secret;

/// State shared by all requests.
pub struct Shared {
    pub(crate) ops: Arc<Ops>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) stats: Arc<Stats>,
    pub(crate) credentials: Vec<Credential>,
    pub(crate) region: String,
    pub(crate) git_static: Option<(String, Secret<String>)>,
    pub(crate) max_api_body_bytes: usize,
    pub(crate) limits: Limits,
    pub(crate) cgi: CgiSlots,
    /// IAM users, SSH keys and service-specific credentials.
    pub(crate) iam: Arc<Iam>,
    /// CodeStar Notifications rules.
    pub(crate) notifications: Arc<crate::local::notifications::Notifications>,
}

impl Shared {
    /// The IAM state (the SSH endpoint asks it [`Iam::ssh_key_allows`]).
    pub fn iam(&self) -> &Arc<Iam> {
        &self.iam
    }
}

/// Entry point of the library API.
pub struct LocalService;

impl LocalService {
    /// Opens the data directory, binds 127.0.0.1:`config.port` and starts serving.
    pub async fn start(config: ServiceConfig) -> Result<RunningService, ServeError> {
        let store = Store::open(&config.data_dir)?;
        let recovery = store.recovery();
        let address = SocketAddr::from(([127, 0, 0, 1], config.port));
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ServeError::Bind {
                port: config.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| ServeError::Bind {
                port: config.port,
                source,
            })?
            .port();
        let (iam, credentials, user_keys_file) = open_iam(&config)?;
        let ssh = match config.ssh_port {
            Some(ssh_port) => Some(ssh::bind(&config.data_dir, ssh_port).await?),
            None => None,
        };
        let notifications = crate::local::notifications::Notifications::open(
            &config.data_dir,
            &config.region,
            &config.account_id,
        )
        .map_err(ServeError::Notifications)?;
        let faults = Arc::new(Faults::new(&config.faults));
        let stats = Arc::new(Stats::default());
        let shared = Arc::new(Shared {
            ops: Arc::new(
                Ops::new(
                    Arc::new(store),
                    config.region.clone(),
                    config.account_id.clone(),
                    port,
                )
                .with_ssh_port(ssh.as_ref().map(|bound| bound.port)),
            ),
            faults: Arc::clone(&faults),
            stats: Arc::clone(&stats),
            credentials,
            region: config.region.clone(),
            git_static: config.git_static.clone(),
            max_api_body_bytes: config.max_api_body_bytes,
            limits: config.limits.clone(),
            cgi: CgiSlots::new(
                config.limits.max_git_processes,
                config.limits.git_queue_timeout,
            ),
            iam: Arc::clone(&iam),
            notifications: Arc::new(notifications),
        });
        let ssh = ssh.map(|bound| {
            let (stop, stopped) = oneshot::channel();
            let info = SshInfo {
                port: bound.port,
                fingerprint: bound.fingerprint.clone(),
            };
            // The active keys uploaded through the IAM API, unless the caller gave its own.
            let authorizer = config.ssh_authorizer.clone().unwrap_or_else(|| {
                let iam = Arc::clone(&iam);
                ssh::SshAuthorizer::new(move |user, key_type, key_base64| {
                    iam.ssh_key_allows(user, key_type, key_base64)
                })
            });
            let task = ssh::spawn(bound, Arc::clone(&shared), authorizer, stopped);
            (info, stop, task)
        });
        let (ssh, ssh_stop, ssh_task) = match ssh {
            Some((info, stop, task)) => (Some(info), Some(stop), Some(task)),
            None => (None, None, None),
        };
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, shared, stopped));
        Ok(RunningService {
            port,
            ssh,
            ssh_stop,
            ssh_task,
            iam,
            user_keys_file,
            recovery,
            faults,
            stats,
            config,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// The IAM state with a user for every accepted key, and the keys of `--user` users added to
/// the accepted credentials.
#[allow(clippy::type_complexity)]
fn open_iam(
    config: &ServiceConfig,
) -> Result<(Arc<Iam>, Vec<Credential>, Option<std::path::PathBuf>), ServeError> {
    let mut credentials = config.credentials.clone();
    let mut owners = std::collections::HashMap::new();
    for credential in &credentials {
        let owner = config
            .key_owners
            .iter()
            .find(|(key, _)| *key == credential.access_key_id)
            .map_or(config.default_user.clone(), |(_, user)| user.clone());
        owners.insert(credential.access_key_id.clone(), owner);
    }
    let mut file = None;
    if !config.extra_users.is_empty() {
        let (extra, path) = user_keys(&config.data_dir, &config.extra_users)?;
        for (user, credential) in extra {
            owners.insert(credential.access_key_id.clone(), user);
            credentials.push(credential);
        }
        file = Some(path);
    }
    let iam = Iam::open(&config.data_dir, &config.account_id, owners)?;
    Ok((Arc::new(iam), credentials, file))
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    // Connections live in this set: when the loop ends (shutdown or drop), they are aborted.
    let mut connections = tokio::task::JoinSet::new();
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                    // Over the cap: say so and close, rather than leave the client in the
                    // backlog with no answer.
                    bump(&shared.stats.connections_refused);
                    connections.spawn(refuse(stream));
                    continue;
                };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let _slot = slot;
                    let header_read_timeout = shared.limits.header_read_timeout;
                    // No bytes either way for this long ends the connection in any state;
                    // never shorter than a legitimate silence (header wait, git queue wait).
                    let silence = shared
                        .limits
                        .body_stall_timeout
                        .max(header_read_timeout)
                        .max(shared.limits.git_queue_timeout);
                    let progress = Progress::new();
                    let io = TokioIo::new(Watched::new(stream, progress.clone()));
                    let service = service_fn(move |request| route(Arc::clone(&shared), request));
                    // The timer makes hyper close a connection whose next request head does
                    // not arrive in time: slow headers and idle keep-alive alike.
                    let mut builder = http1::Builder::new();
                    builder
                        .timer(TokioTimer::new())
                        .header_read_timeout(header_read_timeout);
                    let connection = builder.serve_connection(io, service);
                    tokio::select! {
                        _ = connection => {}
                        () = stalled(progress, silence) => {
                            tracing::info!(?silence, "closed a connection that made no progress");
                        }
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Answers a connection over the cap: its request, once it has arrived, gets `503` with
/// `Retry-After` and the connection closes. Answering before the request would reach a client
/// that has not sent it yet as a broken connection (hyper's "unexpected message"), which SDKs
/// do not retry; a `503` they retry with backoff.
async fn refuse(stream: tokio::net::TcpStream) {
    let service = service_fn(|request| async move {
        let mut response = unavailable(&request);
        let headers = response.headers_mut();
        headers.insert(
            hyper::header::RETRY_AFTER,
            hyper::header::HeaderValue::from_static("1"),
        );
        headers.insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
        Ok::<_, std::convert::Infallible>(response)
    });
    let mut builder = http1::Builder::new();
    builder.keep_alive(false);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    // A client that neither sends nor closes must not hold this task either.
    let _ = tokio::time::timeout(Duration::from_secs(2), connection).await;
}

/// `503` in the protocol `request` speaks, as AWS answers when it sheds load: the SDKs parse
/// the error and retry it.
fn unavailable<B>(request: &Request<B>) -> Response<Body> {
    let message = "The service is at its connection limit; retry shortly.";
    let error = crate::local::ops::ApiError {
        status: 503,
        code: "ServiceUnavailableException".into(),
        message: message.into(),
    };
    if request.uri().path().starts_with("/v1/repos/") {
        text(503, &format!("{message}\n"))
    } else if crate::local::notifications::api::is_notifications_request(request) {
        crate::local::notifications::api::error_response(&error)
    } else if query_api::is_query_request(request) {
        query_api::error_response(
            request,
            &crate::local::ops::ApiError {
                code: "ServiceUnavailable".into(),
                ..error
            },
        )
    } else {
        api::error_response(&error)
    }
}

async fn route(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, std::convert::Infallible> {
    let latency = shared.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let path = request.uri().path();
    Ok(if path.starts_with("/v1/repos/") {
        git_http::handle(shared, request).await
    } else if crate::local::notifications::api::is_notifications_request(&request) {
        crate::local::notifications::api::handle(shared, request).await
    } else if path == "/" && request.method() == hyper::Method::POST {
        if query_api::is_query_request(&request) {
            query_api::handle(shared, request).await
        } else {
            api::handle(shared, request).await
        }
    } else {
        text(
            404,
            "not found: use POST / for the API or /v1/repos/<name> for git",
        )
    })
}

/// The SSH endpoint of a running service.
#[derive(Debug, Clone)]
struct SshInfo {
    port: u16,
    fingerprint: String,
}

/// A running service. Dropping it stops the service too.
pub struct RunningService {
    port: u16,
    ssh: Option<SshInfo>,
    ssh_stop: Option<oneshot::Sender<()>>,
    ssh_task: Option<JoinHandle<()>>,
    iam: Arc<Iam>,
    user_keys_file: Option<std::path::PathBuf>,
    recovery: RecoveryReport,
    faults: Arc<Faults>,
    stats: Arc<Stats>,
    config: ServiceConfig,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningService {
    /// `http://127.0.0.1:PORT`, the endpoint URL for the SDK and the AWS CLI.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Clone URL of repository `name` (the repository need not exist).
    pub fn clone_url(&self, name: &str) -> String {
        format!("{}/v1/repos/{name}", self.endpoint())
    }

    /// The SSH endpoint's port, when it runs (`--ssh-port`).
    pub fn ssh_port(&self) -> Option<u16> {
        self.ssh.as_ref().map(|ssh| ssh.port)
    }

    /// `SHA256:…` of the SSH host key, when the SSH endpoint runs.
    pub fn ssh_host_key_fingerprint(&self) -> Option<&str> {
        self.ssh.as_ref().map(|ssh| ssh.fingerprint.as_str())
    }

    /// SSH clone URL of repository `name`, when the SSH endpoint runs.
    pub fn ssh_clone_url(&self, name: &str) -> Option<String> {
        self.ssh_port()
            .map(|port| format!("ssh://127.0.0.1:{port}/v1/repos/{name}"))
    }

    /// Live fault injection settings.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Live request counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// A snapshot of the counters.
    pub fn stats_snapshot(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// What start-up recovery found and cleaned in the data directory.
    pub fn recovery(&self) -> RecoveryReport {
        self.recovery
    }

    /// The IAM state: users, SSH keys, service-specific credentials.
    pub fn iam(&self) -> &Arc<Iam> {
        &self.iam
    }

    /// The shared-credentials file holding the keys of the `--user` users, if any.
    pub fn user_keys_file(&self) -> Option<&std::path::Path> {
        self.user_keys_file.as_deref()
    }

    /// The configuration the service was started with.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }

    /// Stops accepting, ends open connections and waits until the port is released.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.ssh_stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.ssh_task.take() {
            let _ = task.await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        if let Some(task) = self.ssh_task.take() {
            task.abort();
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
