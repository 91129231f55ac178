//! Credential methods and the bounded credential callback.
//!
//! libgit2 calls the credentials callback again after every refusal (HTTP 401, SSH auth
//! failure); left alone it loops. [`Authenticator`] tries each credential at most once per
//! operation and then fails with [`GitError::AuthFailed`] naming the method and the user.

use std::path::PathBuf;

use git2::{CertificateCheckStatus, Cred, CredentialType};

use crate::aws::git_password::{AwsKeys, git_login};
use crate::git::GitError;
use crate::git::known_hosts::{self, HostKeyCheck};
use crate::secret::SecretString;

/// How to authenticate to the remote.
#[derive(Debug, Clone)]
pub enum Auth {
    /// CodeCommit IAM git password (SigV4), computed fresh for each operation. The host signed
    /// is the URL's: the bare host name for CodeCommit hosts (as the AWS CLI does), `host:port`
    /// as git sends it for others.
    Iam {
        /// The AWS keys.
        keys: AwsKeys,
        /// The signing region.
        region: String,
    },
    /// Static HTTPS Git credentials (IAM "HTTPS Git credentials for AWS CodeCommit").
    Static {
        /// Git user name.
        username: String,
        /// Git password.
        password: SecretString,
    },
    /// git's configured credential helpers (`credential.helper` in the global/system config).
    GitCredentialHelper,
    /// SSH: the agent (if `use_agent`) once, then each key file once.
    Ssh {
        /// SSH user: for CodeCommit, the SSH key ID (`APKA…`). Empty: the URL's user.
        user: String,
        /// Private key files to try, in order.
        key_files: Vec<PathBuf>,
        /// Passphrase for encrypted key files.
        passphrase: Option<SecretString>,
        /// Try the ssh-agent (`SSH_AUTH_SOCK`) first.
        use_agent: bool,
        /// The known_hosts file to check the server's host key against.
        known_hosts: PathBuf,
        /// A `SHA256:…` fingerprint the user accepted for this operation.
        trusted_fingerprint: Option<String>,
        /// Where to connect instead of the URL's host (`HostName`, `Port` of `~/.ssh/config`);
        /// the remote's URL in `.git/config` keeps what the user wrote.
        connect_to: Option<SshEndpoint>,
    },
}

/// The host and port ssh connects to for a host name written in a URL, as `~/.ssh/config`'s
/// `HostName` and `Port` say. It applies only to URLs on `written` (a push URL elsewhere is
/// left alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshEndpoint {
    /// The host name as written in the URL (lowercase, no port).
    pub written: String,
    /// The host to connect to.
    pub host: String,
    /// The port to connect to; `None`: the URL's, else 22.
    pub port: Option<u16>,
}

impl SshEndpoint {
    /// The endpoint `settings` give the URL host `written`; `None` when they change nothing
    /// (no `HostName`, and no `Port` or a port in the URL already).
    pub fn from_settings(
        written: &crate::model::Host,
        settings: &crate::git::SshSettings,
    ) -> Option<SshEndpoint> {
        let host = settings
            .host_name
            .clone()
            .filter(|name| !name.is_empty() && !name.eq_ignore_ascii_case(written.name()));
        // The URL's port wins over `Port`, as with ssh's `-p`.
        let port = settings.port.filter(|_| written.port().is_none());
        if host.is_none() && port.is_none() {
            return None;
        }
        Some(SshEndpoint {
            written: written.name().to_string(),
            host: host.unwrap_or_else(|| written.name().to_string()),
            port,
        })
    }

    /// `url` pointed at this endpoint (user and path kept), or `None` when `url` is not an SSH
    /// URL on the written host. scp-like `host:path` stays scp-like unless a port must be
    /// given, then becomes `ssh://host:port/~/path` (libgit2 reads `/~` as the home directory).
    pub fn rewrite(&self, url: &str) -> Option<String> {
        let parsed = crate::model::RemoteUrl::parse(url).ok()?;
        let host = parsed.host.as_ref()?;
        if parsed.scheme != crate::model::Scheme::Ssh || host.name() != self.written {
            return None;
        }
        let port = host.port().or(self.port);
        let name = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let user = parsed
            .user
            .as_deref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let authority = match port {
            Some(port) => format!("{user}{name}:{port}"),
            None => format!("{user}{name}"),
        };
        match url.trim().split_once("://") {
            Some(_) => Some(format!("ssh://{authority}{}", parsed.path)),
            None => {
                let scp_path = scp_path(url.trim())?;
                match port {
                    Some(_) if scp_path.starts_with('/') => {
                        Some(format!("ssh://{authority}{scp_path}"))
                    }
                    Some(_) => Some(format!("ssh://{authority}/~/{scp_path}")),
                    None => Some(format!("{authority}:{scp_path}")),
                }
            }
        }
    }
}

/// The path of a scp-like `[user@]host:path` (`[v6]:path` too), as written.
fn scp_path(text: &str) -> Option<&str> {
    let colon = match text.find(']') {
        Some(close) if text[..close].contains('[') => close + 1,
        _ => text.find(':')?,
    };
    text.get(colon..)?.strip_prefix(':')
}

/// The URL libgit2 should connect to for `url` under `auth`: rewritten to `~/.ssh/config`'s
/// `HostName`/`Port` for SSH, else `url` itself.
pub fn connect_url(url: &str, auth: &Auth) -> String {
    match auth {
        Auth::Ssh {
            connect_to: Some(endpoint),
            ..
        } => endpoint.rewrite(url).unwrap_or_else(|| url.to_string()),
        _ => url.to_string(),
    }
}

impl Auth {
    /// The method's name in messages.
    pub fn method(&self) -> &'static str {
        match self {
            Auth::Iam { .. } => "IAM",
            Auth::Static { .. } => "HTTPS Git credentials",
            Auth::GitCredentialHelper => "git credential helper",
            Auth::Ssh { .. } => "SSH",
        }
    }
}

const IAM_HINT: &str = "check that the IAM policy allows codecommit:GitPull on this repository, and that the keys and the region are right";
const STATIC_HINT: &str = "check the user name and password of your HTTPS Git credentials for AWS CodeCommit (IAM > Users > Security credentials), or create new ones";
const HELPER_HINT: &str = "the user name and password from git's credential helper were refused or missing; check `git config --get-all credential.helper`";
const SSH_HINT: &str = "upload your SSH public key in IAM (Security credentials > SSH keys for AWS CodeCommit) and use its SSH key ID (APKA...) as User";
const NETWORK_HINT: &str = "check the network connection (VPN, proxy, firewall), then retry";

/// The parts of a remote URL that authentication needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// `https`, `http` or `ssh` (scp-like `user@host:path` is `ssh`).
    pub scheme: String,
    /// The user in the URL, if any.
    pub user: Option<String>,
    /// Whether the URL carries a password (refused: it would be written to `.git/config`).
    pub has_password: bool,
    /// Host name without the port.
    pub host: String,
    /// Explicit port.
    pub port: Option<u16>,
    /// Path with its leading `/` (for scp-like URLs too).
    pub path: String,
}

impl RemoteUrl {
    /// Parses `scheme://[user[:password]@]host[:port]/path` or `[user@]host:path` with the
    /// model's one URL parser; `codecommit://` URLs and local paths are not for this client.
    pub fn parse(url: &str) -> Result<RemoteUrl, GitError> {
        use crate::model::Scheme;
        let parsed = crate::model::RemoteUrl::parse(url)
            .map_err(|e| GitError::Other(format!("not a git URL this client can use: {e}")))?;
        let scheme = match parsed.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
            Scheme::Ssh => "ssh",
            Scheme::Codecommit => {
                return Err(GitError::Other(format!(
                    "unsupported URL scheme codecommit:// (use the HTTPS or SSH clone URL): {url}"
                )));
            }
        };
        let host = parsed
            .host
            .as_ref()
            .ok_or_else(|| GitError::Other(format!("not a git URL this client can use: {url}")))?;
        Ok(RemoteUrl {
            scheme: scheme.to_string(),
            user: parsed.user.clone(),
            has_password: parsed.has_password,
            host: host.name().to_string(),
            port: host.port(),
            path: parsed.path.clone(),
        })
    }

    /// The host as signed in an IAM git password: the bare name for CodeCommit hosts (as the
    /// AWS CLI does), `host:port` as git sends it in `Host:` for others.
    pub fn signing_host(&self) -> String {
        match self.port {
            Some(port) if !is_codecommit_git_host(&self.host) => format!("{}:{port}", self.host),
            _ => self.host.clone(),
        }
    }

    /// `host` or `host:port` for messages.
    pub fn display_host(&self) -> String {
        match self.port {
            Some(port) if !(self.scheme == "ssh" && port == 22) => format!("{}:{port}", self.host),
            _ => self.host.clone(),
        }
    }
}

/// Whether `host` (a name without port) is a CodeCommit git endpoint, by the model's one rule.
fn is_codecommit_git_host(host: &str) -> bool {
    crate::model::Host::parse(host).is_ok_and(|h| h.git_region().is_some())
}

/// The credential callback state of one operation: each credential is handed out at most once;
/// the first call past the last one fails, and [`Authenticator::error`] then names the method.
#[derive(Debug)]
pub struct Authenticator {
    auth: Auth,
    url: RemoteUrl,
    handed_out: usize,
    agent_tried: bool,
    next_key: usize,
    /// The encrypted key file being tried with a passphrase.
    trying_encrypted: Option<PathBuf>,
    skipped_for_passphrase: Option<PathBuf>,
    user_shown: String,
    outcome: Option<GitError>,
}

impl Authenticator {
    /// State for one operation on `url`.
    pub fn new(auth: &Auth, url: &RemoteUrl) -> Authenticator {
        let user_shown = match auth {
            Auth::Iam { keys, .. } => keys.access_key_id.clone(),
            Auth::Static { username, .. } => username.clone(),
            Auth::GitCredentialHelper => url.user.clone().unwrap_or_default(),
            Auth::Ssh { user, .. } if !user.is_empty() => user.clone(),
            Auth::Ssh { .. } => url.user.clone().unwrap_or_default(),
        };
        Authenticator {
            auth: auth.clone(),
            url: url.clone(),
            handed_out: 0,
            agent_tried: false,
            next_key: 0,
            trying_encrypted: None,
            skipped_for_passphrase: None,
            user_shown,
            outcome: None,
        }
    }

    /// How many credentials were handed to libgit2 so far.
    pub fn attempts(&self) -> usize {
        self.handed_out
    }

    /// The git2 credentials callback.
    pub fn credentials(
        &mut self,
        url: &str,
        username_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<Cred, git2::Error> {
        let result = self.next_credential(url, username_from_url, allowed);
        if result.is_ok() {
            tracing::debug!(
                method = self.auth.method(),
                attempt = self.handed_out,
                "git credentials"
            );
        }
        result
    }

    fn exhausted(&mut self) -> git2::Error {
        if self.outcome.is_none() {
            self.outcome = Some(match self.skipped_for_passphrase.take() {
                Some(key) => GitError::PassphraseNeeded { key },
                None => self.auth_failed(),
            });
        }
        git2::Error::from_str("authentication failed")
    }

    fn auth_failed(&self) -> GitError {
        let hint = match self.auth {
            Auth::Iam { .. } => IAM_HINT,
            Auth::Static { .. } => STATIC_HINT,
            Auth::GitCredentialHelper => HELPER_HINT,
            Auth::Ssh { .. } => SSH_HINT,
        };
        GitError::AuthFailed {
            method: self.auth.method(),
            user: if self.user_shown.is_empty() {
                "(no user name)".to_string()
            } else {
                self.user_shown.clone()
            },
            hint: hint.to_string(),
        }
    }

    fn next_credential(
        &mut self,
        url: &str,
        username_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<Cred, git2::Error> {
        let auth = self.auth.clone();
        match &auth {
            Auth::Iam { keys, region } => {
                if self.handed_out > 0 || !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                    return Err(self.exhausted());
                }
                let unix = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                let login = git_login(keys, &self.url.signing_host(), &self.url.path, region, unix);
                self.handed_out += 1;
                Cred::userpass_plaintext(login.username.expose(), login.password.expose())
            }
            Auth::Static { username, password } => {
                if self.handed_out > 0 || !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                    return Err(self.exhausted());
                }
                self.handed_out += 1;
                Cred::userpass_plaintext(username, password.expose())
            }
            Auth::GitCredentialHelper => {
                if self.handed_out > 0 || !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                    return Err(self.exhausted());
                }
                let config = git2::Config::open_default()?;
                let found = git2::CredentialHelper::new(url)
                    .config(&config)
                    .username(username_from_url)
                    .execute();
                let Some((user, password)) = found else {
                    return Err(self.exhausted());
                };
                self.user_shown = user.clone();
                self.handed_out += 1;
                Cred::userpass_plaintext(&user, &password)
            }
            Auth::Ssh {
                user,
                key_files,
                passphrase,
                use_agent,
                ..
            } => {
                let user = if user.is_empty() {
                    username_from_url.unwrap_or("")
                } else {
                    user.as_str()
                };
                if user.is_empty() {
                    self.outcome = Some(GitError::AuthFailed {
                        method: "SSH",
                        user: "(no user name)".to_string(),
                        hint: "set the SSH user: for CodeCommit, the SSH key ID (APKA...) of your uploaded public key, as `User` in ~/.ssh/config".to_string(),
                    });
                    return Err(git2::Error::from_str("no SSH user name"));
                }
                self.user_shown = user.to_string();
                if allowed.contains(CredentialType::USERNAME) {
                    return Cred::username(user);
                }
                if !allowed.contains(CredentialType::SSH_KEY) {
                    return Err(self.exhausted());
                }
                self.trying_encrypted = None;
                if *use_agent && !self.agent_tried {
                    self.agent_tried = true;
                    self.handed_out += 1;
                    return Cred::ssh_key_from_agent(user);
                }
                while let Some(key) = key_files.get(self.next_key) {
                    self.next_key += 1;
                    let Ok(text) = std::fs::read(key) else {
                        continue;
                    };
                    let encrypted = key_is_encrypted(&text);
                    if encrypted && passphrase.is_none() {
                        self.skipped_for_passphrase
                            .get_or_insert_with(|| key.clone());
                        continue;
                    }
                    if encrypted {
                        self.trying_encrypted = Some(key.clone());
                    }
                    self.handed_out += 1;
                    let passphrase = passphrase
                        .as_ref()
                        .filter(|_| encrypted)
                        .map(|p| p.expose().as_str());
                    return Cred::ssh_key(user, None, key, passphrase);
                }
                Err(self.exhausted())
            }
        }
    }

    /// The git2 certificate check callback: SSH host keys are checked against the known_hosts
    /// of [`Auth::Ssh`] (a fingerprint the user trusted is accepted and added to it); TLS
    /// certificates are left to libgit2's own verification.
    pub fn certificate_check(
        &mut self,
        cert: &git2::cert::Cert<'_>,
        hostname: &str,
    ) -> Result<CertificateCheckStatus, git2::Error> {
        let (
            Some(hostkey),
            Auth::Ssh {
                known_hosts,
                trusted_fingerprint,
                ..
            },
        ) = (cert.as_hostkey(), &self.auth)
        else {
            return Ok(CertificateCheckStatus::CertificatePassthrough);
        };
        let port = self.url.port.unwrap_or(22);
        let host = if hostname.is_empty() {
            self.url.host.clone()
        } else {
            hostname.to_string()
        };
        let shown = if port == 22 {
            host.clone()
        } else {
            format!("{host}:{port}")
        };
        let Some(blob) = hostkey.hostkey() else {
            self.outcome = Some(GitError::Other(format!(
                "the SSH server {shown} sent no host key"
            )));
            return Err(git2::Error::from_str("no host key"));
        };
        let fingerprint = known_hosts::fingerprint_sha256(blob);
        let trusted = trusted_fingerprint.as_deref() == Some(fingerprint.as_str());
        match known_hosts::check(known_hosts, &host, port, blob) {
            HostKeyCheck::Known => Ok(CertificateCheckStatus::CertificateOk),
            HostKeyCheck::Unknown if trusted => {
                if let Err(error) = known_hosts::add(known_hosts, &host, port, blob) {
                    tracing::warn!(%error, file = %known_hosts.display(), "cannot record the trusted host key");
                }
                Ok(CertificateCheckStatus::CertificateOk)
            }
            HostKeyCheck::Unknown => {
                self.outcome = Some(GitError::UnknownHostKey {
                    host: shown,
                    fingerprint,
                });
                Err(git2::Error::from_str("unknown host key"))
            }
            HostKeyCheck::Mismatch => {
                self.outcome = Some(GitError::HostKeyMismatch {
                    host: shown,
                    fingerprint,
                });
                Err(git2::Error::from_str("host key mismatch"))
            }
        }
    }

    /// Turns libgit2's error into ours, using what the callbacks saw.
    pub fn error(&mut self, error: &git2::Error) -> GitError {
        if let Some(outcome) = self.outcome.take() {
            return outcome;
        }
        let message = error.message().to_string();
        let lower = message.to_ascii_lowercase();
        if let Some(key) = self.trying_encrypted.take() {
            if lower.contains("passphrase") || lower.contains("private key") {
                return GitError::PassphraseNeeded { key };
            }
        }
        let refused = error.code() == git2::ErrorCode::Auth
            || lower.contains("status code: 401")
            || lower.contains("status code: 403")
            || lower.contains("authentication replays")
            || (error.class() == git2::ErrorClass::Ssh && lower.contains("authentication"));
        if refused && (self.handed_out > 0 || matches!(self.auth, Auth::Ssh { .. })) {
            return self.auth_failed();
        }
        if lower.contains("status code: 404") {
            return GitError::Other(format!(
                "repository not found at {}{} (check the name and the region)",
                self.url.display_host(),
                self.url.path
            ));
        }
        let network = matches!(
            error.class(),
            git2::ErrorClass::Net | git2::ErrorClass::Os | git2::ErrorClass::Ssl
        ) || [
            "eof",
            "connection",
            "connect",
            "timed out",
            "timeout",
            "resolve",
            "broken pipe",
            "status code: 5",
        ]
        .iter()
        .any(|needle| lower.contains(needle))
            || (error.class() == git2::ErrorClass::Ssh && !refused);
        if network {
            let what = if lower.contains("eof") || lower.contains("reset by peer") {
                "the connection closed before the transfer finished"
            } else if lower.contains("timed out") || lower.contains("timeout") {
                "the connection timed out"
            } else if lower.contains("refused") {
                "the connection was refused"
            } else if lower.contains("resolve") {
                "the host name cannot be resolved"
            } else {
                "the connection failed"
            };
            return GitError::Network {
                message: format!("{}: {what} ({message})", self.url.display_host()),
                hint: NETWORK_HINT.to_string(),
            };
        }
        GitError::Other(message)
    }
}

/// The callbacks every network operation on an existing repository shares (push, fetch):
/// `authenticator`'s bounded credentials and host key check, and a stop at the credentials
/// callback once `cancel` is raised. Callers add their progress callbacks.
pub(crate) fn remote_callbacks<'a>(
    authenticator: &'a std::cell::RefCell<Authenticator>,
    cancel: &'a std::sync::atomic::AtomicBool,
) -> git2::RemoteCallbacks<'a> {
    let mut callbacks = git2::RemoteCallbacks::new();
    callbacks.credentials(move |url, user, allowed| {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(git2::Error::from_str("cancelled"));
        }
        authenticator.borrow_mut().credentials(url, user, allowed)
    });
    callbacks.certificate_check(move |cert, host| {
        authenticator.borrow_mut().certificate_check(cert, host)
    });
    callbacks
}

/// Whether a private key file is encrypted (OpenSSH format: its cipher is not `none`; PEM:
/// `ENCRYPTED` in its header).
pub fn key_is_encrypted(text: &[u8]) -> bool {
    use base64::Engine;
    let text = String::from_utf8_lossy(text);
    if !text.contains("BEGIN OPENSSH PRIVATE KEY") {
        return text.contains("ENCRYPTED");
    }
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(body.trim()) else {
        return false;
    };
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let Some(rest) = raw.strip_prefix(MAGIC) else {
        return false;
    };
    let Some(len) = rest.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()) else {
        return false;
    };
    let len = u32::from_be_bytes(len) as usize;
    rest.get(4..4 + len).is_some_and(|cipher| cipher != b"none")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_url_shapes() {
        let u = RemoteUrl::parse("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo")
            .unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            (
                "git-codecommit.eu-west-1.amazonaws.com",
                None,
                "/v1/repos/demo"
            )
        );
        assert_eq!(u.signing_host(), "git-codecommit.eu-west-1.amazonaws.com");
        let u = RemoteUrl::parse("http://127.0.0.1:8080/v1/repos/demo").unwrap();
        assert_eq!(u.signing_host(), "127.0.0.1:8080");
        let u = RemoteUrl::parse("https://git-codecommit.eu-west-1.amazonaws.com:443/v1/repos/d")
            .unwrap();
        assert_eq!(u.signing_host(), "git-codecommit.eu-west-1.amazonaws.com");
        let u = RemoteUrl::parse("https://me:pw@host/x").unwrap();
        assert!(u.has_password && u.user.as_deref() == Some("me"));
        let u = RemoteUrl::parse("ssh://APKA1@git-codecommit.us-east-1.amazonaws.com/v1/repos/r")
            .unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.user.as_deref(), u.port),
            ("ssh", Some("APKA1"), None)
        );
        let u = RemoteUrl::parse("git@example.com:team/repo.git").unwrap();
        assert_eq!(
            (u.host.as_str(), u.path.as_str(), u.user.as_deref()),
            ("example.com", "/team/repo.git", Some("git"))
        );
        let u = RemoteUrl::parse("ssh://[::1]:2222/srv/r.git").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", Some(2222)));
        assert!(RemoteUrl::parse("codecommit::eu-west-1://demo").is_err());
        assert!(RemoteUrl::parse("/local/path").is_err());
    }

    #[test]
    fn host_name_and_port_rewrite_only_ssh_urls_on_the_written_host() {
        let endpoint = SshEndpoint {
            written: "alias".into(),
            host: "127.0.0.1".into(),
            port: Some(2222),
        };
        assert_eq!(
            endpoint.rewrite("ssh://APKA1@alias/v1/repos/r").as_deref(),
            Some("ssh://APKA1@127.0.0.1:2222/v1/repos/r")
        );
        // A port in the URL wins over `Port`.
        assert_eq!(
            endpoint.rewrite("ssh://alias:22/v1/repos/r").as_deref(),
            Some("ssh://127.0.0.1:22/v1/repos/r")
        );
        assert_eq!(
            endpoint.rewrite("git@alias:team/r.git").as_deref(),
            Some("ssh://git@127.0.0.1:2222/~/team/r.git")
        );
        assert_eq!(
            endpoint.rewrite("git@alias:/srv/r.git").as_deref(),
            Some("ssh://git@127.0.0.1:2222/srv/r.git")
        );
        let no_port = SshEndpoint {
            port: None,
            host: "::1".into(),
            ..endpoint.clone()
        };
        assert_eq!(
            no_port.rewrite("git@alias:team/r.git").as_deref(),
            Some("git@[::1]:team/r.git")
        );
        assert_eq!(endpoint.rewrite("ssh://other/v1/repos/r"), None);
        assert_eq!(endpoint.rewrite("https://alias/v1/repos/r"), None);
    }

    #[test]
    fn detects_encrypted_keys() {
        assert!(key_is_encrypted(
            b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        ));
        assert!(!key_is_encrypted(
            b"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
        ));
        // The SSH tests check both answers on keys made by ssh-keygen.
    }
}
