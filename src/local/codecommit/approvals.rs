//! Approvals: approval states per revision, approval rules and their evaluation.
//!
//! An approval belongs to a revision: when the source branch moves, the pull request gets a
//! new revision and needs approving again, as in AWS. A rule's content is the JSON AWS
//! documents (`{"Version":"2018-11-08","Statements":[{"Type":"Approvers",
//! "NumberOfApprovalsNeeded":N,"ApprovalPoolMembers":[…]}]}`); a statement is satisfied by
//! that many approvers of the current revision who match a pool member (anyone, without a
//! pool). Pool members are ARNs with `*` and `?` wildcards, or the short form
//! `CodeCommitApprovers:<account>:<name>` (that IAM user, or a role session of that name).

use serde_json::{Value, json};

use super::pulls::{current, ensure_open, event};
use super::state::{ApprovalRule, PullRequest};
use super::{Caller, OpResult, pull_request_id, required};
use crate::local::ops::{ApiError, Ops, opt_str};
use crate::local::store::{new_id, now_epoch_seconds};
use crate::sigv4::sha256_hex;

/// The only content version AWS defines.
pub const RULE_VERSION: &str = "2018-11-08";
/// Most approval rules per pull request.
pub const MAX_RULES: usize = 25;
/// Most approvals per revision.
pub const MAX_APPROVALS: usize = 200;
/// Longest rule name.
pub const MAX_RULE_NAME: usize = 100;
/// Longest rule content.
pub const MAX_RULE_CONTENT: usize = 3000;

/// The `ApprovalRule` shape.
pub(crate) fn rule_json(rule: &ApprovalRule) -> Value {
    let mut out = json!({
        "approvalRuleId": rule.id,
        "approvalRuleName": rule.name,
        "approvalRuleContent": rule.content,
        "ruleContentSha256": rule.content_sha256,
        "lastModifiedDate": rule.last_modified_date,
        "creationDate": rule.creation_date,
        "lastModifiedUser": rule.last_modified_user,
    });
    if let Some(origin) = &rule.origin {
        out["originApprovalRuleTemplate"] = json!({
            "approvalRuleTemplateId": origin.id,
            "approvalRuleTemplateName": origin.name,
        });
    }
    out
}

/// One `Approvers` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Approvals needed.
    pub needed: u64,
    /// Who counts; empty: anyone.
    pub pool: Vec<String>,
}

fn invalid_content(why: &str) -> ApiError {
    ApiError::client(
        "InvalidApprovalRuleContentException",
        format!(
            "The content of the approval rule is not valid: {why}. Use {{\"Version\":\"{RULE_VERSION}\",\"Statements\":[{{\"Type\":\"Approvers\",\"NumberOfApprovalsNeeded\":1,\"ApprovalPoolMembers\":[\"arn:aws:iam::<account>:user/<name>\"]}}]}}."
        ),
    )
}

/// Parses and checks rule content.
pub fn parse_rule_content(content: &str) -> Result<Vec<Statement>, ApiError> {
    if content.chars().count() > MAX_RULE_CONTENT {
        return Err(invalid_content(&format!(
            "it is longer than {MAX_RULE_CONTENT} characters"
        )));
    }
    let value: Value =
        serde_json::from_str(content).map_err(|e| invalid_content(&format!("not JSON ({e})")))?;
    let object = value
        .as_object()
        .ok_or_else(|| invalid_content("not a JSON object"))?;
    for key in object.keys() {
        match key.as_str() {
            "Version" | "Statements" => {}
            "DestinationReferences" => {
                return Err(invalid_content(
                    "DestinationReferences belongs in approval rule templates, not pull request rules",
                ));
            }
            other => return Err(invalid_content(&format!("unknown field {other}"))),
        }
    }
    if object.get("Version").and_then(Value::as_str) != Some(RULE_VERSION) {
        return Err(invalid_content(&format!("Version must be {RULE_VERSION}")));
    }
    let statements = match object.get("Statements") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(invalid_content("Statements must be a non-empty list")),
    };
    statements
        .iter()
        .map(|s| {
            let s = s
                .as_object()
                .ok_or_else(|| invalid_content("a statement is not an object"))?;
            for key in s.keys() {
                if !matches!(
                    key.as_str(),
                    "Type" | "NumberOfApprovalsNeeded" | "ApprovalPoolMembers"
                ) {
                    return Err(invalid_content(&format!("unknown statement field {key}")));
                }
            }
            if s.get("Type").and_then(Value::as_str) != Some("Approvers") {
                return Err(invalid_content("a statement's Type must be Approvers"));
            }
            let needed = s
                .get("NumberOfApprovalsNeeded")
                .and_then(Value::as_u64)
                .filter(|n| (1..=MAX_APPROVALS as u64).contains(n))
                .ok_or_else(|| {
                    invalid_content(&format!(
                        "NumberOfApprovalsNeeded must be a number from 1 to {MAX_APPROVALS}"
                    ))
                })?;
            let pool = match s.get("ApprovalPoolMembers") {
                None => Vec::new(),
                Some(Value::Array(members)) => members
                    .iter()
                    .map(|m| {
                        m.as_str()
                            .filter(|m| !m.is_empty())
                            .map(str::to_string)
                            .ok_or_else(|| {
                                invalid_content("ApprovalPoolMembers must be non-empty strings")
                            })
                    })
                    .collect::<Result<_, _>>()?,
                Some(_) => return Err(invalid_content("ApprovalPoolMembers must be a list")),
            };
            Ok(Statement { needed, pool })
        })
        .collect()
}

/// Glob match with `*` (any run) and `?` (one character).
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// True when the approver `arn` is in pool member `member`.
pub fn member_matches(member: &str, arn: &str) -> bool {
    if let Some(rest) = member.strip_prefix("CodeCommitApprovers:") {
        let Some((account, name)) = rest.split_once(':') else {
            return false;
        };
        return glob(&format!("arn:aws:iam::{account}:user/{name}"), arn)
            || glob(
                &format!("arn:aws:sts::{account}:assumed-role/*/{name}"),
                arn,
            );
    }
    glob(member, arn)
}

/// True when `approvers` satisfy every statement of `rule`.
pub(crate) fn satisfied(rule: &ApprovalRule, approvers: &[String]) -> bool {
    let Ok(statements) = parse_rule_content(&rule.content) else {
        return false;
    };
    statements.iter().all(|s| {
        let count = approvers
            .iter()
            .filter(|a| s.pool.is_empty() || s.pool.iter().any(|m| member_matches(m, a)))
            .count();
        count as u64 >= s.needed
    })
}

/// True when a merge may go ahead: every rule is satisfied by the current revision's
/// approvals, or the rules of the current revision were overridden.
pub(crate) fn rules_met(pr: &PullRequest) -> bool {
    let approvers = pr
        .approvals
        .get(&pr.revision_id)
        .cloned()
        .unwrap_or_default();
    pr.overrides.contains_key(&pr.revision_id)
        || pr.approval_rules.iter().all(|r| satisfied(r, &approvers))
}

fn revision_given(body: &Value) -> Result<&str, ApiError> {
    let revision = required(body, "revisionId", "RevisionIdRequiredException")?;
    if revision.len() == 64 && revision.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(revision)
    } else {
        Err(ApiError::client(
            "InvalidRevisionIdException",
            format!(
                "The revision ID {revision} is not valid. Use GetPullRequest for the current revision."
            ),
        ))
    }
}

fn ensure_current(pr: &PullRequest, revision: &str) -> Result<(), ApiError> {
    if pr.revision_id == revision {
        Ok(())
    } else if pr.past_revisions.iter().any(|r| r == revision) {
        Err(ApiError::client(
            "RevisionNotCurrentException",
            format!(
                "The revision ID {revision} is not the current revision of pull request {}: the source branch moved. Use GetPullRequest for the current revision.",
                pr.id
            ),
        ))
    } else {
        Err(unknown_revision(pr, revision))
    }
}

/// Refused unless `revision` is the current revision of `pr` or an earlier one (reads of
/// approval and override states may ask about either).
fn ensure_known(pr: &PullRequest, revision: &str) -> Result<(), ApiError> {
    if pr.revision_id == revision || pr.past_revisions.iter().any(|r| r == revision) {
        Ok(())
    } else {
        Err(unknown_revision(pr, revision))
    }
}

fn unknown_revision(pr: &PullRequest, revision: &str) -> ApiError {
    ApiError::client(
        "InvalidRevisionIdException",
        format!(
            "The revision ID {revision} is not a revision of pull request {}.",
            pr.id
        ),
    )
}

/// UpdatePullRequestApprovalState: APPROVE or REVOKE for the current revision.
pub fn update_state(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let revision = revision_given(body)?.to_string();
    let approve = match opt_str(body, "approvalState")? {
        None | Some("") => {
            return Err(ApiError::client(
                "ApprovalStateRequiredException",
                "An approval state is required: APPROVE or REVOKE.",
            ));
        }
        Some("APPROVE") => true,
        Some("REVOKE") => false,
        Some(other) => {
            return Err(ApiError::client(
                "InvalidApprovalStateException",
                format!("The approval state {other} is not valid: use APPROVE or REVOKE."),
            ));
        }
    };
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        ensure_current(pr, &revision)?;
        if approve && pr.author_arn == caller.arn {
            return Err(ApiError::client(
                "PullRequestCannotBeApprovedByAuthorException",
                "The approval cannot be applied because the user approving the pull request matches the user who created the pull request. You cannot approve a pull request that you created.",
            ));
        }
        let approvers = pr.approvals.entry(revision.clone()).or_default();
        let had = approvers.contains(&caller.arn);
        if approve && !had {
            if approvers.len() >= MAX_APPROVALS {
                return Err(ApiError::client(
                    "MaximumNumberOfApprovalsExceededException",
                    format!("The pull request has the most approvals it can have ({MAX_APPROVALS})."),
                ));
            }
            approvers.push(caller.arn.clone());
        } else if !approve {
            approvers.retain(|a| *a != caller.arn);
        }
        let e = event(
            pr,
            "PULL_REQUEST_APPROVAL_STATE_CHANGED",
            &caller.arn,
            "approvalStateChangedEventMetadata",
            json!({ "revisionId": revision, "approvalStatus": if approve { "APPROVE" } else { "REVOKE" } }),
        );
        pr.events.push(e);
        pr.last_activity_date = now_epoch_seconds();
        state.dirty = true;
        Ok(json!({}))
    })
}

/// GetPullRequestApprovalStates: who approved a revision (current or earlier).
pub fn get_states(ops: &Ops, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let revision = revision_given(body)?.to_string();
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_known(pr, &revision)?;
        let approvals: Vec<Value> = pr
            .approvals
            .get(&revision)
            .into_iter()
            .flatten()
            .map(|arn| json!({ "userArn": arn, "approvalState": "APPROVE" }))
            .collect();
        Ok(json!({ "approvals": approvals }))
    })
}

fn rule_name(body: &Value) -> Result<&str, ApiError> {
    let name = required(
        body,
        "approvalRuleName",
        "ApprovalRuleNameRequiredException",
    )?;
    if name.chars().count() > MAX_RULE_NAME {
        return Err(ApiError::client(
            "InvalidApprovalRuleNameException",
            format!("The approval rule name is not valid: at most {MAX_RULE_NAME} characters."),
        ));
    }
    Ok(name)
}

fn rule_content<'b>(body: &'b Value, key: &str) -> Result<&'b str, ApiError> {
    let content = required(body, key, "ApprovalRuleContentRequiredException")?;
    parse_rule_content(content)?;
    Ok(content)
}

fn rule_event(pr: &mut PullRequest, kind: &str, actor: &str, rule: &ApprovalRule) {
    let e = event(
        pr,
        kind,
        actor,
        "approvalRuleEventMetadata",
        json!({
            "approvalRuleName": rule.name,
            "approvalRuleId": rule.id,
            "approvalRuleContent": rule.content,
        }),
    );
    pr.events.push(e);
    pr.last_activity_date = now_epoch_seconds();
}

/// CreatePullRequestApprovalRule.
pub fn create_rule(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let name = rule_name(body)?.to_string();
    let content = rule_content(body, "approvalRuleContent")?.to_string();
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        if pr.approval_rules.iter().any(|r| r.name == name) {
            return Err(ApiError::client(
                "ApprovalRuleNameAlreadyExistsException",
                format!("An approval rule named {name} already exists on pull request {}. Choose another name.", pr.id),
            ));
        }
        if pr.approval_rules.len() >= MAX_RULES {
            return Err(ApiError::client(
                "NumberOfRulesExceededException",
                format!("A pull request has at most {MAX_RULES} approval rules."),
            ));
        }
        let now = now_epoch_seconds();
        let rule = ApprovalRule {
            id: new_id(),
            name,
            content_sha256: sha256_hex(content.as_bytes()),
            content,
            creation_date: now,
            last_modified_date: now,
            last_modified_user: caller.arn.clone(),
            origin: None,
        };
        rule_event(pr, "PULL_REQUEST_APPROVAL_RULE_CREATED", &caller.arn, &rule);
        let answer = json!({ "approvalRule": rule_json(&rule) });
        pr.approval_rules.push(rule);
        state.dirty = true;
        Ok(answer)
    })
}

/// UpdatePullRequestApprovalRuleContent (optionally only if the content is still the one read).
pub fn update_rule_content(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let name = rule_name(body)?.to_string();
    let content = rule_content(body, "newRuleContent")?.to_string();
    let expected = opt_str(body, "existingRuleContentSha256")?.map(str::to_string);
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        let Some(index) = pr.approval_rules.iter().position(|r| r.name == name) else {
            return Err(ApiError::client(
                "ApprovalRuleDoesNotExistException",
                format!("The approval rule {name} does not exist on pull request {}.", pr.id),
            ));
        };
        let rule = &mut pr.approval_rules[index];
        if expected.as_ref().is_some_and(|e| *e != rule.content_sha256) {
            return Err(ApiError::client(
                "InvalidRuleContentSha256Exception",
                "The SHA-256 hash signature for the rule content is not valid: the rule changed since you read it. Get the pull request again.",
            ));
        }
        rule.content_sha256 = sha256_hex(content.as_bytes());
        rule.content = content;
        rule.last_modified_date = now_epoch_seconds();
        rule.last_modified_user = caller.arn.clone();
        let rule = rule.clone();
        rule_event(pr, "PULL_REQUEST_APPROVAL_RULE_UPDATED", &caller.arn, &rule);
        state.dirty = true;
        Ok(json!({ "approvalRule": rule_json(&rule) }))
    })
}

/// DeletePullRequestApprovalRule: the id of the deleted rule (empty if there was none).
pub fn delete_rule(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let name = rule_name(body)?.to_string();
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        let Some(index) = pr.approval_rules.iter().position(|r| r.name == name) else {
            return Ok(json!({ "approvalRuleId": "" }));
        };
        let rule = pr.approval_rules.remove(index);
        rule_event(pr, "PULL_REQUEST_APPROVAL_RULE_DELETED", &caller.arn, &rule);
        state.dirty = true;
        Ok(json!({ "approvalRuleId": rule.id }))
    })
}

/// EvaluatePullRequestApprovalRules for the current revision.
pub fn evaluate(ops: &Ops, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let revision = revision_given(body)?.to_string();
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_current(pr, &revision)?;
        let approvers = pr.approvals.get(&revision).cloned().unwrap_or_default();
        let (yes, no): (Vec<&ApprovalRule>, Vec<&ApprovalRule>) = pr
            .approval_rules
            .iter()
            .partition(|r| satisfied(r, &approvers));
        Ok(json!({ "evaluation": {
            "approved": no.is_empty(),
            "overridden": pr.overrides.contains_key(&revision),
            "approvalRulesSatisfied": yes.iter().map(|r| &r.name).collect::<Vec<_>>(),
            "approvalRulesNotSatisfied": no.iter().map(|r| &r.name).collect::<Vec<_>>(),
        }}))
    })
}

/// OverridePullRequestApprovalRules: sets aside (OVERRIDE) or applies again (REVOKE) every
/// approval rule of the current revision. AWS names no author restriction (unlike approving):
/// who may override is an IAM permission.
pub fn override_rules(ops: &Ops, caller: &Caller, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let revision = revision_given(body)?.to_string();
    let set = match opt_str(body, "overrideStatus")? {
        None | Some("") => {
            return Err(ApiError::client(
                "OverrideStatusRequiredException",
                "An override status is required: OVERRIDE or REVOKE.",
            ));
        }
        Some("OVERRIDE") => true,
        Some("REVOKE") => false,
        Some(other) => {
            return Err(ApiError::client(
                "InvalidOverrideStatusException",
                format!(
                    "The override status {other} is not valid. Valid statuses are OVERRIDE and REVOKE."
                ),
            ));
        }
    };
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_open(pr)?;
        ensure_current(pr, &revision)?;
        if set && pr.overrides.contains_key(&revision) {
            return Err(ApiError::client(
                "OverrideAlreadySetException",
                format!(
                    "The approval rules of pull request {} are already overridden. REVOKE the override first to set it again.",
                    pr.id
                ),
            ));
        }
        if set {
            pr.overrides.insert(revision.clone(), caller.arn.clone());
        } else if pr.overrides.remove(&revision).is_none() {
            // Nothing to revoke: AWS does not store REVOKE, so this changes nothing.
            return Ok(json!({}));
        }
        let e = event(
            pr,
            "PULL_REQUEST_APPROVAL_RULE_OVERRIDDEN",
            &caller.arn,
            "approvalRuleOverriddenEventMetadata",
            json!({ "revisionId": revision, "overrideStatus": if set { "OVERRIDE" } else { "REVOKE" } }),
        );
        pr.events.push(e);
        pr.last_activity_date = now_epoch_seconds();
        state.dirty = true;
        Ok(json!({}))
    })
}

/// GetPullRequestOverrideState for a revision (current or earlier).
pub fn get_override_state(ops: &Ops, body: &Value) -> OpResult {
    pull_request_id(body)?;
    let revision = revision_given(body)?.to_string();
    ops.pulls().with(|state| {
        let pr = current(ops, state, body)?;
        ensure_known(pr, &revision)?;
        Ok(match pr.overrides.get(&revision) {
            Some(arn) => json!({ "overridden": true, "overrider": arn }),
            None => json!({ "overridden": false }),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_content_is_checked_as_aws_documents_it() {
        let ok = r#"{"Version":"2018-11-08","Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":2,"ApprovalPoolMembers":["arn:aws:iam::1:user/*"]}]}"#;
        assert_eq!(
            parse_rule_content(ok).ok(),
            Some(vec![Statement {
                needed: 2,
                pool: vec!["arn:aws:iam::1:user/*".into()]
            }])
        );
        for bad in [
            "not json",
            r#"{"Version":"2020-01-01","Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1}]}"#,
            r#"{"Version":"2018-11-08","Statements":[]}"#,
            r#"{"Version":"2018-11-08","Statements":[{"Type":"Other","NumberOfApprovalsNeeded":1}]}"#,
            r#"{"Version":"2018-11-08","Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":0}]}"#,
            r#"{"Version":"2018-11-08","Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1,"ApprovalPoolMembers":[1]}]}"#,
            r#"{"Version":"2018-11-08","DestinationReferences":["refs/heads/main"],"Statements":[{"Type":"Approvers","NumberOfApprovalsNeeded":1}]}"#,
        ] {
            assert_eq!(
                parse_rule_content(bad).err().map(|e| e.code),
                Some("InvalidApprovalRuleContentException".to_string()),
                "{bad}"
            );
        }
    }

    #[test]
    fn pool_members_match_arns_with_wildcards_and_the_short_form() {
        let bob = "arn:aws:iam::111122223333:user/bob";
        assert!(member_matches("arn:aws:iam::111122223333:user/bob", bob));
        assert!(member_matches("arn:aws:iam::111122223333:user/*", bob));
        assert!(member_matches("arn:aws:iam::111122223333:user/b?b", bob));
        assert!(member_matches("CodeCommitApprovers:111122223333:bob", bob));
        assert!(member_matches(
            "CodeCommitApprovers:111122223333:bob",
            "arn:aws:sts::111122223333:assumed-role/Reviewers/bob"
        ));
        assert!(!member_matches("arn:aws:iam::111122223333:user/alice", bob));
        assert!(!member_matches("arn:aws:iam::999999999999:user/*", bob));
        assert!(!member_matches("CodeCommitApprovers:111122223333:bo", bob));
    }
}
