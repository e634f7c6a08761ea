//! iprev (RFC 8601 section 3): does the client IP's PTR name resolve back to the IP?
//!
//! The lookups (PTR, then A/AAAA of each name) go through the engine's resolver rather than
//! mail-auth's `verify_iprev`, which reports a PTR name without an address as if there were no
//! PTR at all. Many receivers refuse mail from an IP
//! without a matching PTR ("550 ... reverse DNS"), so a failure is a warning with the fix.

use super::outcome::AuthResult;
use crate::checks::reputation::reverse_dns;
use crate::dns::Resolver;
use crate::finding::{Cause, Finding, Severity};
use serde::Serialize;
use std::net::IpAddr;

/// The iprev result of one client IP.
#[derive(Debug, Clone, Serialize)]
pub struct IprevReport {
    /// The client IP checked.
    pub ip: IpAddr,
    /// The result keyword.
    pub result: AuthResult,
    /// The PTR names found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ptr: Vec<String>,
    /// What mail-auth said, for people.
    pub detail: String,
}

/// Checks the client IP's reverse DNS and its forward match.
pub async fn check(dns: &Resolver, ip: IpAddr) -> (IprevReport, Vec<Finding>) {
    let (result, ptr, detail) = forward_confirm(dns, ip).await;
    let report = IprevReport {
        ip,
        result,
        ptr: ptr.clone(),
        detail,
    };
    let subject = ip.to_string();
    let finding = match result {
        AuthResult::Pass => Finding::new(
            "IPREV_PASS",
            Cause::Authentication,
            Severity::Info,
            subject,
            format!(
                "{ip} has reverse DNS {} that resolves back to it",
                ptr.join(", ")
            ),
        ),
        AuthResult::TempError => Finding::new(
            "IPREV_TEMPERROR",
            Cause::Authentication,
            Severity::Temporary,
            subject,
            format!("the reverse DNS of {ip} could not be checked (temporary DNS failure)"),
        )
        .fix("Nothing to change if it passes on retry."),
        AuthResult::Fail => Finding::new(
            "IPREV_MISMATCH",
            Cause::Authentication,
            Severity::Warning,
            subject,
            format!(
                "the reverse DNS name of {ip} ({}) does not resolve back to {ip}",
                ptr.join(", ")
            ),
        )
        .fix(format!(
            "Add an A/AAAA record for {} pointing to {ip} (forward-confirmed reverse DNS), or \
             ask the IP's owner to set a PTR to a name that does.",
            ptr.first().map_or("the PTR name", String::as_str)
        )),
        _ => Finding::new(
            "IPREV_NO_PTR",
            Cause::Authentication,
            Severity::Warning,
            subject,
            format!("{ip} has no reverse DNS (PTR) record"),
        )
        .fix(format!(
            "Ask whoever holds {ip} (your hosting or access provider) to set a PTR record to the \
             mail server's name, and give that name an A/AAAA record back to {ip}. Many \
             receivers refuse mail from IPs without one."
        )),
    };
    (report, vec![finding.evidence("ptr", &ptr)])
}

/// PTR, then A/AAAA of each name, through the reputation check's lookup (one implementation
/// of forward-confirmed reverse DNS) so that "no PTR", "the PTR name does not resolve" and
/// "could not ask" stay apart.
async fn forward_confirm(dns: &Resolver, ip: IpAddr) -> (AuthResult, Vec<String>, String) {
    let facts = reverse_dns(dns, ip).await;
    if let Some(f) = facts.failure {
        return (AuthResult::TempError, Vec::new(), f.to_string());
    }
    if facts.names.is_empty() {
        return (AuthResult::PermError, Vec::new(), "no PTR record".into());
    }
    if let Some(name) = facts.confirmed {
        let detail = format!("{name} resolves to {ip}");
        return (AuthResult::Pass, facts.names, detail);
    }
    match facts.forward.iter().find_map(|f| f.failure.as_ref()) {
        Some(f) => (AuthResult::TempError, facts.names.clone(), f.to_string()),
        None => (
            AuthResult::Fail,
            facts.names,
            "no PTR name resolves back to the IP".into(),
        ),
    }
}
