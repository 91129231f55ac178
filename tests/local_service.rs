//! The local CodeCommit service, exercised with the real `aws-sdk-codecommit` client and the
//! real git CLI over 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/local.rs"]
mod local_support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_codecommit::config::retry::RetryConfig;
use aws_sdk_codecommit::error::ProvideErrorMetadata;
use aws_sdk_codecommit::types::{
    OrderEnum, RepositoryTrigger, RepositoryTriggerEventEnum, SortByEnum,
};
use cctui::local::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService,
    RunningService, ServiceConfig,
};
use local_support::*;

async fn start(dir: &std::path::Path) -> RunningService {
    LocalService::start(ServiceConfig::new(dir)).await.unwrap()
}

fn code<E: ProvideErrorMetadata>(error: &E) -> String {
    error.code().unwrap_or("<no code>").to_string()
}

#[test]
fn sigv4_and_git_password_match_an_independent_python_vector() {
    // Computed with Python's hmac/hashlib:
    //   secret='cctuiDemoSecretKey/OnlyForTheLocalService00'; t='20260102T030405'; d=t[:8]
    //   canon='GIT\n/v1/repos/demo\n\nhost:127.0.0.1:8080\n\nhost\n'
    //   sts='AWS4-HMAC-SHA256\n%s\n%s/us-east-1/codecommit/aws4_request\n%s' % (t, d, hashlib.sha256(canon.encode()).hexdigest())
    //   k=('AWS4'+secret).encode()
    //   for m in (d, 'us-east-1', 'codecommit', 'aws4_request'): k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    //   print(k.hex()); print(t + 'Z' + hmac.new(k, sts.encode(), hashlib.sha256).hexdigest())
    let key = cctui::sigv4::signing_key(
        DEMO_SECRET_ACCESS_KEY,
        "20260102",
        "us-east-1",
        "codecommit",
    );
    assert_eq!(
        cctui::sigv4::hex_lower(&key),
        "8f8ff33568f4b114a4375652448d9a9ebff13d2a44301953676efe9e6f084748"
    );
    let unix = cctui::sigv4::parse_amz_date("20260102T030405Z").unwrap();
    assert_eq!(
        git_password(
            DEMO_SECRET_ACCESS_KEY,
            "us-east-1",
            "/v1/repos/demo",
            "127.0.0.1:8080",
            unix
        ),
        "20260102T030405Z9a712de5fd35a76a299c5825048735836d859e3ee216d4f5f6dfd8f38f70a415"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn repository_operations_and_their_validation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);

    let created = client
        .create_repository()
        .repository_name("alpha")
        .repository_description("first")
        .tags("team", "tools")
        .kms_key_id("arn:aws:kms:us-east-1:111122223333:key/abc")
        .send()
        .await
        .unwrap();
    let meta = created.repository_metadata().unwrap();
    assert_eq!(meta.repository_name(), Some("alpha"));
    assert_eq!(meta.account_id(), Some("111122223333"));
    assert_eq!(
        meta.arn(),
        Some("arn:aws:codecommit:us-east-1:111122223333:alpha")
    );
    assert_eq!(
        meta.clone_url_http(),
        Some(service.clone_url("alpha").as_str())
    );
    assert_eq!(
        meta.clone_url_ssh(),
        Some("ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/alpha")
    );
    assert_eq!(
        meta.kms_key_id(),
        Some("arn:aws:kms:us-east-1:111122223333:key/abc")
    );
    assert_eq!(meta.default_branch(), None);
    assert_eq!(meta.repository_id().unwrap().len(), 36);
    // Dates are epoch-second numbers on the wire; the SDK must parse them into real dates.
    let created_at = meta.creation_date().unwrap().secs();
    assert!(
        (created_at - now()).abs() < 60,
        "creation date {created_at}"
    );
    assert!(meta.last_modified_date().is_some());

    let checks: Vec<(&str, String)> = vec![
        (
            "RepositoryNameExistsException",
            code(
                &client
                    .create_repository()
                    .repository_name("alpha")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidRepositoryNameException",
            code(
                &client
                    .create_repository()
                    .repository_name("bad/name")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidRepositoryNameException",
            code(
                &client
                    .create_repository()
                    .repository_name("x.git")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidRepositoryNameException",
            code(
                &client
                    .create_repository()
                    .repository_name("x".repeat(101))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "RepositoryNameRequiredException",
            code(
                &client
                    .create_repository()
                    .repository_name("")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidRepositoryDescriptionException",
            code(
                &client
                    .create_repository()
                    .repository_name("d")
                    .repository_description("x".repeat(1001))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "TooManyTagsException",
            code(&{
                let mut request = client.create_repository().repository_name("t");
                for i in 0..51 {
                    request = request.tags(format!("k{i}"), "v");
                }
                request.send().await.unwrap_err()
            }),
        ),
        (
            "InvalidTagsMapException",
            code(
                &client
                    .create_repository()
                    .repository_name("t")
                    .tags("k", "v".repeat(257))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "RepositoryDoesNotExistException",
            code(
                &client
                    .get_repository()
                    .repository_name("nope")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "MaximumRepositoryNamesExceededException",
            code(
                &client
                    .batch_get_repositories()
                    .set_repository_names(Some((0..26).map(|i| format!("r{i}")).collect()))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidContinuationTokenException",
            code(
                &client
                    .list_repositories()
                    .next_token("garbage")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
    ];
    for (expected, got) in checks {
        assert_eq!(got, expected);
    }

    let batch = client
        .batch_get_repositories()
        .repository_names("alpha")
        .repository_names("ghost")
        .send()
        .await
        .unwrap();
    assert_eq!(batch.repositories().len(), 1);
    assert_eq!(batch.repositories_not_found(), ["ghost".to_string()]);

    client
        .update_repository_description()
        .repository_name("alpha")
        .repository_description("changed")
        .send()
        .await
        .unwrap();
    client
        .update_repository_name()
        .old_name("alpha")
        .new_name("beta")
        .send()
        .await
        .unwrap();
    let renamed = client
        .get_repository()
        .repository_name("beta")
        .send()
        .await
        .unwrap();
    let renamed = renamed.repository_metadata().unwrap();
    assert_eq!(
        renamed.repository_id(),
        meta.repository_id(),
        "rename keeps the id"
    );
    assert_eq!(renamed.repository_description(), Some("changed"));
    assert_eq!(
        code(
            &client
                .get_repository()
                .repository_name("alpha")
                .send()
                .await
                .unwrap_err()
        ),
        "RepositoryDoesNotExistException"
    );

    // Tags by ARN.
    let arn = "arn:aws:codecommit:us-east-1:111122223333:beta";
    client
        .tag_resource()
        .resource_arn(arn)
        .tags("env", "test")
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .resource_arn(arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().unwrap(),
        &HashMap::from([("env".to_string(), "test".to_string())])
    );
    assert_eq!(
        code(
            &client
                .list_tags_for_resource()
                .resource_arn("arn:aws:s3:::bucket")
                .send()
                .await
                .unwrap_err()
        ),
        "InvalidResourceArnException"
    );
    assert_eq!(
        code(
            &client
                .list_tags_for_resource()
                .resource_arn("arn:aws:codecommit:us-east-1:111122223333:gone")
                .send()
                .await
                .unwrap_err()
        ),
        "RepositoryDoesNotExistException"
    );

    // Triggers.
    let trigger = RepositoryTrigger::builder()
        .name("notify")
        .destination_arn("arn:aws:sns:us-east-1:111122223333:topic")
        .events(RepositoryTriggerEventEnum::All)
        .build()
        .unwrap();
    let put = client
        .put_repository_triggers()
        .repository_name("beta")
        .triggers(trigger)
        .send()
        .await
        .unwrap();
    let configuration_id = put.configuration_id().unwrap().to_string();
    let got = client
        .get_repository_triggers()
        .repository_name("beta")
        .send()
        .await
        .unwrap();
    assert_eq!(got.configuration_id(), Some(configuration_id.as_str()));
    assert_eq!(got.triggers()[0].name(), "notify");
    let bad = RepositoryTrigger::builder()
        .name("x")
        .destination_arn("not-an-arn")
        .events(RepositoryTriggerEventEnum::All)
        .build()
        .unwrap();
    assert_eq!(
        code(
            &client
                .put_repository_triggers()
                .repository_name("beta")
                .triggers(bad)
                .send()
                .await
                .unwrap_err()
        ),
        "InvalidRepositoryTriggerDestinationArnException"
    );

    // Delete returns the id; deleting again succeeds without one, like AWS.
    let deleted = client
        .delete_repository()
        .repository_name("beta")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.repository_id(), meta.repository_id());
    let again = client
        .delete_repository()
        .repository_name("beta")
        .send()
        .await
        .unwrap();
    assert_eq!(again.repository_id(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paging_sorting_over_2500_repositories() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    let started = Instant::now();
    let names: Vec<String> = (0..2500).map(|i| format!("repo-{i:05}")).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in names.chunks(2500 / 16 + 1) {
        let client = client.clone();
        let chunk = chunk.to_vec();
        tasks.spawn(async move {
            for name in chunk {
                client
                    .create_repository()
                    .repository_name(name)
                    .send()
                    .await
                    .unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    eprintln!("created 2500 repositories in {:?}", started.elapsed());

    let mut listed = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = client
            .list_repositories()
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.repositories().len() <= 1000);
        listed.extend(
            page.repositories()
                .iter()
                .map(|r| r.repository_name().unwrap().to_string()),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(listed, names);

    let descending = client
        .list_repositories()
        .sort_by(SortByEnum::RepositoryName)
        .order(OrderEnum::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(
        descending.repositories()[0].repository_name(),
        Some("repo-02499")
    );
    client
        .update_repository_description()
        .repository_name("repo-00007")
        .repository_description("touched")
        .send()
        .await
        .unwrap();
    let recent = client
        .list_repositories()
        .sort_by(SortByEnum::ModifiedDate)
        .order(OrderEnum::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(
        recent.repositories()[0].repository_name(),
        Some("repo-00007")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn push_makes_branches_and_default_branch_visible_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    client
        .create_repository()
        .repository_name("pushed")
        .send()
        .await
        .unwrap();
    let before = client
        .get_repository()
        .repository_name("pushed")
        .send()
        .await
        .unwrap();
    let before = before
        .repository_metadata()
        .unwrap()
        .last_modified_date()
        .unwrap()
        .as_secs_f64();

    let work = tempfile::tempdir().unwrap();
    work_tree(work.path(), "trunk", 3);
    tokio::time::sleep(Duration::from_millis(20)).await;
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "pushed"), "trunk"],
    );
    let head = git_ok(work.path(), &["rev-parse", "HEAD"]);

    let meta = client
        .get_repository()
        .repository_name("pushed")
        .send()
        .await
        .unwrap();
    let meta = meta.repository_metadata().unwrap();
    assert_eq!(
        meta.default_branch(),
        Some("trunk"),
        "first pushed branch becomes the default"
    );
    assert!(meta.last_modified_date().unwrap().as_secs_f64() > before);
    let branch = client
        .get_branch()
        .repository_name("pushed")
        .branch_name("trunk")
        .send()
        .await
        .unwrap();
    assert_eq!(branch.branch().unwrap().commit_id(), Some(head.as_str()));

    let commit = client
        .get_commit()
        .repository_name("pushed")
        .commit_id(&head)
        .send()
        .await
        .unwrap();
    let commit = commit.commit().unwrap();
    assert_eq!(commit.message(), Some("commit 2\n"));
    assert_eq!(commit.author().unwrap().email(), Some("author@example.com"));
    assert_eq!(commit.parents().len(), 1);

    client
        .create_branch()
        .repository_name("pushed")
        .branch_name("feature/x")
        .commit_id(&head)
        .send()
        .await
        .unwrap();
    let errors = vec![
        (
            "BranchNameExistsException",
            code(
                &client
                    .create_branch()
                    .repository_name("pushed")
                    .branch_name("feature/x")
                    .commit_id(&head)
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "CommitDoesNotExistException",
            code(
                &client
                    .create_branch()
                    .repository_name("pushed")
                    .branch_name("y")
                    .commit_id("0".repeat(40))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidBranchNameException",
            code(
                &client
                    .create_branch()
                    .repository_name("pushed")
                    .branch_name("bad..name")
                    .commit_id(&head)
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "CommitIdRequiredException",
            code(
                &client
                    .create_branch()
                    .repository_name("pushed")
                    .branch_name("y")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "BranchDoesNotExistException",
            code(
                &client
                    .get_branch()
                    .repository_name("pushed")
                    .branch_name("missing")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "DefaultBranchCannotBeDeletedException",
            code(
                &client
                    .delete_branch()
                    .repository_name("pushed")
                    .branch_name("trunk")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "CommitIdDoesNotExistException",
            code(
                &client
                    .get_commit()
                    .repository_name("pushed")
                    .commit_id("1".repeat(40))
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
        (
            "InvalidCommitIdException",
            code(
                &client
                    .get_commit()
                    .repository_name("pushed")
                    .commit_id("xyz")
                    .send()
                    .await
                    .unwrap_err(),
            ),
        ),
    ];
    for (expected, got) in errors {
        assert_eq!(got, expected);
    }
    let branches = client
        .list_branches()
        .repository_name("pushed")
        .send()
        .await
        .unwrap();
    assert_eq!(
        branches.branches(),
        ["feature/x".to_string(), "trunk".to_string()]
    );

    client
        .update_default_branch()
        .repository_name("pushed")
        .default_branch_name("feature/x")
        .send()
        .await
        .unwrap();
    let deleted = client
        .delete_branch()
        .repository_name("pushed")
        .branch_name("trunk")
        .send()
        .await
        .unwrap();
    assert_eq!(
        deleted.deleted_branch().unwrap().commit_id(),
        Some(head.as_str())
    );

    // A clone now checks out the new default branch.
    let clone = tempfile::tempdir().unwrap();
    git_ok(
        clone.path(),
        &["clone", "-q", &git_url(&service, "pushed"), "c"],
    );
    assert_eq!(
        git_ok(
            &clone.path().join("c"),
            &["rev-parse", "--abbrev-ref", "HEAD"]
        ),
        "feature/x"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_rejects_bad_signatures_unknown_keys_skew_and_missing_auth() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path());
    config.credentials.push(
        Credential::new("ASIATEMPORARY0000001", "temporarySecret").with_session_token("token-123"),
    );
    let service = LocalService::start(config).await.unwrap();
    let endpoint = service.endpoint();

    let wrong_secret = client_with(&endpoint, DEMO_ACCESS_KEY_ID, "not-the-secret", None);
    let error = wrong_secret.list_repositories().send().await.unwrap_err();
    assert_eq!(code(&error), "InvalidSignatureException");
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
    let unknown = client_with(&endpoint, "AKIAUNKNOWN000000000", "x", None);
    assert_eq!(
        code(&unknown.list_repositories().send().await.unwrap_err()),
        "UnrecognizedClientException"
    );
    assert_eq!(service.stats().snapshot().api_auth_failures, 2);

    // Session tokens: required with the temporary key, and must match.
    let temporary = client_with(
        &endpoint,
        "ASIATEMPORARY0000001",
        "temporarySecret",
        Some("token-123"),
    );
    temporary.list_repositories().send().await.unwrap();
    let no_token = client_with(&endpoint, "ASIATEMPORARY0000001", "temporarySecret", None);
    assert_eq!(
        code(&no_token.list_repositories().send().await.unwrap_err()),
        "UnrecognizedClientException"
    );
    let wrong_token = client_with(
        &endpoint,
        "ASIATEMPORARY0000001",
        "temporarySecret",
        Some("token-999"),
    );
    assert_eq!(
        code(&wrong_token.list_repositories().send().await.unwrap_err()),
        "UnrecognizedClientException"
    );

    // Hand-signed requests: 14 minutes of skew pass, 16 minutes fail.
    let port = service.port();
    let (status, body) = signed_api_call(
        port,
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        now() - 14 * 60,
        "ListRepositories",
        "{}",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = signed_api_call(
        port,
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        now() - 16 * 60,
        "ListRepositories",
        "{}",
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body.contains("InvalidSignatureException") && body.contains("Signature expired"),
        "{body}"
    );
    let (status, body) = signed_api_call(
        port,
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        now() + 16 * 60,
        "ListRepositories",
        "{}",
    )
    .await;
    assert_eq!(status, 403, "{body}");

    // No Authorization at all.
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Amz-Target: CodeCommit_20150413.ListRepositories\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
    );
    let (status, _, body) = raw_http(port, &request, b"{}").await;
    assert_eq!(status, 403);
    assert!(String::from_utf8_lossy(&body).contains("MissingAuthenticationTokenException"));

    // Oversized body: refused before any parsing.
    let big = vec![b' '; 2 * 1024 * 1024];
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        big.len()
    );
    let (status, _, _) = raw_http(port, &request, &big).await;
    assert_eq!(status, 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn git_auth_401_403_session_token_and_time_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(dir.path());
    config.credentials.push(
        Credential::new("ASIATEMPORARY0000001", "temporarySecret").with_session_token("tok/en+1"),
    );
    config.git_static = Some((
        "gituser".into(),
        cctui::secret::Secret::new("gitpass".into()),
    ));
    let service = LocalService::start(config).await.unwrap();
    demo_client(&service)
        .create_repository()
        .repository_name("auth")
        .send()
        .await
        .unwrap();
    let port = service.port();
    let host = format!("127.0.0.1:{port}");
    let info_refs = |auth: Option<String>| {
        let auth = auth
            .map(|a| format!("Authorization: Basic {a}\r\n"))
            .unwrap_or_default();
        format!(
            "GET /v1/repos/auth/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
        )
    };
    use base64::Engine;
    let basic = |user: &str, password: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    };

    let (status, head, _) = raw_http(port, &info_refs(None), b"").await;
    assert_eq!(status, 401);
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: basic realm="),
        "{head}"
    );

    let good = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/auth",
        &host,
        now(),
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic(DEMO_ACCESS_KEY_ID, &good))),
            b""
        )
        .await
        .0,
        200
    );
    // Signed for the host without the port: accepted too.
    let no_port = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/auth",
        "127.0.0.1",
        now(),
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic(DEMO_ACCESS_KEY_ID, &no_port))),
            b""
        )
        .await
        .0,
        200
    );
    // Signed for another repository: refused.
    let other = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/other",
        &host,
        now(),
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic(DEMO_ACCESS_KEY_ID, &other))),
            b""
        )
        .await
        .0,
        403
    );
    // Time window: ±15 minutes.
    let old_ok = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/auth",
        &host,
        now() - 14 * 60,
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic(DEMO_ACCESS_KEY_ID, &old_ok))),
            b""
        )
        .await
        .0,
        200
    );
    let too_old = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/auth",
        &host,
        now() - 16 * 60,
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic(DEMO_ACCESS_KEY_ID, &too_old))),
            b""
        )
        .await
        .0,
        403
    );
    let future = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/auth",
        &host,
        now() + 16 * 60,
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic(DEMO_ACCESS_KEY_ID, &future))),
            b""
        )
        .await
        .0,
        403
    );
    // Session token in the user name (ACCESSKEY%TOKEN).
    let temp = git_password(
        "temporarySecret",
        DEMO_REGION,
        "/v1/repos/auth",
        &host,
        now(),
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic("ASIATEMPORARY0000001%tok/en+1", &temp))),
            b""
        )
        .await
        .0,
        200
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic("ASIATEMPORARY0000001", &temp))),
            b""
        )
        .await
        .0,
        403
    );
    assert_eq!(
        raw_http(
            port,
            &info_refs(Some(basic("ASIATEMPORARY0000001%wrong", &temp))),
            b""
        )
        .await
        .0,
        403
    );
    // Static git credentials.
    assert_eq!(
        raw_http(port, &info_refs(Some(basic("gituser", "gitpass"))), b"")
            .await
            .0,
        200
    );
    assert_eq!(
        raw_http(port, &info_refs(Some(basic("gituser", "nope"))), b"")
            .await
            .0,
        403
    );

    // The git CLI: wrong password → 403 after exactly one authenticated attempt.
    let before = service.stats().snapshot();
    let work = tempfile::tempdir().unwrap();
    let url = format!(
        "http://{DEMO_ACCESS_KEY_ID}:{}@{host}/v1/repos/auth",
        enc(&too_old)
    );
    let out = git(work.path(), &["clone", "-q", &url, "c"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = service.stats().snapshot();
    assert_eq!(after.git_auth_failures - before.git_auth_failures, 1);
    // Without credentials and no prompt allowed, git stops after the 401.
    let out = git(
        work.path(),
        &["clone", "-q", &format!("http://{host}/v1/repos/auth"), "d"],
    );
    assert!(!out.status.success());
    assert_eq!(
        service.stats().snapshot().git_auth_missing - after.git_auth_missing,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn injected_faults_are_seen_by_the_sdk() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    client
        .create_repository()
        .repository_name("faulty")
        .send()
        .await
        .unwrap();

    service.faults().set_throttle_rate(1.0);
    let error = client.list_repositories().send().await.unwrap_err();
    assert_eq!(code(&error), "ThrottlingException");
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 400);

    // With standard retries (3 attempts), the SDK tries exactly three times.
    let retrying = client_with_retries(
        &service.endpoint(),
        DEMO_ACCESS_KEY_ID,
        DEMO_SECRET_ACCESS_KEY,
        None,
        RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1)),
    );
    let before = service.stats().snapshot().api_requests;
    assert_eq!(
        code(&retrying.list_repositories().send().await.unwrap_err()),
        "ThrottlingException"
    );
    assert_eq!(service.stats().snapshot().api_requests - before, 3);

    service.faults().set_throttle_rate(0.0);
    service.faults().set_error_rate(1.0);
    let error = client
        .get_repository()
        .repository_name("faulty")
        .send()
        .await
        .unwrap_err();
    let status = error.raw_response().unwrap().status().as_u16();
    assert!(status == 500 || status == 503, "{status}");
    assert!(["ServiceUnavailableException", "InternalFailure"].contains(&code(&error).as_str()));

    service.faults().clear();
    service.faults().set_latency_ms(300);
    let started = Instant::now();
    client
        .get_repository()
        .repository_name("faulty")
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    service.faults().set_latency_ms(0);

    // A cut git transfer makes the clone fail; turning the fault off makes it succeed again.
    let work = tempfile::tempdir().unwrap();
    work_tree(work.path(), "master", 2);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "faulty"), "master"],
    );
    service.faults().set_drop_after_bytes(Some(100));
    let out = git(
        work.path(),
        &["clone", "-q", &git_url(&service, "faulty"), "cut"],
    );
    assert!(
        !out.status.success(),
        "a clone through a cut connection must fail"
    );
    service.faults().set_drop_after_bytes(None);
    git_ok(
        work.path(),
        &["clone", "-q", &git_url(&service, "faulty"), "whole"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    client
        .create_repository()
        .repository_name("kept")
        .repository_description("d")
        .tags("a", "b")
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    work_tree(work.path(), "main", 1);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "kept"), "main"],
    );
    client
        .update_repository_name()
        .old_name("kept")
        .new_name("renamed")
        .send()
        .await
        .unwrap();
    let before = client
        .get_repository()
        .repository_name("renamed")
        .send()
        .await
        .unwrap();
    service.shutdown().await;

    let service = start(dir.path()).await;
    let client = demo_client(&service);
    let after = client
        .get_repository()
        .repository_name("renamed")
        .send()
        .await
        .unwrap();
    let (b, a) = (
        before.repository_metadata().unwrap(),
        after.repository_metadata().unwrap(),
    );
    assert_eq!(a.repository_id(), b.repository_id());
    assert_eq!(a.default_branch(), Some("main"));
    assert_eq!(a.repository_description(), Some("d"));
    assert_eq!(a.creation_date(), b.creation_date());
    git_ok(
        work.path(),
        &["clone", "-q", &git_url(&service, "renamed"), "again"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn names_cannot_escape_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    for name in ["..", "../escape", "a/../../b", "%2e%2e", "..\\x", "/etc"] {
        let error = client
            .create_repository()
            .repository_name(name)
            .send()
            .await
            .unwrap_err();
        let got = code(&error);
        assert!(got == "InvalidRepositoryNameException", "{name}: {got}");
    }
    // ".." alone is made only of allowed characters; it must still stay inside the data dir.
    let dotted = client
        .create_repository()
        .repository_name("...")
        .send()
        .await;
    if dotted.is_ok() {
        assert!(dir.path().join("repos").read_dir().unwrap().count() == 1);
    }
    let port = service.port();
    let good = git_password(
        DEMO_SECRET_ACCESS_KEY,
        DEMO_REGION,
        "/v1/repos/..",
        &format!("127.0.0.1:{port}"),
        now(),
    );
    use base64::Engine;
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{DEMO_ACCESS_KEY_ID}:{good}"));
    for path in [
        "/v1/repos/../meta/info/refs?service=git-upload-pack",
        "/v1/repos/%2e%2e/info/refs?service=git-upload-pack",
        "/v1/repos/x/../../info/refs",
    ] {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Basic {auth}\r\nConnection: close\r\n\r\n"
        );
        let (status, _, _) = raw_http(port, &request, b"").await;
        assert!(status == 404 || status == 403, "{path}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_seed_is_fast_and_has_the_promised_repositories() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let service = cctui::local::start_demo(dir.path(), false).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "seeding took {:?}",
        started.elapsed()
    );
    let client = demo_client(&service);
    let listed = client.list_repositories().send().await.unwrap();
    assert!(listed.repositories().len() >= 5);
    let demo = client
        .get_repository()
        .repository_name("cctui-demo")
        .send()
        .await
        .unwrap();
    assert_eq!(
        demo.repository_metadata().unwrap().default_branch(),
        Some("master")
    );
    let branches = client
        .list_branches()
        .repository_name("cctui-demo")
        .send()
        .await
        .unwrap();
    assert!(branches.branches().len() >= 3);
    let empty = client
        .get_repository()
        .repository_name("empty-repo")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.repository_metadata().unwrap().default_branch(), None);
    let conflict = client
        .list_branches()
        .repository_name("merge-conflict")
        .send()
        .await
        .unwrap();
    assert!(
        conflict
            .branches()
            .contains(&"feature/conflict".to_string())
    );

    let work = tempfile::tempdir().unwrap();
    git_ok(
        work.path(),
        &["clone", "-q", &git_url(&service, "cctui-demo"), "demo"],
    );
    let count: usize = git_ok(&work.path().join("demo"), &["rev-list", "--count", "HEAD"])
        .parse()
        .unwrap();
    assert!(count >= 1000, "{count} commits");
    git_ok(
        work.path(),
        &[
            "clone",
            "-q",
            &git_url(&service, "merge-conflict"),
            "conflict",
        ],
    );
    let conflict_dir = work.path().join("conflict");
    let merge = git(&conflict_dir, &["merge", "origin/feature/conflict"]);
    assert!(
        !merge.status.success(),
        "merging feature/conflict into master must conflict"
    );
    let unmerged = git_ok(&conflict_dir, &["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(unmerged.lines().count(), 2, "{unmerged}");
    drop(service);

    // Seeded once: a restart keeps user changes; reset seeds again.
    let service = cctui::local::start_demo(dir.path(), false).await.unwrap();
    demo_client(&service)
        .delete_repository()
        .repository_name("empty-repo")
        .send()
        .await
        .unwrap();
    drop(service);
    let service = cctui::local::start_demo(dir.path(), false).await.unwrap();
    assert!(
        demo_client(&service)
            .get_repository()
            .repository_name("empty-repo")
            .send()
            .await
            .is_err()
    );
    drop(service);
    let service = cctui::local::start_demo(dir.path(), true).await.unwrap();
    demo_client(&service)
        .get_repository()
        .repository_name("empty-repo")
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_port_gives_an_actionable_error() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path()).await;
    let mut config = ServiceConfig::new(dir.path().join("other"));
    config.port = first.port();
    let message = match LocalService::start(config).await {
        Ok(_) => panic!("two services on one port"),
        Err(error) => error.to_string(),
    };
    assert!(message.contains("--port"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_of_one_name_make_exactly_one_repository() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .create_repository()
                .repository_name("race")
                .send()
                .await
        });
    }
    let mut created = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => created += 1,
            Err(error) => assert_eq!(code(&error), "RepositoryNameExistsException"),
        }
    }
    assert_eq!(created, 1);
    // No orphaned bare repositories left behind by the losers.
    assert_eq!(dir.path().join("repos").read_dir().unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_multi_megabyte_push_streams_through_and_clones_back() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    demo_client(&service)
        .create_repository()
        .repository_name("large")
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    git_ok(work.path(), &["init", "-q", "-b", "main"]);
    // 6 MB that zlib cannot shrink: git sends it chunked (over http.postBuffer), without a
    // Content-Length, which the CGI must read to the end.
    let mut state: u64 = 42;
    let data: Vec<u8> = (0..6 * 1024 * 1024)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect();
    std::fs::write(work.path().join("blob.bin"), &data).unwrap();
    git_ok(work.path(), &["add", "blob.bin"]);
    git_ok(work.path(), &["commit", "-q", "-m", "big"]);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "large"), "main"],
    );
    git_ok(
        work.path(),
        &["clone", "-q", &git_url(&service, "large"), "back"],
    );
    assert_eq!(
        std::fs::read(work.path().join("back/blob.bin")).unwrap(),
        data
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_that_steer_a_request_must_be_signed() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    demo_client(&service)
        .create_repository()
        .repository_name("keep-me")
        .send()
        .await
        .unwrap();
    let port = service.port();
    let body = r#"{"repositoryName":"keep-me"}"#;
    let json = ("Content-Type", "application/x-amz-json-1.1");
    let target = |op: &'static str| ("X-Amz-Target", op);

    // Signed as GetRepository without the target, then retargeted: refused, nothing deleted.
    let (status, answer) = hand_signed_request(
        port,
        now(),
        &[json, target("CodeCommit_20150413.DeleteRepository")],
        &["content-type", "host", "x-amz-date"],
        body,
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert!(
        answer.contains("InvalidSignatureException") && answer.contains("X-Amz-Target"),
        "{answer}"
    );
    // The same for the date, the content type, and any other x-amz-* header.
    for (signed, extra, named) in [
        (
            &["content-type", "host", "x-amz-target"][..],
            None,
            "X-Amz-Date",
        ),
        (
            &["host", "x-amz-date", "x-amz-target"][..],
            None,
            "Content-Type",
        ),
        (
            &["content-type", "host", "x-amz-date", "x-amz-target"][..],
            Some(("X-Amz-Meta-Note", "unsigned")),
            "x-amz-meta-note",
        ),
    ] {
        let mut headers = vec![json, target("CodeCommit_20150413.DeleteRepository")];
        headers.extend(extra);
        let (status, answer) = hand_signed_request(port, now(), &headers, signed, body).await;
        assert_eq!(status, 403, "{named}: {answer}");
        assert!(answer.contains(named), "{named}: {answer}");
    }
    demo_client(&service)
        .get_repository()
        .repository_name("keep-me")
        .send()
        .await
        .expect("the repository must survive the refused requests");

    // Everything signed: accepted.
    let (status, answer) = hand_signed_request(
        port,
        now(),
        &[json, target("CodeCommit_20150413.GetRepository")],
        &["content-type", "host", "x-amz-date", "x-amz-target"],
        body,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn branch_names_git_branch_refuses_are_refused_by_every_branch_operation() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    client
        .create_repository()
        .repository_name("named")
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    work_tree(work.path(), "main", 1);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "named"), "main"],
    );
    let commit = git_ok(work.path(), &["rev-parse", "HEAD"]);

    for bad in [
        "-x",
        "HEAD",
        "refs/heads/x",
        "a..b",
        "x.lock",
        "a b",
        "@",
        "a/",
    ] {
        let created = client
            .create_branch()
            .repository_name("named")
            .branch_name(bad)
            .commit_id(&commit)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&created), "InvalidBranchNameException", "{bad}");
        assert_eq!(created.raw_response().unwrap().status().as_u16(), 400);
        let got = client
            .get_branch()
            .repository_name("named")
            .branch_name(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&got), "InvalidBranchNameException", "{bad}");
        let deleted = client
            .delete_branch()
            .repository_name("named")
            .branch_name(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&deleted), "InvalidBranchNameException", "{bad}");
        let default = client
            .update_default_branch()
            .repository_name("named")
            .default_branch_name(bad)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&default), "InvalidBranchNameException", "{bad}");
    }
    // Nothing of them reached the repository; names git takes still work.
    let branches = client
        .list_branches()
        .repository_name("named")
        .send()
        .await
        .unwrap();
    assert_eq!(branches.branches(), ["main".to_string()]);
    for good in ["x-", "feature/a.b", "@x"] {
        client
            .create_branch()
            .repository_name("named")
            .branch_name(good)
            .commit_id(&commit)
            .send()
            .await
            .unwrap();
    }
}
