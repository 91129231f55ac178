//! SSH public keys of an IAM user (the keys CodeCommit accepts over SSH): list, upload,
//! activate or deactivate, delete. The SDK types stop here.

use aws_sdk_iam::types::{EncodingType, StatusType};

use super::client::{Clients, Target};
use super::error::AwsError;

/// One SSH public key of an IAM user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshKey {
    /// The SSH key ID (`APKA…`): the SSH user name for CodeCommit.
    pub id: String,
    /// Whether CodeCommit accepts it.
    pub active: bool,
    /// When it was uploaded (`2026-12-01 11:38`, UTC).
    pub uploaded: String,
    /// `SHA256:…` as `ssh-keygen -l` shows it (empty when the key could not be read).
    pub fingerprint: String,
}

/// IAM's date-time as a short UTC string.
pub(crate) fn short_date(date: &aws_sdk_iam::primitives::DateTime) -> String {
    date.fmt(aws_sdk_iam::primitives::DateTimeFormat::DateTime)
        .map(|text| text.replace('T', " ").chars().take(16).collect())
        .unwrap_or_default()
}

/// The `SHA256:…` fingerprint of an OpenSSH public key line, as ssh shows it.
pub fn fingerprint_of(public_key: &str) -> Option<String> {
    ssh_key::PublicKey::from_openssh(public_key.trim())
        .ok()
        .map(|key| key.fingerprint(ssh_key::HashAlg::Sha256).to_string())
}

/// The user's SSH public keys, with their fingerprints (one GetSSHPublicKey per key, at most
/// five: IAM's limit per user). A key whose body cannot be read keeps an empty fingerprint.
pub async fn list(clients: &Clients, target: &Target, user: &str) -> Result<Vec<SshKey>, AwsError> {
    let client = clients.iam(target).await;
    let mut keys = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = client
            .list_ssh_public_keys()
            .user_name(user)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| AwsError::from_sdk(e, "iam:ListSSHPublicKeys", target))?;
        for key in page.ssh_public_keys() {
            keys.push(SshKey {
                id: key.ssh_public_key_id().to_string(),
                active: *key.status() == StatusType::Active,
                uploaded: short_date(key.upload_date()),
                fingerprint: String::new(),
            });
        }
        match page.marker() {
            Some(next) if page.is_truncated() => marker = Some(next.to_string()),
            _ => break,
        }
    }
    for key in &mut keys {
        let body = client
            .get_ssh_public_key()
            .user_name(user)
            .ssh_public_key_id(&key.id)
            .encoding(EncodingType::Ssh)
            .send()
            .await;
        match body {
            Ok(answer) => {
                key.fingerprint = answer
                    .ssh_public_key()
                    .and_then(|k| fingerprint_of(k.ssh_public_key_body()))
                    .unwrap_or_default();
            }
            Err(error) => {
                tracing::debug!(error = %AwsError::from_sdk(error, "iam:GetSSHPublicKey", target), "no fingerprint");
            }
        }
    }
    Ok(keys)
}

/// UploadSSHPublicKey: the key's body in OpenSSH form (`ssh-ed25519 AAAA… comment`).
pub async fn upload(
    clients: &Clients,
    target: &Target,
    user: &str,
    public_key: &str,
) -> Result<SshKey, AwsError> {
    let client = clients.iam(target).await;
    let answer = client
        .upload_ssh_public_key()
        .user_name(user)
        .ssh_public_key_body(public_key)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:UploadSSHPublicKey", target))?;
    let key = answer
        .ssh_public_key()
        .ok_or_else(|| AwsError::Other("IAM answered UploadSSHPublicKey without the key".into()))?;
    Ok(SshKey {
        id: key.ssh_public_key_id().to_string(),
        active: *key.status() == StatusType::Active,
        uploaded: key.upload_date().map(short_date).unwrap_or_default(),
        fingerprint: fingerprint_of(public_key).unwrap_or_default(),
    })
}

/// UpdateSSHPublicKey: activate or deactivate.
pub async fn set_active(
    clients: &Clients,
    target: &Target,
    user: &str,
    id: &str,
    active: bool,
) -> Result<(), AwsError> {
    clients
        .iam(target)
        .await
        .update_ssh_public_key()
        .user_name(user)
        .ssh_public_key_id(id)
        .status(if active {
            StatusType::Active
        } else {
            StatusType::Inactive
        })
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:UpdateSSHPublicKey", target))?;
    Ok(())
}

/// DeleteSSHPublicKey.
pub async fn delete(
    clients: &Clients,
    target: &Target,
    user: &str,
    id: &str,
) -> Result<(), AwsError> {
    clients
        .iam(target)
        .await
        .delete_ssh_public_key()
        .user_name(user)
        .ssh_public_key_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:DeleteSSHPublicKey", target))?;
    Ok(())
}
