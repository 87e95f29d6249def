//! Billers and their own API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::{AppState, Result};
use super::extract::{ApiJson, Staff};
use super::types::{BillerIn, BillerList, BillerOut, BillerTokenOut, TokenIn};
use crate::app;
use crate::domain::BillerId;

/// [`app::billers::check_biller_name`] for the console.
pub fn check_biller_name(raw: &str) -> Result<&str> {
    Ok(app::billers::check_biller_name(raw)?)
}

pub async fn list_billers(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<BillerList>> {
    let billers = state.store.list_billers().await?;
    Ok(Json(BillerList {
        billers: billers.into_iter().map(BillerOut::from).collect(),
    }))
}

pub async fn create_biller(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<BillerIn>,
) -> Result<Response> {
    let b = app::billers::create_biller(&state, &staff.actor(), &input.name, &input.contact_email)
        .await?;
    Ok((StatusCode::CREATED, Json(BillerOut::from(b))).into_response())
}

pub async fn create_biller_token(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<BillerId>,
    ApiJson(input): ApiJson<TokenIn>,
) -> Result<Response> {
    let (t, token) = app::billers::create_token(&state, &staff.actor(), &id, &input.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(BillerTokenOut {
            id: t.id,
            name: t.name,
            biller_id: id,
            token,
            note: "shown once: it reaches only this biller's endpoints under /api/v1/endpoints"
                .into(),
        }),
    )
        .into_response())
}
