//! Inline user policies (Put/Get/List/DeleteUserPolicy), what they allow
//! ([`Iam::authorize`]), and SimulatePrincipalPolicy.
//!
//! **Users without any policy keep full access.** Real IAM denies everything to a user with
//! no policy; this service gives each configured access key a user the operator never
//! restricted, and every existing setup (the demo's alice and bob, `--user` users, the tests)
//! relies on those users doing everything. So a user is restricted from the moment it has at
//! least one inline policy, and from then on evaluated exactly as IAM evaluates identity
//! policies ([`super::policy`]): explicit deny wins, then allow, else implicit deny.
//! SimulatePrincipalPolicy reports `allowed` for unrestricted users, as the service behaves.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use super::policy::{self, Decision, Evaluation, Policy, Request};
use super::{Iam, UserRecord, no_such_entity, no_such_user, page, users::validate_user_name};
use crate::local::ops::ApiError;
use crate::local::query::{Params, Xml, validation};

/// One inline policy of one user, stored as the document text the caller sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPolicyRecord {
    /// The user it is embedded in.
    pub user_name: String,
    /// Its name (unique per user).
    pub policy_name: String,
    /// The JSON document as given.
    pub document: String,
}

/// What RFC 3986 leaves unencoded; IAM answers policy documents percent-encoded this way.
const DOCUMENT_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// IAM's limit on one user's inline policies together (non-whitespace characters).
const MAX_USER_POLICY_CHARS: usize = 2048;

fn validate_policy_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(validation(
            "PolicyName",
            name,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 128",
        ))
    }
}

impl Iam {
    /// The parsed inline policies of `user_name` (documents were checked when put).
    pub fn policies_of(&self, user_name: &str) -> Vec<(String, Policy)> {
        self.lock()
            .user_policies
            .iter()
            .filter(|p| p.user_name == user_name)
            .filter_map(|p| {
                Policy::parse(&p.document)
                    .ok()
                    .map(|policy| (p.policy_name.clone(), policy))
            })
            .collect()
    }

    /// True when `user_name` has at least one inline policy (is restricted).
    pub fn is_restricted(&self, user_name: &str) -> bool {
        self.lock()
            .user_policies
            .iter()
            .any(|p| p.user_name == user_name)
    }

    /// What `user_name`'s policies decide for `request`; `None` for an unrestricted user
    /// (no policy: full access, see the module docs).
    pub fn authorize(&self, user_name: &str, request: &Request) -> Option<Evaluation> {
        let documents: Vec<UserPolicyRecord> = self
            .lock()
            .user_policies
            .iter()
            .filter(|p| p.user_name == user_name)
            .cloned()
            .collect();
        if documents.is_empty() {
            return None;
        }
        let policies = self.policies_of(user_name);
        if policies.len() != documents.len() {
            // A document that no longer parses (iam.json edited by hand) might have held a
            // Deny: fail closed rather than drop it.
            tracing::error!(
                user = user_name,
                "an inline policy in iam.json does not parse; denying until it is fixed or deleted"
            );
            return Some(Evaluation {
                decision: Decision::ImplicitDeny,
                matched: Vec::new(),
                missing_context: Vec::new(),
            });
        }
        Some(policy::evaluate(&policies, request))
    }

    /// `Ok` when `caller` may run `request`, else AWS's AccessDenied (`code`, status 400 for
    /// the JSON services, 403 for IAM).
    pub fn check(
        &self,
        caller: &UserRecord,
        request: &Request,
        code: &str,
        status: u16,
    ) -> Result<(), ApiError> {
        match self.authorize(&caller.name, request) {
            None => Ok(()),
            Some(evaluation) if evaluation.allowed() => Ok(()),
            Some(evaluation) => Err(ApiError {
                status,
                code: code.into(),
                message: policy::denied_message(
                    &caller.arn(&self.account_id),
                    request,
                    evaluation.decision,
                ),
            }),
        }
    }

    /// The user an IAM policy action names (`UserName`, required), after checking that the
    /// caller may run `iam:<action>` on it.
    fn policy_target(
        &self,
        caller: &UserRecord,
        params: &Params,
        action: &str,
    ) -> Result<UserRecord, ApiError> {
        let name = params.required("UserName")?;
        validate_user_name(name)?;
        self.named_user(name)
            .and_then(|user| self.may_act_on(caller, &user, action).map(|()| user))
    }

    fn named_user(&self, name: &str) -> Result<UserRecord, ApiError> {
        let found = self.lock().users.iter().find(|u| u.name == name).cloned();
        found
            .filter(|u| self.is_current_user(&u.name))
            .ok_or_else(|| no_such_user(name))
    }

    fn may_act_on(
        &self,
        caller: &UserRecord,
        user: &UserRecord,
        action: &str,
    ) -> Result<(), ApiError> {
        let request = Request::new(format!("iam:{action}"), user.arn(&self.account_id));
        self.check(caller, &request, "AccessDenied", 403)
    }

    /// Gives `user_name` the inline policy `name` unless the user already has a policy (the
    /// demo's seed: an operator's later changes are kept). True when it was put.
    pub fn put_policy_if_unrestricted(
        &self,
        user_name: &str,
        name: &str,
        document: &str,
    ) -> Result<bool, ApiError> {
        Policy::parse(document)?;
        self.named_user(user_name)?;
        self.update(|data| {
            if data.user_policies.iter().any(|p| p.user_name == user_name) {
                return Ok(false);
            }
            data.user_policies.push(UserPolicyRecord {
                user_name: user_name.to_string(),
                policy_name: name.to_string(),
                document: document.to_string(),
            });
            Ok(true)
        })
    }

    /// PutUserPolicy: adds or replaces an inline policy.
    pub(crate) fn put_user_policy(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<(), ApiError> {
        let user = self.policy_target(caller, params, "PutUserPolicy")?;
        let name = params.required("PolicyName")?;
        validate_policy_name(name)?;
        let document = params.required("PolicyDocument")?;
        Policy::parse(document)?;
        self.update(|data| {
            data.user_policies
                .retain(|p| !(p.user_name == user.name && p.policy_name == name));
            let total: usize = data
                .user_policies
                .iter()
                .filter(|p| p.user_name == user.name)
                .map(|p| p.document.as_str())
                .chain([document])
                .map(|d| d.chars().filter(|c| !c.is_whitespace()).count())
                .sum();
            if total > MAX_USER_POLICY_CHARS {
                return Err(ApiError {
                    status: 409,
                    code: "LimitExceeded".into(),
                    message: format!(
                        "Maximum policy size of {MAX_USER_POLICY_CHARS} bytes exceeded for user {}",
                        user.name
                    ),
                });
            }
            data.user_policies.push(UserPolicyRecord {
                user_name: user.name.clone(),
                policy_name: name.to_string(),
                document: document.to_string(),
            });
            Ok(())
        })
    }

    fn find_policy(&self, user: &UserRecord, name: &str) -> Result<UserPolicyRecord, ApiError> {
        self.lock()
            .user_policies
            .iter()
            .find(|p| p.user_name == user.name && p.policy_name == name)
            .cloned()
            .ok_or_else(|| {
                no_such_entity(format!("The user policy with name {name} cannot be found."))
            })
    }

    /// GetUserPolicy: the document, percent-encoded as IAM sends it.
    pub(crate) fn get_user_policy(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.policy_target(caller, params, "GetUserPolicy")?;
        let name = params.required("PolicyName")?;
        validate_policy_name(name)?;
        let record = self.find_policy(&user, name)?;
        let mut xml = Xml::new();
        xml.field("UserName", &record.user_name)
            .field("PolicyName", &record.policy_name)
            .field(
                "PolicyDocument",
                &utf8_percent_encode(&record.document, DOCUMENT_ENCODE).to_string(),
            );
        Ok(xml.finish())
    }

    /// ListUserPolicies: the names, sorted, paged.
    pub(crate) fn list_user_policies(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.policy_target(caller, params, "ListUserPolicies")?;
        let mut names: Vec<String> = self
            .lock()
            .user_policies
            .iter()
            .filter(|p| p.user_name == user.name)
            .map(|p| p.policy_name.clone())
            .collect();
        names.sort();
        let (names, next) = page(&names, params)?;
        let mut xml = Xml::new();
        xml.nested("PolicyNames", |x| {
            for name in &names {
                x.field("member", name);
            }
        });
        xml.field("IsTruncated", if next.is_some() { "true" } else { "false" });
        if let Some(marker) = next {
            xml.field("Marker", &marker);
        }
        Ok(xml.finish())
    }

    /// DeleteUserPolicy.
    pub(crate) fn delete_user_policy(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<(), ApiError> {
        let user = self.policy_target(caller, params, "DeleteUserPolicy")?;
        let name = params.required("PolicyName")?;
        validate_policy_name(name)?;
        self.find_policy(&user, name)?;
        self.update(|data| {
            data.user_policies
                .retain(|p| !(p.user_name == user.name && p.policy_name == name));
            Ok(())
        })
    }

    /// SimulatePrincipalPolicy for a user of this service: every action on every resource
    /// (`*` when none is given), with the context entries given.
    pub(crate) fn simulate_principal_policy(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let source = params.required("PolicySourceArn")?;
        let prefix = format!("arn:aws:iam::{}:user/", self.account_id);
        let name = source
            .strip_prefix(&prefix)
            .map(|rest| rest.rsplit('/').next().unwrap_or(rest))
            .ok_or_else(|| {
                ApiError::client(
                    "InvalidInput",
                    format!(
                        "PolicySourceArn {source} is not a user of this service: pass arn:aws:iam::{}:user/<name> (this local service has no groups or roles).",
                        self.account_id
                    ),
                )
            })?;
        let user = self.named_user(name)?;
        // Everyone may simulate themselves (the permissions view needs it); others only with
        // iam:SimulatePrincipalPolicy on that user.
        if user.name != caller.name {
            self.may_act_on(caller, &user, "SimulatePrincipalPolicy")?;
        }
        let actions = members(params, "ActionNames");
        if actions.is_empty() {
            return Err(ApiError::client(
                "MissingParameter",
                "The request must contain the parameter ActionNames.member.1.",
            ));
        }
        let mut resources = members(params, "ResourceArns");
        if resources.is_empty() {
            resources.push("*".to_string());
        }
        let context = context_entries(params)?;
        let mut policies = self.policies_of(&user.name);
        for (index, document) in members(params, "PolicyInputList").iter().enumerate() {
            policies.push((
                format!("PolicyInputList.{}", index + 1),
                Policy::parse(document)?,
            ));
        }
        let restricted = !policies.is_empty();
        let mut xml = Xml::new();
        xml.nested("EvaluationResults", |x| {
            for action in &actions {
                for resource in &resources {
                    let mut request = Request::new(action.as_str(), resource.as_str());
                    request.context = context.clone();
                    let evaluation = if restricted {
                        policy::evaluate(&policies, &request)
                    } else {
                        Evaluation {
                            decision: Decision::Allowed,
                            matched: Vec::new(),
                            missing_context: Vec::new(),
                        }
                    };
                    x.nested("member", |x| write_result(x, action, resource, &evaluation));
                }
            }
        });
        xml.field("IsTruncated", "false");
        Ok(xml.finish())
    }
}

fn write_result(x: &mut Xml, action: &str, resource: &str, evaluation: &Evaluation) {
    x.field("EvalActionName", action)
        .field("EvalResourceName", resource)
        .field("EvalDecision", evaluation.decision.as_str());
    x.nested("MatchedStatements", |x| {
        for matched in &evaluation.matched {
            x.nested("member", |x| {
                x.field("SourcePolicyId", &matched.policy)
                    .field("SourcePolicyType", "IAM Policy");
                let ((line, column), (end_line, end_column)) = matched.span;
                x.nested("StartPosition", |x| {
                    x.field("Line", &line.to_string())
                        .field("Column", &column.to_string());
                });
                x.nested("EndPosition", |x| {
                    x.field("Line", &end_line.to_string())
                        .field("Column", &end_column.to_string());
                });
            });
        }
    });
    x.nested("MissingContextValues", |x| {
        for key in &evaluation.missing_context {
            x.field("member", key);
        }
    });
}

/// `Name.member.1`, `Name.member.2`, … until the first gap.
fn members(params: &Params, name: &str) -> Vec<String> {
    (1..)
        .map_while(|n| {
            params
                .get(&format!("{name}.member.{n}"))
                .map(str::to_string)
        })
        .collect()
}

/// `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`.
fn context_entries(
    params: &Params,
) -> Result<std::collections::BTreeMap<String, Vec<String>>, ApiError> {
    let mut context = std::collections::BTreeMap::new();
    for n in 1.. {
        let base = format!("ContextEntries.member.{n}");
        let Some(key) = params.get(&format!("{base}.ContextKeyName")) else {
            break;
        };
        if let Some(kind) = params.get(&format!("{base}.ContextKeyType")) {
            const TYPES: [&str; 12] = [
                "string",
                "stringList",
                "numeric",
                "numericList",
                "boolean",
                "booleanList",
                "ip",
                "ipList",
                "binary",
                "binaryList",
                "date",
                "dateList",
            ];
            if !TYPES.contains(&kind) {
                return Err(validation(
                    "ContextKeyType",
                    kind,
                    "Member must satisfy enum value set: [string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList]",
                ));
            }
        }
        let values = members(params, &format!("{base}.ContextKeyValues"));
        context.insert(key.to_ascii_lowercase(), values);
    }
    Ok(context)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::HashMap;

    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Params {
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
            .collect();
        Params::parse(body.join("&").as_bytes()).unwrap()
    }

    #[test]
    fn unrestricted_until_a_policy_then_evaluated_and_fail_closed_on_a_bad_document() {
        let dir = tempfile::tempdir().unwrap();
        let owners: HashMap<String, String> = [("K1", "alice"), ("K2", "bob")]
            .iter()
            .map(|(k, u)| (k.to_string(), u.to_string()))
            .collect();
        let iam = Iam::open(dir.path(), "1", owners.clone()).unwrap();
        let alice = iam.owner_of("K1").unwrap();
        let request = Request::new("codecommit:GetRepository", "arn:aws:codecommit:r:1:app");
        assert!(iam.authorize("bob", &request).is_none());
        let document =
            r#"{"Statement":{"Effect":"Allow","Action":"codecommit:Get*","Resource":"*"}}"#;
        iam.dispatch(
            &alice,
            "PutUserPolicy",
            &form(&[
                ("UserName", "bob"),
                ("PolicyName", "read"),
                ("PolicyDocument", document),
            ]),
        )
        .unwrap();
        assert!(iam.authorize("bob", &request).unwrap().allowed());
        let push = Request::new("codecommit:GitPush", "arn:aws:codecommit:r:1:app");
        assert_eq!(
            iam.authorize("bob", &push).unwrap().decision,
            Decision::ImplicitDeny
        );
        drop(iam);
        // Survives a restart; a document broken by hand denies instead of vanishing.
        let iam = Iam::open(dir.path(), "1", owners.clone()).unwrap();
        assert!(iam.authorize("bob", &request).unwrap().allowed());
        drop(iam);
        let path = dir.path().join(crate::local::iam::STATE_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("codecommit:Get*", "no-vendor")).unwrap();
        let iam = Iam::open(dir.path(), "1", owners).unwrap();
        assert_eq!(
            iam.authorize("bob", &request).unwrap().decision,
            Decision::ImplicitDeny
        );
    }
}
