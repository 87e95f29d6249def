//! The staff console: HTML forms for people under pressure (an outage at 3 am).
//!
//! Security: argon2id passwords with lockout, server-side sessions in HttpOnly SameSite=Strict
//! cookies (Secure when the public URL is https), a CSRF token in every form (the login form
//! uses a double-submit cookie, having no session yet), per-IP login throttling, redirects after
//! login only to console paths, and every action through the same code as the API, audited.
//!
//! Post/redirect/get: every action answers 303 to the page to show next, which says what was
//! done (a "flash" kept server-side for the session), so a reload shows the page again rather
//! than sending the form again. Every action form also carries a one-time token, claimed in
//! the database when its action runs: a replayed submission (a reload of an old answer, the
//! back button, a double click) finds it taken, is told "already done", and does nothing. A
//! notice's lifecycle forms claim it in the action's own transaction, and carry the notice's
//! `sequence` and last change as shown, so a form left open cannot act on a notice that has
//! changed since. The forms switch off the browser's restoring of typed values
//! (`autocomplete="off"`): a page that Back fetches again (`Cache-Control: no-store`) comes
//! back empty, with a fresh token, instead of filled in and ready to be sent a second time.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::AppState;

mod audit;
mod auth;
mod billers;
mod error;
mod form;
mod import;
mod notices;
mod page;
mod reach;
mod services;
mod subscribers;
mod tokens;

use audit::audit;
pub use auth::LoginThrottle;
use auth::{change_password, login, login_form, logout, password_form};
use import::{import_form, import_upload};
use notices::actions::notice_action;
use notices::form::{create_notice, edit_form, edit_notice, new_notice, preview_form};
use notices::{dashboard, view_notice};
use services::{save_service, services};
use subscribers::subscribers;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(dashboard))
        .route("/console/login", get(login_form).post(login))
        .route("/console/logout", post(logout))
        .route(
            "/console/password",
            get(password_form).post(change_password),
        )
        .route("/console/audit", get(audit))
        .route("/console/notices/new", get(new_notice))
        .route("/console/notices", post(create_notice))
        .route("/console/notices/preview", post(preview_form))
        .route("/console/notices/{id}", get(view_notice))
        .route(
            "/console/notices/{id}/edit",
            get(edit_form).post(edit_notice),
        )
        .route("/console/notices/{id}/{action}", post(notice_action))
        .route("/console/services", get(services))
        .route("/console/subscribers", get(subscribers))
        .route(
            "/console/subscribers/import",
            get(import_form)
                .post(import_upload)
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/console/services/{code}", post(save_service))
        .route(
            "/console/billers",
            get(billers::billers).post(billers::create_biller),
        )
        .route(
            "/console/billers/{id}/endpoints",
            post(billers::create_endpoint),
        )
        .route("/console/endpoints/{id}", get(billers::endpoint))
        .route(
            "/console/endpoints/{id}/{action}",
            post(billers::endpoint_action),
        )
        .route("/console/tokens", get(tokens::tokens))
        .route("/console/tokens/{id}/revoke", post(tokens::revoke))
        .route("/console/static/form.js", get(form_js))
        .layer(axum::middleware::map_response(console_headers))
}

/// Console pages may run their own script and talk to their own origin; nothing else.
async fn console_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

async fn form_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../../static/form.js"),
    )
        .into_response()
}
