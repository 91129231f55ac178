//! `cctui::git::commit` on real temp repositories with a sandboxed configuration: hooks
//! (pre-commit, prepare-commit-msg, commit-msg, core.hooksPath, the executable bit), amend,
//! identity, empty message and empty commit refused, first commit, message clean-up.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

#[path = "support/git_remote.rs"]
mod git_remote;
#[path = "support/local.rs"]
mod local_support;

use std::path::Path;

use cctui::git::{CommitRequest, GitError, commit};
use git_remote::*;
use local_support::*;

fn request(message: &str) -> CommitRequest {
    CommitRequest {
        message: message.to_string(),
        ..CommitRequest::default()
    }
}

/// Writes an executable hook script (a sandboxed git for hooks that call git).
fn hook(dir: &Path, name: &str, body: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\nexport GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1\n{body}\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn hooks_dir(repo: &Path) -> std::path::PathBuf {
    repo.join(".git/hooks")
}

/// The full message of `what`.
fn message_of(repo: &Path, what: &str) -> String {
    git_ok(repo, &["log", "-1", "--format=%B", what])
}

fn new_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    repo_init(&repo);
    (dir, repo)
}

#[test]
fn first_commit_on_an_unborn_head_creates_the_branch_with_the_config_identity() {
    let (_dir, repo) = new_repo();
    stage(&repo, "a.txt", "a\n");
    let outcome = commit(
        &repo,
        &request("\n\nfirst commit  \n\n\n\nbody line   \n\n"),
    )
    .unwrap();

    assert_eq!(rev(&repo, "refs/heads/main"), outcome.id);
    assert_eq!(outcome.summary, "first commit");
    // Cleaned up as `git commit -m` does.
    let stored = open_repo(&repo)
        .find_commit(git2::Oid::from_str(&outcome.id).unwrap())
        .unwrap()
        .message()
        .unwrap()
        .to_string();
    assert_eq!(stored, "first commit\n\nbody line\n");
    assert_eq!(
        git_ok(&repo, &["log", "-1", "--format=%an <%ae>|%cn <%ce>|%P"]),
        "Repo User <repo.user@example.com>|Repo User <repo.user@example.com>|"
    );
    assert_eq!(git_ok(&repo, &["ls-tree", "--name-only", "HEAD"]), "a.txt");
    assert_eq!(git_ok(&repo, &["status", "--porcelain"]), "");
    // The reflog says what happened, as git writes it.
    assert_eq!(
        git_ok(&repo, &["reflog", "-1", "--format=%gs"]),
        "commit (initial): first commit"
    );
}

#[test]
fn second_commit_has_head_as_parent() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    stage(&repo, "a.txt", "b\n");
    let outcome = commit(&repo, &request("second")).unwrap();
    assert_eq!(rev(&repo, "HEAD"), outcome.id);
    assert_eq!(rev(&repo, "HEAD^"), first);
    assert_eq!(git_ok(&repo, &["show", "HEAD:a.txt"]), "b");
}

#[test]
fn empty_message_is_refused_and_nothing_is_committed() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    stage(&repo, "a.txt", "b\n");
    for message in ["", "   ", " \n\n \t\n"] {
        let error = commit(&repo, &request(message)).unwrap_err();
        assert!(
            matches!(error, GitError::EmptyMessage),
            "{message:?}: {error:?}"
        );
    }
    assert_eq!(rev(&repo, "HEAD"), first);
}

#[test]
fn empty_commit_is_refused_unless_allowed() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    // An unstaged change does not count.
    std::fs::write(repo.join("a.txt"), "changed but not staged\n").unwrap();
    let error = commit(&repo, &request("nothing")).unwrap_err();
    assert!(matches!(error, GitError::NothingToCommit), "{error:?}");
    assert!(error.hint().unwrap().contains("stage"));
    assert_eq!(rev(&repo, "HEAD"), first);

    let allowed = CommitRequest {
        allow_empty: true,
        ..request("empty on purpose")
    };
    let outcome = commit(&repo, &allowed).unwrap();
    assert_eq!(rev(&repo, "HEAD^"), first);
    assert_eq!(
        rev(&repo, "HEAD^{tree}"),
        rev(&repo, &format!("{first}^{{tree}}"))
    );
    assert_eq!(outcome.summary, "empty on purpose");
}

#[test]
fn nothing_staged_on_an_unborn_head_is_refused() {
    let (_dir, repo) = new_repo();
    let error = commit(&repo, &request("nothing")).unwrap_err();
    assert!(matches!(error, GitError::NothingToCommit), "{error:?}");
    assert_eq!(try_rev(&repo, "HEAD"), None);
}

#[test]
fn missing_identity_is_an_error_with_a_hint_and_commits_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    sandbox_config();
    git_ok(
        dir.path(),
        &["init", "-q", "-b", "main", repo.to_str().unwrap()],
    );
    stage(&repo, "a.txt", "a\n");

    let error = commit(&repo, &request("who am I")).unwrap_err();
    let GitError::MissingIdentity { missing } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*missing, "user.name and user.email");
    let hint = error.hint().unwrap();
    assert!(hint.contains("git config --global user.name"), "{hint}");
    assert!(hint.contains("user.email"), "{hint}");

    git_ok(&repo, &["config", "user.name", "Only Name"]);
    let error = commit(&repo, &request("who am I")).unwrap_err();
    assert!(
        matches!(
            error,
            GitError::MissingIdentity {
                missing: "user.email"
            }
        ),
        "{error:?}"
    );
    git_ok(&repo, &["config", "--unset", "user.name"]);
    git_ok(&repo, &["config", "user.email", "only@example.com"]);
    let error = commit(&repo, &request("who am I")).unwrap_err();
    assert!(
        matches!(
            error,
            GitError::MissingIdentity {
                missing: "user.name"
            }
        ),
        "{error:?}"
    );
    assert_eq!(try_rev(&repo, "HEAD"), None);

    // The same identity in the (sandboxed) global configuration is found.
    git_ok(&repo, &["config", "user.name", "Now Named"]);
    commit(&repo, &request("now I am")).unwrap();
    assert_eq!(git_ok(&repo, &["log", "-1", "--format=%an"]), "Now Named");
}

#[test]
fn amend_keeps_author_and_parents_and_replaces_message_and_tree() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    // The CLI helper commits as "Test Author"; our config says "Repo User".
    let second = cli_commit(&repo, "b.txt", "b\n", "second, with a typo");
    let author_before = git_ok(&repo, &["log", "-1", "--format=%an <%ae> %at"]);
    stage(&repo, "c.txt", "c\n");

    let amend = CommitRequest {
        amend: true,
        ..request("second, fixed")
    };
    let outcome = commit(&repo, &amend).unwrap();

    assert_ne!(outcome.id, second);
    assert_eq!(rev(&repo, "HEAD"), outcome.id);
    assert_eq!(rev(&repo, "HEAD^"), first);
    assert_eq!(git_ok(&repo, &["rev-list", "--count", "HEAD"]), "2");
    assert_eq!(message_of(&repo, "HEAD"), "second, fixed");
    assert_eq!(
        git_ok(&repo, &["log", "-1", "--format=%an <%ae> %at"]),
        author_before
    );
    assert_eq!(
        git_ok(&repo, &["log", "-1", "--format=%cn <%ce>"]),
        "Repo User <repo.user@example.com>"
    );
    assert_eq!(
        git_ok(&repo, &["ls-tree", "--name-only", "HEAD"]),
        "a.txt\nb.txt\nc.txt"
    );
    // The old commit is still reachable from the reflog (nothing lost).
    assert!(git_ok(&repo, &["reflog", "--format=%H"]).contains(&second));
    assert_eq!(
        git_ok(&repo, &["reflog", "-1", "--format=%gs"]),
        "commit (amend): second, fixed"
    );
    assert_eq!(
        git_ok(&repo, &["reflog", "-1", "--format=%gs", "main"]),
        "commit (amend): second, fixed"
    );
}

#[test]
fn amend_works_on_the_first_commit() {
    let (_dir, repo) = new_repo();
    cli_commit(&repo, "a.txt", "a\n", "root");
    let amend = CommitRequest {
        amend: true,
        ..request("root, reworded")
    };
    let outcome = commit(&repo, &amend).unwrap();
    assert_eq!(rev(&repo, "HEAD"), outcome.id);
    assert_eq!(git_ok(&repo, &["log", "-1", "--format=%P"]), "");
    assert_eq!(git_ok(&repo, &["rev-list", "--count", "HEAD"]), "1");
    assert_eq!(message_of(&repo, "HEAD"), "root, reworded");
    assert_eq!(git_ok(&repo, &["log", "-1", "--format=%an"]), "Test Author");
}

#[test]
fn amend_without_a_commit_or_into_an_empty_commit_is_refused() {
    let (_dir, repo) = new_repo();
    stage(&repo, "a.txt", "a\n");
    let amend = CommitRequest {
        amend: true,
        ..request("nothing to amend")
    };
    let error = commit(&repo, &amend).unwrap_err();
    assert!(matches!(error, GitError::NothingToAmend), "{error:?}");

    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    let second = cli_commit(&repo, "b.txt", "b\n", "adds b");
    git_ok(&repo, &["rm", "-q", "--cached", "b.txt"]);
    // Amending away b.txt would make the commit's tree its parent's.
    let error = commit(&repo, &amend).unwrap_err();
    assert!(matches!(error, GitError::NothingToCommit), "{error:?}");
    assert_eq!(rev(&repo, "HEAD"), second);
    let allowed = CommitRequest {
        allow_empty: true,
        ..amend
    };
    commit(&repo, &allowed).unwrap();
    assert_eq!(rev(&repo, "HEAD^"), first);
    assert_eq!(
        rev(&repo, "HEAD^{tree}"),
        rev(&repo, &format!("{first}^{{tree}}"))
    );
}

#[test]
fn passing_pre_commit_hook_runs_in_the_work_tree_with_gits_environment() {
    let (_dir, repo) = new_repo();
    cli_commit(&repo, "a.txt", "a\n", "first");
    hook(
        &hooks_dir(&repo),
        "pre-commit",
        r#"{ pwd; echo "index=$GIT_INDEX_FILE"; echo "editor=$GIT_EDITOR"; echo "author=$GIT_AUTHOR_NAME <$GIT_AUTHOR_EMAIL>"; echo "args=$#"; git diff --cached --name-only; } > "$(git rev-parse --git-dir)/pre-commit.ran""#,
    );
    stage(&repo, "b.txt", "b\n");
    let outcome = commit(&repo, &request("with hook")).unwrap();
    assert_eq!(rev(&repo, "HEAD"), outcome.id);

    let ran = std::fs::read_to_string(repo.join(".git/pre-commit.ran")).unwrap();
    let lines: Vec<&str> = ran.lines().collect();
    assert_eq!(
        Path::new(lines[0]).canonicalize().unwrap(),
        repo.canonicalize().unwrap()
    );
    let index = lines[1].strip_prefix("index=").unwrap();
    assert_eq!(
        Path::new(index).canonicalize().unwrap(),
        repo.join(".git/index").canonicalize().unwrap()
    );
    assert_eq!(lines[2], "editor=:");
    assert_eq!(lines[3], "author=Repo User <repo.user@example.com>");
    assert_eq!(lines[4], "args=0");
    assert_eq!(lines[5], "b.txt");
}

#[test]
fn failing_pre_commit_hook_reports_its_output_and_commits_nothing() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    hook(
        &hooks_dir(&repo),
        "pre-commit",
        "echo 'checking style'\necho 'trailing whitespace in b.txt' >&2\necho 'done'\nexit 3",
    );
    stage(&repo, "b.txt", "b \n");
    let error = commit(&repo, &request("should not land")).unwrap_err();
    let GitError::HookFailed { hook, output } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(hook, "pre-commit");
    assert_eq!(
        output,
        "checking style\ntrailing whitespace in b.txt\ndone\n"
    );
    assert!(error.to_string().contains("pre-commit"));
    assert_eq!(rev(&repo, "HEAD"), first);
    // The staged change is still staged.
    assert_eq!(git_ok(&repo, &["diff", "--cached", "--name-only"]), "b.txt");

    // --no-verify skips it.
    let skip = CommitRequest {
        no_verify: true,
        ..request("skip the hook")
    };
    commit(&repo, &skip).unwrap();
    assert_eq!(rev(&repo, "HEAD^"), first);
}

#[test]
fn pre_commit_hook_that_stages_a_file_is_included() {
    let (_dir, repo) = new_repo();
    cli_commit(&repo, "a.txt", "a\n", "first");
    hook(
        &hooks_dir(&repo),
        "pre-commit",
        "echo generated > generated.txt && git add generated.txt",
    );
    stage(&repo, "b.txt", "b\n");
    commit(&repo, &request("with generated file")).unwrap();
    assert_eq!(
        git_ok(&repo, &["ls-tree", "--name-only", "HEAD"]),
        "a.txt\nb.txt\ngenerated.txt"
    );
    assert_eq!(git_ok(&repo, &["status", "--porcelain"]), "");
}

#[test]
fn commit_msg_hook_can_rewrite_the_message() {
    let (_dir, repo) = new_repo();
    cli_commit(&repo, "a.txt", "a\n", "first");
    hook(
        &hooks_dir(&repo),
        "prepare-commit-msg",
        r#"echo "prepare: $2" > "$(git rev-parse --git-dir)/prepare.ran""#,
    );
    hook(
        &hooks_dir(&repo),
        "commit-msg",
        r#"msg=$(cat "$1"); printf 'JIRA-7: %s\n\nSigned-off-by: Hook <hook@example.com>\n' "$msg" > "$1""#,
    );
    stage(&repo, "b.txt", "b\n");
    let outcome = commit(&repo, &request("add b")).unwrap();
    assert_eq!(outcome.summary, "JIRA-7: add b");
    assert_eq!(
        message_of(&repo, "HEAD"),
        "JIRA-7: add b\n\nSigned-off-by: Hook <hook@example.com>"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/prepare.ran")).unwrap(),
        "prepare: message\n"
    );
}

#[test]
fn failing_commit_msg_hook_commits_nothing() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    hook(
        &hooks_dir(&repo),
        "commit-msg",
        r#"grep -q '^JIRA-[0-9]' "$1" || { echo "message must start with a ticket: $(head -1 "$1")"; exit 1; }"#,
    );
    stage(&repo, "b.txt", "b\n");
    let error = commit(&repo, &request("no ticket")).unwrap_err();
    let GitError::HookFailed { hook, output } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(hook, "commit-msg");
    assert_eq!(output, "message must start with a ticket: no ticket\n");
    assert_eq!(rev(&repo, "HEAD"), first);

    commit(&repo, &request("JIRA-1 with ticket")).unwrap();
    assert_eq!(rev(&repo, "HEAD^"), first);
}

#[test]
fn commit_msg_hook_that_empties_the_message_aborts() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    hook(&hooks_dir(&repo), "commit-msg", r#": > "$1""#);
    stage(&repo, "b.txt", "b\n");
    let error = commit(&repo, &request("will vanish")).unwrap_err();
    assert!(matches!(error, GitError::EmptyMessage), "{error:?}");
    assert_eq!(rev(&repo, "HEAD"), first);
}

#[test]
fn core_hooks_path_is_honoured_and_non_executable_hooks_are_ignored() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    // The default directory's hook would fail; core.hooksPath points elsewhere (relative to
    // the work tree root).
    hook(&hooks_dir(&repo), "pre-commit", "echo default-dir; exit 1");
    hook(
        &repo.join("ci/hooks"),
        "pre-commit",
        "echo custom-dir; exit 1",
    );
    git_ok(&repo, &["config", "core.hooksPath", "ci/hooks"]);
    stage(&repo, "b.txt", "b\n");
    let error = commit(&repo, &request("blocked by the custom hook")).unwrap_err();
    let GitError::HookFailed { output, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(output, "custom-dir\n");
    assert_eq!(rev(&repo, "HEAD"), first);

    // Not executable: git ignores it, so do we.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        repo.join("ci/hooks/pre-commit"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    commit(&repo, &request("hook ignored")).unwrap();
    assert_eq!(rev(&repo, "HEAD^"), first);

    // An absolute core.hooksPath.
    let absolute = repo.parent().unwrap().join("shared-hooks");
    hook(&absolute, "commit-msg", "echo absolute; exit 1");
    git_ok(
        &repo,
        &["config", "core.hooksPath", absolute.to_str().unwrap()],
    );
    stage(&repo, "c.txt", "c\n");
    let error = commit(&repo, &request("blocked again")).unwrap_err();
    assert!(
        matches!(&error, GitError::HookFailed { hook, output } if hook == "commit-msg" && output == "absolute\n"),
        "{error:?}"
    );
}

#[test]
fn a_hook_without_a_shebang_runs_with_the_shell() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    let path = hooks_dir(&repo).join("pre-commit");
    std::fs::write(&path, "echo no shebang here\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    stage(&repo, "b.txt", "b\n");
    let error = commit(&repo, &request("x")).unwrap_err();
    assert!(
        matches!(&error, GitError::HookFailed { output, .. } if output == "no shebang here\n"),
        "{error:?}"
    );
    assert_eq!(rev(&repo, "HEAD"), first);
}

#[test]
fn commit_after_a_conflicted_merge_needs_resolution_then_records_both_parents() {
    let (_dir, repo) = new_repo();
    cli_commit(&repo, "a.txt", "base\n", "base");
    git_ok(&repo, &["checkout", "-q", "-b", "other"]);
    let theirs = cli_commit(&repo, "a.txt", "theirs\n", "theirs");
    git_ok(&repo, &["checkout", "-q", "main"]);
    let ours = cli_commit(&repo, "a.txt", "ours\n", "ours");
    let merge = git(&repo, &["merge", "-q", "other"]);
    assert!(!merge.status.success());

    let error = commit(&repo, &request("merge")).unwrap_err();
    assert!(
        matches!(&error, GitError::UnresolvedConflicts { files } if files == &["a.txt"]),
        "{error:?}"
    );
    assert_eq!(rev(&repo, "HEAD"), ours);

    stage(&repo, "a.txt", "resolved\n");
    let outcome = commit(&repo, &request("Merge branch 'other'")).unwrap();
    assert_eq!(
        git_ok(&repo, &["log", "-1", "--format=%P"]),
        format!("{ours} {theirs}")
    );
    assert_eq!(rev(&repo, "HEAD"), outcome.id);
    assert!(!repo.join(".git/MERGE_HEAD").exists());
    assert_eq!(git_ok(&repo, &["status", "--porcelain"]), "");
    assert_eq!(
        git_ok(&repo, &["reflog", "-1", "--format=%gs"]),
        "commit (merge): Merge branch 'other'"
    );
}

#[test]
fn detached_head_commit_moves_head_only() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    git_ok(&repo, &["checkout", "-q", "--detach"]);
    stage(&repo, "b.txt", "b\n");
    let outcome = commit(&repo, &request("detached")).unwrap();
    assert_eq!(rev(&repo, "HEAD"), outcome.id);
    assert_eq!(rev(&repo, "main"), first);
}

#[test]
fn hook_path_finds_only_executable_hooks() {
    let (_dir, repo) = new_repo();
    assert_eq!(
        cctui::git::hooks::hook_path(&repo, "pre-commit").unwrap(),
        None
    );
    // The samples git installs are not hooks.
    std::fs::write(
        hooks_dir(&repo).join("pre-commit.sample"),
        "#!/bin/sh\nexit 1\n",
    )
    .unwrap();
    assert_eq!(
        cctui::git::hooks::hook_path(&repo, "pre-commit").unwrap(),
        None
    );
    hook(&hooks_dir(&repo), "pre-commit", "exit 0");
    assert_eq!(
        cctui::git::hooks::hook_path(&repo, "pre-commit").unwrap(),
        Some(hooks_dir(&repo).join("pre-commit"))
    );
    let run = cctui::git::hooks::run_hook(
        &repo,
        "pre-commit",
        &[],
        &cctui::git::hooks::HookLimits::default(),
    )
    .unwrap()
    .unwrap();
    assert!(run.success);
}

#[test]
fn post_commit_failure_does_not_undo_the_commit_and_no_verify_keeps_prepare_commit_msg() {
    let (_dir, repo) = new_repo();
    let first = cli_commit(&repo, "a.txt", "a\n", "first");
    hook(
        &hooks_dir(&repo),
        "post-commit",
        r#"git rev-parse HEAD > "$(git rev-parse --git-dir)/post.ran"; exit 1"#,
    );
    // git runs prepare-commit-msg even with --no-verify; pre-commit and commit-msg not.
    hook(
        &hooks_dir(&repo),
        "prepare-commit-msg",
        r#"printf '%s [prepared]\n' "$(cat "$1")" > "$1""#,
    );
    hook(&hooks_dir(&repo), "pre-commit", "exit 1");
    hook(&hooks_dir(&repo), "commit-msg", "exit 1");
    stage(&repo, "b.txt", "b\n");
    let outcome = commit(
        &repo,
        &CommitRequest {
            no_verify: true,
            ..request("quick fix")
        },
    )
    .unwrap();
    assert_eq!(outcome.summary, "quick fix [prepared]");
    assert_eq!(rev(&repo, "HEAD^"), first);
    assert_eq!(
        std::fs::read_to_string(repo.join(".git/post.ran"))
            .unwrap()
            .trim(),
        outcome.id,
        "post-commit ran after the commit"
    );
}

// ---- hooks under a timeout and a cancel check; the point of no return ----------------------

mod stopping {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, mpsc};
    use std::time::{Duration, Instant};

    use cctui::git::{CommitControl, CommitOutcome, GitError, commit_with};

    use super::*;

    /// Generous: the machine may be busy; the real waits end on the event.
    const PATIENCE: Duration = Duration::from_secs(30);

    /// Waits for `what` to hold, polling, up to [`PATIENCE`].
    fn wait_for(what: &str, mut holds: impl FnMut() -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !holds() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process exists and is not a zombie (a killed child of a killed parent may stay a
    /// zombie until init reaps it; it runs nothing).
    fn alive(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => {
                let state = stat.rsplit(')').next().unwrap_or("").trim_start();
                !state.starts_with('Z') && !state.starts_with('X')
            }
            Err(_) => false,
        }
    }

    fn read_pid(file: &Path) -> Option<u32> {
        std::fs::read_to_string(file).ok()?.trim().parse().ok()
    }

    /// A hook `name` that writes its PID and the PID of the `sleep 60` it starts (its child),
    /// then waits for it; with `ignore_term` it also ignores SIGTERM (so only SIGKILL stops it).
    fn sleeping_hook(repo: &Path, name: &str, ignore_term: bool) -> (PathBuf, PathBuf) {
        let hook_pid = repo.join(format!("{name}.pid"));
        let sleep_pid = repo.join(format!("{name}.sleep.pid"));
        let trap = if ignore_term { "trap '' TERM" } else { "" };
        hook(
            &hooks_dir(repo),
            name,
            &format!(
                "{trap}\nsleep 60 &\necho $! > '{}.tmp'\nmv '{0}.tmp' '{0}'\necho $$ > '{}.tmp'\nmv '{1}.tmp' '{1}'\nwait",
                sleep_pid.display(),
                hook_pid.display()
            ),
        );
        // Not part of any commit.
        std::fs::write(repo.join(".git/info/exclude"), "*.pid\n*.tmp\n").unwrap();
        (hook_pid, sleep_pid)
    }

    /// Runs `commit_with` on a thread with a cancel flag, a point-of-no-return counter and
    /// `timeout`; returns the flag, the counter and the channel of the result.
    fn spawn_commit(
        repo: &Path,
        timeout: Duration,
    ) -> (
        Arc<AtomicBool>,
        Arc<AtomicUsize>,
        mpsc::Receiver<Result<CommitOutcome, GitError>>,
    ) {
        let cancel = Arc::new(AtomicBool::new(false));
        let finishing = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        let (repo, c, f) = (repo.to_path_buf(), cancel.clone(), finishing.clone());
        std::thread::spawn(move || {
            let is_cancelled = || c.load(Ordering::SeqCst);
            let on_point_of_no_return = || {
                f.fetch_add(1, Ordering::SeqCst);
            };
            let control = CommitControl {
                is_cancelled: &is_cancelled,
                on_point_of_no_return: &on_point_of_no_return,
                hook_timeout: timeout,
                ..CommitControl::default()
            };
            let _ = tx.send(commit_with(&repo, &request("stopped?"), &control));
        });
        (cancel, finishing, rx)
    }

    /// HEAD, the staged names, and the commit count: what a stopped commit must not change.
    fn snapshot(repo: &Path) -> (String, String, String) {
        (
            rev(repo, "HEAD"),
            git_ok(repo, &["diff", "--cached", "--name-only"]),
            git_ok(repo, &["rev-list", "--count", "--all"]),
        )
    }

    fn assert_gone(pids: &[u32]) {
        for &pid in pids {
            wait_for(&format!("process {pid} to be gone"), || !alive(pid));
        }
    }

    #[test]
    fn cancel_while_pre_commit_runs_kills_its_process_group_and_commits_nothing() {
        let (_dir, repo) = new_repo();
        cli_commit(&repo, "a.txt", "a\n", "first");
        let (hook_pid, sleep_pid) = sleeping_hook(&repo, "pre-commit", false);
        stage(&repo, "a.txt", "staged\n");
        let before = snapshot(&repo);

        let (cancel, finishing, result) = spawn_commit(&repo, Duration::from_secs(600));
        wait_for("the hook to start", || {
            read_pid(&hook_pid).is_some() && read_pid(&sleep_pid).is_some()
        });
        let pids = [read_pid(&hook_pid).unwrap(), read_pid(&sleep_pid).unwrap()];
        assert!(pids.iter().all(|&p| alive(p)), "the hook runs: {pids:?}");

        let asked = Instant::now();
        cancel.store(true, Ordering::SeqCst);
        let error = result.recv_timeout(PATIENCE).unwrap().unwrap_err();
        assert!(
            asked.elapsed() < Duration::from_secs(5),
            "took {:?}",
            asked.elapsed()
        );
        assert!(
            matches!(&error, GitError::HookCancelled { hook } if hook == "pre-commit"),
            "{error:?}"
        );
        assert!(error.is_cancelled());
        assert_eq!(error.to_string(), "cancelled while the pre-commit hook ran");
        assert_eq!(finishing.load(Ordering::SeqCst), 0, "no point of no return");
        assert_eq!(
            snapshot(&repo),
            before,
            "nothing committed, index as before"
        );
        assert_gone(&pids);
    }

    #[test]
    fn a_hook_over_its_timeout_is_killed_even_when_it_ignores_sigterm() {
        for name in ["pre-commit", "prepare-commit-msg", "commit-msg"] {
            let (_dir, repo) = new_repo();
            cli_commit(&repo, "a.txt", "a\n", "first");
            let (hook_pid, sleep_pid) = sleeping_hook(&repo, name, name == "pre-commit");
            stage(&repo, "a.txt", "staged\n");
            let before = snapshot(&repo);

            let started = Instant::now();
            let (_cancel, finishing, result) = spawn_commit(&repo, Duration::from_secs(1));
            let error = result.recv_timeout(PATIENCE).unwrap().unwrap_err();
            // One second of hook, at most the SIGTERM grace, and slack for a busy machine.
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{name}: took {:?}",
                started.elapsed()
            );
            assert!(
                matches!(&error, GitError::HookTimedOut { hook, after }
                    if hook == name && *after == Duration::from_secs(1)),
                "{error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!("the {name} hook timed out after 1 s")
            );
            assert!(!error.is_cancelled());
            assert!(error.hint().unwrap().contains("by hand"));
            assert_eq!(finishing.load(Ordering::SeqCst), 0);
            assert_eq!(snapshot(&repo), before, "{name}: nothing committed");
            let pids = [read_pid(&hook_pid).unwrap(), read_pid(&sleep_pid).unwrap()];
            assert_gone(&pids);
        }
    }

    #[test]
    fn cancelled_before_the_point_of_no_return_commits_nothing_and_after_it_completes() {
        let (_dir, repo) = new_repo();
        cli_commit(&repo, "a.txt", "a\n", "first");
        // commit-msg is the last hook before the point of no return: it raises the flag.
        let flag = repo.join("cancel-now");
        hook(
            &hooks_dir(&repo),
            "commit-msg",
            &format!("touch '{}'", flag.display()),
        );
        std::fs::write(repo.join(".git/info/exclude"), "cancel-now\n").unwrap();
        stage(&repo, "a.txt", "staged\n");
        let before = snapshot(&repo);
        let finishing = AtomicUsize::new(0);
        let is_cancelled = || flag.exists();
        let on_point_of_no_return = || {
            finishing.fetch_add(1, Ordering::SeqCst);
        };
        let control = CommitControl {
            is_cancelled: &is_cancelled,
            on_point_of_no_return: &on_point_of_no_return,
            hook_timeout: Duration::from_secs(600),
            ..CommitControl::default()
        };
        let error = commit_with(&repo, &request("not yet"), &control).unwrap_err();
        assert!(matches!(error, GitError::Cancelled), "{error:?}");
        assert!(error.is_cancelled());
        assert_eq!(finishing.load(Ordering::SeqCst), 0);
        assert_eq!(snapshot(&repo), before);

        // Without the cancel, the same commit lands and says "finishing" exactly once, even if
        // the flag is raised after that (by post-commit here).
        std::fs::remove_file(&flag).unwrap();
        std::fs::remove_file(hooks_dir(&repo).join("commit-msg")).unwrap();
        hook(
            &hooks_dir(&repo),
            "post-commit",
            &format!("touch '{}'", flag.display()),
        );
        let outcome = commit_with(&repo, &request("now"), &control).unwrap();
        assert_eq!(rev(&repo, "HEAD"), outcome.id);
        assert_eq!(finishing.load(Ordering::SeqCst), 1);
        assert!(flag.exists(), "post-commit ran");
        assert_eq!(git_ok(&repo, &["diff", "--cached", "--name-only"]), "");
    }
}
