//! Reputation facts → Findings. No DNS here.

use super::{HeloFacts, HeloForm, ReputationReport};
use crate::finding::{Cause, Finding, Severity};

/// Where a PTR is changed: not in the sender's own zone, which trips many admins up.
const PTR_WHERE: &str = "The PTR is set by whoever controls the IP's reverse zone (your \
     hosting provider or ISP, usually in their control panel or by a support request), not in \
     your domain's DNS.";

/// Findings for a report, in the order: address space, PTR, FCrDNS, generic name, HELO.
pub(super) fn for_report(r: &ReputationReport) -> Vec<Finding> {
    let ip = r.ip.as_str();
    let mut out = Vec::new();
    let f = |code: &str, severity: Severity, summary: String| {
        Finding::new(code, Cause::Reputation, severity, ip, summary)
    };
    if let Some(range) = &r.special_range {
        out.push(
            f(
                "REPUTATION_BOGON_IP",
                Severity::Error,
                format!("{ip} is in {} ({}, {}): it cannot send mail on the Internet", range.cidr, range.name, range.reference),
            )
            .fix("Check which IP you looked up: use the public address of your outgoing mail server, as the receiver saw it (in the bounce or the receiver's Received header). If mail really leaves from this address, it must pass through NAT or a relay with a public IP.")
            .evidence("range", range.cidr)
            .evidence("range_name", range.name),
        );
    }
    let ptr = &r.ptr;
    if let Some(failure) = &ptr.failure {
        out.push(
            f(
                "REPUTATION_PTR_TEMPFAIL",
                Severity::Temporary,
                format!("the PTR lookup for {ip} failed: {failure}"),
            )
            .fix("Try again later; receivers that see this failure usually answer 450 (try again), not 550.")
            .evidence("failure", failure),
        );
    } else if ptr.names.is_empty() {
        out.push(
            f(
                "REPUTATION_NO_PTR",
                Severity::Error,
                format!("{ip} has no PTR (reverse DNS) record"),
            )
            .fix(format!("Ask for a PTR record naming your mail server (e.g. mail.example.com), and publish an A/AAAA record for that name pointing back to {ip}. {PTR_WHERE} Gmail, Microsoft and many others reject or junk mail from IPs without one.")),
        );
    } else {
        out.push(
            f(
                "REPUTATION_PTR_OK",
                Severity::Info,
                format!("{ip} has a PTR: {}", ptr.names.join(", ")),
            )
            .evidence("ptr", &ptr.names),
        );
        if let Some(name) = &ptr.confirmed {
            out.push(
                f(
                    "REPUTATION_FCRDNS_OK",
                    Severity::Info,
                    format!("the PTR name {name} resolves back to {ip} (forward-confirmed)"),
                )
                .evidence("name", name),
            );
        } else if let Some(failed) = ptr.forward.iter().find(|l| l.failure.is_some()) {
            let failure = failed
                .failure
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            out.push(
                f(
                    "REPUTATION_FCRDNS_TEMPFAIL",
                    Severity::Temporary,
                    format!("could not resolve the PTR name {}: {failure}", failed.name),
                )
                .fix("Try again later.")
                .evidence("name", &failed.name),
            );
        } else {
            let first = ptr.names.first().map(String::as_str).unwrap_or_default();
            let seen: Vec<String> = ptr
                .forward
                .iter()
                .flat_map(|l| l.addresses.iter().map(|a| format!("{} → {a}", l.name)))
                .collect();
            out.push(
                f(
                    "REPUTATION_FCRDNS_MISMATCH",
                    Severity::Error,
                    format!("the PTR name {first} does not resolve back to {ip} (no forward-confirmed reverse DNS)"),
                )
                .fix(format!("Publish an A (or AAAA) record for {first} pointing at {ip}, or have the PTR changed to a name that does. {PTR_WHERE}"))
                .evidence("ptr", &ptr.names)
                .evidence("forward", &seen),
            );
        }
        if let Some(why) = &ptr.generic {
            let name = ptr
                .confirmed
                .as_ref()
                .or(ptr.names.first())
                .cloned()
                .unwrap_or_default();
            out.push(
                f(
                    "REPUTATION_GENERIC_PTR",
                    Severity::Warning,
                    format!("the PTR name {name} looks generic or dynamic: {why}"),
                )
                .fix(format!("A name like this marks an end-user or dynamic range, which many receivers refuse. Have the PTR set to your mail server's own name (mail.example.com, with a matching A record), or send through your provider's relay. {PTR_WHERE}"))
                .evidence("name", &name)
                .evidence("why", why),
            );
        }
    }
    if let Some(h) = &r.helo {
        out.push(helo_finding(ip, h));
    }
    out
}

fn helo_finding(ip: &str, h: &HeloFacts) -> Finding {
    let given = h.given.as_str();
    let f = |code: &str, severity: Severity, summary: String| {
        Finding::new(code, Cause::Reputation, severity, given, summary)
            .evidence("helo", given)
            .evidence("ip", ip)
    };
    let set_name = "Set your mail server's HELO/EHLO name (Postfix: myhostname / smtp_helo_name; Exim: primary_hostname; Exchange: the send connector's FQDN) to its fully qualified name, e.g. mail.example.com, with an A record pointing at the sending IP and the PTR naming it.";
    match &h.form {
        HeloForm::BareIp(addr) => f(
            "HELO_BARE_IP",
            Severity::Error,
            format!("HELO {given} is an IP address without brackets (RFC 5321 requires [{addr}])"),
        )
        .fix(set_name),
        HeloForm::Localhost(_) => f(
            "HELO_LOCALHOST",
            Severity::Error,
            format!("HELO {given} is a local name that means nothing outside the server"),
        )
        .fix(set_name),
        HeloForm::NotFqdn(_) => f(
            "HELO_NOT_FQDN",
            Severity::Error,
            format!("HELO {given} is not a fully qualified public domain name"),
        )
        .fix(set_name),
        HeloForm::Invalid { why, .. } => f(
            "HELO_INVALID",
            Severity::Error,
            format!("HELO {given} is not a valid host name: {why}"),
        )
        .fix(set_name),
        HeloForm::Literal(_) if !h.matches_ip => f(
            "HELO_LITERAL_MISMATCH",
            Severity::Error,
            format!("HELO {given} is an address literal that is not the connecting IP {ip}"),
        )
        .fix(set_name),
        HeloForm::Literal(_) => f(
            "HELO_ADDRESS_LITERAL",
            Severity::Warning,
            format!("HELO {given} is an address literal: valid, but many receivers score it as a sign of a misconfigured or compromised host"),
        )
        .fix(set_name),
        HeloForm::Name(name) => {
            if let Some(failure) = h.lookup.as_ref().and_then(|l| l.failure.as_ref()) {
                f(
                    "HELO_DNS_TEMPFAIL",
                    Severity::Temporary,
                    format!("could not resolve HELO name {name}: {failure}"),
                )
                .fix("Try again later.")
            } else if h.unresolvable {
                f(
                    "HELO_NO_DNS",
                    Severity::Warning,
                    format!("HELO name {name} does not resolve (no A or AAAA record)"),
                )
                .fix(format!("Publish an A record for {name} pointing at {ip}, or use a HELO name that has one."))
            } else if !h.matches_ip && !h.matches_ptr {
                let addrs: Vec<String> = h
                    .lookup
                    .iter()
                    .flat_map(|l| l.addresses.iter().map(ToString::to_string))
                    .collect();
                f(
                    "HELO_MISMATCH",
                    Severity::Warning,
                    format!("HELO name {name} matches neither the connecting IP {ip} nor its PTR"),
                )
                .fix(format!("Use the server's own name in HELO: the name its PTR gives, with an A record pointing at {ip}."))
                .evidence("helo_addresses", &addrs)
            } else {
                f(
                    "HELO_OK",
                    Severity::Info,
                    format!(
                        "HELO name {name} resolves and matches the {}",
                        if h.matches_ip { "connecting IP" } else { "PTR" }
                    ),
                )
            }
        }
    }
}
