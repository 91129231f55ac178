//! The local service under bad clients: aborted and stalled pushes, slow headers, too many git
//! processes or connections. Real git, real sockets on 127.0.0.1, short configurable limits.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/local.rs"]
mod local_support;

use std::time::{Duration, Instant};

use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, LocalService, RunningService, ServiceConfig,
};
use local_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous bound for conditions that normally hold within milliseconds.
const PATIENCE: Duration = Duration::from_secs(30);

async fn start_with(
    dir: &std::path::Path,
    tune: impl FnOnce(&mut ServiceConfig),
) -> RunningService {
    let mut config = ServiceConfig::new(dir);
    tune(&mut config);
    LocalService::start(config).await.unwrap()
}

async fn create(service: &RunningService, name: &str) {
    create_demo_repository(service, name).await;
}

/// Opens a `git-receive-pack` POST for `name` that declares the whole of `body` and sends
/// only its first `sent` bytes.
async fn partial_push(service: &RunningService, name: &str, body: &[u8], sent: usize) -> TcpStream {
    let port = service.port();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /v1/repos/{name}/git-receive-pack HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {}\r\nContent-Type: application/x-git-receive-pack-request\r\nAccept: application/x-git-receive-pack-result\r\nContent-Length: {}\r\n\r\n",
        git_basic_auth(port, name),
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..sent]).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

/// Reads until the server closes the connection (or `PATIENCE` passes); true if it closed.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buffer = [0u8; 4096];
    let read_to_end = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(PATIENCE, read_to_end).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_aborted_push_with_content_length_leaves_no_process_and_no_quarantine() {
    let dir = tempfile::tempdir().unwrap();
    let service = start_with(dir.path(), |_| {}).await;
    create(&service, "aborted").await;
    let work = tempfile::tempdir().unwrap();
    work_tree_with_noise(work.path(), 512 * 1024);
    let body = receive_pack_body(work.path());

    let stream = partial_push(&service, "aborted", &body, body.len() / 2).await;
    // receive-pack has read the commands and started receiving into its quarantine folder.
    assert!(
        wait_until(PATIENCE, || !quarantine_folders(dir.path()).is_empty()).await,
        "receive-pack never started"
    );
    assert!(!processes_using(dir.path()).is_empty());
    drop(stream); // the client hangs up mid-body

    assert!(
        wait_until(PATIENCE, || processes_using(dir.path()).is_empty()).await,
        "git processes left behind: {:?}",
        processes_using(dir.path())
    );
    assert!(
        wait_until(PATIENCE, || quarantine_folders(dir.path()).is_empty()).await,
        "quarantine left behind: {:?}",
        quarantine_folders(dir.path())
    );
    // The repository is untouched and still takes a real push.
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "aborted"), "main"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stalled_push_body_is_ended_after_the_stall_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let service = start_with(dir.path(), |c| {
        c.limits.body_stall_timeout = Duration::from_millis(500);
    })
    .await;
    create(&service, "stalled").await;
    let work = tempfile::tempdir().unwrap();
    work_tree_with_noise(work.path(), 256 * 1024);
    let body = receive_pack_body(work.path());

    // The client keeps the connection open and sends nothing more.
    let mut stream = partial_push(&service, "stalled", &body, body.len() / 2).await;
    assert!(
        wait_until(PATIENCE, || !quarantine_folders(dir.path()).is_empty()).await,
        "receive-pack never started"
    );
    assert!(
        closed_by_server(&mut stream).await,
        "the stalled connection is still open"
    );
    assert!(
        wait_until(PATIENCE, || processes_using(dir.path()).is_empty()
            && quarantine_folders(dir.path()).is_empty())
        .await,
        "left behind: {:?} {:?}",
        processes_using(dir.path()),
        quarantine_folders(dir.path())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_header_client_is_closed_while_a_normal_request_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let service = start_with(dir.path(), |c| {
        c.limits.header_read_timeout = Duration::from_millis(500);
    })
    .await;
    let port = service.port();

    // Half a request head, then silence.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Tar")
        .await
        .unwrap();
    // An idle keep-alive connection that never sends anything.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();

    // Meanwhile a normal client is served.
    let started = Instant::now();
    demo_client(&service)
        .list_repositories()
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));

    assert!(
        closed_by_server(&mut slow).await,
        "slow header connection still open"
    );
    assert!(
        closed_by_server(&mut idle).await,
        "idle connection still open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn git_processes_are_capped_and_a_request_over_the_cap_is_throttled() {
    let dir = tempfile::tempdir().unwrap();
    let service = start_with(dir.path(), |c| {
        c.limits.max_git_processes = 1;
        c.limits.git_queue_timeout = Duration::from_millis(300);
    })
    .await;
    create(&service, "capped").await;
    let work = tempfile::tempdir().unwrap();
    work_tree_with_noise(work.path(), 256 * 1024);
    let body = receive_pack_body(work.path());

    // One push holds the only slot.
    let holder = partial_push(&service, "capped", &body, body.len() / 2).await;
    assert!(wait_until(PATIENCE, || !quarantine_folders(dir.path()).is_empty()).await);

    let port = service.port();
    let request = format!(
        "GET /v1/repos/capped/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        git_basic_auth(port, "capped")
    );
    let (status, head, body_text) = raw_http(port, &request, b"").await;
    assert_eq!(status, 429, "{head}");
    assert!(String::from_utf8_lossy(&body_text).contains("Rate Exceeded"));
    assert!(head.to_ascii_lowercase().contains("retry-after"), "{head}");
    assert_eq!(service.stats_snapshot().git_throttled, 1);

    // Once the holder is gone, its slot is free again (released just after its processes
    // are seen gone, so wait for the request to pass rather than assume the order).
    drop(holder);
    let clone = tempfile::tempdir().unwrap();
    let url = git_url(&service, "capped");
    assert!(
        wait_until(PATIENCE, || git(clone.path(), &["ls-remote", &url])
            .status
            .success())
        .await
    );
    assert!(processes_using(dir.path()).is_empty());
}

/// A service capped at two connections, and two connections that hold both slots.
async fn at_the_cap(dir: &std::path::Path) -> (RunningService, Vec<TcpStream>) {
    let service = start_with(dir, |c| {
        c.limits.max_connections = 2;
        c.limits.header_read_timeout = Duration::from_secs(60);
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(
            TcpStream::connect(("127.0.0.1", service.port()))
                .await
                .unwrap(),
        );
    }
    (service, held)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_over_the_cap_get_503_and_the_cap_frees_up() {
    let dir = tempfile::tempdir().unwrap();
    let (service, held) = at_the_cap(dir.path()).await;
    let port = service.port();
    // The accept loop takes connections in order, so both slots are taken once the third
    // connection is answered.
    let (status, head, _) = raw_http(
        port,
        &format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
        b"",
    )
    .await;
    assert_eq!(status, 503, "{head}");
    assert_eq!(service.stats_snapshot().connections_refused, 1);
    drop(held);
    assert!(
        wait_until_async(PATIENCE, || async {
            demo_client(&service)
                .list_repositories()
                .send()
                .await
                .is_ok()
        })
        .await
    );
}

/// Over the cap, each request is refused in the protocol it speaks: the Query APIs (IAM, STS)
/// get their XML `ServiceUnavailable`, the JSON API its `ServiceUnavailableException`, git a
/// plain 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refusal_over_the_cap_speaks_the_request_protocol() {
    let dir = tempfile::tempdir().unwrap();
    let (service, _held) = at_the_cap(dir.path()).await;
    let port = service.port();
    let form = "Action=ListUsers&Version=2010-05-08";
    let (status, head, body) = raw_http(
        port,
        &format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            form.len()
        ),
        form.as_bytes(),
    )
    .await;
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 503, "{head}");
    assert!(head.to_lowercase().contains("retry-after: 1"), "{head}");
    assert!(body.contains("<Code>ServiceUnavailable</Code>"), "{body}");
    let json = "{}";
    let (status, head, body) = raw_http(
        port,
        &format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: CodeCommit_20150413.ListRepositories\r\nContent-Length: {}\r\n\r\n",
            json.len()
        ),
        json.as_bytes(),
    )
    .await;
    assert_eq!(status, 503, "{head}");
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["__type"], "ServiceUnavailableException", "{body}");
    let (status, head, body) = raw_http(
        port,
        &format!(
            "GET /v1/repos/any/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        ),
        b"",
    )
    .await;
    assert_eq!(status, 503, "{head}");
    assert!(String::from_utf8_lossy(&body).contains("connection limit"));
    assert_eq!(service.stats_snapshot().connections_refused, 3);
}

/// An SDK call that meets the cap is answered `503` once its request has arrived (not before:
/// an answer to a request never sent is a broken connection to the client, which the SDK does
/// not retry), so the SDK retries it and it succeeds when a slot frees.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_sdk_call_over_the_cap_is_retried_and_succeeds_when_a_slot_frees() {
    let dir = tempfile::tempdir().unwrap();
    let (service, held) = at_the_cap(dir.path()).await;
    // The SDK's standard retries (the app's), with attempts enough that the slot frees within
    // them however short the jittered backoffs come out.
    let client = client_with_retries(
        &service.endpoint(),
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        None,
        aws_sdk_codecommit::config::retry::RetryConfig::standard().with_max_attempts(10),
    );
    let call = tokio::spawn(async move { client.list_repositories().send().await });
    assert!(
        wait_until_async(PATIENCE, || async {
            service.stats_snapshot().connections_refused >= 1
        })
        .await,
        "the call met the cap"
    );
    drop(held);
    let answer = tokio::time::timeout(PATIENCE, call)
        .await
        .expect("the call ends")
        .unwrap();
    assert!(answer.is_ok(), "{answer:?}");
}

async fn wait_until_async<F, Fut>(timeout: Duration, mut condition: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if condition().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_that_stops_reading_a_clone_frees_its_git_processes() {
    let dir = tempfile::tempdir().unwrap();
    let service = start_with(dir.path(), |c| {
        c.limits.body_stall_timeout = Duration::from_millis(500);
    })
    .await;
    create(&service, "unread").await;
    let work = tempfile::tempdir().unwrap();
    // Far more than the socket buffers and the service's channel can hold.
    work_tree_with_noise(work.path(), 12 * 1024 * 1024);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "unread"), "main"],
    );
    let head = git_ok(work.path(), &["rev-parse", "main"]);

    let port = service.port();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
    let want = format!("want {head}\n");
    let body = format!("{:04x}{want}00000009done\n", want.len() + 4);
    let request = format!(
        "POST /v1/repos/unread/git-upload-pack HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {}\r\nContent-Type: application/x-git-upload-pack-request\r\nContent-Length: {}\r\n\r\n{body}",
        git_basic_auth(port, "unread"),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    assert!(
        wait_until(PATIENCE, || !processes_using(dir.path()).is_empty()).await,
        "upload-pack never started"
    );
    // The client holds the connection open and reads nothing.
    assert!(
        wait_until(PATIENCE, || processes_using(dir.path()).is_empty()).await,
        "git processes held by a client that does not read: {:?}",
        processes_using(dir.path())
    );
    drop(stream);
}
