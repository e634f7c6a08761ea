//! Address space: is an IP one that can send mail on the public Internet at all?
//!
//! Private (RFC 1918), shared (CGNAT), loopback, link-local, documentation, benchmarking,
//! multicast and reserved space never reaches a receiver as a client address: seeing one means
//! the wrong IP was looked up (an internal hop of the Received chain), or a misconfigured relay.
//! The table is the IANA special-purpose registries (RFC 6890 and its updates); all of IPv4 is
//! allocated now, so these are the IPv4 bogons; for IPv6, anything outside 2000::/3 is too.

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A special-purpose range an address falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SpecialRange {
    /// The range in CIDR notation.
    pub cidr: &'static str,
    /// What the range is for.
    pub name: &'static str,
    /// Where it is defined.
    pub reference: &'static str,
}

const V4: &[(Ipv4Addr, u8, &str, &str, &str)] = &[
    (
        Ipv4Addr::new(0, 0, 0, 0),
        8,
        "0.0.0.0/8",
        "\"this network\"",
        "RFC 791",
    ),
    (
        Ipv4Addr::new(10, 0, 0, 0),
        8,
        "10.0.0.0/8",
        "private network",
        "RFC 1918",
    ),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "100.64.0.0/10",
        "shared address space (carrier-grade NAT)",
        "RFC 6598",
    ),
    (
        Ipv4Addr::new(127, 0, 0, 0),
        8,
        "127.0.0.0/8",
        "loopback",
        "RFC 1122",
    ),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "169.254.0.0/16",
        "link-local",
        "RFC 3927",
    ),
    (
        Ipv4Addr::new(172, 16, 0, 0),
        12,
        "172.16.0.0/12",
        "private network",
        "RFC 1918",
    ),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        "192.0.0.0/24",
        "IETF protocol assignments",
        "RFC 6890",
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "192.0.2.0/24",
        "documentation (TEST-NET-1)",
        "RFC 5737",
    ),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "192.88.99.0/24",
        "deprecated 6to4 relay anycast",
        "RFC 7526",
    ),
    (
        Ipv4Addr::new(192, 168, 0, 0),
        16,
        "192.168.0.0/16",
        "private network",
        "RFC 1918",
    ),
    (
        Ipv4Addr::new(198, 18, 0, 0),
        15,
        "198.18.0.0/15",
        "benchmarking",
        "RFC 2544",
    ),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "198.51.100.0/24",
        "documentation (TEST-NET-2)",
        "RFC 5737",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "203.0.113.0/24",
        "documentation (TEST-NET-3)",
        "RFC 5737",
    ),
    (
        Ipv4Addr::new(224, 0, 0, 0),
        4,
        "224.0.0.0/4",
        "multicast",
        "RFC 5771",
    ),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "240.0.0.0/4",
        "reserved (and broadcast)",
        "RFC 1112",
    ),
];

const V6: &[(Ipv6Addr, u8, &str, &str, &str)] = &[
    (
        Ipv6Addr::UNSPECIFIED,
        128,
        "::/128",
        "unspecified address",
        "RFC 4291",
    ),
    (Ipv6Addr::LOCALHOST, 128, "::1/128", "loopback", "RFC 4291"),
    (
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
        96,
        "64:ff9b::/96",
        "NAT64 translation prefix",
        "RFC 6052",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "64:ff9b:1::/48",
        "local-use NAT64 prefix",
        "RFC 8215",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "100::/64",
        "discard-only",
        "RFC 6666",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "2001:db8::/32",
        "documentation",
        "RFC 3849",
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "2001::/23",
        "IETF protocol assignments (Teredo and others)",
        "RFC 2928",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "3fff::/20",
        "documentation",
        "RFC 9637",
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "fc00::/7",
        "unique local (private network)",
        "RFC 4193",
    ),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        "fe80::/10",
        "link-local",
        "RFC 4291",
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        "ff00::/8",
        "multicast",
        "RFC 4291",
    ),
];

const NOT_GLOBAL_UNICAST: SpecialRange = SpecialRange {
    cidr: "outside 2000::/3",
    name: "not in the IPv6 global unicast space (unallocated)",
    reference: "RFC 4291",
};

/// The special-purpose range `ip` falls in, or `None` for an ordinary public address.
/// IPv4-mapped IPv6 addresses are judged as the IPv4 address.
pub fn special_range(ip: IpAddr) -> Option<SpecialRange> {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let n = u32::from(v4);
            V4.iter()
                .find(|(net, len, ..)| prefix_match32(n, u32::from(*net), *len))
                .map(|&(_, _, cidr, name, reference)| SpecialRange {
                    cidr,
                    name,
                    reference,
                })
        }
        IpAddr::V6(v6) => {
            let n = u128::from(v6);
            let found = V6
                .iter()
                .find(|(net, len, ..)| prefix_match128(n, u128::from(*net), *len))
                .map(|&(_, _, cidr, name, reference)| SpecialRange {
                    cidr,
                    name,
                    reference,
                });
            // Global unicast is 2000::/3; everything else is unallocated or special.
            found.or_else(|| (!prefix_match128(n, 0x2000 << 112, 3)).then_some(NOT_GLOBAL_UNICAST))
        }
    }
}

fn prefix_match32(addr: u32, net: u32, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(len))
    };
    addr & mask == net & mask
}

fn prefix_match128(addr: u128, net: u128, len: u8) -> bool {
    let mask = if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    };
    addr & mask == net & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: &str) -> Option<&'static str> {
        special_range(s.parse().expect("ip")).map(|r| r.cidr)
    }

    #[test]
    fn private_shared_and_documentation_space_is_special() {
        assert_eq!(sp("10.1.2.3"), Some("10.0.0.0/8"));
        assert_eq!(sp("172.31.255.255"), Some("172.16.0.0/12"));
        assert_eq!(sp("100.127.0.1"), Some("100.64.0.0/10"));
        assert_eq!(sp("192.0.2.1"), Some("192.0.2.0/24"));
        assert_eq!(sp("255.255.255.255"), Some("240.0.0.0/4"));
        assert_eq!(sp("::ffff:192.168.1.1"), Some("192.168.0.0/16"));
        assert_eq!(sp("fd00::1"), Some("fc00::/7"));
        assert_eq!(sp("2001:db8::25"), Some("2001:db8::/32"));
        assert_eq!(sp("4000::1"), Some("outside 2000::/3"));
    }

    #[test]
    fn neighbours_of_special_ranges_are_public() {
        assert_eq!(sp("11.1.2.3"), None);
        assert_eq!(sp("172.32.0.1"), None);
        assert_eq!(sp("100.128.0.1"), None);
        assert_eq!(sp("192.0.3.1"), None);
        assert_eq!(sp("223.255.255.255"), None);
        assert_eq!(sp("2a00:1450:4001::1"), None);
        assert_eq!(sp("2001:4860:4860::8888"), None);
    }
}
