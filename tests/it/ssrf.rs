//! Webhook URLs cannot reach the operator's network: the address table, URL vetting, and the
//! webhook client against real servers on loopback that count what reaches them.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post as post_route;
use axum::serve::ListenerExt;
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use tangazo::delivery::hook_client::{Failure, HookClient, Reply};
use tangazo::delivery::ssrf::{Policy, check_resolved, check_url, classify, is_global};
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

/// The production timeouts (5 s to connect, 15 s in all).
fn hook_client(policy: Policy) -> HookClient {
    HookClient::new(policy, Duration::from_secs(5), Duration::from_secs(15)).unwrap()
}

async fn post(client: &HookClient, url: &str) -> Result<Reply, Failure> {
    let url = url::Url::parse(url).unwrap();
    client
        .post(&url, &[], Bytes::from_static(b"{}"), 1024, 64 * 1024)
        .await
}

#[tokio::test]
async fn localhost_is_refused_before_any_connection_and_allowed_when_private_is() {
    let server = serve(Router::new().route("/hook", post_route(|| async { "ok" }))).await;
    let url = format!("http://localhost:{}/hook", server.addr.port());

    check_url(&url, HTTP_ONLY).unwrap();
    let err = post(&hook_client(HTTP_ONLY), &url).await.unwrap_err();
    let Failure::Refused(why) = &err else {
        panic!("{err:?}")
    };
    assert!(
        why.contains("localhost resolves to 127.0.0.1, a loopback address")
            || why.contains("localhost resolves to ::1, a loopback address"),
        "{why}"
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);

    let open = Policy {
        allow_private_networks: true,
        allow_http: false,
    };
    let reply = post(&hook_client(open), &url).await.unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.headers.get("content-type").unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        (reply.body.as_str(), reply.read, reply.cut),
        ("ok", 2, false)
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn ip_literals_and_plain_http_are_refused_by_the_client_too() {
    let server = serve(Router::new().route("/hook", post_route(|| async { "ok" }))).await;
    let url = format!("http://127.0.0.1:{}/hook", server.addr.port());
    let e = check_url(&url, HTTP_ONLY).unwrap_err();
    assert!(e.contains("loopback"), "{e}");
    // A URL that skipped check_url is refused at the connection all the same.
    let err = post(&hook_client(HTTP_ONLY), &url).await.unwrap_err();
    assert_eq!(
        err,
        Failure::Refused(
            "url: 127.0.0.1 is a loopback address; webhooks go only to public addresses".into()
        )
    );
    let v6 = format!("http://[::1]:{}/hook", server.addr.port());
    let err = post(&hook_client(HTTP_ONLY), &v6).await.unwrap_err();
    assert!(
        matches!(&err, Failure::Refused(why) if why.contains("::1 is a loopback address")),
        "{err:?}"
    );
    // And it cannot go over plain http with the strict policy.
    let err = post(&hook_client(STRICT), &url).await.unwrap_err();
    assert!(
        matches!(&err, Failure::Refused(why) if why.starts_with("url: must be https")),
        "{err:?}"
    );
    let err = post(&hook_client(PRIVATE), "ftp://127.0.0.1/hook")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Failure::Refused(why) if why.contains("scheme ftp: is not allowed")),
        "{err:?}"
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_redirect_is_returned_not_followed() {
    let server = serve(
        Router::new()
            .route(
                "/hook",
                post_route(|| async {
                    (
                        axum::http::StatusCode::FOUND,
                        [("location", "/elsewhere")],
                        "moved",
                    )
                }),
            )
            .route("/elsewhere", post_route(|| async { "followed" })),
    )
    .await;
    let url = format!("http://127.0.0.1:{}/hook", server.addr.port());
    let reply = post(&hook_client(PRIVATE), &url).await.unwrap();
    assert_eq!(reply.status, 302);
    assert_eq!(reply.headers.get("location").unwrap(), "/elsewhere");
    assert_eq!(reply.body, "moved");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}

/// What the receiver saw of a request: its target, Host header and body.
#[tokio::test]
async fn the_request_names_its_path_query_host_and_headers() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let server = serve(Router::new().route(
        "/hooks/kplc",
        post_route(move |req: axum::extract::Request| {
            let s = s.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
                let h = |n: &str| {
                    parts
                        .headers
                        .get(n)
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default()
                };
                s.lock().unwrap().push(vec![
                    parts.uri.to_string(),
                    h("host"),
                    h("content-type"),
                    h("content-length"),
                    h("user-agent"),
                    h("webhook-id"),
                    String::from_utf8(body.to_vec()).unwrap(),
                ]);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    ))
    .await;
    let url = url::Url::parse(&format!(
        "http://localhost:{}/hooks/kplc?site=nairobi",
        server.addr.port()
    ))
    .unwrap();
    let headers = [(
        HeaderName::from_static("webhook-id"),
        HeaderValue::from_static("msg_1"),
    )];
    let reply = hook_client(PRIVATE)
        .post(&url, &headers, Bytes::from_static(b"{\"a\":1}"), 1024, 1024)
        .await
        .unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (204, ""));
    let seen = seen.lock().unwrap();
    let agent = format!("tangazo-webhooks/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        seen[0],
        [
            "/hooks/kplc?site=nairobi".to_string(),
            format!("localhost:{}", server.addr.port()),
            "application/json".into(),
            "7".into(),
            agent,
            "msg_1".into(),
            "{\"a\":1}".into(),
        ]
    );
}

/// Answered connections are kept and used again; one whose answer was cut is not, and one the
/// server closed while it was kept is replaced without losing the request.
#[tokio::test]
async fn connections_are_kept_reused_and_replaced() {
    let server = serve(
        Router::new()
            .route("/small", post_route(|| async { "short" }))
            .route("/huge", post_route(|| async { "x".repeat(1 << 20) })),
    )
    .await;
    let client = hook_client(PRIVATE);
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    for _ in 0..5 {
        assert_eq!(
            post(&client, &format!("{base}/small")).await.unwrap().body,
            "short"
        );
    }
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        1,
        "one kept connection"
    );
    assert_eq!(client.idle_connections(), 1);
    let cut = post(&client, &format!("{base}/huge")).await.unwrap();
    assert!(cut.cut);
    assert_eq!(
        client.idle_connections(),
        0,
        "a cut answer's connection is closed"
    );
    post(&client, &format!("{base}/small")).await.unwrap();
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);

    // A server that answers one request per connection and closes it: the kept connection is
    // found closed (or fails before the request is written) and the request goes on a new one.
    let closing = one_request_per_connection().await;
    let url = format!("http://{closing}/hook");
    for _ in 0..3 {
        let reply = post(&client, &url).await.unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "ok"));
    }
}

#[tokio::test]
async fn answers_are_read_up_to_the_limit_and_their_start_kept() {
    let server = serve(
        Router::new()
            .route(
                "/huge",
                post_route(|| async { "x".repeat(5 * 1024 * 1024) }),
            )
            .route("/small", post_route(|| async { "short answer" })),
    )
    .await;
    let client = hook_client(PRIVATE);
    let base = format!("http://127.0.0.1:{}", server.addr.port());
    let call = |path: &str, keep: usize, limit: usize| {
        let url = url::Url::parse(&format!("{base}{path}")).unwrap();
        let client = &client;
        async move {
            let r = client
                .post(&url, &[], Bytes::new(), keep, limit)
                .await
                .unwrap();
            (r.body, r.read, r.cut)
        }
    };
    let (kept, read, cut) = call("/huge", 1024, 64 * 1024).await;
    assert_eq!(kept.len(), 1024);
    assert!(kept.bytes().all(|b| b == b'x'));
    assert_eq!(read, 64 * 1024);
    assert!(cut);
    assert_eq!(
        call("/small", 1024, 64 * 1024).await,
        ("short answer".to_string(), 12, false)
    );
    assert_eq!(
        call("/small", 5, 12).await,
        ("short".to_string(), 12, false)
    );
    assert_eq!(call("/small", 5, 11).await, ("short".to_string(), 11, true));
}

/// A raw HTTP/1.1 server on loopback: for each connection it reads the request, writes
/// `answer` (which may be nothing), and then either stalls for a minute or closes the
/// connection without having said so in a `Connection: close` header.
async fn raw_server(answer: &'static [u8], stall: bool) -> SocketAddr {
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
                let _ = sock.write_all(answer).await;
                if stall {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                } else {
                    let _ = sock.shutdown().await;
                }
            });
        }
    });
    addr
}

/// Answers one request per connection with `200 ok` and then closes it.
async fn one_request_per_connection() -> SocketAddr {
    raw_server(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", false).await
}

/// Accepts and reads the request, then stalls: after headers announcing a body it never sends,
/// or before answering at all.
async fn stalling_server(send_headers: bool) -> SocketAddr {
    let answer: &'static [u8] = if send_headers {
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npart"
    } else {
        b""
    };
    raw_server(answer, true).await
}

fn one_second() -> HookClient {
    HookClient::new(PRIVATE, Duration::from_secs(1), Duration::from_secs(1)).unwrap()
}

#[tokio::test]
async fn a_server_that_stalls_after_its_headers_times_out() {
    let addr = stalling_server(true).await;
    let started = Instant::now();
    let err = post(&one_second(), &format!("http://{addr}/hook"))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            &err,
            Failure::Unfinished {
                status: 200,
                timed_out: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let addr = stalling_server(false).await;
    let started = Instant::now();
    let err = post(&one_second(), &format!("http://{addr}/hook"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Failure::NoAnswer { timed_out: true, error } if error.starts_with("timed out")),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_closed_port_and_an_unknown_name_fail_with_the_reason() {
    // Bound, then dropped: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = post(
        &hook_client(PRIVATE),
        &format!("http://127.0.0.1:{port}/hook"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Failure::NoAnswer { timed_out: false, error }
            if error.starts_with(&format!("request failed: cannot connect to 127.0.0.1:{port}"))),
        "{err:?}"
    );
    let err = post(&hook_client(PRIVATE), "http://hooks.kplc.invalid/hook")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Failure::NoAnswer { error, .. }
            if error.contains("hooks.kplc.invalid cannot be resolved")),
        "{err:?}"
    );
}

/// Many requests at once use at most one connection each, and then the same connections again.
#[tokio::test]
async fn concurrent_requests_reuse_their_connections() {
    let server = serve(Router::new().route("/hook", post_route(|| async { "ok" }))).await;
    let client = Arc::new(hook_client(PRIVATE));
    let url = format!("http://127.0.0.1:{}/hook", server.addr.port());
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                for _ in 0..100 {
                    assert_eq!(post(&client, &url).await.unwrap().body, "ok");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 3200);
    let opened = server.connections.load(Ordering::SeqCst);
    assert!(
        opened <= 32,
        "{opened} connections for 32 requests at a time"
    );
    assert_eq!(client.idle_connections(), opened);
}

/// An HTTPS receiver on loopback with the certificate in tests/peers/tls (for localhost and
/// 127.0.0.1), answering "ok" over HTTP/1.1 to every request; counts handshakes begun.
async fn tls_server() -> (SocketAddr, Arc<AtomicUsize>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    tangazo::delivery::install_tls_provider();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/tls");
    let certs = vec![CertificateDer::from_pem_file(format!("{dir}/cert.pem")).unwrap()];
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/key.pem")).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                while let Ok(n) = tls.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                    if tls.write_all(answer).await.is_err() || tls.flush().await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, accepted)
}

/// https is spoken and the certificate checked: a receiver whose certificate no trusted root
/// signed is refused at the handshake, and one whose root is trusted is reached, by name and
/// by address, over one kept connection.
#[tokio::test]
async fn https_checks_the_certificate() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let (addr, accepted) = tls_server().await;
    let url = format!("https://localhost:{}/hook", addr.port());

    let err = post(&hook_client(PRIVATE), &url).await.unwrap_err();
    assert!(
        matches!(&err, Failure::NoAnswer { timed_out: false, error }
            if error.starts_with("TLS handshake failed") && error.contains("certificate")),
        "{err:?}"
    );

    let mut roots = rustls::RootCertStore::empty();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/tls");
    roots
        .add(CertificateDer::from_pem_file(format!("{dir}/cert.pem")).unwrap())
        .unwrap();
    let tls = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let client = HookClient::with_tls(
        PRIVATE,
        Duration::from_secs(5),
        Duration::from_secs(15),
        tls,
    );
    let before = accepted.load(Ordering::SeqCst);
    for url in [
        url.clone(),
        url,
        format!("https://127.0.0.1:{}/hook", addr.port()),
    ] {
        let reply = post(&client, &url).await.unwrap();
        assert_eq!((reply.status, reply.body.as_str()), (200, "ok"), "{url}");
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst) - before,
        2,
        "one connection per host name, kept between requests"
    );
}
