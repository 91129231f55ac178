//! Approval rule overrides and approval rule templates in the local service, through the AWS
//! CLI and the real `aws-sdk-codecommit` client over 127.0.0.1, on repositories filled by real
//! git pushes.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/aws_cli.rs"]
mod aws_cli;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use aws_cli::{aws, aws_cli_present};
use cctui::local::codecommit::DEMO_REVIEWER_ACCESS_KEY_ID;
use cctui::local::{
    Credential, DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_SECRET_ACCESS_KEY, LocalService,
    RunningService, ServiceConfig,
};
use local_support::*;

const BOB_SECRET: &str = "cctuiDemoSecretKey/SecondUserOfTheDemo0002";
const ALICE: (&str, &str) = (DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY);
const BOB: (&str, &str) = (DEMO_REVIEWER_ACCESS_KEY_ID, BOB_SECRET);

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

struct Cli<'a> {
    home: &'a Path,
    endpoint: String,
}

impl Cli<'_> {
    fn ok(&self, key: (&str, &str), args: &[&str]) -> serde_json::Value {
        let (ok, out, err) = aws(self.home, &self.endpoint, key, args);
        assert!(ok, "aws {args:?} failed: {err}");
        if out.trim().is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }

    fn refused(&self, key: (&str, &str), args: &[&str], exception: &str) {
        let (ok, out, err) = aws(self.home, &self.endpoint, key, args);
        assert!(!ok, "aws {args:?} should fail: {out}");
        assert!(
            err.contains(&format!("({exception})")),
            "aws {args:?}: expected {exception}: {err}"
        );
    }
}

/// Repository `name` with `main` and `feature` (one commit ahead) pushed with real git.
async fn repo_with_feature(service: &RunningService, name: &str, work: &Path) -> String {
    create_demo_repository(service, name).await;
    if !work.join(".git").exists() {
        git_ok(work, &["init", "-q", "-b", "main"]);
        std::fs::write(work.join("a.txt"), "one\n").unwrap();
        git_ok(work, &["add", "."]);
        git_ok(work, &["commit", "-q", "-m", "base"]);
        git_ok(work, &["checkout", "-q", "-b", "feature"]);
        std::fs::write(work.join("a.txt"), "one\ntwo\n").unwrap();
        git_ok(work, &["commit", "-q", "-am", "feature"]);
    }
    let url = git_url(service, name);
    git_ok(work, &["push", "-q", &url, "main", "feature"]);
    git_ok(work, &["rev-parse", "feature"])
}

fn run(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
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
async fn the_aws_cli_overrides_approval_rules_and_the_override_survives_a_restart() {
    if !aws_cli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let feature = repo_with_feature(&service, "overrides", w).await;
    let home = tempfile::tempdir().unwrap();
    let cli = Cli {
        home: home.path(),
        endpoint: service.endpoint(),
    };
    let created = cli.ok(
        ALICE,
        &[
            "create-pull-request",
            "--title",
            "Hotfix",
            "--targets",
            "repositoryName=overrides,sourceReference=feature,destinationReference=main",
        ],
    );
    let id = created["pullRequest"]["pullRequestId"]
        .as_str()
        .unwrap()
        .to_string();
    let revision = created["pullRequest"]["revisionId"]
        .as_str()
        .unwrap()
        .to_string();
    cli.ok(
        ALICE,
        &[
            "create-pull-request-approval-rule",
            "--pull-request-id",
            &id,
            "--approval-rule-name",
            "bob must approve",
            "--approval-rule-content",
            &rule(1, &[&bob_arn()]),
        ],
    );
    let merge = [
        "merge-pull-request-by-fast-forward",
        "--pull-request-id",
        &id,
        "--repository-name",
        "overrides",
    ];
    cli.refused(
        ALICE,
        &merge,
        "PullRequestApprovalRulesNotSatisfiedException",
    );
    let state = [
        "get-pull-request-override-state",
        "--pull-request-id",
        &id,
        "--revision-id",
        &revision,
    ];
    assert_eq!(cli.ok(ALICE, &state)["overridden"], false);
    let override_as = |status: &str| -> Vec<String> {
        [
            "override-pull-request-approval-rules",
            "--pull-request-id",
            &id,
            "--revision-id",
            &revision,
            "--override-status",
            status,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    // The author may override: AWS has no author restriction here (only for approving).
    assert_eq!(
        cli.ok(ALICE, &run(&override_as("OVERRIDE"))),
        serde_json::Value::Null,
        "no output, as AWS"
    );
    cli.refused(
        BOB,
        &run(&override_as("OVERRIDE")),
        "OverrideAlreadySetException",
    );
    cli.refused(
        ALICE,
        &run(&override_as("MAYBE")),
        "InvalidOverrideStatusException",
    );
    let overridden = cli.ok(BOB, &state);
    assert_eq!(overridden["overridden"], true);
    assert_eq!(overridden["overrider"], alice_arn().as_str());
    let evaluation = cli.ok(
        ALICE,
        &[
            "evaluate-pull-request-approval-rules",
            "--pull-request-id",
            &id,
            "--revision-id",
            &revision,
        ],
    );
    assert_eq!(evaluation["evaluation"]["overridden"], true);
    assert_eq!(evaluation["evaluation"]["approved"], false);
    let events = cli.ok(
        ALICE,
        &[
            "describe-pull-request-events",
            "--pull-request-id",
            &id,
            "--pull-request-event-type",
            "PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN",
        ],
    );
    let events = events["pullRequestEvents"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["approvalRuleOverriddenEventMetadata"]["overrideStatus"],
        "OVERRIDE"
    );
    assert_eq!(events[0]["actorArn"], alice_arn().as_str());

    // Revoked: the rules apply again.
    cli.ok(BOB, &run(&override_as("REVOKE")));
    assert_eq!(cli.ok(ALICE, &state)["overridden"], false);
    cli.refused(
        ALICE,
        &merge,
        "PullRequestApprovalRulesNotSatisfiedException",
    );

    // Overridden again, then the service restarts: the override is still there.
    cli.ok(ALICE, &run(&override_as("OVERRIDE")));
    service.shutdown().await;
    let service = start(dir.path()).await;
    let cli = Cli {
        home: home.path(),
        endpoint: service.endpoint(),
    };
    assert_eq!(cli.ok(ALICE, &state)["overridden"], true);
    let merged = cli.ok(ALICE, &merge);
    assert_eq!(
        merged["pullRequest"]["pullRequestTargets"][0]["mergeMetadata"]["isMerged"],
        true
    );
    let url = git_url(&service, "overrides");
    let tip = git_ok(w, &["ls-remote", &url, "refs/heads/main"]);
    assert_eq!(tip.split_whitespace().next(), Some(feature.as_str()));
    cli.refused(
        ALICE,
        &run(&override_as("REVOKE")),
        "PullRequestAlreadyClosedException",
    );
}

fn template(destinations: Option<&[&str]>, needed: u32, pool: &[&str]) -> String {
    let mut content = serde_json::json!({
        "Version": "2018-11-08",
        "Statements": [{
            "Type": "Approvers",
            "NumberOfApprovalsNeeded": needed,
            "ApprovalPoolMembers": pool,
        }]
    });
    if let Some(d) = destinations {
        content["DestinationReferences"] = serde_json::json!(d);
    }
    content.to_string()
}

fn names(value: &serde_json::Value, key: &str) -> Vec<String> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_aws_cli_manages_approval_rule_templates_that_new_pull_requests_follow() {
    if !aws_cli_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = start(dir.path()).await;
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    repo_with_feature(&service, "tpl", w).await;
    repo_with_feature(&service, "other", w).await;
    let url = git_url(&service, "tpl");
    git_ok(w, &["push", "-q", &url, "main:release"]);
    let home = tempfile::tempdir().unwrap();
    let cli = Cli {
        home: home.path(),
        endpoint: service.endpoint(),
    };
    let main_only = template(Some(&["refs/heads/main"]), 1, &[&bob_arn()]);
    let created = cli.ok(
        ALICE,
        &[
            "create-approval-rule-template",
            "--approval-rule-template-name",
            "bob-for-main",
            "--approval-rule-template-description",
            "Bob reviews what goes to main",
            "--approval-rule-template-content",
            &main_only,
        ],
    );
    let t = &created["approvalRuleTemplate"];
    assert_eq!(t["approvalRuleTemplateName"], "bob-for-main");
    assert_eq!(t["approvalRuleTemplateContent"], main_only.as_str());
    assert_eq!(t["lastModifiedUser"], alice_arn().as_str());
    assert_eq!(t["ruleContentSha256"].as_str().unwrap().len(), 64);
    let template_id = t["approvalRuleTemplateId"].as_str().unwrap().to_string();
    cli.refused(
        ALICE,
        &[
            "create-approval-rule-template",
            "--approval-rule-template-name",
            "bob-for-main",
            "--approval-rule-template-content",
            &main_only,
        ],
        "ApprovalRuleTemplateNameAlreadyExistsException",
    );
    cli.refused(
        ALICE,
        &[
            "create-approval-rule-template",
            "--approval-rule-template-name",
            "broken",
            "--approval-rule-template-content",
            r#"{"Version":"2018-11-08","DestinationReferences":["main"],"Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1}]}"#,
        ],
        "InvalidApprovalRuleTemplateContentException",
    );
    cli.refused(
        ALICE,
        &[
            "create-approval-rule-template",
            "--approval-rule-template-name",
            &"n".repeat(101),
            "--approval-rule-template-content",
            &main_only,
        ],
        "InvalidApprovalRuleTemplateNameException",
    );
    cli.ok(
        ALICE,
        &[
            "create-approval-rule-template",
            "--approval-rule-template-name",
            "any-branch",
            "--approval-rule-template-content",
            &template(None, 2, &[]),
        ],
    );
    assert_eq!(
        names(
            &cli.ok(ALICE, &["list-approval-rule-templates"]),
            "approvalRuleTemplateNames"
        ),
        ["bob-for-main", "any-branch"]
    );

    // Renamed, described, its content changed only against the content read.
    let renamed = cli.ok(
        ALICE,
        &[
            "update-approval-rule-template-name",
            "--old-approval-rule-template-name",
            "any-branch",
            "--new-approval-rule-template-name",
            "anyone",
        ],
    );
    let sha = renamed["approvalRuleTemplate"]["ruleContentSha256"]
        .as_str()
        .unwrap()
        .to_string();
    cli.refused(
        ALICE,
        &[
            "update-approval-rule-template-name",
            "--old-approval-rule-template-name",
            "anyone",
            "--new-approval-rule-template-name",
            "bob-for-main",
        ],
        "ApprovalRuleTemplateNameAlreadyExistsException",
    );
    cli.ok(
        BOB,
        &[
            "update-approval-rule-template-description",
            "--approval-rule-template-name",
            "anyone",
            "--approval-rule-template-description",
            "One approval from anyone",
        ],
    );
    let one = template(None, 1, &[]);
    cli.refused(
        ALICE,
        &[
            "update-approval-rule-template-content",
            "--approval-rule-template-name",
            "anyone",
            "--new-rule-content",
            &one,
            "--existing-rule-content-sha256",
            &"0".repeat(64),
        ],
        "InvalidRuleContentSha256Exception",
    );
    cli.ok(
        ALICE,
        &[
            "update-approval-rule-template-content",
            "--approval-rule-template-name",
            "anyone",
            "--new-rule-content",
            &one,
            "--existing-rule-content-sha256",
            &sha,
        ],
    );
    let got = cli.ok(
        ALICE,
        &[
            "get-approval-rule-template",
            "--approval-rule-template-name",
            "anyone",
        ],
    );
    let got = &got["approvalRuleTemplate"];
    assert_eq!(got["approvalRuleTemplateContent"], one.as_str());
    assert_eq!(
        got["approvalRuleTemplateDescription"],
        "One approval from anyone"
    );
    assert_eq!(got["lastModifiedUser"], alice_arn().as_str());

    // Associations, one and in a batch with a missing repository.
    cli.ok(
        ALICE,
        &[
            "associate-approval-rule-template-with-repository",
            "--approval-rule-template-name",
            "bob-for-main",
            "--repository-name",
            "tpl",
        ],
    );
    cli.refused(
        ALICE,
        &[
            "associate-approval-rule-template-with-repository",
            "--approval-rule-template-name",
            "nope",
            "--repository-name",
            "tpl",
        ],
        "ApprovalRuleTemplateDoesNotExistException",
    );
    let batch = cli.ok(
        ALICE,
        &[
            "batch-associate-approval-rule-template-with-repositories",
            "--approval-rule-template-name",
            "anyone",
            "--repository-names",
            "tpl",
            "other",
            "missing",
        ],
    );
    assert_eq!(names(&batch, "associatedRepositoryNames"), ["tpl", "other"]);
    assert_eq!(batch["errors"][0]["repositoryName"], "missing");
    assert_eq!(
        batch["errors"][0]["errorCode"],
        "RepositoryDoesNotExistException"
    );
    assert_eq!(
        names(
            &cli.ok(
                ALICE,
                &[
                    "list-associated-approval-rule-templates-for-repository",
                    "--repository-name",
                    "tpl"
                ]
            ),
            "approvalRuleTemplateNames"
        ),
        ["bob-for-main", "anyone"]
    );
    assert_eq!(
        names(
            &cli.ok(
                ALICE,
                &[
                    "list-repositories-for-approval-rule-template",
                    "--approval-rule-template-name",
                    "anyone"
                ]
            ),
            "repositoryNames"
        ),
        ["tpl", "other"]
    );
    cli.refused(
        ALICE,
        &[
            "delete-approval-rule-template",
            "--approval-rule-template-name",
            "anyone",
        ],
        "ApprovalRuleTemplateInUseException",
    );

    // A pull request into main gets both rules; one into release only the branch-less one.
    let into = |branch: &str| {
        cli.ok(
            ALICE,
            &[
                "create-pull-request",
                "--title",
                &format!("Into {branch}"),
                "--targets",
                &format!(
                    "repositoryName=tpl,sourceReference=feature,destinationReference={branch}"
                ),
            ],
        )
    };
    let to_main = into("main");
    let rules = to_main["pullRequest"]["approvalRules"].as_array().unwrap();
    let origins: Vec<&str> = rules
        .iter()
        .map(|r| {
            r["originApprovalRuleTemplate"]["approvalRuleTemplateName"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(origins, ["bob-for-main", "anyone"]);
    assert_eq!(
        rules[0]["originApprovalRuleTemplate"]["approvalRuleTemplateId"],
        template_id.as_str()
    );
    assert_eq!(rules[0]["approvalRuleName"], "bob-for-main");
    assert!(
        !rules[0]["approvalRuleContent"]
            .as_str()
            .unwrap()
            .contains("DestinationReferences")
    );
    let to_release = into("release");
    let rules = to_release["pullRequest"]["approvalRules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0]["approvalRuleName"], "anyone");

    // The rules work: bob's approval satisfies both.
    let id = to_main["pullRequest"]["pullRequestId"].as_str().unwrap();
    let revision = to_main["pullRequest"]["revisionId"].as_str().unwrap();
    let evaluate = [
        "evaluate-pull-request-approval-rules",
        "--pull-request-id",
        id,
        "--revision-id",
        revision,
    ];
    let before = cli.ok(ALICE, &evaluate);
    assert_eq!(before["evaluation"]["approved"], false);
    cli.ok(
        BOB,
        &[
            "update-pull-request-approval-state",
            "--pull-request-id",
            id,
            "--revision-id",
            revision,
            "--approval-state",
            "APPROVE",
        ],
    );
    let after = cli.ok(ALICE, &evaluate);
    assert_eq!(after["evaluation"]["approved"], true);

    // Templates survive a restart; then disassociated and deleted.
    service.shutdown().await;
    let service = start(dir.path()).await;
    let cli = Cli {
        home: home.path(),
        endpoint: service.endpoint(),
    };
    assert_eq!(
        names(
            &cli.ok(ALICE, &["list-approval-rule-templates"]),
            "approvalRuleTemplateNames"
        ),
        ["bob-for-main", "anyone"]
    );
    let batch = cli.ok(
        ALICE,
        &[
            "batch-disassociate-approval-rule-template-from-repositories",
            "--approval-rule-template-name",
            "anyone",
            "--repository-names",
            "tpl",
            "other",
        ],
    );
    assert_eq!(
        names(&batch, "disassociatedRepositoryNames"),
        ["tpl", "other"]
    );
    cli.ok(
        ALICE,
        &[
            "disassociate-approval-rule-template-from-repository",
            "--approval-rule-template-name",
            "bob-for-main",
            "--repository-name",
            "tpl",
        ],
    );
    let deleted = cli.ok(
        ALICE,
        &[
            "delete-approval-rule-template",
            "--approval-rule-template-name",
            "bob-for-main",
        ],
    );
    assert_eq!(deleted["approvalRuleTemplateId"], template_id.as_str());
    cli.refused(
        ALICE,
        &[
            "get-approval-rule-template",
            "--approval-rule-template-name",
            "bob-for-main",
        ],
        "ApprovalRuleTemplateDoesNotExistException",
    );
    // Rules made from a deleted template stay on their pull request, as in AWS.
    let pr = cli.ok(ALICE, &["get-pull-request", "--pull-request-id", id]);
    assert_eq!(
        pr["pullRequest"]["approvalRules"].as_array().unwrap().len(),
        2
    );
}
