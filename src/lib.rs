//! Tangazo: a status page and announcement service for a mobile-money platform.
//!
//! `main.rs` only parses the command line; everything runs from here so tests drive the same
//! code the binary does.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod locale;
pub mod render;
pub mod scheduler;
pub mod snapshot;
pub mod store;
pub mod web;

/// Subscriber imports and exports, under the application layer (`app::import`, `app::export`).
pub use app::{export, import};

/// mimalloc instead of glibc's malloc for every binary built on this crate (the service, its
/// tests and benchmarks): the delivery workers allocate and free small buffers on both cores
/// at once, and glibc's arena locks and consolidation then cost a large share of the CPU
/// (docs/adr/0004-mimalloc.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;

use anyhow::Context;
use futures_util::FutureExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::Settings;
use crate::snapshot::SnapshotHandle;
use crate::store::Store;
use crate::web::{AppState, Metrics};

/// A running server: its address, its state (for tests) and how to stop it.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub state: AppState,
    pub cancel: CancellationToken,
    pub handle: JoinHandle<anyhow::Result<()>>,
    /// The delivery workers (none with `delivery.workers = false`); they finish the batches in
    /// flight after `cancel`.
    pub workers: Vec<JoinHandle<()>>,
}

/// Builds the state and serves on `listener` until `cancel` fires.
pub async fn start(
    settings: Settings,
    store: Store,
    clock: Arc<dyn Clock>,
    listener: TcpListener,
    cancel: CancellationToken,
) -> anyhow::Result<Running> {
    let settings = Arc::new(settings);
    let store = store.with_schedule_policy(settings.schedule_policy());
    let snapshot = SnapshotHandle::new(store.clone(), settings.clone(), clock.clone())
        .await
        .context("building the first snapshot")?;
    let max_age = settings.raw.page.cache_max_age;
    let cache_control = axum::http::HeaderValue::from_str(&format!(
        "public, max-age={max_age}, stale-while-revalidate={}",
        max_age.max(1) * 6
    ))
    .expect("numbers make a valid header");
    let outbound = Arc::new(delivery::Outbound::new(settings.clone())?);
    let link_key = Arc::new(store.instance_secret("link_hmac").await?);
    let deliveries = Arc::new(delivery::metrics::DeliveryMetrics::default());
    let mut workers = Vec::new();
    if settings.raw.delivery.workers {
        workers = delivery::spawn_all(
            delivery::worker::Ctx {
                store: store.clone(),
                settings: settings.clone(),
                clock: clock.clone(),
                outbound: outbound.clone(),
                link_key: link_key.clone(),
                metrics: deliveries.clone(),
                worker_id: worker_id(),
            },
            cancel.clone(),
        );
    }
    let settings_api_rate = settings.raw.server.api_requests_per_minute;
    let state = AppState {
        app: app::App {
            settings,
            store,
            snapshot: snapshot.clone(),
            clock,
            outbound,
        },
        deliveries,
        link_key,
        login_throttle: Default::default(),
        cache_control,
        metrics: Arc::new(Metrics::default()),
        readiness: Default::default(),
        api_limiter: Arc::new(web::api::extract::ApiLimiter::new(settings_api_rate)),
    };
    let addr = listener.local_addr()?;
    tokio::spawn(snapshot.run(cancel.clone()));
    tokio::spawn(expire_signups(state.clone(), cancel.clone()));
    if state.settings.raw.scheduler.enabled {
        tokio::spawn(scheduler::run(state.app.clone(), cancel.clone()));
    }
    if state.store.backend() == store::Backend::Sqlite {
        tokio::spawn(tidy_imports(state.store.clone(), cancel.clone()));
    }
    let app = web::router(state.clone());
    let limits = web::server::Limits::from_config(&state.settings.raw.server);
    let handle = tokio::spawn(
        web::server::serve(listener, app, limits, cancel.clone()).map(|r| r.context("HTTP server")),
    );
    Ok(Running {
        addr,
        state,
        cancel,
        handle,
        workers,
    })
}

/// Names this process in the attempts log: host and pid.
pub fn worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!("{host}:{}", std::process::id())
}

/// Runs only the delivery workers (`tangazo worker`) until `cancel` fires, then waits for the
/// batches in flight to be recorded.
pub async fn run_workers(
    settings: Settings,
    store: Store,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let settings = Arc::new(settings);
    let outbound = Arc::new(delivery::Outbound::new(settings.clone())?);
    let link_key = Arc::new(store.instance_secret("link_hmac").await?);
    let handles = delivery::spawn_all(
        delivery::worker::Ctx {
            store,
            settings,
            clock,
            outbound: outbound.clone(),
            link_key,
            metrics: Arc::new(delivery::metrics::DeliveryMetrics::default()),
            worker_id: worker_id(),
        },
        cancel,
    );
    for h in handles {
        h.await.context("a delivery worker panicked")?;
    }
    outbound.close().await;
    Ok(())
}

/// Removes the rows of subscriber imports that were killed or failed, and finishes making
/// live ones plain (see `store::Import`), once a minute.
async fn tidy_imports(store: Store, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = store.tidy_imports(store::ABANDONED_AFTER).await {
            tracing::warn!(error = %e, "cannot tidy up after subscriber imports");
        }
    }
}

/// Unconfirmed sign-ups expire (`subscribers.confirm_hours`): checked every ten minutes.
async fn expire_signups(state: AppState, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        match state.store.expire_pending(state.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "unconfirmed sign-ups removed"),
            Err(e) => tracing::warn!(error = %e, "cannot remove expired sign-ups"),
        }
    }
}
