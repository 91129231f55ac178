//! Taking back a change cctui made (the [`super::undo_log`] says what it was): commit, amend,
//! merge, pull, branch delete, branch switch, stash drop and discard.
//!
//! The repository is the source: a branch tip goes back to where its reflog says it was
//! before, a deleted branch and a dropped stash come back from their commits, and a discard
//! keeps what it throws away as blobs in the clone's own object store, under
//! `refs/cctui/undo/<id>` (a tree of them) so `git gc` keeps them, before it touches a file.
//!
//! An undo never overwrites work made since: it checks first and refuses with
//! [`GitError::UndoRefused`], saying what is in the way (a commit made after, uncommitted
//! changes, a file changed since the discard), and changes nothing then.

use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{BranchType, ObjectType, Oid, Repository, StatusOptions, StatusShow};

use super::GitError;
use super::pathspec::{at_or_under, narrowing};
use super::repo::{check_relative, open, other};
use super::undo_log::{Change, HeadAt, KeptFile, MoveKind, short};

/// Where the blobs a discard keeps are referenced from.
pub const KEEP_PREFIX: &str = "refs/cctui/undo/";

fn refused(reason: impl Into<String>, hint: impl Into<String>) -> GitError {
    GitError::UndoRefused {
        reason: reason.into(),
        hint: hint.into(),
    }
}

fn oid(id: &str) -> Result<Oid, GitError> {
    Oid::from_str(id).map_err(|_| GitError::RevisionNotFound(id.to_string()))
}

/// Where HEAD is now: on a branch, or detached (`None`: no commit yet and no branch).
pub fn head_at(repo: &Path) -> Result<Option<HeadAt>, GitError> {
    let repository = open(repo)?;
    Ok(head_of(&repository))
}

fn head_of(repository: &Repository) -> Option<HeadAt> {
    if repository.head_detached().unwrap_or(false) {
        let id = repository.head().ok()?.target()?;
        return Some(HeadAt::Detached(id.to_string()));
    }
    let head = repository.find_reference("HEAD").ok()?;
    let target = head.symbolic_target().ok().flatten()?;
    target
        .strip_prefix("refs/heads/")
        .map(|name| HeadAt::Branch(name.to_string()))
}

/// The reference HEAD moves (`refs/heads/<branch>`, or `HEAD` when detached) and its tip.
pub fn tip(repo: &Path) -> Result<(String, Option<String>), GitError> {
    let repository = open(repo)?;
    Ok(tip_of(&repository))
}

fn tip_of(repository: &Repository) -> (String, Option<String>) {
    let reference = match head_of(repository) {
        Some(HeadAt::Branch(name)) => format!("refs/heads/{name}"),
        _ => "HEAD".to_string(),
    };
    let id = repository
        .refname_to_id(&reference)
        .ok()
        .map(|id| id.to_string());
    (reference, id)
}

/// The change a commit, amend, merge or pull made, read after it: the branch's reflog says
/// where the tip was before (`before`, the tip the job saw, stands in when there is no
/// reflog). `None` when the tip did not move (already up to date).
pub fn moved(
    repo: &Path,
    what: MoveKind,
    before: (String, Option<String>),
    summary: &str,
) -> Result<Option<Change>, GitError> {
    let repository = open(repo)?;
    let (reference, after) = tip_of(&repository);
    let Some(after) = after else {
        return Ok(None);
    };
    let mut previous = if before.0 == reference {
        before.1
    } else {
        None
    };
    if let Ok(reflog) = repository.reflog(&reference)
        && let Some(last) = reflog.get(0)
        && last.id_new().to_string() == after
    {
        previous = (!last.id_old().is_zero()).then(|| last.id_old().to_string());
    }
    if previous.as_deref() == Some(after.as_str()) {
        return Ok(None);
    }
    Ok(Some(Change::Moved {
        what,
        reference,
        before: previous,
        after,
        summary: summary.to_string(),
    }))
}

/// A local branch's tip and upstream, read before it is deleted.
pub fn branch_before_delete(repo: &Path, name: &str) -> Result<Change, GitError> {
    let repository = open(repo)?;
    let branch = repository
        .find_branch(name, BranchType::Local)
        .map_err(|_| GitError::BranchNotFound(name.to_string()))?;
    let tip = branch
        .get()
        .target()
        .ok_or_else(|| GitError::BranchNotFound(name.to_string()))?;
    let upstream = branch
        .upstream()
        .ok()
        .and_then(|u| u.name().ok().flatten().map(str::to_string));
    Ok(Change::BranchDeleted {
        name: name.to_string(),
        tip: tip.to_string(),
        upstream,
    })
}

/// A stash entry's commit and message, read before it is dropped. The commit is then kept
/// alive under `refs/cctui/undo/stash-<id>` so a `git gc` does not take it before an undo.
pub fn stash_before_drop(repo: &Path, index: usize) -> Result<Change, GitError> {
    let entries = super::stash::stash_list(repo)?;
    let entry = entries
        .into_iter()
        .find(|e| e.index == index)
        .ok_or(GitError::StashNotFound(index))?;
    let repository = open(repo)?;
    repository
        .reference(
            &format!("{KEEP_PREFIX}stash-{}", entry.id),
            oid(&entry.id)?,
            true,
            "cctui: keep a dropped stash for undo",
        )
        .map_err(other)?;
    Ok(Change::StashDropped {
        commit: entry.id,
        message: entry.message,
    })
}

/// What a discard of `path` is about to throw away, kept first: the working-tree content of
/// every changed or untracked file at or under `path`, as blobs, and a tree of them under
/// `refs/cctui/undo/<name>`. Call [`discarded`] after the discard, or [`forget`] when it did
/// not happen.
pub fn keep_before_discard(repo: &Path, path: &str, name: &str) -> Result<Change, GitError> {
    let repository = open(repo)?;
    let path = check_relative(path)?;
    let root = repository
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repo.to_path_buf()))?
        .to_path_buf();
    let mut files = Vec::new();
    let mut tree = repository.treebuilder(None).map_err(other)?;
    for rel in changed_under(&repository, path)? {
        let full = root.join(&rel);
        let Ok(meta) = std::fs::symlink_metadata(&full) else {
            // Deleted in the working tree: the discard brings it back; nothing to keep.
            files.push(KeptFile {
                path: rel,
                before: None,
                executable: false,
                symlink: false,
                after: None,
            });
            continue;
        };
        if meta.is_dir() {
            // A nested repository: the discard leaves it alone.
            continue;
        }
        let symlink = meta.file_type().is_symlink();
        let blob = if symlink {
            let target =
                std::fs::read_link(&full).map_err(|e| GitError::Other(format!("{rel}: {e}")))?;
            repository
                .blob(target.as_os_str().as_encoded_bytes())
                .map_err(other)?
        } else {
            repository.blob_path(&full).map_err(other)?
        };
        tree.insert(format!("{}", files.len()), blob, 0o100644)
            .map_err(other)?;
        files.push(KeptFile {
            path: rel,
            before: Some(blob.to_string()),
            executable: is_executable(&meta),
            symlink,
            after: None,
        });
    }
    let tree = tree.write().map_err(other)?;
    let keep_ref = format!("{KEEP_PREFIX}{name}");
    repository
        .reference(
            &keep_ref,
            tree,
            true,
            "cctui: keep discarded content for undo",
        )
        .map_err(other)?;
    Ok(Change::Discarded {
        path: path.to_string(),
        keep_ref,
        files,
    })
}

/// The discard's change completed with what it left of each file (the state an undo
/// checks before writing anything back).
pub fn discarded(repo: &Path, kept: Change) -> Result<Change, GitError> {
    let Change::Discarded {
        path,
        keep_ref,
        mut files,
    } = kept
    else {
        return Ok(kept);
    };
    let root = super::repo::workdir(repo)?;
    for file in &mut files {
        file.after = current_blob(&root.join(&file.path))?;
    }
    Ok(Change::Discarded {
        path,
        keep_ref,
        files,
    })
}

/// Drops what [`keep_before_discard`] or [`stash_before_drop`] kept, when the change did not
/// happen (or was undone).
pub fn forget(repo: &Path, change: &Change) {
    let name = match change {
        Change::Discarded { keep_ref, .. } => keep_ref.clone(),
        Change::StashDropped { commit, .. } => format!("{KEEP_PREFIX}stash-{commit}"),
        _ => return,
    };
    if let Ok(repository) = open(repo)
        && let Ok(mut reference) = repository.find_reference(&name)
    {
        let _ = reference.delete();
    }
}

/// Undoes `change` in `repo`, or refuses (nothing changed) when work made since is in the
/// way. Returns what was done, in a sentence.
pub fn undo(repo: &Path, change: &Change) -> Result<String, GitError> {
    let repository = open(repo)?;
    let message = match change {
        Change::Moved {
            what,
            reference,
            before,
            after,
            ..
        } => undo_move(&repository, *what, reference, before.as_deref(), after)?,
        Change::BranchDeleted {
            name,
            tip,
            upstream,
        } => undo_delete(&repository, name, tip, upstream.as_deref())?,
        Change::Switched { from, to } => undo_switch(repo, &repository, from, to)?,
        Change::StashDropped { commit, message } => undo_drop(&repository, commit, message)?,
        Change::Discarded { files, .. } => undo_discard(&repository, files)?,
    };
    forget(repo, change);
    Ok(message)
}

fn undo_move(
    repository: &Repository,
    what: MoveKind,
    reference: &str,
    before: Option<&str>,
    after: &str,
) -> Result<String, GitError> {
    let on = reference.strip_prefix("refs/heads/").unwrap_or("HEAD");
    let Some(before) = before else {
        return Err(refused(
            format!("the {} made the first commit of {on}", what.word()),
            "there is no earlier commit to go back to",
        ));
    };
    let (head_reference, current) = tip_of(repository);
    if head_reference != reference {
        return Err(refused(
            format!("HEAD is no longer on {on}"),
            format!("switch back to {on} first"),
        ));
    }
    let current = current.unwrap_or_default();
    if current != after {
        let summary = repository
            .find_commit(oid(&current)?)
            .ok()
            .and_then(|c| c.summary().ok().flatten().map(str::to_string))
            .unwrap_or_default();
        return Err(refused(
            format!(
                "{on} moved since: it is at {} \"{summary}\", not {}",
                short(&current),
                short(after)
            ),
            "a commit made after it would be lost; undo that first, or reset by hand",
        ));
    }
    check_state(repository)?;
    check_tracked_clean(repository)?;
    let target = repository
        .find_commit(oid(before)?)
        .map_err(|_| GitError::RevisionNotFound(before.to_string()))?;
    checkout_safely(repository, &target)?;
    let message = format!("cctui: undo {} ({})", what.word(), short(after));
    if reference == "HEAD" {
        repository
            .set_head_detached_from_annotated(
                repository
                    .find_annotated_commit(target.id())
                    .map_err(other)?,
            )
            .map_err(other)?;
    } else {
        repository
            .find_reference(reference)
            .and_then(|mut r| r.set_target(target.id(), &message))
            .map_err(other)?;
    }
    // A merge or pull that stopped is not logged; a stale MERGE_HEAD must not survive either.
    let _ = repository.cleanup_state();
    Ok(format!(
        "Undid the {}: {on} is back at {}",
        what.word(),
        short(before)
    ))
}

fn undo_delete(
    repository: &Repository,
    name: &str,
    tip: &str,
    upstream: Option<&str>,
) -> Result<String, GitError> {
    if repository.find_branch(name, BranchType::Local).is_ok() {
        return Err(refused(
            format!("a branch named {name} exists again"),
            "rename or delete it first",
        ));
    }
    let commit = repository
        .find_commit(oid(tip)?)
        .map_err(|_| GitError::RevisionNotFound(tip.to_string()))?;
    let mut branch = repository.branch(name, &commit, false).map_err(other)?;
    if let Some(upstream) = upstream {
        let short_name = upstream.strip_prefix("refs/remotes/").unwrap_or(upstream);
        // The remote branch may be gone by now: the branch is back either way.
        let _ = branch.set_upstream(Some(short_name));
    }
    Ok(format!("Created {name} again at {}", short(tip)))
}

fn undo_switch(
    repo: &Path,
    repository: &Repository,
    from: &HeadAt,
    to: &str,
) -> Result<String, GitError> {
    match head_of(repository) {
        Some(HeadAt::Branch(current)) if current == to => {}
        Some(other) => {
            return Err(refused(
                format!("HEAD moved since: it is on {}", words(&other)),
                format!("switch back to {to} first, or switch by hand"),
            ));
        }
        None => return Err(refused("HEAD is on no branch", "switch by hand")),
    }
    check_state(repository)?;
    let in_way = |error: GitError| match error {
        GitError::UncommittedChanges { files } => refused(
            format!("uncommitted changes are in the way: {}", list(&files)),
            "commit or stash them first",
        ),
        other => other,
    };
    match from {
        HeadAt::Branch(name) => {
            if repository.find_branch(name, BranchType::Local).is_err() {
                return Err(refused(
                    format!("the branch {name} is gone"),
                    "create it again first",
                ));
            }
            super::branch::switch_branch(repo, name, &|| false).map_err(in_way)?;
            Ok(format!("Switched back to {name}"))
        }
        HeadAt::Detached(id) => {
            check_tracked_clean(repository)?;
            let commit = repository
                .find_commit(oid(id)?)
                .map_err(|_| GitError::RevisionNotFound(id.clone()))?;
            checkout_safely(repository, &commit)?;
            repository.set_head_detached(commit.id()).map_err(other)?;
            Ok(format!("Switched back to detached {}", short(id)))
        }
    }
}

fn undo_drop(repository: &Repository, commit: &str, message: &str) -> Result<String, GitError> {
    let id = oid(commit)?;
    repository
        .find_commit(id)
        .map_err(|_| GitError::RevisionNotFound(commit.to_string()))?;
    let mut listed = false;
    if let Ok(reflog) = repository.reflog("refs/stash") {
        listed = reflog.iter().any(|e| e.id_new() == id);
    }
    if listed {
        return Err(refused(
            "the stash entry is on the stash list already",
            "refresh the stash list",
        ));
    }
    // `git stash store`: the stash list is refs/stash's reflog; libgit2 writes a reflog for
    // refs/stash only when one exists, so make sure it does first.
    repository
        .reference_ensure_log("refs/stash")
        .map_err(other)?;
    repository
        .reference("refs/stash", id, true, message)
        .map_err(other)?;
    Ok(format!("Put the stash \"{message}\" back as stash@{{0}}"))
}

fn undo_discard(repository: &Repository, files: &[KeptFile]) -> Result<String, GitError> {
    let root = repository
        .workdir()
        .ok_or_else(|| GitError::NotARepository(repository.path().to_path_buf()))?
        .to_path_buf();
    // Every file first: all are written back, or none.
    let mut changed = Vec::new();
    for file in files {
        if current_blob(&root.join(&file.path))? != file.after {
            changed.push(file.path.clone());
        }
        if let Some(blob) = &file.before
            && repository.find_blob(oid(blob)?).is_err()
        {
            return Err(GitError::Other(format!(
                "the kept content of {} is no longer in the repository",
                file.path
            )));
        }
    }
    if !changed.is_empty() {
        return Err(refused(
            format!("changed since the discard: {}", list(&changed)),
            "writing the old content back would lose those changes; commit or stash them first",
        ));
    }
    for file in files {
        let full = root.join(&file.path);
        match &file.before {
            None => {
                let _ = std::fs::remove_file(&full);
            }
            Some(blob) => {
                let blob = repository.find_blob(oid(blob)?).map_err(other)?;
                write_back(&full, blob.content(), file)
                    .map_err(|e| GitError::Other(format!("{}: {e}", file.path)))?;
            }
        }
    }
    Ok(match files {
        [one] => format!("Brought back the discarded changes to {}", one.path),
        many => format!("Brought back the discarded changes to {} files", many.len()),
    })
}

fn write_back(full: &Path, content: &[u8], file: &KeptFile) -> std::io::Result<()> {
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if file.symlink {
        let _ = std::fs::remove_file(full);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            return std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(content), full);
        }
    }
    // Written beside it, then renamed over it: the file is never half written.
    let temporary = full.with_file_name(format!(
        ".{}.cctui-undo",
        full.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::write(&temporary, content)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if file.executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(mode))?;
    }
    std::fs::rename(&temporary, full)
}

/// The blob id of a working-tree file as it is now (`None`: there is no file).
fn current_blob(full: &Path) -> Result<Option<String>, GitError> {
    let Ok(meta) = std::fs::symlink_metadata(full) else {
        return Ok(None);
    };
    let id = if meta.file_type().is_symlink() {
        let target = std::fs::read_link(full).map_err(|e| GitError::Other(e.to_string()))?;
        Oid::hash_object(ObjectType::Blob, target.as_os_str().as_encoded_bytes())
    } else if meta.is_dir() {
        return Ok(Some("directory".to_string()));
    } else {
        Oid::hash_file(ObjectType::Blob, full)
    };
    id.map(|id| Some(id.to_string())).map_err(other)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// The tracked files with unstaged changes and the untracked files at or under `path`, as the
/// discard finds them.
fn changed_under(repository: &Repository, path: &str) -> Result<Vec<String>, GitError> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .show(StatusShow::Workdir)
        .disable_pathspec_match(true);
    if let Some(prefix) = narrowing(path) {
        opts.pathspec(prefix);
    }
    let statuses = repository.statuses(Some(&mut opts)).map_err(other)?;
    Ok(statuses
        .iter()
        .filter(|e| at_or_under(e.path_bytes(), path))
        .map(|e| String::from_utf8_lossy(e.path_bytes()).into_owned())
        .collect())
}

/// No merge, rebase or cherry-pick in progress.
fn check_state(repository: &Repository) -> Result<(), GitError> {
    if repository.state() != git2::RepositoryState::Clean {
        return Err(refused(
            "a merge (or another git operation) is in progress",
            "finish or abort it first",
        ));
    }
    Ok(())
}

/// No staged or unstaged change to a tracked file: moving the branch back would lose it.
fn check_tracked_clean(repository: &Repository) -> Result<(), GitError> {
    let mut opts = StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    let statuses = repository.statuses(Some(&mut opts)).map_err(other)?;
    let files: Vec<String> = statuses
        .iter()
        .map(|e| String::from_utf8_lossy(e.path_bytes()).into_owned())
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    Err(refused(
        format!("uncommitted changes would be lost: {}", list(&files)),
        "commit or stash them first",
    ))
}

/// Checks out `commit` over HEAD without forcing: an untracked file in the way refuses it
/// before anything is written (libgit2 plans the whole checkout first).
fn checkout_safely(repository: &Repository, commit: &git2::Commit<'_>) -> Result<(), GitError> {
    let mut checkout = CheckoutBuilder::new();
    checkout.safe();
    repository
        .checkout_tree(commit.as_object(), Some(&mut checkout))
        .map_err(|e| match e.code() {
            git2::ErrorCode::Conflict => refused(
                format!("files in the working tree are in the way: {}", e.message()),
                "move or delete the untracked files it names first",
            ),
            _ => other(e),
        })
}

fn words(head: &HeadAt) -> String {
    match head {
        HeadAt::Branch(name) => name.clone(),
        HeadAt::Detached(id) => format!("detached {}", short(id)),
    }
}

fn list(files: &[String]) -> String {
    let shown: Vec<&str> = files.iter().take(5).map(String::as_str).collect();
    match files.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}
