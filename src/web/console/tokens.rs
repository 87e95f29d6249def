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
use super::page::{Frame, UserView, face, html};
use super::staff::{Staff, user_view};
use crate::locale::Arg;
use crate::store::{ApiToken, StoreError};
use crate::web::AppState;

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    t: Frame,
    w: TokensWords,
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    tokens: Vec<TokenRow>,
}

crate::render::i18n::labels!(
    /// The words of the tokens page.
    TokensWords, "console-tokens", {
        title,
        intro_before,
        intro_middle,
        intro_after,
        col_name,
        col_role,
        col_id,
        col_created,
        col_state,
        revoked,
        i_confirm,
        token,
        stops,
        revoke,
        empty,
    }
);

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
    let loc = staff.loc();
    // The message names the token from the database, never text from the address bar.
    let flash = revoked
        .and_then(|id| list.iter().find(|t| t.id == id && t.revoked_at.is_some()))
        .map(|t| {
            loc.format(
                "console-tokens-revoked-flash",
                &[("name", Arg::Str(&t.name))],
            )
        })
        .or_else(|| staff.flash());
    let f = face(state, loc);
    let row = |t: &ApiToken| TokenRow {
        id: t.id.clone(),
        name: t.name.clone(),
        role: match &t.biller_id {
            Some(b) => loc.format("console-tokens-biller", &[("biller", Arg::Str(b.as_ref()))]),
            None => t.role.as_str().to_string(),
        },
        created: f.instant(t.created_at),
        revoked: t.revoked_at.map(|at| f.instant(at)),
    };
    let page = TokensPage {
        t: staff.frame(),
        w: TokensWords::of(loc),
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
    let loc = staff.loc();
    let no_such = || loc.format("console-tokens-no-such", &[("id", Arg::Str(&id))]);
    if uuid::Uuid::parse_str(&id).is_err() {
        return refused(StatusCode::NOT_FOUND, no_such()).await;
    }
    if form.get("confirm") != "yes" {
        let m = loc.text("console-tokens-tick");
        return refused(StatusCode::UNPROCESSABLE_ENTITY, m).await;
    }
    match state
        .store
        .revoke_token(&id, &staff.actor(), state.clock.now())
        .await
    {
        Ok(t) => Ok(Redirect::to(&format!("/console/tokens?revoked={}", t.id)).into_response()),
        Err(StoreError::NotFound) => refused(StatusCode::NOT_FOUND, no_such()).await,
        Err(StoreError::Conflict { message, .. }) => {
            refused(StatusCode::CONFLICT, format!("{message}.")).await
        }
        Err(e) => Err(e.into()),
    }
}
