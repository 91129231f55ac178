//! What merging two commits would conflict on: GetMergeConflicts and DescribeMergeConflicts,
//! and the analysis every merge (pull request or branches) starts from.
//!
//! As CodeCommit defines them:
//! - `FILE_LEVEL` (the default): a file changed differently on both sides is a conflict, even
//!   when the changes are on different lines;
//! - `LINE_LEVEL`, or the `AUTOMERGE` strategy: only what git cannot merge line-wise is;
//! - `ACCEPT_SOURCE` / `ACCEPT_DESTINATION` settle every conflicting file with that side's
//!   version of the whole file, so nothing is left to resolve.
//!
//! No rename detection (a moved file is a delete and an add), as in GetDifferences. Hunk line
//! numbers are 0-based with an exclusive end (`startLine` 0, `endLine` 3: the first three
//! lines), as in AWS's documented example.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value, json};

use super::differences::resolve_commit;
use super::hunks::{hunks, lines};
use super::{OpResult, required};
use crate::local::ops::{ApiError, Ops, git_error, opt_str, page, required_repository_name};

/// Default and largest `maxConflictFiles` / `maxMergeHunks`.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// `mergeOption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOption {
    /// `FAST_FORWARD_MERGE`.
    FastForward,
    /// `SQUASH_MERGE`.
    Squash,
    /// `THREE_WAY_MERGE`.
    ThreeWay,
}

impl MergeOption {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Self::FastForward => "FAST_FORWARD_MERGE",
            Self::Squash => "SQUASH_MERGE",
            Self::ThreeWay => "THREE_WAY_MERGE",
        }
    }
}

/// `conflictDetailLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// `FILE_LEVEL`.
    File,
    /// `LINE_LEVEL`.
    Line,
}

/// `conflictResolutionStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// `NONE`.
    None,
    /// `ACCEPT_SOURCE`.
    AcceptSource,
    /// `ACCEPT_DESTINATION`.
    AcceptDestination,
    /// `AUTOMERGE`.
    Automerge,
}

/// How conflicts are found and settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Detail level.
    pub detail: Detail,
    /// Strategy.
    pub strategy: Strategy,
}

/// Reads `conflictDetailLevel` and `conflictResolutionStrategy`.
pub fn settings(body: &Value) -> Result<Settings, ApiError> {
    let detail = match opt_str(body, "conflictDetailLevel")? {
        None | Some("FILE_LEVEL") => Detail::File,
        Some("LINE_LEVEL") => Detail::Line,
        Some(other) => {
            return Err(ApiError::client(
                "InvalidConflictDetailLevelException",
                format!(
                    "The conflict detail level {other} is not valid: use FILE_LEVEL or LINE_LEVEL."
                ),
            ));
        }
    };
    let strategy = match opt_str(body, "conflictResolutionStrategy")? {
        None | Some("NONE") => Strategy::None,
        Some("ACCEPT_SOURCE") => Strategy::AcceptSource,
        Some("ACCEPT_DESTINATION") => Strategy::AcceptDestination,
        Some("AUTOMERGE") => Strategy::Automerge,
        Some(other) => {
            return Err(ApiError::client(
                "InvalidConflictResolutionStrategyException",
                format!(
                    "The conflict resolution strategy {other} is not valid: use NONE, ACCEPT_SOURCE, ACCEPT_DESTINATION or AUTOMERGE."
                ),
            ));
        }
    };
    Ok(Settings { detail, strategy })
}

/// Reads the required `mergeOption`.
pub fn merge_option(body: &Value) -> Result<MergeOption, ApiError> {
    match opt_str(body, "mergeOption")? {
        None | Some("") => Err(ApiError::client(
            "MergeOptionRequiredException",
            "A merge option is required: FAST_FORWARD_MERGE, SQUASH_MERGE or THREE_WAY_MERGE.",
        )),
        Some("FAST_FORWARD_MERGE") => Ok(MergeOption::FastForward),
        Some("SQUASH_MERGE") => Ok(MergeOption::Squash),
        Some("THREE_WAY_MERGE") => Ok(MergeOption::ThreeWay),
        Some(other) => Err(ApiError::client(
            "InvalidMergeOptionException",
            format!(
                "The merge option {other} is not valid: use FAST_FORWARD_MERGE, SQUASH_MERGE or THREE_WAY_MERGE."
            ),
        )),
    }
}

/// One tree entry of a file on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Blob (or commit, for a submodule) id.
    pub id: git2::Oid,
    /// Git file mode.
    pub mode: u32,
}

/// A file's entry in the base, the source and the destination (`None`: absent there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sides {
    /// In the merge base.
    pub base: Option<Entry>,
    /// In the source.
    pub source: Option<Entry>,
    /// In the destination.
    pub destination: Option<Entry>,
}

/// What a merge of `source` into `destination` meets.
pub struct Analysis {
    /// The merge base, if the histories meet.
    pub base: Option<git2::Oid>,
    /// The source commit.
    pub source: git2::Oid,
    /// The destination commit.
    pub destination: git2::Oid,
    /// Files changed on both sides, by path.
    pub both_changed: BTreeMap<String, Sides>,
    /// Paths in conflict under the settings before any resolution, in path order.
    pub conflicts: Vec<String>,
    /// Git's line-wise merge (clean entries, and conflict stages for what it could not merge).
    pub index: git2::Index,
    /// The settings it was made with.
    pub settings: Settings,
}

fn entry_of(entry: &git2::TreeEntry<'_>) -> Entry {
    Entry {
        id: entry.id(),
        mode: entry.filemode() as u32,
    }
}

/// The entry at `path` in `tree`, if it is not a folder.
fn entry_at(tree: Option<&git2::Tree<'_>>, path: &str) -> Option<Entry> {
    let entry = tree?.get_path(std::path::Path::new(path)).ok()?;
    (entry.kind() != Some(git2::ObjectType::Tree)).then(|| entry_of(&entry))
}

/// Paths a diff from `before` to `after` touches (files, not folders).
fn changed_paths(
    repo: &git2::Repository,
    before: Option<&git2::Tree<'_>>,
    after: &git2::Tree<'_>,
) -> Result<Vec<String>, ApiError> {
    let mut options = git2::DiffOptions::new();
    options.include_typechange(true);
    let diff = repo
        .diff_tree_to_tree(before, Some(after), Some(&mut options))
        .map_err(git_error)?;
    Ok(diff
        .deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .map(|p| p.to_string_lossy().into_owned())
        })
        .collect())
}

/// Analyses the merge of `source` into `destination`.
pub fn analyse(
    repo: &git2::Repository,
    destination: &git2::Commit<'_>,
    source: &git2::Commit<'_>,
    settings: Settings,
) -> Result<Analysis, ApiError> {
    let base = repo.merge_base(source.id(), destination.id()).ok();
    let base_tree = base
        .map(|b| repo.find_commit(b).and_then(|c| c.tree()))
        .transpose()
        .map_err(git_error)?;
    let source_tree = source.tree().map_err(git_error)?;
    let destination_tree = destination.tree().map_err(git_error)?;
    let from_source = changed_paths(repo, base_tree.as_ref(), &source_tree)?;
    let from_destination: std::collections::BTreeSet<String> =
        changed_paths(repo, base_tree.as_ref(), &destination_tree)?
            .into_iter()
            .collect();
    let mut both_changed = BTreeMap::new();
    for path in from_source {
        if !from_destination.contains(&path) {
            continue;
        }
        let sides = Sides {
            base: entry_at(base_tree.as_ref(), &path),
            source: entry_at(Some(&source_tree), &path),
            destination: entry_at(Some(&destination_tree), &path),
        };
        // The same change on both sides is no conflict.
        if sides.source != sides.destination {
            both_changed.insert(path, sides);
        }
    }
    let mut options = git2::MergeOptions::new();
    options.find_renames(false);
    let ancestor = match &base_tree {
        Some(t) => t.clone(),
        None => repo.find_tree(empty_tree(repo)?).map_err(git_error)?,
    };
    let index = repo
        .merge_trees(&ancestor, &destination_tree, &source_tree, Some(&options))
        .map_err(git_error)?;
    let line_conflicts: std::collections::BTreeSet<String> = index
        .conflicts()
        .map_err(git_error)?
        .filter_map(Result::ok)
        .filter_map(|c| {
            c.our
                .or(c.their)
                .or(c.ancestor)
                .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        })
        .collect();
    let line_wise = settings.detail == Detail::Line || settings.strategy == Strategy::Automerge;
    let conflicts = both_changed
        .keys()
        .filter(|p| !line_wise || line_conflicts.contains(*p))
        .cloned()
        .chain(
            // Conflicts git sees that the path lists miss (a file against a folder).
            line_conflicts
                .iter()
                .filter(|p| !both_changed.contains_key(*p))
                .cloned(),
        )
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(Analysis {
        base,
        source: source.id(),
        destination: destination.id(),
        both_changed,
        conflicts,
        index,
        settings,
    })
}

fn empty_tree(repo: &git2::Repository) -> Result<git2::Oid, ApiError> {
    repo.treebuilder(None)
        .and_then(|b| b.write())
        .map_err(git_error)
}

impl Analysis {
    /// The conflicts the strategy leaves for explicit resolutions.
    pub fn unresolved(&self) -> &[String] {
        match self.settings.strategy {
            Strategy::AcceptSource | Strategy::AcceptDestination => &[],
            Strategy::None | Strategy::Automerge => &self.conflicts,
        }
    }

    /// The sides of `path` (also for files that changed on one side only).
    pub fn sides(&self, repo: &git2::Repository, path: &str) -> Result<Sides, ApiError> {
        if let Some(sides) = self.both_changed.get(path) {
            return Ok(*sides);
        }
        let tree = |id: Option<git2::Oid>| -> Result<Option<git2::Tree<'_>>, ApiError> {
            id.map(|id| repo.find_commit(id).and_then(|c| c.tree()))
                .transpose()
                .map_err(git_error)
        };
        let base = tree(self.base)?;
        let source = tree(Some(self.source))?;
        let destination = tree(Some(self.destination))?;
        Ok(Sides {
            base: entry_at(base.as_ref(), path),
            source: entry_at(source.as_ref(), path),
            destination: entry_at(destination.as_ref(), path),
        })
    }
}

fn mode_name(mode: u32) -> Option<&'static str> {
    match mode {
        0o100644 => Some("NORMAL"),
        0o100755 => Some("EXECUTABLE"),
        0o120000 => Some("SYMLINK"),
        _ => None,
    }
}

fn object_type(mode: u32) -> &'static str {
    match mode {
        0o120000 => "SYMBOLIC_LINK",
        0o160000 => "GIT_LINK",
        0o040000 => "DIRECTORY",
        _ => "FILE",
    }
}

fn is_file(entry: Option<Entry>) -> bool {
    entry.is_some_and(|e| matches!(e.mode, 0o100644 | 0o100755))
}

/// The bytes of a file entry (`None` for a submodule or an unreadable object).
pub(crate) fn content(repo: &git2::Repository, entry: Option<Entry>) -> Option<Vec<u8>> {
    let entry = entry?;
    repo.find_blob(entry.id).ok().map(|b| b.content().to_vec())
}

fn detail(lines: &[&[u8]], range: (usize, usize)) -> Value {
    let text: Vec<u8> = lines.get(range.0..range.1).unwrap_or_default().concat();
    json!({
        "startLine": range.0,
        "endLine": range.1,
        "hunkContent": base64::engine::general_purpose::STANDARD.encode(text),
    })
}

/// The `MergeHunk` shapes of a file.
fn merge_hunks(repo: &git2::Repository, sides: &Sides) -> Result<Vec<Value>, ApiError> {
    if !is_file(sides.source) || !is_file(sides.destination) {
        return Ok(Vec::new());
    }
    let base = content(repo, sides.base).unwrap_or_default();
    let source = content(repo, sides.source).unwrap_or_default();
    let destination = content(repo, sides.destination).unwrap_or_default();
    let (b, s, d) = (lines(&base), lines(&source), lines(&destination));
    Ok(hunks(&base, &source, &destination)?
        .into_iter()
        .map(|h| {
            json!({
                "isConflict": h.conflict,
                "source": detail(&s, h.source),
                "destination": detail(&d, h.destination),
                "base": detail(&b, h.base),
            })
        })
        .collect())
}

fn operation(base: Option<Entry>, side: Option<Entry>) -> Option<&'static str> {
    match (base, side) {
        (None, Some(_)) => Some("A"),
        (Some(_), None) => Some("D"),
        (Some(b), Some(s)) if b != s => Some("M"),
        _ => None,
    }
}

/// The `ConflictMetadata` shape of `path`.
pub fn metadata(
    repo: &git2::Repository,
    analysis: &Analysis,
    path: &str,
    sides: &Sides,
) -> Result<Value, ApiError> {
    let triple = |f: &dyn Fn(Entry) -> Option<Value>| {
        let mut m = Map::new();
        for (key, entry) in [
            ("source", sides.source),
            ("destination", sides.destination),
            ("base", sides.base),
        ] {
            if let Some(v) = entry.and_then(f) {
                m.insert(key.into(), v);
            }
        }
        Value::Object(m)
    };
    let blob = |e: Entry| repo.find_blob(e.id).ok();
    let in_conflict = analysis.conflicts.iter().any(|p| p == path);
    let number = if in_conflict {
        merge_hunks(repo, sides)?
            .iter()
            .filter(|h| h["isConflict"] == true)
            .count()
            .max(1)
    } else {
        0
    };
    let mut operations = Map::new();
    if let Some(op) = operation(sides.base, sides.source) {
        operations.insert("source".into(), json!(op));
    }
    if let Some(op) = operation(sides.base, sides.destination) {
        operations.insert("destination".into(), json!(op));
    }
    let (s, d) = (sides.source, sides.destination);
    let content_conflict = in_conflict
        && is_file(s)
        && is_file(d)
        && s.map(|e| e.id) != d.map(|e| e.id)
        && sides.base.map(|e| e.id) != s.map(|e| e.id)
        && sides.base.map(|e| e.id) != d.map(|e| e.id)
        || in_conflict && (s.is_none() != d.is_none());
    let mode_conflict = in_conflict
        && matches!((s, d), (Some(s), Some(d)) if s.mode != d.mode
            && sides.base.is_none_or(|b| b.mode != s.mode && b.mode != d.mode));
    let type_conflict = in_conflict
        && matches!((s, d), (Some(s), Some(d)) if object_type(s.mode) != object_type(d.mode));
    Ok(json!({
        "filePath": path,
        "fileSizes": triple(&|e| blob(e).map(|b| json!(b.size()))),
        "fileModes": triple(&|e| mode_name(e.mode).map(|m| json!(m))),
        "objectTypes": triple(&|e| Some(json!(object_type(e.mode)))),
        "numberOfConflicts": number,
        "isBinaryFile": triple(&|e| blob(e).map(|b| json!(b.is_binary()))),
        "contentConflict": content_conflict,
        "fileModeConflict": mode_conflict,
        "objectTypeConflict": type_conflict,
        "mergeOperations": Value::Object(operations),
    }))
}

/// True when `destination` can be moved to `source` without a merge commit.
pub fn is_fast_forward(repo: &git2::Repository, destination: git2::Oid, source: git2::Oid) -> bool {
    destination == source
        || repo
            .graph_descendant_of(source, destination)
            .unwrap_or(false)
}

fn page_size(body: &Value, key: &str, code: &str) -> Result<usize, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(DEFAULT_PAGE),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 && n as usize <= MAX_PAGE => Ok(n as usize),
            _ => Err(ApiError::client(
                code,
                format!("The value of {key} is not valid: use a number from 1 to {MAX_PAGE}."),
            )),
        },
    }
}

/// The repository and the two commits a conflicts request names.
fn commits<'r>(
    repo: &'r git2::Repository,
    body: &Value,
) -> Result<(git2::Commit<'r>, git2::Commit<'r>), ApiError> {
    let source = required(body, "sourceCommitSpecifier", "CommitRequiredException")?;
    let destination = required(
        body,
        "destinationCommitSpecifier",
        "CommitRequiredException",
    )?;
    Ok((
        resolve_commit(repo, destination)?,
        resolve_commit(repo, source)?,
    ))
}

fn ids(out: &mut Value, analysis: &Analysis) {
    out["destinationCommitId"] = json!(analysis.destination.to_string());
    out["sourceCommitId"] = json!(analysis.source.to_string());
    if let Some(base) = analysis.base {
        out["baseCommitId"] = json!(base.to_string());
    }
}

/// GetMergeConflicts.
pub fn get_merge_conflicts(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let option = merge_option(body)?;
    let settings = settings(body)?;
    let size = page_size(body, "maxConflictFiles", "InvalidMaxConflictFilesException")?;
    let token = opt_str(body, "nextToken")?;
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let (destination, source) = commits(&repo, body)?;
    let analysis = analyse(&repo, &destination, &source, settings)?;
    if option == MergeOption::FastForward {
        // A fast-forward has no files to conflict on: it can be done or it cannot.
        let mut out = json!({
            "mergeable": is_fast_forward(&repo, destination.id(), source.id()),
            "conflictMetadataList": [],
        });
        ids(&mut out, &analysis);
        return Ok(out);
    }
    let unresolved = analysis.unresolved().to_vec();
    let (paths, next) = page(&unresolved, token, size)?;
    let list = paths
        .iter()
        .map(|p| {
            let sides = analysis.sides(&repo, p)?;
            metadata(&repo, &analysis, p, &sides)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = json!({ "mergeable": unresolved.is_empty(), "conflictMetadataList": list });
    ids(&mut out, &analysis);
    if let Some(next) = next {
        out["nextToken"] = json!(next);
    }
    Ok(out)
}

/// DescribeMergeConflicts: one file's metadata and merge hunks.
pub fn describe_merge_conflicts(ops: &Ops, body: &Value) -> OpResult {
    let name = required_repository_name(body, "repositoryName")?;
    let option = merge_option(body)?;
    let settings = settings(body)?;
    let path = required(body, "filePath", "PathRequiredException")?;
    let path = super::differences::validate_path(path)?;
    let size = page_size(body, "maxMergeHunks", "InvalidMaxMergeHunksException")?;
    let token = opt_str(body, "nextToken")?;
    if option == MergeOption::FastForward {
        return Err(ApiError::client(
            "InvalidMergeOptionException",
            "DescribeMergeConflicts describes squash and three-way merges: a fast-forward has no conflicts. Use SQUASH_MERGE or THREE_WAY_MERGE.",
        ));
    }
    let meta = ops.existing(name)?;
    let repo = ops.open_git(&meta)?;
    let (destination, source) = commits(&repo, body)?;
    let analysis = analyse(&repo, &destination, &source, settings)?;
    let sides = analysis.sides(&repo, &path)?;
    if sides.base.is_none() && sides.source.is_none() && sides.destination.is_none() {
        return Err(ApiError::client(
            "FileDoesNotExistException",
            format!(
                "The file {path} is in none of the source, destination or base commits. Use GetMergeConflicts for the files in conflict."
            ),
        ));
    }
    let hunks = merge_hunks(&repo, &sides)?;
    let (items, next) = page(&hunks, token, size)?;
    let mut out = json!({
        "conflictMetadata": metadata(&repo, &analysis, &path, &sides)?,
        "mergeHunks": items,
    });
    ids(&mut out, &analysis);
    if let Some(next) = next {
        out["nextToken"] = json!(next);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit of `files` (path, content, mode) on `parents`.
    fn commit(
        repo: &git2::Repository,
        parents: &[git2::Oid],
        files: &[(&str, &str, i32)],
    ) -> git2::Oid {
        let mut builder = repo.treebuilder(None).expect("builder");
        for (path, content, mode) in files {
            let blob = repo.blob(content.as_bytes()).expect("blob");
            builder.insert(path, blob, *mode).expect("insert");
        }
        let tree = repo
            .find_tree(builder.write().expect("tree"))
            .expect("tree");
        let who = git2::Signature::now("t", "t@example.com").expect("signature");
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| repo.find_commit(*p).expect("parent"))
            .collect();
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        repo.commit(None, &who, &who, "c", &tree, &refs)
            .expect("commit")
    }

    #[test]
    fn metadata_tells_content_mode_and_delete_conflicts_apart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = git2::Repository::init_bare(dir.path()).expect("repo");
        let base = commit(
            &repo,
            &[],
            &[
                ("mode.sh", "echo\n", 0o100644),
                ("gone.txt", "a\n", 0o100644),
            ],
        );
        let source = commit(
            &repo,
            &[base],
            &[
                ("mode.sh", "echo\n", 0o100755),
                ("gone.txt", "a changed\n", 0o100644),
            ],
        );
        let destination = commit(&repo, &[base], &[("mode.sh", "echo\n", 0o120000)]);
        let (s, d) = (
            repo.find_commit(source).expect("source"),
            repo.find_commit(destination).expect("destination"),
        );
        let settings = Settings {
            detail: Detail::Line,
            strategy: Strategy::None,
        };
        let analysis = analyse(&repo, &d, &s, settings).expect("analysis");
        assert_eq!(analysis.conflicts, ["gone.txt", "mode.sh"]);
        let meta = |path: &str| {
            let sides = analysis.sides(&repo, path).expect("sides");
            metadata(&repo, &analysis, path, &sides).expect("metadata")
        };
        let gone = meta("gone.txt");
        assert_eq!(
            gone["mergeOperations"],
            json!({ "source": "M", "destination": "D" })
        );
        assert_eq!(gone["contentConflict"], true);
        assert!(gone["fileSizes"].get("destination").is_none());
        let mode = meta("mode.sh");
        assert_eq!(mode["contentConflict"], false);
        assert_eq!(mode["fileModeConflict"], true);
        assert_eq!(mode["objectTypeConflict"], true);
        assert_eq!(
            mode["fileModes"],
            json!({ "source": "EXECUTABLE", "destination": "SYMLINK", "base": "NORMAL" })
        );
        assert_eq!(mode["objectTypes"]["destination"], "SYMBOLIC_LINK");
        // ACCEPT_SOURCE settles both: nothing left to resolve.
        let accept = Settings {
            detail: Detail::Line,
            strategy: Strategy::AcceptSource,
        };
        let analysis = analyse(&repo, &d, &s, accept).expect("analysis");
        assert!(analysis.unresolved().is_empty());
        let tree = super::super::resolution::merged_tree(&repo, analysis, None).expect("tree");
        let tree = repo.find_tree(tree).expect("tree");
        let entry = tree
            .get_path(std::path::Path::new("mode.sh"))
            .expect("mode.sh");
        assert_eq!(entry.filemode(), 0o100755);
        assert!(tree.get_path(std::path::Path::new("gone.txt")).is_ok());
    }
}
