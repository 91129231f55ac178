//! CodeCommit's input rules, checked live in forms before anything is sent.

use std::collections::BTreeMap;

/// Why a repository name is refused (AWS: 1–100 of `[A-Za-z0-9_.-]`, not ending in `.git`).
pub fn repository_name(name: &str) -> Result<(), String> {
    crate::model::check_repository_name(name)
}

/// Why a description is refused (at most 1,000 characters; `<` and `>` are not HTML-escaped
/// by CodeCommit, so they are allowed, as on AWS).
pub fn description(text: &str) -> Result<(), String> {
    let length = text.chars().count();
    if length > 1000 {
        return Err(format!("At most 1,000 characters ({length} now)."));
    }
    Ok(())
}

/// Parses `key=value` pairs separated by commas; keys 1–128, values ≤ 256, at most 50 tags,
/// no `aws:` prefix (reserved by AWS).
pub fn tags(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut tags = BTreeMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!("`{pair}` is not key=value."));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.chars().count() > 128 {
            return Err(format!("Tag key `{key}` must have 1 to 128 characters."));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!(
                "Tag key `{key}`: the `aws:` prefix is reserved by AWS."
            ));
        }
        if value.chars().count() > 256 {
            return Err(format!(
                "Tag `{key}`: the value is longer than 256 characters."
            ));
        }
        if tags.insert(key.to_string(), value.to_string()).is_some() {
            return Err(format!("Tag key `{key}` appears twice."));
        }
    }
    if tags.len() > 50 {
        return Err(format!("At most 50 tags ({} now).", tags.len()));
    }
    Ok(tags)
}

/// Checks a KMS key reference: empty (AWS-managed key), a key id, an alias or an ARN.
pub fn kms_key(text: &str) -> Result<(), String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    let valid = text.starts_with("alias/")
        || text.starts_with("arn:aws")
        || (text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        || (text.starts_with("mrk-") && text.len() > 4);
    if valid {
        Ok(())
    } else {
        Err("Use a key id, `alias/NAME`, or a key ARN; leave empty for the AWS-managed key.".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_follow_aws_rules() {
        assert!(repository_name("my-repo_1.0").is_ok());
        assert!(repository_name("").is_err());
        assert!(repository_name(&"a".repeat(100)).is_ok());
        assert!(repository_name(&"a".repeat(101)).is_err());
        assert!(
            repository_name("my repo")
                .err()
                .is_some_and(|e| e.contains("` `"))
        );
        assert!(repository_name("tools.git").is_err());
        assert!(repository_name("..").is_err());
        assert!(repository_name("a/b").is_err());
    }

    #[test]
    fn tags_parse_and_explain() {
        let parsed = tags("team=payments, env = prod").unwrap_or_default();
        assert_eq!(parsed.get("env").map(String::as_str), Some("prod"));
        assert!(tags("").is_ok_and(|t| t.is_empty()));
        assert!(tags("team").is_err());
        assert!(tags("aws:x=1").is_err());
        assert!(tags("a=1,a=2").is_err());
    }

    #[test]
    fn descriptions_and_keys() {
        assert!(description(&"x".repeat(1000)).is_ok());
        assert!(description(&"x".repeat(1001)).is_err());
        assert!(kms_key("").is_ok() && kms_key("alias/my-key").is_ok());
        assert!(kms_key("1234abcd-12ab-34cd-56ef-1234567890ab").is_ok());
        assert!(kms_key("nope").is_err());
    }
}
