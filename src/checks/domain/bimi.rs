//! BIMI record audit (draft-brand-indicators-for-message-identification): the brand logo some
//! mailbox providers show beside authenticated mail.
//!
//! What it decides: whether `default._bimi.<domain>` holds one `v=BIMI1` record with an HTTPS
//! SVG logo (`l=`) and, optionally, an HTTPS mark certificate (`a=`); and whether the domain's
//! DMARC policy is enforcing, without which no provider shows the logo. The DMARC verdict comes
//! in as `dmarc_enforced` (from [`crate::checks::auth::dmarc::DmarcAudit::enforced`]) so that
//! the two checks do not look the record up twice. It never downloads the logo or certificate.

use super::version_problems;
use crate::checks::tags;
use crate::dns::Resolver;
use crate::finding::{Cause, Finding, Severity};
use serde::Serialize;

/// The BIMI audit of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct BimiAudit {
    /// The audited domain.
    pub domain: String,
    /// The record text, when exactly one was found.
    pub record: Option<String>,
    /// `l=`: the logo URL (empty when the domain declines BIMI).
    pub logo: Option<String>,
    /// `a=`: the mark certificate (VMC/CMC) URL.
    pub authority: Option<String>,
    /// What was found, each with its fix.
    pub findings: Vec<Finding>,
}

fn finding(code: &str, severity: Severity, subject: &str, summary: String) -> Finding {
    Finding::new(code, Cause::Configuration, severity, subject, summary)
}

/// Audits the BIMI record of `domain`; `dmarc_enforced` says whether its DMARC policy is
/// quarantine or reject (not in test mode).
pub async fn audit(dns: &Resolver, domain: &str, dmarc_enforced: bool) -> BimiAudit {
    let domain = crate::names::normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
    let name = format!("default._bimi.{domain}");
    let example = format!(
        "{name}. IN TXT \"v=BIMI1; l=https://{domain}/brand/logo.svg; \
         a=https://{domain}/brand/vmc.pem\""
    );
    let mut audit = BimiAudit {
        domain: domain.clone(),
        record: None,
        logo: None,
        authority: None,
        findings: Vec::new(),
    };
    let found = super::one_versioned_txt(
        dns,
        &name,
        "BIMI1",
        "BIMI_DNS_TEMPFAIL",
        || {
            finding(
                "BIMI_MISSING",
                Severity::Info,
                &name,
                format!("No BIMI record: no brand logo is shown beside mail from {domain}"),
            )
            .fix(format!(
                "Optional. BIMI needs DMARC at p=quarantine or p=reject first, then:\n  \
                 {example}"
            ))
        },
        |records| {
            super::multiple_records(
                "BIMI_MULTIPLE_RECORDS",
                &name,
                records,
                "BIMI records; providers then use none",
                &example,
            )
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
    let list = tags::scan(&text);
    let mut problems = version_problems(&text, "BIMI1");
    let https =
        |tag: &tags::Tag, suffix: &str, what: &str, problems: &mut Vec<tags::TagProblem>| {
            let v = tag.value.to_ascii_lowercase();
            if !v.is_empty() && (!v.starts_with("https://") || !v.ends_with(suffix)) {
                problems.push(tags::TagProblem {
                    position: tag.position,
                    message: format!(
                        "{}= must be an https:// URL of {what} ending in {suffix}, not {:?}",
                        tag.name,
                        tags::clip(&tag.value)
                    ),
                });
            }
        };
    for tag in &list.tags {
        match tag.name.as_str() {
            "l" => {
                https(tag, ".svg", "an SVG Tiny PS logo", &mut problems);
                audit.logo = Some(tag.value.clone());
            }
            "a" => {
                https(tag, ".pem", "a mark certificate", &mut problems);
                audit.authority = Some(tag.value.clone()).filter(|v| !v.is_empty());
            }
            _ => {}
        }
    }
    if audit.logo.is_none() {
        problems.push(tags::TagProblem {
            position: 0,
            message: "no l= tag: the record names no logo".into(),
        });
    }
    for p in &problems {
        audit.findings.push(
            finding(
                "BIMI_SYNTAX",
                Severity::Warning,
                &name,
                format!(
                    "BIMI syntax error at character {}: {}",
                    p.position + 1,
                    p.message
                ),
            )
            .fix(format!("Publish a record of the form:\n  {example}"))
            .evidence("record", &text)
            .evidence("position", tags::mark(&text, p.position)),
        );
    }
    let declined = audit.logo.as_deref() == Some("") && audit.authority.is_none();
    if declined {
        audit.findings.push(finding(
            "BIMI_DECLINED",
            Severity::Info,
            &name,
            format!("{domain} publishes a BIMI declination (empty l=): no logo is wanted"),
        ));
    } else {
        if !dmarc_enforced {
            audit.findings.push(
                finding(
                    "BIMI_NEEDS_DMARC_ENFORCEMENT",
                    Severity::Warning,
                    &name,
                    "BIMI logos are only shown when DMARC is enforced (p=quarantine or \
                     p=reject, not t=y); this domain's DMARC policy is not"
                        .to_string(),
                )
                .fix(format!(
                    "Move the DMARC record of {domain} to p=quarantine or p=reject once your \
                     reports show all your mail passing."
                )),
            );
        }
        if audit.authority.is_none() && problems.is_empty() {
            audit.findings.push(
                finding(
                    "BIMI_NO_CERTIFICATE",
                    Severity::Info,
                    &name,
                    "No a= mark certificate: Gmail and Apple Mail show BIMI logos only with a \
                     Verified or Common Mark Certificate"
                        .to_string(),
                )
                .fix("Obtain a VMC or CMC from a mark verifying authority and add a=https://…/vmc.pem."),
            );
        }
        if problems.is_empty() && dmarc_enforced {
            audit.findings.push(finding(
                "BIMI_OK",
                Severity::Info,
                &name,
                format!("BIMI logo at {}", audit.logo.clone().unwrap_or_default()),
            ));
        }
    }
    audit.record = Some(text);
    audit
}
