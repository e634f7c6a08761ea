//! MX audit: can the domain receive mail, and where does its mail go?
//!
//! What it decides: whether the domain publishes MX records, a null MX (RFC 7505), or neither
//! (RFC 5321 section 5.1: the A/AAAA records then serve as an implicit MX); whether each MX
//! target is a host name with IPv4/IPv6 addresses (not an IP literal, not a CNAME).
//!
//! Why a sender cares: many receivers refuse mail whose envelope sender domain cannot receive
//! mail (bounces and replies would be lost). A null MX is the domain's own statement that it
//! accepts no mail, and RFC 7505 section 4.2 lets receivers reject mail from it with 550 5.7.27.
//!
//! What it never does: connect to the MX hosts (no SMTP probing), print, or choose an action.

use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};
use hickory_proto::rr::{RData, RecordType};
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// At most this many MX targets are resolved; the rest are listed but not checked.
pub const MAX_MX_TARGETS: usize = 16;

/// One MX record and what its target resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MxHost {
    /// Preference (lower is tried first).
    pub preference: u16,
    /// The target host, lowercase, no trailing dot; empty for the null MX (`.`).
    pub exchange: String,
    /// IPv4 addresses of the target.
    pub ipv4: Vec<Ipv4Addr>,
    /// IPv6 addresses of the target.
    pub ipv6: Vec<Ipv6Addr>,
    /// The CNAME the target is an alias for, if it is one.
    pub cname: Option<String>,
    /// The target is written as an IP address.
    pub is_ip_literal: bool,
    /// False when the target was not resolved (over [`MAX_MX_TARGETS`], a null MX, a literal).
    pub checked: bool,
}

/// The MX audit of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct MxAudit {
    /// The audited domain.
    pub domain: String,
    /// The MX records, by preference.
    pub hosts: Vec<MxHost>,
    /// The domain publishes a null MX (`0 .`).
    pub null_mx: bool,
    /// No MX: mail goes to the domain's own A/AAAA records (RFC 5321 section 5.1).
    pub implicit: bool,
    /// The addresses of the implicit MX.
    pub implicit_addresses: Vec<IpAddr>,
    /// Whether the domain can receive mail; `None` when DNS could not tell.
    pub can_receive: Option<bool>,
    /// What was found, each with its fix.
    pub findings: Vec<Finding>,
}

fn finding(code: &str, severity: Severity, subject: &str, summary: String) -> Finding {
    Finding::new(code, Cause::Configuration, severity, subject, summary)
}

fn tempfail(name: &str, why: &str) -> Finding {
    finding(
        "MX_DNS_TEMPFAIL",
        Severity::Temporary,
        name,
        format!("Could not look up {name}: {why}"),
    )
    .fix("Try again later; if it persists, check the DNS servers of the domain.")
    .evidence("error", why)
}

/// Audits the MX records of `domain`.
pub async fn audit(dns: &Resolver, domain: &str) -> MxAudit {
    let domain = crate::names::normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
    let mut audit = MxAudit {
        domain: domain.clone(),
        hosts: Vec::new(),
        null_mx: false,
        implicit: false,
        implicit_addresses: Vec::new(),
        can_receive: None,
        findings: Vec::new(),
    };
    let records = match dns.mx(&domain).await {
        Answer::Failed(e) => {
            audit.findings.push(tempfail(&domain, &e.to_string()));
            return audit;
        }
        Answer::NxDomain => {
            audit.can_receive = Some(false);
            audit.findings.push(
                finding(
                    "MX_DOMAIN_NOT_FOUND",
                    Severity::Error,
                    &domain,
                    format!("{domain} does not exist in DNS (NXDOMAIN)"),
                )
                .fix(format!(
                    "Check the spelling. Receivers reject mail from a sender domain that does \
                     not exist (550 5.1.8); register {domain} or send from a domain you own."
                )),
            );
            return audit;
        }
        Answer::NoData => {
            implicit(dns, &mut audit).await;
            return audit;
        }
        Answer::Records(r) => r,
    };

    let mut records = records;
    records.sort();
    audit.null_mx = records.iter().any(|(_, x)| x.is_empty());
    for (preference, exchange) in records {
        audit.hosts.push(MxHost {
            preference,
            is_ip_literal: exchange.parse::<IpAddr>().is_ok(),
            exchange,
            ipv4: Vec::new(),
            ipv6: Vec::new(),
            cname: None,
            checked: false,
        });
    }

    if audit.null_mx {
        audit.can_receive = Some(false);
        if audit.hosts.len() == 1 {
            audit.findings.push(
                finding(
                    "MX_NULL",
                    Severity::Error,
                    &domain,
                    format!(
                        "{domain} publishes a null MX (RFC 7505): it receives no mail, and \
                         receivers may reject mail sent from it (550 5.7.27)"
                    ),
                )
                .fix(format!(
                    "If {domain} sends mail, replace the null MX with the MX records of your \
                     mail service, e.g.:\n  {domain}. IN MX 10 mx.your-mail-provider.example.\n\
                     If it never sends mail, keep the null MX and publish \
                     \"v=spf1 -all\" and a DMARC p=reject record too."
                )),
            );
            return audit;
        }
        audit.findings.push(
            finding(
                "MX_NULL_MIXED",
                Severity::Error,
                &domain,
                format!(
                    "{domain} mixes a null MX (\".\") with other MX records, which RFC 7505 \
                     forbids: senders may treat the domain as not receiving mail"
                ),
            )
            .fix(format!(
                "Remove the \"{domain}. IN MX 0 .\" record if the domain receives mail, or \
                 remove every other MX record if it does not."
            ))
            .evidence("hosts", &audit.hosts),
        );
    }

    // Resolve the targets concurrently.
    let targets: Vec<usize> = audit
        .hosts
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.exchange.is_empty() && !h.is_ip_literal)
        .map(|(i, _)| i)
        .take(MAX_MX_TARGETS)
        .collect();
    let lookups = futures_util::future::join_all(targets.iter().map(|&i| {
        let name = audit.hosts[i].exchange.clone();
        async move {
            let (cname, ips) = tokio::join!(dns.lookup(&name, RecordType::CNAME), dns.ips(&name));
            (cname, ips)
        }
    }))
    .await;

    let mut any_address = false;
    let mut no_address: Vec<String> = Vec::new();
    for (&i, (cname, ips)) in targets.iter().zip(lookups) {
        let host = &mut audit.hosts[i];
        host.checked = true;
        if let Answer::Records(r) = cname {
            host.cname = r.iter().find_map(|d| match d {
                RData::CNAME(c) => Some(c.0.to_ascii().trim_end_matches('.').to_ascii_lowercase()),
                _ => None,
            });
        }
        match ips {
            Answer::Records(addrs) => {
                for a in addrs {
                    match a {
                        IpAddr::V4(v4) => host.ipv4.push(v4),
                        IpAddr::V6(v6) => host.ipv6.push(v6),
                    }
                }
                any_address = true;
            }
            Answer::Failed(e) => audit
                .findings
                .push(tempfail(&host.exchange, &e.to_string())),
            Answer::NxDomain | Answer::NoData => no_address.push(host.exchange.clone()),
        }
    }

    for host in &audit.hosts {
        if host.is_ip_literal {
            audit.findings.push(
                finding(
                    "MX_TARGET_IS_IP",
                    Severity::Error,
                    &domain,
                    format!(
                        "MX target {} is an IP address; an MX must name a host (RFC 5321 5.1), \
                         so senders cannot use it",
                        host.exchange
                    ),
                )
                .fix(format!(
                    "Give the server a name with an A record and point the MX at it:\n  \
                     mx1.{domain}. IN A {}\n  {domain}. IN MX {} mx1.{domain}.",
                    host.exchange, host.preference
                )),
            );
        }
        if let Some(target) = &host.cname {
            audit.findings.push(
                finding(
                    "MX_TARGET_CNAME",
                    Severity::Warning,
                    &host.exchange,
                    format!(
                        "MX target {} is an alias (CNAME to {target}); RFC 5321 5.1 and RFC \
                         2181 10.3 require the real host name",
                        host.exchange
                    ),
                )
                .fix(format!(
                    "Point the MX record directly at {target}:\n  {domain}. IN MX {} {target}.",
                    host.preference
                )),
            );
        }
        for ip in host
            .ipv4
            .iter()
            .map(|a| IpAddr::V4(*a))
            .chain(host.ipv6.iter().map(|a| IpAddr::V6(*a)))
        {
            if !is_public(ip) {
                audit.findings.push(
                    finding(
                        "MX_TARGET_PRIVATE_IP",
                        Severity::Warning,
                        &host.exchange,
                        format!(
                            "MX target {} resolves to {ip}, which is not reachable from the \
                             Internet",
                            host.exchange
                        ),
                    )
                    .fix("Publish the public address of the mail server in the target's A/AAAA record."),
                );
            }
        }
    }

    let real_targets = audit
        .hosts
        .iter()
        .filter(|h| !h.exchange.is_empty())
        .count();
    for name in &no_address {
        audit.findings.push(
            finding(
                "MX_TARGET_NO_ADDRESS",
                if any_address {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                name,
                format!("MX target {name} has no A or AAAA record: senders cannot deliver to it"),
            )
            .fix(format!(
                "Publish the address of {name} (\"{name}. IN A <IPv4>\"), or remove the MX \
                 record that points to it."
            )),
        );
    }
    if real_targets > MAX_MX_TARGETS {
        audit.findings.push(finding(
            "MX_TARGETS_TRUNCATED",
            Severity::Info,
            &domain,
            format!("{real_targets} MX records; only the first {MAX_MX_TARGETS} were resolved"),
        ));
    }
    if !audit.null_mx {
        audit.can_receive = if any_address {
            Some(true)
        } else if audit.findings.iter().any(|f| f.is_temporary()) {
            None
        } else {
            Some(false)
        };
    }
    if any_address && audit.hosts.iter().all(|h| h.ipv6.is_empty()) {
        audit.findings.push(
            finding(
                "MX_NO_IPV6",
                Severity::Info,
                &domain,
                "No MX target has an IPv6 address; IPv6-only senders cannot reach the domain"
                    .into(),
            )
            .fix("Optional: publish AAAA records for your MX hosts if they accept IPv6."),
        );
    }
    let troubled = audit.findings.iter().any(|f| {
        matches!(
            f.severity,
            Severity::Warning | Severity::Error | Severity::Temporary
        )
    });
    if !troubled {
        let hosts: Vec<&str> = audit.hosts.iter().map(|h| h.exchange.as_str()).collect();
        audit.findings.push(finding(
            "MX_OK",
            Severity::Info,
            &domain,
            format!("{domain} receives mail at {}", hosts.join(", ")),
        ));
    }
    audit
}

/// No MX records: RFC 5321 5.1 falls back to the domain's own addresses.
async fn implicit(dns: &Resolver, audit: &mut MxAudit) {
    let domain = audit.domain.clone();
    match dns.ips(&domain).await {
        Answer::Records(addrs) => {
            audit.implicit = true;
            audit.can_receive = Some(true);
            audit.implicit_addresses = addrs;
            audit.findings.push(
                finding(
                    "MX_IMPLICIT",
                    Severity::Warning,
                    &domain,
                    format!(
                        "{domain} has no MX record; senders deliver to its A/AAAA address \
                         instead (RFC 5321 5.1), which is often a web server"
                    ),
                )
                .fix(format!(
                    "Publish an MX record naming the host that receives your mail, e.g.:\n  \
                     {domain}. IN MX 10 {domain}.\nor, if the domain receives no mail, a null \
                     MX:\n  {domain}. IN MX 0 ."
                ))
                .evidence("addresses", &audit.implicit_addresses),
            );
        }
        Answer::Failed(e) => audit.findings.push(tempfail(&domain, &e.to_string())),
        Answer::NxDomain | Answer::NoData => {
            audit.can_receive = Some(false);
            audit.findings.push(
                finding(
                    "MX_MISSING",
                    Severity::Error,
                    &domain,
                    format!(
                        "{domain} has no MX and no A/AAAA record: it cannot receive mail, so \
                         bounces and replies are lost and receivers may refuse its mail"
                    ),
                )
                .fix(format!(
                    "Publish the MX records of your mail service, e.g.:\n  {domain}. IN MX 10 \
                     mx.your-mail-provider.example."
                )),
            );
        }
    }
}

/// False for loopback, private, link-local, unspecified and documentation-free special ranges
/// that no sender on the Internet can reach.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast())
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}
