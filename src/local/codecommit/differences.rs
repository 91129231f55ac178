//! GetDifferences and GetBlob, read from the bare repository with git2.
//!
//! GetDifferences compares two trees without rename detection (as CodeCommit does): a moved
//! file is a `D` and an `A`. Paths filter the answer to a file or a folder.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::{OpResult, max_results, required};
use crate::local::ops::{ApiError, Ops, git_error, opt_str, page, required_repository_name};

/// Default page of GetDifferences.
const DEFAULT_PAGE: usize = 100;
/// Largest page of GetDifferences.
const MAX_PAGE: usize = 1000;
/// Largest blob GetBlob answers (AWS refuses larger files with FileTooLargeException).
pub const MAX_BLOB_BYTES: usize = 6 * 1024 * 1024;

/// The commit a specifier (commit id, branch, `refs/…`, `HEAD`) names.
pub(crate) fn resolve_commit<'r>(
    repo: &'r git2::Repository,
    specifier: &str,
) -> Result<git2::Commit<'r>, ApiError> {
    // Revision syntax that searches history or the reflog is not a commit specifier.
    if specifier.starts_with('-') || specifier.contains("@{") || specifier.starts_with(":/") {
        return Err(ApiError::client(
            "InvalidCommitException",
            format!(
                "The specified commit {specifier} is not valid: give a commit ID or a branch name."
            ),
        ));
    }
    let object = repo
        .revparse_single(specifier)
        .or_else(|_| repo.revparse_single(&format!("refs/heads/{specifier}")))
        .map_err(|_| {
            ApiError::client(
                "CommitDoesNotExistException",
                format!("The specified commit {specifier} does not exist."),
            )
        })?;
    object.peel_to_commit().map_err(|_| {
        ApiError::client(
            "InvalidCommitException",
            format!("The specified commit {specifier} is not a commit."),
        )
    })
}

pub(crate) fn validate_path(path: &str) -> Result<String, ApiError> {
    let trimmed = path.trim_matches('/');
    let bad = trimmed
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..");
    if path.is_empty() || bad || path.contains('\0') {
        return Err(ApiError::client(
            "InvalidPathException",
            format!("The specified path {path} is not valid."),
        ));
    }
    Ok(trimmed.to_string())
}

fn within(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn ensure_path(tree: Option<&git2::Tree<'_>>, path: &str) -> Result<(), ApiError> {
    let found = tree.is_some_and(|t| t.get_path(std::path::Path::new(path)).is_ok());
    if found {
        Ok(())
    } else {
        Err(ApiError::client(
            "PathDoesNotExistException",
            format!("The specified path {path} does not exist."),
        ))
    }
}

fn blob(file: &git2::DiffFile<'_>) -> Value {
    let mut m = Map::new();
    m.insert("blobId".into(), json!(file.id().to_string()));
    if let Some(path) = file.path() {
        m.insert("path".into(), json!(path.to_string_lossy()));
    }
    m.insert(
        "mode".into(),
        json!(format!("{:o}", u32::from(file.mode()))),
    );
    Value::Object(m)
}

/// The differences between two trees (`before` absent: everything is added), as AWS's
/// `Difference` shapes, in path order.
pub(crate) fn tree_differences(
    repo: &git2::Repository,
    before: Option<&git2::Tree<'_>>,
    after: &git2::Tree<'_>,
) -> Result<Vec<Value>, ApiError> {
    let mut options = git2::DiffOptions::new();
    options.include_typechange(true);
    let diff = repo
        .diff_tree_to_tree(before, Some(after), Some(&mut options))
        .map_err(git_error)?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let (change, old, new) = match delta.status() {
            git2::Delta::Added => ("A", false, true),
            git2::Delta::Deleted => ("D", true, false),
            _ => ("M", true, true),
        };
        let mut m = Map::new();
        if old {
            m.insert("beforeBlob".into(), blob(&delta.old_file()));
        }
        if new {
            m.insert("afterBlob".into(), blob(&delta.new_file()));
        }
        m.insert("changeType".into(), json!(change));
        out.push(Value::Object(m));
    }
    Ok(out)
}

fn blob_path<'v>(difference: &'v Value, side: &str) -> Option<&'v str> {
    difference.get(side)?.get("path")?.as_str()
}

/// GetDifferences.
pub fn get_differences(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let after_spec = required(body, "afterCommitSpecifier", "CommitRequiredException")?;
    let before_spec = opt_str(body, "beforeCommitSpecifier")?.filter(|s| !s.is_empty());
    let before_path = opt_str(body, "beforePath")?
        .map(validate_path)
        .transpose()?;
    let after_path = opt_str(body, "afterPath")?.map(validate_path).transpose()?;
    let size = max_results(body, "MaxResults", DEFAULT_PAGE, MAX_PAGE)?;
    let token = opt_str(body, "NextToken")?;
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let after = resolve_commit(&repo, after_spec)?
        .tree()
        .map_err(git_error)?;
    let before = before_spec
        .map(|spec| resolve_commit(&repo, spec).and_then(|c| c.tree().map_err(git_error)))
        .transpose()?;
    if let Some(path) = &before_path {
        ensure_path(before.as_ref(), path)?;
    }
    if let Some(path) = &after_path {
        ensure_path(Some(&after), path)?;
    }
    let differences: Vec<Value> = tree_differences(&repo, before.as_ref(), &after)?
        .into_iter()
        .filter(|d| {
            // A change is inside a path when either side of it is.
            let inside = |p: &str| {
                blob_path(d, "beforeBlob").is_some_and(|b| within(b, p))
                    || blob_path(d, "afterBlob").is_some_and(|a| within(a, p))
            };
            before_path.as_deref().is_none_or(inside) && after_path.as_deref().is_none_or(inside)
        })
        .collect();
    let (items, next) = page(&differences, token, size)?;
    let mut out = json!({ "differences": items });
    if let Some(next) = next {
        out["NextToken"] = json!(next);
    }
    Ok(out)
}

/// GetBlob: the content, base64 as JSON 1.1 sends blobs.
pub fn get_blob(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let blob_id = required(body, "blobId", "BlobIdRequiredException")?;
    let meta = ops.existing(name)?;
    let valid = blob_id.len() == 40 && blob_id.bytes().all(|b| b.is_ascii_hexdigit());
    let oid = git2::Oid::from_str(blob_id)
        .ok()
        .filter(|_| valid)
        .ok_or_else(|| {
            ApiError::client(
                "InvalidBlobIdException",
                format!(
                    "The specified blob ID {blob_id} is not valid: use a full 40-character SHA-1."
                ),
            )
        })?;
    let repo = ops.open_git(&meta)?;
    let blob = repo.find_blob(oid).map_err(|_| {
        ApiError::client(
            "BlobIdDoesNotExistException",
            format!("The specified blob {blob_id} does not exist in {name}."),
        )
    })?;
    if blob.size() > MAX_BLOB_BYTES {
        return Err(ApiError::client(
            "FileTooLargeException",
            format!(
                "The blob is larger than {MAX_BLOB_BYTES} bytes; clone the repository to read it."
            ),
        ));
    }
    Ok(json!({ "content": base64::engine::general_purpose::STANDARD.encode(blob.content()) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_without_dot_parts() {
        assert_eq!(validate_path("src/").ok().as_deref(), Some("src"));
        assert_eq!(validate_path("/a.txt").ok().as_deref(), Some("a.txt"));
        for bad in ["", "a/../b", "./a", "a//b"] {
            assert!(validate_path(bad).is_err(), "{bad}");
        }
        assert!(within("src/new.rs", "src"));
        assert!(!within("srcs/new.rs", "src"));
    }
}
