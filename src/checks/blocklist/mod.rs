//! DNS blocklists (DNSBL, RHSBL, URIBL): is an IP or a domain on the lists receivers use?
//!
//! The first cause of a security-policy 550. This check decides, for one target, what each list
//! in the [`Catalog`] says, and turns that into Findings with the list's meaning, TXT reason,
//! delisting page and the sender's fix. It never decides what to do with a message (the policy
//! does) and never prints (presenters do).
//!
//! The same inner shape as every check:
//! - [`catalog`] (parse): the lists as validated data, compiled in and overridable;
//! - `query` and `probe` (evaluate): RFC 5782 queries through the shared [`Resolver`], all
//!   lists at once; the RFC 5782 health probe;
//! - [`findings`]: answers → Findings.
//!
//! The rule that shapes everything: **only a decoded listing code counts as "listed"**. A
//! timeout, a SERVFAIL, an error answer (Spamhaus 127.255.255.254 for a public resolver, URIBL
//! and SURBL 127.0.0.1), an answer outside 127.0.0.0/8, or the answer of a list that also lists
//! its never-listed test entry are reported as what they are, and never as a listing.
//!
//! Inputs come from the caller: the CLI (`fivefifty ip`, `fivefifty blocklists`), the gate (the
//! connecting IP, the envelope and URL domains), the domain audit (the domain and its MX IPs).

pub mod catalog;
pub mod findings;
mod probe;
mod query;

pub use catalog::{
    Access, Bit, Catalog, CatalogError, Code, Decoded, DomainForm, ERROR_WEIGHT, ErrorCode,
    ListEntry, ListKind, Meaning,
};
pub use probe::{HealthStatus, ListHealth};
pub use query::{ListOutcome, ListResult, MAX_TXT_LEN, MAX_TXT_RECORDS};

use crate::checks::reputation::InputError;
use crate::dns::Resolver;
use crate::finding::Finding;
use crate::names::normalize_domain;
use query::Target;
use serde::Serialize;
use std::net::IpAddr;

/// What every list said about one IP or domain.
#[derive(Debug, Clone, Serialize)]
pub struct BlocklistReport {
    /// The IP or normalised domain that was looked up.
    pub target: String,
    /// "ip" or "domain".
    pub target_kind: &'static str,
    /// One result per list of the right kind, in catalog order.
    pub lists: Vec<ListResult>,
    /// Findings: one per list.
    pub findings: Vec<Finding>,
}

impl BlocklistReport {
    /// The lists the target is on.
    pub fn listed(&self) -> impl Iterator<Item = &ListResult> {
        self.lists
            .iter()
            .filter(|r| matches!(r.outcome, ListOutcome::Listed { .. }))
    }

    /// The result of one list, by zone.
    pub fn result(&self, zone: &str) -> Option<&ListResult> {
        self.lists.iter().find(|r| r.zone == zone)
    }
}

/// Looks an IP address up on every enabled IP list of the catalog, concurrently.
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) is looked up as the IPv4 address. Lists of
/// the other address family are reported as skipped; lists that need a key not set, too.
pub async fn check_ip(dns: &Resolver, catalog: &Catalog, ip: IpAddr) -> BlocklistReport {
    let ip = ip.to_canonical();
    let target = Target::Ip(ip);
    let lists = query::ask_all(dns, catalog.enabled(), &target).await;
    let shown = ip.to_string();
    BlocklistReport {
        findings: findings::for_results(&shown, &lists),
        target: shown,
        target_kind: "ip",
        lists,
    }
}

/// Looks a domain up on every enabled domain and URL list of the catalog, concurrently.
///
/// The domain is normalised first (IDNA to A-labels, lowercase); lists that expect the
/// registered domain get it (`www.shop.example.co.uk` → `example.co.uk`). Input that is not a
/// domain name (an IP, an empty string, bad characters) is an [`InputError`].
pub async fn check_domain(
    dns: &Resolver,
    catalog: &Catalog,
    domain: &str,
) -> Result<BlocklistReport, InputError> {
    let domain = normalize_domain(domain).map_err(|e| InputError::NotADomain {
        input: domain.chars().take(100).collect(),
        why: e.to_string(),
    })?;
    let target = Target::Domain(domain.clone());
    let lists = query::ask_all(dns, catalog.enabled(), &target).await;
    Ok(BlocklistReport {
        findings: findings::for_results(&domain, &lists),
        target: domain,
        target_kind: "domain",
        lists,
    })
}

/// Runs the RFC 5782 health probe against every enabled list, concurrently.
pub async fn probe(dns: &Resolver, catalog: &Catalog) -> Vec<ListHealth> {
    probe::probe_all(dns, catalog.enabled()).await
}
