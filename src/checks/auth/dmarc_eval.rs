//! DMARC (RFC 9989) for one message: which record applies, how SPF and DKIM align, the result
//! and the policy a receiver applies.
//!
//! mail-auth's `verify_dmarc` decides the result (tree walk, organizational domain, alignment,
//! `p`/`sp`/`np`, `t=y`). It does not say *where* the record was found nor which policy tag
//! applied, so this module walks the tree the same way over the shared (cached) resolver to
//! report the record's name and text, and lays SPF and DKIM alignment side by side with the
//! identifiers, for the fix.
//!
//! The record audit for a sending domain (`fivefifty domain`) lives elsewhere; this module only
//! evaluates a message.

use super::outcome::AuthResult;
use crate::dns::{Answer, Resolver};
use crate::finding::{Cause, Finding, Severity};
use crate::names::is_within;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::dmarc::{Alignment, Dmarc, Policy, Psd};
use mail_auth::{AuthenticatedMessage, DkimOutput, SpfOutput};
use serde::Serialize;

/// The tree walk asks at most this many names (RFC 9989 section 4.10: the starting name, then
/// at most seven more).
pub const MAX_TREE_WALK_QUERIES: usize = 8;

/// Which tag of the record decided the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyTag {
    /// `p=`: the record is the From domain's own.
    P,
    /// `sp=`: an existing subdomain of the organizational domain.
    Sp,
    /// `np=`: a non-existent subdomain (NXDOMAIN).
    Np,
}

/// SPF's side of alignment.
#[derive(Debug, Clone, Serialize)]
pub struct SpfAlignment {
    /// The domain SPF authenticated (MAIL FROM's, or HELO's for the null sender).
    pub identifier: Option<String>,
    /// The SPF result for it.
    pub spf_result: AuthResult,
    /// `aspf`: relaxed or strict.
    pub mode: &'static str,
    /// pass (authenticated and aligned), fail (passed but not aligned), none, temperror.
    pub aligned: AuthResult,
}

/// DKIM's side of alignment.
#[derive(Debug, Clone, Serialize)]
pub struct DkimAlignment {
    /// The signing domains (d=) of the signatures that passed.
    pub passing_domains: Vec<String>,
    /// `adkim`: relaxed or strict.
    pub mode: &'static str,
    /// pass (a passing signature aligns), fail (signatures passed but none aligns), none, temperror.
    pub aligned: AuthResult,
}

/// The DMARC evaluation of one message.
#[derive(Debug, Clone, Serialize)]
pub struct DmarcReport {
    /// pass, fail, none (no record or no single From domain), temperror, permerror.
    pub result: AuthResult,
    /// The RFC 5322 From domain (the Author Domain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_domain: Option<String>,
    /// The name the applied record was found at by the tree walk (without `_dmarc.`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_domain: Option<String>,
    /// The record's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// The organizational domain the walk determined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizational_domain: Option<String>,
    /// Which tag decided the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_tag: Option<PolicyTag>,
    /// The policy to apply (`none`, `quarantine`, `reject`), after `t=y` lowered it.
    pub policy: &'static str,
    /// `t=y`: the domain is testing its policy.
    pub testing: bool,
    /// SPF alignment.
    pub spf: SpfAlignment,
    /// DKIM alignment.
    pub dkim: DkimAlignment,
}

fn policy_name(p: Policy) -> &'static str {
    match p {
        Policy::None | Policy::Unspecified => "none",
        Policy::Quarantine => "quarantine",
        Policy::Reject => "reject",
    }
}

fn mode_name(a: &Alignment) -> &'static str {
    match a {
        Alignment::Relaxed => "relaxed",
        Alignment::Strict => "strict",
    }
}

/// One record found by the walk.
struct Found {
    name: String,
    text: String,
    record: Dmarc,
}

/// The RFC 9989 tree walk over the shared resolver: records found from the starting name up.
async fn tree_walk(dns: &Resolver, domain: &str) -> Result<Vec<Found>, String> {
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let total = labels.len();
    let mut found = Vec::new();
    if total < 2 {
        return Ok(found);
    }
    let mut count = total;
    let mut queries = 0;
    loop {
        queries += 1;
        let name = labels[total - count..].join(".");
        match dns.txt(&format!("_dmarc.{name}")).await {
            Answer::Records(records) => {
                let mut valid = records.iter().filter(|r| {
                    r.trim_start()
                        .get(..8)
                        .is_some_and(|p| p.eq_ignore_ascii_case("v=DMARC1"))
                });
                if let (Some(text), None) = (valid.next(), valid.next())
                    && let Ok(record) = Dmarc::parse(text.as_bytes())
                {
                    let stop = matches!(record.psd, Psd::Yes | Psd::No);
                    found.push(Found {
                        name: name.clone(),
                        text: text.clone(),
                        record,
                    });
                    if stop {
                        break;
                    }
                }
            }
            Answer::NxDomain | Answer::NoData => {}
            Answer::Failed(f) => return Err(f.to_string()),
        }
        if count == 1 || queries >= MAX_TREE_WALK_QUERIES {
            break;
        }
        count = if count >= 8 { 7 } else { count - 1 };
    }
    Ok(found)
}

fn organizational_domain(walk: &[Found], start: &str) -> Option<String> {
    for f in walk {
        match f.record.psd {
            Psd::No => return Some(f.name.clone()),
            Psd::Yes if f.name != start => {
                let depth = f.name.split('.').count() + 1;
                let labels: Vec<&str> = start.split('.').collect();
                return Some(labels[labels.len().saturating_sub(depth)..].join("."));
            }
            _ => {}
        }
    }
    walk.last().map(|f| f.name.clone())
}

/// Evaluates DMARC for the message.
///
/// `mail_from_domain` is the RFC 5321 MAIL FROM domain (HELO's for the null sender) and
/// `spf_output` the SPF result for it; `dkim_outputs` are the DKIM results of [`super::dkim`].
pub async fn evaluate<'x>(
    dns: &Resolver,
    message: &'x AuthenticatedMessage<'x>,
    dkim_outputs: &'x [DkimOutput<'x>],
    mail_from_domain: &'x str,
    spf_output: &'x SpfOutput,
) -> (DmarcReport, Vec<Finding>) {
    let output = dns
        .authenticator()
        .verify_dmarc(DmarcParameters::new(
            message,
            dkim_outputs,
            mail_from_domain,
            spf_output,
        ))
        .await;
    // Each domain once, in order of appearance (not only adjacent repeats: `a@x, b@y, c@x`
    // names two domains, not three).
    let from_domains: Vec<String> = {
        let mut d: Vec<String> = Vec::new();
        for domain in message
            .from
            .iter()
            .filter_map(|f| f.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()))
        {
            if !d.contains(&domain) {
                d.push(domain);
            }
        }
        d
    };
    let from_domain = from_domains.first().cloned();
    let spf_result = AuthResult::from(spf_output.result());
    let passing_domains: Vec<String> = dkim_outputs
        .iter()
        .filter(|o| matches!(o.result(), mail_auth::DkimResult::Pass))
        .filter_map(|o| o.signature().map(|s| s.d.to_ascii_lowercase()))
        .collect();
    let mut report = DmarcReport {
        result: AuthResult::from(&output.result()),
        from_domain: from_domain.clone(),
        record_domain: None,
        record: None,
        organizational_domain: None,
        policy_tag: None,
        policy: policy_name(output.policy()),
        testing: false,
        spf: SpfAlignment {
            identifier: (!mail_from_domain.is_empty())
                .then(|| mail_from_domain.to_ascii_lowercase()),
            spf_result,
            mode: "relaxed",
            aligned: AuthResult::from(output.spf_result()),
        },
        dkim: DkimAlignment {
            passing_domains,
            mode: "relaxed",
            aligned: AuthResult::from(output.dkim_result()),
        },
    };
    let mut findings = Vec::new();

    let Some(from) = from_domain else {
        findings.push(
            Finding::new(
                "DMARC_NO_FROM_DOMAIN",
                Cause::Authentication,
                Severity::Error,
                "From",
                "the message has no From address with a domain, so DMARC cannot apply",
            )
            .fix("Every message needs exactly one From header with an address (RFC 5322)."),
        );
        return (report, findings);
    };
    if from_domains.len() > 1 {
        findings.push(
            Finding::new(
                "DMARC_MULTIPLE_FROM_DOMAINS",
                Cause::Authentication,
                Severity::Warning,
                from_domains.join(", "),
                "From names addresses in several domains; DMARC is not evaluated for such messages and many receivers reject them",
            )
            .fix("Put a single author address in From."),
        );
        return (report, findings);
    }

    // Where the record came from, and which tag applied.
    match tree_walk(dns, &from).await {
        Ok(walk) if !walk.is_empty() => {
            let org = organizational_domain(&walk, &from);
            let (applied, own) = match walk.iter().find(|f| f.name == from) {
                Some(f) => (f, true),
                None => match walk
                    .iter()
                    .find(|f| Some(&f.name) == org.as_ref())
                    .or_else(|| walk.last())
                {
                    Some(f) => (f, false),
                    None => return (report, findings),
                },
            };
            report.record_domain = Some(applied.name.clone());
            report.record = Some(applied.text.clone());
            report.organizational_domain = org;
            report.testing = applied.record.t;
            report.spf.mode = mode_name(&applied.record.aspf);
            report.dkim.mode = mode_name(&applied.record.adkim);
            report.policy_tag = Some(if own {
                PolicyTag::P
            } else if applied.record.np != applied.record.sp
                && matches!(dns.a(&from).await, Answer::NxDomain)
            {
                PolicyTag::Np
            } else {
                PolicyTag::Sp
            });
        }
        Ok(_) => {}
        Err(e) => {
            if report.result != AuthResult::TempError {
                tracing::debug!("DMARC tree walk for reporting failed: {e}");
            }
        }
    }

    let org = report
        .organizational_domain
        .clone()
        .unwrap_or_else(|| from.clone());
    let record_at = report
        .record_domain
        .as_ref()
        .map_or_else(|| format!("_dmarc.{from}"), |d| format!("_dmarc.{d}"));
    let tag = report.policy_tag.map_or("p", |t| match t {
        PolicyTag::P => "p",
        PolicyTag::Sp => "sp",
        PolicyTag::Np => "np",
    });
    let finding = match report.result {
        AuthResult::Pass => Finding::new(
            "DMARC_PASS",
            Cause::Authentication,
            Severity::Info,
            &from,
            format!(
                "DMARC passes for {from} ({})",
                match (report.spf.aligned, report.dkim.aligned) {
                    (AuthResult::Pass, AuthResult::Pass) => "SPF and DKIM aligned",
                    (AuthResult::Pass, _) => "aligned through SPF",
                    _ => "aligned through DKIM",
                }
            ),
        ),
        AuthResult::TempError => Finding::new(
            "DMARC_TEMPERROR",
            Cause::Authentication,
            Severity::Temporary,
            &from,
            format!("DMARC for {from} could not be decided: a DNS lookup failed temporarily"),
        )
        .fix("Nothing to change if it passes on retry; a receiver answers 451, not 550."),
        AuthResult::None if report.record.is_none() => Finding::new(
            "DMARC_NONE",
            Cause::Authentication,
            Severity::Warning,
            &from,
            format!("{from} publishes no DMARC record (the tree walk found none)"),
        )
        .fix(format!(
            "Publish a TXT record at _dmarc.{org}: \"v=DMARC1; p=none; rua=mailto:dmarc@{org}\" \
             to start, then move to p=quarantine or p=reject. Gmail, Yahoo and Microsoft require \
             one of bulk senders."
        )),
        AuthResult::None => Finding::new(
            "DMARC_NONE",
            Cause::Authentication,
            Severity::Info,
            &from,
            format!("DMARC does not apply to {from}: the record at {record_at} sets no policy"),
        ),
        _ => {
            let severity = if report.policy == "none" {
                Severity::Warning
            } else {
                Severity::Error
            };
            Finding::new(
                "DMARC_FAIL",
                Cause::Authentication,
                severity,
                &from,
                format!(
                    "DMARC fails for {from}: {}; {}. Policy {tag}={} from {record_at}{}",
                    describe_spf(&report.spf, &from),
                    describe_dkim(&report.dkim, &from),
                    report.policy,
                    if report.testing {
                        " (t=y: testing, one level lower)"
                    } else {
                        ""
                    }
                ),
            )
            .fix(dmarc_fix(&report, &from, &org))
        }
    };
    findings.push(
        finding
            .evidence("record", &report.record)
            .evidence("record_domain", &report.record_domain)
            .evidence("policy", report.policy)
            .evidence("spf_identifier", &report.spf.identifier)
            .evidence("spf_aligned", report.spf.aligned)
            .evidence("dkim_domains", &report.dkim.passing_domains)
            .evidence("dkim_aligned", report.dkim.aligned),
    );
    if report.testing {
        findings.push(
            Finding::new(
                "DMARC_TESTING",
                Cause::Authentication,
                Severity::Info,
                &from,
                format!("the DMARC record at {record_at} has t=y: receivers apply one level less than {tag}="),
            ),
        );
    }
    (report, findings)
}

fn describe_spf(spf: &SpfAlignment, from: &str) -> String {
    let id = spf.identifier.as_deref().unwrap_or("(no MAIL FROM)");
    match spf.aligned {
        AuthResult::Pass => format!("SPF passed for {id}, aligned"),
        AuthResult::Fail => format!(
            "SPF passed for {id}, not aligned with {from} ({})",
            spf.mode
        ),
        _ => format!("SPF {} for {id}", spf.spf_result),
    }
}

fn describe_dkim(dkim: &DkimAlignment, from: &str) -> String {
    match dkim.aligned {
        AuthResult::Pass => "DKIM aligned".to_string(),
        AuthResult::Fail => format!(
            "DKIM passed for {}, not aligned with {from} ({})",
            dkim.passing_domains.join(", "),
            dkim.mode
        ),
        AuthResult::TempError => "DKIM undecided (temporary DNS failure)".to_string(),
        _ => "no passing DKIM signature".to_string(),
    }
}

fn dmarc_fix(report: &DmarcReport, from: &str, org: &str) -> String {
    let mut fix = String::from("DMARC needs SPF or DKIM to pass for a domain that matches From. ");
    let third_party: Vec<&String> = report
        .dkim
        .passing_domains
        .iter()
        .filter(|d| !is_within(d, org))
        .collect();
    if !third_party.is_empty() {
        fix.push_str(&format!(
            "The message is signed by {} (a third party, e.g. your email provider): set up \
             custom DKIM there so it signs with d={from}, and publish its key under {org}. ",
            third_party
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    } else if report.dkim.passing_domains.is_empty() {
        fix.push_str(&format!(
            "No DKIM signature passed: sign with d={from} (see the DKIM findings). "
        ));
    }
    if let Some(id) = &report.spf.identifier
        && !is_within(id, org)
    {
        fix.push_str(&format!(
            "MAIL FROM is {id}, outside {org}: a custom return-path (bounce domain) under {org} \
             makes SPF align. "
        ));
    } else if report.spf.spf_result != AuthResult::Pass {
        fix.push_str("SPF did not pass: authorise the sending IP in the SPF record of the MAIL FROM domain. ");
    }
    if report.spf.mode == "strict" || report.dkim.mode == "strict" {
        fix.push_str("The record asks for strict alignment (aspf=s/adkim=s): the domains must match exactly. ");
    }
    fix.trim_end().to_string()
}
