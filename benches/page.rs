//! Requests per second for the public page, against a baseline measured in the same run: a
//! minimal hyper server that returns the very same bytes with no routing, no headers logic and
//! no snapshot. The ratio (Tangazo / baseline) is what to compare across machines.
//!
//! Run: `cargo bench --bench page` (BENCH_SECONDS=5 and BENCH_CONNECTIONS=32 by default).
//! Both servers and the load generator share this process and its cores, so the ratio, not
//! the absolute numbers, is the result.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tangazo::clock::{Clock, SystemClock};
use tangazo::config::Config;
use tangazo::store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One keep-alive connection sending GETs back to back until `deadline`.
async fn client(addr: SocketAddr, request: Arc<Vec<u8>>, deadline: Instant) -> (u64, u64) {
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

async fn load(addr: SocketAddr, extra_headers: &str, conns: u64, seconds: u64) -> (f64, f64) {
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

async fn baseline(body: Bytes) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            stream.set_nodelay(true).unwrap();
            let body = body.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "text/html; charset=utf-8")
                                .body(Full::new(body))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

fn main() {
    let seconds = env_or("BENCH_SECONDS", 5);
    let conns = env_or("BENCH_CONNECTIONS", 32);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let settings = Config::load(None, [("TANGAZO_DATABASE_URL".to_string(), url.clone())])
            .unwrap()
            .validate()
            .unwrap();
        let store = Store::open(&url, 4).await.unwrap();
        tangazo::demo::load(&store, &settings, SystemClock.now())
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let running = tangazo::start(
            settings,
            store,
            Arc::new(SystemClock),
            listener,
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let page = running
            .state
            .snapshot
            .load()
            .page(tangazo::domain::Lang::En, "/")
            .unwrap();
        let base = baseline(page.identity.clone()).await;

        println!(
            "page: demo index, {} bytes identity; {conns} connections, {seconds} s per run",
            page.identity.len()
        );
        // Rounds alternate the order so neither side always runs on a warmer machine; the
        // median of the per-round ratios resists a noisy neighbour better than one long run.
        let rounds = env_or("BENCH_ROUNDS", 3);
        let mut ratios = Vec::new();
        for round in 0..rounds {
            let (t, b) = if round % 2 == 0 {
                let t = load(running.addr, "", conns, seconds).await.0;
                (t, load(base, "", conns, seconds).await.0)
            } else {
                let b = load(base, "", conns, seconds).await.0;
                (load(running.addr, "", conns, seconds).await.0, b)
            };
            println!(
                "round {}: tangazo {t:>8.0} req/s, baseline {b:>8.0} req/s, ratio {:.2}",
                round + 1,
                t / b
            );
            ratios.push(t / b);
        }
        ratios.sort_by(f64::total_cmp);
        let br = load(
            running.addr,
            "Accept-Encoding: gzip, br\r\n",
            conns,
            seconds,
        )
        .await;
        println!(
            "tangazo GET / with brotli: {:.0} req/s ({:.1} KB/response instead of {:.1} KB)",
            br.0,
            br.1 / 1024.0,
            page.identity.len() as f64 / 1024.0
        );
        println!(
            "median ratio tangazo/baseline: {:.2}",
            ratios[ratios.len() / 2]
        );
        running.cancel.cancel();
    });
}
