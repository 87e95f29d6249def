//! The console's forms: the parsed body, and post/redirect/get with one-time tokens (see the
//! module header of [`super`]).

use std::collections::BTreeMap;

use axum::response::{IntoResponse, Redirect, Response};

use super::error::{Error, Result};
use super::staff::Staff;
use crate::store::StoreError;
use crate::web::AppState;

/// A parsed `application/x-www-form-urlencoded` body, keeping repeated fields.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `{prefix}.{lang}` fields with text, as the API's language maps.
    pub fn localized(&self, prefix: &str) -> Option<BTreeMap<String, String>> {
        let map: BTreeMap<String, String> = self
            .0
            .iter()
            .filter_map(|(k, v)| {
                let lang = k.strip_prefix(prefix)?.strip_prefix('.')?;
                (!v.trim().is_empty()).then(|| (lang.to_string(), v.clone()))
            })
            .collect();
        (!map.is_empty()).then_some(map)
    }
}

// The CSRF check is the session's, but it reads a form: it lives here, beside `Form`, so that
// `staff` need not import the forms that import it.
impl Staff {
    /// Every state-changing form carries the session's token.
    pub fn check_csrf(&self, form: &Form) -> Result<()> {
        if crate::web::secrets_equal(form.get("csrf"), &self.0.csrf_token) {
            Ok(())
        } else {
            tracing::warn!(user = %self.0.user.email, "console: CSRF token missing or wrong");
            Err(Error::Csrf(self.loc().clone()))
        }
    }
}

/// Post/redirect/get: keeps `message` for the next page the session opens and sends the
/// browser there with a 303, so that a reload shows that page again instead of resending.
pub async fn done(state: &AppState, staff: &Staff, to: &str, message: &str) -> Response {
    keep(state, staff, message).await;
    Redirect::to(to).into_response()
}

/// Keeps `message` for the next page the session opens.
async fn keep(state: &AppState, staff: &Staff, message: &str) {
    if let Err(e) = state
        .store
        .push_flash(&staff.0.id, message, state.clock.now())
        .await
    {
        // The action is done; only its one-line result is lost.
        tracing::error!(error = %e, "console: cannot keep an action's result for the next page");
    }
}

/// A fresh one-time token for the action forms of one page.
pub fn form_token() -> String {
    crate::store::random_token(18)
}

/// Claims the form's one-time token (`once`) before a change that is not a notice's
/// lifecycle action (those claim in their own transaction). A replay goes back to `back`,
/// told it was already done; a form without a token is refused.
pub async fn claim_form(state: &AppState, staff: &Staff, form: &Form, back: &str) -> Result<()> {
    match state
        .store
        .claim_form(form.get("once"), state.clock.now())
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Replayed) => {
            tracing::info!(user = %staff.0.user.email, "console: replayed form refused");
            keep(state, staff, &staff.loc().text("console-already-done")).await;
            Err(Error::Replayed {
                back: back.to_string(),
            })
        }
        // Refused for another reason than a replay (no token), or a fault.
        Err(StoreError::Conflict { message, .. }) => {
            Err(Error::NotDone(message, staff.loc().clone()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Gives a claimed token back after its action was refused, so the corrected form can go.
pub async fn release_form(state: &AppState, form: &Form) {
    if let Err(e) = state.store.release_form(form.get("once")).await {
        tracing::warn!(error = %e, "console: cannot release a refused form's token");
    }
}
