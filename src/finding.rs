//! Findings: the product of every check.
//!
//! A check gathers facts and turns each problem (or noteworthy fact) into a [`Finding`]. A Finding
//! never decides what to do with a message: that is the policy's job. It carries a stable
//! [`Finding::code`] (public API: users grep for it in bounces and configuration), the [`Cause`]
//! it belongs to, a [`Severity`], structured evidence, a one-line summary and a `fix` written for
//! the person who must act.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The family of problem a Finding belongs to: the four classic causes of a security-policy
/// rejection, plus the two that are about the sender's setup and the SMTP conversation itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// The IP, domain or a URL is on a DNS blocklist.
    Blocklist,
    /// SPF, DKIM, DMARC, ARC or iprev.
    Authentication,
    /// What the message carries: text, links, attachments.
    Content,
    /// How the sending IP looks: PTR, HELO, address space, history.
    Reputation,
    /// DNS records and settings of the sender's own domain that are wrong but not (yet) failing.
    Configuration,
    /// The SMTP conversation or message format.
    Protocol,
}

impl Cause {
    /// Every cause, in the order reports show them.
    pub const ALL: [Cause; 6] = [
        Cause::Blocklist,
        Cause::Authentication,
        Cause::Content,
        Cause::Reputation,
        Cause::Configuration,
        Cause::Protocol,
    ];

    /// A human title for report sections.
    pub fn title(self) -> &'static str {
        match self {
            Cause::Blocklist => "Blocklisting",
            Cause::Authentication => "Authentication",
            Cause::Content => "Content and attachments",
            Cause::Reputation => "IP reputation",
            Cause::Configuration => "Configuration",
            Cause::Protocol => "Protocol",
        }
    }

    /// The lowercase name used in JSON and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Blocklist => "blocklist",
            Cause::Authentication => "authentication",
            Cause::Content => "content",
            Cause::Reputation => "reputation",
            Cause::Configuration => "configuration",
            Cause::Protocol => "protocol",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a Finding is. Ordered: `Info < Warning < Error`.
///
/// `Error` means "a receiver may well reject mail because of this"; `Warning` means "fix it before
/// it bites"; `Info` records a fact worth seeing (a passing check, a note).
/// `Temporary` means the check could not decide (a DNS timeout, a SERVFAIL): it must never be
/// treated as a failure, only as a reason to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A fact, often a passing check.
    Info,
    /// Could not decide: temporary failure (DNS timeout, SERVFAIL).
    Temporary,
    /// Should be fixed; not a rejection reason on its own.
    Warning,
    /// A likely rejection reason.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Temporary => "temporary",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem or fact found by a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable, upper-case code such as `SPF_TOO_MANY_LOOKUPS`. Public API: never rename one.
    pub code: String,
    /// Which of the classic causes this belongs to.
    pub cause: Cause,
    /// How bad it is.
    pub severity: Severity,
    /// What the finding is about: a domain, an IP, a DNS name, a MIME part.
    pub subject: String,
    /// One line saying what is wrong, for the report.
    pub summary: String,
    /// What to do about it, in plain words, for the person who must act. Empty for info findings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fix: String,
    /// Structured facts behind the finding (record text, lookup counts, list names, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub evidence: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// Starts a Finding; add evidence and the fix with the builder methods.
    pub fn new(
        code: impl Into<String>,
        cause: Cause,
        severity: Severity,
        subject: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.into(),
            cause,
            severity,
            subject: subject.into(),
            summary: summary.into(),
            fix: String::new(),
            evidence: BTreeMap::new(),
        }
    }

    /// Sets the plain-words fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Adds one piece of structured evidence.
    pub fn evidence(mut self, key: &str, value: impl Serialize) -> Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.evidence.insert(key.to_string(), value);
        self
    }

    /// True when this finding means "could not decide" rather than a verdict on the sender.
    pub fn is_temporary(&self) -> bool {
        self.severity == Severity::Temporary
    }
}

/// The worst severity among the findings, if any.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_error_above_warning_above_temporary() {
        assert!(Severity::Error > Severity::Warning);
        assert!(Severity::Warning > Severity::Temporary);
        assert!(Severity::Temporary > Severity::Info);
    }

    #[test]
    fn finding_serialises_with_stable_field_names() {
        let f = Finding::new(
            "SPF_FAIL",
            Cause::Authentication,
            Severity::Error,
            "example.com",
            "SPF failed",
        )
        .fix("Add the IP to your SPF record")
        .evidence("ip", "192.0.2.1");
        let json = serde_json::to_value(&f).expect("serialise");
        assert_eq!(json["code"], "SPF_FAIL");
        assert_eq!(json["cause"], "authentication");
        assert_eq!(json["severity"], "error");
        assert_eq!(json["evidence"]["ip"], "192.0.2.1");
        assert_eq!(worst(&[f]), Some(Severity::Error));
    }
}
