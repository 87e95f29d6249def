//! Subscribers as staff manage them: add one whose consent they hold, find, export, erase.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::{AppError, AppState, Result};
use super::extract::{ApiJson, Staff};
use super::fields::Errors;
pub(super) use super::types::{AddressQuery, SubscriberIn};
use super::types::{SubscriberExport, SubscriberOut};
use crate::app;
use crate::domain::{FieldError, Lang, ServiceCode};

pub(super) fn parse_address(
    state: &AppState,
    field: &str,
    raw: &str,
) -> Result<crate::domain::subscriber::Address> {
    let s = &state.settings.raw.subscribers;
    crate::domain::subscriber::Address::parse(
        raw,
        &s.default_country,
        &state.settings.allowed_countries,
    )
    .map_err(|m| AppError::field(field, m))
}

pub(super) fn subscriber_json(s: &crate::store::Subscriber) -> SubscriberOut {
    s.into()
}

pub(super) async fn add_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<SubscriberIn>,
) -> Result<Response> {
    let mut errors = Errors::default();
    let address = match input.address.as_deref() {
        Some(raw) => match parse_address(&state, "address", raw) {
            Ok(a) => Some(a),
            Err(AppError::Invalid(_, m)) => {
                errors
                    .0
                    .extend(m.into_iter().map(|(f, m)| FieldError::new(f, m)));
                None
            }
            Err(e) => return Err(e),
        },
        None => {
            errors.add("address", "is required: a phone number or email address");
            None
        }
    };
    let language = match input.language.as_deref() {
        None => Some(state.settings.default_lang()),
        Some(raw) => match Lang::parse(raw).filter(|l| state.settings.languages.contains(l)) {
            Some(l) => Some(l),
            None => {
                errors.add(
                    "language",
                    format!("'{raw}' is not a language of this page"),
                );
                None
            }
        },
    };
    if input.consent != Some(true) {
        errors.add(
            "consent",
            "must be true: add only people who asked for these notices",
        );
    }
    let snapshot = state.snapshot.load();
    let mut services = Vec::new();
    for (i, raw) in input.services.iter().flatten().enumerate() {
        match ServiceCode::parse(raw) {
            Ok(c) if snapshot.data().services.iter().any(|s| s.code == c) => services.push(c),
            _ => errors.add(format!("services[{i}]"), format!("no service '{raw}'")),
        }
    }
    errors.check()?;
    let s = app::subscribers::add(
        &state,
        &staff.actor(),
        address.expect("checked"),
        language.expect("checked"),
        services,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(subscriber_json(&s))).into_response())
}

/// The address of `?address=`, parsed.
pub(super) fn address_of(
    state: &AppState,
    q: AddressQuery,
) -> Result<crate::domain::subscriber::Address> {
    let raw = q.address.ok_or_else(|| {
        AppError::field(
            "address",
            "is required: the exact phone number or email address",
        )
    })?;
    parse_address(state, "address", &raw)
}

pub(super) async fn find_subscriber(
    State(state): State<AppState>,
    _staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result<Json<SubscriberOut>> {
    let address = address_of(&state, q)?;
    Ok(Json(subscriber_json(
        &app::subscribers::find(&state, &address).await?,
    )))
}

/// Everything stored about one person (GDPR-style access request).
pub(super) async fn export_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result<Json<SubscriberExport>> {
    let address = address_of(&state, q)?;
    let s = app::subscribers::export(&state, &staff.actor(), &address).await?;
    Ok(Json(SubscriberExport {
        subscriber: subscriber_json(&s),
        note: "Tangazo stores the address, language, services followed, consent source and the times above. Confirmation counters keep only a hash of the address.".into(),
    }))
}

/// Erases a subscriber; the audit log keeps the id, never the address.
pub(super) async fn erase_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result<StatusCode> {
    let address = address_of(&state, q)?;
    app::subscribers::erase(&state, &staff.actor(), &address).await?;
    Ok(StatusCode::NO_CONTENT)
}
