//! Public routes. Every handler picks an [`Asset`] from the current snapshot and sends the
//! encoding the client rates best (by its q-values; see [`encoding`](super::encoding)), with
//! `Vary: Accept-Encoding`, a strong ETag per encoding and 304 on a match.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::AppState;
use super::encoding::{self, Coding};
use super::metrics::Route;
use crate::domain::Lang;
use crate::snapshot::{Asset, Snapshot};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/notices", get(list))
        .route("/notices/{id}", get(notice))
        .route("/verify", get(verify_form))
        .route("/verify/{code}", get(verify))
        .route("/v/{code}", get(short_verify))
        .route("/api/v2/{*path}", get(statuspage))
        .route(
            "/history.atom",
            get(|s, q, h| file(s, q, h, "/history.atom", Route::Feed)),
        )
        .route(
            "/history.rss",
            get(|s, q, h| file(s, q, h, "/history.rss", Route::Feed)),
        )
        .route(
            "/maintenance.ics",
            get(|s, q, h| file(s, q, h, "/maintenance.ics", Route::Calendar)),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// `?lang=` first, then `Accept-Language`, then the page's default; a regional tag falls
/// back to its language (`fr-CD` → `fr`).
fn pick_lang(snap: &Snapshot, q: &LangQuery, headers: &HeaderMap) -> Lang {
    let offered = snap.languages();
    q.lang
        .as_deref()
        .and_then(|t| Lang::best_for(t, offered))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| Lang::negotiate(v, offered))
        })
        .unwrap_or(snap.default_lang())
}

/// The encoding of `asset` that the request's `Accept-Encoding` rates best (see
/// [`encoding`](super::encoding)).
fn negotiate(headers: &HeaderMap, asset: &Asset) -> Coding {
    let mut values = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .peekable();
    let sent = values.peek().is_some();
    encoding::choose(sent.then_some(values), |c| match c {
        Coding::Brotli => asset.br.is_some(),
        Coding::Gzip => asset.gzip.is_some(),
        Coding::Identity => true,
    })
}

fn send(state: &AppState, headers: &HeaderMap, asset: &Asset, vary_language: bool) -> Response {
    let coding = negotiate(headers, asset);
    let (etag, body) = match coding {
        Coding::Brotli => (&asset.etags[2], asset.br.clone()),
        Coding::Gzip => (&asset.etags[1], asset.gzip.clone()),
        Coding::Identity => (&asset.etags[0], Some(asset.identity.clone())),
    };
    let cache = if asset.status == 200 {
        state.cache_control.clone()
    } else {
        HeaderValue::from_static("public, max-age=5")
    };
    let vary = if vary_language {
        "Accept-Encoding, Accept-Language"
    } else {
        "Accept-Encoding"
    };
    let etag_str = etag.to_str().unwrap_or_default();
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim().trim_start_matches("W/");
                t == "*" || t == etag_str
            })
        });
    let mut builder = Response::builder()
        .header(header::ETAG, etag.clone())
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, vary);
    if matches && asset.status == 200 {
        state.metrics.not_modified();
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("valid response");
    }
    builder = builder
        .status(asset.status)
        .header(header::CONTENT_TYPE, asset.content_type);
    if let Some(ce) = coding.content_encoding() {
        builder = builder.header(header::CONTENT_ENCODING, ce);
    }
    if asset.content_type.starts_with("application/json") {
        // Statuspage widgets on other sites read these documents.
        builder = builder.header(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    builder
        .body(Body::from(body.unwrap_or_default()))
        .expect("valid response")
}

async fn index(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let snap = state.snapshot.load();
    let lang = pick_lang(&snap, &q, &headers);
    state.metrics.hit(Route::Index);
    let asset = snap.page(lang, "/").expect("index is always built");
    send(&state, &headers, &asset, true)
}

/// Every notice the page keeps: `/` shows the first few of each section and links here.
async fn list(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let snap = state.snapshot.load();
    let lang = pick_lang(&snap, &q, &headers);
    state.metrics.hit(Route::List);
    let asset = snap
        .page(lang, "/notices")
        .expect("the list is always built");
    send(&state, &headers, &asset, true)
}

async fn notice(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let snap = state.snapshot.load();
    let lang = pick_lang(&snap, &q, &headers);
    let key = crate::domain::RefCode::parse(&id)
        .map(|r| r.to_string())
        .unwrap_or(id);
    match snap.page(lang, &format!("/notices/{key}")) {
        Some(asset) => {
            state.metrics.hit(Route::Notice);
            send(&state, &headers, &asset, true)
        }
        None => {
            state.metrics.hit(Route::NotFound);
            send(&state, &headers, &snap.not_found(lang), true)
        }
    }
}

#[derive(Deserialize)]
struct VerifyQuery {
    code: Option<String>,
    lang: Option<String>,
}

/// The no-JavaScript form on the page submits here.
async fn verify_form(Query(q): Query<VerifyQuery>) -> Redirect {
    let code: String = q
        .code
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .map(|l| format!("?lang={}", l.code()))
        .unwrap_or_default();
    if code.is_empty() {
        return Redirect::to(&format!("/{lang}"));
    }
    Redirect::to(&format!("/verify/{code}{lang}"))
}

async fn verify(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let snap = state.snapshot.load();
    let lang = pick_lang(&snap, &q, &headers);
    state.metrics.hit(Route::Verify);
    let code: String = code.chars().take(40).collect();
    send(&state, &headers, &snap.verify(lang, &code), true)
}

/// The short link printed in every SMS.
async fn short_verify(Path(code): Path<String>) -> Redirect {
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    Redirect::permanent(&format!("/verify/{code}"))
}

async fn statuspage(
    State(state): State<AppState>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
    let snap = state.snapshot.load();
    match snap.file(&format!("/api/v2/{path}")) {
        Some(asset) => {
            state.metrics.hit(Route::Json);
            send(&state, &headers, &asset, false)
        }
        None => {
            state.metrics.hit(Route::NotFound);
            (
                StatusCode::NOT_FOUND,
                axum::Json(serde_json::json!({ "error": format!("no document /api/v2/{path}") })),
            )
                .into_response()
        }
    }
}

/// A feed or the calendar, in the language `?lang=` or `Accept-Language` picks.
async fn file(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    path: &'static str,
    route: Route,
) -> Response {
    let snap = state.snapshot.load();
    state.metrics.hit(route);
    let lang = pick_lang(&snap, &q, &headers);
    let asset = snap
        .page(lang, path)
        .expect("feeds are built in every language");
    send(&state, &headers, &asset, true)
}

/// Unknown paths: the 404 page in the visitor's language.
pub async fn not_found(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let snap = state.snapshot.load();
    let lang = pick_lang(&snap, &q, &headers);
    state.metrics.hit(Route::NotFound);
    send(&state, &headers, &snap.not_found(lang), true)
}

/// How long `/readyz` waits for its write: it answers within two seconds either way.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_millis(1500);

/// Ready when a write can begin and commit (see `Store::check_writable`); otherwise 503 with
/// the reason, e.g. `not ready: database or disk is full`.
/// `/readyz`'s probe writes a row, and anyone may call it: calls within [`READY_FRESH`] of a
/// probe that found writes working get that answer, and calls that arrive while a probe runs
/// wait for it, so a flood of checks costs at most two writes a second. A failed probe is not
/// kept: the next call looks again, so recovery shows at once.
#[derive(Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(std::time::Instant, Result<(), String>)>>,
    probes: std::sync::atomic::AtomicU64,
}

/// How long one probe's answer stands: short beside the 2 s in which `/readyz` must see a
/// fault, long beside a flood of calls.
const READY_FRESH: std::time::Duration = std::time::Duration::from_millis(500);

impl Readiness {
    /// Whether the database can write now: the last probe's answer if it is fresh, else a new
    /// probe's.
    pub async fn check(&self, store: &crate::store::Store) -> Result<(), String> {
        let mut last = self.last.lock().await;
        if let Some((at, Ok(()))) = last.as_ref()
            && at.elapsed() < READY_FRESH
        {
            return Ok(());
        }
        self.probes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let answer = store.check_writable(READY_WITHIN).await;
        *last = Some((std::time::Instant::now(), answer.clone()));
        answer
    }

    /// How many probes were written since start.
    pub fn probes(&self) -> u64 {
        self.probes.load(std::sync::atomic::Ordering::Relaxed)
    }
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.readiness.check(&state.store).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready: the database cannot write");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {reason}"),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    let mut body = state.metrics.render(&state.snapshot, now);
    let queue = match state.store.queue_depth().await {
        Ok(q) => q,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the outbox depth for /metrics");
            Vec::new()
        }
    };
    state.deliveries.render(&mut body, &queue, now);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
