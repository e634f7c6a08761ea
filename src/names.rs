//! Domain names as users type them, made into the form DNS and the checks use.
//!
//! One place for "normalise a domain" and "registered domain of a host", so every check agrees
//! on what a name is.

use std::net::IpAddr;

/// Longest DNS name in presentation form (RFC 1035: 255 octets on the wire).
pub const MAX_NAME_LEN: usize = 253;
/// Longest DNS label.
pub const MAX_LABEL_LEN: usize = 63;

/// Why a string is not a usable domain name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing was given.
    #[error("empty domain name")]
    Empty,
    /// An IP address was given where a domain was expected.
    #[error("{0} is an IP address, not a domain name")]
    IsIp(String),
    /// IDNA conversion failed (invalid Unicode label).
    #[error("{0:?} is not a valid internationalised domain name")]
    Idna(String),
    /// Too long, empty label, or characters DNS hostnames cannot carry.
    #[error("{name:?} is not a valid domain name: {why}")]
    Invalid {
        /// The input.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// Normalises a domain: trims, drops one trailing dot, converts Unicode labels to A-labels
/// (IDNA/UTS 46), lowercases, and checks lengths and characters (letters, digits, hyphen,
/// underscore for service labels such as `_dmarc`).
pub fn normalize_domain(input: &str) -> Result<String, NameError> {
    let trimmed = input.trim();
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if trimmed.parse::<IpAddr>().is_ok() || (trimmed.starts_with('[') && trimmed.ends_with(']')) {
        return Err(NameError::IsIp(trimmed.to_string()));
    }
    let ascii = if trimmed.is_ascii() {
        trimmed.to_ascii_lowercase()
    } else {
        idna::domain_to_ascii(trimmed).map_err(|_| NameError::Idna(trimmed.to_string()))?
    };
    let invalid = |why| NameError::Invalid {
        name: trimmed.to_string(),
        why,
    };
    if ascii.len() > MAX_NAME_LEN {
        return Err(invalid("longer than 253 characters"));
    }
    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(invalid("empty label"));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(invalid("a label is longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid("only letters, digits and hyphens are allowed"));
        }
    }
    Ok(ascii)
}

/// The registered (organisational) domain of a host by the public suffix list, e.g.
/// `mail.example.co.uk` → `example.co.uk`. `None` for a bare public suffix or an unknown TLD.
///
/// DMARC discovery does not use this (RFC 9989 walks the DNS tree); it is for display, URL
/// lists that key on registered domains, and lookalike comparisons.
pub fn registered_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = psl::domain(host.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_string)
}

/// True when `name` is `parent` or a subdomain of it (both normalised, no trailing dot).
pub fn is_within(name: &str, parent: &str) -> bool {
    name == parent
        || (name.len() > parent.len()
            && name.ends_with(parent)
            && name.as_bytes()[name.len() - parent.len() - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_trailing_dot_and_idn() {
        assert_eq!(
            normalize_domain("Example.COM.").as_deref(),
            Ok("example.com")
        );
        assert_eq!(
            normalize_domain("bücher.example").as_deref(),
            Ok("xn--bcher-kva.example")
        );
    }

    #[test]
    fn rejects_ips_and_garbage() {
        assert!(matches!(
            normalize_domain("192.0.2.1"),
            Err(NameError::IsIp(_))
        ));
        assert!(normalize_domain("exa mple.com").is_err());
        assert!(normalize_domain("").is_err());
        assert!(normalize_domain("a..b").is_err());
        assert!(normalize_domain(&"a".repeat(64)).is_err());
    }

    #[test]
    fn registered_domain_uses_public_suffixes() {
        assert_eq!(
            registered_domain("mail.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(registered_domain("co.uk"), None);
        assert!(is_within("a.example.com", "example.com"));
        assert!(!is_within("badexample.com", "example.com"));
    }
}
