//! The webhook sender's HTTP/1.1 client, on hyper's connection API with a pool of its own.
//!
//! Billers' endpoints are ordinary web servers, so one request per connection at a time over
//! HTTP/1.1 is all this does, and doing only that keeps each request cheap: much less CPU than
//! a reqwest call to the same receiver (no URL reparsing, middleware stack, redirect policy or
//! shared pool machinery), which leaves the cores to the outbox around it
//! (docs/adr/0003-webhook-http-client.md).
//!
//! What it guarantees, each by construction rather than by configuration:
//!
//! * **Only vetted addresses.** A name is resolved here ([`ssrf::vetted_addresses`]) and the
//!   connection goes to one of the addresses that were checked, so a DNS answer that changes
//!   between check and connect cannot slip a private address in. IP literals are vetted too,
//!   so a URL that skipped [`ssrf::check_url`] is still refused.
//! * **Plain http only when allowed** (`webhook.allow_http` or `allow_private_networks`).
//! * **No redirects and no proxy**: a 3xx is an answer like any other, and the request goes to
//!   the endpoint's own address.
//! * **Bounded time and memory**: `connect` bounds resolving, connecting and the TLS handshake;
//!   `total` bounds the whole exchange, body included, so an endpoint that sends headers and
//!   then stalls cannot hold a request slot; at most `limit` bytes of an answer are read and
//!   `keep` of them kept.
//!
//! Connections are kept per scheme, host and port for [`IDLE_FOR`] after their last answer. A
//! connection whose answer was not read to its end (cut at `limit`, or failed) is closed, never
//! reused. A request that a kept connection could not take (the server closed it while idle)
//! goes out once more on a new connection; one that was written is never sent twice here.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use url::Url;

use super::ssrf::{self, Policy, Unreachable};

/// How long a connection is kept after its last answer.
pub const IDLE_FOR: Duration = Duration::from_secs(90);
/// Idle connections swept at most this often (each checkout also skips expired ones).
const SWEEP_EVERY: Duration = Duration::from_secs(10);

type Sender = SendRequest<Full<Bytes>>;

/// What an endpoint answered: its status and headers, and the start of its body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    /// The first `keep` bytes, as UTF-8 with invalid sequences replaced.
    pub body: String,
    /// Bytes read, never more than `limit`.
    pub read: usize,
    /// True when the body went on past `limit` (the rest was not read).
    pub cut: bool,
}

/// Why a request got no complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Refused before anything was sent: an address or scheme the policy does not allow. The
    /// text says which and why, to be shown on the endpoint.
    Refused(String),
    /// Resolving, connecting, the TLS handshake or waiting for the answer failed.
    NoAnswer { timed_out: bool, error: String },
    /// The status and headers came, then the body failed or stalled: not an answer the
    /// endpoint finished, so not a success whatever the status said.
    Unfinished {
        status: u16,
        timed_out: bool,
        error: String,
    },
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused(why) => f.write_str(why),
            Failure::NoAnswer { error, .. } => f.write_str(error),
            Failure::Unfinished { status, error, .. } => {
                write!(f, "HTTP {status}, then reading the answer: {error}")
            }
        }
    }
}

struct Pool {
    idle: HashMap<String, Vec<(Sender, Instant)>>,
    swept: Instant,
}

pub struct HookClient {
    policy: Policy,
    connect: Duration,
    total: Duration,
    tls: tokio_rustls::TlsConnector,
    user_agent: HeaderValue,
    pool: Mutex<Pool>,
}

/// A URL made ready once for the many requests that go to it: its pool key, request target
/// and `Host` header, which a request otherwise builds (and parses again) every time.
pub struct Destination {
    url: Url,
    /// Scheme, host and port: which kept connections can carry its requests.
    key: String,
    /// The path and query, as the request line has them.
    uri: hyper::Uri,
    host: HeaderValue,
}

impl Destination {
    pub fn new(url: Url) -> Result<Destination, String> {
        let host_str = url.host_str().ok_or("url: has no host")?;
        let port = url.port_or_known_default().ok_or("url: has no port")?;
        let key = format!("{}://{host_str}:{port}", url.scheme());
        let host = match url.port() {
            Some(p) => format!("{host_str}:{p}"),
            None => host_str.to_string(),
        };
        let host = HeaderValue::try_from(host).map_err(|e| format!("url: the host {e}"))?;
        let uri = url[url::Position::BeforePath..url::Position::AfterQuery]
            .parse::<hyper::Uri>()
            .map_err(|e| format!("url: the path cannot be sent ({e})"))?;
        Ok(Destination {
            url,
            key,
            uri,
            host,
        })
    }
}

/// The request target, `Host` header and pool key of a URL.
struct Target<'a> {
    host: url::Host<&'a str>,
    host_str: &'a str,
    port: u16,
    https: bool,
}

impl HookClient {
    /// `connect` bounds resolving, connecting and the TLS handshake; `total` the whole
    /// exchange. TLS trusts the platform's roots, as the providers' client does.
    pub fn new(policy: Policy, connect: Duration, total: Duration) -> anyhow::Result<HookClient> {
        use rustls_platform_verifier::ConfigVerifierExt;
        super::install_tls_provider();
        let tls = rustls::ClientConfig::with_platform_verifier()
            .context("loading the platform's TLS roots")?;
        Ok(HookClient::with_tls(policy, connect, total, tls))
    }

    /// The same with TLS of the caller's choosing (a private CA's roots, say); ALPN is set to
    /// HTTP/1.1 here.
    pub fn with_tls(
        policy: Policy,
        connect: Duration,
        total: Duration,
        mut tls: rustls::ClientConfig,
    ) -> HookClient {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        HookClient {
            policy,
            connect,
            total,
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls)),
            user_agent: HeaderValue::from_static(concat!(
                "tangazo-webhooks/",
                env!("CARGO_PKG_VERSION")
            )),
            pool: Mutex::new(Pool {
                idle: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Connections kept open for later requests (the tests look at it).
    pub fn idle_connections(&self) -> usize {
        self.pool
            .lock()
            .map(|p| p.idle.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    /// POSTs `body` as JSON with `headers` to `url` and reads up to `limit` bytes of the
    /// answer, keeping the first `keep`.
    pub async fn post(
        &self,
        url: &Url,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
        keep: usize,
        limit: usize,
    ) -> Result<Reply, Failure> {
        let to = Destination::new(url.clone()).map_err(Failure::Refused)?;
        self.post_to(&to, headers, body, keep, limit).await
    }

    /// The same to a [`Destination`] made ready before.
    pub async fn post_to(
        &self,
        to: &Destination,
        headers: &[(HeaderName, HeaderValue)],
        body: Bytes,
        keep: usize,
        limit: usize,
    ) -> Result<Reply, Failure> {
        let deadline = tokio::time::Instant::now() + self.total;
        let target = self.target(&to.url)?;
        let mut request = hyper::Request::new(Full::new(body));
        *request.method_mut() = hyper::Method::POST;
        *request.uri_mut() = to.uri.clone();
        let fixed = [
            (hyper::header::HOST, to.host.clone()),
            (hyper::header::USER_AGENT, self.user_agent.clone()),
            (
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
        ];
        let map = request.headers_mut();
        map.reserve(fixed.len() + headers.len());
        for (name, value) in fixed {
            map.append(name, value);
        }
        for (name, value) in headers {
            map.append(name.clone(), value.clone());
        }

        // The status once the head has come: a timeout after it found the answer unfinished,
        // not missing. (One deadline over the whole exchange is one timer per request.)
        let status_seen = AtomicU32::new(0);
        let exchange = async {
            let (sender, response) = self.head(&to.key, &target, request).await?;
            let (parts, body) = response.into_parts();
            let status = parts.status.as_u16();
            status_seen.store(u32::from(status), Ordering::Relaxed);
            let (kept, read, cut) =
                read_capped(body, keep, limit)
                    .await
                    .map_err(|e| Failure::Unfinished {
                        status,
                        timed_out: false,
                        error: super::error_chain(&e),
                    })?;
            Ok::<_, Failure>((sender, parts, kept, read, cut))
        };
        let (sender, parts, kept, read, cut) =
            match tokio::time::timeout_at(deadline, exchange).await {
                Ok(r) => r?,
                Err(_) => {
                    let total = self.total.as_secs_f64();
                    return Err(match status_seen.load(Ordering::Relaxed) {
                        0 => Failure::NoAnswer {
                            timed_out: true,
                            error: format!("timed out: no answer within {total} s"),
                        },
                        status => Failure::Unfinished {
                            status: status as u16,
                            timed_out: true,
                            error: format!("the answer did not end within {total} s"),
                        },
                    });
                }
            };
        if !cut {
            self.checkin(&to.key, sender);
        }
        Ok(Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: kept,
            read,
            cut,
        })
    }

    /// Sends `request` and waits for the head of its answer.
    async fn head(
        &self,
        key: &str,
        target: &Target<'_>,
        mut request: hyper::Request<Full<Bytes>>,
    ) -> Result<(Sender, hyper::Response<hyper::body::Incoming>), Failure> {
        // A kept connection first; if it turns out closed before the request was written,
        // once more on a new one.
        if let Some(mut sender) = self.checkout(key).await {
            match sender.try_send_request(request).await {
                Ok(response) => return Ok((sender, response)),
                Err(mut e) => match e.take_message() {
                    Some(unsent) => request = unsent,
                    None => return Err(no_answer(false, "request failed", e.error())),
                },
            }
        }
        let mut sender = self.open(target).await?;
        match sender.send_request(request).await {
            Ok(response) => Ok((sender, response)),
            Err(e) => Err(no_answer(false, "request failed", &e)),
        }
    }

    fn target<'a>(&self, url: &'a Url) -> Result<Target<'a>, Failure> {
        let https = match url.scheme() {
            "https" => true,
            "http" if self.policy.allow_http || self.policy.allow_private_networks => false,
            "http" => {
                return Err(Failure::Refused(
                    "url: must be https; plain http would expose the payload and its signature on the way"
                        .into(),
                ));
            }
            other => {
                return Err(Failure::Refused(format!(
                    "url: the scheme {other}: is not allowed; webhooks go over https"
                )));
            }
        };
        let (Some(host), Some(host_str), Some(port)) =
            (url.host(), url.host_str(), url.port_or_known_default())
        else {
            return Err(Failure::Refused("url: has no host".into()));
        };
        Ok(Target {
            host,
            host_str,
            port,
            https,
        })
    }

    /// A kept connection to `key` that is still open and ready, most recently used first.
    async fn checkout(&self, key: &str) -> Option<Sender> {
        loop {
            let mut sender = {
                let mut pool = self.pool.lock().ok()?;
                let list = pool.idle.get_mut(key)?;
                loop {
                    let (s, since) = list.pop()?;
                    if since.elapsed() < IDLE_FOR && !s.is_closed() {
                        break s;
                    }
                }
            };
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    fn checkin(&self, key: &str, sender: Sender) {
        let Ok(mut pool) = self.pool.lock() else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(pool.swept) > SWEEP_EVERY {
            pool.swept = now;
            pool.idle.retain(|_, list| {
                list.retain(|(s, since)| now.duration_since(*since) < IDLE_FOR && !s.is_closed());
                !list.is_empty()
            });
        }
        match pool.idle.get_mut(key) {
            Some(list) => list.push((sender, now)),
            None => {
                pool.idle.insert(key.to_string(), vec![(sender, now)]);
            }
        }
    }

    /// A new connection to one of the target's vetted addresses, over TLS for https.
    async fn open(&self, t: &Target<'_>) -> Result<Sender, Failure> {
        let connect = async {
            let addrs: Vec<SocketAddr> =
                match ssrf::vetted_addresses(&t.host, t.port, self.policy).await {
                    Ok(a) => a,
                    Err(Unreachable::Refused(why)) => return Err(Failure::Refused(why)),
                    Err(Unreachable::Unresolved(why)) => {
                        return Err(Failure::NoAnswer {
                            timed_out: false,
                            error: format!("request failed: {why}"),
                        });
                    }
                };
            // Each address gets its share of the connect time, so one that drops packets (an
            // IPv6 route that goes nowhere, say) leaves time for the next.
            let share = self.connect / addrs.len().max(1) as u32;
            let mut last = None;
            let mut stream = None;
            for addr in &addrs {
                match tokio::time::timeout(share, tokio::net::TcpStream::connect(addr)).await {
                    Ok(Ok(s)) => {
                        stream = Some(s);
                        break;
                    }
                    Ok(Err(e)) => {
                        last = Some(Failure::NoAnswer {
                            timed_out: false,
                            error: format!("request failed: cannot connect to {addr}: {e}"),
                        })
                    }
                    Err(_) => {
                        last = Some(Failure::NoAnswer {
                            timed_out: true,
                            error: format!(
                                "timed out: connecting to {addr} took over {} s",
                                share.as_secs_f64()
                            ),
                        })
                    }
                }
            }
            let Some(stream) = stream else {
                return Err(last.unwrap_or_else(|| Failure::NoAnswer {
                    timed_out: false,
                    error: format!("request failed: {} has no address", t.host_str),
                }));
            };
            let _ = stream.set_nodelay(true);
            if !t.https {
                return handshake(stream).await;
            }
            let name = match t.host {
                url::Host::Domain(d) => ServerName::try_from(d.to_string()).map_err(|e| {
                    Failure::Refused(format!("url: {d} is not a valid TLS server name ({e})"))
                })?,
                url::Host::Ipv4(ip) => ServerName::IpAddress(std::net::IpAddr::V4(ip).into()),
                url::Host::Ipv6(ip) => ServerName::IpAddress(std::net::IpAddr::V6(ip).into()),
            };
            let tls = self
                .tls
                .connect(name, stream)
                .await
                .map_err(|e| no_answer(false, "TLS handshake failed", &e))?;
            handshake(tls).await
        };
        match tokio::time::timeout(self.connect, connect).await {
            Ok(r) => r,
            Err(_) => Err(Failure::NoAnswer {
                timed_out: true,
                error: format!(
                    "timed out: connecting to {} took over {} s",
                    t.host_str,
                    self.connect.as_secs_f64()
                ),
            }),
        }
    }
}

async fn handshake<T>(io: T) -> Result<Sender, Failure>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| no_answer(false, "request failed", &e))?;
    // Ends when the endpoint closes the connection or the last sender is dropped.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

fn no_answer(timed_out: bool, what: &str, e: &(dyn std::error::Error + 'static)) -> Failure {
    Failure::NoAnswer {
        timed_out,
        error: format!("{what}: {}", super::error_chain(e)),
    }
}

/// Reads a body up to `limit` bytes, keeping the first `keep`: the count never exceeds
/// `limit`, and the flag says there was more (which is then left unread).
pub async fn read_capped<B>(
    mut body: B,
    keep: usize,
    limit: usize,
) -> Result<(String, usize, bool), B::Error>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    // Grown as the answer comes: most answers to a webhook are empty.
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(chunk) = frame?.into_data() else {
            continue;
        };
        let room = limit - total;
        let take = chunk.len().min(room);
        let wanted = keep.saturating_sub(kept.len()).min(take);
        kept.extend_from_slice(&chunk[..wanted]);
        total += take;
        if chunk.len() > room {
            return Ok((String::from_utf8_lossy(&kept).into_owned(), total, true));
        }
    }
    Ok((String::from_utf8_lossy(&kept).into_owned(), total, false))
}
