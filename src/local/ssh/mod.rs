//! The SSH endpoint of the local service (`cctui serve --ssh-port`): git over SSH as
//! CodeCommit serves it, `git-upload-pack` and `git-receive-pack` at `/v1/repos/<name>`, for
//! the public keys an [`SshAuthorizer`] allows, with the SSH key ID as the user name.
//!
//! - [`host_key`]: the ed25519 host key, made once and kept in the data directory;
//! - [`command`]: which exec requests are served;
//! - [`session`]: one connection (public key authentication only) and its channels, each
//!   running real `git upload-pack` / `git receive-pack` in a process group of its own, under
//!   the same process slots as the HTTP side ([`crate::local::cgi`]).

pub mod command;
pub mod host_key;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

use crate::local::ServeError;
use crate::local::server::Shared;
use crate::local::stats::bump;

/// The check of a public key offered for an SSH user: `(ssh_user, key_type, key_base64)`,
/// e.g. `("APKAEIBAERJR2EXAMPLE", "ssh-ed25519", "AAAAC3…")`, true when that user (an SSH key
/// ID) is an active key with exactly this public key.
pub type SshKeyCheck = dyn Fn(&str, &str, &str) -> bool + Send + Sync;

/// Who may log in over SSH (see [`SshKeyCheck`]).
#[derive(Clone)]
pub struct SshAuthorizer(Arc<SshKeyCheck>);

impl SshAuthorizer {
    /// An authorizer asking `check`.
    pub fn new(check: impl Fn(&str, &str, &str) -> bool + Send + Sync + 'static) -> Self {
        Self(Arc::new(check))
    }

    /// Nobody.
    pub fn nobody() -> Self {
        Self::new(|_, _, _| false)
    }

    /// Whether `user` may log in with the public key `key_type key_base64`.
    pub fn allows(&self, user: &str, key_type: &str, key_base64: &str) -> bool {
        (self.0)(user, key_type, key_base64)
    }
}

impl std::fmt::Debug for SshAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SshAuthorizer(..)")
    }
}

/// The SSH listener, bound but not yet serving (the port goes into the clone URLs first).
pub(crate) struct BoundSsh {
    listener: TcpListener,
    key: russh::keys::PrivateKey,
    /// The port bound.
    pub(crate) port: u16,
    /// `SHA256:…` of the host key, as `ssh-keygen -l` prints it.
    pub(crate) fingerprint: String,
}

/// Loads (or makes) the host key in `data_dir` and binds 127.0.0.1:`port` (0: any free one).
pub(crate) async fn bind(data_dir: &std::path::Path, port: u16) -> Result<BoundSsh, ServeError> {
    let key = host_key::load_or_create(data_dir)?;
    let fingerprint = host_key::fingerprint(&key);
    let bind_error = |source| ServeError::SshBind { port, source };
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .map_err(bind_error)?;
    let port = listener.local_addr().map_err(bind_error)?.port();
    Ok(BoundSsh {
        listener,
        key,
        port,
        fingerprint,
    })
}

/// Serves `bound` until `stopped` fires (or the task is aborted); open connections, and the
/// git processes of their channels, end with it.
pub(crate) fn spawn(
    bound: BoundSsh,
    shared: Arc<Shared>,
    authorizer: SshAuthorizer,
    stopped: oneshot::Receiver<()>,
) -> JoinHandle<()> {
    let limits = &shared.limits;
    let config = Arc::new(russh::server::Config {
        methods: russh::MethodSet::from(&[russh::MethodKind::PublicKey][..]),
        keys: vec![bound.key],
        // Loopback only: no timing to hide a refusal from, and tests refuse keys on purpose.
        auth_rejection_time: std::time::Duration::from_millis(50),
        auth_rejection_time_initial: Some(std::time::Duration::ZERO),
        // A connection silent for longer than any legitimate pause is closed, as on HTTP.
        inactivity_timeout: Some(
            limits
                .body_stall_timeout
                .max(limits.header_read_timeout)
                .max(limits.git_queue_timeout),
        ),
        nodelay: true,
        ..Default::default()
    });
    tokio::spawn(accept_loop(
        bound.listener,
        config,
        shared,
        authorizer,
        stopped,
    ))
}

async fn accept_loop(
    listener: TcpListener,
    config: Arc<russh::server::Config>,
    shared: Arc<Shared>,
    authorizer: SshAuthorizer,
    mut stopped: oneshot::Receiver<()>,
) {
    // Connections live in this set: when the loop ends they are aborted, which drops their
    // channels and so kills their git processes.
    let mut connections = tokio::task::JoinSet::new();
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
                    bump(&shared.stats.connections_refused);
                    continue; // dropped: closed at once
                };
                let _ = stream.set_nodelay(true);
                let handler = session::Connection::new(Arc::clone(&shared), authorizer.clone());
                let config = Arc::clone(&config);
                connections.spawn(async move {
                    let _slot = slot;
                    match russh::server::run_stream(config, stream, handler).await {
                        Ok(running) => {
                            if let Err(error) = running.await {
                                tracing::debug!(%error, "SSH connection ended with an error");
                            }
                        }
                        Err(error) => tracing::debug!(%error, "SSH handshake failed"),
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
