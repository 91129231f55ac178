//! Notification rules of a repository (AWS CodeStar Notifications): list those whose
//! resource is the repository, create one for pull request and branch events with an SNS
//! topic as target, delete one. The SDK types stop here.

use aws_sdk_codestarnotifications::types::{
    DetailType, ListNotificationRulesFilter, ListNotificationRulesFilterName,
    NotificationRuleStatus, Target as SdkTarget,
};

use super::client::{Clients, Target};
use super::error::AwsError;

/// The CodeCommit event types a rule may name, `(id, what it means)`, in the order a picker
/// offers them.
pub const EVENT_TYPES: [(&str, &str); 11] = [
    (
        "codecommit-repository-pull-request-created",
        "pull request created",
    ),
    (
        "codecommit-repository-pull-request-merged",
        "pull request merged",
    ),
    (
        "codecommit-repository-pull-request-status-changed",
        "pull request status changed",
    ),
    (
        "codecommit-repository-pull-request-source-updated",
        "pull request source updated",
    ),
    (
        "codecommit-repository-comments-on-pull-requests",
        "comments on pull requests",
    ),
    (
        "codecommit-repository-comments-on-commits",
        "comments on commits",
    ),
    (
        "codecommit-repository-approvals-status-changed",
        "approval status changed",
    ),
    (
        "codecommit-repository-approvals-rule-override",
        "approval rule overridden",
    ),
    (
        "codecommit-repository-branches-and-tags-created",
        "branches and tags created",
    ),
    (
        "codecommit-repository-branches-and-tags-updated",
        "branches and tags updated",
    ),
    (
        "codecommit-repository-branches-and-tags-deleted",
        "branches and tags deleted",
    ),
];

/// One notification rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// Its ARN.
    pub arn: String,
    /// Its name (unique in the account).
    pub name: String,
    /// Event type ids.
    pub events: Vec<String>,
    /// Target addresses (SNS topic ARNs).
    pub targets: Vec<String>,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    /// `BASIC` or `FULL`.
    pub detail: String,
}

/// What a new rule gets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRule {
    /// Name: 1-64 letters, digits, spaces, `-`, `_`.
    pub name: String,
    /// The repository ARN.
    pub resource: String,
    /// Event type ids (some of [`EVENT_TYPES`]).
    pub events: Vec<String>,
    /// The SNS topic ARN.
    pub topic: String,
    /// `FULL` detail (else `BASIC`).
    pub full_detail: bool,
}

/// What is wrong with `rule`, or `None`: for validating as one types.
pub fn problem(rule: &NewRule) -> Option<String> {
    let name_ok = (1..=64).contains(&rule.name.chars().count())
        && rule
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ');
    if !name_ok {
        return Some("Names are 1-64 letters, digits, spaces, '-' or '_'.".into());
    }
    if rule.events.is_empty() {
        return Some("Pick at least one event.".into());
    }
    let parts: Vec<&str> = rule.topic.split(':').collect();
    let topic_ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "sns"
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty();
    if !topic_ok {
        return Some("The target is an SNS topic: arn:aws:sns:REGION:ACCOUNT:TOPIC.".into());
    }
    None
}

/// The rules whose resource is `resource` (a repository ARN), each described.
pub async fn list_for(
    clients: &Clients,
    target: &Target,
    resource: &str,
) -> Result<Vec<Rule>, AwsError> {
    let client = clients.notifications(target).await;
    let filter = ListNotificationRulesFilter::builder()
        .name(ListNotificationRulesFilterName::Resource)
        .value(resource)
        .build()
        .map_err(|e| AwsError::Other(e.to_string()))?;
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_notification_rules()
            .filters(filter.clone())
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| {
                AwsError::from_sdk(e, "codestar-notifications:ListNotificationRules", target)
            })?;
        arns.extend(
            page.notification_rules()
                .iter()
                .filter_map(|r| r.arn().map(str::to_string)),
        );
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => break,
        }
    }
    let mut rules = Vec::new();
    for arn in arns {
        let rule = client
            .describe_notification_rule()
            .arn(&arn)
            .send()
            .await
            .map_err(|e| {
                AwsError::from_sdk(e, "codestar-notifications:DescribeNotificationRule", target)
            })?;
        rules.push(Rule {
            arn,
            name: rule.name().unwrap_or_default().to_string(),
            events: rule
                .event_types()
                .iter()
                .filter_map(|e| e.event_type_id().map(str::to_string))
                .collect(),
            targets: rule
                .targets()
                .iter()
                .filter_map(|t| t.target_address().map(str::to_string))
                .collect(),
            status: rule
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            detail: rule
                .detail_type()
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
        });
    }
    Ok(rules)
}

/// Creates `rule` (enabled); answers its ARN.
pub async fn create(
    clients: &Clients,
    target: &Target,
    rule: &NewRule,
) -> Result<String, AwsError> {
    let sns = SdkTarget::builder()
        .target_type("SNS")
        .target_address(&rule.topic)
        .build();
    let answer = clients
        .notifications(target)
        .await
        .create_notification_rule()
        .name(&rule.name)
        .resource(&rule.resource)
        .set_event_type_ids(Some(rule.events.clone()))
        .targets(sns)
        .detail_type(if rule.full_detail {
            DetailType::Full
        } else {
            DetailType::Basic
        })
        .status(NotificationRuleStatus::Enabled)
        .send()
        .await
        .map_err(|e| {
            AwsError::from_sdk(e, "codestar-notifications:CreateNotificationRule", target)
        })?;
    Ok(answer.arn().unwrap_or_default().to_string())
}

/// Deletes the rule `arn`.
pub async fn delete(clients: &Clients, target: &Target, arn: &str) -> Result<(), AwsError> {
    clients
        .notifications(target)
        .await
        .delete_notification_rule()
        .arn(arn)
        .send()
        .await
        .map_err(|e| {
            AwsError::from_sdk(e, "codestar-notifications:DeleteNotificationRule", target)
        })?;
    Ok(())
}
