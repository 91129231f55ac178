//! Who the session's credentials belong to: STS GetCallerIdentity, mapped into our own struct.
//!
//! The kind decides what the access screen offers: only an IAM user owns SSH public keys and
//! HTTPS git credentials; roles (SSO included), federated users and root use HTTPS with IAM.

use super::client::{Clients, Target};
use super::error::AwsError;

/// The principal behind the session's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// 12-digit account id.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// What kind of principal it is.
    pub kind: IdentityKind,
}

/// The kinds of principal an ARN from GetCallerIdentity names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityKind {
    /// `arn:aws:iam::<account>:user/[path/]<name>`.
    User {
        /// The user name (without its path).
        name: String,
    },
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>` (SSO permission sets too).
    AssumedRole {
        /// The role name.
        role: String,
        /// The session name.
        session: String,
    },
    /// `arn:aws:sts::<account>:federated-user/<name>`.
    Federated {
        /// The federated user's name.
        name: String,
    },
    /// `arn:aws:iam::<account>:root`.
    Root,
    /// Anything else (kept so the screen can still show the ARN).
    Other,
}

impl Identity {
    /// Reads an ARN returned by GetCallerIdentity.
    pub fn from_arn(account: &str, arn: &str) -> Identity {
        // arn:partition:service:region:account:resource
        let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
        let parts: Vec<&str> = resource.split('/').collect();
        let kind = match parts.as_slice() {
            ["root"] => IdentityKind::Root,
            ["user", .., name] if !name.is_empty() => IdentityKind::User {
                name: (*name).to_string(),
            },
            ["assumed-role", role, session @ ..] => IdentityKind::AssumedRole {
                role: (*role).to_string(),
                session: session.join("/"),
            },
            ["federated-user", name] => IdentityKind::Federated {
                name: (*name).to_string(),
            },
            _ => IdentityKind::Other,
        };
        Identity {
            account: account.to_string(),
            arn: arn.to_string(),
            kind,
        }
    }

    /// The IAM user name, when the caller is an IAM user (the only kind that owns SSH keys
    /// and git credentials).
    pub fn user_name(&self) -> Option<&str> {
        match &self.kind {
            IdentityKind::User { name } => Some(name),
            _ => None,
        }
    }

    /// A short label for the header: `alice`, `role Admin`, `federated bob`, `root`.
    pub fn label(&self) -> String {
        match &self.kind {
            IdentityKind::User { name } => name.clone(),
            IdentityKind::AssumedRole { role, .. } if is_sso_role(role) => {
                format!("SSO {}", sso_permission_set(role))
            }
            IdentityKind::AssumedRole { role, .. } => format!("role {role}"),
            IdentityKind::Federated { name } => format!("federated {name}"),
            IdentityKind::Root => "root".into(),
            IdentityKind::Other => self.arn.clone(),
        }
    }

    /// What the principal is, in a sentence's words ("IAM user", "assumed role (SSO)").
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            IdentityKind::User { .. } => "IAM user",
            IdentityKind::AssumedRole { role, .. } if is_sso_role(role) => {
                "assumed role (IAM Identity Center / SSO)"
            }
            IdentityKind::AssumedRole { .. } => "assumed role",
            IdentityKind::Federated { .. } => "federated user",
            IdentityKind::Root => "account root user",
            IdentityKind::Other => "principal",
        }
    }
}

/// Roles IAM Identity Center creates for permission sets.
fn is_sso_role(role: &str) -> bool {
    role.starts_with("AWSReservedSSO_")
}

/// `AWSReservedSSO_<PermissionSet>_<hash>` → `<PermissionSet>`.
fn sso_permission_set(role: &str) -> &str {
    let rest = role.trim_start_matches("AWSReservedSSO_");
    rest.rsplit_once('_').map_or(rest, |(set, _)| set)
}

/// STS GetCallerIdentity for the target's credentials.
pub async fn caller_identity(clients: &Clients, target: &Target) -> Result<Identity, AwsError> {
    let client = clients.sts(target).await;
    let answer = client
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| AwsError::from_sdk(e, "sts:GetCallerIdentity", target))?;
    let arn = answer.arn().unwrap_or_default();
    let account = answer.account().unwrap_or_default();
    if arn.is_empty() {
        return Err(AwsError::Other(
            "STS answered GetCallerIdentity without an ARN".into(),
        ));
    }
    Ok(Identity::from_arn(account, arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_arn_is_read() {
        let user = Identity::from_arn("123456789012", "arn:aws:iam::123456789012:user/dev/alice");
        assert_eq!(user.user_name(), Some("alice"));
        assert_eq!(user.label(), "alice");
        let role = Identity::from_arn(
            "123456789012",
            "arn:aws:sts::123456789012:assumed-role/Deploy/ci-42",
        );
        assert_eq!(
            role.kind,
            IdentityKind::AssumedRole {
                role: "Deploy".into(),
                session: "ci-42".into()
            }
        );
        assert_eq!(role.label(), "role Deploy");
        assert_eq!(role.user_name(), None);
        let sso = Identity::from_arn(
            "123456789012",
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUser_0123abcd/bob@example.com",
        );
        assert_eq!(sso.label(), "SSO PowerUser");
        assert!(sso.kind_name().contains("SSO"));
        let federated = Identity::from_arn(
            "123456789012",
            "arn:aws:sts::123456789012:federated-user/carol",
        );
        assert_eq!(federated.label(), "federated carol");
        let root = Identity::from_arn("123456789012", "arn:aws:iam::123456789012:root");
        assert_eq!(root.kind, IdentityKind::Root);
        let china = Identity::from_arn("123456789012", "arn:aws-cn:iam::123456789012:user/dan");
        assert_eq!(china.user_name(), Some("dan"));
        let odd = Identity::from_arn("123456789012", "arn:aws:iam::123456789012:group/x/y");
        assert_eq!(odd.kind, IdentityKind::Other);
    }
}
