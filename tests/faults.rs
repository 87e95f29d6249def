//! Faults from outside the process: clients that hold connections without using them.

mod common;

use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Backend, TestApp, TestDb, poll_until, wait_until_true};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A draft notice as the API takes it (the services come from `TestApp::seed_services` or
/// the demo).
fn draft(title: &str, starts_in: chrono::Duration) -> Value {
    let start = Utc::now() + starts_in;
    json!({
        "kind": "maintenance",
        "title": {"en": title, "sw": format!("{title} (sw)")},
        "body": {"en": "Finish urgent payments first.", "sw": "Maliza malipo ya dharura kwanza."},
        "affected": [{"service": "send-money"}],
        "starts_at": start.to_rfc3339(),
        "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339(),
    })
}

fn tangazo() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tangazo"));
    // The test runner's own TANGAZO_* settings must not leak in.
    for (k, _) in std::env::vars() {
        if k.starts_with("TANGAZO_") {
            c.env_remove(k);
        }
    }
    c.env("RUST_LOG", "warn");
    c
}

/// Reads from `stream` until the peer closes it (`Ok`), or gives up after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Result<Duration, String> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        let left = limit.saturating_sub(started.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return Err(format!("still open after {limit:?}")),
            Ok(Ok(0)) | Ok(Err(_)) => return Ok(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// One request on an open connection, its answer read whole (by its Content-Length).
async fn exchange(stream: &mut TcpStream, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before the answer ended: {got:?}");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .expect("content-length");
            if body.len() >= length {
                return text;
            }
        }
    }
}

async fn connect_from(source: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(server).await.unwrap()
}

/// A client that sends half a request line, or trickles header bytes, is cut off once the
/// header timeout (here 1 s) has passed; one that sends its requests in time keeps its
/// connection for the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_slow_to_send_headers_are_cut_off() {
    let db = Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_SERVER_HEADER_TIMEOUT_SECONDS", "1")]).await;
    let addr = app.running.addr;

    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET / HT").await.unwrap();
    let after = closed_within(&mut half, Duration::from_secs(5)).await;
    let after = after.expect("half a request line is cut off");
    assert!(
        after >= Duration::from_millis(500),
        "closed after the timeout, not before: {after:?}"
    );

    let mut trickle = TcpStream::connect(addr).await.unwrap();
    trickle.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let writer = tokio::spawn(async move {
        for _ in 0..40 {
            if trickle.write_all(b"X").await.is_err() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("still accepting header bytes after 4 s")
    });
    writer
        .await
        .unwrap()
        .expect("a trickle of header bytes is cut off too");

    let mut kept = TcpStream::connect(addr).await.unwrap();
    for _ in 0..3 {
        let answer = exchange(&mut kept, "/healthz").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// One address holds at most `server.max_connections_per_ip` connections: the next is closed
/// at once, while another address is served, and a slot comes back when a connection ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_its_limit_of_connections() {
    let db = Arc::new(TestDb::new(Backend::Sqlite).await);
    let app = TestApp::spawn_on(db, &[("TANGAZO_SERVER_MAX_CONNECTIONS_PER_IP", "3")]).await;
    let addr = app.running.addr;

    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from("127.0.0.1", addr).await);
    }
    // Each of the three is served.
    for stream in &mut held {
        assert!(
            exchange(stream, "/healthz")
                .await
                .starts_with("HTTP/1.1 200")
        );
    }
    let mut fourth = connect_from("127.0.0.1", addr).await;
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), fourth.read_to_end(&mut answer)).await;
    assert!(
        answer.is_empty(),
        "a fourth connection from one address is closed unanswered: {}",
        String::from_utf8_lossy(&answer)
    );

    let mut other = connect_from("127.0.0.2", addr).await;
    assert!(
        exchange(&mut other, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );

    drop(held.pop());
    poll_until("a slot freed by a closed connection", 5, async || {
        let mut again = connect_from("127.0.0.1", addr).await;
        let _ = again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(2), again.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer).to_string();
        if answer.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(answer)
        }
    })
    .await;
}
