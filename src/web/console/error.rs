//! The console's one error type: every way a console request ends before its page, each
//! answered as the console answers it, so that handlers use `?`.
//!
//! People read these answers, so most are pages in words. What comes from the layers below
//! (nothing has this id, a refused change, a fault) is answered as the API answers it, and a
//! database that cannot serve becomes the console's "unavailable" page on the way out (see
//! `web::unavailable`). A refusal the person can fix is not an error here: the handler shows
//! the form or page again with why, answered `Ok` with its status.

use std::collections::BTreeMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use std::sync::Arc;

use super::page::{Frame, UserView};
use crate::locale::{Arg, Locale};
use crate::store::{Role, StoreError};
use crate::web::AppError;

/// A console handler's result: a page, or an [`Error`] that answers for itself.
pub type Result<T = Response, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum Error {
    /// No session, or one that ended: to the login page, which comes back to `next`.
    Login { next: String },
    /// A state-changing form without the session's CSRF token (expired, or from elsewhere):
    /// 403, nothing done.
    Csrf(Arc<Locale>),
    /// The route needs a higher role than the person has: 403, naming both.
    Role {
        needed: Role,
        has: Role,
        loc: Arc<Locale>,
    },
    /// A form refused before anything was done, for no field the person could fix (it
    /// carries no one-time token): 400, with the store's reason.
    NotDone(String, Arc<Locale>),
    /// A form sent before (a reload, the back button, a second click): nothing is done again,
    /// and the browser goes back to `back`, whose page says so. The sentence is kept for that
    /// page by whoever found the replay (see [`super::form::claim_form`]).
    Replayed { back: String },
    /// From the layers below, answered as the API answers it.
    App(AppError),
}

impl From<AppError> for Error {
    fn from(e: AppError) -> Self {
        Error::App(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        Error::App(e.into())
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match self {
            Error::Login { next } => {
                Redirect::to(&format!("/console/login?next={}", urlencode(&next))).into_response()
            }
            Error::Csrf(loc) => {
                refused(&loc, StatusCode::FORBIDDEN, &loc.text("console-error-csrf"))
            }
            Error::Role { needed, has, loc } => refused(
                &loc,
                StatusCode::FORBIDDEN,
                &loc.format(
                    "console-error-role",
                    &[
                        ("needed", Arg::Str(needed.as_str())),
                        ("has", Arg::Str(has.as_str())),
                    ],
                ),
            ),
            Error::NotDone(message, loc) => refused(
                &loc,
                StatusCode::BAD_REQUEST,
                &loc.format("console-error-not-done", &[("message", Arg::Str(&message))]),
            ),
            Error::Replayed { back } => Redirect::to(&back).into_response(),
            Error::App(e) => e.into_response(),
        }
    }
}

/// The error page with `message`, in `loc`'s language, answered with `status`.
fn refused(loc: &Locale, status: StatusCode, message: &str) -> Response {
    (status, Html(page_error(loc, message))).into_response()
}

crate::render::i18n::labels!(
    /// The words of the error page.
    ErrorWords, "console-error", {
        title,
        back,
    }
);

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    t: Frame,
    w: ErrorWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    message: String,
}

fn page_error(loc: &Locale, message: &str) -> String {
    ErrorPage {
        t: Frame::of(loc),
        w: ErrorWords::of(loc),
        user: None,
        csrf: String::new(),
        flash: None,
        message: message.to_string(),
    }
    .render()
    .unwrap_or_default()
}

/// The fields a refusal names, for a form to show again beside them; any other error answers
/// for itself.
pub fn field_errors(e: AppError) -> Result<BTreeMap<String, String>> {
    match e {
        AppError::Invalid(_, errors) => Ok(errors),
        AppError::Conflict(field, message) => Ok(BTreeMap::from([(field, message)])),
        other => Err(other.into()),
    }
}

/// `s` as one component of a query string.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
