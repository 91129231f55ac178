//! Setting the git identity from the app: the exact lines are previewed, a global file that
//! exists is backed up first, and the identity is then what a commit uses. Own test binary: it
//! points libgit2's global configuration at a directory of its own.
#![allow(clippy::unwrap_used, clippy::panic)]

use cctui::git::{IdentityScope, identity, identity_preview, set_identity};

fn init(path: &std::path::Path) {
    git2::Repository::init(path).unwrap();
}

#[test]
fn identity_is_set_for_this_clone_or_globally_with_a_backup() {
    let global = tempfile::tempdir().unwrap();
    for level in [
        git2::ConfigLevel::Global,
        git2::ConfigLevel::XDG,
        git2::ConfigLevel::System,
        git2::ConfigLevel::ProgramData,
    ] {
        // SAFETY: the only test of this binary, before any other libgit2 use.
        unsafe { git2::opts::set_search_path(level, global.path()).unwrap() };
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("work");
    init(&repo);
    assert!(identity(&repo).is_err(), "nothing set yet");

    // This clone only.
    let (file, lines) =
        identity_preview(&repo, IdentityScope::Repository, "Ada", "ada@example.com").unwrap();
    assert_eq!(file, repo.join(".git/config"));
    assert_eq!(lines, "[user]\n\tname = Ada\n\temail = ada@example.com\n");
    let written = set_identity(&repo, IdentityScope::Repository, "Ada", "ada@example.com").unwrap();
    assert_eq!(
        (written.file, written.backup),
        (repo.join(".git/config"), None)
    );
    let who = identity(&repo).unwrap();
    assert_eq!(
        (who.name.as_str(), who.email.as_str()),
        ("Ada", "ada@example.com")
    );

    // Globally, over an existing file: it is copied first, and keeps its other settings.
    let gitconfig = global.path().join(".gitconfig");
    std::fs::write(&gitconfig, "[core]\n\teditor = vi\n").unwrap();
    let other = dir.path().join("other");
    init(&other);
    let written = set_identity(
        &other,
        IdentityScope::Global,
        " Grace ",
        "grace@example.com",
    )
    .unwrap();
    assert_eq!(written.file, gitconfig);
    let backup = written.backup.expect("a backup of the existing file");
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        "[core]\n\teditor = vi\n"
    );
    let now = std::fs::read_to_string(&gitconfig).unwrap();
    assert!(
        now.contains("editor = vi") && now.contains("name = Grace"),
        "{now}"
    );
    assert_eq!(identity(&other).unwrap().email, "grace@example.com");
    // A second change keeps the first backup and makes another.
    let again = set_identity(
        &other,
        IdentityScope::Global,
        "Grace H",
        "grace@example.com",
    )
    .unwrap();
    assert_ne!(again.backup.unwrap(), backup);

    // Bad input changes nothing.
    let before = std::fs::read_to_string(&gitconfig).unwrap();
    assert!(set_identity(&other, IdentityScope::Global, "", "x").is_err());
    assert_eq!(std::fs::read_to_string(&gitconfig).unwrap(), before);
}
