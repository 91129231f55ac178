//! The endpoint's ed25519 host key: made once, kept in the data directory (owner-only), so
//! the known_hosts entries clients record stay valid across restarts.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};

use crate::local::ServeError;

/// The host key's file name in the data directory (OpenSSH private key format).
pub const HOST_KEY_FILE: &str = "ssh_host_ed25519_key";

/// Where the host key of the service over `data_dir` lives.
pub fn host_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(HOST_KEY_FILE)
}

/// The host key of `data_dir`, made (0600) the first time. A file that is there but cannot be
/// read is an error, never silently replaced: clients would see a changed host key.
pub fn load_or_create(data_dir: &Path) -> Result<PrivateKey, ServeError> {
    let path = host_key_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => PrivateKey::from_openssh(text.as_bytes()).map_err(|e| {
            ServeError::SshHostKey(format!(
                "{} is not an OpenSSH private key ({e}); move it away to make a new one (clients will then see a new host key)",
                path.display()
            ))
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => create(&path),
        Err(error) => Err(ServeError::SshHostKey(format!(
            "cannot read {}: {error}; check its permissions",
            path.display()
        ))),
    }
}

/// `SHA256:…`, as `ssh-keygen -l` and ssh's first-connection prompt show it.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

fn create(path: &Path) -> Result<PrivateKey, ServeError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        ServeError::SshHostKey(format!("cannot {what} {}: {e}", path.display()))
    };
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut seed))
        .map_err(|e| failed("make random bytes for", &e))?;
    let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
    key.set_comment("cctui local service");
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| failed("encode", &e))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| failed("create the folder of", &e))?;
    }
    // Written whole under a temporary name, then renamed: a crash never leaves half a key.
    let temporary = path.with_extension("tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary).map_err(|e| failed("write", &e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| failed("write", &e))?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(|e| failed("write", &e))?;
    tracing::info!(path = %path.display(), fingerprint = %fingerprint(&key), "made the SSH host key");
    Ok(key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn made_once_owner_only_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let again = load_or_create(dir.path()).unwrap();
        assert_eq!(fingerprint(&first), fingerprint(&again));
        assert!(fingerprint(&first).starts_with("SHA256:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(host_key_path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(host_key_path(dir.path()), "garbage").unwrap();
        let error = load_or_create(dir.path()).unwrap_err().to_string();
        assert!(error.contains("move it away"), "{error}");
    }
}
