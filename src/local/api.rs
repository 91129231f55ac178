//! The JSON 1.1 API endpoint: `POST /` with `X-Amz-Target: CodeCommit_20150413.<Operation>`.
//!
//! Order of checks, as in AWS: body size, signature, injected faults, the caller's IAM
//! policies (`codecommit:<Operation>` on the repository, see
//! [`crate::local::iam::codecommit_access`]), then the operation.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response};
use serde_json::Value;

use crate::local::faults::InjectedFault;
use crate::local::http::{Body, full};
use crate::local::ops::ApiError;
use crate::local::server::Shared;
use crate::local::sigv4_verify::{SignedRequest, verify_request};
use crate::local::stats::bump;

const TARGET_PREFIX: &str = "CodeCommit_20150413.";

fn json_response(status: u16, body: &Value) -> Response<Body> {
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(id) = HeaderValue::from_str(&crate::local::store::new_id()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// `error` as the JSON 1.1 protocol answers it.
pub(crate) fn error_response(error: &ApiError) -> Response<Body> {
    let mut response = json_response(error.status, &error.body());
    if let Ok(kind) = HeaderValue::from_str(&error.code) {
        response.headers_mut().insert("x-amzn-errortype", kind);
    }
    response
}

/// The error an injected fault answers with (JSON 1.1 codes).
pub(crate) fn fault_error(fault: InjectedFault) -> ApiError {
    match fault {
        InjectedFault::ServiceUnavailable => ApiError {
            status: 503,
            code: "ServiceUnavailableException".into(),
            message: "Service is unavailable (injected by the cctui local service).".into(),
        },
        InjectedFault::InternalFailure => ApiError {
            status: 500,
            code: "InternalFailure".into(),
            message: "Internal failure (injected by the cctui local service).".into(),
        },
        InjectedFault::Throttling => ApiError::client(
            "ThrottlingException",
            "Rate exceeded (injected by the cctui local service).",
        ),
    }
}

/// Handles one API request.
pub async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Response<Body> {
    match handle_inner(&shared, request).await {
        Ok(value) => json_response(200, &value),
        Err(error) => error_response(&error),
    }
}

async fn handle_inner(shared: &Arc<Shared>, request: Request<Incoming>) -> Result<Value, ApiError> {
    bump(&shared.stats.api_requests);
    let (parts, body) = request.into_parts();
    let body = read_body(shared, body).await?;

    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
    };
    let access_key_id =
        match verify_request(&signed, &shared.credentials, &shared.region, unix_now()) {
            Ok(key) => key,
            Err(error) => {
                bump(&shared.stats.api_auth_failures);
                return Err(ApiError {
                    status: error.status(),
                    code: error.code().into(),
                    message: error.to_string(),
                });
            }
        };

    if let Some(fault) = shared.faults.next_api_fault() {
        bump(&shared.stats.api_faults_injected);
        return Err(fault_error(fault));
    }

    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let operation = target
        .strip_prefix(TARGET_PREFIX)
        .ok_or_else(|| {
            ApiError::client(
                "UnknownOperationException",
                format!("X-Amz-Target must be {TARGET_PREFIX}<Operation>, got '{target}'."),
            )
        })?
        .to_string();
    let input: Value = if body.is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::client(
                "SerializationException",
                format!("The body is not valid JSON: {e}"),
            )
        })?
    };
    if !input.is_object() {
        return Err(ApiError::client(
            "SerializationException",
            "The body must be a JSON object.",
        ));
    }
    let ops = Arc::clone(&shared.ops);
    // The IAM user of the signing key authors pull requests, comments and approvals.
    let user = shared.iam.owner_of(&access_key_id);
    let caller = match &user {
        Some(user) => crate::local::codecommit::Caller {
            arn: user.arn(shared.iam.account_id()),
        },
        None => crate::local::codecommit::Caller::from_access_key(
            shared.iam.account_id(),
            Some(&access_key_id),
        ),
    };
    let iam = Arc::clone(&shared.iam);
    let region = shared.region.clone();
    // Operations do file and git2 I/O: keep them off the async workers.
    tokio::task::spawn_blocking(move || {
        // The caller's IAM policies first, as AWS checks them before the operation's input.
        if let Some(user) = user.filter(|u| iam.is_restricted(&u.name)) {
            let request = crate::local::iam::codecommit_access::api_request(
                &ops,
                &caller,
                (&region, iam.account_id()),
                &operation,
                &input,
            );
            iam.check(&user, &request, "AccessDeniedException", 400)?;
        }
        ops.dispatch_for(&caller, &operation, &input)
    })
    .await
    .map_err(|_| ApiError::internal("The operation failed unexpectedly."))?
}

/// Reads a request body within the size cap and the stall timeout; both APIs use it, so
/// both check the size first, as AWS does.
pub(crate) async fn read_body(shared: &Shared, body: Incoming) -> Result<Bytes, ApiError> {
    let collect = Limited::new(body, shared.max_api_body_bytes).collect();
    // A body that stops arriving must not hold the request forever.
    let Ok(collected) = tokio::time::timeout(shared.limits.body_stall_timeout, collect).await
    else {
        return Err(ApiError::client(
            "RequestTimeoutException",
            "The request body did not arrive in time.",
        ));
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(ApiError {
            status: 413,
            code: "SerializationException".into(),
            message: format!(
                "The request body is larger than the {} bytes this service accepts.",
                shared.max_api_body_bytes
            ),
        }),
        Err(_) => Err(ApiError::client(
            "SerializationException",
            "The request body could not be read.",
        )),
    }
}

/// Seconds since the epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
