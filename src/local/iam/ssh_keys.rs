//! SSH public keys of IAM users: UploadSSHPublicKey, ListSSHPublicKeys, GetSSHPublicKey,
//! UpdateSSHPublicKey, DeleteSSHPublicKey, and the check of the SSH endpoint.

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::local::iam::public_key::{KeyError, PublicKey};
use crate::local::iam::users::UserRecord;
use crate::local::iam::{Iam, Status, page, random_id};
use crate::local::ops::ApiError;
use crate::local::query::{Params, Xml, iso8601, validation};

/// Keys one user may have (IAM's `PublicKeysPerUser` quota).
pub const MAX_KEYS_PER_USER: usize = 5;

/// One uploaded SSH public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshKeyRecord {
    /// `APKA…`: also the SSH user name that selects this key.
    pub id: String,
    /// Owner.
    pub user_name: String,
    /// `ssh-rsa` or `ssh-ed25519`.
    pub key_type: String,
    /// Base64 of the SSH wire blob.
    pub blob: String,
    /// The body as uploaded (trimmed).
    pub body: String,
    /// MD5, `ab:cd:…`.
    pub fingerprint: String,
    /// Active or Inactive.
    pub status: Status,
    /// Seconds since the epoch.
    pub upload_date: i64,
}

impl SshKeyRecord {
    fn public_key(&self) -> Option<PublicKey> {
        Some(PublicKey {
            key_type: self.key_type.clone(),
            blob: base64::engine::general_purpose::STANDARD
                .decode(&self.blob)
                .ok()?,
        })
    }
}

fn key_error(error: KeyError) -> ApiError {
    match error {
        KeyError::Encoding(message) => ApiError::client("UnrecognizedPublicKeyEncoding", message),
        KeyError::Invalid(message) => ApiError::client("InvalidPublicKey", message),
    }
}

fn no_such_key(id: &str) -> ApiError {
    super::no_such_entity(format!("The Public Key with id {id} cannot be found."))
}

/// IAM's id rule for `SSHPublicKeyId`: 20–128 word characters.
fn key_id(params: &Params) -> Result<&str, ApiError> {
    super::id_param(params, "SSHPublicKeyId")
}

fn write_key(x: &mut Xml, key: &SshKeyRecord, body: &str) {
    x.field("UserName", &key.user_name)
        .field("SSHPublicKeyId", &key.id)
        .field("Fingerprint", &key.fingerprint)
        .field("SSHPublicKeyBody", body)
        .field("Status", key.status.as_str())
        .field("UploadDate", &iso8601(key.upload_date));
}

impl Iam {
    pub(crate) fn upload_ssh_public_key(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "UploadSSHPublicKey", true)?;
        let body = params.required("SSHPublicKeyBody")?;
        if body.is_empty() || body.len() > 16384 {
            return Err(validation(
                "SSHPublicKeyBody",
                "…",
                "Member must have length between 1 and 16384",
            ));
        }
        let key = PublicKey::parse(body).map_err(key_error)?;
        let id = random_id("APKA", 16)?;
        let record = SshKeyRecord {
            id,
            user_name: user.name.clone(),
            key_type: key.key_type.clone(),
            blob: base64::engine::general_purpose::STANDARD.encode(&key.blob),
            body: body.trim().to_string(),
            fingerprint: key.fingerprint(),
            status: Status::Active,
            upload_date: crate::local::api::unix_now(),
        };
        let stored = record.clone();
        self.update(move |data| {
            let mine: Vec<&SshKeyRecord> = data
                .ssh_keys
                .iter()
                .filter(|k| k.user_name == record.user_name)
                .collect();
            if mine.iter().any(|k| k.blob == record.blob) {
                return Err(ApiError::client(
                    "DuplicateSSHPublicKey",
                    "The public key is already associated with this user.",
                ));
            }
            if mine.len() >= MAX_KEYS_PER_USER {
                return Err(ApiError {
                    status: 409,
                    code: "LimitExceeded".into(),
                    message: format!(
                        "Cannot exceed quota for PublicKeysPerUser: {MAX_KEYS_PER_USER}. Delete a key first (DeleteSSHPublicKey)."
                    ),
                });
            }
            data.ssh_keys.push(record);
            Ok(())
        })?;
        let mut xml = Xml::new();
        xml.nested("SSHPublicKey", |x| write_key(x, &stored, &stored.body));
        Ok(xml.finish())
    }

    pub(crate) fn list_ssh_public_keys(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "ListSSHPublicKeys", false)?;
        let keys: Vec<SshKeyRecord> = self
            .lock()
            .ssh_keys
            .iter()
            .filter(|k| k.user_name == user.name)
            .cloned()
            .collect();
        let (keys, next) = page(&keys, params)?;
        let mut xml = Xml::new();
        xml.nested("SSHPublicKeys", |x| {
            for key in &keys {
                x.nested("member", |x| {
                    x.field("UserName", &key.user_name)
                        .field("SSHPublicKeyId", &key.id)
                        .field("Status", key.status.as_str())
                        .field("UploadDate", &iso8601(key.upload_date));
                });
            }
        });
        xml.field("IsTruncated", if next.is_some() { "true" } else { "false" });
        if let Some(marker) = next {
            xml.field("Marker", &marker);
        }
        Ok(xml.finish())
    }

    fn find_key(&self, user: &UserRecord, id: &str) -> Result<SshKeyRecord, ApiError> {
        self.lock()
            .ssh_keys
            .iter()
            .find(|k| k.id == id && k.user_name == user.name)
            .cloned()
            .ok_or_else(|| no_such_key(id))
    }

    pub(crate) fn get_ssh_public_key(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "GetSSHPublicKey", true)?;
        let id = key_id(params)?;
        let encoding = params.required("Encoding")?;
        if encoding != "SSH" && encoding != "PEM" {
            return Err(validation(
                "Encoding",
                encoding,
                "Member must satisfy enum value set: [SSH, PEM]",
            ));
        }
        let key = self.find_key(&user, id)?;
        let public = key
            .public_key()
            .ok_or_else(|| ApiError::internal("The stored key is damaged; delete it."))?;
        let uploaded_as_pem = key.body.starts_with("-----BEGIN");
        let body = match (encoding, uploaded_as_pem) {
            ("SSH", false) | ("PEM", true) => key.body.clone(),
            ("SSH", true) => public.to_ssh(),
            _ => public.to_pem(),
        };
        let mut xml = Xml::new();
        xml.nested("SSHPublicKey", |x| write_key(x, &key, &body));
        Ok(xml.finish())
    }

    pub(crate) fn update_ssh_public_key(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<(), ApiError> {
        let user = self.target_user(caller, params, "UpdateSSHPublicKey", true)?;
        let id = key_id(params)?.to_string();
        let status = Status::parse(params)?;
        self.update(|data| {
            super::set_owned_status(&mut data.ssh_keys, (&id, &user.name), status, || {
                no_such_key(&id)
            })
        })
    }

    pub(crate) fn delete_ssh_public_key(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<(), ApiError> {
        let user = self.target_user(caller, params, "DeleteSSHPublicKey", true)?;
        let id = key_id(params)?.to_string();
        self.update(|data| {
            super::remove_owned(&mut data.ssh_keys, (&id, &user.name), || no_such_key(&id))
        })
    }

    /// True only when `ssh_user` is the id of an ACTIVE key of a served user and the key
    /// offered (`key_type`, base64 of its blob) is that key. The SSH endpoint calls this for
    /// every public key a client offers.
    pub fn ssh_key_allows(&self, ssh_user: &str, key_type: &str, key_base64: &str) -> bool {
        let Ok(offered) = base64::engine::general_purpose::STANDARD.decode(key_base64.trim())
        else {
            return false;
        };
        let data = self.lock();
        data.ssh_keys.iter().any(|key| {
            key.id == ssh_user
                && key.status == Status::Active
                && key.key_type == key_type
                && self.is_current_user(&key.user_name)
                && key
                    .public_key()
                    .is_some_and(|stored| crate::sigv4::constant_time_eq(&stored.blob, &offered))
        })
    }

    /// The owner of the ACTIVE key `ssh_user` when it matches the offered key (for logs and
    /// for what the SSH endpoint reports); None when [`Iam::ssh_key_allows`] is false.
    pub fn ssh_key_owner(
        &self,
        ssh_user: &str,
        key_type: &str,
        key_base64: &str,
    ) -> Option<String> {
        if !self.ssh_key_allows(ssh_user, key_type, key_base64) {
            return None;
        }
        self.lock()
            .ssh_keys
            .iter()
            .find(|k| k.id == ssh_user)
            .map(|k| k.user_name.clone())
    }
}

impl Iam {
    /// The IAM user owning the SSH key ID `ssh_user` (the user name of an SSH login).
    pub fn ssh_key_user(&self, ssh_user: &str) -> Option<String> {
        self.lock()
            .ssh_keys
            .iter()
            .find(|k| k.id == ssh_user)
            .map(|k| k.user_name.clone())
    }
}
