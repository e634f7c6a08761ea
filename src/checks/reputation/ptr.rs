//! Reverse DNS: is there a PTR, does it point back (FCrDNS), and does it look like a mail server
//! or like an end-user line?
//!
//! Receivers (Gmail, Microsoft, most Postfix setups) want a PTR whose name resolves back to the
//! connecting IP, and score or reject names that look generic (the IP's digits, `dynamic`,
//! `dsl`, `pool`...): those are end-user ranges that should send through a relay.

use crate::names::registered_domain;
use std::net::IpAddr;

/// Most PTR names of one IP examined (more is itself odd, and each costs a lookup).
pub const MAX_PTR_NAMES: usize = 4;

/// Words that mark a generic or end-user PTR when they stand as a token left of the registered
/// domain (`dsl` in `dsl-12.isp.example.net`, not `pool` inside `carpool`).
const GENERIC_WORDS: &[&str] = &[
    "dynamic",
    "dyn",
    "dynip",
    "dip",
    "dsl",
    "adsl",
    "vdsl",
    "xdsl",
    "sdsl",
    "pool",
    "dhcp",
    "cable",
    "ppp",
    "pppoe",
    "dial",
    "dialup",
    "dialin",
    "modem",
    "cpe",
    "customer",
    "cust",
    "client",
    "clients",
    "broadband",
    "bband",
    "resnet",
    "residential",
    "subscriber",
    "user",
    "users",
    "home",
    "nat",
    "ftth",
    "fttx",
    "fttc",
    "wireless",
    "wlan",
    "wifi",
    "mobile",
    "lte",
    "umts",
    "gprs",
    "unassigned",
    "unknown",
    "noreverse",
    "rev",
    "reverse",
    "arpa",
    "addr",
];

/// Why a PTR name looks generic (an end-user line rather than a mail server), or `None`.
pub fn generic_ptr_reason(name: &str, ip: IpAddr) -> Option<String> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let host_part = host_part(&name);
    let ip = ip.to_canonical();
    if let Some(why) = ip_digits(&name, ip) {
        return Some(why);
    }
    for token in tokens(host_part) {
        if token.bytes().all(|b| b.is_ascii_alphabetic()) && GENERIC_WORDS.contains(&token) {
            return Some(format!(
                "the name contains {token:?}, a word of end-user ranges"
            ));
        }
    }
    None
}

/// The labels left of the registered domain (`a.b` of `a.b.example.co.uk`); for a name with no
/// known registered domain, all but the last two labels.
fn host_part(name: &str) -> &str {
    let reg_len = match registered_domain(name) {
        Some(reg) => reg.len(),
        None => {
            let mut dots = name.rmatch_indices('.');
            match (dots.next(), dots.next()) {
                (Some(_), Some((i, _))) => name.len() - i - 1,
                _ => name.len(),
            }
        }
    };
    if reg_len >= name.len() {
        ""
    } else {
        &name[..name.len() - reg_len - 1]
    }
}

/// Maximal runs of letters and of digits: `adsl123-45` → `adsl`, `123`, `45`.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut kind = 0u8;
    for (i, c) in text.char_indices() {
        let k = if c.is_ascii_alphabetic() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            0
        };
        if k != kind || k == 0 {
            if let Some(s) = start.take() {
                out.push(&text[s..i]);
            }
            if k != 0 {
                start = Some(i);
            }
            kind = k;
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Alphanumeric runs: `2001-db8-0-1` → `2001`, `db8`, `0`, `1`.
fn alnum_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
}

fn ip_digits(name: &str, ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            let padded = format!("{:03}{:03}{:03}{:03}", o[0], o[1], o[2], o[3]);
            let hex = format!("{:02x}{:02x}{:02x}{:02x}", o[0], o[1], o[2], o[3]);
            if alnum_runs(name).any(|r| r.contains(&padded) || r == hex) {
                return Some("the name contains the IP address as one number".into());
            }
            // Two or more octets as separate numbers: 203-0-113-45, 45.113.0.203, host45-113.
            let mut left: Vec<u8> = o.to_vec();
            let mut matched = 0;
            for t in tokens(name) {
                if !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 3 {
                    continue;
                }
                let Ok(n) = t.parse::<u16>() else { continue };
                if let Some(pos) = left.iter().position(|&x| u16::from(x) == n) {
                    left.remove(pos);
                    matched += 1;
                }
            }
            (matched >= 2).then(|| format!("the name contains {matched} of the IP's octets"))
        }
        IpAddr::V6(v6) => {
            let mut left: Vec<u16> = v6.segments().into_iter().filter(|s| *s != 0).collect();
            let needed = left.len().min(3);
            if needed == 0 {
                return None;
            }
            let mut matched = 0;
            for r in alnum_runs(name) {
                if r.len() > 4 || !r.bytes().all(|b| b.is_ascii_hexdigit()) {
                    continue;
                }
                let Ok(n) = u16::from_str_radix(r, 16) else {
                    continue;
                };
                if let Some(pos) = left.iter().position(|&x| x == n) {
                    left.remove(pos);
                    matched += 1;
                }
            }
            (matched >= needed)
                .then(|| format!("the name contains {matched} groups of the IPv6 address"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic(name: &str, ip: &str) -> bool {
        generic_ptr_reason(name, ip.parse().expect("ip")).is_some()
    }

    #[test]
    fn ip_digits_in_the_name_are_generic() {
        assert!(generic("203-0-113-45.static.isp.net", "203.0.113.45"));
        assert!(generic("45.113.0.203.in-addr.isp.net", "203.0.113.45"));
        assert!(generic("c-73-22-11-8.hsd1.example.net", "73.22.11.8"));
        assert!(generic("host45-113.isp.net", "203.0.113.45"));
        assert!(generic("ip203000113045.isp.net", "203.0.113.45"));
        assert!(generic("cb00712d.isp.net", "203.0.113.45"));
        assert!(generic(
            "2001-db8-12-34--5.ip6.isp.net",
            "2001:db8:12:34::5"
        ));
    }

    #[test]
    fn end_user_words_are_generic() {
        assert!(generic("adsl-pool7.isp.net", "198.51.100.7"));
        assert!(generic("dynamic.isp.net.example.com", "198.51.100.7"));
        assert!(generic("ppp.bras1.example.co.uk", "198.51.100.7"));
        assert!(generic("cpe.home.example.org", "198.51.100.7"));
    }

    #[test]
    fn mail_server_names_are_not_generic() {
        assert!(!generic("mail.example.com", "203.0.113.45"));
        assert!(!generic("mx1.example.com", "203.0.113.1"));
        assert!(!generic("smtp.carpool.example.com", "203.0.113.45"));
        assert!(!generic("outbound.liverpool-office.com", "203.0.113.45"));
        // The words count only left of the registered domain.
        assert!(!generic("mail.dsl.net", "203.0.113.45"));
        assert!(!generic("mail-2001.example.com", "2001:db8::25"));
    }
}
