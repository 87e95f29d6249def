//! The API's answers to what axum refuses by itself: every error is
//! `{"errors": {field: message}}`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::super::AppError;

/// The most a request body under `/api/v1` may hold.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The 413 for a body over [`BODY_LIMIT`], saying the limit in words.
pub(crate) fn body_too_large() -> AppError {
    AppError::Invalid(
        StatusCode::PAYLOAD_TOO_LARGE,
        BTreeMap::from([(
            "body".into(),
            format!("is larger than {BODY_LIMIT} bytes (2 MiB), the most this API accepts"),
        )]),
    )
}

/// What axum answers by itself (a 405, a query string that does not parse) is plain text or
/// empty; every API error is `{"errors": {field: message}}`, so those are rewritten so.
pub(super) async fn errors_as_json(req: Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let (field, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method",
            format!("{method} is not allowed on this path; see /api/v1/openapi.json"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => return body_too_large().into_response(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("Content-Type", text),
        _ if text.is_empty() => (
            "request",
            status.canonical_reason().unwrap_or("refused").to_string(),
        ),
        _ => ("request", text),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let json = Json(json!({ "errors": { field: message } }));
    let mut out = (status, json).into_response();
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// Another biller's endpoint looks exactly like one that does not exist.
pub(super) fn not_yours() -> AppError {
    AppError::NotFound("endpoint".into(), "no such endpoint".into())
}
