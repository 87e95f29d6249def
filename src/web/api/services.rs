//! Services: the rows of the status page.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::{AppState, Result};
use super::NAME_MAX;
use super::extract::{ApiJson, Staff};
use super::fields::{Errors, localized};
use super::types::{ServiceChanges, ServiceList, ServiceNew, ServiceOut};
use crate::app;
use crate::domain::{Localized, Service, ServiceCode, ServiceStatus};

pub(super) fn service_json(s: &Service) -> ServiceOut {
    s.into()
}

/// A new service has the fields of a change, some of them required (checked in `apply`).
impl From<ServiceNew> for ServiceChanges {
    fn from(n: ServiceNew) -> Self {
        ServiceChanges {
            code: n.code,
            name: n.name,
            description: n.description,
            group: n.group,
            position: n.position,
            status: n.status,
        }
    }
}

impl ServiceChanges {
    /// Applies the given fields onto `base` (a new or an existing service).
    fn apply(self, state: &AppState, mut base: Service, creating: bool) -> Result<Service> {
        let mut errors = Errors::default();
        if creating {
            match self.code.as_deref().map(ServiceCode::parse) {
                Some(Ok(c)) => base.code = c,
                Some(Err(m)) => errors.add("code", m),
                None => errors.add("code", "is required"),
            }
        } else if self
            .code
            .as_deref()
            .is_some_and(|c| c != base.code.as_str())
        {
            errors.add(
                "code",
                "cannot change; a service code is stable (create a new service instead)",
            );
        }
        match self.name {
            Some(raw) => {
                if let Some(n) = localized(state, &mut errors, "name", &raw, true, NAME_MAX) {
                    base.name = n;
                }
            }
            None if creating => errors.add(
                format!("name.{}", state.settings.default_lang()),
                "is required",
            ),
            None => {}
        }
        if let Some(raw) = self.description
            && let Some(d) = localized(state, &mut errors, "description", &raw, false, 300)
        {
            base.description = d;
        }
        match self.group.as_deref().map(str::trim) {
            Some("") => errors.add("group", "must not be empty"),
            Some(g) if g.chars().count() > NAME_MAX => {
                errors.add("group", format!("at most {NAME_MAX} characters"))
            }
            Some(g) => match crate::domain::text::check_visible("group", g) {
                Ok(()) => base.group = g.to_string(),
                Err(e) => errors.0.push(e),
            },
            None if creating => errors.add("group", "is required (e.g. Payments)"),
            None => {}
        }
        if let Some(p) = self.position {
            if !(0..=10_000).contains(&p) {
                errors.add("position", "must be between 0 and 10000");
            }
            base.position = p;
        }
        if let Some(s) = self.status {
            match ServiceStatus::parse(&s) {
                Ok(s) => base.status = s,
                Err(m) => errors.add("status", m),
            }
        }
        errors.check()?;
        Ok(base)
    }
}

pub(super) async fn list_services(
    State(state): State<AppState>,
    _staff: Staff,
) -> Result<Json<ServiceList>> {
    let list = state.store.list_services().await?;
    Ok(Json(ServiceList {
        services: list.iter().map(service_json).collect(),
    }))
}

pub(super) async fn get_service(
    State(state): State<AppState>,
    _staff: Staff,
    Path(code): Path<String>,
) -> Result<Json<ServiceOut>> {
    let s = app::services::get(&state, &code).await?;
    Ok(Json(service_json(&s)))
}

pub(super) async fn create_service(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<ServiceNew>,
) -> Result<Response> {
    let now = state.clock.now();
    let position = match input.position {
        Some(_) => 0,
        None => app::services::next_position(&state).await?,
    };
    let blank = Service {
        code: ServiceCode::parse("placeholder").expect("valid"),
        name: Localized::default(),
        description: Localized::default(),
        group: String::new(),
        position,
        status: ServiceStatus::Operational,
        created_at: now,
        updated_at: now,
    };
    let s = ServiceChanges::from(input).apply(&state, blank, true)?;
    let s = app::services::create(&state, &staff.actor(), s).await?;
    Ok((StatusCode::CREATED, Json(service_json(&s))).into_response())
}

pub(super) async fn edit_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ServiceChanges>,
) -> Result<Json<ServiceOut>> {
    let s = update_service(&state, &staff.actor(), &code, input).await?;
    Ok(Json(service_json(&s)))
}

pub(super) async fn update_service(
    state: &AppState,
    actor: &str,
    code: &str,
    input: ServiceChanges,
) -> Result<Service> {
    let current = app::services::get(state, code).await?;
    let s = input.apply(state, current, false)?;
    Ok(app::services::save(state, actor, s).await?)
}

/// The console's service row: the fields a form can change.
pub(crate) struct ServicePatch {
    pub(crate) name: Option<BTreeMap<String, String>>,
    pub(crate) group: Option<String>,
    pub(crate) position: Option<i64>,
    pub(crate) status: Option<String>,
}

/// Saves a service edit from the console through the API's checks.
pub(crate) async fn save_service(
    state: &AppState,
    actor: &str,
    code: &str,
    p: ServicePatch,
) -> Result<Service> {
    let input = ServiceChanges {
        code: None,
        name: p.name,
        description: None,
        group: p.group,
        position: p.position,
        status: p.status,
    };
    update_service(state, actor, code, input).await
}

pub(super) async fn delete_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<StatusCode> {
    app::services::delete(&state, &staff.actor(), &code).await?;
    Ok(StatusCode::NO_CONTENT)
}
