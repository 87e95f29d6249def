//! Staff JSON API under `/api/v1`, authenticated by bearer tokens with roles.
//!
//! Request bodies are read into raw structs and parsed into domain types here, at the edge;
//! every problem is reported at once as `{"errors": {"field": "message"}}`. Each resource's
//! handlers parse, call `crate::app`, and render. [`routes`] is the one table of operations:
//! the router, the role each needs and the OpenAPI document all come from it.

mod actions;
pub(crate) mod billers;
mod deliveries;
pub(crate) mod endpoints;
mod error;
pub(crate) mod extract;
mod fields;
pub mod idempotency;
mod notices;
mod openapi;
pub mod routes;
mod schemas;
mod services;
mod subscribers;
pub mod types;

use axum::Router;

pub use error::BODY_LIMIT;
pub(crate) use error::body_too_large;
pub use extract::{ApiJson, OptionalJson, Staff, token_of};
pub use openapi::openapi_document;
pub use routes::{Body, Endpoint, endpoint_list};

// What the console still calls here; each delegates to `crate::app` (see their modules).
pub(crate) use actions::run_action_once;
pub use deliveries::{delivery_report, eta_of};
pub(crate) use fields::parse_time_public;
pub(crate) use notices::{parse_new_notice, preview_existing, preview_new};
pub(crate) use services::{ServicePatch, save_service};
pub(crate) use types::{AffectedIn, NoticeIn};

use super::{AppError, AppState};

pub const TITLE_MAX: usize = 120;
pub const STILL_WORKS_MAX: usize = 300;
pub const BODY_MAX: usize = 2000;
pub const NAME_MAX: usize = 60;
/// Room for an override in a few segments; the segment budget is the real limit.
pub const SMS_OVERRIDE_MAX: usize = 600;

/// `GET /openapi.json`: the document of [`openapi::openapi_document`]. Here rather than in
/// `openapi`, which reads the route table that names this handler.
async fn openapi_json(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(openapi_document(
        &state.settings.public_url,
        &state.settings.languages,
    ))
}

/// The routes of [`routes::endpoints`], each carrying the role its table row states (checked
/// by the [`Staff`] and `Caller` extractors), behind the `Idempotency-Key` layer.
pub fn router(state: &AppState) -> Router<AppState> {
    routes::endpoints()
        .into_iter()
        .fold(Router::new(), |r, (e, m)| {
            let m = match e.role {
                Some(role) => m.layer(axum::Extension(extract::RouteRole(role))),
                None => m,
            };
            r.route(e.path, m)
        })
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .fallback(|| async {
            AppError::NotFound(
                "path".into(),
                "no such API route; see /api/v1/openapi.json".into(),
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(error::errors_as_json))
}
