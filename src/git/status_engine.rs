//! The full status scan, built to keep up with `git status` on large trees where libgit2's
//! `statuses()` does not (it reads the working tree through one sorted iterator, probes
//! attributes per directory and compares one file at a time):
//!
//! 1. the index is read once ([`Tracked`]);
//! 2. on worker threads, every stage-0 entry is `lstat`ed and compared with its recorded stat
//!    data as git does ([`look`]), and the tracked directories are listed for names the index
//!    does not know ([`status_untracked::candidates`]);
//! 3. meanwhile, on the calling thread, HEAD's tree is diffed against the index (staged
//!    changes, renames detected);
//! 4. only the files whose stat data cannot decide (same size, other times, or racily clean)
//!    are hashed; submodules, intent-to-add entries and files that go through filters are
//!    handed to one libgit2 diff restricted to exactly those paths;
//! 5. the untracked candidates are checked against the ignore rules.
//!
//! The index is never written (a read must not race a writer for `index.lock`), so a file
//! whose stat data changed but whose content did not is hashed on every scan until git or a
//! stage refreshes the index.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Index, ObjectType, Oid, Repository};

use super::GitError;
use super::repo::other;
use super::status::{ConflictKind, FileKind, FileStatus, Status, head_info, repo_state};
use super::status_tracked::{
    CompareConfig, Look, Stat, Tracked, is_gitlink, is_intent_to_add, look,
};
use super::status_untracked::{self, Candidate};

/// Entries `lstat`ed per grab of the shared counter: big enough that the counter is not
/// contended, small enough that the workers finish together.
const CHUNK: usize = 1024;

/// A status with what an incremental refresh needs to reuse it.
#[derive(Debug, Clone)]
pub struct StatusSnapshot {
    /// The status itself.
    pub status: Status,
    pub(crate) basis: Arc<Basis>,
}

/// What the status was computed from: the index as read, the settings, and the stamps that
/// say whether the index or HEAD moved since.
#[derive(Debug)]
pub(crate) struct Basis {
    pub(crate) tracked: Tracked,
    pub(crate) config: CompareConfig,
    pub(crate) stamp: Stamp,
}

/// The index file's identity and HEAD's target: when either differs, staged changes and the
/// recorded stat data are stale and only a full scan will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    index: Option<(u64, i64, i64, u64)>,
    head: (Option<String>, Option<Oid>),
}

pub(crate) fn stamp(repo: &Repository) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    let index = std::fs::metadata(repo.path().join("index"))
        .ok()
        .map(|m| (m.len(), m.mtime(), m.mtime_nsec(), m.ino()));
    let head = match repo.find_reference("HEAD") {
        Ok(head) => (
            head.symbolic_target().ok().flatten().map(str::to_string),
            head.resolve().ok().and_then(|r| r.target()),
        ),
        Err(_) => (None, None),
    };
    Stamp { index, head }
}

/// The full scan of the repository's working tree.
pub(crate) fn scan(repo: &Repository) -> Result<StatusSnapshot, GitError> {
    let root = repo
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.path().to_path_buf()))?
        .to_path_buf();
    // Stamped before reading, so a change made while we read shows as a changed stamp next
    // time rather than being missed.
    let stamp = stamp(repo);
    let index_mtime = stamp.index.map(|(_, mtime, _, _)| mtime).unwrap_or(0);
    let (tracked, mut index) = Tracked::read(repo, index_mtime).map_err(other)?;
    let config = CompareConfig::read(repo, &tracked);
    let head = head_info(repo)?;

    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let (looks, candidates, staged) = std::thread::scope(|s| {
        let (tracked, config, root, next) = (&tracked, &config, root.as_path(), &next);
        let index = &mut index;
        let mut handles = Vec::with_capacity(workers);
        for worker in 0..workers {
            handles.push(s.spawn(move || {
                // One worker lists the directories first; all of them share the stat work.
                let candidates = if worker == 0 {
                    status_untracked::candidates(root, tracked)
                } else {
                    Vec::new()
                };
                (stat_entries(root, tracked, config, next), candidates)
            }));
        }
        let staged = staged(repo, tracked, index, head.tree);
        let mut looks = Vec::new();
        let mut candidates = Vec::new();
        for handle in handles {
            // A worker only panics on a bug; its part is then missing, so say so.
            match handle.join() {
                Ok((l, c)) => {
                    looks.extend(l);
                    candidates.extend(c);
                }
                Err(_) => {
                    return (
                        looks,
                        candidates,
                        Err(GitError::Other(
                            "the status scan stopped unexpectedly".into(),
                        )),
                    );
                }
            }
        }
        (looks, candidates, staged)
    });
    let staged = staged?;

    let looks = behind_symlinks(&tracked, &candidates, looks);
    let unstaged_and_new = worktree_changes(repo, index.as_ref(), &root, &tracked, &config, looks)?;
    let mut untracked_paths = status_untracked::resolve(repo, &root, candidates);
    untracked_paths.extend(unstaged_and_new.1);
    let mut status = Status {
        staged,
        unstaged: unstaged_and_new.0,
        untracked: untracked_paths
            .into_iter()
            .map(|path| FileStatus {
                path,
                kind: FileKind::New,
                submodule: false,
            })
            .collect(),
        conflicted: conflicts(&tracked),
        branch: head.branch,
        detached: head.detached,
        unborn: head.unborn,
        state: repo_state(repo),
    };
    sort_lists(&mut status);
    Ok(StatusSnapshot {
        status,
        basis: Arc::new(Basis {
            tracked,
            config,
            stamp,
        }),
    })
}

pub(crate) fn sort_lists(status: &mut Status) {
    for list in [
        &mut status.staged,
        &mut status.unstaged,
        &mut status.untracked,
        &mut status.conflicted,
    ] {
        list.sort_by(|a, b| a.path.cmp(&b.path));
        list.dedup_by(|a, b| a.path == b.path);
    }
}

/// A tracked directory that became a symlink (or a file) shows up as a non-directory
/// candidate; `fstatat` would follow such a symlink, but git reports every entry under it
/// deleted (`has_symlink_leading_path`), so those entries are marked so.
fn behind_symlinks(
    tracked: &Tracked,
    candidates: &[Candidate],
    mut looks: Vec<(usize, Look)>,
) -> Vec<(usize, Look)> {
    for candidate in candidates {
        if candidate.dir || !tracked.dirs.contains(&candidate.path) {
            continue;
        }
        let mut prefix = candidate.path.clone();
        prefix.push(b'/');
        let from = tracked
            .entries
            .partition_point(|e| e.path.as_slice() < prefix.as_slice());
        let to = from + tracked.entries[from..].partition_point(|e| e.path.starts_with(&prefix));
        looks.retain(|(i, _)| !(from..to).contains(i));
        looks.extend((from..to).map(|i| (i, Look::Deleted)));
    }
    looks
}

/// `lstat`s entries chunk by chunk until none are left; returns the ones that are not clean.
fn stat_entries(
    root: &Path,
    tracked: &Tracked,
    config: &CompareConfig,
    next: &AtomicUsize,
) -> Vec<(usize, Look)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::File::open(root) else {
        // The root cannot be opened: every entry is as good as gone.
        let start = next.fetch_add(tracked.entries.len(), Ordering::Relaxed);
        return (start..tracked.entries.len())
            .map(|i| (i, Look::Deleted))
            .collect();
    };
    let mut buf: Vec<u8> = Vec::with_capacity(256);
    loop {
        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
        if start >= tracked.entries.len() {
            return out;
        }
        let end = (start + CHUNK).min(tracked.entries.len());
        for (i, entry) in tracked.entries[start..end].iter().enumerate() {
            buf.clear();
            buf.extend_from_slice(&entry.path);
            buf.push(0);
            // An index path never holds a NUL; if one did, it cannot exist on disk.
            let stat = std::ffi::CStr::from_bytes_with_nul(&buf)
                .ok()
                .and_then(|path| Stat::at(&dir, path));
            let seen = look(entry, stat.as_ref(), config, tracked.index_mtime);
            if seen != Look::Clean {
                out.push((start + i, seen));
            }
        }
    }
}

/// Unstaged changes from the stat pass's verdicts, content compared where they are uncertain;
/// also the paths libgit2 reports as new on that side (intent-to-add entries), which are
/// listed as untracked as before.
pub(crate) fn worktree_changes(
    repo: &Repository,
    index: Option<&Index>,
    root: &Path,
    tracked: &Tracked,
    config: &CompareConfig,
    looks: Vec<(usize, Look)>,
) -> Result<(Vec<FileStatus>, Vec<String>), GitError> {
    let mut unstaged = Vec::new();
    let mut for_libgit2 = Vec::new();
    for (i, seen) in looks {
        let entry = &tracked.entries[i];
        let kind = match seen {
            Look::Clean => continue,
            Look::Modified => FileKind::Modified,
            Look::Deleted => FileKind::Deleted,
            Look::TypeChange => FileKind::TypeChange,
            Look::Uncertain if is_intent_to_add(entry) => {
                // New on the working-tree side while the file is there (`git status`: ` A`).
                match std::fs::symlink_metadata(root.join(OsStr::from_bytes(&entry.path))) {
                    Ok(_) => FileKind::New,
                    Err(_) => FileKind::Deleted,
                }
            }
            Look::Uncertain => {
                if is_gitlink(entry) || config.filters {
                    for_libgit2.push(i);
                    continue;
                }
                match content_differs(root, entry) {
                    Some(true) => FileKind::Modified,
                    Some(false) => continue,
                    // Gone between the stat and the read: let libgit2 say what it is now.
                    None => {
                        for_libgit2.push(i);
                        continue;
                    }
                }
            }
        };
        unstaged.push(FileStatus {
            path: String::from_utf8_lossy(&entry.path).into_owned(),
            kind,
            submodule: false,
        });
    }
    let mut new = Vec::new();
    if !for_libgit2.is_empty() {
        let owned;
        let index = match index {
            Some(index) => index,
            None => {
                owned = repo.index().map_err(other)?;
                &owned
            }
        };
        let paths: Vec<&[u8]> = for_libgit2
            .iter()
            .map(|&i| tracked.entries[i].path.as_slice())
            .collect();
        let (changed, added) = libgit2_worktree(repo, index, &paths)?;
        unstaged.extend(changed);
        new = added;
    }
    Ok((unstaged, new))
}

/// Hashes the file as git would store it (no filters apply: the caller checked) and compares
/// with its entry; `None` when it cannot be read.
fn content_differs(root: &Path, entry: &super::status_index_file::Entry) -> Option<bool> {
    let path = root.join(OsStr::from_bytes(&entry.path));
    let meta = std::fs::symlink_metadata(&path).ok()?;
    let id = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(&path).ok()?;
        Oid::hash_object(ObjectType::Blob, target.as_os_str().as_bytes()).ok()?
    } else {
        Oid::hash_file(ObjectType::Blob, &path).ok()?
    };
    Some(id != entry.id)
}

/// One index-to-working-tree diff by libgit2 over exactly `paths` (submodules, filtered
/// content, intent-to-add): the changed files, and the paths it reports as new.
fn libgit2_worktree(
    repo: &Repository,
    index: &Index,
    paths: &[&[u8]],
) -> Result<(Vec<FileStatus>, Vec<String>), GitError> {
    let mut opts = DiffOptions::new();
    opts.include_typechange(true)
        .disable_pathspec_match(true)
        .include_untracked(false)
        .ignore_submodules(false);
    for path in paths {
        opts.pathspec(*path);
    }
    let diff = repo
        .diff_index_to_workdir(Some(index), Some(&mut opts))
        .map_err(other)?;
    let mut changed = Vec::new();
    let mut added = Vec::new();
    for delta in diff.deltas() {
        let Some(path) = delta
            .new_file()
            .path_bytes()
            .or_else(|| delta.old_file().path_bytes())
        else {
            continue;
        };
        let path = String::from_utf8_lossy(path).into_owned();
        let submodule = delta.new_file().mode() == FileMode::Commit
            || delta.old_file().mode() == FileMode::Commit;
        let kind = match delta.status() {
            Delta::Deleted => FileKind::Deleted,
            Delta::Typechange => FileKind::TypeChange,
            Delta::Modified | Delta::Renamed | Delta::Copied => FileKind::Modified,
            Delta::Added | Delta::Untracked => {
                added.push(path);
                continue;
            }
            Delta::Unmodified | Delta::Ignored | Delta::Unreadable | Delta::Conflicted => continue,
        };
        changed.push(FileStatus {
            path,
            kind,
            submodule,
        });
    }
    Ok((changed, added))
}

/// The staged side: the cache-tree walk, or libgit2's rename-aware diff when that walk cannot
/// decide (loading libgit2's index then, once, into `index`).
fn staged(
    repo: &Repository,
    tracked: &Tracked,
    index: &mut Option<Index>,
    head_tree: Option<Oid>,
) -> Result<Vec<FileStatus>, GitError> {
    if let Some(changes) = super::status_staged::staged(repo, tracked, head_tree)? {
        return Ok(changes);
    }
    if index.is_none() {
        *index = Some(repo.index().map_err(other)?);
    }
    let mut changes = match index {
        Some(index) => staged_changes(repo, index, head_tree)?,
        None => Vec::new(),
    };
    super::status_staged::without_intent_to_add(tracked, &mut changes);
    Ok(changes)
}

/// Every conflicted path with what each side did, sorted by path (the index order).
fn conflicts(tracked: &Tracked) -> Vec<FileStatus> {
    tracked
        .conflict_sides
        .iter()
        .map(|(path, [ancestor, ours, theirs], submodule)| {
            let kind = match (ancestor, ours, theirs) {
                (true, true, true) => ConflictKind::BothModified,
                (false, true, true) => ConflictKind::BothAdded,
                (true, false, false) => ConflictKind::BothDeleted,
                (true, false, true) => ConflictKind::DeletedByUs,
                (true, true, false) => ConflictKind::DeletedByThem,
                (false, true, false) => ConflictKind::AddedByUs,
                (false, false, true) | (false, false, false) => ConflictKind::AddedByThem,
            };
            FileStatus {
                path: String::from_utf8_lossy(path).into_owned(),
                kind: FileKind::Conflicted(kind),
                submodule: *submodule,
            }
        })
        .collect()
}

/// HEAD's tree against the index, renames detected (not copies: `git status` shows none).
fn staged_changes(
    repo: &Repository,
    index: &Index,
    head_tree: Option<Oid>,
) -> Result<Vec<FileStatus>, GitError> {
    let tree = match head_tree {
        Some(id) => Some(repo.find_tree(id).map_err(other)?),
        None => None,
    };
    let mut opts = DiffOptions::new();
    opts.include_typechange(true);
    let mut diff = repo
        .diff_tree_to_index(tree.as_ref(), Some(index), Some(&mut opts))
        .map_err(other)?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find)).map_err(other)?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let new_path = delta.new_file().path_bytes();
        let old_path = delta.old_file().path_bytes();
        let Some(path) = new_path.or(old_path) else {
            continue;
        };
        let kind = match delta.status() {
            Delta::Added => FileKind::New,
            Delta::Deleted => FileKind::Deleted,
            Delta::Modified => FileKind::Modified,
            Delta::Typechange => FileKind::TypeChange,
            Delta::Renamed => FileKind::Renamed {
                from: old_path
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .unwrap_or_default(),
            },
            Delta::Copied => FileKind::New,
            Delta::Conflicted
            | Delta::Unmodified
            | Delta::Ignored
            | Delta::Untracked
            | Delta::Unreadable => continue,
        };
        out.push(FileStatus {
            path: String::from_utf8_lossy(path).into_owned(),
            kind,
            submodule: delta.new_file().mode() == FileMode::Commit
                || delta.old_file().mode() == FileMode::Commit,
        });
    }
    Ok(out)
}

/// One untracked candidate resolved (used by the incremental refresh too).
pub(crate) fn resolve_candidate(
    repo: &Repository,
    root: &Path,
    candidate: &Candidate,
) -> Option<String> {
    status_untracked::resolve_one(repo, root, candidate)
}
