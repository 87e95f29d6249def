//! HTTP: the public site (`public`), the staff JSON API (`api`), one error type, one state.

pub mod api;
/// The console's way to the API's biller checks, until it calls `crate::app::billers` itself.
pub mod billers {
    pub use super::api::billers::check_biller_name;
    pub use super::api::endpoints::EndpointIn;
}
pub mod console;
pub mod encoding;
/// `Idempotency-Key` on the API's POSTs (it lives with the API).
pub use api::idempotency;
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

use crate::app::App;
use crate::domain::FieldError;
use crate::store::StoreError;

/// What a handler has: the application's context ([`App`], which the state derefs to, so
/// `state.store` and `state.settings` read as before) and the parts only the web uses.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// `Cache-Control` of public responses, from `page.cache_max_age`.
    pub cache_control: HeaderValue,
    pub login_throttle: Arc<console::LoginThrottle>,
    /// Key of the HMAC in confirmation links; generated once per installation.
    pub link_key: Arc<String>,
    /// Counters of this process's delivery workers.
    pub deliveries: Arc<crate::delivery::metrics::DeliveryMetrics>,
    /// The last answer of `/readyz`'s write probe, shared by the calls that come soon after.
    pub readiness: Arc<public::Readiness>,
    /// `server.api_requests_per_minute`, per API token.
    pub api_limiter: Arc<api::extract::ApiLimiter>,
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

/// Kept here so web's callers (`super::secrets_equal`) read as before; the comparison is
/// [`crate::crypto::secrets_equal`].
pub(crate) use crate::crypto::secrets_equal;

pub fn router(state: AppState) -> Router {
    let request_id = header::HeaderName::from_static("x-request-id");
    let unavailable_state = state.clone();
    Router::new()
        .merge(public::router())
        .merge(console::router())
        .merge(subscribe::router())
        .nest("/api/v1", api::router(&state))
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
        .layer(axum::middleware::from_fn_with_state(
            unavailable_state,
            unavailable::console_page,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Every error a handler can return. Client errors say what to fix; internal errors are
/// logged with their cause chain and answered with an opaque 500. Every one answers
/// `{"errors": {field: message}}`, the field naming what the message is about.
#[derive(Debug)]
pub enum AppError {
    /// 422, or 400 for a body that is not even JSON, 413 for one too large: field → message.
    Invalid(StatusCode, BTreeMap<String, String>),
    /// 404: what was looked for (`notice`, `service`, `path`…) → what was not found.
    NotFound(String, String),
    /// 409: the request is valid but the current state refuses it (field → message).
    Conflict(String, String),
    /// 401, about the `Authorization` header.
    Unauthorized(String),
    /// 403: the token in `Authorization` may not do this.
    Forbidden(String),
    /// 429: this token made too many requests; it may try again after this many seconds.
    TooManyRequests {
        message: String,
        retry_after: u64,
    },
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
            AppError::NotFound(_, m) | AppError::Unauthorized(m) | AppError::Forbidden(m) => {
                m.clone()
            }
            AppError::TooManyRequests { message, .. } => message.clone(),
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
            StoreError::NotFound => AppError::NotFound("id".into(), "nothing has this id".into()),
            StoreError::Conflict { field, message } => AppError::Conflict(field, message),
            StoreError::Refused(r) => AppError::Conflict(r.field.into(), r.message),
            StoreError::Invalid(errors) => AppError::fields(errors),
            StoreError::Replayed => AppError::Conflict(
                crate::store::REPLAYED_FIELD.into(),
                "this form was sent already; nothing was done again".into(),
            ),
            StoreError::Unavailable(e) => AppError::Unavailable(e),
            StoreError::Other(e) => AppError::from(e),
        }
    }
}

impl From<crate::app::Error> for AppError {
    fn from(e: crate::app::Error) -> Self {
        use crate::app::Error;
        match e {
            Error::Invalid(errors) => AppError::fields(errors),
            Error::NotFound { what, message } => AppError::NotFound(what, message),
            Error::Conflict { field, message } => AppError::Conflict(field, message),
            Error::Forbidden(m) => AppError::Forbidden(m),
            Error::Unavailable(e) => AppError::Unavailable(e),
            Error::Internal(e) => AppError::Internal(e),
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
        let (status, field, message) = match self {
            AppError::Invalid(status, errors) => {
                return (status, axum::Json(json!({ "errors": errors }))).into_response();
            }
            AppError::NotFound(what, message) => (StatusCode::NOT_FOUND, what, message),
            AppError::Conflict(field, message) => (StatusCode::CONFLICT, field, message),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, AUTHORIZATION.into(), m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, AUTHORIZATION.into(), m),
            AppError::TooManyRequests {
                message,
                retry_after,
            } => {
                let mut resp = (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({ "errors": { AUTHORIZATION: message } })),
                )
                    .into_response();
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                return resp;
            }
            AppError::Unavailable(e) => {
                tracing::warn!(error = ?e, "database unavailable");
                return unavailable::response();
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server".into(),
                    "internal error; it has been logged".into(),
                )
            }
        };
        let mut resp =
            (status, axum::Json(json!({ "errors": { field: message } }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tangazo\""),
            );
        }
        resp
    }
}

/// The field 401 and 403 answers name: the header that carries the token.
const AUTHORIZATION: &str = "Authorization";

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant answers `{"errors": {field: message}}`; a 500 says nothing of its cause.
    #[tokio::test]
    async fn every_error_names_its_field() {
        let cases = [
            (AppError::field("title.en", "is required"), 422, "title.en"),
            (
                AppError::NotFound("notice".into(), "no notice 'x'".into()),
                404,
                "notice",
            ),
            (
                AppError::Conflict("state".into(), "is completed".into()),
                409,
                "state",
            ),
            (
                AppError::Unauthorized("unknown or revoked token".into()),
                401,
                "Authorization",
            ),
            (
                AppError::Forbidden("needs the admin role".into()),
                403,
                "Authorization",
            ),
            (
                AppError::Internal(anyhow::anyhow!("disk on fire")),
                500,
                "server",
            ),
        ];
        for (error, status, field) in cases {
            let resp = error.into_response();
            assert_eq!(resp.status().as_u16(), status);
            let body = axum::body::to_bytes(resp.into_body(), 4096).await.unwrap();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let errors = v["errors"].as_object().unwrap();
            assert_eq!(errors.keys().collect::<Vec<_>>(), [field], "{v}");
            assert!(errors[field].is_string());
            assert!(
                !v.to_string().contains("fire"),
                "a cause is logged, not shown"
            );
        }
    }
}
