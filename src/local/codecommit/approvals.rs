//! Approvals: states per revision, approval rules and their evaluation.

use serde_json::{Value, json};

use super::state::ApprovalRule;

/// The `ApprovalRule` shape.
pub(crate) fn rule_json(rule: &ApprovalRule) -> Value {
    json!({
        "approvalRuleId": rule.id,
        "approvalRuleName": rule.name,
        "approvalRuleContent": rule.content,
        "ruleContentSha256": rule.content_sha256,
        "lastModifiedDate": rule.last_modified_date,
        "creationDate": rule.creation_date,
        "lastModifiedUser": rule.last_modified_user,
    })
}
