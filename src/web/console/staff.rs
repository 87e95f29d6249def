//! The person at the console: the session every page but the login is opened with, read
//! from its cookie and checked against the role the route table gives the route, with the
//! results of earlier actions waiting to be shown. Its own file, so that the forms, the error
//! pages and the page frame can name it without importing the login's handlers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::HeaderMap;
use axum::http::header;
use axum::http::request::Parts;

use super::error::{Error, Result};
use super::page::{UserView, locale_of};
use crate::locale::Locale;
use crate::store::{Role, Session};
use crate::web::AppState;

pub(super) const SESSION_COOKIE: &str = "tangazo_session";

pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A logged-in person, and the results of earlier actions waiting to be shown (read on GET).
/// Without a session, the request is sent to the login page; with a role below the one the
/// route table gives the route ([`Needs`]), it is refused.
pub struct Staff(pub Session, Option<String>, Arc<Locale>);

/// The least role a route needs, as the route table ([`super::router`]) states it; set on the
/// request by the table, checked when the session is read.
#[derive(Clone, Copy)]
pub enum Needs {
    Role(Role),
    /// The role depends on the route's `{action}`.
    ByAction(fn(&str) -> Role),
}

impl Needs {
    /// The role this request needs. A route the table gives no role is for admins only, so
    /// that a route added without one is closed rather than open.
    async fn role(parts: &mut Parts, state: &AppState) -> Role {
        match parts.extensions.get::<Needs>().copied() {
            Some(Needs::Role(role)) => role,
            Some(Needs::ByAction(role)) => {
                // Decoded as the handler's `Path` decodes it, so both read the same action.
                let params = Path::<HashMap<String, String>>::from_request_parts(parts, state)
                    .await
                    .map(|Path(p)| p)
                    .unwrap_or_default();
                role(params.get("action").map_or("", String::as_str))
            }
            None => Role::Admin,
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/console");
            let next = if parts.method == axum::http::Method::GET {
                next
            } else {
                "/console"
            };
            Error::Login {
                next: next.to_string(),
            }
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match state.store.find_session(token, state.clock.now()).await {
            Ok(Some(s)) => {
                // Results wait for a page to show them, not for the next form.
                let flash = if s.has_flash && parts.method == axum::http::Method::GET {
                    take_flash(state, &s).await
                } else {
                    None
                };
                let staff = Staff(s, flash, locale_of(state, &parts.headers));
                staff.require(Needs::role(parts, state).await)?;
                Ok(staff)
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The results waiting for this session, as one line; a failure to read them only loses them.
async fn take_flash(state: &AppState, s: &Session) -> Option<String> {
    match state.store.take_flashes(&s.id, state.clock.now()).await {
        Ok(messages) if !messages.is_empty() => Some(messages.join(" ")),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "console: cannot read the results waiting for a session");
            None
        }
    }
}

impl Staff {
    pub fn actor(&self) -> String {
        format!("user:{}", self.0.user.email)
    }

    pub fn csrf(&self) -> &str {
        &self.0.csrf_token
    }

    /// The staff member's language: negotiated from `Accept-Language`, else the default.
    pub fn loc(&self) -> &Arc<Locale> {
        &self.2
    }

    /// The words of the page frame, in the staff member's language.
    pub fn frame(&self) -> super::page::Frame {
        super::page::Frame::of(&self.2)
    }

    /// The results of earlier actions, for the page being shown.
    pub fn flash(&self) -> Option<String> {
        self.1.clone()
    }

    fn require(&self, role: Role) -> Result<()> {
        if self.0.user.role >= role {
            Ok(())
        } else {
            tracing::warn!(user = %self.0.user.email, needed = role.as_str(), "console: role refused");
            Err(Error::Role {
                needed: role,
                has: self.0.user.role,
                loc: self.2.clone(),
            })
        }
    }
}

/// The person in a page's header.
pub fn user_view(s: &Staff) -> Option<UserView> {
    Some(UserView {
        email: s.0.user.email.clone(),
        role: s.0.user.role.as_str(),
    })
}
