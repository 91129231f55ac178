//! Pull requests in the local service, through the real `aws-sdk-codecommit` client and the
//! AWS CLI, over 127.0.0.1, on repositories filled by real git pushes.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/aws_cli.rs"]
mod aws_cli;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use aws_cli::{aws, aws_cli_present, json};
use aws_sdk_codecommit::error::ProvideErrorMetadata;
use aws_sdk_codecommit::types::{PullRequestEventType, PullRequestStatusEnum, Target};
use cctui::local::codecommit::DEMO_REVIEWER_ACCESS_KEY_ID;
use cctui::local::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_SECRET_ACCESS_KEY, LocalService,
    RunningService, ServiceConfig,
};
use local_support::*;

const BOB_SECRET: &str = "cctuiDemoSecretKey/SecondUserOfTheDemo0002";

fn alice_arn() -> String {
    format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/alice")
}

fn bob_arn() -> String {
    format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/bob")
}

async fn start(dir: &Path) -> RunningService {
    let mut config = ServiceConfig::new(dir);
    config
        .credentials
        .push(Credential::new(DEMO_REVIEWER_ACCESS_KEY_ID, BOB_SECRET));
    LocalService::start(config).await.unwrap()
}

fn bob(service: &RunningService) -> aws_sdk_codecommit::Client {
    client_with(
        &service.endpoint(),
        DEMO_REVIEWER_ACCESS_KEY_ID,
        BOB_SECRET,
        None,
    )
}

fn code<E: ProvideErrorMetadata>(error: &E) -> String {
    error.code().unwrap_or("<no code>").to_string()
}

/// Repository `name` with `main` (two files) and `feature` (one file changed, one added, one
/// deleted); answers the working tree.
async fn repo_with_feature(service: &RunningService, name: &str, work: &Path) -> (String, String) {
    create_demo_repository(service, name).await;
    git_ok(work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("a.txt"), "one\ntwo\nthree\n").unwrap();
    std::fs::write(work.join("gone.txt"), "bye\n").unwrap();
    git_ok(work, &["add", "."]);
    git_ok(work, &["commit", "-q", "-m", "base"]);
    let url = git_url(service, name);
    git_ok(work, &["push", "-q", &url, "main"]);
    git_ok(work, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(work.join("a.txt"), "one\nTWO\nthree\n").unwrap();
    std::fs::create_dir_all(work.join("src")).unwrap();
    std::fs::write(work.join("src/new.rs"), "fn main() {}\n").unwrap();
    std::fs::remove_file(work.join("gone.txt")).unwrap();
    git_ok(work, &["add", "-A"]);
    git_ok(work, &["commit", "-q", "-m", "feature work"]);
    git_ok(work, &["push", "-q", &url, "feature"]);
    let main = git_ok(work, &["rev-parse", "main"]);
    let feature = git_ok(work, &["rev-parse", "feature"]);
    (main, feature)
}

fn target(repo: &str, source: &str, destination: Option<&str>) -> Target {
    Target::builder()
        .repository_name(repo)
        .source_reference(source)
        .set_destination_reference(destination.map(str::to_string))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pull_requests_are_created_listed_updated_and_follow_their_branches() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let service = start(&data).await;
    let alice = demo_client(&service);
    let work = tempfile::tempdir().unwrap();
    let (main, feature) = repo_with_feature(&service, "prs", work.path()).await;

    let created = alice
        .create_pull_request()
        .title("Shout the second line")
        .description("Because it matters.")
        .targets(target("prs", "feature", None))
        .client_request_token("token-1")
        .send()
        .await
        .unwrap();
    let pr = created.pull_request().unwrap();
    let id = pr.pull_request_id().unwrap().to_string();
    assert_eq!(id, "1");
    assert_eq!(pr.author_arn(), Some(alice_arn().as_str()));
    assert_eq!(pr.pull_request_status(), Some(&PullRequestStatusEnum::Open));
    let t = &pr.pull_request_targets()[0];
    assert_eq!(t.source_reference(), Some("refs/heads/feature"));
    assert_eq!(t.destination_reference(), Some("refs/heads/main"));
    assert_eq!(t.source_commit(), Some(feature.as_str()));
    assert_eq!(t.destination_commit(), Some(main.as_str()));
    assert_eq!(t.merge_base(), Some(main.as_str()));
    assert!(!t.merge_metadata().unwrap().is_merged());
    let first_revision = pr.revision_id().unwrap().to_string();

    // The same token and request is a retry: the same pull request, no second one.
    let again = alice
        .create_pull_request()
        .title("Shout the second line")
        .description("Because it matters.")
        .targets(target("prs", "refs/heads/feature", Some("main")))
        .client_request_token("token-1")
        .send()
        .await
        .unwrap();
    assert_eq!(again.pull_request().unwrap().pull_request_id(), Some("1"));
    let mismatch = alice
        .create_pull_request()
        .title("Another title")
        .targets(target("prs", "feature", None))
        .client_request_token("token-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&mismatch.into_service_error()),
        "IdempotencyParameterMismatchException"
    );

    // Errors, with AWS's exception names.
    let long = "x".repeat(151);
    let cases: Vec<(Option<&str>, Vec<Target>, &str)> = vec![
        (
            None,
            vec![target("prs", "feature", None)],
            "TitleRequiredException",
        ),
        (
            Some(&long),
            vec![target("prs", "feature", None)],
            "InvalidTitleException",
        ),
        (
            Some("t"),
            vec![target("prs", "nope", None)],
            "ReferenceDoesNotExistException",
        ),
        (
            Some("t"),
            vec![target("prs", "feature", Some("feature"))],
            "SourceAndDestinationAreSameException",
        ),
        (
            Some("t"),
            vec![target("missing", "feature", None)],
            "RepositoryDoesNotExistException",
        ),
        (
            Some("t"),
            vec![target("prs", "feature", None), target("other", "x", None)],
            "MultipleRepositoriesInPullRequestException",
        ),
        (
            Some("t"),
            vec![target("prs", "refs/tags/v1", None)],
            "ReferenceTypeNotSupportedException",
        ),
        (Some("t"), vec![], "TargetsRequiredException"),
    ];
    for (title, targets, expected) in cases {
        let error = alice
            .create_pull_request()
            .set_title(title.map(str::to_string))
            .set_targets(Some(targets))
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error.into_service_error()), expected);
    }

    // A second one by bob; list filters by status and author and pages.
    let second = bob(&service)
        .create_pull_request()
        .title("Bob's")
        .targets(target("prs", "feature", None))
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.pull_request().unwrap().author_arn(),
        Some(bob_arn().as_str())
    );
    let all = alice
        .list_pull_requests()
        .repository_name("prs")
        .send()
        .await
        .unwrap();
    assert_eq!(all.pull_request_ids(), ["2", "1"], "newest first");
    let by_alice = alice
        .list_pull_requests()
        .repository_name("prs")
        .author_arn(alice_arn())
        .send()
        .await
        .unwrap();
    assert_eq!(by_alice.pull_request_ids(), ["1"]);
    let page1 = alice
        .list_pull_requests()
        .repository_name("prs")
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(page1.pull_request_ids(), ["2"]);
    let page2 = alice
        .list_pull_requests()
        .repository_name("prs")
        .max_results(1)
        .next_token(page1.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page2.pull_request_ids(), ["1"]);
    assert!(page2.next_token().is_none());
    let bad = alice
        .list_pull_requests()
        .repository_name("prs")
        .author_arn("not-an-arn")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad.into_service_error()), "InvalidAuthorArnException");

    // Title, description, close, reopen.
    let titled = alice
        .update_pull_request_title()
        .pull_request_id(&id)
        .title("Shout it")
        .send()
        .await
        .unwrap();
    assert_eq!(titled.pull_request().unwrap().title(), Some("Shout it"));
    alice
        .update_pull_request_description()
        .pull_request_id(&id)
        .description("New words")
        .send()
        .await
        .unwrap();
    let closed = alice
        .update_pull_request_status()
        .pull_request_id("2")
        .pull_request_status(PullRequestStatusEnum::Closed)
        .send()
        .await
        .unwrap();
    assert_eq!(
        closed.pull_request().unwrap().pull_request_status(),
        Some(&PullRequestStatusEnum::Closed)
    );
    let on_closed = alice
        .update_pull_request_title()
        .pull_request_id("2")
        .title("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&on_closed.into_service_error()),
        "PullRequestAlreadyClosedException"
    );
    let open_ids = alice
        .list_pull_requests()
        .repository_name("prs")
        .pull_request_status(PullRequestStatusEnum::Open)
        .send()
        .await
        .unwrap();
    assert_eq!(open_ids.pull_request_ids(), ["1"]);
    for (pr_id, expected) in [
        ("0", "InvalidPullRequestIdException"),
        ("abc", "InvalidPullRequestIdException"),
        ("99", "PullRequestDoesNotExistException"),
    ] {
        let error = alice
            .get_pull_request()
            .pull_request_id(pr_id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error.into_service_error()), expected, "{pr_id}");
    }

    // The source branch moves: a new revision and a SOURCE_REFERENCE_UPDATED event.
    std::fs::write(work.path().join("a.txt"), "one\nTWO\nTHREE\n").unwrap();
    git_ok(work.path(), &["commit", "-q", "-am", "more"]);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "prs"), "feature"],
    );
    let moved = git_ok(work.path(), &["rev-parse", "feature"]);
    let got = alice
        .get_pull_request()
        .pull_request_id(&id)
        .send()
        .await
        .unwrap();
    let got = got.pull_request().unwrap();
    assert_eq!(
        got.pull_request_targets()[0].source_commit(),
        Some(moved.as_str())
    );
    assert_ne!(got.revision_id(), Some(first_revision.as_str()));

    // Merged by a push of the source into the destination: merged and closed.
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "prs"), "feature:main"],
    );
    let merged = alice
        .get_pull_request()
        .pull_request_id(&id)
        .send()
        .await
        .unwrap();
    let merged = merged.pull_request().unwrap();
    assert_eq!(
        merged.pull_request_status(),
        Some(&PullRequestStatusEnum::Closed)
    );
    assert!(
        merged.pull_request_targets()[0]
            .merge_metadata()
            .unwrap()
            .is_merged()
    );
    let reopen = alice
        .update_pull_request_status()
        .pull_request_id(&id)
        .pull_request_status(PullRequestStatusEnum::Open)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&reopen.into_service_error()),
        "InvalidPullRequestStatusUpdateException"
    );

    let events = alice
        .describe_pull_request_events()
        .pull_request_id(&id)
        .send()
        .await
        .unwrap();
    let kinds: Vec<_> = events
        .pull_request_events()
        .iter()
        .map(|e| e.pull_request_event_type().unwrap().clone())
        .collect();
    assert_eq!(
        kinds,
        [
            PullRequestEventType::PullRequestCreated,
            PullRequestEventType::PullRequestSourceReferenceUpdated,
            PullRequestEventType::PullRequestMergeStateChanged,
        ]
    );
    let created_meta = events.pull_request_events()[0]
        .pull_request_created_event_metadata()
        .unwrap();
    assert_eq!(created_meta.source_commit_id(), Some(feature.as_str()));
    let paged = alice
        .describe_pull_request_events()
        .pull_request_id(&id)
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(paged.pull_request_events().len(), 2);
    assert!(paged.next_token().is_some());
    let status_events = alice
        .describe_pull_request_events()
        .pull_request_id("2")
        .pull_request_event_type(PullRequestEventType::PullRequestStatusChanged)
        .send()
        .await
        .unwrap();
    assert_eq!(status_events.pull_request_events().len(), 1);
    assert_eq!(
        status_events.pull_request_events()[0].actor_arn(),
        Some(alice_arn().as_str())
    );

    // Everything survives a restart.
    drop(service);
    let service = start(&data).await;
    let after = demo_client(&service)
        .get_pull_request()
        .pull_request_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(after.pull_request().unwrap().title(), Some("Shout it"));
    assert_eq!(
        after.pull_request().unwrap().description(),
        Some("New words")
    );
}

const ALICE: (&str, &str) = (DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY);
const BOB: (&str, &str) = (DEMO_REVIEWER_ACCESS_KEY_ID, BOB_SECRET);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_aws_cli_creates_lists_and_gets_pull_requests() {
    if !aws_cli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data")).await;
    let work = tempfile::tempdir().unwrap();
    let (_, feature) = repo_with_feature(&service, "cli-prs", work.path()).await;
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let (ok, out, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &[
                "create-pull-request",
                "--title",
                "From the CLI",
                "--targets",
                "repositoryName=cli-prs,sourceReference=feature",
            ],
        );
        assert!(ok, "{err}");
        let created = json(&out);
        let pr = &created["pullRequest"];
        assert_eq!(pr["pullRequestId"], "1");
        assert_eq!(
            pr["pullRequestTargets"][0]["sourceCommit"],
            feature.as_str()
        );
        assert_eq!(pr["authorArn"], alice_arn().as_str());

        let (ok, out, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &["list-pull-requests", "--repository-name", "cli-prs"],
        );
        assert!(ok, "{err}");
        assert_eq!(json(&out)["pullRequestIds"], serde_json::json!(["1"]));

        let (ok, out, err) = aws(
            &home,
            &endpoint,
            BOB,
            &["get-pull-request", "--pull-request-id", "1"],
        );
        assert!(ok, "{err}");
        assert_eq!(json(&out)["pullRequest"]["title"], "From the CLI");

        let pr = &json(&out)["pullRequest"]["pullRequestTargets"][0];
        let before = pr["destinationCommit"].as_str().unwrap().to_string();
        let after = pr["sourceCommit"].as_str().unwrap().to_string();
        let (ok, out, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &[
                "post-comment-for-pull-request",
                "--pull-request-id",
                "1",
                "--repository-name",
                "cli-prs",
                "--before-commit-id",
                &before,
                "--after-commit-id",
                &after,
                "--location",
                "filePath=a.txt,filePosition=2,relativeFileVersion=AFTER",
                "--content",
                "On line two",
            ],
        );
        assert!(ok, "{err}");
        let posted = json(&out);
        assert_eq!(posted["location"]["filePosition"], 2);
        let comment_id = posted["comment"]["commentId"].as_str().unwrap().to_string();
        let (ok, out, err) = aws(
            &home,
            &endpoint,
            BOB,
            &[
                "post-comment-reply",
                "--in-reply-to",
                &comment_id,
                "--content",
                "Agreed",
            ],
        );
        assert!(ok, "{err}");
        assert_eq!(json(&out)["comment"]["inReplyTo"], comment_id.as_str());
        let (ok, _, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &[
                "post-comment-for-pull-request",
                "--pull-request-id",
                "1",
                "--repository-name",
                "cli-prs",
                "--before-commit-id",
                &before,
                "--after-commit-id",
                &after,
                "--location",
                "filePath=a.txt,filePosition=40,relativeFileVersion=AFTER",
                "--content",
                "Nowhere",
            ],
        );
        assert!(!ok);
        assert!(err.contains("InvalidFilePositionException"), "{err}");

        let (ok, _, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &[
                "create-pull-request",
                "--title",
                "same",
                "--targets",
                "repositoryName=cli-prs,sourceReference=main,destinationReference=main",
            ],
        );
        assert!(!ok);
        assert!(
            err.contains("SourceAndDestinationAreSameException"),
            "{err}"
        );
        let (ok, _, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &["get-pull-request", "--pull-request-id", "42"],
        );
        assert!(!ok);
        assert!(err.contains("PullRequestDoesNotExistException"), "{err}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn differences_and_blobs_come_from_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let client = demo_client(&service);
    let work = tempfile::tempdir().unwrap();
    let (main, _) = repo_with_feature(&service, "diffs", work.path()).await;

    let all = client
        .get_differences()
        .repository_name("diffs")
        .before_commit_specifier(&main)
        .after_commit_specifier("feature")
        .send()
        .await
        .unwrap();
    let summary: Vec<(String, Option<String>, Option<String>)> = all
        .differences()
        .iter()
        .map(|d| {
            (
                d.change_type().unwrap().as_str().to_string(),
                d.before_blob().and_then(|b| b.path()).map(str::to_string),
                d.after_blob().and_then(|b| b.path()).map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("M".into(), Some("a.txt".into()), Some("a.txt".into())),
            ("D".into(), Some("gone.txt".into()), None),
            ("A".into(), None, Some("src/new.rs".into())),
        ]
    );
    let modified = &all.differences()[0];
    assert_eq!(modified.after_blob().unwrap().mode(), Some("100644"));
    let after_blob = modified
        .after_blob()
        .unwrap()
        .blob_id()
        .unwrap()
        .to_string();
    assert_eq!(
        after_blob,
        git_ok(work.path(), &["rev-parse", "feature:a.txt"])
    );

    // No before: everything in the commit is added. Paths filter; pages follow NextToken.
    let initial = client
        .get_differences()
        .repository_name("diffs")
        .after_commit_specifier("main")
        .send()
        .await
        .unwrap();
    assert!(
        initial
            .differences()
            .iter()
            .all(|d| d.change_type().unwrap().as_str() == "A")
    );
    assert_eq!(initial.differences().len(), 2);
    let in_src = client
        .get_differences()
        .repository_name("diffs")
        .before_commit_specifier("main")
        .after_commit_specifier("feature")
        .after_path("src")
        .send()
        .await
        .unwrap();
    assert_eq!(in_src.differences().len(), 1);
    let first = client
        .get_differences()
        .repository_name("diffs")
        .before_commit_specifier("main")
        .after_commit_specifier("feature")
        .max_results(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.differences().len(), 2);
    let rest = client
        .get_differences()
        .repository_name("diffs")
        .before_commit_specifier("main")
        .after_commit_specifier("feature")
        .max_results(2)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.differences().len(), 1);
    assert!(rest.next_token().is_none());

    let blob = client
        .get_blob()
        .repository_name("diffs")
        .blob_id(&after_blob)
        .send()
        .await
        .unwrap();
    assert_eq!(blob.content().as_ref(), b"one\nTWO\nthree\n");

    let missing_commit = client
        .get_differences()
        .repository_name("diffs")
        .after_commit_specifier("no-such-branch")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&missing_commit.into_service_error()),
        "CommitDoesNotExistException"
    );
    let missing_path = client
        .get_differences()
        .repository_name("diffs")
        .after_commit_specifier("feature")
        .after_path("nowhere")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&missing_path.into_service_error()),
        "PathDoesNotExistException"
    );
    for (id, expected) in [
        ("1234", "InvalidBlobIdException"),
        (
            "0123456789012345678901234567890123456789",
            "BlobIdDoesNotExistException",
        ),
    ] {
        let error = client
            .get_blob()
            .repository_name("diffs")
            .blob_id(id)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error.into_service_error()), expected);
    }
}

async fn open_pull_request(
    client: &aws_sdk_codecommit::Client,
    repo: &str,
) -> (String, String, String) {
    let created = client
        .create_pull_request()
        .title("Review me")
        .targets(target(repo, "feature", None))
        .send()
        .await
        .unwrap();
    let pr = created.pull_request().unwrap();
    let t = &pr.pull_request_targets()[0];
    (
        pr.pull_request_id().unwrap().to_string(),
        t.destination_commit().unwrap().to_string(),
        t.source_commit().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn comments_on_lines_replies_edits_and_reactions() {
    use aws_sdk_codecommit::types::{Location, RelativeFileVersionEnum};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let service = start(&data).await;
    let alice = demo_client(&service);
    let bob = bob(&service);
    let work = tempfile::tempdir().unwrap();
    repo_with_feature(&service, "talk", work.path()).await;
    let other = tempfile::tempdir().unwrap();
    repo_with_feature(&service, "elsewhere", other.path()).await;
    let (id, before, after) = open_pull_request(&alice, "talk").await;
    let line = |path: &str, n: i64, version: RelativeFileVersionEnum| {
        Location::builder()
            .file_path(path)
            .file_position(n)
            .relative_file_version(version)
            .build()
    };

    let on_line = alice
        .post_comment_for_pull_request()
        .pull_request_id(&id)
        .repository_name("talk")
        .before_commit_id(&before)
        .after_commit_id(&after)
        .location(line("a.txt", 2, RelativeFileVersionEnum::After))
        .content("Why shout?")
        .client_request_token("c-1")
        .send()
        .await
        .unwrap();
    let first = on_line.comment().unwrap().comment_id().unwrap().to_string();
    assert_eq!(on_line.location().unwrap().file_position(), Some(2));
    assert_eq!(
        on_line.after_blob_id(),
        Some(git_ok(work.path(), &["rev-parse", "feature:a.txt"]).as_str())
    );
    assert_eq!(
        on_line.before_blob_id(),
        Some(git_ok(work.path(), &["rev-parse", "main:a.txt"]).as_str())
    );
    let retry = alice
        .post_comment_for_pull_request()
        .pull_request_id(&id)
        .repository_name("talk")
        .before_commit_id(&before)
        .after_commit_id(&after)
        .location(line("a.txt", 2, RelativeFileVersionEnum::After))
        .content("Why shout?")
        .client_request_token("c-1")
        .send()
        .await
        .unwrap();
    assert_eq!(retry.comment().unwrap().comment_id(), Some(first.as_str()));
    alice
        .post_comment_for_pull_request()
        .pull_request_id(&id)
        .repository_name("talk")
        .before_commit_id(&before)
        .after_commit_id(&after)
        .content("Overall fine.")
        .send()
        .await
        .unwrap();
    let reply = bob
        .post_comment_reply()
        .in_reply_to(&first)
        .content("Because it is important.")
        .send()
        .await
        .unwrap();
    let reply = reply.comment().unwrap();
    assert_eq!(reply.in_reply_to(), Some(first.as_str()));
    assert_eq!(reply.author_arn(), Some(bob_arn().as_str()));

    let threads = alice
        .get_comments_for_pull_request()
        .pull_request_id(&id)
        .send()
        .await
        .unwrap();
    let threads_data = threads.comments_for_pull_request_data();
    assert_eq!(
        threads_data.len(),
        2,
        "one thread on the line, one on the request"
    );
    assert_eq!(
        threads_data[0].location().unwrap().file_path(),
        Some("a.txt")
    );
    let contents: Vec<_> = threads_data[0]
        .comments()
        .iter()
        .map(|c| c.content().unwrap())
        .collect();
    assert_eq!(contents, ["Why shout?", "Because it is important."]);
    assert!(threads_data[1].location().is_none());
    let paged = alice
        .get_comments_for_pull_request()
        .pull_request_id(&id)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        paged.comments_for_pull_request_data()[0].comments().len(),
        1
    );
    assert!(paged.next_token().is_some());

    // Location and commit errors.
    let bad_cases: Vec<(&str, &str, &str, Option<Location>, &str)> = vec![
        (
            "talk",
            &before,
            &after,
            Some(line("a.txt", 99, RelativeFileVersionEnum::After)),
            "InvalidFilePositionException",
        ),
        (
            "talk",
            &before,
            &after,
            Some(line("gone.txt", 1, RelativeFileVersionEnum::After)),
            "PathDoesNotExistException",
        ),
        (
            "talk",
            &after,
            &after,
            None,
            "BeforeCommitIdAndAfterCommitIdAreSameException",
        ),
        ("talk", "abc", &after, None, "InvalidCommitIdException"),
        (
            "talk",
            "0123456789012345678901234567890123456789",
            &after,
            None,
            "CommitDoesNotExistException",
        ),
    ];
    for (repo, b, a, location, expected) in bad_cases {
        let error = alice
            .post_comment_for_pull_request()
            .pull_request_id(&id)
            .repository_name(repo)
            .before_commit_id(b)
            .after_commit_id(a)
            .set_location(location)
            .content("x")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error.into_service_error()), expected);
    }
    let other_before = git_ok(other.path(), &["rev-parse", "main"]);
    let other_after = git_ok(other.path(), &["rev-parse", "feature"]);
    let error = alice
        .post_comment_for_pull_request()
        .pull_request_id(&id)
        .repository_name("elsewhere")
        .before_commit_id(&other_before)
        .after_commit_id(&other_after)
        .content("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&error.into_service_error()),
        "RepositoryNotAssociatedWithPullRequestException"
    );
    let empty = alice
        .post_comment_reply()
        .in_reply_to(&first)
        .content("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&empty.into_service_error()),
        "CommentContentRequiredException"
    );

    // Only the author edits.
    let not_mine = bob
        .update_comment()
        .comment_id(&first)
        .content("hijack")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&not_mine.into_service_error()),
        "CommentNotCreatedByCallerException"
    );
    let edited = alice
        .update_comment()
        .comment_id(&first)
        .content("Why shout, really?")
        .send()
        .await
        .unwrap();
    assert_eq!(
        edited.comment().unwrap().content(),
        Some("Why shout, really?")
    );

    // Reactions, one per user, in any form.
    bob.put_comment_reaction()
        .comment_id(&first)
        .reaction_value(":thumbsup:")
        .send()
        .await
        .unwrap();
    alice
        .put_comment_reaction()
        .comment_id(&first)
        .reaction_value("👍")
        .send()
        .await
        .unwrap();
    let bad = alice
        .put_comment_reaction()
        .comment_id(&first)
        .reaction_value(":unicorn:")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&bad.into_service_error()),
        "InvalidReactionValueException"
    );
    let reactions = alice
        .get_comment_reactions()
        .comment_id(&first)
        .send()
        .await
        .unwrap();
    let all = reactions.reactions_for_comment();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].reaction().unwrap().unicode(), Some("U+1F44D"));
    assert_eq!(all[0].reaction_users().len(), 2);
    let as_bob = bob.get_comment().comment_id(&first).send().await.unwrap();
    let as_bob = as_bob.comment().unwrap();
    assert_eq!(as_bob.caller_reactions(), ["👍"]);
    assert_eq!(as_bob.reaction_counts().unwrap().get("👍"), Some(&2));

    // Deleted content: the comment stays in its thread, emptied.
    let deleted = alice
        .delete_comment_content()
        .comment_id(&first)
        .send()
        .await
        .unwrap();
    assert!(deleted.comment().unwrap().deleted());
    let gone = alice
        .get_comment()
        .comment_id(&first)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone.into_service_error()), "CommentDeletedException");
    let missing = alice
        .get_comment()
        .comment_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&missing.into_service_error()),
        "CommentDoesNotExistException"
    );

    drop(service);
    let service = start(&data).await;
    let threads = demo_client(&service)
        .get_comments_for_pull_request()
        .pull_request_id(&id)
        .send()
        .await
        .unwrap();
    let data = threads.comments_for_pull_request_data();
    assert_eq!(data[0].comments().len(), 2);
    assert!(data[0].comments()[0].deleted());
    assert_eq!(
        data[0].comments()[1].content(),
        Some("Because it is important.")
    );
}

fn rule(needed: u32, pool: &[&str]) -> String {
    serde_json::json!({
        "Version": "2018-11-08",
        "Statements": [{
            "Type": "Approvers",
            "NumberOfApprovalsNeeded": needed,
            "ApprovalPoolMembers": pool,
        }]
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approvals_rules_and_their_evaluation() {
    use aws_sdk_codecommit::types::ApprovalState;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let service = start(&data).await;
    let alice = demo_client(&service);
    let bob = bob(&service);
    let work = tempfile::tempdir().unwrap();
    repo_with_feature(&service, "review", work.path()).await;
    let (id, _, _) = open_pull_request(&alice, "review").await;
    let revision = |client: aws_sdk_codecommit::Client, id: String| async move {
        client
            .get_pull_request()
            .pull_request_id(id)
            .send()
            .await
            .unwrap()
            .pull_request()
            .unwrap()
            .revision_id()
            .unwrap()
            .to_string()
    };
    let rev = revision(alice.clone(), id.clone()).await;

    // No rules: approved.
    let evaluation = alice
        .evaluate_pull_request_approval_rules()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    assert!(evaluation.evaluation().unwrap().approved());

    let created = alice
        .create_pull_request_approval_rule()
        .pull_request_id(&id)
        .approval_rule_name("two reviewers")
        .approval_rule_content(rule(
            1,
            &[&format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/*")],
        ))
        .send()
        .await
        .unwrap();
    let sha = created
        .approval_rule()
        .unwrap()
        .rule_content_sha256()
        .unwrap()
        .to_string();
    alice
        .create_pull_request_approval_rule()
        .pull_request_id(&id)
        .approval_rule_name("carol")
        .approval_rule_content(rule(
            1,
            &[&format!("CodeCommitApprovers:{DEMO_ACCOUNT_ID}:carol")],
        ))
        .send()
        .await
        .unwrap();
    for (name, content, expected) in [
        (
            "two reviewers",
            rule(1, &[]),
            "ApprovalRuleNameAlreadyExistsException",
        ),
        (
            "bad",
            "{\"Version\":\"1\"}".to_string(),
            "InvalidApprovalRuleContentException",
        ),
        ("", rule(1, &[]), "ApprovalRuleNameRequiredException"),
    ] {
        let error = alice
            .create_pull_request_approval_rule()
            .pull_request_id(&id)
            .approval_rule_name(name)
            .approval_rule_content(content)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error.into_service_error()), expected, "{name}");
    }

    let own = alice
        .update_pull_request_approval_state()
        .pull_request_id(&id)
        .revision_id(&rev)
        .approval_state(ApprovalState::Approve)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&own.into_service_error()),
        "PullRequestCannotBeApprovedByAuthorException"
    );
    bob.update_pull_request_approval_state()
        .pull_request_id(&id)
        .revision_id(&rev)
        .approval_state(ApprovalState::Approve)
        .send()
        .await
        .unwrap();
    let states = alice
        .get_pull_request_approval_states()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    assert_eq!(states.approvals().len(), 1);
    assert_eq!(states.approvals()[0].user_arn(), Some(bob_arn().as_str()));
    let evaluation = alice
        .evaluate_pull_request_approval_rules()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    let e = evaluation.evaluation().unwrap();
    assert!(!e.approved(), "carol's rule is not satisfied");
    assert_eq!(e.approval_rules_satisfied(), ["two reviewers"]);
    assert_eq!(e.approval_rules_not_satisfied(), ["carol"]);

    // A stale hash is refused; deleting carol's rule leaves the request approved.
    let stale = alice
        .update_pull_request_approval_rule_content()
        .pull_request_id(&id)
        .approval_rule_name("two reviewers")
        .existing_rule_content_sha256("0".repeat(64))
        .new_rule_content(rule(2, &[]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&stale.into_service_error()),
        "InvalidRuleContentSha256Exception"
    );
    alice
        .update_pull_request_approval_rule_content()
        .pull_request_id(&id)
        .approval_rule_name("two reviewers")
        .existing_rule_content_sha256(&sha)
        .new_rule_content(rule(1, &[&bob_arn()]))
        .send()
        .await
        .unwrap();
    let deleted = alice
        .delete_pull_request_approval_rule()
        .pull_request_id(&id)
        .approval_rule_name("carol")
        .send()
        .await
        .unwrap();
    assert!(!deleted.approval_rule_id().is_empty());
    let evaluation = alice
        .evaluate_pull_request_approval_rules()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    assert!(evaluation.evaluation().unwrap().approved());

    // The source moves: a new revision, the old approval no longer counts.
    std::fs::write(work.path().join("a.txt"), "changed again\n").unwrap();
    git_ok(work.path(), &["commit", "-q", "-am", "again"]);
    git_ok(
        work.path(),
        &["push", "-q", &git_url(&service, "review"), "feature"],
    );
    let new_rev = revision(alice.clone(), id.clone()).await;
    assert_ne!(new_rev, rev);
    let stale = alice
        .evaluate_pull_request_approval_rules()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&stale.into_service_error()),
        "RevisionNotCurrentException"
    );
    let evaluation = alice
        .evaluate_pull_request_approval_rules()
        .pull_request_id(&id)
        .revision_id(&new_rev)
        .send()
        .await
        .unwrap();
    assert!(!evaluation.evaluation().unwrap().approved());
    let old_states = alice
        .get_pull_request_approval_states()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    assert_eq!(
        old_states.approvals().len(),
        1,
        "old revisions keep their approvals"
    );
    // A well-formed revision that was never this request's is refused by both reads.
    let never = "0".repeat(64);
    let states = alice
        .get_pull_request_approval_states()
        .pull_request_id(&id)
        .revision_id(&never)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&states), "InvalidRevisionIdException");
    let override_state = alice
        .get_pull_request_override_state()
        .pull_request_id(&id)
        .revision_id(&never)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&override_state), "InvalidRevisionIdException");

    drop(service);
    let service = start(&data).await;
    let states = self::bob(&service)
        .get_pull_request_approval_states()
        .pull_request_id(&id)
        .revision_id(&rev)
        .send()
        .await
        .unwrap();
    assert_eq!(states.approvals().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_aws_cli_approves_as_a_second_user_and_evaluates() {
    if !aws_cli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(&dir.path().join("data")).await;
    let work = tempfile::tempdir().unwrap();
    repo_with_feature(&service, "cli-review", work.path()).await;
    let (id, _, _) = open_pull_request(&demo_client(&service), "cli-review").await;
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let (ok, out, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &["get-pull-request", "--pull-request-id", &id],
        );
        assert!(ok, "{err}");
        let revision = json(&out)["pullRequest"]["revisionId"]
            .as_str()
            .unwrap()
            .to_string();
        let content = rule(1, &["CodeCommitApprovers:111122223333:bob"]);
        let (ok, _, err) = aws(
            &home,
            &endpoint,
            ALICE,
            &[
                "create-pull-request-approval-rule",
                "--pull-request-id",
                &id,
                "--approval-rule-name",
                "bob reviews",
                "--approval-rule-content",
                &content,
            ],
        );
        assert!(ok, "{err}");
        let approve = |key| {
            aws(
                &home,
                &endpoint,
                key,
                &[
                    "update-pull-request-approval-state",
                    "--pull-request-id",
                    &id,
                    "--revision-id",
                    &revision,
                    "--approval-state",
                    "APPROVE",
                ],
            )
        };
        let (ok, _, err) = approve(ALICE);
        assert!(!ok);
        assert!(
            err.contains("PullRequestCannotBeApprovedByAuthorException"),
            "{err}"
        );
        let evaluate = || {
            let (ok, out, err) = aws(
                &home,
                &endpoint,
                ALICE,
                &[
                    "evaluate-pull-request-approval-rules",
                    "--pull-request-id",
                    &id,
                    "--revision-id",
                    &revision,
                ],
            );
            assert!(ok, "{err}");
            json(&out)["evaluation"].clone()
        };
        assert_eq!(evaluate()["approved"], false);
        let (ok, _, err) = approve(BOB);
        assert!(ok, "{err}");
        let evaluation = evaluate();
        assert_eq!(evaluation["approved"], true);
        assert_eq!(
            evaluation["approvalRulesSatisfied"],
            serde_json::json!(["bob reviews"])
        );
        let (ok, out, err) = aws(
            &home,
            &endpoint,
            BOB,
            &[
                "merge-pull-request-by-squash",
                "--pull-request-id",
                &id,
                "--repository-name",
                "cli-review",
            ],
        );
        assert!(ok, "{err}");
        let merged = &json(&out)["pullRequest"];
        assert_eq!(merged["pullRequestStatus"], "CLOSED");
        let meta = &merged["pullRequestTargets"][0]["mergeMetadata"];
        assert_eq!(meta["isMerged"], true);
        assert_eq!(meta["mergeOption"], "SQUASH_MERGE");
        assert_eq!(meta["mergedBy"], bob_arn().as_str());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_demo_seeds_pull_requests_to_review_approved_conflicting_merged_and_closed() {
    use aws_sdk_codecommit::types::MergeOptionTypeEnum;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let started = std::time::Instant::now();
    tokio::task::spawn_blocking(move || cctui::local::demo::seed_if_needed(&data, false))
        .await
        .unwrap()
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "seeding took {:?}",
        started.elapsed()
    );
    let service = start(dir.path()).await;
    let alice = demo_client(&service);
    let open = alice
        .list_pull_requests()
        .repository_name("cctui-demo")
        .pull_request_status(PullRequestStatusEnum::Open)
        .send()
        .await
        .unwrap();
    assert_eq!(open.pull_request_ids().len(), 3);
    let closed = alice
        .list_pull_requests()
        .repository_name("cctui-demo")
        .pull_request_status(PullRequestStatusEnum::Closed)
        .send()
        .await
        .unwrap();
    assert_eq!(closed.pull_request_ids().len(), 2);
    let conflicting = alice
        .list_pull_requests()
        .repository_name("merge-conflict")
        .send()
        .await
        .unwrap();
    assert_eq!(conflicting.pull_request_ids().len(), 1);

    let mut reviewed = None;
    let mut approved = None;
    let mut clashing = None;
    for id in open.pull_request_ids() {
        let pr = alice
            .get_pull_request()
            .pull_request_id(id)
            .send()
            .await
            .unwrap();
        let pr = pr.pull_request().unwrap();
        let t = &pr.pull_request_targets()[0];
        let evaluation = alice
            .evaluate_pull_request_approval_rules()
            .pull_request_id(id)
            .revision_id(pr.revision_id().unwrap())
            .send()
            .await
            .unwrap();
        let options = alice
            .get_merge_options()
            .repository_name("cctui-demo")
            .source_commit_specifier(t.source_commit().unwrap())
            .destination_commit_specifier(t.destination_commit().unwrap())
            .send()
            .await
            .unwrap();
        let mergeable = !options.merge_options().is_empty();
        if t.source_reference() == Some("refs/heads/feature/readme-rewrite") {
            assert!(!mergeable, "the conflicting one does not merge");
            clashing = Some(t.clone());
        } else if pr.approval_rules().is_empty() {
            reviewed = Some(id.clone());
        } else if evaluation.evaluation().unwrap().approved() {
            assert!(
                options
                    .merge_options()
                    .contains(&MergeOptionTypeEnum::ThreeWayMerge),
                "approved and mergeable"
            );
            approved = Some(id.clone());
        }
    }
    assert!(approved.is_some(), "one open pull request is approved");
    let comments = alice
        .get_comments_for_pull_request()
        .pull_request_id(reviewed.expect("one to review"))
        .send()
        .await
        .unwrap();
    let threads = comments.comments_for_pull_request_data();
    let on_lines = threads
        .iter()
        .filter(|t| t.location().and_then(|l| l.file_position()).is_some())
        .count();
    assert_eq!(on_lines, 2);
    assert!(threads.iter().any(|t| t.comments().len() == 2), "a reply");

    // The conflict is on the same lines of README.md.
    let clashing = clashing.expect("a conflicting pull request");
    let conflicts = alice
        .get_merge_conflicts()
        .repository_name("cctui-demo")
        .source_commit_specifier(clashing.source_commit().unwrap())
        .destination_commit_specifier(clashing.destination_commit().unwrap())
        .merge_option(MergeOptionTypeEnum::ThreeWayMerge)
        .conflict_detail_level(aws_sdk_codecommit::types::ConflictDetailLevelTypeEnum::LineLevel)
        .send()
        .await
        .unwrap();
    assert!(!conflicts.mergeable());
    let files: Vec<&str> = conflicts
        .conflict_metadata_list()
        .iter()
        .filter_map(|c| c.file_path())
        .collect();
    assert_eq!(files, ["README.md"]);

    // One merged for real into release/1.0, one closed without merging.
    let mut merged = 0;
    for id in closed.pull_request_ids() {
        let pr = alice
            .get_pull_request()
            .pull_request_id(id)
            .send()
            .await
            .unwrap();
        let t = pr.pull_request().unwrap().pull_request_targets()[0].clone();
        let meta = t.merge_metadata().unwrap();
        if !meta.is_merged() {
            continue;
        }
        merged += 1;
        assert_eq!(t.destination_reference(), Some("refs/heads/release/1.0"));
        assert_eq!(meta.merged_by(), Some(bob_arn().as_str()));
        let work = tempfile::tempdir().unwrap();
        let w = work.path();
        git_ok(w, &["init", "-q"]);
        let url = git_url(&service, "cctui-demo");
        git_ok(w, &["fetch", "-q", &url, "release/1.0"]);
        assert_eq!(
            Some(git_ok(w, &["rev-parse", "FETCH_HEAD"]).as_str()),
            meta.merge_commit_id()
        );
        assert_eq!(
            git_ok(w, &["rev-parse", "FETCH_HEAD^2"]),
            t.source_commit().unwrap(),
            "a merge commit with the source as second parent"
        );
        assert_eq!(
            git_ok(w, &["log", "-1", "--format=%s", "FETCH_HEAD"]),
            "Merge release notes into release/1.0"
        );
    }
    assert_eq!(merged, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn merges_fast_forward_squash_and_three_way_are_real_git_merges() {
    use aws_sdk_codecommit::types::{
        ApprovalState, ConflictResolutionStrategyTypeEnum, MergeOptionTypeEnum,
    };
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let alice = demo_client(&service);
    let bob = bob(&service);
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (base, feature) = repo_with_feature(&service, "merges", w).await;
    let url = git_url(&service, "merges");
    let remote_tip = |branch: &str| {
        let out = git_ok(w, &["ls-remote", &url, &format!("refs/heads/{branch}")]);
        out.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    };

    let options = alice
        .get_merge_options()
        .repository_name("merges")
        .source_commit_specifier("feature")
        .destination_commit_specifier("main")
        .send()
        .await
        .unwrap();
    assert_eq!(
        options.merge_options(),
        [
            MergeOptionTypeEnum::FastForwardMerge,
            MergeOptionTypeEnum::SquashMerge,
            MergeOptionTypeEnum::ThreeWayMerge
        ]
    );
    assert_eq!(options.base_commit_id(), base);

    // Fast-forward.
    let (a, _, _) = open_pull_request(&alice, "merges").await;
    let merged = alice
        .merge_pull_request_by_fast_forward()
        .pull_request_id(&a)
        .repository_name("merges")
        .send()
        .await
        .unwrap();
    let pr = merged.pull_request().unwrap();
    assert_eq!(
        pr.pull_request_status(),
        Some(&PullRequestStatusEnum::Closed)
    );
    let meta = pr.pull_request_targets()[0].merge_metadata().unwrap();
    assert!(meta.is_merged());
    assert_eq!(
        meta.merge_option(),
        Some(&MergeOptionTypeEnum::FastForwardMerge)
    );
    assert_eq!(meta.merged_by(), Some(alice_arn().as_str()));
    assert_eq!(remote_tip("main"), feature);

    // Squash, refused until the rule is satisfied.
    git_ok(w, &["checkout", "-q", "-b", "squashme", "feature"]);
    std::fs::write(w.join("b.txt"), "b1\n").unwrap();
    git_ok(w, &["add", "b.txt"]);
    git_ok(w, &["commit", "-q", "-m", "b one"]);
    std::fs::write(w.join("b.txt"), "b2\n").unwrap();
    git_ok(w, &["commit", "-q", "-am", "b two"]);
    git_ok(w, &["push", "-q", &url, "squashme"]);
    let created = alice
        .create_pull_request()
        .title("Squash me")
        .targets(target("merges", "squashme", Some("main")))
        .send()
        .await
        .unwrap();
    let created = created.pull_request().unwrap();
    let b = created.pull_request_id().unwrap().to_string();
    let revision = created.revision_id().unwrap().to_string();
    let source = created.pull_request_targets()[0]
        .source_commit()
        .unwrap()
        .to_string();
    alice
        .create_pull_request_approval_rule()
        .pull_request_id(&b)
        .approval_rule_name("bob")
        .approval_rule_content(rule(1, &[&bob_arn()]))
        .send()
        .await
        .unwrap();
    let squash = || {
        alice
            .merge_pull_request_by_squash()
            .pull_request_id(&b)
            .repository_name("merges")
            .source_commit_id(&source)
            .commit_message("Squashed b.txt\n")
    };
    let refused = squash().send().await.unwrap_err();
    assert_eq!(
        code(&refused.into_service_error()),
        "PullRequestApprovalRulesNotSatisfiedException"
    );
    let stale = alice
        .merge_pull_request_by_squash()
        .pull_request_id(&b)
        .repository_name("merges")
        .source_commit_id(&feature)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&stale.into_service_error()),
        "TipOfSourceReferenceIsDifferentException"
    );
    bob.update_pull_request_approval_state()
        .pull_request_id(&b)
        .revision_id(&revision)
        .approval_state(ApprovalState::Approve)
        .send()
        .await
        .unwrap();
    let merged = squash().send().await.unwrap();
    let meta = merged.pull_request().unwrap().pull_request_targets()[0]
        .merge_metadata()
        .unwrap()
        .clone();
    let squashed = remote_tip("main");
    assert_eq!(meta.merge_commit_id(), Some(squashed.as_str()));
    git_ok(w, &["fetch", "-q", &url, "main"]);
    assert_eq!(
        git_ok(w, &["rev-parse", "FETCH_HEAD^"]),
        feature,
        "one parent: the old main"
    );
    assert!(
        git(w, &["rev-parse", "--verify", "-q", "FETCH_HEAD^2"])
            .stdout
            .is_empty()
    );
    assert_eq!(git_ok(w, &["show", "FETCH_HEAD:b.txt"]), "b2");
    assert_eq!(
        git_ok(w, &["log", "-1", "--format=%s", "FETCH_HEAD"]),
        "Squashed b.txt"
    );

    // A conflicting branch: refused, then merged three-way accepting the source.
    git_ok(w, &["checkout", "-q", "-b", "clash", &base]);
    std::fs::write(w.join("a.txt"), "one\ndeux\nthree\n").unwrap();
    git_ok(w, &["commit", "-q", "-am", "deux"]);
    git_ok(w, &["push", "-q", &url, "clash"]);
    let options = alice
        .get_merge_options()
        .repository_name("merges")
        .source_commit_specifier("clash")
        .destination_commit_specifier("main")
        .send()
        .await
        .unwrap();
    assert!(options.merge_options().is_empty(), "{options:?}");
    let c = alice
        .create_pull_request()
        .title("Clash")
        .targets(target("merges", "clash", None))
        .send()
        .await
        .unwrap()
        .pull_request()
        .unwrap()
        .pull_request_id()
        .unwrap()
        .to_string();
    let conflict = alice
        .merge_pull_request_by_three_way()
        .pull_request_id(&c)
        .repository_name("merges")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&conflict.into_service_error()),
        "ManualMergeRequiredException"
    );
    assert_eq!(remote_tip("main"), squashed, "nothing moved");
    let merged = alice
        .merge_pull_request_by_three_way()
        .pull_request_id(&c)
        .repository_name("merges")
        .conflict_resolution_strategy(ConflictResolutionStrategyTypeEnum::AcceptSource)
        .send()
        .await
        .unwrap();
    assert_eq!(
        merged.pull_request().unwrap().pull_request_targets()[0]
            .merge_metadata()
            .unwrap()
            .merge_option(),
        Some(&MergeOptionTypeEnum::ThreeWayMerge)
    );
    git_ok(w, &["fetch", "-q", &url, "main"]);
    assert_eq!(git_ok(w, &["rev-parse", "FETCH_HEAD^1"]), squashed);
    assert_eq!(
        git_ok(w, &["rev-parse", "FETCH_HEAD^2"]),
        git_ok(w, &["rev-parse", "clash"])
    );
    assert_eq!(git_ok(w, &["show", "FETCH_HEAD:a.txt"]), "one\ndeux\nthree");
    let closed = alice
        .merge_pull_request_by_three_way()
        .pull_request_id(&c)
        .repository_name("merges")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&closed.into_service_error()),
        "PullRequestAlreadyClosedException"
    );
}
