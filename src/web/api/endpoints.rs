//! Billers' webhook endpoints: staff manage every biller's; a biller's own token
//! (`POST /billers/{id}/tokens`) reaches only that biller's endpoints, its deliveries and
//! attempts, replay and recovery, and nothing else in the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::{AppError, AppState, Result};
use super::error::not_yours;
use super::extract::{ApiJson, Caller, OptionalJson};
use super::fields::parse_time_public;
use crate::app;
use crate::store::{DeliveryCursor, Endpoint, EndpointSettings, StoreError};

pub(super) async fn endpoint_for(state: &AppState, caller: &Caller, id: &str) -> Result<Endpoint> {
    let e = state.store.get_endpoint(id).await.map_err(|e| match e {
        StoreError::NotFound => not_yours(),
        other => other.into(),
    })?;
    caller.reaches(&e.biller_id)?;
    Ok(e)
}

/// An endpoint as posted (whole) or patched (any subset).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EndpointIn {
    pub biller_id: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `null` (or absent on create): every service; absent on a patch: unchanged.
    #[serde(default, deserialize_with = "present")]
    pub services: Option<Option<Vec<String>>>,
    pub rate_limit: Option<i64>,
    pub contact_email: Option<String>,
    /// Also sign with ed25519 (`v1a`); only on create.
    pub ed25519: Option<bool>,
    /// `false` disables it (its deliveries wait), `true` enables it again without replay
    /// (`POST …/enable` with `{"replay": true}` also sends what it missed).
    pub enabled: Option<bool>,
}

/// A field that was sent, even as `null` (serde reads a `null` `Option<Option<_>>` as absent).
pub(super) fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

impl EndpointIn {
    /// The settings given, for [`app::billers::endpoint_settings`].
    fn change(&self) -> app::billers::EndpointChange {
        app::billers::EndpointChange {
            url: self.url.clone(),
            description: self.description.clone(),
            event_types: self.event_types.clone(),
            services: self.services.clone(),
            rate_limit: self.rate_limit,
            contact_email: self.contact_email.clone(),
        }
    }

    /// Checks every field against what it would replace (see
    /// [`app::billers::endpoint_settings`]); the console calls this.
    pub async fn settings(
        &self,
        state: &AppState,
        base: Option<&Endpoint>,
    ) -> Result<EndpointSettings> {
        Ok(app::billers::endpoint_settings(state, &self.change(), base).await?)
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    biller_id: Option<String>,
}

pub async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>> {
    let filter = match &caller.0.biller_id {
        Some(own) => Some(own.clone()),
        None => q.biller_id.clone(),
    };
    let list = state.store.list_endpoints(filter.as_deref()).await?;
    Ok(Json(json!({"endpoints": list})))
}

pub async fn create_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<EndpointIn>,
) -> Result<Response> {
    let biller_id = match (&caller.0.biller_id, &input.biller_id) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(AppError::field(
                "biller_id",
                "a biller token creates endpoints for its own biller only",
            ));
        }
        (Some(own), _) => own.clone(),
        (None, Some(b)) => b.clone(),
        (None, None) => return Err(AppError::field("biller_id", "is required")),
    };
    caller.reaches(&biller_id)?;
    let (e, secret) = app::billers::create_endpoint(
        &state,
        &caller.actor(),
        &biller_id,
        &input.change(),
        input.ed25519.unwrap_or(false),
        input.enabled,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"endpoint": e, "secret": secret,
            "note": "the secret is shown once; verify webhook-signature with it (Standard Webhooks)"})),
    )
        .into_response())
}

pub async fn get_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    Ok(Json(json!(endpoint_for(&state, &caller, &id).await?)))
}

pub async fn patch_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EndpointIn>,
) -> Result<Json<Value>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    if input.biller_id.as_ref().is_some_and(|b| *b != e.biller_id) {
        return Err(AppError::field(
            "biller_id",
            "an endpoint cannot move to another biller",
        ));
    }
    if input.ed25519.is_some() {
        return Err(AppError::field(
            "ed25519",
            "is chosen when the endpoint is created",
        ));
    }
    let change = input.change();
    let e =
        app::billers::update_endpoint(&state, &caller.actor(), &e, &change, input.enabled).await?;
    Ok(Json(json!(e)))
}

pub async fn delete_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    app::billers::delete_endpoint(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let (secret, until) = app::billers::rotate_secret(&state, &caller.actor(), &id).await?;
    Ok(Json(
        json!({"secret": secret, "previous_secret_until": until,
        "note": "both secrets sign every webhook until previous_secret_until"}),
    ))
}

pub async fn test_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let result = app::billers::test_endpoint(&state, &id).await?;
    Ok(Json(result))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EnableIn {
    /// Queue every update published while the endpoint was disabled.
    #[serde(default)]
    replay: bool,
    /// Why it is disabled (for `/disable`).
    reason: Option<String>,
}

pub async fn enable_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<EnableIn>,
) -> Result<Json<Value>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let queued = app::billers::enable(&state, &caller.actor(), &id, input.replay).await?;
    Ok(Json(json!({"enabled": true, "replayed": queued})))
}

pub async fn disable_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<EnableIn>,
) -> Result<Json<Value>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let reason = app::billers::disable(&state, &caller.actor(), &id, input.reason).await?;
    Ok(Json(json!({"enabled": false, "reason": reason})))
}

#[derive(Deserialize)]
pub struct DeliveriesQuery {
    state: Option<String>,
    /// Deliveries per page, 1 to 500 (200).
    limit: Option<String>,
    /// A page's `next_cursor`: the page after it.
    cursor: Option<String>,
}

/// An endpoint's deliveries, newest first, a page at a time: `next_cursor` (null on the last
/// page) asks for the next.
pub async fn endpoint_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<Value>> {
    endpoint_for(&state, &caller, &id).await?;
    if let Some(s) = &q.state
        && !["pending", "sent", "failed"].contains(&s.as_str())
    {
        return Err(AppError::field("state", "one of pending, sent, failed"));
    }
    let limit = match q.limit.as_deref().map(str::parse::<i64>) {
        None => 200,
        Some(Ok(n)) if (1..=500).contains(&n) => n,
        Some(_) => return Err(AppError::field("limit", "a whole number from 1 to 500")),
    };
    let cursor = match q.cursor.as_deref() {
        None => None,
        Some(c) => Some(
            DeliveryCursor::parse(c)
                .ok_or_else(|| AppError::field("cursor", "not a next_cursor this list gave out"))?,
        ),
    };
    let list = state
        .store
        .endpoint_deliveries(&id, q.state.as_deref(), cursor.as_ref(), limit)
        .await?;
    let next = list
        .last()
        .filter(|_| list.len() as i64 == limit)
        .map(|d| DeliveryCursor::after(d).to_string());
    Ok(Json(json!({"deliveries": list, "next_cursor": next})))
}

pub async fn delivery_attempts(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<Value>> {
    endpoint_for(&state, &caller, &id).await?;
    if !delivery.ends_with(&format!(":{id}")) {
        return Err(AppError::NotFound(
            "delivery".into(),
            "no such delivery for this endpoint".into(),
        ));
    }
    let attempts = state.store.attempts_of(&delivery).await?;
    Ok(Json(json!({"delivery_id": delivery, "attempts": attempts})))
}

pub async fn replay_delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<Value>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    app::billers::replay_delivery(&state, &caller.actor(), &id, &delivery).await?;
    Ok(Json(json!({"queued": 1})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverIn {
    since: String,
}

pub async fn recover(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecoverIn>,
) -> Result<Json<Value>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let since =
        parse_time_public(&state, "since", &input.since).map_err(|e| AppError::fields(vec![e]))?;
    let n = app::billers::recover(&state, &caller.actor(), &id, since).await?;
    Ok(Json(json!({"queued": n})))
}
