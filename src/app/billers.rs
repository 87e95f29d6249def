//! Billers and their webhook endpoints: create a biller and its own API token; create,
//! change, disable, enable, delete an endpoint, rotate its secret, send it a test, replay a
//! delivery or recover failed ones. Who may do which (staff by role, a biller on its own
//! endpoints only) is the caller's to check before.

use chrono::{DateTime, Utc};

use super::{App, Error, Result};
use crate::domain::text::check_visible;
use crate::domain::{BillerId, DeliveryId, EndpointId, Event, FieldError, ServiceCode};
use crate::store::{ApiToken, Biller, Endpoint, EndpointSettings, StoreError};

/// A biller's name as the API and the console accept it, trimmed.
pub fn check_biller_name(raw: &str) -> Result<&str> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::field("name", "must be 1 to 120 characters"));
    }
    check_visible("name", raw).map_err(|e| Error::Invalid(vec![e]))?;
    Ok(name)
}

fn check_email(field: &str, raw: &str) -> Result<String> {
    let t = raw.trim();
    t.parse::<lettre::Address>()
        .map(|_| t.to_string())
        .map_err(|_| Error::field(field, format!("'{t}' is not an email address")))
}

pub async fn create_biller(app: &App, actor: &str, name: &str, contact: &str) -> Result<Biller> {
    let name = check_biller_name(name)?;
    let contact = check_email("contact_email", contact)?;
    Ok(app
        .store
        .create_biller(name, &contact, actor, app.clock.now())
        .await?)
}

/// A biller's own API token, and its secret (shown once).
pub async fn create_token(
    app: &App,
    actor: &str,
    biller_id: &BillerId,
    name: &str,
) -> Result<(ApiToken, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::field("name", "must be 1 to 60 characters"));
    }
    crate::domain::text::check_visible("name", name)
        .map_err(|e| Error::field(e.field, e.message))?;
    app.store
        .create_biller_token(biller_id, name, actor, app.clock.now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => Error::not_found("biller", format!("no biller '{biller_id}'")),
            other => other.into(),
        })
}

/// An endpoint's settings as given, whole (create) or any subset (change).
#[derive(Debug, Clone, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// `Some(None)`: every service; `None`: unchanged (every service on create).
    pub services: Option<Option<Vec<String>>>,
    pub rate_limit: Option<i64>,
    pub contact_email: Option<String>,
}

/// Checks every field against what it would replace, naming each bad one (a host name given
/// is resolved, as each send will).
pub async fn endpoint_settings(
    app: &App,
    c: &EndpointChange,
    base: Option<&Endpoint>,
) -> Result<EndpointSettings> {
    let mut errors = std::collections::BTreeMap::new();
    let policy = crate::delivery::ssrf::Policy::from_config(&app.settings.raw.webhook);
    let url = match (&c.url, base) {
        (Some(u), _) => u.trim().to_string(),
        (None, Some(b)) => b.url.clone(),
        (None, None) => {
            errors.insert("url".to_string(), "is required".to_string());
            String::new()
        }
    };
    if !url.is_empty() {
        // The name is looked up when a URL is given, not when another field changes (a kept
        // URL whose name went private is refused at each send, on the endpoint).
        let checked = match crate::delivery::ssrf::check_url(&url, policy) {
            Ok(u) if c.url.is_some() => crate::delivery::ssrf::check_resolved(&u, policy).await,
            other => other.map(|_| ()),
        };
        if let Err(e) = checked {
            // The reason names the field for where it stands alone (a refusal on the
            // endpoint, a delivery's error); under the field's own key it need not.
            let why = e.strip_prefix("url: ").map(str::to_string).unwrap_or(e);
            errors.insert("url".into(), why);
        }
    }
    let description = c
        .description
        .clone()
        .or_else(|| base.map(|b| b.description.clone()))
        .unwrap_or_default();
    if description.chars().count() > 500 {
        errors.insert("description".into(), "at most 500 characters".into());
    } else if let Err(e) = check_visible("description", &description) {
        errors.insert(e.field, e.message);
    }
    let event_types = c
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
    let services = match &c.services {
        Some(Some(list)) => {
            let snapshot = app.snapshot.load();
            let mut codes = Vec::new();
            for (i, raw) in list.iter().enumerate() {
                match ServiceCode::parse(raw) {
                    Ok(c) if snapshot.data().services.iter().any(|s| s.code == c) => codes.push(c),
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
    let rate_limit = c
        .rate_limit
        .or_else(|| base.map(|b| b.rate_limit))
        .unwrap_or(0);
    if !(0..=10_000).contains(&rate_limit) {
        errors.insert(
            "rate_limit".into(),
            "requests per second, 0 (no limit) to 10000".into(),
        );
    }
    let contact_email = match (&c.contact_email, base) {
        (Some(e), _) => match check_email("contact_email", e) {
            Ok(e) => e,
            Err(_) => {
                errors.insert(
                    "contact_email".into(),
                    format!("'{e}' is not an email address"),
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
        return Err(Error::Invalid(
            errors
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m))
                .collect(),
        ));
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

/// Creates an endpoint for a biller, optionally disabled; says its secret (shown once).
pub async fn create_endpoint(
    app: &App,
    actor: &str,
    biller_id: &BillerId,
    change: &EndpointChange,
    ed25519: bool,
    enabled: Option<bool>,
) -> Result<(Endpoint, String)> {
    if let Err(StoreError::NotFound) = app.store.get_biller(biller_id).await {
        return Err(Error::field(
            "biller_id",
            format!("no biller '{biller_id}'"),
        ));
    }
    let s = endpoint_settings(app, change, None).await?;
    let (e, secret) = app
        .store
        .create_endpoint(biller_id, &s, ed25519, actor, app.clock.now())
        .await?;
    let e = set_enabled(app, actor, e, enabled).await?;
    Ok((e, secret))
}

/// Changes an endpoint's settings, and with `enabled`, whether it sends.
pub async fn update_endpoint(
    app: &App,
    actor: &str,
    e: &Endpoint,
    change: &EndpointChange,
    enabled: Option<bool>,
) -> Result<Endpoint> {
    let s = endpoint_settings(app, change, Some(e)).await?;
    let e = app
        .store
        .update_endpoint(&e.id, &s, actor, app.clock.now())
        .await?;
    set_enabled(app, actor, e, enabled).await
}

/// Applies an `enabled` field to an endpoint just written, as [`disable`] and [`enable`]
/// (without replay) would; returns the endpoint as it now is.
async fn set_enabled(
    app: &App,
    actor: &str,
    e: Endpoint,
    enabled: Option<bool>,
) -> Result<Endpoint> {
    let now = app.clock.now();
    match enabled {
        Some(false) if e.enabled => {
            let reason = format!("disabled by {actor}");
            app.store
                .disable_endpoint(&e.id, &reason, actor, now)
                .await?;
        }
        Some(true) if !e.enabled => {
            app.store.enable_endpoint(&e.id, false, actor, now).await?;
        }
        _ => return Ok(e),
    }
    Ok(app.store.get_endpoint(&e.id).await?)
}

/// Deletes an endpoint and its queued deliveries.
pub async fn delete_endpoint(app: &App, actor: &str, id: &EndpointId) -> Result<()> {
    Ok(app
        .store
        .delete_endpoint(id, actor, app.clock.now())
        .await?)
}

/// A new secret (shown once), and until when the old one keeps signing too.
pub async fn rotate_secret(
    app: &App,
    actor: &str,
    id: &EndpointId,
) -> Result<(String, DateTime<Utc>)> {
    let overlap = chrono::Duration::hours(i64::from(app.settings.raw.webhook.secret_overlap_hours));
    let now = app.clock.now();
    let secret = app
        .store
        .rotate_endpoint_secret(id, overlap, actor, now)
        .await?;
    // To the millisecond, as the endpoint keeps it and shows it.
    let until = crate::store::from_ms(crate::store::ms(now + overlap));
    Ok((secret, until))
}

/// Sends a signed `test.ping` now and says what the endpoint answered.
pub async fn test_endpoint(
    app: &App,
    id: &EndpointId,
) -> Result<crate::delivery::webhook::PingResult> {
    Ok(crate::delivery::webhook::send_test(&app.store, &app.settings, id, app.clock.now()).await?)
}

/// Sends again; with `replay`, queues every update published while it was disabled (how
/// many is the answer).
pub async fn enable(app: &App, actor: &str, id: &EndpointId, replay: bool) -> Result<u64> {
    Ok(app
        .store
        .enable_endpoint(id, replay, actor, app.clock.now())
        .await?)
}

/// Stops sending (deliveries wait); says the reason kept on the endpoint.
pub async fn disable(
    app: &App,
    actor: &str,
    id: &EndpointId,
    reason: Option<String>,
) -> Result<String> {
    let reason = match reason {
        None => format!("disabled by {actor}"),
        Some(r) if r.trim().is_empty() || r.chars().count() > 300 => {
            return Err(Error::field(
                "reason",
                "must be 1 to 300 characters; leave it out to record who disabled it",
            ));
        }
        Some(r) => r.trim().to_string(),
    };
    check_visible("reason", &reason).map_err(|e| Error::Invalid(vec![e]))?;
    app.store
        .disable_endpoint(id, &reason, actor, app.clock.now())
        .await?;
    Ok(reason)
}

/// Sends one delivery again now.
pub async fn replay_delivery(
    app: &App,
    actor: &str,
    id: &EndpointId,
    delivery: &DeliveryId,
) -> Result<()> {
    if !app
        .store
        .replay_delivery(id, delivery, actor, app.clock.now())
        .await?
    {
        return Err(Error::not_found(
            "delivery",
            "no such delivery for this endpoint, or it is pending already",
        ));
    }
    Ok(())
}

/// Sends again every failed delivery created since `since`; says how many.
pub async fn recover(app: &App, actor: &str, id: &EndpointId, since: DateTime<Utc>) -> Result<u64> {
    Ok(app
        .store
        .recover_failed(id, since, actor, app.clock.now())
        .await?)
}
