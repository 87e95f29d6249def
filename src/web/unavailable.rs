//! The answer when the database cannot serve (PostgreSQL down, a full disk): 503
//! `{"errors": {"database": "unavailable"}}` with `Retry-After`, and in the console a page
//! that says so in words. The public pages are served from memory and keep working.

use askama::Template;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

/// Marks a response made by [`response`], so that [`console_page`] can tell it from other 503s.
#[derive(Clone, Copy)]
struct DatabaseUnavailable;

/// Seconds a client is asked to wait before it tries again.
const RETRY_AFTER: &str = "5";

/// The API's answer (and the default one).
pub(super) fn response() -> Response {
    let mut resp = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, RETRY_AFTER)],
        Json(json!({ "errors": { "database": "unavailable" } })),
    )
        .into_response();
    resp.extensions_mut().insert(DatabaseUnavailable);
    resp
}

crate::render::i18n::labels!(
    /// The words of the console's page when the database cannot serve.
    Words, "console-unavailable", {
        title,
        heading,
        nothing_saved,
        page_keeps,
        try_again,
        back,
    }
);

#[derive(Template)]
#[template(path = "console/unavailable.html")]
struct Page {
    /// "Tangazo console", after the title.
    console: String,
    w: Words,
}

/// Console pages are read by people: there the answer becomes a page. The session itself is
/// in the database, so the page cannot show who is logged in.
pub(super) async fn console_page(
    State(state): State<super::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let console = req.uri().path().starts_with("/console");
    // In the staff member's language, as every console page.
    let loc = super::console::locale_of(&state, req.headers());
    let resp = next.run(req).await;
    if !console || resp.extensions().get::<DatabaseUnavailable>().is_none() {
        return resp;
    }
    let page = Page {
        console: loc.text("console-title"),
        w: Words::of(&loc),
    };
    match page.render() {
        Ok(page) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER)],
            Html(page),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render the unavailable page");
            resp
        }
    }
}
