//! Local and remote-tracking branches: list, create, switch, delete, rename, and branch-name
//! validation (git's `check-ref-format` rules for `refs/heads/<name>`, and CodeCommit's).

use std::cell::RefCell;
use std::path::Path;

use git2::build::CheckoutBuilder;
use git2::{BranchType, ErrorCode, Oid, Repository, RepositoryState};

use super::GitError;
use super::commit::other;
use super::repo::{head_commit, open};

/// The last commit of a branch, as the branches pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    /// Full hex id.
    pub id: String,
    /// The first 7 hex digits.
    pub short_id: String,
    /// First line of the message.
    pub summary: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Author name.
    pub author: String,
}

/// A local branch (`refs/heads/<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBranch {
    /// `feature/x`.
    pub name: String,
    /// HEAD points to it.
    pub head: bool,
    /// Its upstream as `origin/feature/x`, when configured.
    pub upstream: Option<String>,
    /// The upstream is configured but its remote-tracking branch is gone (`[gone]`).
    pub upstream_gone: bool,
    /// Commits on the branch and not on its upstream (0 without an upstream).
    pub ahead: usize,
    /// Commits on the upstream and not on the branch (0 without an upstream).
    pub behind: usize,
    /// Its tip.
    pub last_commit: CommitSummary,
}

/// A remote-tracking branch (`refs/remotes/<remote>/<branch>`); `<remote>/HEAD` is not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteBranch {
    /// `origin/feature`.
    pub name: String,
    /// `origin`.
    pub remote: String,
    /// `feature`.
    pub branch: String,
    /// Its tip.
    pub last_commit: CommitSummary,
}

/// Where a new branch starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartPoint {
    /// The current commit.
    Head,
    /// A local branch (`main`) or a remote-tracking branch (`origin/main`, which also becomes
    /// the new branch's upstream, as git's `branch.autoSetupMerge` default does).
    Branch(String),
    /// A commit id (full or abbreviated), or any revision git understands.
    Commit(String),
}

/// The longest branch name CodeCommit accepts.
pub const MAX_BRANCH_NAME_LEN: usize = 256;

/// The local branches, sorted by name, each with its upstream and ahead/behind counts.
pub fn local_branches(repo: &Path) -> Result<Vec<LocalBranch>, GitError> {
    let repository = open(repo)?;
    let mut out = Vec::new();
    for item in repository
        .branches(Some(BranchType::Local))
        .map_err(other("cannot list branches"))?
    {
        let (branch, _) = item.map_err(other("cannot list branches"))?;
        let reference = branch.get();
        let Some(refname) = reference.name().ok().map(str::to_string) else {
            continue;
        };
        let name = refname
            .strip_prefix("refs/heads/")
            .unwrap_or(&refname)
            .to_string();
        let Ok(tip) = reference.peel_to_commit() else {
            continue;
        };
        let upstream_ref = repository
            .branch_upstream_name(&refname)
            .ok()
            .and_then(|buf| buf.as_str().ok().map(str::to_string));
        let mut upstream = None;
        let mut upstream_gone = false;
        let (mut ahead, mut behind) = (0, 0);
        if let Some(upstream_ref) = upstream_ref {
            upstream = Some(short_ref(&upstream_ref));
            match repository.refname_to_id(&upstream_ref) {
                Ok(id) => {
                    (ahead, behind) = repository
                        .graph_ahead_behind(tip.id(), id)
                        .map_err(other("cannot compare with the upstream"))?;
                }
                Err(_) => upstream_gone = true,
            }
        }
        out.push(LocalBranch {
            name,
            head: branch.is_head(),
            upstream,
            upstream_gone,
            ahead,
            behind,
            last_commit: summary(&tip),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The remote-tracking branches, sorted by name (`<remote>/HEAD` left out).
pub fn remote_branches(repo: &Path) -> Result<Vec<RemoteBranch>, GitError> {
    let repository = open(repo)?;
    let mut out = Vec::new();
    for item in repository
        .branches(Some(BranchType::Remote))
        .map_err(other("cannot list remote-tracking branches"))?
    {
        let (branch, _) = item.map_err(other("cannot list remote-tracking branches"))?;
        let reference = branch.get();
        if reference.kind() == Some(git2::ReferenceType::Symbolic) {
            continue;
        }
        let Some(refname) = reference.name().ok().map(str::to_string) else {
            continue;
        };
        let name = refname
            .strip_prefix("refs/remotes/")
            .unwrap_or(&refname)
            .to_string();
        if name.ends_with("/HEAD") {
            continue;
        }
        let Ok(tip) = reference.peel_to_commit() else {
            continue;
        };
        let remote = repository
            .branch_remote_name(&refname)
            .ok()
            .and_then(|buf| buf.as_str().ok().map(str::to_string))
            .unwrap_or_else(|| name.split('/').next().unwrap_or_default().to_string());
        let branch = name
            .strip_prefix(&format!("{remote}/"))
            .unwrap_or(&name)
            .to_string();
        out.push(RemoteBranch {
            name,
            remote,
            branch,
            last_commit: summary(&tip),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Checks a name for a new branch: git's `check-ref-format --branch` rules for
/// `refs/heads/<name>`, what `git branch` refuses besides (`HEAD`, a leading `-`), and
/// CodeCommit's limits (at most [`MAX_BRANCH_NAME_LEN`] characters, not a 40-hex-digit name,
/// which would read as a commit id). `Err` carries the first reason found, in words.
pub fn validate_branch_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".to_string());
    }
    if name.chars().count() > MAX_BRANCH_NAME_LEN {
        return Err(format!(
            "the name is longer than {MAX_BRANCH_NAME_LEN} characters (CodeCommit's limit)"
        ));
    }
    if name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("a name of 40 hexadecimal digits would be taken for a commit id".to_string());
    }
    if name == "HEAD" {
        return Err("HEAD is reserved".to_string());
    }
    if name == "@" {
        return Err("\"@\" alone is reserved (it means HEAD)".to_string());
    }
    if name.starts_with('-') {
        return Err("it starts with '-' (it would read as an option)".to_string());
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_control()) {
        return Err(format!(
            "it contains a control character (0x{:02x})",
            u32::from(c)
        ));
    }
    if name.contains(' ') {
        return Err("it contains a space".to_string());
    }
    for c in ['~', '^', ':', '?', '*', '[', '\\'] {
        if name.contains(c) {
            return Err(format!("it contains '{c}'"));
        }
    }
    if name.contains("..") {
        return Err("it contains \"..\"".to_string());
    }
    if name.contains("@{") {
        return Err("it contains \"@{\"".to_string());
    }
    if name.starts_with('/') {
        return Err("it starts with '/'".to_string());
    }
    if name.ends_with('/') {
        return Err("it ends with '/'".to_string());
    }
    if name.contains("//") {
        return Err("it contains \"//\" (an empty path component)".to_string());
    }
    if name.ends_with('.') {
        return Err("it ends with '.'".to_string());
    }
    for component in name.split('/') {
        if component.starts_with('.') {
            return Err(format!("the part {component:?} starts with '.'"));
        }
        if component.ends_with(".lock") {
            return Err(format!("the part {component:?} ends with \".lock\""));
        }
    }
    // Backstop: whatever libgit2 refuses besides (it should agree with the rules above).
    if !git2::Reference::is_valid_name(&format!("refs/heads/{name}")) {
        return Err("git does not accept it as a branch name".to_string());
    }
    Ok(())
}

/// Creates the local branch `name` at `start`, and switches to it when `checkout` (see
/// [`switch_branch`]: local changes in the way refuse the switch; the branch is created anyway).
/// Starting from a remote-tracking branch makes it the new branch's upstream.
///
/// Errors: [`GitError::InvalidBranchName`], [`GitError::BranchExists`], [`GitError::NoHead`]
/// (start at an unborn HEAD), [`GitError::BranchNotFound`], [`GitError::RevisionNotFound`].
///
/// Cancel: `is_cancelled` is asked before the branch is created, and by the switch (see
/// [`switch_branch`]) before the working tree changes; a switch cancelled there deletes the
/// branch just created, so a cancelled call changes nothing ([`GitError::Cancelled`]).
pub fn create_branch(
    repo: &Path,
    name: &str,
    start: &StartPoint,
    checkout: bool,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    check_name(name)?;
    let repository = open(repo)?;
    if local_exists(&repository, name) {
        return Err(GitError::BranchExists(name.to_string()));
    }
    let (target, upstream) = match start {
        StartPoint::Head => (
            head_commit(&repository)?.ok_or(GitError::NoHead)?.id(),
            None,
        ),
        StartPoint::Branch(branch) => {
            if let Ok(id) = repository.refname_to_id(&format!("refs/heads/{branch}")) {
                (id, None)
            } else if let Ok(id) = repository.refname_to_id(&format!("refs/remotes/{branch}")) {
                (id, Some(branch.clone()))
            } else {
                return Err(GitError::BranchNotFound(branch.clone()));
            }
        }
        StartPoint::Commit(rev) => {
            let commit = repository
                .revparse_single(rev)
                .and_then(|object| object.peel_to_commit())
                .map_err(|_| GitError::RevisionNotFound(rev.clone()))?;
            (commit.id(), None)
        }
    };
    let commit = repository
        .find_commit(target)
        .map_err(other("cannot read the start point"))?;
    if is_cancelled() {
        return Err(GitError::Cancelled);
    }
    let mut branch = repository
        .branch(name, &commit, false)
        .map_err(|e| match e.code() {
            ErrorCode::Exists => GitError::BranchExists(name.to_string()),
            _ => other("cannot create the branch")(e),
        })?;
    if let Some(upstream) = upstream {
        branch
            .set_upstream(Some(&upstream))
            .map_err(other("cannot set the upstream"))?;
    }
    if checkout {
        match switch_branch(repo, name, is_cancelled) {
            Err(GitError::Cancelled) => {
                // Nothing else changed yet: take the new branch back too.
                branch
                    .delete()
                    .map_err(other("cancelled, but cannot delete the new branch"))?;
                return Err(GitError::Cancelled);
            }
            other => other?,
        }
    }
    Ok(())
}

/// Switches to the branch `name`: the working tree and the index take its tree, local changes
/// that do not collide are carried over (as `git switch` does). A name that is not a local
/// branch but a remote-tracking one (`origin/x`, or `x` when exactly one remote has an `x`)
/// creates the local branch `x` tracking it, then switches to it (`origin/x` with an existing
/// local `x` that tracks it switches to that `x`).
///
/// Errors: [`GitError::UncommittedChanges`] with the paths in the way (nothing was changed),
/// [`GitError::MergeInProgress`] (or `Other` for another operation in progress),
/// [`GitError::BranchNotFound`], [`GitError::BranchExists`] (`origin/x` while a local `x`
/// tracks something else).
///
/// Cancel: `is_cancelled` is asked once, before anything is created or written
/// ([`GitError::Cancelled`], nothing changed); for a new tracking branch that is after the dry
/// run that finds the files in the way. The checkout itself then runs to its end: a working
/// tree is never left half switched.
pub fn switch_branch(
    repo: &Path,
    name: &str,
    is_cancelled: &dyn Fn() -> bool,
) -> Result<(), GitError> {
    let repository = open(repo)?;
    check_clean_state(&repository)?;
    let previous = repository
        .head()
        .ok()
        .and_then(|h| h.target())
        .unwrap_or(git2::Oid::ZERO_SHA1);
    let mut created = false;
    let local = if local_exists(&repository, name) {
        name.to_string()
    } else {
        let (remote_ref, local) = remote_candidate(&repository, name)?;
        if local_exists(&repository, &local) {
            let upstream = repository
                .branch_upstream_name(&format!("refs/heads/{local}"))
                .ok()
                .and_then(|buf| buf.as_str().ok().map(str::to_string));
            if upstream.as_deref() != Some(remote_ref.as_str()) {
                return Err(GitError::BranchExists(local));
            }
        } else {
            check_name(&local)?;
            let target = repository
                .refname_to_id(&remote_ref)
                .map_err(other("cannot read the remote-tracking branch"))?;
            // Check the checkout first so that a refused switch creates nothing.
            let commit = repository
                .find_commit(target)
                .map_err(other("cannot read the remote-tracking branch"))?;
            checkout_commit(&repository, &commit, true)?;
            if is_cancelled() {
                return Err(GitError::Cancelled);
            }
            let mut branch = repository
                .branch(&local, &commit, false)
                .map_err(other("cannot create the branch"))?;
            branch
                .set_upstream(Some(&short_ref(&remote_ref)))
                .map_err(other("cannot set the upstream"))?;
            created = true;
        }
        local
    };
    let refname = format!("refs/heads/{local}");
    let commit = repository
        .find_reference(&refname)
        .and_then(|r| r.peel_to_commit())
        .map_err(other("cannot read the branch"))?;
    // (A branch created above was asked about already.) libgit2 plans the whole checkout
    // before it writes, so files in the way still refuse it with nothing changed.
    if !created && is_cancelled() {
        return Err(GitError::Cancelled);
    }
    checkout_commit(&repository, &commit, false)?;
    repository
        .set_head(&refname)
        .map_err(other("cannot move HEAD"))?;
    post_checkout(&repository, previous, commit.id());
    Ok(())
}

/// `post-checkout <previous HEAD> <new HEAD> 1` after a branch switch, as git runs it: HEAD has
/// moved, so only its timeout holds and its failure is logged (git only reports it).
fn post_checkout(repository: &git2::Repository, previous: git2::Oid, new: git2::Oid) {
    let (previous, new) = (previous.to_string(), new.to_string());
    crate::git::hooks::run_after(
        repository,
        "post-checkout",
        &[&previous, &new, "1"],
        None,
        crate::git::hooks::timeout(),
    );
}

/// Deletes the local branch `name` (and its configuration). Unless `force`, a branch whose tip
/// is neither contained in HEAD nor in its upstream is refused.
///
/// Errors: [`GitError::BranchNotFound`], [`GitError::CurrentBranch`],
/// [`GitError::BranchNotMerged`].
///
/// Not cancellable once called: one reference (and its configuration) goes at once; a job
/// that was cancelled while it waited checks before calling.
pub fn delete_branch(repo: &Path, name: &str, force: bool) -> Result<(), GitError> {
    let repository = open(repo)?;
    let mut branch = repository
        .find_branch(name, BranchType::Local)
        .map_err(|_| GitError::BranchNotFound(name.to_string()))?;
    if branch.is_head() {
        return Err(GitError::CurrentBranch(name.to_string()));
    }
    if !force {
        let tip = branch
            .get()
            .peel_to_commit()
            .map_err(other("cannot read the branch"))?
            .id();
        let mut merged = false;
        if let Some(head) = head_commit(&repository)? {
            merged = contains(&repository, head.id(), tip)?;
        }
        if !merged {
            if let Ok(upstream) = branch.upstream() {
                if let Some(id) = upstream.get().target() {
                    merged = contains(&repository, id, tip)?;
                }
            }
        }
        if !merged {
            return Err(GitError::BranchNotMerged {
                branch: name.to_string(),
            });
        }
    }
    branch.delete().map_err(other("cannot delete the branch"))
}

/// Renames the local branch `old` to `new`, with its configuration (upstream) and, when it is
/// the current branch, HEAD.
///
/// Errors: [`GitError::InvalidBranchName`], [`GitError::BranchNotFound`],
/// [`GitError::BranchExists`].
///
/// Not cancellable once called: one reference rename, done at once.
pub fn rename_branch(repo: &Path, old: &str, new: &str) -> Result<(), GitError> {
    check_name(new)?;
    let repository = open(repo)?;
    let mut branch = repository
        .find_branch(old, BranchType::Local)
        .map_err(|_| GitError::BranchNotFound(old.to_string()))?;
    if old == new {
        return Ok(());
    }
    if local_exists(&repository, new) {
        return Err(GitError::BranchExists(new.to_string()));
    }
    branch.rename(new, false).map_err(|e| match e.code() {
        ErrorCode::Exists => GitError::BranchExists(new.to_string()),
        _ => other("cannot rename the branch")(e),
    })?;
    Ok(())
}

// ---- shared with merge.rs ------------------------------------------------------------------

/// The commit as a [`CommitSummary`].
pub(crate) fn summary(commit: &git2::Commit<'_>) -> CommitSummary {
    let id = commit.id().to_string();
    let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
    let author = commit.author();
    CommitSummary {
        short_id: id.chars().take(7).collect(),
        id,
        summary: message.lines().next().unwrap_or("").trim().to_string(),
        time: author.when().seconds(),
        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
    }
}

/// Refuses when a merge (or another operation) is in progress.
pub(crate) fn check_clean_state(repository: &Repository) -> Result<(), GitError> {
    match repository.state() {
        RepositoryState::Clean => Ok(()),
        RepositoryState::Merge => Err(GitError::MergeInProgress),
        state => Err(GitError::Other(format!(
            "the repository is in the middle of an operation ({state:?}); finish or abort it first"
        ))),
    }
}

/// Checks out `commit`'s tree safely (local changes that do not collide are kept); the paths in
/// the way make it [`GitError::UncommittedChanges`] with nothing changed. `dry_run` only checks.
pub(crate) fn checkout_commit(
    repository: &Repository,
    commit: &git2::Commit<'_>,
    dry_run: bool,
) -> Result<(), GitError> {
    let in_the_way = RefCell::new(Vec::new());
    let result = {
        let mut checkout = CheckoutBuilder::new();
        checkout.safe();
        if dry_run {
            checkout.dry_run();
        }
        checkout.notify_on(git2::CheckoutNotificationType::CONFLICT);
        checkout.notify(|_, path, _, _, _| {
            if let Some(path) = path {
                in_the_way
                    .borrow_mut()
                    .push(path.to_string_lossy().into_owned());
            }
            true
        });
        repository.checkout_tree(commit.as_object(), Some(&mut checkout))
    };
    let mut files = in_the_way.into_inner();
    files.sort();
    files.dedup();
    match result {
        Ok(()) if files.is_empty() => Ok(()),
        Ok(()) => Err(GitError::UncommittedChanges { files }),
        Err(e) if !files.is_empty() || e.code() == ErrorCode::Conflict => {
            Err(GitError::UncommittedChanges { files })
        }
        Err(e) => Err(other("cannot update the working tree")(e)),
    }
}

/// `refs/remotes/origin/x` → `origin/x`.
fn short_ref(refname: &str) -> String {
    refname
        .strip_prefix("refs/remotes/")
        .or_else(|| refname.strip_prefix("refs/heads/"))
        .unwrap_or(refname)
        .to_string()
}

fn check_name(name: &str) -> Result<(), GitError> {
    validate_branch_name(name).map_err(|reason| GitError::InvalidBranchName {
        name: name.to_string(),
        reason,
    })
}

fn local_exists(repository: &Repository, name: &str) -> bool {
    repository
        .find_reference(&format!("refs/heads/{name}"))
        .is_ok()
}

/// The remote-tracking ref for a name that is not a local branch, and the local branch name it
/// gives: `origin/x` → (`refs/remotes/origin/x`, `x`); `x` → the one `refs/remotes/<r>/x`.
fn remote_candidate(repository: &Repository, name: &str) -> Result<(String, String), GitError> {
    let refname = format!("refs/remotes/{name}");
    if repository.find_reference(&refname).is_ok() {
        let remote = repository
            .branch_remote_name(&refname)
            .ok()
            .and_then(|buf| buf.as_str().ok().map(str::to_string));
        let local = match remote {
            Some(remote) => name.strip_prefix(&format!("{remote}/")).map(str::to_string),
            None => name.split_once('/').map(|(_, rest)| rest.to_string()),
        };
        if let Some(local) = local {
            return Ok((refname, local));
        }
    }
    let remotes = repository
        .remotes()
        .map_err(other("cannot list the remotes"))?;
    let mut found = Vec::new();
    for remote in remotes.iter().flatten().flatten() {
        let candidate = format!("refs/remotes/{remote}/{name}");
        if repository.find_reference(&candidate).is_ok() {
            found.push(candidate);
        }
    }
    match found.len() {
        0 => Err(GitError::BranchNotFound(name.to_string())),
        1 => Ok((found.remove(0), name.to_string())),
        _ => Err(GitError::Other(format!(
            "{name} exists on several remotes ({}); choose one",
            found
                .iter()
                .map(|r| short_ref(r))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `tip` is `base` or one of its ancestors.
fn contains(repository: &Repository, base: Oid, tip: Oid) -> Result<bool, GitError> {
    Ok(base == tip
        || repository
            .graph_descendant_of(base, tip)
            .map_err(other("cannot walk the history"))?)
}
