//! Macro expansion (RFC 7208 7.3) and the domain-name rules applied to expanded names.
//!
//! Written here rather than taken from mail-auth: its expander lower-cases URL escapes
//! (`%3d` where the RFC's examples and the OpenSPF suite want `%3D`) and expands `%{p}` to an
//! empty string. The expansion itself is a few dozen lines.

use super::parse::{MacroPart, MacroString};
use std::fmt::Write as _;
use std::net::IpAddr;

/// Longest domain name an expansion may produce; longer ones lose labels on the left
/// (RFC 7208 7.3).
pub const MAX_EXPANDED_NAME: usize = 253;

/// The values the macro letters stand for.
#[derive(Debug, Clone)]
pub(crate) struct MacroContext<'a> {
    /// `s`: the sender, `local@domain`.
    pub sender: &'a str,
    /// `l`: the local-part of the sender.
    pub local: &'a str,
    /// `o`: the domain of the sender.
    pub sender_domain: &'a str,
    /// `d`: the domain being checked.
    pub domain: &'a str,
    /// `i`, `c`, `v`: the client IP.
    pub ip: IpAddr,
    /// `h`: the HELO name.
    pub helo: &'a str,
    /// `p`: the validated PTR name, when known.
    pub validated: Option<&'a str>,
    /// `r`: the receiving host.
    pub receiver: &'a str,
}

impl MacroContext<'_> {
    fn value(&self, letter: char) -> String {
        match letter {
            's' => self.sender.to_string(),
            'l' => self.local.to_string(),
            'o' => self.sender_domain.to_string(),
            'd' => self.domain.to_string(),
            'i' => match self.ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => {
                    let mut s = String::with_capacity(63);
                    for byte in v6.octets() {
                        let _ = write!(s, "{:x}.{:x}.", byte >> 4, byte & 0x0f);
                    }
                    s.pop();
                    s
                }
            },
            'p' => self.validated.unwrap_or("unknown").to_string(),
            'v' => match self.ip {
                IpAddr::V4(_) => "in-addr".to_string(),
                IpAddr::V6(_) => "ip6".to_string(),
            },
            'h' => self.helo.to_string(),
            'c' => self.ip.to_string(),
            'r' => self.receiver.to_string(),
            't' => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                .to_string(),
            _ => String::new(),
        }
    }

    /// Expands a macro-string.
    pub fn expand(&self, ms: &MacroString) -> String {
        let mut out = String::new();
        for part in &ms.parts {
            match part {
                MacroPart::Literal { text } => out.push_str(text),
                MacroPart::Var {
                    letter,
                    escape,
                    keep,
                    reverse,
                    delimiters,
                } => {
                    let value = self.value(*letter);
                    let delims: &str = if delimiters.is_empty() {
                        "."
                    } else {
                        delimiters
                    };
                    let mut parts: Vec<&str> = value.split(|c| delims.contains(c)).collect();
                    if *reverse {
                        parts.reverse();
                    }
                    if let Some(n) = keep
                        && *n < parts.len()
                    {
                        parts.drain(..parts.len() - n);
                    }
                    let joined = parts.join(".");
                    if *escape {
                        url_escape(&joined, &mut out);
                    } else {
                        out.push_str(&joined);
                    }
                }
            }
        }
        out
    }

    /// Expands a domain-spec into a name to query: trailing dot dropped, shortened from the left
    /// when longer than [`MAX_EXPANDED_NAME`].
    pub fn expand_domain(&self, ms: &MacroString) -> String {
        let full = self.expand(ms);
        let mut name = full.strip_suffix('.').unwrap_or(&full);
        while name.len() > MAX_EXPANDED_NAME {
            match name.split_once('.') {
                Some((_, rest)) => name = rest,
                None => break,
            }
        }
        name.to_string()
    }
}

fn url_escape(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// True when `name` can be queried: labels of 1 to 63 octets, at most 253 in all. Used on
/// expanded target names, whose characters are not restricted (RFC 7208 4.8).
pub fn queryable(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= MAX_EXPANDED_NAME
        && name.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}

/// True when `domain` may start a `check_host()` (RFC 7208 4.3): queryable, more than one
/// label, and not an address literal.
pub fn valid_identity_domain(domain: &str) -> bool {
    queryable(domain)
        && domain.trim_end_matches('.').contains('.')
        && !domain
            .bytes()
            .any(|b| b == b'[' || b == b']' || b.is_ascii_whitespace() || b == b'@')
}

/// A name from a DNS answer (RFC 1035 presentation form, `\:` and `\032` escapes) back to its
/// octets, so it can be compared and queried again.
pub fn unescape(name: &str) -> String {
    let b = name.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let digits = b
                .get(i + 1..i + 4)
                .filter(|d| d.iter().all(u8::is_ascii_digit));
            if let Some(d) = digits.and_then(|d| std::str::from_utf8(d).ok()?.parse::<u8>().ok()) {
                out.push(d);
                i += 4;
                continue;
            }
            if let Some(c) = b.get(i + 1) {
                out.push(*c);
                i += 2;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::parse::macro_string;
    use super::*;

    fn ctx(ip: &str) -> MacroContext<'static> {
        MacroContext {
            sender: "strong-bad@email.example.com",
            local: "strong-bad",
            sender_domain: "email.example.com",
            domain: "email.example.com",
            ip: ip.parse().expect("ip"),
            helo: "mx.example.org",
            validated: None,
            receiver: "unknown",
        }
    }

    #[test]
    fn rfc7208_section_7_4_examples() {
        let c = ctx("192.0.2.3");
        let e = |t: &str| c.expand(&macro_string(t, 0, true).expect("macro"));
        assert_eq!(e("%{s}"), "strong-bad@email.example.com");
        assert_eq!(e("%{d4}"), "email.example.com");
        assert_eq!(e("%{d2}"), "example.com");
        assert_eq!(e("%{d1}"), "com");
        assert_eq!(e("%{dr}"), "com.example.email");
        assert_eq!(e("%{d2r}"), "example.email");
        assert_eq!(e("%{l-}"), "strong.bad");
        assert_eq!(e("%{lr-}"), "bad.strong");
        assert_eq!(e("%{l1r-}"), "strong");
        assert_eq!(
            e("%{ir}.%{v}._spf.%{d2}"),
            "3.2.0.192.in-addr._spf.example.com"
        );
        assert_eq!(e("%{S}"), "strong-bad%40email.example.com");
        let c6 = ctx("2001:db8::cb01");
        let e6 = c6.expand(&macro_string("%{ir}.%{v}._spf.%{d2}", 0, false).expect("macro"));
        assert_eq!(
            e6,
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
    }
}
