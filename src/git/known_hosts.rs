//! Host key checking against an OpenSSH `known_hosts` file.

use std::path::Path;

/// The result of looking a host key up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKeyCheck {
    /// The file has this key for the host.
    Known,
    /// The file has no key of this type for the host.
    Unknown,
    /// The file has another key of this type for the host.
    Mismatch,
}

/// `SHA256:<base64, no padding>` of a raw SSH public key blob, as `ssh-keygen -lf` prints it.
pub fn fingerprint_sha256(key_blob: &[u8]) -> String {
    let _ = key_blob;
    String::new()
}

/// Looks `host` (port 22) or `[host]:port` up in `known_hosts` for the key blob `key`.
pub fn check(known_hosts: &Path, host: &str, port: u16, key: &[u8]) -> HostKeyCheck {
    let _ = (known_hosts, host, port, key);
    HostKeyCheck::Unknown
}
