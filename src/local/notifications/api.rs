//! The REST-JSON endpoint of CodeStar Notifications: `POST /<operation>` (for example
//! `/createNotificationRule`) with a JSON body, signed for the SigV4 service
//! `codestar-notifications`. Real AWS serves it on its own host name; here it shares the port
//! with CodeCommit and IAM and is told apart by that scope (so
//! `AWS_ENDPOINT_URL_CODESTAR_NOTIFICATIONS` may point at the same URL).
//!
//! Order of checks, as in [`crate::local::api`]: body size, signature, injected faults, then
//! the operation.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response};
use serde_json::{Value, json};

use crate::local::api::{fault_error, read_body, unix_now};
use crate::local::http::{Body, full};
use crate::local::notifications::rules;
use crate::local::ops::ApiError;
use crate::local::server::Shared;
use crate::local::sigv4_verify::{SignedRequest, scope_service, verify_request_for};
use crate::local::stats::bump;

/// The SigV4 service name of CodeStar Notifications.
pub const SIGNING_NAME: &str = "codestar-notifications";

/// True when `request` is signed for CodeStar Notifications.
pub fn is_notifications_request<B>(request: &Request<B>) -> bool {
    scope_service(request.headers()).as_deref() == Some(SIGNING_NAME)
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    let mut response = Response::new(full(body.to_string()));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(id) = HeaderValue::from_str(&crate::local::store::new_id()) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// Handles one CodeStar Notifications request.
pub async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Response<Body> {
    match handle_inner(&shared, request).await {
        Ok(value) => json_response(200, &value),
        Err(error) => error_response(&error),
    }
}

/// `error` as CodeStar Notifications' REST-JSON protocol answers it.
pub(crate) fn error_response(error: &ApiError) -> Response<Body> {
    let mut response = json_response(
        error.status,
        &json!({ "Message": error.message, "message": error.message }),
    );
    if let Ok(kind) = HeaderValue::from_str(&error.code) {
        response.headers_mut().insert("x-amzn-errortype", kind);
    }
    response
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
    let access_key_id = verify_request_for(
        &signed,
        &shared.credentials,
        &[shared.region.as_str()],
        SIGNING_NAME,
        unix_now(),
    )
    .map_err(|error| {
        bump(&shared.stats.api_auth_failures);
        ApiError {
            status: error.status(),
            code: error.code().into(),
            message: error.to_string(),
        }
    })?;
    if let Some(fault) = shared.faults.next_api_fault() {
        bump(&shared.stats.api_faults_injected);
        return Err(fault_error(fault));
    }
    if parts.method != hyper::Method::POST {
        return Err(ApiError {
            status: 404,
            code: "UnknownOperationException".into(),
            message: "CodeStar Notifications operations are POST /<operation>.".into(),
        });
    }
    let operation = parts.uri.path().trim_start_matches('/').to_string();
    let input: Value = if body.is_empty() {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::client(
                "ValidationException",
                format!("The body is not valid JSON: {e}"),
            )
        })?
    };
    if !input.is_object() {
        return Err(ApiError::client(
            "ValidationException",
            "The body must be a JSON object.",
        ));
    }
    let caller_arn = match shared.iam.owner_of(&access_key_id) {
        Some(user) => user.arn(shared.iam.account_id()),
        None => {
            crate::local::codecommit::Caller::from_access_key(
                shared.iam.account_id(),
                Some(&access_key_id),
            )
            .arn
        }
    };
    let shared = Arc::clone(shared);
    // Changes write the rules file: keep them off the async workers.
    tokio::task::spawn_blocking(move || {
        rules::dispatch(
            &shared.notifications,
            &shared.ops,
            &caller_arn,
            &operation,
            &input,
        )
    })
    .await
    .map_err(|_| ApiError::internal("The operation failed unexpectedly."))?
}
