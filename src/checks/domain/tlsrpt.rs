//! TLS-RPT record audit (RFC 8460): where senders report TLS delivery failures to the domain.
//!
//! What it decides: whether `_smtp._tls.<domain>` holds exactly one `v=TLSRPTv1` record with a
//! usable `rua` (`mailto:` or `https:` URIs). It never sends or reads reports.

use super::version_problems;
use crate::checks::tags;
use crate::dns::Resolver;
use crate::finding::{Cause, Finding, Severity};
use mail_auth::common::parse::TxtRecordParser;
use serde::Serialize;

/// The TLS-RPT audit of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct TlsRptAudit {
    /// The audited domain.
    pub domain: String,
    /// The record text, when exactly one was found.
    pub record: Option<String>,
    /// The `rua` URIs of the record.
    pub rua: Vec<String>,
    /// What was found, each with its fix.
    pub findings: Vec<Finding>,
}

fn finding(code: &str, severity: Severity, subject: &str, summary: String) -> Finding {
    Finding::new(code, Cause::Configuration, severity, subject, summary)
}

/// Audits the TLS-RPT record of `domain`.
pub async fn audit(dns: &Resolver, domain: &str) -> TlsRptAudit {
    let domain = crate::names::normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
    let name = format!("_smtp._tls.{domain}");
    let example = format!("{name}. IN TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\"");
    let mut audit = TlsRptAudit {
        domain: domain.clone(),
        record: None,
        rua: Vec::new(),
        findings: Vec::new(),
    };
    let found = super::one_versioned_txt(
        dns,
        &name,
        "TLSRPTv1",
        "TLSRPT_DNS_TEMPFAIL",
        || {
            finding(
                "TLSRPT_MISSING",
                Severity::Info,
                &name,
                format!(
                    "No TLS-RPT record: senders cannot tell {domain} when TLS delivery to \
                     it fails"
                ),
            )
            .fix(format!("Optional, recommended with MTA-STS:\n  {example}"))
        },
        |records: &[String]| {
            finding(
                "TLSRPT_MULTIPLE_RECORDS",
                Severity::Warning,
                &name,
                format!(
                    "{name} has {} TLS-RPT records; senders then use none (RFC 8460 3)",
                    records.len()
                ),
            )
            .fix(format!(
                "Keep one record, listing every address in its rua:\n  {example}"
            ))
            .evidence("records", records)
        },
    )
    .await;
    let text = match found {
        Ok(text) => text,
        Err(f) => {
            audit.findings.push(f);
            return audit;
        }
    };
    let mut problems = version_problems(&text, "TLSRPTv1");
    let list = tags::scan(&text);
    match list.tags.iter().find(|t| t.name == "rua") {
        None => problems.push(tags::TagProblem {
            position: 0,
            message: "no rua tag: the record names no place to send reports".into(),
        }),
        Some(t) => {
            for uri in t.value.split(',').map(str::trim) {
                let lower = uri.to_ascii_lowercase();
                let ok = (lower.starts_with("mailto:")
                    && uri.get(7..).is_some_and(|a| a.contains('@')))
                    || (lower.starts_with("https://") && uri.len() > 8);
                if ok {
                    audit.rua.push(uri.to_string());
                } else {
                    problems.push(tags::TagProblem {
                        position: t.position,
                        message: format!(
                            "rua URI {:?} must be mailto:address or https://url",
                            tags::clip(uri)
                        ),
                    });
                }
            }
        }
    }
    // The receiver's view: mail-auth's parser, which the engine uses.
    if problems.is_empty() && mail_auth::mta_sts::TlsRpt::parse(text.as_bytes()).is_err() {
        problems.push(tags::TagProblem {
            position: 0,
            message: "the record cannot be parsed".into(),
        });
    }
    for p in &problems {
        audit.findings.push(
            finding(
                "TLSRPT_SYNTAX",
                Severity::Warning,
                &name,
                format!(
                    "TLS-RPT syntax error at character {}: {}",
                    p.position + 1,
                    p.message
                ),
            )
            .fix(format!("Publish a record of the form:\n  {example}"))
            .evidence("record", &text)
            .evidence("position", tags::mark(&text, p.position)),
        );
    }
    if problems.is_empty() {
        audit.findings.push(finding(
            "TLSRPT_OK",
            Severity::Info,
            &name,
            format!("TLS reports go to {}", audit.rua.join(", ")),
        ));
    }
    audit.record = Some(text);
    audit
}
