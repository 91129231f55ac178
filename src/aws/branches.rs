//! Branches of a CodeCommit repository on the server side (ListBranches, GetBranch,
//! CreateBranch, DeleteBranch, UpdateDefaultBranch), mapped into [`ServerBranch`] at the
//! boundary so the rest of the app never sees SDK types.

use aws_sdk_codecommit::Client;
use aws_sdk_codecommit::error::ProvideErrorMetadata;
use futures::{StreamExt, TryStreamExt};

use super::client::Target;
use super::error::AwsError;

/// GetBranch calls in flight at once while listing.
pub const GET_BRANCH_CONCURRENCY: usize = 8;

/// Longest branch name CodeCommit accepts, in characters.
pub const MAX_BRANCH_NAME: usize = 256;

/// Longest part between slashes, in bytes: git stores `refs/heads/<name>` as files, and file
/// names are limited to 255 bytes on common file systems, so a longer part could not be
/// fetched into a clone.
pub const MAX_PART_BYTES: usize = 255;

/// A branch as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerBranch {
    /// Branch name, without `refs/heads/`.
    pub name: String,
    /// Full commit id of the branch's tip.
    pub commit_id: String,
    /// Whether it is the repository's default branch.
    pub default: bool,
}

/// Every branch of `repository`: all ListBranches pages, each branch's tip from GetBranch
/// ([`GET_BRANCH_CONCURRENCY`] at a time). A branch deleted between the listing and its
/// GetBranch is left out. Sorted with the default branch (`default_branch`, as GetRepository
/// reported it) first, then by name.
pub async fn list_branches(
    client: &Client,
    target: &Target,
    repository: &str,
    default_branch: Option<&str>,
) -> Result<Vec<ServerBranch>, AwsError> {
    let mut names = Vec::new();
    let mut pages = client
        .list_branches()
        .repository_name(repository)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk(e, "ListBranches", target))?;
        names.extend(page.branches().iter().cloned());
    }
    names.sort();
    names.dedup();

    let mut branches: Vec<ServerBranch> = futures::stream::iter(names)
        .map(|name| async move {
            let tip = branch_tip(client, target, repository, &name).await?;
            Ok::<_, AwsError>(tip.map(|commit_id| (name, commit_id)))
        })
        .buffered(GET_BRANCH_CONCURRENCY)
        .try_filter_map(|found| futures::future::ready(Ok(found)))
        .map_ok(|(name, commit_id)| ServerBranch {
            default: default_branch == Some(name.as_str()),
            name,
            commit_id,
        })
        .try_collect()
        .await?;
    branches.sort_by(|a, b| b.default.cmp(&a.default).then_with(|| a.name.cmp(&b.name)));
    Ok(branches)
}

/// GetBranch: the commit id at the tip of branch `name`, `None` when there is no such branch
/// (`BranchDoesNotExistException`).
pub async fn branch_tip(
    client: &Client,
    target: &Target,
    repository: &str,
    name: &str,
) -> Result<Option<String>, AwsError> {
    let result = client
        .get_branch()
        .repository_name(repository)
        .branch_name(name)
        .send()
        .await;
    match result {
        Ok(output) => Ok(Some(
            output
                .branch()
                .and_then(|b| b.commit_id())
                .unwrap_or_default()
                .to_string(),
        )),
        Err(e) if e.code() == Some("BranchDoesNotExistException") => Ok(None),
        Err(e) => Err(AwsError::from_sdk(e, "GetBranch", target)),
    }
}

/// CreateBranch: a new branch `name` at `commit_id` (a full 40-character commit id).
pub async fn create_branch(
    client: &Client,
    target: &Target,
    repository: &str,
    name: &str,
    commit_id: &str,
) -> Result<(), AwsError> {
    client
        .create_branch()
        .repository_name(repository)
        .branch_name(name)
        .commit_id(commit_id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "CreateBranch", target))?;
    Ok(())
}

/// DeleteBranch; returns the commit id the branch pointed at, or `None` when there was no
/// such branch (AWS answers that with success and no `deletedBranch`). The default branch
/// cannot be deleted (`DefaultBranchCannotBeDeletedException`).
pub async fn delete_branch(
    client: &Client,
    target: &Target,
    repository: &str,
    name: &str,
) -> Result<Option<String>, AwsError> {
    let output = client
        .delete_branch()
        .repository_name(repository)
        .branch_name(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "DeleteBranch", target))?;
    Ok(output
        .deleted_branch()
        .and_then(|b| b.commit_id())
        .filter(|id| !id.is_empty())
        .map(str::to_string))
}

/// UpdateDefaultBranch: makes the existing branch `name` the default.
pub async fn set_default_branch(
    client: &Client,
    target: &Target,
    repository: &str,
    name: &str,
) -> Result<(), AwsError> {
    client
        .update_default_branch()
        .repository_name(repository)
        .default_branch_name(name)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "UpdateDefaultBranch", target))?;
    Ok(())
}

/// Why a branch name is refused: CodeCommit's limit (1–256 characters), no name of 40
/// hexadecimal digits (it would read as a commit id), and git's rules for `refs/heads/<name>`
/// (`git check-ref-format --branch`), so the branch also works with the git CLI, plus at most
/// [`MAX_PART_BYTES`] bytes between slashes so a clone can store it.
pub fn validate_server_branch_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("A branch name is required.".into());
    }
    let length = name.chars().count();
    if length > MAX_BRANCH_NAME {
        return Err(format!(
            "At most {MAX_BRANCH_NAME} characters ({length} now)."
        ));
    }
    if name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("40 hexadecimal digits read as a commit id: choose another name.".into());
    }
    if let Some(bad) = name.chars().find(|c| c.is_control()) {
        return Err(format!(
            "Control characters are not allowed (found U+{:04X}).",
            u32::from(bad)
        ));
    }
    if name.contains(' ') {
        return Err("Spaces are not allowed.".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| matches!(c, '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
    {
        return Err(format!("`{bad}` is not allowed in a branch name."));
    }
    if name == "@" {
        return Err("`@` alone is not a branch name.".into());
    }
    if name == "HEAD" {
        return Err("`HEAD` is not a branch name.".into());
    }
    if name.starts_with('-') {
        return Err("A branch name cannot start with `-`.".into());
    }
    if name.contains("@{") {
        return Err("`@{` is not allowed in a branch name.".into());
    }
    if name.contains("..") {
        return Err("`..` is not allowed in a branch name.".into());
    }
    if name.starts_with('/') || name.ends_with('/') {
        return Err("A branch name cannot start or end with `/`.".into());
    }
    if name.contains("//") {
        return Err("`//` is not allowed: each part between slashes needs a name.".into());
    }
    if name.ends_with('.') {
        return Err("A branch name cannot end with `.`.".into());
    }
    for part in name.split('/') {
        if part.starts_with('.') {
            return Err(format!("`{part}`: a part cannot start with `.`."));
        }
        if part.ends_with(".lock") {
            return Err(format!("`{part}`: a part cannot end with `.lock`."));
        }
        if part.len() > MAX_PART_BYTES {
            return Err(format!(
                "Each part between slashes can be at most {MAX_PART_BYTES} bytes ({} now): git keeps a branch as a file.",
                part.len()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names_pass() {
        for name in [
            "main",
            "feature/login",
            "release-1.2",
            "fix_bug#12",
            "user@host",
            "a/b/c",
            "é-branch",
            "0123456789abcdef0123456789abcdef0123456", // 39 hex digits
            "0123456789abcdef0123456789abcdef012345678", // 41
            "g123456789abcdef0123456789abcdef01234567", // 40, not all hex
        ] {
            assert_eq!(validate_server_branch_name(name), Ok(()), "{name}");
        }
        let long = format!("{}/{}", "b".repeat(128), "c".repeat(127));
        assert_eq!(long.chars().count(), 256);
        assert_eq!(validate_server_branch_name(&long), Ok(()));
        assert_eq!(validate_server_branch_name(&"a".repeat(255)), Ok(()));
    }

    #[test]
    fn bad_names_have_reasons() {
        for (name, words) in [
            ("", "required"),
            ("0123456789abcdef0123456789ABCDEF01234567", "commit id"),
            ("has space", "Spaces"),
            ("tab\there", "Control"),
            ("a~1", "`~`"),
            ("a^", "`^`"),
            ("a:b", "`:`"),
            ("a?", "`?`"),
            ("a*", "`*`"),
            ("a[b", "`[`"),
            ("a\\b", "`\\`"),
            ("@", "`@` alone"),
            ("HEAD", "HEAD"),
            ("-x", "`-`"),
            ("a@{1}", "`@{`"),
            ("a..b", "`..`"),
            ("/a", "`/`"),
            ("a/", "`/`"),
            ("a//b", "`//`"),
            ("a.", "end with `.`"),
            (".hidden", "start with `.`"),
            ("a/.b", "start with `.`"),
            ("x.lock", "`.lock`"),
            ("x.lock/y", "`.lock`"),
        ] {
            let reason = validate_server_branch_name(name).expect_err(name);
            assert!(reason.contains(words), "{name}: {reason}");
        }
        let reason = validate_server_branch_name(&"é".repeat(257)).expect_err("long");
        assert!(reason.contains("257"), "{reason}");
        let reason = validate_server_branch_name(&"a".repeat(256)).expect_err("part");
        assert!(reason.contains("255 bytes (256 now)"), "{reason}");
        let reason = validate_server_branch_name(&"é".repeat(128)).expect_err("part");
        assert!(reason.contains("256 now"), "{reason}");
    }

    /// Whatever passes here is also a valid `refs/heads/<name>` for libgit2.
    #[test]
    fn accepted_names_are_valid_git_references() {
        let parts = [
            "a", ".", "..", "/", "@", "{", "-", "lock", ".lock", "é", "x", "1", "_", "#",
        ];
        let mut count = 0;
        for a in parts {
            for b in parts {
                for c in parts {
                    let name = format!("{a}{b}{c}");
                    if validate_server_branch_name(&name).is_ok() {
                        count += 1;
                        assert!(
                            git2::Reference::is_valid_name(&format!("refs/heads/{name}")),
                            "{name} accepted but git refuses it"
                        );
                    }
                }
            }
        }
        assert!(count > 100, "only {count} names accepted");
    }
}
