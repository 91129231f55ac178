//! Merge conflicts, explicit resolutions and branch merges in the local service, through the
//! AWS CLI and the real `aws-sdk-codecommit` client over 127.0.0.1, on repositories filled by
//! real git pushes; every merge is checked with real git.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/aws_cli.rs"]
mod aws_cli;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use aws_cli::aws_cli_present;
use aws_sdk_codecommit::error::ProvideErrorMetadata;
use aws_sdk_codecommit::types::{
    ConflictDetailLevelTypeEnum, ConflictResolution, ConflictResolutionStrategyTypeEnum,
    MergeOptionTypeEnum, ReplaceContentEntry, ReplacementTypeEnum,
};
use base64::Engine;
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, LocalService, RunningService, ServiceConfig,
};
use local_support::*;

async fn start(dir: &Path) -> RunningService {
    LocalService::start(ServiceConfig::new(dir)).await.unwrap()
}

fn code<E: ProvideErrorMetadata>(error: &E) -> String {
    error.code().unwrap_or("<no code>").to_string()
}

fn unb64(text: &serde_json::Value) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.as_str().unwrap())
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

/// Runs `aws --endpoint-url <endpoint> codecommit <args>` as the demo user.
fn aws(home: &Path, endpoint: &str, args: &[&str]) -> (bool, String, String) {
    aws_cli::aws(
        home,
        endpoint,
        (DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY),
        args,
    )
}

fn aws_ok(home: &Path, endpoint: &str, args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = aws(home, endpoint, args);
    assert!(ok, "aws {args:?} failed: {err}");
    if out.trim().is_empty() {
        return serde_json::Value::Null;
    }
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn aws_refused(home: &Path, endpoint: &str, args: &[&str], exception: &str) {
    let (ok, out, err) = aws(home, endpoint, args);
    assert!(!ok, "aws {args:?} should fail: {out}");
    assert!(
        err.contains(&format!("({exception})")),
        "aws {args:?}: expected {exception}: {err}"
    );
}

/// Repository `name`: `main` with a.txt, c.txt and keep.txt; `topic` changes a.txt line 2
/// and c.txt line 1; then `main` changes a.txt line 2 differently and c.txt line 5. a.txt
/// conflicts line-wise, c.txt only at file level. Answers (base, main, topic).
fn clashing(work: &Path, url: &str) -> (String, String, String) {
    git_ok(work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("a.txt"), "one\ntwo\nthree\n").unwrap();
    std::fs::write(work.join("c.txt"), "1\n2\n3\n4\n5\n").unwrap();
    std::fs::write(work.join("keep.txt"), "kept\n").unwrap();
    git_ok(work, &["add", "."]);
    git_ok(work, &["commit", "-q", "-m", "base"]);
    let base = git_ok(work, &["rev-parse", "HEAD"]);
    git_ok(work, &["checkout", "-q", "-b", "topic"]);
    std::fs::write(work.join("a.txt"), "one\ndeux\nthree\n").unwrap();
    std::fs::write(work.join("c.txt"), "1 (topic)\n2\n3\n4\n5\n").unwrap();
    git_ok(work, &["commit", "-q", "-am", "topic work"]);
    git_ok(work, &["checkout", "-q", "main"]);
    std::fs::write(work.join("a.txt"), "one\nTWO\nthree\n").unwrap();
    std::fs::write(work.join("c.txt"), "1\n2\n3\n4\n5 (main)\n").unwrap();
    git_ok(work, &["commit", "-q", "-am", "main work"]);
    git_ok(work, &["push", "-q", url, "main", "topic"]);
    (
        base,
        git_ok(work, &["rev-parse", "main"]),
        git_ok(work, &["rev-parse", "topic"]),
    )
}

fn run(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn remote_tip(work: &Path, url: &str, branch: &str) -> String {
    let out = git_ok(work, &["ls-remote", url, &format!("refs/heads/{branch}")]);
    out.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Repository `name` created on `service` and given [`clashing`]'s branches from `work`:
/// its git URL and (base, main, topic).
async fn clashing_repository(
    service: &RunningService,
    name: &str,
    work: &Path,
) -> (String, (String, String, String)) {
    create_demo_repository(service, name).await;
    let url = git_url(service, name);
    let commits = clashing(work, &url);
    (url, commits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_aws_cli_lists_describes_and_resolves_merge_conflicts() {
    if !aws_cli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (url, (base, main, topic)) = clashing_repository(&service, "clash", w).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let e = service.endpoint();
    let e = e.as_str();
    let specs = [
        "--repository-name",
        "clash",
        "--source-commit-specifier",
        "topic",
        "--destination-commit-specifier",
        "main",
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut v: Vec<&str> = specs.to_vec();
        v.extend_from_slice(extra);
        v
    };

    // File level (the default): both changed files conflict.
    let mut args = vec!["get-merge-conflicts"];
    args.extend(with(&["--merge-option", "THREE_WAY_MERGE"]));
    let answer = aws_ok(h, e, &args);
    assert_eq!(answer["mergeable"], false);
    assert_eq!(answer["sourceCommitId"], topic.as_str());
    assert_eq!(answer["destinationCommitId"], main.as_str());
    assert_eq!(answer["baseCommitId"], base.as_str());
    let list = answer["conflictMetadataList"].as_array().unwrap();
    let paths: Vec<&str> = list
        .iter()
        .map(|c| c["filePath"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a.txt", "c.txt"]);
    let a = &list[0];
    assert_eq!(a["numberOfConflicts"], 1);
    assert_eq!(a["contentConflict"], true);
    assert_eq!(a["fileModeConflict"], false);
    assert_eq!(a["objectTypeConflict"], false);
    assert_eq!(a["fileModes"]["source"], "NORMAL");
    assert_eq!(a["objectTypes"]["destination"], "FILE");
    assert_eq!(a["isBinaryFile"]["base"], false);
    assert_eq!(a["fileSizes"]["source"], 15);
    assert_eq!(a["fileSizes"]["base"], 14);
    assert_eq!(a["mergeOperations"]["source"], "M");
    assert_eq!(a["mergeOperations"]["destination"], "M");

    // Line level: only the file changed on the same line.
    let mut args = vec!["get-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "SQUASH_MERGE",
        "--conflict-detail-level",
        "LINE_LEVEL",
    ]));
    let answer = aws_ok(h, e, &args);
    let list = answer["conflictMetadataList"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["filePath"], "a.txt");

    // Paged one file at a time.
    let mut args = vec!["get-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "THREE_WAY_MERGE",
        "--max-conflict-files",
        "1",
        "--no-paginate",
    ]));
    let first = aws_ok(h, e, &args);
    assert_eq!(first["conflictMetadataList"].as_array().unwrap().len(), 1);
    let token = first["nextToken"].as_str().unwrap().to_string();
    let mut args = vec!["get-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "THREE_WAY_MERGE",
        "--max-conflict-files",
        "1",
        "--no-paginate",
        "--next-token",
    ]));
    args.push(&token);
    let second = aws_ok(h, e, &args);
    assert_eq!(second["conflictMetadataList"][0]["filePath"], "c.txt");
    assert!(second.get("nextToken").is_none());

    // Fast-forward of diverged branches: not mergeable, as AWS answers.
    let mut args = vec!["get-merge-conflicts"];
    args.extend(with(&["--merge-option", "FAST_FORWARD_MERGE"]));
    let answer = aws_ok(h, e, &args);
    assert_eq!(answer["mergeable"], false);

    // The hunks of a.txt: line 2 (0-based 1..2) on every side.
    let mut args = vec!["describe-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "THREE_WAY_MERGE",
        "--file-path",
        "a.txt",
    ]));
    let described = aws_ok(h, e, &args);
    assert_eq!(described["conflictMetadata"]["filePath"], "a.txt");
    let hunks = described["mergeHunks"].as_array().unwrap();
    assert_eq!(hunks.len(), 1);
    assert_eq!(hunks[0]["isConflict"], true);
    assert_eq!(hunks[0]["source"]["startLine"], 1);
    assert_eq!(hunks[0]["source"]["endLine"], 2);
    assert_eq!(unb64(&hunks[0]["source"]["hunkContent"]), "deux\n");
    assert_eq!(unb64(&hunks[0]["destination"]["hunkContent"]), "TWO\n");
    assert_eq!(unb64(&hunks[0]["base"]["hunkContent"]), "two\n");
    // c.txt: two hunks, none in conflict line-wise.
    let mut args = vec!["describe-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "THREE_WAY_MERGE",
        "--file-path",
        "c.txt",
    ]));
    let described = aws_ok(h, e, &args);
    let hunks = described["mergeHunks"].as_array().unwrap();
    assert_eq!(hunks.len(), 2);
    assert!(hunks.iter().all(|h| h["isConflict"] == false));
    let mut args = vec!["describe-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "FAST_FORWARD_MERGE",
        "--file-path",
        "a.txt",
    ]));
    aws_refused(h, e, &args, "InvalidMergeOptionException");
    let mut args = vec!["describe-merge-conflicts"];
    args.extend(with(&[
        "--merge-option",
        "THREE_WAY_MERGE",
        "--file-path",
        "nowhere.txt",
    ]));
    aws_refused(h, e, &args, "FileDoesNotExistException");
    let mut args = vec!["get-merge-conflicts"];
    args.extend(with(&["--merge-option", "OCTOPUS_MERGE"]));
    aws_refused(h, e, &args, "InvalidMergeOptionException");

    // A pull request of topic: refused without resolutions, the AWS way.
    let created = aws_ok(
        h,
        e,
        &[
            "create-pull-request",
            "--title",
            "Topic",
            "--targets",
            "repositoryName=clash,sourceReference=topic,destinationReference=main",
        ],
    );
    let id = created["pullRequest"]["pullRequestId"]
        .as_str()
        .unwrap()
        .to_string();
    let squash = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "merge-pull-request-by-squash",
            "--pull-request-id",
            &id,
            "--repository-name",
            "clash",
            "--commit-message",
            "Topic, resolved",
            "--author-name",
            "Alice Resolver",
            "--email",
            "alice@example.com",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    aws_refused(h, e, &run(&squash(&[])), "ManualMergeRequiredException");
    // AWS CLI v1 takes a blob inside JSON as the raw text and base64-encodes it itself.
    let a_resolved = serde_json::json!({ "replaceContents": [
        { "filePath": "a.txt", "replacementType": "USE_NEW_CONTENT", "content": "one\nzwei\nthree\n" }
    ]})
    .to_string();
    // a.txt alone leaves c.txt in conflict at file level.
    aws_refused(
        h,
        e,
        &run(&squash(&["--conflict-resolution", &a_resolved])),
        "ManualMergeRequiredException",
    );
    for (resolution, exception) in [
        (
            r#"{"replaceContents":[{"filePath":"a.txt","replacementType":"KEEP_ALL"}]}"#,
            "InvalidReplacementTypeException",
        ),
        (
            r#"{"replaceContents":[{"filePath":"a.txt","replacementType":"USE_NEW_CONTENT"}]}"#,
            "ReplacementContentRequiredException",
        ),
        (
            r#"{"replaceContents":[{"filePath":"a.txt","replacementType":"KEEP_SOURCE"}],"deleteFiles":[{"filePath":"a.txt"}]}"#,
            "MultipleConflictResolutionEntriesException",
        ),
        (
            r#"{"setFileModes":[{"filePath":"nowhere.txt","fileMode":"EXECUTABLE"}],"replaceContents":[{"filePath":"a.txt","replacementType":"KEEP_SOURCE"},{"filePath":"c.txt","replacementType":"KEEP_SOURCE"}]}"#,
            "InvalidConflictResolutionException",
        ),
    ] {
        aws_refused(
            h,
            e,
            &run(&squash(&["--conflict-resolution", resolution])),
            exception,
        );
    }
    assert_eq!(remote_tip(w, &url, "main"), main, "nothing moved");

    // AUTOMERGE merges c.txt line-wise; a.txt gets the new content, keep.txt an executable bit.
    let resolution = serde_json::json!({
        "replaceContents": [
            { "filePath": "a.txt", "replacementType": "USE_NEW_CONTENT", "content": "one\nzwei\nthree\n" }
        ],
        "setFileModes": [{ "filePath": "keep.txt", "fileMode": "EXECUTABLE" }],
    })
    .to_string();
    let merged = aws_ok(
        h,
        e,
        &run(&squash(&[
            "--conflict-resolution-strategy",
            "AUTOMERGE",
            "--conflict-resolution",
            &resolution,
        ])),
    );
    let meta = &merged["pullRequest"]["pullRequestTargets"][0]["mergeMetadata"];
    assert_eq!(meta["isMerged"], true);
    assert_eq!(meta["mergeOption"], "SQUASH_MERGE");
    let tip = remote_tip(w, &url, "main");
    assert_eq!(meta["mergeCommitId"], tip.as_str());

    // Checked with real git in a fresh clone.
    let clone = tempfile::tempdir().unwrap();
    let c = clone.path();
    git_ok(c, &["clone", "-q", &url, "."]);
    assert_eq!(git_ok(c, &["rev-parse", "HEAD"]), tip);
    assert_eq!(
        git_ok(c, &["rev-parse", "HEAD^"]),
        main,
        "squash: one parent"
    );
    assert!(
        git(c, &["rev-parse", "--verify", "-q", "HEAD^2"])
            .stdout
            .is_empty()
    );
    assert_eq!(
        std::fs::read_to_string(c.join("a.txt")).unwrap(),
        "one\nzwei\nthree\n"
    );
    assert_eq!(
        std::fs::read_to_string(c.join("c.txt")).unwrap(),
        "1 (topic)\n2\n3\n4\n5 (main)\n"
    );
    assert_eq!(
        git_ok(c, &["ls-files", "-s", "keep.txt"])
            .split_whitespace()
            .next(),
        Some("100755")
    );
    assert_eq!(
        git_ok(c, &["log", "-1", "--format=%an <%ae>|%s"]),
        "Alice Resolver <alice@example.com>|Topic, resolved"
    );
    git_ok(c, &["fsck", "--strict"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn branches_merge_without_a_pull_request_through_one_merge_mechanism() {
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let alice = demo_client(&service);
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (url, (_, main, topic)) = clashing_repository(&service, "branches", w).await;
    // `ahead` is main plus one commit: a fast-forward.
    git_ok(w, &["checkout", "-q", "-b", "ahead", "main"]);
    std::fs::write(w.join("new.txt"), "new\n").unwrap();
    std::fs::create_dir_all(w.join("docs")).unwrap();
    std::fs::write(w.join("docs/notes.md"), "notes\n").unwrap();
    git_ok(w, &["add", "new.txt", "docs"]);
    git_ok(w, &["commit", "-q", "-m", "ahead"]);
    git_ok(w, &["push", "-q", &url, "ahead"]);
    let ahead = git_ok(w, &["rev-parse", "ahead"]);

    // Fast-forward of diverged branches is refused; of `ahead` it moves main.
    let refused = alice
        .merge_branches_by_fast_forward()
        .repository_name("branches")
        .source_commit_specifier("topic")
        .destination_commit_specifier("main")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&refused.into_service_error()),
        "ManualMergeRequiredException"
    );
    let missing = alice
        .merge_branches_by_fast_forward()
        .repository_name("branches")
        .source_commit_specifier("ahead")
        .destination_commit_specifier("main")
        .target_branch("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&missing.into_service_error()),
        "BranchDoesNotExistException"
    );
    let ff = alice
        .merge_branches_by_fast_forward()
        .repository_name("branches")
        .source_commit_specifier("ahead")
        .destination_commit_specifier("main")
        .target_branch("main")
        .send()
        .await
        .unwrap();
    assert_eq!(ff.commit_id(), Some(ahead.as_str()));
    assert_eq!(remote_tip(w, &url, "main"), ahead);

    // Three-way into main at line level: still a.txt in conflict, refused; resolved by
    // keeping the destination's a.txt, it merges (c.txt merged line-wise).
    let three_way = || {
        alice
            .merge_branches_by_three_way()
            .repository_name("branches")
            .source_commit_specifier("topic")
            .destination_commit_specifier("main")
            .conflict_detail_level(ConflictDetailLevelTypeEnum::LineLevel)
            .author_name("Merger")
            .email("merger@example.com")
            .commit_message("Merge topic")
    };
    let refused = three_way().send().await.unwrap_err();
    assert_eq!(
        code(&refused.into_service_error()),
        "ManualMergeRequiredException"
    );
    let merged = three_way()
        .conflict_resolution(
            ConflictResolution::builder()
                .replace_contents(
                    ReplaceContentEntry::builder()
                        .file_path("a.txt")
                        .replacement_type(ReplacementTypeEnum::KeepDestination)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let commit = merged.commit_id().unwrap().to_string();
    assert_eq!(remote_tip(w, &url, "main"), commit);
    git_ok(w, &["fetch", "-q", &url, "main"]);
    assert_eq!(git_ok(w, &["rev-parse", "FETCH_HEAD^1"]), ahead);
    assert_eq!(git_ok(w, &["rev-parse", "FETCH_HEAD^2"]), topic);
    assert_eq!(
        git_ok(w, &["rev-parse", "FETCH_HEAD^{tree}"]),
        merged.tree_id().unwrap()
    );
    assert_eq!(git_ok(w, &["show", "FETCH_HEAD:a.txt"]), "one\nTWO\nthree");
    assert_eq!(
        git_ok(w, &["show", "FETCH_HEAD:c.txt"]),
        "1 (topic)\n2\n3\n4\n5 (main)"
    );
    assert_eq!(
        git_ok(w, &["log", "-1", "--format=%an|%s", "FETCH_HEAD"]),
        "Merger|Merge topic"
    );

    // Squash with a commit id as the destination and no target: the commit is made, no
    // branch moves.
    let squashed = alice
        .merge_branches_by_squash()
        .repository_name("branches")
        .source_commit_specifier("topic")
        .destination_commit_specifier(&main)
        .conflict_resolution_strategy(ConflictResolutionStrategyTypeEnum::AcceptSource)
        .send()
        .await
        .unwrap();
    assert_eq!(remote_tip(w, &url, "main"), commit, "no branch moved");
    let options = alice
        .get_merge_options()
        .repository_name("branches")
        .source_commit_specifier("topic")
        .destination_commit_specifier(&main)
        .conflict_resolution_strategy(ConflictResolutionStrategyTypeEnum::AcceptSource)
        .send()
        .await
        .unwrap();
    assert_eq!(
        options.merge_options(),
        [
            MergeOptionTypeEnum::SquashMerge,
            MergeOptionTypeEnum::ThreeWayMerge
        ]
    );
    assert!(squashed.commit_id().is_some_and(|c| c != main));

    // A target branch that is not at the destination commit is refused.
    let wrong = alice
        .merge_branches_by_squash()
        .repository_name("branches")
        .source_commit_specifier("topic")
        .destination_commit_specifier(&main)
        .target_branch("main")
        .conflict_resolution_strategy(ConflictResolutionStrategyTypeEnum::AcceptSource)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&wrong.into_service_error()),
        "InvalidTargetBranchException"
    );
    // Through the SDK: new content (a blob), the base's version, and a deletion that empties
    // a folder, kept with a .gitkeep.
    alice
        .create_branch()
        .repository_name("branches")
        .branch_name("scratch")
        .commit_id(&ahead)
        .send()
        .await
        .unwrap();
    let resolved = alice
        .merge_branches_by_squash()
        .repository_name("branches")
        .source_commit_specifier("topic")
        .destination_commit_specifier("scratch")
        .keep_empty_folders(true)
        .conflict_resolution(
            ConflictResolution::builder()
                .replace_contents(
                    ReplaceContentEntry::builder()
                        .file_path("a.txt")
                        .replacement_type(ReplacementTypeEnum::UseNewContent)
                        .content(aws_sdk_codecommit::primitives::Blob::new("uno\n"))
                        .build()
                        .unwrap(),
                )
                .replace_contents(
                    ReplaceContentEntry::builder()
                        .file_path("c.txt")
                        .replacement_type(ReplacementTypeEnum::KeepBase)
                        .build()
                        .unwrap(),
                )
                .delete_files(
                    aws_sdk_codecommit::types::DeleteFileEntry::builder()
                        .file_path("docs/notes.md")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    git_ok(w, &["fetch", "-q", &url, "scratch"]);
    assert_eq!(
        Some(git_ok(w, &["rev-parse", "FETCH_HEAD"]).as_str()),
        resolved.commit_id()
    );
    assert_eq!(git_ok(w, &["rev-parse", "FETCH_HEAD^"]), ahead);
    assert_eq!(git_ok(w, &["show", "FETCH_HEAD:a.txt"]), "uno");
    assert_eq!(git_ok(w, &["show", "FETCH_HEAD:c.txt"]), "1\n2\n3\n4\n5");
    assert_eq!(
        git_ok(w, &["ls-tree", "-r", "--name-only", "FETCH_HEAD", "docs"]),
        "docs/.gitkeep"
    );

    let bad_strategy = alice
        .merge_branches_by_squash()
        .repository_name("branches")
        .source_commit_specifier("topic")
        .destination_commit_specifier("main")
        .conflict_resolution_strategy(ConflictResolutionStrategyTypeEnum::from("SOMETIMES"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&bad_strategy.into_service_error()),
        "InvalidConflictResolutionStrategyException"
    );
}
