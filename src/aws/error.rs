//! AWS errors turned into sentences that say what happened and what to do next.

use std::fmt::Debug;

use aws_sdk_codecommit::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::client::Target;

/// An AWS call that failed, classified for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// No credentials anywhere in the chain.
    #[error("No AWS credentials found{}.", profile_suffix(.profile))]
    NoCredentials {
        /// Profile in use.
        profile: Option<String>,
    },
    /// The SSO token of the profile expired.
    #[error("The SSO session{} has expired.", profile_suffix(.profile))]
    SsoExpired {
        /// Profile in use.
        profile: Option<String>,
    },
    /// No region configured.
    #[error("No AWS region is set{}.", profile_suffix(.profile))]
    NoRegion {
        /// Profile in use.
        profile: Option<String>,
    },
    /// The credentials were rejected (unknown key, bad signature, expired token).
    #[error("AWS rejected the credentials ({code}): {message}")]
    BadCredentials {
        /// AWS error code.
        code: String,
        /// AWS message.
        message: String,
    },
    /// IAM denied the action.
    #[error("Access denied for {action}: {message}")]
    AccessDenied {
        /// The API action with its service prefix (`codecommit:ListRepositories`).
        action: String,
        /// AWS message (names the principal and resource).
        message: String,
    },
    /// Throttled even after the SDK's retries.
    #[error("CodeCommit is throttling requests ({action}), even after retries.")]
    Throttled {
        /// The API action.
        action: String,
    },
    /// The endpoint could not be reached.
    #[error("Cannot reach the CodeCommit endpoint {endpoint}: {detail}")]
    Unreachable {
        /// URL or region endpoint.
        endpoint: String,
        /// Network error.
        detail: String,
    },
    /// Any other service error (validation, not found…): the message is AWS's own.
    #[error("{message}")]
    Service {
        /// AWS error code (`RepositoryNameExistsException`).
        code: String,
        /// AWS message.
        message: String,
    },
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

fn profile_suffix(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" for profile {p}"))
        .unwrap_or_default()
}

impl AwsError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            AwsError::NoCredentials { profile: Some(p) } => {
                Some(format!("Run `aws configure --profile {p}` (or `aws sso login --profile {p}`), or pick another profile with `p`."))
            }
            AwsError::NoCredentials { profile: None } => Some(
                "Run `aws configure`, set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or start cctui with --profile NAME.".into(),
            ),
            AwsError::SsoExpired { profile } => {
                Some(format!("Run `aws sso login{}` and press r to retry.", profile.as_ref().map(|p| format!(" --profile {p}")).unwrap_or_default()))
            }
            AwsError::NoRegion { .. } => Some("Pick a region with `R`, or start cctui with --region REGION.".into()),
            AwsError::BadCredentials { .. } => {
                Some("Check the access key of this profile, refresh temporary credentials, and check the machine's clock.".into())
            }
            AwsError::AccessDenied { action, .. } => {
                Some(format!("Ask an administrator to allow {action} for your IAM identity."))
            }
            AwsError::Throttled { .. } => Some("Wait a moment and press r to retry.".into()),
            AwsError::Unreachable { .. } => {
                Some("Check the network, the region, and --endpoint-url if you set one.".into())
            }
            AwsError::Service { code, .. } => service_hint(code),
            AwsError::Other(_) => None,
        }
    }

    /// The AWS error code, when the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } | AwsError::BadCredentials { code, .. } => Some(code),
            AwsError::AccessDenied { .. } => Some("AccessDeniedException"),
            AwsError::Throttled { .. } => Some("ThrottlingException"),
            _ => None,
        }
    }

    /// Classifies an SDK error of the API `action` (`ListRepositories` for CodeCommit, else
    /// with its service prefix: `iam:UploadSSHPublicKey`) made for `target`.
    pub fn from_sdk<E, R>(error: SdkError<E, R>, action: &str, target: &Target) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: Debug + 'static,
    {
        // IAM policies name actions with their service: `codecommit:GetRepository`.
        let policy_action = if action.contains(':') {
            action.to_string()
        } else {
            format!("codecommit:{action}")
        };
        let full = DisplayErrorContext(&error).to_string();
        let lower = full.to_lowercase();
        let profile = target.profile.clone();
        let endpoint = || {
            target.endpoint.clone().unwrap_or_else(|| {
                format!(
                    "codecommit.{}.amazonaws.com",
                    target.region.as_deref().unwrap_or("?")
                )
            })
        };
        // Only credential resolution can fail this way; a service answer is never an SSO
        // problem, even when its message names a repository like `sso-token-refresh`.
        if !matches!(error, SdkError::ServiceError(_))
            && lower.contains("sso")
            && (lower.contains("expired") || lower.contains("refresh"))
        {
            return AwsError::SsoExpired { profile };
        }
        match &error {
            SdkError::ServiceError(service) => {
                let code = service.err().code().unwrap_or("Unknown").to_string();
                let message = service.err().message().unwrap_or_default().to_string();
                match code.as_str() {
                    "AccessDeniedException" | "AccessDenied" => AwsError::AccessDenied {
                        action: policy_action,
                        message,
                    },
                    "ThrottlingException" | "Throttling" | "TooManyRequestsException" => {
                        AwsError::Throttled {
                            action: action.into(),
                        }
                    }
                    "UnrecognizedClientException"
                    | "InvalidSignatureException"
                    | "ExpiredTokenException"
                    | "InvalidClientTokenId"
                    | "MissingAuthenticationTokenException" => {
                        AwsError::BadCredentials { code, message }
                    }
                    _ => AwsError::Service { code, message },
                }
            }
            SdkError::TimeoutError(_) => AwsError::Unreachable {
                endpoint: endpoint(),
                detail: "timed out".into(),
            },
            SdkError::DispatchFailure(failure) if failure.is_io() || failure.is_timeout() => {
                AwsError::Unreachable {
                    endpoint: endpoint(),
                    detail: innermost_cause(&error),
                }
            }
            _ if lower.contains("no credentials")
                || lower.contains("credentials provider")
                || lower.contains("credentialsnotloaded") =>
            {
                AwsError::NoCredentials { profile }
            }
            _ if lower.contains("region")
                && (lower.contains("no region")
                    || lower.contains("missing region")
                    || lower.contains("region must be set")
                    // The SDK's words when signing without a region: "missing signing region".
                    || lower.contains("signing region")) =>
            {
                AwsError::NoRegion { profile }
            }
            SdkError::DispatchFailure(_) => AwsError::Unreachable {
                endpoint: endpoint(),
                detail: innermost_cause(&error),
            },
            // It answered, but not like CodeCommit (wrong endpoint path, a proxy's HTML page).
            SdkError::ResponseError(_) => AwsError::Other(format!(
                "Unexpected answer from {}: {}",
                endpoint(),
                error_chain(&error)
            )),
            // The chain's messages only: `full` ends with the Debug dump of the raw response.
            _ => AwsError::Other(error_chain(&error)),
        }
    }
}

/// What to do about an IAM error of the access screen, by its AWS code.
fn service_hint(code: &str) -> Option<String> {
    let hint = match code {
        "NoSuchEntity" => {
            "It is gone already (changed elsewhere?): press r to read the list again."
        }
        "LimitExceeded" | "LimitExceededException" => {
            "IAM allows 5 SSH public keys and 2 HTTPS git credentials for CodeCommit per user: delete an old one first."
        }
        "DuplicateSSHPublicKey" => {
            "This public key is already uploaded for this user: use its SSH key ID from the list."
        }
        "UnrecognizedPublicKeyEncoding" => {
            "IAM takes OpenSSH public keys (ssh-ed25519 or ssh-rsa …); generate a new key here."
        }
        "ServiceNotSupportedException" | "ServiceNotSupported" => {
            "This partition does not offer CodeCommit git credentials: use HTTPS with IAM (the credential helper) or SSH."
        }
        _ => return None,
    };
    Some(hint.into())
}

/// The messages of an error and its sources, joined with ": ".
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error;
    while let Some(next) = current.source() {
        text.push_str(": ");
        text.push_str(&next.to_string());
        current = next;
    }
    text
}

/// The innermost cause of an error chain ("Connection refused (os error 111)"). Walks
/// `source()` rather than splitting the text of `DisplayErrorContext`, whose last part is the
/// `Debug` form of the error.
fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
