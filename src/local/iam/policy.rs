//! IAM identity policies: the grammar (`Version`, `Statement` with `Sid`, `Effect`,
//! `Action`/`NotAction`, `Resource`/`NotResource`, `Condition`) and their evaluation for one
//! request, as IAM evaluates identity-based policies of one account:
//!
//! - an explicit `Deny` in any statement that matches wins;
//! - else an `Allow` that matches allows;
//! - else the request is denied implicitly (default deny).
//!
//! Actions match case-insensitively (`codecommit:git*` is `codecommit:GitPush`'s pattern too),
//! resources and string conditions case-sensitively, with `*` (any run) and `?` (one character)
//! wildcards. Condition operators: `StringEquals`, `StringNotEquals`, `StringEqualsIgnoreCase`,
//! `StringNotEqualsIgnoreCase`, `StringLike`, `StringNotLike` (each with its `…IfExists` form),
//! `Null`, and the `ForAnyValue:` / `ForAllValues:` set qualifiers. Several values of one key in
//! a condition are alternatives (OR); several keys, and several operators, all have to hold
//! (AND). A single-valued operator applied to a request key with several values (the refs of
//! one push in `codecommit:References`) holds when one of them does, so CodeCommit's
//! branch-protection policy denies a push when any ref it updates is protected. Condition
//! key names are case-insensitive, as IAM's are.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::local::ops::ApiError;

/// One parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Refuses, whatever else grants.
    Deny,
}

/// Patterns a statement applies to, or (`Not…`) everything but them.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    /// The patterns.
    pub patterns: Vec<String>,
    /// `NotAction` / `NotResource`.
    pub negated: bool,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, when given.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub actions: Patterns,
    /// `Resource` or `NotResource`.
    pub resources: Patterns,
    /// Every condition (all must hold).
    pub conditions: Vec<Condition>,
    /// Where the statement starts and ends in the document text: (line, column), 1-based.
    pub span: ((usize, usize), (usize, usize)),
}

/// String comparison of a condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `StringEquals`.
    Equals,
    /// `StringEqualsIgnoreCase`.
    EqualsIgnoreCase,
    /// `StringLike` (`*`, `?`).
    Like,
    /// `Null`: the key is absent (`true`) or present (`false`).
    Null,
}

/// `ForAnyValue:` / `ForAllValues:` or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    /// A single-valued operator.
    None,
    /// One request value has to match.
    ForAnyValue,
    /// Every request value has to match (true when there is none).
    ForAllValues,
}

/// One key of one condition operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator as written (for messages).
    pub operator: String,
    /// What it compares.
    pub comparison: Comparison,
    /// `StringNot…`.
    pub negated: bool,
    /// `…IfExists`: true when the key is absent from the request.
    pub if_exists: bool,
    /// Set qualifier.
    pub set: SetQualifier,
    /// The context key, lowercased.
    pub key: String,
    /// The context key as the policy spells it (for MissingContextValues).
    pub key_name: String,
    /// The policy's values.
    pub values: Vec<String>,
}

/// What is asked: an action on a resource, with the request's context keys.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `service:Operation`.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// Context keys (lowercased) and their values.
    pub context: BTreeMap<String, Vec<String>>,
}

impl Request {
    /// A request without context keys.
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            resource: resource.into(),
            context: BTreeMap::new(),
        }
    }

    /// Adds a context key with its values.
    pub fn with_context(mut self, key: &str, values: Vec<String>) -> Self {
        self.context.insert(key.to_ascii_lowercase(), values);
        self
    }
}

/// IAM's three decisions (as SimulatePrincipalPolicy spells them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// A statement allows and none denies.
    Allowed,
    /// A statement denies.
    ExplicitDeny,
    /// No statement allows.
    ImplicitDeny,
}

impl Decision {
    /// `allowed`, `explicitDeny`, `implicitDeny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }
}

/// A statement that decided, and the policy it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// Name of the policy.
    pub policy: String,
    /// Index of the statement in the policy.
    pub index: usize,
    /// Its `Sid`.
    pub sid: Option<String>,
    /// Its span in the document.
    pub span: ((usize, usize), (usize, usize)),
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// The statements behind it: the denying ones for an explicit deny, the allowing ones
    /// for an allow, none for an implicit deny.
    pub matched: Vec<Matched>,
    /// Context keys the matching statements' conditions name that the request lacks.
    pub missing_context: Vec<String>,
}

impl Evaluation {
    /// True when allowed.
    pub fn allowed(&self) -> bool {
        self.decision == Decision::Allowed
    }
}

/// `MalformedPolicyDocument` with IAM's code.
fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::client("MalformedPolicyDocument", message)
}

impl Policy {
    /// Parses a policy document; a document IAM would refuse is `MalformedPolicyDocument`.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| malformed(format!("Syntax errors in policy: {e}.")))?;
        let object = value
            .as_object()
            .ok_or_else(|| malformed("The policy must be a JSON object."))?;
        for key in object.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(malformed(format!(
                    "Policy document contains an unknown element: {key}."
                )));
            }
        }
        if let Some(version) = object.get("Version") {
            if !matches!(version.as_str(), Some("2012-10-17" | "2008-10-17")) {
                return Err(malformed(
                    "The policy failed legacy parsing: Version must be 2012-10-17.",
                ));
            }
        }
        let statements = match object.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
            Some(item @ Value::Object(_)) => vec![item],
            _ => return Err(malformed("Missing required field Statement.")),
        };
        if statements.is_empty() {
            return Err(malformed("Missing required field Statement."));
        }
        let spans = statement_spans(text);
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(index, statement)| {
                let span = spans.get(index).copied().unwrap_or(((1, 1), (1, 1)));
                parse_statement(statement, span)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { statements })
    }
}

fn parse_statement(
    value: &Value,
    span: ((usize, usize), (usize, usize)),
) -> Result<Statement, ApiError> {
    let object = value
        .as_object()
        .ok_or_else(|| malformed("Each statement must be a JSON object."))?;
    for key in object.keys() {
        if !matches!(
            key.as_str(),
            "Sid" | "Effect" | "Action" | "NotAction" | "Resource" | "NotResource" | "Condition"
        ) {
            // Principal and NotPrincipal belong to resource-based policies only.
            return Err(malformed(format!(
                "Policy document should not specify a principal or unknown element {key}."
            )));
        }
    }
    let effect = match object.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => return Err(malformed("Effect must be Allow or Deny.")),
    };
    let actions = patterns(object, "Action", "NotAction")?;
    for action in &actions.patterns {
        if action != "*" && !action.contains(':') {
            return Err(malformed(format!(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. ({action})"
            )));
        }
    }
    let resources = patterns(object, "Resource", "NotResource")?;
    let conditions = match object.get("Condition") {
        None => Vec::new(),
        Some(Value::Object(operators)) => {
            let mut out = Vec::new();
            for (operator, keys) in operators {
                out.extend(parse_operator(operator, keys)?);
            }
            out
        }
        Some(_) => return Err(malformed("Condition must be a JSON object.")),
    };
    Ok(Statement {
        sid: object
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_string),
        effect,
        actions,
        resources,
        conditions,
        span,
    })
}

fn patterns(
    object: &serde_json::Map<String, Value>,
    name: &str,
    not_name: &str,
) -> Result<Patterns, ApiError> {
    let (value, negated) = match (object.get(name), object.get(not_name)) {
        (Some(value), None) => (value, false),
        (None, Some(value)) => (value, true),
        (Some(_), Some(_)) => {
            return Err(malformed(format!(
                "A statement cannot have both {name} and {not_name}."
            )));
        }
        (None, None) => {
            return Err(malformed(format!(
                "Policy statement must contain {}.",
                name.to_ascii_lowercase()
            )));
        }
    };
    let patterns = strings(value)
        .ok_or_else(|| malformed(format!("{name} must be a string or a list of strings.")))?;
    if patterns.is_empty() {
        return Err(malformed(format!("{name} must not be empty.")));
    }
    Ok(Patterns { patterns, negated })
}

/// A string or a list of strings (booleans and numbers as IAM reads them, as text).
fn strings(value: &Value) -> Option<Vec<String>> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|s| vec![s]),
    }
}

fn parse_operator(operator: &str, keys: &Value) -> Result<Vec<Condition>, ApiError> {
    let (set, rest) = if let Some(rest) = operator.strip_prefix("ForAnyValue:") {
        (SetQualifier::ForAnyValue, rest)
    } else if let Some(rest) = operator.strip_prefix("ForAllValues:") {
        (SetQualifier::ForAllValues, rest)
    } else {
        (SetQualifier::None, operator)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) if base != "Null" => (base, true),
        _ => (rest, false),
    };
    let (comparison, negated) = match base {
        "StringEquals" => (Comparison::Equals, false),
        "StringNotEquals" => (Comparison::Equals, true),
        "StringEqualsIgnoreCase" => (Comparison::EqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Comparison::EqualsIgnoreCase, true),
        "StringLike" => (Comparison::Like, false),
        "StringNotLike" => (Comparison::Like, true),
        "Null" if set == SetQualifier::None => (Comparison::Null, false),
        _ => {
            return Err(malformed(format!(
                "Condition operator {operator} is not supported by this local service (it evaluates the String… operators, their IfExists forms, ForAnyValue/ForAllValues and Null)."
            )));
        }
    };
    let keys = keys
        .as_object()
        .ok_or_else(|| malformed(format!("Condition {operator} must map keys to values.")))?;
    keys.iter()
        .map(|(key, values)| {
            let values = strings(values).ok_or_else(|| {
                malformed(format!(
                    "Condition {operator} {key}: values must be strings or lists of strings."
                ))
            })?;
            if comparison == Comparison::Null && values.iter().any(|v| v != "true" && v != "false")
            {
                return Err(malformed(format!(
                    "Condition Null {key}: the value must be true or false."
                )));
            }
            Ok(Condition {
                operator: operator.to_string(),
                comparison,
                negated,
                if_exists,
                set,
                key: key.to_ascii_lowercase(),
                key_name: key.clone(),
                values,
            })
        })
        .collect()
}

/// Where each top-level statement object starts and ends, as (line, column) pairs, 1-based:
/// the objects directly inside the `Statement` array (or the single object given instead).
fn statement_spans(text: &str) -> Vec<((usize, usize), (usize, usize))> {
    let Some(key) = text.find("\"Statement\"") else {
        return Vec::new();
    };
    let after_key = key + "\"Statement\"".len();
    let Some(value) = text[after_key..].find(['[', '{']).map(|i| after_key + i) else {
        return Vec::new();
    };
    let single = text[value..].starts_with('{');
    // Depth at which statements open: 1 for the single object, 2 inside the array.
    let level = if single { 1 } else { 2 };
    let mut offsets = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut open = None;
    for (offset, c) in text[value..].char_indices() {
        let offset = value + offset;
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => {
                depth += 1;
                if c == '{' && depth == level {
                    open = Some(offset);
                }
            }
            '}' | ']' => {
                if c == '}' && depth == level {
                    if let Some(from) = open.take() {
                        offsets.push((from, offset));
                    }
                }
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    let position = |offset: usize| {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, column)
    };
    offsets
        .into_iter()
        .map(|(from, to)| (position(from), position(to + 1)))
        .collect()
}

/// `*` and `?` wildcards; `fold`: ASCII case-insensitive.
pub fn wildcard_match(pattern: &str, text: &str, fold: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let same = |a: char, b: char| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Iterative matcher with one backtrack point (the last `*`): linear enough for policies.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && same(p[pi], t[ti]))) {
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

impl Patterns {
    fn matches(&self, value: &str, fold: bool) -> bool {
        let hit = self
            .patterns
            .iter()
            .any(|pattern| wildcard_match(pattern, value, fold));
        hit != self.negated
    }
}

impl Condition {
    fn compare(&self, pattern: &str, value: &str) -> bool {
        match self.comparison {
            Comparison::Equals => pattern == value,
            Comparison::EqualsIgnoreCase => pattern.eq_ignore_ascii_case(value),
            Comparison::Like => wildcard_match(pattern, value, false),
            Comparison::Null => false,
        }
    }

    /// Whether one request value satisfies the operator (negation included).
    fn value_holds(&self, value: &str) -> bool {
        let any = self
            .values
            .iter()
            .any(|pattern| self.compare(pattern, value));
        any != self.negated
    }

    /// Whether the condition holds for the request; `missing` collects absent keys.
    fn holds(&self, context: &BTreeMap<String, Vec<String>>) -> bool {
        let present = context.get(&self.key).filter(|values| !values.is_empty());
        if self.comparison == Comparison::Null {
            let want_absent = self.values.iter().any(|v| v == "true");
            return present.is_none() == want_absent;
        }
        let Some(values) = present else {
            return match self.set {
                SetQualifier::ForAllValues => true,
                SetQualifier::ForAnyValue => false,
                SetQualifier::None => self.if_exists,
            };
        };
        match self.set {
            SetQualifier::ForAllValues => values.iter().all(|v| self.value_holds(v)),
            SetQualifier::ForAnyValue => values.iter().any(|v| self.value_holds(v)),
            // A negated single-valued operator holds when no value matches a policy value;
            // a positive one when one does.
            SetQualifier::None if self.negated => values.iter().all(|v| self.value_holds(v)),
            SetQualifier::None => values.iter().any(|v| self.value_holds(v)),
        }
    }
}

impl Statement {
    /// True when the statement applies to `request` (action, resource and conditions).
    fn applies(&self, request: &Request, missing: &mut Vec<String>) -> bool {
        if !self.actions.matches(&request.action, true)
            || !self.resources.matches(&request.resource, false)
        {
            return false;
        }
        for condition in &self.conditions {
            if !request.context.contains_key(&condition.key)
                && !missing.contains(&condition.key_name)
            {
                missing.push(condition.key_name.clone());
            }
        }
        self.conditions.iter().all(|c| c.holds(&request.context))
    }
}

/// Evaluates `request` against named policies (all of one principal).
pub fn evaluate(policies: &[(String, Policy)], request: &Request) -> Evaluation {
    let mut allows = Vec::new();
    let mut denies = Vec::new();
    let mut missing = Vec::new();
    for (name, policy) in policies {
        for (index, statement) in policy.statements.iter().enumerate() {
            if !statement.applies(request, &mut missing) {
                continue;
            }
            let matched = Matched {
                policy: name.clone(),
                index,
                sid: statement.sid.clone(),
                span: statement.span,
            };
            match statement.effect {
                Effect::Allow => allows.push(matched),
                Effect::Deny => denies.push(matched),
            }
        }
    }
    let (decision, matched) = if !denies.is_empty() {
        (Decision::ExplicitDeny, denies)
    } else if !allows.is_empty() {
        (Decision::Allowed, allows)
    } else {
        (Decision::ImplicitDeny, Vec::new())
    };
    Evaluation {
        decision,
        matched,
        missing_context: missing,
    }
}

/// AWS's AccessDenied message: `User: <arn> is not authorized to perform: <action> on
/// resource: <resource> because no identity-based policy allows the <action> action` (or
/// `with an explicit deny in an identity-based policy`).
pub fn denied_message(principal_arn: &str, request: &Request, decision: Decision) -> String {
    let reason = match decision {
        Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".to_string(),
        _ => format!(
            "because no identity-based policy allows the {} action",
            request.action
        ),
    };
    format!(
        "User: {principal_arn} is not authorized to perform: {} on resource: {} {reason}",
        request.action, request.resource
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const PROTECT: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowAll",
      "Effect": "Allow",
      "Action": "codecommit:*",
      "Resource": "*"
    },
    {
      "Sid": "ProtectMaster",
      "Effect": "Deny",
      "Action": ["codecommit:GitPush", "codecommit:DeleteBranch", "codecommit:PutFile",
                 "codecommit:MergeBranchesBy*", "codecommit:MergePullRequestBy*"],
      "Resource": "arn:aws:codecommit:us-east-1:111122223333:demo-*",
      "Condition": {
        "StringEqualsIfExists": {"codecommit:References": ["refs/heads/master"]},
        "Null": {"codecommit:References": false}
      }
    }
  ]
}"#;

    fn protect() -> Vec<(String, Policy)> {
        vec![("protect".into(), Policy::parse(PROTECT).unwrap())]
    }

    fn push(refs: &[&str]) -> Request {
        let request = Request::new(
            "codecommit:GitPush",
            "arn:aws:codecommit:us-east-1:111122223333:demo-app",
        );
        if refs.is_empty() {
            request
        } else {
            request.with_context(
                "codecommit:References",
                refs.iter().map(|r| r.to_string()).collect(),
            )
        }
    }

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard_match("codecommit:*", "codecommit:GitPush", true));
        assert!(wildcard_match(
            "CodeCommit:git*",
            "codecommit:GitPush",
            true
        ));
        assert!(!wildcard_match(
            "codecommit:Git*",
            "codecommit:gitpush",
            false
        ));
        assert!(wildcard_match(
            "codecommit:Get?epository",
            "codecommit:GetRepository",
            true
        ));
        assert!(!wildcard_match(
            "codecommit:Get?",
            "codecommit:GetRepository",
            true
        ));
        assert!(wildcard_match(
            "arn:*:demo-*",
            "arn:aws:codecommit:r:1:demo-app",
            false
        ));
        assert!(!wildcard_match(
            "arn:*:demo-*",
            "arn:aws:codecommit:r:1:other",
            false
        ));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("a*b*c", "aXbYbc", false));
    }

    #[test]
    fn deny_wins_over_allow_only_when_its_conditions_hold() {
        let policies = protect();
        let master = evaluate(&policies, &push(&["refs/heads/master"]));
        assert_eq!(master.decision, Decision::ExplicitDeny);
        assert_eq!(master.matched[0].sid.as_deref(), Some("ProtectMaster"));
        let feature = evaluate(&policies, &push(&["refs/heads/feature"]));
        assert_eq!(feature.decision, Decision::Allowed);
        // One protected ref among several denies the whole push.
        let both = evaluate(
            &policies,
            &push(&["refs/heads/feature", "refs/heads/master"]),
        );
        assert_eq!(both.decision, Decision::ExplicitDeny);
    }

    #[test]
    fn null_false_needs_the_key_and_if_exists_passes_without_it() {
        // No References at all (e.g. a simulation without context): Null=false fails, so the
        // Deny does not apply and the Allow does; the key is reported missing.
        let none = evaluate(&protect(), &push(&[]));
        assert_eq!(none.decision, Decision::Allowed);
        assert_eq!(
            none.missing_context,
            vec!["codecommit:References".to_string()]
        );
        // IfExists alone (without the Null guard) applies when the key is absent.
        let policy = Policy::parse(
            r#"{"Statement":{"Effect":"Deny","Action":"codecommit:GitPush","Resource":"*",
                "Condition":{"StringEqualsIfExists":{"codecommit:References":"refs/heads/master"}}}}"#,
        )
        .unwrap();
        let policies = vec![("p".to_string(), policy)];
        assert_eq!(
            evaluate(&policies, &push(&[])).decision,
            Decision::ExplicitDeny
        );
        assert_eq!(
            evaluate(&policies, &push(&["refs/heads/x"])).decision,
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn not_action_not_resource_negated_and_set_operators() {
        let policy = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","NotAction":"codecommit:Delete*","NotResource":"arn:aws:codecommit:*:*:secret"},
                {"Effect":"Deny","Action":"codecommit:GitPush","Resource":"*",
                 "Condition":{"ForAnyValue:StringLike":{"codecommit:References":"refs/tags/*"}}},
                {"Effect":"Deny","Action":"codecommit:CreateBranch","Resource":"*",
                 "Condition":{"ForAllValues:StringNotLike":{"codecommit:References":"refs/heads/dev/*"}}}
            ]}"#,
        )
        .unwrap();
        let policies = vec![("p".to_string(), policy)];
        let arn = "arn:aws:codecommit:us-east-1:1:app";
        let decide = |request: Request| evaluate(&policies, &request).decision;
        assert_eq!(
            decide(Request::new("codecommit:GetRepository", arn)),
            Decision::Allowed
        );
        assert_eq!(
            decide(Request::new("codecommit:DeleteRepository", arn)),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decide(Request::new(
                "codecommit:GetRepository",
                "arn:aws:codecommit:us-east-1:1:secret"
            )),
            Decision::ImplicitDeny
        );
        let refs = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            decide(Request::new("codecommit:GitPush", arn).with_context(
                "codecommit:References",
                refs(&["refs/heads/a", "refs/tags/v1"])
            )),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decide(
                Request::new("codecommit:CreateBranch", arn)
                    .with_context("codecommit:References", refs(&["refs/heads/main"]))
            ),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decide(
                Request::new("codecommit:CreateBranch", arn)
                    .with_context("codecommit:References", refs(&["refs/heads/dev/x"]))
            ),
            Decision::Allowed
        );
        // StringNotEquals (single-valued) on a multi-valued key: holds when no value is listed.
        let policy = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*",
                "Condition":{"StringNotEquals":{"codecommit:References":"refs/heads/master"}}}]}"#,
        )
        .unwrap();
        let policies = vec![("q".to_string(), policy)];
        let with = |r: &[&str]| {
            evaluate(
                &policies,
                &Request::new("codecommit:GitPush", arn)
                    .with_context("codecommit:References", refs(r)),
            )
            .decision
        };
        assert_eq!(with(&["refs/heads/a"]), Decision::Allowed);
        assert_eq!(
            with(&["refs/heads/a", "refs/heads/master"]),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn malformed_documents_are_refused_with_iams_code() {
        for text in [
            "{not json",
            r#"{"Statement":[]}"#,
            r#"{"Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"GitPush","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"a":"1"}}}}"#,
            r#"{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        ] {
            let error = Policy::parse(text).unwrap_err();
            assert_eq!(error.code, "MalformedPolicyDocument", "{text}");
        }
    }

    #[test]
    fn statement_positions_are_found() {
        let policy = Policy::parse(PROTECT).unwrap();
        assert_eq!(policy.statements[0].span.0, (4, 5));
        assert_eq!(policy.statements[1].span.0, (10, 5));
        assert!(policy.statements[1].span.1.0 > 10);
    }

    #[test]
    fn the_denial_message_has_aws_shape() {
        let request = push(&["refs/heads/master"]);
        assert_eq!(
            denied_message(
                "arn:aws:iam::1:user/carol",
                &request,
                Decision::ExplicitDeny
            ),
            "User: arn:aws:iam::1:user/carol is not authorized to perform: codecommit:GitPush on resource: arn:aws:codecommit:us-east-1:111122223333:demo-app with an explicit deny in an identity-based policy"
        );
        assert!(
            denied_message("u", &request, Decision::ImplicitDeny)
                .ends_with("because no identity-based policy allows the codecommit:GitPush action")
        );
    }
}
