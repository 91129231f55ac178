//! The IAM part of the local service: users, their SSH public keys and their
//! service-specific (HTTPS git) credentials, spoken over the AWS query protocol.
//!
//! - [`users`]: the IAM users, who owns which access key, GetUser, `--user` keys;
//! - [`ssh_keys`]: Upload/List/Get/Update/DeleteSSHPublicKey and the check the SSH endpoint
//!   uses ([`Iam::ssh_key_allows`]); [`public_key`]: the key encodings, checks and
//!   fingerprints; [`md5`]: the fingerprint digest;
//! - [`service_credentials`]: Create/List/Reset/Update/DeleteServiceSpecificCredential and
//!   the check HTTPS git uses ([`Iam::check_git_credential`]);
//! - [`user_policies`]: Put/Get/List/DeleteUserPolicy, SimulatePrincipalPolicy and the check
//!   every CodeCommit call and git push or fetch goes through ([`Iam::authorize`]);
//!   [`policy`]: the policy grammar and IAM's evaluation logic.
//!
//! State lives in `iam.json` in the data directory, replaced atomically on every change (temp
//! file, fsync, rename, fsync of the directory), so an acknowledged change survives a crash and
//! a restart. Passwords are never stored, only a salted SHA-256.
//!
//! Permissions: every user manages only their own keys and credentials, as the AWS managed
//! policy `IAMSelfManageServiceSpecificCredentials` / `IAMUserSSHKeys` style setups allow; a
//! request naming another existing user is `AccessDenied`. The inline policy actions and
//! SimulatePrincipalPolicy are evaluated against the caller's policies instead (`iam:<Action>`
//! on the user's ARN); a user without any policy may do everything (see [`user_policies`]).

pub mod codecommit_access;
pub mod git_access;
pub mod md5;
pub mod policy;
pub mod public_key;
pub mod service_credentials;
pub mod ssh_keys;
pub mod user_policies;
pub mod users;

use std::collections::HashMap;
use std::fs;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::local::ops::ApiError;
use crate::local::query::{Params, validation};
use crate::local::store::StoreError;

pub use service_credentials::ServiceCredentialRecord;
pub use ssh_keys::SshKeyRecord;
pub use user_policies::UserPolicyRecord;
pub use users::UserRecord;

/// XML namespace of IAM answers.
pub const NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
/// API version IAM requests carry.
pub const VERSION: &str = "2010-05-08";
/// Name of the state file in the data directory.
pub const STATE_FILE: &str = "iam.json";

/// Status of a key or credential, as IAM spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Usable.
    Active,
    /// Kept but refused.
    Inactive,
}

impl Status {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "Active",
            Status::Inactive => "Inactive",
        }
    }

    /// Parses the `Status` parameter.
    pub fn parse(params: &Params) -> Result<Self, ApiError> {
        match params.required("Status")? {
            "Active" => Ok(Status::Active),
            "Inactive" => Ok(Status::Inactive),
            // In IAM's enum, but only IAM itself sets it.
            "Expired" => Err(ApiError::client(
                "InvalidInput",
                "Status Expired cannot be set: use Active or Inactive.",
            )),
            other => Err(validation(
                "Status",
                other,
                "Member must satisfy enum value set: [Active, Inactive, Expired]",
            )),
        }
    }
}

/// Everything persisted.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct IamData {
    /// Users seen so far (created from the configuration, kept for stable ids and dates).
    pub users: Vec<UserRecord>,
    /// Uploaded SSH public keys.
    pub ssh_keys: Vec<SshKeyRecord>,
    /// Service-specific credentials (hashes only).
    pub service_credentials: Vec<ServiceCredentialRecord>,
    /// Inline user policies (absent in state files of earlier versions).
    #[serde(default)]
    pub user_policies: Vec<UserPolicyRecord>,
}

/// The IAM state of one service. Short critical sections; the only I/O under the lock is the
/// state file write of a change, so disk order equals memory order.
pub struct Iam {
    root: PathBuf,
    account_id: String,
    /// Access key id → user name.
    owners: HashMap<String, String>,
    data: Mutex<IamData>,
}

impl Iam {
    /// Opens (or creates) the IAM state in `root` and makes sure every configured user exists.
    /// `owners` maps each accepted access key id to its user name.
    pub fn open(
        root: &Path,
        account_id: &str,
        owners: HashMap<String, String>,
    ) -> Result<Self, StoreError> {
        let path = root.join(STATE_FILE);
        let mut data: IamData = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| StoreError::Corrupt {
                path: path.clone(),
                source,
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => IamData::default(),
            Err(source) => {
                return Err(StoreError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        let mut changed = false;
        let mut names: Vec<&String> = owners.values().collect();
        names.sort();
        names.dedup();
        for name in names {
            if !data.users.iter().any(|u| &u.name == name) {
                data.users.push(UserRecord::new(name));
                changed = true;
            }
        }
        let iam = Self {
            root: root.to_path_buf(),
            account_id: account_id.to_string(),
            owners,
            data: Mutex::new(data),
        };
        if changed {
            let data = iam.lock();
            iam.persist(&data)?;
        }
        Ok(iam)
    }

    fn lock(&self) -> MutexGuard<'_, IamData> {
        // Every change is applied to a copy and swapped in after it is on disk, so a poisoned
        // lock still holds consistent data.
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The account id in ARNs and service user names.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The user owning `access_key_id`, if the key is known.
    pub fn owner_of(&self, access_key_id: &str) -> Option<UserRecord> {
        let name = self.owners.get(access_key_id)?;
        self.lock().users.iter().find(|u| &u.name == name).cloned()
    }

    /// True when `name` owns an access key of this run. Users of earlier runs stay on disk
    /// (with their keys and credentials, for when they come back) but are not served.
    pub fn is_current_user(&self, name: &str) -> bool {
        self.owners.values().any(|owner| owner == name)
    }

    /// A snapshot of the state (for tests and the SSH endpoint's diagnostics).
    pub fn snapshot(&self) -> IamData {
        self.lock().clone()
    }

    /// Applies `change` to a copy of the state, writes it, then makes it current. Nothing
    /// changes (in memory or on disk) when `change` or the write fails.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut IamData) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut data = self.lock();
        let mut next = data.clone();
        let answer = change(&mut next)?;
        self.persist(&next).map_err(|error| {
            tracing::error!(%error, "cannot save the IAM state");
            ApiError::internal(format!(
                "The change could not be saved ({error}); nothing was changed."
            ))
        })?;
        *data = next;
        Ok(answer)
    }

    fn persist(&self, data: &IamData) -> Result<(), StoreError> {
        let path = self.root.join(STATE_FILE);
        let tmp = self.root.join(format!("{STATE_FILE}.tmp"));
        let io = |action: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io {
                action,
                path,
                source,
            }
        };
        let bytes = serde_json::to_vec_pretty(data).map_err(|source| StoreError::Corrupt {
            path: path.clone(),
            source,
        })?;
        let mut file = fs::File::create(&tmp).map_err(io("create", &tmp))?;
        file.write_all(&bytes).map_err(io("write", &tmp))?;
        file.sync_all().map_err(io("sync", &tmp))?;
        fs::rename(&tmp, &path).map_err(io("rename", &tmp))?;
        // The rename is durable only once the directory is.
        fs::File::open(&self.root)
            .and_then(|dir| dir.sync_all())
            .map_err(io("sync", &self.root))
    }

    /// Runs one IAM action for the user who signed it; the XML inside `<…Result>` (None for
    /// actions answered without a result).
    pub fn dispatch(
        &self,
        caller: &UserRecord,
        action: &str,
        params: &Params,
    ) -> Result<Option<String>, ApiError> {
        match action {
            "GetUser" => self.get_user(caller, params).map(Some),
            "UploadSSHPublicKey" => self.upload_ssh_public_key(caller, params).map(Some),
            "ListSSHPublicKeys" => self.list_ssh_public_keys(caller, params).map(Some),
            "GetSSHPublicKey" => self.get_ssh_public_key(caller, params).map(Some),
            "UpdateSSHPublicKey" => self.update_ssh_public_key(caller, params).map(|()| None),
            "DeleteSSHPublicKey" => self.delete_ssh_public_key(caller, params).map(|()| None),
            "CreateServiceSpecificCredential" => self
                .create_service_specific_credential(caller, params)
                .map(Some),
            "ListServiceSpecificCredentials" => self
                .list_service_specific_credentials(caller, params)
                .map(Some),
            "ResetServiceSpecificCredential" => self
                .reset_service_specific_credential(caller, params)
                .map(Some),
            "UpdateServiceSpecificCredential" => self
                .update_service_specific_credential(caller, params)
                .map(|()| None),
            "DeleteServiceSpecificCredential" => self
                .delete_service_specific_credential(caller, params)
                .map(|()| None),
            "PutUserPolicy" => self.put_user_policy(caller, params).map(|()| None),
            "GetUserPolicy" => self.get_user_policy(caller, params).map(Some),
            "ListUserPolicies" => self.list_user_policies(caller, params).map(Some),
            "DeleteUserPolicy" => self.delete_user_policy(caller, params).map(|()| None),
            "SimulatePrincipalPolicy" => self.simulate_principal_policy(caller, params).map(Some),
            other => Err(ApiError::client(
                "InvalidAction",
                format!(
                    "Could not find operation {other} for version {VERSION} (this local service serves GetUser, the SSH public key, service-specific credential and inline user policy actions, and SimulatePrincipalPolicy)."
                ),
            )),
        }
    }

    /// The user a request acts on: `UserName` when given (it must exist and be the caller),
    /// else the caller. `required`: the action has no implicit user.
    fn target_user(
        &self,
        caller: &UserRecord,
        params: &Params,
        action: &str,
        required: bool,
    ) -> Result<UserRecord, ApiError> {
        let name = if required {
            Some(params.required("UserName")?)
        } else {
            params.get("UserName")
        };
        let Some(name) = name else {
            return Ok(caller.clone());
        };
        users::validate_user_name(name)?;
        let found = self.lock().users.iter().find(|u| u.name == name).cloned();
        let Some(user) = found.filter(|u| self.is_current_user(&u.name)) else {
            return Err(no_such_user(name));
        };
        if user.name != caller.name {
            return Err(ApiError {
                status: 403,
                code: "AccessDenied".into(),
                message: format!(
                    "User: {} is not authorized to perform: iam:{action} on resource: user {name} (in this local service every user manages only their own keys and credentials)",
                    caller.arn(&self.account_id)
                ),
            });
        }
        Ok(user)
    }
}

/// `NoSuchEntity` for a user name.
/// A record an IAM user owns under an id, with a status: SSH keys and git credentials.
pub(crate) trait OwnedRecord {
    /// Its id (`APKA…`, `ACCA…`).
    fn id(&self) -> &str;
    /// The user it belongs to.
    fn user_name(&self) -> &str;
    /// Active or inactive.
    fn set_status(&mut self, status: Status);
}

impl OwnedRecord for SshKeyRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn user_name(&self) -> &str {
        &self.user_name
    }
    fn set_status(&mut self, status: Status) {
        self.status = status;
    }
}

impl OwnedRecord for ServiceCredentialRecord {
    fn id(&self) -> &str {
        &self.id
    }
    fn user_name(&self) -> &str {
        &self.user_name
    }
    fn set_status(&mut self, status: Status) {
        self.status = status;
    }
}

/// Sets the status of `user`'s record `id`; `missing` when the user has no such record.
pub(crate) fn set_owned_status<R: OwnedRecord>(
    records: &mut [R],
    (id, user): (&str, &str),
    status: Status,
    missing: impl FnOnce() -> ApiError,
) -> Result<(), ApiError> {
    let record = records
        .iter_mut()
        .find(|r| r.id() == id && r.user_name() == user)
        .ok_or_else(missing)?;
    record.set_status(status);
    Ok(())
}

/// Removes `user`'s record `id`; `missing` when the user has no such record.
pub(crate) fn remove_owned<R: OwnedRecord>(
    records: &mut Vec<R>,
    (id, user): (&str, &str),
    missing: impl FnOnce() -> ApiError,
) -> Result<(), ApiError> {
    let before = records.len();
    records.retain(|r| !(r.id() == id && r.user_name() == user));
    if records.len() == before {
        return Err(missing());
    }
    Ok(())
}

pub fn no_such_user(name: &str) -> ApiError {
    no_such_entity(format!("The user with name {name} cannot be found."))
}

/// IAM's 404 `NoSuchEntity` with its message.
pub(crate) fn no_such_entity(message: String) -> ApiError {
    ApiError {
        status: 404,
        code: "NoSuchEntity".into(),
        message,
    }
}

/// An id parameter as IAM checks it (`SSHPublicKeyId`, `ServiceSpecificCredentialId`): 20–128
/// word characters.
pub(crate) fn id_param<'p>(params: &'p Params, name: &str) -> Result<&'p str, ApiError> {
    let id = params.required(name)?;
    let ok =
        (20..=128).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(id)
    } else {
        Err(crate::local::query::validation(
            name,
            id,
            "Member must satisfy regular expression pattern: [\\w]+ and have length between 20 and 128",
        ))
    }
}

/// `n` random bytes from the kernel. Ids, salts and passwords come from here.
pub(crate) fn random_bytes(n: usize) -> Result<Vec<u8>, ApiError> {
    let mut bytes = vec![0u8; n];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| ApiError::internal(format!("cannot read random bytes: {e}")))?;
    Ok(bytes)
}

/// An IAM-style id: `prefix` then `len` characters of uppercase letters and digits.
pub(crate) fn random_id(prefix: &str, len: usize) -> Result<String, ApiError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bytes = random_bytes(len)?;
    let mut id = prefix.to_string();
    // 256 is a multiple of 32: every character is equally likely.
    id.extend(bytes.iter().map(|b| ALPHABET[(*b as usize) % 32] as char));
    Ok(id)
}

/// The paging of IAM list actions: `Marker` is the index of the next item, `MaxItems` caps the
/// page (default 100). Answers the page and the marker of the next one.
pub(crate) fn page<T: Clone>(
    items: &[T],
    params: &Params,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let max = params.integer("MaxItems", 1, 1000)?.unwrap_or(100) as usize;
    let start = match params.get("Marker") {
        None => 0,
        Some(marker) => marker
            .parse::<usize>()
            .ok()
            .filter(|start| *start <= items.len())
            .ok_or_else(|| {
                ApiError::client(
                    "ValidationError",
                    format!(
                        "Invalid Marker '{marker}': pass the Marker of the previous answer unchanged."
                    ),
                )
            })?,
    };
    let end = (start + max).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items[start..end].to_vec(), next))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn owners(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, u)| (k.to_string(), u.to_string()))
            .collect()
    }

    #[test]
    fn only_the_users_of_this_run_are_served_and_state_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let iam = Iam::open(dir.path(), "123456789012", owners(&[("K1", "alice")])).unwrap();
        let alice = iam.owner_of("K1").unwrap();
        // A 2048-bit RSA public key's shape (IAM takes RSA only).
        let field = |bytes: &[u8]| [&(bytes.len() as u32).to_be_bytes()[..], bytes].concat();
        let mut modulus = vec![0u8];
        modulus.extend([0xc3u8; 256]);
        let raw = [field(b"ssh-rsa"), field(&[1, 0, 1]), field(&modulus)].concat();
        use base64::Engine;
        let blob = &base64::engine::general_purpose::STANDARD.encode(raw);
        let encoded: String =
            percent_encoding::utf8_percent_encode(blob, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let body = format!("UserName=alice&SSHPublicKeyBody=ssh-rsa+{encoded}");
        let answer = iam
            .dispatch(
                &alice,
                "UploadSSHPublicKey",
                &Params::parse(body.as_bytes()).unwrap(),
            )
            .unwrap()
            .unwrap();
        let id = iam.snapshot().ssh_keys[0].id.clone();
        assert!(answer.contains(&id));
        assert!(iam.ssh_key_allows(&id, "ssh-rsa", blob));
        drop(iam);

        // Reopened with another user only: alice's key stays on disk but opens nothing, and
        // her name is unknown to requests.
        let iam = Iam::open(dir.path(), "123456789012", owners(&[("K2", "bob")])).unwrap();
        assert_eq!(iam.snapshot().ssh_keys.len(), 1);
        assert!(!iam.ssh_key_allows(&id, "ssh-rsa", blob));
        let bob = iam.owner_of("K2").unwrap();
        let error = iam
            .dispatch(
                &bob,
                "ListSSHPublicKeys",
                &Params::parse(b"UserName=alice").unwrap(),
            )
            .unwrap_err();
        assert_eq!(error.code, "NoSuchEntity");
        drop(iam);
        let iam = Iam::open(dir.path(), "123456789012", owners(&[("K1", "alice")])).unwrap();
        assert!(iam.ssh_key_allows(&id, "ssh-rsa", blob));
        assert_eq!(iam.owner_of("K1").unwrap().user_id, alice.user_id);
    }

    #[test]
    fn status_takes_active_or_inactive() {
        let status = |text: &str| {
            Status::parse(&Params::parse(format!("Status={text}").as_bytes()).unwrap())
        };
        assert_eq!(status("Inactive").unwrap(), Status::Inactive);
        assert_eq!(status("Expired").unwrap_err().code, "InvalidInput");
        assert_eq!(status("active").unwrap_err().code, "ValidationError");
    }

    #[test]
    fn a_corrupt_state_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), "{not json").unwrap();
        let error = Iam::open(dir.path(), "1", owners(&[("K", "a")]))
            .err()
            .unwrap();
        assert!(error.to_string().contains(STATE_FILE), "{error}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(STATE_FILE)).unwrap(),
            "{not json"
        );
    }
}
