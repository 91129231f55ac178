//! Setting up SSH for CodeCommit: a new RSA key pair (IAM takes no other kind) in `~/.ssh` and the `Host` block that
//! tells OpenSSH (and cctui) which key and SSH key ID to use.
//!
//! Keys are generated in-process (the `ssh-key` crate), so a passphrase never appears on a
//! command line. Nothing here overwrites a key file; the config is appended to after a copy
//! of it is kept (`config.cctui-backup-<time>`), and only after the caller showed the lines
//! and the user said yes.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::secret::SecretString;

/// What went wrong setting SSH up, with what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshSetupError {
    /// A key file of that name is there already: never overwritten.
    #[error("{0} exists already; cctui never overwrites a key file.")]
    KeyExists(PathBuf),
    /// Writing a file failed.
    #[error("cannot write {path}: {detail}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The system's words.
        detail: String,
    },
    /// The key could not be generated or encoded.
    #[error("cannot generate the SSH key: {0}")]
    Generate(String),
}

impl SshSetupError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            SshSetupError::KeyExists(path) => Some(format!(
                "Use the key you have (upload {}.pub in IAM), or move it away and try again.",
                path.display()
            )),
            SshSetupError::Write { .. } => {
                Some("Check that ~/.ssh exists and is writable by you.".into())
            }
            SshSetupError::Generate(_) => None,
        }
    }
}

/// A key pair written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// The private key file (mode 0600).
    pub private: PathBuf,
    /// The public key file (`<private>.pub`).
    pub public: PathBuf,
    /// The public key line (`ssh-rsa AAAA… comment`), as uploaded to IAM.
    pub public_key: String,
    /// `SHA256:…`.
    pub fingerprint: String,
}

/// `~/.ssh/codecommit_<user>_rsa`, with the user name reduced to file-name-safe characters
/// (IAM names may hold `+=,.@-`).
pub fn key_path(ssh_dir: &Path, user: &str) -> PathBuf {
    let safe: String = user
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    ssh_dir.join(format!("codecommit_{safe}_rsa"))
}

/// The size of generated keys: above IAM's 2048-bit minimum, ssh-keygen's default for RSA.
pub const RSA_BITS: usize = 3072;

/// Generates an RSA key pair and writes it to `private` and `private.pub`: the private key
/// in OpenSSH format, encrypted when a passphrase is given, mode 0600; neither file may exist.
pub fn generate_key(
    private: &Path,
    comment: &str,
    passphrase: Option<&SecretString>,
) -> Result<KeyPair, SshSetupError> {
    use ssh_key::getrandom::SysRng;
    use ssh_key::rand_core::UnwrapErr;
    let public = public_path(private);
    for path in [private, public.as_path()] {
        if path.exists() {
            return Err(SshSetupError::KeyExists(path.to_path_buf()));
        }
    }
    let generate = |e: ssh_key::Error| SshSetupError::Generate(e.to_string());
    // RSA: IAM takes SSH keys for CodeCommit only as `ssh-rsa` (or PEM) of at least 2048 bits,
    // so an ed25519 key could never be uploaded to real AWS.
    let pair =
        ssh_key::private::RsaKeypair::random(&mut UnwrapErr(SysRng), RSA_BITS).map_err(generate)?;
    let key = ssh_key::PrivateKey::new(ssh_key::private::KeypairData::from(pair), comment)
        .map_err(generate)?;
    let public_key = key.public_key().to_openssh().map_err(generate)?;
    let fingerprint = key
        .public_key()
        .fingerprint(ssh_key::HashAlg::Sha256)
        .to_string();
    let stored = match passphrase.filter(|p| !p.expose().is_empty()) {
        Some(passphrase) => key
            .encrypt(&mut SysRng, passphrase.expose().as_bytes())
            .map_err(generate)?,
        None => key,
    };
    let text = stored
        .to_openssh(ssh_key::LineEnding::LF)
        .map_err(generate)?;
    if let Some(dir) = private.parent() {
        create_ssh_dir(dir)?;
    }
    write_new(private, text.as_bytes(), 0o600)?;
    if let Err(error) = write_new(&public, format!("{public_key}\n").as_bytes(), 0o644) {
        // Half a pair helps nobody: take the private key back.
        let _ = std::fs::remove_file(private);
        return Err(error);
    }
    Ok(KeyPair {
        private: private.to_path_buf(),
        public,
        public_key,
        fingerprint,
    })
}

fn public_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// `~/.ssh` as OpenSSH wants it (0700) when it does not exist yet.
fn create_ssh_dir(dir: &Path) -> Result<(), SshSetupError> {
    if dir.is_dir() {
        return Ok(());
    }
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| SshSetupError::Write {
            path: dir.to_path_buf(),
            detail: e.to_string(),
        })
}

/// Writes a file that must not exist yet, with `mode` from the start (no window where a
/// private key is readable by others).
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), SshSetupError> {
    use std::os::unix::fs::OpenOptionsExt;
    let failed = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            SshSetupError::KeyExists(path.to_path_buf())
        } else {
            SshSetupError::Write {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }
        }
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(failed)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(failed)
}

/// The `Host` pattern for a repository's SSH URL host: every CodeCommit region's host for a
/// CodeCommit name (as AWS documents it), else the host itself (the local service).
pub fn host_pattern(ssh_host: &str) -> String {
    let codecommit = crate::model::Host::parse(ssh_host).is_ok_and(|h| h.git_region().is_some());
    if codecommit {
        if ssh_host.ends_with(".amazonaws.com.cn") {
            "git-codecommit.*.amazonaws.com.cn".into()
        } else {
            "git-codecommit.*.amazonaws.com".into()
        }
    } else {
        ssh_host.to_string()
    }
}

/// The exact lines appended to `~/.ssh/config` (the identity file shown with `~/` when it is
/// under `home`).
pub fn host_block(pattern: &str, key_id: &str, identity_file: &Path, home: &Path) -> Vec<String> {
    let shown = match identity_file.strip_prefix(home) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => identity_file.display().to_string(),
    };
    vec![
        format!("Host {pattern}"),
        format!("  User {key_id}"),
        format!("  IdentityFile {shown}"),
        "  IdentitiesOnly yes".to_string(),
    ]
}

/// What [`append_block`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWritten {
    /// The file changed.
    pub file: PathBuf,
    /// The copy made first (`None`: the file did not exist).
    pub backup: Option<PathBuf>,
}

/// Appends `lines` to `config` (after a blank line), keeping a copy of the old file as
/// `<config>.cctui-backup-<stamp>` first; creates the file (0600) when there is none.
pub fn append_block(
    config: &Path,
    lines: &[String],
    stamp: &str,
) -> Result<ConfigWritten, SshSetupError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| SshSetupError::Write {
            path,
            detail: e.to_string(),
        }
    };
    let old = match std::fs::read(config) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(failed(config)(e)),
    };
    let backup = match &old {
        Some(bytes) => {
            let backup = backup_path(config, stamp);
            write_new(&backup, bytes, 0o600)?;
            Some(backup)
        }
        None => {
            if let Some(dir) = config.parent() {
                create_ssh_dir(dir)?;
            }
            None
        }
    };
    let mut text = String::new();
    if let Some(bytes) = &old
        && !bytes.is_empty()
    {
        if !bytes.ends_with(b"\n") {
            text.push('\n');
        }
        text.push('\n');
    }
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(config)
        .map_err(failed(config))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(failed(config))?;
    Ok(ConfigWritten {
        file: config.to_path_buf(),
        backup,
    })
}

/// `<file>.cctui-backup-<stamp>`, numbered when two backups land in the same second.
pub fn backup_path(file: &Path, stamp: &str) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".into());
    let dir = file.parent().unwrap_or_else(|| Path::new("."));
    (0..1000)
        .map(|n| match n {
            0 => dir.join(format!("{name}.cctui-backup-{stamp}")),
            n => dir.join(format!("{name}.cctui-backup-{stamp}.{n}")),
        })
        .find(|path| !path.exists())
        .unwrap_or_else(|| dir.join(format!("{name}.cctui-backup-{stamp}.last")))
}

/// A UTC time stamp for backup names: `20261201T113809Z`.
pub fn stamp(now: std::time::SystemTime) -> String {
    aws_sdk_iam::primitives::DateTime::from(now)
        .fmt(aws_sdk_iam::primitives::DateTimeFormat::DateTime)
        .map(|text| {
            text.chars()
                .filter(|c| !matches!(c, '-' | ':'))
                .take_while(|c| *c != '.')
                .collect::<String>()
        })
        .map(|text| {
            if text.ends_with('Z') {
                text
            } else {
                format!("{text}Z")
            }
        })
        .unwrap_or_else(|_| "now".into())
}
