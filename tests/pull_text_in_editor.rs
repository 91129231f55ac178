//! `$EDITOR` for pull request texts: the real binary in a pseudo-terminal on `--demo`, with a
//! scripted editor as `core.editor` in the global git config. ctrl-e in the text editor of a
//! comment hands the terminal to the editor on a file holding the draft and a comment block;
//! what it leaves comes back into the text editor (comment lines removed), ctrl-s posts it,
//! and the comment shows in the request view, read back from the service.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "support/pty.rs"]
mod pty;

#[test]
fn a_comment_written_in_the_editor_is_posted() {
    let home = tempfile::tempdir().unwrap();
    let editor = home.path().join("editor");
    std::fs::write(
        &editor,
        "#!/bin/sh\n\
         grep -q '^Draft words$' \"$1\" || exit 3\n\
         grep -q '^# ------------------------ >8' \"$1\" || exit 4\n\
         echo 'the editor ran'\n\
         printf 'Written in the editor.\\n# Second line.\\n# ------------------------ >8 ------------------------\\n# dropped\\n' > \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        home.path().join(".gitconfig"),
        format!("[core]\n\teditor = {}\n", editor.display()),
    )
    .unwrap();
    let mut env = pty::bare_env(home.path());
    env.push(("EDITOR".into(), "false".into()));
    env.push(("GIT_CONFIG_NOSYSTEM".into(), "1".into()));
    let mut pty = pty::spawn_with(home, &env, &["--demo"], 120);
    pty.wait_for_screen("cctui-demo");
    pty.send(b"v");
    // The list is newest activity first and rows stream in: once all are listed, move to the
    // login request and open it.
    pty.wait_for_screen_where("the whole listing", |screen| {
        screen.contains("Login screen: first steps")
            && screen.contains(" shown")
            && !screen.contains("listing…")
    });
    let screen = pty.screen();
    let login_first =
        screen.find("Login screen").unwrap() < screen.find("Develop:").unwrap_or(usize::MAX);
    if !login_first {
        pty.send(b"j");
    }
    pty.send(b"\r");
    pty.wait_for_screen("Approval rules");
    pty.send(b"c");
    pty.wait_for_screen("ctrl-e $EDITOR");
    pty.send(b"Draft words");
    let before = pty.mark();
    pty.send(b"\x05"); // ctrl-e
    pty.wait_for_after(before, b"the editor ran");
    pty.wait_for_screen("From your editor");
    assert!(pty.screen().contains("# Second line."), "{}", pty.screen());
    assert!(!pty.screen().contains("# dropped"));
    pty.send(b"\x13"); // ctrl-s
    pty.wait_for_screen("Commented on the request");
    pty.wait_for_screen("alice: Written in the editor.");
    pty.send(b"\x1b");
    pty.wait_for_screen("Pull requests");
    pty.send(b"\x1b");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while pty.screen().contains("Pull requests ·") {
        assert!(
            std::time::Instant::now() < deadline,
            "the list did not close"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    pty.send(b"q");
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
}
