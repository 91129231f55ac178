//! Building CodeCommit clients from the AWS default chain, one per (profile, region, endpoint).
//!
//! `aws-config` resolves credentials exactly as the AWS CLI: environment, shared config and
//! credentials files, SSO, assume-role, `credential_process`. The only addition is an explicit
//! credentials override, used by the demo so it needs no AWS setup.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_credential_types::Credentials;
use aws_sdk_codecommit::Client;

use crate::secret::SecretString;

/// Which account view a request is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Target {
    /// Profile name; `None` means the default chain without a profile.
    pub profile: Option<String>,
    /// Region; `None` means the profile's or environment's region.
    pub region: Option<String>,
    /// Endpoint URL override (local service, VPC endpoint).
    pub endpoint: Option<String>,
}

/// Explicit static credentials (demo mode, tests).
#[derive(Debug, Clone)]
pub struct StaticCredentials {
    /// Access key id (not secret).
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: SecretString,
    /// Session token, for temporary credentials.
    pub session_token: Option<SecretString>,
}

/// Clients by target, created on first use and reused (they hold connection pools).
#[derive(Debug, Clone, Default)]
pub struct Clients {
    credentials: Option<StaticCredentials>,
    cache: Arc<Mutex<HashMap<Target, (Client, aws_config::SdkConfig)>>>,
}

impl Clients {
    /// Clients that use the AWS default chain.
    pub fn new() -> Clients {
        Clients::default()
    }

    /// Clients that always use these credentials (demo, tests).
    pub fn with_credentials(credentials: StaticCredentials) -> Clients {
        Clients {
            credentials: Some(credentials),
            cache: Arc::default(),
        }
    }

    /// Whether these clients bring their own credentials (the demo), so no AWS setup is needed.
    pub fn has_static_credentials(&self) -> bool {
        self.credentials.is_some()
    }

    /// The client for a target, built on first use.
    pub async fn get(&self, target: &Target) -> Client {
        self.get_both(target).await.0
    }

    async fn get_both(&self, target: &Target) -> (Client, aws_config::SdkConfig) {
        if let Some(both) = self.cache.lock().ok().and_then(|c| c.get(target).cloned()) {
            return both;
        }
        let both = build(target, self.credentials.as_ref()).await;
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(target.clone(), both.clone());
        }
        both
    }

    /// The region a target resolves to (after the profile and environment), if any.
    pub async fn region_of(&self, target: &Target) -> Option<String> {
        self.get(target)
            .await
            .config()
            .region()
            .map(|r| r.to_string())
    }
}

async fn build(
    target: &Target,
    credentials: Option<&StaticCredentials>,
) -> (Client, aws_config::SdkConfig) {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &target.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(c) = credentials {
        loader = loader.credentials_provider(Credentials::new(
            c.access_key_id.clone(),
            c.secret_access_key.expose().clone(),
            c.session_token.as_ref().map(|t| t.expose().clone()),
            None,
            "cctui-static",
        ));
    }
    // Network operations have timeouts (DESIGN.md): the SDK bounds only the connect by default,
    // so a silent endpoint would hang a listing forever.
    loader = loader.timeout_config(
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(std::time::Duration::from_secs(5))
            .operation_attempt_timeout(std::time::Duration::from_secs(10))
            .operation_timeout(std::time::Duration::from_secs(30))
            .build(),
    );
    let shared = loader.load().await;
    let mut config = aws_sdk_codecommit::config::Builder::from(&shared);
    if let Some(endpoint) = &target.endpoint {
        config = config.endpoint_url(endpoint.clone());
    }
    (Client::from_conf(config.build()), shared)
}

impl Clients {
    /// An STS client for the target, from the same resolved configuration as CodeCommit's
    /// (profile, region, credentials, timeouts) and the same endpoint override (the local
    /// service answers every API on one port).
    pub async fn sts(&self, target: &Target) -> aws_sdk_sts::Client {
        let (_, shared) = self.get_both(target).await;
        let mut config = aws_sdk_sts::config::Builder::from(&shared);
        if let Some(endpoint) = &target.endpoint {
            config = config.endpoint_url(endpoint.clone());
        }
        aws_sdk_sts::Client::from_conf(config.build())
    }

    /// An IAM client for the target. IAM is global: without an endpoint override it is
    /// signed for its partition's home region (`us-east-1` on `aws`, `cn-north-1` in China,
    /// `us-gov-west-1` in GovCloud), whatever region the session browses. With an override
    /// (the local service) the session's region stays, as the AWS CLI does with
    /// `--endpoint-url`.
    pub async fn iam(&self, target: &Target) -> aws_sdk_iam::Client {
        let (_, shared) = self.get_both(target).await;
        let mut config = aws_sdk_iam::config::Builder::from(&shared);
        match &target.endpoint {
            Some(endpoint) => config = config.endpoint_url(endpoint.clone()),
            None => {
                let region = shared.region().map(|r| r.to_string()).unwrap_or_default();
                config = config.region(Region::new(iam_signing_region(&region)));
            }
        }
        aws_sdk_iam::Client::from_conf(config.build())
    }
}

/// The region IAM (a global service) is signed for, by the partition of `region`.
pub fn iam_signing_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "cn-north-1"
    } else if region.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

impl Clients {
    /// The AWS keys of a target, resolved through the same chain as API calls (for git
    /// passwords). Errors say what to do (no credentials, expired SSO…).
    pub async fn keys(
        &self,
        target: &Target,
    ) -> Result<crate::aws::git_password::AwsKeys, crate::aws::error::AwsError> {
        use aws_credential_types::provider::ProvideCredentials;
        let (_, shared) = self.get_both(target).await;
        let provider =
            shared
                .credentials_provider()
                .ok_or(crate::aws::error::AwsError::NoCredentials {
                    profile: target.profile.clone(),
                })?;
        let credentials = provider.provide_credentials().await.map_err(|e| {
            let text = crate::aws::error::error_chain(&e).to_lowercase();
            if text.contains("sso") && (text.contains("expired") || text.contains("refresh")) {
                crate::aws::error::AwsError::SsoExpired {
                    profile: target.profile.clone(),
                }
            } else {
                crate::aws::error::AwsError::NoCredentials {
                    profile: target.profile.clone(),
                }
            }
        })?;
        Ok(crate::aws::git_password::AwsKeys {
            access_key_id: credentials.access_key_id().to_string(),
            secret_access_key: SecretString::new(credentials.secret_access_key().to_string()),
            session_token: credentials
                .session_token()
                .map(|t| SecretString::new(t.to_string())),
        })
    }
}

impl Clients {
    /// A CodeStar Notifications client for the target (notification rules of repositories),
    /// from the same resolved configuration as CodeCommit's and the same endpoint override:
    /// the local service answers it on the same port, told apart by the SigV4 scope.
    pub async fn notifications(&self, target: &Target) -> aws_sdk_codestarnotifications::Client {
        let (_, shared) = self.get_both(target).await;
        let mut config = aws_sdk_codestarnotifications::config::Builder::from(&shared);
        if let Some(endpoint) = &target.endpoint {
            config = config.endpoint_url(endpoint.clone());
        }
        aws_sdk_codestarnotifications::Client::from_conf(config.build())
    }
}
