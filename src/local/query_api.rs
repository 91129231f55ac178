//! The query-protocol endpoint of IAM and STS: `POST /` with a form body (`Action=…`), on the
//! same port as CodeCommit's JSON 1.1 API.
//!
//! The service is told by the SigV4 credential scope (`…/iam/aws4_request` or `…/sts/…`), as
//! real AWS tells them by host name. IAM is global: a client may sign it for `us-east-1`
//! (the SDKs without an endpoint override) or for its configured region (with
//! `--endpoint-url`); both are accepted, and the same for STS.
//!
//! Order of checks, as in [`crate::local::api`]: body size, signature, injected faults, then
//! the operation.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{Request, Response};

use crate::local::api::{fault_error, read_body, unix_now};
use crate::local::http::{Body, full};
use crate::local::ops::ApiError;
use crate::local::query::{self, Params};
use crate::local::server::Shared;
use crate::local::sigv4_verify::{AuthError, SignedRequest, scope_service, verify_request_for};
use crate::local::stats::bump;
use crate::local::{iam, sts};

/// True when `request` is a query-protocol call: a form body and no `X-Amz-Target`.
pub fn is_query_request<B>(request: &Request<B>) -> bool {
    !request.headers().contains_key("x-amz-target")
        && request
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Service {
    Iam,
    Sts,
}

impl Service {
    fn namespace(self) -> &'static str {
        match self {
            Service::Iam => iam::NAMESPACE,
            Service::Sts => sts::NAMESPACE,
        }
    }

    fn signing_name(self) -> &'static str {
        match self {
            Service::Iam => "iam",
            Service::Sts => "sts",
        }
    }
}

/// Handles one query-protocol request.
pub async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Response<Body> {
    let service = service_of(&request);
    let request_id = crate::local::store::new_id();
    let (status, body) = match handle_inner(&shared, service, request).await {
        Ok((action, result)) => (
            200,
            query::success(&action, service.namespace(), result.as_deref(), &request_id),
        ),
        Err(error) => (
            error.status,
            query::error(service.namespace(), &error, &request_id),
        ),
    };
    respond(status, body, &request_id)
}

fn service_of<B>(request: &Request<B>) -> Service {
    match scope_service(request.headers()).as_deref() {
        Some("sts") => Service::Sts,
        _ => Service::Iam,
    }
}

/// `error` answered to `request` as its Query service (IAM or STS) answers it.
pub(crate) fn error_response<B>(request: &Request<B>, error: &ApiError) -> Response<Body> {
    let request_id = crate::local::store::new_id();
    let body = query::error(service_of(request).namespace(), error, &request_id);
    respond(error.status, body, &request_id)
}

fn respond(status: u16, body: String, request_id: &str) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml"),
    );
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

/// The action and the inside of its `<…Result>` element.
async fn handle_inner(
    shared: &Arc<Shared>,
    service: Service,
    request: Request<Incoming>,
) -> Result<(String, Option<String>), ApiError> {
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
    let regions = [shared.region.as_str(), "us-east-1"];
    let access_key_id = verify_request_for(
        &signed,
        &shared.credentials,
        &regions,
        service.signing_name(),
        unix_now(),
    )
    .map_err(|error| {
        bump(&shared.stats.api_auth_failures);
        auth_error(&error)
    })?;

    if let Some(fault) = shared.faults.next_api_fault() {
        bump(&shared.stats.api_faults_injected);
        let mut error = fault_error(fault);
        // Query services name throttling `Throttling`, not `ThrottlingException`.
        if error.code == "ThrottlingException" {
            error.code = "Throttling".into();
        }
        return Err(error);
    }

    let params = Params::parse(&body)?;
    let action = params.required("Action")?.to_string();
    let caller = shared.iam.owner_of(&access_key_id).ok_or_else(|| {
        ApiError::internal(format!(
            "The access key {access_key_id} has no IAM user; restart the service."
        ))
    })?;
    let result = match service {
        Service::Sts => Some(sts::dispatch(&caller, shared.iam.account_id(), &action)?),
        Service::Iam => {
            let iam = Arc::clone(&shared.iam);
            let action = action.clone();
            // Changes write the state file: keep them off the async workers.
            tokio::task::spawn_blocking(move || iam.dispatch(&caller, &action, &params))
                .await
                .map_err(|_| ApiError::internal("The operation failed unexpectedly."))??
        }
    };
    Ok((action, result))
}

/// The query services' names for authentication failures (JSON 1.1 services use others).
fn auth_error(error: &AuthError) -> ApiError {
    let code = match error {
        AuthError::Missing => "MissingAuthenticationToken",
        AuthError::Incomplete(_) => "IncompleteSignature",
        AuthError::UnknownKey => "InvalidClientTokenId",
        AuthError::InvalidSignature(_) => "SignatureDoesNotMatch",
    };
    ApiError {
        status: error.status(),
        code: code.into(),
        message: error.to_string(),
    }
}
