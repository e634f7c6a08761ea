//! IP reputation: how the sending IP looks to a receiver before any message is read.
//!
//! The fourth classic cause of a security-policy 550. This check gathers the facts a receiver
//! sees at connection time and turns each into a Finding:
//! - [`space`]: is the IP in private, reserved or bogon space (it can then never be a sender's
//!   real public address);
//! - [`ptr`]: does it have a PTR, does the PTR name resolve back to it (forward-confirmed reverse
//!   DNS), does the name look generic or dynamic;
//! - [`helo`]: is the HELO name a fully qualified name (not a bare IP, not `localhost`), does it
//!   resolve, and does it match the PTR or the connecting IP.
//!
//! DNS answers stay typed: a timeout gives a `*_TEMPFAIL` Finding (temporary), never "no PTR".
//! The check never prints and never decides; blocklist listings are [`super::blocklist`]'s job.
//!
//! Finding codes (public API):
//! `REPUTATION_BOGON_IP`, `REPUTATION_NO_PTR`, `REPUTATION_PTR_OK`, `REPUTATION_PTR_TEMPFAIL`,
//! `REPUTATION_FCRDNS_OK`, `REPUTATION_FCRDNS_MISMATCH`, `REPUTATION_FCRDNS_TEMPFAIL`,
//! `REPUTATION_GENERIC_PTR`, `HELO_OK`, `HELO_BARE_IP`, `HELO_ADDRESS_LITERAL`,
//! `HELO_LITERAL_MISMATCH`, `HELO_LOCALHOST`, `HELO_NOT_FQDN`, `HELO_INVALID`, `HELO_NO_DNS`,
//! `HELO_DNS_TEMPFAIL`, `HELO_MISMATCH`.
//!
//! Reserved: every code starting with [`RESERVED_HISTORY_PREFIX`] (`REPUTATION_HISTORY_`) belongs
//! to the coming memory of past verdicts per IP (e.g. `REPUTATION_HISTORY_NEW_IP`,
//! `REPUTATION_HISTORY_REJECTED`); no other check may use that prefix.

mod findings;
pub mod helo;
pub mod ptr;
pub mod space;

pub use helo::{HeloForm, MAX_HELO_LEN, classify as classify_helo};
pub use ptr::{MAX_PTR_NAMES, generic_ptr_reason};
pub use space::{SpecialRange, special_range};

use crate::dns::{Answer, Failure, Resolver};
use crate::finding::Finding;
use serde::Serialize;
use std::net::IpAddr;
use tokio::task::JoinSet;

/// The code prefix reserved for the per-IP verdict memory (a later issue).
pub const RESERVED_HISTORY_PREFIX: &str = "REPUTATION_HISTORY_";

/// Input that is not what a check expects. The CLI turns it into exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Not an IP address.
    #[error("expected an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1, got {0:?}")]
    NotAnIp(String),
    /// Not a domain name.
    #[error("expected a domain name such as example.com, got {input:?} ({why})")]
    NotADomain {
        /// The input (cut to a readable length).
        input: String,
        /// What is wrong with it.
        why: String,
    },
}

/// Reads an IP address as users and logs write it: `192.0.2.1`, `2001:db8::1`, and the SMTP
/// forms `[192.0.2.1]`, `[IPv6:2001:db8::1]`.
pub fn parse_ip(input: &str) -> Result<IpAddr, InputError> {
    let t = input.trim();
    let inner = t
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(t);
    let inner = inner
        .strip_prefix("IPv6:")
        .or_else(|| inner.strip_prefix("ipv6:"))
        .unwrap_or(inner);
    inner
        .parse::<IpAddr>()
        .map_err(|_| InputError::NotAnIp(input.chars().take(100).collect()))
}

/// What reverse DNS says about the IP.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PtrFacts {
    /// The PTR names (at most [`MAX_PTR_NAMES`] examined).
    pub names: Vec<String>,
    /// Why the PTR lookup failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    /// The forward lookup of each PTR name.
    pub forward: Vec<ForwardLookup>,
    /// The first PTR name that resolves back to the IP (forward-confirmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
    /// Why the examined PTR name looks generic, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generic: Option<String>,
}

/// The A/AAAA lookup of one name.
#[derive(Debug, Clone, Serialize)]
pub struct ForwardLookup {
    /// The name.
    pub name: String,
    /// Its addresses.
    pub addresses: Vec<IpAddr>,
    /// Why the lookup failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// What the HELO name is and what DNS says about it.
#[derive(Debug, Clone, Serialize)]
pub struct HeloFacts {
    /// The HELO argument as given (cut to a readable length).
    pub given: String,
    /// Its form.
    pub form: HeloForm,
    /// The name's A/AAAA lookup, for a [`HeloForm::Name`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<ForwardLookup>,
    /// The name's lookup said NXDOMAIN or no data.
    pub unresolvable: bool,
    /// The name (or literal) is the connecting IP.
    pub matches_ip: bool,
    /// The name is one of the IP's PTR names.
    pub matches_ptr: bool,
}

/// Everything the reputation check found about one IP.
#[derive(Debug, Clone, Serialize)]
pub struct ReputationReport {
    /// The IP (IPv4-mapped IPv6 shown as IPv4).
    pub ip: String,
    /// The special-purpose range the IP is in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub special_range: Option<SpecialRange>,
    /// Reverse DNS.
    pub ptr: PtrFacts,
    /// The HELO name, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helo: Option<HeloFacts>,
    /// The findings.
    pub findings: Vec<Finding>,
}

/// Checks an IP the way a receiver sees it at connection time: address space, PTR, forward
/// confirmation, generic-looking names and, when given, the HELO name.
pub async fn check_ip(dns: &Resolver, ip: IpAddr, helo: Option<&str>) -> ReputationReport {
    let ip = ip.to_canonical();
    let special = special_range(ip);
    let helo_form = helo.map(classify_helo);
    let helo_name = match &helo_form {
        Some(HeloForm::Name(n)) => Some(n.clone()),
        _ => None,
    };
    let (mut facts, helo_lookup) = tokio::join!(reverse_dns(dns, ip), async {
        match &helo_name {
            Some(n) => Some(forward(dns, n).await),
            None => None,
        }
    });
    let examined = facts.confirmed.as_ref().or(facts.names.first());
    facts.generic = examined.and_then(|n| generic_ptr_reason(n, ip));
    let helo_facts = match (helo, helo_form) {
        (Some(given), Some(form)) => Some(helo_facts(given, form, helo_lookup, ip, &facts)),
        _ => None,
    };
    let mut report = ReputationReport {
        ip: ip.to_string(),
        special_range: special,
        ptr: facts,
        helo: helo_facts,
        findings: Vec::new(),
    };
    report.findings = findings::for_report(&report);
    report
}

/// Reverse DNS of `ip` with forward confirmation: its PTR names (at most [`MAX_PTR_NAMES`]),
/// the A/AAAA lookup of each, and the first that resolves back to the IP. The one lookup both
/// this check and iprev ([`crate::checks::auth::iprev`]) use, so they never disagree. Does not
/// judge the names ([`PtrFacts::generic`] is left empty).
pub async fn reverse_dns(dns: &Resolver, ip: IpAddr) -> PtrFacts {
    let ip = ip.to_canonical();
    let mut facts = PtrFacts::default();
    match dns.ptr(ip).await {
        Answer::Records(mut names) => {
            names.sort();
            names.dedup();
            names.truncate(MAX_PTR_NAMES);
            facts.forward = forward_all(dns, &names).await;
            facts.confirmed = facts
                .forward
                .iter()
                .find(|f| f.addresses.contains(&ip))
                .map(|f| f.name.clone());
            facts.names = names;
        }
        Answer::NxDomain | Answer::NoData => {}
        Answer::Failed(f) => facts.failure = Some(f),
    }
    facts
}

fn helo_facts(
    given: &str,
    form: HeloForm,
    lookup: Option<ForwardLookup>,
    ip: IpAddr,
    ptr: &PtrFacts,
) -> HeloFacts {
    let (matches_ip, matches_ptr, unresolvable) = match (&form, &lookup) {
        (HeloForm::Literal(l), _) => (l.to_canonical() == ip, false, false),
        (HeloForm::Name(n), Some(l)) => (
            l.addresses.contains(&ip),
            ptr.names.iter().any(|p| p == n),
            l.failure.is_none() && l.addresses.is_empty(),
        ),
        _ => (false, false, false),
    };
    HeloFacts {
        given: given.chars().take(100).collect(),
        form,
        lookup,
        unresolvable,
        matches_ip,
        matches_ptr,
    }
}

async fn forward(dns: &Resolver, name: &str) -> ForwardLookup {
    let (addresses, failure) = match dns.ips(name).await {
        Answer::Records(mut ips) => {
            for ip in &mut ips {
                *ip = ip.to_canonical();
            }
            (ips, None)
        }
        Answer::NxDomain | Answer::NoData => (Vec::new(), None),
        Answer::Failed(f) => (Vec::new(), Some(f)),
    };
    ForwardLookup {
        name: name.to_string(),
        addresses,
        failure,
    }
}

async fn forward_all(dns: &Resolver, names: &[String]) -> Vec<ForwardLookup> {
    let mut set = JoinSet::new();
    for (i, name) in names.iter().enumerate() {
        let dns = dns.clone();
        let name = name.clone();
        set.spawn(async move { (i, forward(&dns, &name).await) });
    }
    let mut out: Vec<(usize, ForwardLookup)> = Vec::with_capacity(names.len());
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(r) => out.push(r),
            Err(e) => tracing::warn!("a forward lookup task failed: {e}"),
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, f)| f).collect()
}
