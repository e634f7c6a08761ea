//! `fivefifty check`: a message judged the way a strict receiver judges it, in one report:
//! authentication (SPF, DKIM, DMARC, ARC, iprev), content and attachments, the message's links
//! against the URL blocklists, and whether the From domain can receive replies.
//!
//! The checks themselves live in `checks`; this module runs them concurrently through the one
//! resolver and gathers their findings.

use crate::checks::auth::message::{self, AuthOptions, AuthReport};
use crate::checks::blocklist::{self, BlocklistReport, Catalog, ListOutcome};
use crate::checks::content::{self, ContentContext, ContentReport};
use crate::dns::{Answer, Resolver};
use crate::evidence::Evidence;
use crate::finding::{Cause, Finding, Severity};
use serde::Serialize;

/// Link domains looked up on the URL blocklists at most per message.
pub const MAX_URL_DOMAINS_CHECKED: usize = 20;

/// Everything `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct MessageReport {
    /// SPF, DKIM, DMARC, ARC and iprev.
    pub auth: AuthReport,
    /// MIME structure, attachments, links, header and spam signals.
    pub content: ContentReport,
    /// Each link domain against the domain and URL blocklists (listed ones only, to keep the
    /// report readable; the findings carry every answer that matters).
    pub url_listings: Vec<BlocklistReport>,
    /// Every finding, authentication first.
    pub findings: Vec<Finding>,
}

/// Runs every message check. `evidence.message` must hold the raw message.
pub async fn check_message(
    dns: &Resolver,
    evidence: &Evidence,
    auth_options: &AuthOptions,
    catalog: &Catalog,
) -> MessageReport {
    let raw: &[u8] = evidence.message.as_deref().unwrap_or(&[]);
    let rcpt_domains: Vec<&str> = evidence
        .rcpt_to
        .iter()
        .filter_map(|r| r.rsplit_once('@').map(|(_, d)| d))
        .collect();
    let sender = evidence.sender_domain();
    let content = content::analyze(raw, &ContentContext::new(sender, &rcpt_domains));
    let mut domains = content.url_domains();
    domains.truncate(MAX_URL_DOMAINS_CHECKED);
    let (auth, listings, from_mx) = tokio::join!(
        message::authenticate_with(dns, evidence, auth_options),
        futures_util::future::join_all(
            domains
                .iter()
                .map(|d| blocklist::check_domain(dns, catalog, d))
        ),
        from_domain_receives(dns, content.from_domain.as_deref()),
    );
    let url_listings: Vec<BlocklistReport> = listings
        .into_iter()
        .filter_map(Result::ok)
        .filter(|r| {
            r.lists.iter().any(|l| {
                !matches!(
                    l.outcome,
                    ListOutcome::Clean { .. } | ListOutcome::Skipped { .. }
                )
            })
        })
        .collect();
    let mut findings = auth.findings.clone();
    findings.extend(content.findings.iter().cloned());
    for r in &url_listings {
        findings.extend(
            r.findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .cloned()
                .map(|mut f| {
                    f.cause = Cause::Content;
                    f.summary = format!("a link in the message: {}", f.summary);
                    f
                }),
        );
    }
    findings.extend(from_mx);
    MessageReport {
        auth,
        content,
        url_listings,
        findings,
    }
}

/// RFC 5321 section 5.1: a From domain with neither MX nor address, or a null MX, cannot
/// receive replies or bounces; many receivers refuse such mail.
async fn from_domain_receives(dns: &Resolver, from: Option<&str>) -> Vec<Finding> {
    let Some(domain) = from else {
        return Vec::new();
    };
    let finding = |summary: String| {
        Finding::new(
            "FROM_DOMAIN_CANNOT_RECEIVE",
            Cause::Protocol,
            Severity::Error,
            domain,
            summary,
        )
        .fix(format!(
            "Send from a domain that receives mail: publish MX records for {domain} (or use an \
             address of a domain that has them), so replies and bounces can come back."
        ))
    };
    let tempfail = || {
        Finding::new(
            "FROM_DOMAIN_MX_TEMPFAIL",
            Cause::Protocol,
            Severity::Temporary,
            domain,
            format!("whether {domain} receives mail could not be checked (DNS failure)"),
        )
        .fix("Nothing to change if it resolves on retry.")
    };
    match dns.mx(domain).await {
        Answer::Records(mx) if mx.iter().all(|(_, host)| host.is_empty()) => {
            vec![finding(format!(
                "the From domain {domain} publishes a null MX: it receives no mail"
            ))]
        }
        Answer::Records(_) => Vec::new(),
        Answer::Failed(_) => vec![tempfail()],
        Answer::NxDomain => vec![finding(format!("the From domain {domain} does not exist"))],
        // No MX: mail goes to the address records (RFC 5321 section 5.1), if DNS can tell.
        Answer::NoData => match dns.ips(domain).await {
            Answer::Records(_) => Vec::new(),
            Answer::Failed(_) => vec![tempfail()],
            _ => vec![finding(format!(
                "the From domain {domain} has neither MX nor address records: it cannot receive \
                 replies or bounces"
            ))],
        },
    }
}
