//! Signed commits as git makes them: `commit.gpgsign` turns signing on, `gpg.format` chooses
//! OpenPGP (`gpg.program`, default `gpg`) or SSH (`gpg.ssh.program`, default `ssh-keygen`),
//! `user.signingkey` names the key (for OpenPGP, the committer's `Name <email>` when unset; for
//! SSH, a key file or a literal `ssh-…` public key whose private half is in the agent).
//!
//! The commit object is written with its signature in the `gpgsig` header; when signing fails,
//! no commit is written and the error carries the signer's own message. A commit is never
//! silently left unsigned. The signer runs without a terminal (the TUI owns it): a key with a
//! passphrase needs a running agent that has it, or a graphical pinentry.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::GitError;

/// How commits of a repository are signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    /// `commit.gpgsign` is off.
    Unsigned,
    /// `gpg.format = openpgp` (the default).
    OpenPgp {
        /// `gpg.program`.
        program: String,
        /// `user.signingkey`, else the committer's `Name <email>`.
        key: String,
    },
    /// `gpg.format = ssh`.
    Ssh {
        /// `gpg.ssh.program`.
        program: String,
        /// `user.signingkey`: a key file, or a literal public key.
        key: String,
    },
}

/// Reads the signing settings of `repository` for a commit by `committer`.
pub fn signer(
    repository: &git2::Repository,
    committer: &git2::Signature<'_>,
) -> Result<Signer, GitError> {
    let config = repository
        .config()
        .and_then(|mut c| c.snapshot())
        .map_err(|e| {
            GitError::Other(format!("cannot read git's configuration: {}", e.message()))
        })?;
    if !config.get_bool("commit.gpgsign").unwrap_or(false) {
        return Ok(Signer::Unsigned);
    }
    let string = |name: &str| {
        config
            .get_string(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
    };
    let key = string("user.signingkey");
    match string("gpg.format").as_deref().unwrap_or("openpgp") {
        "openpgp" => Ok(Signer::OpenPgp {
            program: string("gpg.program").unwrap_or_else(|| "gpg".into()),
            key: key.unwrap_or_else(|| {
                format!(
                    "{} <{}>",
                    String::from_utf8_lossy(committer.name_bytes()),
                    String::from_utf8_lossy(committer.email_bytes())
                )
            }),
        }),
        "ssh" => Ok(Signer::Ssh {
            program: string("gpg.ssh.program").unwrap_or_else(|| "ssh-keygen".into()),
            key: key.ok_or_else(|| {
                GitError::Other(
                    "commit.gpgsign is on with gpg.format = ssh, but user.signingkey is not set: \
                     set it to your SSH key file (git config user.signingkey ~/.ssh/id_ed25519)"
                        .into(),
                )
            })?,
        }),
        other => Err(GitError::Other(format!(
            "commit.gpgsign is on, but gpg.format = {other} is not supported by cctui \
             (openpgp or ssh); commit with git, or change gpg.format"
        ))),
    }
}

/// Writes a commit object (no reference moves), signed when `signer` says so.
#[allow(clippy::too_many_arguments)]
pub fn write_commit(
    repository: &git2::Repository,
    signer: &Signer,
    author: &git2::Signature<'_>,
    committer: &git2::Signature<'_>,
    message: &str,
    tree: &git2::Tree<'_>,
    parents: &[&git2::Commit<'_>],
) -> Result<git2::Oid, GitError> {
    let unsigned = |e: git2::Error| GitError::Other(format!("cannot commit: {}", e.message()));
    if *signer == Signer::Unsigned {
        return repository
            .commit(None, author, committer, message, tree, parents)
            .map_err(unsigned);
    }
    let buffer = repository
        .commit_create_buffer(author, committer, message, tree, parents)
        .map_err(unsigned)?;
    let content = std::str::from_utf8(&buffer)
        .map_err(|_| GitError::Other("cannot sign a commit that is not UTF-8".into()))?;
    let signature = sign(signer, content, repository)?;
    repository
        .commit_signed(content, &signature, Some("gpgsig"))
        .map_err(unsigned)
}

/// The detached signature of `content`, ASCII-armoured.
fn sign(signer: &Signer, content: &str, repository: &git2::Repository) -> Result<String, GitError> {
    match signer {
        Signer::Unsigned => Ok(String::new()),
        Signer::OpenPgp { program, key } => {
            let output = run_with_input(
                Command::new(program).args(["--status-fd=2", "-bsau", key]),
                content.as_bytes(),
                program,
            )?;
            // As git: success needs the SIG_CREATED status line, not only exit 0.
            let status = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() || !status.contains("[GNUPG:] SIG_CREATED ") {
                return Err(failed("gpg", program, &status));
            }
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Signer::Ssh { program, key } => sign_ssh(program, key, content, repository),
    }
}

fn sign_ssh(
    program: &str,
    key: &str,
    content: &str,
    repository: &git2::Repository,
) -> Result<String, GitError> {
    let scratch = |name: &str| {
        repository
            .path()
            .join(format!("cctui-sign-{}-{name}", std::process::id()))
    };
    let io = |what: &str, e: std::io::Error| GitError::Other(format!("cannot sign: {what}: {e}"));
    // A literal key (`key::ssh-ed25519 …` or `ssh-ed25519 …`) is written to a file for
    // ssh-keygen, which then finds its private half in the agent, as git does.
    let literal = key.strip_prefix("key::").unwrap_or(key);
    let mut cleanup: Vec<PathBuf> = Vec::new();
    let key_file = if literal.starts_with("ssh-") || literal.starts_with("ecdsa-") {
        let path = scratch("key.pub");
        std::fs::write(&path, format!("{literal}\n")).map_err(|e| io("the key", e))?;
        cleanup.push(path.clone());
        path
    } else {
        expand_home(key)
    };
    let data = scratch("buffer");
    let signature_file = PathBuf::from(format!("{}.sig", data.display()));
    cleanup.extend([data.clone(), signature_file.clone()]);
    let result = (|| {
        std::fs::write(&data, content).map_err(|e| io("the commit", e))?;
        let output = Command::new(program)
            .args(["-Y", "sign", "-n", "git", "-f"])
            .arg(&key_file)
            .arg(&data)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| start_error(program, e))?;
        if !output.status.success() {
            return Err(failed(
                "ssh",
                program,
                &String::from_utf8_lossy(&output.stderr),
            ));
        }
        std::fs::read_to_string(&signature_file).map_err(|e| io("the signature", e))
    })();
    for path in cleanup {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn run_with_input(
    command: &mut Command,
    input: &[u8],
    program: &str,
) -> Result<std::process::Output, GitError> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| start_error(program, e))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|e| GitError::Other(format!("cannot sign: {program}: {e}")))?;
    }
    child
        .wait_with_output()
        .map_err(|e| GitError::Other(format!("cannot sign: {program}: {e}")))
}

fn start_error(program: &str, e: std::io::Error) -> GitError {
    GitError::Other(format!(
        "commit.gpgsign is on, but the signing program `{program}` cannot be started ({e}); \
         install it or set gpg.program / gpg.ssh.program. Nothing was committed"
    ))
}

fn failed(kind: &str, program: &str, output: &str) -> GitError {
    let said: Vec<&str> = output
        .lines()
        .filter(|l| !l.starts_with("[GNUPG:]"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    GitError::Other(format!(
        "signing the commit failed ({kind} via `{program}`): {}. Nothing was committed",
        if said.is_empty() {
            "no message".to_string()
        } else {
            said.join("; ")
        }
    ))
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => PathBuf::from(path),
    }
}
