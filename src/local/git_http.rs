//! Git smart HTTP at `/v1/repos/<name>/…`, served by `git http-backend` as a CGI program.
//!
//! Both directions stream: the request body is copied into the CGI's stdin as it arrives and
//! its stdout is forwarded in chunks through a small bounded channel, so memory stays flat
//! whatever the pack size and a slow client slows the CGI down instead of filling RAM.

use std::process::Stdio;
use std::sync::Arc;

use base64::Engine;
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::HeaderValue;
use hyper::{Request, Response};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::local::api::unix_now;
use crate::local::http::{Body, full, text};
use crate::local::iam::git_access::{self, Parsed};
use crate::local::iam::service_credentials::GitCredentialCheck;
use crate::local::ops::validate_repository_name;
use crate::local::server::Shared;
use crate::local::sigv4_verify::{GitAuthError, verify_git_password};
use crate::local::stats::bump;
use crate::sigv4::constant_time_eq;

/// Realm of the `WWW-Authenticate` challenge.
pub const REALM: &str = "cctui local CodeCommit";
const CHUNK: usize = 64 * 1024;

/// Handles one request under `/v1/repos/`.
pub async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Response<Body> {
    bump(&shared.stats.git_requests);
    let path = request.uri().path().to_string();
    let Some(rest) = path.strip_prefix("/v1/repos/") else {
        return text(404, "not found");
    };
    let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
    // Only the smart protocol endpoints; anything else (dumb HTTP, `..`) is refused.
    if !matches!(tail, "info/refs" | "git-upload-pack" | "git-receive-pack") {
        return text(
            404,
            "not found: this service only speaks the git smart HTTP protocol",
        );
    }
    let user = match authenticate(&shared, &request, name) {
        Ok(user) => user,
        Err(response) => return response,
    };
    if validate_repository_name(name).is_err() {
        return text(404, &format!("repository {name} not found"));
    }
    let Some(meta) = shared.ops.store().get(name) else {
        return text(404, &format!("repository {name} not found"));
    };
    let query = request.uri().query().unwrap_or("").to_string();
    let service = if tail == "info/refs" {
        query
            .split('&')
            .find_map(|p| p.strip_prefix("service="))
            .unwrap_or("")
            .to_string()
    } else {
        tail.to_string()
    };
    if !matches!(service.as_str(), "git-upload-pack" | "git-receive-pack") {
        return text(403, "only git-upload-pack and git-receive-pack are served");
    }
    let is_push = tail == "git-receive-pack";
    // The IAM user's policies: GitPull to fetch, GitPush to push (judged per ref below).
    let restricted = user.filter(|u| shared.iam.is_restricted(u));
    let mut prefix = Bytes::new();
    let mut request = request;
    if let Some(user) = &restricted {
        let action = if service == "git-upload-pack" {
            "GitPull"
        } else {
            "GitPush"
        };
        if let Some(message) = shared
            .iam
            .git_denial(user, &shared.region, &meta.name, action, None)
        {
            tracing::info!(user = %user, repository = %meta.name, action, "git request refused by IAM policy");
            return text(403, &message);
        }
        if is_push {
            match judge_push(&shared, request, user, &meta.name).await {
                Ok((judged, read)) => {
                    request = judged;
                    prefix = read;
                }
                Err(response) => return response,
            }
        }
    }
    match run_cgi(&shared, request, &meta.id, tail, &query, is_push, prefix).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "git http-backend failed");
            text(
                500,
                "git http-backend failed; is git installed and on PATH?",
            )
        }
    }
}

/// Reads a push's command list from the start of its body and asks IAM about the refs it
/// updates. Allowed: the request (body still to be read) and the bytes already read, which
/// go to git first. Refused: receive-pack's report refusing every ref, once the client has
/// sent its whole body (a client cut off mid-pack would not read the report).
#[allow(clippy::result_large_err)]
async fn judge_push(
    shared: &Shared,
    request: Request<Incoming>,
    user: &str,
    repository: &str,
) -> Result<(Request<Incoming>, Bytes), Response<Body>> {
    let (parts, mut body) = request.into_parts();
    let stall = shared.limits.body_stall_timeout;
    let mut read = BytesMut::new();
    let commands = loop {
        match git_access::parse_commands(&read) {
            Parsed::Commands(commands) => break commands,
            // git's probe before a large push: nothing to judge, git answers it.
            Parsed::Empty => return Ok((Request::from_parts(parts, body), read.freeze())),
            Parsed::Invalid(reason) => {
                return Err(text(400, &format!("push refused: {reason}")));
            }
            Parsed::Incomplete => {}
        }
        match tokio::time::timeout(stall, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    read.extend_from_slice(&data);
                }
            }
            Ok(None) => return Err(text(400, "push refused: the command list ended early")),
            Ok(Some(Err(_))) | Err(_) => {
                return Err(text(
                    400,
                    "push refused: the request body broke off or stalled",
                ));
            }
        }
    };
    let Some(report) = shared
        .iam
        .push_refusal(user, &shared.region, repository, &commands)
    else {
        return Ok((Request::from_parts(parts, body), read.freeze()));
    };
    // Read (and drop) the pack the client is sending before answering.
    loop {
        match tokio::time::timeout(stall, body.frame()).await {
            Ok(Some(Ok(_))) => {}
            Ok(None) => break,
            Ok(Some(Err(_))) | Err(_) => {
                return Err(text(
                    400,
                    "push refused: the request body broke off or stalled",
                ));
            }
        }
    }
    let mut response = Response::new(full(report));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-git-receive-pack-result"),
    );
    response.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    Err(response)
}

/// Checks Basic credentials: static git credentials, IAM-issued HTTPS git credentials
/// (service-specific credentials), or a CodeCommit IAM git password (SigV4-derived).
/// Answers the IAM user behind them (`None` for the static credentials, which no IAM user
/// owns: they are not restricted by policies).
#[allow(clippy::result_large_err)]
fn authenticate(
    shared: &Shared,
    request: &Request<Incoming>,
    name: &str,
) -> Result<Option<String>, Response<Body>> {
    let challenge = || {
        let mut response = text(401, "authentication required");
        if let Ok(value) = HeaderValue::from_str(&format!("Basic realm=\"{REALM}\"")) {
            response
                .headers_mut()
                .insert(hyper::header::WWW_AUTHENTICATE, value);
        }
        response
    };
    let Some((user, password)) = basic_credentials(request) else {
        bump(&shared.stats.git_auth_missing);
        return Err(challenge());
    };
    if let Some((static_user, static_password)) = &shared.git_static {
        if user == *static_user
            && constant_time_eq(password.as_bytes(), static_password.expose().as_bytes())
        {
            bump(&shared.stats.git_auth_successes);
            return Ok(None);
        }
    }
    // HTTPS git credentials issued by IAM (CreateServiceSpecificCredential).
    match shared.iam.check_git_credential(&user, &password) {
        GitCredentialCheck::Allowed { user_name } => {
            bump(&shared.stats.git_auth_successes);
            tracing::debug!(user = %user_name, "git authenticated with a service-specific credential");
            return Ok(Some(user_name));
        }
        GitCredentialCheck::Refused => {
            bump(&shared.stats.git_auth_failures);
            tracing::info!(%user, "git service-specific credential refused");
            return Err(text(
                403,
                &format!(
                    "access denied: the HTTPS git credentials of {user} are wrong, inactive or deleted; check the password, or create new ones (aws iam create-service-specific-credential --service-name codecommit.amazonaws.com) and update git's credential helper"
                ),
            ));
        }
        GitCredentialCheck::NotOurs => {}
    }
    let host = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let repo_path = format!("/v1/repos/{name}");
    match verify_git_password(
        &user,
        &password,
        &repo_path,
        host,
        &shared.credentials,
        &shared.region,
        unix_now(),
    ) {
        Ok(()) => {
            bump(&shared.stats.git_auth_successes);
            // The user part is the access key id (`KEY` or `KEY%SESSIONTOKEN`).
            let key = user.split_once('%').map_or(user.as_str(), |(key, _)| key);
            Ok(shared.iam.owner_of(key).map(|owner| owner.name))
        }
        Err(GitAuthError::Missing) => {
            bump(&shared.stats.git_auth_missing);
            Err(challenge())
        }
        Err(GitAuthError::Denied(reason)) => {
            bump(&shared.stats.git_auth_failures);
            tracing::info!(reason, "git authentication denied");
            Err(text(
                403,
                "access denied: the git credentials are not valid for this repository",
            ))
        }
    }
}

fn basic_credentials(request: &Request<Incoming>) -> Option<(String, String)> {
    let header = request
        .headers()
        .get(hyper::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let encoded = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// `429 Rate Exceeded`: what CodeCommit's git endpoint answers a client over its request limits.
fn throttled() -> Response<Body> {
    let mut response = text(429, "Rate Exceeded");
    response
        .headers_mut()
        .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// What follows every push, over HTTP or SSH, once git has finished: the metadata (default
/// branch of a first push, last-modified date) catches up with the refs.
pub(crate) async fn after_push(shared: &Arc<Shared>, repository_id: &str) {
    let ops = Arc::clone(&shared.ops);
    let id = repository_id.to_string();
    let result = tokio::task::spawn_blocking(move || ops.after_push(&id)).await;
    if !matches!(result, Ok(Ok(()))) {
        tracing::error!("could not update metadata after a push");
    }
}

async fn run_cgi(
    shared: &Arc<Shared>,
    request: Request<Incoming>,
    repository_id: &str,
    tail: &str,
    query: &str,
    is_push: bool,
    prefix: Bytes,
) -> std::io::Result<Response<Body>> {
    let Ok(permit) = shared.cgi.acquire().await else {
        bump(&shared.stats.git_throttled);
        return Ok(throttled());
    };
    let (parts, mut body) = request.into_parts();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let repository = shared.ops.store().repo_path(repository_id);
    let mut command = Command::new("git");
    command
        .arg("http-backend")
        // The service's own git, untouched by the user's or system's configuration.
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_PROJECT_ROOT", shared.ops.store().repos_dir())
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", format!("/{repository_id}.git/{tail}"))
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("QUERY_STRING", query)
        .env("REMOTE_USER", "cctui")
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // No CONTENT_LENGTH: the CGI then reads its stdin to the end, and the end is where the
    // body the client really sent ends. With the declared length it would wait for bytes a
    // client that hung up will never send.
    for (var, name) in [
        ("CONTENT_TYPE", "content-type"),
        ("HTTP_CONTENT_ENCODING", "content-encoding"),
        ("GIT_PROTOCOL", "git-protocol"),
    ] {
        if let Some(value) = header(name) {
            command.env(var, value);
        }
    }
    let mut process = shared.cgi.spawn(
        &mut command,
        permit,
        is_push.then_some(repository.as_path()),
    )?;
    let Some(child) = process.child_mut() else {
        return Err(std::io::Error::other("CGI process missing"));
    };
    let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(std::io::Error::other("CGI pipes missing"));
    };
    // Cancelled when the request body breaks off or stalls: the CGI must not act on half a
    // request, so the response is aborted and the process group killed.
    let aborted = CancellationToken::new();
    let stall = shared.limits.body_stall_timeout;

    // Request body → CGI stdin, frame by frame; closing stdin tells the CGI the body ended.
    let body_aborted = aborted.clone();
    tokio::spawn(async move {
        // What a policy check already read from the body goes first.
        if !prefix.is_empty() && stdin.write_all(&prefix).await.is_err() {
            return;
        }
        loop {
            let frame = tokio::select! {
                _ = body_aborted.cancelled() => return,
                frame = tokio::time::timeout(stall, body.frame()) => frame,
            };
            match frame {
                Ok(None) => break,
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if stdin.write_all(&data).await.is_err() {
                            break; // the CGI stopped reading; its exit ends the response
                        }
                    }
                }
                Ok(Some(Err(error))) => {
                    tracing::info!(%error, "git request body broke off");
                    body_aborted.cancel();
                    return;
                }
                Err(_) => {
                    tracing::info!(?stall, "git request body stalled");
                    body_aborted.cancel();
                    return;
                }
            }
        }
        let _ = stdin.shutdown().await;
    });
    tokio::spawn(async move {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log).await;
        if !log.trim().is_empty() {
            tracing::debug!(stderr = %log.trim(), "git http-backend");
        }
    });

    // CGI response headers, up to the blank line. If this future is dropped (client gone),
    // dropping `process` kills the group.
    let mut reader = BufReader::with_capacity(CHUNK, stdout);
    let mut status = 200u16;
    let mut response_headers = Vec::new();
    loop {
        let mut line = String::new();
        let read = tokio::select! {
            _ = aborted.cancelled() => {
                return Err(std::io::Error::other("request body broke off"));
            }
            read = reader.read_line(&mut line) => read?,
        };
        if read == 0 {
            break;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            let value = value.trim();
            if key.eq_ignore_ascii_case("status") {
                status = value
                    .split_whitespace()
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(500);
            } else {
                response_headers.push((key.to_string(), value.to_string()));
            }
        }
    }

    // CGI stdout → response body through a bounded channel (backpressure: 4 chunks in flight).
    let (sender, receiver) = mpsc::channel::<Result<Frame<Bytes>, std::io::Error>>(4);
    let drop_after = shared.faults.next_git_cut();
    let shared_for_push = Arc::clone(shared);
    let repository_id = repository_id.to_string();
    tokio::spawn(async move {
        let mut sent: u64 = 0;
        // Every early return drops `process`, which kills the CGI's process group.
        loop {
            let mut buffer = BytesMut::with_capacity(CHUNK);
            let read = tokio::select! {
                _ = aborted.cancelled() => {
                    let _ = sender.try_send(Err(std::io::Error::other("request body broke off")));
                    return;
                }
                read = reader.read_buf(&mut buffer) => read,
            };
            match read {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => {
                    let _ = sender.send(Err(error)).await;
                    return;
                }
            }
            let mut chunk = buffer.freeze();
            if let Some(limit) = drop_after {
                if sent + chunk.len() as u64 >= limit {
                    // Injected fault: send what fits, then break the connection mid-body.
                    bump(&shared_for_push.stats.git_transfers_cut);
                    chunk.truncate((limit - sent) as usize);
                    let _ = sender.send(Ok(Frame::data(chunk))).await;
                    let _ = sender
                        .send(Err(std::io::Error::other(
                            "transfer cut by --drop-after-bytes",
                        )))
                        .await;
                    return;
                }
            }
            sent += chunk.len() as u64;
            // A client that stops reading the response holds the CGI; bounded like a body.
            match tokio::time::timeout(stall, sender.send(Ok(Frame::data(chunk)))).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return, // client went away
                Err(_) => {
                    tracing::info!(?stall, "git client stopped reading the response");
                    return;
                }
            }
        }
        // Wait for the CGI to finish before ending the body, so refs written by a push are
        // reflected in the metadata by the time the client sees the response complete.
        process.finish().await;
        if is_push {
            after_push(&shared_for_push, &repository_id).await;
        }
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
    });
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(stream)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (key, value) in response_headers {
        if let (Ok(key), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(key, value);
        }
    }
    Ok(response)
}
