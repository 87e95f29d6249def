//! The in-memory public site. Every public response is a pre-rendered, pre-compressed
//! [`Asset`] looked up in the current [`Snapshot`]; no view touches the database.
//!
//! A snapshot is rebuilt (never patched) when the database revision moves, when a window's
//! planned end passes (so "overrunning" appears on time), and at least once a minute (so
//! durations such as "running 2 h late" stay true). Writes through this process rebuild before
//! they answer, so staff see their change at once; other instances notice the revision within
//! a second.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::http::HeaderValue;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::{Lang, RefCode, SnapshotData};
use crate::render::{LinkStyle, View};
use crate::store::Store;

/// One response body in every encoding we serve, with its validators.
#[derive(Debug)]
pub struct Asset {
    pub status: u16,
    pub content_type: &'static str,
    pub identity: Bytes,
    pub gzip: Option<Bytes>,
    pub br: Option<Bytes>,
    /// Hex digest of the identity body; the ETag of each encoding adds a suffix.
    pub digest: String,
    /// Strong ETags for identity, gzip and brotli, built once rather than per request.
    pub etags: [HeaderValue; 3],
}

fn etags(digest: &str) -> [HeaderValue; 3] {
    ["", "-gz", "-br"].map(|suffix| {
        HeaderValue::from_str(&format!("\"{digest}{suffix}\""))
            .expect("hex digest is a valid header")
    })
}

pub const HTML: &str = "text/html; charset=utf-8";
pub const JSON: &str = "application/json";
pub const ATOM: &str = "application/atom+xml; charset=utf-8";
pub const RSS: &str = "application/rss+xml; charset=utf-8";
pub const ICS: &str = "text/calendar; charset=utf-8";

impl Asset {
    pub fn new(status: u16, content_type: &'static str, body: String) -> Asset {
        let identity = Bytes::from(body);
        let digest = hex::encode(&Sha256::digest(&identity)[..12]);
        // Tiny bodies are not worth the CPU on either side.
        let (gzip, br) = if identity.len() >= 256 {
            (Some(gzip(&identity)), Some(brotli(&identity)))
        } else {
            (None, None)
        };
        Asset {
            status,
            content_type,
            identity,
            gzip,
            br,
            etags: etags(&digest),
            digest,
        }
    }
}

impl Asset {
    /// An asset rendered for one request: compressing it would cost more than it saves.
    pub fn uncompressed(status: u16, content_type: &'static str, body: String) -> Asset {
        let identity = Bytes::from(body);
        let digest = hex::encode(&Sha256::digest(&identity)[..12]);
        Asset {
            status,
            content_type,
            identity,
            gzip: None,
            br: None,
            etags: etags(&digest),
            digest,
        }
    }
}

fn gzip(data: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    enc.write_all(data).expect("writing to memory");
    Bytes::from(enc.finish().expect("writing to memory"))
}

fn brotli(data: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 6, 22);
        w.write_all(data).expect("writing to memory");
    }
    Bytes::from(out)
}

pub struct Snapshot {
    pub revision: i64,
    pub built_at: DateTime<Utc>,
    /// The next instant at which derived state changes without a write (a planned end).
    pub next_boundary: Option<DateTime<Utc>>,
    assets: HashMap<String, Arc<Asset>>,
    data: SnapshotData,
    settings: Arc<Settings>,
}

fn html_key(lang: Lang, path: &str) -> String {
    format!("{}|{}", lang.code(), path)
}

impl Snapshot {
    pub fn build(data: SnapshotData, settings: Arc<Settings>, now: DateTime<Utc>) -> Snapshot {
        let mut assets = HashMap::new();
        {
            let view = View::new(&data, &settings, now, LinkStyle::Live);
            for &lang in &settings.languages {
                assets.insert(
                    html_key(lang, "/"),
                    Arc::new(Asset::new(200, HTML, view.index_html(lang))),
                );
                assets.insert(
                    html_key(lang, "/notices"),
                    Arc::new(Asset::new(200, HTML, view.list_html(lang))),
                );
                assets.insert(
                    html_key(lang, "404"),
                    Arc::new(Asset::new(404, HTML, view.not_found_html(lang))),
                );
                for n in &data.notices {
                    let html = Arc::new(Asset::new(200, HTML, view.notice_html(lang, n)));
                    assets.insert(html_key(lang, &format!("/notices/{}", n.id)), html.clone());
                    assets.insert(html_key(lang, &format!("/notices/{}", n.reference)), html);
                }
            }
            for (path, doc) in view.statuspage_documents() {
                assets.insert(
                    path.to_string(),
                    Arc::new(Asset::new(200, JSON, doc.to_string())),
                );
            }
            for &lang in &settings.languages {
                assets.insert(
                    html_key(lang, "/history.atom"),
                    Arc::new(Asset::new(200, ATOM, view.atom(lang))),
                );
                assets.insert(
                    html_key(lang, "/history.rss"),
                    Arc::new(Asset::new(200, RSS, view.rss(lang))),
                );
                assets.insert(
                    html_key(lang, "/maintenance.ics"),
                    Arc::new(Asset::new(200, ICS, view.ics(lang))),
                );
            }
        }
        let next_boundary = data
            .notices
            .iter()
            .filter(|n| n.state.is_active())
            .filter_map(|n| n.ends_at)
            .filter(|e| *e > now)
            .min();
        Snapshot {
            revision: data.revision,
            built_at: now,
            next_boundary,
            assets,
            data,
            settings,
        }
    }

    pub fn page(&self, lang: Lang, path: &str) -> Option<Arc<Asset>> {
        self.assets.get(&html_key(lang, path)).cloned()
    }

    pub fn not_found(&self, lang: Lang) -> Arc<Asset> {
        self.page(lang, "404").expect("404 page is always built")
    }

    pub fn file(&self, path: &str) -> Option<Arc<Asset>> {
        self.assets.get(path).cloned()
    }

    /// `/verify/{code}`: answered from memory for any code, official or not. Rendered per
    /// request (it is small) rather than pre-rendered for every code ever issued.
    pub fn verify(&self, lang: Lang, raw: &str) -> Asset {
        let view = View::new(&self.data, &self.settings, self.built_at, LinkStyle::Live);
        let code = RefCode::parse(raw);
        let entry = code.as_ref().and_then(|c| self.data.references.get(c));
        let shown = code
            .map(|c| c.to_string())
            .unwrap_or_else(|| raw.trim().to_string());
        let status = if entry.is_some() { 200 } else { 404 };
        Asset::uncompressed(status, HTML, view.verify_html(lang, &shown, entry))
    }

    pub fn languages(&self) -> &[Lang] {
        &self.settings.languages
    }

    pub fn default_lang(&self) -> Lang {
        self.settings.default_lang()
    }

    pub fn data(&self) -> &SnapshotData {
        &self.data
    }
}

/// Holds the current snapshot and rebuilds it.
pub struct SnapshotHandle {
    current: ArcSwap<Snapshot>,
    store: Store,
    settings: Arc<Settings>,
    clock: Arc<dyn Clock>,
    /// One rebuild at a time; a caller that waited finds the work already done.
    rebuild: tokio::sync::Mutex<()>,
    pub rebuilds: AtomicU64,
}

impl SnapshotHandle {
    pub async fn new(
        store: Store,
        settings: Arc<Settings>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Arc<SnapshotHandle>> {
        let first = Self::build(&store, &settings, clock.now()).await?;
        Ok(Arc::new(SnapshotHandle {
            current: ArcSwap::from_pointee(first),
            store,
            settings,
            clock,
            rebuild: tokio::sync::Mutex::new(()),
            rebuilds: AtomicU64::new(1),
        }))
    }

    async fn build(
        store: &Store,
        settings: &Arc<Settings>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Snapshot> {
        let data = store.snapshot_data(settings.raw.page.history_size).await?;
        let settings = settings.clone();
        // Rendering and compressing is CPU work: keep it off the request threads.
        Ok(tokio::task::spawn_blocking(move || Snapshot::build(data, settings, now)).await?)
    }

    pub fn load(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Rebuilds now from the database.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        let _guard = self.rebuild.lock().await;
        let next = Self::build(&self.store, &self.settings, self.clock.now()).await?;
        self.current.store(Arc::new(next));
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Polls the revision once a second and rebuilds when something changed.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tick.tick() => {}
            }
            let snap = self.load();
            let now = self.clock.now();
            let stale = match self.store.revision().await {
                Ok(rev) => rev != snap.revision,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the revision; serving the last snapshot");
                    false
                }
            };
            let due = snap.next_boundary.is_some_and(|b| now >= b)
                || now - snap.built_at >= chrono::Duration::seconds(60);
            if (stale || due)
                && let Err(e) = self.refresh().await
            {
                tracing::warn!(error = %e, "snapshot rebuild failed; serving the last snapshot");
            }
        }
    }
}
