//! Staff JSON API under `/api/v1`, authenticated by bearer tokens with roles.
//!
//! Request bodies are read into raw structs and parsed into domain types here, at the edge;
//! every problem is reported at once as `{"errors": {"field": "message"}}`.

use std::collections::BTreeMap;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::api_types::{
    ActionIn, AddressQuery, DeliveryReport, ExtendIn, NoticeList, NoticeOut, NoticeQuery,
    PostUpdateIn, PreviewIn, PreviewOut, RescheduleIn, SchemaIndex, SchemaLink, ServiceChanges,
    ServiceList, ServiceNew, ServiceOut, SubscriberExport, SubscriberIn, SubscriberOut,
};
pub(crate) use super::api_types::{AffectedIn, NoticeIn};
use super::{AppError, AppState, Result, billers};
use crate::domain::{
    Action, Affected, Event, FieldError, Lang, Localized, Notice, NoticeKind, NoticeState,
    Overrides, RefCode, Service, ServiceCode, ServiceStatus, Update, Window,
};
use crate::render::messages;
use crate::store::{ApiToken, Change, NewNotice, NoticeFilter, NoticePatch, Role};

pub const TITLE_MAX: usize = 120;
pub const STILL_WORKS_MAX: usize = 300;
pub const BODY_MAX: usize = 2000;
pub const NAME_MAX: usize = 60;
/// Room for an override in a few segments; the segment budget is the real limit.
pub const SMS_OVERRIDE_MAX: usize = 600;

/// One operation of the API: the router and the OpenAPI document are both built from the
/// same list, so the document cannot name a route that does not exist or miss one that does.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    /// The least role that may call it; `None` for public documents.
    pub role: Option<Role>,
    pub summary: &'static str,
    /// Whether it takes a JSON body (required or optional).
    pub body: Body,
    /// Success status.
    pub ok: u16,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    Optional,
    Required,
}

fn endpoints() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    use Body::{None as No, Optional, Required};
    let e = |method, path, role, summary, body, ok| Endpoint {
        method,
        path,
        role,
        summary,
        body,
        ok,
    };
    let viewer = Some(Role::Viewer);
    let editor = Some(Role::Editor);
    let publisher = Some(Role::Publisher);
    let admin = Some(Role::Admin);
    vec![
        (
            e(
                "get",
                "/services",
                viewer,
                "List services in page order",
                No,
                200,
            ),
            get(list_services),
        ),
        (
            e(
                "post",
                "/services",
                admin,
                "Create a service",
                Required,
                201,
            ),
            post(create_service),
        ),
        (
            e("get", "/services/{code}", viewer, "One service", No, 200),
            get(get_service),
        ),
        (
            e(
                "patch",
                "/services/{code}",
                admin,
                "Change a service's name, group, position or status",
                Required,
                200,
            ),
            patch(edit_service),
        ),
        (
            e(
                "delete",
                "/services/{code}",
                admin,
                "Delete a service no notice names",
                No,
                204,
            ),
            delete(delete_service),
        ),
        (
            e(
                "get",
                "/notices",
                viewer,
                "List notices (filters: kind, state, service, from, to, limit)",
                No,
                200,
            ),
            get(list_notices),
        ),
        (
            e(
                "post",
                "/notices",
                editor,
                "Create a draft (publisher role with \"publish\": true)",
                Required,
                201,
            ),
            post(create_notice),
        ),
        (
            e(
                "get",
                "/notices/{id}",
                viewer,
                "One notice with its timeline; {id} may be the reference code",
                No,
                200,
            ),
            get(get_notice),
        ),
        (
            e(
                "patch",
                "/notices/{id}",
                editor,
                "Edit a draft",
                Required,
                200,
            ),
            patch(edit_notice),
        ),
        (
            e(
                "post",
                "/notices/{id}/publish",
                publisher,
                "Publish a draft",
                Optional,
                200,
            ),
            post(publish),
        ),
        (
            e(
                "post",
                "/notices/{id}/start",
                publisher,
                "Start a scheduled window now",
                Optional,
                200,
            ),
            post(start),
        ),
        (
            e(
                "post",
                "/notices/{id}/extend",
                publisher,
                "Move the end of a window later (ends_at)",
                Required,
                200,
            ),
            post(extend),
        ),
        (
            e(
                "post",
                "/notices/{id}/reschedule",
                publisher,
                "Move a window that has not started (starts_at, ends_at)",
                Required,
                200,
            ),
            post(reschedule),
        ),
        (
            e(
                "post",
                "/notices/{id}/complete",
                publisher,
                "Complete a window or resolve an incident",
                Optional,
                200,
            ),
            post(complete),
        ),
        (
            e(
                "post",
                "/notices/{id}/cancel",
                publisher,
                "Cancel a window (or discard a draft)",
                Optional,
                200,
            ),
            post(cancel),
        ),
        (
            e(
                "post",
                "/notices/{id}/updates",
                publisher,
                "Post a timeline update (body, optional status)",
                Required,
                200,
            ),
            post(post_update),
        ),
        (
            e("get", "/billers", viewer, "List billers", No, 200),
            get(billers::list_billers),
        ),
        (
            e(
                "post",
                "/billers",
                admin,
                "Create a biller (name, contact_email)",
                Required,
                201,
            ),
            post(billers::create_biller),
        ),
        (
            e(
                "post",
                "/billers/{id}/tokens",
                admin,
                "Create a biller's own API token (shown once); it reaches only that biller's endpoints",
                Required,
                201,
            ),
            post(billers::create_biller_token),
        ),
        (
            e(
                "get",
                "/endpoints",
                viewer,
                "List webhook endpoints (a biller token: its own; staff: all, or ?biller_id=)",
                No,
                200,
            ),
            get(billers::list_endpoints),
        ),
        (
            e(
                "post",
                "/endpoints",
                admin,
                "Create a webhook endpoint (url, description, event_types, services, rate_limit, contact_email, ed25519); returns its whsec_ secret once. Staff give biller_id; a biller token creates its own",
                Required,
                201,
            ),
            post(billers::create_endpoint),
        ),
        (
            e(
                "get",
                "/endpoints/{id}",
                viewer,
                "One endpoint (never its secret)",
                No,
                200,
            ),
            get(billers::get_endpoint),
        ),
        (
            e(
                "patch",
                "/endpoints/{id}",
                admin,
                "Change an endpoint's settings",
                Required,
                200,
            ),
            patch(billers::patch_endpoint),
        ),
        (
            e(
                "delete",
                "/endpoints/{id}",
                admin,
                "Delete an endpoint and its queued deliveries",
                No,
                204,
            ),
            delete(billers::delete_endpoint),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/rotate-secret",
                admin,
                "New secret (shown once); the old one keeps signing too for webhook.secret_overlap_hours",
                No,
                200,
            ),
            post(billers::rotate_secret),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/test",
                publisher,
                "Send a signed test.ping now and show the answer",
                No,
                200,
            ),
            post(billers::test_endpoint),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/disable",
                admin,
                "Stop sending (optional reason); deliveries wait",
                Optional,
                200,
            ),
            post(billers::disable_endpoint),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/enable",
                admin,
                "Send again; {\"replay\": true} queues every update published while it was disabled",
                Optional,
                200,
            ),
            post(billers::enable_endpoint),
        ),
        (
            e(
                "get",
                "/endpoints/{id}/deliveries",
                viewer,
                "Newest deliveries to the endpoint (?state=pending|sent|failed)",
                No,
                200,
            ),
            get(billers::endpoint_deliveries),
        ),
        (
            e(
                "get",
                "/endpoints/{id}/deliveries/{delivery}/attempts",
                viewer,
                "Every attempt at one delivery: time, status, latency, first KB of the answer, error",
                No,
                200,
            ),
            get(billers::delivery_attempts),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/deliveries/{delivery}/replay",
                publisher,
                "Send one delivery again now",
                No,
                200,
            ),
            post(billers::replay_delivery),
        ),
        (
            e(
                "post",
                "/endpoints/{id}/recover",
                publisher,
                "Send again every failed delivery created since a time ({\"since\": …})",
                Required,
                200,
            ),
            post(billers::recover),
        ),
        (
            e(
                "get",
                "/notices/{id}/deliveries",
                viewer,
                "Delivery progress per update and channel (sent, pending, failed, superseded), an ETA, and recent failures",
                No,
                200,
            ),
            get(notice_deliveries),
        ),
        (
            e(
                "post",
                "/notices/{id}/preview",
                editor,
                "Every channel and language of the next or a named message",
                Optional,
                200,
            ),
            post(preview_notice),
        ),
        (
            e(
                "post",
                "/notices/preview",
                editor,
                "Preview a notice that is not saved",
                Required,
                200,
            ),
            post(preview_unsaved),
        ),
        (
            e("get", "/schemas", None, "Webhook payload schemas", No, 200),
            get(schema_index),
        ),
        (
            e(
                "get",
                "/schemas/{file}",
                None,
                "JSON Schema of one webhook event type ({type}.json)",
                No,
                200,
            ),
            get(schema),
        ),
        (
            e("get", "/openapi.json", None, "This document", No, 200),
            get(openapi),
        ),
        (
            e(
                "post",
                "/subscribers",
                admin,
                "Add a subscriber whose consent you hold (confirmed at once)",
                Required,
                201,
            ),
            post(add_subscriber),
        ),
        (
            e(
                "get",
                "/subscribers",
                viewer,
                "Find one subscriber by exact address (?address=)",
                No,
                200,
            ),
            get(find_subscriber),
        ),
        (
            e(
                "get",
                "/subscribers/export",
                admin,
                "Everything stored about one subscriber (?address=)",
                No,
                200,
            ),
            get(export_subscriber),
        ),
        (
            e(
                "delete",
                "/subscribers",
                admin,
                "Erase one subscriber (?address=)",
                No,
                204,
            ),
            delete(erase_subscriber),
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Subscribers (staff)

fn parse_address(
    state: &AppState,
    field: &str,
    raw: &str,
) -> Result<crate::domain::subscriber::Address> {
    let s = &state.settings.raw.subscribers;
    crate::domain::subscriber::Address::parse(
        raw,
        &s.default_country,
        &state.settings.allowed_countries,
    )
    .map_err(|m| AppError::field(field, m))
}

fn subscriber_json(s: &crate::store::Subscriber) -> SubscriberOut {
    s.into()
}

async fn add_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<SubscriberIn>,
) -> Result<Response> {
    staff.require(Role::Admin)?;
    let mut errors = Errors::default();
    let address = match input.address.as_deref() {
        Some(raw) => match parse_address(&state, "address", raw) {
            Ok(a) => Some(a),
            Err(AppError::Invalid(_, m)) => {
                errors
                    .0
                    .extend(m.into_iter().map(|(f, m)| FieldError::new(f, m)));
                None
            }
            Err(e) => return Err(e),
        },
        None => {
            errors.add("address", "is required: a phone number or email address");
            None
        }
    };
    let language = match input.language.as_deref() {
        None => Some(state.settings.default_lang()),
        Some(raw) => match Lang::parse(raw).filter(|l| state.settings.languages.contains(l)) {
            Some(l) => Some(l),
            None => {
                errors.add(
                    "language",
                    format!("'{raw}' is not a language of this page"),
                );
                None
            }
        },
    };
    if input.consent != Some(true) {
        errors.add(
            "consent",
            "must be true: add only people who asked for these notices",
        );
    }
    let snapshot = state.snapshot.load();
    let mut services = Vec::new();
    for (i, raw) in input.services.iter().flatten().enumerate() {
        match ServiceCode::parse(raw) {
            Ok(c) if snapshot.data().services.iter().any(|s| s.code == c) => services.push(c),
            _ => errors.add(format!("services[{i}]"), format!("no service '{raw}'")),
        }
    }
    errors.check()?;
    let now = state.clock.now();
    let signup = state
        .store
        .subscribe(
            &crate::store::NewSubscriber {
                address: address.expect("checked"),
                language: language.expect("checked"),
                services: (!services.is_empty()).then_some(services),
                source: "api",
                confirmed: true,
                expires_at: now,
            },
            now,
        )
        .await?;
    audit_subscriber(
        &state,
        &staff,
        "subscriber.add",
        &signup.subscriber.id,
        signup.subscriber.address.channel.as_str().to_string(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(subscriber_json(&signup.subscriber)),
    )
        .into_response())
}

async fn lookup(state: &AppState, q: AddressQuery) -> Result<crate::store::Subscriber> {
    let raw = q.address.ok_or_else(|| {
        AppError::field(
            "address",
            "is required: the exact phone number or email address",
        )
    })?;
    let address = parse_address(state, "address", &raw)?;
    state.store.find_subscriber(&address).await?.ok_or_else(|| {
        AppError::NotFound("address".into(), format!("no subscriber {}", address.value))
    })
}

async fn find_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result<Json<SubscriberOut>> {
    staff.require(Role::Viewer)?;
    Ok(Json(subscriber_json(&lookup(&state, q).await?)))
}

/// Audits a staff action on one subscriber by id (the log never holds addresses).
async fn audit_subscriber(
    state: &AppState,
    staff: &Staff,
    action: &str,
    id: &str,
    detail: String,
) -> Result<()> {
    let actor = staff.actor();
    let entry = crate::store::Audit {
        actor: &actor,
        action,
        target: format!("subscriber:{id}"),
        before: None,
        after: None,
        detail,
    };
    state.store.audit(entry, state.clock.now()).await?;
    Ok(())
}

/// Everything stored about one person (GDPR-style access request).
async fn export_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result<Json<SubscriberExport>> {
    staff.require(Role::Admin)?;
    let s = lookup(&state, q).await?;
    audit_subscriber(&state, &staff, "subscriber.export", &s.id, String::new()).await?;
    Ok(Json(SubscriberExport {
        subscriber: subscriber_json(&s),
        note: "Tangazo stores the address, language, services followed, consent source and the times above. Confirmation counters keep only a hash of the address.".into(),
    }))
}

/// Erases a subscriber; the audit log keeps the id, never the address.
async fn erase_subscriber(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Result<StatusCode> {
    staff.require(Role::Admin)?;
    let s = lookup(&state, q).await?;
    state.store.erase_subscriber(&s.id).await?;
    audit_subscriber(&state, &staff, "subscriber.erase", &s.id, String::new()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The most a request body under `/api/v1` may hold.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The 413 for a body over [`BODY_LIMIT`], saying the limit in words.
pub(crate) fn body_too_large() -> AppError {
    AppError::Invalid(
        StatusCode::PAYLOAD_TOO_LARGE,
        BTreeMap::from([(
            "body".into(),
            format!("is larger than {BODY_LIMIT} bytes (2 MiB), the most this API accepts"),
        )]),
    )
}

pub fn router(state: &AppState) -> Router<AppState> {
    endpoints()
        .into_iter()
        .fold(Router::new(), |r, (e, m)| r.route(e.path, m))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::idempotency::layer,
        ))
        .fallback(|| async {
            AppError::NotFound(
                "path".into(),
                "no such API route; see /api/v1/openapi.json".into(),
            )
        })
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(errors_as_json))
}

/// What axum answers by itself (a 405, a query string that does not parse) is plain text or
/// empty; every API error is `{"errors": {field: message}}`, so those are rewritten so.
async fn errors_as_json(req: Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let (field, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method",
            format!("{method} is not allowed on this path; see /api/v1/openapi.json"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => return body_too_large().into_response(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("Content-Type", text),
        _ if text.is_empty() => (
            "request",
            status.canonical_reason().unwrap_or("refused").to_string(),
        ),
        _ => ("request", text),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let json = Json(json!({ "errors": { field: message } }));
    let mut out = (status, json).into_response();
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// The endpoints without their handlers, for the OpenAPI document and its test.
pub fn endpoint_list() -> Vec<Endpoint> {
    endpoints().into_iter().map(|(e, _)| e).collect()
}

/// OpenAPI 3.1 description of `/api/v1` at `server`, for a page in `languages`.
pub fn openapi_document(server: &str, languages: &[Lang]) -> Value {
    super::api_doc::document(&endpoint_list(), server, languages)
}

async fn openapi(State(state): State<AppState>) -> Json<Value> {
    Json(openapi_document(
        &state.settings.public_url,
        &state.settings.languages,
    ))
}

// ---------------------------------------------------------------------------------------------
// Authentication and body parsing

/// The caller, from `Authorization: Bearer …`.
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
        Ok(Staff(token))
    }
}

/// The live token in `Authorization: Bearer …`, staff's or a biller's.
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
    found.ok_or_else(|| AppError::Unauthorized("unknown or revoked token".into()))
}

/// The token of an `Authorization` value of the Bearer scheme. A scheme name is
/// case-insensitive (RFC 9110 §11.1), and one or more spaces follow it (§11.4).
fn bearer_token(header: &str) -> Option<&str> {
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

/// Collects field errors so a request learns about every problem at once.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    fn take<T>(&mut self, r: std::result::Result<T, Vec<FieldError>>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(mut e) => {
                self.0.append(&mut e);
                None
            }
        }
    }

    fn check(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::fields(self.0))
        }
    }
}

/// [`parse_time`] for other web modules.
pub(crate) fn parse_time_public(
    state: &AppState,
    field: &str,
    raw: &str,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    parse_time(state, field, raw)
}

/// RFC 3339, or a local time in the page's zone ("2026-04-18T23:00").
fn parse_time(
    state: &AppState,
    field: &str,
    raw: &str,
) -> std::result::Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(raw, fmt) {
            return state
                .settings
                .time_zone
                .from_local_datetime(&naive)
                .single()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| {
                    FieldError::new(
                        field,
                        format!(
                            "'{raw}' does not exist or is ambiguous in {}",
                            state.settings.time_zone.name()
                        ),
                    )
                });
        }
    }
    Err(FieldError::new(
        field,
        format!(
            "'{}' is not a time; use RFC 3339 such as 2026-04-18T23:00:00+03:00, or 2026-04-18T23:00 in {}",
            raw.chars().take(40).collect::<String>(),
            state.settings.time_zone.name()
        ),
    ))
}

fn localized(
    state: &AppState,
    errors: &mut Errors,
    field: &str,
    raw: &BTreeMap<String, String>,
    required: bool,
    max: usize,
) -> Option<Localized> {
    errors.take(Localized::parse(
        field,
        raw,
        &state.settings.languages,
        required,
        max,
    ))
}

// ---------------------------------------------------------------------------------------------
// Services

fn service_json(s: &Service) -> ServiceOut {
    s.into()
}

/// A new service has the fields of a change, some of them required (checked in `apply`).
impl From<ServiceNew> for ServiceChanges {
    fn from(n: ServiceNew) -> Self {
        ServiceChanges {
            code: n.code,
            name: n.name,
            description: n.description,
            group: n.group,
            position: n.position,
            status: n.status,
        }
    }
}

impl ServiceChanges {
    /// Applies the given fields onto `base` (a new or an existing service).
    fn apply(self, state: &AppState, mut base: Service, creating: bool) -> Result<Service> {
        let mut errors = Errors::default();
        if creating {
            match self.code.as_deref().map(ServiceCode::parse) {
                Some(Ok(c)) => base.code = c,
                Some(Err(m)) => errors.add("code", m),
                None => errors.add("code", "is required"),
            }
        } else if self
            .code
            .as_deref()
            .is_some_and(|c| c != base.code.as_str())
        {
            errors.add(
                "code",
                "cannot change; a service code is stable (create a new service instead)",
            );
        }
        match self.name {
            Some(raw) => {
                if let Some(n) = localized(state, &mut errors, "name", &raw, true, NAME_MAX) {
                    base.name = n;
                }
            }
            None if creating => errors.add(
                format!("name.{}", state.settings.default_lang()),
                "is required",
            ),
            None => {}
        }
        if let Some(raw) = self.description
            && let Some(d) = localized(state, &mut errors, "description", &raw, false, 300)
        {
            base.description = d;
        }
        match self.group.as_deref().map(str::trim) {
            Some("") => errors.add("group", "must not be empty"),
            Some(g) if g.chars().count() > NAME_MAX => {
                errors.add("group", format!("at most {NAME_MAX} characters"))
            }
            Some(g) => match crate::domain::text::check_visible("group", g) {
                Ok(()) => base.group = g.to_string(),
                Err(e) => errors.0.push(e),
            },
            None if creating => errors.add("group", "is required (e.g. Payments)"),
            None => {}
        }
        if let Some(p) = self.position {
            if !(0..=10_000).contains(&p) {
                errors.add("position", "must be between 0 and 10000");
            }
            base.position = p;
        }
        if let Some(s) = self.status {
            match ServiceStatus::parse(&s) {
                Ok(s) => base.status = s,
                Err(m) => errors.add("status", m),
            }
        }
        errors.check()?;
        Ok(base)
    }
}

async fn list_services(State(state): State<AppState>, staff: Staff) -> Result<Json<ServiceList>> {
    staff.require(Role::Viewer)?;
    let list = state.store.list_services().await?;
    Ok(Json(ServiceList {
        services: list.iter().map(service_json).collect(),
    }))
}

fn parse_code(raw: &str) -> Result<ServiceCode> {
    ServiceCode::parse(raw)
        .map_err(|_| AppError::NotFound("service".into(), format!("no service '{raw}'")))
}

async fn get_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<Json<ServiceOut>> {
    staff.require(Role::Viewer)?;
    let s = state
        .store
        .get_service(&parse_code(&code)?)
        .await
        .map_err(|e| not_found(e, "service", &code))?;
    Ok(Json(service_json(&s)))
}

async fn create_service(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<ServiceNew>,
) -> Result<Response> {
    staff.require(Role::Admin)?;
    let now = state.clock.now();
    let position = match input.position {
        Some(_) => 0,
        None => state
            .store
            .list_services()
            .await?
            .iter()
            .map(|s| s.position + 1)
            .max()
            .unwrap_or(0),
    };
    let blank = Service {
        code: ServiceCode::parse("placeholder").expect("valid"),
        name: Localized::default(),
        description: Localized::default(),
        group: String::new(),
        position,
        status: ServiceStatus::Operational,
        created_at: now,
        updated_at: now,
    };
    let s = ServiceChanges::from(input).apply(&state, blank, true)?;
    state.store.insert_service(&s, &staff.actor()).await?;
    state.publish_changes().await;
    Ok((StatusCode::CREATED, Json(service_json(&s))).into_response())
}

async fn edit_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<ServiceChanges>,
) -> Result<Json<ServiceOut>> {
    staff.require(Role::Admin)?;
    let s = update_service(&state, &staff.actor(), &code, input).await?;
    Ok(Json(service_json(&s)))
}

async fn update_service(
    state: &AppState,
    actor: &str,
    code: &str,
    input: ServiceChanges,
) -> Result<Service> {
    let current = state
        .store
        .get_service(&parse_code(code)?)
        .await
        .map_err(|e| not_found(e, "service", code))?;
    let mut s = input.apply(state, current, false)?;
    s.updated_at = state.clock.now();
    state.store.update_service(&s, actor).await?;
    state.publish_changes().await;
    Ok(s)
}

/// The console's service row: the fields a form can change.
pub(crate) struct ServicePatch {
    pub(crate) name: Option<BTreeMap<String, String>>,
    pub(crate) group: Option<String>,
    pub(crate) position: Option<i64>,
    pub(crate) status: Option<String>,
}

/// Saves a service edit from the console through the API's checks.
pub(crate) async fn save_service(
    state: &AppState,
    actor: &str,
    code: &str,
    p: ServicePatch,
) -> Result<Service> {
    let input = ServiceChanges {
        code: None,
        name: p.name,
        description: None,
        group: p.group,
        position: p.position,
        status: p.status,
    };
    update_service(state, actor, code, input).await
}

async fn delete_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
) -> Result<StatusCode> {
    staff.require(Role::Admin)?;
    state
        .store
        .delete_service(&parse_code(&code)?, &staff.actor(), state.clock.now())
        .await
        .map_err(|e| not_found(e, "service", &code))?;
    state.publish_changes().await;
    Ok(StatusCode::NO_CONTENT)
}

async fn notice_or_404(state: &AppState, id: &str) -> Result<Notice> {
    state
        .store
        .get_notice(id)
        .await
        .map_err(|e| not_found(e, "notice", id))
}

fn not_found(e: crate::store::StoreError, what: &str, key: &str) -> AppError {
    match e {
        crate::store::StoreError::NotFound => AppError::NotFound(
            what.into(),
            format!("no {what} '{}'", key.chars().take(60).collect::<String>()),
        ),
        other => other.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Notices

fn notice_json(state: &AppState, n: &Notice, updates: Option<&[Update]>) -> NoticeOut {
    let out = NoticeOut::new(n, &state.settings.public_url, state.clock.now());
    match updates {
        Some(u) => out.with_updates(u),
        None => out,
    }
}

async fn parse_affected(
    state: &AppState,
    errors: &mut Errors,
    kind: NoticeKind,
    raw: Vec<AffectedIn>,
) -> Result<Vec<Affected>> {
    let known: Vec<ServiceCode> = state
        .store
        .list_services()
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    let mut out: Vec<Affected> = Vec::new();
    for (i, a) in raw.into_iter().enumerate() {
        let service = match ServiceCode::parse(&a.service) {
            Ok(c) if known.contains(&c) => c,
            Ok(c) => {
                errors.add(
                    format!("affected[{i}].service"),
                    format!("no service '{c}'"),
                );
                continue;
            }
            Err(m) => {
                errors.add(format!("affected[{i}].service"), m);
                continue;
            }
        };
        if out.iter().any(|o| o.service == service) {
            errors.add(
                format!("affected[{i}].service"),
                format!("'{service}' is listed twice"),
            );
            continue;
        }
        let impact = match a.impact.as_deref() {
            None => match kind {
                NoticeKind::Maintenance => ServiceStatus::UnderMaintenance,
                NoticeKind::Incident => ServiceStatus::PartialOutage,
            },
            Some(raw) => match ServiceStatus::parse(raw) {
                Ok(ServiceStatus::Operational) => {
                    errors.add(
                        format!("affected[{i}].impact"),
                        "an affected service cannot be operational; leave it out",
                    );
                    continue;
                }
                Ok(s) => s,
                Err(m) => {
                    errors.add(format!("affected[{i}].impact"), m);
                    continue;
                }
            },
        };
        out.push(Affected { service, impact });
    }
    Ok(out)
}

/// Parses a new notice, reporting every problem at once.
pub(crate) async fn parse_new_notice(state: &AppState, input: NoticeIn) -> Result<NewNotice> {
    let now = state.clock.now();
    let mut errors = Errors::default();
    // With no valid kind, the checks that depend on it are skipped: one error, not five.
    let kind = match input.kind.as_deref().map(NoticeKind::parse) {
        Some(Ok(k)) => Some(k),
        Some(Err(m)) => {
            errors.add("kind", m);
            None
        }
        None => {
            errors.add("kind", "is required: maintenance or incident");
            None
        }
    };
    let title = match &input.title {
        Some(raw) => localized(state, &mut errors, "title", raw, true, TITLE_MAX),
        None => {
            errors.add(
                format!("title.{}", state.settings.default_lang()),
                "is required",
            );
            None
        }
    };
    let still_works = localized(
        state,
        &mut errors,
        "still_works",
        &input.still_works.unwrap_or_default(),
        false,
        STILL_WORKS_MAX,
    );
    let body = localized(
        state,
        &mut errors,
        "body",
        &input.body.unwrap_or_default(),
        false,
        BODY_MAX,
    );
    let draft_overrides =
        parse_overrides(state, &mut errors, input.sms.as_ref(), input.email.as_ref());
    let affected = parse_affected(
        state,
        &mut errors,
        kind.unwrap_or(NoticeKind::Maintenance),
        input.affected.unwrap_or_default(),
    )
    .await?;
    let starts_at = input
        .starts_at
        .as_deref()
        .map(|r| parse_time(state, "starts_at", r));
    let ends_at = input
        .ends_at
        .as_deref()
        .map(|r| parse_time(state, "ends_at", r));
    let (mut start, mut end) = (None, None);
    for (slot, parsed) in [(&mut start, starts_at), (&mut end, ends_at)] {
        match parsed {
            Some(Ok(t)) => *slot = Some(t),
            Some(Err(e)) => errors.0.push(e),
            None => {}
        }
    }
    match kind {
        None => {}
        Some(NoticeKind::Maintenance) => {
            if input.starts_at.is_none() {
                errors.add("starts_at", "is required for maintenance");
            }
            if input.ends_at.is_none() {
                errors.add("ends_at", "is required for maintenance");
            }
            if let (Some(s), Some(e)) = (start, end) {
                match Window::new(s, e, state.settings.raw.notice.max_window_hours) {
                    Err((f, m)) => errors.add(f, m),
                    Ok(_) if e <= now => errors.add("ends_at", "is in the past; check the date"),
                    Ok(_) => {}
                }
            }
            if affected.is_empty() && !errors.0.iter().any(|e| e.field.starts_with("affected")) {
                errors.add(
                    "affected",
                    "name at least one service the window takes down",
                );
            }
        }
        Some(NoticeKind::Incident) => {
            if input.ends_at.is_some() {
                errors.add(
                    "ends_at",
                    "an incident ends when it is resolved; leave ends_at out",
                );
            }
            if start.is_some_and(|s| s > now) {
                errors.add(
                    "starts_at",
                    "an incident cannot start in the future; plan maintenance instead",
                );
            }
        }
    }
    errors.check()?;
    let new = NewNotice {
        kind: kind.expect("checked"),
        title: title.expect("checked"),
        still_works: still_works.unwrap_or_default(),
        draft_body: body.unwrap_or_default(),
        draft_overrides: draft_overrides.unwrap_or_default(),
        affected,
        starts_at: start,
        ends_at: end,
        auto_start: input.auto_start.unwrap_or(true),
        auto_complete: input.auto_complete.unwrap_or(false),
    };
    Ok(new)
}

async fn create_notice(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<NoticeIn>,
) -> Result<Response> {
    staff.require(if input.publish {
        Role::Publisher
    } else {
        Role::Editor
    })?;
    let publish = input.publish;
    let new = parse_new_notice(&state, input).await?;
    let actor = staff.actor();
    // Created and published in one transaction: a refused publication leaves no draft.
    let notice = if publish {
        let subject = Subject::New(&new);
        run_on(&state, &actor, subject, Action::Publish, None, None)
            .await?
            .notice
    } else {
        state
            .store
            .create_notice(&new, &actor, state.clock.now())
            .await?
    };
    let updates = state.store.get_updates(&notice.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(notice_json(&state, &notice, Some(&updates))),
    )
        .into_response())
}

async fn edit_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NoticeIn>,
) -> Result<Json<NoticeOut>> {
    staff.require(Role::Editor)?;
    let current = notice_or_404(&state, &id).await?;
    let mut errors = Errors::default();
    if input
        .kind
        .as_deref()
        .is_some_and(|k| k != current.kind.as_str())
    {
        errors.add("kind", "cannot change; create a new notice");
    }
    if input.publish {
        errors.add("publish", "use POST /api/v1/notices/{id}/publish");
    }
    let mut patch = NoticePatch {
        auto_start: input.auto_start,
        auto_complete: input.auto_complete,
        ..NoticePatch::default()
    };
    if let Some(raw) = &input.title {
        patch.title = localized(&state, &mut errors, "title", raw, true, TITLE_MAX);
    }
    if let Some(raw) = &input.still_works {
        patch.still_works = localized(
            &state,
            &mut errors,
            "still_works",
            raw,
            false,
            STILL_WORKS_MAX,
        );
    }
    if let Some(raw) = &input.body {
        patch.draft_body = localized(&state, &mut errors, "body", raw, false, BODY_MAX);
    }
    if let Some(mut o) = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    ) {
        // A PATCH that names only one channel keeps the other as it was.
        if input.sms.is_none() {
            o.sms = current.draft_overrides.sms.clone();
        }
        if input.email.is_none() {
            o.email = current.draft_overrides.email.clone();
        }
        patch.draft_overrides = Some(o);
    }
    if let Some(raw) = input.affected {
        patch.affected = Some(parse_affected(&state, &mut errors, current.kind, raw).await?);
    }
    if let Some(raw) = &input.starts_at {
        match parse_time(&state, "starts_at", raw) {
            Ok(t) => patch.starts_at = Some(t),
            Err(e) => errors.0.push(e),
        }
    }
    if let Some(raw) = &input.ends_at {
        match parse_time(&state, "ends_at", raw) {
            Ok(t) if current.kind == NoticeKind::Incident => {
                let _ = t;
                errors.add("ends_at", "an incident ends when it is resolved");
            }
            Ok(t) => patch.ends_at = Some(t),
            Err(e) => errors.0.push(e),
        }
    }
    errors.check()?;
    let n = state
        .store
        .edit_draft(
            &id,
            &patch,
            &staff.actor(),
            state.clock.now(),
            state.settings.raw.notice.max_window_hours,
        )
        .await?;
    Ok(Json(notice_json(&state, &n, None)))
}

async fn list_notices(
    State(state): State<AppState>,
    staff: Staff,
    query: std::result::Result<Query<NoticeQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<NoticeList>> {
    staff.require(Role::Viewer)?;
    let Query(q) = query.map_err(|e| AppError::field("query", e.body_text()))?;
    let mut errors = Errors::default();
    let mut filter = NoticeFilter {
        limit: q.limit.unwrap_or(100),
        ..NoticeFilter::default()
    };
    if !(1..=500).contains(&filter.limit) {
        errors.add("limit", "must be between 1 and 500");
    }
    if let Some(k) = &q.kind {
        match NoticeKind::parse(k) {
            Ok(k) => filter.kind = Some(k),
            Err(m) => errors.add("kind", m),
        }
    }
    if let Some(s) = &q.state {
        match NoticeState::parse(s) {
            Ok(s) => filter.state = Some(s),
            Err(m) => errors.add("state", m),
        }
    }
    if let Some(s) = &q.service {
        match ServiceCode::parse(s) {
            Ok(c) => filter.service = Some(c),
            Err(m) => errors.add("service", m),
        }
    }
    for (name, raw, slot) in [
        ("from", &q.from, &mut filter.from),
        ("to", &q.to, &mut filter.to),
    ] {
        if let Some(raw) = raw {
            match parse_time(&state, name, raw) {
                Ok(t) => *slot = Some(t),
                Err(e) => errors.0.push(e),
            }
        }
    }
    errors.check()?;
    let list = state.store.list_notices(&filter).await?;
    Ok(Json(NoticeList {
        notices: list.iter().map(|n| notice_json(&state, n, None)).collect(),
    }))
}

async fn get_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Json<NoticeOut>> {
    staff.require(Role::Viewer)?;
    let n = notice_or_404(&state, &id).await?;
    let updates = state.store.get_updates(&n.id).await?;
    Ok(Json(notice_json(&state, &n, Some(&updates))))
}

async fn notice_deliveries(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Json<DeliveryReport>> {
    staff.require(Role::Viewer)?;
    let n = notice_or_404(&state, &id).await?;
    Ok(Json(delivery_report(&state, &n.id).await?))
}

/// The send rate of a channel (what this process has been sending at over the last minute,
/// else the configured pace) and the seconds `pending` messages still need at that rate.
pub fn eta_of(state: &AppState, channel: &str, pending: i64) -> (f64, Option<i64>) {
    let configured = match channel {
        "sms" => state.settings.raw.sms.rate_per_second,
        "email" => state.settings.raw.email.rate_per_second,
        _ => 0,
    };
    let rate = state
        .deliveries
        .recent_rate(channel)
        .unwrap_or(f64::from(configured));
    let seconds = (pending > 0 && rate > 0.0).then(|| (pending as f64 / rate).ceil() as i64);
    (rate, seconds)
}

/// Progress of one notice's deliveries.
pub async fn delivery_report(state: &AppState, notice_id: &str) -> Result<DeliveryReport> {
    use super::api_types::{ChannelTotals, RecentFailure, UpdateProgress};
    let progress = state.store.delivery_progress(notice_id).await?;
    let failures = state.store.recent_failures(notice_id, 20).await?;
    let mut report = DeliveryReport {
        notice_id: notice_id.to_string(),
        updates: Vec::new(),
        totals: BTreeMap::new(),
        rate_per_second: BTreeMap::new(),
        eta_seconds: BTreeMap::new(),
        recent_failures: failures
            .into_iter()
            .map(|(delivery_id, channel, error)| RecentFailure {
                delivery_id,
                channel,
                error,
            })
            .collect(),
    };
    for channel in crate::delivery::metrics::CHANNELS {
        let rows: Vec<_> = progress.iter().filter(|p| p.channel == channel).collect();
        if rows.is_empty() {
            continue;
        }
        let sum = |f: fn(&crate::store::Progress) -> i64| rows.iter().map(|p| f(p)).sum::<i64>();
        let pending = sum(|p| p.pending);
        report.totals.insert(
            channel.into(),
            ChannelTotals {
                pending,
                sent: sum(|p| p.sent),
                failed: sum(|p| p.failed),
                superseded: sum(|p| p.superseded),
                cancelled: sum(|p| p.cancelled),
                delivered: sum(|p| p.delivered),
                undelivered: sum(|p| p.undelivered),
            },
        );
        let (rate, seconds) = eta_of(state, channel, pending);
        report
            .rate_per_second
            .insert(channel.into(), (rate * 10.0).round() / 10.0);
        report.eta_seconds.insert(channel.into(), seconds);
    }
    report.updates = progress
        .into_iter()
        .map(|p| UpdateProgress {
            update_id: p.update_id,
            sequence: p.sequence,
            event: p.event,
            channel: p.channel,
            pending: p.pending,
            sent: p.sent,
            failed: p.failed,
            superseded: p.superseded,
            cancelled: p.cancelled,
            delivered: p.delivered,
            undelivered: p.undelivered,
        })
        .collect();
    Ok(report)
}

/// Runs one lifecycle action, then rebuilds the snapshot so the page shows it at once.
async fn apply(
    state: &AppState,
    staff: &Staff,
    id: &str,
    action: Action,
    body: Option<Localized>,
    overrides: Option<Overrides>,
) -> Result<(Notice, Update)> {
    run_action(state, &staff.actor(), id, action, body, overrides).await
}

/// The one path every lifecycle action takes, from the API and the console alike: the state
/// machine, the four-eyes rule, every message rendered within its limits, one transaction
/// with its audit line, then the snapshot.
pub(crate) async fn run_action(
    state: &AppState,
    actor: &str,
    id: &str,
    action: Action,
    body: Option<Localized>,
    overrides: Option<Overrides>,
) -> Result<(Notice, Update)> {
    let a = run_on(
        state,
        actor,
        Subject::Stored(id, None),
        action,
        body,
        overrides,
    )
    .await?;
    Ok((a.notice, a.update))
}

/// [`run_action`] from a console form, whose one-time token and view of the notice `once`
/// carries (see [`crate::store::Store::apply_action_once`]); says what was queued.
pub(crate) async fn run_action_once(
    state: &AppState,
    actor: &str,
    id: &str,
    action: Action,
    body: Option<Localized>,
    overrides: Option<Overrides>,
    once: Option<crate::store::Once<'_>>,
) -> Result<crate::store::Applied> {
    run_on(
        state,
        actor,
        Subject::Stored(id, once),
        action,
        body,
        overrides,
    )
    .await
}

/// What an action applies to: a stored notice (from a console form, with its one-time token
/// and view of the notice), or a new one saved in the same transaction.
enum Subject<'a> {
    Stored(&'a str, Option<crate::store::Once<'a>>),
    New(&'a NewNotice),
}

async fn run_on(
    state: &AppState,
    actor: &str,
    subject: Subject<'_>,
    action: Action,
    body: Option<Localized>,
    overrides: Option<Overrides>,
) -> Result<crate::store::Applied> {
    let now = state.clock.now();
    let default_body = crate::render::default_body(&state.settings, now);
    // Service names come from the snapshot: no query, and the same names the page shows.
    let snapshot = state.snapshot.load();
    let messages_fit = messages::checker(&state.settings, &snapshot.data().services, now);
    let four_eyes = state.settings.raw.console.require_approval && action == Action::Publish;
    let check = move |n: &Notice, u: &Update| {
        if four_eyes && n.created_by == actor {
            return Err(vec![FieldError::new(
                "approval",
                format!(
                    "four-eyes approval is on (console.require_approval): {actor} wrote this notice, so another publisher must publish it"
                ),
            )]);
        }
        messages_fit(n, u)
    };
    let change = Change {
        action: &action,
        body,
        overrides,
        actor,
        now,
        max_window_hours: state.settings.raw.notice.max_window_hours,
    };
    let result = match subject {
        Subject::Stored(id, once) => state
            .store
            .apply_action_once(id, change, once, default_body, check)
            .await
            .map_err(|e| not_found(e, "notice", id))?,
        Subject::New(new) => {
            state
                .store
                .create_and_apply(new, change, default_body, check)
                .await?
        }
    };
    state.publish_changes().await;
    Ok(result)
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

fn action_body(
    state: &AppState,
    errors: &mut Errors,
    body: Option<&BTreeMap<String, String>>,
) -> Option<Localized> {
    body.and_then(|raw| localized(state, errors, "body", raw, true, BODY_MAX))
}

/// SMS and email overrides: same text checks as any field, plus known placeholders only.
fn parse_overrides(
    state: &AppState,
    errors: &mut Errors,
    sms: Option<&BTreeMap<String, String>>,
    email: Option<&BTreeMap<String, String>>,
) -> Option<Overrides> {
    if sms.is_none() && email.is_none() {
        return None;
    }
    let mut one = |field: &str, raw: Option<&BTreeMap<String, String>>, max: usize| {
        let parsed = Localized::parse_partial(field, raw?, &state.settings.languages, max);
        let text = errors.take(parsed)?;
        let bad = messages::check_placeholders(field, &text);
        let ok = bad.is_empty();
        errors.0.extend(bad);
        ok.then_some(text)
    };
    let sms = one("sms", sms, SMS_OVERRIDE_MAX);
    let email = one("email", email, BODY_MAX);
    Some(Overrides {
        sms: sms.unwrap_or_default(),
        email: email.unwrap_or_default(),
    })
}

async fn respond(state: &AppState, (n, u): (Notice, Update)) -> Result<Json<NoticeOut>> {
    Ok(Json(notice_json(state, &n, None).with_update(&u)))
}

fn preview_of(
    state: &AppState,
    notice: &Notice,
    event: Event,
    body: &Localized,
    overrides: &Overrides,
    sequence: i64,
    update_id: &str,
) -> messages::Preview {
    let snapshot = state.snapshot.load();
    let now = state.clock.now();
    let subject = messages::Subject {
        event,
        notice,
        body,
        at: now,
        sequence,
        update_id,
        services: &snapshot.data().services,
        overrides,
    };
    messages::preview(&state.settings, &subject, now)
}

/// A draft previews as it will be once published.
fn as_published(state: &AppState, n: &Notice) -> (Notice, Event) {
    let now = state.clock.now();
    match n.apply(
        &Action::Publish,
        now,
        state.settings.raw.notice.max_window_hours,
    ) {
        Ok(published) => published,
        Err(_) => (
            n.clone(),
            match n.kind {
                NoticeKind::Maintenance => Event::MaintenanceScheduled,
                NoticeKind::Incident => Event::IncidentCreated,
            },
        ),
    }
}

/// `POST /notices/{id}/preview`: every channel and language of the next (or a named) message.
async fn preview_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<PreviewIn>,
) -> Result<Json<PreviewOut>> {
    staff.require(Role::Editor)?;
    let current = notice_or_404(&state, &id).await?;
    let mut errors = Errors::default();
    let event = match input.event.as_deref().map(|e| (e, Event::parse(e))) {
        Some((_, Some(Event::TestPing))) => {
            errors.add("event", "test.ping is not about a notice");
            None
        }
        Some((_, Some(e))) => Some(e),
        Some((raw, None)) => {
            errors.add("event", format!("unknown event '{raw}'"));
            None
        }
        None => None,
    };
    let body = input
        .body
        .as_ref()
        .and_then(|raw| localized(&state, &mut errors, "body", raw, true, BODY_MAX));
    let overrides = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    );
    errors.check()?;
    let p = preview_existing(&state, &current, event, body, overrides).await?;
    Ok(Json(p.into()))
}

/// The preview of an existing notice: `event`, `body` and `overrides` default to the next
/// message (a draft's publication) or the latest one.
pub(crate) async fn preview_existing(
    state: &AppState,
    current: &Notice,
    event: Option<Event>,
    body: Option<Localized>,
    overrides: Option<Overrides>,
) -> Result<messages::Preview> {
    let updates = state.store.get_updates(&current.id).await?;
    let latest = updates.last();
    let (notice, next_event) = if current.state == NoticeState::Draft {
        as_published(state, current)
    } else {
        let e = latest.map(|u| u.event).unwrap_or(Event::MaintenanceUpdated);
        (current.clone(), e)
    };
    let event = event.unwrap_or(next_event);
    let body = body
        .or_else(|| {
            (current.state == NoticeState::Draft && !current.draft_body.is_empty())
                .then(|| current.draft_body.clone())
        })
        .or_else(|| latest.filter(|u| u.event == event).map(|u| u.body.clone()))
        .unwrap_or_else(|| {
            crate::render::default_body(&state.settings, state.clock.now())(&notice, event)
        });
    let overrides = overrides
        .or_else(|| (current.state == NoticeState::Draft).then(|| current.draft_overrides.clone()))
        .or_else(|| {
            latest
                .filter(|u| u.event == event)
                .map(|u| u.overrides.clone())
        })
        .unwrap_or_default();
    let sequence = if current.state == NoticeState::Draft {
        current.sequence + 1
    } else {
        current.sequence
    };
    let update_id = latest
        .map(|u| u.id.clone())
        .unwrap_or_else(|| "preview".into());
    Ok(preview_of(
        state, &notice, event, &body, &overrides, sequence, &update_id,
    ))
}

/// The preview of a form's notice as it will be once published: the notice `saved` (an edit
/// of it), with its own id and reference code, or a notice not saved yet, whose code is a
/// placeholder until it is saved.
pub(crate) fn preview_new(
    state: &AppState,
    new: &NewNotice,
    actor: &str,
    saved: Option<&Notice>,
) -> messages::Preview {
    let now = state.clock.now();
    let draft = match saved {
        Some(n) => new.draft_as(n.id.clone(), n.reference.clone(), &n.created_by, now),
        // Unsaved, it has neither id nor code: links show the placeholder too, never an id
        // that will not be the notice's.
        None => new.draft_as(
            RefCode::PLACEHOLDER.to_string(),
            RefCode::placeholder(),
            actor,
            now,
        ),
    };
    let (notice, event) = as_published(state, &draft);
    let body = if draft.draft_body.is_empty() {
        crate::render::default_body(&state.settings, now)(&notice, event)
    } else {
        draft.draft_body.clone()
    };
    preview_of(
        state,
        &notice,
        event,
        &body,
        &draft.draft_overrides,
        1,
        "preview",
    )
}

/// `POST /notices/preview`: the same for a notice that is not saved yet.
async fn preview_unsaved(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(input): ApiJson<NoticeIn>,
) -> Result<Json<PreviewOut>> {
    staff.require(Role::Editor)?;
    let new = parse_new_notice(&state, input).await?;
    let p = preview_new(&state, &new, &staff.actor(), None);
    Ok(Json(p.into()))
}

/// `GET /schemas/{type}.json`: the JSON Schema of a webhook payload. Public: billers need it
/// before they have a token.
async fn schema(Path(file): Path<String>) -> Result<Json<Value>> {
    let name = file.strip_suffix(".json").unwrap_or(&file);
    let event = Event::parse(name).ok_or_else(|| {
        AppError::NotFound(
            "file".into(),
            format!(
                "no schema '{}'; known types: {}",
                name.chars().take(60).collect::<String>(),
                Event::ALL.map(|e| e.as_str()).join(", ")
            ),
        )
    })?;
    Ok(Json(crate::render::webhook::schema(event)))
}

async fn schema_index(State(state): State<AppState>) -> Json<SchemaIndex> {
    let base = &state.settings.public_url;
    Json(SchemaIndex {
        schemas: Event::ALL
            .iter()
            .map(|e| SchemaLink {
                kind: e.as_str().into(),
                url: format!("{base}/api/v1/schemas/{}.json", e.as_str()),
            })
            .collect(),
    })
}

async fn simple_action(
    state: AppState,
    staff: Staff,
    id: String,
    input: ActionIn,
    action: Action,
) -> Result<Json<NoticeOut>> {
    staff.require(Role::Publisher)?;
    let mut errors = Errors::default();
    let body = action_body(&state, &mut errors, input.body.as_ref());
    let overrides = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    );
    errors.check()?;
    let r = apply(&state, &staff, &id, action, body, overrides).await?;
    respond(&state, r).await
}

async fn publish(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Publish).await
}

async fn start(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Start).await
}

async fn complete(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Complete).await
}

async fn cancel(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<ActionIn>,
) -> Result<Json<NoticeOut>> {
    simple_action(state, staff, id, input, Action::Cancel).await
}

async fn extend(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<ExtendIn>,
) -> Result<Json<NoticeOut>> {
    staff.require(Role::Publisher)?;
    let mut errors = Errors::default();
    let body = action_body(&state, &mut errors, input.body.as_ref());
    let overrides = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    );
    let ends_at = match input
        .ends_at
        .as_deref()
        .map(|r| parse_time(&state, "ends_at", r))
    {
        Some(Ok(t)) => Some(t),
        Some(Err(e)) => {
            errors.0.push(e);
            None
        }
        None => {
            errors.add("ends_at", "is required: the new end of the window");
            None
        }
    };
    errors.check()?;
    let r = apply(
        &state,
        &staff,
        &id,
        Action::Extend {
            ends_at: ends_at.expect("checked"),
        },
        body,
        overrides,
    )
    .await?;
    respond(&state, r).await
}

async fn reschedule(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<RescheduleIn>,
) -> Result<Json<NoticeOut>> {
    staff.require(Role::Publisher)?;
    let mut errors = Errors::default();
    let body = action_body(&state, &mut errors, input.body.as_ref());
    let overrides = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    );
    let mut times = Vec::new();
    for (name, raw) in [("starts_at", &input.starts_at), ("ends_at", &input.ends_at)] {
        match raw.as_deref().map(|r| parse_time(&state, name, r)) {
            Some(Ok(t)) => times.push(t),
            Some(Err(e)) => errors.0.push(e),
            None => errors.add(name, "is required: the new window"),
        }
    }
    let window = match times[..] {
        [s, e] => match Window::new(s, e, state.settings.raw.notice.max_window_hours) {
            Ok(w) => Some(w),
            Err((f, m)) => {
                errors.add(f, m);
                None
            }
        },
        _ => None,
    };
    errors.check()?;
    let r = apply(
        &state,
        &staff,
        &id,
        Action::Reschedule {
            window: window.expect("checked"),
        },
        body,
        overrides,
    )
    .await?;
    respond(&state, r).await
}

async fn post_update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    OptionalJson(input): OptionalJson<PostUpdateIn>,
) -> Result<Json<NoticeOut>> {
    staff.require(Role::Publisher)?;
    let mut errors = Errors::default();
    let body = action_body(&state, &mut errors, input.body.as_ref());
    let overrides = parse_overrides(
        &state,
        &mut errors,
        input.sms.as_ref(),
        input.email.as_ref(),
    );
    if input.body.is_none() {
        errors.add(
            format!("body.{}", state.settings.default_lang()),
            "is required: what customers should know",
        );
    }
    let status = match input.status.as_deref().map(NoticeState::parse) {
        Some(Ok(s)) => Some(s),
        Some(Err(m)) => {
            errors.add("status", m);
            None
        }
        None => None,
    };
    errors.check()?;
    let r = apply(
        &state,
        &staff,
        &id,
        Action::Post { state: status },
        body,
        overrides,
    )
    .await?;
    respond(&state, r).await
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
