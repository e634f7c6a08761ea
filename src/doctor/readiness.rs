//! Bulk-sender readiness: would the big mailbox providers take bulk mail from this domain?
//!
//! Gmail and Yahoo (since February 2024) and Microsoft's consumer domains (since May 2025)
//! require of senders of more than about 5,000 messages a day: SPF and DKIM, a DMARC record
//! (at least `p=none`), and a From domain aligned with SPF or DKIM. Other requirements (valid
//! forward and reverse DNS of the sending IPs, TLS, one-click unsubscribe, a low spam rate) are
//! properties of the IPs and messages, not of the domain's DNS: the report names the command
//! that checks each.
//!
//! This module only weighs facts the domain audit already established; it does no I/O.

use crate::finding::{Cause, Finding, Severity};
use serde::Serialize;

/// What the domain audit found about SPF, reduced to what readiness needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpfFact {
    /// One valid record.
    Valid,
    /// No record.
    Missing,
    /// A record that evaluates to permerror (several records, syntax, too many lookups).
    Broken,
    /// DNS could not tell.
    Unknown,
}

/// What the domain audit found about DMARC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DmarcFact {
    /// A valid record with this policy (`none`, `quarantine`, `reject`).
    Policy {
        /// The `p=` value.
        policy: String,
        /// Whether aggregate reports are requested (`rua`).
        reports: bool,
    },
    /// No record.
    Missing,
    /// A record that cannot be used.
    Broken,
    /// DNS could not tell.
    Unknown,
}

/// The inputs: facts from the SPF, DKIM and DMARC audits.
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessInput {
    /// The audited domain.
    pub domain: String,
    /// SPF state of the domain.
    pub spf: SpfFact,
    /// DKIM selectors with a usable key of at least 1024 bits under the domain.
    pub dkim_selectors: Vec<String>,
    /// Whether the DKIM lookup could not be completed.
    pub dkim_unknown: bool,
    /// DMARC state.
    pub dmarc: DmarcFact,
}

/// Whether a requirement is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Met.
    Met,
    /// Not met.
    Missing,
    /// DNS could not tell.
    Unknown,
    /// Not a property of the domain's DNS: checked by another command.
    ElsewhereChecked,
}

/// One requirement of the big mailbox providers.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// Short stable identifier (`spf`, `dkim`, `dmarc`, `alignment`, ...).
    pub id: &'static str,
    /// Who requires it.
    pub required_by: &'static str,
    /// Met, missing, unknown, or checked elsewhere.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// What to do when it is not met.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fix: String,
}

/// The readiness answer.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    /// True when every DNS-checkable requirement is met.
    pub ready: bool,
    /// Each requirement with its status.
    pub requirements: Vec<Requirement>,
    /// One summary finding (`BULK_SENDER_READY` or `BULK_SENDER_NOT_READY`).
    pub findings: Vec<Finding>,
}

const ALL_THREE: &str = "Gmail, Yahoo, Microsoft";

/// Weighs the facts.
pub fn assess(input: &ReadinessInput) -> Readiness {
    let d = &input.domain;
    let mut reqs = Vec::new();

    let (status, detail, fix) = match input.spf {
        SpfFact::Valid => (
            Status::Met,
            "one valid SPF record".to_string(),
            String::new(),
        ),
        SpfFact::Missing => (
            Status::Missing,
            "no SPF record".to_string(),
            format!(
                "Publish a TXT record at {d} listing your sending servers, e.g. \"v=spf1 include:<your provider> -all\"."
            ),
        ),
        SpfFact::Broken => (
            Status::Missing,
            "the SPF record evaluates to a permanent error".to_string(),
            "Fix the SPF errors reported above; a broken record counts as no record.".to_string(),
        ),
        SpfFact::Unknown => (
            Status::Unknown,
            "DNS could not tell".to_string(),
            String::new(),
        ),
    };
    reqs.push(Requirement {
        id: "spf",
        required_by: ALL_THREE,
        status,
        detail,
        fix,
    });

    let (status, detail, fix) = if !input.dkim_selectors.is_empty() {
        (
            Status::Met,
            format!(
                "DKIM key(s) found at selector(s) {}",
                input.dkim_selectors.join(", ")
            ),
            String::new(),
        )
    } else if input.dkim_unknown {
        (
            Status::Unknown,
            "DNS could not tell".to_string(),
            String::new(),
        )
    } else {
        (
            Status::Missing,
            "no usable DKIM key found (checked the given and the common selectors)".to_string(),
            format!(
                "Sign outgoing mail with DKIM (d={d}) using a 2048-bit key: `fivefifty dkim keygen --domain {d} --selector s1` prints the record to publish. If you already sign, re-run with --selector <your selector>."
            ),
        )
    };
    reqs.push(Requirement {
        id: "dkim",
        required_by: ALL_THREE,
        status,
        detail,
        fix,
    });

    let (status, detail, fix) = match &input.dmarc {
        DmarcFact::Policy { policy, reports } => (
            Status::Met,
            format!(
                "DMARC p={policy}{}",
                if *reports {
                    " with aggregate reports"
                } else {
                    ", no aggregate reports requested"
                }
            ),
            String::new(),
        ),
        DmarcFact::Missing => (
            Status::Missing,
            "no DMARC record".to_string(),
            format!(
                "Publish at _dmarc.{d}: \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{d}\", read the reports, then move to p=quarantine or p=reject."
            ),
        ),
        DmarcFact::Broken => (
            Status::Missing,
            "the DMARC record cannot be used".to_string(),
            "Fix the DMARC errors reported above.".to_string(),
        ),
        DmarcFact::Unknown => (
            Status::Unknown,
            "DNS could not tell".to_string(),
            String::new(),
        ),
    };
    reqs.push(Requirement {
        id: "dmarc",
        required_by: ALL_THREE,
        status,
        detail,
        fix,
    });

    // Alignment is possible when the From domain itself can pass SPF (its own record, used as
    // the Return-Path domain) or carries its own DKIM key (d= the From domain).
    let alignable = input.spf == SpfFact::Valid || !input.dkim_selectors.is_empty();
    let unknown = input.spf == SpfFact::Unknown || input.dkim_unknown;
    let (status, detail, fix) = if alignable {
        (
            Status::Met,
            if input.dkim_selectors.is_empty() {
                "alignment possible through SPF (use a Return-Path under this domain)".to_string()
            } else {
                "alignment possible through DKIM (d= this domain)".to_string()
            },
            String::new(),
        )
    } else if unknown {
        (
            Status::Unknown,
            "DNS could not tell".to_string(),
            String::new(),
        )
    } else {
        (
            Status::Missing,
            "neither SPF nor DKIM can pass for this domain, so DMARC cannot pass".to_string(),
            format!(
                "Have your sending service sign with d={d} (custom DKIM domain) or use a bounce address under {d}."
            ),
        )
    };
    reqs.push(Requirement {
        id: "alignment",
        required_by: ALL_THREE,
        status,
        detail,
        fix,
    });

    for (id, by, detail) in [
        (
            "reverse_dns",
            ALL_THREE,
            "valid forward and reverse DNS of each sending IP: `fivefifty ip <sending IP>`",
        ),
        (
            "one_click_unsubscribe",
            "Gmail, Yahoo",
            "List-Unsubscribe with RFC 8058 one-click on marketing mail: `fivefifty check <message>`",
        ),
        (
            "message_format",
            ALL_THREE,
            "RFC 5322 message format: `fivefifty check <message>`",
        ),
        (
            "spam_rate",
            "Gmail, Yahoo",
            "user-reported spam rate under 0.3% (Google Postmaster Tools, Yahoo Sender Hub)",
        ),
    ] {
        reqs.push(Requirement {
            id,
            required_by: by,
            status: Status::ElsewhereChecked,
            detail: detail.to_string(),
            fix: String::new(),
        });
    }

    let missing: Vec<&Requirement> = reqs
        .iter()
        .filter(|r| r.status == Status::Missing)
        .collect();
    let ready = missing.is_empty() && !reqs.iter().any(|r| r.status == Status::Unknown);
    let finding = if ready {
        Finding::new(
            "BULK_SENDER_READY",
            Cause::Authentication,
            Severity::Info,
            d,
            "SPF, DKIM, DMARC and alignment meet the bulk-sender rules of Gmail, Yahoo and Microsoft",
        )
    } else if missing.is_empty() {
        Finding::new(
            "BULK_SENDER_UNDECIDED",
            Cause::Authentication,
            Severity::Temporary,
            d,
            "bulk-sender readiness could not be decided: some DNS queries failed",
        )
        .fix("Run the audit again; if it persists, check the domain's DNS servers.")
    } else {
        let ids: Vec<&str> = missing.iter().map(|r| r.id).collect();
        Finding::new(
            "BULK_SENDER_NOT_READY",
            Cause::Authentication,
            Severity::Warning,
            d,
            format!(
                "Gmail, Yahoo and Microsoft would reject or spam-folder bulk mail from {d}: missing {}",
                ids.join(", ")
            ),
        )
        .fix(
            missing
                .iter()
                .map(|r| format!("{}: {}", r.id, r.fix))
                .collect::<Vec<_>>()
                .join("\n"),
        )
        .evidence("missing", &ids)
    };
    Readiness {
        ready,
        requirements: reqs,
        findings: vec![finding],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(spf: SpfFact, dkim: &[&str], dmarc: DmarcFact) -> ReadinessInput {
        ReadinessInput {
            domain: "a.example".into(),
            spf,
            dkim_selectors: dkim.iter().map(|s| s.to_string()).collect(),
            dkim_unknown: false,
            dmarc,
        }
    }

    #[test]
    fn spf_dkim_and_dmarc_none_is_ready() {
        let r = assess(&input(
            SpfFact::Valid,
            &["s1"],
            DmarcFact::Policy {
                policy: "none".into(),
                reports: true,
            },
        ));
        assert!(r.ready);
        assert_eq!(r.findings[0].code, "BULK_SENDER_READY");
    }

    #[test]
    fn missing_dmarc_and_dkim_are_named_with_fixes() {
        let r = assess(&input(SpfFact::Valid, &[], DmarcFact::Missing));
        assert!(!r.ready);
        let f = &r.findings[0];
        assert_eq!(f.code, "BULK_SENDER_NOT_READY");
        assert!(f.summary.contains("dkim, dmarc"));
        assert!(f.fix.contains("_dmarc.a.example"));
    }

    #[test]
    fn broken_spf_without_dkim_cannot_align() {
        let r = assess(&input(SpfFact::Broken, &[], DmarcFact::Missing));
        let alignment = r
            .requirements
            .iter()
            .find(|q| q.id == "alignment")
            .expect("alignment");
        assert_eq!(alignment.status, Status::Missing);
    }

    #[test]
    fn dns_failure_is_undecided_not_not_ready() {
        let mut i = input(SpfFact::Unknown, &[], DmarcFact::Unknown);
        i.dkim_unknown = true;
        let r = assess(&i);
        assert_eq!(r.findings[0].code, "BULK_SENDER_UNDECIDED");
        assert_eq!(r.findings[0].severity, Severity::Temporary);
    }
}
