//! Requests per second for the public page, against a baseline measured in the same run: a
//! minimal hyper server that returns the very same bytes with no routing, no headers logic and
//! no snapshot. The ratio (Tangazo / baseline) is what to compare across machines.
//!
//! Run: `cargo bench --bench page` (BENCH_SECONDS=5 and BENCH_CONNECTIONS=32 by default).
//! Both servers and the load generator share this process and its cores, so the ratio, not
//! the absolute numbers, is the result.

mod common;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use common::{env_or, load};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tangazo::clock::SystemClock;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

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
        let (_, settings, store) = common::demo_store(dir.path(), "bench.db").await;
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
