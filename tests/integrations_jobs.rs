//! The integrations screen's jobs (`cctui::jobs::integrations_job`, through
//! `cctui::aws::triggers` and `cctui::aws::notifications`) run by the job manager as the app
//! runs them, with the real SDK against the local service on 127.0.0.1: triggers added,
//! tested and deleted, notification rules created, listed for their repository only, and
//! deleted; refusals come back as failures with the service's message.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/jobs.rs"]
mod jobs_support;
#[path = "support/local.rs"]
mod local_support;

use cctui::aws::client::Target;
use cctui::aws::notifications::NewRule;
use cctui::aws::triggers::Trigger;
use cctui::jobs::integrations_job::{IntegrationsOutput, IntegrationsRequest};
use cctui::jobs::{JobFailure, JobOutput, JobRequest};
use cctui::local::{DEMO_REGION, LocalService, RunningService, ServiceConfig};
use local_support::create_demo_repository;

fn services(root: &std::path::Path) -> cctui::jobs::Services {
    jobs_support::demo_services(root)
}

async fn run(
    root: &std::path::Path,
    request: IntegrationsRequest,
) -> Result<IntegrationsOutput, JobFailure> {
    match jobs_support::run_with(services(root), JobRequest::Integrations(request)).await {
        Ok(JobOutput::Integrations(output)) => Ok(output),
        Ok(other) => panic!("not an integrations output: {other:?}"),
        Err(failure) => Err(failure),
    }
}

async fn start() -> (RunningService, Target, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let service = LocalService::start(ServiceConfig::new(dir.path().join("data")))
        .await
        .unwrap();
    for name in ["shop", "other"] {
        create_demo_repository(&service, name).await;
    }
    let target = Target {
        profile: None,
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
    };
    (service, target, dir)
}

const SHOP_ARN: &str = "arn:aws:codecommit:us-east-1:111122223333:shop";
const OTHER_ARN: &str = "arn:aws:codecommit:us-east-1:111122223333:other";

async fn load(
    root: &std::path::Path,
    target: &Target,
) -> (Vec<Trigger>, Vec<cctui::aws::notifications::Rule>) {
    match run(
        root,
        IntegrationsRequest::Load {
            target: target.clone(),
            repository: "shop".into(),
            arn: SHOP_ARN.into(),
        },
    )
    .await
    .unwrap()
    {
        IntegrationsOutput::Loaded {
            triggers, rules, ..
        } => (triggers.triggers, rules.unwrap()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triggers_are_added_tested_and_deleted_through_the_job_layer() {
    let (_service, target, dir) = start().await;
    let root = dir.path();
    let (triggers, rules) = load(root, &target).await;
    assert!(triggers.is_empty() && rules.is_empty());

    let notify = Trigger {
        name: "notify".into(),
        destination_arn: "arn:aws:sns:us-east-1:111122223333:pushes".into(),
        events: vec!["all".into()],
        branches: vec![],
        custom_data: "team-a".into(),
    };
    let elsewhere = Trigger {
        name: "elsewhere".into(),
        destination_arn: "arn:aws:lambda:us-east-1:444455556666:function:build".into(),
        events: vec!["createReference".into(), "deleteReference".into()],
        branches: vec!["main".into()],
        custom_data: String::new(),
    };
    let put = run(
        root,
        IntegrationsRequest::PutTriggers {
            target: target.clone(),
            repository: "shop".into(),
            triggers: vec![notify.clone(), elsewhere.clone()],
            what: "Add trigger elsewhere".into(),
        },
    )
    .await
    .unwrap();
    assert!(
        matches!(put, IntegrationsOutput::TriggersPut { ref configuration_id, .. } if !configuration_id.is_empty())
    );
    let (triggers, _) = load(root, &target).await;
    assert_eq!(triggers, vec![notify.clone(), elsewhere.clone()]);

    let tested = run(
        root,
        IntegrationsRequest::TestTriggers {
            target: target.clone(),
            repository: "shop".into(),
            triggers: triggers.clone(),
        },
    )
    .await
    .unwrap();
    let IntegrationsOutput::Tested(report) = tested else {
        panic!("{tested:?}");
    };
    assert_eq!(report.succeeded, vec!["notify".to_string()]);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, "elsewhere");
    assert!(
        report.failed[0].1.contains("444455556666"),
        "{:?}",
        report.failed
    );

    // A refused list changes nothing, and the failure names the exception.
    let bad = Trigger {
        destination_arn: "arn:aws:sqs:us-east-1:111122223333:queue".into(),
        name: "bad".into(),
        ..notify.clone()
    };
    let refused = run(
        root,
        IntegrationsRequest::PutTriggers {
            target: target.clone(),
            repository: "shop".into(),
            triggers: vec![notify.clone(), bad],
            what: "Add trigger bad".into(),
        },
    )
    .await
    .unwrap_err();
    assert!(
        format!("{} {:?}", refused.message, refused.hint)
            .contains("destination ARN arn:aws:sqs:us-east-1:111122223333:queue is not valid"),
        "{refused:?}"
    );
    assert_eq!(load(root, &target).await.0.len(), 2);

    // Delete = the rest sent again.
    run(
        root,
        IntegrationsRequest::PutTriggers {
            target: target.clone(),
            repository: "shop".into(),
            triggers: vec![notify.clone()],
            what: "Delete trigger elsewhere".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(load(root, &target).await.0, vec![notify]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_rules_are_created_listed_for_their_repository_and_deleted() {
    let (_service, target, dir) = start().await;
    let root = dir.path();
    let rule = |name: &str, resource: &str| NewRule {
        name: name.into(),
        resource: resource.into(),
        events: vec![
            "codecommit-repository-pull-request-created".into(),
            "codecommit-repository-branches-and-tags-created".into(),
        ],
        topic: "arn:aws:sns:us-east-1:111122223333:reviews".into(),
        full_detail: true,
    };
    let created = run(
        root,
        IntegrationsRequest::CreateRule {
            target: target.clone(),
            rule: rule("shop-prs", SHOP_ARN),
        },
    )
    .await
    .unwrap();
    let IntegrationsOutput::RuleCreated { arn } = created else {
        panic!("{created:?}");
    };
    run(
        root,
        IntegrationsRequest::CreateRule {
            target: target.clone(),
            rule: rule("other-prs", OTHER_ARN),
        },
    )
    .await
    .unwrap();

    let (_, rules) = load(root, &target).await;
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0].arn, arn);
    assert_eq!(rules[0].name, "shop-prs");
    assert_eq!(rules[0].status, "ENABLED");
    assert_eq!(rules[0].detail, "FULL");
    assert_eq!(
        rules[0].targets,
        vec!["arn:aws:sns:us-east-1:111122223333:reviews".to_string()]
    );
    assert_eq!(rules[0].events.len(), 2);

    let taken = run(
        root,
        IntegrationsRequest::CreateRule {
            target: target.clone(),
            rule: rule("shop-prs", SHOP_ARN),
        },
    )
    .await
    .unwrap_err();
    assert!(
        format!("{} {:?}", taken.message, taken.hint)
            .contains("A notification rule named shop-prs already exists"),
        "{taken:?}"
    );

    run(
        root,
        IntegrationsRequest::DeleteRule {
            target: target.clone(),
            arn: arn.clone(),
            name: "shop-prs".into(),
        },
    )
    .await
    .unwrap();
    assert!(load(root, &target).await.1.is_empty());
}
