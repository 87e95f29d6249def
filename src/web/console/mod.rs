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
//!
//! Layout: [`router`] is the route table, with the role each route needs; [`auth`] is who is
//! at the console (login, sessions, CSRF, throttle); [`error`] the one error type handlers
//! return with `?`; [`form`] the form body and post/redirect/get; [`page`] what every page
//! shares; then a module per resource ([`notices`], [`services`], [`subscribers`],
//! [`import`], [`audit`], [`billers`], [`tokens`]). Changes go through `web::api`, as the
//! API's do.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Router};

use super::AppState;
use crate::store::Role;

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
mod staff;
mod subscribers;
mod tokens;

use audit::audit;
pub use auth::LoginThrottle;
use auth::{change_password, login, login_form, logout, password_form};
use import::{import_form, import_upload};
use notices::actions::notice_action;
use notices::form::{create_notice, edit_form, edit_notice, new_notice, preview_form};
use notices::{dashboard, view_notice};
pub(super) use page::locale_of;
use services::{save_service, services};
use staff::Needs;
use subscribers::subscribers;

/// Every console route, with the least role it needs: the one place a role is stated. The
/// role is enforced where the session is read ([`staff::Staff`]), before the handler runs: a
/// person below it gets a 403 page naming both roles. The login form and the console's script
/// need no session.
pub fn router() -> Router<AppState> {
    use Role::{Admin, Editor, Publisher, Viewer};
    Router::new()
        .route("/console/login", get(login_form).post(login))
        .route("/console/static/form.js", get(form_js))
        .route("/console", only(Viewer, get(dashboard)))
        .route("/console/logout", only(Viewer, post(logout)))
        .route(
            "/console/password",
            only(Viewer, get(password_form).post(change_password)),
        )
        .route("/console/audit", only(Viewer, get(audit)))
        .route("/console/notices/new", only(Editor, get(new_notice)))
        .route("/console/notices", only(Editor, post(create_notice)))
        .route("/console/notices/preview", only(Editor, post(preview_form)))
        .route("/console/notices/{id}", only(Viewer, get(view_notice)))
        .route(
            "/console/notices/{id}/edit",
            only(Editor, get(edit_form).post(edit_notice)),
        )
        .route(
            "/console/notices/{id}/{action}",
            only(Publisher, post(notice_action)),
        )
        .route("/console/services", only(Viewer, get(services)))
        .route("/console/services/{code}", only(Admin, post(save_service)))
        .route("/console/subscribers", only(Viewer, get(subscribers)))
        .route(
            "/console/subscribers/import",
            only(Admin, get(import_form).post(import_upload))
                .layer(axum::extract::DefaultBodyLimit::max(256 * 1024 * 1024)),
        )
        .route("/console/billers", only(Viewer, get(billers::billers)))
        .route(
            "/console/billers",
            only(Admin, post(billers::create_biller)),
        )
        .route(
            "/console/billers/{id}/endpoints",
            only(Admin, post(billers::create_endpoint)),
        )
        .route(
            "/console/endpoints/{id}",
            only(Viewer, get(billers::endpoint)),
        )
        .route(
            "/console/endpoints/{id}/{action}",
            by_action(endpoint_action_role, post(billers::endpoint_action)),
        )
        .route("/console/tokens", only(Admin, get(tokens::tokens)))
        .route(
            "/console/tokens/{id}/revoke",
            only(Admin, post(tokens::revoke)),
        )
        .layer(axum::middleware::map_response(console_headers))
}

/// An endpoint's actions: sending a test, replaying and recovering deliveries are a
/// publisher's; changing the endpoint (rotate, disable, enable) and anything else an admin's.
fn endpoint_action_role(action: &str) -> Role {
    match action {
        "test" | "replay" | "recover" => Role::Publisher,
        _ => Role::Admin,
    }
}

/// `handlers`, for `role` and the roles above it.
fn only(role: Role, handlers: MethodRouter<AppState>) -> MethodRouter<AppState> {
    handlers.route_layer(Extension(Needs::Role(role)))
}

/// `handlers`, for the role its `{action}` needs.
fn by_action(role: fn(&str) -> Role, handlers: MethodRouter<AppState>) -> MethodRouter<AppState> {
    handlers.route_layer(Extension(Needs::ByAction(role)))
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
