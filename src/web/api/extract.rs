//! Who calls and what they sent: the bearer token (`Staff`, or `Caller` on the endpoints
//! routes, which a biller's own token reaches too), checked against the role the route table
//! states; and JSON bodies whose errors name the field.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::super::{AppError, AppState, Result};
use super::error::{body_too_large, not_yours};
use crate::domain::BillerId;
use crate::store::{ApiToken, Role};

/// The least role a route needs, as its row in the route table states it; the router puts it
/// in each request's extensions, and [`Staff`] and [`Caller`] check it.
#[derive(Clone, Copy)]
pub(crate) struct RouteRole(pub Role);

/// The role the matched route needs, if it needs one.
fn route_role(parts: &Parts) -> Option<Role> {
    parts.extensions.get::<RouteRole>().map(|r| r.0)
}

/// The caller, from `Authorization: Bearer …`, with at least the role of the route.
pub struct Staff(pub ApiToken);

impl Staff {
    pub fn require(&self, role: Role) -> Result<()> {
        if self.0.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {} role; token '{}' is {}",
                role.as_str(),
                self.0.name,
                self.0.role.as_str()
            )))
        }
    }

    pub fn actor(&self) -> String {
        format!("token:{}", self.0.name)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = token_of(parts, state).await?;
        if token.biller_id.is_some() {
            return Err(AppError::Forbidden(
                "a biller token reaches only /api/v1/endpoints".into(),
            ));
        }
        let staff = Staff(token);
        if let Some(role) = route_role(parts) {
            staff.require(role)?;
        }
        Ok(staff)
    }
}

/// `server.api_requests_per_minute` for each API token, kept per token id (tokens are few, and
/// only a live one gets an entry).
pub struct ApiLimiter {
    per_minute: u32,
    limiter: Option<governor::DefaultKeyedRateLimiter<String>>,
}

impl ApiLimiter {
    pub fn new(per_minute: u32) -> ApiLimiter {
        // A token may spend a minute's allowance at once; then one request comes back every
        // 60/N seconds.
        let limiter = std::num::NonZeroU32::new(per_minute)
            .map(|n| governor::RateLimiter::keyed(governor::Quota::per_minute(n)));
        ApiLimiter {
            per_minute,
            limiter,
        }
    }

    /// Counts one request of `token`, refusing it when the token is over its rate.
    fn check(&self, token: &ApiToken) -> Result<()> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&token.id).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(limiter.clock()));
            let retry_after = wait.as_secs() + 1;
            AppError::TooManyRequests {
                message: format!(
                    "token '{}' made more than {} requests a minute (server.api_requests_per_minute); retry in {retry_after} s",
                    token.name, self.per_minute
                ),
                retry_after,
            }
        })
    }
}

/// The live token in `Authorization: Bearer …`, staff's or a biller's, within its rate.
pub async fn token_of(parts: &Parts, state: &AppState) -> Result<ApiToken> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::Unauthorized("send Authorization: Bearer <token>".into()))?;
    let token = bearer_token(header).ok_or_else(|| {
        AppError::Unauthorized("the Authorization header must be 'Bearer <token>'".into())
    })?;
    let found = state.store.find_token(token).await?;
    let token = found.ok_or_else(|| AppError::Unauthorized("unknown or revoked token".into()))?;
    state.api_limiter.check(&token)?;
    Ok(token)
}

/// The token of an `Authorization` value of the Bearer scheme. A scheme name is
/// case-insensitive (RFC 9110 §11.1), and one or more spaces follow it (§11.4).
pub(super) fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// JSON body whose errors name the field (`serde_path_to_error`) instead of a generic 400.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => body_too_large(),
                _ => AppError::field("body", e.body_text()),
            })?;
        if !is_json {
            return Err(AppError::Invalid(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                BTreeMap::from([("body".into(), "send Content-Type: application/json".into())]),
            ));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let message = inner.to_string();
                let message = message
                    .split(" at line ")
                    .next()
                    .unwrap_or(&message)
                    .to_string();
                if inner.is_syntax() || inner.is_eof() {
                    return AppError::Invalid(
                        StatusCode::BAD_REQUEST,
                        BTreeMap::from([("body".into(), format!("not valid JSON: {message}"))]),
                    );
                }
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                let top = path == "." || path.is_empty();
                // serde names a missing field inside the message ("missing field `x`"), at the
                // path of the object that lacks it: the error goes under the field itself.
                if let Some(name) = message
                    .strip_prefix("missing field `")
                    .and_then(|r| r.split('`').next())
                {
                    let field = if top {
                        name.to_string()
                    } else {
                        format!("{path}.{name}")
                    };
                    return AppError::Invalid(
                        status,
                        BTreeMap::from([(field, "is required".to_string())]),
                    );
                }
                let field = if top {
                    // serde names the unknown field inside the message: "unknown field `x`, …".
                    message
                        .strip_prefix("unknown field `")
                        .and_then(|r| r.split('`').next())
                        .map(str::to_string)
                        .unwrap_or_else(|| "body".into())
                } else {
                    path
                };
                AppError::Invalid(status, BTreeMap::from([(field, message)]))
            })
    }
}

/// Reads an optional JSON body; an empty body means "no fields".
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self> {
        let empty = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .is_some_and(|v| v == "0")
            || (req
                .headers()
                .get(axum::http::header::CONTENT_TYPE)
                .is_none()
                && req
                    .headers()
                    .get(axum::http::header::CONTENT_LENGTH)
                    .is_none());
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        let ApiJson(v) = ApiJson::<T>::from_request(req, state).await?;
        Ok(OptionalJson(v))
    }
}

/// Who calls an endpoints route: staff, with at least the role of the route, or one biller
/// (whose token reaches its own endpoints only, whatever the route's role).
pub struct Caller(pub(super) ApiToken);

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = token_of(parts, state).await?;
        if token.biller_id.is_none()
            && let Some(role) = route_role(parts)
        {
            Staff(token.clone()).require(role)?;
        }
        Ok(Caller(token))
    }
}

impl Caller {
    pub(super) fn actor(&self) -> String {
        match &self.0.biller_id {
            Some(b) => format!("biller:{b}:token:{}", self.0.name),
            None => format!("token:{}", self.0.name),
        }
    }

    /// Staff reach every biller's things; a biller only its own (another's look absent).
    pub(super) fn reaches(&self, biller_id: &BillerId) -> Result<()> {
        match &self.0.biller_id {
            Some(own) if own != biller_id => Err(not_yours()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;
    use proptest::prelude::*;

    proptest! {
        /// "Bearer" in any case, then one or more spaces, then the token.
        #[test]
        fn the_scheme_is_case_insensitive(
            scheme in "[bB][eE][aA][rR][eE][rR]",
            gap in " {1,4}",
            token in "tgz_[A-Za-z0-9_-]{1,50}",
        ) {
            let header = format!("{scheme}{gap}{token}");
            prop_assert_eq!(bearer_token(&header), Some(token.as_str()));
        }

        /// Any other scheme, or no token, is not a bearer token.
        #[test]
        fn other_schemes_are_not_bearer(scheme in "[A-Za-z]{1,10}", token in "[A-Za-z0-9]{0,20}") {
            prop_assume!(!scheme.eq_ignore_ascii_case("bearer"));
            let other = format!("{scheme} {token}");
            let glued = format!("Bearer{token}");
            prop_assert_eq!(bearer_token(&other), None);
            prop_assert_eq!(bearer_token(&glued), None);
            prop_assert_eq!(bearer_token("Bearer "), None);
        }
    }
}
