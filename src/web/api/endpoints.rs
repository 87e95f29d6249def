//! Billers' webhook endpoints: staff manage every biller's; a biller's own token
//! (`POST /billers/{id}/tokens`) reaches only that biller's endpoints, its deliveries and
//! attempts, replay and recovery, and nothing else in the API.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::{AppError, AppState, Result};
use super::error::not_yours;
use super::extract::{ApiJson, Caller, OptionalJson};
use super::fields::parse_time_public;
pub use super::types::EndpointIn;
use super::types::{
    AttemptList, DeliveriesQuery, DeliveryList, DisableIn, EnableIn, Enabled, EndpointCreated,
    EndpointList, EndpointOut, EndpointQuery, Queued, RecoverIn, SecretRotated, TestResult,
};
use crate::app;
use crate::domain::{DeliveryId, EndpointId};
use crate::store::{DeliveryCursor, Endpoint, EndpointSettings, StoreError};

pub(super) async fn endpoint_for(
    state: &AppState,
    caller: &Caller,
    id: &EndpointId,
) -> Result<Endpoint> {
    let e = state.store.get_endpoint(id).await.map_err(|e| match e {
        StoreError::NotFound => not_yours(),
        other => other.into(),
    })?;
    caller.reaches(&e.biller_id)?;
    Ok(e)
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

pub async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<EndpointQuery>,
) -> Result<Json<EndpointList>> {
    let filter = match &caller.0.biller_id {
        Some(own) => Some(own.clone()),
        None => q.biller_id.clone(),
    };
    let list = state.store.list_endpoints(filter.as_ref()).await?;
    Ok(Json(EndpointList {
        endpoints: list.into_iter().map(EndpointOut::from).collect(),
    }))
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
        Json(EndpointCreated {
            endpoint: e.into(),
            secret,
            note: "the secret is shown once; verify webhook-signature with it (Standard Webhooks)"
                .into(),
        }),
    )
        .into_response())
}

pub async fn get_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
) -> Result<Json<EndpointOut>> {
    Ok(Json(endpoint_for(&state, &caller, &id).await?.into()))
}

pub async fn patch_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
    ApiJson(input): ApiJson<EndpointIn>,
) -> Result<Json<EndpointOut>> {
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
    Ok(Json(e.into()))
}

pub async fn delete_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
) -> Result<StatusCode> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    app::billers::delete_endpoint(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
) -> Result<Json<SecretRotated>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let (secret, until) = app::billers::rotate_secret(&state, &caller.actor(), &id).await?;
    Ok(Json(SecretRotated {
        secret,
        previous_secret_until: until,
        note: "both secrets sign every webhook until previous_secret_until".into(),
    }))
}

pub async fn test_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
) -> Result<Json<TestResult>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let result = app::billers::test_endpoint(&state, &id).await?;
    Ok(Json(result.into()))
}

pub async fn enable_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
    OptionalJson(input): OptionalJson<EnableIn>,
) -> Result<Json<Enabled>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let queued = app::billers::enable(&state, &caller.actor(), &id, input.replay).await?;
    Ok(Json(Enabled {
        enabled: true,
        replayed: Some(queued),
        reason: None,
    }))
}

pub async fn disable_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
    OptionalJson(input): OptionalJson<DisableIn>,
) -> Result<Json<Enabled>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let reason = app::billers::disable(&state, &caller.actor(), &id, input.reason).await?;
    Ok(Json(Enabled {
        enabled: false,
        replayed: None,
        reason: Some(reason),
    }))
}

/// An endpoint's deliveries, newest first, a page at a time: `next_cursor` (null on the last
/// page) asks for the next.
pub async fn endpoint_deliveries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Json<DeliveryList>> {
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
    Ok(Json(DeliveryList {
        deliveries: list.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

pub async fn delivery_attempts(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery)): Path<(EndpointId, DeliveryId)>,
) -> Result<Json<AttemptList>> {
    endpoint_for(&state, &caller, &id).await?;
    if !delivery.as_str().ends_with(&format!(":{id}")) {
        return Err(AppError::NotFound(
            "delivery".into(),
            "no such delivery for this endpoint".into(),
        ));
    }
    let attempts = state.store.attempts_of(&delivery).await?;
    Ok(Json(AttemptList {
        delivery_id: delivery,
        attempts: attempts.into_iter().map(Into::into).collect(),
    }))
}

pub async fn replay_delivery(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, delivery)): Path<(EndpointId, DeliveryId)>,
) -> Result<Json<Queued>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    app::billers::replay_delivery(&state, &caller.actor(), &id, &delivery).await?;
    Ok(Json(Queued { queued: 1 }))
}

pub async fn recover(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<EndpointId>,
    ApiJson(input): ApiJson<RecoverIn>,
) -> Result<Json<Queued>> {
    let _e = endpoint_for(&state, &caller, &id).await?;
    let since =
        parse_time_public(&state, "since", &input.since).map_err(|e| AppError::fields(vec![e]))?;
    let n = app::billers::recover(&state, &caller.actor(), &id, since).await?;
    Ok(Json(Queued { queued: n }))
}
