//! The services table: every service's names, group, position and set status, with the
//! status the notices give it; admins edit a row at a time.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::error::{Result, field_errors};
use super::form::{Form, claim_form, done, form_token, release_form};
use super::page::{Frame, UserView, html};
use super::staff::{Staff, user_view};
use crate::domain::ServiceStatus;
use crate::locale::Arg;
use crate::render::i18n;
use crate::store::Role;
use crate::web::AppState;
use crate::web::api;

pub struct ServiceRow {
    code: String,
    /// (language tag, language name, the name in it), in the page's language order.
    names: Vec<(&'static str, &'static str, String)>,
    group: String,
    position: i64,
    status: &'static str,
    derived: &'static str,
}

#[derive(Template)]
#[template(path = "console/services.html")]
struct ServicesPage {
    t: Frame,
    w: ServicesWords,
    user: Option<UserView>,
    csrf: String,
    /// The forms' one-time token.
    once: String,
    flash: Option<String>,
    error: Option<String>,
    services: Vec<ServiceRow>,
    statuses: Vec<(&'static str, String)>,
    can_edit: bool,
}

crate::render::i18n::labels!(
    /// The words of the services table.
    ServicesWords, "console-services", {
        title,
        intro,
        col_code,
        col_names,
        col_group,
        col_position,
        col_status,
        name_of,
        name_in,
        group_of,
        position_of,
        status_of,
        page_shows,
        save,
    }
);

async fn services_page(
    state: &AppState,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Result {
    let snapshot = state.snapshot.load();
    let derived = crate::domain::status::service_statuses(
        &snapshot.data().services,
        &snapshot.data().notices,
    );
    let list = state.store.list_services().await?;
    let loc = staff.loc();
    let page = ServicesPage {
        t: staff.frame(),
        w: ServicesWords::of(loc),
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        error,
        services: list
            .iter()
            .map(|s| ServiceRow {
                code: s.code.to_string(),
                names: state
                    .settings
                    .languages
                    .iter()
                    .map(|l| {
                        let name = s.name.0.get(l).cloned().unwrap_or_default();
                        (l.code(), l.native_name(), name)
                    })
                    .collect(),
                group: s.group.clone(),
                position: s.position,
                status: s.status.as_str(),
                derived: derived.get(&s.code).copied().unwrap_or(s.status).as_str(),
            })
            .collect(),
        statuses: ServiceStatus::ALL
            .iter()
            .map(|s| (s.as_str(), i18n::status_label(loc, *s)))
            .collect(),
        can_edit: staff.0.user.role >= Role::Admin,
    };
    Ok((status, html(page)).into_response())
}

pub async fn services(State(state): State<AppState>, staff: Staff) -> Result {
    services_page(&state, &staff, None, StatusCode::OK).await
}

/// Saves one row of the services table through the same checks as the API.
pub async fn save_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let position = match form.get("position").trim().parse::<i64>() {
        Ok(p) => Some(p),
        Err(_) => {
            return services_page(
                &state,
                &staff,
                Some(format!(
                    "{code}: {}",
                    staff.loc().text("console-services-whole-number")
                )),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let input = api::ServicePatch {
        name: form.localized("name"),
        group: Some(form.get("group").to_string()),
        position,
        status: Some(form.get("status").to_string()),
    };
    claim_form(&state, &staff, &form, "/console/services").await?;
    match api::save_service(&state, &staff.actor(), &code, input).await {
        Ok(s) => Ok(done(
            &state,
            &staff,
            "/console/services",
            &staff.loc().format(
                "console-services-saved",
                &[("code", Arg::Str(s.code.as_str()))],
            ),
        )
        .await),
        Err(e) => {
            release_form(&state, &form).await;
            let message = field_errors(e)?
                .iter()
                .map(|(k, v)| format!("{code} {k}: {v}"))
                .collect::<Vec<_>>()
                .join("; ");
            services_page(
                &state,
                &staff,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
