//! HEAD against the index (the staged side), the way git does it cheaply: a directory whose
//! cache-tree node (the tree id git computed from the index, kept in the index file) equals
//! HEAD's tree for it holds no staged change and is skipped unread; only the other
//! directories' trees are loaded and compared entry by entry.
//!
//! The result is raw adds, deletions, modifications and type changes. When it holds both an
//! add and a deletion (a rename may hide there), the caller asks libgit2 for the rename-aware
//! diff instead.

use std::collections::HashMap;

use git2::{ObjectType, Oid, Repository};

use super::GitError;
use super::repo::other;
use super::status::{FileKind, FileStatus};
use super::status_index_file::Entry;
use super::status_tracked::Tracked;

const IFMT: u32 = 0o170000;
const IFGITLINK: u32 = 0o160000;

/// The staged changes, or `None` when libgit2 must decide (renames possible).
pub(crate) fn staged(
    repo: &Repository,
    tracked: &Tracked,
    head_tree: Option<Oid>,
) -> Result<Option<Vec<FileStatus>>, GitError> {
    let mut out = Vec::new();
    match head_tree {
        Some(tree) => walk(repo, tracked, tree, &[], &tracked.entries, &mut out)?,
        None => {
            for e in &tracked.entries {
                out.push(change(&e.path, FileKind::New, e.mode, 0));
            }
        }
    }
    // Conflicted paths are listed as conflicts only.
    out.retain(|f| {
        tracked
            .conflicted
            .binary_search_by(|p| p.as_slice().cmp(f.path.as_bytes()))
            .is_err()
    });
    without_intent_to_add(tracked, &mut out);
    let added = out.iter().any(|f| f.kind == FileKind::New);
    let deleted = out.iter().any(|f| f.kind == FileKind::Deleted);
    if added && deleted {
        return Ok(None);
    }
    Ok(Some(out))
}

/// Intent-to-add entries are invisible on the staged side, as in `git status`
/// (`ita_invisible_in_index`): they show as new in the working tree instead.
pub(crate) fn without_intent_to_add(tracked: &Tracked, out: &mut Vec<FileStatus>) {
    if tracked.intent_to_add {
        out.retain(|f| {
            !tracked
                .entry(f.path.as_bytes())
                .is_some_and(super::status_tracked::is_intent_to_add)
        });
    }
}

fn change(path: &[u8], kind: FileKind, mode_a: u32, mode_b: u32) -> FileStatus {
    FileStatus {
        path: String::from_utf8_lossy(path).into_owned(),
        kind,
        submodule: mode_a & IFMT == IFGITLINK || mode_b & IFMT == IFGITLINK,
    }
}

/// Compares the tree `tree` (HEAD's, at directory `dir`) with `entries`, the index entries
/// under `dir` (contiguous in index order).
fn walk(
    repo: &Repository,
    tracked: &Tracked,
    tree: Oid,
    dir: &[u8],
    entries: &[Entry],
    out: &mut Vec<FileStatus>,
) -> Result<(), GitError> {
    if tracked.cache_tree.get(dir) == Some(&tree) {
        return Ok(());
    }
    let tree = repo.find_tree(tree).map_err(other)?;
    let skip = if dir.is_empty() { 0 } else { dir.len() + 1 };
    // HEAD's entries of this directory by name: (id, mode, is a tree).
    let mut in_head: HashMap<Vec<u8>, (Oid, u32, bool)> = tree
        .iter()
        .map(|t| {
            let is_tree = t.kind() == Some(ObjectType::Tree);
            (
                t.name_bytes().to_vec(),
                (t.id(), t.filemode() as u32, is_tree),
            )
        })
        .collect();
    let mut i = 0;
    while i < entries.len() {
        let rest = &entries[i].path[skip..];
        let (name, is_dir) = match rest.iter().position(|&b| b == b'/') {
            Some(slash) => (&rest[..slash], true),
            None => (rest, false),
        };
        // The index entries of this name: one file, or every entry under the directory.
        let mut j = i + 1;
        if is_dir {
            while j < entries.len() {
                let r = &entries[j].path[skip..];
                if r.len() > name.len() && r.starts_with(name) && r[name.len()] == b'/' {
                    j += 1;
                } else {
                    break;
                }
            }
        }
        let group = &entries[i..j];
        let head = in_head.remove(name);
        let full: Vec<u8> = entries[i].path[..skip + name.len()].to_vec();
        match (head, is_dir) {
            (Some((id, _, true)), true) => walk(repo, tracked, id, &full, group, out)?,
            (Some((id, mode, false)), false) => {
                let entry = &group[0];
                if entry.mode & IFMT != mode & IFMT {
                    out.push(change(&entry.path, FileKind::TypeChange, entry.mode, mode));
                } else if entry.id != id || entry.mode != mode {
                    out.push(change(&entry.path, FileKind::Modified, entry.mode, mode));
                }
            }
            (head, _) => {
                // Added here, and whatever HEAD had under this name is gone.
                if let Some((id, mode, is_tree)) = head {
                    deleted(repo, &full, id, mode, is_tree, out)?;
                }
                for e in group {
                    out.push(change(&e.path, FileKind::New, e.mode, 0));
                }
            }
        }
        i = j;
    }
    for (name, (id, mode, is_tree)) in in_head {
        let mut full = dir.to_vec();
        if !full.is_empty() {
            full.push(b'/');
        }
        full.extend_from_slice(&name);
        deleted(repo, &full, id, mode, is_tree, out)?;
    }
    Ok(())
}

/// Everything HEAD has at `path` (a file, or a tree's files) as staged deletions.
fn deleted(
    repo: &Repository,
    path: &[u8],
    id: Oid,
    mode: u32,
    is_tree: bool,
    out: &mut Vec<FileStatus>,
) -> Result<(), GitError> {
    if !is_tree {
        out.push(change(path, FileKind::Deleted, mode, 0));
        return Ok(());
    }
    let tree = repo.find_tree(id).map_err(other)?;
    for t in tree.iter() {
        let mut full = path.to_vec();
        full.push(b'/');
        full.extend_from_slice(t.name_bytes());
        deleted(
            repo,
            &full,
            t.id(),
            t.filemode() as u32,
            t.kind() == Some(ObjectType::Tree),
            out,
        )?;
    }
    Ok(())
}
