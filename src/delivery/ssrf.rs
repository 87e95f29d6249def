//! Webhook URLs are typed in by billers, so without care they are a way to make this server
//! send requests into the operator's own network (server-side request forgery): the cloud
//! metadata service at 169.254.169.254, an admin port on localhost, a database on 10.x.
//! Everything here exists to make that impossible while still reaching any public endpoint.
//!
//! Two doors, both needed:
//!
//! * Names go through [`vetted_addresses`], which resolves them itself and refuses the whole
//!   name if any address it returns is not public. The webhook client
//!   ([`super::hook_client`]) connects only to the addresses it hands back, so a DNS answer that
//!   changes between a check and the connection (DNS rebinding) cannot slip a private address
//!   in: the vetted answer *is* the connection.
//! * IP literals (`https://10.0.0.5/`, `https://[::1]/`, and the odd spellings such as
//!   `http://2130706433/` that URL parsing normalises to them) never reach a resolver.
//!   [`check_url`] refuses them when an endpoint is saved and before each send, and
//!   [`vetted_addresses`] refuses them again at the connection.
//!
//! The client also follows no redirects (a public endpoint could otherwise bounce us to
//! 127.0.0.1, and a redirect target is never checked) and uses no proxy (through a proxy the
//! resolver would vet the proxy's name, not the endpoint's).
//!
//! `allow_private_networks` switches all of this off, for installations whose billers really
//! are on the same private network, and for tests.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use url::Url;

/// Per installation, not per endpoint: whether private networks are reachable is the
/// operator's decision, never a biller's.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Lets webhooks reach private, loopback and other non-public addresses (and implies
    /// `allow_http`, since such endpoints rarely have certificates).
    pub allow_private_networks: bool,
    /// Lets endpoints take plain http, which exposes payloads and signatures on the way.
    pub allow_http: bool,
}

impl Policy {
    /// `webhook.allow_private_networks` and `webhook.allow_http`.
    pub fn from_config(w: &crate::config::Webhook) -> Policy {
        Policy {
            allow_private_networks: w.allow_private_networks,
            allow_http: w.allow_http,
        }
    }
}

/// Refusals are read by billers, so they should read as English.
fn article(label: &str) -> &'static str {
    if label.starts_with(['a', 'e', 'i', 'o', 'I']) || label.starts_with("unspecified") {
        "an"
    } else {
        "a"
    }
}

/// "a loopback address", "an unspecified address": the middle of every refusal.
fn kind(label: &str) -> String {
    format!("{} {label} address", article(label))
}

/// Ends every refusal of an address.
const ONLY_PUBLIC: &str = "webhooks go only to public addresses";

/// The parsed URL is returned so the caller sends to exactly what was vetted, not a re-parse.
pub fn check_url(raw: &str, policy: Policy) -> Result<Url, String> {
    let raw = raw.trim();
    let url = Url::parse(raw).map_err(|e| format!("url: {raw:?} is not a valid URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http || policy.allow_private_networks => {}
        "http" => {
            return Err(
                "url: must be https; plain http would expose the payload and its signature on the way"
                    .into(),
            );
        }
        other => {
            return Err(format!(
                "url: the scheme {other}: is not allowed; webhooks go over https"
            ));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "url: must not contain a user name or password; deliveries are authenticated by their signature"
                .into(),
        );
    }
    let ip = match url.host() {
        None => return Err("url: has no host".into()),
        Some(url::Host::Domain("")) => return Err("url: has an empty host".into()),
        Some(url::Host::Domain(_)) => None,
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
    };
    if let Some(ip) = ip
        && !policy.allow_private_networks
        && let Some(label) = classify(ip)
    {
        return Err(format!("url: {ip} is {}; {ONLY_PUBLIC}", kind(label)));
    }
    Ok(url)
}

/// The question the resolver and [`check_url`] ask of every address; see [`classify`].
pub fn is_global(ip: IpAddr) -> bool {
    classify(ip).is_none()
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], len: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn in_v6(ip: Ipv6Addr, net: u128, len: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
    u128::from(ip) & mask == net & mask
}

/// The IPv4 address in bits `shift..shift+32` counted from the right.
fn embedded_v4(ip: Ipv6Addr, shift: u32) -> Ipv4Addr {
    Ipv4Addr::from((u128::from(ip) >> shift) as u32)
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    // Most specific first: the metadata address and broadcast sit inside wider blocks.
    const TABLE: &[([u8; 4], u32, &str)] = &[
        ([169, 254, 169, 254], 32, "link-local (cloud metadata)"),
        ([255, 255, 255, 255], 32, "broadcast"),
        ([0, 0, 0, 0], 32, "unspecified"),
        ([0, 0, 0, 0], 8, "\"this network\" (0.0.0.0/8)"),
        ([10, 0, 0, 0], 8, "private"),
        ([100, 64, 0, 0], 10, "carrier-grade NAT (100.64.0.0/10)"),
        ([127, 0, 0, 0], 8, "loopback"),
        ([169, 254, 0, 0], 16, "link-local"),
        ([172, 16, 0, 0], 12, "private"),
        (
            [192, 0, 0, 0],
            24,
            "IETF protocol assignment (192.0.0.0/24)",
        ),
        ([192, 0, 2, 0], 24, "documentation"),
        ([192, 88, 99, 0], 24, "6to4 relay anycast"),
        ([192, 168, 0, 0], 16, "private"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([240, 0, 0, 0], 4, "reserved (240.0.0.0/4)"),
    ];
    TABLE
        .iter()
        .find(|(net, len, _)| in_v4(ip, *net, *len))
        .map(|(_, _, label)| *label)
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    // Forms that carry an IPv4 address and reach it: judged by that address, so
    // ::ffff:127.0.0.1 is loopback and 64:ff9b::808:808 (NAT64 to 8.8.8.8) is public.
    if in_v6(ip, 0xffff_0000_0000, 96) || in_v6(ip, 0, 96) || in_v6(ip, 0x64_ff9b << 96, 96) {
        return classify_v4(embedded_v4(ip, 0));
    }
    if in_v6(ip, 0x2002 << 112, 16) {
        return classify_v4(embedded_v4(ip, 80));
    }
    const TABLE: &[(u128, u32, &str)] = &[
        (
            0x0064_ff9b_0001 << 80,
            48,
            "local-use NAT64 (64:ff9b:1::/48)",
        ),
        (0x0100 << 112, 64, "discard-only (100::/64)"),
        (0x2001_0db8 << 96, 32, "documentation"),
        (0x2001_0000 << 96, 32, "Teredo (2001::/32)"),
        (0x2001_0002 << 96, 48, "benchmarking"),
        (
            0x2001_0000 << 96,
            23,
            "IETF protocol assignment (2001::/23)",
        ),
        (0x3fff << 112, 20, "documentation"),
        (
            0xfd00_0ec2 << 96 | 0x254,
            128,
            "unique-local (cloud metadata)",
        ),
        (0xfc00 << 112, 7, "unique-local"),
        (0xfe80 << 112, 10, "link-local"),
        (0xfec0 << 112, 10, "site-local"),
        (0xff00 << 112, 8, "multicast"),
    ];
    if let Some((_, _, label)) = TABLE.iter().find(|(net, len, _)| in_v6(ip, *net, *len)) {
        return Some(label);
    }
    // Every public IPv6 unicast address is in 2000::/3; the rest is unallocated.
    if !in_v6(ip, 0x2000 << 112, 3) {
        return Some("reserved (outside 2000::/3)");
    }
    None
}

/// `None` for a public address. The label completes "is a … address", so a refusal reads as a
/// sentence the biller can act on.
pub fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Why `host`, resolved to `addrs`, is refused: the first address that is not public.
fn refusal(host: &str, addrs: &[SocketAddr]) -> Option<String> {
    addrs.iter().find_map(|a| {
        classify(a.ip()).map(|label| {
            format!(
                "{host} resolves to {}, {}; {ONLY_PUBLIC}",
                a.ip(),
                kind(label)
            )
        })
    })
}

/// Resolves a checked URL's host name as the endpoint is saved, and refuses it if any address
/// is not public: the rule every send applies, told at once instead of at the first delivery.
/// A name that does not resolve (yet) within 3 s is accepted; every send resolves it again, so
/// a name that changes to a private address later is still refused then.
pub async fn check_resolved(url: &Url, policy: Policy) -> Result<(), String> {
    if policy.allow_private_networks {
        return Ok(());
    }
    let Some(url::Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((host, port));
    let Ok(Ok(addrs)) = tokio::time::timeout(Duration::from_secs(3), lookup).await else {
        return Ok(());
    };
    match refusal(host, &addrs.collect::<Vec<_>>()) {
        Some(why) => Err(format!("url: {why}")),
        None => Ok(()),
    }
}

/// Why a request cannot go to a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreachable {
    /// An address the policy does not allow; the text names it and its kind.
    Refused(String),
    /// The name did not resolve, or to nothing.
    Unresolved(String),
}

/// The addresses a request to `host` may connect to: an IP literal as it is, a name resolved
/// here. One private address among public ones is enough to refuse the name: which one a
/// connection would use is not ours to choose, and a name that mixes them is the usual
/// rebinding trick.
pub async fn vetted_addresses(
    host: &url::Host<&str>,
    port: u16,
    policy: Policy,
) -> Result<Vec<SocketAddr>, Unreachable> {
    let name = match *host {
        url::Host::Domain(name) => name,
        url::Host::Ipv4(v4) => return vetted_literal(IpAddr::V4(v4), port, policy),
        url::Host::Ipv6(v6) => return vetted_literal(IpAddr::V6(v6), port, policy),
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
        .await
        .map_err(|e| Unreachable::Unresolved(format!("{name} cannot be resolved ({e})")))?
        .collect();
    if addrs.is_empty() {
        return Err(Unreachable::Unresolved(format!(
            "{name} resolves to no address"
        )));
    }
    if !policy.allow_private_networks
        && let Some(why) = refusal(name, &addrs)
    {
        return Err(Unreachable::Refused(why));
    }
    Ok(addrs)
}

fn vetted_literal(ip: IpAddr, port: u16, policy: Policy) -> Result<Vec<SocketAddr>, Unreachable> {
    if !policy.allow_private_networks
        && let Some(label) = classify(ip)
    {
        return Err(Unreachable::Refused(format!(
            "url: {ip} is {}; {ONLY_PUBLIC}",
            kind(label)
        )));
    }
    Ok(vec![SocketAddr::new(ip, port)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_as_sentences() {
        let strict = Policy {
            allow_private_networks: false,
            allow_http: false,
        };
        assert_eq!(
            check_url("https://10.0.0.5/hook", strict).unwrap_err(),
            "url: 10.0.0.5 is a private address; webhooks go only to public addresses"
        );
        let kind_of = |raw: &str| kind(classify(raw.parse().unwrap()).unwrap());
        assert_eq!(kind_of("::"), "an unspecified address");
        assert_eq!(kind_of("fd12::1"), "a unique-local address");
        assert_eq!(
            kind_of("192.0.0.8"),
            "an IETF protocol assignment (192.0.0.0/24) address"
        );
    }

    #[test]
    fn prefix_matching_handles_whole_and_empty_prefixes() {
        let ip = Ipv4Addr::new(1, 2, 3, 4);
        assert!(in_v4(ip, [9, 9, 9, 9], 0));
        assert!(in_v4(ip, [1, 2, 3, 4], 32));
        assert!(!in_v4(ip, [1, 2, 3, 5], 32));
        let v6: Ipv6Addr = "2002:c0a8:0101::1".parse().unwrap();
        assert_eq!(embedded_v4(v6, 80), Ipv4Addr::new(192, 168, 1, 1));
        assert!(in_v6(v6, 0, 0));
        assert!(in_v6(v6, u128::from(v6), 128));
    }

    #[test]
    fn odd_ipv4_spellings_are_normalised_then_vetted() {
        let strict = Policy {
            allow_private_networks: false,
            allow_http: true,
        };
        for raw in [
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
        ] {
            let e = check_url(raw, strict).unwrap_err();
            assert!(e.contains("127.0.0.1 is a loopback address"), "{raw}: {e}");
        }
    }
}
