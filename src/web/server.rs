//! The HTTP server loop: hyper's HTTP/1 connections with two limits that `axum::serve` does not
//! offer, against clients that hold connections without using them (slowloris).
//!
//! * A client has `server.header_timeout_seconds` to send a request's headers, counted from
//!   connecting or, on a kept-alive connection, from the end of the previous answer; then the
//!   connection is closed. Without it a client sending a byte now and then held a connection,
//!   and its task, for as long as it liked.
//! * One client address holds at most `server.max_connections_per_ip` connections at once
//!   (an IPv6 client counts by its /64 network, which one client usually has whole); the ones
//!   past it are closed as they arrive, so that one client cannot use up the process's file
//!   descriptors while the others are served.
//!
//! As `axum::serve` did: handlers see the client's address (`ConnectInfo<SocketAddr>`), and on
//! shutdown the listener closes, kept-alive connections are told to finish their answer in
//! flight and close, and the server returns once every connection has ended.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// What a client may hold (see the module's doc).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    /// 0: no limit.
    pub max_per_address: u32,
}

impl Limits {
    pub fn from_config(server: &crate::config::Server) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(u64::from(server.header_timeout_seconds)),
            max_per_address: server.max_connections_per_ip,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` fires, then waits for the open connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let open = Arc::new(OpenConnections::default());
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let Some(slot) = open.take(remote.ip(), limits.max_per_address) else {
            tracing::debug!(%remote, "connection refused: its address holds the most it may");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req
        });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::trace!(%remote, error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// A failed `accept`: a connection the peer gave up on is nothing; anything else (out of file
/// descriptors) is logged, and accepting pauses for a second rather than spin.
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept connections; trying again in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Open connections per client address.
#[derive(Default)]
struct OpenConnections(Mutex<HashMap<IpAddr, u32>>);

/// One open connection, counted against its client's address until dropped (not counted
/// with no limit).
struct Slot {
    counted_in: Option<Arc<OpenConnections>>,
    key: IpAddr,
}

impl OpenConnections {
    /// A slot for a new connection from `ip`, unless that address already holds `max`.
    fn take(self: &Arc<Self>, ip: IpAddr, max: u32) -> Option<Slot> {
        let key = client_key(ip);
        if max == 0 {
            return Some(Slot {
                counted_in: None,
                key,
            });
        }
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = open.entry(key).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot {
            counted_in: Some(self.clone()),
            key,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(counted_in) = &self.counted_in else {
            return;
        };
        let mut open = counted_in.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

/// What connections are counted by: an IPv4 address (also when it arrives IPv4-mapped on an
/// IPv6 socket), or an IPv6 address's /64 network.
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_limit_and_gets_slots_back() {
        let open = Arc::new(OpenConnections::default());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = open.take(a, 2).unwrap();
        let second = open.take(a, 2).unwrap();
        assert!(open.take(a, 2).is_none(), "a third from one address");
        assert!(open.take(b, 2).is_some(), "another address is served");
        drop(first);
        assert!(
            open.take(a, 2).is_some(),
            "a closed connection frees its slot"
        );
        drop(second);
        assert!(open.take(a, 0).is_some(), "0 is no limit");
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        let key = |s: &str| client_key(s.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:10.0.0.1"), key("10.0.0.1"));
    }
}
