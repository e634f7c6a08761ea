//! The HELO/EHLO name: its form (RFC 5321 4.1.1.1 and 4.1.3), and whether DNS backs it.
//!
//! Receivers commonly reject a HELO that is not a fully qualified domain name, a bare IP
//! without brackets, or `localhost`; many more score a name that does not resolve, or resolves
//! to neither the connecting IP nor the name its PTR gives.

use crate::names::normalize_domain;
use serde::Serialize;
use std::net::IpAddr;

/// Longest HELO argument examined; longer input is refused as invalid without parsing.
pub const MAX_HELO_LEN: usize = 255;

/// The form of a HELO argument, before any DNS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "form", content = "value")]
pub enum HeloForm {
    /// A domain name with a dot and a public suffix, normalised (A-labels, lowercase).
    Name(String),
    /// An address literal: `[192.0.2.1]` or `[IPv6:2001:db8::1]`.
    Literal(IpAddr),
    /// An IP address without brackets: not valid in HELO.
    BareIp(IpAddr),
    /// `localhost`, `localhost.localdomain`, `*.local` and the like.
    Localhost(String),
    /// A single label, or a name under a suffix that is not public (`mail`, `srv.lan`).
    NotFqdn(String),
    /// Not a domain name at all.
    Invalid {
        /// The input (cut to a readable length).
        input: String,
        /// What is wrong.
        why: String,
    },
}

/// Private suffixes that never resolve on the Internet.
const LOCAL_SUFFIXES: &[&str] = &["localdomain", "localhost", "local"];

/// Reads a HELO argument.
pub fn classify(helo: &str) -> HeloForm {
    let shown: String = helo.chars().take(100).collect();
    let helo = helo.trim();
    if helo.is_empty() || helo.len() > MAX_HELO_LEN {
        return HeloForm::Invalid {
            input: shown,
            why: format!("empty or longer than {MAX_HELO_LEN} characters"),
        };
    }
    if let Some(inner) = helo.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let inner = inner
            .strip_prefix("IPv6:")
            .or_else(|| inner.strip_prefix("ipv6:"))
            .unwrap_or(inner);
        return match inner.parse::<IpAddr>() {
            Ok(ip) => HeloForm::Literal(ip),
            Err(_) => HeloForm::Invalid {
                input: shown,
                why: "brackets hold no IP address".into(),
            },
        };
    }
    if let Ok(ip) = helo.parse::<IpAddr>() {
        return HeloForm::BareIp(ip);
    }
    let name = match normalize_domain(helo) {
        Ok(n) => n,
        Err(e) => {
            return HeloForm::Invalid {
                input: shown,
                why: e.to_string(),
            };
        }
    };
    let last = name.rsplit('.').next().unwrap_or(&name);
    if name == "localhost" || name.starts_with("localhost.") || LOCAL_SUFFIXES.contains(&last) {
        return HeloForm::Localhost(name);
    }
    if !name.contains('.') {
        return HeloForm::NotFqdn(name);
    }
    let public = psl::suffix(name.as_bytes()).is_some_and(|s| s.is_known());
    if !public {
        return HeloForm::NotFqdn(name);
    }
    HeloForm::Name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helo_forms() {
        assert_eq!(
            classify("Mail.Example.COM"),
            HeloForm::Name("mail.example.com".into())
        );
        assert!(matches!(classify("[192.0.2.1]"), HeloForm::Literal(_)));
        assert!(matches!(
            classify("[IPv6:2001:db8::1]"),
            HeloForm::Literal(_)
        ));
        assert!(matches!(classify("192.0.2.1"), HeloForm::BareIp(_)));
        assert!(matches!(classify("localhost"), HeloForm::Localhost(_)));
        assert!(matches!(
            classify("localhost.localdomain"),
            HeloForm::Localhost(_)
        ));
        assert!(matches!(classify("printer.local"), HeloForm::Localhost(_)));
        assert!(matches!(classify("mailserver"), HeloForm::NotFqdn(_)));
        assert!(matches!(classify("srv.lan"), HeloForm::NotFqdn(_)));
        assert!(matches!(classify("bad_name!"), HeloForm::Invalid { .. }));
        assert!(matches!(classify("[nope]"), HeloForm::Invalid { .. }));
        assert!(matches!(
            classify(&"a".repeat(300)),
            HeloForm::Invalid { .. }
        ));
        // Near misses: a name that merely starts with "local" is a name.
        assert!(matches!(
            classify("localmail.example.com"),
            HeloForm::Name(_)
        ));
    }
}
