//! The permissions view's job (`AccessRequest::Permissions`, through
//! `cctui::aws::permissions::simulate` and the real IAM SDK client) against the demo service:
//! carol, whose `master` is protected by the user guide's policy, may push to a topic branch
//! but not to `master`; alice, unrestricted, may do both; bob, asked about by himself, may too.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/jobs.rs"]
mod jobs_support;

use cctui::aws::client::{Clients, StaticCredentials, Target};
use cctui::aws::permissions::{Decision, Verdict, repository_arn};
use cctui::jobs::{AccessOutput, AccessRequest, JobOutput, JobRequest};
use cctui::local::{
    DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_CAROL_ACCESS_KEY_ID, DEMO_CAROL_SECRET_ACCESS_KEY,
    DEMO_REGION, DEMO_SECRET_ACCESS_KEY,
};

fn clients(key: &str, secret: &str) -> Clients {
    Clients::with_credentials(StaticCredentials {
        access_key_id: key.into(),
        secret_access_key: secret.to_string().into(),
        session_token: None,
    })
}

async fn simulate(who: Clients, target: &Target, user: &str, branch: &str) -> Vec<Decision> {
    let root = tempfile::tempdir().unwrap();
    let mut services = jobs_support::services(root.path());
    services.clients = who;
    let request = JobRequest::Access(AccessRequest::Permissions {
        target: target.clone(),
        principal: format!("arn:aws:iam::{DEMO_ACCOUNT_ID}:user/{user}"),
        repository_arn: repository_arn(DEMO_REGION, DEMO_ACCOUNT_ID, "cctui-demo"),
        branch: branch.into(),
    });
    match jobs_support::run_with(services, request).await {
        Ok(JobOutput::Access(AccessOutput::Permissions(decisions))) => decisions,
        other => panic!("{other:?}"),
    }
}

fn verdict(decisions: &[Decision], action: &str) -> Verdict {
    decisions
        .iter()
        .find(|d| d.action == action)
        .unwrap_or_else(|| panic!("{action} not in {decisions:?}"))
        .verdict
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn carol_may_not_push_to_master_and_the_view_says_which_statement() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let service = cctui::local::start_demo(&data, false).await.unwrap();
    let target = Target {
        profile: None,
        region: Some(DEMO_REGION.into()),
        endpoint: Some(service.endpoint()),
    };
    let carol = || clients(DEMO_CAROL_ACCESS_KEY_ID, DEMO_CAROL_SECRET_ACCESS_KEY);
    let on_master = simulate(carol(), &target, "carol", "master").await;
    assert_eq!(verdict(&on_master, "GitPush"), Verdict::ExplicitDeny);
    assert_eq!(verdict(&on_master, "DeleteBranch"), Verdict::ExplicitDeny);
    assert_eq!(
        verdict(&on_master, "MergePullRequestBySquash"),
        Verdict::ExplicitDeny
    );
    assert_eq!(verdict(&on_master, "GitPull"), Verdict::Allowed);
    assert_eq!(verdict(&on_master, "CreatePullRequest"), Verdict::Allowed);
    let push = on_master.iter().find(|d| d.action == "GitPush").unwrap();
    assert!(
        !push.statements.is_empty(),
        "the denying policy is named: {push:?}"
    );
    let on_topic = simulate(carol(), &target, "carol", "carol/topic").await;
    assert_eq!(verdict(&on_topic, "GitPush"), Verdict::Allowed);
    // alice, with no policy of her own, may do everything there.
    let alice = simulate(
        clients(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY),
        &target,
        "alice",
        "master",
    )
    .await;
    assert!(
        alice.iter().all(|d| d.verdict == Verdict::Allowed),
        "{alice:?}"
    );
    drop(service);
}
