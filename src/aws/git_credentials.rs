//! HTTPS git credentials for CodeCommit: IAM service-specific credentials of the service
//! `codecommit.amazonaws.com`. The password exists only in the answer to create and reset; it
//! is handed to the caller as a [`SecretString`] and never logged.

use aws_sdk_iam::types::StatusType;

use super::client::{Clients, Target};
use super::error::AwsError;
use super::ssh_keys::short_date;
use crate::secret::SecretString;

/// The service the credentials are for.
pub const SERVICE: &str = "codecommit.amazonaws.com";

/// One HTTPS git credential (without its password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCredential {
    /// `ServiceSpecificCredentialId` (`ACCA…`).
    pub id: String,
    /// The git user name (`alice-at-123456789012`).
    pub user_name: String,
    /// Whether CodeCommit accepts it.
    pub active: bool,
    /// When it was created (UTC).
    pub created: String,
}

/// A credential with its password, as create and reset return it (the only time AWS shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGitCredential {
    /// The credential.
    pub credential: GitCredential,
    /// Its password.
    pub password: SecretString,
}

fn credential_of(c: &aws_sdk_iam::types::ServiceSpecificCredential) -> NewGitCredential {
    NewGitCredential {
        credential: GitCredential {
            id: c.service_specific_credential_id().to_string(),
            user_name: c.service_user_name().to_string(),
            active: *c.status() == StatusType::Active,
            created: short_date(c.create_date()),
        },
        password: SecretString::new(c.service_password().to_string()),
    }
}

/// The user's CodeCommit git credentials.
pub async fn list(
    clients: &Clients,
    target: &Target,
    user: &str,
) -> Result<Vec<GitCredential>, AwsError> {
    let answer = clients
        .iam(target)
        .await
        .list_service_specific_credentials()
        .user_name(user)
        .service_name(SERVICE)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:ListServiceSpecificCredentials", target))?;
    Ok(answer
        .service_specific_credentials()
        .iter()
        .filter(|c| c.service_name() == SERVICE)
        .map(|c| GitCredential {
            id: c.service_specific_credential_id().to_string(),
            user_name: c.service_user_name().to_string(),
            active: *c.status() == StatusType::Active,
            created: short_date(c.create_date()),
        })
        .collect())
}

/// CreateServiceSpecificCredential for CodeCommit.
pub async fn create(
    clients: &Clients,
    target: &Target,
    user: &str,
) -> Result<NewGitCredential, AwsError> {
    let answer = clients
        .iam(target)
        .await
        .create_service_specific_credential()
        .user_name(user)
        .service_name(SERVICE)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:CreateServiceSpecificCredential", target))?;
    answer
        .service_specific_credential()
        .map(credential_of)
        .ok_or_else(|| AwsError::Other("IAM answered without the new credential".into()))
}

/// ResetServiceSpecificCredential: a new password for the same user name.
pub async fn reset(
    clients: &Clients,
    target: &Target,
    user: &str,
    id: &str,
) -> Result<NewGitCredential, AwsError> {
    let answer = clients
        .iam(target)
        .await
        .reset_service_specific_credential()
        .user_name(user)
        .service_specific_credential_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:ResetServiceSpecificCredential", target))?;
    answer
        .service_specific_credential()
        .map(credential_of)
        .ok_or_else(|| AwsError::Other("IAM answered without the reset credential".into()))
}

/// UpdateServiceSpecificCredential: activate or deactivate.
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
        .update_service_specific_credential()
        .user_name(user)
        .service_specific_credential_id(id)
        .status(if active {
            StatusType::Active
        } else {
            StatusType::Inactive
        })
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:UpdateServiceSpecificCredential", target))?;
    Ok(())
}

/// DeleteServiceSpecificCredential.
pub async fn delete(
    clients: &Clients,
    target: &Target,
    user: &str,
    id: &str,
) -> Result<(), AwsError> {
    clients
        .iam(target)
        .await
        .delete_service_specific_credential()
        .user_name(user)
        .service_specific_credential_id(id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "iam:DeleteServiceSpecificCredential", target))?;
    Ok(())
}
