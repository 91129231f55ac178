//! Repository triggers: the validation PutRepositoryTriggers and TestRepositoryTriggers share,
//! and TestRepositoryTriggers itself.
//!
//! The local service has no SNS and no Lambda, so "executing" a trigger means checking what
//! AWS would find out by trying: a destination in another account (the service knows only its
//! own) is a failed execution with the kind of message AWS gives when it cannot publish or
//! invoke; a well formed destination in the service's account and region succeeds. Nothing is
//! sent anywhere. Region mismatches are refused before that, as AWS refuses them
//! (InvalidRepositoryTriggerRegionException), for both operations.

use serde_json::{Value, json};

use crate::local::ops::{ApiError, Ops, required_repository_name, required_str};

/// Most triggers per repository.
pub const MAX_TRIGGERS: usize = 10;
/// Most branches one trigger names.
pub const MAX_BRANCHES: usize = 100;
/// Longest custom data, in characters.
pub const MAX_CUSTOM_DATA: usize = 1000;
/// Longest trigger name, in characters.
pub const MAX_NAME: usize = 100;
/// The events a trigger can name.
pub const EVENTS: [&str; 4] = [
    "all",
    "updateReference",
    "createReference",
    "deleteReference",
];

/// A destination ARN taken apart: the service, region and account it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination<'a> {
    /// `sns` or `lambda`.
    pub service: &'a str,
    /// The region part.
    pub region: &'a str,
    /// The 12-digit account.
    pub account: &'a str,
}

/// Parses `arn:aws:sns:<region>:<account>:<topic>` and
/// `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`; anything else is `None`.
pub fn parse_destination(arn: &str) -> Option<Destination<'_>> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 6 || parts[0] != "arn" || !parts[1].starts_with("aws") {
        return None;
    }
    let (service, region, account) = (parts[2], parts[3], parts[4]);
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    if !region_ok || !account_ok {
        return None;
    }
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 256
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let ok = match service {
        "sns" => parts.len() == 6 && name_ok(parts[5]),
        "lambda" => {
            parts[5] == "function"
                && (parts.len() == 7 || parts.len() == 8)
                && name_ok(parts[6])
                && parts.get(7).is_none_or(|q| name_ok(q) || *q == "$LATEST")
        }
        _ => false,
    };
    ok.then_some(Destination {
        service,
        region,
        account,
    })
}

/// Checks the `triggers` list of a request as AWS does, first problem first.
pub fn validate_list(body: &Value, region: &str) -> Result<Vec<Value>, ApiError> {
    let triggers = match body.get("triggers") {
        Some(Value::Array(items)) => items.clone(),
        _ => {
            return Err(ApiError::client(
                "RepositoryTriggersListRequiredException",
                "The list of triggers for the repository is required, but was not specified.",
            ));
        }
    };
    if triggers.len() > MAX_TRIGGERS {
        return Err(ApiError::client(
            "MaximumRepositoryTriggersExceededException",
            format!(
                "The number of triggers allowed for the repository was exceeded ({MAX_TRIGGERS})."
            ),
        ));
    }
    for trigger in &triggers {
        validate(trigger, region)?;
    }
    Ok(triggers)
}

/// Checks one trigger.
pub fn validate(trigger: &Value, region: &str) -> Result<(), ApiError> {
    let name = required_str(trigger, "name", "RepositoryTriggerNameRequiredException")?;
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::client(
            "InvalidRepositoryTriggerNameException",
            format!("The trigger name {name} is not valid: names are 1-{MAX_NAME} characters."),
        ));
    }
    let destination = required_str(
        trigger,
        "destinationArn",
        "RepositoryTriggerDestinationArnRequiredException",
    )?;
    let Some(parsed) = parse_destination(destination) else {
        return Err(ApiError::client(
            "InvalidRepositoryTriggerDestinationArnException",
            format!(
                "The destination ARN {destination} is not valid. Use an Amazon SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC) or an AWS Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)."
            ),
        ));
    };
    if parsed.region != region {
        return Err(ApiError::client(
            "InvalidRepositoryTriggerRegionException",
            format!(
                "The region for the trigger target ({}) does not match the region for the repository ({region}). Triggers must be created in the same region as the target for the trigger.",
                parsed.region
            ),
        ));
    }
    if let Some(data) = crate::local::ops::opt_str(trigger, "customData")? {
        if data.chars().count() > MAX_CUSTOM_DATA {
            return Err(ApiError::client(
                "InvalidRepositoryTriggerCustomDataException",
                format!(
                    "The custom data for the trigger is longer than {MAX_CUSTOM_DATA} characters."
                ),
            ));
        }
    }
    let events = match trigger.get("events") {
        Some(Value::Array(events)) if !events.is_empty() => events,
        _ => {
            return Err(ApiError::client(
                "RepositoryTriggerEventsListRequiredException",
                "At least one event for the trigger is required.",
            ));
        }
    };
    if events
        .iter()
        .any(|e| !e.as_str().is_some_and(|e| EVENTS.contains(&e)))
    {
        return Err(ApiError::client(
            "InvalidRepositoryTriggerEventsException",
            "Trigger events must be all, updateReference, createReference or deleteReference.",
        ));
    }
    match trigger.get("branches") {
        None | Some(Value::Null) => {}
        Some(Value::Array(branches)) => {
            if branches.len() > MAX_BRANCHES {
                return Err(ApiError::client(
                    "MaximumBranchesExceededException",
                    format!("A trigger can name at most {MAX_BRANCHES} branches."),
                ));
            }
            for b in branches {
                let b = b.as_str().unwrap_or("");
                crate::local::ops::validate_branch_name(b).map_err(|_| {
                    ApiError::client(
                        "InvalidRepositoryTriggerBranchNameException",
                        format!("The branch name {b} for the trigger is not valid."),
                    )
                })?;
            }
        }
        Some(_) => {
            return Err(ApiError::client(
                "InvalidRepositoryTriggerBranchNameException",
                "branches must be a list of branch names.",
            ));
        }
    }
    Ok(())
}

/// TestRepositoryTriggers: validates like PutRepositoryTriggers, then "executes" each trigger
/// (see the module docs).
pub fn test(ops: &Ops, body: &Value) -> Result<Value, ApiError> {
    let name = required_repository_name(body, "repositoryName")?;
    let triggers = validate_list(body, ops.region())?;
    ops.existing(name)?;
    let mut succeeded = Vec::new();
    let mut failed = Vec::new();
    for trigger in &triggers {
        let trigger_name = trigger.get("name").and_then(Value::as_str).unwrap_or("");
        let arn = trigger
            .get("destinationArn")
            .and_then(Value::as_str)
            .unwrap_or("");
        match parse_destination(arn) {
            Some(d) if d.account == ops.account_id() => succeeded.push(json!(trigger_name)),
            Some(d) => failed.push(json!({
                "trigger": trigger_name,
                "failureMessage": failure_message(&d, arn, ops.account_id()),
            })),
            None => failed.push(json!({
                "trigger": trigger_name,
                "failureMessage": format!("The destination ARN {arn} is not valid."),
            })),
        }
    }
    Ok(json!({ "successfulExecutions": succeeded, "failedExecutions": failed }))
}

fn failure_message(d: &Destination<'_>, arn: &str, account: &str) -> String {
    match d.service {
        "sns" => format!(
            "Could not publish to the Amazon SNS topic {arn}: the topic does not exist or CodeCommit does not have permission to publish to it (it is in account {}, the repository in {account}).",
            d.account
        ),
        _ => format!(
            "Could not invoke the AWS Lambda function {arn}: the function does not exist or CodeCommit does not have permission to invoke it (it is in account {}, the repository in {account}).",
            d.account
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_sns_topics_or_lambda_functions() {
        for ok in [
            "arn:aws:sns:us-east-1:111122223333:topic",
            "arn:aws:lambda:us-east-1:111122223333:function:fn-1",
            "arn:aws:lambda:us-east-1:111122223333:function:fn:prod",
        ] {
            assert!(parse_destination(ok).is_some(), "{ok}");
        }
        for bad in [
            "",
            "arn:",
            "arn:aws:sns:us-east-1:1111:topic",
            "arn:aws:sqs:us-east-1:111122223333:q",
            "arn:aws:lambda:us-east-1:111122223333:fn",
            "arn:aws:sns:us-east-1:111122223333:a b",
            "arn:aws:sns::111122223333:topic",
        ] {
            assert!(parse_destination(bad).is_none(), "{bad}");
        }
    }
}
