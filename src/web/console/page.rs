//! What every console page shares: the person shown in the header, the error page, the
//! rendering of a template, and the clock face times are shown in.

use std::collections::BTreeMap;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use super::auth::Staff;
use crate::domain::Lang;
use crate::render::i18n::Clockface;
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    message: String,
}

pub struct UserView {
    pub email: String,
    pub role: &'static str,
}

pub fn user_view(s: &Staff) -> Option<UserView> {
    Some(UserView {
        email: s.0.user.email.clone(),
        role: s.0.user.role.as_str(),
    })
}

pub fn page_error(message: &str) -> String {
    ErrorPage {
        user: None,
        csrf: String::new(),
        flash: None,
        message: message.to_string(),
    }
    .render()
    .unwrap_or_default()
}

pub fn html<T: Template>(t: T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

pub fn face(state: &AppState) -> Clockface {
    Clockface {
        tz: state.settings.time_zone,
        lang: Lang::En,
        now: state.clock.now(),
    }
}

pub fn field_errors(e: AppError) -> Result<BTreeMap<String, String>, Response> {
    match e {
        AppError::Invalid(_, errors) => Ok(errors),
        AppError::Conflict(field, message) => Ok(BTreeMap::from([(field, message)])),
        other => Err(other.into_response()),
    }
}
