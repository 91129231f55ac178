//! Checks SigV4 signatures of API requests and CodeCommit IAM git passwords.
//!
//! The canonical requests are rebuilt here from the raw request, independently of the client
//! code in `aws/`; only the hashing primitives of `crate::sigv4` are shared.

use hyper::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::local::config::Credential;
use crate::sigv4::{
    ALGORITHM, constant_time_eq, format_amz_date, hex_decode, hmac_sha256, parse_amz_date,
    sha256_hex, signing_key, string_to_sign,
};

/// Largest accepted difference between the request time and the service clock (AWS: 15 min).
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// The service name in credential scopes.
pub const SERVICE: &str = "codecommit";

/// Why a request was not authenticated; each maps to the AWS error the real service sends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization` header.
    #[error("Missing Authentication Token")]
    Missing,
    /// The header is malformed or misses parts.
    #[error("{0}")]
    Incomplete(String),
    /// The access key id (or the session token) is not known.
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    /// The signature does not match, the scope is wrong, or the date is outside the window.
    #[error("{0}")]
    InvalidSignature(String),
}

impl AuthError {
    /// AWS error code (`__type`).
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "MissingAuthenticationTokenException",
            AuthError::Incomplete(_) => "IncompleteSignatureException",
            AuthError::UnknownKey => "UnrecognizedClientException",
            AuthError::InvalidSignature(_) => "InvalidSignatureException",
        }
    }

    /// HTTP status AWS uses for it.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::Incomplete(_) => 400,
            _ => 403,
        }
    }
}

const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// RFC 3986 unreserved characters stay; everything else is percent-encoded (SigV4 rules).
const SIGV4_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, SIGV4_ENCODE).to_string()
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 …` header.
struct AuthHeader<'a> {
    access_key_id: &'a str,
    scope_date: &'a str,
    scope_region: &'a str,
    scope_service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_auth_header(value: &str) -> Result<AuthHeader<'_>, AuthError> {
    let rest = value.strip_prefix(ALGORITHM).ok_or_else(|| {
        AuthError::Incomplete(format!(
            "Authorization header requires the {ALGORITHM} algorithm."
        ))
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        AuthError::Incomplete(format!(
            "Authorization header requires '{what}' parameter. Authorization={value}"
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [
        access_key_id,
        scope_date,
        scope_region,
        scope_service,
        terminator,
    ] = parts[..]
    else {
        return Err(AuthError::Incomplete(format!(
            "Credential should have 5 parts separated by '/', got '{credential}'."
        )));
    };
    if terminator != "aws4_request" {
        return Err(AuthError::InvalidSignature(
            "Credential should be scoped with a valid terminator: 'aws4_request'.".into(),
        ));
    }
    Ok(AuthHeader {
        access_key_id,
        scope_date,
        scope_region,
        scope_service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Canonical URI: each path segment percent-encoded once more, as non-S3 services expect.
fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".into();
    }
    raw_path
        .split('/')
        .map(encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Canonical query: parameters decoded, re-encoded strictly, sorted by name then value.
fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_decode_str(&s.replace('+', "%20"))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (encode(&dec(k)), encode(&dec(v)))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Header value for the canonical request: trimmed, inner runs of spaces collapsed.
fn canonical_header_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<String> = headers
        .get_all(name)
        .iter()
        .map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(","))
    }
}

/// A request as seen by the verifier.
pub struct SignedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Raw (still percent-encoded) path.
    pub path: &'a str,
    /// Raw query string without `?`.
    pub query: &'a str,
    /// All headers.
    pub headers: &'a HeaderMap,
    /// The complete body.
    pub body: &'a [u8],
}

/// Verifies the SigV4 signature of an API request; returns the access key id on success.
pub fn verify_request(
    request: &SignedRequest<'_>,
    credentials: &[Credential],
    region: &str,
    now_unix: i64,
) -> Result<String, AuthError> {
    verify_request_for(request, credentials, &[region], SERVICE, now_unix)
}

/// The service named in the request's credential scope (`…/us-east-1/iam/aws4_request`), if
/// the `Authorization` header has one: it tells IAM and STS requests apart on one port.
pub fn scope_service(headers: &HeaderMap) -> Option<String> {
    let header = headers.get("authorization")?.to_str().ok()?;
    parse_auth_header(header)
        .ok()
        .map(|auth| auth.scope_service.to_string())
}

/// Verifies a request signed for `service` in one of `regions` (IAM is global: clients may
/// sign it for `us-east-1` or for their configured region); returns the access key id.
pub fn verify_request_for(
    request: &SignedRequest<'_>,
    credentials: &[Credential],
    regions: &[&str],
    service: &str,
    now_unix: i64,
) -> Result<String, AuthError> {
    let header = request
        .headers
        .get("authorization")
        .ok_or(AuthError::Missing)?;
    let header = header
        .to_str()
        .map_err(|_| AuthError::Incomplete("Authorization header is not ASCII.".into()))?;
    let auth = parse_auth_header(header)?;

    let credential = credentials
        .iter()
        .find(|c| c.access_key_id == auth.access_key_id)
        .ok_or(AuthError::UnknownKey)?;
    check_session_token(
        credential,
        request
            .headers
            .get("x-amz-security-token")
            .map(|v| v.as_bytes()),
    )?;

    let amz_date = request
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            AuthError::Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into())
        })?;
    let request_time = parse_amz_date(amz_date).ok_or_else(|| {
        AuthError::Incomplete(format!(
            "X-Amz-Date must be in the ISO8601 basic format; got '{amz_date}'."
        ))
    })?;
    check_skew(amz_date, request_time, now_unix)?;
    if auth.scope_date != &amz_date[..8] {
        return Err(AuthError::InvalidSignature(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.scope_date,
            &amz_date[..8]
        )));
    }
    if !regions.contains(&auth.scope_region) {
        return Err(AuthError::InvalidSignature(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.scope_region
        )));
    }
    if auth.scope_service != service {
        return Err(AuthError::InvalidSignature(format!(
            "Credential should be scoped to correct service: '{service}'. "
        )));
    }
    check_signed_headers(request.headers, &auth.signed_headers)?;

    let body_hash = sha256_hex(request.body);
    let payload_hash = match request
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
    {
        Some("UNSIGNED-PAYLOAD") | None => body_hash,
        Some(claimed) if claimed.eq_ignore_ascii_case(&body_hash) => body_hash,
        Some(_) => {
            return Err(AuthError::InvalidSignature(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
                    .into(),
            ));
        }
    };

    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = canonical_header_value(request.headers, name).ok_or_else(|| {
            AuthError::InvalidSignature(format!(
                "Signed header '{name}' is missing from the request."
            ))
        })?;
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path),
        canonical_query(request.query),
        canonical_headers,
        auth.signed_headers.join(";"),
        payload_hash
    );
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.scope_date, auth.scope_region, service
    );
    let to_sign = string_to_sign(amz_date, &scope, &sha256_hex(canonical_request.as_bytes()));
    let key = signing_key(
        credential.secret_access_key.expose(),
        auth.scope_date,
        auth.scope_region,
        service,
    );
    let expected = hmac_sha256(&key, to_sign.as_bytes());
    let given = hex_decode(auth.signature).unwrap_or_default();
    if constant_time_eq(&expected, &given) {
        Ok(credential.access_key_id.clone())
    } else {
        Err(AuthError::InvalidSignature(SIGNATURE_MISMATCH.into()))
    }
}

/// Headers whose value decides what the request does or when it was made: left unsigned, a
/// captured request could be retargeted (GetRepository → DeleteRepository) or replayed.
const REQUIRED_SIGNED: [(&str, &str); 4] = [
    ("host", "Host"),
    ("x-amz-date", "X-Amz-Date"),
    ("x-amz-target", "X-Amz-Target"),
    ("content-type", "Content-Type"),
];

/// Every request header that AWS requires to be signed is in SignedHeaders: `host` always,
/// `x-amz-date`, `x-amz-target` and `content-type` when sent, and every other `x-amz-*`
/// header sent (the SDKs and the AWS CLI sign all of these; `x-amzn-*` trace headers are
/// another prefix and stay unsigned, as the SDKs leave them).
fn check_signed_headers(headers: &HeaderMap, signed: &[&str]) -> Result<(), AuthError> {
    for (name, shown) in REQUIRED_SIGNED {
        if (name == "host" || headers.contains_key(name)) && !signed.contains(&name) {
            return Err(AuthError::InvalidSignature(format!(
                "'{shown}' must be a 'SignedHeader' in the AWS Authorization."
            )));
        }
    }
    let mut unsigned: Vec<&str> = headers
        .keys()
        .map(|name| name.as_str())
        .filter(|name| name.starts_with("x-amz-") && !signed.contains(name))
        .collect();
    if !unsigned.is_empty() {
        unsigned.sort_unstable();
        unsigned.dedup();
        return Err(AuthError::InvalidSignature(format!(
            "There were headers present in the request which were not signed: {}",
            unsigned.join(", ")
        )));
    }
    Ok(())
}

fn check_session_token(credential: &Credential, given: Option<&[u8]>) -> Result<(), AuthError> {
    match (&credential.session_token, given) {
        (None, None) => Ok(()),
        (Some(expected), Some(given)) if constant_time_eq(expected.expose().as_bytes(), given) => {
            Ok(())
        }
        _ => Err(AuthError::UnknownKey),
    }
}

fn check_skew(amz_date: &str, request_time: i64, now_unix: i64) -> Result<(), AuthError> {
    if (request_time - now_unix).abs() > MAX_SKEW_SECONDS {
        let bound = if request_time < now_unix {
            format!(
                "is now earlier than {} ({} - 15 min.)",
                format_amz_date(now_unix - MAX_SKEW_SECONDS),
                format_amz_date(now_unix)
            )
        } else {
            format!(
                "is now later than {} ({} + 15 min.)",
                format_amz_date(now_unix + MAX_SKEW_SECONDS),
                format_amz_date(now_unix)
            )
        };
        return Err(AuthError::InvalidSignature(format!(
            "Signature expired: {amz_date} {bound}"
        )));
    }
    Ok(())
}

/// Why a git request was not authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitAuthError {
    /// No credentials at all (answer 401 so git asks its credential helper).
    Missing,
    /// Credentials given but wrong (answer 403).
    Denied(&'static str),
}

/// Verifies a CodeCommit IAM git password for `repo_path` (`/v1/repos/<name>`) and the `Host`
/// header `host`. `user` is the access key id, or `ACCESSKEY%SESSIONTOKEN`.
pub fn verify_git_password(
    user: &str,
    password: &str,
    repo_path: &str,
    host: &str,
    credentials: &[Credential],
    region: &str,
    now_unix: i64,
) -> Result<(), GitAuthError> {
    let (access_key_id, token) = match user.split_once('%') {
        Some((key, token)) => (key, Some(token.as_bytes())),
        None => (user, None),
    };
    let credential = credentials
        .iter()
        .find(|c| c.access_key_id == access_key_id)
        .ok_or(GitAuthError::Denied("unknown access key"))?;
    check_session_token(credential, token)
        .map_err(|_| GitAuthError::Denied("invalid session token"))?;
    // Password: YYYYMMDDTHHMMSS 'Z' hex-signature. As in the AWS CLI's credential helper and
    // git-remote-codecommit, the string to sign carries the timestamp *without* the Z.
    let (timestamp, signature) = (password.get(..16), password.get(16..));
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(GitAuthError::Denied("malformed password"));
    };
    let time = parse_amz_date(timestamp).ok_or(GitAuthError::Denied("malformed password"))?;
    if (time - now_unix).abs() > MAX_SKEW_SECONDS {
        return Err(GitAuthError::Denied("password expired"));
    }
    let given = hex_decode(signature).ok_or(GitAuthError::Denied("malformed password"))?;
    let date = &timestamp[..8];
    let key = signing_key(credential.secret_access_key.expose(), date, region, SERVICE);
    let scope = format!("{date}/{region}/{SERVICE}/aws4_request");
    // Accept the host as sent and, when it carries a port, without it: git sends
    // `host:port`, but a client may sign the bare host name.
    let mut hosts = vec![host];
    if let Some((bare, _port)) = host.rsplit_once(':') {
        if !bare.ends_with(']') || bare.starts_with('[') {
            hosts.push(bare);
        }
    }
    for candidate in hosts {
        let canonical = format!("GIT\n{repo_path}\n\nhost:{candidate}\n\nhost\n");
        let to_sign = string_to_sign(&timestamp[..15], &scope, &sha256_hex(canonical.as_bytes()));
        if constant_time_eq(&hmac_sha256(&key, to_sign.as_bytes()), &given) {
            return Ok(());
        }
    }
    Err(GitAuthError::Denied("signature mismatch"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_query_sorts_and_encodes() {
        assert_eq!(canonical_query("b=2&a=x%20y&a=1"), "a=1&a=x%20y&b=2");
        assert_eq!(canonical_query(""), "");
    }

    #[test]
    fn canonical_uri_encodes_segments_again() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("/a%20b/c"), "/a%2520b/c");
    }
}
