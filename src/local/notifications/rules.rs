//! The notification rule operations and their validation, with AWS's exception names.

use serde_json::{Value, json};

use crate::local::notifications::{Notifications, Rule, events};
use crate::local::ops::{ApiError, Ops, opt_str};

/// Most results of one ListNotificationRules / ListEventTypes page (AWS: 100).
pub const MAX_RESULTS: usize = 100;
/// Most targets of one rule (AWS: 10).
pub const MAX_TARGETS: usize = 10;

fn validation(message: impl Into<String>) -> ApiError {
    ApiError::client("ValidationException", message)
}

fn not_found(arn: &str) -> ApiError {
    ApiError {
        status: 404,
        code: "ResourceNotFoundException".into(),
        message: format!("Notification rule {arn} does not exist."),
    }
}

/// One operation, by the last part of its path (`createNotificationRule` …).
pub fn dispatch(
    notifications: &Notifications,
    ops: &Ops,
    caller_arn: &str,
    operation: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    match operation {
        "createNotificationRule" => create(notifications, ops, caller_arn, body),
        "describeNotificationRule" => describe(notifications, body),
        "listNotificationRules" => list(notifications, body),
        "updateNotificationRule" => update(notifications, body),
        "deleteNotificationRule" => delete(notifications, body),
        "listEventTypes" => list_event_types(body),
        other => Err(ApiError {
            status: 404,
            code: "UnknownOperationException".into(),
            message: format!(
                "The local service does not implement CodeStar Notifications operation {other}."
            ),
        }),
    }
}

fn required<'a>(body: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    match opt_str(body, key).map_err(|_| validation(format!("{key} must be a string.")))? {
        Some(value) => Ok(value),
        None => Err(validation(format!(
            "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
        ))),
    }
}

fn validate_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ');
    if ok {
        Ok(())
    } else {
        Err(validation(format!(
            "Notification rule name '{name}' is not valid: 1-64 letters, digits, spaces, '-' or '_'."
        )))
    }
}

fn validate_event_types(
    body: &Value,
    required_here: bool,
) -> Result<Option<Vec<String>>, ApiError> {
    let ids = match body.get("EventTypeIds") {
        None | Some(Value::Null) if !required_here => return Ok(None),
        Some(Value::Array(ids)) if !ids.is_empty() || !required_here => ids,
        _ => {
            return Err(validation(
                "EventTypeIds must list at least one event type (ListEventTypes names them).",
            ));
        }
    };
    let mut out = Vec::new();
    for id in ids {
        let id = id.as_str().unwrap_or("");
        if events::name_of(id).is_none() {
            return Err(validation(format!(
                "Event type '{id}' is not valid for a CodeCommit repository; ListEventTypes names the valid ones."
            )));
        }
        if !out.iter().any(|known: &String| known == id) {
            out.push(id.to_string());
        }
    }
    Ok(Some(out))
}

/// `arn:aws:sns:<region>:<account>:<topic>`.
fn is_sns_topic(address: &str) -> bool {
    let parts: Vec<&str> = address.split(':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty()
        && parts[5]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn validate_targets(
    body: &Value,
    required_here: bool,
) -> Result<Option<Vec<(String, String)>>, ApiError> {
    let targets = match body.get("Targets") {
        None | Some(Value::Null) if !required_here => return Ok(None),
        Some(Value::Array(targets)) if !targets.is_empty() => targets,
        _ => return Err(validation("Targets must list at least one target.")),
    };
    if targets.len() > MAX_TARGETS {
        return Err(ApiError::client(
            "LimitExceededException",
            format!("A notification rule can have at most {MAX_TARGETS} targets."),
        ));
    }
    let mut out = Vec::new();
    for target in targets {
        let kind = target
            .get("TargetType")
            .and_then(Value::as_str)
            .unwrap_or("");
        let address = target
            .get("TargetAddress")
            .and_then(Value::as_str)
            .unwrap_or("");
        if kind != "SNS" {
            return Err(validation(format!(
                "TargetType '{kind}' is not supported by the local service: use SNS."
            )));
        }
        if !is_sns_topic(address) {
            return Err(validation(format!(
                "TargetAddress '{address}' is not an Amazon SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)."
            )));
        }
        out.push((kind.to_string(), address.to_string()));
    }
    Ok(Some(out))
}

fn one_of(body: &Value, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match opt_str(body, key).map_err(|_| validation(format!("{key} must be a string.")))? {
        None => Ok(None),
        Some(value) if allowed.contains(&value) => Ok(Some(value.to_string())),
        Some(value) => Err(validation(format!(
            "1 validation error detected: Value '{value}' at '{key}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ))),
    }
}

/// The repository a `Resource` ARN names, which must exist in this service.
fn check_resource(ops: &Ops, resource: &str) -> Result<(), ApiError> {
    let prefix = format!("arn:aws:codecommit:{}:{}:", ops.region(), ops.account_id());
    let Some(name) = resource.strip_prefix(&prefix) else {
        return Err(validation(format!(
            "Resource '{resource}' is not a CodeCommit repository ARN of this account and region ({prefix}NAME)."
        )));
    };
    ops.existing(name).map_err(|_| {
        validation(format!(
            "Resource '{resource}' does not exist: create the repository first."
        ))
    })?;
    Ok(())
}

fn new_rule_id() -> String {
    let mut id = String::new();
    while id.len() < 40 {
        id.extend(
            crate::local::store::new_id()
                .chars()
                .filter(char::is_ascii_hexdigit)
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    id.truncate(40);
    id
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn create(
    notifications: &Notifications,
    ops: &Ops,
    caller_arn: &str,
    body: &Value,
) -> Result<Value, ApiError> {
    let name = required(body, "Name")?;
    validate_name(name)?;
    let event_type_ids = validate_event_types(body, true)?.unwrap_or_default();
    let resource = required(body, "Resource")?;
    check_resource(ops, resource)?;
    let targets = validate_targets(body, true)?.unwrap_or_default();
    let detail_type = one_of(body, "DetailType", &["BASIC", "FULL"])?
        .ok_or_else(|| validation("DetailType is required: BASIC or FULL."))?;
    let status =
        one_of(body, "Status", &["ENABLED", "DISABLED"])?.unwrap_or_else(|| "ENABLED".into());
    let token = opt_str(body, "ClientRequestToken")
        .map_err(|_| validation("ClientRequestToken must be a string."))?
        .map(str::to_string);
    let tags = match body.get("Tags") {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
            .collect(),
        _ => Default::default(),
    };
    notifications.change(|rules| {
        if let Some(existing) = rules.iter().find(|r| r.name == name) {
            // A retry of the same call (same token, same rule) answers the first rule.
            let same = token.is_some()
                && existing.client_request_token == token
                && existing.event_type_ids == event_type_ids
                && existing.resource == resource
                && existing.targets == targets
                && existing.detail_type == detail_type;
            if same {
                return Ok(json!({ "Arn": existing.arn }));
            }
            return Err(ApiError {
                status: 409,
                code: "ResourceAlreadyExistsException".into(),
                message: format!(
                    "A notification rule named {name} already exists in this account ({}); names are unique per account.",
                    existing.arn
                ),
            });
        }
        let id = new_rule_id();
        let arn = format!(
            "arn:aws:codestar-notifications:{}:{}:notificationrule/{id}",
            notifications.region(),
            notifications.account_id()
        );
        let at = now();
        rules.push(Rule {
            arn: arn.clone(),
            id,
            name: name.to_string(),
            event_type_ids: event_type_ids.clone(),
            resource: resource.to_string(),
            targets: targets.clone(),
            detail_type: detail_type.clone(),
            status: status.clone(),
            created_by: caller_arn.to_string(),
            created: at,
            last_modified: at,
            client_request_token: token.clone(),
            tags,
        });
        Ok(json!({ "Arn": arn }))
    })
}

fn describe(notifications: &Notifications, body: &Value) -> Result<Value, ApiError> {
    let arn = required(body, "Arn")?;
    notifications
        .read(|rules| rules.iter().find(|r| r.arn == arn).map(rule_json))?
        .ok_or_else(|| not_found(arn))
}

fn rule_json(rule: &Rule) -> Value {
    json!({
        "Arn": rule.arn,
        "Name": rule.name,
        "EventTypes": rule.event_type_ids.iter().map(|id| events::summary(id)).collect::<Vec<_>>(),
        "Resource": rule.resource,
        "Targets": rule.targets.iter().map(|(kind, address)| json!({
            "TargetType": kind, "TargetAddress": address, "TargetStatus": "ACTIVE",
        })).collect::<Vec<_>>(),
        "DetailType": rule.detail_type,
        "CreatedBy": rule.created_by,
        "Status": rule.status,
        "CreatedTimestamp": rule.created,
        "LastModifiedTimestamp": rule.last_modified,
        "Tags": rule.tags,
    })
}

/// `Filters`: the same name twice is OR, different names AND (AWS's rule).
fn filters(body: &Value, names: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let Some(list) = body.get("Filters") else {
        return Ok(Vec::new());
    };
    let Value::Array(list) = list else {
        return Err(validation("Filters must be a list."));
    };
    let mut out = Vec::new();
    for filter in list {
        let name = filter.get("Name").and_then(Value::as_str).unwrap_or("");
        let value = filter.get("Value").and_then(Value::as_str).unwrap_or("");
        if !names.contains(&name) {
            return Err(validation(format!(
                "Filter name '{name}' is not valid: use one of {}.",
                names.join(", ")
            )));
        }
        out.push((name.to_string(), value.to_string()));
    }
    Ok(out)
}

fn matches(filters: &[(String, String)], value_of: impl Fn(&str, &str) -> bool) -> bool {
    let mut names: Vec<&str> = filters.iter().map(|(n, _)| n.as_str()).collect();
    names.dedup();
    names.iter().all(|name| {
        filters
            .iter()
            .filter(|(n, _)| n == name)
            .any(|(n, v)| value_of(n, v))
    })
}

/// `MaxResults` and `NextToken` (an index, base64 as AWS's tokens look).
fn page(body: &Value) -> Result<(usize, usize), ApiError> {
    use base64::Engine;
    let max = match body.get("MaxResults") {
        None | Some(Value::Null) => MAX_RESULTS,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=100) => n as usize,
            _ => {
                return Err(validation(
                    "1 validation error detected: Value at 'MaxResults' failed to satisfy constraint: Member must have value between 1 and 100",
                ));
            }
        },
    };
    let start =
        match opt_str(body, "NextToken").map_err(|_| validation("NextToken must be a string."))? {
            None => 0,
            Some(token) => base64::engine::general_purpose::STANDARD
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("page:").and_then(|n| n.parse().ok()))
                .ok_or_else(|| {
                    ApiError::client(
                        "InvalidNextTokenException",
                        "The NextToken is not valid: start again without it.",
                    )
                })?,
        };
    Ok((start, max))
}

fn next_token(next: usize, total: usize) -> Option<String> {
    use base64::Engine;
    (next < total).then(|| base64::engine::general_purpose::STANDARD.encode(format!("page:{next}")))
}

fn list(notifications: &Notifications, body: &Value) -> Result<Value, ApiError> {
    let filters = filters(
        body,
        &["EVENT_TYPE_ID", "CREATED_BY", "RESOURCE", "TARGET_ADDRESS"],
    )?;
    let (start, max) = page(body)?;
    let found: Vec<Value> = notifications.read(|rules| {
        rules
            .iter()
            .filter(|rule| {
                matches(&filters, |name, value| match name {
                    "EVENT_TYPE_ID" => rule.event_type_ids.iter().any(|id| id == value),
                    "CREATED_BY" => rule.created_by == value,
                    "RESOURCE" => rule.resource == value,
                    _ => rule.targets.iter().any(|(_, address)| address == value),
                })
            })
            .map(|rule| json!({ "Id": rule.id, "Arn": rule.arn }))
            .collect()
    })?;
    let total = found.len();
    let page: Vec<Value> = found.into_iter().skip(start).take(max).collect();
    let mut answer = json!({ "NotificationRules": page });
    if let Some(token) = next_token(start + max, total) {
        answer["NextToken"] = json!(token);
    }
    Ok(answer)
}

fn update(notifications: &Notifications, body: &Value) -> Result<Value, ApiError> {
    let arn = required(body, "Arn")?.to_string();
    let name = opt_str(body, "Name").map_err(|_| validation("Name must be a string."))?;
    if let Some(name) = name {
        validate_name(name)?;
    }
    let event_type_ids = validate_event_types(body, false)?;
    if event_type_ids.as_ref().is_some_and(Vec::is_empty) {
        return Err(validation(
            "EventTypeIds must list at least one event type.",
        ));
    }
    let targets = validate_targets(body, false)?;
    let detail_type = one_of(body, "DetailType", &["BASIC", "FULL"])?;
    let status = one_of(body, "Status", &["ENABLED", "DISABLED"])?;
    notifications.change(|rules| {
        if let Some(name) = name {
            if rules.iter().any(|r| r.name == name && r.arn != arn) {
                return Err(ApiError {
                    status: 409,
                    code: "ResourceAlreadyExistsException".into(),
                    message: format!("A notification rule named {name} already exists."),
                });
            }
        }
        let rule = rules
            .iter_mut()
            .find(|r| r.arn == arn)
            .ok_or_else(|| not_found(&arn))?;
        if let Some(name) = name {
            rule.name = name.to_string();
        }
        if let Some(ids) = event_type_ids {
            rule.event_type_ids = ids;
        }
        if let Some(targets) = targets {
            rule.targets = targets;
        }
        if let Some(detail) = detail_type {
            rule.detail_type = detail;
        }
        if let Some(status) = status {
            rule.status = status;
        }
        rule.last_modified = now();
        Ok(json!({}))
    })
}

/// DeleteNotificationRule answers the ARN whether or not the rule existed (its model has no
/// ResourceNotFoundException: deleting is idempotent).
fn delete(notifications: &Notifications, body: &Value) -> Result<Value, ApiError> {
    let arn = required(body, "Arn")?.to_string();
    notifications.change(|rules| {
        rules.retain(|r| r.arn != arn);
        Ok(json!({ "Arn": arn }))
    })
}

fn list_event_types(body: &Value) -> Result<Value, ApiError> {
    let filters = filters(body, &["RESOURCE_TYPE", "SERVICE_NAME"])?;
    let (start, max) = page(body)?;
    let found: Vec<Value> = events::CODECOMMIT
        .iter()
        .filter(|_| {
            matches(&filters, |name, value| match name {
                "RESOURCE_TYPE" => value.eq_ignore_ascii_case(events::RESOURCE_TYPE),
                _ => value.eq_ignore_ascii_case(events::SERVICE_NAME),
            })
        })
        .map(|(id, _)| events::summary(id))
        .collect();
    let total = found.len();
    let page: Vec<Value> = found.into_iter().skip(start).take(max).collect();
    let mut answer = json!({ "EventTypes": page });
    if let Some(token) = next_token(start + max, total) {
        answer["NextToken"] = json!(token);
    }
    Ok(answer)
}
