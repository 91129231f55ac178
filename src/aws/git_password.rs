//! The CodeCommit git password for HTTPS with IAM credentials, computed in-process: the same
//! algorithm as `aws codecommit credential-helper` and git-remote-codecommit, so no helper
//! program is needed.
//!
//! ```text
//! timestamp      = YYYYMMDDTHHMMSS (UTC, no Z)
//! canonical      = "GIT\n<path>\n\nhost:<host>\n\nhost\n"
//! string to sign = "AWS4-HMAC-SHA256\n<timestamp>\n<date>/<region>/codecommit/aws4_request\n<sha256(canonical)>"
//! password       = <timestamp> "Z" <hex(HMAC(SigV4 key chain, string to sign))>
//! username       = <access key id>, or <access key id>%<session token>
//! ```
//!
//! Only the primitives (`sha256`, `HMAC`, the key chain) are shared with the local service,
//! which keeps its own canonical request: the service stays an independent check.

use crate::secret::SecretString;
use crate::sigv4::{
    format_amz_date, hex_lower, hmac_sha256, sha256_hex, signing_key, string_to_sign,
};

/// AWS credentials as the git password needs them.
#[derive(Debug, Clone)]
pub struct AwsKeys {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: SecretString,
    /// Session token of temporary credentials.
    pub session_token: Option<SecretString>,
}

/// A git user name and password for one HTTPS request.
#[derive(Debug, Clone)]
pub struct GitLogin {
    /// `AKID` or `AKID%SESSIONTOKEN` (contains the token: treat as secret when printing).
    pub username: SecretString,
    /// The signed password.
    pub password: SecretString,
    /// The access key id alone, safe to show in messages.
    pub access_key_id: String,
}

/// Computes the login for `path` (`/v1/repos/<name>`) on `host` at `unix_seconds`.
///
/// `host` is signed as given: pass the bare host name for CodeCommit (as the AWS CLI does);
/// the local service accepts it with or without the port.
pub fn git_login(
    keys: &AwsKeys,
    host: &str,
    path: &str,
    region: &str,
    unix_seconds: i64,
) -> GitLogin {
    let amz = format_amz_date(unix_seconds); // YYYYMMDDTHHMMSSZ
    let timestamp = &amz[..15];
    let date = &amz[..8];
    let canonical = format!("GIT\n{path}\n\nhost:{host}\n\nhost\n");
    let scope = format!("{date}/{region}/codecommit/aws4_request");
    let to_sign = string_to_sign(timestamp, &scope, &sha256_hex(canonical.as_bytes()));
    let key = signing_key(keys.secret_access_key.expose(), date, region, "codecommit");
    let signature = hex_lower(&hmac_sha256(&key, to_sign.as_bytes()));
    let username = match &keys.session_token {
        Some(token) => format!("{}%{}", keys.access_key_id, token.expose()),
        None => keys.access_key_id.clone(),
    };
    GitLogin {
        username: SecretString::new(username),
        password: SecretString::new(format!("{timestamp}Z{signature}")),
        access_key_id: keys.access_key_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned to values computed independently with Python's hmac/hashlib (not with this code):
    ///
    /// ```python
    /// import hmac, hashlib
    /// secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; t = '20261125T205448'; d = t[:8]
    /// canon = 'GIT\n/v1/repos/MyDemoRepo\n\nhost:git-codecommit.eu-west-1.amazonaws.com\n\nhost\n'
    /// sts = 'AWS4-HMAC-SHA256\n%s\n%s/eu-west-1/codecommit/aws4_request\n%s' % (t, d, hashlib.sha256(canon.encode()).hexdigest())
    /// k = ('AWS4' + secret).encode()
    /// for m in (d, 'eu-west-1', 'codecommit', 'aws4_request'): k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    /// print(t + 'Z' + hmac.new(k, sts.encode(), hashlib.sha256).hexdigest())
    /// ```
    #[test]
    fn matches_an_independent_python_computation() {
        let keys = AwsKeys {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: SecretString::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()),
            session_token: None,
        };
        // 2026-11-25T20:54:48Z
        let login = git_login(
            &keys,
            "git-codecommit.eu-west-1.amazonaws.com",
            "/v1/repos/MyDemoRepo",
            "eu-west-1",
            1_795_640_088,
        );
        assert_eq!(login.password.expose(), PYTHON_VECTOR);
        assert_eq!(login.username.expose(), "AKIAIOSFODNN7EXAMPLE");
    }

    const PYTHON_VECTOR: &str =
        "20261125T205448Zafc50b60f110a9a3feac100ddeaeedd8f1c5e3b4f7129e64213ca9cd9a11b677";

    #[test]
    fn session_tokens_go_in_the_user_name() {
        let keys = AwsKeys {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::new("s".into()),
            session_token: Some(SecretString::new("TOKEN/+=".into())),
        };
        let login = git_login(&keys, "h", "/v1/repos/r", "us-east-1", 0);
        assert_eq!(login.username.expose(), "ASIAEXAMPLE%TOKEN/+=");
        assert!(login.password.expose().starts_with("19700101T000000Z"));
        assert!(!format!("{login:?}").contains("TOKEN"), "Debug must redact");
    }
}
