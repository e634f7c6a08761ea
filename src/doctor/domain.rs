//! `fivefifty domain`: the sending-domain audit.
//!
//! Runs every record check for a domain concurrently through the one resolver, then weighs
//! bulk-sender readiness from their facts. The report keeps each check's own report (for JSON
//! and for the presenter's sections) and the findings of all of them in one list.

use super::readiness::{self, DmarcFact, Readiness, ReadinessInput, SpfFact};
use crate::checks::auth::dkim_keys::{self, DkimKeysAudit};
use crate::checks::auth::dmarc::{self, DmarcAudit};
use crate::checks::auth::spf::{self, SpfAudit};
use crate::checks::blocklist::{self, BlocklistReport, Catalog};
use crate::checks::domain::bimi::{self, BimiAudit};
use crate::checks::domain::mta_sts::{self, MtaStsAudit};
use crate::checks::domain::mx::{self, MxAudit};
use crate::checks::domain::tlsrpt::{self, TlsRptAudit};
use crate::dns::Resolver;
use crate::finding::{Finding, Severity};
use serde::Serialize;
use std::collections::HashSet;
use std::net::IpAddr;

/// MX host addresses checked against the IP blocklists at most.
pub const MAX_MX_IPS_CHECKED: usize = 8;

/// What the caller can choose about the audit.
#[derive(Debug, Clone, Default)]
pub struct DomainOptions {
    /// DKIM selectors to check besides the built-in common ones.
    pub selectors: Vec<String>,
    /// Fetch the MTA-STS policy over HTTPS (needs the Internet).
    pub fetch_mta_sts: bool,
    /// Blocklists to check the domain and its MX addresses against; `None` for the built-in
    /// catalog.
    pub catalog: Option<Catalog>,
}

/// The domain and the addresses of its mail servers against the blocklists of the right kind.
#[derive(Debug, Clone, Serialize)]
pub struct DomainBlocklists {
    /// The domain against the domain (RHSBL/URIBL) lists; `None` if the name was refused.
    pub domain: Option<BlocklistReport>,
    /// Each MX host address against the IP lists.
    pub mx_ips: Vec<BlocklistReport>,
}

/// Everything the audit found.
#[derive(Debug, Clone, Serialize)]
pub struct DomainReport {
    /// The audited domain (normalised).
    pub domain: String,
    /// SPF record, include tree and lints.
    pub spf: SpfAudit,
    /// DMARC record found by the tree walk, and lints.
    pub dmarc: DmarcAudit,
    /// DKIM keys at the given and the common selectors.
    pub dkim: DkimKeysAudit,
    /// MX records and their addresses.
    pub mx: MxAudit,
    /// MTA-STS record and policy.
    pub mta_sts: MtaStsAudit,
    /// TLS-RPT record.
    pub tls_rpt: TlsRptAudit,
    /// BIMI record.
    pub bimi: BimiAudit,
    /// The domain and its MX addresses on blocklists.
    pub blocklists: DomainBlocklists,
    /// Would Gmail, Yahoo and Microsoft take bulk mail from this domain?
    pub readiness: Readiness,
}

impl DomainReport {
    /// Every finding of every check, in section order, without repeats (an include reached
    /// twice in the SPF tree reports its problems once).
    pub fn findings(&self) -> Vec<Finding> {
        let mut sections: Vec<&[Finding]> = vec![
            &self.spf.findings,
            &self.dmarc.findings,
            &self.dkim.findings,
            &self.mx.findings,
            &self.mta_sts.findings,
            &self.tls_rpt.findings,
            &self.bimi.findings,
            &self.readiness.findings,
        ];
        if let Some(d) = &self.blocklists.domain {
            sections.push(&d.findings);
        }
        for r in &self.blocklists.mx_ips {
            sections.push(&r.findings);
        }
        let mut seen = HashSet::new();
        sections
            .into_iter()
            .flatten()
            .filter(|f| seen.insert((f.code.clone(), f.subject.clone(), f.summary.clone())))
            .cloned()
            .collect()
    }
}

/// Audits `domain` (already normalised with [`crate::names::normalize_domain`]).
pub async fn audit(dns: &Resolver, domain: &str, options: &DomainOptions) -> DomainReport {
    let (spf, dmarc, dkim, mx, mta_sts, tls_rpt) = tokio::join!(
        spf::audit(dns, domain),
        dmarc::audit(dns, domain),
        dkim_keys::audit(dns, domain, &options.selectors),
        mx::audit(dns, domain),
        mta_sts::audit(dns, domain, options.fetch_mta_sts),
        tlsrpt::audit(dns, domain),
    );
    let catalog = options.catalog.clone().unwrap_or_else(Catalog::builtin);
    let mx_ips: Vec<IpAddr> = mx
        .hosts
        .iter()
        .flat_map(|h| {
            h.ipv4
                .iter()
                .copied()
                .map(IpAddr::V4)
                .chain(h.ipv6.iter().copied().map(IpAddr::V6))
        })
        .chain(mx.implicit_addresses.iter().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .take(MAX_MX_IPS_CHECKED)
        .collect();
    let (bimi, domain_listing, mx_listings) = tokio::join!(
        bimi::audit(dns, domain, dmarc.enforced),
        blocklist::check_domain(dns, &catalog, domain),
        futures_util::future::join_all(
            mx_ips
                .iter()
                .map(|ip| blocklist::check_ip(dns, &catalog, *ip))
        ),
    );
    let input = ReadinessInput {
        domain: domain.to_string(),
        spf: spf_fact(&spf),
        dkim_selectors: usable_dkim_selectors(&dkim),
        dkim_unknown: has_temporary(&dkim.findings),
        dmarc: dmarc_fact(&dmarc),
    };
    DomainReport {
        domain: domain.to_string(),
        readiness: readiness::assess(&input),
        spf,
        dmarc,
        dkim,
        mx,
        mta_sts,
        tls_rpt,
        bimi,
        blocklists: DomainBlocklists {
            domain: domain_listing.ok(),
            mx_ips: mx_listings,
        },
    }
}

fn has_temporary(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Temporary)
}

fn spf_fact(spf: &SpfAudit) -> SpfFact {
    let has = |code: &str| spf.findings.iter().any(|f| f.code == code);
    if spf.records.is_empty() {
        if has_temporary(&spf.findings) {
            SpfFact::Unknown
        } else {
            SpfFact::Missing
        }
    } else if has("SPF_MULTIPLE_RECORDS")
        || has("SPF_SYNTAX")
        || has("SPF_TOO_MANY_LOOKUPS")
        || has("SPF_TOO_MANY_VOID_LOOKUPS")
        || has("SPF_LOOP")
        || has("SPF_INCLUDE_NO_RECORD")
    {
        SpfFact::Broken
    } else {
        SpfFact::Valid
    }
}

fn dmarc_fact(dmarc: &DmarcAudit) -> DmarcFact {
    match (&dmarc.record, dmarc.effective_policy) {
        (Some(record), Some(policy)) if record.valid => DmarcFact::Policy {
            policy: policy.as_str().to_string(),
            reports: !record.rua.is_empty(),
        },
        (Some(_), _) => DmarcFact::Broken,
        (None, _) if dmarc.walk.iter().any(|w| w.outcome == "invalid") => DmarcFact::Broken,
        (None, _) if has_temporary(&dmarc.findings) => DmarcFact::Unknown,
        (None, _) => DmarcFact::Missing,
    }
}

/// Selectors whose key verifies signatures today: present, not revoked, RSA ≥ 1024 bits or
/// Ed25519, no syntax problem.
fn usable_dkim_selectors(dkim: &DkimKeysAudit) -> Vec<String> {
    dkim.keys
        .iter()
        .filter(|k| !k.revoked && k.problems.is_empty())
        .filter(|k| match k.bits {
            Some(bits) => bits >= 1024,
            None => k.key_type == "ed25519",
        })
        .map(|k| k.selector.clone())
        .collect()
}
