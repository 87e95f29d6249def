//! Billers and their own API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::{AppState, Result};
use super::extract::{ApiJson, Staff};
use crate::app;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillerIn {
    name: String,
    contact_email: String,
}

/// [`app::billers::check_biller_name`] for the console.
pub fn check_biller_name(raw: &str) -> Result<&str> {
    Ok(app::billers::check_biller_name(raw)?)
}

pub async fn list_billers(State(state): State<AppState>, _staff: Staff) -> Result<Json<Value>> {
    Ok(Json(json!({"billers": state.store.list_billers().await?})))
}

pub async fn create_biller(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<BillerIn>,
) -> Result<Response> {
    let b = app::billers::create_biller(&state, &staff.actor(), &input.name, &input.contact_email)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(b))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenIn {
    name: String,
}

pub async fn create_biller_token(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TokenIn>,
) -> Result<Response> {
    let (t, token) = app::billers::create_token(&state, &staff.actor(), &id, &input.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": t.id, "name": t.name, "biller_id": id, "token": token,
            "note": "shown once: it reaches only this biller's endpoints under /api/v1/endpoints"}),
        ),
    )
        .into_response())
}
