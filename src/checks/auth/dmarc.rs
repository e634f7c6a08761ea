//! DMARC record audit (RFC 9989, which obsoletes RFC 7489; reports RFC 9990).
//!
//! What it decides: which DMARC record applies to a domain (found by the RFC 9989 DNS tree walk,
//! never the public suffix list), what that record asks receivers to do, and everything in it a
//! receiver would ignore, misread or refuse. Each problem becomes a [`Finding`] whose fix gives
//! the record to publish when it can be computed.
//!
//! What it never does: judge a message (the message-level DMARC evaluation is mail-auth's
//! `verify_dmarc`), print, or choose an action.
//!
//! Shape, as in every check: [`parse`] (record text → [`DmarcRecord`]), the tree walk and the
//! report-authorization lookups (record + DNS → facts), then the findings.

mod parse;

pub use parse::{AlignmentMode, DmarcRecord, PolicyValue, PsdFlag, ReportUri, parse};

use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};
use crate::names::is_within;
use serde::Serialize;

/// RFC 9989 section 4.10: a tree walk makes at most this many queries.
pub const MAX_WALK_QUERIES: usize = 8;
/// At most this many syntax findings are emitted for one record; the rest are counted.
pub const MAX_SYNTAX_FINDINGS: usize = 10;
/// At most this many external report domains get an authorization lookup.
pub const MAX_REPORT_DOMAINS: usize = 10;

/// One query of the tree walk and what it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalkStep {
    /// The name queried (`_dmarc.<name>`).
    pub name: String,
    /// `record`, `none`, `invalid`, `multiple` or `tempfail`.
    pub outcome: &'static str,
}

/// The DMARC audit of one domain.
#[derive(Debug, Clone, Serialize)]
pub struct DmarcAudit {
    /// The audited domain (normalised).
    pub domain: String,
    /// Every query of the tree walk, in order.
    pub walk: Vec<WalkStep>,
    /// The record that applies to mail from the domain, if any.
    pub record: Option<DmarcRecord>,
    /// The domain that published [`DmarcAudit::record`].
    pub policy_domain: Option<String>,
    /// The organizational domain found by the tree walk (RFC 9989 section 4.10.2).
    pub organizational_domain: Option<String>,
    /// The policy a receiver applies to mail from the domain (`p`, `sp` or `np`), before `t=y`.
    pub effective_policy: Option<PolicyValue>,
    /// True when receivers are asked to quarantine or reject failing mail (and `t=y` is off).
    pub enforced: bool,
    /// What was found, each with its fix.
    pub findings: Vec<Finding>,
}

/// The names the RFC 9989 tree walk queries for `domain`, longest first: the domain itself, then
/// (for names of 8 labels or more) straight to its last 7 labels, then one label less each time
/// down to the top-level domain. Never more than [`MAX_WALK_QUERIES`].
pub fn walk_names(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let total = labels.len();
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    out.push(labels.join("."));
    let mut count = if total >= MAX_WALK_QUERIES {
        MAX_WALK_QUERIES - 1
    } else {
        total - 1
    };
    while count >= 1 {
        out.push(labels[total - count..].join("."));
        count -= 1;
    }
    out
}

/// Audits the DMARC record of `domain`.
pub async fn audit(dns: &Resolver, domain: &str) -> DmarcAudit {
    let domain = crate::names::normalize_domain(domain).unwrap_or_else(|_| domain.to_string());
    let mut audit = DmarcAudit {
        domain: domain.clone(),
        walk: Vec::new(),
        record: None,
        policy_domain: None,
        organizational_domain: None,
        effective_policy: None,
        enforced: false,
        findings: Vec::new(),
    };
    let mut found: Vec<DmarcRecord> = Vec::new();
    let mut invalid: Vec<DmarcRecord> = Vec::new();
    let mut multiple: Option<(String, Vec<String>)> = None;
    let mut tempfail: Vec<(String, String)> = Vec::new();

    for name in walk_names(&domain) {
        let qname = format!("_dmarc.{name}");
        let answer = dns.txt(&qname).await;
        let outcome = match answer {
            Answer::Failed(e) => {
                tempfail.push((qname.clone(), e.to_string()));
                "tempfail"
            }
            Answer::NxDomain | Answer::NoData => "none",
            Answer::Records(texts) => {
                let candidates: Vec<String> = texts
                    .into_iter()
                    .filter(|t| parse::looks_like_dmarc(t))
                    .collect();
                match candidates.len() {
                    0 => "none",
                    1 => {
                        let record = parse(&name, &candidates[0]);
                        if record.valid {
                            let stop = matches!(record.psd, Some(PsdFlag::Yes | PsdFlag::No));
                            found.push(record);
                            audit.walk.push(WalkStep {
                                name: qname,
                                outcome: "record",
                            });
                            if stop {
                                break;
                            }
                            continue;
                        }
                        invalid.push(record);
                        "invalid"
                    }
                    _ => {
                        if multiple.is_none() {
                            multiple = Some((name.clone(), candidates));
                        }
                        "multiple"
                    }
                }
            }
        };
        audit.walk.push(WalkStep {
            name: qname,
            outcome,
        });
        // RFC 7489 6.6.3 and RFC 9989 4.10: several records at one name end policy discovery.
        if outcome == "multiple" {
            break;
        }
    }

    for (name, why) in &tempfail {
        audit.findings.push(
            Finding::new(
                "DMARC_DNS_TEMPFAIL",
                Cause::Authentication,
                Severity::Temporary,
                name.clone(),
                format!("Could not look up the DMARC record at {name}: {why}"),
            )
            .fix(
                "Try again later. If it persists, check that the DNS servers of the domain \
                 answer TXT queries for this name (receivers treat this as a temporary error).",
            )
            .evidence("error", why),
        );
    }

    if let Some((name, records)) = &multiple {
        audit.findings.push(
            Finding::new(
                "DMARC_MULTIPLE_RECORDS",
                Cause::Authentication,
                Severity::Error,
                format!("_dmarc.{name}"),
                format!(
                    "_dmarc.{name} has {} DMARC records; receivers then apply none of them",
                    records.len()
                ),
            )
            .fix(format!(
                "Delete all but one DMARC record at _dmarc.{name}: merge what you need into a \
                 single TXT record starting with \"v=DMARC1;\"."
            ))
            .evidence("records", records),
        );
    }

    for record in &invalid {
        syntax_findings(&mut audit.findings, record);
    }

    // Pick the record that applies (RFC 9989 4.10.1): the domain's own record, otherwise the
    // organizational domain's, otherwise the last (shortest) one found.
    let org = organizational_domain(&found, &domain);
    audit.organizational_domain = org.clone().or_else(|| {
        if found.is_empty() && multiple.is_none() && invalid.is_empty() && tempfail.is_empty() {
            None
        } else {
            Some(domain.clone())
        }
    });
    let chosen = if multiple.is_some() {
        None
    } else {
        found
            .iter()
            .position(|r| r.domain == domain)
            .or_else(|| {
                org.as_ref()
                    .and_then(|o| found.iter().position(|r| &r.domain == o))
            })
            .or_else(|| found.len().checked_sub(1))
    };

    let Some(index) = chosen else {
        if multiple.is_none() && invalid.is_empty() && tempfail.is_empty() {
            audit.findings.push(missing_finding(&domain));
        }
        return audit;
    };
    let record = found.swap_remove(index);
    let own = record.domain == domain;

    // Effective policy for mail from `domain`.
    let p = record.p.or(if record.rua.is_empty() {
        None
    } else {
        Some(PolicyValue::None)
    });
    let sp = record.sp.or(p);
    let np = record.np.or(sp);
    let effective = if own {
        p
    } else if np != sp && matches!(dns.a(&domain).await, Answer::NxDomain) {
        np
    } else {
        sp
    };
    audit.effective_policy = effective;
    audit.enforced = !record.testing
        && matches!(
            effective,
            Some(PolicyValue::Quarantine | PolicyValue::Reject)
        );

    record_findings(&mut audit.findings, &record, &domain, own, effective);
    report_authorization(
        dns,
        &mut audit.findings,
        &record,
        audit.organizational_domain.as_deref().unwrap_or(&domain),
    )
    .await;

    let troubled = audit
        .findings
        .iter()
        .any(|f| matches!(f.severity, Severity::Warning | Severity::Error));
    if !troubled && audit.enforced {
        audit.findings.push(
            Finding::new(
                "DMARC_OK",
                Cause::Authentication,
                Severity::Info,
                format!("_dmarc.{}", record.domain),
                format!(
                    "DMARC record found at _dmarc.{}; receivers are asked to {} mail that fails",
                    record.domain,
                    effective.map_or("none", PolicyValue::as_str)
                ),
            )
            .evidence("record", &record.text),
        );
    }
    audit.policy_domain = Some(record.domain.clone());
    audit.record = Some(record);
    audit
}

/// RFC 9989 4.10.2: the first record with `psd=n` names the organizational domain; a `psd=y`
/// record above the domain puts it one label below that public suffix; otherwise the shortest
/// name with a record.
fn organizational_domain(found: &[DmarcRecord], start: &str) -> Option<String> {
    for record in found {
        match record.psd {
            Some(PsdFlag::No) => return Some(record.domain.clone()),
            Some(PsdFlag::Yes) if record.domain != start => {
                let depth = record.domain.split('.').count() + 1;
                let labels: Vec<&str> = start.split('.').collect();
                let keep = depth.min(labels.len());
                return Some(labels[labels.len() - keep..].join("."));
            }
            _ => {}
        }
    }
    found.last().map(|r| r.domain.clone())
}

fn missing_finding(domain: &str) -> Finding {
    Finding::new(
        "DMARC_MISSING",
        Cause::Authentication,
        Severity::Error,
        domain,
        format!("No DMARC record at _dmarc.{domain} or at any parent domain"),
    )
    .fix(format!(
        "Publish a DMARC record. Start in monitoring mode and collect reports:\n  \
         _dmarc.{domain}. IN TXT \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\"\n\
         Gmail, Yahoo and Microsoft require at least this from bulk senders. Once the reports \
         show all your own mail passing, move to p=quarantine and then p=reject."
    ))
}

fn syntax_findings(findings: &mut Vec<Finding>, record: &DmarcRecord) {
    let ignored = !record.valid;
    let severity = if ignored {
        Severity::Error
    } else {
        Severity::Warning
    };
    let subject = format!("_dmarc.{}", record.domain);
    let total = record.problems.len();
    for problem in record.problems.iter().take(MAX_SYNTAX_FINDINGS) {
        let consequence = if ignored {
            "receivers ignore this record"
        } else {
            "receivers may ignore this tag"
        };
        findings.push(
            Finding::new(
                "DMARC_SYNTAX",
                Cause::Authentication,
                severity,
                subject.clone(),
                format!(
                    "DMARC syntax error at character {}: {} ({consequence})",
                    problem.position + 1,
                    problem.message
                ),
            )
            .fix(format!(
                "Correct the record at {subject}. A valid record looks like:\n  \
                 {subject}. IN TXT \"{}\"",
                record.suggested(None)
            ))
            .evidence("record", &record.text)
            .evidence(
                "position",
                crate::checks::tags::mark(&record.text, problem.position),
            ),
        );
    }
    if total > MAX_SYNTAX_FINDINGS {
        findings.push(
            Finding::new(
                "DMARC_SYNTAX",
                Cause::Authentication,
                severity,
                subject,
                format!(
                    "{} more DMARC syntax errors not shown",
                    total - MAX_SYNTAX_FINDINGS
                ),
            )
            .evidence("record", &record.text),
        );
    }
}

fn record_findings(
    findings: &mut Vec<Finding>,
    record: &DmarcRecord,
    domain: &str,
    own: bool,
    effective: Option<PolicyValue>,
) {
    let subject = format!("_dmarc.{}", record.domain);
    syntax_findings(findings, record);

    if !own {
        findings.push(
            Finding::new(
                "DMARC_INHERITED",
                Cause::Authentication,
                Severity::Info,
                domain,
                format!(
                    "{domain} has no DMARC record of its own; the record of {} applies \
                     (its subdomain policy: {})",
                    record.domain,
                    effective.map_or("none", PolicyValue::as_str)
                ),
            )
            .fix(format!(
                "Nothing to do if {}'s policy suits {domain}. To give {domain} its own policy, \
                 publish a record at _dmarc.{domain}.",
                record.domain
            ))
            .evidence("policy_domain", &record.domain)
            .evidence("record", &record.text),
        );
        if record.psd == Some(PsdFlag::Yes) {
            findings.push(
                Finding::new(
                    "DMARC_PSD_POLICY_ONLY",
                    Cause::Authentication,
                    Severity::Warning,
                    domain,
                    format!(
                        "Only the public suffix operator's record at {} covers {domain}",
                        record.domain
                    ),
                )
                .fix(format!(
                    "Publish your own record:\n  _dmarc.{domain}. IN TXT \
                     \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\""
                )),
            );
        }
    } else if record.psd == Some(PsdFlag::Yes) {
        findings.push(
            Finding::new(
                "DMARC_PSD",
                Cause::Authentication,
                Severity::Info,
                subject.clone(),
                format!("{domain} declares itself a public suffix domain (psd=y)"),
            )
            .fix(
                "Nothing to do if you operate a public suffix. Otherwise remove psd=y: it \
                 changes which domain receivers treat as the organizational domain.",
            ),
        );
    }

    if record.p.is_none() {
        let (severity, consequence) = if record.rua.is_empty() {
            (
                Severity::Error,
                "and no rua tag: receivers do not apply DMARC at all",
            )
        } else {
            (Severity::Warning, "so receivers treat it as p=none")
        };
        findings.push(
            Finding::new(
                "DMARC_NO_POLICY",
                Cause::Authentication,
                severity,
                subject.clone(),
                format!("The DMARC record has no p tag, {consequence}"),
            )
            .fix(format!(
                "Add a policy:\n  {subject}. IN TXT \"{}\"",
                record.suggested(Some(("p", "none")))
            ))
            .evidence("record", &record.text),
        );
    }

    if effective == Some(PolicyValue::None) && record.p.is_some() {
        let which = if own { "p" } else { "sp" };
        findings.push(
            Finding::new(
                "DMARC_POLICY_NONE",
                Cause::Authentication,
                Severity::Warning,
                subject.clone(),
                format!(
                    "DMARC {which}=none: monitoring only, receivers take no action on mail \
                     that fails, so it gives no protection against spoofing"
                ),
            )
            .fix(format!(
                "p=none meets the minimum Gmail, Yahoo and Microsoft ask of bulk senders. Read \
                 your aggregate (rua) reports; when all your own mail passes, move to \
                 quarantine, then reject:\n  {subject}. IN TXT \"{}\"",
                record.suggested(Some((which, "quarantine")))
            ))
            .evidence("record", &record.text),
        );
    }

    if let (Some(p), Some(sp)) = (record.p, record.sp)
        && sp < p
    {
        findings.push(
            Finding::new(
                "DMARC_WEAK_SUBDOMAIN_POLICY",
                Cause::Authentication,
                Severity::Warning,
                subject.clone(),
                format!(
                    "sp={} is weaker than p={}: spoofers can use any subdomain instead",
                    sp.as_str(),
                    p.as_str()
                ),
            )
            .fix(format!(
                "Remove sp (it then follows p) or set it to p's value:\n  {subject}. IN TXT \"{}\"",
                record.suggested(Some(("sp", p.as_str())))
            ))
            .evidence("record", &record.text),
        );
    }
    if let Some(np) = record.np {
        let base = record.sp.or(record.p).unwrap_or(PolicyValue::None);
        if np < base {
            findings.push(
                Finding::new(
                    "DMARC_WEAK_NP_POLICY",
                    Cause::Authentication,
                    Severity::Warning,
                    subject.clone(),
                    format!(
                        "np={} is weaker than the policy for existing names ({}): mail from \
                         made-up subdomains is treated more kindly",
                        np.as_str(),
                        base.as_str()
                    ),
                )
                .fix(format!(
                    "Remove np or set it at least as strict:\n  {subject}. IN TXT \"{}\"",
                    record.suggested(Some(("np", base.as_str())))
                ))
                .evidence("record", &record.text),
            );
        }
    }

    if record.testing {
        findings.push(
            Finding::new(
                "DMARC_TESTING",
                Cause::Authentication,
                Severity::Warning,
                subject.clone(),
                "t=y: the record is in test mode, receivers apply one level less than it says \
                 (reject becomes quarantine, quarantine becomes none)",
            )
            .fix(format!(
                "When your reports look clean, remove t=y:\n  {subject}. IN TXT \"{}\"",
                record.suggested(Some(("t", "")))
            ))
            .evidence("record", &record.text),
        );
    }

    for tag in &record.tags {
        let (severity, why) = match tag.name.as_str() {
            "pct" if tag.value.trim() != "100" => (
                Severity::Warning,
                "RFC 9989 removed pct: receivers now apply the policy to all failing mail, \
                 not to the percentage given",
            ),
            "pct" => (Severity::Info, "RFC 9989 removed pct; it is ignored"),
            "rf" => (
                Severity::Info,
                "RFC 9989 removed rf (failure report format); it is ignored",
            ),
            "ri" => (
                Severity::Info,
                "RFC 9989 removed ri (report interval); receivers send daily reports",
            ),
            _ => continue,
        };
        findings.push(
            Finding::new(
                "DMARC_OBSOLETE_TAG",
                Cause::Authentication,
                severity,
                subject.clone(),
                format!("{}={}: {why}", tag.name, tag::clip(&tag.value)),
            )
            .fix(format!(
                "Remove the {} tag:\n  {subject}. IN TXT \"{}\"",
                tag.name,
                record.suggested(Some((&tag.name, "")))
            ))
            .evidence("tag", &tag.name),
        );
    }

    let unknown: Vec<&str> = record
        .tags
        .iter()
        .filter(|t| !parse::KNOWN_TAGS.contains(&t.name.as_str()))
        .map(|t| t.name.as_str())
        .collect();
    if !unknown.is_empty() {
        findings.push(
            Finding::new(
                "DMARC_UNKNOWN_TAG",
                Cause::Authentication,
                Severity::Warning,
                subject.clone(),
                format!(
                    "Unknown DMARC tag(s) {}: receivers ignore them (a typo?)",
                    unknown.join(", ")
                ),
            )
            .fix(format!(
                "Remove or correct them. Known tags: {}.",
                parse::KNOWN_TAGS.join(", ")
            ))
            .evidence("tags", &unknown),
        );
    }

    if record.adkim == AlignmentMode::Strict || record.aspf == AlignmentMode::Strict {
        findings.push(
            Finding::new(
                "DMARC_STRICT_ALIGNMENT",
                Cause::Authentication,
                Severity::Info,
                subject.clone(),
                format!(
                    "Strict alignment (adkim={}, aspf={}): mail signed or sent from a \
                     subdomain does not align",
                    record.adkim.as_str(),
                    record.aspf.as_str()
                ),
            )
            .fix(
                "Keep strict alignment only if every service sending for you uses exactly this \
                 domain in its DKIM d= and envelope sender.",
            ),
        );
    }

    for (tag, uris) in [("rua", &record.rua), ("ruf", &record.ruf)] {
        for uri in uris {
            if let Some(why) = &uri.problem {
                findings.push(
                    Finding::new(
                        if tag == "rua" {
                            "DMARC_RUA_INVALID"
                        } else {
                            "DMARC_RUF_INVALID"
                        },
                        Cause::Authentication,
                        Severity::Warning,
                        subject.clone(),
                        format!("{tag} URI {:?} cannot be used: {why}", tag::clip(&uri.uri)),
                    )
                    .fix(format!(
                        "Use mailto: addresses, comma-separated, e.g. \
                         {tag}=mailto:dmarc-reports@{}",
                        record.domain
                    ))
                    .evidence("uri", &uri.uri),
                );
            }
        }
    }
    if record.rua.iter().all(|u| u.problem.is_some()) {
        findings.push(
            Finding::new(
                "DMARC_NO_RUA",
                Cause::Authentication,
                Severity::Info,
                subject.clone(),
                "No usable rua address: you receive no aggregate reports and cannot see who \
                 sends mail in your name",
            )
            .fix(format!(
                "Add an address for aggregate reports (RFC 9990):\n  {subject}. IN TXT \"{}\"",
                record.suggested(Some((
                    "rua",
                    &format!("mailto:dmarc-reports@{}", record.domain)
                )))
            )),
        );
    }
}

use crate::checks::tags as tag;

/// RFC 9990 section 3 / RFC 9989: a report address outside the organizational domain receives
/// reports only if its domain publishes `<policy-domain>._report._dmarc.<report-domain>`.
async fn report_authorization(
    dns: &Resolver,
    findings: &mut Vec<Finding>,
    record: &DmarcRecord,
    org: &str,
) {
    let mut seen: Vec<String> = Vec::new();
    for uri in record.rua.iter().chain(record.ruf.iter()) {
        let Some(report_domain) = &uri.domain else {
            continue;
        };
        if uri.problem.is_some()
            || is_within(report_domain, org)
            || is_within(report_domain, &record.domain)
            || seen.contains(report_domain)
        {
            continue;
        }
        seen.push(report_domain.clone());
        if seen.len() > MAX_REPORT_DOMAINS {
            break;
        }
        let name = format!("{}._report._dmarc.{report_domain}", record.domain);
        let publish = format!("{name}. IN TXT \"v=DMARC1;\"");
        match dns.txt(&name).await {
            Answer::Failed(e) => findings.push(
                Finding::new(
                    "DMARC_DNS_TEMPFAIL",
                    Cause::Authentication,
                    Severity::Temporary,
                    name.clone(),
                    format!("Could not check the report authorization at {name}: {e}"),
                )
                .fix("Try again later.")
                .evidence("error", e.to_string()),
            ),
            answer => {
                let authorized = answer
                    .records()
                    .iter()
                    .any(|t| t.trim_start().starts_with("v=DMARC1"));
                if !authorized {
                    findings.push(
                        Finding::new(
                            "DMARC_EXTERNAL_REPORT_UNAUTHORIZED",
                            Cause::Authentication,
                            Severity::Warning,
                            name.clone(),
                            format!(
                                "Reports for {} go to {}, which has not agreed to receive them: \
                                 receivers will not send these reports",
                                record.domain, uri.uri
                            ),
                        )
                        .fix(format!(
                            "Ask whoever runs {report_domain} to publish (RFC 9990):\n  \
                             {publish}\nor send reports to an address in {}.",
                            record.domain
                        ))
                        .evidence("uri", &uri.uri)
                        .evidence("authorization_record", &name),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_walk_names_are_capped_at_eight() {
        assert_eq!(
            walk_names("mail.example.com"),
            vec!["mail.example.com", "example.com", "com"]
        );
        let long = "a.b.c.d.e.f.g.h.i.example.com";
        let names = walk_names(long);
        assert_eq!(names.len(), MAX_WALK_QUERIES);
        assert_eq!(names[0], long);
        assert_eq!(names[1], "e.f.g.h.i.example.com");
        assert_eq!(names[7], "com");
        assert!(walk_names("").is_empty());
    }
}
