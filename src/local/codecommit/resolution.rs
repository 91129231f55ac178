//! Explicit conflict resolutions (`conflictResolution` of the squash and three-way merges):
//! read and checked the AWS way, then applied to the merged index of an [`Analysis`].
//!
//! `replaceContents` picks a file's version (`KEEP_BASE`, `KEEP_SOURCE`, `KEEP_DESTINATION`:
//! absent on that side means deleted) or gives new content (`USE_NEW_CONTENT`, base64 on the
//! wire); `deleteFiles` removes files; `setFileModes` changes modes afterwards. Entries may
//! also name files that are not in conflict (an edit made with the merge). Whatever conflict
//! neither the strategy nor an entry settles makes the merge ManualMergeRequiredException.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::Value;

use super::conflicts::{Analysis, Entry, Strategy};
use super::differences::validate_path;
use crate::local::ops::{ApiError, git_error, opt_str};

/// Most entries in one resolution.
pub const MAX_ENTRIES: usize = 100;
/// Largest replacement content (the `FileContent` shape).
pub const MAX_CONTENT: usize = 6 * 1024 * 1024;

/// What a `replaceContents` entry keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// The merge base's version.
    KeepBase,
    /// The source's version.
    KeepSource,
    /// The destination's version.
    KeepDestination,
    /// These bytes.
    NewContent(Vec<u8>),
}

/// One `replaceContents` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// The file.
    pub path: String,
    /// Its new version.
    pub replacement: Replacement,
    /// A mode to give it (git mode bits).
    pub mode: Option<u32>,
}

/// A parsed `ConflictResolution`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    /// `replaceContents`.
    pub replace: Vec<Replace>,
    /// `deleteFiles`.
    pub delete: Vec<String>,
    /// `setFileModes`.
    pub modes: Vec<(String, u32)>,
}

fn invalid(why: &str) -> ApiError {
    ApiError::client(
        "InvalidConflictResolutionException",
        format!("The conflict resolution is not valid: {why}."),
    )
}

fn mode(value: Option<&str>) -> Result<Option<u32>, ApiError> {
    match value {
        None => Ok(None),
        Some("NORMAL") => Ok(Some(0o100644)),
        Some("EXECUTABLE") => Ok(Some(0o100755)),
        Some("SYMLINK") => Ok(Some(0o120000)),
        Some(other) => Err(ApiError::client(
            "InvalidFileModeException",
            format!("The file mode {other} is not valid: use NORMAL, EXECUTABLE or SYMLINK."),
        )),
    }
}

fn entries<'b>(body: &'b Value, key: &str) -> Result<&'b [Value], ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => {
            if items.iter().all(Value::is_object) {
                Ok(items)
            } else {
                Err(invalid(&format!("every {key} entry must be an object")))
            }
        }
        Some(_) => Err(invalid(&format!("{key} must be a list"))),
    }
}

fn path_of(entry: &Value) -> Result<String, ApiError> {
    match opt_str(entry, "filePath")? {
        None | Some("") => Err(ApiError::client(
            "PathRequiredException",
            "A file path is required in every conflict resolution entry.",
        )),
        Some(p) => validate_path(p),
    }
}

/// Reads `conflictResolution`; `None` when absent.
pub fn parse(body: &Value) -> Result<Option<Resolution>, ApiError> {
    let value = match body.get("conflictResolution") {
        None | Some(Value::Null) => return Ok(None),
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(invalid("it must be an object")),
    };
    let mut out = Resolution::default();
    for entry in entries(value, "replaceContents")? {
        let path = path_of(entry)?;
        let kind = match opt_str(entry, "replacementType")? {
            None | Some("") => {
                return Err(ApiError::client(
                    "ReplacementTypeRequiredException",
                    format!(
                        "A replacement type is required for {path}: KEEP_BASE, KEEP_SOURCE, KEEP_DESTINATION or USE_NEW_CONTENT."
                    ),
                ));
            }
            Some(k) => k,
        };
        let content = opt_str(entry, "content")?;
        let replacement = match (kind, content) {
            ("USE_NEW_CONTENT", None) => {
                return Err(ApiError::client(
                    "ReplacementContentRequiredException",
                    format!(
                        "USE_NEW_CONTENT was specified for {path}, but no replacement content has been provided."
                    ),
                ));
            }
            ("USE_NEW_CONTENT", Some(text)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|_| {
                        ApiError::client(
                            "InvalidReplacementContentException",
                            format!("The replacement content for {path} is not valid base64."),
                        )
                    })?;
                if bytes.len() > MAX_CONTENT {
                    return Err(ApiError::client(
                        "FileContentSizeLimitExceededException",
                        format!(
                            "The replacement content for {path} is larger than {MAX_CONTENT} bytes."
                        ),
                    ));
                }
                Replacement::NewContent(bytes)
            }
            ("KEEP_BASE" | "KEEP_SOURCE" | "KEEP_DESTINATION", Some(_)) => {
                return Err(ApiError::client(
                    "InvalidReplacementContentException",
                    format!(
                        "Content was given for {path} with {kind}: content goes with USE_NEW_CONTENT only."
                    ),
                ));
            }
            ("KEEP_BASE", None) => Replacement::KeepBase,
            ("KEEP_SOURCE", None) => Replacement::KeepSource,
            ("KEEP_DESTINATION", None) => Replacement::KeepDestination,
            (other, _) => {
                return Err(ApiError::client(
                    "InvalidReplacementTypeException",
                    format!(
                        "The replacement type {other} is not valid: use KEEP_BASE, KEEP_SOURCE, KEEP_DESTINATION or USE_NEW_CONTENT."
                    ),
                ));
            }
        };
        let mode = mode(opt_str(entry, "fileMode")?)?;
        out.replace.push(Replace {
            path,
            replacement,
            mode,
        });
    }
    for entry in entries(value, "deleteFiles")? {
        out.delete.push(path_of(entry)?);
    }
    for entry in entries(value, "setFileModes")? {
        let path = path_of(entry)?;
        let m = match opt_str(entry, "fileMode")? {
            None | Some("") => {
                return Err(ApiError::client(
                    "FileModeRequiredException",
                    format!("A file mode is required to set the mode of {path}."),
                ));
            }
            given => mode(given)?.unwrap_or(0o100644),
        };
        out.modes.push((path, m));
    }
    if out.replace.len() + out.delete.len() + out.modes.len() > MAX_ENTRIES {
        return Err(ApiError::client(
            "MaximumConflictResolutionEntriesExceededException",
            format!("A conflict resolution has at most {MAX_ENTRIES} entries."),
        ));
    }
    let mut seen = BTreeSet::new();
    let contents = out.replace.iter().map(|r| &r.path).chain(&out.delete);
    for path in contents {
        if !seen.insert(path.clone()) {
            return Err(multiple(path));
        }
    }
    let mut seen = BTreeSet::new();
    for (path, _) in &out.modes {
        if !seen.insert(path.clone()) {
            return Err(multiple(path));
        }
    }
    Ok(Some(out))
}

fn multiple(path: &str) -> ApiError {
    ApiError::client(
        "MultipleConflictResolutionEntriesException",
        format!(
            "More than one conflict resolution entry exists for {path}. A file can have only one."
        ),
    )
}

/// The refusal for a merge with conflicts left.
pub fn manual_merge(paths: &[String]) -> ApiError {
    let what = if paths.is_empty() {
        "The destination is not an ancestor of the source, so it cannot be fast-forwarded: choose a squash or three-way merge, or merge locally and push.".to_string()
    } else {
        format!(
            "Files in conflict: {}. Resolve them with conflictResolution, choose a conflict resolution strategy, or merge locally and push.",
            paths.join(", ")
        )
    };
    ApiError::client(
        "ManualMergeRequiredException",
        format!(
            "The pull request cannot be merged automatically into the destination branch. You must manually merge the branches and resolve any conflicts. {what}"
        ),
    )
}

pub(crate) fn put(
    index: &mut git2::Index,
    path: &str,
    entry: Option<Entry>,
) -> Result<(), ApiError> {
    index
        .remove_path(std::path::Path::new(path))
        .map_err(git_error)?;
    if let Some(entry) = entry {
        let bytes = path.as_bytes().to_vec();
        index
            .add(&git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: entry.mode,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: entry.id,
                flags: bytes.len().min(0xfff) as u16,
                flags_extended: 0,
                path: bytes,
            })
            .map_err(git_error)?;
    }
    Ok(())
}

/// The merged tree: git's merge, the strategy, then the explicit entries.
pub fn merged_tree(
    repo: &git2::Repository,
    mut analysis: Analysis,
    resolution: Option<&Resolution>,
) -> Result<git2::Oid, ApiError> {
    let empty = Resolution::default();
    let resolution = resolution.unwrap_or(&empty);
    let named: BTreeSet<&str> = resolution
        .replace
        .iter()
        .map(|r| r.path.as_str())
        .chain(resolution.delete.iter().map(String::as_str))
        .collect();
    let left: Vec<String> = analysis
        .unresolved()
        .iter()
        .filter(|p| !named.contains(p.as_str()))
        .cloned()
        .collect();
    if !left.is_empty() {
        return Err(manual_merge(&left));
    }
    let accept = analysis.settings.strategy;
    if matches!(accept, Strategy::AcceptSource | Strategy::AcceptDestination) {
        for path in analysis.conflicts.clone() {
            if named.contains(path.as_str()) {
                continue;
            }
            let sides = analysis.sides(repo, &path)?;
            let chosen = if accept == Strategy::AcceptSource {
                sides.source
            } else {
                sides.destination
            };
            put(&mut analysis.index, &path, chosen)?;
        }
    }
    for r in &resolution.replace {
        let sides = analysis.sides(repo, &r.path)?;
        let known = sides.source.or(sides.destination).or(sides.base);
        let chosen = match &r.replacement {
            Replacement::KeepBase => sides.base,
            Replacement::KeepSource => sides.source,
            Replacement::KeepDestination => sides.destination,
            Replacement::NewContent(bytes) => Some(Entry {
                id: repo.blob(bytes).map_err(git_error)?,
                mode: known.map_or(0o100644, |e| e.mode),
            }),
        };
        let chosen = chosen.map(|e| Entry {
            mode: r.mode.unwrap_or(e.mode),
            ..e
        });
        put(&mut analysis.index, &r.path, chosen)?;
    }
    for path in &resolution.delete {
        put(&mut analysis.index, path, None)?;
    }
    for (path, mode) in &resolution.modes {
        let Some(current) = analysis.index.get_path(std::path::Path::new(path), 0) else {
            return Err(invalid(&format!(
                "setFileModes names {path}, which is not in the merged result"
            )));
        };
        put(
            &mut analysis.index,
            path,
            Some(Entry {
                id: current.id,
                mode: *mode,
            }),
        )?;
    }
    if analysis.index.has_conflicts() {
        let paths: Vec<String> = analysis
            .index
            .conflicts()
            .map_err(git_error)?
            .filter_map(Result::ok)
            .filter_map(|c| c.our.or(c.their).or(c.ancestor))
            .map(|e| String::from_utf8_lossy(&e.path).into_owned())
            .collect();
        return Err(manual_merge(&paths));
    }
    analysis.index.write_tree_to(repo).map_err(git_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(body: Value) -> Option<String> {
        parse(&json!({ "conflictResolution": body }))
            .err()
            .map(|e| e.code)
    }

    #[test]
    fn resolutions_are_checked_as_aws_names_the_problems() {
        assert_eq!(parse(&json!({})).ok(), Some(None));
        let ok = parse(&json!({ "conflictResolution": {
            "replaceContents": [{ "filePath": "a.txt", "replacementType": "USE_NEW_CONTENT", "content": "aGk=", "fileMode": "EXECUTABLE" }],
            "deleteFiles": [{ "filePath": "b.txt" }],
            "setFileModes": [{ "filePath": "a.txt", "fileMode": "NORMAL" }],
        }}))
        .expect("valid")
        .expect("given");
        assert_eq!(
            ok.replace[0].replacement,
            Replacement::NewContent(b"hi".to_vec())
        );
        for (body, expected) in [
            (json!("x"), "InvalidConflictResolutionException"),
            (
                json!({ "replaceContents": [{ "replacementType": "KEEP_BASE" }] }),
                "PathRequiredException",
            ),
            (
                json!({ "replaceContents": [{ "filePath": "a" }] }),
                "ReplacementTypeRequiredException",
            ),
            (
                json!({ "replaceContents": [{ "filePath": "a", "replacementType": "KEEP_ALL" }] }),
                "InvalidReplacementTypeException",
            ),
            (
                json!({ "replaceContents": [{ "filePath": "a", "replacementType": "USE_NEW_CONTENT" }] }),
                "ReplacementContentRequiredException",
            ),
            (
                json!({ "replaceContents": [{ "filePath": "a", "replacementType": "KEEP_SOURCE", "content": "aGk=" }] }),
                "InvalidReplacementContentException",
            ),
            (
                json!({ "replaceContents": [{ "filePath": "a", "replacementType": "KEEP_SOURCE", "fileMode": "ROOT" }] }),
                "InvalidFileModeException",
            ),
            (
                json!({ "setFileModes": [{ "filePath": "a" }] }),
                "FileModeRequiredException",
            ),
            (
                json!({ "replaceContents": [{ "filePath": "a", "replacementType": "KEEP_SOURCE" }], "deleteFiles": [{ "filePath": "a" }] }),
                "MultipleConflictResolutionEntriesException",
            ),
            (
                json!({ "deleteFiles": [{ "filePath": "a/../b" }] }),
                "InvalidPathException",
            ),
        ] {
            assert_eq!(code(body.clone()).as_deref(), Some(expected), "{body}");
        }
        let many: Vec<Value> = (0..=MAX_ENTRIES)
            .map(|i| json!({ "filePath": format!("f{i}") }))
            .collect();
        assert_eq!(
            code(json!({ "deleteFiles": many })).as_deref(),
            Some("MaximumConflictResolutionEntriesExceededException")
        );
    }
}
