//! Service-specific credentials (CodeCommit's HTTPS git credentials): Create, List, Reset,
//! Update, DeleteServiceSpecificCredential, and the check of HTTPS git.
//!
//! The password is answered only by Create and Reset; what is kept is a random salt and
//! SHA-256(salt ‖ password), compared in constant time.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::local::iam::users::UserRecord;
use crate::local::iam::{Iam, Status, page, random_bytes, random_id};
use crate::local::ops::ApiError;
use crate::local::query::{Params, Xml, iso8601};
use crate::sigv4::{constant_time_eq, hex_decode, hex_lower};

/// The one service this local service issues credentials for.
pub const CODECOMMIT: &str = "codecommit.amazonaws.com";
/// Credentials one user may have per service (IAM's quota).
pub const MAX_PER_USER_PER_SERVICE: usize = 2;

/// One service-specific credential; the password is kept only as a salted hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceCredentialRecord {
    /// `ACCA…`.
    pub id: String,
    /// Owner.
    pub user_name: String,
    /// `codecommit.amazonaws.com`.
    pub service_name: String,
    /// The git user name: `<user>-at-<account>` (a second one: `<user>+1-at-<account>`).
    pub service_user_name: String,
    /// Hex of the random salt.
    pub salt: String,
    /// Hex of SHA-256(salt ‖ password).
    pub password_hash: String,
    /// Active or Inactive.
    pub status: Status,
    /// Seconds since the epoch.
    pub create_date: i64,
}

impl ServiceCredentialRecord {
    fn password_matches(&self, password: &str) -> bool {
        let (Some(salt), Some(expected)) =
            (hex_decode(&self.salt), hex_decode(&self.password_hash))
        else {
            return false;
        };
        constant_time_eq(&hash(&salt, password), &expected)
    }
}

fn hash(salt: &[u8], password: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(password.as_bytes());
    hasher.finalize().to_vec()
}

/// A new password and its (salt, hash) in hex. Passwords look like CodeCommit's: 44
/// characters of base64.
fn new_password() -> Result<(String, String, String), ApiError> {
    let password = base64::engine::general_purpose::STANDARD.encode(random_bytes(33)?);
    let salt = random_bytes(16)?;
    let digest = hash(&salt, &password);
    Ok((password, hex_lower(&salt), hex_lower(&digest)))
}

fn no_such_credential(id: &str) -> ApiError {
    super::no_such_entity(format!("No such credential {id} exists"))
}

fn credential_id(params: &Params) -> Result<&str, ApiError> {
    super::id_param(params, "ServiceSpecificCredentialId")
}

/// The full answer of Create and Reset, with the password.
fn write_with_password(record: &ServiceCredentialRecord, password: &str) -> String {
    let mut xml = Xml::new();
    xml.nested("ServiceSpecificCredential", |x| {
        x.field("CreateDate", &iso8601(record.create_date))
            .field("ServiceName", &record.service_name)
            .field("ServiceUserName", &record.service_user_name)
            .field("ServicePassword", password)
            .field("ServiceSpecificCredentialId", &record.id)
            .field("UserName", &record.user_name)
            .field("Status", record.status.as_str());
    });
    xml.finish()
}

/// What HTTPS git's check found for a Basic user name and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitCredentialCheck {
    /// An active credential with this user name and password: let it in.
    Allowed {
        /// The IAM user who owns it.
        user_name: String,
    },
    /// The name is a service user name of this service, but no active credential of it has
    /// this password (wrong password, inactive, deleted).
    Refused,
    /// Not a service user name: let the other schemes (IAM git password) decide.
    NotOurs,
}

impl Iam {
    fn service_user_name(&self, user: &str) -> String {
        format!("{user}-at-{}", self.account_id)
    }

    /// The git user name of a new credential: `<user>-at-<account>`, or, as IAM names a
    /// second one, `<user>+1-at-<account>` when the first name is taken.
    fn free_service_user_name(&self, data: &super::IamData, user: &str, service: &str) -> String {
        let taken = |name: &str| {
            data.service_credentials.iter().any(|c| {
                c.user_name == user && c.service_name == service && c.service_user_name == name
            })
        };
        let first = self.service_user_name(user);
        if !taken(&first) {
            return first;
        }
        (1..)
            .map(|n| format!("{user}+{n}-at-{}", self.account_id))
            .find(|name| !taken(name))
            .unwrap_or(first)
    }

    pub(crate) fn create_service_specific_credential(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "CreateServiceSpecificCredential", true)?;
        let service = params.required("ServiceName")?;
        check_service(service)?;
        params.integer("CredentialAgeDays", 1, 36600)?;
        let (password, salt, password_hash) = new_password()?;
        let record = ServiceCredentialRecord {
            id: random_id("ACCA", 17)?,
            user_name: user.name.clone(),
            service_name: service.to_string(),
            service_user_name: String::new(),
            salt,
            password_hash,
            status: Status::Active,
            create_date: crate::local::api::unix_now(),
        };
        let record = self.update(move |data| {
            let mut record = record;
            let count = data
                .service_credentials
                .iter()
                .filter(|c| c.user_name == record.user_name && c.service_name == record.service_name)
                .count();
            if count >= MAX_PER_USER_PER_SERVICE {
                return Err(ApiError {
                    status: 409,
                    code: "LimitExceeded".into(),
                    message: format!(
                        "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {MAX_PER_USER_PER_SERVICE}. Delete one first (DeleteServiceSpecificCredential)."
                    ),
                });
            }
            record.service_user_name =
                self.free_service_user_name(data, &record.user_name, &record.service_name);
            data.service_credentials.push(record.clone());
            Ok(record)
        })?;
        Ok(write_with_password(&record, &password))
    }

    pub(crate) fn list_service_specific_credentials(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "ListServiceSpecificCredentials", false)?;
        if params.boolean("AllUsers")? == Some(true) {
            return Err(ApiError {
                status: 403,
                code: "AccessDenied".into(),
                message: "AllUsers is not allowed here: every user sees only their own credentials in this local service.".into(),
            });
        }
        let service = params.get("ServiceName");
        if let Some(service) = service {
            check_service(service)?;
        }
        let items: Vec<ServiceCredentialRecord> = self
            .lock()
            .service_credentials
            .iter()
            .filter(|c| c.user_name == user.name && service.is_none_or(|s| s == c.service_name))
            .cloned()
            .collect();
        let (items, next) = page(&items, params)?;
        let mut xml = Xml::new();
        xml.nested("ServiceSpecificCredentials", |x| {
            for item in &items {
                x.nested("member", |x| {
                    x.field("UserName", &item.user_name)
                        .field("Status", item.status.as_str())
                        .field("ServiceUserName", &item.service_user_name)
                        .field("CreateDate", &iso8601(item.create_date))
                        .field("ServiceSpecificCredentialId", &item.id)
                        .field("ServiceName", &item.service_name);
                });
            }
        });
        xml.field("IsTruncated", if next.is_some() { "true" } else { "false" });
        if let Some(marker) = next {
            xml.field("Marker", &marker);
        }
        Ok(xml.finish())
    }

    pub(crate) fn reset_service_specific_credential(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<String, ApiError> {
        let user = self.target_user(caller, params, "ResetServiceSpecificCredential", false)?;
        let id = credential_id(params)?.to_string();
        let (password, salt, password_hash) = new_password()?;
        let record = self.update(|data| {
            let record = data
                .service_credentials
                .iter_mut()
                .find(|c| c.id == id && c.user_name == user.name)
                .ok_or_else(|| no_such_credential(&id))?;
            record.salt = salt;
            record.password_hash = password_hash;
            Ok(record.clone())
        })?;
        Ok(write_with_password(&record, &password))
    }

    pub(crate) fn update_service_specific_credential(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<(), ApiError> {
        let user = self.target_user(caller, params, "UpdateServiceSpecificCredential", false)?;
        let id = credential_id(params)?.to_string();
        let status = Status::parse(params)?;
        self.update(|data| {
            super::set_owned_status(
                &mut data.service_credentials,
                (&id, &user.name),
                status,
                || no_such_credential(&id),
            )
        })
    }

    pub(crate) fn delete_service_specific_credential(
        &self,
        caller: &UserRecord,
        params: &Params,
    ) -> Result<(), ApiError> {
        let user = self.target_user(caller, params, "DeleteServiceSpecificCredential", false)?;
        let id = credential_id(params)?.to_string();
        self.update(|data| {
            super::remove_owned(&mut data.service_credentials, (&id, &user.name), || {
                no_such_credential(&id)
            })
        })
    }

    /// Checks HTTPS git Basic credentials against the CodeCommit service-specific
    /// credentials.
    pub fn check_git_credential(&self, user: &str, password: &str) -> GitCredentialCheck {
        let data = self.lock();
        let ours = data.users.iter().any(|u| {
            self.is_current_user(&u.name)
                && (self.service_user_name(&u.name) == user
                    || data
                        .service_credentials
                        .iter()
                        .any(|c| c.user_name == u.name && c.service_user_name == user))
        });
        if !ours {
            return GitCredentialCheck::NotOurs;
        }
        // Check every credential of the name, so the time taken does not tell which exists.
        let mut allowed = None;
        for credential in &data.service_credentials {
            if credential.service_user_name == user
                && credential.service_name == CODECOMMIT
                && self.is_current_user(&credential.user_name)
                && credential.password_matches(password)
                && credential.status == Status::Active
            {
                allowed = Some(credential.user_name.clone());
            }
        }
        match allowed {
            Some(user_name) => GitCredentialCheck::Allowed { user_name },
            None => GitCredentialCheck::Refused,
        }
    }
}

/// Only CodeCommit's credentials are issued here.
fn check_service(service: &str) -> Result<(), ApiError> {
    if service == CODECOMMIT {
        return Ok(());
    }
    Err(ApiError {
        status: 404,
        code: "NotSupportedService".into(),
        message: format!(
            "The service {service} is not supported for service-specific credentials here: this local service issues them for {CODECOMMIT} only."
        ),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn passwords_are_kept_only_as_salted_hashes() {
        let (password, salt, password_hash) = new_password().unwrap();
        assert_eq!(password.len(), 44);
        let record = ServiceCredentialRecord {
            id: "ACCAEXAMPLE0000000000".into(),
            user_name: "alice".into(),
            service_name: CODECOMMIT.into(),
            service_user_name: "alice-at-1".into(),
            salt,
            password_hash,
            status: Status::Active,
            create_date: 0,
        };
        let stored = serde_json::to_string(&record).unwrap();
        assert!(!stored.contains(&password), "{stored}");
        assert!(record.password_matches(&password));
        assert!(!record.password_matches("wrong"));
        let (_, other_salt, _) = new_password().unwrap();
        assert_ne!(record.salt, other_salt, "every credential has its own salt");
    }
}
