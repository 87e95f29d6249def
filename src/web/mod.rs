//! HTTP: the public site (`public`), the staff JSON API (`api`), one error type, one state.

pub mod api;
pub mod billers;
pub mod console;
mod metrics;
pub mod public;
pub mod server;
pub mod subscribe;
mod unavailable;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use metrics::Metrics;

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::FieldError;
use crate::snapshot::SnapshotHandle;
use crate::store::{Store, StoreError};

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub snapshot: Arc<SnapshotHandle>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    /// `Cache-Control` of public responses, from `page.cache_max_age`.
    pub cache_control: HeaderValue,
    pub login_throttle: Arc<console::LoginThrottle>,
    pub outbound: Arc<crate::delivery::Outbound>,
    /// Key of the HMAC in confirmation links; generated once per installation.
    pub link_key: Arc<String>,
    /// Counters of this process's delivery workers.
    pub deliveries: Arc<crate::delivery::metrics::DeliveryMetrics>,
}

/// Compares a secret someone sent with the expected one in time that does not depend on where
/// they differ (tokens, signatures, callback secrets).
pub(crate) fn secrets_equal(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl AppState {
    /// Rebuilds the snapshot after a committed write so the writer sees its change at once.
    /// A failure here does not undo the write: the background refresher retries within a
    /// second, so it is logged rather than reported as a failed request.
    pub async fn publish_changes(&self) {
        if let Err(e) = self.snapshot.refresh().await {
            tracing::warn!(error = ?e, "snapshot rebuild after a write failed; the refresher will retry");
        }
    }
}

pub fn router(state: AppState) -> Router {
    let request_id = header::HeaderName::from_static("x-request-id");
    Router::new()
        .merge(public::router())
        .merge(console::router())
        .merge(subscribe::router())
        .nest("/api/v1", api::router())
        .fallback(public::not_found)
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(axum::middleware::from_fn(unavailable::console_page))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Every error a handler can return. Client errors say what to fix; internal errors are
/// logged with their cause chain and answered with an opaque 500.
#[derive(Debug)]
pub enum AppError {
    /// 422, or 400 for a body that is not even JSON: field → message.
    Invalid(StatusCode, BTreeMap<String, String>),
    NotFound(String),
    /// 409: the request is valid but the current state refuses it (field → message).
    Conflict(String, String),
    Unauthorized(String),
    Forbidden(String),
    /// 503: the database cannot serve just now (`StoreError::Unavailable`); logged with its
    /// cause, answered `{"errors": {"database": "unavailable"}}`.
    Unavailable(anyhow::Error),
    Internal(anyhow::Error),
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

impl AppError {
    /// What went wrong, in one line (for logs and the scheduler's notes).
    pub fn message(&self) -> String {
        match self {
            AppError::Invalid(_, errors) => errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Conflict(f, m) => format!("{f}: {m}"),
            AppError::NotFound(m) | AppError::Unauthorized(m) | AppError::Forbidden(m) => m.clone(),
            AppError::Unavailable(e) | AppError::Internal(e) => format!("{e:#}"),
        }
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid(
            StatusCode::UNPROCESSABLE_ENTITY,
            BTreeMap::from([(field.into(), message.into())]),
        )
    }

    pub fn fields(errors: Vec<FieldError>) -> AppError {
        AppError::Invalid(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors.into_iter().map(|e| (e.field, e.message)).collect(),
        )
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("not found".into()),
            StoreError::Conflict { field, message } => AppError::Conflict(field, message),
            StoreError::Refused(r) => AppError::Conflict(r.field.into(), r.message),
            StoreError::Invalid(errors) => AppError::fields(errors),
            StoreError::Unavailable(e) => AppError::Unavailable(e),
            StoreError::Other(e) => AppError::from(e),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        if crate::store::caused_by_unavailable(&e) {
            AppError::Unavailable(e)
        } else {
            AppError::Internal(e)
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            AppError::Invalid(status, errors) => (status, json!({ "errors": errors })),
            AppError::NotFound(what) => (StatusCode::NOT_FOUND, json!({ "error": what })),
            AppError::Conflict(field, message) => (
                StatusCode::CONFLICT,
                json!({ "errors": { field: message } }),
            ),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, json!({ "error": m })),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, json!({ "error": m })),
            AppError::Unavailable(e) => {
                tracing::warn!(error = ?e, "database unavailable");
                return unavailable::response();
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({ "error": "internal error; it has been logged" }),
                )
            }
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tangazo\""),
            );
        }
        resp
    }
}
