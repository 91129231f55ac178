//! `$EDITOR` for commit messages: the real binary in a pseudo-terminal on a real clone, with a
//! scripted editor. ctrl-e in the commit editor hands the terminal to the editor git would run
//! (`core.editor` before `$EDITOR` here), on `.git/COMMIT_EDITMSG` with the draft and git's
//! template; the commit is made with what it leaves; an empty message aborts; the screen is
//! repainted afterwards.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/pty.rs"]
mod pty;

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir.parent().unwrap())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A home with a git identity, a clone with one commit and a staged new file, and an editor
/// script `editor` that runs `body` (a shell snippet; `$1` is the message file).
fn setup(body: &str) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".gitconfig"),
        "[user]\n\tname = Ada\n\temail = ada@example.com\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    let clone = home.path().join("work");
    std::fs::create_dir_all(&clone).unwrap();
    git(&clone, &["init", "-q"]);
    std::fs::write(clone.join("README.md"), "hello\n").unwrap();
    git(&clone, &["add", "README.md"]);
    git(&clone, &["commit", "-qm", "First"]);
    std::fs::write(clone.join("notes.txt"), "a note\n").unwrap();
    git(&clone, &["add", "notes.txt"]);
    let editor = home.path().join("editor");
    std::fs::write(&editor, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    // core.editor comes before $EDITOR in git's order: $EDITOR would fail the commit.
    git(
        &clone,
        &["config", "core.editor", &editor.display().to_string()],
    );
    (home, clone)
}

fn start(home: tempfile::TempDir, clone: &Path) -> pty::Pty {
    let mut env = pty::bare_env(home.path());
    env.push(("EDITOR".into(), "false".into()));
    env.push(("GIT_CONFIG_NOSYSTEM".into(), "1".into()));
    let clone = clone.display().to_string();
    pty::spawn_with(home, &env, &["-C", &clone], 120)
}

#[test]
fn the_message_written_in_the_editor_is_committed_and_the_screen_comes_back() {
    // The editor checks it got git's template with the draft, then writes the message.
    let (home, clone) = setup(
        "grep -q '^Draft line$' \"$1\" || exit 3\n\
         grep -q '^# On branch main$' \"$1\" || exit 4\n\
         grep -q 'new file:   notes.txt' \"$1\" || exit 5\n\
         echo 'the editor ran'\n\
         printf 'Add notes from the editor\\n\\nWritten in $EDITOR.\\n# a comment\\n' > \"$1\"",
    );
    let mut pty = start(home, &clone);
    pty.wait_for_screen("notes.txt");
    pty.send(b"c");
    pty.wait_for_screen("ctrl-e $EDITOR");
    pty.send(b"Draft line");
    let before = pty.mark();
    pty.send(b"\x05"); // ctrl-e
    pty.wait_for_after(before, b"the editor ran");
    // The message shows in the commit editor while the commit runs ("committing…"); the
    // commit has landed when the log pane lists it, and the screen is whole again (no trace
    // of the editor's output, the status pane back).
    pty.wait_for_screen_where("the commit in the log, the screen repainted", |screen| {
        screen.contains("Add notes from the editor  Ada")
            && !screen.contains("the editor ran")
            && screen.contains("Status")
    });
    assert_eq!(
        git(&clone, &["log", "-1", "--format=%B"]).trim_end(),
        "Add notes from the editor\n\nWritten in $EDITOR."
    );
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}

#[test]
fn an_empty_message_aborts_and_a_failing_editor_commits_nothing() {
    let (home, clone) = setup(
        "if [ -e \"$HOME/second\" ]; then exit 1; fi\n\
         touch \"$HOME/second\"\n\
         printf '# only a comment\\n\\n' > \"$1\"",
    );
    let head = git(&clone, &["rev-parse", "HEAD"]);
    let mut pty = start(home, &clone);
    pty.wait_for_screen("notes.txt");
    pty.send(b"c");
    pty.wait_for_screen("ctrl-e $EDITOR");
    pty.send(b"\x05");
    pty.wait_for_screen("Aborting commit due to empty commit message");
    assert_eq!(
        git(&clone, &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );
    // Second time the editor exits with status 1: nothing is committed, the draft stays.
    pty.send(b"c");
    pty.wait_for_screen("ctrl-e $EDITOR");
    pty.send(b"Kept draft");
    pty.send(b"\x05");
    pty.wait_for_screen("did not finish");
    pty.wait_for_screen("Kept draft");
    assert_eq!(
        git(&clone, &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );
    pty.send(b"\x1b");
    // (esc and q sent together would read as alt-q)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while pty.screen().contains("esc keep draft") {
        assert!(
            std::time::Instant::now() < deadline,
            "the editor did not close"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}
