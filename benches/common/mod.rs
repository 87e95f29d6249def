//! What the benches share: their settings from `BENCH_*` variables, a demo database, the
//! subscribers they import, the maintenance window they publish, and the load generator that
//! sends `GET /` over keep-alive connections. Each bench includes it with `mod common;`.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tangazo::clock::{Clock, SystemClock};
use tangazo::config::{Config, Settings};
use tangazo::domain::subscriber::{Address, Channel};
use tangazo::domain::{
    Action, Affected, Lang, Localized, NoticeId, NoticeKind, Service, ServiceCode, ServiceStatus,
    Update,
};
use tangazo::store::{NewNotice, NewSubscriber, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A bench setting: the number in the environment variable `name`, else `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A SQLite database `file` in `dir` with the demo's services and notices, and default
/// settings pointing at it.
pub async fn demo_store(dir: &std::path::Path, file: &str) -> (String, Settings, Store) {
    let url = format!("sqlite://{}", dir.join(file).display());
    let settings = Config::load(None, [("TANGAZO_DATABASE_URL".to_string(), url.clone())])
        .unwrap()
        .validate()
        .unwrap();
    let store = Store::open(&url, 4).await.unwrap();
    tangazo::demo::load(&store, &settings, SystemClock.now())
        .await
        .unwrap();
    (url, settings, store)
}

/// Imports `n` confirmed subscribers, subscriber `i` being `subscriber(i)`, in batches of 500
/// as `tangazo import` writes them.
pub async fn import(
    store: &Store,
    n: usize,
    now: DateTime<Utc>,
    mut subscriber: impl FnMut(usize) -> NewSubscriber,
) {
    let mut import = store.begin_import().await.unwrap();
    let mut batch = Vec::with_capacity(500);
    for i in 0..n {
        batch.push(subscriber(i));
        if batch.len() == 500 {
            import.add(&batch, now).await.unwrap();
            batch.clear();
        }
    }
    import.add(&batch, now).await.unwrap();
    import.commit().await.unwrap();
}

/// Subscriber `i` of a mixed audience: every fourth by email, the rest by SMS; every third in
/// English, the rest in Swahili; confirmed, following `services` (all when `None`).
pub fn mixed_subscriber(
    i: usize,
    services: Option<Vec<ServiceCode>>,
    now: DateTime<Utc>,
) -> NewSubscriber {
    let (channel, value) = if i.is_multiple_of(4) {
        (Channel::Email, format!("user{i}@example.co.ke"))
    } else {
        (Channel::Sms, format!("+2547{:08}", i))
    };
    NewSubscriber {
        address: Address { channel, value },
        language: if i.is_multiple_of(3) {
            Lang::En
        } else {
            Lang::Sw
        },
        services,
        source: "import",
        confirmed: true,
        expires_at: now,
    }
}

/// A draft two-hour maintenance window titled `title`, from `start`, on `services`.
pub async fn draft_window(
    store: &Store,
    title: impl Into<String>,
    services: &[ServiceCode],
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> NoticeId {
    store
        .create_notice(
            &NewNotice {
                kind: NoticeKind::Maintenance,
                title: Localized::single(Lang::En, title.into()),
                still_works: Localized::default(),
                draft_body: Localized::single(Lang::En, "Finish urgent payments first."),
                draft_overrides: Default::default(),
                affected: services
                    .iter()
                    .map(|c| Affected {
                        service: c.clone(),
                        impact: ServiceStatus::UnderMaintenance,
                    })
                    .collect(),
                starts_at: Some(start),
                ends_at: Some(start + chrono::Duration::hours(2)),
                auto_start: true,
                auto_complete: false,
            },
            "bench",
            now,
        )
        .await
        .unwrap()
        .id
}

/// Publishes draft `id` through the application layer, as staff do (the action and its
/// fan-out, in one transaction): what it applied. `services` are the store's, listed before so
/// that a timed publish times only itself.
pub async fn publish_applied(
    store: &Store,
    settings: &Settings,
    services: &[Service],
    id: &NoticeId,
    now: DateTime<Utc>,
) -> tangazo::store::Applied {
    let ctx = tangazo::app::notices::Ctx {
        store,
        settings,
        services,
        actor: "bench",
        now,
        four_eyes: false,
    };
    let target = tangazo::app::notices::Target::Stored(id, None);
    tangazo::app::notices::apply(&ctx, target, Action::Publish, Default::default())
        .await
        .unwrap()
}

/// [`publish_applied`]: the draft's first update.
pub async fn publish(
    store: &Store,
    settings: &Settings,
    services: &[Service],
    id: &NoticeId,
    now: DateTime<Utc>,
) -> Update {
    publish_applied(store, settings, services, id, now)
        .await
        .update
}

/// One keep-alive connection sending `request` back to back until `deadline`: the requests
/// answered and the bytes of their bodies.
pub async fn client(addr: SocketAddr, request: Arc<Vec<u8>>, deadline: Instant) -> (u64, u64) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 256 * 1024];
    let (mut requests, mut bytes) = (0u64, 0u64);
    while Instant::now() < deadline {
        s.write_all(&request).await.expect("write");
        let mut filled = 0;
        let (head_end, length) = loop {
            let n = s.read(&mut buf[filled..]).await.expect("read");
            assert!(n > 0, "server closed the connection");
            filled += n;
            if let Some(pos) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buf[..pos]).expect("ascii head");
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .expect("content-length");
                break (pos + 4, length);
            }
        };
        while filled < head_end + length {
            let n = s.read(&mut buf[filled..]).await.expect("read body");
            assert!(n > 0);
            filled += n;
        }
        requests += 1;
        bytes += length as u64;
    }
    (requests, bytes)
}

/// `GET /` with `extra_headers` from `conns` connections for `seconds`, after a short warm-up:
/// requests per second and bytes per response.
pub async fn load(addr: SocketAddr, extra_headers: &str, conns: u64, seconds: u64) -> (f64, f64) {
    let request =
        Arc::new(format!("GET / HTTP/1.1\r\nHost: bench\r\n{extra_headers}\r\n").into_bytes());
    // Warm up connections and caches.
    client(
        addr,
        request.clone(),
        Instant::now() + Duration::from_millis(200),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..conns)
        .map(|_| tokio::spawn(client(addr, request.clone(), deadline)))
        .collect();
    let (mut req, mut bytes) = (0, 0);
    for t in tasks {
        let (r, b) = t.await.unwrap();
        req += r;
        bytes += b;
    }
    let secs = started.elapsed().as_secs_f64();
    (req as f64 / secs, bytes as f64 / req.max(1) as f64)
}
