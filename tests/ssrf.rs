//! Webhook URLs cannot reach the operator's network: the address table, URL vetting, and the
//! webhook client against real servers on loopback that count what reaches them.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt;
use tangazo::delivery::ssrf::{
    Policy, check_resolved, check_url, classify, is_global, read_capped, webhook_client,
    webhook_client_with,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const STRICT: Policy = Policy {
    allow_private_networks: false,
    allow_http: false,
};
const HTTP_ONLY: Policy = Policy {
    allow_private_networks: false,
    allow_http: true,
};
const PRIVATE: Policy = Policy {
    allow_private_networks: true,
    allow_http: false,
};

#[test]
fn the_address_table() {
    // (address, refused as …); None means globally routable.
    let table: &[(&str, Option<&str>)] = &[
        ("8.8.8.8", None),
        ("1.1.1.1", None),
        ("100.63.255.255", None),
        ("100.64.0.1", Some("carrier-grade NAT")),
        ("100.127.255.255", Some("carrier-grade NAT")),
        ("100.128.0.0", None),
        ("172.15.255.255", None),
        ("172.16.0.1", Some("private")),
        ("172.31.255.255", Some("private")),
        ("172.32.0.0", None),
        ("10.0.0.5", Some("private")),
        ("192.168.1.1", Some("private")),
        ("192.169.0.1", None),
        ("127.0.0.1", Some("loopback")),
        ("127.255.255.254", Some("loopback")),
        ("169.254.169.254", Some("link-local (cloud metadata)")),
        ("169.254.1.1", Some("link-local")),
        ("0.0.0.0", Some("unspecified")),
        ("0.1.2.3", Some("\"this network\"")),
        ("255.255.255.255", Some("broadcast")),
        ("240.0.0.1", Some("reserved")),
        ("224.0.0.251", Some("multicast")),
        ("239.255.255.250", Some("multicast")),
        ("192.0.0.8", Some("IETF protocol assignment")),
        ("192.0.2.1", Some("documentation")),
        ("198.51.100.7", Some("documentation")),
        ("203.0.113.9", Some("documentation")),
        ("198.18.0.1", Some("benchmarking")),
        ("198.19.255.255", Some("benchmarking")),
        ("198.20.0.0", None),
        ("192.88.99.1", Some("6to4 relay anycast")),
        ("2606:4700:4700::1111", None),
        ("2a00:1450:4001:80b::200e", None),
        ("::1", Some("loopback")),
        ("::", Some("unspecified")),
        ("::ffff:127.0.0.1", Some("loopback")),
        ("::ffff:10.1.2.3", Some("private")),
        (
            "::ffff:169.254.169.254",
            Some("link-local (cloud metadata)"),
        ),
        ("::ffff:8.8.8.8", None),
        ("::127.0.0.1", Some("loopback")),
        ("::8.8.8.8", None),
        ("64:ff9b::a00:1", Some("private")),
        ("64:ff9b::808:808", None),
        ("64:ff9b:1::1", Some("local-use NAT64")),
        ("2002:7f00:1::", Some("loopback")),
        ("2002:c0a8:101::1", Some("private")),
        ("2002:808:808::1", None),
        ("2001::1", Some("Teredo")),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Some("Teredo")),
        ("2001:db8::1", Some("documentation")),
        ("2001:2::1", Some("benchmarking")),
        ("3fff::1", Some("documentation")),
        ("100::1", Some("discard-only")),
        ("fc00::1", Some("unique-local")),
        ("fd00:ec2::254", Some("unique-local (cloud metadata)")),
        ("fdff:ffff::1", Some("unique-local")),
        ("fe80::1", Some("link-local")),
        ("febf::1", Some("link-local")),
        ("fec0::1", Some("site-local")),
        ("ff02::1", Some("multicast")),
        ("4000::1", Some("reserved")),
    ];
    for (raw, expected) in table {
        let ip: IpAddr = raw.parse().unwrap();
        let got = classify(ip);
        match expected {
            None => assert_eq!(got, None, "{raw} should be global"),
            Some(prefix) => assert!(
                got.is_some_and(|label| label.starts_with(prefix)),
                "{raw}: expected {prefix:?}, got {got:?}"
            ),
        }
        assert_eq!(is_global(ip), expected.is_none(), "{raw}");
    }
}

#[test]
fn check_url_cases() {
    let refused: &[(&str, Policy, &str)] = &[
        ("ftp://example.com/hook", HTTP_ONLY, "scheme ftp:"),
        ("file:///etc/passwd", PRIVATE, "scheme file:"),
        ("http://example.com/hook", STRICT, "must be https"),
        (
            "https://user:pw@example.com/hook",
            STRICT,
            "user name or password",
        ),
        (
            "https://user@example.com/hook",
            STRICT,
            "user name or password",
        ),
        (
            "https://127.0.0.1/",
            STRICT,
            "127.0.0.1 is a loopback address",
        ),
        ("https://[::1]/", STRICT, "::1 is a loopback address"),
        (
            "https://169.254.169.254/latest/meta-data",
            STRICT,
            "169.254.169.254 is a link-local (cloud metadata) address",
        ),
        (
            "https://10.0.0.5/hook",
            STRICT,
            "url: 10.0.0.5 is a private address; webhooks go only to public addresses",
        ),
        ("https://[::ffff:127.0.0.1]/", STRICT, "loopback"),
        ("https://[fd00:ec2::254]/", STRICT, "cloud metadata"),
        ("http://127.0.0.1:8080/", HTTP_ONLY, "loopback"),
        ("not a url", STRICT, "not a valid URL"),
        ("https://", STRICT, "not a valid URL"),
    ];
    for (raw, policy, needle) in refused {
        let e = check_url(raw, *policy).expect_err(raw);
        assert!(e.contains(needle), "{raw}: {e}");
        assert!(e.starts_with("url:"), "{raw}: {e}");
    }

    let allowed: &[(&str, Policy)] = &[
        ("https://example.com/hook", STRICT),
        ("https://example.com:8443/hook?x=1", STRICT),
        ("https://8.8.8.8/hook", STRICT),
        ("https://[2606:4700:4700::1111]/", STRICT),
        ("http://example.com/hook", HTTP_ONLY),
        // Names are judged by what they resolve to, when connecting.
        ("https://localhost/hook", STRICT),
        ("https://127.0.0.1/", PRIVATE),
        ("https://[::1]/", PRIVATE),
        ("https://169.254.169.254/latest/meta-data", PRIVATE),
        ("http://10.0.0.5:8080/hook", PRIVATE),
    ];
    for (raw, policy) in allowed {
        let url = check_url(raw, *policy).unwrap_or_else(|e| panic!("{raw}: {e}"));
        assert_eq!(
            url.as_str().trim_end_matches('/'),
            raw.trim_end_matches('/')
        );
    }
}

/// A local server answering on loopback that counts connections and requests, so a test can
/// tell "refused before connecting" from "refused after".
struct Counted {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

async fn serve(router: Router) -> Counted {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(AtomicUsize::new(0));
    let (c, r) = (connections.clone(), requests.clone());
    let router = router.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            r.fetch_add(1, Ordering::SeqCst);
            next.run(req)
        },
    ));
    let listener = listener.tap_io(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Counted {
        addr,
        connections,
        requests,
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Saving an endpoint resolves its name: loopback is refused with the address, a name that
/// does not resolve (yet) is left to the check at every send, and private networks allowed
/// skip the lookup.
#[tokio::test]
async fn names_are_resolved_when_saved() {
    let url = check_url("https://localhost:8443/hook", STRICT).unwrap();
    let why = check_resolved(&url, STRICT).await.unwrap_err();
    assert!(
        why.starts_with("url: localhost resolves to ") && why.contains("a loopback address"),
        "{why}"
    );
    assert_eq!(check_resolved(&url, PRIVATE).await, Ok(()));
    let unknown = check_url("https://hooks.kplc.invalid/tangazo", STRICT).unwrap();
    assert_eq!(check_resolved(&unknown, STRICT).await, Ok(()));
    let literal = check_url("https://203.0.113.9/hook", PRIVATE).unwrap();
    assert_eq!(
        check_resolved(&literal, STRICT).await,
        Ok(()),
        "IP literals are check_url's"
    );
}

#[tokio::test]
async fn localhost_is_refused_before_any_connection_and_allowed_when_private_is() {
    let server = serve(Router::new().route("/hook", get(|| async { "ok" }))).await;
    let url = format!("http://localhost:{}/hook", server.addr.port());

    let checked = check_url(&url, HTTP_ONLY).unwrap();
    let client = webhook_client(HTTP_ONLY).unwrap();
    let err = client.get(checked).send().await.unwrap_err();
    let chain = error_chain(&err);
    assert!(
        chain.contains("localhost resolves to 127.0.0.1, a loopback address")
            || chain.contains("localhost resolves to ::1, a loopback address"),
        "{chain}"
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);

    let open = Policy {
        allow_private_networks: true,
        allow_http: false,
    };
    let resp = webhook_client(open)
        .unwrap()
        .get(check_url(&url, open).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(resp.text().await.unwrap(), "ok");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_ip_literal_is_refused_by_check_url_and_https_is_enforced_by_the_client() {
    let server = serve(Router::new().route("/hook", get(|| async { "ok" }))).await;
    let url = format!("http://127.0.0.1:{}/hook", server.addr.port());
    let e = check_url(&url, HTTP_ONLY).unwrap_err();
    assert!(e.contains("loopback"), "{e}");
    // Even a URL that skipped check_url cannot go over plain http with the strict policy.
    let err = webhook_client(STRICT)
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_builder(), "{}", error_chain(&err));
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirect_is_returned_not_followed() {
    let server = serve(
        Router::new()
            .route(
                "/hook",
                get(|| async {
                    (
                        axum::http::StatusCode::FOUND,
                        [("location", "/elsewhere")],
                        "moved",
                    )
                }),
            )
            .route("/elsewhere", get(|| async { "followed" })),
    )
    .await;
    let url = format!("http://127.0.0.1:{}/hook", server.addr.port());
    let resp = webhook_client(PRIVATE)
        .unwrap()
        .get(check_url(&url, PRIVATE).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    assert_eq!(resp.headers().get("location").unwrap(), "/elsewhere");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn read_capped_keeps_the_start_and_stops_at_the_limit() {
    let server = serve(
        Router::new()
            .route("/huge", get(|| async { "x".repeat(5 * 1024 * 1024) }))
            .route("/small", get(|| async { "short answer" })),
    )
    .await;
    let client = webhook_client(PRIVATE).unwrap();
    let base = format!("http://127.0.0.1:{}", server.addr.port());

    let resp = client.get(format!("{base}/huge")).send().await.unwrap();
    let (kept, read, cut) = read_capped(resp, 1024, 64 * 1024).await.unwrap();
    assert_eq!(kept.len(), 1024);
    assert!(kept.bytes().all(|b| b == b'x'));
    assert_eq!(read, 64 * 1024);
    assert!(cut);

    let resp = client.get(format!("{base}/small")).send().await.unwrap();
    assert_eq!(
        read_capped(resp, 1024, 64 * 1024).await.unwrap(),
        ("short answer".to_string(), 12, false)
    );
    let resp = client.get(format!("{base}/small")).send().await.unwrap();
    assert_eq!(
        read_capped(resp, 5, 12).await.unwrap(),
        ("short".to_string(), 12, false)
    );
    let resp = client.get(format!("{base}/small")).send().await.unwrap();
    assert_eq!(
        read_capped(resp, 5, 11).await.unwrap(),
        ("short".to_string(), 11, true)
    );
}

/// Accepts and reads the request, then stalls: after headers announcing a body it never sends,
/// or before answering at all.
async fn stalling_server(send_headers: bool) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                if send_headers {
                    let _ = sock
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npart")
                        .await;
                }
                tokio::time::sleep(Duration::from_secs(60)).await;
                drop(sock);
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_server_that_stalls_after_its_headers_times_out() {
    let addr = stalling_server(true).await;
    let client =
        webhook_client_with(PRIVATE, Duration::from_secs(1), Duration::from_secs(1)).unwrap();
    let url = check_url(&format!("http://{addr}/hook"), PRIVATE).unwrap();
    let started = Instant::now();
    let resp = client.post(url).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let err = read_capped(resp, 1024, 1 << 20).await.unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{}", error_chain(&err));
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let addr = stalling_server(false).await;
    let client =
        webhook_client_with(PRIVATE, Duration::from_secs(1), Duration::from_secs(1)).unwrap();
    let url = check_url(&format!("http://{addr}/hook"), PRIVATE).unwrap();
    let started = Instant::now();
    let err = client.post(url).body("{}").send().await.unwrap_err();
    assert!(err.is_timeout(), "{}", error_chain(&err));
    assert!(started.elapsed() < Duration::from_secs(3));
}
