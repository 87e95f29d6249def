//! API tokens in the console, for admins: every token (never a secret, which is not stored)
//! and a revoke button behind a confirmation. The same store calls as `tangazo token list`
//! and `tangazo token revoke`, audited as the person who clicked.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};

use super::error::Result;
use super::form::Form;
use super::page::{UserView, face, html};
use super::staff::{Staff, user_view};
use crate::store::{ApiToken, StoreError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    tokens: Vec<TokenRow>,
}

struct TokenRow {
    id: String,
    name: String,
    /// The role, or the biller a biller's token belongs to.
    role: String,
    created: String,
    /// When it was revoked; `None` while it works.
    revoked: Option<String>,
}

/// `GET /console/tokens`; `?revoked=ID` after a revocation says which one.
pub async fn tokens(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<HashMap<String, String>>,
) -> Result {
    let done = q.get("revoked").map(String::as_str);
    page(&state, &staff, done, None, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    staff: &Staff,
    revoked: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result {
    let list = state.store.list_tokens().await?;
    // The message names the token from the database, never text from the address bar.
    let flash = revoked
        .and_then(|id| list.iter().find(|t| t.id == id && t.revoked_at.is_some()))
        .map(|t| format!("Token '{}' revoked: it no longer works.", t.name))
        .or_else(|| staff.flash());
    let f = face(state);
    let row = |t: &ApiToken| TokenRow {
        id: t.id.clone(),
        name: t.name.clone(),
        role: match &t.biller_id {
            Some(b) => format!("biller {b}"),
            None => t.role.as_str().to_string(),
        },
        created: f.instant(t.created_at),
        revoked: t.revoked_at.map(|at| f.instant(at)),
    };
    let page = TokensPage {
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        flash,
        error,
        tokens: list.iter().map(row).collect(),
    };
    Ok((status, html(page)).into_response())
}

/// `POST /console/tokens/{id}/revoke`: admins only, with the CSRF token and the ticked
/// confirmation; answers 303 to the list, which says what was done.
pub async fn revoke(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    body: Bytes,
) -> Result {
    let form = Form::parse(&body);
    staff.check_csrf(&form)?;
    let refused = |status, message: String| page(&state, &staff, None, Some(message), status);
    // The console names a token by its id only (the store would take a name too).
    if uuid::Uuid::parse_str(&id).is_err() {
        return refused(
            StatusCode::NOT_FOUND,
            format!("No token has the id '{id}'."),
        )
        .await;
    }
    if form.get("confirm") != "yes" {
        let m = "Tick the confirmation box: a revoked token stops working at once.";
        return refused(StatusCode::UNPROCESSABLE_ENTITY, m.into()).await;
    }
    match state
        .store
        .revoke_token(&id, &staff.actor(), state.clock.now())
        .await
    {
        Ok(t) => Ok(Redirect::to(&format!("/console/tokens?revoked={}", t.id)).into_response()),
        Err(StoreError::NotFound) => {
            refused(
                StatusCode::NOT_FOUND,
                format!("No token has the id '{id}'."),
            )
            .await
        }
        Err(StoreError::Conflict { message, .. }) => {
            refused(StatusCode::CONFLICT, format!("{message}.")).await
        }
        Err(e) => Err(e.into()),
    }
}
