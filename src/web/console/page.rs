//! What every console page shares: the person shown in the header, the words of the frame in
//! the staff member's language, the rendering of a template, and the clock face times are
//! shown in.

use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};

use crate::domain::Lang;
use crate::locale::Locale;
use crate::render::i18n::Clockface;
use crate::web::{AppError, AppState};

/// The person in a page's header ([`super::staff::user_view`]).
pub struct UserView {
    pub email: String,
    pub role: &'static str,
}

crate::render::i18n::labels!(
    /// The words of every console page's frame: title, navigation, log out.
    Frame, "console", {
        title,
        nav_new_notice,
        nav_services,
        nav_subscribers,
        nav_billers,
        nav_audit,
        nav_tokens,
        nav_password,
        nav_public,
        log_out,
    }
);

/// The staff member's language: the one `Accept-Language` asks for among the configured
/// languages, else the default (first configured).
pub fn lang_of(state: &AppState, headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Lang::negotiate(v, &state.settings.languages))
        .unwrap_or(state.settings.default_lang())
}

/// The locale of the staff member's language.
pub fn locale_of(state: &AppState, headers: &HeaderMap) -> Arc<Locale> {
    state.settings.locales.get(lang_of(state, headers)).clone()
}

pub fn html<T: Template>(t: T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

/// Times in the page's zone, in `loc`'s language.
pub fn face(state: &AppState, loc: &Arc<Locale>) -> Clockface {
    Clockface {
        tz: state.settings.time_zone,
        loc: loc.clone(),
        now: state.clock.now(),
    }
}
