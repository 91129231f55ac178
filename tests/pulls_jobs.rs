//! The pull requests screen's jobs (`cctui::jobs::pulls_job`, through `cctui::aws::pulls`)
//! run by the job manager as the app runs them, against the local service over 127.0.0.1 with
//! the real SDK, on repositories filled by real git pushes: listing with details, the view's
//! detail, a file's diff, line comments and replies, approval by a second user, close and
//! reopen, a squash merge seen by git, and a new request drafted from a clone's commits.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/jobs.rs"]
mod jobs_support;
#[path = "support/local.rs"]
mod local_support;

use std::time::Duration;

use cctui::aws::client::{Clients, StaticCredentials, Target};
use cctui::aws::pulls::{
    Anchor, Change, ListStatus, MergeRequest, MergeStrategy, NewPullRequest, PullRequest,
    PullStatus, Side,
};
use cctui::git::diff::LineOrigin;
use cctui::jobs::pulls_job::{PullDetail, PullsOutput, PullsRequest};
use cctui::jobs::{JobEvent, JobFailure, JobId, JobManager, JobOutput, JobRequest};
use cctui::local::codecommit::DEMO_REVIEWER_ACCESS_KEY_ID;
use cctui::local::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY,
    LocalService, RunningService, ServiceConfig,
};
use local_support::{demo_client, git_ok, git_url};

const BOB_SECRET: &str = "cctuiDemoSecretKey/SecondUserOfTheDemo0002";

struct World {
    service: RunningService,
    target: Target,
    work: tempfile::TempDir,
    _data: tempfile::TempDir,
}

fn clients(key: &str, secret: &str) -> Clients {
    Clients::with_credentials(StaticCredentials {
        access_key_id: key.into(),
        secret_access_key: secret.to_string().into(),
        session_token: None,
    })
}

fn alice() -> Clients {
    clients(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
}

fn bob() -> Clients {
    clients(DEMO_REVIEWER_ACCESS_KEY_ID, BOB_SECRET)
}

/// A service with alice and bob, and repository `shop` with `main`, a clean `feature` branch
/// (one line changed, one file added) and a `clash` branch that changes the same line as a
/// later commit on `main`.
async fn world() -> World {
    let data = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(data.path());
    config
        .credentials
        .push(Credential::new(DEMO_REVIEWER_ACCESS_KEY_ID, BOB_SECRET));
    let service = LocalService::start(config).await.unwrap();
    demo_client(&service)
        .create_repository()
        .repository_name("shop")
        .send()
        .await
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let url = git_url(&service, "shop");
    let dir = work.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let w = dir.as_path();
        git_ok(w, &["init", "-q", "-b", "main"]);
        git_ok(w, &["remote", "add", "origin", &url]);
        std::fs::write(
            w.join("prices.txt"),
            "apple 1\npear 2\nfig 6\nkiwi 7\nlime 8\nplum 3\n",
        )
        .unwrap();
        git_ok(w, &["add", "."]);
        git_ok(w, &["commit", "-q", "-m", "Prices"]);
        git_ok(w, &["push", "-q", "origin", "main"]);
        git_ok(w, &["checkout", "-q", "-b", "clash"]);
        std::fs::write(
            w.join("prices.txt"),
            "apple 1\npear 9\nfig 6\nkiwi 7\nlime 8\nplum 3\n",
        )
        .unwrap();
        git_ok(w, &["commit", "-q", "-am", "Pear at 9"]);
        git_ok(w, &["push", "-q", "origin", "clash"]);
        git_ok(w, &["checkout", "-q", "main"]);
        git_ok(w, &["checkout", "-q", "-b", "feature"]);
        std::fs::write(
            w.join("prices.txt"),
            "apple 1\npear 2\nfig 6\nkiwi 7\nlime 8\nplum 4\n",
        )
        .unwrap();
        std::fs::write(w.join("notes.md"), "# Notes\n").unwrap();
        git_ok(w, &["add", "-A"]);
        git_ok(
            w,
            &[
                "commit",
                "-q",
                "-m",
                "Plum up\n\nThe plum harvest was poor.",
            ],
        );
        git_ok(w, &["push", "-q", "origin", "feature"]);
        git_ok(w, &["checkout", "-q", "main"]);
        std::fs::write(
            w.join("prices.txt"),
            "apple 1\npear 5\nfig 6\nkiwi 7\nlime 8\nplum 3\n",
        )
        .unwrap();
        git_ok(w, &["commit", "-q", "-am", "Pear at 5"]);
        git_ok(w, &["push", "-q", "origin", "main"]);
    })
    .await
    .unwrap();
    let target = Target {
        profile: None,
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
    };
    World {
        service,
        target,
        work,
        _data: data,
    }
}

/// Runs one request as `who`, collecting its partial outputs and its end.
async fn run(
    who: Clients,
    request: PullsRequest,
) -> (Vec<PullsOutput>, Result<PullsOutput, JobFailure>) {
    let root = tempfile::tempdir().unwrap();
    let mut services = jobs_support::services(root.path());
    services.clients = who;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut manager = JobManager::new(tx, services);
    manager.spawn(JobId(1), JobRequest::Pulls(request));
    let mut partial = Vec::new();
    loop {
        let update = tokio::time::timeout(Duration::from_secs(60), rx.recv())
            .await
            .unwrap()
            .unwrap();
        match update.event {
            JobEvent::Output(JobOutput::Pulls(output)) => partial.push(output),
            JobEvent::Finished(result) => {
                let result = result.map(|output| match output {
                    JobOutput::Pulls(output) => output,
                    other => panic!("not a pulls output: {other:?}"),
                });
                return (partial, result);
            }
            JobEvent::Cancelled => panic!("cancelled"),
            _ => {}
        }
    }
}

async fn ok(who: Clients, request: PullsRequest) -> PullsOutput {
    match run(who, request).await.1 {
        Ok(output) => output,
        Err(failure) => panic!("failed: {failure:?}"),
    }
}

async fn create(w: &World, source: &str, title: &str) -> PullRequest {
    let new = NewPullRequest {
        repository: "shop".into(),
        source: source.into(),
        destination: "main".into(),
        title: title.into(),
        description: format!("From {source}"),
    };
    match ok(
        alice(),
        PullsRequest::Create {
            target: w.target.clone(),
            new: Box::new(new),
        },
    )
    .await
    {
        PullsOutput::Created(pr) => *pr,
        other => panic!("{other:?}"),
    }
}

/// After a fetch in the work clone: `origin/main`'s tip, how many parents it has, and its
/// prices.txt.
async fn fetched_main(w: &World) -> (String, usize, String) {
    let dir = w.work.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        git_ok(&dir, &["fetch", "-q", "origin"]);
        let tip = git_ok(&dir, &["rev-list", "--parents", "-n", "1", "origin/main"]);
        let mut ids = tip.split_whitespace();
        (
            ids.next().unwrap_or_default().to_string(),
            ids.count(),
            git_ok(&dir, &["show", "origin/main:prices.txt"]),
        )
    })
    .await
    .unwrap()
}

async fn detail(w: &World, who: Clients, id: &str) -> PullDetail {
    match ok(
        who,
        PullsRequest::Open {
            target: w.target.clone(),
            id: id.into(),
        },
    )
    .await
    {
        PullsOutput::Opened(detail) => *detail,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_is_listed_read_commented_approved_and_squash_merged() {
    let w = world().await;
    let feature = create(&w, "feature", "Plum up").await;
    let clash = create(&w, "clash", "Pear at 9").await;
    assert_eq!(
        feature.author,
        format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/alice")
    );
    assert_eq!(
        (feature.source.as_str(), feature.destination.as_str()),
        ("feature", "main")
    );

    // The listing streams both rows with their details.
    let (rows, end) = run(
        alice(),
        PullsRequest::List {
            target: w.target.clone(),
            repositories: vec!["shop".into()],
            status: ListStatus::Open,
            author: None,
        },
    )
    .await;
    assert!(
        matches!(end, Ok(PullsOutput::Listed { count: 2 })),
        "{end:?}"
    );
    let mut titles: Vec<String> = rows
        .iter()
        .flat_map(|o| match o {
            PullsOutput::Rows(rows) => rows.iter().map(|r| r.title.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    titles.sort();
    assert_eq!(titles, ["Pear at 9", "Plum up"]);

    // Review state: the clean one merges every way but fast-forward (main moved on), the
    // clashing one in no way.
    let review = |pr: PullRequest| PullsRequest::Review {
        target: w.target.clone(),
        pr: Box::new(pr),
    };
    match ok(alice(), review(feature.clone())).await {
        PullsOutput::Reviewed { review, .. } => {
            assert_eq!(
                review.merge_options,
                [MergeStrategy::Squash, MergeStrategy::ThreeWay]
            );
            assert!(review.approved, "no rules: approved");
        }
        other => panic!("{other:?}"),
    }
    match ok(alice(), review(clash.clone())).await {
        PullsOutput::Reviewed { review, .. } => assert!(review.merge_options.is_empty()),
        other => panic!("{other:?}"),
    }

    // The view: activity, changed files, and a file's diff with line numbers.
    let view = detail(&w, alice(), &feature.id).await;
    let paths: Vec<(&str, Change)> = view
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.change))
        .collect();
    assert_eq!(
        paths,
        [
            ("notes.md", Change::Added),
            ("prices.txt", Change::Modified)
        ]
    );
    assert_eq!(view.events[0].what, "opened the request");
    let prices = view.files[1].clone();
    let diff = match ok(
        alice(),
        PullsRequest::FileDiff {
            target: w.target.clone(),
            repository: "shop".into(),
            file: Box::new(prices),
        },
    )
    .await
    {
        PullsOutput::FileDiff { diff, .. } => diff,
        other => panic!("{other:?}"),
    };
    let changed: Vec<(LineOrigin, Option<u32>, Option<u32>, &str)> = diff.hunks[0]
        .lines
        .iter()
        .filter(|l| l.origin != LineOrigin::Context)
        .map(|l| (l.origin, l.old_no, l.new_no, l.text.as_str()))
        .collect();
    assert_eq!(
        changed,
        [
            (LineOrigin::Removed, Some(6), None, "plum 3"),
            (LineOrigin::Added, None, Some(6), "plum 4"),
        ]
    );

    // Bob comments on the added line, alice replies; the thread comes back at its line.
    let on_line = Anchor::Line {
        path: "prices.txt".into(),
        line: 6,
        side: Side::After,
    };
    ok(
        bob(),
        PullsRequest::Comment {
            target: w.target.clone(),
            pr: Box::new(view.pr.clone()),
            at: on_line.clone(),
            content: "Why 4?".into(),
        },
    )
    .await;
    let view = detail(&w, alice(), &feature.id).await;
    let thread = view.threads.iter().find(|t| t.anchor == on_line).unwrap();
    let question = thread.comments[0].clone();
    assert!(question.author.ends_with(":user/bob"));
    ok(
        alice(),
        PullsRequest::Reply {
            target: w.target.clone(),
            id: feature.id.clone(),
            in_reply_to: question.id.clone(),
            content: "Poor harvest.".into(),
        },
    )
    .await;
    ok(
        alice(),
        PullsRequest::React {
            target: w.target.clone(),
            id: feature.id.clone(),
            comment: question.id.clone(),
            reaction: "👍".into(),
        },
    )
    .await;
    let view = detail(&w, alice(), &feature.id).await;
    let thread = view.threads.iter().find(|t| t.anchor == on_line).unwrap();
    let texts: Vec<&str> = thread.comments.iter().map(|c| c.content.as_str()).collect();
    assert_eq!(texts, ["Why 4?", "Poor harvest."]);
    assert_eq!(
        thread.comments[1].in_reply_to.as_deref(),
        Some(question.id.as_str())
    );
    assert_eq!(thread.comments[0].reactions.get("👍"), Some(&1));

    // Alice cannot edit bob's comment; bob edits it, then deletes it.
    let (_, refused) = run(
        alice(),
        PullsRequest::EditComment {
            target: w.target.clone(),
            id: feature.id.clone(),
            comment: question.id.clone(),
            content: "hijacked".into(),
        },
    )
    .await;
    let refused = refused.unwrap_err();
    assert!(
        refused.message.contains("Only comment authors"),
        "{refused:?}"
    );
    ok(
        bob(),
        PullsRequest::DeleteComment {
            target: w.target.clone(),
            id: feature.id.clone(),
            comment: question.id.clone(),
        },
    )
    .await;

    // Alice cannot approve her own request; bob can, and the review says so.
    let (_, own) = run(
        alice(),
        PullsRequest::Approve {
            target: w.target.clone(),
            pr: Box::new(view.pr.clone()),
            approve: true,
        },
    )
    .await;
    assert!(own.is_err(), "an author approving her own request");
    ok(
        bob(),
        PullsRequest::Approve {
            target: w.target.clone(),
            pr: Box::new(view.pr.clone()),
            approve: true,
        },
    )
    .await;
    let view = detail(&w, alice(), &feature.id).await;
    assert_eq!(view.review.approvers.len(), 1);
    assert!(view.review.approvers[0].ends_with(":user/bob"));
    assert!(view.events.iter().any(|e| e.what == "approved"));

    // Squash merge: one new commit on main, seen by git at once.
    let merged = match ok(
        alice(),
        PullsRequest::Merge {
            target: w.target.clone(),
            merge: Box::new(MergeRequest {
                id: feature.id.clone(),
                repository: "shop".into(),
                source_commit: view.pr.source_commit.clone(),
                strategy: MergeStrategy::Squash,
                message: None,
                author: None,
                resolutions: Vec::new(),
            }),
        },
    )
    .await
    {
        PullsOutput::Merged(pr) => *pr,
        other => panic!("{other:?}"),
    };
    assert_eq!(merged.status, PullStatus::Merged);
    let (tip, parents, tip_file) = fetched_main(&w).await;
    assert_eq!(parents, 1, "a squash has one parent");
    assert_eq!(tip_file, "apple 1\npear 5\nfig 6\nkiwi 7\nlime 8\nplum 4");
    assert_eq!(merged.merge_commit.as_deref(), Some(tip.as_str()));

    // The merged one is listed among the closed ones, as merged.
    let (rows, _) = run(
        alice(),
        PullsRequest::List {
            target: w.target.clone(),
            repositories: vec!["shop".into()],
            status: ListStatus::Closed,
            author: None,
        },
    )
    .await;
    assert!(rows.iter().any(|o| matches!(o,
        PullsOutput::Rows(rows) if rows.iter().any(|r| r.id == feature.id && r.status == PullStatus::Merged))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn closing_reopening_and_a_missing_repository() {
    let w = world().await;
    let pr = create(&w, "clash", "Pear at 9").await;
    let set = |open| PullsRequest::SetOpen {
        target: w.target.clone(),
        id: pr.id.clone(),
        open,
    };
    ok(alice(), set(false)).await;
    assert_eq!(
        detail(&w, alice(), &pr.id).await.pr.status,
        PullStatus::Closed
    );
    ok(alice(), set(true)).await;
    assert_eq!(
        detail(&w, alice(), &pr.id).await.pr.status,
        PullStatus::Open
    );

    // One repository that does not exist: the listing fails with CodeCommit's reason.
    let (_, end) = run(
        alice(),
        PullsRequest::List {
            target: w.target.clone(),
            repositories: vec!["nope".into()],
            status: ListStatus::Open,
            author: None,
        },
    )
    .await;
    let failure = end.unwrap_err();
    assert!(failure.message.contains("nope"), "{failure:?}");
    // Among several, the others are still listed and the failure is reported apart.
    let (partial, end) = run(
        alice(),
        PullsRequest::List {
            target: w.target.clone(),
            repositories: vec!["nope".into(), "shop".into()],
            status: ListStatus::Open,
            author: None,
        },
    )
    .await;
    assert!(
        matches!(end, Ok(PullsOutput::Listed { count: 1 })),
        "{end:?}"
    );
    assert!(partial.iter().any(
        |o| matches!(o, PullsOutput::RepositoryFailed { repository, .. } if repository == "nope")
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_takes_its_title_from_the_first_commit_of_the_branch() {
    let w = world().await;
    let dir = w.work.path().to_path_buf();
    let clone = dir.clone();
    tokio::task::spawn_blocking(move || {
        git_ok(&clone, &["fetch", "-q", "origin"]);
        git_ok(&clone, &["checkout", "-q", "feature"]);
        std::fs::write(clone.join("notes.md"), "# Notes\nmore\n").unwrap();
        git_ok(&clone, &["commit", "-q", "-am", "More notes"]);
    })
    .await
    .unwrap();
    let drafted = ok(
        alice(),
        PullsRequest::Draft {
            repo: dir,
            source: "feature".into(),
            destination: "main".into(),
        },
    )
    .await;
    match drafted {
        PullsOutput::Drafted { title, description } => {
            assert_eq!(title, "Plum up");
            assert_eq!(
                description,
                "The plum harvest was poor.\n\nCommits:\n- Plum up\n- More notes"
            );
        }
        other => panic!("{other:?}"),
    }
    drop(w.service);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conflicting_file_comes_with_conflict_markers_to_edit() {
    let w = world().await;
    let clash = create(&w, "clash", "Pear at 9").await;
    let text = match ok(
        alice(),
        PullsRequest::ConflictText {
            target: w.target.clone(),
            pr: Box::new(clash),
            path: "prices.txt".into(),
        },
    )
    .await
    {
        PullsOutput::ConflictText { text, .. } => text,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        text,
        "apple 1\n<<<<<<< destination\npear 5\n=======\npear 9\n>>>>>>> source\nfig 6\nkiwi 7\nlime 8\nplum 3\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conflicting_request_merges_with_the_resolutions_chosen() {
    let w = world().await;
    let clash = create(&w, "clash", "Pear at 9").await;
    let conflicts = match ok(
        alice(),
        PullsRequest::Conflicts {
            target: w.target.clone(),
            pr: Box::new(clash.clone()),
            strategy: MergeStrategy::ThreeWay,
        },
    )
    .await
    {
        PullsOutput::Conflicts { conflicts, .. } => conflicts,
        other => panic!("{other:?}"),
    };
    let paths: Vec<&str> = conflicts.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["prices.txt"]);
    assert!(conflicts[0].content && !conflicts[0].binary);
    let merge = |resolutions| PullsRequest::Merge {
        target: w.target.clone(),
        merge: Box::new(MergeRequest {
            id: clash.id.clone(),
            repository: "shop".into(),
            source_commit: clash.source_commit.clone(),
            strategy: MergeStrategy::ThreeWay,
            message: None,
            author: None,
            resolutions,
        }),
    };
    // Without resolutions CodeCommit refuses, and nothing moves.
    let (_, refused) = run(alice(), merge(Vec::new())).await;
    assert!(refused.is_err(), "{refused:?}");
    let edited = "apple 1\npear 7\nfig 6\nkiwi 7\nlime 8\nplum 3\n";
    let merged = match ok(
        alice(),
        merge(vec![(
            "prices.txt".into(),
            cctui::aws::pulls::Resolution::Content(edited.as_bytes().to_vec()),
        )]),
    )
    .await
    {
        PullsOutput::Merged(pr) => *pr,
        other => panic!("{other:?}"),
    };
    assert_eq!(merged.status, PullStatus::Merged);
    let (_, parents, file) = fetched_main(&w).await;
    assert_eq!(parents, 2, "a merge commit has two parents");
    assert_eq!(format!("{file}\n"), edited);
}
