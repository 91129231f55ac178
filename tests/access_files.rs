//! The access screen's writes to the user's files, in a temp HOME: a generated key pair (never
//! overwriting one), the `Host` block appended to `~/.ssh/config` with a backup, the
//! credential-helper section appended to the global git config with a backup, the helper
//! list read back through the real `git`, and a password handed to git's store.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use cctui::git::credential_setup::{
    approve, global_config_file, helper_block, helper_command, helper_scope, read_helpers,
    write_helper_block,
};
use cctui::git::ssh_setup::{
    SshSetupError, append_block, generate_key, host_block, host_pattern, key_path,
};
use cctui::secret::SecretString;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_new_key_pair_is_private_readable_by_openssh_and_never_overwrites() {
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    let private = key_path(&ssh, "alice+ci@corp");
    assert_eq!(private.file_name().unwrap(), "codecommit_alice_ci_corp_rsa");
    let pair = generate_key(&private, "alice@cctui", None).unwrap();
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&ssh), 0o700, "~/.ssh is created as OpenSSH wants it");
    assert!(pair.public_key.starts_with("ssh-rsa AAAA"));
    assert!(pair.public_key.ends_with(" alice@cctui"));
    assert!(pair.fingerprint.starts_with("SHA256:"));
    assert_eq!(
        std::fs::read_to_string(&pair.public).unwrap(),
        format!("{}\n", pair.public_key)
    );
    // OpenSSH itself reads it and derives the same public key, when ssh-keygen is here.
    if let Ok(out) = Command::new("ssh-keygen")
        .args(["-y", "-P", "", "-f"])
        .arg(&private)
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let derived = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            derived.split_whitespace().nth(1),
            pair.public_key.split_whitespace().nth(1)
        );
    }
    // A second generation to the same path is refused and leaves the first key untouched.
    let before = std::fs::read(&private).unwrap();
    let again = generate_key(&private, "alice@cctui", None).unwrap_err();
    assert_eq!(again, SshSetupError::KeyExists(private.clone()));
    assert!(again.hint().unwrap().contains(".pub"));
    assert_eq!(std::fs::read(&private).unwrap(), before);
}

#[test]
fn a_passphrase_encrypts_the_private_key() {
    let home = tempfile::tempdir().unwrap();
    let private = key_path(&home.path().join(".ssh"), "bob");
    let passphrase = SecretString::new("correct horse".into());
    let pair = generate_key(&private, "bob", Some(&passphrase)).unwrap();
    let text = std::fs::read(&pair.private).unwrap();
    assert!(cctui::git::auth::key_is_encrypted(&text));
    let key = ssh_key::PrivateKey::from_openssh(&text).unwrap();
    assert!(key.is_encrypted());
    let opened = key.decrypt("correct horse").unwrap();
    assert_eq!(opened.public_key().to_openssh().unwrap(), pair.public_key);
    assert!(key.decrypt("wrong").is_err());
}

#[test]
fn the_host_block_is_appended_after_a_backup() {
    let home = tempfile::tempdir().unwrap();
    let ssh = home.path().join(".ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let config = ssh.join("config");
    let old = "Host work\n  User me";
    std::fs::write(&config, old).unwrap();
    assert_eq!(
        host_pattern("git-codecommit.eu-west-1.amazonaws.com"),
        "git-codecommit.*.amazonaws.com"
    );
    assert_eq!(host_pattern("127.0.0.1"), "127.0.0.1");
    let lines = host_block(
        "git-codecommit.*.amazonaws.com",
        "APKAEIBAERJR2EXAMPLE",
        &ssh.join("codecommit_alice_rsa"),
        home.path(),
    );
    assert_eq!(
        lines,
        [
            "Host git-codecommit.*.amazonaws.com",
            "  User APKAEIBAERJR2EXAMPLE",
            "  IdentityFile ~/.ssh/codecommit_alice_rsa",
            "  IdentitiesOnly yes",
        ]
    );
    let written = append_block(&config, &lines, "20261201T120000Z").unwrap();
    let backup = written.backup.unwrap();
    assert_eq!(backup, ssh.join("config.cctui-backup-20261201T120000Z"));
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), old);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        format!("{old}\n\n{}\n", lines.join("\n"))
    );
    // The block is what cctui's own SSH lookup then reads.
    let settings = cctui::git::ssh_config::settings_with_home(
        &std::fs::read_to_string(&config).unwrap(),
        "git-codecommit.us-east-2.amazonaws.com",
        Some(home.path()),
    );
    assert_eq!(settings.user.as_deref(), Some("APKAEIBAERJR2EXAMPLE"));
    assert_eq!(settings.identity_files, [ssh.join("codecommit_alice_rsa")]);
    // A second write the same second keeps both backups.
    let second = append_block(&config, &lines, "20261201T120000Z").unwrap();
    assert_ne!(second.backup.unwrap(), backup);
}

#[test]
fn no_config_yet_means_a_new_private_file_and_no_backup() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join(".ssh").join("config");
    let lines = vec!["Host 127.0.0.1".to_string(), "  User APKA1".to_string()];
    let written = append_block(&config, &lines, "x").unwrap();
    assert_eq!(written.backup, None);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "Host 127.0.0.1\n  User APKA1\n"
    );
    assert_eq!(mode(&config), 0o600);
}

fn git_in(home: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_credential_helper_section_routes_codecommit_and_resets_caching_helpers() {
    let home = tempfile::tempdir().unwrap();
    let gitconfig = home.path().join(".gitconfig");
    let old = "[user]\n\tname = A\n[credential]\n\thelper = store\n";
    std::fs::write(&gitconfig, old).unwrap();
    assert_eq!(global_config_file(home.path()), gitconfig);
    let scope = helper_scope(None);
    let before = read_helpers(home.path(), &scope).unwrap();
    assert_eq!(before.helpers, ["store"]);
    assert_eq!(before.caching, ["store"]);
    assert!(!before.routed);

    let lines = helper_block(&scope, &helper_command(None));
    assert_eq!(
        lines,
        [
            "[credential \"https://git-codecommit.*.amazonaws.com\"]",
            "\thelper =",
            "\thelper = !cctui credential-helper",
            "\tUseHttpPath = true",
        ]
    );
    let written = write_helper_block(home.path(), &lines, "20261201T120000Z").unwrap();
    assert_eq!(written.file, gitconfig);
    assert_eq!(
        std::fs::read_to_string(written.backup.unwrap()).unwrap(),
        old
    );
    assert_eq!(
        std::fs::read_to_string(&gitconfig).unwrap(),
        format!("{old}\n{}\n", lines.join("\n"))
    );
    let after = read_helpers(home.path(), &scope).unwrap();
    assert!(after.routed && after.use_http_path, "{after:?}");
    assert_eq!(after.helpers, ["!cctui credential-helper"]);
    assert!(after.caching.is_empty());
    assert_eq!(after.default_helpers, ["store"]);
    // And git agrees: for a CodeCommit URL only cctui is asked.
    let helpers = git_in(
        home.path(),
        &[
            "config",
            "--get-urlmatch",
            "credential.usehttppath",
            "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo",
        ],
    );
    assert_eq!(helpers.trim(), "true");

    // The local service is scoped by its URL; a profile rides along.
    assert_eq!(
        helper_scope(Some("http://127.0.0.1:4711")),
        "http://127.0.0.1:4711"
    );
    assert_eq!(
        helper_command(Some("dev")),
        "!cctui --profile dev credential-helper"
    );
}

#[test]
fn a_password_goes_to_gits_store_on_stdin() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("creds");
    std::fs::write(
        home.path().join(".gitconfig"),
        format!(
            "[credential]\n\thelper = store --file {}\n",
            store.display()
        ),
    )
    .unwrap();
    let password = SecretString::new("s3cr3t/+=pass".into());
    approve(
        home.path(),
        "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo",
        "alice-at-123456789012",
        &password,
    )
    .unwrap();
    let stored = std::fs::read_to_string(&store).unwrap();
    assert_eq!(
        stored.trim(),
        "https://alice-at-123456789012:s3cr3t%2f%2b%3dpass@git-codecommit.eu-west-1.amazonaws.com"
    );
    // With no helper at all git keeps nothing, and says nothing is wrong: the caller checks
    // the helper list first and offers "nowhere" instead.
    let bare = tempfile::tempdir().unwrap();
    approve(
        bare.path(),
        "http://127.0.0.1:4711/v1/repos/x",
        "u",
        &password,
    )
    .unwrap();
}
