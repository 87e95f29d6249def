//! What every console page shares: the person shown in the header, the rendering of a
//! template, and the clock face times are shown in.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::domain::Lang;
use crate::render::i18n::Clockface;
use crate::web::{AppError, AppState};

/// The person in a page's header ([`super::staff::user_view`]).
pub struct UserView {
    pub email: String,
    pub role: &'static str,
}

pub fn html<T: Template>(t: T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

pub fn face(state: &AppState) -> Clockface {
    Clockface::new(&state.settings, Lang::En, state.clock.now())
}
