//! Repository triggers (Put/Get/TestRepositoryTriggers) and CodeStar Notifications rules,
//! driven by the AWS CLI (an implementation we did not write) against the local service.
//! `.ci/run` installs the AWS CLI; on a machine without it these tests say so and return.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_cli.rs"]
mod aws_cli_support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY, LocalService, ServiceConfig,
};
use serde_json::Value;

/// Whether the AWS CLI is here (under `CI=true` it must be).
fn aws_cli() -> bool {
    aws_cli_support::aws_cli_present()
}

/// Runs the CLI with the service as every endpoint (`AWS_ENDPOINT_URL_*`, as a user would).
fn aws(home: &Path, endpoint: &str, args: &[&str]) -> Output {
    Command::new("aws")
        .args(args)
        .args(["--output", "json"])
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_DEFAULT_REGION", DEMO_REGION)
        .env("AWS_REGION", DEMO_REGION)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ENDPOINT_URL_CODECOMMIT", endpoint)
        .env("AWS_ENDPOINT_URL_CODESTAR_NOTIFICATIONS", endpoint)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_CONFIG_FILE", home.join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "the CLI failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    if output.stdout.iter().all(u8::is_ascii_whitespace) {
        return Value::Null;
    }
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The CLI failed with `exception` named in its message (`An error occurred (Name) when …`).
fn fails_with(output: &Output, exception: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "expected {exception}, it succeeded"
    );
    assert!(
        stderr.contains(&format!("({exception})")),
        "expected {exception}, got: {stderr}"
    );
}

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:pushes";
const LAMBDA: &str = "arn:aws:lambda:us-east-1:111122223333:function:build";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_are_put_validated_and_tested_through_the_cli() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| aws(&home, &endpoint, args);
        ok(&run(&["codecommit", "create-repository", "--repository-name", "hooks"]));

        let triggers = format!(
            r#"[{{"name":"notify","destinationArn":"{TOPIC}","events":["all"],"customData":"team-a"}},
               {{"name":"build","destinationArn":"{LAMBDA}","events":["updateReference","createReference"],"branches":["main"]}}]"#
        );
        let put = ok(&run(&[
            "codecommit",
            "put-repository-triggers",
            "--repository-name",
            "hooks",
            "--triggers",
            &triggers,
        ]));
        assert!(put["configurationId"].as_str().is_some_and(|s| !s.is_empty()));
        let got = ok(&run(&[
            "codecommit",
            "get-repository-triggers",
            "--repository-name",
            "hooks",
        ]));
        assert_eq!(got["configurationId"], put["configurationId"]);
        assert_eq!(got["triggers"][0]["customData"], "team-a");
        assert_eq!(got["triggers"][1]["branches"][0], "main");

        // A trigger in this account succeeds; one in another account fails with a reason.
        let mixed = format!(
            r#"[{{"name":"notify","destinationArn":"{TOPIC}","events":["all"]}},
               {{"name":"elsewhere","destinationArn":"arn:aws:sns:us-east-1:444455556666:other","events":["all"]}}]"#
        );
        let tested = ok(&run(&[
            "codecommit",
            "test-repository-triggers",
            "--repository-name",
            "hooks",
            "--triggers",
            &mixed,
        ]));
        assert_eq!(tested["successfulExecutions"], serde_json::json!(["notify"]));
        assert_eq!(tested["failedExecutions"][0]["trigger"], "elsewhere");
        let message = tested["failedExecutions"][0]["failureMessage"]
            .as_str()
            .unwrap();
        assert!(message.contains("444455556666"), "{message}");

        // Validation, shared by put and test, with AWS's exception names.
        let cases: &[(&str, String)] = &[
            (
                "InvalidRepositoryTriggerDestinationArnException",
                r#"[{"name":"x","destinationArn":"arn:aws:sqs:us-east-1:111122223333:q","events":["all"]}]"#.into(),
            ),
            (
                "InvalidRepositoryTriggerDestinationArnException",
                r#"[{"name":"x","destinationArn":"arn:aws:lambda:us-east-1:111122223333:build","events":["all"]}]"#.into(),
            ),
            (
                "InvalidRepositoryTriggerRegionException",
                r#"[{"name":"x","destinationArn":"arn:aws:sns:eu-west-1:111122223333:t","events":["all"]}]"#.into(),
            ),
            (
                "InvalidRepositoryTriggerBranchNameException",
                format!(r#"[{{"name":"x","destinationArn":"{TOPIC}","events":["all"],"branches":["bad..name"]}}]"#),
            ),
            (
                "InvalidRepositoryTriggerCustomDataException",
                format!(r#"[{{"name":"x","destinationArn":"{TOPIC}","events":["all"],"customData":"{}"}}]"#, "d".repeat(1001)),
            ),
            (
                "InvalidRepositoryTriggerNameException",
                format!(r#"[{{"name":"{}","destinationArn":"{TOPIC}","events":["all"]}}]"#, "n".repeat(101)),
            ),
            (
                "MaximumRepositoryTriggersExceededException",
                format!(
                    "[{}]",
                    (0..11)
                        .map(|i| format!(r#"{{"name":"t{i}","destinationArn":"{TOPIC}","events":["all"]}}"#))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            ),
        ];
        for (exception, triggers) in cases {
            for operation in ["put-repository-triggers", "test-repository-triggers"] {
                fails_with(
                    &run(&[
                        "codecommit",
                        operation,
                        "--repository-name",
                        "hooks",
                        "--triggers",
                        triggers,
                    ]),
                    exception,
                );
            }
        }
        // Nothing refused was stored: the first configuration stands.
        let after = ok(&run(&[
            "codecommit",
            "get-repository-triggers",
            "--repository-name",
            "hooks",
        ]));
        assert_eq!(after["configurationId"], put["configurationId"]);
        fails_with(
            &run(&[
                "codecommit",
                "test-repository-triggers",
                "--repository-name",
                "missing",
                "--triggers",
                &triggers,
            ]),
            "RepositoryDoesNotExistException",
        );
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_rules_are_created_listed_described_and_deleted_through_the_cli() {
    if !aws_cli() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let service = LocalService::start(ServiceConfig::new(data.clone()))
        .await
        .unwrap();
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();
    let rule_arn = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| aws(&home, &endpoint, args);
        ok(&run(&[
            "codecommit",
            "create-repository",
            "--repository-name",
            "watched",
        ]));
        ok(&run(&[
            "codecommit",
            "create-repository",
            "--repository-name",
            "other",
        ]));
        let watched = "arn:aws:codecommit:us-east-1:111122223333:watched";
        let other = "arn:aws:codecommit:us-east-1:111122223333:other";
        let targets = format!(r#"[{{"TargetType":"SNS","TargetAddress":"{TOPIC}"}}]"#);
        let create = |name: &str, resource: &str, events: &[&str]| {
            let mut args = vec![
                "codestar-notifications",
                "create-notification-rule",
                "--name",
                name,
                "--resource",
                resource,
                "--detail-type",
                "FULL",
                "--targets",
                &targets,
                "--event-type-ids",
            ];
            args.extend_from_slice(events);
            run(&args)
        };
        let created = ok(&create(
            "pr-events",
            watched,
            &[
                "codecommit-repository-pull-request-created",
                "codecommit-repository-pull-request-merged",
            ],
        ));
        let arn = created["Arn"].as_str().unwrap().to_string();
        assert!(
            arn.starts_with(
                "arn:aws:codestar-notifications:us-east-1:111122223333:notificationrule/"
            ),
            "{arn}"
        );
        ok(&create(
            "branches",
            other,
            &["codecommit-repository-branches-and-tags-created"],
        ));

        let described = ok(&run(&[
            "codestar-notifications",
            "describe-notification-rule",
            "--arn",
            &arn,
        ]));
        assert_eq!(described["Name"], "pr-events");
        assert_eq!(described["Resource"], watched);
        assert_eq!(described["DetailType"], "FULL");
        assert_eq!(described["Status"], "ENABLED");
        assert_eq!(described["Targets"][0]["TargetAddress"], TOPIC);
        assert_eq!(
            described["EventTypes"][1]["EventTypeId"],
            "codecommit-repository-pull-request-merged"
        );
        assert_eq!(
            described["CreatedBy"],
            "arn:aws:iam::111122223333:user/alice"
        );

        let listed = ok(&run(&[
            "codestar-notifications",
            "list-notification-rules",
            "--filters",
            &format!("Name=RESOURCE,Value={watched}"),
        ]));
        let rules = listed["NotificationRules"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "{listed}");
        assert_eq!(rules[0]["Arn"], arn.as_str());
        // Paging: the CLI follows NextToken itself; one item a page still gives both.
        let all = ok(&run(&[
            "codestar-notifications",
            "list-notification-rules",
            "--page-size",
            "1",
        ]));
        assert_eq!(
            all["NotificationRules"].as_array().unwrap().len(),
            2,
            "{all}"
        );

        let types = ok(&run(&[
            "codestar-notifications",
            "list-event-types",
            "--filters",
            "Name=SERVICE_NAME,Value=CodeCommit",
        ]));
        let ids: Vec<&str> = types["EventTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["EventTypeId"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&"codecommit-repository-comments-on-pull-requests"),
            "{ids:?}"
        );

        // Errors, with AWS's names.
        fails_with(
            &create(
                "pr-events",
                watched,
                &["codecommit-repository-pull-request-created"],
            ),
            "ResourceAlreadyExistsException",
        );
        fails_with(
            &create(
                "bad-event",
                watched,
                &["codecommit-repository-no-such-event"],
            ),
            "ValidationException",
        );
        fails_with(
            &create(
                "gone",
                "arn:aws:codecommit:us-east-1:111122223333:nothing-here",
                &["codecommit-repository-pull-request-created"],
            ),
            "ValidationException",
        );
        fails_with(
            &create(
                "bad name!",
                watched,
                &["codecommit-repository-pull-request-created"],
            ),
            "ValidationException",
        );
        fails_with(
            &run(&[
                "codestar-notifications",
                "create-notification-rule",
                "--name",
                "not-sns",
                "--resource",
                watched,
                "--detail-type",
                "BASIC",
                "--targets",
                r#"[{"TargetType":"SNS","TargetAddress":"arn:aws:sqs:us-east-1:111122223333:q"}]"#,
                "--event-type-ids",
                "codecommit-repository-pull-request-created",
            ]),
            "ValidationException",
        );
        fails_with(
            &run(&[
                "codestar-notifications",
                "list-notification-rules",
                "--starting-token",
                "bm90LWEtcGFnZQ==",
            ]),
            "InvalidNextTokenException",
        );

        ok(&run(&[
            "codestar-notifications",
            "update-notification-rule",
            "--arn",
            &arn,
            "--status",
            "DISABLED",
        ]));
        let described = ok(&run(&[
            "codestar-notifications",
            "describe-notification-rule",
            "--arn",
            &arn,
        ]));
        assert_eq!(described["Status"], "DISABLED");
        arn
    })
    .await
    .unwrap();

    // The rules survive a restart (they live in the data directory).
    service.shutdown().await;
    let service = LocalService::start(ServiceConfig::new(data)).await.unwrap();
    let endpoint = service.endpoint();
    let home = dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| aws(&home, &endpoint, args);
        let described = ok(&run(&[
            "codestar-notifications",
            "describe-notification-rule",
            "--arn",
            &rule_arn,
        ]));
        assert_eq!(described["Name"], "pr-events");
        let deleted = ok(&run(&[
            "codestar-notifications",
            "delete-notification-rule",
            "--arn",
            &rule_arn,
        ]));
        assert_eq!(deleted["Arn"], rule_arn.as_str());
        fails_with(
            &run(&[
                "codestar-notifications",
                "describe-notification-rule",
                "--arn",
                &rule_arn,
            ]),
            "ResourceNotFoundException",
        );
    })
    .await
    .unwrap();
}
