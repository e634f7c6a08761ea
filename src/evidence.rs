//! Evidence: what a check looks at.
//!
//! The gate fills it from the SMTP conversation; the doctor fills it from the command line, or
//! infers the envelope from a message's headers (and says so in [`Evidence::inferred`]).

use serde::Serialize;
use std::net::IpAddr;
use std::sync::Arc;

/// The SMTP envelope and, once received, the message.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evidence {
    /// The connecting client's IP address.
    pub client_ip: Option<IpAddr>,
    /// The name the client gave in HELO/EHLO.
    pub helo: Option<String>,
    /// The MAIL FROM address; `Some("")` is the null reverse-path `<>` (bounces).
    pub mail_from: Option<String>,
    /// RCPT TO addresses.
    pub rcpt_to: Vec<String>,
    /// The raw message (headers and body), when the check runs after DATA.
    #[serde(skip)]
    pub message: Option<Arc<[u8]>>,
    /// Which envelope fields were inferred from headers rather than given
    /// (`client_ip`, `helo`, `mail_from`, `rcpt_to`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<&'static str>,
}

impl Evidence {
    /// The domain of MAIL FROM, or of HELO for the null sender (RFC 7208 section 2.4).
    pub fn sender_domain(&self) -> Option<&str> {
        match self.mail_from.as_deref() {
            Some(addr) if !addr.is_empty() => addr.rsplit_once('@').map(|(_, d)| d),
            _ => self.helo.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_sender_falls_back_to_helo_domain() {
        let mut e = Evidence {
            helo: Some("mx.example.org".into()),
            mail_from: Some(String::new()),
            ..Evidence::default()
        };
        assert_eq!(e.sender_domain(), Some("mx.example.org"));
        e.mail_from = Some("bob@example.com".into());
        assert_eq!(e.sender_domain(), Some("example.com"));
    }
}
