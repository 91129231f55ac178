//! Repository identity: the name rules CodeCommit enforces.

/// Why CodeCommit would refuse `name` as a repository name: 1–100 characters of letters, digits,
/// `-`, `_` and `.`, not ending in `.git`, not `.` or `..`.
pub fn check_repository_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("A name is required.".into());
    }
    if name.chars().count() > 100 {
        return Err(format!(
            "At most 100 characters ({} now).",
            name.chars().count()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(format!(
            "`{bad}` is not allowed: use letters, digits, `-`, `_` and `.`."
        ));
    }
    if name.to_ascii_lowercase().ends_with(".git") {
        return Err("A name cannot end in `.git`.".into());
    }
    if name == "." || name == ".." {
        return Err("`.` and `..` are not repository names.".into());
    }
    Ok(())
}
