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

// Handlers answer with a `Response` on every path; the early returns carry one too, and
// boxing them would only add noise to every call site.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration as StdDuration, Instant};

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::api::{self, AffectedIn, NoticeIn};
use super::{AppError, AppState};
use crate::domain::{
    Action, Lang, Localized, Notice, NoticeKind, NoticeState, ServiceStatus, Window,
};
use crate::render::i18n::{self, Clockface};
use crate::render::messages::Preview;
use crate::store::{Audit, LoginError, Once, Role, Session, StoreError};

const SESSION_COOKIE: &str = "tangazo_session";
const LOGIN_CSRF_COOKIE: &str = "tangazo_login_csrf";
/// Login attempts one address may make in [`THROTTLE_WINDOW`].
const THROTTLE_ATTEMPTS: u32 = 20;
const THROTTLE_WINDOW: StdDuration = StdDuration::from_secs(15 * 60);

mod billers;
mod reach;
mod tokens;

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

/// Per-address counter of login attempts, in memory: it protects this process's CPU (argon2 is
/// slow on purpose) and slows guessing; the per-account lockout lives in the database.
#[derive(Default)]
pub struct LoginThrottle(Mutex<HashMap<IpAddr, (u32, Instant)>>);

impl LoginThrottle {
    fn allow(&self, ip: IpAddr) -> bool {
        let mut map = self.0.lock().expect("throttle lock");
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, (_, start)| now.duration_since(*start) < THROTTLE_WINDOW);
        }
        let entry = map.entry(ip).or_insert((0, now));
        if now.duration_since(entry.1) >= THROTTLE_WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
        entry.0 <= THROTTLE_ATTEMPTS
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions, cookies, CSRF

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64, path: &str) -> HeaderValue {
    let secure = if state.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("tokens are URL-safe")
}

/// A logged-in person, and the results of earlier actions waiting to be shown (read on GET).
/// Without a session, the request is sent to the login page.
pub struct Staff(pub Session, Option<String>);

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
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
            Redirect::to(&format!("/console/login?next={}", urlencode(next))).into_response()
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
                Ok(Staff(s, flash))
            }
            Ok(None) => Err(to_login()),
            Err(e) => Err(AppError::from(e).into_response()),
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

/// What a replayed form is told, on the page it goes back to.
const ALREADY_DONE: &str = "Already done: this form was sent before (a reload, the back button or a second click), so nothing was done or sent again. This page shows how things stand now.";

/// Post/redirect/get: keeps `message` for the next page the session opens and sends the
/// browser there with a 303, so that a reload shows that page again instead of resending.
async fn done(state: &AppState, staff: &Staff, to: &str, message: &str) -> Response {
    if let Err(e) = state
        .store
        .push_flash(&staff.0.id, message, state.clock.now())
        .await
    {
        // The action is done; only its one-line result is lost.
        tracing::error!(error = %e, "console: cannot keep an action's result for the next page");
    }
    Redirect::to(to).into_response()
}

/// A fresh one-time token for the action forms of one page.
fn form_token() -> String {
    crate::store::random_token(18)
}

/// Claims the form's one-time token (`once`) before a change that is not a notice's
/// lifecycle action (those claim in their own transaction). A replay goes back to `back`,
/// told it was already done; a form without a token is refused.
async fn claim_form(
    state: &AppState,
    staff: &Staff,
    form: &Form,
    back: &str,
) -> Result<(), Response> {
    match state
        .store
        .claim_form(form.get("once"), state.clock.now())
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Replayed) => {
            tracing::info!(user = %staff.0.user.email, "console: replayed form refused");
            Err(done(state, staff, back, ALREADY_DONE).await)
        }
        Err(e) => Err(refused_form(e)),
    }
}

/// A form the claim refused for another reason than a replay (no token), or a fault.
fn refused_form(e: StoreError) -> Response {
    match e {
        StoreError::Conflict { message, .. } => (
            StatusCode::BAD_REQUEST,
            Html(page_error(&format!("Not done: {message}."))),
        )
            .into_response(),
        other => AppError::from(other).into_response(),
    }
}

/// Gives a claimed token back after its action was refused, so the corrected form can go.
async fn release_form(state: &AppState, form: &Form) {
    if let Err(e) = state.store.release_form(form.get("once")).await {
        tracing::warn!(error = %e, "console: cannot release a refused form's token");
    }
}

impl Staff {
    fn actor(&self) -> String {
        format!("user:{}", self.0.user.email)
    }

    fn csrf(&self) -> &str {
        &self.0.csrf_token
    }

    /// The results of earlier actions, for the page being shown.
    fn flash(&self) -> Option<String> {
        self.1.clone()
    }

    /// Every state-changing form carries the session's token.
    fn check_csrf(&self, form: &Form) -> Result<(), Response> {
        if super::secrets_equal(form.get("csrf"), &self.0.csrf_token) {
            Ok(())
        } else {
            tracing::warn!(user = %self.0.user.email, "console: CSRF token missing or wrong");
            Err((StatusCode::FORBIDDEN, Html(page_error("The form expired or did not come from this console (missing or wrong CSRF token). Go back, reload the page and try again."))).into_response())
        }
    }

    fn require(&self, role: Role) -> Result<(), Response> {
        if self.0.user.role >= role {
            Ok(())
        } else {
            tracing::warn!(user = %self.0.user.email, needed = role.as_str(), "console: role refused");
            Err((
                StatusCode::FORBIDDEN,
                Html(page_error(&format!(
                    "This needs the {} role; you are {}.",
                    role.as_str(),
                    self.0.user.role.as_str()
                ))),
            )
                .into_response())
        }
    }
}

fn page_error(message: &str) -> String {
    ErrorPage {
        user: None,
        csrf: String::new(),
        flash: None,
        message: message.to_string(),
    }
    .render()
    .unwrap_or_default()
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Where a login may send the browser: a path that, resolved as a browser resolves a
/// `Location` (the WHATWG URL rules of the `url` crate: `%2e%2e` is `..`, and so on), stays on
/// this host and inside `/console`; written only with characters a URL allows as they are (no
/// control characters, spaces or non-ASCII, so it is also a valid header, and nothing a URL
/// parser would silently drop). Anything else goes to `/console`.
fn safe_next(next: &str) -> &str {
    const HOST: &str = "console.invalid";
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%#".contains(&b);
    let stays = || {
        let base = url::Url::parse(&format!("http://{HOST}/")).ok()?;
        let to = base.join(next).ok()?;
        let path = to.path();
        Some(to.host_str() == Some(HOST) && (path == "/console" || path.starts_with("/console/")))
    };
    let ok = next.starts_with("/console")
        && !next.starts_with("//")
        && next.bytes().all(allowed)
        && stays() == Some(true);
    if ok { next } else { "/console" }
}

/// A parsed `application/x-www-form-urlencoded` body, keeping repeated fields.
pub struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &[u8]) -> Form {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `{prefix}.{lang}` fields with text, as the API's language maps.
    fn localized(&self, prefix: &str) -> Option<BTreeMap<String, String>> {
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

// ---------------------------------------------------------------------------------------------
// Templates

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    message: String,
}

pub struct UserView {
    email: String,
    role: &'static str,
}

fn user_view(s: &Staff) -> Option<UserView> {
    Some(UserView {
        email: s.0.user.email.clone(),
        role: s.0.user.role.as_str(),
    })
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
    next: String,
    email: String,
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    error: Option<String>,
}

struct Row {
    id: String,
    title: String,
    kind: &'static str,
    state: &'static str,
    state_label: &'static str,
    overrunning: bool,
    window: String,
    reference: String,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    notices: Vec<Row>,
}

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    target: String,
    before: Option<String>,
    after: Option<String>,
    detail: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    actor: String,
    action: String,
    target: String,
    entries: Vec<AuditRow>,
}

pub struct LangFields {
    name: &'static str,
    hint: &'static str,
    title: String,
    still_works: String,
    body: String,
    sms: String,
    email: String,
}

pub struct ServiceChoice {
    code: String,
    name: String,
    selected: bool,
    impact: String,
}

pub struct FormView {
    heading: String,
    action: String,
    creating: bool,
    zone: String,
    values: HashMap<String, String>,
    errors: BTreeMap<String, String>,
    langs: Vec<LangFields>,
    services: Vec<ServiceChoice>,
    impacts: Vec<(&'static str, &'static str)>,
}

impl FormView {
    fn val(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn err(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    fn affected_errors(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter(|(k, _)| k.starts_with("affected["))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect()
    }

    fn has_overrides(&self) -> bool {
        self.values
            .iter()
            .any(|(k, v)| (k.starts_with("sms.") || k.starts_with("email.")) && !v.is_empty())
            || self
                .errors
                .keys()
                .any(|k| k.starts_with("sms") || k.starts_with("email"))
    }
}

pub struct SmsView {
    lang: &'static str,
    lang_name: &'static str,
    text: String,
    encoding: &'static str,
    segments: usize,
    units: usize,
    forcing: String,
    over: bool,
}

pub struct EmailView {
    lang_name: &'static str,
    subject: String,
    text: String,
}

pub struct PreviewView {
    event: &'static str,
    /// For a notice not saved yet: that its reference code is given on save.
    reference_note: Option<String>,
    errors: Vec<(String, String)>,
    sms: Vec<SmsView>,
    email: Vec<EmailView>,
}

/// `example_unsubscribe` stands in for each recipient's own link in what staff read.
fn example_unsubscribe(state: &AppState) -> String {
    format!("{}/unsubscribe/…", state.settings.public_url)
}

fn preview_view(p: &Preview, budget: usize, example_unsubscribe: &str) -> PreviewView {
    PreviewView {
        event: p.event.as_str(),
        reference_note: p.reference_note.clone(),
        errors: p
            .errors
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        sms: p
            .sms
            .iter()
            .map(|(lang, s)| SmsView {
                lang: lang.code(),
                lang_name: lang.native_name(),
                text: s.text.clone(),
                encoding: match s.encoding {
                    crate::domain::sms::Encoding::Gsm7 => "GSM-7",
                    crate::domain::sms::Encoding::Ucs2 => "UCS-2",
                },
                segments: s.segments,
                units: s.units,
                forcing: s
                    .forcing_ucs2
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                over: s.segments > budget,
            })
            .collect(),
        email: p
            .email
            .iter()
            .map(|(lang, e)| EmailView {
                lang_name: lang.native_name(),
                subject: e.subject.clone(),
                text: e.personalise(example_unsubscribe).0,
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "console/form.html")]
struct FormPage {
    user: Option<UserView>,
    csrf: String,
    /// The form's one-time token (saving; a preview does not use it).
    once: String,
    flash: Option<String>,
    f: FormView,
    preview: Option<PreviewView>,
}

#[derive(Template)]
#[template(path = "console/preview.html")]
struct PreviewFragment {
    p: PreviewView,
}

pub struct NoticeView {
    id: String,
    title: String,
    state: &'static str,
    state_label: &'static str,
    overrunning: bool,
    reference: String,
    public_url: String,
    is_draft: bool,
    window: String,
    affected: String,
    still_works: String,
    created_by: String,
}

pub struct ActionView {
    name: &'static str,
    label: &'static str,
    /// What the box says is confirmed: what the action does, then what it sends.
    confirm: String,
    needs_end: bool,
    needs_start: bool,
    needs_body: bool,
    danger: bool,
    statuses: Vec<(&'static str, &'static str)>,
    /// What was typed into this form when it was refused, so nothing is lost.
    values: HashMap<String, String>,
}

impl ActionView {
    fn val(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    fn body(&self, lang: &str) -> &str {
        self.val(&format!("body.{lang}"))
    }
}

/// An action form the page shows again after refusing it: its name, what was typed, and why.
pub struct Refusal {
    action: String,
    values: HashMap<String, String>,
    message: String,
}

pub struct UpdateRow {
    sequence: i64,
    when: String,
    event: &'static str,
    state: &'static str,
    body: String,
    by: String,
}

pub struct ChangeRow {
    when: String,
    who: String,
    field: String,
    before: String,
    after: String,
}

/// For the approver: every field each edit of a draft changed, from the audit log.
async fn draft_changes(state: &AppState, n: &Notice) -> Result<Vec<ChangeRow>, AppError> {
    let entries = state
        .store
        .audit_entries(
            None,
            Some("notice.edit"),
            Some(&format!("notice:{}", n.id)),
            100,
        )
        .await?;
    let f = face(state);
    let mut rows = Vec::new();
    for e in entries.iter().rev() {
        let parse = |v: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
            v.as_deref()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .and_then(|v| v.as_object().cloned())
                .unwrap_or_default()
        };
        let (before, after) = (parse(&e.before), parse(&e.after));
        for (field, new) in &after {
            let old = before
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if &old != new {
                rows.push(ChangeRow {
                    when: f.instant(e.at),
                    who: e.actor.clone(),
                    field: field.clone(),
                    before: old.to_string(),
                    after: new.to_string(),
                });
            }
        }
    }
    Ok(rows)
}

/// One update's deliveries on one channel, with what is left of it.
pub struct DeliveryRow {
    p: crate::store::Progress,
    eta: String,
}

#[derive(Template)]
#[template(path = "console/notice.html")]
struct NoticePage {
    deliveries: Vec<DeliveryRow>,
    failures: Vec<(String, String, String)>,
    audience_sms: i64,
    audience_email: i64,
    audience_endpoints: i64,
    changes: Vec<ChangeRow>,
    user: Option<UserView>,
    csrf: String,
    /// The action forms' one-time token.
    once: String,
    /// The notice as shown, `sequence-fingerprint`: see [`Once::seen`].
    seen: String,
    flash: Option<String>,
    error: Option<String>,
    n: NoticeView,
    actions: Vec<ActionView>,
    approval_needed: bool,
    role: &'static str,
    zone: String,
    langs: Vec<(&'static str, &'static str)>,
    updates: Vec<UpdateRow>,
    p: PreviewView,
}

fn html<T: Template>(t: T) -> Response {
    match t.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => AppError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Login, logout, password

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    let token = crate::store::random_token(24);
    let mut resp = html(LoginPage {
        user: None,
        csrf: token.clone(),
        flash: None,
        error: None,
        next: safe_next(q.next.as_deref().unwrap_or("/console")).to_string(),
        email: String::new(),
    });
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600, "/console/login"),
    );
    resp
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let next = safe_next(form.get("next")).to_string();
    let email = form.get("email").trim().to_string();
    let fail = |status: StatusCode, message: &str| {
        let token = crate::store::random_token(24);
        let mut resp = (
            status,
            html(LoginPage {
                user: None,
                csrf: token.clone(),
                flash: None,
                error: Some(message.to_string()),
                next: next.clone(),
                email: email.clone(),
            }),
        )
            .into_response();
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, LOGIN_CSRF_COOKIE, &token, 3600, "/console/login"),
        );
        resp
    };
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !super::secrets_equal(form.get("csrf"), expected) {
        tracing::warn!(ip = %peer.ip(), "console login: CSRF token missing or wrong");
        return fail(
            StatusCode::FORBIDDEN,
            "The login form expired. Please try again.",
        );
    }
    if !state.login_throttle.allow(peer.ip()) {
        tracing::warn!(ip = %peer.ip(), "console login: too many attempts from this address");
        return fail(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many login attempts from your address. Wait 15 minutes and try again.",
        );
    }
    let now = state.clock.now();
    match state.store.login(&email, form.get("password"), now).await {
        Ok(Ok(user)) => {
            let token = match state.store.create_session(&user.id, now).await {
                Ok(t) => t,
                Err(e) => return AppError::from(e).into_response(),
            };
            let actor = format!("user:{}", user.email);
            let _ = state
                .store
                .audit(
                    Audit {
                        actor: &actor,
                        action: "console.login",
                        target: format!("user:{}", user.email),
                        before: None,
                        after: None,
                        detail: format!("from {}", peer.ip()),
                    },
                    now,
                )
                .await;
            let mut resp = Redirect::to(&next).into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    &state,
                    SESSION_COOKIE,
                    &token,
                    crate::store::SESSION_HOURS_SECS,
                    "/",
                ),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(&state, LOGIN_CSRF_COOKIE, "", 0, "/console/login"),
            );
            resp
        }
        Ok(Err(refused)) => {
            // A locked account is answered exactly as an unknown one or a wrong password, so
            // the answer tells nobody which accounts exist; the log and the audit say which.
            let why = match refused {
                LoginError::WrongCredentials => "wrong email or password",
                LoginError::Locked { .. } => "account locked",
            };
            tracing::warn!(ip = %peer.ip(), why, "console login refused");
            login_failed(&state, &email, format!("{why}; from {}", peer.ip()), now).await;
            fail(StatusCode::UNAUTHORIZED, &login_refused())
        }
        Err(e) => AppError::from(e).into_response(),
    }
}

/// What every refused login is told, whatever the reason.
fn login_refused() -> String {
    format!(
        "Wrong email or password. After {} wrong passwords an account is locked for {} minutes.",
        crate::store::MAX_FAILED_LOGINS,
        crate::store::LOCKOUT_MINUTES
    )
}

/// Every refused login is in the audit log; a failure to write it must not change the answer.
async fn login_failed(state: &AppState, email: &str, detail: String, now: DateTime<Utc>) {
    let entry = Audit {
        actor: "anonymous",
        action: "console.login_failed",
        target: format!("user:{}", email.to_lowercase()),
        before: None,
        after: None,
        detail,
    };
    if let Err(e) = state.store.audit(entry, now).await {
        tracing::error!(error = %e, "cannot write a failed login to the audit log");
    }
}

async fn logout(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.end_session(token).await
    {
        return AppError::from(e).into_response();
    }
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", 0, "/"),
    );
    resp
}

async fn password_form(staff: Staff) -> Response {
    html(PasswordPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        error: None,
    })
}

async fn change_password(State(state): State<AppState>, staff: Staff, body: Bytes) -> Response {
    let form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    let page = |error: Option<String>, flash: Option<String>| {
        html(PasswordPage {
            user: user_view(&staff),
            csrf: staff.csrf().to_string(),
            flash,
            error,
        })
    };
    if let Err(m) = crate::store::check_password(form.get("new")) {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(Some(format!("New password {m}.")), None),
        )
            .into_response();
    }
    let now = state.clock.now();
    match state
        .store
        .change_password(&staff.0.user.id, form.get("current"), form.get("new"), now)
        .await
    {
        Ok(true) => {
            let actor = staff.actor();
            let _ = state
                .store
                .audit(
                    Audit {
                        actor: &actor,
                        action: "console.password_change",
                        target: format!("user:{}", staff.0.user.email),
                        before: None,
                        after: None,
                        detail: String::new(),
                    },
                    now,
                )
                .await;
            // Every session ended with the change, this one too.
            let mut resp = Redirect::to("/console/login").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, SESSION_COOKIE, "", 0, "/"),
            );
            resp
        }
        Ok(false) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(Some("The current password is wrong.".into()), None),
        )
            .into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

fn face(state: &AppState) -> Clockface {
    Clockface {
        tz: state.settings.time_zone,
        lang: Lang::En,
        now: state.clock.now(),
    }
}

fn window_text(state: &AppState, n: &Notice) -> String {
    let f = face(state);
    match (n.starts_at, n.ends_at) {
        (Some(s), Some(e)) => f.window(s, e),
        (Some(s), None) => f.instant(s),
        _ => String::new(),
    }
}

async fn dashboard(State(state): State<AppState>, staff: Staff) -> Response {
    let list = match state
        .store
        .list_notices(&crate::store::NoticeFilter {
            limit: 200,
            ..Default::default()
        })
        .await
    {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = state.settings.default_lang();
    let now = state.clock.now();
    html(Dashboard {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        notices: list
            .iter()
            .map(|n| Row {
                id: n.id.clone(),
                title: n.title.get(lang).to_string(),
                kind: n.kind.as_str(),
                state: n.state.as_str(),
                state_label: i18n::state_label(Lang::En, n.state),
                overrunning: n.is_overrunning(now),
                window: window_text(&state, n),
                reference: n.reference.to_string(),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
}

async fn audit(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> Response {
    if let Err(r) = staff.require(Role::Viewer) {
        return r;
    }
    let pick = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (actor, action, target) = (pick(&q.actor), pick(&q.action), pick(&q.target));
    let entries = match state
        .store
        .audit_entries(actor.as_deref(), action.as_deref(), target.as_deref(), 300)
        .await
    {
        Ok(e) => e,
        Err(e) => return AppError::from(e).into_response(),
    };
    html(AuditPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        actor: actor.unwrap_or_default(),
        action: action.unwrap_or_default(),
        target: target.unwrap_or_default(),
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                actor: e.actor,
                action: e.action,
                target: e.target,
                before: e.before,
                after: e.after,
                detail: e.detail,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// The announcement form

fn local_input(state: &AppState, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        t.with_timezone(&state.settings.time_zone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

fn form_view(
    state: &AppState,
    creating: bool,
    action: String,
    heading: String,
    values: HashMap<String, String>,
    errors: BTreeMap<String, String>,
) -> FormView {
    let snapshot = state.snapshot.load();
    let default = state.settings.default_lang();
    let selected: Vec<String> = values
        .get("affected")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let kind = values
        .get("kind")
        .map(String::as_str)
        .unwrap_or("maintenance");
    let default_impact = if kind == "incident" {
        "partial_outage"
    } else {
        "under_maintenance"
    };
    FormView {
        heading,
        action,
        creating,
        zone: format!(
            "{} ({})",
            face(state).zone_abbr(state.clock.now()),
            state.settings.time_zone.name()
        ),
        langs: state
            .settings
            .languages
            .iter()
            .map(|&l| LangFields {
                name: l.native_name(),
                hint: if l == default {
                    "required"
                } else {
                    "optional: the default language is used when empty"
                },
                title: format!("title.{l}"),
                still_works: format!("still_works.{l}"),
                body: format!("body.{l}"),
                sms: format!("sms.{l}"),
                email: format!("email.{l}"),
            })
            .collect(),
        services: snapshot
            .data()
            .services
            .iter()
            .map(|s| ServiceChoice {
                code: s.code.to_string(),
                name: s.name.get(default).to_string(),
                selected: selected.iter().any(|c| c == s.code.as_str()),
                impact: values
                    .get(&format!("impact.{}", s.code))
                    .cloned()
                    .unwrap_or_else(|| default_impact.to_string()),
            })
            .collect(),
        impacts: ServiceStatus::ALL
            .iter()
            .filter(|s| **s != ServiceStatus::Operational)
            .map(|s| (s.as_str(), i18n::status_label(Lang::En, *s)))
            .collect(),
        values,
        errors,
    }
}

/// What the browser sent, kept so nothing typed is lost when the form comes back.
fn form_values(form: &Form) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = form
        .0
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "once" | "affected" | "op"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    values.insert("affected".into(), form.all("affected").join(","));
    values
}

fn notice_input(form: &Form) -> NoticeIn {
    NoticeIn {
        kind: Some(form.get("kind").to_string()).filter(|k| !k.is_empty()),
        title: form.localized("title"),
        still_works: form.localized("still_works"),
        body: form.localized("body"),
        affected: Some(
            form.all("affected")
                .into_iter()
                .map(|code| AffectedIn {
                    service: code.to_string(),
                    impact: Some(form.get(&format!("impact.{code}")).to_string())
                        .filter(|v| !v.is_empty()),
                })
                .collect(),
        ),
        starts_at: Some(form.get("starts_at").to_string()).filter(|v| !v.is_empty()),
        ends_at: Some(form.get("ends_at").to_string()).filter(|v| !v.is_empty()),
        auto_start: Some(form.get("auto_start") == "on"),
        auto_complete: Some(form.get("auto_complete") == "on"),
        sms: form.localized("sms"),
        email: form.localized("email"),
        publish: false,
    }
}

fn field_errors(e: AppError) -> Result<BTreeMap<String, String>, Response> {
    match e {
        AppError::Invalid(_, errors) => Ok(errors),
        AppError::Conflict(field, message) => Ok(BTreeMap::from([(field, message)])),
        other => Err(other.into_response()),
    }
}

async fn new_notice(State(state): State<AppState>, staff: Staff) -> Response {
    if let Err(r) = staff.require(Role::Editor) {
        return r;
    }
    let values = HashMap::from([
        ("kind".to_string(), "maintenance".to_string()),
        ("auto_start".to_string(), "on".to_string()),
    ]);
    let (creating, action, heading) = form_target(None);
    html(FormPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        f: form_view(&state, creating, action, heading, values, BTreeMap::new()),
        preview: None,
    })
}

/// Removes, from the SMS of one language, the characters that force UCS-2, by writing that SMS
/// as an override (the footer with the reference is added again when rendered).
fn fix_ucs2(form: &mut Form, p: &Preview, lang_code: &str) {
    let Some(lang) = Lang::parse(lang_code) else {
        return;
    };
    let Some(sms) = p.sms.get(&lang) else { return };
    let main = sms.text.rsplitn(4, ' ').nth(3).unwrap_or(&sms.text);
    let cleaned: String = main
        .chars()
        .filter(|c| !sms.forcing_ucs2.contains(c))
        .collect();
    let key = format!("sms.{lang_code}");
    form.0.retain(|(k, _)| *k != key);
    form.0.push((
        key,
        cleaned.split_whitespace().collect::<Vec<_>>().join(" "),
    ));
}

/// Preview (button or live): renders the form with what every customer would receive.
async fn preview_form(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = staff.require(Role::Editor) {
        return r;
    }
    let mut form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    render_form_with_preview(&state, &staff, &mut form, is_fragment(&headers), None).await
}

/// The live preview (`static/form.js`) asks for the preview pane alone.
fn is_fragment(headers: &HeaderMap) -> bool {
    headers.contains_key("x-preview-fragment")
}

/// Where a notice form posts and what it is headed: a new notice, or an edit of `saved`.
fn form_target(saved: Option<&Notice>) -> (bool, String, String) {
    match saved {
        None => (true, "/console/notices".into(), "New notice".into()),
        Some(n) => (
            false,
            format!("/console/notices/{}/edit", n.id),
            format!("Edit draft {}", n.reference),
        ),
    }
}

/// The form again, with the preview of what it would send: an edit's with the notice's own
/// reference code, a new notice's with a placeholder until it is saved.
async fn render_form_with_preview(
    state: &AppState,
    staff: &Staff,
    form: &mut Form,
    fragment: bool,
    saved: Option<&Notice>,
) -> Response {
    let budget = state.settings.raw.sms.segment_budget as usize;
    let mut preview = None;
    let mut errors = BTreeMap::new();
    match api::parse_new_notice(state, notice_input(form)).await {
        Ok(new) => {
            let mut p = api::preview_new(state, &new, &staff.actor(), saved);
            if let Some(lang) = form.get("op").strip_prefix("fix-").map(str::to_string) {
                fix_ucs2(form, &p, &lang);
                if let Ok(new) = api::parse_new_notice(state, notice_input(form)).await {
                    p = api::preview_new(state, &new, &staff.actor(), saved);
                }
            }
            preview = Some(preview_view(&p, budget, &example_unsubscribe(state)));
        }
        Err(e) => match field_errors(e) {
            Ok(e) => errors = e,
            Err(r) => return r,
        },
    }
    if fragment {
        return match preview {
            Some(p) => html(PreviewFragment { p }),
            None => Html(format!(
                "<div id=\"preview\"><h2>Preview</h2><p class=\"meta\">Fix the form first: {}</p></div>",
                askama::filters::escape(errors.keys().cloned().collect::<Vec<_>>().join(", "), askama::filters::Html).map(|s| s.to_string()).unwrap_or_default()
            ))
            .into_response(),
        };
    }
    let (creating, action, heading) = form_target(saved);
    html(FormPage {
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: None,
        f: form_view(state, creating, action, heading, form_values(form), errors),
        preview,
    })
}

async fn create_notice(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = staff.require(Role::Editor) {
        return r;
    }
    let mut form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    if form.get("op") != "save" && !form.get("op").is_empty() {
        return render_form_with_preview(&state, &staff, &mut form, is_fragment(&headers), None)
            .await;
    }
    let new = match api::parse_new_notice(&state, notice_input(&form)).await {
        Ok(new) => new,
        Err(e) => return form_refused(&state, &staff, &form, e, None),
    };
    // A replayed form goes to the list, where the notice the first one saved is.
    if let Err(r) = claim_form(&state, &staff, &form, "/console").await {
        return r;
    }
    match state
        .store
        .create_notice(&new, &staff.actor(), state.clock.now())
        .await
    {
        Ok(n) => {
            done(
                &state,
                &staff,
                &format!("/console/notices/{}", n.id),
                "Saved.",
            )
            .await
        }
        Err(e) => {
            release_form(&state, &form).await;
            form_refused(&state, &staff, &form, e.into(), None)
        }
    }
}

/// A form whose save was refused: back to it with every error and every value.
fn form_refused(
    state: &AppState,
    staff: &Staff,
    form: &Form,
    e: AppError,
    saved: Option<&Notice>,
) -> Response {
    let (creating, action, heading) = form_target(saved);
    match field_errors(e) {
        Ok(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            html(FormPage {
                user: user_view(staff),
                csrf: staff.csrf().to_string(),
                once: form_token(),
                flash: None,
                f: form_view(state, creating, action, heading, form_values(form), errors),
                preview: None,
            }),
        )
            .into_response(),
        Err(r) => r,
    }
}

fn values_of(state: &AppState, n: &Notice) -> HashMap<String, String> {
    let mut v = HashMap::new();
    v.insert("kind".into(), n.kind.as_str().to_string());
    for (prefix, text) in [
        ("title", &n.title),
        ("still_works", &n.still_works),
        ("body", &n.draft_body),
        ("sms", &n.draft_overrides.sms),
        ("email", &n.draft_overrides.email),
    ] {
        for (lang, t) in &text.0 {
            v.insert(format!("{prefix}.{lang}"), t.clone());
        }
    }
    v.insert(
        "affected".into(),
        n.affected
            .iter()
            .map(|a| a.service.to_string())
            .collect::<Vec<_>>()
            .join(","),
    );
    for a in &n.affected {
        v.insert(
            format!("impact.{}", a.service),
            a.impact.as_str().to_string(),
        );
    }
    v.insert("starts_at".into(), local_input(state, n.starts_at));
    v.insert("ends_at".into(), local_input(state, n.ends_at));
    if n.auto_start {
        v.insert("auto_start".into(), "on".into());
    }
    if n.auto_complete {
        v.insert("auto_complete".into(), "on".into());
    }
    v
}

async fn edit_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = staff.require(Role::Editor) {
        return r;
    }
    let n = match state.store.get_notice(&id).await {
        Ok(n) => n,
        Err(e) => return AppError::from(e).into_response(),
    };
    let values = values_of(&state, &n);
    let (creating, action, heading) = form_target(Some(&n));
    html(FormPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        f: form_view(&state, creating, action, heading, values, BTreeMap::new()),
        preview: None,
    })
}

/// Saving an edit replaces the draft's fields with the form's (the same checks as creating).
async fn edit_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(r) = staff.require(Role::Editor) {
        return r;
    }
    let mut form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    let saved = match state.store.get_notice(&id).await {
        Ok(n) => n,
        Err(e) => return AppError::from(e).into_response(),
    };
    if form.get("op") != "save" && !form.get("op").is_empty() {
        return render_form_with_preview(
            &state,
            &staff,
            &mut form,
            is_fragment(&headers),
            Some(&saved),
        )
        .await;
    }
    let new = match api::parse_new_notice(&state, notice_input(&form)).await {
        Ok(new) => new,
        Err(e) => return form_refused(&state, &staff, &form, e, Some(&saved)),
    };
    let back = format!("/console/notices/{}", saved.id);
    if let Err(r) = claim_form(&state, &staff, &form, &back).await {
        return r;
    }
    let patch = crate::store::NoticePatch {
        title: Some(new.title),
        still_works: Some(new.still_works),
        draft_body: Some(new.draft_body),
        draft_overrides: Some(new.draft_overrides),
        affected: Some(new.affected),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        auto_start: Some(new.auto_start),
        auto_complete: Some(new.auto_complete),
    };
    match state
        .store
        .edit_draft(
            &id,
            &patch,
            &staff.actor(),
            state.clock.now(),
            state.settings.raw.notice.max_window_hours,
        )
        .await
    {
        Ok(_) => done(&state, &staff, &back, "Saved.").await,
        Err(e) => {
            release_form(&state, &form).await;
            form_refused(&state, &staff, &form, e.into(), Some(&saved))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A notice and its lifecycle buttons

/// Every lifecycle button's name.
const ACTIONS: [&str; 7] = [
    "publish",
    "start",
    "extend",
    "reschedule",
    "update",
    "complete",
    "cancel",
];

/// The lifecycle buttons of a notice, each confirming what it does and what it sends (from
/// `reach`, the fan-out's own count).
fn actions_for(n: &Notice, role: Role, reach: &reach::Reach) -> Vec<ActionView> {
    use NoticeState::*;
    if role < Role::Publisher {
        return vec![];
    }
    let a = |name, label, does: &str, danger| ActionView {
        name,
        label,
        confirm: match reach::event_of(n, name) {
            Some(event) => format!(
                "{does}. {}",
                reach::sends(reach.queued(event), reach.sms_wait.as_deref())
            ),
            None => format!("{does}."),
        },
        needs_end: false,
        needs_start: false,
        needs_body: false,
        danger,
        statuses: vec![],
        values: HashMap::new(),
    };
    let tell = "the public page changes now";
    let mut out = Vec::new();
    match (n.kind, n.state) {
        (_, Draft) => {
            out.push(a(
                "publish",
                "Publish",
                "publish this notice as official; the public page shows it now",
                false,
            ));
            out.push(a(
                "cancel",
                "Discard draft",
                "discard this draft: nothing is sent, and the public page never shows it",
                true,
            ));
        }
        (NoticeKind::Maintenance, Scheduled) => {
            out.push(a("start", "Start now", tell, false));
            out.push(ActionView {
                needs_end: true,
                ..a("extend", "Extend", tell, false)
            });
            out.push(ActionView {
                needs_start: true,
                needs_end: true,
                ..a("reschedule", "Reschedule", tell, false)
            });
            out.push(ActionView {
                needs_body: true,
                ..a("update", "Post update", tell, false)
            });
            out.push(a("cancel", "Cancel maintenance", tell, true));
        }
        (NoticeKind::Maintenance, InProgress | Verifying) => {
            out.push(ActionView {
                needs_end: true,
                ..a("extend", "Extend", tell, false)
            });
            out.push(ActionView {
                needs_body: true,
                statuses: vec![
                    ("in_progress", "In progress"),
                    ("verifying", "Checking services"),
                ],
                ..a("update", "Post update", tell, false)
            });
            out.push(a(
                "complete",
                "Complete",
                "services are back; tell everyone",
                false,
            ));
            if n.state == InProgress {
                out.push(a("cancel", "Cancel maintenance", tell, true));
            }
        }
        (NoticeKind::Incident, s) if !s.is_terminal() => {
            out.push(ActionView {
                needs_body: true,
                statuses: vec![
                    ("investigating", "Investigating"),
                    ("identified", "Cause found"),
                    ("monitoring", "Fixed, monitoring"),
                ],
                ..a("update", "Post update", tell, false)
            });
            out.push(a(
                "complete",
                "Resolve",
                "the problem is fixed; tell everyone",
                false,
            ));
        }
        _ => {}
    }
    out
}

async fn view_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    notice_page(&state, &staff, &id, None, StatusCode::OK).await
}

/// A notice's page; after a refused action, with why and the form as it was sent.
async fn notice_page(
    state: &AppState,
    staff: &Staff,
    id: &str,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> Response {
    let n = match state.store.get_notice(id).await {
        Ok(n) => n,
        Err(e) => return AppError::from(e).into_response(),
    };
    let updates = match state.store.get_updates(&n.id).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let preview = match api::preview_existing(state, &n, None, None, None).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let lang = state.settings.default_lang();
    let snapshot = state.snapshot.load();
    let f = face(state);
    let approval_needed = state.settings.raw.console.require_approval
        && n.state == NoticeState::Draft
        && n.created_by == staff.actor();
    let view = NoticeView {
        id: n.id.clone(),
        title: n.title.get(lang).to_string(),
        state: n.state.as_str(),
        state_label: i18n::state_label(Lang::En, n.state),
        overrunning: n.is_overrunning(state.clock.now()),
        reference: n.reference.to_string(),
        public_url: format!("/notices/{}", n.id),
        is_draft: n.state == NoticeState::Draft,
        window: window_text(state, &n),
        affected: n
            .affected
            .iter()
            .map(|a| {
                let name = snapshot
                    .data()
                    .services
                    .iter()
                    .find(|s| s.code == a.service)
                    .map(|s| s.name.get(lang).to_string())
                    .unwrap_or_else(|| a.service.to_string());
                format!("{name} ({})", i18n::status_label(Lang::En, a.impact))
            })
            .collect::<Vec<_>>()
            .join(", "),
        still_works: n.still_works.get(lang).to_string(),
        created_by: n.created_by.clone(),
    };
    let changes = if n.state == NoticeState::Draft {
        match draft_changes(state, &n).await {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        }
    } else {
        vec![]
    };
    let codes: Vec<crate::domain::ServiceCode> =
        n.affected.iter().map(|a| a.service.clone()).collect();
    // Webhook counts depend on the event, so only the buttons this person has are counted.
    let events: Vec<_> = if staff.0.user.role >= Role::Publisher {
        ACTIONS
            .iter()
            .filter_map(|a| reach::event_of(&n, a))
            .collect()
    } else {
        vec![]
    };
    let reach = match reach::Reach::of(state, &n, events).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let (progress, failures) = match (
        state.store.delivery_progress(&n.id).await,
        state.store.recent_failures(&n.id, 10).await,
    ) {
        (Ok(p), Ok(f)) => (p, f),
        (Err(e), _) | (_, Err(e)) => return AppError::from(e).into_response(),
    };
    let deliveries = progress
        .into_iter()
        .map(|p| {
            let eta = match api::eta_of(state, &p.channel, p.pending).1 {
                None => String::new(),
                Some(s) if s < 120 => format!("about {s} s"),
                Some(s) if s < 7200 => format!("about {} min", (s + 59) / 60),
                Some(s) => format!("about {:.1} h", s as f64 / 3600.0),
            };
            DeliveryRow { p, eta }
        })
        .collect();
    let mut actions = actions_for(&n, staff.0.user.role, &reach);
    let error = refusal.map(|r| {
        if let Some(a) = actions.iter_mut().find(|a| a.name == r.action) {
            a.values = r.values;
        }
        r.message
    });
    let page = NoticePage {
        deliveries,
        failures,
        audience_sms: reach.sms,
        audience_email: reach.email,
        audience_endpoints: match state.store.endpoint_audience(&codes).await {
            Ok(n) => n,
            Err(e) => return AppError::from(e).into_response(),
        },
        changes,
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        seen: format!("{}-{}", n.sequence, crate::store::fingerprint(&n)),
        flash: staff.flash(),
        error,
        actions,
        approval_needed,
        role: staff.0.user.role.as_str(),
        zone: format!(
            "{} ({})",
            f.zone_abbr(state.clock.now()),
            state.settings.time_zone.name()
        ),
        langs: state
            .settings
            .languages
            .iter()
            .map(|l| (l.code(), l.native_name()))
            .collect(),
        updates: updates
            .iter()
            .rev()
            .map(|u| UpdateRow {
                sequence: u.sequence,
                when: f.instant(u.created_at),
                event: u.event.as_str(),
                state: u.state.as_str(),
                body: u.body.get(lang).to_string(),
                by: u.created_by.clone(),
            })
            .collect(),
        p: preview_view(
            &preview,
            state.settings.raw.sms.segment_budget as usize,
            &example_unsubscribe(state),
        ),
        n: view,
    };
    (status, html(page)).into_response()
}

/// `sequence-fingerprint` as the notice page wrote it (see [`NoticePage::seen`]).
fn parse_seen(raw: &str) -> Option<(i64, &str)> {
    let (sequence, fingerprint) = raw.split_once('-')?;
    Some((sequence.parse().ok()?, fingerprint))
}

/// One lifecycle button pressed: checked, then done through the same code as the API, with the
/// form's one-time token claimed in the action's transaction.
async fn notice_action(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(r) = staff.require(Role::Publisher) {
        return r;
    }
    let form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    let back = format!("/console/notices/{id}");
    let refuse = |message: String, status: StatusCode| {
        let refusal = Refusal {
            action: name.clone(),
            values: form
                .0
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "once" | "seen" | "confirm"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            message,
        };
        let (state, staff, id) = (&state, &staff, &id);
        async move { notice_page(state, staff, id, Some(refusal), status).await }
    };
    let Some(seen) = parse_seen(form.get("seen")).filter(|_| !form.get("once").is_empty()) else {
        return refuse(
            "This form is from an older page; it was not sent. Check the notice below, then try again.".into(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    if form.get("confirm") != "yes" {
        return refuse(
            "Tick the confirmation box: this changes what customers see.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let action = match parse_action(&state, &form, &name) {
        Ok(a) => a,
        Err(None) => {
            return AppError::NotFound("action".into(), format!("no action '{name}'"))
                .into_response();
        }
        Err(Some(message)) => return refuse(message, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let body = form.localized("body");
    if name == "update" && body.is_none() {
        return refuse(
            format!(
                "body.{}: write the update customers will read",
                state.settings.default_lang()
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let body = match body
        .map(|raw| Localized::parse("body", &raw, &state.settings.languages, true, api::BODY_MAX))
    {
        Some(Err(errors)) => {
            let message = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            return refuse(message, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Some(Ok(b)) => Some(b),
        None => None,
    };
    let once = Once {
        token: form.get("once"),
        seen: Some(seen),
    };
    match api::run_action_once(&state, &staff.actor(), &id, action, body, None, Some(once)).await {
        Ok(applied) => done(&state, &staff, &back, &reach::result(&state, &applied)).await,
        Err(AppError::Conflict(field, _)) if field == crate::store::REPLAYED_FIELD => {
            tracing::info!(user = %staff.0.user.email, notice = %id, "console: replayed action refused");
            done(&state, &staff, &back, ALREADY_DONE).await
        }
        Err(e) => match field_errors(e) {
            Ok(errors) => {
                let message = errors
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                tracing::warn!(user = %staff.0.user.email, %message, "console: action refused");
                refuse(message, StatusCode::CONFLICT).await
            }
            Err(r) => r,
        },
    }
}

/// The action a button names, with its fields; `Err(None)` for no such action, `Err(Some(_))`
/// for a field to fix.
fn parse_action(state: &AppState, form: &Form, name: &str) -> Result<Action, Option<String>> {
    let parse = |field: &str| -> Result<Option<DateTime<Utc>>, String> {
        let raw = form.get(field);
        if raw.is_empty() {
            return Ok(None);
        }
        api::parse_time_public(state, field, raw)
            .map(Some)
            .map_err(|e| format!("{}: {}", e.field, e.message))
    };
    let max = state.settings.raw.notice.max_window_hours;
    match name {
        "publish" => Ok(Action::Publish),
        "start" => Ok(Action::Start),
        "complete" => Ok(Action::Complete),
        "cancel" => Ok(Action::Cancel),
        "extend" => match parse("ends_at") {
            Ok(Some(t)) => Ok(Action::Extend { ends_at: t }),
            Ok(None) => Err("ends_at: give the new end".to_string()),
            Err(e) => Err(e),
        },
        "reschedule" => match (parse("starts_at"), parse("ends_at")) {
            (Ok(Some(s)), Ok(Some(e))) => Window::new(s, e, max)
                .map(|window| Action::Reschedule { window })
                .map_err(|(f, m)| format!("{f}: {m}")),
            (Err(e), _) | (_, Err(e)) => Err(e),
            _ => Err("starts_at and ends_at: give the new window".to_string()),
        },
        "update" => match form.get("status") {
            "" => Ok(Action::Post { state: None }),
            s => NoticeState::parse(s)
                .map(|st| Action::Post { state: Some(st) })
                .map_err(|m| format!("status: {m}")),
        },
        _ => return Err(None),
    }
    .map_err(Some)
}

pub struct ServiceRow {
    code: String,
    name_en: String,
    name_sw: String,
    group: String,
    position: i64,
    status: &'static str,
    derived: &'static str,
}

#[derive(Template)]
#[template(path = "console/services.html")]
struct ServicesPage {
    user: Option<UserView>,
    csrf: String,
    /// The forms' one-time token.
    once: String,
    flash: Option<String>,
    error: Option<String>,
    services: Vec<ServiceRow>,
    statuses: Vec<(&'static str, &'static str)>,
    has_sw: bool,
    can_edit: bool,
}

async fn services_page(
    state: &AppState,
    staff: &Staff,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let snapshot = state.snapshot.load();
    let derived = crate::domain::status::service_statuses(
        &snapshot.data().services,
        &snapshot.data().notices,
    );
    let list = match state.store.list_services().await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_response(),
    };
    let page = ServicesPage {
        user: user_view(staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        error,
        services: list
            .iter()
            .map(|s| ServiceRow {
                code: s.code.to_string(),
                name_en: s.name.0.get(&Lang::En).cloned().unwrap_or_default(),
                name_sw: s.name.0.get(&Lang::Sw).cloned().unwrap_or_default(),
                group: s.group.clone(),
                position: s.position,
                status: s.status.as_str(),
                derived: derived.get(&s.code).copied().unwrap_or(s.status).as_str(),
            })
            .collect(),
        statuses: ServiceStatus::ALL
            .iter()
            .map(|s| (s.as_str(), i18n::status_label(Lang::En, *s)))
            .collect(),
        has_sw: state.settings.languages.contains(&Lang::Sw),
        can_edit: staff.0.user.role >= Role::Admin,
    };
    (status, html(page)).into_response()
}

async fn services(State(state): State<AppState>, staff: Staff) -> Response {
    services_page(&state, &staff, None, StatusCode::OK).await
}

/// Saves one row of the services table through the same checks as the API.
async fn save_service(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(r) = staff.require(Role::Admin) {
        return r;
    }
    let form = Form::parse(&body);
    if let Err(r) = staff.check_csrf(&form) {
        return r;
    }
    let position = match form.get("position").trim().parse::<i64>() {
        Ok(p) => Some(p),
        Err(_) => {
            return services_page(
                &state,
                &staff,
                Some(format!("{code}: position must be a whole number")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let input = api::ServicePatch {
        name: form.localized("name"),
        group: Some(form.get("group").to_string()),
        position,
        status: Some(form.get("status").to_string()),
    };
    if let Err(r) = claim_form(&state, &staff, &form, "/console/services").await {
        return r;
    }
    match api::save_service(&state, &staff.actor(), &code, input).await {
        Ok(s) => {
            done(
                &state,
                &staff,
                "/console/services",
                &format!("Saved {}.", s.code),
            )
            .await
        }
        Err(e) => {
            release_form(&state, &form).await;
            match field_errors(e) {
                Ok(errors) => {
                    let message = errors
                        .iter()
                        .map(|(k, v)| format!("{code} {k}: {v}"))
                        .collect::<Vec<_>>()
                        .join("; ");
                    services_page(
                        &state,
                        &staff,
                        Some(message),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Err(r) => r,
            }
        }
    }
}

pub struct FoundSubscriber {
    address: String,
    state: &'static str,
    language: &'static str,
    services: String,
    created: String,
    source: String,
    confirmed: String,
}

#[derive(Template)]
#[template(path = "console/subscribers.html")]
struct SubscribersPage {
    user: Option<UserView>,
    csrf: String,
    flash: Option<String>,
    counts: Vec<(String, String, String, i64)>,
    per_service: Vec<(String, i64, i64)>,
    query: String,
    found: Option<FoundSubscriber>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct AddressQuery {
    address: Option<String>,
}

/// Counts, and one subscriber found by exact address (never a list of addresses).
async fn subscribers(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AddressQuery>,
) -> Response {
    if let Err(r) = staff.require(Role::Viewer) {
        return r;
    }
    let counts = match state.store.subscriber_counts().await {
        Ok(c) => c,
        Err(e) => return AppError::from(e).into_response(),
    };
    let snapshot = state.snapshot.load();
    let lang = state.settings.default_lang();
    let mut per_service = Vec::new();
    for s in &snapshot.data().services {
        match state.store.audience(std::slice::from_ref(&s.code)).await {
            Ok((sms, email)) => per_service.push((s.name.get(lang).to_string(), sms, email)),
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let query = q.address.unwrap_or_default().trim().to_string();
    let (mut found, mut error) = (None, None);
    if !query.is_empty() {
        let sub = &state.settings.raw.subscribers;
        match crate::domain::subscriber::Address::parse(
            &query,
            &sub.default_country,
            &state.settings.allowed_countries,
        ) {
            Err(e) => error = Some(e),
            Ok(address) => match state.store.find_subscriber(&address).await {
                Ok(Some(s)) => {
                    let f = face(&state);
                    let actor = staff.actor();
                    let _ = state
                        .store
                        .audit(
                            Audit {
                                actor: &actor,
                                action: "subscriber.lookup",
                                target: format!("subscriber:{}", s.id),
                                before: None,
                                after: None,
                                detail: String::new(),
                            },
                            state.clock.now(),
                        )
                        .await;
                    found = Some(FoundSubscriber {
                        address: s.address.value.clone(),
                        state: s.state.as_str(),
                        language: s.language.native_name(),
                        services: match &s.services {
                            None => "all services".into(),
                            Some(list) => list
                                .iter()
                                .map(|c| c.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                        },
                        created: f.instant(s.created_at),
                        source: s.source.clone(),
                        confirmed: s
                            .confirmed_at
                            .map(|t| f.instant(t))
                            .unwrap_or_else(|| "not yet".into()),
                    });
                }
                Ok(None) => {
                    error = Some(format!("No subscriber has the address {}.", address.value))
                }
                Err(e) => return AppError::from(e).into_response(),
            },
        }
    }
    html(SubscribersPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        flash: staff.flash(),
        counts,
        per_service,
        query,
        found,
        error,
    })
}

#[derive(Template)]
#[template(path = "console/import.html")]
struct ImportPage {
    user: Option<UserView>,
    csrf: String,
    /// The form's one-time token.
    once: String,
    flash: Option<String>,
    error: Option<String>,
}

async fn import_form(staff: Staff) -> Response {
    if let Err(r) = staff.require(Role::Admin) {
        return r;
    }
    html(ImportPage {
        user: user_view(&staff),
        csrf: staff.csrf().to_string(),
        once: form_token(),
        flash: staff.flash(),
        error: None,
    })
}

/// The upload is streamed to a temporary file, then imported like `tangazo subscribers import`.
async fn import_upload(
    State(state): State<AppState>,
    staff: Staff,
    mut multipart: axum::extract::Multipart,
) -> Response {
    const BACK: &str = "/console/subscribers/import";
    if let Err(r) = staff.require(Role::Admin) {
        return r;
    }
    let page = |status: StatusCode, error: String| {
        (
            status,
            html(ImportPage {
                user: user_view(&staff),
                csrf: staff.csrf().to_string(),
                once: form_token(),
                flash: None,
                error: Some(error),
            }),
        )
            .into_response()
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return AppError::Internal(e.into()).into_response(),
    };
    let path = dir.path().join("upload.csv");
    let mut csrf_ok = false;
    let mut once = String::new();
    let mut got_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return page(StatusCode::BAD_REQUEST, format!("The upload failed: {e}"));
            }
        };
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.unwrap_or_default();
                csrf_ok = super::secrets_equal(&v, staff.csrf());
            }
            Some("once") => once = field.text().await.unwrap_or_default(),
            Some("file") if csrf_ok => {
                use tokio::io::AsyncWriteExt;
                let mut out = match tokio::fs::File::create(&path).await {
                    Ok(f) => f,
                    Err(e) => return AppError::Internal(e.into()).into_response(),
                };
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(bytes)) => {
                            if let Err(e) = out.write_all(&bytes).await {
                                return AppError::Internal(e.into()).into_response();
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            return page(
                                StatusCode::BAD_REQUEST,
                                format!("The upload failed: {e}"),
                            );
                        }
                    }
                }
                let _ = out.flush().await;
                got_file = true;
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return page(
            StatusCode::FORBIDDEN,
            "The form expired (missing or wrong CSRF token). Reload and try again.".into(),
        );
    }
    if !got_file {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "file: choose a CSV file".into(),
        );
    }
    let form = Form(vec![("once".into(), once)]);
    if let Err(r) = claim_form(&state, &staff, &form, BACK).await {
        return r;
    }
    match crate::import::import_csv(
        &state.store,
        &state.settings,
        &path,
        state.clock.now(),
        |_| {},
    )
    .await
    {
        Ok(r) => {
            let actor = staff.actor();
            let _ = state
                .store
                .audit(
                    Audit {
                        actor: &actor,
                        action: "subscriber.import",
                        target: "subscribers".into(),
                        before: None,
                        after: None,
                        detail: format!("{} rows, {} new", r.rows, r.inserted),
                    },
                    state.clock.now(),
                )
                .await;
            let message = format!(
                "{} rows: {} new subscribers, {} already present.",
                r.rows,
                r.inserted,
                r.rows - r.inserted
            );
            done(&state, &staff, BACK, &message).await
        }
        Err(e) => {
            release_form(&state, &form).await;
            page(StatusCode::UNPROCESSABLE_ENTITY, format!("{e:#}"))
        }
    }
}

async fn form_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../static/form.js"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;
    use proptest::prelude::*;

    /// What a login may redirect to: `/console` itself, or a console path that is a valid
    /// header and that a browser resolves inside `/console` on this host.
    fn allowed_target(to: &str) -> bool {
        let base = url::Url::parse("http://console.invalid/").unwrap();
        let resolved = base.join(to).unwrap();
        axum::http::HeaderValue::from_str(to).is_ok()
            && !to.chars().any(char::is_control)
            && resolved.host_str() == Some("console.invalid")
            && (resolved.path() == "/console" || resolved.path().starts_with("/console/"))
    }

    proptest! {
        /// A `next` with a control character anywhere is refused, and the login goes to the
        /// console.
        #[test]
        fn control_characters_go_to_the_console(
            before in "/console[a-z/?=&%.]{0,20}",
            control in prop::char::range('\0', '\u{1f}').prop_union(prop::char::range('\u{7f}', '\u{9f}')),
            after in "[ -~]{0,20}",
        ) {
            let next = format!("{before}{control}{after}");
            prop_assert_eq!(safe_next(&next), "/console");
        }

        /// Whatever `next` is, the redirect is a valid header and stays in the console.
        #[test]
        fn any_next_stays_in_the_console(next in "\\PC{0,40}|/console[ -~\r\n\t]{0,40}|/[ -~]{0,40}") {
            prop_assert!(allowed_target(safe_next(&next)), "{next:?} → {:?}", safe_next(&next));
        }
    }

    #[test]
    fn console_paths_pass_and_others_do_not() {
        for ok in [
            "/console",
            "/console/audit",
            "/console/subscribers?address=0712%20000%20002",
            "/console/notices/0193a2b4-7c1d-7000-8000-000000000000",
        ] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "/console\r\nSet-Cookie: a=b",
            "/console\n",
            "/console/\t",
            "//evil.example/console",
            "/console/../public",
            "/console/%2e%2e/api/v1/tokens",
            "/consolex",
            "/console\\..\\x",
            "https://evil.example/console",
            "/console/é",
            "/console/ x",
            "",
        ] {
            assert_eq!(safe_next(bad), "/console", "{bad:?}");
        }
    }
}
