//! The client's address behind trusted reverse proxies.
//!
//! A load balancer connects to us itself, so the TCP peer is the proxy and
//! the client is named in a forwarding header the proxy appends to. Those
//! headers are only believed when the peer is a configured trusted proxy:
//! anyone else could write any address there to dodge per-address limits.
//! Each proxy appends the address it received the request from, so the list
//! is read from the right, skipping our own proxies; the first hop that is not
//! one of them is the client (whatever it wrote further left is its own claim).

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

#[cfg(test)]
use crate::config::parse_cidr;
use crate::config::{ForwardedHeader, ProxyList};

/// The resolved client address of a request as per-address limits count it
/// (see [`address_group`]), a request extension set by the accept loop beside
/// `ConnectInfo<SocketAddr>` (which stays the TCP peer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The address a client is counted under: an IPv4 address (also written as
/// IPv4-mapped IPv6) as it is, an IPv6 one as the network of its first
/// `v6_prefix` bits. A host is commonly given a whole /64 and may use any
/// address in it, so per-address caps keyed on full IPv6 addresses hold nobody.
pub fn address_group(ip: IpAddr, v6_prefix: u8) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => ipnet::Ipv6Net::new(v6, v6_prefix.min(128))
            .map_or(IpAddr::V6(v6), |net| IpAddr::V6(net.network())),
        v4 => v4,
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    header: ForwardedHeader,
}

impl TrustedProxies {
    /// Trusts peers in `networks`, reading `header` from them.
    pub fn new(networks: &ProxyList, header: ForwardedHeader) -> Self {
        Self {
            networks: networks.0.clone(),
            header,
        }
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|net| net.contains(&ip))
    }

    /// The client address of a request that came from `peer` with `headers`.
    ///
    /// From an untrusted peer the headers are ignored and the peer is the
    /// client. From a trusted one, the right-most hop that is not trusted; if
    /// that hop cannot be read (`unknown`, an obfuscated name, garbage), the
    /// trusted proxy that reported it stands in for it, so such clients share
    /// one address rather than choosing their own. All hops trusted: the
    /// left-most.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all(self.header.name())
            .iter()
            // A header that is not text cannot be read at all: as if absent.
            .filter_map(|value| value.to_str().ok())
            .flat_map(split_list)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let parsed = match self.header {
                ForwardedHeader::XForwardedFor => parse_node(hop),
                ForwardedHeader::Forwarded => forwarded_for(hop).and_then(parse_node),
            };
            let Some(ip) = parsed.map(|ip| ip.to_canonical()) else {
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// Splits a comma-separated header list, keeping commas inside quoted strings.
fn split_list(value: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(value[start..].trim());
    items.retain(|item| !item.is_empty());
    items
}

/// The `for=` value of one RFC 7239 `Forwarded` element, unquoted.
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`
/// or `[2001:db8::1]:4711`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim();
    if let Ok(ip) = IpAddr::from_str(node) {
        return Some(ip);
    }
    if let Ok(socket) = SocketAddr::from_str(node) {
        return Some(socket.ip());
    }
    // `[2001:db8::1]` without a port.
    node.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| IpAddr::from_str(inner).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn headers(name: &str, values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        headers
    }

    fn trusting(cidrs: &[&str], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies::new(&cidrs.join(",").parse().unwrap(), header)
    }

    #[test]
    fn parses_cidrs_and_single_addresses() {
        assert_eq!(parse_cidr("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_cidr(" 10.1.2.3 ").unwrap().to_string(), "10.1.2.3/32");
        assert_eq!(parse_cidr("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_cidr("::1").unwrap().to_string(), "::1/128");
        assert_eq!(parse_cidr("fd00::/8").unwrap().to_string(), "fd00::/8");
        for bad in ["", "10.0.0.0/33", "example.com", "10.0.0"] {
            assert!(parse_cidr(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn parses_lists_and_takes_an_empty_one_as_none() {
        assert_eq!("".parse::<ProxyList>().unwrap(), ProxyList::default());
        assert_eq!(" , ".parse::<ProxyList>().unwrap(), ProxyList::default());
        let list: ProxyList = "10.0.0.0/8, 127.0.0.1".parse().unwrap();
        assert_eq!(list.0.len(), 2);
        assert!("10.0.0.0/8,bogus".parse::<ProxyList>().is_err());
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let xff = headers("x-forwarded-for", &["203.0.113.9"]);
        let none = TrustedProxies::default();
        assert_eq!(none.client_ip(ip("198.51.100.7"), &xff), ip("198.51.100.7"));
        let other = trusting(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        assert_eq!(
            other.client_ip(ip("198.51.100.7"), &xff),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn takes_the_right_most_untrusted_hop() {
        let proxies = trusting(&["10.0.0.0/8", "127.0.0.1"], ForwardedHeader::XForwardedFor);
        let peer = ip("10.0.0.2");
        // The client's own claim (1.1.1.1) is left of the address our proxy saw.
        let xff = headers("x-forwarded-for", &["1.1.1.1, 203.0.113.9, 10.0.0.5"]);
        assert_eq!(proxies.client_ip(peer, &xff), ip("203.0.113.9"));
        // Several header lines form one list, in order.
        let lines = headers("x-forwarded-for", &["1.1.1.1", "203.0.113.9", "10.0.0.5"]);
        assert_eq!(proxies.client_ip(peer, &lines), ip("203.0.113.9"));
        // Ports and brackets as some proxies write them.
        let ported = headers("x-forwarded-for", &["[2001:db8::1]:4711, 203.0.113.9:80"]);
        assert_eq!(proxies.client_ip(peer, &ported), ip("203.0.113.9"));
        // No header: the proxy itself.
        assert_eq!(proxies.client_ip(peer, &HeaderMap::new()), peer);
        // Every hop trusted: the left-most.
        let internal = headers("x-forwarded-for", &["10.9.9.9, 10.0.0.5"]);
        assert_eq!(proxies.client_ip(peer, &internal), ip("10.9.9.9"));
    }

    #[test]
    fn an_unreadable_hop_is_replaced_by_the_proxy_that_reported_it() {
        let proxies = trusting(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        let peer = ip("10.0.0.2");
        let xff = headers("x-forwarded-for", &["203.0.113.9, unknown, 10.0.0.5"]);
        assert_eq!(proxies.client_ip(peer, &xff), ip("10.0.0.5"));
        let garbage = headers("x-forwarded-for", &["not-an-ip"]);
        assert_eq!(proxies.client_ip(peer, &garbage), peer);
    }

    #[test]
    fn reads_only_the_configured_header() {
        let peer = ip("127.0.0.1");
        let mut both = headers("x-forwarded-for", &["203.0.113.9"]);
        both.insert("forwarded", "for=198.51.100.1".parse().unwrap());
        let xff = trusting(&["127.0.0.1"], ForwardedHeader::XForwardedFor);
        assert_eq!(xff.client_ip(peer, &both), ip("203.0.113.9"));
        let forwarded = trusting(&["127.0.0.1"], ForwardedHeader::Forwarded);
        assert_eq!(forwarded.client_ip(peer, &both), ip("198.51.100.1"));
    }

    #[test]
    fn parses_rfc_7239_elements() {
        let proxies = trusting(&["10.0.0.0/8"], ForwardedHeader::Forwarded);
        let peer = ip("10.0.0.2");
        let value = headers(
            "forwarded",
            &[
                r#"for=192.0.2.43, For="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.5;by=10.0.0.2"#,
            ],
        );
        assert_eq!(proxies.client_ip(peer, &value), ip("2001:db8:cafe::17"));
        let obfuscated = headers("forwarded", &["for=_hidden, for=10.0.0.5"]);
        assert_eq!(proxies.client_ip(peer, &obfuscated), ip("10.0.0.5"));
        let no_for = headers("forwarded", &["proto=https;by=10.0.0.5"]);
        assert_eq!(proxies.client_ip(peer, &no_for), peer);
        // A comma inside a quoted string does not split the element.
        assert_eq!(
            split_list(r#"for="a,b", for=c"#),
            vec![r#"for="a,b""#, "for=c"]
        );
    }

    #[test]
    fn ipv6_clients_are_grouped_by_prefix_and_ipv4_ones_are_not() {
        assert_eq!(
            address_group(ip("2001:db8:1:2:aaaa::1"), 64),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            address_group(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"), 64),
            address_group(ip("2001:db8:1:2::7"), 64)
        );
        assert_ne!(
            address_group(ip("2001:db8:1:3::1"), 64),
            address_group(ip("2001:db8:1:2::1"), 64)
        );
        assert_eq!(address_group(ip("2001:db8::5"), 128), ip("2001:db8::5"));
        assert_eq!(address_group(ip("2001:db8:1:2::1"), 48), ip("2001:db8:1::"));
        assert_eq!(address_group(ip("203.0.113.9"), 64), ip("203.0.113.9"));
        assert_eq!(
            address_group(ip("::ffff:203.0.113.9"), 64),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let proxies = trusting(&["127.0.0.1"], ForwardedHeader::XForwardedFor);
        let xff = headers("x-forwarded-for", &["::ffff:203.0.113.9"]);
        assert_eq!(
            proxies.client_ip(ip("::ffff:127.0.0.1"), &xff),
            ip("203.0.113.9")
        );
    }
}
