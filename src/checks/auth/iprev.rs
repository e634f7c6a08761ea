//! iprev (RFC 8601 section 3): does the client IP's PTR name resolve back to the IP?
//!
//! mail-auth's `verify_iprev` does the lookups (PTR, then A/AAAA of at most two names); this
//! module turns its outcome into a report and Findings. Many receivers refuse mail from an IP
//! without a matching PTR ("550 ... reverse DNS"), so a failure is a warning with the fix.

use super::outcome::AuthResult;
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
    let output = dns.authenticator().verify_iprev(ip).await;
    let result = AuthResult::from(output.result());
    let ptr: Vec<String> = output
        .ptr
        .as_ref()
        .map(|names| {
            names
                .iter()
                .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let report = IprevReport {
        ip,
        result,
        ptr: ptr.clone(),
        detail: output.result().to_string(),
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
