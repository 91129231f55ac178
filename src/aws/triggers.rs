//! Repository triggers: read (GetRepositoryTriggers), replace the whole list
//! (PutRepositoryTriggers: CodeCommit has no per-trigger call), and test
//! (TestRepositoryTriggers). The SDK types stop here; [`problem`] checks a trigger as the user
//! types it, with CodeCommit's rules.

use aws_sdk_codecommit::types::{RepositoryTrigger, RepositoryTriggerEventEnum};

use super::client::{Clients, Target};
use super::error::AwsError;

/// The events a trigger may name, in the order a form offers them.
pub const EVENTS: [&str; 4] = [
    "all",
    "updateReference",
    "createReference",
    "deleteReference",
];

/// Most triggers of one repository.
pub const MAX_TRIGGERS: usize = 10;

/// One trigger of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Trigger {
    /// Unique in the repository.
    pub name: String,
    /// An SNS topic or Lambda function ARN.
    pub destination_arn: String,
    /// Some of [`EVENTS`].
    pub events: Vec<String>,
    /// Branches it fires for (empty: all).
    pub branches: Vec<String>,
    /// Sent with every notification (may be empty).
    pub custom_data: String,
}

/// A repository's triggers and the id of that configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Triggers {
    /// Changes with every PutRepositoryTriggers.
    pub configuration_id: String,
    /// The triggers.
    pub triggers: Vec<Trigger>,
}

/// What TestRepositoryTriggers answered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestReport {
    /// Names of the triggers that ran.
    pub succeeded: Vec<String>,
    /// `(trigger, why)` of those that did not.
    pub failed: Vec<(String, String)>,
}

/// What is wrong with `trigger` (CodeCommit's rules), or `None`: for validating as one types.
pub fn problem(trigger: &Trigger) -> Option<String> {
    if trigger.name.trim().is_empty() {
        return Some("Give the trigger a name.".into());
    }
    if trigger.name.chars().count() > 100 {
        return Some("Trigger names are at most 100 characters.".into());
    }
    if let Some(why) = destination_problem(&trigger.destination_arn) {
        return Some(why);
    }
    if trigger.events.is_empty() {
        return Some("Pick at least one event.".into());
    }
    if let Some(bad) = trigger
        .events
        .iter()
        .find(|e| !EVENTS.contains(&e.as_str()))
    {
        return Some(format!("{bad} is not an event: use {}.", EVENTS.join(", ")));
    }
    if let Some(bad) = trigger
        .branches
        .iter()
        .find(|b| b.is_empty() || b.contains("..") || b.contains(' ') || b.starts_with('-'))
    {
        return Some(format!("'{bad}' is not a branch name."));
    }
    if trigger.custom_data.chars().count() > 1000 {
        return Some("Custom data is at most 1000 characters.".into());
    }
    None
}

/// What is wrong with a destination ARN, or `None` for an SNS topic
/// (`arn:aws:sns:REGION:ACCOUNT:TOPIC`) or a Lambda function
/// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
pub fn destination_problem(arn: &str) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let hint =
        "Use arn:aws:sns:REGION:ACCOUNT:TOPIC or arn:aws:lambda:REGION:ACCOUNT:function:NAME.";
    if parts.len() < 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
        return Some(format!("Not an ARN. {hint}"));
    }
    if parts[3].is_empty() {
        return Some(format!("The ARN has no region. {hint}"));
    }
    if parts[4].len() != 12 || !parts[4].chars().all(|c| c.is_ascii_digit()) {
        return Some(format!("The account must be 12 digits. {hint}"));
    }
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    match parts[2] {
        "sns" if parts.len() == 6 && name_ok(parts[5]) => None,
        "lambda"
            if parts[5] == "function" && (7..=8).contains(&parts.len()) && name_ok(parts[6]) =>
        {
            None
        }
        "sns" | "lambda" => Some(format!("The topic or function name is not valid. {hint}")),
        other => Some(format!("Triggers go to SNS or Lambda, not {other}. {hint}")),
    }
}

fn to_sdk(trigger: &Trigger) -> Result<RepositoryTrigger, AwsError> {
    let mut builder = RepositoryTrigger::builder()
        .name(&trigger.name)
        .destination_arn(&trigger.destination_arn)
        .set_branches(Some(trigger.branches.clone()));
    if !trigger.custom_data.is_empty() {
        builder = builder.custom_data(&trigger.custom_data);
    }
    for event in &trigger.events {
        builder = builder.events(RepositoryTriggerEventEnum::from(event.as_str()));
    }
    builder
        .build()
        .map_err(|e| AwsError::Other(format!("the trigger is incomplete: {e}")))
}

fn from_sdk(trigger: &RepositoryTrigger) -> Trigger {
    Trigger {
        name: trigger.name().to_string(),
        destination_arn: trigger.destination_arn().to_string(),
        events: trigger
            .events()
            .iter()
            .map(|e| e.as_str().to_string())
            .collect(),
        branches: trigger.branches().to_vec(),
        custom_data: trigger.custom_data().unwrap_or_default().to_string(),
    }
}

/// The triggers of `repository`.
pub async fn get(
    clients: &Clients,
    target: &Target,
    repository: &str,
) -> Result<Triggers, AwsError> {
    let answer = clients
        .get(target)
        .await
        .get_repository_triggers()
        .repository_name(repository)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "GetRepositoryTriggers", target))?;
    Ok(Triggers {
        configuration_id: answer.configuration_id().unwrap_or_default().to_string(),
        triggers: answer.triggers().iter().map(from_sdk).collect(),
    })
}

/// Replaces the triggers of `repository` with `triggers`; answers the new configuration id.
pub async fn put(
    clients: &Clients,
    target: &Target,
    repository: &str,
    triggers: &[Trigger],
) -> Result<String, AwsError> {
    let sdk = triggers.iter().map(to_sdk).collect::<Result<Vec<_>, _>>()?;
    let answer = clients
        .get(target)
        .await
        .put_repository_triggers()
        .repository_name(repository)
        .set_triggers(Some(sdk))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "PutRepositoryTriggers", target))?;
    Ok(answer.configuration_id().unwrap_or_default().to_string())
}

/// Tests `triggers` of `repository` (CodeCommit sends a test notification to each).
pub async fn test(
    clients: &Clients,
    target: &Target,
    repository: &str,
    triggers: &[Trigger],
) -> Result<TestReport, AwsError> {
    let sdk = triggers.iter().map(to_sdk).collect::<Result<Vec<_>, _>>()?;
    let answer = clients
        .get(target)
        .await
        .test_repository_triggers()
        .repository_name(repository)
        .set_triggers(Some(sdk))
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "TestRepositoryTriggers", target))?;
    Ok(TestReport {
        succeeded: answer.successful_executions().to_vec(),
        failed: answer
            .failed_executions()
            .iter()
            .map(|f| {
                (
                    f.trigger().unwrap_or_default().to_string(),
                    f.failure_message().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    })
}
