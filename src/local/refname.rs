//! Branch names as `git check-ref-format --branch` and CodeCommit accept them.
//!
//! Written out rather than delegated to libgit2, whose reference check is git's plain
//! `check-ref-format` (it takes `-x`, `HEAD` and `refs/heads/x`, which `git branch` refuses
//! and which would make confusing or unreachable branches).

/// Longest branch name CodeCommit accepts, in characters.
pub const MAX_BRANCH_NAME: usize = 256;

/// Why a branch name is refused, in words for the error message.
pub fn branch_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.chars().count() > MAX_BRANCH_NAME {
        return Some("it is longer than 256 characters");
    }
    if name.starts_with('-') {
        return Some("it starts with '-'");
    }
    if name == "HEAD" {
        return Some("HEAD is not a branch name");
    }
    if name.starts_with("refs/") {
        return Some("give the branch name without refs/ (refs/heads/ is added for you)");
    }
    if name == "@" {
        return Some("'@' alone is not a branch name");
    }
    if name.ends_with('.') {
        return Some("it ends with '.'");
    }
    if name.contains("..") {
        return Some("it contains '..'");
    }
    if name.contains("@{") {
        return Some("it contains '@{'");
    }
    if name
        .bytes()
        .any(|b| b < 0x20 || b == 0x7f || b" ~^:?*[\\".contains(&b))
    {
        return Some("it contains a space, a control character or one of ~ ^ : ? * [ \\");
    }
    for part in name.split('/') {
        if part.is_empty() {
            return Some("it has an empty part (a leading, trailing or double '/')");
        }
        if part.starts_with('.') {
            return Some("a part starts with '.'");
        }
        if part.ends_with(".lock") {
            return Some("a part ends with '.lock'");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_git_branch_takes_are_accepted() {
        for ok in [
            "main",
            "feature/x",
            "a-b_c.d",
            "x-",
            "@x",
            "ünïcode",
            "release/1.0",
            "HEADS",
            "my-HEAD",
            &"x".repeat(256),
        ] {
            assert_eq!(branch_name_problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn names_git_branch_refuses_are_refused() {
        for bad in [
            "",
            "-x",
            "HEAD",
            "refs/heads/x",
            "@",
            "a..b",
            "a/",
            "/a",
            "a//b",
            ".a",
            "a/.b",
            "a.lock",
            "a.lock/b",
            "a.",
            "a b",
            "a~1",
            "a^",
            "a:b",
            "a?",
            "a*",
            "a[b",
            "a\\b",
            "a@{1}",
            "a\u{7f}",
            "a\tb",
            &"x".repeat(257),
        ] {
            assert!(branch_name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
