//! The repositories API layer (`cctui::aws::repos`, `cctui::aws::error`) through the real SDK
//! against the local CodeCommit-compatible service on 127.0.0.1: paging, detail mapping,
//! create / rename / describe / delete with AWS's validation errors, tags and triggers, and
//! error classification (throttling, 5xx, bad credentials, unreachable endpoint, regions).
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/aws_local.rs"]
mod aws_local;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_local::{AwsLocal, aws_clients_with, aws_create_many, aws_list_everything, aws_seed_store};
use cctui::aws::client::Target;
use cctui::aws::error::AwsError;
use cctui::aws::repos::{self, NewRepository, Repository};
use cctui::local::faults::{FaultSettings, Faults, InjectedFault};
use cctui::local::{DEMO_ACCESS_KEY_ID, DEMO_ACCOUNT_ID, DEMO_REGION, DEMO_SECRET_ACCESS_KEY};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn new_repo(name: &str) -> NewRepository {
    NewRepository {
        name: name.to_string(),
        ..NewRepository::default()
    }
}

/// The AWS error code of a failed call, or a panic naming what came back instead.
fn service_code<T: std::fmt::Debug>(result: Result<T, AwsError>) -> String {
    match result {
        Err(AwsError::Service { code, message }) => {
            assert!(!message.is_empty(), "{code} without a message");
            code
        }
        other => panic!("expected AwsError::Service, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_pages_through_thousands_of_repositories_exactly_once_with_details() {
    const COUNT: usize = 2_600; // three ListRepositories pages of at most 1,000
    let mut created = Vec::new();
    let local = AwsLocal::start_with(DEMO_REGION, |dir| {
        created = aws_seed_store(dir, "bulk-", COUNT - 40);
    })
    .await;
    let client = local.client().await;
    // A few through the API as well, so both kinds of creation are listed.
    created.extend(aws_create_many(&client, &local.target, "api-", 40, 8).await);

    let before = local.api_requests();
    let (total, all, sizes) = aws_list_everything(&client, &local.target).await;
    let requests = local.api_requests() - before;

    assert_eq!(total.unwrap(), COUNT);
    assert_eq!(all.len(), COUNT, "every repository delivered once");
    let names: BTreeSet<&str> = all.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), COUNT, "no repository delivered twice");
    assert_eq!(
        names,
        created.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    let ids: BTreeSet<&str> = all.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), COUNT, "ids are distinct");
    for r in &all {
        assert!(!r.id.is_empty() && !r.arn.is_empty(), "details of {r:?}");
        assert!(r.arn.ends_with(&format!(":{}", r.name)), "{r:?}");
        assert_eq!(r.clone_url_http, local.service.clone_url(&r.name));
        assert!(r.created.is_some() && r.last_modified.is_some(), "{r:?}");
        if let Some(i) = r.name.strip_prefix("bulk-") {
            let i: usize = i.parse().unwrap();
            assert_eq!(r.description, format!("Seeded repository {i}"));
        }
    }
    assert!(
        sizes.iter().all(|&s| (1..=repos::BATCH_SIZE).contains(&s)),
        "{sizes:?}"
    );
    // 3 ListRepositories pages + 104 BatchGetRepositories calls of 25: nothing fetched twice.
    assert_eq!(sizes.len(), COUNT.div_ceil(repos::BATCH_SIZE));
    assert_eq!(requests as usize, 3 + COUNT.div_ceil(repos::BATCH_SIZE));
}

/// At 50 ms per request, one request after the other would take 107 × 50 ms = 5.35 s for
/// 2,600 repositories; `list_all` overlaps the pages and runs the batches concurrently.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_overlaps_requests_under_latency() {
    const COUNT: usize = 2_600;
    let local = AwsLocal::start_with(DEMO_REGION, |dir| {
        aws_seed_store(dir, "slow-", COUNT);
    })
    .await;
    let client = local.client().await;
    local.service.faults().set_latency_ms(50);
    let started = std::time::Instant::now();
    let mut first_batch = None;
    let mut count = 0;
    let total = repos::list_all(&client, &local.target, |batch| {
        first_batch.get_or_insert_with(|| started.elapsed());
        count += batch.len();
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!((total, count), (COUNT, COUNT));
    let sequential = std::time::Duration::from_millis(50 * 107);
    assert!(
        elapsed < sequential / 2,
        "{elapsed:?}: not much faster than one request at a time ({sequential:?})"
    );
    // The first details arrive after about two round trips, long before the listing ends.
    let first_batch = first_batch.unwrap();
    assert!(first_batch < elapsed / 2, "{first_batch:?} of {elapsed:?}");
}

#[tokio::test]
async fn list_all_of_an_empty_account_returns_zero() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let (total, all, sizes) = aws_list_everything(&client, &local.target).await;
    assert_eq!(total.unwrap(), 0);
    assert!(all.is_empty() && sizes.is_empty());
}

/// Writes one commit into the bare repository of `id` (the service's data layout), so that
/// CreateBranch can point a branch at it.
fn commit_into_bare(local: &AwsLocal, id: &str) -> String {
    let store = cctui::local::store::Store::open(local.data_dir()).unwrap();
    let repo = git2::Repository::open_bare(store.repo_path(id)).unwrap();
    let tree = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree).unwrap();
    let sig = git2::Signature::now("Test", "test@example.com").unwrap();
    repo.commit(None, &sig, &sig, "first", &tree, &[])
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn batch_details_are_mapped_field_by_field() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let start = now();
    let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let described = repos::create(
        &client,
        t,
        &NewRepository {
            name: "described".into(),
            description: "A repository with a description".into(),
            tags: BTreeMap::new(),
            kms_key_id: Some(key.into()),
        },
    )
    .await
    .unwrap();
    let plain = repos::create(&client, t, &new_repo("plain")).await.unwrap();
    let end = now();

    let got = repos::batch_get(
        &client,
        t,
        vec!["plain".into(), "described".into(), "missing-one".into()],
    )
    .await
    .unwrap();
    assert_eq!(got.len(), 2, "the missing name is skipped: {got:?}");
    let by_name: BTreeMap<&str, &Repository> = got.iter().map(|r| (r.name.as_str(), r)).collect();

    let d = by_name["described"];
    assert_eq!(d, &described, "create answers the same metadata");
    assert_eq!(d.description, "A repository with a description");
    assert_eq!(d.kms_key_id.as_deref(), Some(key));
    assert_eq!(
        d.default_branch, None,
        "empty repository has no default branch"
    );
    assert_eq!(d.id.len(), 36, "UUID-shaped id: {}", d.id);
    assert_eq!(d.account_id, DEMO_ACCOUNT_ID);
    assert_eq!(
        d.arn,
        format!("arn:aws:codecommit:us-east-1:{DEMO_ACCOUNT_ID}:described")
    );
    assert_eq!(d.clone_url_http, local.service.clone_url("described"));
    assert_eq!(
        d.clone_url_ssh,
        "ssh://git-codecommit.us-east-1.amazonaws.com/v1/repos/described"
    );
    let created = d.created.unwrap();
    assert!(
        (start..=end).contains(&created),
        "{start} <= {created} <= {end}"
    );
    assert!(d.last_modified.unwrap() >= created);

    let p = by_name["plain"];
    assert_eq!(p, &plain);
    assert_eq!(p.description, "", "no description maps to empty");
    assert_eq!(p.kms_key_id.as_deref(), Some("alias/aws/codecommit"));
    assert_ne!(p.id, d.id);

    // Once a branch exists it becomes the default branch, and the mapping carries it.
    let commit = commit_into_bare(&local, &p.id);
    client
        .create_branch()
        .repository_name("plain")
        .branch_name("main")
        .commit_id(commit)
        .send()
        .await
        .unwrap();
    let p = repos::get(&client, t, "plain").await.unwrap();
    assert_eq!(p.default_branch.as_deref(), Some("main"));
    let batch = repos::batch_get(&client, t, vec!["plain".into()])
        .await
        .unwrap();
    assert_eq!(batch, vec![p]);
}

#[tokio::test]
async fn create_rename_describe_delete_round_trip() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let created = repos::create(&client, t, &new_repo("first")).await.unwrap();

    repos::rename(&client, t, "first", "second").await.unwrap();
    assert_eq!(
        service_code(repos::get(&client, t, "first").await),
        "RepositoryDoesNotExistException"
    );
    let renamed = repos::get(&client, t, "second").await.unwrap();
    assert_eq!(renamed.id, created.id, "a rename keeps the id");
    assert!(renamed.arn.ends_with(":second"));

    repos::describe(&client, t, "second", "Now described")
        .await
        .unwrap();
    assert_eq!(
        repos::get(&client, t, "second").await.unwrap().description,
        "Now described"
    );

    assert_eq!(
        repos::delete(&client, t, "second").await.unwrap(),
        Some(created.id.clone())
    );
    assert_eq!(
        repos::delete(&client, t, "second").await.unwrap(),
        None,
        "a second delete succeeds without an id, as on AWS"
    );
    assert_eq!(
        service_code(repos::get(&client, t, "second").await),
        "RepositoryDoesNotExistException"
    );
    let (total, _, _) = aws_list_everything(&client, t).await;
    assert_eq!(total.unwrap(), 0);
}

#[tokio::test]
async fn every_validation_error_reaches_the_caller_with_the_aws_exception_name() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    repos::create(&client, t, &new_repo("taken")).await.unwrap();
    repos::create(&client, t, &new_repo("other")).await.unwrap();

    let tags = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let too_many: BTreeMap<String, String> = (0..51)
        .map(|i| (format!("k{i}"), "v".to_string()))
        .collect();
    let long_value = "v".repeat(257);
    let long_key = "k".repeat(129);
    let creates: Vec<(NewRepository, &str)> = vec![
        (new_repo("bad name!"), "InvalidRepositoryNameException"),
        (new_repo("slash/name"), "InvalidRepositoryNameException"),
        (new_repo(&"x".repeat(101)), "InvalidRepositoryNameException"),
        (new_repo("project.git"), "InvalidRepositoryNameException"),
        (new_repo("PROJECT.GIT"), "InvalidRepositoryNameException"),
        (new_repo("."), "InvalidRepositoryNameException"),
        (new_repo(".."), "InvalidRepositoryNameException"),
        (new_repo(""), "RepositoryNameRequiredException"),
        (new_repo("taken"), "RepositoryNameExistsException"),
        (
            NewRepository {
                description: "d".repeat(1001),
                ..new_repo("long-description")
            },
            "InvalidRepositoryDescriptionException",
        ),
        (
            NewRepository {
                tags: tags(&[("aws:owner", "me")]),
                ..new_repo("system-tag")
            },
            "InvalidSystemTagUsageException",
        ),
        (
            NewRepository {
                tags: tags(&[(long_key.as_str(), "v")]),
                ..new_repo("long-tag-key")
            },
            "InvalidTagsMapException",
        ),
        (
            NewRepository {
                tags: tags(&[("team", long_value.as_str())]),
                ..new_repo("long-tag-value")
            },
            "InvalidTagsMapException",
        ),
        (
            NewRepository {
                tags: too_many,
                ..new_repo("too-many-tags")
            },
            "TooManyTagsException",
        ),
        (
            NewRepository {
                kms_key_id: Some(String::new()),
                ..new_repo("empty-kms-key")
            },
            "EncryptionKeyInvalidIdException",
        ),
    ];
    for (new, expected) in creates {
        let result = repos::create(&client, t, &new).await;
        assert_eq!(
            service_code(result),
            expected,
            "create {:?}",
            &new.name[..new.name.len().min(20)]
        );
    }
    // The limits themselves are accepted.
    let edge = NewRepository {
        name: "y".repeat(100),
        description: "d".repeat(1000),
        tags: (0..50)
            .map(|i| (format!("k{i}"), "v".repeat(256)))
            .collect(),
        kms_key_id: None,
    };
    assert_eq!(
        repos::create(&client, t, &edge).await.unwrap().name,
        edge.name
    );

    let renames = [
        ("taken", "other", "RepositoryNameExistsException"),
        ("absent", "anything", "RepositoryDoesNotExistException"),
        (
            "taken",
            "no spaces allowed",
            "InvalidRepositoryNameException",
        ),
        ("taken", "renamed.git", "InvalidRepositoryNameException"),
        ("taken", "", "RepositoryNameRequiredException"),
    ];
    for (old, new, expected) in renames {
        assert_eq!(
            service_code(repos::rename(&client, t, old, new).await),
            expected,
            "rename {old} -> {new}"
        );
    }
    assert_eq!(
        service_code(repos::describe(&client, t, "absent", "text").await),
        "RepositoryDoesNotExistException"
    );
    assert_eq!(
        service_code(repos::describe(&client, t, "taken", &"d".repeat(1001)).await),
        "InvalidRepositoryDescriptionException"
    );
    assert_eq!(
        service_code(repos::get(&client, t, "absent").await),
        "RepositoryDoesNotExistException"
    );
    assert_eq!(
        service_code(repos::delete(&client, t, "bad name!").await),
        "InvalidRepositoryNameException"
    );
    let names: Vec<String> = (0..26).map(|i| format!("n{i}")).collect();
    assert_eq!(
        service_code(repos::batch_get(&client, t, names).await),
        "MaximumRepositoryNamesExceededException"
    );

    // The error's code() and Display carry AWS's code and message.
    let error = repos::create(&client, t, &new_repo("taken"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("RepositoryNameExistsException"));
    assert!(error.to_string().contains("taken"), "{error}");
    // Nothing of the failed attempts was created, and the failed renames changed nothing.
    let (total, all, _) = aws_list_everything(&client, t).await;
    assert_eq!(total.unwrap(), 3);
    let names: BTreeSet<String> = all.into_iter().map(|r| r.name).collect();
    assert_eq!(
        names,
        BTreeSet::from(["taken".to_string(), "other".to_string(), "y".repeat(100)])
    );
}

/// Service errors keep AWS's code whatever the names in their message: a repository called
/// `sso-token-refresh` is not an expired SSO session.
#[tokio::test]
async fn service_errors_are_not_mistaken_for_credential_problems() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    for name in [
        "sso-token-refresh",
        "aws-sso-expired",
        "no-credentials",
        "no-region",
    ] {
        repos::create(&client, t, &new_repo(name)).await.unwrap();
        assert_eq!(
            service_code(repos::create(&client, t, &new_repo(name)).await),
            "RepositoryNameExistsException",
            "{name}"
        );
        repos::delete(&client, t, name).await.unwrap();
        assert_eq!(
            service_code(repos::get(&client, t, name).await),
            "RepositoryDoesNotExistException",
            "{name}"
        );
    }
}

/// AWS accepts any Unicode, HTML characters included, in descriptions (the API reference warns
/// that applications must escape it). `cctui::aws::validate::description` allows them too.
#[tokio::test]
async fn descriptions_may_contain_html_characters() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let new = NewRepository {
        description: "<b>bold</b> & more".into(),
        ..new_repo("html")
    };
    let created = repos::create(&client, &local.target, &new).await.unwrap();
    assert_eq!(created.description, new.description);
}

#[tokio::test]
async fn extras_return_tags_and_triggers() {
    use aws_sdk_codecommit::types::{RepositoryTrigger, RepositoryTriggerEventEnum};
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    let tagged = repos::create(
        &client,
        t,
        &NewRepository {
            tags: BTreeMap::from([
                ("team".to_string(), "platform".to_string()),
                ("cost-center".to_string(), "42".to_string()),
            ]),
            ..new_repo("tagged")
        },
    )
    .await
    .unwrap();
    let bare = repos::create(&client, t, &new_repo("bare")).await.unwrap();

    let topic = "arn:aws:sns:us-east-1:111122223333:pushes";
    let lambda = "arn:aws:lambda:us-east-1:111122223333:function:build";
    client
        .put_repository_triggers()
        .repository_name("tagged")
        .triggers(
            RepositoryTrigger::builder()
                .name("notify")
                .destination_arn(topic)
                .events(RepositoryTriggerEventEnum::All)
                .build()
                .unwrap(),
        )
        .triggers(
            RepositoryTrigger::builder()
                .name("build")
                .destination_arn(lambda)
                .events(RepositoryTriggerEventEnum::UpdateReference)
                .branches("main")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    client
        .tag_resource()
        .resource_arn(&tagged.arn)
        .tags("added", "later")
        .send()
        .await
        .unwrap();

    let extras = repos::extras(&client, t, &tagged).await.unwrap();
    assert_eq!(
        extras.tags,
        BTreeMap::from([
            ("added".to_string(), "later".to_string()),
            ("cost-center".to_string(), "42".to_string()),
            ("team".to_string(), "platform".to_string()),
        ])
    );
    assert_eq!(
        extras.triggers,
        vec![
            ("notify".to_string(), topic.to_string()),
            ("build".to_string(), lambda.to_string()),
        ]
    );

    let none = repos::extras(&client, t, &bare).await.unwrap();
    assert!(none.tags.is_empty() && none.triggers.is_empty(), "{none:?}");

    // Extras of a repository deleted meanwhile: AWS's error, not an empty answer.
    repos::delete(&client, t, "bare").await.unwrap();
    let code = service_code(repos::extras(&client, t, &bare).await);
    assert!(
        code == "RepositoryDoesNotExistException" || code == "InvalidResourceArnException",
        "{code}"
    );
}

/// A seed for which the service's first fault draws at `rate` give exactly `pattern`: computed
/// with the service's own generator, so a single sequential call sees these faults in order.
fn seed_for(pattern: &[Option<InjectedFault>], error_rate: f64, throttle_rate: f64) -> u64 {
    (1..10_000u64)
        .find(|&seed| {
            let faults = Faults::new(&FaultSettings {
                error_rate,
                throttle_rate,
                seed,
                ..FaultSettings::default()
            });
            pattern.iter().all(|want| faults.next_api_fault() == *want)
        })
        .unwrap()
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_then_reported_with_a_hint() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    repos::create(&client, t, &new_repo("busy")).await.unwrap();

    // Always throttled: the SDK's default policy tries 3 times, then the caller gets Throttled.
    local.service.faults().set_throttle_rate(1.0);
    let before = local.api_requests();
    let error = repos::get(&client, t, "busy").await.unwrap_err();
    assert_eq!(local.api_requests() - before, 3, "1 call + 2 SDK retries");
    assert_eq!(
        error,
        AwsError::Throttled {
            action: "GetRepository".into()
        }
    );
    assert_eq!(error.code(), Some("ThrottlingException"));
    assert!(!error.hint().unwrap().is_empty());

    let (total, _, _) = aws_list_everything(&client, t).await;
    assert_eq!(
        total.unwrap_err(),
        AwsError::Throttled {
            action: "ListRepositories".into()
        }
    );

    // Throttled once, then served: the retry hides it from the caller.
    let seed = seed_for(&[Some(InjectedFault::Throttling), None], 0.0, 0.5);
    local.service.faults().set_throttle_rate(0.5);
    local.service.faults().set_seed(seed);
    let before = local.api_requests();
    let got = repos::get(&client, t, "busy").await.unwrap();
    assert_eq!(got.name, "busy");
    assert_eq!(local.api_requests() - before, 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_with_their_code() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    let t = &local.target;
    repos::create(&client, t, &new_repo("flaky")).await.unwrap();

    local.service.faults().set_error_rate(1.0);
    let stats = local.service.stats_snapshot();
    let code = service_code(repos::get(&client, t, "flaky").await);
    let after = local.service.stats_snapshot();
    assert!(
        code == "ServiceUnavailableException" || code == "InternalFailure",
        "{code}"
    );
    assert_eq!(after.api_requests - stats.api_requests, 3, "5xx is retried");
    assert_eq!(after.api_faults_injected - stats.api_faults_injected, 3);

    // One 503 then success: the caller never sees it.
    let seed = seed_for(&[Some(InjectedFault::ServiceUnavailable), None], 0.5, 0.0);
    local.service.faults().set_error_rate(0.5);
    local.service.faults().set_seed(seed);
    let stats = local.service.stats_snapshot();
    assert_eq!(repos::get(&client, t, "flaky").await.unwrap().name, "flaky");
    let after = local.service.stats_snapshot();
    assert_eq!(after.api_requests - stats.api_requests, 2);
    assert_eq!(after.api_faults_injected - stats.api_faults_injected, 1);

    // A 500 on a batch during list_all: retried, the listing is complete.
    local.service.faults().clear();
    aws_create_many(&client, t, "more-", 60, 8).await;
    // Pinned draws: the list page passes, the first batch to arrive gets a 500, everything
    // after passes; 1 page + 3 batches + 1 retry = 5 requests use 5 of the 8 pinned draws.
    let mut pattern = vec![None; 8];
    pattern[1] = Some(InjectedFault::InternalFailure);
    let seed = seed_for(&pattern, 0.3, 0.0);
    local.service.faults().set_error_rate(0.3);
    local.service.faults().set_seed(seed);
    let stats = local.service.stats_snapshot();
    let (total, all, _) = aws_list_everything(&client, t).await;
    let after = local.service.stats_snapshot();
    assert_eq!(total.unwrap(), 61);
    assert_eq!(all.len(), 61);
    assert_eq!(after.api_faults_injected - stats.api_faults_injected, 1);
    assert_eq!(after.api_requests - stats.api_requests, 5);
}

#[tokio::test]
async fn unknown_access_key_and_wrong_secret_are_bad_credentials() {
    let local = AwsLocal::start().await;
    let cases = [
        (
            aws_clients_with("AKIAUNKNOWNKEY000000", DEMO_SECRET_ACCESS_KEY),
            "UnrecognizedClientException",
        ),
        (
            aws_clients_with(
                DEMO_ACCESS_KEY_ID,
                "wrong-secret-key-0000000000000000000000",
            ),
            "InvalidSignatureException",
        ),
    ];
    for (clients, expected) in cases {
        let client = clients.get(&local.target).await;
        let before = local.service.stats_snapshot();
        let error = repos::get(&client, &local.target, "anything")
            .await
            .unwrap_err();
        let after = local.service.stats_snapshot();
        match &error {
            AwsError::BadCredentials { code, message } => {
                assert_eq!(code, expected);
                assert!(!message.is_empty());
            }
            other => panic!("expected BadCredentials, got {other:?}"),
        }
        assert_eq!(error.code(), Some(expected));
        assert!(!error.hint().unwrap().is_empty());
        assert_eq!(after.api_auth_failures - before.api_auth_failures, 1);
        assert_eq!(
            after.api_requests - before.api_requests,
            1,
            "a rejected key is not retried"
        );
        let (total, _, _) = aws_list_everything(&client, &local.target).await;
        assert!(
            matches!(total, Err(AwsError::BadCredentials { .. })),
            "{total:?}"
        );
    }
}

#[tokio::test]
async fn a_closed_port_is_unreachable_naming_the_url() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }; // closed again here
    let url = format!("http://127.0.0.1:{port}");
    let target = Target {
        profile: None,
        region: Some("us-east-1".into()),
        endpoint: Some(url.clone()),
    };
    let client = aws_local::aws_demo_clients().get(&target).await;
    let error = repos::get(&client, &target, "anything").await.unwrap_err();
    match &error {
        AwsError::Unreachable { endpoint, detail } => {
            assert_eq!(endpoint, &url);
            // The innermost cause, readable: "Connection refused (os error 111)".
            assert!(detail.to_lowercase().contains("refused"), "{detail}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(error.to_string().contains(&url), "{error}");
    assert!(!error.hint().unwrap().is_empty());
    let (total, _, _) = aws_list_everything(&client, &target).await;
    assert!(
        matches!(&total, Err(AwsError::Unreachable { endpoint, .. }) if endpoint == &url),
        "{total:?}"
    );
}

#[tokio::test]
async fn two_regions_list_their_own_repositories() {
    let east = AwsLocal::start_in("us-east-1").await;
    let west = AwsLocal::start_in("eu-west-1").await;
    let east_client = east.client().await;
    let west_client = west.client().await;
    aws_create_many(&east_client, &east.target, "east-", 30, 8).await;
    aws_create_many(&west_client, &west.target, "west-", 40, 8).await;

    // One Clients for both, as the app holds it: two Targets, two cached clients.
    let clients = aws_local::aws_demo_clients();
    for (local, prefix, count, region) in [
        (&east, "east-", 30, "us-east-1"),
        (&west, "west-", 40, "eu-west-1"),
    ] {
        let client = clients.get(&local.target).await;
        assert_eq!(
            clients.region_of(&local.target).await.as_deref(),
            Some(region)
        );
        let (total, all, _) = aws_list_everything(&client, &local.target).await;
        assert_eq!(total.unwrap(), count);
        assert!(all.iter().all(|r| r.name.starts_with(prefix)), "{prefix}");
        assert!(
            all.iter()
                .all(|r| r.arn.starts_with(&format!("arn:aws:codecommit:{region}:"))),
            "{region}"
        );
    }

    // The region is part of the signature: the west service refuses a us-east-1 signature.
    let wrong = Target {
        region: Some("us-east-1".into()),
        ..west.target.clone()
    };
    let client = clients.get(&wrong).await;
    let error = repos::get(&client, &wrong, "west-00000").await.unwrap_err();
    assert!(
        matches!(error, AwsError::BadCredentials { .. }),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Credential and region problems of the default chain. The chain reads the process environment
// and ~/.aws, so these run in a child process (this test binary again) with a bare environment:
// no AWS_* variables, empty config files, instance metadata disabled.

const CHILD_MARKER: &str = "CCTUI_AWS_REPOS_CHILD";

/// Runs the ignored test `name` of this binary in a child with a bare AWS environment plus
/// `env`; panics with the child's output if it fails.
fn run_in_bare_environment(name: &str, env: &[(&str, String)]) {
    let home = tempfile::tempdir().unwrap();
    let aws_dir = home.path().join(".aws");
    std::fs::create_dir_all(&aws_dir).unwrap();
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", aws_dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", aws_dir.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env(CHILD_MARKER, "1");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child test {name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// True in the child started by [`run_in_bare_environment`]; the ignored child tests do
/// nothing when run any other way (their parent test is the real test).
fn in_child() -> bool {
    std::env::var_os(CHILD_MARKER).is_some()
}

#[test]
fn missing_credentials_and_region_are_classified_with_hints() {
    run_in_bare_environment("child_missing_credentials_and_region", &[]);
}

#[tokio::test]
#[ignore = "run by missing_credentials_and_region_are_classified_with_hints in a bare environment"]
async fn child_missing_credentials_and_region() {
    if !in_child() {
        return;
    }
    let local = AwsLocal::start().await;
    let endpoint = Some(local.service.endpoint());

    // No credentials anywhere: the default chain (no static override) finds nothing.
    let target = Target {
        profile: None,
        region: Some("us-east-1".into()),
        endpoint: endpoint.clone(),
    };
    let client = cctui::aws::client::Clients::new().get(&target).await;
    let error = repos::get(&client, &target, "anything").await.unwrap_err();
    assert_eq!(error, AwsError::NoCredentials { profile: None });
    assert!(error.hint().unwrap().contains("aws configure"), "{error:?}");

    // A profile that does not exist.
    let target = Target {
        profile: Some("ghost".into()),
        ..target
    };
    let client = cctui::aws::client::Clients::new().get(&target).await;
    let error = repos::get(&client, &target, "anything").await.unwrap_err();
    assert_eq!(
        error,
        AwsError::NoCredentials {
            profile: Some("ghost".into())
        }
    );
    assert!(
        error.hint().unwrap().contains("--profile ghost"),
        "{error:?}"
    );

    // Credentials but no region at all.
    let target = Target {
        profile: None,
        region: None,
        endpoint,
    };
    let clients = aws_local::aws_demo_clients();
    assert_eq!(clients.region_of(&target).await, None);
    let client = clients.get(&target).await;
    let error = repos::get(&client, &target, "anything").await.unwrap_err();
    assert_eq!(error, AwsError::NoRegion { profile: None });
    assert!(!error.hint().unwrap().is_empty());
    assert_eq!(local.api_requests(), 0, "nothing was sent");
}

#[test]
fn an_expired_sso_session_asks_for_aws_sso_login() {
    run_in_bare_environment("child_expired_sso_session", &[]);
}

#[tokio::test]
#[ignore = "run by an_expired_sso_session_asks_for_aws_sso_login in a bare environment"]
async fn child_expired_sso_session() {
    if !in_child() {
        return;
    }
    // What `aws configure sso` writes, and what `aws sso login` leaves in the cache once the
    // token has expired (no refresh token). The SDK fails fast, without any network call.
    let home = std::path::PathBuf::from(std::env::var_os("HOME").unwrap());
    let config = std::env::var_os("AWS_CONFIG_FILE").unwrap();
    std::fs::write(
        &config,
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
         sso_role_name = Developer\nregion = us-east-1\n\n\
         [sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
         sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    let cache = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // The cache file is named by the SHA-1 of the session name: sha1("corp").
    std::fs::write(
        cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken": "expired-token", "expiresAt": "2020-01-01T00:00:00Z", "region": "us-east-1", "startUrl": "https://example.awsapps.com/start"}"#,
    )
    .unwrap();

    let local = AwsLocal::start().await;
    let target = Target {
        profile: Some("dev".into()),
        region: None,
        endpoint: Some(local.service.endpoint()),
    };
    let clients = cctui::aws::client::Clients::new();
    assert_eq!(
        clients.region_of(&target).await.as_deref(),
        Some("us-east-1"),
        "the profile's region is used"
    );
    let client = clients.get(&target).await;
    let error = repos::get(&client, &target, "anything").await.unwrap_err();
    assert_eq!(
        error,
        AwsError::SsoExpired {
            profile: Some("dev".into())
        }
    );
    assert!(
        error
            .hint()
            .unwrap()
            .contains("aws sso login --profile dev"),
        "{error:?}"
    );
    assert_eq!(local.api_requests(), 0, "nothing was sent");
}

/// A service that accepts the connection and never answers must not hang a listing forever
/// (DESIGN: "Network operations have timeouts"). The SDK's defaults only bound the *connect*
/// (3.1 s); reading the answer has no limit unless the client sets one.
#[tokio::test]
async fn a_silent_endpoint_times_out_as_unreachable() {
    let local = AwsLocal::start().await;
    let client = local.client().await;
    local.service.faults().set_latency_ms(3_600_000);
    let limit = std::time::Duration::from_secs(120);
    let outcome = tokio::time::timeout(limit, aws_list_everything(&client, &local.target)).await;
    let Ok((total, _, _)) = outcome else {
        panic!("list_all still waiting after {limit:?}");
    };
    assert!(
        matches!(&total, Err(AwsError::Unreachable { endpoint, .. }) if endpoint == &local.service.endpoint()),
        "{total:?}"
    );
}

/// An endpoint that answers, but not as CodeCommit (a wrong --endpoint-url path or another web
/// server): the error must still say something, not be an empty message.
#[tokio::test]
async fn a_non_codecommit_answer_gives_a_readable_error() {
    let local = AwsLocal::start().await;
    let target = Target {
        endpoint: Some(format!("{}/not-the-api", local.service.endpoint())),
        ..local.target.clone()
    };
    let client = local.clients.get(&target).await;
    let error = repos::get(&client, &target, "anything").await.unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(error, AwsError::Other(_)),
        "not a service error: {error:?}"
    );
    assert!(text.contains(&target.endpoint.clone().unwrap()), "{text}");
    assert!(text.contains("malformed"), "says what was wrong: {text}");
    assert!(
        !text.contains("SdkBody") && !text.contains("headers"),
        "no debug dump of the raw response: {text}"
    );
}
