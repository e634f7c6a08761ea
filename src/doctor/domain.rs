//! `fivefifty domain`: the sending-domain audit.
//!
//! Runs every record check for a domain concurrently through the one resolver, then weighs
//! bulk-sender readiness from their facts. The report keeps each check's own report (for JSON
//! and for the presenter's sections) and the findings of all of them in one list.

use super::readiness::{self, DmarcFact, Readiness, ReadinessInput, SpfFact};
use crate::checks::auth::spf::{self, SpfAudit};
use crate::dns::Resolver;
use crate::finding::{Finding, Severity};
use serde::Serialize;

/// What the caller can choose about the audit.
#[derive(Debug, Clone, Default)]
pub struct DomainOptions {
    /// DKIM selectors to check besides the built-in common ones.
    pub selectors: Vec<String>,
    /// Fetch the MTA-STS policy over HTTPS (needs the Internet).
    pub fetch_mta_sts: bool,
}

/// Everything the audit found.
#[derive(Debug, Clone, Serialize)]
pub struct DomainReport {
    /// The audited domain (normalised).
    pub domain: String,
    /// SPF record, include tree and lints.
    pub spf: SpfAudit,
    /// Would Gmail, Yahoo and Microsoft take bulk mail from this domain?
    pub readiness: Readiness,
}

impl DomainReport {
    /// Every finding of every check, in section order.
    pub fn findings(&self) -> Vec<Finding> {
        let mut all = self.spf.findings.clone();
        all.extend(self.readiness.findings.iter().cloned());
        all
    }
}

/// Audits `domain` (already normalised with [`crate::names::normalize_domain`]).
pub async fn audit(dns: &Resolver, domain: &str, _options: &DomainOptions) -> DomainReport {
    let spf = spf::audit(dns, domain).await;
    let input = ReadinessInput {
        domain: domain.to_string(),
        spf: spf_fact(&spf),
        dkim_selectors: Vec::new(),
        dkim_unknown: false,
        dmarc: DmarcFact::Missing,
    };
    DomainReport {
        domain: domain.to_string(),
        readiness: readiness::assess(&input),
        spf,
    }
}

fn spf_fact(spf: &SpfAudit) -> SpfFact {
    let has = |code: &str| spf.findings.iter().any(|f| f.code == code);
    if spf.records.is_empty() {
        if spf.findings.iter().any(|f| f.severity == Severity::Temporary) {
            SpfFact::Unknown
        } else {
            SpfFact::Missing
        }
    } else if has("SPF_MULTIPLE_RECORDS")
        || has("SPF_SYNTAX")
        || has("SPF_TOO_MANY_LOOKUPS")
        || has("SPF_TOO_MANY_VOID_LOOKUPS")
        || has("SPF_LOOP")
    {
        SpfFact::Broken
    } else {
        SpfFact::Valid
    }
}
