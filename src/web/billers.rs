//! Billers and their webhook endpoints under `/api/v1`: staff manage every biller's endpoints;
//! a biller's own token (`POST /billers/{id}/tokens`) reaches only that biller's endpoints, its
//! deliveries and attempts, replay and recovery, and nothing else in the API.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::api::{ApiJson, OptionalJson, Staff, parse_time_public};
pub use super::api_types::EndpointIn;
use super::api_types::{
    AttemptList, BillerIn, BillerList, BillerOut, BillerTokenOut, DeliveriesQuery, DeliveryList,
    DisableIn, EnableIn, Enabled, EndpointCreated, EndpointList, EndpointOut, EndpointQuery,
    Queued, RecoverIn, SecretRotated, TestResult, TokenIn,
};
use super::{AppError, AppState, Result};
use crate::domain::text::check_visible;
use crate::domain::{Event, ServiceCode};
use crate::store::{ApiToken, DeliveryCursor, Endpoint, EndpointSettings, Role, StoreError};

/// Who calls an endpoints route: staff (by role) or one biller.
pub struct Caller(ApiToken);

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        super::api::token_of(parts, state).await.map(Caller)
    }
}

impl Caller {
    fn actor(&self) -> String {
        match &self.0.biller_id {
            Some(b) => format!("biller:{b}:token:{}", self.0.name),
            None => format!("token:{}", self.0.name),
        }
    }

    /// Staff need `role`; a biller may act on its own things only.
    fn may_write(&self, biller_id: &str, role: Role) -> Result<()> {
        match &self.0.biller_id {
            Some(own) if own == biller_id => Ok(()),
            Some(_) => Err(not_yours()),
            None if self.0.role >= role => Ok(()),
            None => Err(AppError::Forbidden(format!(
                "this needs the {} role; token '{}' is {}",
                role.as_str(),
                self.0.name,
                self.0.role.as_str()
            ))),
        }
    }

    fn may_read(&self, biller_id: &str) -> Result<()> {
        self.may_write(biller_id, Role::Viewer)
    }
}

/// Another biller's endpoint looks exactly like one that does not exist.
fn not_yours() -> AppError {
    AppError::NotFound("endpoint".into(), "no such endpoint".into())
}

async fn endpoint_for(state: &AppState, caller: &Caller, id: &str) -> Result<Endpoint> {
    let e = state.store.get_endpoint(id).await.map_err(|e| match e {
        StoreError::NotFound => not_yours(),
        other => other.into(),
    })?;
    caller.may_read(&e.biller_id).map_err(|e| match e {
        AppError::Forbidden(m) => AppError::Forbidden(m),
        _ => not_yours(),
    })?;
    Ok(e)
}

/// A biller's name as the API and the console accept it, trimmed.
pub fn check_biller_name(raw: &str) -> Result<&str> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::field("name", "must be 1 to 120 characters"));
    }
    check_visible("name", raw).map_err(|e| AppError::field(e.field, e.message))?;
    Ok(name)
}

fn check_email(field: &str, raw: &str) -> Result<String> {
    let t = raw.trim();
    t.parse::<lettre::Address>()
        .map(|_| t.to_string())
        .map_err(|_| AppError::field(field, format!("'{t}' is not an email address")))
}

pub async fn list_billers(State(state): State<AppState>, staff: Staff) -> Result<Json<BillerList>> {
    staff.require(Role::Viewer)?;
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
    staff.require(Role::Admin)?;
    let name = check_biller_name(&input.name)?;
    let contact = check_email("contact_email", &input.contact_email)?;
    let b = state
        .store
        .create_biller(name, &contact, &staff.actor(), state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(BillerOut::from(b))).into_response())
}

pub async fn create_biller_token(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TokenIn>,
) -> Result<Response> {
    staff.require(Role::Admin)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::field("name", "must be 1 to 60 characters"));
    }
    check_visible("name", name).map_err(|e| AppError::field(e.field, e.message))?;
    let (t, token) = state
        .store
        .create_biller_token(&id, input.name.trim(), &staff.actor(), state.clock.now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                AppError::NotFound("biller".into(), format!("no biller '{id}'"))
            }
            other => other.into(),
        })?;
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

impl EndpointIn {
    /// Checks every field against what it would replace, naming each bad one (a host name
    /// given is resolved, as each send will).
    pub async fn settings(
        &self,
        state: &AppState,
        base: Option<&Endpoint>,
    ) -> Result<EndpointSettings> {
        let mut errors = std::collections::BTreeMap::new();
        let policy = crate::delivery::ssrf::Policy::from_config(&state.settings.raw.webhook);
        let url = match (&self.url, base) {
            (Some(u), _) => u.trim().to_string(),
            (None, Some(b)) => b.url.clone(),
            (None, None) => {
                errors.insert("url".into(), "is required".into());
                String::new()
            }
        };
        if !url.is_empty() {
            // The name is looked up when a URL is given, not when another field changes (a
            // kept URL whose name went private is refused at each send, on the endpoint).
            let checked = match crate::delivery::ssrf::check_url(&url, policy) {
                Ok(u) if self.url.is_some() => {
                    crate::delivery::ssrf::check_resolved(&u, policy).await
                }
                other => other.map(|_| ()),
            };
            if let Err(e) = checked {
                // The reason names the field for where it stands alone (a refusal on the
                // endpoint, a delivery's error); under the field's own key it need not.
                let why = e.strip_prefix("url: ").map(str::to_string).unwrap_or(e);
                errors.insert("url".into(), why);
            }
        }
        let description = self
            .description
            .clone()
            .or_else(|| base.map(|b| b.description.clone()))
            .unwrap_or_default();
        if description.chars().count() > 500 {
            errors.insert("description".into(), "at most 500 characters".into());
        } else if let Err(e) = check_visible("description", &description) {
            errors.insert(e.field, e.message);
        }
        let event_types = self
            .event_types
            .clone()
            .or_else(|| base.map(|b| b.event_types.clone()))
            .unwrap_or_default();
        for (i, e) in event_types.iter().enumerate() {
            if Event::parse(e).is_none() || e == "test.ping" {
                errors.insert(
                    format!("event_types[{i}]"),
                    format!("'{e}' is not an event type; see /api/v1/schemas"),
                );
            }
        }
        let services = match &self.services {
            Some(Some(list)) => {
                let snapshot = state.snapshot.load();
                let mut codes = Vec::new();
                for (i, raw) in list.iter().enumerate() {
                    match ServiceCode::parse(raw) {
                        Ok(c) if snapshot.data().services.iter().any(|s| s.code == c) => {
                            codes.push(c)
                        }
                        _ => {
                            errors.insert(format!("services[{i}]"), format!("no service '{raw}'"));
                        }
                    }
                }
                if list.is_empty() {
                    errors.insert(
                        "services".into(),
                        "name at least one service, or send null for all".into(),
                    );
                }
                Some(codes)
            }
            Some(None) => None,
            None => base.and_then(|b| {
                b.services.as_ref().map(|v| {
                    v.iter()
                        .filter_map(|c| ServiceCode::parse(c).ok())
                        .collect()
                })
            }),
        };
        let rate_limit = self
            .rate_limit
            .or_else(|| base.map(|b| b.rate_limit))
            .unwrap_or(0);
        if !(0..=10_000).contains(&rate_limit) {
            errors.insert(
                "rate_limit".into(),
                "requests per second, 0 (no limit) to 10000".into(),
            );
        }
        let contact_email = match (&self.contact_email, base) {
            (Some(c), _) => match check_email("contact_email", c) {
                Ok(c) => c,
                Err(_) => {
                    errors.insert(
                        "contact_email".into(),
                        format!("'{c}' is not an email address"),
                    );
                    String::new()
                }
            },
            (None, Some(b)) => b.contact_email.clone(),
            (None, None) => {
                errors.insert(
                    "contact_email".into(),
                    "is required: who hears when the endpoint is disabled".into(),
                );
                String::new()
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
        Ok(EndpointSettings {
            url,
            description,
            event_types,
            services,
            rate_limit,
            contact_email,
        })
    }
}

pub async fn list_endpoints(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<EndpointQuery>,
) -> Result<Json<EndpointList>> {
    let filter = match &caller.0.biller_id {
        Some(own) => Some(own.clone()),
        None => {
            caller.may_read("")?;
            q.biller_id.clone()
        }
    };
    let list = state.store.list_endpoints(filter.as_deref()).await?;
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
    caller.may_write(&biller_id, Role::Admin)?;
    if let Err(StoreError::NotFound) = state.store.get_biller(&biller_id).await {
        return Err(AppError::field(
            "biller_id",
            format!("no biller '{biller_id}'"),
        ));
    }
    let s = input.settings(&state, None).await?;
    let (e, secret) = state
        .store
        .create_endpoint(
            &biller_id,
            &s,
            input.ed25519.unwrap_or(false),
            &caller.actor(),
            state.clock.now(),
        )
        .await?;
    let e = set_enabled(&state, &caller, e, input.enabled).await?;
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
    Path(id): Path<String>,
) -> Result<Json<EndpointOut>> {
    Ok(Json(endpoint_for(&state, &caller, &id).await?.into()))
}

pub async fn patch_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EndpointIn>,
) -> Result<Json<EndpointOut>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Admin)?;
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
    let s = input.settings(&state, Some(&e)).await?;
    let e = state
        .store
        .update_endpoint(&id, &s, &caller.actor(), state.clock.now())
        .await?;
    Ok(Json(
        set_enabled(&state, &caller, e, input.enabled).await?.into(),
    ))
}

/// Applies an `enabled` field to an endpoint just written, as `/disable` and `/enable` (without
/// replay) would; returns the endpoint as it now is.
async fn set_enabled(
    state: &AppState,
    caller: &Caller,
    e: Endpoint,
    enabled: Option<bool>,
) -> Result<Endpoint> {
    let now = state.clock.now();
    match enabled {
        Some(false) if e.enabled => {
            let reason = format!("disabled by {}", caller.actor());
            state
                .store
                .disable_endpoint(&e.id, &reason, &caller.actor(), now)
                .await?;
        }
        Some(true) if !e.enabled => {
            state
                .store
                .enable_endpoint(&e.id, false, &caller.actor(), now)
                .await?;
        }
        _ => return Ok(e),
    }
    Ok(state.store.get_endpoint(&e.id).await?)
}

pub async fn delete_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Admin)?;
    state
        .store
        .delete_endpoint(&id, &caller.actor(), state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SecretRotated>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Admin)?;
    let overlap =
        chrono::Duration::hours(i64::from(state.settings.raw.webhook.secret_overlap_hours));
    let now = state.clock.now();
    let secret = state
        .store
        .rotate_endpoint_secret(&id, overlap, &caller.actor(), now)
        .await?;
    // To the millisecond, as the endpoint keeps it and shows it.
    let until = crate::store::from_ms(crate::store::ms(now + overlap));
    Ok(Json(SecretRotated {
        secret,
        previous_secret_until: until,
        note: "both secrets sign every webhook until previous_secret_until".into(),
    }))
}

pub async fn test_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TestResult>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Publisher)?;
    let result =
        crate::delivery::webhook::send_test(&state.store, &state.settings, &id, state.clock.now())
            .await?;
    Ok(Json(
        serde_json::from_value(result).map_err(|e| AppError::Internal(e.into()))?,
    ))
}

pub async fn enable_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<EnableIn>,
) -> Result<Json<Enabled>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Admin)?;
    let queued = state
        .store
        .enable_endpoint(&id, input.replay, &caller.actor(), state.clock.now())
        .await?;
    Ok(Json(Enabled {
        enabled: true,
        replayed: Some(queued),
        reason: None,
    }))
}

pub async fn disable_endpoint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<DisableIn>,
) -> Result<Json<Enabled>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Admin)?;
    let reason = input
        .reason
        .unwrap_or_else(|| format!("disabled by {}", caller.actor()));
    check_visible("reason", &reason).map_err(|e| AppError::field(e.field, e.message))?;
    state
        .store
        .disable_endpoint(&id, &reason, &caller.actor(), state.clock.now())
        .await?;
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
    Path(id): Path<String>,
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
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<AttemptList>> {
    endpoint_for(&state, &caller, &id).await?;
    if !delivery.ends_with(&format!(":{id}")) {
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
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<Queued>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Publisher)?;
    if !state
        .store
        .replay_delivery(&id, &delivery, &caller.actor(), state.clock.now())
        .await?
    {
        return Err(AppError::NotFound(
            "delivery".into(),
            "no such delivery for this endpoint, or it is pending already".into(),
        ));
    }
    Ok(Json(Queued { queued: 1 }))
}

pub async fn recover(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RecoverIn>,
) -> Result<Json<Queued>> {
    let e = endpoint_for(&state, &caller, &id).await?;
    caller.may_write(&e.biller_id, Role::Publisher)?;
    let since =
        parse_time_public(&state, "since", &input.since).map_err(|e| AppError::fields(vec![e]))?;
    let n = state
        .store
        .recover_failed(&id, since, &caller.actor(), state.clock.now())
        .await?;
    Ok(Json(Queued { queued: n }))
}
