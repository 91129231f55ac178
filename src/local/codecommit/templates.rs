//! Approval rule templates: create, get, list, delete, rename, describe, change content;
//! associate with repositories (one or a batch) and list both ways. A new pull request gets a
//! rule from every template associated with its repository whose `DestinationReferences`
//! (absent: every branch) names its destination branch, with `originApprovalRuleTemplate`.
//!
//! A template's content is a rule's content plus an optional `DestinationReferences` list of
//! `refs/heads/…`; the rule a template makes keeps `Version` and `Statements` only.

use serde_json::{Map, Value, json};

use super::approvals::{MAX_RULE_CONTENT, parse_rule_content};
use super::state::{ApprovalRule, Origin, State, Template};
use super::{Caller, OpResult, max_results, required};
use crate::local::ops::{
    ApiError, MAX_BATCH_NAMES, Ops, opt_str, page, required_repository_name,
    validate_repository_name,
};
use crate::local::store::{new_id, now_epoch_seconds};
use crate::sigv4::sha256_hex;

/// Longest template name.
pub const MAX_NAME: usize = 100;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 1000;
/// Most templates per account and region (AWS's quota).
pub const MAX_TEMPLATES: usize = 1000;
/// Most templates associated with one repository.
pub const MAX_PER_REPOSITORY: usize = 25;
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

fn invalid_content(why: &str) -> ApiError {
    ApiError::client(
        "InvalidApprovalRuleTemplateContentException",
        format!(
            "The content of the approval rule template is not valid: {why}. Use {{\"Version\":\"2018-11-08\",\"DestinationReferences\":[\"refs/heads/main\"],\"Statements\":[{{\"Type\":\"Approvers\",\"NumberOfApprovalsNeeded\":1,\"ApprovalPoolMembers\":[\"arn:aws:iam::<account>:user/<name>\"]}}]}}."
        ),
    )
}

/// Splits template content into the rule content it makes and its destination references
/// (`None`: every branch).
pub fn split_content(content: &str) -> Result<(String, Option<Vec<String>>), ApiError> {
    if content.chars().count() > MAX_RULE_CONTENT {
        return Err(invalid_content(&format!(
            "it is longer than {MAX_RULE_CONTENT} characters"
        )));
    }
    let mut value: Map<String, Value> = serde_json::from_str(content)
        .map_err(|e| invalid_content(&format!("not a JSON object ({e})")))?;
    let destinations = match value.remove("DestinationReferences") {
        None => None,
        Some(Value::Array(items)) if !items.is_empty() => Some(
            items
                .iter()
                .map(|i| {
                    i.as_str()
                        .filter(|r| r.starts_with("refs/heads/") && r.len() > 11)
                        .map(str::to_string)
                        .ok_or_else(|| {
                            invalid_content(
                                "DestinationReferences must be branch references (refs/heads/…)",
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => {
            return Err(invalid_content(
                "DestinationReferences must be a non-empty list",
            ));
        }
    };
    let rule = Value::Object(value).to_string();
    parse_rule_content(&rule).map_err(|e| ApiError {
        code: "InvalidApprovalRuleTemplateContentException".into(),
        ..e
    })?;
    Ok((rule, destinations))
}

fn template_name<'b>(body: &'b Value, key: &str) -> Result<&'b str, ApiError> {
    let name = required(body, key, "ApprovalRuleTemplateNameRequiredException")?;
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::client(
            "InvalidApprovalRuleTemplateNameException",
            format!(
                "The name of the approval rule template is not valid. Template names must be between 1 and {MAX_NAME} characters in length."
            ),
        ));
    }
    Ok(name)
}

fn description(body: &Value) -> Result<Option<&str>, ApiError> {
    let d = opt_str(body, "approvalRuleTemplateDescription")?;
    if d.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(ApiError::client(
            "InvalidApprovalRuleTemplateDescriptionException",
            format!(
                "The description of the approval rule template is not valid: at most {MAX_DESCRIPTION} characters."
            ),
        ));
    }
    Ok(d)
}

fn content<'b>(body: &'b Value, key: &str) -> Result<&'b str, ApiError> {
    let c = required(body, key, "ApprovalRuleTemplateContentRequiredException")?;
    split_content(c)?;
    Ok(c)
}

fn template_json(t: &Template) -> Value {
    json!({
        "approvalRuleTemplateId": t.id,
        "approvalRuleTemplateName": t.name,
        "approvalRuleTemplateDescription": t.description,
        "approvalRuleTemplateContent": t.content,
        "ruleContentSha256": t.content_sha256,
        "lastModifiedDate": t.last_modified_date,
        "creationDate": t.creation_date,
        "lastModifiedUser": t.last_modified_user,
    })
}

fn missing(name: &str) -> ApiError {
    ApiError::client(
        "ApprovalRuleTemplateDoesNotExistException",
        format!(
            "The approval rule template {name} does not exist. ListApprovalRuleTemplates names the ones there are."
        ),
    )
}

fn find<'s>(state: &'s mut State, name: &str) -> Result<&'s mut Template, ApiError> {
    state
        .templates
        .iter_mut()
        .find(|t| t.name == name)
        .ok_or_else(|| missing(name))
}

fn answer(t: &Template) -> Value {
    json!({ "approvalRuleTemplate": template_json(t) })
}

/// CreateApprovalRuleTemplate.
pub fn create(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let name = template_name(body, "approvalRuleTemplateName")?.to_string();
    let content = content(body, "approvalRuleTemplateContent")?.to_string();
    let description = description(body)?.unwrap_or_default().to_string();
    ops.pulls().with(|state| {
        if state.templates.iter().any(|t| t.name == name) {
            return Err(ApiError::client(
                "ApprovalRuleTemplateNameAlreadyExistsException",
                format!("An approval rule template named {name} already exists. Choose another name."),
            ));
        }
        if state.templates.len() >= MAX_TEMPLATES {
            return Err(ApiError::client(
                "NumberOfRuleTemplatesExceededException",
                format!("The account has the most approval rule templates it can have here ({MAX_TEMPLATES}). Delete some first."),
            ));
        }
        let now = now_epoch_seconds();
        let template = Template {
            id: new_id(),
            name,
            description,
            content_sha256: sha256_hex(content.as_bytes()),
            content,
            creation_date: now,
            last_modified_date: now,
            last_modified_user: caller.arn.clone(),
            repositories: Vec::new(),
        };
        let out = answer(&template);
        state.templates.push(template);
        state.dirty = true;
        Ok(out)
    })
}

/// GetApprovalRuleTemplate.
pub fn get(ops: &Ops, body: &Value) -> OpResult {
    let name = template_name(body, "approvalRuleTemplateName")?;
    ops.pulls().with(|state| Ok(answer(find(state, name)?)))
}

/// ListApprovalRuleTemplates: names in creation order, paged.
pub fn list(ops: &Ops, body: &Value) -> OpResult {
    let size = max_results(body, "maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "nextToken")?;
    ops.pulls().with(|state| {
        let names: Vec<String> = state.templates.iter().map(|t| t.name.clone()).collect();
        paged("approvalRuleTemplateNames", &names, token, size)
    })
}

fn paged(key: &str, items: &[String], token: Option<&str>, size: usize) -> OpResult {
    let (items, next) = page(items, token, size)?;
    let mut out = json!({ key: items });
    if let Some(next) = next {
        out["nextToken"] = json!(next);
    }
    Ok(out)
}

/// The repository ids of `t` whose repositories still exist.
fn live_repositories(ops: &Ops, t: &Template) -> Vec<String> {
    t.repositories
        .iter()
        .filter_map(|id| ops.store().get_by_id(id).map(|m| m.name))
        .collect()
}

/// DeleteApprovalRuleTemplate: refused while associated; the id of the deleted template
/// (empty when there was none, as AWS answers).
pub fn delete(ops: &Ops, body: &Value) -> OpResult {
    let name = template_name(body, "approvalRuleTemplateName")?;
    ops.pulls().with(|state| {
        let Some(index) = state.templates.iter().position(|t| t.name == name) else {
            return Ok(json!({ "approvalRuleTemplateId": "" }));
        };
        let associated = live_repositories(ops, &state.templates[index]);
        if !associated.is_empty() {
            return Err(ApiError::client(
                "ApprovalRuleTemplateInUseException",
                format!(
                    "The approval rule template {name} is associated with {}. Remove all associations (DisassociateApprovalRuleTemplateFromRepository), and then try again.",
                    associated.join(", ")
                ),
            ));
        }
        let t = state.templates.remove(index);
        state.dirty = true;
        Ok(json!({ "approvalRuleTemplateId": t.id }))
    })
}

/// UpdateApprovalRuleTemplateName.
pub fn update_name(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let old = template_name(body, "oldApprovalRuleTemplateName")?.to_string();
    let new = template_name(body, "newApprovalRuleTemplateName")?.to_string();
    ops.pulls().with(|state| {
        find(state, &old)?;
        if old != new && state.templates.iter().any(|t| t.name == new) {
            return Err(ApiError::client(
                "ApprovalRuleTemplateNameAlreadyExistsException",
                format!(
                    "An approval rule template named {new} already exists. Choose another name."
                ),
            ));
        }
        let t = find(state, &old)?;
        t.name = new;
        t.last_modified_date = now_epoch_seconds();
        t.last_modified_user = caller.arn.clone();
        let out = answer(t);
        state.dirty = true;
        Ok(out)
    })
}

/// UpdateApprovalRuleTemplateDescription.
pub fn update_description(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let name = template_name(body, "approvalRuleTemplateName")?.to_string();
    let Some(description) = description(body)?.map(str::to_string) else {
        return Err(ApiError::client(
            "InvalidApprovalRuleTemplateDescriptionException",
            "A description is required (it may be empty).",
        ));
    };
    ops.pulls().with(|state| {
        let t = find(state, &name)?;
        t.description = description;
        t.last_modified_date = now_epoch_seconds();
        t.last_modified_user = caller.arn.clone();
        let out = answer(t);
        state.dirty = true;
        Ok(out)
    })
}

/// UpdateApprovalRuleTemplateContent (optionally only if the content is still the one read).
/// Rules already made from the template keep their content, as in AWS.
pub fn update_content(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    let name = template_name(body, "approvalRuleTemplateName")?.to_string();
    let content = content(body, "newRuleContent")?.to_string();
    let expected = opt_str(body, "existingRuleContentSha256")?.map(str::to_string);
    ops.pulls().with(|state| {
        let t = find(state, &name)?;
        if expected.as_ref().is_some_and(|e| *e != t.content_sha256) {
            return Err(ApiError::client(
                "InvalidRuleContentSha256Exception",
                "The SHA-256 hash signature for the rule content is not valid: the template changed since you read it. Get it again.",
            ));
        }
        t.content_sha256 = sha256_hex(content.as_bytes());
        t.content = content;
        t.last_modified_date = now_epoch_seconds();
        t.last_modified_user = caller.arn.clone();
        let out = answer(t);
        state.dirty = true;
        Ok(out)
    })
}

/// Associates (`true`) or disassociates `t` and repository `id`; an error code when refused.
fn set_association(
    state: &mut State,
    template: &str,
    id: &str,
    associate: bool,
) -> Result<(), ApiError> {
    let count = state
        .templates
        .iter()
        .filter(|t| t.repositories.iter().any(|r| r == id))
        .count();
    let t = find(state, template)?;
    let has = t.repositories.iter().any(|r| r == id);
    if associate && !has {
        if count >= MAX_PER_REPOSITORY {
            return Err(ApiError::client(
                "MaximumRuleTemplatesAssociatedWithRepositoryException",
                format!(
                    "You cannot associate more than {MAX_PER_REPOSITORY} approval rule templates with a repository. Disassociate one first."
                ),
            ));
        }
        t.repositories.push(id.to_string());
        state.dirty = true;
    } else if !associate && has {
        t.repositories.retain(|r| r != id);
        state.dirty = true;
    }
    Ok(())
}

fn one(ops: &Ops, body: &Value, associate: bool) -> OpResult {
    let template = template_name(body, "approvalRuleTemplateName")?.to_string();
    let name = required_repository_name(body, "repositoryName")?;
    let meta = ops.existing(name)?;
    ops.pulls().with(|state| {
        set_association(state, &template, &meta.id, associate)?;
        Ok(json!({}))
    })
}

/// AssociateApprovalRuleTemplateWithRepository (again: no change).
pub fn associate(ops: &Ops, body: &Value) -> OpResult {
    one(ops, body, true)
}

/// DisassociateApprovalRuleTemplateFromRepository (not associated: no change).
pub fn disassociate(ops: &Ops, body: &Value) -> OpResult {
    one(ops, body, false)
}

fn batch(ops: &Ops, body: &Value, associate: bool) -> OpResult {
    let template = template_name(body, "approvalRuleTemplateName")?.to_string();
    let names: Vec<&str> = match body.get("repositoryNames") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_str().ok_or_else(|| {
                    ApiError::client("SerializationException", "repository names must be strings")
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ApiError::client(
                "RepositoryNamesRequiredException",
                "At least one repository name is required.",
            ));
        }
    };
    if names.len() > MAX_BATCH_NAMES {
        return Err(ApiError::client(
            "MaximumRepositoryNamesExceededException",
            format!(
                "The maximum number of allowed repository names ({MAX_BATCH_NAMES}) was exceeded."
            ),
        ));
    }
    ops.pulls().with(|state| {
        find(state, &template)?;
        let mut done = Vec::new();
        let mut errors = Vec::new();
        for name in &names {
            let result = validate_repository_name(name)
                .and_then(|()| ops.existing(name))
                .and_then(|meta| set_association(state, &template, &meta.id, associate));
            match result {
                Ok(()) => done.push(json!(name)),
                Err(e) => errors.push(json!({
                    "repositoryName": name,
                    "errorCode": e.code,
                    "errorMessage": e.message,
                })),
            }
        }
        let key = if associate {
            "associatedRepositoryNames"
        } else {
            "disassociatedRepositoryNames"
        };
        Ok(json!({ key: done, "errors": errors }))
    })
}

/// BatchAssociateApprovalRuleTemplateWithRepositories: per-repository errors in the answer.
pub fn batch_associate(ops: &Ops, body: &Value) -> OpResult {
    batch(ops, body, true)
}

/// BatchDisassociateApprovalRuleTemplateFromRepositories.
pub fn batch_disassociate(ops: &Ops, body: &Value) -> OpResult {
    batch(ops, body, false)
}

/// ListAssociatedApprovalRuleTemplatesForRepository.
pub fn list_for_repository(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let size = max_results(body, "maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "nextToken")?;
    let meta = ops.existing(name)?;
    ops.pulls().with(|state| {
        let names: Vec<String> = state
            .templates
            .iter()
            .filter(|t| t.repositories.contains(&meta.id))
            .map(|t| t.name.clone())
            .collect();
        paged("approvalRuleTemplateNames", &names, token, size)
    })
}

/// ListRepositoriesForApprovalRuleTemplate.
pub fn list_repositories(ops: &Ops, body: &Value) -> OpResult {
    let name = template_name(body, "approvalRuleTemplateName")?.to_string();
    let size = max_results(body, "maxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "nextToken")?;
    ops.pulls().with(|state| {
        let t = find(state, &name)?;
        let names = live_repositories(ops, t);
        paged("repositoryNames", &names, token, size)
    })
}

/// The rules a new pull request of repository `repository_id` into `destination`
/// (`refs/heads/…`) gets from the associated templates.
pub(crate) fn rules_for(
    state: &State,
    repository_id: &str,
    destination: &str,
) -> Vec<ApprovalRule> {
    let now = now_epoch_seconds();
    state
        .templates
        .iter()
        .filter(|t| t.repositories.iter().any(|r| r == repository_id))
        .filter_map(|t| {
            let (content, destinations) = split_content(&t.content).ok()?;
            if destinations.is_some_and(|d| !d.iter().any(|r| r == destination)) {
                return None;
            }
            Some(ApprovalRule {
                id: new_id(),
                name: t.name.clone(),
                content_sha256: sha256_hex(content.as_bytes()),
                content,
                creation_date: now,
                last_modified_date: now,
                last_modified_user: t.last_modified_user.clone(),
                origin: Some(Origin {
                    id: t.id.clone(),
                    name: t.name.clone(),
                }),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_content_may_name_destination_branches() {
        let (rule, destinations) = split_content(
            r#"{"Version":"2018-11-08","DestinationReferences":["refs/heads/main"],"Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1}]}"#,
        )
        .expect("valid");
        assert_eq!(destinations, Some(vec!["refs/heads/main".to_string()]));
        assert!(!rule.contains("DestinationReferences"));
        assert!(parse_rule_content(&rule).is_ok());
        for bad in [
            r#"{"Version":"2018-11-08","DestinationReferences":["main"],"Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1}]}"#,
            r#"{"Version":"2018-11-08","DestinationReferences":[],"Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1}]}"#,
            r#"{"Version":"2018-11-08","Statements":[]}"#,
            "[]",
        ] {
            assert_eq!(
                split_content(bad).err().map(|e| e.code).as_deref(),
                Some("InvalidApprovalRuleTemplateContentException"),
                "{bad}"
            );
        }
    }
}
